//! Every shipped keymap file parses and resolves; the defaults only use SSH-safe keys.

use resou::config::keymap::{Key, KeyCode, Keymap, Mode, Resolved, parse_seq};

#[test]
fn every_file_in_keymaps_parses() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("keymaps");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("keymaps/") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let src = std::fs::read_to_string(&path).expect("read");
        let mut km = Keymap::default();
        km.apply_str(&src, &path.display().to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        n += 1;
    }
    assert!(n >= 1);
}

#[test]
fn defaults_avoid_keys_that_do_not_survive_ssh_and_tmux() {
    let km = Keymap::default_map();
    for (mode, map) in &km.modes {
        for seq in map.keys() {
            for k in seq {
                // ctrl-shift-*, ctrl-enter, ctrl-tab need the kitty protocol; ctrl-a/ctrl-b are tmux/screen prefixes.
                let bad = k.ctrl
                    && (k.shift
                        || matches!(
                            k.code,
                            KeyCode::Enter | KeyCode::Tab | KeyCode::Char('a' | 'b')
                        ));
                assert!(!bad, "[{}] {k} is not SSH/tmux safe", mode.name());
            }
        }
    }
}

#[test]
fn esc_and_ctrl_bracket_mean_the_same_everywhere() {
    let km = Keymap::default_map();
    let esc = Key::plain(KeyCode::Esc);
    let ctrl_bracket = parse_seq("ctrl-[").expect("parse")[0];
    for mode in [Mode::Board, Mode::Keywords, Mode::Help] {
        let a = km.resolve(&[mode], &[], esc);
        assert!(matches!(a, Resolved::Action(_)));
        assert_eq!(a, km.resolve(&[mode], &[], ctrl_bracket));
    }
}
