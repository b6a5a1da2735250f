locals {
  instance_type = var.environment=="prod"?"m5.large":"t3.micro"
  count = var.enabled ? 1 : 0
  nested = var.a ? (var.b ? "ab" : "a") : "none"
  negative = - 1
  subtract = var.a -1
  neg_after_op = var.x * -var.y
  bools = !var.disabled && var.ready || false
  compare = var.n>=10 && var.n<= 20
}
