run "plan_creates_bucket" {
  command = plan
  variables {
    name = "test"
    count=2
  }
  assert {
    condition = aws_s3_bucket.b.bucket == "test"
    error_message = "Bucket name mismatch"
  }
}
