//! What a channel's answer means. These services answer HTTP 200 with an error code in the
//! body, so the body decides, per the reference's error tables (team-alerts.md §1–§8); the
//! status only decides when the body says nothing (5xx, 429, a proxy's HTML page).

use std::time::Duration;

use serde_json::Value;

use super::channel::Kind;
use crate::domain::SafeText;

/// The verdict on one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Transient: try again after `after` (the limiter also holds the destination that long).
    Retry {
        after: Duration,
        reason: String,
    },
    /// The channel is misconfigured or the request is wrong: retrying cannot help.
    Permanent {
        reason: String,
    },
    /// Not sent: the channel's own rate limit (or a penalty the service imposed earlier)
    /// says wait this long. Nothing failed.
    Wait {
        after: Duration,
    },
}

impl Outcome {
    pub fn is_delivered(&self) -> bool {
        matches!(self, Outcome::Delivered)
    }

    fn retry(secs: u64, reason: impl Into<String>) -> Outcome {
        Outcome::Retry {
            after: Duration::from_secs(secs),
            reason: reason.into(),
        }
    }

    fn permanent(reason: impl Into<String>) -> Outcome {
        Outcome::Permanent {
            reason: reason.into(),
        }
    }
}

/// Back-off after a 5xx, a network error, or a 429 without a usable `Retry-After`.
pub const DEFAULT_RETRY: Duration = Duration::from_secs(30);

/// A network failure (connect, TLS, timeout): transient. `error` must already be redacted.
pub fn network_error(error: &str) -> Outcome {
    Outcome::Retry {
        after: DEFAULT_RETRY,
        reason: format!("network error: {error}"),
    }
}

enum Act {
    Retry(u64),
    Permanent,
}

/// One row of a service's documented error table.
struct Code {
    code: i64,
    act: Act,
    meaning: &'static str,
}

const fn code(code: i64, act: Act, meaning: &'static str) -> Code {
    Code { code, act, meaning }
}

/// WeCom robot (§1). 45009: ≥ 60 s; 65 s as wecom-notifier waits, so the minute has passed.
const WECOM: &[Code] = &[
    code(
        45009,
        Act::Retry(65),
        "over 20 messages a minute (failures count too)",
    ),
    code(-1, Act::Retry(10), "system busy"),
    code(
        93000,
        Act::Permanent,
        "invalid webhook key (wrong or deleted robot)",
    ),
    code(40008, Act::Permanent, "invalid message type"),
    code(44004, Act::Permanent, "empty content"),
    code(45002, Act::Permanent, "content over the size limit"),
];

/// Feishu custom bot (§2).
const FEISHU: &[Code] = &[
    code(11232, Act::Retry(60), "frequency limited (5/s, 100/min)"),
    code(
        9499,
        Act::Permanent,
        "bad request (malformed body or over 20 KB)",
    ),
    code(
        19021,
        Act::Permanent,
        "signature mismatch or clock more than an hour off",
    ),
    code(
        19022,
        Act::Permanent,
        "IP not allowed by the bot's security settings",
    ),
    code(
        19024,
        Act::Permanent,
        "message lacks every keyword the bot requires",
    ),
];

/// DingTalk robot (§3). 310000 covers keyword, signature and IP rejections alike.
const DINGTALK: &[Code] = &[
    code(
        130101,
        Act::Retry(600),
        "over 20 messages a minute: throttled for 10 minutes",
    ),
    code(
        310000,
        Act::Permanent,
        "rejected by the robot's security settings (keyword, sign or IP)",
    ),
    code(300001, Act::Permanent, "access token does not exist"),
    code(
        300005,
        Act::Permanent,
        "access token does not exist (or an external group)",
    ),
];

/// ntfy (§5), `code` of its JSON errors.
const NTFY: &[Code] = &[
    code(42901, Act::Retry(10), "too many requests"),
    code(42908, Act::Retry(3600), "daily message quota reached"),
    code(40101, Act::Permanent, "unauthorized (token)"),
    code(40301, Act::Permanent, "forbidden (topic access)"),
    code(41303, Act::Permanent, "JSON body too large"),
];

