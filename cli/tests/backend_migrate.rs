//! `init` with a changed backend: refuses without `-migrate-state`/`-reconfigure`, and
//! `-migrate-state -force-copy` copies every workspace (local → local, local → s3 on moto,
//! pg → local). Remote cases skip, printing why, without PLINTH_TEST_MOTO_ENDPOINT /
//! PLINTH_TEST_PG_CONN (also read from `.tools/services.env`).

mod cli_common;
use cli_common::*;
use std::path::Path;

const RES: &str = "resource \"terraform_data\" \"a\" {\n  input = terraform.workspace\n}\n";

fn service(var: &str) -> Option<String> {
    if let Ok(v) = std::env::var(var) {
        return Some(v);
    }
    let env = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/services.env");
    let text = std::fs::read_to_string(env).ok()?;
    text.lines()
        .filter_map(|l| l.trim_start_matches("export ").split_once('='))
        .find(|(k, _)| *k == var)
        .map(|(_, v)| v.trim_matches('"').to_string())
}

fn ok(o: &std::process::Output) -> String {
    assert_eq!(code(o), 0, "stdout:\n{}\nstderr:\n{}", stdout(o), stderr(o));
    stdout(o)
}

/// Applies in `default` and `dev` with the current configuration.
fn apply_two_workspaces(d: &Path) {
    ok(&run(d, &["init"]));
    ok(&run(d, &["apply", "-auto-approve"]));
    ok(&run(d, &["workspace", "new", "dev"]));
    ok(&run(d, &["apply", "-auto-approve"]));
    ok(&run(d, &["workspace", "select", "default"]));
}

/// Switches to `backend` and checks the refusal, the migration and both workspaces.
fn migrate_and_check(d: &Path, backend: &str) {
    std::fs::write(d.join("main.tf"), format!("{backend}{RES}")).unwrap();
    let refused = run(d, &["init"]);
    assert_eq!(code(&refused), 1, "{}", stdout(&refused));
    let err = stderr(&refused);
    assert!(err.contains("Backend configuration changed"), "{err}");
    assert!(err.contains("-migrate-state") && err.contains("-reconfigure"), "{err}");
    let no_input = run(d, &["init", "-migrate-state", "-input=false"]);
    assert_eq!(code(&no_input), 1);
    assert!(stderr(&no_input).contains("-force-copy"), "{}", stderr(&no_input));

    let out = ok(&run(d, &["init", "-migrate-state", "-force-copy"]));
    assert!(out.contains("Copied 2 workspace(s)"), "{out}");
    let rec = std::fs::read_to_string(d.join(".terraform/terraform.tfstate"));
    if backend.is_empty() {
        assert!(rec.is_err(), "the implicit local backend is not recorded");
    } else {
        let rec: serde_json::Value = serde_json::from_str(&rec.unwrap()).unwrap();
        assert!(rec["backend"]["hash"].is_u64(), "{rec}");
    }
    // Same configuration again: nothing to do.
    ok(&run(d, &["init"]));
    let plan = run(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(code(&plan), 0, "{}{}", stdout(&plan), stderr(&plan));
    assert_eq!(ok(&run(d, &["state", "list"])).trim(), "terraform_data.a");
    let ws = ok(&run(d, &["workspace", "list"]));
    assert!(ws.contains("dev"), "{ws}");
    ok(&run(d, &["workspace", "select", "dev"]));
    let plan = run(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(code(&plan), 0, "dev: {}{}", stdout(&plan), stderr(&plan));
    ok(&run(d, &["workspace", "select", "default"]));
}

#[test]
fn local_to_local_path_migrates_all_workspaces() {
    let dir = dir_with(&[("main.tf", RES)]);
    let d = dir.path();
    apply_two_workspaces(d);
    migrate_and_check(d, "terraform {\n  backend \"local\" {\n    path          = \"moved/x.tfstate\"\n    workspace_dir = \"moved/ws\"\n  }\n}\n");
    assert!(d.join("moved/x.tfstate").exists());
    assert!(d.join("moved/ws/dev/terraform.tfstate").exists());

    // -reconfigure starts fresh with another backend, copying nothing.
    std::fs::write(d.join("main.tf"), format!("terraform {{\n  backend \"local\" {{\n    path = \"fresh.tfstate\"\n  }}\n}}\n{RES}")).unwrap();
    ok(&run(d, &["init", "-reconfigure"]));
    let plan = run(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(code(&plan), 2, "a fresh backend has nothing: {}", stdout(&plan));
}

#[test]
fn local_to_s3_on_moto() {
    let Some(ep) = service("PLINTH_TEST_MOTO_ENDPOINT") else {
        eprintln!("skipping local_to_s3_on_moto: PLINTH_TEST_MOTO_ENDPOINT is not set (bash scripts/services.sh start moto)");
        return;
    };
    let bucket = "plinth-migrate";
    let st = std::process::Command::new("curl").args(["-s", "-X", "PUT", &format!("{ep}/{bucket}")]).output();
    assert!(st.is_ok(), "curl is needed to create the moto bucket");
    let dir = dir_with(&[("main.tf", RES)]);
    let d = dir.path();
    apply_two_workspaces(d);
    let key = format!("migrate-{}-{}/terraform.tfstate", std::process::id(), d.file_name().unwrap().to_string_lossy());
    let backend = format!(
        "terraform {{\n  backend \"s3\" {{\n    bucket = \"{bucket}\"\n    key = \"{key}\"\n    region = \"us-east-1\"\n    access_key = \"test\"\n    secret_key = \"test\"\n    endpoints = {{ s3 = \"{ep}\" }}\n    use_path_style = true\n    skip_credentials_validation = true\n    skip_requesting_account_id = true\n    skip_s3_checksum = true\n    use_lockfile = true\n  }}\n}}\n"
    );
    migrate_and_check(d, &backend);
    // The objects sit where Terraform puts them.
    let get = |k: &str| {
        let o = std::process::Command::new("curl").args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", "test:test", &format!("{ep}/{bucket}/{k}")]).output().unwrap();
        String::from_utf8_lossy(&o.stdout).to_string()
    };
    assert_eq!(get(&key), "200");
    assert_eq!(get(&format!("env:/dev/{key}")), "200");
}

#[test]
fn pg_to_local() {
    let Some(conn) = service("PLINTH_TEST_PG_CONN") else {
        eprintln!("skipping pg_to_local: PLINTH_TEST_PG_CONN is not set (bash scripts/services.sh start postgres)");
        return;
    };
    let dir = dir_with(&[]);
    let d = dir.path();
    let schema = format!("plinth_migrate_{}_{}", std::process::id(), d.file_name().unwrap().to_string_lossy().to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
    let pg = format!("terraform {{\n  backend \"pg\" {{\n    conn_str = \"{conn}\"\n    schema_name = \"{schema}\"\n  }}\n}}\n");
    std::fs::write(d.join("main.tf"), format!("{pg}{RES}")).unwrap();
    apply_two_workspaces(d);
    assert!(!d.join("terraform.tfstate").exists(), "state went to pg");
    migrate_and_check(d, "");
    assert!(d.join("terraform.tfstate").exists());
    assert!(d.join("terraform.tfstate.d/dev/terraform.tfstate").exists());
}
