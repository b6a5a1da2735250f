//! `base64gzip` byte for byte against `terraform console` (Go's compress/flate): short,
//! repetitive, random-looking and long inputs (several deflate blocks, window shifts).
//! Skips (saying so) when `terraform` is not on the PATH.

use plinth_functions::{call, FunctionContext};
use plinth_sdk::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// (expression building the string in Terraform, the same string built here)
fn cases() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = vec![
        ("\"\"".into(), String::new()),
        ("\"a\"".into(), "a".into()),
        ("\"hello world hello world hello world\"".into(), "hello world hello world hello world".into()),
        ("\"abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabc\"".into(), "abc".repeat(21)),
        ("\"The quick brown fox jumps over the lazy dog.\"".into(), "The quick brown fox jumps over the lazy dog.".into()),
    ];
    // Pseudo-random text (a linear congruential sequence over a small alphabet).
    for (n, modulus) in [(300usize, 7u64), (5000, 23)] {
        let expr = joined(n, &format!("substr(\"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!?\", (i * 7919 + 13) % {modulus}, 1)"));
        let alphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!?";
        let s: String = (0..n as u64).map(|i| alphabet.as_bytes()[((i * 7919 + 13) % modulus) as usize] as char).collect();
        v.push((expr, s));
    }
    // Structured, repetitive text of several sizes (dynamic Huffman blocks, long matches,
    // more than 16384 tokens per block, more than 64 KiB of window).
    for n in [50usize, 1000, 5000] {
        let expr = joined(n, "\"item-${i % 97} value=${i * 31 % 1000}\\n\"");
        let s: String = (0..n).map(|i| format!("item-{} value={}\n", i % 97, i * 31 % 1000)).collect();
        v.push((expr, s));
    }
    v.push((joined(3000, "\"x\""), "x".repeat(3000)));
    v
}

/// `join("", [ITEM for i in 0..n])` in Terraform, whose `range` stops at 1,024 values.
fn joined(n: usize, item: &str) -> String {
    let outer = n.div_ceil(1000);
    format!("join(\"\", flatten([for a in range({outer}) : [for b in range(1000) : [for i in [a * 1000 + b] : {item}][0] if a * 1000 + b < {n}]]))")
}

#[test]
fn base64gzip_matches_terraform_byte_for_byte() {
    let cases = cases();
    // An empty directory: `terraform console` loads the configuration where it runs.
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for (e, _) in &cases {
        let child = Command::new("terraform")
            .arg("console")
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            eprintln!("terraform is not on the PATH: skipping the base64gzip differential test");
            return;
        };
        child.stdin.take().unwrap().write_all(format!("base64gzip({e})\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        lines.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
    }
    let ctx = FunctionContext { cwd: Path::new("."), template: None };
    let mut bad = Vec::new();
    for ((e, s), want) in cases.iter().zip(&lines) {
        let got = call("base64gzip", vec![Value::string(s.as_str())], &ctx).unwrap();
        let got = format!("\"{}\"", got.as_str().unwrap());
        if &got != want {
            bad.push(format!("{e} ({} bytes)\n  terraform {}\n  plinth    {}", s.len(), &want[..want.len().min(120)], &got[..got.len().min(120)]));
        }
    }
    assert!(bad.is_empty(), "{} of {} differ:\n{}", bad.len(), cases.len(), bad.join("\n"));
}
