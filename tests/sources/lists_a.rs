//! Baidu, Toutiao, Kuaishou and the four newsnow news lists (issue 18): each parser on fixture
//! bodies (tests/fixtures/{baidu,toutiao,kuaishou,newsnow}/NOTES.md) with the hostile inputs,
//! then each list end to end — the real HTTP client, chain and parser against the loopback
//! replay server serving the 2025-10-15 archive.

use crate::rows::{assert_clean, find, fixture_in as fixture, titles};
use crate::support;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use resou::domain::snapshot_file::{SnapshotItem, SnapshotLine};
use resou::domain::{Label, Platform, Snapshot};
use resou::replay::{ClockMode, Fault, ReplayConfig, ReplayServer, Route};
use resou::sources::chain::{Chain, endpoint_profile, endpoint_url};
use resou::sources::{
    Endpoint, PollOutcome, SourceError, StepAttempt, baidu, kuaishou, newsnow, toutiao,
};

fn at() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-10-15T00:05:00+08:00").unwrap()
}

/// Ranks are dense from 1 and pinned rows carry none.
fn assert_ranks(s: &Snapshot) {
    let ranks: Vec<_> = s.ranked.iter().map(|t| t.rank).collect();
    let want: Vec<_> = (1..=s.ranked.len() as u32).map(Some).collect();
    assert_eq!(ranks, want);
    assert!(s.pinned.iter().all(|t| t.pinned && t.rank.is_none()));
}

fn kind(r: &Result<Snapshot, SourceError>) -> String {
    match r {
        Ok(s) => format!("Ok({} rows)", s.ranked.len()),
        Err(e) => format!("{:?}", std::mem::discriminant(e)),
    }
}

fn same_kind(r: &Result<Snapshot, SourceError>, want: &SourceError) -> bool {
    matches!(r, Err(e) if std::mem::discriminant(e) == std::mem::discriminant(want))
}

/// The failures every body-reading parser must name: `(what, body, expected kind)`.
fn assert_failures(
    parse: &dyn Fn(&str) -> Result<Snapshot, SourceError>,
    cases: &[(&str, String, SourceError)],
) {
    for (what, body, want) in cases {
        let r = parse(body);
        assert!(same_kind(&r, want), "{what}: {} ≠ {want:?}", kind(&r));
    }
}

fn login() -> SourceError {
    SourceError::LoginRequired {
        hint: String::new(),
    }
}
fn wrong() -> SourceError {
    SourceError::WrongBody(String::new())
}
fn decode() -> SourceError {
    SourceError::Decode(String::new())
}
fn envelope() -> SourceError {
    SourceError::Envelope {
        code: 0,
        msg: String::new(),
    }
}

/// Baidu's security-check page, as a 200 where the list was expected.
const BAIDU_WALL: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>百度安全验证</title></head>
<body><div class="timeout-title">网络不给力，请稍后重试</div><a href="https://wappass.baidu.com/static/captcha/tuxing.html">返回首页</a></body></html>"#;
const SOME_PAGE: &str =
    "<!DOCTYPE html><html><head><title>首页</title></head><body><div id=app></div></body></html>";

/// The first half of `body`, cut on a char boundary.
fn half(body: &str) -> String {
    let mut n = body.len() / 2;
    while !body.is_char_boundary(n) {
        n -= 1;
    }
    body[..n].to_string()
}

// ---------- Baidu BD2′ api/board?platform=pc (verbatim 2026-06 payload) ----------

#[test]
fn bd2_pc_verbatim_payload() {
    let body = fixture("baidu", "api_board_pc_realtime_verbatim.json");
    let s = baidu::parse(Endpoint::BaiduApiPc, &body, at()).unwrap();
    assert_eq!(s.platform, Platform::Baidu);
    assert_eq!(s.captured_at, at());
    assert_eq!(s.ranked.len(), 50, "all 50 content rows are ranked");
    assert_ranks(&s);
    assert_eq!(
        titles(&s.pinned),
        ["100秒看大国外交的繁忙五月"],
        "topContent is the pinned row, kept apart"
    );
    assert_eq!(s.pinned[0].heat, Some(7_904_106));
    assert_eq!(
        titles(&s.ranked[..3]),
        [
            "今晚油价将调整",
            "“10万亿元级”大市场或要来了",
            "这些硬核“第一”太亮眼"
        ]
    );
    let first = &s.ranked[0];
    assert_eq!(first.heat, Some(7_808_391), "hotScore string → integer");
    assert_eq!(first.label, Label::New, "hotTag \"1\"");
    assert_eq!(s.ranked[1].label, Label::Hot, "hotTag \"3\"");
    assert_eq!(s.ranked[2].label, Label::None, "hotTag \"0\"");
    assert_eq!(
        first.url.as_deref(),
        Some(
            "https://www.baidu.com/s?wd=%E4%BB%8A%E6%99%9A%E6%B2%B9%E4%BB%B7%E5%B0%86%E8%B0%83%E6%95%B4"
        ),
        "rawUrl, without the tracking parameters of url/appUrl"
    );
    assert_eq!(
        first.query.as_ref().map(|q| q.as_str()),
        Some("今晚油价将调整")
    );
    assert_eq!(first.platform_id, None, "Baidu rows have no id");
    assert!(s.ranked.iter().all(|t| t.heat.is_some()));
    let heats: Vec<u64> = s.ranked.iter().filter_map(|t| t.heat).collect();
    assert!(heats.windows(2).all(|w| w[0] >= w[1]), "{heats:?}");
    let count = |l: Label| s.ranked.iter().filter(|t| t.label == l).count();
    assert_eq!(
        (count(Label::New), count(Label::Hot)),
        (10, 6),
        "ten hotTag \"1\" and six \"3\" rows in the payload"
    );
}

