//! Channel configuration (what will live under `[push.channels.NAME]`), its secrets, and the
//! one table of what differs between channels: default host, size budget, rate limits, text
//! dialect, and the request each part becomes (email: the mail, in `email`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::email::{Email, Endpoint, Settings, TlsMode};
use super::message::{Dialect, Message, Tier, truncate_bytes};
use super::rate::{Limit, RateLimiter};
use super::sign;
use super::split::{PartNo, numbered};
use super::template::Template;

/// The kinds of push channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    WeCom,
    Feishu,
    DingTalk,
    Telegram,
    Ntfy,
    Slack,
    Bark,
    Webhook,
    Email,
}

/// What a channel's size limit applies to (team-alerts.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// UTF-8 bytes of the whole JSON body, after escaping.
    BodyBytes(usize),
    /// Characters of the one text field the service limits.
    FieldChars(usize),
    /// Sent whole: no limit worth splitting for (email).
    Whole,
}

/// DingTalk has no documented limit; TrendRadar sends ≤ 20,000 B, so stay under that.
pub const DINGTALK_DEFAULT_BYTES: usize = 18_000;
/// Generic webhooks: TrendRadar's 4,000-byte batches.
pub const WEBHOOK_DEFAULT_BYTES: usize = 4_000;

const S: Duration = Duration::from_secs(1);
const MIN: Duration = Duration::from_secs(60);

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::WeCom,
        Kind::Feishu,
        Kind::DingTalk,
        Kind::Telegram,
        Kind::Ntfy,
        Kind::Slack,
        Kind::Bark,
        Kind::Webhook,
        Kind::Email,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::WeCom => "WeCom",
            Kind::Feishu => "Feishu",
            Kind::DingTalk => "DingTalk",
            Kind::Telegram => "Telegram",
            Kind::Ntfy => "ntfy",
            Kind::Slack => "Slack",
            Kind::Bark => "Bark",
            Kind::Webhook => "webhook",
            Kind::Email => "email",
        }
    }

    /// The real service; tests point `base_url` at a loopback receiver instead.
    pub fn default_base(self) -> Option<&'static str> {
        match self {
            Kind::WeCom => Some("https://qyapi.weixin.qq.com"),
            Kind::Feishu => Some("https://open.feishu.cn"),
            Kind::DingTalk => Some("https://oapi.dingtalk.com"),
            Kind::Telegram => Some("https://api.telegram.org"),
            Kind::Ntfy => Some("https://ntfy.sh"),
            Kind::Slack => Some("https://hooks.slack.com"),
            Kind::Bark => Some("https://api.day.app"),
            Kind::Webhook | Kind::Email => None,
        }
    }

    fn budget(self) -> Budget {
        match self {
            Kind::WeCom => Budget::BodyBytes(4096),
            // "20 KB": read as 20,000 so either reading of KB holds.
            Kind::Feishu => Budget::BodyBytes(20_000),
            Kind::DingTalk => Budget::BodyBytes(DINGTALK_DEFAULT_BYTES),
            Kind::Telegram => Budget::FieldChars(4096),
            Kind::Ntfy => Budget::BodyBytes(4096),
            Kind::Slack => Budget::FieldChars(3000),
            // APNs payloads are ~4 KB; TrendRadar keeps Bark bodies to 3,600 B.
            Kind::Bark => Budget::BodyBytes(3600),
            Kind::Webhook => Budget::BodyBytes(WEBHOOK_DEFAULT_BYTES),
            Kind::Email => Budget::Whole,
        }
    }

    fn limits(self, telegram_group: bool) -> Vec<Limit> {
        let window = |max, per| Limit::Window { max, per };
        match self {
            Kind::WeCom | Kind::DingTalk => vec![window(20, MIN)],
            Kind::Feishu => vec![window(5, S), window(100, MIN)],
            Kind::Slack => vec![window(1, S)],
            Kind::Telegram if telegram_group => vec![window(1, S), window(20, MIN)],
            Kind::Telegram => vec![window(1, S)],
            Kind::Ntfy => vec![Limit::Bucket {
                burst: 60,
                every: 5 * S,
            }],
            // Email limits are the provider's and undocumented (§0).
            Kind::Bark | Kind::Webhook | Kind::Email => Vec::new(),
        }
    }

    fn dialect(self) -> Dialect {
        match self {
            Kind::WeCom | Kind::Feishu | Kind::DingTalk => Dialect::Markdown,
            Kind::Telegram | Kind::Email => Dialect::Html,
            Kind::Slack => Dialect::SlackMrkdwn,
            Kind::Ntfy | Kind::Bark | Kind::Webhook => Dialect::Raw,
        }
    }

    /// Channels with their own link field (the rest get the link as a last body line).
    fn has_link_field(self) -> bool {
        matches!(self, Kind::Ntfy | Kind::Bark | Kind::Webhook)
    }

    /// Whether an alert of `tier` goes out on its own, or only in the next digest (§9: email
    /// sends blue and yellow in digests only, so a busy day is not a full inbox).
    pub fn immediate(self, tier: Tier) -> bool {
        match self {
            Kind::Email => tier >= Tier::Orange,
            _ => true,
        }
    }
}

