//! Secrets Manager and S3 resource types against moto, through the provider traits:
//! create → read → no-op plan → in-place update → force-new change → drift → import →
//! delete (then the SDK finds nothing), and error diagnostics.
//!
//! Needs PLINTH_TEST_MOTO_ENDPOINT (see README.md); skips, saying so, without it.

mod support;

use plinth_provider_aws::sdk::{s3, secretsmanager};
use plinth_sdk::{AttrPath, Type, Value};
use support::*;

fn suffix() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{:x}", t.as_nanos() % 0xff_ffff_ffff)
}

fn with(cfg: &Value, k: &str, v: Value) -> Value {
    let mut c = cfg.clone();
    if let Value::Object(m) = &mut c {
        m.insert(k.into(), v);
    }
    c
}

fn sm_client(ep: &str) -> secretsmanager::Client {
    let conf = secretsmanager::Config::builder()
        .behavior_version(secretsmanager::config::BehaviorVersion::latest())
        .region(secretsmanager::config::Region::new("us-east-1"))
        .credentials_provider(secretsmanager::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .endpoint_url(ep)
        .build();
    secretsmanager::Client::from_conf(conf)
}

fn s3_client(ep: &str) -> s3::Client {
    let conf = s3::Config::builder()
        .behavior_version(s3::config::BehaviorVersion::latest())
        .region(s3::config::Region::new("us-east-1"))
        .credentials_provider(s3::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .endpoint_url(ep)
        .force_path_style(true)
        .build();
    s3::Client::from_conf(conf)
}

/// The bucket's versioning status through the SDK. moto answers GetBucketVersioning with a
/// root element the SDK cannot parse; the status is then read from the body it kept.
async fn versioning_status(sdk: &s3::Client, bucket: &str) -> Option<String> {
    match sdk.get_bucket_versioning().bucket(bucket).send().await {
        Ok(o) => o.status().map(|s| s.as_str().to_string()),
        Err(e) => {
            let body = e
                .raw_response()
                .and_then(|r| r.body().bytes())
                .map(|b| String::from_utf8_lossy(b).into_owned())?;
            let start = body.find("<Status>")? + "<Status>".len();
            let end = body[start..].find("</Status>")? + start;
            Some(body[start..end].to_string())
        }
    }
}

fn stages(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .get_attr("version_stages")
        .and_then(Value::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect();
    out.sort();
    out
}

fn str_set(items: &[&str]) -> Value {
    Value::set(Type::String, items.iter().map(|s| st(s)).collect())
}

#[tokio::test]
async fn secret_and_version_lifecycle() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[("Env", "test")]).await;
    let sdk = sm_client(&ep);
    let name = format!("plinth/app-{}/db", suffix());
    let cfg = obj(vec![
        ("name", st(&name)),
        ("description", st("database credentials")),
        ("recovery_window_in_days", Value::number(0)),
        ("tags", tags(&[("Name", "db")])),
    ]);
    let sec = create(&p, "aws_secretsmanager_secret", &cfg).await;
    let arn = attr(&sec, "arn");
    assert!(
        arn.starts_with("arn:aws:secretsmanager:us-east-1:"),
        "{arn}"
    );
    assert_eq!(attr(&sec, "id"), arn);
    assert_eq!(attr(&sec, "name"), name);
    assert_eq!(
        sec.get_attr("tags_all").unwrap(),
        &tags(&[("Env", "test"), ("Name", "db")])
    );
    let sec = read(&p, "aws_secretsmanager_secret", &sec).await.unwrap();
    assert_noop(&p, "aws_secretsmanager_secret", &sec, &cfg).await;
    // Defaults as upstream.
    let dflt = plan(
        &p,
        "aws_secretsmanager_secret",
        None,
        &obj(vec![("name", st("x"))]),
    )
    .await;
    assert_eq!(
        dflt.planned_state
            .unwrap()
            .get_attr("recovery_window_in_days"),
        Some(&Value::number(30))
    );

    // In place: description and tags.
    let cfg2 = with(
        &with(&cfg, "description", st("rotated monthly")),
        "tags",
        tags(&[("Name", "db"), ("Tier", "data")]),
    );
    let sec = update(&p, "aws_secretsmanager_secret", &sec, &cfg2).await;
    assert_eq!(attr(&sec, "description"), "rotated monthly");
    assert_noop(&p, "aws_secretsmanager_secret", &sec, &cfg2).await;
    // Drift.
    sdk.update_secret()
        .secret_id(&arn)
        .description("edited by hand")
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_secretsmanager_secret", &sec).await.unwrap();
    assert_eq!(attr(&drifted, "description"), "edited by hand");
    let sec = update(&p, "aws_secretsmanager_secret", &drifted, &cfg2).await;
    // Import by ARN: only recovery_window_in_days (not readable) differs, as upstream.
    let imp = import(&p, "aws_secretsmanager_secret", &arn).await.unwrap();
    assert_eq!(attr(&imp, "name"), name);
    assert_eq!(
        imp.get_attr("tags").unwrap(),
        &tags(&[("Name", "db"), ("Tier", "data")])
    );
    assert_noop(
        &p,
        "aws_secretsmanager_secret",
        &imp,
        &with(&cfg2, "recovery_window_in_days", Value::number(30)),
    )
    .await;
    // ForceNew: the name.
    let rp = plan(
        &p,
        "aws_secretsmanager_secret",
        Some(&sec),
        &with(&cfg2, "name", st("other")),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("name")]);

    // ---- aws_secretsmanager_secret_version ----
    let v_cfg = obj(vec![
        ("secret_id", st(&arn)),
        (
            "secret_string",
            st(r#"{"username":"app","password":"s3cr3t"}"#).mark_sensitive(),
        ),
    ]);
    let v = create(&p, "aws_secretsmanager_secret_version", &v_cfg).await;
    let vid = attr(&v, "version_id");
    assert!(!vid.is_empty());
    assert_eq!(attr(&v, "id"), format!("{arn}|{vid}"));
    assert_eq!(attr(&v, "arn"), arn);
    assert_eq!(stages(&v), vec!["AWSCURRENT"]);
    assert!(v.get_attr("secret_string").unwrap().is_sensitive());
    let v = read(&p, "aws_secretsmanager_secret_version", &v)
        .await
        .unwrap();
    assert_noop(&p, "aws_secretsmanager_secret_version", &v, &v_cfg).await;
    // In place: an extra staging label.
    let v_cfg2 = with(&v_cfg, "version_stages", str_set(&["AWSCURRENT", "blue"]));
    let v = update(&p, "aws_secretsmanager_secret_version", &v, &v_cfg2).await;
    assert_eq!(stages(&v), vec!["AWSCURRENT", "blue"]);
    assert_noop(&p, "aws_secretsmanager_secret_version", &v, &v_cfg2).await;
    // Drift: a new value put by hand takes AWSCURRENT away from this version.
    sdk.put_secret_value()
        .secret_id(&arn)
        .secret_string("by hand")
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_secretsmanager_secret_version", &v)
        .await
        .unwrap();
    assert!(
        !stages(&drifted).contains(&"AWSCURRENT".to_string()),
        "{:?}",
        stages(&drifted)
    );
    // Import by `arn|version_id`.
    let imp = import(
        &p,
        "aws_secretsmanager_secret_version",
        &format!("{arn}|{vid}"),
    )
    .await
    .unwrap();
    assert_eq!(attr(&imp, "version_id"), vid);
    assert_eq!(
        imp.get_attr("secret_string").unwrap().unmarked(),
        &st(r#"{"username":"app","password":"s3cr3t"}"#)
    );
    let bad = import(&p, "aws_secretsmanager_secret_version", "no-separator")
        .await
        .unwrap_err();
    assert!(
        bad.iter()
            .next()
            .unwrap()
            .summary
            .contains("invalid aws_secretsmanager_secret_version ID"),
        "{bad}"
    );
    // ForceNew: the value.
    let rp = plan(
        &p,
        "aws_secretsmanager_secret_version",
        Some(&v),
        &with(&v_cfg2, "secret_string", st("new")),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("secret_string")]);
    // Binary values are base64 in configuration and state.
    let b_cfg = obj(vec![
        ("secret_id", st(&arn)),
        ("secret_binary", st("AAECAwQ=")),
    ]);
    let bv = create(&p, "aws_secretsmanager_secret_version", &b_cfg).await;
    assert_eq!(
        bv.get_attr("secret_binary").unwrap().unmarked(),
        &st("AAECAwQ=")
    );
    assert_noop(&p, "aws_secretsmanager_secret_version", &bv, &b_cfg).await;

    // Delete: the version loses its labels; the secret (recovery window 0) is gone at once.
    delete(&p, "aws_secretsmanager_secret_version", &drifted).await;
    let versions = sdk
        .list_secret_version_ids()
        .secret_id(&arn)
        .include_deprecated(true)
        .send()
        .await
        .unwrap();
    for v in versions.versions() {
        if v.version_id() == Some(vid.as_str()) {
            assert!(
                !v.version_stages().contains(&"blue".to_string()),
                "{:?}",
                v.version_stages()
            );
        }
    }
    delete(&p, "aws_secretsmanager_secret", &sec).await;
    assert!(read(&p, "aws_secretsmanager_secret", &sec).await.is_none());
    assert!(read(&p, "aws_secretsmanager_secret_version", &v)
        .await
        .is_none());
    let list = sdk.list_secrets().send().await.unwrap();
    assert!(list
        .secret_list()
        .iter()
        .all(|s| s.name() != Some(name.as_str())));
}

#[tokio::test]
async fn secret_errors_and_recovery_window() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let sdk = sm_client(&ep);
    let name = format!("plinth-dup-{}", suffix());
    // Recovery window 7: scheduled for deletion, which reads as gone.
    let sec = create(
        &p,
        "aws_secretsmanager_secret",
        &obj(vec![
            ("name", st(&name)),
            ("recovery_window_in_days", Value::number(7)),
        ]),
    )
    .await;
    // A second secret with the same name: ResourceExistsException, named.
    let err = try_create(
        &p,
        "aws_secretsmanager_secret",
        &obj(vec![("name", st(&name))]),
    )
    .await
    .unwrap_err();
    let d = err.iter().next().unwrap();
    assert!(
        d.summary
            .starts_with("creating Secrets Manager Secret: ResourceExistsException"),
        "{}",
        d.summary
    );
    assert!(
        d.detail.as_deref().unwrap_or("").contains(
            "Secrets Manager CreateSecret call failed with AWS error code ResourceExistsException"
        ),
        "{:?}",
        d.detail
    );
    delete(&p, "aws_secretsmanager_secret", &sec).await;
    assert!(read(&p, "aws_secretsmanager_secret", &sec).await.is_none());
    let desc = sdk
        .describe_secret()
        .secret_id(attr(&sec, "arn"))
        .send()
        .await
        .unwrap();
    assert!(
        desc.deleted_date().is_some(),
        "scheduled for deletion, recoverable for 7 days"
    );
    // Static checks.
    let r = plan(
        &p,
        "aws_secretsmanager_secret",
        None,
        &obj(vec![
            ("name", st("a")),
            ("recovery_window_in_days", Value::number(3)),
        ]),
    )
    .await;
    assert!(r.diagnostics.has_errors());
    let r = plan(
        &p,
        "aws_secretsmanager_secret",
        None,
        &obj(vec![("name", st("a")), ("name_prefix", st("b"))]),
    )
    .await;
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.summary.contains("conflicting arguments")));
}

