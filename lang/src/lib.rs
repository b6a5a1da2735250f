//! `plinth-lang`: load and evaluate Terraform configurations.
