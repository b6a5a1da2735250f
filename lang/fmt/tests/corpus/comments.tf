# Hash comment at the top
// Slash comment
/* Block
   comment spanning lines */

variable "region" { # trailing on block
  type = string // the region
  default = "eu-west-1" # default region
  description = "Where to deploy" /* inline block */
}

/* a block comment before a resource */
resource "aws_s3_bucket" "logs" {
  bucket = "logs" # name
  force_destroy = true   # careful!
  # a full-line comment inside a block
  acl = "private"
}
