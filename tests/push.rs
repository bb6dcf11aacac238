//! Push channels against loopback receivers (issue 19): the documented request shapes,
//! signatures recomputed by the receiver, body-based verdicts, numbered parts within budget,
//! and no secret in any Debug, Display or error text. Nothing leaves 127.0.0.1.

// Email over SMTP, in its own file (a crate root finds modules beside it, hence the path).
#[path = "push/email.rs"]
mod email;
// The collector as the team's sender, through the built binary.
#[path = "push/alerting.rs"]
mod alerting;
mod push_support;
#[path = "support/mod.rs"]
mod support;

use std::time::Duration;

use push_support::*;
use resou::push::{
    Budget, Channel, ChannelConfig, Kind, Message, Outcome, PushError, SecretRef, Tier, send,
};
use serde_json::{Value, json};

const NOW: u64 = 1_800_000_000;

const WECOM_KEY: &str = "wecom-key-0f3c9a1e";
const FEISHU_TOKEN: &str = "feishu-token-7b2d";
const FEISHU_SECRET: &str = "feishu-secret-91aa";
const DING_TOKEN: &str = "ding-token-44e1";
const DING_SECRET: &str = "SECding0123456789abcdef";
const TG_TOKEN: &str = "123456:tg-token-AAE";
const NTFY_TOKEN: &str = "tk_ntfysecret0001";
const SLACK_PATH: &str = "T000SLACK/B000SLACK/xoxslacksecret";
const BARK_KEY: &str = "barkdevicekey9911";
const HOOK_SECRET: &str = "hooksecret42";

fn env() -> impl Fn(&str) -> Option<String> {
    env_of(&[
        ("WECOM", WECOM_KEY),
        ("FEISHU_TOKEN", FEISHU_TOKEN),
        ("FEISHU_SECRET", FEISHU_SECRET),
        ("DING_TOKEN", DING_TOKEN),
        ("DING_SECRET", DING_SECRET),
        ("TG", TG_TOKEN),
        ("NTFY", NTFY_TOKEN),
        ("SLACK", SLACK_PATH),
        ("BARK", BARK_KEY),
    ])
}

fn open(toml_text: &str) -> Channel {
    let cfg: ChannelConfig = toml::from_str(toml_text).expect("config parses");
    cfg.open(&env()).expect("channel opens")
}

