//! Delivery: plan the pieces, then for each one take the rate allowance, render with a fresh
//! timestamp (signatures expire after an hour), post, and classify the answer. Email goes
//! through the same loop, one whole mail over SMTP instead of a post.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::channel::{Channel, Piece};
use super::message::Message;
use super::outcome::{Outcome, classify, network_error};

/// Per-request timeout: a hung webhook must not hold the alert queue.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// Most of an answer read for classification (a proxy's error page can be large).
const MAX_ANSWER: usize = 64 * 1024;

/// Send `msg` on `channel`: one outcome per request (parts, and WeCom's mention messages), in
/// order. After the first request that is not delivered the rest are not sent and repeat its
/// outcome, so a caller retrying later sends the message again whole. `clock` is read once
/// per request, for its signature and for the rate limiter.
pub async fn send(
    client: &reqwest::Client,
    channel: &Channel,
    msg: &Message,
    clock: &(dyn Fn() -> SystemTime + Sync),
) -> Vec<Outcome> {
    send_from(client, channel, msg, 0, clock).await
}

/// How many requests `msg` takes on `channel` (0 when it cannot be sent at all).
pub fn pieces(channel: &Channel, msg: &Message) -> usize {
    channel.plan(msg).map_or(0, |p| p.len())
}

/// [`send`], skipping the first `done` requests: a retry sends only the parts not yet
/// delivered (the plan is the same for the same message and channel). Outcomes are for the
/// requests after those.
pub async fn send_from(
    client: &reqwest::Client,
    channel: &Channel,
    msg: &Message,
    done: usize,
    clock: &(dyn Fn() -> SystemTime + Sync),
) -> Vec<Outcome> {
    let pieces = match channel.plan(msg) {
        Ok(p) => p,
        Err(e) => {
            return vec![Outcome::Permanent {
                reason: e.to_string(),
            }];
        }
    };
    let mut outcomes = Vec::with_capacity(pieces.len());
    for (i, piece) in pieces.iter().enumerate().skip(done) {
        let now = clock().duration_since(UNIX_EPOCH).unwrap_or_default();
        let allowed = channel
            .limiter
            .lock()
            .map(|mut l| l.try_acquire(now))
            .unwrap_or(Ok(()));
        let outcome = match allowed {
            Err(wait) => Outcome::Wait { after: wait },
            Ok(()) => match (channel.email(), piece) {
                (Some(email), Piece::Part { text, .. }) => {
                    redacted(channel, email.send(msg, text).await)
                }
                _ => post(client, channel, msg, piece, now).await,
            },
        };
        if let Outcome::Retry { after, .. } = &outcome
            && let Ok(mut l) = channel.limiter.lock()
        {
            l.hold(now, *after);
        }
        if !outcome.is_delivered() {
            let rest = pieces.len() - i - 1;
            let skipped = not_sent(&outcome);
            outcomes.push(outcome);
            outcomes.extend(std::iter::repeat_n(skipped, rest));
            break;
        }
        outcomes.push(outcome);
    }
    outcomes
}

async fn post(
    client: &reqwest::Client,
    channel: &Channel,
    msg: &Message,
    piece: &Piece,
    now: Duration,
) -> Outcome {
    let ts_ms = i64::try_from(now.as_millis()).unwrap_or(i64::MAX);
    let req = channel.request(msg, piece, ts_ms);
    let mut builder = client
        .post(req.url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .timeout(REQUEST_TIMEOUT)
        .body(req.body);
    if let Some(token) = &req.bearer {
        builder = builder.bearer_auth(token.expose());
    }
    let mut resp = match builder.send().await {
        Ok(r) => r,
        // reqwest's message names the URL, which holds the key: drop it and scrub the rest.
        Err(e) => return network_error(&channel.redact(&e.without_url().to_string())),
    };
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) if body.len() < MAX_ANSWER => body.extend_from_slice(&chunk),
            Ok(_) => break,
            Err(e) => return network_error(&channel.redact(&e.without_url().to_string())),
        }
    }
    redacted(
        channel,
        classify(channel.kind(), status, retry_after.as_deref(), &body),
    )
}

/// The outcome with every secret in its reason replaced by `***` (answers can echo them).
fn redacted(channel: &Channel, outcome: Outcome) -> Outcome {
    match outcome {
        Outcome::Retry { after, reason } => Outcome::Retry {
            after,
            reason: channel.redact(&reason),
        },
        Outcome::Permanent { reason } => Outcome::Permanent {
            reason: channel.redact(&reason),
        },
        other => other,
    }
}

fn not_sent(after: &Outcome) -> Outcome {
    match after {
        Outcome::Retry { after, reason } => Outcome::Retry {
            after: *after,
            reason: format!("not sent: an earlier part failed ({reason})"),
        },
        Outcome::Permanent { reason } => Outcome::Permanent {
            reason: format!("not sent: an earlier part failed ({reason})"),
        },
        Outcome::Delivered | Outcome::Wait { .. } => after.clone(),
    }
}
