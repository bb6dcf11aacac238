//! The brand view (`B`, issue 20 point 5) in the headless app: the watch loop's pages go to
//! the store and the brand worker, the worker's summaries fill the view (volume, tone with
//! NSR and negative share, top authors, newest and most negative posts with badges), Enter
//! opens a post's comments and Back returns, a viewer reads the collector's posts after each
//! list, failures and the budget are shown, and drill-down entries carry tone marks with the
//! NSR line on `%`. Rendered at 80×24 and 120×35 with CJK, emoji and mixed Latin.
//!
//! The posts are real: author, mid and text (cut) of posts on 胖东来 from
//! `data/demo/posts.json.gz` (nateafish/weibo-hot-hub archive, 2026-08-15); follower and
//! engagement counts are added to exercise the badges. One emoji/mixed-Latin post is made up.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use resou::analysis::term_summary::TermSummary;
use resou::analysis::watch_worker::{WatchBoard, WatchInput};
use resou::app::App;
use resou::app::brand::WatchSource;
use resou::app::layer::active;
use resou::app::msg::{AppMsg, Effect};
use resou::domain::Platform;
use resou::domain::post::DrillRequest;
use resou::domain::watch::{WatchPost, WatchTerm};
use resou::history::{HistoryCmd, HistoryEvent};
use resou::input::Layer;
use resou::sentiment::Scorer;
use resou::sources::Endpoint;
use resou::sources::watch::{BudgetStatus, WatchEvent};

use crate::render_support::{draw, press, row_text};
use crate::support;

fn at(s: &str) -> DateTime<FixedOffset> {
    // ok: literals
    DateTime::parse_from_rfc3339(s).unwrap()
}

/// The lists' clock of these tests.
fn clock() -> DateTime<FixedOffset> {
    at("2026-08-15T17:30:00+08:00")
}

#[allow(clippy::too_many_arguments)]
fn post(
    mid: &str,
    author: &str,
    created: &str,
    text: &str,
    verified: Option<i64>,
    followers: Option<u64>,
    likes: u64,
) -> WatchPost {
    let created = Some(at(created));
    WatchPost {
        verified_type: verified,
        followers,
        reposts: Some(likes / 10),
        comments: Some(likes / 5),
        likes: Some(likes),
        ..WatchPost::new(
            Platform::Weibo,
            mid,
            "胖东来",
            author,
            created,
            text,
            clock(),
        )
    }
}

fn posts() -> Vec<WatchPost> {
    vec![
        post(
            "5332228802088969",
            "奔向自由的那个雨夜",
            "2026-08-15T17:24:37+08:00",
            "#胖东来 刑释人员# 。一觉醒来看到这个我差点以为自己没睡醒",
            None,
            Some(120),
            3,
        ),
        post(
            "5332218740476510",
            "月老说我明天暴富",
            "2026-08-15T16:44:38+08:00",
            "#胖东来 刑释人员# 不理解不支持满头问号恶心呕吐。彰显你多有大爱去优待残疾人啊，去优待受害者家属啊。可笑，案底变成敲门砖了。跟有病似的。",
            None,
            Some(890),
            420,
        ),
        post(
            "5332217960333756",
            "抗八桶水上楼",
            "2026-08-15T16:41:31+08:00",
            "#胖东来 刑释人员# 真的会有人愿意和强奸犯做同事吗，真的会有人愿意去有犯过重大罪行人的地方购物吗，感觉好恐怖啊",
            None,
            None,
            40,
        ),
        post(
            "5332209126608408",
            "青青芫中葵",
            "2026-08-15T16:06:26+08:00",
            "胖东来 刑释人员 胖东来这次招聘刑释人员，很多人第一反应是担心安全，但于东来给出的方案其实非常硬核。",
            Some(0),
            Some(1_234_567),
            9_000,
        ),
        post(
            "5332200000000001",
            "Tech宅🔥小王",
            "2026-08-15T15:10:00+08:00",
            "胖东来 iPhone 17 Pro 首发也排队😂 服务真好，点赞！",
            Some(3),
            Some(56_000),
            12,
        ),
    ]
}

/// Summaries as the brand worker computes them.
fn summaries(terms: &[&str], posts: Vec<WatchPost>) -> Vec<TermSummary> {
    let mut b = WatchBoard::new(Scorer::new());
    b.apply(WatchInput::Terms(
        terms.iter().map(|t| WatchTerm::named(t)).collect(),
    ));
    b.apply(WatchInput::Posts(posts));
    b.apply(WatchInput::Clock(clock()));
    b.summaries()
}

