//! `aws_launch_template` (import ID: the launch template ID, `lt-…`).
//!
//! A change to the template data creates a new version (CreateLaunchTemplateVersion);
//! `update_default_version = true` makes it the default, else `default_version` stays (or
//! moves to what the configuration sets).
//!
//! Implemented arguments: `name`/`name_prefix`, `description`, `default_version`,
//! `update_default_version`, `image_id`, `instance_type`, `key_name`,
//! `vpc_security_group_ids`, `security_group_names`, `user_data` (base64), `ebs_optimized`,
//! `disable_api_termination`, `instance_initiated_shutdown_behavior`, `iam_instance_profile`,
//! `monitoring`, `tag_specifications`, `tags`. Not yet: `block_device_mappings`,
//! `network_interfaces`, `metadata_options`, `placement`, `cpu_options`, … (the rarer blocks).

use super::{state_tags, tag_map, tag_spec, update_tags};
use crate::api::{call, ApiError, Op};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    InstanceType, LaunchTemplateIamInstanceProfileSpecificationRequest,
    LaunchTemplateTagSpecificationRequest, LaunchTemplatesMonitoringRequest,
    RequestLaunchTemplateData, ResourceType, ShutdownBehavior, Tag,
};
use plinth_sdk::{
    AttrPath, Attribute, Block, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};

pub(crate) struct LaunchTemplate;

const WHAT: &str = "EC2 Launch Template";
const NOT_FOUND: &[&str] = &[
    "InvalidLaunchTemplateId.NotFound",
    "InvalidLaunchTemplateId.Malformed",
    "InvalidLaunchTemplateName.NotFoundException",
];
/// Arguments that make the template data: a change creates a new version.
const DATA: &[&str] = &[
    "description",
    "disable_api_termination",
    "ebs_optimized",
    "iam_instance_profile",
    "image_id",
    "instance_initiated_shutdown_behavior",
    "instance_type",
    "key_name",
    "monitoring",
    "security_group_names",
    "tag_specifications",
    "user_data",
    "vpc_security_group_ids",
];

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "EC2", operation)
}

fn list_block(block: Block) -> NestedBlock {
    NestedBlock {
        nesting: Nesting::List,
        min_items: 0,
        max_items: 1,
        force_new: false,
        block,
    }
}

fn profile_block() -> Block {
    Block::new()
        .attr("arn", Attribute::optional(Type::String))
        .attr("name", Attribute::optional(Type::String))
}
fn monitoring_block() -> Block {
    Block::new().attr("enabled", Attribute::optional(Type::Bool))
}
fn tagspec_block() -> Block {
    Block::new()
        .attr("resource_type", Attribute::optional(Type::String))
        .attr("tags", Attribute::optional(Type::map(Type::String)))
}

fn first(o: &Obj, k: &str) -> Option<Value> {
    get(o, k).as_seq().and_then(|s| s.first()).cloned()
}

fn nonempty(x: Option<String>) -> Option<String> {
    x.filter(|s| !s.is_empty())
}

fn template_data(o: &Obj) -> RequestLaunchTemplateData {
    let sgs = get_strings(o, "vpc_security_group_ids");
    let names = get_strings(o, "security_group_names");
    let mut d = RequestLaunchTemplateData::builder()
        .set_image_id(nonempty(get_str(o, "image_id")))
        .set_key_name(nonempty(get_str(o, "key_name")))
        .set_user_data(nonempty(get_str(o, "user_data")))
        .set_disable_api_termination(get_bool(o, "disable_api_termination"))
        .set_security_group_ids((!sgs.is_empty()).then_some(sgs))
        .set_security_groups((!names.is_empty()).then_some(names));
    if let Some(t) = nonempty(get_str(o, "instance_type")) {
        d = d.instance_type(InstanceType::from(t.as_str()));
    }
    if let Some(e) = nonempty(get_str(o, "ebs_optimized")) {
        d = d.set_ebs_optimized(e.parse::<bool>().ok());
    }
    if let Some(sb) = nonempty(get_str(o, "instance_initiated_shutdown_behavior")) {
        d = d.instance_initiated_shutdown_behavior(ShutdownBehavior::from(sb.as_str()));
    }
    if let Some(p) = first(o, "iam_instance_profile") {
        let g = |k: &str| {
            p.get_attr(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        d = d.iam_instance_profile(
            LaunchTemplateIamInstanceProfileSpecificationRequest::builder()
                .set_arn(g("arn"))
                .set_name(g("name"))
                .build(),
        );
    }
    if let Some(m) = first(o, "monitoring") {
        d = d.monitoring(
            LaunchTemplatesMonitoringRequest::builder()
                .set_enabled(m.get_attr("enabled").and_then(Value::as_bool))
                .build(),
        );
    }
    for ts in get(o, "tag_specifications").as_seq().unwrap_or(&[]) {
        let tags: Vec<Tag> = ts
            .get_attr("tags")
            .and_then(Value::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| Tag::builder().key(k).value(v).build()))
                    .collect()
            })
            .unwrap_or_default();
        d = d.tag_specifications(
            LaunchTemplateTagSpecificationRequest::builder()
                .set_resource_type(
                    ts.get_attr("resource_type")
                        .and_then(Value::as_str)
                        .map(ResourceType::from),
                )
                .set_tags((!tags.is_empty()).then_some(tags))
                .build(),
        );
    }
    d.build()
}

