output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "urls" {
  description = "The app and API URLs."
  value       = module.web.urls
}

output "name_servers" {
  description = "Delegate the environment's domain to these name servers."
  value       = module.web.name_servers
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.web.lb_dns_name
}

output "postgres_endpoint" {
  description = "host:port of PostgreSQL."
  value       = module.postgres.endpoint
}

output "redis_endpoint" {
  description = "Host name of the Redis primary."
  value       = module.redis.primary_endpoint_address
}

output "cluster_name" {
  description = "Name of the EKS cluster (aws eks update-kubeconfig --name ...)."
  value       = module.cluster.cluster_name
}

output "assets_bucket" {
  description = "Name of the assets bucket."
  value       = aws_s3_bucket.assets.bucket
}

output "secret_arns" {
  description = "ARNs of the Secrets Manager secrets the application reads."
  value = merge(
    { for k, s in aws_secretsmanager_secret.app : k => s.arn },
    {
      DATABASE = aws_secretsmanager_secret.database.arn
      REDIS    = aws_secretsmanager_secret.redis.arn
    },
  )
}