/// A headless app on the fixture lists that searches for 胖东来 and 旺旺.
fn app(size: (u16, u16), source: WatchSource) -> App {
    let mut app = support::app_sized(10, size);
    app.state.brand.terms = vec!["胖东来".into(), "旺旺".into()];
    app.state.brand.source = source;
    app.state.views.scorer = Some(Arc::new(Scorer::new()));
    for l in support::app_lists() {
        app.handle(support::poll_ok(l.to_snapshot(), Endpoint::WeiboHotSearch));
    }
    app.handle(AppMsg::Tick(clock()));
    app.state.status.flash = None;
    app
}

fn screen(app: &App, w: u16, h: u16) -> Vec<String> {
    let t = draw(&app.state, w, h);
    let buf = t.backend().buffer();
    (0..h).map(|y| row_text(buf, y)).collect()
}

fn line_with<'a>(lines: &'a [String], needle: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{}", lines.join("\n")))
}

#[test]
fn watch_pages_go_to_the_store_and_the_worker_and_the_budget_is_kept() {
    let mut app = app((120, 35), WatchSource::Searching);
    let (fx, _) = app.handle(AppMsg::Watch(WatchEvent::Posts {
        term: "胖东来".into(),
        query: "胖东来".into(),
        page: 1,
        posts: posts(),
        new: 5,
        excluded: 0,
    }));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::History(HistoryCmd::RecordWatch(p)) if p.len() == 5)),
        "{fx:?}"
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Brand(WatchInput::Posts(p)) if p.len() == 5)),
        "{fx:?}"
    );
    // The page as found goes to the team alert sender too (when this app sends).
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::WatchPage { term, posts } if term == "胖东来" && posts.len() == 5)
        ),
        "{fx:?}"
    );
    // Sentinel pages go to the store and the analysis worker (its tag flags), not the
    // brand worker.
    let mut sentinel_posts = posts();
    for p in &mut sentinel_posts {
        p.term = "@京东健康".into();
    }
    let (fx, _) = app.handle(AppMsg::Watch(WatchEvent::SentinelPosts {
        account: resou::domain::watch::Sentinel::new("1234567890", "京东健康"),
        page: 1,
        posts: sentinel_posts,
        new: 5,
    }));
    assert!(
        matches!(&fx[..], [Effect::History(HistoryCmd::RecordWatch(a)), Effect::SentinelPosts(b)] if a.len() == 5 && b.len() == 5),
        "{fx:?}"
    );
    let st = BudgetStatus {
        used_this_hour: 7,
        max_per_hour: 60,
        next: Some(("旺旺".into(), at("2026-08-15T17:35:10+08:00"))),
        backing_off_until: None,
        refusals: 0,
    };
    app.handle(AppMsg::Watch(WatchEvent::Budget(st)));
    press(&mut app, "B");
    let lines = screen(&app, 120, 35);
    let top = line_with(&lines, "品牌");
    assert!(top.contains("search 7/60 this hour"), "{top}");
    assert!(top.contains("next 旺旺 in 5m10s"), "{top}");
    // Before the first summary: what it is doing.
    line_with(&lines, "Searching Weibo (real-time) for 胖东来、旺旺");
}

