//! Weibo drill-down: the pure parsers on fixtures (tests/fixtures/drill_weibo/NOTES.md says which
//! are verbatim and which reconstructed), rich text, and the real HttpClient end to end against
//! the replay server's C1/C2/C3 routes (demo posts are real nateafish records).

use crate::support;

use chrono::{DateTime, FixedOffset};
use reqwest::header::{LOCATION, REFERER};
use resou::domain::post::{DrillPage, DrillRequest, EntryKind, PostTab, RichText, Run};
use resou::replay::{Fault, ReplayServer, Route};
use resou::sources::SourceError;
use resou::sources::drill;
use resou::sources::http::HttpClient;
use resou::sources::weibo::drill::{
    comments_url, parse_comments, parse_long_text, parse_posts, posts_url, rich_text_from_html,
};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/drill_weibo/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-08-15T19:00:00+08:00").unwrap()
}

fn posts_req(query: &str, page: u32) -> DrillRequest {
    DrillRequest::WeiboPosts {
        query: query.into(),
        tab: PostTab::Realtime,
        page,
    }
}

fn comments_req(mid: &str, max_id: Option<&str>) -> DrillRequest {
    DrillRequest::WeiboComments {
        mid: mid.into(),
        max_id: max_id.map(str::to_string),
        max_id_type: 0,
    }
}

fn runs(t: &RichText) -> Vec<(&'static str, String)> {
    t.0.iter()
        .map(|r| {
            let kind = match r {
                Run::Text(_) => "text",
                Run::Hashtag(_) => "tag",
                Run::Mention(_) => "at",
                Run::Emoji(_) => "emoji",
                Run::Link { .. } => "link",
            };
            (kind, r.text().to_string())
        })
        .collect()
}

// ---- C1 posts ------------------------------------------------------------------

#[test]
fn verbatim_timeline_card_parses_post_author_counts_and_emoji() {
    let page = parse_posts(
        &fixture("timeline_cards_excerpt.json"),
        &posts_req("q", 1),
        now(),
    )
    .unwrap();
    assert_eq!(page.total, Some(1012));
    assert_eq!(page.items.len(), 1);
    let e = &page.items[0];
    assert_eq!(e.kind, EntryKind::WeiboPost);
    assert_eq!(e.id, "4383183661430868");
    assert_eq!(
        e.url.as_deref(),
        Some("https://m.weibo.cn/detail/4383183661430868")
    );
    assert_eq!(e.author.name.as_str(), "Dear-迪丽热巴");
    assert_eq!(e.author.id.as_deref(), Some("1669879400"));
    assert_eq!(e.author.verified_type, Some(0));
    // trailing U+3000 trimmed
    assert_eq!(
        e.author.verified_reason.as_ref().map(|r| r.as_str()),
        Some("嘉行传媒签约演员")
    );
    assert_eq!(e.author.followers, Some(63_356_825));
    assert_eq!(
        (e.reposts, e.replies, e.likes),
        (Some(240_492), Some(95_535), Some(348_872))
    );
    assert!(e.pics >= 2, "pics {}", e.pics);
    assert!(!e.truncated);
    // "06-14": month-day without year, read relative to now
    assert_eq!(
        e.created_at
            .map(|t| t.format("%m-%d").to_string())
            .as_deref(),
        Some("06-14")
    );
    assert_eq!(
        runs(&e.text),
        vec![
            ("text", "搬完这块砖，就可以吃好吃的了".to_string()),
            ("emoji", "[偷笑]".to_string()),
            ("emoji", "[偷笑]".to_string()),
            ("emoji", "[偷笑]".to_string()),
        ]
    );
    assert_eq!(
        e.open,
        Some(DrillRequest::WeiboComments {
            mid: "4383183661430868".into(),
            max_id: None,
            max_id_type: 0
        })
    );
    assert_eq!(page.next, Some(posts_req("q", 2)));
}

