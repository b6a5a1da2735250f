//! Acceptance for every remote backend through the `plinth` binary, each against its real
//! server (`scripts/services.sh start moto postgres gcs azurite`): `init` → `apply` → a
//! second `plan` says "No changes" → the same in a second workspace, whose state sits where
//! Terraform puts it (s3 `env:/dev/KEY`, gcs `PREFIX/dev.tfstate`, azurerm `KEYenv:dev`, pg
//! the row `dev`) → a held lock is reported with its holder's details → `force-unlock` →
//! `destroy` in both workspaces → `workspace delete`.
//! A backend whose server is absent is skipped, printing why (PLINTH_TEST_* variables, also
//! read from `.tools/services.env`).

mod cli_common;
use cli_common::*;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const RES: &str = r#"
resource "terraform_data" "a" {
  input = terraform.workspace
}

resource "terraform_data" "b" {
  count = 2
  input = "${terraform_data.a.output}-${count.index}"
}

output "ws" {
  value = terraform_data.a.output
}
"#;

fn service(var: &str) -> Option<String> {
    if let Ok(v) = std::env::var(var) {
        return Some(v).filter(|v| !v.is_empty());
    }
    let env = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/services.env");
    let text = std::fs::read_to_string(env).ok()?;
    text.lines()
        .filter_map(|l| l.trim_start_matches("export ").split_once('='))
        .find(|(k, _)| *k == var)
        .map(|(_, v)| v.trim_matches('"').to_string())
}

fn unique(d: &Path) -> String {
    format!(
        "{}-{}",
        std::process::id(),
        d.file_name()
            .unwrap()
            .to_string_lossy()
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "")
    )
}

