//! The backend abstraction: where snapshots live and how they are locked.
//!
//! A backend stores one snapshot per workspace and one lock per workspace. Remote backends
//! (s3, gcs, azurerm, pg) fit this shape: `write` should be a conditional write where the
//! service offers one (S3 `If-Match`, GCS generation preconditions, Azure ETags, a
//! `serial` check in a pg transaction) and fail with [`StateError::Conflict`] when the stored
//! snapshot changed underneath; `lock` may be lease-based, with [`StateBackend::renew_lock`]
//! called periodically by the lock holder.
//!
//! The journal that makes every completed change durable is always a local file
//! ([`StateBackend::journal_path`]): appending to it is cheap, and it is folded into a
//! snapshot written through the backend.

use crate::error::StateError;
use crate::lock::LockInfo;
use crate::model::State;
use async_trait::async_trait;
use std::path::PathBuf;
use std::time::Duration;

/// The workspace every backend has and that cannot be deleted.
pub const DEFAULT_WORKSPACE: &str = "default";

#[async_trait]
pub trait StateBackend: Send + Sync {
    /// The stored snapshot of `workspace`, or `None` when there is none yet.
    async fn read(&self, workspace: &str) -> Result<Option<State>, StateError>;

    /// Replaces the snapshot of `workspace` atomically: readers see the old or the new
    /// snapshot, never a mix, even if the process dies mid-write.
    async fn write(&self, workspace: &str, state: &State) -> Result<(), StateError>;

    /// Takes the workspace's lock, or fails at once with [`StateError::Locked`] (holder
    /// alive) or [`StateError::StaleLock`] (holder gone). The backend fills `info.path`.
    /// Retrying until a timeout is the caller's job ([`crate::StateManager::open`]).
    async fn lock(&self, workspace: &str, info: &LockInfo) -> Result<(), StateError>;

    /// Releases a lock this process holds. Fails with [`StateError::LockIdMismatch`] if the
    /// ID is not the holder's.
    async fn unlock(&self, workspace: &str, id: &str) -> Result<(), StateError>;

    /// Releases a lock held by someone else (`force-unlock ID`): the ID must match. Local
    /// locks held by a running process are refused ([`StateError::LockInUse`]).
    async fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), StateError>;

    /// The current lock holder, if any.
    async fn lock_info(&self, workspace: &str) -> Result<Option<LockInfo>, StateError>;

    /// Whether a [`StateError::StaleLock`] from this backend proves that the holder is gone
    /// (the local backend: the holder's OS lock on the lock file died with its process), so
    /// that a new run may take the lock over — as Terraform's local backend does — instead of
    /// asking for `force-unlock`. Remote backends cannot prove it and keep the default.
    fn stale_locks_are_dead(&self) -> bool {
        false
    }

    /// Extends a lease-based lock. Backends whose locks do not expire do nothing.
    async fn renew_lock(&self, _workspace: &str, _id: &str) -> Result<(), StateError> {
        Ok(())
    }

    /// How often a lock holder should call [`StateBackend::renew_lock`]; `None` when locks
    /// do not expire.
    fn lock_renew_interval(&self) -> Option<Duration> {
        None
    }

    /// Releases a lock without async, for `Drop` and signal paths. Best effort: backends that
    /// cannot do it synchronously return `Ok(())` and rely on lease expiry.
    fn unlock_blocking(&self, _workspace: &str, _id: &str) -> Result<(), StateError> {
        Ok(())
    }

    /// All workspace names, `default` first, the others sorted.
    async fn workspaces(&self) -> Result<Vec<String>, StateError>;

    /// Creates an empty workspace ([`StateError::WorkspaceExists`] if it exists).
    async fn create_workspace(&self, workspace: &str) -> Result<(), StateError>;

    /// Deletes a workspace and its state, unconditionally (see
    /// [`crate::delete_workspace_checked`] for the user-facing checks). Never `default`.
    async fn delete_workspace(&self, workspace: &str) -> Result<(), StateError>;

    /// How [`crate::StateManager`] seals journal records, when this backend encrypts state
    /// (the encryption crate's decorator); `None` (the default) writes them as plain JSON.
    fn journal_codec(&self) -> Option<std::sync::Arc<dyn crate::journal::JournalCodec>> {
        None
    }

    /// The local file where [`crate::StateManager`] journals changes for `workspace`.
    /// Remote backends return a path under the working directory's `.terraform/`.
    fn journal_path(&self, workspace: &str) -> PathBuf;
}

/// Terraform's rule for workspace names: non-empty and unchanged by Go's `url.PathEscape`
/// (letters, digits, `-_.~$&+:=@`), so no path separators.
pub fn validate_workspace_name(name: &str) -> Result<(), StateError> {
    let ok = !name.is_empty()
        && name != "."
        && name != ".."
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'_' | b'.' | b'~' | b'$' | b'&' | b'+' | b':' | b'=' | b'@')
        });
    if ok {
        Ok(())
    } else {
        Err(StateError::InvalidWorkspaceName(name.to_string()))
    }
}

/// Deletes a workspace the way `workspace delete` should: never `default`, and not one that
/// still tracks resources unless `force`.
pub async fn delete_workspace_checked(
    backend: &dyn StateBackend,
    workspace: &str,
    force: bool,
) -> Result<(), StateError> {
    if workspace == DEFAULT_WORKSPACE {
        return Err(StateError::DeleteDefaultWorkspace);
    }
    validate_workspace_name(workspace)?;
    if !backend.workspaces().await?.iter().any(|w| w == workspace) {
        return Err(StateError::WorkspaceNotFound(workspace.to_string()));
    }
    if !force {
        if let Some(st) = backend.read(workspace).await? {
            let resources: Vec<String> = st
                .instances()
                .filter(|(a, _)| a.mode == crate::model::Mode::Managed)
                .map(|(a, _)| a.to_string())
                .collect();
            if !resources.is_empty() {
                return Err(StateError::WorkspaceNotEmpty { name: workspace.to_string(), resources });
            }
        }
    }
    backend.delete_workspace(workspace).await
}
