//! `plinth init`: installs modules (see [`super::modules`]), checks the configuration's
//! provider requirements against the built-in providers, and sets up the backend (only
//! `local` for now).

use crate::args::InitArgs;
use crate::commands::modules;
use crate::ui::Ui;
use crate::commands::workdir;
use plinth_sdk::{Diagnostic, Diagnostics};
use std::collections::BTreeMap;
use std::path::Path;

pub fn run(args: InitArgs, ui: &mut Ui) -> i32 {
    ui.set_no_color(args.ui.no_color);
    ui.input = args.ui.input;
    let root = Path::new(".");
    if !has_config_files(root) {
        ui.outln(&ui.bold("Plinth initialized in an empty directory!"));
        ui.outln("");
        ui.outln("The directory has no configuration files. You may begin working");
        ui.outln("with Plinth immediately by creating configuration files.");
        return 0;
    }
    let mut diags = Diagnostics::new();
    ui.outln(&ui.bold("Initializing the backend..."));
    if args.backend {
        let sources = plinth_lang::SourceMap::default();
        let change = crate::commands::backend_init::ChangeOpts {
            migrate_state: args.migrate_state,
            reconfigure: args.reconfigure,
            force_copy: args.force_copy,
        };
        if let Err(d) = init_backend(ui, &args.backend_config, &sources, &change) {
            ui.outln("");
            ui.diagnostics(&Diagnostics::from(d), Some(&sources));
            return 1;
        }
    }
    if args.get {
        let (calls, _) = modules::scan_module_calls(root);
        if !calls.is_empty() {
            ui.outln(&ui.bold("Initializing modules..."));
        }
        let (report, d) = if calls.is_empty() && !root.join(modules::MANIFEST).exists() {
            (modules::InstallReport::default(), Diagnostics::new())
        } else {
            modules::install_modules(root, args.upgrade)
        };
        for l in &report.lines {
            ui.outln(l);
        }
        diags.extend(d);
        if diags.has_errors() {
            ui.outln("");
            ui.diagnostics(&diags, None);
            return 1;
        }
    }
    let code = check_config(ui, &mut diags);
    if code != 0 {
        return code;
    }
    ui.outln("");
    ui.diagnostics(&diags, None);
    ui.outln(&ui.green(&ui.bold("Plinth has been successfully initialized!")));
    ui.outln(&ui.green(
        "\nYou may now begin working with Plinth. Try running \"plinth plan\" to see\n\
         any changes that are required for your infrastructure. All Plinth commands\n\
         should now work.\n\n\
         If you ever set or change modules or backend configuration for Plinth,\n\
         rerun this command to reinitialize your working directory. If you forget, other\n\
         commands will detect it and remind you to do so if necessary.",
    ));
    0
}

/// Whether `dir` has any `*.tf` or `*.tf.json` file.
pub fn has_config_files(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok).any(|e| {
                let n = e.file_name().to_string_lossy().to_string();
                n.ends_with(".tf") || n.ends_with(".tf.json")
            })
        })
        .unwrap_or(false)
}

/// `init`'s second half: load the configuration, check the backend and the provider
/// requirements, print the providers used. Returns an exit status.
fn check_config(ui: &mut Ui, diags: &mut Diagnostics) -> i32 {
    let (config, d) = plinth_lang::load_config(Path::new("."));
    let Some(config) = config else {
        diags.extend(d);
        ui.diagnostics(diags, None);
        return 1;
    };
    diags.extend(d);
    ui.outln(&ui.bold("Initializing provider plugins..."));
    let registry = crate::commands::workdir::registry();
    diags.extend(registry.check_requirements(&config));
    let mut used: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    let mut seen_errors = std::collections::BTreeSet::new();
    for m in config.root.walk() {
        // Names in required_providers are checked (with their versions) by
        // check_requirements; here they only contribute the providers used.
        let mut locals: Vec<(String, Option<plinth_sdk::SourceRange>)> = m
            .terraform
            .required_providers
            .iter()
            .map(|(k, r)| (k.clone(), Some(r.range.clone())))
            .collect();
        let required: Vec<String> = m.terraform.required_providers.keys().cloned().collect();
        for r in m.resources.values() {
            locals.push((r.provider_local_name().to_string(), Some(r.decl_range.clone())));
        }
        for p in &m.providers {
            locals.push((p.name.clone(), Some(p.range.clone())));
        }
        for (local, range) in locals {
            match registry.resolve(m, &local, range.as_ref()) {
                Ok(p) => {
                    used.insert(p.source.clone(), p.provider.version().to_string());
                }
                Err(e) => {
                    let (src, _) = plinth_engine::ProviderRegistry::source_for(m, &local);
                    if !required.contains(&local) && seen_errors.insert(src) {
                        diags.push(e);
                    }
                }
            }
        }
    }
    for (source, version) in &used {
        ui.outln(&format!("- Using {source} v{version} (built into Plinth)"));
    }
    if diags.has_errors() {
        ui.outln("");
        ui.diagnostics(diags, Some(&config.sources));
        return 1;
    }
    0
}