#[test]
fn card_groups_string_counts_object_pics_and_null_quote_users() {
    let page = parse_posts(
        &fixture("search_card_group.json"),
        &posts_req("#话题#", 3),
        now(),
    )
    .unwrap();
    assert_eq!(page.total, Some(36));
    // group member, top-level card; the id-less card and the duplicate are skipped
    let ids: Vec<&str> = page.items.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["5330811658441166", "5332233373356394"]);
    let cctv = &page.items[0];
    assert_eq!(cctv.author.name.as_str(), "央视新闻");
    assert_eq!(cctv.author.verified_type, Some(3));
    assert_eq!(cctv.author.followers, Some(12_000));
    assert_eq!(
        cctv.author.region.as_ref().map(|r| r.as_str()),
        Some("北京")
    );
    assert_eq!(
        (cctv.reposts, cctv.replies, cctv.likes),
        (Some(12_000), Some(3456), Some(1_000_000))
    );
    assert_eq!(cctv.pics, 2);
    assert!(cctv.truncated);
    assert_eq!(
        cctv.created_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-08-11T19:33:24+08:00")
    );
    let r = runs(&cctv.text);
    assert_eq!(r[0], ("tag", "#千年古城墙成功抵御洪水#".to_string()));
    assert_eq!(r[1], ("text", "\n【\n".to_string()));
    assert_eq!(
        r[2],
        ("tag", "#1600岁古城墙扛住白海豚拦下洪水#".to_string())
    );
    assert_eq!(r.last().unwrap(), &("link", "全文".to_string()));
    let second = &page.items[1];
    assert_eq!(
        second.created_at,
        Some(now() - chrono::Duration::minutes(38))
    );
    assert_eq!(second.replies, None);
    assert_eq!(second.pics, 0);
    // U+200B at the end is gone
    assert!(!second.text.to_plain().contains('\u{200B}'));
    let quoted = second.quoted.as_ref().expect("retweeted_status");
    assert_eq!(quoted.id, "5332233994898679");
    assert!(quoted.author.name.is_empty());
    assert!(quoted.text.to_plain().contains("专机多贵"));
    assert_eq!(page.next, Some(posts_req("#话题#", 4)));
}

#[test]
fn listing_ends_and_failures_are_classified() {
    let end = parse_posts(&fixture("no_content.json"), &posts_req("q", 1), now()).unwrap();
    assert_eq!(
        end,
        DrillPage {
            items: vec![],
            next: None,
            total: None
        }
    );
    let empty_cards = r#"{"ok":1,"data":{"cardlistInfo":{"total":0},"cards":[]}}"#;
    let p = parse_posts(empty_cards, &posts_req("q", 4), now()).unwrap();
    assert!(p.items.is_empty() && p.next.is_none());
    assert!(matches!(
        parse_posts(&fixture("login_expired.json"), &posts_req("q", 1), now()),
        Err(SourceError::LoginRequired { .. })
    ));
    assert_eq!(
        parse_posts(&fixture("captcha.json"), &posts_req("q", 1), now()),
        Err(SourceError::Captcha)
    );
    // an explicit ok:-100 beside a url is a login wall, not a captcha
    assert!(matches!(
        parse_comments(
            r#"{"ok":-100,"url":"https://passport.weibo.cn/signin/welcome"}"#,
            &comments_req("1", None),
            now()
        ),
        Err(SourceError::LoginRequired { .. })
    ));
    assert_eq!(
        parse_posts(&fixture("html_body.html"), &posts_req("q", 1), now()),
        Err(SourceError::WrongBody("HTML page".into()))
    );
    // ok:0 with another message is an error, not an end
    assert!(matches!(
        parse_posts(
            r#"{"ok":0,"msg":"请求过于频繁"}"#,
            &posts_req("q", 1),
            now()
        ),
        Err(SourceError::Envelope { code: 0, .. })
    ));
    assert!(matches!(
        parse_posts(
            r#"{"ok":1,"data":{"cards":"x"}}"#,
            &posts_req("q", 1),
            now()
        ),
        Err(SourceError::Decode(_))
    ));
}

