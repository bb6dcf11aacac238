//! Routes the server answers and the reply value its renderers produce.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::Value;

use crate::domain::Platform;

/// An endpoint the replay server speaks (matched by path, whatever host the client meant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// A1 `GET /ajax/side/hotSearch`
    HotSearch,
    /// A4 `GET /top/summary?cate=realtimehot` (HTML, needs `SUB`)
    Summary,
    /// A3 `GET /api/container/getIndex?containerid=106003…realtimehot`
    Mobile,
    /// B1 `GET /hottopic/browse/topicList`
    TiebaTopicList,
    /// A5 step 1 `POST /visitor/genvisitor`
    GenVisitor,
    /// A5 step 2 `GET /visitor/visitor?a=incarnate&t=…`
    Incarnate,
    /// `GET /visitor/visitor?a=enter…`: the page the passport redirect lands on
    VisitorPage,
    /// C4 `GET /ajax_topic/detail?q=%23…%23&show_rank_info=1` (m.s.weibo.com)
    TopicDetail,
    /// C1 `GET /api/container/getIndex?containerid=100103type=<T>&q=…&page=<n>` (m.weibo.cn)
    WeiboPosts,
    /// C1 keyword search `GET /api/container/getIndex?containerid=100103type=61&q=<word>&page=<n>`
    /// (m.weibo.cn): `q` without `#…#` — a watched term, not a topic (brand watch)
    WeiboSearch,
    /// User timeline `GET /api/container/getIndex?type=uid&value=<uid>&containerid=107603<uid>&page=<n>`
    /// (m.weibo.cn): a sentinel account's posts (brand watch)
    WeiboTimeline,
    /// C2 `GET /detail/<mid>` (HTML with `$render_data`, m.weibo.cn)
    WeiboDetail,
    /// C2 `GET /statuses/extend?id=<mid>` (m.weibo.cn)
    WeiboLongText,
    /// C3 `GET /comments/hotflow?id=&mid=&max_id_type=[&max_id=]` (m.weibo.cn)
    WeiboComments,
    /// D2 `GET /mo/q/hotMessage?topic_id=&topic_name=&fr=newwise`
    TiebaHotMessage,
    /// D2 `GET /mo/q/hotMessage/main?topic_id=&yuren_rand=&topic_name=&pmy_topic_ext=`
    TiebaHotMessageMain,
    /// D2 `GET /mo/q/hotMessage/thread?…&page=<n>&num=30`
    TiebaHotMessageThread,
    /// D3 `GET /p/<tid>?pn=<n>&ajax=1` (HTML)
    TiebaThreadPage,
    /// D3 `GET /p/comment?tid=&pid=&fid=&pn=<n>` (HTML fragment)
    TiebaSubReplies,
    /// D3 app API `POST /c/f/pb/page` (c.tieba.baidu.com; signed form, JSON)
    TiebaAppPage,
    /// BD1 `GET /board?tab=realtime` (top.baidu.com, HTML with `<!--s-data:…-->`)
    BaiduBoard,
    /// BD2 `GET /api/board?platform=pc|wise&tab=realtime` (top.baidu.com, JSON)
    BaiduApi,
    /// DY1 `GET /aweme/v1/web/hot/search/list/?…` (www.douyin.com; needs `passport_csrf_token`)
    DouyinWeb,
    /// DY2 `GET /` on login.douyin.com: sets the cookies DY1 needs
    DouyinLogin,
    /// DY3 `GET /aweme/v1/hot/search/list/` (aweme-lq.snssdk.com, the app endpoint)
    DouyinApp,
    /// DY3 `GET /web/api/v2/hotsearch/billboard/word/` (www.iesdouyin.com)
    DouyinBillboard,
    /// ZH1 `GET /api/v3/feed/topstory/hot-list-web?limit=20&desktop=true` (www.zhihu.com)
    ZhihuWeb,
    /// ZH2 `GET /topstory/hot-lists/total?limit=50` (api.zhihu.com)
    ZhihuApp,
    /// ZH4 `GET /billboard` (www.zhihu.com, HTML with `js-initialData`)
    ZhihuBillboard,
    /// TT1 `GET /hot-event/hot-board/?origin=toutiao_pc` (www.toutiao.com)
    ToutiaoHotBoard,
    /// BL1 `GET /main/hotword?limit=30` (s.search.bilibili.com)
    BiliHotword,
    /// BL3 `GET /x/v2/search/trending/ranking?limit=50` (app.bilibili.com)
    BiliTrending,
    /// BL2 `GET /x/web-interface/wbi/search/square?…&wts=&w_rid=` (api.bilibili.com, WBI-signed)
    BiliSquare,
    /// `GET /x/web-interface/nav` (api.bilibili.com): the WBI key images
    BiliNav,
    /// KS1 `GET /?isHome=1` (www.kuaishou.com, HTML with `window.__APOLLO_STATE__=`)
    KuaishouHome,
    /// `GET /api/s?id=<newsnow id>&latest` (newsnow.busiyi.world)
    Newsnow(Platform),
}

