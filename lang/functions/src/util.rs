//! Small helpers shared by the function families.

use crate::registry::arg_err;
use crate::FunctionError;
use plinth_sdk::{Number, Type, Value};

/// The string in argument `i` (already converted to `string`).
pub(crate) fn s(args: &[Value], i: usize) -> &str {
    args[i].as_str().unwrap_or("")
}

pub(crate) fn num(args: &[Value], i: usize) -> Number {
    args[i].as_number().cloned().unwrap_or_else(Number::zero)
}


pub(crate) fn seq(args: &[Value], i: usize) -> &[Value] {
    args[i].as_seq().unwrap_or(&[])
}

pub(crate) fn string_list(items: Vec<String>) -> Value {
    Value::List(Type::String, items.into_iter().map(Value::String).collect())
}

pub(crate) fn vstr(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

pub(crate) fn vnum(n: impl Into<Number>) -> Value {
    Value::Number(n.into())
}

/// A whole number that fits an i64, or the given error message about argument `i`.
pub(crate) fn whole(args: &[Value], i: usize, msg: &str) -> Result<i64, FunctionError> {
    let n = num(args, i);
    if !n.is_integer() {
        return Err(arg_err(i, msg));
    }
    n.to_i64().ok_or_else(|| arg_err(i, msg))
}

/// A value's element type as cty sees it for a list/set/map; tuples and objects have none.
pub(crate) fn elem_type(t: &Type) -> Type {
    t.element_type().cloned().unwrap_or(Type::Dynamic)
}

/// Go's `unicode.IsSpace`.
pub(crate) fn is_go_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ' | '\u{85}' | '\u{a0}')
        || (c as u32 > 0xff && c.is_whitespace())
}

/// Splits a string into grapheme-like clusters: a base character followed by combining marks
/// and joiners (close to what cty's `textseg` does for text people write).
pub(crate) fn graphemes(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev_zwj = false;
    for (i, c) in s.char_indices() {
        if i == 0 {
            continue;
        }
        let u = c as u32;
        let extend = matches!(u, 0x300..=0x36f | 0x1ab0..=0x1aff | 0x1dc0..=0x1dff | 0x20d0..=0x20ff
            | 0xfe00..=0xfe0f | 0xfe20..=0xfe2f | 0x200d | 0x1f3fb..=0x1f3ff | 0xe0020..=0xe007f)
            || prev_zwj
            || (c == '\n' && s[..i].ends_with('\r'));
        prev_zwj = u == 0x200d;
        if !extend {
            out.push(&s[start..i]);
            start = i;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}
