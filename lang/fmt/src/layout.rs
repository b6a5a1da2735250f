//! The whitespace pass: Terraform's canonical layout (HCL's `hclwrite` formatter).
//!
//! Only the spaces before tokens change. The token sequence is cut into lines; each line
//! has a *lead* cell, an optional *assign* cell (from an `=` whose right-hand side is
//! bracket-balanced on that line) and an optional trailing *comment* cell. Then:
//! 1. the first token of each line is indented by two spaces per open bracket level;
//! 2. tokens inside each cell are re-spaced by a pairwise rule (`space_after`);
//! 3. the `=` of consecutive attribute lines, and trailing comments of consecutive
//!    lines, are aligned into columns (any line without such a cell breaks the run).

use crate::lexer::{Token, Tt};

#[derive(Debug, Clone, Copy, Default)]
struct Line {
    /// token index range of each cell (start, end); `assign`/`comment` may be absent
    lead: (usize, usize),
    assign: Option<(usize, usize)>,
    comment: Option<(usize, usize)>,
}

fn is_newline(t: &Token) -> bool {
    t.ty == Tt::Newline || (t.ty == Tt::Comment && t.text.ends_with('\n'))
}

fn bracket_change(t: &Token) -> i64 {
    match t.ty {
        Tt::OBrace | Tt::OBrack | Tt::OParen | Tt::TemplateControl | Tt::TemplateInterp => 1,
        Tt::CBrace | Tt::CBrack | Tt::CParen | Tt::TemplateSeqEnd => -1,
        _ => 0,
    }
}

/// Width in columns as HCL counts it (grapheme clusters), approximated without tables:
/// combining marks, variation selectors, emoji modifiers and zero-width joiners attach to
/// the previous character, the character after a joiner too, and regional indicators pair
/// up into one flag.
fn text_columns(s: &str) -> usize {
    let mut count = 0;
    let mut after_zwj = false;
    let mut pending_regional = false;
    for c in s.chars() {
        let u = c as u32;
        let extends = matches!(u, 0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F
            | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF
            | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F | 0xE0100..=0xE01EF);
        if u == 0x200D {
            after_zwj = true;
            continue;
        }
        if extends {
            continue;
        }
        if after_zwj {
            after_zwj = false;
            continue;
        }
        if (0x1F1E6..=0x1F1FF).contains(&u) {
            if pending_regional {
                pending_regional = false;
                continue;
            }
            pending_regional = true;
        } else {
            pending_regional = false;
        }
        count += 1;
    }
    count
}

fn columns(toks: &[Token], r: (usize, usize)) -> usize {
    toks[r.0..r.1].iter().map(|t| t.spaces_before + text_columns(&t.text)).sum()
}

fn lines_for_format(toks: &[Token]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut ended = false;
    for (i, t) in toks.iter().enumerate() {
        if t.ty == Tt::Eof {
            lines.push(Line { lead: (start, i), ..Line::default() });
            ended = true;
            break;
        }
        if is_newline(t) {
            lines.push(Line { lead: (start, i + 1), ..Line::default() });
            start = i + 1;
        }
    }
    if !ended {
        lines.push(Line { lead: (start, toks.len()), ..Line::default() });
    }
    for line in &mut lines {
        let (s, e) = line.lead;
        if e == s {
            continue;
        }
        if e - s > 1 && toks[e - 1].ty == Tt::Comment {
            line.comment = Some((e - 1, e));
            line.lead = (s, e - 1);
        }
        let (s, e) = line.lead;
        for i in s..e {
            if i > s && toks[i].ty == Tt::Equal {
                let net: i64 = toks[i..e].iter().map(bracket_change).sum();
                if net == 0 {
                    line.assign = Some((i, e));
                    line.lead = (s, i);
                }
                break;
            }
        }
    }
    lines
}

fn format_indent(toks: &mut [Token], lines: &[Line]) {
    let mut indents: Vec<i64> = Vec::new();
    for line in lines {
        let (s, e) = line.lead;
        if s == e {
            continue;
        }
        if toks[s].ty == Tt::Newline {
            toks[s].spaces_before = 0;
            continue;
        }
        let mut net = 0i64;
        for t in &toks[s..e] {
            net += bracket_change(t);
            if t.ty == Tt::OHeredoc {
                break;
            }
        }
        if let Some((a, b)) = line.assign {
            net += toks[a..b].iter().map(bracket_change).sum::<i64>();
        }
        if net > 0 {
            toks[s].spaces_before = 2 * indents.len();
            indents.push(net);
        } else {
            if net < 0 {
                let mut closed = -net;
                while closed > 0 {
                    let Some(top) = indents.last_mut() else { break };
                    if closed > *top {
                        closed -= *top;
                        indents.pop();
                    } else if closed < *top {
                        *top -= closed;
                        closed = 0;
                    } else {
                        indents.pop();
                        closed = 0;
                    }
                }
            }
            toks[s].spaces_before = 2 * indents.len();
        }
    }
}

