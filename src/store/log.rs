//! Tables of the durable log (`binge log`): events of every topic in one table whose seq is an
//! AUTOINCREMENT rowid (strictly increasing, never reused, even after deletion), consumer
//! groups with their positions, and parked deliveries.

use anyhow::bail;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

pub const SCHEMA_1: &str = "
CREATE TABLE log_topics (
    topic      TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE log_events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    topic     TEXT NOT NULL,
    ingest_ms INTEGER NOT NULL,
    time_ms   INTEGER NOT NULL,
    key       TEXT,
    id        TEXT NOT NULL,
    body      TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX log_events_id ON log_events(topic, id);
CREATE INDEX log_events_seq ON log_events(topic, seq);
CREATE INDEX log_events_time ON log_events(topic, time_ms);
CREATE INDEX log_events_key ON log_events(topic, key, seq) WHERE key IS NOT NULL;
CREATE TABLE log_groups (
    topic      TEXT NOT NULL,
    grp        TEXT NOT NULL,
    pos        INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    lost_upto  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (topic, grp)
) STRICT;
CREATE TABLE log_dead (
    topic     TEXT NOT NULL,
    grp       TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    attempts  INTEGER NOT NULL,
    error     TEXT NOT NULL,
    parked_at INTEGER NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (topic, grp, seq)
) STRICT;
";

/// Parked events can be put back for delivery (`log dead --redrive`), and several readers of
/// one group share its events: each batch is leased to one reader. A group's `pos` is then its
/// acknowledged floor (everything up to it is done), `leased_upto` how far batches have been
/// handed out.
pub const SCHEMA_2: &str = "
ALTER TABLE log_dead ADD COLUMN redrive INTEGER NOT NULL DEFAULT 0;
ALTER TABLE log_groups ADD COLUMN leased_upto INTEGER NOT NULL DEFAULT 0;
CREATE TABLE log_leases (
    topic      TEXT NOT NULL,
    grp        TEXT NOT NULL,
    first_seq  INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (topic, grp, first_seq)
) STRICT;
";

/// A batch of a group leased to one reader: seqs `first..=last` of the topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub first: i64,
    pub last: i64,
}

/// Leases the group's next batch to `holder` for `lease_ms`: a batch whose lease ran out (or
/// whose holder `gone` says is dead) first, else the next events nobody has been handed.
/// `None` when there is nothing to hand out.
#[allow(clippy::too_many_arguments)]
pub fn lease_next(
    tx: &Transaction<'_>,
    topic: &str,
    group: &str,
    holder: &str,
    now: i64,
    lease_ms: i64,
    limit: usize,
    gone: &dyn Fn(&str) -> bool,
) -> anyhow::Result<Option<(Lease, Vec<Stored>)>> {
    let lapsed: Vec<(i64, i64, String, i64)> = {
        let mut stmt = tx.prepare_cached(
            "SELECT first_seq, last_seq, holder, expires_at FROM log_leases
             WHERE topic = ?1 AND grp = ?2 ORDER BY first_seq",
        )?;
        let rows = stmt.query_map(params![topic, group], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        rows.collect::<Result<_, _>>()?
    };
    for (first, last, was, expires) in lapsed {
        if was == holder || (expires >= now && !gone(&was)) {
            continue;
        }
        let rows: Vec<Stored> = {
            let mut stmt = tx.prepare_cached(
                "SELECT seq, time_ms, body FROM log_events
                 WHERE topic = ?1 AND seq >= ?2 AND seq <= ?3 ORDER BY seq",
            )?;
            let rows = stmt.query_map(params![topic, first, last], stored)?;
            rows.collect::<Result<_, _>>()?
        };
        if rows.is_empty() {
            // Compacted away meanwhile: nothing left to deliver.
            let lease = Lease { first, last };
            ack_lease(tx, topic, group, &lease, last, now)?;
            continue;
        }
        tx.execute(
            "UPDATE log_leases SET holder = ?4, expires_at = ?5
             WHERE topic = ?1 AND grp = ?2 AND first_seq = ?3",
            params![topic, group, first, holder, now + lease_ms],
        )?;
        return Ok(Some((Lease { first, last }, rows)));
    }
    let (pos, leased): (i64, i64) = tx.query_row(
        "SELECT pos, leased_upto FROM log_groups WHERE topic = ?1 AND grp = ?2",
        params![topic, group],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let rows = after(tx, topic, pos.max(leased), limit)?;
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(None);
    };
    let lease = Lease {
        first: first.seq,
        last: last.seq,
    };
    tx.execute(
        "INSERT INTO log_leases (topic, grp, first_seq, last_seq, holder, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            topic,
            group,
            lease.first,
            lease.last,
            holder,
            now + lease_ms
        ],
    )?;
    tx.execute(
        "UPDATE log_groups SET leased_upto = ?3 WHERE topic = ?1 AND grp = ?2",
        params![topic, group, lease.last],
    )?;
    Ok(Some((lease, rows)))
}

