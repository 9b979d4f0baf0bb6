//! Tables that `tee` writes into a user's own SQLite file (`sqlite:PATH#TABLE`): not the state
//! file, so no migrations, just the one table, created when missing.

use anyhow::{Context, bail};
use rusqlite::{Connection, params};

/// Opens a user's SQLite file the way the state file is opened (WAL, a long busy timeout),
/// without adding binge's own tables to it.
pub fn open(path: &std::path::Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    Ok(conn)
}

/// A table name must be a plain identifier: it is written into SQL.
pub fn check_table(name: &str) -> anyhow::Result<()> {
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
    if !ok {
        bail!("'{name}' is not a table name (letters, digits and _, not starting with a digit)");
    }
    Ok(())
}

pub fn create(conn: &Connection, table: &str) -> anyhow::Result<()> {
    check_table(table)?;
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS \"{table}\" (
             id    INTEGER PRIMARY KEY AUTOINCREMENT,
             time  TEXT NOT NULL,
             event TEXT NOT NULL
         )"
    ))?;
    Ok(())
}

/// Inserts one row per event line, in one transaction.
pub fn insert(
    conn: &mut Connection,
    table: &str,
    time: &str,
    lines: &[&str],
) -> anyhow::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut stmt = tx.prepare_cached(&format!(
            "INSERT INTO \"{table}\" (time, event) VALUES (?1, ?2)"
        ))?;
        for line in lines {
            stmt.execute(params![time, line])?;
        }
    }
    tx.commit()?;
    Ok(())
}
