//! Themes and colour depth: detection from the environment, background detection, RGB
//! downsampling, and the board drawn with no colour and with 16 colours, where the selected row,
//! rising keywords and KOL badges must stay distinguishable by their modifiers.

use crate::render_support;

use std::collections::HashMap;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style};
use resou::app::state::AppState;
use resou::config::Config;
use resou::config::theme::{ColourDepth, ColourSetting, ThemeName, detect};
use resou::ui::render_with;
use resou::ui::text::display_width;
use resou::ui::theme::Theme;
use resou::ui::theme::colour::{
    Background, background_from_env, downsample, nearest_16, nearest_256, parse_osc11_reply,
};

use render_support::{assert_no_hidden_text, find_row, sample_state};

fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k: &str| map.get(k).cloned()
}

#[test]
fn colour_depth_detection_table() {
    use ColourDepth::*;
    let table: &[(&[(&str, &str)], ColourDepth)] = &[
        (&[], Ansi16),
        (&[("TERM", "xterm")], Ansi16),
        (&[("TERM", "screen")], Ansi16),
        (&[("TERM", "xterm-256color")], Ansi256),
        (&[("TERM", "tmux-256color")], Ansi256),
        (
            &[("TERM", "xterm-256color"), ("COLORTERM", "truecolor")],
            TrueColor,
        ),
        (&[("TERM", "xterm"), ("COLORTERM", "24bit")], TrueColor),
        (
            &[("TERM", "xterm-256color"), ("COLORTERM", "TrueColor")],
            TrueColor,
        ),
        (&[("TERM", "xterm-direct")], TrueColor),
        (&[("TERM", "xterm-256color"), ("COLORTERM", "yes")], Ansi256),
        (&[("TERM", "dumb")], None),
        (&[("TERM", "dumb"), ("COLORTERM", "truecolor")], None),
        (
            &[
                ("TERM", "xterm-256color"),
                ("COLORTERM", "truecolor"),
                ("NO_COLOR", "1"),
            ],
            None,
        ),
        // An empty NO_COLOR does not count (no-color.org).
        (&[("TERM", "xterm-256color"), ("NO_COLOR", "")], Ansi256),
    ];
    for (env, want) in table {
        assert_eq!(detect(&env_of(env)), *want, "{env:?}");
    }
}

#[test]
fn configured_depth_and_no_color() {
    let env = env_of(&[("TERM", "xterm-256color")]);
    assert_eq!(ColourSetting::Auto.depth(&env), ColourDepth::Ansi256);
    assert_eq!(
        ColourSetting::Fixed(ColourDepth::Ansi16).depth(&env),
        ColourDepth::Ansi16
    );
    let no = env_of(&[("TERM", "xterm-256color"), ("NO_COLOR", "1")]);
    assert_eq!(
        ColourSetting::Fixed(ColourDepth::TrueColor).depth(&no),
        ColourDepth::None,
        "NO_COLOR wins over the config"
    );
    for (s, want) in [
        ("auto", ColourSetting::Auto),
        ("16", ColourSetting::Fixed(ColourDepth::Ansi16)),
        ("256", ColourSetting::Fixed(ColourDepth::Ansi256)),
        ("truecolor", ColourSetting::Fixed(ColourDepth::TrueColor)),
        ("none", ColourSetting::Fixed(ColourDepth::None)),
    ] {
        assert_eq!(ColourSetting::parse(s), Some(want), "{s}");
    }
    assert_eq!(ColourSetting::parse("88"), Option::None);
}

#[test]
fn theme_config_section() {
    let d = Config::default().theme;
    assert_eq!(d.name, ThemeName::Auto);
    assert_eq!(d.colours, ColourSetting::Auto);
    assert!(!d.mouse, "mouse is off by default");
    let c = Config::parse(
        "[theme]\nname = \"light\"\ncolours = \"256\"\nmouse = true\n",
        "c.toml",
    )
    .unwrap();
    assert_eq!(c.theme.name, ThemeName::Light);
    assert_eq!(c.theme.colours, ColourSetting::Fixed(ColourDepth::Ansi256));
    assert!(c.theme.mouse);
    let n = Config::parse("[theme]\ncolours = 16\n", "c.toml").unwrap();
    assert_eq!(n.theme.colours, ColourSetting::Fixed(ColourDepth::Ansi16));
    let e = Config::parse("[theme]\n\ncolours = \"many\"\n", "c.toml")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("c.toml:3:") && e.contains("truecolor"), "{e}");
    let e = Config::parse("[theme]\nname = \"solarized\"\n", "c.toml")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("c.toml:2:"), "{e}");
}

