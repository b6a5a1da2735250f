//! `aws_secretsmanager_secret` (import ID: the secret ARN; `id` is the ARN).
//!
//! A secret scheduled for deletion reads as gone (upstream). Delete honours
//! `recovery_window_in_days` (0 = delete at once, without recovery).

use super::NOT_FOUND;
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_secretsmanager::types::Tag;
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};
use std::collections::BTreeMap;
use std::time::Duration;

pub(crate) struct Secret;

const WHAT: &str = "Secrets Manager Secret";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "Secrets Manager", operation)
}

#[async_trait]
impl Resource for Secret {
    fn type_name(&self) -> &'static str {
        "aws_secretsmanager_secret"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", Attribute::computed(Type::String))
                .attr("description", Attribute::optional(Type::String))
                .attr(
                    "force_overwrite_replica_secret",
                    Attribute::optional(Type::Bool),
                )
                .attr("id", Attribute::computed(Type::String))
                .attr("kms_key_id", Attribute::optional(Type::String))
                .attr(
                    "name",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "name_prefix",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("recovery_window_in_days", Attribute::optional(Type::Number))
                .attr("tags", Attribute::optional(Type::map(Type::String))),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("force_overwrite_replica_secret", b(false)),
            ("recovery_window_in_days", n(30)),
        ]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if cfg(config, "name").is_some() && cfg(config, "name_prefix").is_some() {
            d.push(attr_error(
                "name",
                "conflicting arguments",
                "\"name\": conflicts with name_prefix.",
                "set either `name` or `name_prefix`, not both",
            ));
        }
        if let Some(w) = cfg(config, "recovery_window_in_days").and_then(Value::as_i64) {
            if w != 0 && !(7..=30).contains(&w) {
                d.push(attr_error(
                    "recovery_window_in_days",
                    "out of range",
                    format!("recovery_window_in_days must be 0 (delete at once) or between 7 and 30, got {w}."),
                    "use 0, or a number of days from 7 to 30",
                ));
            }
        }
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let sm = cx.secretsmanager();
        let name = generated_name(get_str(planned, "name"), get_str(planned, "name_prefix"));
        let tags = tags_to_send(cx.aws, planned);
        let out = call(op("creating", "CreateSecret"), || {
            sm.create_secret()
                .name(&name)
                .set_description(get_str(planned, "description"))
                .set_kms_key_id(get_str(planned, "kms_key_id"))
                .set_tags(to_tags(&tags))
                .send()
        })
        .await?;
        let arn = out.arn().map(str::to_string).ok_or_else(|| {
            Diagnostics::from(ApiError::other(
                op("creating", "CreateSecret"),
                "the response has no ARN",
            ))
        })?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(arn.clone()));
        partial.insert("name".into(), s(name));
        let waited = wait(
            op("creating", "DescribeSecret"),
            "visible",
            cx.timeouts.create,
            Duration::from_secs(2),
            || {
                let (sm, arn) = (sm.clone(), arn.clone());
                async move {
                    Ok(match describe(&sm, &arn, "creating").await? {
                        Some(_) => Poll::Ready(()),
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
                    op("creating", "DescribeSecret"),
                    "the new secret disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let sm = cx.secretsmanager();
        let id = id_of(state)?;
        let Some(x) = describe(&sm, &id, "reading").await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        let arn = x.arn().unwrap_or(&id).to_string();
        let name = x.name().unwrap_or("").to_string();
        o.insert("id".into(), s(arn.clone()));
        o.insert("arn".into(), s(arn));
        o.insert("name".into(), s(name.clone()));
        o.insert(
            "name_prefix".into(),
            opt_s(name_prefix_from_name(&name).as_deref()),
        );
        o.insert("description".into(), opt_s(x.description()));
        o.insert("kms_key_id".into(), opt_s(x.kms_key_id()));
        // Not readable: keep what state had (upstream defaults when imported).
        if get(&o, "recovery_window_in_days").is_null() {
            o.insert("recovery_window_in_days".into(), n(30));
        }
        if get(&o, "force_overwrite_replica_secret").is_null() {
            o.insert("force_overwrite_replica_secret".into(), b(false));
        }
        set_tags_from_api(cx.aws, &mut o, tag_map(x.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let sm = cx.secretsmanager();
        let id = id_of(prior)?;
        if !same(prior.get("description"), planned.get("description"))
            || !same(prior.get("kms_key_id"), planned.get("kms_key_id"))
        {
            call(op("updating", "UpdateSecret"), || {
                sm.update_secret()
                    .secret_id(&id)
                    .description(get_str(planned, "description").unwrap_or_default())
                    .set_kms_key_id(get_str(planned, "kms_key_id"))
                    .send()
            })
            .await?;
        }
        let old = state_tags_all(prior);
        let new = tags_to_send(cx.aws, planned);
        let (removed, changed) = crate::framework::tag_changes(&old, &new);
        if !removed.is_empty() {
            call(op("updating", "UntagResource"), || {
                sm.untag_resource()
                    .secret_id(&id)
                    .set_tag_keys(Some(removed.clone()))
                    .send()
            })
            .await?;
        }
        if !changed.is_empty() {
            call(op("updating", "TagResource"), || {
                sm.tag_resource()
                    .secret_id(&id)
                    .set_tags(to_tags(&changed))
                    .send()
            })
            .await?;
        }
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeSecret"),
                "the secret disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let sm = cx.secretsmanager();
        let id = id_of(prior)?;
        let window = get_i64(prior, "recovery_window_in_days").unwrap_or(30);
        let r = call(op("deleting", "DeleteSecret"), || {
            let req = sm.delete_secret().secret_id(&id);
            if window == 0 {
                req.force_delete_without_recovery(true).send()
            } else {
                req.recovery_window_in_days(window).send()
            }
        })
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(NOT_FOUND) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeSecret"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(2),
            || {
                let (sm, id) = (sm.clone(), id.clone());
                async move {
                    Ok(match describe(&sm, &id, "deleting").await? {
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

fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

fn to_tags(tags: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    if tags.is_empty() {
        return None;
    }
    Some(
        tags.iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect(),
    )
}

/// DescribeSecret: `None` when the secret does not exist or is scheduled for deletion.
pub(crate) async fn describe(
    sm: &aws_sdk_secretsmanager::Client,
    id: &str,
    verb: &'static str,
) -> Result<
    Option<aws_sdk_secretsmanager::operation::describe_secret::DescribeSecretOutput>,
    ApiError,
> {
    match call_retry(
        op(verb, "DescribeSecret"),
        &[],
        Duration::from_secs(60),
        || sm.describe_secret().secret_id(id).send(),
    )
    .await
    {
        Ok(out) if out.deleted_date().is_some() => Ok(None),
        Ok(out) => Ok(Some(out)),
        Err(e) if e.is(NOT_FOUND) => Ok(None),
        Err(e) => Err(e),
    }
}
