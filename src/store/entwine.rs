//! Tables of entwined streams: one row per stream with its size and head leaf, the records
//! with their canonical bodies, the signed checkpoints, and the ticks a stream has imported.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::chain::merkle::Hash;
use crate::chain::record::{self, Record, TickRef};

pub const SCHEMA_1: &str = "
CREATE TABLE entwine_streams (
    origin     TEXT PRIMARY KEY,
    public     BLOB NOT NULL,
    size       INTEGER NOT NULL,
    head       BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE entwine_records (
    origin     TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    prev       BLOB NOT NULL,
    tick_index INTEGER,
    tick_hash  BLOB,
    time_ms    INTEGER NOT NULL,
    body_hash  BLOB NOT NULL,
    leaf       BLOB NOT NULL,
    body       TEXT NOT NULL,
    sig        BLOB,
    PRIMARY KEY (origin, seq)
) STRICT;
CREATE TABLE entwine_checkpoints (
    origin  TEXT NOT NULL,
    size    INTEGER NOT NULL,
    root    BLOB NOT NULL,
    note    TEXT NOT NULL,
    made_at INTEGER NOT NULL,
    PRIMARY KEY (origin, size)
) STRICT;
CREATE TABLE entwine_ticks (
    origin     TEXT NOT NULL,
    tick_index INTEGER NOT NULL,
    tick_hash  BLOB NOT NULL,
    PRIMARY KEY (origin, tick_index)
) STRICT;
";

/// What C2SP witnesses said of a stream's checkpoints (`anchor request --to`): each
/// cosignature line as the witness returned it, and per witness the size it last cosigned.
pub const SCHEMA_2: &str = "
CREATE TABLE entwine_cosignatures (
    origin      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    witness     TEXT NOT NULL,
    line        TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (origin, size, line)
) STRICT;
CREATE TABLE entwine_witnessed (
    origin  TEXT NOT NULL,
    witness TEXT NOT NULL,
    size    INTEGER NOT NULL,
    PRIMARY KEY (origin, witness)
) STRICT;
";

/// Each checkpoint keeps the Merkle frontier of its tree (the roots of its perfect subtrees,
/// left to right, 32 bytes each), so a writer starts from the newest one instead of reading
/// every record before it. Checkpoints made before this step have none.
pub const SCHEMA_3: &str = "
ALTER TABLE entwine_checkpoints ADD COLUMN frontier BLOB;
";

/// A record's `prev` and `body_hash` are not kept: `prev` is the leaf of the record before it
/// (the stream's genesis for the first) and `body_hash` the hash of its body, both given back
/// by [`records`] and the other readers. They were 64 of a record's ~490 bytes, and the
/// appending thread's writes are a quarter of `entwine`'s time. Nothing checked is lost: the
/// stored leaf covers both, and each reader's caller recomputes it. SQLite rewrites the table
/// for this step, once.
pub const SCHEMA_4: &str = "
ALTER TABLE entwine_records DROP COLUMN prev;
ALTER TABLE entwine_records DROP COLUMN body_hash;
";

/// The size `witness` last cosigned for the stream (0 when none).
pub fn witnessed(conn: &Connection, origin: &str, witness: &str) -> anyhow::Result<u64> {
    Ok(conn
        .query_row(
            "SELECT size FROM entwine_witnessed WHERE origin = ?1 AND witness = ?2",
            params![origin, witness],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
        .map_or(0, |s| s as u64))
}

/// Keeps a witness's cosignature lines for the checkpoint of `size`.
pub fn add_cosignatures(
    tx: &Transaction<'_>,
    origin: &str,
    size: u64,
    witness: &str,
    lines: &[&str],
    now: i64,
) -> anyhow::Result<()> {
    for line in lines {
        tx.execute(
            "INSERT OR IGNORE INTO entwine_cosignatures (origin, size, witness, line, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![origin, size as i64, witness, line, now],
        )?;
    }
    tx.execute(
        "INSERT INTO entwine_witnessed (origin, witness, size) VALUES (?1, ?2, ?3)
         ON CONFLICT (origin, witness) DO UPDATE SET size = excluded.size",
        params![origin, witness, size as i64],
    )?;
    Ok(())
}

/// The cosignature lines kept for the checkpoint of `size`, each ending in a newline.
pub fn cosignatures(conn: &Connection, origin: &str, size: u64) -> anyhow::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT line FROM entwine_cosignatures WHERE origin = ?1 AND size = ?2
         ORDER BY received_at, line",
    )?;
    let rows = stmt.query_map(params![origin, size as i64], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub struct Stream {
    pub origin: String,
    pub public: Vec<u8>,
    pub size: u64,
    pub head: Vec<u8>,
}

pub fn stream(conn: &Connection, origin: &str) -> anyhow::Result<Option<Stream>> {
    Ok(conn
        .prepare_cached("SELECT origin, public, size, head FROM entwine_streams WHERE origin = ?1")?
        .query_row([origin], |r| {
            Ok(Stream {
                origin: r.get(0)?,
                public: r.get(1)?,
                size: r.get::<_, i64>(2)? as u64,
                head: r.get(3)?,
            })
        })
        .optional()?)
}

pub fn streams(conn: &Connection) -> anyhow::Result<Vec<Stream>> {
    let mut stmt =
        conn.prepare("SELECT origin, public, size, head FROM entwine_streams ORDER BY origin")?;
    let rows = stmt.query_map([], |r| {
        Ok(Stream {
            origin: r.get(0)?,
            public: r.get(1)?,
            size: r.get::<_, i64>(2)? as u64,
            head: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn create_stream(
    tx: &Transaction<'_>,
    origin: &str,
    public: &[u8],
    genesis: &Hash,
    now: i64,
) -> anyhow::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO entwine_streams (origin, public, size, head, created_at) VALUES (?1, ?2, 0, ?3, ?4)",
        params![origin, public, genesis.as_slice(), now],
    )?;
    Ok(())
}

/// A stored record and what came with it.
pub struct Stored {
    pub record: Record,
    pub leaf: Vec<u8>,
    pub body: String,
    pub sig: Option<Vec<u8>>,
}

fn hash(v: Vec<u8>) -> Hash {
    Hash::try_from(v.as_slice()).unwrap_or([0; 32])
}

/// A row as a [`Stored`], its `prev` given (the leaf of the row before it) and its body hash
/// made from its body.
fn stored(origin: &str, prev: Hash, r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    let tick = match (r.get::<_, Option<i64>>(1)?, r.get::<_, Option<Vec<u8>>>(2)?) {
        (Some(index), Some(h)) => Some(TickRef {
            index: index as u64,
            hash: hash(h),
        }),
        _ => None,
    };
    let body: String = r.get(5)?;
    Ok(Stored {
        record: Record {
            origin: origin.to_string(),
            seq: r.get::<_, i64>(0)? as u64,
            prev,
            tick,
            time_ms: r.get(3)?,
            body_hash: record::body_hash(&body),
        },
        leaf: r.get(4)?,
        body,
        sig: r.get(6)?,
    })
}

const COLUMNS: &str = "seq, tick_index, tick_hash, time_ms, leaf, body, sig";

/// The `prev` of record `seq`: the stored leaf of the record before it, or the stream's
/// genesis for the first. Zeros when there is neither, which no record's leaf was made from.
fn prev_of(conn: &Connection, origin: &str, seq: u64) -> anyhow::Result<Hash> {
    if seq == 0 {
        let public = stream(conn, origin)?.and_then(|st| <[u8; 32]>::try_from(st.public).ok());
        return Ok(public.map_or([0; 32], |p| record::genesis(origin, &p)));
    }
    Ok(conn
        .prepare_cached("SELECT leaf FROM entwine_records WHERE origin = ?1 AND seq = ?2")?
        .query_row(params![origin, (seq - 1) as i64], |r| Ok(hash(r.get(0)?)))
        .optional()?
        .unwrap_or([0; 32]))
}

pub fn record(conn: &Connection, origin: &str, seq: u64) -> anyhow::Result<Option<Stored>> {
    let prev = prev_of(conn, origin, seq)?;
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM entwine_records WHERE origin = ?1 AND seq = ?2"
        ))?
        .query_row(params![origin, seq as i64], |r| stored(origin, prev, r))
        .optional()?)
}

/// The records with `from <= seq < to`, in order.
pub fn records(conn: &Connection, origin: &str, from: u64, to: u64) -> anyhow::Result<Vec<Stored>> {
    let mut out = Vec::new();
    walk(conn, origin, from, to, |s| {
        out.push(s);
        Ok(())
    })?;
    Ok(out)
}

/// Calls `f` for every record from `from` on, in order.
pub fn each_record(
    conn: &Connection,
    origin: &str,
    from: u64,
    f: impl FnMut(Stored) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    walk(conn, origin, from, i64::MAX as u64, f)
}

/// Calls `f` for the records with `from <= seq < to`, in order, each row's `prev` the leaf
/// of the row read before it.
fn walk(
    conn: &Connection,
    origin: &str,
    from: u64,
    to: u64,
    mut f: impl FnMut(Stored) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM entwine_records WHERE origin = ?1 AND seq >= ?2 AND seq < ?3 \
         ORDER BY seq"
    ))?;
    let mut rows = stmt.query(params![origin, from as i64, to as i64])?;
    let mut prev = prev_of(conn, origin, from)?;
    while let Some(r) = rows.next()? {
        let s = stored(origin, prev, r)?;
        prev = Hash::try_from(s.leaf.as_slice()).unwrap_or([0; 32]);
        f(s)?;
    }
    Ok(())
}

