//! Shared server state and the request pipeline: route → count → fault or render → Date.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{self, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::fault::{self, Fault};
use super::listener::ListenMode;
use super::recording::{self, Recording};
use super::reply::{Reply, Route};
use super::script::{FaultScript, Span};
use super::timeline::Timeline;
use super::wire::{http_date, param};
use super::{
    ClockMode, ReplayConfig, baidu, bilibili, douyin, kuaishou, newsnow, posts, tieba, tieba_drill,
    topic, toutiao, visitor, weibo, zhihu,
};
use crate::domain::Platform;
use crate::domain::snapshot_file::SnapshotLine;

/// Arrival times kept per route.
const MAX_HIT_TIMES: usize = 256;
/// Largest request body read (the app API's forms are a few hundred bytes).
const MAX_REQUEST_BODY: usize = 64 * 1024;

/// A decoded `application/x-www-form-urlencoded` request body.
pub(crate) type Form = Vec<(String, String)>;

pub(crate) struct Shared {
    /// One timeline per platform, indexed by `Platform::index` (empty where no data).
    timelines: Vec<Timeline>,
    step: Duration,
    clock: ClockMode,
    /// Recorded responses served instead of the rendered lists (`resou replay RECORDING`).
    recording: Option<Recording>,
    state: Mutex<State>,
    /// What the listening socket does (origin-wide faults); read by `listener::FaultListener`.
    listen: tokio::sync::watch::Sender<ListenMode>,
    /// Body bytes sent by streamed replies (`Fault::Flood`, `Fault::Drip`).
    streamed: Arc<AtomicUsize>,
    /// Bumped on every request, so tests can await one.
    arrivals: tokio::sync::watch::Sender<u64>,
}

/// A fault script being played.
struct ScriptRun {
    script: FaultScript,
    /// The step playing (`steps.len()` when done).
    cursor: usize,
    /// Requests the current step has answered.
    used: usize,
    /// Bumped on every step change, so a stale `for DUR` timer ends nothing.
    generation: u64,
}

#[derive(Default)]
struct State {
    /// Wall clock: ticks count from here. Manual clock: unused.
    anchor: Option<Instant>,
    offset: usize,
    faults: HashMap<Route, Fault>,
    hits: HashMap<Route, usize>,
    /// Arrival times of the last `MAX_HIT_TIMES` requests per route (request spacing in tests).
    hit_times: HashMap<Route, VecDeque<Instant>>,
    last_headers: HashMap<Route, HeaderMap>,
    last_forms: HashMap<Route, Form>,
    /// `SUB` values `/top/summary` accepts: issued by incarnate or given by tests.
    cookies: HashSet<String>,
    /// A `Set-Cookie` value added to every rendered reply (as real sites set tracking cookies).
    reply_cookie: Option<String>,
    script: Option<ScriptRun>,
}

impl Shared {
    pub(crate) fn new(cfg: ReplayConfig) -> Shared {
        Shared {
            timelines: {
                let mut per: Vec<Vec<SnapshotLine>> = vec![Vec::new(); Platform::COUNT];
                for l in cfg.lists {
                    per[l.platform.index()].push(l);
                }
                per.into_iter()
                    .map(|mut lines| {
                        lines.sort_by_key(|l| l.captured_at);
                        Timeline::new(lines)
                    })
                    .collect()
            },
            step: cfg.step,
            clock: cfg.clock,
            recording: None,
            state: Mutex::new(State {
                anchor: Some(Instant::now()),
                ..State::default()
            }),
            listen: tokio::sync::watch::Sender::new(ListenMode::Accept),
            streamed: Arc::new(AtomicUsize::new(0)),
            arrivals: tokio::sync::watch::Sender::new(0),
        }
    }

    /// Wait until `route` has had at least `n` requests.
    pub(crate) async fn wait_hits(&self, route: Route, n: usize) {
        let mut arrivals = self.arrivals.subscribe();
        while self.hits(route) < n {
            if arrivals.changed().await.is_err() {
                return;
            }
        }
    }

