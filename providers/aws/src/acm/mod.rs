//! ACM: aws_acm_certificate, aws_acm_certificate_validation (feature `acm`).
//!
//! Each resource lives in its own module and implements [`crate::framework::Resource`];
//! this module lists them.

use crate::framework::{DataSource, Resource};

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![]
}
