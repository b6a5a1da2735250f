//! `aws_subnet` (import ID: the subnet ID).

use super::{state_tags, tag_map, tag_spec, update_tags, NOT_FOUND_CODES};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, SubnetState};
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct Subnet;

const WHAT: &str = "EC2 Subnet";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "EC2", operation)
}

/// Boolean attributes set with ModifySubnetAttribute after create, with their defaults.
const BOOL_ATTRS: &[(&str, bool)] = &[
    ("map_public_ip_on_launch", false),
    ("assign_ipv6_address_on_creation", false),
    ("enable_dns64", false),
    ("enable_resource_name_dns_a_record_on_launch", false),
    ("enable_resource_name_dns_aaaa_record_on_launch", false),
];

#[async_trait]
impl Resource for Subnet {
    fn type_name(&self) -> &'static str {
        "aws_subnet"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(10 * 60),
            update: Duration::from_secs(10 * 60),
            delete: Duration::from_secs(20 * 60),
            read: Duration::from_secs(10 * 60),
        })
    }
    fn schema(&self) -> Schema {
        let c = |t| Attribute::computed(t);
        let ob = || Attribute::optional(Type::Bool);
        Schema {
            version: 1,
            block: Block::new()
                .attr("arn", c(Type::String))
                .attr("assign_ipv6_address_on_creation", ob())
                .attr(
                    "availability_zone",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "availability_zone_id",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("cidr_block", Attribute::optional(Type::String).force_new())
                .attr(
                    "customer_owned_ipv4_pool",
                    Attribute::optional(Type::String),
                )
                .attr("enable_dns64", ob())
                .attr(
                    "enable_lni_at_device_index",
                    Attribute::optional_computed(Type::Number),
                )
                .attr("enable_resource_name_dns_a_record_on_launch", ob())
                .attr("enable_resource_name_dns_aaaa_record_on_launch", ob())
                .attr("id", c(Type::String))
                .attr(
                    "ipv6_cidr_block",
                    Attribute::optional_computed(Type::String),
                )
                .attr("ipv6_cidr_block_association_id", c(Type::String))
                .attr("ipv6_native", Attribute::optional(Type::Bool).force_new())
                .attr("map_customer_owned_ip_on_launch", ob())
                .attr("map_public_ip_on_launch", ob())
                .attr("outpost_arn", Attribute::optional(Type::String))
                .attr("owner_id", c(Type::String))
                .attr(
                    "private_dns_hostname_type_on_launch",
                    Attribute::optional_computed(Type::String),
                )
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("vpc_id", Attribute::required(Type::String).force_new()),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        let mut d: Vec<(&'static str, Value)> =
            BOOL_ATTRS.iter().map(|(k, v)| (*k, b(*v))).collect();
        d.push(("ipv6_native", b(false)));
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let tags = tags_to_send(cx.aws, planned);
        let req = ec2
            .create_subnet()
            .set_vpc_id(get_str(planned, "vpc_id"))
            .set_cidr_block(get_str(planned, "cidr_block"))
            .set_ipv6_cidr_block(get_str(planned, "ipv6_cidr_block"))
            .set_availability_zone(get_str(planned, "availability_zone"))
            .set_availability_zone_id(get_str(planned, "availability_zone_id"))
            .set_outpost_arn(get_str(planned, "outpost_arn"))
            .set_ipv6_native(get_bool(planned, "ipv6_native").filter(|x| *x))
            .set_tag_specifications(tag_spec(ResourceType::Subnet, &tags).map(|t| vec![t]));
        let out = call_retry(
            op("creating", "CreateSubnet"),
            &["InvalidVpcID.NotFound"],
            Duration::from_secs(60),
            || req.clone().send(),
        )
        .await?;
        let id = out
            .subnet()
            .and_then(|v| v.subnet_id())
            .map(str::to_string)
            .ok_or_else(|| {
                Diagnostics::from(ApiError::other(
                    op("creating", "CreateSubnet"),
                    "the response has no subnet ID",
                ))
            })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(id.clone()));
        let waited = wait(
            op("creating", "DescribeSubnets"),
            "available",
            cx.timeouts.create,
            Duration::from_secs(2),
            || {
                let (ec2, id) = (ec2.clone(), id.clone());
                async move {
                    Ok(match describe(&ec2, &id, "creating").await? {
                        Some(v) if v.state() == Some(&SubnetState::Available) => Poll::Ready(()),
                        Some(v) => Poll::Pending(
                            v.state()
                                .map(|s| s.as_str().to_string())
                                .unwrap_or_default(),
                        ),
                        None => Poll::Pending("not yet visible".into()),
                    })
                }
            },
        )
        .await;
        if let Err(e) = waited {
            return Err(Failed::partial(partial, e));
        }
        if let Err(e) = set_attributes(&ec2, &id, None, planned).await {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeSubnets"),
                    "the new subnet disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(state)?;
        let Some(v) = describe(&ec2, &id, "reading").await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(id.clone()));
        o.insert(
            "arn".into(),
            match v.subnet_arn() {
                Some(a) => s(a),
                None => s(cx.arn("ec2", &format!("subnet/{id}"))),
            },
        );
        o.insert("vpc_id".into(), opt_s(v.vpc_id()));
        o.insert("cidr_block".into(), opt_s(v.cidr_block()));
        o.insert("availability_zone".into(), opt_s(v.availability_zone()));
        o.insert(
            "availability_zone_id".into(),
            opt_s(v.availability_zone_id()),
        );
        o.insert("owner_id".into(), opt_s(v.owner_id()));
        o.insert("outpost_arn".into(), opt_s(v.outpost_arn()));
        o.insert(
            "customer_owned_ipv4_pool".into(),
            opt_s(v.customer_owned_ipv4_pool()),
        );
        o.insert(
            "map_public_ip_on_launch".into(),
            b(v.map_public_ip_on_launch().unwrap_or(false)),
        );
        o.insert(
            "assign_ipv6_address_on_creation".into(),
            b(v.assign_ipv6_address_on_creation().unwrap_or(false)),
        );
        o.insert("enable_dns64".into(), b(v.enable_dns64().unwrap_or(false)));
        o.insert("ipv6_native".into(), b(v.ipv6_native().unwrap_or(false)));
        if let Some(m) = v.map_customer_owned_ip_on_launch() {
            if get_str(&o, "customer_owned_ipv4_pool").is_some() {
                o.insert("map_customer_owned_ip_on_launch".into(), b(m));
            }
        }
        o.insert(
            "enable_lni_at_device_index".into(),
            n(v.enable_lni_at_device_index().unwrap_or(0) as i64),
        );
        if let Some(p) = v.private_dns_name_options_on_launch() {
            o.insert(
                "private_dns_hostname_type_on_launch".into(),
                opt_s(p.hostname_type().map(|h| h.as_str())),
            );
            o.insert(
                "enable_resource_name_dns_a_record_on_launch".into(),
                b(p.enable_resource_name_dns_a_record().unwrap_or(false)),
            );
            o.insert(
                "enable_resource_name_dns_aaaa_record_on_launch".into(),
                b(p.enable_resource_name_dns_aaaa_record().unwrap_or(false)),
            );
        } else {
            o.insert("private_dns_hostname_type_on_launch".into(), s("ip-name"));
        }
        let v6 = v.ipv6_cidr_block_association_set().iter().find(|a| {
            a.ipv6_cidr_block_state()
                .and_then(|s| s.state())
                .is_some_and(|s| s.as_str() == "associated")
        });
        o.insert(
            "ipv6_cidr_block".into(),
            opt_s(v6.and_then(|a| a.ipv6_cidr_block())),
        );
        o.insert(
            "ipv6_cidr_block_association_id".into(),
            opt_s(v6.and_then(|a| a.association_id())),
        );
        set_tags_from_api(cx.aws, &mut o, tag_map(v.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        set_attributes(&ec2, &id, Some(prior), planned).await?;
        update_tags(
            &ec2,
            WHAT,
            &id,
            &state_tags(prior),
            &tags_to_send(cx.aws, planned),
        )
        .await?;
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeSubnets"),
                "the subnet disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        // Network interfaces of deleted dependents linger for a while: DependencyViolation.
        let r = call_retry(
            op("deleting", "DeleteSubnet"),
            &["DependencyViolation"],
            cx.timeouts.delete,
            || ec2.delete_subnet().subnet_id(&id).send(),
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(&["InvalidSubnetID.NotFound"]) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeSubnets"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(2),
            || {
                let (ec2, id) = (ec2.clone(), id.clone());
                async move {
                    Ok(match describe(&ec2, &id, "deleting").await? {
                        None => Poll::Ready(()),
                        Some(_) => Poll::Pending("still present".into()),
                    })
                }
            },
        )
        .await?;
        Ok(())
    }
}

pub(crate) async fn describe(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_ec2::types::Subnet>, ApiError> {
    match call(op(verb, "DescribeSubnets"), || {
        ec2.describe_subnets().subnet_ids(id).send()
    })
    .await
    {
        Ok(out) => Ok(out
            .subnets()
            .iter()
            .find(|v| v.subnet_id() == Some(id))
            .cloned()),
        Err(e) if e.is(&["InvalidSubnetID.NotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn set_attributes(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    prior: Option<&Obj>,
    planned: &Obj,
) -> Result<(), ApiError> {
    for (attr, default) in BOOL_ATTRS {
        let Some(want) = get_bool(planned, attr) else {
            continue;
        };
        let changed = match prior {
            Some(p) => get_bool(p, attr) != Some(want),
            None => want != *default,
        };
        if !changed {
            continue;
        }
        let v = AttributeBooleanValue::builder().value(want).build();
        let o = op(
            if prior.is_some() {
                "updating"
            } else {
                "creating"
            },
            "ModifySubnetAttribute",
        );
        call_retry(o, NOT_FOUND_CODES, Duration::from_secs(120), || {
            let r = ec2.modify_subnet_attribute().subnet_id(id);
            let r = match *attr {
                "map_public_ip_on_launch" => r.map_public_ip_on_launch(v.clone()),
                "assign_ipv6_address_on_creation" => r.assign_ipv6_address_on_creation(v.clone()),
                "enable_dns64" => r.enable_dns64(v.clone()),
                "enable_resource_name_dns_a_record_on_launch" => {
                    r.enable_resource_name_dns_a_record_on_launch(v.clone())
                }
                _ => r.enable_resource_name_dns_aaaa_record_on_launch(v.clone()),
            };
            r.send()
        })
        .await?;
    }
    Ok(())
}
