//! Terminal-injection defence, end to end: hostile titles, post bodies and author names served by
//! the loopback replay server (a recording built here, `resou replay FILE`), rendered by the real
//! binary in a pseudo-terminal. The RAW byte stream the app writes must carry none of the
//! payloads' byte sequences while the visible text around them still shows. Then the other
//! exits for remote text: export (md/csv/json), the OSC 52 clipboard, alert notifications and
//! the hook JSON. tests/fixtures/injection/NOTES.md lists the payloads and where they come from.

use crate::fuzz_support;
use crate::support;

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};
use support::pty::Session;

use resou::domain::Platform;
use resou::replay::{BodyEncoding, RecordedExchange};

/// Payloads with the part of their bytes that a terminal would act on, so a leak is found byte
/// for byte in the raw stream. The app itself never writes any of these sequences. Every payload
/// sanitises to nothing, so `毒{i}号标题` on screen shows it was removed whole.
/// Deadline for each screen condition (a hang, not a wait).
const WAIT: Duration = Duration::from_secs(30);

const PAYLOADS: &[(&str, &[u8])] = &[
    ("\x1b]52;c;cm0gLXJmIH4=\x07", b"\x1b]52;"),
    ("\x1b]0;pwned-title\x1b\\", b"\x1b]0;"),
    ("\x1b]8;;http://evil.example/\x1b\\", b"\x1b]8;"),
    ("\x1b[21t", b"\x1b[21t"),
    ("\x1b[1;2;3;4;5;6;7;8;9m", b"\x1b[1;2;3;4;5;6;7;8;9m"),
    ("\x1bP+q544e\x1b\\", b"\x1bP"),
    ("\x1b_apc-payload\x1b\\", b"\x1b_"),
    ("\x1b^pm-payload\x1b\\", b"\x1b^"),
    ("\x1bXsos-payload\x1b\\", b"\x1bX"),
    ("\u{9b}6n", "\u{9b}".as_bytes()),
    ("\u{9d}0;c1-title\u{9c}", "\u{9d}".as_bytes()),
    ("\u{90}c1-dcs\u{9c}", "\u{90}".as_bytes()),
    ("\x07\x07", b"\x07"),
    ("\u{202e}", "\u{202e}".as_bytes()),
    ("\u{2066}\u{2067}\u{2068}\u{2069}", "\u{2066}".as_bytes()),
    ("\u{202a}\u{202b}\u{202c}\u{202d}", "\u{202b}".as_bytes()),
    ("\u{200e}\u{200f}\u{61c}", "\u{200f}".as_bytes()),
    (
        "\u{200b}\u{200c}\u{200d}\u{200d}\u{feff}",
        "\u{feff}".as_bytes(),
    ),
    ("\u{200d}\u{200d}\u{200d}", "\u{200d}".as_bytes()),
    ("\u{85}\u{8d}", "\u{85}".as_bytes()),
];

/// The byte sequences that must never reach the terminal from remote text.
fn markers() -> Vec<&'static [u8]> {
    let mut m: Vec<&'static [u8]> = PAYLOADS.iter().map(|(_, mark)| *mark).collect();
    // Every 8-bit C1 control in UTF-8 form (U+0080–U+009F is C2 80–C2 9F).
    const C1: [[u8; 2]; 32] = {
        let mut t = [[0xc2, 0x80]; 32];
        let mut i = 0;
        while i < 32 {
            t[i][1] = 0x80 + i as u8;
            i += 1;
        }
        t
    };
    m.extend(C1.iter().map(|b| b.as_slice()));
    m
}

fn leaks(raw: &[u8]) -> Vec<String> {
    markers()
        .into_iter()
        .filter(|m| raw.windows(m.len()).any(|w| w == *m))
        .map(|m| format!("{:?}", String::from_utf8_lossy(m)))
        .collect()
}

fn payload(i: usize) -> &'static str {
    PAYLOADS[i % PAYLOADS.len()].0
}

