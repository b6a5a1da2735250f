//! `aws_lb_target_group_attachment`: one target registered with a target group. Every
//! argument forces replacement. Import ID as upstream: `TARGET_GROUP_ARN,TARGET_ID[,PORT[,AVAILABILITY_ZONE]]`.

use super::unique_name;
use crate::api::{call, call_retry, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{TargetDescription, TargetHealthReasonEnum};
use plinth_sdk::{Attribute, Block, Diagnostic, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct TargetGroupAttachment;

const WHAT: &str = "ELBv2 Target Group Attachment";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "ELBv2", operation)
}

fn target(o: &Obj) -> TargetDescription {
    TargetDescription::builder()
        .set_id(get_str(o, "target_id"))
        .set_port(get_i64(o, "port").map(|p| p as i32))
        .set_availability_zone(get_str(o, "availability_zone"))
        .build()
}

#[async_trait]
impl Resource for TargetGroupAttachment {
    fn type_name(&self) -> &'static str {
        "aws_lb_target_group_attachment"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr(
                    "availability_zone",
                    Attribute::optional(Type::String).force_new(),
                )
                .attr("id", Attribute::computed(Type::String))
                .attr("port", Attribute::optional(Type::Number).force_new())
                .attr(
                    "target_group_arn",
                    Attribute::required(Type::String).force_new(),
                )
                .attr("target_id", Attribute::required(Type::String).force_new()),
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let elb = cx.elbv2();
        let tg = get_str(planned, "target_group_arn").unwrap_or_default();
        let t = target(planned);
        // InvalidTarget right after an instance was launched: retried, as upstream (10 min).
        call_retry(
            op("creating", "RegisterTargets"),
            &["InvalidTarget"],
            cx.timeouts.create.min(Duration::from_secs(10 * 60)),
            || {
                elb.register_targets()
                    .target_group_arn(&tg)
                    .targets(t.clone())
                    .send()
            },
        )
        .await?;
        let mut o = planned.clone();
        o.insert("id".into(), s(unique_name(&format!("{tg}-"))));
        Ok(o)
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let elb = cx.elbv2();
        let tg = get_str(state, "target_group_arn").unwrap_or_default();
        let r = call(op("reading", "DescribeTargetHealth"), || {
            elb.describe_target_health()
                .target_group_arn(&tg)
                .targets(target(state))
                .send()
        })
        .await;
        let out = match r {
            Ok(out) => out,
            Err(e) if e.is(&["InvalidTarget", "TargetGroupNotFound"]) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let registered = out.target_health_descriptions().iter().any(|d| {
            let reason = d.target_health().and_then(|h| h.reason());
            !matches!(
                reason,
                Some(TargetHealthReasonEnum::DeregistrationInProgress)
                    | Some(TargetHealthReasonEnum::NotRegistered)
            ) && d.target().and_then(|t| t.id()) == get_str(state, "target_id").as_deref()
        });
        Ok(registered.then(|| state.clone()))
    }

    async fn update(&self, cx: &Ctx<'_>, _prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        // Every argument forces replacement; only `timeouts`/`region` bookkeeping lands here.
        let _ = cx;
        Ok(planned.clone())
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let elb = cx.elbv2();
        let tg = get_str(prior, "target_group_arn").unwrap_or_default();
        match call(op("deleting", "DeregisterTargets"), || {
            elb.deregister_targets()
                .target_group_arn(&tg)
                .targets(target(prior))
                .send()
        })
        .await
        {
            Ok(_) => Ok(()),
            Err(e)
                if e.is(&[
                    "LoadBalancerNotFound",
                    "TargetGroupNotFound",
                    "InvalidTarget",
                ]) =>
            {
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn import(&self, cx: &Ctx<'_>, id: &str) -> Result<Option<Obj>, Diagnostics> {
        let parts: Vec<&str> = id.split(',').collect();
        let bad = || -> Diagnostics {
            Diagnostic::error("invalid import ID for aws_lb_target_group_attachment")
                .with_detail(format!(
                    "{id:?} is not TARGET_GROUP_ARN,TARGET_ID[,PORT[,AVAILABILITY_ZONE]]."
                ))
                .with_help("e.g. arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-tg/abc123,i-0123456789abcdef0,8080")
                .into()
        };
        if !(2..=4).contains(&parts.len()) || parts[0].is_empty() || parts[1].is_empty() {
            return Err(bad());
        }
        let mut o = Obj::new();
        o.insert("target_group_arn".into(), s(parts[0]));
        o.insert("target_id".into(), s(parts[1]));
        o.insert("port".into(), Value::Null(Type::Number));
        o.insert("availability_zone".into(), Value::Null(Type::String));
        if let Some(p) = parts.get(2).filter(|p| !p.is_empty()) {
            match p.parse::<i64>() {
                Ok(p) => {
                    o.insert("port".into(), n(p));
                }
                Err(_) => return Err(bad()),
            }
        }
        if let Some(az) = parts.get(3).filter(|p| !p.is_empty()) {
            o.insert("availability_zone".into(), s(*az));
        }
        o.insert("id".into(), s(unique_name(&format!("{}-", parts[0]))));
        self.read(cx, &o).await
    }
}
