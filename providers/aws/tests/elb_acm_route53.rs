//! ELBv2, ACM and Route 53 resource types against moto, through the provider traits:
//! create → read → no-op plan → in-place update → force-new plan → import → drift made
//! through the SDK → delete (then the SDK finds nothing), and error diagnostics. The last test
//! builds the platform's shape: an HTTPS ALB listener with an ACM certificate validated
//! through Route 53, and alias records `app.` and `api.` pointing at the ALB.
//!
//! Needs PLINTH_TEST_MOTO_ENDPOINT (see README.md); skips, saying so, without it.

mod support;

use plinth_provider_aws::sdk::{acm, elbv2, route53};
use plinth_sdk::{AttrPath, ConfiguredProvider, Type, Value};
use std::sync::Arc;
use support::*;

fn sdk_conf_parts() -> (&'static str, &'static str) {
    ("testing", "testing")
}

async fn elbv2_client(ep: &str) -> elbv2::Client {
    let (k, s) = sdk_conf_parts();
    let conf = elbv2::Config::builder()
        .behavior_version(elbv2::config::BehaviorVersion::latest())
        .region(elbv2::config::Region::new("us-east-1"))
        .credentials_provider(elbv2::config::Credentials::new(k, s, None, None, "test"))
        .endpoint_url(ep)
        .build();
    elbv2::Client::from_conf(conf)
}

async fn acm_client(ep: &str) -> acm::Client {
    let (k, s) = sdk_conf_parts();
    let conf = acm::Config::builder()
        .behavior_version(acm::config::BehaviorVersion::latest())
        .region(acm::config::Region::new("us-east-1"))
        .credentials_provider(acm::config::Credentials::new(k, s, None, None, "test"))
        .endpoint_url(ep)
        .build();
    acm::Client::from_conf(conf)
}

async fn route53_client(ep: &str) -> route53::Client {
    let (k, s) = sdk_conf_parts();
    let conf = route53::Config::builder()
        .behavior_version(route53::config::BehaviorVersion::latest())
        .region(route53::config::Region::new("us-east-1"))
        .credentials_provider(route53::config::Credentials::new(k, s, None, None, "test"))
        .endpoint_url(ep)
        .build();
    route53::Client::from_conf(conf)
}

/// A suffix that differs between runs against one long-lived moto.
fn uniq() -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:x}", n % 0xffff_ffff)
}

fn list(items: Vec<Value>) -> Value {
    Value::list(items)
}
fn strs(items: &[&str]) -> Value {
    Value::set(Type::String, items.iter().map(|s| st(s)).collect())
}
fn num(n: i64) -> Value {
    Value::number(n)
}
fn with(cfg: &Value, k: &str, v: Value) -> Value {
    let mut c = cfg.clone();
    if let Value::Object(m) = &mut c {
        m.insert(k.to_string(), v);
    }
    c
}
fn get_seq(v: &Value, k: &str) -> Vec<Value> {
    v.get_attr(k)
        .and_then(Value::as_seq)
        .map(|s| s.to_vec())
        .unwrap_or_default()
}
fn num_of(v: &Value, k: &str) -> Option<i64> {
    v.get_attr(k).and_then(Value::as_i64)
}

/// A VPC with two subnets in two zones and a security group.
async fn network(p: &Arc<dyn ConfiguredProvider>, cidr16: u8) -> (Value, Vec<String>, String) {
    let vpc = create(
        p,
        "aws_vpc",
        &obj(vec![("cidr_block", st(&format!("10.{cidr16}.0.0/16")))]),
    )
    .await;
    let vpc_id = attr(&vpc, "id");
    let azs = data(
        p,
        "aws_availability_zones",
        &obj(vec![("state", st("available"))]),
    )
    .await;
    let names: Vec<String> = get_seq(&azs, "names")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let mut subnets = Vec::new();
    for (i, az) in names.iter().take(2).enumerate() {
        let sn = create(
            p,
            "aws_subnet",
            &obj(vec![
                ("vpc_id", st(&vpc_id)),
                ("cidr_block", st(&format!("10.{cidr16}.{}.0/24", i + 1))),
                ("availability_zone", st(az)),
            ]),
        )
        .await;
        subnets.push(attr(&sn, "id"));
    }
    let sg = create(
        p,
        "aws_security_group",
        &obj(vec![
            ("vpc_id", st(&vpc_id)),
            ("name", st(&format!("alb-{}", uniq()))),
        ]),
    )
    .await;
    (vpc, subnets, attr(&sg, "id"))
}

