//! Email over SMTP (team-alerts.md §7), through lettre on rustls/ring.
//!
//! The TLS mode follows the port when it is not given (465 implicit TLS, anything else
//! STARTTLS required), as TrendRadar's custom-server branch does: two of its presets name the
//! wrong mode for their port. Plaintext (`tls = "none"`) sends the password in clear, so it is
//! only for a loopback relay unless `allow_plaintext` says otherwise. Chinese providers (QQ,
//! 163, 126) take an app authorisation code (授权码) as the password, not the login password.

use std::net::IpAddr;
use std::time::Duration;

use base64::Engine;
use lettre::message::{Mailbox, MultiPart, header};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, SUBMISSION_PORT, SUBMISSIONS_PORT};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::Deserialize;
use url::Url;

use super::channel::{PushError, Secret};
use super::message::{Dialect, Message, Tier, escape_html};
use super::outcome::{Outcome, smtp_error};

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS from the first byte (SMTPS, port 465).
    Implicit,
    /// Plain connect, then STARTTLS; refused if the server does not offer it (port 587).
    Starttls,
    /// No TLS at all: loopback relays and tests.
    None,
}

/// Plaintext SMTP's usual port, when `tls = "none"` comes without one.
const SMTP_PORT: u16 = 25;
/// Per SMTP command (lettre's default is 60 s): a hung server must not hold the alert queue.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(15);
/// The whole conversation, however many commands it takes.
const SEND_DEADLINE: Duration = Duration::from_secs(60);

/// Where and how to connect, decided from the config before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
}

impl Endpoint {
    /// The port decides the mode when `tls` is not given (465 implicit, else STARTTLS); the
    /// mode decides the port when `port` is not (465, 587, 25); neither means 465, what the
    /// Chinese providers use. Plaintext only to loopback unless `allow_plaintext`.
    pub fn choose(
        host: &str,
        port: Option<u16>,
        tls: Option<TlsMode>,
        allow_plaintext: bool,
    ) -> Result<Endpoint, PushError> {
        let host = host.trim();
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || "/@?#".contains(c)) {
            return Err(field_err(
                "host",
                format!("`{host}` is not a host name (just the name, e.g. smtp.qq.com)"),
            ));
        }
        if port == Some(0) {
            return Err(field_err("port", "must be 1–65535".into()));
        }
        let (port, tls) = match (port, tls) {
            (Some(p), Some(t)) => (p, t),
            (Some(p), None) => (
                p,
                if p == SUBMISSIONS_PORT {
                    TlsMode::Implicit
                } else {
                    TlsMode::Starttls
                },
            ),
            (None, Some(t)) => (
                match t {
                    TlsMode::Implicit => SUBMISSIONS_PORT,
                    TlsMode::Starttls => SUBMISSION_PORT,
                    TlsMode::None => SMTP_PORT,
                },
                t,
            ),
            (None, None) => (SUBMISSIONS_PORT, TlsMode::Implicit),
        };
        // IPv6 literals may come bracketed, as in a URL.
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if tls == TlsMode::None && !allow_plaintext && !is_loopback(&host) {
            return Err(field_err(
                "tls",
                format!(
                    "\"none\" would send the password to {host} in clear; plaintext is for a \
                     loopback relay (127.0.0.1, ::1, localhost) unless allow_plaintext = true"
                ),
            ));
        }
        Ok(Endpoint { host, port, tls })
    }

    /// lettre's URL notation for it (`smtps://`, `smtp://…?tls=required`, `smtp://`): the
    /// endpoint as shown, with no credentials in it.
    pub fn url(&self) -> Result<Url, PushError> {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let text = match self.tls {
            TlsMode::Implicit => format!("smtps://{host}:{}", self.port),
            TlsMode::Starttls => format!("smtp://{host}:{}?tls=required", self.port),
            TlsMode::None => format!("smtp://{host}:{}", self.port),
        };
        Url::parse(&text).map_err(|e| field_err("host", format!("`{}`: {e}", self.host)))
    }

    /// The lettre transport builder, without credentials. No network.
    pub fn builder(&self) -> Result<AsyncSmtpTransportBuilder, PushError> {
        type T = AsyncSmtpTransport<Tokio1Executor>;
        let tls_err = |e: lettre::transport::smtp::Error| {
            field_err(
                "host",
                format!("`{}` cannot be checked by TLS: {e}", self.host),
            )
        };
        let builder = match self.tls {
            TlsMode::Implicit => T::relay(&self.host).map_err(tls_err)?,
            TlsMode::Starttls => T::starttls_relay(&self.host).map_err(tls_err)?,
            TlsMode::None => T::builder_dangerous(&self.host),
        };
        Ok(builder.port(self.port).timeout(Some(COMMAND_TIMEOUT)))
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn field_err(field: &str, reason: String) -> PushError {
    PushError::Email {
        field: field.to_string(),
        reason,
    }
}

/// An address as lettre reads it (`a@b.c` or `名字 <a@b.c>`), the field named on error.
pub fn mailbox(field: &str, text: &str) -> Result<Mailbox, PushError> {
    text.trim()
        .parse::<Mailbox>()
        .map_err(|e| field_err(field, format!("`{text}` is not an address: {e}")))
}

/// A ready email channel: transport with credentials, parsed addresses.
#[derive(Clone)]
pub(super) struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    /// The password and the base64 forms AUTH PLAIN and LOGIN put on the wire, which a
    /// server's error text could echo back.
    secret_forms: Vec<Secret>,
}

