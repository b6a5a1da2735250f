//! Shared helpers of the end-to-end tests: run the `plinth` binary (and `terraform` when it
//! is on the PATH) in temporary directories, and mask random values in snapshots.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
    pub fn ok(&self, what: &str) -> &Run {
        assert_eq!(self.code, 0, "{what} failed (exit {}):\nstdout:\n{}\nstderr:\n{}", self.code, self.stdout, self.stderr);
        self
    }
}

pub fn plinth_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_plinth"))
}

/// `plinth ARGS` in `dir`, without colour, no prompts, no TF_* from the developer's shell.
pub fn plinth(dir: &Path, args: &[&str]) -> Run {
    let mut c = Command::new(plinth_bin());
    c.args(args).current_dir(dir);
    scrub(&mut c);
    Run::from(c.output().expect("run plinth"))
}

fn scrub(c: &mut Command) {
    for (k, _) in std::env::vars() {
        if k.starts_with("TF_") || k.starts_with("PLINTH_") {
            c.env_remove(k);
        }
    }
    c.env("TF_CLI_CONFIG_FILE", "/dev/null").env("NO_COLOR", "1").env("TF_IN_AUTOMATION", "1");
}

/// Whether a real Terraform is available; prints why a test skips when not.
pub fn terraform_available(test: &str) -> bool {
    let ok = Command::new("terraform").arg("version").env("TF_CLI_CONFIG_FILE", "/dev/null").output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        println!("skipping {test}: no terraform on PATH");
    }
    ok
}

pub fn terraform(dir: &Path, args: &[&str]) -> Run {
    let mut c = Command::new("terraform");
    c.args(args).current_dir(dir);
    scrub(&mut c);
    Run::from(c.output().expect("run terraform"))
}

/// Copies a directory tree (files only; skips `out/`, state and `.terraform`).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let name = e.file_name();
        let n = name.to_string_lossy();
        if n == "out" || n == ".terraform" || n == ".plinth" || n.ends_with(".tfstate") || n.ends_with(".tfstate.backup") {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(&name));
        } else {
            std::fs::copy(&p, to.join(&name)).expect("copy");
        }
    }
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write file");
}

/// Masks everything random in rendered plans and states so snapshots are stable: UUIDs,
/// hex/base64 runs, PEM bodies, long numbers, timestamps.
pub fn mask(s: &str) -> String {
    use regex::Regex;
    let rules: [(&str, &str); 6] = [
        (r"\[id=[^\]\s]+\]", "[id=<id>]"),
        (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>"),
        (r"-----BEGIN ([A-Z ]+)-----[A-Za-z0-9+/=\\n\s]*?-----END [A-Z ]+-----(\\n)?", "<pem $1>"),
        (r"\b[0-9a-f]{16,}\b", "<hex>"),
        (r"\b\d{12,}\b", "<number>"),
        (r"(?m)^(\s*)[A-Za-z0-9+/=]{40,}$", "$1<base64>"),
    ];
    let mut out = Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
        .expect("time regex")
        .replace_all(s, "<time>")
        .into_owned();
    for (re, rep) in rules {
        out = Regex::new(re).expect("mask regex").replace_all(&out, rep).into_owned();
    }
    // Quoted tokens of 16+ base64/hex characters with a digit in them are random values
    // (ids, digests, passwords); words like "local_sensitive_file" stay.
    Regex::new(r#""[A-Za-z0-9+/_=-]{16,}""#)
        .expect("random regex")
        .replace_all(&out, |c: &regex::Captures| {
            let m = &c[0];
            if m.chars().any(|ch| ch.is_ascii_digit()) { "\"<random>\"".to_string() } else { m.to_string() }
        })
        .into_owned()
}

/// `plinth state list` as a vector of addresses.
pub fn state_list(dir: &Path) -> Vec<String> {
    let r = plinth(dir, &["state", "list"]);
    if r.code != 0 {
        return Vec::new();
    }
    r.stdout.lines().map(str::to_string).filter(|l| !l.is_empty()).collect()
}

#[cfg(unix)]
pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(0)
}

/// True (after printing a skip message) when this build of `plinth` says the command is not
/// available yet: the end-to-end tests then skip instead of failing, until the command lands.
pub fn unavailable(test: &str, r: &Run) -> bool {
    if r.code != 0 && r.stderr.contains("command not available yet") {
        println!("skipping {test}: this build of plinth cannot run the command yet:\n{}", r.stderr);
        return true;
    }
    false
}
