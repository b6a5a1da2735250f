//! Loading: a directory of `*.tf` files → [`Module`], recursively through module calls
//! (local sources directly, other sources through `.terraform/modules/modules.json`).
//!
//! Every problem found is reported (all files, all blocks) so users fix everything in one run.

use crate::config::*;
use crate::eval::eval_constant;
use crate::source::{SourceFile, SourceMap};
use crate::suggest::suggest;
use crate::typeexpr::{convert_to_constraint, parse_type_constraint};
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block as HBlock, BlockLabel, Body as HBody, Structure};
use hcl_edit::Span;
use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, PathStep, SourceRange, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Loads the configuration rooted at `dir`: the root module and every called module.
/// Returns `None` only when the directory itself cannot be read; otherwise the (possibly
/// partial) configuration comes back with every diagnostic found.
pub fn load_config(dir: &Path) -> (Option<Config>, Diagnostics) {
    let sources = SourceMap::default();
    let mut diags = Diagnostics::new();
    if let Err(e) = std::fs::read_dir(dir) {
        diags.push(
            Diagnostic::error("Failed to read module directory")
                .with_detail(format!("Module directory {} does not exist or cannot be read: {e}.", dir.display())),
        );
        return (None, diags);
    }
    let installed = read_modules_json(dir, &mut diags);
    let mut loader = Loader { root: dir.to_path_buf(), sources: sources.clone(), installed, ancestors: Vec::new(), follow_children: true, loaded: HashMap::new() };
    let root = loader.load_module(dir, Vec::new(), &mut diags);
    (Some(Config { root, sources }), diags)
}

/// Loads a single module directory (no child modules are followed: their `module` field is an
/// empty module). Used by tools that look at one directory, e.g. `fmt -check` helpers.
pub fn load_module_dir(dir: &Path, sources: &SourceMap) -> (Module, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut loader = Loader { root: dir.to_path_buf(), sources: sources.clone(), installed: None, ancestors: Vec::new(), follow_children: false, loaded: HashMap::new() };
    let m = loader.load_files(dir, Vec::new(), &mut diags);
    (m, diags)
}

struct Installed {
    /// Key (`net`, `net.subnets`) → (source, dir relative to the root).
    modules: HashMap<String, (String, String)>,
}

fn read_modules_json(root: &Path, diags: &mut Diagnostics) -> Option<Installed> {
    let p = root.join(".terraform").join("modules").join("modules.json");
    let text = std::fs::read_to_string(&p).ok()?;
    let j: serde_json::Value = match serde_json::from_str(&text) {
        Ok(j) => j,
        Err(e) => {
            diags.push(
                Diagnostic::error("Invalid module manifest")
                    .with_detail(format!("The module manifest {} is not valid JSON: {e}.", p.display()))
                    .with_help("run `plinth init` to reinstall modules"),
            );
            return None;
        }
    };
    let mut modules = HashMap::new();
    for m in j.get("Modules").and_then(|m| m.as_array()).into_iter().flatten() {
        let key = m.get("Key").and_then(|x| x.as_str()).unwrap_or_default().to_string();
        let src = m.get("Source").and_then(|x| x.as_str()).unwrap_or_default().to_string();
        let dir = m.get("Dir").and_then(|x| x.as_str()).unwrap_or_default().to_string();
        modules.insert(key, (src, dir));
    }
    Some(Installed { modules })
}

struct Loader {
    root: PathBuf,
    sources: SourceMap,
    installed: Option<Installed>,
    ancestors: Vec<PathBuf>,
    follow_children: bool,
    /// Directories already read (canonical path → the module's own blocks, children not
    /// loaded): a module called several times (`for_each` on several calls of `./svc`) is
    /// read, parsed and checked once, like Terraform's parser cache. Its expressions are
    /// shared (`Arc`), and its diagnostics are reported once.
    loaded: HashMap<PathBuf, Module>,
}

/// The path shown to users: relative to the working directory when possible, without `./`.
pub(crate) fn display_path(p: &Path) -> PathBuf {
    let rel = std::env::current_dir().ok().and_then(|cwd| p.strip_prefix(&cwd).ok().map(Path::to_path_buf)).unwrap_or_else(|| p.to_path_buf());
    let cleaned: PathBuf = rel.components().filter(|c| !matches!(c, Component::CurDir)).collect();
    if cleaned.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}

pub(crate) fn range_str(r: &SourceRange) -> String {
    if r.start.line == r.end.line {
        format!("{}:{},{}-{}", r.file.display(), r.start.line, r.start.column, r.end.column)
    } else {
        format!("{}:{},{}-{},{}", r.file.display(), r.start.line, r.start.column, r.end.line, r.end.column)
    }
}

