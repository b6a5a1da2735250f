//! Encoding functions: base64, gzip, CSV, JSON, YAML, URL and text encodings.

use crate::format::go_quote;
use crate::registry::{arg_err, call_err, func, p, ret, ret_fn, Func, Marks, Unknowns};
use crate::util::{s, vstr};
use crate::FunctionError;
use base64::Engine;
use plinth_sdk::{Number, Type, Value};
use std::collections::BTreeMap;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

pub(crate) fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub(crate) fn register(r: &mut Vec<Func>) {
    let st = || Type::String;
    r.push(func("base64encode", vec![p("str", st())], ret(st()), |a, _| Ok(vstr(b64(s(a, 0).as_bytes())))));
    r.push(func("base64decode", vec![p("str", st())], ret(st()), |a, _| {
        let bytes = decode_b64(s(a, 0), 0)?;
        String::from_utf8(bytes).map(vstr).map_err(|_| {
            call_err("the result of decoding the provided string is not valid UTF-8")
        })
    }));
    r.push(func("base64gzip", vec![p("str", st())], ret(st()), |a, _| Ok(vstr(b64(&go_gzip(s(a, 0).as_bytes()))))));
    r.push(func("textencodebase64", vec![p("string", st()), p("encoding", st())], ret(st()), |a, _| {
        let bytes = encode_text(s(a, 0), s(a, 1))?;
        Ok(vstr(b64(&bytes)))
    }));
    r.push(func("textdecodebase64", vec![p("source", st()), p("encoding", st())], ret(st()), |a, _| {
        let bytes = B64.decode(s(a, 0)).map_err(|e| {
            let off = match e {
                base64::DecodeError::InvalidByte(o, _) | base64::DecodeError::InvalidLastSymbol(o, _) => o,
                base64::DecodeError::InvalidLength(o) => o,
                base64::DecodeError::InvalidPadding => s(a, 0).len(),
            };
            arg_err(0, format!("the given value is has an invalid base64 symbol at offset {off}"))
        })?;
        decode_text(&bytes, s(a, 1)).map(vstr)
    }));
    r.push(func("urlencode", vec![p("str", st())], ret(st()), |a, _| {
        let mut out = String::new();
        for b in s(a, 0).bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        Ok(vstr(out))
    }));
    r.push(func("jsonencode", vec![p("val", Type::Dynamic).dynamic().null().unknown(Unknowns::Reject).marks(Marks::Deep)], ret(st()), |a, _| {
        json_encode(&a[0]).map(vstr)
    }));
    r.push(func("jsondecode", vec![p("str", st())], ret(Type::Dynamic), |a, _| {
        let j: serde_json::Value = serde_json::from_str(s(a, 0)).map_err(|e| call_err(json_error(s(a, 0), &e)))?;
        Value::from_json(&j, &Type::Dynamic).map_err(call_err)
    }));
    r.push(func("csvdecode", vec![p("str", st())], ret_fn(|a| csv_ret(a)), |a, _| csvdecode(s(a, 0))));
    r.push(func("yamlencode", vec![p("value", Type::Dynamic).dynamic().null()], ret(st()), |a, _| {
        Ok(vstr(yaml_encode(&a[0])))
    }));
    r.push(func("yamldecode", vec![p("src", st())], ret(Type::Dynamic), |a, _| yaml_decode(s(a, 0))));
}

/// gzip as Go's `gzip.Writer` writes it after `Write`, `Flush`, `Close` (Terraform's
/// `base64gzip`), with Go's own deflate (see `goflate`).
fn go_gzip(data: &[u8]) -> Vec<u8> {
    crate::goflate::go_gzip(data)
}

fn decode_b64(text: &str, arg: usize) -> Result<Vec<u8>, FunctionError> {
    let clean: String = text.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    B64.decode(&clean).map_err(|e| {
        let _ = e;
        let off = 0;
        let _ = arg;
        call_err(format!("failed to decode base64 data {}", go_quote(text))).with_offset(off)
    })
}

