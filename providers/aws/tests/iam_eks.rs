//! IAM and EKS resource types against moto, through the provider traits: create → read →
//! no-op plan → in-place update → force-new change → drift → import → delete (then the SDK
//! finds nothing); the policy document data source's exact JSON; error diagnostics.
//!
//! Needs PLINTH_TEST_MOTO_ENDPOINT (see README.md); skips, saying so, without it.

mod support;

use plinth_provider_aws::sdk::{eks, iam};
use plinth_sdk::{AttrPath, Type, Value};
use support::*;

fn iam_client(endpoint: &str) -> iam::Client {
    let conf = iam::Config::builder()
        .behavior_version(iam::config::BehaviorVersion::latest())
        .region(iam::config::Region::new("us-east-1"))
        .credentials_provider(iam::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .endpoint_url(endpoint)
        .build();
    iam::Client::from_conf(conf)
}

fn eks_client(endpoint: &str) -> eks::Client {
    let conf = eks::Config::builder()
        .behavior_version(eks::config::BehaviorVersion::latest())
        .region(eks::config::Region::new("us-east-1"))
        .credentials_provider(eks::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .endpoint_url(endpoint)
        .build();
    eks::Client::from_conf(conf)
}

/// A name unique to this run (tests share one moto).
fn unique(prefix: &str) -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}", t % 1_000_000_000)
}

fn with(cfg: &Value, k: &str, v: Value) -> Value {
    let mut c = cfg.clone();
    if let Value::Object(m) = &mut c {
        m.insert(k.into(), v);
    }
    c
}

fn principals(ty: &str, ids: &[&str]) -> Value {
    let p = obj(vec![
        ("type", st(ty)),
        (
            "identifiers",
            Value::set(Type::String, ids.iter().map(|i| st(i)).collect()),
        ),
    ]);
    Value::set(p.type_of(), vec![p])
}

/// `data "aws_iam_policy_document"` for an AssumeRole trust policy.
async fn trust_policy(
    p: &std::sync::Arc<dyn plinth_sdk::ConfiguredProvider>,
    service: &str,
) -> String {
    let stmt = obj(vec![
        (
            "actions",
            Value::set(Type::String, vec![st("sts:AssumeRole")]),
        ),
        ("principals", principals("Service", &[service])),
    ]);
    let d = data(
        p,
        "aws_iam_policy_document",
        &obj(vec![("statement", Value::list(vec![stmt]))]),
    )
    .await;
    attr(&d, "json")
}

fn first_error(d: &plinth_sdk::Diagnostics) -> plinth_sdk::Diagnostic {
    d.iter().next().cloned().expect("a diagnostic")
}