pub(crate) enum RouteKind {
    Json,
    Html,
    Jsonp(&'static str),
}

impl Route {
    /// The route of a request; `host` is the host the client meant (`X-Forwarded-Host`, sent
    /// by the client under the origin override), needed only where two sites share a path.
    pub(crate) fn of(host: Option<&str>, path: &str, query: &str) -> Option<Route> {
        let param = |k: &str| super::wire::param(query, k);
        Some(match path {
            "/" if host.is_some_and(|h| h.ends_with("douyin.com")) => Route::DouyinLogin,
            "/" if host.is_some_and(|h| h.ends_with("kuaishou.com"))
                || param("isHome").is_some() =>
            {
                Route::KuaishouHome
            }
            "/passport/general/login_guiding_strategy/" => Route::DouyinLogin,
            "/board" => Route::BaiduBoard,
            "/api/board" => Route::BaiduApi,
            "/aweme/v1/web/hot/search/list/" => Route::DouyinWeb,
            "/aweme/v1/hot/search/list/" => Route::DouyinApp,
            "/web/api/v2/hotsearch/billboard/word/" => Route::DouyinBillboard,
            "/api/v3/feed/topstory/hot-list-web" => Route::ZhihuWeb,
            "/topstory/hot-lists/total" | "/api/v3/feed/topstory/hot-lists/total" => {
                Route::ZhihuApp
            }
            "/billboard" => Route::ZhihuBillboard,
            "/hot-event/hot-board/" => Route::ToutiaoHotBoard,
            "/main/hotword" => Route::BiliHotword,
            "/x/v2/search/trending/ranking" => Route::BiliTrending,
            "/x/web-interface/wbi/search/square" => Route::BiliSquare,
            "/x/web-interface/nav" => Route::BiliNav,
            "/api/s" => {
                let id = param("id")?;
                Route::Newsnow(Platform::ALL.into_iter().find(|p| p.newsnow_id() == id)?)
            }
            "/ajax/side/hotSearch" => Route::HotSearch,
            "/top/summary" => Route::Summary,
            "/api/container/getIndex" => {
                let cid = super::wire::param(query, "containerid").unwrap_or_default();
                if cid.starts_with("100103") && super::posts::is_keyword_search(&cid) {
                    Route::WeiboSearch
                } else if cid.starts_with("107603") {
                    Route::WeiboTimeline
                } else if cid.starts_with("100103") {
                    Route::WeiboPosts
                } else {
                    Route::Mobile
                }
            }
            "/statuses/extend" => Route::WeiboLongText,
            "/comments/hotflow" => Route::WeiboComments,
            p if p.starts_with("/detail/") => Route::WeiboDetail,
            "/hottopic/browse/topicList" => Route::TiebaTopicList,
            "/ajax_topic/detail" => Route::TopicDetail,
            "/mo/q/hotMessage" => Route::TiebaHotMessage,
            "/mo/q/hotMessage/main" => Route::TiebaHotMessageMain,
            "/mo/q/hotMessage/thread" => Route::TiebaHotMessageThread,
            "/p/comment" => Route::TiebaSubReplies,
            "/c/f/pb/page" => Route::TiebaAppPage,
            p if p
                .strip_prefix("/p/")
                .is_some_and(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())) =>
            {
                Route::TiebaThreadPage
            }
            "/visitor/genvisitor" => Route::GenVisitor,
            "/visitor/visitor" => {
                if super::wire::param(query, "a").as_deref() == Some("incarnate") {
                    Route::Incarnate
                } else {
                    Route::VisitorPage
                }
            }
            _ => return None,
        })
    }