trait WithOffset {
    fn with_offset(self, off: usize) -> Self;
}
impl WithOffset for FunctionError {
    fn with_offset(self, _off: usize) -> Self {
        self
    }
}

fn norm_encoding(name: &str) -> String {
    name.to_ascii_lowercase().replace(['-', '_'], "")
}

fn encode_text(text: &str, enc: &str) -> Result<Vec<u8>, FunctionError> {
    Ok(match norm_encoding(enc).as_str() {
        "utf8" => text.as_bytes().to_vec(),
        "utf16le" => text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect(),
        "utf16be" => text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect(),
        "iso88591" | "latin1" | "l1" | "isolatin1" => {
            let mut out = Vec::new();
            for (i, c) in text.chars().enumerate() {
                if (c as u32) > 0xff {
                    return Err(arg_err(0, format!("the given string contains characters that cannot be represented in {enc}")).idx(i));
                }
                out.push(c as u32 as u8);
            }
            out
        }
        "usascii" | "ascii" => {
            let mut out = Vec::new();
            for c in text.chars() {
                if !c.is_ascii() {
                    return Err(arg_err(0, format!("the given string contains characters that cannot be represented in {enc}")));
                }
                out.push(c as u8);
            }
            out
        }
        _ => {
            return Err(arg_err(1, format!("{} is not a supported IANA encoding name or alias in this Terraform version", go_quote(enc))))
        }
    })
}

trait Idx {
    fn idx(self, i: usize) -> Self;
}
impl Idx for FunctionError {
    fn idx(self, _i: usize) -> Self {
        self
    }
}

fn decode_text(bytes: &[u8], enc: &str) -> Result<String, FunctionError> {
    let bad = || arg_err(0, format!("the given value is has an invalid base64 symbol for {enc}"));
    Ok(match norm_encoding(enc).as_str() {
        "utf8" => String::from_utf8_lossy(bytes).into_owned(),
        "utf16le" | "utf16be" => {
            if bytes.len() % 2 != 0 {
                return Err(bad());
            }
            let units: Vec<u16> = bytes
                .chunks(2)
                .map(|c| if norm_encoding(enc) == "utf16le" { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) })
                .collect();
            String::from_utf16_lossy(&units)
        }
        "iso88591" | "latin1" | "l1" | "isolatin1" => bytes.iter().map(|b| *b as char).collect(),
        "usascii" | "ascii" => bytes.iter().map(|b| if b.is_ascii() { *b as char } else { '\u{fffd}' }).collect(),
        _ => {
            return Err(arg_err(1, format!("{} is not a supported IANA encoding name or alias in this Terraform version", go_quote(enc))))
        }
    })
}

/// Go `encoding/json` wording for the common syntax errors.
fn json_error(src: &str, e: &serde_json::Error) -> String {
    if src.trim().is_empty() {
        return "EOF".into();
    }
    if e.is_eof() {
        let t = src.trim_end();
        let in_literal = t.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '.')
            || t.matches('"').count() % 2 == 1;
        return if in_literal { "unexpected EOF".into() } else { "EOF".into() };
    }
    if e.is_syntax() {
        if let Some(line) = src.lines().nth(e.line().saturating_sub(1)) {
            if let Some(c) = line.chars().nth(e.column().saturating_sub(1)) {
                return format!("invalid character '{c}' looking for beginning of value");
            }
        }
    }
    let msg = e.to_string();
    let msg = msg.split(" at line").next().unwrap_or(&msg).to_string();
    msg
}

/// Go `encoding/json` string escaping (HTML-safe, as cty's JSON encoder does).
pub(crate) fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// cty's JSON encoding of a known value (object keys sorted, numbers with every digit).
pub(crate) fn json_encode(v: &Value) -> Result<String, FunctionError> {
    let mut out = String::new();
    json_into(v, &mut out)?;
    Ok(out)
}

