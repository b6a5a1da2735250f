//! Data sources: `aws_availability_zones`, `aws_vpc`, `aws_subnets`.

use super::{filter, filter_block, filters_from, tag_map};
use crate::api::{call, Op};
use crate::framework::*;
use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::collections::BTreeMap;

pub(crate) struct AvailabilityZones;

#[async_trait]
impl DataSource for AvailabilityZones {
    fn type_name(&self) -> &'static str {
        "aws_availability_zones"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("all_availability_zones", Attribute::optional(Type::Bool))
                .attr(
                    "exclude_names",
                    Attribute::optional(Type::set(Type::String)),
                )
                .attr(
                    "exclude_zone_ids",
                    Attribute::optional(Type::set(Type::String)),
                )
                .attr("group_names", Attribute::computed(Type::set(Type::String)))
                .attr("id", Attribute::computed(Type::String))
                .attr("names", Attribute::computed(Type::list(Type::String)))
                .attr("state", Attribute::optional(Type::String))
                .attr("zone_ids", Attribute::computed(Type::list(Type::String)))
                .block("filter", filter_block())
                .block(
                    "timeouts",
                    NestedBlock {
                        nesting: Nesting::Single,
                        min_items: 0,
                        max_items: 1,
                        force_new: false,
                        block: Block::new().attr("read", Attribute::optional(Type::String)),
                    },
                ),
        }
    }
    async fn read(&self, cx: &Ctx<'_>, config: &Obj) -> Result<Obj, Diagnostics> {
        let ec2 = cx.ec2();
        let mut filters = filters_from(config);
        if let Some(st) = get_str(config, "state") {
            filters.push(filter("state", &[st]));
        }
        let all = get_bool(config, "all_availability_zones");
        let op = Op::new(
            "reading",
            "EC2 Availability Zones",
            "EC2",
            "DescribeAvailabilityZones",
        );
        let out = call(op, || {
            ec2.describe_availability_zones()
                .set_all_availability_zones(all)
                .set_filters((!filters.is_empty()).then(|| filters.clone()))
                .send()
        })
        .await?;
        let (ex_names, ex_ids) = (
            get_strings(config, "exclude_names"),
            get_strings(config, "exclude_zone_ids"),
        );
        let mut zones: Vec<_> = out
            .availability_zones()
            .iter()
            .filter(|z| {
                !z.zone_name()
                    .is_some_and(|n| ex_names.iter().any(|x| x == n))
            })
            .filter(|z| !z.zone_id().is_some_and(|n| ex_ids.iter().any(|x| x == n)))
            .collect();
        zones.sort_by(|a, b| a.zone_name().cmp(&b.zone_name()));
        let mut o = config.clone();
        o.insert("id".into(), s(cx.region.clone()));
        o.insert(
            "names".into(),
            str_list(
                zones
                    .iter()
                    .filter_map(|z| z.zone_name().map(str::to_string))
                    .collect(),
            ),
        );
        o.insert(
            "zone_ids".into(),
            str_list(
                zones
                    .iter()
                    .filter_map(|z| z.zone_id().map(str::to_string))
                    .collect(),
            ),
        );
        o.insert(
            "group_names".into(),
            str_set(
                zones
                    .iter()
                    .filter_map(|z| z.group_name().map(str::to_string))
                    .collect(),
            ),
        );
        Ok(o)
    }
}

pub(crate) struct VpcData;

