//! Email over SMTP: an in-process fake server that records the conversation and fails on
//! demand, and a real one (aiosmtpd) on loopback. Nothing connects beyond 127.0.0.1.

use base64::Engine;
use resou::push::{Channel, ChannelConfig, Kind, Message, Outcome, PushError, Tier, send};

use super::push_support::aiosmtpd::{Aiosmtpd, python_with_aiosmtpd};
use super::push_support::smtp::{FakeSmtp, Fault};
use super::push_support::{env_of, fixed_clock};
use super::{NOW, client, msg, permanent, retry_secs};

const USER: &str = "alerts@example.com";
/// Shaped like a QQ/163 授权码.
const PASS: &str = "qqauthcodeZx81wq";
const TO: [&str; 2] = ["oncall@example.com", "team@example.com"];

fn config(port: u16, extra: &str) -> String {
    format!(
        "kind = \"email\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\n\
         username = \"{USER}\"\npassword = {{ env = \"SMTP_PASS\" }}\n\
         from = \"热搜提醒 <{USER}>\"\nto = [\"{}\", \"{}\"]\n{extra}",
        TO[0], TO[1]
    )
}

fn open_with(toml_text: &str, password: &str) -> Result<Channel, PushError> {
    let cfg: ChannelConfig = toml::from_str(toml_text).expect("config parses");
    cfg.open(&env_of(&[("SMTP_PASS", password)]))
}