#[test]
fn the_view_shows_volume_tone_authors_and_posts_at_80x24_and_120x35() {
    for (w, h) in [(120u16, 35u16), (80, 24)] {
        let mut app = app((w, h), WatchSource::Searching);
        app.state.enrich.kol_names = vec!["青青芫中葵".into()];
        app.handle(AppMsg::Brand(summaries(&["胖东来", "旺旺"], posts())));
        press(&mut app, "B");
        assert_eq!(active(&app.state), Layer::Brand);
        let lines = screen(&app, w, h);
        let all = lines.join("\n");
        let tabs = line_with(&lines, "品牌");
        assert!(tabs.contains("[胖东来]") && tabs.contains("旺旺"), "{tabs}");
        let vol = line_with(&lines, "声量 24h");
        assert!(vol.contains(" 5 ") || vol.contains(" 5   "), "{vol}");
        let tone = line_with(&lines, "情感 24h");
        let s = &app.state.brand.summaries[0];
        assert!(
            tone.contains(&format!("正 {}", s.tone_24h.pos))
                && tone.contains(&format!("负 {}", s.tone_24h.neg)),
            "{tone}"
        );
        assert!(
            s.tone_24h.neg >= 2,
            "two of the real posts are plainly negative: {s:?}"
        );
        assert!(tone.contains("NSR"), "{tone}");
        // Fewer than 30 polar posts: the NSR says it is thin.
        if w >= 120 {
            assert!(tone.contains("(<30 polar)"), "{tone}");
        }
        line_with(&lines, "作者 7d");
        // Newest first, with time, tone mark and author; the KOL and verified badges.
        let first = line_with(&lines, "奔向自由的那个雨夜");
        assert!(first.contains("17:24"), "{first}");
        let kol = line_with(&lines, "@青青芫中葵");
        assert!(
            kol.contains("KOL") && kol.contains(" V") && kol.contains("123万粉"),
            "{kol}"
        );
        assert!(all.contains("Tech宅🔥小王"), "{all}");
        // The selected post's evidence.
        line_with(&lines, "因 ");
        for l in &lines {
            assert!(
                unicode_width::UnicodeWidthStr::width(l.as_str()) <= w as usize,
                "{l}"
            );
        }
        // n: the most negative first (by score, then reach).
        press(&mut app, "n");
        let lines = screen(&app, w, h);
        line_with(&lines, "最负面");
        let neg = &app.state.brand.summaries[0].most_negative;
        assert!(!neg.is_empty());
        assert_eq!(
            app.state.brand.selected_post().map(|p| p.post.id.as_str()),
            Some(neg[0].post.id.as_str())
        );
        assert!(neg.windows(2).all(|w| w[0].score <= w[1].score));
    }
}

#[test]
fn tab_changes_term_and_new_summaries_keep_the_cursor_on_its_post() {
    let mut app = app((120, 35), WatchSource::Searching);
    app.handle(AppMsg::Brand(summaries(&["胖东来", "旺旺"], posts())));
    press(&mut app, "B j j");
    let on = app.state.brand.selected_post().unwrap().post.id.clone();
    // A newer post arrives: the cursor stays on the same post, one row further down.
    let mut more = posts();
    more.push(post(
        "5332228900000000",
        "新来的",
        "2026-08-15T17:29:00+08:00",
        "胖东来又上热搜了",
        None,
        None,
        0,
    ));
    app.handle(AppMsg::Brand(summaries(&["胖东来", "旺旺"], more)));
    assert_eq!(app.state.brand.selected_post().unwrap().post.id, on);
    assert_eq!(app.state.brand.selected, 3);
    press(&mut app, "tab");
    let lines = screen(&app, 120, 35);
    assert!(line_with(&lines, "品牌").contains("[旺旺]"));
    line_with(&lines, "no post in the last 7 days");
    press(&mut app, "tab");
    assert_eq!(app.state.brand.summary().unwrap().term, "胖东来");
}

#[test]
fn enter_opens_the_posts_comments_with_tone_marks_and_back_returns() {
    let mut app = app((120, 35), WatchSource::Searching);
    app.handle(AppMsg::Brand(summaries(&["胖东来"], posts())));
    press(&mut app, "B j");
    let fx = press(&mut app, "enter");
    let (id, req) = crate::render_support::first_drill(&fx);
    assert_eq!(
        req,
        DrillRequest::WeiboComments {
            mid: "5332218740476510".into(),
            max_id: None,
            max_id_type: 0,
        }
    );
    assert_eq!(active(&app.state), Layer::Thread);
    // The post itself is above its comments, with its tone mark.
    let lines = screen(&app, 120, 35);
    line_with(&lines, "品牌 胖东来");
    let parent = line_with(&lines, "月老说我明天暴富 ·");
    assert!(parent.contains("负"), "{parent}");
    // Comments arrive (real comment texts of the demo); each gets its mark; % shows the NSR.
    let page = resou::domain::post::DrillPage {
        items: [
            ("c1", "这个做法我支持，点赞"),
            ("c2", "太恶心了，失望"),
            ("c3", "来看看"),
        ]
        .into_iter()
        .map(|(cid, text)| {
            resou::domain::post::Entry::new(
                resou::domain::post::EntryKind::WeiboComment,
                cid,
                resou::domain::post::Author::named("网友"),
                resou::domain::post::RichText::plain(text),
            )
        })
        .collect(),
        next: None,
        total: Some(3),
    };
    crate::render_support::deliver(&mut app, id, req, page);
    let view = app.state.views.stack.last().unwrap();
    let marks: Vec<_> = view
        .entries
        .iter()
        .map(|e| e.tone.as_ref().map(|t| t.label))
        .collect();
    use resou::sentiment::Label;
    assert_eq!(
        marks,
        [Some(Label::Pos), Some(Label::Neg), Some(Label::Neu)]
    );
    press(&mut app, "%");
    let lines = screen(&app, 80, 24);
    let tone = line_with(&lines, "comments loaded");
    assert!(
        tone.contains("正 1") && tone.contains("负 1") && tone.contains("NSR +0%"),
        "{tone}"
    );
    press(&mut app, "esc");
    assert_eq!(active(&app.state), Layer::Brand);
    assert_eq!(app.state.brand.selected, 1);
    press(&mut app, "esc");
    assert_eq!(active(&app.state), Layer::Board);
}

