//! EC2 (feature `ec2`): network resource types and data sources.
//!
//! Each resource lives in its own module and implements [`crate::framework::Resource`];
//! this module lists them and holds EC2 helpers (tags, filters, the not-found codes).

mod ami;
mod data;
mod eip;
mod igw;
mod instance;
mod key_pair;
mod launch_template;
mod nat;
mod route_table;
mod security_group;
mod subnet;
mod vpc;

use crate::framework::{DataSource, Obj, Resource};
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use plinth_sdk::{Attribute, Block, NestedBlock, Nesting, Type, Value};
use std::collections::BTreeMap;

pub(crate) fn resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(vpc::Vpc),
        Box::new(subnet::Subnet),
        Box::new(igw::InternetGateway),
        Box::new(eip::Eip),
        Box::new(nat::NatGateway),
        Box::new(route_table::RouteTable),
        Box::new(route_table::Route),
        Box::new(route_table::RouteTableAssociation),
        Box::new(security_group::SecurityGroup),
        Box::new(security_group::SgRule { ingress: true }),
        Box::new(security_group::SgRule { ingress: false }),
        Box::new(key_pair::KeyPair),
        Box::new(instance::Instance),
        Box::new(launch_template::LaunchTemplate),
    ]
}

pub(crate) fn data_sources() -> Vec<Box<dyn DataSource>> {
    vec![
        Box::new(data::AvailabilityZones),
        Box::new(data::VpcData),
        Box::new(data::Subnets),
        Box::new(ami::Ami),
    ]
}

/// Tags as AWS reports them → a map.
pub(crate) fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

/// `TagSpecifications` for a create call (none when there are no tags: EC2 rejects an
/// empty specification).
pub(crate) fn tag_spec(
    rt: ResourceType,
    tags: &BTreeMap<String, String>,
) -> Option<TagSpecification> {
    if tags.is_empty() {
        return None;
    }
    let mut b = TagSpecification::builder().resource_type(rt);
    for (k, v) in tags {
        b = b.tags(Tag::builder().key(k).value(v).build());
    }
    Some(b.build())
}

/// Brings the tags of an EC2 object from `old` to `new` (CreateTags / DeleteTags).
pub(crate) async fn update_tags(
    client: &aws_sdk_ec2::Client,
    what: &'static str,
    id: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<(), crate::api::ApiError> {
    use crate::api::{call_retry, Op};
    let removed: Vec<Tag> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .map(|k| Tag::builder().key(k).build())
        .collect();
    if !removed.is_empty() {
        let op = Op::new("updating", what, "EC2", "DeleteTags");
        call_retry(
            op,
            NOT_FOUND_CODES,
            std::time::Duration::from_secs(120),
            || {
                client
                    .delete_tags()
                    .resources(id)
                    .set_tags(Some(removed.clone()))
                    .send()
            },
        )
        .await?;
    }
    let changed: Vec<Tag> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    if !changed.is_empty() {
        let op = Op::new("updating", what, "EC2", "CreateTags");
        call_retry(
            op,
            NOT_FOUND_CODES,
            std::time::Duration::from_secs(120),
            || {
                client
                    .create_tags()
                    .resources(id)
                    .set_tags(Some(changed.clone()))
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

/// Eventual-consistency codes EC2 answers right after a create: retried, not reported.
pub(crate) const NOT_FOUND_CODES: &[&str] = &[
    "InvalidVpcID.NotFound",
    "InvalidSubnetID.NotFound",
    "InvalidInternetGatewayID.NotFound",
    "InvalidRouteTableID.NotFound",
    "InvalidGroup.NotFound",
    "InvalidAllocationID.NotFound",
    "NatGatewayNotFound",
    "InvalidNatGatewayID.NotFound",
    "InvalidSecurityGroupRuleId.NotFound",
    "InvalidAssociationID.NotFound",
];

pub(crate) fn filter(name: &str, values: &[String]) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.to_vec()))
        .build()
}

/// The `filter { name values }` block of EC2 data sources.
pub(crate) fn filter_block() -> NestedBlock {
    NestedBlock {
        nesting: Nesting::Set,
        min_items: 0,
        max_items: 0,
        force_new: false,
        block: Block::new()
            .attr("name", Attribute::required(Type::String))
            .attr("values", Attribute::required(Type::set(Type::String))),
    }
}

/// Filters from `filter` blocks and a `tags` map (as `tag:<key>` filters).
pub(crate) fn filters_from(config: &Obj) -> Vec<Filter> {
    let mut out = Vec::new();
    if let Some(fs) = config.get("filter").and_then(Value::as_seq) {
        for f in fs {
            let name = f
                .get_attr("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let values = f
                .get_attr("values")
                .map(crate::framework::strings)
                .unwrap_or_default();
            out.push(filter(&name, &values));
        }
    }
    if let Some(t) = config.get("tags").and_then(Value::as_map) {
        for (k, v) in t {
            if let Some(v) = v.as_str() {
                out.push(filter(&format!("tag:{k}"), &[v.to_string()]));
            }
        }
    }
    out
}