#[tokio::test]
async fn bucket_and_versioning_lifecycle() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[("Env", "test")]).await;
    let sdk = s3_client(&ep);
    let name = format!("plinth-bucket-{}", suffix());
    let cfg = obj(vec![
        ("bucket", st(&name)),
        ("tags", tags(&[("Name", "artifacts")])),
    ]);
    let bk = create(&p, "aws_s3_bucket", &cfg).await;
    assert_eq!(attr(&bk, "id"), name);
    assert_eq!(attr(&bk, "arn"), format!("arn:aws:s3:::{name}"));
    assert_eq!(
        attr(&bk, "bucket_domain_name"),
        format!("{name}.s3.amazonaws.com")
    );
    assert_eq!(
        attr(&bk, "bucket_regional_domain_name"),
        format!("{name}.s3.us-east-1.amazonaws.com")
    );
    assert_eq!(attr(&bk, "hosted_zone_id"), "Z3AQBSTGFYJSTF");
    assert_eq!(attr(&bk, "region"), "us-east-1");
    assert_eq!(
        bk.get_attr("force_destroy").and_then(Value::as_bool),
        Some(false)
    );
    assert_eq!(
        bk.get_attr("tags_all").unwrap(),
        &tags(&[("Env", "test"), ("Name", "artifacts")])
    );
    let bk = read(&p, "aws_s3_bucket", &bk).await.unwrap();
    assert_noop(&p, "aws_s3_bucket", &bk, &cfg).await;
    // In place: tags and force_destroy.
    let cfg2 = with(
        &with(&cfg, "tags", tags(&[("Name", "artifacts2")])),
        "force_destroy",
        Value::Bool(true),
    );
    let bk = update(&p, "aws_s3_bucket", &bk, &cfg2).await;
    assert_eq!(
        bk.get_attr("tags").unwrap(),
        &tags(&[("Name", "artifacts2")])
    );
    assert_noop(&p, "aws_s3_bucket", &bk, &cfg2).await;
    // Drift: tags replaced by hand.
    let t = s3::types::Tag::builder()
        .key("Name")
        .value("by-hand")
        .build()
        .unwrap();
    sdk.put_bucket_tagging()
        .bucket(&name)
        .tagging(s3::types::Tagging::builder().tag_set(t).build().unwrap())
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_s3_bucket", &bk).await.unwrap();
    assert_eq!(
        drifted.get_attr("tags").unwrap(),
        &tags(&[("Name", "by-hand")])
    );
    let bk = update(&p, "aws_s3_bucket", &drifted, &cfg2).await;
    // Import by name: only force_destroy (not readable) differs, as upstream.
    let imp = import(&p, "aws_s3_bucket", &name).await.unwrap();
    assert_noop(
        &p,
        "aws_s3_bucket",
        &imp,
        &with(&cfg2, "force_destroy", Value::Bool(false)),
    )
    .await;
    // ForceNew: the name.
    let rp = plan(
        &p,
        "aws_s3_bucket",
        Some(&bk),
        &with(&cfg2, "bucket", st("other-bucket-name")),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("bucket")]);

    // ---- aws_s3_bucket_versioning ----
    let conf = |status: &str| Value::list(vec![obj(vec![("status", st(status))])]);
    let v_cfg = obj(vec![
        ("bucket", st(&name)),
        ("versioning_configuration", conf("Enabled")),
    ]);
    let v = create(&p, "aws_s3_bucket_versioning", &v_cfg).await;
    assert_eq!(attr(&v, "id"), name);
    assert_eq!(
        versioning_status(&sdk, &name).await.as_deref(),
        Some("Enabled")
    );
    let v = read(&p, "aws_s3_bucket_versioning", &v).await.unwrap();
    assert_noop(&p, "aws_s3_bucket_versioning", &v, &v_cfg).await;
    let v_cfg2 = with(&v_cfg, "versioning_configuration", conf("Suspended"));
    let v = update(&p, "aws_s3_bucket_versioning", &v, &v_cfg2).await;
    assert_eq!(
        versioning_status(&sdk, &name).await.as_deref(),
        Some("Suspended")
    );
    assert_noop(&p, "aws_s3_bucket_versioning", &v, &v_cfg2).await;
    // Drift: versioning enabled by hand.
    sdk.put_bucket_versioning()
        .bucket(&name)
        .versioning_configuration(
            s3::types::VersioningConfiguration::builder()
                .status(s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_s3_bucket_versioning", &v).await.unwrap();
    let st_of = |x: &Value| {
        x.get_attr("versioning_configuration")
            .and_then(Value::as_seq)
            .and_then(|s| s.first())
            .map(|c| attr(c, "status"))
            .unwrap_or_default()
    };
    assert_eq!(st_of(&drifted), "Enabled");
    let v = update(&p, "aws_s3_bucket_versioning", &drifted, &v_cfg2).await;
    assert_eq!(st_of(&v), "Suspended");
    // Import by bucket name.
    let imp = import(&p, "aws_s3_bucket_versioning", &name).await.unwrap();
    assert_noop(&p, "aws_s3_bucket_versioning", &imp, &v_cfg2).await;
    let rp = plan(
        &p,
        "aws_s3_bucket_versioning",
        Some(&v),
        &with(&v_cfg2, "bucket", st("other-bucket")),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("bucket")]);
    // Disabled after versioning was on is refused, with a clear message.
    let r = plan(
        &p,
        "aws_s3_bucket_versioning",
        Some(&v),
        &with(&v_cfg2, "versioning_configuration", conf("Disabled")),
    )
    .await;
    let err = apply(
        &p,
        "aws_s3_bucket_versioning",
        Some(v.clone()),
        r.planned_state,
        &v_cfg2,
    )
    .await
    .unwrap_err();
    assert!(
        err.iter()
            .next()
            .unwrap()
            .summary
            .contains("cannot become \"Disabled\""),
        "{err}"
    );
    delete(&p, "aws_s3_bucket_versioning", &v).await;
    assert_eq!(
        versioning_status(&sdk, &name).await.as_deref(),
        Some("Suspended")
    );

    // ---- aws_s3_bucket_public_access_block ----
    let pab_cfg = obj(vec![
        ("bucket", st(&name)),
        ("block_public_acls", Value::Bool(true)),
        ("block_public_policy", Value::Bool(true)),
        ("ignore_public_acls", Value::Bool(true)),
        ("restrict_public_buckets", Value::Bool(true)),
    ]);
    let pab = create(&p, "aws_s3_bucket_public_access_block", &pab_cfg).await;
    assert_eq!(attr(&pab, "id"), name);
    assert_noop(
        &p,
        "aws_s3_bucket_public_access_block",
        &read(&p, "aws_s3_bucket_public_access_block", &pab)
            .await
            .unwrap(),
        &pab_cfg,
    )
    .await;
    let pab_cfg2 = with(&pab_cfg, "restrict_public_buckets", Value::Bool(false));
    let pab = update(&p, "aws_s3_bucket_public_access_block", &pab, &pab_cfg2).await;
    let live = sdk
        .get_public_access_block()
        .bucket(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        live.public_access_block_configuration()
            .and_then(|c| c.restrict_public_buckets()),
        Some(false)
    );
    let imp = import(&p, "aws_s3_bucket_public_access_block", &name)
        .await
        .unwrap();
    assert_noop(&p, "aws_s3_bucket_public_access_block", &imp, &pab_cfg2).await;
    delete(&p, "aws_s3_bucket_public_access_block", &pab).await;
    assert!(read(&p, "aws_s3_bucket_public_access_block", &pab)
        .await
        .is_none());

    // ---- aws_s3_bucket_server_side_encryption_configuration ----
    let rule_t = Type::object([
        (
            "apply_server_side_encryption_by_default",
            Type::list(Type::object([
                ("kms_master_key_id", Type::String),
                ("sse_algorithm", Type::String),
            ])),
        ),
        ("bucket_key_enabled", Type::Bool),
    ]);
    let rule = |alg: &str| {
        Value::set(
            rule_t.clone(),
            vec![obj(vec![(
                "apply_server_side_encryption_by_default",
                Value::list(vec![obj(vec![("sse_algorithm", st(alg))])]),
            )])],
        )
    };
    let enc_cfg = obj(vec![("bucket", st(&name)), ("rule", rule("AES256"))]);
    let enc = create(
        &p,
        "aws_s3_bucket_server_side_encryption_configuration",
        &enc_cfg,
    )
    .await;
    assert_eq!(attr(&enc, "id"), name);
    let enc = read(
        &p,
        "aws_s3_bucket_server_side_encryption_configuration",
        &enc,
    )
    .await
    .unwrap();
    assert_noop(
        &p,
        "aws_s3_bucket_server_side_encryption_configuration",
        &enc,
        &enc_cfg,
    )
    .await;
    let enc_cfg2 = with(&enc_cfg, "rule", rule("aws:kms"));
    let enc = update(
        &p,
        "aws_s3_bucket_server_side_encryption_configuration",
        &enc,
        &enc_cfg2,
    )
    .await;
    let live = sdk
        .get_bucket_encryption()
        .bucket(&name)
        .send()
        .await
        .unwrap();
    let alg = live
        .server_side_encryption_configuration()
        .and_then(|c| c.rules().first())
        .and_then(|r| r.apply_server_side_encryption_by_default())
        .map(|d| d.sse_algorithm().as_str().to_string());
    assert_eq!(alg.as_deref(), Some("aws:kms"));
    let imp = import(
        &p,
        "aws_s3_bucket_server_side_encryption_configuration",
        &name,
    )
    .await
    .unwrap();
    assert_noop(
        &p,
        "aws_s3_bucket_server_side_encryption_configuration",
        &imp,
        &enc_cfg2,
    )
    .await;
    delete(
        &p,
        "aws_s3_bucket_server_side_encryption_configuration",
        &enc,
    )
    .await;

    // A non-empty bucket: without force_destroy the delete fails, naming the code; with it,
    // every version goes, then the bucket.
    sdk.put_object()
        .bucket(&name)
        .key("a.txt")
        .body(s3::primitives::ByteStream::from_static(b"a"))
        .send()
        .await
        .unwrap();
    sdk.put_object()
        .bucket(&name)
        .key("a.txt")
        .body(s3::primitives::ByteStream::from_static(b"b"))
        .send()
        .await
        .unwrap();
    let keep = with(&bk, "force_destroy", Value::Bool(false));
    let err = apply(&p, "aws_s3_bucket", Some(keep), None, &Value::null())
        .await
        .unwrap_err();
    let d = err.iter().next().unwrap();
    assert!(
        d.summary.starts_with("deleting S3 Bucket: BucketNotEmpty"),
        "{}",
        d.summary
    );
    assert!(d.help.join(" ").contains("force_destroy"), "{:?}", d.help);
    delete(&p, "aws_s3_bucket", &bk).await;
    assert!(read(&p, "aws_s3_bucket", &bk).await.is_none());
    let all = sdk.list_buckets().send().await.unwrap();
    assert!(all
        .buckets()
        .iter()
        .all(|b| b.name() != Some(name.as_str())));
    assert!(read(&p, "aws_s3_bucket_versioning", &v).await.is_none());
}

#[tokio::test]
async fn bucket_prefix_and_validation() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let bk = create(
        &p,
        "aws_s3_bucket",
        &obj(vec![("bucket_prefix", st("plinth-pfx-"))]),
    )
    .await;
    let name = attr(&bk, "bucket");
    assert!(
        name.starts_with("plinth-pfx-") && name.len() == "plinth-pfx-".len() + 26,
        "{name}"
    );
    assert_eq!(attr(&bk, "bucket_prefix"), "plinth-pfx-");
    assert_noop(
        &p,
        "aws_s3_bucket",
        &bk,
        &obj(vec![("bucket_prefix", st("plinth-pfx-"))]),
    )
    .await;
    delete(&p, "aws_s3_bucket", &bk).await;
    let r = plan(
        &p,
        "aws_s3_bucket",
        None,
        &obj(vec![("bucket", st("Bad_Name"))]),
    )
    .await;
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.summary.contains("invalid bucket name")),
        "{}",
        r.diagnostics
    );
}