#[test]
fn hostile_shapes_never_panic() {
    let bodies = [
        r#"{"ok":1,"data":{"cards":[null,1,"x",{"card_type":9,"mblog":null},{"card_type":"9","mblog":{"id":1.5e300,"user":[],"text":7,"pics":"0","reposts_count":-3,"created_at":{}}},{"card_group":{"a":1}}]}}"#,
        r#"{"ok":1,"data":{"cards":[{"card_type":9,"mblog":{"mid":"12 34","retweeted_status":{"retweeted_status":{"id":"1"}}}}]}}"#,
        r#"{"ok":"1","data":null}"#,
        r#"[1,2]"#,
        "",
        r#"{"ok":1,"data":{"cards":[{"card_type":9,"mblog":{"id":"1","text":"<a href=javascript:alert(1)>x</a><span class=url-icon><img alt="#,
    ];
    for b in bodies {
        let _ = parse_posts(b, &posts_req("q", 1), now());
        let _ = parse_comments(b, &comments_req("1", None), now());
        let _ = parse_long_text(b, "1", now());
    }
    let p = parse_posts(bodies[0], &posts_req("q", 1), now()).unwrap();
    // the only mblog with an id is a float too large to be an id string of digits only
    assert!(
        p.items
            .iter()
            .all(|e| e.id.chars().all(|c| c.is_ascii_alphanumeric()))
    );
}

// ---- C3 comments -------------------------------------------------------------------

#[test]
fn comments_page_with_inline_replies_and_cursor() {
    let page = parse_comments(
        &fixture("comments_p1.json"),
        &comments_req("5332199295682404", None),
        now(),
    )
    .unwrap();
    assert_eq!(page.total, Some(4));
    assert_eq!(page.items.len(), 2);
    let c = &page.items[0];
    assert_eq!(c.kind, EntryKind::WeiboComment);
    assert_eq!(c.id, "5332200000000001");
    assert_eq!(c.author.name.as_str(), "津云新闻");
    assert_eq!(c.likes, Some(12));
    assert_eq!(c.replies, Some(2));
    assert_eq!(c.author.region.as_ref().map(|r| r.as_str()), Some("天津"));
    assert_eq!(
        c.url.as_deref(),
        Some("https://m.weibo.cn/detail/5332199295682404")
    );
    assert_eq!(
        c.created_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-08-15T15:27:22+08:00")
    );
    // only the well-formed inline reply survives
    assert_eq!(c.inline_replies.len(), 1);
    assert_eq!(c.inline_replies[0].author.name.as_str(), "夕颜徵沐_");
    assert_eq!(c.inline_replies[0].likes, Some(3));
    // string id, null like_count, null comments
    let d = &page.items[1];
    assert_eq!(d.id, "5332200000000003");
    assert_eq!(d.likes, None);
    assert!(d.inline_replies.is_empty());
    assert_eq!(
        page.next,
        Some(comments_req("5332199295682404", Some("138453897939484")))
    );
}

#[test]
fn comments_end_at_max_id_zero_number_or_string() {
    let mid = "5332199295682404";
    let req = comments_req(mid, Some("138453897939484"));
    let p2 = parse_comments(&fixture("comments_p2.json"), &req, now()).unwrap();
    assert_eq!(p2.items.len(), 1);
    assert_eq!(p2.items[0].likes, Some(12_000));
    assert!(p2.items[0].inline_replies.is_empty(), "comments: false");
    assert_eq!(p2.next, None);
    let s = parse_comments(&fixture("comments_string_end.json"), &req, now()).unwrap();
    assert_eq!(s.items.len(), 1);
    assert_eq!(s.next, None);
    // A non-zero cursor as a string continues, with the page's max_id_type.
    let body =
        r#"{"ok":1,"data":{"data":[{"id":"9","text":"x"}],"max_id":"77","max_id_type":"1"}}"#;
    assert_eq!(
        parse_comments(body, &comments_req(mid, None), now())
            .unwrap()
            .next,
        Some(DrillRequest::WeiboComments {
            mid: mid.into(),
            max_id: Some("77".into()),
            max_id_type: 1
        })
    );
    // A cursor that does not move ends the listing instead of looping.
    assert_eq!(
        parse_comments(body, &comments_req(mid, Some("77")), now())
            .unwrap()
            .next,
        None
    );
}

