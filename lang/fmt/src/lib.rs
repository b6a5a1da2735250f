//! `plinth-fmt`: canonical formatting of Terraform configuration files, byte-for-byte
//! what `terraform fmt` (Terraform 1.11) writes.
//!
//! Like Terraform (which uses HCL's `hclwrite`), the formatter works on tokens, not on a
//! syntax tree: [`lexer`] scans the file exactly like HCL's scanner, [`rewrite`] applies
//! Terraform's own normalisations (quoted block labels, `"${x}"` → `x`, legacy variable
//! types), and [`layout`] re-spaces tokens, indents by bracket nesting and aligns `=` and
//! trailing comments. Only whitespace outside literals and comments changes, plus those
//! rewrites; blank lines, line endings (CRLF stays CRLF) and the final newline (or its
//! absence) are kept. Files with syntax errors are not formatted: [`format_source`]
//! returns a [`FormatError`] with the position of the first error.
//!
//! [`format_paths`] is the library half of `plinth fmt`: it walks files and directories
//! like `terraform fmt` does and reports what changed; the CLI prints and picks exit codes.

mod diff;
pub mod layout;
pub mod lexer;
pub mod rewrite;

use std::fmt;
use std::path::{Path, PathBuf};

pub use diff::unified_diff;

/// A syntax error that prevents formatting (Terraform exits with status 2 on these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// 1-based line of the error (0 when the error is not about file contents, e.g. I/O).
    pub line: usize,
    /// 1-based column of the error (0 when unknown).
    pub column: usize,
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.line, self.column, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for FormatError {}

/// Options of `plinth fmt` (same meaning as `terraform fmt`'s flags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FmtOptions {
    /// Only check: never write files (the CLI exits 3 when `changed` is not empty).
    pub check: bool,
    /// Produce unified diffs of the changes in [`FmtReport::diffs`].
    pub diff: bool,
    /// Descend into subdirectories of directory arguments.
    pub recursive: bool,
    /// Write formatted files back in place (ignored when `check` is set).
    pub write: bool,
    /// List changed files (the CLI prints [`FmtReport::changed`]); no effect here.
    pub list: bool,
}

impl Default for FmtOptions {
    fn default() -> Self {
        FmtOptions { check: false, diff: false, recursive: false, write: true, list: true }
    }
}

/// What [`format_paths`] found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FmtReport {
    /// Files whose formatting differs from canonical (written back when `write`).
    pub changed: Vec<PathBuf>,
    /// With `diff`: one unified diff per changed file (`diffs[i]` is `changed[i]`'s), like
    /// `terraform fmt -diff` (`--- old/PATH`, `+++ new/PATH`, three lines of context).
    pub diffs: Vec<String>,
    /// Files that could not be formatted (syntax errors, unreadable, wrong extension).
    pub errors: Vec<(PathBuf, FormatError)>,
}

/// Formats one file's text. Returns the canonical text, or the first syntax error.
pub fn format_source(src: &str) -> Result<String, FormatError> {
    check_syntax(src)?;
    Ok(format_tokens_of(src))
}

/// Formats without the syntax check. Only for input known to parse (and for tests that
/// feed it garbage to prove it never panics): invalid input gives unspecified output.
#[doc(hidden)]
pub fn format_unchecked(src: &str) -> String {
    format_tokens_of(src)
}

