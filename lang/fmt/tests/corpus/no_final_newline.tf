variable "no_newline" {
  default = "x"
    type=string
}