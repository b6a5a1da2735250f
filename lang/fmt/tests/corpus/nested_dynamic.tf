resource "aws_security_group" "web" {
  name = "web"
  vpc_id = aws_vpc.main.id

  dynamic "ingress" {
    for_each = var.ingress_rules
    content {
      from_port = ingress.value.port
      to_port = ingress.value.port
      protocol = "tcp"
      cidr_blocks = ingress.value.cidrs
      dynamic "nested" {
        for_each=ingress.value.extra
        iterator = x
        content {
          value = x.value
        }
      }
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  lifecycle {
    create_before_destroy = true
    ignore_changes = [tags, description]
  }
}
