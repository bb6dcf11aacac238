//! Parsers of the four hot-list endpoints on fixtures (see tests/fixtures/sources/NOTES.md),
//! plus the hostile inputs every parser must turn into a clear `SourceError`.

use crate::rows::{assert_clean, find, titles};
use chrono::{DateTime, FixedOffset};
use resou::domain::{Label, Snapshot};
use resou::sources::{SourceError, tieba, weibo};

type Parser = fn(&str, DateTime<FixedOffset>) -> Result<Snapshot, SourceError>;

fn fixture(name: &str) -> String {
    crate::rows::fixture_in("sources", name)
}

fn at() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-08-15T12:00:00+08:00").unwrap()
}

const ESC_TITLE_CLEAN: &str = "还能活51年却只有21天自由支配的时间";

// ---------- A1 weibo.com/ajax/side/hotSearch ----------

#[test]
fn a1_rows_labels_ads_pinned() {
    let s = weibo::parse_hot_search(&fixture("a1_hotsearch.json"), at()).unwrap();
    assert_eq!(s.captured_at, at());
    assert_eq!(titles(&s.pinned), ["共绘美丽中国新画卷"]);
    assert_eq!(s.pinned[0].rank, None);
    assert!(s.pinned[0].pinned);
    assert_eq!(
        titles(&s.ranked),
        [
            "旺旺 配料表",
            "日本 拜鬼",
            "中国China成为潮流",
            "胖东来首批刑释职工30人无一离职",
            "终于知道为什么戴眼镜是斜的了",
            "国乒男单全军覆没",
            "王嘉尔吃自己的瓜",
            "牛来🐮",
            ESC_TITLE_CLEAN,
        ],
        "ads (is_ad, 荐) and the repeated title are dropped, HTML and escapes removed"
    );
    let ranks: Vec<_> = s.ranked.iter().map(|t| t.rank).collect();
    assert_eq!(ranks, (1..=9).map(Some).collect::<Vec<_>>());

    let w = find(&s, "旺旺 配料表");
    assert_eq!(w.heat, Some(1_565_465), "int heat");
    assert_eq!(w.label, Label::New);
    assert_eq!(w.query.as_ref().unwrap().as_str(), "旺旺 配料表");
    assert_eq!(
        w.url.as_deref(),
        Some("https://s.weibo.com/weibo?q=%E6%97%BA%E6%97%BA%20%E9%85%8D%E6%96%99%E8%A1%A8")
    );
    assert_eq!(w.category.as_ref().unwrap().as_str(), "社会");
    assert_eq!(w.onboard.unwrap().to_rfc3339(), "2026-08-15T11:20:00+08:00");
    assert_eq!(w.platform_id.as_deref(), Some("5200112233445566"));

    assert_eq!(find(&s, "日本 拜鬼").heat, Some(1_441_128), "string heat");
    assert_eq!(find(&s, "日本 拜鬼").label, Label::Hot);
    let c = find(&s, "中国China成为潮流");
    assert_eq!(c.heat, Some(1_403_000), "万 heat");
    assert_eq!(c.label, Label::None);
    assert_eq!(c.query.as_ref().unwrap().as_str(), "#中国China成为潮流#");
    assert_eq!(
        find(&s, "胖东来首批刑释职工30人无一离职").label,
        Label::Hot,
        "label from the is_hot flag alone"
    );
    assert_eq!(
        find(&s, "终于知道为什么戴眼镜是斜的了").label,
        Label::Boiling
    );
    assert_eq!(find(&s, "国乒男单全军覆没").label, Label::Explosive);
    assert_clean(&s);
}

#[test]
fn a1_wrong_types_are_tolerated_or_reported() {
    let mut v: serde_json::Value = serde_json::from_str(&fixture("a1_hotsearch.json")).unwrap();
    v["data"]["realtime"][0]["num"] = serde_json::json!({"v": 1});
    v["data"]["realtime"][1]["realpos"] = serde_json::json!("2");
    v["data"]["realtime"][2] = serde_json::json!("not an object");
    let s = weibo::parse_hot_search(&v.to_string(), at()).unwrap();
    assert_eq!(
        find(&s, "旺旺 配料表").heat,
        None,
        "num as object → no heat"
    );
    assert_eq!(s.ranked[1].title.as_str(), "日本 拜鬼");
    assert!(!titles(&s.ranked).contains(&"中国China成为潮流"));

    v["data"]["realtime"] = serde_json::json!("x");
    assert!(matches!(
        weibo::parse_hot_search(&v.to_string(), at()),
        Err(SourceError::Decode(_))
    ));
}

