//! Links leaving the app: the clipboard (OSC 52, which works over SSH, and/or a native tool)
//! and the browser. Called by the app loop between frames, so an OSC 52 sequence can never
//! interleave with a draw. Nothing here blocks on a display server: native tools are spawned
//! and left to finish on their own.

use std::io::Write;
use std::process::{Command, Stdio};

use serde::Deserialize;

/// `[desktop] clipboard = "auto" | "osc52" | "native" | "off"` (env `RESOU_CLIPBOARD` wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClipboardMode {
    /// OSC 52, plus a native tool when a display is present.
    #[default]
    Auto,
    Osc52,
    Native,
    Off,
}

impl ClipboardMode {
    pub fn parse(s: &str) -> Option<ClipboardMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(ClipboardMode::Auto),
            "osc52" => Some(ClipboardMode::Osc52),
            "native" => Some(ClipboardMode::Native),
            "off" => Some(ClipboardMode::Off),
            _ => None,
        }
    }
}

/// Environment variable overriding the clipboard mode.
pub const CLIPBOARD_ENV: &str = "RESOU_CLIPBOARD";
/// Largest OSC 52 payload (encoded bytes) we send: what k9s uses as its default cap.
pub const OSC52_MAX: usize = 74_994;

/// What the desktop side needs to know, read once at start-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desktop {
    pub clipboard: ClipboardMode,
    /// Browser command (`firefox`, `open -a Safari`); the URL is appended as one argument.
    pub browser: Option<String>,
    /// A graphical display is reachable (DISPLAY / WAYLAND_DISPLAY, or macOS).
    pub has_display: bool,
    /// The session came in over SSH.
    pub over_ssh: bool,
    /// Inside tmux: OSC 52 is also sent through its passthrough.
    pub in_tmux: bool,
}

impl Desktop {
    /// From config values and the environment.
    pub fn detect(clipboard: ClipboardMode, browser: Option<String>) -> Desktop {
        let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
        let clipboard = std::env::var(CLIPBOARD_ENV)
            .ok()
            .and_then(|v| ClipboardMode::parse(&v))
            .unwrap_or(clipboard);
        Desktop {
            clipboard,
            browser: browser.filter(|b| !b.trim().is_empty()),
            has_display: cfg!(target_os = "macos") || set("DISPLAY") || set("WAYLAND_DISPLAY"),
            over_ssh: set("SSH_CONNECTION") || set("SSH_TTY"),
            in_tmux: set("TMUX"),
        }
    }
}

/// `ESC ] 52 ; c ; <base64> BEL`; `None` when the payload would exceed [`OSC52_MAX`].
pub fn osc52(text: &str) -> Option<String> {
    let b64 = base64(text.as_bytes());
    (b64.len() <= OSC52_MAX).then(|| format!("\x1b]52;c;{b64}\x07"))
}