#[tokio::test]
async fn policy_document_output_matches_upstream() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let cond = obj(vec![
        ("test", st("StringEquals")),
        ("variable", st("aws:SourceAccount")),
        ("values", Value::list(vec![st("123456789012")])),
    ]);
    let s1 = obj(vec![
        ("sid", st("ReadObjects")),
        (
            "actions",
            Value::set(Type::String, vec![st("s3:GetObject"), st("s3:ListBucket")]),
        ),
        (
            "resources",
            Value::set(
                Type::String,
                vec![st("arn:aws:s3:::bucket/home/&{aws:username}/*")],
            ),
        ),
        ("condition", Value::set(cond.type_of(), vec![cond])),
    ]);
    let s2 = obj(vec![
        ("effect", st("Deny")),
        ("not_actions", Value::set(Type::String, vec![st("iam:*")])),
        ("resources", Value::set(Type::String, vec![st("*")])),
        (
            "principals",
            principals(
                "AWS",
                &[
                    "arn:aws:iam::123456789012:root",
                    "arn:aws:iam::210987654321:root",
                ],
            ),
        ),
    ]);
    let d = data(
        &p,
        "aws_iam_policy_document",
        &obj(vec![("statement", Value::list(vec![s1, s2]))]),
    )
    .await;
    let expected = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadObjects",
      "Effect": "Allow",
      "Action": [
        "s3:ListBucket",
        "s3:GetObject"
      ],
      "Resource": "arn:aws:s3:::bucket/home/${aws:username}/*",
      "Condition": {
        "StringEquals": {
          "aws:SourceAccount": "123456789012"
        }
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "iam:*",
      "Resource": "*",
      "Principal": {
        "AWS": [
          "arn:aws:iam::210987654321:root",
          "arn:aws:iam::123456789012:root"
        ]
      }
    }
  ]
}"#;
    assert_eq!(attr(&d, "json"), expected);
    assert_eq!(
        attr(&d, "minified_json"),
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"ReadObjects","Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":"arn:aws:s3:::bucket/home/${aws:username}/*","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}},{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Principal":{"AWS":["arn:aws:iam::210987654321:root","arn:aws:iam::123456789012:root"]}}]}"#
    );
    assert!(
        attr(&d, "id").parse::<u32>().is_ok(),
        "id is the CRC-32 of the JSON: {}",
        attr(&d, "id")
    );
    assert_eq!(attr(&d, "version"), "2012-10-17");

    // A bad Sid is a diagnostic, not a panic.
    let bad = obj(vec![
        ("sid", st("has space")),
        ("actions", Value::set(Type::String, vec![st("s3:*")])),
    ]);
    let r = p
        .read_data_source(plinth_sdk::ReadDataSourceRequest {
            type_name: "aws_iam_policy_document".into(),
            config: obj(vec![("statement", Value::list(vec![bad]))]),
        })
        .await;
    assert!(r.diagnostics.has_errors());
    assert!(
        first_error(&r.diagnostics).summary.contains("alphanumeric"),
        "{}",
        r.diagnostics
    );
}

