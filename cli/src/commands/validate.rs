//! `plinth validate [-json] [DIR]`: loads the configuration, runs plinth-lang's static
//! validation (references, cycles, module inputs) and the engine's schema validation
//! (resource types, attribute names and types, provider requirements). `-json` prints
//! Terraform's `validate -json` document.

use crate::args::ValidateArgs;
use crate::ui::Ui;
use plinth_sdk::{Diagnostic, Diagnostics, Severity};
use serde_json::{json, Value as J};
use std::path::{Path, PathBuf};

pub fn run(args: ValidateArgs, ui: &mut Ui) -> i32 {
    ui.set_no_color(args.no_color || args.json);
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let (diags, sources) = validate_dir(&dir);
    if args.json {
        let doc = validate_json(&diags, sources.as_ref());
        ui.outln(&serde_json::to_string_pretty(&doc).unwrap_or_default());
        return if diags.has_errors() { 1 } else { 0 };
    }
    ui.diagnostics(&diags, sources.as_ref());
    if diags.has_errors() {
        return 1;
    }
    let success = format!("{} The configuration is valid", ui.green(&ui.bold("Success!")));
    if diags.is_empty() {
        ui.outln(&format!("{success}.\n"));
    } else {
        ui.outln(&format!("{success}, but there were some validation warnings as shown above.\n"));
    }
    0
}

/// Every diagnostic `validate` reports for the configuration in `dir`.
pub fn validate_dir(dir: &Path) -> (Diagnostics, Option<plinth_lang::SourceMap>) {
    let mut diags = Diagnostics::new();
    let stale = crate::commands::modules::stale_modules(dir);
    if !stale.is_empty() {
        for k in stale {
            diags.push(
                Diagnostic::error("Module not installed")
                    .with_detail(format!("The module \"{k}\" is not installed (or its source changed since \"plinth init\")."))
                    .with_help("run \"plinth init\" to install all modules required by this configuration"),
            );
        }
        return (diags, None);
    }
    if !crate::commands::init::has_config_files(dir) {
        diags.push(
            Diagnostic::error("No configuration files")
                .with_detail(format!("There are no .tf or .tf.json files in {}.", dir.display()))
                .with_help("pass the directory that holds your configuration"),
        );
        return (diags, None);
    }
    let (config, d) = plinth_lang::load_config(dir);
    diags.extend(d);
    let Some(config) = config else { return (diags, None) };
    if !diags.has_errors() {
        diags.extend(plinth_lang::validate::validate_config(&config));
        let registry = crate::commands::workdir::registry();
        diags.extend(plinth_engine::validate_with_schemas(&config, &registry));
    }
    let sources = config.sources.clone();
    (dedup(diags), Some(sources))
}

fn dedup(diags: Diagnostics) -> Diagnostics {
    let mut out = Diagnostics::new();
    for d in diags {
        if !out.iter().any(|o| *o == d) {
            out.push(d);
        }
    }
    out
}

/// Terraform's `validate -json` document (format version 1.0).
pub fn validate_json(diags: &Diagnostics, sources: Option<&plinth_lang::SourceMap>) -> J {
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.len() - errors;
    json!({
        "format_version": "1.0",
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": warnings,
        "diagnostics": diags.iter().map(|d| diagnostic_json(d, sources)).collect::<Vec<_>>(),
    })
}

/// One diagnostic in Terraform's JSON shape (`validate -json`, `-json` UI).
pub fn diagnostic_json(d: &Diagnostic, sources: Option<&plinth_lang::SourceMap>) -> J {
    let mut detail = d.detail.clone().unwrap_or_default();
    for h in &d.help {
        if !detail.is_empty() {
            detail.push_str("\n\n");
        }
        detail.push_str(&format!("Help: {h}"));
    }
    let mut o = json!({
        "severity": if d.severity == Severity::Error { "error" } else { "warning" },
        "summary": d.summary,
        "detail": detail,
    });
    if let Some(r) = &d.subject {
        o["range"] = json!({
            "filename": r.file.display().to_string(),
            "start": { "line": r.start.line, "column": r.start.column, "byte": r.start.byte },
            "end": { "line": r.end.line, "column": r.end.column, "byte": r.end.byte },
        });
        let text = sources
            .and_then(|m| m.get(r.file.as_path()).map(|f| f.text.clone()))
            .or_else(|| std::fs::read_to_string(r.file.as_path()).ok());
        if let Some(text) = text {
            o["snippet"] = snippet(&text, r);
        }
    }
    o
}

fn snippet(text: &str, r: &plinth_sdk::SourceRange) -> J {
    let lines: Vec<&str> = text.split('\n').collect();
    let first = r.start.line.saturating_sub(1).min(lines.len().saturating_sub(1));
    let last = r.end.line.saturating_sub(1).clamp(first, lines.len().saturating_sub(1));
    let code: Vec<&str> = lines[first..=last].iter().map(|l| l.trim_end_matches('\r')).collect();
    let code = code.join("\n");
    let line_start: usize = lines[..first].iter().map(|l| l.len() + 1).sum();
    let hs = r.start.byte.saturating_sub(line_start).min(code.len());
    let he = r.end.byte.saturating_sub(line_start).clamp(hs, code.len());
    // The enclosing top-level block header, as Terraform shows it.
    let context = lines[..=first]
        .iter()
        .rev()
        .find(|l| {
            let t = l.trim_end();
            !t.is_empty() && !t.starts_with(char::is_whitespace) && t.ends_with('{') && !t.contains('=')
        })
        .map(|l| l.trim_end().trim_end_matches('{').trim_end().to_string());
    json!({
        "context": context,
        "code": code,
        "start_line": r.start.line,
        "highlight_start_offset": hs,
        "highlight_end_offset": he,
        "values": [],
    })
}
