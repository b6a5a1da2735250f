output "lb_arn" {
  description = "ARN of the application load balancer."
  value       = aws_lb.this.arn
}

output "lb_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "target_group_arn" {
  description = "Target group the application's tasks or pods register in."
  value       = aws_lb_target_group.app.arn
}

output "lb_security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.lb.id
}

output "app_security_group_id" {
  description = "Security group of the application (give it to the database and the cache)."
  value       = aws_security_group.app.id
}

output "zone_id" {
  description = "ID of the Route 53 zone."
  value       = aws_route53_zone.this.zone_id
}

output "name_servers" {
  description = "Name servers to delegate the domain to."
  value       = aws_route53_zone.this.name_servers
}

output "certificate_arn" {
  description = "ARN of the validated certificate."
  value       = aws_acm_certificate_validation.this.certificate_arn
}

output "urls" {
  description = "The service's URLs."
  value       = { for h in local.hosts : split(".", h)[0] => "https://${h}" }
}
