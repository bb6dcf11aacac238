//! Push channels for team alerting (issue 19): WeCom, Feishu, DingTalk, Telegram, ntfy, Slack,
//! Bark and generic JSON webhooks, as specified in the team-alerts reference.
//!
//! A `ChannelConfig` (serde; later `[push.channels.NAME]`) is opened into a `Channel` (secrets
//! loaded from env or a 0600 file, URLs checked). `send` renders a channel-neutral `Message`
//! in the channel's format, splits it to the channel's size budget, signs each request with a
//! fresh timestamp, posts it, and judges the answer by its body (`Outcome`). A per-channel
//! rate limiter keeps to the documented limits. Secrets never appear in Debug, Display or
//! error text.
//!
//! Not wired into the app, config file or TUI yet. TODO: email over SMTP (lettre) is next.
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
pub use send::send;
