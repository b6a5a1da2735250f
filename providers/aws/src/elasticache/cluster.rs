//! `aws_elasticache_cluster` (import ID: the cluster ID).
//!
//! A standalone Memcached/Redis cluster, or a read replica in a replication group
//! (`replication_group_id`: engine, version, node type, ports and groups then come from the
//! group).

use super::{list_tags, to_tags, update_tags};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_elasticache::types::AzMode;
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct Cluster;

const WHAT: &str = "ElastiCache Cache Cluster";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "ElastiCache", operation)
}

fn cache_node_type() -> Type {
    Type::object([
        ("address", Type::String),
        ("availability_zone", Type::String),
        ("id", Type::String),
        ("outpost_arn", Type::String),
        ("port", Type::Number),
    ])
}

#[async_trait]
impl Resource for Cluster {
    fn type_name(&self) -> &'static str {
        "aws_elasticache_cluster"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(40 * 60),
            update: Duration::from_secs(80 * 60),
            delete: Duration::from_secs(40 * 60),
            read: Duration::from_secs(20 * 60),
        })
    }
    fn schema(&self) -> Schema {
        let c = Attribute::computed;
        let oc = Attribute::optional_computed;
        let o = Attribute::optional;
        Schema {
            version: 0,
            block: Block::new()
                .attr("apply_immediately", oc(Type::Bool))
                .attr("arn", c(Type::String))
                .attr("auto_minor_version_upgrade", o(Type::String))
                .attr("availability_zone", oc(Type::String).force_new())
                .attr("az_mode", oc(Type::String))
                .attr("cache_nodes", c(Type::list(cache_node_type())))
                .attr("cluster_address", c(Type::String))
                .attr("cluster_id", Attribute::required(Type::String).force_new())
                .attr("configuration_endpoint", c(Type::String))
                .attr("engine", oc(Type::String).force_new())
                .attr("engine_version", oc(Type::String))
                .attr("engine_version_actual", c(Type::String))
                .attr("id", c(Type::String))
                .attr("maintenance_window", oc(Type::String))
                .attr("node_type", oc(Type::String))
                .attr("num_cache_nodes", oc(Type::Number))
                .attr("parameter_group_name", oc(Type::String))
                .attr("port", oc(Type::Number).force_new())
                .attr("replication_group_id", oc(Type::String).force_new())
                .attr("security_group_ids", oc(Type::set(Type::String)))
                .attr("snapshot_retention_limit", o(Type::Number))
                .attr("snapshot_window", oc(Type::String))
                .attr("subnet_group_name", oc(Type::String).force_new())
                .attr("tags", o(Type::map(Type::String))),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![("auto_minor_version_upgrade", s("true"))]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(id) = cfg(config, "cluster_id").and_then(Value::as_str) {
            let ok = !id.is_empty()
                && id.len() <= 50
                && id.starts_with(|c: char| c.is_ascii_alphabetic())
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !id.contains("--")
                && !id.ends_with('-');
            if !ok {
                d.push(attr_error(
                    "cluster_id",
                    "invalid cluster ID",
                    format!("{id:?}: must begin with a letter, contain only ASCII letters, digits, and hyphens (at most 50), and not end with a hyphen or contain two consecutive hyphens."),
                    "use an ID such as \"app-cache\"",
                ));
            }
        }
        let in_group = cfg(config, "replication_group_id").is_some();
        if config.is_wholly_known() && !in_group {
            for k in ["engine", "node_type"] {
                if cfg(config, k).is_none() {
                    d.push(attr_error(
                        k,
                        "missing argument",
                        format!("\"{k}\": one of `{k},replication_group_id` must be specified."),
                        format!("set `{k}` (or `replication_group_id` for a replica in a replication group)"),
                    ));
                }
            }
        }
        if in_group {
            for k in [
                "engine",
                "engine_version",
                "node_type",
                "num_cache_nodes",
                "parameter_group_name",
                "port",
                "subnet_group_name",
                "security_group_ids",
                "snapshot_retention_limit",
                "snapshot_window",
                "az_mode",
                "maintenance_window",
            ] {
                if cfg(config, k).is_some() {
                    d.push(attr_error(
                        k,
                        "conflicting arguments",
                        format!("\"{k}\": conflicts with replication_group_id (a replica takes it from its replication group)."),
                        format!("remove `{k}`"),
                    ));
                }
            }
        }
        if let Some(e) = cfg(config, "engine").and_then(Value::as_str) {
            if !["memcached", "redis", "valkey"].contains(&e) {
                d.push(attr_error(
                    "engine",
                    "unsupported engine",
                    format!("{e:?} is not an ElastiCache engine: expected \"memcached\", \"redis\" or \"valkey\"."),
                    "use \"memcached\", \"redis\" or \"valkey\"",
                ));
            }
        }
        if let Some(l) = cfg(config, "snapshot_retention_limit").and_then(Value::as_i64) {
            if !(0..=35).contains(&l) {
                d.push(attr_error(
                    "snapshot_retention_limit",
                    "out of range",
                    format!("snapshot_retention_limit must be between 0 and 35, got {l}."),
                    "use a number of days from 0 to 35",
                ));
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        if let Some(v) = get_str(planned, "cluster_id") {
            planned.insert("cluster_id".into(), s(v.to_lowercase()));
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec = cx.elasticache();
        let id = get_str(planned, "cluster_id").unwrap_or_default();
        let tags = tags_to_send(cx.aws, planned);
        let num = |k: &str| get_i64(planned, k).map(|n| n as i32);
        let sgs = get_strings(planned, "security_group_ids");
        let req = ec
            .create_cache_cluster()
            .cache_cluster_id(&id)
            .set_replication_group_id(get_str(planned, "replication_group_id"))
            .set_engine(get_str(planned, "engine"))
            .set_engine_version(get_str(planned, "engine_version"))
            .set_cache_node_type(get_str(planned, "node_type"))
            .set_num_cache_nodes(num("num_cache_nodes"))
            .set_cache_parameter_group_name(get_str(planned, "parameter_group_name"))
            .set_port(num("port"))
            .set_cache_subnet_group_name(get_str(planned, "subnet_group_name"))
            .set_security_group_ids((!sgs.is_empty()).then_some(sgs))
            .set_snapshot_retention_limit(num("snapshot_retention_limit").filter(|n| *n > 0))
            .set_snapshot_window(get_str(planned, "snapshot_window"))
            .set_preferred_maintenance_window(get_str(planned, "maintenance_window"))
            .set_preferred_availability_zone(get_str(planned, "availability_zone"))
            .set_az_mode(get_str(planned, "az_mode").map(|m| AzMode::from(m.as_str())))
            .set_auto_minor_version_upgrade(
                get_str(planned, "auto_minor_version_upgrade").map(|v| v == "true"),
            )
            .set_tags(to_tags(&tags));
        call_retry(
            op("creating", "CreateCacheCluster"),
            &[
                "CacheSubnetGroupNotFoundFault",
                "CacheParameterGroupNotFound",
                "ReplicationGroupNotFoundFault",
            ],
            Duration::from_secs(60),
            || req.clone().send(),
        )
        .await?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(id.clone()));
        if let Err(e) = wait_available(&ec, &id, "creating", cx.timeouts.create).await {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeCacheClusters"),
                    "the new cache cluster disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec = cx.elasticache();
        let id = id_of(state)?;
        let Some(c) = describe(&ec, &id, "reading", WHAT).await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        let arn = c
            .arn()
            .map(str::to_string)
            .unwrap_or_else(|| cx.arn("elasticache", &format!("cluster:{id}")));
        o.insert("id".into(), s(id.clone()));
        o.insert("cluster_id".into(), s(id.clone()));
        o.insert("arn".into(), s(arn.clone()));
        o.insert("engine".into(), opt_s(c.engine()));
        let actual = c.engine_version().unwrap_or("").to_string();
        o.insert("engine_version_actual".into(), opt_s(Some(actual.as_str())));
        let configured = get_str(state, "engine_version");
        let keep = configured.as_deref().is_some_and(|v| {
            v == actual
                || actual.starts_with(&format!("{v}."))
                || v.strip_suffix(".x")
                    .is_some_and(|m| actual == m || actual.starts_with(&format!("{m}.")))
        });
        if !keep {
            o.insert("engine_version".into(), opt_s(Some(actual.as_str())));
        }
        o.insert("node_type".into(), opt_s(c.cache_node_type()));
        o.insert(
            "num_cache_nodes".into(),
            n(c.num_cache_nodes().unwrap_or(0) as i64),
        );
        // As upstream: set only when reported (emulators omit some of these).
        if let Some(pg) = c
            .cache_parameter_group()
            .and_then(|p| p.cache_parameter_group_name())
        {
            o.insert("parameter_group_name".into(), s(pg));
        }
        if let Some(sg) = c.cache_subnet_group_name() {
            o.insert("subnet_group_name".into(), s(sg));
        }
        if !c.security_groups().is_empty() {
            o.insert(
                "security_group_ids".into(),
                str_set(
                    c.security_groups()
                        .iter()
                        .filter_map(|x| x.security_group_id().map(str::to_string))
                        .collect(),
                ),
            );
        }
        o.insert(
            "replication_group_id".into(),
            opt_s(c.replication_group_id()),
        );
        o.insert(
            "snapshot_retention_limit".into(),
            n(c.snapshot_retention_limit().unwrap_or(0) as i64),
        );
        o.insert("snapshot_window".into(), opt_s(c.snapshot_window()));
        o.insert(
            "maintenance_window".into(),
            opt_s(c.preferred_maintenance_window()),
        );
        o.insert(
            "availability_zone".into(),
            opt_s(c.preferred_availability_zone()),
        );
        if let Some(a) = c.auto_minor_version_upgrade() {
            o.insert("auto_minor_version_upgrade".into(), s(a.to_string()));
        }
        let cfg_ep = c.configuration_endpoint();
        o.insert(
            "configuration_endpoint".into(),
            match cfg_ep.and_then(|e| e.address()) {
                Some(a) => s(format!(
                    "{a}:{}",
                    cfg_ep.and_then(|e| e.port()).unwrap_or(0)
                )),
                None => Value::Null(Type::String),
            },
        );
        o.insert(
            "cluster_address".into(),
            opt_s(
                cfg_ep
                    .and_then(|e| e.address())
                    .map(|a| a.replacen(".cfg", "", 1))
                    .as_deref(),
            ),
        );
        let nodes: Vec<Value> = c
            .cache_nodes()
            .iter()
            .map(|nd| {
                let ep = nd.endpoint();
                Value::object([
                    ("address", opt_s(ep.and_then(|e| e.address()))),
                    ("availability_zone", opt_s(nd.customer_availability_zone())),
                    ("id", opt_s(nd.cache_node_id())),
                    ("outpost_arn", opt_s(nd.customer_outpost_arn())),
                    (
                        "port",
                        ep.and_then(|e| e.port())
                            .map(|p| n(p as i64))
                            .unwrap_or(Value::Null(Type::Number)),
                    ),
                ])
            })
            .collect();
        let port = c
            .cache_nodes()
            .first()
            .and_then(|nd| nd.endpoint())
            .and_then(|e| e.port())
            .or_else(|| cfg_ep.and_then(|e| e.port()));
        if let Some(p) = port {
            o.insert("port".into(), n(p as i64));
        }
        o.insert("cache_nodes".into(), Value::List(cache_node_type(), nodes));
        let tags = list_tags(&ec, WHAT, &arn).await?;
        set_tags_from_api(cx.aws, &mut o, tags, Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec = cx.elasticache();
        let id = id_of(prior)?;
        let changed = |k: &str| !same(prior.get(k), planned.get(k));
        let num = |k: &str| get_i64(planned, k).map(|n| n as i32);
        let mut req = ec
            .modify_cache_cluster()
            .cache_cluster_id(&id)
            .apply_immediately(get_bool(planned, "apply_immediately").unwrap_or(false));
        let mut any = false;
        if changed("node_type") {
            req = req.set_cache_node_type(get_str(planned, "node_type"));
            any = true;
        }
        if changed("engine_version") {
            req = req.set_engine_version(get_str(planned, "engine_version"));
            any = true;
        }
        if changed("num_cache_nodes") {
            let old = get_i64(prior, "num_cache_nodes").unwrap_or(0);
            let new = get_i64(planned, "num_cache_nodes").unwrap_or(old);
            req = req.set_num_cache_nodes(num("num_cache_nodes"));
            if new < old {
                // Memcached: remove the highest-numbered nodes.
                let ids: Vec<String> = ((new + 1)..=old).map(|i| format!("{i:04}")).collect();
                req = req.set_cache_node_ids_to_remove(Some(ids));
            }
            any = true;
        }
        if changed("parameter_group_name") {
            req = req.set_cache_parameter_group_name(get_str(planned, "parameter_group_name"));
            any = true;
        }
        if changed("security_group_ids") {
            req = req.set_security_group_ids(Some(get_strings(planned, "security_group_ids")));
            any = true;
        }
        if changed("snapshot_retention_limit") {
            req = req.set_snapshot_retention_limit(num("snapshot_retention_limit"));
            any = true;
        }
        if changed("snapshot_window") {
            req = req.set_snapshot_window(get_str(planned, "snapshot_window"));
            any = true;
        }
        if changed("maintenance_window") {
            req = req.set_preferred_maintenance_window(get_str(planned, "maintenance_window"));
            any = true;
        }
        if changed("az_mode") {
            req = req.set_az_mode(get_str(planned, "az_mode").map(|m| AzMode::from(m.as_str())));
            any = true;
        }
        if changed("auto_minor_version_upgrade") {
            req = req.set_auto_minor_version_upgrade(
                get_str(planned, "auto_minor_version_upgrade").map(|v| v == "true"),
            );
            any = true;
        }
        if any {
            call_retry(
                op("updating", "ModifyCacheCluster"),
                &["InvalidCacheClusterState"],
                cx.timeouts.update.min(Duration::from_secs(5 * 60)),
                || req.clone().send(),
            )
            .await?;
            wait_available(&ec, &id, "updating", cx.timeouts.update).await?;
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
                op("updating", "DescribeCacheClusters"),
                "the cache cluster disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec = cx.elasticache();
        let id = id_of(prior)?;
        let r = call_retry(
            op("deleting", "DeleteCacheCluster"),
            &["InvalidCacheClusterState"],
            cx.timeouts.delete.min(Duration::from_secs(10 * 60)),
            || ec.delete_cache_cluster().cache_cluster_id(&id).send(),
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(&["CacheClusterNotFound"]) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeCacheClusters"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(3),
            || {
                let (ec, id) = (ec.clone(), id.clone());
                async move {
                    Ok(match describe(&ec, &id, "deleting", WHAT).await? {
                        None => Poll::Ready(()),
                        Some(c) => Poll::Pending(c.cache_cluster_status().unwrap_or("").into()),
                    })
                }
            },
        )
        .await?;
        Ok(())
    }
}

async fn wait_available(
    ec: &aws_sdk_elasticache::Client,
    id: &str,
    verb: &'static str,
    timeout: Duration,
) -> Result<(), ApiError> {
    wait(
        op(verb, "DescribeCacheClusters"),
        "available",
        timeout,
        Duration::from_secs(5),
        || {
            let (ec, id) = (ec.clone(), id.to_string());
            async move {
                Ok(match describe(&ec, &id, verb, WHAT).await? {
                    None => Poll::Pending("not yet visible".into()),
                    Some(c) => match c.cache_cluster_status().unwrap_or("") {
                        "available" => Poll::Ready(()),
                        st @ ("creating"
                        | "modifying"
                        | "snapshotting"
                        | "rebooting cluster nodes"
                        | "") => Poll::Pending(st.to_string()),
                        st => Poll::Failed(st.to_string()),
                    },
                })
            }
        },
    )
    .await
}

/// DescribeCacheClusters (with node info) for one ID: `None` when it does not exist.
pub(crate) async fn describe(
    ec: &aws_sdk_elasticache::Client,
    id: &str,
    verb: &'static str,
    what: &'static str,
) -> Result<Option<aws_sdk_elasticache::types::CacheCluster>, ApiError> {
    match call(
        Op::new(verb, what, "ElastiCache", "DescribeCacheClusters"),
        || {
            ec.describe_cache_clusters()
                .cache_cluster_id(id)
                .show_cache_node_info(true)
                .send()
        },
    )
    .await
    {
        Ok(out) => Ok(out
            .cache_clusters()
            .iter()
            .find(|c| c.cache_cluster_id() == Some(id))
            .cloned()),
        Err(e) if e.is(&["CacheClusterNotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}
