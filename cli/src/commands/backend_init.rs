//! `init`'s backend bookkeeping: records the backend's type, merged configuration and hash in
//! `.terraform/terraform.tfstate` (as Terraform does), notices a changed backend, and with
//! `-migrate-state` copies every workspace from the old backend to the new one (confirmed
//! unless `-force-copy`), or with `-reconfigure` starts fresh.
//!
//! Workspaces are copied raw: an encrypted snapshot moves as its envelope, so migration
//! needs no key.

use crate::ui::Ui;
use plinth_sdk::Diagnostic;
use plinth_state::{State, StateBackend, StateError, DEFAULT_WORKSPACE};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// Terraform's record of the initialised backend.
pub const BACKEND_STATE: &str = ".terraform/terraform.tfstate";

/// A backend as recorded: type and merged arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub kind: String,
    pub config: BTreeMap<String, serde_json::Value>,
}

impl Recorded {
    /// A stable hash of the type and configuration (FNV-1a over canonical JSON).
    pub fn hash(&self) -> u64 {
        let text = serde_json::to_string(&serde_json::json!({ "type": self.kind, "config": self.config })).unwrap_or_default();
        text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
    }
}

/// The backend `init` last set up, if any.
pub fn recorded(dir: &Path) -> Option<Recorded> {
    let text = std::fs::read_to_string(dir.join(BACKEND_STATE)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let b = v.get("backend")?;
    Some(Recorded {
        kind: b["type"].as_str()?.to_string(),
        config: b["config"].as_object().map(|m| m.clone().into_iter().collect()).unwrap_or_default(),
    })
}

fn save(dir: &Path, r: Option<&Recorded>) -> Result<(), Diagnostic> {
    let path = dir.join(BACKEND_STATE);
    let Some(r) = r else {
        let _ = std::fs::remove_file(&path);
        return Ok(());
    };
    let _ = std::fs::create_dir_all(dir.join(".terraform"));
    let doc = serde_json::json!({
        "version": 3,
        "terraform_version": plinth_state::TERRAFORM_VERSION,
        "backend": { "type": r.kind, "config": r.config, "hash": r.hash() },
    });
    plinth_state::atomic_write(&path, &serde_json::to_vec_pretty(&doc).unwrap_or_default()).map_err(|e| e.to_diagnostic())
}

fn open(r: &Recorded, cwd: &Path) -> Result<Arc<dyn StateBackend>, Diagnostic> {
    plinth_backends::backend_from_config(&r.kind, &r.config, cwd)
}

/// Whether the implicit local backend has any state to move.
fn local_has_state(cwd: &Path) -> bool {
    cwd.join("terraform.tfstate").exists() || cwd.join("terraform.tfstate.d").is_dir()
}

/// Options of `init` that steer a backend change.
pub struct ChangeOpts {
    pub migrate_state: bool,
    pub reconfigure: bool,
    pub force_copy: bool,
}

/// Compares the configured backend (`new`, `None` for the implicit local one) with the
/// recorded one, migrates or refuses as asked, and records `new`.
pub fn reconcile(ui: &mut Ui, cwd: &Path, new: Option<Recorded>, opts: &ChangeOpts) -> Result<(), Diagnostic> {
    let old = recorded(cwd);
    if old == new || opts.reconfigure {
        return save(cwd, new.as_ref());
    }
    let implicit_local = || Recorded { kind: "local".into(), config: BTreeMap::new() };
    // First init with a backend block: local state (if any) may move into it.
    if old.is_none() && !local_has_state(cwd) {
        return save(cwd, new.as_ref());
    }
    let from = old.clone().unwrap_or_else(implicit_local);
    let to = new.clone().unwrap_or_else(implicit_local);
    if from == to {
        return save(cwd, new.as_ref());
    }
    if !opts.migrate_state && !opts.force_copy {
        let what = match (&old, &new) {
            (None, Some(n)) => format!("This working directory has local state, and the configuration now uses the \"{}\" backend.", n.kind),
            (Some(o), None) => format!("The \"{}\" backend was removed from the configuration; state would now be kept locally.", o.kind),
            (Some(o), Some(n)) if o.kind != n.kind => format!("The backend changed from \"{}\" to \"{}\".", o.kind, n.kind),
            _ => format!("The arguments of the \"{}\" backend changed since the last \"plinth init\".", to.kind),
        };
        return Err(Diagnostic::error("Backend configuration changed")
            .with_detail(format!("{what} Plinth must know whether to copy the existing state to the new backend."))
            .with_help("run \"plinth init -migrate-state\" to copy every workspace to the new backend, or \"plinth init -reconfigure\" to use the new backend as it is"));
    }
    let src = open(&from, cwd)?;
    let dst = open(&to, cwd)?;
    let rt = crate::commands::workdir::runtime()?;
    let names = rt.block_on(src.workspaces()).map_err(|e| e.to_diagnostic())?;
    if !opts.force_copy {
        ui.outln(&format!(
            "\nPlinth will copy the state of {} workspace(s) ({}) from the \"{}\" backend to the \"{}\" backend.",
            names.len(),
            names.join(", "),
            from.kind,
            to.kind
        ));
        let answer = ui.ask(
            "Do you want to copy existing state to the new backend?",
            "Pre-existing state was found while migrating the previous backend to the\nnewly configured one. Enter \"yes\" to copy it, or \"no\" to start with the\nnew backend as it is.",
        );
        match answer.as_deref().map(str::trim) {
            Some("yes") => {}
            Some(_) => return save(cwd, new.as_ref()),
            None => {
                return Err(Diagnostic::error("Migration needs confirmation")
                    .with_detail("Copying state to a new backend needs a \"yes\", and input is disabled.")
                    .with_help("add -force-copy to copy without asking"))
            }
        }
    }
    let copied = rt.block_on(copy_all(src.as_ref(), dst.as_ref(), &names))?;
    ui.outln(&format!("Copied {copied} workspace(s) from the \"{}\" backend to the \"{}\" backend.", from.kind, to.kind));
    save(cwd, new.as_ref())
}

/// Copies each workspace's snapshot as stored (encrypted envelopes included).
pub async fn copy_all(src: &dyn StateBackend, dst: &dyn StateBackend, names: &[String]) -> Result<usize, Diagnostic> {
    let existing = dst.workspaces().await.map_err(|e| e.to_diagnostic())?;
    let mut n = 0;
    for ws in names {
        let st = match src.read(ws).await {
            Ok(Some(st)) => st,
            Ok(None) => continue,
            Err(StateError::Encrypted { payload }) => State::opaque(payload),
            Err(e) => return Err(e.to_diagnostic()),
        };
        if ws != DEFAULT_WORKSPACE && !existing.contains(ws) {
            match dst.create_workspace(ws).await {
                Ok(()) | Err(StateError::WorkspaceExists(_)) => {}
                Err(e) => return Err(e.to_diagnostic()),
            }
            // A fresh workspace holds a seeded empty state: re-read so conditional writes
            // know its version.
            let _ = dst.read(ws).await;
        } else {
            let _ = dst.read(ws).await;
        }
        dst.write(ws, &st).await.map_err(|e| {
            let mut d = e.to_diagnostic();
            d.summary = format!("failed to copy workspace {ws:?}: {}", d.summary);
            d
        })?;
        n += 1;
    }
    Ok(n)
}