/// Acknowledges a leased batch up to `upto` (all of it when `upto` reaches its end), and moves
/// the group's floor up to just below the oldest batch still leased. Returns the lease as it
/// now stands, `None` once it is done.
pub fn ack_lease(
    tx: &Transaction<'_>,
    topic: &str,
    group: &str,
    lease: &Lease,
    upto: i64,
    now: i64,
) -> anyhow::Result<Option<Lease>> {
    let rest = if upto >= lease.last {
        tx.execute(
            "DELETE FROM log_leases WHERE topic = ?1 AND grp = ?2 AND first_seq = ?3",
            params![topic, group, lease.first],
        )?;
        None
    } else if upto >= lease.first {
        tx.execute(
            "UPDATE log_leases SET first_seq = ?4 WHERE topic = ?1 AND grp = ?2 AND first_seq = ?3",
            params![topic, group, lease.first, upto + 1],
        )?;
        Some(Lease {
            first: upto + 1,
            last: lease.last,
        })
    } else {
        Some(lease.clone())
    };
    tx.execute(
        "UPDATE log_groups SET updated_at = ?3, pos = max(pos, coalesce(
             (SELECT min(first_seq) - 1 FROM log_leases WHERE topic = ?1 AND grp = ?2),
             leased_upto))
         WHERE topic = ?1 AND grp = ?2",
        params![topic, group, now],
    )?;
    Ok(rest)
}

/// Keeps `holder`'s leases for another `lease_ms`.
pub fn renew_leases(conn: &Connection, holder: &str, until: i64) -> anyhow::Result<()> {
    conn.execute(
        "UPDATE log_leases SET expires_at = ?2 WHERE holder = ?1",
        params![holder, until],
    )?;
    Ok(())
}

/// Gives up `holder`'s leases at once, for another reader to take.
pub fn release_leases(tx: &Transaction<'_>, holder: &str) -> anyhow::Result<()> {
    tx.execute(
        "UPDATE log_leases SET expires_at = 0 WHERE holder = ?1",
        params![holder],
    )?;
    Ok(())
}

pub struct LeaseInfo {
    pub first: i64,
    pub last: i64,
    pub holder: String,
    pub expires_at: i64,
}

/// The group's outstanding leases, oldest first.
pub fn leases(conn: &Connection, topic: &str, group: &str) -> anyhow::Result<Vec<LeaseInfo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT first_seq, last_seq, holder, expires_at FROM log_leases
         WHERE topic = ?1 AND grp = ?2 ORDER BY first_seq",
    )?;
    let rows = stmt.query_map(params![topic, group], |r| {
        Ok(LeaseInfo {
            first: r.get(0)?,
            last: r.get(1)?,
            holder: r.get(2)?,
            expires_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The SQL that reads a time range of a topic: it must use the time index.
pub const RANGE_SQL: &str = "SELECT seq, time_ms, body FROM log_events
     WHERE topic = ?1 AND time_ms >= ?2 AND time_ms < ?3 ORDER BY time_ms, seq";

/// An event as appended.
pub struct NewEvent<'e> {
    pub time_ms: i64,
    pub key: Option<&'e str>,
    pub id: &'e str,
    pub body: &'e str,
}

/// A stored event.
#[derive(Debug, Clone)]
pub struct Stored {
    pub seq: i64,
    pub time_ms: i64,
    pub body: String,
}

pub fn ensure_topic(tx: &Transaction<'_>, topic: &str, now: i64) -> anyhow::Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO log_topics (topic, created_at) VALUES (?1, ?2)")?
        .execute(params![topic, now])?;
    Ok(())
}

/// Appends events; one whose id the topic already has is skipped. Returns how many were added.
pub fn append(
    tx: &Transaction<'_>,
    topic: &str,
    now: i64,
    events: &[NewEvent<'_>],
) -> anyhow::Result<usize> {
    ensure_topic(tx, topic, now)?;
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO log_events (topic, ingest_ms, time_ms, key, id, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut added = 0;
    for e in events {
        added += stmt.execute(params![topic, now, e.time_ms, e.key, e.id, e.body])?;
    }
    Ok(added)
}

fn stored(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    Ok(Stored {
        seq: r.get(0)?,
        time_ms: r.get(1)?,
        body: r.get(2)?,
    })
}

/// The ids of `topic`'s events from seq `first` to `last`, by seq.
pub fn ids(
    conn: &Connection,
    topic: &str,
    first: i64,
    last: i64,
) -> anyhow::Result<std::collections::HashMap<i64, String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, id FROM log_events WHERE topic = ?1 AND seq BETWEEN ?2 AND ?3",
    )?;
    let rows = stmt.query_map(params![topic, first, last], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Events of `topic` after `pos`, in seq order, at most `limit`.
pub fn after(
    conn: &Connection,
    topic: &str,
    pos: i64,
    limit: usize,
) -> anyhow::Result<Vec<Stored>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, time_ms, body FROM log_events WHERE topic = ?1 AND seq > ?2
         ORDER BY seq LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![topic, pos, limit as i64], stored)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The last `n` events of a topic, oldest first.
pub fn last(conn: &Connection, topic: &str, n: usize) -> anyhow::Result<Vec<Stored>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, time_ms, body FROM log_events WHERE topic = ?1 ORDER BY seq DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![topic, n as i64], stored)?;
    let mut v: Vec<Stored> = rows.collect::<Result<_, _>>()?;
    v.reverse();
    Ok(v)
}

/// Whether the topic exists (something was appended to it once).
pub fn topic_exists(conn: &Connection, topic: &str) -> anyhow::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM log_topics WHERE topic = ?1")?
        .query_row([topic], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The names of every topic, in order.
pub fn topic_names(conn: &Connection) -> anyhow::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT topic FROM log_topics ORDER BY topic")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The newest seq of the topic that a group can have read: its newest event, or a group's
/// position when compaction has deleted the events up to it (0 for an empty topic).
pub fn last_seq(conn: &Connection, topic: &str) -> anyhow::Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT max(coalesce((SELECT max(seq) FROM log_events WHERE topic = ?1), 0),
                        coalesce((SELECT max(pos) FROM log_groups WHERE topic = ?1), 0))",
        )?
        .query_row([topic], |r| r.get(0))?)
}

