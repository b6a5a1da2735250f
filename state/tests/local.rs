//! The local backend: file locations, atomic 0600 writes, backups, workspaces, locks.

use plinth_state::*;
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn sample_state() -> State {
    let mut st = State::new();
    st.set_instance(
        &InstanceAddr::managed("terraform_data", "a", None),
        "provider[\"terraform.io/builtin/terraform\"]",
        None,
        InstanceState::new(0, serde_json::json!({"id": "1"})),
    );
    st
}

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn writes_atomically_with_0600_and_keeps_a_backup_of_the_previous_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let b = LocalBackend::new(dir.path());
    assert_eq!(b.read("default").await.unwrap(), None);
    let mut st = sample_state();
    st.serial = 1;
    b.write("default", &st).await.unwrap();
    let path = dir.path().join("terraform.tfstate");
    assert_eq!(mode(&path), 0o600);
    assert!(!dir.path().join("terraform.tfstate.backup").exists(), "nothing to back up yet");
    assert_eq!(b.read("default").await.unwrap().unwrap(), st);

    // A new process (backend) backs up the snapshot it found, once.
    let b2 = LocalBackend::new(dir.path());
    let mut st2 = st.clone();
    st2.serial = 2;
    b2.write("default", &st2).await.unwrap();
    let backup = dir.path().join("terraform.tfstate.backup");
    assert_eq!(std::fs::read(&backup).unwrap(), st.to_json());
    assert_eq!(mode(&backup), 0o600);
    st2.serial = 3;
    b2.write("default", &st2).await.unwrap();
    assert_eq!(std::fs::read(&backup).unwrap(), st.to_json(), "backup is the state before this run");
    // No temp files left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    // An empty file reads as no state (Terraform does the same).
    std::fs::write(&path, b"").unwrap();
    assert_eq!(b.read("default").await.unwrap(), None);
}

#[tokio::test]
async fn workspaces_live_where_terraform_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let b = LocalBackend::new(dir.path());
    assert_eq!(b.workspaces().await.unwrap(), ["default"]);
    b.create_workspace("staging").await.unwrap();
    b.create_workspace("alpha").await.unwrap();
    assert!(matches!(b.create_workspace("staging").await, Err(StateError::WorkspaceExists(_))));
    assert!(matches!(b.create_workspace("default").await, Err(StateError::WorkspaceExists(_))));
    assert!(matches!(b.create_workspace("a/b").await, Err(StateError::InvalidWorkspaceName(_))));
    assert!(matches!(b.create_workspace("").await, Err(StateError::InvalidWorkspaceName(_))));
    assert_eq!(b.workspaces().await.unwrap(), ["default", "alpha", "staging"]);

    b.write("staging", &sample_state()).await.unwrap();
    assert!(dir.path().join("terraform.tfstate.d/staging/terraform.tfstate").is_file());
    assert_eq!(b.journal_path("staging"), dir.path().join("terraform.tfstate.d/staging/.terraform.tfstate.journal"));

    // Deleting: never default, not a non-empty one unless forced.
    assert!(matches!(delete_workspace_checked(&b, "default", true).await, Err(StateError::DeleteDefaultWorkspace)));
    let e = delete_workspace_checked(&b, "staging", false).await.unwrap_err();
    match &e {
        StateError::WorkspaceNotEmpty { resources, .. } => assert_eq!(resources, &["terraform_data.a"]),
        other => panic!("{other}"),
    }
    assert!(e.to_diagnostic().help[0].contains("-force"));
    delete_workspace_checked(&b, "alpha", false).await.unwrap();
    delete_workspace_checked(&b, "staging", true).await.unwrap();
    assert!(matches!(delete_workspace_checked(&b, "nope", false).await, Err(StateError::WorkspaceNotFound(_))));
    assert_eq!(b.workspaces().await.unwrap(), ["default"]);

    // Selected workspace in .terraform/environment, as Terraform writes it.
    assert_eq!(current_workspace(dir.path()).unwrap(), "default");
    select_workspace(dir.path(), "staging").unwrap();
    assert_eq!(std::fs::read_to_string(dir.path().join(".terraform/environment")).unwrap(), "staging");
    assert_eq!(current_workspace(dir.path()).unwrap(), "staging");
}

