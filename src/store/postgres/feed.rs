//! Live updates for team-mode viewers: a thread with its own PostgreSQL connection runs
//! `LISTEN resou_poll` and forwards each committed poll as a [`StoreFeed`] on a std channel.
//!
//! The collector's `insert_poll` on a [`super::PgStore`] sends the notification inside the poll's
//! transaction, so only committed polls are announced, and their items are readable by the
//! time the event arrives.
//!
//! # Catching up
//! Notifications are not queued for a listener that is not connected. On
//! [`StoreFeed::Listening`] (first connection) and on every [`StoreFeed::Reconnected`] the viewer
//! must reload what it shows from the store (e.g. `polls_between(last_seen_at, now)` or
//! `snapshot_at(now)`) to pick up polls committed while it was not listening; loading *after*
//! the event means nothing falls in a gap. Duplicate [`StoreFeed::Poll`]s after a catch-up are
//! possible and are recognised by poll id.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Config, NoTls};

use super::describe_error;
use crate::domain::{Platform, from_unix};
use crate::store::rows::platform_sql;
use crate::store::{PollRef, redact_url};

/// The notification channel the collector announces polls on.
pub const CHANNEL: &str = "resou_poll";

/// How long the listener blocks waiting for a notification before checking for stop.
const SLICE: Duration = Duration::from_millis(100);
/// With no traffic for this long, ping the server so a silently dead connection is noticed.
const HEARTBEAT: Duration = Duration::from_secs(5);
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// Reconnect attempts back off exponentially up to this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// What a viewer hears from the store.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreFeed {
    /// The first `LISTEN` is active: load the current state now. (If the first attempt
    /// fails, [`StoreFeed::Lost`] and later [`StoreFeed::Reconnected`] come instead.)
    Listening,
    /// A poll was committed.
    Poll(PollRef),
    /// The connection dropped (or could not be made); retrying with back-off. Sent once per
    /// outage. The reason names the server without its password.
    Lost(String),
    /// Listening again after [`StoreFeed::Lost`]: polls committed meanwhile were missed, so
    /// catch up from the store.
    Reconnected,
}