#[test]
fn background_from_colorfgbg() {
    let bg = |v: &str| background_from_env(&env_of(&[("COLORFGBG", v)]));
    assert_eq!(bg("15;0"), Some(Background::Dark));
    assert_eq!(bg("0;15"), Some(Background::Light));
    assert_eq!(
        bg("0;default;15"),
        Some(Background::Light),
        "rxvt's 3 fields"
    );
    assert_eq!(bg("7;8"), Some(Background::Dark));
    assert_eq!(bg("0;7"), Some(Background::Light));
    assert_eq!(bg("default;default"), Option::None);
    assert_eq!(background_from_env(&env_of(&[])), Option::None);
}

#[test]
fn osc11_reply_parser() {
    let p = |s: &[u8]| parse_osc11_reply(s);
    assert_eq!(
        p(b"\x1b]11;rgb:ffff/ffff/ffff\x07"),
        Some(Background::Light)
    );
    assert_eq!(
        p(b"\x1b]11;rgb:0000/0000/0000\x1b\\"),
        Some(Background::Dark)
    );
    // Solarized light (fdf6e3) and dark (002b36), as xterm reports them.
    assert_eq!(
        p(b"\x1b]11;rgb:fdfd/f6f6/e3e3\x1b\\"),
        Some(Background::Light)
    );
    assert_eq!(p(b"\x1b]11;rgb:0000/2b2b/3636\x07"), Some(Background::Dark));
    // Two-digit components, and key input read before the reply.
    assert_eq!(p(b"jk\x1b]11;rgb:1e/1e/2e\x07"), Some(Background::Dark));
    assert_eq!(p(b"\x1b]11;rgb:e/e/e\x07"), Some(Background::Light));
    for bad in [
        &b"\x1b]11;rgb:ffff/ffff"[..],
        b"\x1b]11;rgb:ffff/ffff/ffff",
        b"\x1b]11;rgb:ffff/ffff/ffff\x1bX",
        b"\x1b]11;rgb:gggg/0000/0000\x07",
        b"\x1b]11;rgb:ffff/ffff/ffff/ffff\x07",
        b"\x1b]11;rgb:fffff/0/0\x07",
        b"\x1b]10;rgb:ffff/ffff/ffff\x07",
        b"",
    ] {
        assert_eq!(p(bad), Option::None, "{bad:?}");
    }
}

#[test]
fn auto_theme_follows_the_background() {
    let light_env = env_of(&[("COLORFGBG", "0;15"), ("TERM", "xterm")]);
    let auto = |env: &dyn Fn(&str) -> Option<String>, reported| {
        Theme::select(ThemeName::Auto, ColourSetting::Auto, &env, reported)
    };
    assert_eq!(auto(&light_env, Option::None), Theme::light());
    assert_eq!(
        auto(&light_env, Some(Background::Dark)),
        Theme::dark(),
        "a reported background wins over COLORFGBG"
    );
    assert_eq!(auto(&env_of(&[]), Option::None), Theme::dark());
    assert_eq!(
        Theme::select(
            ThemeName::Dark,
            ColourSetting::Auto,
            &light_env,
            Option::None
        ),
        Theme::dark()
    );
    let no = env_of(&[("NO_COLOR", "1")]);
    let t = Theme::select(ThemeName::Light, ColourSetting::Auto, &no, Option::None);
    assert!(
        t.styles()
            .iter()
            .all(|(_, s)| s.fg.is_none() && s.bg.is_none())
    );
}

#[test]
fn nearest_indices_of_known_colours() {
    // (rgb, xterm-256 index, ANSI colour)
    let table = [
        ((0xff, 0x38, 0x52), 203, Color::LightRed), // Weibo's 新 badge
        ((0x1e, 0x90, 0xff), 33, Color::LightBlue),
        ((0x87, 0xaf, 0xd7), 110, Color::DarkGray),
        ((0x80, 0x80, 0x80), 244, Color::DarkGray),
        ((0x00, 0x00, 0x00), 16, Color::Black),
        ((0xff, 0xff, 0xff), 231, Color::White),
        ((0x00, 0xcd, 0x00), 40, Color::Green),
        ((0xee, 0xee, 0xee), 255, Color::Gray),
    ];
    for (rgb, i256, c16) in table {
        assert_eq!(nearest_256(rgb), i256, "{rgb:?}");
        assert_eq!(nearest_16(rgb), c16, "{rgb:?}");
    }
}

/// The dark theme with a few roles in RGB and 256 colours, as a user theme might have.
fn rich_theme() -> Theme {
    Theme {
        label_new: Style::new()
            .fg(Color::Rgb(0xff, 0x38, 0x52))
            .add_modifier(Modifier::BOLD),
        heat: Style::new().fg(Color::Rgb(0x1e, 0x90, 0xff)),
        selection: Style::new()
            .bg(Color::Rgb(0x80, 0x80, 0x80))
            .add_modifier(Modifier::REVERSED),
        kol: Style::new()
            .fg(Color::Indexed(203))
            .add_modifier(Modifier::BOLD),
        rank: Style::new().fg(Color::Indexed(4)),
        ..Theme::dark()
    }
}