/// SMTP replies (RFC 5321 §4.2.2/§4.2.3): 4xx transient, 5xx permanent; the rows say why.
/// 450/451 are what greylisting answers, so they wait long enough for the second try to pass.
const SMTP: &[Code] = &[
    code(
        421,
        Act::Retry(60),
        "service not available (busy, or closing the connection)",
    ),
    code(450, Act::Retry(300), "mailbox busy or greylisted"),
    code(451, Act::Retry(120), "local error in processing"),
    code(
        452,
        Act::Retry(120),
        "insufficient storage or too many recipients",
    ),
    code(
        530,
        Act::Permanent,
        "authentication required — set username and password",
    ),
    code(
        535,
        Act::Permanent,
        "authentication failed — check the username and the app password (授权码)",
    ),
    code(550, Act::Permanent, "mailbox unavailable"),
    code(552, Act::Permanent, "message too large or mailbox full"),
    code(553, Act::Permanent, "mailbox name not allowed"),
    code(554, Act::Permanent, "transaction failed (refused as spam?)"),
];

/// One SMTP error reply: `code` and the server's text. 550/553 name the address the text
/// names (a recipient, or the sender); the server's text is sanitised and shortened.
pub fn smtp_reply(code: u16, text: &str, from: &str, to: &[String]) -> Outcome {
    let server = snippet(text.trim());
    let row = SMTP.iter().find(|c| c.code == i64::from(code));
    let meaning = row.map(|c| c.meaning).unwrap_or("unexpected reply");
    let mut reason = format!("email {code}: {meaning}");
    if matches!(code, 550 | 551 | 553) {
        let lower = text.to_lowercase();
        let named = |a: &str| lower.contains(&a.to_lowercase());
        match to.iter().find(|a| named(a)) {
            Some(a) => reason.push_str(&format!(" — recipient {a} refused")),
            None if named(from) => reason.push_str(&format!(" — sender {from} refused")),
            None => reason.push_str(&format!(" — a recipient ({}) or the sender", to.join(", "))),
        }
    }
    if !server.is_empty() {
        reason.push_str(&format!(" (server: {server})"));
    }
    match (row.map(|c| &c.act), code) {
        (_, 200..=399) => Outcome::Delivered,
        (Some(Act::Retry(secs)), _) => Outcome::retry(*secs, reason),
        (None, 400..=499) => Outcome::retry(DEFAULT_RETRY.as_secs(), reason),
        _ => Outcome::permanent(reason),
    }
}

/// A failed SMTP conversation: a negative reply goes by its code; a timeout, a dropped
/// connection or a garbled answer is transient; lettre's own refusals (no common AUTH
/// mechanism, no STARTTLS offered) are configuration, so permanent. The text may need
/// redacting (send.rs does).
pub fn smtp_error(e: &lettre::transport::smtp::Error, from: &str, to: &[String]) -> Outcome {
    let shown = e.to_string();
    if let Some(code) = e.status() {
        // lettre shows "permanent error (535): text".
        let text = shown.split_once("): ").map_or("", |(_, t)| t);
        return smtp_reply(u16::from(code), text, from, to);
    }
    let shown = snippet(&shown);
    if e.is_timeout() {
        network_error(&format!("email: timed out ({shown})"))
    } else if e.is_tls() {
        network_error(&format!(
            "email: TLS failed — check host, port and tls ({shown})"
        ))
    } else if e.is_client() {
        Outcome::permanent(format!("email: {shown}"))
    } else {
        network_error(&format!("email: {shown}"))
    }
}