#[async_trait]
impl DataSource for VpcData {
    fn type_name(&self) -> &'static str {
        "aws_vpc"
    }
    fn schema(&self) -> Schema {
        let c = |t| Attribute::computed(t);
        let oc = |t| Attribute::optional_computed(t);
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", c(Type::String))
                .attr("cidr_block", oc(Type::String))
                .attr(
                    "cidr_block_associations",
                    c(Type::list(Type::object([
                        ("association_id", Type::String),
                        ("cidr_block", Type::String),
                        ("state", Type::String),
                    ]))),
                )
                .attr("default", oc(Type::Bool))
                .attr("dhcp_options_id", oc(Type::String))
                .attr("enable_dns_hostnames", c(Type::Bool))
                .attr("enable_dns_support", c(Type::Bool))
                .attr("enable_network_address_usage_metrics", c(Type::Bool))
                .attr("id", oc(Type::String))
                .attr("instance_tenancy", c(Type::String))
                .attr("ipv6_association_id", c(Type::String))
                .attr("ipv6_cidr_block", c(Type::String))
                .attr("main_route_table_id", c(Type::String))
                .attr("owner_id", c(Type::String))
                .attr("state", oc(Type::String))
                .attr("tags", oc(Type::map(Type::String)))
                .block("filter", filter_block()),
        }
    }
    async fn read(&self, cx: &Ctx<'_>, config: &Obj) -> Result<Obj, Diagnostics> {
        let ec2 = cx.ec2();
        let mut filters = filters_from(config);
        for (attr, name) in [
            ("cidr_block", "cidr"),
            ("dhcp_options_id", "dhcp-options-id"),
            ("state", "state"),
        ] {
            if let Some(v) = get_str(config, attr) {
                filters.push(filter(name, &[v]));
            }
        }
        if let Some(d) = get_bool(config, "default") {
            filters.push(filter("is-default", &[d.to_string()]));
        }
        let ids: Vec<String> = get_str(config, "id").into_iter().collect();
        let op = Op::new("reading", "EC2 VPC", "EC2", "DescribeVpcs");
        let out = call(op, || {
            ec2.describe_vpcs()
                .set_vpc_ids((!ids.is_empty()).then(|| ids.clone()))
                .set_filters((!filters.is_empty()).then(|| filters.clone()))
                .send()
        })
        .await?;
        let vpcs = out.vpcs();
        if vpcs.len() != 1 {
            return Err(Diagnostic::error(if vpcs.is_empty() {
                "no matching EC2 VPC found"
            } else {
                "multiple EC2 VPCs matched"
            })
            .with_detail(format!(
                "The aws_vpc data source needs exactly one VPC; the search criteria matched {}.",
                vpcs.len()
            ))
            .with_help("narrow or fix the search criteria (id, cidr_block, tags, filter)")
            .into());
        }
        let v = &vpcs[0];
        let id = v.vpc_id().unwrap_or("").to_string();
        // The resource's read fills the rest (attributes, main route table, tags).
        let mut st = Obj::new();
        st.insert("id".into(), s(id.clone()));
        st.insert("tags".into(), Value::Map(Type::String, BTreeMap::new()));
        let r = super::vpc::Vpc;
        let full = Resource::read(&r, cx, &st).await?.unwrap_or_default();
        let mut o = config.clone();
        for k in [
            "arn",
            "cidr_block",
            "dhcp_options_id",
            "enable_dns_hostnames",
            "enable_dns_support",
            "enable_network_address_usage_metrics",
            "id",
            "instance_tenancy",
            "ipv6_association_id",
            "ipv6_cidr_block",
            "main_route_table_id",
            "owner_id",
        ] {
            o.insert(
                k.into(),
                full.get(k).cloned().unwrap_or(Value::Null(Type::String)),
            );
        }
        o.insert("default".into(), b(v.is_default().unwrap_or(false)));
        o.insert("state".into(), opt_s(v.state().map(|s| s.as_str())));
        o.insert(
            "tags".into(),
            Value::Map(
                Type::String,
                tag_map(v.tags())
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            ),
        );
        let assoc: Vec<Value> = v
            .cidr_block_association_set()
            .iter()
            .map(|a| {
                Value::object([
                    ("association_id", opt_s(a.association_id())),
                    ("cidr_block", opt_s(a.cidr_block())),
                    (
                        "state",
                        opt_s(
                            a.cidr_block_state()
                                .and_then(|s| s.state())
                                .map(|s| s.as_str()),
                        ),
                    ),
                ])
            })
            .collect();
        o.insert(
            "cidr_block_associations".into(),
            Value::List(
                Type::object([
                    ("association_id", Type::String),
                    ("cidr_block", Type::String),
                    ("state", Type::String),
                ]),
                assoc,
            ),
        );
        Ok(o)
    }
}

pub(crate) struct Subnets;

#[async_trait]
impl DataSource for Subnets {
    fn type_name(&self) -> &'static str {
        "aws_subnets"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("ids", Attribute::computed(Type::list(Type::String)))
                .attr(
                    "tags",
                    Attribute::optional_computed(Type::map(Type::String)),
                )
                .block("filter", filter_block()),
        }
    }
    async fn read(&self, cx: &Ctx<'_>, config: &Obj) -> Result<Obj, Diagnostics> {
        let ec2 = cx.ec2();
        let filters = filters_from(config);
        let op = Op::new("reading", "EC2 Subnets", "EC2", "DescribeSubnets");
        let mut ids = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = call(op, || {
                ec2.describe_subnets()
                    .set_filters((!filters.is_empty()).then(|| filters.clone()))
                    .set_next_token(token.clone())
                    .send()
            })
            .await?;
            ids.extend(
                out.subnets()
                    .iter()
                    .filter_map(|s| s.subnet_id().map(str::to_string)),
            );
            token = out
                .next_token()
                .map(str::to_string)
                .filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
        let mut o = config.clone();
        o.insert("id".into(), s(cx.region.clone()));
        o.insert("ids".into(), str_list(ids));
        Ok(o)
    }
}
