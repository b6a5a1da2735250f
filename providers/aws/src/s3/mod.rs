//! S3: aws_s3_bucket, aws_s3_bucket_versioning, aws_s3_bucket_public_access_block,
//! aws_s3_bucket_server_side_encryption_configuration (feature `s3`).
//!
//! Each resource lives in its own module and implements [`crate::framework::Resource`];
//! this module lists them. The client honours `s3_use_path_style` (config.rs).

mod bucket;
mod encryption;
mod public_access_block;
mod versioning;

use crate::framework::{DataSource, Resource};

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(bucket::Bucket),
        Box::new(versioning::BucketVersioning),
        Box::new(public_access_block::PublicAccessBlock),
        Box::new(encryption::BucketEncryption),
    ]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![]
}

/// Codes S3 answers for a bucket that does not exist (HeadBucket has no body: `NotFound`).
pub(crate) const NO_BUCKET: &[&str] = &["NoSuchBucket", "NotFound"];
