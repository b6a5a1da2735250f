//! IAM: aws_iam_role, aws_iam_role_policy_attachment; data aws_iam_policy_document (feature `iam`).
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
