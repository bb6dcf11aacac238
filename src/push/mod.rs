//! Push channels for team alerting (issue 19): WeCom, Feishu, DingTalk, Telegram, ntfy, Slack,
//! Bark, generic JSON webhooks and email over SMTP, as specified in the team-alerts reference.
//!
//! A `ChannelConfig` (serde; later `[push.channels.NAME]`) is opened into a `Channel` (secrets
//! loaded from env or a 0600 file, URLs checked). `send` renders a channel-neutral `Message`
//! in the channel's format, splits it to the channel's size budget, signs each request with a
//! fresh timestamp, posts it, and judges the answer by its body (`Outcome`). A per-channel
//! rate limiter keeps to the documented limits. Secrets never appear in Debug, Display or
//! error text.
//!
//! Email (`email`) goes through the same `send` loop as one whole mail instead of a post:
//! subject `【tier】title`, plain text plus HTML (or the message's own full HTML document, for
//! reports), over implicit TLS or STARTTLS chosen by port; plaintext only to loopback unless
//! allowed. SMTP reply codes decide its `Outcome` (4xx retry, 5xx permanent, 535 → check the
//! 授权码). `Kind::immediate` says which tiers go out at once (email: orange and red; blue and
//! yellow wait for a digest).
//!
//! Not wired into the app, config file or TUI yet.
//!
//! Names only `domain` (sanitising answers shown to the user) and `paths` (the 0600 rule).

pub mod channel;
pub mod email;
pub mod message;
pub mod outcome;
pub mod rate;
pub mod send;
pub mod sign;
pub mod split;
pub mod template;

pub use channel::{Budget, Channel, ChannelConfig, Kind, PushError, Secret, SecretRef};
pub use email::{Endpoint, TlsMode};
pub use message::{Message, Tier};
pub use outcome::Outcome;
pub use send::{pieces, send, send_from};

/// The HTTP client push requests go out on: resou's user agent, TLS verified, proxies from
/// the environment (reqwest's defaults).
pub fn http_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("resou/", env!("CARGO_PKG_VERSION")))
        .build()
}
