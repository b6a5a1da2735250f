//! The s3 backend's `assume_role` against moto: the configured credentials call STS
//! AssumeRole (moto's STS, via `endpoints.sts`) with the role ARN, session name, external ID
//! and duration, and S3 and DynamoDB are then used with the role's session. Moto records
//! every AssumeRole it answers (`/moto-api/data.json`), which is what the test checks.
//! Skips, printing why, without PLINTH_TEST_MOTO_ENDPOINT.

mod common;
use common::*;
use plinth_state::*;
use serde_json::json;

/// A moto server of this test's own (killed on drop), or `None` when `moto_server` cannot be
/// started (the shared one is used then).
struct OwnMoto {
    child: std::process::Child,
    endpoint: String,
}

impl OwnMoto {
    fn start() -> Option<OwnMoto> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let child = std::process::Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        let m = OwnMoto { child, endpoint: format!("http://127.0.0.1:{port}") };
        for _ in 0..150 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(m);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        eprintln!("moto_server did not start on port {port}: using the shared moto");
        None
    }
}

impl Drop for OwnMoto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The AssumeRole calls moto answered for `session_name`.
async fn assumed_roles(endpoint: &str, session_name: &str) -> Vec<serde_json::Value> {
    let data: serde_json::Value = reqwest::get(format!("{endpoint}/moto-api/data.json")).await.unwrap().json().await.unwrap();
    data["sts"]["AssumedRole"]
        .as_array()
        .map(|a| a.iter().filter(|r| r["session_name"] == session_name).cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn s3_and_dynamodb_are_used_with_the_assumed_role() {
    let Some(shared) = env("PLINTH_TEST_MOTO_ENDPOINT") else {
        eprintln!("skipping s3_and_dynamodb_are_used_with_the_assumed_role: PLINTH_TEST_MOTO_ENDPOINT is not set (bash scripts/services.sh start moto)");
        return;
    };
    // moto's /moto-api/data.json fails (HTTP 500) once other tests have left some kinds of
    // objects in the shared server (an RDS instance: "write only property"), so this test reads
    // it from a moto of its own when it can start one.
    let own = OwnMoto::start();
    let ep = own.as_ref().map(|m| m.endpoint.clone()).unwrap_or(shared);
    moto_setup(&ep).await;
    let session = unique("plinth-session");
    let role = format!("arn:aws:iam::123456789012:role/{}", unique("state"));
    let mut config = s3_config(&ep, &format!("{}/terraform.tfstate", unique("assume")), true, true);
    config.insert("endpoints".into(), json!({"s3": ep, "dynamodb": ep, "sts": ep}));
    config.insert(
        "assume_role".into(),
        json!({"role_arn": role, "session_name": session, "external_id": "plinth-ext-42", "duration": "20m", "tags": {"team": "state"}}),
    );
    let dir = tempfile::tempdir().unwrap();
    let b = plinth_backends::backend_from_config("s3", &config, dir.path()).unwrap_or_else(|d| panic!("{d:?}"));
    assert!(assumed_roles(&ep, &session).await.is_empty(), "no STS call before the backend is used");

    // Every kind of call: lock (lock file + DynamoDB), write (S3 + digest item), read, unlock.
    let info = LockInfo::new("OperationTypeApply");
    b.lock("default", &info).await.unwrap();
    let st = sample_state(2);
    b.write("default", &st).await.unwrap();
    assert_eq!(b.read("default").await.unwrap().unwrap().to_json(), st.to_json());
    assert_eq!(b.lock_info("default").await.unwrap().unwrap().id, info.id);
    b.unlock("default", &info.id).await.unwrap();
    b.create_workspace("dev").await.unwrap();
    assert_eq!(b.workspaces().await.unwrap(), ["default", "dev"]);

    let calls = assumed_roles(&ep, &session).await;
    assert!(!calls.is_empty(), "the backend assumed the role through moto's STS");
    // The session credentials are cached: one AssumeRole serves S3 and DynamoDB.
    assert_eq!(calls.len(), 1, "{calls:?}");
    let c = &calls[0];
    assert_eq!(c["role_arn"], role.as_str());
    assert_eq!(c["external_id"], "plinth-ext-42");
    assert!(c["access_key_id"].as_str().unwrap().starts_with("ASIA"), "temporary credentials: {c}");
    assert_eq!(c["arn"], format!("arn:aws:sts::123456789012:assumed-role/{}/{session}", role.rsplit('/').next().unwrap()).as_str());
}

#[tokio::test]
async fn without_sts_the_backend_says_the_role_could_not_be_assumed() {
    let Some(ep) = env("PLINTH_TEST_MOTO_ENDPOINT") else {
        eprintln!("skipping without_sts_the_backend_says_the_role_could_not_be_assumed: PLINTH_TEST_MOTO_ENDPOINT is not set");
        return;
    };
    moto_setup(&ep).await;
    // The static credentials alone would be accepted by moto's S3; with assume_role the
    // backend needs STS, and an unreachable STS endpoint fails every call.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        format!("http://127.0.0.1:{port}")
    };
    let mut config = s3_config(&ep, &format!("{}/terraform.tfstate", unique("nosts")), true, false);
    config.insert("endpoints".into(), json!({"s3": ep, "sts": closed}));
    config.insert("max_retries".into(), json!(1));
    config.insert("assume_role".into(), json!({"role_arn": "arn:aws:iam::123456789012:role/x"}));
    let dir = tempfile::tempdir().unwrap();
    let b = plinth_backends::backend_from_config("s3", &config, dir.path()).unwrap();
    let e = b.read("default").await.expect_err("no STS, no credentials").to_string();
    assert!(e.contains("credentials") && e.contains("assuming the role arn:aws:iam::123456789012:role/x through STS at http://127.0.0.1:"), "{e}");
    eprintln!("no STS: {e}");
    // The same configuration without assume_role reads fine.
    config.remove("assume_role");
    let b = plinth_backends::backend_from_config("s3", &config, dir.path()).unwrap();
    assert!(b.read("default").await.unwrap().is_none());
}
