//! How far each input file has been read (`--resume`): one row per reader (its scope) and
//! file path, with the identity of the file that was being read there. What a position means
//! and when it is safe to move it is the engine's business; this module only keeps them.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

pub const SCHEMA_1: &str = "
CREATE TABLE input_positions (
    scope       TEXT NOT NULL,
    path        TEXT NOT NULL,
    device      INTEGER NOT NULL,
    inode       INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    fp_len      INTEGER NOT NULL,
    offset      INTEGER NOT NULL,
    line        INTEGER NOT NULL,
    read_path   TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, path)
) STRICT;
";

/// Where a reader stands in one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The input as it was named (made absolute): what the next run will be given again.
    pub path: String,
    /// The file actually read there: `path` itself, or the rotated file being finished.
    pub read_path: String,
    pub device: u64,
    pub inode: u64,
    /// SHA-256 (hex, first 16 bytes) of the file's first `fp_len` bytes.
    pub fingerprint: String,
    pub fp_len: u64,
    /// Bytes of the file read and handled.
    pub offset: u64,
    /// The number of the last line handled.
    pub line: u64,
}

pub fn get(conn: &Connection, scope: &str, path: &str) -> anyhow::Result<Option<Position>> {
    Ok(conn
        .prepare_cached(
            "SELECT path, read_path, device, inode, fingerprint, fp_len, offset, line
             FROM input_positions WHERE scope = ?1 AND path = ?2",
        )?
        .query_row(params![scope, path], row)
        .optional()?)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Position> {
    Ok(Position {
        path: r.get(0)?,
        read_path: r.get(1)?,
        device: r.get::<_, i64>(2)? as u64,
        inode: r.get::<_, i64>(3)? as u64,
        fingerprint: r.get(4)?,
        fp_len: r.get::<_, i64>(5)? as u64,
        offset: r.get::<_, i64>(6)? as u64,
        line: r.get::<_, i64>(7)? as u64,
    })
}

pub fn put(tx: &Transaction<'_>, scope: &str, p: &Position, now: i64) -> anyhow::Result<()> {
    tx.prepare_cached(
        "INSERT INTO input_positions
             (scope, path, device, inode, fingerprint, fp_len, offset, line, read_path, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (scope, path) DO UPDATE SET
             device = excluded.device, inode = excluded.inode,
             fingerprint = excluded.fingerprint, fp_len = excluded.fp_len,
             offset = excluded.offset, line = excluded.line,
             read_path = excluded.read_path, updated_at = excluded.updated_at",
    )?
    .execute(params![
        scope,
        p.path,
        p.device as i64,
        p.inode as i64,
        p.fingerprint,
        p.fp_len as i64,
        p.offset as i64,
        p.line as i64,
        p.read_path,
        now
    ])?;
    Ok(())
}

/// Every tracked input, by scope and path: (scope, position, updated_at).
pub fn all(conn: &Connection) -> anyhow::Result<Vec<(String, Position, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT path, read_path, device, inode, fingerprint, fp_len, offset, line, scope,
                updated_at
         FROM input_positions ORDER BY scope, path",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(8)?, row(r)?, r.get(9)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Forgets the positions of a scope (every scope when `None`); returns how many.
pub fn forget(tx: &Transaction<'_>, scope: Option<&str>) -> anyhow::Result<usize> {
    Ok(match scope {
        Some(s) => tx.execute("DELETE FROM input_positions WHERE scope = ?1", [s])?,
        None => tx.execute("DELETE FROM input_positions", [])?,
    })
}
