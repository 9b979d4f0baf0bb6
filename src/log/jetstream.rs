//! `binge log read nats://HOST:PORT/STREAM --group NAME`: a JetStream stream read for a consumer
//! group as the local log is read. The group is a durable pull consumer of that name, so any
//! number of binge processes, on any number of machines, reading one group share its messages.
//! A message is acknowledged only once it is delivered, with the local log's rule (on a pipe:
//! once the reader has taken it out; with `--exec`: once the command exits 0); one that is not
//! is delivered again after `--lease`, to this reader or another.

use std::collections::VecDeque;
use std::fs::File;
use std::time::Duration;

use anyhow::{Context, bail};
use async_nats::jetstream::{self, AckKind, consumer::pull};
use futures_util::StreamExt;

use super::deliver::{Attempts, Stdout, Taken, ended, exec_retrying};
use super::{Commit, Delivery, Position, ReadOptions};
use crate::exit::{Exit, UsageError};
use crate::store;

/// How long `--follow` waits on the server for messages before looking at signals again.
const LONG_POLL: Duration = Duration::from_millis(500);

/// Up to `want` messages of the consumer: those there now, or with `follow` what comes within a
/// long poll.
async fn fetch(
    consumer: jetstream::consumer::Consumer<pull::Config>,
    want: usize,
    follow: bool,
) -> anyhow::Result<Vec<jetstream::Message>> {
    let batch = if follow {
        consumer
            .batch()
            .max_messages(want)
            .expires(LONG_POLL)
            .messages()
            .await
    } else {
        consumer.fetch().max_messages(want).messages().await
    };
    let mut batch = batch.context("cannot ask JetStream for messages")?;
    let mut got = Vec::with_capacity(want);
    while let Some(m) = batch.next().await {
        match m {
            Ok(m) => got.push(m),
            // What came before the error is delivered; the next fetch goes on.
            Err(e) if !got.is_empty() => {
                eprintln!("binge log read: {e}");
                break;
            }
            Err(e) => bail!("cannot read from JetStream: {e}"),
        }
    }
    Ok(got)
}

pub fn read_to(o: &ReadOptions, to: File) -> anyhow::Result<Exit> {
    let (server, stream) = crate::connect::nats::parse_url(&o.topic)
        .ok_or_else(|| UsageError(format!("{}: expected nats://HOST:PORT/STREAM", o.topic)))?;
    if let Delivery::Nats(_) = o.delivery {
        return Err(UsageError(
            "log mirror forwards a topic of the local log; a JetStream stream is mirrored by \
             JetStream itself (a stream with a source)"
                .into(),
        )
        .into());
    }
    if o.commit == Commit::Manual {
        return Err(UsageError(
            "--commit manual: JetStream takes each message's acknowledgement from the reader \
             it was delivered to, so a later binge log ack cannot give it; read with --commit \
             auto (the default), or --exec to acknowledge what a command has handled"
                .into(),
        )
        .into());
    }
    // One worker thread besides this one: it keeps the connection and the in-progress signals
    // of a batch going while this thread waits for --exec.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the NATS client")?;
    let client = runtime.block_on(crate::connect::nats::connect(&server, false))?;
    // The context starts a task of its own: it is made inside the runtime.
    let consumer = runtime.block_on(async {
        let js = jetstream::new(client.clone());
        open(&js, &stream, o).await
    })?;
    crate::stream::catch_stop_signals();
    let mut r = Reading {
        runtime,
        consumer,
        stream,
        out: Stdout::new(to),
        in_pipe: VecDeque::new(),
        ahead: None,
        next: 0,
        terminated: 0,
        not_json: 0,
    };
    let exit = r.run(o);
    // Acknowledgements are sent without waiting for the server; they must leave before binge
    // does.
    let flushed = r.runtime.block_on(client.flush());
    let exit = exit?;
    flushed.context("cannot send the last acknowledgements")?;
    if r.terminated > 0 || r.not_json > 0 {
        if r.terminated > 0 {
            eprintln!(
                "binge log read: {} message{} of {} terminated after --exec gave up on them \
                 (JetStream will not deliver them again)",
                r.terminated,
                if r.terminated == 1 { "" } else { "s" },
                r.stream
            );
        }
        if r.not_json > 0 {
            eprintln!(
                "binge log read: {} message{} of {} not one JSON value, terminated (JetStream \
                 will not deliver them again)",
                r.not_json,
                if r.not_json == 1 { "" } else { "s" },
                r.stream
            );
        }
        return Ok(Exit::Failure);
    }
    Ok(exit)
}

