//! Interoperability with a real Terraform (skipped, saying so, when `terraform` is absent):
//! Terraform reads state Plinth wrote and plans no changes; Plinth reads what Terraform
//! writes back byte for byte; each tool respects the other's lock.

use plinth_state::*;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

fn terraform(dir: &Path, args: &[&str]) -> Option<std::process::Output> {
    Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("TF_IN_AUTOMATION", "1")
        .env("NO_COLOR", "1")
        .output()
        .ok()
}

fn have_terraform() -> bool {
    let ok = Command::new("terraform").arg("version").output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        eprintln!("skipping: terraform is not on the PATH");
    }
    ok
}

const CONFIG: &str = r#"
resource "terraform_data" "a" {
  input = "hello"
}
resource "terraform_data" "n" {
  count = 2
  input = count.index
}
output "greeting" {
  value = terraform_data.a.output
}
"#;

const P: &str = "provider[\"terraform.io/builtin/terraform\"]";

fn td(id: &str, input: serde_json::Value, ty: &str) -> InstanceState {
    InstanceState::new(
        0,
        serde_json::json!({
            "id": id,
            "input": {"value": input.clone(), "type": ty},
            "output": {"value": input, "type": ty},
            "triggers_replace": null,
        }),
    )
}

#[tokio::test]
async fn terraform_reads_what_plinth_writes_and_vice_versa() {
    if !have_terraform() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), CONFIG).unwrap();
    let init = terraform(dir.path(), &["init", "-input=false"]).unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));

    let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
    let (mut m, _) = StateManager::open(b.clone(), "default", Some(LockInfo::new("OperationTypeApply")), Duration::ZERO)
        .await
        .unwrap();
    m.record(InstanceChange::Set {
        addr: InstanceAddr::managed("terraform_data", "a", None),
        provider: P.into(),
        each: None,
        instance: td("11111111-2222-3333-4444-555555555555", serde_json::json!("hello"), "string"),
    })
    .await
    .unwrap();
    for i in 0..2 {
        m.record(InstanceChange::Set {
            addr: InstanceAddr::managed("terraform_data", "n", Some(IndexKey::Int(i))),
            provider: P.into(),
            each: None,
            instance: td(&format!("00000000-0000-0000-0000-00000000000{i}"), serde_json::json!(i), "number"),
        })
        .await
        .unwrap();
    }
    let mut outputs = std::collections::BTreeMap::new();
    outputs.insert(
        "greeting".to_string(),
        OutputState::from_value(&plinth_sdk::Value::string("hello"), false),
    );
    m.set_outputs(outputs).await.unwrap();

    // While Plinth holds the lock, Terraform cannot take it.
    let plan = terraform(dir.path(), &["plan", "-input=false", "-lock-timeout=0s"]).unwrap();
    let err = String::from_utf8_lossy(&plan.stderr);
    assert!(!plan.status.success(), "terraform must not run while plinth holds the lock");
    assert!(err.contains("Error acquiring the state lock"), "{err}");
    assert!(err.contains(m.lock_id().unwrap()), "terraform shows our lock info: {err}");
    m.close().await.unwrap();

    // Terraform reads Plinth's state and sees nothing to do.
    let plan = terraform(dir.path(), &["plan", "-input=false", "-detailed-exitcode", "-lock-timeout=0s"]).unwrap();
    let out = String::from_utf8_lossy(&plan.stdout);
    assert_eq!(plan.status.code(), Some(0), "{out}\n{}", String::from_utf8_lossy(&plan.stderr));
    assert!(out.contains("No changes."), "{out}");

    // Terraform changes it; Plinth reads the result and writes it back identically.
    std::fs::write(dir.path().join("main.tf"), CONFIG.replace("\"hello\"", "\"<changed> & more\"")).unwrap();
    let apply = terraform(dir.path(), &["apply", "-auto-approve", "-input=false"]).unwrap();
    assert!(apply.status.success(), "{}", String::from_utf8_lossy(&apply.stderr));
    let raw = std::fs::read(dir.path().join("terraform.tfstate")).unwrap();
    let st = b.read("default").await.unwrap().unwrap();
    assert_eq!(st.to_json(), raw);
    assert!(st.serial > 1);
    assert_eq!(st.outputs["greeting"].value, "<changed> & more");
    assert_eq!(st.addresses().len(), 3);

    // And Plinth's lock waits for Terraform's: hold Terraform's lock with `console`.
    let mut console = Command::new("terraform")
        .args(["console"])
        .current_dir(dir.path())
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lock_file = dir.path().join(".terraform.tfstate.lock.info");
    for _ in 0..100 {
        if lock_file.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let e = StateManager::open(b.clone(), "default", Some(LockInfo::new("OperationTypeApply")), Duration::ZERO)
        .await
        .err();
    drop(console.stdin.take());
    let _ = console.wait();
    match e {
        Some(StateError::Locked(info)) => assert!(info.who.contains('@'), "{info:?}"),
        other => panic!("expected Terraform's lock to be seen, got {other:?}"),
    }
    let (m, _) = StateManager::open(b, "default", Some(LockInfo::new("OperationTypeApply")), Duration::from_secs(5))
        .await
        .unwrap();
    m.release().await.unwrap();
}
