//! Configuration: embedded defaults, the user's TOML file, then CLI flags.
//! A bad file is an error naming the file, line and problem.

pub mod keymap;
pub mod push;
pub mod sentiment;
pub mod sentinel;
pub mod theme;
pub mod watch;
// Moved to `crate::paths` (a leaf: crash, logging and the stores need it without the config).
// Re-exported only for src/store/mod.rs, which another branch is rewriting; drop then.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::domain::Platform;
use crate::paths;
use crate::sources::SourcesConfig;
use crate::sources::http::{NetConfig, Secret};

/// Environment variable holding a Weibo cookie; takes precedence over the config file.
pub const COOKIE_ENV: &str = "RESOU_WEIBO_COOKIE";
/// Environment variable holding a Tieba cookie (`BDUSS=…`); takes precedence over the config file.
pub const TIEBA_COOKIE_ENV: &str = "RESOU_TIEBA_COOKIE";
/// Environment variable holding a Zhihu cookie (`z_c0=…; d_c0=…`); takes precedence over the
/// config file.
pub const ZHIHU_COOKIE_ENV: &str = "RESOU_ZHIHU_COOKIE";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub general: General,
    pub network: Network,
    pub weibo: Weibo,
    pub tieba: Tieba,
    pub zhihu: Zhihu,
    pub analysis: AnalysisSection,
    pub desktop: DesktopSection,
    pub alerts: crate::alerts::AlertsConfig,
    pub theme: ThemeSection,
    pub history: HistorySection,
    /// `[push]`: team alert channels and rules.
    pub push: push::PushSection,
    pub serve: ServeSection,
    pub report: ReportSection,
    /// `[watch]`: brand watch terms and budget.
    pub watch: watch::WatchSection,
    /// `[sentinel]`: sentinel accounts (off by default).
    pub sentinel: sentinel::SentinelSection,
    /// `[platform.<id>]`: per-list poll interval and detector weight.
    pub platform: std::collections::BTreeMap<Platform, PlatformSection>,
}

/// `[platform.douyin] interval_secs = 600, weight = 0.5`
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlatformSection {
    /// Seconds between polls of this list (default: `general.interval_secs` for Weibo and
    /// Tieba, at least [`OTHER_LIST_INTERVAL_SECS`] for the others).
    pub interval_secs: Option<u64>,
    /// How much this list's heat share counts in the rising-keyword detector (default 1).
    pub weight: Option<f64>,
}

/// Default interval of the lists other than Weibo and Tieba: the 5–10 min working clients
/// use (more-sources.md §9); their lists move slower and their hosts block eager pollers.
pub const OTHER_LIST_INTERVAL_SECS: u64 = 300;

/// The lists polled when the config names none: every platform with its own client. The
/// four news lists (read through the third-party newsnow aggregator) are opt-in.
pub fn default_platforms() -> Vec<Platform> {
    Platform::ALL
        .into_iter()
        .filter(|p| p.has_own_client())
        .collect()
}

/// `[history]`: where polls are kept and for how long.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistorySection {
    /// Keep history at all (`false`: memory only, like `--no-history`).
    pub enabled: bool,
    /// A file path (SQLite, the default `$XDG_DATA_HOME/resou/history.sqlite3`) or a
    /// `postgres://` URL (team mode). `--store` wins.
    pub store: Option<String>,
    /// Days kept; older polls go, and polls older than two days are thinned to hourly.
    /// 0 keeps everything.
    pub keep_days: u32,
    /// Your name in team mode (triage rows are per user); default `$USER`.
    pub user: Option<String>,
    /// Team mode: show the other users' flags and notes on the board.
    pub share_triage: bool,
}

impl Default for HistorySection {
    fn default() -> Self {
        HistorySection {
            enabled: true,
            store: None,
            keep_days: 90,
            user: None,
            share_triage: false,
        }
    }
}

