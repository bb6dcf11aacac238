//! Semantic styles. Both themes (dark, the default, and light) use only the 16 ANSI colours (they
//! follow the user's palette and are safe over SSH) and never rely on colour alone: with NO_COLOR
//! every colour is dropped, so selection is REVERSED, emphasis is BOLD, and labels/movement are
//! text. `colour` maps a theme to the terminal's colour depth.

// Lives beside this file; declared here so the theme and its colour handling stay one unit.
#[path = "colour.rs"]
pub mod colour;

use ratatui::style::{Color, Modifier, Style};

pub use colour::Background;

use crate::app::state::Movement;
use crate::config::theme::{ColourSetting, ThemeName};
use crate::domain::{Label, Platform, Tier};

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// App name in the header.
    pub title: Style,
    /// Header line background text (tab names, separators).
    pub header: Style,
    pub tab_active: Style,
    /// Column headings of the board.
    pub column_header: Style,
    pub rank: Style,
    pub pinned: Style,
    pub topic: Style,
    pub heat: Style,
    pub move_up: Style,
    pub move_down: Style,
    pub move_new: Style,
    pub move_same: Style,
    pub label_new: Style,
    pub label_hot: Style,
    pub label_boiling: Style,
    pub label_explosive: Style,
    pub label_commercial: Style,
    pub tag_weibo: Style,
    pub tag_tieba: Style,
    pub tag_baidu: Style,
    pub tag_douyin: Style,
    pub tag_zhihu: Style,
    pub tag_toutiao: Style,
    pub tag_bilibili: Style,
    pub tag_kuaishou: Style,
    /// The four news lists read through newsnow (澎湃, 财联社, 凤凰网, 华尔街见闻).
    pub tag_news: Style,
    /// Added on top of the row's cell styles.
    pub selection: Style,
    pub live: Style,
    pub paused: Style,
    pub banner: Style,
    /// The "viewing 14:05 — live is 15:20" banner of time travel (reversed: unmissable).
    pub travel: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    pub muted: Style,
    pub key: Style,
    /// Rising keywords inside board titles: colour + BOLD + UNDERLINED (survives NO_COLOR).
    pub rising: Style,
    /// The `▲` marker of a rising keyword in the keyword panel.
    pub rising_marker: Style,
    /// The `★` marker of a keyword rising on both platforms.
    pub cross_platform: Style,
    /// Steady (non-rising) keyword rows.
    pub steady: Style,
    /// KOL badge on board rows and names in the KOL panel.
    pub kol: Style,
    /// The `filter: …` note in the header.
    pub filter: Style,
    /// Post text: `#话题#`, `@mentions`, emoji alt text, links, author names.
    pub hashtag: Style,
    pub mention: Style,
    pub emoji: Style,
    pub link: Style,
    pub author: Style,
    /// Verified badge next to an author.
    pub verified: Style,
    /// Triage marks (⚑ ✎ • ⊘) in front of titles.
    pub flag: Style,
    /// Rows new since the last look.
    pub new_item: Style,
    /// Panel borders and separators.
    pub border: Style,
    /// Selected row of the panel that does not have the keyboard.
    pub selection_unfocused: Style,
    /// Warning tiers 蓝/黄/橙/红 of team alerts (the tier is also written as its character).
    pub tier_blue: Style,
    pub tier_yellow: Style,
    pub tier_orange: Style,
    pub tier_red: Style,
    /// Glyphs with an ASCII-safe alternative for terminals that draw ambiguous-width symbols wide.
    pub symbols: Symbols,
}

/// Layout-relevant glyphs, kept in the theme so a later ASCII theme can swap them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbols {
    pub up: &'static str,
    pub down: &'static str,
    pub new: &'static str,
    pub same: &'static str,
    pub pinned: &'static str,
    pub no_heat: &'static str,
    pub live: &'static str,
    pub paused: &'static str,
    pub ok: &'static str,
    pub failing: &'static str,
    /// A delivery waiting for its next try.
    pub pending: &'static str,
    pub sep: &'static str,
    pub rising: &'static str,
    /// A keyword entry that was rising and no longer is.
    pub cooling: &'static str,
    pub cross_platform: &'static str,
    pub flat: &'static str,
    pub kol: &'static str,
    /// Triage marks: flagged, noted, new since the last look, muted.
    pub flag: &'static str,
    pub note: &'static str,
    pub new_item: &'static str,
    pub muted: &'static str,
    /// Flagged or noted by someone else on the team (shared triage).
    pub team: &'static str,
    /// Sparkline levels, lowest first.
    pub spark: [&'static str; 8],
}

