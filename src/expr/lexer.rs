//! Turns expression text into tokens, each with the column (in characters, from 1) where it starts.
//! Paths are lexed whole (`.a."b c"[0]`) so that spacing decides where one path ends.

use super::{ParseError, Seg};

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Path(Vec<Seg>),
    Ident(String),
    Str(String),
    Num(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Match,
    NotMatch,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    AndAnd,
    OrOr,
}

impl Tok {
    pub fn describe(&self) -> String {
        match self {
            Tok::Path(_) => "a path".into(),
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Str(_) => "a string".into(),
            Tok::Num(n) => format!("number {n}"),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::LBracket => "'['".into(),
            Tok::RBracket => "']'".into(),
            Tok::Comma => "','".into(),
            Tok::Eq => "'=='".into(),
            Tok::Ne => "'!='".into(),
            Tok::Lt => "'<'".into(),
            Tok::Le => "'<='".into(),
            Tok::Gt => "'>'".into(),
            Tok::Ge => "'>='".into(),
            Tok::Match => "'=~'".into(),
            Tok::NotMatch => "'!~'".into(),
            Tok::Plus => "'+'".into(),
            Tok::Minus => "'-'".into(),
            Tok::Star => "'*'".into(),
            Tok::Slash => "'/'".into(),
            Tok::Percent => "'%'".into(),
            Tok::Bang => "'!'".into(),
            Tok::AndAnd => "'&&'".into(),
            Tok::OrOr => "'||'".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub col: usize,
}

pub fn lex(src: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut lx = Lexer { c: &chars, i: 0 };
    let mut out = Vec::new();
    loop {
        while lx.peek().is_some_and(char::is_whitespace) {
            lx.i += 1;
        }
        let Some(c) = lx.peek() else { break };
        let col = lx.i + 1;
        let two = |a: char, b: char| c == a && lx.peek_at(1) == Some(b);
        let tok = if c == '.' && !lx.peek_at(1).is_some_and(|d| d.is_ascii_digit()) {
            lx.path()?
        } else if c == '"' {
            Tok::Str(lx.string()?)
        } else if c.is_ascii_digit() {
            lx.number()?
        } else if is_ident_start(c) {
            let start = lx.i;
            while lx.peek().is_some_and(is_ident_char) {
                lx.i += 1;
            }
            Tok::Ident(chars[start..lx.i].iter().collect())
        } else {
            let (tok, len) = if two('=', '=') {
                (Tok::Eq, 2)
            } else if two('!', '=') {
                (Tok::Ne, 2)
            } else if two('<', '=') {
                (Tok::Le, 2)
            } else if two('>', '=') {
                (Tok::Ge, 2)
            } else if two('=', '~') {
                (Tok::Match, 2)
            } else if two('!', '~') {
                (Tok::NotMatch, 2)
            } else if two('&', '&') {
                (Tok::AndAnd, 2)
            } else if two('|', '|') {
                (Tok::OrOr, 2)
            } else {
                let tok = match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    '[' => Tok::LBracket,
                    ']' => Tok::RBracket,
                    ',' => Tok::Comma,
                    '<' => Tok::Lt,
                    '>' => Tok::Gt,
                    '+' => Tok::Plus,
                    '-' => Tok::Minus,
                    '*' => Tok::Star,
                    '/' => Tok::Slash,
                    '%' => Tok::Percent,
                    '!' => Tok::Bang,
                    '=' => {
                        return Err(ParseError::new(col, "unexpected '=' (use '==' to compare)"));
                    }
                    _ => return Err(ParseError::new(col, format!("unexpected character '{c}'"))),
                };
                (tok, 1)
            };
            lx.i += len;
            tok
        };
        out.push(Token { tok, col });
    }
    Ok(out)
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

struct Lexer<'s> {
    c: &'s [char],
    i: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.c.get(self.i + k).copied()
    }

