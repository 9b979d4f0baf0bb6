//! Reading a topic for a consumer group and delivering it: to stdout, or batch by batch to a
//! command. Positions only move after delivery, so a consumer that dies re-reads what was in
//! flight (at-least-once) and never skips an event.
//!
//! Writing to a pipe is not delivery: the reader may stop (`| head -5`) with events still in
//! the pipe. With `--commit auto` on a pipe, binge therefore puts one event at a time into the
//! pipe and takes it as delivered only once the reader has taken it out (the pipe's unread
//! byte count, FIONREAD, is back to zero); an event still in the pipe when the reader goes away
//! is not committed.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::{Position, with_meta};
use crate::exit::Exit;
use crate::store::{self, Store};
use crate::time;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// The position moves once events have reached the reader.
    Auto,
    /// The position moves only with `binge log ack`.
    Manual,
}

#[derive(Debug, Clone)]
pub enum Delivery {
    Stdout,
    /// `sh -c CMD` gets each batch on its stdin; exit status 0 acknowledges it.
    Exec(String),
    /// `log mirror`: each batch is published to a JetStream subject under the events' ids;
    /// JetStream's acknowledgement of every event acknowledges it.
    Nats(Mirror),
}

/// Where `log mirror` publishes.
#[derive(Debug, Clone)]
pub struct Mirror {
    pub server: String,
    pub subject: String,
    /// Create this stream, taking the subject, when missing.
    pub create_stream: Option<String>,
    /// How long one publish waits for JetStream's acknowledgement.
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutOfRange {
    Error,
    Earliest,
    Latest,
}

pub struct ReadOptions {
    pub topic: String,
    pub group: String,
    pub from: Position,
    /// Whether --from was given: for an existing group it is not used, which binge says.
    pub from_given: bool,
    pub limit: Option<u64>,
    pub follow: bool,
    pub meta: bool,
    pub commit: Commit,
    pub delivery: Delivery,
    pub retry: Retry,
    pub batch: usize,
    /// How long a batch stays leased to this reader without a sign of life.
    pub lease: Duration,
    pub out_of_range: OutOfRange,
}

/// How often `--follow` looks for new events.
const POLL: Duration = Duration::from_millis(20);

pub fn read(store: &mut Store, o: &ReadOptions) -> anyhow::Result<Exit> {
    read_to(store, o, crate::stream::stdout()?)
}

/// [`read`], delivering into `to` (a pipe to a pipeline of the same process) instead of
/// standard output.
pub fn read_to(store: &mut Store, o: &ReadOptions, to: File) -> anyhow::Result<Exit> {
    let (topic, group) = (o.topic.as_str(), o.group.as_str());
    let start = o.from.resolve(store.conn(), topic)?;
    if o.from_given && store::log::group_pos(store.conn(), topic, group)?.is_some() {
        eprintln!(
            "binge log read: group {group} exists, so it goes on from its saved position; \
             --from is where a new group starts (move this one with binge log seek)"
        );
    }
    let mut pos =
        store.write(|tx| store::log::ensure_group(tx, topic, group, start, time::now_ms()))?;
    if let Some(upto) = store::log::lost(store.conn(), topic, group)? {
        pos = match o.out_of_range {
            OutOfRange::Error => bail!(
                "group {group} had not read events up to seq {upto} of {topic} when a forced \
                 compaction deleted them; read with --on-out-of-range earliest or latest, or \
                 move it with binge log seek"
            ),
            OutOfRange::Earliest => pos,
            OutOfRange::Latest => store::log::latest(store.conn())?,
        };
        store.write(|tx| store::log::set_pos(tx, topic, group, pos, time::now_ms()))?;
    }
    let publisher = match &o.delivery {
        Delivery::Nats(m) => Some(crate::connect::nats::Publisher::new(
            &m.server,
            &m.subject,
            m.timeout,
            m.create_stream.as_deref(),
        )?),
        _ => None,
    };
    let mut out = Stdout::new(to);
    let mut delivered: u64 = 0;
    let mut parked: u64 = 0;
    let mut version = data_version(store)?;
    // SIGINT and SIGTERM end the run between batches: what was delivered is committed, and
    // binge exits 130 (a second signal ends it at once).
    crate::stream::catch_stop_signals();
    let holder = holder_id();
    let mut r = Reader {
        _renewer: Renewer::start(store.path(), &holder, o.lease),
        holder,
        mine: VecDeque::new(),
    };
    loop {
        if crate::stream::stopped() {
            r.settle(store, o, &mut out)?;
            return r.finish(store, o, &mut out, parked, Exit::Interrupted);
        }
        let want = match o.limit {
            Some(n) if delivered >= n => break,
            Some(n) => ((n - delivered) as usize).min(o.batch),
            None => o.batch,
        };
        // Parked events put back with `log dead --redrive` come first, under their own seqs.
        let again = store::log::redriven(store.conn(), topic, group, want)?;
        let redriving = !again.is_empty();
        let rows = if redriving {
            again
        } else {
            r.next_batch(store, o, want)?
        };
        if rows.is_empty() {
            // Events still in the pipe are delivered once the reader takes them out.
            if out.holding() {
                if !o.follow {
                    out.drained()?;
                }
                r.settle(store, o, &mut out)?;
            }
            if !o.follow {
                break;
            }
            match wait_for_more(store, &mut version, &out)? {
                Wait::More => {}
                // The reader of stdout went away while we waited.
                Wait::ReaderGone => {
                    r.settle(store, o, &mut out)?;
                    return r.finish(store, o, &mut out, parked, Exit::Success);
                }
                Wait::Stopped => {
                    r.settle(store, o, &mut out)?;
                    return r.finish(store, o, &mut out, parked, Exit::Interrupted);
                }
            }
            continue;
        }
        let last = rows.last().map_or(0, |r| r.seq);
        let taken = match &o.delivery {
            Delivery::Stdout => out.deliver(
                &rows,
                o.meta.then_some(o.topic.as_str()),
                o.commit == Commit::Auto,
            )?,
            handed => {
                let executed = match handed {
                    Delivery::Exec(cmd) => exec(store, o, cmd, &rows)?,
                    _ => mirror(
                        store,
                        o,
                        publisher.as_ref().expect("made for Delivery::Nats"),
                        &rows,
                    )?,
                };
                match executed {
                    Executed::Done => Taken::All,
                    Executed::Parked => {
                        parked += rows.len() as u64;
                        Taken::All
                    }
                    // Stopped between attempts: the batch stays unacknowledged and is
                    // delivered again (its lease is given up at once).
                    Executed::Stopped => {
                        return r.finish(store, o, &mut out, parked, Exit::Interrupted);
                    }
                }
            }
        };
        let (upto, gone) = match taken {
            Taken::All => (Some(last), false),
            Taken::Partly(upto) if redriving => {
                // A redriven event leaves the dead table only once the reader has it.
                out.drained()?;
                (out.settle().or(upto), false)
            }
            Taken::Partly(upto) => (upto, false),
            Taken::Upto(seq) => (Some(seq), true),
        };
        match upto {
            Some(upto) if redriving => {
                store.write(|tx| store::log::delivered_again(tx, topic, group, upto))?;
            }
            Some(upto) => r.commit(store, o, upto)?,
            None => {}
        }
        if gone {
            return r.finish(store, o, &mut out, parked, ended());
        }
        delivered += rows.len() as u64;
    }
    // What is still in the pipe counts once the reader has taken it out.
    if out.holding() {
        out.drained()?;
        r.settle(store, o, &mut out)?;
    }
    r.finish(store, o, &mut out, parked, Exit::Success)
}

/// One reader of a group: the batches leased to it, oldest first, kept alive by a renewer.
struct Reader {
    holder: String,
    mine: VecDeque<store::log::Lease>,
    _renewer: Renewer,
}

impl Reader {
    /// The group's next batch for this reader: a batch another reader left unfinished (its
    /// lease ran out, or it died), else the next events nobody has been handed.
    fn next_batch(
        &mut self,
        store: &mut Store,
        o: &ReadOptions,
        want: usize,
    ) -> anyhow::Result<Vec<store::log::Stored>> {
        let lease_ms = o.lease.as_millis() as i64;
        let got = store.write(|tx| {
            store::log::lease_next(
                tx,
                &o.topic,
                &o.group,
                &self.holder,
                time::now_ms(),
                lease_ms,
                want,
                &holder_gone,
            )
        })?;
        Ok(match got {
            Some((lease, rows)) => {
                self.mine.push_back(lease);
                rows
            }
            None => Vec::new(),
        })
    }

