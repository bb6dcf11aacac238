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
    /// The layer that set it: `default`, a preset name, `user` or `--bind` (for `resou keys`).
    pub source: String,
}

/// A problem in a keymap layer, with its location. `line` 0 means the location has no lines
/// (a `--bind` argument, `--preset`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file, self.problem),
            n => write!(f, "{}:{n}: {}", self.file, self.problem),
        }
    }
}

impl std::error::Error for KeymapError {}

/// How strictly a layer is checked: shipped files must also use only SSH/tmux-safe keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    Shipped,
    User,
}

/// The presets shipped with resou: deltas over the default, embedded like it.
pub const PRESETS: [(&str, &str); 2] = [
    ("vim", include_str!("../../keymaps/vim.toml")),
    ("emacs", include_str!("../../keymaps/emacs.toml")),
];

/// The embedded source of a preset.
pub fn preset_source(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

fn unknown_preset(name: &str) -> String {
    let names: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
    format!(
        "unknown keymap preset `{name}` (expected one of: {})",
        names.join(", ")
    )
}

/// One mode's bindings.
pub type Table = BTreeMap<KeySeq, Binding>;

/// The resolved keymap: mode → sequence → binding.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    pub modes: BTreeMap<Mode, Table>,
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

/// One `"keys" = "action"` from a file or a `--bind`, before it is checked.
#[derive(Debug, Clone)]
struct Entry {
    mode: String,
    keys: String,
    action: String,
    desc: Option<String>,
    file: String,
    line: usize,
}

impl Entry {
    fn err(&self, problem: String) -> KeymapError {
        KeymapError {
            file: self.file.clone(),
            line: self.line,
            problem,
        }
    }
}

/// A keymap file split into its settings and its bindings.
struct ParsedFile {
    /// `preset = "vim"` and its line.
    preset: Option<(String, usize)>,
    entries: Vec<Entry>,
}

fn parse_file(src: &str, file: &str) -> Result<ParsedFile, KeymapError> {
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
    let mut out = ParsedFile {
        preset: None,
        entries: Vec::new(),
    };
    for (name, value) in doc.into_inner() {
        let tline = line_of(src, value.span().start);
        match (name.as_str(), value.into_inner()) {
            ("version", _) => {}
            ("preset", toml::Value::String(p)) => out.preset = Some((p, tline)),
            ("preset-of", toml::Value::String(p)) if p == "default" => {}
            ("preset" | "preset-of", _) => {
                return Err(err(
                    tline,
                    format!("`{name}` must name a keymap (`preset-of = \"default\"`)"),
                ));
            }
            (table, v @ toml::Value::Table(_)) => {
                if Mode::from_name(table).is_none() {
                    return Err(err(tline, unknown_mode(table)));
                }
                let entries: BTreeMap<String, RawBinding> =
                    v.try_into().map_err(|e: toml::de::Error| {
                        err(
                            tline,
                            format!(
                                "[{table}]: {} (values are \"action\" or {{ action = \"…\", desc = \"…\" }})",
                                e.message()
                            ),
                        )
                    })?;
                for (keys, raw) in entries {
                    // Spans inside a re-deserialised Value are lost; find each key's line in the source.
                    let line = find_key_line(src, table, &keys).unwrap_or(tline);
                    let (action, desc) = match raw {
                        RawBinding::Name(n) => (n, None),
                        RawBinding::Full { action, desc } => (action, desc),
                    };
                    out.entries.push(Entry {
                        mode: table.to_string(),
                        keys,
                        action,
                        desc,
                        file: file.to_string(),
                        line,
                    });
                }
            }
            (other, _) => {
                return Err(err(
                    tline,
                    format!(
                        "unknown setting `{other}` (expected version, preset or a [mode] table)"
                    ),
                ));
            }
        }
    }
    // Apply in file order, so "first problem" means the first one a reader meets.
    out.entries.sort_by_key(|e| e.line);
    Ok(out)
}

/// Parse `--bind 'mode.keys=action'` (keys may be a sequence: `board.g g=select_first`).
fn parse_bind(arg: &str) -> Result<Entry, KeymapError> {
    let file = format!("--bind '{arg}'");
    let bad = || KeymapError {
        file: file.clone(),
        line: 0,
        problem: "expected MODE.KEYS=ACTION, e.g. `board.d=mute` or `board.g g=select_first`"
            .into(),
    };
    // The mode never holds `.` and the action never holds `=`, so the keys may be either.
    let (mode, rest) = arg.split_once('.').ok_or_else(bad)?;
    let (keys, action) = rest.rsplit_once('=').ok_or_else(bad)?;
    if mode.trim().is_empty() || keys.trim().is_empty() || action.trim().is_empty() {
        return Err(bad());
    }
    Ok(Entry {
        mode: mode.trim().to_string(),
        keys: keys.trim().to_string(),
        action: action.trim().to_string(),
        desc: None,
        file,
        line: 0,
    })
}

/// Why a key is unfit for a shipped keymap, if it is.
pub fn ssh_unsafe(k: &Key) -> Option<&'static str> {
    let upper = matches!(k.code, KeyCode::Char(c) if c.is_ascii_uppercase());
    if k.ctrl && (k.shift || upper) {
        Some("ctrl-shift keys need the kitty keyboard protocol and do not survive SSH/tmux")
    } else if (k.ctrl || k.shift) && k.code == KeyCode::Enter {
        Some("ctrl-enter / shift-enter arrive as plain enter over SSH and tmux")
    } else if k.ctrl && k.code == KeyCode::Tab {
        Some("ctrl-tab arrives as plain tab over SSH and tmux")
    } else if k.ctrl && matches!(k.code, KeyCode::Char('a' | 'b')) {
        Some("ctrl-a / ctrl-b are the screen / tmux prefixes")
    } else {
        None
    }
}

