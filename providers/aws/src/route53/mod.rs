//! Route 53: aws_route53_zone, aws_route53_record (feature `route53`).
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
