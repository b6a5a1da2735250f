//! `aws_nat_gateway` (import ID: the NAT gateway ID).

use super::{state_tags, tag_map, tag_spec, update_tags};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_ec2::types::{ConnectivityType, NatGatewayState, ResourceType};
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct NatGateway;

const WHAT: &str = "EC2 NAT Gateway";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "EC2", operation)
}

#[async_trait]
impl Resource for NatGateway {
    fn type_name(&self) -> &'static str {
        "aws_nat_gateway"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(10 * 60),
            read: Duration::from_secs(10 * 60),
            update: Duration::from_secs(10 * 60),
            delete: Duration::from_secs(30 * 60),
        })
    }
    fn schema(&self) -> Schema {
        let c = |t| Attribute::computed(t);
        Schema {
            version: 0,
            block: Block::new()
                .attr(
                    "allocation_id",
                    Attribute::optional(Type::String).force_new(),
                )
                .attr("association_id", c(Type::String))
                .attr(
                    "connectivity_type",
                    Attribute::optional(Type::String).force_new(),
                )
                .attr("id", c(Type::String))
                .attr("network_interface_id", c(Type::String))
                .attr(
                    "private_ip",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("public_ip", c(Type::String))
                .attr(
                    "secondary_allocation_ids",
                    Attribute::optional(Type::set(Type::String)),
                )
                .attr(
                    "secondary_private_ip_address_count",
                    Attribute::optional_computed(Type::Number),
                )
                .attr(
                    "secondary_private_ip_addresses",
                    Attribute::optional_computed(Type::set(Type::String)),
                )
                .attr("subnet_id", Attribute::required(Type::String).force_new())
                .attr("tags", Attribute::optional(Type::map(Type::String))),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![("connectivity_type", s("public"))]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(x) = cfg(config, "connectivity_type").and_then(Value::as_str) {
            if x != "public" && x != "private" {
                d.push(attr_error(
                    "connectivity_type",
                    "unsupported connectivity type",
                    format!("{x:?} is not a NAT gateway connectivity type."),
                    "use \"public\" or \"private\"",
                ));
            }
        }
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let tags = tags_to_send(cx.aws, planned);
        let ct = get_str(planned, "connectivity_type").unwrap_or_else(|| "public".into());
        let secondary = get_strings(planned, "secondary_allocation_ids");
        let req = ec2
            .create_nat_gateway()
            .set_subnet_id(get_str(planned, "subnet_id"))
            .set_allocation_id(get_str(planned, "allocation_id"))
            .connectivity_type(ConnectivityType::from(ct.as_str()))
            .set_private_ip_address(get_str(planned, "private_ip"))
            .set_secondary_allocation_ids((!secondary.is_empty()).then_some(secondary))
            .set_tag_specifications(tag_spec(ResourceType::Natgateway, &tags).map(|t| vec![t]));
        let out = call_retry(
            op("creating", "CreateNatGateway"),
            &["InvalidSubnetID.NotFound", "InvalidAllocationID.NotFound"],
            Duration::from_secs(60),
            || req.clone().send(),
        )
        .await?;
        let id = out
            .nat_gateway()
            .and_then(|g| g.nat_gateway_id())
            .map(str::to_string)
            .ok_or_else(|| {
                Diagnostics::from(ApiError::other(
                    op("creating", "CreateNatGateway"),
                    "the response has no ID",
                ))
            })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(id.clone()));
        let waited = wait(
            op("creating", "DescribeNatGateways"),
            "available",
            cx.timeouts.create,
            Duration::from_secs(5),
            || {
                let (ec2, id) = (ec2.clone(), id.clone());
                async move {
                    Ok(match describe(&ec2, &id).await? {
                        Some(g) => match g.state() {
                            Some(NatGatewayState::Available) => Poll::Ready(()),
                            Some(NatGatewayState::Failed) => Poll::Failed(format!(
                                "failed: {}",
                                g.failure_message().unwrap_or("no reason given")
                            )),
                            st => Poll::Pending(
                                st.map(|s| s.as_str().to_string()).unwrap_or_default(),
                            ),
                        },
                        None => Poll::Pending("not yet visible".into()),
                    })
                }
            },
        )
        .await;
        if let Err(e) = waited {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeNatGateways"),
                    "the new NAT gateway disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(state)?;
        let Some(g) = describe(&ec2, &id).await? else {
            return Ok(None);
        };
        if matches!(
            g.state(),
            Some(NatGatewayState::Deleted) | Some(NatGatewayState::Deleting)
        ) {
            return Ok(None);
        }
        let mut o = state.clone();
        o.insert("id".into(), s(id.clone()));
        o.insert("subnet_id".into(), opt_s(g.subnet_id()));
        o.insert(
            "connectivity_type".into(),
            opt_s(g.connectivity_type().map(|c| c.as_str())),
        );
        let addrs = g.nat_gateway_addresses();
        let primary = addrs
            .iter()
            .find(|a| a.is_primary().unwrap_or(false))
            .or_else(|| addrs.first());
        o.insert(
            "allocation_id".into(),
            opt_s(primary.and_then(|a| a.allocation_id())),
        );
        o.insert(
            "association_id".into(),
            opt_s(primary.and_then(|a| a.association_id())),
        );
        o.insert(
            "network_interface_id".into(),
            opt_s(primary.and_then(|a| a.network_interface_id())),
        );
        o.insert(
            "private_ip".into(),
            opt_s(primary.and_then(|a| a.private_ip())),
        );
        o.insert(
            "public_ip".into(),
            opt_s(primary.and_then(|a| a.public_ip())),
        );
        let secondary: Vec<_> = addrs
            .iter()
            .filter(|a| !a.is_primary().unwrap_or(false) && Some(*a) != primary)
            .collect();
        let sec_alloc: Vec<String> = secondary
            .iter()
            .filter_map(|a| a.allocation_id().map(str::to_string))
            .collect();
        if !sec_alloc.is_empty() || !get(state, "secondary_allocation_ids").is_null() {
            o.insert("secondary_allocation_ids".into(), str_set(sec_alloc));
        }
        let sec_ips: Vec<String> = secondary
            .iter()
            .filter_map(|a| a.private_ip().map(str::to_string))
            .collect();
        o.insert(
            "secondary_private_ip_address_count".into(),
            n(sec_ips.len() as i64),
        );
        o.insert("secondary_private_ip_addresses".into(), str_set(sec_ips));
        set_tags_from_api(cx.aws, &mut o, tag_map(g.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
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
                op("updating", "DescribeNatGateways"),
                "the NAT gateway disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        match call(op("deleting", "DeleteNatGateway"), || {
            ec2.delete_nat_gateway().nat_gateway_id(&id).send()
        })
        .await
        {
            Ok(_) => {}
            Err(e) if e.is(&["NatGatewayNotFound", "InvalidNatGatewayID.NotFound"]) => {
                return Ok(())
            }
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeNatGateways"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(5),
            || {
                let (ec2, id) = (ec2.clone(), id.clone());
                async move {
                    Ok(match describe(&ec2, &id).await? {
                        None => Poll::Ready(()),
                        Some(g) if g.state() == Some(&NatGatewayState::Deleted) => Poll::Ready(()),
                        Some(g) => Poll::Pending(
                            g.state()
                                .map(|s| s.as_str().to_string())
                                .unwrap_or_default(),
                        ),
                    })
                }
            },
        )
        .await?;
        Ok(())
    }
}

async fn describe(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
) -> Result<Option<aws_sdk_ec2::types::NatGateway>, ApiError> {
    match call(op("reading", "DescribeNatGateways"), || {
        ec2.describe_nat_gateways().nat_gateway_ids(id).send()
    })
    .await
    {
        Ok(out) => Ok(out
            .nat_gateways()
            .iter()
            .find(|g| g.nat_gateway_id() == Some(id))
            .cloned()),
        Err(e) if e.is(&["NatGatewayNotFound", "InvalidNatGatewayID.NotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}
