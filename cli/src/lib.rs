//! `plinth`: the command-line interface, the only crate that touches the terminal.
//!
//! Split like OpenTofu's CLI: [`args`] parses each command's flags (Terraform's
//! single-dash style), [`commands`] orchestrates (load config, open state, run the
//! engine), and [`views`] renders (human, `-json`, Markdown). [`ui`] holds the terminal
//! plumbing shared by commands: colour, diagnostics, prompts, exit codes.

// Diagnostics are large and travel in `Err` everywhere (as in the other crates); boxing
// them would buy nothing on these cold paths.
#![allow(clippy::result_large_err)]

pub mod args;
pub mod commands;
pub mod ui;
pub mod views;

use args::{Invocation, UsageError};

/// Runs the command line `argv` (without the program name) and returns the exit status.
pub fn run<S: AsRef<str>>(argv: &[S]) -> i32 {
    ui::init_logging();
    let mut ui = ui::Ui::stdio();
    match args::parse(argv) {
        Ok(Invocation::Help(path)) => match args::help::help_text(&path) {
            Some(text) => {
                ui.out(text);
                0
            }
            None => 1,
        },
        Ok(Invocation::Run { chdir, command }) => {
            if let Some(dir) = chdir {
                if let Err(e) = std::env::set_current_dir(&dir) {
                    ui.error_diag(
                        plinth_sdk::Diagnostic::error("Error handling -chdir option")
                            .with_detail(format!("Cannot change to directory {}: {e}.", dir.display()))
                            .with_help("check the directory exists and is readable"),
                    );
                    return 1;
                }
            }
            tracing::info!(version = env!("CARGO_PKG_VERSION"), command = ?command, "plinth starting");
            let code = commands::run(command, &mut ui);
            tracing::debug!(code, "plinth finished");
            code
        }
        Err(e) => {
            usage_error(&mut ui, &e);
            1
        }
    }
}

fn usage_error(ui: &mut ui::Ui, e: &UsageError) {
    let cmd = if e.command.is_empty() { String::new() } else { format!(" {}", e.command.join(" ")) };
    ui.error_diag(
        plinth_sdk::Diagnostic::error("Invalid command-line arguments")
            .with_detail(e.message.clone())
            .with_help(format!("run \"plinth{cmd} -help\" for the options")),
    );
}
