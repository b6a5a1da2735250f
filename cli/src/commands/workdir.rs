//! What every operation needs from the working directory: the configuration (after checking
//! that `init` installed its modules), the state backend and selected workspace, input
//! variable values, the provider registry, a Tokio runtime, and the state lock.

use crate::args::{LockOpts, VarArg, VarOpts};
use crate::commands::modules;
use crate::ui::Ui;
use plinth_engine::{Context, ProviderRegistry};
use plinth_lang::variables::{CliVar, RawValue, ValueSource, VariableOptions};
use plinth_lang::Config;
use plinth_sdk::{Diagnostic, Diagnostics, Value};
use plinth_state::{
    LocalBackend, LockInfo, Recovery, StateBackend, StateManager, DEFAULT_WORKSPACE,
};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A multi-threaded Tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Diagnostic> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::bug("failed to start the async runtime", format!("{e}.")))
}

/// The working directory (`path.cwd`), absolute.
pub fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// Loads the configuration in the working directory, printing its diagnostics (warnings
/// included). `Err(1)` when it has errors or modules are not installed.
pub fn load_config(ui: &mut Ui) -> Result<Arc<Config>, i32> {
    load_config_in(ui, Path::new("."))
}

pub fn load_config_in(ui: &mut Ui, dir: &Path) -> Result<Arc<Config>, i32> {
    if !crate::commands::init::has_config_files(dir) {
        ui.diagnostics(
            &Diagnostics::from(
                Diagnostic::error("No configuration files")
                    .with_detail(format!(
                        "There are no .tf or .tf.json files in {}.",
                        if dir == Path::new(".") { "the working directory".to_string() } else { dir.display().to_string() }
                    ))
                    .with_help("run the command in the directory that holds your configuration, or pass -chdir=DIR"),
            ),
            None,
        );
        return Err(1);
    }
    let stale = modules::stale_modules(dir);
    if !stale.is_empty() {
        let list = stale
            .iter()
            .map(|k| format!("module.{k}"))
            .collect::<Vec<_>>()
            .join(", ");
        ui.diagnostics(
            &Diagnostics::from(
                Diagnostic::error("Module not installed")
                    .with_detail(format!(
                        "This configuration calls {list}, which is not installed (or whose source changed since \"plinth init\")."
                    ))
                    .with_help("run \"plinth init\" to install all modules required by this configuration"),
            ),
            None,
        );
        return Err(1);
    }
    let (config, diags) = plinth_lang::load_config(dir);
    let Some(config) = config else {
        ui.diagnostics(&diags, None);
        return Err(1);
    };
    ui.diagnostics(&diags, Some(&config.sources));
    if diags.has_errors() {
        return Err(1);
    }
    Ok(Arc::new(config))
}

/// The built-in providers.
pub fn registry() -> Arc<ProviderRegistry> {
    Arc::new(ProviderRegistry::new(super::builtin_providers()))
}

/// Where `init` keeps `-backend-config` values for later commands.
pub const SAVED_BACKEND_CONFIG: &str = ".terraform/plinth-backend.json";

/// The state backend: `-state=PATH` if given, else the configuration's `backend` block
/// (local, s3, pg, gcs or azurerm through `plinth_backends`, with the `-backend-config`
/// values `init` saved), else `terraform.tfstate` in the working directory.
pub fn backend(
    config: Option<&Config>,
    state_path: Option<&Path>,
) -> Result<Arc<dyn StateBackend>, Diagnostic> {
    let b = unencrypted_backend(config, state_path)?;
    crate::commands::encryption::wrap_backend(config, b)
}

/// [`backend`] without the encryption decorator (what `init -migrate-state` copies raw).
pub fn unencrypted_backend(
    config: Option<&Config>,
    state_path: Option<&Path>,
) -> Result<Arc<dyn StateBackend>, Diagnostic> {
    if let Some(p) = state_path {
        return Ok(Arc::new(LocalBackend::with_paths(p, "terraform.tfstate.d")));
    }
    let Some(b) = config.and_then(|c| c.root.terraform.backend.as_ref()) else {
        return Ok(Arc::new(LocalBackend::new(".")));
    };
    let mut map = backend_block_values(b)?;
    map.extend(saved_backend_config(&b.kind));
    plinth_backends::backend_from_config(&b.kind, &map, &cwd())
        .map_err(|d| d.with_subject_opt(Some(b.range.clone())))
}

