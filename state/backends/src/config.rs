//! Reading a backend block's arguments: typed getters that remember which arguments were
//! used, so [`Args::finish`] can reject the unknown ones with a did-you-mean.

use crate::util::did_you_mean;
use plinth_sdk::Diagnostic;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The arguments of one `backend "KIND" { … }` block, consumed by name.
pub struct Args<'a> {
    kind: &'static str,
    config: &'a BTreeMap<String, Value>,
    known: BTreeSet<&'static str>,
}

impl<'a> Args<'a> {
    pub fn new(kind: &'static str, config: &'a BTreeMap<String, Value>) -> Args<'a> {
        Args { kind, config, known: BTreeSet::new() }
    }

    fn get(&mut self, name: &'static str) -> Option<&'a Value> {
        self.known.insert(name);
        self.config.get(name).filter(|v| !v.is_null())
    }

    fn type_error(&self, name: &str, want: &str, got: &Value) -> Diagnostic {
        Diagnostic::error(format!("invalid value for backend argument {name:?}"))
            .with_detail(format!(
                "The {} backend argument {name:?} must be {want}, but it is {}.",
                self.kind,
                describe(got)
            ))
            .with_help(format!("Set `{name}` to {want} in the backend block or with `-backend-config={name}=…`."))
    }

    /// An optional string (numbers and booleans are accepted as their text, as Terraform
    /// converts them).
    pub fn string(&mut self, name: &'static str) -> Result<Option<String>, Diagnostic> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(v) => Err(self.type_error(name, "a string", v)),
        }
    }

    /// A string that must be set (or found in one of `env` variables).
    pub fn required(&mut self, name: &'static str, env: &[&str]) -> Result<String, Diagnostic> {
        if let Some(s) = self.string(name)?.filter(|s| !s.is_empty()) {
            return Ok(s);
        }
        if let Some(v) = env_first(env) {
            return Ok(v);
        }
        let mut d = Diagnostic::error(format!("missing required backend argument {name:?}"))
            .with_detail(format!("The {} backend needs the argument {name:?}.", self.kind));
        d = if env.is_empty() {
            d.with_help(format!("Add `{name} = \"…\"` to the backend block, or pass `-backend-config={name}=…` to `plinth init`."))
        } else {
            d.with_help(format!(
                "Add `{name} = \"…\"` to the backend block, pass `-backend-config={name}=…` to `plinth init`, or set {}.",
                env.join(" or ")
            ))
        };
        Err(d)
    }

    /// An optional string, else the first set environment variable of `env`.
    pub fn string_env(&mut self, name: &'static str, env: &[&str]) -> Result<Option<String>, Diagnostic> {
        Ok(self.string(name)?.or_else(|| env_first(env)))
    }

    /// An optional boolean (`"true"`/`"false"` strings accepted, as `-backend-config` gives).
    pub fn bool(&mut self, name: &'static str) -> Result<Option<bool>, Diagnostic> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v @ Value::String(s)) => match s.as_str() {
                "true" | "1" => Ok(Some(true)),
                "false" | "0" => Ok(Some(false)),
                _ => Err(self.type_error(name, "a boolean (true or false)", v)),
            },
            Some(v) => Err(self.type_error(name, "a boolean (true or false)", v)),
        }
    }

    /// An optional whole number.
    pub fn int(&mut self, name: &'static str) -> Result<Option<i64>, Diagnostic> {
        match self.get(name) {
            None => Ok(None),
            Some(v @ Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| self.type_error(name, "a whole number", v)),
            Some(v @ Value::String(s)) => s.parse().map(Some).map_err(|_| self.type_error(name, "a whole number", v)),
            Some(v) => Err(self.type_error(name, "a whole number", v)),
        }
    }

    /// An optional object of strings (`endpoints = { s3 = "…" }`); a `-backend-config`
    /// value may also arrive flattened as `endpoints.s3`.
    pub fn object(&mut self, name: &'static str, keys: &[&'static str]) -> Result<BTreeMap<String, String>, Diagnostic> {
        let mut out = BTreeMap::new();
        if let Some(v) = self.get(name) {
            // A block given twice (or a list of one object, as HCL blocks decode) is flattened.
            let objs: Vec<&Value> = match v {
                Value::Array(items) => items.iter().collect(),
                v => vec![v],
            };
            for o in objs {
                let Value::Object(m) = o else {
                    return Err(self.type_error(name, "an object", o));
                };
                for (k, v) in m {
                    let s = match v {
                        Value::String(s) => s.clone(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        v => return Err(self.type_error(&format!("{name}.{k}"), "a string", v)),
                    };
                    out.insert(k.clone(), s);
                }
            }
        }
        for (k, v) in self.config.iter() {
            if let Some(sub) = k.strip_prefix(name).and_then(|r| r.strip_prefix('.')) {
                if let Some(s) = v.as_str() {
                    out.insert(sub.to_string(), s.to_string());
                }
            }
        }
        for k in out.keys() {
            if !keys.contains(&k.as_str()) {
                let mut d = Diagnostic::error(format!("unsupported argument {name}.{k}"))
                    .with_detail(format!(
                        "The {} backend's `{name}` accepts {}.",
                        self.kind,
                        keys.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
                    ));
                if let Some(s) = did_you_mean(k, keys.iter().copied()) {
                    d = d.with_help(format!("Did you mean {name}.{s}?"));
                }
                return Err(d);
            }
        }
        Ok(out)
    }

    /// The raw value of an argument (any JSON shape), for arguments with their own parser.
    pub fn raw(&mut self, name: &'static str) -> Option<&'a Value> {
        self.get(name)
    }

    /// `-backend-config` values given flattened as `NAME.KEY=VALUE` (e.g.
    /// `assume_role.role_arn=…`), by `KEY`.
    pub fn flattened(&mut self, name: &'static str) -> BTreeMap<String, &'a Value> {
        self.known.insert(name);
        self.config
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(name)?.strip_prefix('.')?.to_string(), v)))
            .collect()
    }

    /// Marks arguments Terraform accepts that change nothing here (they are accepted so
    /// that a Terraform configuration works unchanged).
    pub fn ignore(&mut self, names: &[&'static str]) {
        for n in names {
            self.known.insert(n);
        }
    }

    /// Fails with an "unsupported" diagnostic when any of `names` is set.
    pub fn unsupported(&mut self, names: &[&'static str], why: &str, help: &str) -> Result<(), Diagnostic> {
        for n in names {
            if self.get(n).is_some() {
                return Err(Diagnostic::error(format!("backend argument {n:?} is not supported yet"))
                    .with_detail(format!("The {} backend argument {n:?} is accepted by Terraform but not yet by Plinth: {why}", self.kind))
                    .with_help(help.to_string()));
            }
        }
        Ok(())
    }

    /// Rejects every argument that no getter asked for.
    pub fn finish(self) -> Result<(), Diagnostic> {
        for k in self.config.keys() {
            let base = k.split('.').next().unwrap_or(k);
            if self.known.contains(base) {
                continue;
            }
            let mut d = Diagnostic::error(format!("unsupported argument {k:?} in the {} backend", self.kind))
                .with_detail(format!("An argument named {k:?} is not expected in a backend \"{}\" block.", self.kind));
            d = match did_you_mean(k, self.known.iter().copied()) {
                Some(s) => d.with_help(format!("Did you mean {s:?}?")),
                None => d.with_help(format!(
                    "The {} backend accepts {}.",
                    self.kind,
                    self.known.iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
                )),
            };
            return Err(d);
        }
        Ok(())
    }
}

fn env_first(env: &[&str]) -> Option<String> {
    env.iter().find_map(|e| std::env::var(e).ok().filter(|v| !v.is_empty()))
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Parses a `-backend-config=FILE` file: `key = value` lines as Terraform accepts them
/// (HCL attributes with literal strings, numbers, booleans, lists and objects; `#` and
/// `//` comments). Blocks (`endpoints { s3 = "…" }`) become objects.
pub fn parse_backend_config_file(text: &str) -> Result<BTreeMap<String, Value>, Diagnostic> {
    let mut p = Parser { s: text.as_bytes(), i: 0, line: 1 };
    let mut out = BTreeMap::new();
    p.body(&mut out, false)?;
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    line: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> Diagnostic {
        Diagnostic::error("invalid backend configuration file")
            .with_detail(format!("Line {}: {what}.", self.line))
            .with_help("Write one `name = \"value\"` per line, as in a backend block.")
    }
    fn skip_ws(&mut self, newlines: bool) {
        while self.i < self.s.len() {
            let c = self.s[self.i];
            if c == b'\n' {
                if !newlines {
                    return;
                }
                self.line += 1;
                self.i += 1;
            } else if c == b' ' || c == b'\t' || c == b'\r' {
                self.i += 1;
            } else if c == b'#' || (c == b'/' && self.s.get(self.i + 1) == Some(&b'/')) {
                while self.i < self.s.len() && self.s[self.i] != b'\n' {
                    self.i += 1;
                }
            } else if c == b'/' && self.s.get(self.i + 1) == Some(&b'*') {
                self.i += 2;
                while self.i + 1 < self.s.len() && !(self.s[self.i] == b'*' && self.s[self.i + 1] == b'/') {
                    if self.s[self.i] == b'\n' {
                        self.line += 1;
                    }
                    self.i += 1;
                }
                self.i = (self.i + 2).min(self.s.len());
            } else {
                return;
            }
        }
    }
    fn ident(&mut self) -> Option<String> {
        let start = self.i;
        while self.i < self.s.len() && (self.s[self.i].is_ascii_alphanumeric() || matches!(self.s[self.i], b'_' | b'-')) {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn body(&mut self, out: &mut BTreeMap<String, Value>, nested: bool) -> Result<(), Diagnostic> {
        loop {
            self.skip_ws(true);
            match self.s.get(self.i) {
                None if nested => return Err(self.err("a block is not closed with `}`")),
                None => return Ok(()),
                Some(b'}') if nested => {
                    self.i += 1;
                    return Ok(());
                }
                _ => {}
            }
            let key = match self.s.get(self.i) {
                Some(b'"') => self.string()?,
                _ => self.ident().ok_or_else(|| self.err("expected an argument name"))?,
            };
            self.skip_ws(false);
            match self.s.get(self.i) {
                Some(b'=') | Some(b':') => {
                    self.i += 1;
                    self.skip_ws(false);
                    let v = self.value()?;
                    out.insert(key, v);
                }
                Some(b'{') => {
                    self.i += 1;
                    let mut m = BTreeMap::new();
                    self.body(&mut m, true)?;
                    out.insert(key, Value::Object(m.into_iter().collect()));
                }
                _ => return Err(self.err(&format!("expected `=` after {key:?}"))),
            }
            self.skip_ws(false);
            if self.s.get(self.i) == Some(&b',') {
                self.i += 1;
            }
        }
    }
    fn string(&mut self) -> Result<String, Diagnostic> {
        self.i += 1; // opening quote
        let mut out = String::new();
        let start_line = self.line;
        loop {
            let Some(&c) = self.s.get(self.i) else {
                self.line = start_line;
                return Err(self.err("a string is not closed"));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\n' => return Err(self.err("a string is not closed on its line")),
                b'\\' => {
                    let e = self.s.get(self.i + 1).copied();
                    self.i += 2;
                    match e {
                        Some(b'n') => out.push('\n'),
                        Some(b't') => out.push('\t'),
                        Some(b'r') => out.push('\r'),
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'u') => {
                            let hex = self.s.get(self.i..self.i + 4).ok_or_else(|| self.err("bad \\u escape"))?;
                            let n = u32::from_str_radix(&String::from_utf8_lossy(hex), 16).map_err(|_| self.err("bad \\u escape"))?;
                            out.push(char::from_u32(n).ok_or_else(|| self.err("bad \\u escape"))?);
                            self.i += 4;
                        }
                        _ => return Err(self.err("unknown escape sequence in a string")),
                    }
                }
                b'$' if self.s.get(self.i + 1) == Some(&b'{') => {
                    return Err(self.err("interpolation (`${…}`) is not allowed here; backend settings must be literal values"))
                }
                _ => {
                    // Copy one UTF-8 character.
                    let len = utf8_len(c);
                    let end = (self.i + len).min(self.s.len());
                    out.push_str(&String::from_utf8_lossy(&self.s[self.i..end]));
                    self.i = end;
                }
            }
        }
    }
    fn value(&mut self) -> Result<Value, Diagnostic> {
        match self.s.get(self.i) {
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws(true);
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Ok(Value::Array(items));
                    }
                    items.push(self.value()?);
                    self.skip_ws(true);
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {}
                        _ => return Err(self.err("expected `,` or `]` in a list")),
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut m = BTreeMap::new();
                self.body(&mut m, true)?;
                Ok(Value::Object(m.into_iter().collect()))
            }
            Some(c) if c.is_ascii_digit() || *c == b'-' => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len() && (self.s[self.i].is_ascii_digit() || matches!(self.s[self.i], b'.' | b'e' | b'E' | b'+' | b'-')) {
                    self.i += 1;
                }
                let text = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                serde_json::from_str::<serde_json::Number>(&text)
                    .map(Value::Number)
                    .map_err(|_| self.err(&format!("{text:?} is not a number")))
            }
            _ => match self.ident().as_deref() {
                Some("true") => Ok(Value::Bool(true)),
                Some("false") => Ok(Value::Bool(false)),
                Some("null") => Ok(Value::Null),
                Some(other) => Err(self.err(&format!("{other:?} is not a literal value; references and functions are not allowed in backend settings"))),
                None => Err(self.err("expected a value")),
            },
        }
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_a_backend_config_file() {
        let m = parse_backend_config_file(
            "# comment\nbucket = \"plinth-state\"\nencrypt = true\nmax_retries = 5\nendpoints = {\n  s3 = \"http://x\"\n}\nassume_role {\n  role_arn = \"arn\"\n}\n",
        )
        .unwrap();
        assert_eq!(m["bucket"], json!("plinth-state"));
        assert_eq!(m["encrypt"], json!(true));
        assert_eq!(m["max_retries"].to_string(), "5");
        assert_eq!(m["endpoints"], json!({"s3": "http://x"}));
        assert_eq!(m["assume_role"], json!({"role_arn": "arn"}));
    }

    #[test]
    fn rejects_interpolation_and_references() {
        let e = parse_backend_config_file("bucket = \"${var.x}\"\n").unwrap_err();
        assert_eq!(e.detail.unwrap(), "Line 1: interpolation (`${…}`) is not allowed here; backend settings must be literal values.");
        let e = parse_backend_config_file("\nbucket = var.x\n").unwrap_err();
        assert!(e.detail.unwrap().starts_with("Line 2: \"var\" is not a literal value"));
    }

    #[test]
    fn unknown_argument_suggests_the_close_one() {
        let cfg: BTreeMap<String, Value> = [("bukcet".to_string(), json!("x"))].into();
        let mut a = Args::new("s3", &cfg);
        let _ = a.string("bucket");
        let _ = a.string("key");
        let d = a.finish().unwrap_err();
        assert_eq!(d.summary, "unsupported argument \"bukcet\" in the s3 backend");
        assert_eq!(d.help, ["Did you mean \"bucket\"?"]);
    }

    #[test]
    fn booleans_from_backend_config_strings() {
        let cfg: BTreeMap<String, Value> = [("encrypt".to_string(), json!("true")), ("x".to_string(), json!("maybe"))].into();
        let mut a = Args::new("s3", &cfg);
        assert_eq!(a.bool("encrypt").unwrap(), Some(true));
        let d = a.bool("x").unwrap_err();
        assert_eq!(d.detail.unwrap(), "The s3 backend argument \"x\" must be a boolean (true or false), but it is the string \"maybe\".");
    }
}
