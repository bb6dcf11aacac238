//! Fuzzing every parser of remote or user-supplied text, inside `cargo test`: arbitrary bytes,
//! hostile strings, and structured mutations of the real fixture bodies (bit flips, truncation
//! at each position class, splicing, retyped JSON values, injected escape sequences).
//!
//! Properties: no panic; malformed input is an error, not an empty success (where that can be
//! stated); every string that comes out is sanitised (no C0/C1 controls but allowed newlines,
//! no ESC, no bidi controls, no invisible runs; URLs and ids printable ASCII).
//!
//! Cases per target: `RESOU_FUZZ_CASES` (or `PROPTEST_CASES`); executions are printed per
//! target (`cargo test --test sources fuzz_parsers:: -- --nocapture`).

use crate::fuzz_support;

use chrono::{DateTime, FixedOffset};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};

use fuzz_support::{
    Counter, arbitrary_body, check_detail, check_entry, check_page, check_snapshot, check_text,
    config, hostile_string, mutated,
};
use resou::domain::post::{DrillRequest, PostTab};
use resou::domain::snapshot_file::read_lines;
use resou::sources::SourceError;

fn now() -> DateTime<FixedOffset> {
    // ok: a fixed valid literal
    DateTime::parse_from_rfc3339("2026-08-15T19:00:00+08:00").unwrap()
}

/// Run `check` on arbitrary bytes, hostile strings and mutated seeds; a panic or an `Err` is a
/// failure that proptest shrinks and reports.
pub(crate) fn fuzz(
    counter: &Counter,
    seeds: &'static [&'static str],
    check: impl Fn(&str) -> Result<(), String>,
) {
    let strategy = prop_oneof![
        1 => arbitrary_body(512),
        1 => hostile_string(256),
        4 => mutated(seeds),
    ];
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |body| {
        counter.hit();
        check(&body).map_err(TestCaseError::fail)
    });
    counter.report();
    if let Err(e) = result {
        panic!("{}: {e}", counter.name);
    }
}

/// Is the body (BOM and blanks aside) a JSON object? Anything else must be an error for the
/// JSON endpoints.
fn is_json_object(body: &str) -> bool {
    let t = body.trim_start_matches('\u{feff}').trim();
    serde_json::from_str::<serde_json::Value>(t).is_ok_and(|v| v.is_object())
}

/// A list endpoint: an `Ok` list has ranked rows and clean text; non-JSON is an error.
pub(crate) fn list_ok(
    body: &str,
    json: bool,
    r: Result<resou::domain::Snapshot, SourceError>,
) -> Result<(), String> {
    match r {
        Ok(s) => {
            if s.ranked.is_empty() {
                return Err("Ok with no ranked rows (an empty success)".into());
            }
            if json && !is_json_object(body) {
                return Err("Ok from a body that is not a JSON object".into());
            }
            check_snapshot(&s)
        }
        Err(e) => check_text("error", &e.to_string(), false),
    }
}

/// A drill page: clean text; a JSON endpoint's `Ok` needs a JSON object.
fn page_ok(
    body: &str,
    json: bool,
    r: Result<resou::domain::post::DrillPage, SourceError>,
) -> Result<(), String> {
    match r {
        Ok(p) => {
            if json && !is_json_object(body) {
                return Err("Ok from a body that is not a JSON object".into());
            }
            check_page(&p)
        }
        Err(e) => check_text("error", &e.to_string(), false),
    }
}

// ---- Weibo lists -------------------------------------------------------------------------

#[test]
fn a1_hot_search() {
    static C: Counter = Counter::new("A1 hotSearch");
    static SEEDS: &[&str] = &[fixture!("sources/a1_hotsearch.json")];
    fuzz(&C, SEEDS, |b| {
        list_ok(b, true, resou::sources::weibo::parse_hot_search(b, now()))
    });
}

#[test]
fn a3_mobile() {
    static C: Counter = Counter::new("A3 mobile");
    static SEEDS: &[&str] = &[
        fixture!("sources/a3_mobile_envelope.json"),
        fixture!("sources/a3_mobile_quirks.json"),
    ];
    fuzz(&C, SEEDS, |b| {
        list_ok(b, true, resou::sources::weibo::parse_mobile(b, now()))
    });
}

