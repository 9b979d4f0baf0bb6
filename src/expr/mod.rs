//! The expression language every option that takes a condition or a value uses (DESIGN.md §3).
//!
//! An expression is parsed once into a [`Program`] and evaluated per event against anything
//! that implements [`Input`]: the stream engine's lazily parsed events, or a plain [`Value`].
//! Evaluation never fails: a missing path is `null`, a type mismatch makes a comparison false
//! and arithmetic `null`, so one odd event cannot stop a stream.

mod eval;
mod func;

pub use func::reference as functions_reference;
mod lexer;
mod parser;

use std::fmt;

pub use crate::json::Seg;
use crate::json::Value;

pub use parser::Expr;

/// Where an expression reads its data from.
pub trait Input<'a> {
    /// The value at `path` (never empty), or `None` when it does not exist.
    fn get(&self, path: &[Seg]) -> Option<Value<'a>>;
    /// The whole event, for the path `.`.
    fn whole(&self) -> Value<'a>;
    /// The number of the input line the event came from, when known.
    fn line(&self) -> Option<u64> {
        None
    }
}

impl<'a, 'v: 'a> Input<'a> for Value<'v> {
    fn get(&self, path: &[Seg]) -> Option<Value<'a>> {
        self.get_path(path).cloned()
    }

    fn whole(&self) -> Value<'a> {
        self.clone()
    }
}

/// A syntax error, with the column (in characters, from 1) where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub column: usize,
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(column: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            column,
            message: message.into(),
        }
    }

    /// The message with the expression quoted and the column marked, for the terminal.
    pub fn render(&self, source: &str) -> String {
        // A long expression is shown around the column only, marked where it was cut.
        const SIDE: usize = 60;
        let chars: Vec<char> = source.chars().collect();
        let at = self.column.saturating_sub(1).min(chars.len());
        let from = at.saturating_sub(SIDE);
        let to = (at + SIDE).min(chars.len());
        let lead = if from > 0 { "..." } else { "" };
        let trail = if to < chars.len() { "..." } else { "" };
        let shown: String = chars[from..to].iter().collect();
        let pad: String = lead
            .chars()
            .chain(chars[from..at].iter().copied())
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!(
            "syntax error at column {}: {}\n  {lead}{shown}{trail}\n  {pad}^",
            self.column, self.message
        )
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "syntax error at column {}: {}",
            self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// Why an expression could not be evaluated for one event: the event is then a bad line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError(pub String);

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EvalError {}

impl From<EvalError> for crate::stage::Reject {
    fn from(e: EvalError) -> crate::stage::Reject {
        crate::stage::Reject(e.0)
    }
}

impl From<EvalError> for crate::stage::Fault {
    fn from(e: EvalError) -> crate::stage::Fault {
        crate::stage::Fault::Bad(e.into())
    }
}

/// A parsed expression, ready to evaluate against many events.
#[derive(Debug)]
pub struct Program {
    expr: Expr,
    source: String,
    /// Whether evaluating can fail: only a regular expression made from the event can.
    can_fail: bool,
}

impl Program {
    pub fn compile(source: &str) -> Result<Program, ParseError> {
        let tokens = lexer::lex(source)?;
        let expr = parser::parse(&tokens, source.chars().count())?;
        let can_fail = expr.has_dynamic_pattern();
        for warning in expr.pattern_warnings() {
            eprintln!("binge: warning: in {source:?}: {warning}");
        }
        Ok(Program {
            expr,
            source: source.to_string(),
            can_fail,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The value of the expression for one event.
    pub fn eval<'a>(&'a self, input: &dyn Input<'a>) -> Result<Value<'a>, EvalError> {
        let v = eval::eval(&self.expr, input);
        self.checked(v)
    }

    /// Whether the expression is true (anything but `false` and `null`) for one event.
    pub fn matches<'a>(&'a self, input: &dyn Input<'a>) -> Result<bool, EvalError> {
        let b = eval::truth(&self.expr, input);
        self.checked(b)
    }

    fn checked<T>(&self, v: T) -> Result<T, EvalError> {
        match self.can_fail.then(eval::take_fault).flatten() {
            Some(why) => Err(EvalError(why)),
            None => Ok(v),
        }
    }

    /// The path, when the whole expression is one path such as `.a.b`.
    pub fn as_path(&self) -> Option<&[Seg]> {
        match &self.expr {
            Expr::Path(segs) => Some(segs),
            _ => None,
        }
    }

    /// A field name derived from the expression when it is a path of names: `.a.b` is `a_b`.
    pub fn path_name(&self) -> Option<String> {
        let names: Option<Vec<&str>> = self
            .as_path()
            .filter(|p| !p.is_empty())?
            .iter()
            .map(|s| match s {
                Seg::Key(k) => Some(k.as_str()),
                Seg::Index(_) => None,
            })
            .collect();
        names.map(|n| n.join("_"))
    }

    /// The top-level member names the expression reads, so a reader can find just those; `None`
    /// when it reads the whole event.
    pub fn roots(&self) -> Option<Vec<String>> {
        let mut roots = Vec::new();
        self.expr.roots(&mut roots).then_some(roots)
    }
}

/// A path given on its own, as options such as `--delete .a.b` take it; the leading dot may be
/// left out (`message` is `.message`).
pub fn parse_path(text: &str) -> Result<Vec<Seg>, ParseError> {
    let dotted = if text.starts_with('.') {
        text.to_string()
    } else {
        format!(".{text}")
    };
    let shift = dotted.chars().count() - text.chars().count();
    let at = |col: usize| col.saturating_sub(shift).max(1);
    let tokens = lexer::lex(&dotted).map_err(|e| ParseError::new(at(e.column), e.message))?;
    match tokens.as_slice() {
        [
            lexer::Token {
                tok: lexer::Tok::Path(segs),
                ..
            },
        ] => Ok(segs.clone()),
        [] => Err(ParseError::new(1, "expected a path such as .a.b")),
        [first, rest @ ..] => {
            let col = rest.first().map_or(first.col, |t| t.col);
            Err(ParseError::new(at(col), "expected a path such as .a.b"))
        }
    }
}

/// Splits `PATH=REST` at the first `=` outside a quoted name.
pub fn split_assignment(text: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '=' if !quoted => return Some((&text[..i], &text[i + 1..])),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests;
