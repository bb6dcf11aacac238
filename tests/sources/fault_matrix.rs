//! The fault matrix (issue 7, point 1; issue 18): every poll endpoint of every list (Weibo A1,
//! A4, A3; Tieba B1; Baidu BD1, BD2′; Douyin DY1, DY3 app, iesdouyin; Zhihu ZH1, ZH2, ZH4;
//! Toutiao TT1; Bilibili BL1, BL3, BL2; Kuaishou KS1; newsnow for the four news lists) × every
//! fault kind, through the real pollers, HTTP client and parsers against the loopback replay
//! server playing a fault script with all twelve lists, feeding a headless `App` whose status
//! bar is rendered with `TestBackend`.
//!
//! Each case: a good poll → the fault plays for two polls → good again. Asserted: no panic
//! (a panicking parser would surface as "internal error"), the last good board kept, the fault
//! named in the status bar — in its long form, and in the summary an app polling all twelve
//! lists falls back to — back-off growing, and recovery on the first good poll after the
//! fault ends. Faults on the listening socket (refused, connect timeout) cannot pick a route:
//! they run once per platform.
//!
//! So that a fault on a later step fails the whole poll, the platform's other steps answer an
//! empty list, the least telling failure: the status bar then names the fault under test.
//! Which routes are subjects, and why BD2 wise, DY2 and Bilibili's `nav` are not: [`endpoints`].
//! Drill-down and topic routes are not in this matrix; the same `Fault` kinds are applied to
//! them in `drill_fetcher.rs`, `topic_replay.rs` and `tieba_drill.rs` (next to this file),
//! and to the brand watch search route (`weibo-search`) in `watch.rs`, which also checks
//! which of them the watch budget backs off for, and the same table to the sentinel timeline
//! route (`weibo-timeline`) in `sentinel.rs`.
//!
//! Steps are advanced on the poll reports seen, not by request counts: a visitor-cookie renewal,
//! a cookie bootstrap or a redirect loop makes several requests in one poll.
//!
//! `cargo test --test sources fault_matrix:: -- --nocapture` prints the rows of README's
//! reliability table.

use crate::support;

use std::time::Duration;

use futures_util::future::join_all;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use resou::app::App;
use resou::app::msg::AppMsg;
use resou::config::keymap::Key;
use resou::domain::Platform;
use resou::domain::snapshot_file::SnapshotLine;
use resou::replay::{FaultScript, ReplayServer, Route, poll_routes, route_names};
use resou::sources::http::NetConfig;
use resou::sources::poller::{self, SourcesHandle};
use resou::sources::{Endpoint, PollOutcome, PollReport, SourceEvent, SourcesConfig};
use tokio::sync::mpsc;
use unicode_width::UnicodeWidthStr;

/// Poll interval of the matrix: back-off goes 250 ms → 500 ms → …
const INTERVAL: Duration = Duration::from_millis(250);
/// Whole-request timeout: a 1 byte/s drip and a 5 s delay both outlast it.
const TIMEOUT: Duration = Duration::from_millis(1500);
/// Whole-request timeout of the 50 MiB cases, which test the body cap, not the clock: moving
/// the 8 MiB before the cap for every endpoint at once can take longer than [`TIMEOUT`] on a
/// loaded machine, and a timeout would hide whether the cap stopped the read.
const HEAVY_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
const FIFTY_MIB: usize = 50 << 20;

async fn server() -> ReplayServer {
    support::all_lists_server().await
}

/// What a case aims at: one poll endpoint, or a platform's whole origin.
#[derive(Debug, Clone, Copy)]
enum Subject {
    Endpoint(Endpoint),
    Origin(Platform),
}

impl Subject {
    fn platform(self) -> Platform {
        match self {
            Subject::Endpoint(e) => e.platform(),
            Subject::Origin(p) => p,
        }
    }

    fn label(self) -> String {
        match self {
            Subject::Endpoint(e) => format!("{} {}", e.platform().name(), e.label()),
            Subject::Origin(p) => format!("{} (whole origin)", p.name()),
        }
    }
}

/// Origin-wide faults run once per platform.
const ORIGINS: [Platform; Platform::COUNT] = Platform::ALL;

