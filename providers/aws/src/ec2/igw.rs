//! `aws_internet_gateway` (import ID: the internet gateway ID).

use super::{state_tags, tag_map, tag_spec, update_tags, NOT_FOUND_CODES};
use crate::api::{call, call_retry, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_ec2::types::ResourceType;
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type};
use std::time::Duration;

pub(crate) struct InternetGateway;

const WHAT: &str = "EC2 Internet Gateway";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "EC2", operation)
}

#[async_trait]
impl Resource for InternetGateway {
    fn type_name(&self) -> &'static str {
        "aws_internet_gateway"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts::uniform(Duration::from_secs(20 * 60)))
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", Attribute::computed(Type::String))
                .attr("id", Attribute::computed(Type::String))
                .attr("owner_id", Attribute::computed(Type::String))
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("vpc_id", Attribute::optional(Type::String)),
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let tags = tags_to_send(cx.aws, planned);
        let out = call(op("creating", "CreateInternetGateway"), || {
            ec2.create_internet_gateway()
                .set_tag_specifications(
                    tag_spec(ResourceType::InternetGateway, &tags).map(|t| vec![t]),
                )
                .send()
        })
        .await?;
        let id = out
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .map(str::to_string)
            .ok_or_else(|| {
                Diagnostics::from(ApiError::other(
                    op("creating", "CreateInternetGateway"),
                    "the response has no ID",
                ))
            })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(id.clone()));
        if let Some(vpc) = get_str(planned, "vpc_id") {
            if let Err(e) = attach(&ec2, &id, &vpc, cx.timeouts.create).await {
                return Err(Failed::partial(partial, e));
            }
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeInternetGateways"),
                    "the new gateway disappeared",
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
        let mut o = state.clone();
        o.insert("id".into(), s(id.clone()));
        o.insert(
            "arn".into(),
            s(cx.arn("ec2", &format!("internet-gateway/{id}"))),
        );
        o.insert("owner_id".into(), opt_s(g.owner_id()));
        let vpc = g
            .attachments()
            .iter()
            .find(|a| {
                a.state()
                    .is_some_and(|s| matches!(s.as_str(), "attached" | "available" | "attaching"))
            })
            .and_then(|a| a.vpc_id());
        o.insert("vpc_id".into(), opt_s(vpc));
        set_tags_from_api(cx.aws, &mut o, tag_map(g.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        let (old, new) = (get_str(prior, "vpc_id"), get_str(planned, "vpc_id"));
        if old != new {
            if let Some(v) = &old {
                detach(&ec2, &id, v, cx.timeouts.update).await?;
            }
            if let Some(v) = &new {
                attach(&ec2, &id, v, cx.timeouts.update).await?;
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
            None => Err(ApiError::other(
                op("updating", "DescribeInternetGateways"),
                "the gateway disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        if let Some(g) = describe(&ec2, &id).await? {
            for a in g.attachments() {
                if let Some(v) = a.vpc_id() {
                    detach(&ec2, &id, v, cx.timeouts.delete).await?;
                }
            }
        } else {
            return Ok(());
        }
        let r = call_retry(
            op("deleting", "DeleteInternetGateway"),
            &["DependencyViolation"],
            cx.timeouts.delete,
            || {
                ec2.delete_internet_gateway()
                    .internet_gateway_id(&id)
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.is(&["InvalidInternetGatewayID.NotFound"]) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

async fn attach(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    vpc: &str,
    budget: Duration,
) -> Result<(), ApiError> {
    call_retry(
        op("creating", "AttachInternetGateway"),
        NOT_FOUND_CODES,
        budget,
        || {
            ec2.attach_internet_gateway()
                .internet_gateway_id(id)
                .vpc_id(vpc)
                .send()
        },
    )
    .await
    .map(|_| ())
}

async fn detach(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    vpc: &str,
    budget: Duration,
) -> Result<(), ApiError> {
    // Mapped public addresses in the VPC block a detach for a while (DependencyViolation).
    match call_retry(
        op("deleting", "DetachInternetGateway"),
        &["DependencyViolation"],
        budget,
        || {
            ec2.detach_internet_gateway()
                .internet_gateway_id(id)
                .vpc_id(vpc)
                .send()
        },
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(e) if e.is(&["Gateway.NotAttached", "InvalidInternetGatewayID.NotFound"]) => Ok(()),
        Err(e) => Err(e),
    }
}

async fn describe(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
) -> Result<Option<aws_sdk_ec2::types::InternetGateway>, ApiError> {
    match call(op("reading", "DescribeInternetGateways"), || {
        ec2.describe_internet_gateways()
            .internet_gateway_ids(id)
            .send()
    })
    .await
    {
        Ok(out) => Ok(out
            .internet_gateways()
            .iter()
            .find(|g| g.internet_gateway_id() == Some(id))
            .cloned()),
        Err(e) if e.is(&["InvalidInternetGatewayID.NotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}
