//! RDS: aws_db_subnet_group, aws_db_parameter_group, aws_db_instance (feature `rds`).
//!
//! Each resource lives in its own module and implements [`crate::framework::Resource`];
//! this module lists them and holds the RDS tagging helpers (tags live on the ARN).

mod instance;
mod parameter_group;
mod subnet_group;

use crate::api::{call, ApiError, Op};
use crate::framework::{DataSource, Resource};
use aws_sdk_rds::types::Tag;
use std::collections::BTreeMap;

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(subnet_group::DbSubnetGroup),
        Box::new(parameter_group::DbParameterGroup),
        Box::new(instance::DbInstance),
    ]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![]
}

/// Tags as RDS reports them → a map.
pub(crate) fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

/// Tags to send at creation (`None` when empty).
pub(crate) fn to_tags(tags: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    if tags.is_empty() {
        return None;
    }
    Some(
        tags.iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect(),
    )
}

/// ListTagsForResource on an ARN.
pub(crate) async fn list_tags(
    rds: &aws_sdk_rds::Client,
    what: &'static str,
    arn: &str,
) -> Result<BTreeMap<String, String>, ApiError> {
    let out = call(
        Op::new("reading", what, "RDS", "ListTagsForResource"),
        || rds.list_tags_for_resource().resource_name(arn).send(),
    )
    .await?;
    Ok(tag_map(out.tag_list()))
}

/// Brings the tags of an RDS object from `old` to `new` (RemoveTagsFromResource /
/// AddTagsToResource).
pub(crate) async fn update_tags(
    rds: &aws_sdk_rds::Client,
    what: &'static str,
    arn: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let (removed, changed) = crate::framework::tag_changes(old, new);
    if !removed.is_empty() {
        call(
            Op::new("updating", what, "RDS", "RemoveTagsFromResource"),
            || {
                rds.remove_tags_from_resource()
                    .resource_name(arn)
                    .set_tag_keys(Some(removed.clone()))
                    .send()
            },
        )
        .await?;
    }
    if !changed.is_empty() {
        call(
            Op::new("updating", what, "RDS", "AddTagsToResource"),
            || {
                rds.add_tags_to_resource()
                    .resource_name(arn)
                    .set_tags(to_tags(&changed))
                    .send()
            },
        )
        .await?;
    }
    Ok(())
}