#[async_trait]
impl Resource for LaunchTemplate {
    fn type_name(&self) -> &'static str {
        "aws_launch_template"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn schema(&self) -> Schema {
        let o = Attribute::optional;
        Schema {
            version: 0,
            block: Block::new()
                .attr("arn", Attribute::computed(Type::String))
                .attr(
                    "default_version",
                    Attribute::optional_computed(Type::Number),
                )
                .attr("description", o(Type::String))
                .attr("disable_api_termination", o(Type::Bool))
                .attr("ebs_optimized", o(Type::String))
                .attr("id", Attribute::computed(Type::String))
                .attr("image_id", o(Type::String))
                .attr("instance_initiated_shutdown_behavior", o(Type::String))
                .attr("instance_type", o(Type::String))
                .attr("key_name", o(Type::String))
                .attr("latest_version", Attribute::computed(Type::Number))
                .attr(
                    "name",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr(
                    "name_prefix",
                    Attribute::optional_computed(Type::String).force_new(),
                )
                .attr("security_group_names", o(Type::set(Type::String)))
                .attr("tags", o(Type::map(Type::String)))
                .attr("update_default_version", o(Type::Bool))
                .attr("user_data", o(Type::String))
                .attr("vpc_security_group_ids", o(Type::set(Type::String)))
                .block("iam_instance_profile", list_block(profile_block()))
                .block("monitoring", list_block(monitoring_block()))
                .block(
                    "tag_specifications",
                    NestedBlock {
                        nesting: Nesting::List,
                        min_items: 0,
                        max_items: 0,
                        force_new: false,
                        block: tagspec_block(),
                    },
                ),
        }
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if cfg(config, "name").is_some() && cfg(config, "name_prefix").is_some() {
            d.push(attr_error(
                "name",
                "conflicts with name_prefix",
                "Only one of `name` and `name_prefix` may be set.",
                "remove name or name_prefix",
            ));
        }
        if cfg(config, "default_version").is_some()
            && cfg(config, "update_default_version").and_then(Value::as_bool) == Some(true)
        {
            d.push(attr_error(
                "default_version",
                "conflicts with update_default_version",
                "`default_version` and `update_default_version = true` cannot both be set.",
                "remove one of them",
            ));
        }
        if let Some(u) = cfg(config, "user_data").and_then(Value::as_str) {
            if aws_smithy_types::base64::decode(u).is_err() {
                d.push(attr_error(
                    "user_data",
                    "not base64",
                    "A launch template's user_data must be base64-encoded.",
                    "wrap it in base64encode(...)",
                ));
            }
        }
        if let Some(e) = cfg(config, "ebs_optimized").and_then(Value::as_str) {
            if !["", "true", "false"].contains(&e) {
                d.push(attr_error(
                    "ebs_optimized",
                    "expected \"true\" or \"false\"",
                    format!("{e:?} is not a boolean string."),
                    "use \"true\" or \"false\"",
                ));
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        // Every attribute of the nested blocks present (null where the configuration left it
        // out), as they read back.
        for (name, block) in [
            ("iam_instance_profile", profile_block()),
            ("monitoring", monitoring_block()),
            ("tag_specifications", tagspec_block()),
        ] {
            if let Some(Value::List(t, items)) = planned.get(name).map(Value::unmarked).cloned() {
                let items = items
                    .into_iter()
                    .map(|v| match v {
                        Value::Object(mut m) => {
                            for (k, a) in &block.attributes {
                                m.entry(k.clone())
                                    .or_insert_with(|| Value::Null(a.ty.clone()));
                            }
                            Value::Object(m)
                        }
                        v => v,
                    })
                    .collect();
                planned.insert(name.into(), Value::List(t, items));
            }
        }
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, rr: &mut Vec<AttrPath>) {
        if !rr.is_empty() {
            return;
        }
        let data_changed = DATA.iter().any(|k| !same(prior.get(*k), planned.get(*k)));
        if data_changed {
            planned.insert("latest_version".into(), Value::Unknown(Type::Number));
            if get_bool(planned, "update_default_version") == Some(true) {
                planned.insert("default_version".into(), Value::Unknown(Type::Number));
            }
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let name = match nonempty(get_str(planned, "name")) {
            Some(n) => n,
            None => prefixed_unique_id(
                &get_str(planned, "name_prefix").unwrap_or_else(|| "terraform-".into()),
            ),
        };
        let tags = tags_to_send(cx.aws, planned);
        let req = ec2
            .create_launch_template()
            .launch_template_name(&name)
            .set_version_description(nonempty(get_str(planned, "description")))
            .launch_template_data(template_data(planned))
            .set_tag_specifications(tag_spec(ResourceType::LaunchTemplate, &tags).map(|t| vec![t]));
        let out = call(op("creating", "CreateLaunchTemplate"), || {
            req.clone().send()
        })
        .await?;
        let Some(id) = out
            .launch_template()
            .and_then(|t| t.launch_template_id())
            .map(str::to_string)
        else {
            return Err(ApiError::other(
                op("creating", "CreateLaunchTemplate"),
                "the response has no launch template",
            )
            .into());
        };
        let mut partial = planned.clone();
        partial.insert("id".into(), s(&id));
        // A configured default_version other than 1 cannot exist yet: upstream sets it too.
        if let Some(v) = get_i64(planned, "default_version").filter(|v| *v != 1) {
            let r = call(op("creating", "ModifyLaunchTemplate"), || {
                ec2.modify_launch_template()
                    .launch_template_id(&id)
                    .default_version(v.to_string())
                    .send()
            })
            .await;
            if let Err(e) = r {
                return Err(Failed::partial(partial, e));
            }
        }
        match self.read(cx, &partial).await {
            Ok(Some(o)) => Ok(o),
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeLaunchTemplates"),
                    "the new launch template disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(state)?;
        let lt = match call(op("reading", "DescribeLaunchTemplates"), || {
            ec2.describe_launch_templates()
                .launch_template_ids(&id)
                .send()
        })
        .await
        {
            Ok(out) => out.launch_templates().first().cloned(),
            Err(e) if e.is(NOT_FOUND) => None,
            Err(e) => return Err(e.into()),
        };
        let Some(lt) = lt else { return Ok(None) };
        let latest = lt.latest_version_number().unwrap_or(1);
        let ver = match call(op("reading", "DescribeLaunchTemplateVersions"), || {
            ec2.describe_launch_template_versions()
                .launch_template_id(&id)
                .versions(latest.to_string())
                .send()
        })
        .await
        {
            Ok(out) => out.launch_template_versions().first().cloned(),
            Err(e) if e.is(NOT_FOUND) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let mut o = state.clone();
        let name = lt.launch_template_name().unwrap_or_default();
        o.insert("id".into(), s(&id));
        o.insert(
            "arn".into(),
            s(cx.arn("ec2", &format!("launch-template/{id}"))),
        );
        o.insert("name".into(), s(name));
        o.insert(
            "name_prefix".into(),
            opt_s(name_prefix_from_name(name).as_deref()),
        );
        o.insert(
            "default_version".into(),
            n(lt.default_version_number().unwrap_or(1)),
        );
        o.insert("latest_version".into(), n(latest));
        let v = ver.as_ref();
        o.insert(
            "description".into(),
            opt_s(v.and_then(|v| v.version_description())),
        );
        let d = v.and_then(|v| v.launch_template_data());
        o.insert("image_id".into(), opt_s(d.and_then(|d| d.image_id())));
        o.insert(
            "instance_type".into(),
            opt_s(d.and_then(|d| d.instance_type()).map(|t| t.as_str())),
        );
        o.insert("key_name".into(), opt_s(d.and_then(|d| d.key_name())));
        o.insert("user_data".into(), opt_s(d.and_then(|d| d.user_data())));
        o.insert(
            "instance_initiated_shutdown_behavior".into(),
            opt_s(
                d.and_then(|d| d.instance_initiated_shutdown_behavior())
                    .map(|t| t.as_str()),
            ),
        );
        o.insert(
            "disable_api_termination".into(),
            d.and_then(|d| d.disable_api_termination())
                .map(b)
                .unwrap_or(Value::Null(Type::Bool)),
        );
        o.insert(
            "ebs_optimized".into(),
            match d.and_then(|d| d.ebs_optimized()) {
                Some(x) => s(x.to_string()),
                None => Value::Null(Type::String),
            },
        );
        let keep_null = |k: &str, items: Vec<String>, o: &mut Obj| {
            if items.is_empty() && get(state, k).is_null() {
                o.insert(k.into(), Value::Null(Type::set(Type::String)));
            } else {
                o.insert(k.into(), str_set(items));
            }
        };
        keep_null(
            "vpc_security_group_ids",
            d.map(|d| d.security_group_ids().to_vec())
                .unwrap_or_default(),
            &mut o,
        );
        keep_null(
            "security_group_names",
            d.map(|d| d.security_groups().to_vec()).unwrap_or_default(),
            &mut o,
        );
        let prof = d.and_then(|d| d.iam_instance_profile());
        o.insert(
            "iam_instance_profile".into(),
            Value::List(
                profile_block().implied_type(),
                prof.map(|p| {
                    vec![Value::object([
                        ("arn", opt_s(p.arn())),
                        ("name", opt_s(p.name())),
                    ])]
                })
                .unwrap_or_default(),
            ),
        );
        let mon = d.and_then(|d| d.monitoring());
        o.insert(
            "monitoring".into(),
            Value::List(
                monitoring_block().implied_type(),
                mon.map(|m| {
                    vec![Value::object([(
                        "enabled",
                        m.enabled().map(b).unwrap_or(Value::Null(Type::Bool)),
                    )])]
                })
                .unwrap_or_default(),
            ),
        );
        let specs: Vec<Value> = d
            .map(|d| {
                d.tag_specifications()
                    .iter()
                    // The template's own tags (resource type launch-template) are not template
                    // data (moto echoes them there).
                    .filter(|ts| {
                        ts.resource_type()
                            .is_none_or(|r| r.as_str() != "launch-template")
                    })
                    .map(|ts| {
                        let tags = tag_map(ts.tags());
                        Value::object([
                            (
                                "resource_type",
                                opt_s(ts.resource_type().map(|r| r.as_str())),
                            ),
                            (
                                "tags",
                                if tags.is_empty() {
                                    Value::Null(Type::map(Type::String))
                                } else {
                                    Value::Map(
                                        Type::String,
                                        tags.into_iter().map(|(k, v)| (k, s(v))).collect(),
                                    )
                                },
                            ),
                        ])
                    })
                    .collect()
            })
            .unwrap_or_default();
        o.insert(
            "tag_specifications".into(),
            Value::List(tagspec_block().implied_type(), specs),
        );
        set_tags_from_api(cx.aws, &mut o, tag_map(lt.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        let data_changed = DATA.iter().any(|k| !same(prior.get(*k), planned.get(*k)));
        let mut new_version = None;
        if data_changed {
            let out = call(op("updating", "CreateLaunchTemplateVersion"), || {
                ec2.create_launch_template_version()
                    .launch_template_id(&id)
                    .set_version_description(nonempty(get_str(planned, "description")))
                    .launch_template_data(template_data(planned))
                    .send()
            })
            .await?;
            new_version = out
                .launch_template_version()
                .and_then(|v| v.version_number());
        }
        let want_default = if get_bool(planned, "update_default_version") == Some(true) {
            new_version
        } else if !same(prior.get("default_version"), planned.get("default_version")) {
            get_i64(planned, "default_version")
                .filter(|_| get(planned, "default_version").is_known())
        } else {
            None
        };
        if let Some(v) = want_default {
            call(op("updating", "ModifyLaunchTemplate"), || {
                ec2.modify_launch_template()
                    .launch_template_id(&id)
                    .default_version(v.to_string())
                    .send()
            })
            .await?;
        }
        update_tags(
            &ec2,
            WHAT,
            &id,
            &state_tags(prior),
            &tags_to_send(cx.aws, planned),
        )
        .await?;
        match self.read(cx, planned).await? {
            Some(o) => Ok(o),
            None => Err(ApiError::other(
                op("updating", "DescribeLaunchTemplates"),
                "the launch template disappeared",
            )
            .into()),
        }
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        match call(op("deleting", "DeleteLaunchTemplate"), || {
            ec2.delete_launch_template().launch_template_id(&id).send()
        })
        .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is(NOT_FOUND) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
