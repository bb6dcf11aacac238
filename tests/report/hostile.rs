//! Remote text that tries to be markup or to drive a terminal: stripped on the way into the
//! store, escaped by every renderer.

use resou::domain::{Platform, Snapshot, Topic};
use resou::report::{self, Options, PeriodSpec, Schedule, render_html, render_markdown, summary};
use resou::store::{HistoryStore, SqliteStore};

use crate::support::{time, triage_record};

const SCRIPT: &str = "<script>alert(1)</script>官方回应";
const ANSI: &str = "\u{1b}[31m红色预警\u{1b}[0m";
const BIDI: &str = "\u{202e}txt.exe品牌危机";
const LINK: &str = "[点我领奖](http://evil.example/x)";
const NOTE: &str = "<img src=x onerror=alert(1)> | **注意** `code`";

#[test]
fn hostile_titles_notes_and_users_are_escaped_or_stripped() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let t0 = time("2026-08-15T10:00:00+08:00");
    for (i, at) in [t0, t0 + chrono::Duration::minutes(30)]
        .into_iter()
        .enumerate()
    {
        let mut s = Snapshot::new(Platform::Weibo, at);
        for (r, title) in [SCRIPT, ANSI, BIDI, LINK, "a|b"].iter().enumerate() {
            let mut t = Topic::new(Platform::Weibo, Some(r as u32 + 1), title);
            t.heat = Some(1_000_000 - 1_000 * (r as u64 + i as u64));
            s.ranked.push(t);
        }
        store.insert_poll(&s.finish(), "t").unwrap();
    }
    store
        .save_triage(&triage_record(
            "<b>mallory</b>\u{1b}[2J",
            &[(Platform::Weibo, SCRIPT, t0, true, Some(NOTE))],
        ))
        .unwrap();
    let period = PeriodSpec::parse("1h")
        .unwrap()
        .ending_at(t0 + chrono::Duration::minutes(30), &Schedule::default());
    let r = report::build(&store, &period, &Options::default()).unwrap();
    assert_eq!(r.top.len(), 5);
    assert_eq!(r.flagged.len(), 1);

    let md = render_markdown(&r);
    let html = render_html(&r);
    let m = summary(&r);
    for (name, out) in [("md", &md), ("html", &html), ("summary", &m.body_markdown)] {
        for bad in ["\u{1b}", "\u{202e}", "<script", "<img", "<b>mallory"] {
            assert!(!out.contains(bad), "{name} holds {bad:?}");
        }
        assert!(out.contains("红色预警"), "{name}: the text stays");
    }
    // HTML: entities.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;官方回应"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&lt;b&gt;mallory&lt;/b&gt;"));
    assert!(!html.contains("href=\"http"), "no link from a title");
    // Markdown: no link, tag, table cell or bold can open.
    for out in [&md, &m.body_markdown] {
        assert!(!out.contains("[点我领奖]("));
        assert!(!out.contains("**注意**"));
    }
    assert!(
        md.contains("［点我领奖］(http://evil.example/x)"),
        "the text stays, inert"
    );
    assert!(md.contains("a｜b"), "a pipe would split the table row");
    let row = md.lines().find(|l| l.contains("a｜b")).unwrap();
    assert_eq!(row.matches('|').count(), 8, "{row}");
}
