//! Errors of the state layer, each convertible to a user-facing [`Diagnostic`].

use crate::lock::LockInfo;
use plinth_sdk::Diagnostic;
use std::path::PathBuf;

/// Everything that can go wrong reading, writing or locking state.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("failed to {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid state: {message}")]
    Invalid { message: String },
    #[error("unsupported state format version {0}")]
    UnsupportedVersion(u64),
    /// The lock is held by a live process (or, for remote backends, an unexpired lease).
    #[error("Error acquiring the state lock\n\nError message: the state is locked by another process\n{0}")]
    Locked(LockInfo),
    /// A lock file was left by a process that no longer runs.
    #[error("Error acquiring the state lock\n\nError message: the lock was left by a process that is no longer running\n{0}")]
    StaleLock(LockInfo),
    /// `unlock`/`force_unlock` with an ID that is not the holder's.
    #[error("lock ID {given:?} does not match the existing lock ID {:?}", held.id)]
    LockIdMismatch { given: String, held: LockInfo },
    /// `unlock`/`force_unlock` when no lock is held.
    #[error("the state is not locked")]
    NotLocked,
    /// `force_unlock` of a lock held by a process that is still running.
    #[error("the state lock is held by a running process\n{0}")]
    LockInUse(LockInfo),
    /// A conditional write lost a race (remote backends).
    #[error("the state was modified concurrently: {0}")]
    Conflict(String),
    #[error("cannot import state with lineage {new:?} over unrelated state with lineage {current:?}")]
    LineageMismatch { current: String, new: String },
    #[error("cannot import state with serial {new} over newer state with serial {current}")]
    SerialTooLow { current: u64, new: u64 },
    /// The journal is unreadable in a way a crash cannot explain.
    #[error("the state journal {} is damaged at line {line}: {message}", path.display())]
    Journal { path: PathBuf, line: usize, message: String },
    #[error("workspace {0:?} does not exist")]
    WorkspaceNotFound(String),
    #[error("workspace {0:?} already exists")]
    WorkspaceExists(String),
    #[error("the workspace name {0:?} is not allowed")]
    InvalidWorkspaceName(String),
    #[error("the \"default\" workspace cannot be deleted")]
    DeleteDefaultWorkspace,
    #[error("workspace {name:?} is currently tracking {} resource instance(s)", resources.len())]
    WorkspaceNotEmpty { name: String, resources: Vec<String> },
    /// The stored state is encrypted (OpenTofu's envelope); `payload` is what is stored, for
    /// the decrypting decorator of `plinth-encryption`.
    #[error("the state is encrypted, and no encryption is configured to decrypt it")]
    Encrypted { payload: Vec<u8> },
    /// Encryption or decryption failed; `message` says why (a complete sentence).
    #[error("{summary}: {message}")]
    Encryption { summary: String, message: String, help: String },
}

