//! Tokens to syntax tree, by precedence climbing. Lowest to highest:
//! `or`, `and`, `not`, comparisons (`== != < <= > >= =~ !~ in`, which do not chain),
//! `+ -`, `* / %`, unary `-`. Regular expressions given as literals are compiled here, once.

use regex::Regex;

use super::func::Func;
use super::lexer::{Tok, Token};
use super::{ParseError, Seg};
use crate::json::{Number, Value};

#[derive(Debug)]
pub enum Expr {
    Lit(Value<'static>),
    Path(Vec<Seg>),
    Array(Vec<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    In(Box<Expr>, Box<Expr>),
    Match {
        subject: Box<Expr>,
        pattern: Pattern,
        negate: bool,
    },
    Call(Func, Vec<Expr>),
    /// `if C then A else B end`; without `else`, null.
    If(Box<Expr>, Box<Expr>, Option<Box<Expr>>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

#[derive(Debug)]
pub enum Pattern {
    Fixed(Regex),
    Dynamic(Box<Expr>),
}

impl Expr {
    /// Every node of the tree, for the checks below.
    fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Lit(_) | Expr::Path(_) => {}
            Expr::Array(items) | Expr::Call(_, items) => items.iter().for_each(|e| e.walk(f)),
            Expr::Not(e) | Expr::Neg(e) => e.walk(f),
            Expr::If(c, a, b) => {
                c.walk(f);
                a.walk(f);
                if let Some(b) = b {
                    b.walk(f);
                }
            }
            Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Cmp(_, a, b)
            | Expr::Arith(_, a, b)
            | Expr::In(a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Match {
                subject, pattern, ..
            } => {
                subject.walk(f);
                if let Pattern::Dynamic(p) = pattern {
                    p.walk(f);
                }
            }
        }
    }

    /// Whether a regular expression is made from the event, so evaluating can fail.
    pub fn has_dynamic_pattern(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| {
            found |= match e {
                Expr::Match {
                    pattern: Pattern::Dynamic(_),
                    ..
                } => true,
                Expr::Call(func, args) => func.can_fail(args),
                _ => false,
            };
        });
        found
    }

    /// What looks like a mistake in a literal pattern: `"\b"` in a JSON string is a backspace,
    /// not the word boundary `\\b` of regular expressions.
    pub fn pattern_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Match {
                pattern: Pattern::Fixed(re),
                ..
            } = e
                && re.as_str().contains('\u{8}')
            {
                warnings.push(format!(
                    "the pattern {:?} holds a backspace: in a string, \"\\b\" is a backspace; \
                     write \"\\\\b\" for a word boundary",
                    re.as_str()
                ));
            }
        });
        warnings
    }

    /// Adds the top-level member names this expression reads to `out`; false if it reads the
    /// whole event.
    pub fn roots(&self, out: &mut Vec<String>) -> bool {
        let mut add = |s: &String| {
            if !out.contains(s) {
                out.push(s.clone());
            }
        };
        match self {
            Expr::Lit(_) => true,
            Expr::Path(segs) => match segs.first() {
                Some(Seg::Key(k)) => {
                    add(k);
                    true
                }
                Some(Seg::Index(_)) => true,
                None => false,
            },
            Expr::Array(items) | Expr::Call(_, items) => items.iter().all(|e| e.roots(out)),
            Expr::Not(e) | Expr::Neg(e) => e.roots(out),
            Expr::If(c, a, b) => {
                c.roots(out) & a.roots(out) & b.as_ref().is_none_or(|b| b.roots(out))
            }
            Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Cmp(_, a, b)
            | Expr::Arith(_, a, b)
            | Expr::In(a, b) => a.roots(out) & b.roots(out),
            Expr::Match {
                subject, pattern, ..
            } => {
                let p = match pattern {
                    Pattern::Fixed(_) => true,
                    Pattern::Dynamic(e) => e.roots(out),
                };
                subject.roots(out) & p
            }
        }
    }
}

/// How deeply an expression may nest (parentheses, brackets, calls, `not`, unary `-`, and each
/// operator of a chain such as `1+1+...`, which nests its left side). Evaluating and dropping
/// a tree recurse over it, so a hostile expression must not be able to exhaust the stack.
pub const MAX_NESTING: usize = 256;

pub fn parse(tokens: &[Token], source_len: usize) -> Result<Expr, ParseError> {
    let mut p = Parser {
        t: tokens,
        i: 0,
        end_col: source_len + 1,
        depth: 0,
    };
    if tokens.is_empty() {
        return Err(ParseError::new(1, "empty expression"));
    }
    let e = p.or()?;
    if let Some(t) = p.t.get(p.i) {
        return Err(ParseError::new(
            t.col,
            format!(
                "unexpected {} after a complete expression",
                t.tok.describe()
            ),
        ));
    }
    Ok(e)
}

/// Makes the node of a binary operator from its two sides.
type Join = fn(Box<Expr>, Box<Expr>) -> Expr;

