//! Data source `aws_ami`: the image matching `owners`, `filter`s and `name_regex`
//! (`most_recent` picks the newest when several match).

use super::{filters_from, tag_map};
use crate::api::{call, Op};
use crate::framework::*;
use async_trait::async_trait;
use plinth_sdk::{
    Attribute, Block, Diagnostic, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};

pub(crate) struct Ami;

fn bdm_type() -> Type {
    Type::object([
        ("device_name", Type::String),
        ("ebs", Type::map(Type::String)),
        ("no_device", Type::String),
        ("virtual_name", Type::String),
    ])
}

#[async_trait]
impl DataSource for Ami {
    fn type_name(&self) -> &'static str {
        "aws_ami"
    }
    fn schema(&self) -> Schema {
        let c = |t| Attribute::computed(t);
        let mut b = Block::new()
            .attr("allow_unsafe_filter", Attribute::optional(Type::Bool))
            .attr("block_device_mappings", c(Type::set(bdm_type())))
            .attr(
                "executable_users",
                Attribute::optional(Type::list(Type::String)),
            )
            .attr("include_deprecated", Attribute::optional(Type::Bool))
            .attr("most_recent", Attribute::optional(Type::Bool))
            .attr("name_regex", Attribute::optional(Type::String))
            .attr("owners", Attribute::optional(Type::list(Type::String)))
            .attr("ena_support", c(Type::Bool))
            .attr("public", c(Type::Bool))
            .attr(
                "tags",
                Attribute::optional_computed(Type::map(Type::String)),
            )
            .block("filter", super::filter_block())
            .block(
                "timeouts",
                NestedBlock {
                    nesting: Nesting::Single,
                    min_items: 0,
                    max_items: 1,
                    force_new: false,
                    block: Block::new().attr("read", Attribute::optional(Type::String)),
                },
            );
        for k in [
            "architecture",
            "arn",
            "boot_mode",
            "creation_date",
            "deprecation_time",
            "description",
            "hypervisor",
            "id",
            "image_id",
            "image_location",
            "image_owner_alias",
            "image_type",
            "imds_support",
            "kernel_id",
            "last_launched_time",
            "name",
            "owner_id",
            "platform",
            "platform_details",
            "ramdisk_id",
            "root_device_name",
            "root_device_type",
            "root_snapshot_id",
            "sriov_net_support",
            "state",
            "tpm_support",
            "usage_operation",
            "virtualization_type",
        ] {
            b = b.attr(k, c(Type::String));
        }
        b = b
            .attr(
                "product_codes",
                c(Type::set(Type::object([
                    ("product_code_id", Type::String),
                    ("product_code_type", Type::String),
                ]))),
            )
            .attr("state_reason", c(Type::map(Type::String)));
        Schema {
            version: 0,
            block: b,
        }
    }

    async fn read(&self, cx: &Ctx<'_>, config: &Obj) -> Result<Obj, Diagnostics> {
        let ec2 = cx.ec2();
        let owners = get_strings(config, "owners");
        let users = get_strings(config, "executable_users");
        let filters = filters_from(&{
            let mut c = config.clone();
            c.remove("tags");
            c
        });
        if owners.is_empty() && users.is_empty() && filters.is_empty() {
            return Err(Diagnostic::error("aws_ami needs search criteria")
                .with_detail("Set at least one of owners, executable_users or a filter block, as the upstream provider requires.")
                .with_help("add e.g. `owners = [\"amazon\"]`")
                .into());
        }
        let regex = match get_str(config, "name_regex") {
            Some(r) => match regex_lite::Regex::new(&r) {
                Ok(x) => Some(x),
                Err(e) => {
                    return Err(attr_error(
                        "name_regex",
                        "invalid regular expression",
                        format!("{r:?}: {e}."),
                        "fix the expression",
                    )
                    .into())
                }
            },
            None => None,
        };
        let op = Op::new("reading", "EC2 AMIs", "EC2", "DescribeImages");
        let out = call(op, || {
            ec2.describe_images()
                .set_owners((!owners.is_empty()).then(|| owners.clone()))
                .set_executable_users((!users.is_empty()).then(|| users.clone()))
                .set_filters((!filters.is_empty()).then(|| filters.clone()))
                .set_include_deprecated(get_bool(config, "include_deprecated"))
                .send()
        })
        .await?;
        let mut images: Vec<_> = out
            .images()
            .iter()
            .filter(|i| {
                regex
                    .as_ref()
                    .map_or(true, |r| i.name().is_some_and(|n| r.is_match(n)))
            })
            .collect();
        if images.is_empty() {
            return Err(Diagnostic::error("your query returned no results")
                .with_detail("No AMI matches the owners, filters and name_regex given.")
                .with_help("please change your search criteria and try again")
                .into());
        }
        if images.len() > 1 && get_bool(config, "most_recent") != Some(true) {
            return Err(Diagnostic::error("your query returned more than one result")
                .with_detail(format!("{} AMIs match the search criteria.", images.len()))
                .with_help("please try a more specific search criteria, or set `most_recent` attribute to true")
                .into());
        }
        images.sort_by(|a, b| b.creation_date().cmp(&a.creation_date()));
        let i = images[0];
        let id = i.image_id().unwrap_or("").to_string();
        let mut o = config.clone();
        let put = |o: &mut Obj, k: &str, v: Option<&str>| {
            o.insert(k.to_string(), opt_s(v));
        };
        put(&mut o, "id", Some(&id));
        put(&mut o, "image_id", Some(&id));
        o.insert(
            "arn".into(),
            s(format!(
                "arn:{}:ec2:{}::image/{id}",
                cx.aws.partition, cx.region
            )),
        );
        put(&mut o, "architecture", i.architecture().map(|x| x.as_str()));
        put(&mut o, "boot_mode", i.boot_mode().map(|x| x.as_str()));
        put(&mut o, "creation_date", i.creation_date());
        put(&mut o, "deprecation_time", i.deprecation_time());
        put(&mut o, "description", i.description());
        put(&mut o, "hypervisor", i.hypervisor().map(|x| x.as_str()));
        put(&mut o, "image_location", i.image_location());
        put(&mut o, "image_owner_alias", i.image_owner_alias());
        put(&mut o, "image_type", i.image_type().map(|x| x.as_str()));
        put(&mut o, "imds_support", i.imds_support().map(|x| x.as_str()));
        put(&mut o, "kernel_id", i.kernel_id());
        put(&mut o, "last_launched_time", i.last_launched_time());
        put(&mut o, "name", i.name());
        put(&mut o, "owner_id", i.owner_id());
        put(&mut o, "platform", i.platform().map(|x| x.as_str()));
        put(&mut o, "platform_details", i.platform_details());
        put(&mut o, "ramdisk_id", i.ramdisk_id());
        put(&mut o, "root_device_name", i.root_device_name());
        put(
            &mut o,
            "root_device_type",
            i.root_device_type().map(|x| x.as_str()),
        );
        put(&mut o, "sriov_net_support", i.sriov_net_support());
        put(&mut o, "state", i.state().map(|x| x.as_str()));
        put(&mut o, "tpm_support", i.tpm_support().map(|x| x.as_str()));
        put(&mut o, "usage_operation", i.usage_operation());
        put(
            &mut o,
            "virtualization_type",
            i.virtualization_type().map(|x| x.as_str()),
        );
        o.insert("ena_support".into(), b(i.ena_support().unwrap_or(false)));
        o.insert("public".into(), b(i.public().unwrap_or(false)));
        let root = i.root_device_name().unwrap_or("");
        let mut root_snap = None;
        let bdms: Vec<Value> = i
            .block_device_mappings()
            .iter()
            .map(|m| {
                let mut ebs = std::collections::BTreeMap::new();
                if let Some(e) = m.ebs() {
                    let mut put = |k: &str, v: Option<String>| {
                        ebs.insert(k.to_string(), s(v.unwrap_or_default()));
                    };
                    put(
                        "delete_on_termination",
                        e.delete_on_termination().map(|x| x.to_string()),
                    );
                    put("encrypted", e.encrypted().map(|x| x.to_string()));
                    put("iops", e.iops().map(|x| x.to_string()));
                    put("snapshot_id", e.snapshot_id().map(str::to_string));
                    put("throughput", e.throughput().map(|x| x.to_string()));
                    put("volume_size", e.volume_size().map(|x| x.to_string()));
                    put(
                        "volume_type",
                        e.volume_type().map(|x| x.as_str().to_string()),
                    );
                    if m.device_name() == Some(root) {
                        root_snap = e.snapshot_id().map(str::to_string);
                    }
                }
                Value::object([
                    ("device_name", opt_s(m.device_name())),
                    ("ebs", Value::Map(Type::String, ebs)),
                    ("no_device", opt_s(m.no_device())),
                    ("virtual_name", opt_s(m.virtual_name())),
                ])
            })
            .collect();
        o.insert("block_device_mappings".into(), Value::set(bdm_type(), bdms));
        o.insert("root_snapshot_id".into(), opt_s(root_snap.as_deref()));
        let pc_t = Type::object([
            ("product_code_id", Type::String),
            ("product_code_type", Type::String),
        ]);
        o.insert(
            "product_codes".into(),
            Value::set(
                pc_t,
                i.product_codes()
                    .iter()
                    .map(|p| {
                        Value::object([
                            ("product_code_id", opt_s(p.product_code_id())),
                            (
                                "product_code_type",
                                opt_s(p.product_code_type().map(|x| x.as_str())),
                            ),
                        ])
                    })
                    .collect(),
            ),
        );
        let mut reason = std::collections::BTreeMap::new();
        reason.insert(
            "code".to_string(),
            s(i.state_reason().and_then(|r| r.code()).unwrap_or("UNSET")),
        );
        reason.insert(
            "message".to_string(),
            s(i.state_reason()
                .and_then(|r| r.message())
                .unwrap_or("UNSET")),
        );
        o.insert("state_reason".into(), Value::Map(Type::String, reason));
        o.insert(
            "tags".into(),
            Value::Map(
                Type::String,
                tag_map(i.tags())
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            ),
        );
        Ok(o)
    }
}