/// The group's consumer on `stream`, created when missing: durable, pull, each message
/// acknowledged on its own, redelivered after `--lease`.
async fn open(
    js: &jetstream::Context,
    stream: &str,
    o: &ReadOptions,
) -> anyhow::Result<jetstream::consumer::Consumer<pull::Config>> {
    let st = match js.get_stream(stream).await {
        Ok(st) => st,
        Err(e) => {
            let mut names = js.stream_names();
            let mut known = Vec::new();
            while let Some(Ok(n)) = names.next().await {
                known.push(n);
            }
            let known = if known.is_empty() {
                "the server has no streams".to_string()
            } else {
                format!("the streams are: {}", known.join(", "))
            };
            return Err(UsageError(format!("no stream {stream} ({e}); {known}")).into());
        }
    };
    if let Ok(c) = st.get_consumer::<pull::Config>(&o.group).await {
        if o.from_given {
            eprintln!(
                "binge log read: group {} exists, so it goes on from its saved position; --from \
                 is where a new group starts",
                o.group
            );
        }
        return Ok(c);
    }
    let deliver_policy = match o.from {
        Position::Earliest => jetstream::consumer::DeliverPolicy::All,
        Position::Latest => jetstream::consumer::DeliverPolicy::New,
        Position::Seq(n) => jetstream::consumer::DeliverPolicy::ByStartSequence {
            start_sequence: n.max(1) as u64,
        },
        Position::Time(ms) => jetstream::consumer::DeliverPolicy::ByStartTime {
            start_time: time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
                .context("--from: a time out of range")?,
        },
    };
    st.get_or_create_consumer(
        &o.group,
        pull::Config {
            durable_name: Some(o.group.clone()),
            deliver_policy,
            ack_policy: jetstream::consumer::AckPolicy::Explicit,
            ack_wait: o.lease,
            // Several readers each with batches out, and more pulled while they are delivered.
            max_ack_pending: (o.batch * 20).max(20_000) as i64,
            ..Default::default()
        },
    )
    .await
    .with_context(|| format!("cannot create the consumer {} on {stream}", o.group))
}

struct Reading {
    runtime: tokio::runtime::Runtime,
    consumer: jetstream::consumer::Consumer<pull::Config>,
    stream: String,
    out: Stdout,
    /// Messages written into the pipe, not yet known to be taken out: (their number in this
    /// run, the message), oldest first.
    in_pipe: VecDeque<(i64, jetstream::Message)>,
    /// The next batch, asked for while this one is delivered.
    ahead: Option<tokio::task::JoinHandle<anyhow::Result<Vec<jetstream::Message>>>>,
    /// The number the next message delivered gets: JetStream's own sequence numbers do not
    /// grow in delivery order once messages are redelivered.
    next: i64,
    terminated: u64,
    not_json: u64,
}

