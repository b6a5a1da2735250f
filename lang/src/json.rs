//! Terraform's JSON configuration syntax (`*.tf.json`): the same blocks as native syntax,
//! written as JSON objects (<https://developer.hashicorp.com/terraform/language/syntax/json>).
//!
//! - The root object's properties are block types; each label is one level of object nesting
//!   (`"resource": {"TYPE": {"NAME": {…}}}`), and a block may also be an array of objects.
//! - In a body, a property is a nested block when the block type is known to have it
//!   (`lifecycle`, `provisioner`, `dynamic`, `validation`, …) and an argument otherwise.
//!   Nested blocks of provider schemas cannot be told apart from arguments without the
//!   schema: they are kept as arguments and turned into blocks when the body is decoded
//!   against the schema (`eval_body`).
//! - Argument values are expressions: a JSON string is a string template (`"${var.x}"`), and
//!   numbers, booleans, null, arrays and objects are what they are. The arguments that
//!   native syntax takes as references or types (`depends_on`, `provider`, `type`,
//!   `ignore_changes`, moved `from`/`to`, …) are strings holding that expression.
//! - A property named `"//"` is a comment and is ignored.
//!
//! Every value keeps its position, so diagnostics point at file:line:column, and malformed
//! JSON is reported where it is malformed.

use crate::config::{Attribute, Body, DynamicBlock, Expr, NestedBlock};
use crate::load::{RawBlock, RawBody};
use crate::source::SourceFile;
use plinth_sdk::{Diagnostic, Diagnostics, SourceRange};
use std::ops::Range;
use std::sync::Arc;