/// The arguments written in a `backend` block, as JSON values (nested blocks as objects).
pub fn backend_block_values(
    b: &plinth_lang::Backend,
) -> Result<BTreeMap<String, serde_json::Value>, Diagnostic> {
    body_values(&b.body)
}

fn body_values(
    body: &plinth_lang::Body,
) -> Result<BTreeMap<String, serde_json::Value>, Diagnostic> {
    let mut map = BTreeMap::new();
    let scope = plinth_lang::EmptyScope;
    let ctx = plinth_lang::EvalContext {
        scope: &scope,
        cwd: Path::new("."),
    };
    for (name, a) in &body.attributes {
        let (v, d) = plinth_lang::eval_expr(&a.expr, &ctx);
        if let Some(e) = d.into_iter().find(|d| d.is_error()) {
            return Err(e.with_help("backend arguments must be literal values: variables and references are not allowed here"));
        }
        if !v.is_null() {
            map.insert(name.clone(), v.unmark_deep().0.to_json());
        }
    }
    for nb in &body.blocks {
        map.insert(
            nb.type_name.clone(),
            serde_json::Value::Object(body_values(&nb.body)?.into_iter().collect()),
        );
    }
    Ok(map)
}

/// The `-backend-config` values `init` saved for a backend of this kind.
pub fn saved_backend_config(kind: &str) -> BTreeMap<String, serde_json::Value> {
    let Ok(text) = std::fs::read_to_string(SAVED_BACKEND_CONFIG) else {
        return BTreeMap::new();
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return BTreeMap::new();
    };
    if v["type"].as_str() != Some(kind) {
        return BTreeMap::new();
    }
    v["config"]
        .as_object()
        .map(|m| m.clone().into_iter().collect())
        .unwrap_or_default()
}

/// The selected workspace: `TF_WORKSPACE`, else `.terraform/environment`, else `default`.
pub fn workspace_name() -> Result<String, Diagnostic> {
    if let Ok(w) = std::env::var("TF_WORKSPACE") {
        if !w.is_empty() {
            return Ok(w);
        }
    }
    plinth_state::current_workspace(Path::new(".")).map_err(|e| e.to_diagnostic())
}

/// The selected workspace, checked to exist in `backend`.
pub async fn selected_workspace(backend: &dyn StateBackend) -> Result<String, Diagnostic> {
    let ws = workspace_name()?;
    if ws == DEFAULT_WORKSPACE {
        return Ok(ws);
    }
    let all = backend.workspaces().await.map_err(|e| e.to_diagnostic())?;
    if all.contains(&ws) {
        Ok(ws)
    } else {
        Err(Diagnostic::error(format!("Currently selected workspace \"{ws}\" does not exist"))
            .with_detail(format!("The workspace \"{ws}\" is selected (in .terraform/environment or TF_WORKSPACE) but has no state."))
            .with_help(format!("create it with \"plinth workspace new {ws}\", or select another with \"plinth workspace select default\"")))
    }
}

/// Opens the workspace's state through the journaled [`StateManager`], taking the lock
/// unless `-lock=false`. `operation` is Terraform's name (`OperationTypeApply`, …).
pub async fn open_state(
    backend: Arc<dyn StateBackend>,
    workspace: &str,
    lock: &LockOpts,
    operation: &str,
) -> Result<(StateManager, Recovery), Diagnostic> {
    let info = lock.lock.then(|| LockInfo::new(operation));
    StateManager::open(backend, workspace, info, lock.lock_timeout)
        .await
        .map_err(|e| e.to_diagnostic())
}

/// Reads the state without locking (journal replayed in memory, nothing written).
pub async fn read_state(
    backend: Arc<dyn StateBackend>,
    workspace: &str,
) -> Result<plinth_state::State, Diagnostic> {
    let (m, _) = StateManager::open(backend, workspace, None, std::time::Duration::ZERO)
        .await
        .map_err(|e| e.to_diagnostic())?;
    let st = m.state().clone();
    let _ = m.release().await;
    Ok(st)
}

