//! The backend contract, run against every backend whose server is up (local always; s3
//! with a lock file and with DynamoDB, pg, gcs, azurerm against the emulators that
//! `scripts/services.sh` starts): read/write round trips, workspaces, locking with the
//! holder's info, force-unlock, conditional writes, and the StateManager journal on top.

mod common;
use common::*;
use plinth_state::*;
use std::time::Duration;

#[tokio::test]
async fn read_empty_then_write_then_read_back_byte_for_byte() {
    for t in targets("rw").await {
        let l = t.label();
        let b = t.backend();
        assert!(b.read("default").await.unwrap_or_else(|e| panic!("{l}: {e}")).is_none(), "{l}: fresh state is empty");
        let st = sample_state(3);
        b.write("default", &st).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        let back = t.backend().read("default").await.unwrap().unwrap_or_else(|| panic!("{l}: state gone"));
        assert_eq!(back.to_json(), st.to_json(), "{l}");
        // A second write on top of the first (conditional on what we wrote) works.
        let mut st2 = st.clone();
        st2.serial += 1;
        b.write("default", &st2).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        assert_eq!(t.backend().read("default").await.unwrap().unwrap().serial, st2.serial, "{l}");
        eprintln!("rw: {l} ok");
    }
}

#[tokio::test]
async fn workspaces_are_listed_created_and_deleted() {
    for t in targets("ws").await {
        let l = t.label();
        let b = t.backend();
        assert_eq!(b.workspaces().await.unwrap_or_else(|e| panic!("{l}: {e}")), ["default"], "{l}");
        b.create_workspace("dev").await.unwrap_or_else(|e| panic!("{l}: {e}"));
        assert!(matches!(b.create_workspace("dev").await, Err(StateError::WorkspaceExists(_))), "{l}: exists");
        b.write("staging", &sample_state(1)).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        b.write("default", &sample_state(2)).await.unwrap();
        assert_eq!(t.backend().workspaces().await.unwrap(), ["default", "dev", "staging"], "{l}");
        assert_eq!(b.read("staging").await.unwrap().unwrap().addresses().len(), 1, "{l}: workspaces are separate");
        assert_eq!(b.read("default").await.unwrap().unwrap().addresses().len(), 2, "{l}");
        assert!(matches!(delete_workspace_checked(&*b, "staging", false).await, Err(StateError::WorkspaceNotEmpty { .. })), "{l}");
        b.delete_workspace("staging").await.unwrap_or_else(|e| panic!("{l}: {e}"));
        delete_workspace_checked(&*b, "dev", false).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        assert_eq!(t.backend().workspaces().await.unwrap(), ["default"], "{l}");
        assert!(t.backend().read("staging").await.unwrap().is_none(), "{l}: deleted state is gone");
        assert!(matches!(delete_workspace_checked(&*b, "default", true).await, Err(StateError::DeleteDefaultWorkspace)), "{l}");
        assert!(matches!(b.read("../x").await, Err(StateError::InvalidWorkspaceName(_))), "{l}");
        eprintln!("ws: {l} ok");
    }
}

#[tokio::test]
async fn a_held_lock_names_its_holder_and_is_released_by_its_id() {
    for t in targets("lock").await {
        let l = t.label();
        let (a, b) = (t.backend(), t.backend());
        assert!(a.lock_info("default").await.unwrap_or_else(|e| panic!("{l}: {e}")).is_none(), "{l}");
        let mut first = LockInfo::new("OperationTypeApply");
        first.info = "first".into();
        a.lock("default", &first).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        let second = LockInfo::new("OperationTypePlan");
        match b.lock("default", &second).await {
            Err(StateError::Locked(held)) | Err(StateError::StaleLock(held)) => {
                assert_eq!(held.id, first.id, "{l}: the holder's ID");
                assert_eq!(held.operation, "OperationTypeApply", "{l}");
                assert!(!held.who.is_empty(), "{l}: who");
                assert!(!held.path.is_empty(), "{l}: path");
                let text = StateError::Locked(held).to_diagnostic();
                assert!(text.help[0].contains(&first.id), "{l}: {:?}", text.help);
            }
            other => panic!("{l}: second lock must fail with the holder, got {other:?}"),
        }
        assert_eq!(b.lock_info("default").await.unwrap().map(|i| i.id), Some(first.id.clone()), "{l}");
        assert!(matches!(a.unlock("default", "not-the-id").await, Err(StateError::LockIdMismatch { .. })), "{l}");
        a.renew_lock("default", &first.id).await.unwrap_or_else(|e| panic!("{l}: renew: {e}"));
        a.unlock("default", &first.id).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        assert!(b.lock_info("default").await.unwrap().is_none(), "{l}: released");
        b.lock("default", &second).await.unwrap_or_else(|e| panic!("{l}: lock after release: {e}"));
        // Locks are per workspace.
        a.lock("other", &first).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        a.unlock("other", &first.id).await.unwrap();
        b.unlock("default", &second.id).await.unwrap();
        assert!(matches!(b.unlock("default", &second.id).await, Err(StateError::NotLocked)), "{l}");
        eprintln!("lock: {l} ok");
    }
}

#[tokio::test]
async fn force_unlock_releases_another_holders_lock() {
    for t in targets("force").await {
        let l = t.label();
        if t.kind == "local" {
            continue; // local refuses to break a live process's lock (LockInUse): tested in plinth-state
        }
        let (a, b) = (t.backend(), t.backend());
        let first = LockInfo::new("OperationTypeApply");
        a.lock("default", &first).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        let held = b.lock_info("default").await.unwrap().expect("locked");
        assert!(matches!(b.force_unlock("default", "wrong").await, Err(StateError::LockIdMismatch { .. })), "{l}");
        b.force_unlock("default", &held.id).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        let second = LockInfo::new("OperationTypeApply");
        b.lock("default", &second).await.unwrap_or_else(|e| panic!("{l}: lock after force-unlock: {e}"));
        b.unlock("default", &second.id).await.unwrap();
        eprintln!("force: {l} ok");
    }
}

