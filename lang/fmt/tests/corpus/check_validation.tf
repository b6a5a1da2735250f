variable "environment" {
  type = string
  validation {
    condition = contains(["dev","staging","prod"], var.environment)
    error_message = "Environment must be dev, staging or prod."
  }
}

check "health" {
  data "http" "api" {
    url = "https://${var.domain}/health"
  }
  assert {
    condition = data.http.api.status_code==200
    error_message = "API unhealthy"
  }
}

import {
  to = aws_s3_bucket.logs
  id = "logs-bucket"
}