/// Classify one HTTP answer. `retry_after` is the `Retry-After` header, if any.
pub fn classify(kind: Kind, status: u16, retry_after: Option<&str>, body: &[u8]) -> Outcome {
    let header_wait = retry_after.and_then(|v| v.trim().parse::<u64>().ok());
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let verdict = match kind {
        Kind::WeCom | Kind::DingTalk => {
            let v = json.as_ref();
            by_code(
                kind,
                status,
                v.and_then(|v| v.get("errcode")).and_then(Value::as_i64),
                v.and_then(|v| v.get("errmsg")),
                if kind == Kind::WeCom { WECOM } else { DINGTALK },
            )
        }
        Kind::Feishu => {
            let v = json.as_ref();
            // `code` is current; `StatusCode` is the legacy field some answers still carry.
            let code = v
                .and_then(|v| v.get("code").or_else(|| v.get("StatusCode")))
                .and_then(Value::as_i64);
            let msg = v.and_then(|v| v.get("msg").or_else(|| v.get("StatusMessage")));
            by_code(kind, status, code, msg, FEISHU)
        }
        Kind::Ntfy => match json.as_ref() {
            // Success is 200 with the stored message (it has an id).
            Some(v) if status == 200 && v.get("id").is_some() => Some(Outcome::Delivered),
            Some(v) => {
                let code = v.get("code").and_then(Value::as_i64);
                code.and_then(|_| by_code(kind, status, code, v.get("error"), NTFY))
            }
            None => None,
        },
        Kind::Telegram => json.as_ref().and_then(|v| telegram(status, v)),
        Kind::Bark => json.as_ref().and_then(|v| {
            let code = v.get("code").and_then(Value::as_i64)?;
            Some(if code == 200 && is_2xx(status) {
                Outcome::Delivered
            } else if status >= 500 {
                Outcome::retry(
                    DEFAULT_RETRY.as_secs(),
                    format!("Bark {code}: {}", msg_of(v.get("message"))),
                )
            } else {
                Outcome::permanent(format!("Bark {code}: {}", msg_of(v.get("message"))))
            })
        }),
        // Slack answers the plain text `ok`; its errors are plain-text codes.
        Kind::Slack => (status == 200 && body.trim_ascii() == b"ok").then_some(Outcome::Delivered),
        Kind::Webhook => is_2xx(status).then_some(Outcome::Delivered),
        // Mail is judged by `smtp_error`, never by an HTTP answer.
        Kind::Email => None,
    };
    verdict.unwrap_or_else(|| by_status(kind, status, header_wait, body))
}

fn is_2xx(status: u16) -> bool {
    (200..300).contains(&status)
}

/// A body with a numeric code: the table decides; `None` when there is no code to go by.
fn by_code(
    kind: Kind,
    status: u16,
    code: Option<i64>,
    msg: Option<&Value>,
    table: &[Code],
) -> Option<Outcome> {
    let code = code?;
    let name = kind.name();
    if code == 0 {
        return Some(if is_2xx(status) {
            Outcome::Delivered
        } else {
            Outcome::retry(
                DEFAULT_RETRY.as_secs(),
                format!("{name}: HTTP {status} with code 0"),
            )
        });
    }
    let msg = msg_of(msg);
    Some(match table.iter().find(|c| c.code == code) {
        Some(c) => {
            let reason = format!("{name} {code}: {} ({msg})", c.meaning);
            match c.act {
                Act::Retry(secs) => Outcome::retry(secs, reason),
                Act::Permanent => Outcome::permanent(reason),
            }
        }
        None if status >= 500 => Outcome::retry(
            DEFAULT_RETRY.as_secs(),
            format!("{name} {code} (HTTP {status}): {msg}"),
        ),
        None => Outcome::permanent(format!("{name} {code}: {msg}")),
    })
}

fn telegram(status: u16, v: &Value) -> Option<Outcome> {
    let ok = v.get("ok").and_then(Value::as_bool)?;
    if ok && is_2xx(status) {
        return Some(Outcome::Delivered);
    }
    let code = v
        .get("error_code")
        .and_then(Value::as_i64)
        .unwrap_or(i64::from(status));
    let description = msg_of(v.get("description"));
    let retry_after = v
        .get("parameters")
        .and_then(|p| p.get("retry_after"))
        .and_then(Value::as_u64);
    Some(match retry_after {
        Some(secs) => Outcome::retry(secs, format!("Telegram {code}: {description}")),
        None if code == 429 || status >= 500 => Outcome::retry(
            DEFAULT_RETRY.as_secs(),
            format!("Telegram {code}: {description}"),
        ),
        None => Outcome::permanent(format!("Telegram {code}: {description}")),
    })
}

