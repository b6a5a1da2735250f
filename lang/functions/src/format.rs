//! How `terraform console` prints values (`internal/repl/format.go`) and types (`type(x)`).

use plinth_sdk::{Type, Value};

/// Exactly what `terraform console` prints for `v` (without the final newline).
pub fn console_format(v: &Value) -> String {
    format_value(v, 0)
}

fn format_value(v: &Value, indent: usize) -> String {
    if !v.is_known() {
        return "(known after apply)".into();
    }
    if v.is_sensitive() {
        return "(sensitive value)".into();
    }
    match v {
        Value::Null(t) => match t {
            Type::Dynamic => "null".into(),
            Type::String => "tostring(null)".into(),
            Type::Number => "tonumber(null)".into(),
            Type::Bool => "tobool(null)".into(),
            Type::List(e) => format!("tolist(null) /* of {} */", e.friendly_name()),
            Type::Set(e) => format!("toset(null) /* of {} */", e.friendly_name()),
            Type::Map(e) => format!("tomap(null) /* of {} */", e.friendly_name()),
            t => format!("null /* {} */", t.friendly_name()),
        },
        Value::Unknown(_) => "(known after apply)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => match multiline(s, indent) {
            Some(h) => h,
            None => go_quote(s),
        },
        Value::Tuple(vs) => format_seq(vs, indent),
        Value::List(_, vs) => format!("tolist({})", format_seq(vs, indent)),
        Value::Set(_, vs) => {
            let mut sorted: Vec<&Value> = vs.iter().collect();
            sorted.sort_by(|a, b| Value::canonical_cmp(a, b));
            let owned: Vec<Value> = sorted.into_iter().cloned().collect();
            format!("toset({})", format_seq(&owned, indent))
        }
        Value::Object(m) => format_map(m, indent),
        Value::Map(_, m) => format!("tomap({})", format_map(m, indent)),
        Value::Sensitive(_) => "(sensitive value)".into(),
    }
}

fn multiline(s: &str, indent: usize) -> Option<String> {
    let lines: Vec<&str> = s.split('\n').collect();
    if lines.len() < 2 {
        return None;
    }
    let op = if indent > 0 { "<<-" } else { "<<" };
    let mut delim = String::from("EOT");
    while lines.iter().any(|l| l.trim() == delim) {
        delim.push('_');
    }
    let pad = " ".repeat(indent);
    let mut out = format!("{op}{delim}");
    for l in &lines {
        out.push('\n');
        out.push_str(&pad);
        out.push_str(l);
    }
    out.push('\n');
    out.push_str(&pad);
    out.push_str(&delim);
    Some(out)
}

fn format_seq(vs: &[Value], indent: usize) -> String {
    let mut out = String::from("[");
    let inner = indent + 2;
    for v in vs {
        out.push('\n');
        out.push_str(&" ".repeat(inner));
        out.push_str(&format_value(v, inner));
        out.push(',');
    }
    if !vs.is_empty() {
        out.push('\n');
        out.push_str(&" ".repeat(indent));
    }
    out.push(']');
    out
}

fn format_map(m: &std::collections::BTreeMap<String, Value>, indent: usize) -> String {
    let mut out = String::from("{");
    let inner = indent + 2;
    for (k, v) in m {
        out.push('\n');
        out.push_str(&" ".repeat(inner));
        out.push_str(&format_value(&Value::String(k.clone()), inner));
        out.push_str(" = ");
        out.push_str(&format_value(v, inner));
    }
    if !m.is_empty() {
        out.push('\n');
        out.push_str(&" ".repeat(indent));
    }
    out.push('}');
    out
}

/// Go's `strconv.Quote`.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if !is_go_printable(c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint`: letters, marks, numbers, punctuation,
/// symbols and the ASCII space; not controls, format characters, other spaces, line and
/// paragraph separators, private use or non-characters.
fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    if u < 0x20 || (0x7f..0xa0).contains(&u) {
        return false;
    }
    !matches!(u,
        0xa0 | 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890..=0x891 | 0x8e2 | 0x1680 | 0x180e
        | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064 | 0x2066..=0x206f
        | 0x3000 | 0xd800..=0xf8ff | 0xfeff | 0xfff9..=0xfffb | 0xfffe..=0xffff
        | 0x110bd | 0x110cd | 0x13430..=0x1343f | 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a
        | 0xe0001 | 0xe0020..=0xe007f | 0xf0000..=0x10ffff)
        && (u & 0xfffe != 0xfffe)
}