/// Whether `s` is a valid Terraform identifier (letters, digits, `_`, `-`; not starting with a
/// digit or dash).
pub fn valid_name(s: &str) -> bool {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    cs.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

const BLOCK_TYPES: &[&str] = &["terraform", "provider", "variable", "locals", "output", "resource", "data", "module", "moved", "import", "removed", "check"];

impl Loader {
    fn load_module(&mut self, dir: &Path, path: Vec<String>, diags: &mut Diagnostics) -> Module {
        let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let mut m = match self.loaded.get(&key) {
            Some(m) => {
                let mut m = m.clone();
                m.dir = dir.to_path_buf();
                m.path = path.clone();
                m
            }
            None => {
                let m = self.load_files(dir, path.clone(), diags);
                // The root module is not called again (that would be recursion, an error).
                if !path.is_empty() {
                    self.loaded.insert(key, m.clone());
                }
                m
            }
        };
        // Child modules.
        let mut calls = std::mem::take(&mut m.module_calls);
        for (name, call) in calls.iter_mut() {
            let mut child_path = path.clone();
            child_path.push(name.clone());
            if let Some(child_dir) = self.resolve_source(dir, call, &child_path, diags) {
                let canon = child_dir.canonicalize().unwrap_or_else(|_| child_dir.clone());
                if self.ancestors.contains(&canon) || child_path.len() > 32 {
                    diags.push(
                        Diagnostic::error("Module recursion")
                            .with_detail(format!("Module \"{name}\" calls a module that is already being loaded ({}), which would never end.", child_dir.display()))
                            .with_subject(call.range.clone())
                            .with_help("remove the module call that refers back to an enclosing module"),
                    );
                    continue;
                }
                if !child_dir.is_dir() {
                    diags.push(
                        Diagnostic::error("Unreadable module directory")
                            .with_detail(format!("The directory {} does not exist or cannot be read.", display_path(&child_dir).display()))
                            .with_subject(call.range.clone())
                            .with_help("check the module's `source` path"),
                    );
                    continue;
                }
                self.ancestors.push(canon);
                let child = self.load_module(&child_dir, child_path, diags);
                self.ancestors.pop();
                call.module = Box::new(child);
            }
        }
        m.module_calls = calls;
        m
    }

    fn resolve_source(&self, dir: &Path, call: &ModuleCall, key_path: &[String], diags: &mut Diagnostics) -> Option<PathBuf> {
        let s = call.source.as_str();
        if !self.follow_children {
            return None;
        }
        if s.starts_with("./") || s.starts_with("../") || s == "." || s == ".." || s.starts_with(".\\") || s.starts_with("..\\") {
            return Some(dir.join(s));
        }
        let key = key_path.join(".");
        if let Some((_, d)) = self.installed.as_ref().and_then(|i| i.modules.get(&key)) {
            let p = self.root.join(d);
            if p.is_dir() {
                return Some(p);
            }
        }
        diags.push(
            Diagnostic::error("Module not installed")
                .with_detail(format!("Module \"{key}\" (source \"{s}\") is not yet installed. Modules with non-local sources must be downloaded before use."))
                .with_subject(call.range.clone())
                .with_help("run `plinth init`"),
        );
        None
    }

    fn load_files(&mut self, dir: &Path, path: Vec<String>, diags: &mut Diagnostics) -> Module {
        let mut m = Module { dir: dir.to_path_buf(), path, ..Module::default() };
        let mut names: Vec<String> = match std::fs::read_dir(dir) {
            Ok(rd) => rd.filter_map(|e| e.ok()).filter_map(|e| e.file_name().into_string().ok()).filter(|n| n.ends_with(".tf") || n.ends_with(".tf.json")).collect(),
            Err(e) => {
                diags.push(Diagnostic::error("Failed to read module directory").with_detail(format!("Module directory {} cannot be read: {e}.", dir.display())));
                return m;
            }
        };
        names.sort();
        let mut seen = Seen::default();
        let mut files = Vec::new();
        let mut json_files = Vec::new();
        for name in names {
            let full = dir.join(&name);
            if full.is_dir() {
                continue;
            }
            let text = match std::fs::read(&full) {
                Ok(b) => match String::from_utf8(b) {
                    Ok(t) => t,
                    Err(_) => {
                        diags.push(Diagnostic::error("Invalid file encoding").with_detail(format!("The file {} is not valid UTF-8.", display_path(&full).display())));
                        continue;
                    }
                },
                Err(e) => {
                    diags.push(Diagnostic::error("Failed to read file").with_detail(format!("The file {} could not be read: {e}.", display_path(&full).display())));
                    continue;
                }
            };
            let file = self.sources.add(SourceFile::new(display_path(&full), text));
            let stem = name.trim_end_matches(".json").trim_end_matches(".tf");
            if stem == "override" || stem.ends_with("_override") {
                diags.push(
                    Diagnostic::error("Override files are not supported yet")
                        .with_detail(format!("The file {} is an override file, whose blocks Terraform merges into the blocks of the same name in other files. Plinth does not merge override files yet.", file.path.display()))
                        .with_subject(file.range(0..0))
                        .with_help("merge the overriding arguments into the original blocks, then delete the override file"),
                );
                continue;
            }
            if name.ends_with(".tf.json") {
                json_files.push(file);
            } else {
                files.push(file);
            }
        }
        // Parsing dominates loading time: parse files in parallel, then build the model in
        // file order so diagnostics stay deterministic.
        for (file, parsed) in parse_all(files) {
            match parsed {
                Ok(body) => load_file_body(&mut m, body, &file, &mut seen, diags),
                Err(ParseFailure::Syntax(e)) => diags.push(syntax_error(&file, &e)),
                Err(ParseFailure::TooDeep(at)) => diags.push(nesting_error(&file, at)),
            }
        }
        // `*.tf.json` files: the same blocks in JSON syntax.
        for file in json_files {
            for b in crate::json::file_blocks(&file, diags) {
                load_raw_block(&mut m, b, &mut seen, diags);
            }
        }
        m
    }
}

type Parsed = (Arc<SourceFile>, Result<HBody, ParseFailure>);

/// Why a file could not be parsed.
pub(crate) enum ParseFailure {
    Syntax(hcl_edit::parser::Error),
    /// Nesting deeper than [`MAX_NESTING`] at this byte offset.
    TooDeep(usize),
}

/// Deeper nesting than this is rejected before parsing: the parser is recursive and would
/// overflow the stack.
pub(crate) const MAX_NESTING: usize = 256;

/// The byte offset where bracket nesting first exceeds [`MAX_NESTING`], if it does. Brackets
/// inside quoted strings count too, which only makes the check stricter.
pub(crate) fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

pub(crate) fn nesting_error(file: &SourceFile, at: usize) -> Diagnostic {
    Diagnostic::error("Nesting too deep")
        .with_detail(format!("Brackets are nested more than {MAX_NESTING} levels deep here, which Plinth does not accept."))
        .with_subject(file.range(at..at + 1))
        .with_help("split the expression into local values")
}

fn parse_checked(file: &SourceFile) -> Result<HBody, ParseFailure> {
    let text = file.text.as_str();
    if let Some(at) = too_deep(text) {
        return Err(ParseFailure::TooDeep(at));
    }
    parse_lenient(file)
}

/// `hcl_edit::parser::parse_body` accepting what Terraform accepts (see [`crate::lenient`]).
fn parse_lenient(file: &SourceFile) -> Result<HBody, ParseFailure> {
    let (body, renamed) = crate::lenient::parse_with(&file.text, hcl_edit::parser::parse_body).map_err(ParseFailure::Syntax)?;
    if !renamed.is_empty() {
        let _ = file.renamed_keys.set(renamed);
    }
    Ok(body)
}

/// Files at least this large are parsed in two halves on two threads when the module has
/// a single file (the common `main.tf` of a generated or large configuration).
const SPLIT_PARSE_MIN: usize = 128 * 1024;

/// A byte offset near the middle of `text` where a top-level block starts: right after a
/// line that is only `}` and at a line starting with a letter. The split is only a guess
/// (the `}` could be inside a heredoc or a comment): [`parse_split`] verifies it.
fn split_point(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = text.len() / 2;
    while !text.is_char_boundary(from) {
        from += 1;
    }
    while let Some(i) = text.get(from..)?.find("\n}\n") {
        let p = from + i + 3;
        let next = bytes[p..].iter().find(|b| **b != b'\n');
        if next.is_some_and(|b| b.is_ascii_alphabetic()) {
            return Some(p);
        }
        from = p;
    }
    None
}

/// Parses a large file as two halves in parallel. The first half must parse on its own
/// (so the split point really is between two top-level blocks: a heredoc, comment or
/// bracket left open makes it fail); the second is parsed with the first half blanked out
/// so that its spans are offsets into the whole file. Any failure falls back to parsing the
/// whole file, so errors are reported exactly as a sequential parse reports them.
fn parse_split(file: &SourceFile) -> Result<HBody, ParseFailure> {
    let text = file.text.as_str();
    if let Some(at) = too_deep(text) {
        return Err(ParseFailure::TooDeep(at));
    }
    let Some(p) = split_point(text) else {
        return parse_lenient(file);
    };
    let (first, second) = std::thread::scope(|s| {
        let h = s.spawn(|| {
            let mut padded = String::with_capacity(text.len());
            padded.extend(std::iter::repeat_n(' ', p));
            padded.push_str(&text[p..]);
            hcl_edit::parser::parse_body(&padded).ok()
        });
        let first = hcl_edit::parser::parse_body(&text[..p]).ok();
        (first, h.join().ok().flatten())
    });
    match (first, second) {
        (Some(mut a), Some(b)) => {
            a.extend(b);
            Ok(a)
        }
        _ => parse_lenient(file),
    }
}

fn parse_all(files: Vec<Arc<SourceFile>>) -> Vec<Parsed> {
    let total: usize = files.iter().map(|f| f.text.len()).sum();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let threads = cores.min(files.len());
    if threads <= 1 || total < 64 * 1024 {
        return files
            .into_iter()
            .map(|f| {
                let r = if cores > 1 && f.text.len() >= SPLIT_PARSE_MIN { parse_split(&f) } else { parse_checked(&f) };
                (f, r)
            })
            .collect();
    }
    // Deal files round-robin by size so threads get similar amounts of text.
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(files[i].text.len()));
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); threads];
    let mut loads = vec![0usize; threads];
    for i in order {
        let b = (0..threads).min_by_key(|&b| loads[b]).unwrap_or(0);
        loads[b] += files[i].text.len();
        buckets[b].push(i);
    }
    let mut results: Vec<Option<Result<HBody, ParseFailure>>> = (0..files.len()).map(|_| None).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = buckets
            .iter()
            .map(|b| {
                let files = &files;
                s.spawn(move || b.iter().map(|&i| (i, parse_checked(&files[i]))).collect::<Vec<_>>())
            })
            .collect();
        for h in handles {
            if let Ok(v) = h.join() {
                for (i, r) in v {
                    results[i] = Some(r);
                }
            }
        }
    });
    files
        .into_iter()
        .zip(results)
        .map(|(f, r)| {
            let r = r.unwrap_or_else(|| parse_checked(&f));
            (f, r)
        })
        .collect()
}