/// Every step of every platform's fallback chain, each the subject of its own cases, except
/// BD2 wise: BD2′ (`platform=pc`) and BD2 (`platform=wise`) both answer on `/api/board`
/// (`Route::BaiduApi`), so no fault can reach one without the other. BD2′, first in the chain,
/// is the subject and the error it reports is the one shown (the first of equally telling
/// ones); BD2 wise meets each of those faults one step later in the same poll, so a panic in
/// its parser would still fail the case ("internal error").
///
/// Two routes serve a step without being a step, and are no subject either: the DY2 cookie
/// bootstrap (`Route::DouyinLogin`, fetched before DY1) and Bilibili's `nav` (`Route::BiliNav`,
/// the WBI keys of BL2). Both answers are kept after the first good poll (the cookie for an
/// hour, the keys for the day), so a fault there would not be met by the polls of a case: DY1
/// bootstraps again only after a failure of its own (the DY1 cases do, each faulted poll), BL2
/// reads `nav` again only when its signature is refused.
fn endpoints() -> Vec<Endpoint> {
    Platform::ALL
        .into_iter()
        .flat_map(Endpoint::chain_of)
        .filter(|e| *e != Endpoint::BaiduApiWise)
        .collect()
}

fn route_of(e: Endpoint) -> Route {
    match e {
        Endpoint::WeiboHotSearch => Route::HotSearch,
        Endpoint::WeiboSummaryHtml => Route::Summary,
        Endpoint::WeiboMobile => Route::Mobile,
        Endpoint::TiebaTopicList => Route::TiebaTopicList,
        Endpoint::BaiduBoardHtml => Route::BaiduBoard,
        Endpoint::BaiduApiPc | Endpoint::BaiduApiWise => Route::BaiduApi,
        Endpoint::DouyinWeb => Route::DouyinWeb,
        Endpoint::DouyinApp => Route::DouyinApp,
        Endpoint::DouyinBillboard => Route::DouyinBillboard,
        Endpoint::ZhihuHotListWeb => Route::ZhihuWeb,
        Endpoint::ZhihuHotListApp => Route::ZhihuApp,
        Endpoint::ZhihuBillboard => Route::ZhihuBillboard,
        Endpoint::ToutiaoHotBoard => Route::ToutiaoHotBoard,
        Endpoint::BilibiliHotword => Route::BiliHotword,
        Endpoint::BilibiliTrending => Route::BiliTrending,
        Endpoint::BilibiliSquare => Route::BiliSquare,
        Endpoint::KuaishouHome => Route::KuaishouHome,
        Endpoint::Newsnow(p) => Route::Newsnow(p),
    }
}

/// The route's name in fault scripts.
fn script_target(e: Endpoint) -> &'static str {
    let route = route_of(e);
    route_names()
        .iter()
        .find(|(_, r)| *r == route)
        .map(|(name, _)| *name)
        .unwrap_or_else(|| panic!("no script name for {route:?}"))
}

/// The steps that fetch an HTML page (A4, BD1, ZH4, KS1); the others fetch JSON.
fn is_page(e: Endpoint) -> bool {
    matches!(
        e,
        Endpoint::WeiboSummaryHtml
            | Endpoint::BaiduBoardHtml
            | Endpoint::ZhihuBillboard
            | Endpoint::KuaishouHome
    )
}

/// One fault kind: its name in the table and its fault-script form.
struct Kind {
    name: &'static str,
    script: &'static str,
    /// Acts on the listening socket (one case per platform).
    origin_wide: bool,
    /// Slow enough to be in flight while a key is pressed.
    slow: bool,
    /// The client's whole-request timeout.
    timeout: Duration,
}

const fn kind(name: &'static str, script: &'static str) -> Kind {
    Kind {
        name,
        script,
        origin_wide: false,
        slow: false,
        timeout: TIMEOUT,
    }
}