#[test]
fn a1_only_ads_is_empty() {
    let body = r#"{"ok":1,"data":{"realtime":[{"word":"广告","is_ad":1,"num":0},{"word":"推广","icon_desc":"荐"}]}}"#;
    assert_eq!(weibo::parse_hot_search(body, at()), Err(SourceError::Empty));
}

// ---------- A4 s.weibo.com/top/summary ----------

#[test]
fn a4_table() {
    let s = weibo::parse_summary_html(&fixture("a4_summary.html"), at()).unwrap();
    assert_eq!(titles(&s.pinned), ["共绘美丽中国新画卷"]);
    let p = &s.pinned[0];
    assert_eq!(p.label, Label::Hot);
    assert_eq!(p.heat, None);
    assert_eq!(
        p.url.as_deref(),
        Some(
            "https://s.weibo.com/weibo?q=%23%E5%85%B1%E7%BB%98%E7%BE%8E%E4%B8%BD%E4%B8%AD%E5%9B%BD%E6%96%B0%E7%94%BB%E5%8D%B7%23&Refer=new_time"
        ),
        "the archived URL of the pinned row"
    );
    assert_eq!(p.query.as_ref().unwrap().as_str(), "#共绘美丽中国新画卷#");
    assert_eq!(
        titles(&s.ranked),
        [
            "旺旺 配料表",
            "日本 拜鬼",
            "中国China成为潮流",
            "胖东来首批刑释职工30人无一离职",
            "终于知道为什么戴眼镜是斜的了",
            "披哥初舞台pk",
            "牛来🐮",
            ESC_TITLE_CLEAN,
        ],
        "topic_ad=1 and 荐 rows dropped, repeat dropped"
    );
    let w = &s.ranked[0];
    assert_eq!(w.rank, Some(1));
    assert_eq!(w.heat, Some(1_565_465));
    assert_eq!(w.label, Label::New);
    assert_eq!(
        w.query.as_ref().unwrap().as_str(),
        "旺旺 配料表",
        "q= percent-decoded"
    );
    assert_eq!(
        w.url.as_deref(),
        Some(
            "https://s.weibo.com/weibo?q=%E6%97%BA%E6%97%BA%20%E9%85%8D%E6%96%99%E8%A1%A8&t=31&band_rank=1&Refer=top"
        ),
        "the archived URL, &amp; decoded"
    );
    assert_eq!(find(&s, "中国China成为潮流").label, Label::None);
    assert_eq!(
        find(&s, "胖东来首批刑释职工30人无一离职").label,
        Label::Boiling
    );
    assert_eq!(
        find(&s, "终于知道为什么戴眼镜是斜的了").label,
        Label::Explosive
    );
    let v = find(&s, "披哥初舞台pk");
    assert_eq!(v.heat, Some(850_468));
    assert_eq!(v.category.as_ref().unwrap().as_str(), "综艺");
    let n = find(&s, "牛来🐮");
    assert_eq!(n.heat, Some(12_000));
    assert_eq!(n.query.as_ref().unwrap().as_str(), "牛来");
    assert_clean(&s);
}

