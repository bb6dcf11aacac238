//! History in the app, through the real history service and a real SQLite file: polls are
//! recorded off the UI path, survive a restart, power sparklines, time travel (`[` `]` `L`
//! with the banner) and the topic pane (`H`); a store that cannot be written is a visible
//! status while the board keeps updating.

use crate::render_support;
use crate::support;

use std::path::Path;
use std::time::Duration;

use resou::app::App;
use resou::app::msg::{AppMsg, Effect};
use resou::config::keymap::Key;
use resou::domain::Snapshot;
use resou::domain::snapshot_file::read_lines;
use resou::history::{HistoryCmd, HistoryEvent, HistoryHandle, HistoryOptions, Opener};
use resou::sources::Endpoint;
use resou::store::{HistoryStore, Store};
use tokio::sync::mpsc;

use render_support::{draw, find_row, row_text};

/// Four real hourly Weibo lists (2026-08-15 00:00–03:00).
fn hours() -> Vec<Snapshot> {
    let src = include_str!("../fixtures/store/weibo_hours.jsonl");
    read_lines(src.as_bytes(), "weibo_hours.jsonl")
        .expect("fixture")
        .iter()
        .map(|l| l.to_snapshot())
        .collect()
}

fn opener(path: &Path, read_only: bool) -> Opener {
    let path = path.to_path_buf();
    Box::new(move || {
        let s = if read_only {
            Store::open_read_only(&path)?
        } else {
            Store::open(&path)?
        };
        Ok(Box::new(s) as Box<dyn HistoryStore>)
    })
}

struct Service {
    handle: HistoryHandle,
    rx: mpsc::Receiver<HistoryEvent>,
    rt: tokio::runtime::Runtime,
}

impl Service {
    fn start(open: Opener) -> Service {
        Service::start_with(open, None)
    }

    fn start_with(open: Opener, follow: Option<resou::history::Follow>) -> Service {
        Service::start_full(open, follow, None)
    }

    fn start_full(
        open: Opener,
        follow: Option<resou::history::Follow>,
        team_user: Option<String>,
    ) -> Service {
        let (tx, rx) = mpsc::channel(64);
        let opts = HistoryOptions {
            platforms: vec![resou::domain::Platform::Weibo],
            keep_days: 0,
            skip_duplicates: false,
            announce: true,
            follow,
            team_user,
        };
        let handle = resou::history::spawn(open, opts, tx).expect("spawn");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        Service { handle, rx, rt }
    }

    /// The next event (the service answers in order; 10 s is a hang, not a wait).
    fn next(&mut self) -> HistoryEvent {
        let rx = &mut self.rx;
        self.rt
            .block_on(async { tokio::time::timeout(Duration::from_secs(10), rx.recv()).await })
            .expect("history service answered")
            .expect("history channel open")
    }

    /// Perform the app's history effects and feed every answer back, until none is pending.
    fn pump(&mut self, app: &mut App, fx: Vec<Effect>) {
        let mut pending = 0usize;
        for e in fx {
            if let Effect::History(cmd) = e {
                // Records and triage saves are not answered; reads are.
                let answered = !matches!(
                    cmd,
                    HistoryCmd::Record { .. }
                        | HistoryCmd::SaveTriage(_)
                        | HistoryCmd::Analysis { .. }
                );
                pending += usize::from(answered);
                self.handle.send(cmd);
            }
        }
        while pending > 0 {
            let ev = self.next();
            pending -= 1;
            let (more, _) = app.handle(AppMsg::History(ev));
            self.pump(app, more);
        }
    }
}

fn app() -> App {
    support::app_sized(20, (120, 40))
}

fn press(app: &mut App, key: &str) -> Vec<Effect> {
    app.handle(AppMsg::Key(Key::parse(key).expect("key"))).0
}

fn titles(app: &App) -> Vec<String> {
    app.state
        .board
        .rows
        .iter()
        .map(|r| r.topic.title.to_string())
        .collect()
}