/// Where a secret comes from: `{ env = "VAR" }` or `{ file = "path" }` (mode 0600). Never the
/// value itself, so a config file can be shared.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum SecretRef {
    Env(String),
    File(PathBuf),
}

/// A secret value. Debug and Display print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub(super) fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Why a channel cannot be set up. Names variables and files, never secret values.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("push secret: environment variable {0} is not set or empty")]
    MissingEnv(String),
    #[error("push secret file {path}: {source}")]
    ReadFile {
        path: String,
        source: std::io::Error,
    },
    #[error("push secret file {path} has mode {mode:o}; others can read it: chmod 600 {path}")]
    InsecureFile { path: String, mode: u32 },
    #[error("push secret file {0} is empty")]
    EmptyFile(String),
    #[error("{kind} base_url `{url}`: {reason}")]
    BaseUrl {
        kind: &'static str,
        url: String,
        reason: String,
    },
    #[error("webhook url: {0}")]
    WebhookUrl(String),
    #[error("Slack webhook: expected https://hooks.slack.com/services/T…/B…/X… or T…/B…/X…")]
    SlackWebhook,
    #[error("webhook template: {0}")]
    Template(String),
    #[error("{kind}: {field} must be greater than zero")]
    Zero {
        kind: &'static str,
        field: &'static str,
    },
    #[error("email {field}: {reason}")]
    Email { field: String, reason: String },
}

impl SecretRef {
    /// The secret, from the environment (`env` is injected: the app owns the environment) or
    /// a file only its owner can read (the same rule as the cookie files).
    pub fn load(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Secret, PushError> {
        match self {
            SecretRef::Env(var) => env(var)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .map(Secret)
                .ok_or_else(|| PushError::MissingEnv(var.clone())),
            SecretRef::File(path) => load_file(path),
        }
    }
}

fn load_file(path: &Path) -> Result<Secret, PushError> {
    let shown = path.display().to_string();
    let read_err = |source| PushError::ReadFile {
        path: shown.clone(),
        source,
    };
    if let Some(mode) = crate::paths::exposed_mode(path).map_err(read_err)? {
        return Err(PushError::InsecureFile { path: shown, mode });
    }
    let text = std::fs::read_to_string(path).map_err(read_err)?;
    let value = text.trim();
    if value.is_empty() {
        return Err(PushError::EmptyFile(shown));
    }
    Ok(Secret(value.to_string()))
}

/// One channel as configured. Internally tagged by `kind`; unknown keys are errors.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum ChannelConfig {
    /// WeCom group robot: the `key` of its webhook URL.
    Wecom {
        #[serde(default)]
        base_url: Option<String>,
        key: SecretRef,
    },
    /// Feishu custom bot: the token of its hook URL; `secret` when 签名校验 is on.
    Feishu {
        #[serde(default)]
        base_url: Option<String>,
        token: SecretRef,
        #[serde(default)]
        secret: Option<SecretRef>,
    },
    /// DingTalk robot: `access_token`; `secret` (SEC…) when 加签 is on.
    Dingtalk {
        #[serde(default)]
        base_url: Option<String>,
        token: SecretRef,
        #[serde(default)]
        secret: Option<SecretRef>,
        /// Body budget in bytes (no documented limit).
        #[serde(default)]
        max_bytes: Option<usize>,
    },
    Telegram {
        #[serde(default)]
        base_url: Option<String>,
        token: SecretRef,
        /// Numeric id (groups are negative) or `@channelname`.
        chat_id: String,
    },
    Ntfy {
        #[serde(default)]
        base_url: Option<String>,
        topic: String,
        /// Access token (`tk_…`), sent as `Authorization: Bearer`.
        #[serde(default)]
        token: Option<SecretRef>,
    },
    /// Slack incoming webhook: the URL is the secret.
    Slack {
        #[serde(default)]
        base_url: Option<String>,
        webhook: SecretRef,
    },
    Bark {
        #[serde(default)]
        base_url: Option<String>,
        device_key: SecretRef,
    },
    /// Any JSON endpoint; `template` with `{title}` `{content}` `{severity}` `{rule}`
    /// `{platform}` `{url}` `{ts}` inside its strings.
    Webhook {
        url: SecretRef,
        #[serde(default)]
        template: Option<String>,
        #[serde(default)]
        max_bytes: Option<usize>,
    },
    /// SMTP. `tls` follows `port` when not given (465 implicit, else STARTTLS) and `port`
    /// follows `tls`; `"none"` only to loopback unless `allow_plaintext`. The password of
    /// QQ/163/126 mail is the app authorisation code (授权码).
    Email {
        host: String,
        #[serde(default)]
        port: Option<u16>,
        #[serde(default)]
        tls: Option<TlsMode>,
        /// Plaintext to a host that is not loopback (a trusted internal relay).
        #[serde(default)]
        allow_plaintext: bool,
        username: String,
        password: SecretRef,
        from: String,
        to: Vec<String>,
    },
}