#[tokio::test]
async fn alb_target_group_listener_and_attachment() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[("Env", "test")]).await;
    let elb = elbv2_client(&ep).await;
    let (vpc, subnets, sg) = network(&p, 41).await;
    let vpc_id = attr(&vpc, "id");
    let u = uniq();

    // ---- aws_lb ------------------------------------------------------------------------
    let lb_name = format!("web-{u}");
    let lb_cfg = obj(vec![
        ("name", st(&lb_name)),
        ("subnets", strs(&[&subnets[0], &subnets[1]])),
        ("security_groups", strs(&[&sg])),
        ("tags", tags(&[("Name", "web")])),
    ]);
    let planned = plan(&p, "aws_lb", None, &lb_cfg).await;
    assert!(!planned.diagnostics.has_errors(), "{}", planned.diagnostics);
    let pl = planned.planned_state.unwrap();
    assert_eq!(
        attr(&pl, "load_balancer_type"),
        "application",
        "upstream default"
    );
    assert_eq!(num_of(&pl, "idle_timeout"), Some(60));
    assert!(!pl.get_attr("dns_name").unwrap().is_known());
    let lb = create(&p, "aws_lb", &lb_cfg).await;
    let lb_arn = attr(&lb, "arn");
    assert_eq!(attr(&lb, "id"), lb_arn);
    assert!(
        attr(&lb, "arn_suffix").starts_with(&format!("app/{lb_name}/")),
        "{}",
        attr(&lb, "arn_suffix")
    );
    assert!(!attr(&lb, "dns_name").is_empty());
    assert!(!attr(&lb, "zone_id").is_empty());
    assert_eq!(attr(&lb, "vpc_id"), vpc_id);
    assert_eq!(
        lb.get_attr("internal").and_then(Value::as_bool),
        Some(false)
    );
    assert_eq!(attr(&lb, "ip_address_type"), "ipv4");
    assert_eq!(
        lb.get_attr("tags_all").unwrap(),
        &tags(&[("Env", "test"), ("Name", "web")])
    );
    let back = read(&p, "aws_lb", &lb).await.expect("lb exists");
    assert!(diff(&lb, &back).is_empty(), "{:?}", diff(&lb, &back));
    assert_noop(&p, "aws_lb", &back, &lb_cfg).await;

    // In place: idle timeout and tags; the SDK sees the new attribute.
    let lb_cfg2 = with(
        &with(&lb_cfg, "idle_timeout", num(120)),
        "tags",
        tags(&[("Name", "web2")]),
    );
    let lb2 = update(&p, "aws_lb", &back, &lb_cfg2).await;
    assert_eq!(num_of(&lb2, "idle_timeout"), Some(120));
    let attrs = elb
        .describe_load_balancer_attributes()
        .load_balancer_arn(&lb_arn)
        .send()
        .await
        .unwrap();
    let idle = attrs
        .attributes()
        .iter()
        .find(|a| a.key() == Some("idle_timeout.timeout_seconds"))
        .and_then(|a| a.value());
    assert_eq!(idle, Some("120"));
    assert_noop(&p, "aws_lb", &lb2, &lb_cfg2).await;

    // Force new: internal and name.
    let rp = plan(
        &p,
        "aws_lb",
        Some(&lb2),
        &with(&lb_cfg2, "internal", Value::Bool(true)),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("internal")]);
    assert!(!rp
        .planned_state
        .unwrap()
        .get_attr("arn")
        .unwrap()
        .is_known());
    let rp = plan(
        &p,
        "aws_lb",
        Some(&lb2),
        &with(&lb_cfg2, "name", st(&format!("other-{u}"))),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("name")]);

    // Drift: idle timeout changed behind Plinth's back.
    elb.modify_load_balancer_attributes()
        .load_balancer_arn(&lb_arn)
        .attributes(
            elbv2::types::LoadBalancerAttribute::builder()
                .key("idle_timeout.timeout_seconds")
                .value("300")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_lb", &lb2).await.unwrap();
    assert_eq!(num_of(&drifted, "idle_timeout"), Some(300));
    let repair = plan(&p, "aws_lb", Some(&drifted), &lb_cfg2).await;
    assert!(repair.requires_replace.is_empty());
    assert_eq!(
        num_of(repair.planned_state.as_ref().unwrap(), "idle_timeout"),
        Some(120)
    );
    let lb2 = update(&p, "aws_lb", &drifted, &lb_cfg2).await;

    // Import by ARN.
    let imported = import(&p, "aws_lb", &lb_arn).await.unwrap();
    assert_eq!(attr(&imported, "name"), lb_name);
    assert_noop(&p, "aws_lb", &imported, &lb_cfg2).await;

    // ---- aws_lb_target_group -----------------------------------------------------------
    let tg_name = format!("tg-{u}");
    let hc = |interval: i64| {
        list(vec![obj(vec![
            ("path", st("/health")),
            ("matcher", st("200-299")),
            ("interval", num(interval)),
        ])])
    };
    let tg_cfg = obj(vec![
        ("name", st(&tg_name)),
        ("port", num(80)),
        ("protocol", st("HTTP")),
        ("vpc_id", st(&vpc_id)),
        ("target_type", st("ip")),
        ("deregistration_delay", st("30")),
        ("health_check", hc(30)),
        ("tags", tags(&[("Name", "tg")])),
    ]);
    let tg = create(&p, "aws_lb_target_group", &tg_cfg).await;
    let tg_arn = attr(&tg, "arn");
    assert!(
        attr(&tg, "arn_suffix").starts_with(&format!("targetgroup/{tg_name}/")),
        "{}",
        attr(&tg, "arn_suffix")
    );
    assert_eq!(attr(&tg, "deregistration_delay"), "30");
    let h = &get_seq(&tg, "health_check")[0];
    assert_eq!(h.get_attr("path").and_then(Value::as_str), Some("/health"));
    assert_eq!(
        h.get_attr("matcher").and_then(Value::as_str),
        Some("200-299")
    );
    assert_eq!(
        h.get_attr("port").and_then(Value::as_str),
        Some("traffic-port")
    );
    assert!(
        h.get_attr("timeout").and_then(Value::as_i64).is_some(),
        "timeout is computed: {h:?}"
    );
    assert_noop(
        &p,
        "aws_lb_target_group",
        &read(&p, "aws_lb_target_group", &tg).await.unwrap(),
        &tg_cfg,
    )
    .await;
    // Without a health_check block, AWS's is kept (Optional+Computed).
    let no_hc = with(&tg_cfg, "health_check", Value::list(vec![]));
    let keep = plan(&p, "aws_lb_target_group", Some(&tg), &no_hc).await;
    assert!(keep.requires_replace.is_empty());
    assert!(diff(&tg, keep.planned_state.as_ref().unwrap()).is_empty());

    // In place: health check interval and deregistration delay.
    let tg_cfg2 = with(
        &with(&tg_cfg, "health_check", hc(15)),
        "deregistration_delay",
        st("10"),
    );
    let tg2 = update(&p, "aws_lb_target_group", &tg, &tg_cfg2).await;
    assert_eq!(
        num_of(&get_seq(&tg2, "health_check")[0], "interval"),
        Some(15)
    );
    let d = elb
        .describe_target_groups()
        .target_group_arns(&tg_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        d.target_groups()[0].health_check_interval_seconds(),
        Some(15)
    );
    assert_eq!(attr(&tg2, "deregistration_delay"), "10");
    assert_noop(&p, "aws_lb_target_group", &tg2, &tg_cfg2).await;
    // Force new: port.
    let rp = plan(
        &p,
        "aws_lb_target_group",
        Some(&tg2),
        &with(&tg_cfg2, "port", num(8080)),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("port")]);
    // Drift: health check path.
    elb.modify_target_group()
        .target_group_arn(&tg_arn)
        .health_check_path("/changed")
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_lb_target_group", &tg2).await.unwrap();
    assert_eq!(
        get_seq(&drifted, "health_check")[0]
            .get_attr("path")
            .and_then(Value::as_str),
        Some("/changed")
    );
    let tg2 = update(&p, "aws_lb_target_group", &drifted, &tg_cfg2).await;
    assert_eq!(
        get_seq(&tg2, "health_check")[0]
            .get_attr("path")
            .and_then(Value::as_str),
        Some("/health")
    );
    // Import.
    let imported = import(&p, "aws_lb_target_group", &tg_arn).await.unwrap();
    assert_noop(&p, "aws_lb_target_group", &imported, &tg_cfg2).await;

    // ---- aws_lb_listener (HTTP) --------------------------------------------------------
    let forward = list(vec![obj(vec![
        ("type", st("forward")),
        ("target_group_arn", st(&tg_arn)),
    ])]);
    let l_cfg = obj(vec![
        ("load_balancer_arn", st(&lb_arn)),
        ("port", num(80)),
        ("protocol", st("HTTP")),
        ("default_action", forward.clone()),
    ]);
    let l = create(&p, "aws_lb_listener", &l_cfg).await;
    let l_arn = attr(&l, "arn");
    assert!(l_arn.contains(":listener/app/"), "{l_arn}");
    let acts = get_seq(&l, "default_action");
    assert_eq!(acts.len(), 1);
    assert_eq!(
        acts[0].get_attr("target_group_arn").and_then(Value::as_str),
        Some(tg_arn.as_str())
    );
    assert_eq!(num_of(&acts[0], "order"), Some(1));
    assert_noop(
        &p,
        "aws_lb_listener",
        &read(&p, "aws_lb_listener", &l).await.unwrap(),
        &l_cfg,
    )
    .await;
    // The target group now reports the load balancer.
    let tg_now = read(&p, "aws_lb_target_group", &tg2).await.unwrap();
    assert_eq!(
        tg_now.get_attr("load_balancer_arns").unwrap(),
        &strs(&[&lb_arn])
    );
    // In place: fixed response, then redirect.
    let fixed = list(vec![obj(vec![
        ("type", st("fixed-response")),
        (
            "fixed_response",
            list(vec![obj(vec![
                ("content_type", st("text/plain")),
                ("message_body", st("down")),
                ("status_code", st("503")),
            ])]),
        ),
    ])]);
    let l_cfg2 = with(&l_cfg, "default_action", fixed);
    let l2 = update(&p, "aws_lb_listener", &l, &l_cfg2).await;
    let fr = &get_seq(&get_seq(&l2, "default_action")[0], "fixed_response")[0];
    assert_eq!(
        fr.get_attr("message_body").and_then(Value::as_str),
        Some("down")
    );
    assert_noop(&p, "aws_lb_listener", &l2, &l_cfg2).await;
    let redirect = list(vec![obj(vec![
        ("type", st("redirect")),
        (
            "redirect",
            list(vec![obj(vec![
                ("port", st("443")),
                ("protocol", st("HTTPS")),
                ("status_code", st("HTTP_301")),
            ])]),
        ),
    ])]);
    let l_cfg3 = with(&l_cfg, "default_action", redirect);
    let l3 = update(&p, "aws_lb_listener", &l2, &l_cfg3).await;
    let rd = &get_seq(&get_seq(&l3, "default_action")[0], "redirect")[0];
    assert_eq!(
        rd.get_attr("host").and_then(Value::as_str),
        Some("#{host}"),
        "upstream default"
    );
    assert_eq!(
        rd.get_attr("status_code").and_then(Value::as_str),
        Some("HTTP_301")
    );
    assert_noop(&p, "aws_lb_listener", &l3, &l_cfg3).await;
    // Force new: another load balancer.
    let rp = plan(
        &p,
        "aws_lb_listener",
        Some(&l3),
        &with(
            &l_cfg3,
            "load_balancer_arn",
            st("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1"),
        ),
    )
    .await;
    assert_eq!(
        rp.requires_replace,
        vec![AttrPath::attr("load_balancer_arn")]
    );
    // Drift: port changed through the SDK.
    elb.modify_listener()
        .listener_arn(&l_arn)
        .port(8080)
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_lb_listener", &l3).await.unwrap();
    assert_eq!(num_of(&drifted, "port"), Some(8080));
    let l3 = update(&p, "aws_lb_listener", &drifted, &l_cfg3).await;
    assert_eq!(num_of(&l3, "port"), Some(80));
    // Import.
    let imported = import(&p, "aws_lb_listener", &l_arn).await.unwrap();
    assert_noop(&p, "aws_lb_listener", &imported, &l_cfg3).await;

    // ---- aws_lb_target_group_attachment ------------------------------------------------
    let a_cfg = obj(vec![
        ("target_group_arn", st(&tg_arn)),
        ("target_id", st("10.41.1.10")),
        ("port", num(80)),
    ]);
    let att = create(&p, "aws_lb_target_group_attachment", &a_cfg).await;
    assert!(
        attr(&att, "id").starts_with(&format!("{tg_arn}-")),
        "{}",
        attr(&att, "id")
    );
    assert_noop(
        &p,
        "aws_lb_target_group_attachment",
        &read(&p, "aws_lb_target_group_attachment", &att)
            .await
            .unwrap(),
        &a_cfg,
    )
    .await;
    let health = elb
        .describe_target_health()
        .target_group_arn(&tg_arn)
        .send()
        .await
        .unwrap();
    assert!(health
        .target_health_descriptions()
        .iter()
        .any(|d| d.target().and_then(|t| t.id()) == Some("10.41.1.10")));
    let rp = plan(
        &p,
        "aws_lb_target_group_attachment",
        Some(&att),
        &with(&a_cfg, "port", num(8080)),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("port")]);
    let imported = import(
        &p,
        "aws_lb_target_group_attachment",
        &format!("{tg_arn},10.41.1.10,80"),
    )
    .await
    .unwrap();
    assert_eq!(attr(&imported, "target_id"), "10.41.1.10");
    assert_noop(&p, "aws_lb_target_group_attachment", &imported, &a_cfg).await;
    let err = import(&p, "aws_lb_target_group_attachment", "just-an-arn")
        .await
        .unwrap_err();
    assert!(
        err.iter()
            .next()
            .unwrap()
            .summary
            .contains("invalid import ID"),
        "{err}"
    );
    // Drift: deregistered behind Plinth's back → gone.
    elb.deregister_targets()
        .target_group_arn(&tg_arn)
        .targets(
            elbv2::types::TargetDescription::builder()
                .id("10.41.1.10")
                .port(80)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(read(&p, "aws_lb_target_group_attachment", &att)
        .await
        .is_none());
    let att = create(&p, "aws_lb_target_group_attachment", &a_cfg).await;
    delete(&p, "aws_lb_target_group_attachment", &att).await;
    assert!(read(&p, "aws_lb_target_group_attachment", &att)
        .await
        .is_none());

    // ---- delete: the SDK finds nothing ---------------------------------------------------
    delete(&p, "aws_lb_listener", &l3).await;
    assert!(read(&p, "aws_lb_listener", &l3).await.is_none());
    let ls = elb
        .describe_listeners()
        .load_balancer_arn(&lb_arn)
        .send()
        .await
        .unwrap();
    assert!(ls.listeners().is_empty());
    delete(&p, "aws_lb_target_group", &tg2).await;
    assert!(elb
        .describe_target_groups()
        .target_group_arns(&tg_arn)
        .send()
        .await
        .is_err());
    delete(&p, "aws_lb", &lb2).await;
    let all = elb.describe_load_balancers().send().await.unwrap();
    assert!(!all
        .load_balancers()
        .iter()
        .any(|l| l.load_balancer_arn() == Some(lb_arn.as_str())));
    assert!(read(&p, "aws_lb", &lb2).await.is_none());
    delete(&p, "aws_lb", &lb2).await; // already gone: fine
}

