//! Watchlist alerts: which analysis updates concern a watched keyword or KOL, how often the
//! user hears about it, and how it reaches them (terminal bell, OSC 9 / OSC 777 desktop
//! notification, a hook command reading JSON on stdin).
//!
//! Nothing here reads the clock or the environment: times and the environment are passed in,
//! so the app loop owns both and tests are deterministic. `deliver` is called by the app loop
//! between frames (like the OSC 52 clipboard), so a notification never interleaves with a draw.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use crate::analysis::AnalysisUpdate;
use crate::domain::{Platform, SafeText};

/// A hook still running after this long is killed.
pub const HOOK_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest notification text (chars) sent in an OSC sequence; terminals and notification
/// daemons truncate or drop longer ones anyway.
pub const OSC_TEXT_MAX: usize = 160;
/// Title of the OSC 777 notification.
const NOTIFY_TITLE: &str = "resou";

/// `[alerts]`: how alerts reach the user and how often.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsConfig {
    /// Ring the terminal bell (`BEL`).
    pub bell: bool,
    /// Send a desktop notification through the terminal (OSC 9 / OSC 777; works over SSH).
    pub desktop: bool,
    /// Which notification sequence: `auto` (OSC 777 on foot/urxvt/VTE, else OSC 9), `osc9`,
    /// `osc777` or `both` (terminals that know both would show two notifications).
    pub protocol: NotifyProtocol,
    /// Command run per alert (split on whitespace, no shell), the alert as JSON on stdin.
    pub hook: Option<String>,
    /// Least time between two alerts about the same keyword or KOL.
    pub min_interval_secs: u64,
    /// Most alerts delivered in any 60 s (0: no cap).
    pub max_per_minute: u32,
    /// Watched keywords from the config file (merged with the in-app watchlist).
    pub keywords: Vec<String>,
    /// Watched KOL names from the config file (merged with the in-app watchlist).
    pub kols: Vec<String>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            bell: true,
            desktop: true,
            protocol: NotifyProtocol::Auto,
            hook: None,
            min_interval_secs: 60,
            max_per_minute: 6,
            keywords: Vec::new(),
            kols: Vec::new(),
        }
    }
}

/// The hook's arguments may carry a webhook token: Debug shows the program only.
impl std::fmt::Debug for AlertsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertsConfig")
            .field("bell", &self.bell)
            .field("desktop", &self.desktop)
            .field("protocol", &self.protocol)
            .field("hook", &self.hook.as_deref().map(hook_program))
            .field("min_interval_secs", &self.min_interval_secs)
            .field("max_per_minute", &self.max_per_minute)
            .field("keywords", &self.keywords)
            .field("kols", &self.kols)
            .finish()
    }
}

/// The program of a hook command line, for logs (its arguments may be secret).
fn hook_program(cmd: &str) -> &str {
    cmd.split_whitespace().next().unwrap_or("")
}

/// `[alerts] protocol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyProtocol {
    #[default]
    Auto,
    Osc9,
    Osc777,
    Both,
}

impl NotifyProtocol {
    /// `auto` resolved from the environment: OSC 777 where it is the native form (foot, urxvt,
    /// VTE terminals), else OSC 9 (iTerm2, kitty, WezTerm, Ghostty, Windows Terminal).
    pub fn resolve(self, env: &impl Fn(&str) -> Option<String>) -> NotifyProtocol {
        if self != NotifyProtocol::Auto {
            return self;
        }
        let term = env("TERM").unwrap_or_default();
        let vte = env("VTE_VERSION").is_some_and(|v| !v.is_empty());
        if vte || term.starts_with("foot") || term.starts_with("rxvt") {
            NotifyProtocol::Osc777
        } else {
            NotifyProtocol::Osc9
        }
    }
}

/// What an alert is about.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertKind {
    /// A watched keyword started rising.
    KeywordRising {
        keyword: String,
        score: f64,
        platforms: Vec<Platform>,
    },
    /// A watched KOL appeared in the current lists (`titles` mention or are hosted by it).
    KolActive { name: String, titles: u32 },
    /// A list-dynamics candidate (withdrawn, anchored, label step) on a topic whose title
    /// holds a watched keyword.
    ListDynamics {
        /// `withdrawn`, `anchored` or `label_step`.
        kind: &'static str,
        platform: Platform,
        title: String,
        evidence: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub kind: AlertKind,
    pub at: DateTime<FixedOffset>,
    /// One sanitised line for the status flash and the notification.
    pub text: String,
}

