//! Test helpers: the backends under test, each against the server `scripts/services.sh`
//! started (read from `PLINTH_TEST_*`, or `.tools/services.env`); a backend whose server is
//! absent is skipped with a printed reason.
#![allow(dead_code)]

use plinth_backends::backend_from_config;
use plinth_state::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};

pub const P: &str = "provider[\"terraform.io/builtin/terraform\"]";

static LOAD: Once = Once::new();

/// `PLINTH_TEST_*` from the environment, else from `.tools/services.env`.
pub fn env(name: &str) -> Option<String> {
    LOAD.call_once(|| {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.tools/services.env");
        if let Ok(text) = std::fs::read_to_string(file) {
            for line in text.lines() {
                if let Some((k, v)) = line.trim().strip_prefix("export ").and_then(|l| l.split_once('=')) {
                    if k.starts_with("PLINTH_TEST_") && std::env::var_os(k).is_none() {
                        std::env::set_var(k, v);
                    }
                }
            }
        }
    });
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn unique(tag: &str) -> String {
    format!("{tag}-{}", &new_lineage()[..8])
}

pub type Cfg = BTreeMap<String, Value>;

pub fn cfg(pairs: &[(&str, Value)]) -> Cfg {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// A backend kind under test: its config for a fresh, isolated location.
pub struct Target {
    pub kind: &'static str,
    pub config: Cfg,
    pub cwd: PathBuf,
    _dir: Arc<tempfile::TempDir>,
}

impl Target {
    /// `s3`, `s3+dynamodb`, `pg`, …
    pub fn label(&self) -> String {
        if self.config.contains_key("dynamodb_table") {
            format!("{}+dynamodb", self.kind)
        } else {
            self.kind.to_string()
        }
    }

    /// A new backend instance (a separate "process" view: own connections, own ETags).
    pub fn backend(&self) -> Arc<dyn StateBackend> {
        backend_from_config(self.kind, &self.config, &self.cwd).unwrap_or_else(|d| panic!("{d:?}"))
    }
}

pub const MOTO_BUCKET: &str = "plinth-state";
pub const MOTO_TABLE: &str = "plinth-locks";

pub fn s3_config(endpoint: &str, key: &str, lockfile: bool, dynamodb: bool) -> Cfg {
    let mut c = cfg(&[
        ("bucket", json!(MOTO_BUCKET)),
        ("key", json!(key)),
        ("region", json!("us-east-1")),
        ("access_key", json!("test")),
        ("secret_key", json!("test")),
        ("endpoints", json!({"s3": endpoint, "dynamodb": endpoint})),
        ("use_path_style", json!(true)),
        ("skip_credentials_validation", json!(true)),
        ("skip_requesting_account_id", json!(true)),
        ("skip_s3_checksum", json!(true)),
        ("use_lockfile", json!(lockfile)),
    ]);
    if dynamodb {
        c.insert("dynamodb_table".into(), json!(MOTO_TABLE));
    }
    c
}

/// Creates the moto bucket and lock table (idempotent).
pub async fn moto_setup(endpoint: &str) {
    let creds = aws_sdk_s3::config::Credentials::new("test", "test", None, None, "test");
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(creds.clone())
        .endpoint_url(endpoint)
        .force_path_style(true)
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(conf);
    let _ = s3.create_bucket().bucket(MOTO_BUCKET).send().await;
    let dconf = aws_sdk_dynamodb::config::Builder::new()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(creds)
        .endpoint_url(endpoint)
        .build();
    let d = aws_sdk_dynamodb::Client::from_conf(dconf);
    use aws_sdk_dynamodb::types::*;
    let _ = d
        .create_table()
        .table_name(MOTO_TABLE)
        .attribute_definitions(AttributeDefinition::builder().attribute_name("LockID").attribute_type(ScalarAttributeType::S).build().unwrap())
        .key_schema(KeySchemaElement::builder().attribute_name("LockID").key_type(KeyType::Hash).build().unwrap())
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
}

pub const GCS_BUCKET: &str = "plinth-state";

pub async fn gcs_setup(endpoint: &str) {
    let _ = reqwest::Client::new()
        .post(format!("{endpoint}/storage/v1/b?project=test"))
        .json(&json!({"name": GCS_BUCKET}))
        .send()
        .await;
}

pub const AZ_CONTAINER: &str = "tfstate";

pub fn azure_config(endpoint: &str, key: &str) -> Cfg {
    cfg(&[
        ("storage_account_name", json!("devstoreaccount1")),
        ("container_name", json!(AZ_CONTAINER)),
        ("key", json!(key)),
        ("endpoint", json!(endpoint)),
    ])
}

pub async fn azure_setup(endpoint: &str) {
    let b = plinth_backends::azurerm::AzureBackend::from_config(&azure_config(endpoint, "x"), Path::new(".")).unwrap();
    b.create_container().await.expect("create the Azurite container");
}

/// Every backend kind whose server is up, each at a fresh location. Prints why others skip.
pub async fn targets(test: &str) -> Vec<Target> {
    let mut out = Vec::new();
    let mk = |kind: &'static str, config: Cfg| {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        Target { kind, config, cwd: dir.path().to_path_buf(), _dir: dir }
    };
    {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        out.push(Target { kind: "local", config: Cfg::new(), cwd: dir.path().to_path_buf(), _dir: dir });
    }
    match env("PLINTH_TEST_MOTO_ENDPOINT") {
        Some(ep) => {
            moto_setup(&ep).await;
            out.push(mk("s3", s3_config(&ep, &format!("{}/terraform.tfstate", unique(test)), true, false)));
            out.push(mk("s3", s3_config(&ep, &format!("{}/terraform.tfstate", unique(test)), false, true)));
        }
        None => eprintln!("{test}: skipping s3: PLINTH_TEST_MOTO_ENDPOINT is not set (run scripts/services.sh start moto)"),
    }
    match env("PLINTH_TEST_PG_CONN") {
        Some(conn) => out.push(mk("pg", cfg(&[("conn_str", json!(conn)), ("schema_name", json!(unique(test).replace('-', "_")))]))),
        None => eprintln!("{test}: skipping pg: PLINTH_TEST_PG_CONN is not set (run scripts/services.sh start postgres)"),
    }
    match env("PLINTH_TEST_GCS_ENDPOINT") {
        Some(ep) => {
            gcs_setup(&ep).await;
            out.push(mk(
                "gcs",
                cfg(&[("bucket", json!(GCS_BUCKET)), ("prefix", json!(unique(test))), ("storage_custom_endpoint", json!(format!("{ep}/storage/v1/")))]),
            ));
        }
        None => eprintln!("{test}: skipping gcs: PLINTH_TEST_GCS_ENDPOINT is not set (run scripts/services.sh start gcs)"),
    }
    match env("PLINTH_TEST_AZURITE_ENDPOINT") {
        Some(ep) => {
            azure_setup(&ep).await;
            out.push(mk("azurerm", azure_config(&ep, &format!("{}.tfstate", unique(test)))));
        }
        None => eprintln!("{test}: skipping azurerm: PLINTH_TEST_AZURITE_ENDPOINT is not set (run scripts/services.sh start azurite)"),
    }
    out
}

pub fn sample_state(n: usize) -> State {
    let mut st = State::new();
    for i in 0..n {
        st.set_instance(
            &InstanceAddr::managed("terraform_data", "x", Some(IndexKey::Int(i as i64))),
            P,
            Some(EachMode::List),
            InstanceState::new(0, json!({"id": format!("id-{i}"), "input": null, "output": null, "triggers_replace": null})),
        );
    }
    st.serial = 1;
    st
}

pub fn set(i: usize) -> plinth_state::InstanceChange {
    InstanceChange::Set {
        addr: InstanceAddr::managed("terraform_data", "x", Some(IndexKey::Int(i as i64))),
        provider: P.into(),
        each: Some(EachMode::List),
        instance: InstanceState::new(0, json!({"id": format!("id-{i}")})),
    }
}
