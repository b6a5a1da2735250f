environment        = "production"
domain_name        = "recon.example.com"
vpc_cidr           = "10.30.0.0/16"
single_nat_gateway = false

postgres = {
  instance_class        = "db.r6g.large"
  allocated_storage     = 200
  multi_az              = true
  backup_retention_days = 30
  deletion_protection   = true
  skip_final_snapshot   = false
}

redis = {
  node_type               = "cache.r7g.large"
  replicas                = 1
  multi_az                = true
  snapshot_retention_days = 14
}

cluster = {
  instance_types = ["m6i.large", "m6a.large"]
  desired        = 3
  min            = 3
  max            = 9
}