/// A parse error as a diagnostic pointing at the offending character.
pub(crate) fn syntax_error(file: &SourceFile, e: &hcl_edit::parser::Error) -> Diagnostic {
    let loc = e.location();
    let mut off = loc.offset().min(file.text.len());
    while off > 0 && !file.text.is_char_boundary(off) {
        off -= 1;
    }
    let end = file.text.get(off..).and_then(|t| t.chars().next()).map(|c| off + c.len_utf8()).unwrap_or(off);
    let msg = e.message();
    if msg.contains("redefined attribute") {
        // Point at the repeated argument name and say which one it is.
        let bytes = file.text.as_bytes();
        let mut s = off;
        while s < bytes.len() && (bytes[s] == b' ' || bytes[s] == b'\t') {
            s += 1;
        }
        let mut e2 = s;
        while e2 < bytes.len() && (bytes[e2].is_ascii_alphanumeric() || bytes[e2] == b'_' || bytes[e2] == b'-') {
            e2 += 1;
        }
        let name = file.text.get(s..e2).unwrap_or("");
        return Diagnostic::error("Attribute redefined")
            .with_detail(format!("The argument \"{name}\" was already set in this block. Each argument may be set only once."))
            .with_subject(file.range(s..e2.max(end)))
            .with_help(format!("remove one of the `{name}` arguments"));
    }
    let (summary, detail) = describe_parse_error(msg);
    Diagnostic::error(summary).with_detail(detail).with_subject(file.range(off..end))
}

fn describe_parse_error(msg: &str) -> (String, String) {
    let m = msg.trim();
    let detail = {
        let mut d = m.to_string();
        if let Some(c) = d.get(0..1) {
            d = c.to_uppercase() + &d[1..];
        }
        if !d.ends_with('.') {
            d.push('.');
        }
        d
    };
    let summary = if m.contains("expected `}`") || m.contains("unclosed") {
        "Unclosed configuration block"
    } else if m.contains("expected `=`") || m.contains("expected `{`") {
        "Argument or block definition required"
    } else if m.contains("expression") {
        "Invalid expression"
    } else {
        "Invalid syntax"
    };
    (summary.to_string(), detail)
}

#[derive(Default)]
pub(crate) struct Seen {
    providers: HashMap<(String, Option<String>), SourceRange>,
    terraform_backend: Option<SourceRange>,
}

fn span_range(file: &SourceFile, span: Option<std::ops::Range<usize>>) -> SourceRange {
    file.range(span.unwrap_or(0..0))
}

pub(crate) fn mk_expr(e: Expression, file: &Arc<SourceFile>) -> Expr {
    let range = span_range(file, e.span());
    Expr::new(Arc::new(e), file.clone(), range)
}

fn block_decl_range(file: &SourceFile, b: &HBlock) -> SourceRange {
    let start = b.ident.span().map(|s| s.start).unwrap_or(0);
    let end = b.labels.last().and_then(|l| l.span()).or_else(|| b.ident.span()).map(|s| s.end).unwrap_or(start);
    file.range(start..end)
}

/// Converts a parsed body to the model, reporting duplicate arguments.
fn convert_body(body: HBody, file: &Arc<SourceFile>, range: Option<SourceRange>, diags: &mut Diagnostics) -> Body {
    let mut out = Body { range, ..Body::default() };
    for s in body {
        match s {
            Structure::Attribute(a) => {
                let name = a.key.as_str().to_string();
                let arange = span_range(file, a.span());
                let name_range = span_range(file, a.key.span());
                if let Some(prev) = out.attributes.get(&name) {
                    diags.push(
                        Diagnostic::error("Attribute redefined")
                            .with_detail(format!("The argument \"{name}\" was already set at {}. Each argument may be set only once.", range_str(&prev.name_range)))
                            .with_subject(name_range)
                            .with_help(format!("remove one of the `{name}` arguments")),
                    );
                    continue;
                }
                let expr = mk_expr(a.value, file);
                out.attributes.insert(name.clone(), Attribute { name, expr, range: arange, name_range });
            }
            Structure::Block(b) => {
                if let Some(nb) = convert_nested_block(b, file, diags) {
                    out.blocks.push(nb);
                }
            }
        }
    }
    out
}

fn label_str(l: &BlockLabel) -> String {
    l.as_str().to_string()
}

fn convert_nested_block(b: HBlock, file: &Arc<SourceFile>, diags: &mut Diagnostics) -> Option<NestedBlock> {
    let range = span_range(file, b.span());
    let type_range = block_decl_range(file, &b);
    let ident = b.ident.as_str().to_string();
    let labels: Vec<String> = b.labels.iter().map(label_str).collect();
    if ident == "dynamic" {
        let Some(type_name) = labels.first().cloned() else {
            diags.push(
                Diagnostic::error("Missing dynamic block type")
                    .with_detail("A dynamic block needs one label: the type of block to generate, like dynamic \"ingress\".")
                    .with_subject(type_range),
            );
            return None;
        };
        let mut inner = convert_body(b.body, file, Some(range.clone()), diags);
        let Some(for_each) = inner.attributes.remove("for_each") else {
            diags.push(
                Diagnostic::error("Missing required argument")
                    .with_detail("The argument \"for_each\" is required, but no definition was found.")
                    .with_subject(type_range)
                    .with_help("add `for_each = …` to the dynamic block"),
            );
            return None;
        };
        let iterator = match inner.attributes.remove("iterator") {
            None => type_name.clone(),
            Some(a) => match a.expr.expr.as_ref() {
                Expression::Variable(v) => v.as_str().to_string(),
                _ => {
                    diags.push(
                        Diagnostic::error("Invalid dynamic iterator name")
                            .with_detail("The iterator must be a single name, like iterator = rule.")
                            .with_subject(a.expr.range.clone()),
                    );
                    type_name.clone()
                }
            },
        };
        let labels_exprs = match inner.attributes.remove("labels") {
            None => Vec::new(),
            Some(a) => match Arc::try_unwrap(a.expr.expr) {
                Ok(Expression::Array(arr)) => arr.into_iter().map(|e| mk_expr(e, file)).collect(),
                Ok(other) => vec![mk_expr(other, file)],
                Err(arc) => vec![Expr::new(arc, file.clone(), a.expr.range.clone())],
            },
        };
        for (k, a) in &inner.attributes {
            diags.push(
                Diagnostic::error("Unsupported argument")
                    .with_detail(format!("An argument named \"{k}\" is not expected here. A dynamic block takes for_each, iterator, labels and a content block."))
                    .with_subject(a.name_range.clone()),
            );
        }
        let mut content = None;
        for nb in inner.blocks {
            if nb.type_name == "content" && nb.dynamic.is_none() {
                if content.is_some() {
                    diags.push(Diagnostic::error("Duplicate content block").with_detail("A dynamic block may have only one content block.").with_subject(nb.type_range.clone()));
                }
                content = Some(nb.body);
            } else {
                diags.push(
                    Diagnostic::error("Unsupported block type")
                        .with_detail(format!("Blocks of type \"{}\" are not expected here; put them inside the content block.", nb.type_name))
                        .with_subject(nb.type_range.clone()),
                );
            }
        }
        let Some(content) = content else {
            diags.push(
                Diagnostic::error("Missing content block")
                    .with_detail("A dynamic block must have a nested block of type \"content\" to describe the body of each generated block.")
                    .with_subject(type_range),
            );
            return None;
        };
        return Some(NestedBlock {
            type_name,
            labels: Vec::new(),
            body: Body::default(),
            dynamic: Some(Box::new(DynamicBlock { for_each: for_each.expr, iterator, labels: labels_exprs, content })),
            range,
            type_range,
        });
    }
    let body = convert_body(b.body, file, Some(range.clone()), diags);
    Some(NestedBlock { type_name: ident, labels, body, dynamic: None, range, type_range })
}

