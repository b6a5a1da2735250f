//! `plinth-functions`: Terraform built-in functions.
