locals {
  # Changing the environment rotates every secret: a staging secret never becomes prod's.
  keepers = {
    environment = var.environment
  }
}

# Hex secrets: JWT_SECRET (64 hex characters = 256 bits), CSRF_SECRET and ENCRYPTION_KEY
# (32 hex characters = 128 bits). random_password draws each character uniformly from
# digits + "abcdef", so the result is hex; unlike random_id's `hex`, its `result` is
# sensitive, so a rotation never prints the old secret in a plan.
locals {
  hex_secrets = {
    JWT_SECRET     = 64
    CSRF_SECRET    = 32
    ENCRYPTION_KEY = 32
  }
}

resource "random_password" "hex" {
  for_each = local.hex_secrets

  length           = each.value
  upper            = false
  lower            = false
  numeric          = true
  special          = true
  override_special = "abcdef"
  keepers          = local.keepers
}

resource "random_password" "postgres" {
  length           = 32
  special          = true
  override_special = "-_" # safe in connection URLs
  keepers          = local.keepers
}

resource "random_password" "redis" {
  length  = 32
  special = false
  keepers = local.keepers
}

resource "random_password" "grafana_admin" {
  length      = 24
  min_upper   = 2
  min_lower   = 2
  min_numeric = 2
  min_special = 2
  keepers     = local.keepers
}
