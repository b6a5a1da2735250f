//! The crash-safe writer: journal appends, replay, torn records, folding into snapshots.

use plinth_state::*;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

const P: &str = "provider[\"terraform.io/builtin/terraform\"]";

fn set(i: usize) -> InstanceChange {
    InstanceChange::Set {
        addr: InstanceAddr::managed("terraform_data", "x", Some(IndexKey::Int(i as i64))),
        provider: P.into(),
        each: None,
        instance: InstanceState::new(0, serde_json::json!({"id": format!("id-{i}"), "n": 1.5e300, "s": "<&>"})),
    }
}

fn backend(dir: &std::path::Path) -> Arc<dyn StateBackend> {
    Arc::new(LocalBackend::new(dir))
}

async fn open_locked(dir: &std::path::Path) -> Result<(StateManager, Recovery), StateError> {
    StateManager::open(backend(dir), "default", Some(LockInfo::new("OperationTypeApply")), Duration::ZERO).await
}

#[tokio::test]
async fn record_is_durable_without_rewriting_the_snapshot_and_replays_after_an_interrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let (mut m, rec) = open_locked(dir.path()).await.unwrap();
    assert!(rec.is_empty());
    let lineage = m.state().lineage.clone();
    for i in 0..5 {
        m.record(set(i)).await.unwrap();
    }
    // Locking creates an empty state file, as Terraform does; records never write it.
    assert_eq!(std::fs::read(dir.path().join("terraform.tfstate")).unwrap(), b"", "record must not write the snapshot");
    let journal = dir.path().join(".terraform.tfstate.journal");
    assert_eq!(std::fs::read_to_string(&journal).unwrap().lines().count(), 6, "begin + 5 records");
    // The run ends without persisting (error path): the lock goes, the journal stays.
    m.release().await.unwrap();

    let (m, rec) = open_locked(dir.path()).await.unwrap();
    assert_eq!(rec.changes_replayed, 5);
    assert!(!rec.torn_record_dropped);
    assert_eq!(rec.recovered[0], "terraform_data.x[0]");
    assert_eq!(m.state().lineage, lineage, "the journal's lineage is kept");
    assert_eq!(m.state().addresses().len(), 5);
    // Recovery was folded into a snapshot at once and the journal emptied.
    let snap = State::from_json(&std::fs::read(dir.path().join("terraform.tfstate")).unwrap()).unwrap();
    assert_eq!(snap.serial, 1);
    assert_eq!(snap.addresses().len(), 5);
    assert_eq!(std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0), 0);
    m.close().await.unwrap();
    let (m, rec) = open_locked(dir.path()).await.unwrap();
    assert!(rec.is_empty(), "nothing to replay twice");
    assert_eq!(m.state().serial, 1, "close without changes writes nothing");
    m.close().await.unwrap();
}

#[tokio::test]
async fn a_torn_last_record_is_dropped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (mut m, _) = open_locked(dir.path()).await.unwrap();
    m.record(set(0)).await.unwrap();
    m.record(set(1)).await.unwrap();
    m.release().await.unwrap();
    // A kill in the middle of an append leaves half a line.
    let journal = dir.path().join(".terraform.tfstate.journal");
    let full = std::fs::read(&journal).unwrap();
    let last_line_start = full[..full.len() - 1].iter().rposition(|&b| b == b'\n').unwrap() + 1;
    let mut f = std::fs::OpenOptions::new().append(true).open(&journal).unwrap();
    f.write_all(&full[last_line_start..last_line_start + 40]).unwrap();
    drop(f);

    let (m, rec) = open_locked(dir.path()).await.unwrap();
    assert_eq!(rec.changes_replayed, 2);
    assert!(rec.torn_record_dropped);
    assert_eq!(m.state().addresses(), ["terraform_data.x[0]", "terraform_data.x[1]"]);
    m.close().await.unwrap();

    // A record complete but for its newline is kept (it was written whole).
    let (mut m, _) = open_locked(dir.path()).await.unwrap();
    m.record(set(2)).await.unwrap();
    m.release().await.unwrap();
    let bytes = std::fs::read(&journal).unwrap();
    std::fs::write(&journal, &bytes[..bytes.len() - 1]).unwrap();
    let (mut m, rec) = StateManager::open(backend(dir.path()), "default", None, Duration::ZERO).await.unwrap();
    assert_eq!((rec.changes_replayed, rec.torn_record_dropped), (1, false));
    // Unlocked readers never modify the journal …
    assert_eq!(std::fs::read(&journal).unwrap(), &bytes[..bytes.len() - 1]);
    // … but an unlocked writer appends on a fresh line.
    m.record(set(3)).await.unwrap();
    drop(m);
    let (m, rec) = open_locked(dir.path()).await.unwrap();
    assert_eq!(rec.changes_replayed, 2);
    assert_eq!(m.state().addresses().len(), 4);
    m.close().await.unwrap();
}