fn list_titles(s: &Snapshot) -> Vec<String> {
    s.pinned
        .iter()
        .chain(&s.ranked)
        .map(|t| t.title.to_string())
        .collect()
}

fn screen(app: &App) -> String {
    let t = draw(&app.state, 120, 40);
    let buf = t.backend().buffer();
    (0..40)
        .map(|y| row_text(buf, y))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Poll the app with the first `n` lists, performing its history effects.
fn live(svc: &mut Service, app: &mut App, lists: &[Snapshot]) {
    for s in lists {
        let (fx, _) = app.handle(support::poll_ok(s.clone(), Endpoint::WeiboHotSearch));
        assert!(
            fx.iter().any(|e| matches!(e, Effect::History(HistoryCmd::Record { snapshot, .. }) if **snapshot == *s)),
            "every good poll is recorded"
        );
        svc.pump(app, fx);
    }
}

/// Open the service and apply its `Opened` and `Times` events to the app.
fn opened(svc: &mut Service, app: &mut App) {
    for _ in 0..2 {
        let ev = svc.next();
        let (fx, _) = app.handle(AppMsg::History(ev));
        svc.pump(app, fx);
    }
}

/// A store file with the four hourly lists polled live through the app, and that app.
fn loaded() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Vec<Snapshot>,
    Service,
    App,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let lists = hours();
    let mut svc = Service::start(opener(&path, false));
    let mut a = app();
    opened(&mut svc, &mut a);
    live(&mut svc, &mut a, &lists);
    (dir, path, lists, svc, a)
}

#[test]
fn history_survives_a_restart_and_fills_the_first_frame() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let lists = hours();
    {
        let mut svc = Service::start(opener(&path, false));
        let mut a = app();
        opened(&mut svc, &mut a);
        live(&mut svc, &mut a, &lists);
        svc.handle.finish(); // every queued write lands
    }
    // A new run: before any poll, the board shows the last stored list.
    let mut svc = Service::start(opener(&path, false));
    let mut a = app();
    match svc.next() {
        HistoryEvent::Opened { latest, .. } => {
            assert_eq!(latest.len(), 1);
            assert_eq!(latest[0].current, lists[3]);
            assert_eq!(latest[0].previous.as_ref(), Some(&lists[2]));
            let (fx, _) = a.handle(AppMsg::History(HistoryEvent::Opened {
                source: path.display().to_string(),
                latest,
            }));
            assert_eq!(titles(&a), list_titles(&lists[3]));
            // Movement against the stored list before it, as if the app had never stopped.
            assert!(
                a.state
                    .board
                    .rows
                    .iter()
                    .any(|r| r.movement != resou::app::state::Movement::Same
                        && r.movement != resou::app::state::Movement::Pinned),
                "movement arrows from the stored previous list"
            );
            // Times was sent before the series request is answered.
            match svc.next() {
                HistoryEvent::Times(times) => assert_eq!(
                    times,
                    lists
                        .iter()
                        .map(|s| s.captured_at.timestamp())
                        .collect::<Vec<_>>()
                ),
                other => panic!("expected Times, got {other:?}"),
            }
            svc.pump(&mut a, fx);
        }
        other => panic!("expected Opened, got {other:?}"),
    }
    // The sparkline series came from the store: four points for a topic on every list.
    let always = lists[3]
        .ranked
        .iter()
        .find(|t| {
            lists
                .iter()
                .all(|l| l.ranked.iter().any(|u| u.key() == t.key()))
        })
        .expect("a topic on all four lists");
    let row = a
        .state
        .board
        .rows
        .iter()
        .find(|r| r.key == always.key())
        .expect("row");
    assert_eq!(row.trend.len(), 4, "{}", always.title);
    let s = screen(&a);
    assert!(s.contains("trend"), "the trend column is shown:\n{s}");
}

