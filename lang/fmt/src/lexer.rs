//! A token scanner equivalent to HCL's native-syntax scanner (`hclsyntax`), as far as
//! formatting needs it: every byte of the input ends up in exactly one token or in the
//! spaces between tokens, template literals, heredocs and comments are recognised the
//! same way, and each token remembers how many bytes of spaces/tabs preceded it.

/// The kinds of token the formatter distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tt {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    OQuote,
    CQuote,
    OHeredoc,
    CHeredoc,
    Star,
    Slash,
    Plus,
    Minus,
    Percent,
    Equal,
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Dot,
    Comma,
    DoubleColon,
    Ellipsis,
    FatArrow,
    Question,
    Colon,
    TemplateInterp,
    TemplateControl,
    TemplateSeqEnd,
    QuotedLit,
    StringLit,
    NumberLit,
    Ident,
    Comment,
    Newline,
    QuotedNewline,
    Invalid,
    Eof,
    /// Placeholder used where a neighbour token does not exist.
    Nil,
}

/// One token: its kind, its exact text, and the spaces written before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub ty: Tt,
    pub text: String,
    pub spaces_before: usize,
}

impl Token {
    pub fn new(ty: Tt, text: &str) -> Token {
        Token { ty, text: text.to_string(), spaces_before: 0 }
    }
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Main,
    Str,
    Heredoc(usize),
}

struct Heredoc {
    marker: String,
    start_of_line: bool,
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    last_end: usize,
    out: Vec<Token>,
    modes: Vec<Mode>,
    braces: i64,
    ret_braces: Vec<i64>,
    heredocs: Vec<Heredoc>,
}

/// Scans `src` into tokens, always ending with an `Eof` token. Never fails: bytes the
/// scanner cannot place become `Invalid` tokens (the parser reports those).
pub fn lex(src: &str) -> Vec<Token> {
    // A UTF-8 byte order mark is skipped (it counts as "spaces" before the first token,
    // which the formatter then removes, as Terraform does).
    let start = if src.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lx = Lexer {
        src,
        b: src.as_bytes(),
        pos: start,
        last_end: 0,
        out: Vec::new(),
        modes: vec![Mode::Main],
        braces: 0,
        ret_braces: Vec::new(),
        heredocs: Vec::new(),
    };
    lx.run();
    let end = src.len();
    lx.emit(Tt::Eof, end, end);
    lx.out
}

fn is_ident_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

fn is_ident_continue(c: char) -> bool {
    c == '-' || unicode_ident::is_xid_continue(c)
}

impl<'a> Lexer<'a> {
    fn emit(&mut self, ty: Tt, start: usize, end: usize) {
        let spaces = start.saturating_sub(self.last_end);
        self.out.push(Token { ty, text: self.src[start..end].to_string(), spaces_before: spaces });
        self.last_end = end;
        self.pos = end;
    }

    fn peek(&self, off: usize) -> Option<u8> {
        self.b.get(self.pos + off).copied()
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.src.get(at..).and_then(|s| s.chars().next())
    }

    fn run(&mut self) {
        while self.pos < self.b.len() {
            let mode = *self.modes.last().unwrap_or(&Mode::Main);
            match mode {
                Mode::Main => self.main_token(),
                Mode::Str => self.string_token(),
                Mode::Heredoc(i) => {
                    if !self.heredoc_token(i) {
                        // Nothing the heredoc scanner can match (a lone CR): the rest is invalid.
                        let (p, e) = (self.pos, self.b.len());
                        self.emit(Tt::Invalid, p, e);
                    }
                }
            }
        }
    }

    fn pop_mode(&mut self) {
        if self.modes.len() > 1 {
            self.modes.pop();
        }
    }

    fn begin_template_seq(&mut self, ty: Tt) {
        let p = self.pos;
        let mut e = p + 2;
        if self.b.get(e) == Some(&b'~') {
            e += 1;
        }
        self.emit(ty, p, e);
        self.braces += 1;
        self.ret_braces.push(self.braces);
        if let Some(h) = self.heredocs.last_mut() {
            h.start_of_line = false;
        }
        self.modes.push(Mode::Main);
    }

