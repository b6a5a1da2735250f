//! `aws_db_parameter_group` (import ID: the name).
//!
//! `parameter` is a set of `{ name, value, apply_method }`; only parameters whose source is
//! `user` are read back (as upstream), so drift in a configured parameter shows, and
//! parameters set by hand show as extra set elements.

use super::{list_tags, to_tags, update_tags};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_rds::types::{ApplyMethod, Parameter};
use plinth_sdk::{Attribute, Block, Diagnostics, NestedBlock, Nesting, Schema, Type, Value};
use std::collections::BTreeMap;
use std::time::Duration;

pub(crate) struct DbParameterGroup;

const WHAT: &str = "RDS DB Parameter Group";
/// ModifyDBParameterGroup and ResetDBParameterGroup take at most 20 parameters per call.
const BATCH: usize = 20;

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "RDS", operation)
}

fn param_block() -> Block {
    Block::new()
        .attr("apply_method", Attribute::optional(Type::String))
        .attr("name", Attribute::required(Type::String))
        .attr("value", Attribute::required(Type::String))
}

#[async_trait]
impl Resource for DbParameterGroup {
    fn type_name(&self) -> &'static str {
        "aws_db_parameter_group"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", Attribute::computed(Type::String))
                .attr("description", Attribute::optional(Type::String).force_new())
                .attr("family", Attribute::required(Type::String).force_new())
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "name",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "name_prefix",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("skip_destroy", Attribute::optional(Type::Bool))
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .block(
                    "parameter",
                    NestedBlock {
                        nesting: Nesting::Set,
                        min_items: 0,
                        max_items: 0,
                        force_new: false,
                        block: param_block(),
                    },
                ),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("description", s("Managed by Terraform")),
            ("skip_destroy", b(false)),
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
        if let Some(n) = cfg(config, "name").and_then(Value::as_str) {
            let ok = n.len() <= 255
                && n.starts_with(|c: char| c.is_ascii_lowercase())
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !n.contains("--")
                && !n.ends_with('-');
            if !ok {
                d.push(attr_error(
                    "name",
                    "invalid DB parameter group name",
                    format!("{n:?}: only lowercase alphanumeric characters and hyphens allowed, starting with a letter, without two consecutive hyphens or a trailing hyphen."),
                    "use a name such as \"app-postgres15\"",
                ));
            }
        }
        if let Some(ps) = config.get_attr("parameter").and_then(Value::as_seq) {
            for p in ps {
                if let Some(m) = p.get_attr("apply_method").and_then(Value::as_str) {
                    if !["immediate", "pending-reboot"].contains(&m) {
                        d.push(attr_error(
                            "parameter.apply_method",
                            "unsupported apply method",
                            format!("{m:?} is not an apply method: expected \"immediate\" or \"pending-reboot\"."),
                            "use \"immediate\" or \"pending-reboot\"",
                        ));
                    }
                }
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        // apply_method defaults to "immediate" (upstream Default inside the set element).
        if let Some(Value::Set(t, items)) = planned.get("parameter").map(|v| v.unmarked().clone()) {
            let items = items
                .into_iter()
                .map(|p| match p {
                    Value::Object(mut m) => {
                        if m.get("apply_method").is_none_or(Value::is_null) {
                            m.insert("apply_method".into(), s("immediate"));
                        }
                        Value::Object(m)
                    }
                    other => other,
                })
                .collect();
            planned.insert("parameter".into(), Value::set(t, items));
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let rds = cx.rds();
        let name = generated_name(get_str(planned, "name"), get_str(planned, "name_prefix"));
        let tags = tags_to_send(cx.aws, planned);
        call(op("creating", "CreateDBParameterGroup"), || {
            rds.create_db_parameter_group()
                .db_parameter_group_name(&name)
                .set_db_parameter_group_family(get_str(planned, "family"))
                .set_description(get_str(planned, "description"))
                .set_tags(to_tags(&tags))
                .send()
        })
        .await?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(name.clone()));
        partial.insert("name".into(), s(name.clone()));
        let params = params_of(planned);
        if let Err(e) = modify(&rds, &name, params.values().cloned().collect(), "creating").await {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeDBParameterGroups"),
                    "the new DB parameter group disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let rds = cx.rds();
        let id = id_of(state)?;
        let Some(g) = describe(&rds, &id, "reading").await? else {
            return Ok(None);
        };
        let name = g.db_parameter_group_name().unwrap_or(&id).to_string();
        let arn = g
            .db_parameter_group_arn()
            .map(str::to_string)
            .unwrap_or_else(|| cx.arn("rds", &format!("pg:{name}")));
        let mut o = state.clone();
        o.insert("id".into(), s(name.clone()));
        o.insert("name".into(), s(name.clone()));
        o.insert(
            "name_prefix".into(),
            opt_s(name_prefix_from_name(&name).as_deref()),
        );
        o.insert("arn".into(), s(arn.clone()));
        o.insert("family".into(), opt_s(g.db_parameter_group_family()));
        o.insert("description".into(), s(g.description().unwrap_or("")));
        if get(&o, "skip_destroy").is_null() {
            o.insert("skip_destroy".into(), b(false));
        }
        // The apply method AWS reports is not always the one configured: keep the prior one.
        let prior = params_of(state);
        let mut marker: Option<String> = None;
        let mut items = Vec::new();
        loop {
            let out = call(op("reading", "DescribeDBParameters"), || {
                rds.describe_db_parameters()
                    .db_parameter_group_name(&name)
                    .source("user")
                    .set_marker(marker.clone())
                    .send()
            })
            .await?;
            for p in out.parameters() {
                // Emulators ignore the source filter: keep user-set parameters only.
                if p.source().is_some_and(|s| s != "user") {
                    continue;
                }
                let (Some(n), Some(v)) = (p.parameter_name(), p.parameter_value()) else {
                    continue;
                };
                let method = prior
                    .get(n)
                    .and_then(|x| x.apply_method().map(|m| m.as_str().to_string()))
                    .or_else(|| p.apply_method().map(|m| m.as_str().to_string()))
                    .unwrap_or_else(|| "immediate".into());
                items.push(Value::object([
                    ("name", s(n)),
                    ("value", s(v)),
                    ("apply_method", s(method)),
                ]));
            }
            marker = out.marker().map(str::to_string);
            if marker.is_none() {
                break;
            }
        }
        o.insert(
            "parameter".into(),
            Value::set(param_block().implied_type(), items),
        );
        let tags = list_tags(&rds, WHAT, &arn).await?;
        set_tags_from_api(cx.aws, &mut o, tags, Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let rds = cx.rds();
        let id = id_of(prior)?;
        let old = params_of(prior);
        let new = params_of(planned);
        // Removed parameters go back to the family default.
        let removed: Vec<Parameter> = old
            .iter()
            .filter(|(k, _)| !new.contains_key(*k))
            .map(|(_, p)| p.clone())
            .collect();
        for chunk in removed.chunks(BATCH) {
            call(op("updating", "ResetDBParameterGroup"), || {
                rds.reset_db_parameter_group()
                    .db_parameter_group_name(&id)
                    .set_parameters(Some(chunk.to_vec()))
                    .send()
            })
            .await?;
        }
        let changed: Vec<Parameter> = new
            .iter()
            .filter(|(k, p)| {
                old.get(*k).is_none_or(|o| {
                    o.parameter_value() != p.parameter_value()
                        || o.apply_method() != p.apply_method()
                })
            })
            .map(|(_, p)| p.clone())
            .collect();
        modify(&rds, &id, changed, "updating").await?;
        if let Some(arn) = get_str(prior, "arn") {
            update_tags(
                &rds,
                WHAT,
                &arn,
                &state_tags_all(prior),
                &tags_to_send(cx.aws, planned),
            )
            .await?;
        }
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeDBParameterGroups"),
                "the DB parameter group disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        if get_bool(prior, "skip_destroy") == Some(true) {
            return Ok(());
        }
        let rds = cx.rds();
        let id = id_of(prior)?;
        // A DB instance being deleted still uses the group for a while.
        let r = call_retry(
            op("deleting", "DeleteDBParameterGroup"),
            &["InvalidDBParameterGroupState"],
            cx.timeouts.delete.min(Duration::from_secs(3 * 60)),
            || {
                rds.delete_db_parameter_group()
                    .db_parameter_group_name(&id)
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(&["DBParameterGroupNotFound"]) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeDBParameterGroups"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(2),
            || {
                let (rds, id) = (rds.clone(), id.clone());
                async move {
                    Ok(match describe(&rds, &id, "deleting").await? {
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

/// The `parameter` set of an object, by parameter name.
fn params_of(o: &Obj) -> BTreeMap<String, Parameter> {
    let mut out = BTreeMap::new();
    if let Some(items) = get(o, "parameter").as_seq() {
        for p in items {
            let name = p.get_attr("name").and_then(Value::as_str);
            let value = p.get_attr("value").and_then(Value::as_str);
            let (Some(name), Some(value)) = (name, value) else {
                continue;
            };
            let method = p
                .get_attr("apply_method")
                .and_then(Value::as_str)
                .unwrap_or("immediate");
            out.insert(
                name.to_string(),
                Parameter::builder()
                    .parameter_name(name)
                    .parameter_value(value)
                    .apply_method(ApplyMethod::from(method))
                    .build(),
            );
        }
    }
    out
}

async fn modify(
    rds: &aws_sdk_rds::Client,
    name: &str,
    params: Vec<Parameter>,
    verb: &'static str,
) -> Result<(), ApiError> {
    for chunk in params.chunks(BATCH) {
        call_retry(
            op(verb, "ModifyDBParameterGroup"),
            &["DBParameterGroupNotFound"],
            Duration::from_secs(60),
            || {
                rds.modify_db_parameter_group()
                    .db_parameter_group_name(name)
                    .set_parameters(Some(chunk.to_vec()))
                    .send()
            },
        )
        .await?;
    }
    Ok(())
}

pub(crate) async fn describe(
    rds: &aws_sdk_rds::Client,
    name: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_rds::types::DbParameterGroup>, ApiError> {
    match call(op(verb, "DescribeDBParameterGroups"), || {
        rds.describe_db_parameter_groups()
            .db_parameter_group_name(name)
            .send()
    })
    .await
    {
        Ok(out) => Ok(out
            .db_parameter_groups()
            .iter()
            .find(|g| g.db_parameter_group_name() == Some(name))
            .cloned()),
        Err(e) if e.is(&["DBParameterGroupNotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}
