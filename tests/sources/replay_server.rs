//! The replay server on the wire: shapes checked with serde_json::Value (never with the
//! client parsers), headers, the visitor-cookie gate, the clock, faults and counters.

use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, Utc};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, DATE, LOCATION, SET_COOKIE};
use resou::domain::Platform;
use resou::domain::snapshot_file::{SnapshotItem, SnapshotLine};
use resou::replay::{ClockMode, Fault, ReplayConfig, ReplayServer, Route};
use serde_json::Value;

const HOT_SEARCH: &str = "/ajax/side/hotSearch";
const SUMMARY: &str = "/top/summary?cate=realtimehot";
const MOBILE: &str = "/api/container/getIndex?containerid=106003type%3D25%26t%3D3%26disable_hot%3D1%26filter_type%3Drealtimehot&title=%E5%BE%AE%E5%8D%9A%E7%83%AD%E6%90%9C";
const TIEBA: &str = "/hottopic/browse/topicList";

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn http_date(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&Utc)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

fn item(rank: Option<u32>, title: &str) -> SnapshotItem {
    SnapshotItem {
        rank,
        title: title.to_string(),
        query: None,
        heat: None,
        label: None,
        url: None,
        pinned: rank.is_none(),
        id: None,
    }
}

/// Weibo snapshot `i`: a pinned row and 26 ranked rows whose order rotates with `i`;
/// row 3 has no heat, labels cycle 新/热/爆/none.
fn weibo_line(i: usize) -> SnapshotLine {
    let mut items = vec![SnapshotItem {
        label: Some("热".into()),
        query: Some("#让思想之光照亮强军征程#".into()),
        ..item(None, "让思想之光照亮强军征程")
    }];
    for r in 1..=26u32 {
        let topic = (r as usize + i * 5) % 26;
        items.push(SnapshotItem {
            heat: (r != 3).then(|| 2_000_000 - u64::from(r) * 10_000),
            label: ["新", "热", "爆", ""][r as usize % 4].to_string().into(),
            query: (r == 2).then(|| "旺旺 配料表".to_string()),
            ..item(Some(r), &format!("话题{topic}"))
        });
    }
    SnapshotLine {
        captured_at: at(&format!("2026-08-15T{:02}:00:00+08:00", 10 + i)),
        platform: Platform::Weibo,
        items,
    }
}

fn tieba_line(i: usize) -> SnapshotLine {
    let items = (1..=5u32)
        .map(|r| SnapshotItem {
            url: Some(format!(
                "https://tieba.baidu.com/hottopic/browse/hottopic?topic_id={}&topic_name=x{r}",
                28345790 + r
            )),
            label: (r == 1).then(|| "新".to_string()),
            ..item(Some(r), &format!("贴吧话题{i}-{r}"))
        })
        .collect();
    SnapshotLine {
        captured_at: at(&format!("2025-10-15T{:02}:05:00+08:00", 8 + i)),
        platform: Platform::Tieba,
        items,
    }
}

async fn server(clock: ClockMode, step: Duration) -> ReplayServer {
    ReplayServer::start(ReplayConfig {
        lists: (0..3)
            .map(weibo_line)
            .chain((0..2).map(tieba_line))
            .collect(),
        step,
        clock,
    })
    .await
    .unwrap()
}

