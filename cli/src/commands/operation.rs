//! `plan`, `apply [PLANFILE]` and `destroy`: load the configuration and variables, lock and
//! read the state, plan with the engine, render, ask for approval, apply with progress
//! lines, and save state after every completed change (the engine records through the
//! journaled `StateManager`).
//!
//! Ctrl-C: the first SIGINT trips the engine's cancellation token ("Stopping operation..."):
//! in-flight changes finish, state is saved and the lock released. A second SIGINT exits at
//! once after releasing the lock; every completed change is already in the journal.
//! The lock is released on every exit path.

use crate::args::{ApplyArgs, PlanArgs, PlanOpts};
use crate::commands::workdir;
use crate::ui::Ui;
use crate::views;
use plinth_engine::{
    Action, ApplyHook, CancellationToken, Plan, PlanMode, PlanOptions, ResourceInstanceAddress, Target,
};
use plinth_sdk::{Diagnostic, Diagnostics, Value};
use plinth_state::{StateBackend, StateManager};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `plinth plan`.
pub fn run_plan(args: PlanArgs, ui: &mut Ui) -> i32 {
    setup_ui(ui, &args.plan);
    let rt = match workdir::runtime() {
        Ok(rt) => rt,
        Err(d) => return fail(ui, d),
    };
    rt.block_on(plan_async(args, ui))
}

/// `plinth apply` and `plinth destroy`.
pub fn run_apply(args: ApplyArgs, ui: &mut Ui, destroy_cmd: bool) -> i32 {
    setup_ui(ui, &args.plan);
    let rt = match workdir::runtime() {
        Ok(rt) => rt,
        Err(d) => return fail(ui, d),
    };
    rt.block_on(apply_async(args, ui, destroy_cmd))
}

fn setup_ui(ui: &mut Ui, p: &PlanOpts) {
    ui.set_no_color(p.ui.no_color || p.json);
    ui.input = p.ui.input;
    ui.json = p.json;
    ui.compact_warnings = p.ui.compact_warnings;
    if p.json {
        ui.json_line(&views::json_ui::version(crate::commands::version::VERSION));
    }
}

fn fail(ui: &mut Ui, d: Diagnostic) -> i32 {
    ui.diagnostics(&Diagnostics::from(d), None);
    1
}

