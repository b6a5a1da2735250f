//! `plinth fmt`: rewrites configuration files in the canonical style through
//! `plinth_fmt`. Exit status: 0 when nothing (else) had to change, 3 with `-check` when
//! something is not formatted, 2 on syntax errors (Terraform's codes).

use crate::args::FmtArgs;
use crate::ui::Ui;
use plinth_sdk::{Diagnostic, Diagnostics, Pos, SourceRange};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

pub fn run(args: FmtArgs, ui: &mut Ui) -> i32 {
    ui.set_no_color(args.no_color);
    if args.targets.iter().any(|t| t == "-") {
        if args.targets.len() > 1 {
            ui.error_diag(
                Diagnostic::error("Invalid command-line arguments")
                    .with_detail("Reading from standard input (\"-\") cannot be combined with file or directory arguments.")
                    .with_help("run \"plinth fmt -\" on its own"),
            );
            return 1;
        }
        return run_stdin(&args, ui);
    }
    let paths: Vec<PathBuf> = if args.targets.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.targets.iter().map(PathBuf::from).collect()
    };
    let opts = plinth_fmt::FmtOptions {
        check: args.check,
        diff: args.diff,
        recursive: args.recursive,
        write: args.write && !args.check,
        list: args.list,
    };
    let report = plinth_fmt::format_paths(&paths, &opts);
    for (i, file) in report.changed.iter().enumerate() {
        if args.list {
            ui.outln(&display(file));
        }
        if args.diff {
            if let Some(d) = report.diffs.get(i) {
                ui.out(d);
                if !d.ends_with('\n') {
                    ui.out("\n");
                }
            }
        }
    }
    if !report.errors.is_empty() {
        let mut diags = Diagnostics::new();
        for (file, e) in &report.errors {
            diags.push(format_error(file, e));
        }
        ui.diagnostics(&diags, None);
        return 2;
    }
    if args.check && !report.changed.is_empty() {
        return 3;
    }
    0
}

fn run_stdin(args: &FmtArgs, ui: &mut Ui) -> i32 {
    let mut src = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut src) {
        ui.error_diag(
            Diagnostic::error("Failed to read from standard input")
                .with_detail(format!("The operating system reported: {e}.")),
        );
        return 2;
    }
    match plinth_fmt::format_source(&src) {
        Ok(out) => {
            let changed = out != src;
            if args.check {
                return if changed { 3 } else { 0 };
            }
            if args.diff {
                if changed {
                    ui.out(&plinth_fmt::unified_diff(&src, &out, "old/<stdin>", "new/<stdin>"));
                }
            } else {
                ui.out(&out);
            }
            0
        }
        Err(e) => {
            ui.diagnostics(&Diagnostics::from(format_error(&PathBuf::from("<stdin>"), &e)), None);
            2
        }
    }
}

fn display(p: &std::path::Path) -> String {
    let s = p.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

fn format_error(file: &std::path::Path, e: &plinth_fmt::FormatError) -> Diagnostic {
    let mut summary = e.message.clone();
    if let Some(first) = summary.get(..1) {
        summary = format!("{}{}", first.to_uppercase(), &summary[1..]);
    }
    let d = Diagnostic::error(summary).with_help("fix the syntax error, then run \"plinth fmt\" again");
    if e.line == 0 {
        return d;
    }
    let pos = Pos { line: e.line, column: e.column.max(1), byte: 0 };
    d.with_subject(SourceRange { file: Arc::new(PathBuf::from(display(file))), start: pos, end: pos })
}
