# The application's secrets, generated once and stored in Secrets Manager; the pods read them
# from there (never from this configuration's outputs).

locals {
  # name => length; hex secrets use the alphabet 0-9a-f.
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
}

# RDS master passwords may not contain / @ " or spaces.
resource "random_password" "postgres" {
  length           = 32
  special          = true
  override_special = "-_"
}

# ElastiCache AUTH tokens: printable, no @ " /.
resource "random_password" "redis" {
  length           = 32
  special          = true
  override_special = "-_"
}

resource "aws_secretsmanager_secret" "app" {
  for_each = local.hex_secrets

  name                    = "${local.name}/app/${each.key}"
  description             = "${each.key} of the reconciliation platform (${var.environment})"
  recovery_window_in_days = var.environment == "production" ? 30 : 0

  tags = local.tags
}

resource "aws_secretsmanager_secret_version" "app" {
  for_each = local.hex_secrets

  secret_id     = aws_secretsmanager_secret.app[each.key].id
  secret_string = random_password.hex[each.key].result
}

resource "aws_secretsmanager_secret" "database" {
  name                    = "${local.name}/database"
  description             = "PostgreSQL connection of the reconciliation platform (${var.environment})"
  recovery_window_in_days = var.environment == "production" ? 30 : 0

  tags = local.tags
}

resource "aws_secretsmanager_secret_version" "database" {
  secret_id = aws_secretsmanager_secret.database.id
  secret_string = jsonencode({
    engine   = "postgres"
    host     = module.postgres.address
    port     = module.postgres.port
    dbname   = module.postgres.database_name
    username = module.postgres.username
    password = random_password.postgres.result
  })
}

resource "aws_secretsmanager_secret" "redis" {
  name                    = "${local.name}/redis"
  description             = "Redis connection of the reconciliation platform (${var.environment})"
  recovery_window_in_days = var.environment == "production" ? 30 : 0

  tags = local.tags
}

resource "aws_secretsmanager_secret_version" "redis" {
  secret_id = aws_secretsmanager_secret.redis.id
  secret_string = jsonencode({
    host     = module.redis.primary_endpoint_address
    port     = module.redis.port
    password = random_password.redis.result
    tls      = true
  })
}