// ---------- Baidu BD1 board page ----------

#[test]
fn bd1_page_with_escaped_dashes_pinned_row_and_hostile_title() {
    let body = fixture("baidu", "board_realtime.html");
    assert!(body.contains(r"3\-2"), "the fixture carries `\\-` escapes");
    let s = baidu::parse(Endpoint::BaiduBoardHtml, &body, at()).unwrap();
    assert_eq!(
        titles(&s.pinned),
        ["100秒看大国外交的繁忙五月"],
        "the isTop row is pinned, not ranked"
    );
    assert_eq!(
        titles(&s.ranked),
        [
            "今年下半年来最强冷空气来袭",
            "金价这么高 到底谁在买",
            "不张扬 自闪耀 她们自成星辰",
            "中方回应多国高官访华",
            "两地出1000万大奖 中奖者为同一人",
            "净网：网警带你看“网恋女友”杀熟局",
            "大量iPhone17新机无法激活 苹果回应",
            "男子变现2公斤金条净赚100万",
            "让二追三！国乒男团3-2日本晋级决赛",
        ],
        "archive order; ESC[2J and U+202E removed; `\\-` read as `-`"
    );
    assert_ranks(&s);
    assert_clean(&s);
    let cold = find(&s, "今年下半年来最强冷空气来袭");
    assert_eq!(cold.heat, Some(7_808_123));
    assert_eq!(cold.label, Label::Hot, "hotTag 3");
    assert_eq!(
        find(&s, "金价这么高 到底谁在买").label,
        Label::New,
        "hotTag 1"
    );
    assert_eq!(
        find(&s, "两地出1000万大奖 中奖者为同一人").label,
        Label::None,
        "unknown hotTag 2"
    );
    assert_eq!(
        find(&s, "金价这么高 到底谁在买")
            .query
            .as_ref()
            .map(|q| q.as_str()),
        Some("金价这么高 到底谁在买")
    );
    let dash = find(&s, "让二追三！国乒男团3-2日本晋级决赛");
    assert!(
        dash.url.as_deref().is_some_and(|u| u.contains("%A23-2%E6")),
        "{:?}",
        dash.url
    );
    let relative = find(&s, "大量iPhone17新机无法激活 苹果回应");
    assert!(
        relative
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://www.baidu.com/s?wd=")),
        "a relative url without rawUrl is made absolute: {:?}",
        relative.url
    );
}

/// A BD1 page around `s_data`.
fn page(s_data: &str) -> String {
    format!(
        "<!DOCTYPE html><html><body><div id=\"sanRoot\"><!--s-data:{s_data}--></div></body></html>"
    )
}

