//! Keys as the app names them (no crossterm types): a key, its canonical form, its name in
//! keymap files, and sequences (`g g`).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCode {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Insert,
    Delete,
    F(u8),
}

/// A key press. Shift on letters is folded into the character (`G`), so `shift-` only
/// appears on non-character keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
            shift: false,
        }
    }

    pub fn char(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub fn ctrl(c: char) -> Key {
        Key {
            ctrl: true,
            ..Key::char(c)
        }
    }

    /// Parse one key name (`ctrl-r`, `G`, `pagedown`, `ctrl-[`, `-`).
    pub fn parse(s: &str) -> Result<Key, String> {
        if s.is_empty() {
            return Err("empty key name".into());
        }
        let mut key = Key::plain(KeyCode::Esc);
        let mut rest = s;
        // Modifier prefixes; a lone "-" or a name ending in "-" is the minus key.
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.len() > 5 && lower.starts_with("ctrl-") {
                key.ctrl = true;
                rest = &rest[5..];
            } else if lower.len() > 4 && lower.starts_with("alt-") {
                key.alt = true;
                rest = &rest[4..];
            } else if lower.len() > 6 && lower.starts_with("shift-") {
                key.shift = true;
                rest = &rest[6..];
            } else {
                break;
            }
        }
        if let Some(m) = ["super-", "cmd-", "meta-", "hyper-", "win-"]
            .into_iter()
            .find(|m| rest.to_ascii_lowercase().starts_with(m))
        {
            return Err(format!(
                "`{s}`: `{m}` keys never reach a terminal app (use ctrl- or alt-)"
            ));
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "backspace" | "bs" => KeyCode::Backspace,
                "space" => KeyCode::Char(' '),
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "insert" | "ins" => KeyCode::Insert,
                "delete" | "del" => KeyCode::Delete,
                f if f.starts_with('f') && f.len() <= 3 => match f[1..].parse::<u8>() {
                    Ok(n @ 1..=12) => KeyCode::F(n),
                    _ => return Err(format!("unknown key name `{s}`")),
                },
                _ => return Err(format!("unknown key name `{s}`")),
            },
        };
        key.code = code;
        Ok(key.normalized())
    }

    /// Canonical form: `ctrl-[` is esc (same byte), `shift-tab` is backtab, `shift-a` is `A`.
    pub fn normalized(mut self) -> Key {
        match self.code {
            KeyCode::Char('[') if self.ctrl => {
                self.code = KeyCode::Esc;
                self.ctrl = false;
            }
            KeyCode::Tab if self.shift => {
                self.code = KeyCode::BackTab;
                self.shift = false;
            }
            KeyCode::BackTab => self.shift = false,
            KeyCode::Char(c) if self.shift && c.is_ascii_alphabetic() => {
                self.code = KeyCode::Char(c.to_ascii_uppercase());
                self.shift = false;
            }
            KeyCode::Char(c) if self.ctrl && c.is_ascii_uppercase() => {
                self.code = KeyCode::Char(c.to_ascii_lowercase());
            }
            KeyCode::Char(_) => self.shift = false,
            _ => {}
        }
        self
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        if self.shift {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("backtab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::PageUp => f.write_str("pageup"),
            KeyCode::PageDown => f.write_str("pagedown"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::F(n) => write!(f, "f{n}"),
        }
    }
}

pub type KeySeq = Vec<Key>;

/// Parse `"g g"` into a sequence.
pub fn parse_seq(s: &str) -> Result<KeySeq, String> {
    let seq: Result<KeySeq, String> = s.split_whitespace().map(Key::parse).collect();
    match seq {
        Ok(v) if v.is_empty() => Err("empty key sequence".into()),
        other => other,
    }
}

/// A sequence as written in keymap files (`g g`).
pub fn seq_string(seq: &[Key]) -> String {
    seq.iter().map(Key::to_string).collect::<Vec<_>>().join(" ")
}
