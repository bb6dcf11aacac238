//! Loopback stand-ins for the push services: record every request, answer from a queue of
//! canned bodies (the documented success body when the queue is empty), and recompute the
//! Feishu and DingTalk signatures independently of the code under test.

pub mod aiosmtpd;
pub mod smtp;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the sender posts JSON")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Query pairs decoded once, as a server would.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect()
    }

    pub fn query_value(&self, key: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// A canned answer: status, headers, body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

impl Answer {
    pub fn new(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Answer {
        self.headers.push((name, value.to_string()));
        self
    }
}

#[derive(Default)]
struct Shared {
    seen: Mutex<Vec<Seen>>,
    /// Signalled on every request, for [`Receiver::wait_for`].
    arrived: std::sync::Condvar,
    queue: Mutex<VecDeque<Answer>>,
    default: Mutex<Option<Answer>>,
}

/// A receiver on 127.0.0.1:0, served until the test's runtime ends.
pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Receiver {
    /// Start a receiver whose default answer is `success`.
    pub async fn start(success: Answer) -> Receiver {
        let shared = Arc::new(Shared::default());
        *shared.default.lock().unwrap() = Some(success);
        let app = axum::Router::new()
            .fallback(record)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { addr, shared }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answer the next request with `answer` (then the default again).
    pub fn then_answer(&self, answer: Answer) {
        self.shared.queue.lock().unwrap().push_back(answer);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// Block until `n` requests have arrived (or `timeout` passes); what arrived by then.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Seen> {
        let seen = self.shared.seen.lock().unwrap();
        let (seen, _) = self
            .shared
            .arrived
            .wait_timeout_while(seen, timeout, |s| s.len() < n)
            .unwrap();
        seen.clone()
    }
}

async fn record(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.seen.lock().unwrap().push(Seen {
        method,
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers,
        body: body.to_vec(),
    });
    shared.arrived.notify_all();
    let answer = shared
        .queue
        .lock()
        .unwrap()
        .pop_front()
        .or_else(|| shared.default.lock().unwrap().clone())
        .unwrap();
    let mut resp = (
        StatusCode::from_u16(answer.status).unwrap(),
        answer.body.clone(),
    )
        .into_response();
    for (k, v) in answer.headers {
        resp.headers_mut().insert(k, v.parse().unwrap());
    }
    resp
}

fn hmac_b64(key: &[u8], msg: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(msg);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Feishu's check: key "{timestamp}\n{secret}", empty message.
pub fn feishu_expected_sign(secret: &str, timestamp: &str) -> String {
    hmac_b64(format!("{timestamp}\n{secret}").as_bytes(), b"")
}

/// DingTalk's check: key secret, message "{timestamp}\n{secret}".
pub fn dingtalk_expected_sign(secret: &str, timestamp: &str) -> String {
    hmac_b64(
        secret.as_bytes(),
        format!("{timestamp}\n{secret}").as_bytes(),
    )
}

/// A clock that starts at `start` (Unix seconds) and moves on `step` per reading, so rate
/// limits with an "N per second" window see time pass without the test sleeping.
pub fn stepping_clock(start: u64, step: Duration) -> impl Fn() -> SystemTime + Sync {
    let ticks = AtomicU64::new(0);
    move || {
        let n = ticks.fetch_add(1, Ordering::SeqCst);
        UNIX_EPOCH + Duration::from_secs(start) + step * n as u32
    }
}

/// A clock that stands still.
pub fn fixed_clock(secs: u64) -> impl Fn() -> SystemTime + Sync {
    move || UNIX_EPOCH + Duration::from_secs(secs)
}

/// Environment lookups from a fixed table.
pub fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
}

/// A long Chinese report: many lines with emoji, plus one line far longer than any budget.
pub fn long_chinese_body() -> String {
    let mut lines: Vec<String> = (1..=400)
        .map(|i| format!("{i}. **微博热搜** 第{i}名：某地突发事件引发关注 🔥🚨 [链接](https://s.weibo.com/weibo?q=%23{i}%23)"))
        .collect();
    lines.insert(200, "超长一行".repeat(3000) + "😀");
    lines.join("\n")
}

/// The part number `(i/n)` in a rendered title, if any.
pub fn part_no(s: &str) -> Option<(usize, usize)> {
    let open = s.rfind('(')?;
    let close = open + s[open..].find(')')?;
    let (i, n) = s[open + 1..close].split_once('/')?;
    Some((i.parse().ok()?, n.parse().ok()?))
}
