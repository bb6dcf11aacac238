//! Douyin, Zhihu and Bilibili (issue 18): the parsers of every endpoint on fixtures (see the
//! NOTES.md beside them) and hostile inputs, the WBI signature on wbi.md's example, and the
//! request steps end to end — the real client and fallback chain against the loopback replay
//! server: Douyin's cookie bootstrap, Zhihu's user cookie, Bilibili's signed BL2.

use crate::rows::{find, fixture_in as fixture, titles};
use crate::support;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use resou::domain::snapshot_file::SnapshotLine;
use resou::domain::{Label, Platform, Snapshot, from_unix};
use resou::replay::{ClockMode, Fault, ReplayConfig, ReplayServer, Route};
use resou::sources::chain::Chain;
use resou::sources::http::{HttpClient, NetConfig, Secret};
use resou::sources::{
    Endpoint, PollOutcome, SourceError, StepAttempt, bilibili, chain, douyin, zhihu,
};

fn at() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2025-10-15T12:05:00+08:00").unwrap()
}

fn ids(s: &Snapshot) -> Vec<Option<&str>> {
    s.ranked.iter().map(|t| t.platform_id.as_deref()).collect()
}

/// Dense ranks 1..n, and no control, escape, bidi or invisible character in any text.
fn assert_sane(s: &Snapshot) {
    let ranks: Vec<_> = s.ranked.iter().map(|t| t.rank).collect();
    assert_eq!(
        ranks,
        (1..=s.ranked.len() as u32).map(Some).collect::<Vec<_>>()
    );
    for t in &s.ranked {
        for f in [Some(&t.title), t.query.as_ref()].into_iter().flatten() {
            assert!(
                !f.as_str().chars().any(|c| c.is_control()
                    || ('\u{200B}'..='\u{200F}').contains(&c)
                    || ('\u{202A}'..='\u{202E}').contains(&c)),
                "unsanitised {f:?}"
            );
        }
    }
}

/// What every JSON endpoint does with bodies that are not its JSON.
fn not_json(e: Endpoint, fixture_text: &str) {
    let parse = |b: &str| chain::parse(e, b, at());
    assert_eq!(
        parse("<html><body>502 Bad Gateway</body></html>"),
        Err(SourceError::WrongBody("HTML page".into())),
        "{e:?}"
    );
    assert!(
        matches!(
            parse(
                "<!DOCTYPE html><html><head><title>登录</title></head><body>请登录后继续</body></html>"
            ),
            Err(SourceError::LoginRequired { .. })
        ),
        "{e:?}: login wall served with 200"
    );
    let half = (0..=fixture_text.len() / 2)
        .rev()
        .find(|&i| fixture_text.is_char_boundary(i))
        .unwrap_or(0);
    assert_eq!(
        parse(&fixture_text[..half]),
        Err(SourceError::Decode("truncated JSON".into())),
        "{e:?}"
    );
    assert!(matches!(parse(""), Err(SourceError::WrongBody(_))), "{e:?}");
    assert!(
        matches!(parse("[1,2]"), Err(SourceError::WrongBody(_))),
        "{e:?}"
    );
}

// ---------- Douyin ----------

#[test]
fn dy1_rows_labels_ids_and_promoted_rows() {
    let s = douyin::parse(
        Endpoint::DouyinWeb,
        &fixture("douyin", "dy1_hot_search_list.json"),
        at(),
    )
    .unwrap();
    assert_eq!(s.platform, Platform::Douyin);
    assert_eq!(
        titles(&s.ranked),
        [
            "国乒男团3:2战胜日本",
            "孟凡利当选广东省省长",
            "行走江河看中国",
            "公安侦破缅北果敢魏家刘家专案",
            "中国香港男团晋级亚锦赛决赛",
            "T1战胜IG晋级瑞士轮",
            "台媒热议歼16锁定美军F22",
        ],
        "label 2 (商) dropped, rows without word or not objects skipped, trending_list ignored, escapes and bidi removed"
    );
    assert_sane(&s);
    assert!(s.pinned.is_empty());

    let heats: Vec<_> = s.ranked.iter().map(|t| t.heat).collect();
    assert_eq!(
        heats,
        [
            Some(11_979_340),
            Some(11_702_112), // a numeric string
            None,             // absent
            Some(10_511_880),
            Some(10_100_221),
            None,            // an object
            Some(8_800_000), // a float
        ]
    );
    let labels: Vec<_> = s.ranked.iter().map(|t| t.label).collect();
    assert_eq!(
        labels,
        [
            Label::Hot,
            Label::New,
            Label::Explosive,
            Label::None,
            Label::Hot,  // "3" as a string
            Label::None, // 17 热议 has no badge
            Label::None, // null
        ]
    );
    assert_eq!(
        ids(&s),
        [
            Some("2270029"),
            Some("2270504"), // a number on the wire
            Some("2270508"),
            Some("2270478"),
            Some("2270111"),
            None, // "22695x3" is no id
            Some("2269389"),
        ]
    );
    let first = &s.ranked[0];
    assert_eq!(
        first.url.as_deref(),
        Some("https://www.douyin.com/hot/2270029")
    );
    assert_eq!(
        first.query.as_ref().map(|q| q.as_str()),
        Some("国乒男团3:2战胜日本")
    );
    assert_eq!(first.onboard, from_unix(1_760_497_200));
    assert_eq!(
        find(&s, "公安侦破缅北果敢魏家刘家专案").onboard,
        from_unix(1_760_490_000),
        "event_time as a string"
    );
    assert_eq!(
        find(&s, "台媒热议歼16锁定美军F22").onboard,
        None,
        "out of range"
    );
    assert_eq!(find(&s, "T1战胜IG晋级瑞士轮").url, None, "no id, no link");
}

