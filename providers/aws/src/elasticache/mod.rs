//! ElastiCache: aws_elasticache_subnet_group, aws_elasticache_replication_group, aws_elasticache_cluster (feature `elasticache`).
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