    fn path(&mut self) -> Result<Tok, ParseError> {
        let mut segs = Vec::new();
        // The leading '.' may be followed directly by a name, a quoted name or an index.
        self.i += 1;
        let mut after_dot = true;
        loop {
            match self.peek() {
                Some(c) if after_dot && is_ident_start(c) => {
                    let start = self.i;
                    while self.peek().is_some_and(is_ident_char) {
                        self.i += 1;
                    }
                    segs.push(Seg::Key(self.c[start..self.i].iter().collect()));
                }
                Some('"') if after_dot => segs.push(Seg::Key(self.string()?)),
                Some('[') => {
                    let col = self.i + 1;
                    self.i += 1;
                    while self.peek() == Some(' ') {
                        self.i += 1;
                    }
                    if self.peek() == Some('"') {
                        segs.push(Seg::Key(self.string()?));
                    } else {
                        let start = self.i;
                        if self.peek() == Some('-') {
                            self.i += 1;
                        }
                        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                            self.i += 1;
                        }
                        let text: String = self.c[start..self.i].iter().collect();
                        let index = text.parse::<i64>().map_err(|_| {
                            ParseError::new(col, "expected an integer or a quoted name in [ ]")
                        })?;
                        segs.push(Seg::Index(index));
                    }
                    while self.peek() == Some(' ') {
                        self.i += 1;
                    }
                    if self.peek() != Some(']') {
                        return Err(ParseError::new(self.i + 1, "expected ']'"));
                    }
                    self.i += 1;
                }
                _ if after_dot && !segs.is_empty() => {
                    return Err(ParseError::new(
                        self.i + 1,
                        "expected a name, a quoted name or [index] after '.'",
                    ));
                }
                _ => break,
            }
            after_dot = self.peek() == Some('.');
            if after_dot {
                self.i += 1;
            } else if self.peek() != Some('[') {
                break;
            }
        }
        Ok(Tok::Path(segs))
    }

    /// A double-quoted string with JSON escapes. An unknown escape such as `\d` is kept as it
    /// is, so regular expressions can be written with single backslashes.
    fn string(&mut self) -> Result<String, ParseError> {
        let col = self.i + 1;
        self.i += 1;
        let mut s = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(ParseError::new(col, "unterminated string"));
            };
            self.i += 1;
            match c {
                '"' => return Ok(s),
                '\\' => {
                    let Some(e) = self.peek() else {
                        return Err(ParseError::new(col, "unterminated string"));
                    };
                    self.i += 1;
                    match e {
                        '"' => s.push('"'),
                        '\\' => s.push('\\'),
                        '/' => s.push('/'),
                        'b' => s.push('\u{8}'),
                        'f' => s.push('\u{c}'),
                        'n' => s.push('\n'),
                        'r' => s.push('\r'),
                        't' => s.push('\t'),
                        'u' => {
                            let code = self.hex4()?;
                            let c = if (0xd800..0xdc00).contains(&code)
                                && self.peek() == Some('\\')
                                && self.peek_at(1) == Some('u')
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                char::from_u32(0x10000 + ((code - 0xd800) << 10) + (lo - 0xdc00))
                            } else {
                                char::from_u32(code)
                            };
                            s.push(c.ok_or_else(|| {
                                ParseError::new(self.i, "\\u escape is not a character")
                            })?);
                        }
                        other => {
                            s.push('\\');
                            s.push(other);
                        }
                    }
                }
                c => s.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let col = self.i + 1;
        let text: String = self
            .c
            .get(self.i..self.i + 4)
            .unwrap_or(&[])
            .iter()
            .collect();
        let code = u32::from_str_radix(&text, 16)
            .ok()
            .filter(|_| text.len() == 4)
            .ok_or_else(|| ParseError::new(col, "expected 4 hex digits after \\u"))?;
        self.i += 4;
        Ok(code)
    }

    fn number(&mut self) -> Result<Tok, ParseError> {
        let col = self.i + 1;
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let save = self.i;
            self.i += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.i += 1;
            }
            if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
            } else {
                self.i = save;
            }
        }
        let text: String = self.c[start..self.i].iter().collect();
        if crate::json::Number::parse(&text).is_none() {
            return Err(ParseError::new(col, format!("invalid number {text}")));
        }
        if self.peek().is_some_and(is_ident_char) {
            return Err(ParseError::new(
                self.i + 1,
                "unexpected character after a number",
            ));
        }
        Ok(Tok::Num(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    fn key(s: &str) -> Seg {
        Seg::Key(s.into())
    }

    #[test]
    fn paths() {
        assert_eq!(toks("."), vec![Tok::Path(vec![])]);
        assert_eq!(
            toks(r#".a.b[0][-1]."c d"["e"]"#),
            vec![Tok::Path(vec![
                key("a"),
                key("b"),
                Seg::Index(0),
                Seg::Index(-1),
                key("c d"),
                key("e")
            ])]
        );
        assert_eq!(toks(".[2]"), vec![Tok::Path(vec![Seg::Index(2)])]);
        assert_eq!(toks(".école"), vec![Tok::Path(vec![key("école")])]);
        assert_eq!(
            toks(".a .b"),
            vec![Tok::Path(vec![key("a")]), Tok::Path(vec![key("b")])]
        );
    }

    #[test]
    fn operators_and_columns() {
        let t = lex(".a>=1 && !.b").unwrap();
        let cols: Vec<usize> = t.iter().map(|t| t.col).collect();
        assert_eq!(cols, vec![1, 3, 5, 7, 10, 11]);
        assert_eq!(t[1].tok, Tok::Ge);
        assert_eq!(t[3].tok, Tok::AndAnd);
        assert_eq!(t[4].tok, Tok::Bang);
    }

    #[test]
    fn strings_take_json_escapes_and_keep_unknown_ones() {
        assert_eq!(
            toks(r#""a\"b\n\u00e9\ud83d\ude00\d""#),
            vec![Tok::Str("a\"b\n\u{e9}\u{1f600}\\d".into())]
        );
    }

    #[test]
    fn numbers_follow_json() {
        assert_eq!(toks("1.5e3"), vec![Tok::Num("1.5e3".into())]);
        assert!(lex("01").is_err());
        assert!(lex("1abc").is_err());
    }

    #[test]
    fn errors_carry_columns() {
        assert_eq!(lex(".a = 1").unwrap_err().column, 4);
        assert_eq!(lex("\"abc").unwrap_err().column, 1);
        assert_eq!(lex(".a.").unwrap_err().column, 4);
        assert_eq!(lex(".a[x]").unwrap_err().column, 3);
        assert_eq!(lex("é $").unwrap_err().column, 3);
    }
}