/// The same sequence wrapped in tmux's passthrough (`ESC P tmux; … ESC \`, inner ESC doubled).
pub fn tmux_passthrough(seq: &str) -> String {
    format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Native clipboard programs, tried in order (each reads the text on stdin).
const NATIVE: &[&[&str]] = &[
    &["pbcopy"],
    &["wl-copy"],
    &["xclip", "-selection", "clipboard"],
    &["xsel", "-ib"],
];

fn native_copy(text: &str) -> Option<&'static str> {
    for cmd in NATIVE {
        let Ok(mut child) = Command::new(cmd[0])
            .args(&cmd[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        else {
            continue;
        };
        let wrote = child
            .stdin
            .take()
            .is_some_and(|mut s| s.write_all(text.as_bytes()).is_ok());
        // xclip stays alive to serve the selection: reap it in the background, never wait here.
        std::thread::spawn(move || child.wait());
        if wrote {
            return Some(cmd[0]);
        }
    }
    None
}

/// The outcome in words, and a link to show when nothing could take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub notice: String,
    pub show: Option<String>,
}

/// Copy `text`: OSC 52 to `term` and/or a native tool, per the mode.
pub fn copy(text: &str, d: &Desktop, term: &mut impl Write) -> Outcome {
    let mut via: Vec<&str> = Vec::new();
    let osc = matches!(d.clipboard, ClipboardMode::Auto | ClipboardMode::Osc52);
    if osc && let Some(seq) = osc52(text) {
        let mut ok = term.write_all(seq.as_bytes()).is_ok();
        if d.in_tmux {
            ok |= term.write_all(tmux_passthrough(&seq).as_bytes()).is_ok();
        }
        if ok && term.flush().is_ok() {
            via.push("OSC 52");
        }
    }
    let native = match d.clipboard {
        ClipboardMode::Native => true,
        ClipboardMode::Auto => d.has_display,
        _ => false,
    };
    if native && let Some(tool) = native_copy(text) {
        via.push(tool);
    }
    if via.is_empty() {
        let why = if d.clipboard == ClipboardMode::Off {
            "clipboard is off"
        } else {
            "no clipboard available"
        };
        return Outcome {
            notice: format!("{why} — link shown"),
            show: Some(text.to_string()),
        };
    }
    Outcome {
        notice: format!("link copied ({})", via.join(" + ")),
        show: None,
    }
}

/// Open `url` in the browser; over SSH with no display (or when starting it fails) the link
/// is shown instead.
pub fn open(url: &str, d: &Desktop) -> Outcome {
    let show = |why: &str| Outcome {
        notice: format!("{why} — link shown"),
        show: Some(url.to_string()),
    };
    let cmd: Vec<String> = match &d.browser {
        Some(b) => b.split_whitespace().map(str::to_string).collect(),
        None if d.over_ssh && !d.has_display => return show("no browser over SSH"),
        None if cfg!(target_os = "macos") => vec!["open".into()],
        None if d.has_display => vec!["xdg-open".into()],
        None => return show("no display for a browser"),
    };
    let Some((prog, args)) = cmd.split_first() else {
        return show("no browser configured");
    };
    match Command::new(prog)
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
            Outcome {
                notice: format!("opened in {prog}"),
                show: None,
            }
        }
        Err(e) => {
            tracing::warn!("starting the browser `{prog}` failed: {e}");
            show(&format!("could not start {prog}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_sequence_is_what_terminals_expect() {
        // gitui's test vector for "foo".
        assert_eq!(osc52("foo").as_deref(), Some("\x1b]52;c;Zm9v\x07"));
        assert_eq!(
            base64(b"https://m.weibo.cn/detail/1"),
            "aHR0cHM6Ly9tLndlaWJvLmNuL2RldGFpbC8x"
        );
        assert_eq!(base64("热搜".as_bytes()), "54Ot5pCc");
        assert_eq!(base64(b"ab"), "YWI=");
        assert!(osc52(&"x".repeat(60_000)).is_none(), "over the cap");
        assert_eq!(
            tmux_passthrough("\x1b]52;c;Zm9v\x07"),
            "\x1bPtmux;\x1b\x1b]52;c;Zm9v\x07\x1b\\"
        );
    }

    #[test]
    fn copy_writes_the_sequence_or_shows_the_link() {
        let d = Desktop {
            clipboard: ClipboardMode::Osc52,
            ..Desktop::default()
        };
        let mut out = Vec::new();
        let o = copy("https://m.weibo.cn/detail/5332222609720246", &d, &mut out);
        assert_eq!(o.show, None);
        assert_eq!(
            String::from_utf8(out).unwrap_or_default(),
            osc52("https://m.weibo.cn/detail/5332222609720246").unwrap_or_default()
        );
        let off = Desktop {
            clipboard: ClipboardMode::Off,
            ..Desktop::default()
        };
        let mut out = Vec::new();
        let o = copy("https://x.test/", &off, &mut out);
        assert!(out.is_empty());
        assert_eq!(o.show.as_deref(), Some("https://x.test/"));
    }

    #[test]
    fn over_ssh_without_display_the_link_is_shown() {
        let d = Desktop {
            over_ssh: true,
            ..Desktop::default()
        };
        let o = open("https://m.weibo.cn/detail/1", &d);
        assert_eq!(o.show.as_deref(), Some("https://m.weibo.cn/detail/1"));
        assert!(o.notice.contains("SSH"));
        let missing = Desktop {
            browser: Some("resou-no-such-browser-binary".into()),
            ..Desktop::default()
        };
        let o = open("https://m.weibo.cn/detail/1", &missing);
        assert!(
            o.show.is_some(),
            "a browser that cannot start shows the link"
        );
    }
}