impl Default for Symbols {
    fn default() -> Self {
        Symbols {
            up: "↑",
            down: "↓",
            new: "NEW",
            same: "–",
            pinned: "TOP",
            no_heat: "—",
            live: "● LIVE",
            paused: "❚❚ PAUSED",
            ok: "✓",
            failing: "✗",
            pending: "↻",
            sep: " · ",
            rising: "▲",
            cooling: "▽",
            cross_platform: "★",
            flat: "→",
            kol: "@",
            flag: "⚑",
            note: "✎",
            new_item: "•",
            muted: "⊘",
            team: "◆",
            spark: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        }
    }
}

/// Generates `map_styles` and `styles` from one field list; the struct literal in `map_styles`
/// has no `..`, so a new style field that is not listed here does not compile.
macro_rules! style_fields {
    ($($f:ident),* $(,)?) => {
        impl Theme {
            /// The theme with `f` applied to every style.
            pub fn map_styles(&self, f: impl Fn(Style) -> Style) -> Theme {
                Theme {
                    $($f: f(self.$f),)*
                    symbols: self.symbols.clone(),
                }
            }

            /// Every style with its role name.
            pub fn styles(&self) -> Vec<(&'static str, Style)> {
                vec![$((stringify!($f), self.$f)),*]
            }
        }
    };
}

style_fields!(
    title,
    header,
    tab_active,
    column_header,
    rank,
    pinned,
    topic,
    heat,
    move_up,
    move_down,
    move_new,
    move_same,
    label_new,
    label_hot,
    label_boiling,
    label_explosive,
    label_commercial,
    tag_weibo,
    tag_tieba,
    tag_baidu,
    tag_douyin,
    tag_zhihu,
    tag_toutiao,
    tag_bilibili,
    tag_kuaishou,
    tag_news,
    selection,
    live,
    paused,
    banner,
    travel,
    ok,
    warn,
    error,
    muted,
    key,
    rising,
    rising_marker,
    cross_platform,
    steady,
    kol,
    filter,
    hashtag,
    mention,
    emoji,
    link,
    author,
    verified,
    flag,
    new_item,
    border,
    selection_unfocused,
    tier_blue,
    tier_yellow,
    tier_orange,
    tier_red,
);

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}