/// Printable keys in `[input]` would never reach the text (IME, CJK, plain typing).
fn printable(k: &Key) -> bool {
    matches!(k.code, KeyCode::Char(_)) && !k.ctrl && !k.alt
}

fn unknown_mode(name: &str) -> String {
    format!(
        "unknown mode `[{name}]` (expected one of: {})",
        Mode::ALL.map(Mode::name).join(", ")
    )
}

fn seq_string(seq: &[Key]) -> String {
    seq.iter().map(Key::to_string).collect::<Vec<_>>().join(" ")
}

/// Where the layers of a keymap come from, lowest first after the embedded default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Layers<'a> {
    /// `--preset NAME`: wins over the user file's `preset` and the config's.
    pub cli_preset: Option<&'a str>,
    /// `[general] keymap_preset` and the config file it was read from.
    pub config_preset: Option<(&'a str, &'a str)>,
    /// The user's keymap file: (path as shown, contents).
    pub user: Option<(&'a str, &'a str)>,
    /// `--bind` arguments, in order; they form one layer on top.
    pub binds: &'a [String],
}

/// A keymap built from its layers.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub keymap: Keymap,
    /// The layers that applied, lowest first (`default`, `vim`, `user: PATH`, `--bind`).
    pub layers: Vec<String>,
    /// Problems in the preset or user file; those layers were skipped, the ones below kept.
    pub warnings: Vec<KeymapError>,
}

impl Keymap {
    /// The embedded defaults. They are tested to parse, so failure here is a build defect.
    pub fn default_map() -> Keymap {
        let mut km = Keymap::default();
        if let Err(e) = km.apply_layer(
            DEFAULT_KEYMAP,
            DEFAULT_KEYMAP_NAME,
            "default",
            LayerKind::Shipped,
        ) {
            // ok: only reachable if the embedded file is broken, which tests/keymaps.rs catches.
            tracing::error!("embedded keymap broken: {e}");
        }
        km
    }

    /// Build default → preset → user file → `--bind`. A bad preset or user file is skipped
    /// (the layers below stay) and reported in `warnings`; a bad `--bind` is an error.
    pub fn load(layers: &Layers<'_>) -> Result<Loaded, KeymapError> {
        let mut out = Loaded {
            keymap: Keymap::default_map(),
            layers: vec!["default".into()],
            warnings: Vec::new(),
        };
        let user = layers.user.map(|(path, src)| (path, parse_file(src, path)));
        // The most specific preset choice wins; each names where it was made for messages.
        let preset: Option<(String, String, usize)> = if let Some(p) = layers.cli_preset {
            Some((p.to_string(), "--preset".into(), 0))
        } else if let Some((
            path,
            Ok(ParsedFile {
                preset: Some((p, line)),
                ..
            }),
        )) = &user
        {
            Some((p.clone(), path.to_string(), *line))
        } else {
            layers.config_preset.map(|(p, path)| {
                let line = find_setting_line(path, "keymap_preset");
                (p.to_string(), path.to_string(), line)
            })
        };
        if let Some((name, file, line)) = preset {
            match preset_source(&name) {
                Some(src) => {
                    let shown = format!("keymaps/{name}.toml");
                    match out
                        .keymap
                        .apply_layer(src, &shown, &name, LayerKind::Shipped)
                    {
                        Ok(()) => out.layers.push(name),
                        Err(e) => out.warnings.push(e),
                    }
                }
                None => out.warnings.push(KeymapError {
                    file,
                    line,
                    problem: unknown_preset(&name),
                }),
            }
        }
        if let Some((path, parsed)) = user {
            match parsed.and_then(|p| {
                out.keymap
                    .apply_entries(&p.entries, "user", LayerKind::User)
            }) {
                Ok(()) => out.layers.push(format!("user: {path}")),
                Err(e) => out.warnings.push(e),
            }
        }
        if !layers.binds.is_empty() {
            let entries = layers
                .binds
                .iter()
                .map(|b| parse_bind(b))
                .collect::<Result<Vec<_>, _>>()?;
            out.keymap
                .apply_entries(&entries, "--bind", LayerKind::User)?;
            out.layers.push("--bind".into());
        }
        Ok(out)
    }

