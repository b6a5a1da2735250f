//! Terminal plumbing shared by commands: output streams, colour, diagnostics, prompts,
//! and logging set-up.
//!
//! Commands never call `println!` directly; they write through [`Ui`] so colour and the
//! `-json` modes are decided in one place.

use plinth_sdk::{Diagnostic, Diagnostics};
use std::io::{BufRead, IsTerminal, Write};

/// Sets up `tracing` from `PLINTH_LOG` (or Terraform's `TF_LOG`): `trace`, `debug`, `info`,
/// `warn`, `error`, or a full `tracing` filter. Logs go to stderr. Off when unset.
pub fn init_logging() {
    let spec = std::env::var("PLINTH_LOG")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("TF_LOG").ok().filter(|s| !s.is_empty()));
    let Some(spec) = spec else { return };
    let spec = match spec.to_ascii_lowercase().as_str() {
        "json" | "1" | "true" => "trace".to_string(),
        s => s.to_string(),
    };
    let filter = tracing_subscriber::EnvFilter::try_new(&spec)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true)
        .try_init();
}

/// Whether colour is allowed: not disabled by `-no-color` or `NO_COLOR`, and stdout is a
/// terminal.
pub fn color_allowed(no_color_flag: bool) -> bool {
    !no_color_flag
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal()
}

/// The terminal as commands see it.
pub struct Ui {
    pub out: Box<dyn Write + Send>,
    pub err: Box<dyn Write + Send>,
    pub color: bool,
    /// `-input=false` turns prompts into errors.
    pub input: bool,
    /// `-json` machine-readable UI: diagnostics go to stdout as JSON lines.
    pub json: bool,
    /// `-compact-warnings`: warnings without errors print as a short list.
    pub compact_warnings: bool,
}

impl Ui {
    pub fn stdio() -> Ui {
        Ui {
            out: Box::new(std::io::stdout()),
            err: Box::new(std::io::stderr()),
            color: color_allowed(false),
            input: true,
            json: false,
            compact_warnings: false,
        }
    }

    /// Sets colour from a command's `-no-color` flag.
    pub fn set_no_color(&mut self, no_color: bool) {
        if no_color {
            self.color = false;
        }
    }

    /// Writes to stdout (no newline added).
    pub fn out(&mut self, s: &str) {
        let _ = self.out.write_all(s.as_bytes());
        let _ = self.out.flush();
    }
    /// Writes a line to stdout.
    pub fn outln(&mut self, s: &str) {
        let _ = writeln!(self.out, "{s}");
        let _ = self.out.flush();
    }
    /// Writes to stderr (no newline added).
    pub fn err(&mut self, s: &str) {
        let _ = self.err.write_all(s.as_bytes());
        let _ = self.err.flush();
    }
    pub fn errln(&mut self, s: &str) {
        let _ = writeln!(self.err, "{s}");
        let _ = self.err.flush();
    }

    /// Bold text when colour is on.
    pub fn bold(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    /// Green text when colour is on.
    pub fn green(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[32m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Renders one error diagnostic on stderr.
    pub fn error_diag(&mut self, d: Diagnostic) {
        self.diagnostics(&Diagnostics::from(d), None);
    }

    /// Renders diagnostics (errors and warnings) on stderr, with snippets from `sources`
    /// (or from disk) where they have a range.
    pub fn diagnostics(&mut self, diags: &Diagnostics, sources: Option<&plinth_lang::SourceMap>) {
        if diags.is_empty() {
            return;
        }
        if self.json {
            for d in diags.iter() {
                let line = crate::views::json_ui::line(&crate::views::json_ui::diagnostic(d));
                self.outln(&line);
            }
            return;
        }
        if self.compact_warnings && !diags.has_errors() {
            let mut text = String::from("\nWarnings:\n\n");
            for d in diags.iter() {
                text.push_str(&format!("- {}\n", d.summary));
                if let Some(r) = &d.subject {
                    text.push_str(&format!("  on {} line {}\n", r.file.display(), r.start.line));
                }
            }
            text.push_str("\nTo see the full warning notes, run Plinth without -compact-warnings.\n");
            self.err(&text);
            return;
        }
        let text = render_diagnostics(diags, sources, self.color);
        self.err(&text);
    }

    /// Emits one `-json` UI message (a JSON line on stdout).
    pub fn json_line(&mut self, msg: &serde_json::Value) {
        let line = crate::views::json_ui::line(msg);
        self.outln(&line);
    }

    /// Asks a question on the terminal and returns the answer (trimmed). `None` when input
    /// is disabled or stdin is closed.
    pub fn ask(&mut self, heading: &str, description: &str) -> Option<String> {
        if !self.input {
            return None;
        }
        let mut q = format!("{}\n", self.bold(heading));
        for line in description.lines() {
            q.push_str(&format!("  {line}\n"));
        }
        q.push('\n');
        q.push_str(&format!("  {} ", self.bold("Enter a value:")));
        self.out(&q);
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                self.out("\n");
                None
            }
            Ok(_) => {
                self.out("\n");
                Some(line.trim().to_string())
            }
        }
    }
}

/// Renders diagnostics with `plinth_lang::render` (Terraform's boxed style), each box
/// followed by a blank line as Terraform prints them.
pub fn render_diagnostics(
    diags: &Diagnostics,
    sources: Option<&plinth_lang::SourceMap>,
    color: bool,
) -> String {
    let empty = plinth_lang::SourceMap::default();
    let mut out = String::new();
    for d in diags.iter() {
        out.push_str(&plinth_lang::render::render_diagnostic(d, sources.unwrap_or(&empty), color));
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_box_without_source() {
        let d = Diagnostic::error("no such workspace")
            .with_detail("The workspace \"x\" does not exist.")
            .with_help("run \"plinth workspace list\"");
        let s = render_diagnostics(&Diagnostics::from(d), None, false);
        assert!(s.starts_with("╷\n│ Error: no such workspace\n"), "{s}");
        assert!(s.contains("The workspace \"x\" does not exist."), "{s}");
        assert!(s.ends_with("╵\n\n"), "{s:?}");
    }
}