async fn manual() -> ReplayServer {
    server(ClockMode::Manual, Duration::from_secs(60)).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

async fn get(s: &ReplayServer, path: &str) -> reqwest::Response {
    client()
        .get(format!("{}{path}", s.origin()))
        .send()
        .await
        .unwrap()
}

async fn get_json(s: &ReplayServer, path: &str) -> (reqwest::header::HeaderMap, Value) {
    let r = get(s, path).await;
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers().clone();
    (
        h,
        serde_json::from_slice(&r.bytes().await.unwrap()).unwrap(),
    )
}

fn header(h: &reqwest::header::HeaderMap, name: reqwest::header::HeaderName) -> String {
    h.get(name).unwrap().to_str().unwrap().to_string()
}

/// The JSONP payload `window.cb && cb({...});` as JSON.
fn jsonp_body(body: &str, cb: &str) -> Value {
    let prefix = format!("window.{cb} && {cb}(");
    let inner = body
        .strip_prefix(&prefix)
        .and_then(|b| b.strip_suffix(");"))
        .unwrap_or_else(|| panic!("not {cb} JSONP: {body}"));
    serde_json::from_str(inner).unwrap()
}

#[tokio::test]
async fn a1_hot_search_shape_ad_pinned_and_date() {
    let s = manual().await;
    assert!(s.origin().starts_with("http://127.0.0.1:"));
    let (h, v) = get_json(&s, HOT_SEARCH).await;
    assert_eq!(header(&h, CONTENT_TYPE), "application/json; charset=utf-8");
    assert_eq!(header(&h, DATE), http_date(weibo_line(0).captured_at));
    assert_eq!(v["ok"], 1);
    let rt = v["data"]["realtime"].as_array().unwrap();
    assert_eq!(rt.len(), 27, "26 ranked rows plus one advert");
    let ad = &rt[3];
    assert_eq!(ad["is_ad"], 1);
    assert_eq!(ad["icon_desc"], "荐");
    assert_eq!(ad["num"], 0);
    let ranked: Vec<&Value> = rt.iter().filter(|r| r.get("is_ad").is_none()).collect();
    for (i, r) in ranked.iter().enumerate() {
        assert_eq!(r["realpos"], i + 1);
        assert_eq!(r["rank"], i);
        assert!(
            r["onboard_time"].as_i64().unwrap() >= weibo_line(0).captured_at.timestamp() - 3 * 3600
        );
    }
    assert_eq!(ranked[0]["word"], "话题1");
    assert_eq!(ranked[0]["word_scheme"], "#话题1#");
    assert_eq!(ranked[0]["num"], 1_990_000);
    assert_eq!(
        (
            ranked[0]["label_name"].as_str(),
            ranked[0]["is_hot"].as_i64()
        ),
        (Some("热"), Some(1))
    );
    assert_eq!(ranked[1]["word_scheme"], "旺旺 配料表");
    assert_eq!(ranked[1]["is_boom"], 1);
    assert!(
        ranked[2].get("num").is_none(),
        "no heat in the snapshot → no num"
    );
    assert_eq!(
        (
            ranked[2]["icon_desc"].as_str(),
            ranked[2]["is_new"].as_i64()
        ),
        (Some(""), Some(0))
    );
    assert_eq!(
        (
            ranked[3]["icon_desc"].as_str(),
            ranked[3]["is_new"].as_i64()
        ),
        (Some("新"), Some(1))
    );
    assert_eq!(ranked[3].get("category").and_then(Value::as_str), Some(""));
    assert_eq!(v["data"]["hotgov"]["word"], "#让思想之光照亮强军征程#");
    assert_eq!(s.hits(Route::HotSearch), 1);
}

#[tokio::test]
async fn onboard_time_is_the_first_appearance_in_the_data() {
    let s = manual().await;
    s.set_index(2);
    let (_, v) = get_json(&s, HOT_SEARCH).await;
    // "话题11" is rank 1 in snapshot 2 and rank 11 in snapshot 0.
    let row = v["data"]["realtime"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["word"] == "话题11")
        .unwrap();
    assert_eq!(row["realpos"], 1);
    assert_eq!(row["onboard_time"], weibo_line(0).captured_at.timestamp());
}

#[tokio::test]
async fn a3_mobile_rows_as_the_verbatim_payload() {
    let s = manual().await;
    let (h, v) = get_json(&s, MOBILE).await;
    assert_eq!(header(&h, DATE), http_date(weibo_line(0).captured_at));
    assert_eq!(v["ok"], 1);
    let card = &v["data"]["cards"][0];
    assert_eq!(card["title"], "实时热点，每分钟更新一次");
    assert_eq!(card["card_type"], 11);
    let group = card["card_group"].as_array().unwrap();
    assert_eq!(group.len(), 27);
    let pinned = &group[0];
    assert!(pinned["pic"].as_str().unwrap().contains("img_search_stick"));
    assert!(pinned.get("desc_extr").is_none());
    assert!(!pinned["scheme"].as_str().unwrap().contains("realpos"));
    let first = &group[1];
    assert_eq!(first["desc"], "话题1");
    assert_eq!(first["desc_extr"], "1990000");
    assert_eq!(
        first["pic"],
        "https://simg.s.weibo.com/20170303_img_search_1.png"
    );
    assert_eq!(
        first["icon"],
        "https://simg.s.weibo.com/moter/flags/2_0.png"
    );
    let scheme = first["scheme"].as_str().unwrap();
    assert!(scheme.contains("q%3D%23%E8%AF%9D%E9%A2%981%23"), "{scheme}");
    assert!(scheme.contains("realpos%3D1%26flag%3D2"), "{scheme}");
    assert_eq!(
        group[2]["icon"],
        "https://simg.s.weibo.com/moter/flags/4_0.png"
    );
    assert!(group[3].get("desc_extr").is_none(), "rank 3 has no heat");
    assert_eq!(group[3]["icon"].as_str(), None, "no label → no icon");
    assert!(group[3]["scheme"].as_str().unwrap().contains("flag%3D0"));
    assert_eq!(
        group[4]["icon"],
        "https://simg.s.weibo.com/moter/flags/1_0.png"
    );
    assert!(
        group[25]["desc_extr"].is_u64(),
        "rank 25 carries an int heat"
    );
    assert!(group[24]["desc_extr"].is_string());

    // Other containerids are the C1 post search, which wants the visitor cookie.
    let search = "/api/container/getIndex?containerid=100103type%3D1%26q%3Dx";
    assert_eq!(get(&s, search).await.status(), StatusCode::FOUND);
    s.accept_cookie("visitor-sub".into());
    let r = client()
        .get(format!("{}{search}", s.origin()))
        .header(reqwest::header::COOKIE, "SUB=visitor-sub")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let other: Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(other["ok"], 0);
    assert_eq!(other["msg"], "这里还没有内容");
    assert_eq!(other["data"]["cards"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn b1_tieba_topic_list_keeps_the_escaped_url() {
    let s = manual().await;
    let (h, v) = get_json(&s, TIEBA).await;
    assert_eq!(header(&h, CONTENT_TYPE), "application/json; charset=utf-8");
    assert_eq!(header(&h, DATE), http_date(tieba_line(0).captured_at));
    assert_eq!(v["errno"], 0);
    assert_eq!(v["data"]["bang_topic"]["module_title"], "贴吧热议榜");
    let list = v["data"]["bang_topic"]["topic_list"].as_array().unwrap();
    assert_eq!(list.len(), 5);
    assert_eq!(list[0]["topic_id"], 28345791);
    assert_eq!(list[0]["topic_name"], "贴吧话题0-1");
    assert_eq!(list[0]["tag"], 1);
    assert_eq!(list[1]["tag"], 0);
    assert_eq!(list[0]["idx_num"], 1);
    assert_eq!(list[0]["is_video_topic"], "0");
    assert_eq!(
        list[0]["topic_url"],
        "https://tieba.baidu.com/hottopic/browse/hottopic?topic_id=28345791&amp;topic_name=x1"
    );
    let heats: Vec<u64> = list
        .iter()
        .map(|t| t["discuss_num"].as_u64().unwrap())
        .collect();
    assert!(
        heats.windows(2).all(|w| w[0] > w[1]),
        "derived heat decreases: {heats:?}"
    );
    assert_eq!(
        list[0]["create_time"],
        tieba_line(0).captured_at.timestamp()
    );
}

#[tokio::test]
async fn summary_needs_a_visitor_cookie_from_the_a5_flow() {
    let s = manual().await;
    let c = client();
    let url = |p: &str| format!("{}{p}", s.origin());

    let r = c.get(url(SUMMARY)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = header(r.headers(), LOCATION);
    assert!(
        loc.starts_with("https://passport.weibo.com/visitor/visitor?entry=miniblog&a=enter&url=https%3A%2F%2Fs.weibo.com%2Ftop%2Fsummary"),
        "{loc}"
    );
    assert_eq!(
        header(r.headers(), DATE),
        http_date(weibo_line(0).captured_at)
    );

    let gen_body = c
        .post(url("/visitor/genvisitor"))
        .form(&[("cb", "gen_callback"), ("fp", "{}")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let gen_v = jsonp_body(&gen_body, "gen_callback");
    assert_eq!(gen_v["retcode"], 20000000);
    assert_eq!(gen_v["data"]["confidence"], 100);
    let tid = gen_v["data"]["tid"].as_str().unwrap().to_string();
    assert!(!tid.is_empty());

    let r = c
        .get(url(&format!(
            "/visitor/visitor?a=incarnate&t={tid}&w=2&c=100&cb=cross_domain&from=weibo&_rand=0.5"
        )))
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let sub_cookie = cookies.iter().find(|c| c.starts_with("SUB=")).unwrap();
    assert!(
        sub_cookie.contains("Path=/")
            && sub_cookie.contains("Domain=.weibo.com")
            && sub_cookie.contains("HttpOnly")
    );
    assert!(cookies.iter().any(|c| c.starts_with("SUBP=")));
    let sub = sub_cookie["SUB=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let inc = jsonp_body(&r.text().await.unwrap(), "cross_domain");
    assert_eq!(inc["retcode"], 20000000);
    assert_eq!(inc["data"]["sub"], sub.as_str());

    let with_cookie = || {
        c.get(url(SUMMARY))
            .header("Cookie", format!("SUBP=x; SUB={sub}"))
    };
    let r = with_cookie().send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        header(r.headers(), CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert_eq!(
        header(r.headers(), DATE),
        http_date(weibo_line(0).captured_at)
    );
    let html = r.text().await.unwrap();
    assert!(html.contains("<div id=\"pl_top_realtimehot\""));
    let rows: Vec<&str> = html.split("<tr class=\"\">").skip(1).collect();
    assert_eq!(rows.len(), 27);
    assert!(rows[0].contains("&Refer=new_time\"") && rows[0].contains("让思想之光照亮强军征程"));
    assert!(rows[0].contains("<td class=\"td-03\"><i class=\"icon-txt icon-txt-hot\">热</i></td>"));
    assert!(rows[1].contains("<td class=\"td-01 ranktop\">1</td>"));
    assert!(rows[1].contains("/weibo?q=%23%E8%AF%9D%E9%A2%981%23&t=31&band_rank=1&Refer=top\""));
    assert!(rows[1].contains("<span>1990000</span>"));
    assert!(
        rows[2]
            .contains("/weibo?q=%E6%97%BA%E6%97%BA%20%E9%85%8D%E6%96%99%E8%A1%A8&t=31&band_rank=2")
    );
    assert!(
        rows[3].contains("<span></span>"),
        "absent heat → empty span"
    );

    s.expire_visitor_cookies();
    assert_eq!(
        with_cookie().send().await.unwrap().status(),
        StatusCode::FOUND
    );

    // A user-supplied cookie is accepted once the server is told about it; a made-up one is not.
    let user = || c.get(url(SUMMARY)).header("Cookie", "SUB=user-cookie");
    assert_eq!(user().send().await.unwrap().status(), StatusCode::FOUND);
    s.accept_cookie("user-cookie".into());
    assert_eq!(user().send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(s.hits(Route::GenVisitor), 1);
    assert_eq!(s.hits(Route::Incarnate), 1);
}

#[tokio::test]
async fn incarnate_without_tid_sets_no_cookie() {
    let s = manual().await;
    let r = get(&s, "/visitor/visitor?a=incarnate&cb=cross_domain").await;
    assert!(r.headers().get(SET_COOKIE).is_none());
    let v = jsonp_body(&r.text().await.unwrap(), "cross_domain");
    assert_ne!(v["retcode"], 20000000);
    // The passport redirect target itself answers with the visitor page.
    let r = get(&s, "/visitor/visitor?entry=miniblog&a=enter&url=x").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Sina Visitor System"));
    assert_eq!(s.hits(Route::VisitorPage), 1);
}

#[tokio::test]
async fn manual_clock_moves_each_platform_through_its_own_list() {
    let s = manual().await;
    let words = |v: &Value| {
        v["data"]["realtime"][0]["word"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (h0, v0) = get_json(&s, HOT_SEARCH).await;
    let (h0b, _) = get_json(&s, HOT_SEARCH).await;
    assert_eq!(
        header(&h0, DATE),
        header(&h0b, DATE),
        "manual clock does not move by itself"
    );
    s.advance();
    let (h1, v1) = get_json(&s, HOT_SEARCH).await;
    assert_ne!(words(&v0), words(&v1));
    assert_eq!(header(&h1, DATE), http_date(weibo_line(1).captured_at));
    assert_eq!(s.current(Platform::Weibo).unwrap(), weibo_line(1));
    assert_eq!(s.current(Platform::Tieba).unwrap(), tieba_line(1));
    s.advance();
    // Tieba has two snapshots and wraps; Weibo has three and is on its last.
    assert_eq!(s.current(Platform::Tieba).unwrap(), tieba_line(0));
    let (ht, _) = get_json(&s, TIEBA).await;
    assert_eq!(header(&ht, DATE), http_date(tieba_line(0).captured_at));
    assert_eq!(s.current(Platform::Weibo).unwrap(), weibo_line(2));
    s.set_index(4);
    assert_eq!(s.current(Platform::Weibo).unwrap(), weibo_line(1));
    assert_eq!(s.current(Platform::Tieba).unwrap(), tieba_line(0));
}

#[tokio::test]
async fn wall_clock_advances_with_time() {
    let s = server(ClockMode::Wall, Duration::from_millis(40)).await;
    let first = header(&get(&s, HOT_SEARCH).await.headers().clone(), DATE);
    assert_eq!(first, http_date(weibo_line(0).captured_at));
    // Await the condition (the served snapshot changes), bounded by a deadline.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let d = header(&get(&s, HOT_SEARCH).await.headers().clone(), DATE);
        if d != first {
            assert!(
                [1, 2]
                    .iter()
                    .any(|&i| d == http_date(weibo_line(i).captured_at)),
                "{d}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "wall clock never advanced");
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn faults_are_visible_on_the_wire_and_stay_until_cleared() {
    let s = manual().await;
    let c = client();
    let url = format!("{}{HOT_SEARCH}", s.origin());
    let normal_len = c
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();

    s.set_fault(Route::HotSearch, Fault::Status(432));
    for _ in 0..2 {
        assert_eq!(c.get(&url).send().await.unwrap().status().as_u16(), 432);
    }
    s.set_fault(Route::HotSearch, Fault::Status(418));
    assert_eq!(c.get(&url).send().await.unwrap().status().as_u16(), 418);

    s.set_fault(Route::HotSearch, Fault::EmptyList);
    let (_, v) = get_json(&s, HOT_SEARCH).await;
    assert_eq!(v["ok"], 1);
    assert_eq!(v["data"]["realtime"].as_array().unwrap().len(), 0);

    s.set_fault(Route::HotSearch, Fault::LoginRedirect);
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert!(header(r.headers(), LOCATION).starts_with("https://passport.weibo.com/visitor/"));

    s.set_fault(Route::HotSearch, Fault::LoginWall);
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(header(r.headers(), CONTENT_TYPE).starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("passport.weibo.com"));

    s.set_fault(Route::HotSearch, Fault::HtmlInsteadOfJson);
    let r = c.get(&url).send().await.unwrap();
    assert!(header(r.headers(), CONTENT_TYPE).starts_with("text/html"));
    assert!(serde_json::from_slice::<Value>(&r.bytes().await.unwrap()).is_err());

    s.set_fault(Route::HotSearch, Fault::Truncated);
    let body = c.get(&url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(body.len(), normal_len / 2);
    assert!(serde_json::from_slice::<Value>(&body).is_err());

    s.set_fault(Route::HotSearch, Fault::Envelope(-100));
    assert_eq!(get_json(&s, HOT_SEARCH).await.1["ok"], -100);

    s.set_fault(Route::HotSearch, Fault::Captcha);
    assert!(get_json(&s, HOT_SEARCH).await.1["url"].is_string());

    s.set_fault(Route::HotSearch, Fault::WrongShape);
    let v = get_json(&s, HOT_SEARCH).await.1;
    assert!(v["data"]["realtime"].is_object());

    s.set_fault(Route::HotSearch, Fault::Huge(3_000_000));
    let body = c.get(&url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(body.len(), 3_000_000);

    s.set_fault(Route::HotSearch, Fault::RedirectLoop);
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(header(r.headers(), LOCATION), HOT_SEARCH);
    let following = reqwest::Client::builder().no_proxy().build().unwrap();
    let err = following.get(&url).send().await.unwrap_err();
    assert!(err.is_redirect(), "{err}");

    s.set_fault(Route::HotSearch, Fault::Delay(Duration::from_millis(300)));
    let t0 = Instant::now();
    let (_, v) = get_json(&s, HOT_SEARCH).await;
    assert!(t0.elapsed() >= Duration::from_millis(300));
    assert_eq!(v["ok"], 1);

    s.clear_faults();
    let (_, v) = get_json(&s, HOT_SEARCH).await;
    assert_eq!(v["data"]["realtime"].as_array().unwrap().len(), 27);
}

#[tokio::test]
async fn faults_use_each_platforms_envelope() {
    let s = manual().await;
    s.set_fault(Route::TiebaTopicList, Fault::Envelope(110001));
    assert_eq!(get_json(&s, TIEBA).await.1["errno"], 110001);
    s.set_fault(Route::TiebaTopicList, Fault::EmptyList);
    let v = get_json(&s, TIEBA).await.1;
    assert_eq!(
        (
            v["errno"].as_i64(),
            v["data"]["bang_topic"]["topic_list"]
                .as_array()
                .map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    s.set_fault(Route::TiebaTopicList, Fault::WrongShape);
    assert!(get_json(&s, TIEBA).await.1["data"]["bang_topic"]["topic_list"].is_object());

    s.set_fault(Route::Mobile, Fault::Envelope(-100));
    assert_eq!(get_json(&s, MOBILE).await.1["ok"], -100);
    s.set_fault(Route::Mobile, Fault::EmptyList);
    let v = get_json(&s, MOBILE).await.1;
    assert_eq!(
        v["data"]["cards"][0]["card_group"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // A fault on one route leaves the others alone.
    assert_eq!(get_json(&s, HOT_SEARCH).await.1["ok"], 1);

    s.set_fault(Route::GenVisitor, Fault::Envelope(50111));
    let r = client()
        .post(format!("{}/visitor/genvisitor", s.origin()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        jsonp_body(&r.text().await.unwrap(), "gen_callback")["retcode"],
        50111
    );

    s.set_fault(Route::Summary, Fault::Status(502));
    assert_eq!(get(&s, SUMMARY).await.status().as_u16(), 502);
}

#[tokio::test]
async fn counts_hits_keeps_headers_and_survives_odd_requests() {
    let s = manual().await;
    assert_eq!(s.hits(Route::TiebaTopicList), 0);
    assert!(s.last_headers(Route::TiebaTopicList).is_none());
    let c = client();
    for _ in 0..3 {
        c.get(format!("{}{TIEBA}", s.origin()))
            .header("Referer", "https://tieba.baidu.com/")
            .send()
            .await
            .unwrap();
    }
    assert_eq!(s.hits(Route::TiebaTopicList), 3);
    assert_eq!(s.hits(Route::HotSearch), 0);
    let h = s.last_headers(Route::TiebaTopicList).unwrap();
    assert_eq!(h.get("referer").unwrap(), "https://tieba.baidu.com/");

    let r = get(&s, "/no/such/path").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.headers().get(DATE).is_some());

    for odd in [
        "/api/container/getIndex?containerid=%ZZ%&&&==",
        "/visitor/visitor?a=incarnate&t=%FF%FE",
        "/top/summary?cate=%00",
        "/ajax/side/hotSearch?x=%E4%B8",
    ] {
        let r = c
            .get(format!("{}{odd}", s.origin()))
            .header("Cookie", ";;SUB;=;SUB==x")
            // Not UTF-8 (obs-text bytes are legal in a header value).
            .header(
                "Cookie",
                reqwest::header::HeaderValue::from_bytes(b"SUB=\xff\xfe").unwrap(),
            )
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{odd}: {}", r.status());
    }
    // Still serving after all that.
    assert_eq!(get_json(&s, HOT_SEARCH).await.1["ok"], 1);
}

#[tokio::test]
async fn serves_the_bundled_demo_data() {
    let demo = resou::replay::demo_data().unwrap();
    let first_weibo = demo.weibo[0].clone();
    let s = ReplayServer::start(ReplayConfig {
        lists: [demo.weibo, demo.tieba].concat(),
        step: Duration::from_secs(60),
        clock: ClockMode::Manual,
    })
    .await
    .unwrap();
    let (h, v) = get_json(&s, HOT_SEARCH).await;
    assert_eq!(header(&h, DATE), http_date(first_weibo.captured_at));
    assert!(v["data"]["realtime"].as_array().unwrap().len() > 40);
    let (_, t) = get_json(&s, TIEBA).await;
    let list = t["data"]["bang_topic"]["topic_list"].as_array().unwrap();
    assert!(list.len() >= 20);
    assert!(list.iter().all(|x| {
        x["topic_url"]
            .as_str()
            .unwrap()
            .contains("&amp;topic_name=")
    }));
    s.shutdown().await;
}
