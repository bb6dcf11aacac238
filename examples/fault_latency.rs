//! Key-to-frame latency while each fault of the matrix plays (README, Reliability).
//!
//! `cargo run --release --example fault_latency [SECONDS_PER_FAULT]`
//!
//! In one process: the loopback replay server plays a fault on every poll endpoint of both
//! platforms, the real pollers poll it every 250 ms (with back-off), and a loop shaped like
//! `app::run` (select over poll reports and keys, handle, draw) feeds a headless `App` drawn
//! on a `TestBackend`. A key is injected every 20 ms; its latency is from injection to the end
//! of the frame that shows it. Terminal I/O is not included.

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use resou::app::App;
use resou::app::msg::AppMsg;
use resou::config::keymap::{Key, Keymap};
use resou::domain::Platform;
use resou::domain::snapshot_file::read_lines;
use resou::replay::{ClockMode, FaultScript, ReplayConfig, ReplayServer};
use resou::sources::http::NetConfig;
use resou::sources::{SourceEvent, SourcesConfig, poller};
use tokio::sync::mpsc;

const FAULTS: [(&str, &str); 19] = [
    ("none (baseline)", "good"),
    ("HTTP 403", "status 403"),
    ("HTTP 418", "status 418"),
    ("HTTP 432", "status 432"),
    ("HTTP 500", "status 500"),
    ("HTTP 502", "status 502"),
    ("connection refused", "refused"),
    ("connect timeout", "connect-timeout"),
    ("read timeout", "delay 5s"),
    ("drip 1 byte/s", "drip 1s"),
    ("truncated", "truncated"),
    ("invalid UTF-8", "invalid-utf8"),
    ("wrong shape", "wrong-shape"),
    ("ok: -100", "envelope -100"),
    ("captcha JSON", "captcha"),
    ("login wall 200", "login-wall"),
    ("50 MiB (length)", "huge 50MiB"),
    ("50 MiB (chunked)", "flood 50MiB"),
    ("redirect loop", "redirect-loop"),
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let lines = read_lines(
        include_str!("../tests/fixtures/app/lists.jsonl").as_bytes(),
        "lists.jsonl",
    )?;
    let (weibo, tieba): (Vec<_>, Vec<_>) = lines
        .into_iter()
        .partition(|l| l.platform == Platform::Weibo);
    println!("| fault | keys | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    for (name, fault) in FAULTS {
        let server = ReplayServer::start(ReplayConfig {
            lists: [weibo.clone(), tieba.clone()].concat(),
            step: Duration::from_secs(3600),
            clock: ClockMode::Manual,
        })
        .await?;
        let mut lat = measure(&server, fault, Duration::from_secs(secs)).await?;
        lat.sort();
        let q = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize];
        println!(
            "| {name} | {} | {:.2} ms | {:.2} ms | {:.2} ms |",
            lat.len(),
            ms(q(0.5)),
            ms(q(0.99)),
            ms(q(1.0))
        );
        server.shutdown().await;
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Good first polls, then `fault` on every poll endpoint while keys are timed for `span`.
async fn measure(
    server: &ReplayServer,
    fault: &str,
    span: Duration,
) -> anyhow::Result<Vec<Duration>> {
    // Every route, the passport visitor flow included.
    let script = format!("* good until cleared\n* {fault}\n");
    server.play(FaultScript::parse(&script)?);
    let cfg = SourcesConfig {
        intervals: Default::default(),
        platforms: Platform::ALL.to_vec(),
        interval: Duration::from_millis(250),
        max_backoff: Duration::from_secs(2),
        net: NetConfig {
            origin: Some(server.origin()),
            timeout: Duration::from_millis(1500),
            connect_timeout: Duration::from_millis(500),
            ..NetConfig::default()
        },
    };
    let (tx, mut sources) = mpsc::channel(16);
    let handle = poller::spawn(cfg, tx)?;
    let mut app = App::new(Keymap::default_map());
    app.handle(AppMsg::Resize {
        page_rows: 30,
        keyword_rows: 10,
        size: (160, 40),
    });
    let mut term = Terminal::new(TestBackend::new(160, 40))?;
    // Both first polls good, then the fault.
    let mut good = 0;
    while good < 2 {
        if let Some(SourceEvent::Poll(r)) = sources.recv().await {
            good += usize::from(matches!(r.outcome, resou::sources::PollOutcome::Ok { .. }));
            app.handle(AppMsg::Source(SourceEvent::Poll(r)));
        }
    }
    server.next_step();

    let (keys_tx, mut keys) = mpsc::unbounded_channel::<(Key, Instant)>();
    let injector = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(20));
        let mut down = true;
        loop {
            every.tick().await;
            let k = Key::parse(if down { "j" } else { "k" }).expect("key name");
            down = !down;
            if keys_tx.send((k, Instant::now())).is_err() {
                return;
            }
        }
    });
    let end = Instant::now() + span;
    let mut lat = Vec::new();
    while Instant::now() < end {
        let mut sent = None;
        tokio::select! {
            Some((k, at)) = keys.recv() => { app.handle(AppMsg::Key(k)); sent = Some(at); }
            Some(ev) = sources.recv() => { app.handle(AppMsg::Source(ev)); }
        }
        term.draw(|f| resou::ui::render(f, &app.state))?;
        if let Some(at) = sent {
            lat.push(at.elapsed());
        }
    }
    injector.abort();
    handle.shutdown().await;
    server.clear_faults();
    Ok(lat)
}
