//! `tee s3://` against a real S3-compatible server (moto_server) on 127.0.0.1.

use std::io::Read;

use crate::util::*;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// The keys under `prefix`, in key order.
fn keys(moto: &Moto, bucket: &str, prefix: &str) -> Vec<String> {
    let body = agent()
        .get(format!("{}/{bucket}?list-type=2&prefix={prefix}", moto.url))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let mut keys: Vec<String> = body
        .split("<Key>")
        .skip(1)
        .map(|k| k.split("</Key>").next().unwrap().to_string())
        .collect();
    keys.sort();
    keys
}

/// The events of an object, gzip undone (read signed, as objects are private).
fn object(moto: &Moto, bucket: &str, key: &str) -> String {
    use object_store::ObjectStoreExt;
    // As binge does (connect::objects): reqwest is built without a TLS provider of its own.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store = object_store::aws::AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_endpoint(&moto.url)
        .with_allow_http(true)
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .with_region("us-east-1")
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let gz = runtime.block_on(async {
        let path = object_store::path::Path::from(key);
        store.get(&path).await.unwrap().bytes().await.unwrap()
    });
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .expect("every object is whole gzip");
    text
}

fn tee(moto: &Moto, args: &[&str]) -> std::process::Command {
    let mut cmd = binge_std();
    cmd.env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .args(["tee", "--endpoint", &moto.url])
        .args(args);
    cmd
}

/// Events written to objects come back byte for byte and in order, under time-partitioned
/// keys, several objects when --max-bytes says so.
#[test]
fn tee_s3_writes_every_event_once_in_order_in_whole_gzip_objects() {
    let Some(moto) = server_or_skip("an S3-compatible server", Moto::start()) else {
        return;
    };
    let made = agent()
        .put(format!("{}/events", moto.url))
        .send_empty()
        .unwrap();
    assert_eq!(made.status(), 200);
    let input: String = (0..20_000)
        .map(|i| format!("{{\"i\":{i},\"pad\":\"{:x}\"}}\n", i * 7919))
        .collect();
    let out = tee(&moto, &["--max-bytes", "32K", "s3://events/app/"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            let feed = input.clone();
            let writer = std::thread::spawn(move || stdin.write_all(feed.as_bytes()));
            let out = child.wait_with_output();
            writer.join().unwrap().unwrap();
            out
        })
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), input, "events pass on unchanged");
    let written = keys(&moto, "events", "app/");
    assert!(written.len() > 3, "--max-bytes rolls objects: {written:?}");
    let shape = regex::Regex::new(
        r"^app/\d{4}/\d{2}/\d{2}/\d{2}/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\.ndjson\.gz$",
    )
    .unwrap();
    assert!(written.iter().all(|k| shape.is_match(k)), "{written:?}");
    let back: String = written.iter().map(|k| object(&moto, "events", k)).collect();
    assert_eq!(back, input, "the objects hold every event once, in order");

    // And any subcommand reads them back: objects in key order, gzip undone.
    let read = binge()
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &moto.url)
        .args(["filter", "true", "s3://events/app"])
        .output()
        .unwrap();
    assert!(read.status.success(), "{}", stderr_of(&read));
    assert!(
        read.stdout == input.as_bytes(),
        "binge filter true s3:// gives the input back"
    );
    let none = binge()
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &moto.url)
        .args(["filter", "true", "s3://events/nothing-here"])
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(1));
    // The key after the prefix is settable; one without {uuid} is refused.
    let out = binge()
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .args([
            "tee",
            "--endpoint",
            &moto.url,
            "--key-template",
            "day=%Y-%m-%d/{uuid}.json.gz",
        ])
        .arg("s3://events/t")
        .write_stdin("{\"k\":1}\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let templated = keys(&moto, "events", "t/");
    let shape = regex::Regex::new(r"^t/day=\d{4}-\d{2}-\d{2}/[0-9a-f-]{36}\.json\.gz$").unwrap();
    assert!(
        templated.len() == 1 && shape.is_match(&templated[0]),
        "{templated:?}"
    );
    assert_eq!(object(&moto, "events", &templated[0]), "{\"k\":1}\n");
    let bad = tee(&moto, &["--key-template", "%Y/%H.gz", "s3://events/t"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr_of(&none).contains("no objects under s3://events/nothing-here"),
        "{}",
        stderr_of(&none)
    );
}

/// A bucket that does not exist: every event goes to the dead letter and the status is 1.
#[test]
fn tee_s3_dead_letters_what_it_cannot_write() {
    let Some(moto) = server_or_skip("an S3-compatible server", Moto::start()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let out = tee(&moto, &["s3://missing/x"])
        .arg("--dead-letter")
        .arg(&dead)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"{\"a\":1}\n{\"a\":2}\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let dead = std::fs::read_to_string(&dead).unwrap();
    assert_eq!(dead.lines().count(), 2, "{dead}");
    assert!(dead.contains("\"target\":\"s3://missing/x\""), "{dead}");
    // The events come back out of the object that could not be written, whole and in order.
    let events: Vec<String> = ndjson(&dead)
        .iter()
        .map(|v| match v {
            agglo::json::Value::Object(m) => {
                m.iter().find(|(k, _)| k == "event").unwrap().1.to_json()
            }
            _ => panic!("{dead}"),
        })
        .collect();
    assert_eq!(events, ["{\"a\":1}", "{\"a\":2}"]);
}

/// SIGKILL in the middle of a run: every object there is whole (complete gzip of whole
/// events, in order), because an object is only ever written complete.
#[test]
fn a_run_killed_midway_leaves_no_partial_object() {
    let Some(moto) = server_or_skip("an S3-compatible server", Moto::start()) else {
        return;
    };
    agent()
        .put(format!("{}/kill", moto.url))
        .send_empty()
        .unwrap();
    let mut child = tee(&moto, &["--max-bytes", "8K", "s3://kill/run"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut sent = 0;
    // Feed until a few objects are there, then kill it mid-stream.
    while keys(&moto, "kill", "run/").len() < 3 {
        use std::io::Write;
        let batch: String = (sent..sent + 500)
            .map(|i| format!("{{\"i\":{i}}}\n"))
            .collect();
        stdin.write_all(batch.as_bytes()).unwrap();
        sent += 500;
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(sent < 2_000_000, "no object was written");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut next = 0;
    for key in keys(&moto, "kill", "run/") {
        for line in object(&moto, "kill", &key).lines() {
            assert_eq!(line, format!("{{\"i\":{next}}}"), "{key}");
            next += 1;
        }
    }
    assert!(next > 0 && next <= sent, "{next} of {sent}");
}
