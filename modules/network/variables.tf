variable "name" {
  description = "Name prefix of every resource (the Name tag); letters, digits and hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "The name must be 3 to 32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "cidr_block" {
  description = "IPv4 CIDR block of the VPC, a /16 to /20; subnets are carved out of it."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && can(regex("/(1[6-9]|20)$", var.cidr_block))
    error_message = "The cidr_block must be a valid IPv4 CIDR block with a prefix length between /16 and /20."
  }
}

variable "availability_zones" {
  description = "Exactly two availability zones to spread the subnets over; null picks the region's first two available ones."
  type        = list(string)
  default     = null

  validation {
    condition     = try(length(var.availability_zones), 2) == 2
    error_message = "Give exactly two availability zones (or leave availability_zones unset)."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each subnet (4 turns a /16 into /20 subnets)."
  type        = number
  default     = 4

  validation {
    condition     = var.subnet_newbits >= 2 && var.subnet_newbits <= 8 && floor(var.subnet_newbits) == var.subnet_newbits
    error_message = "The subnet_newbits must be a whole number between 2 and 8."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway shared by both zones (cheaper) instead of one per zone (survives a zone outage)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
