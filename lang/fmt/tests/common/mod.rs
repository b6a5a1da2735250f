//! Shared helpers for the fmt tests: loading the corpus and whitespace mutations that keep
//! a configuration's token sequence (so it stays valid) while scrambling its layout.

#![allow(dead_code)]

use plinth_fmt::lexer::{lex, Token, Tt};
use std::path::PathBuf;

pub fn corpus_inputs() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut v: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e != "golden"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect();
    v.sort();
    v
}

fn same_tokens(a: &[Token], b: &[Token]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.ty == y.ty && x.text == y.text)
}

fn render(toks: &[Token]) -> String {
    let mut s = String::new();
    for t in toks {
        s.extend(std::iter::repeat_n(' ', t.spaces_before));
        s.push_str(&t.text);
    }
    s
}

/// Re-spaces `src` using `choices` (cycled) as the number of spaces before each token
/// (tabs when the choice is 9), keeping only changes that leave the token sequence
/// intact. With `crlf`, line feeds become CRLF.
pub fn mutate(src: &str, choices: &[u8], crlf: bool) -> String {
    let orig = lex(src);
    let mut toks = orig.clone();
    if choices.is_empty() {
        return src.to_string();
    }
    let mut k = 0;
    for i in 0..toks.len() {
        // keep the spaces of the very last (EOF) token, and never touch heredoc bodies
        if toks[i].ty == Tt::Eof || matches!(toks[i].ty, Tt::StringLit | Tt::CHeredoc | Tt::QuotedLit | Tt::CQuote) {
            continue;
        }
        if i > 0 && matches!(toks[i - 1].ty, Tt::OQuote | Tt::QuotedLit | Tt::StringLit | Tt::OHeredoc) && !matches!(toks[i].ty, Tt::Newline) {
            continue;
        }
        let c = choices[k % choices.len()] as usize % 5;
        k += 1;
        let old = toks[i].spaces_before;
        toks[i].spaces_before = c;
        if !same_tokens(&lex(&render(&toks)), &orig) {
            toks[i].spaces_before = old;
        }
    }
    let out = render(&toks);
    if crlf {
        // only outside heredoc/strings would be safest, but CRLF is fine everywhere HCL allows LF
        out.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        out
    }
}

use proptest::prelude::*;

fn ident() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("name".to_string()),
        Just("cidr_block".to_string()),
        Just("x".to_string()),
        Just("enable_dns_support".to_string()),
        Just("tags".to_string()),
        Just("count".to_string()),
        Just("a-b".to_string()),
        "[a-z][a-z0-9_]{0,12}".prop_filter("not a keyword", |s| !matches!(s.as_str(), "for" | "in" | "if" | "true" | "false" | "null")),
    ]
}

fn ws() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(""), Just(" "), Just("  "), Just("   "), Just("\t")]
}

/// Expressions as real configurations write them, with random spacing.
pub fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (0u32..5000).prop_map(|n| n.to_string()),
        Just("1.5".to_string()),
        Just("true".to_string()),
        Just("null".to_string()),
        ident().prop_map(|i| format!("var.{i}")),
        (ident(), ident()).prop_map(|(a, b)| format!("aws_{a}.{b}.id")),
        "[a-zA-Z0-9 ./:-]{0,12}".prop_map(|s| format!("\"{s}\"")),
        (ident(), ws()).prop_map(|(i, w)| format!("\"pre-${{{w}var.{i}{w}}}\"")),
        (ident(), ws()).prop_map(|(i, w)| format!("\"${{{w}var.{i}{w}}}\"")),
        (ident(), ws()).prop_map(|(i, w)| format!("\"%{{{w}if var.{i}{w}}}y%{{{w}endif{w}}}\"")),
        (ident(), ws()).prop_map(|(i, w)| format!("-{w}var.{i}")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (inner.clone(), ws(), prop_oneof![Just("+"), Just("-"), Just("*"), Just("=="), Just("&&"), Just(">=")], ws(), inner.clone())
                .prop_map(|(a, w1, op, w2, b)| format!("{a}{w1}{op}{w2}{b}")),
            (prop::collection::vec(inner.clone(), 0..4), ws(), any::<bool>()).prop_map(|(v, w, nl)| {
                if nl && !v.is_empty() {
                    format!("[\n{}\n]", v.iter().map(|e| format!("{w}{e},")).collect::<Vec<_>>().join("\n"))
                } else {
                    format!("[{w}{}{w}]", v.join(&format!(",{w}")))
                }
            }),
            (prop::collection::vec((ident(), inner.clone()), 0..4), ws(), any::<bool>()).prop_map(|(v, w, nl)| {
                if nl {
                    format!("{{\n{}\n}}", v.iter().map(|(k, e)| format!("{w}{k}{w}={w}{e}")).collect::<Vec<_>>().join("\n"))
                } else {
                    format!("{{{w}{}{w}}}", v.iter().map(|(k, e)| format!("{k}{w}={w}{e}")).collect::<Vec<_>>().join(&format!(",{w}")))
                }
            }),
            (ident(), prop::collection::vec(inner.clone(), 0..3), ws()).prop_map(|(f, args, w)| format!("{f}({w}{}{w})", args.join(&format!("{w},{w}")))),
            (inner.clone(), ws(), inner.clone(), inner.clone()).prop_map(|(c, w, a, b)| format!("{c}{w}?{w}{a}{w}:{w}{b}")),
            (ident(), ws(), inner.clone()).prop_map(|(i, w, e)| format!("[for {i} in var.items{w}:{w}{e}]")),
            (inner.clone(), ws()).prop_map(|(e, w)| format!("({w}{e}{w})")),
        ]
    })
}

