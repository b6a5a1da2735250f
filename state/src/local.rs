//! The local backend: `terraform.tfstate` in the working directory, other workspaces under
//! `terraform.tfstate.d/NAME/terraform.tfstate`, exactly where Terraform keeps them.
//!
//! Writes are atomic (temp file in the same directory, fsync, rename, fsync of the directory)
//! with mode 0600; the first write of a process copies the previous snapshot to
//! `terraform.tfstate.backup`, as Terraform does.
//!
//! Locks are the file `.terraform.tfstate.lock.info` (Terraform's lock info JSON) created
//! exclusively (born complete through a hard link, or `O_EXCL`) and held with an OS advisory
//! lock (`flock`) for as long as the lock is held. The OS drops the `flock` when the holder
//! dies, so a lock file whose `flock` is free was left by a killed process: it is reported as
//! stale ([`StateError::StaleLock`]) with the holder's info and `plinth force-unlock ID`.
//! Terraform's own lock, a POSIX `fcntl` lock on the state file, is taken too while we hold
//! the lock, so Terraform and Plinth exclude each other on the same directory.

use crate::backend::{validate_workspace_name, StateBackend, DEFAULT_WORKSPACE};
use crate::error::StateError;
use crate::format::to_go_compact_json;
use crate::lock::LockInfo;
use crate::model::State;
use async_trait::async_trait;
use rustix::fs::FlockOperation;
use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The default state file name.
pub const STATE_FILE: &str = "terraform.tfstate";
/// The directory holding non-default workspaces.
pub const WORKSPACE_DIR: &str = "terraform.tfstate.d";

/// State files on the local disk.
pub struct LocalBackend {
    path: PathBuf,
    workspace_dir: PathBuf,
    backup: bool,
    held: Mutex<HashMap<String, HeldLock>>,
    backed_up: Mutex<HashSet<String>>,
}

struct HeldLock {
    id: String,
    lock_path: PathBuf,
    /// Holds the `flock`; closing it releases the lock.
    _file: File,
    /// Terraform's own lock: a POSIX `fcntl` write lock on the state file, so a Terraform
    /// process sees our lock too. POSIX locks vanish when any descriptor of the file is
    /// closed by this process and stay with the old inode on rename, so it is re-taken
    /// after every read and write ([`LocalBackend::retake_state_lock`]).
    state_file: Option<File>,
    /// The state file did not exist before we locked: remove it on unlock if still empty.
    created_state: bool,
}

