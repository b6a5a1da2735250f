# The reconciliation platform on AWS: network, PostgreSQL, Redis, an EKS cluster, the public
# HTTPS entry (app. and api.), the application's secrets in Secrets Manager and a versioned
# S3 bucket for assets. Sizing per environment comes from staging.tfvars / production.tfvars.

locals {
  name = "${var.project}-${var.environment}"
  tags = merge(var.extra_tags, { Service = "reconciliation" })
}

module "network" {
  source = "../../../modules/network"

  name               = local.name
  cidr_block         = var.vpc_cidr
  single_nat_gateway = var.single_nat_gateway
  tags               = local.tags
}

module "web" {
  source = "../../../modules/web-service"

  name                = local.name
  vpc_id              = module.network.vpc_id
  public_subnet_ids   = module.network.public_subnet_ids
  domain_name         = var.domain_name
  app_port            = var.app_port
  ingress_cidr_blocks = var.ingress_cidr_blocks
  tags                = local.tags
}

module "postgres" {
  source = "../../../modules/postgres"

  name                       = local.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = [module.web.app_security_group_id]
  password                   = random_password.postgres.result

  instance_class        = var.postgres.instance_class
  allocated_storage     = var.postgres.allocated_storage
  multi_az              = var.postgres.multi_az
  backup_retention_days = var.postgres.backup_retention_days
  deletion_protection   = var.postgres.deletion_protection
  skip_final_snapshot   = var.postgres.skip_final_snapshot
  tags                  = local.tags
}

module "redis" {
  source = "../../../modules/redis"

  name                       = local.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.private_subnet_ids
  allowed_security_group_ids = [module.web.app_security_group_id]
  auth_token                 = random_password.redis.result

  node_type               = var.redis.node_type
  replicas                = var.redis.replicas
  multi_az                = var.redis.multi_az
  snapshot_retention_days = var.redis.snapshot_retention_days
  tags                    = local.tags
}

module "cluster" {
  source = "../../../modules/cluster"

  name               = local.name
  kubernetes_version = var.cluster.kubernetes_version
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.web.app_security_group_id]
  instance_types     = var.cluster.instance_types
  capacity_type      = var.cluster.capacity_type
  node_count = {
    desired = var.cluster.desired
    min     = var.cluster.min
    max     = var.cluster.max
  }
  node_labels = { environment = var.environment }
  tags        = local.tags
}