/// No verdict from the body: 5xx and 429 are transient, anything else is explained.
fn by_status(kind: Kind, status: u16, header_wait: Option<u64>, body: &[u8]) -> Outcome {
    let name = kind.name();
    let what = describe_body(body);
    if status == 429 {
        let secs = header_wait.unwrap_or(DEFAULT_RETRY.as_secs());
        return Outcome::retry(secs, format!("{name}: HTTP 429 too many requests ({what})"));
    }
    if status >= 500 {
        return Outcome::retry(
            DEFAULT_RETRY.as_secs(),
            format!("{name}: HTTP {status} ({what})"),
        );
    }
    Outcome::permanent(format!("{name}: HTTP {status}, unexpected answer: {what}"))
}

/// A short, terminal-safe description of a body that was not understood.
fn describe_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let t = text.trim();
    if t.is_empty() {
        return "empty body".into();
    }
    let kind = if t.starts_with('<') {
        "an HTML page (wrong base_url, or a proxy in the way?)"
    } else if serde_json::from_str::<Value>(t).is_ok() {
        "JSON without the expected fields"
    } else {
        "body"
    };
    format!("{kind}: {}", snippet(t))
}

fn msg_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => snippet(s),
        Some(Value::Null) | None => "no message".into(),
        Some(other) => snippet(&other.to_string()),
    }
}