fn const_value(e: &Expr, diags: &mut Diagnostics) -> Option<Value> {
    match eval_constant(&e.expr, &e.file) {
        Ok(v) => Some(v),
        Err(d) => {
            diags.push(*d);
            None
        }
    }
}

/// A `required_providers` entry as a constant; `configuration_aliases` (a list of provider
/// references such as `[aws.west]`, not a value) is left out.
fn requirement_value(e: &Expr, diags: &mut Diagnostics) -> Option<Value> {
    if let Expression::Object(obj) = e.expr.as_ref() {
        let key = obj.iter().find(|(k, _)| matches!(k, ObjectKey::Ident(i) if i.as_str() == "configuration_aliases")).map(|(k, _)| k.clone());
        if let Some(k) = key {
            let mut o = obj.clone();
            o.remove(&k);
            return match eval_constant(&Expression::Object(o), &e.file) {
                Ok(v) => Some(v),
                Err(d) => {
                    diags.push(*d);
                    None
                }
            };
        }
    }
    const_value(e, diags)
}

fn const_bool(a: &Attribute, diags: &mut Diagnostics) -> Option<bool> {
    let v = const_value(&a.expr, diags)?;
    match plinth_sdk::convert::convert(&v, &plinth_sdk::Type::Bool) {
        Ok(Value::Bool(b)) => Some(b),
        _ => {
            diags.push(
                Diagnostic::error("Invalid value")
                    .with_detail(format!("The argument \"{}\" must be true or false.", a.name))
                    .with_subject(a.expr.range.clone()),
            );
            None
        }
    }
}

fn const_string(a: &Attribute, diags: &mut Diagnostics) -> Option<String> {
    let v = const_value(&a.expr, diags)?;
    match plinth_sdk::convert::convert(&v, &plinth_sdk::Type::String) {
        Ok(Value::String(s)) => Some(s),
        _ => {
            diags.push(Diagnostic::error("Invalid value").with_detail(format!("The argument \"{}\" must be a string.", a.name)).with_subject(a.expr.range.clone()));
            None
        }
    }
}

fn unsupported_args(body: &Body, allowed: &[&str], what: &str, diags: &mut Diagnostics) {
    for (k, a) in &body.attributes {
        let mut d = Diagnostic::error("Unsupported argument")
            .with_detail(format!("An argument named \"{k}\" is not expected here{what}."))
            .with_subject(a.name_range.clone());
        if let Some(s) = suggest(k, allowed.iter().copied()) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        diags.push(d);
    }
}

fn unsupported_blocks(blocks: &[NestedBlock], allowed: &[&str], diags: &mut Diagnostics) {
    for b in blocks {
        let mut d = Diagnostic::error("Unsupported block type")
            .with_detail(format!("Blocks of type \"{}\" are not expected here.", b.type_name))
            .with_subject(b.type_range.clone());
        if let Some(s) = suggest(&b.type_name, allowed.iter().copied()) {
            d = d.with_help(format!("did you mean `{s}`?"));
        }
        diags.push(d);
    }
}

fn check_rule(b: NestedBlock, diags: &mut Diagnostics) -> Option<CheckRule> {
    let mut body = b.body;
    let cond = body.attributes.remove("condition");
    let msg = body.attributes.remove("error_message");
    unsupported_args(&body, &["condition", "error_message"], &format!(" in a {} block", b.type_name), diags);
    unsupported_blocks(&body.blocks, &[], diags);
    match (cond, msg) {
        (Some(c), Some(m)) => Some(CheckRule { condition: c.expr, error_message: m.expr, range: b.range }),
        (c, _) => {
            let missing = if c.is_none() { "condition" } else { "error_message" };
            diags.push(
                Diagnostic::error("Missing required argument")
                    .with_detail(format!("The argument \"{missing}\" is required, but no definition was found."))
                    .with_subject(b.type_range)
                    .with_help(format!("add `{missing} = …` to the {} block", b.type_name)),
            );
            None
        }
    }
}

fn traversal_text(e: &Expr) -> String {
    e.expr.span().and_then(|s| e.file.text.get(s)).unwrap_or("").trim().to_string()
}

/// `aws.west` → ("aws", Some("west")), `aws` → ("aws", None).
fn provider_ref(e: &Expr, diags: &mut Diagnostics) -> Option<(String, Option<String>)> {
    match e.expr.as_ref() {
        Expression::Variable(v) => Some((v.as_str().to_string(), None)),
        Expression::Traversal(t) => {
            if let (Expression::Variable(v), [op]) = (&t.expr, t.operators.as_slice()) {
                if let TraversalOperator::GetAttr(a) = op.value() {
                    return Some((v.as_str().to_string(), Some(a.as_str().to_string())));
                }
            }
            diags.push(bad_provider_ref(e));
            None
        }
        _ => {
            diags.push(bad_provider_ref(e));
            None
        }
    }
}

fn bad_provider_ref(e: &Expr) -> Diagnostic {
    Diagnostic::error("Invalid provider reference")
        .with_detail("A provider reference must be a provider name, optionally followed by a dot and an alias, like aws.west.")
        .with_subject(e.range.clone())
}

fn expr_list(a: Attribute, diags: &mut Diagnostics, what: &str) -> Vec<Expr> {
    let file = a.expr.file.clone();
    let range = a.expr.range.clone();
    match Arc::try_unwrap(a.expr.expr) {
        Ok(Expression::Array(arr)) => arr.into_iter().map(|e| mk_expr(e, &file)).collect(),
        _ => {
            diags.push(
                Diagnostic::error(format!("Invalid {what} value"))
                    .with_detail(format!("The \"{what}\" argument must be a list of references."))
                    .with_subject(range)
                    .with_help(format!("write `{what} = [aws_instance.example]`")),
            );
            Vec::new()
        }
    }
}

fn attr_path(e: &Expression) -> Option<AttrPath> {
    match e {
        Expression::Variable(v) => Some(AttrPath::attr(v.as_str())),
        Expression::Traversal(t) => {
            let mut p = attr_path(&t.expr)?;
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(a) => p.0.push(PathStep::Attr(a.as_str().to_string())),
                    TraversalOperator::LegacyIndex(n) => p.0.push(PathStep::Index(*n.value())),
                    TraversalOperator::Index(Expression::Number(n)) => p.0.push(PathStep::Index(n.value().as_u64()?)),
                    TraversalOperator::Index(Expression::String(s)) => p.0.push(PathStep::Key(s.value().clone())),
                    _ => return None,
                }
            }
            Some(p)
        }
        Expression::String(s) => Some(AttrPath::attr(s.value().as_str())),
        _ => None,
    }
}