/// `[serve]`: `resou serve`, the read-only feed. The command line's `--listen` and
/// `--token-file` win.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeSection {
    /// `host:port` to listen on (default `127.0.0.1:8787`); anything beyond loopback needs
    /// `token_file`.
    pub listen: Option<String>,
    /// File holding the bearer token, mode 0600 (the token itself never goes in this file).
    pub token_file: Option<PathBuf>,
    /// The server as readers reach it (`https://feeds.example.net/resou`, e.g. behind a
    /// proxy), for the links in feeds; default `http://<listen address>`.
    pub public_url: Option<String>,
}

/// `[report]`: scheduled reports (issue 19). The collector reports at each `at` time; a
/// shift report covers the time since the previous one.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportSection {
    /// Report times, `HH:MM` China time (`["09:00", "18:00"]`).
    #[serde(deserialize_with = "de_schedule")]
    pub at: crate::report::Schedule,
    /// What a report covers: `day`, `shift` (default) or a span such as `6h`.
    #[serde(deserialize_with = "de_period")]
    pub period: crate::report::PeriodSpec,
    /// Push channels the summary goes to, by name.
    #[serde(deserialize_with = "de_channels")]
    pub channels: Vec<String>,
    /// Where scheduled reports are saved; default `$XDG_DATA_HOME/resou/reports`.
    pub dir: Option<PathBuf>,
}

impl Default for ReportSection {
    fn default() -> Self {
        ReportSection {
            // ok: fixed valid times
            at: crate::report::Schedule::parse(&["09:00", "18:00"]).unwrap_or_default(),
            period: crate::report::PeriodSpec::Shift,
            channels: Vec::new(),
            dir: None,
        }
    }
}

impl ReportSection {
    /// Where scheduled reports are saved: `dir`, else `$XDG_DATA_HOME/resou/reports`.
    pub fn dir(&self) -> Option<PathBuf> {
        self.dir
            .clone()
            .or_else(|| paths::data_dir().map(|d| d.join("reports")))
    }
}

fn de_schedule<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<crate::report::Schedule, D::Error> {
    let times = Vec::<String>::deserialize(d)?;
    crate::report::Schedule::parse(&times).map_err(serde::de::Error::custom)
}

fn de_period<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<crate::report::PeriodSpec, D::Error> {
    let s = String::deserialize(d)?;
    crate::report::PeriodSpec::parse(&s).map_err(serde::de::Error::custom)
}

fn de_channels<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    let mut seen = std::collections::BTreeSet::new();
    for n in &names {
        if n.trim().is_empty() {
            return Err(serde::de::Error::custom("channel names must not be empty"));
        }
        if !seen.insert(n.trim()) {
            return Err(serde::de::Error::custom(format!(
                "channel `{n}` is listed twice"
            )));
        }
    }
    Ok(names.iter().map(|n| n.trim().to_string()).collect())
}

/// `[theme]`: look and feel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThemeSection {
    /// `auto` (from the terminal's background where it tells), `dark` or `light`.
    pub name: theme::ThemeName,
    /// `auto` (from `NO_COLOR`, `COLORTERM`, `TERM`), `16`, `256`, `truecolor` or `none`.
    pub colours: theme::ColourSetting,
    /// Mouse reporting (wheel scroll, click select); off by default so the terminal's own
    /// selection keeps working.
    pub mouse: bool,
}

/// `[desktop]`: where links go.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DesktopSection {
    /// `auto` (OSC 52 + native tool when a display exists), `osc52`, `native` or `off`;
    /// the `RESOU_CLIPBOARD` environment variable wins.
    pub clipboard: crate::desktop::ClipboardMode,
    /// Browser command for `o`; the URL is appended. Unset: `xdg-open` / `open`, and over SSH
    /// without a display the link is shown instead.
    pub browser: Option<String>,
}

/// `[analysis]`: detector parameters (`[analysis.detector]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalysisSection {
    /// Keys given in the file override the app's defaults one by one.
    #[serde(deserialize_with = "detector_over_defaults")]
    pub detector: crate::analysis::DetectorConfig,
}

