//! Times read without an offset are in the zone `--tz` names (else `$TZ`, else the system's):
//! syslog and log4j lines, RFC 3339 text without `Z`, strptime; clock changes included.

use crate::util::*;

/// `binge annotate --parse-time` of one syslog-style time, with extra arguments and
/// environment; the UTC time binge writes.
fn read_time(text: &str, format: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = binge();
    cmd.args(["annotate", "--text", "--year", "2024"])
        .arg("--parse-time")
        .arg(format!("message={format}"))
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.write_stdin(format!("{text}\n")).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v = ndjson(&stdout_of(&out));
    field(&v[0], "message").trim_matches('"').to_string()
}

/// The issue's example: a syslog line of a Berlin machine in summer is two hours ahead of UTC.
#[test]
fn a_berlin_syslog_line_is_read_in_berlin_time() {
    let line = "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure";
    for (args, env) in [
        (&["--tz", "Europe/Berlin"][..], &[][..]),
        (&[][..], &[("TZ", "Europe/Berlin")][..]),
        // --tz wins over $TZ.
        (
            &["--tz", "Europe/Berlin"][..],
            &[("TZ", "America/New_York")][..],
        ),
    ] {
        let out = binge()
            .args([
                "annotate",
                "--text",
                "--year",
                "2005",
                "--extract",
                "message=@syslog",
            ])
            .args(["--parse-time", "timestamp=%b %e %T"])
            .args(args)
            .envs(env.iter().copied())
            .write_stdin(format!("{line}\n"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        let v = ndjson(&stdout_of(&out));
        assert_eq!(
            field(&v[0], "timestamp"),
            "\"2005-06-14T13:16:01.000Z\"",
            "{args:?} {env:?}"
        );
    }
}

#[test]
fn each_zone_rule_including_clock_changes() {
    let f = "%Y-%m-%d %H:%M:%S";
    let berlin = ["--tz", "Europe/Berlin"];
    for (text, args, want) in [
        // Winter (CET, +1) and summer (CEST, +2).
        (
            "2024-01-15 12:00:00",
            &berlin[..],
            "2024-01-15T11:00:00.000Z",
        ),
        (
            "2024-07-15 12:00:00",
            &berlin[..],
            "2024-07-15T10:00:00.000Z",
        ),
        // 02:30 on 31 March 2024 never happened in Berlin: read as after the change (03:30).
        (
            "2024-03-31 02:30:00",
            &berlin[..],
            "2024-03-31T01:30:00.000Z",
        ),
        // 02:30 on 27 October 2024 happened twice: the earlier one (still CEST).
        (
            "2024-10-27 02:30:00",
            &berlin[..],
            "2024-10-27T00:30:00.000Z",
        ),
        (
            "2024-10-27 03:30:00",
            &berlin[..],
            "2024-10-27T02:30:00.000Z",
        ),
        // Half-hour and negative offsets, and UTC.
        (
            "2024-01-15 12:00:00",
            &["--tz", "Asia/Kolkata"][..],
            "2024-01-15T06:30:00.000Z",
        ),
        (
            "2024-07-15 12:00:00",
            &["--tz", "America/New_York"][..],
            "2024-07-15T16:00:00.000Z",
        ),
        (
            "2024-07-15 12:00:00",
            &["--tz", "UTC"][..],
            "2024-07-15T12:00:00.000Z",
        ),
    ] {
        assert_eq!(read_time(text, f, args, &[]), want, "{text} {args:?}");
    }
    // A time with its own offset is read as it says, whatever --tz.
    assert_eq!(
        read_time(
            "2024-07-15 12:00:00 +0000",
            "%Y-%m-%d %H:%M:%S %z",
            &berlin,
            &[]
        ),
        "2024-07-15T12:00:00.000Z"
    );
}

#[test]
fn rfc3339_without_an_offset_and_strptime_use_the_zone_too() {
    let out = binge()
        .args(["annotate", "--tz", "Europe/Berlin"])
        .args(["--set", ".utc=time(.local)", "--set", ".z=time(.zoned)"])
        .args(["--set", r#".p=strptime(.local, "%Y-%m-%dT%H:%M:%S")"#])
        .write_stdin("{\"local\":\"2024-07-15T12:00:00\",\"zoned\":\"2024-07-15T12:00:00Z\"}\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v = ndjson(&stdout_of(&out));
    assert_eq!(field(&v[0], "utc"), "1721037600000");
    assert_eq!(field(&v[0], "p"), "1721037600000");
    assert_eq!(field(&v[0], "z"), "1721044800000");
}

#[test]
fn an_unknown_zone_is_a_usage_error() {
    let out = binge()
        .args(["filter", "true", "--tz", "Mars/Olympus"])
        .write_stdin("{}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("unknown time zone \"Mars/Olympus\""),
        "{}",
        stderr_of(&out)
    );
}
