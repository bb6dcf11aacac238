//! Keymaps: every shipped file parses and layers over the default, layers merge in order,
//! every error names its file and line, `resou keys` prints sources, which-key and help search.

use resou::app::{App, AppMsg};
use resou::config::keymap::{
    DEFAULT_KEYMAP, Key, KeyCode, Keymap, KeymapError, LayerKind, Layers, Resolved, preset_source,
    ssh_unsafe,
};
use resou::input::{Action, Layer};

fn key(s: &str) -> Key {
    Key::parse(s).expect("key name")
}

fn seq(s: &str) -> Vec<Key> {
    s.split_whitespace().map(key).collect()
}

fn action(km: &Keymap, layer: Layer, keys: &str) -> Resolved {
    let ks = seq(keys);
    let (last, pending) = ks.split_last().expect("a key");
    km.resolve(layer, pending, *last)
}

fn source(km: &Keymap, layer: Layer, keys: &str) -> Option<String> {
    km.tables
        .get(&layer)?
        .get(&seq(keys))
        .map(|b| b.source.clone())
}

/// Every `.toml` in keymaps/ (so CI checks files added later): the default over nothing,
/// the others as shipped presets over the default; presets must also be embedded.
#[test]
fn every_file_in_keymaps_parses_and_layers_over_default() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("keymaps");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("keymaps/") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("name");
        let src = std::fs::read_to_string(&path).expect("read");
        let shown = path.display().to_string();
        if stem == "default" {
            assert_eq!(
                src, DEFAULT_KEYMAP,
                "the embedded default is keymaps/default.toml"
            );
            let mut km = Keymap::default();
            km.apply_layer(&src, &shown, stem, LayerKind::Shipped)
                .unwrap_or_else(|e| panic!("{e}"));
        } else {
            assert_eq!(
                preset_source(stem),
                Some(src.as_str()),
                "{shown} must be embedded in PRESETS"
            );
            assert!(
                src.lines().any(|l| l.trim() == "preset-of = \"default\""),
                "{shown} says it is a delta over the default"
            );
            let mut km = Keymap::default_map();
            km.apply_layer(&src, &shown, stem, LayerKind::Shipped)
                .unwrap_or_else(|e| panic!("{e}"));
            // The delta changed something, and the default's keys it did not touch remain.
            assert!(
                km.tables
                    .values()
                    .flat_map(|m| m.values())
                    .any(|b| b.source == stem),
                "{shown} binds nothing"
            );
            assert_eq!(
                action(&km, Layer::Global, "ctrl-c"),
                Resolved::Action(Action::Quit)
            );
        }
        n += 1;
    }
    assert!(n >= 3, "default, vim and emacs");
}

#[test]
fn shipped_keymaps_avoid_keys_that_do_not_survive_ssh_and_tmux() {
    let mut maps = vec![("default", Keymap::default_map())];
    for name in ["vim", "emacs"] {
        let mut km = Keymap::default_map();
        km.apply_layer(
            preset_source(name).expect("preset"),
            name,
            name,
            LayerKind::Shipped,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        maps.push((name, km));
    }
    for (name, km) in maps {
        for (mode, map) in &km.tables {
            for s in map.keys() {
                for k in s {
                    assert_eq!(ssh_unsafe(k), None, "{name} [{}] {k}", mode.name());
                }
            }
        }
    }
    // The check itself: each kind of bad key is refused in a shipped layer, kept for users
    // (whose terminal may speak the kitty protocol).
    for bad in [
        "ctrl-enter",
        "shift-enter",
        "ctrl-shift-x",
        "ctrl-tab",
        "ctrl-b",
    ] {
        let src = format!("[board]\n\"{bad}\" = \"quit\"\n");
        let e = Keymap::default_map()
            .apply_layer(&src, "keymaps/x.toml", "x", LayerKind::Shipped)
            .unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("keymaps/x.toml", 2), "{e}");
        assert!(e.problem.contains(bad), "{e}");
        assert!(Keymap::default_map().apply_str(&src, "user.toml").is_ok());
    }
    let e = Keymap::default_map()
        .apply_str("[board]\n\"super-k\" = \"quit\"\n", "u.toml")
        .unwrap_err();
    assert!(e.to_string().starts_with("u.toml:2: "), "{e}");
    assert!(e.problem.contains("never reach a terminal"), "{e}");
}

