//! `aws_eks_node_group` (import ID: `cluster_name:node_group_name`).
//!
//! Implemented arguments: `cluster_name`, `node_group_name`/`node_group_name_prefix`,
//! `node_role_arn`, `subnet_ids`, `scaling_config`, `instance_types`, `ami_type`,
//! `capacity_type`, `disk_size`, `labels`, `version`, `release_version`, `tags`. Not yet:
//! `launch_template`, `remote_access`, `taint`, `update_config`, `node_repair_config`.

use super::{state_tags, tag_map, update_tags, wait_update, NOT_FOUND};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_eks::types::{
    AmiTypes, CapacityTypes, NodegroupScalingConfig, NodegroupStatus, UpdateLabelsPayload,
};
use plinth_sdk::{
    Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::collections::HashMap;
use std::time::Duration;

pub(crate) struct NodeGroup;

const WHAT: &str = "EKS Node Group";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "EKS", operation)
}

fn resources_type() -> Type {
    Type::object([
        (
            "autoscaling_groups",
            Type::list(Type::object([("name", Type::String)])),
        ),
        ("remote_access_security_group_id", Type::String),
    ])
}

fn scaling_block() -> Block {
    Block::new()
        .attr("desired_size", Attribute::required(Type::Number))
        .attr("max_size", Attribute::required(Type::Number))
        .attr("min_size", Attribute::required(Type::Number))
}

fn scaling(o: &Obj) -> NodegroupScalingConfig {
    let sc = get(o, "scaling_config")
        .as_seq()
        .and_then(|s| s.first())
        .cloned()
        .unwrap_or(Value::null());
    let n = |k: &str| sc.get_attr(k).and_then(Value::as_i64).map(|x| x as i32);
    NodegroupScalingConfig::builder()
        .set_desired_size(n("desired_size"))
        .set_max_size(n("max_size"))
        .set_min_size(n("min_size"))
        .build()
}

fn split_id(id: &str) -> Option<(&str, &str)> {
    id.split_once(':')
        .filter(|(c, n)| !c.is_empty() && !n.is_empty())
}

