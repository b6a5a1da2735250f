//! Elastic Load Balancing v2: aws_lb, aws_lb_target_group, aws_lb_listener, aws_lb_target_group_attachment (feature `elbv2`).
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
