//! Terminal plumbing shared by commands: output streams, colour, diagnostics, prompts,
//! and logging set-up.
//!
//! Commands never call `println!` directly; they write through [`Ui`] so colour and the
//! `-json` modes are decided in one place.

use plinth_sdk::{Diagnostic, Diagnostics, Severity};
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
        && std::env::var_os("NO_COLOR").map_or(true, |v| v.is_empty())
        && std::io::stdout().is_terminal()
}

/// The terminal as commands see it.
pub struct Ui {
    pub out: Box<dyn Write + Send>,
    pub err: Box<dyn Write + Send>,
    pub color: bool,
    /// `-input=false` turns prompts into errors.
    pub input: bool,
}

impl Ui {
    pub fn stdio() -> Ui {
        Ui {
            out: Box::new(std::io::stdout()),
            err: Box::new(std::io::stderr()),
            color: color_allowed(false),
            input: true,
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
        let text = render_diagnostics(diags, sources, self.color);
        self.err(&text);
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

/// Terraform-style boxed diagnostics:
///
/// ```text
/// ╷
/// │ Error: summary
/// │
/// │   on main.tf line 3:
/// │    3:   foo = bar
/// │
/// │ Detail sentence.
/// ╵
/// ```
pub fn render_diagnostics(
    diags: &Diagnostics,
    sources: Option<&plinth_lang::SourceMap>,
    color: bool,
) -> String {
    let mut s = String::new();
    for d in diags.iter() {
        s.push_str(&render_one(d, sources, color));
    }
    s
}

fn render_one(d: &Diagnostic, sources: Option<&plinth_lang::SourceMap>, color: bool) -> String {
    let (label, code) = match d.severity {
        Severity::Error => ("Error", "31"),
        Severity::Warning => ("Warning", "33"),
    };
    let paint = |t: &str, c: &str| if color { format!("\x1b[{c}m{t}\x1b[0m") } else { t.to_string() };
    let bar = paint("│", code);
    let mut lines: Vec<String> = Vec::new();
    lines.push(format!("{} {}", paint(&format!("{label}:"), &format!("1;{code}")), paint(&d.summary, "1")));
    if let Some(r) = &d.subject {
        lines.push(String::new());
        let mut on = format!("  on {} line {}", r.file.display(), r.start.line);
        if let Some(a) = &d.address {
            on.push_str(&format!(", in {a}"));
        }
        on.push(':');
        lines.push(on);
        let text = sources
            .and_then(|m| m.get(r.file.as_path()).map(|f| f.text.clone()))
            .or_else(|| std::fs::read_to_string(r.file.as_path()).ok());
        if let Some(text) = text {
            if let Some(line) = text.lines().nth(r.start.line.saturating_sub(1)) {
                lines.push(format!("  {:>3}: {}", r.start.line, line));
                if r.end.line == r.start.line && r.end.column > r.start.column {
                    let pad = " ".repeat(r.start.column.saturating_sub(1) + 7);
                    let carets = "^".repeat(r.end.column - r.start.column);
                    lines.push(format!("{pad}{}", paint(&carets, code)));
                }
            }
        }
    } else if let Some(a) = &d.address {
        lines.push(String::new());
        lines.push(format!("  with {a}"));
    }
    if let Some(detail) = &d.detail {
        lines.push(String::new());
        lines.extend(detail.lines().map(str::to_string));
    }
    for h in &d.help {
        lines.push(String::new());
        lines.push(format!("{} {h}", paint("help:", "1")));
    }
    let mut out = format!("{}\n", paint("╷", code));
    for l in lines {
        out.push_str(&format!("{bar} {l}\n"));
    }
    out.push_str(&format!("{}\n\n", paint("╵", code)));
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
        assert_eq!(
            s,
            "╷\n│ Error: no such workspace\n│ \n│ The workspace \"x\" does not exist.\n│ \n│ help: run \"plinth workspace list\"\n╵\n\n"
        );
    }
}
