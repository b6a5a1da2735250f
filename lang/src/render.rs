//! Diagnostics rendering in Terraform's boxed style, with a source snippet, a caret line under
//! the subject, and `help:` lines.
//!
//! ```text
//! ╷
//! │ Error: Reference to undeclared input variable
//! │
//! │   on main.tf line 2, in resource "aws_vpc" "main":
//! │    2:   cidr_block = var.cidr_blok
//! │                      ^^^^^^^^^^^^^
//! │
//! │ An input variable with the name "cidr_blok" has not been declared.
//! │
//! │ help: did you mean `var.cidr_block`?
//! ╵
//! ```

use crate::source::{SourceFile, SourceMap};
use plinth_sdk::{Diagnostic, Diagnostics, Severity};
use std::fmt::Write;

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

/// Renders every diagnostic, each in its own box, separated by blank lines.
pub fn render_diagnostics(diags: &Diagnostics, sources: &SourceMap, color: bool) -> String {
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&render_diagnostic(d, sources, color));
    }
    out
}

/// Renders one diagnostic as a box.
pub fn render_diagnostic(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let (sev, c) = match d.severity {
        Severity::Error => ("Error", RED),
        Severity::Warning => ("Warning", YELLOW),
    };
    let bar = if color { format!("{c}│{RESET} ") } else { "│ ".to_string() };
    let bar_empty = if color { format!("{c}│{RESET}") } else { "│".to_string() };
    let mut lines: Vec<String> = Vec::new();
    if color {
        lines.push(format!("{bar}{BOLD}{c}{sev}: {RESET}{BOLD}{}{RESET}", d.summary));
    } else {
        lines.push(format!("{bar}{sev}: {}", d.summary));
    }
    if let Some(s) = &d.subject {
        if let Some(file) = sources.get(&s.file) {
            lines.push(bar_empty.clone());
            let ctx = block_context(&file, s.start.line).map(|c| format!(", in {c}")).unwrap_or_default();
            lines.push(format!("{bar}  on {} line {}{ctx}:", s.file.display(), s.start.line));
            let last = s.end.line.max(s.start.line).min(s.start.line + 5);
            for ln in s.start.line..=last {
                let text = file_line(&file, ln);
                if ln > s.start.line && ln == s.end.line && s.end.column <= 1 {
                    break;
                }
                lines.push(format!("{bar}{ln:>4}: {}", text.trim_end()));
                if ln == s.start.line {
                    let width = text.chars().count();
                    let start = s.start.column.saturating_sub(1).min(width);
                    let end = if s.end.line == s.start.line { s.end.column.saturating_sub(1).min(width) } else { width };
                    let n = end.saturating_sub(start).max(1);
                    let pad: String = text.chars().take(start).map(|ch| if ch == '\t' { '\t' } else { ' ' }).collect();
                    let carets = "^".repeat(n);
                    if color {
                        lines.push(format!("{bar}      {pad}{c}{carets}{RESET}"));
                    } else {
                        lines.push(format!("{bar}      {pad}{carets}"));
                    }
                }
            }
        } else {
            lines.push(bar_empty.clone());
            lines.push(format!("{bar}  on {} line {}:", s.file.display(), s.start.line));
            lines.push(format!("{bar}  (source code not available)"));
        }
    }
    if let Some(a) = &d.address {
        if d.subject.is_none() {
            lines.push(bar_empty.clone());
            lines.push(format!("{bar}  with {a}"));
        }
    }
    if let Some(detail) = &d.detail {
        if !detail.is_empty() {
            lines.push(bar_empty.clone());
            for l in detail.lines() {
                if l.is_empty() {
                    lines.push(bar_empty.clone());
                } else {
                    lines.push(format!("{bar}{l}"));
                }
            }
        }
    }
    if !d.help.is_empty() {
        lines.push(bar_empty.clone());
        for h in &d.help {
            if color {
                lines.push(format!("{bar}{BOLD}{CYAN}help{RESET}: {h}"));
            } else {
                lines.push(format!("{bar}help: {h}"));
            }
        }
    }
    let mut out = String::new();
    let (top, bottom) = if color { (format!("{c}╷{RESET}"), format!("{c}╵{RESET}")) } else { ("╷".to_string(), "╵".to_string()) };
    let _ = writeln!(out, "{top}");
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    let _ = writeln!(out, "{bottom}");
    out
}

fn file_line(f: &SourceFile, line: usize) -> String {
    f.text.lines().nth(line.saturating_sub(1)).unwrap_or("").to_string()
}

/// The header of the top-level block enclosing `line` (`resource "aws_vpc" "main"`), found as
/// Terraform does: the nearest line above that starts in column 1 and opens a block.
fn block_context(f: &SourceFile, line: usize) -> Option<String> {
    let lines: Vec<&str> = f.text.lines().take(line).collect();
    for (i, l) in lines.iter().enumerate().rev() {
        let t = l.trim_end();
        if t.is_empty() || l.starts_with(char::is_whitespace) {
            continue;
        }
        if i + 1 == line && t.ends_with('}') {
            // A one-line block: `resource "a" "b" {}`.
            if let Some((h, _)) = t.split_once('{') {
                let h = h.trim();
                if !h.is_empty() && !h.contains('=') {
                    return Some(h.to_string());
                }
            }
        }
        if t.starts_with('}') {
            // The subject is after the end of a block: not inside one (unless it is that line).
            if i + 1 == line {
                continue;
            }
            return None;
        }
        if let Some(h) = t.strip_suffix('{') {
            let h = h.trim();
            if h.is_empty() {
                return None;
            }
            return Some(h.to_string());
        }
        return None;
    }
    None
}
