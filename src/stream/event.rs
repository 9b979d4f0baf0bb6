//! An event as stages see it: the validated raw line, parsed only as far as someone asks.

use crate::expr::{Input, Seg};
use crate::json::{self, Span, Value};

/// One input event. The line has been checked to be one JSON object; `fields` lists where the
/// top-level members the stages asked for sit in it, so reading them costs no second scan.
pub struct Event<'a> {
    raw: &'a [u8],
    wanted: &'a [String],
    found: &'a [Option<Span>],
    source: &'a str,
    line: u64,
}

impl<'a> Event<'a> {
    pub fn new(
        raw: &'a [u8],
        wanted: &'a [String],
        found: &'a [Option<Span>],
        source: &'a str,
        line: u64,
    ) -> Event<'a> {
        Event {
            raw,
            wanted,
            found,
            source,
            line,
        }
    }

    /// The line exactly as it arrived, without its line ending.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The file the event came from (`-` for standard input).
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The event's line number in its source, from 1.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The whole event as a value.
    pub fn parse(&self) -> Value<'a> {
        // The engine validated the line before making the event, so this cannot fail.
        json::parse_value(self.raw).unwrap_or(Value::Null)
    }

    /// The raw text of top-level member `key`.
    fn member(&self, key: &str) -> Option<&'a [u8]> {
        match self
            .wanted
            .iter()
            .position(|w| json::bytes_eq(w.as_bytes(), key.as_bytes()))
        {
            Some(i) => self.found[i].map(|(s, e)| &self.raw[s as usize..e as usize]),
            None => json::find_member(self.raw, key),
        }
    }
}

impl<'s, 'a: 's> Input<'s> for Event<'a> {
    fn get(&self, path: &[Seg]) -> Option<Value<'s>> {
        let (first, rest) = path.split_first()?;
        let mut text = match first {
            Seg::Key(k) => self.member(k)?,
            Seg::Index(_) => return None,
        };
        for seg in rest {
            text = match seg {
                Seg::Key(k) => json::find_member(text, k)?,
                Seg::Index(i) => json::nth_element(text, *i)?,
            };
        }
        json::parse_value(text).ok()
    }

    fn whole(&self) -> Value<'s> {
        self.parse()
    }

    fn line(&self) -> Option<u64> {
        Some(self.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Program;

    #[test]
    fn fields_come_from_the_scan_or_a_lookup() {
        let raw = br#"{"a":{"b":[1,{"c":"x"}]},"d":2,"e":null}"#;
        let wanted = vec!["a".to_string(), "zz".to_string()];
        let mut found = Vec::new();
        json::scan_object(raw, &wanted, &mut found).unwrap();
        let ev = Event::new(raw, &wanted, &found, "-", 7);
        let get = |src: &str| Program::compile(src).unwrap().eval(&ev).unwrap().to_json();
        assert_eq!(get(".a.b[-1].c"), r#""x""#);
        assert_eq!(get(".d"), "2");
        assert_eq!(get(".zz"), "null");
        assert_eq!(get(".a.b[5]"), "null");
        assert_eq!(get("line()"), "7");
        assert_eq!(get("."), r#"{"a":{"b":[1,{"c":"x"}]},"d":2,"e":null}"#);
        assert!(
            Program::compile("exists(.e)")
                .unwrap()
                .matches(&ev)
                .unwrap()
        );
        assert!(
            !Program::compile("exists(.zz)")
                .unwrap()
                .matches(&ev)
                .unwrap()
        );
    }
}