    pub(crate) fn listen_mode(&self) -> tokio::sync::watch::Receiver<ListenMode> {
        self.listen.subscribe()
    }

    pub(crate) fn streamed_bytes(&self) -> usize {
        self.streamed.load(Ordering::Relaxed)
    }

    /// Point the listener at what the faults now in play ask for: a script step's origin-wide
    /// fault first, then one set with `set_fault`.
    fn sync_listener(&self, st: &State) {
        let script_fault = st.script.as_ref().and_then(|run| {
            run.script
                .steps
                .get(run.cursor)
                .and_then(|s| s.fault.clone())
        });
        let origin_wide = script_fault
            .into_iter()
            .chain(st.faults.values().cloned())
            .find(Fault::is_origin_wide);
        let mode = match origin_wide {
            Some(Fault::Refused) => ListenMode::Refuse,
            Some(Fault::ConnectTimeout) => ListenMode::BlackHole,
            _ => ListenMode::Accept,
        };
        self.listen
            .send_if_modified(|m| std::mem::replace(m, mode) != mode);
    }

    /// Start playing `script` from its first step (replacing any script playing).
    pub(crate) fn play(self: &Arc<Self>, script: FaultScript) {
        let mut st = self.state();
        let generation = st.script.as_ref().map_or(0, |r| r.generation + 1);
        st.script = Some(ScriptRun {
            script,
            cursor: 0,
            used: 0,
            generation,
        });
        self.step_started(&mut st);
    }

    /// End the script's current step (whatever its span) and start the next.
    pub(crate) fn next_step(self: &Arc<Self>) {
        let mut st = self.state();
        self.advance_script(&mut st);
    }

    /// The index of the step playing; `None` with no script or once it has ended.
    pub(crate) fn script_step(&self) -> Option<usize> {
        let st = self.state();
        st.script
            .as_ref()
            .filter(|r| r.cursor < r.script.steps.len())
            .map(|r| r.cursor)
    }

    fn advance_script(self: &Arc<Self>, st: &mut State) {
        if let Some(run) = st.script.as_mut() {
            run.cursor = (run.cursor + 1).min(run.script.steps.len());
            run.used = 0;
            run.generation += 1;
        }
        self.step_started(st);
    }

    /// Arm the timer of a `for DUR` step and move the listener.
    fn step_started(self: &Arc<Self>, st: &mut State) {
        if let Some(run) = &st.script
            && let Some(step) = run.script.steps.get(run.cursor)
            && let Span::For(d) = step.span
        {
            let (sh, generation) = (Arc::clone(self), run.generation);
            match tokio::runtime::Handle::try_current() {
                Ok(rt) => {
                    rt.spawn(async move {
                        tokio::time::sleep(d).await;
                        let mut st = sh.state();
                        if st
                            .script
                            .as_ref()
                            .is_some_and(|r| r.generation == generation)
                        {
                            sh.advance_script(&mut st);
                        }
                    });
                }
                Err(_) => tracing::warn!("fault script: no runtime for a timed step"),
            }
        }
        self.sync_listener(st);
    }

    /// The fault a request on `route` meets: the script's current step when it targets the
    /// route (counting the request), else one set with `set_fault`.
    fn fault_for(self: &Arc<Self>, st: &mut State, route: Route) -> Option<Fault> {
        let Some(run) = st.script.as_mut() else {
            return st.faults.get(&route).cloned();
        };
        let Some(step) = run
            .script
            .steps
            .get(run.cursor)
            .filter(|s| s.target.matches(route))
        else {
            return st.faults.get(&route).cloned();
        };
        let (fault, span) = (step.fault.clone(), step.span);
        if let Span::Requests(n) = span {
            run.used += 1;
            if run.used >= n {
                self.advance_script(st);
            }
        }
        fault
    }