#[tokio::test]
async fn iam_role_lifecycle_semantic_policy_drift_import_and_errors() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[("Env", "test")]).await;
    let sdk = iam_client(&ep);
    let name = unique("role");
    let policy = trust_policy(&p, "ec2.amazonaws.com").await;
    let cfg = obj(vec![
        ("name", st(&name)),
        ("assume_role_policy", st(&policy)),
        ("description", st("first")),
        ("tags", tags(&[("Name", "r1")])),
    ]);
    let role = create(&p, "aws_iam_role", &cfg).await;
    assert_eq!(attr(&role, "id"), name);
    assert_eq!(attr(&role, "name"), name);
    assert_eq!(
        attr(&role, "arn"),
        format!("arn:aws:iam::123456789012:role/{name}")
    );
    assert!(!attr(&role, "unique_id").is_empty());
    assert!(
        attr(&role, "create_date").ends_with('Z'),
        "{}",
        attr(&role, "create_date")
    );
    assert_eq!(attr(&role, "path"), "/");
    assert_eq!(
        role.get_attr("max_session_duration")
            .and_then(Value::as_i64),
        Some(3600)
    );
    assert_eq!(
        attr(&role, "assume_role_policy"),
        policy,
        "state keeps the configured text"
    );
    assert_eq!(
        role.get_attr("tags_all").unwrap(),
        &tags(&[("Env", "test"), ("Name", "r1")])
    );

    let back = read(&p, "aws_iam_role", &role).await.expect("role exists");
    assert!(diff(&role, &back).is_empty(), "{:?}", diff(&role, &back));
    assert_noop(&p, "aws_iam_role", &back, &cfg).await;

    // The same policy re-ordered and re-formatted is no change.
    let reformatted = r#"{"Statement":[{"Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"],"Effect":"Allow"}],"Version":"2012-10-17"}"#;
    assert_noop(
        &p,
        "aws_iam_role",
        &back,
        &with(&cfg, "assume_role_policy", st(reformatted)),
    )
    .await;

    // In place: description, max_session_duration, tags, a different trust policy.
    let eks_policy = trust_policy(&p, "eks.amazonaws.com").await;
    let cfg2 = obj(vec![
        ("name", st(&name)),
        ("assume_role_policy", st(&eks_policy)),
        ("description", st("second")),
        ("max_session_duration", Value::number(7200)),
        ("tags", tags(&[("Name", "r2"), ("Tier", "x")])),
    ]);
    let role2 = update(&p, "aws_iam_role", &back, &cfg2).await;
    assert_eq!(attr(&role2, "description"), "second");
    assert_eq!(
        role2
            .get_attr("max_session_duration")
            .and_then(Value::as_i64),
        Some(7200)
    );
    assert_eq!(
        role2.get_attr("tags_all").unwrap(),
        &tags(&[("Env", "test"), ("Name", "r2"), ("Tier", "x")])
    );
    let api = sdk.get_role().role_name(&name).send().await.unwrap();
    let doc = api
        .role()
        .unwrap()
        .assume_role_policy_document()
        .unwrap_or_default()
        .to_string();
    assert!(
        doc.contains("eks.amazonaws.com")
            || doc.contains("eks.amazonaws.com".replace('.', "%2E").as_str()),
        "{doc}"
    );
    assert_noop(&p, "aws_iam_role", &role2, &cfg2).await;

    // ForceNew: name and path.
    let rp = plan(
        &p,
        "aws_iam_role",
        Some(&role2),
        &with(&cfg2, "path", st("/svc/")),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("path")]);
    let rp = plan(
        &p,
        "aws_iam_role",
        Some(&role2),
        &with(&cfg2, "name", st("other-name")),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("name")]);
    assert!(!rp
        .planned_state
        .unwrap()
        .get_attr("arn")
        .unwrap()
        .is_known());

    // Drift: a tag changed and the trust policy replaced behind Plinth's back.
    sdk.tag_role()
        .role_name(&name)
        .tags(
            iam::types::Tag::builder()
                .key("Name")
                .value("hand")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_iam_role", &role2).await.unwrap();
    assert_eq!(
        drifted.get_attr("tags").unwrap(),
        &tags(&[("Name", "hand"), ("Tier", "x")])
    );
    let repair = plan(&p, "aws_iam_role", Some(&drifted), &cfg2).await;
    assert!(repair.requires_replace.is_empty());
    assert_eq!(
        repair.planned_state.unwrap().get_attr("tags").unwrap(),
        &tags(&[("Name", "r2"), ("Tier", "x")])
    );
    sdk.update_assume_role_policy()
        .role_name(&name)
        .policy_document(&policy)
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_iam_role", &drifted).await.unwrap();
    assert!(
        attr(&drifted, "assume_role_policy").contains("ec2.amazonaws.com"),
        "{}",
        attr(&drifted, "assume_role_policy")
    );
    let repair = plan(&p, "aws_iam_role", Some(&drifted), &cfg2).await;
    assert_eq!(
        attr(repair.planned_state.as_ref().unwrap(), "assume_role_policy"),
        eks_policy
    );

    // Import by name, then the configuration plans no change (after repairing the drift).
    let fixed = update(&p, "aws_iam_role", &drifted, &cfg2).await;
    let imported = import(&p, "aws_iam_role", &name).await.unwrap();
    assert_eq!(attr(&imported, "arn"), attr(&fixed, "arn"));
    assert_noop(&p, "aws_iam_role", &imported, &cfg2).await;

    // An API failure names the operation, the AWS code and the message.
    let err = try_create(&p, "aws_iam_role", &cfg2).await.unwrap_err();
    let d = first_error(&err);
    assert!(
        d.summary
            .starts_with("creating IAM Role: EntityAlreadyExists"),
        "{}",
        d.summary
    );
    assert!(
        d.detail
            .clone()
            .unwrap()
            .contains("IAM CreateRole call failed with AWS error code EntityAlreadyExists"),
        "{:?}",
        d.detail
    );
    // Invalid JSON is caught at plan time.
    let bad = plan(
        &p,
        "aws_iam_role",
        None,
        &with(&cfg2, "assume_role_policy", st("{not json")),
    )
    .await;
    assert!(
        first_error(&bad.diagnostics)
            .summary
            .contains("assume_role_policy"),
        "{}",
        bad.diagnostics
    );

    // name_prefix.
    let pcfg = obj(vec![
        ("name_prefix", st("pre-")),
        ("assume_role_policy", st(&policy)),
    ]);
    let pre = create(&p, "aws_iam_role", &pcfg).await;
    assert!(
        attr(&pre, "name").starts_with("pre-") && attr(&pre, "name").len() == 4 + 26,
        "{}",
        attr(&pre, "name")
    );
    assert_eq!(attr(&pre, "name_prefix"), "pre-");
    assert_noop(&p, "aws_iam_role", &pre, &pcfg).await;
    delete(&p, "aws_iam_role", &pre).await;

    delete(&p, "aws_iam_role", &fixed).await;
    assert!(read(&p, "aws_iam_role", &fixed).await.is_none());
    let gone = sdk.get_role().role_name(&name).send().await;
    assert!(gone.is_err(), "the SDK no longer finds the role");
    let roles = sdk.list_roles().send().await.unwrap();
    assert!(roles.roles().iter().all(|r| r.role_name() != name));
}

