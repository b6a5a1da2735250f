resource "terraform_data" "a" {}
resource "terraform_data" "b" { input = "b" }
resource "terraform_data" "c" {   }
locals { x = 1 }
moved {
  from = terraform_data.old
  to = terraform_data.a
}
removed {
  from = terraform_data.gone
  lifecycle { destroy = false }
}
