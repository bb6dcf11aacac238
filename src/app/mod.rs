//! App loop: the single owner of AppState. Receives messages (keys, source events,
//! ticks, signals), applies `update`, has [`Services`] run the effects (feeding their answers
//! back to `update`), and draws once per drained batch — only when something visible changed.

pub mod brand;
pub mod deliveries;
pub mod drill;
pub mod filters;
pub mod history;
pub mod keys;
pub mod layer;
pub mod msg;
pub mod services;
pub mod state;
pub mod triage_actions;
pub mod update;

use std::io;
use std::time::Duration;

use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use ratatui::layout::Rect;

use crate::config::keymap::Keymap;
use crate::domain::now_cst;
pub use msg::{AppMsg, Effect};
pub use services::{Inbox, Plan, Services};
use state::AppState;

/// State plus the resolved keymap: what `update` needs.
pub struct App {
    pub state: AppState,
    pub keymap: Keymap,
    /// Colours for the terminal (theme and colour depth chosen at start).
    pub theme: crate::ui::Theme,
}

impl App {
    pub fn new(keymap: Keymap) -> App {
        let mut state = AppState::default();
        state.popups.help = keymap
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
            theme: crate::ui::Theme::default(),
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

/// Run until quit; `services` carries out what `update` asks for.
pub async fn run(
    terminal: &mut crate::tui::Term,
    app: &mut App,
    services: &mut Services,
    inbox: Inbox,
) -> io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let Inbox {
        mut sources,
        mut analysis,
        mut history,
        mut watch,
        mut brand,
    } = inbox;
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    let mut sigint = signal(SignalKind::interrupt())?;
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    let size = terminal.size()?;
    app.handle(resize(size.width, size.height));
    // The first tick's effects run too (the first read of the team alert deliveries).
    dispatch(app, services, AppMsg::Tick(now_cst()));
    let mut dirty = true;
    let mut sources_open = true;
    let mut analysis_open = true;
    let mut history_open = true;
    let mut watch_open = true;
    let mut brand_open = true;

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
            ev = watch.recv(), if watch_open => match ev {
                Some(ev) => AppMsg::Watch(ev),
                None => { watch_open = false; continue }
            },
            ev = brand.recv(), if brand_open => match ev {
                Some(s) => AppMsg::Brand(s),
                None => { brand_open = false; continue }
            },
            _ = tick.tick() => AppMsg::Tick(now_cst()),
            _ = sigterm.recv() => AppMsg::Quit,
            _ = sighup.recv() => AppMsg::Quit,
            _ = sigint.recv() => AppMsg::Quit,
        };
        dirty |= dispatch(app, services, msg);
        // Drain whatever else is queued, then draw once.
        while let Ok(ev) = sources.try_recv() {
            dirty |= dispatch(app, services, AppMsg::Source(ev));
        }
        while let Ok(ev) = analysis.try_recv() {
            dirty |= dispatch(app, services, AppMsg::Analysis(ev));
        }
        while let Ok(ev) = history.try_recv() {
            dirty |= dispatch(app, services, AppMsg::History(ev));
        }
        while let Ok(ev) = watch.try_recv() {
            dirty |= dispatch(app, services, AppMsg::Watch(ev));
        }
        // Only the newest summaries matter.
        let mut newest = None;
        while let Ok(s) = brand.try_recv() {
            newest = Some(s);
        }
        if let Some(s) = newest {
            dirty |= dispatch(app, services, AppMsg::Brand(s));
        }
    }
}

/// `update`, then each effect in order; an effect's answer goes through `update` before the
/// next effect runs.
fn dispatch(app: &mut App, services: &mut Services, msg: AppMsg) -> bool {
    let (fx, mut dirty) = app.handle(msg);
    for e in fx {
        if let Some(answer) = services.run(e) {
            dirty |= dispatch(app, services, answer);
        }
    }
    dirty
}