#[tokio::test]
async fn elbv2_errors_are_clear_diagnostics() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let cfg = obj(vec![
        ("name", st(&format!("bad-{}", uniq()))),
        ("subnets", strs(&["subnet-0000000000000dead"])),
    ]);
    let err = try_create(&p, "aws_lb", &cfg).await.unwrap_err();
    let d = err.iter().next().unwrap();
    assert!(
        d.summary.starts_with("creating ELBv2 Load Balancer: "),
        "{}",
        d.summary
    );
    let detail = d.detail.clone().unwrap_or_default();
    assert!(
        detail.contains("ELBv2 CreateLoadBalancer call failed with AWS error code"),
        "{detail}"
    );
    // Static validation: a bad name never reaches AWS.
    let bad = plan(
        &p,
        "aws_lb",
        None,
        &obj(vec![
            ("name", st("-nope-")),
            ("subnets", strs(&["subnet-1"])),
        ]),
    )
    .await;
    assert!(bad.diagnostics.has_errors());
    assert!(bad
        .diagnostics
        .iter()
        .next()
        .unwrap()
        .summary
        .contains("invalid value for name"));
    let bad = plan(
        &p,
        "aws_lb_listener",
        None,
        &obj(vec![
            ("load_balancer_arn", st("arn")),
            (
                "default_action",
                list(vec![obj(vec![("type", st("redirect"))])]),
            ),
        ]),
    )
    .await;
    assert!(
        bad.diagnostics.has_errors(),
        "a redirect without a redirect block is refused"
    );
}

