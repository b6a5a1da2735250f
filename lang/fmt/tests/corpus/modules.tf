module "network" {
  source  = "./modules/network"
  version = "~> 2.1"

  name = var.name
  cidr = "10.0.0.0/16"
  azs = ["eu-west-1a","eu-west-1b", "eu-west-1c"]
  private_subnets = ["10.0.1.0/24", "10.0.2.0/24",   "10.0.3.0/24"]
  enable_nat_gateway = true
  single_nat_gateway = ! var.high_availability
}

module   "database"   {
  source = "git::https://example.com/modules/postgres.git?ref=v1.4.0"
  depends_on = [module.network]
  providers = {
    aws = aws.primary
    aws.replica = aws.secondary
  }
  subnet_ids=module.network.private_subnet_ids
}