fn msg(tier: Tier) -> Message {
    let mut m = Message::new(
        tier,
        "微博热搜：某地暴雨 <b>",
        "1. **暴雨** 登上热搜第1名 🔥\n2. 话题阅读量 3.2亿 & 上升",
    );
    m.url = Some("https://s.weibo.com/weibo?q=%23暴雨%23".into());
    m.rule = "weather".into();
    m.platform = "weibo".into();
    m
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// How long to wait before trying again: the service said so (`Retry`) or the channel's
/// own limit does (`Wait`).
fn retry_secs(o: &Outcome) -> u64 {
    match o {
        Outcome::Retry { after, .. } | Outcome::Wait { after } => after.as_secs(),
        other => panic!("expected Retry or Wait, got {other:?}"),
    }
}

fn permanent(o: &Outcome) -> String {
    match o {
        Outcome::Permanent { reason } => reason.clone(),
        other => panic!("expected Permanent, got {other:?}"),
    }
}

fn assert_json_request(s: &Seen, path: &str) {
    assert_eq!(s.method, "POST");
    assert_eq!(s.path, path);
    assert!(
        s.header("content-type").starts_with("application/json"),
        "{:?}",
        s.headers
    );
}

const WECOM_OK: &str = r#"{"errcode":0,"errmsg":"ok"}"#;

async fn wecom() -> (Receiver, Channel) {
    let r = Receiver::start(Answer::new(200, WECOM_OK)).await;
    let ch = open(&format!(
        "kind = \"wecom\"\nbase_url = \"{}\"\nkey = {{ env = \"WECOM\" }}",
        r.base()
    ));
    (r, ch)
}

#[tokio::test]
async fn wecom_markdown_request_with_key_in_query() {
    let (r, ch) = wecom().await;
    let out = send(&client(), &ch, &msg(Tier::Yellow), &fixed_clock(NOW)).await;
    assert_eq!(out, [Outcome::Delivered]);
    let seen = r.seen();
    assert_eq!(seen.len(), 1);
    assert_json_request(&seen[0], "/cgi-bin/webhook/send");
    assert_eq!(
        seen[0].query_pairs(),
        [("key".to_string(), WECOM_KEY.to_string())]
    );
    let v = seen[0].json();
    assert_eq!(v["msgtype"], "markdown");
    let content = v["markdown"]["content"].as_str().unwrap();
    assert!(
        content.starts_with("<font color=\"warning\">**【黄色】微博热搜：某地暴雨 ＜b>**</font>\n"),
        "{content}"
    );
    assert!(content.contains("[详情](https://s.weibo.com/"), "{content}");
}

#[tokio::test]
async fn wecom_blue_uses_the_word_and_inline_mentions() {
    let (r, ch) = wecom().await;
    let mut m = msg(Tier::Blue);
    m.mentions = vec!["zhangsan".into()];
    assert_eq!(
        send(&client(), &ch, &m, &fixed_clock(NOW)).await,
        [Outcome::Delivered]
    );
    let content = r.seen()[0].json()["markdown"]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(content.starts_with("**【蓝色】"), "{content}");
    assert!(!content.contains("<font"));
    assert!(content.ends_with("<@zhangsan>"), "{content}");
}

#[tokio::test]
async fn wecom_red_sends_an_at_all_text_first_then_the_detail() {
    let (r, ch) = wecom().await;
    let out = send(&client(), &ch, &msg(Tier::Red), &fixed_clock(NOW)).await;
    assert_eq!(out, [Outcome::Delivered, Outcome::Delivered]);
    let seen = r.seen();
    let first = seen[0].json();
    assert_eq!(first["msgtype"], "text");
    assert_eq!(first["text"]["mentioned_list"], json!(["@all"]));
    assert!(
        first["text"]["content"]
            .as_str()
            .unwrap()
            .starts_with("【红色】")
    );
    assert_eq!(seen[1].json()["msgtype"], "markdown");
}

#[tokio::test]
async fn wecom_orange_follows_up_with_a_mention_text() {
    let (r, ch) = wecom().await;
    let mut m = msg(Tier::Orange);
    m.mentions = vec!["lisi".into(), "wangwu".into()];
    assert_eq!(send(&client(), &ch, &m, &fixed_clock(NOW)).await.len(), 2);
    let seen = r.seen();
    assert_eq!(seen[0].json()["msgtype"], "markdown");
    assert_eq!(
        seen[1].json()["text"]["mentioned_list"],
        json!(["lisi", "wangwu"])
    );
}

#[tokio::test]
async fn wecom_http_200_with_errcode_93000_is_permanent_and_stops_the_rest() {
    let (r, ch) = wecom().await;
    r.then_answer(Answer::new(
        200,
        &format!(r#"{{"errcode":93000,"errmsg":"invalid webhook url, hint: [key={WECOM_KEY}], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=93000"}}"#),
    ));
    let out = send(&client(), &ch, &msg(Tier::Red), &fixed_clock(NOW)).await;
    assert_eq!(out.len(), 2);
    let reason = permanent(&out[0]);
    assert!(
        reason.contains("93000") && reason.contains("invalid webhook key"),
        "{reason}"
    );
    assert!(
        !reason.contains(WECOM_KEY),
        "secret echoed by the server leaked: {reason}"
    );
    assert!(permanent(&out[1]).starts_with("not sent"));
    assert_eq!(r.seen().len(), 1);
}

#[tokio::test]
async fn wecom_45009_retries_after_at_least_60_s_and_holds_the_channel() {
    let (r, ch) = wecom().await;
    r.then_answer(Answer::new(
        200,
        r#"{"errcode":45009,"errmsg":"api freq out of limit, hint: [x]"}"#,
    ));
    let out = send(&client(), &ch, &msg(Tier::Yellow), &fixed_clock(NOW)).await;
    assert!(retry_secs(&out[0]) >= 60);
    // The limiter now holds the robot: the next send does not reach the service.
    let again = send(&client(), &ch, &msg(Tier::Yellow), &fixed_clock(NOW + 30)).await;
    assert!(retry_secs(&again[0]) >= 30);
    assert_eq!(r.seen().len(), 1);
    let later = send(&client(), &ch, &msg(Tier::Yellow), &fixed_clock(NOW + 120)).await;
    assert_eq!(later, [Outcome::Delivered]);
}

#[tokio::test]
async fn wecom_minus_one_and_5xx_are_retried() {
    let (r, ch) = wecom().await;
    r.then_answer(Answer::new(200, r#"{"errcode":-1,"errmsg":"system busy"}"#));
    assert!(retry_secs(&send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW)).await[0]) > 0);
    r.then_answer(Answer::new(
        502,
        "<html><body>502 Bad Gateway</body></html>",
    ));
    let out = send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 600)).await;
    assert!(retry_secs(&out[0]) > 0);
}

#[tokio::test]
async fn wecom_local_limit_lets_20_a_minute_through() {
    let (r, ch) = wecom().await;
    let mut results = Vec::new();
    for _ in 0..21 {
        results.extend(send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW)).await);
    }
    assert_eq!(results.iter().filter(|o| o.is_delivered()).count(), 20);
    assert!(retry_secs(&results[20]) > 0);
    assert_eq!(r.seen().len(), 20);
}

#[tokio::test]
async fn wecom_long_chinese_message_arrives_as_numbered_parts_within_4096_bytes() {
    let (r, ch) = wecom().await;
    let body = long_chinese_body();
    let m = Message::new(Tier::Yellow, "今日热搜汇总", body.clone());
    let out = send(
        &client(),
        &ch,
        &m,
        &stepping_clock(NOW, Duration::from_secs(4)),
    )
    .await;
    let seen = r.seen();
    assert!(seen.len() > 5, "{} parts", seen.len());
    assert!(out.iter().all(Outcome::is_delivered));
    let n = seen.len();
    let mut joined = Vec::new();
    for (i, s) in seen.iter().enumerate() {
        assert!(
            s.body.len() <= 4096,
            "part {} is {} bytes",
            i + 1,
            s.body.len()
        );
        let content = s.json()["markdown"]["content"]
            .as_str()
            .unwrap()
            .to_string();
        let (head, rest) = content.split_once('\n').unwrap();
        assert_eq!(part_no(head), Some((i + 1, n)), "{head}");
        joined.push(rest.to_string());
    }
    // Every line arrives, in order; the over-long line is cut, not lost.
    let joined = joined.join("");
    let wanted: String = body.split('\n').collect();
    assert_eq!(joined.replace('\n', ""), wanted);
}

