# Versioned S3 bucket for the application's assets (uploads, generated reports).

resource "random_id" "assets" {
  byte_length = 4
}

resource "aws_s3_bucket" "assets" {
  # Bucket names are global: a random suffix keeps them unique.
  bucket        = "${local.name}-assets-${random_id.assets.hex}"
  force_destroy = var.environment != "production"

  tags = local.tags
}

resource "aws_s3_bucket_versioning" "assets" {
  bucket = aws_s3_bucket.assets.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "assets" {
  bucket = aws_s3_bucket.assets.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "assets" {
  bucket = aws_s3_bucket.assets.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
