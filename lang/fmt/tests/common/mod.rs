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
        s.extend(std::iter::repeat(' ').take(t.spaces_before));
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