#[test]
fn bd1_accepts_the_three_envelopes() {
    let rows = r#"[{"word":"今年下半年来最强冷空气来袭","hotScore":"7904434","index":0},{"word":"金价这么高 到底谁在买","hotScore":"7808123","index":1}]"#;
    for s_data in [
        format!(
            r#"{{"data":{{"cards":[{{"component":"hotList","content":{rows}}}],"curBoardName":"热搜榜"}}}}"#
        ),
        format!(r#"{{"cards":[{{"component":"hotList","content":{rows}}}]}}"#),
        format!(
            r#"{{"data":{{"cards":[{{"component":"hotList","content":[{{"content":{rows}}}]}}]}}}}"#
        ),
    ] {
        let s = baidu::parse(Endpoint::BaiduBoardHtml, &page(&s_data), at())
            .unwrap_or_else(|e| panic!("{s_data}: {e}"));
        assert_eq!(
            titles(&s.ranked),
            ["今年下半年来最强冷空气来袭", "金价这么高 到底谁在买"],
            "{s_data}"
        );
        assert_eq!(s.ranked[1].heat, Some(7_808_123));
    }
}

#[test]
fn bd1_parse_failure_names_the_byte_offset() {
    // A `\-` before the fault shifts the unescaped text by one byte: the offset is the page's.
    let body = page(r#"{"data":{"cards":[{"content":[{"word":"3\-2","hotScore":"1" "x"}]}]}}"#);
    let Err(SourceError::Decode(msg)) = baidu::parse(Endpoint::BaiduBoardHtml, &body, at()) else {
        panic!("not a decode error")
    };
    let n: usize = msg
        .rsplit("byte ")
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no byte offset in {msg:?}"));
    assert_eq!(
        n,
        body.find(r#""x""#).unwrap(),
        "{msg}: the offset points at the token that broke the JSON"
    );
}

#[test]
fn bd1_failures() {
    let good = fixture("baidu", "board_realtime.html");
    let parse = |b: &str| baidu::parse(Endpoint::BaiduBoardHtml, b, at());
    assert_failures(
        &parse,
        &[
            ("page without s-data", SOME_PAGE.into(), wrong()),
            ("security check", BAIDU_WALL.into(), login()),
            (
                "JSON instead of the page",
                r#"{"success":true}"#.into(),
                wrong(),
            ),
            ("truncated page", half(&good), decode()),
            ("s-data not JSON", page("{data:1}"), decode()),
            (
                "s-data truncated inside",
                page(r#"{"data":{"cards":["#),
                decode(),
            ),
            (
                "cards of the wrong type",
                page(r#"{"data":{"cards":"热搜"}}"#),
                decode(),
            ),
            (
                "content of the wrong type",
                page(r#"{"data":{"cards":[{"content":{"word":"x"}}]}}"#),
                decode(),
            ),
            (
                "zero rows",
                page(r#"{"data":{"cards":[{"content":[]}]}}"#),
                SourceError::Empty,
            ),
            (
                "only a pinned row",
                page(r#"{"data":{"cards":[{"content":[{"word":"x","isTop":true}]}]}}"#),
                SourceError::Empty,
            ),
        ],
    );
}

// ---------- Baidu BD2 api/board?platform=wise (2026 shape) ----------

#[test]
fn bd2_wise_rows_one_level_deeper_without_heat() {
    let s = baidu::parse(
        Endpoint::BaiduApiWise,
        &fixture("baidu", "api_board_wise_realtime.json"),
        at(),
    )
    .unwrap();
    assert_eq!(titles(&s.pinned), ["100秒看大国外交的繁忙五月"]);
    assert_eq!(
        s.ranked.len(),
        8,
        "the banner card before the list is skipped"
    );
    assert_eq!(s.ranked[0].title.as_str(), "今年下半年来最强冷空气来袭");
    assert_ranks(&s);
    assert!(
        s.ranked.iter().all(|t| t.heat.is_none()),
        "BD2 lost hotScore"
    );
    let labels: Vec<Label> = s.ranked.iter().take(5).map(|t| t.label).collect();
    assert_eq!(
        labels,
        [
            Label::Hot,
            Label::New,
            Label::None,
            Label::None,
            Label::Boiling
        ],
        "newHotName, flat or inside newHotTag"
    );
    assert!(
        s.ranked[0]
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://m.baidu.com/s?word=")),
        "url, as BD2 has no rawUrl"
    );
}

#[test]
fn bd2_failures() {
    let good = fixture("baidu", "api_board_wise_realtime.json");
    for e in [Endpoint::BaiduApiPc, Endpoint::BaiduApiWise] {
        let parse = |b: &str| baidu::parse(e, b, at());
        assert_failures(
            &parse,
            &[
                ("HTML instead of JSON", SOME_PAGE.into(), wrong()),
                ("security check", BAIDU_WALL.into(), login()),
                ("truncated", half(&good), decode()),
                (
                    "success false",
                    r#"{"success":false,"data":{},"error":{"code":10001,"message":"参数错误"}}"#
                        .into(),
                    envelope(),
                ),
                (
                    "no success flag",
                    r#"{"data":{"cards":[]}}"#.into(),
                    envelope(),
                ),
                (
                    "success as a string",
                    r#"{"success":"true","data":{"cards":[]}}"#.into(),
                    envelope(),
                ),
                (
                    "cards of the wrong type",
                    r#"{"success":true,"data":{"cards":{}}}"#.into(),
                    decode(),
                ),
                ("no cards", r#"{"success":true,"data":{}}"#.into(), decode()),
                (
                    "zero rows",
                    r#"{"success":true,"data":{"cards":[{"content":[{"content":[]}]}]}}"#.into(),
                    SourceError::Empty,
                ),
            ],
        );
    }
    let r = baidu::parse(
        Endpoint::BaiduApiPc,
        r#"{"success":false,"error":{"code":10001,"message":"参数错误"}}"#,
        at(),
    );
    assert_eq!(
        r,
        Err(SourceError::Envelope {
            code: 10001,
            msg: "参数错误".into()
        })
    );
}

// ---------- Toutiao TT1 ----------

#[test]
fn tt1_rows_ids_heat_labels_and_headline() {
    let s = toutiao::parse(&fixture("toutiao", "hot_board.json"), at()).unwrap();
    assert_eq!(
        titles(&s.ranked),
        [
            "下半年来最强冷空气即将抵达",
            "男子回国手机遭保护性关停8天未恢复",
            "消费新场景激发经济强劲动能",
            "小伙回应与农村老人拍低成本三国",
            "京东11月9日发布新车",
            "微信好友互删后互动清除",
            "《沉默的荣耀》“麻将太太团”出圈",
            "吴石后人参观故居 愿台湾早日回归",
            "日本男足历史首胜巴西",
        ]
    );
    assert_ranks(&s);
    assert_clean(&s);
    assert_eq!(
        titles(&s.pinned),
        ["如果欧美坚决不给中国飞机适航证咋办"],
        "fixed_top_data is the pinned headline"
    );
    assert_eq!(
        s.pinned[0].platform_id.as_deref(),
        Some("7560742262495150107")
    );

    let first = &s.ranked[0];
    assert_eq!(first.platform_id.as_deref(), Some("7560286464370950183"));
    assert_eq!(
        first.url.as_deref(),
        Some("https://www.toutiao.com/trending/7560286464370950183/")
    );
    assert_eq!(first.heat, Some(25_318_861), "HotValue string → integer");
    assert_eq!(first.label, Label::Hot, "热门事件");
    assert_eq!(s.ranked[1].label, Label::New, "新事件上榜");
    assert_eq!(s.ranked[3].label, Label::None, "辟谣 has no board label");
    assert_eq!(
        s.ranked[2].platform_id.as_deref(),
        Some("7560965537674035246"),
        "a 19-digit ClusterId number without ClusterIdStr survives exactly"
    );
    assert_eq!(s.ranked[5].heat, Some(15_012_345), "HotValue as a number");
    let float = find(&s, "日本男足历史首胜巴西");
    assert_eq!(
        float.platform_id, None,
        "a ClusterId written as a float is no id (it lost digits)"
    );
    assert!(
        float
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://www.toutiao.com/trending/7561056045247024686/")),
        "its own Url is kept: {:?}",
        float.url
    );
}

#[test]
fn tt1_failures() {
    let good = fixture("toutiao", "hot_board.json");
    assert_failures(
        &|b: &str| toutiao::parse(b, at()),
        &[
            ("HTML instead of JSON", SOME_PAGE.into(), wrong()),
            ("login wall", BAIDU_WALL.into(), login()),
            ("truncated", half(&good), decode()),
            (
                "status error",
                r#"{"status":"error","data":[]}"#.into(),
                envelope(),
            ),
            (
                "no status",
                r#"{"data":[{"Title":"x"}]}"#.into(),
                envelope(),
            ),
            (
                "data of the wrong type",
                r#"{"status":"success","data":{"Title":"x"}}"#.into(),
                decode(),
            ),
            ("no data", r#"{"status":"success"}"#.into(), decode()),
            (
                "zero items",
                r#"{"status":"success","data":[],"fixed_top_data":[{"Title":"x"}]}"#.into(),
                SourceError::Empty,
            ),
            (
                "rows of the wrong type",
                r#"{"status":"success","data":[1,"x",null]}"#.into(),
                SourceError::Empty,
            ),
            (
                "verification JSON",
                r#"{"url":"https://verify.snssdk.com/captcha"}"#.into(),
                SourceError::Captcha,
            ),
        ],
    );
}

// ---------- Kuaishou KS1 ----------

const KS_TITLES: [&str; 9] = [
    "美一P8A过航台海解放军全程跟监",
    "男子KTV厕所殴打女子已被刑拘",
    "数读我国电商经济成绩单",
    "王毅与印尼外长会晤",
    "女子游泳馆偷拍他人洗澡发给丈夫",
    "AG被TTG零封掉入败者组",
    "网红卖淫秽视频被抓时问会判刑吗",
    "13岁男孩被民警掌掴致伤不敢出门",
    "塞尔维亚90比87险胜法国",
];

#[test]
fn ks1_apollo_state_rows_heat_and_pinned() {
    let body = fixture("kuaishou", "home.html");
    let s = kuaishou::parse(&body, at()).unwrap();
    assert_eq!(titles(&s.ranked), KS_TITLES, "refs followed, in order");
    assert_ranks(&s);
    assert_clean(&s);
    assert_eq!(titles(&s.pinned), ["绘就健康中国新图景"], "tagType 置顶");
    assert_eq!(s.pinned[0].heat, Some(10_293_000), "1029.3万");
    let heats: Vec<Option<u64>> = s.ranked.iter().map(|t| t.heat).collect();
    assert_eq!(
        heats,
        [
            Some(8_126_000),
            Some(6_551_000),
            Some(120_000_000),
            None,
            Some(3_500),
            Some(480_000),
            Some(217_000),
            Some(9_999),
            Some(123_456)
        ],
        "万, 亿, 千, absent, plain and numeric hotValue"
    );
    let first = &s.ranked[0];
    assert_eq!(first.platform_id.as_deref(), Some("3xey9nmqeusn4bu"));
    assert_eq!(
        first.url.as_deref(),
        Some("https://www.kuaishou.com/short-video/3xey9nmqeusn4bu")
    );
    let odd = find(&s, "网红卖淫秽视频被抓时问会判刑吗");
    assert!(
        odd.url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://www.kuaishou.com/search/video?searchKey=")),
        "a photo id unfit for a path is not put in one: {:?}",
        odd.url
    );
    assert_eq!(
        odd.platform_id.as_deref(),
        Some("网红卖淫秽视频被抓时问会判刑吗"),
        "the row's own id instead"
    );
}

#[test]
fn ks1_key_forms_and_state_endings() {
    let body = fixture("kuaishou", "home.html");
    let new_key = r#"visionHotRank({\"page\":\"home\",\"platform\":\"web\"})"#;
    assert!(body.contains(new_key), "the fixture has the 2025-12 key");
    let old_key = body.replace(new_key, r#"visionHotRank({\"page\":\"home\"})"#);
    let no_root_query = body.replace(r#""ROOT_QUERY":"#, r#""OTHER_QUERY":"#);
    let junk = body.replace(";(function(", "undefined;(function(");
    let script_end = body.replace(";(function(", "</script><script>(function(");
    for (what, b) in [
        ("old key", old_key),
        ("no ROOT_QUERY reference", no_root_query),
        ("trailing junk", junk),
        ("state ends at </script>", script_end),
    ] {
        let s = kuaishou::parse(&b, at()).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(titles(&s.ranked), KS_TITLES, "{what}");
        assert_eq!(s.pinned.len(), 1, "{what}");
    }
}

#[test]
fn ks1_failures() {
    let good = fixture("kuaishou", "home.html");
    let state = |s: &str| {
        format!("<html><script>window.__APOLLO_STATE__={s};(function(){{}}());</script></html>")
    };
    assert_failures(
        &|b: &str| kuaishou::parse(b, at()),
        &[
            ("page without the state", SOME_PAGE.into(), wrong()),
            ("login wall", BAIDU_WALL.into(), login()),
            (
                "JSON instead of the page",
                r#"{"defaultClient":{}}"#.into(),
                wrong(),
            ),
            ("truncated page", half(&good), decode()),
            ("state not JSON", state("{defaultClient:1}"), decode()),
            ("no defaultClient", state(r#"{"x":{}}"#), decode()),
            (
                "no visionHotRank",
                state(r#"{"defaultClient":{"ROOT_QUERY":{}}}"#),
                decode(),
            ),
            (
                "items of the wrong type",
                state(r#"{"defaultClient":{"$ROOT_QUERY.visionHotRank({})":{"items":"x"}}}"#),
                decode(),
            ),
            (
                "zero items",
                state(r#"{"defaultClient":{"$ROOT_QUERY.visionHotRank({})":{"items":[]}}}"#),
                SourceError::Empty,
            ),
            (
                "dangling refs",
                state(
                    r#"{"defaultClient":{"$ROOT_QUERY.visionHotRank({})":{"items":[{"type":"id","id":"VisionHotRankItem:x"}]}}}"#,
                ),
                SourceError::Empty,
            ),
        ],
    );
}

// ---------- newsnow /api/s ----------

#[test]
fn newsnow_lists() {
    let cases = [
        (
            Platform::ThePaper,
            "thepaper.json",
            "中方对美船舶收取特别港务费今起正式施行",
            "31771906",
        ),
        (
            Platform::Cls,
            "cls-hot.json",
            "李强主持召开经济形势专家和企业家座谈会，参会发言的8人都有谁？",
            "2169344",
        ),
        (
            Platform::Ifeng,
            "ifeng.json",
            "美对华造船等行业301调查限制措施落地，商务部回应",
            "8nRiUAS5uTy",
        ),
        (
            Platform::WallStreetCn,
            "wallstreetcn-hot.json",
            "美股三大股指低开，金银油下跌，数字货币重挫",
            "3757142",
        ),
    ];
    for (p, file, first, id) in cases {
        let body = fixture("newsnow", file);
        let s = newsnow::parse(p, &body, at()).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(s.platform, p);
        assert_eq!(s.ranked.len(), 6, "{file}");
        assert_ranks(&s);
        assert_clean(&s);
        assert!(s.pinned.is_empty());
        assert_eq!(s.ranked[0].title.as_str(), first, "{file}");
        assert_eq!(
            s.ranked[0].platform_id.as_deref(),
            Some(id),
            "{file}: string or number id"
        );
        assert!(
            s.ranked
                .iter()
                .all(|t| t.heat.is_none() && t.label == Label::None)
        );
        assert!(
            s.ranked
                .iter()
                .all(|t| t.url.as_deref().is_some_and(|u| u.starts_with("https://"))),
            "{file}"
        );
    }
    let ifeng = newsnow::parse(Platform::Ifeng, &fixture("newsnow", "ifeng.json"), at()).unwrap();
    assert_eq!(
        ifeng.ranked[1].platform_id.as_deref(),
        Some("8nS3jnwei3V"),
        "an article URL as id gives its last segment"
    );
    let wscn = newsnow::parse(
        Platform::WallStreetCn,
        &fixture("newsnow", "wallstreetcn-hot.json"),
        at(),
    )
    .unwrap();
    assert_eq!(
        wscn.ranked[3].title.as_str(),
        "玉渊谭天：今天商务部连发多条消息，一句表述引关注",
        "escape and bidi removed"
    );
}

#[test]
fn newsnow_failures() {
    let good = fixture("newsnow", "thepaper.json");
    assert_failures(
        &|b: &str| newsnow::parse(Platform::ThePaper, b, at()),
        &[
            ("HTML instead of JSON", SOME_PAGE.into(), wrong()),
            ("truncated", half(&good), decode()),
            ("another list", fixture("newsnow", "cls-hot.json"), wrong()),
            (
                "no id",
                r#"{"status":"success","items":[{"id":1,"title":"x","url":"https://x.cn/"}]}"#
                    .into(),
                wrong(),
            ),
            (
                "status error",
                r#"{"status":"error","id":"thepaper","items":[]}"#.into(),
                envelope(),
            ),
            (
                "no status",
                r#"{"id":"thepaper","items":[{"title":"x"}]}"#.into(),
                envelope(),
            ),
            (
                "items of the wrong type",
                r#"{"status":"success","id":"thepaper","items":{}}"#.into(),
                decode(),
            ),
            (
                "zero items",
                r#"{"status":"cache","id":"thepaper","items":[]}"#.into(),
                SourceError::Empty,
            ),
            (
                "items without titles",
                r#"{"status":"success","id":"thepaper","items":[{"id":1,"title":null},{"id":2}]}"#
                    .into(),
                SourceError::Empty,
            ),
        ],
    );
}

// ---------- end to end against the replay server ----------

const NEWS: [Platform; 4] = [
    Platform::ThePaper,
    Platform::Cls,
    Platform::Ifeng,
    Platform::WallStreetCn,
];

/// The archive's lists for `platforms` (both 2025-10-15 files in tests/fixtures/archives),
/// with heat and labels set where a platform shows them (the archive keeps none, §0): heat
/// falls by 12,345 a rank from 9.9 million, rank 1 is 热 and rank 2 新.
fn archive(platforms: &[Platform]) -> Vec<SnapshotLine> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/archives/uncleblue+TrendRadar/output/2025年10月15日/txt");
    let mut lines = resou::import::import_paths(&[dir], Some(platforms)).expect("archive");
    for l in &mut lines {
        if matches!(l.platform, Platform::Baidu | Platform::Toutiao) {
            dress(&mut l.items);
        }
    }
    lines
}

fn dress(items: &mut [SnapshotItem]) {
    for (i, it) in items.iter_mut().enumerate() {
        it.heat = Some(9_900_000 - 12_345 * i as u64);
        it.label = match i {
            0 => Some("热".into()),
            1 => Some("新".into()),
            _ => None,
        };
    }
}

/// The Kuaishou list of tests/fixtures/kuaishou/lists.jsonl (its first row pinned), with heat.
fn kuaishou_list() -> Vec<SnapshotLine> {
    let mut lines = resou::domain::snapshot_file::read_lines(
        fixture("kuaishou", "lists.jsonl").as_bytes(),
        "lists.jsonl",
    )
    .expect("fixture");
    for l in &mut lines {
        dress(&mut l.items);
    }
    lines
}

async fn serve(lists: Vec<SnapshotLine>) -> ReplayServer {
    ReplayServer::start(ReplayConfig {
        lists,
        step: Duration::from_secs(3600),
        clock: ClockMode::Manual,
    })
    .await
    .expect("replay server on loopback")
}

fn ok(outcome: &PollOutcome) -> (&Snapshot, Endpoint) {
    match outcome {
        PollOutcome::Ok { snapshot, endpoint } => (snapshot, *endpoint),
        PollOutcome::Failed { error } => panic!("poll failed: {error}"),
    }
}

fn ranked_served(line: &SnapshotLine) -> Vec<&SnapshotItem> {
    let mut v: Vec<&SnapshotItem> = line.items.iter().filter(|i| !i.pinned).collect();
    v.sort_by_key(|i| i.rank);
    v
}

fn steps(attempts: &[StepAttempt]) -> Vec<(Endpoint, Option<String>)> {
    attempts
        .iter()
        .map(|a| {
            (
                a.endpoint,
                a.error
                    .as_ref()
                    .map(|e| format!("{:?}", std::mem::discriminant(e))),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_list_serves_its_titles_in_order_with_heat_and_ids() {
    let mut lists = archive(&[Platform::Baidu, Platform::Toutiao]);
    lists.extend(archive(&NEWS));
    lists.extend(kuaishou_list());
    let server = serve(lists).await;
    let client = support::replay_client(&server);
    for p in [Platform::Baidu, Platform::Toutiao, Platform::Kuaishou]
        .into_iter()
        .chain(NEWS)
    {
        let line = server.current(p).expect("served list");
        let (outcome, attempts) = Chain::for_platform(p).poll(&client).await;
        let (s, endpoint) = ok(&outcome);
        assert_eq!(endpoint, Endpoint::chain_of(p)[0], "{p}: first step");
        assert_eq!(attempts.len(), 1, "{p}");
        assert_eq!(s.captured_at, line.captured_at, "{p}: dated by the archive");
        let served = ranked_served(&line);
        let want: Vec<&str> = served.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(
            titles(&s.ranked),
            want,
            "{p}: titles and order survive the wire"
        );
        assert_ranks(s);
        for (t, it) in s.ranked.iter().zip(&served) {
            match p {
                // The page shows one decimal of 万: 0.1万 is the wire's precision.
                Platform::Kuaishou => {
                    let (got, want) = (t.heat.unwrap(), it.heat.unwrap());
                    assert!(
                        got.abs_diff(want) <= 500,
                        "{p} {}: {got} vs {want}",
                        it.title
                    );
                }
                Platform::Baidu | Platform::Toutiao => {
                    assert_eq!(t.heat, it.heat, "{p} {}", it.title);
                    assert_eq!(
                        t.label,
                        it.label
                            .as_deref()
                            .map(Label::from_text)
                            .unwrap_or_default(),
                        "{p} {}",
                        it.title
                    );
                }
                _ => assert_eq!(t.heat, None, "{p}: newsnow carries no heat"),
            }
            assert_eq!(
                t.platform_id, it.id,
                "{p} {}: ids kept as strings",
                it.title
            );
            assert_eq!(t.url, it.url, "{p} {}", it.title);
        }
        if p == Platform::Toutiao {
            assert!(
                s.ranked
                    .iter()
                    .all(|t| t.platform_id.as_deref().is_some_and(|id| id.len() == 19)),
                "19-digit ClusterIds"
            );
        }
    }
}

#[tokio::test]
async fn baidu_board_page_carries_escaped_dashes_and_wise_is_the_2026_shape() {
    let server = serve(archive(&[Platform::Baidu])).await;
    let client = support::replay_client(&server);
    let e = Endpoint::BaiduBoardHtml;
    let page = client
        .get(&endpoint_url(e), endpoint_profile(e))
        .await
        .unwrap();
    assert!(
        page.body.contains("<!--s-data:{"),
        "BD1 is the page with its comment"
    );
    assert!(
        page.body.contains(r"\-"),
        "with `\\-` inside, as the real page"
    );

    let line = server.current(Platform::Baidu).unwrap();
    let want: Vec<&str> = ranked_served(&line)
        .iter()
        .map(|i| i.title.as_str())
        .collect();
    let (outcome, _) = Chain::with_steps(Platform::Baidu, vec![Endpoint::BaiduApiWise])
        .poll(&client)
        .await;
    let (s, _) = ok(&outcome);
    assert_eq!(titles(&s.ranked), want);
    assert!(
        s.ranked.iter().all(|t| t.heat.is_none()),
        "wise has no heat"
    );
    assert_eq!(
        (s.ranked[0].label, s.ranked[1].label),
        (Label::Hot, Label::New),
        "newHotName"
    );
}

#[tokio::test]
async fn baidu_falls_back_from_the_board_page_to_the_pc_api() {
    let server = serve(archive(&[Platform::Baidu])).await;
    let client = support::replay_client(&server);
    let line = server.current(Platform::Baidu).unwrap();
    let want: Vec<&str> = ranked_served(&line)
        .iter()
        .map(|i| i.title.as_str())
        .collect();
    let cases = [
        (Fault::HtmlInsteadOfJson, wrong()),
        (Fault::LoginWall, login()),
        (Fault::Truncated, decode()),
        (Fault::Status(403), SourceError::Status(403)),
        (Fault::EmptyList, SourceError::Empty),
    ];
    for (n, (fault, err)) in cases.into_iter().enumerate() {
        server.clear_faults();
        server.set_fault(Route::BaiduBoard, fault.clone());
        let (outcome, attempts) = Chain::for_platform(Platform::Baidu).poll(&client).await;
        let (s, endpoint) = ok(&outcome);
        assert_eq!(endpoint, Endpoint::BaiduApiPc, "{fault:?}: BD2′ takes over");
        assert_eq!(
            steps(&attempts),
            vec![
                (
                    Endpoint::BaiduBoardHtml,
                    Some(format!("{:?}", std::mem::discriminant(&err)))
                ),
                (Endpoint::BaiduApiPc, None)
            ],
            "{fault:?}: the attempts name both steps"
        );
        assert_eq!(titles(&s.ranked), want, "{fault:?}");
        assert_eq!(
            s.ranked[0].heat,
            ranked_served(&line)[0].heat,
            "BD2′ keeps heat"
        );
        assert_eq!(
            server.hits(Route::BaiduApi),
            n + 1,
            "BD2 wise is not needed"
        );
    }
}

#[tokio::test]
async fn platform_envelopes_and_empty_lists_fail_the_step() {
    let mut lists = archive(&[Platform::Baidu, Platform::Toutiao]);
    lists.extend(archive(&NEWS));
    lists.extend(kuaishou_list());
    let server = serve(lists).await;
    let client = support::replay_client(&server);
    let cases = [
        (Platform::Baidu, Endpoint::BaiduApiPc, Route::BaiduApi),
        (Platform::Baidu, Endpoint::BaiduApiWise, Route::BaiduApi),
        (
            Platform::Toutiao,
            Endpoint::ToutiaoHotBoard,
            Route::ToutiaoHotBoard,
        ),
        (
            Platform::ThePaper,
            Endpoint::Newsnow(Platform::ThePaper),
            Route::Newsnow(Platform::ThePaper),
        ),
        (
            Platform::WallStreetCn,
            Endpoint::Newsnow(Platform::WallStreetCn),
            Route::Newsnow(Platform::WallStreetCn),
        ),
    ];
    for (p, e, route) in cases {
        let chain = Chain::with_steps(p, vec![e]);
        server.clear_faults();
        server.set_fault(route, Fault::Envelope(10_001));
        let (outcome, _) = chain.poll(&client).await;
        assert!(
            matches!(
                &outcome,
                PollOutcome::Failed {
                    error: SourceError::Envelope { code: 10_001, .. }
                }
            ),
            "{e:?}: {outcome:?}"
        );
        server.set_fault(route, Fault::EmptyList);
        let (outcome, _) = chain.poll(&client).await;
        assert_eq!(
            outcome,
            PollOutcome::Failed {
                error: SourceError::Empty
            },
            "{e:?}"
        );
    }
    for (e, route) in [
        (Endpoint::BaiduBoardHtml, Route::BaiduBoard),
        (Endpoint::KuaishouHome, Route::KuaishouHome),
    ] {
        server.clear_faults();
        server.set_fault(route, Fault::EmptyList);
        let (outcome, _) = Chain::with_steps(e.platform(), vec![e]).poll(&client).await;
        assert_eq!(
            outcome,
            PollOutcome::Failed {
                error: SourceError::Empty
            },
            "{e:?}"
        );
    }
}

#[tokio::test]
async fn pinned_rows_stay_apart_on_every_wire() {
    // The archive keeps no pinned row (newsnow drops it, §0): pin each list's first row.
    let mut lists = archive(&[Platform::Baidu, Platform::Toutiao]);
    for l in &mut lists {
        l.items[0].pinned = true;
        l.items[0].rank = None;
    }
    lists.extend(kuaishou_list());
    let server = serve(lists).await;
    let client = support::replay_client(&server);
    for e in [
        Endpoint::BaiduBoardHtml,
        Endpoint::BaiduApiPc,
        Endpoint::BaiduApiWise,
        Endpoint::ToutiaoHotBoard,
        Endpoint::KuaishouHome,
    ] {
        let p = e.platform();
        let line = server.current(p).unwrap();
        let pinned: Vec<&str> = line
            .items
            .iter()
            .filter(|i| i.pinned)
            .map(|i| i.title.as_str())
            .collect();
        assert_eq!(pinned.len(), 1, "{p}");
        let (outcome, _) = Chain::with_steps(p, vec![e]).poll(&client).await;
        let (s, _) = ok(&outcome);
        assert_eq!(titles(&s.pinned), pinned, "{e:?}: the pinned row is kept");
        assert!(
            !titles(&s.ranked).contains(&pinned[0]),
            "{e:?}: and never ranked"
        );
        let want: Vec<&str> = ranked_served(&line)
            .iter()
            .map(|i| i.title.as_str())
            .collect();
        assert_eq!(titles(&s.ranked), want, "{e:?}");
        assert_ranks(s);
    }
}

// ---------- fuzzing (the properties of tests/sources/fuzz_parsers.rs) ----------

mod fuzz {
    use super::{at, baidu, kuaishou, newsnow, toutiao};
    use crate::fuzz_parsers::list_ok;
    use resou::domain::Platform;
    use resou::sources::Endpoint;

    fuzz_list!(
        bd1_board_page,
        "BD1 board page",
        [fixture!("baidu/board_realtime.html")],
        |b| { list_ok(b, false, baidu::parse(Endpoint::BaiduBoardHtml, b, at())) }
    );

    fuzz_list!(
        bd2_api,
        "BD2 api/board",
        [
            fixture!("baidu/api_board_pc_realtime_verbatim.json"),
            fixture!("baidu/api_board_wise_realtime.json")
        ],
        |b| { list_ok(b, true, baidu::parse(Endpoint::BaiduApiPc, b, at())) }
    );

    fuzz_list!(
        tt1_hot_board,
        "TT1 hot board",
        [fixture!("toutiao/hot_board.json")],
        |b| list_ok(b, true, toutiao::parse(b, at()))
    );

    fuzz_list!(
        ks1_home_page,
        "KS1 home page",
        [fixture!("kuaishou/home.html")],
        |b| list_ok(b, false, kuaishou::parse(b, at()))
    );

    fuzz_list!(
        newsnow_api,
        "newsnow /api/s",
        [
            fixture!("newsnow/ifeng.json"),
            fixture!("newsnow/wallstreetcn-hot.json")
        ],
        |b| {
            list_ok(b, true, newsnow::parse(Platform::Ifeng, b, at()))?;
            list_ok(b, true, newsnow::parse(Platform::WallStreetCn, b, at()))
        }
    );
}
