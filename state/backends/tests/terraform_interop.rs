//! Terraform and Plinth share a backend: Terraform applies `terraform_data` into s3 (moto;
//! also with `assume_role` through moto's STS), pg (also over TLS with `verify-full`) and gcs
//! (fake-gcs-server); Plinth reads that state; Plinth writes state (default and
//! another workspace) and Terraform's `plan` says "No changes"; a lock Plinth holds stops
//! Terraform. Skips, saying why, without `terraform` on the PATH or without the servers.
//! (azurerm: Terraform's azurerm backend has no endpoint override, so it cannot reach
//! Azurite; that direction is covered by the layout unit tests only.)

mod common;
use common::*;
use plinth_backends::backend_from_config;
use plinth_state::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn terraform_available() -> bool {
    Command::new("terraform").arg("version").env("TF_CLI_CONFIG_FILE", "/dev/null").output().is_ok_and(|o| o.status.success())
}

fn hcl_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Object(m) => format!("{{ {} }}", m.iter().map(|(k, v)| format!("{k} = {}", hcl_value(v))).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

fn write_config(dir: &Path, kind: &str, config: &Cfg) {
    let mut body = String::new();
    for (k, v) in config {
        body.push_str(&format!("    {k} = {}\n", hcl_value(v)));
    }
    let tf = format!(
        "terraform {{\n  backend \"{kind}\" {{\n{body}  }}\n}}\n\nresource \"terraform_data\" \"a\" {{\n  input = \"hello\"\n}}\n"
    );
    std::fs::write(dir.join("main.tf"), tf).unwrap();
}

fn tf(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("TF_IN_AUTOMATION", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("run terraform");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

fn tf_ok(dir: &Path, args: &[&str]) -> String {
    let (code, text) = tf(dir, args);
    assert_eq!(code, 0, "terraform {args:?} failed:\n{text}");
    text
}

/// The configs Terraform accepts for each emulator (Terraform's argument names).
async fn interop_targets() -> Vec<(&'static str, Cfg)> {
    let mut out = Vec::new();
    match env("PLINTH_TEST_MOTO_ENDPOINT") {
        Some(ep) => {
            moto_setup(&ep).await;
            for (lockfile, ddb) in [(true, false), (false, true)] {
                let mut c = s3_config(&ep, &format!("{}/terraform.tfstate", unique("tf")), lockfile, ddb);
                c.insert("skip_region_validation".into(), Value::Bool(true));
                c.insert("skip_metadata_api_check".into(), Value::Bool(true));
                out.push(("s3", c));
            }
            // Both tools assume a role through moto's STS (assume_role = { … }).
            let mut c = s3_config(&ep, &format!("{}/terraform.tfstate", unique("tf-role")), true, false);
            c.insert("skip_region_validation".into(), Value::Bool(true));
            c.insert("skip_metadata_api_check".into(), Value::Bool(true));
            c.insert("endpoints".into(), serde_json::json!({"s3": ep, "sts": ep}));
            c.insert(
                "assume_role".into(),
                serde_json::json!({"role_arn": "arn:aws:iam::123456789012:role/interop", "session_name": "interop", "external_id": "interop-ext", "duration": "30m"}),
            );
            out.push(("s3", c));
        }
        None => eprintln!("interop: skipping s3: PLINTH_TEST_MOTO_ENDPOINT is not set"),
    }
    match env("PLINTH_TEST_PG_CONN") {
        Some(conn) => out.push(("pg", cfg(&[("conn_str", Value::String(conn)), ("schema_name", Value::String(unique("tf").replace('-', "_")))]))),
        None => eprintln!("interop: skipping pg: PLINTH_TEST_PG_CONN is not set"),
    }
    // pg over TLS, both tools verifying the server's certificate (lib/pq and rustls).
    match (env("PLINTH_TEST_PG_CONN"), env("PLINTH_TEST_PG_TLS_CA")) {
        (Some(conn), Some(ca)) => {
            let conn = format!("{}?sslmode=verify-full&sslrootcert={ca}", conn.split('?').next().unwrap_or_default());
            out.push(("pg", cfg(&[("conn_str", Value::String(conn)), ("schema_name", Value::String(unique("tf_tls").replace('-', "_")))])));
        }
        _ => eprintln!("interop: skipping pg over TLS: PLINTH_TEST_PG_CONN or PLINTH_TEST_PG_TLS_CA is not set"),
    }
    match env("PLINTH_TEST_GCS_ENDPOINT") {
        Some(ep) => {
            gcs_setup(&ep).await;
            out.push((
                "gcs",
                cfg(&[
                    ("bucket", Value::String(GCS_BUCKET.into())),
                    ("prefix", Value::String(unique("tf"))),
                    ("storage_custom_endpoint", Value::String(format!("{ep}/storage/v1/"))),
                    // Terraform needs some credentials; the emulator ignores them.
                    ("access_token", Value::String("emulator".into())),
                ]),
            ));
        }
        None => eprintln!("interop: skipping gcs: PLINTH_TEST_GCS_ENDPOINT is not set"),
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terraform_and_plinth_read_each_others_state_and_locks() {
    if !terraform_available() {
        eprintln!("interop: skipping: no terraform on PATH");
        return;
    }
    for (kind, config) in interop_targets().await {
        let l = if config.contains_key("dynamodb_table") { "s3+dynamodb".to_string() } else { kind.to_string() };
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write_config(d, kind, &config);
        let dd = d.to_path_buf();
        tokio::task::spawn_blocking(move || {
            tf_ok(&dd, &["init", "-input=false", "-no-color"]);
            tf_ok(&dd, &["apply", "-auto-approve", "-input=false", "-no-color"]);
        })
        .await
        .unwrap();

        // Plinth reads what Terraform wrote.
        let b = backend_from_config(kind, &config, d).unwrap_or_else(|e| panic!("{l}: {e:?}"));
        let st = b.read("default").await.unwrap_or_else(|e| panic!("{l}: {e}")).unwrap_or_else(|| panic!("{l}: no state"));
        assert_eq!(st.addresses(), ["terraform_data.a"], "{l}");
        assert!(b.lock_info("default").await.unwrap().is_none(), "{l}: Terraform released its lock");

        // Plinth writes (serial + 1, and a copy in workspace "dev"); Terraform plans no changes.
        let mut next = st.clone();
        next.serial += 1;
        b.write("default", &next).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        let mut dev = st.clone();
        dev.lineage = new_lineage();
        dev.serial = 7;
        b.write("dev", &dev).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        assert_eq!(b.workspaces().await.unwrap(), ["default", "dev"], "{l}");

        // Plinth holds the lock: Terraform must refuse.
        let info = LockInfo::new("OperationTypeApply");
        b.lock("default", &info).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        let dd = d.to_path_buf();
        let (code, text) = tokio::task::spawn_blocking(move || tf(&dd, &["plan", "-input=false", "-no-color", "-lock-timeout=0s"])).await.unwrap();
        assert_ne!(code, 0, "{l}: Terraform planned while Plinth held the lock:\n{text}");
        assert!(text.contains("Error acquiring the state lock"), "{l}:\n{text}");
        if kind != "pg" {
            // Terraform shows Plinth's lock info (pg has nowhere to keep it).
            assert!(text.contains("OperationTypeApply"), "{l}:\n{text}");
        }
        b.unlock("default", &info.id).await.unwrap_or_else(|e| panic!("{l}: {e}"));

        let dd = d.to_path_buf();
        let (plan, ws_list, dev_plan, state_serial) = tokio::task::spawn_blocking(move || {
            let plan = tf_ok(&dd, &["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
            let pulled = tf_ok(&dd, &["state", "pull"]);
            let ws_list = tf_ok(&dd, &["workspace", "list"]);
            tf_ok(&dd, &["workspace", "select", "dev"]);
            let dev_plan = tf_ok(&dd, &["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
            let serial = serde_json::from_str::<Value>(&pulled).unwrap()["serial"].as_u64().unwrap();
            tf_ok(&dd, &["workspace", "select", "default"]);
            // Terraform applies again on top of Plinth's write (destroy): its serial goes on from ours.
            tf_ok(&dd, &["destroy", "-auto-approve", "-input=false", "-no-color"]);
            (plan, ws_list, dev_plan, serial)
        })
        .await
        .unwrap();
        assert!(plan.contains("No changes."), "{l}:\n{plan}");
        assert!(dev_plan.contains("No changes."), "{l} (workspace dev):\n{dev_plan}");
        assert!(ws_list.contains("dev"), "{l}:\n{ws_list}");
        assert_eq!(state_serial, next.serial, "{l}: Terraform read Plinth's snapshot");
        let after = backend_from_config(kind, &config, d).unwrap().read("default").await.unwrap().unwrap();
        assert!(after.addresses().is_empty(), "{l}: Plinth reads Terraform's destroy");
        assert!(after.serial > next.serial, "{l}");
        eprintln!("interop: {l} ok");
    }
}