    /// A server answering from `recording` (the lists in `cfg` stay empty).
    pub(crate) fn with_recording(cfg: ReplayConfig, recording: Recording) -> Shared {
        Shared {
            recording: Some(recording),
            ..Shared::new(cfg)
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means a panic elsewhere; the data is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn tick(&self) -> usize {
        let st = self.state();
        let elapsed = match (self.clock, st.anchor) {
            (ClockMode::Wall, Some(a)) if !self.step.is_zero() => {
                (a.elapsed().as_nanos() / self.step.as_nanos()) as usize
            }
            _ => 0,
        };
        st.offset.wrapping_add(elapsed)
    }

    pub(crate) fn advance(&self) {
        let mut st = self.state();
        st.offset = st.offset.wrapping_add(1);
    }

    pub(crate) fn set_index(&self, i: usize) {
        let mut st = self.state();
        st.offset = i;
        st.anchor = Some(Instant::now());
    }

    fn timeline(&self, p: Platform) -> &Timeline {
        &self.timelines[p.index()]
    }

    pub(crate) fn current(&self, p: Platform) -> Option<SnapshotLine> {
        self.timeline(p).at(self.tick()).cloned()
    }

    pub(crate) fn set_fault(&self, r: Route, f: Fault) {
        let mut st = self.state();
        st.faults.insert(r, f);
        self.sync_listener(&st);
    }

    /// Clear every fault set with `set_fault` and stop any script.
    pub(crate) fn clear_faults(&self) {
        let mut st = self.state();
        st.faults.clear();
        st.script = None;
        self.sync_listener(&st);
    }

    pub(crate) fn hits(&self, r: Route) -> usize {
        self.state().hits.get(&r).copied().unwrap_or(0)
    }

    pub(crate) fn hit_times(&self, r: Route) -> Vec<Instant> {
        self.state()
            .hit_times
            .get(&r)
            .map(|t| t.iter().copied().collect())
            .unwrap_or_default()
    }

    pub(crate) fn last_headers(&self, r: Route) -> Option<HeaderMap> {
        self.state().last_headers.get(&r).cloned()
    }

    pub(crate) fn last_form(&self, r: Route) -> Option<Form> {
        self.state().last_forms.get(&r).cloned()
    }

    pub(crate) fn accept_cookie(&self, sub: String) {
        self.state().cookies.insert(sub);
    }

    pub(crate) fn set_reply_cookie(&self, cookie: Option<String>) {
        self.state().reply_cookie = cookie;
    }

    pub(crate) fn expire_visitor_cookies(&self) {
        self.state().cookies.clear();
    }

    /// The served snapshot for `p`, emptied on request; an empty list dated now when the
    /// server holds no data for that platform.
    fn line(&self, p: Platform, empty: bool) -> SnapshotLine {
        let mut line = self.current(p).unwrap_or_else(|| SnapshotLine {
            captured_at: chrono::Utc::now().with_timezone(&crate::domain::cst()),
            platform: p,
            items: Vec::new(),
        });
        if empty {
            line.items.clear();
        }
        line
    }

    fn has_accepted_sub(&self, headers: &HeaderMap) -> bool {
        let st = self.state();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .any(|(k, v)| k == "SUB" && st.cookies.contains(v))
    }

    /// The route's ordinary answer.
    fn render(&self, route: Route, req: &Req<'_>, empty: bool) -> Reply {
        let Req {
            path,
            uri,
            query,
            headers,
            form,
        } = *req;
        match route {
            Route::HotSearch => {
                let line = self.line(Platform::Weibo, empty);
                Reply::json(&weibo::hot_search(
                    &weibo::Rows::of(&line),
                    self.timeline(Platform::Weibo),
                ))
            }
            Route::Summary => {
                if !self.has_accepted_sub(headers) {
                    return Reply::redirect(visitor::passport_url(&route.public_url(uri)));
                }
                let line = self.line(Platform::Weibo, empty);
                Reply::html(weibo::summary_html(&weibo::Rows::of(&line)))
            }
            Route::Mobile => {
                let realtime = param(query, "containerid").is_some_and(|c| {
                    c.starts_with("106003") && c.contains("filter_type=realtimehot")
                });
                if !realtime {
                    return Reply::json(&weibo::mobile_nothing());
                }
                let line = self.line(Platform::Weibo, empty);
                Reply::json(&weibo::mobile(&weibo::Rows::of(&line)))
            }
            Route::TiebaTopicList => {
                let line = self.line(Platform::Tieba, empty);
                Reply::json(&tieba::topic_list(
                    Some(&line),
                    self.timeline(Platform::Tieba),
                ))
            }
            Route::GenVisitor => Reply::jsonp(visitor::gen_callback(&visitor::new_tid())),
            Route::Incarnate => {
                if param(query, "t").is_none_or(|t| t.trim().is_empty()) {
                    return Reply::jsonp(visitor::failure(
                        "cross_domain",
                        50_111_205,
                        "缺少参数 t",
                    ));
                }
                let (sub, subp) = visitor::new_cookies();
                self.accept_cookie(sub.clone());
                let mut r = Reply::jsonp(visitor::cross_domain(&sub, &subp));
                let attrs = "expires=Sun, 15-Aug-2027 00:00:00 GMT; Path=/; Domain=.weibo.com";
                r.headers
                    .push((header::SET_COOKIE, format!("SUB={sub}; {attrs}; HttpOnly")));
                r.headers
                    .push((header::SET_COOKIE, format!("SUBP={subp}; {attrs}")));
                r
            }
            Route::VisitorPage => Reply::html(visitor::VISITOR_PAGE.to_string()),
            Route::TopicDetail => Reply::json(&topic::detail(param(query, "q").as_deref(), empty)),
            // m.weibo.cn drill-down: gated on the visitor cookie like the real site.
            Route::WeiboPosts
            | Route::WeiboDetail
            | Route::WeiboLongText
            | Route::WeiboComments => {
                if !self.has_accepted_sub(headers) {
                    return Reply::redirect(visitor::passport_url(&route.public_url(uri)));
                }
                posts::render(route, path, query, empty)
            }
            // Brand watch search: the real posts mentioning the word, created by the time of
            // the Weibo list being served (the demo clock); every post without Weibo lists.
            Route::WeiboSearch => {
                if !self.has_accepted_sub(headers) {
                    return Reply::redirect(visitor::passport_url(&route.public_url(uri)));
                }
                let now = self.current(Platform::Weibo).map(|l| l.captured_at);
                posts::keyword_search(query, now, empty)
            }
            // A sentinel's timeline: its real posts created by the demo clock, newest first.
            Route::WeiboTimeline => {
                if !self.has_accepted_sub(headers) {
                    return Reply::redirect(visitor::passport_url(&route.public_url(uri)));
                }
                let now = self.current(Platform::Weibo).map(|l| l.captured_at);
                posts::user_timeline(query, now, empty)
            }
            Route::TiebaAppPage => tieba_drill::app_page(form, empty),
            r if r.is_tieba_drill() => tieba_drill::render(r, path, query, empty),
            Route::BaiduBoard | Route::BaiduApi => {
                let line = self.line(Platform::Baidu, empty);
                baidu::render(route, query, &line, self.timeline(Platform::Baidu))
            }
            Route::DouyinWeb | Route::DouyinLogin | Route::DouyinApp | Route::DouyinBillboard => {
                let line = self.line(Platform::Douyin, empty);
                douyin::render(route, headers, &line, self.timeline(Platform::Douyin))
            }
            Route::ZhihuWeb | Route::ZhihuApp | Route::ZhihuBillboard => {
                let line = self.line(Platform::Zhihu, empty);
                zhihu::render(route, headers, &line, self.timeline(Platform::Zhihu))
            }
            Route::ToutiaoHotBoard => {
                let line = self.line(Platform::Toutiao, empty);
                toutiao::render(&line, self.timeline(Platform::Toutiao))
            }
            Route::BiliHotword | Route::BiliTrending | Route::BiliSquare | Route::BiliNav => {
                let line = self.line(Platform::Bilibili, empty);
                bilibili::render(route, query, &line, self.timeline(Platform::Bilibili))
            }
            Route::KuaishouHome => {
                let line = self.line(Platform::Kuaishou, empty);
                kuaishou::render(&line, self.timeline(Platform::Kuaishou))
            }
            Route::Newsnow(p) => newsnow::render(&self.line(p, empty), self.timeline(p)),
            _ => Reply::text(StatusCode::NOT_FOUND, "404 Not Found\n"),
        }
    }
}

/// What a renderer may look at in a request.
#[derive(Clone, Copy)]
struct Req<'a> {
    path: &'a str,
    /// Path and query.
    uri: &'a str,
    query: &'a str,
    headers: &'a HeaderMap,
    form: &'a [(String, String)],
}

pub(crate) async fn handle(
    extract::State(sh): extract::State<Arc<Shared>>,
    req: Request,
) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let uri = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    // The host the client meant: sent by `resou`'s client under the origin override.
    let host = req
        .headers()
        .get("x-forwarded-host")
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase);
    let route = Route::of(host.as_deref(), &path, &query);
    if let Some(rec) = &sh.recording {
        if let Some(resp) = rec.serve(sh.tick(), &path, &query) {
            return resp;
        }
        // The visitor flow is never recorded (its bodies hold cookie values); it is rendered.
        if !route.is_some_and(Route::is_visitor) {
            return recording::not_recorded();
        }
    }
    let date_of = |p: Platform| http_date(sh.line(p, true).captured_at);
    let Some(route) = route else {
        return Reply::text(StatusCode::NOT_FOUND, "404 Not Found\n")
            .into_response(&date_of(Platform::Weibo), &sh.streamed);
    };
    let headers = req.headers().clone();
    // Only forms are read; a body too large or cut off counts as no form.
    let form: Form = match axum::body::to_bytes(req.into_body(), MAX_REQUEST_BODY).await {
        Ok(b) if !b.is_empty() => url::form_urlencoded::parse(&b).into_owned().collect(),
        _ => Vec::new(),
    };
    let (fault, reply_cookie) = {
        let mut st = sh.state();
        *st.hits.entry(route).or_default() += 1;
        let times = st.hit_times.entry(route).or_default();
        if times.len() >= MAX_HIT_TIMES {
            times.pop_front();
        }
        times.push_back(Instant::now());
        st.last_headers.insert(route, headers.clone());
        if !form.is_empty() {
            st.last_forms.insert(route, form.clone());
        }
        let fault = sh.fault_for(&mut st, route);
        (fault, st.reply_cookie.clone())
    };
    sh.arrivals.send_modify(|n| *n += 1);
    // The Date header is the served snapshot's capture time: clients use it as such.
    let date = date_of(route.platform());
    let req = Req {
        path: &path,
        uri: &uri,
        query: &query,
        headers: &headers,
        form: &form,
    };
    let normal = |empty: bool| sh.render(route, &req, empty);
    let mut reply = match fault {
        None => normal(false),
        Some(f) => {
            if let Fault::Delay(d) = f {
                tokio::time::sleep(d).await;
            }
            fault::apply(&f, route, &uri, normal)
        }
    };
    if let Some(c) = reply_cookie {
        reply.headers.push((header::SET_COOKIE, c));
    }
    // One request per connection: a fault on the listener (refused, connect timeout) then
    // meets the very next request instead of a pooled connection slipping past it.
    reply.headers.push((header::CONNECTION, "close".into()));
    reply.into_response(&date, &sh.streamed)
}
