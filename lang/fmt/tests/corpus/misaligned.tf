resource "aws_instance" "web" {
ami = "ami-123456"
        instance_type = "t3.micro"
  key_name    =     "deployer"
      subnet_id = aws_subnet.public[0].id
  vpc_security_group_ids = [aws_security_group.web.id]

  associate_public_ip_address = true
  monitoring = true
  root_block_device {
        volume_size = 20
    volume_type="gp3"
  }
}