#[tokio::test]
async fn role_policy_attachment_lifecycle_import_and_drift() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let sdk = iam_client(&ep);
    let role_name = unique("attach");
    let policy = trust_policy(&p, "ec2.amazonaws.com").await;
    let role = create(
        &p,
        "aws_iam_role",
        &obj(vec![
            ("name", st(&role_name)),
            ("assume_role_policy", st(&policy)),
        ]),
    )
    .await;
    let pol = sdk
        .create_policy()
        .policy_name(unique("pol"))
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let pol_arn = pol.policy().unwrap().arn().unwrap().to_string();
    let cfg = obj(vec![("role", st(&role_name)), ("policy_arn", st(&pol_arn))]);
    let att = create(&p, "aws_iam_role_policy_attachment", &cfg).await;
    assert!(
        attr(&att, "id").starts_with(&format!("{role_name}-")),
        "{}",
        attr(&att, "id")
    );
    let listed = sdk
        .list_attached_role_policies()
        .role_name(&role_name)
        .send()
        .await
        .unwrap();
    assert!(listed
        .attached_policies()
        .iter()
        .any(|a| a.policy_arn() == Some(pol_arn.as_str())));
    let back = read(&p, "aws_iam_role_policy_attachment", &att)
        .await
        .expect("attached");
    assert_noop(&p, "aws_iam_role_policy_attachment", &back, &cfg).await;

    // The role now reports the policy in managed_policy_arns, and still plans no change.
    let role_back = read(&p, "aws_iam_role", &role).await.unwrap();
    assert!(role_back
        .get_attr("managed_policy_arns")
        .and_then(Value::as_seq)
        .unwrap()
        .iter()
        .any(|v| v.as_str() == Some(pol_arn.as_str())));
    assert_noop(
        &p,
        "aws_iam_role",
        &role_back,
        &obj(vec![
            ("name", st(&role_name)),
            ("assume_role_policy", st(&policy)),
        ]),
    )
    .await;

    // Import by role-name/policy-arn.
    let imported = import(
        &p,
        "aws_iam_role_policy_attachment",
        &format!("{role_name}/{pol_arn}"),
    )
    .await
    .unwrap();
    assert_eq!(attr(&imported, "role"), role_name);
    assert_eq!(attr(&imported, "policy_arn"), pol_arn);
    assert_noop(&p, "aws_iam_role_policy_attachment", &imported, &cfg).await;
    let err = import(&p, "aws_iam_role_policy_attachment", "no-slash-here")
        .await
        .unwrap_err();
    assert!(
        first_error(&err).summary.contains("invalid import ID"),
        "{err}"
    );

    // Both arguments force replacement.
    let rp = plan(
        &p,
        "aws_iam_role_policy_attachment",
        Some(&back),
        &with(
            &cfg,
            "policy_arn",
            st("arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("policy_arn")]);

    // Drift: detached behind Plinth's back → gone.
    sdk.detach_role_policy()
        .role_name(&role_name)
        .policy_arn(&pol_arn)
        .send()
        .await
        .unwrap();
    assert!(read(&p, "aws_iam_role_policy_attachment", &back)
        .await
        .is_none());
    // Re-attach, then delete through the provider.
    let att = create(&p, "aws_iam_role_policy_attachment", &cfg).await;
    delete(&p, "aws_iam_role_policy_attachment", &att).await;
    let listed = sdk
        .list_attached_role_policies()
        .role_name(&role_name)
        .send()
        .await
        .unwrap();
    assert!(listed.attached_policies().is_empty());
    assert!(read(&p, "aws_iam_role_policy_attachment", &att)
        .await
        .is_none());

    // Attaching a policy that does not exist: a clear diagnostic.
    let bad = with(
        &cfg,
        "policy_arn",
        st("arn:aws:iam::123456789012:policy/does-not-exist"),
    );
    let err = try_create(&p, "aws_iam_role_policy_attachment", &bad)
        .await
        .unwrap_err();
    let d = first_error(&err);
    assert!(
        d.summary
            .starts_with("creating IAM Role Policy Attachment: NoSuchEntity"),
        "{}",
        d.summary
    );
    assert!(
        d.detail.clone().unwrap().contains("AttachRolePolicy"),
        "{:?}",
        d.detail
    );

    delete(&p, "aws_iam_role", &role_back).await;
}

/// A VPC with two subnets and an EKS service role, made through the provider.
async fn eks_prereqs(
    p: &std::sync::Arc<dyn plinth_sdk::ConfiguredProvider>,
    octet: u8,
) -> (Value, Vec<String>, String, Value) {
    let vpc = create(
        p,
        "aws_vpc",
        &obj(vec![("cidr_block", st(&format!("10.{octet}.0.0/16")))]),
    )
    .await;
    let vpc_id = attr(&vpc, "id");
    let mut subnets = Vec::new();
    for (i, az) in ["us-east-1a", "us-east-1b"].iter().enumerate() {
        let sn = create(
            p,
            "aws_subnet",
            &obj(vec![
                ("vpc_id", st(&vpc_id)),
                ("cidr_block", st(&format!("10.{octet}.{}.0/24", i + 1))),
                ("availability_zone", st(az)),
            ]),
        )
        .await;
        subnets.push(attr(&sn, "id"));
    }
    let policy = trust_policy(p, "eks.amazonaws.com").await;
    let role = create(
        p,
        "aws_iam_role",
        &obj(vec![
            ("name", st(&unique("eks"))),
            ("assume_role_policy", st(&policy)),
        ]),
    )
    .await;
    let role_arn = attr(&role, "arn");
    (vpc, subnets, role_arn, role)
}

fn vpc_config(subnets: &[String], public: bool) -> Value {
    let v = obj(vec![
        (
            "subnet_ids",
            Value::set(Type::String, subnets.iter().map(|s| st(s)).collect()),
        ),
        ("endpoint_public_access", Value::Bool(public)),
    ]);
    Value::list(vec![v])
}

#[tokio::test]
async fn eks_cluster_and_node_group_lifecycle() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let sdk = eks_client(&ep);
    let (vpc, subnets, role_arn, role) = eks_prereqs(&p, 60).await;
    let name = unique("cluster");
    let cfg = obj(vec![
        ("name", st(&name)),
        ("role_arn", st(&role_arn)),
        ("version", st("1.31")),
        ("vpc_config", vpc_config(&subnets, true)),
        ("tags", tags(&[("Name", "c1")])),
        ("timeouts", obj(vec![("create", st("5m"))])),
    ]);
    let c = create(&p, "aws_eks_cluster", &cfg).await;
    assert_eq!(attr(&c, "id"), name);
    assert_eq!(attr(&c, "status"), "ACTIVE");
    assert!(
        attr(&c, "arn").starts_with("arn:aws:eks:us-east-1:"),
        "{}",
        attr(&c, "arn")
    );
    assert!(!attr(&c, "endpoint").is_empty());
    assert_eq!(attr(&c, "version"), "1.31");
    let ca = c
        .get_attr("certificate_authority")
        .and_then(Value::as_seq)
        .unwrap();
    assert_eq!(ca.len(), 1);
    let vc = &c.get_attr("vpc_config").and_then(Value::as_seq).unwrap()[0];
    assert_eq!(
        vc.get_attr("endpoint_public_access")
            .and_then(Value::as_bool),
        Some(true)
    );
    assert_eq!(
        vc.get_attr("endpoint_private_access")
            .and_then(Value::as_bool),
        Some(false)
    );
    assert_eq!(
        vc.get_attr("subnet_ids")
            .and_then(Value::as_seq)
            .unwrap()
            .len(),
        2
    );

    let back = read(&p, "aws_eks_cluster", &c)
        .await
        .expect("cluster exists");
    assert!(diff(&c, &back).is_empty(), "{:?}", diff(&c, &back));
    assert_noop(&p, "aws_eks_cluster", &back, &cfg).await;

    // Tags change in place (TagResource).
    let cfg2 = with(&cfg, "tags", tags(&[("Name", "c2")]));
    let c2 = update(&p, "aws_eks_cluster", &back, &cfg2).await;
    assert_eq!(c2.get_attr("tags").unwrap(), &tags(&[("Name", "c2")]));
    assert_noop(&p, "aws_eks_cluster", &c2, &cfg2).await;

    // ForceNew: role_arn, name.
    let rp = plan(
        &p,
        "aws_eks_cluster",
        Some(&c2),
        &with(
            &cfg2,
            "role_arn",
            st("arn:aws:iam::123456789012:role/other"),
        ),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("role_arn")]);

    // Drift: a tag added through the SDK shows on read.
    sdk.tag_resource()
        .resource_arn(attr(&c2, "arn"))
        .tags("Owner", "ops")
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_eks_cluster", &c2).await.unwrap();
    assert_eq!(
        drifted.get_attr("tags").unwrap(),
        &tags(&[("Name", "c2"), ("Owner", "ops")])
    );

    // Import by name.
    let imported = import(&p, "aws_eks_cluster", &name).await.unwrap();
    assert_eq!(attr(&imported, "arn"), attr(&c2, "arn"));
    // (Without the timeouts block: an import has none, and Terraform too plans adding it.)
    let cfg_imp = with(
        &with(&cfg2, "tags", tags(&[("Name", "c2"), ("Owner", "ops")])),
        "timeouts",
        Value::null(),
    );
    assert_noop(&p, "aws_eks_cluster", &imported, &cfg_imp).await;

    // Node group.
    let ng_role = create(
        &p,
        "aws_iam_role",
        &obj(vec![
            ("name", st(&unique("ng"))),
            (
                "assume_role_policy",
                st(&trust_policy(&p, "ec2.amazonaws.com").await),
            ),
        ]),
    )
    .await;
    let scaling = |d: i64, min: i64, max: i64| {
        Value::list(vec![obj(vec![
            ("desired_size", Value::number(d)),
            ("min_size", Value::number(min)),
            ("max_size", Value::number(max)),
        ])])
    };
    let ng_cfg = obj(vec![
        ("cluster_name", st(&name)),
        ("node_group_name", st("workers")),
        ("node_role_arn", st(&attr(&ng_role, "arn"))),
        (
            "subnet_ids",
            Value::set(Type::String, subnets.iter().map(|s| st(s)).collect()),
        ),
        ("scaling_config", scaling(2, 1, 3)),
        ("instance_types", Value::list(vec![st("t3.medium")])),
        ("labels", tags(&[("role", "worker")])),
        ("tags", tags(&[("Name", "ng")])),
    ]);
    let ng = create(&p, "aws_eks_node_group", &ng_cfg).await;
    assert_eq!(attr(&ng, "id"), format!("{name}:workers"));
    assert_eq!(attr(&ng, "status"), "ACTIVE");
    assert!(
        attr(&ng, "arn").starts_with("arn:aws:eks:"),
        "{}",
        attr(&ng, "arn")
    );
    let ng_back = read(&p, "aws_eks_node_group", &ng)
        .await
        .expect("node group exists");
    assert_noop(&p, "aws_eks_node_group", &ng_back, &ng_cfg).await;
    let imported = import(&p, "aws_eks_node_group", &format!("{name}:workers"))
        .await
        .unwrap();
    assert_noop(&p, "aws_eks_node_group", &imported, &ng_cfg).await;
    let err = import(&p, "aws_eks_node_group", "no-colon")
        .await
        .unwrap_err();
    assert!(
        first_error(&err).summary.contains("invalid import ID"),
        "{err}"
    );

    // Tags in place.
    // moto 5.2's TagResource knows only clusters: a node group ARN is "not found" there.
    let ng_tags = with(&ng_cfg, "tags", tags(&[("Name", "ng2")]));
    let planned = plan(&p, "aws_eks_node_group", Some(&ng_back), &ng_tags).await;
    assert!(planned.requires_replace.is_empty(), "tags change in place");
    let (ng2, ng_cfg2) = match apply(
        &p,
        "aws_eks_node_group",
        Some(ng_back.clone()),
        planned.planned_state,
        &ng_tags,
    )
    .await
    {
        Ok(v) => {
            assert_eq!(v.get_attr("tags").unwrap(), &tags(&[("Name", "ng2")]));
            (v, ng_tags)
        }
        Err(d) => {
            let e = first_error(&d);
            assert!(
                e.summary.starts_with("updating EKS Node Group: "),
                "{}",
                e.summary
            );
            assert!(
                e.detail
                    .clone()
                    .unwrap_or_default()
                    .contains("EKS TagResource call failed"),
                "{:?}",
                e.detail
            );
            eprintln!("node group TagResource against moto: {}", e.summary);
            (ng_back.clone(), ng_cfg.clone())
        }
    };
    // ForceNew: instance_types, subnet_ids.
    let rp = plan(
        &p,
        "aws_eks_node_group",
        Some(&ng2),
        &with(
            &ng_cfg2,
            "instance_types",
            Value::list(vec![st("m5.large")]),
        ),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("instance_types")]);
    // Scaling changes in place through UpdateNodegroupConfig, which moto lacks.
    let ng_cfg3 = with(&ng_cfg2, "scaling_config", scaling(3, 1, 4));
    let planned = plan(&p, "aws_eks_node_group", Some(&ng2), &ng_cfg3).await;
    assert!(planned.requires_replace.is_empty());
    match apply(
        &p,
        "aws_eks_node_group",
        Some(ng2.clone()),
        planned.planned_state,
        &ng_cfg3,
    )
    .await
    {
        Err(d) => {
            let e = first_error(&d);
            assert!(
                e.summary.starts_with("updating EKS Node Group: "),
                "{}",
                e.summary
            );
            eprintln!("UpdateNodegroupConfig against moto: {}", e.summary);
        }
        Ok(v) => {
            let sc = &v
                .get_attr("scaling_config")
                .and_then(Value::as_seq)
                .unwrap()[0];
            assert_eq!(sc.get_attr("desired_size").and_then(Value::as_i64), Some(3));
        }
    }

    delete(&p, "aws_eks_node_group", &ng2).await;
    assert!(read(&p, "aws_eks_node_group", &ng2).await.is_none());
    let groups = sdk
        .list_nodegroups()
        .cluster_name(&name)
        .send()
        .await
        .unwrap();
    assert!(groups.nodegroups().is_empty());

    // moto does not implement UpdateClusterConfig: the user gets a clear error.
    let cfg3 = with(&cfg_imp, "vpc_config", vpc_config(&subnets, false));
    let planned = plan(&p, "aws_eks_cluster", Some(&drifted), &cfg3).await;
    assert!(
        planned.requires_replace.is_empty(),
        "endpoint access changes in place"
    );
    match apply(
        &p,
        "aws_eks_cluster",
        Some(drifted.clone()),
        planned.planned_state,
        &cfg3,
    )
    .await
    {
        Err(d) => {
            let e = first_error(&d);
            assert!(
                e.summary
                    == "updating EKS Cluster: the endpoint does not implement UpdateClusterConfig"
                    || e.summary.starts_with("updating EKS Cluster: "),
                "{}",
                e.summary
            );
            eprintln!("UpdateClusterConfig against moto: {}", e.summary);
        }
        Ok(v) => {
            // A moto that implements it: the change must have happened.
            let vc = &v.get_attr("vpc_config").and_then(Value::as_seq).unwrap()[0];
            assert_eq!(
                vc.get_attr("endpoint_public_access")
                    .and_then(Value::as_bool),
                Some(false)
            );
        }
    }

    delete(&p, "aws_eks_cluster", &c2).await;
    assert!(read(&p, "aws_eks_cluster", &c2).await.is_none());
    let clusters = sdk.list_clusters().send().await.unwrap();
    assert!(!clusters.clusters().contains(&name));

    // Creating with a subnet that does not exist: an API error diagnostic (or, on a moto that
    // does not check subnets, a cluster we delete again).
    let bad = obj(vec![
        ("name", st(&unique("bad"))),
        ("role_arn", st(&role_arn)),
        (
            "vpc_config",
            vpc_config(&["subnet-00000000".to_string()], true),
        ),
    ]);
    match try_create(&p, "aws_eks_cluster", &bad).await {
        Err(d) => assert!(
            first_error(&d)
                .summary
                .starts_with("creating EKS Cluster: "),
            "{d}"
        ),
        Ok(v) => delete(&p, "aws_eks_cluster", &v).await,
    }

    delete(&p, "aws_iam_role", &ng_role).await;
    delete(&p, "aws_iam_role", &role).await;
    let _ = vpc;
}