/// The words the status bar must show for `kind` on `subject`; `None` where the fault does
/// not exist on that endpoint (an HTML page has no error envelope).
fn expected(kind: &Kind, subject: Subject) -> Option<String> {
    let endpoint = match subject {
        Subject::Endpoint(e) => Some(e),
        Subject::Origin(_) => None,
    };
    let html = endpoint.is_some_and(is_page);
    Some(match kind.script {
        s if s.starts_with("status ") => format!("HTTP {}", &s[7..]),
        "refused" => "connection failed".into(),
        "connect-timeout" | "delay 5s" | "drip 1s" => "timed out".into(),
        // Cut with a matching Content-Length, the transport cannot tell; the parser can.
        "truncated" if html => "bad data: truncated page".into(),
        "truncated" => "bad data: truncated JSON".into(),
        "invalid-utf8" => "bad data: body is not valid UTF-8".into(),
        "wrong-shape" if html => "unexpected JSON".into(),
        "wrong-shape" => "bad data".into(),
        "envelope -100" if html => return None,
        // Weibo's -100 is its expired-cookie code; elsewhere -100 means nothing in particular.
        "envelope -100" if subject.platform() == Platform::Weibo => {
            "login required: cookie expired".into()
        }
        "envelope -100" => "platform error -100".into(),
        // ZH4 reads a JSON body in place of its page as the API error it would be.
        "captcha" if endpoint == Some(Endpoint::ZhihuBillboard) => "captcha required".into(),
        // The other HTML endpoints do not look for captcha JSON; they name what they got.
        "captcha" if html => "unexpected JSON".into(),
        "captcha" => "captcha required".into(),
        "login-wall" => "login required".into(),
        "huge 50MiB" | "flood 50MiB" => format!(
            "response larger than {} bytes",
            NetConfig::default().max_body_bytes
        ),
        "redirect-loop" => "too many redirects".into(),
        other => panic!("no expectation for {other}"),
    })
}

struct Pollers {
    _handle: SourcesHandle,
    rx: mpsc::Receiver<SourceEvent>,
}

impl Pollers {
    fn start(server: &ReplayServer, platform: Platform, timeout: Duration) -> Pollers {
        let cfg = SourcesConfig {
            intervals: Default::default(),
            platforms: vec![platform],
            interval: INTERVAL,
            max_backoff: Duration::from_secs(4),
            net: NetConfig {
                timeout,
                connect_timeout: CONNECT_TIMEOUT,
                // The default body cap: the table reports what users get.
                max_body_bytes: NetConfig::default().max_body_bytes,
                ..support::replay_net(server)
            },
        };
        let (tx, rx) = mpsc::channel(16);
        Pollers {
            _handle: poller::spawn(cfg, tx).expect("pollers"),
            rx,
        }
    }

    async fn next(&mut self) -> PollReport {
        match tokio::time::timeout(Duration::from_secs(30), self.rx.recv()).await {
            Ok(Some(SourceEvent::Poll(r))) => r,
            other => panic!("no poll report: {other:?}"),
        }
    }
}

fn app() -> App {
    support::app_sized(20, (220, 30))
}

/// The screen as text lines (a wide character once, without the cell it covers).
fn screen(app: &App) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(220, 30)).expect("test terminal");
    t.draw(|f| resou::ui::render(f, &app.state)).expect("draw");
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let mut line = String::new();
            let mut x = 0;
            while x < buf.area.width {
                let symbol = buf[(x, y)].symbol();
                line.push_str(symbol);
                x += UnicodeWidthStr::width(symbol).max(1) as u16;
            }
            line
        })
        .collect()
}

/// The status-bar line about `platform` (`Weibo: HTTP 432 — showing 12:00 data, …`).
fn status_line(app: &App, platform: Platform) -> String {
    let lines = screen(app);
    let name = platform.name();
    lines
        .iter()
        .rev()
        .find(|l| l.contains(&format!("{name}: ")) || l.contains(&format!("{name} ✓")))
        .cloned()
        .unwrap_or_else(|| panic!("no status for {name} in\n{}", lines.join("\n")))
}

fn titles(app: &App) -> Vec<String> {
    app.state
        .board
        .rows
        .iter()
        .map(|r| r.topic.title.to_string())
        .collect()
}

/// Every ranked title of `served` is on the board.
fn assert_board_holds(app: &App, served: &SnapshotLine, what: &str) {
    let now = titles(app);
    for item in served.items.iter().filter(|i| !i.pinned) {
        assert!(
            now.contains(&item.title),
            "{what}: {} on the board",
            item.title
        );
    }
}

