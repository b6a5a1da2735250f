variable "name" {
  description = "Replication group ID and name prefix of the subnet group and security group."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.name)) && !can(regex("--", var.name))
    error_message = "The name must be 2 to 40 lower-case letters, digits or single hyphens, starting with a letter and not ending with a hyphen (an ElastiCache replication group ID)."
  }
}

variable "vpc_id" {
  description = "VPC the cache's security group belongs to."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the cache subnet group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1
    error_message = "Give at least one subnet."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups whose members may connect on the Redis port."
  type        = list(string)
  default     = []
}

variable "node_type" {
  description = "Cache node type, e.g. cache.t4g.micro (staging) or cache.r7g.large (production)."
  type        = string
  default     = "cache.t4g.micro"

  validation {
    condition     = can(regex("^cache\\.[a-z0-9]+\\.[a-z0-9]+$", var.node_type))
    error_message = "The node_type must look like cache.<family>.<size>, e.g. cache.t4g.micro."
  }
}

variable "engine_version" {
  description = "Redis OSS version (7.x)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7(\\.[0-9]+)?$", var.engine_version))
    error_message = "This module deploys Redis 7: use \"7.0\", \"7.1\" or \"7\"."
  }
}

variable "replicas" {
  description = "Read replicas besides the primary (0 to 5); 1 or more turns on automatic failover."
  type        = number
  default     = 0

  validation {
    condition     = var.replicas >= 0 && var.replicas <= 5 && floor(var.replicas) == var.replicas
    error_message = "The replicas must be a whole number between 0 and 5."
  }
}

variable "multi_az" {
  description = "Place replicas in other zones and fail over across zones (needs replicas >= 1)."
  type        = bool
  default     = false
}

variable "auth_token" {
  description = "Password clients send with AUTH (16 to 128 printable characters, no @, \" or /); encryption in transit is on."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.auth_token) >= 16 && length(var.auth_token) <= 128 && !can(regex("[@\"/ ]", var.auth_token))
    error_message = "The auth_token must be 16 to 128 characters without @, \", / or spaces."
  }
}

variable "snapshot_retention_days" {
  description = "Days daily snapshots are kept (0 turns snapshots off, at most 35)."
  type        = number
  default     = 1

  validation {
    condition     = var.snapshot_retention_days >= 0 && var.snapshot_retention_days <= 35
    error_message = "The snapshot_retention_days must be between 0 and 35."
  }
}

variable "snapshot_window" {
  description = "Daily snapshot window (UTC), hh24:mi-hh24:mi."
  type        = string
  default     = "02:00-03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.snapshot_window))
    error_message = "The snapshot_window must look like 02:00-03:00 (UTC)."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