fn parse_lifecycle(b: NestedBlock, lc: &mut Lifecycle, managed: bool, diags: &mut Diagnostics) {
    let mut body = b.body;
    let managed_args = ["create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by"];
    if managed {
        if let Some(a) = body.attributes.remove("create_before_destroy") {
            lc.create_before_destroy = const_bool(&a, diags).unwrap_or(false);
        }
        if let Some(a) = body.attributes.remove("prevent_destroy") {
            lc.prevent_destroy = const_bool(&a, diags).unwrap_or(false);
        }
        if let Some(a) = body.attributes.remove("ignore_changes") {
            match a.expr.expr.as_ref() {
                Expression::Variable(v) if v.as_str() == "all" => lc.ignore_changes = IgnoreChanges::All,
                Expression::Array(arr) => {
                    let mut paths = Vec::new();
                    for x in arr.iter() {
                        if matches!(x, Expression::String(s) if s.value() == "all") {
                            lc.ignore_changes = IgnoreChanges::All;
                            paths.clear();
                            break;
                        }
                        match attr_path(x) {
                            Some(p) => paths.push(p),
                            None => diags.push(
                                Diagnostic::error("Invalid ignore_changes entry")
                                    .with_detail("Each entry of ignore_changes must be an attribute path of this resource, like tags or tags[\"Name\"].")
                                    .with_subject(span_range(&a.expr.file, x.span())),
                            ),
                        }
                    }
                    if !matches!(lc.ignore_changes, IgnoreChanges::All) {
                        lc.ignore_changes = IgnoreChanges::Paths(paths);
                    }
                }
                _ => diags.push(
                    Diagnostic::error("Invalid ignore_changes value")
                        .with_detail("The ignore_changes argument must be a list of attribute paths, or the keyword all.")
                        .with_subject(a.expr.range.clone())
                        .with_help("write `ignore_changes = [tags]` or `ignore_changes = all`"),
                ),
            }
        }
        if let Some(a) = body.attributes.remove("replace_triggered_by") {
            lc.replace_triggered_by = expr_list(a, diags, "replace_triggered_by");
        }
    }
    let allowed: Vec<&str> = if managed { managed_args.to_vec() } else { Vec::new() };
    unsupported_args(&body, &allowed, " in a lifecycle block", diags);
    for nb in std::mem::take(&mut body.blocks) {
        match nb.type_name.as_str() {
            "precondition" if nb.dynamic.is_none() => {
                if let Some(r) = check_rule(nb, diags) {
                    lc.preconditions.push(r)
                }
            }
            "postcondition" if nb.dynamic.is_none() => {
                if let Some(r) = check_rule(nb, diags) {
                    lc.postconditions.push(r)
                }
            }
            _ => unsupported_blocks(std::slice::from_ref(&nb), &["precondition", "postcondition"], diags),
        }
    }
}

fn dup(kind: &str, name: &str, prev: &SourceRange, at: SourceRange, rule: &str) -> Diagnostic {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "An" } else { "A" };
    Diagnostic::error(format!("Duplicate {kind} declaration"))
        .with_detail(format!("{article} {kind} named \"{name}\" was already declared at {}. {rule}", range_str(prev)))
        .with_subject(at)
        .with_help("rename or remove one of the two declarations")
}

fn need_labels(b: &RawBlock, n: usize, what: &str, diags: &mut Diagnostics) -> bool {
    if b.labels.len() == n {
        return true;
    }
    let ident = b.ident.as_str();
    let (summary, detail) = if b.labels.len() < n {
        (format!("Missing name for {ident}"), format!("All {ident} blocks must have {n} label{} ({what}).", if n == 1 { "" } else { "s" }))
    } else {
        (format!("Extraneous label for {ident}"), format!("Only {n} label{} ({what}) expected for {ident} blocks.", if n == 1 { "" } else { "s" }))
    };
    diags.push(Diagnostic::error(summary).with_detail(detail).with_subject(b.decl.clone()));
    false
}

/// A top-level block before its body is turned into the model: from native syntax (the
/// body is converted only when needed) or from JSON syntax (already converted).
pub(crate) struct RawBlock {
    pub ident: String,
    pub ident_range: SourceRange,
    pub labels: Vec<(String, SourceRange)>,
    /// `TYPE "LABEL" …` (what a diagnostic about the block points at).
    pub decl: SourceRange,
    pub range: SourceRange,
    pub body: RawBody,
}

pub(crate) enum RawBody {
    Native(HBody, Arc<SourceFile>),
    Model(Body),
}

impl RawBlock {
    fn from_native(b: HBlock, file: &Arc<SourceFile>) -> RawBlock {
        RawBlock {
            ident: b.ident.as_str().to_string(),
            ident_range: span_range(file, b.ident.span()),
            labels: b.labels.iter().map(|l| (label_str(l), span_range(file, l.span()))).collect(),
            decl: block_decl_range(file, &b),
            range: span_range(file, b.span()),
            body: RawBody::Native(b.body, file.clone()),
        }
    }
    fn label(&self, i: usize) -> String {
        self.labels.get(i).map(|l| l.0.clone()).unwrap_or_default()
    }
}

/// The block's body in the model (converting a native body, reporting repeated arguments).
fn convert_raw(body: RawBody, range: Option<SourceRange>, diags: &mut Diagnostics) -> Body {
    match body {
        RawBody::Native(b, file) => convert_body(b, &file, range, diags),
        RawBody::Model(mut b) => {
            b.range = range;
            b
        }
    }
}

fn check_name(name: &str, kind: &str, range: &SourceRange, diags: &mut Diagnostics) -> bool {
    if valid_name(name) {
        return true;
    }
    diags.push(
        Diagnostic::error(format!("Invalid {kind} name"))
            .with_detail("A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.")
            .with_subject(range.clone()),
    );
    false
}

fn load_file_body(m: &mut Module, body: HBody, file: &Arc<SourceFile>, seen: &mut Seen, diags: &mut Diagnostics) {
    for s in body {
        match s {
            Structure::Attribute(a) => {
                diags.push(
                    Diagnostic::error("Unsupported argument")
                        .with_detail(format!("An argument named \"{}\" is not expected here.", a.key.as_str()))
                        .with_subject(span_range(file, a.key.span()))
                        .with_help("arguments belong inside a block, e.g. `locals { … }`"),
                );
            }
            Structure::Block(b) => load_block(m, b, file, seen, diags),
        }
    }
}

fn load_block(m: &mut Module, b: HBlock, file: &Arc<SourceFile>, seen: &mut Seen, diags: &mut Diagnostics) {
    load_raw_block(m, RawBlock::from_native(b, file), seen, diags)
}

