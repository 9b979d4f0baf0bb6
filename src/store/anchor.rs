//! Tables of the ticker (`anchor init/trust/accept/tick`) and of what a stream learnt from it
//! (`anchor import`): trusted stream keys, the last head accepted per stream, accepted and
//! rejected anchor requests (the rejected kept as evidence), and the ticks.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::chain::merkle::Hash;
use crate::chain::tick::Anchor;

pub const SCHEMA_1: &str = "
CREATE TABLE anchor_ticker (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    origin     TEXT NOT NULL,
    public     BLOB NOT NULL,
    key_path   TEXT NOT NULL
) STRICT;
CREATE TABLE anchor_keys (
    origin TEXT PRIMARY KEY,
    vkey   TEXT NOT NULL
) STRICT;
CREATE TABLE anchor_heads (
    origin TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    root   BLOB NOT NULL
) STRICT;
CREATE TABLE anchor_accepted (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    origin      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    root        BLOB NOT NULL,
    sig         BLOB NOT NULL,
    accepted_at INTEGER NOT NULL,
    tick_index  INTEGER
) STRICT;
CREATE TABLE anchor_rejected (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    request TEXT NOT NULL,
    reason  TEXT NOT NULL,
    at      INTEGER NOT NULL
) STRICT;
CREATE TABLE anchor_ticks (
    tick_index INTEGER PRIMARY KEY,
    line       TEXT NOT NULL,
    hash       BLOB NOT NULL
) STRICT;
CREATE TABLE entwine_anchored (
    origin     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    root       BLOB NOT NULL,
    tick_index INTEGER NOT NULL
) STRICT;
";

pub struct Ticker {
    pub origin: String,
    pub public: Vec<u8>,
    pub key_path: String,
}

pub fn ticker(conn: &Connection) -> anyhow::Result<Option<Ticker>> {
    Ok(conn
        .query_row(
            "SELECT origin, public, key_path FROM anchor_ticker WHERE id = 1",
            [],
            |r| {
                Ok(Ticker {
                    origin: r.get(0)?,
                    public: r.get(1)?,
                    key_path: r.get(2)?,
                })
            },
        )
        .optional()?)
}

pub fn init(
    tx: &Transaction<'_>,
    origin: &str,
    public: &[u8],
    key_path: &str,
) -> anyhow::Result<()> {
    tx.execute(
        "INSERT INTO anchor_ticker (id, origin, public, key_path) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET origin = excluded.origin, public = excluded.public, key_path = excluded.key_path",
        params![origin, public, key_path],
    )?;
    Ok(())
}

pub fn trust(tx: &Transaction<'_>, origin: &str, vkey: &str) -> anyhow::Result<()> {
    tx.execute(
        "INSERT INTO anchor_keys (origin, vkey) VALUES (?1, ?2)
         ON CONFLICT (origin) DO UPDATE SET vkey = excluded.vkey",
        params![origin, vkey],
    )?;
    Ok(())
}

pub fn key(conn: &Connection, origin: &str) -> anyhow::Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT vkey FROM anchor_keys WHERE origin = ?1",
            [origin],
            |r| r.get(0),
        )
        .optional()?)
}

/// The last head accepted for a stream: (size, root).
pub fn head(conn: &Connection, origin: &str) -> anyhow::Result<Option<(u64, Vec<u8>)>> {
    Ok(conn
        .query_row(
            "SELECT size, root FROM anchor_heads WHERE origin = ?1",
            [origin],
            |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
        )
        .optional()?)
}

pub fn accept(
    tx: &Transaction<'_>,
    origin: &str,
    size: u64,
    root: &Hash,
    sig: &[u8],
    now: i64,
) -> anyhow::Result<()> {
    tx.execute(
        "INSERT INTO anchor_heads (origin, size, root) VALUES (?1, ?2, ?3)
         ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root",
        params![origin, size as i64, root.as_slice()],
    )?;
    tx.execute(
        "INSERT INTO anchor_accepted (origin, size, root, sig, accepted_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![origin, size as i64, root.as_slice(), sig, now],
    )?;
    Ok(())
}

