locals {
  merged = merge(
    var.defaults,
    var.overrides,
    { extra = true },
  )
  joined = join(",", [for s in var.subnets : s.id])
  encoded = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = ["s3:*"]
      Resource = "*"
    }]
  })
  cidrs = cidrsubnets("10.0.0.0/16", 4,4, 8, 8)
  lookup_val = lookup(var.map, "key", null)
  try_val = try(var.obj.a.b, "default")
  templated = templatefile("${path.module}/tpl.sh", { name = var.name, ports = [80, 443] })
}