/// A part refused for the moment stops the message there; the retry sends only the parts
/// not yet delivered, with their original numbers.
#[tokio::test]
async fn a_retry_sends_only_the_parts_not_yet_delivered() {
    let (r, ch) = wecom().await;
    let m = Message::new(Tier::Yellow, "今日热搜汇总", long_chinese_body());
    let total = resou::push::pieces(&ch, &m);
    assert!(total >= 3, "{total} parts");
    // WeCom's "too frequent" on the second part.
    r.then_answer(Answer::new(200, WECOM_OK));
    r.then_answer(Answer::new(
        200,
        r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
    ));
    let clock = stepping_clock(NOW, Duration::from_secs(4));
    let first = send(&client(), &ch, &m, &clock).await;
    assert_eq!(first.len(), total);
    assert!(first[0].is_delivered());
    assert!(matches!(first[1], Outcome::Retry { .. }), "{:?}", first[1]);
    let done = first.iter().take_while(|o| o.is_delivered()).count();
    assert_eq!(done, 1);
    assert_eq!(r.seen().len(), 2, "nothing after the refused part");

    // Tried again once the wait it was given is over.
    let wait = match &first[1] {
        Outcome::Retry { after, .. } => after.as_secs(),
        _ => unreachable!(),
    };
    let later = stepping_clock(NOW + 100 + wait, Duration::from_secs(4));
    let rest = resou::push::send_from(&client(), &ch, &m, done, &later).await;
    assert_eq!(rest.len(), total - 1);
    assert!(rest.iter().all(Outcome::is_delivered), "{rest:?}");
    let numbers: Vec<(usize, usize)> = r
        .seen()
        .iter()
        .map(|s| {
            let content = s.json()["markdown"]["content"]
                .as_str()
                .unwrap()
                .to_string();
            part_no(content.lines().next().unwrap()).unwrap()
        })
        .collect();
    // Part 1 once, part 2 twice (refused, then delivered), then the rest once each.
    let mut want = vec![(1, total), (2, total)];
    want.extend((2..=total).map(|i| (i, total)));
    assert_eq!(numbers, want);
}

const FEISHU_OK: &str = r#"{"code":0,"msg":"success","data":{}}"#;

async fn feishu(signed: bool) -> (Receiver, Channel) {
    let r = Receiver::start(Answer::new(200, FEISHU_OK)).await;
    let secret = if signed {
        "secret = { env = \"FEISHU_SECRET\" }\n"
    } else {
        ""
    };
    let ch = open(&format!(
        "kind = \"feishu\"\nbase_url = \"{}\"\ntoken = {{ env = \"FEISHU_TOKEN\" }}\n{secret}",
        r.base()
    ));
    (r, ch)
}

#[tokio::test]
async fn feishu_card_is_signed_in_the_body_and_the_receiver_agrees() {
    let (r, ch) = feishu(true).await;
    let out = send(&client(), &ch, &msg(Tier::Red), &fixed_clock(NOW)).await;
    assert_eq!(out, [Outcome::Delivered]);
    let s = &r.seen()[0];
    assert_json_request(s, &format!("/open-apis/bot/v2/hook/{FEISHU_TOKEN}"));
    let v = s.json();
    assert_eq!(v["msg_type"], "interactive");
    assert_eq!(v["card"]["header"]["template"], "red");
    let ts = v["timestamp"].as_str().expect("timestamp is a string");
    assert_eq!(ts, NOW.to_string(), "seconds, not milliseconds");
    assert_eq!(v["sign"], feishu_expected_sign(FEISHU_SECRET, ts));
    let md = v["card"]["elements"][0]["text"]["content"]
        .as_str()
        .unwrap();
    assert!(md.contains("<at user_id=\"all\">所有人</at>"), "{md}");
    assert_eq!(v["card"]["elements"][0]["text"]["tag"], "lark_md");
}

#[tokio::test]
async fn feishu_tiers_map_to_card_templates_and_unsigned_bots_get_no_sign() {
    let (r, ch) = feishu(false).await;
    for (i, tier) in Tier::ALL.into_iter().enumerate() {
        let out = send(
            &client(),
            &ch,
            &msg(tier),
            &fixed_clock(NOW + 10 * i as u64),
        )
        .await;
        assert_eq!(out, [Outcome::Delivered]);
    }
    let templates: Vec<Value> = r
        .seen()
        .iter()
        .map(|s| s.json()["card"]["header"]["template"].clone())
        .collect();
    assert_eq!(
        templates,
        [
            json!("blue"),
            json!("yellow"),
            json!("orange"),
            json!("red")
        ]
    );
    assert!(r.seen()[0].json().get("sign").is_none());
}

#[tokio::test]
async fn feishu_errors_are_read_from_the_body_on_200_and_4xx() {
    let (r, ch) = feishu(true).await;
    r.then_answer(Answer::new(200, r#"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}"#));
    assert!(
        permanent(&send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW)).await[0])
            .contains("19021")
    );
    r.then_answer(Answer::new(
        400,
        r#"{"code":19024,"msg":"Key Words Not Found"}"#,
    ));
    assert!(
        permanent(&send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 10)).await[0])
            .contains("19024")
    );
    r.then_answer(Answer::new(400, r#"{"code":9499,"msg":"Bad Request"}"#));
    assert!(
        permanent(&send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 20)).await[0])
            .contains("9499")
    );
    r.then_answer(Answer::new(
        200,
        r#"{"code":11232,"msg":"frequency limited psm"}"#,
    ));
    assert!(
        retry_secs(&send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 30)).await[0]) > 0
    );
    // Legacy success shape.
    r.then_answer(Answer::new(
        200,
        r#"{"Extra":null,"StatusCode":0,"StatusMessage":"success"}"#,
    ));
    assert_eq!(
        send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 200)).await,
        [Outcome::Delivered]
    );
}