/// What differs per kind once the secrets are loaded.
#[derive(Clone)]
enum Dest {
    WeCom {
        key: Secret,
    },
    Feishu {
        token: Secret,
        secret: Option<Secret>,
    },
    DingTalk {
        token: Secret,
        secret: Option<Secret>,
    },
    Telegram {
        token: Secret,
        chat_id: String,
    },
    Ntfy {
        topic: String,
        token: Option<Secret>,
    },
    Slack {
        path: Secret,
    },
    Bark {
        device_key: Secret,
    },
    Webhook {
        url: Secret,
        template: Template,
    },
    Email(Box<Email>),
}

/// A ready channel: secrets loaded, URLs checked, its own rate limiter.
pub struct Channel {
    kind: Kind,
    base: Url,
    dest: Dest,
    budget: Budget,
    pub(super) limiter: Mutex<RateLimiter>,
}

/// One HTTP request to make.
pub(super) struct Request {
    pub url: Url,
    pub bearer: Option<Secret>,
    pub body: Vec<u8>,
    /// Characters of the limited field (for `Budget::FieldChars`).
    pub field_chars: usize,
}

/// What one request carries: a part of the body, or WeCom's separate mention message.
#[derive(Debug, Clone)]
pub(super) enum Piece {
    Part {
        text: String,
        no: Option<PartNo>,
        first: bool,
    },
    /// WeCom `text` message with `mentioned_list` (red: `@all` before; orange: after).
    Mention { all: bool },
}

impl ChannelConfig {
    pub fn kind(&self) -> Kind {
        match self {
            ChannelConfig::Wecom { .. } => Kind::WeCom,
            ChannelConfig::Feishu { .. } => Kind::Feishu,
            ChannelConfig::Dingtalk { .. } => Kind::DingTalk,
            ChannelConfig::Telegram { .. } => Kind::Telegram,
            ChannelConfig::Ntfy { .. } => Kind::Ntfy,
            ChannelConfig::Slack { .. } => Kind::Slack,
            ChannelConfig::Bark { .. } => Kind::Bark,
            ChannelConfig::Webhook { .. } => Kind::Webhook,
            ChannelConfig::Email { .. } => Kind::Email,
        }
    }