/// Takes Terraform's `fcntl` lock on the state file, creating it empty if needed, as
/// Terraform does (and, like Terraform, [`LocalBackend`] removes it again on unlock if it
/// is still empty). `Err` when another process holds it; `Ok(None)` when the filesystem
/// has no POSIX locks. The flag tells whether the file was created here.
fn lock_state_file(state_path: &Path) -> Result<Option<(File, bool)>, ()> {
    let open = |create_new: bool| {
        let mut o = OpenOptions::new();
        o.read(true).write(true).mode(0o600);
        if create_new {
            o.create_new(true);
        }
        o.open(state_path)
    };
    let (f, created) = match open(true) {
        Ok(f) => (f, true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match open(false) {
            Ok(f) => (f, false),
            Err(_) => return Ok(None),
        },
        Err(_) => return Ok(None),
    };
    match rustix::fs::fcntl_lock(&f, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(Some((f, created))),
        Err(e) if e == rustix::io::Errno::AGAIN || e == rustix::io::Errno::ACCESS => {
            if created {
                let _ = fs::remove_file(state_path);
            }
            Err(())
        }
        Err(_) => Ok(Some((f, created))),
    }
}

impl LocalBackend {
    /// `dir/terraform.tfstate` and `dir/terraform.tfstate.d/` (Terraform's defaults).
    pub fn new(dir: impl AsRef<Path>) -> LocalBackend {
        let dir = dir.as_ref();
        LocalBackend::with_paths(dir.join(STATE_FILE), dir.join(WORKSPACE_DIR))
    }

    /// A custom state path and workspace directory (`backend "local" { path, workspace_dir }`).
    pub fn with_paths(path: impl Into<PathBuf>, workspace_dir: impl Into<PathBuf>) -> LocalBackend {
        LocalBackend {
            path: path.into(),
            workspace_dir: workspace_dir.into(),
            backup: true,
            held: Mutex::new(HashMap::new()),
            backed_up: Mutex::new(HashSet::new()),
        }
    }

    /// Disables `terraform.tfstate.backup` (Terraform's `-backup=-`).
    pub fn without_backup(mut self) -> LocalBackend {
        self.backup = false;
        self
    }

    /// The state file of `workspace`.
    pub fn state_path(&self, workspace: &str) -> PathBuf {
        if workspace == DEFAULT_WORKSPACE {
            self.path.clone()
        } else {
            self.workspace_dir.join(workspace).join(STATE_FILE)
        }
    }

    /// `terraform.tfstate.backup` beside the state file.
    pub fn backup_path(&self, workspace: &str) -> PathBuf {
        sibling(&self.state_path(workspace), "", ".backup")
    }

    /// `.terraform.tfstate.lock.info` beside the state file.
    pub fn lock_path(&self, workspace: &str) -> PathBuf {
        sibling(&self.state_path(workspace), ".", ".lock.info")
    }

    fn display_path(&self, workspace: &str) -> String {
        let p = self.state_path(workspace);
        let s = p.to_string_lossy();
        s.strip_prefix("./").unwrap_or(&s).to_string()
    }

    fn lock_sync(&self, workspace: &str, info: &LockInfo) -> Result<(), StateError> {
        validate_workspace_name(workspace)?;
        let lock_path = self.lock_path(workspace);
        let dir = parent_dir(&lock_path);
        fs::create_dir_all(&dir).map_err(|e| StateError::io("create", &dir, e))?;
        let mut info = info.clone();
        info.path = self.display_path(workspace);
        let body = to_go_compact_json(&info);
        for _ in 0..20 {
            match create_lock_file(&lock_path, &body) {
                Ok(file) => {
                    let (state_file, created_state) = match lock_state_file(&self.state_path(workspace)) {
                        Ok(Some((f, created))) => (Some(f), created),
                        Ok(None) => (None, false),
                        Err(()) => {
                            // A Terraform process holds the state (it is about to overwrite
                            // the lock info with its own).
                            let _ = fs::remove_file(&lock_path);
                            drop(file);
                            let mut held = unknown_lock(&lock_path);
                            held.info = "locked by a Terraform process".into();
                            return Err(StateError::Locked(held));
                        }
                    };
                    remove_stale_temp_files(&self.state_path(workspace));
                    self.held_map().insert(
                        workspace.to_string(),
                        HeldLock { id: info.id.clone(), lock_path, _file: file, state_file, created_state },
                    );
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(StateError::io("create the lock file", &lock_path, e)),
            }
            match inspect_lock(&lock_path)? {
                LockState::Gone => continue,
                LockState::Live(held) => return Err(StateError::Locked(held)),
                LockState::Stale(held) => {
                    if terraform_holds(&self.state_path(workspace)) {
                        return Err(StateError::Locked(held));
                    }
                    return Err(StateError::StaleLock(held));
                }
            }
        }
        Err(StateError::Locked(read_lock_info(&lock_path).unwrap_or_else(|| unknown_lock(&lock_path))))
    }

    /// Re-takes the `fcntl` lock on the state file after this process read or replaced it.
    fn retake_state_lock(&self, workspace: &str) {
        let mut held = self.held_map();
        if let Some(h) = held.get_mut(workspace) {
            // Close the old descriptor first: closing it later would drop the new lock too
            // when the inode is the same.
            h.state_file = None;
            h.state_file = lock_state_file(&self.state_path(workspace)).ok().flatten().map(|(f, _)| f);
        }
    }

    fn held_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, HeldLock>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn unlock_sync(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        let mut held = self.held_map();
        match held.remove(workspace) {
            Some(h) if h.id == id => {
                if h.created_state {
                    let sp = self.state_path(workspace);
                    if fs::metadata(&sp).map(|m| m.len() == 0).unwrap_or(false) {
                        let _ = fs::remove_file(&sp);
                    }
                }
                // Remove the file while still holding the flock, then close.
                let r = fs::remove_file(&h.lock_path);
                drop(h);
                match r {
                    Ok(()) => Ok(()),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                    Err(e) => Err(StateError::io("remove the lock file", self.lock_path(workspace), e)),
                }
            }
            Some(h) => {
                let lock_path = h.lock_path.clone();
                held.insert(workspace.to_string(), h);
                Err(StateError::LockIdMismatch {
                    given: id.to_string(),
                    held: read_lock_info(&lock_path).unwrap_or_else(|| unknown_lock(&lock_path)),
                })
            }
            None => {
                drop(held);
                match read_lock_info(&self.lock_path(workspace)) {
                    Some(h) if h.id != id => Err(StateError::LockIdMismatch { given: id.to_string(), held: h }),
                    Some(h) => Err(StateError::LockInUse(h)),
                    None => Err(StateError::NotLocked),
                }
            }
        }
    }

    fn force_unlock_sync(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        let ours = self.held_map().get(workspace).map(|h| h.id.clone());
        if ours.as_deref() == Some(id) {
            return self.unlock_sync(workspace, id);
        }
        let lock_path = self.lock_path(workspace);
        let info = match read_lock_info(&lock_path) {
            Some(i) => i,
            None if lock_path.exists() => unknown_lock(&lock_path),
            None => return Err(StateError::NotLocked),
        };
        if info.id != id {
            return Err(StateError::LockIdMismatch { given: id.to_string(), held: info });
        }
        match inspect_lock(&lock_path)? {
            LockState::Gone => Ok(()),
            LockState::Live(h) => Err(StateError::LockInUse(h)),
            LockState::Stale(_) => match fs::remove_file(&lock_path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(StateError::io("remove the lock file", &lock_path, e)),
            },
        }
    }

    fn write_sync(&self, workspace: &str, bytes: &[u8]) -> Result<(), StateError> {
        validate_workspace_name(workspace)?;
        let path = self.state_path(workspace);
        let dir = parent_dir(&path);
        fs::create_dir_all(&dir).map_err(|e| StateError::io("create", &dir, e))?;
        if self.backup {
            let first = self
                .backed_up
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(workspace.to_string());
            if first {
                match fs::read(&path) {
                    Ok(prev) if !prev.is_empty() => {
                        atomic_write(&self.backup_path(workspace), &prev)?;
                    }
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(StateError::io("read", &path, e)),
                }
            }
        }
        let r = atomic_write(&path, bytes);
        self.retake_state_lock(workspace);
        r
    }
}

/// `dir/<prefix><file name><suffix>`.
fn sibling(path: &Path, prefix: &str, suffix: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| STATE_FILE.into());
    parent_dir(path).join(format!("{prefix}{name}{suffix}"))
}

pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `bytes` to `path` atomically and durably: a 0600 temp file in the same directory,
/// fsync, rename over `path`, fsync of the directory.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let dir = parent_dir(path);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(&dir)
        .map_err(|e| StateError::io("create a temporary file in", &dir, e))?;
    tmp.write_all(bytes).map_err(|e| StateError::io("write", tmp.path().to_path_buf(), e))?;
    tmp.as_file().sync_all().map_err(|e| StateError::io("sync", tmp.path().to_path_buf(), e))?;
    tmp.persist(path).map_err(|e| StateError::io("replace", path, e.error))?;
    sync_dir(&dir)
}