#[test]
fn time_travel_steps_through_stored_polls_and_returns_live() {
    let (_dir, _, lists, mut svc, mut a) = loaded();
    assert_eq!(titles(&a), list_titles(&lists[3]));

    // `[` twice: 02:00 then 01:00, each the stored board of that moment.
    let fx = press(&mut a, "[");
    svc.pump(&mut a, fx);
    assert_eq!(titles(&a), list_titles(&lists[2]));
    let fx = press(&mut a, "[");
    svc.pump(&mut a, fx);
    assert_eq!(titles(&a), list_titles(&lists[1]));
    let s = screen(&a);
    assert!(
        s.lines()
            .next()
            .is_some_and(|l| l.contains("viewing 01:00 — live is 03:00") && l.contains("HISTORY")),
        "banner:\n{s}"
    );
    assert!(
        !s.contains("LIVE"),
        "the live marker is gone while travelling"
    );
    // Back to the first poll, and no further.
    let fx = press(&mut a, "[");
    svc.pump(&mut a, fx);
    assert_eq!(titles(&a), list_titles(&lists[0]));
    let fx = press(&mut a, "[");
    assert!(fx.is_empty());
    assert_eq!(
        a.state.status.flash.as_deref(),
        Some("no earlier stored poll")
    );

    // `]` steps forward; past the last stored poll before live it is live again.
    let fx = press(&mut a, "]");
    svc.pump(&mut a, fx);
    assert_eq!(titles(&a), list_titles(&lists[1]));
    // A live poll while travelling changes nothing on screen.
    let later = {
        let mut s = lists[3].clone();
        s.captured_at += chrono::Duration::hours(1);
        s
    };
    let (fx, _) = a.handle(support::poll_ok(later.clone(), Endpoint::WeiboHotSearch));
    svc.pump(&mut a, fx);
    assert_eq!(titles(&a), list_titles(&lists[1]));
    assert!(screen(&a).contains("live is 04:00"));
    press(&mut a, "L");
    assert!(a.state.history.travel.is_none());
    assert_eq!(titles(&a), list_titles(&later));
    assert!(
        screen(&a)
            .lines()
            .next()
            .is_some_and(|l| l.contains("LIVE"))
    );

    // esc while travelling returns live instead of quitting.
    let fx = press(&mut a, "[");
    svc.pump(&mut a, fx);
    assert!(a.state.history.travel.is_some());
    press(&mut a, "esc");
    assert!(a.state.history.travel.is_none() && !a.state.quit);
}

#[test]
fn topic_pane_shows_first_seen_peak_and_rank_path() {
    let (_dir, _, lists, mut svc, mut a) = loaded();
    // Select the first ranked row and open its history.
    press(&mut a, "j");
    let i = a.state.selected_index().unwrap();
    let key = a.state.board.rows[i].key.clone();
    let fx = press(&mut a, "H");
    svc.pump(&mut a, fx);
    let ranks: Vec<Option<u32>> = lists
        .iter()
        .filter_map(|l| l.ranked.iter().find(|t| t.key() == key).map(|t| t.rank))
        .collect();
    let pane = a.state.history.detail.as_ref().expect("pane open");
    let h = pane
        .history
        .as_ref()
        .unwrap()
        .as_ref()
        .unwrap()
        .as_ref()
        .unwrap();
    assert_eq!(h.points.len(), ranks.len());
    assert_eq!(h.peak_rank, ranks.iter().flatten().min().copied());
    let t = draw(&a.state, 120, 40);
    let buf = t.backend().buffer();
    let first = find_row(buf, "first seen").expect("first seen line");
    let first_at = lists
        .iter()
        .find(|l| l.ranked.iter().any(|t| t.key() == key))
        .unwrap()
        .captured_at;
    assert!(
        row_text(buf, first).contains(&first_at.format("%Y-%m-%d %H:%M").to_string()),
        "{}",
        row_text(buf, first)
    );
    assert!(find_row(buf, "rank path").is_some());
    assert!(find_row(buf, &format!("#{}", h.peak_rank.unwrap())).is_some());
    press(&mut a, "esc");
    assert!(a.state.history.detail.is_none() && !a.state.quit);

    // Travelled back to 01:00, the pane shows the topic as it stood then: last seen and the
    // stored polls up to that moment, not the later ones.
    for _ in 0..2 {
        let fx = press(&mut a, "[");
        svc.pump(&mut a, fx);
    }
    let at = lists[1].captured_at;
    assert_eq!(a.state.history.travel.as_ref().map(|t| t.at), Some(at));
    assert!(
        a.state.board.rows.iter().any(|r| r.key == key),
        "the topic was on the 01:00 list"
    );
    a.state.board.selection.key = Some(key.clone());
    let fx = press(&mut a, "H");
    svc.pump(&mut a, fx);
    let polls_then = lists
        .iter()
        .filter(|l| l.captured_at <= at && l.ranked.iter().any(|t| t.key() == key))
        .count();
    assert!(
        polls_then < ranks.len(),
        "the topic was listed after 01:00 too"
    );
    let t = draw(&a.state, 120, 40);
    let buf = t.backend().buffer();
    let stamp = at.format("%Y-%m-%d %H:%M").to_string();
    assert!(find_row(buf, &format!("as of {stamp} (time travel)")).is_some());
    let last = find_row(buf, "last seen").expect("last seen line");
    assert!(
        row_text(buf, last).contains(&stamp),
        "{}",
        row_text(buf, last)
    );
    assert!(
        find_row(buf, &format!("rank path ({polls_then} stored polls")).is_some(),
        "only the polls up to the moment viewed"
    );
}