fn openssl_cert(cn: &str) -> Option<(String, String)> {
    let dir = std::env::temp_dir().join(format!("plinth-acm-{}", uniq()));
    std::fs::create_dir_all(&dir).ok()?;
    let key = dir.join("key.pem");
    let crt = dir.join("crt.pem");
    let ok = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj",
        ])
        .arg(format!("/CN={cn}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .output()
        .ok()?
        .status
        .success();
    if !ok {
        return None;
    }
    let r = (
        std::fs::read_to_string(&crt).ok()?,
        std::fs::read_to_string(&key).ok()?,
    );
    let _ = std::fs::remove_dir_all(&dir);
    Some(r)
}

#[tokio::test]
async fn acm_certificates_requested_validated_and_imported() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[]).await;
    let sdk = acm_client(&ep).await;
    let r53 = route53_client(&ep).await;
    let u = uniq();
    let zone_name = format!("acm-{u}.example.com");
    let domain = format!("site.{zone_name}");
    let www = format!("www.{zone_name}");

    // Plan: domain_validation_options known by domain before apply (for_each works).
    let cfg = obj(vec![
        ("domain_name", st(&domain)),
        ("subject_alternative_names", strs(&[&www])),
        ("validation_method", st("DNS")),
        ("tags", tags(&[("Name", "site")])),
    ]);
    let planned = plan(&p, "aws_acm_certificate", None, &cfg).await;
    assert!(!planned.diagnostics.has_errors(), "{}", planned.diagnostics);
    let pl = planned.planned_state.unwrap();
    let dvos = get_seq(&pl, "domain_validation_options");
    let mut names: Vec<String> = dvos
        .iter()
        .map(|d| {
            d.get_attr("domain_name")
                .and_then(Value::as_str)
                .unwrap()
                .to_string()
        })
        .collect();
    names.sort();
    let mut want = vec![domain.clone(), www.clone()];
    want.sort();
    assert_eq!(names, want);
    assert!(!dvos[0]
        .get_attr("resource_record_value")
        .unwrap()
        .is_known());
    assert_eq!(
        pl.get_attr("subject_alternative_names").unwrap(),
        &strs(&[&domain, &www]),
        "domain_name joins the SANs, as ACM does"
    );

    let cert = create(&p, "aws_acm_certificate", &cfg).await;
    let arn = attr(&cert, "arn");
    assert!(arn.starts_with("arn:aws:acm:us-east-1:"), "{arn}");
    assert_eq!(attr(&cert, "type"), "AMAZON_ISSUED");
    assert_eq!(attr(&cert, "validation_method"), "DNS");
    assert!(["PENDING_VALIDATION", "ISSUED"].contains(&attr(&cert, "status").as_str()));
    assert!(
        attr(&cert, "not_after").ends_with('Z'),
        "{}",
        attr(&cert, "not_after")
    );
    let dvos = get_seq(&cert, "domain_validation_options");
    assert_eq!(dvos.len(), 2);
    for d in &dvos {
        assert_eq!(
            d.get_attr("resource_record_type").and_then(Value::as_str),
            Some("CNAME")
        );
        assert!(d
            .get_attr("resource_record_name")
            .and_then(Value::as_str)
            .unwrap()
            .ends_with('.'));
    }
    assert_noop(
        &p,
        "aws_acm_certificate",
        &read(&p, "aws_acm_certificate", &cert).await.unwrap(),
        &cfg,
    )
    .await;
    // In place: tags.
    let cfg2 = with(&cfg, "tags", tags(&[("Name", "site2")]));
    let cert2 = update(&p, "aws_acm_certificate", &cert, &cfg2).await;
    let t = sdk
        .list_tags_for_certificate()
        .certificate_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(t
        .tags()
        .iter()
        .any(|t| t.key() == "Name" && t.value() == Some("site2")));
    // Force new: another domain, another SAN.
    let rp = plan(
        &p,
        "aws_acm_certificate",
        Some(&cert2),
        &with(&cfg2, "domain_name", st(&format!("other.{zone_name}"))),
    )
    .await;
    assert!(
        rp.requires_replace.contains(&AttrPath::attr("domain_name")),
        "{:?}",
        rp.requires_replace
    );
    let rp = plan(
        &p,
        "aws_acm_certificate",
        Some(&cert2),
        &with(
            &cfg2,
            "subject_alternative_names",
            strs(&[&format!("api.{zone_name}")]),
        ),
    )
    .await;
    assert_eq!(
        rp.requires_replace,
        vec![AttrPath::attr("subject_alternative_names")]
    );
    // Drift: a tag added through the SDK.
    sdk.add_tags_to_certificate()
        .certificate_arn(&arn)
        .tags(
            acm::types::Tag::builder()
                .key("Owner")
                .value("ops")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_acm_certificate", &cert2).await.unwrap();
    assert_eq!(
        drifted.get_attr("tags").unwrap(),
        &tags(&[("Name", "site2"), ("Owner", "ops")])
    );
    let cert2 = update(&p, "aws_acm_certificate", &drifted, &cfg2).await;
    assert_eq!(cert2.get_attr("tags").unwrap(), &tags(&[("Name", "site2")]));
    // Import by ARN.
    let imported = import(&p, "aws_acm_certificate", &arn).await.unwrap();
    assert_noop(&p, "aws_acm_certificate", &imported, &cfg2).await;

    // DNS validation through Route 53.
    let zone = create(
        &p,
        "aws_route53_zone",
        &obj(vec![
            ("name", st(&zone_name)),
            ("force_destroy", Value::Bool(true)),
        ]),
    )
    .await;
    let zone_id = attr(&zone, "zone_id");
    let mut fqdns = Vec::new();
    let mut recs = Vec::new();
    for d in get_seq(&cert2, "domain_validation_options") {
        let rcfg = obj(vec![
            ("zone_id", st(&zone_id)),
            ("name", d.get_attr("resource_record_name").unwrap().clone()),
            ("type", d.get_attr("resource_record_type").unwrap().clone()),
            (
                "records",
                Value::set(
                    Type::String,
                    vec![d.get_attr("resource_record_value").unwrap().clone()],
                ),
            ),
            ("ttl", num(60)),
            ("allow_overwrite", Value::Bool(true)),
        ]);
        let r = create(&p, "aws_route53_record", &rcfg).await;
        assert_noop(&p, "aws_route53_record", &r, &rcfg).await;
        fqdns.push(attr(&r, "fqdn"));
        recs.push(r);
    }
    // Missing records are refused with the domain named.
    let partial = obj(vec![
        ("certificate_arn", st(&arn)),
        ("validation_record_fqdns", strs(&[&fqdns[0]])),
    ]);
    let err = try_create(&p, "aws_acm_certificate_validation", &partial)
        .await
        .unwrap_err();
    assert!(
        err.iter()
            .next()
            .unwrap()
            .summary
            .contains("DNS validation record"),
        "{err}"
    );
    let fq: Vec<&str> = fqdns.iter().map(String::as_str).collect();
    let vcfg = obj(vec![
        ("certificate_arn", st(&arn)),
        ("validation_record_fqdns", strs(&fq)),
        ("timeouts", obj(vec![("create", st("4m"))])),
    ]);
    let v = create(&p, "aws_acm_certificate_validation", &vcfg).await;
    assert!(!attr(&v, "id").is_empty());
    let issued = sdk
        .describe_certificate()
        .certificate_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        issued.certificate().unwrap().status().unwrap().as_str(),
        "ISSUED"
    );
    assert!(read(&p, "aws_acm_certificate_validation", &v)
        .await
        .is_some());
    assert_eq!(
        attr(
            &read(&p, "aws_acm_certificate", &cert2).await.unwrap(),
            "status"
        ),
        "ISSUED"
    );
    assert!(import(&p, "aws_acm_certificate_validation", &arn)
        .await
        .unwrap_err()
        .iter()
        .next()
        .unwrap()
        .summary
        .contains("doesn't support import"));

    // Imported PEM certificate: private_key is sensitive; a new body re-imports in place.
    if let (Some((body, key)), Some((body2, key2))) = (
        openssl_cert(&format!("imp.{zone_name}")),
        openssl_cert(&format!("imp2.{zone_name}")),
    ) {
        let icfg = obj(vec![
            ("certificate_body", st(&body)),
            ("private_key", st(&key).mark_sensitive()),
        ]);
        let ic = create(&p, "aws_acm_certificate", &icfg).await;
        assert_eq!(attr(&ic, "type"), "IMPORTED");
        assert_eq!(attr(&ic, "domain_name"), format!("imp.{zone_name}"));
        assert_eq!(attr(&ic, "validation_method"), "NONE");
        assert!(
            ic.get_attr("private_key").unwrap().is_sensitive(),
            "private_key stays marked sensitive"
        );
        assert_noop(
            &p,
            "aws_acm_certificate",
            &read(&p, "aws_acm_certificate", &ic).await.unwrap(),
            &icfg,
        )
        .await;
        let icfg2 = obj(vec![
            ("certificate_body", st(&body2)),
            ("private_key", st(&key2).mark_sensitive()),
        ]);
        let ic2 = update(&p, "aws_acm_certificate", &ic, &icfg2).await;
        assert_eq!(attr(&ic2, "arn"), attr(&ic, "arn"));
        assert_eq!(attr(&ic2, "domain_name"), format!("imp2.{zone_name}"));
        delete(&p, "aws_acm_certificate", &ic2).await;
        assert!(sdk
            .describe_certificate()
            .certificate_arn(attr(&ic2, "arn"))
            .send()
            .await
            .is_err());
    } else {
        eprintln!("skipping the imported-certificate part: openssl is not available");
    }

    // Errors: a malformed ARN is a diagnostic naming the operation and the AWS code.
    let err = try_create(
        &p,
        "aws_acm_certificate",
        &obj(vec![
            ("certificate_body", st("not a pem")),
            ("private_key", st("nope")),
        ]),
    )
    .await
    .unwrap_err();
    let d = err.iter().next().unwrap();
    assert!(
        d.summary.starts_with("creating ACM Certificate: "),
        "{}",
        d.summary
    );
    assert!(
        d.detail
            .clone()
            .unwrap_or_default()
            .contains("ACM ImportCertificate call failed with AWS error code"),
        "{:?}",
        d.detail
    );

    // Delete: the SDK finds nothing.
    for r in &recs {
        delete(&p, "aws_route53_record", r).await;
    }
    delete(&p, "aws_acm_certificate_validation", &v).await;
    delete(&p, "aws_acm_certificate", &cert2).await;
    assert!(read(&p, "aws_acm_certificate", &cert2).await.is_none());
    let all = sdk.list_certificates().send().await.unwrap();
    assert!(!all
        .certificate_summary_list()
        .iter()
        .any(|c| c.certificate_arn() == Some(arn.as_str())));
    delete(&p, "aws_route53_zone", &zone).await;
    assert!(r53.get_hosted_zone().id(&zone_id).send().await.is_err());
}

