//! `aws_eip` (import ID: the allocation ID, `eipalloc-…`).

use super::{state_tags, tag_map, tag_spec, update_tags, NOT_FOUND_CODES};
use crate::api::{call, call_retry, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_ec2::types::{DomainType, ResourceType};
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct Eip;

const WHAT: &str = "EC2 EIP";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "EC2", operation)
}

#[async_trait]
impl Resource for Eip {
    fn type_name(&self) -> &'static str {
        "aws_eip"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(15 * 60),
            read: Duration::from_secs(15 * 60),
            update: Duration::from_secs(5 * 60),
            delete: Duration::from_secs(3 * 60),
        })
    }
    fn schema(&self) -> Schema {
        let c = |t| Attribute::computed(t);
        Schema {
            version: 0,
            block: Block::new()
                .attr("address", Attribute::optional(Type::String).force_new())
                .attr("allocation_id", c(Type::String))
                .attr("arn", c(Type::String))
                .attr(
                    "associate_with_private_ip",
                    Attribute::optional(Type::String),
                )
                .attr("association_id", c(Type::String))
                .attr("carrier_ip", c(Type::String))
                .attr("customer_owned_ip", c(Type::String))
                .attr(
                    "customer_owned_ipv4_pool",
                    Attribute::optional(Type::String).force_new(),
                )
                .attr(
                    "domain",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("id", c(Type::String))
                .attr("instance", Attribute::optional_computed(Type::String))
                .attr(
                    "ipam_pool_id",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "network_border_group",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "network_interface",
                    Attribute::optional_computed(Type::String),
                )
                .attr("private_dns", c(Type::String))
                .attr("private_ip", c(Type::String))
                .attr("ptr_record", c(Type::String))
                .attr("public_dns", c(Type::String))
                .attr("public_ip", c(Type::String))
                .attr(
                    "public_ipv4_pool",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("tags", Attribute::optional(Type::map(Type::String))),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(x) = cfg(config, "domain").and_then(Value::as_str) {
            if x != "vpc" && x != "standard" {
                d.push(attr_error(
                    "domain",
                    "unsupported domain",
                    format!("{x:?} is not an EIP domain."),
                    "use \"vpc\"",
                ));
            }
        }
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let tags = tags_to_send(cx.aws, planned);
        let domain = get_str(planned, "domain").unwrap_or_else(|| "vpc".into());
        let req = ec2
            .allocate_address()
            .domain(DomainType::from(domain.as_str()))
            .set_address(get_str(planned, "address"))
            .set_public_ipv4_pool(get_str(planned, "public_ipv4_pool"))
            .set_network_border_group(get_str(planned, "network_border_group"))
            .set_customer_owned_ipv4_pool(get_str(planned, "customer_owned_ipv4_pool"))
            .set_ipam_pool_id(get_str(planned, "ipam_pool_id"))
            .set_tag_specifications(tag_spec(ResourceType::ElasticIp, &tags).map(|t| vec![t]));
        let out = call(op("creating", "AllocateAddress"), || req.clone().send()).await?;
        let id = out.allocation_id().map(str::to_string).ok_or_else(|| {
            Diagnostics::from(ApiError::other(
                op("creating", "AllocateAddress"),
                "the response has no allocation ID",
            ))
        })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(id.clone()));
        if let Err(e) = associate(&ec2, &id, planned).await {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeAddresses"),
                    "the new address disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(state)?;
        let Some(a) = describe(&ec2, &id, Duration::from_secs(30)).await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(id.clone()));
        o.insert("allocation_id".into(), s(id.clone()));
        o.insert("arn".into(), s(cx.arn("ec2", &format!("elastic-ip/{id}"))));
        o.insert("association_id".into(), opt_s(a.association_id()));
        o.insert("carrier_ip".into(), opt_s(a.carrier_ip()));
        o.insert("customer_owned_ip".into(), opt_s(a.customer_owned_ip()));
        o.insert(
            "customer_owned_ipv4_pool".into(),
            opt_s(a.customer_owned_ipv4_pool()),
        );
        o.insert("domain".into(), opt_s(a.domain().map(|d| d.as_str())));
        o.insert("instance".into(), s(a.instance_id().unwrap_or("")));
        o.insert(
            "network_interface".into(),
            s(a.network_interface_id().unwrap_or("")),
        );
        o.insert(
            "network_border_group".into(),
            opt_s(a.network_border_group()),
        );
        o.insert("private_ip".into(), opt_s(a.private_ip_address()));
        o.insert("public_ip".into(), opt_s(a.public_ip()));
        o.insert("public_ipv4_pool".into(), opt_s(a.public_ipv4_pool()));
        let dns = |ip: Option<&str>, private: bool| -> Value {
            match ip {
                Some(ip) if !ip.is_empty() => {
                    let dashed = ip.replace('.', "-");
                    let suffix = if cx.region == "us-east-1" {
                        if private {
                            "ec2.internal".to_string()
                        } else {
                            "compute-1.amazonaws.com".to_string()
                        }
                    } else if private {
                        format!("{}.compute.internal", cx.region)
                    } else {
                        format!("{}.compute.amazonaws.com", cx.region)
                    };
                    s(format!("ip-{dashed}.{suffix}").replacen(
                        "ip-",
                        if private { "ip-" } else { "ec2-" },
                        1,
                    ))
                }
                _ => Value::Null(Type::String),
            }
        };
        o.insert("public_dns".into(), dns(a.public_ip(), false));
        o.insert("private_dns".into(), dns(a.private_ip_address(), true));
        o.insert("ptr_record".into(), s(""));
        set_tags_from_api(cx.aws, &mut o, tag_map(a.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        let target = |o: &Obj| {
            (
                get_str(o, "instance").filter(|s| !s.is_empty()),
                get_str(o, "network_interface").filter(|s| !s.is_empty()),
                get_str(o, "associate_with_private_ip"),
            )
        };
        if target(prior) != target(planned) {
            if let Some(assoc) = get_str(prior, "association_id") {
                match call(op("updating", "DisassociateAddress"), || {
                    ec2.disassociate_address().association_id(&assoc).send()
                })
                .await
                {
                    Ok(_) => {}
                    Err(e) if e.is(&["InvalidAssociationID.NotFound"]) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            associate(&ec2, &id, planned).await?;
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
            None => Err(ApiError::other(
                op("updating", "DescribeAddresses"),
                "the address disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        if let Some(a) = describe(&ec2, &id, Duration::ZERO).await? {
            if let Some(assoc) = a.association_id() {
                match call(op("deleting", "DisassociateAddress"), || {
                    ec2.disassociate_address().association_id(assoc).send()
                })
                .await
                {
                    Ok(_) => {}
                    Err(e) if e.is(&["InvalidAssociationID.NotFound"]) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        } else {
            return Ok(());
        }
        // A NAT gateway being deleted still holds the address for a while.
        let r = call_retry(
            op("deleting", "ReleaseAddress"),
            &["AuthFailure", "InvalidIPAddress.InUse"],
            cx.timeouts.delete,
            || ec2.release_address().allocation_id(&id).send(),
        )
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.is(&["InvalidAllocationID.NotFound"]) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

async fn associate(ec2: &aws_sdk_ec2::Client, id: &str, planned: &Obj) -> Result<(), ApiError> {
    let instance = get_str(planned, "instance").filter(|s| !s.is_empty());
    let eni = get_str(planned, "network_interface").filter(|s| !s.is_empty());
    if instance.is_none() && eni.is_none() {
        return Ok(());
    }
    call_retry(
        op("updating", "AssociateAddress"),
        NOT_FOUND_CODES,
        Duration::from_secs(120),
        || {
            ec2.associate_address()
                .allocation_id(id)
                .set_instance_id(instance.clone())
                .set_network_interface_id(eni.clone())
                .set_private_ip_address(get_str(planned, "associate_with_private_ip"))
                .send()
        },
    )
    .await
    .map(|_| ())
}

async fn describe(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    budget: Duration,
) -> Result<Option<aws_sdk_ec2::types::Address>, ApiError> {
    match call_retry(op("reading", "DescribeAddresses"), &[], budget, || {
        ec2.describe_addresses().allocation_ids(id).send()
    })
    .await
    {
        Ok(out) => Ok(out
            .addresses()
            .iter()
            .find(|a| a.allocation_id() == Some(id))
            .cloned()),
        Err(e) if e.is(&["InvalidAllocationID.NotFound", "InvalidAddress.NotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}
