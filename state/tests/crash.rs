//! SIGKILL at random moments: a child process (this test binary re-invoked) records changes
//! and prints each address once `record` has acknowledged it; the parent kills it, then
//! reopens the state and checks that every acknowledged change is there and the file parses.

use plinth_state::*;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const CHILD_ENV: &str = "PLINTH_STATE_CRASH_CHILD_DIR";
const P: &str = "provider[\"terraform.io/builtin/terraform\"]";

fn addr(key: &str) -> InstanceAddr {
    InstanceAddr::managed("terraform_data", "r", Some(IndexKey::Str(key.into())))
}

/// Child entry point: only does something when re-invoked by `kill_at_random_moments`.
#[test]
fn crash_child_entry() {
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let run: usize = std::env::var("PLINTH_STATE_CRASH_RUN").unwrap().parse().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async move {
        let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(&dir));
        let opts = OpenOptions {
            lock: Some(LockInfo::new("OperationTypeApply")),
            persist_every: 40, // snapshots happen often, so kills land in them too
            ..OpenOptions::default()
        };
        let (mut m, _) = StateManager::open_with(b, "default", opts).await.unwrap();
        let payload = "x".repeat(2000);
        for i in 0.. {
            let key = format!("{run}-{i}");
            if i % 7 == 6 {
                // Remove an earlier instance of this run.
                let old = format!("{run}-{}", i - 3);
                m.record(InstanceChange::Remove { addr: addr(&old) }).await.unwrap();
                println!("DEL {i} {old}");
            } else {
                let inst = InstanceState::new(0, serde_json::json!({"id": key, "payload": payload}));
                m.record(InstanceChange::Set { addr: addr(&key), provider: P.into(), each: None, instance: inst })
                    .await
                    .unwrap();
                println!("ACK {i} {key}");
            }
        }
    });
}

#[test]
fn kill_at_random_moments_loses_no_acknowledged_change() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut expected: BTreeSet<String> = BTreeSet::new();
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let kills = 24;
    let mut torn_seen = 0;
    let mut verified = 0;
    // In-flight changes (possibly durable, never acknowledged) since the last verification.
    let mut may_be_extra: BTreeSet<String> = BTreeSet::new();
    let mut may_be_missing: BTreeSet<String> = BTreeSet::new();
    let mut total_acks = 0;
    for run in 0..kills {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child_entry", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, dir.path())
            .env("PLINTH_STATE_CRASH_RUN", run.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Wait until the child is working, then kill it after a random delay.
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for l in BufReader::new(stdout).lines() {
                match l {
                    Ok(l) => lines.push(l),
                    Err(_) => break,
                }
            }
            lines
        });
        std::thread::sleep(Duration::from_millis(30 + rnd() % 250));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        let mut last_i: i64 = -1;
        for l in &lines {
            // libtest may print "test crash_child_entry ... " before the first line.
            let Some(pos) = l.find("ACK ").or_else(|| l.find("DEL ")) else { continue };
            let mut parts = l[pos..].split(' ');
            let (op, i, key) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
            last_i = i.parse().unwrap();
            if op == "ACK" {
                expected.insert(key.to_string());
                total_acks += 1;
            } else {
                expected.remove(key);
            }
        }
        // The change in flight when the kill hit may or may not have reached the journal.
        let in_flight = last_i + 1;
        if in_flight % 7 == 6 {
            may_be_missing.insert(format!("{run}-{}", in_flight - 3));
        } else {
            may_be_extra.insert(format!("{run}-{in_flight}"));
        }

        // The killed child's lock is stale; release it and reopen.
        rt.block_on(async {
            let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
            if let Some(info) = b.lock_info("default").await.unwrap() {
                let e = b
                    .lock("default", &LockInfo::new("OperationTypeApply"))
                    .await
                    .err()
                    .expect("a killed holder leaves its lock file");
                assert!(matches!(e, StateError::StaleLock(_)), "{e}");
                b.force_unlock("default", &info.id).await.unwrap();
            }
            // Every third run, leave the journal to the next child, so kills also land in
            // its replay and recovery snapshot.
            if run % 3 == 1 && run + 1 < kills {
                return;
            }
            verified += 1;
            let (m, rec) = StateManager::open(b, "default", Some(LockInfo::new("OperationTypeApply")), Duration::ZERO)
                .await
                .unwrap_or_else(|e| panic!("run {run}: reopen failed: {e}"));
            if rec.torn_record_dropped {
                torn_seen += 1;
            }
            let have: BTreeSet<String> = m
                .state()
                .instances()
                .filter_map(|(a, _)| match a.key {
                    Some(IndexKey::Str(s)) => Some(s),
                    _ => None,
                })
                .collect();
            let missing: Vec<String> = expected.difference(&have).cloned().collect();
            let extra: Vec<String> = have.difference(&expected).cloned().collect();
            assert!(
                missing.iter().all(|k| may_be_missing.contains(k)),
                "run {run}: acknowledged changes lost: {missing:?}"
            );
            assert!(extra.iter().all(|k| may_be_extra.contains(k)), "run {run}: unexpected {extra:?}");
            may_be_missing.clear();
            may_be_extra.clear();
            expected = have; // the in-flight change, if durable, is now part of the state
            m.close().await.unwrap();
            // The snapshot on disk parses and matches.
            let raw = std::fs::read(dir.path().join("terraform.tfstate")).unwrap_or_default();
            if !raw.is_empty() {
                let st = State::from_json(&raw).unwrap_or_else(|e| panic!("run {run}: snapshot unreadable: {e}"));
                assert_eq!(st.addresses().len(), expected.len(), "run {run}");
            }
        });
    }
    eprintln!(
        "{kills} kills, {verified} verifications, {total_acks} acknowledged changes, {torn_seen} torn records dropped, {} instances",
        expected.len()
    );
    assert!(total_acks > kills, "the child should make progress before most kills");
}