/// What the config gives, checked in order so the first error names its field.
pub(super) struct Settings<'a> {
    pub endpoint: &'a Endpoint,
    pub username: &'a str,
    pub password: Secret,
    pub from: &'a str,
    pub to: &'a [String],
}

impl Email {
    pub(super) fn open(s: Settings<'_>) -> Result<Email, PushError> {
        if s.username.trim().is_empty() {
            return Err(field_err("username", "is empty".into()));
        }
        let from = mailbox("from", s.from)?;
        if s.to.is_empty() {
            return Err(field_err("to", "needs at least one address".into()));
        }
        let to =
            s.to.iter()
                .enumerate()
                .map(|(i, t)| mailbox(&format!("to[{i}]"), t))
                .collect::<Result<Vec<_>, _>>()?;
        let user = s.username.trim().to_string();
        let pass = s.password.expose().to_string();
        let b64 = |v: &str| base64::engine::general_purpose::STANDARD.encode(v);
        let secret_forms = vec![
            Secret::new(b64(&format!("\0{user}\0{pass}"))),
            Secret::new(b64(&pass)),
            s.password,
        ];
        let transport = s
            .endpoint
            .builder()?
            .credentials(Credentials::new(user, pass))
            .build();
        Ok(Email {
            transport,
            from,
            to,
            secret_forms,
        })
    }

    pub(super) fn secrets(&self) -> impl Iterator<Item = &str> {
        self.secret_forms.iter().map(Secret::expose)
    }

    /// The mail for `msg` with `body` (its markdown, link line included): subject
    /// `【tier】title`, a multipart/alternative of plain text and HTML.
    pub(super) fn render(
        &self,
        msg: &Message,
        body: &str,
    ) -> Result<lettre::Message, lettre::error::Error> {
        // lettre encodes non-ASCII; line breaks must not reach a header at all.
        let title: String = msg
            .title
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let subject = format!("{}{title}", msg.tier.label());
        let mut plain = format!("{subject}\n\n{}", Dialect::Plain.markdown(body));
        plain.push('\n');
        let html = match &msg.html {
            Some(doc) => doc.clone(),
            None => html_page(msg.tier, &subject, body),
        };
        let mut b = lettre::Message::builder()
            .from(self.from.clone())
            .subject(subject);
        for to in &self.to {
            b = b.to(to.clone());
        }
        // Orange and red go out at once (§9); mail clients flag them.
        if msg.tier >= Tier::Orange {
            b = b
                .raw_header(header::HeaderValue::new(
                    header::HeaderName::new_from_ascii_str("X-Priority"),
                    "1 (Highest)".into(),
                ))
                .raw_header(header::HeaderValue::new(
                    header::HeaderName::new_from_ascii_str("Importance"),
                    "high".into(),
                ));
        }
        b.multipart(MultiPart::alternative_plain_html(plain, html))
    }

    /// Send one mail and judge the server's answer.
    pub(super) async fn send(&self, msg: &Message, body: &str) -> Outcome {
        let mail = match self.render(msg, body) {
            Ok(m) => m,
            Err(e) => {
                return Outcome::Permanent {
                    reason: format!("email: cannot build the message: {e}"),
                };
            }
        };
        let from = self.from.email.to_string();
        let to: Vec<String> = self.to.iter().map(|m| m.email.to_string()).collect();
        match tokio::time::timeout(SEND_DEADLINE, self.transport.send(mail)).await {
            Ok(Ok(_)) => Outcome::Delivered,
            Ok(Err(e)) => smtp_error(&e, &from, &to),
            Err(_) => super::outcome::network_error(&format!(
                "email: no answer within {} s",
                SEND_DEADLINE.as_secs()
            )),
        }
    }
}

