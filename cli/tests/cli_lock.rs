//! State locking from the command line: a held lock names its holder, `-lock=false` and
//! `-lock-timeout` behave like Terraform's, the lock is released when a run ends (also on a
//! declined prompt), and `force-unlock` clears a lock left by a killed process.

mod cli_common;
use cli_common::*;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CONFIG: &str = "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\n";

/// Starts `plinth apply` and waits until it asks for approval (it then holds the lock).
fn apply_waiting_at_prompt(dir: &std::path::Path) -> (std::process::Child, Arc<Mutex<String>>) {
    let mut child = spawn(dir, &["apply"]);
    let out = Arc::new(Mutex::new(String::new()));
    let mut stdout = child.stdout.take().expect("stdout");
    let sink = out.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let start = Instant::now();
    while !out.lock().unwrap().contains("Enter a value:") {
        assert!(start.elapsed() < Duration::from_secs(30), "apply never prompted: {}", out.lock().unwrap());
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, out)
}

#[test]
fn held_lock_names_its_holder_and_is_released_after_a_declined_prompt() {
    let d = dir_with(&[("main.tf", CONFIG)]);
    let (mut child, out) = apply_waiting_at_prompt(d.path());
    assert!(out.lock().unwrap().contains("Do you want to perform these actions?"));

    let o = run(d.path(), &["plan"]);
    assert_eq!(code(&o), 1);
    let e = stderr(&o);
    assert!(e.contains("Error acquiring the state lock"), "{e}");
    assert!(e.contains("Operation: OperationTypeApply"), "{e}");
    assert!(e.contains("Who:"), "{e}");
    assert!(e.contains("ID:"), "{e}");

    // -lock=false does not wait for the lock.
    let o = run(d.path(), &["plan", "-lock=false"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // -lock-timeout retries for that long, then fails.
    let start = Instant::now();
    let o = run(d.path(), &["plan", "-lock-timeout=1s"]);
    assert_eq!(code(&o), 1);
    assert!(start.elapsed() >= Duration::from_millis(900), "{:?}", start.elapsed());

    // Declining releases the lock.
    child.stdin.take().unwrap().write_all(b"no\n").unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(out.lock().unwrap().contains("Apply cancelled."), "{}", out.lock().unwrap());
    let o = run(d.path(), &["plan"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// The lock ID a killed `apply` left in `.terraform.tfstate.lock.info`.
fn left_lock_id(dir: &std::path::Path) -> String {
    let text = std::fs::read_to_string(dir.join(".terraform.tfstate.lock.info")).expect("a killed holder leaves its lock file");
    let v: serde_json::Value = serde_json::from_str(&text).expect("lock info is JSON");
    v["ID"].as_str().expect("lock info has an ID").to_string()
}

#[test]
fn the_next_run_takes_over_a_lock_left_by_a_killed_process() {
    let d = dir_with(&[("main.tf", CONFIG)]);
    let (mut child, _out) = apply_waiting_at_prompt(d.path());
    child.kill().unwrap();
    child.wait().unwrap();
    let id = left_lock_id(d.path());

    let o = run(d.path(), &["plan"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("Took over a lock left by an interrupted run"), "{e}");
    assert!(e.contains(&id), "the warning names the lock: {e}");
    assert!(!d.path().join(".terraform.tfstate.lock.info").exists(), "the lock is released after the plan");
}

#[test]
fn force_unlock_clears_a_lock_left_by_a_killed_process() {
    let d = dir_with(&[("main.tf", CONFIG)]);
    let (mut child, _out) = apply_waiting_at_prompt(d.path());
    child.kill().unwrap();
    child.wait().unwrap();
    let id = left_lock_id(d.path());

    let o = run(d.path(), &["force-unlock", "-force", "not-the-id"]);
    assert_eq!(code(&o), 1);

    // Without -force it asks; a closed stdin declines.
    let o = run(d.path(), &["force-unlock", &id]);
    assert_eq!(code(&o), 1);

    let o = run(d.path(), &["force-unlock", "-force", &id]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("Plinth state has been successfully unlocked!"), "{}", stdout(&o));
    let o = run(d.path(), &["plan"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("Took over"), "{}", stderr(&o));
}

#[test]
fn force_unlock_without_a_lock() {
    let d = dir_with(&[("main.tf", CONFIG)]);
    let o = run(d.path(), &["force-unlock", "-force", "abc"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("not locked"), "{}", stderr(&o));
}

#[test]
fn interrupt_at_the_prompt_releases_the_lock() {
    let d = dir_with(&[("main.tf", CONFIG)]);
    let (mut child, out) = apply_waiting_at_prompt(d.path());
    let pid = child.id().to_string();
    let k = std::process::Command::new("kill").args(["-INT", &pid]).status().expect("kill");
    assert!(k.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    std::thread::sleep(Duration::from_millis(100));
    assert!(out.lock().unwrap().contains("Interrupt received."), "{}", out.lock().unwrap());
    let o = run(d.path(), &["plan"]);
    assert_eq!(code(&o), 0, "lock must be released: {}", stderr(&o));
    assert_eq!(stdout(&run(d.path(), &["state", "list"])), "");
}
