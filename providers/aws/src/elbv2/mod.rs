//! Elastic Load Balancing v2: aws_lb, aws_lb_target_group, aws_lb_listener, aws_lb_target_group_attachment (feature `elbv2`).
//!
//! Each resource lives in its own module and implements [`crate::framework::Resource`];
//! this module lists them and holds the ELBv2 helpers (tags by ARN, `arn_suffix`, names).

mod attachment;
mod lb;
mod listener;
mod target_group;

use crate::api::{call, call_retry, ApiError, Op};
use crate::framework::{DataSource, Obj, Resource};
use aws_sdk_elasticloadbalancingv2::types::Tag;
use aws_sdk_elasticloadbalancingv2::Client;
use plinth_sdk::Value;
use std::collections::BTreeMap;
use std::time::Duration;

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(lb::LoadBalancer),
        Box::new(target_group::TargetGroup),
        Box::new(listener::Listener),
        Box::new(attachment::TargetGroupAttachment),
    ]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![]
}

/// Tags in the SDK's shape (none when empty: ELBv2 rejects an empty tag list).
pub(crate) fn sdk_tags(tags: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    if tags.is_empty() {
        return None;
    }
    Some(
        tags.iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect(),
    )
}

/// DescribeTags for one ARN.
pub(crate) async fn read_tags(
    client: &Client,
    what: &'static str,
    arn: &str,
) -> Result<BTreeMap<String, String>, ApiError> {
    let out = call(Op::new("reading", what, "ELBv2", "DescribeTags"), || {
        client.describe_tags().resource_arns(arn).send()
    })
    .await?;
    Ok(out
        .tag_descriptions()
        .iter()
        .filter(|d| d.resource_arn() == Some(arn))
        .flat_map(|d| d.tags())
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect())
}

/// Brings the tags of an ELBv2 object from `old` to `new` (RemoveTags / AddTags).
pub(crate) async fn update_tags(
    client: &Client,
    what: &'static str,
    arn: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let (removed, changed) = crate::framework::tag_changes(old, new);
    if !removed.is_empty() {
        call(Op::new("updating", what, "ELBv2", "RemoveTags"), || {
            client
                .remove_tags()
                .resource_arns(arn)
                .set_tag_keys(Some(removed.clone()))
                .send()
        })
        .await?;
    }
    if let Some(tags) = sdk_tags(&changed) {
        call_retry(
            Op::new("updating", what, "ELBv2", "AddTags"),
            &[
                "LoadBalancerNotFound",
                "TargetGroupNotFound",
                "ListenerNotFound",
            ],
            Duration::from_secs(60),
            || {
                client
                    .add_tags()
                    .resource_arns(arn)
                    .set_tags(Some(tags.clone()))
                    .send()
            },
        )
        .await?;
    }
    Ok(())
}

/// The tags currently in state (`tags_all`), for computing a tag update.
pub(crate) fn state_tags(o: &Obj) -> BTreeMap<String, String> {
    o.get("tags_all")
        .and_then(Value::as_map)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Upstream's `arn_suffix`: the ARN's resource part, without a leading `loadbalancer/`
/// (`app/web/50dc6c495c0c9188`, `targetgroup/web/6d0ecf831eec9f09`).
pub(crate) fn arn_suffix(arn: &str) -> Option<String> {
    let resource = arn.splitn(6, ':').nth(5)?;
    Some(
        resource
            .strip_prefix("loadbalancer/")
            .unwrap_or(resource)
            .to_string(),
    )
}

/// Terraform's generated names: `prefix` + 26 digits (`id.PrefixedUniqueId`).
pub(crate) fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let c = COUNTER.fetch_add(1, Ordering::Relaxed) % 100_000_000;
    format!(
        "{prefix}{:018}{c:08}",
        now.as_millis() * 1000 + (now.subsec_micros() % 1000) as u128
    )
}

/// Upstream's `create.NamePrefixFromName`: the prefix of a generated name, if it is one.
pub(crate) fn name_prefix_from_name(name: &str) -> Option<String> {
    if name.len() < 26 {
        return None;
    }
    let (prefix, suffix) = name.split_at(name.len() - 26);
    suffix
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| prefix.to_string())
}

/// The name to create with: `name`, else `name_prefix` + unique suffix, else the default prefix.
pub(crate) fn name_for_create(planned: &Obj, default_prefix: &str) -> String {
    use crate::framework::get_str;
    match (get_str(planned, "name"), get_str(planned, "name_prefix")) {
        (Some(n), _) if !n.is_empty() => n,
        (_, Some(p)) if !p.is_empty() => unique_name(&p),
        _ => unique_name(default_prefix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_and_prefixes() {
        assert_eq!(
            arn_suffix("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188").as_deref(),
            Some("app/web/50dc6c495c0c9188")
        );
        assert_eq!(
            arn_suffix("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/6d0ecf831eec9f09").as_deref(),
            Some("targetgroup/web/6d0ecf831eec9f09")
        );
        let n = unique_name("tf-lb-");
        assert_eq!(n.len(), 32);
        assert_eq!(name_prefix_from_name(&n).as_deref(), Some("tf-lb-"));
        assert_eq!(name_prefix_from_name("web"), None);
    }
}