#[test]
fn no_comments_is_an_empty_first_page() {
    let p = parse_comments(
        &fixture("comments_none.json"),
        &comments_req("1", None),
        now(),
    )
    .unwrap();
    assert!(p.items.is_empty() && p.next.is_none());
    // on a later page the same answer is an error
    assert!(matches!(
        parse_comments(
            &fixture("comments_none.json"),
            &comments_req("1", Some("5")),
            now()
        ),
        Err(SourceError::Envelope { .. })
    ));
    assert!(matches!(
        parse_comments(
            &fixture("login_expired.json"),
            &comments_req("1", None),
            now()
        ),
        Err(SourceError::LoginRequired { .. })
    ));
}

// ---- C2 long text --------------------------------------------------------------------

#[test]
fn long_text_from_render_data_and_extend() {
    let mid = "5330811658441166";
    let page = parse_long_text(&fixture("detail_render_data.html"), mid, now()).unwrap();
    assert_eq!(page.next, None);
    assert_eq!(page.items.len(), 1);
    let e = &page.items[0];
    assert_eq!(e.id, mid);
    assert!(!e.truncated);
    assert_eq!(e.author.name.as_str(), "央视新闻");
    let plain = e.text.to_plain();
    assert!(plain.ends_with("央视新闻的微博视频"), "{plain}");
    assert!(
        runs(&e.text).contains(&("at", "@无限临海".to_string())),
        "{:?}",
        runs(&e.text)
    );
    let ext = parse_long_text(&fixture("extend.json"), mid, now()).unwrap();
    assert_eq!(ext.items[0].id, mid);
    assert_eq!(ext.items[0].text.to_plain(), plain);
    // a page for another post, or one without $render_data, is refused
    assert!(matches!(
        parse_long_text(&fixture("detail_render_data.html"), "1", now()),
        Err(SourceError::Decode(_))
    ));
    assert_eq!(
        parse_long_text(&fixture("html_body.html"), mid, now()),
        Err(SourceError::WrongBody("HTML page".into()))
    );
    let cut = fixture("detail_render_data.html");
    let cut = &cut[..cut.find("isLongText").unwrap()];
    assert_eq!(
        parse_long_text(cut, mid, now()),
        Err(SourceError::Decode("truncated $render_data".into()))
    );
}

// ---- rich text -----------------------------------------------------------------------

#[test]
fn rich_text_runs() {
    let html = concat!(
        "看<a  href=\"https://m.weibo.cn/search?containerid=231522type%3D1%26q%3D%23A%23\"><span class=\"surl-text\">#台风 白海豚#</span></a> ",
        "by <a href='/n/新华社'>@新华社</a>&nbsp;&amp; ",
        "<span class=\"url-icon\"><img alt=[偷笑] src=\"//h5.sinaimg.cn/x.png\" /></span>",
        "<br />第二行 <a href=\"https://t.cn/A6abc\"><span class=\"url-icon\"><img src=\"x\"></span><span class=\"surl-text\">网页链接</span></a>",
        "<a href=\"/status/5330811658441166\">全文</a>",
        "<a href=\"javascript:void(0)\">坏链接</a>"
    );
    let t = rich_text_from_html(html);
    assert_eq!(
        runs(&t),
        vec![
            ("text", "看".to_string()),
            ("tag", "#台风 白海豚#".to_string()),
            ("text", " by ".to_string()),
            ("at", "@新华社".to_string()),
            ("text", " & ".to_string()),
            ("emoji", "[偷笑]".to_string()),
            ("text", "\n第二行 ".to_string()),
            ("link", "网页链接".to_string()),
            ("link", "全文".to_string()),
            ("text", "坏链接".to_string()),
        ]
    );
    let urls: Vec<&str> =
        t.0.iter()
            .filter_map(|r| match r {
                Run::Link { url, .. } => Some(url.as_str()),
                _ => None,
            })
            .collect();
    assert_eq!(
        urls,
        [
            "https://t.cn/A6abc",
            "https://m.weibo.cn/status/5330811658441166"
        ]
    );
}