fn space_after(subject: &Token, before: &Token, after: &Token) -> bool {
    use Tt::*;
    let (s, a) = (subject.ty, after.ty);
    if a == Newline || a == Nil {
        return false;
    }
    if s == Ident && a == OParen {
        return false;
    }
    if (s == Ident && a == DoubleColon) || (s == DoubleColon && a == Ident) {
        return false;
    }
    if s == Dot || a == Dot {
        return false;
    }
    if a == Comma || a == Ellipsis {
        return false;
    }
    if s == Comma {
        return true;
    }
    if matches!(s, QuotedLit | StringLit | OQuote | OHeredoc) || matches!(a, QuotedLit | StringLit | CQuote | CHeredoc) {
        return false;
    }
    if s == Ident && subject.text == "in" && before.ty == Ident {
        return true;
    }
    if a == OBrack && (s == Ident || s == NumberLit || bracket_change(subject) < 0) {
        return false;
    }
    if s == Bang {
        return false;
    }
    if s == Minus {
        return !matches!(
            before.ty,
            Nil | OParen
                | OBrace
                | OBrack
                | Equal
                | Colon
                | Comma
                | Question
                | Plus
                | Star
                | Slash
                | Percent
                | Minus
                | EqualOp
                | NotEqual
                | GreaterThan
                | GreaterThanEq
                | LessThan
                | LessThanEq
                | And
                | Or
                | Bang
        );
    }
    if s == OBrace || a == CBrace {
        return !(s == OBrace && a == CBrace);
    }
    if (s == TemplateInterp || s == TemplateControl) && a == OBrace {
        return true;
    }
    if s == CBrace && a == TemplateSeqEnd {
        return true;
    }
    if s == TemplateSeqEnd && (a == TemplateInterp || a == TemplateControl) {
        return false;
    }
    if bracket_change(subject) > 0 {
        return false;
    }
    if bracket_change(after) < 0 {
        return false;
    }
    true
}

fn space_cell(toks: &mut [Token], (s, e): (usize, usize), is_assign: bool) {
    let nil = Token::new(Tt::Nil, "");
    for i in s..e {
        if is_assign && i == s {
            toks[i].spaces_before = 1;
        }
        if i + 1 >= e {
            continue;
        }
        let before = if i > s { toks[i - 1].clone() } else { nil.clone() };
        let sp = space_after(&toks[i], &before, &toks[i + 1]);
        toks[i + 1].spaces_before = usize::from(sp);
    }
}

fn format_spaces(toks: &mut [Token], lines: &[Line]) {
    for line in lines {
        space_cell(toks, line.lead, false);
        if let Some(a) = line.assign {
            space_cell(toks, a, true);
        }
    }
}

fn format_cells(toks: &mut [Token], lines: &[Line]) {
    // `=` alignment
    let mut chain_start: Option<usize> = None;
    let mut max_cols = 0;
    let close_assign = |toks: &mut [Token], from: usize, to: usize, max_cols: usize| {
        for line in &lines[from..to] {
            let cols = columns(toks, line.lead);
            if let Some((a, _)) = line.assign {
                toks[a].spaces_before = max_cols.saturating_sub(cols) + 1;
            }
        }
    };
    for (i, line) in lines.iter().enumerate() {
        if line.assign.is_none() {
            if let Some(cs) = chain_start.take() {
                close_assign(toks, cs, i, max_cols);
                max_cols = 0;
            }
        } else {
            chain_start.get_or_insert(i);
            max_cols = max_cols.max(columns(toks, line.lead));
        }
    }
    if let Some(cs) = chain_start.take() {
        close_assign(toks, cs, lines.len(), max_cols);
    }

    // trailing comment alignment
    let mut max_cols = 0;
    let line_cols = |toks: &[Token], line: &Line| columns(toks, line.lead) + line.assign.map(|a| columns(toks, a)).unwrap_or(0);
    let close_comment = |toks: &mut [Token], from: usize, to: usize, max_cols: usize| {
        for line in &lines[from..to] {
            let cols = line_cols(toks, line);
            if let Some((c, _)) = line.comment {
                toks[c].spaces_before = max_cols.saturating_sub(cols) + 1;
            }
        }
    };
    for (i, line) in lines.iter().enumerate() {
        if line.comment.is_none() {
            if let Some(cs) = chain_start.take() {
                close_comment(toks, cs, i, max_cols);
                max_cols = 0;
            }
        } else {
            chain_start.get_or_insert(i);
            max_cols = max_cols.max(line_cols(toks, line));
        }
    }
    if let Some(cs) = chain_start.take() {
        close_comment(toks, cs, lines.len(), max_cols);
    }
}

/// Rewrites the spaces before each token to the canonical layout, in place.
pub fn format_tokens(toks: &mut [Token]) {
    if toks.is_empty() {
        return;
    }
    let lines = lines_for_format(toks);
    format_indent(toks, &lines);
    format_spaces(toks, &lines);
    format_cells(toks, &lines);
}

/// Writes tokens back out as text.
pub fn write_tokens(toks: &[Token]) -> String {
    let mut out = String::with_capacity(toks.iter().map(|t| t.text.len() + t.spaces_before).sum());
    for t in toks {
        for _ in 0..t.spaces_before {
            out.push(' ');
        }
        out.push_str(&t.text);
    }
    out
}
