//! Tieba drill-down: the pure parsers on the verbatim `/p/comment` fragment and on reconstructed
//! D2/D3 payloads (see tests/fixtures/drill_tieba/NOTES.md), every login wall, and the real
//! HttpClient end to end against the replay server, starting from a demo topic as the board has it.

use crate::support;

use chrono::{DateTime, FixedOffset, TimeZone};
use resou::domain::post::{DrillPage, DrillRequest, EntryKind, Run};
use resou::domain::{Platform, cst};
use resou::replay::{Fault, ReplayServer, Route, demo_data};
use resou::sources::SourceError;
use resou::sources::drill;
use resou::sources::http::HttpClient;
use resou::sources::tieba::drill::{
    parse_floors_html, parse_hot_message, parse_main, parse_sub_replies_html, parse_thread_list,
};
use resou::sources::tieba::parse_topic_list;

const FRAGMENT: &str = include_str!("../fixtures/drill_tieba/lzl_subreplies_fragment.html");
const HOT_MESSAGE: &str = include_str!("../fixtures/drill_tieba/hot_message.json");
const MAIN: &str = include_str!("../fixtures/drill_tieba/main.json");
const THREAD_PAGE: &str = include_str!("../fixtures/drill_tieba/thread_page.json");
const FLOORS: &str = include_str!("../fixtures/drill_tieba/floors_page.html");

