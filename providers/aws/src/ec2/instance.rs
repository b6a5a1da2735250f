//! `aws_instance` (import ID: the instance ID).
//!
//! `user_data` is stored as upstream stores it: the SHA-1 hex digest of the user data
//! (base64-decoded first when it is base64). Changing it, or `instance_type`, updates in place
//! by stop → ModifyInstanceAttribute → start; `user_data_replace_on_change = true` makes a
//! `user_data` change replace the instance instead.
//!
//! Implemented arguments: `ami`, `instance_type`, `subnet_id`, `vpc_security_group_ids`,
//! `security_groups`, `key_name`, `associate_public_ip_address`, `availability_zone`,
//! `private_ip`, `user_data`, `user_data_base64`, `user_data_replace_on_change`,
//! `iam_instance_profile`, `root_block_device`, `monitoring`, `ebs_optimized`,
//! `source_dest_check`, `disable_api_termination`, `instance_initiated_shutdown_behavior`,
//! `tenancy`, `tags`. Not yet: `ebs_block_device`, `network_interface`, `launch_template`,
//! `metadata_options`, `credit_specification`, `cpu_options` and the other rarer blocks.

use super::{state_tags, tag_map, tag_spec, update_tags, NOT_FOUND_CODES};
use crate::api::{call, call_retry, wait, ApiError, Op, Poll};
use crate::framework::*;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, AttributeValue, BlockDeviceMapping, EbsBlockDevice,
    IamInstanceProfileSpecification, InstanceAttributeName, InstanceNetworkInterfaceSpecification,
    InstanceStateName, InstanceType, Placement, ResourceType, RunInstancesMonitoringEnabled,
    SecureBlobAttributeValue, ShutdownBehavior, Tenancy, VolumeType,
};
use plinth_sdk::{
    AttrPath, Attribute, Block, Diagnostics, NestedBlock, Nesting, Schema, Type, Value,
};
use std::time::Duration;

pub(crate) struct Instance;

const WHAT: &str = "EC2 Instance";

fn op(verb: &'static str, operation: &'static str) -> Op {
    Op::new(verb, WHAT, "EC2", operation)
}

