//! Keymaps: TOML files with one table per layer, `"key" = "action"` or
//! `{ action = "…", desc = "…" }`, sequences as space-separated keys (`"g g"`).
//! Parsed into the app's own `Key` type so nothing here depends on crossterm.
//! Errors name the file, line and problem.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::domain::line_of;
use crate::input::seq_string;
pub use crate::input::{Action, Key, KeyCode, KeySeq, Layer, parse_seq};

/// The complete default keymap, embedded at build time.
pub const DEFAULT_KEYMAP: &str = include_str!("../../keymaps/default.toml");
pub const DEFAULT_KEYMAP_NAME: &str = "keymaps/default.toml";

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

/// One table's bindings.
pub type Table = BTreeMap<KeySeq, Binding>;

/// The resolved keymap: table → sequence → binding.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    pub tables: BTreeMap<Layer, Table>,
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

/// One `"keys" = "action"` from a file or a `--bind`, before it is checked.
#[derive(Debug, Clone)]
struct Entry {
    layer: String,
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
                if Layer::from_name(table).is_none() {
                    return Err(err(tline, unknown_layer(table)));
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
                        layer: table.to_string(),
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
                        "unknown setting `{other}` (expected version, preset or a [layer] table)"
                    ),
                ));
            }
        }
    }
    // Apply in file order, so "first problem" means the first one a reader meets.
    out.entries.sort_by_key(|e| e.line);
    Ok(out)
}

