//! crossterm key events → the app's own `Key` (config and actions never see crossterm types).

use crossterm::event::{KeyCode as CtCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::input::{Key, KeyCode};

/// `None` for releases (Windows reports them) and keys the keymap can't name.
pub fn from_crossterm(ev: KeyEvent) -> Option<Key> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let code = match ev.code {
        CtCode::Char(c) => KeyCode::Char(c),
        CtCode::Enter => KeyCode::Enter,
        CtCode::Esc => KeyCode::Esc,
        CtCode::Tab => KeyCode::Tab,
        CtCode::BackTab => KeyCode::BackTab,
        CtCode::Backspace => KeyCode::Backspace,
        CtCode::Up => KeyCode::Up,
        CtCode::Down => KeyCode::Down,
        CtCode::Left => KeyCode::Left,
        CtCode::Right => KeyCode::Right,
        CtCode::PageUp => KeyCode::PageUp,
        CtCode::PageDown => KeyCode::PageDown,
        CtCode::Home => KeyCode::Home,
        CtCode::End => KeyCode::End,
        CtCode::Insert => KeyCode::Insert,
        CtCode::Delete => KeyCode::Delete,
        CtCode::F(n) => KeyCode::F(n),
        _ => return None,
    };
    let m = ev.modifiers;
    let key = Key {
        code,
        ctrl: m.contains(KeyModifiers::CONTROL),
        alt: m.contains(KeyModifiers::ALT),
        shift: m.contains(KeyModifiers::SHIFT),
    };
    Some(key.normalized())
}

/// Wheel and left-click; everything else (moves, drags, other buttons) is ignored.
pub fn from_mouse(m: crossterm::event::MouseEvent) -> Option<super::msg::MouseInput> {
    use super::msg::MouseInput;
    use crossterm::event::{MouseButton, MouseEventKind};
    match m.kind {
        MouseEventKind::ScrollUp => Some(MouseInput::ScrollUp),
        MouseEventKind::ScrollDown => Some(MouseInput::ScrollDown),
        MouseEventKind::Down(MouseButton::Left) => Some(MouseInput::Click {
            column: m.column,
            row: m.row,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts() {
        let k = |code, m| from_crossterm(KeyEvent::new(code, m));
        assert_eq!(
            k(CtCode::Char('G'), KeyModifiers::SHIFT),
            Some(Key::char('G'))
        );
        assert_eq!(
            k(CtCode::Char('r'), KeyModifiers::CONTROL),
            Some(Key::ctrl('r'))
        );
        assert_eq!(
            k(CtCode::Esc, KeyModifiers::NONE),
            Some(Key::plain(KeyCode::Esc))
        );
        assert_eq!(
            k(CtCode::BackTab, KeyModifiers::SHIFT),
            Some(Key::plain(KeyCode::BackTab))
        );
        let mut rel = KeyEvent::new(CtCode::Char('q'), KeyModifiers::NONE);
        rel.kind = KeyEventKind::Release;
        assert_eq!(from_crossterm(rel), None);
    }
}