impl Theme {
    /// For dark backgrounds (the default).
    pub fn dark() -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let fg = |c: Color| Style::new().fg(c);
        Theme {
            title: bold.fg(Color::Red),
            header: Style::new(),
            tab_active: bold.add_modifier(Modifier::REVERSED),
            column_header: bold.fg(Color::DarkGray),
            rank: fg(Color::Cyan),
            pinned: bold.fg(Color::Magenta),
            topic: Style::new(),
            heat: fg(Color::Yellow),
            move_up: fg(Color::Green),
            move_down: fg(Color::Red),
            move_new: bold.fg(Color::Yellow),
            move_same: fg(Color::DarkGray),
            label_new: bold.fg(Color::LightRed),
            label_hot: bold.fg(Color::Yellow),
            label_boiling: bold.fg(Color::Red),
            label_explosive: bold.fg(Color::Magenta),
            label_commercial: bold.fg(Color::Blue),
            tag_weibo: fg(Color::Red),
            tag_tieba: fg(Color::Blue),
            tag_baidu: fg(Color::LightBlue),
            tag_douyin: fg(Color::Magenta),
            tag_zhihu: fg(Color::Cyan),
            tag_toutiao: fg(Color::LightRed),
            tag_bilibili: fg(Color::LightMagenta),
            tag_kuaishou: fg(Color::Yellow),
            tag_news: fg(Color::Gray),
            selection: bold.add_modifier(Modifier::REVERSED),
            live: bold.fg(Color::Green),
            paused: bold.fg(Color::Yellow),
            banner: fg(Color::Cyan),
            ok: fg(Color::Green),
            warn: fg(Color::Yellow),
            error: bold.fg(Color::Red),
            muted: fg(Color::DarkGray),
            key: bold.fg(Color::Cyan),
            rising: bold.add_modifier(Modifier::UNDERLINED).fg(Color::Yellow),
            rising_marker: bold.fg(Color::Yellow),
            cross_platform: bold.fg(Color::LightRed),
            steady: fg(Color::DarkGray),
            kol: bold.fg(Color::LightMagenta),
            filter: bold.fg(Color::Yellow),
            hashtag: fg(Color::Blue).add_modifier(Modifier::BOLD),
            mention: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            emoji: fg(Color::Yellow),
            link: fg(Color::Blue).add_modifier(Modifier::UNDERLINED),
            author: bold,
            verified: bold.fg(Color::Yellow),
            flag: bold.fg(Color::LightRed),
            new_item: bold,
            border: fg(Color::DarkGray),
            selection_unfocused: bold.add_modifier(Modifier::UNDERLINED),
            travel: bold.add_modifier(Modifier::REVERSED),
            tier_blue: bold.fg(Color::LightBlue),
            tier_yellow: bold.fg(Color::Yellow),
            // the 16 colours have no orange; light red is the closest in most palettes
            tier_orange: bold.fg(Color::LightRed),
            tier_red: bold.fg(Color::Red),
            symbols: Symbols::default(),
        }
    }

    /// For light backgrounds: no yellow, white, light or cyan foregrounds (unreadable on white);
    /// the same modifiers as the dark theme, so NO_COLOR looks the same with either.
    pub fn light() -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let fg = |c: Color| Style::new().fg(c);
        Theme {
            title: bold.fg(Color::Red),
            header: Style::new(),
            tab_active: bold.add_modifier(Modifier::REVERSED),
            column_header: bold.fg(Color::DarkGray),
            rank: fg(Color::Blue),
            pinned: bold.fg(Color::Magenta),
            topic: Style::new(),
            heat: fg(Color::Magenta),
            move_up: fg(Color::Green),
            move_down: fg(Color::Red),
            move_new: bold.fg(Color::Magenta),
            move_same: fg(Color::DarkGray),
            label_new: bold.fg(Color::Red),
            label_hot: bold.fg(Color::Magenta),
            label_boiling: bold.fg(Color::Red),
            label_explosive: bold.fg(Color::Magenta),
            label_commercial: bold.fg(Color::Blue),
            tag_weibo: fg(Color::Red),
            tag_tieba: fg(Color::Blue),
            // the 16-colour palette has few dark hues: bold tells the second use of one apart
            tag_baidu: bold.fg(Color::Blue),
            tag_douyin: fg(Color::Black),
            tag_zhihu: fg(Color::Green),
            tag_toutiao: bold.fg(Color::Red),
            tag_bilibili: fg(Color::Magenta),
            tag_kuaishou: bold.fg(Color::Magenta),
            tag_news: fg(Color::DarkGray),
            selection: bold.add_modifier(Modifier::REVERSED),
            live: bold.fg(Color::Green),
            paused: bold.fg(Color::Magenta),
            banner: fg(Color::Blue),
            ok: fg(Color::Green),
            warn: bold.fg(Color::Magenta),
            error: bold.fg(Color::Red),
            muted: fg(Color::DarkGray),
            key: bold.fg(Color::Blue),
            rising: bold.add_modifier(Modifier::UNDERLINED).fg(Color::Magenta),
            rising_marker: bold.fg(Color::Magenta),
            cross_platform: bold.fg(Color::Red),
            steady: fg(Color::DarkGray),
            kol: bold.fg(Color::Blue),
            filter: bold.fg(Color::Magenta),
            hashtag: fg(Color::Blue).add_modifier(Modifier::BOLD),
            mention: fg(Color::Magenta).add_modifier(Modifier::BOLD),
            emoji: fg(Color::Magenta),
            link: fg(Color::Blue).add_modifier(Modifier::UNDERLINED),
            author: bold,
            verified: bold.fg(Color::Red),
            flag: bold.fg(Color::Red),
            new_item: bold,
            border: fg(Color::DarkGray),
            selection_unfocused: bold.add_modifier(Modifier::UNDERLINED),
            travel: bold.add_modifier(Modifier::REVERSED),
            tier_blue: bold.fg(Color::Blue),
            // yellow and orange text is unreadable on white: dark text on the tier's colour
            tier_yellow: bold.fg(Color::Black).bg(Color::Yellow),
            tier_orange: bold.fg(Color::Black).bg(Color::LightRed),
            tier_red: bold.fg(Color::Red),
            symbols: Symbols::default(),
        }
    }

    /// The theme to draw with: `name` (auto: the background the terminal reported, e.g. from an
    /// OSC 11 reply, else `COLORFGBG`, else dark), downsampled to the colour depth `colours`
    /// resolves to in `env`.
    pub fn select(
        name: ThemeName,
        colours: ColourSetting,
        env: &impl Fn(&str) -> Option<String>,
        reported: Option<Background>,
    ) -> Theme {
        let background = match name {
            ThemeName::Dark => Background::Dark,
            ThemeName::Light => Background::Light,
            ThemeName::Auto => reported
                .or_else(|| colour::background_from_env(env))
                .unwrap_or(Background::Dark),
        };
        let base = match background {
            Background::Dark => Theme::dark(),
            Background::Light => Theme::light(),
        };
        colour::downsample(&base, colours.depth(env))
    }

    pub fn label(&self, label: Label) -> Style {
        match label {
            Label::None => self.topic,
            Label::New => self.label_new,
            Label::Hot => self.label_hot,
            Label::Boiling => self.label_boiling,
            Label::Explosive => self.label_explosive,
            Label::Commercial => self.label_commercial,
        }
    }

    /// A warning tier's style; an unknown tier is muted.
    pub fn tier(&self, tier: Option<Tier>) -> Style {
        match tier {
            Some(Tier::Blue) => self.tier_blue,
            Some(Tier::Yellow) => self.tier_yellow,
            Some(Tier::Orange) => self.tier_orange,
            Some(Tier::Red) => self.tier_red,
            None => self.muted,
        }
    }

    pub fn platform(&self, p: Platform) -> Style {
        match p {
            Platform::Weibo => self.tag_weibo,
            Platform::Tieba => self.tag_tieba,
            Platform::Baidu => self.tag_baidu,
            Platform::Douyin => self.tag_douyin,
            Platform::Zhihu => self.tag_zhihu,
            Platform::Toutiao => self.tag_toutiao,
            Platform::Bilibili => self.tag_bilibili,
            Platform::Kuaishou => self.tag_kuaishou,
            Platform::ThePaper | Platform::Cls | Platform::Ifeng | Platform::WallStreetCn => {
                self.tag_news
            }
        }
    }

    pub fn movement(&self, m: Movement) -> Style {
        match m {
            Movement::New => self.move_new,
            Movement::Up(_) => self.move_up,
            Movement::Down(_) => self.move_down,
            Movement::Same | Movement::Pinned => self.move_same,
        }
    }

    /// Movement as text: `↑3`, `↓2`, `NEW`, `–`; pinned rows show nothing.
    pub fn movement_text(&self, m: Movement) -> String {
        match m {
            Movement::New => self.symbols.new.to_string(),
            Movement::Up(n) => format!("{}{n}", self.symbols.up),
            Movement::Down(n) => format!("{}{n}", self.symbols.down),
            Movement::Same => self.symbols.same.to_string(),
            Movement::Pinned => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With NO_COLOR every colour is dropped; what remains must still mark the highlight.
    fn without_colour(s: Style) -> Style {
        Style {
            fg: None,
            bg: None,
            ..s
        }
    }

    #[test]
    fn highlights_survive_without_colour() {
        for t in [Theme::dark(), Theme::light()] {
            let has = |s: Style, m: Modifier| without_colour(s).add_modifier.contains(m);
            assert!(has(t.selection, Modifier::REVERSED));
            assert!(has(t.tab_active, Modifier::REVERSED));
            assert!(has(t.error, Modifier::BOLD));
            assert!(has(t.live, Modifier::BOLD));
            assert!(has(t.label_new, Modifier::BOLD));
            assert!(has(t.rising, Modifier::BOLD | Modifier::UNDERLINED));
            for s in [t.rising_marker, t.cross_platform, t.kol, t.filter] {
                assert!(has(s, Modifier::BOLD));
            }
            assert!(has(
                t.selection_unfocused,
                Modifier::BOLD | Modifier::UNDERLINED
            ));
        }
    }

    #[test]
    fn only_the_16_ansi_colours() {
        for t in [Theme::dark(), Theme::light()] {
            for (role, s) in t.styles() {
                for c in [s.fg, s.bg].into_iter().flatten() {
                    assert!(
                        !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                        "{role}: {c:?} is not an ANSI colour"
                    );
                }
            }
        }
    }

    #[test]
    fn light_theme_has_no_pale_foregrounds() {
        use Color::*;
        for (role, s) in Theme::light().styles() {
            let pale = [
                Yellow,
                LightYellow,
                White,
                Gray,
                Cyan,
                LightCyan,
                LightGreen,
                LightRed,
                LightMagenta,
                LightBlue,
            ];
            assert!(
                !s.fg.is_some_and(|c| pale.contains(&c)),
                "{role} uses {:?} on a light background",
                s.fg
            );
        }
    }

    #[test]
    fn styles_lists_every_role_once() {
        let t = Theme::dark();
        let names: std::collections::HashSet<_> = t.styles().iter().map(|(n, _)| *n).collect();
        assert_eq!(names.len(), t.styles().len());
        let bolded = t.map_styles(|s| s.add_modifier(Modifier::ITALIC));
        assert!(
            bolded
                .styles()
                .iter()
                .all(|(_, s)| s.add_modifier.contains(Modifier::ITALIC))
        );
        assert_eq!(Theme::default(), Theme::dark());
    }

    #[test]
    fn movement_is_text() {
        let t = Theme::default();
        assert_eq!(t.movement_text(Movement::Up(3)), "↑3");
        assert_eq!(t.movement_text(Movement::Down(2)), "↓2");
        assert_eq!(t.movement_text(Movement::New), "NEW");
        assert_eq!(t.movement_text(Movement::Same), "–");
    }
}