#[test]
fn a_store_that_cannot_be_written_is_a_status_and_polling_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let lists = hours();
    Store::open(&path).unwrap(); // exists, current schema, empty
    let mut svc = Service::start(opener(&path, true));
    let mut a = app();
    opened(&mut svc, &mut a);
    let (fx, _) = a.handle(support::poll_ok(lists[0].clone(), Endpoint::WeiboHotSearch));
    // The write fails before the series read after it is answered; both reach the app.
    svc.pump(&mut a, fx);
    let ev = svc.next();
    a.handle(AppMsg::History(ev));
    assert!(
        a.state
            .history
            .write_error
            .as_deref()
            .is_some_and(|m| m.contains("read-only")),
        "{:?}",
        a.state.history.write_error
    );
    let (fx, _) = a.handle(support::poll_ok(lists[1].clone(), Endpoint::WeiboHotSearch));
    svc.pump(&mut a, fx);
    assert_eq!(
        titles(&a),
        list_titles(&lists[1]),
        "the board keeps updating"
    );
    let s = screen(&a);
    assert!(
        s.contains("history not saved (file is read-only)"),
        "status names the problem:\n{s}"
    );
}

#[test]
fn a_store_that_cannot_open_says_so_and_the_app_runs_on() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be: SQLite cannot open it.
    let path = dir.path().join("history.sqlite3");
    std::fs::create_dir(&path).unwrap();
    let mut svc = Service::start(opener(&path, false));
    let mut a = app();
    let ev = svc.next();
    assert!(matches!(ev, HistoryEvent::Unavailable(_)), "{ev:?}");
    a.handle(AppMsg::History(ev));
    a.handle(support::poll_ok(
        hours()[0].clone(),
        Endpoint::WeiboHotSearch,
    ));
    assert_eq!(titles(&a), list_titles(&hours()[0]));
    let s = screen(&a);
    assert!(s.contains("history off:"), "{s}");
    // Travel says why it cannot.
    assert!(press(&mut a, "[").is_empty());
    assert!(
        a.state
            .status
            .flash
            .as_deref()
            .unwrap()
            .contains("no history store")
    );
}