fn json_into(v: &Value, out: &mut String) -> Result<(), FunctionError> {
    match v.unmarked() {
        Value::Null(_) => out.push_str("null"),
        Value::Unknown(_) => return Err(call_err("value is not known")),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match n {
            Number::Finite(_) => out.push_str(&n.to_string()),
            _ => return Err(call_err(format!("failed to serialize number: {n} is not a valid JSON number"))),
        },
        Value::String(s) => json_string(s, out),
        Value::List(_, vs) | Value::Set(_, vs) | Value::Tuple(vs) => {
            out.push('[');
            for (i, x) in vs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_into(x, out)?;
            }
            out.push(']');
        }
        Value::Map(_, m) | Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                json_into(x, out)?;
            }
            out.push('}');
        }
        Value::Sensitive(x) => json_into(x, out)?,
    }
    Ok(())
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes())
}

fn csv_ret(a: &[Value]) -> Result<Type, FunctionError> {
    let Some(text) = a[0].as_str() else { return Ok(Type::Dynamic) };
    if !a[0].is_known() {
        return Ok(Type::Dynamic);
    }
    let mut r = csv_reader(text);
    let header = match r.records().next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(call_err(csv_err(&e))),
        None => return Err(call_err("missing header line")),
    };
    let mut attrs = BTreeMap::new();
    for (i, h) in header.iter().enumerate() {
        if attrs.insert(h.to_string(), Type::String).is_some() {
            let _ = i;
            return Err(call_err(format!("duplicate column name {}", go_quote(h))));
        }
    }
    Ok(Type::list(Type::Object(attrs)))
}

fn csv_err(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { pos, .. } => {
            let line = pos.as_ref().map(|p| p.line()).unwrap_or(0);
            format!("CSV parse error on line {line}: wrong number of fields")
        }
        _ => e.to_string(),
    }
}

fn csvdecode(text: &str) -> Result<Value, FunctionError> {
    let t = csv_ret(&[vstr(text)])?;
    let mut r = csv_reader(text);
    let mut rows = r.records();
    let header: Vec<String> = match rows.next() {
        Some(Ok(h)) => h.iter().map(String::from).collect(),
        _ => return Err(call_err("missing header line")),
    };
    let mut out = Vec::new();
    for rec in rows {
        let rec = rec.map_err(|e| call_err(csv_err(&e)))?;
        if rec.len() != header.len() {
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            return Err(call_err(format!("CSV parse error on line {line}: wrong number of fields")));
        }
        let m: BTreeMap<String, Value> =
            header.iter().zip(rec.iter()).map(|(k, v)| (k.clone(), vstr(v))).collect();
        out.push(Value::Object(m));
    }
    let et = t.element_type().cloned().unwrap_or(Type::Dynamic);
    Ok(Value::List(et, out))
}

// ---------------------------------------------------------------------------------------
// YAML