/// A warning telling what the journal of an interrupted run recovered.
pub fn recovery_warning(r: &Recovery) -> Option<Diagnostic> {
    if r.is_empty() {
        return None;
    }
    if r.changes_replayed == 0 && !r.torn_record_dropped {
        if let Some(l) = &r.stale_lock_taken_over {
            return Some(Diagnostic::warning("Took over a lock left by an interrupted run").with_detail(format!(
                "The state lock {} ({}, by {}, created {}) was held by a process that no longer runs; this run took it over. No completed change was lost.",
                l.id, l.operation, l.who, l.created
            )));
        }
    }
    let mut detail = format!(
        "A previous run was interrupted; {} change(s) it completed were recovered from the state journal",
        r.changes_replayed
    );
    if !r.recovered.is_empty() {
        detail.push_str(&format!(": {}", r.recovered.join(", ")));
    }
    detail.push('.');
    if r.torn_record_dropped {
        detail.push_str(" The last, partly written record was ignored: that change had not been acknowledged, so its object (if any) will show up as drift.");
    }
    if let Some(l) = &r.stale_lock_taken_over {
        detail.push_str(&format!(
            " Its state lock {} ({}, by {}) was left behind when it stopped; this run took it over.",
            l.id, l.operation, l.who
        ));
    }
    Some(Diagnostic::warning("Recovered changes from an interrupted run").with_detail(detail))
}

/// Collects and finalizes the root module's variables. Missing required variables are
/// asked for on the terminal when input is allowed and stdin is a terminal.
pub fn variables(
    config: &Config,
    vars: &VarOpts,
    ui: &mut Ui,
) -> (BTreeMap<String, Value>, Diagnostics) {
    let mut ordered = vars.ordered.clone();
    if ordered.is_empty() {
        ordered.extend(vars.var_files.iter().cloned().map(VarArg::File));
        ordered.extend(vars.vars.iter().cloned().map(VarArg::Var));
    }
    let opts = VariableOptions {
        dir: PathBuf::from("."),
        cli: ordered
            .into_iter()
            .map(|v| match v {
                VarArg::Var(s) => CliVar::Var(s),
                VarArg::File(p) => CliVar::File(p),
            })
            .collect(),
        env: std::env::vars().collect(),
    };
    let (mut raw, mut diags) =
        plinth_lang::variables::collect_variable_values(&config.root, &opts, &config.sources);
    let cwd = cwd();
    let interactive = ui.input && !ui.json && std::io::stdin().is_terminal();
    let scope = plinth_lang::EmptyScope;
    let ctx = plinth_lang::EvalContext {
        scope: &scope,
        cwd: &cwd,
    };
    let (mut values, missing, d) =
        plinth_lang::variables::finalize_root_variables(&config.root, &raw, &ctx, interactive);
    diags.extend(d);
    for name in missing {
        let Some(var) = config.root.variables.get(&name) else {
            continue;
        };
        let answer = ui.ask(
            &format!("var.{name}"),
            var.description.as_deref().unwrap_or(""),
        );
        let Some(answer) = answer else {
            diags.push(
                Diagnostic::error("No value for required variable")
                    .with_detail(format!("The root module input variable \"{name}\" is not set, and has no default value."))
                    .with_subject(var.range.clone())
                    .with_help(format!("use a -var or -var-file command line argument, or set TF_VAR_{name}")),
            );
            continue;
        };
        let rv = RawValue {
            value: Value::string(answer),
            source: ValueSource::Input,
            range: None,
        };
        let (v, d) = plinth_lang::variables::finalize_variable(var, Some(&rv), &ctx);
        diags.extend(d);
        raw.insert(name.clone(), rv);
        values.insert(name, v);
    }
    crate::commands::encryption::set_variables(&values);
    (values, diags)
}

/// The engine context for an operation.
pub fn context(
    config: Arc<Config>,
    variables: BTreeMap<String, Value>,
    workspace: &str,
    parallelism: usize,
) -> Context {
    Context {
        config,
        providers: registry(),
        variables,
        workspace: workspace.to_string(),
        cwd: cwd(),
        parallelism,
    }
}