#[test]
fn a_viewer_shows_what_the_collector_stores_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("team.sqlite3");
    let lists = hours();
    let mut collector = Store::open(&path).unwrap();
    collector.insert_poll(&lists[0], "collector").unwrap();
    let (notices_tx, notices) = std::sync::mpsc::channel();
    let follow = resou::history::Follow {
        // Only notices wake it within the test's time: the timer is far away.
        every: Duration::from_secs(3600),
        notices: Some(notices),
    };
    let mut svc = Service::start_with(opener(&path, true), Some(follow));
    let mut a = app();
    a.state.history.viewer = true;
    opened(&mut svc, &mut a);
    assert_eq!(titles(&a), list_titles(&lists[0]), "the stored board first");

    // The collector commits the next poll and the notice arrives: the viewer shows it live.
    collector.insert_poll(&lists[1], "collector").unwrap();
    notices_tx.send(resou::history::FeedNotice::Poll).unwrap();
    let ev = svc.next();
    assert!(
        matches!(&ev, HistoryEvent::Live(s) if **s == lists[1]),
        "{ev:?}"
    );
    let (fx, _) = a.handle(AppMsg::History(ev));
    assert_eq!(titles(&a), list_titles(&lists[1]));
    assert!(
        !fx.iter().any(|e| matches!(
            e,
            Effect::History(HistoryCmd::Record { .. }) | Effect::FetchTopic(_)
        )),
        "a viewer neither records nor fetches from the platforms: {fx:?}"
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Analyze(_))),
        "analysis still runs"
    );
    assert_eq!(
        a.state.lists.health[&resou::domain::Platform::Weibo].endpoint,
        Some("team store")
    );

    // Connection loss is a visible state; the reconnect catches up on what was missed.
    notices_tx
        .send(resou::history::FeedNotice::Lost(
            "server closed the connection".into(),
        ))
        .unwrap();
    let ev = svc.next();
    a.handle(AppMsg::History(ev));
    assert!(screen(&a).contains("team feed lost (server closed the connection); reconnecting"));
    collector.insert_poll(&lists[2], "collector").unwrap();
    notices_tx
        .send(resou::history::FeedNotice::Reconnected)
        .unwrap();
    for _ in 0..2 {
        let ev = svc.next();
        a.handle(AppMsg::History(ev));
    }
    assert!(a.state.history.feed_problem.is_none());
    assert_eq!(titles(&a), list_titles(&lists[2]));
}

#[test]
fn shared_triage_shows_the_others_flags_and_notes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("team.sqlite3");
    let lists = hours();
    let topic = &lists[0].ranked[2];
    // Alice flagged and noted a topic in her app; her triage went to the store.
    let mut alice = resou::triage::Triage::default();
    alice.observe(topic, lists[0].captured_at);
    alice.toggle_flag(&topic.key());
    alice.set_note(&topic.key(), "客户品牌相关，盯住");
    {
        let mut store = Store::open(&path).unwrap();
        store.insert_poll(&lists[0], "collector").unwrap();
        for (user, t) in [
            ("alice", &alice),
            ("bob", &resou::triage::Triage::default()),
        ] {
            store
                .save_triage(&resou::store::TriageRecord {
                    user: user.into(),
                    json: serde_json::to_string(t).unwrap(),
                    updated_at: lists[0].captured_at,
                })
                .unwrap();
        }
    }
    // Bob's app, sharing triage.
    let mut svc = Service::start_full(opener(&path, false), None, Some("bob".into()));
    let mut a = app();
    opened(&mut svc, &mut a);
    // The team's marks come right after the poll times; any answer still queued is applied.
    let ev = svc.next();
    a.handle(AppMsg::History(ev));
    let marks = &a.state.history.team;
    assert_eq!(marks.len(), 1, "only alice marked anything: {marks:?}");
    let row = a
        .state
        .board
        .rows
        .iter()
        .find(|r| r.key == topic.key())
        .unwrap();
    assert!(
        row.marks.team && !row.marks.flagged,
        "alice's flag is hers, shown as a team mark"
    );
    let others: Vec<bool> = a
        .state
        .board
        .rows
        .iter()
        .filter(|r| r.key != topic.key())
        .map(|r| r.marks.team)
        .collect();
    assert!(others.iter().all(|t| !t));
    // The topic pane says who and what.
    while a.state.selected_index().map(|i| &a.state.board.rows[i].key) != Some(&topic.key()) {
        press(&mut a, "j");
    }
    let fx = press(&mut a, "H");
    svc.pump(&mut a, fx);
    let s = screen(&a);
    let line = s
        .lines()
        .find(|l| l.contains("alice"))
        .unwrap_or_else(|| panic!("no team line:\n{s}"));
    assert!(
        line.contains("⚑") && line.contains("客户品牌相关，盯住"),
        "{line}"
    );
}

