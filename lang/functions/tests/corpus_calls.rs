//! Runs the part of the console corpus (`tests/console/corpus.txt`) that consists of
//! function calls over literals straight through `plinth_functions::call`, and compares
//! `console_format` (or the error summary) with Terraform's recorded output
//! (`tests/console/expected.txt`). Expressions that need the evaluator (operators,
//! references, templates, `for`) are skipped here; `lang/tests/console_corpus.rs` runs them.
//!
//! The tiny literal parser below understands numbers, strings (no interpolation), `true`,
//! `false`, `null`, tuples `[...]`, objects `{k = v}` and calls `f(...)`.

use plinth_functions::{call, console_format, FunctionContext, FunctionError};
use plinth_sdk::{Number, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/console")
}

/// Expressions whose output is allowed to differ (nondeterminism or documented gaps), one
/// per line in `known_differences.txt` next to the corpus.
fn known_differences() -> Vec<String> {
    std::fs::read_to_string(root().join("known_differences.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split(" #").next().unwrap_or(l).trim_end().to_string())
        .collect()
}

pub fn expected() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join("expected.txt")).expect("expected.txt");
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(e) = line.strip_prefix("### ") {
            out.push((e.to_string(), String::new()));
        } else if let Some(last) = out.last_mut() {
            if !last.1.is_empty() {
                last.1.push('\n');
            }
            last.1.push_str(line);
        }
    }
    out
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

enum Expr {
    Lit(Value),
    Tuple(Vec<Expr>),
    Object(Vec<(String, Expr)>),
    Call(String, Vec<Expr>),
}

impl<'a> P<'a> {
    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] as char).is_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && ((self.s[self.i] as char).is_ascii_alphanumeric() || matches!(self.s[self.i], b'_' | b'-' | b':'))
        {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn string(&mut self) -> Option<String> {
        // at opening quote
        self.i += 1;
        let mut out = Vec::new();
        while self.i < self.s.len() {
            let c = self.s[self.i];
            match c {
                b'"' => {
                    self.i += 1;
                    return Some(String::from_utf8(out).ok()?);
                }
                b'\\' => {
                    let n = *self.s.get(self.i + 1)?;
                    self.i += 2;
                    match n {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'u' => {
                            let h = std::str::from_utf8(self.s.get(self.i..self.i + 4)?).ok()?;
                            let ch = char::from_u32(u32::from_str_radix(h, 16).ok()?)?;
                            out.extend(ch.to_string().bytes());
                            self.i += 4;
                        }
                        _ => return None,
                    }
                }
                b'$' | b'%' if self.s.get(self.i + 1) == Some(&b'{') => return None,
                b'$' | b'%' if self.s.get(self.i + 1) == Some(&c) && self.s.get(self.i + 2) == Some(&b'{') => {
                    out.push(c);
                    out.push(b'{');
                    self.i += 3;
                }
                _ => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
        None
    }
    fn expr(&mut self) -> Option<Expr> {
        self.ws();
        let c = *self.s.get(self.i)?;
        match c {
            b'"' => Some(Expr::Lit(Value::String(self.string()?))),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Some(Expr::Tuple(items));
                }
                loop {
                    items.push(self.expr()?);
                    if self.eat(b',') {
                        if self.eat(b']') {
                            break;
                        }
                        continue;
                    }
                    if self.eat(b']') {
                        break;
                    }
                    return None;
                }
                Some(Expr::Tuple(items))
            }
            b'{' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    if self.eat(b'}') {
                        break;
                    }
                    self.ws();
                    let key = if self.s.get(self.i) == Some(&b'"') { self.string()? } else { self.ident()? };
                    if !(self.eat(b'=') || self.eat(b':')) {
                        return None;
                    }
                    items.push((key, self.expr()?));
                    self.eat(b',');
                }
                Some(Expr::Object(items))
            }
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_digit()
                        || matches!(self.s[self.i], b'.' | b'e' | b'E')
                        || (matches!(self.s[self.i], b'+' | b'-') && matches!(self.s[self.i - 1], b'e' | b'E')))
                {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.i]).ok()?;
                Some(Expr::Lit(Value::Number(Number::parse(t)?)))
            }
            _ => {
                let id = self.ident()?;
                match id.as_str() {
                    "true" => return Some(Expr::Lit(Value::Bool(true))),
                    "false" => return Some(Expr::Lit(Value::Bool(false))),
                    "null" => return Some(Expr::Lit(Value::null())),
                    _ => {}
                }
                if id == "type" || !self.eat(b'(') {
                    return None;
                }
                let mut args = Vec::new();
                if self.eat(b')') {
                    return Some(Expr::Call(id, args));
                }
                loop {
                    args.push(self.expr()?);
                    if self.eat(b',') {
                        continue;
                    }
                    if self.eat(b')') {
                        break;
                    }
                    return None;
                }
                Some(Expr::Call(id, args))
            }
        }
    }
}

fn parse(src: &str) -> Option<Expr> {
    let mut p = P { s: src.as_bytes(), i: 0 };
    let e = p.expr()?;
    p.ws();
    (p.i == src.len()).then_some(e)
}

fn eval(e: &Expr, ctx: &FunctionContext) -> Result<Value, FunctionError> {
    Ok(match e {
        Expr::Lit(v) => v.clone(),
        Expr::Tuple(items) => Value::Tuple(items.iter().map(|x| eval(x, ctx)).collect::<Result<_, _>>()?),
        Expr::Object(items) => {
            let mut m = BTreeMap::new();
            for (k, x) in items {
                m.insert(k.clone(), eval(x, ctx)?);
            }
            Value::Object(m)
        }
        Expr::Call(name, args) => {
            let args = args.iter().map(|x| eval(x, ctx)).collect::<Result<Vec<_>, _>>()?;
            call(name, args, ctx)?
        }
    })
}

#[test]
fn literal_calls_match_terraform() {
    let fixture = root().join("fixture");
    let ctx = FunctionContext { cwd: &fixture, template: None };
    let known = known_differences();
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for (src, want) in expected() {
        let Some(e) = parse(&src) else { continue };
        if !matches!(e, Expr::Call(..)) {
            continue;
        }
        if src.starts_with("templatefile") || src.starts_with("templatestring") {
            continue;
        }
        checked += 1;
        let got = match eval(&e, &ctx) {
            Ok(v) => console_format(&v),
            Err(err) => format!("!! error: {}\n!! detail: {}", err.summary(), err.message),
        };
        // Error details are compared with Terraform's wording; those listed in
        // known_differences.txt as `detail: <expression>` may differ in wording only.
        let (got, want) = if known.contains(&format!("detail: {src}")) {
            (got.lines().next().unwrap_or("").to_string(), want.lines().next().unwrap_or("").to_string())
        } else {
            (got, want)
        };
        if got != want && !known.contains(&src) {
            mismatches.push(format!("### {src}\n--- terraform\n{want}\n--- plinth\n{got}"));
        }
    }
    eprintln!("literal calls checked: {checked}, mismatches: {}", mismatches.len());
    assert!(checked > 400, "too few corpus entries were checked ({checked})");
    assert!(mismatches.is_empty(), "{} of {checked} differ from Terraform:\n{}", mismatches.len(), mismatches.join("\n"));
}