/// A JSON value with its byte range.
#[derive(Debug, Clone)]
pub(crate) struct JValue {
    pub kind: JKind,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub(crate) enum JKind {
    Null,
    Bool(bool),
    Number,
    Str(String),
    Array(Vec<JValue>),
    /// Properties in order: (name, name's range, value).
    Object(Vec<(String, Range<usize>, JValue)>),
}

/// Parses JSON text; the error is (byte offset, message).
pub(crate) fn parse(text: &str) -> Result<JValue, (usize, String)> {
    let mut p = Parser { s: text, b: text.as_bytes(), i: 0, depth: 0 };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i < p.b.len() {
        return Err((p.i, "extra characters after the end of the JSON value".into()));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn expect(&mut self, c: u8, what: &str) -> Result<(), (usize, String)> {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err((self.i, format!("expected {what}, found {}", self.found())))
        }
    }
    fn found(&self) -> String {
        match self.b.get(self.i) {
            None => "the end of the file".into(),
            Some(_) => {
                let c = self.s.get(self.i..).and_then(|s| s.chars().next()).unwrap_or('?');
                format!("{c:?}")
            }
        }
    }
    fn value(&mut self) -> Result<JValue, (usize, String)> {
        let start = self.i;
        let kind = match self.b.get(self.i) {
            None => return Err((self.i, "expected a JSON value, found the end of the file".into())),
            Some(b'{') => {
                self.nest()?;
                self.i += 1;
                let mut props = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        let ks = self.i;
                        if self.b.get(self.i) != Some(&b'"') {
                            return Err((self.i, format!("expected a property name in double quotes, found {}", self.found())));
                        }
                        let k = self.string()?;
                        let kr = ks..self.i;
                        self.ws();
                        self.expect(b':', "':' after the property name")?;
                        self.ws();
                        let v = self.value()?;
                        props.push((k, kr, v));
                        self.ws();
                        match self.b.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err((self.i, format!("expected ',' or '}}' after an object property, found {}", self.found()))),
                        }
                    }
                }
                self.depth -= 1;
                JKind::Object(props)
            }
            Some(b'[') => {
                self.nest()?;
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        items.push(self.value()?);
                        self.ws();
                        match self.b.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err((self.i, format!("expected ',' or ']' after an array element, found {}", self.found()))),
                        }
                    }
                }
                self.depth -= 1;
                JKind::Array(items)
            }
            Some(b'"') => JKind::Str(self.string()?),
            Some(b't') => self.word("true", JKind::Bool(true))?,
            Some(b'f') => self.word("false", JKind::Bool(false))?,
            Some(b'n') => self.word("null", JKind::Null)?,
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                self.number()?;
                JKind::Number
            }
            Some(_) => return Err((self.i, format!("expected a JSON value, found {}", self.found()))),
        };
        Ok(JValue { kind, span: start..self.i })
    }
    fn nest(&mut self) -> Result<(), (usize, String)> {
        self.depth += 1;
        if self.depth > crate::load::MAX_NESTING {
            return Err((self.i, format!("nesting deeper than {} levels", crate::load::MAX_NESTING)));
        }
        Ok(())
    }
    fn word(&mut self, w: &str, k: JKind) -> Result<JKind, (usize, String)> {
        if self.b[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(k)
        } else {
            Err((self.i, format!("expected a JSON value, found {}", self.found())))
        }
    }
    fn number(&mut self) -> Result<(), (usize, String)> {
        let start = self.i;
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.i < p.b.len() && p.b[p.i].is_ascii_digit() {
                p.i += 1;
            }
            p.i > s
        };
        if !digits(self) {
            return Err((self.i, "expected a digit".into()));
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return Err((self.i, "expected a digit after the decimal point".into()));
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return Err((self.i, "expected a digit in the exponent".into()));
            }
        }
        let _ = start;
        Ok(())
    }
    /// A string starting at the current `"`; returns its decoded content.
    fn string(&mut self) -> Result<String, (usize, String)> {
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Err((start, "unterminated string".into()));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    let e = self.b.get(self.i + 1).copied();
                    self.i += 2;
                    match e {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) && self.b[self.i..].starts_with(b"\\u") {
                                self.i += 2;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF)
                            } else {
                                hi
                            };
                            out.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err((self.i - 2, "invalid escape sequence in a string".into())),
                    }
                }
                c if c < 0x20 => return Err((self.i, "control character (such as a newline) in a string; write it as an escape like \\n".into())),
                _ => {
                    let ch = self.s.get(self.i..).and_then(|t| t.chars().next()).unwrap_or('\u{FFFD}');
                    out.push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }
    fn hex4(&mut self) -> Result<u32, (usize, String)> {
        let s = self.b.get(self.i..self.i + 4).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u32::from_str_radix(h, 16).ok());
        match s {
            Some(v) => {
                self.i += 4;
                Ok(v)
            }
            None => Err((self.i, "expected four hexadecimal digits after \\u".into())),
        }
    }
}