#[test]
fn ctrl_bracket_is_esc_wherever_esc_is_bound() {
    let mut maps = vec![Keymap::default_map()];
    for name in ["vim", "emacs"] {
        let mut km = Keymap::default_map();
        km.apply_layer(
            preset_source(name).expect("p"),
            name,
            name,
            LayerKind::Shipped,
        )
        .expect("preset");
        maps.push(km);
    }
    let esc = Key::plain(KeyCode::Esc);
    let ctrl_bracket = Key {
        ctrl: true,
        ..Key::char('[')
    };
    for km in &maps {
        for layer in Layer::all() {
            let a = km.resolve(layer, &[], esc);
            assert!(matches!(a, Resolved::Action(_)), "{}", layer.name());
            assert_eq!(a, km.resolve(layer, &[], ctrl_bracket), "{}", layer.name());
        }
        assert_eq!(
            km.resolve(Layer::Input, &[], ctrl_bracket),
            Resolved::Action(Action::Cancel)
        );
    }
    // Binding the two differently in one file is a mistake with a line.
    let e = Keymap::default_map()
        .apply_str(
            "[board]\n\"esc\" = \"quit\"\n\"ctrl-[\" = \"search\"\n",
            "u.toml",
        )
        .unwrap_err();
    assert_eq!(e.line, 3, "{e}");
    assert!(e.problem.contains("same key"), "{e}");
}

fn user_error(src: &str) -> KeymapError {
    Keymap::default_map()
        .apply_str(src, "/home/u/.config/resou/keymap.toml")
        .unwrap_err()
}

#[test]
fn each_error_names_file_line_and_problem() {
    let cases: [(&str, usize, &str); 7] = [
        (
            "[board]\n\"j\" = \"select_nxt\"\n",
            2,
            "unknown action `select_nxt`",
        ),
        (
            "\n[board]\n\"d\" = \"mute\"\n\"hyperz\" = \"quit\"\n",
            4,
            "unknown key name `hyperz`",
        ),
        (
            "[board]\n\"d\" = \"mute\"\n\n[bored]\n\"x\" = \"quit\"\n",
            4,
            "unknown layer `[bored]`",
        ),
        (
            "[input]\n\"enter\" = \"submit\"\n\"x\" = \"cancel\"\n",
            3,
            "printable key `x`",
        ),
        (
            "[input]\n\"space\" = \"submit\"\n",
            2,
            "printable key `space`",
        ),
        ("[board]\n\"j\" = 3 x\n", 2, ""),
        ("colour = \"red\"\n", 1, "unknown setting `colour`"),
    ];
    for (src, line, problem) in cases {
        let e = user_error(src);
        assert_eq!(e.file, "/home/u/.config/resou/keymap.toml", "{e}");
        assert_eq!(e.line, line, "{src:?} → {e}");
        assert!(e.problem.contains(problem), "{src:?} → {e}");
        assert!(e.to_string().starts_with(&format!("{}:{line}: ", e.file)));
    }
}

#[test]
fn shadowing_names_the_line_of_the_offending_binding() {
    // `g` alone against the default's `g g`, on line 4 of the user file.
    let e = user_error("# mine\n[board]\n\"d\" = \"mute\"\n\"g\" = \"quit\"\n");
    assert_eq!(e.line, 4, "{e}");
    assert!(
        e.problem.contains("[board] `g`") && e.problem.contains("`g g`"),
        "{e}"
    );
    // A sequence whose prefix is a default key: the sequence's line.
    let e = user_error("[board]\n\"j\" = \"select_next\"\n\"j k\" = \"quit\"\n");
    assert_eq!(e.line, 3, "{e}");
    // Across tables: a global key cannot start a board sequence (board's `g g`).
    let e = user_error("[global]\n\n\"g\" = \"quit\"\n");
    assert_eq!(e.line, 3, "{e}");
    // Unbinding the short key first makes it legal, as in yazi#899's fix.
    let mut km = Keymap::default_map();
    km.apply_str(
        "[board]\n\"g g\" = \"noop\"\n\"g\" = \"select_first\"\n",
        "u.toml",
    )
    .expect("g g unbound, g alone is fine");
    assert_eq!(
        action(&km, Layer::Board, "g"),
        Resolved::Action(Action::SelectFirst)
    );
}