#[test]
fn entity_encoded_escapes_are_stripped() {
    let t = rich_text_from_html(
        "红&#27;[31m色&#x1b;]0;title&#7;字 <a href='/n/x&#27;[2J'>@x&#27;[2J</a>",
    );
    let plain = t.to_plain();
    assert!(!plain.chars().any(|c| c.is_control()), "{plain:?}");
    assert!(plain.starts_with("红色"), "{plain:?}");
    assert!(
        runs(&t).contains(&("at", "@x".to_string())),
        "{:?}",
        runs(&t)
    );
    // broken markup gives what it can
    assert_eq!(rich_text_from_html("<a href=").to_plain(), "");
    assert_eq!(rich_text_from_html("a < b <span").to_plain(), "a < b");
}

#[test]
fn request_urls() {
    assert_eq!(
        posts_url("#台风#", 61, 2),
        "https://m.weibo.cn/api/container/getIndex?containerid=100103type%3D61%26q%3D%23%E5%8F%B0%E9%A3%8E%23&page_type=searchall&page=2"
    );
    assert_eq!(
        comments_url("123", Some("456"), 1),
        "https://m.weibo.cn/comments/hotflow?id=123&mid=123&max_id_type=1&max_id=456"
    );
}

// ---- end to end against the replay server -----------------------------------------------

/// A demo-day topic (36 archived posts).
const TOPIC: &str = "#原来活体器官运输不是专门的飞机#";
const TOPIC_POSTS: usize = 36;

async fn server() -> ReplayServer {
    support::replay(Vec::new(), Vec::new()).await
}

/// No user cookie: the client runs the visitor flow against the server, as live.
fn client(s: &ReplayServer) -> HttpClient {
    support::replay_client(s)
}

/// Every page of a listing, following `next`.
async fn all_pages(c: &HttpClient, first: DrillRequest) -> Vec<DrillPage> {
    let mut out = Vec::new();
    let mut req = Some(first);
    while let Some(r) = req {
        let page = drill::fetch(c, &r, now()).await.expect("page");
        req = page.next.clone();
        out.push(page);
        assert!(out.len() < 50, "listing never ends");
    }
    out
}

#[tokio::test]
async fn demo_topic_posts_page_to_the_end_with_real_authors() {
    let s = server().await;
    let c = client(&s);
    let pages = all_pages(&c, posts_req(TOPIC, 1)).await;
    // 10 a page, then the empty "这里还没有内容" page ends it
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [10, 10, 10, 6, 0]);
    let first = &pages[0].items[0];
    // newest archived post of the topic
    assert_eq!(first.id, "5332257478803780");
    assert_eq!(first.author.name.as_str(), "秋水逢夷舟");
    assert!(
        first
            .text
            .0
            .iter()
            .any(|r| *r == Run::Hashtag(resou::domain::SafeText::line(TOPIC)))
    );
    // relative archive time "16秒前", read against now
    assert_eq!(
        first.created_at,
        Some(now() - chrono::Duration::seconds(16))
    );
    let mut ids: Vec<&str> = pages
        .iter()
        .flat_map(|p| &p.items)
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(ids.len(), TOPIC_POSTS);
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), TOPIC_POSTS, "no post served twice");
    assert_eq!(pages[0].total, Some(TOPIC_POSTS as u64));
    // Hot tab: the same posts, longest first
    let hot = drill::fetch(
        &c,
        &DrillRequest::WeiboPosts {
            query: TOPIC.into(),
            tab: PostTab::Hot,
            page: 1,
        },
        now(),
    )
    .await
    .unwrap();
    assert!(hot.items[0].truncated, "the longest post is a long one");
    assert_ne!(hot.items[0].id, first.id);
}

