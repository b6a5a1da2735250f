resource "aws_instance" "legacy" {
  ami = "${var.ami}"
  instance_type = "${var.type}"
  subnet_id = "${element(aws_subnet.public.*.id, 0)}"
  user_data = "${file("${path.module}/init.sh")}"
  name = "${var.a}${var.b}"
  mixed = "prefix-${var.x}"
  tags = {
    Name = "${var.name}"
  }
  list = ["${var.a}", "${var.b}"]
  multi = "${
    var.enabled
    ? "yes"
    : "no"
  }"
}
