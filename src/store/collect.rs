//! Tables of versioned "collect until complete" aggregates (`aggregate --collect`): one row per
//! aggregate key with its version and completion state, one row per distinct source.

use anyhow::bail;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

pub const SCHEMA_1: &str = "
CREATE TABLE collect_sets (
    name       TEXT PRIMARY KEY,
    spec       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE collect_aggregates (
    name      TEXT NOT NULL REFERENCES collect_sets(name) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    version   INTEGER NOT NULL,
    first_at  INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deadline  INTEGER,
    completed INTEGER NOT NULL DEFAULT 0,
    timed_out INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (name, key)
) STRICT;
CREATE INDEX collect_pending ON collect_aggregates(name, deadline)
    WHERE completed = 0 AND timed_out = 0;
CREATE TABLE collect_sources (
    name       TEXT NOT NULL,
    key        TEXT NOT NULL,
    collection TEXT NOT NULL,
    digest     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (name, key, collection, digest),
    FOREIGN KEY (name, key) REFERENCES collect_aggregates(name, key) ON DELETE CASCADE
) STRICT;
";

/// Sources get an identity within their collection (`--source-id`, else their digest), and a
/// source replaced by a changed body with the same identity stays as history. The table is
/// rebuilt because its key changes: one row per version of an aggregate.
pub const SCHEMA_2: &str = "
CREATE TABLE collect_sources_2 (
    name        TEXT NOT NULL,
    key         TEXT NOT NULL,
    collection  TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    digest      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    since       INTEGER NOT NULL,
    replaced_by INTEGER,
    body        TEXT NOT NULL,
    PRIMARY KEY (name, key, version),
    FOREIGN KEY (name, key) REFERENCES collect_aggregates(name, key) ON DELETE CASCADE
) STRICT;
INSERT INTO collect_sources_2
    (name, key, collection, source_id, digest, version, since, replaced_by, body)
    SELECT name, key, collection, digest, digest, version, version, NULL, body
    FROM collect_sources;
DROP TABLE collect_sources;
ALTER TABLE collect_sources_2 RENAME TO collect_sources;
CREATE INDEX collect_sources_current ON collect_sources(name, key, collection, source_id)
    WHERE replaced_by IS NULL;
";

/// One aggregate's bookkeeping.
#[derive(Debug, Clone)]
pub struct Aggregate {
    pub key: String,
    pub version: i64,
    pub first_at: i64,
    pub updated_at: i64,
    pub completed: bool,
    pub timed_out: bool,
}

pub fn ensure(tx: &Transaction<'_>, name: &str, spec: &str, now: i64) -> anyhow::Result<()> {
    let existing: Option<String> = tx
        .query_row(
            "SELECT spec FROM collect_sets WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    match existing {
        Some(e) if e != spec => bail!(
            "collection {name} was made with another definition ({e}); \
             use the same options, another --name, or --reset"
        ),
        Some(_) => Ok(()),
        None => {
            tx.execute(
                "INSERT INTO collect_sets (name, spec, created_at) VALUES (?1, ?2, ?3)",
                params![name, spec, now],
            )?;
            Ok(())
        }
    }
}

pub fn spec(conn: &Connection, name: &str) -> anyhow::Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT spec FROM collect_sets WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Aggregate> {
    Ok(Aggregate {
        key: r.get(0)?,
        version: r.get(1)?,
        first_at: r.get(2)?,
        updated_at: r.get(3)?,
        completed: r.get::<_, i64>(4)? != 0,
        timed_out: r.get::<_, i64>(5)? != 0,
    })
}

const COLUMNS: &str = "key, version, first_at, updated_at, completed, timed_out";

pub fn get(conn: &Connection, name: &str, key: &str) -> anyhow::Result<Option<Aggregate>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM collect_aggregates WHERE name = ?1 AND key = ?2"
        ))?
        .query_row(params![name, key], row)
        .optional()?)
}

/// A source as the state file keeps it: its collection, what identifies it there, the
/// SHA-256 of its canonical JSON, and that JSON.
pub struct Source<'s> {
    pub collection: &'s str,
    pub id: &'s str,
    pub digest: &'s str,
    pub body: &'s str,
}

