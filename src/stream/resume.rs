//! `--resume` (DESIGN.md §2, "Resumable inputs"): where each input file was left, how the next
//! run finds it again after a rotation, and the positions of the lines handed to the stage so
//! far, for whoever commits them.
//!
//! A file is known by device, inode and a fingerprint of its first bytes (up to
//! [`FINGERPRINT_BYTES`]), as logrotate-aware readers such as Fluent Bit's tail input and
//! Vector's file source do: a new file under the old name, or an old inode reused, is a
//! different file. When the file under the name is not the one read last time, the old one
//! is looked for beside it (`NAME.*` or `NAME-*`, as logrotate names rotated files), finished
//! from where the last run stopped, and the new one is then read from its start.

use std::fs::File;
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Transaction;
use sha2::{Digest, Sha256};

use super::input::{From, Segment};
use crate::store::inputs::{self, Position};
use crate::store::{Durability, Store};

/// How many leading bytes tell one file from another.
pub const FINGERPRINT_BYTES: u64 = 4096;

/// What `--resume` asks of a run.
#[derive(Debug, Clone)]
pub struct Resume {
    /// Who is reading: positions are kept per scope and file, so two jobs reading one file
    /// each keep their own place.
    pub scope: String,
    pub state: PathBuf,
    pub durability: Durability,
}

/// How a stage wants its input positions kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keeps {
    /// The stage commits them with its own state, in one transaction: exactly once.
    WithState,
    /// The engine saves them once the output of those lines is flushed: at least once.
    AfterOutput,
    /// The engine saves them only after the stage ended well (its output goes elsewhere,
    /// asynchronously): at least once.
    AtEnd,
}

/// The positions of the lines handed to the stage so far. Shared between the engine, which
/// moves them, and a stage that commits them with its state.
#[derive(Clone)]
pub struct Cursor(Arc<Mutex<Inner>>);

struct Inner {
    scope: String,
    /// Per tracked input (by name), where the handled lines end.
    positions: Vec<Option<Position>>,
}

impl Cursor {
    fn new(scope: &str, tracked: usize) -> Cursor {
        Cursor(Arc::new(Mutex::new(Inner {
            scope: scope.to_string(),
            positions: vec![None; tracked],
        })))
    }

    /// Writes the positions of every line handed so far into `tx`.
    pub fn save(&self, tx: &Transaction<'_>) -> anyhow::Result<()> {
        let inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = crate::time::now_ms();
        for p in inner.positions.iter().flatten() {
            inputs::put(tx, &inner.scope, p, now)?;
        }
        Ok(())
    }

    /// The current positions, for a stage that commits them later than it takes them.
    pub fn snapshot(&self) -> Cursor {
        let inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        Cursor(Arc::new(Mutex::new(Inner {
            scope: inner.scope.clone(),
            positions: inner.positions.clone(),
        })))
    }

    fn advance(&self, tracked: usize, file: &Identity, offset: u64, line: u64) {
        let mut inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        inner.positions[tracked] = Some(Position {
            path: file.path.clone(),
            read_path: file.read_path.clone(),
            device: file.device,
            inode: file.inode,
            fingerprint: file.fingerprint.clone(),
            fp_len: file.fp_len,
            offset,
            line,
        });
    }
}

/// A file as it was opened.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The tracked input's name, made absolute.
    path: String,
    read_path: String,
    device: u64,
    inode: u64,
    fingerprint: String,
    fp_len: u64,
}

/// What the engine needs to move the cursor: per segment, the tracked input and file it is.
pub struct Plan {
    pub segments: Vec<Segment>,
    pub tracks: Vec<Option<(usize, Identity)>>,
    pub cursor: Cursor,
    /// Things the user should know (a rotated file that could not be found).
    pub notes: Vec<String>,
}

impl Plan {
    /// Records that the lines of segment `seg` up to `offset` (the last one numbered `line`)
    /// have been handed to the stage.
    pub fn handed(&self, seg: usize, offset: u64, line: u64) {
        if let Some(Some((tracked, id))) = self.tracks.get(seg) {
            self.cursor.advance(*tracked, id, offset, line);
        }
    }
}

fn fingerprint(f: &File, len: u64) -> io::Result<String> {
    let mut buf = vec![0u8; len as usize];
    f.read_exact_at(&mut buf, 0)?;
    let digest = Sha256::digest(&buf);
    Ok(digest[..16].iter().map(|b| format!("{b:02x}")).collect())
}

fn identity(path: &str, read_path: &Path, f: &File) -> io::Result<(Identity, u64)> {
    let m = f.metadata()?;
    let fp_len = m.len().min(FINGERPRINT_BYTES);
    Ok((
        Identity {
            path: path.to_string(),
            read_path: read_path.display().to_string(),
            device: m.dev(),
            inode: m.ino(),
            fingerprint: fingerprint(f, fp_len)?,
            fp_len,
        },
        m.len(),
    ))
}