/// The newest seq the log has ever given (to any topic): a position after everything there is.
pub fn latest(conn: &Connection) -> anyhow::Result<i64> {
    Ok(conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'log_events'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// The position just before the first event (by seq) whose time is at least `t`.
pub fn pos_at_time(conn: &Connection, topic: &str, t: i64) -> anyhow::Result<i64> {
    let first: Option<i64> = conn.query_row(
        "SELECT min(seq) FROM log_events WHERE topic = ?1 AND time_ms >= ?2",
        params![topic, t],
        |r| r.get(0),
    )?;
    match first {
        Some(seq) => Ok(seq - 1),
        None => latest(conn),
    }
}

pub fn group_pos(conn: &Connection, topic: &str, group: &str) -> anyhow::Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT pos FROM log_groups WHERE topic = ?1 AND grp = ?2")?
        .query_row(params![topic, group], |r| r.get(0))
        .optional()?)
}

/// The newest unread seq of the group that a forced compaction deleted, if any.
pub fn lost(conn: &Connection, topic: &str, group: &str) -> anyhow::Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT lost_upto FROM log_groups WHERE topic = ?1 AND grp = ?2 AND lost_upto > pos",
        )?
        .query_row(params![topic, group], |r| r.get(0))
        .optional()?)
}

/// Creates the group at `pos` unless it exists; returns its position.
pub fn ensure_group(
    tx: &Transaction<'_>,
    topic: &str,
    group: &str,
    pos: i64,
    now: i64,
) -> anyhow::Result<i64> {
    tx.execute(
        "INSERT OR IGNORE INTO log_groups (topic, grp, pos, updated_at, leased_upto)
         VALUES (?1, ?2, ?3, ?4, ?3)",
        params![topic, group, pos, now],
    )?;
    Ok(group_pos(tx, topic, group)?.unwrap_or(pos))
}

/// Moves a group forward to `pos` (never backwards); returns the position now stored.
pub fn advance(
    tx: &Transaction<'_>,
    topic: &str,
    group: &str,
    pos: i64,
    now: i64,
) -> anyhow::Result<i64> {
    let n = tx
        .prepare_cached(
            "UPDATE log_groups SET pos = max(pos, ?3), leased_upto = max(leased_upto, ?3),
                                   updated_at = ?4
             WHERE topic = ?1 AND grp = ?2",
        )?
        .execute(params![topic, group, pos, now])?;
    if n == 0 {
        bail!("there is no group {group} on topic {topic}");
    }
    // Batches wholly below the new position are done; one it reaches into is cut.
    tx.execute(
        "DELETE FROM log_leases WHERE topic = ?1 AND grp = ?2 AND last_seq <= ?3",
        params![topic, group, pos],
    )?;
    tx.execute(
        "UPDATE log_leases SET first_seq = ?3 + 1
         WHERE topic = ?1 AND grp = ?2 AND first_seq <= ?3",
        params![topic, group, pos],
    )?;
    Ok(group_pos(tx, topic, group)?.unwrap_or(pos))
}

