//! Helpers shared by the backends: error construction, journal paths, suggestions.

use plinth_state::{validate_workspace_name, LockInfo, State, StateError};
use std::path::{Path, PathBuf};

/// A service error as a [`StateError`]: `action` (e.g. "read") on `location` (e.g.
/// `s3://bucket/key`) failed with `message`.
pub fn remote(action: &'static str, location: &str, message: impl std::fmt::Display) -> StateError {
    StateError::Io {
        action,
        path: PathBuf::from(location),
        source: std::io::Error::other(message.to_string()),
    }
}

/// Where the local journal of a remote workspace lives: `.terraform/journal/KIND/NAME.journal`.
/// The folder is created here (best effort): the journal opens the file directly.
pub fn journal_path(cwd: &Path, kind: &str, workspace: &str) -> PathBuf {
    let dir = cwd.join(".terraform").join("journal").join(kind);
    let _ = std::fs::create_dir_all(&dir);
    dir.join(format!("{workspace}.journal"))
}

/// Parses stored state bytes; empty content counts as no state (as Terraform does).
pub fn parse_state(bytes: &[u8]) -> Result<Option<State>, StateError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(None);
    }
    State::from_json(bytes).map(Some)
}

/// Checks a workspace name before it becomes part of an object name.
pub fn check_name(workspace: &str) -> Result<(), StateError> {
    validate_workspace_name(workspace)
}

/// Parses lock info JSON left by Terraform or Plinth; unparsable content still names
/// the lock (with the raw text in `Info`) so that it can be reported and released.
pub fn parse_lock_info(raw: &[u8], path: &str) -> LockInfo {
    match serde_json::from_slice::<LockInfo>(raw) {
        Ok(mut li) => {
            if li.path.is_empty() {
                li.path = path.to_string();
            }
            li
        }
        Err(_) => LockInfo {
            id: String::new(),
            operation: String::new(),
            info: format!("unreadable lock info: {}", String::from_utf8_lossy(raw)),
            who: String::new(),
            version: String::new(),
            created: String::new(),
            path: path.to_string(),
        },
    }
}

/// Lock info JSON as Terraform writes it (Go field order, compact).
pub fn lock_json(info: &LockInfo) -> Vec<u8> {
    plinth_state::format::to_go_compact_json(info)
}

/// The candidate closest to `word` by edit distance, when close enough to be a typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = levenshtein(word, c);
        if d <= (word.len().max(c.len()) / 3).max(1) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Sorts workspace names the way [`plinth_state::StateBackend::workspaces`] promises:
/// `default` first (always present), the others sorted and unique.
pub fn finish_workspaces(mut names: Vec<String>) -> Vec<String> {
    names.retain(|n| n != plinth_state::DEFAULT_WORKSPACE);
    names.sort();
    names.dedup();
    names.insert(0, plinth_state::DEFAULT_WORKSPACE.to_string());
    names
}

/// Runs `unlock` to completion on a fresh runtime in its own thread, for
/// [`plinth_state::StateBackend::unlock_blocking`] (called from `Drop` and signal handlers,
/// possibly on a runtime thread, where blocking on the caller's runtime would deadlock).
/// Gives up after 10 s: the lock then stays, and its holder's info says how to release it.
pub fn unlock_detached<F>(unlock: F) -> Result<(), StateError>
where
    F: FnOnce() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), StateError>> + Send>> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt.block_on(unlock()),
            Err(e) => Err(remote("unlock", "state", e)),
        };
        let _ = tx.send(r);
    });
    match rx.recv_timeout(std::time::Duration::from_secs(10)) {
        Ok(r) => r,
        Err(_) => Err(remote("unlock", "state", "the lock service did not answer within 10 s")),
    }
}

/// An HTTP client that keeps no idle connections: a backend may be used from several
/// runtimes in turn (the CLI starts one per step), and a pooled connection whose runtime
/// is gone fails the next request.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap_or_else(|_| reqwest::Client::new())
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("bukcet", ["bucket", "key"]), Some("bucket"));
        assert_eq!(did_you_mean("azure", ["s3", "gcs", "azurerm"]), Some("azurerm"));
        assert_eq!(did_you_mean("zzz", ["bucket"]), None);
    }
}