    /// Load the secrets and check everything that can be checked before sending.
    pub fn open(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Channel, PushError> {
        let kind = self.kind();
        let opt = |s: &Option<SecretRef>| s.as_ref().map(|s| s.load(env)).transpose();
        let mut budget = kind.budget();
        let mut telegram_group = false;
        let (base_url, dest) = match self {
            ChannelConfig::Wecom { base_url, key } => (
                base_url,
                Dest::WeCom {
                    key: key.load(env)?,
                },
            ),
            ChannelConfig::Feishu {
                base_url,
                token,
                secret,
            } => (
                base_url,
                Dest::Feishu {
                    token: token.load(env)?,
                    secret: opt(secret)?,
                },
            ),
            ChannelConfig::Dingtalk {
                base_url,
                token,
                secret,
                max_bytes,
            } => {
                budget = Budget::BodyBytes(positive(kind, *max_bytes, DINGTALK_DEFAULT_BYTES)?);
                (
                    base_url,
                    Dest::DingTalk {
                        token: token.load(env)?,
                        secret: opt(secret)?,
                    },
                )
            }
            ChannelConfig::Telegram {
                base_url,
                token,
                chat_id,
            } => {
                telegram_group = chat_id.starts_with('-');
                let dest = Dest::Telegram {
                    token: token.load(env)?,
                    chat_id: chat_id.clone(),
                };
                (base_url, dest)
            }
            ChannelConfig::Ntfy {
                base_url,
                topic,
                token,
            } => (
                base_url,
                Dest::Ntfy {
                    topic: topic.clone(),
                    token: opt(token)?,
                },
            ),
            ChannelConfig::Slack { base_url, webhook } => {
                let path =
                    slack_path(webhook.load(env)?.expose()).ok_or(PushError::SlackWebhook)?;
                (base_url, Dest::Slack { path })
            }
            ChannelConfig::Bark {
                base_url,
                device_key,
            } => (
                base_url,
                Dest::Bark {
                    device_key: device_key.load(env)?,
                },
            ),
            ChannelConfig::Email {
                host,
                port,
                tls,
                allow_plaintext,
                username,
                password,
                from,
                to,
            } => {
                let endpoint = Endpoint::choose(host, *port, *tls, *allow_plaintext)?;
                let email = Email::open(Settings {
                    endpoint: &endpoint,
                    username,
                    password: password.load(env)?,
                    from,
                    to,
                })?;
                let dest = Dest::Email(Box::new(email));
                return Ok(Channel::new(kind, endpoint.url()?, dest, budget, false));
            }
            ChannelConfig::Webhook {
                url,
                template,
                max_bytes,
            } => {
                budget = Budget::BodyBytes(positive(kind, *max_bytes, WEBHOOK_DEFAULT_BYTES)?);
                let template = match template {
                    Some(t) => Template::parse(t).map_err(PushError::Template)?,
                    None => Template::default(),
                };
                let url = url.load(env)?;
                // The URL is a secret: the error says what is wrong, not what it is.
                let parsed = Url::parse(url.expose())
                    .map_err(|e| PushError::WebhookUrl(format!("not a URL ({e})")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(PushError::WebhookUrl("must be http(s)".into()));
                }
                let dest = Dest::Webhook { url, template };
                return Ok(Channel::new(kind, parsed, dest, budget, false));
            }
        };
        let base = base_url
            .as_deref()
            .or(kind.default_base())
            .unwrap_or_default();
        let base = parse_base(kind, base)?;
        Ok(Channel::new(kind, base, dest, budget, telegram_group))
    }
}

fn positive(kind: Kind, v: Option<usize>, default: usize) -> Result<usize, PushError> {
    match v {
        Some(0) => Err(PushError::Zero {
            kind: kind.name(),
            field: "max_bytes",
        }),
        Some(n) => Ok(n),
        None => Ok(default),
    }
}

fn parse_base(kind: Kind, base: &str) -> Result<Url, PushError> {
    let err = |reason: &str| PushError::BaseUrl {
        kind: kind.name(),
        url: base.to_string(),
        reason: reason.to_string(),
    };
    let url = Url::parse(base).map_err(|e| err(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(err("must be http(s)://host[:port][/prefix]"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(err("must not have a query or fragment"));
    }
    Ok(url)
}

/// `T…/B…/X…` from a full Slack webhook URL or from the path itself.
fn slack_path(s: &str) -> Option<Secret> {
    let path = match s.find("/services/") {
        Some(i) => &s[i + "/services/".len()..],
        None => s,
    };
    let path = path.trim_matches('/');
    let ok = path.split('/').count() == 3
        && path.split('/').all(|p| !p.is_empty())
        && !path.contains(['?', '#', ' ']);
    ok.then(|| Secret(path.to_string()))
}

impl Channel {
    fn new(kind: Kind, base: Url, dest: Dest, budget: Budget, telegram_group: bool) -> Channel {
        Channel {
            kind,
            base,
            dest,
            budget,
            limiter: Mutex::new(RateLimiter::new(&kind.limits(telegram_group))),
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// Every secret value, for scrubbing text that might echo one (error messages, URLs).
    fn secrets(&self) -> Vec<&str> {
        let mut out = Vec::new();
        match &self.dest {
            Dest::WeCom { key } => out.push(key.expose()),
            Dest::Feishu { token, secret } | Dest::DingTalk { token, secret } => {
                out.push(token.expose());
                out.extend(secret.as_ref().map(Secret::expose));
            }
            Dest::Telegram { token, .. } => out.push(token.expose()),
            Dest::Ntfy { token, .. } => out.extend(token.as_ref().map(Secret::expose)),
            Dest::Slack { path } => out.push(path.expose()),
            Dest::Bark { device_key } => out.push(device_key.expose()),
            Dest::Webhook { url, .. } => out.push(url.expose()),
            Dest::Email(email) => out.extend(email.secrets()),
        }
        out
    }

    /// `text` with every secret (raw and percent-encoded) replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in self.secrets() {
            let encoded: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
            let path_encoded =
                percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            for form in [s.to_string(), encoded, path_encoded] {
                if !form.is_empty() {
                    out = out.replace(&form, "***");
                }
            }
        }
        out
    }

    /// The endpoint as it may be shown: secrets as `***`.
    pub fn endpoint_redacted(&self) -> String {
        match &self.dest {
            Dest::Webhook { url, .. } => match Url::parse(url.expose()) {
                Ok(u) => format!("{}://{}/***", u.scheme(), u.host_str().unwrap_or("?")),
                Err(_) => "***".into(),
            },
            _ => self.redact(self.url(0).as_str()),
        }
    }

    /// The pieces a message becomes on this channel: its parts, numbered when there is more
    /// than one, plus WeCom's mention messages for orange and red.
    pub(super) fn plan(&self, msg: &Message) -> Result<Vec<Piece>, super::split::SplitError> {
        let body = self.body_of(msg);
        let limit = match self.budget {
            Budget::BodyBytes(n) | Budget::FieldChars(n) => n,
            Budget::Whole => {
                return Ok(vec![Piece::Part {
                    text: body,
                    no: None,
                    first: true,
                }]);
            }
        };
        // Measured at a fixed time: signatures and timestamps have a constant length.
        let measure = |text: &str, no: Option<PartNo>| {
            let piece = Piece::Part {
                text: text.to_string(),
                no,
                first: true,
            };
            let req = self.request(msg, &piece, MEASURE_TIME);
            match self.budget {
                Budget::BodyBytes(_) | Budget::Whole => req.body.len(),
                Budget::FieldChars(_) => req.field_chars,
            }
        };
        let parts = super::split::split(&body, limit, measure)?;
        let n = parts.len();
        let mut pieces: Vec<Piece> = parts
            .into_iter()
            .enumerate()
            .map(|(i, text)| Piece::Part {
                text,
                no: (n > 1).then_some((i + 1, n)),
                first: i == 0,
            })
            .collect();
        if self.kind == Kind::WeCom {
            match msg.tier {
                Tier::Red => pieces.insert(0, Piece::Mention { all: true }),
                Tier::Orange if !msg.mentions.is_empty() => {
                    pieces.push(Piece::Mention { all: false })
                }
                _ => {}
            }
        }
        Ok(pieces)
    }

    fn body_of(&self, msg: &Message) -> String {
        match &msg.url {
            Some(url) if !self.kind.has_link_field() => {
                format!("{}\n\n[详情]({url})", msg.body_markdown.trim_end())
            }
            _ => msg.body_markdown.clone(),
        }
    }

    /// The URL of a request sent at `ts_ms` (DingTalk signs the URL).
    fn url(&self, ts_ms: i64) -> Url {
        let mut url = self.base.clone();
        let segments: Vec<String> = match &self.dest {
            Dest::WeCom { .. } => vec!["cgi-bin".into(), "webhook".into(), "send".into()],
            Dest::Feishu { token, .. } => ["open-apis", "bot", "v2", "hook", token.expose()]
                .map(String::from)
                .into(),
            Dest::DingTalk { .. } => vec!["robot".into(), "send".into()],
            Dest::Telegram { token, .. } => {
                vec![format!("bot{}", token.expose()), "sendMessage".into()]
            }
            // JSON publishing goes to the root URL, not the topic URL.
            Dest::Ntfy { .. } => vec![String::new()],
            Dest::Slack { path } => std::iter::once("services")
                .chain(path.expose().split('/'))
                .map(String::from)
                .collect(),
            Dest::Bark { .. } => vec!["push".into()],
            // The user's URL exactly as given (a trailing slash can matter); email's is the
            // SMTP endpoint, shown only.
            Dest::Webhook { .. } | Dest::Email(_) => return url,
        };
        // Segments are percent-encoded, so a token cannot add path or query parts.
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(&segments);
        }
        match &self.dest {
            Dest::WeCom { key } => {
                url.query_pairs_mut().append_pair("key", key.expose());
            }
            Dest::DingTalk { token, secret } => {
                let mut q = url.query_pairs_mut();
                q.append_pair("access_token", token.expose());
                if let Some(secret) = secret {
                    // The encoder percent-encodes the base64 exactly once.
                    q.append_pair("timestamp", &ts_ms.to_string());
                    q.append_pair("sign", &sign::dingtalk(secret.expose(), ts_ms));
                }
            }
            _ => {}
        }
        url
    }

    /// The email sender, for the channels that speak SMTP instead of HTTP.
    pub(super) fn email(&self) -> Option<&Email> {
        match &self.dest {
            Dest::Email(email) => Some(email),
            _ => None,
        }
    }

    /// The request for one piece, sent at `ts_ms` (milliseconds since the Unix epoch).
    pub(super) fn request(&self, msg: &Message, piece: &Piece, ts_ms: i64) -> Request {
        let d = self.kind.dialect();
        let tier = msg.tier;
        let (text, no, first) = match piece {
            Piece::Part { text, no, first } => (text.as_str(), *no, *first),
            Piece::Mention { all } => return self.wecom_mention(msg, *all, ts_ms),
        };
        let title_plain = numbered(&format!("{}{}", tier.label(), msg.title), no);
        let body = d.markdown(text);
        let mut field_chars = 0;
        let mut bearer = None;
        let json = match &self.dest {
            Dest::WeCom { .. } => {
                let head = match tier {
                    Tier::Blue => d.bold(&title_plain),
                    _ => format!("<font color=\"warning\">{}</font>", d.bold(&title_plain)),
                };
                // Orange and red notify through text messages; the others mention inline.
                let inline = if first && tier <= Tier::Yellow {
                    mentions_inline(&msg.mentions, |m| format!("<@{m}>"))
                } else {
                    String::new()
                };
                json!({"msgtype": "markdown", "markdown": {"content": format!("{head}\n{body}{inline}")}})
            }
            Dest::Feishu { secret, .. } => {
                let at = match tier {
                    Tier::Red if first => "\n<at user_id=\"all\">所有人</at>".to_string(),
                    Tier::Orange if first => {
                        mentions_inline(&msg.mentions, |m| format!("<at user_id=\"{m}\"></at>"))
                    }
                    _ => String::new(),
                };
                let mut v = json!({
                    "msg_type": "interactive",
                    "card": {
                        "header": {
                            "title": {"tag": "plain_text", "content": title_plain},
                            "template": tier.id(),
                        },
                        "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": format!("{body}{at}")}}],
                    },
                });
                if let Some(secret) = secret {
                    let ts = ts_ms.div_euclid(1000);
                    v["timestamp"] = json!(ts.to_string());
                    v["sign"] = json!(sign::feishu(secret.expose(), ts));
                }
                v
            }
            Dest::DingTalk { .. } => {
                let mobiles: Vec<&String> = if first && tier == Tier::Orange {
                    msg.mentions.iter().collect()
                } else {
                    Vec::new()
                };
                // A mention shows only when the @mobile is in the text too.
                let at_text = mentions_inline(&msg.mentions, |m| format!("@{m}"));
                let at_text = if mobiles.is_empty() { "" } else { &at_text };
                json!({
                    "msgtype": "markdown",
                    "markdown": {
                        "title": d.text(&title_plain),
                        "text": format!("### {}\n\n{body}{at_text}", d.text(&title_plain)),
                    },
                    "at": {"atMobiles": mobiles, "isAtAll": first && tier == Tier::Red},
                })
            }
            Dest::Telegram { chat_id, .. } => {
                let text = format!("{}\n{body}", d.bold(&title_plain));
                field_chars = text.chars().count();
                // Numeric ids go as numbers, `@channel` as a string.
                let chat: Value = chat_id
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::from(chat_id.as_str()));
                json!({
                    "chat_id": chat,
                    "text": text,
                    "parse_mode": "HTML",
                    "link_preview_options": {"is_disabled": true},
                    "disable_notification": tier == Tier::Blue,
                })
            }
            Dest::Ntfy { topic, token } => {
                bearer = token.clone();
                let (priority, tags): (u8, &[&str]) = match tier {
                    Tier::Blue => (2, &[]),
                    Tier::Yellow => (3, &[]),
                    Tier::Orange => (4, &["warning"]),
                    Tier::Red => (5, &["rotating_light"]),
                };
                let mut v = json!({
                    "topic": topic, "title": title_plain, "message": body,
                    "priority": priority, "tags": tags, "markdown": true,
                });
                if let Some(url) = &msg.url {
                    v["click"] = json!(url);
                }
                v
            }
            Dest::Slack { .. } => {
                let section = format!("{}\n{body}", d.bold(&title_plain));
                field_chars = section.chars().count();
                json!({
                    "text": d.text(&title_plain),
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": section}}],
                })
            }
            Dest::Bark { device_key } => {
                let level = match tier {
                    Tier::Blue => "passive",
                    Tier::Yellow => "active",
                    Tier::Orange => "timeSensitive",
                    Tier::Red => "critical",
                };
                let mut v = json!({
                    "device_key": device_key.expose(), "title": title_plain, "markdown": body,
                    "group": "resou", "level": level,
                });
                if let Some(url) = &msg.url {
                    v["url"] = json!(url);
                }
                v
            }
            Dest::Webhook { template, .. } => {
                let ts = chrono::DateTime::from_timestamp_millis(ts_ms)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default();
                template.render(&[
                    ("title", &title_plain),
                    ("content", &body),
                    ("severity", tier.id()),
                    ("rule", &msg.rule),
                    ("platform", &msg.platform),
                    ("url", msg.url.as_deref().unwrap_or("")),
                    ("ts", &ts),
                ])
            }
            // Mail is rendered and sent by `email` (send.rs never asks for a request).
            Dest::Email(_) => Value::Null,
        };
        Request {
            url: self.url(ts_ms),
            bearer,
            body: json.to_string().into_bytes(),
            field_chars,
        }
    }