/// Visible text for title `i`: a marker the screen must show, with a payload in the middle.
fn title(i: usize) -> String {
    format!("毒{i}号{}标题", payload(i))
}

fn at() -> DateTime<FixedOffset> {
    // ok: a fixed valid literal
    DateTime::parse_from_rfc3339("2026-08-15T12:00:00+08:00").unwrap()
}

fn exchange(platform: Platform, url: &str, body: &Value) -> RecordedExchange {
    RecordedExchange {
        at: at(),
        platform,
        poll: at(),
        method: "GET".into(),
        url: url.into(),
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string(),
        body_encoding: BodyEncoding::Utf8,
        elapsed_ms: 5,
    }
}

/// A1: every title, note and category carries a payload (JSON-escaped, as on the wire).
fn hot_search() -> Value {
    let realtime: Vec<Value> = (0..PAYLOADS.len())
        .map(|i| {
            json!({
                "word": title(i), "note": title(i), "num": 900_000 - i * 1000,
                "realpos": i + 1, "rank": i, "label_name": format!("热{}", payload(i + 1)),
                "category": format!("社会{}", payload(i + 2)), "onboard_time": 1786764000,
            })
        })
        .collect();
    json!({"ok": 1, "data": {"realtime": realtime}})
}

/// B1: Tieba topic names and descriptions with payloads.
fn topic_list() -> Value {
    let list: Vec<Value> = (0..PAYLOADS.len())
        .map(|i| {
            json!({
                "topic_id": 28345790 + i, "topic_name": format!("吧{i}题{}名", payload(i + 3)),
                "topic_desc": payload(i), "tag": 2, "discuss_num": 2_800_830 - i * 100,
                "idx_num": i + 1, "create_time": 1760486497,
                "topic_url": format!("https://tieba.baidu.com/hottopic/browse/hottopic?topic_id={i}{}", payload(i)),
            })
        })
        .collect();
    json!({"errno": 0, "errmsg": "success", "data": {"bang_topic": {"topic_list": list}}})
}

/// C1: posts whose HTML text (raw and as numeric entities), author names, verified reasons,
/// regions, link texts and retweets carry payloads.
fn posts() -> Value {
    let cards: Vec<Value> = (0..PAYLOADS.len())
        .map(|i| {
            let p = payload(i);
            let ent = fuzz_support::html_escaped(payload(i + 5));
            json!({"card_type": 9, "mblog": {
                "created_at": "38分钟前", "id": format!("53322333733563{i:02}"),
                "text": format!(
                    "正文{i}段{p}落<br/>二行{ent}尾<a href=\"javascript:{p}\">链{p}接</a>\
                     <a href=\"https://m.weibo.cn/search?q=%23x%23\"><span class=\"surl-text\">#话{p}题#</span></a>"
                ),
                "isLongText": false, "reposts_count": 1, "comments_count": 2, "attitudes_count": 3,
                "region_name": format!("发布于 北{p}京"),
                "user": {"id": 7365777600u64 + i as u64, "screen_name": format!("作者{i}{p}名"),
                         "verified": true, "verified_type": 0, "verified_reason": format!("认{p}证")},
                "retweeted_status": {"id": format!("53322339948986{i:02}"), "created_at": "35分钟前",
                    "text": format!("转发{p}原文"), "user": {"id": 1, "screen_name": format!("原{p}作者")}},
            }})
        })
        .collect();
    json!({"ok": 1, "data": {"cardlistInfo": {"page": null, "total": cards.len()}, "cards": cards}})
}

/// C4: the topic pane's accounts and summary.
fn topic_detail() -> Value {
    json!({"code": "100000", "msg": "", "data": {"baseInfo": {"object": {
        "display_name": format!("#毒0号{}标题#", payload(0)), "summary": format!("导{}语", payload(1)),
        "category_str": format!("社{}会", payload(2)), "create_at": 1786692843,
        "biz": {"containerid": "231522ca6b80061b96349c8b1367b91b62e20a"}},
        "lists": [{"uid": "5622719876", "contribution": 100}],
        "lists_users": [{"id": 5622719876u64, "idstr": "5622719876", "screen_name": format!("贡{}献者", payload(3))}]},
        "baseData": {"sum_all": {"r": 711008, "m": 407, "interact": 1603, "ori_m": 142}}}})
}

