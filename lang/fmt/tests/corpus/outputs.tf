output "vpc_id" {
  value = aws_vpc.main.id
}

output "db_password" {
  value     = random_password.db.result
  sensitive = true
}

output    "endpoints"   {
  value = {
    api = aws_lb.api.dns_name
    web = aws_lb.web.dns_name
  }
  description = "Load balancer endpoints"
}