fn detector_over_defaults<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<crate::analysis::DetectorConfig, D::Error> {
    use serde::de::Error;
    let user = toml::Table::deserialize(d)?;
    let mut merged =
        toml::Table::try_from(AnalysisSection::default().detector).map_err(D::Error::custom)?;
    merged.extend(user);
    merged
        .try_into()
        .map_err(|e: toml::de::Error| D::Error::custom(e.message()))
}

/// θ_on of the operating point `resou eval --tune` chose on the hourly tuning archive
/// (tests/fixtures/analysis/weibo_nateafish_2026-08-15.jsonl): best early recall of the keyword
/// panel at ≤ 2 false flags/hour, ties to panel precision (issue 16). The held-out archives
/// are evaluated at this value, never tuned on. The library keeps the reference's starting
/// value 3.
pub const OPERATING_THETA_ON: f64 = 1.0;
/// Where [`OPERATING_THETA_ON`] comes from, as `resou eval` prints it.
pub const OPERATING_THETA_SOURCE: &str =
    "default, chosen on the hourly archive weibo_nateafish_2026-08-15";

impl Default for AnalysisSection {
    fn default() -> Self {
        AnalysisSection {
            detector: crate::analysis::DetectorConfig {
                theta_on: OPERATING_THETA_ON,
                ..Default::default()
            },
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct General {
    /// Platforms to poll.
    pub platforms: Vec<Platform>,
    /// Seconds between polls of each platform (±10 % jitter).
    pub interval_secs: u64,
    /// Longest wait between polls after repeated failures.
    pub max_backoff_secs: u64,
    /// Keymap preset layered over the defaults (`vim`, `emacs`); `preset` in keymap.toml wins.
    pub keymap_preset: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Network {
    /// Send every platform request to this origin instead (paths and queries kept).
    pub origin: Option<String>,
    pub timeout_secs: u64,
    pub connect_timeout_secs: u64,
    pub max_body_bytes: usize,
}

/// A platform section holding only a user cookie (`[weibo]`, `[tieba]`, `[zhihu]`).
#[derive(Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CookieSection {
    /// Cookie header value from a logged-in browser session. Only accepted from a 0600 file.
    pub cookie: Option<String>,
}

/// `[weibo] cookie = "SUB=…; SUBP=…"`
pub type Weibo = CookieSection;
/// `[tieba] cookie = "BDUSS=…"`
pub type Tieba = CookieSection;
/// `[zhihu] cookie = "z_c0=…; d_c0=…"`
pub type Zhihu = CookieSection;

impl CookieSection {
    /// The cookie from `env` when set and not blank, else this section's.
    fn user_cookie(&self, env: &str) -> Option<Secret> {
        std::env::var(env)
            .ok()
            .filter(|c| !c.trim().is_empty())
            .or_else(|| self.cookie.clone().filter(|c| !c.trim().is_empty()))
            .map(Secret::new)
    }
}

impl std::fmt::Debug for CookieSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieSection")
            .field("cookie", &self.cookie.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Default for General {
    fn default() -> Self {
        General {
            platforms: default_platforms(),
            interval_secs: 60,
            max_backoff_secs: 600,
            keymap_preset: None,
        }
    }
}

impl Default for Network {
    fn default() -> Self {
        let d = NetConfig::default();
        Network {
            origin: None,
            timeout_secs: d.timeout.as_secs(),
            connect_timeout_secs: d.connect_timeout.as_secs(),
            max_body_bytes: d.max_body_bytes,
        }
    }
}

/// `postgres://user:password@host/db` carries a password.
fn url_has_password(u: &str) -> bool {
    url::Url::parse(u).is_ok_and(|u| u.password().is_some())
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {problem}")]
    Invalid {
        path: String,
        line: usize,
        problem: String,
    },
    #[error(
        "{path}: holds a cookie or password but is readable by group or others (mode {mode:o}); run `chmod 600 {path}` or use {COOKIE_ENV} / {TIEBA_COOKIE_ENV} / {ZHIHU_COOKIE_ENV} / RESOU_STORE"
    )]
    InsecureCookieFile { path: String, mode: u32 },
}

impl Config {
    /// Load `path`, or the default config file if it exists, or the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match paths::config_file() {
                Some(p) if p.exists() => p,
                _ => return Ok((Config::default(), None)),
            },
        };
        let shown = path.display().to_string();
        let src = std::fs::read_to_string(&path).map_err(|e| ConfigError::Read {
            path: shown.clone(),
            source: e,
        })?;
        let cfg = Config::parse(&src, &shown)?;
        // A database URL with a password is a secret like a cookie.
        let store_secret = cfg.history.store.as_deref().is_some_and(url_has_password);
        let cookie = [&cfg.weibo, &cfg.tieba, &cfg.zhihu]
            .iter()
            .any(|c| c.cookie.is_some());
        if cookie || store_secret {
            check_private(&path)?;
        }
        Ok((cfg, Some(path)))
    }

    pub fn parse(src: &str, path: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(src).map_err(|e| ConfigError::Invalid {
            path: path.to_string(),
            line: e
                .span()
                .map(|s| src[..s.start.min(src.len())].matches('\n').count() + 1)
                .unwrap_or(1),
            problem: e.message().trim().to_string(),
        })?;
        cfg.validate(src, path)?;
        Ok(cfg)
    }

    fn validate(&self, src: &str, path: &str) -> Result<(), ConfigError> {
        let bad = |key: &str, problem: String| ConfigError::Invalid {
            path: path.to_string(),
            line: src
                .lines()
                .position(|l| l.trim_start().starts_with(key))
                .map(|i| i + 1)
                .unwrap_or(1),
            problem,
        };
        if self.general.interval_secs < 5 {
            return Err(bad(
                "interval_secs",
                "interval_secs must be at least 5 (polling faster gets you blocked)".into(),
            ));
        }
        if self.general.platforms.is_empty() {
            return Err(bad(
                "platforms",
                "platforms is empty: list at least one of weibo, tieba, baidu, douyin, zhihu, toutiao, bilibili, kuaishou".into(),
            ));
        }
        for (p, s) in &self.platform {
            let key = format!("[platform.{}]", p.id());
            if s.interval_secs.is_some_and(|i| i < 5) {
                return Err(bad(
                    &key,
                    format!(
                        "{key} interval_secs must be at least 5 (polling faster gets you blocked)"
                    ),
                ));
            }
            if s.weight.is_some_and(|w| !(0.0..=10.0).contains(&w)) {
                return Err(bad(&key, format!("{key} weight must be between 0 and 10")));
            }
        }
        if let Some(o) = &self.network.origin {
            validate_origin(o).map_err(|p| bad("origin", p))?;
        }
        if let Some(l) = &self.serve.listen {
            l.parse::<std::net::SocketAddr>().map_err(|_| {
                bad(
                    "listen",
                    format!("[serve] listen `{l}`: expected address:port, e.g. 127.0.0.1:8787"),
                )
            })?;
        }
        if let Some(u) = &self.serve.public_url {
            validate_public_url(u).map_err(|p| bad("public_url", p))?;
        }
        if let Some((key, problem)) = self.watch.problem() {
            return Err(bad(key, problem));
        }
        if let Some((key, problem)) = self.sentinel.problem(self.watch.max_per_hour) {
            return Err(ConfigError::Invalid {
                path: path.to_string(),
                line: sentinel::line_of(src, key),
                problem,
            });
        }
        Ok(())
    }

    /// Pollers' configuration, with the cookies from the environment taking precedence.
    pub fn sources(&self) -> SourcesConfig {
        let base = self.general.interval_secs;
        let intervals = Platform::ALL
            .into_iter()
            .filter_map(|p| {
                let default = if matches!(p, Platform::Weibo | Platform::Tieba) {
                    base
                } else {
                    base.max(OTHER_LIST_INTERVAL_SECS)
                };
                let secs = self
                    .platform
                    .get(&p)
                    .and_then(|s| s.interval_secs)
                    .unwrap_or(default);
                (secs != base).then(|| (p, Duration::from_secs(secs)))
            })
            .collect();
        SourcesConfig {
            platforms: self.general.platforms.clone(),
            interval: Duration::from_secs(base),
            intervals,
            max_backoff: Duration::from_secs(
                self.general
                    .max_backoff_secs
                    .max(self.general.interval_secs),
            ),
            net: NetConfig {
                origin: self.network.origin.clone(),
                timeout: Duration::from_secs(self.network.timeout_secs.max(1)),
                connect_timeout: Duration::from_secs(self.network.connect_timeout_secs.max(1)),
                weibo_cookie: self.weibo.user_cookie(COOKIE_ENV),
                tieba_cookie: self.tieba.user_cookie(TIEBA_COOKIE_ENV),
                zhihu_cookie: self.zhihu.user_cookie(ZHIHU_COOKIE_ENV),
                max_body_bytes: self.network.max_body_bytes.max(64 * 1024),
            },
        }
    }
}