#[test]
fn dy3_app_and_the_old_billboard() {
    let app = fixture("douyin", "dy3_app_hot_search_list.json");
    let s = douyin::parse(Endpoint::DouyinApp, &app, at()).unwrap();
    assert_eq!(
        titles(&s.ranked),
        [
            "国乒男团3:2战胜日本",
            "乒乓球亚锦赛决赛赛程",
            "行走江河看中国",
            "公安侦破缅北果敢魏家刘家专案",
            "开拓者 vs 勇士",
        ]
    );
    assert_eq!(s.ranked[1].label, Label::New);
    let board = fixture("douyin", "billboard_word.json");
    let b = douyin::parse(Endpoint::DouyinBillboard, &board, at()).unwrap();
    assert_eq!(
        titles(&b.ranked),
        ["T1战胜IG晋级瑞士轮", "日本队史首胜巴西", "非凡十四五"]
    );
    assert_eq!(ids(&b), [Some("2269583"), Some("2270010"), Some("2270087")]);
    // Each endpoint looks where its list lives, nowhere else.
    assert_eq!(
        douyin::parse(Endpoint::DouyinBillboard, &app, at()),
        Err(SourceError::Decode("no word_list".into()))
    );
    assert_eq!(
        douyin::parse(Endpoint::DouyinApp, &board, at()),
        Err(SourceError::Decode("no data".into()))
    );
}