pub(crate) fn load_raw_block(m: &mut Module, b: RawBlock, seen: &mut Seen, diags: &mut Diagnostics) {
    let range = b.range.clone();
    let decl = b.decl.clone();
    let ident = b.ident.clone();
    match ident.as_str() {
        "terraform" => {
            if !need_labels(&b, 0, "none", diags) {
                return;
            }
            let body = convert_raw(b.body, Some(range), diags);
            load_terraform(m, body, seen, diags);
        }
        "provider" => {
            if !need_labels(&b, 1, "the provider's local name", diags) {
                return;
            }
            let name = b.label(0);
            let mut body = convert_raw(b.body, Some(range.clone()), diags);
            let alias = body.attributes.remove("alias").and_then(|a| {
                let s = const_string(&a, diags)?;
                check_name(&s, "provider alias", &a.expr.range, diags).then_some(s)
            });
            body.attributes.remove("version");
            for reserved in ["count", "for_each", "depends_on", "source"] {
                if let Some(a) = body.attributes.remove(reserved) {
                    diags.push(
                        Diagnostic::error("Reserved argument name in provider block")
                            .with_detail(format!("The provider argument name \"{reserved}\" is reserved for use by Terraform in a future version."))
                            .with_subject(a.name_range.clone())
                            .with_help(format!("remove `{reserved}`; to create several provider configurations, write one provider block per `alias`")),
                    );
                }
            }
            let key = (name.clone(), alias.clone());
            if let Some(prev) = seen.providers.get(&key) {
                let (summary, detail) = match &alias {
                    None => ("Duplicate provider configuration".to_string(), format!("A default (non-aliased) provider configuration for \"{name}\" was already given at {}. If multiple configurations are required, set the \"alias\" argument for alternative configurations.", range_str(prev))),
                    Some(a) => ("Duplicate provider configuration".to_string(), format!("A provider configuration for \"{name}\" with alias \"{a}\" was already given at {}. Each configuration for the same provider must have a distinct alias.", range_str(prev))),
                };
                diags.push(Diagnostic::error(summary).with_detail(detail).with_subject(decl).with_help("add a distinct `alias = \"…\"` to one of them"));
                return;
            }
            seen.providers.insert(key, decl.clone());
            m.providers.push(ProviderConfig { name, alias, body, range });
        }
        "variable" => {
            if !need_labels(&b, 1, "the variable name", diags) {
                return;
            }
            let name = b.label(0);
            if !check_name(&name, "variable", &decl, diags) {
                return;
            }
            if let Some(prev) = m.variables.get(&name) {
                diags.push(dup("variable", &name, &prev.range, decl, "Variable names must be unique within a module."));
                return;
            }
            let body = convert_raw(b.body, Some(range.clone()), diags);
            if let Some(v) = load_variable(name.clone(), body, decl.clone(), diags) {
                m.variables.insert(name, v);
            }
        }
        "locals" => {
            if !need_labels(&b, 0, "none", diags) {
                return;
            }
            let body = convert_raw(b.body, Some(range), diags);
            unsupported_blocks(&body.blocks, &[], diags);
            for (name, a) in body.attributes {
                if !check_name(&name, "local value", &a.name_range, diags) {
                    continue;
                }
                if let Some(prev) = m.locals.get(&name) {
                    diags.push(
                        Diagnostic::error("Duplicate local value definition")
                            .with_detail(format!("A local value named \"{name}\" was already defined at {}. Local value names must be unique within a module.", range_str(&prev.range)))
                            .with_subject(a.name_range.clone())
                            .with_help("rename or remove one of the two definitions"),
                    );
                    continue;
                }
                m.locals.insert(name.clone(), Local { name, expr: a.expr, range: a.name_range });
            }
        }
        "output" => {
            if !need_labels(&b, 1, "the output name", diags) {
                return;
            }
            let name = b.label(0);
            if !check_name(&name, "output", &decl, diags) {
                return;
            }
            if let Some(prev) = m.outputs.get(&name) {
                diags.push(dup("output", &name, &prev.range, decl, "Output names must be unique within a module."));
                return;
            }
            let mut body = convert_raw(b.body, Some(range.clone()), diags);
            let value = body.attributes.remove("value");
            let description = body.attributes.remove("description").and_then(|a| const_string(&a, diags));
            let sensitive = body.attributes.remove("sensitive").and_then(|a| const_bool(&a, diags)).unwrap_or(false);
            body.attributes.remove("ephemeral");
            let depends_on = body.attributes.remove("depends_on").map(|a| expr_list(a, diags, "depends_on")).unwrap_or_default();
            unsupported_args(&body, &["value", "description", "sensitive", "depends_on", "ephemeral"], "", diags);
            let mut preconditions = Vec::new();
            for nb in body.blocks {
                if nb.type_name == "precondition" && nb.dynamic.is_none() {
                    if let Some(r) = check_rule(nb, diags) {
                        preconditions.push(r);
                    }
                } else {
                    unsupported_blocks(std::slice::from_ref(&nb), &["precondition"], diags);
                }
            }
            let Some(value) = value else {
                diags.push(
                    Diagnostic::error("Missing required argument")
                        .with_detail("The argument \"value\" is required, but no definition was found.")
                        .with_subject(decl.clone())
                        .with_help("add `value = …` to the output block"),
                );
                return;
            };
            m.outputs.insert(name.clone(), Output { name, expr: value.expr, description, sensitive, depends_on, preconditions, range: decl });
        }
        "resource" | "data" => {
            let managed = ident == "resource";
            let what = if managed { "resource" } else { "data source" };
            if !need_labels(&b, 2, "type, name", diags) {
                return;
            }
            let type_name = b.label(0);
            let name = b.label(1);
            let tr = b.labels[0].1.clone();
            let nr = b.labels[1].1.clone();
            let ok1 = check_name(&type_name, &format!("{what} type"), &tr, diags);
            let ok2 = check_name(&name, what, &nr, diags);
            if !(ok1 && ok2) {
                return;
            }
            let key = if managed { format!("{type_name}.{name}") } else { format!("data.{type_name}.{name}") };
            if let Some(prev) = m.resources.get(&key) {
                diags.push(
                    Diagnostic::error(format!("Duplicate {} \"{type_name}\" configuration", if managed { "resource" } else { "data" }))
                        .with_detail(format!("A {what} \"{type_name}\" \"{name}\" was already declared at {}. Resource names must be unique per type in each module.", range_str(&prev.decl_range)))
                        .with_subject(decl)
                        .with_help("rename or remove one of the two blocks"),
                );
                return;
            }
            let body = convert_raw(b.body, Some(range.clone()), diags);
            let r = load_resource(if managed { ResourceMode::Managed } else { ResourceMode::Data }, type_name, name, body, range, decl, diags);
            m.resources.insert(key, r);
        }
        "module" => {
            if !need_labels(&b, 1, "the module call name", diags) {
                return;
            }
            let name = b.label(0);
            if !check_name(&name, "module", &decl, diags) {
                return;
            }
            if let Some(prev) = m.module_calls.get(&name) {
                diags.push(
                    Diagnostic::error("Duplicate module call")
                        .with_detail(format!("A module call named \"{name}\" was already defined at {}. Module calls must have unique names within a module.", range_str(&prev.range)))
                        .with_subject(decl)
                        .with_help("rename or remove one of the two module calls"),
                );
                return;
            }
            let body = convert_raw(b.body, Some(range.clone()), diags);
            if let Some(c) = load_module_call(name.clone(), body, decl, diags) {
                m.module_calls.insert(name, c);
            }
        }
        "moved" => {
            let mut body = convert_raw(b.body, Some(range.clone()), diags);
            let from = body.attributes.remove("from");
            let to = body.attributes.remove("to");
            unsupported_args(&body, &["from", "to"], " in a moved block", diags);
            match (from, to) {
                (Some(f), Some(t)) => m.moved.push(Moved { from: traversal_text(&f.expr), to: traversal_text(&t.expr), range }),
                _ => diags.push(missing_arg(if body.attributes.contains_key("from") { "to" } else { "from/to" }, decl, "moved")),
            }
        }
        "import" => {
            let mut body = convert_raw(b.body, Some(range.clone()), diags);
            let to = body.attributes.remove("to");
            let id = body.attributes.remove("id");
            let provider = body.attributes.remove("provider").and_then(|a| provider_ref(&a.expr, diags));
            body.attributes.remove("for_each");
            unsupported_args(&body, &["to", "id", "provider", "for_each"], " in an import block", diags);
            match (to, id) {
                (Some(t), Some(i)) => m.imports.push(Import { to: traversal_text(&t.expr), id: i.expr, provider, range }),
                (None, _) => diags.push(missing_arg("to", decl, "import")),
                (_, None) => diags.push(missing_arg("id", decl, "import")),
            }
        }
        "removed" => {
            let mut body = convert_raw(b.body, Some(range.clone()), diags);
            let from = body.attributes.remove("from");
            unsupported_args(&body, &["from"], " in a removed block", diags);
            let mut destroy = true;
            for nb in body.blocks {
                if nb.type_name == "lifecycle" {
                    let mut lb = nb.body;
                    if let Some(a) = lb.attributes.remove("destroy") {
                        destroy = const_bool(&a, diags).unwrap_or(true);
                    }
                    unsupported_args(&lb, &["destroy"], " in a removed block's lifecycle", diags);
                } else if nb.type_name == "provisioner" || nb.type_name == "connection" {
                    diags.push(provisioner_error(&nb));
                } else {
                    unsupported_blocks(std::slice::from_ref(&nb), &["lifecycle"], diags);
                }
            }
            match from {
                Some(f) => m.removed.push(Removed { from: traversal_text(&f.expr), destroy, range }),
                None => diags.push(missing_arg("from", decl, "removed")),
            }
        }
        "check" => {
            if !need_labels(&b, 1, "the check name", diags) {
                return;
            }
            let name = b.label(0);
            let body = convert_raw(b.body, Some(range.clone()), diags);
            unsupported_args(&body, &[], " in a check block", diags);
            let mut asserts = Vec::new();
            for nb in body.blocks {
                match nb.type_name.as_str() {
                    "assert" => {
                        if let Some(r) = check_rule(nb, diags) {
                            asserts.push(r)
                        }
                    }
                    // Scoped data sources: data sources of the module, marked with the check.
                    "data" if nb.dynamic.is_none() => {
                        if nb.labels.len() != 2 {
                            diags.push(
                                Diagnostic::error("Missing name for data")
                                    .with_detail("A data block in a check block needs two labels: the data source type and a name.")
                                    .with_subject(nb.type_range.clone()),
                            );
                            continue;
                        }
                        let (type_name, dname) = (nb.labels[0].clone(), nb.labels[1].clone());
                        let key = format!("data.{type_name}.{dname}");
                        if let Some(prev) = m.resources.get(&key) {
                            diags.push(
                                Diagnostic::error(format!("Duplicate data \"{type_name}\" configuration"))
                                    .with_detail(format!("A data source \"{type_name}\" \"{dname}\" was already declared at {}. Resource names must be unique per type in each module.", range_str(&prev.decl_range)))
                                    .with_subject(nb.type_range.clone())
                                    .with_help("rename or remove one of the two blocks"),
                            );
                            continue;
                        }
                        let mut r = load_resource(ResourceMode::Data, type_name, dname, nb.body, nb.range.clone(), nb.type_range.clone(), diags);
                        r.check = Some(name.clone());
                        m.resources.insert(key, r);
                    }
                    _ => unsupported_blocks(std::slice::from_ref(&nb), &["assert", "data"], diags),
                }
            }
            if m.checks.iter().any(|c| c.name == name) {
                diags.push(Diagnostic::error("Duplicate check block").with_detail(format!("A check block named \"{name}\" was already declared in this module.")).with_subject(decl));
                return;
            }
            m.checks.push(Check { name, asserts, range });
        }
        other => {
            let mut d = Diagnostic::error("Unsupported block type")
                .with_detail(format!("Blocks of type \"{other}\" are not expected here."))
                .with_subject(b.ident_range.clone());
            if let Some(s) = suggest(other, BLOCK_TYPES.iter().copied()) {
                d = d.with_help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
        }
    }
}

fn missing_arg(name: &str, at: SourceRange, block: &str) -> Diagnostic {
    Diagnostic::error("Missing required argument")
        .with_detail(format!("The argument \"{name}\" is required, but no definition was found."))
        .with_subject(at)
        .with_help(format!("add `{name} = …` to the {block} block"))
}

fn provisioner_error(nb: &NestedBlock) -> Diagnostic {
    Diagnostic::error("Provisioners are not supported yet")
        .with_detail(format!("Plinth does not run {} blocks yet, so this configuration cannot be applied as written.", nb.type_name))
        .with_subject(nb.type_range.clone())
        .with_help("use a terraform_data resource, or run the commands outside Plinth for now")
}

fn load_terraform(m: &mut Module, body: Body, seen: &mut Seen, diags: &mut Diagnostics) {
    let mut body = body;
    if let Some(a) = body.attributes.remove("required_version") {
        if let Some(s) = const_string(&a, diags) {
            m.terraform.required_version = Some((s, a.expr.range.clone()));
        }
    }
    body.attributes.remove("experiments");
    unsupported_args(&body, &["required_version", "experiments"], " in a terraform block", diags);
    for nb in body.blocks {
        match nb.type_name.as_str() {
            "required_providers" => {
                unsupported_blocks(&nb.body.blocks, &[], diags);
                for (name, a) in nb.body.attributes {
                    let v = match requirement_value(&a.expr, diags) {
                        Some(v) => v,
                        None => continue,
                    };
                    let req = match v.unmarked() {
                        Value::String(s) => ProviderRequirement { source: format!("hashicorp/{name}"), version: Some(s.clone()), range: a.range.clone() },
                        Value::Object(o) | Value::Map(_, o) => {
                            let source = o.get("source").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| format!("hashicorp/{name}"));
                            let version = o.get("version").and_then(Value::as_str).map(str::to_string);
                            for k in o.keys() {
                                if !["source", "version", "configuration_aliases"].contains(&k.as_str()) {
                                    diags.push(
                                        Diagnostic::error("Invalid required_providers object")
                                            .with_detail(format!("The attribute \"{k}\" is not expected here. A provider requirement may have source, version and configuration_aliases."))
                                            .with_subject(a.expr.range.clone()),
                                    );
                                }
                            }
                            ProviderRequirement { source, version, range: a.range.clone() }
                        }
                        _ => {
                            diags.push(
                                Diagnostic::error("Invalid required_providers object")
                                    .with_detail("A provider requirement must be an object with source and version.")
                                    .with_subject(a.expr.range.clone())
                                    .with_help(format!("write `{name} = {{ source = \"hashicorp/{name}\", version = \"~> 1.0\" }}`")),
                            );
                            continue;
                        }
                    };
                    if m.terraform.required_providers.contains_key(&name) {
                        diags.push(
                            Diagnostic::error("Duplicate required provider")
                                .with_detail(format!("Provider {name} was already required. Each provider may be required only once per module."))
                                .with_subject(a.name_range.clone()),
                        );
                        continue;
                    }
                    m.terraform.required_providers.insert(name, req);
                }
            }
            "backend" | "cloud" => {
                let kind = if nb.type_name == "cloud" { "cloud".to_string() } else { nb.labels.first().cloned().unwrap_or_default() };
                if nb.type_name == "backend" && nb.labels.len() != 1 {
                    diags.push(
                        Diagnostic::error("Missing name for backend")
                            .with_detail("A backend block must have one label: the backend type, like backend \"s3\".")
                            .with_subject(nb.type_range.clone()),
                    );
                    continue;
                }
                if let Some(prev) = &seen.terraform_backend {
                    diags.push(
                        Diagnostic::error("Duplicate backend configuration")
                            .with_detail(format!("A module may have only one backend configuration. The backend was previously configured at {}.", range_str(prev)))
                            .with_subject(nb.type_range.clone()),
                    );
                    continue;
                }
                seen.terraform_backend = Some(nb.type_range.clone());
                m.terraform.backend = Some(Backend { kind, body: nb.body, range: nb.range });
            }
            "encryption" => m.terraform.encryption = Some(nb.body),
            "provider_meta" => {}
            _ => unsupported_blocks(std::slice::from_ref(&nb), &["required_providers", "backend", "cloud", "encryption", "provider_meta"], diags),
        }
    }
}

