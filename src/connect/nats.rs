//! NATS JetStream (through the official `async-nats` client): the replicated log many machines
//! share, for when one machine's SQLite log is outgrown. Owns the `nats://` addresses,
//! connecting, publishing with JetStream's acknowledgement and message ids (what `tee
//! nats://` and `log mirror` send), and reading a stream for a consumer group as a durable pull
//! consumer (`log read nats://`).
//!
//! binge stays synchronous: each user of JetStream runs a current-thread runtime on its own
//! thread and blocks on it.

use std::time::Duration;

use anyhow::Context;
use async_nats::jetstream;

/// `nats://[USER:PASS@]HOST:PORT/NAME` as (the server's address, NAME): NAME is a subject for
/// a target, a stream for a source.
pub fn parse_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("nats://")?;
    let (server, name) = rest.split_once('/')?;
    if server.is_empty() || name.is_empty() || name.contains('/') {
        return None;
    }
    Some((format!("nats://{server}"), name.to_string()))
}

/// The address without credentials, for messages.
pub fn shown(server: &str) -> &str {
    match server.rsplit_once('@') {
        Some((_, host)) => host,
        None => server.strip_prefix("nats://").unwrap_or(server),
    }
}

/// A runtime for the client, on the calling thread.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Connects to `server`. With `wait`, a server that is down is waited for (in the background,
/// the client reconnecting on its own, and every request timing out meanwhile); without, it is
/// an error at once.
pub async fn connect(server: &str, wait: bool) -> anyhow::Result<async_nats::Client> {
    let mut o = async_nats::ConnectOptions::new()
        .connection_timeout(Duration::from_secs(5))
        .max_reconnects(None)
        // The client's default grows to several seconds between attempts; a server back after
        // a restart should be found within a second.
        .reconnect_delay_callback(|attempt| {
            Duration::from_millis((50u64 << attempt.min(5)).min(1000))
        });
    if wait {
        o = o.retry_on_initial_connect();
    }
    o.connect(server)
        .await
        .with_context(|| format!("cannot connect to nats://{}", shown(server)))
}

/// Creates the stream `name` taking `subject`, unless a stream of that name exists (whatever
/// it takes: binge does not change a stream someone else set up).
pub async fn create_stream(
    js: &jetstream::Context,
    name: &str,
    subject: &str,
) -> anyhow::Result<()> {
    match js.get_stream(name).await {
        Ok(_) => Ok(()),
        Err(_) => {
            js.get_or_create_stream(jetstream::stream::Config {
                name: name.to_string(),
                subjects: vec![subject.to_string()],
                ..Default::default()
            })
            .await
            .with_context(|| format!("cannot create the stream {name}"))?;
            Ok(())
        }
    }
}

/// One message to publish: its id (JetStream stores a message once per id within the stream's
/// duplicate window) and its body.
pub struct Message<'a> {
    pub id: &'a str,
    pub body: &'a [u8],
}

/// Publishes to one subject and waits for JetStream's acknowledgements.
pub struct Publisher {
    runtime: tokio::runtime::Runtime,
    js: jetstream::Context,
    /// Shared by every message, not copied.
    subject: async_nats::Subject,
}

impl Publisher {
    /// A publisher to `subject` of `server`, creating the stream `create` first when given.
    /// The server may be down: publishing then fails until it is back.
    pub fn new(
        server: &str,
        subject: &str,
        timeout: Duration,
        create: Option<&str>,
    ) -> anyhow::Result<Publisher> {
        let runtime = runtime().context("cannot start the NATS client")?;
        let js = runtime.block_on(async {
            let client = connect(server, true).await?;
            let js = jetstream::ContextBuilder::new()
                .timeout(timeout)
                .build(client);
            anyhow::Ok(js)
        })?;
        if let Some(name) = create {
            runtime.block_on(create_stream(&js, name, subject))?;
        }
        Ok(Publisher {
            runtime,
            js,
            subject: async_nats::Subject::from(subject),
        })
    }