/// Sets a group's position, backwards too (seek).
pub fn set_pos(
    tx: &Transaction<'_>,
    topic: &str,
    group: &str,
    pos: i64,
    now: i64,
) -> anyhow::Result<()> {
    tx.execute(
        "INSERT INTO log_groups (topic, grp, pos, updated_at, leased_upto)
         VALUES (?1, ?2, ?3, ?4, ?3)
         ON CONFLICT (topic, grp) DO UPDATE
             SET pos = excluded.pos, updated_at = excluded.updated_at, lost_upto = 0,
                 leased_upto = excluded.pos",
        params![topic, group, pos, now],
    )?;
    // Whatever was handed out is handed out again from the new position.
    tx.execute(
        "DELETE FROM log_leases WHERE topic = ?1 AND grp = ?2",
        params![topic, group],
    )?;
    Ok(())
}

/// Parks events a consumer could not process.
pub fn park(
    tx: &Transaction<'_>,
    topic: &str,
    group: &str,
    events: &[Stored],
    attempts: u32,
    error: &str,
    now: i64,
) -> anyhow::Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT OR REPLACE INTO log_dead (topic, grp, seq, attempts, error, parked_at, body, redrive)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
    )?;
    for e in events {
        stmt.execute(params![topic, group, e.seq, attempts, error, now, e.body])?;
    }
    Ok(())
}