struct Parser<'t> {
    t: &'t [Token],
    i: usize,
    end_col: usize,
    /// The nesting of the tree being built at this point.
    depth: usize,
}

impl Parser<'_> {
    /// Goes one level deeper, or refuses to.
    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(ParseError::new(
                self.col(),
                format!("the expression nests more than {MAX_NESTING} levels deep"),
            ));
        }
        Ok(())
    }

    /// Parses one level deeper, then comes back up.
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        self.enter()?;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i).map(|t| &t.tok)
    }

    fn col(&self) -> usize {
        self.t.get(self.i).map_or(self.end_col, |t| t.col)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s == w)
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(&tok) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    fn unexpected(&self, wanted: &str) -> ParseError {
        match self.t.get(self.i) {
            Some(t) => ParseError::new(
                t.col,
                format!("expected {wanted}, found {}", t.tok.describe()),
            ),
            None => ParseError::new(
                self.end_col,
                format!("expected {wanted}, found the end of the expression"),
            ),
        }
    }

    /// A left-leaning chain `a OP b OP c ...`: each operator nests the left side one level
    /// deeper, and counts while the rest of the chain is parsed.
    fn chain(
        &mut self,
        operand: fn(&mut Self) -> Result<Expr, ParseError>,
        op: fn(&Self) -> Option<Join>,
    ) -> Result<Expr, ParseError> {
        let entered = self.depth;
        let mut e = operand(self);
        while let Ok(left) = e {
            let Some(make) = op(self) else {
                e = Ok(left);
                break;
            };
            self.i += 1;
            e = self
                .enter()
                .and_then(|()| operand(self))
                .map(|right| make(Box::new(left), Box::new(right)));
        }
        self.depth = entered;
        e
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        self.chain(Self::and, |p| {
            (p.is_word("or") || p.peek() == Some(&Tok::OrOr)).then_some(Expr::Or as Join)
        })
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        self.chain(Self::not, |p| {
            (p.is_word("and") || p.peek() == Some(&Tok::AndAnd)).then_some(Expr::And as Join)
        })
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        if self.is_word("not") || self.peek() == Some(&Tok::Bang) {
            self.i += 1;
            return self.nested(|p| Ok(Expr::Not(Box::new(p.not()?))));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let lhs = self.sum()?;
        let op_col = self.col();
        let op = match self.peek() {
            Some(Tok::Eq) => Some(CmpOp::Eq),
            Some(Tok::Ne) => Some(CmpOp::Ne),
            Some(Tok::Lt) => Some(CmpOp::Lt),
            Some(Tok::Le) => Some(CmpOp::Le),
            Some(Tok::Gt) => Some(CmpOp::Gt),
            Some(Tok::Ge) => Some(CmpOp::Ge),
            _ => None,
        };
        let e = if let Some(op) = op {
            self.i += 1;
            Expr::Cmp(op, Box::new(lhs), Box::new(self.sum()?))
        } else if matches!(self.peek(), Some(Tok::Match | Tok::NotMatch)) {
            let negate = self.peek() == Some(&Tok::NotMatch);
            self.i += 1;
            let pat_col = self.col();
            let pattern = match self.sum()? {
                Expr::Lit(Value::String(s)) => Pattern::Fixed(Regex::new(&s).map_err(|e| {
                    ParseError::new(pat_col, format!("invalid regular expression: {e}"))
                })?),
                Expr::Lit(other) => {
                    return Err(ParseError::new(
                        pat_col,
                        format!(
                            "a regular expression must be a string, not {}",
                            other.type_name()
                        ),
                    ));
                }
                dynamic => Pattern::Dynamic(Box::new(dynamic)),
            };
            Expr::Match {
                subject: Box::new(lhs),
                pattern,
                negate,
            }
        } else if self.is_word("in") {
            self.i += 1;
            Expr::In(Box::new(lhs), Box::new(self.sum()?))
        } else {
            return Ok(lhs);
        };
        if matches!(
            self.peek(),
            Some(
                Tok::Eq
                    | Tok::Ne
                    | Tok::Lt
                    | Tok::Le
                    | Tok::Gt
                    | Tok::Ge
                    | Tok::Match
                    | Tok::NotMatch
            )
        ) || self.is_word("in")
        {
            return Err(ParseError::new(
                self.col(),
                format!(
                    "comparisons do not chain; add parentheses or 'and' (the first comparison is at column {op_col})"
                ),
            ));
        }
        Ok(e)
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        self.chain(Self::product, |p| {
            let make: Join = match p.peek() {
                Some(Tok::Plus) => |a, b| Expr::Arith(ArithOp::Add, a, b),
                Some(Tok::Minus) => |a, b| Expr::Arith(ArithOp::Sub, a, b),
                _ => return None,
            };
            Some(make)
        })
    }

    fn product(&mut self) -> Result<Expr, ParseError> {
        self.chain(Self::unary, |p| {
            let make: Join = match p.peek() {
                Some(Tok::Star) => |a, b| Expr::Arith(ArithOp::Mul, a, b),
                Some(Tok::Slash) => |a, b| Expr::Arith(ArithOp::Div, a, b),
                Some(Tok::Percent) => |a, b| Expr::Arith(ArithOp::Rem, a, b),
                _ => return None,
            };
            Some(make)
        })
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.peek() == Some(&Tok::Minus) {
            self.i += 1;
            // A negative literal stays a literal, so `-1` keeps its exact text.
            if let Some(Tok::Num(n)) = self.peek() {
                let text = format!("-{n}");
                self.i += 1;
                return Ok(Expr::Lit(Value::Number(
                    Number::parse(&text).unwrap_or(Number::Int(0)),
                )));
            }
            return self.nested(|p| Ok(Expr::Neg(Box::new(p.unary()?))));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let col = self.col();
        let Some(tok) = self.peek().cloned() else {
            return Err(self.unexpected("a value"));
        };
        self.i += 1;
        Ok(match tok {
            Tok::Path(segs) => Expr::Path(segs),
            Tok::Str(s) => Expr::Lit(Value::String(s.into())),
            Tok::Num(n) => Expr::Lit(Value::Number(Number::parse(&n).unwrap_or(Number::Int(0)))),
            Tok::LParen => {
                let e = self.nested(Self::or)?;
                self.expect(Tok::RParen, "')'")?;
                e
            }
            Tok::LBracket => {
                let items = self.nested(|p| p.list(Tok::RBracket, "']'"))?;
                if items.iter().all(|e| matches!(e, Expr::Lit(_))) {
                    Expr::Lit(Value::Array(
                        items
                            .into_iter()
                            .map(|e| match e {
                                Expr::Lit(v) => v,
                                _ => Value::Null,
                            })
                            .collect(),
                    ))
                } else {
                    Expr::Array(items)
                }
            }
            Tok::Ident(word) => match word.as_str() {
                "true" => Expr::Lit(Value::Bool(true)),
                "false" => Expr::Lit(Value::Bool(false)),
                "null" => Expr::Lit(Value::Null),
                "and" | "or" | "not" | "in" | "then" | "else" | "end" => {
                    self.i -= 1;
                    return Err(self.unexpected("a value"));
                }
                "if" => {
                    let cond = self.nested(Self::or)?;
                    self.keyword("then")?;
                    let then = self.nested(Self::or)?;
                    let otherwise = if self.peek() == Some(&Tok::Ident("else".into())) {
                        self.i += 1;
                        Some(Box::new(self.nested(Self::or)?))
                    } else {
                        None
                    };
                    self.keyword("end")?;
                    Expr::If(Box::new(cond), Box::new(then), otherwise)
                }
                name => {
                    let called = self.peek() == Some(&Tok::LParen);
                    let func = Func::by_name(name).ok_or_else(|| {
                        if called {
                            return ParseError::new(col, super::func::unknown(name));
                        }
                        // A bare name is most often the rest of a key with a '-' in it.
                        let tok = |back: usize| {
                            self.i.checked_sub(back).and_then(|i| self.t.get(i)).map(|t| &t.tok)
                        };
                        let hint = match (tok(3), tok(2)) {
                            (Some(Tok::Path(segs)), Some(Tok::Minus)) => match segs.as_slice() {
                                [Seg::Key(k)] => format!(
                                    "; for the key \"{k}-{name}\" write .\"{k}-{name}\" (.{k}-{name} \
                                     is .{k} minus {name})"
                                ),
                                _ => "; a key with '-' in it is quoted: .\"a-b\"".to_string(),
                            },
                            _ => "; a key is written .name, a string \"name\"".to_string(),
                        };
                        ParseError::new(col, format!("'{name}' is not a value{hint}"))
                    })?;
                    if self.peek() != Some(&Tok::LParen) {
                        return Err(self.unexpected(&format!("'(' after {name}")));
                    }
                    self.i += 1;
                    let args = self.nested(|p| p.list(Tok::RParen, "')'"))?;
                    func.check(&args)
                        .map_err(|msg| ParseError::new(col, format!("{name}(): {msg}")))?;
                    Expr::Call(func, args)
                }
            },
            other => {
                self.i -= 1;
                return Err(ParseError::new(
                    col,
                    format!("expected a value, found {}", other.describe()),
                ));
            }
        })
    }

    /// The keyword `word`, or an error saying it was expected.
    fn keyword(&mut self, word: &str) -> Result<(), ParseError> {
        if self.peek() == Some(&Tok::Ident(word.into())) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{word}'")))
        }
    }

    /// Comma-separated expressions up to `close`, which is consumed.
    fn list(&mut self, close: Tok, what: &str) -> Result<Vec<Expr>, ParseError> {
        let mut items = Vec::new();
        if self.peek() == Some(&close) {
            self.i += 1;
            return Ok(items);
        }
        loop {
            items.push(self.or()?);
            if self.peek() == Some(&Tok::Comma) {
                self.i += 1;
            } else {
                self.expect(close, &format!("',' or {what}"))?;
                return Ok(items);
            }
        }
    }
}
