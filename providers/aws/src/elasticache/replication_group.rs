//! `aws_elasticache_replication_group` (import ID: the replication group ID).
//!
//! Cluster mode disabled or enabled (`num_node_groups`). Engine version, parameter group,
//! subnet group, security groups and maintenance window are read from the primary member
//! cluster, as upstream; when the endpoint has no member cluster to describe (moto), the
//! values in state are kept. A group in state `deleting` reads as gone (upstream).

use super::{list_tags, to_tags, update_tags};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_elasticache::types::{
    AuthTokenUpdateStrategyType, AutomaticFailoverStatus, MultiAzStatus,
};
use plinth_sdk::{Attribute, Block, Diagnostics, Schema, Type, Value};
use std::time::Duration;

pub(crate) struct ReplicationGroup;

const WHAT: &str = "ElastiCache Replication Group";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "ElastiCache", operation)
}

#[async_trait]
impl Resource for ReplicationGroup {
    fn type_name(&self) -> &'static str {
        "aws_elasticache_replication_group"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(60 * 60),
            update: Duration::from_secs(40 * 60),
            delete: Duration::from_secs(45 * 60),
            read: Duration::from_secs(20 * 60),
        })
    }
    fn schema(&self) -> Schema {
        let c = Attribute::computed;
        let oc = Attribute::optional_computed;
        let o = Attribute::optional;
        Schema {
            version: 2,
            block: Block::new()
                .attr("apply_immediately", oc(Type::Bool))
                .attr("arn", c(Type::String))
                .attr("at_rest_encryption_enabled", oc(Type::Bool).force_new())
                .attr("auth_token", o(Type::String).sensitive())
                .attr("auto_minor_version_upgrade", oc(Type::String))
                .attr("automatic_failover_enabled", o(Type::Bool))
                .attr("cluster_enabled", c(Type::Bool))
                .attr("configuration_endpoint_address", c(Type::String))
                .attr("description", Attribute::required(Type::String))
                .attr("engine", o(Type::String))
                .attr("engine_version", oc(Type::String))
                .attr("engine_version_actual", c(Type::String))
                .attr("id", c(Type::String))
                .attr("kms_key_id", o(Type::String).force_new())
                .attr("maintenance_window", oc(Type::String))
                .attr("member_clusters", c(Type::set(Type::String)))
                .attr("multi_az_enabled", o(Type::Bool))
                .attr("node_type", oc(Type::String))
                .attr("num_cache_clusters", oc(Type::Number))
                .attr("num_node_groups", oc(Type::Number))
                .attr("parameter_group_name", oc(Type::String))
                .attr("port", oc(Type::Number).force_new())
                .attr("primary_endpoint_address", c(Type::String))
                .attr("reader_endpoint_address", c(Type::String))
                .attr("replicas_per_node_group", oc(Type::Number))
                .attr(
                    "replication_group_id",
                    Attribute::required(Type::String).force_new(),
                )
                .attr("security_group_ids", oc(Type::set(Type::String)))
                .attr("snapshot_retention_limit", o(Type::Number))
                .attr("snapshot_window", oc(Type::String))
                .attr("subnet_group_name", oc(Type::String).force_new())
                .attr("tags", o(Type::map(Type::String)))
                .attr("transit_encryption_enabled", oc(Type::Bool)),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("automatic_failover_enabled", b(false)),
            ("engine", s("redis")),
            ("multi_az_enabled", b(false)),
            ("snapshot_retention_limit", n(0)),
        ]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(id) = cfg(config, "replication_group_id").and_then(Value::as_str) {
            let ok = !id.is_empty()
                && id.len() <= 40
                && id.starts_with(|c: char| c.is_ascii_alphabetic())
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !id.contains("--")
                && !id.ends_with('-');
            if !ok {
                d.push(attr_error(
                    "replication_group_id",
                    "invalid replication group ID",
                    format!("{id:?}: must begin with a letter, contain only ASCII letters, digits, and hyphens (at most 40), and not end with a hyphen or contain two consecutive hyphens."),
                    "use an ID such as \"app-cache\"",
                ));
            }
        }
        if let Some(e) = cfg(config, "engine").and_then(Value::as_str) {
            if !["redis", "valkey"].contains(&e) {
                d.push(attr_error(
                    "engine",
                    "unsupported engine",
                    format!("{e:?} is not a replication group engine: expected \"redis\" or \"valkey\"."),
                    "use \"redis\" or \"valkey\"",
                ));
            }
        }
        if cfg(config, "auth_token").is_some()
            && cfg(config, "transit_encryption_enabled").and_then(Value::as_bool) == Some(false)
        {
            d.push(attr_error(
                "auth_token",
                "needs transit encryption",
                "An auth_token can only be used with transit_encryption_enabled = true.",
                "set `transit_encryption_enabled = true`",
            ));
        }
        if cfg(config, "automatic_failover_enabled").and_then(Value::as_bool) == Some(true) {
            if let Some(nc) = cfg(config, "num_cache_clusters").and_then(Value::as_i64) {
                if nc < 2 {
                    d.push(attr_error(
                        "num_cache_clusters",
                        "too few cache clusters for automatic failover",
                        "\"num_cache_clusters\": must be at least 2 if automatic_failover_enabled is true.",
                        "set `num_cache_clusters = 2` or more, or turn automatic failover off",
                    ));
                }
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
        if let Some(v) = get_str(planned, "replication_group_id") {
            planned.insert("replication_group_id".into(), s(v.to_lowercase()));
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec = cx.elasticache();
        let id = get_str(planned, "replication_group_id").unwrap_or_default();
        let tags = tags_to_send(cx.aws, planned);
        let num = |k: &str| get_i64(planned, k).map(|n| n as i32);
        let sgs = get_strings(planned, "security_group_ids");
        let amvu = get_str(planned, "auto_minor_version_upgrade").map(|v| v == "true");
        let req = ec
            .create_replication_group()
            .replication_group_id(&id)
            .set_replication_group_description(get_str(planned, "description"))
            .set_engine(get_str(planned, "engine"))
            .set_engine_version(get_str(planned, "engine_version"))
            .set_cache_node_type(get_str(planned, "node_type"))
            .set_num_cache_clusters(num("num_cache_clusters"))
            .set_num_node_groups(num("num_node_groups"))
            .set_replicas_per_node_group(num("replicas_per_node_group"))
            .set_port(num("port"))
            .set_cache_parameter_group_name(get_str(planned, "parameter_group_name"))
            .set_cache_subnet_group_name(get_str(planned, "subnet_group_name"))
            .set_security_group_ids((!sgs.is_empty()).then_some(sgs))
            .set_automatic_failover_enabled(get_bool(planned, "automatic_failover_enabled"))
            .set_multi_az_enabled(get_bool(planned, "multi_az_enabled"))
            .set_at_rest_encryption_enabled(get_bool(planned, "at_rest_encryption_enabled"))
            .set_transit_encryption_enabled(get_bool(planned, "transit_encryption_enabled"))
            .set_auth_token(get_str(planned, "auth_token"))
            .set_kms_key_id(get_str(planned, "kms_key_id"))
            .set_snapshot_retention_limit(num("snapshot_retention_limit").filter(|n| *n > 0))
            .set_snapshot_window(get_str(planned, "snapshot_window"))
            .set_preferred_maintenance_window(get_str(planned, "maintenance_window"))
            .set_auto_minor_version_upgrade(amvu)
            .set_tags(to_tags(&tags));
        call_retry(
            op("creating", "CreateReplicationGroup"),
            &[
                "CacheSubnetGroupNotFoundFault",
                "CacheParameterGroupNotFound",
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
                    op("creating", "DescribeReplicationGroups"),
                    "the new replication group disappeared",
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
        if g.status() == Some("deleting") {
            return Ok(None);
        }
        let mut o = state.clone();
        let arn = g
            .arn()
            .map(str::to_string)
            .unwrap_or_else(|| cx.arn("elasticache", &format!("replicationgroup:{id}")));
        o.insert("id".into(), s(id.clone()));
        o.insert("replication_group_id".into(), s(id.clone()));
        o.insert("arn".into(), s(arn.clone()));
        o.insert("description".into(), s(g.description().unwrap_or("")));
        if let Some(e) = g.engine() {
            o.insert("engine".into(), s(e));
        } else if get(&o, "engine").is_null() {
            o.insert("engine".into(), s("redis"));
        }
        o.insert("node_type".into(), opt_s(g.cache_node_type()));
        o.insert(
            "automatic_failover_enabled".into(),
            b(matches!(
                g.automatic_failover(),
                Some(AutomaticFailoverStatus::Enabled | AutomaticFailoverStatus::Enabling)
            )),
        );
        o.insert(
            "multi_az_enabled".into(),
            b(matches!(g.multi_az(), Some(MultiAzStatus::Enabled))),
        );
        o.insert(
            "at_rest_encryption_enabled".into(),
            b(g.at_rest_encryption_enabled().unwrap_or(false)),
        );
        o.insert(
            "transit_encryption_enabled".into(),
            b(g.transit_encryption_enabled().unwrap_or(false)),
        );
        o.insert("kms_key_id".into(), {
            let k = g.kms_key_id().filter(|k| !k.is_empty());
            match k {
                Some(k) => s(k),
                None => get(state, "kms_key_id").clone(),
            }
        });
        o.insert(
            "snapshot_retention_limit".into(),
            n(g.snapshot_retention_limit().unwrap_or(0) as i64),
        );
        o.insert("snapshot_window".into(), opt_s(g.snapshot_window()));
        let members: Vec<String> = g.member_clusters().to_vec();
        o.insert("member_clusters".into(), str_set(members.clone()));
        let cluster_enabled = g.cluster_enabled().unwrap_or(false);
        o.insert("cluster_enabled".into(), b(cluster_enabled));
        let groups = g.node_groups();
        if cluster_enabled {
            o.insert("num_node_groups".into(), n(groups.len() as i64));
            let replicas = groups
                .first()
                .map(|ng| ng.node_group_members().len().saturating_sub(1))
                .unwrap_or(0);
            o.insert("replicas_per_node_group".into(), n(replicas as i64));
            o.insert("num_cache_clusters".into(), n(members.len() as i64));
        } else {
            o.insert("num_cache_clusters".into(), n(members.len() as i64));
            o.insert("num_node_groups".into(), n(groups.len().max(1) as i64));
            o.insert(
                "replicas_per_node_group".into(),
                n(members.len().saturating_sub(1) as i64),
            );
        }
        let ng = groups.first();
        o.insert(
            "primary_endpoint_address".into(),
            opt_s(
                ng.and_then(|x| x.primary_endpoint())
                    .and_then(|e| e.address()),
            ),
        );
        o.insert(
            "reader_endpoint_address".into(),
            opt_s(
                ng.and_then(|x| x.reader_endpoint())
                    .and_then(|e| e.address()),
            ),
        );
        o.insert(
            "configuration_endpoint_address".into(),
            opt_s(g.configuration_endpoint().and_then(|e| e.address())),
        );
        let port = g
            .configuration_endpoint()
            .and_then(|e| e.port())
            .or_else(|| ng.and_then(|x| x.primary_endpoint()).and_then(|e| e.port()));
        if let Some(p) = port {
            o.insert("port".into(), n(p as i64));
        }
        if let Some(a) = g.auto_minor_version_upgrade() {
            o.insert("auto_minor_version_upgrade".into(), s(a.to_string()));
        }
        // The rest lives on the member clusters.
        let primary = ng
            .and_then(|x| {
                x.node_group_members()
                    .iter()
                    .find(|m| m.current_role() == Some("primary"))
                    .or(x.node_group_members().first())
            })
            .and_then(|m| m.cache_cluster_id())
            .map(str::to_string)
            .or_else(|| members.first().cloned());
        let mut actual_version = None;
        if let Some(pid) = primary {
            if let Some(c) = super::cluster::describe(&ec, &pid, "reading", WHAT).await? {
                actual_version = c.engine_version().map(str::to_string);
                o.insert(
                    "parameter_group_name".into(),
                    opt_s(
                        c.cache_parameter_group()
                            .and_then(|p| p.cache_parameter_group_name()),
                    ),
                );
                o.insert(
                    "subnet_group_name".into(),
                    opt_s(c.cache_subnet_group_name()),
                );
                o.insert(
                    "security_group_ids".into(),
                    str_set(
                        c.security_groups()
                            .iter()
                            .filter_map(|x| x.security_group_id().map(str::to_string))
                            .collect(),
                    ),
                );
                o.insert(
                    "maintenance_window".into(),
                    opt_s(c.preferred_maintenance_window()),
                );
            }
        }
        // The configured version may be a prefix ("7.1") or `7.x`-style of the running one.
        match actual_version {
            Some(v) => {
                o.insert("engine_version_actual".into(), s(v.clone()));
                let configured = get_str(state, "engine_version");
                let keep = configured
                    .as_deref()
                    .is_some_and(|c| version_matches(c, &v));
                if !keep {
                    o.insert("engine_version".into(), s(v));
                }
            }
            None => {
                let v = get(state, "engine_version").clone();
                o.insert("engine_version_actual".into(), v);
            }
        }
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
            .modify_replication_group()
            .replication_group_id(&id)
            .apply_immediately(get_bool(planned, "apply_immediately").unwrap_or(false));
        let mut any = false;
        if changed("description") {
            req = req.set_replication_group_description(get_str(planned, "description"));
            any = true;
        }
        if changed("node_type") {
            req = req.set_cache_node_type(get_str(planned, "node_type"));
            any = true;
        }
        if changed("engine") {
            req = req.set_engine(get_str(planned, "engine"));
            any = true;
        }
        if changed("engine_version") {
            req = req.set_engine_version(get_str(planned, "engine_version"));
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
        if changed("automatic_failover_enabled") {
            req =
                req.set_automatic_failover_enabled(get_bool(planned, "automatic_failover_enabled"));
            any = true;
        }
        if changed("multi_az_enabled") {
            req = req.set_multi_az_enabled(get_bool(planned, "multi_az_enabled"));
            any = true;
        }
        if changed("transit_encryption_enabled") {
            req =
                req.set_transit_encryption_enabled(get_bool(planned, "transit_encryption_enabled"));
            any = true;
        }
        if changed("auto_minor_version_upgrade") {
            req = req.set_auto_minor_version_upgrade(
                get_str(planned, "auto_minor_version_upgrade").map(|v| v == "true"),
            );
            any = true;
        }
        if changed("auth_token") {
            if let Some(t) = get_str(planned, "auth_token") {
                req = req
                    .auth_token(t)
                    .auth_token_update_strategy(AuthTokenUpdateStrategyType::Rotate);
                any = true;
            }
        }
        if any {
            call_retry(
                op("updating", "ModifyReplicationGroup"),
                &["InvalidReplicationGroupState"],
                cx.timeouts.update.min(Duration::from_secs(5 * 60)),
                || req.clone().send(),
            )
            .await?;
            wait_available(&ec, &id, "updating", cx.timeouts.update).await?;
        }
        if changed("num_cache_clusters") && get_bool(prior, "cluster_enabled") != Some(true) {
            let old = get_i64(prior, "num_cache_clusters").unwrap_or(1);
            if let Some(new) = get_i64(planned, "num_cache_clusters") {
                let replicas = (new - 1).max(0) as i32;
                if new > old {
                    call(op("updating", "IncreaseReplicaCount"), || {
                        ec.increase_replica_count()
                            .replication_group_id(&id)
                            .new_replica_count(replicas)
                            .apply_immediately(true)
                            .send()
                    })
                    .await?;
                } else if new < old {
                    call(op("updating", "DecreaseReplicaCount"), || {
                        ec.decrease_replica_count()
                            .replication_group_id(&id)
                            .new_replica_count(replicas)
                            .apply_immediately(true)
                            .send()
                    })
                    .await?;
                }
                wait_available(&ec, &id, "updating", cx.timeouts.update).await?;
            }
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
                op("updating", "DescribeReplicationGroups"),
                "the replication group disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec = cx.elasticache();
        let id = id_of(prior)?;
        let r = call_retry(
            op("deleting", "DeleteReplicationGroup"),
            &["InvalidReplicationGroupState"],
            cx.timeouts.delete.min(Duration::from_secs(10 * 60)),
            || {
                ec.delete_replication_group()
                    .replication_group_id(&id)
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(&["ReplicationGroupNotFoundFault"]) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeReplicationGroups"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(3),
            || {
                let (ec, id) = (ec.clone(), id.clone());
                async move {
                    Ok(match describe(&ec, &id, "deleting").await? {
                        None => Poll::Ready(()),
                        Some(g) => Poll::Pending(g.status().unwrap_or("").into()),
                    })
                }
            },
        )
        .await?;
        Ok(())
    }
}

/// Whether a configured engine version covers the running one: equal, a prefix (`7.1` of
/// `7.1.0`), or a `7.x`-style pattern.
fn version_matches(configured: &str, actual: &str) -> bool {
    if configured == actual || actual.starts_with(&format!("{configured}.")) {
        return true;
    }
    match configured.strip_suffix(".x") {
        Some(major) => actual == major || actual.starts_with(&format!("{major}.")),
        None => false,
    }
}

async fn wait_available(
    ec: &aws_sdk_elasticache::Client,
    id: &str,
    verb: &'static str,
    timeout: Duration,
) -> Result<(), ApiError> {
    wait(
        op(verb, "DescribeReplicationGroups"),
        "available",
        timeout,
        Duration::from_secs(5),
        || {
            let (ec, id) = (ec.clone(), id.to_string());
            async move {
                Ok(match describe(&ec, &id, verb).await? {
                    None => Poll::Pending("not yet visible".into()),
                    Some(g) => match g.status().unwrap_or("") {
                        "available" => Poll::Ready(()),
                        st @ ("creating" | "modifying" | "snapshotting" | "") => {
                            Poll::Pending(st.to_string())
                        }
                        st => Poll::Failed(st.to_string()),
                    },
                })
            }
        },
    )
    .await
}

pub(crate) async fn describe(
    ec: &aws_sdk_elasticache::Client,
    id: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_elasticache::types::ReplicationGroup>, ApiError> {
    match call(op(verb, "DescribeReplicationGroups"), || {
        ec.describe_replication_groups()
            .replication_group_id(id)
            .send()
    })
    .await
    {
        Ok(out) => Ok(out
            .replication_groups()
            .iter()
            .find(|g| g.replication_group_id() == Some(id))
            .cloned()),
        Err(e) if e.is(&["ReplicationGroupNotFoundFault"]) => Ok(None),
        Err(e) => Err(e),
    }
}
