//! Terraform's own token rewrites, applied before the layout pass (what `terraform fmt`
//! adds on top of HCL's formatter):
//! - block labels are always quoted (`resource aws_vpc main` → `resource "aws_vpc" "main"`),
//!   and comments before a label are dropped;
//! - an attribute whose whole value is one interpolation, `"${x}"`, becomes `x`
//!   (parenthesised when it spans lines);
//! - in top-level `variable` blocks, legacy type strings become type expressions
//!   (`"string"` → `string`, `"list"` → `list(string)`, `"map"` → `map(string)`) and bare
//!   `list`/`map`/`set` gain `(any)`.
//!
//! It walks the token stream with a small structural parser (bodies, attributes, blocks);
//! expressions are only delimited, never interpreted.

use crate::lexer::{Token, Tt};

/// Applies the rewrites; tokens it does not understand are copied unchanged.
pub fn rewrite(toks: &[Token]) -> Vec<Token> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    let mut path = Vec::new();
    body(toks, &mut i, &mut out, &mut path);
    // Anything left (e.g. an unmatched `}`) is copied verbatim.
    while i < toks.len() {
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

fn opens(t: Tt) -> bool {
    matches!(t, Tt::OBrace | Tt::OBrack | Tt::OParen | Tt::TemplateInterp | Tt::TemplateControl | Tt::OQuote | Tt::OHeredoc)
}

fn closes(t: Tt) -> bool {
    matches!(t, Tt::CBrace | Tt::CBrack | Tt::CParen | Tt::TemplateSeqEnd | Tt::CQuote | Tt::CHeredoc)
}

fn body(toks: &[Token], i: &mut usize, out: &mut Vec<Token>, path: &mut Vec<String>) {
    while *i < toks.len() {
        let t = &toks[*i];
        match t.ty {
            Tt::Newline | Tt::Comment => {
                out.push(t.clone());
                *i += 1;
            }
            Tt::Eof | Tt::CBrace => return,
            Tt::Ident => {
                let name = t.text.clone();
                out.push(t.clone());
                *i += 1;
                // inline comments after the name: kept before `=` or `{`, dropped before a label
                let mut comments = Vec::new();
                while *i < toks.len() && toks[*i].ty == Tt::Comment && !toks[*i].text.ends_with('\n') {
                    comments.push(toks[*i].clone());
                    *i += 1;
                }
                if *i < toks.len() && toks[*i].ty == Tt::Equal {
                    out.append(&mut comments);
                    out.push(toks[*i].clone());
                    *i += 1;
                    attribute_value(toks, i, out, path, &name);
                } else {
                    block(toks, i, out, path, name, comments);
                }
            }
            _ => {
                out.push(t.clone());
                *i += 1;
            }
        }
    }
}

fn attribute_value(toks: &[Token], i: &mut usize, out: &mut Vec<Token>, path: &[String], name: &str) {
    // find the end of the expression: a line end or a body-closing `}` at depth 0
    let start = *i;
    let mut depth = 0i64;
    let mut j = start;
    while j < toks.len() {
        let t = &toks[j];
        if depth == 0 && (t.ty == Tt::Newline || t.ty == Tt::Eof || (t.ty == Tt::Comment && t.text.ends_with('\n'))) {
            break;
        }
        if opens(t.ty) {
            depth += 1;
        } else if closes(t.ty) {
            if depth == 0 {
                break;
            }
            depth -= 1;
        }
        j += 1;
    }
    // the expression proper excludes leading and trailing comments
    let mut s = start;
    while s < j && toks[s].ty == Tt::Comment {
        s += 1;
    }
    let mut e = j;
    while e > s && toks[e - 1].ty == Tt::Comment {
        e -= 1;
    }
    out.extend_from_slice(&toks[start..s]);
    let expr = &toks[s..e];
    let replaced = if path.len() == 1 && path[0] == "variable" && name == "type" {
        format_type_expr(expr)
    } else {
        format_value_expr(expr)
    };
    match replaced {
        Some(new) => out.extend(new),
        None => out.extend_from_slice(expr),
    }
    out.extend_from_slice(&toks[e..j]);
    *i = j;
}

fn block(toks: &[Token], i: &mut usize, out: &mut Vec<Token>, path: &mut Vec<String>, name: String, comments: Vec<Token>) {
    // labels, then `{`; comments before a label are dropped (as Terraform's label rewrite
    // does), comments after the last label are kept
    let mut pending_comments: Vec<Token> = comments;
    loop {
        let Some(t) = toks.get(*i) else { return };
        match t.ty {
            Tt::Comment if !t.text.ends_with('\n') => {
                pending_comments.push(t.clone());
                *i += 1;
            }
            Tt::Ident => {
                pending_comments.clear();
                push_label(out, &t.text);
                *i += 1;
            }
            Tt::OQuote => {
                pending_comments.clear();
                let mut j = *i + 1;
                while j < toks.len() && !matches!(toks[j].ty, Tt::CQuote | Tt::Newline | Tt::Eof) {
                    j += 1;
                }
                if j >= toks.len() || toks[j].ty != Tt::CQuote {
                    // not a well-formed label: copy as is
                    out.extend_from_slice(&toks[*i..j]);
                    *i = j;
                    return;
                }
                let inner = &toks[*i + 1..j];
                let decoded = match inner {
                    [] => Some(String::new()),
                    [lit] if lit.ty == Tt::QuotedLit => decode_string_literal(&lit.text),
                    _ => None,
                };
                match decoded {
                    Some(label) => push_label(out, &label),
                    None => out.extend_from_slice(&toks[*i..=j]),
                }
                *i = j + 1;
            }
            Tt::OBrace => {
                out.append(&mut pending_comments);
                out.push(t.clone());
                *i += 1;
                path.push(name);
                body(toks, i, out, path);
                path.pop();
                if let Some(t) = toks.get(*i) {
                    if t.ty == Tt::CBrace {
                        out.push(t.clone());
                        *i += 1;
                    }
                }
                return;
            }
            _ => {
                // malformed: give back what we held and let the body loop continue
                out.append(&mut pending_comments);
                return;
            }
        }
    }
}

fn push_label(out: &mut Vec<Token>, label: &str) {
    out.push(Token::new(Tt::OQuote, "\""));
    let esc = escape_quoted(label);
    if !esc.is_empty() {
        out.push(Token::new(Tt::QuotedLit, &esc));
    }
    out.push(Token::new(Tt::CQuote, "\""));
}

/// Escapes a string for a quoted literal the way HCL writes string values.
fn escape_quoted(s: &str) -> String {
    let mut buf = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    for (k, &c) in chars.iter().enumerate() {
        match c {
            '\n' => buf.push_str("\\n"),
            '\r' => buf.push_str("\\r"),
            '\t' => buf.push_str("\\t"),
            '"' => buf.push_str("\\\""),
            '\\' => buf.push_str("\\\\"),
            '$' | '%' => {
                buf.push(c);
                if chars.get(k + 1) == Some(&'{') {
                    buf.push(c);
                }
            }
            c if c.is_control() || matches!(c as u32, 0x200B..=0x200F | 0x2028..=0x202E | 0xFEFF) => {
                let u = c as u32;
                if u < 0x10000 {
                    buf.push_str(&format!("\\u{u:04x}"));
                } else {
                    buf.push_str(&format!("\\U{u:08x}"));
                }
            }
            c => buf.push(c),
        }
    }
    buf
}

/// Decodes the escapes of a quoted string literal; None if it has an invalid escape.
fn decode_string_literal(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if c == '\\' {
            let n = *chars.get(k + 1)?;
            k += 2;
            match n {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                'u' | 'U' => {
                    let len = if n == 'u' { 4 } else { 8 };
                    let hex: String = chars.get(k..k + len)?.iter().collect();
                    let v = u32::from_str_radix(&hex, 16).ok()?;
                    out.push(char::from_u32(v)?);
                    k += len;
                }
                _ => return None,
            }
            continue;
        }
        if (c == '$' || c == '%') && chars.get(k + 1) == Some(&c) && chars.get(k + 2) == Some(&'{') {
            out.push(c);
            k += 2;
            continue;
        }
        out.push(c);
        k += 1;
    }
    Some(out)
}

