//! `aws_iam_role_policy_attachment` (import ID: `role-name/policy-arn`).

use super::role::attached_policies;
use super::{prefixed_unique_id, NO_SUCH_ENTITY};
use crate::api::{call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use plinth_sdk::{Attribute, Block, Diagnostic, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct RolePolicyAttachment;

const WHAT: &str = "IAM Role Policy Attachment";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "IAM", operation)
}

/// Whether `arn` is attached to `role` (`None` when the role is gone).
async fn is_attached(
    iam: &aws_sdk_iam::Client,
    role: &str,
    arn: &str,
    verb: &'static str,
) -> Result<Option<bool>, ApiError> {
    match attached_policies(iam, role, verb).await {
        Ok(list) => Ok(Some(list.iter().any(|a| a == arn))),
        Err(e) if e.is(NO_SUCH_ENTITY) => Ok(None),
        Err(e) => Err(ApiError {
            op: op(verb, "ListAttachedRolePolicies"),
            ..e
        }),
    }
}

#[async_trait]
impl Resource for RolePolicyAttachment {
    fn global(&self) -> bool {
        true
    }
    fn type_name(&self) -> &'static str {
        "aws_iam_role_policy_attachment"
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("policy_arn", Attribute::required(Type::String).force_new())
                .attr("role", Attribute::required(Type::String).force_new()),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(a) = cfg(config, "policy_arn").and_then(Value::as_str) {
            if !a.starts_with("arn:") {
                d.push(attr_error(
                    "policy_arn",
                    "not an ARN",
                    format!("{a:?} is not an ARN (arn:aws:iam::…:policy/…)."),
                    "use the policy's ARN, e.g. aws_iam_policy.x.arn or arn:aws:iam::aws:policy/…",
                ));
            }
        }
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let iam = cx.iam();
        let role = get_str(planned, "role").unwrap_or_default();
        let arn = get_str(planned, "policy_arn").unwrap_or_default();
        // A role or policy created a moment ago may not be visible yet.
        call_retry(
            op("creating", "AttachRolePolicy"),
            NO_SUCH_ENTITY,
            cx.timeouts.create.min(Duration::from_secs(20)),
            || {
                iam.attach_role_policy()
                    .role_name(&role)
                    .policy_arn(&arn)
                    .send()
            },
        )
        .await?;
        let mut o = planned.clone();
        o.insert("id".into(), s(prefixed_unique_id(&format!("{role}-"))));
        let seen = wait(
            op("creating", "ListAttachedRolePolicies"),
            "attached",
            cx.timeouts.create.min(Duration::from_secs(120)),
            Duration::from_secs(1),
            || {
                let iam = iam.clone();
                let (role, arn) = (role.clone(), arn.clone());
                async move {
                    Ok(match is_attached(&iam, &role, &arn, "creating").await? {
                        Some(true) => Poll::Ready(()),
                        _ => Poll::Pending("not yet attached".into()),
                    })
                }
            },
        )
        .await;
        match seen {
            Ok(()) => Ok(o),
            Err(e) => Err(Failed::partial(o, e)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let iam = cx.iam();
        let role = get_str(state, "role").unwrap_or_default();
        let arn = get_str(state, "policy_arn").unwrap_or_default();
        match is_attached(&iam, &role, &arn, "reading").await? {
            Some(true) => Ok(Some(state.clone())),
            _ => Ok(None),
        }
    }

    async fn update(&self, cx: &Ctx<'_>, _prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        // Both arguments force replacement: nothing changes in place.
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "ListAttachedRolePolicies"),
                "the attachment disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let iam = cx.iam();
        let role = get_str(prior, "role").unwrap_or_default();
        let arn = get_str(prior, "policy_arn").unwrap_or_default();
        let r = call_retry(
            op("deleting", "DetachRolePolicy"),
            &["ConcurrentModification"],
            cx.timeouts.delete.min(Duration::from_secs(120)),
            || {
                iam.detach_role_policy()
                    .role_name(&role)
                    .policy_arn(&arn)
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(NO_SUCH_ENTITY) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "ListAttachedRolePolicies"),
            "detached",
            cx.timeouts.delete,
            Duration::from_secs(1),
            || {
                let iam = iam.clone();
                let (role, arn) = (role.clone(), arn.clone());
                async move {
                    Ok(match is_attached(&iam, &role, &arn, "deleting").await? {
                        Some(true) => Poll::Pending("still attached".into()),
                        _ => Poll::Ready(()),
                    })
                }
            },
        )
        .await?;
        Ok(())
    }

    async fn import(&self, cx: &Ctx<'_>, id: &str) -> Result<Option<Obj>, Diagnostics> {
        let Some((role, arn)) = id
            .split_once('/')
            .filter(|(r, a)| !r.is_empty() && a.starts_with("arn:"))
        else {
            return Err(
                Diagnostic::error("invalid import ID for aws_iam_role_policy_attachment")
                    .with_detail(format!(
                        "The import ID {id:?} is not of the form <role-name>/<policy-arn>."
                    ))
                    .with_help("use e.g. `my-role/arn:aws:iam::aws:policy/ReadOnlyAccess`")
                    .into(),
            );
        };
        let mut o = Obj::new();
        o.insert("role".into(), s(role));
        o.insert("policy_arn".into(), s(arn));
        o.insert("id".into(), s(format!("{role}-{arn}")));
        self.read(cx, &o).await
    }
}
