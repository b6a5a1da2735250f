//! `aws_vpc` (import ID: the VPC ID).

use super::{state_tags, tag_map, tag_spec, update_tags, NOT_FOUND_CODES};
use crate::api::{call, call_retry, wait, ApiError, ErrorKind, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, ResourceType, Tenancy, VpcAttributeName, VpcState,
};
use plinth_sdk::{AttrPath, Attribute, Block, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct Vpc;

const WHAT: &str = "EC2 VPC";
const CREATE_WAIT: Duration = Duration::from_secs(10 * 60);

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "EC2", operation)
}

#[async_trait]
impl Resource for Vpc {
    fn type_name(&self) -> &'static str {
        "aws_vpc"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn schema(&self) -> Schema {
        let c = |t| Attribute::computed(t);
        Schema {
            version: 1,
            block: Block::new()
                .attr("arn", c(Type::String))
                .attr(
                    "assign_generated_ipv6_cidr_block",
                    Attribute::optional(Type::Bool),
                )
                .attr(
                    "cidr_block",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("default_network_acl_id", c(Type::String))
                .attr("default_route_table_id", c(Type::String))
                .attr("default_security_group_id", c(Type::String))
                .attr("dhcp_options_id", c(Type::String))
                .attr(
                    "enable_dns_hostnames",
                    Attribute::optional_computed(Type::Bool),
                )
                .attr("enable_dns_support", Attribute::optional(Type::Bool))
                .attr(
                    "enable_network_address_usage_metrics",
                    Attribute::optional_computed(Type::Bool),
                )
                .attr("id", c(Type::String))
                .attr("instance_tenancy", Attribute::optional(Type::String))
                .attr(
                    "ipv4_ipam_pool_id",
                    Attribute::optional(Type::String).force_new(),
                )
                .attr(
                    "ipv4_netmask_length",
                    Attribute::optional(Type::Number).force_new(),
                )
                .attr("ipv6_association_id", c(Type::String))
                .attr(
                    "ipv6_cidr_block",
                    Attribute::optional_computed(Type::String),
                )
                .attr(
                    "ipv6_cidr_block_network_border_group",
                    Attribute::optional_computed(Type::String),
                )
                .attr("ipv6_ipam_pool_id", Attribute::optional(Type::String))
                .attr("ipv6_netmask_length", Attribute::optional(Type::Number))
                .attr("main_route_table_id", c(Type::String))
                .attr("owner_id", c(Type::String))
                .attr("tags", Attribute::optional(Type::map(Type::String))),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("enable_dns_support", b(true)),
            ("instance_tenancy", s("default")),
            ("assign_generated_ipv6_cidr_block", b(false)),
        ]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(t) = cfg(config, "instance_tenancy").and_then(Value::as_str) {
            if !["default", "dedicated"].contains(&t) {
                d.push(attr_error(
                    "instance_tenancy",
                    "unsupported tenancy",
                    format!("{t:?} is not a VPC tenancy: expected \"default\" or \"dedicated\"."),
                    "use \"default\" or \"dedicated\"",
                ));
            }
        }
        let has_cidr = config.get_attr("cidr_block").is_some_and(|v| !v.is_null());
        let has_pool = config
            .get_attr("ipv4_ipam_pool_id")
            .is_some_and(|v| !v.is_null());
        if config.is_wholly_known() && !has_cidr && !has_pool {
            d.push(attr_error(
                "cidr_block",
                "missing CIDR block",
                "A VPC needs `cidr_block` (or `ipv4_ipam_pool_id`).",
                "add e.g. `cidr_block = \"10.0.0.0/16\"`",
            ));
        }
        d
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, _rr: &mut Vec<AttrPath>) {
        // The IPv6 block is replaced in place when the request for one changes.
        if !same(
            prior.get("assign_generated_ipv6_cidr_block"),
            planned.get("assign_generated_ipv6_cidr_block"),
        ) {
            planned.insert("ipv6_cidr_block".into(), Value::Unknown(Type::String));
            planned.insert("ipv6_association_id".into(), Value::Unknown(Type::String));
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let tags = tags_to_send(cx.aws, planned);
        let mut req = ec2
            .create_vpc()
            .set_cidr_block(get_str(planned, "cidr_block"))
            .set_ipv4_ipam_pool_id(get_str(planned, "ipv4_ipam_pool_id"))
            .set_ipv4_netmask_length(get_i64(planned, "ipv4_netmask_length").map(|n| n as i32))
            .set_tag_specifications(tag_spec(ResourceType::Vpc, &tags).map(|t| vec![t]));
        if let Some(t) = get_str(planned, "instance_tenancy") {
            req = req.instance_tenancy(Tenancy::from(t.as_str()));
        }
        if get_bool(planned, "assign_generated_ipv6_cidr_block") == Some(true) {
            req = req.amazon_provided_ipv6_cidr_block(true);
        }
        let out = call(op("creating", "CreateVpc"), || req.clone().send()).await?;
        let id = out
            .vpc()
            .and_then(|v| v.vpc_id())
            .map(str::to_string)
            .ok_or_else(|| {
                Diagnostics::from(ApiError::other(
                    op("creating", "CreateVpc"),
                    "the response has no VPC ID",
                ))
            })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(id.clone()));
        // Wait until available (retrying NotFound: the new VPC may not be visible yet).
        let waited = wait(
            op("creating", "DescribeVpcs"),
            "available",
            CREATE_WAIT,
            Duration::from_secs(2),
            || {
                let ec2 = ec2.clone();
                let id = id.clone();
                async move {
                    match describe(&ec2, &id, "creating").await? {
                        Some(v) if v.state() == Some(&VpcState::Available) => Ok(Poll::Ready(())),
                        Some(v) => Ok(Poll::Pending(
                            v.state()
                                .map(|s| s.as_str().to_string())
                                .unwrap_or_default(),
                        )),
                        None => Ok(Poll::Pending("not yet visible".into())),
                    }
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
                ApiError::other(op("creating", "DescribeVpcs"), "the new VPC disappeared"),
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
        o.insert("arn".into(), s(cx.arn("ec2", &format!("vpc/{id}"))));
        o.insert("cidr_block".into(), opt_s(v.cidr_block()));
        o.insert("dhcp_options_id".into(), opt_s(v.dhcp_options_id()));
        o.insert("owner_id".into(), opt_s(v.owner_id()));
        o.insert(
            "instance_tenancy".into(),
            opt_s(v.instance_tenancy().map(|t| t.as_str())),
        );
        let v6 = v.ipv6_cidr_block_association_set().iter().find(|a| {
            a.ipv6_cidr_block_state()
                .and_then(|s| s.state())
                .is_some_and(|s| s.as_str() == "associated")
        });
        o.insert(
            "ipv6_association_id".into(),
            opt_s(v6.and_then(|a| a.association_id())),
        );
        o.insert(
            "ipv6_cidr_block".into(),
            opt_s(v6.and_then(|a| a.ipv6_cidr_block())),
        );
        o.insert(
            "ipv6_cidr_block_network_border_group".into(),
            opt_s(v6.and_then(|a| a.network_border_group())),
        );
        o.insert(
            "assign_generated_ipv6_cidr_block".into(),
            b(v6.is_some() && get_str(state, "ipv6_ipam_pool_id").is_none()),
        );
        for (attr, name) in [
            ("enable_dns_support", VpcAttributeName::EnableDnsSupport),
            ("enable_dns_hostnames", VpcAttributeName::EnableDnsHostnames),
            (
                "enable_network_address_usage_metrics",
                VpcAttributeName::EnableNetworkAddressUsageMetrics,
            ),
        ] {
            match read_attribute(&ec2, &id, name).await {
                Ok(Some(x)) => {
                    o.insert(attr.into(), b(x));
                }
                Ok(None)
                | Err(ApiError {
                    kind: ErrorKind::NotImplemented,
                    ..
                }) => {
                    // The endpoint lacks this attribute: keep what we knew (false by default).
                    if get(&o, attr).is_null() || !get(&o, attr).is_known() {
                        o.insert(attr.into(), b(false));
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        o.insert(
            "main_route_table_id".into(),
            opt_s(main_route_table(&ec2, &id).await?.as_deref()),
        );
        o.insert(
            "default_route_table_id".into(),
            get(&o, "main_route_table_id").clone(),
        );
        o.insert(
            "default_network_acl_id".into(),
            opt_s(default_acl(&ec2, &id).await?.as_deref()),
        );
        o.insert(
            "default_security_group_id".into(),
            opt_s(default_sg(&ec2, &id).await?.as_deref()),
        );
        set_tags_from_api(cx.aws, &mut o, tag_map(v.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        set_attributes(&ec2, &id, Some(prior), planned).await?;
        if !same(
            prior.get("instance_tenancy"),
            planned.get("instance_tenancy"),
        ) {
            if let Some(t) = get_str(planned, "instance_tenancy") {
                let o = op("updating", "ModifyVpcTenancy");
                call(o, || {
                    ec2.modify_vpc_tenancy()
                        .vpc_id(&id)
                        .instance_tenancy(aws_sdk_ec2::types::VpcTenancy::from(t.as_str()))
                        .send()
                })
                .await?;
            }
        }
        if !same(
            prior.get("assign_generated_ipv6_cidr_block"),
            planned.get("assign_generated_ipv6_cidr_block"),
        ) {
            if get_bool(planned, "assign_generated_ipv6_cidr_block") == Some(true) {
                call(op("updating", "AssociateVpcCidrBlock"), || {
                    ec2.associate_vpc_cidr_block()
                        .vpc_id(&id)
                        .amazon_provided_ipv6_cidr_block(true)
                        .send()
                })
                .await?;
            } else if let Some(a) = get_str(prior, "ipv6_association_id") {
                call(op("updating", "DisassociateVpcCidrBlock"), || {
                    ec2.disassociate_vpc_cidr_block().association_id(&a).send()
                })
                .await?;
            }
        }
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
            None => {
                Err(ApiError::other(op("updating", "DescribeVpcs"), "the VPC disappeared").into())
            }
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        // DependencyViolation right after dependents were deleted is eventual consistency.
        let r = call_retry(
            op("deleting", "DeleteVpc"),
            &["DependencyViolation"],
            cx.timeouts.delete.min(Duration::from_secs(5 * 60)),
            || ec2.delete_vpc().vpc_id(&id).send(),
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(&["InvalidVpcID.NotFound"]) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeVpcs"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(2),
            || {
                let ec2 = ec2.clone();
                let id = id.clone();
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

/// DescribeVpcs for one ID: `None` when it does not exist.
pub(crate) async fn describe(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_ec2::types::Vpc>, ApiError> {
    match call(op(verb, "DescribeVpcs"), || {
        ec2.describe_vpcs().vpc_ids(id).send()
    })
    .await
    {
        Ok(out) => Ok(out.vpcs().iter().find(|v| v.vpc_id() == Some(id)).cloned()),
        Err(e) if e.is(&["InvalidVpcID.NotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn read_attribute(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    name: VpcAttributeName,
) -> Result<Option<bool>, ApiError> {
    let out = call_retry(
        op("reading", "DescribeVpcAttribute"),
        NOT_FOUND_CODES,
        Duration::from_secs(60),
        || {
            ec2.describe_vpc_attribute()
                .vpc_id(id)
                .attribute(name.clone())
                .send()
        },
    )
    .await?;
    let v = match name {
        VpcAttributeName::EnableDnsSupport => out.enable_dns_support(),
        VpcAttributeName::EnableDnsHostnames => out.enable_dns_hostnames(),
        VpcAttributeName::EnableNetworkAddressUsageMetrics => {
            out.enable_network_address_usage_metrics()
        }
        _ => None,
    };
    Ok(v.and_then(|x| x.value()))
}

/// ModifyVpcAttribute for each DNS/metrics attribute that changed (or is set, on create).
async fn set_attributes(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    prior: Option<&Obj>,
    planned: &Obj,
) -> Result<(), ApiError> {
    for attr in [
        "enable_dns_support",
        "enable_dns_hostnames",
        "enable_network_address_usage_metrics",
    ] {
        let Some(want) = get_bool(planned, attr) else {
            continue;
        };
        let changed = match prior {
            Some(p) => get_bool(p, attr) != Some(want),
            // On create, only non-default values need a call.
            None => want != (attr == "enable_dns_support"),
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
            "ModifyVpcAttribute",
        );
        call_retry(o, NOT_FOUND_CODES, Duration::from_secs(120), || {
            let r = ec2.modify_vpc_attribute().vpc_id(id);
            let r = match attr {
                "enable_dns_support" => r.enable_dns_support(v.clone()),
                "enable_dns_hostnames" => r.enable_dns_hostnames(v.clone()),
                _ => r.enable_network_address_usage_metrics(v.clone()),
            };
            r.send()
        })
        .await?;
    }
    Ok(())
}

async fn main_route_table(
    ec2: &aws_sdk_ec2::Client,
    vpc: &str,
) -> Result<Option<String>, ApiError> {
    let out = call(op("reading", "DescribeRouteTables"), || {
        ec2.describe_route_tables()
            .filters(super::filter("vpc-id", &[vpc.to_string()]))
            .filters(super::filter("association.main", &["true".to_string()]))
            .send()
    })
    .await?;
    Ok(out
        .route_tables()
        .first()
        .and_then(|r| r.route_table_id())
        .map(str::to_string))
}

async fn default_acl(ec2: &aws_sdk_ec2::Client, vpc: &str) -> Result<Option<String>, ApiError> {
    let out = call(op("reading", "DescribeNetworkAcls"), || {
        ec2.describe_network_acls()
            .filters(super::filter("vpc-id", &[vpc.to_string()]))
            .filters(super::filter("default", &["true".to_string()]))
            .send()
    })
    .await;
    match out {
        Ok(out) => Ok(out
            .network_acls()
            .first()
            .and_then(|r| r.network_acl_id())
            .map(str::to_string)),
        Err(e) if e.kind == ErrorKind::NotImplemented => Ok(None),
        Err(e) => Err(e),
    }
}

async fn default_sg(ec2: &aws_sdk_ec2::Client, vpc: &str) -> Result<Option<String>, ApiError> {
    let out = call(op("reading", "DescribeSecurityGroups"), || {
        ec2.describe_security_groups()
            .filters(super::filter("vpc-id", &[vpc.to_string()]))
            .filters(super::filter("group-name", &["default".to_string()]))
            .send()
    })
    .await?;
    Ok(out
        .security_groups()
        .first()
        .and_then(|r| r.group_id())
        .map(str::to_string))
}