fn yaml_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            '\x0c' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\x1b' => out.push_str("\\e"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02X}", c as u32)),
            '\u{feff}' => out.push_str("\\uFEFF"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn yaml_scalar(v: &Value) -> Option<String> {
    match v.unmarked() {
        Value::Null(_) | Value::Unknown(_) => Some("null".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match n {
            Number::PosInf => ".inf".into(),
            Number::NegInf => "-.inf".into(),
            n => n.to_string(),
        }),
        Value::String(s) if !s.contains('\n') => Some(yaml_quote(s)),
        Value::List(_, v) | Value::Set(_, v) | Value::Tuple(v) if v.is_empty() => Some("[]".into()),
        Value::Map(_, m) | Value::Object(m) if m.is_empty() => Some("{}".into()),
        _ => None,
    }
}

fn yaml_literal(s: &str, ind: usize) -> String {
    let chomp = if !s.ends_with('\n') {
        "-"
    } else if s.ends_with("\n\n") || s == "\n" {
        "+"
    } else {
        ""
    };
    let indicator = if s.starts_with(' ') || s.starts_with('\n') { "2" } else { "" };
    let body = s.strip_suffix('\n').unwrap_or(s);
    let body = if chomp == "+" { s.strip_suffix('\n').unwrap_or(s) } else { body };
    let mut out = format!("|{indicator}{chomp}");
    for l in body.split('\n') {
        out.push('\n');
        if !l.is_empty() {
            out.push_str(&" ".repeat(ind));
            out.push_str(l);
        }
    }
    out
}

fn yaml_node(v: &Value, ind: usize, out: &mut String, in_seq: bool) {
    let v = v.unmarked();
    match v {
        Value::Map(_, m) | Value::Object(m) => {
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 || !in_seq {
                    out.push_str(&" ".repeat(ind));
                }
                out.push_str(&yaml_quote(k));
                out.push(':');
                yaml_child(x, ind, out, false);
            }
        }
        Value::List(_, vs) | Value::Set(_, vs) | Value::Tuple(vs) => {
            for (i, x) in vs.iter().enumerate() {
                if i > 0 || !in_seq {
                    out.push_str(&" ".repeat(ind));
                }
                out.push('-');
                yaml_child(x, ind, out, true);
            }
        }
        _ => {}
    }
}

fn yaml_child(x: &Value, ind: usize, out: &mut String, parent_is_seq: bool) {
    if let Some(s) = yaml_scalar(x) {
        out.push(' ');
        out.push_str(&s);
        out.push('\n');
        return;
    }
    match x.unmarked() {
        Value::String(s) => {
            out.push(' ');
            out.push_str(&yaml_literal(s, ind + 2));
            out.push('\n');
        }
        Value::Map(..) | Value::Object(..) => {
            if parent_is_seq {
                out.push(' ');
                yaml_node(x, ind + 2, out, true);
            } else {
                out.push('\n');
                yaml_node(x, ind + 2, out, false);
            }
        }
        _ => {
            if parent_is_seq {
                out.push(' ');
                yaml_node(x, ind + 2, out, true);
            } else {
                out.push('\n');
                yaml_node(x, ind, out, false);
            }
        }
    }
}

pub(crate) fn yaml_encode(v: &Value) -> String {
    if let Some(s) = yaml_scalar(v) {
        // libyaml ends a document whose root is a plain scalar with `...`.
        let plain = matches!(v.unmarked(), Value::Null(_) | Value::Unknown(_) | Value::Bool(_) | Value::Number(_));
        return if plain { format!("{s}\n...\n") } else { format!("{s}\n") };
    }
    if let Value::String(s) = v.unmarked() {
        return format!("{}\n", yaml_literal(s, 2));
    }
    let mut out = String::new();
    yaml_node(v, 0, &mut out, false);
    out
}

#[derive(Debug)]
enum YNode {
    Scalar(String, bool, Option<String>),
    Seq(Vec<YNode>),
    Map(Vec<(YNode, YNode)>),
}

struct YBuilder {
    stack: Vec<YNode>,
    keys: Vec<Option<YNode>>,
    anchors: BTreeMap<usize, usize>,
    docs: Vec<YNode>,
    nodes_by_anchor: BTreeMap<usize, YNodeClone>,
    err: Option<String>,
}

#[derive(Clone, Debug)]
enum YNodeClone {
    Scalar(String, bool, Option<String>),
    Seq(Vec<YNodeClone>),
    Map(Vec<(YNodeClone, YNodeClone)>),
}

fn to_clone(n: &YNode) -> YNodeClone {
    match n {
        YNode::Scalar(a, b, c) => YNodeClone::Scalar(a.clone(), *b, c.clone()),
        YNode::Seq(v) => YNodeClone::Seq(v.iter().map(to_clone).collect()),
        YNode::Map(v) => YNodeClone::Map(v.iter().map(|(k, x)| (to_clone(k), to_clone(x))).collect()),
    }
}