#[test]
fn layers_merge_default_preset_user_bind() {
    let user =
        "preset = \"vim\"\n[board]\n\"i\" = \"watch\"\n\"j\" = \"noop\"\n\"t\" = \"export\"\n";
    let binds = vec![
        "board.t=toggle_flag".to_string(),
        "board.g t=noop".to_string(),
    ];
    let loaded = Keymap::load(&Layers {
        user: Some(("~/keymap.toml", user)),
        binds: &binds,
        ..Layers::default()
    })
    .expect("load");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        loaded.layers,
        ["default", "vim", "user: ~/keymap.toml", "--bind"]
    );
    let km = &loaded.keymap;
    // default kept
    assert_eq!(
        action(km, Layer::Board, "k"),
        Resolved::Action(Action::SelectPrev)
    );
    assert_eq!(source(km, Layer::Board, "k").as_deref(), Some("default"));
    // preset over default
    assert_eq!(
        action(km, Layer::Board, "ctrl-d"),
        Resolved::Action(Action::PageDown)
    );
    assert_eq!(source(km, Layer::Board, "ctrl-d").as_deref(), Some("vim"));
    assert_eq!(
        action(km, Layer::Board, "n"),
        Resolved::Unbound,
        "vim unbinds n"
    );
    // user over preset, noop unbinds a default
    assert_eq!(
        action(km, Layer::Board, "i"),
        Resolved::Action(Action::Watch)
    );
    assert_eq!(source(km, Layer::Board, "i").as_deref(), Some("user"));
    assert_eq!(action(km, Layer::Board, "j"), Resolved::Unbound);
    // --bind over user, and a --bind sequence unbinding a preset's
    assert_eq!(
        action(km, Layer::Board, "t"),
        Resolved::Action(Action::ToggleFlag)
    );
    assert_eq!(source(km, Layer::Board, "t").as_deref(), Some("--bind"));
    assert_eq!(action(km, Layer::Board, "g t"), Resolved::Unbound);
    assert_eq!(
        action(km, Layer::Board, "g T"),
        Resolved::Action(Action::PrevTab)
    );
}

#[test]
fn preset_choice_and_bad_layers() {
    // --preset beats the user file's preset, which beats the config's.
    let user = "preset = \"vim\"\n";
    let l = Keymap::load(&Layers {
        cli_preset: Some("emacs"),
        config_preset: Some(("vim", "config.toml")),
        user: Some(("u.toml", user)),
        ..Layers::default()
    })
    .expect("load");
    assert_eq!(l.layers[1], "emacs");
    let l = Keymap::load(&Layers {
        config_preset: Some(("emacs", "config.toml")),
        user: Some(("u.toml", user)),
        ..Layers::default()
    })
    .expect("load");
    assert_eq!(l.layers[1], "vim");
    let l = Keymap::load(&Layers {
        config_preset: Some(("emacs", "config.toml")),
        ..Layers::default()
    })
    .expect("load");
    assert_eq!(
        action(&l.keymap, Layer::Board, "ctrl-n"),
        Resolved::Action(Action::SelectNext)
    );

    // An unknown preset names the user file's line; the default stays.
    let l = Keymap::load(&Layers {
        user: Some(("u.toml", "# mine\npreset = \"vi\"\n")),
        ..Layers::default()
    })
    .expect("load");
    assert_eq!(l.warnings.len(), 1);
    assert_eq!(
        (l.warnings[0].file.as_str(), l.warnings[0].line),
        ("u.toml", 2)
    );
    assert!(l.warnings[0].problem.contains("unknown keymap preset `vi`"));

    // A bad user file keeps the layers below it (default and its preset).
    let l = Keymap::load(&Layers {
        user: Some(("u.toml", "preset = \"vim\"\n[board]\n\"x\" = \"bogus\"\n")),
        ..Layers::default()
    })
    .expect("load");
    assert_eq!(l.layers, ["default", "vim"]);
    assert_eq!(
        l.warnings[0].to_string(),
        "u.toml:3: unknown action `bogus` for key `x`"
    );
    assert_eq!(
        action(&l.keymap, Layer::Board, "x"),
        Resolved::Action(Action::Mute)
    );
    assert_eq!(
        action(&l.keymap, Layer::Board, "ctrl-d"),
        Resolved::Action(Action::PageDown)
    );

    // A bad --bind is an error naming the argument.
    for (arg, problem) in [
        ("board.x=qit", "unknown action `qit`"),
        ("bord.x=quit", "unknown layer `[bord]`"),
        ("board.x", "expected LAYER.KEYS=ACTION"),
        ("input.q=submit", "printable key `q`"),
        ("board.g=quit", "`g g`"),
    ] {
        let binds = vec![arg.to_string()];
        let e = Keymap::load(&Layers {
            binds: &binds,
            ..Layers::default()
        })
        .unwrap_err();
        assert_eq!(e.file, format!("--bind '{arg}'"));
        assert!(e.problem.contains(problem), "{e}");
        assert!(
            e.to_string().starts_with(&format!("--bind '{arg}': ")),
            "{e}"
        );
    }
}