    fn main_token(&mut self) {
        let p = self.pos;
        let c = self.b[p];
        match c {
            b' ' | b'\t' => {
                let mut e = p;
                while e < self.b.len() && (self.b[e] == b' ' || self.b[e] == b'\t') {
                    e += 1;
                }
                self.pos = e;
            }
            b'0'..=b'9' => {
                // digit, then the longest run of continuation units not ending in '.'
                let mut e = p + 1;
                let mut last_good = e;
                loop {
                    match self.b.get(e) {
                        Some(b'0'..=b'9') => {
                            e += 1;
                            last_good = e;
                        }
                        Some(b'.') => e += 1,
                        Some(b'e') | Some(b'E') => {
                            let mut f = e + 1;
                            if matches!(self.b.get(f), Some(b'+') | Some(b'-')) {
                                f += 1;
                            }
                            if matches!(self.b.get(f), Some(b'0'..=b'9')) {
                                e = f + 1;
                                last_good = e;
                            } else {
                                break;
                            }
                        }
                        _ => break,
                    }
                }
                self.emit(Tt::NumberLit, p, last_good);
            }
            b'#' => self.line_comment(p),
            b'/' if self.peek(1) == Some(b'/') => self.line_comment(p),
            b'/' if self.peek(1) == Some(b'*') => {
                match self.src[p + 2..].find("*/") {
                    Some(i) => self.emit(Tt::Comment, p, p + 2 + i + 2),
                    None => self.emit(Tt::Slash, p, p + 1),
                }
            }
            b'\n' => self.emit(Tt::Newline, p, p + 1),
            b'\r' if self.peek(1) == Some(b'\n') => self.emit(Tt::Newline, p, p + 2),
            b'=' if self.peek(1) == Some(b'=') => self.emit(Tt::EqualOp, p, p + 2),
            b'=' if self.peek(1) == Some(b'>') => self.emit(Tt::FatArrow, p, p + 2),
            b'!' if self.peek(1) == Some(b'=') => self.emit(Tt::NotEqual, p, p + 2),
            b'>' if self.peek(1) == Some(b'=') => self.emit(Tt::GreaterThanEq, p, p + 2),
            b'<' if self.peek(1) == Some(b'=') => self.emit(Tt::LessThanEq, p, p + 2),
            b'&' if self.peek(1) == Some(b'&') => self.emit(Tt::And, p, p + 2),
            b'|' if self.peek(1) == Some(b'|') => self.emit(Tt::Or, p, p + 2),
            b':' if self.peek(1) == Some(b':') => self.emit(Tt::DoubleColon, p, p + 2),
            b'.' if self.peek(1) == Some(b'.') && self.peek(2) == Some(b'.') => {
                self.emit(Tt::Ellipsis, p, p + 3)
            }
            b'<' if self.peek(1) == Some(b'<') && self.heredoc_intro(p) => {}
            b'{' => {
                self.emit(Tt::OBrace, p, p + 1);
                self.braces += 1;
            }
            b'}' => {
                if self.ret_braces.last() == Some(&self.braces) {
                    self.emit(Tt::TemplateSeqEnd, p, p + 1);
                    self.braces -= 1;
                    self.ret_braces.pop();
                    self.pop_mode();
                } else {
                    self.emit(Tt::CBrace, p, p + 1);
                    self.braces -= 1;
                }
            }
            b'~' if self.peek(1) == Some(b'}') => {
                self.emit(Tt::TemplateSeqEnd, p, p + 2);
                if self.ret_braces.last() == Some(&self.braces) {
                    self.ret_braces.pop();
                    self.braces -= 1;
                    self.pop_mode();
                } else {
                    self.braces -= 1;
                }
            }
            b'"' => {
                self.emit(Tt::OQuote, p, p + 1);
                self.modes.push(Mode::Str);
            }
            _ => {
                let single = match c {
                    b'[' => Some(Tt::OBrack),
                    b']' => Some(Tt::CBrack),
                    b'(' => Some(Tt::OParen),
                    b')' => Some(Tt::CParen),
                    b'.' => Some(Tt::Dot),
                    b',' => Some(Tt::Comma),
                    b'*' => Some(Tt::Star),
                    b'/' => Some(Tt::Slash),
                    b'%' => Some(Tt::Percent),
                    b'+' => Some(Tt::Plus),
                    b'-' => Some(Tt::Minus),
                    b'=' => Some(Tt::Equal),
                    b'<' => Some(Tt::LessThan),
                    b'>' => Some(Tt::GreaterThan),
                    b'!' => Some(Tt::Bang),
                    b'?' => Some(Tt::Question),
                    b':' => Some(Tt::Colon),
                    b'&' | b'|' | b'~' | b'^' | b';' | b'`' | b'\'' => Some(Tt::Invalid),
                    _ => None,
                };
                if let Some(ty) = single {
                    self.emit(ty, p, p + 1);
                    return;
                }
                let ch = self.char_at(p).unwrap_or('\u{fffd}');
                if is_ident_start(ch) {
                    let mut e = p + ch.len_utf8();
                    while let Some(c2) = self.char_at(e) {
                        if is_ident_continue(c2) {
                            e += c2.len_utf8();
                        } else {
                            break;
                        }
                    }
                    self.emit(Tt::Ident, p, e);
                } else {
                    self.emit(Tt::Invalid, p, p + ch.len_utf8().max(1));
                }
            }
        }
    }