#[tokio::test]
async fn damage_before_valid_records_is_an_error_not_a_silent_loss() {
    let dir = tempfile::tempdir().unwrap();
    let (mut m, _) = open_locked(dir.path()).await.unwrap();
    for i in 0..3 {
        m.record(set(i)).await.unwrap();
    }
    m.release().await.unwrap();
    let journal = dir.path().join(".terraform.tfstate.journal");
    let text = std::fs::read_to_string(&journal).unwrap();
    let damaged = text.replacen("id-1", "id-9", 1);
    std::fs::write(&journal, damaged).unwrap();
    let e = open_locked(dir.path()).await.err().unwrap();
    let StateError::Journal { line, .. } = &e else { panic!("{e}") };
    assert_eq!(*line, 3);
    assert!(e.to_diagnostic().help[0].contains("Move"));
    // The failed open released its lock.
    let e2 = open_locked(dir.path()).await.err().unwrap();
    assert!(matches!(e2, StateError::Journal { .. }), "{e2}");
}

#[tokio::test]
async fn persists_periodically_and_ignores_a_journal_already_folded() {
    let dir = tempfile::tempdir().unwrap();
    let opts = OpenOptions {
        lock: Some(LockInfo::new("OperationTypeApply")),
        persist_every: 3,
        ..OpenOptions::default()
    };
    let (mut m, _) = StateManager::open_with(backend(dir.path()), "default", opts).await.unwrap();
    for i in 0..7 {
        m.record(set(i)).await.unwrap();
    }
    let snap = State::from_json(&std::fs::read(dir.path().join("terraform.tfstate")).unwrap()).unwrap();
    assert_eq!(snap.serial, 2);
    assert_eq!(snap.addresses().len(), 6);
    let journal = dir.path().join(".terraform.tfstate.journal");
    let before_fold = std::fs::read(&journal).unwrap();
    m.record(InstanceChange::Remove { addr: InstanceAddr::managed("terraform_data", "x", Some(IndexKey::Int(0))) })
        .await
        .unwrap();
    let mut outputs = std::collections::BTreeMap::new();
    outputs.insert(
        "o".to_string(),
        OutputState::from_value(&plinth_sdk::Value::string("v").mark_sensitive(), false),
    );
    m.set_outputs(outputs).await.unwrap();
    m.close().await.unwrap();
    let snap = State::from_json(&std::fs::read(dir.path().join("terraform.tfstate")).unwrap()).unwrap();
    assert_eq!(snap.serial, 3);
    assert_eq!(snap.addresses().len(), 6);
    assert!(snap.outputs["o"].sensitive);
    // A crash between the snapshot rename and the journal truncation leaves an old journal:
    // its base serial is older than the snapshot, so it is ignored.
    std::fs::write(&journal, &before_fold).unwrap();
    let (m, rec) = open_locked(dir.path()).await.unwrap();
    assert!(rec.is_empty());
    assert_eq!(m.state().serial, 3);
    assert_eq!(m.state().addresses().len(), 6);
    m.close().await.unwrap();
}

#[tokio::test]
async fn group_commit_records_many_changes_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut m, _) = open_locked(dir.path()).await.unwrap();
    m.record_all((0..50).map(set).collect()).await.unwrap();
    m.release().await.unwrap();
    let (m, rec) = open_locked(dir.path()).await.unwrap();
    assert_eq!(rec.changes_replayed, 50);
    m.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_recorders_group_commit_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _) = open_locked(dir.path()).await.unwrap();
    let (rec, task) = m.into_recorder();
    let mut tasks = Vec::new();
    for w in 0..10 {
        let rec = rec.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..20 {
                rec.record(set(w * 100 + i)).await.unwrap();
            }
        }));
    }
    drop(rec);
    for t in tasks {
        t.await.unwrap();
    }
    let m = task.finish().await.unwrap();
    assert_eq!(m.state().addresses().len(), 200);
    assert!(m.journal_fsyncs() < 200, "changes were grouped: {} fsyncs", m.journal_fsyncs());
    m.release().await.unwrap();
    let (m, rec) = open_locked(dir.path()).await.unwrap();
    assert_eq!(rec.changes_replayed, 200);
    assert_eq!(m.state().addresses().len(), 200);
    m.close().await.unwrap();
}