#[tokio::test]
async fn eks_update_not_implemented_is_reported_by_name() {
    // The diagnostic the user sees when the endpoint lacks an EKS update operation.
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let (_vpc, subnets, role_arn, _role) = eks_prereqs(&p, 61).await;
    let name = unique("upd");
    let cfg = obj(vec![
        ("name", st(&name)),
        ("role_arn", st(&role_arn)),
        ("vpc_config", vpc_config(&subnets, true)),
        (
            "enabled_cluster_log_types",
            Value::set(Type::String, vec![st("api")]),
        ),
    ]);
    let c = create(&p, "aws_eks_cluster", &cfg).await;
    let cfg2 = with(
        &cfg,
        "enabled_cluster_log_types",
        Value::set(Type::String, vec![st("api"), st("audit")]),
    );
    let planned = plan(&p, "aws_eks_cluster", Some(&c), &cfg2).await;
    let r = apply(
        &p,
        "aws_eks_cluster",
        Some(c.clone()),
        planned.planned_state,
        &cfg2,
    )
    .await;
    // A version change is in place (UpdateClusterVersion), which moto lacks (HTML 404).
    let cfg3 = with(&cfg, "version", st("1.32"));
    let planned3 = plan(&p, "aws_eks_cluster", Some(&c), &cfg3).await;
    assert!(
        planned3.requires_replace.is_empty(),
        "a version change is in place"
    );
    match apply(
        &p,
        "aws_eks_cluster",
        Some(c.clone()),
        planned3.planned_state,
        &cfg3,
    )
    .await
    {
        Err(d) => {
            let e = first_error(&d);
            assert!(
                e.summary.starts_with("updating EKS Cluster: "),
                "{}",
                e.summary
            );
            eprintln!("UpdateClusterVersion against moto: {}", e.summary);
        }
        Ok(v) => assert_eq!(attr(&v, "version"), "1.32"),
    }
    if let Err(d) = r {
        let e = first_error(&d);
        assert!(
            e.summary.contains("UpdateClusterConfig")
                || e.summary.starts_with("updating EKS Cluster: "),
            "{}",
            e.summary
        );
        if e.summary.contains("does not implement") {
            assert_eq!(
                e.summary,
                "updating EKS Cluster: the endpoint does not implement UpdateClusterConfig"
            );
            assert!(
                e.detail
                    .clone()
                    .unwrap()
                    .contains("EKS UpdateClusterConfig"),
                "{:?}",
                e.detail
            );
        }
    }
    delete(&p, "aws_eks_cluster", &c).await;
}