#[tokio::test]
async fn feishu_long_message_parts_fit_20_kb_including_the_signature() {
    let (r, ch) = feishu(true).await;
    let m = Message::new(Tier::Orange, "交班报告", long_chinese_body());
    let out = send(
        &client(),
        &ch,
        &m,
        &stepping_clock(NOW, Duration::from_secs(1)),
    )
    .await;
    assert!(out.iter().all(Outcome::is_delivered), "{out:?}");
    let seen = r.seen();
    assert!(seen.len() > 1);
    for (i, s) in seen.iter().enumerate() {
        assert!(s.body.len() <= 20_000, "{}", s.body.len());
        let v = s.json();
        let title = v["card"]["header"]["title"]["content"].as_str().unwrap();
        assert_eq!(part_no(title), Some((i + 1, seen.len())));
        let ts = v["timestamp"].as_str().unwrap();
        assert_eq!(v["sign"], feishu_expected_sign(FEISHU_SECRET, ts));
    }
}

const DING_OK: &str = r#"{"errcode":0,"errmsg":"ok"}"#;

async fn dingtalk(extra: &str) -> (Receiver, Channel) {
    let r = Receiver::start(Answer::new(200, DING_OK)).await;
    let ch = open(&format!(
        "kind = \"dingtalk\"\nbase_url = \"{}\"\ntoken = {{ env = \"DING_TOKEN\" }}\nsecret = {{ env = \"DING_SECRET\" }}\n{extra}",
        r.base()
    ));
    (r, ch)
}

#[tokio::test]
async fn dingtalk_sign_is_in_the_url_encoded_once_and_matches() {
    let (r, ch) = dingtalk("").await;
    let out = send(&client(), &ch, &msg(Tier::Red), &fixed_clock(NOW)).await;
    assert_eq!(out, [Outcome::Delivered]);
    let s = &r.seen()[0];
    assert_json_request(s, "/robot/send");
    assert_eq!(s.query_value("access_token").as_deref(), Some(DING_TOKEN));
    let ts = s.query_value("timestamp").unwrap();
    assert_eq!(ts, (NOW * 1000).to_string(), "milliseconds");
    // Decoded once by the server, the sign must equal the recomputed base64.
    assert_eq!(
        s.query_value("sign").unwrap(),
        dingtalk_expected_sign(DING_SECRET, &ts)
    );
    assert!(
        !s.query.as_deref().unwrap().contains("%25"),
        "double-encoded: {:?}",
        s.query
    );
    let v = s.json();
    assert_eq!(v["msgtype"], "markdown");
    assert!(
        v["markdown"]["title"]
            .as_str()
            .unwrap()
            .starts_with("【红色】")
    );
    assert!(
        v["markdown"]["text"]
            .as_str()
            .unwrap()
            .starts_with("### 【红色】")
    );
    assert_eq!(v["at"]["isAtAll"], true);
}

#[tokio::test]
async fn dingtalk_orange_mentions_mobiles() {
    let (r, ch) = dingtalk("").await;
    let mut m = msg(Tier::Orange);
    m.mentions = vec!["13800000000".into()];
    send(&client(), &ch, &m, &fixed_clock(NOW)).await;
    let v = r.seen()[0].json();
    assert_eq!(v["at"]["atMobiles"], json!(["13800000000"]));
    assert_eq!(v["at"]["isAtAll"], false);
    assert!(
        v["markdown"]["text"]
            .as_str()
            .unwrap()
            .contains("@13800000000")
    );
}

#[tokio::test]
async fn dingtalk_throttle_waits_ten_minutes_and_config_errors_are_permanent() {
    let (r, ch) = dingtalk("").await;
    r.then_answer(Answer::new(
        200,
        r#"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#,
    ));
    assert_eq!(
        retry_secs(&send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW)).await[0]),
        600
    );
    let t = NOW + 601;
    for (i, body) in [
        r#"{"errcode":310000,"errmsg":"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}"#,
        r#"{"errcode":310000,"errmsg":"keywords not in content, more: [x]"}"#,
        r#"{"errcode":300001,"errmsg":"token is not exist"}"#,
        r#"{"errcode":300005,"errmsg":"token is not exist"}"#,
    ]
    .into_iter()
    .enumerate()
    {
        r.then_answer(Answer::new(200, body));
        let out = send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(t + 10 * i as u64)).await;
        let reason = permanent(&out[0]);
        assert!(!reason.contains(DING_TOKEN) && !reason.contains(DING_SECRET));
    }
}