    /// Whose snapshot clock dates the response.
    pub(crate) fn platform(self) -> Platform {
        match self {
            Route::TiebaTopicList
            | Route::TiebaHotMessage
            | Route::TiebaHotMessageMain
            | Route::TiebaHotMessageThread
            | Route::TiebaThreadPage
            | Route::TiebaSubReplies
            | Route::TiebaAppPage => Platform::Tieba,
            Route::BaiduBoard | Route::BaiduApi => Platform::Baidu,
            Route::DouyinWeb | Route::DouyinLogin | Route::DouyinApp | Route::DouyinBillboard => {
                Platform::Douyin
            }
            Route::ZhihuWeb | Route::ZhihuApp | Route::ZhihuBillboard => Platform::Zhihu,
            Route::ToutiaoHotBoard => Platform::Toutiao,
            Route::BiliHotword | Route::BiliTrending | Route::BiliSquare | Route::BiliNav => {
                Platform::Bilibili
            }
            Route::KuaishouHome => Platform::Kuaishou,
            Route::Newsnow(p) => p,
            Route::HotSearch
            | Route::Summary
            | Route::Mobile
            | Route::GenVisitor
            | Route::Incarnate
            | Route::VisitorPage
            | Route::TopicDetail
            | Route::WeiboPosts
            | Route::WeiboSearch
            | Route::WeiboTimeline
            | Route::WeiboDetail
            | Route::WeiboLongText
            | Route::WeiboComments => Platform::Weibo,
        }
    }

    pub(crate) fn kind(self) -> RouteKind {
        match self {
            Route::HotSearch
            | Route::Mobile
            | Route::TiebaTopicList
            | Route::TopicDetail
            | Route::WeiboPosts
            | Route::WeiboSearch
            | Route::WeiboTimeline
            | Route::WeiboLongText
            | Route::WeiboComments
            | Route::TiebaHotMessage
            | Route::TiebaHotMessageMain
            | Route::TiebaHotMessageThread
            | Route::TiebaAppPage
            | Route::BaiduApi
            | Route::DouyinWeb
            | Route::DouyinApp
            | Route::DouyinBillboard
            | Route::ZhihuWeb
            | Route::ZhihuApp
            | Route::ToutiaoHotBoard
            | Route::BiliHotword
            | Route::BiliTrending
            | Route::BiliSquare
            | Route::BiliNav
            | Route::Newsnow(_) => RouteKind::Json,
            Route::BaiduBoard
            | Route::DouyinLogin
            | Route::ZhihuBillboard
            | Route::KuaishouHome
            | Route::Summary
            | Route::VisitorPage
            | Route::WeiboDetail
            | Route::TiebaThreadPage
            | Route::TiebaSubReplies => RouteKind::Html,
            Route::GenVisitor => RouteKind::Jsonp("gen_callback"),
            Route::Incarnate => RouteKind::Jsonp("cross_domain"),
        }
    }

    /// The passport visitor flow (A5).
    pub(crate) fn is_visitor(self) -> bool {
        matches!(
            self,
            Route::GenVisitor | Route::Incarnate | Route::VisitorPage
        )
    }

    /// A Tieba drill-down route (D2/D3): its walls are Baidu's, not Sina's.
    pub(crate) fn is_tieba_drill(self) -> bool {
        matches!(
            self,
            Route::TiebaHotMessage
                | Route::TiebaHotMessageMain
                | Route::TiebaHotMessageThread
                | Route::TiebaThreadPage
                | Route::TiebaSubReplies
                | Route::TiebaAppPage
        )
    }

    /// The URL the client meant on the real host (for passport `url=` parameters).
    pub(crate) fn public_url(self, path_and_query: &str) -> String {
        let host = match self {
            Route::HotSearch => "weibo.com",
            Route::Summary => "s.weibo.com",
            Route::Mobile
            | Route::WeiboPosts
            | Route::WeiboSearch
            | Route::WeiboTimeline
            | Route::WeiboDetail
            | Route::WeiboLongText
            | Route::WeiboComments => "m.weibo.cn",
            Route::TiebaTopicList
            | Route::TiebaHotMessage
            | Route::TiebaHotMessageMain
            | Route::TiebaHotMessageThread
            | Route::TiebaThreadPage
            | Route::TiebaSubReplies => "tieba.baidu.com",
            Route::TiebaAppPage => return format!("http://c.tieba.baidu.com{path_and_query}"),
            Route::TopicDetail => "m.s.weibo.com",
            Route::GenVisitor | Route::Incarnate | Route::VisitorPage => "passport.weibo.com",
            Route::BaiduBoard | Route::BaiduApi => "top.baidu.com",
            Route::DouyinWeb => "www.douyin.com",
            Route::DouyinLogin => "login.douyin.com",
            Route::DouyinApp => "aweme-lq.snssdk.com",
            Route::DouyinBillboard => "www.iesdouyin.com",
            Route::ZhihuWeb | Route::ZhihuBillboard => "www.zhihu.com",
            Route::ZhihuApp => "api.zhihu.com",
            Route::ToutiaoHotBoard => "www.toutiao.com",
            Route::BiliHotword => "s.search.bilibili.com",
            Route::BiliTrending => "app.bilibili.com",
            Route::BiliSquare | Route::BiliNav => "api.bilibili.com",
            Route::KuaishouHome => "www.kuaishou.com",
            Route::Newsnow(_) => "newsnow.busiyi.world",
        };
        format!("https://{host}{path_and_query}")
    }
}