pub fn reject(tx: &Transaction<'_>, request: &str, reason: &str, now: i64) -> anyhow::Result<()> {
    tx.execute(
        "INSERT INTO anchor_rejected (request, reason, at) VALUES (?1, ?2, ?3)",
        params![request, reason, now],
    )?;
    Ok(())
}

pub fn rejected(conn: &Connection) -> anyhow::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT request, reason FROM anchor_rejected ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Anchors accepted since the last tick, the newest per stream, oldest stream first.
pub fn pending(conn: &Connection) -> anyhow::Result<Vec<Anchor>> {
    let mut stmt = conn.prepare(
        "SELECT origin, size, root, sig FROM anchor_accepted a
         WHERE tick_index IS NULL AND id = (SELECT max(id) FROM anchor_accepted b
                                            WHERE b.origin = a.origin AND b.tick_index IS NULL)
         ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        let root: Vec<u8> = r.get(2)?;
        Ok(Anchor {
            origin: r.get(0)?,
            size: r.get::<_, i64>(1)? as u64,
            root: Hash::try_from(root.as_slice()).unwrap_or([0; 32]),
            sig: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn seal(tx: &Transaction<'_>, index: u64) -> anyhow::Result<()> {
    tx.execute(
        "UPDATE anchor_accepted SET tick_index = ?1 WHERE tick_index IS NULL",
        [index as i64],
    )?;
    Ok(())
}

/// The newest tick: (index, hash).
pub fn last_tick(conn: &Connection) -> anyhow::Result<Option<(u64, Hash)>> {
    Ok(conn
        .query_row(
            "SELECT tick_index, hash FROM anchor_ticks ORDER BY tick_index DESC LIMIT 1",
            [],
            |r| {
                let h: Vec<u8> = r.get(1)?;
                Ok((
                    r.get::<_, i64>(0)? as u64,
                    Hash::try_from(h.as_slice()).unwrap_or([0; 32]),
                ))
            },
        )
        .optional()?)
}

pub fn tick_hashes(conn: &Connection) -> anyhow::Result<Vec<Hash>> {
    let mut stmt = conn.prepare("SELECT hash FROM anchor_ticks ORDER BY tick_index")?;
    let rows = stmt.query_map([], |r| {
        let h: Vec<u8> = r.get(0)?;
        Ok(Hash::try_from(h.as_slice()).unwrap_or([0; 32]))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn add_tick(tx: &Transaction<'_>, index: u64, line: &str, hash: &Hash) -> anyhow::Result<()> {
    tx.execute(
        "INSERT INTO anchor_ticks (tick_index, line, hash) VALUES (?1, ?2, ?3)",
        params![index as i64, line, hash.as_slice()],
    )?;
    Ok(())
}

pub fn ticks_since(conn: &Connection, since: u64) -> anyhow::Result<Vec<String>> {
    let mut stmt =
        conn.prepare("SELECT line FROM anchor_ticks WHERE tick_index >= ?1 ORDER BY tick_index")?;
    let rows = stmt.query_map([since as i64], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What a stream knows of its last anchor: (size, root, tick index).
pub fn anchored(conn: &Connection, origin: &str) -> anyhow::Result<Option<(u64, Vec<u8>, u64)>> {
    Ok(conn
        .query_row(
            "SELECT size, root, tick_index FROM entwine_anchored WHERE origin = ?1",
            [origin],
            |r| {
                Ok((
                    r.get::<_, i64>(0)? as u64,
                    r.get(1)?,
                    r.get::<_, i64>(2)? as u64,
                ))
            },
        )
        .optional()?)
}

pub fn set_anchored(
    tx: &Transaction<'_>,
    origin: &str,
    size: u64,
    root: &Hash,
    tick: u64,
) -> anyhow::Result<()> {
    tx.execute(
        "INSERT INTO entwine_anchored (origin, size, root, tick_index) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, tick_index = excluded.tick_index
         WHERE excluded.size >= entwine_anchored.size",
        params![origin, size as i64, root.as_slice(), tick as i64],
    )?;
    Ok(())
}

pub fn import_tick(
    tx: &Transaction<'_>,
    origin: &str,
    index: u64,
    hash: &Hash,
) -> anyhow::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO entwine_ticks (origin, tick_index, tick_hash) VALUES (?1, ?2, ?3)",
        params![origin, index as i64, hash.as_slice()],
    )?;
    Ok(())
}
