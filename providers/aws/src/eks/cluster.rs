//! `aws_eks_cluster` (import ID: the cluster name).
//!
//! Implemented arguments: `name`, `role_arn`, `version`, `vpc_config`,
//! `enabled_cluster_log_types`, `bootstrap_self_managed_addons`, `tags`. Not yet:
//! `access_config`, `compute_config`, `encryption_config`, `kubernetes_network_config`,
//! `outpost_config`, `remote_network_config`, `storage_config`, `upgrade_policy`,
//! `zonal_shift_config`, `force_update_version`.

use super::{tag_map, update_tags, wait_update, NOT_FOUND};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_eks::types::{ClusterStatus, LogSetup, LogType, Logging, VpcConfigRequest};
use plinth_sdk::{
    AttrPath, Attribute, Block, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::time::Duration;

pub(crate) struct Cluster;

const WHAT: &str = "EKS Cluster";
const LOG_TYPES: &[&str] = &[
    "api",
    "audit",
    "authenticator",
    "controllerManager",
    "scheduler",
];

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "EKS", operation)
}

fn vpc_block() -> Block {
    Block::new()
        .attr(
            "cluster_security_group_id",
            Attribute::computed(Type::String),
        )
        .attr("endpoint_private_access", Attribute::optional(Type::Bool))
        .attr("endpoint_public_access", Attribute::optional(Type::Bool))
        .attr(
            "public_access_cidrs",
            Attribute::optional_computed(Type::set(Type::String)),
        )
        .attr(
            "security_group_ids",
            Attribute::optional(Type::set(Type::String)),
        )
        .attr("subnet_ids", Attribute::required(Type::set(Type::String)))
        .attr("vpc_id", Attribute::computed(Type::String))
}

fn ca_type() -> Type {
    Type::object([("data", Type::String)])
}
fn identity_type() -> Type {
    Type::object([("oidc", Type::list(Type::object([("issuer", Type::String)])))])
}

/// The single `vpc_config` object.
fn vpc(o: &Obj) -> Option<Value> {
    get(o, "vpc_config")
        .as_seq()
        .and_then(|s| s.first())
        .cloned()
}

fn vpc_request(v: &Value, with_ids: bool) -> VpcConfigRequest {
    let strs = |k: &str| v.get_attr(k).map(strings).filter(|x| !x.is_empty());
    let flag = |k: &str| v.get_attr(k).and_then(Value::as_bool);
    let mut b = VpcConfigRequest::builder()
        .set_endpoint_private_access(flag("endpoint_private_access"))
        .set_endpoint_public_access(flag("endpoint_public_access"))
        .set_public_access_cidrs(strs("public_access_cidrs"));
    if with_ids {
        b = b
            .set_subnet_ids(strs("subnet_ids"))
            .set_security_group_ids(strs("security_group_ids"));
    }
    b.build()
}

/// upstream's `expandLogging`: the listed types enabled, every other type disabled.
fn logging(types: &[String]) -> Logging {
    let (on, off): (Vec<&str>, Vec<&str>) = LOG_TYPES
        .iter()
        .partition(|t| types.iter().any(|x| x == *t));
    let mut b = Logging::builder();
    if !on.is_empty() {
        b = b.cluster_logging(
            LogSetup::builder()
                .set_types(Some(on.iter().map(|t| LogType::from(*t)).collect()))
                .enabled(true)
                .build(),
        );
    }
    if !off.is_empty() {
        b = b.cluster_logging(
            LogSetup::builder()
                .set_types(Some(off.iter().map(|t| LogType::from(*t)).collect()))
                .enabled(false)
                .build(),
        );
    }
    b.build()
}

