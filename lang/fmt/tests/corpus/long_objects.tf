locals {
  services = {
    api = {
      port     = 8080
      replicas = 3
      env = {
        LOG_LEVEL = "info"
        DATABASE_URL = "postgres://db:5432/app"
      }
      health_check = { path = "/healthz", interval = 10, timeout = 5 }
    }
    worker = {
      port = 0
      replicas = 2
      env = {}
    }
  }
  ports = [
    80,
    443,
    8080
  ]
  matrix = [[1,2],[3,4],
    [5,6]]
}
