//! Test support: a provider configured against moto, and the engine's calls in miniature
//! (plan → apply → read → plan again), through the public provider traits only.
#![allow(dead_code)]

use plinth_sdk::{
    ApplyChangeRequest, ConfiguredProvider, Diagnostics, ImportResourceRequest, PlanChangeRequest,
    PlanChangeResponse, ReadDataSourceRequest, ReadResourceRequest, Type, Value,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// moto's endpoint, or `None` (the test then prints why it skips).
pub fn moto() -> Option<String> {
    match std::env::var("PLINTH_TEST_MOTO_ENDPOINT") {
        Ok(e) if !e.is_empty() => Some(e),
        _ => {
            eprintln!(
                "skipping: PLINTH_TEST_MOTO_ENDPOINT is not set (run `bash scripts/services.sh start moto && . .tools/services.env`)"
            );
            None
        }
    }
}

pub fn st(x: &str) -> Value {
    Value::string(x)
}
pub fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::Map(Type::String, pairs.iter().map(|(k, v)| (k.to_string(), st(v))).collect())
}
pub fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(pairs)
}

/// A provider block pointing every service at moto, with optional default tags.
pub fn provider_config(endpoint: &str, default_tags: &[(&str, &str)]) -> Value {
    let mut eps = BTreeMap::new();
    for s in ["acm", "ec2", "eks", "elasticache", "elbv2", "iam", "rds", "route53", "s3", "secretsmanager", "sts"] {
        eps.insert(s.to_string(), st(endpoint));
    }
    let mut m = vec![
        ("region", st("us-east-1")),
        ("access_key", st("testing")),
        ("secret_key", st("testing").mark_sensitive()),
        ("endpoints", Value::list(vec![Value::Object(eps)])),
        ("s3_use_path_style", Value::Bool(true)),
    ];
    if !default_tags.is_empty() {
        m.push(("default_tags", Value::list(vec![obj(vec![("tags", tags(default_tags))])])));
    }
    obj(m)
}

pub async fn configure(endpoint: &str, default_tags: &[(&str, &str)]) -> Arc<dyn ConfiguredProvider> {
    let p = plinth_provider_aws::provider();
    match p.configure(provider_config(endpoint, default_tags)).await {
        Ok(c) => c,
        Err(d) => panic!("configure failed: {d}"),
    }
}

pub async fn ec2_client(endpoint: &str) -> plinth_provider_aws::sdk::ec2::Client {
    let conf = plinth_provider_aws::sdk::ec2::Config::builder()
        .behavior_version(plinth_provider_aws::sdk::ec2::config::BehaviorVersion::latest())
        .region(plinth_provider_aws::sdk::ec2::config::Region::new("us-east-1"))
        .credentials_provider(plinth_provider_aws::sdk::ec2::config::Credentials::new("testing", "testing", None, None, "test"))
        .endpoint_url(endpoint)
        .build();
    plinth_provider_aws::sdk::ec2::Client::from_conf(conf)
}

pub async fn plan(
    p: &Arc<dyn ConfiguredProvider>,
    ty: &str,
    prior: Option<&Value>,
    config: &Value,
) -> PlanChangeResponse {
    p.plan_change(PlanChangeRequest {
        type_name: ty.into(),
        prior_state: prior.cloned(),
        proposed_new_state: Some(config.clone()),
        config: config.clone(),
        prior_private: vec![],
    })
    .await
}

/// Plans and applies a create; panics with the diagnostics on failure.
pub async fn create(p: &Arc<dyn ConfiguredProvider>, ty: &str, config: &Value) -> Value {
    match try_create(p, ty, config).await {
        Ok(v) => v,
        Err(d) => panic!("creating {ty} failed:\n{d}"),
    }
}

pub async fn try_create(p: &Arc<dyn ConfiguredProvider>, ty: &str, config: &Value) -> Result<Value, Diagnostics> {
    let planned = plan(p, ty, None, config).await;
    if planned.diagnostics.has_errors() {
        return Err(planned.diagnostics);
    }
    apply(p, ty, None, planned.planned_state, config).await
}