    /// Layer a user keymap file over this one (later layers win; `noop` unbinds).
    /// On error nothing from this file is applied. Its `preset` setting is not followed
    /// here (see [`Keymap::load`]).
    pub fn apply_str(&mut self, src: &str, file: &str) -> Result<(), KeymapError> {
        self.apply_layer(src, file, file, LayerKind::User)
    }

    /// Layer a file, recording `source` on its bindings; `kind` decides how strict the checks are.
    pub fn apply_layer(
        &mut self,
        src: &str,
        file: &str,
        source: &str,
        kind: LayerKind,
    ) -> Result<(), KeymapError> {
        let parsed = parse_file(src, file)?;
        self.apply_entries(&parsed.entries, source, kind)
    }

    fn apply_entries(
        &mut self,
        entries: &[Entry],
        source: &str,
        kind: LayerKind,
    ) -> Result<(), KeymapError> {
        let mut staged = self.clone();
        // What this layer set, for duplicate and shadow messages.
        let mut touched: BTreeMap<(Mode, KeySeq), (&Entry, Action)> = BTreeMap::new();
        for e in entries {
            let mode = Mode::from_name(&e.mode).ok_or_else(|| e.err(unknown_mode(&e.mode)))?;
            let seq = parse_seq(&e.keys).map_err(|p| e.err(p))?;
            let action = Action::from_name(&e.action).ok_or_else(|| {
                e.err(format!(
                    "unknown action `{}` for key `{}`",
                    e.action, e.keys
                ))
            })?;
            if mode == Mode::Input
                && action != Action::Noop
                && let Some(k) = seq.iter().find(|k| printable(k))
            {
                return Err(e.err(format!(
                    "[input] cannot bind the printable key `{k}`: it is typed as text there"
                )));
            }
            if kind == LayerKind::Shipped
                && action != Action::Noop
                && let Some(why) = seq.iter().find_map(ssh_unsafe)
            {
                return Err(e.err(format!("`{}`: {why}", e.keys)));
            }
            // `esc` and `ctrl-[` are one key: binding them differently in one layer is a mistake.
            if let Some((first, a)) = touched.get(&(mode, seq.clone()))
                && *a != action
            {
                return Err(e.err(format!(
                    "`{}` is the same key as `{}` (line {}), bound to `{}` there",
                    e.keys,
                    first.keys,
                    first.line,
                    a.name()
                )));
            }
            touched.insert((mode, seq.clone()), (e, action));
            let map = staged.modes.entry(mode).or_default();
            if action == Action::Noop {
                map.remove(&seq);
            } else {
                map.insert(
                    seq,
                    Binding {
                        action,
                        desc: e.desc.clone(),
                        source: source.to_string(),
                    },
                );
            }
        }
        if let Some((mode, short, long)) = staged.first_shadow() {
            // Lower layers were valid, so this layer touched one of the two; name its line.
            let culprit = [(mode, long.clone()), (mode, short.clone())]
                .into_iter()
                .chain([(Mode::Global, long.clone()), (Mode::Global, short.clone())])
                .filter_map(|k| touched.get(&k).map(|(e, _)| *e))
                .max_by_key(|e| e.line);
            let problem = format!(
                "[{}] `{}` is bound alone and also starts the sequence `{}`, which could never be typed; unbind one with \"noop\"",
                mode.name(),
                seq_string(&short),
                seq_string(&long)
            );
            return Err(match culprit {
                Some(e) => e.err(problem),
                None => KeymapError {
                    file: source.to_string(),
                    line: 0,
                    problem,
                },
            });
        }
        *self = staged;
        Ok(())
    }

