use super::*;
use crate::json::parse_value;

const EVENT: &str = r#"{"id":505874924095815681,"v":1.10,"k":"\u00e9t\u00e9","n":3,"f":2.5,"s":"Hello World","neg":-4,"nul":null,"t":true,"arr":[1,"two",{"x":3}],"obj":{"a":{"b":"deep"},"key with spaces":7},"ts":"2024-05-01T10:30:00.250Z","epoch":1714559400,"Content":"Invalid user admin from 1.2.3.4"}"#;

fn eval_on(src: &str, event: &str) -> String {
    let prog = Program::compile(src).unwrap_or_else(|e| panic!("{}", e.render(src)));
    let ev = parse_value(event.as_bytes()).unwrap();
    prog.eval(&ev).unwrap().to_json()
}

fn ev(src: &str) -> String {
    eval_on(src, EVENT)
}

fn is(src: &str) -> bool {
    let prog = Program::compile(src).unwrap_or_else(|e| panic!("{}", e.render(src)));
    let ev = parse_value(EVENT.as_bytes()).unwrap();
    prog.matches(&ev).unwrap()
}

fn err(src: &str) -> ParseError {
    Program::compile(src).expect_err(src)
}

#[test]
fn paths_read_members_elements_and_the_whole_event() {
    assert_eq!(ev(".n"), "3");
    assert_eq!(ev(".obj.a.b"), r#""deep""#);
    assert_eq!(ev(".arr[0]"), "1");
    assert_eq!(ev(".arr[-1].x"), "3");
    assert_eq!(ev(r#".obj."key with spaces""#), "7");
    assert_eq!(ev(r#".obj["key with spaces"]"#), "7");
    assert_eq!(eval_on(".", r#"{"a":[1,2.0]}"#), r#"{"a":[1,2.0]}"#);
}

#[test]
fn missing_paths_are_null() {
    for p in [
        ".nope",
        ".obj.nope.deeper",
        ".arr[9]",
        ".arr[-9]",
        ".n.x",
        ".s[0]",
        ".nul.x",
    ] {
        assert_eq!(ev(p), "null", "{p}");
    }
    assert!(is(".nope == null"));
    assert!(!is(".nope"));
}

#[test]
fn exists_tells_missing_from_null() {
    assert!(is("exists(.nul)"));
    assert!(!is("exists(.nope)"));
    assert!(is("exists(.arr[2].x)"));
    assert!(is("exists(.)"));
    assert!(err("exists(1)").message.contains("must be a path"));
}

#[test]
fn precedence() {
    assert_eq!(ev("1 + 2 * 3"), "7");
    assert_eq!(ev("(1 + 2) * 3"), "9");
    assert_eq!(ev("10 - 4 - 3"), "3");
    assert_eq!(ev("2 * 3 % 4"), "2");
    assert_eq!(ev("-2 * 3"), "-6");
    assert_eq!(ev("- .n * 2"), "-6");
    assert!(is("true or false and false"));
    assert!(!is("(true or false) and false"));
    assert!(is("not false and true"));
    assert!(!is("not .n == 3"));
    assert!(is("1 + 1 == 2 and .n > 2"));
    assert!(is("false || !false && true"));
}

#[test]
fn comparisons() {
    assert!(is(".n == 3") && is(".n == 3.0") && is(".n != 4"));
    assert!(is(".n < 4") && is(".n <= 3") && is(".n > 2.99") && is(".n >= 3"));
    assert!(is(r#".s < "Z""#) && is(r#""a" > "B""#));
    assert!(is(".v == 1.1") && is(".v == 1.10"));
    assert!(is(".arr == [1, \"two\", .arr[2]]"));
    assert!(!is(".arr == [1, \"two\"]"));
}

#[test]
fn type_mismatches_are_false_not_errors() {
    assert!(!is(r#".n == "3""#));
    assert!(is(r#".n != "3""#));
    assert!(!is(r#".n < "4""#));
    assert!(!is(r#".n > "4""#));
    assert!(!is(".nope < 1") && !is(".nope > 1"));
    assert!(!is(".t > false"));
    assert!(!is(".arr < .arr"));
    assert_eq!(ev(r#".n + "x""#), "null");
    assert_eq!(ev(".s * 2"), "null");
    assert_eq!(ev("- .s"), "null");
}

#[test]
fn big_integers_compare_exactly() {
    assert!(is(".id == 505874924095815681"));
    assert!(!is(".id == 505874924095815680"));
    assert!(is(".id > 505874924095815680"));
    assert!(is(".id < 505874924095815682"));
    assert_eq!(ev(".id"), "505874924095815681");
    assert!(is(
        "123456789012345678901234567890 > 123456789012345678901234567889"
    ));
}

#[test]
fn arithmetic() {
    assert_eq!(ev(".n + 1"), "4");
    assert_eq!(ev(".n - 5"), "-2");
    assert_eq!(ev(".n * .f"), "7.5");
    assert_eq!(ev(".n / 2"), "1.5");
    assert_eq!(ev("6 / 3"), "2");
    assert_eq!(ev("7 % 3"), "1");
    assert_eq!(ev("-7 % 3"), "-1");
    assert_eq!(ev("7.5 % 2"), "1.5");
    assert_eq!(ev("1 / 0"), "null");
    assert_eq!(ev("1 % 0"), "null");
    // Integers stay exact past 64 bits (up to 128), and beyond that are floating point.
    assert_eq!(ev("9223372036854775807 + 1"), "9223372036854775808");
    assert_eq!(ev("-9223372036854775808 + 0"), "-9223372036854775808");
    assert_eq!(ev("-(-9223372036854775808)"), "9223372036854775808");
    assert_eq!(
        ev("170141183460469231731687303715884105727 + 1"),
        "170141183460469230000000000000000000000"
    );
    // number() reads text as people write it, time() as --time reads event times.
    assert_eq!(ev(r#"number("081110")"#), "81110");
    assert_eq!(ev(r#"number(" 42 ")"#), "42");
    assert_eq!(ev(r#"number("+0.50")"#), "0.50");
    assert_eq!(ev(r#"number("000.5")"#), "0.5");
    assert_eq!(ev(r#"number("0")"#), "0");
    assert_eq!(ev(r#"number("-007")"#), "-7");
    assert_eq!(ev(r#"number("1x")"#), "null");
    assert_eq!(ev(r#"time("2024-01-01 00:00:10")"#), "1704067210000");
    assert_eq!(ev(r#"time("2024-01-01T00:00:10+01:00")"#), "1704063610000");
    assert_eq!(ev(r#""ab" + "cd""#), r#""abcd""#);
    assert_eq!(ev("[1] + [2, 3]"), "[1,2,3]");
    assert_eq!(ev("-.neg"), "4");
    assert_eq!(ev("0.1 + 0.2"), "0.30000000000000004");
}

#[test]
fn in_operator() {
    assert!(is("3 in [1, 2, 3]") && !is("4 in [1, 2, 3]"));
    assert!(is(r#""two" in .arr"#));
    assert!(is(r#""a" in .obj"#) && !is(r#""zz" in .obj"#));
    assert!(is(r#""World" in .s"#) && !is(r#""world" in .s"#));
    assert!(!is("1 in .n"));
}

#[test]
fn regex_matching() {
    assert!(is(r#".Content =~ "^Invalid user""#));
    assert!(!is(r#".Content !~ "^Invalid user""#));
    assert!(is(r#".Content =~ "\d+\.\d+\.\d+\.\d+$""#));
    assert!(is(r#".k =~ "^été$""#));
    assert!(is(r#".s =~ "(?i)hello""#));
    // Non-strings match nothing, whichever way round.
    assert!(!is(r#".n =~ "3""#) && !is(r#".n !~ "3""#) && !is(r#".nope =~ ".""#));
    // A pattern computed per event.
    assert!(is(r#".s =~ lower("^H")  or .s =~ upper("^h")"#));
    // A pattern computed per event that is no regular expression: an error for that event.
    let p = Program::compile(r#".s =~ ("(" + "")"#).unwrap();
    let e = p
        .matches(&parse_value(EVENT.as_bytes()).unwrap())
        .unwrap_err();
    assert!(e.0.contains("is not a regular expression"), "{e}");
    let e = err(r#".s =~ "(unclosed""#);
    assert_eq!(e.column, 7);
    assert!(e.message.contains("invalid regular expression"));
    assert!(err(".s =~ 1").message.contains("must be a string"));
}

#[test]
fn unicode() {
    assert_eq!(ev("len(.k)"), "3");
    assert_eq!(ev("upper(.k)"), r#""ÉTÉ""#);
    assert_eq!(ev(r#"lower("ÀÉÎ")"#), r#""àéî""#);
    assert!(is(r#".k == "été""#));
    assert!(is(r#".k == "\u00e9t\u00e9""#));
    assert!(is(r#"starts_with(.k, "é")"#));
    assert_eq!(eval_on(".ключ", r#"{"ключ":"значение"}"#), r#""значение""#);
}

#[test]
fn string_functions() {
    assert_eq!(ev("len(.s)"), "11");
    assert_eq!(ev("len(.arr)"), "3");
    assert_eq!(ev("len(.obj)"), "2");
    assert_eq!(ev("len(.nope)"), "0");
    assert_eq!(ev("len(.n)"), "null");
    assert_eq!(ev("lower(.s)"), r#""hello world""#);
    assert_eq!(ev("upper(.s)"), r#""HELLO WORLD""#);
    assert_eq!(ev("lower(.n)"), "null");
    assert!(is(r#"starts_with(.s, "Hello")"#) && !is(r#"starts_with(.s, "World")"#));
    assert!(is(r#"ends_with(.s, "World")"#) && !is(r#"ends_with(.s, "Hello")"#));
    assert!(is(r#"contains(.s, "lo W")"#) && !is(r#"contains(.s, "xyz")"#));
    assert!(is(r#"contains(.arr, "two")"#));
    assert_eq!(ev("starts_with(.n, 3)"), "null");
}

#[test]
fn conversions() {
    assert_eq!(ev(r#"number("42")"#), "42");
    assert_eq!(ev(r#"number(" 1.50 ")"#), "1.50");
    assert_eq!(ev(r#"number("x")"#), "null");
    assert_eq!(ev("number(.n)"), "3");
    assert_eq!(ev("number(.t)"), "null");
    assert!(is(r#"number("505874924095815681") == .id"#));
    assert_eq!(ev("string(.n)"), r#""3""#);
    assert_eq!(ev("string(.s)"), r#""Hello World""#);
    assert_eq!(ev("string(.obj.a)"), r#""{\"b\":\"deep\"}""#);
    assert_eq!(ev("string(.id)"), r#""505874924095815681""#);
}

#[test]
fn time_functions() {
    assert_eq!(ev("time(.ts)"), "1714559400250");
    assert_eq!(ev("time(.epoch)"), "1714559400000");
    assert_eq!(ev("time(.s)"), "null");
    assert!(is("time(.ts) > time(.epoch)"));
    assert!(is("now() > 1700000000000"));
    assert!(is("now() - time(.ts) > 0"));
}

#[test]
fn other_functions() {
    assert_eq!(
        ev(r#"sha256("abc")"#),
        r#""ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad""#
    );
    assert_eq!(ev("sha256(.obj.a)"), ev(r#"sha256("{\"b\":\"deep\"}")"#));
    assert_eq!(ev("coalesce(.nope, .nul, .n, 9)"), "3");
    assert_eq!(ev("coalesce(.nope)"), "null");
    assert_eq!(ev("hostname()"), format!("\"{}\"", crate::sys::hostname()));
    assert_eq!(ev(r#"env("BINGE_SURELY_UNSET_VARIABLE")"#), "null");
    // SAFETY: the variable is read only by this test.
    unsafe { std::env::set_var("BINGE_EXPR_TEST_VAR", "yes") };
    assert_eq!(ev(r#"env("BINGE_EXPR_TEST_VAR")"#), r#""yes""#);
    assert!(is(
        r#"uuid7() =~ "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$""#
    ));
    assert!(is("uuid7() != uuid7()"));
    assert_eq!(ev("line()"), "null");
}

#[test]
fn literals() {
    assert_eq!(
        ev("[1, \"a\", null, true, [2.50]]"),
        r#"[1,"a",null,true,[2.50]]"#
    );
    assert_eq!(ev("[.n, .s]"), r#"[3,"Hello World"]"#);
    assert_eq!(ev("-1.5e3"), "-1.5e3");
    assert_eq!(ev(r#""tab\tquote\"""#), r#""tab\tquote\"""#);
    assert_eq!(ev("[]"), "[]");
}

#[test]
fn roots_list_what_is_read() {
    let p = Program::compile(r#".system == "x" and .Content =~ "y" or .a.b > .system"#).unwrap();
    assert_eq!(
        p.roots(),
        Some(vec!["system".into(), "Content".into(), "a".into()])
    );
    assert_eq!(Program::compile("len(.) > 2").unwrap().roots(), None);
    assert_eq!(Program::compile("true").unwrap().roots(), Some(vec![]));
}

#[test]
fn syntax_errors_carry_the_column() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "empty expression"),
        (".a ==", 6, "found the end"),
        (".a == == 1", 7, "expected a value"),
        (".a = 1", 4, "use '=='"),
        ("(.a == 1", 9, "expected ')'"),
        (".a .b", 4, "unexpected a path"),
        ("foo(1)", 1, "unknown function 'foo'"),
        ("len(1, 2)", 1, "takes 1 argument"),
        ("now", 4, "'(' after now"),
        ("1 < 2 < 3", 7, "do not chain"),
        ("[1, 2", 6, "',' or ']'"),
        (".a and", 7, "found the end"),
        ("\"abc", 1, "unterminated string"),
        (".é == @", 7, "unexpected character '@'"),
    ];
    for (src, col, msg) in cases {
        let e = err(src);
        assert_eq!(e.column, *col, "{src}: {e}");
        assert!(e.message.contains(msg), "{src}: {e}");
    }
}

#[test]
fn render_marks_the_column() {
    let src = ".a == == 1";
    let shown = err(src).render(src);
    assert_eq!(
        shown,
        "syntax error at column 7: expected a value, found '=='\n  .a == == 1\n        ^"
    );
}

#[test]
fn standalone_paths() {
    assert_eq!(
        parse_path(".a.b[0]").unwrap(),
        vec![Seg::Key("a".into()), Seg::Key("b".into()), Seg::Index(0)]
    );
    assert_eq!(
        parse_path("message").unwrap(),
        vec![Seg::Key("message".into())]
    );
    assert_eq!(parse_path(".").unwrap(), vec![]);
    assert_eq!(
        parse_path(r#"."a=b".c"#).unwrap(),
        vec![Seg::Key("a=b".into()), Seg::Key("c".into())]
    );
    assert_eq!(parse_path(".a + 1").unwrap_err().column, 4);
    assert_eq!(parse_path("a b").unwrap_err().column, 3);
    assert!(parse_path("").is_ok());
}

#[test]
fn assignments_split_outside_quotes() {
    assert_eq!(split_assignment(".a=1"), Some((".a", "1")));
    assert_eq!(
        split_assignment(r#"."x=y"=.b == 2"#),
        Some((r#"."x=y""#, ".b == 2"))
    );
    assert_eq!(
        split_assignment(r#"."q\"=z"=1"#),
        Some((r#"."q\"=z""#, "1"))
    );
    assert_eq!(split_assignment(".a"), None);
}

/// Every function of the library: what it gives, and null for missing values and wrong types.
#[test]
fn the_function_library() {
    let cases: &[(&str, &str)] = &[
        // Values
        ("type(.n)", r#""number""#),
        ("type(.nope)", r#""null""#),
        ("type(.arr)", r#""array""#),
        ("type(.obj)", r#""object""#),
        ("type(.t)", r#""boolean""#),
        ("type(.s)", r#""string""#),
        ("is_null(.nope)", "true"),
        ("is_bool(.t)", "true"),
        ("is_number(.s)", "false"),
        ("is_string(.s)", "true"),
        ("is_array(.arr)", "true"),
        ("is_object(.obj)", "true"),
        (r#"parse_json("{\"a\":[1,2.50]}")"#, r#"{"a":[1,2.50]}"#),
        (r#"parse_json("not json")"#, "null"),
        ("to_json(.arr)", r#""[1,\"two\",{\"x\":3}]""#),
        ("to_json(.id)", r#""505874924095815681""#),
        // Strings
        (r#"split(.s, " ")"#, r#"["Hello","World"]"#),
        (r#"split(.nope, " ")"#, "null"),
        (r#"join(["a", 1, null, "b"], "-")"#, r#""a-1--b""#),
        (r#"join(.s, "-")"#, "null"),
        (
            r#"replace(.Content, "(\\d+)\\.(\\d+)", "$2.$1")"#,
            r#""Invalid user admin from 2.1.3.4""#,
        ),
        (
            r##"replace_all(.Content, "\\d", "#")"##,
            r##""Invalid user admin from #.#.#.#""##,
        ),
        (r#"replace(.nope, "a", "b")"#, "null"),
        ("substr(.s, 6)", r#""World""#),
        ("substr(.s, 0, 5)", r#""Hello""#),
        ("substr(.s, -5, 3)", r#""Wor""#),
        ("substr(.k, 1, 1)", r#""t""#),
        ("substr(.s, 99)", r#""""#),
        ("substr(.n, 1)", "null"),
        (r#"trim("  a b  ")"#, r#""a b""#),
        (r#"ltrim("  a ")"#, r#""a ""#),
        (r#"rtrim("  a ")"#, r#""  a""#),
        (r#"pad("7", 3, "0")"#, r#""007""#),
        (r#"pad("ab", -4)"#, r#""ab  ""#),
        ("pad(.n, 3)", r#""  3""#),
        (r#"pad("abcd", 2)"#, r#""abcd""#),
        (r#"pad("a", 1e15)"#, "null"),
        (
            r#"format("{} of {}: {1}/{0} {{x}}", .n, .s)"#,
            r#""3 of Hello World: Hello World/3 {x}""#,
        ),
        (r#"format("{}", .nope)"#, r#""""#),
        (
            r#"url("https://a.example:8443/p/q?x=1&y=two#frag", "host")"#,
            r#""a.example""#,
        ),
        (
            r#"url("https://a.example:8443/p/q?x=1&y=two#frag", "port")"#,
            "8443",
        ),
        (
            r#"url("https://a.example:8443/p/q?x=1&y=two#frag", "path")"#,
            r#""/p/q""#,
        ),
        (
            r#"url("https://a.example:8443/p/q?x=1&y=two#frag", "query")"#,
            r#""x=1&y=two""#,
        ),
        (
            r#"url("https://a.example:8443/p/q?x=1&y=two#frag", "?y")"#,
            r#""two""#,
        ),
        (
            r#"url("https://a.example:8443/p/q?x=1&y=two#frag", "fragment")"#,
            r#""frag""#,
        ),
        (r#"url("https://a.example/", "scheme")"#, r#""https""#),
        (r#"url("not a url", "host")"#, "null"),
        // Numbers
        ("round(.f)", "3"),
        ("round(-2.5)", "-3"),
        ("round(1.005, 2)", "1.01"),
        ("round(.v, 1)", "1.1"),
        ("round(123.456, -1)", "120"),
        ("round(.n, 2)", "3"),
        ("round(.s)", "null"),
        ("floor(-2.5)", "-3"),
        ("floor(.f)", "2"),
        ("ceil(.f)", "3"),
        ("ceil(-0.5)", "0"),
        ("abs(.neg)", "4"),
        ("abs(-1.50)", "1.50"),
        ("min(3, 1.10, 2)", "1.10"),
        ("max(.arr)", "1"),
        ("max(.id, 1)", "505874924095815681"),
        ("min(.nope)", "null"),
        ("pow(2, 10)", "1024"),
        ("pow(2, 0.5) > 1.41", "true"),
        ("pow(.s, 2)", "null"),
        ("log(1)", "0"),
        ("log(8, 2)", "3"),
        ("log(0)", "null"),
        // Collections
        ("keys(.obj)", r#"["a","key with spaces"]"#),
        ("values(.obj.a)", r#"["deep"]"#),
        ("keys(.arr)", "null"),
        ("first(.arr)", "1"),
        ("last(.arr)", r#"{"x":3}"#),
        ("first(.s)", r#""H""#),
        ("first([])", "null"),
        (
            r#"sort([3, "b", 1.5, null, "a", true])"#,
            r#"[null,true,1.5,3,"a","b"]"#,
        ),
        ("unique([1, 1.0, 2, 1])", "[1,2]"),
        ("len(unique(.arr))", "3"),
        // Time
        (
            r#"strftime("2024-05-01T10:30:00Z", "%Y/%m/%d %H:%M")"#,
            r#""2024/05/01 10:30""#,
        ),
        (
            r#"strftime(.ts, "%H:%M %Z", "Europe/Berlin")"#,
            r#""12:30 CEST""#,
        ),
        (
            r#"strptime("2024-05-01 12:30:00", "%Y-%m-%d %H:%M:%S", "Europe/Berlin")"#,
            "1714559400000",
        ),
        (
            r#"strptime("2024-05-01 10:30:00 +0000", "%Y-%m-%d %H:%M:%S %z")"#,
            "1714559400000",
        ),
        (r#"strptime("nonsense", "%Y")"#, "null"),
        ("strftime(.nope, \"%Y\")", "null"),
        // Networks
        (r#"cidr_match("10.0.0.0/8", "10.1.2.3")"#, "true"),
        (r#"cidr_match("10.0.0.0/8", "11.1.2.3")"#, "false"),
        (r#"cidr_match("2001:db8::/32", "2001:db8::1")"#, "true"),
        (r#"cidr_match("10.0.0.0/8", "2001:db8::1")"#, "false"),
        (r#"cidr_match("10.0.0.0/8", "nope")"#, "null"),
        // The conditional
        (r#"if .n > 2 then "big" else "small" end"#, r#""big""#),
        (r#"if .nope then 1 end"#, "null"),
        (
            r#"if .n == 1 then "a" else if .n == 3 then "c" else "z" end end"#,
            r#""c""#,
        ),
    ];
    for (src, want) in cases {
        assert_eq!(&ev(src), want, "{src}");
    }
}

#[test]
fn function_mistakes_are_said_at_parse_time_or_per_event() {
    let e = err("repalce(.s, \"a\", \"b\")");
    assert!(e.message.contains("did you mean replace?"), "{}", e.message);
    assert!(e.message.contains("binge help functions"), "{}", e.message);
    assert!(
        err("replace(.s, \"(\", \"b\")")
            .message
            .contains("not a regular expression")
    );
    assert!(
        err("strftime(.ts, \"%Y\", \"Mars/Base\")")
            .message
            .contains("unknown time zone")
    );
    assert!(
        err("url(.s, \"user\")")
            .message
            .contains("no part of a URL")
    );
    assert!(err("if .n then 1").message.contains("'end'"));
    assert!(err("pad(.s)").message.contains("2 to 3 arguments"));
    // A pattern made from the event fails for that event only.
    let prog = Program::compile("replace(.s, .p, \"x\")").unwrap();
    let bad = parse_value(br#"{"s":"a","p":"("}"#).unwrap();
    assert!(prog.eval(&bad).is_err());
    let good = parse_value(br#"{"s":"abc","p":"b"}"#).unwrap();
    assert_eq!(prog.eval(&good).unwrap().to_json(), r#""axc""#);
}

#[test]
fn the_reference_lists_every_function() {
    let text = functions_reference();
    for name in [
        "split(",
        "replace_all(",
        "strftime(",
        "cidr_match(",
        "if C then A else B end",
    ] {
        assert!(text.contains(name), "{name}");
    }
}