/// Whether `f` starts with the bytes the stored position was fingerprinted on and is long
/// enough to hold what was read.
fn same_content(f: &File, len: u64, p: &Position) -> bool {
    len >= p.offset
        && len >= p.fp_len
        && fingerprint(f, p.fp_len).is_ok_and(|fp| fp == p.fingerprint)
}

/// Files beside `path` that logrotate may have renamed it to: `NAME.*` and `NAME-*`.
fn rotated_candidates(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter_map(|e| {
            let n = e.file_name();
            let n = n.to_str()?;
            let rest = n.strip_prefix(name)?;
            (rest.starts_with('.') || rest.starts_with('-')).then(|| dir.join(n))
        })
        .collect();
    found.sort();
    found
}

/// Finds the file the stored position was read from, now that `path` is another file (or
/// was truncated): the same inode under a rotated name first, else a copy with the same
/// first bytes (logrotate's copytruncate).
fn find_rotated(path: &Path, p: &Position) -> Option<(PathBuf, File)> {
    let mut candidates = rotated_candidates(path);
    let last = PathBuf::from(&p.read_path);
    if last != path && !candidates.contains(&last) {
        candidates.insert(0, last);
    }
    let mut copy = None;
    for c in candidates {
        let Ok(f) = File::open(&c) else { continue };
        let Ok(m) = f.metadata() else { continue };
        if !m.is_file() || !same_content(&f, m.len(), p) {
            continue;
        }
        if m.dev() == p.device && m.ino() == p.inode {
            return Some((c, f));
        }
        copy.get_or_insert((c, f));
    }
    copy
}

/// Decides what to read of each input: from where the scope left each file, finishing a
/// rotated file first. Inputs that cannot be opened are left for the reader to report.
pub fn plan(command: &str, names: &[String], r: &Resume, store: &Store) -> anyhow::Result<Plan> {
    let cursor = Cursor::new(&r.scope, names.len());
    let mut plan = Plan {
        segments: Vec::new(),
        tracks: Vec::new(),
        cursor,
        notes: Vec::new(),
    };
    for (tracked, name) in names.iter().enumerate() {
        let abs = std::path::absolute(name)
            .unwrap_or_else(|_| PathBuf::from(name))
            .display()
            .to_string();
        let stored = inputs::get(store.conn(), &r.scope, &abs)?;
        let at = Path::new(&abs);
        let current =
            File::open(name).and_then(|f| identity(&abs, at, &f).map(|(id, len)| (f, id, len)));
        let (file, id, len) = match current {
            Ok(c) => c,
            Err(_) => {
                // A name that is gone may still have its rotated file to finish.
                if let Some(p) = &stored
                    && let Some((path, f)) = find_rotated(at, p)
                {
                    push_rotated(&mut plan, tracked, &abs, &path, f, p)?;
                }
                plan.segments.push(Segment {
                    name: name.clone(),
                    from: From::Path(name.clone()),
                });
                plan.tracks.push(None);
                continue;
            }
        };
        let (start, first_line) = match &stored {
            None => (0, 1),
            Some(p)
                if id.device == p.device && id.inode == p.inode && same_content(&file, len, p) =>
            {
                (p.offset, p.line + 1)
            }
            Some(p) => {
                match find_rotated(at, p) {
                    Some((path, f)) => push_rotated(&mut plan, tracked, &abs, &path, f, p)?,
                    None if p.offset > 0 => plan.notes.push(format!(
                        "binge {command}: {name}: not the file read last time, and that one \
                         (read to byte {}) is not beside it as {name}.* or {name}-*; reading \
                         {name} from its start",
                        p.offset
                    )),
                    None => {}
                }
                (0, 1)
            }
        };
        plan.segments.push(Segment {
            name: name.clone(),
            from: From::File {
                file,
                start,
                first_line,
                hold_partial: true,
            },
        });
        plan.tracks.push(Some((tracked, id)));
    }
    Ok(plan)
}

fn push_rotated(
    plan: &mut Plan,
    tracked: usize,
    abs: &str,
    path: &Path,
    f: File,
    p: &Position,
) -> anyhow::Result<()> {
    let (id, _) = identity(abs, path, &f)?;
    plan.segments.push(Segment {
        name: path.display().to_string(),
        from: From::File {
            file: f,
            start: p.offset,
            first_line: p.line + 1,
            hold_partial: false,
        },
    });
    plan.tracks.push(Some((tracked, id)));
    Ok(())
}

/// The segments of a run without `--resume`: every input whole.
pub fn whole(names: &[String]) -> Vec<Segment> {
    names
        .iter()
        .map(|n| Segment {
            name: n.clone(),
            from: if n == "-" {
                From::Stdin
            } else {
                From::Path(n.clone())
            },
        })
        .collect()
}
