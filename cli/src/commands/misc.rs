//! Small commands: `force-unlock`, `import`, `graph`, `providers`.

use crate::args::{ForceUnlockArgs, GraphArgs, ImportArgs, ProvidersArgs};
use crate::commands::workdir;
use crate::ui::Ui;
use plinth_sdk::{Diagnostic, Diagnostics};
use std::path::Path;

fn fail(ui: &mut Ui, d: Diagnostic) -> i32 {
    ui.diagnostics(&Diagnostics::from(d), None);
    1
}

pub fn run_force_unlock(args: ForceUnlockArgs, ui: &mut Ui) -> i32 {
    let rt = match workdir::runtime() {
        Ok(rt) => rt,
        Err(d) => return fail(ui, d),
    };
    rt.block_on(async {
        let config = if crate::commands::init::has_config_files(Path::new(".")) {
            plinth_lang::load_config(Path::new(".")).0
        } else {
            None
        };
        let backend = match workdir::backend(config.as_ref(), None) {
            Ok(b) => b,
            Err(d) => return fail(ui, d),
        };
        let ws = match workdir::selected_workspace(backend.as_ref()).await {
            Ok(w) => w,
            Err(d) => return fail(ui, d),
        };
        if !args.force {
            let answer = ui.ask(
                "Do you really want to force-unlock?",
                "Plinth will remove the lock on the state.\nThis will allow local Plinth commands to modify this state, even though it\nmay still be in use. Only 'yes' will be accepted to confirm.",
            );
            if answer.as_deref() != Some("yes") {
                return fail(
                    ui,
                    Diagnostic::error("force-unlock cancelled")
                        .with_detail("The lock was not removed.")
                        .with_help("answer 'yes', or pass -force to skip the question"),
                );
            }
        }
        match backend.force_unlock(&ws, &args.lock_id).await {
            Ok(()) => {
                ui.outln(&ui.green(&format!(
                    "{}\n\nThe state has been unlocked, and Plinth commands should now be able to\nobtain a new lock on the state.",
                    ui.bold("Plinth state has been successfully unlocked!")
                )));
                0
            }
            Err(e) => fail(ui, e.to_diagnostic()),
        }
    })
}

pub fn run_import(args: ImportArgs, ui: &mut Ui) -> i32 {
    ui.set_no_color(args.ui.no_color);
    ui.input = args.ui.input;
    if let Some(dir) = &args.config {
        if let Err(e) = std::env::set_current_dir(dir) {
            return fail(ui, Diagnostic::error("Invalid -config directory").with_detail(format!("Cannot use {}: {e}.", dir.display())));
        }
    }
    let addr = match args.address.parse::<plinth_engine::ResourceInstanceAddress>() {
        Ok(a) => a,
        Err(e) => return fail(ui, e.to_diagnostic(&args.address)),
    };
    let rt = match workdir::runtime() {
        Ok(rt) => rt,
        Err(d) => return fail(ui, d),
    };
    rt.block_on(async {
        let config = match workdir::load_config(ui) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let (vars, d) = workdir::variables(&config, &args.vars, ui);
        ui.diagnostics(&d, Some(&config.sources));
        if d.has_errors() {
            return 1;
        }
        let backend = match workdir::backend(Some(&config), args.state.as_deref()) {
            Ok(b) => b,
            Err(d) => return fail(ui, d),
        };
        let ws = match workdir::selected_workspace(backend.as_ref()).await {
            Ok(w) => w,
            Err(d) => return fail(ui, d),
        };
        let (mut m, rec) = match workdir::open_state(backend, &ws, &args.lock, "OperationTypeApply").await {
            Ok(x) => x,
            Err(d) => return fail(ui, d),
        };
        if let Some(w) = workdir::recovery_warning(&rec) {
            ui.diagnostics(&Diagnostics::from(w), None);
        }
        let ctx = workdir::context(config.clone(), vars, &ws, 10);
        ui.outln(&ui.bold(&format!("{addr}: Importing from ID \"{}\"...", args.id)));
        let diags = plinth_engine::import(&ctx, &mut m, &addr, &args.id).await;
        let errors = diags.has_errors();
        ui.diagnostics(&diags, Some(&config.sources));
        let closed = m.close().await;
        if let Err(e) = closed {
            return fail(ui, e.to_diagnostic());
        }
        if errors {
            return 1;
        }
        ui.outln(&ui.green(&format!("{addr}: Import prepared!")));
        ui.outln(&ui.green(&format!(
            "\n{}\n\nThe resources that were imported are shown above. These resources are now in\nyour Plinth state and will henceforth be managed by Plinth.\n",
            ui.bold("Import successful!")
        )));
        0
    })
}