/// Adds a source, or replaces the current source with the same id in that collection when
/// its body changed (the old one is kept, marked with the version that replaced it). Returns
/// the aggregate after the change, or `None` when the same source was already there.
pub fn add_source(
    tx: &Transaction<'_>,
    name: &str,
    key: &str,
    source: &Source<'_>,
    now: i64,
    timeout_ms: Option<i64>,
) -> anyhow::Result<Option<Aggregate>> {
    let Source {
        collection,
        id,
        digest,
        body,
    } = *source;
    let current: Option<(i64, String, i64)> = tx
        .prepare_cached(
            "SELECT version, digest, since FROM collect_sources
             WHERE name = ?1 AND key = ?2 AND collection = ?3 AND source_id = ?4
               AND replaced_by IS NULL",
        )?
        .query_row(params![name, key, collection, id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    if current.as_ref().is_some_and(|(_, d, _)| d == digest) {
        return Ok(None);
    }
    tx.prepare_cached(
        "INSERT INTO collect_aggregates (name, key, version, first_at, updated_at, deadline)
         VALUES (?1, ?2, 1, ?3, ?3, ?3 + ?4)
         ON CONFLICT (name, key) DO UPDATE SET version = version + 1, updated_at = ?3",
    )?
    .execute(params![name, key, now, timeout_ms])?;
    let agg = get(tx, name, key)?.ok_or_else(|| anyhow::anyhow!("aggregate vanished"))?;
    let since = match &current {
        Some((old, _, since)) => {
            tx.prepare_cached(
                "UPDATE collect_sources SET replaced_by = ?4
                 WHERE name = ?1 AND key = ?2 AND version = ?3",
            )?
            .execute(params![name, key, old, agg.version])?;
            *since
        }
        None => agg.version,
    };
    tx.prepare_cached(
        "INSERT INTO collect_sources
             (name, key, collection, source_id, digest, version, since, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        name,
        key,
        collection,
        id,
        digest,
        agg.version,
        since,
        body
    ])?;
    Ok(Some(agg))
}

/// The current sources of one aggregate, in the order their ids first came: (collection,
/// body).
pub fn sources(conn: &Connection, name: &str, key: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT collection, body FROM collect_sources
         WHERE name = ?1 AND key = ?2 AND replaced_by IS NULL ORDER BY since",
    )?;
    let rows = stmt.query_map(params![name, key], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The sources of one aggregate that later versions replaced: (version, collection, body,
/// replaced by).
pub fn replaced(
    conn: &Connection,
    name: &str,
    key: &str,
) -> anyhow::Result<Vec<(i64, String, String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT version, collection, body, replaced_by FROM collect_sources
         WHERE name = ?1 AND key = ?2 AND replaced_by IS NOT NULL ORDER BY version",
    )?;
    let rows = stmt.query_map(params![name, key], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn mark_completed(tx: &Transaction<'_>, name: &str, key: &str) -> anyhow::Result<()> {
    tx.prepare_cached("UPDATE collect_aggregates SET completed = 1 WHERE name = ?1 AND key = ?2")?
        .execute(params![name, key])?;
    Ok(())
}

/// Marks as timed out, and returns, the incomplete aggregates whose deadline has passed.
pub fn take_timed_out(
    tx: &Transaction<'_>,
    name: &str,
    now: i64,
) -> anyhow::Result<Vec<Aggregate>> {
    let due: Vec<Aggregate> = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM collect_aggregates
             WHERE name = ?1 AND completed = 0 AND timed_out = 0 AND deadline <= ?2
             ORDER BY deadline, key"
        ))?;
        let rows = stmt.query_map(params![name, now], row)?;
        rows.collect::<Result<_, _>>()?
    };
    for a in &due {
        tx.prepare_cached(
            "UPDATE collect_aggregates SET timed_out = 1 WHERE name = ?1 AND key = ?2",
        )?
        .execute(params![name, a.key])?;
    }
    Ok(due
        .into_iter()
        .map(|a| Aggregate {
            timed_out: true,
            ..a
        })
        .collect())
}

/// Every aggregate, oldest first.
pub fn all(conn: &Connection, name: &str) -> anyhow::Result<Vec<Aggregate>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM collect_aggregates WHERE name = ?1 ORDER BY first_at, key"
    ))?;
    let rows = stmt.query_map([name], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every named collection: (name, definition, last update, aggregates).
pub fn list(conn: &Connection) -> anyhow::Result<Vec<(String, String, i64, i64)>> {
    let mut stmt = conn.prepare(
        "SELECT s.name, s.spec,
                coalesce((SELECT max(updated_at) FROM collect_aggregates a WHERE a.name = s.name),
                         s.created_at),
                (SELECT count(*) FROM collect_aggregates a WHERE a.name = s.name)
         FROM collect_sets s WHERE s.name != '-' ORDER BY s.name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn reset(tx: &Transaction<'_>, name: &str) -> anyhow::Result<bool> {
    tx.execute("DELETE FROM collect_sources WHERE name = ?1", [name])?;
    Ok(tx.execute("DELETE FROM collect_sets WHERE name = ?1", [name])? > 0)
}