fn format_tokens_of(src: &str) -> String {
    let toks = lexer::lex(src);
    let mut toks = rewrite::rewrite(&toks);
    layout::format_tokens(&mut toks);
    layout::write_tokens(&toks)
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let upto = &src[..floor_char_boundary(src, offset)];
    let line = upto.matches('\n').count() + 1;
    let col = upto.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn check_syntax(src: &str) -> Result<(), FormatError> {
    // Token-level problems first: they have precise positions and clear messages.
    let toks = lexer::lex(src);
    let mut offset = 0usize;
    let mut heredoc_open = 0i64;
    for t in &toks {
        offset += t.spaces_before;
        let problem = match t.ty {
            lexer::Tt::Invalid => {
                let ch = t.text.chars().next().unwrap_or(' ');
                Some(match ch {
                    '\r' => "invalid character: a carriage return must be followed by a newline".to_string(),
                    '\\' => "invalid escape sequence in string".to_string(),
                    '&' | '|' => format!("invalid character `{ch}`: use `&&` or `||` for logical operators"),
                    _ => format!("invalid character `{}`", ch.escape_debug()),
                })
            }
            lexer::Tt::QuotedNewline => Some("unterminated string: quoted strings cannot contain newlines; use a heredoc (<<EOT) for multi-line text".to_string()),
            _ => None,
        };
        match t.ty {
            lexer::Tt::OHeredoc => heredoc_open += 1,
            lexer::Tt::CHeredoc => heredoc_open -= 1,
            _ => {}
        }
        if let Some(message) = problem {
            // the byte offset of a token is the sum of everything before it
            let (line, column) = line_col(src, offset);
            return Err(FormatError { line, column, message });
        }
        offset += t.text.len();
    }
    if heredoc_open > 0 {
        let (line, column) = line_col(src, src.len());
        return Err(FormatError { line, column, message: "unterminated heredoc: no closing marker was found for the string".into() });
    }
    // The parser recurses once per nesting level; very deep input gets a big stack of its
    // own, and absurdly deep input is refused rather than risking a stack overflow.
    let depth = nesting_depth(&toks);
    if depth > MAX_NESTING {
        return Err(FormatError {
            line: 1,
            column: 1,
            message: format!("expressions are nested {depth} levels deep; at most {MAX_NESTING} levels can be formatted"),
        });
    }
    // HCL skips a UTF-8 byte order mark; hcl-edit does not.
    let body = src.strip_prefix('\u{feff}').unwrap_or(src);
    let parse = |body: &str| {
        let mut text = body.to_string();
        // HCL accepts repeated object keys (`{a = 1, a = 2}`: evaluation keeps the last);
        // hcl-edit rejects them, so each reported repeat is renamed to a fresh key and the
        // check runs again.
        for attempt in 0..10_000 {
            match hcl_edit::parser::parse_body(&text) {
                Ok(_) => return Ok(()),
                Err(e) => {
                    let loc = e.location();
                    if e.message().contains("redefined object key") {
                        if let Some(patched) = rename_key_at(&text, loc.line(), loc.column(), attempt) {
                            text = patched;
                            continue;
                        }
                    }
                    return Err(FormatError { line: loc.line(), column: loc.column(), message: e.message().to_string() });
                }
            }
        }
        Ok(())
    };
    if depth <= 48 {
        return parse(body);
    }
    let owned = body.to_string();
    let spawned = std::thread::Builder::new().stack_size(256 << 20).spawn(move || parse(&owned));
    match spawned.map(|h| h.join()) {
        Ok(Ok(result)) => result,
        _ => Err(FormatError { line: 1, column: 1, message: "the file is too deeply nested to be checked".into() }),
    }
}

const MAX_NESTING: usize = 2000;

/// Replaces the object key starting at `line`:`column` (1-based, in characters) with a
/// fresh identifier; None if no identifier or quoted key starts there.
fn rename_key_at(text: &str, line: usize, column: usize, n: usize) -> Option<String> {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)?
    };
    let offset = line_start + text[line_start..].chars().take(column.saturating_sub(1)).map(char::len_utf8).sum::<usize>();
    let toks = lexer::lex(text);
    let mut pos = 0usize;
    let mut key: Option<(usize, usize)> = None;
    let mut k = 0;
    while k < toks.len() {
        pos += toks[k].spaces_before;
        if pos == offset {
            match toks[k].ty {
                lexer::Tt::Ident => key = Some((pos, pos + toks[k].text.len())),
                lexer::Tt::OQuote => {
                    let mut end = pos;
                    for t in &toks[k..] {
                        end += t.spaces_before + t.text.len();
                        if t.ty == lexer::Tt::CQuote {
                            break;
                        }
                    }
                    key = Some((pos, end));
                }
                _ => {}
            }
            break;
        }
        if pos > offset {
            break;
        }
        pos += toks[k].text.len();
        k += 1;
    }
    let (s, e) = key?;
    Some(format!("{}plinth_repeated_key_{n}_{}", &text[..s], &text[e..]))
}

/// Deepest nesting of brackets, template sequences and prefix operators.
fn nesting_depth(toks: &[lexer::Token]) -> usize {
    use lexer::Tt;
    let (mut depth, mut max, mut unary) = (0usize, 0usize, 0usize);
    for t in toks {
        match t.ty {
            Tt::OBrace | Tt::OBrack | Tt::OParen | Tt::TemplateInterp | Tt::TemplateControl | Tt::OQuote | Tt::OHeredoc => depth += 1,
            Tt::CBrace | Tt::CBrack | Tt::CParen | Tt::TemplateSeqEnd | Tt::CQuote | Tt::CHeredoc => depth = depth.saturating_sub(1),
            _ => {}
        }
        if matches!(t.ty, Tt::Bang | Tt::Minus) {
            unary += 1;
        } else if !matches!(t.ty, Tt::Newline | Tt::Comment) {
            unary = 0;
        }
        max = max.max(depth + unary);
    }
    max
}

