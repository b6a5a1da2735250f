//! Helpers shared by the `cli_*` integration tests: run the `plinth` binary in a directory
//! with a clean environment, and lay out configuration files.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_plinth")
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.args(args)
        .current_dir(dir)
        .env_remove("TF_LOG")
        .env_remove("PLINTH_LOG")
        .env_remove("TF_WORKSPACE")
        .env("NO_COLOR", "1");
    for (k, _) in std::env::vars() {
        if k.starts_with("TF_VAR_") {
            c.env_remove(k);
        }
    }
    c
}

/// Runs plinth with stdin closed.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).stdin(Stdio::null()).output().expect("run plinth")
}

/// Runs plinth with extra environment variables.
pub fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = command(dir, args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.stdin(Stdio::null()).output().expect("run plinth")
}

/// Runs plinth with `input` on stdin.
pub fn run_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn plinth");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait plinth")
}

/// Spawns plinth with a piped stdin that the caller keeps open.
pub fn spawn(dir: &Path, args: &[&str]) -> std::process::Child {
    command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn plinth")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// A temporary directory with the given files (`path`, `content`).
pub fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    for (p, c) in files {
        let path = d.path().join(p);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, c).expect("write file");
    }
    d
}

/// A version 4 state file with the given resources (JSON array text) and outputs (JSON object text).
pub fn state_json(lineage: &str, serial: u64, resources: &str, outputs: &str) -> String {
    format!(
        r#"{{
  "version": 4,
  "terraform_version": "1.11.4",
  "serial": {serial},
  "lineage": "{lineage}",
  "outputs": {outputs},
  "resources": {resources},
  "check_results": null
}}
"#
    )
}

/// A `terraform_data` resource entry for [`state_json`].
pub fn data_resource(name: &str, id: &str, input: &str) -> String {
    format!(
        r#"{{
      "mode": "managed",
      "type": "terraform_data",
      "name": "{name}",
      "provider": "provider[\"terraform.io/builtin/terraform\"]",
      "instances": [
        {{
          "schema_version": 0,
          "attributes": {{
            "id": "{id}",
            "input": {{"value": "{input}", "type": "string"}},
            "output": {{"value": "{input}", "type": "string"}},
            "triggers_replace": null
          }},
          "sensitive_attributes": []
        }}
      ]
    }}"#
    )
}
