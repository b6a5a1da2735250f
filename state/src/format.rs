//! Writes JSON exactly as Go's `encoding/json` `MarshalIndent(v, "", "  ")` does, which is
//! how Terraform writes state: 2-space indentation, `<`, `>`, `&`, U+2028 and U+2029 escaped
//! as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`, and a trailing newline.

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};
use std::io::{self, Write};

/// A serde_json formatter producing Go-compatible output.
pub struct GoFormatter {
    inner: PrettyFormatter<'static>,
}

impl GoFormatter {
    pub fn new() -> Self {
        GoFormatter { inner: PrettyFormatter::with_indent(b"  ") }
    }
}

impl Default for GoFormatter {
    fn default() -> Self {
        GoFormatter::new()
    }
}

impl Formatter for GoFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.inner.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.inner.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.inner.end_object_value(w)
    }
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        write_go_fragment(w, fragment)
    }
    fn write_char_escape<W: ?Sized + Write>(&mut self, w: &mut W, esc: CharEscape) -> io::Result<()> {
        // serde_json's escapes (\" \\ \b \f \n \r \t, \u00XX lower-case hex) match Go ≥ 1.22.
        serde_json::ser::CompactFormatter.write_char_escape(w, esc)
    }
}

fn write_go_fragment<W: ?Sized + Write>(w: &mut W, s: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&[u8]> = match c {
            '<' => Some(b"\\u003c"),
            '>' => Some(b"\\u003e"),
            '&' => Some(b"\\u0026"),
            '\u{2028}' => Some(b"\\u2028"),
            '\u{2029}' => Some(b"\\u2029"),
            _ => None,
        };
        if let Some(e) = esc {
            w.write_all(&s.as_bytes()[start..i])?;
            w.write_all(e)?;
            start = i + c.len_utf8();
        }
    }
    w.write_all(&s.as_bytes()[start..])
}

/// Serialises `v` the way Terraform writes its JSON files (with a trailing newline).
pub fn to_terraform_json<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter::new());
    // Serialising our own types into a Vec cannot fail: every map key is a string.
    if v.serialize(&mut ser).is_err() {
        out.clear();
        out.extend_from_slice(b"null");
    }
    out.push(b'\n');
    out
}

/// Go's compact `json.Marshal` form (no indentation, same escaping): lock info files.
pub fn to_go_compact_json<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    struct Compact;
    impl Formatter for Compact {
        fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, f: &str) -> io::Result<()> {
            write_go_fragment(w, f)
        }
    }
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Compact);
    if v.serialize(&mut ser).is_err() {
        out.clear();
        out.extend_from_slice(b"null");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn escapes_like_go() {
        let v = serde_json::json!({"a": "<b> & \u{2028}\u{7}\n\u{8}", "e": [], "o": {}});
        let s = String::from_utf8(to_terraform_json(&v)).unwrap();
        assert_eq!(
            s,
            "{\n  \"a\": \"\\u003cb\\u003e \\u0026 \\u2028\\u0007\\n\\b\",\n  \"e\": [],\n  \"o\": {}\n}\n"
        );
    }
}