    /// Acknowledges this reader's batches up to `upto` under `--commit auto`; the group's
    /// position (its floor) moves up to the oldest batch still out.
    fn commit(&mut self, store: &mut Store, o: &ReadOptions, upto: i64) -> anyhow::Result<()> {
        if o.commit != Commit::Auto {
            return Ok(());
        }
        let mine = &mut self.mine;
        store.write(|tx| {
            while let Some(lease) = mine.front().cloned() {
                if lease.first > upto {
                    break;
                }
                let now = time::now_ms();
                match store::log::ack_lease(tx, &o.topic, &o.group, &lease, upto, now)? {
                    None => {
                        mine.pop_front();
                    }
                    Some(rest) => {
                        mine[0] = rest;
                        break;
                    }
                }
            }
            Ok(())
        })
    }

    /// Commits what the reader of the pipe has taken out of it so far.
    fn settle(
        &mut self,
        store: &mut Store,
        o: &ReadOptions,
        out: &mut Stdout,
    ) -> anyhow::Result<()> {
        match out.settle() {
            Some(upto) => self.commit(store, o, upto),
            None => Ok(()),
        }
    }

    /// Ends the run: batches still leased to this reader are given up for another (or the
    /// next run) to take at once, and a run that parked anything fails, so cron notices.
    fn finish(
        &mut self,
        store: &mut Store,
        o: &ReadOptions,
        out: &mut Stdout,
        parked: u64,
        exit: Exit,
    ) -> anyhow::Result<Exit> {
        out.flush()?;
        store.write(|tx| store::log::release_leases(tx, &self.holder))?;
        if parked > 0 {
            eprintln!(
                "binge log read: {parked} event{} parked; see binge log dead {} (and \
                 --redrive to deliver them again)",
                if parked == 1 { "" } else { "s" },
                o.topic
            );
            return Ok(Exit::Failure);
        }
        Ok(exit)
    }
}

/// Who holds a lease: this machine, this process, and a value unique to this run.
fn holder_id() -> String {
    format!(
        "{}:{}:{}",
        crate::sys::hostname(),
        std::process::id(),
        crate::sys::uuid7()
    )
}

/// Whether the holder of a lease is a process of this machine that is no longer running:
/// its batch need not wait for the lease to run out.
fn holder_gone(holder: &str) -> bool {
    let mut parts = holder.rsplitn(3, ':');
    let (_, pid, host) = (parts.next(), parts.next(), parts.next());
    let Some(pid) = pid.and_then(|p| p.parse::<i32>().ok()) else {
        return false;
    };
    if host != Some(crate::sys::hostname().as_str()) || pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only asks whether the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

/// Renews this reader's leases every third of their length while the run goes on, from its own
/// connection, so a long --exec command keeps its batch.
struct Renewer {
    stop: Arc<AtomicBool>,
    join: Option<std::thread::JoinHandle<()>>,
}

impl Renewer {
    fn start(path: Option<&std::path::Path>, holder: &str, lease: Duration) -> Renewer {
        let stop = Arc::new(AtomicBool::new(false));
        let join = path.map(|path| {
            let (stop, path, holder) = (Arc::clone(&stop), path.to_path_buf(), holder.to_string());
            std::thread::spawn(move || {
                let Ok(store) = Store::open(&path, store::Durability::Normal) else {
                    return;
                };
                let step = (lease / 3).max(Duration::from_millis(50));
                let mut next = Instant::now() + step;
                while !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(20));
                    if Instant::now() >= next {
                        let until = time::now_ms() + lease.as_millis() as i64;
                        // A failed renewal is retried at the next step; the lease is longer.
                        let _ = store::log::renew_leases(store.conn(), &holder, until);
                        next = Instant::now() + step;
                    }
                }
            })
        });
        Renewer { stop, join }
    }
}