#[test]
fn a4_summary_html() {
    static C: Counter = Counter::new("A4 summary HTML");
    static SEEDS: &[&str] = &[fixture!("sources/a4_summary.html")];
    fuzz(&C, SEEDS, |b| {
        list_ok(
            b,
            false,
            resou::sources::weibo::parse_summary_html(b, now()),
        )
    });
}

// ---- Weibo drill-down --------------------------------------------------------------------

#[test]
fn c1_posts() {
    static C: Counter = Counter::new("C1 posts");
    static SEEDS: &[&str] = &[
        fixture!("drill_weibo/search_card_group.json"),
        fixture!("drill_weibo/timeline_cards_excerpt.json"),
        fixture!("drill_weibo/no_content.json"),
        fixture!("drill_weibo/captcha.json"),
        fixture!("drill_app/posts_wangchuanjun.json"),
    ];
    let req = DrillRequest::WeiboPosts {
        query: "#旺旺#".into(),
        tab: PostTab::Realtime,
        page: 1,
    };
    fuzz(&C, SEEDS, |b| {
        page_ok(
            b,
            true,
            resou::sources::weibo::drill::parse_posts(b, &req, now()),
        )
    });
}

#[test]
fn c2_long_text_and_detail_page() {
    static C: Counter = Counter::new("C2 long text / $render_data");
    static SEEDS: &[&str] = &[
        fixture!("drill_weibo/extend.json"),
        fixture!("drill_weibo/detail_render_data.html"),
        fixture!("drill_weibo/html_body.html"),
    ];
    fuzz(&C, SEEDS, |b| {
        // The detail page is HTML with a JSON island, so only cleanliness is stated here.
        page_ok(
            b,
            false,
            resou::sources::weibo::drill::parse_long_text(b, "5196447335795934", now()),
        )
    });
}

#[test]
fn c3_comments() {
    static C: Counter = Counter::new("C3 comments");
    static SEEDS: &[&str] = &[
        fixture!("drill_weibo/comments_p1.json"),
        fixture!("drill_weibo/comments_p2.json"),
        fixture!("drill_weibo/comments_string_end.json"),
        fixture!("drill_weibo/comments_none.json"),
    ];
    let req = DrillRequest::WeiboComments {
        mid: "5196447335795934".into(),
        max_id: None,
        max_id_type: 0,
    };
    fuzz(&C, SEEDS, |b| {
        page_ok(
            b,
            true,
            resou::sources::weibo::drill::parse_comments(b, &req, now()),
        )
    });
}

#[test]
fn c4_topic_detail() {
    static C: Counter = Counter::new("C4 topic detail");
    static SEEDS: &[&str] = &[
        fixture!("topics/detail_host.json"),
        fixture!("topics/detail_no_host.json"),
        fixture!("topics/detail_quirks.json"),
        fixture!("topics/detail_code_error.json"),
    ];
    fuzz(&C, SEEDS, |b| {
        match resou::sources::topic::parse_detail(b, "#旺旺#") {
            Ok(d) if !is_json_object(b) => Err(format!("Ok from non-JSON: {d:?}")),
            Ok(d) => check_detail(&d),
            Err(e) => check_text("error", &e.to_string(), false),
        }
    });
}

// ---- Tieba -------------------------------------------------------------------------------

#[test]
fn b1_topic_list() {
    static C: Counter = Counter::new("B1 topicList");
    static SEEDS: &[&str] = &[fixture!("sources/b1_topiclist.json")];
    fuzz(&C, SEEDS, |b| {
        list_ok(b, true, resou::sources::tieba::parse_topic_list(b, now()))
    });
}

