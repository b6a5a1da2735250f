//! Secrets Manager: aws_secretsmanager_secret, aws_secretsmanager_secret_version (feature
//! `secretsmanager`).
//!
//! Each resource lives in its own module and implements [`crate::framework::Resource`];
//! this module lists them.

mod secret;
mod version;

use crate::framework::{DataSource, Resource};

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![Box::new(secret::Secret), Box::new(version::SecretVersion)]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![]
}

/// Secrets Manager's not-found code.
pub(crate) const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];