    fn line_comment(&mut self, p: usize) {
        let e = match self.src[p..].find('\n') {
            Some(i) => p + i + 1,
            None => self.b.len(),
        };
        self.emit(Tt::Comment, p, e);
    }

    /// `<<` `-`? Ident Newline starts a heredoc. Returns false if this is not one.
    fn heredoc_intro(&mut self, p: usize) -> bool {
        let mut e = p + 2;
        if self.b.get(e) == Some(&b'-') {
            e += 1;
        }
        let id_start = e;
        match self.char_at(e) {
            Some(c) if is_ident_start(c) => e += c.len_utf8(),
            _ => return false,
        }
        while let Some(c) = self.char_at(e) {
            if is_ident_continue(c) {
                e += c.len_utf8();
            } else {
                break;
            }
        }
        let marker = self.src[id_start..e].to_string();
        if self.b.get(e) == Some(&b'\r') && self.b.get(e + 1) == Some(&b'\n') {
            e += 2;
        } else if self.b.get(e) == Some(&b'\n') {
            e += 1;
        } else {
            return false;
        }
        self.emit(Tt::OHeredoc, p, e);
        self.heredocs.push(Heredoc { marker, start_of_line: true });
        self.modes.push(Mode::Heredoc(self.heredocs.len() - 1));
        true
    }

    fn string_token(&mut self) {
        let p = self.pos;
        let b = self.b;
        match b[p] {
            b'$' if b.get(p + 1) == Some(&b'{') => self.begin_template_seq(Tt::TemplateInterp),
            b'%' if b.get(p + 1) == Some(&b'{') => self.begin_template_seq(Tt::TemplateControl),
            b'"' => {
                self.emit(Tt::CQuote, p, p + 1);
                self.pop_mode();
            }
            b'\r' | b'\n' => {
                let mut e = p;
                while e < b.len() && (b[e] == b'\r' || b[e] == b'\n') {
                    e += 1;
                }
                self.emit(Tt::QuotedNewline, p, e);
            }
            _ => {
                let mut e = p;
                while e < b.len() {
                    match b[e] {
                        b'"' | b'\r' | b'\n' => break,
                        b'$' | b'%' => {
                            if b.get(e + 1) == Some(&b'{') {
                                break;
                            }
                            if b.get(e + 1) == Some(&b[e]) && b.get(e + 2) == Some(&b'{') {
                                e += 3;
                                if b.get(e) == Some(&b'~') {
                                    e += 1;
                                }
                            } else {
                                e += 1;
                            }
                        }
                        b'\\' => {
                            match self.char_at(e + 1) {
                                Some(c) if c != '\r' && c != '\n' => e += 1 + c.len_utf8(),
                                _ => break,
                            }
                        }
                        _ => {
                            let l = self.char_at(e).map(char::len_utf8).unwrap_or(1);
                            e += l;
                        }
                    }
                }
                if e == p {
                    // a lone backslash before a newline or the end
                    let l = self.char_at(p).map(char::len_utf8).unwrap_or(1);
                    self.emit(Tt::Invalid, p, p + l);
                } else {
                    self.emit(Tt::QuotedLit, p, e);
                }
            }
        }
    }