/// Temp files older than this, left by a killed writer, are removed by the next lock holder.
const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// Removes `.terraform.tfstate.*.tmp` files (unfinished snapshot, backup and lock temp
/// files of killed processes) older than [`STALE_TEMP_AGE`] beside `state_path`.
fn remove_stale_temp_files(state_path: &Path) {
    let dir = parent_dir(state_path);
    let Some(name) = state_path.file_name().and_then(|n| n.to_str()) else { return };
    let prefix = format!(".{name}.");
    let Ok(rd) = fs::read_dir(&dir) else { return };
    for e in rd.flatten() {
        let n = e.file_name();
        let Some(n) = n.to_str() else { continue };
        if !(n.starts_with(&prefix) && n.ends_with(".tmp")) {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= STALE_TEMP_AGE);
        if old {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// fsyncs a directory so a rename or create in it survives a power loss.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StateError> {
    let d = File::open(dir).map_err(|e| StateError::io("open", dir, e))?;
    d.sync_all().map_err(|e| StateError::io("sync", dir, e))
}

/// Creates the lock file already complete and flocked: write a temp file, flock it, then
/// hard-link it into place (atomic, fails if the lock exists). Falls back to `O_EXCL`.
fn create_lock_file(lock_path: &Path, body: &[u8]) -> io::Result<File> {
    let tmp = sibling(lock_path, "", &format!(".{}.tmp", crate::model::new_lineage()));
    let mut f = OpenOptions::new().write(true).read(true).create_new(true).mode(0o600).open(&tmp)?;
    let result = (|| {
        f.write_all(body)?;
        f.sync_all()?;
        rustix::fs::flock(&f, FlockOperation::NonBlockingLockExclusive)?;
        fs::hard_link(&tmp, lock_path)
    })();
    let _ = fs::remove_file(&tmp);
    match result {
        Ok(()) => Ok(f),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            // No hard links here (some network/FUSE filesystems): O_EXCL create, then flock.
            drop(f);
            let mut f = OpenOptions::new().write(true).read(true).create_new(true).mode(0o600).open(lock_path)?;
            rustix::fs::flock(&f, FlockOperation::NonBlockingLockExclusive)?;
            f.write_all(body)?;
            f.sync_all()?;
            Ok(f)
        }
    }
}

enum LockState {
    /// The lock file disappeared meanwhile: try again.
    Gone,
    Live(LockInfo),
    Stale(LockInfo),
}

/// Tells whether an existing lock file is held by a live process.
fn inspect_lock(lock_path: &Path) -> Result<LockState, StateError> {
    let f = match File::open(lock_path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(LockState::Gone),
        Err(e) => return Err(StateError::io("open the lock file", lock_path, e)),
    };
    let info = read_info_from(&f).unwrap_or_else(|| unknown_lock(lock_path));
    match rustix::fs::flock(&f, FlockOperation::NonBlockingLockShared) {
        Err(e) if e == rustix::io::Errno::WOULDBLOCK || e == rustix::io::Errno::AGAIN => Ok(LockState::Live(info)),
        Err(e) => Err(StateError::io("lock", lock_path, e.into())),
        Ok(()) => {
            // Free flock: either the holder died, or it unlocked (removed the file) between
            // our open and our flock. Only the former leaves the same file in place.
            let same = match (f.metadata(), fs::metadata(lock_path)) {
                (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
                _ => false,
            };
            if !same {
                return Ok(LockState::Gone);
            }
            // A lock file with a free flock but a young, empty body may be mid-creation by
            // the O_EXCL fallback; treat it as live.
            if info.id.is_empty() {
                return Ok(LockState::Live(info));
            }
            Ok(LockState::Stale(info))
        }
    }
}

fn read_info_from(mut f: &File) -> Option<LockInfo> {
    let mut s = String::new();
    f.read_to_string(&mut s).ok()?;
    serde_json::from_str(&s).ok()
}

fn read_lock_info(lock_path: &Path) -> Option<LockInfo> {
    let s = fs::read(lock_path).ok()?;
    serde_json::from_slice(&s).ok()
}

fn unknown_lock(lock_path: &Path) -> LockInfo {
    LockInfo {
        id: String::new(),
        operation: String::new(),
        info: format!("unreadable lock file {}", lock_path.display()),
        who: String::new(),
        version: String::new(),
        created: String::new(),
        path: String::new(),
    }
}

/// Whether a Terraform process holds its `fcntl` lock on the state file.
fn terraform_holds(state_path: &Path) -> bool {
    let Ok(f) = File::open(state_path) else { return false };
    match rustix::fs::fcntl_lock(&f, FlockOperation::NonBlockingLockShared) {
        Ok(()) => false, // released when `f` closes (we hold no other POSIX lock on it)
        Err(e) => e == rustix::io::Errno::AGAIN || e == rustix::io::Errno::ACCESS,
    }
}

#[async_trait]
impl StateBackend for LocalBackend {
    async fn read(&self, workspace: &str) -> Result<Option<State>, StateError> {
        validate_workspace_name(workspace)?;
        let path = self.state_path(workspace);
        let read = fs::read(&path);
        self.retake_state_lock(workspace);
        match read {
            Ok(b) if b.iter().all(u8::is_ascii_whitespace) => Ok(None),
            Ok(b) => State::from_json(&b).map(Some).map_err(|e| match e {
                StateError::Invalid { message } => StateError::Invalid { message: format!("{}: {message}", path.display()) },
                e => e,
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StateError::io("read", &path, e)),
        }
    }

    async fn write(&self, workspace: &str, state: &State) -> Result<(), StateError> {
        let bytes = state.to_json();
        self.write_sync(workspace, &bytes)
    }

    async fn lock(&self, workspace: &str, info: &LockInfo) -> Result<(), StateError> {
        self.lock_sync(workspace, info)
    }

    async fn unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        self.unlock_sync(workspace, id)
    }

    fn stale_locks_are_dead(&self) -> bool {
        true
    }

    async fn force_unlock(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        self.force_unlock_sync(workspace, id)
    }

    async fn lock_info(&self, workspace: &str) -> Result<Option<LockInfo>, StateError> {
        let p = self.lock_path(workspace);
        if !p.exists() {
            return Ok(None);
        }
        Ok(Some(read_lock_info(&p).unwrap_or_else(|| unknown_lock(&p))))
    }

    fn unlock_blocking(&self, workspace: &str, id: &str) -> Result<(), StateError> {
        self.unlock_sync(workspace, id)
    }

    async fn workspaces(&self) -> Result<Vec<String>, StateError> {
        let mut names = Vec::new();
        match fs::read_dir(&self.workspace_dir) {
            Ok(rd) => {
                for e in rd.flatten() {
                    if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                        if let Some(n) = e.file_name().to_str() {
                            if n != DEFAULT_WORKSPACE {
                                names.push(n.to_string());
                            }
                        }
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(StateError::io("list", &self.workspace_dir, e)),
        }
        names.sort();
        names.insert(0, DEFAULT_WORKSPACE.to_string());
        Ok(names)
    }

    async fn create_workspace(&self, workspace: &str) -> Result<(), StateError> {
        validate_workspace_name(workspace)?;
        let dir = self.workspace_dir.join(workspace);
        if workspace == DEFAULT_WORKSPACE || dir.is_dir() {
            return Err(StateError::WorkspaceExists(workspace.to_string()));
        }
        fs::create_dir_all(&dir).map_err(|e| StateError::io("create", &dir, e))
    }

    async fn delete_workspace(&self, workspace: &str) -> Result<(), StateError> {
        if workspace == DEFAULT_WORKSPACE {
            return Err(StateError::DeleteDefaultWorkspace);
        }
        validate_workspace_name(workspace)?;
        let dir = self.workspace_dir.join(workspace);
        match fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StateError::WorkspaceNotFound(workspace.to_string())),
            Err(e) => Err(StateError::io("delete", &dir, e)),
        }
    }

    fn journal_path(&self, workspace: &str) -> PathBuf {
        sibling(&self.state_path(workspace), ".", ".journal")
    }
}

/// The selected workspace of the working directory `dir` (`.terraform/environment`),
/// `default` when none was selected. (`TF_WORKSPACE` overrides it; that is the CLI's job.)
pub fn current_workspace(dir: &Path) -> Result<String, StateError> {
    let p = dir.join(".terraform").join("environment");
    match fs::read_to_string(&p) {
        Ok(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Ok(_) => Ok(DEFAULT_WORKSPACE.to_string()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(DEFAULT_WORKSPACE.to_string()),
        Err(e) => Err(StateError::io("read", &p, e)),
    }
}

/// Records `name` as the selected workspace of `dir`, as `terraform workspace select` does.
pub fn select_workspace(dir: &Path, name: &str) -> Result<(), StateError> {
    validate_workspace_name(name)?;
    let d = dir.join(".terraform");
    fs::create_dir_all(&d).map_err(|e| StateError::io("create", &d, e))?;
    let p = d.join("environment");
    fs::write(&p, name).map_err(|e| StateError::io("write", &p, e))
}
