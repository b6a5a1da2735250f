locals {
  private_subnets = {
    for idx, az in var.azs : az => {
      cidr = cidrsubnet(var.vpc_cidr, 4, idx+8)
      az   = az
    }
  }
}

resource "aws_subnet" "private" {
  for_each = local.private_subnets
  vpc_id = aws_vpc.main.id
  cidr_block = each.value.cidr
  availability_zone = each.key
  tags = {
    Name="private-${each.key}"
  }
}

output "private_subnet_ids" {
  value = [for s in aws_subnet.private: s.id]
  description="IDs of the private subnets"
}
