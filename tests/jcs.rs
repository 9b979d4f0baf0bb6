//! RFC 8785 canonicalization vectors (cyberphone/json-canonicalization, Apache-2.0):
//! every input must canonicalize to exactly its expected output.

use crate::util::data;

#[test]
fn rfc8785_vectors() {
    let dir = data("jcs/input");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        let input = std::fs::read(&path).unwrap();
        let expected = std::fs::read(data("jcs/output").join(&name)).unwrap();
        let value = agglo::json::parse_value(&input).unwrap();
        let got = agglo::json::canonical(&value).unwrap();
        assert_eq!(
            got.as_bytes(),
            expected.as_slice(),
            "{}",
            name.to_string_lossy()
        );
        // verify canonicalises straight from the text: the same bytes.
        let from_text = agglo::json::canonical_text(&input).unwrap();
        assert_eq!(from_text, got, "{}", name.to_string_lossy());
        n += 1;
    }
    assert_eq!(n, 6);
}

/// 100,000 number literals with the text ECMAScript writes for them (Node's JSON.stringify,
/// made by tests/data/jcs-numbers/generate.js): binge's canonical numbers are standard JCS.
#[test]
fn numbers_as_ecmascript_writes_them() {
    let text = std::fs::read_to_string(data("jcs-numbers/numbers.txt")).unwrap();
    let mut wrong = Vec::new();
    let mut n = 0;
    for line in text.lines() {
        let (literal, want) = line.split_once('\t').unwrap();
        let value = agglo::json::parse_value(literal.as_bytes()).unwrap();
        let got = agglo::json::canonical(&value).unwrap();
        if got != want {
            wrong.push(format!("{literal}: {got}, not {want}"));
        }
        let from_text = agglo::json::canonical_text(literal.as_bytes()).unwrap();
        if from_text != want {
            wrong.push(format!("{literal}: {from_text} from the text, not {want}"));
        }
        n += 1;
    }
    assert_eq!(n, 100_000);
    assert!(
        wrong.is_empty(),
        "{} differ:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
}

/// Two events that differ only in an id past 2^53 never hash alike.
#[test]
fn integers_no_double_holds_keep_their_digits_in_the_hash() {
    let hash = |text: &str| {
        let v = agglo::json::parse_value(text.as_bytes()).unwrap();
        agglo::json::canonical(&v).unwrap()
    };
    assert_eq!(
        hash("{\"id\":9007199254740993}"),
        "{\"id\":9007199254740993}"
    );
    assert_ne!(
        hash("{\"id\":9007199254740993}"),
        hash("{\"id\":9007199254740992}")
    );
}

/// entwine and verify check a line and canonicalise its event in one pass: on every file of
/// JSONTestSuite, the RFC 8785 vectors, the number literals and the loghub excerpt, that pass
/// gives what checking and then canonicalising give (the same error, the same bytes).
#[test]
fn one_pass_is_two_passes() {
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for dir in ["jsontestsuite/test_parsing", "jcs/input"] {
        for entry in std::fs::read_dir(data(dir)).unwrap() {
            inputs.push(std::fs::read(entry.unwrap().path()).unwrap());
        }
    }
    let numbers = std::fs::read_to_string(data("jcs-numbers/numbers.txt")).unwrap();
    for line in numbers.lines().take(20_000) {
        let literal = line.split_once('\t').unwrap().0;
        inputs.push(format!(r#"{{"n":{literal},"m":[{literal}]}}"#).into_bytes());
    }
    // Text a step from canonical, which must not be taken as it came: whitespace, members
    // out of order or repeated, escapes RFC 8785 writes otherwise, numbers it writes otherwise.
    for near in [
        r#"{"a":1,"b":[1,2]}"#,
        r#"{"a":1, "b":[1,2]}"#,
        r#"{"a":1,"b":[1, 2]}"#,
        r#"{ "a":1}"#,
        r#"{"a":1 }"#,
        r#"{"a" :1}"#,
        r#"{"b":1,"a":2}"#,
        r#"{"a":1,"a":2}"#,
        r#"{"a":{"c":1,"b":2}}"#,
        r#"{"a":[{"b":1},{"d":2,"c":3}]}"#,
        r#"{"a":[],"b":{},"c":[ ],"d":{ }}"#,
        r#"{"a":"\u0041"}"#,
        r#"{"a":"\/"}"#,
        r#"{"a":"\u001f\n\"\\"}"#,
        r#"{"a":"\u001F"}"#,
        r#"{"a":"\ud83d\ude00"}"#,
        r#"{"\u0061":1}"#,
        r#"{"a":1.0,"b":-0,"c":1E2,"d":1e2,"e":100}"#,
        r#"{"a":12345678901234567890}"#,
        r#"{"a":true,"b":false,"c":null}"#,
        "{\"\u{e9}\":1,\"z\":2}",
        "{\"\u{fb33}\":1,\"\u{1d11e}\":2}",
    ] {
        inputs.push(near.as_bytes().to_vec());
    }
    let loghub = std::fs::read(data("differential/loghub-every-50th.ndjson")).unwrap();
    inputs.extend(loghub.split(|&b| b == b'\n').map(<[u8]>::to_vec));
    assert!(inputs.len() > 20_000);
    for input in &inputs {
        let r = std::panic::catch_unwind(|| agglo::checks::one_pass_canonical(input));
        assert!(r.is_ok(), "{}", String::from_utf8_lossy(input));
    }
}