#[tokio::test]
async fn dingtalk_budget_is_configurable() {
    let (r, ch) = dingtalk("max_bytes = 3000").await;
    assert_eq!(ch.budget(), Budget::BodyBytes(3000));
    let m = Message::new(Tier::Blue, "汇总", long_chinese_body());
    let out = send(
        &client(),
        &ch,
        &m,
        &stepping_clock(NOW, Duration::from_secs(4)),
    )
    .await;
    assert!(out.iter().all(Outcome::is_delivered));
    let seen = r.seen();
    assert!(seen.len() > 10);
    assert!(seen.iter().all(|s| s.body.len() <= 3000));
    for s in &seen {
        let ts = s.query_value("timestamp").unwrap();
        assert_eq!(
            s.query_value("sign").unwrap(),
            dingtalk_expected_sign(DING_SECRET, &ts)
        );
    }
}

const TG_OK: &str = r#"{"ok":true,"result":{"message_id":1}}"#;

async fn telegram(chat: &str) -> (Receiver, Channel) {
    let r = Receiver::start(Answer::new(200, TG_OK)).await;
    let ch = open(&format!(
        "kind = \"telegram\"\nbase_url = \"{}\"\ntoken = {{ env = \"TG\" }}\nchat_id = \"{chat}\"",
        r.base()
    ));
    (r, ch)
}

#[tokio::test]
async fn telegram_html_message_with_token_in_path() {
    let (r, ch) = telegram("-1001234567890").await;
    assert_eq!(
        send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW)).await,
        [Outcome::Delivered]
    );
    let s = &r.seen()[0];
    assert_json_request(s, &format!("/bot{TG_TOKEN}/sendMessage"));
    let v = s.json();
    assert_eq!(v["chat_id"], json!(-1001234567890i64));
    assert_eq!(v["parse_mode"], "HTML");
    assert_eq!(v["disable_notification"], true);
    assert_eq!(v["link_preview_options"]["is_disabled"], true);
    let text = v["text"].as_str().unwrap();
    assert!(
        text.starts_with("<b>【蓝色】微博热搜：某地暴雨 &lt;b&gt;</b>\n"),
        "{text}"
    );
    assert!(
        text.contains("<b>暴雨</b>") && text.contains("3.2亿 &amp; 上升"),
        "{text}"
    );
    // Yellow and up notify.
    send(&client(), &ch, &msg(Tier::Yellow), &fixed_clock(NOW + 5)).await;
    assert_eq!(r.seen()[1].json()["disable_notification"], false);
}

#[tokio::test]
async fn telegram_429_retry_after_35_is_a_35_s_retry() {
    let (r, ch) = telegram("@resou_alerts").await;
    r.then_answer(Answer::new(
        429,
        r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}"#,
    ));
    let out = send(&client(), &ch, &msg(Tier::Red), &fixed_clock(NOW)).await;
    assert_eq!(retry_secs(&out[0]), 35);
    assert_eq!(r.seen()[0].json()["chat_id"], "@resou_alerts");
    r.then_answer(Answer::new(400, r#"{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: Character '-' is reserved"}"#));
    let out = send(&client(), &ch, &msg(Tier::Red), &fixed_clock(NOW + 40)).await;
    assert!(permanent(&out[0]).contains("parse entities"));
}

#[tokio::test]
async fn telegram_long_message_parts_stay_within_4096_characters() {
    let (r, ch) = telegram("42").await;
    let m = Message::new(Tier::Yellow, "热搜", long_chinese_body());
    let out = send(
        &client(),
        &ch,
        &m,
        &stepping_clock(NOW, Duration::from_secs(4)),
    )
    .await;
    assert!(out.iter().all(Outcome::is_delivered), "{out:?}");
    let seen = r.seen();
    assert!(seen.len() > 2);
    for (i, s) in seen.iter().enumerate() {
        let text = s.json()["text"].as_str().unwrap().to_string();
        assert!(text.chars().count() <= 4096);
        let head = text.split('\n').next().unwrap();
        assert_eq!(
            part_no(head.trim_end_matches("</b>")),
            Some((i + 1, seen.len())),
            "{head}"
        );
    }
}

#[tokio::test]
async fn ntfy_posts_json_to_the_root_with_priority_tags_and_bearer() {
    let r = Receiver::start(Answer::new(200, r#"{"id":"xE73Iyuabi","time":1673542291,"expires":1673585491,"event":"message","topic":"resou"}"#)).await;
    let ch = open(&format!(
        "kind = \"ntfy\"\nbase_url = \"{}\"\ntopic = \"resou\"\ntoken = {{ env = \"NTFY\" }}",
        r.base()
    ));
    for (i, tier) in Tier::ALL.into_iter().enumerate() {
        assert_eq!(
            send(&client(), &ch, &msg(tier), &fixed_clock(NOW + i as u64)).await,
            [Outcome::Delivered]
        );
    }
    let seen = r.seen();
    assert_json_request(&seen[0], "/");
    assert_eq!(
        seen[0].header("authorization"),
        format!("Bearer {NTFY_TOKEN}")
    );
    let v: Vec<Value> = seen.iter().map(|s| s.json()).collect();
    assert_eq!(v[0]["topic"], "resou");
    assert_eq!(v[0]["markdown"], true);
    assert_eq!(v[0]["click"], "https://s.weibo.com/weibo?q=%23暴雨%23");
    let prio: Vec<&Value> = v.iter().map(|v| &v["priority"]).collect();
    assert_eq!(prio, [&json!(2), &json!(3), &json!(4), &json!(5)]);
    assert_eq!(v[2]["tags"], json!(["warning"]));
    assert_eq!(v[3]["tags"], json!(["rotating_light"]));
    r.then_answer(Answer::new(429, r#"{"code":42901,"http":429,"error":"limit reached: too many requests","link":"https://ntfy.sh/docs/publish/#limitations"}"#));
    assert!(
        retry_secs(&send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 10)).await[0]) > 0
    );
    r.then_answer(Answer::new(
        403,
        r#"{"code":40301,"http":403,"error":"forbidden"}"#,
    ));
    assert!(
        permanent(&send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 100)).await[0])
            .contains("40301")
    );
}

#[tokio::test]
async fn ntfy_long_message_bodies_fit_4096_bytes() {
    let r = Receiver::start(Answer::new(200, r#"{"id":"a","event":"message"}"#)).await;
    let ch = open(&format!(
        "kind = \"ntfy\"\nbase_url = \"{}\"\ntopic = \"resou\"",
        r.base()
    ));
    let m = Message::new(Tier::Orange, "热搜", long_chinese_body());
    let out = send(&client(), &ch, &m, &fixed_clock(NOW)).await;
    assert!(out.iter().all(Outcome::is_delivered));
    let seen = r.seen();
    assert!(seen.len() > 5 && seen.iter().all(|s| s.body.len() <= 4096));
    assert!(seen[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn slack_success_is_the_body_ok_and_sections_stay_under_3000_chars() {
    let r = Receiver::start(Answer::new(200, "ok")).await;
    let ch = open(&format!(
        "kind = \"slack\"\nbase_url = \"{}\"\nwebhook = {{ env = \"SLACK\" }}",
        r.base()
    ));
    let m = Message::new(Tier::Orange, "热搜 <!channel>", long_chinese_body());
    let out = send(
        &client(),
        &ch,
        &m,
        &stepping_clock(NOW, Duration::from_secs(2)),
    )
    .await;
    assert!(out.iter().all(Outcome::is_delivered), "{out:?}");
    let seen = r.seen();
    assert_json_request(&seen[0], &format!("/services/{SLACK_PATH}"));
    for s in &seen {
        let v = s.json();
        let section = v["blocks"][0]["text"]["text"].as_str().unwrap();
        assert_eq!(v["blocks"][0]["text"]["type"], "mrkdwn");
        assert!(section.chars().count() <= 3000);
        assert!(
            !section.contains("<!channel>"),
            "a title must not ping the channel"
        );
        assert!(v["text"].as_str().unwrap().contains("&lt;!channel&gt;"));
    }
    r.then_answer(Answer::new(400, "invalid_payload"));
    let out = send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 1_000)).await;
    assert!(permanent(&out[0]).contains("invalid_payload"));
    // HTTP 200 with anything but `ok` is not success.
    r.then_answer(Answer::new(200, "<html>captive portal</html>"));
    let out = send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 2_000)).await;
    assert!(permanent(&out[0]).contains("HTML"));
    r.then_answer(Answer::new(429, "rate_limited").with_header("retry-after", "7"));
    let out = send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 3_000)).await;
    assert_eq!(retry_secs(&out[0]), 7);
}

