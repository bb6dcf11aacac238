//! Semantic styles. The default uses only the 16 ANSI colours (it follows the user's palette and is
//! safe over SSH) and never relies on colour alone: with NO_COLOR crossterm drops every colour, so
//! selection is REVERSED, emphasis is BOLD, and labels/movement are text.

use ratatui::style::{Color, Modifier, Style};

use crate::app::state::Movement;
use crate::domain::{Label, Platform};

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
    /// Added on top of the row's cell styles.
    pub selection: Style,
    pub live: Style,
    pub paused: Style,
    pub banner: Style,
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
    pub sep: &'static str,
    pub rising: &'static str,
    pub cross_platform: &'static str,
    pub flat: &'static str,
    pub kol: &'static str,
    /// Triage marks: flagged, noted, new since the last look, muted.
    pub flag: &'static str,
    pub note: &'static str,
    pub new_item: &'static str,
    pub muted: &'static str,
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
            sep: " · ",
            rising: "▲",
            cross_platform: "★",
            flat: "→",
            kol: "@",
            flag: "⚑",
            note: "✎",
            new_item: "•",
            muted: "⊘",
            spark: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
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
            symbols: Symbols::default(),
        }
    }
}

impl Theme {
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

    pub fn platform(&self, p: Platform) -> Style {
        match p {
            Platform::Weibo => self.tag_weibo,
            Platform::Tieba => self.tag_tieba,
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
        let t = Theme::default();
        assert!(
            without_colour(t.selection)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert!(
            without_colour(t.tab_active)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert!(
            without_colour(t.error)
                .add_modifier
                .contains(Modifier::BOLD)
        );
        assert!(without_colour(t.live).add_modifier.contains(Modifier::BOLD));
        assert!(
            without_colour(t.label_new)
                .add_modifier
                .contains(Modifier::BOLD)
        );
        let rising = without_colour(t.rising).add_modifier;
        assert!(rising.contains(Modifier::BOLD | Modifier::UNDERLINED));
        for s in [t.rising_marker, t.cross_platform, t.kol, t.filter] {
            assert!(without_colour(s).add_modifier.contains(Modifier::BOLD));
        }
        let unfocused = without_colour(t.selection_unfocused).add_modifier;
        assert!(unfocused.contains(Modifier::BOLD | Modifier::UNDERLINED));
    }

    #[test]
    fn only_the_16_ansi_colours() {
        let t = Theme::default();
        let styles = [
            t.title,
            t.rank,
            t.heat,
            t.move_up,
            t.move_down,
            t.move_new,
            t.label_new,
            t.label_hot,
            t.tag_weibo,
            t.tag_tieba,
            t.ok,
            t.warn,
            t.error,
            t.muted,
            t.rising,
            t.rising_marker,
            t.cross_platform,
            t.steady,
            t.kol,
            t.filter,
            t.border,
        ];
        for s in styles {
            for c in [s.fg, s.bg].into_iter().flatten() {
                assert!(
                    !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                    "{c:?} is not an ANSI colour"
                );
            }
        }
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
