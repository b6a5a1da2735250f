variable "environment" {
  type        = string
  description = "Environment name: goes into the CA's name, the .env file and the secrets' keepers."
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.environment))
    error_message = "The environment must be 2-21 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "domain" {
  type        = string
  description = "Base domain: the certificate covers app.DOMAIN and api.DOMAIN."
  default     = "example.com"
}

variable "output_dir" {
  type        = string
  description = "Directory (relative to this configuration) where the files are written."
  default     = "out"
}

variable "certificate_validity_hours" {
  type        = number
  description = "How long the service certificate is valid."
  default     = 2160 # 90 days
}
