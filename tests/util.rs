//! A small harness: the real binary with a clean environment, and helpers to feed it input.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

/// `binge` with no inherited environment but `TZ=UTC`, so times without an offset read the
/// same on every machine whatever its zone.
pub fn binge() -> Command {
    let mut cmd = Command::cargo_bin("binge").expect("the binge binary is built");
    cmd.env_clear().env("TZ", "UTC");
    cmd
}

/// The same binary as a plain std command, for tests that need pipes they control.
pub fn binge_std() -> StdCommand {
    let mut cmd = StdCommand::new(bin_path());
    cmd.env_clear().env("TZ", "UTC");
    cmd
}

pub fn bin_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_binge"))
}

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn data(rel: &str) -> PathBuf {
    repo().join("tests/data").join(rel)
}

/// A file of the shared real data beside the repository, when this machine has it.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = repo().join("../shared/data").join(rel);
    p.exists().then_some(p)
}

pub fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Parses NDJSON output into owned values.
pub fn ndjson(text: &str) -> Vec<agglo::json::Value<'static>> {
    text.lines()
        .map(|l| agglo::json::parse_value(l.as_bytes()).unwrap().into_owned())
        .collect()
}

/// A member of an event as compact JSON text, or `missing`.
pub fn field(v: &agglo::json::Value<'_>, k: &str) -> String {
    v.member(k)
        .map(agglo::json::Value::to_json)
        .unwrap_or_else(|| "missing".into())
}

/// Waits for a child (reading its output meanwhile), killing it and failing the test when it
/// takes longer than `limit`: a guard against hangs, not a measure of speed.
pub fn wait_at_most(
    child: std::process::Child,
    limit: std::time::Duration,
) -> std::process::Output {
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output().unwrap()));
    match rx.recv_timeout(limit) {
        Ok(out) => out,
        Err(_) => {
            // SAFETY: a plain kill(2) of our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let out = rx.recv().unwrap();
            panic!("still running after {limit:?}: {}", stderr_of(&out));
        }
    }
}

/// A child's output lines as they come, read on a thread of their own, so a test can wait for
/// each with a timeout while it keeps writing the input.
pub fn lines_as_they_come(stdout: std::process::ChildStdout) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    rx
}

/// The address a daemon started with `--listen 127.0.0.1:0` listens on, from the first line it
/// writes on stderr (`binge WHO: listening on ADDR`), as `http://ADDR`.
pub fn listening(child: &mut std::process::Child, who: &str) -> String {
    use std::io::BufRead;
    let mut first = String::new();
    std::io::BufReader::new(child.stderr.take().expect("stderr is piped"))
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .trim()
        .strip_prefix(&format!("binge {who}: listening on "))
        .unwrap_or_else(|| panic!("{first}"));
    format!("http://{addr}")
}

/// A server a test needs that is not part of binge, or why it could not be had: without it the
/// test is skipped with the reason, unless `BINGE_REQUIRE_SERVERS=1` (set by .ci/run), which
/// makes it a failure.
pub fn server_or_skip<T>(what: &str, got: Result<T, String>) -> Option<T> {
    match got {
        Ok(t) => Some(t),
        Err(why) if std::env::var("BINGE_REQUIRE_SERVERS").as_deref() == Ok("1") => {
            panic!("{what} is required (BINGE_REQUIRE_SERVERS=1) but: {why}")
        }
        Err(why) => {
            eprintln!("skipped: {what}: {why}");
            None
        }
    }
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `moto_server` (PyPI `moto[server]`), an S3-compatible server, on 127.0.0.1; stopped when
/// dropped.
pub struct Moto {
    child: std::process::Child,
    pub url: String,
}

impl Moto {
    pub fn start() -> Result<Moto, String> {
        let port = free_port();
        let child = StdCommand::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start moto_server (pip install 'moto[server]'): {e}"))?;
        let mut moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                return Err(format!("moto_server exited: {status}"));
            }
            if started.elapsed().as_secs() > 30 {
                return Err("moto_server did not listen within 30 s".into());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Ok(moto)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `nats-server -js` (Debian package `nats-server`) on 127.0.0.1 with its store in a temporary
/// folder; stopped when dropped. It can be stopped and started again on the same port and
/// store, as a server that went down and came back.
pub struct Nats {
    child: Option<std::process::Child>,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Nats {
    pub fn start() -> Result<Nats, String> {
        let mut nats = Nats {
            child: None,
            port: free_port(),
            dir: tempfile::tempdir().map_err(|e| e.to_string())?,
        };
        nats.up()?;
        Ok(nats)
    }

    /// `nats://127.0.0.1:PORT/NAME`.
    pub fn url(&self, name: &str) -> String {
        format!("nats://127.0.0.1:{}/{name}", self.port)
    }

    /// Starts the server (again).
    pub fn up(&mut self) -> Result<(), String> {
        let mut child = StdCommand::new("nats-server")
            .args([
                "-js",
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-sd",
            ])
            .arg(self.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start nats-server (apt-get install nats-server): {e}"))?;
        let started = std::time::Instant::now();
        // JetStream answers once the server listens and has read its store.
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("nats-server exited: {status}"));
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                break;
            }
            if started.elapsed().as_secs() > 30 {
                let _ = child.kill();
                return Err("nats-server did not listen within 30 s".into());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        self.child = Some(child);
        Ok(())
    }

    /// Stops the server (SIGKILL: nothing is flushed on the way out).
    pub fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.down();
    }
}