/// What `type(x)` prints in the console for a value of type `t`.
pub fn type_string(t: &Type) -> String {
    type_at(t, 0)
}

/// `list(number)` on one line; a structural element type goes on its own indented line:
/// `list(\n    object({...}),\n)`.
fn wrap_type(name: &str, e: &Type, indent: usize) -> String {
    match e {
        Type::Object(m) if !m.is_empty() => structural_in(name, e, indent),
        Type::Tuple(ts) if !ts.is_empty() => structural_in(name, e, indent),
        _ => format!("{name}({})", type_at(e, indent)),
    }
}

fn structural_in(name: &str, e: &Type, indent: usize) -> String {
    format!("{name}(\n{}{},\n{})", " ".repeat(indent + 4), type_at(e, indent + 4), " ".repeat(indent))
}

fn type_at(t: &Type, indent: usize) -> String {
    match t {
        Type::Dynamic => "dynamic".into(),
        Type::Bool => "bool".into(),
        Type::Number => "number".into(),
        Type::String => "string".into(),
        Type::List(e) => wrap_type("list", e, indent),
        Type::Set(e) => wrap_type("set", e, indent),
        Type::Map(e) => wrap_type("map", e, indent),
        Type::Tuple(ts) => {
            if ts.is_empty() {
                return "tuple([])".into();
            }
            let mut out = String::from("tuple([\n");
            for t in ts {
                out.push_str(&" ".repeat(indent + 4));
                out.push_str(&type_at(t, indent + 4));
                out.push_str(",\n");
            }
            out.push_str(&" ".repeat(indent));
            out.push_str("])");
            out
        }
        Type::Object(m) => {
            if m.is_empty() {
                return "object({})".into();
            }
            let mut out = String::from("object({\n");
            for (k, t) in m {
                out.push_str(&" ".repeat(indent + 4));
                out.push_str(k);
                out.push_str(": ");
                out.push_str(&type_at(t, indent + 4));
                out.push_str(",\n");
            }
            out.push_str(&" ".repeat(indent));
            out.push_str("})");
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_sdk::Number;

    #[test]
    fn heredocs_and_quotes() {
        assert_eq!(console_format(&Value::string("a\nb\n")), "<<EOT\na\nb\n\nEOT");
        let t = Value::Tuple(vec![Value::string("a\nb")]);
        assert_eq!(console_format(&t), "[\n  <<-EOT\n  a\n  b\n  EOT,\n]");
        assert_eq!(go_quote("\u{200b}\x01\t\"\\ é ${"), "\"\\u200b\\x01\\t\\\"\\\\ é ${\"");
        assert_eq!(console_format(&Value::string("EOT\nx")), "<<EOT_\nEOT\nx\nEOT_");
    }

    #[test]
    fn collections_and_nulls() {
        let v = Value::Tuple(vec![
            Value::Null(Type::list(Type::Dynamic)),
            Value::Null(Type::String),
            Value::object([("a", Value::null())]),
            Value::List(Type::Number, vec![Value::Number(Number::from(1))]),
            Value::Number(1.into()).mark_sensitive(),
        ]);
        assert_eq!(
            console_format(&v),
            "[\n  tolist(null) /* of dynamic */,\n  tostring(null),\n  {\n    \"a\" = null\n  },\n  tolist([\n    1,\n  ]),\n  (sensitive value),\n]"
        );
    }

    #[test]
    fn collection_of_structural_types() {
        let t = Type::list(Type::list(Type::object([("a", Type::Number)])));
        assert_eq!(type_string(&t), "list(list(\n    object({\n        a: number,\n    }),\n))");
        assert_eq!(type_string(&Type::list(Type::list(Type::Number))), "list(list(number))");
    }

    #[test]
    fn types() {
        let t = Type::object([
            ("a", Type::Tuple(vec![Type::Number, Type::String])),
            ("b", Type::object([("c", Type::list(Type::Number))])),
            ("d", Type::set(Type::String)),
        ]);
        assert_eq!(
            type_string(&t),
            "object({\n    a: tuple([\n        number,\n        string,\n    ]),\n    b: object({\n        c: list(number),\n    }),\n    d: set(string),\n})"
        );
    }
}
