locals {
  ids = aws_instance.web[*].id
  first = aws_instance.web[0].private_ip
  keyed = aws_instance.by_name["blue"].id
  legacy = aws_subnet.public.0.id
  deep = var.config["a"]["b"][0]
  attr_of_call = element(var.list, 1).name
}