#[tokio::test]
async fn bark_posts_to_push_with_the_tier_level() {
    let r = Receiver::start(Answer::new(
        200,
        r#"{"code":200,"message":"success","timestamp":1700000000}"#,
    ))
    .await;
    let ch = open(&format!(
        "kind = \"bark\"\nbase_url = \"{}\"\ndevice_key = {{ env = \"BARK\" }}",
        r.base()
    ));
    for (i, tier) in Tier::ALL.into_iter().enumerate() {
        assert_eq!(
            send(&client(), &ch, &msg(tier), &fixed_clock(NOW + i as u64)).await,
            [Outcome::Delivered]
        );
    }
    let seen = r.seen();
    assert_json_request(&seen[0], "/push");
    let levels: Vec<Value> = seen.iter().map(|s| s.json()["level"].clone()).collect();
    assert_eq!(
        levels,
        [
            json!("passive"),
            json!("active"),
            json!("timeSensitive"),
            json!("critical")
        ]
    );
    let v = seen[0].json();
    assert_eq!(v["device_key"], BARK_KEY);
    assert_eq!(v["group"], "resou");
    assert!(v["markdown"].as_str().unwrap().contains("**暴雨**"));
    r.then_answer(Answer::new(
        400,
        r#"{"code":400,"message":"failed to get device token: device key is empty","timestamp":1}"#,
    ));
    let out = send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 9)).await;
    let reason = permanent(&out[0]);
    assert!(reason.contains("device token") && !reason.contains(BARK_KEY));
    r.then_answer(Answer::new(
        500,
        r#"{"code":500,"message":"push failed: x","timestamp":1}"#,
    ));
    assert!(
        retry_secs(&send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW + 10)).await[0]) > 0
    );
}