/// Remote text in a reason is shown in the TUI status line: sanitise and shorten it.
fn snippet(s: &str) -> String {
    const MAX: usize = 160;
    let s: String = s.chars().take(MAX).collect();
    SafeText::line(&s).as_str().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(o: &Outcome) -> u64 {
        match o {
            Outcome::Retry { after, .. } => after.as_secs(),
            other => panic!("not a retry: {other:?}"),
        }
    }

    fn permanent(o: &Outcome) -> &str {
        match o {
            Outcome::Permanent { reason } => reason,
            other => panic!("not permanent: {other:?}"),
        }
    }

    #[test]
    fn wecom_is_judged_by_errcode() {
        let c = |body: &str| classify(Kind::WeCom, 200, None, body.as_bytes());
        assert_eq!(c(r#"{"errcode":0,"errmsg":"ok"}"#), Outcome::Delivered);
        assert!(secs(&c(r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#)) >= 60);
        assert!(secs(&c(r#"{"errcode":-1,"errmsg":"system busy"}"#)) > 0);
        let r = c(r#"{"errcode":93000,"errmsg":"invalid webhook url, hint: [x]"}"#);
        assert!(permanent(&r).contains("93000"));
        assert!(permanent(&c(r#"{"errcode":45002,"errmsg":"x"}"#)).contains("size"));
        assert!(permanent(&c(r#"{"errcode":77777}"#)).contains("77777"));
    }

    #[test]
    fn feishu_code_legacy_field_and_4xx_bodies() {
        let c = |status, body: &str| classify(Kind::Feishu, status, None, body.as_bytes());
        assert_eq!(
            c(200, r#"{"code":0,"msg":"success","data":{}}"#),
            Outcome::Delivered
        );
        assert_eq!(
            c(200, r#"{"StatusCode":0,"StatusMessage":"success"}"#),
            Outcome::Delivered
        );
        assert!(permanent(&c(200, r#"{"code":19021,"msg":"sign match fail"}"#)).contains("19021"));
        assert!(
            permanent(&c(400, r#"{"code":19024,"msg":"Key Words Not Found"}"#)).contains("keyword")
        );
        assert!(permanent(&c(400, r#"{"code":9499,"msg":"Bad Request"}"#)).contains("9499"));
        assert_eq!(
            secs(&c(200, r#"{"code":11232,"msg":"frequency limited"}"#)),
            60
        );
    }

    #[test]
    fn dingtalk_codes() {
        let c = |body: &str| classify(Kind::DingTalk, 200, None, body.as_bytes());
        assert_eq!(c(r#"{"errcode":0,"errmsg":"ok"}"#), Outcome::Delivered);
        assert_eq!(
            secs(&c(r#"{"errcode":130101,"errmsg":"send too fast"}"#)),
            600
        );
        for code in [310000, 300001, 300005] {
            let body = format!(r#"{{"errcode":{code},"errmsg":"x"}}"#);
            assert!(permanent(&c(&body)).contains(&code.to_string()));
        }
    }

    #[test]
    fn telegram_ok_and_retry_after() {
        let ok = classify(Kind::Telegram, 200, None, br#"{"ok":true,"result":{}}"#);
        assert_eq!(ok, Outcome::Delivered);
        let body = br#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}"#;
        assert_eq!(secs(&classify(Kind::Telegram, 429, None, body)), 35);
        let bad =
            br#"{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities"}"#;
        assert!(permanent(&classify(Kind::Telegram, 400, None, bad)).contains("parse entities"));
    }

    #[test]
    fn ntfy_slack_bark_webhook() {
        let ok = br#"{"id":"abc","time":1,"event":"message","topic":"t"}"#;
        assert_eq!(classify(Kind::Ntfy, 200, None, ok), Outcome::Delivered);
        let limited = br#"{"code":42901,"http":429,"error":"limit reached: too many requests"}"#;
        assert!(secs(&classify(Kind::Ntfy, 429, None, limited)) > 0);
        assert!(permanent(&classify(Kind::Ntfy, 200, None, b"<html>")).contains("HTML"));
        assert_eq!(classify(Kind::Slack, 200, None, b"ok"), Outcome::Delivered);
        assert!(
            permanent(&classify(Kind::Slack, 400, None, b"invalid_payload"))
                .contains("invalid_payload")
        );
        assert_eq!(secs(&classify(Kind::Slack, 429, Some("7"), b"")), 7);
        let bark = br#"{"code":200,"message":"success","timestamp":1}"#;
        assert_eq!(classify(Kind::Bark, 200, None, bark), Outcome::Delivered);
        assert!(
            permanent(&classify(
                Kind::Bark,
                400,
                None,
                br#"{"code":400,"message":"device key is empty"}"#
            ))
            .contains("device key")
        );
        assert_eq!(classify(Kind::Webhook, 204, None, b""), Outcome::Delivered);
    }

    #[test]
    fn smtp_replies_by_code() {
        let to = ["a@example.com".to_string(), "Bad@Example.com".to_string()];
        let r = |code, text: &str| smtp_reply(code, text, "me@example.com", &to);
        assert_eq!(r(250, "OK"), Outcome::Delivered);
        assert_eq!(secs(&r(421, "4.3.2 closing")), 60);
        assert!(secs(&r(450, "greylisted")) >= 60);
        assert!(secs(&r(451, "x")) > 0 && secs(&r(452, "x")) > 0);
        assert!(secs(&r(447, "unknown 4xx")) > 0);
        let auth = r(535, "5.7.8 Authentication credentials invalid");
        assert!(permanent(&auth).contains("授权码"), "{auth:?}");
        let rcpt = r(550, "5.1.1 <bad@example.com>: Recipient address rejected");
        assert!(
            permanent(&rcpt).contains("recipient Bad@Example.com refused"),
            "{rcpt:?}"
        );
        let sender = r(553, "5.7.1 <me@example.com>: Sender address rejected");
        assert!(
            permanent(&sender).contains("sender me@example.com"),
            "{sender:?}"
        );
        let vague = r(550, "no such user");
        assert!(
            permanent(&vague).contains("a@example.com, Bad@Example.com"),
            "{vague:?}"
        );
        assert!(permanent(&r(599, "\x1b[31mweird")).contains("599"));
        assert!(!permanent(&r(599, "\x1b[31mweird")).contains('\u{1b}'));
    }

    #[test]
    fn server_errors_retry_and_garbage_is_explained() {
        for kind in Kind::ALL {
            assert!(
                secs(&classify(kind, 502, None, b"<html>bad gateway</html>")) > 0,
                "{kind:?}"
            );
            let o = classify(kind, 200, None, b"\x1b[31m\xff\xfe garbage");
            if kind != Kind::Webhook {
                assert!(!permanent(&o).contains('\u{1b}'), "{kind:?}");
            }
        }
    }
}