impl Alert {
    pub fn keyword(
        keyword: &str,
        score: f64,
        platforms: Vec<Platform>,
        at: DateTime<FixedOffset>,
    ) -> Alert {
        let keyword = SafeText::line(keyword).into_string();
        let on: Vec<&str> = platforms.iter().map(|p| p.tag()).collect();
        let text = format!("rising: {keyword} (z {score:.1}, {})", on.join("+"));
        Alert {
            kind: AlertKind::KeywordRising {
                keyword,
                score,
                platforms,
            },
            at,
            text,
        }
    }

    pub fn kol(name: &str, titles: u32, at: DateTime<FixedOffset>) -> Alert {
        let name = SafeText::line(name).into_string();
        let s = if titles == 1 { "" } else { "s" };
        let text = format!("KOL active: {name} ({titles} title{s})");
        Alert {
            kind: AlertKind::KolActive { name, titles },
            at,
            text,
        }
    }

    pub fn dynamics(c: &crate::analysis::dynamics::Candidate) -> Alert {
        let title = SafeText::line(&c.title).into_string();
        let evidence = SafeText::line(&c.evidence).into_string();
        let what = match c.kind {
            crate::analysis::dynamics::Kind::Withdrawn => "possible 撤热搜",
            crate::analysis::dynamics::Kind::Anchored => "anchored",
            crate::analysis::dynamics::Kind::LabelStep => "label step",
        };
        let text = format!("{what}: {} {title} — {evidence}", c.platform.tag());
        Alert {
            kind: AlertKind::ListDynamics {
                kind: c.kind.id(),
                platform: c.platform,
                title,
                evidence,
            },
            at: c.at,
            text,
        }
    }

    /// What the per-subject interval is counted against (case-insensitive).
    pub fn subject(&self) -> String {
        match &self.kind {
            AlertKind::KeywordRising { keyword, .. } => format!("keyword:{}", fold(keyword)),
            AlertKind::KolActive { name, .. } => format!("kol:{}", fold(name)),
            AlertKind::ListDynamics {
                kind,
                platform,
                title,
                ..
            } => format!("{kind}:{}:{}", platform.id(), fold(title)),
        }
    }

    /// The JSON object a hook receives on stdin (one line).
    pub fn to_json(&self) -> String {
        let at = self.at.to_rfc3339();
        let v = match &self.kind {
            AlertKind::KeywordRising {
                keyword,
                score,
                platforms,
            } => serde_json::json!({
                "kind": "keyword",
                "keyword": keyword,
                "score": score,
                "platforms": platforms,
                "at": at,
                "text": self.text,
            }),
            AlertKind::KolActive { name, titles } => serde_json::json!({
                "kind": "kol",
                "name": name,
                "titles": titles,
                "at": at,
                "text": self.text,
            }),
            AlertKind::ListDynamics {
                kind,
                platform,
                title,
                evidence,
            } => serde_json::json!({
                "kind": kind,
                "platform": platform,
                "title": title,
                "evidence": evidence,
                "at": at,
                "text": self.text,
            }),
        };
        v.to_string()
    }
}

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// A title holds a watched keyword (ignoring case).
fn keyword_in_title(title: &str, watched: &[String]) -> bool {
    let title = fold(title);
    watched
        .iter()
        .map(|w| fold(w))
        .any(|w| !w.is_empty() && title.contains(&w))
}

/// A watched keyword matches a rising one when either contains the other, ignoring case.
fn keyword_matches(rising: &str, watched: &[String]) -> bool {
    let rising = fold(rising);
    !rising.is_empty()
        && watched.iter().map(|w| fold(w)).any(|w| {
            // An empty watch entry would be contained in every keyword.
            !w.is_empty() && (rising.contains(&w) || w.contains(&rising))
        })
}

fn keyword_alerts(update: &AnalysisUpdate, watched: &[String]) -> Vec<Alert> {
    update
        .onsets
        .iter()
        .filter(|k| keyword_matches(k, watched))
        .map(|k| {
            let row = update.keywords.iter().find(|r| r.keyword == **k);
            let score = row.map_or(0.0, |r| r.score);
            let platforms = row.map_or_else(|| vec![update.platform], |r| r.platforms.to_vec());
            Alert::keyword(k, score, platforms, update.at)
        })
        .collect()
}

