resource "aws_iam_policy" "read" {
  name   = "read-only"
  policy = <<EOT
{
  "Version": "2012-10-17",
    "Statement": [
      {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "${aws_s3_bucket.data.arn}/*"}
    ]
}
EOT
  description = "Read objects"
}

locals {
  script = <<-SCRIPT
    #!/bin/bash
    echo "hello ${ var.name }"   
    %{ for p in var.packages ~}
    apt-get install -y ${p}
    %{ endfor ~}
  SCRIPT
  short = "x"
}