pub async fn apply(
    p: &Arc<dyn ConfiguredProvider>,
    ty: &str,
    prior: Option<Value>,
    planned: Option<Value>,
    config: &Value,
) -> Result<Value, Diagnostics> {
    let r = p
        .apply_change(ApplyChangeRequest {
            type_name: ty.into(),
            prior_state: prior,
            planned_state: planned,
            config: config.clone(),
            planned_private: vec![],
        })
        .await;
    if r.diagnostics.has_errors() {
        return Err(r.diagnostics);
    }
    Ok(r.new_state.unwrap_or(Value::null()))
}

/// Plans an update from `prior` to `config` and applies it in place (asserting that the
/// plan is in place, not a replacement).
pub async fn update(p: &Arc<dyn ConfiguredProvider>, ty: &str, prior: &Value, config: &Value) -> Value {
    let planned = plan(p, ty, Some(prior), config).await;
    assert!(!planned.diagnostics.has_errors(), "{}", planned.diagnostics);
    assert!(planned.requires_replace.is_empty(), "{ty}: expected an in-place update, got replacement of {:?}", planned.requires_replace);
    match apply(p, ty, Some(prior.clone()), planned.planned_state, config).await {
        Ok(v) => v,
        Err(d) => panic!("updating {ty} failed:\n{d}"),
    }
}

pub async fn delete(p: &Arc<dyn ConfiguredProvider>, ty: &str, prior: &Value) {
    if let Err(d) = apply(p, ty, Some(prior.clone()), None, &Value::null()).await {
        panic!("deleting {ty} failed:\n{d}");
    }
}

pub async fn read(p: &Arc<dyn ConfiguredProvider>, ty: &str, state: &Value) -> Option<Value> {
    let r = p
        .read_resource(ReadResourceRequest { type_name: ty.into(), current_state: state.clone(), private: vec![] })
        .await;
    assert!(!r.diagnostics.has_errors(), "reading {ty}: {}", r.diagnostics);
    r.new_state
}

pub async fn import(p: &Arc<dyn ConfiguredProvider>, ty: &str, id: &str) -> Result<Value, Diagnostics> {
    let r = p.import_resource(ImportResourceRequest { type_name: ty.into(), id: id.into() }).await;
    if r.diagnostics.has_errors() {
        return Err(r.diagnostics);
    }
    Ok(r.imported.into_iter().next().map(|i| i.state).unwrap_or_default())
}

pub async fn data(p: &Arc<dyn ConfiguredProvider>, ty: &str, config: &Value) -> Value {
    let r = p.read_data_source(ReadDataSourceRequest { type_name: ty.into(), config: config.clone() }).await;
    assert!(!r.diagnostics.has_errors(), "reading data {ty}: {}", r.diagnostics);
    r.state
}

/// The differences between two objects' attributes, ignoring marks (empty = same).
pub fn diff(a: &Value, b: &Value) -> Vec<String> {
    let (ja, jb) = (a.to_json(), b.to_json());
    let mut out = Vec::new();
    if let (Some(ma), Some(mb)) = (ja.as_object(), jb.as_object()) {
        for (k, va) in ma {
            let vb = mb.get(k).cloned().unwrap_or(serde_json::Value::Null);
            if *va != vb {
                out.push(format!("{k}: {va} -> {vb}"));
            }
        }
        for k in mb.keys() {
            if !ma.contains_key(k) {
                out.push(format!("{k}: (absent) -> {}", mb[k]));
            }
        }
    } else if ja != jb {
        out.push(format!("{ja} -> {jb}"));
    }
    out
}

/// Asserts that planning `config` over `state` is a no-op (nothing changes, nothing replaced).
pub async fn assert_noop(p: &Arc<dyn ConfiguredProvider>, ty: &str, state: &Value, config: &Value) {
    let planned = plan(p, ty, Some(state), config).await;
    assert!(!planned.diagnostics.has_errors(), "{}", planned.diagnostics);
    assert!(planned.requires_replace.is_empty(), "{ty}: no-op plan wants replacement: {:?}", planned.requires_replace);
    let d = diff(state, planned.planned_state.as_ref().expect("planned state"));
    assert!(d.is_empty(), "{ty}: plan is not a no-op:\n{}", d.join("\n"));
}

pub fn attr(v: &Value, k: &str) -> String {
    v.get_attr(k).and_then(Value::as_str).unwrap_or_default().to_string()
}