pub(crate) const JSON: &str = "application/json; charset=utf-8";
pub(crate) const HTML: &str = "text/html; charset=utf-8";
const JAVASCRIPT: &str = "application/javascript; charset=utf-8";

/// How a body goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// At once, with a `Content-Length`.
    Whole,
    /// Exactly `len` bytes (the body, cut or padded with spaces), made chunk by chunk as the
    /// client reads (64 KiB each, so a huge body never sits in memory), without a length.
    Stream { len: usize },
    /// Chunked, one byte per interval.
    Drip(std::time::Duration),
}

/// Size of the chunks of a streamed body.
const STREAM_CHUNK: usize = 64 * 1024;

/// A rendered answer, before the `Date` header is added.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(header::HeaderName, String)>,
    pub delivery: Delivery,
}

impl Reply {
    fn new(content_type: &'static str, body: Vec<u8>) -> Reply {
        Reply {
            status: StatusCode::OK,
            content_type,
            body,
            headers: Vec::new(),
            delivery: Delivery::Whole,
        }
    }

    pub(crate) fn json(v: &Value) -> Reply {
        Reply::new(JSON, v.to_string().into_bytes())
    }

    pub(crate) fn html(s: String) -> Reply {
        Reply::new(HTML, s.into_bytes())
    }

    pub(crate) fn jsonp(s: String) -> Reply {
        Reply::new(JAVASCRIPT, s.into_bytes())
    }

    pub(crate) fn text(status: StatusCode, s: &str) -> Reply {
        let mut r = Reply::new("text/plain; charset=utf-8", s.as_bytes().to_vec());
        r.status = status;
        r
    }

    pub(crate) fn redirect(location: String) -> Reply {
        let mut r = Reply::html(String::new());
        r.status = StatusCode::FOUND;
        r.headers.push((header::LOCATION, location));
        r
    }

    /// The response; streamed bodies add what they have sent to `streamed` as they go.
    pub(crate) fn into_response(self, date: &str, streamed: &Arc<AtomicUsize>) -> Response {
        let body = match self.delivery {
            Delivery::Whole => Body::from(self.body),
            Delivery::Stream { len } => {
                let streamed = Arc::clone(streamed);
                let head = self.body;
                let starts = (0..len).step_by(STREAM_CHUNK);
                Body::from_stream(futures_util::stream::iter(starts).map(move |start| {
                    let end = (start + STREAM_CHUNK).min(len);
                    let mut c = vec![b' '; end - start];
                    if let Some(h) = head.get(start..end.min(head.len())) {
                        c[..h.len()].copy_from_slice(h);
                    }
                    streamed.fetch_add(c.len(), Ordering::Relaxed);
                    Ok::<_, std::convert::Infallible>(c)
                }))
            }
            Delivery::Drip(every) => {
                let streamed = Arc::clone(streamed);
                let bytes = futures_util::stream::iter(self.body).then(move |b| {
                    let streamed = Arc::clone(&streamed);
                    async move {
                        tokio::time::sleep(every).await;
                        streamed.fetch_add(1, Ordering::Relaxed);
                        Ok::<_, std::convert::Infallible>(vec![b])
                    }
                });
                Body::from_stream(bytes)
            }
        };
        let mut resp = Response::new(body);
        *resp.status_mut() = self.status;
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        if let Ok(v) = HeaderValue::from_str(date) {
            h.insert(header::DATE, v);
        }
        for (name, value) in self.headers {
            // Values are built by this server; one that is not a valid header is dropped.
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.append(name, v);
            }
        }
        resp
    }
}
