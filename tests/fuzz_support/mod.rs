//! Shared pieces of the parser fuzz suite (tests/sources/fuzz_parsers.rs): the case budget, hostile
//! text generators, structured mutations of real fixture bodies, and checks that everything a
//! parser hands out is sanitised.
#![allow(dead_code)] // each target uses a different subset

use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::Value;

use resou::domain::Snapshot;
use resou::domain::post::{Author, DrillPage, DrillRequest, Entry, Run};
use resou::sources::topic::{Account, TopicDetail};

/// Cases per strategy and target: `RESOU_FUZZ_CASES`, else `PROPTEST_CASES`, else a default
/// that keeps the whole file near 15 s in a debug build on two cores (19 targets × 1,500).
pub fn cases() -> u32 {
    ["RESOU_FUZZ_CASES", "PROPTEST_CASES"]
        .iter()
        .find_map(|v| std::env::var(v).ok()?.parse().ok())
        .unwrap_or(1500)
}

/// A proptest config with [`cases`] cases, no failure files written into the source tree
/// (a failing input is printed in the test output instead).
pub fn config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// Counts executions per target, printed at the end of each test (`--nocapture` shows them).
pub struct Counter {
    pub name: &'static str,
    n: AtomicU64,
}

impl Counter {
    pub const fn new(name: &'static str) -> Counter {
        Counter {
            name,
            n: AtomicU64::new(0),
        }
    }
    pub fn hit(&self) {
        self.n.fetch_add(1, Ordering::Relaxed);
    }
    pub fn report(&self) -> u64 {
        let n = self.n.load(Ordering::Relaxed);
        println!("fuzz {}: {n} executions", self.name);
        n
    }
}

// ---- hostile text --------------------------------------------------------------------------

/// Terminal-control payloads: 7-bit and 8-bit C1 introducers, OSC 52 / title writes, DCS, APC,
/// PM, SOS, bidi overrides and isolates, zero-width runs, BOM, line separators.
pub const PAYLOADS: &[&str] = &[
    "\x1b]52;c;cm0gLXJmIH4=\x07",
    "\x1b]0;pwned\x1b\\",
    "\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\",
    "\x1b[2J\x1b[H",
    "\x1b[31;1m",
    "\x1bP+q544e\x1b\\",
    "\x1b_apc\x1b\\",
    "\x1b^pm\x1b\\",
    "\x1bXsos\x1b\\",
    "\x1bc",
    "\x1b",
    "\u{9b}2J",
    "\u{9d}0;t\u{9c}",
    "\u{90}dcs\u{9c}",
    "\u{85}\u{8d}\u{9f}",
    "\x07\x08\x00\x7f\r\x0b\x0c",
    "\u{202e}gnp.exe",
    "\u{202a}\u{202b}\u{202c}\u{202d}",
    "\u{2066}\u{2067}\u{2068}\u{2069}",
    "\u{200e}\u{200f}\u{61c}",
    "\u{200b}\u{200c}\u{200d}\u{200d}\u{200d}\u{feff}",
    "\u{1f468}\u{200d}\u{200d}\u{1f469}",
    "\u{2028}\u{2029}",
    "\u{e0041}\u{e007f}",
];

/// JSON-escaped forms of the payloads (`\u001b]52;…`), as a hostile server would send them
/// inside string values.
pub fn json_escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default(); // ok: a &str always serialises
    quoted.trim_matches('"').to_string()
}

