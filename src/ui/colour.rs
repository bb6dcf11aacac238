//! Background and downsampling: which background the terminal has (`COLORFGBG`, or an OSC 11
//! reply), and `downsample`, which turns a theme into one the terminal can draw at the depth
//! `config::theme` resolved (from `NO_COLOR`, `COLORTERM`, `TERM` or the config). Nothing in
//! the ratatui stack downsamples: crossterm writes `38;2;r;g;b` as is, so RGB must be mapped here.
//!
//! The environment is passed in as a lookup function, so detection is testable and the app
//! reads it once at start-up.

use ratatui::style::{Color, Style};

use super::Theme;
use crate::config::theme::ColourDepth;

/// The terminal's background brightness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    Dark,
    Light,
}

/// From `COLORFGBG` (`fg;bg` or `fg;extra;bg`, set by rxvt, Konsole, iTerm2): background
/// colours 0–6 and 8 are dark, 7 and 9–15 light (vim's rule). `None` when unset or unclear.
pub fn background_from_env(env: &impl Fn(&str) -> Option<String>) -> Option<Background> {
    let v = env("COLORFGBG")?;
    let bg: u8 = v.rsplit(';').next()?.trim().parse().ok()?;
    match bg {
        0..=6 | 8 => Some(Background::Dark),
        7 | 9..=15 => Some(Background::Light),
        _ => None,
    }
}

/// The query whose reply `parse_osc11_reply` reads: "what is your background colour?".
pub const OSC11_QUERY: &str = "\x1b]11;?\x07";

/// The background from a reply `ESC ] 11 ; rgb:RRRR/GGGG/BBBB` ended by BEL or `ESC \`
/// (components of 1–4 hex digits; other input around it is skipped). Light when the relative
/// luminance is above one half.
pub fn parse_osc11_reply(bytes: &[u8]) -> Option<Background> {
    const PREFIX: &[u8] = b"\x1b]11;rgb:";
    let start = bytes.windows(PREFIX.len()).position(|w| w == PREFIX)? + PREFIX.len();
    let rest = &bytes[start..];
    let end = rest
        .iter()
        .position(|&b| b == 0x07 || b == 0x1b)
        .filter(|&i| rest[i] == 0x07 || rest.get(i + 1) == Some(&b'\\'))?;
    let body = std::str::from_utf8(&rest[..end]).ok()?;
    let mut parts = body.split('/');
    let mut channel = || -> Option<f64> {
        let hex = parts.next()?;
        if hex.is_empty() || hex.len() > 4 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let max = (1u32 << (4 * hex.len())) - 1;
        Some(f64::from(u32::from_str_radix(hex, 16).ok()?) / f64::from(max))
    };
    let (r, g, b) = (channel()?, channel()?, channel()?);
    if parts.next().is_some() {
        return None;
    }
    let luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    Some(if luminance > 0.5 {
        Background::Light
    } else {
        Background::Dark
    })
}

/// The 16 ANSI colours in index order, with xterm's default RGB values (the reference point
/// for "nearest"; the user's palette may differ, which is the point of using them).
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// RGB of an xterm-256 index: 16 ANSI, the 6×6×6 cube (16–231), the grey ramp (232–255).
pub fn xterm_rgb(i: u8) -> (u8, u8, u8) {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match i {
        0..=15 => ANSI16[usize::from(i)].1,
        16..=231 => {
            let n = i - 16;
            (
                LEVELS[usize::from(n / 36)],
                LEVELS[usize::from(n / 6 % 6)],
                LEVELS[usize::from(n % 6)],
            )
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).unsigned_abs().pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

/// Nearest xterm-256 index among the cube and the grey ramp (16–255; 0–15 follow the user's
/// palette, so they are not a fixed target).
pub fn nearest_256(rgb: (u8, u8, u8)) -> u8 {
    (16..=255u8)
        .min_by_key(|&i| distance(rgb, xterm_rgb(i)))
        .unwrap_or(16)
}

/// Nearest of the 16 ANSI colours.
pub fn nearest_16(rgb: (u8, u8, u8)) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, c)| distance(rgb, *c))
        .map_or(Color::Reset, |(c, _)| *c)
}

/// One colour at `depth` (`None`: no colour).
pub fn downsample_colour(c: Color, depth: ColourDepth) -> Option<Color> {
    match (depth, c) {
        (ColourDepth::None, _) => None,
        (ColourDepth::TrueColor, c) => Some(c),
        (ColourDepth::Ansi256, Color::Rgb(r, g, b)) => Some(Color::Indexed(nearest_256((r, g, b)))),
        (ColourDepth::Ansi16, Color::Rgb(r, g, b)) => Some(nearest_16((r, g, b))),
        (ColourDepth::Ansi16, Color::Indexed(i)) if i < 16 => Some(ANSI16[usize::from(i)].0),
        (ColourDepth::Ansi16, Color::Indexed(i)) => Some(nearest_16(xterm_rgb(i))),
        (_, c) => Some(c),
    }
}

/// One style at `depth`: colours mapped or dropped, modifiers always kept.
pub fn downsample_style(s: Style, depth: ColourDepth) -> Style {
    Style {
        fg: s.fg.and_then(|c| downsample_colour(c, depth)),
        bg: s.bg.and_then(|c| downsample_colour(c, depth)),
        ..s
    }
}

/// `theme` as a terminal of `depth` can draw it: RGB → nearest xterm-256 index or ANSI colour,
/// and no colours at all for `None` (modifiers stay, so every highlight remains visible).
pub fn downsample(theme: &Theme, depth: ColourDepth) -> Theme {
    theme.map_styles(|s| downsample_style(s, depth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cube_and_ramp_values() {
        assert_eq!(xterm_rgb(16), (0, 0, 0));
        assert_eq!(xterm_rgb(231), (255, 255, 255));
        assert_eq!(xterm_rgb(110), (135, 175, 215));
        assert_eq!(xterm_rgb(232), (8, 8, 8));
        assert_eq!(xterm_rgb(255), (238, 238, 238));
        for i in 16..=255u8 {
            assert_eq!(nearest_256(xterm_rgb(i)), i, "index {i} maps to itself");
        }
    }
}
