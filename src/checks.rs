//! Properties that must hold for any input whatsoever, checked by the fuzz targets in fuzz/ and,
//! on every input a fuzzer ever found failing (kept in fuzz/regressions/), by the tests. Each
//! panics when its property does not hold.

use crate::chain::note::{self, Verifier};
use crate::chain::verify::{Checker, Trust};
use crate::expr::Program;
use crate::json;

/// The validating scan (with the fields it records) and the building parser agree on every
/// line, and what they build writes back and parses the same.
pub fn json_line(data: &[u8]) {
    let wanted = ["a".to_string(), "b".to_string()];
    let mut found = Vec::new();
    let scanned = json::scan_object(data, &wanted, &mut found);
    let built = json::parse_value(data);
    if scanned.is_ok() {
        let v = built.expect("a line the scan accepts must parse");
        assert!(matches!(v, json::Value::Object(_)));
        let text = v.to_json();
        let again = json::parse_value(text.as_bytes()).expect("written JSON parses");
        assert_eq!(again.to_json(), text, "writing is stable");
        // The quick member scan (annotate's splicing) sees the members the parser sees.
        let json::Value::Object(members) = &v else {
            unreachable!()
        };
        let texts = json::member_texts(data);
        assert_eq!(texts.len(), members.len(), "member count");
        for ((name, text), (k, val)) in texts.iter().zip(members) {
            assert!(json::key_equals(name, k), "member name");
            let parsed = json::parse_value(text).expect("a member's text parses");
            assert_eq!(parsed.to_json(), val.to_json(), "member value");
        }
    }
}

const EVENTS: &[&str] = &[
    r#"{"a":1,"b":"x","c":[1,2,{"d":null}],"e":{"f":1.5e300}}"#,
    r#"{"a":"(","b":-9223372036854775808,"c":"2024-01-01T00:00:10Z","d":true}"#,
    r#"{"a":1e-400,"b":123456789012345678901234567890,"c":"\ud83d\ude00","d":[]}"#,
    r#"{}"#,
];

/// Any text compiles or is a syntax error, and what compiles evaluates against events of every
/// shape.
pub fn expr(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(program) = Program::compile(source) else {
        return;
    };
    for e in EVENTS {
        let v = json::parse_value(e.as_bytes()).expect("the events parse");
        let _ = program.eval(&v).map(|v| v.to_json());
        let _ = program.matches(&v);
    }
}

/// RFC 8785: the canonical form is a fixed point, and parsing it keeps the canonical form.
pub fn canonical(data: &[u8]) {
    one_pass_canonical(data);
    let Ok(v) = json::parse_value(data) else {
        return;
    };
    let Ok(c) = json::canonical(&v) else {
        return;
    };
    let again = json::parse_value(c.as_bytes()).expect("canonical JSON parses");
    let c2 = json::canonical(&again).expect("canonical JSON has a canonical form");
    assert_eq!(c, c2, "canonicalizing is idempotent");
}

/// The passes that validate and canonicalise at once give what checking the line and then
/// canonicalising it give: the same error for a line that is not an object, the same bytes or
/// reason otherwise.
pub fn one_pass_canonical(data: &[u8]) {
    let two_passes = |line: &[u8]| {
        json::scan_object(line, &[""; 0], &mut Vec::new())
            .map(|()| json::canonical_text(line).map(String::into_bytes))
    };
    let mut out = b"kept".to_vec();
    let one = json::check_and_canonicalize(data, &mut out);
    let one = one.map(|r| r.map(|()| out[4..].to_vec()));
    assert_eq!(one, two_passes(data), "entwine's one pass");
    if let Ok(Err(_)) = one {
        assert_eq!(out, b"kept", "left as it was");
    }
    // Canonical text is its own canonical text, found as it came (what verify reads back).
    if let Ok(Ok(canonical)) = &one {
        let mut again = Vec::new();
        let r = json::check_and_canonicalize(canonical, &mut again);
        assert_eq!(r, Ok(Ok(())), "canonical text refused");
        assert_eq!(&again, canonical, "canonical text changed");
    }

    // As verify reads a record line: the event is one member among others.
    let mut line = br#"{"type":"record","event":"#.to_vec();
    line.extend_from_slice(data);
    line.extend_from_slice(br#","seq":1}"#);
    let wanted = ["type", "event", "seq"];
    let mut found = Vec::new();
    let mut out = Vec::new();
    let one = json::scan_object_canonicalizing(&line, &wanted, &mut found, 1, &mut out);
    let mut spans = Vec::new();
    let two = json::scan_object(&line, &wanted, &mut spans);
    match (one, two) {
        (Err(a), Err(b)) => assert_eq!(a, b, "verify's one pass, an error"),
        (Ok(Some(r)), Ok(())) => {
            assert_eq!(found, spans, "verify's one pass, the spans");
            let (s, e) = spans[1].expect("the event member");
            let text = &line[s as usize..e as usize];
            let want = json::canonical_text(text).map(String::into_bytes);
            assert_eq!(r.map(|()| out), want, "verify's one pass, the bytes");
        }
        (a, b) => panic!("verify's one pass: {a:?} where two passes give {b:?}"),
    }
}

/// Signed notes, checkpoints and key strings are parsed or refused.
pub fn note(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = note::parse_checkpoint(text);
    let _ = note::signature_blob(text);
    let _ = Verifier::parse(text);
    let _ = note::Signer::parse(text);
    if let Ok(v) = Verifier::parse(TRUST.trim()) {
        let _ = v.open_note(text);
    }
    let _ = crate::chain::witness::Cosigner::parse(text);
    if let Ok(req) = crate::chain::witness::parse_request(text) {
        // What parses is written back the same way.
        let again = crate::chain::witness::request_body(req.old_size, &req.proof, &req.note);
        assert_eq!(again, text, "an add-checkpoint body round-trips");
    }
}

/// The key of the seed notes and exports in fuzz/seeds (made with `binge entwine`).
const TRUST: &str = "example.org/a+b9199071+AXi26UO2w3wItHAjyVgJegQDXBL9Y+EYj5kKq/9sqG48\n";

/// Any sequence of export lines is checked, refused as unusable, or reported with findings.
pub fn verify_export(data: &[u8]) {
    let trust = Trust::parse(TRUST).expect("the trust parses");
    let mut checker = Checker::new(trust);
    checker.begin_file();
    for line in data.split(|&b| b == b'\n') {
        let Ok(v) = json::parse_value(line) else {
            continue;
        };
        if checker.line(&v).is_err() {
            return;
        }
    }
    let _ = checker.finish();
}