    fn wecom_mention(&self, msg: &Message, all: bool, ts_ms: i64) -> Request {
        let list: Vec<&str> = if all {
            vec!["@all"]
        } else {
            msg.mentions.iter().map(String::as_str).collect()
        };
        // `text` content is limited to 2,048 bytes; the detail follows in markdown anyway.
        let content = format!("{}{}", msg.tier.label(), msg.title);
        let json = json!({
            "msgtype": "text",
            "text": {"content": truncate_bytes(&content, 2000), "mentioned_list": list},
        });
        Request {
            url: self.url(ts_ms),
            bearer: None,
            body: json.to_string().into_bytes(),
            field_chars: 0,
        }
    }
}

/// A time with the widest timestamps, for measuring parts before the real send time is known.
const MEASURE_TIME: i64 = 9_999_999_999_999;

fn mentions_inline(mentions: &[String], f: impl Fn(&str) -> String) -> String {
    if mentions.is_empty() {
        return String::new();
    }
    let list: Vec<String> = mentions.iter().map(|m| f(m)).collect();
    format!("\n{}", list.join(" "))
}

/// Secrets stay out: kind, redacted endpoint and budget only.
impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("kind", &self.kind)
            .field("endpoint", &self.endpoint_redacted())
            .field("budget", &self.budget)
            .finish()
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind.name(), self.endpoint_redacted())
    }
}
