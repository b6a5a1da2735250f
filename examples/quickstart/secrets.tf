locals {
  # Changing the environment rotates every secret: a staging secret never becomes prod's.
  keepers = {
    environment = var.environment
  }
}

# 32 random bytes = 64 hex characters.
resource "random_id" "jwt_secret" {
  byte_length = 32
  keepers     = local.keepers
}

# 16 random bytes = 32 hex characters.
resource "random_id" "csrf_secret" {
  byte_length = 16
  keepers     = local.keepers
}

resource "random_id" "encryption_key" {
  byte_length = 16
  keepers     = local.keepers
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
