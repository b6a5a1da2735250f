variable "name" {
  type = "string"
}

variable "zones" {
  type = "list"
  default = []
}

variable "tags" {
  type = "map"
}

variable "anything" {
  type = list
}

variable "amap" {
  type = map
}

variable "aset" {
  type = set
}

variable "modern" {
  type = list(object({ name = string, port = optional(number, 80) }))
}

module "m" {
  source = "./m"
  type   = "string"
}