impl Drop for Renewer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(j) = self.join.take() {
            let _ = j.join();
        }
    }
}

/// `binge log tail`: the last `n` events, then new ones with `follow`; no group, no commits.
pub fn tail(
    store: &mut Store,
    topic: &str,
    n: usize,
    follow: bool,
    meta: bool,
) -> anyhow::Result<Exit> {
    let mut out = Stdout::new(crate::stream::stdout()?);
    let mut version = data_version(store)?;
    crate::stream::catch_stop_signals();
    let rows = store::log::last(store.conn(), topic, n)?;
    let mut pos = rows
        .last()
        .map_or(store::log::latest(store.conn())?, |r| r.seq);
    let o = ReadOptions {
        topic: topic.to_string(),
        group: String::new(),
        from: Position::Latest,
        from_given: false,
        limit: None,
        follow,
        meta,
        commit: Commit::Manual,
        delivery: Delivery::Stdout,
        retry: Retry {
            min: Duration::ZERO,
            max: Duration::ZERO,
            retry_for: None,
            max_deliver: Some(1),
        },
        lease: Duration::from_secs(30),
        batch: 1000,
        out_of_range: OutOfRange::Error,
    };
    if let Taken::Upto(_) = out.deliver(&rows, meta.then_some(topic), false)? {
        return Ok(ended());
    }
    if !follow {
        out.flush()?;
        return Ok(Exit::Success);
    }
    loop {
        if crate::stream::stopped() {
            out.flush()?;
            return Ok(Exit::Interrupted);
        }
        let rows = store::log::after(store.conn(), topic, pos, o.batch)?;
        if rows.is_empty() {
            match wait_for_more(store, &mut version, &out)? {
                Wait::More => {}
                Wait::ReaderGone => return Ok(Exit::Success),
                Wait::Stopped => {
                    out.flush()?;
                    return Ok(Exit::Interrupted);
                }
            }
            continue;
        }
        pos = rows.last().map_or(pos, |r| r.seq);
        if let Taken::Upto(_) = out.deliver(&rows, meta.then_some(topic), false)? {
            return Ok(ended());
        }
    }
}