/// Parked events of the group put back for delivery, oldest first, with their event time
/// (the parking time when compaction has deleted the event since).
pub fn redriven(
    conn: &Connection,
    topic: &str,
    group: &str,
    limit: usize,
) -> anyhow::Result<Vec<Stored>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.seq, coalesce(e.time_ms, d.parked_at), d.body FROM log_dead d
         LEFT JOIN log_events e ON e.seq = d.seq
         WHERE d.topic = ?1 AND d.grp = ?2 AND d.redrive = 1 ORDER BY d.seq LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![topic, group, limit as i64], |r| {
        Ok(Stored {
            seq: r.get(0)?,
            time_ms: r.get(1)?,
            body: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Removes parked events of the group up to `upto` that were put back and now delivered.
pub fn delivered_again(
    tx: &Transaction<'_>,
    topic: &str,
    group: &str,
    upto: i64,
) -> anyhow::Result<()> {
    tx.execute(
        "DELETE FROM log_dead WHERE topic = ?1 AND grp = ?2 AND redrive = 1 AND seq <= ?3",
        params![topic, group, upto],
    )?;
    Ok(())
}

/// Puts the parked events of the topic (of one group, when given) back for delivery; returns
/// how many.
pub fn redrive(tx: &Transaction<'_>, topic: &str, group: Option<&str>) -> anyhow::Result<usize> {
    Ok(tx.execute(
        "UPDATE log_dead SET redrive = 1 WHERE topic = ?1 AND (?2 IS NULL OR grp = ?2)",
        params![topic, group],
    )?)
}

/// Deletes the parked events of the topic (of one group, when given); returns how many.
pub fn purge(tx: &Transaction<'_>, topic: &str, group: Option<&str>) -> anyhow::Result<usize> {
    Ok(tx.execute(
        "DELETE FROM log_dead WHERE topic = ?1 AND (?2 IS NULL OR grp = ?2)",
        params![topic, group],
    )?)
}

pub struct Dead {
    pub group: String,
    pub seq: i64,
    pub attempts: i64,
    pub error: String,
    pub parked_at: i64,
    pub body: String,
}

pub fn dead(conn: &Connection, topic: &str) -> anyhow::Result<Vec<Dead>> {
    let mut stmt = conn.prepare(
        "SELECT grp, seq, attempts, error, parked_at, body FROM log_dead WHERE topic = ?1 ORDER BY grp, seq",
    )?;
    let rows = stmt.query_map([topic], |r| {
        Ok(Dead {
            group: r.get(0)?,
            seq: r.get(1)?,
            attempts: r.get(2)?,
            error: r.get(3)?,
            parked_at: r.get(4)?,
            body: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub struct GroupInfo {
    pub topic: String,
    pub group: String,
    /// The acknowledged floor: every event up to it is done.
    pub pos: i64,
    pub lag: i64,
    pub updated_at: i64,
    /// Batches handed to readers and not yet acknowledged.
    pub leases: i64,
}

pub fn groups(conn: &Connection, topic: Option<&str>) -> anyhow::Result<Vec<GroupInfo>> {
    let mut stmt = conn.prepare(
        "SELECT g.topic, g.grp, g.pos, g.updated_at,
                (SELECT count(*) FROM log_events e WHERE e.topic = g.topic AND e.seq > g.pos),
                (SELECT count(*) FROM log_leases l WHERE l.topic = g.topic AND l.grp = g.grp)
         FROM log_groups g WHERE ?1 IS NULL OR g.topic = ?1 ORDER BY g.topic, g.grp",
    )?;
    let rows = stmt.query_map([topic], |r| {
        Ok(GroupInfo {
            topic: r.get(0)?,
            group: r.get(1)?,
            pos: r.get(2)?,
            updated_at: r.get(3)?,
            lag: r.get(4)?,
            leases: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub struct TopicInfo {
    pub topic: String,
    pub events: i64,
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    pub first_time: Option<i64>,
    pub last_time: Option<i64>,
    pub bytes: i64,
}

pub fn topics(conn: &Connection) -> anyhow::Result<Vec<TopicInfo>> {
    let mut stmt = conn.prepare(
        "SELECT t.topic, count(e.seq), min(e.seq), max(e.seq), min(e.time_ms), max(e.time_ms),
                coalesce(sum(length(e.body)), 0)
         FROM log_topics t LEFT JOIN log_events e ON e.topic = t.topic
         GROUP BY t.topic ORDER BY t.topic",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(TopicInfo {
            topic: r.get(0)?,
            events: r.get(1)?,
            first_seq: r.get(2)?,
            last_seq: r.get(3)?,
            first_time: r.get(4)?,
            last_time: r.get(5)?,
            bytes: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What a compaction may delete.
pub struct Retention {
    /// Delete events ingested before this time.
    pub before_ms: Option<i64>,
    /// Keep at most this many events.
    pub max_events: Option<i64>,
    /// Keep only the newest event of each key (events without a key stay).
    pub by_key: bool,
    /// Also delete events a group has not read.
    pub force: bool,
}

/// Deletes what the retention allows; returns how many events went.
pub fn compact(tx: &Transaction<'_>, topic: &str, r: &Retention) -> anyhow::Result<usize> {
    // Unless forced, nothing past the slowest group's position goes.
    let limit: i64 = if r.force {
        i64::MAX
    } else {
        tx.query_row(
            "SELECT min(pos) FROM log_groups WHERE topic = ?1",
            [topic],
            |r| r.get::<_, Option<i64>>(0),
        )?
        .unwrap_or(i64::MAX)
    };
    let mut deleted = 0;
    let mut max_deleted: Option<i64> = None;
    let mut note =
        |tx: &Transaction<'_>, sql: &str, p: &[&dyn rusqlite::ToSql]| -> anyhow::Result<()> {
            let top: Option<i64> = tx.query_row(
                &format!("SELECT max(seq) FROM log_events WHERE seq IN ({sql})"),
                p,
                |r| r.get(0),
            )?;
            deleted += tx.execute(&format!("DELETE FROM log_events WHERE seq IN ({sql})"), p)?;
            max_deleted = max_deleted.max(top);
            Ok(())
        };
    if let Some(before) = r.before_ms {
        note(
            tx,
            "SELECT seq FROM log_events WHERE topic = ?1 AND ingest_ms < ?2 AND seq <= ?3",
            &[&topic, &before, &limit],
        )?;
    }
    if let Some(max) = r.max_events {
        note(
            tx,
            "SELECT seq FROM log_events WHERE topic = ?1 AND seq <= ?3 AND seq NOT IN
                (SELECT seq FROM log_events WHERE topic = ?1 ORDER BY seq DESC LIMIT ?2)",
            &[&topic, &max, &limit],
        )?;
    }
    if r.by_key {
        note(
            tx,
            "SELECT e.seq FROM log_events e WHERE e.topic = ?1 AND e.key IS NOT NULL AND e.seq <= ?2
                AND EXISTS (SELECT 1 FROM log_events n
                            WHERE n.topic = ?1 AND n.key = e.key AND n.seq > e.seq)",
            &[&topic, &limit],
        )?;
    }
    if let Some(top) = max_deleted {
        // Only a forced compaction can delete past a group's position: mark what it lost.
        tx.execute(
            "UPDATE log_groups SET lost_upto = max(lost_upto, ?2) WHERE topic = ?1 AND pos < ?2",
            params![topic, top],
        )?;
    }
    Ok(deleted)
}
