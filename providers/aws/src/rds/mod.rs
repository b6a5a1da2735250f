//! RDS: aws_db_subnet_group, aws_db_parameter_group, aws_db_instance (feature `rds`).
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
