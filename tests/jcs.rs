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