fn open_email(port: u16) -> Channel {
    open_with(&config(port, ""), PASS).expect("channel opens")
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// The password in every form the wire carries it.
fn assert_no_password(text: &str) {
    for form in [
        PASS.to_string(),
        b64(PASS),
        b64(&format!("\0{USER}\0{PASS}")),
    ] {
        assert!(!text.contains(&form), "{form} in {text}");
    }
}

/// Subject, From, To decoded, and the text/plain and text/html parts, from a raw message.
struct Mail {
    subject: String,
    from: String,
    to: String,
    priority: Option<String>,
    plain: String,
    html: String,
}

fn parse(raw: &[u8]) -> Mail {
    let m = mailparse::parse_mail(raw).expect("a MIME message");
    assert_eq!(m.ctype.mimetype, "multipart/alternative");
    let part = |mime: &str| {
        m.subparts
            .iter()
            .find(|p| p.ctype.mimetype == mime)
            .unwrap_or_else(|| panic!("no {mime} part"))
            .get_body()
            .unwrap()
            // MIME lines end in CRLF on the wire.
            .replace("\r\n", "\n")
    };
    let header = |name: &str| m.headers.iter().find(|h| h.get_key_ref() == name);
    Mail {
        subject: header("Subject").map(|h| h.get_value()).unwrap_or_default(),
        from: header("From").map(|h| h.get_value()).unwrap_or_default(),
        to: header("To").map(|h| h.get_value()).unwrap_or_default(),
        priority: header("X-Priority").map(|h| h.get_value()),
        plain: part("text/plain"),
        html: part("text/html"),
    }
}

/// The shared message (a red alert with `<b>`, `&` and a link) as the mail must show it.
fn assert_red_alert(mail: &Mail) {
    assert_eq!(mail.subject, "【红色】微博热搜：某地暴雨 <b>");
    assert!(
        mail.from.contains("热搜提醒") && mail.from.contains(USER),
        "{}",
        mail.from
    );
    assert!(
        mail.to.contains(TO[0]) && mail.to.contains(TO[1]),
        "{}",
        mail.to
    );
    assert_eq!(mail.priority.as_deref(), Some("1 (Highest)"));
    assert!(
        mail.plain
            .contains("1. 暴雨 登上热搜第1名 🔥\n2. 话题阅读量 3.2亿 & 上升"),
        "{}",
        mail.plain
    );
    assert!(
        mail.plain
            .contains("详情 (https://s.weibo.com/weibo?q=%23暴雨%23)"),
        "{}",
        mail.plain
    );
    assert!(
        mail.html
            .contains("【红色】微博热搜：某地暴雨 &lt;b&gt;</h2>"),
        "{}",
        mail.html
    );
    assert!(mail.html.contains("<b>暴雨</b>"), "{}", mail.html);
    assert!(mail.html.contains("3.2亿 &amp; 上升"), "{}", mail.html);
    assert!(
        mail.html
            .contains("<a href=\"https://s.weibo.com/weibo?q=%23暴雨%23\">详情</a>"),
        "{}",
        mail.html
    );
}

#[tokio::test]
async fn email_fake_server_sees_auth_plain_envelope_and_a_chinese_multipart_mail() {
    let server = FakeSmtp::start(Fault::None).await;
    let ch = open_email(server.port);
    let out = send(&client(), &ch, &msg(Tier::Red), &fixed_clock(NOW)).await;
    assert_eq!(out, [Outcome::Delivered]);
    let cmds = server.commands();
    assert!(cmds[0].starts_with("EHLO "), "{cmds:?}");
    assert_eq!(
        cmds[1],
        format!("AUTH PLAIN {}", b64(&format!("\0{USER}\0{PASS}")))
    );
    let rest: Vec<&str> = cmds[2..].iter().map(|c| c.as_str()).collect();
    assert_eq!(
        rest,
        [
            &format!("MAIL FROM:<{USER}>") as &str,
            &format!("RCPT TO:<{}>", TO[0]),
            &format!("RCPT TO:<{}>", TO[1]),
            "DATA",
            "QUIT",
        ]
    );
    let messages = server.messages();
    assert_eq!(messages.len(), 1);
    assert_red_alert(&parse(&messages[0]));
}

#[tokio::test]
async fn email_full_html_report_is_the_html_part_and_blue_is_digest_only() {
    let server = FakeSmtp::start(Fault::None).await;
    let ch = open_email(server.port);
    let mut m = Message::new(Tier::Blue, "今日热搜日报", "1. **话题** 在榜 3 小时");
    let doc = "<!DOCTYPE html><html><body><table><tr><td>话题</td></tr></table></body></html>";
    m.html = Some(doc.into());
    let out = send(&client(), &ch, &m, &fixed_clock(NOW)).await;
    assert_eq!(out, [Outcome::Delivered]);
    let mail = parse(&server.messages()[0]);
    assert_eq!(mail.subject, "【蓝色】今日热搜日报");
    assert_eq!(mail.html.trim_end(), doc);
    assert!(mail.plain.contains("1. 话题 在榜 3 小时"), "{}", mail.plain);
    assert_eq!(mail.priority, None);
    // §9: blue and yellow reach email in digests only; orange and red at once.
    assert!(!Kind::Email.immediate(Tier::Blue) && !Kind::Email.immediate(Tier::Yellow));
    assert!(Kind::Email.immediate(Tier::Orange) && Kind::Email.immediate(Tier::Red));
    assert!(Kind::WeCom.immediate(Tier::Blue));
}

#[tokio::test]
async fn email_smtp_failures_map_to_outcomes_without_the_password() {
    // Auth: permanent, says what to check, and the echoed AUTH blob is redacted.
    let server = FakeSmtp::start(Fault::Auth535).await;
    let out = send(
        &client(),
        &open_email(server.port),
        &msg(Tier::Red),
        &fixed_clock(NOW),
    )
    .await;
    let reason = permanent(&out[0]);
    assert!(
        reason.contains("535") && reason.contains("授权码"),
        "{reason}"
    );
    assert!(reason.contains("***"), "{reason}");
    assert_no_password(&reason);
    assert!(server.messages().is_empty());

    let server = FakeSmtp::start(Fault::RejectRcpt(TO[1].into())).await;
    let out = send(
        &client(),
        &open_email(server.port),
        &msg(Tier::Red),
        &fixed_clock(NOW),
    )
    .await;
    let reason = permanent(&out[0]);
    assert!(
        reason.contains("550") && reason.contains(&format!("recipient {} refused", TO[1])),
        "{reason}"
    );
    assert_no_password(&reason);

    let server = FakeSmtp::start(Fault::Greet421).await;
    let out = send(
        &client(),
        &open_email(server.port),
        &msg(Tier::Red),
        &fixed_clock(NOW),
    )
    .await;
    assert_eq!(retry_secs(&out[0]), 60, "{out:?}");
    assert_no_password(&format!("{out:?}"));

    let server = FakeSmtp::start(Fault::CloseInData).await;
    let out = send(
        &client(),
        &open_email(server.port),
        &msg(Tier::Red),
        &fixed_clock(NOW),
    )
    .await;
    assert!(retry_secs(&out[0]) > 0, "{out:?}");
    assert_no_password(&format!("{out:?}"));
    assert!(server.messages().is_empty());

    // Nothing listening: a network error, retried.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = send(
        &client(),
        &open_email(port),
        &msg(Tier::Red),
        &fixed_clock(NOW),
    )
    .await;
    match &out[0] {
        Outcome::Retry { reason, .. } => assert!(reason.contains("email"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn email_config_errors_name_the_field_and_never_the_password() {
    let err = |extra_replace: (&str, &str)| {
        let text = config(2525, "").replace(extra_replace.0, extra_replace.1);
        let e = open_with(&text, PASS).unwrap_err().to_string();
        assert_no_password(&e);
        e
    };
    let e = err((
        "from = \"热搜提醒 <alerts@example.com>\"",
        "from = \"alerts at example\"",
    ));
    assert!(
        e.starts_with("email from:") && e.contains("alerts at example"),
        "{e}"
    );
    let e = err(("\"team@example.com\"", "\"team@\""));
    assert!(e.starts_with("email to[1]:") && e.contains("team@"), "{e}");
    let e = err((
        "to = [\"oncall@example.com\", \"team@example.com\"]",
        "to = []",
    ));
    assert!(e.starts_with("email to:"), "{e}");
    let e = err(("host = \"127.0.0.1\"", "host = \"mail.example.org\""));
    assert!(
        e.starts_with("email tls:") && e.contains("allow_plaintext"),
        "{e}"
    );
    let e = err(("username = \"alerts@example.com\"", "username = \" \""));
    assert!(e.starts_with("email username:"), "{e}");
    let e = err(("port = 2525", "port = 0"));
    assert!(e.starts_with("email port:"), "{e}");
    // A missing password names its variable.
    let cfg: ChannelConfig = toml::from_str(&config(2525, "")).unwrap();
    let e = cfg.open(&env_of(&[])).unwrap_err().to_string();
    assert!(e.contains("SMTP_PASS"), "{e}");
    // Plaintext beyond loopback when asked for explicitly (no connection is made here).
    let text = config(2525, "allow_plaintext = true").replace("127.0.0.1", "relay.internal");
    assert_eq!(open_with(&text, PASS).unwrap().kind(), Kind::Email);
    // Unknown keys and modes are refused by serde.
    assert!(toml::from_str::<ChannelConfig>(&config(25, "starttls = true")).is_err());
    assert!(
        toml::from_str::<ChannelConfig>(&config(25, "").replace("\"none\"", "\"ssl\"")).is_err()
    );
    // Debug and Display show the endpoint, never the password.
    let ch = open_email(2525);
    let shown = format!("{ch:?} {ch} {ch:#?}");
    assert_no_password(&shown);
    assert_eq!(ch.to_string(), "email smtp://127.0.0.1:2525");
    let tls = open_with(
        &config(465, "")
            .replace("tls = \"none\"\n", "")
            .replace("127.0.0.1", "smtp.qq.com"),
        PASS,
    )
    .unwrap();
    assert_eq!(tls.to_string(), "email smtps://smtp.qq.com:465");
}

/// The real thing: aiosmtpd on loopback, with AUTH. Skipped (and said so) where it is not
/// installed, unless RESOU_REQUIRE_SMTP=1 (CI) makes that a failure.
#[tokio::test]
async fn email_real_smtp_server_on_loopback_stores_the_chinese_mail() {
    let Some(python) = python_with_aiosmtpd() else {
        assert!(
            std::env::var("RESOU_REQUIRE_SMTP").as_deref() != Ok("1"),
            "RESOU_REQUIRE_SMTP=1 but no python3 can import aiosmtpd (apt-get install python3-aiosmtpd)"
        );
        eprintln!("SKIPPED: aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
        return;
    };
    let server = Aiosmtpd::start(&python, USER, PASS);
    let out = send(
        &client(),
        &open_email(server.port),
        &msg(Tier::Red),
        &fixed_clock(NOW),
    )
    .await;
    assert_eq!(out, [Outcome::Delivered]);
    let stored = server.messages();
    assert_eq!(stored.len(), 1);
    let (raw, envelope) = &stored[0];
    assert_eq!(envelope["mail_from"], USER);
    assert_eq!(envelope["rcpt_tos"], serde_json::json!(TO));
    assert_red_alert(&parse(raw));

    // A wrong app password: the real server's 535, permanent, with the hint.
    let wrong = open_with(&config(server.port, ""), "wrongcode0000").unwrap();
    let out = send(&client(), &wrong, &msg(Tier::Orange), &fixed_clock(NOW)).await;
    let reason = permanent(&out[0]);
    assert!(
        reason.contains("535") && reason.contains("授权码"),
        "{reason}"
    );
    assert!(!reason.contains("wrongcode0000"), "{reason}");
    assert_eq!(server.messages().len(), 1);
}