/// SHA-1 (FIPS 180-4), for `user_data` as upstream stores it.
pub(crate) fn sha1_hex(data: &[u8]) -> String {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in chunk.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

/// upstream's `userDataHashSum`: SHA-1 hex of the (base64-decoded, if it is base64) data.
pub(crate) fn user_data_hash(s: &str) -> String {
    match aws_smithy_types::base64::decode(s) {
        Ok(bytes) if !s.is_empty() => sha1_hex(&bytes),
        _ => sha1_hex(s.as_bytes()),
    }
}

fn is_hash(s: &str) -> bool {
    s.len() == 40
        && s.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

/// The user data to send (base64), from `user_data` or `user_data_base64`.
fn user_data_b64(config: Option<&Value>, planned: &Obj) -> Option<String> {
    if let Some(b) = get_str(planned, "user_data_base64").filter(|x| !x.is_empty()) {
        return Some(b);
    }
    // `user_data` in the plan is the hash: the text comes from the configuration.
    let raw = config
        .and_then(|c| cfg(c, "user_data"))
        .and_then(Value::as_str)
        .map(str::to_string)?;
    if raw.is_empty() {
        return None;
    }
    // Already base64? upstream sends it as is (it checks against double encoding).
    Some(match aws_smithy_types::base64::decode(&raw) {
        Ok(_) => raw,
        Err(_) => aws_smithy_types::base64::encode(raw.as_bytes()),
    })
}

/// `root_block_device`. upstream marks `encrypted` and `kms_key_id` ForceNew; here
/// `plan_update` forces the replacement (after restoring the computed parts of the block), so
/// that the planner does not see the block's unknown computed parts as a change.
fn root_block() -> Block {
    let oc = Attribute::optional_computed;
    Block::new()
        .attr("delete_on_termination", Attribute::optional(Type::Bool))
        .attr("device_name", Attribute::computed(Type::String))
        .attr("encrypted", oc(Type::Bool))
        .attr("iops", oc(Type::Number))
        .attr("kms_key_id", oc(Type::String))
        .attr("throughput", oc(Type::Number))
        .attr("volume_id", Attribute::computed(Type::String))
        .attr("volume_size", oc(Type::Number))
        .attr("volume_type", oc(Type::String))
}

fn root(o: &Obj) -> Option<Value> {
    get(o, "root_block_device")
        .as_seq()
        .and_then(|s| s.first())
        .cloned()
}

#[async_trait]
impl Resource for Instance {
    fn type_name(&self) -> &'static str {
        "aws_instance"
    }
    fn tagged(&self) -> bool {
        true
    }
    fn timeouts(&self) -> Option<Timeouts> {
        Some(Timeouts {
            create: Duration::from_secs(10 * 60),
            update: Duration::from_secs(10 * 60),
            delete: Duration::from_secs(20 * 60),
            read: Duration::from_secs(15 * 60),
        })
    }
    fn schema(&self) -> Schema {
        let oc = Attribute::optional_computed;
        let c = Attribute::computed;
        Schema {
            version: 1,
            block: Block::new()
                .attr("ami", oc(Type::String).force_new())
                .attr("arn", c(Type::String))
                .attr("associate_public_ip_address", oc(Type::Bool).force_new())
                .attr("availability_zone", oc(Type::String).force_new())
                .attr("disable_api_termination", oc(Type::Bool))
                .attr("ebs_optimized", oc(Type::Bool).force_new())
                .attr("iam_instance_profile", oc(Type::String))
                .attr("id", c(Type::String))
                .attr("instance_initiated_shutdown_behavior", oc(Type::String))
                .attr("instance_state", c(Type::String))
                .attr("instance_type", oc(Type::String))
                .attr("key_name", oc(Type::String).force_new())
                .attr("monitoring", oc(Type::Bool))
                .attr("outpost_arn", c(Type::String))
                .attr("primary_network_interface_id", c(Type::String))
                .attr("private_dns", c(Type::String))
                .attr("private_ip", oc(Type::String).force_new())
                .attr("public_dns", c(Type::String))
                .attr("public_ip", c(Type::String))
                .attr("security_groups", oc(Type::set(Type::String)).force_new())
                .attr("source_dest_check", Attribute::optional(Type::Bool))
                .attr("subnet_id", oc(Type::String).force_new())
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("tenancy", oc(Type::String).force_new())
                .attr("user_data", oc(Type::String))
                .attr("user_data_base64", oc(Type::String))
                .attr(
                    "user_data_replace_on_change",
                    Attribute::optional(Type::Bool),
                )
                .attr("vpc_security_group_ids", oc(Type::set(Type::String)))
                .block(
                    "root_block_device",
                    NestedBlock {
                        nesting: Nesting::List,
                        min_items: 0,
                        max_items: 1,
                        force_new: false,
                        block: root_block(),
                    },
                ),
        }
    }
    fn defaults(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("source_dest_check", b(true)),
            ("user_data_replace_on_change", b(false)),
        ]
    }
    fn computed_blocks(&self) -> &'static [&'static str] {
        &["root_block_device"]
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if cfg(config, "user_data").is_some() && cfg(config, "user_data_base64").is_some() {
            d.push(attr_error(
                "user_data",
                "conflicts with user_data_base64",
                "Only one of `user_data` and `user_data_base64` may be set.",
                "remove one of them",
            ));
        }
        if let Some(u) = cfg(config, "user_data").and_then(Value::as_str) {
            if u.len() > 16384 {
                d.push(attr_error(
                    "user_data",
                    "too long",
                    format!(
                        "user_data has {} bytes; EC2 accepts at most 16384.",
                        u.len()
                    ),
                    "shorten the user data or fetch the rest at boot",
                ));
            }
        }
        if let Some(b64) = cfg(config, "user_data_base64").and_then(Value::as_str) {
            if aws_smithy_types::base64::decode(b64).is_err() {
                d.push(attr_error(
                    "user_data_base64",
                    "not base64",
                    "user_data_base64 must be base64-encoded.",
                    "use base64encode(...) or user_data",
                ));
            }
        }
        if cfg(config, "ami").is_none()
            && config.is_wholly_known()
            && cfg(config, "launch_template").is_none()
        {
            d.push(attr_error(
                "ami",
                "missing AMI",
                "An instance needs `ami`.",
                "set ami, e.g. data.aws_ami.x.id",
            ));
        }
        if let Some(v) = cfg(config, "instance_initiated_shutdown_behavior").and_then(Value::as_str)
        {
            if v != "stop" && v != "terminate" {
                d.push(attr_error(
                    "instance_initiated_shutdown_behavior",
                    "expected \"stop\" or \"terminate\"",
                    format!("{v:?} is not a shutdown behaviour."),
                    "use \"stop\" or \"terminate\"",
                ));
            }
        }
        d
    }
    fn normalize(&self, planned: &mut Obj) {
        // user_data is stored as its hash (upstream's StateFunc).
        if let Some(u) = get_str(planned, "user_data") {
            if !is_hash(&u) {
                let h = if u.is_empty() {
                    String::new()
                } else {
                    user_data_hash(&u)
                };
                planned.insert("user_data".into(), s(h));
            }
        }
        if let Some(Value::List(t, items)) = planned
            .get("root_block_device")
            .map(Value::unmarked)
            .cloned()
        {
            let items = items
                .into_iter()
                .map(|v| match v {
                    Value::Object(mut m) => {
                        if m.get("delete_on_termination").is_none_or(Value::is_null) {
                            m.insert("delete_on_termination".into(), b(true));
                        }
                        for (k, ty) in [
                            ("device_name", Type::String),
                            ("volume_id", Type::String),
                            ("encrypted", Type::Bool),
                            ("iops", Type::Number),
                            ("kms_key_id", Type::String),
                            ("throughput", Type::Number),
                            ("volume_size", Type::Number),
                            ("volume_type", Type::String),
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
            planned.insert("root_block_device".into(), Value::List(t, items));
        }
    }
    fn plan_update(&self, prior: &Obj, planned: &mut Obj, rr: &mut Vec<AttrPath>) {
        // Computed parts of root_block_device keep their prior values.
        if let (Some(Value::Object(p)), Some(Value::List(t, items))) = (
            root(prior),
            planned
                .get("root_block_device")
                .map(Value::unmarked)
                .cloned(),
        ) {
            let items: Vec<Value> = items
                .into_iter()
                .map(|v| match v {
                    Value::Object(mut m) => {
                        for (k, x) in &p {
                            if !m.get(k).is_some_and(Value::is_known) {
                                m.insert(k.clone(), x.clone());
                            }
                        }
                        Value::Object(m)
                    }
                    v => v,
                })
                .collect();
            let enc_changed = items.first().is_some_and(|n| {
                !same(n.get_attr("encrypted"), p.get("encrypted"))
                    || !same(n.get_attr("kms_key_id"), p.get("kms_key_id"))
            });
            planned.insert("root_block_device".into(), Value::List(t, items));
            if enc_changed {
                rr.push(AttrPath::attr("root_block_device"));
            }
        }
        if get_bool(planned, "user_data_replace_on_change") == Some(true)
            && (!same(prior.get("user_data"), planned.get("user_data"))
                || !same(
                    prior.get("user_data_base64"),
                    planned.get("user_data_base64"),
                ))
        {
            rr.push(AttrPath::attr("user_data"));
        }
        // An instance type change stops and starts the instance: its public IP may change.
        if !same(prior.get("instance_type"), planned.get("instance_type")) {
            planned.insert("public_ip".into(), Value::Unknown(Type::String));
            planned.insert("public_dns".into(), Value::Unknown(Type::String));
        }
    }

    async fn create(&self, cx: &Ctx<'_>, planned: &Obj) -> Result<Obj, Failed> {
        self.create_with(cx, planned, Some(&cx.config)).await
    }

    async fn read(&self, cx: &Ctx<'_>, state: &Obj) -> Result<Option<Obj>, Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(state)?;
        let Some(i) = describe(&ec2, &id, "reading").await? else {
            return Ok(None);
        };
        let state_name = i
            .state()
            .and_then(|s| s.name())
            .map(|n| n.as_str().to_string())
            .unwrap_or_default();
        if state_name == "terminated" || state_name == "shutting-down" {
            return Ok(None);
        }
        let mut o = state.clone();
        o.insert("id".into(), s(&id));
        o.insert("arn".into(), s(cx.arn("ec2", &format!("instance/{id}"))));
        o.insert("ami".into(), opt_s(i.image_id()));
        o.insert(
            "instance_type".into(),
            opt_s(i.instance_type().map(|t| t.as_str())),
        );
        o.insert("instance_state".into(), s(&state_name));
        o.insert("key_name".into(), opt_s(i.key_name()));
        o.insert("subnet_id".into(), opt_s(i.subnet_id()));
        o.insert("private_ip".into(), opt_s(i.private_ip_address()));
        o.insert("public_ip".into(), s(i.public_ip_address().unwrap_or("")));
        o.insert("private_dns".into(), s(i.private_dns_name().unwrap_or("")));
        o.insert("public_dns".into(), s(i.public_dns_name().unwrap_or("")));
        o.insert("outpost_arn".into(), s(i.outpost_arn().unwrap_or("")));
        o.insert(
            "ebs_optimized".into(),
            b(i.ebs_optimized().unwrap_or(false)),
        );
        o.insert(
            "source_dest_check".into(),
            b(i.source_dest_check().unwrap_or(true)),
        );
        o.insert(
            "monitoring".into(),
            b(i.monitoring()
                .and_then(|m| m.state())
                .is_some_and(|s| s.as_str() == "enabled" || s.as_str() == "pending")),
        );
        o.insert(
            "availability_zone".into(),
            opt_s(i.placement().and_then(|p| p.availability_zone())),
        );
        o.insert(
            "tenancy".into(),
            opt_s(i.placement().and_then(|p| p.tenancy()).map(|t| t.as_str())),
        );
        o.insert(
            "iam_instance_profile".into(),
            s(i.iam_instance_profile()
                .and_then(|p| p.arn())
                .and_then(|a| a.rsplit('/').next())
                .unwrap_or("")),
        );
        let primary = i
            .network_interfaces()
            .iter()
            .find(|n| n.attachment().and_then(|a| a.device_index()) == Some(0));
        o.insert(
            "primary_network_interface_id".into(),
            opt_s(primary.and_then(|n| n.network_interface_id())),
        );
        if get(state, "associate_public_ip_address").is_null()
            || !get(state, "associate_public_ip_address").is_known()
        {
            o.insert(
                "associate_public_ip_address".into(),
                b(i.public_ip_address().is_some_and(|p| !p.is_empty())),
            );
        }
        let mut sg_ids: Vec<String> = i
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id().map(str::to_string))
            .collect();
        sg_ids.sort();
        let sg_names: Vec<String> = i
            .security_groups()
            .iter()
            .filter_map(|g| g.group_name().map(str::to_string))
            .collect();
        o.insert("vpc_security_group_ids".into(), str_set(sg_ids));
        // In a VPC upstream leaves security_groups (names) as configured (empty if unset).
        if i.vpc_id().is_some()
            && get(state, "security_groups")
                .as_seq()
                .is_none_or(|s| s.is_empty())
        {
            o.insert("security_groups".into(), str_set(Vec::new()));
        } else {
            o.insert("security_groups".into(), str_set(sg_names));
        }
        // Attributes that need DescribeInstanceAttribute.
        let attr = |name: InstanceAttributeName| {
            let ec2 = ec2.clone();
            let id = id.clone();
            async move {
                call_retry(
                    op("reading", "DescribeInstanceAttribute"),
                    NOT_FOUND_CODES,
                    Duration::from_secs(60),
                    || {
                        ec2.describe_instance_attribute()
                            .instance_id(&id)
                            .attribute(name.clone())
                            .send()
                    },
                )
                .await
            }
        };
        match attr(InstanceAttributeName::DisableApiTermination).await {
            Ok(a) => {
                o.insert(
                    "disable_api_termination".into(),
                    b(a.disable_api_termination()
                        .and_then(|v| v.value())
                        .unwrap_or(false)),
                );
            }
            Err(e) if e.kind == crate::api::ErrorKind::NotImplemented => {
                o.insert("disable_api_termination".into(), b(false));
            }
            Err(e) => return Err(e.into()),
        }
        match attr(InstanceAttributeName::InstanceInitiatedShutdownBehavior).await {
            Ok(a) => {
                o.insert(
                    "instance_initiated_shutdown_behavior".into(),
                    s(a.instance_initiated_shutdown_behavior()
                        .and_then(|v| v.value())
                        .unwrap_or("stop")),
                );
            }
            Err(e) if e.kind == crate::api::ErrorKind::NotImplemented => {
                o.insert("instance_initiated_shutdown_behavior".into(), s("stop"));
            }
            Err(e) => return Err(e.into()),
        }
        match attr(InstanceAttributeName::UserData).await {
            Ok(a) => {
                let v = a.user_data().and_then(|u| u.value()).unwrap_or("");
                if !get(state, "user_data_base64").is_null()
                    && get(state, "user_data_base64").is_known()
                {
                    o.insert(
                        "user_data_base64".into(),
                        if v.is_empty() {
                            Value::Null(Type::String)
                        } else {
                            s(v)
                        },
                    );
                    o.insert("user_data".into(), Value::Null(Type::String));
                } else {
                    o.insert(
                        "user_data".into(),
                        if v.is_empty() {
                            Value::Null(Type::String)
                        } else {
                            s(user_data_hash(v))
                        },
                    );
                    o.insert("user_data_base64".into(), Value::Null(Type::String));
                }
            }
            Err(e) if e.kind == crate::api::ErrorKind::NotImplemented => {}
            Err(e) => return Err(e.into()),
        }
        if get(&o, "user_data_replace_on_change").is_null() {
            o.insert("user_data_replace_on_change".into(), b(false));
        }
        // Root block device: the mapping for the root device name, and its volume.
        let root_name = i.root_device_name().unwrap_or_default().to_string();
        let mapping = i
            .block_device_mappings()
            .iter()
            .find(|m| m.device_name() == Some(root_name.as_str()));
        if let Some(m) = mapping {
            let vol_id = m
                .ebs()
                .and_then(|e| e.volume_id())
                .unwrap_or_default()
                .to_string();
            let vol = if vol_id.is_empty() {
                None
            } else {
                call(op("reading", "DescribeVolumes"), || {
                    ec2.describe_volumes().volume_ids(&vol_id).send()
                })
                .await
                .ok()
                .and_then(|out| out.volumes().first().cloned())
            };
            let num = |x: Option<i32>| Value::number(x.unwrap_or(0) as i64);
            let obj = Value::object([
                (
                    "delete_on_termination",
                    b(m.ebs()
                        .and_then(|e| e.delete_on_termination())
                        .unwrap_or(true)),
                ),
                ("device_name", s(&root_name)),
                (
                    "encrypted",
                    b(vol.as_ref().and_then(|v| v.encrypted()).unwrap_or(false)),
                ),
                ("iops", num(vol.as_ref().and_then(|v| v.iops()))),
                (
                    "kms_key_id",
                    s(vol.as_ref().and_then(|v| v.kms_key_id()).unwrap_or("")),
                ),
                ("throughput", num(vol.as_ref().and_then(|v| v.throughput()))),
                ("volume_id", s(&vol_id)),
                ("volume_size", num(vol.as_ref().and_then(|v| v.size()))),
                (
                    "volume_type",
                    s(vol
                        .as_ref()
                        .and_then(|v| v.volume_type())
                        .map(|t| t.as_str())
                        .unwrap_or("")),
                ),
            ]);
            o.insert(
                "root_block_device".into(),
                Value::List(root_block().implied_type(), vec![obj]),
            );
        } else {
            o.insert(
                "root_block_device".into(),
                Value::List(root_block().implied_type(), Vec::new()),
            );
        }
        set_tags_from_api(cx.aws, &mut o, tag_map(i.tags()), Some(state));
        Ok(Some(o))
    }

    async fn update(&self, cx: &Ctx<'_>, prior: &Obj, planned: &Obj) -> Result<Obj, Failed> {
        self.update_with(cx, prior, planned, Some(&cx.config)).await
    }

    async fn delete(&self, cx: &Ctx<'_>, prior: &Obj) -> Result<(), Diagnostics> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        // upstream turns API termination protection off first when it is on? No: it fails.
        let r = call(op("deleting", "TerminateInstances"), || {
            ec2.terminate_instances().instance_ids(&id).send()
        })
        .await;
        match r {
            Ok(_) => {}
            Err(e) if e.is(&["InvalidInstanceID.NotFound"]) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        wait_state(
            &ec2,
            &id,
            "deleting",
            &["terminated"],
            cx.timeouts.delete,
            true,
        )
        .await?;
        Ok(())
    }
}

impl Instance {
    /// Create, with the configuration at hand for the user data text (the plan holds its hash).
    async fn create_with(
        &self,
        cx: &Ctx<'_>,
        planned: &Obj,
        config: Option<&Value>,
    ) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let tags = tags_to_send(cx.aws, planned);
        let ami = get_str(planned, "ami").unwrap_or_default();
        let subnet = get_str(planned, "subnet_id");
        let sg_ids = get_strings(planned, "vpc_security_group_ids");
        let mut req = ec2
            .run_instances()
            .image_id(&ami)
            .min_count(1)
            .max_count(1)
            .set_key_name(get_str(planned, "key_name"))
            .set_user_data(user_data_b64(config, planned))
            .set_ebs_optimized(get_bool(planned, "ebs_optimized"))
            .set_disable_api_termination(get_bool(planned, "disable_api_termination"))
            .set_private_ip_address(None)
            .set_tag_specifications(tag_spec(ResourceType::Instance, &tags).map(|t| vec![t]));
        if let Some(t) = get_str(planned, "instance_type") {
            req = req.instance_type(InstanceType::from(t.as_str()));
        }
        if let Some(m) = get_bool(planned, "monitoring") {
            req = req.monitoring(RunInstancesMonitoringEnabled::builder().enabled(m).build());
        }
        if let Some(sb) = get_str(planned, "instance_initiated_shutdown_behavior") {
            req = req.instance_initiated_shutdown_behavior(ShutdownBehavior::from(sb.as_str()));
        }
        if let Some(p) = get_str(planned, "iam_instance_profile").filter(|p| !p.is_empty()) {
            let spec = if p.starts_with("arn:") {
                IamInstanceProfileSpecification::builder().arn(p).build()
            } else {
                IamInstanceProfileSpecification::builder().name(p).build()
            };
            req = req.iam_instance_profile(spec);
        }
        let az = get_str(planned, "availability_zone");
        let tenancy = get_str(planned, "tenancy");
        if az.is_some() || tenancy.is_some() {
            req = req.placement(
                Placement::builder()
                    .set_availability_zone(az)
                    .set_tenancy(tenancy.map(|t| Tenancy::from(t.as_str())))
                    .build(),
            );
        }
        // associate_public_ip_address needs a network interface specification.
        if let Some(assoc) = get_bool(planned, "associate_public_ip_address") {
            req = req.network_interfaces(
                InstanceNetworkInterfaceSpecification::builder()
                    .device_index(0)
                    .associate_public_ip_address(assoc)
                    .delete_on_termination(true)
                    .set_subnet_id(subnet.clone())
                    .set_private_ip_address(get_str(planned, "private_ip"))
                    .set_groups((!sg_ids.is_empty()).then(|| sg_ids.clone()))
                    .build(),
            );
        } else {
            req = req
                .set_subnet_id(subnet.clone())
                .set_private_ip_address(get_str(planned, "private_ip"))
                .set_security_group_ids((!sg_ids.is_empty()).then(|| sg_ids.clone()));
            let names = get_strings(planned, "security_groups");
            if !names.is_empty() {
                req = req.set_security_groups(Some(names));
            }
        }
        if let Some(r) = root(planned) {
            let known = |k: &str| {
                r.get_attr(k)
                    .filter(|v| v.is_known() && !v.is_null())
                    .cloned()
            };
            let any = [
                "volume_size",
                "volume_type",
                "encrypted",
                "iops",
                "throughput",
                "kms_key_id",
            ]
            .iter()
            .any(|k| known(k).is_some());
            if any {
                let device = root_device_name(&ec2, &ami).await?;
                let ebs = EbsBlockDevice::builder()
                    .set_volume_size(
                        known("volume_size")
                            .and_then(|v| v.as_i64())
                            .map(|n| n as i32),
                    )
                    .set_volume_type(
                        known("volume_type").and_then(|v| v.as_str().map(VolumeType::from)),
                    )
                    .set_encrypted(known("encrypted").and_then(|v| v.as_bool()))
                    .set_iops(
                        known("iops")
                            .and_then(|v| v.as_i64())
                            .map(|n| n as i32)
                            .filter(|n| *n > 0),
                    )
                    .set_throughput(
                        known("throughput")
                            .and_then(|v| v.as_i64())
                            .map(|n| n as i32)
                            .filter(|n| *n > 0),
                    )
                    .set_kms_key_id(
                        known("kms_key_id")
                            .and_then(|v| v.as_str().map(str::to_string))
                            .filter(|k| !k.is_empty()),
                    )
                    .set_delete_on_termination(
                        known("delete_on_termination").and_then(|v| v.as_bool()),
                    )
                    .build();
                req = req.block_device_mappings(
                    BlockDeviceMapping::builder()
                        .set_device_name(device)
                        .ebs(ebs)
                        .build(),
                );
            }
        }
        // A new instance profile may not be usable yet (IAM propagation).
        let out = call_retry(
            op("creating", "RunInstances"),
            &["InvalidParameterValue.IamInstanceProfile"],
            Duration::from_secs(120),
            || req.clone().send(),
        )
        .await?;
        let Some(id) = out
            .instances()
            .first()
            .and_then(|i| i.instance_id())
            .map(str::to_string)
        else {
            return Err(ApiError::other(
                op("creating", "RunInstances"),
                "the response has no instance",
            )
            .into());
        };
        let mut partial = planned.clone();
        partial.insert("id".into(), s(&id));
        if let Err(e) = wait_state(
            &ec2,
            &id,
            "creating",
            &["running"],
            cx.timeouts.create,
            false,
        )
        .await
        {
            return Err(Failed::partial(partial, e));
        }
        if get_bool(planned, "source_dest_check") == Some(false) {
            let r = call_retry(
                op("creating", "ModifyInstanceAttribute"),
                NOT_FOUND_CODES,
                Duration::from_secs(60),
                || {
                    ec2.modify_instance_attribute()
                        .instance_id(&id)
                        .source_dest_check(AttributeBooleanValue::builder().value(false).build())
                        .send()
                },
            )
            .await;
            if let Err(e) = r {
                return Err(Failed::partial(partial, e));
            }
        }
        match self.read(cx, &partial).await {
            Ok(Some(mut o)) => {
                // Keep the configured form of user_data (its hash) when AWS agrees.
                if get_str(planned, "user_data_base64").is_some() {
                    o.insert(
                        "user_data_base64".into(),
                        planned["user_data_base64"].clone(),
                    );
                }
                Ok(o)
            }
            Ok(None) => Err(Failed::partial(
                partial,
                ApiError::other(
                    op("creating", "DescribeInstances"),
                    "the new instance disappeared",
                ),
            )),
            Err(d) => Err(Failed::partial(partial, d)),
        }
    }

    async fn update_with(
        &self,
        cx: &Ctx<'_>,
        prior: &Obj,
        planned: &Obj,
        config: Option<&Value>,
    ) -> Result<Obj, Failed> {
        let ec2 = cx.ec2();
        let id = id_of(prior)?;
        let type_changed = !same(prior.get("instance_type"), planned.get("instance_type"));
        let ud_changed = !same(prior.get("user_data"), planned.get("user_data"))
            || !same(
                prior.get("user_data_base64"),
                planned.get("user_data_base64"),
            );
        if type_changed || ud_changed {
            // Stop, modify, start (upstream's order).
            call(op("updating", "StopInstances"), || {
                ec2.stop_instances().instance_ids(&id).send()
            })
            .await?;
            wait_state(
                &ec2,
                &id,
                "updating",
                &["stopped"],
                cx.timeouts.update,
                false,
            )
            .await?;
            if type_changed {
                let t = get_str(planned, "instance_type").unwrap_or_default();
                call(op("updating", "ModifyInstanceAttribute"), || {
                    ec2.modify_instance_attribute()
                        .instance_id(&id)
                        .instance_type(AttributeValue::builder().value(&t).build())
                        .send()
                })
                .await?;
            }
            if ud_changed {
                // The blob is the base64 text (the SDK encodes it once more on the wire, and
                // EC2 stores user data base64-encoded), as upstream sends it.
                let data = user_data_b64(config, planned).unwrap_or_default();
                let bytes = data.into_bytes();
                call(op("updating", "ModifyInstanceAttribute"), || {
                    ec2.modify_instance_attribute()
                        .instance_id(&id)
                        .user_data(
                            SecureBlobAttributeValue::builder()
                                .value(aws_smithy_types::Blob::new(bytes.clone()))
                                .build(),
                        )
                        .send()
                })
                .await?;
            }
            call(op("updating", "StartInstances"), || {
                ec2.start_instances().instance_ids(&id).send()
            })
            .await?;
            wait_state(
                &ec2,
                &id,
                "updating",
                &["running"],
                cx.timeouts.update,
                false,
            )
            .await?;
        }
        // Root volume size/type/IOPS/throughput change in place (ModifyVolume).
        if let (Some(pr), Some(nr)) = (root(prior), root(planned)) {
            let ch = |k: &str| !same(pr.get_attr(k), nr.get_attr(k));
            let vol = nr.get_attr("volume_id").and_then(Value::as_str).unwrap_or_default().to_string();
            if !vol.is_empty() && (ch("volume_size") || ch("volume_type") || ch("iops") || ch("throughput")) {
                let num = |k: &str| {
                    nr.get_attr(k).and_then(Value::as_i64).map(|n| n as i32).filter(|n| *n > 0 && ch(k))
                };
                let vt = nr
                    .get_attr("volume_type")
                    .and_then(Value::as_str)
                    .filter(|t| !t.is_empty() && ch("volume_type"))
                    .map(VolumeType::from);
                call(op("updating", "ModifyVolume"), || {
                    ec2.modify_volume()
                        .volume_id(&vol)
                        .set_size(num("volume_size"))
                        .set_volume_type(vt.clone())
                        .set_iops(num("iops"))
                        .set_throughput(num("throughput"))
                        .send()
                })
                .await?;
            }
        }
        if !same(
            prior.get("vpc_security_group_ids"),
            planned.get("vpc_security_group_ids"),
        ) && get(planned, "vpc_security_group_ids").is_wholly_known()
        {
            let groups = get_strings(planned, "vpc_security_group_ids");
            call(op("updating", "ModifyInstanceAttribute"), || {
                ec2.modify_instance_attribute()
                    .instance_id(&id)
                    .set_groups(Some(groups.clone()))
                    .send()
            })
            .await?;
        }
        for (attr, which) in [("source_dest_check", 0), ("disable_api_termination", 1)] {
            if !same(prior.get(attr), planned.get(attr)) {
                if let Some(v) = get_bool(planned, attr) {
                    let val = AttributeBooleanValue::builder().value(v).build();
                    call(op("updating", "ModifyInstanceAttribute"), || {
                        let r = ec2.modify_instance_attribute().instance_id(&id);
                        let r = if which == 0 {
                            r.source_dest_check(val.clone())
                        } else {
                            r.disable_api_termination(val.clone())
                        };
                        r.send()
                    })
                    .await?;
                }
            }
        }
        if !same(
            prior.get("instance_initiated_shutdown_behavior"),
            planned.get("instance_initiated_shutdown_behavior"),
        ) {
            if let Some(v) = get_str(planned, "instance_initiated_shutdown_behavior") {
                call(op("updating", "ModifyInstanceAttribute"), || {
                    ec2.modify_instance_attribute()
                        .instance_id(&id)
                        .instance_initiated_shutdown_behavior(
                            AttributeValue::builder().value(&v).build(),
                        )
                        .send()
                })
                .await?;
            }
        }
        if !same(prior.get("monitoring"), planned.get("monitoring")) {
            match get_bool(planned, "monitoring") {
                Some(true) => {
                    call(op("updating", "MonitorInstances"), || {
                        ec2.monitor_instances().instance_ids(&id).send()
                    })
                    .await?;
                }
                Some(false) => {
                    call(op("updating", "UnmonitorInstances"), || {
                        ec2.unmonitor_instances().instance_ids(&id).send()
                    })
                    .await?;
                }
                None => {}
            }
        }
        if !same(
            prior.get("iam_instance_profile"),
            planned.get("iam_instance_profile"),
        ) {
            update_profile(
                &ec2,
                &id,
                get_str(planned, "iam_instance_profile").unwrap_or_default(),
            )
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
            Some(mut o) => {
                if get_str(planned, "user_data_base64").is_some() {
                    o.insert(
                        "user_data_base64".into(),
                        planned["user_data_base64"].clone(),
                    );
                }
                Ok(o)
            }
            None => Err(ApiError::other(
                op("updating", "DescribeInstances"),
                "the instance disappeared",
            )
            .into()),
        }
    }
}

/// Associates, replaces or removes the instance profile.
async fn update_profile(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    profile: String,
) -> Result<(), ApiError> {
    let assoc = call(
        op("updating", "DescribeIamInstanceProfileAssociations"),
        || {
            ec2.describe_iam_instance_profile_associations()
                .filters(super::filter("instance-id", &[id.to_string()]))
                .send()
        },
    )
    .await?;
    let current = assoc
        .iam_instance_profile_associations()
        .iter()
        .find(|a| {
            a.state()
                .is_some_and(|s| s.as_str() == "associated" || s.as_str() == "associating")
        })
        .and_then(|a| a.association_id())
        .map(str::to_string);
    let spec = if profile.starts_with("arn:") {
        IamInstanceProfileSpecification::builder()
            .arn(&profile)
            .build()
    } else {
        IamInstanceProfileSpecification::builder()
            .name(&profile)
            .build()
    };
    match (current, profile.is_empty()) {
        (Some(a), true) => {
            call(op("updating", "DisassociateIamInstanceProfile"), || {
                ec2.disassociate_iam_instance_profile()
                    .association_id(&a)
                    .send()
            })
            .await?;
        }
        (Some(a), false) => {
            call(
                op("updating", "ReplaceIamInstanceProfileAssociation"),
                || {
                    ec2.replace_iam_instance_profile_association()
                        .association_id(&a)
                        .iam_instance_profile(spec.clone())
                        .send()
                },
            )
            .await?;
        }
        (None, false) => {
            call(op("updating", "AssociateIamInstanceProfile"), || {
                ec2.associate_iam_instance_profile()
                    .instance_id(id)
                    .iam_instance_profile(spec.clone())
                    .send()
            })
            .await?;
        }
        (None, true) => {}
    }
    Ok(())
}

async fn root_device_name(
    ec2: &aws_sdk_ec2::Client,
    ami: &str,
) -> Result<Option<String>, ApiError> {
    let out = call(op("creating", "DescribeImages"), || {
        ec2.describe_images().image_ids(ami).send()
    })
    .await?;
    Ok(out
        .images()
        .first()
        .and_then(|i| i.root_device_name())
        .map(str::to_string))
}

pub(crate) async fn describe(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    verb: &'static str,
) -> Result<Option<aws_sdk_ec2::types::Instance>, ApiError> {
    match call(op(verb, "DescribeInstances"), || {
        ec2.describe_instances().instance_ids(id).send()
    })
    .await
    {
        Ok(out) => Ok(out
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .find(|i| i.instance_id() == Some(id))
            .cloned()),
        Err(e) if e.is(&["InvalidInstanceID.NotFound"]) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Waits until the instance is in one of `targets` (`gone_ok`: not found counts as reached).
async fn wait_state(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    verb: &'static str,
    targets: &[&str],
    timeout: Duration,
    gone_ok: bool,
) -> Result<(), ApiError> {
    wait(
        op(verb, "DescribeInstances"),
        &targets.join(" or "),
        timeout,
        Duration::from_secs(2),
        || {
            let ec2 = ec2.clone();
            async move {
                Ok(match describe(&ec2, id, verb).await? {
                    None if gone_ok => Poll::Ready(()),
                    None => Poll::Pending("not yet visible".into()),
                    Some(i) => {
                        let st = i.state().and_then(|s| s.name()).cloned();
                        let name = st
                            .as_ref()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default();
                        if targets.contains(&name.as_str()) {
                            Poll::Ready(())
                        } else if st == Some(InstanceStateName::Terminated) {
                            let why = i
                                .state_reason()
                                .and_then(|r| r.message())
                                .unwrap_or("")
                                .to_string();
                            Poll::Failed(format!(
                                "terminated{}",
                                if why.is_empty() {
                                    String::new()
                                } else {
                                    format!(": {why}")
                                }
                            ))
                        } else {
                            Poll::Pending(name)
                        }
                    }
                })
            }
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn user_data_hash_matches_upstream() {
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        // base64 input hashes its decoded bytes.
        assert_eq!(user_data_hash("YWJj"), sha1_hex(b"abc"));
        assert_eq!(
            user_data_hash("#!/bin/bash\necho hi"),
            sha1_hex(b"#!/bin/bash\necho hi")
        );
    }
}