impl Reading {
    fn run(&mut self, o: &ReadOptions) -> anyhow::Result<Exit> {
        let mut delivered: u64 = 0;
        loop {
            if crate::stream::stopped() {
                self.settle()?;
                self.give_back();
                return Ok(Exit::Interrupted);
            }
            let want = match o.limit {
                Some(n) if delivered >= n => break,
                Some(n) => ((n - delivered) as usize).min(o.batch),
                None => o.batch,
            };
            let messages = self.fetch(want, o.follow)?;
            if !messages.is_empty() {
                let after = delivered + messages.len() as u64;
                let next = match o.limit {
                    Some(n) => (n.saturating_sub(after) as usize).min(o.batch),
                    None => o.batch,
                };
                self.fetch_ahead(next, o.follow);
            }
            if messages.is_empty() {
                if self.out.holding() {
                    if !o.follow {
                        self.out.drained()?;
                    }
                    self.settle()?;
                }
                if !o.follow {
                    break;
                }
                if self.out.reader_gone() {
                    self.settle()?;
                    self.give_back();
                    return Ok(Exit::Success);
                }
                continue;
            }
            let mut rows = Vec::with_capacity(messages.len());
            let mut kept = Vec::with_capacity(messages.len());
            for m in messages {
                let Some(row) = self.row(&m, o.meta) else {
                    self.not_json += 1;
                    self.ack(&m, AckKind::Term);
                    continue;
                };
                rows.push(row);
                kept.push(m);
            }
            delivered += rows.len() as u64;
            match &o.delivery {
                Delivery::Stdout => {
                    for (row, m) in rows.iter().zip(kept) {
                        self.in_pipe.push_back((row.seq, m));
                    }
                    let taken = self.out.deliver(&rows, None, true)?;
                    match taken {
                        Taken::All => {
                            let last = rows.last().map_or(0, |r| r.seq);
                            self.ack_upto(last);
                        }
                        Taken::Partly(upto) => {
                            if let Some(upto) = upto {
                                self.ack_upto(upto);
                            }
                        }
                        Taken::Upto(upto) => {
                            self.ack_upto(upto);
                            self.give_back();
                            return Ok(ended());
                        }
                    }
                }
                Delivery::Nats(_) => unreachable!("refused before reading"),
                Delivery::Exec(cmd) => {
                    let mut body = Vec::new();
                    for row in &rows {
                        body.extend_from_slice(row.body.as_bytes());
                        body.push(b'\n');
                    }
                    let what = format!("{} messages of {}", kept.len(), self.stream);
                    // While the command runs (and is retried), JetStream is told the batch is
                    // in progress every third of --lease, so it is not delivered to another
                    // reader meanwhile; a reader that dies stops telling it.
                    let working = std::sync::Arc::new(kept);
                    let signals = {
                        let (working, every) = (std::sync::Arc::clone(&working), o.lease / 3);
                        self.runtime.spawn(async move {
                            loop {
                                tokio::time::sleep(every).await;
                                for m in working.iter() {
                                    let _ = m.ack_with(AckKind::Progress).await;
                                }
                            }
                        })
                    };
                    let tried = exec_retrying(&o.retry, cmd, &body, &what);
                    signals.abort();
                    let kept = &*working;
                    match tried {
                        Attempts::Done => self.ack_all(kept.iter(), AckKind::Ack),
                        Attempts::GaveUp(attempt, error) => {
                            eprintln!(
                                "binge log read: --exec gave up on {what} after {attempt} \
                                 attempts ({error}); terminating them"
                            );
                            self.ack_all(kept.iter(), AckKind::Term);
                            self.terminated += kept.len() as u64;
                        }
                        Attempts::Stopped => {
                            self.ack_all(kept.iter(), AckKind::Nak(None));
                            self.give_back();
                            return Ok(Exit::Interrupted);
                        }
                    }
                }
            }
        }
        if self.out.holding() {
            self.out.drained()?;
            self.settle()?;
        }
        self.give_back();
        self.out.flush()?;
        Ok(Exit::Success)
    }

