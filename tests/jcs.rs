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
        n += 1;
    }
    assert_eq!(n, 6);
}