#[test]
fn d2_hot_message_main_thread() {
    use resou::sources::tieba::drill::{parse_hot_message, parse_main, parse_thread_list};
    static C: Counter = Counter::new("D2 hotMessage/main/thread");
    static SEEDS: &[&str] = &[
        fixture!("drill_tieba/hot_message.json"),
        fixture!("drill_tieba/main.json"),
        fixture!("drill_tieba/thread_page.json"),
    ];
    fuzz(&C, SEEDS, |b| {
        let json = is_json_object(b);
        if let Ok(hm) = parse_hot_message(b) {
            if !json {
                return Err("hotMessage Ok from non-JSON".into());
            }
            check_text("yuren_rand", &hm.yuren_rand, false)?;
            check_text("pmy_topic_ext", &hm.pmy_topic_ext, false)?;
        }
        for items in [parse_main(b), parse_thread_list(b)].into_iter().flatten() {
            if !json {
                return Err("threads Ok from non-JSON".into());
            }
            items.iter().try_for_each(check_entry)?;
        }
        Ok(())
    });
}

#[test]
fn d3_floors_page() {
    static C: Counter = Counter::new("D3 floors page");
    static SEEDS: &[&str] = &[fixture!("drill_tieba/floors_page.html")];
    fuzz(&C, SEEDS, |b| {
        page_ok(
            b,
            false,
            resou::sources::tieba::drill::parse_floors_html(b, "9200000000", 1, now()),
        )
    });
}

#[test]
fn d3_sub_replies() {
    static C: Counter = Counter::new("楼中楼 sub-replies");
    static SEEDS: &[&str] = &[fixture!("drill_tieba/lzl_subreplies_fragment.html")];
    fuzz(&C, SEEDS, |b| {
        page_ok(
            b,
            false,
            resou::sources::tieba::drill::parse_sub_replies_html(
                b,
                "9200000000",
                "920000000002",
                "28345790",
                1,
                now(),
            ),
        )
    });
}

#[test]
fn tieba_app_page() {
    static C: Counter = Counter::new("Tieba app page");
    static SEEDS: &[&str] = &[fixture!("tieba_app/pb_page.json")];
    fuzz(&C, SEEDS, |b| {
        page_ok(
            b,
            true,
            resou::sources::tieba::drill::parse_app_floors(b, "9200000000", 1, now()),
        )
    });
}

// ---- local files -------------------------------------------------------------------------

#[test]
fn snapshot_jsonl() {
    static C: Counter = Counter::new("snapshot JSONL");
    static SEEDS: &[&str] = &[
        fixture!("headless/weibo.jsonl"),
        fixture!("headless/tieba.jsonl"),
    ];
    fuzz(&C, SEEDS, |b| {
        match read_lines(b.as_bytes(), "fuzz.jsonl") {
            Ok(lines) => {
                // Every kept line was a JSON object (blank and `//` lines aside).
                let objects = b
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with("//"))
                    .count();
                if objects != lines.len() {
                    return Err(format!("{} lines read from {objects}", lines.len()));
                }
                // A snapshot line becomes topics through the sanitiser.
                for l in lines {
                    let snap = l.to_snapshot();
                    check_snapshot(&snap)?;
                }
                Ok(())
            }
            Err(e) => {
                let msg = e.to_string();
                if msg.starts_with("fuzz.jsonl:") {
                    Ok(())
                } else {
                    Err(format!("error without the file name: {msg}"))
                }
            }
        }
    });
}

/// A config in the README's shape (reconstructed from README.md "Configuration").
const CONFIG_SEED: &str = r#"[general]
platforms = ["weibo", "tieba"]
interval_secs = 60
max_backoff_secs = 600

[network]
origin = "http://127.0.0.1:8080"
timeout_secs = 15
connect_timeout_secs = 5
max_body_bytes = 8388608

[desktop]
clipboard = "auto"
browser = "firefox"

[alerts]
bell = true
desktop = true
protocol = "auto"
min_interval_secs = 60

[history]
keep_days = 90

[theme]
name = "auto"
colours = "auto"
mouse = false

[analysis.detector]
theta_on = 1.5
theta_off = 1.5
half_life_slow_min = 120
beta = 0.01
"#;

#[test]
fn config_file() {
    static C: Counter = Counter::new("config");
    static SEEDS: &[&str] = &[CONFIG_SEED];
    fuzz(&C, SEEDS, |b| {
        match resou::config::Config::parse(b, "fuzz.toml") {
            Ok(_) => Ok(()),
            // Errors name the file (and line) so the user can find the problem.
            Err(e) if e.to_string().contains("fuzz.toml") => Ok(()),
            Err(e) => Err(format!("error without the file name: {e}")),
        }
    });
}