fn comment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(String::new()),
        "[a-z !]{0,10}".prop_map(|s| format!(" # {s}")),
        "[a-z ]{0,10}".prop_map(|s| format!(" // {s}")),
        "[a-z ]{0,10}".prop_map(|s| format!(" /* {s} */")),
    ]
}

fn attribute(indent: usize) -> impl Strategy<Value = String> {
    (ident(), ws(), ws(), expr(), comment(), 0usize..4).prop_map(move |(k, w1, w2, e, c, extra)| {
        format!("{}{k}{w1}={w2}{e}{c}", " ".repeat(indent + extra))
    })
}

/// An attribute fit for a one-line block: no comment, no line breaks.
fn inline_attribute() -> impl Strategy<Value = String> {
    (ident(), ws(), expr()).prop_filter("single line", |(_, _, e)| !e.contains('\n')).prop_map(|(k, w, e)| format!("{k}{w}={w}{e}"))
}

/// Renames repeated attribute names among `items` (a body may not define one twice).
fn dedupe(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .enumerate()
        .map(|(n, item)| {
            let lead = item.len() - item.trim_start().len();
            let name: String = item[lead..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
            let rest = item[lead + name.len()..].trim_start_matches([' ', '\t']);
            if name.is_empty() || !rest.starts_with('=') || rest.starts_with("==") {
                return item;
            }
            if seen.insert(name.clone()) {
                item
            } else {
                let renamed = format!("{name}_{n}");
                seen.insert(renamed.clone());
                format!("{}{renamed}{}", &item[..lead], &item[lead + name.len()..])
            }
        })
        .collect()
}

/// A whole configuration: top-level attributes, blocks with labels (quoted or bare),
/// nested blocks, heredocs, comments, blank lines, random spacing.
pub fn config() -> impl Strategy<Value = String> {
    let heredoc = (ident(), "[a-z ${}.]{0,20}", any::<bool>()).prop_map(|(k, body, dash)| {
        let body = body.replace("${", "$").replace('}', "");
        if dash {
            format!("{k} = <<-EOT\n    {body}\n    line two\n  EOT")
        } else {
            format!("{k} = <<EOT\n{body}\n  ${{var.x}}\nEOT")
        }
    });
    let body_item = prop_oneof![
        4 => attribute(2),
        1 => heredoc,
        1 => Just(String::new()),
        1 => "[a-z ]{0,10}".prop_map(|s| format!("  # {s}")),
        1 => (ident(), prop::collection::vec(attribute(4), 0..4)).prop_map(|(t, attrs)| format!("  {t} {{\n{}\n  }}", dedupe(attrs).join("\n"))),
        1 => (ident(), inline_attribute()).prop_map(|(t, a)| format!("  {t} {{ {a} }}")),
    ];
    let block = (
        prop_oneof![Just("resource"), Just("variable"), Just("locals"), Just("module"), Just("data"), Just("output")],
        prop::collection::vec((ident(), any::<bool>()), 0..3),
        prop::collection::vec(body_item, 0..6),
        ws(),
    )
        .prop_map(|(t, labels, items, w)| {
            let labels: String =
                labels.iter().map(|(l, q)| if *q { format!(" \"{l}\"") } else { format!(" {l}") }).collect();
            if items.is_empty() {
                format!("{t}{labels}{w}{{}}")
            } else {
                format!("{t}{labels}{w}{{\n{}\n}}", dedupe(items).join("\n"))
            }
        });
    let variable_type = prop_oneof![Just("\"string\""), Just("\"list\""), Just("\"map\""), Just("list"), Just("map"), Just("set"), Just("number")]
        .prop_map(|t| format!("variable \"v\" {{\n  type = {t}\n  default = null\n}}"));
    let top = prop_oneof![4 => block, 2 => attribute(0), 1 => variable_type, 1 => Just(String::new()), 1 => Just("# top comment".to_string())];
    (prop::collection::vec(top, 1..6), any::<bool>(), any::<bool>()).prop_map(|(items, final_nl, crlf)| {
        let mut s = dedupe(items).join("\n");
        if final_nl {
            s.push('\n');
        }
        if crlf {
            s = s.replace('\n', "\r\n");
        }
        s
    })
}