/// Parse `--bind 'layer.keys=action'` (keys may be a sequence: `board.g g=select_first`).
fn parse_bind(arg: &str) -> Result<Entry, KeymapError> {
    let file = format!("--bind '{arg}'");
    let bad = || KeymapError {
        file: file.clone(),
        line: 0,
        problem: "expected LAYER.KEYS=ACTION, e.g. `board.d=mute` or `board.g g=select_first`"
            .into(),
    };
    // The layer never holds `.` and the action never holds `=`, so the keys may be either.
    let (layer, rest) = arg.split_once('.').ok_or_else(bad)?;
    let (keys, action) = rest.rsplit_once('=').ok_or_else(bad)?;
    if layer.trim().is_empty() || keys.trim().is_empty() || action.trim().is_empty() {
        return Err(bad());
    }
    Ok(Entry {
        layer: layer.trim().to_string(),
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

fn unknown_layer(name: &str) -> String {
    format!(
        "unknown layer `[{name}]` (expected one of: {})",
        Layer::all().map(Layer::name).collect::<Vec<_>>().join(", ")
    )
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
            // ok: only reachable if the embedded file is broken, which tests/app_ui/keymaps.rs catches.
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
        let mut touched: BTreeMap<(Layer, KeySeq), (&Entry, Action)> = BTreeMap::new();
        for e in entries {
            let layer = Layer::from_name(&e.layer).ok_or_else(|| e.err(unknown_layer(&e.layer)))?;
            let seq = parse_seq(&e.keys).map_err(|p| e.err(p))?;
            let action = Action::from_name(&e.action).ok_or_else(|| {
                e.err(format!(
                    "unknown action `{}` for key `{}`",
                    e.action, e.keys
                ))
            })?;
            if layer == Layer::Input
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
            if let Some((first, a)) = touched.get(&(layer, seq.clone()))
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
            touched.insert((layer, seq.clone()), (e, action));
            let map = staged.tables.entry(layer).or_default();
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
        if let Some((layer, short, long)) = staged.first_shadow() {
            // Lower layers were valid, so this layer touched one of the two; name its line.
            let culprit = touched
                .iter()
                .filter(|((_, seq), _)| *seq == long || *seq == short)
                .map(|(_, (e, _))| *e)
                .max_by_key(|e| e.line);
            let problem = format!(
                "[{}] `{}` is bound alone and also starts the sequence `{}`, which could never be typed; unbind one with \"noop\"",
                layer.name(),
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

    /// A key bound alone that is also a prefix of a sequence reachable in the same layer
    /// (any table of its chain, or global, which applies under it): (table, short, long).
    fn first_shadow(&self) -> Option<(Layer, KeySeq, KeySeq)> {
        for layer in Layer::all() {
            let tables: Vec<(Layer, &Table)> = self.chain(layer).collect();
            for (_, shorts) in &tables {
                for (owner, longs) in &tables {
                    for long in longs.keys() {
                        for n in 1..long.len() {
                            if shorts.contains_key(&long[..n]) {
                                return Some((*owner, long[..n].to_vec(), long.clone()));
                            }
                        }
                    }
                }
            }
        }
        None
    }

    /// Resolve `pending + key` in `layer` (its chain, most specific first, then global).
    pub fn resolve(&self, layer: Layer, pending: &[Key], key: Key) -> Resolved {
        let mut seq: KeySeq = pending.to_vec();
        seq.push(key.normalized());
        let mut prefix = false;
        for (_, map) in self.chain(layer) {
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

    /// The tables that apply in `layer`: its chain, then global.
    fn chain(&self, layer: Layer) -> impl Iterator<Item = (Layer, &Table)> {
        layer
            .chain()
            .iter()
            .copied()
            .chain(std::iter::once(Layer::Global))
            .filter_map(|l| self.tables.get(&l).map(|t| (l, t)))
    }

    /// What can follow the `pending` keys (the which-key popup): (rest of the keys, description),
    /// the most specific table first, in key order.
    pub fn continuations(&self, layer: Layer, pending: &[Key]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        if pending.is_empty() {
            return out;
        }
        for (_, map) in self.chain(layer) {
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

    /// Help rows: (layer, keys, description), keys of one action joined.
    pub fn help_rows(&self) -> Vec<(Layer, String, String)> {
        let mut out = Vec::new();
        for (layer, map) in &self.tables {
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
            by_action.sort_by_key(|(a, _, _)| a.order());
            for (_, keys, desc) in by_action {
                out.push((*layer, keys.join(", "), desc));
            }
        }
        out
    }

    /// The resolved keymap as text, one table per layer: keys, action, source layer, description
    /// (`resou keys`).
    pub fn format_table(&self) -> String {
        let mut out = String::new();
        for layer in Layer::all() {
            let Some(map) = self.tables.get(&layer).filter(|m| !m.is_empty()) else {
                continue;
            };
            let mut rows: Vec<(String, &Binding)> =
                map.iter().map(|(s, b)| (seq_string(s), b)).collect();
            rows.sort_by_key(|(_, b)| b.action.order());
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
            out.push_str(&format!("[{}]\n", layer.name()));
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
        let board = Layer::Board;
        assert_eq!(
            km.resolve(board, &[], Key::char('j')),
            Resolved::Action(Action::SelectNext)
        );
        assert_eq!(km.resolve(board, &[], Key::char('g')), Resolved::Pending);
        assert_eq!(
            km.resolve(board, &[Key::char('g')], Key::char('g')),
            Resolved::Action(Action::SelectFirst)
        );
        assert_eq!(
            km.resolve(board, &[Key::char('g')], Key::char('x')),
            Resolved::Unbound
        );
        assert_eq!(
            km.resolve(board, &[], Key::char('q')),
            Resolved::Action(Action::Back)
        );
        assert_eq!(
            km.resolve(board, &[], Key::ctrl('[')),
            Resolved::Action(Action::Back)
        );
        assert_eq!(
            km.resolve(board, &[], Key::ctrl('c')),
            Resolved::Action(Action::Quit)
        );
        assert_eq!(
            km.resolve(Layer::Help, &[], Key::char('?')),
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
        assert!(e.problem.contains("unknown layer"), "{e}");
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
            km.resolve(Layer::Board, &[], Key::char('j')),
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
            km.resolve(Layer::Board, &[], Key::char('j')),
            Resolved::Unbound
        );
        assert_eq!(
            km.resolve(Layer::Board, &[], Key::char('x')),
            Resolved::Action(Action::Quit)
        );
        assert!(
            km.help_rows()
                .iter()
                .any(|(_, k, d)| k.contains('x') && d == "Leave")
        );
    }
}