#[test]
fn a4_bad_pages() {
    let login = r#"<html><head><title>Sina Visitor System</title></head><body>
        <script src="https://passport.weibo.com/js/visitor/mini_original.js"></script></body></html>"#;
    assert!(matches!(
        weibo::parse_summary_html(login, at()),
        Err(SourceError::LoginRequired { .. })
    ));
    assert_eq!(
        weibo::parse_summary_html("<html><body><p>维护中</p></body></html>", at()),
        Err(SourceError::WrongBody("HTML page".into()))
    );
    assert!(matches!(
        weibo::parse_summary_html(r#"{"ok":1}"#, at()),
        Err(SourceError::WrongBody(_))
    ));
    let empty = r#"<div id="pl_top_realtimehot"><table><tbody></tbody></table></div>"#;
    assert_eq!(
        weibo::parse_summary_html(empty, at()),
        Err(SourceError::Empty)
    );
    // A page cut mid-table is refused (half a list would pass for the list and make the rest
    // look as if it left); the fallback chain then tries the next endpoint. Never a panic.
    let full = fixture("a4_summary.html");
    let cut = &full[..full.find("日本 拜鬼</a>").unwrap()];
    assert!(matches!(
        weibo::parse_summary_html(cut, at()),
        Err(SourceError::Decode(m)) if m.contains("truncated page")
    ));
}

// ---------- A3 m.weibo.cn ----------

#[test]
fn a3_verbatim_excerpt() {
    let s = weibo::parse_mobile(&fixture("a3_mobile_envelope.json"), at()).unwrap();
    assert_eq!(titles(&s.pinned), ["网友全英文解读中国抗疫"]);
    assert_eq!(
        titles(&s.ranked),
        [
            "林奕含去世三周年",
            "被骂哭的导盲犬主人说几乎每天被赶",
            "被错换人生28年男子发声",
            "党妹被勒索"
        ]
    );
    let heats: Vec<_> = s.ranked.iter().map(|t| t.heat).collect();
    assert_eq!(
        heats,
        [
            Some(3_293_622),
            Some(2_130_867),
            Some(1_399_710),
            Some(1_326_883)
        ]
    );
    let labels: Vec<_> = s.ranked.iter().map(|t| t.label).collect();
    assert_eq!(labels, [Label::Hot, Label::New, Label::Hot, Label::None]);
    assert_eq!(
        s.ranked[0].query.as_ref().unwrap().as_str(),
        "#林奕含去世三周年#",
        "q from the scheme's containerid"
    );
    // The file in the fixtures is the `data` object alone: without the envelope it is refused.
    assert!(matches!(
        weibo::parse_mobile(&fixture("a3_data_excerpt_verbatim.json"), at()),
        Err(SourceError::Envelope { .. })
    ));
}

#[test]
fn a3_new_icons_ads_and_flags() {
    let s = weibo::parse_mobile(&fixture("a3_mobile_quirks.json"), at()).unwrap();
    assert_eq!(titles(&s.pinned), ["共绘美丽中国新画卷"]);
    assert_eq!(
        titles(&s.ranked),
        [
            "旺旺 配料表",
            "日本 拜鬼",
            "中国China成为潮流",
            "胖东来首批刑释职工30人无一离职",
            "终于知道为什么戴眼镜是斜的了"
        ],
        "orange-point, ads_word and promotion rows dropped"
    );
    let got: Vec<_> = s.ranked.iter().map(|t| (t.heat, t.label)).collect();
    assert_eq!(
        got,
        [
            (Some(1_565_465), Label::New),       // int heat, flags/1_0
            (Some(1_441_128), Label::Hot),       // string heat, flags/2_0
            (Some(1_403_000), Label::Explosive), // 万 heat, flags/4_0
            (Some(1_377_173), Label::New),       // prefixed heat, extparam flag=1
            (Some(1_102_408), Label::None),      // unknown flag 32768
        ]
    );
    assert_eq!(
        find(&s, "胖东来首批刑释职工30人无一离职")
            .category
            .as_ref()
            .unwrap()
            .as_str(),
        "综艺"
    );
}

// ---------- B1 Tieba topicList ----------

#[test]
fn b1_topics() {
    let s = tieba::parse_topic_list(&fixture("b1_topiclist.json"), at()).unwrap();
    assert!(s.pinned.is_empty());
    assert_eq!(
        titles(&s.ranked),
        [
            "IG王朝崩塌,不敌T1止步入围赛!",
            "神农架奴役残疾人,囚禁11年当牲口",
            "催婚酿惨剧,小伙离家出走后坠亡",
            "洛天依娃娃惨遭性侵,宅男崩溃报警",
            "腾讯反作弊,反的是绿玩？",
            "中业岛硬闯,水炮教你守规矩",
            "战犯狂欢,Shy哥小Wei脸都不要了",
            "死里逃生,国乒男团逆转劲敌日本队",
            "贴吧测试话题🎮",
        ],
        "TrendRadar order kept, repeat dropped, OSC/bidi removed"
    );
    let first = &s.ranked[0];
    assert_eq!(first.heat, Some(2_800_830));
    assert_eq!(first.label, Label::Hot);
    assert_eq!(first.platform_id.as_deref(), Some("28345790"));
    assert_eq!(
        first.url.as_deref(),
        Some(
            "https://tieba.baidu.com/hottopic/browse/hottopic?topic_id=28345790&topic_name=IG%E7%8E%8B%E6%9C%9D%E5%B4%A9%E5%A1%8C%2C%E4%B8%8D%E6%95%8CT1%E6%AD%A2%E6%AD%A5%E5%85%A5%E5%9B%B4%E8%B5%9B%21"
        ),
        "&amp; unescaped"
    );
    assert_eq!(
        first.onboard.unwrap().to_rfc3339(),
        "2025-10-15T08:01:37+08:00"
    );
    assert_eq!(s.ranked[1].heat, Some(1_865_302), "string discuss_num");
    assert_eq!(s.ranked[1].label, Label::New);
    assert_eq!(s.ranked[2].heat, Some(126_000), "万 discuss_num");
    assert_eq!(s.ranked[2].label, Label::None);

    let hostile = s.ranked.last().unwrap();
    assert_eq!(hostile.rank, Some(9));
    assert_eq!(hostile.heat, None, "discuss_num as object");
    assert_eq!(hostile.label, Label::Hot, "tag as string");
    assert_eq!(
        hostile.onboard.unwrap().to_rfc3339(),
        "2025-10-15T08:00:00+08:00"
    );
    let url = hostile.url.as_deref().unwrap();
    assert!(
        url.starts_with("https://tieba.baidu.com/hottopic/browse/hottopic?topic_id=28345999&"),
        "javascript: URL replaced by one built from the id: {url}"
    );
    assert_clean(&s);
}

// ---------- failures shared by the JSON parsers ----------

const LOGIN_PAGE: &str = r#"<!DOCTYPE html><html><head><title>Sina Visitor System</title></head>
<body><script>location.replace("https://passport.weibo.com/visitor/visitor?entry=miniblog")</script></body></html>"#;
const TIEBA_CHECK: &str = r#"<!DOCTYPE html><html><head><title>百度安全验证</title></head><body>网络不给力</body></html>"#;

fn json_failures(parse: Parser, fixture_name: &str, empty: &str, login_page: &str) {
    assert!(
        matches!(
            parse(login_page, at()),
            Err(SourceError::LoginRequired { .. })
        ),
        "login wall with 200"
    );
    assert_eq!(
        parse("<html><body>502 Bad Gateway</body></html>", at()),
        Err(SourceError::WrongBody("HTML page".into()))
    );
    let full = fixture(fixture_name);
    assert_eq!(
        parse(&full[..full.len() / 2], at()),
        Err(SourceError::Decode("truncated JSON".into()))
    );
    assert_eq!(parse(empty, at()), Err(SourceError::Empty));
    assert_eq!(
        parse(
            r#"{"url":"https://security.weibo.com/captcha/geetest"}"#,
            at()
        ),
        Err(SourceError::Captcha)
    );
    assert!(matches!(parse("", at()), Err(SourceError::WrongBody(_))));
    assert!(matches!(
        parse("blocked", at()),
        Err(SourceError::WrongBody(_))
    ));
    assert!(matches!(
        parse("[1,2]", at()),
        Err(SourceError::WrongBody(_))
    ));
}

#[test]
fn a1_failures() {
    json_failures(
        weibo::parse_hot_search,
        "a1_hotsearch.json",
        r#"{"ok":1,"data":{"realtime":[]}}"#,
        LOGIN_PAGE,
    );
    weibo_envelopes(weibo::parse_hot_search);
}

#[test]
fn a3_failures() {
    json_failures(
        weibo::parse_mobile,
        "a3_mobile_quirks.json",
        r#"{"ok":1,"data":{"cards":[{"card_group":[]}]}}"#,
        LOGIN_PAGE,
    );
    weibo_envelopes(weibo::parse_mobile);
    assert!(matches!(
        weibo::parse_mobile(r#"{"ok":1,"data":{"cards":"x"}}"#, at()),
        Err(SourceError::Decode(_))
    ));
}

fn weibo_envelopes(parse: Parser) {
    assert!(
        matches!(
            parse(r#"{"ok":-100,"url":"https://passport.weibo.cn/signin/welcome","data":{"x":1}}"#, at()),
            Err(SourceError::LoginRequired { hint }) if hint.contains("expired")
        ),
        "ok:-100 is an expired cookie"
    );
    assert_eq!(
        parse(
            r#"{"ok":0,"msg":"这里还没有内容","data":{"cards":[]}}"#,
            at()
        ),
        Err(SourceError::Envelope {
            code: 0,
            msg: "这里还没有内容".into()
        })
    );
}

#[test]
fn b1_failures() {
    json_failures(
        tieba::parse_topic_list,
        "b1_topiclist.json",
        r#"{"errno":0,"data":{"bang_topic":{"topic_list":[]}}}"#,
        TIEBA_CHECK,
    );
    assert_eq!(
        tieba::parse_topic_list(r#"{"errno":110003,"errmsg":"请求过于频繁"}"#, at()),
        Err(SourceError::Envelope {
            code: 110_003,
            msg: "请求过于频繁".into()
        })
    );
    assert!(matches!(
        tieba::parse_topic_list(
            r#"{"errno":0,"data":{"bang_topic":{"topic_list":"x"}}}"#,
            at()
        ),
        Err(SourceError::Decode(_))
    ));
    assert!(matches!(
        tieba::parse_topic_list(r#"{"errno":0,"data":{}}"#, at()),
        Err(SourceError::Decode(_))
    ));
}
