//! Team mode end to end on a real PostgreSQL server: the built `resou collect` polls the
//! loopback replay server into the database; two viewers (the app's history service with the
//! LISTEN feed, driving headless apps) show the same live board, and both follow the
//! collector to the next list through NOTIFY alone (their safety timer is an hour).

use crate::pg;
use crate::support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use resou::app::App;
use resou::app::msg::AppMsg;
use resou::config::keymap::Keymap;
use resou::domain::Platform;
use resou::domain::snapshot_file::read_lines;
use resou::history::{HistoryEvent, HistoryHandle, HistoryOptions};
use resou::store::StoreSpec;
use tokio::sync::mpsc;

struct Viewer {
    app: App,
    _handle: HistoryHandle,
    rx: mpsc::Receiver<HistoryEvent>,
}

impl Viewer {
    fn start(url: &str) -> Viewer {
        let (tx, rx) = mpsc::channel(64);
        let spec = url.to_string();
        let mut follow = resou::history::follow(url);
        // Only NOTIFY can bring a new list within the test's bounds.
        follow.every = Duration::from_secs(3600);
        let opts = HistoryOptions {
            platforms: vec![Platform::Weibo, Platform::Tieba],
            keep_days: 0,
            skip_duplicates: false,
            announce: true,
            follow: Some(follow),
            team_user: None,
        };
        let open: resou::history::Opener =
            Box::new(move || resou::store::open(&StoreSpec::parse(&spec)));
        let handle = resou::history::spawn(open, opts, tx).expect("history service");
        let mut app = App::new(Keymap::default_map());
        app.state.history.viewer = true;
        app.handle(AppMsg::Resize {
            page_rows: 30,
            keyword_rows: 10,
            size: (120, 40),
        });
        Viewer {
            app,
            _handle: handle,
            rx,
        }
    }

    fn weibo_titles(&self) -> Vec<String> {
        self.app
            .state
            .lists
            .boards
            .get(&Platform::Weibo)
            .and_then(|b| b.current.as_ref())
            .map(|s| s.ranked.iter().map(|t| t.title.to_string()).collect())
            .unwrap_or_default()
    }

    /// Apply history events until the Weibo board shows `want` (bounded: a hang fails).
    fn until_board(&mut self, rt: &tokio::runtime::Runtime, want: &[String]) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.weibo_titles() != want {
            let left = deadline.saturating_duration_since(Instant::now());
            let rx = &mut self.rx;
            let ev = rt
                .block_on(async { tokio::time::timeout(left, rx.recv()).await })
                .unwrap_or_else(|_| {
                    panic!(
                        "viewer never showed the board; it has {:?}",
                        self.weibo_titles()
                    )
                })
                .expect("history channel open");
            self.app.handle(AppMsg::History(ev));
        }
    }
}

#[test]
fn one_collector_two_viewers_show_the_same_live_board() {
    let Some(db) = pg::db_or_skip("one_collector_two_viewers_show_the_same_live_board") else {
        return;
    };
    let lines = read_lines(
        include_str!("../fixtures/store/weibo_hours.jsonl").as_bytes(),
        "weibo_hours.jsonl",
    )
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(support::replay(lines.clone(), Vec::new()));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[history]\nkeep_days = 0\n").unwrap();
    // The viewers open once the collector's first poll is committed, so they show it from the
    // store. Opening while it commits is a race the test would lose under load: a viewer's feed
    // can start listening just after that notification, and nothing announces the list again.
    let mut first_poll = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    first_poll.batch_execute("LISTEN resou_poll").unwrap();
    let mut collector = Command::new(env!("CARGO_BIN_EXE_resou"))
        .env("XDG_DATA_HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .args([
            "collect",
            "--platform",
            "weibo",
            "--interval",
            "5",
            "--origin",
            &server.origin(),
            "--store",
            &db.url,
            "--config",
        ])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn collector");
    {
        use postgres::fallible_iterator::FallibleIterator;
        let committed = first_poll
            .notifications()
            .timeout_iter(Duration::from_secs(60))
            .next()
            .expect("notifications");
        assert!(
            committed.is_some(),
            "the collector committed no poll in 60 s"
        );
    }
    drop(first_poll);

    let titles = |i: usize| -> Vec<String> {
        lines[i]
            .to_snapshot()
            .ranked
            .iter()
            .map(|t| t.title.to_string())
            .collect()
    };
    let mut a = Viewer::start(&db.url);
    let mut b = Viewer::start(&db.url);
    a.until_board(&rt, &titles(0));
    b.until_board(&rt, &titles(0));

    // The platform moves on; the collector's next poll reaches both viewers by NOTIFY.
    server.advance();
    a.until_board(&rt, &titles(1));
    b.until_board(&rt, &titles(1));
    for v in [&a, &b] {
        let h = &v.app.state.lists.health[&Platform::Weibo];
        assert_eq!(h.endpoint, Some("team store"));
        assert_eq!(
            h.data_at,
            Some(lines[1].captured_at),
            "both show the collector's latest list"
        );
    }
    assert_eq!(a.app.state.board.rows.len(), b.app.state.board.rows.len());

    support::sigterm(collector.id());
    let status = collector.wait().unwrap();
    assert!(status.success(), "{status:?}");

    // The collector grouped the lists into stories and stored their titles, each first seen
    // with the poll that first listed it, before it exited.
    let store = resou::store::PgStore::open(&db.url).unwrap();
    let far = resou::history::far_future();
    for (i, t) in lines[0].to_snapshot().ranked.iter().enumerate().take(5) {
        let story = resou::store::HistoryStore::story_of(&store, &t.key(), far).unwrap();
        let mine = story
            .iter()
            .find(|s| s.key == t.key())
            .unwrap_or_else(|| panic!("rank {} stored in a story: {story:?}", i + 1));
        assert_eq!(mine.first_seen, lines[0].captured_at, "{}", t.title);
    }
}
