# The platform's pre-deployment step, for real, with no cloud account: generated secrets,
# a local certificate authority, a TLS certificate for the app and API hosts, and the
# files the services read (.env, keys, certificates), all tracked in local state.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }
    local = {
      source  = "hashicorp/local"
      version = "~> 2.5"
    }
  }
}
