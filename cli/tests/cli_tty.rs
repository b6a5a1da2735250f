//! Terminal behaviour through a pseudo-terminal (`script` from util-linux): prompts for
//! missing variables, and the interactive console with line editing. Skipped (with a
//! message) where `script` is not installed.

mod cli_common;
use cli_common::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

fn have_script() -> bool {
    Command::new("script").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Runs `plinth ARGS` on a pseudo-terminal, typing each line of `lines` after a pause.
fn on_tty(dir: &std::path::Path, args: &str, lines: &[&str]) -> String {
    let mut child = Command::new("script")
        .args(["-qec", &format!("{} {args}", bin()), "/dev/null"])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("TF_LOG")
        .env_remove("PLINTH_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script");
    let mut stdin = child.stdin.take().unwrap();
    for l in lines {
        std::thread::sleep(Duration::from_millis(700));
        stdin.write_all(format!("{l}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
    std::thread::sleep(Duration::from_millis(700));
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&o.stdout).replace('\r', "")
}

#[test]
fn prompts_for_missing_variables() {
    if !have_script() {
        eprintln!("skipping: script(1) is not installed");
        return;
    }
    let d = dir_with(&[("main.tf", "variable \"name\" {\n  description = \"Your name\"\n}\noutput \"o\" {\n  value = var.name\n}\n")]);
    let out = on_tty(d.path(), "plan", &["bob"]);
    assert!(out.contains("var.name\n  Your name\n\n  Enter a value: "), "{out}");
    assert!(out.contains("+ o = \"bob\""), "{out}");
}

#[test]
fn interactive_console_keeps_going_after_errors() {
    if !have_script() {
        eprintln!("skipping: script(1) is not installed");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let out = on_tty(d.path(), "console", &["1 + 2", "nope.x", "upper(\"a\")", "exit"]);
    assert!(out.contains("> "), "{out}");
    assert!(out.contains("\n3\n"), "{out}");
    assert!(out.contains("Reference to undeclared resource"), "{out}");
    assert!(out.contains("\"A\""), "{out}");
}
