//! Recordings made by `resou record`: one raw response per JSON line, grouped into polls, and
//! served back poll by poll (the server's clock picks the poll, as it picks a snapshot).
//!
//! `{"at":"2026-08-15T12:00:00.512+08:00","platform":"weibo","poll":"2026-08-15T12:00:00.101+08:00",
//!   "method":"GET","url":"https://weibo.com/ajax/side/hotSearch","status":200,
//!   "headers":[["content-type","application/json"],…],"body":"{…}","elapsed_ms":411}`
//!
//! `body_encoding: "base64"` marks a body that was not UTF-8. Headers never include cookies
//! (the HTTP client drops them before a response reaches the recorder).

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::domain::Platform;
use crate::domain::snapshot_file::SnapshotFileError;

/// One line of a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedExchange {
    /// When the response arrived.
    pub at: DateTime<FixedOffset>,
    pub platform: Platform,
    /// When the poll this response belongs to started (the same for every step of one poll).
    pub poll: DateTime<FixedOffset>,
    pub method: String,
    /// The platform URL (as the platform saw it, before any origin override).
    pub url: String,
    pub status: u16,
    /// Response headers in wire order, without cookies or credentials.
    pub headers: Vec<(String, String)>,
    pub body: String,
    #[serde(default, skip_serializing_if = "BodyEncoding::is_utf8")]
    pub body_encoding: BodyEncoding,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyEncoding {
    #[default]
    Utf8,
    Base64,
}

impl BodyEncoding {
    fn is_utf8(&self) -> bool {
        *self == BodyEncoding::Utf8
    }
}

/// A body as recorded: the text itself when it is UTF-8, else base64.
pub fn encode_body(bytes: &[u8]) -> (String, BodyEncoding) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), BodyEncoding::Utf8),
        Err(_) => (
            base64::engine::general_purpose::STANDARD.encode(bytes),
            BodyEncoding::Base64,
        ),
    }
}

impl RecordedExchange {
    /// The body bytes as received.
    pub fn body_bytes(&self) -> Result<Vec<u8>, String> {
        match self.body_encoding {
            BodyEncoding::Utf8 => Ok(self.body.as_bytes().to_vec()),
            BodyEncoding::Base64 => base64::engine::general_purpose::STANDARD
                .decode(&self.body)
                .map_err(|e| format!("body is not valid base64: {e}")),
        }
    }
}

/// Is this line (the first of a file) a recorded response rather than a snapshot list?
pub fn is_recording_line(line: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| {
        v.get("status").is_some_and(serde_json::Value::is_u64)
            && v.get("url").is_some_and(serde_json::Value::is_string)
            && v.get("items").is_none()
    })
}

/// Headers that describe the original connection or encoding, not the recorded body.
const HOP_HEADERS: [&str; 5] = [
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "content-encoding",
];

/// A response ready to serve (validated when the file is loaded, so serving cannot fail).
#[derive(Debug, Clone)]
struct Served {
    path: String,
    query: String,
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Vec<u8>,
}

impl Served {
    fn of(ex: &RecordedExchange) -> Result<Served, String> {
        let url = url::Url::parse(&ex.url).map_err(|e| format!("bad url: {e}"))?;
        let status =
            StatusCode::from_u16(ex.status).map_err(|_| format!("bad status {}", ex.status))?;
        let headers = ex
            .headers
            .iter()
            .filter(|(n, _)| !HOP_HEADERS.contains(&n.to_ascii_lowercase().as_str()))
            // A header that is not valid any more is dropped rather than failing the file.
            .filter_map(|(n, v)| {
                Some((
                    HeaderName::from_bytes(n.as_bytes()).ok()?,
                    HeaderValue::from_str(v).ok()?,
                ))
            })
            .collect();
        Ok(Served {
            path: url.path().to_string(),
            query: url.query().unwrap_or("").to_string(),
            status,
            headers,
            body: ex.body_bytes()?,
        })
    }

    fn response(&self) -> Response {
        let mut resp = Response::new(Body::from(self.body.clone()));
        *resp.status_mut() = self.status;
        let h = resp.headers_mut();
        for (n, v) in &self.headers {
            h.append(n.clone(), v.clone());
        }
        resp
    }
}

/// A loaded recording: per platform, its polls in file order.
#[derive(Debug, Default)]
pub struct Recording {
    /// Recorded polls per platform, indexed by `Platform::index`.
    polls: [Vec<Vec<Served>>; Platform::COUNT],
    cursor: Mutex<Cursor>,
}

/// Which response comes next when one poll asked the same URL more than once (a retry after
/// renewing the visitor cookie): counted per clock tick.
#[derive(Debug, Default)]
struct Cursor {
    tick: usize,
    used: HashMap<(Platform, String), usize>,
}