fn tok(ty: Tt, text: &str) -> Token {
    Token::new(ty, text)
}

fn format_type_expr(expr: &[Token]) -> Option<Vec<Token>> {
    match expr {
        [kw] if kw.ty == Tt::Ident && matches!(kw.text.as_str(), "list" | "map" | "set") => {
            Some(vec![kw.clone(), tok(Tt::OParen, "("), tok(Tt::Ident, "any"), tok(Tt::CParen, ")")])
        }
        [o, lit, c] if o.ty == Tt::OQuote && lit.ty == Tt::QuotedLit && c.ty == Tt::CQuote => match lit.text.as_str() {
            "string" => Some(vec![tok(Tt::Ident, "string")]),
            "list" | "map" => Some(vec![
                tok(Tt::Ident, &lit.text),
                tok(Tt::OParen, "("),
                tok(Tt::Ident, "string"),
                tok(Tt::CParen, ")"),
            ]),
            _ => None,
        },
        _ => None,
    }
}

fn format_value_expr(expr: &[Token]) -> Option<Vec<Token>> {
    let n = expr.len();
    if n < 5 {
        return None;
    }
    if expr[0].ty != Tt::OQuote || expr[1].ty != Tt::TemplateInterp || expr[n - 2].ty != Tt::TemplateSeqEnd || expr[n - 1].ty != Tt::CQuote {
        return None;
    }
    let inside = &expr[2..n - 2];
    let mut quotes = 0i64;
    for t in inside {
        match t.ty {
            Tt::OQuote => {
                quotes += 1;
                continue;
            }
            Tt::CQuote => {
                quotes -= 1;
                continue;
            }
            _ => {}
        }
        if quotes > 0 {
            continue;
        }
        if matches!(t.ty, Tt::TemplateInterp | Tt::TemplateSeqEnd | Tt::QuotedLit) {
            return None;
        }
    }
    let mut s = 0;
    while s < inside.len() && inside[s].ty == Tt::Newline {
        s += 1;
    }
    let mut e = inside.len();
    while e > s && inside[e - 1].ty == Tt::Newline {
        e -= 1;
    }
    let trimmed = &inside[s..e];
    let mut multi = false;
    let mut lead_paren = false;
    let mut trail_paren = false;
    for (k, t) in trimmed.iter().enumerate() {
        if k == 0 && t.ty == Tt::OParen {
            lead_paren = true;
        } else if t.ty == Tt::Newline {
            multi = true;
        } else if k + 1 == trimmed.len() && t.ty == Tt::CParen {
            trail_paren = true;
        }
    }
    if multi && !(lead_paren && trail_paren) {
        let mut v = Vec::with_capacity(trimmed.len() + 2);
        v.push(tok(Tt::OParen, "("));
        v.extend_from_slice(trimmed);
        v.push(tok(Tt::CParen, ")"));
        return Some(v);
    }
    Some(trimmed.to_vec())
}