fn load_variable(name: String, mut body: Body, decl: SourceRange, diags: &mut Diagnostics) -> Option<Variable> {
    let type_given = body.attributes.contains_key("type");
    let ty = match body.attributes.remove("type") {
        None => TypeConstraint::Any,
        Some(a) => match parse_type_constraint(&a.expr.expr, &a.expr.file) {
            Ok(t) => t,
            Err(d) => {
                diags.push(*d);
                TypeConstraint::Any
            }
        },
    };
    let description = body.attributes.remove("description").and_then(|a| const_string(&a, diags));
    let sensitive = body.attributes.remove("sensitive").and_then(|a| const_bool(&a, diags)).unwrap_or(false);
    let nullable = body.attributes.remove("nullable").and_then(|a| const_bool(&a, diags)).unwrap_or(true);
    let ephemeral = body.attributes.remove("ephemeral").and_then(|a| const_bool(&a, diags)).unwrap_or(false);
    let default = match body.attributes.remove("default") {
        None => None,
        Some(a) => {
            let v = const_value(&a.expr, diags)?;
            match convert_to_constraint(&v, &ty) {
                Ok(v) => {
                    if v.is_null() && !nullable {
                        diags.push(
                            Diagnostic::error("Invalid default value for variable")
                                .with_detail("A null default value is not valid when nullable=false.")
                                .with_subject(a.expr.range.clone()),
                        );
                    }
                    Some(v)
                }
                Err(msg) => {
                    diags.push(
                        Diagnostic::error("Invalid default value for variable")
                            .with_detail(format!("This default value is not compatible with the variable's type constraint: {msg}."))
                            .with_subject(a.expr.range.clone()),
                    );
                    None
                }
            }
        }
    };
    unsupported_args(&body, &["type", "default", "description", "sensitive", "nullable", "ephemeral"], "", diags);
    let mut validations = Vec::new();
    for nb in body.blocks {
        if nb.type_name == "validation" && nb.dynamic.is_none() {
            if let Some(r) = check_rule(nb, diags) {
                validations.push(r);
            }
        } else {
            unsupported_blocks(std::slice::from_ref(&nb), &["validation"], diags);
        }
    }
    let literal_cli_values = !type_given || ty.is_primitive();
    Some(Variable { name, ty, default, description, sensitive, nullable, ephemeral, validations, range: decl, literal_cli_values })
}