#[test]
fn continuations_of_g() {
    let km = Keymap::default_map();
    let c = km.continuations(Layer::Board, &[key("g")]);
    assert_eq!(
        c,
        vec![("g".to_string(), Action::SelectFirst.describe().to_string())]
    );
    assert!(km.continuations(Layer::Board, &[]).is_empty());
    let mut vim = Keymap::default_map();
    vim.apply_layer(
        preset_source("vim").expect("vim"),
        "vim",
        "vim",
        LayerKind::Shipped,
    )
    .expect("vim");
    let c = vim.continuations(Layer::Board, &[key("g")]);
    let keys: Vec<&str> = c.iter().map(|(k, _)| k.as_str()).collect();
    assert!(
        keys.contains(&"g") && keys.contains(&"t") && keys.contains(&"T"),
        "{c:?}"
    );
    // Global sequences show under every mode.
    let c = vim.continuations(Layer::Thread, &[key("Z")]);
    assert_eq!(c, vec![("Z".to_string(), "Quit (vim ZZ)".to_string())]);
}

fn press(app: &mut App, keys: &str) {
    for k in keys.split_whitespace() {
        app.handle(AppMsg::Key(key(k)));
    }
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("term");
    t.draw(|f| resou::ui::render(f, &app.state)).expect("draw");
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn which_key_popup_follows_the_pending_prefix() {
    let mut app = App::new(Keymap::default_map());
    press(&mut app, "g");
    assert_eq!(
        app.state.input.which_key,
        vec![("g".to_string(), "First row".to_string())]
    );
    assert!(screen(&app, 100, 30).contains("First row"), "popup drawn");
    press(&mut app, "g");
    assert!(app.state.input.which_key.is_empty() && app.state.input.pending.is_empty());
    assert!(!screen(&app, 100, 30).contains("First row"));
    press(&mut app, "g x");
    assert!(
        app.state.input.which_key.is_empty(),
        "an unbound continuation closes it"
    );
}

#[test]
fn typing_in_help_filters_its_rows() {
    let mut app = App::new(Keymap::default_map());
    press(&mut app, "?");
    assert!(app.state.popups.show_help);
    press(&mut app, "p a u s");
    assert_eq!(app.state.popups.help_query, "paus");
    assert!(
        app.state.popups.show_help && !app.state.lists.paused,
        "p typed, not pause"
    );
    let rows = resou::ui::help::filtered(&app.state.popups.help, &app.state.popups.help_query);
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r.desc.to_lowercase().contains("paus")),
        "{rows:?}"
    );
    let shown = screen(&app, 100, 30);
    assert!(shown.contains("filter: paus") && shown.contains("Pause/resume polling"));
    assert!(!shown.contains("Next row"), "other rows filtered out");
    press(&mut app, "backspace backspace backspace backspace");
    assert_eq!(app.state.popups.help_query, "");
    assert!(
        app.state.popups.show_help,
        "backspace edits the filter first"
    );
    press(&mut app, "q ?");
    assert!(!app.state.popups.show_help, "? closes");
    press(&mut app, "?");
    assert_eq!(app.state.popups.help_query, "", "a fresh filter each time");
    press(&mut app, "ctrl-[");
    assert!(
        !app.state.popups.show_help && !app.state.quit,
        "esc / ctrl-[ close"
    );
}

fn resou_keys(args: &[&str], keymap_file: Option<&str>) -> std::process::Output {
    let dir = tempfile::tempdir().expect("tempdir");
    if let Some(src) = keymap_file {
        std::fs::create_dir_all(dir.path().join("resou")).expect("mkdir");
        std::fs::write(dir.path().join("resou/keymap.toml"), src).expect("write");
    }
    std::process::Command::new(env!("CARGO_BIN_EXE_resou"))
        .arg("keys")
        .args(args)
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .expect("run resou keys")
}

#[test]
fn resou_keys_prints_bindings_with_their_source() {
    let out = resou_keys(
        &["--preset", "vim", "--bind", "board.e=noop"],
        Some("[board]\n\"t\" = \"watch\"\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let row = |keys: &str| {
        text.lines()
            .find(|l| {
                l.split_whitespace()
                    .collect::<Vec<_>>()
                    .starts_with(&keys.split(' ').collect::<Vec<_>>())
            })
            .unwrap_or_else(|| panic!("no row for {keys} in\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(text.contains("[board]") && text.contains("[input]"));
    assert!(
        row("ctrl-d").starts_with("ctrl-d page_down vim"),
        "{}",
        row("ctrl-d")
    );
    assert!(row("Z Z").starts_with("Z Z quit vim"));
    assert!(row("t").starts_with("t watch user"));
    assert!(row("j").starts_with("j select_next default"));
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("e ")),
        "--bind noop unbinds"
    );
}

#[test]
fn resou_keys_exits_2_on_a_bad_layer() {
    let out = resou_keys(&[], Some("[board]\n\n\"g\" = \"quit\"\n"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("keymap.toml:3: [board] `g`"), "{err}");
    let out = resou_keys(&["--bind", "board.x=qit"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bind 'board.x=qit': unknown action"));
    let out = resou_keys(&["--preset", "nano"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--preset: unknown keymap preset `nano`")
    );
}
