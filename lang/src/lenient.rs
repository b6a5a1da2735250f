//! Parsing what Terraform accepts and `hcl-edit` rejects.
//!
//! Two constructs are valid HCL for Terraform but refused by `hcl-edit`'s parser:
//!
//! - a number literal beyond the `f64` range (`1e400`): HCL numbers are arbitrary precision;
//! - a key repeated in an object constructor (`{a = 1, a = 2}`): Terraform keeps the last
//!   value.
//!
//! When a parse fails on one of them, the offending token is replaced *in a copy given to the
//! parser only* by a same-length stand-in (`00000` for the number, an unused name for the
//! key) and the text is parsed again. Byte offsets do not move, and the evaluator reads
//! number literals and renamed keys from the original source text by their spans, so the
//! values are the ones written. If the text still does not parse, the remaining error is
//! returned (its position is a position in the original text).

use hcl_edit::parser::Error;
use std::ops::Range;

/// At most this many tokens are replaced in one text.
const MAX_FIXES: usize = 256;

/// Parses `text` with `parse`, working around the constructs above. Returns the result and
/// the byte ranges of renamed object keys (as written in `text`, quotes included).
pub(crate) fn parse_with<T>(text: &str, parse: impl Fn(&str) -> Result<T, Error>) -> Result<(T, Vec<Range<usize>>), Error> {
    let first = match parse(text) {
        Ok(v) => return Ok((v, Vec::new())),
        Err(e) => e,
    };
    let mut current = text.to_string();
    let mut renamed: Vec<Range<usize>> = Vec::new();
    let mut err_msg = first.message().to_string();
    let mut err_off = first.location().offset();
    let mut attempt = 0usize;
    let mut last: Option<Error> = None;
    for _ in 0..MAX_FIXES {
        let fixed = if err_msg.contains("redefined object key") {
            attempt += 1;
            rename_key(&mut current, err_off, attempt).inspect(|r| {
                if !renamed.contains(r) {
                    renamed.push(r.clone());
                }
            })
        } else {
            zero_big_number(&mut current, err_off)
        };
        if fixed.is_none() {
            // A real error: report it (offsets are unchanged by the replacements).
            return Err(last.unwrap_or(first));
        }
        match parse(&current) {
            Ok(v) => return Ok((v, renamed)),
            Err(e) => {
                err_msg = e.message().to_string();
                err_off = e.location().offset();
                last = Some(e);
            }
        }
    }
    Err(first)
}

fn is_number_byte(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')
}

/// Replaces the number literal at or just before `off` by zeros if it is beyond the `f64`
/// range. Returns its range.
fn zero_big_number(text: &mut String, off: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let off = off.min(bytes.len());
    // The parser stops inside the literal (after its integer part) or right after it.
    let mut start = off;
    while start > 0 && is_number_byte(bytes[start - 1]) {
        start -= 1;
    }
    // A sign is an operator, not part of the literal.
    while start < bytes.len() && matches!(bytes[start], b'+' | b'-' | b'.') {
        start += 1;
    }
    if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
        return None;
    }
    let mut end = start;
    let mut prev = 0u8;
    while end < bytes.len() {
        let b = bytes[end];
        let ok = b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || ((b == b'+' || b == b'-') && matches!(prev, b'e' | b'E'));
        if !ok {
            break;
        }
        prev = b;
        end += 1;
    }
    let token = text.get(start..end)?;
    if token.is_empty() || !token.as_bytes()[0].is_ascii_digit() || !token.contains(['e', 'E']) {
        return None;
    }
    let f: f64 = token.parse().ok()?;
    if f.is_finite() || plinth_sdk::Number::parse(token).is_none() {
        return None;
    }
    text.replace_range(start..end, &"0".repeat(end - start));
    Some(start..end)
}

/// Renames the object key starting at `off` (an identifier or a plain quoted string) to a
/// same-length name derived from `attempt`. Returns the key's range.
fn rename_key(text: &mut String, off: usize, attempt: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut start = off.min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b' ' | b'\t' | b'\r' | b'\n') {
        start += 1;
    }
    let (inner, range) = if bytes.get(start) == Some(&b'"') {
        let close = start + 1 + text.get(start + 1..)?.find('"')?;
        let inner = start + 1..close;
        let s = &text[inner.clone()];
        if s.is_empty() || s.contains('\\') || s.contains("${") || s.contains("%{") || !s.is_ascii() {
            return None;
        }
        (inner, start..close + 1)
    } else {
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || bytes[end] == b'-') {
            end += 1;
        }
        if end == start || !(bytes[start].is_ascii_alphabetic() || bytes[start] == b'_') {
            return None;
        }
        (start..end, start..end)
    };
    let name = stand_in(inner.len(), attempt);
    text.replace_range(inner, &name);
    Some(range)
}

/// A `len`-character identifier, different for each `attempt` (letters first, then digits).
fn stand_in(len: usize, attempt: usize) -> String {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";
    let mut n = attempt;
    let mut out = Vec::with_capacity(len);
    out.push(FIRST[n % FIRST.len()]);
    n /= FIRST.len();
    for _ in 1..len {
        out.push(REST[n % REST.len()]);
        n /= REST.len();
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_numbers_and_repeated_keys_parse() {
        let (e, renamed) = parse_with("ceil(1e400)", hcl_edit::parser::parse_expr).unwrap();
        assert!(renamed.is_empty());
        assert!(matches!(e, hcl_edit::expr::Expression::FuncCall(_)));
        let (_, renamed) = parse_with("{a = 1, a = 2, \"a\" = 3}", hcl_edit::parser::parse_expr).unwrap();
        assert_eq!(renamed, vec![8..9]);
        let (_, renamed) = parse_with("{\"a\" = 1, \"a\" = 2}", hcl_edit::parser::parse_expr).unwrap();
        assert_eq!(renamed, vec![10..13]);
        let text = "x = {\n  k = 1\n  k = 2\n  k = 3\n}\n";
        let (_, renamed) = parse_with(text, hcl_edit::parser::parse_body).unwrap();
        assert_eq!(renamed.len(), 2);
        // Other errors come back as they are.
        let e = parse_with("{a = 1, a = }", hcl_edit::parser::parse_expr).err().unwrap();
        assert!(!e.message().contains("redefined object key"), "{}", e.message());
        assert!(parse_with("\"1e400\" + ", hcl_edit::parser::parse_expr).is_err());
    }
}
