//! App loop: the single owner of AppState. Receives messages (keys, source events,
//! ticks, signals), applies `update`, runs the effects, and draws once per drained
//! batch — only when something visible changed.

pub mod action;
pub mod drill;
pub mod filters;
pub mod history;
pub mod keys;
pub mod msg;
pub mod state;
pub mod triage_actions;
pub mod update;

use std::io;
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use ratatui::layout::Rect;
use tokio::sync::mpsc;

use crate::analysis::AnalysisEvent;
use crate::config::keymap::Keymap;
use crate::domain::now_cst;
use crate::sources::SourceEvent;
pub use msg::{AppMsg, Effect};
use state::AppState;

/// State plus the resolved keymap: what `update` needs.
pub struct App {
    pub state: AppState,
    pub keymap: Keymap,
    /// Where `o` / `y` send links.
    pub desktop: crate::desktop::Desktop,
    /// How alerts reach the user beyond the status bar (bell, desktop notification, hook).
    pub notifier: Option<crate::alerts::Notifier>,
    /// Colours for the terminal (theme and colour depth chosen at start).
    pub theme: crate::ui::Theme,
    /// Where `e` writes exports, and in which format.
    pub export_dir: Option<std::path::PathBuf>,
    pub export_format: crate::export::Format,
}

impl App {
    pub fn new(keymap: Keymap) -> App {
        let mut state = AppState::default();
        state.help = keymap
            .help_rows()
            .into_iter()
            .map(|(mode, keys, desc)| state::HelpEntry {
                mode: mode.name().to_string(),
                keys,
                desc,
            })
            .collect();
        App {
            state,
            keymap,
            desktop: crate::desktop::Desktop::default(),
            notifier: None,
            theme: crate::ui::Theme::default(),
            export_dir: None,
            export_format: crate::export::Format::Markdown,
        }
    }

    pub fn handle(&mut self, msg: AppMsg) -> (Vec<Effect>, bool) {
        update::update(&mut self.state, &self.keymap, msg)
    }
}

fn resize(w: u16, h: u16) -> AppMsg {
    let area = Rect::new(0, 0, w, h);
    AppMsg::Resize {
        page_rows: crate::ui::board_page_rows(area),
        keyword_rows: crate::ui::keyword_page_rows(area),
        size: (w, h),
    }
}

/// Run until quit. `effects` performs what `update` asks for (pollers, analysis worker,
/// fetchers); it must not block.
pub async fn run(
    terminal: &mut crate::tui::Term,
    app: &mut App,
    mut sources: mpsc::Receiver<SourceEvent>,
    mut analysis: mpsc::Receiver<AnalysisEvent>,
    mut history: mpsc::Receiver<crate::history::HistoryEvent>,
    effects: impl Fn(Effect),
) -> io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    let size = terminal.size()?;
    app.handle(resize(size.width, size.height));
    app.handle(AppMsg::Tick(now_cst()));
    let mut dirty = true;
    let mut sources_open = true;
    let mut analysis_open = true;
    let mut history_open = true;

    loop {
        if dirty {
            crate::tui::draw(terminal, &app.state, &app.theme)?;
            dirty = false;
        }
        if app.state.quit {
            return Ok(());
        }
        let msg = tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(Event::Key(k))) => match keys::from_crossterm(k) {
                    Some(key) => AppMsg::Key(key),
                    None => continue,
                },
                Some(Ok(Event::Resize(w, h))) => resize(w, h),
                Some(Ok(Event::Mouse(m))) => match keys::from_mouse(m) {
                    Some(m) => AppMsg::Mouse(m),
                    None => continue,
                },
                Some(Ok(_)) => continue,
                // Input closed or broken (terminal gone): leave cleanly.
                Some(Err(e)) => { tracing::warn!("input error: {e}"); AppMsg::Quit }
                None => AppMsg::Quit,
            },
            ev = sources.recv(), if sources_open => match ev {
                Some(ev) => {
                    crate::crash::debug_panic_point("ui");
                    AppMsg::Source(ev)
                }
                None => { sources_open = false; continue }
            },
            ev = analysis.recv(), if analysis_open => match ev {
                Some(ev) => AppMsg::Analysis(ev),
                None => { analysis_open = false; continue }
            },
            ev = history.recv(), if history_open => match ev {
                Some(ev) => AppMsg::History(ev),
                None => { history_open = false; continue }
            },
            _ = tick.tick() => AppMsg::Tick(now_cst()),
            _ = sigterm.recv() => AppMsg::Quit,
            _ = sighup.recv() => AppMsg::Quit,
            _ = sigint.recv() => AppMsg::Quit,
        };
        dirty |= dispatch(app, msg, &effects);
        // Drain whatever else is queued, then draw once.
        while let Ok(ev) = sources.try_recv() {
            dirty |= dispatch(app, AppMsg::Source(ev), &effects);
        }
        while let Ok(ev) = analysis.try_recv() {
            dirty |= dispatch(app, AppMsg::Analysis(ev), &effects);
        }
        while let Ok(ev) = history.try_recv() {
            dirty |= dispatch(app, AppMsg::History(ev), &effects);
        }
    }
}

fn dispatch(app: &mut App, msg: AppMsg, effects: &impl Fn(Effect)) -> bool {
    let (fx, mut dirty) = app.handle(msg);
    for e in fx {
        // Links leave from this thread, between frames (an OSC 52 write cannot split a draw).
        let outcome = match e {
            Effect::Copy(text) => crate::desktop::copy(&text, &app.desktop, &mut io::stdout()),
            Effect::OpenUrl(url) => crate::desktop::open(&url, &app.desktop),
            Effect::Export(rows) => export_file(app, &rows),
            Effect::Alert(alert) => {
                if let Some(n) = &app.notifier {
                    let report = crate::alerts::deliver(&alert, n, &mut io::stdout());
                    for e in report.errors {
                        tracing::warn!("alert delivery: {e}");
                    }
                }
                continue;
            }
            other => {
                effects(other);
                continue;
            }
        };
        let (_, d) = app.handle(AppMsg::Desktop {
            notice: outcome.notice,
            show: outcome.show,
        });
        dirty |= d;
    }
    dirty
}

/// Write an export under the export dir as `resou-YYYYMMDD-HHMMSS.<ext>` and say where.
fn export_file(app: &App, rows: &[crate::export::ExportRow]) -> crate::desktop::Outcome {
    let fmt = app.export_format;
    let notice = |notice: String| crate::desktop::Outcome { notice, show: None };
    let Some(dir) = &app.export_dir else {
        return notice("export: no data directory to write to".into());
    };
    let name = format!(
        "resou-{}.{}",
        now_cst().format("%Y%m%d-%H%M%S"),
        fmt.extension()
    );
    let path = dir.join(name);
    let text = crate::export::export(rows, fmt);
    let written = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, text));
    match written {
        Ok(()) => notice(format!(
            "exported {} topic{} to {}",
            rows.len(),
            if rows.len() == 1 { "" } else { "s" },
            path.display()
        )),
        Err(e) => {
            tracing::warn!("export to {} failed: {e}", path.display());
            notice(format!("export failed: {}: {e}", path.display()))
        }
    }
}