/// How a delivery that stopped short ends: the reader left (0), or a stop signal came (130).
pub(super) fn ended() -> Exit {
    if crate::stream::stopped() {
        Exit::Interrupted
    } else {
        Exit::Success
    }
}

fn data_version(store: &Store) -> anyhow::Result<i64> {
    Ok(store
        .conn()
        .query_row("PRAGMA data_version", [], |r| r.get(0))?)
}

enum Wait {
    /// Another connection committed to the state file.
    More,
    /// The reader of stdout left.
    ReaderGone,
    /// A stop signal came.
    Stopped,
}

/// Waits until another connection commits to the state file, the reader of stdout leaves, or
/// a stop signal comes.
fn wait_for_more(store: &Store, version: &mut i64, out: &Stdout) -> anyhow::Result<Wait> {
    loop {
        let v = data_version(store)?;
        if v != *version {
            *version = v;
            return Ok(Wait::More);
        }
        if out.reader_gone() {
            return Ok(Wait::ReaderGone);
        }
        if crate::stream::stopped() {
            return Ok(Wait::Stopped);
        }
        std::thread::sleep(POLL);
        // Events still in the pipe: look again at what the reader has taken.
        if out.holding() {
            return Ok(Wait::More);
        }
    }
}

/// Publishes a batch to JetStream until every event is acknowledged, each under its topic and
/// id in the log (so an event published again, after a lost acknowledgement or a restart, is
/// stored once); by default for as long as it takes, as `--exec` does.
fn mirror(
    store: &mut Store,
    o: &ReadOptions,
    p: &crate::connect::nats::Publisher,
    rows: &[store::log::Stored],
) -> anyhow::Result<Executed> {
    let first = rows.first().map_or(0, |r| r.seq);
    let last = rows.last().map_or(0, |r| r.seq);
    let ids = store::log::ids(store.conn(), &o.topic, first, last)?;
    let ids: Vec<String> = rows
        .iter()
        .map(|r| match ids.get(&r.seq) {
            Some(id) => format!("{}:{id}", o.topic),
            // A redriven event whose row was compacted away.
            None => format!("{}:seq:{}", o.topic, r.seq),
        })
        .collect();
    let messages: Vec<crate::connect::nats::Message<'_>> = rows
        .iter()
        .zip(&ids)
        .map(|(r, id)| crate::connect::nats::Message {
            id,
            body: r.body.as_bytes(),
        })
        .collect();
    let tried = retrying(&o.retry, &format!("publishing seq {first}..{last}"), || {
        p.publish(&messages).map_err(|(failed, why)| {
            anyhow::anyhow!("{} of {} not acknowledged: {why}", failed.len(), rows.len())
        })
    });
    park(store, o, rows, tried)
}