/// Leaf hashes of records `from..to`, in order.
pub fn leaves(conn: &Connection, origin: &str, from: u64, to: u64) -> anyhow::Result<Vec<Hash>> {
    let mut stmt = conn.prepare_cached(
        "SELECT leaf FROM entwine_records WHERE origin = ?1 AND seq >= ?2 AND seq < ?3 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![origin, from as i64, to as i64], |r| {
        Ok(hash(r.get(0)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Appends records with one prepared statement, for a batch of them in one transaction.
///
/// The statement is driven through SQLite's C interface because its values are bound with
/// `SQLITE_STATIC`: `sqlite3_step` reads the event's body and hashes where they are.
/// rusqlite binds every text and blob as `SQLITE_TRANSIENT`, a malloc and a copy of each
/// body before SQLite copies it again into the page: a sixth of the appending thread's time
/// on the bench corpus (benches/PROFILE.md).
pub struct Inserter<'t> {
    db: *mut rusqlite::ffi::sqlite3,
    stmt: *mut rusqlite::ffi::sqlite3_stmt,
    /// The statement lives inside the transaction it writes in.
    _tx: std::marker::PhantomData<&'t Transaction<'t>>,
}

const INSERT_RECORD: &str = "INSERT INTO entwine_records \
    (origin, seq, tick_index, tick_hash, time_ms, leaf, body, sig) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

impl<'t> Inserter<'t> {
    pub fn new(tx: &'t Transaction<'_>) -> anyhow::Result<Inserter<'t>> {
        use rusqlite::ffi;
        // SAFETY: the handle is the transaction's open connection, used on this thread only
        // while `tx` is borrowed; the statement is finalized before that borrow ends.
        let db = unsafe { tx.handle() };
        let mut stmt = std::ptr::null_mut();
        let rc = unsafe {
            ffi::sqlite3_prepare_v2(
                db,
                INSERT_RECORD.as_ptr().cast(),
                INSERT_RECORD.len() as i32,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK {
            return Err(sqlite_error(db, rc).into());
        }
        Ok(Inserter {
            db,
            stmt,
            _tx: std::marker::PhantomData,
        })
    }

    /// `body` is the canonical JSON, UTF-8 (bound as text without checking it again). The
    /// record's `prev` and `body_hash` are not stored ([`SCHEMA_4`]): they must be the leaf of
    /// the record before it (or the genesis) and the hash of `body`, as readers give them back.
    pub fn insert(
        &mut self,
        r: &Record,
        leaf: &Hash,
        body: &[u8],
        sig: Option<&[u8]>,
    ) -> anyhow::Result<()> {
        use rusqlite::ffi;
        let s = self.stmt;
        // The 64-bit forms: a length never wraps (SQLite refuses what passes its own limit).
        let text = |i, v: &[u8]| unsafe {
            ffi::sqlite3_bind_text64(
                s,
                i,
                v.as_ptr().cast(),
                v.len() as u64,
                ffi::SQLITE_STATIC(),
                ffi::SQLITE_UTF8 as u8,
            )
        };
        let blob = |i, v: &[u8]| unsafe {
            ffi::sqlite3_bind_blob64(
                s,
                i,
                v.as_ptr().cast(),
                v.len() as u64,
                ffi::SQLITE_STATIC(),
            )
        };
        let int = |i, v: i64| unsafe { ffi::sqlite3_bind_int64(s, i, v) };
        let null = |i| unsafe { ffi::sqlite3_bind_null(s, i) };
        // Every value outlives the step below; the statement is reset before this returns, and
        // every parameter is bound again before the next step.
        let rcs = [
            text(1, r.origin.as_bytes()),
            int(2, r.seq as i64),
            r.tick.map_or_else(|| null(3), |t| int(3, t.index as i64)),
            r.tick
                .as_ref()
                .map_or_else(|| null(4), |t| blob(4, &t.hash)),
            int(5, r.time_ms),
            blob(6, leaf),
            text(7, body),
            sig.map_or_else(|| null(8), |v| blob(8, v)),
        ];
        if let Some(&rc) = rcs.iter().find(|&&rc| rc != ffi::SQLITE_OK) {
            return Err(sqlite_error(self.db, rc).into());
        }
        // SAFETY: a prepared statement of this connection, with all its parameters bound.
        let rc = unsafe { ffi::sqlite3_step(s) };
        let error = (rc != ffi::SQLITE_DONE).then(|| sqlite_error(self.db, rc));
        unsafe { ffi::sqlite3_reset(s) };
        match error {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

impl Drop for Inserter<'_> {
    fn drop(&mut self) {
        // SAFETY: prepared by `new` and finalized once.
        unsafe { rusqlite::ffi::sqlite3_finalize(self.stmt) };
    }
}

/// The error SQLite reports for `rc`, as rusqlite reports its own (so callers explain a full
/// disk or a busy file the same way).
fn sqlite_error(db: *mut rusqlite::ffi::sqlite3, rc: i32) -> rusqlite::Error {
    use rusqlite::ffi;
    // SAFETY: `db` is an open connection; the message is copied before anything else runs.
    let (code, msg) = unsafe {
        let msg = ffi::sqlite3_errmsg(db);
        let msg =
            (!msg.is_null()).then(|| std::ffi::CStr::from_ptr(msg).to_string_lossy().into_owned());
        (ffi::sqlite3_extended_errcode(db), msg)
    };
    let code = if code == ffi::SQLITE_OK { rc } else { code };
    rusqlite::Error::SqliteFailure(ffi::Error::new(code), msg)
}

pub fn set_head(tx: &Transaction<'_>, origin: &str, size: u64, head: &Hash) -> anyhow::Result<()> {
    tx.prepare_cached("UPDATE entwine_streams SET size = ?2, head = ?3 WHERE origin = ?1")?
        .execute(params![origin, size as i64, head.as_slice()])?;
    Ok(())
}

pub fn add_checkpoint(
    tx: &Transaction<'_>,
    origin: &str,
    size: u64,
    root: &Hash,
    note: &str,
    now: i64,
    frontier: &[Hash],
) -> anyhow::Result<()> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO entwine_checkpoints (origin, size, root, note, made_at, frontier) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        origin,
        size as i64,
        root.as_slice(),
        note,
        now,
        frontier.concat()
    ])?;
    Ok(())
}

/// The newest checkpoint that keeps its frontier, with the frontier's hashes as stored (not
/// checked: the caller checks them against the signed root).
pub fn latest_with_frontier(
    conn: &Connection,
    origin: &str,
) -> anyhow::Result<Option<(Checkpoint, Vec<Hash>)>> {
    let row = conn
        .query_row(
            "SELECT size, root, note, made_at, frontier FROM entwine_checkpoints
             WHERE origin = ?1 AND frontier IS NOT NULL ORDER BY size DESC LIMIT 1",
            [origin],
            |r| Ok((checkpoint_row(r)?, r.get::<_, Vec<u8>>(4)?)),
        )
        .optional()?;
    Ok(row.map(|(cp, blob)| {
        let hashes = blob.chunks(32).map(|c| hash(c.to_vec())).collect();
        (cp, hashes)
    }))
}

pub struct Checkpoint {
    pub size: u64,
    pub root: Hash,
    pub note: String,
    pub made_at: i64,
}

fn checkpoint_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Checkpoint> {
    Ok(Checkpoint {
        size: r.get::<_, i64>(0)? as u64,
        root: hash(r.get(1)?),
        note: r.get(2)?,
        made_at: r.get(3)?,
    })
}

pub fn checkpoints(conn: &Connection, origin: &str) -> anyhow::Result<Vec<Checkpoint>> {
    let mut stmt = conn.prepare(
        "SELECT size, root, note, made_at FROM entwine_checkpoints WHERE origin = ?1 ORDER BY size",
    )?;
    let rows = stmt.query_map([origin], checkpoint_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn latest_checkpoint(conn: &Connection, origin: &str) -> anyhow::Result<Option<Checkpoint>> {
    Ok(conn
        .query_row(
            "SELECT size, root, note, made_at FROM entwine_checkpoints WHERE origin = ?1 ORDER BY size DESC LIMIT 1",
            [origin],
            checkpoint_row,
        )
        .optional()?)
}

/// The newest tick the stream has imported.
pub fn newest_tick(conn: &Connection, origin: &str) -> anyhow::Result<Option<TickRef>> {
    Ok(conn
        .query_row(
            "SELECT tick_index, tick_hash FROM entwine_ticks WHERE origin = ?1 ORDER BY tick_index DESC LIMIT 1",
            [origin],
            |r| {
                Ok(TickRef {
                    index: r.get::<_, i64>(0)? as u64,
                    hash: hash(r.get(1)?),
                })
            },
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Durability, Store};

    /// A state file written before SCHEMA_4 keeps its records, read back as they were written.
    #[test]
    fn records_kept_with_prev_and_body_hash_read_back_the_same_after_they_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let before = crate::store::MIGRATIONS
            .iter()
            .position(|m| *m == SCHEMA_4)
            .unwrap();
        let public = [4; 32];
        let genesis = record::genesis("o", &public);
        let mut recs = Vec::new();
        let mut prev = genesis;
        for seq in 0..3u64 {
            let body = format!("{{\"n\":{seq}}}");
            let r = Record {
                origin: "o".into(),
                seq,
                prev,
                tick: None,
                time_ms: 1_700_000_000_000 + seq as i64,
                body_hash: record::body_hash(&body),
            };
            prev = r.leaf();
            recs.push((r, body));
        }
        let conn = Connection::open(&path).unwrap();
        for step in &crate::store::MIGRATIONS[..before] {
            conn.execute_batch(step).unwrap();
        }
        conn.execute_batch(&format!("PRAGMA user_version = {before}"))
            .unwrap();
        conn.execute(
            "INSERT INTO entwine_streams VALUES ('o', ?1, 3, ?2, 0)",
            params![public.as_slice(), prev.as_slice()],
        )
        .unwrap();
        for (r, body) in &recs {
            conn.execute(
                "INSERT INTO entwine_records (origin, seq, prev, tick_index, tick_hash, \
                 time_ms, body_hash, leaf, body, sig) \
                 VALUES ('o', ?1, ?2, NULL, NULL, ?3, ?4, ?5, ?6, NULL)",
                params![
                    r.seq as i64,
                    r.prev.as_slice(),
                    r.time_ms,
                    r.body_hash.as_slice(),
                    r.leaf().as_slice(),
                    body
                ],
            )
            .unwrap();
        }
        drop(conn);
        let store = Store::open(&path, Durability::Normal).unwrap();
        let got = records(store.conn(), "o", 0, 3).unwrap();
        let want: Vec<&Record> = recs.iter().map(|(r, _)| r).collect();
        assert_eq!(got.iter().map(|s| &s.record).collect::<Vec<_>>(), want);
        assert!(
            store
                .conn()
                .prepare("SELECT prev, body_hash FROM entwine_records")
                .is_err(),
            "the derived columns are gone"
        );
    }

    /// What the inserter binds in place is what is read back, with `prev` and `body_hash`
    /// made again from the leaf before and the body; a refused insert carries SQLite's error.
    #[test]
    fn records_appended_read_back_whole_and_a_refused_one_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db"), Durability::Normal).unwrap();
        let public = [4; 32];
        let genesis = record::genesis("o", &public);
        let (body_a, body_b) = (r#"{"a":1}"#, "{\"b\":\"é\"}");
        let a = Record {
            origin: "o".into(),
            seq: 0,
            prev: genesis,
            tick: None,
            time_ms: 1_700_000_000_000,
            body_hash: record::body_hash(body_a),
        };
        let b = Record {
            origin: "o".into(),
            seq: 1,
            prev: a.leaf(),
            tick: Some(TickRef {
                index: 9,
                hash: [3; 32],
            }),
            time_ms: 1_700_000_000_001,
            body_hash: record::body_hash(body_b),
        };
        store
            .write(|tx| {
                create_stream(tx, "o", &public, &genesis, 0)?;
                let mut ins = Inserter::new(tx)?;
                ins.insert(&a, &a.leaf(), body_a.as_bytes(), None)?;
                ins.insert(&b, &b.leaf(), body_b.as_bytes(), Some(&[5; 64]))?;
                Ok(())
            })
            .unwrap();
        let got = records(store.conn(), "o", 0, 2).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].record, a);
        assert_eq!(
            (got[0].body.as_str(), got[0].sig.as_deref()),
            (body_a, None)
        );
        assert_eq!(got[0].leaf, a.leaf());
        assert_eq!(got[1].record, b);
        assert_eq!(got[1].body, body_b);
        assert_eq!(got[1].sig.as_deref(), Some(&[5u8; 64][..]));
        // Read from the middle, one at a time and in a walk: the same.
        assert_eq!(records(store.conn(), "o", 1, 2).unwrap()[0].record, b);
        assert_eq!(record(store.conn(), "o", 1).unwrap().unwrap().record, b);
        let mut walked = Vec::new();
        each_record(store.conn(), "o", 0, |s| {
            walked.push(s.record);
            Ok(())
        })
        .unwrap();
        assert_eq!(walked, [a.clone(), b.clone()]);

        let again = store.write(|tx| Inserter::new(tx)?.insert(&a, &a.leaf(), b"{}", None));
        let e = format!("{:#}", again.unwrap_err());
        assert!(e.contains("UNIQUE constraint failed"), "{e}");
        assert_eq!(records(store.conn(), "o", 0, 9).unwrap().len(), 2);
    }
}
