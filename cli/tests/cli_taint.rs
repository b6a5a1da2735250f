//! `plinth taint`, `untaint` and `refresh`: Terraform's messages and exit codes, the state
//! they leave, and the plan that follows (a tainted instance plans as a replacement).

mod cli_common;
use cli_common::*;

const LINEAGE: &str = "4f4b2a1e-0000-4000-8000-00000000000b";

fn fixture() -> tempfile::TempDir {
    let resources = format!("[{}]", data_resource("a", "id-a", "alpha"));
    dir_with(&[
        ("main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"alpha\"\n}\n"),
        ("terraform.tfstate", &state_json(LINEAGE, 5, &resources, "{}")),
    ])
}

fn state(p: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p.join("terraform.tfstate")).unwrap()).unwrap()
}

fn status(p: &std::path::Path) -> Option<String> {
    state(p)["resources"][0]["instances"][0]["status"].as_str().map(str::to_string)
}

#[test]
fn taint_marks_the_instance_and_the_next_plan_replaces_it() {
    let d = fixture();
    let o = run(d.path(), &["taint", "terraform_data.a"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "Resource instance terraform_data.a has been marked as tainted.\n");
    assert_eq!(status(d.path()).as_deref(), Some("tainted"));
    assert!(state(d.path())["serial"].as_u64().unwrap() > 5, "the serial goes up");

    let o = run(d.path(), &["plan", "-no-color", "-refresh=false"]);
    let out = stdout(&o);
    assert!(out.contains("# terraform_data.a is tainted, so must be replaced"), "{out}");
    assert!(out.contains("Plan: 1 to add, 0 to change, 1 to destroy."), "{out}");

    let o = run(d.path(), &["untaint", "terraform_data.a"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout(&o), "Resource instance terraform_data.a has been successfully untainted.\n");
    assert_eq!(status(d.path()), None);
    let o = run(d.path(), &["plan", "-no-color", "-refresh=false", "-detailed-exitcode"]);
    assert_eq!(code(&o), 0, "no changes after untaint: {}", stdout(&o));
}

#[test]
fn errors_and_allow_missing() {
    let d = fixture();
    let o = run(d.path(), &["untaint", "-no-color", "terraform_data.a"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Error: Resource instance is not tainted"), "{}", stderr(&o));

    let o = run(d.path(), &["taint", "-no-color", "terraform_data.nope"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Error: No such resource instance"), "{}", stderr(&o));

    let o = run(d.path(), &["taint", "-no-color", "-allow-missing", "terraform_data.nope"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("Warning: No such resource instance"), "{}", stderr(&o));

    let o = run(d.path(), &["taint", "-no-color", "data.terraform_remote_state.x"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("cannot be tainted"), "{}", stderr(&o));

    let o = run(d.path(), &["taint", "-no-color", "not valid!"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("Invalid address"), "{}", stderr(&o));
    assert_eq!(status(d.path()), None, "failed commands leave the state alone");
}

#[test]
fn a_held_lock_stops_taint() {
    let d = fixture();
    // A lock file with Terraform's holder info, flocked by a live process (util-linux flock).
    let info = r#"{"ID":"11111111-2222-3333-4444-555555555555","Operation":"OperationTypeApply","Info":"","Who":"someone@elsewhere","Version":"1.11.4","Created":"2026-11-27T10:00:00Z","Path":"terraform.tfstate"}"#;
    let lock_path = d.path().join(".terraform.tfstate.lock.info");
    std::fs::write(&lock_path, info).unwrap();
    let Ok(mut holder) = std::process::Command::new("flock").arg("-n").arg(&lock_path).args(["sleep", "30"]).spawn() else {
        eprintln!("skipping: the util-linux `flock` command is not installed");
        return;
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let o = run(d.path(), &["taint", "-no-color", "terraform_data.a"]);
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(stderr(&o).contains("someone@elsewhere"), "{}", stderr(&o));
    assert_eq!(status(d.path()), None);
}

#[test]
fn refresh_is_apply_refresh_only_auto_approve() {
    let d = fixture();
    let o = run(d.path(), &["refresh", "-no-color"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("terraform_data.a: Refreshing state... [id=id-a]"), "{}", stdout(&o));
    let o = run(d.path(), &["refresh", "-no-color", "-destroy"]);
    assert_eq!(code(&o), 1, "refresh-only and destroy conflict: {}", stdout(&o));
}
