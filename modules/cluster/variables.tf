variable "name" {
  description = "Name of the EKS cluster and prefix of its IAM roles and node group."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,37}$", var.name))
    error_message = "The name must start with a letter and contain 1 to 38 letters, digits or hyphens (room is left for the role name suffixes)."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane, e.g. 1.31."
  type        = string
  default     = "1.31"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "The kubernetes_version must look like 1.31."
  }
}

variable "subnet_ids" {
  description = "Subnets (private, in at least two zones) for the control plane's interfaces and the nodes."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "EKS needs subnets in at least two availability zones."
  }
}

variable "security_group_ids" {
  description = "Extra security groups attached to the control plane's network interfaces."
  type        = list(string)
  default     = []
}

variable "endpoint_public_access" {
  description = "Whether the Kubernetes API endpoint is reachable from the internet."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDR blocks allowed to reach the public API endpoint."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "Every entry of public_access_cidrs must be an IPv4 CIDR block."
  }
}

variable "instance_types" {
  description = "EC2 instance types of the managed node group."
  type        = list(string)
  default     = ["t3.medium"]

  validation {
    condition     = length(var.instance_types) >= 1
    error_message = "Give at least one instance type."
  }
}

variable "capacity_type" {
  description = "ON_DEMAND or SPOT."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.capacity_type)
    error_message = "The capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "node_count" {
  description = "Node counts of the managed node group: desired, min and max."
  type = object({
    desired = number
    min     = number
    max     = number
  })
  default = { desired = 2, min = 1, max = 3 }

  validation {
    condition     = var.node_count.min >= 0 && var.node_count.min <= var.node_count.desired && var.node_count.desired <= var.node_count.max && var.node_count.max >= 1
    error_message = "The node_count must satisfy 0 <= min <= desired <= max and max >= 1."
  }
}

variable "disk_size" {
  description = "Root volume size of each node, GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.disk_size >= 20
    error_message = "The disk_size must be at least 20 GiB."
  }
}

variable "node_labels" {
  description = "Kubernetes labels put on the nodes."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
