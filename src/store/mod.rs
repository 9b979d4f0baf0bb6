//! The one SQLite file that holds all state that outlives a run (DESIGN.md §2, "State").
//!
//! Every connection gets the same pragmas (WAL, a long busy timeout, full sync unless asked
//! otherwise), the schema is migrated forward by `PRAGMA user_version`, and writes go through
//! `BEGIN IMMEDIATE` transactions so that two cron jobs on one file queue instead of failing.
//! Each feature keeps its tables in a module of its own; this module knows none of them.

pub mod aggregate;
pub mod anchor;
pub mod collect;
pub mod entwine;
pub mod inputs;
pub mod log;
pub mod tee;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::ValueEnum;
use rusqlite::{Connection, Transaction, TransactionBehavior};

/// How long a writer waits for another before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The schema, one step per release that changed it. Append only: never reorder or edit a
/// step that has shipped, since `user_version` records how many a file has had.
const MIGRATIONS: &[&str] = &[
    aggregate::SCHEMA_1,
    collect::SCHEMA_1,
    log::SCHEMA_1,
    entwine::SCHEMA_1,
    anchor::SCHEMA_1,
    log::SCHEMA_2,
    inputs::SCHEMA_1,
    aggregate::SCHEMA_2,
    collect::SCHEMA_2,
    entwine::SCHEMA_2,
    entwine::SCHEMA_3,
    entwine::SCHEMA_4,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Durability {
    /// fsync at every commit: a commit survives power loss.
    Full,
    /// fsync at checkpoints only: a commit survives a crash of binge, not of the machine.
    Normal,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        }
    }
}

pub struct Store {
    /// First, so it is dropped (its thread joined, its connection closed) before `conn`.
    checkpointer: Option<Checkpointer>,
    conn: Connection,
    path: Option<PathBuf>,
    durability: Durability,
    /// Commits so far: a run that commits once (a cron job's) starts no checkpointer.
    commits: u32,
}