#[async_trait]
impl Resource for Cluster {
    fn type_name(&self) -> &'static str {
        "aws_eks_cluster"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(30 * 60),
            update: Duration::from_secs(60 * 60),
            delete: Duration::from_secs(15 * 60),
            read: Duration::from_secs(20 * 60),
        })
    }
    fn schema(&self) -> Schema {
        let c = Attribute::computed;
        Schema {
            version: 1,
            block: Block::new()
                .attr("arn", c(Type::String))
                .attr(
                    "bootstrap_self_managed_addons",
                    Attribute::optional(Type::Bool).force_new(),
                )
                .attr("certificate_authority", c(Type::list(ca_type())))
                .attr("cluster_id", c(Type::String))
                .attr("created_at", c(Type::String))
                .attr(
                    "enabled_cluster_log_types",
                    Attribute::optional(Type::set(Type::String)),
                )
                .attr("endpoint", c(Type::String))
                .attr("id", c(Type::String))
                .attr("identity", c(Type::list(identity_type())))
                .attr("name", Attribute::required(Type::String).force_new())
                .attr("platform_version", c(Type::String))
                .attr("role_arn", Attribute::required(Type::String).force_new())
                .attr("status", c(Type::String))
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("version", Attribute::optional_computed(Type::String))
                .block(
                    "vpc_config",
                    NestedBlock {
                        nesting: Nesting::List,
                        min_items: 1,
                        max_items: 1,
                        force_new: false,
                        block: vpc_block(),
                    },
                ),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![("bootstrap_self_managed_addons", b(true))]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(n) = cfg(config, "name").and_then(Value::as_str) {
            let ok = !n.is_empty()
                && n.len() <= 100
                && n.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                d.push(attr_error(
                    "name",
                    "invalid cluster name",
                    format!("{n:?} is not an EKS cluster name: 1-100 characters, starting with a letter or digit, then letters, digits, '-' and '_'."),
                    "use e.g. \"my-cluster\"",
                ));
            }
        }
        if let Some(ts) = cfg(config, "enabled_cluster_log_types") {
            for t in strings(ts) {
                if !LOG_TYPES.contains(&t.as_str()) {
                    d.push(attr_error(
                        "enabled_cluster_log_types",
                        "unknown log type",
                        format!("{t:?} is not an EKS control plane log type."),
                        format!("use some of: {}", LOG_TYPES.join(", ")),
                    ));
                }
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        // Defaults inside vpc_config; computed ones unknown until read (plan_update restores
        // the prior values on updates).
        if let Some(Value::List(t, items)) = planned.get("vpc_config").map(Value::unmarked).cloned()
        {
            let items = items
                .into_iter()
                .map(|v| match v {
                    Value::Object(mut m) => {
                        for (k, a) in &vpc_block().attributes {
                            m.entry(k.clone())
                                .or_insert_with(|| Value::Null(a.ty.clone()));
                        }
                        for (k, d) in [
                            ("endpoint_private_access", false),
                            ("endpoint_public_access", true),
                        ] {
                            if m.get(k).is_none_or(Value::is_null) {
                                m.insert(k.into(), b(d));
                            }
                        }
                        for (k, ty) in [
                            ("cluster_security_group_id", Type::String),
                            ("vpc_id", Type::String),
                            ("public_access_cidrs", Type::set(Type::String)),
                        ] {
                            if m.get(k).is_none_or(Value::is_null) {
                                m.insert(k.into(), Value::Unknown(ty));
                            }
                        }
                        Value::Object(m)
                    }
                    v => v,
                })
                .collect();
            planned.insert("vpc_config".into(), Value::List(t, items));
        }
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, rr: &mut Vec<AttrPath>) {
        let (Some(Value::Object(p)), Some(Value::List(t, items))) = (
            vpc(prior),
            planned.get("vpc_config").map(Value::unmarked).cloned(),
        ) else {
            return;
        };
        if !rr.is_empty() {
            return;
        }
        let items = items
            .into_iter()
            .map(|v| match v {
                Value::Object(mut m) => {
                    for k in ["cluster_security_group_id", "vpc_id", "public_access_cidrs"] {
                        if !m.get(k).is_some_and(Value::is_known) {
                            m.insert(k.into(), p.get(k).cloned().unwrap_or(Value::null()));
                        }
                    }
                    Value::Object(m)
                }
                v => v,
            })
            .collect();
        planned.insert("vpc_config".into(), Value::List(t, items));
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let eks = cx.eks();
        let name = get_str(planned, "name").unwrap_or_default();
        let tags = tags_to_send(cx.aws, planned);
        let v = vpc(planned).unwrap_or(Value::null());
        let req = eks
            .create_cluster()
            .name(&name)
            .role_arn(get_str(planned, "role_arn").unwrap_or_default())
            .set_version(get_str(planned, "version"))
            .resources_vpc_config(vpc_request(&v, true))
            .logging(logging(&get_strings(planned, "enabled_cluster_log_types")))
            .set_bootstrap_self_managed_addons(get_bool(planned, "bootstrap_self_managed_addons"))
            .set_tags((!tags.is_empty()).then(|| tags.into_iter().collect()));
        call_retry(
            op("creating", "CreateCluster"),
            &[],
            Duration::from_secs(120),
            || req.clone().send(),
        )
        .await?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(name.clone()));
        let ready = wait(
            op("creating", "DescribeCluster"),
            "ACTIVE",
            cx.timeouts.create,
            Duration::from_secs(5),
            || {
                let eks = eks.clone();
                let name = name.clone();
                async move {
                    Ok(match describe(&eks, &name, "creating").await? {
                        Some(c) => match c.status() {
                            Some(ClusterStatus::Active) => Poll::Ready(()),
                            Some(ClusterStatus::Failed) => Poll::Failed("FAILED".into()),
                            s => {
                                Poll::Pending(s.map(|s| s.as_str().to_string()).unwrap_or_default())
                            }
                        },
                        None => Poll::Pending("not yet visible".into()),
                    })
                }
            },
        )
        .await;
        if let Err(e) = ready {
            return Err(Failed::partial(partial, e));
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeCluster"),
                    "the new cluster disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let eks = cx.eks();
        let name = id_of(state)?;
        let Some(c) = describe(&eks, &name, "reading").await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("id".into(), s(&name));
        o.insert("name".into(), opt_s(c.name()));
        o.insert("arn".into(), opt_s(c.arn()));
        o.insert("cluster_id".into(), opt_s(c.id()));
        o.insert(
            "created_at".into(),
            opt_s(c.created_at().map(super::rfc3339).as_deref()),
        );
        o.insert("endpoint".into(), opt_s(c.endpoint()));
        o.insert("platform_version".into(), opt_s(c.platform_version()));
        o.insert("role_arn".into(), opt_s(c.role_arn()));
        o.insert("status".into(), opt_s(c.status().map(|s| s.as_str())));
        o.insert("version".into(), opt_s(c.version()));
        if get(&o, "bootstrap_self_managed_addons").is_null() {
            o.insert("bootstrap_self_managed_addons".into(), b(true));
        }
        o.insert(
            "certificate_authority".into(),
            Value::List(
                ca_type(),
                vec![Value::object([(
                    "data",
                    opt_s(c.certificate_authority().and_then(|ca| ca.data())),
                )])],
            ),
        );
        let issuer = c.identity().and_then(|i| i.oidc()).and_then(|o| o.issuer());
        o.insert(
            "identity".into(),
            Value::List(
                identity_type(),
                vec![Value::object([(
                    "oidc",
                    Value::List(
                        Type::object([("issuer", Type::String)]),
                        issuer
                            .map(|i| vec![Value::object([("issuer", s(i))])])
                            .unwrap_or_default(),
                    ),
                )])],
            ),
        );
        let enabled: Vec<String> = c
            .logging()
            .map(|l| {
                l.cluster_logging()
                    .iter()
                    .filter(|s| s.enabled() == Some(true))
                    .flat_map(|s| s.types().iter().map(|t| t.as_str().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let prior_logs_null = get(state, "enabled_cluster_log_types").is_null();
        o.insert(
            "enabled_cluster_log_types".into(),
            if enabled.is_empty() && prior_logs_null {
                Value::Null(Type::set(Type::String))
            } else {
                str_set(enabled)
            },
        );
        if let Some(v) = c.resources_vpc_config() {
            let prior_sgs_null = vpc(state)
                .and_then(|p| p.get_attr("security_group_ids").cloned())
                .is_none_or(|x| x.is_null());
            let sgs = v.security_group_ids().to_vec();
            // Both endpoints off is not a valid EKS configuration: an endpoint that reports
            // neither (moto) gets upstream's defaults (public on, private off).
            let (private, public) = match (v.endpoint_private_access(), v.endpoint_public_access())
            {
                (false, false) => (false, true),
                x => x,
            };
            let obj = Value::object([
                (
                    "cluster_security_group_id",
                    opt_s(v.cluster_security_group_id()),
                ),
                ("endpoint_private_access", b(private)),
                ("endpoint_public_access", b(public)),
                (
                    "public_access_cidrs",
                    str_set(v.public_access_cidrs().to_vec()),
                ),
                (
                    "security_group_ids",
                    if sgs.is_empty() && prior_sgs_null {
                        Value::Null(Type::set(Type::String))
                    } else {
                        str_set(sgs)
                    },
                ),
                ("subnet_ids", str_set(v.subnet_ids().to_vec())),
                ("vpc_id", opt_s(v.vpc_id())),
            ]);
            o.insert(
                "vpc_config".into(),
                Value::List(vpc_block().implied_type(), vec![obj]),
            );
        }
        set_tags_from_api(cx.aws, &mut o, tag_map(c.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let eks = cx.eks();
        let name = id_of(prior)?;
        let t = cx.timeouts.update;
        if !same(prior.get("version"), planned.get("version")) {
            if let Some(ver) = get_str(planned, "version") {
                let uop = op("updating", "UpdateClusterVersion");
                let out = call(uop, || {
                    eks.update_cluster_version()
                        .name(&name)
                        .version(&ver)
                        .send()
                })
                .await?;
                wait_update(&eks, uop, &name, None, out.update(), t).await?;
            }
        }
        if !same(
            prior.get("enabled_cluster_log_types"),
            planned.get("enabled_cluster_log_types"),
        ) {
            let l = logging(&get_strings(planned, "enabled_cluster_log_types"));
            let uop = op("updating", "UpdateClusterConfig");
            let out = call(uop, || {
                eks.update_cluster_config()
                    .name(&name)
                    .logging(l.clone())
                    .send()
            })
            .await?;
            wait_update(&eks, uop, &name, None, out.update(), t).await?;
        }
        let (pv, nv) = (
            vpc(prior).unwrap_or(Value::null()),
            vpc(planned).unwrap_or(Value::null()),
        );
        let changed = |k: &str| !same(pv.get_attr(k), nv.get_attr(k));
        if changed("endpoint_private_access")
            || changed("endpoint_public_access")
            || changed("public_access_cidrs")
        {
            let r = vpc_request(&nv, false);
            let uop = op("updating", "UpdateClusterConfig");
            let out = call(uop, || {
                eks.update_cluster_config()
                    .name(&name)
                    .resources_vpc_config(r.clone())
                    .send()
            })
            .await?;
            wait_update(&eks, uop, &name, None, out.update(), t).await?;
        }
        if changed("subnet_ids") || changed("security_group_ids") {
            let r = VpcConfigRequest::builder()
                .set_subnet_ids(Some(
                    nv.get_attr("subnet_ids").map(strings).unwrap_or_default(),
                ))
                .set_security_group_ids(Some(
                    nv.get_attr("security_group_ids")
                        .map(strings)
                        .unwrap_or_default(),
                ))
                .build();
            let uop = op("updating", "UpdateClusterConfig");
            let out = call(uop, || {
                eks.update_cluster_config()
                    .name(&name)
                    .resources_vpc_config(r.clone())
                    .send()
            })
            .await?;
            wait_update(&eks, uop, &name, None, out.update(), t).await?;
        }
        let arn = get_str(prior, "arn").unwrap_or_default();
        update_tags(
            &eks,
            WHAT,
            &arn,
            &super::state_tags(prior),
            &tags_to_send(cx.aws, planned),
        )
        .await?;
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeCluster"),
                "the cluster disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let eks = cx.eks();
        let name = id_of(prior)?;
        // ResourceInUseException while node groups or an update are still going away.
        let r = call_retry(
            op("deleting", "DeleteCluster"),
            &["ResourceInUseException"],
            cx.timeouts.delete.min(Duration::from_secs(10 * 60)),
            || eks.delete_cluster().name(&name).send(),
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(NOT_FOUND) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeCluster"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(5),
            || {
                let eks = eks.clone();
                let name = name.clone();
                async move {
                    Ok(match describe(&eks, &name, "deleting").await? {
                        None => Poll::Ready(()),
                        Some(c) => Poll::Pending(
                            c.status()
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
    eks: &aws_sdk_eks::Client,
    name: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_eks::types::Cluster>, ApiError> {
    match call(op(verb, "DescribeCluster"), || {
        eks.describe_cluster().name(name).send()
    })
    .await
    {
        Ok(o) => Ok(o.cluster().cloned()),
        Err(e) if e.is(NOT_FOUND) => Ok(None),
        Err(e) => Err(e),
    }
}
