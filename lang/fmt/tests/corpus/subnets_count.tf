resource "aws_subnet" "public" {
  count = length(var.public_subnets)
  vpc_id            = aws_vpc.main.id
  cidr_block = var.public_subnets[count.index]
  availability_zone = element(var.azs,count.index)
  map_public_ip_on_launch = true

  tags = merge(var.tags, {
    Name = format("%s-public-%s", var.name, element(var.azs, count.index))
    Tier="public"
  })
}

resource "aws_route_table_association" "public" {
  count          = length(var.public_subnets)
  subnet_id      = aws_subnet.public[ count.index ].id
  route_table_id = aws_route_table.public.id
}
