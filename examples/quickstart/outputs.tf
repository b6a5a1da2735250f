output "environment" {
  description = "The environment these files were generated for."
  value       = var.environment
}

output "hosts" {
  description = "Host names the service certificate covers."
  value       = local.hosts
}

output "env_file" {
  description = "Path of the generated .env file (mode 0600)."
  value       = local_sensitive_file.dotenv.filename
}

output "ca_cert_pem" {
  description = "The local CA's certificate: add it to trust stores."
  value       = tls_self_signed_cert.ca.cert_pem
}

output "service_cert_expires" {
  description = "When the service certificate expires (RFC 3339)."
  value       = tls_locally_signed_cert.service.validity_end_time
}

output "jwt_secret" {
  description = "64 hex characters."
  value       = random_password.hex["JWT_SECRET"].result
  sensitive   = true
}

output "postgres_password" {
  value     = random_password.postgres.result
  sensitive = true
}

output "grafana_admin_password" {
  value     = random_password.grafana_admin.result
  sensitive = true
}