#[test]
fn keymap_files_and_key_names() {
    use resou::config::keymap::{Key, Keymap, parse_seq};
    static C: Counter = Counter::new("keymap");
    static SEEDS: &[&str] = &[
        include_str!("../../keymaps/default.toml"),
        include_str!("../../keymaps/vim.toml"),
        include_str!("../../keymaps/emacs.toml"),
    ];
    fuzz(&C, SEEDS, |b| {
        let mut km = Keymap::default_map();
        if let Err(e) = km.apply_str(b, "fuzz.toml") {
            let msg = e.to_string();
            if !msg.contains("fuzz.toml") {
                return Err(format!("error without the file name: {msg}"));
            }
        }
        for line in b.lines().take(8) {
            let _ = Key::parse(line);
            if let Ok(seq) = parse_seq(line)
                && seq.is_empty()
            {
                return Err(format!("empty key sequence from {line:?}"));
            }
        }
        Ok(())
    });
}

#[test]
fn recording_file() {
    use resou::replay::Recording;
    static C: Counter = Counter::new("recording");
    static SEEDS: &[&str] = &[concat!(
        r#"{"at":"2026-08-15T12:00:00.512+08:00","platform":"weibo","poll":"2026-08-15T12:00:00.101+08:00","method":"GET","url":"https://weibo.com/ajax/side/hotSearch","status":200,"headers":[["content-type","application/json"]],"body":"{\"ok\":1,\"data\":{\"realtime\":[]}}","elapsed_ms":411}"#,
        "\n",
        r#"{"at":"2026-08-15T12:00:01+08:00","platform":"tieba","poll":"2026-08-15T12:00:00+08:00","method":"GET","url":"https://tieba.baidu.com/hottopic/browse/topicList?res_type=1","status":502,"headers":[],"body":"/w==","body_encoding":"base64","elapsed_ms":3}"#,
        "\n"
    )];
    fuzz(&C, SEEDS, |b| match Recording::parse(b, "fuzz.rec") {
        Ok(r) => {
            let lines = b.lines().filter(|l| !l.trim().is_empty()).count();
            let polls = r.poll_count(resou::domain::Platform::Weibo)
                + r.poll_count(resou::domain::Platform::Tieba);
            if polls > lines {
                return Err(format!("{polls} polls from {lines} lines"));
            }
            Ok(())
        }
        Err(e) if e.to_string().starts_with("fuzz.rec:") => Ok(()),
        Err(e) => Err(format!("error without the file name: {e}")),
    });
}

// ---- small text forms --------------------------------------------------------------------

/// Timestamps in every documented form, with numbers of any size and junk around them.
fn timestamp() -> impl Strategy<Value = String> {
    let unit = prop::sample::select(vec![
        "秒前",
        "秒钟前",
        "分钟前",
        "分前",
        "小时前",
        "天前",
        "",
        "000",
    ]);
    let form = prop_oneof![
        (any::<u64>(), unit.clone()).prop_map(|(n, u)| format!("{n}{u}")),
        (0u64..100_000_000_000, unit).prop_map(|(n, u)| format!("{n}{u}")),
        (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(y, m, d)| format!(
            "{y}-{m}-{d} {}:{}",
            m % 30,
            d % 70
        )),
        (any::<u32>(), any::<u32>()).prop_map(|(m, d)| format!("{m}月{d}日 23:02")),
        (any::<u32>(), any::<u32>()).prop_map(|(h, m)| format!("昨天 {h}:{m}")),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("Sat Aug 15 01:05:59 +0800 2026".to_string()),
        Just("+262143-12-31T23:59:59+14:00".to_string()),
        Just("-262143-01-01T00:00:00-14:00".to_string()),
    ];
    (form, hostile_string(6), 0u8..4).prop_map(|(f, junk, how)| match how {
        0 => f,
        1 => format!("{f}{junk}"),
        2 => format!("{junk}{f}"),
        _ => format!("{f} 转赞人数超过{junk}"),
    })
}