fn now() -> DateTime<FixedOffset> {
    cst().with_ymd_and_hms(2025, 10, 15, 18, 0, 0).unwrap()
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<FixedOffset> {
    cst().with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn is_login(r: &Result<DrillPage, SourceError>) -> bool {
    matches!(r, Err(SourceError::LoginRequired { .. }))
}

// ---------- verbatim sub-reply fragment ----------

#[test]
fn sub_reply_fragment_names_times_escapes_and_pager() {
    let p = parse_sub_replies_html(FRAGMENT, "9200000000", "920000000002", "28345790", 1, now())
        .unwrap();
    assert_eq!(p.items.len(), 10);
    assert_eq!(p.total, Some(16));
    assert_eq!(
        p.next,
        Some(DrillRequest::TiebaSubReplies {
            tid: "9200000000".into(),
            pid: "920000000002".into(),
            fid: "28345790".into(),
            page: 2
        })
    );
    let first = &p.items[0];
    assert_eq!(first.kind, EntryKind::TiebaSubReply);
    assert_eq!(first.id, "150726504693");
    assert_eq!(first.author.name.as_str(), "heinzfrentzen");
    assert_eq!(
        first.author.id.as_deref(),
        Some("tb.1.b08d8f12.IR-tbLlZ2GkD6ARA-mfGOA")
    );
    assert_eq!(first.created_at, Some(at(2024, 8, 6, 22, 11)));
    // two smileys without alt text, nothing else
    assert_eq!(first.text.to_plain(), "[表情][表情]");
    assert!(first.text.0.iter().all(|r| matches!(r, Run::Emoji(_))));
    assert_eq!(
        first.url.as_deref(),
        Some("https://tieba.baidu.com/p/9200000000?pid=920000000002&cid=150726504693#150726504693")
    );
    // `\uXXXX` in entity-escaped JSON; padded content trimmed
    assert_eq!(p.items[1].author.name.as_str(), "可爱的搬运工94");
    assert_eq!(p.items[1].text.to_plain(), "陈芋汐水花也不小");
    // showname is the display name, not user_name (蚂蚁雅虎哈哈)
    assert_eq!(p.items[2].author.name.as_str(), "国际体坛巨星青椒肉丝");
    assert_eq!(p.items[2].created_at, Some(at(2024, 8, 6, 22, 12)));
    // surrogate pairs
    assert_eq!(p.items[7].author.name.as_str(), "不懂取啥名字😜");
    assert_eq!(p.items[8].author.name.as_str(), "💫泽赫拉💯");
    // "回复 <a>name</a> :text" keeps the name as a mention
    let reply = &p.items[6];
    assert_eq!(reply.author.name.as_str(), "静看蚂蚁上树");
    assert_eq!(
        reply.text.0[0],
        Run::Text(resou::domain::SafeText::line("回复"))
    );
    assert_eq!(
        reply.text.0[1],
        Run::Mention(resou::domain::SafeText::line("国际体坛巨星青椒肉丝"))
    );
    assert_eq!(reply.text.0[2].text(), ":吃酸黄瓜吃多了");
    assert_eq!(
        reply
            .text
            .0
            .iter()
            .filter(|r| matches!(r, Run::Emoji(_)))
            .count(),
        3
    );
    let ids: std::collections::HashSet<_> = p.items.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids.len(), 10);
    // last page: no next
    let last = parse_sub_replies_html(FRAGMENT, "1", "2", "", 2, now()).unwrap();
    assert_eq!(last.next, None);
}

// ---------- D2 (reconstructed) ----------

#[test]
fn hot_message_tokens_and_envelope_errors() {
    let hm = parse_hot_message(HOT_MESSAGE).unwrap();
    assert_eq!(hm.yuren_rand, "417233");
    assert_eq!(hm.pmy_topic_ext, "c2VhcmNo");
    assert_eq!(
        parse_hot_message(r#"{"no":"110003","error":"参数错误","data":{}}"#),
        Err(SourceError::Envelope {
            code: 110_003,
            msg: "参数错误".into()
        })
    );
    assert!(matches!(
        parse_hot_message(r#"{"error":"","data":{"yuren_rand":1}}"#),
        Err(SourceError::Decode(_))
    ));
    assert!(matches!(
        parse_hot_message(r#"{"no":0,"data":{"pmy_topic_ext":"x"}}"#),
        Err(SourceError::Decode(_))
    ));
    // HTML where JSON was expected
    assert_eq!(
        parse_hot_message("<html><body>贴吧</body></html>"),
        Err(SourceError::WrongBody("HTML page".into()))
    );
    assert!(matches!(
        parse_hot_message("<html><title>百度安全验证</title></html>"),
        Err(SourceError::LoginRequired { .. })
    ));
}

#[test]
fn main_threads_from_a_map_in_id_order_each_once() {
    let items = parse_main(MAIN).unwrap();
    let ids: Vec<&str> = items.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["9200000002", "9200000010", "9200000011"]);
    let t = &items[1];
    assert_eq!(t.kind, EntryKind::TiebaThread);
    assert_eq!(t.title.as_ref().unwrap().as_str(), "锐评IG为何不敌T1");
    assert_eq!(t.text.to_plain(), "锐评IG为何不敌T1 & 赛后");
    assert_eq!(t.author.name.as_str(), "茗花少帅");
    assert_eq!(t.author.id.as_deref(), Some("1234"));
    assert_eq!(t.likes, Some(12_000));
    assert_eq!(t.replies, Some(15));
    assert_eq!(t.pics, 2);
    assert_eq!(t.created_at.map(|d| d.timestamp()), Some(1_760_457_900));
    assert_eq!(
        t.url.as_deref(),
        Some("https://tieba.baidu.com/p/9200000010")
    );
    assert_eq!(
        t.open,
        Some(DrillRequest::TiebaFloors {
            tid: "9200000010".into(),
            page: 1
        })
    );
    // strings for numbers
    assert_eq!(items[0].replies, Some(3));
    assert_eq!(
        items[0].created_at.map(|d| d.timestamp()),
        Some(1_760_504_700)
    );
    // ESC stripped; a user_id that is not an id is dropped
    assert_eq!(
        items[2].title.as_ref().unwrap().as_str(),
        "T1战胜IG晋级S15瑞士轮"
    );
    assert_eq!(items[2].author.id, None);
}

#[test]
fn thread_pages_and_the_empty_terminator() {
    let items = parse_thread_list(THREAD_PAGE).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].author.name.as_str(), "静看蚂蚁上树");
    assert_eq!(items[0].likes, Some(7));
    assert!(
        parse_thread_list(r#"{"no":0,"error":"success","data":{"thread_list":[]}}"#)
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        parse_thread_list(r#"{"no":0,"data":{"thread_list":"none"}}"#),
        Err(SourceError::Decode(_))
    ));
    assert!(matches!(
        parse_thread_list(r#"{"no":1,"error":"x","data":{}}"#),
        Err(SourceError::Envelope { code: 1, .. })
    ));
    assert_eq!(
        parse_thread_list(r#"{"no":0,"data":{"thread_list":[{"#),
        Err(SourceError::Decode("truncated JSON".into()))
    );
}

// ---------- D3 floors (reconstructed) ----------

#[test]
fn floors_page_posts_smileys_ads_and_pager() {
    let p = parse_floors_html(FLOORS, "9200000010", 1, now()).unwrap();
    // the ad node and the broken data-field are skipped
    assert_eq!(p.items.len(), 2);
    let f1 = &p.items[0];
    assert_eq!(f1.kind, EntryKind::TiebaFloor);
    assert_eq!(f1.id, "150726400001");
    assert_eq!(f1.floor, Some(1));
    assert_eq!(f1.created_at, Some(at(2025, 10, 15, 0, 5)));
    assert_eq!(
        f1.text.0[0].text(),
        "锐评IG为何不敌T1\nS15揭幕战：T1入围赛3比1淘汰iG"
    );
    assert_eq!(
        f1.text.0[1],
        Run::Emoji(resou::domain::SafeText::line("[表情]"))
    );
    assert_eq!(f1.pics, 1);
    assert_eq!(f1.author.name.as_str(), "茗花少帅");
    assert_eq!(f1.author.id.as_deref(), Some("55667788"));
    assert!(f1.author.moderator);
    assert_eq!(f1.author.level, Some(12));
    assert_eq!(f1.open, None, "no sub-replies");
    assert_eq!(
        f1.url.as_deref(),
        Some("https://tieba.baidu.com/p/9200000010?pid=150726400001#150726400001")
    );
    let f2 = &p.items[1];
    assert_eq!(f2.floor, Some(2));
    assert_eq!(f2.author.name.as_str(), "国际体坛巨星青椒肉丝");
    assert_eq!(f2.text.to_plain(), "深度复盘IG如何止步入围赛[哈哈]");
    assert_eq!(f2.replies, Some(16));
    assert_eq!(
        f2.open,
        Some(DrillRequest::TiebaSubReplies {
            tid: "9200000010".into(),
            pid: "150726400002".into(),
            fid: "28345790".into(),
            page: 1
        })
    );
    assert_eq!(
        p.next,
        Some(DrillRequest::TiebaFloors {
            tid: "9200000010".into(),
            page: 2
        })
    );
    assert_eq!(
        parse_floors_html(FLOORS, "9200000010", 3, now())
            .unwrap()
            .next,
        None
    );
}

#[test]
fn login_walls_are_login_required() {
    let security = "<!DOCTYPE html><html><head><title>百度安全验证</title></head><body>网络不给力</body></html>";
    let passport = r#"<html><body><script>location.href="https://passport.baidu.com/v2/?login"</script></body></html>"#;
    for body in [
        "",
        "  ",
        "blocked",
        security,
        passport,
        r#"{"error_code":110001,"error_msg":"need login"}"#,
        r#"{"no":"4","error":"x"}"#,
    ] {
        assert!(
            is_login(&parse_floors_html(body, "1", 1, now())),
            "floors {body:?}"
        );
        assert!(
            is_login(&parse_sub_replies_html(body, "1", "2", "3", 1, now())),
            "sub-replies {body:?}"
        );
    }
}

#[test]
fn html_json_confusion_is_a_clear_error() {
    let json_ok = r#"{"no":0,"error":"success","data":{}}"#;
    assert_eq!(
        parse_floors_html(json_ok, "1", 1, now()),
        Err(SourceError::WrongBody(
            "JSON instead of an HTML page".into()
        ))
    );
    assert_eq!(
        parse_sub_replies_html("[1,2]", "1", "2", "3", 1, now()),
        Err(SourceError::WrongBody(
            "JSON instead of an HTML page".into()
        ))
    );
    assert!(matches!(
        parse_floors_html("<html><body><p>贴吧首页</p></body></html>", "1", 1, now()),
        Err(SourceError::WrongBody(m)) if m.contains("floors")
    ));
    assert!(matches!(parse_main(FLOORS), Err(SourceError::WrongBody(_))));
}

#[test]
fn hostile_pages_never_panic() {
    let deep = format!("{}x{}", "<div>".repeat(20_000), "</div>".repeat(10));
    let truncated = &FLOORS[..FLOORS.len() / 2];
    for body in [
        deep.as_str(),
        truncated,
        "<li class=\"lzl_single_post\" data-field='{\"spid\":\"1\"}'>",
        "\u{1b}]0;x\u{7}",
    ] {
        let _ = parse_floors_html(body, "1", 1, now());
        let _ = parse_sub_replies_html(body, "1", "2", "3", 1, now());
    }
    // ids go into URLs: anything but digits is refused before a request is built
    assert!(parse_floors_html(FLOORS, "1/../x", 1, now()).is_err());
    let deep_post = format!(
        "<div class=\"p_postlist\"><div data-field='{{\"content\":{{\"post_id\":1}}}}'><div class=\"d_post_content\">{}深{}</div></div></div>",
        "<span>".repeat(5_000),
        "</span>".repeat(5_000)
    );
    let p = parse_floors_html(&deep_post, "1", 1, now()).unwrap();
    assert_eq!(p.items[0].text.to_plain(), "深");
}

// ---------- end to end: demo topic → replay server → HttpClient ----------

async fn server() -> ReplayServer {
    let d = demo_data().expect("demo data");
    support::replay(Vec::new(), d.tieba).await
}

fn client(s: &ReplayServer) -> HttpClient {
    support::replay_client(s)
}

/// The board's first Tieba topic as the B1 parser makes it: `platform_id` holds `topic_id`,
/// `title` the topic name (also in `url`'s `topic_name`).
async fn first_topic(c: &HttpClient) -> DrillRequest {
    let resp = c
        .get(
            "https://tieba.baidu.com/hottopic/browse/topicList",
            resou::sources::http::Profile::Tieba,
        )
        .await
        .unwrap();
    let snap = parse_topic_list(&resp.body, resp.captured_at()).unwrap();
    assert_eq!(snap.platform, Platform::Tieba);
    let t = &snap.ranked[0];
    let topic_id = t.platform_id.clone().expect("B1 topic_id");
    assert!(
        t.url
            .as_deref()
            .unwrap()
            .contains(&format!("topic_id={topic_id}"))
    );
    DrillRequest::TiebaThreads {
        topic_id,
        topic_name: t.title.as_str().to_string(),
        page: 1,
        yuren_rand: None,
        pmy_topic_ext: None,
    }
}

async fn all_pages(c: &HttpClient, first: DrillRequest) -> Vec<DrillPage> {
    let mut pages = Vec::new();
    let mut req = Some(first);
    while let Some(r) = req {
        let p = drill::fetch(c, &r, now())
            .await
            .unwrap_or_else(|e| panic!("{r:?}: {e}"));
        req = p.next.clone();
        pages.push(p);
        assert!(pages.len() < 20, "paging does not end");
    }
    pages
}

#[tokio::test]
async fn demo_topic_threads_floors_and_sub_replies_end_to_end() {
    let s = server().await;
    let c = client(&s);
    let req = first_topic(&c).await;
    let DrillRequest::TiebaThreads {
        topic_name,
        topic_id,
        ..
    } = &req
    else {
        unreachable!()
    };
    let (topic_name, topic_id) = (topic_name.clone(), topic_id.clone());

    let pages = all_pages(&c, req).await;
    assert!(pages.len() >= 2);
    assert!(
        pages.last().unwrap().items.is_empty(),
        "an empty list ends the listing"
    );
    // later pages carry the tokens from hotMessage; hotMessage is asked once
    match &pages[0].next {
        Some(DrillRequest::TiebaThreads {
            page: 2,
            yuren_rand: Some(_),
            pmy_topic_ext: Some(_),
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(s.hits(Route::TiebaHotMessage), 1);
    assert_eq!(s.hits(Route::TiebaHotMessageMain), 1);
    let ua = s.last_headers(Route::TiebaHotMessage).unwrap()["user-agent"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(ua.contains("tieba/"), "{ua}");
    let threads: Vec<_> = pages.iter().flat_map(|p| p.items.clone()).collect();
    let ids: std::collections::HashSet<_> = threads.iter().map(|t| t.id.clone()).collect();
    assert_eq!(ids.len(), threads.len(), "no thread twice");
    // thread 1 is the topic's own discussion thread
    let first = &threads[0];
    assert_eq!(first.title.as_ref().unwrap().as_str(), topic_name);

    // floors of that thread, every page
    let open = first.open.clone().expect("a thread opens its floors");
    let floor_pages = all_pages(&c, open).await;
    let floors: Vec<_> = floor_pages.iter().flat_map(|p| p.items.clone()).collect();
    assert_eq!(
        Some(floors.len() as u64),
        first.replies,
        "post_num = floors served"
    );
    assert_eq!(floors[0].text.to_plain(), topic_name);
    assert!(floors.windows(2).all(|w| w[0].floor < w[1].floor));
    assert!(
        floors
            .iter()
            .all(|f| f.created_at.is_some() && !f.author.name.is_empty())
    );

    // sub-replies of floor 2: the verbatim fragment, then page 2
    let sub = floors[1].open.clone().expect("floor 2 has sub-replies");
    match &sub {
        DrillRequest::TiebaSubReplies { fid, .. } => assert_eq!(fid, &topic_id),
        other => panic!("{other:?}"),
    }
    let sub_pages = all_pages(&c, sub).await;
    assert_eq!(sub_pages.len(), 2);
    assert_eq!(sub_pages[0].items[0].author.name.as_str(), "heinzfrentzen");
    assert_eq!(sub_pages[0].total, Some(16));
    let n: usize = sub_pages.iter().map(|p| p.items.len()).sum();
    assert_eq!(n as u64, sub_pages[0].total.unwrap());
}

#[tokio::test]
async fn faults_become_the_right_errors() {
    let s = server().await;
    let c = client(&s);
    let req = first_topic(&c).await;
    let page1 = drill::fetch(&c, &req, now()).await.unwrap();
    let floors = DrillRequest::TiebaFloors {
        tid: page1.items[0].id.clone(),
        page: 1,
    };
    let floor_page = drill::fetch(&c, &floors, now()).await.unwrap();
    let sub = floor_page.items[1].open.clone().unwrap();

    s.set_fault(Route::TiebaThreadPage, Fault::Status(403));
    assert_eq!(
        drill::fetch(&c, &floors, now()).await,
        Err(SourceError::Status(403))
    );
    // A walled PC page falls back to the app API (tests/sources/tieba_app.rs); wall that too here.
    s.set_fault(Route::TiebaAppPage, Fault::Envelope(110_001));
    s.set_fault(Route::TiebaThreadPage, Fault::LoginRedirect);
    assert!(is_login(&drill::fetch(&c, &floors, now()).await));
    s.set_fault(Route::TiebaThreadPage, Fault::Envelope(110_001));
    assert!(is_login(&drill::fetch(&c, &floors, now()).await));
    s.set_fault(Route::TiebaThreadPage, Fault::HtmlInsteadOfJson);
    assert_eq!(
        drill::fetch(&c, &floors, now()).await,
        Err(SourceError::WrongBody(
            "JSON instead of an HTML page".into()
        ))
    );
    s.set_fault(Route::TiebaSubReplies, Fault::LoginWall);
    assert!(is_login(&drill::fetch(&c, &sub, now()).await));
    s.set_fault(Route::TiebaHotMessage, Fault::Envelope(3));
    assert!(matches!(
        drill::fetch(&c, &req, now()).await,
        Err(SourceError::Envelope { code: 3, .. })
    ));
    s.clear_faults();
    s.set_fault(Route::TiebaHotMessageMain, Fault::HtmlInsteadOfJson);
    assert_eq!(
        drill::fetch(&c, &req, now()).await,
        Err(SourceError::WrongBody("HTML page".into()))
    );
    s.set_fault(Route::TiebaHotMessageMain, Fault::Truncated);
    assert!(matches!(
        drill::fetch(&c, &req, now()).await,
        Err(SourceError::Decode(_))
    ));
    s.clear_faults();
    assert!(drill::fetch(&c, &floors, now()).await.is_ok());
}
