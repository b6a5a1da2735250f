//! `aws_elasticache_subnet_group` (import ID: the name).

use super::{list_tags, to_tags, update_tags};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct SubnetGroup;

const WHAT: &str = "ElastiCache Subnet Group";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "ElastiCache", operation)
}

#[async_trait]
impl Resource for SubnetGroup {
    fn type_name(&self) -> &'static str {
        "aws_elasticache_subnet_group"
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
                .attr("name", Attribute::required(Type::String).force_new())
                .attr("subnet_ids", Attribute::required(Type::set(Type::String)))
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("vpc_id", Attribute::computed(Type::String)),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![("description", s("Managed by Terraform"))]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(n) = cfg(config, "name").and_then(Value::as_str) {
            let ok = !n.is_empty()
                && n.len() <= 255
                && n.starts_with(|c: char| c.is_ascii_alphabetic())
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !n.contains("--")
                && !n.ends_with('-');
            if !ok {
                d.push(attr_error(
                    "name",
                    "invalid ElastiCache subnet group name",
                    format!("{n:?}: must begin with a letter, contain only ASCII letters, digits, and hyphens, and not end with a hyphen or contain two consecutive hyphens."),
                    "use a name such as \"cache-subnets\"",
                ));
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        // AWS stores the name lowercased (upstream StateFunc).
        if let Some(v) = get_str(planned, "name") {
            planned.insert("name".into(), s(v.to_lowercase()));
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec = cx.elasticache();
        let name = get_str(planned, "name").unwrap_or_default();
        let tags = tags_to_send(cx.aws, planned);
        call(op("creating", "CreateCacheSubnetGroup"), || {
            ec.create_cache_subnet_group()
                .cache_subnet_group_name(&name)
                .set_cache_subnet_group_description(get_str(planned, "description"))
                .set_subnet_ids(Some(get_strings(planned, "subnet_ids")))
                .set_tags(to_tags(&tags))
                .send()
        })
        .await?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(name.clone()));
        let waited = wait(
            op("creating", "DescribeCacheSubnetGroups"),
            "visible",
            cx.timeouts.create,
            Duration::from_secs(2),
            || {
                let (ec, name) = (ec.clone(), name.clone());
                async move {
                    Ok(match describe(&ec, &name, "creating").await? {
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
                    op("creating", "DescribeCacheSubnetGroups"),
                    "the new subnet group disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec = cx.elasticache();
        let id = id_of(state)?;
        let Some(g) = describe(&ec, &id, "reading").await? else {
            return Ok(None);
        };
        let name = g.cache_subnet_group_name().unwrap_or(&id).to_string();
        let arn = g
            .arn()
            .map(str::to_string)
            .unwrap_or_else(|| cx.arn("elasticache", &format!("subnetgroup:{name}")));
        let mut o = state.clone();
        o.insert("id".into(), s(name.clone()));
        o.insert("name".into(), s(name));
        o.insert("arn".into(), s(arn.clone()));
        o.insert(
            "description".into(),
            s(g.cache_subnet_group_description().unwrap_or("")),
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
        o.insert("vpc_id".into(), opt_s(g.vpc_id()));
        let tags = list_tags(&ec, WHAT, &arn).await?;
        set_tags_from_api(cx.aws, &mut o, tags, Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec = cx.elasticache();
        let id = id_of(prior)?;
        if !same(prior.get("description"), planned.get("description"))
            || !same(prior.get("subnet_ids"), planned.get("subnet_ids"))
        {
            call(op("updating", "ModifyCacheSubnetGroup"), || {
                ec.modify_cache_subnet_group()
                    .cache_subnet_group_name(&id)
                    .set_cache_subnet_group_description(get_str(planned, "description"))
                    .set_subnet_ids(Some(get_strings(planned, "subnet_ids")))
                    .send()
            })
            .await?;
        }
        if let Some(arn) = get_str(prior, "arn") {
            update_tags(
                &ec,
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
                op("updating", "DescribeCacheSubnetGroups"),
                "the subnet group disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec = cx.elasticache();
        let id = id_of(prior)?;
        // Clusters being deleted still hold the group for a while.
        let r = call_retry(
            op("deleting", "DeleteCacheSubnetGroup"),
            &["CacheSubnetGroupInUse", "DependencyViolation"],
            cx.timeouts.delete.min(Duration::from_secs(15 * 60)),
            || {
                ec.delete_cache_subnet_group()
                    .cache_subnet_group_name(&id)
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(&["CacheSubnetGroupNotFoundFault"]) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeCacheSubnetGroups"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(2),
            || {
                let (ec, id) = (ec.clone(), id.clone());
                async move {
                    Ok(match describe(&ec, &id, "deleting").await? {
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
    ec: &aws_sdk_elasticache::Client,
    name: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_elasticache::types::CacheSubnetGroup>, ApiError> {
    match call(op(verb, "DescribeCacheSubnetGroups"), || {
        ec.describe_cache_subnet_groups()
            .cache_subnet_group_name(name)
            .send()
    })
    .await
    {
        Ok(out) => Ok(out
            .cache_subnet_groups()
            .iter()
            .find(|g| g.cache_subnet_group_name() == Some(name))
            .cloned()),
        Err(e) if e.is(&["CacheSubnetGroupNotFoundFault"]) => Ok(None),
        Err(e) => Err(e),
    }
}