impl Recording {
    /// Parse a recording (plain text; blank lines skipped). A poll is a run of lines of one
    /// platform with the same `poll` time.
    pub fn parse(text: &str, name: &str) -> Result<Recording, SnapshotFileError> {
        let mut rec = Recording::default();
        let mut last_poll: HashMap<Platform, DateTime<FixedOffset>> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.is_empty() {
                continue;
            }
            let err = |msg: String| SnapshotFileError::Parse {
                path: name.to_string(),
                line: i + 1,
                msg,
            };
            let ex: RecordedExchange = serde_json::from_str(t).map_err(|e| err(e.to_string()))?;
            let served = Served::of(&ex).map_err(err)?;
            let polls = rec.polls_mut(ex.platform);
            if last_poll.insert(ex.platform, ex.poll) != Some(ex.poll) {
                polls.push(Vec::new());
            }
            if let Some(p) = polls.last_mut() {
                p.push(served);
            }
        }
        Ok(rec)
    }

    fn polls_mut(&mut self, p: Platform) -> &mut Vec<Vec<Served>> {
        &mut self.polls[p.index()]
    }

    fn polls(&self, p: Platform) -> &[Vec<Served>] {
        &self.polls[p.index()]
    }

    /// Number of recorded polls of `p`.
    pub fn poll_count(&self, p: Platform) -> usize {
        self.polls(p).len()
    }

    /// The recorded answer to `path?query` in the poll served at `tick` (each platform's polls
    /// wrap on their own): the same path and query, else the same path; repeated requests in
    /// one tick get the poll's later answers in recorded order, then its last one again.
    pub(crate) fn serve(&self, tick: usize, path: &str, query: &str) -> Option<Response> {
        for p in Platform::ALL {
            let polls = self.polls(p);
            if polls.is_empty() {
                continue;
            }
            let poll = &polls[tick % polls.len()];
            let exact: Vec<&Served> = poll
                .iter()
                .filter(|s| s.path == path && s.query == query)
                .collect();
            let found = if exact.is_empty() {
                poll.iter().filter(|s| s.path == path).collect()
            } else {
                exact
            };
            let Some(last) = found.last() else {
                continue;
            };
            let n = self.next_use(tick, p, format!("{path}?{query}"));
            return Some(found.get(n).unwrap_or(last).response());
        }
        None
    }

    fn next_use(&self, tick: usize, p: Platform, key: String) -> usize {
        // A poisoned lock only means a panic elsewhere; the counts are still usable.
        let mut c = self.cursor.lock().unwrap_or_else(|e| e.into_inner());
        if c.tick != tick {
            c.tick = tick;
            c.used.clear();
        }
        let n = c.used.entry((p, key)).or_default();
        let this = *n;
        *n += 1;
        this
    }
}

/// The server's answer for a path the recording does not hold.
pub(crate) fn not_recorded() -> Response {
    let mut resp = Response::new(Body::from("404 Not Found (not in the recording)\n"));
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(platform: &str, poll: &str, url: &str, status: u16, body: &str) -> String {
        format!(
            r#"{{"at":"{poll}","platform":"{platform}","poll":"{poll}","method":"GET","url":"{url}","status":{status},"headers":[["Content-Length","3"],["x-a","1"]],"body":{body:?},"elapsed_ms":3}}"#
        )
    }

    #[test]
    fn groups_polls_and_serves_in_order() {
        let t0 = "2026-08-15T12:00:00+08:00";
        let t1 = "2026-08-15T12:01:00+08:00";
        let text = [
            line(
                "weibo",
                t0,
                "https://weibo.com/ajax/side/hotSearch",
                432,
                "no",
            ),
            line(
                "weibo",
                t0,
                "https://s.weibo.com/top/summary?cate=realtimehot",
                302,
                "",
            ),
            line(
                "tieba",
                t0,
                "https://tieba.baidu.com/hottopic/browse/topicList",
                200,
                "T0",
            ),
            line(
                "weibo",
                t0,
                "https://s.weibo.com/top/summary?cate=realtimehot",
                200,
                "A4",
            ),
            line(
                "weibo",
                t1,
                "https://weibo.com/ajax/side/hotSearch",
                200,
                "A1",
            ),
        ]
        .join("\n");
        let rec = Recording::parse(&text, "r.jsonl").unwrap();
        assert_eq!(rec.poll_count(Platform::Weibo), 2);
        assert_eq!(rec.poll_count(Platform::Tieba), 1);
        let status = |tick, path, q| rec.serve(tick, path, q).map(|r| r.status().as_u16());
        assert_eq!(status(0, "/ajax/side/hotSearch", ""), Some(432));
        // the same URL twice in one poll: its answers in order, then the last again
        assert_eq!(status(0, "/top/summary", "cate=realtimehot"), Some(302));
        assert_eq!(status(0, "/top/summary", "cate=realtimehot"), Some(200));
        assert_eq!(status(0, "/top/summary", "cate=realtimehot"), Some(200));
        assert_eq!(status(1, "/ajax/side/hotSearch", ""), Some(200));
        assert_eq!(status(1, "/top/summary", "cate=realtimehot"), None);
        // polls wrap per platform
        assert_eq!(status(2, "/ajax/side/hotSearch", ""), Some(432));
        assert_eq!(status(5, "/hottopic/browse/topicList", ""), Some(200));
        let r = rec.serve(3, "/ajax/side/hotSearch", "").unwrap();
        assert!(r.headers().get("content-length").is_none());
        assert_eq!(r.headers().get("x-a").unwrap(), "1");
    }

    #[test]
    fn bodies_round_trip_and_bad_lines_are_named() {
        let bytes = [0xff, 0xfe, b'a'];
        let (body, enc) = encode_body(&bytes);
        assert_eq!(enc, BodyEncoding::Base64);
        let ex = RecordedExchange {
            at: DateTime::parse_from_rfc3339("2026-08-15T12:00:00+08:00").unwrap(),
            platform: Platform::Tieba,
            poll: DateTime::parse_from_rfc3339("2026-08-15T12:00:00+08:00").unwrap(),
            method: "GET".into(),
            url: "https://tieba.baidu.com/x".into(),
            status: 200,
            headers: Vec::new(),
            body,
            body_encoding: enc,
            elapsed_ms: 1,
        };
        assert_eq!(ex.body_bytes().unwrap(), bytes);
        let text = serde_json::to_string(&ex).unwrap();
        assert!(is_recording_line(&text));
        assert!(!is_recording_line(
            r#"{"captured_at":"2026-08-15T12:00:00+08:00","platform":"weibo","items":[]}"#
        ));
        let err = Recording::parse(&format!("{text}\n{{\"url\":1}}\n"), "r.jsonl")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("r.jsonl:2:"), "{err}");
    }
}
