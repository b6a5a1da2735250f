variable "name" {
  description = "Name of the load balancer and prefix of the target group and security groups."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,24}[a-zA-Z0-9]$", var.name))
    error_message = "The name must be 2 to 26 letters, digits or hyphens, not starting or ending with a hyphen (room is left for the target group suffix)."
  }
}

variable "vpc_id" {
  description = "VPC of the load balancer, the target group and the security groups."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets (at least two zones) the load balancer listens in."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "An application load balancer needs subnets in at least two availability zones."
  }
}

variable "domain_name" {
  description = "DNS zone created for the service; the service answers at app.<domain_name> and api.<domain_name>."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "The domain_name must be a lower-case DNS name such as example.com (no trailing dot)."
  }
}

variable "app_port" {
  description = "Port the application containers listen on."
  type        = number
  default     = 8080

  validation {
    condition     = var.app_port >= 1 && var.app_port <= 65535 && floor(var.app_port) == var.app_port
    error_message = "The app_port must be a port number (1 to 65535)."
  }
}

variable "health_check_path" {
  description = "HTTP path the load balancer polls on each target."
  type        = string
  default     = "/healthz"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "The health_check_path must start with /."
  }
}

variable "ingress_cidr_blocks" {
  description = "Client CIDR blocks allowed to reach the load balancer on ports 80 and 443."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for c in var.ingress_cidr_blocks : can(cidrhost(c, 0))])
    error_message = "Every entry of ingress_cidr_blocks must be an IPv4 CIDR block."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "idle_timeout" {
  description = "Seconds an idle connection stays open."
  type        = number
  default     = 60

  validation {
    condition     = var.idle_timeout >= 1 && var.idle_timeout <= 4000
    error_message = "The idle_timeout must be between 1 and 4000 seconds."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancer (turn off before destroying)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