#[test]
fn keyword_series_and_kol_mentions_of_each_analysed_poll_are_stored() {
    let (_dir, path, lists, svc, mut a) = loaded();
    // The real analyzer over the same lists; its updates reach the app as the worker's do.
    let mut analyzer = resou::analysis::Analyzer::new(&Default::default());
    let mut stored = Vec::new();
    for s in &lists {
        let u = analyzer.process(s);
        let (fx, _) = a.handle(AppMsg::Analysis(resou::analysis::AnalysisEvent::Update(
            Box::new(u.clone()),
        )));
        let cmd = fx.into_iter().find_map(|e| match e {
            Effect::History(c @ HistoryCmd::Analysis { .. }) => Some(c),
            _ => None,
        });
        assert_eq!(cmd.is_some(), !u.warming_up, "stored once past warm-up");
        if let Some(cmd) = cmd {
            svc.handle.send(cmd);
            stored.push(u);
        }
    }
    svc.handle.finish();
    let store = Store::open(&path).unwrap();
    let u = stored.last().expect("polls past warm-up");
    let top = &u.keywords[0];
    let series = store
        .keyword_series(top.keyword.as_str(), lists[0].captured_at, u.at)
        .unwrap();
    assert_eq!(series.len(), stored.len(), "one point per analysed poll");
    let last = series.last().unwrap();
    assert_eq!(
        (last.at, last.score, last.rising),
        (u.at, top.score, top.rising)
    );
    // KOL mentions: every KOL the last poll found in a title, with those titles.
    for t in &u.kol_mentions {
        for m in &t.mentions {
            let got = store.kol_mentions(&m.name, u.at, u.at).unwrap();
            assert!(
                got.iter().any(|k| k.titles.contains(&t.title)),
                "{} in {}",
                m.name,
                t.title
            );
        }
    }
}

/// The 2025-10-15 lists of 15:05–18:05 (seven rounds of the 11 lists), when the 蔡国强
/// fireworks story spread (data/demo/day-2025-10-15.jsonl.gz, the archive's real lists).
fn fireworks_afternoon() -> Vec<Snapshot> {
    let from = chrono::DateTime::parse_from_rfc3339("2025-10-15T15:05:00+08:00").unwrap();
    let to = chrono::DateTime::parse_from_rfc3339("2025-10-15T18:05:00+08:00").unwrap();
    resou::replay::DemoDay::Day20251015
        .lists()
        .expect("bundled day")
        .iter()
        .filter(|l| l.captured_at >= from && l.captured_at <= to)
        .map(|l| l.to_snapshot())
        .collect()
}

/// (platform, first seen) of a story, in order.
fn spans(e: &resou::analysis::events::Event) -> Vec<(resou::domain::Platform, String)> {
    e.platforms
        .iter()
        .map(|p| (p.platform, p.first_seen.to_rfc3339()))
        .collect()
}