fn load_resource(mode: ResourceMode, type_name: String, name: String, mut body: Body, range: SourceRange, decl: SourceRange, diags: &mut Diagnostics) -> Resource {
    let count = body.attributes.remove("count");
    let for_each = body.attributes.remove("for_each");
    if let (Some(c), Some(_)) = (&count, &for_each) {
        diags.push(
            Diagnostic::error("Invalid combination of \"count\" and \"for_each\"")
                .with_detail("The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.")
                .with_subject(c.name_range.clone())
                .with_help("remove either `count` or `for_each`"),
        );
    }
    let depends_on = body.attributes.remove("depends_on").map(|a| expr_list(a, diags, "depends_on")).unwrap_or_default();
    let provider = body.attributes.remove("provider").and_then(|a| provider_ref(&a.expr, diags));
    let mut lifecycle = Lifecycle::default();
    let mut kept = Vec::new();
    let mut seen_lifecycle = false;
    for nb in std::mem::take(&mut body.blocks) {
        match nb.type_name.as_str() {
            "lifecycle" if nb.dynamic.is_none() => {
                if seen_lifecycle {
                    diags.push(Diagnostic::error("Duplicate lifecycle block").with_detail("Only one lifecycle block is allowed in each resource.").with_subject(nb.type_range.clone()));
                    continue;
                }
                seen_lifecycle = true;
                parse_lifecycle(nb, &mut lifecycle, mode == ResourceMode::Managed, diags);
            }
            "provisioner" | "connection" if nb.dynamic.is_none() => diags.push(provisioner_error(&nb)),
            _ => kept.push(nb),
        }
    }
    body.blocks = kept;
    Resource {
        mode,
        type_name,
        name,
        count: count.map(|a| a.expr),
        for_each: for_each.map(|a| a.expr),
        depends_on,
        provider,
        lifecycle,
        body,
        range,
        decl_range: decl,
        check: None,
    }
}

fn load_module_call(name: String, mut body: Body, decl: SourceRange, diags: &mut Diagnostics) -> Option<ModuleCall> {
    let source = body.attributes.remove("source");
    let version = body.attributes.remove("version").and_then(|a| const_string(&a, diags));
    let count = body.attributes.remove("count");
    let for_each = body.attributes.remove("for_each");
    if let (Some(c), Some(_)) = (&count, &for_each) {
        diags.push(
            Diagnostic::error("Invalid combination of \"count\" and \"for_each\"")
                .with_detail("The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of module instances to be created.")
                .with_subject(c.name_range.clone())
                .with_help("remove either `count` or `for_each`"),
        );
    }
    let depends_on = body.attributes.remove("depends_on").map(|a| expr_list(a, diags, "depends_on")).unwrap_or_default();
    let mut providers = BTreeMap::new();
    if let Some(a) = body.attributes.remove("providers") {
        match a.expr.expr.as_ref() {
            Expression::Object(o) => {
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
                        ObjectKey::Expression(Expression::Traversal(t)) => {
                            // `aws.west = aws.east` passes an aliased configuration.
                            let txt = t.span().and_then(|s| a.expr.file.text.get(s)).unwrap_or("").trim().to_string();
                            txt
                        }
                        ObjectKey::Expression(other) => {
                            diags.push(bad_provider_ref(&mk_expr(other.clone(), &a.expr.file)));
                            continue;
                        }
                    };
                    let ve = mk_expr(v.expr().clone(), &a.expr.file);
                    if let Some(p) = provider_ref(&ve, diags) {
                        providers.insert(key, p);
                    }
                }
            }
            _ => diags.push(
                Diagnostic::error("Invalid providers argument")
                    .with_detail("The providers argument must be a map from provider names in the child module to provider configurations in this module.")
                    .with_subject(a.expr.range.clone())
                    .with_help("write `providers = { aws = aws.west }`"),
            ),
        }
    }
    for nb in std::mem::take(&mut body.blocks) {
        let mut d = Diagnostic::error("Unsupported block type")
            .with_detail(format!("Blocks of type \"{}\" are not expected here. A module call takes only arguments (its input variables and meta-arguments).", nb.type_name))
            .with_subject(nb.type_range.clone());
        if nb.type_name == "lifecycle" {
            d = d.with_help("module calls do not support lifecycle blocks; set lifecycle on the resources inside the module");
        }
        diags.push(d);
    }
    let Some(source) = source else {
        diags.push(missing_arg("source", decl, "module"));
        return None;
    };
    let src = const_string(&source, diags)?;
    let local = src.starts_with("./") || src.starts_with("../");
    if local && version.is_some() {
        diags.push(
            Diagnostic::error("Invalid version constraint")
                .with_detail(format!("Cannot apply a version constraint to module \"{name}\" because it has a relative local path."))
                .with_subject(decl.clone())
                .with_help("remove the `version` argument"),
        );
    }
    Some(ModuleCall {
        name,
        source: src,
        version,
        count: count.map(|a| a.expr),
        for_each: for_each.map(|a| a.expr),
        depends_on,
        providers,
        inputs: body.attributes,
        module: Box::default(),
        range: decl,
    })
}

impl Module {
    /// Every module in the tree below (and including) this one, depth first.
    pub fn walk(&self) -> Vec<&Module> {
        let mut out = vec![self];
        for c in self.module_calls.values() {
            out.extend(c.module.walk());
        }
        out
    }
    /// The child module at `path` (call names from this module).
    pub fn descendant(&self, path: &[String]) -> Option<&Module> {
        match path.split_first() {
            None => Some(self),
            Some((first, rest)) => self.module_calls.get(first)?.module.descendant(rest),
        }
    }
}
