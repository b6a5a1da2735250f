locals {
  hosts = ["app.${var.domain}", "api.${var.domain}"]
}

# A local certificate authority (ten years), so services and browsers in the environment
# can trust one root.
resource "tls_private_key" "ca" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_self_signed_cert" "ca" {
  private_key_pem       = tls_private_key.ca.private_key_pem
  is_ca_certificate     = true
  validity_period_hours = 87600

  subject {
    common_name  = "Plinth ${var.environment} CA"
    organization = "Plinth Quickstart"
  }

  allowed_uses = [
    "cert_signing",
    "crl_signing",
    "digital_signature",
  ]
}

# The service certificate for app.DOMAIN and api.DOMAIN, signed by the CA.
resource "tls_private_key" "service" {
  algorithm = "RSA"
  rsa_bits  = 2048
}

resource "tls_cert_request" "service" {
  private_key_pem = tls_private_key.service.private_key_pem
  dns_names       = local.hosts

  subject {
    common_name  = local.hosts[0]
    organization = "Plinth Quickstart"
  }
}

resource "tls_locally_signed_cert" "service" {
  cert_request_pem      = tls_cert_request.service.cert_request_pem
  ca_private_key_pem    = tls_private_key.ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.ca.cert_pem
  validity_period_hours = var.certificate_validity_hours
  early_renewal_hours   = 336 # renew two weeks before expiry

  allowed_uses = [
    "digital_signature",
    "key_encipherment",
    "server_auth",
  ]
}
