environment        = "staging"
domain_name        = "staging.recon.example.com"
vpc_cidr           = "10.20.0.0/16"
single_nat_gateway = true

postgres = {
  instance_class        = "db.t4g.micro"
  allocated_storage     = 20
  multi_az              = false
  backup_retention_days = 3
}

redis = {
  node_type               = "cache.t4g.micro"
  replicas                = 0
  multi_az                = false
  snapshot_retention_days = 1
}

cluster = {
  instance_types = ["t3.medium"]
  capacity_type  = "SPOT"
  desired        = 2
  min            = 1
  max            = 3
}
