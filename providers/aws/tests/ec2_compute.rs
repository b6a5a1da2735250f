//! EC2 compute resource types against moto, through the provider traits: `aws_instance`
//! (create → read → no-op plan → instance_type and user_data changed in place by
//! stop/modify/start → force-new change → drift → import → delete) and `aws_launch_template`
//! (updates make new versions), plus error diagnostics.
//!
//! Needs PLINTH_TEST_MOTO_ENDPOINT (see README.md); skips, saying so, without it.

mod support;

use plinth_provider_aws::sdk::ec2;
use plinth_sdk::{AttrPath, Type, Value};
use support::*;

fn with(cfg: &Value, k: &str, v: Value) -> Value {
    let mut c = cfg.clone();
    if let Value::Object(m) = &mut c {
        m.insert(k.into(), v);
    }
    c
}

fn first_error(d: &plinth_sdk::Diagnostics) -> plinth_sdk::Diagnostic {
    d.iter().next().cloned().expect("a diagnostic")
}

/// An AMI moto knows.
async fn some_ami(c: &ec2::Client) -> String {
    let out = c.describe_images().owners("amazon").send().await.unwrap();
    out.images()
        .first()
        .and_then(|i| i.image_id())
        .expect("moto has AMIs")
        .to_string()
}

/// Lower-case SHA-1 hex, computed by the system's sha1sum (an independent oracle).
fn sha1sum(data: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("sha1sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha1sum");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(data.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn instance_lifecycle_type_change_user_data_drift_import() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[("Env", "test")]).await;
    let sdk = ec2_client(&ep).await;
    let ami = some_ami(&sdk).await;
    let vpc = create(
        &p,
        "aws_vpc",
        &obj(vec![("cidr_block", st("10.70.0.0/16"))]),
    )
    .await;
    let vpc_id = attr(&vpc, "id");
    let subnet = create(
        &p,
        "aws_subnet",
        &obj(vec![
            ("vpc_id", st(&vpc_id)),
            ("cidr_block", st("10.70.1.0/24")),
        ]),
    )
    .await;
    let subnet_id = attr(&subnet, "id");
    let sg = create(
        &p,
        "aws_security_group",
        &obj(vec![("vpc_id", st(&vpc_id)), ("name", st("inst-sg"))]),
    )
    .await;
    let sg_id = attr(&sg, "id");

    let user_data = "#!/bin/bash\necho hello > /tmp/hello\n";
    let cfg = obj(vec![
        ("ami", st(&ami)),
        ("instance_type", st("t3.micro")),
        ("subnet_id", st(&subnet_id)),
        (
            "vpc_security_group_ids",
            Value::set(Type::String, vec![st(&sg_id)]),
        ),
        ("user_data", st(user_data)),
        (
            "root_block_device",
            Value::list(vec![obj(vec![
                ("volume_size", Value::number(16)),
                ("volume_type", st("gp3")),
            ])]),
        ),
        ("tags", tags(&[("Name", "web")])),
    ]);
    let planned = plan(&p, "aws_instance", None, &cfg).await;
    assert!(!planned.diagnostics.has_errors(), "{}", planned.diagnostics);
    // user_data is planned (and stored) as its SHA-1, like upstream.
    let ps = planned.planned_state.clone().unwrap();
    assert_eq!(attr(&ps, "user_data"), sha1sum(user_data));
    let inst = apply(&p, "aws_instance", None, planned.planned_state, &cfg)
        .await
        .unwrap_or_else(|d| panic!("{d}"));
    let id = attr(&inst, "id");
    assert!(id.starts_with("i-"), "{id}");
    assert_eq!(attr(&inst, "instance_state"), "running");
    assert_eq!(attr(&inst, "instance_type"), "t3.micro");
    assert_eq!(
        attr(&inst, "arn"),
        format!("arn:aws:ec2:us-east-1:123456789012:instance/{id}")
    );
    assert!(!attr(&inst, "private_ip").is_empty());
    assert_eq!(attr(&inst, "user_data"), sha1sum(user_data));
    assert_eq!(
        inst.get_attr("vpc_security_group_ids").unwrap(),
        &Value::set(Type::String, vec![st(&sg_id)])
    );
    let root = &inst
        .get_attr("root_block_device")
        .and_then(Value::as_seq)
        .unwrap()[0];
    assert_eq!(
        root.get_attr("volume_size").and_then(Value::as_i64),
        Some(16),
        "{root:?}"
    );
    assert_eq!(
        inst.get_attr("tags_all").unwrap(),
        &tags(&[("Env", "test"), ("Name", "web")])
    );
    // The user data reached EC2 (base64 of the text).
    let ud = sdk
        .describe_instance_attribute()
        .instance_id(&id)
        .attribute(ec2::types::InstanceAttributeName::UserData)
        .send()
        .await
        .unwrap();
    let sent = ud
        .user_data()
        .and_then(|u| u.value())
        .unwrap_or_default()
        .to_string();
    assert_eq!(String::from_utf8(aws_b64_decode(&sent)).unwrap(), user_data);

    let back = read(&p, "aws_instance", &inst)
        .await
        .expect("instance exists");
    assert!(diff(&inst, &back).is_empty(), "{:?}", diff(&inst, &back));
    assert_noop(&p, "aws_instance", &back, &cfg).await;

    // instance_type in place: stop, modify, start; the ID stays.
    let cfg2 = with(
        &with(&cfg, "instance_type", st("t3.small")),
        "tags",
        tags(&[("Name", "web2")]),
    );
    let inst2 = update(&p, "aws_instance", &back, &cfg2).await;
    assert_eq!(attr(&inst2, "id"), id);
    assert_eq!(attr(&inst2, "instance_type"), "t3.small");
    assert_eq!(attr(&inst2, "instance_state"), "running");
    assert_noop(&p, "aws_instance", &inst2, &cfg2).await;

    // user_data in place (user_data_replace_on_change = false).
    let ud2 = "#!/bin/bash\necho bye\n";
    let cfg3 = with(&cfg2, "user_data", st(ud2));
    let inst3 = update(&p, "aws_instance", &inst2, &cfg3).await;
    assert_eq!(attr(&inst3, "id"), id);
    assert_eq!(attr(&inst3, "user_data"), sha1sum(ud2));
    assert_noop(&p, "aws_instance", &inst3, &cfg3).await;
    // …but with user_data_replace_on_change = true it forces replacement.
    let rp = plan(
        &p,
        "aws_instance",
        Some(&with(
            &inst3,
            "user_data_replace_on_change",
            Value::Bool(true),
        )),
        &with(
            &with(&cfg3, "user_data", st("other")),
            "user_data_replace_on_change",
            Value::Bool(true),
        ),
    )
    .await;
    assert!(
        rp.requires_replace.contains(&AttrPath::attr("user_data")),
        "{:?}",
        rp.requires_replace
    );

    // ForceNew: ami, subnet_id.
    let rp = plan(
        &p,
        "aws_instance",
        Some(&inst3),
        &with(&cfg3, "ami", st("ami-00000000")),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("ami")]);
    assert!(!rp.planned_state.unwrap().get_attr("id").unwrap().is_known());

    // Drift: a tag changed through the SDK.
    sdk.create_tags()
        .resources(&id)
        .tags(ec2::types::Tag::builder().key("Name").value("hand").build())
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_instance", &inst3).await.unwrap();
    assert_eq!(
        drifted.get_attr("tags").unwrap(),
        &tags(&[("Name", "hand")])
    );
    let repair = plan(&p, "aws_instance", Some(&drifted), &cfg3).await;
    assert!(repair.requires_replace.is_empty());
    assert_eq!(
        repair.planned_state.unwrap().get_attr("tags").unwrap(),
        &tags(&[("Name", "web2")])
    );

    // Import by instance ID: with the configuration, no change.
    let fixed = update(&p, "aws_instance", &drifted, &cfg3).await;
    let imported = import(&p, "aws_instance", &id).await.unwrap();
    assert_eq!(attr(&imported, "user_data"), sha1sum(ud2));
    assert_noop(&p, "aws_instance", &imported, &cfg3).await;

    // Delete waits until terminated; read then says gone; the SDK sees it terminated.
    delete(&p, "aws_instance", &fixed).await;
    assert!(read(&p, "aws_instance", &fixed).await.is_none());
    let out = sdk
        .describe_instances()
        .filters(
            ec2::types::Filter::builder()
                .name("instance-state-name")
                .values("running")
                .values("pending")
                .values("stopped")
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .all(|i| i.instance_id() != Some(id.as_str())));

    // An API failure names the operation, the code and the message.
    let bad = with(&cfg, "subnet_id", st("subnet-00000000deadbeef"));
    let err = try_create(&p, "aws_instance", &bad).await.unwrap_err();
    let d = first_error(&err);
    assert!(
        d.summary.starts_with("creating EC2 Instance: "),
        "{}",
        d.summary
    );
    assert!(
        d.detail
            .clone()
            .unwrap()
            .contains("EC2 RunInstances call failed with AWS error code"),
        "{:?}",
        d.detail
    );
    // Both user_data forms at once: a plan-time error.
    let both = with(&cfg, "user_data_base64", st("aGk="));
    let pl = plan(&p, "aws_instance", None, &both).await;
    assert!(
        first_error(&pl.diagnostics).summary.contains("user_data"),
        "{}",
        pl.diagnostics
    );

    // (The VPC, subnet and group stay: moto keeps terminated instances' interfaces a while.)
    let _ = (sg, subnet, vpc);
}