#[tokio::test]
async fn reads_a_terraform_workspace_layout() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("terraform.tfstate.d/staging");
    std::fs::create_dir_all(&ws).unwrap();
    let raw = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/workspace_staging.tfstate")).unwrap();
    std::fs::write(ws.join("terraform.tfstate"), &raw).unwrap();
    let b = LocalBackend::new(dir.path());
    assert_eq!(b.workspaces().await.unwrap(), ["default", "staging"]);
    let st = b.read("staging").await.unwrap().unwrap();
    assert_eq!(st.to_json(), raw);
}

#[tokio::test]
async fn lock_contention_reports_the_holder_and_lock_timeout_waits() {
    let dir = tempfile::tempdir().unwrap();
    let a: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
    let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
    let mut info = LockInfo::new("OperationTypeApply");
    info.info = "first".into();
    let (m1, _) = StateManager::open(a.clone(), "default", Some(info.clone()), Duration::ZERO).await.unwrap();

    // The lock file is Terraform's lock info JSON.
    let raw = std::fs::read_to_string(dir.path().join(".terraform.tfstate.lock.info")).unwrap();
    assert!(raw.starts_with(&format!("{{\"ID\":\"{}\",\"Operation\":\"OperationTypeApply\",\"Info\":\"first\",\"Who\":", info.id)), "{raw}");
    assert_eq!(mode(&dir.path().join(".terraform.tfstate.lock.info")), 0o600);

    let t = Instant::now();
    let e = StateManager::open(b.clone(), "default", Some(LockInfo::new("OperationTypePlan")), Duration::from_millis(300))
        .await
        .err()
        .expect("second manager must not get the lock");
    assert!(t.elapsed() >= Duration::from_millis(300), "waited for the lock timeout");
    let StateError::Locked(held) = &e else { panic!("{e}") };
    assert_eq!(held.id, info.id);
    assert_eq!(held.operation, "OperationTypeApply");
    assert_eq!(held.path, dir.path().join("terraform.tfstate").to_string_lossy());
    let text = e.to_string();
    assert!(text.starts_with("Error acquiring the state lock"), "{text}");
    for field in ["ID:", "Path:", "Operation:", "Who:", "Version:", "Created:", "Info:"] {
        assert!(text.contains(field), "{field} in {text}");
    }
    // A running holder cannot be force-unlocked; a wrong ID is refused.
    assert!(matches!(b.force_unlock("default", &info.id).await, Err(StateError::LockInUse(_))));
    assert!(matches!(b.force_unlock("default", "nope").await, Err(StateError::LockIdMismatch { .. })));

    // The waiter gets the lock once the holder closes.
    let waiter = tokio::spawn({
        let b = b.clone();
        async move { StateManager::open(b, "default", Some(LockInfo::new("OperationTypePlan")), Duration::from_secs(10)).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    m1.close().await.unwrap();
    let (m2, _) = waiter.await.unwrap().unwrap();
    m2.release().await.unwrap();
    assert!(!dir.path().join(".terraform.tfstate.lock.info").exists());
}

#[tokio::test]
async fn a_lock_left_by_a_dead_process_is_stale_and_can_be_force_unlocked() {
    let dir = tempfile::tempdir().unwrap();
    // A lock file nobody holds a flock on: what a SIGKILLed holder leaves.
    let dead = LockInfo::new("OperationTypeApply");
    let lock_file = dir.path().join(".terraform.tfstate.lock.info");
    std::fs::write(&lock_file, serde_json::to_vec(&dead).unwrap()).unwrap();
    let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
    // The backend itself reports it as stale, with how to release it.
    let e = b.lock("default", &LockInfo::new("OperationTypeApply")).await.err().unwrap();
    let StateError::StaleLock(info) = &e else { panic!("{e}") };
    assert_eq!(info.id, dead.id);
    let d = e.to_diagnostic();
    assert_eq!(d.summary, "Error acquiring the state lock");
    assert!(d.help[0].contains(&format!("plinth force-unlock {}", dead.id)), "{:?}", d.help);
    assert_eq!(b.lock_info("default").await.unwrap().unwrap().id, dead.id);
    b.force_unlock("default", &dead.id).await.unwrap();
    assert_eq!(b.lock_info("default").await.unwrap(), None);
    assert!(matches!(b.force_unlock("default", &dead.id).await, Err(StateError::NotLocked)));
    let (m, rec) = StateManager::open(b.clone(), "default", Some(LockInfo::new("OperationTypeApply")), Duration::ZERO)
        .await
        .unwrap();
    assert!(rec.stale_lock_taken_over.is_none());
    m.close().await.unwrap();
}

#[tokio::test]
async fn the_state_manager_takes_over_a_lock_whose_holder_died() {
    let dir = tempfile::tempdir().unwrap();
    let dead = LockInfo::new("OperationTypeApply");
    std::fs::write(dir.path().join(".terraform.tfstate.lock.info"), serde_json::to_vec(&dead).unwrap()).unwrap();
    let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
    let mine = LockInfo::new("OperationTypePlan");
    let (m, rec) = StateManager::open(b.clone(), "default", Some(mine.clone()), Duration::ZERO).await.unwrap();
    assert_eq!(rec.stale_lock_taken_over.as_ref().map(|l| l.id.clone()), Some(dead.id.clone()));
    assert!(!rec.is_empty(), "the takeover is reported to the user");
    assert_eq!(b.lock_info("default").await.unwrap().unwrap().id, mine.id);
    m.close().await.unwrap();
    assert_eq!(b.lock_info("default").await.unwrap(), None);
}

#[tokio::test]
async fn dropping_a_manager_releases_its_lock() {
    let dir = tempfile::tempdir().unwrap();
    let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
    {
        let (_m, _) = StateManager::open(b.clone(), "default", Some(LockInfo::new("OperationTypeApply")), Duration::ZERO).await.unwrap();
        assert!(dir.path().join(".terraform.tfstate.lock.info").exists());
    }
    assert!(!dir.path().join(".terraform.tfstate.lock.info").exists());
    // Like Terraform, a run that wrote nothing leaves no (empty) state file behind.
    assert!(!dir.path().join("terraform.tfstate").exists());
    let (m, _) = StateManager::open(b, "default", Some(LockInfo::new("OperationTypeApply")), Duration::ZERO).await.unwrap();
    m.release().await.unwrap();
}

#[tokio::test]
async fn unlock_checks_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let b = LocalBackend::new(dir.path());
    let info = LockInfo::new("OperationTypeApply");
    b.lock("default", &info).await.unwrap();
    assert!(matches!(b.lock("default", &LockInfo::new("x")).await, Err(StateError::Locked(_))));
    assert!(matches!(b.unlock("default", "wrong").await, Err(StateError::LockIdMismatch { .. })));
    b.unlock("default", &info.id).await.unwrap();
    assert!(matches!(b.unlock("default", &info.id).await, Err(StateError::NotLocked)));
}

#[tokio::test]
async fn the_next_lock_holder_removes_old_temp_files_of_killed_writers() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join(".terraform.tfstate.a1b2c3.tmp");
    let young = dir.path().join(".terraform.tfstate.d4e5f6.tmp");
    let unrelated = dir.path().join("notes.tmp");
    for p in [&old, &young, &unrelated] {
        std::fs::write(p, b"partial").unwrap();
    }
    let f = std::fs::File::options().write(true).open(&old).unwrap();
    f.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600)).unwrap();
    drop(f);
    let b: Arc<dyn StateBackend> = Arc::new(LocalBackend::new(dir.path()));
    let (m, _) = StateManager::open(b, "default", Some(LockInfo::new("OperationTypeApply")), Duration::ZERO).await.unwrap();
    m.release().await.unwrap();
    assert!(!old.exists());
    assert!(young.exists(), "a young temp file may belong to a writer still running");
    assert!(unrelated.exists());
}