    /// Publishes every message, all in flight at once, and waits for each acknowledgement.
    /// Returns the positions of the messages JetStream did not acknowledge, with the first
    /// reason; a message stored before (same id) counts as acknowledged.
    pub fn publish(&self, messages: &[Message<'_>]) -> Result<(), (Vec<usize>, String)> {
        self.runtime.block_on(async {
            let mut waiting = Vec::with_capacity(messages.len());
            let mut failed = Vec::new();
            let mut reason = None;
            for (i, m) in messages.iter().enumerate() {
                let publish = jetstream::message::PublishMessage::build()
                    .message_id(m.id)
                    .payload(m.body.to_vec().into());
                match self.js.send_publish(self.subject.clone(), publish).await {
                    Ok(ack) => waiting.push((i, ack)),
                    Err(e) => {
                        // The client could not take the message within the timeout (it is
                        // not connected): the rest would wait as long, each.
                        reason.get_or_insert_with(|| why(&e));
                        failed.extend(i..messages.len());
                        break;
                    }
                }
            }
            // Each acknowledgement's timeout starts when it is awaited: all are awaited at
            // once, so a server that went away costs one timeout, not one per message.
            let (positions, acks): (Vec<usize>, Vec<_>) = waiting.into_iter().unzip();
            let acks =
                futures_util::future::join_all(acks.into_iter().map(|a| a.into_future())).await;
            for (i, ack) in positions.into_iter().zip(acks) {
                if let Err(e) = ack {
                    reason.get_or_insert_with(|| why(&e));
                    failed.push(i);
                }
            }
            if failed.is_empty() {
                Ok(())
            } else {
                failed.sort_unstable();
                Err((failed, reason.unwrap_or_default()))
            }
        })
    }
}

/// A publish error as a user reads it: "no responders" means no stream takes the subject.
fn why(e: &jetstream::context::PublishError) -> String {
    use jetstream::context::PublishErrorKind;
    match e.kind() {
        PublishErrorKind::StreamNotFound => {
            "no JetStream stream takes this subject (create one, or give --create-stream NAME)"
                .into()
        }
        _ => format!("JetStream did not acknowledge: {e}"),
    }
}

/// Publishes `messages`, retrying those not acknowledged (under their ids, so a message stored
/// before its acknowledgement was lost is not stored twice) up to `retries` times with backoff
/// from 200 ms up to `max_wait`; a stop signal cuts the waits short. Returns the positions of
/// those never acknowledged and why.
pub fn publish_retrying(
    p: &Publisher,
    messages: &[Message<'_>],
    retries: u32,
    max_wait: Duration,
) -> Result<(), (Vec<usize>, String)> {
    let mut left: Vec<usize> = (0..messages.len()).collect();
    let mut attempt = 0u32;
    loop {
        let batch: Vec<Message<'_>> = left
            .iter()
            .map(|&i| Message {
                id: messages[i].id,
                body: messages[i].body,
            })
            .collect();
        match p.publish(&batch) {
            Ok(()) => return Ok(()),
            Err((failed, reason)) => {
                left = failed.into_iter().map(|j| left[j]).collect();
                attempt += 1;
                if attempt > retries {
                    let tries = if attempt == 1 { "attempt" } else { "attempts" };
                    return Err((left, format!("{reason} after {attempt} {tries}")));
                }
                let wait = crate::sys::backoff(Duration::from_millis(200), max_wait, attempt);
                if !crate::stream::sleep_unless_stopped(wait) {
                    return Err((left, format!("{reason}; binge was stopped")));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse() {
        assert_eq!(
            parse_url("nats://127.0.0.1:4222/events.app"),
            Some(("nats://127.0.0.1:4222".into(), "events.app".into()))
        );
        assert_eq!(
            parse_url("nats://u:p@host:4222/EVENTS"),
            Some(("nats://u:p@host:4222".into(), "EVENTS".into()))
        );
        assert_eq!(shown("nats://u:p@host:4222"), "host:4222");
        assert_eq!(parse_url("nats://host:4222"), None);
        assert_eq!(parse_url("nats://host:4222/"), None);
        assert_eq!(parse_url("nats:///x"), None);
        assert_eq!(parse_url("nats://h/a/b"), None);
    }
}
