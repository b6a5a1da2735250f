//! `plinth workspace new|list|select|delete|show`: workspaces of the local backend
//! (`terraform.tfstate.d/NAME`), the selection kept in `.terraform/environment` as Terraform
//! does (`TF_WORKSPACE` overrides it).

use crate::args::WorkspaceCommand;
use crate::commands::workdir;
use crate::ui::Ui;
use plinth_sdk::{Diagnostic, Diagnostics};
use plinth_state::{StateBackend, DEFAULT_WORKSPACE};
use std::path::Path;
use std::sync::Arc;

pub fn run(cmd: WorkspaceCommand, ui: &mut Ui) -> i32 {
    let rt = match workdir::runtime() {
        Ok(rt) => rt,
        Err(d) => return fail(ui, d),
    };
    rt.block_on(run_async(cmd, ui))
}

fn fail(ui: &mut Ui, d: Diagnostic) -> i32 {
    ui.diagnostics(&Diagnostics::from(d), None);
    1
}

/// The backend from the configuration when there is one (errors in it are reported by
/// the commands that need it; workspaces work without a configuration too).
fn backend_here() -> Result<Arc<dyn StateBackend>, Diagnostic> {
    if crate::commands::init::has_config_files(Path::new(".")) {
        if let (Some(config), _) = plinth_lang::load_config(Path::new(".")) {
            return workdir::backend(Some(&config), None);
        }
    }
    workdir::backend(None, None)
}

async fn run_async(cmd: WorkspaceCommand, ui: &mut Ui) -> i32 {
    let backend = match backend_here() {
        Ok(b) => b,
        Err(d) => return fail(ui, d),
    };
    let current = match workdir::workspace_name() {
        Ok(w) => w,
        Err(d) => return fail(ui, d),
    };
    match cmd {
        WorkspaceCommand::Show(_) => {
            ui.outln(&current);
            0
        }
        WorkspaceCommand::List(_) => match backend.workspaces().await {
            Ok(mut names) => {
                if !names.iter().any(|n| n == DEFAULT_WORKSPACE) {
                    names.insert(0, DEFAULT_WORKSPACE.into());
                }
                let mut out = String::new();
                for n in names {
                    let mark = if n == current { "*" } else { " " };
                    out.push_str(&format!("{mark} {n}\n"));
                }
                ui.outln(&out);
                0
            }
            Err(e) => fail(ui, e.to_diagnostic()),
        },
        WorkspaceCommand::New(a) => {
            if let Err(e) = plinth_state::validate_workspace_name(&a.name) {
                return fail(ui, e.to_diagnostic());
            }
            let exists = match backend.workspaces().await {
                Ok(ws) => ws.contains(&a.name) || a.name == DEFAULT_WORKSPACE,
                Err(e) => return fail(ui, e.to_diagnostic()),
            };
            if exists {
                return fail(
                    ui,
                    Diagnostic::error(format!("Workspace \"{}\" already exists", a.name))
                        .with_help(format!("select it with \"plinth workspace select {}\"", a.name)),
                );
            }
            if let Err(e) = backend.create_workspace(&a.name).await {
                return fail(ui, e.to_diagnostic());
            }
            if let Some(path) = &a.state {
                if let Err(d) = copy_state_into(backend.clone(), &a.name, path, &a.lock).await {
                    return fail(ui, d);
                }
            }
            if let Err(e) = plinth_state::select_workspace(Path::new("."), &a.name) {
                return fail(ui, e.to_diagnostic());
            }
            ui.outln(&ui.green(&format!(
                "{}\n\nYou're now on a new, empty workspace. Workspaces isolate their state,\n\
                 so if you run \"plinth plan\" Plinth will not see any existing state\n\
                 for this configuration.",
                ui.bold(&format!("Created and switched to workspace \"{}\"!", a.name))
            )));
            0
        }
        WorkspaceCommand::Select(a) => {
            if let Err(e) = plinth_state::validate_workspace_name(&a.name) {
                return fail(ui, e.to_diagnostic());
            }
            let exists = match backend.workspaces().await {
                Ok(ws) => ws.contains(&a.name) || a.name == DEFAULT_WORKSPACE,
                Err(e) => return fail(ui, e.to_diagnostic()),
            };
            if !exists {
                if !a.or_create {
                    return fail(
                        ui,
                        Diagnostic::error(format!("Workspace \"{}\" doesn't exist", a.name))
                            .with_help(format!(
                                "create it with \"plinth workspace new {}\", or use \"plinth workspace select -or-create {}\"",
                                a.name, a.name
                            )),
                    );
                }
                if let Err(e) = backend.create_workspace(&a.name).await {
                    return fail(ui, e.to_diagnostic());
                }
            }
            if let Err(e) = plinth_state::select_workspace(Path::new("."), &a.name) {
                return fail(ui, e.to_diagnostic());
            }
            if std::env::var("TF_WORKSPACE").is_ok_and(|w| !w.is_empty() && w != a.name) {
                ui.diagnostics(
                    &Diagnostics::from(
                        Diagnostic::warning("TF_WORKSPACE overrides the selection")
                            .with_detail("The TF_WORKSPACE environment variable is set, so commands keep using the workspace it names.")
                            .with_help("unset TF_WORKSPACE to use the selected workspace"),
                    ),
                    None,
                );
            }
            ui.outln(&ui.green(&format!("Switched to workspace \"{}\".", a.name)));
            0
        }
        WorkspaceCommand::Delete(a) => {
            if a.name == current {
                return fail(
                    ui,
                    Diagnostic::error(format!("Workspace \"{}\" is your active workspace", a.name))
                        .with_detail("You cannot delete the currently active workspace.")
                        .with_help("switch to another workspace (\"plinth workspace select default\") and try again"),
                );
            }
            // Hold the workspace's lock while deleting it, so no run is using it.
            let lock = if a.name == DEFAULT_WORKSPACE || !a.lock.lock {
                None
            } else {
                match workdir::open_state(backend.clone(), &a.name, &a.lock, "OperationTypeInvalid").await {
                    Ok((m, _)) => Some(m),
                    Err(d) => {
                        if d.summary.contains("lock") {
                            return fail(ui, d);
                        }
                        None
                    }
                }
            };
            let res = plinth_state::delete_workspace_checked(backend.as_ref(), &a.name, a.force).await;
            if let Some(m) = lock {
                // The state file is gone: releasing may fail to find it; that is fine.
                let _ = m.release().await;
            }
            match res {
                Ok(()) => {
                    ui.outln(&ui.green(&format!("Deleted workspace \"{}\"!", a.name)));
                    0
                }
                Err(e) => fail(ui, e.to_diagnostic()),
            }
        }
    }
}

/// `workspace new -state=PATH`: seeds the new workspace with an existing state file.
async fn copy_state_into(
    backend: Arc<dyn StateBackend>,
    workspace: &str,
    path: &Path,
    lock: &crate::args::LockOpts,
) -> Result<(), Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error("Failed to read the state file")
            .with_detail(format!("Could not read {}: {e}.", path.display()))
    })?;
    let st = plinth_state::State::from_json(&bytes).map_err(|e| e.to_diagnostic())?;
    let (m, _) = workdir::open_state(backend.clone(), workspace, lock, "OperationTypeInvalid").await?;
    let res = backend.write(workspace, &st).await.map_err(|e| e.to_diagnostic());
    let _ = m.release().await;
    res
}