/// An app that has polled every other list once: all twelve sources in the status bar, which
/// then no longer has room for their long forms. Only the first row of each is kept: the
/// status bar shows their health, and a full board would cost each case a second of CPU.
fn crowded_app(server: &ReplayServer, platform: Platform) -> App {
    let mut app = app();
    for p in Platform::ALL.into_iter().filter(|p| *p != platform) {
        let mut line = server.current(p).expect("served list");
        line.items.retain(|i| !i.pinned);
        line.items.truncate(1);
        app.handle(support::poll_ok(
            line.to_snapshot(),
            Endpoint::chain_of(p)[0],
        ));
    }
    app
}

/// The status-bar line naming a failing source, in whichever form fitted.
fn crowded_status_line(app: &App) -> String {
    let lines = screen(app);
    lines
        .iter()
        .rev()
        .find(|l| (l.contains(": ") && l.contains("showing")) || l.contains(" ✗ "))
        .cloned()
        .unwrap_or_else(|| panic!("no failing source in\n{}", lines.join("\n")))
}

/// Does `status` name `platform` with `expect` next to it (long, short or summary form)?
fn names_fault(status: &str, platform: Platform, expect: &str) -> bool {
    [
        format!("{}: {expect}", platform.name()),
        format!("{} ✗ {expect}", platform.name()),
        format!("{} ✗ {expect}", platform.tag()),
    ]
    .iter()
    .any(|form| status.contains(form))
}

/// One row of the results table.
struct Row {
    subject: String,
    status: String,
    next_in: [Duration; 2],
}

/// good → `kind` for two polls → good, on `subject`.
async fn case(kind: &Kind, subject: Subject) -> Option<Row> {
    let expect = expected(kind, subject)?;
    let platform = subject.platform();
    let label = format!("{} on {}", kind.name, subject.label());
    let server = server().await;
    let (target, route) = match subject {
        Subject::Endpoint(e) => {
            for r in poll_routes(platform).iter().filter(|r| **r != route_of(e)) {
                server.set_fault(*r, resou::replay::Fault::EmptyList);
            }
            (script_target(e), Some(route_of(e)))
        }
        Subject::Origin(_) => ("*", None),
    };
    let script = FaultScript::parse(&format!(
        "{target} good until cleared\n{target} {} until cleared\n{target} good\n",
        kind.script
    ))
    .expect("script");
    server.play(script);
    let mut p = Pollers::start(&server, platform, kind.timeout);
    let mut app = app();
    let mut crowded = crowded_app(&server, platform);

    // 1. Good.
    let served = server.current(platform).expect("served list");
    let first = p.next().await;
    let PollOutcome::Ok { endpoint, .. } = &first.outcome else {
        panic!("{label}: first poll {:?}", first.outcome)
    };
    if let Subject::Endpoint(e) = subject {
        assert_eq!(*endpoint, e, "{label}: the subject serves the good list");
    }
    crowded.handle(AppMsg::Source(SourceEvent::Poll(first.clone())));
    app.handle(AppMsg::Source(SourceEvent::Poll(first)));
    assert_board_holds(&app, &served, &format!("{label}: before the fault"));
    let mut kept = titles(&app);
    let mut data_at = app.state.lists.health[&platform].data_at;

    // 2. The fault, for two consecutive failed polls.
    server.next_step();
    let mut failed: Vec<(PollReport, String)> = Vec::new();
    for _ in 0..6 {
        let streamed_before = server.streamed_bytes();
        let hits_before = route.map_or(0, |r| server.hits(r));
        let r = p.next().await;
        match &r.outcome {
            // A poll already under way when the fault began.
            PollOutcome::Ok { .. } => {
                assert!(failed.is_empty(), "{label}: {:?}", r.outcome);
                app.handle(AppMsg::Source(SourceEvent::Poll(r)));
                kept = titles(&app);
                data_at = app.state.lists.health[&platform].data_at;
                continue;
            }
            PollOutcome::Failed { error } => {
                let text = error.to_string();
                assert!(
                    text.starts_with(&expect) || text.contains(&expect),
                    "{label}: {text:?} should name {expect:?}"
                );
                assert!(!text.contains("internal error"), "{label}: a task panicked");
                if kind.script.starts_with("flood")
                    && let Some(route) = route
                {
                    // BD2′ and BD2 share a route: two floods in one poll.
                    let requests = (server.hits(route) - hits_before).max(1);
                    let sent = (server.streamed_bytes() - streamed_before) / requests;
                    assert!(
                        sent < FIFTY_MIB / 2,
                        "{label}: the cap stops reading while streaming ({sent} bytes sent a request)"
                    );
                }
                app.handle(AppMsg::Source(SourceEvent::Poll(r.clone())));
                assert_eq!(titles(&app), kept, "{label}: last good list kept");
                let h = &app.state.lists.health[&platform];
                assert_eq!(h.data_at, data_at, "{label}");
                assert_eq!(h.error.as_deref(), Some(text.as_str()), "{label}");
                let status = status_line(&app, platform);
                assert!(
                    status.contains(&format!("{}: {expect}", platform.name())),
                    "{label}: status names the fault: {status:?}"
                );
                assert!(status.contains("showing"), "{label}: {status:?}");
                if failed.is_empty() {
                    crowded.handle(AppMsg::Source(SourceEvent::Poll(r.clone())));
                    let status = crowded_status_line(&crowded);
                    assert!(
                        names_fault(&status, platform, &expect),
                        "{label}: with every list polled the status bar still names the fault: {status:?}"
                    );
                }
                let failures = r.failures;
                failed.push((r, text));
                if failures >= 2 {
                    break;
                }
                if kind.slow
                    && let Some(route) = route
                {
                    responsive_while_in_flight(&server, route, &mut app, &mut p, &label).await;
                }
            }
        }
    }
    let [(f1, text), (f2, _)] = &failed[..] else {
        panic!("{label}: two failed polls, got {}", failed.len())
    };
    assert_eq!((f1.failures, f2.failures), (1, 2), "{label}");
    assert!(f1.next_in >= INTERVAL.mul_f64(0.9), "{label}");
    assert!(
        f2.next_in > f1.next_in,
        "{label}: back-off grows: {:?} then {:?}",
        f1.next_in,
        f2.next_in
    );

    // 3. Good again, with a newer list.
    server.advance();
    server.next_step();
    let served = server.current(platform).expect("served list");
    for _ in 0..4 {
        let r = p.next().await;
        if matches!(r.outcome, PollOutcome::Failed { .. }) {
            continue; // a faulted poll that was under way
        }
        assert_eq!(r.failures, 0, "{label}");
        app.handle(AppMsg::Source(SourceEvent::Poll(r)));
        assert_board_holds(&app, &served, &format!("{label}: after recovery"));
        let h = &app.state.lists.health[&platform];
        assert_eq!(
            h.data_at,
            Some(served.captured_at),
            "{label}: the newer list"
        );
        assert_ne!(h.data_at, data_at, "{label}: replaced the kept one");
        assert_eq!(h.error, None, "{label}");
        let status = status_line(&app, platform);
        assert!(
            status.contains(" via ") && !status.contains(&expect),
            "{label}: recovered status {status:?}"
        );
        return Some(Row {
            subject: subject.label(),
            status: text.clone(),
            next_in: [f1.next_in, f2.next_in],
        });
    }
    panic!("{label}: no recovery after the fault cleared")
}