/// HTML numeric-entity forms (`&#27;]52;…`): entities are decoded before sanitising.
pub fn html_escaped(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || !c.is_ascii() {
                format!("&#{};", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Characters weighted towards the ones that break terminals and parsers.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        3 => prop::sample::select(vec![
            '\x1b', '\u{9b}', '\u{9d}', '\u{9c}', '\x07', '\0', '\r', '\n', '\t', '\u{7f}',
            '\u{202e}', '\u{2066}', '\u{200d}', '\u{200b}', '\u{feff}', '\u{2028}', '\u{301}',
        ]),
        3 => prop::sample::select(vec![
            '{', '}', '[', ']', '"', ':', ',', '\\', '<', '>', '&', ';', '#', '/', '=', ' ',
        ]),
        2 => prop::sample::select(vec!['热', '搜', '长', '万', '亿', '前', '分', '钟', '年', '月', '日']),
        2 => proptest::char::range('0', '9'),
    ]
}

/// Arbitrary strings, biased to controls, structure characters and CJK.
pub fn hostile_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// Arbitrary bytes as the HTTP client would hand them over (lossy UTF-8).
pub fn arbitrary_body(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..max)
        .prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

// ---- structured mutations of real bodies ---------------------------------------------------

/// One mutation step; the numbers pick positions and choices.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Flip one bit of one byte (the result is read lossily, as the client would).
    BitFlip(u64, u8),
    /// Cut at a position of some class (see [`truncate`]).
    Truncate(u8, u64),
    /// Replace a range with a range of another seed.
    Splice(u64, u64, u64, u64),
    /// Replace one JSON value with a value of another type.
    Retype(u64, u8),
    /// Insert a payload raw, JSON-escaped or entity-escaped at a position.
    Inject(u64, u8, u8),
    /// Put a payload inside one JSON string value.
    InjectString(u64, u8),
    /// Repeat a slice many times (deep nesting, long strings).
    Repeat(u64, u64, u16),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => (any::<u64>(), 0u8..8).prop_map(|(p, b)| Mutation::BitFlip(p, b)),
        2 => (any::<u8>(), any::<u64>()).prop_map(|(c, p)| Mutation::Truncate(c, p)),
        1 => (any::<u64>(), any::<u64>(), any::<u64>(), any::<u64>())
            .prop_map(|(a, b, c, d)| Mutation::Splice(a, b, c, d)),
        3 => (any::<u64>(), any::<u8>()).prop_map(|(p, k)| Mutation::Retype(p, k)),
        3 => (any::<u64>(), any::<u8>(), 0u8..3).prop_map(|(p, k, e)| Mutation::Inject(p, k, e)),
        3 => (any::<u64>(), any::<u8>()).prop_map(|(p, k)| Mutation::InjectString(p, k)),
        1 => (any::<u64>(), any::<u64>(), 2u16..2000).prop_map(|(a, b, n)| Mutation::Repeat(a, b, n)),
    ]
}

/// A seed index and 1–4 mutations applied in turn.
pub fn mutated(seeds: &'static [&'static str]) -> impl Strategy<Value = String> {
    (0..seeds.len(), prop::collection::vec(mutation(), 1..5)).prop_map(move |(i, muts)| {
        muts.iter()
            .fold(seeds[i].to_string(), |body, m| apply(&body, m, seeds))
    })
}

/// The nearest char boundary at or below `i`.
fn floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn pick(n: u64, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        (n % len as u64) as usize
    }
}

/// Byte classes a truncation may land on: anywhere, right after a structural character, inside
/// a string, just after a backslash, inside a multi-byte character (lossy tail), inside a tag.
fn truncate(s: &str, class: u8, n: u64) -> String {
    let bytes = s.as_bytes();
    let want: &[u8] = match class % 8 {
        0 => b"{[",
        1 => b"}]",
        2 => b"\"",
        3 => b":,",
        4 => b"\\",
        5 => b"<>",
        6 => b"&;",
        _ => b"",
    };
    let candidates: Vec<usize> = if want.is_empty() {
        (0..=bytes.len()).collect()
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| want.contains(b))
            .map(|(i, _)| i + 1)
            .collect()
    };
    if candidates.is_empty() {
        return s[..floor(s, pick(n, s.len() + 1))].to_string();
    }
    let at = candidates[pick(n, candidates.len())];
    // Cutting inside a multi-byte character happens on the wire: read it lossily.
    String::from_utf8_lossy(&bytes[..at]).into_owned()
}

/// Replacement values of every JSON type, including hostile ones.
fn other_value(k: u8) -> Value {
    match k % 12 {
        0 => Value::Null,
        1 => Value::Bool(true),
        2 => Value::from(-1),
        3 => Value::from(u64::MAX),
        4 => Value::from(1.5e300),
        5 => Value::from(""),
        6 => Value::from("1.2万"),
        7 => Value::from(PAYLOADS[usize::from(k) % PAYLOADS.len()]),
        8 => Value::Array(vec![Value::Null, Value::from("x")]),
        9 => serde_json::json!({ "a": 1 }),
        10 => Value::from("长".repeat(5000)),
        _ => Value::from(format!("<a href=\"javascript:x\">{}</a>", PAYLOADS[0])),
    }
}

