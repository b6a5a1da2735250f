//! [`EncryptedBackend`]: a [`StateBackend`] decorator that encrypts every snapshot before
//! the wrapped backend sees it, decrypts on read, and seals the local journal.
//!
//! The wrapped backend stores what [`State::to_json`] returns; an encrypted snapshot is
//! handed to it as a [`State::opaque`] stand-in whose `to_json` is the envelope. Reading an
//! envelope, the wrapped backend answers [`StateError::Encrypted`] with the stored bytes,
//! which this decorator decrypts.

use crate::config::Encryption;
use crate::envelope;
use async_trait::async_trait;
use plinth_sdk::Diagnostic;
use plinth_state::{JournalCodec, LockInfo, State, StateBackend, StateError};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Encrypts state on its way to `inner` and decrypts it on the way back.
pub struct EncryptedBackend {
    inner: Arc<dyn StateBackend>,
    enc: Arc<Encryption>,
    /// Set when a read found plaintext or fallback-encrypted state that the next write
    /// migrates.
    migrating: AtomicBool,
}

impl EncryptedBackend {
    pub fn new(inner: Arc<dyn StateBackend>, enc: Arc<Encryption>) -> EncryptedBackend {
        EncryptedBackend { inner, enc, migrating: AtomicBool::new(false) }
    }

    /// [`EncryptedBackend::new`] as a trait object.
    pub fn wrap(inner: Arc<dyn StateBackend>, enc: Arc<Encryption>) -> Arc<dyn StateBackend> {
        Arc::new(EncryptedBackend::new(inner, enc))
    }

    /// Whether a read found state that the next write re-encrypts (plaintext read through an
    /// `unencrypted` fallback, or a fallback key).
    pub fn migration_pending(&self) -> bool {
        self.migrating.load(Ordering::Relaxed)
    }

    /// The encryption configuration.
    pub fn encryption(&self) -> &Arc<Encryption> {
        &self.enc
    }
}

fn to_state_error(d: Diagnostic) -> StateError {
    StateError::Encryption {
        summary: d.summary,
        message: d.detail.unwrap_or_default(),
        help: d.help.join("; "),
    }
}

#[async_trait]
impl StateBackend for EncryptedBackend {
    async fn read(&self, workspace: &str) -> Result<Option<State>, StateError> {
        let stored = match self.inner.read(workspace).await {
            Ok(None) => return Ok(None),
            Ok(Some(st)) => st.to_json(),
            Err(StateError::Encrypted { payload }) => payload,
            Err(e) => return Err(e),
        };
        let d = self.enc.decrypt_state(&stored).map_err(to_state_error)?;
        if d.used_fallback || (d.was_plaintext && self.enc.encrypts_state()) {
            self.migrating.store(true, Ordering::Relaxed);
        }
        State::from_json(&d.data).map(Some).map_err(|e| match e {
            StateError::Encrypted { .. } => StateError::Invalid { message: "the decrypted state is itself encrypted".into() },
            e => e,
        })
    }

    async fn write(&self, workspace: &str, state: &State) -> Result<(), StateError> {
        let plain = state.to_json();
        let out = self.enc.encrypt_state(&plain).map_err(to_state_error)?;
        let res = if out == plain {
            self.inner.write(workspace, state).await
        } else {
            self.inner.write(workspace, &State::opaque(out)).await
        };
        if res.is_ok() {
            self.migrating.store(false, Ordering::Relaxed);
        }
        res
    }

    async fn lock(&self, workspace: &str, info: &LockInfo) -> Result<(), StateError> {
        self.inner.lock(workspace, info).await
    }

    async fn unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        self.inner.unlock(workspace, id).await
    }

    async fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        self.inner.force_unlock(workspace, id).await
    }

    async fn lock_info(&self, workspace: &str) -> Result<Option<LockInfo>, StateError> {
        self.inner.lock_info(workspace).await
    }

    async fn renew_lock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        self.inner.renew_lock(workspace, id).await
    }

    fn lock_renew_interval(&self) -> Option<Duration> {
        self.inner.lock_renew_interval()
    }

    fn stale_locks_are_dead(&self) -> bool {
        self.inner.stale_locks_are_dead()
    }

    fn unlock_blocking(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        self.inner.unlock_blocking(workspace, id)
    }

    async fn workspaces(&self) -> Result<Vec<String>, StateError> {
        self.inner.workspaces().await
    }

    async fn create_workspace(&self, workspace: &str) -> Result<(), StateError> {
        self.inner.create_workspace(workspace).await?;
        // Backends seed a new workspace with an empty plaintext state: encrypt it right away.
        if self.enc.encrypts_state() {
            if let Ok(Some(st)) = self.inner.read(workspace).await {
                self.write(workspace, &st).await?;
            }
        }
        Ok(())
    }

    async fn delete_workspace(&self, workspace: &str) -> Result<(), StateError> {
        self.inner.delete_workspace(workspace).await
    }

    fn journal_path(&self, workspace: &str) -> PathBuf {
        self.inner.journal_path(workspace)
    }

    fn journal_codec(&self) -> Option<Arc<dyn JournalCodec>> {
        if self.enc.encrypts_state() {
            Some(Arc::new(Codec { enc: self.enc.clone() }))
        } else {
            self.inner.journal_codec()
        }
    }
}

/// Seals journal records with the state target's method: each record is a one-line
/// envelope.
struct Codec {
    enc: Arc<Encryption>,
}

impl JournalCodec for Codec {
    fn seal(&self, plain: &[u8]) -> Result<String, String> {
        let out = self.enc.encrypt_state(plain).map_err(|d| format!("{}: {}", d.summary, d.detail.unwrap_or_default()))?;
        String::from_utf8(out).map_err(|_| "the envelope is not text. This is a bug in Plinth.".into())
    }

    fn open(&self, sealed: &str) -> Result<Vec<u8>, String> {
        if !envelope::is_envelope(sealed.as_bytes()) {
            return Err("a sealed record is not an encryption envelope".into());
        }
        self.enc
            .decrypt_state(sealed.as_bytes())
            .map(|d| d.data)
            .map_err(|d| format!("{} ({})", d.summary, d.help.join("; ")))
    }
}