/// What `terraform fmt -` writes to stdout for a formatted text: its output always ends
/// with exactly one extra line ending if the text had none (the Terraform CLI prints
/// through a line-oriented writer), so `x = 1` prints as `x = 1\n`.
pub fn stdout_text(formatted: &str) -> String {
    if formatted.ends_with('\n') {
        formatted.to_string()
    } else {
        format!("{formatted}\n")
    }
}

const SUPPORTED_EXTS: [&str; 4] = [".tf", ".tfvars", ".tftest.hcl", ".tfmock.hcl"];

fn is_supported(name: &str) -> bool {
    SUPPORTED_EXTS.iter().any(|e| name.ends_with(e))
}

/// Terraform ignores editor droppings and hidden files when reading directories.
fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name.ends_with('~') || (name.starts_with('#') && name.ends_with('#'))
}

/// Formats files and directories like `terraform fmt PATH...`: directories contribute
/// their `*.tf`, `*.tfvars`, `*.tftest.hcl` and `*.tfmock.hcl` files (subdirectories too
/// with `recursive`), in name order; files are formatted as given. `-` (stdin) is the
/// caller's business. A path that does not exist is reported and ends the run, as in
/// Terraform.
pub fn format_paths(paths: &[PathBuf], opts: &FmtOptions) -> FmtReport {
    let mut report = FmtReport::default();
    for p in paths {
        match std::fs::metadata(p) {
            Err(_) => {
                // like Terraform, a missing path stops the run
                report.errors.push((p.clone(), io_error(format!("no file or directory at {}", p.display()))));
                break;
            }
            Ok(md) if md.is_dir() => process_dir(p, opts, &mut report),
            Ok(_) => {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                if is_supported(&name) {
                    process_file(p, opts, &mut report);
                } else {
                    report.errors.push((
                        p.clone(),
                        io_error("only .tf, .tfvars, and .tftest.hcl files can be processed with fmt".to_string()),
                    ));
                }
            }
        }
    }
    report
}

fn io_error(message: String) -> FormatError {
    FormatError { line: 0, column: 0, message }
}

fn process_dir(dir: &Path, opts: &FmtOptions, report: &mut FmtReport) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => {
            let mut v: Vec<_> = rd.filter_map(Result::ok).collect();
            v.sort_by_key(|e| e.file_name());
            v
        }
        Err(_) => {
            report.errors.push((dir.to_path_buf(), io_error(format!("cannot read directory {}", dir.display()))));
            return;
        }
    };
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_ignored(&name) {
            continue;
        }
        // like Go's filepath.Join: `.` joined with `main.tf` is `main.tf`
        let path = if dir == Path::new(".") { PathBuf::from(&name) } else { dir.join(&name) };
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir {
            if opts.recursive {
                process_dir(&path, opts, report);
            }
            continue;
        }
        if is_supported(&name) {
            process_file(&path, opts, report);
        }
    }
}

fn process_file(path: &Path, opts: &FmtOptions, report: &mut FmtReport) {
    let src = match std::fs::read(path) {
        Ok(b) => b,
        Err(_) => {
            report.errors.push((path.to_path_buf(), io_error(format!("failed to read file {}", path.display()))));
            return;
        }
    };
    let src = match String::from_utf8(src) {
        Ok(s) => s,
        Err(e) => {
            let (line, column) = {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let s = String::from_utf8_lossy(valid);
                line_col(&s, s.len())
            };
            report.errors.push((path.to_path_buf(), FormatError { line, column, message: "invalid UTF-8 in file".into() }));
            return;
        }
    };
    let formatted = match format_source(&src) {
        Ok(f) => f,
        Err(e) => {
            report.errors.push((path.to_path_buf(), e));
            return;
        }
    };
    if formatted == src {
        return;
    }
    report.changed.push(path.to_path_buf());
    // the diff is recorded first so that `diffs[i]` always belongs to `changed[i]`
    if opts.diff {
        let name = path.display().to_string();
        report.diffs.push(unified_diff(&src, &formatted, &format!("old/{name}"), &format!("new/{name}")));
    }
    if opts.write && !opts.check && std::fs::write(path, &formatted).is_err() {
        report.errors.push((path.to_path_buf(), io_error(format!("failed to write {}", path.display()))));
    }
}
