//! ElastiCache: aws_elasticache_subnet_group, aws_elasticache_replication_group,
//! aws_elasticache_cluster (feature `elasticache`).
//!
//! Each resource lives in its own module and implements [`crate::framework::Resource`];
//! this module lists them and holds the tagging helpers (tags live on the ARN).

mod cluster;
mod replication_group;
mod subnet_group;

use crate::api::{call, ApiError, ErrorKind, Op};
use crate::framework::{DataSource, Resource};
use aws_sdk_elasticache::types::Tag;
use std::collections::BTreeMap;

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(subnet_group::SubnetGroup),
        Box::new(replication_group::ReplicationGroup),
        Box::new(cluster::Cluster),
    ]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![]
}

pub(crate) fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

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

/// ListTagsForResource on an ARN. An endpoint that cannot list tags for this kind of ARN
/// (moto for subnet groups in some versions) yields no tags rather than failing the read.
pub(crate) async fn list_tags(
    ec: &aws_sdk_elasticache::Client,
    what: &'static str,
    arn: &str,
) -> Result<BTreeMap<String, String>, ApiError> {
    match call(
        Op::new("reading", what, "ElastiCache", "ListTagsForResource"),
        || ec.list_tags_for_resource().resource_name(arn).send(),
    )
    .await
    {
        Ok(out) => Ok(tag_map(out.tag_list())),
        Err(e) if e.kind == ErrorKind::NotImplemented => Ok(BTreeMap::new()),
        Err(e) => Err(e),
    }
}

pub(crate) async fn update_tags(
    ec: &aws_sdk_elasticache::Client,
    what: &'static str,
    arn: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let (removed, changed) = crate::framework::tag_changes(old, new);
    if !removed.is_empty() {
        call(
            Op::new("updating", what, "ElastiCache", "RemoveTagsFromResource"),
            || {
                ec.remove_tags_from_resource()
                    .resource_name(arn)
                    .set_tag_keys(Some(removed.clone()))
                    .send()
            },
        )
        .await?;
    }
    if !changed.is_empty() {
        call(
            Op::new("updating", what, "ElastiCache", "AddTagsToResource"),
            || {
                ec.add_tags_to_resource()
                    .resource_name(arn)
                    .set_tags(to_tags(&changed))
                    .send()
            },
        )
        .await?;
    }
    Ok(())
}