fn from_clone(n: &YNodeClone) -> YNode {
    match n {
        YNodeClone::Scalar(a, b, c) => YNode::Scalar(a.clone(), *b, c.clone()),
        YNodeClone::Seq(v) => YNode::Seq(v.iter().map(from_clone).collect()),
        YNodeClone::Map(v) => YNode::Map(v.iter().map(|(k, x)| (from_clone(k), from_clone(x))).collect()),
    }
}

impl YBuilder {
    fn push_value(&mut self, n: YNode, anchor: usize) {
        if anchor > 0 {
            self.nodes_by_anchor.insert(anchor, to_clone(&n));
        }
        match self.stack.last_mut() {
            None => self.docs.push(n),
            Some(YNode::Seq(v)) => v.push(n),
            Some(YNode::Map(v)) => {
                let slot = self.keys.last_mut().expect("a key slot per open mapping");
                match slot.take() {
                    None => *slot = Some(n),
                    Some(k) => v.push((k, n)),
                }
            }
            Some(YNode::Scalar(..)) => {}
        }
    }
}

impl yaml_rust2::parser::MarkedEventReceiver for YBuilder {
    fn on_event(&mut self, ev: yaml_rust2::Event, _mark: yaml_rust2::scanner::Marker) {
        use yaml_rust2::Event;
        match ev {
            Event::Scalar(v, style, anchor, tag) => {
                let plain = matches!(style, yaml_rust2::scanner::TScalarStyle::Plain);
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                self.push_value(YNode::Scalar(v, plain, tag), anchor);
            }
            Event::SequenceStart(anchor, _) => {
                self.anchors.insert(self.stack.len(), anchor);
                self.stack.push(YNode::Seq(vec![]));
            }
            Event::MappingStart(anchor, _) => {
                self.anchors.insert(self.stack.len(), anchor);
                self.stack.push(YNode::Map(vec![]));
                self.keys.push(None);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(n) = self.stack.pop() {
                    if matches!(n, YNode::Map(_)) {
                        self.keys.pop();
                    }
                    let anchor = self.anchors.remove(&self.stack.len()).unwrap_or(0);
                    self.push_value(n, anchor);
                }
            }
            Event::Alias(id) => match self.nodes_by_anchor.get(&id) {
                Some(n) => {
                    let n = from_clone(n);
                    self.push_value(n, 0);
                }
                None => self.err = Some("unknown anchor".into()),
            },
            _ => {}
        }
    }
}

fn yaml_decode(src: &str) -> Result<Value, FunctionError> {
    let mut b = YBuilder {
        stack: vec![],
        keys: vec![],
        anchors: BTreeMap::new(),
        docs: vec![],
        nodes_by_anchor: BTreeMap::new(),
        err: None,
    };
    let mut parser = yaml_rust2::parser::Parser::new_from_str(src);
    parser
        .load(&mut b, true)
        .map_err(|e| call_err(format!("on line {}, column {}: {}", e.marker().line(), e.marker().col() + 1, e.info())))?;
    if let Some(e) = b.err {
        return Err(call_err(e));
    }
    match b.docs.len() {
        0 => Err(call_err("on line 1, column 1: missing start of document")),
        1 => yaml_value(&b.docs[0]),
        _ => Err(call_err("on line 1, column 1: unexpected extra content after value")),
    }
}

fn yaml_value(n: &YNode) -> Result<Value, FunctionError> {
    Ok(match n {
        YNode::Scalar(s, plain, tag) => resolve_scalar(s, *plain, tag.as_deref())?,
        YNode::Seq(v) => Value::Tuple(v.iter().map(yaml_value).collect::<Result<_, _>>()?),
        YNode::Map(v) => {
            let mut m = BTreeMap::new();
            for (k, x) in v {
                let key = match yaml_value(k)? {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    Value::Null(_) => "null".into(),
                    _ => return Err(call_err("only string keys are supported")),
                };
                m.insert(key, yaml_value(x)?);
            }
            Value::Object(m)
        }
    })
}

