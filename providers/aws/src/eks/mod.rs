//! EKS: aws_eks_cluster, aws_eks_node_group (feature `eks`).
//!
//! Each resource lives in its own module and implements [`crate::framework::Resource`];
//! this module lists them and holds EKS helpers (tags by ARN, update waiter).

mod cluster;
mod node_group;

use crate::api::{call, wait, ApiError, ErrorKind, Op, Poll};
use crate::framework::{DataSource, Resource};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![Box::new(cluster::Cluster), Box::new(node_group::NodeGroup)]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![]
}

pub(crate) const NOT_FOUND: &[&str] = &["ResourceNotFoundException"];

pub(crate) fn tag_map(t: Option<&HashMap<String, String>>) -> BTreeMap<String, String> {
    t.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

/// TagResource / UntagResource on an EKS ARN, from `old` to `new`.
pub(crate) async fn update_tags(
    eks: &aws_sdk_eks::Client,
    what: &'static str,
    arn: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let (removed, changed) = crate::framework::tag_changes(old, new);
    if !removed.is_empty() {
        call(Op::new("updating", what, "EKS", "UntagResource"), || {
            eks.untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(removed.clone()))
                .send()
        })
        .await?;
    }
    let changed: HashMap<String, String> = changed.into_iter().collect();
    if !changed.is_empty() {
        call(Op::new("updating", what, "EKS", "TagResource"), || {
            eks.tag_resource()
                .resource_arn(arn)
                .set_tags(Some(changed.clone()))
                .send()
        })
        .await?;
    }
    Ok(())
}

/// Waits for an EKS update (UpdateClusterConfig, UpdateNodegroupConfig, …) to succeed.
/// `call` is the update operation; an answer without an update (moto's UpdateClusterConfig
/// answers `{}`) means the endpoint does not implement it.
pub(crate) async fn wait_update(
    eks: &aws_sdk_eks::Client,
    call_op: Op,
    cluster: &str,
    nodegroup: Option<&str>,
    update: Option<&aws_sdk_eks::types::Update>,
    timeout: Duration,
) -> Result<(), ApiError> {
    let Some(id) = update.and_then(|u| u.id()) else {
        return Err(ApiError {
            op: call_op,
            kind: ErrorKind::NotImplemented,
            code: None,
            message: Some(
                "the response carries no update to follow, so the change cannot be confirmed"
                    .into(),
            ),
            status: Some(200),
            request_id: None,
        });
    };
    // Already done (the answer says so): nothing to poll.
    if update
        .and_then(|u| u.status())
        .is_some_and(|s| s.as_str() == "Successful")
    {
        return Ok(());
    }
    let op = Op::new("updating", call_op.what, "EKS", "DescribeUpdate");
    wait(op, "Successful", timeout, Duration::from_secs(5), || {
        let eks = eks.clone();
        async move {
            let out = call(op, || {
                eks.describe_update()
                    .name(cluster)
                    .set_nodegroup_name(nodegroup.map(str::to_string))
                    .update_id(id)
                    .send()
            })
            .await?;
            let u = out.update();
            let status = u
                .and_then(|u| u.status())
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            Ok(match status.as_str() {
                "Successful" => Poll::Ready(()),
                "Failed" | "Cancelled" => {
                    let why: Vec<String> = u
                        .map(|u| {
                            u.errors()
                                .iter()
                                .filter_map(|e| e.error_message().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    Poll::Failed(format!("{status}: {}", why.join("; ")))
                }
                s => Poll::Pending(s.to_string()),
            })
        }
    })
    .await
}

/// `YYYY-MM-DDThh:mm:ssZ` (Go's `time.RFC3339` for a UTC time).
pub(crate) fn rfc3339(t: &aws_smithy_types::DateTime) -> String {
    aws_smithy_types::DateTime::from_secs(t.secs())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

/// The tags currently in state (`tags_all`).
pub(crate) fn state_tags(o: &crate::framework::Obj) -> BTreeMap<String, String> {
    crate::framework::get(o, "tags_all")
        .as_map()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}
