variable "project" {
  description = "Project name, the first part of every resource name."
  type        = string
  default     = "recon"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.project))
    error_message = "The project must be 2 to 12 lower-case letters or digits, starting with a letter."
  }
}

variable "environment" {
  description = "Deployment environment: staging or production."
  type        = string

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "The environment must be \"staging\" or \"production\"."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "domain_name" {
  description = "DNS zone of the environment; the app answers at app.<domain_name> and api.<domain_name>."
  type        = string
}

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string
  default     = "10.20.0.0/16"
}

variable "single_nat_gateway" {
  description = "One NAT gateway for both zones (staging) or one per zone (production)."
  type        = bool
  default     = true
}

variable "postgres" {
  description = "PostgreSQL sizing."
  type = object({
    instance_class        = string
    allocated_storage     = number
    multi_az              = bool
    backup_retention_days = number
    deletion_protection   = optional(bool, false)
    skip_final_snapshot   = optional(bool, true)
  })
}

variable "redis" {
  description = "Redis sizing."
  type = object({
    node_type               = string
    replicas                = number
    multi_az                = bool
    snapshot_retention_days = number
  })
}

variable "cluster" {
  description = "EKS sizing."
  type = object({
    kubernetes_version = optional(string, "1.31")
    instance_types     = list(string)
    capacity_type      = optional(string, "ON_DEMAND")
    desired            = number
    min                = number
    max                = number
  })
}

variable "app_port" {
  description = "Port the application containers listen on."
  type        = number
  default     = 8080
}

variable "ingress_cidr_blocks" {
  description = "Client CIDR blocks allowed to reach the load balancer."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "extra_tags" {
  description = "Tags added to every resource besides the provider's default tags."
  type        = map(string)
  default     = {}
}