impl StateError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StateError::Io { action, path: path.into(), source }
    }

    /// The error as a diagnostic with a detail sentence and a fix in `help`.
    pub fn to_diagnostic(&self) -> Diagnostic {
        const LOCK_DETAIL: &str = "Plinth acquires a state lock to protect the state from being written by multiple users at the same time.";
        match self {
            StateError::Io { action, path, source } => Diagnostic::error(format!("failed to {action} {}", path.display()))
                .with_detail(format!("The operating system reported: {source}."))
                .with_help("Check that the path exists and that you may read and write it."),
            StateError::Invalid { message } => Diagnostic::error("invalid state file")
                .with_detail(format!("{}.", upper_first(message)))
                .with_help("Restore the previous snapshot from terraform.tfstate.backup, or fix the file by hand and check it with `plinth state list`."),
            StateError::UnsupportedVersion(v) => Diagnostic::error(format!("unsupported state format version {v}"))
                .with_detail(format!("This state file uses format version {v}; Plinth reads and writes version 4, the format of Terraform 0.12 and later."))
                .with_help(if *v < 4 { "Upgrade the state with Terraform 0.12 or later (`terraform apply -refresh-only`) first." } else { "This state was written by a newer tool; use that tool, or a newer Plinth." }),
            StateError::Locked(info) => Diagnostic::error("Error acquiring the state lock")
                .with_detail(format!("Error message: the state is locked by another process\n{info}\n\n{LOCK_DETAIL}"))
                .with_help(format!("Wait for the other operation to finish, or wait longer with `-lock-timeout=5m`. If no operation is running, release the lock with `plinth force-unlock {}`.", info.id)),
            StateError::StaleLock(info) => Diagnostic::error("Error acquiring the state lock")
                .with_detail(format!("Error message: the lock was left by a process that is no longer running (it was killed or crashed)\n{info}\n\n{LOCK_DETAIL} Any changes that process completed were journaled and will be recovered on the next run."))
                .with_help(format!("Release the stale lock with `plinth force-unlock {}`, then run the command again.", info.id)),
            StateError::LockIdMismatch { given, held } => Diagnostic::error("lock ID does not match")
                .with_detail(format!("The lock ID {given:?} does not match the existing lock.\n{held}"))
                .with_help(format!("Use the ID of the existing lock: `plinth force-unlock {}`.", held.id)),
            StateError::NotLocked => Diagnostic::error("the state is not locked")
                .with_detail("There is no lock to release.".to_string()),
            StateError::LockInUse(info) => Diagnostic::error("the state lock is in use")
                .with_detail(format!("The lock is held by a process that is still running on this machine.\n{info}"))
                .with_help("Wait for that operation to finish, or stop it; its lock is released when it exits."),
            StateError::Conflict(m) => Diagnostic::error("the state was modified concurrently")
                .with_detail(format!("{}.", upper_first(m)))
                .with_help("Run the command again; it will read the latest state."),
            StateError::LineageMismatch { current, new } => Diagnostic::error("state lineage does not match")
                .with_detail(format!("Cannot import state with lineage {new:?} over unrelated state with lineage {current:?}."))
                .with_help("Make sure you are pushing the right state file; use `-force` to overwrite anyway."),
            StateError::SerialTooLow { current, new } => Diagnostic::error("state serial is older than the current one")
                .with_detail(format!("Cannot import state with serial {new} over newer state with serial {current}."))
                .with_help("Pull the current state and reapply your change to it; use `-force` to overwrite anyway."),
            StateError::Journal { path, line, message } => Diagnostic::error("damaged state journal")
                .with_detail(format!("The state journal {} is damaged at line {line}: {message}. A crash can only damage the last line, so the file was changed by something else.", path.display()))
                .with_help(format!("Move {} aside to continue without the journaled changes; the resources they describe will show up as drift in the next plan.", path.display())),
            StateError::WorkspaceNotFound(n) => Diagnostic::error(format!("workspace {n:?} does not exist"))
                .with_help("List workspaces with `plinth workspace list`, or create it with `plinth workspace new`."),
            StateError::WorkspaceExists(n) => Diagnostic::error(format!("workspace {n:?} already exists"))
                .with_help(format!("Select it with `plinth workspace select {n}`.")),
            StateError::InvalidWorkspaceName(n) => Diagnostic::error("invalid workspace name")
                .with_detail(format!("The workspace name {n:?} is not allowed. The name must contain only URL safe characters, contain no path separators, and not be empty."))
                .with_help("Use letters, digits, `-`, `_` and `.`."),
            StateError::DeleteDefaultWorkspace => Diagnostic::error("cannot delete the default workspace")
                .with_detail("The \"default\" workspace always exists.".to_string()),
            StateError::WorkspaceNotEmpty { name, resources } => Diagnostic::error(format!("workspace {name:?} is not empty"))
                .with_detail(format!("Workspace {name:?} is currently tracking the following resource instances:\n{}\nDeleting it would forget them without destroying them.", resources.iter().map(|r| format!("  - {r}")).collect::<Vec<_>>().join("\n")))
                .with_help(format!("Destroy them first (`plinth destroy` in that workspace), or delete anyway with `plinth workspace delete -force {name}`.")),
            StateError::Encrypted { .. } => Diagnostic::error("the state is encrypted")
                .with_detail("The stored state is an encrypted envelope (OpenTofu's format), and this configuration has no `encryption` block to decrypt it.")
                .with_help("Add the `terraform { encryption { … } }` block (key provider, method and `state` target) that encrypted it."),
            StateError::Encryption { summary, message, help } => Diagnostic::error(summary.clone())
                .with_detail(upper_first(message))
                .with_help(help.clone()),
        }
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl StateError {
    /// A copy of the error for each of several waiters (`std::io::Error` is not `Clone`:
    /// I/O errors keep their kind and message).
    pub fn duplicate(&self) -> StateError {
        use StateError as E;
        match self {
            E::Io { action, path, source } => E::Io {
                action,
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            E::Invalid { message } => E::Invalid { message: message.clone() },
            E::UnsupportedVersion(v) => E::UnsupportedVersion(*v),
            E::Locked(i) => E::Locked(i.clone()),
            E::StaleLock(i) => E::StaleLock(i.clone()),
            E::LockIdMismatch { given, held } => E::LockIdMismatch { given: given.clone(), held: held.clone() },
            E::NotLocked => E::NotLocked,
            E::LockInUse(i) => E::LockInUse(i.clone()),
            E::Conflict(m) => E::Conflict(m.clone()),
            E::LineageMismatch { current, new } => E::LineageMismatch { current: current.clone(), new: new.clone() },
            E::SerialTooLow { current, new } => E::SerialTooLow { current: *current, new: *new },
            E::Journal { path, line, message } => E::Journal { path: path.clone(), line: *line, message: message.clone() },
            E::WorkspaceNotFound(n) => E::WorkspaceNotFound(n.clone()),
            E::WorkspaceExists(n) => E::WorkspaceExists(n.clone()),
            E::InvalidWorkspaceName(n) => E::InvalidWorkspaceName(n.clone()),
            E::DeleteDefaultWorkspace => E::DeleteDefaultWorkspace,
            E::WorkspaceNotEmpty { name, resources } => E::WorkspaceNotEmpty { name: name.clone(), resources: resources.clone() },
            E::Encrypted { payload } => E::Encrypted { payload: payload.clone() },
            E::Encryption { summary, message, help } => E::Encryption { summary: summary.clone(), message: message.clone(), help: help.clone() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> LockInfo {
        LockInfo {
            id: "ba28c26d-69f3-d19c-b101-6180c0e46777".into(),
            operation: "OperationTypeApply".into(),
            info: String::new(),
            who: "root@vm".into(),
            version: "0.1.0".into(),
            created: "2026-11-27T15:33:43.134276453Z".into(),
            path: "terraform.tfstate".into(),
        }
    }

    #[test]
    fn locked_renders_like_terraform() {
        assert_eq!(
            StateError::Locked(info()).to_string(),
            "Error acquiring the state lock

Error message: the state is locked by another process
Lock Info:
  ID:        ba28c26d-69f3-d19c-b101-6180c0e46777
  Path:      terraform.tfstate
  Operation: OperationTypeApply
  Who:       root@vm
  Version:   0.1.0
  Created:   2026-11-27 15:33:43.134276453 +0000 UTC
  Info:      "
        );
        let d = StateError::StaleLock(info()).to_diagnostic();
        assert_eq!(d.summary, "Error acquiring the state lock");
        assert_eq!(
            d.help,
            ["Release the stale lock with `plinth force-unlock ba28c26d-69f3-d19c-b101-6180c0e46777`, then run the command again."]
        );
        assert!(d.detail.unwrap().starts_with(
            "Error message: the lock was left by a process that is no longer running (it was killed or crashed)\nLock Info:\n  ID:        ba28c26d"
        ));
    }

    #[test]
    fn duplicate_keeps_the_message() {
        let e = StateError::io("write", "/x/terraform.tfstate", std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left on device"));
        assert_eq!(e.duplicate().to_string(), e.to_string());
        assert_eq!(e.to_string(), "failed to write /x/terraform.tfstate: no space left on device");
    }
}