/// Copies the write-ahead log into the database file from a thread and connection of its own,
/// so that a store that keeps committing does not stop after its commits for those copies and
/// their fsyncs (SQLite's advice for WAL mode: "run the checkpoints in a separate thread").
/// SQLite's own checkpoint after a commit (every 1,000 pages of log) stays as the bound on the
/// log should this thread fall behind; it then finds most of the log copied already. A
/// checkpoint is SQLite's own crash-safe operation from any connection, and PASSIVE never
/// waits for a reader or a writer; one that fails changes nothing and is left to the next.
struct Checkpointer {
    poke: Option<crossbeam_channel::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Checkpoints that copied pages: what a test can see of this thread's work.
    #[cfg_attr(not(test), allow(dead_code))]
    copied: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Checkpointer {
    fn start(path: &Path, durability: Durability) -> anyhow::Result<Checkpointer> {
        let conn = Connection::open(path)?;
        conn.execute_batch(&format!("PRAGMA synchronous = {};", durability.pragma()))?;
        // One poke waiting at most: commits made during a checkpoint ask for one more.
        let (poke, poked) = crossbeam_channel::bounded::<()>(1);
        let copied = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let count = copied.clone();
        let thread = std::thread::Builder::new()
            .name("checkpoint".into())
            .spawn(move || {
                while poked.recv().is_ok() {
                    // (busy, pages in the log, pages copied)
                    let done = conn
                        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(2));
                    if done.is_ok_and(|n| n > 0) {
                        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            })?;
        Ok(Checkpointer {
            poke: Some(poke),
            thread: Some(thread),
            copied,
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Hung up first, so the thread ends after the checkpoint it is in; joined, so its
        // connection closes before the store's (the last to close removes the log).
        drop(self.poke.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Where the state file is: `--state`, else `$BINGE_STATE`, else
/// `$XDG_STATE_HOME/binge/state.db`, else `~/.local/state/binge/state.db`.
pub fn state_path(explicit: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(p) = var("BINGE_STATE") {
        return Ok(PathBuf::from(p));
    }
    if let Some(dir) = var("XDG_STATE_HOME") {
        return Ok(PathBuf::from(dir).join("binge/state.db"));
    }
    match var("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".local/state/binge/state.db")),
        None => bail!("no state file: give --state PATH or set BINGE_STATE (HOME is not set)"),
    }
}

impl Store {
    /// Opens (creating it and its folder if needed) and migrates the state file at `path`.
    pub fn open(path: &Path, durability: Durability) -> anyhow::Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the state folder {}", dir.display()))?;
        }
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open the state file {}", path.display()))?;
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
            durability,
            commits: 0,
            checkpointer: None,
        };
        store
            .prepare(durability)
            .with_context(|| format!("cannot use the state file {}", path.display()))?;
        Ok(store)
    }

    /// A private in-memory store with the same schema, for runs that keep nothing.
    pub fn memory() -> anyhow::Result<Store> {
        let mut store = Store {
            conn: Connection::open_in_memory()?,
            path: None,
            durability: Durability::Normal,
            commits: 0,
            checkpointer: None,
        };
        store.prepare(Durability::Normal)?;
        Ok(store)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn prepare(&mut self, durability: Durability) -> anyhow::Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // Pages of 16 KiB rather than SQLite's 4 KiB: a new file's records and events go to
        // the write-ahead log in a quarter of the writes (one system call per page), the
        // largest cost of `entwine` and `log append` after the work itself. A file that
        // exists keeps the size it was made with (SQLite ignores this for it).
        self.conn.execute_batch("PRAGMA page_size = 16384")?;
        if self.path.is_some() {
            // Switching a new file to WAL takes a lock that SQLite does not wait for, so when
            // several runs open a new state file at once, wait here instead.
            let started = std::time::Instant::now();
            let mode: String = loop {
                match self
                    .conn
                    .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                {
                    Err(rusqlite::Error::SqliteFailure(e, _))
                        if e.code == rusqlite::ErrorCode::DatabaseBusy
                            && started.elapsed() < BUSY_TIMEOUT =>
                    {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                    other => break other?,
                }
            };
            if !mode.eq_ignore_ascii_case("wal") {
                bail!("the file system does not support SQLite's WAL mode (got {mode})");
            }
        }
        self.conn.execute_batch(&format!(
            "PRAGMA synchronous = {}; PRAGMA foreign_keys = ON;",
            durability.pragma()
        ))?;
        self.migrate()
    }

    fn migrate(&mut self) -> anyhow::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let version = usize::try_from(version).unwrap_or(usize::MAX);
        if version > MIGRATIONS.len() {
            bail!(
                "the state file has schema version {version}, newer than this binge knows \
                 ({}); use a newer binge",
                MIGRATIONS.len()
            );
        }
        for step in &MIGRATIONS[version..] {
            tx.execute_batch(step)?;
        }
        tx.execute_batch(&format!("PRAGMA user_version = {}", MIGRATIONS.len()))?;
        tx.commit()?;
        Ok(())
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction, committed when `f` succeeds.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("cannot start a write to the state file")
            .map_err(|e| explain(e, path.as_deref()))?;
        // A newer binge may have migrated the file since this one opened it, and its tables
        // need not be the ones this one writes: say so, rather than SQLite's "no such column".
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > MIGRATIONS.len() as i64 {
            bail!(
                "the state file{} was moved to schema version {version} by a newer binge while \
                 this one ran (it knows {}); nothing more is written: use the newer binge",
                path.as_deref()
                    .map(|p| format!(" {}", p.display()))
                    .unwrap_or_default(),
                MIGRATIONS.len()
            );
        }
        let out = f(&tx).map_err(|e| explain(e, path.as_deref()))?;
        tx.commit()
            .context("cannot commit to the state file")
            .map_err(|e| explain(e, path.as_deref()))?;
        self.committed();
        Ok(out)
    }

    /// After a commit: from the second on, the log is copied into the file in the background.
    /// A checkpointer that cannot start leaves the checkpoints to SQLite, after the commits.
    fn committed(&mut self) {
        self.commits = self.commits.saturating_add(1);
        let Some(path) = self.path.as_deref() else {
            return;
        };
        // Tried once: a store whose checkpointer cannot start does not try at every commit.
        if self.commits == 2 {
            self.checkpointer = Checkpointer::start(path, self.durability).ok();
        }
        if let Some(poke) = self.checkpointer.as_ref().and_then(|c| c.poke.as_ref()) {
            let _ = poke.try_send(());
        }
    }

    /// The connection, for reads.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// Says plainly what a failed write means when the cause is one a user can act on (a full
/// disk), instead of SQLite's own words twice over.
fn explain(e: anyhow::Error, path: Option<&Path>) -> anyhow::Error {
    let full = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::DiskFull
        )
    });
    match (full, path) {
        (true, Some(p)) => anyhow::anyhow!(
            "cannot write the state file {}: the disk is full (nothing of this write was kept)",
            p.display()
        ),
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_set_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.db");
        drop(Store::open(&path, Durability::Full).unwrap());
        let store = Store::open(&path, Durability::Normal).unwrap();
        let v: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn collect_sources_made_before_source_ids_keep_their_identity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let conn = Connection::open(&path).unwrap();
        // A state file as binge left it before source ids (six schema steps).
        for step in &MIGRATIONS[..6] {
            conn.execute_batch(step).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 6;
             INSERT INTO collect_sets VALUES ('c', '{}', 0);
             INSERT INTO collect_aggregates (name, key, version, first_at, updated_at)
                 VALUES ('c', '\"k\"', 1, 0, 0);
             INSERT INTO collect_sources VALUES ('c', '\"k\"', 'A', 'd1', 1, '{\"a\":1}');",
        )
        .unwrap();
        drop(conn);
        let mut store = Store::open(&path, Durability::Normal).unwrap();
        let same = collect::Source {
            collection: "A",
            id: "d1",
            digest: "d1",
            body: "{\"a\":1}",
        };
        let added = store
            .write(|tx| collect::add_source(tx, "c", "\"k\"", &same, 1, None))
            .unwrap();
        assert!(added.is_none(), "the same source again adds nothing");
        assert_eq!(
            collect::sources(store.conn(), "c", "\"k\"").unwrap(),
            [("A".to_string(), "{\"a\":1}".to_string())]
        );
    }

    #[test]
    fn a_write_after_a_newer_binge_migrated_the_file_is_refused_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut store = Store::open(&path, Durability::Normal).unwrap();
        store
            .write(|tx| Ok(tx.execute_batch("CREATE TABLE t (x INTEGER)")?))
            .unwrap();
        let newer = Connection::open(&path).unwrap();
        newer
            .execute_batch(&format!("PRAGMA user_version = {}", MIGRATIONS.len() + 1))
            .unwrap();
        let mut ran = false;
        let e = store
            .write(|tx| {
                ran = true;
                Ok(tx.execute_batch("INSERT INTO t VALUES (1)")?)
            })
            .unwrap_err();
        let e = format!("{e:#}");
        assert!(e.contains("by a newer binge while this one ran"), "{e}");
        assert!(!ran, "nothing is written");
        let rows: i64 = newer
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 999").unwrap();
        drop(conn);
        let err = Store::open(&path, Durability::Full).err().unwrap();
        assert!(format!("{err:#}").contains("schema version 999"), "{err:#}");
    }

    #[test]
    fn a_store_that_keeps_committing_is_checkpointed_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut store = Store::open(&path, Durability::Normal).unwrap();
        let add = |store: &mut Store, i: usize| {
            store
                .write(|tx| {
                    tx.execute(
                        "INSERT INTO agg_stats (name, spec, created_at, updated_at) VALUES (?1, ?2, 0, 0)",
                        rusqlite::params![format!("s{i}"), "x".repeat(100_000)],
                    )?;
                    Ok(())
                })
                .unwrap()
        };
        add(&mut store, 0);
        assert!(store.checkpointer.is_none(), "one commit starts no thread");
        for i in 1..20 {
            add(&mut store, i);
        }
        let copied = store.checkpointer.as_ref().unwrap().copied.clone();
        let waited = std::time::Instant::now();
        while copied.load(std::sync::atomic::Ordering::Relaxed) == 0 {
            assert!(
                waited.elapsed() < Duration::from_secs(20),
                "no checkpoint in the background"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(store);
        assert!(
            !dir.path().join("state.db-wal").exists(),
            "the log is removed when the store closes"
        );
        let conn = Connection::open(&path).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM agg_stats", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 20);
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let mut store = Store::memory().unwrap();
        let r: anyhow::Result<()> = store.write(|tx| {
            tx.execute(
                "INSERT INTO agg_stats (name, spec, created_at, updated_at) VALUES ('x', '{}', 0, 0)",
                [],
            )?;
            bail!("stop")
        });
        assert!(r.is_err());
        let n: i64 = store
            .conn()
            .query_row("SELECT count(*) FROM agg_stats", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }
}