#[test]
fn douyin_failures() {
    let dy1 = fixture("douyin", "dy1_hot_search_list.json");
    for e in [Endpoint::DouyinWeb, Endpoint::DouyinApp] {
        not_json(e, &dy1);
    }
    let p = |b: &str| douyin::parse(Endpoint::DouyinWeb, b, at());
    assert_eq!(
        p(r#"{"status_code":2483,"status_msg":"参数\u001b[2J错误"}"#),
        Err(SourceError::Envelope {
            code: 2483,
            msg: "参数错误".into()
        })
    );
    assert_eq!(
        p(r#"{"data":{"word_list":[{"word":"x","position":1}]}}"#),
        Err(SourceError::Envelope {
            code: -1,
            msg: String::new()
        }),
        "no status_code is no success"
    );
    assert_eq!(
        p(r#"{"status_code":0,"data":{"word_list":[],"trending_list":[{"word":"上升"}]}}"#),
        Err(SourceError::Empty),
        "zero rows (trending_list does not count)"
    );
    assert_eq!(
        p(
            r#"{"status_code":0,"data":{"word_list":[{"word":"广告","label":2},1,null,{"word":["x"]}]}}"#
        ),
        Err(SourceError::Empty),
        "only a promoted row and junk"
    );
    assert_eq!(
        p(r#"{"status_code":0,"data":{"word_list":{"word":"x"}}}"#),
        Err(SourceError::Decode("data.word_list is not a list".into()))
    );
    let s = p(r#"{"status_code":"0","data":{"word_list":[{"word":7,"sentence_id":-3,"hot_value":"很热"}]}}"#)
        .unwrap();
    assert_eq!(titles(&s.ranked), ["7"], "a numeric word is still a title");
    assert_eq!((s.ranked[0].heat, s.ranked[0].url.as_deref()), (None, None));
}

// ---------- Zhihu ----------

#[test]
fn zh1_titles_heat_and_question_ids() {
    let s = zhihu::parse(
        Endpoint::ZhihuHotListWeb,
        &fixture("zhihu", "zh1_hot_list_web.json"),
        at(),
    )
    .unwrap();
    assert_eq!(
        titles(&s.ranked),
        [
            "2025 年亚洲乒乓球团体锦标赛，中国让二追三 3-2 逆转日本，日本队集体「凝固」，如何评价本场比赛？",
            "《让子弹飞》中，百姓明明可以打败黄四郎，究竟在怕什么？",
            "特朗普的一个推特让比特币波动超 10%，比特币价格频繁大幅波动，是不是说明其已经失去了数字黄金的地位？",
            "如何评价电视剧《沉默的荣耀》28-30 集？",
            "如何看待有人先冒充极氪团队再冒充比亚迪员工，骗取创业公司产品方案？",
            "这波人工智能浪潮怎么越来越像泡沫，AI 到底带来了什么？",
        ],
        "a row without title_area and a non-object are skipped; the OSC sequence is removed"
    );
    assert_sane(&s);
    let heats: Vec<_> = s.ranked.iter().map(|t| t.heat).collect();
    assert_eq!(
        heats,
        [
            Some(11_630_000),
            Some(9_880_000),
            Some(7_020_000), // "  702万 热度"
            None,            // "热度计算中"
            Some(4_010_000),
            Some(120_000_000), // "1.2 亿热度"
        ]
    );
    assert_eq!(
        ids(&s),
        [
            Some("1961547025481950918"),
            Some("1961076881957843323"),
            Some("1961010617587561780"),
            Some("1960834634746148567"),
            None, // a zhuanlan article, not a question
            Some("658385796"),
        ]
    );
    assert_eq!(
        s.ranked[0].url.as_deref(),
        Some("https://www.zhihu.com/question/1961547025481950918")
    );
    assert_eq!(s.ranked[4].url, None);
}

#[test]
fn zh2_nineteen_digit_ids_are_exact() {
    let body = fixture("zhihu", "zh2_hot_lists_total.json");
    let s = zhihu::parse(Endpoint::ZhihuHotListApp, &body, at()).unwrap();
    assert_eq!(s.ranked.len(), 6, "{:?}", titles(&s.ranked));
    assert_sane(&s);
    assert_eq!(
        ids(&s),
        [
            Some("1961547025481950918"),
            // Only `target.id` (a JSON integer) names this one: read through an f64 it
            // would come out as 1961076881957843200.
            Some("1961076881957843323"),
            // `target.id` is a float that lost its digits; `card_id` keeps them.
            Some("1961010617587561780"),
            Some("1960834634746148567"), // a string id
            Some("56111050"),
            Some("1935666057550501333"), // -5 is no id; the www URL is
        ]
    );
    let urls: Vec<_> = s.ranked.iter().map(|t| t.url.as_deref()).collect();
    assert_eq!(
        urls[0],
        Some("https://www.zhihu.com/question/1961547025481950918"),
        "api.zhihu.com/questions/<id> becomes the www question page"
    );
    assert_eq!(urls[4], Some("https://www.zhihu.com/question/56111050"));
    assert_eq!(s.ranked[0].heat, Some(11_630_000));
    assert_eq!(s.ranked[4].heat, Some(3_120_000));
}

#[test]
fn zh4_billboard_page() {
    let page = fixture("zhihu", "zh4_billboard.html");
    let s = zhihu::parse(Endpoint::ZhihuBillboard, &page, at()).unwrap();
    assert_eq!(
        titles(&s.ranked),
        [
            "2026 年国考 10 月 15 日起报名，报考年龄条件放宽至 38 周岁，如何解读？你有哪些报考经验分享？",
            "S15 全球总决赛入围赛 T1 3:1 淘汰 iG 晋级正赛，如何评价这场比赛？",
            "业主私挖 300 平地下室致整栋楼 32 户开裂，涉事业主已被逮捕，他将承担哪些责任？其他业主能索赔吗？",
        ]
    );
    assert_sane(&s);
    assert_eq!(
        ids(&s),
        [
            Some("1961375305324258616"),
            Some("1961449149313552647"), // empty link: from cardId
            Some("1961339824045778845"),
        ]
    );
    assert_eq!(s.ranked[0].heat, Some(15_200_000));

    let p = |b: &str| zhihu::parse(Endpoint::ZhihuBillboard, b, at());
    let cut = page
        .find("</script><script src")
        .expect("end of the data script");
    assert_eq!(
        p(&page[..cut - 40]),
        Err(SourceError::Decode(
            "truncated page (the js-initialData script does not end)".into()
        )),
        "a page cut inside its data"
    );
    assert_eq!(
        p("<html><body><div id=\"root\"></div></body></html>"),
        Err(SourceError::WrongBody("HTML page".into())),
        "a page without js-initialData"
    );
    assert!(matches!(
        p(
            "<html><head><title>知乎 - 有问题，就会有答案</title></head><body>登录后查看更多</body></html>"
        ),
        Err(SourceError::LoginRequired { .. })
    ));
    assert!(
        matches!(
            p(&fixture("zhihu", "error_101_AuthenticationError.json")),
            Err(SourceError::LoginRequired { .. })
        ),
        "the API's error body where the page was expected"
    );
    assert_eq!(
        p(r#"{"data":[]}"#),
        Err(SourceError::WrongBody("JSON instead of the page".into()))
    );
    assert_eq!(
        p(
            r#"<script id="js-initialData" type="text/json">{"initialState":{"topstory":{"hotList":[]}}}</script>"#
        ),
        Err(SourceError::Empty)
    );
}

#[test]
fn zhihu_error_bodies_ask_for_the_zhihu_cookie() {
    for (name, shown) in [
        (
            "error_101_AuthenticationError.json",
            "AuthenticationError 身份未经过验证, code 101",
        ),
        (
            "error_100_AuthenticationInvalidRequest.json",
            "AuthenticationInvalidRequest 请求头或参数封装错误, code 100",
        ),
    ] {
        for e in [Endpoint::ZhihuHotListWeb, Endpoint::ZhihuHotListApp] {
            match zhihu::parse(e, &fixture("zhihu", name), at()) {
                Err(SourceError::LoginRequired { hint }) => {
                    assert!(hint.contains("RESOU_ZHIHU_COOKIE"), "{hint}");
                    assert!(hint.contains(shown), "{hint}");
                }
                other => panic!("{name} on {e:?}: {other:?}"),
            }
        }
    }
    assert_eq!(
        zhihu::parse(
            Endpoint::ZhihuHotListWeb,
            r#"{"error":{"code":40352,"name":"ForbiddenError","message":"系统监测到您的网络环境存在异常"}}"#,
            at()
        ),
        Err(SourceError::Envelope {
            code: 40352,
            msg: "系统监测到您的网络环境存在异常".into()
        }),
        "other errors are the platform's, not a login"
    );
}

#[test]
fn zhihu_failures() {
    let zh1 = fixture("zhihu", "zh1_hot_list_web.json");
    let zh2 = fixture("zhihu", "zh2_hot_lists_total.json");
    not_json(Endpoint::ZhihuHotListWeb, &zh1);
    not_json(Endpoint::ZhihuHotListApp, &zh2);
    for e in [Endpoint::ZhihuHotListWeb, Endpoint::ZhihuHotListApp] {
        let p = |b: &str| zhihu::parse(e, b, at());
        assert_eq!(p(r#"{"data":[],"paging":{}}"#), Err(SourceError::Empty));
        assert_eq!(
            p(r#"{"data":{"target":{}}}"#),
            Err(SourceError::Decode("data is not a list".into()))
        );
        assert_eq!(
            p(r#"{"paging":{}}"#),
            Err(SourceError::Decode("no data".into()))
        );
        assert_eq!(
            p(
                r#"{"data":[{"target":{"title":["x"],"title_area":{"text":{"a":1}}}},{"target":[]}]}"#
            ),
            Err(SourceError::Empty),
            "wrong types: no usable row"
        );
    }
}

// ---------- Bilibili ----------

#[test]
fn bl1_doc_example_shows_show_name_and_searches_keyword() {
    let s = bilibili::parse(
        Endpoint::BilibiliHotword,
        &fixture("bilibili", "bl1_hotword_doc_example_2022-09.json"),
        at(),
    )
    .unwrap();
    assert_eq!(s.ranked.len(), 10);
    assert_sane(&s);
    let edg = find(&s, "EDGJieJie已起诉多家企业");
    assert_eq!(edg.rank, Some(4));
    assert_eq!(edg.query.as_ref().map(|q| q.as_str()), Some("EDG 起诉"));
    assert_eq!(
        edg.url.as_deref(),
        Some("https://search.bilibili.com/all?keyword=EDG%20%E8%B5%B7%E8%AF%89")
    );
    assert_eq!(edg.platform_id.as_deref(), Some("11004"));
    assert_eq!(s.ranked[0].title.as_str(), "流浪地球2刘德华造型");
    assert_eq!(
        s.ranked[0].query.as_ref().map(|q| q.as_str()),
        Some("流浪地球2刘德华")
    );
    assert!(
        s.ranked
            .iter()
            .all(|t| t.label == Label::None && t.heat.is_none()),
        "every row is word_type 8, and 2022 had no heat_score"
    );
}

#[test]
fn bl1_promoted_rows_heat_and_labels() {
    let s = bilibili::parse(
        Endpoint::BilibiliHotword,
        &fixture("bilibili", "bl1_hotword_2025-10-15.json"),
        at(),
    )
    .unwrap();
    assert_eq!(
        titles(&s.ranked),
        [
            "T1战胜IG晋级S15瑞士轮",
            "一口气看懂eSIM前世今生",
            "日本连入3球逆转巴西",
            "BLG S15全球总决赛出征曲",
            "锐评IG为何不敌T1",
            "T1 3-1 IG赛后数据", // empty show_name: the keyword is shown
        ],
        "stat_datas.is_commercial \"1\" dropped; escape and RLM removed; a row without keyword skipped"
    );
    assert_sane(&s);
    assert_eq!(
        s.ranked[0].query.as_ref().map(|q| q.as_str()),
        Some("IG T1")
    );
    let heats: Vec<_> = s.ranked.iter().map(|t| t.heat).collect();
    assert_eq!(
        heats,
        [
            Some(1_049_873),
            Some(987_654),
            None,
            Some(900_000),
            Some(880_000),
            None
        ]
    );
    let labels: Vec<_> = s.ranked.iter().map(|t| t.label).collect();
    assert_eq!(
        labels,
        [
            Label::Hot,
            Label::New,
            Label::None,
            Label::None,
            Label::Hot,
            Label::None
        ],
        "5 热, 4 新, 8 none, 7 直播中 unmapped, \"5\" as a string"
    );
}

#[test]
fn bl3_doc_example_and_string_is_commercial() {
    let body = fixture("bilibili", "bl3_trending_ranking_doc_example_2023-07.json");
    let s = bilibili::parse(Endpoint::BilibiliTrending, &body, at()).unwrap();
    assert_eq!(s.ranked.len(), 20, "every row is is_commercial \"0\"");
    assert_eq!(s.ranked[0].title.as_str(), "列车延误乘务员哽咽安抚乘客");
    assert_eq!(s.ranked[0].label, Label::Hot);
    assert_eq!(
        s.ranked[4].label,
        Label::New,
        "LNG前任和现任的较量: word_type 4"
    );
    assert_eq!(
        s.ranked[2].label,
        Label::None,
        "word_type 6 is special, no badge"
    );
    assert_eq!(s.ranked[0].platform_id.as_deref(), Some("107814"));

    // The same reply with promoted rows: a string "1" (as BL3 sends it) and a number.
    let mut v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["data"]["list"][1]["is_commercial"] = "1".into();
    v["data"]["list"][5]["is_commercial"] = 1.into();
    let s = bilibili::parse(Endpoint::BilibiliTrending, &v.to_string(), at()).unwrap();
    assert_eq!(s.ranked.len(), 18);
    assert!(!titles(&s.ranked).contains(&"黑神话悟空首次线下试玩"));
    assert!(!titles(&s.ranked).contains(&"LOL手游剑姬女警新皮"));
    assert_sane(&s);
}

#[test]
fn bl2_doc_example_and_the_refused_signature() {
    let s = bilibili::parse(
        Endpoint::BilibiliSquare,
        &fixture("bilibili", "bl2_search_square_doc_example_2024-08.json"),
        at(),
    )
    .unwrap();
    assert_eq!(
        titles(&s.ranked),
        [
            "马克龙祝贺中国世界前两名",
            "小孩电竞世界杯夺冠",
            "孙颖莎说我全勤下班了",
            "7月广东新冠新增一万余例"
        ]
    );
    let labels: Vec<_> = s.ranked.iter().map(|t| t.label).collect();
    assert_eq!(
        labels,
        [Label::Hot, Label::Hot, Label::New, Label::Hot],
        "labels from the two known icons"
    );
    assert!(
        s.ranked
            .iter()
            .all(|t| t.heat.is_none() && t.platform_id.is_none())
    );

    let voucher = fixture("bilibili", "bl2_v_voucher_doc_example_2023-12.json");
    assert_eq!(
        bilibili::parse(Endpoint::BilibiliSquare, &voucher, at()),
        Err(SourceError::Other(bilibili::WBI_REFUSED.into())),
        "code 0 with a v_voucher is a refused signature, not an empty list"
    );
    assert_eq!(
        bilibili::parse(
            Endpoint::BilibiliSquare,
            r#"{"code":0,"data":{"trending":{"list":[]}}}"#,
            at()
        ),
        Err(SourceError::Empty)
    );
}

#[test]
fn bilibili_failures() {
    let bl1 = fixture("bilibili", "bl1_hotword_doc_example_2022-09.json");
    let bl3 = fixture("bilibili", "bl3_trending_ranking_doc_example_2023-07.json");
    not_json(Endpoint::BilibiliHotword, &bl1);
    not_json(Endpoint::BilibiliTrending, &bl3);
    for e in [
        Endpoint::BilibiliHotword,
        Endpoint::BilibiliTrending,
        Endpoint::BilibiliSquare,
    ] {
        assert_eq!(
            bilibili::parse(e, r#"{"code":-352,"message":"风控校验失败","ttl":1}"#, at()),
            Err(SourceError::Envelope {
                code: -352,
                msg: "风控校验失败".into()
            })
        );
    }
    assert_eq!(
        bilibili::parse(Endpoint::BilibiliHotword, r#"{"code":0,"list":"x"}"#, at()),
        Err(SourceError::Decode("list is not a list".into()))
    );
    assert_eq!(
        bilibili::parse(
            Endpoint::BilibiliTrending,
            r#"{"code":0,"data":{"list":[{"keyword":"广告","is_commercial":"1"}]}}"#,
            at()
        ),
        Err(SourceError::Empty),
        "only a promoted row"
    );
    assert_eq!(
        bilibili::parse(
            Endpoint::BilibiliHotword,
            r#"{"code":0,"list":[{"keyword":["x"],"show_name":{}}]}"#,
            at()
        ),
        Err(SourceError::Empty)
    );
}

#[test]
fn wbi_signature_matches_the_documented_example() {
    // docs/misc/sign/wbi.md: keys from its nav example, params foo=114 bar=514 zab=1919810,
    // wts=1702204169 → mixin ea1db124…, w_rid 8f6f2b5b….
    let nav: serde_json::Value =
        serde_json::from_str(&fixture("bilibili", "nav_doc_example.json")).unwrap();
    assert_eq!(nav["code"], -101, "not logged in, and still the keys");
    let key = |k: &str| {
        let u = nav["data"]["wbi_img"][k].as_str().unwrap();
        u.rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".png")
            .to_string()
    };
    let mixin = bilibili::mixin_key(&key("img_url"), &key("sub_url")).unwrap();
    assert_eq!(mixin, "ea1db124af3c7062474693fa704f4ff8");
    let params = [("foo", "114"), ("bar", "514"), ("zab", "1919810")]
        .map(|(k, v)| (k.to_string(), v.to_string()));
    assert_eq!(
        bilibili::sign(&params, &mixin, 1_702_204_169),
        "bar=514&foo=114&wts=1702204169&zab=1919810&w_rid=8f6f2b5b3d485fe1886cec6a0be8c5d4"
    );
    // Another wts signs differently; a stale w_rid in the input is replaced.
    let mut again = params.to_vec();
    again.push(("w_rid".into(), "0".repeat(32)));
    let other = bilibili::sign(&again, &mixin, 1_702_204_170);
    assert!(!other.contains("8f6f2b5b3d485fe1886cec6a0be8c5d4"));
    assert_eq!(other.matches("w_rid=").count(), 1);
}

// ---------- end to end: client, chain and replay server on loopback ----------

/// The three lists of the 2025-10-15 archive's first two snapshots, as `resou import` reads them.
fn archive_lines() -> Vec<SnapshotLine> {
    let dir: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests/fixtures/archives/uncleblue+TrendRadar/output/2025年10月15日/txt",
    ]
    .iter()
    .collect();
    let lines = resou::import::import_paths(
        &[dir],
        Some(&[Platform::Douyin, Platform::Zhihu, Platform::Bilibili]),
    )
    .expect("archive fixture");
    assert_eq!(lines.len(), 6, "two snapshots of three lists");
    lines
}

async fn server_with(lists: Vec<SnapshotLine>) -> ReplayServer {
    ReplayServer::start(ReplayConfig {
        lists,
        step: Duration::from_secs(3600),
        clock: ClockMode::Manual,
    })
    .await
    .expect("replay server on loopback")
}

fn client(server: &ReplayServer, zhihu_cookie: Option<&str>) -> HttpClient {
    HttpClient::new(&NetConfig {
        zhihu_cookie: zhihu_cookie.map(Secret::new),
        ..support::replay_net(server)
    })
    .expect("client")
}

fn steps(attempts: &[StepAttempt]) -> Vec<(Endpoint, Option<SourceError>)> {
    attempts
        .iter()
        .map(|a| (a.endpoint, a.error.clone()))
        .collect()
}

/// The snapshot of a successful poll, checked against what the server served: titles in order,
/// ids, and the capture time from the `Date` header.
fn served_ok(
    server: &ReplayServer,
    outcome: PollOutcome,
    endpoint: Endpoint,
) -> (Snapshot, SnapshotLine) {
    let PollOutcome::Ok {
        snapshot,
        endpoint: got,
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(got, endpoint);
    let line = server.current(endpoint.platform()).expect("served list");
    let served: Vec<&str> = line.items.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(
        titles(&snapshot.ranked),
        served,
        "{endpoint:?}: titles and order survive the wire"
    );
    assert_eq!(snapshot.captured_at, line.captured_at);
    (snapshot, line)
}

fn cookie_of(server: &ReplayServer, route: Route) -> Option<String> {
    let h = server.last_headers(route)?;
    h.get("cookie")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The value of cookie `name` in a `Cookie` header.
fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[tokio::test]
async fn douyin_bootstrap_then_dy1_with_the_cookie() {
    let server = server_with(archive_lines()).await;
    let client = client(&server, None);
    let douyin = Chain::for_platform(Platform::Douyin);

    let (outcome, attempts) = douyin.poll(&client).await;
    assert_eq!(steps(&attempts), [(Endpoint::DouyinWeb, None)]);
    let (snap, line) = served_ok(&server, outcome, Endpoint::DouyinWeb);
    let served_ids: Vec<Option<&str>> = line.items.iter().map(|i| i.id.as_deref()).collect();
    assert_eq!(
        ids(&snap),
        served_ids,
        "sentence_ids from the archive's URLs"
    );
    assert_eq!(
        snap.ranked[0].url.as_deref(),
        line.items[0].url.as_deref(),
        "the same /hot/<sentence_id> link newsnow built"
    );
    assert!(
        snap.ranked.windows(2).all(|w| w[0].heat > w[1].heat),
        "hot_value read on every row"
    );

    assert_eq!(server.hits(Route::DouyinLogin), 1);
    assert_eq!(
        cookie_of(&server, Route::DouyinLogin),
        None,
        "the bootstrap sends none"
    );
    let sent = cookie_of(&server, Route::DouyinWeb).expect("DY1 got a cookie");
    let csrf = cookie_value(&sent, "passport_csrf_token").expect("passport_csrf_token");
    assert!(!csrf.is_empty());
    assert_eq!(
        cookie_value(&sent, "passport_csrf_token_default"),
        Some(csrf),
        "every cookie the bootstrap set goes along"
    );

    // Reused for the next poll: no second bootstrap, the same cookie.
    server.advance();
    let (outcome, _) = douyin.poll(&client).await;
    served_ok(&server, outcome, Endpoint::DouyinWeb);
    assert_eq!(server.hits(Route::DouyinLogin), 1);
    assert_eq!(
        cookie_of(&server, Route::DouyinWeb).as_deref(),
        Some(sent.as_str())
    );
}

#[tokio::test]
async fn dy1_failing_falls_to_the_app_endpoint_and_renews_the_cookie() {
    let server = server_with(archive_lines()).await;
    let client = client(&server, None);
    let douyin = Chain::for_platform(Platform::Douyin);
    let (outcome, _) = douyin.poll(&client).await;
    served_ok(&server, outcome, Endpoint::DouyinWeb);
    let first_cookie = cookie_of(&server, Route::DouyinWeb).unwrap();

    let cases = [
        (Fault::Status(403), SourceError::Status(403)),
        (Fault::EmptyList, SourceError::Empty),
        (
            Fault::Envelope(2483),
            SourceError::Envelope {
                code: 2483,
                msg: "error".into(),
            },
        ),
        // Cut in half, inside a character or not: bad data either way.
        (Fault::Truncated, SourceError::Decode(String::new())),
    ];
    for (i, (fault, expected)) in cases.into_iter().enumerate() {
        server.set_fault(Route::DouyinWeb, fault.clone());
        let (outcome, attempts) = douyin.poll(&client).await;
        let got = steps(&attempts);
        assert_eq!(got.len(), 2, "{fault:?}: {got:?}");
        assert_eq!(got[1], (Endpoint::DouyinApp, None), "{fault:?}");
        match (&got[0], &expected) {
            ((Endpoint::DouyinWeb, Some(SourceError::Decode(_))), SourceError::Decode(_)) => {}
            ((Endpoint::DouyinWeb, Some(err)), expected) => assert_eq!(err, expected),
            (other, _) => panic!("{fault:?}: {other:?}"),
        }
        served_ok(&server, outcome, Endpoint::DouyinApp);
        assert_eq!(
            cookie_of(&server, Route::DouyinApp),
            None,
            "the app endpoint gets no cookie"
        );
        // Each failure drops the cookie: every poll after the first failure bootstraps anew.
        assert_eq!(server.hits(Route::DouyinLogin), 1 + i, "{fault:?}");
    }
    server.clear_faults();
    let (outcome, _) = douyin.poll(&client).await;
    served_ok(&server, outcome, Endpoint::DouyinWeb);
    assert_ne!(
        cookie_of(&server, Route::DouyinWeb).unwrap(),
        first_cookie,
        "a fresh cookie after the failures"
    );
}

#[tokio::test]
async fn a_bootstrap_without_csrf_token_is_a_named_failure() {
    let server = server_with(archive_lines()).await;
    let client = client(&server, None);
    // login.douyin.com answers a page that sets only some other cookie.
    server.set_fault(Route::DouyinLogin, Fault::LoginWall);
    server.set_reply_cookie(Some("ttwid=1%7Cabcdef; Path=/; Domain=douyin.com".into()));
    let (outcome, attempts) = Chain::for_platform(Platform::Douyin).poll(&client).await;
    assert_eq!(
        steps(&attempts),
        [
            (
                Endpoint::DouyinWeb,
                Some(SourceError::Other(
                    "douyin cookie bootstrap: no passport_csrf_token".into()
                ))
            ),
            (Endpoint::DouyinApp, None)
        ]
    );
    served_ok(&server, outcome, Endpoint::DouyinApp);
    assert_eq!(
        server.hits(Route::DouyinWeb),
        0,
        "DY1 is not asked without the cookie"
    );
}

#[tokio::test]
async fn replay_dy1_wants_the_csrf_cookie() {
    // What makes the end-to-end success above mean something: the server's DY1 has no rows
    // for a request without the cookie.
    let server = server_with(archive_lines()).await;
    let url = format!(
        "{}/aweme/v1/web/hot/search/list/?device_platform=webapp&aid=6383",
        server.origin()
    );
    let http = reqwest::Client::new();
    for (cookie, ok) in [
        (None, false),
        (Some("passport_csrf_token="), false),
        (Some("ttwid=x; passport_csrf_token=0a1b"), true),
    ] {
        let mut req = http.get(&url);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let body = req.send().await.unwrap().text().await.unwrap();
        let parsed = douyin::parse(Endpoint::DouyinWeb, &body, at());
        assert_eq!(parsed.is_ok(), ok, "{cookie:?}: {parsed:?}");
        if !ok {
            assert_eq!(parsed, Err(SourceError::Empty));
        }
    }
}

#[tokio::test]
async fn zhihu_falls_back_and_its_cookie_goes_to_zhihu_only() {
    const COOKIE: &str = "z_c0=user-zhihu-token-1; d_c0=AAB-user-dc0";
    let server = server_with(archive_lines()).await;
    let client = client(&server, Some(COOKIE));
    let zhihu = Chain::for_platform(Platform::Zhihu);

    let (outcome, attempts) = zhihu.poll(&client).await;
    assert_eq!(steps(&attempts), [(Endpoint::ZhihuHotListWeb, None)]);
    let (snap, line) = served_ok(&server, outcome, Endpoint::ZhihuHotListWeb);
    let served_ids: Vec<Option<&str>> = line.items.iter().map(|i| i.id.as_deref()).collect();
    assert_eq!(ids(&snap), served_ids);
    assert_eq!(cookie_of(&server, Route::ZhihuWeb).as_deref(), Some(COOKIE));

    // ZH1 answers Zhihu's 401: with a user cookie, the hint says that cookie was refused.
    server.set_fault(Route::ZhihuWeb, Fault::Envelope(101));
    let (outcome, attempts) = zhihu.poll(&client).await;
    assert_eq!(
        steps(&attempts),
        [
            (
                Endpoint::ZhihuHotListWeb,
                Some(SourceError::LoginRequired {
                    hint: "RESOU_ZHIHU_COOKIE was refused (expired?)".into()
                })
            ),
            (Endpoint::ZhihuHotListApp, None)
        ]
    );
    let (snap, line) = served_ok(&server, outcome, Endpoint::ZhihuHotListApp);
    let served_ids: Vec<Option<&str>> = line.items.iter().map(|i| i.id.as_deref()).collect();
    assert_eq!(
        ids(&snap),
        served_ids,
        "19-digit ids survive the JSON numbers of ZH2"
    );
    assert!(
        served_ids
            .iter()
            .flatten()
            .filter(|id| id.len() == 19)
            .count()
            > 10,
        "the archive holds new (19-digit) questions"
    );
    assert_eq!(cookie_of(&server, Route::ZhihuApp).as_deref(), Some(COOKIE));

    // ZH1 and ZH2 down: the billboard page.
    server.set_fault(Route::ZhihuApp, Fault::Status(500));
    let (outcome, _) = zhihu.poll(&client).await;
    served_ok(&server, outcome, Endpoint::ZhihuBillboard);
    assert_eq!(
        cookie_of(&server, Route::ZhihuBillboard).as_deref(),
        Some(COOKIE)
    );

    // The same client on the other sites: the Zhihu cookie never goes there.
    for p in [Platform::Douyin, Platform::Bilibili] {
        let (outcome, _) = Chain::for_platform(p).poll(&client).await;
        assert!(
            matches!(outcome, PollOutcome::Ok { .. }),
            "{p}: {outcome:?}"
        );
    }
    for r in [Route::DouyinLogin, Route::DouyinWeb, Route::BiliHotword] {
        let c = cookie_of(&server, r).unwrap_or_default();
        assert!(!c.contains("z_c0") && !c.contains("user-dc0"), "{r:?}: {c}");
    }
}

#[tokio::test]
async fn zhihu_without_a_cookie_names_the_cookie_to_set() {
    let server = server_with(archive_lines()).await;
    let client = client(&server, None);
    let zhihu = Chain::for_platform(Platform::Zhihu);
    // 101 comes as HTTP 401; 100 as Zhihu's error body with 200.
    for code in [101, 100] {
        server.set_fault(Route::ZhihuWeb, Fault::Envelope(code));
        let (_, attempts) = zhihu.poll(&client).await;
        match &attempts[0] {
            StepAttempt {
                endpoint: Endpoint::ZhihuHotListWeb,
                error: Some(SourceError::LoginRequired { hint }),
            } => assert!(hint.contains("RESOU_ZHIHU_COOKIE"), "{code}: {hint}"),
            other => panic!("{code}: {other:?}"),
        }
        assert_eq!(
            attempts[1],
            StepAttempt {
                endpoint: Endpoint::ZhihuHotListApp,
                error: None
            }
        );
    }
    assert_eq!(cookie_of(&server, Route::ZhihuWeb), None);
}

#[tokio::test]
async fn bilibili_falls_to_the_signed_endpoint() {
    let server = server_with(archive_lines()).await;
    let client = client(&server, None);
    let bili = Chain::for_platform(Platform::Bilibili);

    let (outcome, _) = bili.poll(&client).await;
    let (snap, line) = served_ok(&server, outcome, Endpoint::BilibiliHotword);
    let queries: Vec<_> = snap
        .ranked
        .iter()
        .map(|t| t.query.as_ref().map(|q| q.as_str().to_string()))
        .collect();
    let served: Vec<_> = line.items.iter().map(|i| i.query.clone()).collect();
    assert_eq!(queries, served, "keywords kept apart from the shown names");
    assert!(
        snap.ranked
            .iter()
            .any(|t| t.query.as_ref().unwrap().as_str() != t.title.as_str()),
        "the archive has rows whose keyword differs from the title"
    );

    server.set_fault(Route::BiliHotword, Fault::Status(412));
    let (outcome, attempts) = bili.poll(&client).await;
    assert_eq!(
        steps(&attempts)[0],
        (Endpoint::BilibiliHotword, Some(SourceError::Status(412)))
    );
    // The served BL3 carries a promoted row: it is dropped, and the titles match the list.
    served_ok(&server, outcome, Endpoint::BilibiliTrending);

    server.set_fault(Route::BiliTrending, Fault::Envelope(-352));
    let (outcome, attempts) = bili.poll(&client).await;
    assert_eq!(
        steps(&attempts),
        [
            (Endpoint::BilibiliHotword, Some(SourceError::Status(412))),
            (
                Endpoint::BilibiliTrending,
                Some(SourceError::Envelope {
                    code: -352,
                    msg: "风控校验失败".into()
                })
            ),
            (Endpoint::BilibiliSquare, None),
        ]
    );
    served_ok(&server, outcome, Endpoint::BilibiliSquare);
    assert_eq!(server.hits(Route::BiliNav), 1);
    let (outcome, _) = bili.poll(&client).await;
    served_ok(&server, outcome, Endpoint::BilibiliSquare);
    assert_eq!(server.hits(Route::BiliNav), 1, "the day's keys are reused");
    assert_eq!(server.hits(Route::BiliSquare), 2);
}

#[tokio::test]
async fn a_stale_signature_is_refused_by_name_then_renewed() {
    // Two days of the list: the server's WBI keys change with the day, as the real ones do.
    let day1 = archive_lines()
        .into_iter()
        .find(|l| l.platform == Platform::Bilibili)
        .unwrap();
    let mut day2 = day1.clone();
    day2.captured_at += chrono::Duration::days(1);
    let server = server_with(vec![day1, day2]).await;
    let client = client(&server, None);
    let bili = Chain::for_platform(Platform::Bilibili);
    server.set_fault(Route::BiliHotword, Fault::EmptyList);
    server.set_fault(Route::BiliTrending, Fault::EmptyList);

    let (outcome, _) = bili.poll(&client).await;
    served_ok(&server, outcome, Endpoint::BilibiliSquare);

    server.advance(); // the next day: yesterday's keys no longer sign
    let (outcome, attempts) = bili.poll(&client).await;
    let refused = SourceError::Other(bilibili::WBI_REFUSED.into());
    assert_eq!(
        steps(&attempts)[2],
        (Endpoint::BilibiliSquare, Some(refused.clone()))
    );
    assert_eq!(
        outcome,
        PollOutcome::Failed { error: refused },
        "named, and more telling than the empty lists"
    );
    assert_eq!(server.hits(Route::BiliNav), 1);

    let (outcome, _) = bili.poll(&client).await;
    served_ok(&server, outcome, Endpoint::BilibiliSquare);
    assert_eq!(
        server.hits(Route::BiliNav),
        2,
        "the refused keys were dropped and fetched anew"
    );
}

#[tokio::test]
async fn replay_bl2_refuses_unsigned_requests() {
    let server = server_with(archive_lines()).await;
    let url = format!(
        "{}/x/web-interface/wbi/search/square?limit=50&platform=web&wts=1702204169&w_rid=8f6f2b5b3d485fe1886cec6a0be8c5d4",
        server.origin()
    );
    let body = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert_eq!(
        body,
        fixture("bilibili", "bl2_v_voucher_doc_example_2023-12.json").trim_end()
    );
}

#[tokio::test]
async fn a_handed_out_cookie_stays_on_its_site() {
    use std::sync::{Arc, Mutex};
    // www.douyin.com redirects to Douyin's app host: the cookie must not follow.
    /// (host meant, `Cookie` sent) per request.
    type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;
    let seen: Seen = Arc::default();
    let log = Arc::clone(&seen);
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let log = Arc::clone(&log);
        async move {
            let h = req.headers();
            let text = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).map(str::to_string);
            let host = text("x-forwarded-host").unwrap_or_default();
            log.lock().unwrap().push((host.clone(), text("cookie")));
            if host == "www.douyin.com" {
                axum::response::Response::builder()
                    .status(302)
                    .header("location", "https://aweme-lq.snssdk.com/elsewhere")
                    .body(axum::body::Body::empty())
                    .unwrap()
            } else {
                axum::response::Response::new(axum::body::Body::from("{}"))
            }
        }
    });
    let origin = support::serve(app).await;
    let client = HttpClient::new(&NetConfig {
        origin: Some(origin.clone()),
        ..NetConfig::default()
    })
    .unwrap();
    let cookie = Secret::new("passport_csrf_token=handed-out-value");
    let resp = client
        .get_with_cookie(
            "https://www.douyin.com/aweme/v1/web/hot/search/list/",
            resou::sources::http::Profile::ListApi(Platform::Douyin),
            &cookie,
        )
        .await
        .unwrap();
    assert_eq!(resp.final_url, "https://aweme-lq.snssdk.com/elsewhere");
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (
                "www.douyin.com".to_string(),
                Some("passport_csrf_token=handed-out-value".to_string())
            ),
            ("aweme-lq.snssdk.com".to_string(), None),
        ]
    );
    assert!(
        client
            // The loopback server itself, by address: a host of no site (and never rewritten).
            .get_with_cookie(
                &format!("{origin}/other-site"),
                resou::sources::http::Profile::ListApi(Platform::Douyin),
                &cookie
            )
            .await
            .is_err(),
        "no cookie for a host outside the known sites"
    );
    assert_eq!(seen.lock().unwrap().len(), 2, "and no request either");
}

// ---------- fuzzing: no panic, no empty success, clean text (see fuzz_parsers.rs) ----------

mod fuzz {
    use super::at;
    use crate::fuzz_parsers::list_ok;
    use resou::sources::{Endpoint, bilibili, douyin, zhihu};

    fuzz_list!(
        douyin_lists,
        "Douyin DY1/DY3/billboard",
        [
            fixture!("douyin/dy1_hot_search_list.json"),
            fixture!("douyin/dy3_app_hot_search_list.json"),
            fixture!("douyin/billboard_word.json")
        ],
        |b| {
            [
                Endpoint::DouyinWeb,
                Endpoint::DouyinApp,
                Endpoint::DouyinBillboard,
            ]
            .into_iter()
            .try_for_each(|e| list_ok(b, true, douyin::parse(e, b, at())))
        }
    );

    fuzz_list!(
        zhihu_json_lists,
        "Zhihu ZH1/ZH2",
        [
            fixture!("zhihu/zh1_hot_list_web.json"),
            fixture!("zhihu/zh2_hot_lists_total.json"),
            fixture!("zhihu/error_101_AuthenticationError.json")
        ],
        |b| {
            [Endpoint::ZhihuHotListWeb, Endpoint::ZhihuHotListApp]
                .into_iter()
                .try_for_each(|e| list_ok(b, true, zhihu::parse(e, b, at())))
        }
    );

    fuzz_list!(
        zhihu_billboard_page,
        "Zhihu ZH4",
        [fixture!("zhihu/zh4_billboard.html")],
        |b| { list_ok(b, false, zhihu::parse(Endpoint::ZhihuBillboard, b, at())) }
    );

    fuzz_list!(
        bilibili_lists,
        "Bilibili BL1/BL2/BL3",
        [
            fixture!("bilibili/bl1_hotword_2025-10-15.json"),
            fixture!("bilibili/bl1_hotword_doc_example_2022-09.json"),
            fixture!("bilibili/bl3_trending_ranking_doc_example_2023-07.json"),
            fixture!("bilibili/bl2_search_square_doc_example_2024-08.json"),
            fixture!("bilibili/bl2_v_voucher_doc_example_2023-12.json")
        ],
        |b| {
            [
                Endpoint::BilibiliHotword,
                Endpoint::BilibiliTrending,
                Endpoint::BilibiliSquare,
            ]
            .into_iter()
            .try_for_each(|e| list_ok(b, true, bilibili::parse(e, b, at())))
        }
    );
}
