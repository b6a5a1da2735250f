environment = "staging"
domain      = "staging.example.com"
output_dir  = "out/staging"