/// KOL alerts: a watched KOL with titles now that `was_active` says had none before.
fn kol_alerts(
    update: &AnalysisUpdate,
    watched: &[String],
    was_active: impl Fn(&crate::analysis::KolTrend) -> bool,
) -> Vec<Alert> {
    let watched: HashSet<String> = watched.iter().map(|w| fold(w)).collect();
    update
        .kol_trends
        .iter()
        .filter(|t| t.now > 0 && watched.contains(&fold(&t.name)) && !was_active(t))
        .map(|t| Alert::kol(&t.name, t.now, update.at))
        .collect()
}

/// The trend's own history says whether it had titles at the previous poll (the last point is
/// this poll's).
fn active_before(t: &crate::analysis::KolTrend) -> bool {
    t.history.len() >= 2 && t.history[t.history.len() - 2] > 0
}

/// Alerts for one update without state: watched keywords among `onsets`, and watched KOLs
/// whose trend history shows no titles at the previous poll.
pub fn alerts_for(
    update: &AnalysisUpdate,
    watched_keywords: &[String],
    watched_kols: &[String],
) -> Vec<Alert> {
    let mut out = keyword_alerts(update, watched_keywords);
    out.extend(kol_alerts(update, watched_kols, active_before));
    out
}

/// Remembers which watched KOLs were active at the previous update, so a KOL fires once when it
/// appears, not on every poll it stays, even if the analysis history restarts.
#[derive(Debug, Clone, Default)]
pub struct AlertState {
    /// Folded names of KOLs with titles at the last observed update; `None` before the first.
    active: Option<HashSet<String>>,
}

impl AlertState {
    pub fn observe(
        &mut self,
        update: &AnalysisUpdate,
        watched_keywords: &[String],
        watched_kols: &[String],
    ) -> Vec<Alert> {
        let mut out = keyword_alerts(update, watched_keywords);
        // List dynamics on a watched topic: its candidates of this poll.
        out.extend(
            update
                .dynamics
                .candidates
                .iter()
                .filter(|c| keyword_in_title(&c.title, watched_keywords))
                .map(Alert::dynamics),
        );
        let kols = match &self.active {
            Some(prev) => kol_alerts(update, watched_kols, |t| prev.contains(&fold(&t.name))),
            // First update: only the trend history can tell what came before.
            None => kol_alerts(update, watched_kols, active_before),
        };
        out.extend(kols);
        self.active = Some(
            update
                .kol_trends
                .iter()
                .filter(|t| t.now > 0)
                .map(|t| fold(&t.name))
                .collect(),
        );
        out
    }
}

/// Keeps storms quiet: at most one alert per subject per `min_interval`, and at most
/// `max_per_minute` alerts in any 60 s. Time is passed in. Suppressed alerts are counted.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    min_interval: chrono::Duration,
    max_per_minute: u32,
    /// Subject → time of its last delivered alert.
    last: HashMap<String, DateTime<FixedOffset>>,
    /// Times of delivered alerts within the last minute, oldest first.
    recent: VecDeque<DateTime<FixedOffset>>,
    suppressed: u64,
}

/// Subjects remembered before old ones are forgotten.
const MAX_SUBJECTS: usize = 1024;

impl RateLimiter {
    pub fn new(min_interval: Duration, max_per_minute: u32) -> RateLimiter {
        RateLimiter {
            min_interval: chrono::Duration::from_std(min_interval).unwrap_or(chrono::Duration::MAX),
            max_per_minute,
            last: HashMap::new(),
            recent: VecDeque::new(),
            suppressed: 0,
        }
    }

    pub fn from_config(cfg: &AlertsConfig) -> RateLimiter {
        RateLimiter::new(
            Duration::from_secs(cfg.min_interval_secs),
            cfg.max_per_minute,
        )
    }

    /// Whether `alert` may be delivered at `now`; admitted alerts count against both limits.
    pub fn admit(&mut self, alert: &Alert, now: DateTime<FixedOffset>) -> bool {
        let minute = chrono::Duration::seconds(60);
        // A clock that went backwards must not silence alerts until it catches up.
        self.recent
            .retain(|&t| t <= now && now.signed_duration_since(t) < minute);
        let subject = alert.subject();
        let too_soon = self.last.get(&subject).is_some_and(|&t| {
            let since = now.signed_duration_since(t);
            since >= chrono::Duration::zero() && since < self.min_interval
        });
        let capped = self.max_per_minute > 0 && self.recent.len() >= self.max_per_minute as usize;
        if too_soon || capped {
            self.suppressed += 1;
            return false;
        }
        if self.last.len() >= MAX_SUBJECTS {
            let interval = self.min_interval;
            self.last
                .retain(|_, t| now.signed_duration_since(*t) < interval);
        }
        self.last.insert(subject, now);
        self.recent.push_back(now);
        true
    }

