//! `aws_db_subnet_group` (import ID: the name).

use super::{list_tags, to_tags, update_tags};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct DbSubnetGroup;

const WHAT: &str = "RDS DB Subnet Group";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "RDS", operation)
}

#[async_trait]
impl Resource for DbSubnetGroup {
    fn type_name(&self) -> &'static str {
        "aws_db_subnet_group"
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
                .attr("id", Attribute::computed(Type::String))
                .attr(
                    "name",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "name_prefix",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("subnet_ids", Attribute::required(Type::set(Type::String)))
                .attr(
                    "supported_network_types",
                    Attribute::computed(Type::set(Type::String)),
                )
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("vpc_id", Attribute::computed(Type::String)),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![("description", s("Managed by Terraform"))]
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
            if !valid_name(n) {
                d.push(attr_error(
                    "name",
                    "invalid DB subnet group name",
                    format!("{n:?}: only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces allowed (at most 255), and not \"default\"."),
                    "use a lowercase name such as \"main\"",
                ));
            }
        }
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let rds = cx.rds();
        let name = generated_name(get_str(planned, "name"), get_str(planned, "name_prefix"));
        let tags = tags_to_send(cx.aws, planned);
        call(op("creating", "CreateDBSubnetGroup"), || {
            rds.create_db_subnet_group()
                .db_subnet_group_name(&name)
                .set_db_subnet_group_description(get_str(planned, "description"))
                .set_subnet_ids(Some(get_strings(planned, "subnet_ids")))
                .set_tags(to_tags(&tags))
                .send()
        })
        .await?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(name.clone()));
        partial.insert("name".into(), s(name.clone()));
        let waited = wait(
            op("creating", "DescribeDBSubnetGroups"),
            "visible",
            cx.timeouts.create,
            Duration::from_secs(2),
            || {
                let (rds, name) = (rds.clone(), name.clone());
                async move {
                    Ok(match describe(&rds, &name, "creating").await? {
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
                    op("creating", "DescribeDBSubnetGroups"),
                    "the new DB subnet group disappeared",
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
        let name = g.db_subnet_group_name().unwrap_or(&id).to_string();
        let arn = g
            .db_subnet_group_arn()
            .map(str::to_string)
            .unwrap_or_else(|| cx.arn("rds", &format!("subgrp:{name}")));
        let mut o = state.clone();
        o.insert("id".into(), s(name.clone()));
        o.insert("name".into(), s(name.clone()));
        o.insert(
            "name_prefix".into(),
            opt_s(name_prefix_from_name(&name).as_deref()),
        );
        o.insert("arn".into(), s(arn.clone()));
        o.insert(
            "description".into(),
            s(g.db_subnet_group_description().unwrap_or("")),
        );
        o.insert(
            "subnet_ids".into(),
            str_set(
                g.subnets()
                    .iter()
                    .filter_map(|x| x.subnet_identifier().map(str::to_string))
                    .collect(),
            ),
        );
        o.insert(
            "supported_network_types".into(),
            str_set(g.supported_network_types().to_vec()),
        );
        o.insert("vpc_id".into(), opt_s(g.vpc_id()));
        let tags = list_tags(&rds, WHAT, &arn).await?;
        set_tags_from_api(cx.aws, &mut o, tags, Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let rds = cx.rds();
        let id = id_of(prior)?;
        if !same(prior.get("description"), planned.get("description"))
            || !same(prior.get("subnet_ids"), planned.get("subnet_ids"))
        {
            call(op("updating", "ModifyDBSubnetGroup"), || {
                rds.modify_db_subnet_group()
                    .db_subnet_group_name(&id)
                    .set_db_subnet_group_description(get_str(planned, "description"))
                    .set_subnet_ids(Some(get_strings(planned, "subnet_ids")))
                    .send()
            })
            .await?;
        }
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
                op("updating", "DescribeDBSubnetGroups"),
                "the DB subnet group disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let rds = cx.rds();
        let id = id_of(prior)?;
        // A DB instance being deleted still holds the group for a while.
        let r = call_retry(
            op("deleting", "DeleteDBSubnetGroup"),
            &["InvalidDBSubnetGroupStateFault"],
            cx.timeouts.delete.min(Duration::from_secs(10 * 60)),
            || {
                rds.delete_db_subnet_group()
                    .db_subnet_group_name(&id)
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(&["DBSubnetGroupNotFoundFault"]) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeDBSubnetGroups"),
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

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 255
        && n != "default"
        && n.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.' | ' ')
        })
}

pub(crate) async fn describe(
    rds: &aws_sdk_rds::Client,
    name: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_rds::types::DbSubnetGroup>, ApiError> {
    match call(op(verb, "DescribeDBSubnetGroups"), || {
        rds.describe_db_subnet_groups()
            .db_subnet_group_name(name)
            .send()
    })
    .await
    {
        Ok(out) => Ok(out
            .db_subnet_groups()
            .iter()
            .find(|g| g.db_subnet_group_name() == Some(name))
            .cloned()),
        Err(e) if e.is(&["DBSubnetGroupNotFoundFault"]) => Ok(None),
        Err(e) => Err(e),
    }
}
