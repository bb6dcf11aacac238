//! The C4 topic-detail route of the replay server (shape checked with serde_json::Value, never
//! with the client parser), the client against it end to end (headers, faults), and the
//! background fetcher's spacing, de-duplication, error events and bounded queue.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, REFERER, USER_AGENT};
use resou::replay::{ClockMode, Fault, ReplayConfig, ReplayServer, Route};
use resou::sources::http::{HttpClient, NetConfig, Secret};
use resou::sources::topic::{
    AccountRole, TopicDetail, TopicFetcherConfig, TopicFetcherHandle, fetch_detail,
    spawn_topic_fetcher,
};
use resou::sources::{SourceError, SourceEvent};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// `#台风白海豚#` encoded as the client and the real pages encode it.
const TYPHOON_Q: &str = "%23%E5%8F%B0%E9%A3%8E%E7%99%BD%E6%B5%B7%E8%B1%9A%23";

async fn server() -> ReplayServer {
    ReplayServer::start(ReplayConfig {
        lists: Vec::new(),
        step: Duration::from_secs(60),
        clock: ClockMode::Manual,
    })
    .await
    .expect("replay server on loopback")
}

/// The shared client, pointed at the server, holding a user cookie the topic API must not get.
fn client(s: &ReplayServer) -> Arc<HttpClient> {
    Arc::new(
        HttpClient::new(&NetConfig {
            origin: Some(s.origin()),
            timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
            weibo_cookie: Some(Secret::new("SUB=user-cookie")),
            tieba_cookie: None,
            zhihu_cookie: None,
            max_body_bytes: 1 << 20,
        })
        .expect("client"),
    )
}