    /// One heredoc token; false if nothing could be matched.
    fn heredoc_token(&mut self, idx: usize) -> bool {
        let p = self.pos;
        let b = self.b;
        if b[p] == b'$' && b.get(p + 1) == Some(&b'{') {
            self.begin_template_seq(Tt::TemplateInterp);
            return true;
        }
        if b[p] == b'%' && b.get(p + 1) == Some(&b'{') {
            self.begin_template_seq(Tt::TemplateControl);
            return true;
        }
        let mut e = p;
        while e < b.len() {
            match b[e] {
                b'\r' | b'\n' => break,
                b'$' | b'%' => {
                    if b.get(e + 1) == Some(&b'{') {
                        break;
                    }
                    if b.get(e + 1) == Some(&b[e]) && b.get(e + 2) == Some(&b'{') {
                        e += 3;
                        if b.get(e) == Some(&b'~') {
                            e += 1;
                        }
                    } else {
                        e += 1;
                    }
                }
                _ => {
                    let l = self.char_at(e).map(char::len_utf8).unwrap_or(1);
                    e += l;
                }
            }
        }
        let nl_len = if b.get(e) == Some(&b'\n') {
            1
        } else if b.get(e) == Some(&b'\r') && b.get(e + 1) == Some(&b'\n') {
            2
        } else {
            0
        };
        if nl_len == 0 {
            if e < b.len() && e == p {
                // lone CR
                return false;
            }
            if e == p {
                return false;
            }
            if let Some(h) = self.heredocs.get_mut(idx) {
                h.start_of_line = false;
            }
            self.emit(Tt::StringLit, p, e);
            return true;
        }
        let line_end = e + nl_len;
        let is_marker = self
            .heredocs
            .get(idx)
            .map(|h| h.start_of_line && self.src[p..line_end].trim() == h.marker)
            .unwrap_or(false);
        if is_marker {
            self.emit(Tt::CHeredoc, p, e);
            self.emit(Tt::Newline, e, line_end);
            self.heredocs.pop();
            self.pop_mode();
        } else {
            if let Some(h) = self.heredocs.get_mut(idx) {
                h.start_of_line = true;
            }
            self.emit(Tt::StringLit, p, line_end);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Tt, String)> {
        lex(src).into_iter().map(|t| (t.ty, t.text)).collect()
    }

    #[test]
    fn every_byte_is_accounted_for() {
        let src = "a = \"x${ b }y\" # c\n  list = [1, 2.5e3]\r\n";
        let toks = lex(src);
        let rebuilt: String = toks.iter().map(|t| format!("{}{}", " ".repeat(t.spaces_before), t.text)).collect();
        assert_eq!(rebuilt, src);
    }

    #[test]
    fn templates_nest_and_close_on_the_matching_brace() {
        use Tt::*;
        let got: Vec<Tt> = kinds("\"a${ {b = 1}.b }c%{ if x ~}d%{~ endif }\"").into_iter().map(|k| k.0).collect();
        assert_eq!(
            got,
            [OQuote, QuotedLit, TemplateInterp, OBrace, Ident, Equal, NumberLit, CBrace, Dot, Ident, TemplateSeqEnd, QuotedLit,
             TemplateControl, Ident, Ident, TemplateSeqEnd, QuotedLit, TemplateControl, Ident, TemplateSeqEnd, CQuote, Eof]
        );
    }

    #[test]
    fn escaped_template_introducers_stay_literal() {
        let got = kinds("\"$${a} %%{b} $c\"");
        assert_eq!(got[1], (Tt::QuotedLit, "$${a} %%{b} $c".to_string()));
    }

    #[test]
    fn heredoc_body_is_literal_and_the_marker_line_closes_it() {
        let got = kinds("x = <<-EOT\n  a ${b}\n  EOT\n");
        assert_eq!(got[2], (Tt::OHeredoc, "<<-EOT\n".to_string()));
        assert_eq!(got[3], (Tt::StringLit, "  a ".to_string()));
        assert_eq!(got[7], (Tt::StringLit, "\n".to_string()));
        assert_eq!(got[8], (Tt::CHeredoc, "  EOT".to_string()));
        assert_eq!(got[9], (Tt::Newline, "\n".to_string()));
        // a marker-like line after an interpolation on the same line does not close it
        let got = kinds("x = <<EOT\n${a}EOT\nEOT\n");
        assert_eq!(got.iter().filter(|k| k.0 == Tt::CHeredoc).count(), 1);
    }

    #[test]
    fn line_comments_own_their_line_ending_and_numbers_stop_before_a_dot() {
        let got = kinds("# c\r\na.0.b 1. 1e5 1e\n");
        assert_eq!(got[0], (Tt::Comment, "# c\r\n".to_string()));
        assert_eq!(got[1..5], [(Tt::Ident, "a".into()), (Tt::Dot, ".".into()), (Tt::NumberLit, "0".into()), (Tt::Dot, ".".into())]);
        assert!(got.contains(&(Tt::NumberLit, "1e5".to_string())));
        assert!(got.contains(&(Tt::NumberLit, "1".to_string())));
    }
}