#[test]
fn timestamps() {
    static C: Counter = Counter::new("timestamps");
    let strategy = prop_oneof![1 => hostile_string(40), 3 => timestamp()];
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |raw| {
        C.hit();
        let t = resou::domain::time::parse_time(&raw, now());
        // Text without a digit is a time only when it says so in words.
        if t.is_some()
            && !raw.chars().any(|c| c.is_ascii_digit())
            && !raw.trim().starts_with("刚刚")
            && !["今天", "昨天", "前天"]
                .iter()
                .any(|w| raw.trim().starts_with(w))
        {
            return Err(TestCaseError::fail(format!("{raw:?} read as {t:?}")));
        }
        Ok(())
    });
    C.report();
    if let Err(e) = result {
        panic!("timestamps: {e}");
    }
}

/// Count strings: "1.2万", "100万+", "1亿", "综艺 850468", separators and huge numbers.
fn count_string() -> impl Strategy<Value = String> {
    let suffix = prop::sample::select(vec!["", "万", "万+", "亿", "w", "W", "+", "亿亿"]);
    prop_oneof![
        (any::<u64>(), suffix.clone()).prop_map(|(n, s)| format!("{n}{s}")),
        (any::<f64>(), suffix.clone()).prop_map(|(n, s)| format!("{n}{s}")),
        (any::<u32>(), any::<u16>(), suffix.clone()).prop_map(|(a, b, s)| format!("{a}.{b}{s}")),
        (hostile_string(4), any::<u32>(), suffix).prop_map(|(p, n, s)| format!("{p} {n}{s}")),
        Just("1".repeat(400)),
        Just(format!("{}万", "9".repeat(330))),
    ]
}

#[test]
fn count_strings() {
    use resou::domain::num::{parse_count, parse_prefixed_count};
    static C: Counter = Counter::new("count strings");
    let strategy = prop_oneof![1 => hostile_string(24), 3 => count_string()];
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |raw| {
        C.hit();
        let n = parse_count(&raw);
        if n.is_some() && !raw.chars().any(|c| c.is_ascii_digit()) {
            return Err(TestCaseError::fail(format!("{raw:?} read as {n:?}")));
        }
        let (prefix, m) = parse_prefixed_count(&raw);
        if m.is_some() && !raw.chars().any(|c| c.is_ascii_digit()) {
            return Err(TestCaseError::fail(format!("{raw:?} read as {m:?}")));
        }
        if let Some(p) = prefix
            && !raw.contains(&p)
        {
            return Err(TestCaseError::fail(format!("prefix {p:?} not in {raw:?}")));
        }
        Ok(())
    });
    C.report();
    if let Err(e) = result {
        panic!("count strings: {e}");
    }
}

/// The sanitiser itself over arbitrary text: output clean whatever comes in, idempotent, and
/// never wider than its cap.
#[test]
fn sanitiser() {
    use resou::domain::SafeText;
    use resou::domain::text::{MAX_LINE_WIDTH, MAX_TEXT_WIDTH};
    use unicode_width::UnicodeWidthStr;
    static C: Counter = Counter::new("sanitiser");
    let strategy = prop_oneof![
        2 => hostile_string(300),
        1 => arbitrary_body(300),
        1 => (hostile_string(8), 1usize..3000).prop_map(|(s, n)| s.repeat(n)),
    ];
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |raw| {
        C.hit();
        let line = SafeText::line(&raw);
        check_text("line", line.as_str(), false).map_err(TestCaseError::fail)?;
        let html = SafeText::from_html_line(&fuzz_support::html_escaped(&raw));
        check_text("html line", html.as_str(), false).map_err(TestCaseError::fail)?;
        let text = SafeText::multiline(&raw);
        check_text("text", text.as_str(), true).map_err(TestCaseError::fail)?;
        let frag = SafeText::multiline_fragment(&raw);
        check_text("fragment", frag.as_str(), true).map_err(TestCaseError::fail)?;
        prop_assert!(line.as_str().width() <= MAX_LINE_WIDTH);
        prop_assert!(text.as_str().width() <= MAX_TEXT_WIDTH);
        let again = SafeText::line(line.as_str());
        prop_assert_eq!(again.as_str(), line.as_str());
        Ok(())
    });
    C.report();
    if let Err(e) = result {
        panic!("sanitiser: {e}");
    }
}