fn recording() -> String {
    let tag = resou::sources::topic::hashtag(&title(0)).unwrap_or_default();
    let lines = [
        exchange(
            Platform::Weibo,
            "https://weibo.com/ajax/side/hotSearch",
            &hot_search(),
        ),
        exchange(
            Platform::Weibo,
            &resou::sources::weibo::drill::posts_url("x", 61, 1),
            &posts(),
        ),
        exchange(
            Platform::Weibo,
            &resou::sources::topic::detail_url(&tag),
            &topic_detail(),
        ),
        exchange(
            Platform::Tieba,
            "https://tieba.baidu.com/hottopic/browse/topicList",
            &topic_list(),
        ),
    ];
    lines
        .iter()
        .map(|l| serde_json::to_string(l).unwrap_or_default() + "\n") // ok: plain data
        .collect()
}

#[test]
fn hostile_titles_posts_and_authors_never_reach_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("hostile.jsonl");
    std::fs::write(&file, recording()).expect("write recording");
    let file = file.to_str().expect("utf-8 path");
    let mut s = Session::start(&["replay", file, "--speed", "3600"], 140, 40);
    // The board: the visible parts of hostile titles on both platforms.
    s.wait_for("the hostile board", WAIT, |sc| {
        sc.contains("毒0号")
            && sc.contains("毒5号")
            && sc.contains("吧0题")
            && sc.contains("REPLAY")
    });
    let board = s.screen();
    assert!(
        board.contains("毒0号标题"),
        "ESC sequences removed whole:\n{board}"
    );

    // The posts of the first Weibo topic: bodies, author names, retweets.
    s.press(b"2"); // Weibo only
    s.wait_for("Weibo only", WAIT, |sc| !sc.contains("吧0题"));
    s.press(b"\r");
    s.wait_for("the hostile posts", WAIT, |sc| {
        sc.contains("作者0") && sc.contains("正文0段") && sc.contains(" posts")
    });
    let posts = s.screen();
    assert!(posts.contains("作者0名"), "author name cleaned:\n{posts}");
    assert!(posts.contains("正文0段落"), "post text cleaned:\n{posts}");

    // Copy the selected post's link: the one OSC 52 the app itself writes. Its decoded content
    // is the post URL, clean; then the payload markers are checked with that sequence removed.
    let before = s.raw.len();
    s.press(b"y");
    s.wait_for("the copy notice", WAIT, |sc| sc.contains("copied"));
    let copied = osc52_payloads(&s.raw[before..]);
    assert_eq!(copied.len(), 1, "one OSC 52 write for one y");
    assert!(copied[0].starts_with("https://"), "{copied:?}");
    fuzz_support::check_ascii("copied link", &copied[0]).expect("clean link");

    s.press(b"\x1b");
    s.wait_for("the board again", WAIT, |sc| sc.contains("毒1号"));
    s.press(b"q");
    assert!(s.wait_exit(WAIT).success(), "resou quit cleanly");

    let raw = strip_own_osc52(&s.raw);
    let found = leaks(&raw);
    assert!(
        found.is_empty(),
        "payload bytes reached the terminal: {found:?}"
    );
}

/// The base64 contents of every `ESC ] 52 ; c ; … BEL` in `raw`, decoded.
fn osc52_payloads(raw: &[u8]) -> Vec<String> {
    use base64::Engine;
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(i) = find(rest, b"\x1b]52;c;") {
        let body = &rest[i + 7..];
        let end = find(body, b"\x07").unwrap_or(body.len());
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&body[..end])
            .expect("OSC 52 carries base64");
        out.push(String::from_utf8_lossy(&bytes).into_owned());
        rest = &body[end..];
    }
    out
}

