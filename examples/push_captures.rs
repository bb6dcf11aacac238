//! What each channel kind receives for the same alert: every channel sends to a loopback
//! receiver (email to a loopback SMTP server), and the request it got is printed as markdown
//! — the README's "one capture per channel kind". The alert is the demo's real 2026-08-15
//! Weibo topic 胖东来房东逻辑, composed by the sender as a rule match at tier yellow.
//!
//! `cargo run --example push_captures > captures.md`

#[path = "../tests/push_support/mod.rs"]
#[allow(dead_code)]
mod push_support;

use push_support::smtp::{FakeSmtp, Fault};
use push_support::{Answer, Receiver, env_of, fixed_clock};
use resou::domain::{Platform, Tier};
use resou::push::{Channel, ChannelConfig, Message, send};
use resou::rules::{Assessment, Candidate, Delivery, DeliveryKind, Kind, Routed, Signals};

/// 2026-08-15 01:00 CST.
const NOW: u64 = 1_786_726_800;

fn alert() -> Message {
    let at = chrono::DateTime::parse_from_rfc3339("2026-08-15T01:00:00+08:00").unwrap();
    let routed = Routed {
        candidate: Candidate {
            key: "topic:weibo:胖东来房东逻辑".into(),
            kind: Kind::Topic,
            title: "胖东来房东逻辑".into(),
            texts: Vec::new(),
            platforms: vec![Platform::Weibo],
            kols: Vec::new(),
            signals: Signals::default(),
        },
        assessment: Assessment {
            tier: Tier::Yellow,
            because: vec!["最高排名 20 (≤ 20)".into(), "在榜 60 分钟 (≥ 60)".into()],
        },
        group: Some("胖东来".into()),
        at,
    };
    let d = Delivery {
        rule: "brand".into(),
        kind: DeliveryKind::Immediate,
        tier: Tier::Yellow,
        channels: Vec::new(),
        mentions: vec!["13800000000".into()],
        items: vec![routed],
    };
    let mut m = resou::dispatch::compose::message(&d);
    m.url = Some("https://s.weibo.com/weibo?q=%23胖东来房东逻辑%23".into());
    m
}

const SECRETS: [(&str, &str); 4] = [
    ("TOKEN", "token-0123"),
    ("SECRET", "SECsecret0123"),
    ("SLACK", "T000/B000/xoxsecret"),
    ("PASS", "authcode0123"),
];

fn channel(toml_text: &str) -> Channel {
    channel_with(toml_text, &[])
}

fn channel_with(toml_text: &str, more: &[(&str, &str)]) -> Channel {
    let cfg: ChannelConfig = toml::from_str(toml_text).expect("channel config");
    let env: Vec<(&str, &str)> = SECRETS.iter().chain(more).copied().collect();
    cfg.open(&env_of(&env)).expect("channel opens")
}

fn redact(s: &str) -> String {
    let mut out = s.to_string();
    for (_, v) in SECRETS {
        out = out.replace(v, "***");
    }
    out
}

#[tokio::main]
async fn main() {
    let msg = alert();
    let client = reqwest::Client::new();
    let kinds: [(&str, &str); 8] = [
        ("WeCom", "kind = \"wecom\"\nkey = { env = \"TOKEN\" }"),
        (
            "Feishu",
            "kind = \"feishu\"\ntoken = { env = \"TOKEN\" }\nsecret = { env = \"SECRET\" }",
        ),
        (
            "DingTalk",
            "kind = \"dingtalk\"\ntoken = { env = \"TOKEN\" }\nsecret = { env = \"SECRET\" }",
        ),
        (
            "Telegram",
            "kind = \"telegram\"\ntoken = { env = \"TOKEN\" }\nchat_id = \"-1001234567890\"",
        ),
        ("ntfy", "kind = \"ntfy\"\ntopic = \"resou-alerts\""),
        ("Slack", "kind = \"slack\"\nwebhook = { env = \"SLACK\" }"),
        ("Bark", "kind = \"bark\"\ndevice_key = { env = \"TOKEN\" }"),
        (
            "Generic webhook",
            "kind = \"webhook\"\nurl = { env = \"WEBHOOK\" }\ntemplate = '''{\"text\": \"{title}\", \"tier\": \"{severity}\", \"rule\": \"{rule}\", \"body\": \"{content}\"}'''",
        ),
    ];
    for (name, cfg) in kinds {
        let r = Receiver::start(Answer::new(200, ok_body(name))).await;
        let hook = format!("{}/hooks/resou", r.base());
        let ch = if cfg.contains("WEBHOOK") {
            channel_with(cfg, &[("WEBHOOK", hook.as_str())])
        } else {
            channel(&format!("{cfg}\nbase_url = \"{}\"", r.base()))
        };
        let out = send(&client, &ch, &msg, &fixed_clock(NOW)).await;
        println!("#### {name}\n");
        for s in r.seen() {
            let query = s
                .query
                .as_deref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            let body: serde_json::Value = serde_json::from_slice(&s.body).unwrap_or_default();
            println!(
                "```\n{} {}{}\n{}\n```\n",
                s.method,
                redact(&s.path),
                redact(&query),
                redact(&serde_json::to_string_pretty(&body).unwrap())
            );
        }
        eprintln!("{name}: {out:?}");
    }
    // Email: the decoded subject and plain-text part as the SMTP server got them.
    let smtp = FakeSmtp::start(Fault::None).await;
    let ch = channel(&format!(
        "kind = \"email\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"alerts@example.com\"\npassword = {{ env = \"PASS\" }}\nfrom = \"热搜提醒 <alerts@example.com>\"\nto = [\"oncall@example.com\"]",
        smtp.port
    ));
    let out = send(&client, &ch, &msg, &fixed_clock(NOW)).await;
    eprintln!("email: {out:?}");
    for raw in smtp.messages() {
        let m = mailparse::parse_mail(&raw).expect("MIME");
        let header = |k: &str| {
            m.headers
                .iter()
                .find(|h| h.get_key_ref() == k)
                .map(|h| h.get_value())
                .unwrap_or_default()
        };
        let plain = m
            .subparts
            .iter()
            .find(|p| p.ctype.mimetype == "text/plain")
            .and_then(|p| p.get_body().ok())
            .unwrap_or_default()
            .replace("\r\n", "\n");
        println!(
            "#### Email\n\n```\nSubject: {}\nFrom: {}\nTo: {}\n\n{}\n```\n\n(plus a text/html part with the same content; orange and red also set `X-Priority: 1 (Highest)`)\n",
            header("Subject"),
            header("From"),
            header("To"),
            plain.trim_end()
        );
    }
}

/// Each service's documented success answer.
fn ok_body(name: &str) -> &'static str {
    match name {
        "WeCom" | "DingTalk" => r#"{"errcode":0,"errmsg":"ok"}"#,
        "Feishu" => r#"{"code":0,"msg":"success","data":{}}"#,
        "Telegram" => r#"{"ok":true,"result":{"message_id":1}}"#,
        "ntfy" => r#"{"id":"abc","event":"message"}"#,
        "Slack" => "ok",
        "Bark" => r#"{"code":200,"message":"success"}"#,
        _ => "{}",
    }
}
