//! The only code that touches the real terminal: raw mode and alternate screen on
//! entry, restore on every exit path (guard drop, chained panic hook, signals), and
//! synchronized-output framing around each draw.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::terminal::{
    self, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen,
};
use crossterm::{cursor, event, execute, queue};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::app::state::AppState;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Restores the terminal when dropped, whatever the exit path.
pub struct TerminalGuard {
    pub terminal: Term,
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Enter raw mode and the alternate screen, with a panic hook that restores first.
/// `mouse` turns on mouse capture (off by default: it takes the terminal's own text selection).
pub fn init(mouse: bool) -> io::Result<TerminalGuard> {
    crate::crash::install_hook();
    crate::crash::set_terminal_restore(restore);
    terminal::enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = io::stdout();
    if let Err(e) = execute!(
        out,
        EnterAlternateScreen,
        cursor::Hide,
        event::DisableMouseCapture
    ) {
        restore();
        return Err(e);
    }
    if mouse && let Err(e) = execute!(out, event::EnableMouseCapture) {
        restore();
        return Err(e);
    }
    let terminal = match Terminal::new(CrosstermBackend::new(io::stdout())) {
        Ok(t) => t,
        Err(e) => {
            restore();
            return Err(e);
        }
    };
    Ok(TerminalGuard { terminal })
}

/// Leave the alternate screen and raw mode. Idempotent: only the first call writes.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        let _ = execute!(
            out,
            EndSynchronizedUpdate,
            event::DisableMouseCapture,
            LeaveAlternateScreen,
            cursor::Show
        );
        let _ = terminal::disable_raw_mode();
        let _ = out.flush();
    }
}

/// Draw one frame inside a synchronized update so terminals show it atomically.
pub fn draw(terminal: &mut Term, state: &AppState, theme: &crate::ui::Theme) -> io::Result<()> {
    queue!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    let res = terminal
        .draw(|f| crate::ui::render_with(f, state, theme))
        .map(|_| ());
    queue!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    terminal.backend_mut().flush()?;
    res
}