#[test]
fn a_viewer_reads_the_collectors_posts_after_each_list() {
    let mut app = support::app_sized(10, (120, 35));
    app.state.brand.terms = vec!["胖东来".into()];
    app.state.brand.source = WatchSource::Store;
    let lists = support::app_lists();
    let snap = lists[0].to_snapshot();
    let captured = snap.captured_at;
    let (fx, _) = app.handle(support::poll_ok(snap, Endpoint::WeiboHotSearch));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Brand(WatchInput::Clock(t)) if *t == captured)),
        "{fx:?}"
    );
    let read = fx.iter().find_map(|e| match e {
        Effect::History(HistoryCmd::WatchPosts {
            terms,
            since,
            until,
        }) => Some((terms.clone(), *since, *until)),
        _ => None,
    });
    let (terms, since, until) = read.expect("a read of the stored posts");
    assert_eq!(terms, ["胖东来"]);
    assert_eq!(until, Some(captured));
    assert_eq!(since, Some(captured - chrono::Duration::hours(24)));
    // What the store answers goes to the worker; a failed read is shown.
    let (fx, _) = app.handle(AppMsg::History(HistoryEvent::WatchPosts(Ok(posts()))));
    assert!(matches!(&fx[..], [Effect::Brand(WatchInput::Posts(p))] if p.len() == 5));
    app.handle(AppMsg::History(HistoryEvent::WatchPosts(Err(
        "connection refused".into(),
    ))));
    app.handle(AppMsg::Brand(summaries(&["胖东来"], posts())));
    press(&mut app, "B");
    let lines = screen(&app, 120, 35);
    assert!(line_with(&lines, "品牌").contains("searched by the team collector"));
    line_with(&lines, "reading watched posts: connection refused");
}

#[test]
fn a_refused_search_is_named_with_what_happens_next() {
    let mut app = app((80, 24), WatchSource::Searching);
    app.handle(AppMsg::Brand(summaries(&["胖东来"], posts())));
    app.handle(AppMsg::Watch(WatchEvent::Failed {
        term: "胖东来".into(),
        query: "胖东来".into(),
        page: 1,
        error: resou::sources::SourceError::Status(432),
        refused: true,
    }));
    press(&mut app, "B");
    let lines = screen(&app, 80, 24);
    let l = line_with(&lines, "watch ✗");
    assert!(l.contains("432") && l.contains("backing off"), "{l}");
}

#[test]
fn without_watched_terms_the_view_says_how_to_add_them() {
    let mut app = support::app_sized(10, (80, 24));
    press(&mut app, "B");
    assert_eq!(active(&app.state), Layer::Brand);
    let lines = screen(&app, 80, 24);
    line_with(&lines, "No watched terms.");
    line_with(&lines, "[watch]");
    press(&mut app, "B");
    assert_eq!(active(&app.state), Layer::Board);
}