/// YAML 1.1 resolution of a scalar, as cty's YAML decoder does (`y`, `yes`, `on` are true).
fn resolve_scalar(s: &str, plain: bool, tag: Option<&str>) -> Result<Value, FunctionError> {
    if let Some(t) = tag {
        let t = t.trim_start_matches("tag:yaml.org,2002:").trim_start_matches("!!");
        return Ok(match t {
            "str" => vstr(s),
            "int" | "float" => Value::Number(Number::parse(s).ok_or_else(|| call_err(format!("cannot parse {s:?} as {t}")))?),
            "bool" => Value::Bool(matches!(s, "true" | "True" | "TRUE" | "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON")),
            "null" => Value::null(),
            _ => vstr(s),
        });
    }
    if !plain {
        return Ok(vstr(s));
    }
    Ok(match s {
        "" | "~" | "null" | "Null" | "NULL" => Value::null(),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Number(Number::PosInf),
        "-.inf" | "-.Inf" | "-.INF" => Value::Number(Number::NegInf),
        _ => {
            let t = s.replace('_', "");
            if let Some(h) = t.strip_prefix("0x") {
                if let Ok(v) = i128::from_str_radix(h, 16) {
                    return Ok(Value::Number(Number::parse(&v.to_string()).unwrap_or_else(Number::zero)));
                }
            }
            if let Some(o) = t.strip_prefix("0o") {
                if let Ok(v) = i128::from_str_radix(o, 8) {
                    return Ok(Value::Number(Number::parse(&v.to_string()).unwrap_or_else(Number::zero)));
                }
            }
            if let Some(ts) = yaml_timestamp(s) {
                return Ok(vstr(ts));
            }
            if let Some(b) = t.strip_prefix("0b") {
                if let Ok(v) = i128::from_str_radix(b, 2) {
                    return Ok(Value::Number(Number::parse(&v.to_string()).unwrap_or_else(Number::zero)));
                }
            }
            let numeric = !t.is_empty()
                && t.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
                && t.bytes().any(|c| c.is_ascii_digit());
            match (numeric, Number::parse(&t)) {
                (true, Some(n)) => Value::Number(n),
                _ => vstr(s),
            }
        }
    })
}

/// YAML timestamps (`2024-01-01`, `2024-01-01T10:00:00Z`) decode as RFC 3339 strings.
fn yaml_timestamp(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let date = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    if !date {
        return None;
    }
    if b.len() == 10 {
        return Some(format!("{s}T00:00:00Z"));
    }
    let t = chrono::DateTime::parse_from_rfc3339(s).ok()?;
    let utc = t.with_timezone(&chrono::Utc);
    Some(utc.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_encoding_matches_terraform() {
        let v = Value::object([
            ("a", vstr("b")),
            ("c", Value::Tuple(vec![Value::number(1), Value::Bool(true), Value::null(), vstr("x\ny")])),
            ("d e", Value::object(Vec::<(String, Value)>::new())),
            ("f", Value::Tuple(vec![])),
            ("i", Value::Number(Number::parse("1.5").unwrap())),
        ]);
        assert_eq!(
            yaml_encode(&v),
            "\"a\": \"b\"\n\"c\":\n- 1\n- true\n- null\n- |-\n  x\n  y\n\"d e\": {}\n\"f\": []\n\"i\": 1.5\n"
        );
    }

    #[test]
    fn json_is_html_safe_and_sorted() {
        let v = Value::object([("b", vstr("<&>")), ("a", Value::Tuple(vec![Value::number(1), Value::null()]))]);
        assert_eq!(json_encode(&v).unwrap(), "{\"a\":[1,null],\"b\":\"\\u003c\\u0026\\u003e\"}");
    }
}