    /// A key bound alone that is also a prefix of a sequence reachable in the same mode
    /// (its own table or global, which applies under it): (mode, short, long).
    fn first_shadow(&self) -> Option<(Mode, KeySeq, KeySeq)> {
        let empty = BTreeMap::new();
        let global = self.modes.get(&Mode::Global).unwrap_or(&empty);
        for (mode, map) in &self.modes {
            let pairs: [(&Table, &Table); 3] = [(map, map), (map, global), (global, map)];
            for (shorts, longs) in pairs {
                for long in longs.keys() {
                    for n in 1..long.len() {
                        if shorts.contains_key(&long[..n]) {
                            return Some((*mode, long[..n].to_vec(), long.clone()));
                        }
                    }
                }
            }
        }
        None
    }

    /// Resolve `pending + key` in `modes` (most specific first, then global).
    pub fn resolve(&self, modes: &[Mode], pending: &[Key], key: Key) -> Resolved {
        let mut seq: KeySeq = pending.to_vec();
        seq.push(key.normalised());
        let mut prefix = false;
        for map in self.maps(modes) {
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

    /// The tables that apply under `modes`: those, then global.
    fn maps<'a>(&'a self, modes: &'a [Mode]) -> impl Iterator<Item = &'a Table> {
        modes
            .iter()
            .copied()
            .chain(std::iter::once(Mode::Global))
            .filter_map(|m| self.modes.get(&m))
    }

    /// What can follow the `pending` keys (the which-key popup): (rest of the keys, description),
    /// the most specific mode first, in key order.
    pub fn continuations(&self, modes: &[Mode], pending: &[Key]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        if pending.is_empty() {
            return out;
        }
        for map in self.maps(modes) {
            for (seq, b) in map {
                if seq.len() > pending.len() && seq.starts_with(pending) {
                    let rest = seq_string(&seq[pending.len()..]);
                    if !out.iter().any(|(k, _)| *k == rest) {
                        out.push((rest, b.description()));
                    }
                }
            }
        }
        out
    }

    /// Help rows: (mode, keys, description), keys of one action joined.
    pub fn help_rows(&self) -> Vec<(Mode, String, String)> {
        let mut out = Vec::new();
        for (mode, map) in &self.modes {
            let mut by_action: Vec<(Action, Vec<String>, String)> = Vec::new();
            for (seq, b) in map {
                let keys = seq_string(seq);
                let desc = b.description();
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

    /// The resolved keymap as text, one table per mode: keys, action, source layer, description
    /// (`resou keys`).
    pub fn format_table(&self) -> String {
        let mut out = String::new();
        for mode in Mode::ALL {
            let Some(map) = self.modes.get(&mode).filter(|m| !m.is_empty()) else {
                continue;
            };
            let mut rows: Vec<(String, &Binding)> =
                map.iter().map(|(s, b)| (seq_string(s), b)).collect();
            rows.sort_by_key(|(_, b)| Action::ALL.iter().position(|a| *a == b.action));
            let kw = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0).max(4);
            let aw = rows
                .iter()
                .map(|(_, b)| b.action.name().len())
                .max()
                .unwrap_or(0)
                .max(6);
            let sw = rows
                .iter()
                .map(|(_, b)| b.source.len())
                .max()
                .unwrap_or(0)
                .max(6);
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("[{}]\n", mode.name()));
            out.push_str(&format!(
                "  {:kw$}  {:aw$}  {:sw$}  DESCRIPTION\n",
                "KEYS", "ACTION", "SOURCE"
            ));
            for (keys, b) in rows {
                let line = format!(
                    "  {keys:kw$}  {:aw$}  {:sw$}  {}",
                    b.action.name(),
                    b.source,
                    b.description()
                );
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
        out
    }
}

impl Binding {
    /// The entry's own `desc`, else the action's.
    pub fn description(&self) -> String {
        self.desc
            .clone()
            .unwrap_or_else(|| self.action.describe().to_string())
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

/// Line of `name =` in a config file (0 when it cannot be read or found), for messages.
fn find_setting_line(path: &str, name: &str) -> usize {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|src| {
            src.lines()
                .position(|l| l.trim_start().starts_with(name))
                .map(|i| i + 1)
        })
        .unwrap_or(0)
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
            .apply_str("[board]\n\n\"bogus-j\" = \"quit\"\n", "u.toml")
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
        assert!(e.problem.contains("starts the sequence `g g`"), "{e}");
        assert_eq!(e.line, 2, "the line of the offending binding: {e}");
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