/// Loads a `*.tf.json` file's blocks.
pub(crate) fn file_blocks(file: &Arc<SourceFile>, diags: &mut Diagnostics) -> Vec<RawBlock> {
    let root = match parse(&file.text) {
        Ok(v) => v,
        Err((at, msg)) => {
            let end = (at + 1).min(file.text.len()).max(at);
            let end = if file.text.is_char_boundary(end) { end } else { at };
            diags.push(
                Diagnostic::error("Invalid JSON syntax")
                    .with_detail(format!("The file is not valid JSON: {msg}."))
                    .with_subject(file.range(at..end))
                    .with_help("fix the JSON syntax at this position"),
            );
            return Vec::new();
        }
    };
    let JKind::Object(props) = root.kind else {
        diags.push(
            Diagnostic::error("Invalid JSON configuration")
                .with_detail("The root of a JSON configuration file must be an object whose properties are block types, like {\"resource\": {…}}.")
                .with_subject(file.range(root.span.clone())),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (ty, tr, v) in props {
        if ty == "//" {
            continue;
        }
        let labels = match ty.as_str() {
            "resource" | "data" => 2,
            "provider" | "variable" | "output" | "module" | "check" => 1,
            "terraform" | "locals" | "moved" | "import" | "removed" => 0,
            _ => {
                let mut d = Diagnostic::error("Unsupported block type").with_detail(format!("Blocks of type \"{ty}\" are not expected here.")).with_subject(file.range(tr.clone()));
                if let Some(s) = crate::suggest::suggest(&ty, ["terraform", "provider", "variable", "locals", "output", "resource", "data", "module", "moved", "import", "removed", "check"]) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
                continue;
            }
        };
        let kind = BodyKind::top(&ty);
        for (labels, decl, body) in blocks_of(file, &ty, &tr, &v, labels, diags) {
            let range = file.range(body.span.clone());
            let model = json_body(file, &body, kind, diags);
            out.push(RawBlock { ident: ty.clone(), ident_range: file.range(tr.clone()), labels, decl, range, body: RawBody::Model(model) });
        }
    }
    out
}

type LabelledBody = (Vec<(String, SourceRange)>, SourceRange, JValue);

/// The blocks of type `ty` written as `v`: `n` levels of objects keyed by label, each level
/// possibly an array of such objects.
fn blocks_of(file: &Arc<SourceFile>, ty: &str, tr: &Range<usize>, v: &JValue, n: usize, diags: &mut Diagnostics) -> Vec<LabelledBody> {
    let mut out = Vec::new();
    collect_blocks(file, ty, v, n, &mut Vec::new(), tr.clone(), &mut out, diags);
    out
}

#[allow(clippy::too_many_arguments)]
fn collect_blocks(file: &Arc<SourceFile>, ty: &str, v: &JValue, n: usize, labels: &mut Vec<(String, SourceRange)>, decl_end: Range<usize>, out: &mut Vec<LabelledBody>, diags: &mut Diagnostics) {
    match &v.kind {
        JKind::Array(items) => {
            for it in items {
                collect_blocks(file, ty, it, n, labels, decl_end.clone(), out, diags);
            }
        }
        JKind::Object(props) if n > 0 => {
            for (k, kr, inner) in props {
                if k == "//" {
                    continue;
                }
                labels.push((k.clone(), file.range(kr.clone())));
                collect_blocks(file, ty, inner, n - 1, labels, kr.clone(), out, diags);
                labels.pop();
            }
        }
        JKind::Object(_) => {
            let start = labels.first().map(|l| l.1.start.byte).unwrap_or(decl_end.start);
            let decl = file.range(start.min(decl_end.start)..decl_end.end);
            out.push((labels.clone(), decl, v.clone()));
        }
        _ => {
            let what = if n > 0 { "an object whose properties are the block labels" } else { "an object (the block body) or an array of objects" };
            diags.push(
                Diagnostic::error("Invalid JSON block")
                    .with_detail(format!("A {ty} block in JSON syntax must be {what}."))
                    .with_subject(file.range(v.span.clone())),
            );
        }
    }
}

/// Which properties of a body are nested blocks (and how many labels they have), and which
/// arguments hold an expression in a string.
#[derive(Clone, Copy)]
enum BodyKind {
    Terraform,
    RequiredProviders,
    Variable,
    Locals,
    Output,
    Resource,
    Lifecycle,
    Module,
    Moved,
    Import,
    Removed,
    Check,
    Dynamic,
    /// Any other body: every property is an argument.
    Plain,
}

impl BodyKind {
    fn top(ty: &str) -> BodyKind {
        match ty {
            "terraform" => BodyKind::Terraform,
            "variable" => BodyKind::Variable,
            "locals" => BodyKind::Locals,
            "output" => BodyKind::Output,
            "resource" | "data" => BodyKind::Resource,
            "module" => BodyKind::Module,
            "moved" => BodyKind::Moved,
            "import" => BodyKind::Import,
            "removed" => BodyKind::Removed,
            "check" => BodyKind::Check,
            _ => BodyKind::Plain,
        }
    }
    /// (labels, kind of the nested body) for a nested block type.
    fn block(self, name: &str) -> Option<(usize, BodyKind)> {
        use BodyKind::*;
        Some(match (self, name) {
            (Terraform, "required_providers") => (0, RequiredProviders),
            (Terraform, "backend" | "provider_meta") => (1, Plain),
            (Terraform, "cloud" | "encryption") => (0, Plain),
            (Variable, "validation") => (0, Plain),
            (Output, "precondition") => (0, Plain),
            (Resource, "lifecycle") => (0, Lifecycle),
            (Resource, "provisioner") => (1, Plain),
            (Resource, "connection") => (0, Plain),
            (Resource | Dynamic, "dynamic") => (1, Dynamic),
            (Lifecycle, "precondition" | "postcondition") => (0, Plain),
            (Removed, "lifecycle") => (0, Plain),
            (Check, "assert") => (0, Plain),
            (Check, "data") => (2, Resource),
            (Dynamic, "content") => (0, Resource),
            _ => return None,
        })
    }
    /// How a string-valued argument is read: `Some(true)` an expression, `Some(false)` a
    /// list of expressions; `None` a template like any other value.
    fn expression_arg(self, name: &str) -> Option<bool> {
        use BodyKind::*;
        match (self, name) {
            (Variable, "type") | (Resource, "provider") | (Moved, "from" | "to") | (Import, "to" | "provider") | (Removed, "from") | (Dynamic, "iterator") => Some(true),
            (Resource | Output | Module, "depends_on") | (Lifecycle, "ignore_changes" | "replace_triggered_by") => Some(false),
            _ => None,
        }
    }
}

fn json_body(file: &Arc<SourceFile>, v: &JValue, kind: BodyKind, diags: &mut Diagnostics) -> Body {
    let mut body = Body { range: Some(file.range(v.span.clone())), ..Body::default() };
    let JKind::Object(props) = &v.kind else {
        diags.push(Diagnostic::error("Invalid JSON block").with_detail("A block body in JSON syntax must be an object.").with_subject(file.range(v.span.clone())));
        return body;
    };
    for (name, nr, val) in props {
        if name == "//" {
            continue;
        }
        if let Some((n, inner)) = kind.block(name) {
            for (labels, decl, b) in blocks_of(file, name, nr, val, n, diags) {
                let range = file.range(b.span.clone());
                let nested = json_body(file, &b, inner, diags);
                body.blocks.push(nested_block(file, name, labels, nested, range, decl, diags));
            }
            continue;
        }
        let name_range = file.range(nr.clone());
        let expr = match (kind.expression_arg(name), &val.kind) {
            (Some(true), JKind::Str(s)) => expression_in_string(file, val, s),
            (Some(false), JKind::Array(items)) => list_of_expressions(file, val, items),
            (_, _) if matches!((kind, name.as_str()), (BodyKind::Module, "providers")) => providers_map(file, val),
            _ => value_expr(file, val),
        };
        let expr = match expr {
            Ok(e) => e,
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        if let Some(prev) = body.attributes.get(name) {
            diags.push(
                Diagnostic::error("Attribute redefined")
                    .with_detail(format!("The argument \"{name}\" was already set at {}:{}. Each argument may be set only once.", prev.name_range.start.line, prev.name_range.start.column))
                    .with_subject(name_range),
            );
            continue;
        }
        let range = file.range(nr.start..val.span.end);
        body.attributes.insert(name.clone(), Attribute { name: name.clone(), expr, range, name_range });
    }
    body
}

fn nested_block(file: &Arc<SourceFile>, name: &str, labels: Vec<(String, SourceRange)>, mut body: Body, range: SourceRange, decl: SourceRange, diags: &mut Diagnostics) -> NestedBlock {
    if name != "dynamic" {
        return NestedBlock { type_name: name.to_string(), labels: labels.into_iter().map(|l| l.0).collect(), body, dynamic: None, range, type_range: decl };
    }
    let type_name = labels.first().map(|l| l.0.clone()).unwrap_or_default();
    let for_each = body.attributes.remove("for_each").map(|a| a.expr);
    let iterator = body
        .attributes
        .remove("iterator")
        .and_then(|a| a.expr.file.text.get(a.expr.expr_span()).map(|t| t.trim().to_string()))
        .unwrap_or_else(|| type_name.clone());
    let labels_exprs = match body.attributes.remove("labels") {
        None => Vec::new(),
        Some(a) => match a.expr.expr.as_ref() {
            hcl_edit::expr::Expression::Array(arr) => arr.iter().map(|e| crate::load::mk_expr(e.clone(), &a.expr.file)).collect(),
            _ => vec![a.expr],
        },
    };
    let content = body.blocks.iter().position(|b| b.type_name == "content").map(|i| body.blocks.remove(i).body);
    let Some(for_each) = for_each else {
        diags.push(Diagnostic::error("Missing required argument").with_detail("The argument \"for_each\" is required, but no definition was found.").with_subject(decl.clone()));
        return NestedBlock { type_name, labels: Vec::new(), body: Body::default(), dynamic: None, range, type_range: decl };
    };
    let Some(content) = content else {
        diags.push(Diagnostic::error("Missing content block").with_detail("A dynamic block must have a nested block of type \"content\" to describe the body of each generated block.").with_subject(decl.clone()));
        return NestedBlock { type_name, labels: Vec::new(), body: Body::default(), dynamic: None, range, type_range: decl };
    };
    let _ = file;
    NestedBlock { type_name, labels: Vec::new(), body: Body::default(), dynamic: Some(Box::new(DynamicBlock { for_each, iterator, labels: labels_exprs, content })), range, type_range: decl }
}

fn parse_in(file: &Arc<SourceFile>, offset: usize, text: String, range: Range<usize>) -> Result<Expr, Box<Diagnostic>> {
    let sub = Arc::new(SourceFile::within(file, offset, text));
    match crate::lenient::parse_with(sub.text.trim_end(), hcl_edit::parser::parse_expr) {
        Ok((e, renamed)) => {
            if !renamed.is_empty() {
                let _ = sub.renamed_keys.set(renamed);
            }
            Ok(crate::load::mk_expr(e, &sub))
        }
        Err(e) => {
            let mut d = crate::load::syntax_error(&sub, &e);
            if d.subject.is_none() {
                d.subject = Some(file.range(range));
            }
            Err(Box::new(d))
        }
    }
}

/// Whether a JSON string token can be read as an HCL quoted template as it is (JSON-only
/// escapes `\/`, `\b`, `\f` and surrogate pairs cannot).
fn hcl_compatible(raw: &str) -> bool {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            match b.get(i + 1) {
                Some(b'/' | b'b' | b'f') => return false,
                Some(b'u') if raw.get(i + 2..i + 6).and_then(|h| u32::from_str_radix(h, 16).ok()).is_some_and(|c| (0xD800..0xE000).contains(&c)) => return false,
                _ => {}
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    true
}

/// A JSON value as an expression: its own text read as native syntax (a JSON string is a
/// quoted template there too, and `{"k": v}` an object constructor).
fn value_expr(file: &Arc<SourceFile>, v: &JValue) -> Result<Expr, Box<Diagnostic>> {
    let raw = file.text.get(v.span.clone()).unwrap_or("");
    // Without escapes, a JSON value's text is the same value in native syntax, so positions
    // are exact; strings with escapes are rewritten (positions inside them are approximate).
    if !raw.contains('\\') && hcl_compatible(raw) {
        return parse_in(file, v.span.start, raw.to_string(), v.span.clone());
    }
    parse_in(file, v.span.start, to_native(&file.text, v), v.span.clone())
}

/// Native-syntax text for a JSON value.
fn to_native(text: &str, v: &JValue) -> String {
    match &v.kind {
        JKind::Null => "null".into(),
        JKind::Bool(b) => b.to_string(),
        JKind::Number => text.get(v.span.clone()).unwrap_or("0").to_string(),
        JKind::Str(s) => quote(s),
        JKind::Array(items) => format!("[{}]", items.iter().map(|x| to_native(text, x)).collect::<Vec<_>>().join(", ")),
        JKind::Object(props) => format!("{{{}}}", props.iter().map(|(k, _, x)| format!("{} = {}", quote(k), to_native(text, x))).collect::<Vec<_>>().join(", ")),
    }
}

/// A decoded JSON string (a template) as a native quoted template: characters of the
/// literal parts are escaped, interpolations and directives are kept as they are.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut i = 0;
    while i < b.len() {
        let c = s[i..].chars().next().unwrap_or('\u{FFFD}');
        let n = c.len_utf8();
        if depth == 0 {
            if s[i..].starts_with("$${") || s[i..].starts_with("%%{") {
                out.push_str(&s[i..i + 3]);
                i += 3;
                continue;
            }
            if s[i..].starts_with("${") || s[i..].starts_with("%{") {
                out.push_str(&s[i..i + 2]);
                depth = 1;
                i += 2;
                continue;
            }
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        } else {
            out.push(c);
            if in_str {
                if c == '\\' {
                    if let Some(next) = s[i + 1..].chars().next() {
                        out.push(next);
                        i += 1 + next.len_utf8();
                        continue;
                    }
                } else if c == '"' {
                    in_str = false;
                }
            } else {
                match c {
                    '"' => in_str = true,
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
            }
        }
        i += n;
    }
    out.push('"');
    out
}

/// A string holding an expression (`"aws_instance.web"`, `"list(string)"`).
fn expression_in_string(file: &Arc<SourceFile>, v: &JValue, s: &str) -> Result<Expr, Box<Diagnostic>> {
    let raw_inner = file.text.get(v.span.start + 1..v.span.end.saturating_sub(1)).unwrap_or("");
    // Without escapes the decoded text is the text in the file, so positions are exact.
    parse_in(file, v.span.start + 1, if raw_inner == s { raw_inner.to_string() } else { s.to_string() }, v.span.clone())
}

/// An array of strings holding expressions (`"depends_on": ["aws_vpc.main"]`), as a tuple
/// expression.
fn list_of_expressions(file: &Arc<SourceFile>, v: &JValue, items: &[JValue]) -> Result<Expr, Box<Diagnostic>> {
    // Rewrite the array in place: each string's quotes become spaces, so the inner text keeps
    // its position.
    let raw = file.text.get(v.span.clone()).unwrap_or("");
    let mut text = raw.to_string();
    for it in items {
        match &it.kind {
            JKind::Str(s) if file.text.get(it.span.start + 1..it.span.end - 1) != Some(s.as_str()) => {
                // Escapes: build the list from the decoded strings (positions approximate).
                let all: Option<Vec<&str>> = items.iter().map(|x| if let JKind::Str(s) = &x.kind { Some(s.as_str()) } else { None }).collect();
                if let Some(all) = all {
                    return parse_in(file, v.span.start, format!("[{}]", all.join(", ")), v.span.clone());
                }
            }
            JKind::Str(_) => {
                let a = it.span.start - v.span.start;
                let b = it.span.end - v.span.start - 1;
                text.replace_range(a..a + 1, " ");
                text.replace_range(b..b + 1, " ");
            }
            _ => {
                return Err(Box::new(
                    Diagnostic::error("Invalid expression")
                        .with_detail("Each element of this list must be a string holding a reference, like \"aws_instance.web\".")
                        .with_subject(file.range(it.span.clone())),
                ))
            }
        }
    }
    parse_in(file, v.span.start, text, v.span.clone())
}

/// `"providers": {"aws": "aws.west"}` → `{ aws = aws.west }`.
fn providers_map(file: &Arc<SourceFile>, v: &JValue) -> Result<Expr, Box<Diagnostic>> {
    let JKind::Object(props) = &v.kind else {
        return value_expr(file, v);
    };
    let mut text = String::from("{");
    for (k, _, pv) in props {
        if k == "//" {
            continue;
        }
        let JKind::Str(s) = &pv.kind else {
            return Err(Box::new(
                Diagnostic::error("Invalid providers argument")
                    .with_detail("Each value of providers must be a string naming a provider configuration, like \"aws.west\".")
                    .with_subject(file.range(pv.span.clone())),
            ));
        };
        text.push_str(&format!("\n{k} = {s}"));
    }
    text.push_str("\n}");
    parse_in(file, v.span.start, text, v.span.clone())
}

impl Expr {
    /// The span of the expression in its file's text.
    pub(crate) fn expr_span(&self) -> Range<usize> {
        hcl_edit::Span::span(self.expr.as_ref()).unwrap_or(0..0)
    }
}