fn ok(o: &std::process::Output, what: &str) -> String {
    assert_eq!(
        code(o),
        0,
        "{what}\nstdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// The lock ID in a "Lock Info:" block printed on stderr.
fn lock_id(err: &str) -> String {
    err.lines()
        .find_map(|l| {
            l.trim_start_matches(['│', ' '])
                .strip_prefix("ID:")
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no lock ID in: {err}"))
}

/// Starts `plinth destroy` and waits at its prompt: it then holds the workspace's lock.
fn holder_at_prompt(d: &Path) -> (std::process::Child, Arc<Mutex<String>>) {
    let mut child = spawn(d, &["destroy"]);
    let out = Arc::new(Mutex::new(String::new()));
    let mut stdout = child.stdout.take().expect("stdout");
    let sink = out.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let start = Instant::now();
    while !out.lock().unwrap().contains("Enter a value:") {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let mut e = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut e);
            panic!("destroy never prompted: {}\n{e}", out.lock().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, out)
}

/// How a backend's lock behaves when its holder is SIGKILLed.
#[derive(PartialEq)]
enum Kill {
    /// The lock stays (s3, gcs, azurerm within the lease): reported, then `force-unlock`.
    LockStays,
    /// The lock dies with the holder's session (pg): the next run proceeds.
    LockDies,
}

struct Timings(Vec<(&'static str, Duration)>);

impl Timings {
    fn time<T>(&mut self, what: &'static str, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let r = f();
        self.0.push((what, t.elapsed()));
        r
    }
}

/// The whole acceptance run in `d` with `backend` (a `terraform { backend … }` block);
/// `layout(ws, present)` checks, with the server's own API, that workspace `ws`'s state
/// object exists (or not) where Terraform keeps it.
fn lifecycle(label: &str, d: &Path, backend: &str, kill: Kill, layout: &dyn Fn(&str, bool)) {
    let mut t = Timings(Vec::new());
    std::fs::write(d.join("main.tf"), format!("{backend}{RES}")).unwrap();
    ok(&t.time("init", || run(d, &["init"])), "init");

    // default: apply, then nothing left to do.
    let out = ok(
        &t.time("apply", || run(d, &["apply", "-auto-approve"])),
        "apply",
    );
    assert!(
        out.contains("Apply complete! Resources: 3 added, 0 changed, 0 destroyed."),
        "{out}"
    );
    let plan = t.time("plan (no changes)", || {
        run(d, &["plan", "-detailed-exitcode"])
    });
    assert_eq!(
        code(&plan),
        0,
        "{label}: a second plan must find nothing to do:\n{}{}",
        stdout(&plan),
        stderr(&plan)
    );
    assert!(stdout(&plan).contains("No changes."), "{}", stdout(&plan));
    layout("default", true);
    layout("dev", false);

    // dev: its own state, where Terraform puts it.
    let out = ok(&run(d, &["workspace", "new", "dev"]), "workspace new dev");
    assert!(
        out.contains("Created and switched to workspace \"dev\""),
        "{out}"
    );
    let plan = run(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(
        code(&plan),
        2,
        "a new workspace starts empty:\n{}{}",
        stdout(&plan),
        stderr(&plan)
    );
    ok(&run(d, &["apply", "-auto-approve"]), "apply in dev");
    let plan = run(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(
        code(&plan),
        0,
        "{label} dev: {}{}",
        stdout(&plan),
        stderr(&plan)
    );
    assert_eq!(
        ok(&run(d, &["output", "-raw", "ws"]), "output").trim(),
        "dev"
    );
    layout("dev", true);
    let list = ok(&run(d, &["workspace", "list"]), "workspace list");
    assert_eq!(
        list.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>(),
        ["default", "* dev"],
        "{list}"
    );
    ok(
        &run(d, &["workspace", "select", "default"]),
        "select default",
    );
    assert_eq!(
        ok(&run(d, &["output", "-raw", "ws"]), "output").trim(),
        "default"
    );

    // A held lock names its holder.
    let (mut child, _out) = holder_at_prompt(d);
    let held = t.time("plan (locked)", || run(d, &["plan"]));
    assert_eq!(
        code(&held),
        1,
        "{label}: plan must fail while the lock is held: {}",
        stdout(&held)
    );
    let err = stderr(&held);
    assert!(
        err.contains("Error acquiring the state lock"),
        "{label}: {err}"
    );
    for field in [
        "ID:",
        "Path:",
        "Operation: OperationTypeApply",
        "Who:",
        "Created:",
    ] {
        assert!(
            err.contains(field),
            "{label}: lock info lacks {field:?}: {err}"
        );
    }
    assert!(
        err.contains("force-unlock"),
        "{label}: the way out is named: {err}"
    );
    let who = err
        .lines()
        .find_map(|l| l.trim_start_matches(['│', ' ']).strip_prefix("Who:"))
        .unwrap()
        .trim()
        .to_string();
    assert!(
        who.contains('@') && who.len() > 2,
        "{label}: Who names user@host: {who:?}"
    );
    let id = lock_id(&err);
    // The other workspace is not locked.
    let other = run_env(
        d,
        &["plan", "-detailed-exitcode"],
        &[("TF_WORKSPACE", "dev")],
    );
    assert_eq!(
        code(&other),
        0,
        "{label}: dev is not locked: {}",
        stderr(&other)
    );

    match kill {
        Kill::LockStays => {
            // The holder dies without releasing: the lock stays and is reported again.
            child.kill().unwrap();
            child.wait().unwrap();
            let again = run(d, &["plan"]);
            assert_eq!(
                code(&again),
                1,
                "{label}: the killed holder's lock stays: {}",
                stdout(&again)
            );
            assert_eq!(lock_id(&stderr(&again)), id, "{label}: same lock");
        }
        Kill::LockDies => {
            // force-unlock of a live holder ends its session.
            let fu = t.time("force-unlock", || run(d, &["force-unlock", "-force", &id]));
            assert!(
                stdout(&fu).contains("successfully unlocked"),
                "{label}: {}{}",
                stdout(&fu),
                stderr(&fu)
            );
            ok(
                &run(d, &["plan"]),
                "plan after force-unlock of a live session",
            );
            child.kill().unwrap();
            child.wait().unwrap();
            // A SIGKILLed holder's lock dies with its session.
            let (mut child, _out) = holder_at_prompt(d);
            assert_eq!(code(&run(d, &["plan"])), 1, "{label}: locked again");
            child.kill().unwrap();
            child.wait().unwrap();
            let start = Instant::now();
            loop {
                let p = run(d, &["plan"]);
                if code(&p) == 0 {
                    break;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "{label}: the killed holder's session lock must go: {}",
                    stderr(&p)
                );
                std::thread::sleep(Duration::from_millis(200));
            }
            // Nothing to force-unlock now.
            let none = run(d, &["force-unlock", "-force", &id]);
            assert_eq!(code(&none), 1, "{label}: {}", stdout(&none));
        }
    }
    if kill == Kill::LockStays {
        let wrong = run(d, &["force-unlock", "-force", "not-the-id"]);
        assert_eq!(
            code(&wrong),
            1,
            "{label}: a wrong ID is refused: {}",
            stdout(&wrong)
        );
        let fu = t.time("force-unlock", || run(d, &["force-unlock", "-force", &id]));
        assert_eq!(code(&fu), 0, "{label}: {}", stderr(&fu));
        assert!(
            stdout(&fu).contains("Plinth state has been successfully unlocked!"),
            "{}",
            stdout(&fu)
        );
    }
    let plan = run(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(
        code(&plan),
        0,
        "{label}: unlocked and unchanged: {}{}",
        stdout(&plan),
        stderr(&plan)
    );

    // destroy both workspaces, then delete dev.
    for ws in ["dev", "default"] {
        ok(&run(d, &["workspace", "select", ws]), "select");
        let out = ok(
            &t.time("destroy", || run(d, &["destroy", "-auto-approve"])),
            "destroy",
        );
        assert!(
            out.contains("Destroy complete! Resources: 3 destroyed."),
            "{label} {ws}: {out}"
        );
        assert_eq!(
            ok(&run(d, &["state", "list"]), "state list"),
            "",
            "{label} {ws}: nothing left"
        );
        let plan = run(d, &["plan", "-detailed-exitcode"]);
        assert_eq!(
            code(&plan),
            2,
            "{label} {ws}: after destroy everything is to create again"
        );
    }
    ok(
        &run(d, &["workspace", "delete", "dev"]),
        "workspace delete dev",
    );
    layout("dev", false);
    layout("default", true);
    let list = ok(&run(d, &["workspace", "list"]), "workspace list");
    assert_eq!(
        list.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>(),
        ["* default"],
        "{list}"
    );
    let times: Vec<String> =
        t.0.iter()
            .map(|(w, d)| format!("{w} {} ms", d.as_millis()))
            .collect();
    println!("{label}: {}", times.join(", "));
}

fn curl(args: &[&str]) -> String {
    let o = std::process::Command::new("curl")
        .args(args)
        .output()
        .expect("curl is needed to look at the emulators");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn s3_apply_plan_lock_destroy_on_moto() {
    let Some(ep) = service("PLINTH_TEST_MOTO_ENDPOINT") else {
        eprintln!("skipping s3_apply_plan_lock_destroy_on_moto: PLINTH_TEST_MOTO_ENDPOINT is not set (bash scripts/services.sh start moto)");
        return;
    };
    let bucket = "plinth-lifecycle";
    curl(&["-s", "-X", "PUT", &format!("{ep}/{bucket}")]);
    let dir = dir_with(&[]);
    let d = dir.path();
    let key = format!("lifecycle-{}/terraform.tfstate", unique(d));
    let backend = format!(
        "terraform {{\n  backend \"s3\" {{\n    bucket = \"{bucket}\"\n    key = \"{key}\"\n    region = \"us-east-1\"\n    access_key = \"test\"\n    secret_key = \"test\"\n    endpoints = {{ s3 = \"{ep}\" }}\n    use_path_style = true\n    skip_credentials_validation = true\n    skip_requesting_account_id = true\n    skip_s3_checksum = true\n    use_lockfile = true\n  }}\n}}\n"
    );
    let layout = |ws: &str, present: bool| {
        let k = if ws == "default" {
            key.clone()
        } else {
            format!("env:/{ws}/{key}")
        };
        let status = curl(&[
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--aws-sigv4",
            "aws:amz:us-east-1:s3",
            "--user",
            "test:test",
            &format!("{ep}/{bucket}/{k}"),
        ]);
        assert_eq!(status, if present { "200" } else { "404" }, "s3 object {k}");
    };
    lifecycle("s3", d, &backend, Kill::LockStays, &layout);
}

#[test]
fn gcs_apply_plan_lock_destroy_on_fake_gcs_server() {
    let Some(ep) = service("PLINTH_TEST_GCS_ENDPOINT") else {
        eprintln!("skipping gcs_apply_plan_lock_destroy_on_fake_gcs_server: PLINTH_TEST_GCS_ENDPOINT is not set (bash scripts/services.sh start gcs)");
        return;
    };
    let bucket = "plinth-lifecycle";
    curl(&[
        "-s",
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "-d",
        &format!("{{\"name\":\"{bucket}\"}}"),
        &format!("{ep}/storage/v1/b?project=test"),
    ]);
    let dir = dir_with(&[]);
    let d = dir.path();
    let prefix = format!("lifecycle/{}", unique(d));
    let backend = format!(
        "terraform {{\n  backend \"gcs\" {{\n    bucket = \"{bucket}\"\n    prefix = \"{prefix}\"\n    storage_custom_endpoint = \"{ep}/storage/v1/\"\n    access_token = \"fake\"\n  }}\n}}\n"
    );
    let layout = |ws: &str, present: bool| {
        // Terraform's layout: PREFIX/NAME.tfstate, the default workspace included.
        let object = format!("{prefix}/{ws}.tfstate").replace('/', "%2F");
        let status = curl(&[
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &format!("{ep}/storage/v1/b/{bucket}/o/{object}"),
        ]);
        assert_eq!(
            status,
            if present { "200" } else { "404" },
            "gcs object {prefix}/{ws}.tfstate"
        );
    };
    lifecycle("gcs", d, &backend, Kill::LockStays, &layout);
}

#[test]
fn azurerm_apply_plan_lock_destroy_on_azurite() {
    let Some(ep) = service("PLINTH_TEST_AZURITE_ENDPOINT") else {
        eprintln!("skipping azurerm_apply_plan_lock_destroy_on_azurite: PLINTH_TEST_AZURITE_ENDPOINT is not set (bash scripts/services.sh start azurite)");
        return;
    };
    let dir = dir_with(&[]);
    let d = dir.path();
    let key = format!("lifecycle-{}.tfstate", unique(d));
    let container = "lifecycle";
    let blob_backend = |k: &str| {
        let cfg: std::collections::BTreeMap<String, serde_json::Value> = [
            (
                "storage_account_name".to_string(),
                serde_json::json!("devstoreaccount1"),
            ),
            ("container_name".to_string(), serde_json::json!(container)),
            ("key".to_string(), serde_json::json!(k)),
            ("endpoint".to_string(), serde_json::json!(ep)),
        ]
        .into();
        plinth_backends::azurerm::AzureBackend::from_config(&cfg, d).expect("azurerm config")
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(blob_backend("x").create_container())
        .expect("create the Azurite container");
    let backend = format!(
        "terraform {{\n  backend \"azurerm\" {{\n    storage_account_name = \"devstoreaccount1\"\n    container_name = \"{container}\"\n    key = \"{key}\"\n    endpoint = \"{ep}\"\n  }}\n}}\n"
    );
    let layout = |ws: &str, present: bool| {
        // Terraform's layout: KEY for default, KEYenv:NAME for the others. Read the blob by
        // that exact name, as the default workspace of a backend whose key is that name.
        let name = if ws == "default" {
            key.clone()
        } else {
            format!("{key}env:{ws}")
        };
        use plinth_state::StateBackend;
        let st = rt
            .block_on(blob_backend(&name).read("default"))
            .expect("read blob");
        assert_eq!(st.is_some(), present, "azurerm blob {name}");
    };
    lifecycle("azurerm", d, &backend, Kill::LockStays, &layout);
}

#[test]
fn pg_apply_plan_lock_destroy_on_postgres() {
    let Some(conn) = service("PLINTH_TEST_PG_CONN") else {
        eprintln!("skipping pg_apply_plan_lock_destroy_on_postgres: PLINTH_TEST_PG_CONN is not set (bash scripts/services.sh start postgres)");
        return;
    };
    let dir = dir_with(&[]);
    let d = dir.path();
    let schema = format!("lifecycle_{}", unique(d));
    let backend = format!("terraform {{\n  backend \"pg\" {{\n    conn_str = \"{conn}\"\n    schema_name = \"{schema}\"\n  }}\n}}\n");
    let psql = service("PLINTH_SERVICE_PGBIN")
        .map(|b| format!("{b}/psql"))
        .filter(|p| Path::new(p).exists());
    let layout = |ws: &str, present: bool| {
        let Some(psql) = &psql else { return };
        // Terraform's layout: one row per workspace in SCHEMA.states.
        let o = std::process::Command::new(psql)
            .args([conn.as_str(), "-tAc", &format!("select count(*) from \"{schema}\".states where name = '{ws}' and data like '%\"lineage\"%'")])
            .output()
            .expect("psql");
        assert_eq!(
            String::from_utf8_lossy(&o.stdout).trim(),
            if present { "1" } else { "0" },
            "pg row {ws}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    if psql.is_none() {
        eprintln!("pg_apply_plan_lock_destroy_on_postgres: no psql (PLINTH_SERVICE_PGBIN); the row layout is not checked");
    }
    lifecycle("pg", d, &backend, Kill::LockDies, &layout);
}

#[test]
fn s3_with_assume_role_on_moto() {
    let Some(ep) = service("PLINTH_TEST_MOTO_ENDPOINT") else {
        eprintln!("skipping s3_with_assume_role_on_moto: PLINTH_TEST_MOTO_ENDPOINT is not set (bash scripts/services.sh start moto)");
        return;
    };
    let bucket = "plinth-lifecycle";
    curl(&["-s", "-X", "PUT", &format!("{ep}/{bucket}")]);
    let dir = dir_with(&[]);
    let d = dir.path();
    let key = format!("assume-{}/terraform.tfstate", unique(d));
    let session = format!("plinth-{}", unique(d));
    // Terraform 1.6+ syntax: assume_role is an object argument; STS is moto's.
    let backend = format!(
        "terraform {{\n  backend \"s3\" {{\n    bucket = \"{bucket}\"\n    key = \"{key}\"\n    region = \"us-east-1\"\n    access_key = \"test\"\n    secret_key = \"test\"\n    endpoints = {{\n      s3  = \"{ep}\"\n      sts = \"{ep}\"\n    }}\n    assume_role = {{\n      role_arn     = \"arn:aws:iam::123456789012:role/plinth-state\"\n      session_name = \"{session}\"\n      external_id  = \"plinth-ext\"\n      duration     = \"1h\"\n    }}\n    use_path_style = true\n    skip_credentials_validation = true\n    skip_requesting_account_id = true\n    skip_s3_checksum = true\n    use_lockfile = true\n  }}\n}}\n"
    );
    let layout = |ws: &str, present: bool| {
        let k = if ws == "default" { key.clone() } else { format!("env:/{ws}/{key}") };
        let status = curl(&["-s", "-o", "/dev/null", "-w", "%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", "test:test", &format!("{ep}/{bucket}/{k}")]);
        assert_eq!(status, if present { "200" } else { "404" }, "s3 object {k}");
    };
    lifecycle("s3+assume_role", d, &backend, Kill::LockStays, &layout);
    // Every run assumed the role through moto's STS with the configured session.
    let data: serde_json::Value = serde_json::from_str(&curl(&["-s", &format!("{ep}/moto-api/data.json")])).expect("moto state");
    let calls: Vec<&serde_json::Value> = data["sts"]["AssumedRole"].as_array().expect("AssumedRole").iter().filter(|r| r["session_name"] == session.as_str()).collect();
    assert!(calls.len() >= 10, "one AssumeRole per plinth run that touched the state, got {}", calls.len());
    for c in calls {
        assert_eq!(c["role_arn"], "arn:aws:iam::123456789012:role/plinth-state");
        assert_eq!(c["external_id"], "plinth-ext");
    }
    // A bad duration is Terraform's diagnostic, at init.
    std::fs::write(d.join("main.tf"), format!("{}{RES}", backend.replace("\"1h\"", "\"10m\""))).unwrap();
    let o = run(d, &["init", "-reconfigure"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Duration must be between 15m0s and 12h0m0s, had 10m0s"), "{}", stderr(&o));
}

#[test]
fn pg_over_tls_with_verify_full() {
    let (Some(conn), Some(ca)) = (service("PLINTH_TEST_PG_CONN"), service("PLINTH_TEST_PG_TLS_CA")) else {
        eprintln!("skipping pg_over_tls_with_verify_full: PLINTH_TEST_PG_CONN or PLINTH_TEST_PG_TLS_CA is not set (bash scripts/services.sh start postgres)");
        return;
    };
    let dir = dir_with(&[]);
    let d = dir.path();
    let schema = format!("lifecycle_tls_{}", unique(d));
    let base = conn.split('?').next().unwrap();
    let tls = format!("{base}?sslmode=verify-full&sslrootcert={ca}");
    let backend = format!("terraform {{\n  backend \"pg\" {{\n    conn_str = \"{tls}\"\n    schema_name = \"{schema}\"\n  }}\n}}\n");
    let psql = service("PLINTH_SERVICE_PGBIN").map(|b| format!("{b}/psql")).filter(|p| Path::new(p).exists());
    let layout = |ws: &str, present: bool| {
        let Some(psql) = &psql else { return };
        let o = std::process::Command::new(psql)
            .args([conn.as_str(), "-tAc", &format!("select count(*) from \"{schema}\".states where name = '{ws}' and data like '%\"lineage\"%'")])
            .output()
            .expect("psql");
        assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), if present { "1" } else { "0" }, "pg row {ws}: {}", String::from_utf8_lossy(&o.stderr));
    };
    lifecycle("pg+tls", d, &backend, Kill::LockDies, &layout);
    // A CA that did not sign the server's certificate is refused, saying why.
    let wrong = backend.replace(&ca, "/etc/ssl/certs/ca-certificates.crt");
    std::fs::write(d.join("main.tf"), format!("{wrong}{RES}")).unwrap();
    let _ = run(d, &["init", "-reconfigure"]);
    let o = run(d, &["plan"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stderr(&o).contains("invalid peer certificate"), "{}", stderr(&o));
}
