//! Diagnostics: errors and warnings with a source range, returned by every layer.
//!
//! Conventions (rustc/OpenTofu): `summary` in lowercase-ish short form without a trailing
//! period; `detail` in full sentences; fixes only in `help`. Internal errors end their
//! detail with "This is a bug in Plinth.".

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A position in a source file: 1-based line and column (in characters), 0-based byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub byte: usize,
}

/// A range in a source file. `file` is the path as the user would recognise it (relative to
/// the working directory where possible).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceRange {
    pub file: Arc<PathBuf>,
    pub start: Pos,
    pub end: Pos,
}

impl fmt::Display for SourceRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.start.line, self.start.column)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: Option<String>,
    /// The range the diagnostic is about (underlined with carets).
    pub subject: Option<SourceRange>,
    /// The wider range for context, e.g. the whole block (optional).
    pub context: Option<SourceRange>,
    /// Suggested fixes, e.g. "did you mean `aws_vpc.main`?".
    pub help: Vec<String>,
    /// The resource or module address the diagnostic concerns, if any.
    pub address: Option<String>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: None,
            subject: None,
            context: None,
            help: Vec::new(),
            address: None,
        }
    }
    pub fn warning(summary: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(summary) }
    }
    /// An internal error: something Plinth itself got wrong.
    pub fn bug(summary: impl Into<String>, detail: impl fmt::Display) -> Self {
        Diagnostic::error(summary).with_detail(format!("{detail} This is a bug in Plinth."))
    }
    pub fn with_detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }
    pub fn with_subject(mut self, r: SourceRange) -> Self {
        self.subject = Some(r);
        self
    }
    pub fn with_subject_opt(mut self, r: Option<SourceRange>) -> Self {
        if self.subject.is_none() {
            self.subject = r;
        }
        self
    }
    pub fn with_context(mut self, r: SourceRange) -> Self {
        self.context = Some(r);
        self
    }
    pub fn with_help(mut self, h: impl Into<String>) -> Self {
        self.help.push(h.into());
        self
    }
    pub fn with_address(mut self, a: impl Into<String>) -> Self {
        self.address = Some(a.into());
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// A plain one-paragraph rendering (the CLI renders snippets itself).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        write!(f, "{sev}: {}", self.summary)?;
        if let Some(s) = &self.subject {
            write!(f, " (at {s})")?;
        }
        if let Some(a) = &self.address {
            write!(f, " [{a}]")?;
        }
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        for h in &self.help {
            write!(f, " help: {h}")?;
        }
        Ok(())
    }
}

/// A list of diagnostics. Library functions that can find several problems at once return
/// `(T, Diagnostics)` so users see every mistake in one run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
    /// Sets `address` on every diagnostic that has none.
    pub fn with_address(mut self, a: &str) -> Self {
        for d in &mut self.0 {
            if d.address.is_none() {
                d.address = Some(a.to_string());
            }
        }
        self
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}