/// Visit the `n`-th node (pre-order, wrapping) and replace it.
fn retype(v: &mut Value, n: &mut u64, k: u8) -> bool {
    if *n == 0 {
        *v = other_value(k);
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|c| retype(c, n, k)),
        Value::Object(o) => o.values_mut().any(|c| retype(c, n, k)),
        _ => false,
    }
}

fn inject_string(v: &mut Value, n: &mut u64, payload: &str) -> bool {
    match v {
        Value::String(s) => {
            if *n == 0 {
                let at = floor(s, s.len() / 2);
                s.insert_str(at, payload);
                return true;
            }
            *n -= 1;
            false
        }
        Value::Array(a) => a.iter_mut().any(|c| inject_string(c, n, payload)),
        Value::Object(o) => o.values_mut().any(|c| inject_string(c, n, payload)),
        _ => false,
    }
}

fn count_nodes(v: &Value) -> u64 {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// JSON bodies are mutated as values; others (HTML, and the `$render_data` page) by text.
fn with_json(body: &str, f: impl FnOnce(&mut Value)) -> Option<String> {
    let mut v: Value = serde_json::from_str(body).ok()?;
    f(&mut v);
    serde_json::to_string(&v).ok()
}

pub fn apply(body: &str, m: &Mutation, seeds: &[&str]) -> String {
    match *m {
        Mutation::BitFlip(p, bit) => {
            let mut b = body.as_bytes().to_vec();
            if !b.is_empty() {
                let i = pick(p, b.len());
                b[i] ^= 1 << bit;
            }
            String::from_utf8_lossy(&b).into_owned()
        }
        Mutation::Truncate(c, p) => truncate(body, c, p),
        Mutation::Splice(a, b, c, d) => {
            let other = seeds[pick(c, seeds.len())];
            let (x, y) = (
                floor(body, pick(a, body.len() + 1)),
                floor(body, pick(b, body.len() + 1)),
            );
            let (x, y) = (x.min(y), x.max(y));
            let o1 = floor(other, pick(d, other.len() + 1));
            let o2 = floor(other, pick(d.rotate_left(17), other.len() + 1));
            let (o1, o2) = (o1.min(o2), o1.max(o2));
            format!("{}{}{}", &body[..x], &other[o1..o2], &body[y..])
        }
        Mutation::Retype(p, k) => with_json(body, |v| {
            let mut n = p % count_nodes(v);
            retype(v, &mut n, k);
        })
        .unwrap_or_else(|| body.to_string()),
        Mutation::Inject(p, k, enc) => {
            let payload = PAYLOADS[usize::from(k) % PAYLOADS.len()];
            let text = match enc {
                0 => payload.to_string(),
                1 => json_escaped(payload),
                _ => html_escaped(payload),
            };
            let at = floor(body, pick(p, body.len() + 1));
            format!("{}{}{}", &body[..at], text, &body[at..])
        }
        Mutation::InjectString(p, k) => {
            let payload = PAYLOADS[usize::from(k) % PAYLOADS.len()];
            with_json(body, |v| {
                let mut n = p % count_nodes(v);
                inject_string(v, &mut n, payload);
            })
            // Not JSON (HTML pages): put the payload in as entities, as a page would carry it.
            .unwrap_or_else(|| {
                let at = floor(body, pick(p, body.len() + 1));
                format!("{}{}{}", &body[..at], html_escaped(payload), &body[at..])
            })
        }
        Mutation::Repeat(a, b, times) => {
            let x = floor(body, pick(a, body.len() + 1));
            let y = floor(body, x + pick(b, 64.min(body.len() - x) + 1));
            let piece = body[x..y].repeat(usize::from(times));
            format!("{}{}{}", &body[..x], piece, &body[x..])
        }
    }
}

// ---- sanitised output ----------------------------------------------------------------------

/// A character no remote text may carry to the screen.
pub fn forbidden(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{200b}' | '\u{200c}' | '\u{200e}' | '\u{200f}' | '\u{61c}' | '\u{feff}'
        | '\u{2028}' | '\u{2029}' | '\u{e0000}'..='\u{e007f}')
}

/// Check one piece of text: no forbidden characters, no tab, newlines only where allowed,
/// no ZWJ run, and no ZWJ outside an emoji sequence.
pub fn check_text(what: &str, s: &str, multiline: bool) -> Result<(), String> {
    let bad = s
        .chars()
        .find(|&c| forbidden(c) || c == '\t' || (c == '\n' && !multiline));
    if let Some(c) = bad {
        return Err(format!("{what}: {:?} carries U+{:04X}", s, c as u32));
    }
    if s.contains("\u{200d}\u{200d}") {
        return Err(format!("{what}: {s:?} carries a run of ZWJ"));
    }
    Ok(())
}