/// While the faulted request is in flight at the server, a key is answered and the screen
/// changes before the poll's report exists: the loop never waits for a poll.
async fn responsive_while_in_flight(
    server: &ReplayServer,
    route: Route,
    app: &mut App,
    p: &mut Pollers,
    label: &str,
) {
    server.wait_hits(route, server.hits(route) + 1).await;
    let before = screen(app);
    let selected = app.state.selected_index();
    app.handle(AppMsg::Key(Key::parse("j").expect("key")));
    assert_ne!(app.state.selected_index(), selected, "{label}: key handled");
    assert_ne!(screen(app), before, "{label}: the frame changed");
    assert!(
        matches!(p.rx.try_recv(), Err(mpsc::error::TryRecvError::Empty)),
        "{label}: the faulted poll was still under way"
    );
}

async fn run(kind: Kind) {
    let subjects: Vec<Subject> = if kind.origin_wide {
        ORIGINS.into_iter().map(Subject::Origin).collect()
    } else {
        endpoints().into_iter().map(Subject::Endpoint).collect()
    };
    let rows = join_all(subjects.iter().map(|s| case(&kind, *s))).await;
    for (row, s) in rows.iter().zip(&subjects) {
        match row {
            Some(r) => println!(
                "| {} | {} | `{}` | {} ms → {} ms |",
                kind.name,
                r.subject,
                r.status,
                r.next_in[0].as_millis(),
                r.next_in[1].as_millis()
            ),
            None => println!("| {} | {} | n/a |", kind.name, s.label()),
        }
    }
}

