terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

# Credentials and endpoints come from the environment (AWS_PROFILE or AWS_ACCESS_KEY_ID/...,
# and AWS_ENDPOINT_URL to point every service at an emulator such as moto).
provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = var.project
      Environment = var.environment
      ManagedBy   = "plinth"
    }
  }
}