/// How far a delivery got.
pub(super) enum Taken {
    /// Every event.
    All,
    /// All were written; the reader has taken out of the pipe those up to this seq (none
    /// yet: `None`), and the rest are still in it.
    Partly(Option<i64>),
    /// The reader left: events up to this seq were taken.
    Upto(i64),
}

pub(super) struct Stdout {
    file: File,
    pipe: bool,
    buf: Vec<u8>,
    /// Bytes written to the pipe in this run.
    written: u64,
    /// Events written to the pipe that the reader may not have taken out yet: (the offset
    /// just past the event in `written`, its seq), oldest first.
    in_pipe: VecDeque<(u64, i64)>,
}

impl Stdout {
    pub(super) fn new(file: File) -> Stdout {
        let pipe = file.metadata().is_ok_and(|m| {
            use std::os::unix::fs::FileTypeExt;
            m.file_type().is_fifo()
        });
        Stdout {
            file,
            pipe,
            buf: Vec::with_capacity(1 << 16),
            written: 0,
            in_pipe: VecDeque::new(),
        }
    }

    /// One event, with `"_log"` naming `meta` as its topic when given.
    fn line(&mut self, row: &store::log::Stored, meta: Option<&str>) {
        if let Some(topic) = meta {
            with_meta(&row.body, topic, row.seq, row.time_ms, &mut self.buf);
        } else {
            self.buf.extend_from_slice(row.body.as_bytes());
        }
        self.buf.push(b'\n');
    }

    /// Writes the rows; with `exact` on a pipe, the whole batch at once, and then says which
    /// events the reader has taken out of the pipe so far (`Taken::Partly`): what is still in
    /// the pipe is not delivered yet.
    pub(super) fn deliver(
        &mut self,
        rows: &[store::log::Stored],
        meta: Option<&str>,
        exact: bool,
    ) -> anyhow::Result<Taken> {
        if exact && self.pipe {
            for row in rows {
                self.line(row, meta);
                self.in_pipe
                    .push_back((self.written + self.buf.len() as u64, row.seq));
            }
            let open = self.put()?;
            let upto = self.settle();
            return Ok(if open {
                Taken::Partly(upto)
            } else {
                Taken::Upto(upto.unwrap_or_else(|| rows.first().map_or(0, |r| r.seq - 1)))
            });
        }
        for row in rows {
            self.line(row, meta);
        }
        if !self.put()? {
            let before = rows.first().map_or(0, |r| r.seq - 1);
            return Ok(Taken::Upto(before));
        }
        Ok(Taken::All)
    }

    /// Writes what is buffered, counting the bytes that went in; false when the reader has
    /// gone (part of the buffer may have gone in before).
    fn put(&mut self) -> anyhow::Result<bool> {
        let mut at = 0;
        while at < self.buf.len() {
            match self.file.write(&self.buf[at..]) {
                Ok(0) => break,
                Ok(n) => {
                    at += n;
                    self.written += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    self.buf.clear();
                    return Ok(false);
                }
                Err(e) => {
                    self.buf.clear();
                    return Err(e).context("cannot write to standard output");
                }
            }
        }
        self.buf.clear();
        Ok(true)
    }

