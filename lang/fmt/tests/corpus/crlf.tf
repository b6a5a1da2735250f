resource "aws_vpc" "crlf" {
  cidr_block="10.0.0.0/16"
  tags = {
    Name = "crlf"   
  }
}