    /// The admitted ones of `alerts`, in order.
    pub fn filter(&mut self, alerts: Vec<Alert>, now: DateTime<FixedOffset>) -> Vec<Alert> {
        alerts.into_iter().filter(|a| self.admit(a, now)).collect()
    }

    /// Alerts suppressed since the start (or the last `take_suppressed`).
    pub fn suppressed(&self) -> u64 {
        self.suppressed
    }

    /// The suppressed count, reset to zero (once the status bar has shown it).
    pub fn take_suppressed(&mut self) -> u64 {
        std::mem::take(&mut self.suppressed)
    }
}

/// Text safe inside an OSC string: sanitised to one line, no `;` (a field separator in OSC 777
/// and a sub-command separator for OSC 9 in ConEmu/Windows Terminal), capped in length.
pub fn osc_text(raw: &str) -> String {
    let line = SafeText::line(raw).into_string().replace(';', ",");
    if line.chars().count() <= OSC_TEXT_MAX {
        return line;
    }
    let mut cut: String = line.chars().take(OSC_TEXT_MAX - 1).collect();
    cut.push('…');
    cut
}

/// `ESC ] 9 ; text BEL` (iTerm2, kitty, WezTerm, Ghostty, Windows Terminal).
pub fn osc9(text: &str) -> String {
    format!("\x1b]9;{}\x07", osc_text(text))
}

/// `ESC ] 777 ; notify ; title ; text BEL` (foot, urxvt, VTE, WezTerm, Ghostty).
pub fn osc777(title: &str, text: &str) -> String {
    format!("\x1b]777;notify;{};{}\x07", osc_text(title), osc_text(text))
}

/// Alert delivery resolved once at start-up from `[alerts]` and the environment.
#[derive(Clone)]
pub struct Notifier {
    pub bell: bool,
    /// `None`: no desktop notification.
    pub desktop: Option<NotifyProtocol>,
    /// Program and arguments of the hook.
    pub hook: Option<Vec<String>>,
    /// Inside tmux: notifications also go through its passthrough.
    pub in_tmux: bool,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("bell", &self.bell)
            .field("desktop", &self.desktop)
            .field("hook", &self.hook.as_ref().and_then(|h| h.first()))
            .field("in_tmux", &self.in_tmux)
            .finish()
    }
}

impl Notifier {
    pub fn new(cfg: &AlertsConfig, env: &impl Fn(&str) -> Option<String>) -> Notifier {
        let hook: Option<Vec<String>> = cfg
            .hook
            .as_deref()
            .map(|h| h.split_whitespace().map(str::to_string).collect())
            .filter(|h: &Vec<String>| !h.is_empty());
        Notifier {
            bell: cfg.bell,
            desktop: cfg.desktop.then(|| cfg.protocol.resolve(env)),
            hook,
            in_tmux: env("TMUX").is_some_and(|v| !v.is_empty()),
        }
    }
}

/// What `deliver` did, for the status bar and tests.
#[derive(Debug, Default)]
pub struct DeliveryReport {
    pub bell: bool,
    pub desktop: bool,
    /// The hook was started; its reaper thread yields how it ended.
    pub hook: Option<JoinHandle<HookExit>>,
    /// Problems, in words (never the hook's arguments).
    pub errors: Vec<String>,
}

/// How a hook run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookExit {
    Exited(Option<i32>),
    /// Still running at the timeout, so killed.
    Killed,
    /// Writing its stdin or waiting for it failed.
    Failed(String),
}