    /// The newest seq among the events the reader has taken out of the pipe since the last
    /// call: everything written less what the pipe still holds (FIONREAD, which the write end
    /// can ask too, even after the reader has gone).
    pub(super) fn settle(&mut self) -> Option<i64> {
        let fd = self.file.as_raw_fd();
        let mut unread: libc::c_int = 0;
        // SAFETY: FIONREAD writes one int through the pointer, which is valid.
        let rc = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut unread) };
        // A pipe that cannot tell: the write itself is all we know.
        let unread = if rc == 0 { unread.max(0) as u64 } else { 0 };
        let taken = self.written.saturating_sub(unread);
        let mut upto = None;
        while let Some(&(end, seq)) = self.in_pipe.front() {
            if end > taken {
                break;
            }
            upto = Some(seq);
            self.in_pipe.pop_front();
        }
        upto
    }

    /// Whether events are still in the pipe, not yet taken by the reader.
    pub(super) fn holding(&self) -> bool {
        !self.in_pipe.is_empty()
    }

    pub(super) fn flush(&mut self) -> anyhow::Result<()> {
        self.put().map(|_| ())
    }

    /// Waits until the reader has taken everything out of the pipe; false if it left first.
    pub(super) fn drained(&self) -> anyhow::Result<bool> {
        let fd = self.file.as_raw_fd();
        let started = Instant::now();
        loop {
            let mut unread: libc::c_int = 0;
            // SAFETY: FIONREAD writes one int through the pointer, which is valid.
            let rc = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut unread) };
            if rc != 0 {
                // The pipe cannot tell: the write itself is all we know.
                return Ok(!self.reader_gone());
            }
            if unread == 0 {
                return Ok(true);
            }
            // A stop signal: an event the reader has not taken is not delivered.
            if self.reader_gone() || crate::stream::stopped() {
                return Ok(false);
            }
            // A reader that keeps up takes an event within microseconds; one busy elsewhere
            // for longer should not cost a core, so after 10 ms the waits grow to 1 ms.
            let waited = started.elapsed();
            if waited < Duration::from_micros(200) {
                std::hint::spin_loop();
            } else if waited < Duration::from_millis(10) {
                std::thread::sleep(Duration::from_micros(100));
            } else {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    /// Whether stdout is a pipe whose reader has closed it.
    pub(super) fn reader_gone(&self) -> bool {
        if !self.pipe {
            return false;
        }
        let mut p = libc::pollfd {
            fd: self.file.as_raw_fd(),
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one valid pollfd, zero timeout.
        let n = unsafe { libc::poll(&mut p, 1, 0) };
        n > 0 && (p.revents & libc::POLLERR) != 0
    }
}

/// A file holding `data`, read from its start, with no name: nothing is left behind when binge
/// or the command dies. In the temporary folder (`TMPDIR`).
fn batch_file(data: &[u8]) -> std::io::Result<File> {
    use std::io::{Seek, SeekFrom};
    use std::os::unix::fs::OpenOptionsExt;
    let dir = std::env::temp_dir();
    let mut f = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_TMPFILE)
        .open(&dir)
    {
        Ok(f) => f,
        // A file system without O_TMPFILE: a named file, removed at once.
        Err(_) => {
            let path = dir.join(format!("binge-batch-{}", crate::sys::uuid7()));
            let f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)?;
            std::fs::remove_file(&path)?;
            f
        }
    };
    f.write_all(data)?;
    f.seek(SeekFrom::Start(0))?;
    Ok(f)
}

/// What came of handing a batch to the command.
enum Executed {
    /// The command took it (exit status 0).
    Done,
    /// It kept failing until `--max-deliver` or `--retry-for` said stop: the batch is parked.
    Parked,
    /// A stop signal came between attempts: the batch is neither acknowledged nor parked.
    Stopped,
}

/// When `--exec` tries a failing batch again, and when it gives up on it.
#[derive(Debug, Clone)]
pub struct Retry {
    /// The first wait between attempts, doubling (with jitter) up to `max`.
    pub min: Duration,
    pub max: Duration,
    /// Park the batch once it has been failing for this long.
    pub retry_for: Option<Duration>,
    /// Park the batch after this many attempts.
    pub max_deliver: Option<u32>,
}

