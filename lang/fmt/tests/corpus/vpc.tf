# Core network for the platform
resource "aws_vpc" "main" {
  cidr_block = var.vpc_cidr
    enable_dns_hostnames = true
  enable_dns_support=true
  tags = {
    Name = "${var.name}-vpc"
      Environment = var.environment
  }
}

resource aws_internet_gateway gw {
vpc_id = aws_vpc.main.id
  tags = { Name = "${var.name}-igw" }
}
