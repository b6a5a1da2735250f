//! `plinth init`: installs modules (see [`super::modules`]), checks the configuration's
//! provider requirements against the built-in providers, and sets up the backend (only
//! `local` for now).

use crate::args::InitArgs;
use crate::commands::modules;
use crate::ui::Ui;
use plinth_sdk::Diagnostics;
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
    let code = check_config(ui, args.backend, &mut diags);
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
fn check_config(ui: &mut Ui, check_backend: bool, diags: &mut Diagnostics) -> i32 {
    let (config, d) = plinth_lang::load_config(Path::new("."));
    let Some(config) = config else {
        diags.extend(d);
        ui.diagnostics(diags, None);
        return 1;
    };
    diags.extend(d);
    if check_backend {
        if let Err(e) = crate::commands::workdir::backend(Some(&config), None) {
            diags.push(e);
        }
    }
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