fn aws_b64_decode(s: &str) -> Vec<u8> {
    // A tiny standard-alphabet decoder for the assertion (no extra dependency).
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        } as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    out
}

#[tokio::test]
async fn launch_template_versions_drift_import() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let sdk = ec2_client(&ep).await;
    let ami = some_ami(&sdk).await;
    let name = format!(
        "lt-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() % 1_000_000_000)
            .unwrap_or(0)
    );
    let cfg = obj(vec![
        ("name", st(&name)),
        ("image_id", st(&ami)),
        ("instance_type", st("t3.micro")),
        ("user_data", st("IyEvYmluL2Jhc2gKZWNobyBoaQo=")),
        ("tags", tags(&[("Name", "lt")])),
    ]);
    let lt = create(&p, "aws_launch_template", &cfg).await;
    let id = attr(&lt, "id");
    assert!(id.starts_with("lt-"), "{id}");
    assert_eq!(
        lt.get_attr("latest_version").and_then(Value::as_i64),
        Some(1)
    );
    assert_eq!(
        lt.get_attr("default_version").and_then(Value::as_i64),
        Some(1)
    );
    assert_eq!(
        attr(&lt, "arn"),
        format!("arn:aws:ec2:us-east-1:123456789012:launch-template/{id}")
    );
    assert_eq!(attr(&lt, "user_data"), "IyEvYmluL2Jhc2gKZWNobyBoaQo=");
    let back = read(&p, "aws_launch_template", &lt).await.expect("exists");
    assert!(diff(&lt, &back).is_empty(), "{:?}", diff(&lt, &back));
    assert_noop(&p, "aws_launch_template", &back, &cfg).await;

    // A data change makes version 2; the default stays 1 unless update_default_version.
    let cfg2 = with(&cfg, "instance_type", st("t3.small"));
    let pl = plan(&p, "aws_launch_template", Some(&back), &cfg2).await;
    assert!(pl.requires_replace.is_empty());
    assert!(!pl
        .planned_state
        .as_ref()
        .unwrap()
        .get_attr("latest_version")
        .unwrap()
        .is_known());
    let lt2 = update(&p, "aws_launch_template", &back, &cfg2).await;
    assert_eq!(attr(&lt2, "id"), id);
    assert_eq!(
        lt2.get_attr("latest_version").and_then(Value::as_i64),
        Some(2)
    );
    assert_eq!(
        lt2.get_attr("default_version").and_then(Value::as_i64),
        Some(1)
    );
    assert_eq!(attr(&lt2, "instance_type"), "t3.small");
    assert_noop(&p, "aws_launch_template", &lt2, &cfg2).await;
    let cfg3 = with(
        &with(&cfg2, "instance_type", st("t3.medium")),
        "update_default_version",
        Value::Bool(true),
    );
    let lt3 = update(&p, "aws_launch_template", &lt2, &cfg3).await;
    assert_eq!(
        lt3.get_attr("latest_version").and_then(Value::as_i64),
        Some(3)
    );
    assert_eq!(
        lt3.get_attr("default_version").and_then(Value::as_i64),
        Some(3)
    );
    let versions = sdk
        .describe_launch_template_versions()
        .launch_template_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(versions.launch_template_versions().len(), 3);
    assert_noop(&p, "aws_launch_template", &lt3, &cfg3).await;

    // ForceNew: name.
    let rp = plan(
        &p,
        "aws_launch_template",
        Some(&lt3),
        &with(&cfg3, "name", st("renamed")),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("name")]);

    // Drift: a version made behind Plinth's back (the SDK) shows on read, and the plan
    // makes a new version with the configured data again.
    sdk.create_launch_template_version()
        .launch_template_id(&id)
        .source_version("3")
        .launch_template_data(
            ec2::types::RequestLaunchTemplateData::builder()
                .instance_type(ec2::types::InstanceType::M5Large)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_launch_template", &lt3).await.unwrap();
    assert_eq!(
        drifted.get_attr("latest_version").and_then(Value::as_i64),
        Some(4)
    );
    assert_eq!(attr(&drifted, "instance_type"), "m5.large");
    let repair = plan(&p, "aws_launch_template", Some(&drifted), &cfg3).await;
    assert!(repair.requires_replace.is_empty());
    assert_eq!(
        attr(repair.planned_state.as_ref().unwrap(), "instance_type"),
        "t3.medium"
    );
    let fixed = update(&p, "aws_launch_template", &drifted, &cfg3).await;
    assert_eq!(
        fixed.get_attr("latest_version").and_then(Value::as_i64),
        Some(5)
    );

    // Import by ID.
    let imported = import(&p, "aws_launch_template", &id).await.unwrap();
    assert_eq!(attr(&imported, "name"), name);
    // (An import has no update_default_version; Terraform too plans setting it.)
    assert_noop(
        &p,
        "aws_launch_template",
        &imported,
        &with(&cfg3, "update_default_version", Value::null()),
    )
    .await;

    // name_prefix.
    let pcfg = obj(vec![("name_prefix", st("web-")), ("image_id", st(&ami))]);
    let pre = create(&p, "aws_launch_template", &pcfg).await;
    assert!(
        attr(&pre, "name").starts_with("web-"),
        "{}",
        attr(&pre, "name")
    );
    assert_noop(&p, "aws_launch_template", &pre, &pcfg).await;
    delete(&p, "aws_launch_template", &pre).await;

    delete(&p, "aws_launch_template", &fixed).await;
    assert!(read(&p, "aws_launch_template", &fixed).await.is_none());
    let found = sdk.describe_launch_templates().send().await.unwrap();
    assert!(found
        .launch_templates()
        .iter()
        .all(|t| t.launch_template_id() != Some(id.as_str())));

    // Errors: bad user_data at plan time; a duplicate name from the API.
    let pl = plan(
        &p,
        "aws_launch_template",
        None,
        &with(&cfg, "user_data", st("not base64!")),
    )
    .await;
    assert!(
        first_error(&pl.diagnostics).summary.contains("user_data"),
        "{}",
        pl.diagnostics
    );
    let dup = create(&p, "aws_launch_template", &cfg).await;
    let err = try_create(&p, "aws_launch_template", &cfg)
        .await
        .unwrap_err();
    let d = first_error(&err);
    assert!(
        d.summary.starts_with("creating EC2 Launch Template: "),
        "{}",
        d.summary
    );
    assert!(
        d.detail
            .clone()
            .unwrap()
            .contains("CreateLaunchTemplate call failed with AWS error code"),
        "{:?}",
        d.detail
    );
    delete(&p, "aws_launch_template", &dup).await;
}