#[test]
fn downsample_maps_rgb_to_the_terminal_depth() {
    let rich = rich_theme();
    let t = downsample(&rich, ColourDepth::TrueColor);
    assert_eq!(t, rich, "truecolor keeps everything");

    let t = downsample(&rich, ColourDepth::Ansi256);
    assert_eq!(t.label_new.fg, Some(Color::Indexed(203)));
    assert_eq!(t.heat.fg, Some(Color::Indexed(33)));
    assert_eq!(t.selection.bg, Some(Color::Indexed(244)));
    assert_eq!(t.kol.fg, Some(Color::Indexed(203)));
    assert_eq!(t.title, rich.title, "ANSI colours stay");

    let t = downsample(&rich, ColourDepth::Ansi16);
    assert_eq!(t.label_new.fg, Some(Color::LightRed));
    assert_eq!(t.heat.fg, Some(Color::LightBlue));
    assert_eq!(t.selection.bg, Some(Color::DarkGray));
    assert_eq!(t.kol.fg, Some(Color::LightRed), "index 203 is (255,95,95)");
    assert_eq!(t.rank.fg, Some(Color::Blue), "index 4 is ANSI blue");
    for (role, s) in t.styles() {
        for c in [s.fg, s.bg].into_iter().flatten() {
            assert!(
                !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                "{role}: {c:?}"
            );
        }
    }
    // Modifiers never change.
    for depth in [ColourDepth::Ansi256, ColourDepth::Ansi16] {
        let t = downsample(&rich, depth);
        for ((role, a), (_, b)) in rich.styles().into_iter().zip(t.styles()) {
            assert_eq!(a.add_modifier, b.add_modifier, "{role} at {depth:?}");
        }
    }
}

#[test]
fn without_colour_every_style_keeps_its_modifiers() {
    for base in [Theme::dark(), Theme::light(), rich_theme()] {
        let t = downsample(&base, ColourDepth::None);
        for ((role, before), (_, after)) in base.styles().into_iter().zip(t.styles()) {
            assert_eq!(after.fg, Option::None, "{role}");
            assert_eq!(after.bg, Option::None, "{role}");
            assert_eq!(after.add_modifier, before.add_modifier, "{role}");
            assert_eq!(after.sub_modifier, before.sub_modifier, "{role}");
        }
        assert_eq!(t.symbols, base.symbols);
    }
}

fn draw_with(state: &AppState, theme: &Theme, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| render_with(f, state, theme)).unwrap();
    assert_no_hidden_text(terminal.backend().buffer(), w, h);
    terminal
}

/// Columns of row `y` a terminal draws (cells behind a wide glyph left out), with their text.
fn cells(buf: &Buffer, y: u16) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    let mut x = 0;
    while x < buf.area.width {
        let sym = buf[(x, y)].symbol().to_string();
        let w = display_width(&sym).max(1) as u16;
        out.push((x, sym));
        x += w;
    }
    out
}

/// Columns of the cells of `needle` in row `y`.
fn cells_of(buf: &Buffer, y: u16, needle: &str) -> Vec<u16> {
    let cs = cells(buf, y);
    let mut text = String::new();
    let mut starts = Vec::new();
    for (x, s) in &cs {
        starts.push((text.len(), *x));
        text.push_str(s);
    }
    let Some(at) = text.find(needle) else {
        panic!("{needle:?} not in row {y}: {text:?}");
    };
    starts
        .iter()
        .filter(|(b, _)| *b >= at && *b < at + needle.len())
        .map(|(_, x)| *x)
        .collect()
}

fn has(buf: &Buffer, x: u16, y: u16, m: Modifier) -> bool {
    buf[(x, y)].modifier.contains(m)
}