/// An origin is `http(s)://host[:port]` with nothing after it.
pub fn validate_origin(o: &str) -> Result<(), String> {
    let u = url::Url::parse(o).map_err(|e| format!("origin `{o}` is not a URL: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(format!("origin `{o}` must be http(s)://host[:port]"));
    }
    if u.path() != "/" || u.query().is_some() {
        return Err(format!("origin `{o}` must not have a path or query"));
    }
    Ok(())
}

/// A feed's public URL is `http(s)://host[:port][/path]`, without query or fragment (paths
/// are appended to it).
pub fn validate_public_url(u: &str) -> Result<(), String> {
    let parsed = url::Url::parse(u).map_err(|e| format!("public_url `{u}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!(
            "public_url `{u}` must be http(s)://host[:port][/path]"
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!(
            "public_url `{u}` must not have a query or fragment"
        ));
    }
    Ok(())
}

/// Refuse secrets in files others can read (the rule itself: `paths::exposed_mode`).
pub fn check_private(path: &Path) -> Result<(), ConfigError> {
    match crate::paths::exposed_mode(path) {
        Ok(None) => Ok(()),
        Ok(Some(mode)) => Err(ConfigError::InsecureCookieFile {
            path: path.display().to_string(),
            mode,
        }),
        Err(e) => Err(ConfigError::Read {
            path: path.display().to_string(),
            source: e,
        }),
    }
}

/// Keyword rows the app asks the analysis for per poll.
pub const KEYWORD_ROWS: usize = 60;

/// The analysis worker's configuration: shipped lists plus the user's dictionary
/// (`dictionary.txt`) and KOL watchlist (`kols.toml`) from the config dir, and the detector
/// state file in the data dir (`None` keeps baselines in memory only, as the demo does).
/// Problems with the user's files are returned as warnings; the defaults still work.
pub fn analysis_config(
    cfg: &Config,
    persist: bool,
) -> (crate::analysis::AnalysisConfig, Vec<String>) {
    let mut warnings = Vec::new();
    let mut out = crate::analysis::AnalysisConfig {
        detector: crate::analysis::DetectorConfig {
            platform_weights: Platform::ALL
                .map(|p| cfg.platform.get(&p).and_then(|s| s.weight).unwrap_or(1.0)),
            ..cfg.analysis.detector.clone()
        },
        // Rows the keyword panel can use (rising ones always come first); more costs per poll.
        max_rows: Some(KEYWORD_ROWS),
        ..Default::default()
    };
    let read = |p: &Path, warnings: &mut Vec<String>| match std::fs::read_to_string(p) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            warnings.push(format!("{}: {e}", p.display()));
            None
        }
    };
    if let Some(dir) = paths::config_dir() {
        let dict = dir.join("dictionary.txt");
        if let Some(src) = read(&dict, &mut warnings) {
            out.dictionary = crate::analysis::parse_dictionary(&src);
        }
        let kols = dir.join("kols.toml");
        if let Some(src) = read(&kols, &mut warnings) {
            match crate::analysis::parse_kol_file(&src, &kols.display().to_string()) {
                Ok(k) => out.kols = k,
                Err(e) => warnings.push(format!("KOL list ignored — {e}")),
            }
        }
    }
    if persist {
        out.state_path = paths::data_dir().map(|d| d.join("detector.json"));
    }
    (out, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_parse() {
        let c = Config::parse("[general]\ninterval_secs = 30\nplatforms = [\"weibo\"]\n[network]\norigin = \"http://127.0.0.1:8080\"\n", "c.toml").unwrap();
        assert_eq!(c.general.interval_secs, 30);
        assert_eq!(c.general.platforms, vec![Platform::Weibo]);
        let s = c.sources();
        assert_eq!(s.net.origin.as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(s.interval, Duration::from_secs(30));
    }

    #[test]
    fn per_platform_intervals_weights_and_defaults() {
        let c = Config::default();
        assert_eq!(
            c.general.platforms.len(),
            8,
            "the eight lists with a client"
        );
        assert!(!c.general.platforms.contains(&Platform::ThePaper));
        let s = c.sources();
        assert_eq!(s.interval_for(Platform::Weibo), Duration::from_secs(60));
        assert_eq!(s.interval_for(Platform::Douyin), Duration::from_secs(300));
        let c = Config::parse(
            "[general]\ninterval_secs = 30\n[platform.douyin]\ninterval_secs = 600\nweight = 0.5\n",
            "c.toml",
        )
        .unwrap();
        let s = c.sources();
        assert_eq!(s.interval_for(Platform::Weibo), Duration::from_secs(30));
        assert_eq!(s.interval_for(Platform::Douyin), Duration::from_secs(600));
        assert_eq!(s.interval_for(Platform::Zhihu), Duration::from_secs(300));
        let (a, _) = analysis_config(&c, false);
        assert_eq!(a.detector.platform_weights[Platform::Douyin.index()], 0.5);
        assert_eq!(a.detector.platform_weights[Platform::Weibo.index()], 1.0);
        let e = Config::parse("\n[platform.douyin]\nweight = 50\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2:") && e.contains("weight"), "{e}");
        let e = Config::parse("[platform.myspace]\nweight = 1\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:1:"), "{e}");
    }

    #[test]
    fn detector_defaults_to_the_measured_operating_point_and_can_be_overridden() {
        assert_eq!(
            Config::default().analysis.detector.theta_on,
            OPERATING_THETA_ON
        );
        let c = Config::parse("[analysis.detector]\ntheta_on = 2.5\n", "c.toml").unwrap();
        assert_eq!(c.analysis.detector.theta_on, 2.5);
        assert_eq!(
            c.analysis.detector.beta,
            crate::analysis::DetectorConfig::default().beta
        );
        let c = Config::parse("[analysis.detector]\nbeta = 0.02\n", "c.toml").unwrap();
        assert_eq!(
            c.analysis.detector.theta_on, OPERATING_THETA_ON,
            "unspecified keys keep the app default"
        );
        assert_eq!(c.analysis.detector.beta, 0.02);
        let e = Config::parse("[analysis.detector]\ntheta = 2\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.toml:") && e.contains("unknown field `theta`"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_line() {
        let e = Config::parse("[general]\n\ninterval = 30\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:3:"), "{e}");
        assert!(e.contains("unknown field `interval`"), "{e}");
        let e = Config::parse("[general]\ninterval_secs = 1\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.toml:2:") && e.contains("at least 5"),
            "{e}"
        );
        let e = Config::parse("[network]\norigin = \"http://x/path\"\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2:") && e.contains("path"), "{e}");
        let e = Config::parse("[general]\nplatforms = [\"myspace\"]\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2:"), "{e}");
    }

    #[test]
    fn serve_section() {
        let c = Config::parse(
            "[serve]\nlisten = \"0.0.0.0:9000\"\ntoken_file = \"/etc/resou/token\"\npublic_url = \"https://feeds.example.net/resou\"\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(c.serve.listen.as_deref(), Some("0.0.0.0:9000"));
        assert_eq!(c.serve.token_file, Some(PathBuf::from("/etc/resou/token")));
        for (src, line, what) in [
            ("[serve]\n\nlisten = \"localhost\"\n", 3, "address:port"),
            ("[serve]\npublic_url = \"ftp://x\"\n", 2, "http(s)"),
            ("[serve]\npublic_url = \"https://x/?a=1\"\n", 2, "query"),
            ("[serve]\ntoken = \"abc\"\n", 2, "unknown field `token`"),
        ] {
            let e = Config::parse(src, "c.toml").unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("c.toml:{line}:")) && e.contains(what),
                "{e}"
            );
        }
    }

    #[test]
    fn report_section_defaults_and_errors_name_the_line() {
        let c = Config::default();
        assert_eq!(c.report.at.times(), ["09:00", "18:00"]);
        assert_eq!(c.report.period, crate::report::PeriodSpec::Shift);
        assert!(c.report.channels.is_empty());
        let c = Config::parse(
            "[report]\nat = [\"21:30\", \"08:00\"]\nperiod = \"6h\"\nchannels = [\"ops\"]\ndir = \"/tmp/r\"\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(c.report.at.times(), ["08:00", "21:30"]);
        assert_eq!(
            c.report.period,
            crate::report::PeriodSpec::Span { minutes: 360 }
        );
        assert_eq!(c.report.channels, ["ops"]);
        assert_eq!(c.report.dir(), Some(PathBuf::from("/tmp/r")));
        for (src, line, word) in [
            ("[report]\n\nat = [\"9am\"]\n", 3, "9am"),
            ("[general]\n[report]\nperiod = \"week\"\n", 3, "week"),
            ("[report]\nchannels = [\"a\", \"a\"]\n", 2, "twice"),
            ("[report]\nevery = 3\n", 2, "unknown field"),
        ] {
            let e = Config::parse(src, "c.toml").unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("c.toml:{line}:")) && e.contains(word),
                "{src}: {e}"
            );
        }
    }

    #[test]
    fn cookie_never_in_debug() {
        let c = Config::parse("[weibo]\ncookie = \"SUB=secret123\"\n", "c.toml").unwrap();
        assert!(!format!("{c:?}").contains("secret123"));
        assert!(!format!("{:?}", c.sources()).contains("secret123"));
    }

    #[cfg(unix)]
    #[test]
    fn cookie_file_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "[weibo]\ncookie = \"SUB=x\"\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = Config::load(Some(&p)).unwrap_err().to_string();
        assert!(e.contains("chmod 600"), "{e}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(Config::load(Some(&p)).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn zhihu_cookie_is_a_secret_like_the_others() {
        use std::os::unix::fs::PermissionsExt;
        let src = "[zhihu]\ncookie = \"z_c0=secret456; d_c0=x\"\n";
        let c = Config::parse(src, "c.toml").unwrap();
        assert!(!format!("{c:?}").contains("secret456"));
        assert!(!format!("{:?}", c.sources()).contains("secret456"));
        // The environment wins over the file; only check the file's value when it is unset.
        if std::env::var(ZHIHU_COOKIE_ENV).is_err() {
            let net = c.sources().net;
            assert_eq!(
                net.zhihu_cookie.as_ref().map(Secret::expose),
                Some("z_c0=secret456; d_c0=x")
            );
            assert!(net.weibo_cookie.is_none() || std::env::var(COOKIE_ENV).is_ok());
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, src).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        let e = Config::load(Some(&p)).unwrap_err().to_string();
        assert!(
            e.contains("chmod 600") && e.contains(ZHIHU_COOKIE_ENV),
            "{e}"
        );
    }
}