#[tokio::test]
async fn route53_zones_and_records() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[("Env", "test")]).await;
    let r53 = route53_client(&ep).await;
    let u = uniq();
    let zone_name = format!("r53-{u}.example.com");

    // Zone: trailing dot and case normalised away, as upstream.
    let zcfg = obj(vec![
        ("name", st(&format!("R53-{u}.Example.com."))),
        ("tags", tags(&[("Name", "zone")])),
    ]);
    let zone = create(&p, "aws_route53_zone", &zcfg).await;
    let zone_id = attr(&zone, "zone_id");
    assert_eq!(attr(&zone, "id"), zone_id);
    assert_eq!(attr(&zone, "name"), zone_name);
    assert_eq!(attr(&zone, "comment"), "Managed by Terraform");
    assert_eq!(
        attr(&zone, "arn"),
        format!("arn:aws:route53:::hostedzone/{zone_id}")
    );
    assert!(!get_seq(&zone, "name_servers").is_empty());
    assert_eq!(
        attr(&zone, "primary_name_server"),
        get_seq(&zone, "name_servers")[0].as_str().unwrap()
    );
    assert_noop(
        &p,
        "aws_route53_zone",
        &read(&p, "aws_route53_zone", &zone).await.unwrap(),
        &zcfg,
    )
    .await;
    let zcfg2 = with(&zcfg, "comment", st("public zone"));
    let zone2 = update(&p, "aws_route53_zone", &zone, &zcfg2).await;
    let got = r53.get_hosted_zone().id(&zone_id).send().await.unwrap();
    assert_eq!(
        got.hosted_zone().unwrap().config().unwrap().comment(),
        Some("public zone")
    );
    let rp = plan(
        &p,
        "aws_route53_zone",
        Some(&zone2),
        &with(&zcfg2, "name", st(&format!("x-{zone_name}"))),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("name")]);
    r53.update_hosted_zone_comment()
        .id(&zone_id)
        .comment("hand-edited")
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_route53_zone", &zone2).await.unwrap();
    assert_eq!(attr(&drifted, "comment"), "hand-edited");
    let zone2 = update(&p, "aws_route53_zone", &drifted, &zcfg2).await;
    let imported = import(&p, "aws_route53_zone", &zone_id).await.unwrap();
    assert_noop(&p, "aws_route53_zone", &imported, &zcfg2).await;

    // A record, TXT quoting, CNAME.
    let a_cfg = obj(vec![
        ("zone_id", st(&zone_id)),
        ("name", st("www")),
        ("type", st("A")),
        ("ttl", num(300)),
        ("records", strs(&["192.0.2.10", "192.0.2.11"])),
    ]);
    let a = create(&p, "aws_route53_record", &a_cfg).await;
    assert_eq!(attr(&a, "fqdn"), format!("www.{zone_name}"));
    assert_eq!(attr(&a, "id"), format!("{zone_id}_www_A"));
    assert_noop(
        &p,
        "aws_route53_record",
        &read(&p, "aws_route53_record", &a).await.unwrap(),
        &a_cfg,
    )
    .await;
    let a_cfg2 = with(
        &with(&a_cfg, "ttl", num(60)),
        "records",
        strs(&["192.0.2.20"]),
    );
    let a2 = update(&p, "aws_route53_record", &a, &a_cfg2).await;
    assert_eq!(a2.get_attr("records").unwrap(), &strs(&["192.0.2.20"]));
    assert_eq!(num_of(&a2, "ttl"), Some(60));
    let rp = plan(
        &p,
        "aws_route53_record",
        Some(&a2),
        &with(&a_cfg2, "name", st("www2")),
    )
    .await;
    assert_eq!(rp.requires_replace, vec![AttrPath::attr("name")]);
    // Type is not ForceNew upstream: A → TXT is one delete+create batch.
    let rp = plan(
        &p,
        "aws_route53_record",
        Some(&a2),
        &with(&a_cfg2, "type", st("AAAA")),
    )
    .await;
    assert!(rp.requires_replace.is_empty());

    let txt_cfg = obj(vec![
        ("zone_id", st(&zone_id)),
        ("name", st(&zone_name)),
        ("type", st("TXT")),
        ("ttl", num(300)),
        ("records", strs(&["v=spf1 -all", "first255\"\"second"])),
    ]);
    let txt = create(&p, "aws_route53_record", &txt_cfg).await;
    assert_eq!(
        txt.get_attr("records").unwrap(),
        &strs(&["v=spf1 -all", "first255\"\"second"])
    );
    let sets = r53
        .list_resource_record_sets()
        .hosted_zone_id(&zone_id)
        .start_record_name(format!("{zone_name}."))
        .start_record_type(route53::types::RrType::Txt)
        .max_items(1)
        .send()
        .await
        .unwrap();
    let mut vals: Vec<String> = sets.resource_record_sets()[0]
        .resource_records()
        .iter()
        .map(|r| r.value().to_string())
        .collect();
    vals.sort();
    assert_eq!(
        vals,
        vec![
            "\"first255\"\"second\"".to_string(),
            "\"v=spf1 -all\"".to_string()
        ],
        "sent quoted, as upstream"
    );
    assert_noop(
        &p,
        "aws_route53_record",
        &read(&p, "aws_route53_record", &txt).await.unwrap(),
        &txt_cfg,
    )
    .await;
    let imported = import(
        &p,
        "aws_route53_record",
        &format!("{zone_id}_{zone_name}_TXT"),
    )
    .await
    .unwrap();
    assert_noop(&p, "aws_route53_record", &imported, &txt_cfg).await;

    let cname_cfg = obj(vec![
        ("zone_id", st(&zone_id)),
        ("name", st(&format!("docs.{zone_name}"))),
        ("type", st("CNAME")),
        ("ttl", num(300)),
        ("records", strs(&["www.example.org"])),
    ]);
    let cname = create(&p, "aws_route53_record", &cname_cfg).await;
    // Drift: changed through the SDK.
    let rrs = route53::types::ResourceRecordSet::builder()
        .name(format!("docs.{zone_name}"))
        .r#type(route53::types::RrType::Cname)
        .ttl(300)
        .resource_records(
            route53::types::ResourceRecord::builder()
                .value("elsewhere.example.org")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    r53.change_resource_record_sets()
        .hosted_zone_id(&zone_id)
        .change_batch(
            route53::types::ChangeBatch::builder()
                .changes(
                    route53::types::Change::builder()
                        .action(route53::types::ChangeAction::Upsert)
                        .resource_record_set(rrs)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let drifted = read(&p, "aws_route53_record", &cname).await.unwrap();
    assert_eq!(
        drifted.get_attr("records").unwrap(),
        &strs(&["elsewhere.example.org"])
    );
    let cname = update(&p, "aws_route53_record", &drifted, &cname_cfg).await;
    assert_eq!(
        cname.get_attr("records").unwrap(),
        &strs(&["www.example.org"])
    );

    // A duplicate CREATE is refused (allow_overwrite unset) with a clear diagnostic.
    let err = try_create(&p, "aws_route53_record", &cname_cfg).await;
    if let Err(err) = err {
        let d = err.iter().next().unwrap();
        assert!(
            d.summary.starts_with("creating Route53 Record: "),
            "{}",
            d.summary
        );
        assert!(
            d.detail
                .clone()
                .unwrap_or_default()
                .contains("Route53 ChangeResourceRecordSets call failed with AWS error code"),
            "{:?}",
            d.detail
        );
    }
    let err = import(&p, "aws_route53_record", "Z123_nonsense")
        .await
        .unwrap_err();
    assert!(err
        .iter()
        .next()
        .unwrap()
        .summary
        .contains("invalid import ID"));

    // A zone with records is not deleted without force_destroy.
    let err = apply(
        &p,
        "aws_route53_zone",
        Some(zone2.clone()),
        None,
        &Value::null(),
    )
    .await
    .unwrap_err();
    let d = err.iter().next().unwrap();
    assert!(d.summary.contains("HostedZoneNotEmpty"), "{}", d.summary);
    assert!(d.help.join(" ").contains("force_destroy"), "{:?}", d.help);

    // Delete records, then the zone: the SDK finds nothing.
    for (r, name, ty) in [
        (&a2, format!("www.{zone_name}."), "A"),
        (&txt, format!("{zone_name}."), "TXT"),
        (&cname, format!("docs.{zone_name}."), "CNAME"),
    ] {
        delete(&p, "aws_route53_record", r).await;
        assert!(read(&p, "aws_route53_record", r).await.is_none());
        let left = r53
            .list_resource_record_sets()
            .hosted_zone_id(&zone_id)
            .send()
            .await
            .unwrap();
        assert!(
            !left
                .resource_record_sets()
                .iter()
                .any(|s| s.name() == name && s.r#type().as_str() == ty),
            "{name} {ty} is gone"
        );
    }
    delete(&p, "aws_route53_zone", &zone2).await;
    assert!(read(&p, "aws_route53_zone", &zone2).await.is_none());
    let zones = r53.list_hosted_zones().send().await.unwrap();
    assert!(!zones
        .hosted_zones()
        .iter()
        .any(|z| z.id().ends_with(&zone_id)));

    // Private zone with a VPC (vpc_region computed from the provider's region).
    let vpc = create(
        &p,
        "aws_vpc",
        &obj(vec![("cidr_block", st("10.43.0.0/16"))]),
    )
    .await;
    let pcfg = obj(vec![
        ("name", st(&format!("internal-{u}.example.com"))),
        (
            "vpc",
            Value::set(
                Type::object([("vpc_id", Type::String), ("vpc_region", Type::String)]),
                vec![obj(vec![
                    ("vpc_id", st(&attr(&vpc, "id"))),
                    ("vpc_region", Value::Null(Type::String)),
                ])],
            ),
        ),
    ]);
    let pz = create(&p, "aws_route53_zone", &pcfg).await;
    let v = &get_seq(&pz, "vpc")[0];
    assert_eq!(
        v.get_attr("vpc_region").and_then(Value::as_str),
        Some("us-east-1")
    );
    assert_noop(&p, "aws_route53_zone", &pz, &pcfg).await;
    delete(&p, "aws_route53_zone", &pz).await;
    delete(&p, "aws_vpc", &vpc).await;
}

/// The platform's shape: ALB + HTTPS listener with an ACM certificate validated through
/// Route 53, HTTP→HTTPS redirect, and alias records `app.`/`api.` pointing at the ALB.
#[tokio::test]
async fn platform_https_alb_with_acm_and_route53_aliases() {
    let Some(ep) = moto() else { return };
    let p = configure(&ep, &[("Project", "platform")]).await;
    let r53 = route53_client(&ep).await;
    let elb = elbv2_client(&ep).await;
    let u = uniq();
    let domain = format!("plat-{u}.example.com");
    let (vpc, subnets, sg) = network(&p, 42).await;

    let zone = create(&p, "aws_route53_zone", &obj(vec![("name", st(&domain))])).await;
    let zone_id = attr(&zone, "zone_id");
    let cert_cfg = obj(vec![
        ("domain_name", st(&format!("app.{domain}"))),
        (
            "subject_alternative_names",
            strs(&[&format!("api.{domain}")]),
        ),
        ("validation_method", st("DNS")),
    ]);
    let cert = create(&p, "aws_acm_certificate", &cert_cfg).await;
    let mut fqdns = Vec::new();
    let mut records = Vec::new();
    for d in get_seq(&cert, "domain_validation_options") {
        let r = create(
            &p,
            "aws_route53_record",
            &obj(vec![
                ("zone_id", st(&zone_id)),
                ("name", d.get_attr("resource_record_name").unwrap().clone()),
                ("type", d.get_attr("resource_record_type").unwrap().clone()),
                (
                    "records",
                    Value::set(
                        Type::String,
                        vec![d.get_attr("resource_record_value").unwrap().clone()],
                    ),
                ),
                ("ttl", num(60)),
                ("allow_overwrite", Value::Bool(true)),
            ]),
        )
        .await;
        fqdns.push(attr(&r, "fqdn"));
        records.push(r);
    }
    let fq: Vec<&str> = fqdns.iter().map(String::as_str).collect();
    let validation = create(
        &p,
        "aws_acm_certificate_validation",
        &obj(vec![
            ("certificate_arn", st(&attr(&cert, "arn"))),
            ("validation_record_fqdns", strs(&fq)),
        ]),
    )
    .await;

    let lb = create(
        &p,
        "aws_lb",
        &obj(vec![
            ("name", st(&format!("plat-{u}"))),
            ("subnets", strs(&[&subnets[0], &subnets[1]])),
            ("security_groups", strs(&[&sg])),
        ]),
    )
    .await;
    let tg = create(
        &p,
        "aws_lb_target_group",
        &obj(vec![
            ("name", st(&format!("plat-{u}"))),
            ("port", num(8080)),
            ("protocol", st("HTTP")),
            ("vpc_id", st(&attr(&vpc, "id"))),
        ]),
    )
    .await;
    let https_cfg = obj(vec![
        ("load_balancer_arn", st(&attr(&lb, "arn"))),
        ("port", num(443)),
        ("protocol", st("HTTPS")),
        ("ssl_policy", st("ELBSecurityPolicy-TLS13-1-2-2021-06")),
        ("certificate_arn", st(&attr(&validation, "certificate_arn"))),
        (
            "default_action",
            list(vec![obj(vec![
                ("type", st("forward")),
                ("target_group_arn", st(&attr(&tg, "arn"))),
            ])]),
        ),
    ]);
    let https = create(&p, "aws_lb_listener", &https_cfg).await;
    assert_eq!(attr(&https, "protocol"), "HTTPS");
    assert_eq!(attr(&https, "certificate_arn"), attr(&cert, "arn"));
    assert_eq!(
        attr(&https, "ssl_policy"),
        "ELBSecurityPolicy-TLS13-1-2-2021-06"
    );
    assert_noop(
        &p,
        "aws_lb_listener",
        &read(&p, "aws_lb_listener", &https).await.unwrap(),
        &https_cfg,
    )
    .await;
    let described = elb
        .describe_listeners()
        .listener_arns(attr(&https, "arn"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.listeners()[0].certificates()[0].certificate_arn(),
        Some(attr(&cert, "arn").as_str())
    );
    let http_cfg = obj(vec![
        ("load_balancer_arn", st(&attr(&lb, "arn"))),
        ("port", num(80)),
        ("protocol", st("HTTP")),
        (
            "default_action",
            list(vec![obj(vec![
                ("type", st("redirect")),
                (
                    "redirect",
                    list(vec![obj(vec![
                        ("port", st("443")),
                        ("protocol", st("HTTPS")),
                        ("status_code", st("HTTP_301")),
                    ])]),
                ),
            ])]),
        ),
    ]);
    let http = create(&p, "aws_lb_listener", &http_cfg).await;
    assert_noop(&p, "aws_lb_listener", &http, &http_cfg).await;

    // Alias records app. and api. → the ALB.
    let mut aliases = Vec::new();
    for host in ["app", "api"] {
        let cfg = obj(vec![
            ("zone_id", st(&zone_id)),
            ("name", st(&format!("{host}.{domain}"))),
            ("type", st("A")),
            (
                "alias",
                list(vec![obj(vec![
                    ("name", st(&attr(&lb, "dns_name"))),
                    ("zone_id", st(&attr(&lb, "zone_id"))),
                    ("evaluate_target_health", Value::Bool(true)),
                ])]),
            ),
        ]);
        let r = create(&p, "aws_route53_record", &cfg).await;
        assert_eq!(attr(&r, "fqdn"), format!("{host}.{domain}"));
        let al = &get_seq(&r, "alias")[0];
        assert_eq!(
            al.get_attr("name").and_then(Value::as_str),
            Some(attr(&lb, "dns_name").to_lowercase().as_str())
        );
        assert!(r.get_attr("ttl").unwrap().is_null());
        assert_noop(
            &p,
            "aws_route53_record",
            &read(&p, "aws_route53_record", &r).await.unwrap(),
            &cfg,
        )
        .await;
        let imported = import(
            &p,
            "aws_route53_record",
            &format!("{zone_id}_{host}.{domain}_A"),
        )
        .await
        .unwrap();
        assert_noop(&p, "aws_route53_record", &imported, &cfg).await;
        let sets = r53
            .list_resource_record_sets()
            .hosted_zone_id(&zone_id)
            .start_record_name(format!("{host}.{domain}."))
            .start_record_type(route53::types::RrType::A)
            .max_items(1)
            .send()
            .await
            .unwrap();
        let at = sets.resource_record_sets()[0]
            .alias_target()
            .expect("alias target");
        assert_eq!(at.hosted_zone_id(), attr(&lb, "zone_id"));
        aliases.push(r);
    }

    // Tear down in dependency order; the SDK finds nothing.
    for r in &aliases {
        delete(&p, "aws_route53_record", r).await;
    }
    delete(&p, "aws_lb_listener", &http).await;
    delete(&p, "aws_lb_listener", &https).await;
    delete(&p, "aws_lb_target_group", &tg).await;
    delete(&p, "aws_lb", &lb).await;
    delete(&p, "aws_acm_certificate_validation", &validation).await;
    delete(&p, "aws_acm_certificate", &cert).await;
    for r in &records {
        delete(&p, "aws_route53_record", r).await;
    }
    delete(&p, "aws_route53_zone", &zone).await;
    assert!(r53.get_hosted_zone().id(&zone_id).send().await.is_err());
    assert!(elb
        .describe_load_balancers()
        .load_balancer_arns(attr(&lb, "arn"))
        .send()
        .await
        .is_err());
    let _ = vpc;
}
