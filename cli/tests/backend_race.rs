//! Two `plinth apply` processes on one state, started together, 20 times per mode and
//! backend (local, and s3 on moto when PLINTH_TEST_MOTO_ENDPOINT is set): the lock lets
//! exactly one apply the new resources; with `-lock-timeout` the other waits and applies on
//! top (nothing left to add); without it, the other fails naming the holder. The final
//! state has every resource and its serial only goes up.

mod cli_common;
use cli_common::*;
use std::path::Path;

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

fn added(out: &str) -> usize {
    let re = regex::Regex::new(r"Resources: (\d+) added").unwrap();
    re.captures(out).map(|c| c[1].parse().unwrap()).unwrap_or(0)
}

fn serial(d: &Path) -> u64 {
    let o = run(d, &["state", "pull"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    v["serial"].as_u64().unwrap()
}

fn race(d: &Path, backend: &str, label: &str) {
    let mut contended = 0;
    let mut last_serial = 0;
    for round in 0..40usize {
        let with_timeout = round < 20;
        // Each round adds 5 resources (count keeps the run busy enough to overlap).
        let mut tf = backend.to_string();
        for r in 0..=round {
            tf.push_str(&format!("resource \"terraform_data\" \"r{r}\" {{\n  count = 5\n  input = count.index\n}}\n"));
        }
        std::fs::write(d.join("main.tf"), tf).unwrap();
        let args: Vec<&str> = if with_timeout {
            vec!["apply", "-auto-approve", "-lock-timeout=120s"]
        } else {
            vec!["apply", "-auto-approve"]
        };
        let a = spawn(d, &args);
        let b = spawn(d, &args);
        let (oa, ob) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let outs = [(&oa, stdout(&oa), stderr(&oa)), (&ob, stdout(&ob), stderr(&ob))];
        let failed: Vec<_> = outs.iter().filter(|(o, _, _)| code(o) != 0).collect();
        let total_added: usize = outs.iter().filter(|(o, _, _)| code(o) == 0).map(|(_, s, _)| added(s)).sum();
        if with_timeout {
            assert!(failed.is_empty(), "{label} round {round}: with -lock-timeout both must succeed: {outs:?}");
            assert_eq!(total_added, 5, "{label} round {round}: exactly one run applies the 5 new resources: {outs:?}");
            if outs.iter().any(|(_, s, _)| added(s) == 0) {
                contended += 1;
            }
        } else {
            assert!(failed.len() <= 1, "{label} round {round}: both failed: {outs:?}");
            if let Some((_, _, err)) = failed.first() {
                contended += 1;
                assert!(err.contains("Error acquiring the state lock"), "{label}: {err}");
                assert!(err.contains("ID:") && err.contains("OperationTypeApply"), "{label}: the holder is named: {err}");
                assert!(err.contains("force-unlock"), "{label}: {err}");
            }
            assert_eq!(total_added, 5, "{label} round {round}: the 5 new resources were applied exactly once: {outs:?}");
        }
        let s = serial(d);
        assert!(s > last_serial, "{label} round {round}: serial went from {last_serial} to {s}");
        last_serial = s;
        let list = run(d, &["state", "list"]);
        assert_eq!(stdout(&list).lines().count(), 5 * (round + 1), "{label} round {round}: every resource is in the state");
    }
    println!("{label}: {contended} of 40 rounds overlapped");
}

#[test]
fn local_backend_race() {
    let dir = dir_with(&[]);
    race(dir.path(), "", "local");
}

#[test]
fn s3_backend_race() {
    let Some(ep) = service("PLINTH_TEST_MOTO_ENDPOINT") else {
        eprintln!("skipping s3_backend_race: PLINTH_TEST_MOTO_ENDPOINT is not set (bash scripts/services.sh start moto)");
        return;
    };
    let bucket = "plinth-race";
    let _ = std::process::Command::new("curl").args(["-s", "-X", "PUT", &format!("{ep}/{bucket}")]).output();
    let dir = dir_with(&[]);
    let key = format!("race-{}-{}/terraform.tfstate", std::process::id(), dir.path().file_name().unwrap().to_string_lossy());
    let backend = format!(
        "terraform {{\n  backend \"s3\" {{\n    bucket = \"{bucket}\"\n    key = \"{key}\"\n    region = \"us-east-1\"\n    access_key = \"test\"\n    secret_key = \"test\"\n    endpoints = {{ s3 = \"{ep}\" }}\n    use_path_style = true\n    skip_credentials_validation = true\n    skip_requesting_account_id = true\n    skip_s3_checksum = true\n    use_lockfile = true\n  }}\n}}\n"
    );
    std::fs::write(dir.path().join("main.tf"), &backend).unwrap();
    let o = run(dir.path(), &["init"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    race(dir.path(), &backend, "s3");
}