pub fn run_graph(args: GraphArgs, ui: &mut Ui) -> i32 {
    if args.plan.is_some() || args.graph_type.is_some() || args.draw_cycles {
        tracing::debug!("graph: -plan, -type and -draw-cycles draw the configuration graph");
    }
    let config = match workdir::load_config(ui) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let ws = workdir::workspace_name().unwrap_or_else(|_| "default".into());
    let ctx = workdir::context(config, Default::default(), &ws, 10);
    let text = if args.format == "mermaid" { plinth_engine::graph_mermaid(&ctx) } else { plinth_engine::graph_dot(&ctx) };
    ui.out(&text);
    if !text.ends_with('\n') {
        ui.out("\n");
    }
    0
}

pub fn run_providers(args: ProvidersArgs, ui: &mut Ui) -> i32 {
    let builtin = crate::commands::providers_list();
    let dir = args.dir.clone().unwrap_or_else(|| ".".into());
    let config = if crate::commands::init::has_config_files(&dir) {
        let (c, d) = plinth_lang::load_config(&dir);
        if d.has_errors() {
            ui.diagnostics(&d, c.as_ref().map(|c| &c.sources));
            return 1;
        }
        c
    } else {
        None
    };
    // (module path, local name, source, constraint)
    let mut reqs: Vec<(String, String, String, Option<String>)> = Vec::new();
    if let Some(c) = &config {
        for m in c.root.walk() {
            let path = if m.path.is_empty() { ".".to_string() } else { m.path.iter().map(|p| format!("module.{p}")).collect::<Vec<_>>().join(".") };
            let mut names: std::collections::BTreeSet<String> = m.terraform.required_providers.keys().cloned().collect();
            names.extend(m.resources.values().map(|r| r.provider_local_name().to_string()));
            for n in names {
                let (src, ver) = plinth_engine::ProviderRegistry::source_for(m, &n);
                reqs.push((path.clone(), n, src, ver.map(|v| v.0)));
            }
        }
    }
    if args.json {
        let v = serde_json::json!({
            "builtin": builtin.iter().map(|p| serde_json::json!({"name": p.name, "source": p.source, "version": p.version})).collect::<Vec<_>>(),
            "required": reqs.iter().map(|(m, n, s, v)| serde_json::json!({"module": m, "local_name": n, "source": s, "version_constraint": v})).collect::<Vec<_>>(),
        });
        ui.outln(&serde_json::to_string_pretty(&v).unwrap_or_default());
        return 0;
    }
    let mut out = String::from("Built-in providers:\n");
    for p in &builtin {
        out.push_str(&format!("  {:<32} v{}\n", p.source, p.version));
    }
    if config.is_some() {
        out.push_str("\nProviders required by configuration:\n");
        let mut last_module = String::new();
        for (m, _n, src, ver) in &reqs {
            if *m != last_module {
                out.push_str(&format!("{m}\n"));
                last_module = m.clone();
            }
            let fq = if src.matches('/').count() >= 2 { src.clone() } else { format!("registry.terraform.io/{src}") };
            out.push_str(&format!("  provider[{fq}]{}\n", ver.as_ref().map(|v| format!(" {v}")).unwrap_or_default()));
        }
    }
    ui.out(&out);
    0
}