#[tokio::test]
async fn a_write_over_a_snapshot_changed_underneath_is_a_conflict() {
    for t in targets("cond").await {
        let l = t.label();
        if t.kind == "local" {
            continue; // local files are guarded by the lock alone
        }
        let (a, b) = (t.backend(), t.backend());
        // Both saw "absent"; the first creator wins.
        assert!(a.read("default").await.unwrap().is_none());
        assert!(b.read("default").await.unwrap().is_none());
        a.write("default", &sample_state(1)).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        assert!(matches!(b.write("default", &sample_state(2)).await, Err(StateError::Conflict(_))), "{l}: create race");
        // Both read version 1; a writes version 2; b's write on top of 1 conflicts.
        b.read("default").await.unwrap();
        let mut v2 = sample_state(2);
        v2.serial = 2;
        a.write("default", &v2).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        match b.write("default", &sample_state(3)).await {
            Err(StateError::Conflict(m)) => assert!(m.contains("changed since this run read it"), "{l}: {m}"),
            other => panic!("{l}: expected a conflict, got {other:?}"),
        }
        assert_eq!(t.backend().read("default").await.unwrap().unwrap().addresses().len(), 2, "{l}: the loser wrote nothing");
        // After reading again, b may write.
        b.read("default").await.unwrap();
        b.write("default", &sample_state(3)).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        eprintln!("cond: {l} ok");
    }
}

#[tokio::test]
async fn state_manager_journal_works_over_every_backend() {
    for t in targets("journal").await {
        let l = t.label();
        let b = t.backend();
        let open = |b: std::sync::Arc<dyn StateBackend>| async move {
            StateManager::open(b, "default", Some(LockInfo::new("OperationTypeApply")), Duration::ZERO).await
        };
        let (mut m, rec) = open(b.clone()).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        assert!(rec.is_empty(), "{l}");
        for i in 0..5 {
            m.record(set(i)).await.unwrap();
        }
        // The run dies before persisting: only the journal has the changes.
        m.release().await.unwrap_or_else(|e| panic!("{l}: {e}"));
        // A second process sees the lock free and recovers every change.
        let (m, rec) = open(t.backend()).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        assert_eq!(rec.changes_replayed, 5, "{l}");
        assert_eq!(m.state().addresses().len(), 5, "{l}");
        m.close().await.unwrap_or_else(|e| panic!("{l}: {e}"));
        let snap = t.backend().read("default").await.unwrap().unwrap();
        assert_eq!(snap.addresses().len(), 5, "{l}: recovery was pushed to the backend");
        // While a manager holds the lock, another cannot open.
        let (m, _) = open(t.backend()).await.unwrap();
        match open(t.backend()).await {
            Err(StateError::Locked(i)) => assert_eq!(Some(i.id.as_str()), m.lock_id(), "{l}"),
            Err(e) => panic!("{l}: expected Locked, got {e}"),
            Ok(_) => panic!("{l}: expected Locked, got a second manager"),
        }
        m.close().await.unwrap();
        eprintln!("journal: {l} ok");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_many_concurrent_lockers_exactly_one_wins() {
    for t in targets("race").await {
        let l = t.label();
        if t.kind == "local" {
            continue; // one process: plinth-state's own tests race processes
        }
        for round in 0..3 {
            let mut tasks = Vec::new();
            for _ in 0..6 {
                let b = t.backend();
                tasks.push(tokio::spawn(async move {
                    let info = LockInfo::new("OperationTypeApply");
                    let r = b.lock("default", &info).await;
                    (b, info, r)
                }));
            }
            let mut winners = Vec::new();
            for task in tasks {
                let (b, info, r) = task.await.unwrap();
                match r {
                    Ok(()) => winners.push((b, info)),
                    Err(StateError::Locked(_)) | Err(StateError::Conflict(_)) => {}
                    Err(e) => panic!("{l}: round {round}: unexpected error {e}"),
                }
            }
            assert_eq!(winners.len(), 1, "{l}: round {round}: exactly one holder");
            let (b, info) = winners.pop().unwrap();
            assert_eq!(t.backend().lock_info("default").await.unwrap().map(|i| i.id), Some(info.id.clone()), "{l}");
            b.unlock("default", &info.id).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        }
        eprintln!("race: {l} ok");
    }
}

#[test]
fn unlock_blocking_releases_the_lock_from_a_plain_thread() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    for t in rt.block_on(targets("blocking")) {
        let l = t.label();
        if t.kind == "local" {
            continue;
        }
        let b = t.backend();
        let info = LockInfo::new("OperationTypeApply");
        rt.block_on(b.lock("default", &info)).unwrap_or_else(|e| panic!("{l}: {e}"));
        // As StateManager's Drop does, from inside the runtime.
        rt.block_on(async { b.unlock_blocking("default", &info.id) }).unwrap_or_else(|e| panic!("{l}: {e}"));
        let other = t.backend();
        let mut freed = false;
        for _ in 0..50 {
            if rt.block_on(other.lock_info("default")).unwrap().is_none() {
                freed = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(freed, "{l}: lock still held after unlock_blocking");
        eprintln!("blocking: {l} ok");
    }
}
