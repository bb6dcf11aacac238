//! Keymaps: TOML files with one table per mode, `"key" = "action"` or
//! `{ action = "…", desc = "…" }`, sequences as space-separated keys (`"g g"`).
//! Parsed into the app's own `Key` type so nothing here depends on crossterm.
//! Errors name the file, line and problem.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::app::action::Action;

/// The complete default keymap, embedded at build time.
pub const DEFAULT_KEYMAP: &str = include_str!("../../keymaps/default.toml");
pub const DEFAULT_KEYMAP_NAME: &str = "keymaps/default.toml";

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
        Ok(key.normalised())
    }

    /// Canonical form: `ctrl-[` is esc (same byte), `shift-tab` is backtab, `shift-a` is `A`.
    pub fn normalised(mut self) -> Key {
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

/// Modes are the keymap's tables. `global` applies under every other mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Global,
    Board,
    Keywords,
    /// Drill-down views (posts, comments, threads, floors, replies).
    Thread,
    /// Text prompts (search, notes): printable keys are text, so only named keys bind here.
    Input,
    Help,
}

impl Mode {
    pub const ALL: [Mode; 6] = [
        Mode::Global,
        Mode::Board,
        Mode::Keywords,
        Mode::Thread,
        Mode::Input,
        Mode::Help,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::Board => "board",
            Mode::Keywords => "keywords",
            Mode::Thread => "thread",
            Mode::Input => "input",
            Mode::Help => "help",
        }
    }

    pub fn from_name(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub action: Action,
    pub desc: Option<String>,
}

/// A problem in a keymap file, with its location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

/// The resolved keymap: mode → sequence → binding.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    pub modes: BTreeMap<Mode, BTreeMap<KeySeq, Binding>>,
}

/// What a key press means given the keys already pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Action(Action),
    /// A prefix of a longer sequence: wait for more keys.
    Pending,
    /// Not bound: the pending buffer is dropped.
    Unbound,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawBinding {
    Name(String),
    Full {
        action: String,
        desc: Option<String>,
    },
}

