//! Loopback replay server for `--demo` and tests: renders the platforms' wire formats
//! (Weibo A1/A3/A4/A5, Tieba B1 of data-sources.md) from snapshot files and the C4 topic
//! detail from the bundled topic table, Tieba drill-down (D2/D3 incl. the signed app API, `tieba_drill`), walks through them on a clock, and plays failure
//! modes on demand.
//!
//! Deliberately independent of `crate::sources`: the server writes the formats from the
//! spec, so a client parser bug cannot hide behind the same bug on the server side.

mod baidu;
mod bilibili;
mod demo;
mod douyin;
mod fault;
mod kuaishou;
mod listener;
mod lists;
mod newsnow;
mod posts;
mod recording;
mod reply;
mod script;
mod server;
mod tieba;
mod tieba_drill;
mod timeline;
mod topic;
mod toutiao;
mod visitor;
mod weibo;
mod wire;
mod zhihu;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::domain::Platform;
use crate::domain::snapshot_file::SnapshotLine;

pub use demo::{DEMO_SENTINELS, DemoData, DemoDay, align_to, demo_data};

/// The demo's sentinel accounts (see [`demo::sentinels`]).
pub use demo::sentinels as demo_sentinels;
pub use fault::Fault;
pub use recording::{BodyEncoding, RecordedExchange, Recording, encode_body, is_recording_line};
pub use reply::Route;
pub use script::{FaultScript, ScriptError, Span, Step, Target, poll_routes, route_names};

/// How the served snapshot moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// One snapshot per `step` of real time since start, computed at request time; wraps.
    Wall,
    /// Moves only on `advance()` / `set_index()` (deterministic tests).
    Manual,
}

#[derive(Debug, Clone)]
pub struct ReplayConfig {
    /// The lists to serve, any platforms, any order (each platform's are walked in time order).
    pub lists: Vec<SnapshotLine>,
    pub step: Duration,
    pub clock: ClockMode,
}

/// A running server on `127.0.0.1:<random port>`; stops when dropped.
pub struct ReplayServer {
    addr: SocketAddr,
    shared: Arc<server::Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ReplayServer {
    pub async fn start(cfg: ReplayConfig) -> std::io::Result<ReplayServer> {
        Self::serve(server::Shared::new(cfg)).await
    }

    /// Serve a recording from `resou record`: one recorded poll per clock tick (per `step` of
    /// wall time, or per `advance()`), each platform wrapping at its own end. Paths outside
    /// the recording get 404, except the visitor flow, which is rendered as usual.
    pub async fn start_recording(
        recording: Recording,
        step: Duration,
        clock: ClockMode,
    ) -> std::io::Result<ReplayServer> {
        let cfg = ReplayConfig {
            lists: Vec::new(),
            step,
            clock,
        };
        Self::serve(server::Shared::with_recording(cfg, recording)).await
    }

    async fn serve(shared: server::Shared) -> std::io::Result<ReplayServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let listener = listener::FaultListener::new(listener, shared.listen_mode())?;
        let shared = Arc::new(shared);
        let app = axum::Router::new()
            .fallback(server::handle)
            .with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("replay server stopped: {e}");
            }
        });
        Ok(ReplayServer {
            addr,
            shared,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`: the origin every platform host is rewritten to.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Move both platforms one snapshot on (each wraps at the end of its own list).
    pub fn advance(&self) {
        self.shared.advance()
    }

    /// Serve snapshot `i` (modulo each list's length); in wall mode, counting restarts now.
    pub fn set_index(&self, i: usize) {
        self.shared.set_index(i)
    }

    /// Play `fault` on `route` until `clear_faults`. `Fault::Refused` and
    /// `Fault::ConnectTimeout` act on the whole origin, whatever the route.
    pub fn set_fault(&self, route: Route, fault: Fault) {
        self.shared.set_fault(route, fault)
    }

    /// Clear the faults set with `set_fault` and stop any script.
    pub fn clear_faults(&self) {
        self.shared.clear_faults()
    }

    /// Play `script` from its first step, replacing any script playing. While a step targets
    /// a route, its fault (or its normal answer, for `good`) wins over `set_fault`; routes
    /// it does not target keep their `set_fault` faults.
    pub fn play(&self, script: FaultScript) {
        self.shared.play(script)
    }

    /// End the script's current step, whatever its span, and start the next.
    pub fn next_step(&self) {
        self.shared.next_step()
    }

    /// The index of the script step playing; `None` with no script or after its last step.
    pub fn script_step(&self) -> Option<usize> {
        self.shared.script_step()
    }

    /// Body bytes sent so far by streamed faults (`Flood`, `Drip`): how much a client read
    /// before it gave up.
    pub fn streamed_bytes(&self) -> usize {
        self.shared.streamed_bytes()
    }

    /// Requests received on `route` (faulted ones included).
    pub fn hits(&self, route: Route) -> usize {
        self.shared.hits(route)
    }

    /// Wait until `route` has received at least `n` requests (counted as in `hits`).
    pub async fn wait_hits(&self, route: Route, n: usize) {
        self.shared.wait_hits(route, n).await
    }

    /// When the server received the last requests on `route` (up to 256, oldest first).
    pub fn hit_times(&self, route: Route) -> Vec<std::time::Instant> {
        self.shared.hit_times(route)
    }

    /// Request headers of the last request on `route`.
    pub fn last_headers(&self, route: Route) -> Option<HeaderMap> {
        self.shared.last_headers(route)
    }

    /// The urlencoded form of the last request on `route` that carried one (decoded pairs).
    pub fn last_form(&self, route: Route) -> Option<Vec<(String, String)>> {
        self.shared.last_form(route)
    }

    /// The snapshot currently served for `platform`.
    pub fn current(&self, platform: Platform) -> Option<SnapshotLine> {
        self.shared.current(platform)
    }

    /// Make `/top/summary` accept this `SUB` value (a user-supplied cookie).
    pub fn accept_cookie(&self, sub: String) {
        self.shared.accept_cookie(sub)
    }

    /// Add `Set-Cookie: <cookie>` to every rendered reply (`None` stops), as real sites set
    /// tracking cookies; tests use it to prove recordings never keep cookies.
    pub fn set_reply_cookie(&self, cookie: Option<String>) {
        self.shared.set_reply_cookie(cookie)
    }

    /// Forget every accepted `SUB` (issued or given), as when visitor cookies expire.
    pub fn expire_visitor_cookies(&self) {
        self.shared.expire_visitor_cookies()
    }

    /// Stop accepting, let open requests finish (up to 2 s), then stop.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(2), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