/// Identifiers and URLs end up in requests, links and the clipboard: printable ASCII only.
pub fn check_ascii(what: &str, s: &str) -> Result<(), String> {
    if s.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        Ok(())
    } else {
        Err(format!("{what}: {s:?} is not printable ASCII"))
    }
}

pub fn check_snapshot(s: &Snapshot) -> Result<(), String> {
    for t in s.ranked.iter().chain(&s.pinned) {
        check_text("title", t.title.as_str(), false)?;
        if t.title.is_empty() {
            return Err("a topic with an empty title".into());
        }
        if let Some(q) = &t.query {
            check_text("query", q.as_str(), false)?;
        }
        if let Some(c) = &t.category {
            check_text("category", c.as_str(), false)?;
        }
        if let Some(u) = &t.url {
            check_ascii("topic url", u)?;
        }
        if let Some(id) = &t.platform_id {
            check_text("platform id", id, false)?;
        }
    }
    Ok(())
}

fn check_author(a: &Author) -> Result<(), String> {
    check_text("author", a.name.as_str(), false)?;
    if let Some(r) = &a.verified_reason {
        check_text("verified reason", r.as_str(), false)?;
    }
    if let Some(r) = &a.region {
        check_text("region", r.as_str(), false)?;
    }
    if let Some(id) = &a.id {
        check_text("author id", id, false)?;
    }
    Ok(())
}

fn check_request(r: &DrillRequest) -> Result<(), String> {
    let strings: Vec<&str> = match r {
        DrillRequest::WeiboPosts { query, .. } => vec![query],
        DrillRequest::WeiboLongText { mid } => vec![mid],
        DrillRequest::WeiboComments { mid, max_id, .. } => std::iter::once(mid.as_str())
            .chain(max_id.as_deref())
            .collect(),
        DrillRequest::TiebaThreads {
            topic_id,
            topic_name,
            yuren_rand,
            pmy_topic_ext,
            ..
        } => [
            Some(topic_id.as_str()),
            Some(topic_name.as_str()),
            yuren_rand.as_deref(),
            pmy_topic_ext.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect(),
        DrillRequest::TiebaFloors { tid, .. } => vec![tid],
        DrillRequest::TiebaSubReplies { tid, pid, fid, .. } => vec![tid, pid, fid],
    };
    strings
        .into_iter()
        .try_for_each(|s| check_text("request field", s, false))
}

pub fn check_entry(e: &Entry) -> Result<(), String> {
    check_text("entry id", &e.id, false)?;
    if let Some(u) = &e.url {
        check_ascii("entry url", u)?;
    }
    check_author(&e.author)?;
    if let Some(t) = &e.title {
        check_text("entry title", t.as_str(), false)?;
    }
    if let Some(t) = &e.created_raw {
        check_text("created", t.as_str(), false)?;
    }
    for r in &e.text.0 {
        match r {
            Run::Link { text, url } => {
                check_text("link text", text.as_str(), false)?;
                check_ascii("link url", url)?;
            }
            other => check_text("post text", other.text(), true)?,
        }
    }
    check_text("post text", &e.text.to_plain(), true)?;
    if let Some(q) = &e.quoted {
        check_entry(q)?;
    }
    e.inline_replies.iter().try_for_each(check_entry)?;
    e.open.as_ref().map_or(Ok(()), check_request)
}

pub fn check_page(p: &DrillPage) -> Result<(), String> {
    p.items.iter().try_for_each(check_entry)?;
    p.next.as_ref().map_or(Ok(()), check_request)
}

fn check_account(a: &Account) -> Result<(), String> {
    check_text("account", a.name.as_str(), false)?;
    a.uid
        .as_deref()
        .map_or(Ok(()), |u| check_text("uid", u, false))
}

pub fn check_detail(d: &TopicDetail) -> Result<(), String> {
    check_text("topic title", d.title.as_str(), false)?;
    for t in [&d.summary, &d.category].into_iter().flatten() {
        check_text("topic field", t.as_str(), false)?;
    }
    if let Some(id) = &d.topic_id {
        check_text("topic id", id, false)?;
    }
    d.accounts().try_for_each(check_account)
}