    /// Up to `want` messages: the batch asked for ahead, else those there now, or with `follow`
    /// what comes within a long poll.
    fn fetch(&mut self, want: usize, follow: bool) -> anyhow::Result<Vec<jetstream::Message>> {
        match self.ahead.take() {
            Some(h) => self
                .runtime
                .block_on(h)
                .context("the NATS client stopped")?,
            None => self
                .runtime
                .block_on(fetch(self.consumer.clone(), want, follow)),
        }
    }

    /// Asks for the next batch now, on the client's own thread, so the server delivers it while
    /// this thread delivers the one in hand.
    fn fetch_ahead(&mut self, want: usize, follow: bool) {
        if want > 0 && self.ahead.is_none() {
            let consumer = self.consumer.clone();
            self.ahead = Some(self.runtime.spawn(fetch(consumer, want, follow)));
        }
    }

    /// The message as a row of the log, numbered in delivery order, with `"_log"` when `meta`
    /// asks (its seq the stream's); None if it is not one JSON value (another publisher's),
    /// which could not be delivered as one line.
    fn row(&mut self, m: &jetstream::Message, meta: bool) -> Option<store::log::Stored> {
        let body = std::str::from_utf8(&m.payload).ok()?.trim_end();
        crate::json::validate_value(body.as_bytes()).ok()?;
        let mut compact = Vec::new();
        // Pretty-printed JSON is one event, written on one line.
        let body = if memchr::memchr(b'\n', body.as_bytes()).is_some() {
            let v = crate::json::parse_value(body.as_bytes()).ok()?;
            crate::json::write_value(&v, &mut compact);
            std::str::from_utf8(&compact).ok()?
        } else {
            body
        };
        // Where the message is in the stream is read from its reply subject, only when asked.
        let info = if meta { m.info().ok() } else { None };
        let time_ms = info.as_ref().map_or(0, |i| {
            (i.published.unix_timestamp_nanos() / 1_000_000) as i64
        });
        let body = if meta {
            let seq = info.as_ref().map_or(0, |i| i.stream_sequence as i64);
            let mut out = Vec::new();
            super::with_meta(body, &self.stream, seq, time_ms, &mut out);
            String::from_utf8(out).ok()?
        } else {
            body.to_string()
        };
        self.next += 1;
        Some(store::log::Stored {
            seq: self.next,
            time_ms,
            body,
        })
    }

    fn ack(&self, m: &jetstream::Message, kind: AckKind) {
        self.ack_all(std::iter::once(m), kind);
    }

    /// Answers each message with `kind` (sent, not waited for: an acknowledgement that is lost
    /// leaves its message to be delivered again).
    fn ack_all<'m>(&self, ms: impl Iterator<Item = &'m jetstream::Message>, kind: AckKind) {
        self.runtime.block_on(async {
            for m in ms {
                if let Err(e) = m.ack_with(kind).await {
                    eprintln!("binge log read: cannot acknowledge a message: {e}");
                }
            }
        });
    }

    /// Acknowledges the messages in the pipe up to number `upto`.
    fn ack_upto(&mut self, upto: i64) {
        let n = self.in_pipe.partition_point(|(n, _)| *n <= upto);
        let done: Vec<_> = self.in_pipe.drain(..n).collect();
        self.ack_all(done.iter().map(|(_, m)| m), AckKind::Ack);
    }

    /// Acknowledges what the reader of the pipe has taken out so far.
    fn settle(&mut self) -> anyhow::Result<()> {
        if let Some(upto) = self.out.settle() {
            self.ack_upto(upto);
        }
        Ok(())
    }

    /// Messages not delivered go back at once, for another reader (or the next run).
    fn give_back(&mut self) {
        let left: Vec<_> = self.in_pipe.drain(..).collect();
        self.ack_all(left.iter().map(|(_, m)| m), AckKind::Nak(None));
        if let Some(h) = self.ahead.take()
            && let Ok(Ok(ahead)) = self.runtime.block_on(h)
        {
            self.ack_all(ahead.iter(), AckKind::Nak(None));
        }
    }
}