/// Parses `-target` and `-replace` addresses.
fn plan_options(p: &PlanOpts) -> Result<PlanOptions, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mode = if p.destroy {
        PlanMode::Destroy
    } else if p.refresh_only {
        PlanMode::RefreshOnly
    } else {
        PlanMode::Normal
    };
    if p.destroy && p.refresh_only {
        diags.push(
            Diagnostic::error("Incompatible plan mode options")
                .with_detail("The -destroy and -refresh-only options are mutually exclusive.")
                .with_help("choose one planning mode"),
        );
    }
    let mut targets = Vec::new();
    for t in &p.target {
        match t.parse::<Target>() {
            Ok(t) => targets.push(t),
            Err(e) => diags.push(e.to_diagnostic(t).with_summary_prefix("Invalid target address")),
        }
    }
    let mut replace = Vec::new();
    for r in &p.replace {
        match r.parse::<ResourceInstanceAddress>() {
            Ok(a) => replace.push(a),
            Err(e) => diags.push(e.to_diagnostic(r).with_summary_prefix("Invalid replace address")),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(PlanOptions { mode, refresh: p.refresh, targets, replace })
}

trait SummaryPrefix {
    fn with_summary_prefix(self, s: &str) -> Self;
}
impl SummaryPrefix for Diagnostic {
    fn with_summary_prefix(mut self, s: &str) -> Self {
        self.summary = s.to_string();
        self
    }
}

/// Everything a run has open: the state manager (holding the lock) and the backend.
struct Session {
    config: Arc<plinth_lang::Config>,
    backend: Arc<dyn StateBackend>,
    workspace: String,
    manager: StateManager,
    /// Ctrl-C handling for as long as the lock is held.
    guard: InterruptGuard,
}

/// Loads config, variables and state (locked). Prints diagnostics; `Err(code)` on failure.
async fn open_session(
    ui: &mut Ui,
    p: &PlanOpts,
    operation: &str,
) -> Result<(Session, std::collections::BTreeMap<String, Value>), i32> {
    let config = workdir::load_config(ui)?;
    let (variables, vdiags) = workdir::variables(&config, &p.vars, ui);
    ui.diagnostics(&vdiags, Some(&config.sources));
    if vdiags.has_errors() {
        return Err(1);
    }
    let session = open_state_session(ui, config, p.state.as_deref(), &p.lock, operation).await?;
    Ok((session, variables))
}

async fn open_state_session(
    ui: &mut Ui,
    config: Arc<plinth_lang::Config>,
    state_path: Option<&Path>,
    lock: &crate::args::LockOpts,
    operation: &str,
) -> Result<Session, i32> {
    let backend = match workdir::backend(Some(&config), state_path) {
        Ok(b) => b,
        Err(d) => {
            ui.diagnostics(&Diagnostics::from(d), Some(&config.sources));
            return Err(1);
        }
    };
    let workspace = match workdir::selected_workspace(backend.as_ref()).await {
        Ok(w) => w,
        Err(d) => return Err(fail(ui, d)),
    };
    if lock.lock && !lock.lock_timeout.is_zero() && !ui.json {
        tracing::info!(timeout = ?lock.lock_timeout, "acquiring state lock");
    }
    let (manager, recovery) = match workdir::open_state(backend.clone(), &workspace, lock, operation).await {
        Ok(m) => m,
        Err(d) => return Err(fail(ui, d)),
    };
    if let Some(w) = workdir::recovery_warning(&recovery) {
        ui.diagnostics(&Diagnostics::from(w), None);
    }
    let guard = InterruptGuard::new(backend.clone(), &workspace, manager.lock_id(), ui.json);
    Ok(Session { config, backend, workspace, manager, guard })
}

/// Progress lines from the engine's hook, written straight to stdout (the hook runs on
/// worker tasks while the command waits).
struct UiHook {
    color: bool,
    json: bool,
    /// Prior object ids, for "Modifying... [id=…]" and "Destroying... [id=…]".
    ids: HashMap<String, String>,
    out: Mutex<std::io::Stdout>,
}

impl UiHook {
    fn new(color: bool, json: bool, plan: Option<&Plan>) -> UiHook {
        let mut ids = HashMap::new();
        if let Some(plan) = plan {
            for c in &plan.changes {
                if let Some(id) = c.before.get_attr("id").and_then(|v| v.as_str()) {
                    ids.insert(c.addr.to_string(), id.to_string());
                }
            }
        }
        UiHook { color, json, ids, out: Mutex::new(std::io::stdout()) }
    }
    fn emit(&self, human: String, json: impl FnOnce() -> serde_json::Value) {
        let line = if self.json { views::json_ui::line(&json()) } else { human };
        if let Ok(mut o) = self.out.lock() {
            let _ = writeln!(o, "{line}");
            let _ = o.flush();
        }
    }
    fn id(&self, addr: &ResourceInstanceAddress, action: Action) -> Option<&str> {
        match action {
            Action::Update | Action::Delete | Action::NoOp | Action::Forget => {
                self.ids.get(&addr.to_string()).map(String::as_str)
            }
            _ => None,
        }
    }
}

impl ApplyHook for UiHook {
    fn pre_refresh(&self, addr: &ResourceInstanceAddress) {
        if self.json {
            let id = self.ids.get(&addr.to_string()).map(String::as_str);
            self.emit(String::new(), || views::json_ui::refresh_start(addr, id));
        }
    }
    fn post_refresh(&self, addr: &ResourceInstanceAddress, id: Option<&str>) {
        let id_part = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
        let human = if self.color {
            format!("\x1b[0m\x1b[1m{addr}: Refreshing state...{id_part}\x1b[0m")
        } else {
            format!("{addr}: Refreshing state...{id_part}")
        };
        self.emit(human, || views::json_ui::refresh_complete(addr, id));
    }
    fn pre_apply(&self, addr: &ResourceInstanceAddress, action: Action) {
        // The engine reports a replacement as two operations: the delete half (Delete) and
        // the create half (the replace action), in the order the action encodes.
        let a = addr.to_string();
        let id = self.id(addr, action);
        self.emit(views::apply::render_start(&a, action, id, self.color), || {
            views::json_ui::apply_start(addr, action, id)
        });
    }
    fn progress(&self, addr: &ResourceInstanceAddress, action: Action, elapsed: Duration) {
        let a = addr.to_string();
        let id = self.id(addr, action);
        self.emit(views::apply::render_progress(&a, action, id, elapsed, self.color), || {
            views::json_ui::apply_progress(addr, action, id, elapsed)
        });
    }
    fn post_apply(
        &self,
        addr: &ResourceInstanceAddress,
        action: Action,
        outcome: Result<Option<String>, ()>,
        elapsed: Duration,
    ) {
        let a = addr.to_string();
        match outcome {
            Ok(id) => {
                let id = match action {
                    Action::Delete => None,
                    _ => id.or_else(|| self.id(addr, action).map(str::to_string)),
                };
                self.emit(
                    views::apply::render_complete(&a, action, id.as_deref(), elapsed, self.color),
                    || views::json_ui::apply_complete(addr, action, id.as_deref(), elapsed),
                );
            }
            Err(()) => self.emit(views::apply::render_errored(&a, action, elapsed, self.color), || {
                views::json_ui::apply_errored(addr, action, elapsed)
            }),
        }
    }
}

/// Makes the plan; renders it (human or JSON lines). `None` when no plan could be made.
async fn make_plan(
    ui: &mut Ui,
    s: &Session,
    variables: std::collections::BTreeMap<String, Value>,
    p: &PlanOpts,
) -> (Option<Plan>, plinth_engine::Context, bool) {
    let ctx = workdir::context(s.config.clone(), variables, &s.workspace, p.parallelism as usize);
    let opts = match plan_options(p) {
        Ok(o) => o,
        Err(d) => {
            ui.diagnostics(&d, None);
            return (None, ctx, false);
        }
    };
    let hook = UiHook::new(ui.color, ui.json, None);
    let prior = s.manager.state().clone();
    let hook = {
        let mut h = hook;
        for (addr, inst) in prior.instances() {
            if let Some(id) = inst.attributes.get("id").and_then(|v| v.as_str()) {
                h.ids.insert(addr.to_string(), id.to_string());
            }
        }
        h
    };
    let (plan, diags) = plinth_engine::plan_with_hook(&ctx, &prior, &opts, &hook).await;
    let errors = diags.has_errors();
    if let Some(plan) = &plan {
        render_plan(ui, plan);
    }
    ui.diagnostics(&diags, Some(&s.config.sources));
    (plan, ctx, !errors)
}

fn render_plan(ui: &mut Ui, plan: &Plan) {
    if ui.json {
        for c in plan.changes.iter().filter(|c| !c.is_noop()) {
            ui.json_line(&views::json_ui::planned_change(&c.addr, c.action, c.reason));
        }
        let s = plan.summary();
        let op = match plan.mode {
            PlanMode::Destroy => "destroy",
            _ => "plan",
        };
        ui.json_line(&views::json_ui::change_summary(s.add, s.change, s.destroy, s.import, op));
        let outs: Vec<(String, Action, bool)> =
            plan.outputs.iter().map(|o| (o.name.clone(), o.action, o.sensitive)).collect();
        if !outs.is_empty() {
            ui.json_line(&views::json_ui::outputs_planned(&outs));
        }
    } else {
        let text = views::plan::render_human(plan, views::plan::HumanOpts { color: ui.color });
        ui.out(&text);
    }
}

async fn plan_async(args: PlanArgs, ui: &mut Ui) -> i32 {
    let p = &args.plan;
    let (s, variables) = match open_session(ui, p, "OperationTypePlan").await {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (plan, _ctx, ok) = make_plan(ui, &s, variables, p).await;
    let mut code = if ok && plan.is_some() { 0 } else { 1 };
    if let (Some(plan), Some(out), true) = (&plan, &args.out, code == 0) {
        // A saved plan records the state's lineage: make sure it is on disk.
        if let Err(d) = ensure_state_written(&s).await {
            ui.diagnostics(&Diagnostics::from(d), None);
            code = 1;
        } else if let Err(e) = crate::commands::encryption::write_plan_file(Some(&s.config), out, plan.to_bytes()) {
            ui.diagnostics(
                &Diagnostics::from(
                    Diagnostic::error("Failed to write plan file")
                        .with_detail(format!("Could not write the plan to {}: {e}.", out.display()))
                        .with_help("check that the directory exists and is writable"),
                ),
                None,
            );
            code = 1;
        } else if !ui.json {
            ui.out(&views::plan::render_saved_note(&out.display().to_string(), ui.color));
        }
    } else if let (Some(plan), None, 0) = (&plan, &args.out, code) {
        if plan.has_changes() && !ui.json {
            ui.out(&views::plan::render_no_out_note(ui.color));
        }
    }
    if let Err(e) = s.manager.release().await {
        ui.diagnostics(&Diagnostics::from(e.to_diagnostic()), None);
        code = 1;
    }
    if code == 0 && args.detailed_exitcode && plan.as_ref().is_some_and(Plan::has_changes) {
        return 2;
    }
    code
}

/// Writes the (empty) state snapshot when the workspace has none yet, so that a saved
/// plan's lineage matches what `apply` will read.
async fn ensure_state_written(s: &Session) -> Result<(), Diagnostic> {
    match s.backend.read(&s.workspace).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => s.backend.write(&s.workspace, s.manager.state()).await.map_err(|e| e.to_diagnostic()),
        Err(e) => Err(e.to_diagnostic()),
    }
}

async fn apply_async(args: ApplyArgs, ui: &mut Ui, destroy_cmd: bool) -> i32 {
    let p = &args.plan;
    let destroy = p.destroy || destroy_cmd;
    if ui.json && !args.auto_approve && args.plan_file.is_none() {
        return fail(
            ui,
            Diagnostic::error("Plan file or auto-approve required")
                .with_detail("Plinth cannot ask for interactive approval when -json is set.")
                .with_help("use -auto-approve, or apply a saved plan file"),
        );
    }
    if let Some(file) = &args.plan_file {
        return apply_saved(args.clone_file(file), ui).await;
    }
    let (s, variables) = match open_session(ui, p, "OperationTypeApply").await {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (plan, ctx, ok) = make_plan(ui, &s, variables, p).await;
    let Some(plan) = plan.filter(|_| ok) else {
        let _ = s.manager.release().await;
        return 1;
    };
    if plan.has_changes() && !args.auto_approve {
        let (q, d) = if destroy {
            (
                "Do you really want to destroy all resources?",
                "Plinth will destroy all your managed infrastructure, as shown above.\nThere is no undo. Only 'yes' will be accepted to confirm.",
            )
        } else {
            (
                "Do you want to perform these actions?",
                "Plinth will perform the actions described above.\nOnly 'yes' will be accepted to approve.",
            )
        };
        ui.out("\n");
        let answer = ui.ask(q, d);
        if answer.as_deref() != Some("yes") {
            let _ = s.manager.release().await;
            if answer.is_none() && !ui.input {
                return fail(
                    ui,
                    Diagnostic::error("Apply not approved")
                        .with_detail("Approval is required, but input is disabled (-input=false).")
                        .with_help("use -auto-approve to apply without asking"),
                );
            }
            ui.outln(if destroy { "Destroy cancelled." } else { "Apply cancelled." });
            return 1;
        }
    }
    run_apply_plan(ui, s, &ctx, &plan, destroy).await
}

impl ApplyArgs {
    fn clone_file(&self, file: &Path) -> SavedApply {
        SavedApply { file: file.to_path_buf(), opts: self.plan.clone() }
    }
}

struct SavedApply {
    file: std::path::PathBuf,
    opts: PlanOpts,
}

/// `apply PLANFILE`: no prompt; refuses a stale plan.
async fn apply_saved(a: SavedApply, ui: &mut Ui) -> i32 {
    let bytes = match std::fs::read(&a.file) {
        Ok(b) => b,
        Err(e) => {
            return fail(
                ui,
                Diagnostic::error("Failed to load the plan file")
                    .with_detail(format!("Could not read {}: {e}.", a.file.display()))
                    .with_help("create a plan file with \"plinth plan -out=FILE\""),
            )
        }
    };
    let has_vars = !a.opts.vars.ordered.is_empty() || !a.opts.vars.vars.is_empty();
    // An encrypted plan (OpenTofu): -var/-var-file may give the encryption block the values
    // the plan was made with (it needs them to decrypt the plan and the state); they must
    // match the plan's.
    let cli_values = if has_vars && plinth_encryption::is_envelope(&bytes) {
        let config = match workdir::load_config(ui) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let (values, d) = workdir::variables(&config, &a.opts.vars, ui);
        ui.diagnostics(&d, Some(&config.sources));
        if d.has_errors() {
            return 1;
        }
        Some(values)
    } else {
        None
    };
    let bytes = match crate::commands::encryption::decrypt_plan_file(bytes) {
        Ok(b) => b,
        Err(d) => return fail(ui, d),
    };
    let plan = match Plan::from_bytes(&bytes) {
        Ok(p) => p,
        Err(d) => return fail(ui, d),
    };
    match &cli_values {
        None if has_vars => {
            return fail(
                ui,
                Diagnostic::error("Can't set variables for the apply phase")
                    .with_detail("A saved plan already records the variable values it was made with.")
                    .with_help("set variables when running \"plinth plan -out\" instead"),
            );
        }
        Some(values) => {
            let differs = values.iter().find(|(k, v)| {
                plan.variables.get(*k).map(|p| p.clone().unmark_deep().0) != Some((*v).clone().unmark_deep().0)
            });
            if let Some((name, _)) = differs {
                return fail(
                    ui,
                    Diagnostic::error("Mismatch between the saved plan's variables and the apply's")
                        .with_detail(format!(
                            "The value of var.{name} given to apply differs from the one the plan was made with; an encrypted plan accepts -var and -var-file only to repeat the plan's values for the encryption block."
                        ))
                        .with_help("give apply the same values as \"plinth plan -out\", or make a new plan"),
                );
            }
        }
        None => {}
    }
    let config = match workdir::load_config(ui) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if ui.json {
        render_plan(ui, &plan);
    }
    let s = match open_state_session(ui, config, a.opts.state.as_deref(), &a.opts.lock, "OperationTypeApply").await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let cur = s.manager.state();
    if cur.lineage != plan.state_lineage || cur.serial != plan.state_serial {
        let detail = format!(
            "The given plan file can no longer be applied because the state was changed by another operation after the plan was created (the plan was made at state serial {}, the state is now at serial {}{}).",
            plan.state_serial,
            cur.serial,
            if cur.lineage != plan.state_lineage { " of another lineage" } else { "" }
        );
        let _ = s.manager.release().await;
        return fail(
            ui,
            Diagnostic::error("Saved plan is stale")
                .with_detail(detail)
                .with_help("run \"plinth plan -out=FILE\" again and apply the new plan"),
        );
    }
    let ctx = workdir::context(s.config.clone(), plan.variables.clone(), &s.workspace, a.opts.parallelism as usize);
    let destroy = plan.mode == PlanMode::Destroy;
    run_apply_plan(ui, s, &ctx, &plan, destroy).await
}

async fn run_apply_plan(ui: &mut Ui, s: Session, ctx: &plinth_engine::Context, plan: &Plan, destroy: bool) -> i32 {
    let Session { config, mut manager, guard, .. } = s;
    let cancel = CancellationToken::new();
    guard.arm(cancel.clone());
    let hook = UiHook::new(ui.color, ui.json, Some(plan));
    let (summary, diags) = plinth_engine::apply(ctx, plan, &mut manager, &hook, cancel.clone()).await;
    let mut code = if diags.has_errors() { 1 } else { 0 };
    ui.diagnostics(&diags, Some(&config.sources));
    let outputs: Vec<(String, Value, bool)> = manager
        .state()
        .outputs
        .iter()
        .filter_map(|(k, o)| o.to_value().ok().map(|v| (k.clone(), v, o.sensitive)))
        .collect();
    if let Err(e) = manager.close().await {
        ui.diagnostics(&Diagnostics::from(e.to_diagnostic()), None);
        code = 1;
    }
    drop(guard);
    if summary.cancelled && !ui.json {
        ui.errln(&format!(
            "Operation cancelled: {} change(s) not started. Completed changes were saved to the state.",
            summary.skipped
        ));
        code = 1;
    }
    if ui.json {
        let op = if destroy { "destroy" } else { "apply" };
        ui.json_line(&views::json_ui::change_summary(summary.added, summary.changed, summary.destroyed, summary.imported, op));
        if !outputs.is_empty() {
            ui.json_line(&views::json_ui::outputs_applied(&outputs));
        }
    } else if code == 0 {
        ui.out(&views::apply::render_summary(&summary, destroy, ui.color));
        if !destroy {
            ui.out(&views::apply::render_outputs(&outputs, ui.color));
        }
    }
    code
}

/// Handles Ctrl-C while a run holds the state lock. Before apply starts (planning, the
/// approval prompt) an interrupt releases the lock and exits with status 1. Once armed with
/// the apply's cancellation token, the first interrupt cancels gracefully (in-flight changes
/// finish and are saved) and a second one releases the lock and exits at once; every
/// completed change is already in the state journal.
struct InterruptGuard {
    handle: tokio::task::JoinHandle<()>,
    cancel: Arc<Mutex<Option<CancellationToken>>>,
}

impl InterruptGuard {
    fn new(backend: Arc<dyn StateBackend>, workspace: &str, lock_id: Option<&str>, json: bool) -> InterruptGuard {
        let workspace = workspace.to_string();
        let lock_id = lock_id.map(str::to_string);
        let cancel: Arc<Mutex<Option<CancellationToken>>> = Arc::new(Mutex::new(None));
        let armed = cancel.clone();
        let handle = tokio::spawn(async move {
            let say = |s: &str| {
                if json {
                    eprintln!("{s}");
                } else {
                    println!("{s}");
                }
            };
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            let token = armed.lock().ok().and_then(|t| t.clone());
            if let Some(token) = token {
                say("\nInterrupt received.\nPlease wait for Plinth to exit or data loss may occur.\nGracefully shutting down...\n\nStopping operation...");
                token.cancel();
                if tokio::signal::ctrl_c().await.is_err() {
                    return;
                }
                say("\nTwo interrupts received. Exiting immediately. Completed changes are in the state journal and will be recovered by the next run.");
            } else {
                say("\nInterrupt received. Stopping before any change was made.");
            }
            if let Some(id) = lock_id {
                let _ = backend.unlock_blocking(&workspace, &id);
            }
            std::process::exit(1);
        });
        InterruptGuard { handle, cancel }
    }

    /// From now on the first interrupt cancels `token` instead of exiting.
    fn arm(&self, token: CancellationToken) {
        if let Ok(mut t) = self.cancel.lock() {
            *t = Some(token);
        }
    }
}

impl Drop for InterruptGuard {
    fn drop(&mut self) {
        self.handle.abort();
    }
}