/// The stream without the app's own OSC 52 writes (checked separately).
fn strip_own_osc52(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = find(rest, b"\x1b]52;c;") {
        out.extend_from_slice(&rest[..i]);
        let end = find(&rest[i..], b"\x07").map_or(rest.len(), |e| i + e + 1);
        rest = &rest[end..];
    }
    out.extend_from_slice(rest);
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

// ---- export, clipboard, alerts ----------------------------------------------------------

fn hostile_rows() -> Vec<resou::export::ExportRow> {
    (0..PAYLOADS.len())
        .map(|i| resou::export::ExportRow {
            title: title(i),
            platform: Platform::Weibo,
            url: Some(format!("https://s.weibo.com/weibo?q={}", payload(i))),
            keywords: vec![format!("词{}语", payload(i + 1))],
            kols: vec![format!("大{}V", payload(i + 2))],
            note: Some(format!("备{}注", payload(i + 3))),
            first_seen: Some(at()),
            peak_rank: Some(1),
            peak_heat: Some(1000),
            flagged: true,
            story: vec![(Platform::Douyin, at()), (Platform::Weibo, at())],
        })
        .collect()
}

#[test]
fn exports_carry_no_payload_in_any_format() {
    use resou::export::{Format, export};
    let rows = hostile_rows();
    for fmt in [Format::Markdown, Format::Csv, Format::Json] {
        let out = export(&rows, fmt);
        let found = leaks(out.as_bytes());
        assert!(found.is_empty(), "{fmt:?} export carries {found:?}");
        // Not even escaped: JSON's \u001b would be decoded by the next tool.
        for esc in ["\\u001b", "\\u009b", "\\u202e", "\\u0007"] {
            assert!(!out.to_lowercase().contains(esc), "{fmt:?}: {esc}");
        }
        // CSV rows end in CRLF (RFC 4180); nothing else may carry a control character.
        fuzz_support::check_text("export", &out.replace("\r\n", "\n"), true).expect("clean export");
        for i in 0..PAYLOADS.len() {
            assert!(
                out.contains(&format!("毒{i}号标题")),
                "{fmt:?} keeps title {i}"
            );
        }
        assert!(out.contains("备注") && out.contains("大V"), "{fmt:?}");
    }
}

#[test]
fn clipboard_osc52_carries_only_clean_links() {
    use resou::desktop::{ClipboardMode, Desktop, copy};
    // Links reach the clipboard through the one URL filter, from any remote field.
    for (i, (p, _)) in PAYLOADS.iter().enumerate() {
        for raw in [
            format!("https://s.weibo.com/weibo?q=毒{i}{p}"),
            format!("https://m.weibo.cn/{p}status/{i}"),
            format!("{p}https://evil.example/"),
            format!("javascript:{p}"),
        ] {
            let Some(url) = resou::domain::text::safe_url(&raw) else {
                continue;
            };
            let d = Desktop {
                clipboard: ClipboardMode::Osc52,
                in_tmux: i % 2 == 0,
                ..Desktop::default()
            };
            let mut term: Vec<u8> = Vec::new();
            let outcome = copy(&url, &d, &mut term);
            assert!(outcome.show.is_none(), "{outcome:?}");
            let copied = osc52_payloads(&term);
            assert!(!copied.is_empty(), "an OSC 52 write for {raw:?}");
            for c in copied {
                // Printable ASCII: a payload can only survive percent-encoded (`%1B]52;…`),
                // which no terminal or paste target interprets.
                fuzz_support::check_ascii("clipboard", &c).expect("printable ASCII link");
            }
            // Outside the one introducer and terminator, the stream is base64 only.
            let stripped = strip_own_osc52(&term);
            let rest: Vec<u8> = strip_tmux(&stripped);
            assert!(
                rest.is_empty(),
                "extra bytes {:?}",
                String::from_utf8_lossy(&rest)
            );
        }
    }
}

/// tmux passthrough wraps a second copy (`ESC P tmux; … ESC \`) when run inside tmux.
fn strip_tmux(raw: &[u8]) -> Vec<u8> {
    let Some(i) = find(raw, b"\x1bPtmux;") else {
        return raw.to_vec();
    };
    let end = find(&raw[i..], b"\x1b\\").map_or(raw.len(), |e| i + e + 2);
    [&raw[..i], &raw[end..]].concat()
}

#[test]
fn alerts_notifications_and_hook_json_carry_no_payload() {
    use resou::alerts::{Alert, osc9, osc777};
    for i in 0..PAYLOADS.len() {
        let kw = Alert::keyword(
            &format!("词{}语", payload(i)),
            2.5,
            vec![Platform::Weibo],
            at(),
        );
        let kol = Alert::kol(&format!("大{}V", payload(i)), 2, at());
        for a in [kw, kol] {
            fuzz_support::check_text("alert", &a.text, false).expect("clean alert text");
            let json = a.to_json();
            assert!(leaks(json.as_bytes()).is_empty(), "{json}");
            assert!(
                !json.to_lowercase().contains("\\u00"),
                "no escaped control: {json}"
            );
            // The notification sequence: exactly its own introducer and terminator.
            for seq in [osc9(&a.text), osc777("resou", &a.text)] {
                assert_eq!(seq.matches('\x1b').count(), 1, "{seq:?}");
                assert_eq!(seq.matches('\x07').count(), 1, "{seq:?}");
                assert!(seq.ends_with('\x07'));
                let inner = &seq[1..seq.len() - 1];
                fuzz_support::check_text("notification", inner, false).expect("clean");
            }
        }
    }
}

// ---- `resou snapshot` ---------------------------------------------------------------------

/// Lists whose titles, queries, labels and URLs carry the payloads, as a snapshot file would.
fn hostile_lines(platform: Platform) -> Vec<resou::domain::snapshot_file::SnapshotLine> {
    use resou::domain::snapshot_file::{SnapshotItem, SnapshotLine};
    let items = (0..PAYLOADS.len())
        .map(|i| SnapshotItem {
            rank: Some(i as u32 + 1),
            title: title(i),
            query: Some(format!("#{}#", title(i))),
            heat: Some(100_000 - i as u64),
            label: Some(format!("热{}", payload(i + 1))),
            url: Some(format!("https://s.weibo.com/weibo?q={}", payload(i))),
            pinned: false,
            id: None,
        })
        .collect();
    vec![SnapshotLine {
        captured_at: at(),
        platform,
        items,
    }]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_command_prints_no_payload_in_any_format() {
    let server = resou::replay::ReplayServer::start(resou::replay::ReplayConfig {
        lists: [
            hostile_lines(Platform::Weibo),
            hostile_lines(Platform::Tieba),
        ]
        .concat(),
        step: Duration::from_secs(3600),
        clock: resou::replay::ClockMode::Manual,
    })
    .await
    .expect("replay server on loopback");
    let origin = server.origin();
    for format in ["table", "json", "csv"] {
        let origin = origin.clone();
        let out = tokio::task::spawn_blocking(move || {
            let dir = tempfile::tempdir().expect("tempdir");
            std::process::Command::new(env!("CARGO_BIN_EXE_resou"))
                .args(["snapshot", "--origin", &origin, "--format", format])
                .env("XDG_CONFIG_HOME", dir.path())
                .env("XDG_STATE_HOME", dir.path())
                .env("XDG_DATA_HOME", dir.path())
                .env("XDG_CACHE_HOME", dir.path())
                .env_remove("RESOU_WEIBO_COOKIE")
                .output()
                .expect("run resou snapshot")
        })
        .await
        .expect("join");
        assert!(out.status.success(), "{format}: {out:?}");
        let found = leaks(&out.stdout);
        assert!(found.is_empty(), "{format} output carries {found:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.to_lowercase().contains("\\u001b") && !text.to_lowercase().contains("\\u009b"),
            "{format}: no escaped controls"
        );
        for i in 0..PAYLOADS.len() {
            assert!(
                text.contains(&format!("毒{i}号标题")),
                "{format} keeps title {i}, payload removed whole:\n{text}"
            );
        }
    }
}
