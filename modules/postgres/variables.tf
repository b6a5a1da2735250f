variable "name" {
  description = "Identifier of the DB instance and name prefix of its subnet group, parameter group and security group."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,58}[a-z0-9]$", var.name)) && !can(regex("--", var.name))
    error_message = "The name must be 2 to 60 lower-case letters, digits or single hyphens, starting with a letter and not ending with a hyphen (an RDS identifier)."
  }
}

variable "vpc_id" {
  description = "VPC the database's security group belongs to."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets (at least two, in different zones) for the DB subnet group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "An RDS subnet group needs at least two subnets in different availability zones."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups whose members may connect on the PostgreSQL port."
  type        = list(string)
  default     = []
}

variable "instance_class" {
  description = "DB instance class, e.g. db.t4g.micro (staging) or db.r6g.large (production)."
  type        = string
  default     = "db.t4g.micro"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "The instance_class must look like db.<family>.<size>, e.g. db.t4g.micro."
  }
}

variable "engine_version" {
  description = "PostgreSQL version: a major version 15 (AWS picks the latest minor) or 15.x."
  type        = string
  default     = "15"

  validation {
    condition     = can(regex("^15(\\.[0-9]+)?$", var.engine_version))
    error_message = "This module deploys PostgreSQL 15: use \"15\" or \"15.<minor>\"."
  }
}

variable "allocated_storage" {
  description = "Storage in GiB (gp3)."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536
    error_message = "The allocated_storage must be between 20 and 65536 GiB."
  }
}

variable "database_name" {
  description = "Name of the database created in the instance."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_]{0,62}$", var.database_name))
    error_message = "The database_name must start with a letter and contain only letters, digits and underscores (at most 63)."
  }
}

variable "username" {
  description = "Master user name."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_]{0,62}$", var.username)) && !contains(["postgres", "admin", "rdsadmin"], lower(var.username))
    error_message = "The username must start with a letter, contain only letters, digits and underscores, and not be a reserved name (postgres, admin, rdsadmin)."
  }
}

variable "password" {
  description = "Master password (8 to 128 printable characters, no /, @, \" or space)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.password) >= 8 && length(var.password) <= 128 && !can(regex("[/@\" ]", var.password))
    error_message = "The password must be 8 to 128 characters without /, @, \" or spaces."
  }
}

variable "multi_az" {
  description = "Keep a synchronous standby in another zone."
  type        = bool
  default     = false
}

variable "backup_retention_days" {
  description = "Days the daily automated backups are kept (1 to 35)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "The backup_retention_days must be between 1 and 35: daily backups are always on."
  }
}

variable "backup_window" {
  description = "Daily backup window (UTC), hh24:mi-hh24:mi."
  type        = string
  default     = "03:00-04:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "The backup_window must look like 03:00-04:00 (UTC)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (turn off before destroying)."
  type        = bool
  default     = false
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot (staging); production keeps one."
  type        = bool
  default     = true
}

variable "parameters" {
  description = "PostgreSQL parameters set in the parameter group (name => value)."
  type        = map(string)
  default = {
    log_min_duration_statement = "500"
    "rds.force_ssl"            = "1"
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