#[tokio::test]
async fn generic_webhook_fills_the_template_inside_strings() {
    let r = Receiver::start(Answer::new(204, "")).await;
    let url = format!("{}/hook/{HOOK_SECRET}", r.base());
    let cfg = ChannelConfig::Webhook {
        url: SecretRef::Env("HOOK".into()),
        template: Some(r#"{"title":"{title}","desp":"{content}","meta":{"sev":"{severity}","rule":"{rule}","p":"{platform}","u":"{url}","at":"{ts}"}}"#.into()),
        max_bytes: None,
    };
    let ch = cfg.open(&env_of(&[("HOOK", &url)])).unwrap();
    let mut m = msg(Tier::Orange);
    m.title = "标题 \"quoted\" {content}".into();
    assert_eq!(
        send(&client(), &ch, &m, &fixed_clock(NOW)).await,
        [Outcome::Delivered]
    );
    let s = &r.seen()[0];
    assert_json_request(s, &format!("/hook/{HOOK_SECRET}"));
    let v = s.json();
    assert_eq!(v["title"], "【橙色】标题 \"quoted\" {content}");
    assert_eq!(v["desp"], m.body_markdown.as_str());
    assert_eq!(
        v["meta"],
        json!({"sev": "orange", "rule": "weather", "p": "weibo", "u": m.url.clone().unwrap(), "at": "2027-01-15T08:00:00Z"})
    );
    r.then_answer(Answer::new(500, "oops"));
    assert!(retry_secs(&send(&client(), &ch, &m, &fixed_clock(NOW)).await[0]) > 0);
    // The 500's back-off holds the channel for 30 s.
    r.then_answer(Answer::new(404, "no such hook"));
    let reason = permanent(&send(&client(), &ch, &m, &fixed_clock(NOW + 30)).await[0]);
    assert!(reason.contains("404"));
    // Display names the host only: the path holds the secret.
    assert!(!ch.to_string().contains(HOOK_SECRET) && !format!("{ch:?}").contains(HOOK_SECRET));
}

#[tokio::test]
async fn a_bad_webhook_template_is_refused_when_the_channel_opens() {
    let cfg: ChannelConfig = toml::from_str(
        "kind = \"webhook\"\nurl = { env = \"HOOK\" }\ntemplate = '{\"text\": {title}}'",
    )
    .unwrap();
    let err = cfg
        .open(&env_of(&[("HOOK", "http://127.0.0.1:1/x")]))
        .unwrap_err();
    assert!(matches!(err, PushError::Template(_)));
    assert!(err.to_string().contains("inside strings"), "{err}");
}

#[tokio::test]
async fn network_errors_retry_and_do_not_show_the_key() {
    // A port that was free a moment ago: nothing listens there.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let ch = open(&format!(
        "kind = \"wecom\"\nbase_url = \"http://127.0.0.1:{port}\"\nkey = {{ env = \"WECOM\" }}"
    ));
    let out = send(&client(), &ch, &msg(Tier::Blue), &fixed_clock(NOW)).await;
    match &out[0] {
        Outcome::Retry { reason, .. } => {
            assert!(reason.contains("network error"), "{reason}");
            assert!(!reason.contains(WECOM_KEY), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn no_secret_appears_in_debug_display_or_config_errors() {
    let base = "http://127.0.0.1:9";
    let configs = [
        format!("kind = \"wecom\"\nbase_url = \"{base}\"\nkey = {{ env = \"WECOM\" }}"),
        format!(
            "kind = \"feishu\"\nbase_url = \"{base}\"\ntoken = {{ env = \"FEISHU_TOKEN\" }}\nsecret = {{ env = \"FEISHU_SECRET\" }}"
        ),
        format!(
            "kind = \"dingtalk\"\nbase_url = \"{base}\"\ntoken = {{ env = \"DING_TOKEN\" }}\nsecret = {{ env = \"DING_SECRET\" }}"
        ),
        format!(
            "kind = \"telegram\"\nbase_url = \"{base}\"\ntoken = {{ env = \"TG\" }}\nchat_id = \"1\""
        ),
        format!(
            "kind = \"ntfy\"\nbase_url = \"{base}\"\ntopic = \"t\"\ntoken = {{ env = \"NTFY\" }}"
        ),
        format!("kind = \"slack\"\nbase_url = \"{base}\"\nwebhook = {{ env = \"SLACK\" }}"),
        format!("kind = \"bark\"\nbase_url = \"{base}\"\ndevice_key = {{ env = \"BARK\" }}"),
    ];
    let secrets = [
        WECOM_KEY,
        FEISHU_TOKEN,
        FEISHU_SECRET,
        DING_TOKEN,
        DING_SECRET,
        TG_TOKEN,
        NTFY_TOKEN,
        SLACK_PATH,
        BARK_KEY,
    ];
    for c in &configs {
        let ch = open(c);
        let shown = format!("{ch:?} {ch} {ch:#?}");
        for s in secrets {
            assert!(!shown.contains(s), "{s} in {shown}");
        }
        // Every endpoint with a secret in its URL shows where it was (ntfy's token is a
        // header, Bark's device key is in the body).
        assert!(
            shown.contains("***") || matches!(ch.kind(), Kind::Ntfy | Kind::Bark),
            "{shown}"
        );
    }
    let wecom = open(&configs[0]);
    assert_eq!(
        wecom.to_string(),
        "WeCom http://127.0.0.1:9/cgi-bin/webhook/send?key=***"
    );
    assert_eq!(wecom.redact(&format!("x {WECOM_KEY} y")), "x *** y");
    // A missing variable is named; its (absent) value cannot be.
    let cfg: ChannelConfig = toml::from_str("kind = \"wecom\"\nkey = { env = \"NOPE\" }").unwrap();
    assert!(
        cfg.open(&env_of(&[]))
            .unwrap_err()
            .to_string()
            .contains("NOPE")
    );
}

#[cfg(unix)]
#[test]
fn secret_files_must_be_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wecom.key");
    std::fs::write(&path, format!("{WECOM_KEY}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let cfg = ChannelConfig::Wecom {
        base_url: None,
        key: SecretRef::File(path.clone()),
    };
    let err = cfg.open(&env_of(&[])).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, PushError::InsecureFile { mode: 0o644, .. }),
        "{text}"
    );
    assert!(
        text.contains(&path.display().to_string()) && text.contains("chmod 600"),
        "{text}"
    );
    assert!(!text.contains(WECOM_KEY));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let ch = cfg.open(&env_of(&[])).unwrap();
    assert_eq!(
        ch.to_string(),
        "WeCom https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"
    );
}

#[test]
fn channel_configs_deserialise_under_push_channels_and_reject_unknown_keys() {
    #[derive(serde::Deserialize)]
    struct File {
        push: Push,
    }
    #[derive(serde::Deserialize)]
    struct Push {
        channels: std::collections::BTreeMap<String, ChannelConfig>,
    }
    let file: File = toml::from_str(
        r#"
[push.channels.team]
kind = "wecom"
key = { env = "RESOU_WECOM_KEY" }

[push.channels.oncall]
kind = "telegram"
token = { file = "/home/me/.config/resou/telegram.token" }
chat_id = "-100123"

[push.channels.phone]
kind = "ntfy"
base_url = "https://ntfy.example.org"
topic = "resou-alerts"
"#,
    )
    .unwrap();
    assert_eq!(file.push.channels["team"].kind(), Kind::WeCom);
    assert_eq!(file.push.channels["oncall"].kind(), Kind::Telegram);
    assert_eq!(file.push.channels["phone"].kind(), Kind::Ntfy);
    let err =
        toml::from_str::<ChannelConfig>("kind = \"wecom\"\nkey = { env = \"K\" }\nchat_id = \"1\"")
            .unwrap_err()
            .to_string();
    assert!(err.contains("chat_id"), "{err}");
    let err = toml::from_str::<ChannelConfig>("kind = \"wecom\"\nkey = \"inline-secret\"")
        .unwrap_err()
        .to_string();
    assert!(!err.is_empty());
    let err = toml::from_str::<ChannelConfig>("kind = \"carrier-pigeon\"")
        .unwrap_err()
        .to_string();
    assert!(err.contains("carrier-pigeon"), "{err}");
    let bad = ChannelConfig::Wecom {
        base_url: Some("ftp://example.org".into()),
        key: SecretRef::Env("WECOM".into()),
    };
    assert!(matches!(
        bad.open(&env()).unwrap_err(),
        PushError::BaseUrl { .. }
    ));
}

/// One table for every channel whose budget is the whole body in bytes: a long Chinese report
/// with emoji and an over-long line arrives as numbered parts, each body within the budget.
#[tokio::test]
async fn every_byte_budgeted_channel_splits_long_chinese_within_its_budget() {
    let cases: [(&str, &str, &str, usize); 6] = [
        ("wecom", "key = { env = \"WECOM\" }", WECOM_OK, 4096),
        (
            "feishu",
            "token = { env = \"FEISHU_TOKEN\" }\nsecret = { env = \"FEISHU_SECRET\" }",
            FEISHU_OK,
            20_000,
        ),
        (
            "dingtalk",
            "token = { env = \"DING_TOKEN\" }",
            DING_OK,
            18_000,
        ),
        (
            "ntfy",
            "topic = \"resou\"",
            r#"{"id":"a","event":"message"}"#,
            4096,
        ),
        (
            "bark",
            "device_key = { env = \"BARK\" }",
            r#"{"code":200,"message":"success"}"#,
            3600,
        ),
        ("webhook", "", "", 4000),
    ];
    for (kind, fields, ok, budget) in cases {
        let r = Receiver::start(Answer::new(200, ok)).await;
        let ch = if kind == "webhook" {
            let cfg = ChannelConfig::Webhook {
                url: SecretRef::Env("HOOK".into()),
                template: None,
                max_bytes: None,
            };
            cfg.open(&env_of(&[("HOOK", &format!("{}/h", r.base()))]))
                .unwrap()
        } else {
            open(&format!(
                "kind = \"{kind}\"\nbase_url = \"{}\"\n{fields}",
                r.base()
            ))
        };
        assert_eq!(ch.budget(), Budget::BodyBytes(budget), "{kind}");
        let m = Message::new(Tier::Yellow, "今日热搜 📈", long_chinese_body());
        let out = send(
            &client(),
            &ch,
            &m,
            &stepping_clock(NOW, Duration::from_secs(5)),
        )
        .await;
        assert!(out.iter().all(Outcome::is_delivered), "{kind}: {out:?}");
        let seen = r.seen();
        assert!(seen.len() > 1, "{kind}");
        let n = seen.len();
        for (i, s) in seen.iter().enumerate() {
            assert!(
                s.body.len() <= budget,
                "{kind} part {}: {} bytes",
                i + 1,
                s.body.len()
            );
            // The numbered title sits in the body as `(i/n)`.
            let text = String::from_utf8(s.body.clone()).unwrap();
            assert!(
                text.contains(&format!("({}/{n})", i + 1)),
                "{kind}: {text:.200}"
            );
        }
    }
}

#[tokio::test]
async fn a_title_longer_than_the_budget_is_a_clear_permanent_outcome() {
    let (r, ch) = wecom().await;
    let m = Message::new(Tier::Red, "标".repeat(2000), "正文");
    let out = send(&client(), &ch, &m, &fixed_clock(NOW)).await;
    let reason = permanent(&out[0]);
    assert!(reason.contains("4096"), "{reason}");
    assert!(r.seen().is_empty());
}