/// Runs the command on the batch until it succeeds; by default for as long as it takes,
/// holding the group back as a Kafka consumer would, or until `--max-deliver` attempts or
/// `--retry-for` have passed, and then parks the batch.
fn exec(
    store: &mut Store,
    o: &ReadOptions,
    cmd: &str,
    rows: &[store::log::Stored],
) -> anyhow::Result<Executed> {
    let mut body = Vec::new();
    for row in rows {
        if o.meta {
            with_meta(&row.body, &o.topic, row.seq, row.time_ms, &mut body);
        } else {
            body.extend_from_slice(row.body.as_bytes());
        }
        body.push(b'\n');
    }
    let first = rows.first().map_or(0, |r| r.seq);
    let last = rows.last().map_or(0, |r| r.seq);
    let tried = exec_retrying(&o.retry, cmd, &body, &format!("seq {first}..{last}"));
    park(store, o, rows, tried)
}

/// Parks the batch if the attempts gave up on it.
fn park(
    store: &mut Store,
    o: &ReadOptions,
    rows: &[store::log::Stored],
    tried: Attempts,
) -> anyhow::Result<Executed> {
    let (attempt, error) = match tried {
        Attempts::Done => return Ok(Executed::Done),
        Attempts::Stopped => return Ok(Executed::Stopped),
        Attempts::GaveUp(attempt, error) => (attempt, error),
    };
    let first = rows.first().map_or(0, |r| r.seq);
    let last = rows.last().map_or(0, |r| r.seq);
    store.write(|tx| {
        store::log::park(
            tx,
            &o.topic,
            &o.group,
            rows,
            attempt,
            &error,
            time::now_ms(),
        )
    })?;
    eprintln!(
        "binge log read: parked seq {first}..{last} after {attempt} attempts ({error}); see \
         binge log dead {}",
        o.topic
    );
    Ok(Executed::Parked)
}

/// How trying a batch on the command ended.
pub(super) enum Attempts {
    Done,
    /// `--max-deliver` or `--retry-for` said stop: after this many attempts, the last error.
    GaveUp(u32, String),
    /// A stop signal came between attempts.
    Stopped,
}

/// Runs `cmd` on `body` until it exits 0, waiting between attempts as `r` says, or until `r`
/// says to give up. `what` names the batch in messages.
pub(super) fn exec_retrying(r: &Retry, cmd: &str, body: &[u8], what: &str) -> Attempts {
    retrying(r, &format!("--exec failed on {what}"), || {
        run_once(cmd, body)
    })
}

/// Tries `once` until it succeeds, waiting between attempts as `r` says (a stop signal cuts a
/// wait short), or until `r` says to give up. `failed` says what failed, in messages.
fn retrying(r: &Retry, failed: &str, mut once: impl FnMut() -> anyhow::Result<()>) -> Attempts {
    let started = Instant::now();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let error = match once() {
            Ok(()) => return Attempts::Done,
            Err(e) => format!("{e:#}"),
        };
        let give_up = r.max_deliver.is_some_and(|n| attempt >= n)
            || r.retry_for.is_some_and(|d| started.elapsed() >= d);
        if give_up {
            return Attempts::GaveUp(attempt, error);
        }
        let wait = crate::sys::backoff(r.min, r.max, attempt);
        eprintln!(
            "binge log: {failed} (attempt {attempt}); trying again in {:.1}s: {error}",
            wait.as_secs_f64()
        );
        if !crate::stream::sleep_unless_stopped(wait) {
            return Attempts::Stopped;
        }
    }
}

fn run_once(cmd: &str, input: &[u8]) -> anyhow::Result<()> {
    // The whole batch is in a file before the command starts, so it reads a complete batch to
    // its end whatever happens to binge meanwhile; through a pipe, a binge killed mid-write
    // would hand it part of one.
    let batch = batch_file(input).context("cannot write the batch to a temporary file")?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::from(batch))
        .spawn()
        .with_context(|| format!("cannot start {cmd}"))?;
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        bail!("{cmd} exited with {status}")
    }
}