/// A running listener. Events arrive on [`Subscription::events`]; dropping it stops and joins
/// the thread (within about [`SLICE`], or the connect timeout while connecting).
/// If the channel disconnects, the subscription ended for good (an unusable URL, reported as a
/// final [`StoreFeed::Lost`]).
pub struct Subscription {
    events: Receiver<StoreFeed>,
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Subscription {
    pub fn events(&self) -> &Receiver<StoreFeed> {
        &self.events
    }

    pub fn recv_timeout(&self, timeout: Duration) -> Result<StoreFeed, RecvTimeoutError> {
        self.events.recv_timeout(timeout)
    }

    pub fn try_recv(&self) -> Result<StoreFeed, TryRecvError> {
        self.events.try_recv()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Closing the stop channel wakes the thread in its back-off wait or next slice.
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Start listening on `url` (a `postgres://` URL) on a new thread with its own connection.
/// Safe to call from anywhere, including inside a tokio runtime: the client only runs on the
/// new thread.
pub fn subscribe(url: &str) -> Subscription {
    let (tx, events) = mpsc::channel();
    let (stop, stop_rx) = mpsc::channel();
    let target = redact_url(url);
    let config = super::config(url);
    let thread = std::thread::Builder::new()
        .name("resou-store-feed".into())
        .spawn(move || match config {
            Ok(config) => run(&config, &target, &tx, &stop_rx),
            Err(e) => {
                let _ = tx.send(StoreFeed::Lost(e.to_string()));
            }
        });
    let thread = match thread {
        Ok(t) => Some(t),
        Err(e) => {
            // The closure (and its sender) is gone; report through a fresh channel.
            let (tx, rx) = mpsc::channel();
            let _ = tx.send(StoreFeed::Lost(format!(
                "cannot start listener thread: {e}"
            )));
            return Subscription {
                events: rx,
                stop: Some(stop),
                thread: None,
            };
        }
    };
    Subscription {
        events,
        stop: Some(stop),
        thread,
    }
}

/// Why the listening loop ended.
enum Exit {
    Stopped,
    Lost(String),
}

fn run(config: &Config, target: &str, tx: &Sender<StoreFeed>, stop: &Receiver<()>) {
    let mut backoff = FIRST_BACKOFF;
    let mut down = false;
    let mut first = true;
    loop {
        let outcome = match listen(config) {
            Ok(mut client) => {
                backoff = FIRST_BACKOFF;
                let event = if first {
                    StoreFeed::Listening
                } else {
                    StoreFeed::Reconnected
                };
                (first, down) = (false, false);
                if tx.send(event).is_err() {
                    return;
                }
                pump(&mut client, tx, stop)
            }
            Err(e) => Exit::Lost(describe_error(&e)),
        };
        match outcome {
            Exit::Stopped => return,
            Exit::Lost(reason) => {
                if !down {
                    down = true;
                    first = false;
                    tracing::warn!(target: "resou::store", "{target}: listener lost: {reason}");
                    if tx
                        .send(StoreFeed::Lost(format!("{target}: {reason}")))
                        .is_err()
                    {
                        return;
                    }
                }
            }
        }
        match stop.recv_timeout(backoff) {
            Err(RecvTimeoutError::Timeout) => backoff = (backoff * 2).min(MAX_BACKOFF),
            _ => return,
        }
    }
}

fn listen(config: &Config) -> Result<Client, postgres::Error> {
    let mut client = config.connect(NoTls)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(client)
}

/// Forward notifications until stopped or the connection fails.
fn pump(client: &mut Client, tx: &Sender<StoreFeed>, stop: &Receiver<()>) -> Exit {
    let mut quiet_since = Instant::now();
    loop {
        if !matches!(stop.try_recv(), Err(TryRecvError::Empty)) {
            return Exit::Stopped;
        }
        let next = client.notifications().timeout_iter(SLICE).next();
        match next {
            Ok(Some(n)) => {
                quiet_since = Instant::now();
                if n.channel() != CHANNEL {
                    continue;
                }
                match parse_payload(n.payload()) {
                    Some(poll) => {
                        if tx.send(StoreFeed::Poll(poll)).is_err() {
                            return Exit::Stopped;
                        }
                    }
                    // Anyone with access may NOTIFY this channel; ignore what is not ours.
                    None => tracing::debug!(target: "resou::store", "ignored notification"),
                }
            }
            Ok(None) if client.is_closed() => return Exit::Lost("connection closed".into()),
            Ok(None) => {
                if quiet_since.elapsed() >= HEARTBEAT {
                    if let Err(e) = client.is_valid(HEARTBEAT) {
                        return Exit::Lost(describe_error(&e));
                    }
                    quiet_since = Instant::now();
                }
            }
            Err(e) => return Exit::Lost(describe_error(&e)),
        }
    }
}

/// The notification payload: `<platform> <poll id> <unix secs>`.
pub(crate) fn poll_payload(platform: Platform, id: i64, at: i64) -> String {
    format!("{} {id} {at}", platform_sql(platform))
}

/// Parse a payload written by [`poll_payload`]; `None` for anything else.
pub fn parse_payload(s: &str) -> Option<PollRef> {
    let mut parts = s.split(' ');
    let platform = Platform::parse(parts.next()?)?;
    let id = parts.next()?.parse().ok()?;
    let captured_at = from_unix(parts.next()?.parse().ok()?)?;
    if parts.next().is_some() {
        return None;
    }
    Some(PollRef {
        id,
        platform,
        captured_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_foreign_ones_are_ignored() {
        let p = poll_payload(Platform::Tieba, 42, 1_786_766_400);
        assert_eq!(p, "tieba 42 1786766400");
        let got = parse_payload(&p).unwrap();
        assert_eq!((got.id, got.platform), (42, Platform::Tieba));
        assert_eq!(got.captured_at.timestamp(), 1_786_766_400);
        for bad in [
            "",
            "weibo",
            "weibo x 1",
            "myspace 1 1",
            "weibo 1 1 extra",
            "weibo 1 99999999999999999",
        ] {
            assert_eq!(parse_payload(bad), None, "{bad:?}");
        }
    }
}