macro_rules! matrix {
    ($($test:ident: $kind:expr;)*) => {$(
        #[tokio::test]
        async fn $test() {
            run($kind).await
        }
    )*};
}

matrix! {
    http_403: kind("HTTP 403", "status 403");
    http_418: kind("HTTP 418", "status 418");
    http_432: kind("HTTP 432", "status 432");
    http_500: kind("HTTP 500", "status 500");
    http_502: kind("HTTP 502", "status 502");
    connection_refused: Kind { origin_wide: true, ..kind("connection refused", "refused") };
    connect_timeout: Kind { origin_wide: true, ..kind("connect timeout", "connect-timeout") };
    read_timeout: Kind { slow: true, ..kind("read timeout (5 s delay)", "delay 5s") };
    drip: Kind { slow: true, ..kind("body drips 1 byte/s", "drip 1s") };
    truncated_json: kind("truncated body", "truncated");
    invalid_utf8: kind("invalid UTF-8", "invalid-utf8");
    wrong_shape: kind("valid JSON, wrong shape", "wrong-shape");
    ok_minus_100: kind("`ok: -100` envelope", "envelope -100");
    captcha_json: kind("captcha JSON with `url`", "captcha");
    login_wall_200: kind("HTML login wall with 200", "login-wall");
    huge_with_length: Kind { timeout: HEAVY_TIMEOUT, ..kind("50 MiB body (Content-Length)", "huge 50MiB") };
    huge_streamed: Kind { timeout: HEAVY_TIMEOUT, ..kind("50 MiB body (chunked, no length)", "flood 50MiB") };
    redirect_loop: kind("redirect loop", "redirect-loop");
}

/// A script with request counts plays good → fault → good by itself.
#[tokio::test]
async fn script_counts_requests() {
    let server = server().await;
    server.play(
        FaultScript::parse(
            "tieba-topic-list good x1\n\
             tieba-topic-list status 502 x1\n\
             tieba-topic-list good\n",
        )
        .expect("script"),
    );
    let mut p = Pollers::start(&server, Platform::Tieba, TIMEOUT);
    assert_eq!(server.script_step(), Some(0));
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let r = p.next().await;
        outcomes.push(match r.outcome {
            PollOutcome::Ok { .. } => "ok".to_string(),
            PollOutcome::Failed { error } => error.to_string(),
        });
    }
    assert_eq!(outcomes, ["ok", "HTTP 502", "ok"]);
    assert_eq!(server.script_step(), Some(2), "the open-ended last step");
    assert_eq!(server.hits(Route::TiebaTopicList), 3);
}

/// A `for DUR` step ends by itself, even when no request can reach the server to count.
#[tokio::test]
async fn timed_step_ends_by_itself() {
    let server = server().await;
    server.play(FaultScript::parse("* refused for 600ms").expect("script"));
    let mut p = Pollers::start(&server, Platform::Tieba, TIMEOUT);
    let first = p.next().await;
    let PollOutcome::Failed { error } = &first.outcome else {
        panic!("{:?}", first.outcome)
    };
    assert!(
        error.to_string().starts_with("connection failed"),
        "{error}"
    );
    assert_eq!(server.hits(Route::TiebaTopicList), 0, "nothing got through");
    // Back-off is 250 ms, 500 ms, 1 s…: a few polls at most before the port opens again.
    for _ in 0..5 {
        if matches!(p.next().await.outcome, PollOutcome::Ok { .. }) {
            assert_eq!(server.script_step(), None, "the script ran out");
            return;
        }
    }
    panic!("the refused step never ended");
}

/// Every route a poller uses is faulted by some case, but the two `endpoints` explains, and
/// each case faults a route its platform's pollers use.
#[test]
fn every_poll_route_is_a_subject() {
    let faulted: Vec<Route> = endpoints().into_iter().map(route_of).collect();
    for p in Platform::ALL {
        for r in poll_routes(p) {
            assert!(
                faulted.contains(r) || matches!(r, Route::DouyinLogin | Route::BiliNav),
                "{p:?}: no case faults {r:?}"
            );
        }
    }
    for e in endpoints() {
        assert!(poll_routes(e.platform()).contains(&route_of(e)), "{e:?}");
    }
}