/// A small HTML page: the tier-coloured subject as heading, the body's lines as HTML.
fn html_page(tier: Tier, subject: &str, body: &str) -> String {
    let colour = match tier {
        Tier::Blue => "#1e6fd9",
        Tier::Yellow => "#b58900",
        Tier::Orange => "#e67e22",
        Tier::Red => "#d0021b",
    };
    let lines: Vec<String> = Dialect::Html
        .markdown(body)
        .split('\n')
        .map(|l| format!("{l}<br>"))
        .collect();
    let subject = escape_html(subject);
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{subject}</title></head>\n\
         <body>\n<h2 style=\"color:{colour}\">{subject}</h2>\n<div>\n{}\n</div>\n</body></html>\n",
        lines.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(port: Option<u16>, tls: Option<TlsMode>) -> Endpoint {
        Endpoint::choose("smtp.qq.com", port, tls, false).unwrap()
    }

    #[test]
    fn the_port_chooses_the_mode_and_the_mode_the_port() {
        let ep = |p, t| {
            let e = choose(p, t);
            (e.port, e.tls)
        };
        assert_eq!(ep(Some(465), None), (465, TlsMode::Implicit));
        assert_eq!(ep(Some(587), None), (587, TlsMode::Starttls));
        // Any other port: STARTTLS required, never plaintext by accident.
        assert_eq!(ep(Some(2525), None), (2525, TlsMode::Starttls));
        assert_eq!(ep(Some(25), None), (25, TlsMode::Starttls));
        assert_eq!(ep(None, None), (465, TlsMode::Implicit));
        assert_eq!(ep(None, Some(TlsMode::Starttls)), (587, TlsMode::Starttls));
        assert_eq!(ep(None, Some(TlsMode::Implicit)), (465, TlsMode::Implicit));
        // Given both, both are kept (aliyun's 465 "TLS" row is a user's call to make).
        assert_eq!(
            ep(Some(465), Some(TlsMode::Starttls)),
            (465, TlsMode::Starttls)
        );
    }

    #[test]
    fn plaintext_is_for_loopback_unless_allowed() {
        for host in ["127.0.0.1", "::1", "[::1]", "localhost", "127.3.2.1"] {
            let e = Endpoint::choose(host, Some(2525), Some(TlsMode::None), false).unwrap();
            assert_eq!(e.tls, TlsMode::None, "{host}");
        }
        let e = Endpoint::choose("mail.example.org", None, Some(TlsMode::None), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("tls") && e.contains("allow_plaintext"), "{e}");
        let e = Endpoint::choose("mail.example.org", None, Some(TlsMode::None), true).unwrap();
        assert_eq!((e.port, e.tls), (25, TlsMode::None));
    }

    #[test]
    fn bad_hosts_and_ports_name_the_field() {
        for host in ["", "smtps://smtp.qq.com", "user@smtp.qq.com", "smtp qq"] {
            let e = Endpoint::choose(host, None, None, false).unwrap_err();
            assert!(e.to_string().starts_with("email host"), "{host}: {e}");
        }
        let e = Endpoint::choose("smtp.qq.com", Some(0), None, false).unwrap_err();
        assert!(e.to_string().starts_with("email port"), "{e}");
    }

    #[test]
    fn builders_carry_port_and_tls_without_touching_the_network() {
        // The builder's Debug shows its settings (lettre prints credentials as an empty struct).
        let shown = |e: &Endpoint| format!("{:?}", e.builder().unwrap());
        let implicit = shown(&choose(None, None));
        assert!(
            implicit.contains("port: 465") && implicit.contains("tls: Wrapper"),
            "{implicit}"
        );
        let starttls = shown(&choose(Some(587), None));
        assert!(
            starttls.contains("port: 587") && starttls.contains("tls: Required"),
            "{starttls}"
        );
        let plain = Endpoint::choose("127.0.0.1", Some(2525), Some(TlsMode::None), false).unwrap();
        let plain_shown = shown(&plain);
        assert!(
            plain_shown.contains("port: 2525") && plain_shown.contains("tls: None"),
            "{plain_shown}"
        );
        assert!(plain_shown.contains("timeout: Some(15s)"), "{plain_shown}");
        assert_eq!(
            choose(None, None).url().unwrap().as_str(),
            "smtps://smtp.qq.com:465"
        );
        assert_eq!(
            choose(Some(587), None).url().unwrap().as_str(),
            "smtp://smtp.qq.com:587?tls=required"
        );
        assert_eq!(plain.url().unwrap().as_str(), "smtp://127.0.0.1:2525");
        let v6 = Endpoint::choose("::1", Some(25), Some(TlsMode::None), false).unwrap();
        assert_eq!(v6.url().unwrap().as_str(), "smtp://[::1]:25");
    }

    #[test]
    fn addresses_are_parsed_and_named() {
        assert!(mailbox("from", "热搜 <alerts@example.com>").is_ok());
        let e = mailbox("to[1]", "not an address").unwrap_err().to_string();
        assert!(e.contains("to[1]") && e.contains("not an address"), "{e}");
    }

    #[test]
    fn html_page_escapes_and_colours_by_tier() {
        let page = html_page(
            Tier::Red,
            "【红色】<b>标题",
            "**粗** & [链接](https://e.com/?a=1&b=2)",
        );
        assert!(
            page.contains("<title>【红色】&lt;b&gt;标题</title>"),
            "{page}"
        );
        assert!(page.contains("color:#d0021b"), "{page}");
        assert!(
            page.contains("<b>粗</b> &amp; <a href=\"https://e.com/?a=1&amp;b=2\">链接</a><br>"),
            "{page}"
        );
    }
}