/// Ring, notify and/or run the hook for `alert`, per `n`. Never waits for the hook.
pub fn deliver(alert: &Alert, n: &Notifier, term: &mut impl Write) -> DeliveryReport {
    let mut report = DeliveryReport::default();
    let mut seqs = String::new();
    if n.bell {
        seqs.push('\x07');
    }
    let mut osc = Vec::new();
    if let Some(p) = n.desktop {
        let body = format!("{NOTIFY_TITLE}: {}", alert.text);
        if matches!(
            p,
            NotifyProtocol::Osc9 | NotifyProtocol::Auto | NotifyProtocol::Both
        ) {
            osc.push(osc9(&body));
        }
        if matches!(p, NotifyProtocol::Osc777 | NotifyProtocol::Both) {
            osc.push(osc777(NOTIFY_TITLE, &alert.text));
        }
    }
    for s in &osc {
        seqs.push_str(s);
        if n.in_tmux {
            seqs.push_str(&crate::desktop::tmux_passthrough(s));
        }
    }
    if !seqs.is_empty() {
        match term.write_all(seqs.as_bytes()).and_then(|()| term.flush()) {
            Ok(()) => {
                report.bell = n.bell;
                report.desktop = !osc.is_empty();
            }
            Err(e) => report.errors.push(format!("writing to the terminal: {e}")),
        }
    }
    if let Some(cmd) = &n.hook {
        match run_hook(cmd, alert.to_json(), HOOK_TIMEOUT) {
            Ok(h) => report.hook = Some(h),
            Err(e) => {
                tracing::warn!("{e}");
                report.errors.push(e);
            }
        }
    }
    report
}

/// Start `cmd` (program + arguments, no shell) with `payload` and a newline on stdin; a
/// background thread writes it, waits for the hook and kills it after `timeout`. Errors and
/// logs name the program only.
pub fn run_hook(
    cmd: &[String],
    payload: String,
    timeout: Duration,
) -> Result<JoinHandle<HookExit>, String> {
    let Some((prog, args)) = cmd.split_first() else {
        return Err("alert hook is empty".into());
    };
    let child = Command::new(prog)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("alert hook `{prog}` could not start: {e}"))?;
    let prog = prog.clone();
    std::thread::Builder::new()
        .name("alert-hook".into())
        .spawn(move || {
            let exit = reap(child, &payload, timeout);
            match &exit {
                HookExit::Exited(Some(0)) => {}
                HookExit::Exited(code) => {
                    tracing::warn!("alert hook `{prog}` exited with {code:?}")
                }
                HookExit::Killed => {
                    tracing::warn!("alert hook `{prog}` killed after {}s", timeout.as_secs())
                }
                HookExit::Failed(e) => tracing::warn!("alert hook `{prog}`: {e}"),
            }
            exit
        })
        .map_err(|e| format!("alert hook thread: {e}"))
}

/// Poll step of the reaper while the hook runs (a background thread, not the UI).
const REAP_POLL: Duration = Duration::from_millis(20);

fn reap(mut child: Child, payload: &str, timeout: Duration) -> HookExit {
    let start = Instant::now();
    if let Some(mut stdin) = child.stdin.take() {
        // A hook that exits without reading gives a broken pipe: not an error of ours.
        let _ = stdin.write_all(payload.as_bytes());
        let _ = stdin.write_all(b"\n");
    } // stdin closed here so the hook sees EOF.
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return HookExit::Exited(status.code()),
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return HookExit::Killed;
            }
            Ok(None) => std::thread::sleep(REAP_POLL),
            Err(e) => return HookExit::Failed(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_protocol_follows_the_terminal() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let auto = NotifyProtocol::Auto;
        assert_eq!(
            auto.resolve(&env(&[("TERM", "foot")])),
            NotifyProtocol::Osc777
        );
        assert_eq!(
            auto.resolve(&env(&[("TERM", "xterm-256color"), ("VTE_VERSION", "7600")])),
            NotifyProtocol::Osc777
        );
        assert_eq!(
            auto.resolve(&env(&[("TERM", "xterm-kitty")])),
            NotifyProtocol::Osc9
        );
        assert_eq!(
            NotifyProtocol::Both.resolve(&env(&[("TERM", "foot")])),
            NotifyProtocol::Both
        );
    }

    #[test]
    fn hook_arguments_stay_out_of_debug() {
        let cfg = AlertsConfig {
            hook: Some("/usr/local/bin/notify https://hooks.example/T0KEN".into()),
            ..AlertsConfig::default()
        };
        let shown = format!("{cfg:?} {:?}", Notifier::new(&cfg, &|_| None));
        assert!(!shown.contains("T0KEN"), "{shown}");
        assert!(shown.contains("/usr/local/bin/notify"), "{shown}");
    }
}