#[tokio::test]
async fn comments_page_until_max_id_zero_and_long_text_is_whole() {
    let s = server().await;
    let c = client(&s);
    let page = drill::fetch(&c, &posts_req(TOPIC, 1), now()).await.unwrap();
    let post = &page.items[0];
    let open = post.open.clone().expect("comments request");
    let pages = all_pages(&c, open).await;
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [5, 3]);
    let comments: Vec<_> = pages.iter().flat_map(|p| &p.items).collect();
    assert_eq!(post.replies, Some(comments.len() as u64));
    assert!(comments.iter().all(|c| c.kind == EntryKind::WeiboComment
        && c.id != post.id
        && !c.author.name.is_empty()
        && c.text.to_plain().chars().count() <= 140));
    // the comments request carries the post page as Referer
    let h = s.last_headers(Route::WeiboComments).unwrap();
    assert_eq!(
        h[REFERER].to_str().unwrap(),
        format!("https://m.weibo.cn/detail/{}", post.id)
    );

    // A long post: cut on the list page, whole from the post page.
    let long = all_pages(&c, posts_req(TOPIC, 1))
        .await
        .into_iter()
        .flat_map(|p| p.items)
        .find(|e| e.truncated)
        .expect("a long post in the topic");
    let cut = long.text.to_plain();
    assert!(cut.ends_with("全文"), "{cut}");
    let full = drill::fetch(
        &c,
        &DrillRequest::WeiboLongText {
            mid: long.id.clone(),
        },
        now(),
    )
    .await
    .unwrap();
    assert_eq!(full.items.len(), 1);
    let whole = full.items[0].text.to_plain();
    assert_eq!(full.items[0].id, long.id);
    assert!(whole.chars().count() > 140, "{whole}");
    let head: String = cut
        .trim_end_matches("全文")
        .trim_end_matches("...")
        .to_string();
    assert!(whole.starts_with(head.trim_end()), "{head:?} / {whole:?}");
    assert_eq!(s.hits(Route::WeiboLongText), 0, "the post page was enough");

    // Without a post page the JSON fallback answers with the same text.
    s.set_fault(Route::WeiboDetail, Fault::HtmlInsteadOfJson);
    let again = drill::fetch(
        &c,
        &DrillRequest::WeiboLongText {
            mid: long.id.clone(),
        },
        now(),
    )
    .await
    .unwrap();
    assert_eq!(again.items[0].text.to_plain(), whole);
    assert_eq!(s.hits(Route::WeiboLongText), 1);
}

#[tokio::test]
async fn faults_on_drill_routes_give_the_right_errors() {
    let s = server().await;
    let c = client(&s);
    let req = posts_req(TOPIC, 1);
    let cases = [
        (Fault::Status(432), SourceError::Status(432)),
        (Fault::Captcha, SourceError::Captcha),
        (
            Fault::HtmlInsteadOfJson,
            SourceError::WrongBody("HTML page".into()),
        ),
        (
            Fault::Truncated,
            SourceError::Decode("truncated JSON".into()),
        ),
    ];
    for (fault, want) in cases {
        s.set_fault(Route::WeiboPosts, fault.clone());
        assert_eq!(drill::fetch(&c, &req, now()).await, Err(want), "{fault:?}");
    }
    s.set_fault(Route::WeiboPosts, Fault::Envelope(-100));
    assert!(matches!(
        drill::fetch(&c, &req, now()).await,
        Err(SourceError::LoginRequired { .. })
    ));
    s.set_fault(Route::WeiboPosts, Fault::EmptyList);
    let empty = drill::fetch(&c, &req, now()).await.unwrap();
    assert!(empty.items.is_empty() && empty.next.is_none());
    s.clear_faults();
    s.set_fault(Route::WeiboComments, Fault::Status(432));
    assert_eq!(
        drill::fetch(&c, &comments_req("5332257478803780", None), now()).await,
        Err(SourceError::Status(432))
    );
    // the A3 hot list on the same path is unaffected by faults on the posts route
    s.clear_faults();
    s.set_fault(Route::WeiboPosts, Fault::Status(500));
    let _ = drill::fetch(&c, &req, now()).await;
    assert_eq!(s.hits(Route::Mobile), 0);
}

#[tokio::test]
async fn drill_routes_need_the_visitor_cookie() {
    let s = server().await;
    let raw = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = posts_url(TOPIC, 61, 1).replace("https://m.weibo.cn", &s.origin());
    let resp = raw.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    assert!(
        resp.headers()[LOCATION]
            .to_str()
            .unwrap()
            .contains("passport.weibo.com/visitor/")
    );
    // with the visitor flow the same request succeeds
    let page = drill::fetch(&client(&s), &posts_req(TOPIC, 1), now()).await;
    assert!(page.is_ok_and(|p| p.items.len() == 10));
}