#[test]
fn a_burst_of_mentions_is_marked_as_a_spike_on_the_sparkline() {
    let mut app = app((120, 35), WatchSource::Searching);
    // A quiet week, then 30 posts in the hour in progress (17:00–17:29).
    let base = posts().remove(3);
    let burst: Vec<WatchPost> = (0..30)
        .map(|i| WatchPost {
            id: format!("53322000000{i:05}"),
            created_at: Some(at("2026-08-15T17:00:00+08:00") + chrono::Duration::minutes(i)),
            ..base.clone()
        })
        .collect();
    let s = summaries(&["胖东来"], burst);
    assert_eq!(s[0].spike_hours, [167], "the last hour of the week");
    app.handle(AppMsg::Brand(s));
    press(&mut app, "B");
    let lines = screen(&app, 120, 35);
    let vol = line_with(&lines, "声量 24h");
    assert!(vol.contains("突增 spike 17:00"), "{vol}");
    // Without the burst, no mark.
    app.handle(AppMsg::Brand(summaries(&["胖东来"], posts())));
    let lines = screen(&app, 120, 35);
    assert!(!line_with(&lines, "声量 24h").contains("突增"));
}

#[test]
fn w_on_a_keyword_watches_it_live_and_w_again_stops() {
    let mut app = support::app_sized(10, (120, 35));
    app.state.brand.searches = true;
    app.state.brand.configured = vec![WatchTerm::named("胖东来")];
    app.state.brand.terms = vec!["胖东来".into()];
    app.state.brand.source = WatchSource::Searching;
    for l in support::app_lists() {
        app.handle(support::poll_ok(l.to_snapshot(), Endpoint::WeiboHotSearch));
    }
    // A keyword entry of the panel: 旺旺 (the demo day's rising story).
    app.state.analysis.entries = crate::render_support::keyword_entries();
    app.state.analysis.entries[0].label = "旺旺".into();
    press(&mut app, "l");
    let label = app.state.analysis.entries[app.state.panel.selected]
        .label
        .to_string();
    let fx = press(&mut app, "w");
    let terms = fx
        .iter()
        .find_map(|e| match e {
            Effect::WatchTerms(t) => Some(t.clone()),
            _ => None,
        })
        .expect("the loop and the worker get the new terms");
    let names: Vec<&str> = terms.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["胖东来", label.as_str()]);
    assert_eq!(app.state.brand.terms, names);
    // The worker is told the lists' clock at once, so the new term's summary can follow.
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Brand(WatchInput::Clock(_))))
    );
    let fx = press(&mut app, "w");
    let back = fx.iter().find_map(|e| match e {
        Effect::WatchTerms(t) => Some(t.len()),
        _ => None,
    });
    assert_eq!(back, Some(1), "unwatching drops the term");
}

/// `[sentinel] discovered`: a topic page's host and media accounts (real ones, from
/// tests/fixtures/topics/detail_host.json) join the sentinels up to the cap; the loop is told.
#[test]
fn discovered_hosts_and_media_join_the_sentinels_up_to_the_cap() {
    use resou::app::brand::Discovery;
    use resou::domain::watch::Sentinel;
    use resou::sources::SourceEvent;
    let detail = || {
        let body = include_str!("../fixtures/topics/detail_host.json");
        let d =
            resou::sources::topic::parse_detail(body, "#命好的人本质是主体性强#").expect("parses");
        AppMsg::Source(SourceEvent::TopicDetail(
            "#命好的人本质是主体性强#".into(),
            Ok(Box::new(d)),
        ))
    };
    let sentinels = |fx: &[Effect]| {
        fx.iter().find_map(|e| match e {
            Effect::WatchSentinels(s) => Some(s.clone()),
            _ => None,
        })
    };
    // Off: nothing joins.
    let mut app = app((120, 35), WatchSource::Searching);
    let (fx, _) = app.handle(detail());
    assert_eq!(sentinels(&fx), None);
    // On, one KOL already followed, room for two more: the host and the media account.
    app.state.brand.discovery = Some(Discovery {
        accounts: vec![Sentinel::new("1699432410", "新华社")],
        max: 3,
    });
    let (fx, _) = app.handle(detail());
    let s = sentinels(&fx).expect("the loop follows the new set");
    let uids: Vec<&str> = s.iter().map(|a| a.uid.as_str()).collect();
    assert_eq!(uids, ["1699432410", "5675905882", "1727472420"]);
    assert_eq!(
        app.state.brand.sentinels,
        ["新华社", "人间观察大赏", "泰山晚报"]
    );
    // The same page again, or a full set: nothing changes.
    let (fx, _) = app.handle(detail());
    assert_eq!(sentinels(&fx), None);
    app.state.brand.discovery = Some(Discovery {
        accounts: vec![Sentinel::new("1699432410", "新华社")],
        max: 1,
    });
    let (fx, _) = app.handle(detail());
    assert_eq!(sentinels(&fx), None);
}
