//! `binge state`: what the state file keeps for the engine itself (input positions).

use std::os::unix::fs::MetadataExt;

use crate::cli::{StateCmdArgs, StateCommand};
use crate::exit::Exit;
use crate::json::{Number, Value};
use crate::store::{self, Store};
use crate::time;

pub fn run(args: &StateCmdArgs) -> anyhow::Result<Exit> {
    let path = store::state_path(args.state.state.as_deref())?;
    let mut store = Store::open(&path, args.state.durability)?;
    match &args.command {
        StateCommand::Inputs { scope, forget } => {
            if *forget {
                let n = store.write(|tx| store::inputs::forget(tx, scope.as_deref()))?;
                eprintln!(
                    "binge state: forgot {n} input position{}",
                    if n == 1 { "" } else { "s" }
                );
                return Ok(Exit::Success);
            }
            let rows = store::inputs::all(store.conn())?;
            let values = rows
                .into_iter()
                .filter(|(s, _, _)| scope.as_ref().is_none_or(|want| want == s))
                .map(|(s, p, updated)| {
                    // How much of the file read there is still to come, when it is still the
                    // same file.
                    let behind = std::fs::metadata(&p.read_path)
                        .ok()
                        .filter(|m| m.dev() == p.device && m.ino() == p.inode)
                        .map(|m| m.len().saturating_sub(p.offset));
                    let int = |n: u64| Value::Number(Number::Int(n as i64));
                    let text = |t: String| Value::String(t.into());
                    Value::Object(vec![
                        ("scope".into(), text(s)),
                        ("path".into(), text(p.path)),
                        ("read_path".into(), text(p.read_path)),
                        ("offset".into(), int(p.offset)),
                        ("line".into(), int(p.line)),
                        ("device".into(), int(p.device)),
                        ("inode".into(), int(p.inode)),
                        ("updated_at".into(), text(time::format_rfc3339(updated))),
                        ("behind".into(), behind.map_or(Value::Null, int)),
                    ])
                });
            super::log::write_values(values)
        }
    }
}
