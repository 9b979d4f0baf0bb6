//! Tables of persisted statistics (`aggregate --name`): one row per aggregate with the
//! definition it was made with, one row per group with its accumulators as JSON text. What the
//! accumulators mean is the stage's business; this module only keeps them.

use anyhow::bail;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

pub const SCHEMA_1: &str = "
CREATE TABLE agg_stats (
    name       TEXT PRIMARY KEY,
    spec       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    watermark  INTEGER,
    late       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE agg_groups (
    name  TEXT NOT NULL REFERENCES agg_stats(name) ON DELETE CASCADE,
    key   TEXT NOT NULL,
    ord   INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (name, key)
) STRICT;
CREATE INDEX agg_groups_order ON agg_groups(name, ord);
";

/// Closed windows are kept (marked with when they closed) instead of deleted, so `--show`
/// lists them after the run that closed them has gone.
pub const SCHEMA_2: &str = "
ALTER TABLE agg_groups ADD COLUMN closed_at INTEGER;
CREATE INDEX agg_groups_closed ON agg_groups(name, closed_at) WHERE closed_at IS NOT NULL;
";

/// The definition a name was made with, if it exists.
pub fn spec(conn: &Connection, name: &str) -> anyhow::Result<Option<String>> {
    Ok(conn
        .query_row("SELECT spec FROM agg_stats WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Creates the aggregate, or checks that it was made with the same definition.
pub fn ensure(tx: &Transaction<'_>, name: &str, spec_text: &str, now: i64) -> anyhow::Result<()> {
    match spec(tx, name)? {
        Some(existing) if existing != spec_text => bail!(
            "aggregate {name} was made with another definition ({existing}); \
             use the same options, another --name, or --reset"
        ),
        Some(_) => Ok(()),
        None => {
            tx.execute(
                "INSERT INTO agg_stats (name, spec, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
                params![name, spec_text, now],
            )?;
            Ok(())
        }
    }
}

pub fn group(conn: &Connection, name: &str, key: &str) -> anyhow::Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached("SELECT ord, state FROM agg_groups WHERE name = ?1 AND key = ?2")?
        .query_row(params![name, key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Writes a group's state; a new group goes after the existing ones.
pub fn put_group(tx: &Transaction<'_>, name: &str, key: &str, state: &str) -> anyhow::Result<()> {
    tx.prepare_cached(
        "INSERT INTO agg_groups (name, key, ord, state)
         VALUES (?1, ?2, (SELECT coalesce(max(ord), 0) + 1 FROM agg_groups WHERE name = ?1), ?3)
         ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
    )?
    .execute(params![name, key, state])?;
    Ok(())
}

/// Marks a window's group closed at `now`.
pub fn close_group(tx: &Transaction<'_>, name: &str, key: &str, now: i64) -> anyhow::Result<()> {
    tx.prepare_cached(
        "UPDATE agg_groups SET closed_at = ?3 WHERE name = ?1 AND key = ?2 AND closed_at IS NULL",
    )?
    .execute(params![name, key, now])?;
    Ok(())
}

/// Forgets the windows that closed before `before`; returns how many.
pub fn prune_closed(tx: &Transaction<'_>, name: &str, before: i64) -> anyhow::Result<usize> {
    Ok(tx
        .prepare_cached("DELETE FROM agg_groups WHERE name = ?1 AND closed_at < ?2")?
        .execute(params![name, before])?)
}

/// A stored group: its key, its accumulators, and when its window closed (if it did).
pub struct StoredGroup {
    pub key: String,
    pub state: String,
    pub closed_at: Option<i64>,
}

/// Every group, in the order they first appeared; only the open ones unless `closed`.
pub fn groups(conn: &Connection, name: &str, closed: bool) -> anyhow::Result<Vec<StoredGroup>> {
    let mut stmt = conn.prepare(
        "SELECT key, state, closed_at FROM agg_groups
         WHERE name = ?1 AND (?2 OR closed_at IS NULL) ORDER BY ord",
    )?;
    let rows = stmt.query_map(params![name, closed], |r| {
        Ok(StoredGroup {
            key: r.get(0)?,
            state: r.get(1)?,
            closed_at: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every named aggregate: (name, definition, updated_at, groups).
pub fn list(conn: &Connection) -> anyhow::Result<Vec<(String, String, i64, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT s.name, s.spec, s.updated_at,
                (SELECT count(*) FROM agg_groups g WHERE g.name = s.name)
         FROM agg_stats s ORDER BY s.name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds to the aggregate's counters and raises its watermark; returns the watermark now stored.
pub fn touch(
    tx: &Transaction<'_>,
    name: &str,
    now: i64,
    watermark: Option<i64>,
    late: u64,
) -> anyhow::Result<Option<i64>> {
    tx.execute(
        "UPDATE agg_stats SET updated_at = ?2, late = late + ?4,
             watermark = CASE WHEN ?3 IS NULL THEN watermark
                              WHEN watermark IS NULL OR watermark < ?3 THEN ?3
                              ELSE watermark END
         WHERE name = ?1",
        params![name, now, watermark, late as i64],
    )?;
    Ok(tx.query_row(
        "SELECT watermark FROM agg_stats WHERE name = ?1",
        [name],
        |r| r.get(0),
    )?)
}

/// Forgets the aggregate entirely; true if it existed.
pub fn reset(tx: &Transaction<'_>, name: &str) -> anyhow::Result<bool> {
    Ok(tx.execute("DELETE FROM agg_stats WHERE name = ?1", [name])? > 0)
}