/// Parses `-backend-config` options: `key=value` pairs or files of `key = value` lines.
pub fn backend_config_args(args: &[String]) -> Result<BTreeMap<String, serde_json::Value>, Diagnostic> {
    let mut out = BTreeMap::new();
    for a in args {
        match a.split_once('=') {
            Some((k, v)) if !Path::new(a).exists() => {
                let k = k.trim();
                if k.is_empty() {
                    return Err(Diagnostic::error("Invalid backend configuration argument")
                        .with_detail(format!("The -backend-config value {a:?} has no argument name."))
                        .with_help("write -backend-config=\"key=value\" or pass a file"));
                }
                out.insert(k.to_string(), serde_json::Value::String(v.to_string()));
            }
            _ => {
                let text = std::fs::read_to_string(a).map_err(|e| {
                    Diagnostic::error("Failed to read backend configuration file")
                        .with_detail(format!("Could not read {a}: {e}."))
                        .with_help("pass an existing file, or key=value")
                })?;
                out.extend(plinth_backends::parse_backend_config_file(&text)?);
            }
        }
    }
    Ok(out)
}

/// Sets up the root module's `backend` block: merges and saves `-backend-config` values,
/// builds the backend and checks that it answers.
fn init_backend(
    ui: &mut Ui,
    extra_args: &[String],
    sources: &plinth_lang::SourceMap,
    change: &crate::commands::backend_init::ChangeOpts,
) -> Result<(), Diagnostic> {
    let (root, _) = plinth_lang::load_module_dir(Path::new("."), sources);
    let Some(b) = &root.terraform.backend else {
        if !extra_args.is_empty() {
            return Err(Diagnostic::error("Missing backend configuration")
                .with_detail("-backend-config was given, but the root module has no backend block.")
                .with_help("add a terraform { backend \"KIND\" { } } block, or drop -backend-config"));
        }
        let _ = std::fs::remove_file(workdir::SAVED_BACKEND_CONFIG);
        return crate::commands::backend_init::reconcile(ui, &workdir::cwd(), None, change);
    };
    let extra = backend_config_args(extra_args)?;
    if extra.is_empty() {
        let _ = std::fs::remove_file(workdir::SAVED_BACKEND_CONFIG);
    } else {
        let _ = std::fs::create_dir_all(".terraform");
        let doc = serde_json::json!({ "type": b.kind, "config": extra });
        std::fs::write(workdir::SAVED_BACKEND_CONFIG, serde_json::to_vec_pretty(&doc).unwrap_or_default()).map_err(|e| {
            Diagnostic::error("Failed to save the backend configuration")
                .with_detail(format!("Could not write {}: {e}.", workdir::SAVED_BACKEND_CONFIG))
        })?;
    }
    let mut map = workdir::backend_block_values(b)?;
    map.extend(extra);
    let backend = plinth_backends::backend_from_config(&b.kind, &map, &workdir::cwd())
        .map_err(|d| d.with_subject_opt(Some(b.range.clone())))?;
    let rt = workdir::runtime()?;
    rt.block_on(backend.workspaces()).map_err(|e| {
        let mut d = e.to_diagnostic();
        d.summary = format!("Failed to reach the \"{}\" backend: {}", b.kind, d.summary);
        d.with_help("check the backend arguments and credentials, then run \"plinth init\" again")
    })?;
    let recorded = crate::commands::backend_init::Recorded { kind: b.kind.clone(), config: map.clone() };
    crate::commands::backend_init::reconcile(ui, &workdir::cwd(), Some(recorded), change)?;
    if b.kind != "local" || !extra_args.is_empty() {
        ui.outln(&ui.green(&format!(
            "\nSuccessfully configured the backend \"{}\"! Plinth will automatically\nuse this backend unless the backend configuration changes.",
            b.kind
        )));
    }
    Ok(())
}