async fn get_json(s: &ReplayServer, q: &str) -> Value {
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!(
            "{}/ajax_topic/detail?q={q}&show_rank_info=1",
            s.origin()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let ct = resp.headers()[CONTENT_TYPE].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/json"), "{ct}");
    serde_json::from_str(&resp.text().await.unwrap()).unwrap()
}

#[tokio::test]
async fn route_answers_the_documented_shape_from_real_topic_values() {
    let s = server().await;
    // 命好的人本质是主体性强: the reference's own example
    let v = get_json(
        &s,
        "%23%E5%91%BD%E5%A5%BD%E7%9A%84%E4%BA%BA%E6%9C%AC%E8%B4%A8%E6%98%AF%E4%B8%BB%E4%BD%93%E6%80%A7%E5%BC%BA%23",
    )
    .await;
    assert_eq!(v["code"], "100000");
    let obj = &v["data"]["baseInfo"]["object"];
    assert_eq!(obj["display_name"], "#命好的人本质是主体性强#");
    assert_eq!(obj["category_str"], "情感");
    assert_eq!(obj["create_at"], 1786692843);
    assert_eq!(
        obj["biz"]["containerid"],
        "231522ca6b80061b96349c8b1367b91b62e20a"
    );
    let claim = &v["data"]["baseClaimList"]["cur_claim_info"];
    assert_eq!(claim["screen_name"], "人间观察大赏");
    assert_eq!(claim["uid"], 5675905882u64);
    assert_eq!(
        v["data"]["media_info"]["users"],
        json!([{"id": 1727472420, "idstr": "1727472420", "screen_name": "泰山晚报",
                "verified": true, "verified_type": 3}])
    );
    let sum = &v["data"]["baseData"]["sum_all"];
    for k in ["r", "m", "interact", "ori_m"] {
        assert!(sum[k].is_u64(), "sum_all.{k}: {sum}");
    }
    assert!(v["data"]["baseInfo"]["lists"].is_array());

    // Found by its title when the query spelling differs only in case; host null kept.
    let v = get_json(
        &s,
        "%23%E4%B8%AD%E5%9B%BDchina%E6%88%90%E4%B8%BA%E6%BD%AE%E6%B5%81%23",
    )
    .await;
    assert_eq!(
        v["data"]["baseInfo"]["object"]["display_name"],
        "#中国China成为潮流#"
    );
    // 王传君终于原谅爱情公寓了: no host in the archive
    let v = get_json(&s, "%23%E7%8E%8B%E4%BC%A0%E5%90%9B%E7%BB%88%E4%BA%8E%E5%8E%9F%E8%B0%85%E7%88%B1%E6%83%85%E5%85%AC%E5%AF%93%E4%BA%86%23").await;
    assert!(v["data"]["baseClaimList"]["cur_claim_info"].is_null());
    assert_eq!(
        v["data"]["media_info"]["users"].as_array().unwrap().len(),
        7
    );

    // Unknown topic: valid envelope, empty sections.
    let v = get_json(&s, "%23%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA%23").await;
    assert_eq!(v["code"], "100000");
    assert_eq!(v["data"]["baseInfo"], json!({}));
    assert_eq!(s.hits(Route::TopicDetail), 4);
}

#[tokio::test]
async fn client_gets_host_and_media_with_the_reference_headers_and_no_cookie() {
    let s = server().await;
    let c = client(&s);
    let d = fetch_detail(&c, "台风白海豚").await.expect("detail");
    assert_eq!(d.hashtag, "#台风白海豚#");
    assert_eq!(d.title.as_str(), "台风白海豚");
    let host = d.host.as_ref().expect("host");
    assert_eq!(
        (host.name.as_str(), host.uid.as_deref(), host.role),
        ("中国天气", Some("1498396803"), AccountRole::Host)
    );
    assert_eq!(d.media.len(), 7);
    assert_eq!(d.media[0].name.as_str(), "中国蓝新闻");
    assert!(d.media.iter().all(|a| a.verified_type == Some(3)));
    // `create_at` is a string for this topic in the archive
    assert_eq!(d.created_at.map(|t| t.timestamp()), Some(1417704286));
    assert!(d.reads.is_some_and(|r| r > 0));

    let h = s.last_headers(Route::TopicDetail).expect("headers");
    assert_eq!(
        h[REFERER],
        format!("https://m.s.weibo.com/vtopic/detail_new?q={TYPHOON_Q}").as_str()
    );
    assert_eq!(h[ACCEPT], "application/json,text/plain,*/*");
    assert!(h[USER_AGENT].to_str().unwrap().contains("Windows NT"));
    assert!(h.get(COOKIE).is_none(), "the topic API gets no cookie");
}

#[tokio::test]
async fn unknown_topic_and_faults_become_errors() {
    let s = server().await;
    let c = client(&s);
    assert_eq!(
        fetch_detail(&c, "#没有这个话题#").await,
        Err(SourceError::Empty)
    );
    type Expect = fn(&SourceError) -> bool;
    let cases: [(Fault, Expect); 8] = [
        (Fault::Status(418), |e| *e == SourceError::Status(418)),
        (Fault::HtmlInsteadOfJson, |e| {
            matches!(e, SourceError::WrongBody(_))
        }),
        (Fault::LoginRedirect, |e| {
            matches!(e, SourceError::LoginRequired { .. })
        }),
        (Fault::LoginWall, |e| {
            matches!(e, SourceError::LoginRequired { .. })
        }),
        (Fault::Envelope(100_001), |e| {
            matches!(e, SourceError::Envelope { code: 100_001, .. })
        }),
        (Fault::Truncated, |e| matches!(e, SourceError::Decode(_))),
        (Fault::WrongShape, |e| matches!(e, SourceError::Decode(_))),
        (Fault::Captcha, |e| *e == SourceError::Captcha),
    ];
    for (fault, ok) in cases {
        s.set_fault(Route::TopicDetail, fault.clone());
        let r = fetch_detail(&c, "台风白海豚").await;
        assert!(r.as_ref().is_err_and(ok), "{fault:?}: {r:?}");
    }
    s.set_fault(Route::TopicDetail, Fault::EmptyList);
    assert_eq!(
        fetch_detail(&c, "台风白海豚").await,
        Err(SourceError::Empty)
    );
    s.clear_faults();
    assert!(fetch_detail(&c, "台风白海豚").await.is_ok());
}

fn fast(min_gap_ms: u64, jitter_ms: u64) -> TopicFetcherConfig {
    TopicFetcherConfig {
        min_gap: Duration::from_millis(min_gap_ms),
        jitter: Duration::from_millis(jitter_ms),
        ..TopicFetcherConfig::default()
    }
}

struct Fetcher {
    handle: TopicFetcherHandle,
    rx: mpsc::Receiver<SourceEvent>,
}

impl Fetcher {
    fn start(s: &ReplayServer, cfg: TopicFetcherConfig) -> Fetcher {
        let (tx, rx) = mpsc::channel(16);
        Fetcher {
            handle: spawn_topic_fetcher(client(s), cfg, tx),
            rx,
        }
    }

    async fn next(&mut self) -> (String, Result<Box<TopicDetail>, SourceError>) {
        match tokio::time::timeout(Duration::from_secs(20), self.rx.recv()).await {
            Ok(Some(SourceEvent::TopicDetail(tag, r))) => (tag, r),
            other => panic!("no topic event: {other:?}"),
        }
    }
}

#[tokio::test]
async fn fetcher_spaces_requests_and_fetches_each_hashtag_once() {
    let s = server().await;
    let mut f = Fetcher::start(&s, fast(300, 100));
    let topics = ["台风白海豚", "命好的人本质是主体性强", "#没有这个话题#"];
    for t in topics {
        assert!(f.handle.request(t));
    }
    // The same topics again, in other spellings, while queued or in flight: ignored.
    assert!(!f.handle.request("#台风白海豚#"));
    assert!(!f.handle.request(" 命好的人本质是主体性强 "));
    assert!(!f.handle.request("##"));

    let mut seen = HashSet::new();
    for _ in topics {
        let (tag, r) = f.next().await;
        match tag.as_str() {
            "#台风白海豚#" => assert_eq!(
                r.unwrap().host.map(|h| h.name.into_string()).as_deref(),
                Some("中国天气")
            ),
            "#命好的人本质是主体性强#" => assert!(r.is_ok()),
            "#没有这个话题#" => assert_eq!(r, Err(SourceError::Empty)),
            other => panic!("unexpected {other}"),
        }
        seen.insert(tag);
    }
    assert_eq!(seen.len(), 3);
    assert_eq!(s.hits(Route::TopicDetail), 3);
    let times = s.hit_times(Route::TopicDetail);
    for w in times.windows(2) {
        let gap = w[1].duration_since(w[0]);
        assert!(gap >= Duration::from_millis(290), "requests {gap:?} apart");
    }

    // Fetched within its TTL: not fetched again, not reported again. A new topic is, and
    // events come in order, so nothing was fetched for the cached one in between.
    assert!(!f.handle.request("台风白海豚"));
    assert!(f.handle.request("王传君终于原谅爱情公寓了"));
    let (tag, r) = f.next().await;
    assert_eq!(tag, "#王传君终于原谅爱情公寓了#");
    assert_eq!(r.unwrap().host, None);
    assert_eq!(s.hits(Route::TopicDetail), 4);
    f.handle.shutdown().await;
}

#[tokio::test]
async fn fetcher_reports_errors_as_events_and_retries_after_the_error_ttl() {
    let s = server().await;
    s.set_fault(Route::TopicDetail, Fault::Status(500));
    let mut f = Fetcher::start(
        &s,
        TopicFetcherConfig {
            retry_after: Duration::ZERO,
            ..fast(50, 0)
        },
    );
    assert!(f.handle.request("台风白海豚"));
    assert_eq!(f.next().await.1, Err(SourceError::Status(500)));
    s.clear_faults();
    assert!(f.handle.request("台风白海豚"), "failed ones may be retried");
    assert!(f.next().await.1.is_ok());
    assert!(!f.handle.request("台风白海豚"), "successes are cached");
    assert_eq!(s.hits(Route::TopicDetail), 2);
}

#[tokio::test]
async fn fetcher_queue_is_bounded_and_drops_the_oldest() {
    let s = server().await;
    // A long gap keeps everything after the first fetch waiting.
    let mut f = Fetcher::start(
        &s,
        TopicFetcherConfig {
            queue_cap: 2,
            ..fast(60_000, 0)
        },
    );
    assert!(f.handle.request("台风白海豚"));
    assert!(f.next().await.1.is_ok());
    for t in ["话题B", "话题C", "话题D", "话题E"] {
        assert!(f.handle.request(t));
    }
    assert_eq!(f.handle.waiting(), 2);
    // The two newest are the ones still waiting (so requesting them again is a no-op).
    assert!(!f.handle.request("话题D"));
    assert!(!f.handle.request("话题E"));
    assert_eq!(s.hits(Route::TopicDetail), 1);
    f.handle.shutdown().await;
}
