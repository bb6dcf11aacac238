//! `[theme]` settings as the config file gives them: the theme's name and the colour depth
//! (with how `auto` resolves from the environment). Plain data, no terminal types: `ui::theme`
//! builds the `Theme` from these.

use serde::Deserialize;

/// `[theme] name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    /// Light when the terminal reports a light background, else dark.
    #[default]
    Auto,
    Dark,
    Light,
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColourDepth {
    /// No colour at all (`NO_COLOR`, `TERM=dumb`): modifiers only.
    None,
    Ansi16,
    Ansi256,
    TrueColor,
}

/// `[theme] colours = "auto" | "16" | "256" | "truecolor" | "none"` (numbers accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColourSetting {
    #[default]
    Auto,
    Fixed(ColourDepth),
}

impl ColourSetting {
    pub fn parse(s: &str) -> Option<ColourSetting> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "auto" => ColourSetting::Auto,
            "16" => ColourSetting::Fixed(ColourDepth::Ansi16),
            "256" => ColourSetting::Fixed(ColourDepth::Ansi256),
            "truecolor" | "24bit" => ColourSetting::Fixed(ColourDepth::TrueColor),
            "none" => ColourSetting::Fixed(ColourDepth::None),
            _ => return None,
        })
    }

    /// The depth to draw with: the configured one, or the detected one for `auto`. `NO_COLOR`
    /// wins over a configured depth too (its contract is "no colour, whatever the app").
    pub fn depth(self, env: &impl Fn(&str) -> Option<String>) -> ColourDepth {
        match self {
            _ if no_color(env) => ColourDepth::None,
            ColourSetting::Auto => detect(env),
            ColourSetting::Fixed(d) => d,
        }
    }
}

impl<'de> Deserialize<'de> for ColourSetting {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ColourSetting;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#""auto", "16", "256", "truecolor" or "none""#)
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ColourSetting, E> {
                ColourSetting::parse(s)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(s), &self))
            }

            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<ColourSetting, E> {
                self.visit_str(&n.to_string())
            }

            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<ColourSetting, E> {
                self.visit_str(&n.to_string())
            }
        }
        d.deserialize_any(V)
    }
}

fn no_color(env: &impl Fn(&str) -> Option<String>) -> bool {
    env("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Colour depth from the environment: `NO_COLOR` (non-empty) → none; `TERM=dumb` → none (even
/// with an inherited `COLORTERM`, as in Emacs' shell); `COLORTERM=truecolor|24bit` or a
/// `*-direct` TERM → truecolor; a TERM containing `256color` → 256; otherwise 16.
pub fn detect(env: &impl Fn(&str) -> Option<String>) -> ColourDepth {
    let term = env("TERM").unwrap_or_default().to_ascii_lowercase();
    let colorterm = env("COLORTERM").unwrap_or_default().to_ascii_lowercase();
    if no_color(env) || term == "dumb" {
        ColourDepth::None
    } else if matches!(colorterm.as_str(), "truecolor" | "24bit") || term.ends_with("-direct") {
        ColourDepth::TrueColor
    } else if term.contains("256color") {
        ColourDepth::Ansi256
    } else {
        ColourDepth::Ansi16
    }
}