fn str_map_of(v: &Value) -> HashMap<String, String> {
    v.as_map()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

#[async_trait]
impl Resource for NodeGroup {
    fn type_name(&self) -> &'static str {
        "aws_eks_node_group"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts::uniform(Duration::from_secs(60 * 60)))
    }
    fn schema(&self) -> Schema {
        let oc = Attribute::optional_computed;
        Schema {
            version: 0,
            block: Block::new()
                .attr("ami_type", oc(Type::String).force_new())
                .attr("arn", Attribute::computed(Type::String))
                .attr("capacity_type", oc(Type::String).force_new())
                .attr(
                    "cluster_name",
                    Attribute::required(Type::String).force_new(),
                )
                .attr("disk_size", oc(Type::Number).force_new())
                .attr("force_update_version", Attribute::optional(Type::Bool))
                .attr("id", Attribute::computed(Type::String))
                .attr("instance_types", oc(Type::list(Type::String)).force_new())
                .attr("labels", Attribute::optional(Type::map(Type::String)))
                .attr("node_group_name", oc(Type::String).force_new())
                .attr("node_group_name_prefix", oc(Type::String).force_new())
                .attr(
                    "node_role_arn",
                    Attribute::required(Type::String).force_new(),
                )
                .attr("release_version", oc(Type::String))
                .attr(
                    "resources",
                    Attribute::computed(Type::list(resources_type())),
                )
                .attr("status", Attribute::computed(Type::String))
                .attr(
                    "subnet_ids",
                    Attribute::required(Type::set(Type::String)).force_new(),
                )
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("version", oc(Type::String))
                .block(
                    "scaling_config",
                    NestedBlock {
                        nesting: Nesting::List,
                        min_items: 1,
                        max_items: 1,
                        force_new: false,
                        block: scaling_block(),
                    },
                ),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if cfg(config, "node_group_name").is_some()
            && cfg(config, "node_group_name_prefix").is_some()
        {
            d.push(attr_error(
                "node_group_name",
                "conflicts with node_group_name_prefix",
                "Only one of `node_group_name` and `node_group_name_prefix` may be set.",
                "remove one of them",
            ));
        }
        if let Some(sc) = cfg(config, "scaling_config")
            .and_then(Value::as_seq)
            .and_then(|s| s.first())
        {
            let n = |k: &str| sc.get_attr(k).and_then(Value::as_i64);
            if let (Some(min), Some(max), Some(want)) =
                (n("min_size"), n("max_size"), n("desired_size"))
            {
                if min < 0 || max < 1 || want < min || want > max {
                    d.push(attr_error(
                        "scaling_config",
                        "inconsistent sizes",
                        format!("scaling_config needs 0 <= min_size <= desired_size <= max_size and max_size >= 1; got min {min}, desired {want}, max {max}."),
                        "fix min_size, desired_size and max_size",
                    ));
                }
            }
        }
        d
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let eks = cx.eks();
        let cluster = get_str(planned, "cluster_name").unwrap_or_default();
        let name = match get_str(planned, "node_group_name").filter(|n| !n.is_empty()) {
            Some(n) => n,
            None => prefixed_unique_id(
                &get_str(planned, "node_group_name_prefix").unwrap_or_else(|| "terraform-".into()),
            ),
        };
        let tags = tags_to_send(cx.aws, planned);
        let labels = str_map_of(get(planned, "labels"));
        let instance_types = get_strings(planned, "instance_types");
        let req = eks
            .create_nodegroup()
            .cluster_name(&cluster)
            .nodegroup_name(&name)
            .node_role(get_str(planned, "node_role_arn").unwrap_or_default())
            .set_subnets(Some(get_strings(planned, "subnet_ids")))
            .scaling_config(scaling(planned))
            .set_instance_types((!instance_types.is_empty()).then_some(instance_types))
            .set_ami_type(get_str(planned, "ami_type").map(|a| AmiTypes::from(a.as_str())))
            .set_capacity_type(
                get_str(planned, "capacity_type").map(|a| CapacityTypes::from(a.as_str())),
            )
            .set_disk_size(get_i64(planned, "disk_size").map(|n| n as i32))
            .set_labels((!labels.is_empty()).then_some(labels))
            .set_version(get_str(planned, "version"))
            .set_release_version(get_str(planned, "release_version"))
            .set_tags((!tags.is_empty()).then(|| tags.into_iter().collect()));
        call_retry(
            op("creating", "CreateNodegroup"),
            &[],
            Duration::from_secs(120),
            || req.clone().send(),
        )
        .await?;
        let mut partial = planned.clone();
        partial.insert("id".into(), s(format!("{cluster}:{name}")));
        partial.insert("node_group_name".into(), s(&name));
        let ready = wait(
            op("creating", "DescribeNodegroup"),
            "ACTIVE",
            cx.timeouts.create,
            Duration::from_secs(5),
            || {
                let eks = eks.clone();
                let (cluster, name) = (cluster.clone(), name.clone());
                async move {
                    Ok(match describe(&eks, &cluster, &name, "creating").await? {
                        Some(g) => match g.status() {
                            Some(NodegroupStatus::Active) => Poll::Ready(()),
                            Some(NodegroupStatus::CreateFailed)
                            | Some(NodegroupStatus::Degraded) => {
                                let why: Vec<String> = g
                                    .health()
                                    .map(|h| {
                                        h.issues()
                                            .iter()
                                            .filter_map(|i| i.message().map(str::to_string))
                                            .collect()
                                    })
                                    .unwrap_or_default();
                                Poll::Failed(format!(
                                    "{}{}",
                                    g.status().map(|s| s.as_str()).unwrap_or(""),
                                    if why.is_empty() {
                                        String::new()
                                    } else {
                                        format!(": {}", why.join("; "))
                                    }
                                ))
                            }
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
                    op("creating", "DescribeNodegroup"),
                    "the new node group disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let eks = cx.eks();
        let id = id_of(state)?;
        let Some((cluster, name)) = split_id(&id) else {
            return Err(bad_id(&id).into());
        };
        let Some(g) = describe(&eks, cluster, name, "reading").await? else {
            return Ok(None);
        };
        let mut o = state.clone();
        o.insert("cluster_name".into(), s(cluster));
        o.insert("node_group_name".into(), s(name));
        o.insert(
            "node_group_name_prefix".into(),
            opt_s(name_prefix_from_name(name).as_deref()),
        );
        o.insert("arn".into(), opt_s(g.nodegroup_arn()));
        o.insert("ami_type".into(), opt_s(g.ami_type().map(|a| a.as_str())));
        o.insert(
            "capacity_type".into(),
            opt_s(g.capacity_type().map(|a| a.as_str())),
        );
        o.insert(
            "disk_size".into(),
            g.disk_size()
                .map(|d| n(d as i64))
                .unwrap_or(Value::Null(Type::Number)),
        );
        o.insert(
            "instance_types".into(),
            str_list(g.instance_types().to_vec()),
        );
        let labels = tag_map(g.labels());
        let prior_labels_null = get(state, "labels").is_null();
        o.insert(
            "labels".into(),
            if labels.is_empty() && prior_labels_null {
                Value::Null(Type::map(Type::String))
            } else {
                Value::Map(
                    Type::String,
                    labels.into_iter().map(|(k, v)| (k, s(v))).collect(),
                )
            },
        );
        o.insert("node_role_arn".into(), opt_s(g.node_role()));
        o.insert("release_version".into(), opt_s(g.release_version()));
        o.insert("version".into(), opt_s(g.version()));
        o.insert("status".into(), opt_s(g.status().map(|s| s.as_str())));
        o.insert("subnet_ids".into(), str_set(g.subnets().to_vec()));
        if let Some(sc) = g.scaling_config() {
            let num = |x: Option<i32>| x.map(|v| n(v as i64)).unwrap_or(Value::Null(Type::Number));
            o.insert(
                "scaling_config".into(),
                Value::List(
                    scaling_block().implied_type(),
                    vec![Value::object([
                        ("desired_size", num(sc.desired_size())),
                        ("max_size", num(sc.max_size())),
                        ("min_size", num(sc.min_size())),
                    ])],
                ),
            );
        }
        let res = g.resources();
        let asgs: Vec<Value> = res
            .map(|r| {
                r.auto_scaling_groups()
                    .iter()
                    .map(|a| Value::object([("name", opt_s(a.name()))]))
                    .collect()
            })
            .unwrap_or_default();
        o.insert(
            "resources".into(),
            Value::List(
                resources_type(),
                vec![Value::object([
                    (
                        "autoscaling_groups",
                        Value::List(Type::object([("name", Type::String)]), asgs),
                    ),
                    (
                        "remote_access_security_group_id",
                        opt_s(res.and_then(|r| r.remote_access_security_group())),
                    ),
                ])],
            ),
        );
        set_tags_from_api(cx.aws, &mut o, tag_map(g.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let eks = cx.eks();
        let id = id_of(prior)?;
        let Some((cluster, name)) = split_id(&id) else {
            return Err(Diagnostics::from(bad_id(&id)).into());
        };
        let t = cx.timeouts.update;
        let labels_changed = !same(prior.get("labels"), planned.get("labels"));
        let scaling_changed = !same(prior.get("scaling_config"), planned.get("scaling_config"));
        if labels_changed || scaling_changed {
            let mut req = eks
                .update_nodegroup_config()
                .cluster_name(cluster)
                .nodegroup_name(name);
            if scaling_changed {
                req = req.scaling_config(scaling(planned));
            }
            if labels_changed {
                let old = str_map_of(get(prior, "labels"));
                let new = str_map_of(get(planned, "labels"));
                let add: HashMap<String, String> = new
                    .iter()
                    .filter(|(k, v)| old.get(*k) != Some(*v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let remove: Vec<String> = old
                    .keys()
                    .filter(|k| !new.contains_key(*k))
                    .cloned()
                    .collect();
                req = req.labels(
                    UpdateLabelsPayload::builder()
                        .set_add_or_update_labels((!add.is_empty()).then_some(add))
                        .set_remove_labels((!remove.is_empty()).then_some(remove))
                        .build(),
                );
            }
            let uop = op("updating", "UpdateNodegroupConfig");
            let out = call(uop, || req.clone().send()).await?;
            wait_update(&eks, uop, cluster, Some(name), out.update(), t).await?;
        }
        if !same(prior.get("version"), planned.get("version"))
            || !same(prior.get("release_version"), planned.get("release_version"))
        {
            let uop = op("updating", "UpdateNodegroupVersion");
            let out = call(uop, || {
                eks.update_nodegroup_version()
                    .cluster_name(cluster)
                    .nodegroup_name(name)
                    .set_version(get_str(planned, "version"))
                    .set_release_version(get_str(planned, "release_version"))
                    .set_force(get_bool(planned, "force_update_version"))
                    .send()
            })
            .await?;
            wait_update(&eks, uop, cluster, Some(name), out.update(), t).await?;
        }
        let arn = get_str(prior, "arn").unwrap_or_default();
        update_tags(
            &eks,
            WHAT,
            &arn,
            &state_tags(prior),
            &tags_to_send(cx.aws, planned),
        )
        .await?;
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeNodegroup"),
                "the node group disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let eks = cx.eks();
        let id = id_of(prior)?;
        let Some((cluster, name)) = split_id(&id) else {
            return Err(bad_id(&id).into());
        };
        let r = call_retry(
            op("deleting", "DeleteNodegroup"),
            &["ResourceInUseException"],
            cx.timeouts.delete.min(Duration::from_secs(10 * 60)),
            || {
                eks.delete_nodegroup()
                    .cluster_name(cluster)
                    .nodegroup_name(name)
                    .send()
            },
        )
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(NOT_FOUND) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait(
            op("deleting", "DescribeNodegroup"),
            "deleted",
            cx.timeouts.delete,
            Duration::from_secs(5),
            || {
                let eks = eks.clone();
                async move {
                    Ok(match describe(&eks, cluster, name, "deleting").await? {
                        None => Poll::Ready(()),
                        Some(g) if g.status() == Some(&NodegroupStatus::DeleteFailed) => {
                            Poll::Failed("DELETE_FAILED".into())
                        }
                        Some(g) => Poll::Pending(
                            g.status()
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

    async fn import(&self, cx: &Ctx<'_>, id: &str) -> Result<Option<Obj>, Diagnostics> {
        if split_id(id).is_none() {
            return Err(bad_id(id).into());
        }
        let mut o = Obj::new();
        o.insert("id".into(), s(id));
        self.read(cx, &o).await
    }
}

fn bad_id(id: &str) -> Diagnostic {
    Diagnostic::error("invalid import ID for aws_eks_node_group")
        .with_detail(format!(
            "The ID {id:?} is not of the form <cluster_name>:<node_group_name>."
        ))
        .with_help("use e.g. `my-cluster:my-node-group`")
}

async fn describe(
    eks: &aws_sdk_eks::Client,
    cluster: &str,
    name: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_eks::types::Nodegroup>, ApiError> {
    match call(op(verb, "DescribeNodegroup"), || {
        eks.describe_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .send()
    })
    .await
    {
        Ok(o) => Ok(o.nodegroup().cloned()),
        Err(e) if e.is(NOT_FOUND) => Ok(None),
        Err(e) => Err(e),
    }
}