/// The selected row is reversed and no other is; rising keywords are bold and underlined and
/// the rest of their title is not; the KOL badge is bold and its row's title is not.
fn assert_highlights_distinguishable(buf: &Buffer, state: &AppState) {
    let selected = state
        .board
        .rows
        .iter()
        .find(|r| Some(&r.key) == state.board.selection.key.as_ref())
        .map(|r| r.topic.title.as_str().chars().take(4).collect::<String>())
        .unwrap();
    // The rank column and the title: the board's part of the row (a side panel may follow).
    let sel_y = find_row(buf, &selected).unwrap();
    for x in (0..5).chain(cells_of(buf, sel_y, &selected)) {
        assert!(
            has(buf, x, sel_y, Modifier::REVERSED),
            "selected row, cell {x}"
        );
    }
    let other = find_row(buf, "网友集体呼吁旺旺减糖").unwrap();
    for x in (0..5).chain(cells_of(buf, other, "网友集体呼吁旺旺减糖")) {
        assert!(
            !has(buf, x, other, Modifier::REVERSED),
            "unselected row, cell {x}"
        );
    }
    for x in cells_of(buf, other, "旺旺") {
        assert!(
            has(buf, x, other, Modifier::BOLD | Modifier::UNDERLINED),
            "rising keyword, cell {x}"
        );
    }
    for x in cells_of(buf, other, "网友集体呼吁")
        .into_iter()
        .chain(cells_of(buf, other, "减糖"))
    {
        assert!(
            !has(buf, x, other, Modifier::UNDERLINED),
            "plain title, cell {x}"
        );
        assert!(!has(buf, x, other, Modifier::BOLD), "plain title, cell {x}");
    }
    let kol_y = find_row(buf, "国乒男单全军覆没").unwrap();
    for x in cells_of(buf, kol_y, "@央视新闻") {
        assert!(has(buf, x, kol_y, Modifier::BOLD), "KOL badge, cell {x}");
    }
    for x in cells_of(buf, kol_y, "国乒男单全军覆没") {
        assert!(
            !has(buf, x, kol_y, Modifier::BOLD),
            "title beside the badge, cell {x}"
        );
    }
}

/// Lines of the screen with style runs marked: `{BRU fg|text}` (`fg/bg` when there is a
/// background) for runs with modifiers or colours (B bold, R reversed, U underlined).
fn styled_dump(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut run_key = String::new();
        let mut run = String::new();
        let flush = |out: &mut String, key: &str, run: &str| {
            if key.is_empty() {
                out.push_str(run);
            } else if !run.is_empty() {
                out.push_str(&format!("{{{key}|{run}}}"));
            }
        };
        for (x, sym) in cells(buf, y) {
            let c = &buf[(x, y)];
            let mut key = String::new();
            for (m, ch) in [
                (Modifier::BOLD, 'B'),
                (Modifier::REVERSED, 'R'),
                (Modifier::UNDERLINED, 'U'),
            ] {
                if c.modifier.contains(m) {
                    key.push(ch);
                }
            }
            if c.bg != Color::Reset {
                key.push_str(&format!(" {:?}/{:?}", c.fg, c.bg));
            } else if c.fg != Color::Reset {
                key.push_str(&format!(" {:?}", c.fg));
            }
            if key != run_key {
                flush(&mut out, &run_key, &run);
                run.clear();
                run_key = key;
            }
            run.push_str(&sym);
        }
        flush(&mut out, &run_key, &run);
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    out
}

#[test]
fn board_without_colour_keeps_every_highlight() {
    let state = sample_state();
    let env = env_of(&[("NO_COLOR", "1"), ("TERM", "xterm-256color")]);
    for name in [ThemeName::Dark, ThemeName::Light] {
        let theme = Theme::select(name, ColourSetting::Auto, &env, Option::None);
        let t = draw_with(&state, &theme, 120, 40);
        let buf = t.backend().buffer();
        for y in 0..buf.area.height {
            for (x, _) in cells(buf, y) {
                assert_eq!(buf[(x, y)].fg, Color::Reset, "({x},{y})");
                assert_eq!(buf[(x, y)].bg, Color::Reset, "({x},{y})");
            }
        }
        assert_highlights_distinguishable(buf, &state);
        if name == ThemeName::Dark {
            insta::assert_snapshot!("board_no_color_120x40", styled_dump(buf));
        }
    }
}

#[test]
fn board_in_16_colours_keeps_every_highlight() {
    let state = sample_state();
    let env = env_of(&[("TERM", "xterm")]);
    for name in [ThemeName::Dark, ThemeName::Light] {
        let theme = Theme::select(name, ColourSetting::Auto, &env, Option::None);
        let t = draw_with(&state, &theme, 120, 40);
        let buf = t.backend().buffer();
        for y in 0..buf.area.height {
            for (x, _) in cells(buf, y) {
                for c in [buf[(x, y)].fg, buf[(x, y)].bg] {
                    assert!(
                        !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                        "({x},{y}) {c:?}"
                    );
                }
            }
        }
        assert_highlights_distinguishable(buf, &state);
        // Colour still marks rising keywords, distinct from plain title text.
        let y = find_row(buf, "网友集体呼吁旺旺减糖").unwrap();
        let x = cells_of(buf, y, "旺旺")[0];
        assert_eq!(buf[(x, y)].fg, theme.rising.fg.unwrap());
        assert_ne!(buf[(x, y)].fg, buf[(cells_of(buf, y, "减糖")[0], y)].fg);
        let snap = match name {
            ThemeName::Light => "board_16_light_80x24",
            _ => "board_16_dark_80x24",
        };
        let small = draw_with(&state, &theme, 80, 24);
        assert_highlights_distinguishable(small.backend().buffer(), &state);
        insta::assert_snapshot!(snap, styled_dump(small.backend().buffer()));
    }
}