#[test]
fn stories_are_stored_so_time_travel_the_topic_pane_and_export_show_them() {
    use resou::domain::Platform;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let lists = fireworks_afternoon();
    let last = lists.last().unwrap().captured_at;
    let mut svc = Service::start(opener(&path, false));
    let mut a = app();
    opened(&mut svc, &mut a);
    // Polls and the real analysis (grouping stories, as the app's worker does) in time order.
    let mut analyzer = resou::analysis::Analyzer::new(&Default::default());
    analyzer.set_events(true);
    let mut before_last = None;
    for s in &lists {
        if s.captured_at == last && before_last.is_none() {
            before_last = Some(a.state.analysis.events.clone());
        }
        let endpoint = Endpoint::chain_of(s.platform)[0];
        let (fx, _) = a.handle(support::poll_ok(s.clone(), endpoint));
        svc.pump(&mut a, fx);
        let u = analyzer.process(s);
        let (fx, _) = a.handle(AppMsg::Analysis(resou::analysis::AnalysisEvent::Update(
            Box::new(u),
        )));
        svc.pump(&mut a, fx);
    }
    // The story on most lists with a Weibo title about the fireworks.
    let live = a.state.analysis.events.clone();
    let story = live
        .events
        .iter()
        .filter(|e| {
            e.members
                .iter()
                .any(|m| m.platform == Platform::Weibo && m.title.contains("蔡国强"))
        })
        .max_by_key(|e| e.platforms.len())
        .expect("the fireworks story on Weibo");
    assert!(story.platforms.len() >= 5, "{:?}", spans(story));
    let key = story
        .members
        .iter()
        .find(|m| m.platform == Platform::Weibo && m.title.contains("蔡国强"))
        .unwrap()
        .key
        .clone();

    // Time travel one round back: the story as stored then is the story as grouped then.
    let then = before_last.expect("a round before the last");
    let fx = press(&mut a, "[");
    svc.pump(&mut a, fx);
    let at = a.state.history.travel.as_ref().expect("travelling").at;
    assert_eq!(Some(at), then.at);
    let stored = a
        .state
        .events()
        .of(&key)
        .expect("stored story of the topic");
    let grouped = then.of(&key).expect("the topic was in a story then");
    assert_eq!(spans(stored), spans(grouped));
    let row = a
        .state
        .board
        .rows
        .iter()
        .find(|r| r.key == key)
        .expect("row");
    assert_eq!(usize::from(row.event_platforms), grouped.platforms.len());
    // The app's export (`e`) of the rows shown carries the story as shown.
    let rows = resou::app::triage_actions::export_rows(&a.state);
    let exported = rows
        .iter()
        .find(|r| resou::domain::TopicKey::new(r.platform, &r.title) == key)
        .expect("the row exported");
    let shown: Vec<_> = grouped
        .platforms
        .iter()
        .map(|p| (p.platform, p.first_seen))
        .collect();
    assert_eq!(exported.story, shown);
    press(&mut a, "L");
    svc.handle.finish();

    // A new run with no analysis yet: `H` shows the story from the store.
    let mut svc = Service::start(opener(&path, false));
    let mut b = app();
    opened(&mut svc, &mut b);
    assert!(b.state.analysis.events.events.is_empty());
    b.state.history.detail = Some(resou::app::history::DetailPane {
        key: key.clone(),
        title: "官方通报".into(),
        history: None,
        offset: 0,
        stories: Default::default(),
    });
    svc.handle.send(HistoryCmd::Detail(key.clone(), None));
    let ev = svc.next();
    b.handle(AppMsg::History(ev));
    // The pane's rows (between its borders); the story line wraps under its label.
    let t = draw(&b.state, 120, 40);
    let pane: Vec<String> = (0..40)
        .map(|y| row_text(t.backend().buffer(), y))
        .filter_map(|l| {
            let mut parts = l.split('│');
            parts.next()?;
            parts.next().map(str::to_string)
        })
        .collect();
    let start = pane
        .iter()
        .position(|l| l.trim_start().starts_with("story "))
        .unwrap_or_else(|| panic!("a story line:\n{}", pane.join("\n")));
    let story_text: String = pane[start..]
        .iter()
        .enumerate()
        .take_while(|(i, l)| *i == 0 || (l.starts_with("      ") && !l.trim().is_empty()))
        .map(|(_, l)| l.trim_end().to_string())
        .collect();
    let mut from = 0;
    for p in &story.platforms {
        let tag = format!(
            "{} {}",
            p.platform.tag(),
            p.first_seen.format("%m-%d %H:%M")
        );
        let at = story_text[from..]
            .find(&tag)
            .unwrap_or_else(|| panic!("{tag} in order in {story_text}"));
        from += at + tag.len();
    }
    svc.handle.finish();

    // `resou export` reads the stories from the store.
    a.state.triage.toggle_flag(&key);
    let triage = dir.path().join("triage.json");
    a.state.triage.save(&triage).unwrap();
    let out = support::output_ok(
        std::process::Command::new(env!("CARGO_BIN_EXE_resou"))
            .args(["export", "--flagged", "--format", "json", "--store"])
            .arg(&path)
            .arg("--triage")
            .arg(&triage)
            .env("XDG_CONFIG_HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path()),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, String)> = v[0]["story"]
        .as_array()
        .expect("a story")
        .iter()
        .map(|s| {
            (
                s["platform"].as_str().unwrap().to_string(),
                s["first_seen"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = story
        .platforms
        .iter()
        .map(|p| {
            (
                p.platform.id().to_string(),
                p.first_seen
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )
        })
        .collect();
    assert_eq!(got, want);
}

/// Team alert deliveries queued in a real SQLite store come back through
/// `HistoryCmd::RecentPushes`, newest first, and reach the app's view and status bar; a team
/// viewer (read-only, following the file) reads the collector's rows the same way.
#[test]
fn recent_deliveries_come_back_from_the_store_through_the_service() {
    use resou::store::{NewPush, PushState, PushUpdate};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    // ok: a fixed valid literal
    let t0 = chrono::DateTime::parse_from_rfc3339("2026-08-15T14:00:00+08:00").unwrap();
    let min = |m: i64| t0 + chrono::Duration::minutes(m);
    {
        // The sender's side: queue two messages, one refused for good.
        let mut store = Store::open(&path).unwrap();
        let push = |title: &str, at| NewPush {
            channel: "wecom-ops".into(),
            rule: "品牌负面".into(),
            tier: "red".into(),
            title: title.into(),
            message: "{}".into(),
            created_at: at,
            next_at: at,
        };
        let failed = store.enqueue_push(&push("旺旺 配料表", min(0))).unwrap();
        store
            .update_push(
                failed,
                &PushUpdate {
                    state: PushState::Failed,
                    parts_done: 0,
                    attempts: 1,
                    last_error: Some("errcode 93000: invalid webhook url\u{1b}[2J".into()),
                    next_at: min(1),
                    updated_at: min(1),
                },
            )
            .unwrap();
        store.enqueue_push(&push("国乒男单", min(2))).unwrap();
    }

    for viewer in [false, true] {
        let follow = viewer.then(|| resou::history::Follow {
            every: Duration::from_secs(2),
            notices: None,
        });
        let mut svc = Service::start_with(opener(&path, viewer), follow);
        let mut a = app();
        opened(&mut svc, &mut a);
        // The first tick asks; the service answers from the store.
        let (fx, _) = a.handle(AppMsg::Tick(min(3)));
        assert!(
            fx.iter()
                .any(|e| matches!(e, Effect::History(HistoryCmd::RecentPushes { limit: 50 }))),
            "{fx:?}"
        );
        svc.pump(&mut a, fx);
        let d = &a.state.deliveries;
        assert!(d.loaded, "viewer {viewer}");
        let got: Vec<(&str, PushState, u32)> = d
            .rows
            .iter()
            .map(|r| (r.title.as_str(), r.state, r.attempts))
            .collect();
        assert_eq!(
            got,
            [
                ("国乒男单", PushState::Pending, 0),
                ("旺旺 配料表", PushState::Failed, 1)
            ],
            "newest first (viewer {viewer})"
        );
        assert_eq!(
            d.rows[1].last_error.as_ref().map(|e| e.as_str()),
            Some("errcode 93000: invalid webhook url"),
            "sanitised"
        );
        assert_eq!(
            a.state.status.flash.as_deref(),
            Some("push ✗ wecom-ops: errcode 93000: invalid webhook url — 旺旺 配料表")
        );
        svc.handle.finish();
    }
}
