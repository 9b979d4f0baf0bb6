//! Compact JSON output: no spaces, members in their order, numbers as their text, non-ASCII
//! characters as UTF-8, and only the escapes JSON requires.

use super::Value;

pub fn write_value(v: &Value<'_>, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => n.write(out),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(members) => {
            out.push(b'{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(k, out);
                out.push(b':');
                write_value(v, out);
            }
            out.push(b'}');
        }
    }
}

/// Writes the text of a JSON object `raw` with one more member, `"name": value`, at its end,
/// leaving the rest of the text as it was.
pub fn with_member(raw: &[u8], name: &str, value: &[u8], out: &mut Vec<u8>) {
    let end = raw.iter().rposition(|&c| c == b'}').unwrap_or(raw.len());
    let inner = &raw[..end];
    out.extend_from_slice(inner);
    let empty = inner
        .iter()
        .rev()
        .find(|c| !c.is_ascii_whitespace())
        .is_none_or(|&c| c == b'{');
    if !empty {
        out.push(b',');
    }
    write_str(name, out);
    out.push(b':');
    out.extend_from_slice(value);
    out.push(b'}');
}

pub fn write_str(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 15) as usize],
            ]);
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use crate::json::parse_value;

    fn roundtrip(s: &str) -> String {
        parse_value(s.as_bytes()).unwrap().to_json()
    }

    #[test]
    fn compact_and_ordered() {
        assert_eq!(
            roundtrip(r#" { "b" : [1, 2.50, {}], "a": null, "c": true } "#),
            r#"{"b":[1,2.50,{}],"a":null,"c":true}"#
        );
    }

    #[test]
    fn escapes_only_what_json_requires() {
        assert_eq!(
            roundtrip(r#"{"s":"q\" b\\ \n\t\u0001\u00e9\/"}"#),
            "{\"s\":\"q\\\" b\\\\ \\n\\t\\u0001\u{e9}/\"}"
        );
    }

    #[test]
    fn big_numbers_survive() {
        assert_eq!(
            roundtrip(r#"{"id":505874924095815681,"x":1e400}"#),
            r#"{"id":505874924095815681,"x":1e400}"#
        );
    }
}