fn line_of(src: &str, byte: usize) -> usize {
    src[..byte.min(src.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

impl Keymap {
    /// The embedded defaults. They are tested to parse, so failure here is a build defect.
    pub fn default_map() -> Keymap {
        let mut km = Keymap::default();
        if let Err(e) = km.apply_str(DEFAULT_KEYMAP, DEFAULT_KEYMAP_NAME) {
            // ok: only reachable if the embedded file is broken, which tests/keymap tests catch.
            tracing::error!("embedded keymap broken: {e}");
        }
        km
    }

    /// Layer a keymap file over this one (later layers win; `noop` unbinds).
    /// On error nothing from this file is applied.
    pub fn apply_str(&mut self, src: &str, file: &str) -> Result<(), KeymapError> {
        let err = |line: usize, problem: String| KeymapError {
            file: file.to_string(),
            line,
            problem,
        };
        let doc: toml::Spanned<BTreeMap<String, toml::Spanned<toml::Value>>> = toml::from_str(src)
            .map_err(|e| {
                let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(1);
                err(line, e.message().to_string())
            })?;
        let mut staged = self.clone();
        for (table, value) in doc.into_inner() {
            let tline = line_of(src, value.span().start);
            if table == "version" || table == "preset" {
                continue;
            }
            let mode = Mode::from_name(&table).ok_or_else(|| {
                err(
                    tline,
                    format!(
                        "unknown mode `[{table}]` (expected one of: {})",
                        Mode::ALL.map(Mode::name).join(", ")
                    ),
                )
            })?;
            let entries: BTreeMap<String, RawBinding> =
                toml::Value::try_into(value.into_inner())
                    .map_err(|e: toml::de::Error| err(tline, e.message().to_string()))?;
            // Spans inside a re-deserialised Value are lost; find each key's line in the source instead.
            for (keys, raw) in entries {
                let line = find_key_line(src, &table, &keys).unwrap_or(tline);
                let seq = parse_seq(&keys).map_err(|p| err(line, p))?;
                let (name, desc) = match raw {
                    RawBinding::Name(n) => (n, None),
                    RawBinding::Full { action, desc } => (action, desc),
                };
                let action = Action::from_name(&name).ok_or_else(|| {
                    err(line, format!("unknown action `{name}` for key `{keys}`"))
                })?;
                let map = staged.modes.entry(mode).or_default();
                if action == Action::Noop {
                    map.remove(&seq);
                } else {
                    map.insert(seq, Binding { action, desc });
                }
            }
        }
        staged.validate(file)?;
        *self = staged;
        Ok(())
    }

    /// A key bound alone and as the prefix of a sequence in the same mode can never reach the sequence.
    fn validate(&self, file: &str) -> Result<(), KeymapError> {
        for (mode, map) in &self.modes {
            for seq in map.keys() {
                for n in 1..seq.len() {
                    if map.contains_key(&seq[..n]) {
                        let prefix: Vec<String> = seq[..n].iter().map(Key::to_string).collect();
                        let full: Vec<String> = seq.iter().map(Key::to_string).collect();
                        return Err(KeymapError {
                            file: file.to_string(),
                            line: 1,
                            problem: format!(
                                "[{}] `{}` shadows the sequence `{}`",
                                mode.name(),
                                prefix.join(" "),
                                full.join(" ")
                            ),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Resolve `pending + key` in `modes` (most specific first, then global).
    pub fn resolve(&self, modes: &[Mode], pending: &[Key], key: Key) -> Resolved {
        let mut seq: KeySeq = pending.to_vec();
        seq.push(key.normalised());
        let mut prefix = false;
        for mode in modes.iter().copied().chain(std::iter::once(Mode::Global)) {
            let Some(map) = self.modes.get(&mode) else {
                continue;
            };
            if let Some(b) = map.get(&seq) {
                return Resolved::Action(b.action);
            }
            prefix |= map
                .keys()
                .any(|k| k.len() > seq.len() && k.starts_with(&seq));
        }
        if prefix {
            Resolved::Pending
        } else {
            Resolved::Unbound
        }
    }

    /// Help rows: (mode, keys, description), keys of one action joined.
    pub fn help_rows(&self) -> Vec<(Mode, String, String)> {
        let mut out = Vec::new();
        for (mode, map) in &self.modes {
            let mut by_action: Vec<(Action, Vec<String>, String)> = Vec::new();
            for (seq, b) in map {
                let keys = seq.iter().map(Key::to_string).collect::<Vec<_>>().join(" ");
                let desc = b
                    .desc
                    .clone()
                    .unwrap_or_else(|| b.action.describe().to_string());
                match by_action.iter_mut().find(|(a, _, _)| *a == b.action) {
                    Some((_, ks, d)) => {
                        ks.push(keys);
                        if b.desc.is_some() {
                            *d = desc;
                        }
                    }
                    None => by_action.push((b.action, vec![keys], desc)),
                }
            }
            by_action.sort_by_key(|(a, _, _)| Action::ALL.iter().position(|x| x == a));
            for (_, keys, desc) in by_action {
                out.push((*mode, keys.join(", "), desc));
            }
        }
        out
    }
}

/// Line of `"keys" =` inside `[table]`, for messages about values.
fn find_key_line(src: &str, table: &str, keys: &str) -> Option<usize> {
    let header = format!("[{table}]");
    let mut in_table = false;
    for (i, line) in src.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_table = t.starts_with(&header);
            continue;
        }
        if in_table {
            let quoted = format!("\"{keys}\"");
            let single = format!("'{keys}'");
            if t.starts_with(&quoted)
                || t.starts_with(&single)
                || t.split('=').next().map(str::trim) == Some(keys)
            {
                return Some(i + 1);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names() {
        assert_eq!(Key::parse("ctrl-[").unwrap(), Key::plain(KeyCode::Esc));
        assert_eq!(
            Key::parse("shift-tab").unwrap(),
            Key::plain(KeyCode::BackTab)
        );
        assert_eq!(Key::parse("G").unwrap(), Key::char('G'));
        assert_eq!(Key::parse("shift-g").unwrap(), Key::char('G'));
        assert_eq!(Key::parse("ctrl-R").unwrap(), Key::ctrl('r'));
        assert_eq!(Key::parse("-").unwrap(), Key::char('-'));
        assert_eq!(Key::parse("f5").unwrap(), Key::plain(KeyCode::F(5)));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("f13").is_err());
        for k in ["ctrl-r", "G", "pagedown", "space", "esc", "alt-x"] {
            assert_eq!(Key::parse(k).unwrap().to_string(), k);
        }
    }

    #[test]
    fn default_map_resolves() {
        let km = Keymap::default_map();
        let board = [Mode::Board];
        assert_eq!(
            km.resolve(&board, &[], Key::char('j')),
            Resolved::Action(Action::SelectNext)
        );
        assert_eq!(km.resolve(&board, &[], Key::char('g')), Resolved::Pending);
        assert_eq!(
            km.resolve(&board, &[Key::char('g')], Key::char('g')),
            Resolved::Action(Action::SelectFirst)
        );
        assert_eq!(
            km.resolve(&board, &[Key::char('g')], Key::char('x')),
            Resolved::Unbound
        );
        assert_eq!(
            km.resolve(&board, &[], Key::char('q')),
            Resolved::Action(Action::Back)
        );
        assert_eq!(
            km.resolve(&board, &[], Key::ctrl('[')),
            Resolved::Action(Action::Back)
        );
        assert_eq!(
            km.resolve(&board, &[], Key::ctrl('c')),
            Resolved::Action(Action::Quit)
        );
        assert_eq!(
            km.resolve(&[Mode::Help], &[], Key::char('?')),
            Resolved::Action(Action::ToggleHelp)
        );
        assert!(
            km.help_rows()
                .iter()
                .any(|(_, k, d)| k == "p" && d == "Pause/resume polling")
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let mut km = Keymap::default_map();
        let e = km
            .apply_str("[board]\n\"j\" = \"select_nxt\"\n", "user.toml")
            .unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("user.toml", 2));
        assert!(e.problem.contains("unknown action `select_nxt`"), "{e}");
        let e = km
            .apply_str("[board]\n\n\"hyper-j\" = \"quit\"\n", "u.toml")
            .unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.problem.contains("unknown key name"), "{e}");
        let e = km.apply_str("[bored]\n", "u.toml").unwrap_err();
        assert!(e.problem.contains("unknown mode"), "{e}");
        let e = km
            .apply_str("[board]\n\"j\" = 3 x\n", "u.toml")
            .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = km
            .apply_str("[board]\n\"g\" = \"quit\"\n", "u.toml")
            .unwrap_err();
        assert!(e.problem.contains("shadows"), "{e}");
        // a failed file leaves the map untouched
        assert_eq!(
            km.resolve(&[Mode::Board], &[], Key::char('j')),
            Resolved::Action(Action::SelectNext)
        );
    }

    #[test]
    fn noop_unbinds_and_later_layers_win() {
        let mut km = Keymap::default_map();
        km.apply_str(
            "[board]\n\"j\" = \"noop\"\n\"x\" = { action = \"quit\", desc = \"Leave\" }\n",
            "u.toml",
        )
        .unwrap();
        assert_eq!(
            km.resolve(&[Mode::Board], &[], Key::char('j')),
            Resolved::Unbound
        );
        assert_eq!(
            km.resolve(&[Mode::Board], &[], Key::char('x')),
            Resolved::Action(Action::Quit)
        );
        assert!(
            km.help_rows()
                .iter()
                .any(|(_, k, d)| k.contains('x') && d == "Leave")
        );
    }
}
