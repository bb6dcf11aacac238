//! The accept loop: hyper's HTTP/1 connection builder directly, because `axum::serve` sets
//! neither a header-read timeout (a client trickling its headers would hold a connection
//! forever) nor a header size below hyper's ~400 KB buffer.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, header};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use super::Server;
use super::error::ApiError;

/// How long open connections get to finish after shutdown is asked for.
const DRAIN: Duration = Duration::from_secs(5);

/// Serve `server` on `listener` until `shutdown` completes, then let requests in progress
/// finish (up to a few seconds). Errors only when the listener itself fails for good.
pub async fn run(
    listener: TcpListener,
    server: Arc<Server>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let limits = server.options.limits;
    let app = super::routes::router(server.clone());
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        // The hard cap behind the JSON 414/431 of `Server::admit`, which answers first.
        .max_header_size(4 * (limits.max_header_bytes + limits.max_uri_bytes))
        .max_headers(64);
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopping) = watch::channel(false);
    let mut open = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        // Wait for a free connection slot before accepting: past the limit, clients queue in
        // the kernel's backlog instead of costing memory here.
        let permit = tokio::select! {
            p = connections.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break, // the semaphore is never closed
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) if is_per_connection(&e) => continue,
                Err(e) => {
                    // Out of file descriptors and the like: wait for connections to close.
                    tracing::warn!("serve: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        while open.try_join_next().is_some() {}
        let conn = http.serve_connection(
            TokioIo::new(stream),
            hyper::service::service_fn({
                let server = server.clone();
                let app = app.clone();
                move |req| answer(server.clone(), app.clone(), peer, req)
            }),
        );
        let mut stopping = stopping.clone();
        open.spawn(async move {
            let _permit = permit;
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => return log_end(r),
                _ = stopping.wait_for(|s| *s) => conn.as_mut().graceful_shutdown(),
            }
            log_end(conn.await);
        });
    }
    let _ = stop.send(true);
    let drained = tokio::time::timeout(DRAIN, async { while open.join_next().await.is_some() {} });
    if drained.await.is_err() {
        open.abort_all();
    }
    Ok(())
}

/// Errors of one incoming connection, not of the listener.
fn is_per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

fn log_end(r: hyper::Result<()>) {
    if let Err(e) = r {
        tracing::debug!("serve: connection: {e}");
    }
}

/// One request: admission, the in-flight limit, the timeout, then the router.
async fn answer(
    server: Arc<Server>,
    app: axum::Router,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let mut response = respond(&server, app, peer, req).await;
    // Browsers must take the declared type (JSON, feeds, the report's HTML) at its word.
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

async fn respond(
    server: &Server,
    app: axum::Router,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Response<Body> {
    if let Err(e) = server.admit(&req, peer.ip()) {
        return e.into_response();
    }
    let Ok(_in_flight) = server.in_flight.clone().try_acquire_owned() else {
        return ApiError::unavailable("busy: too many requests in flight").into_response();
    };
    let limit = server.options.limits.timeout;
    match tokio::time::timeout(limit, app.oneshot(req.map(Body::new))).await {
        Ok(Ok(r)) => r,
        Ok(Err(never)) => match never {},
        Err(_) => ApiError::unavailable(format!(
            "no answer within {} s (is the history store slow or locked?)",
            limit.as_secs_f64()
        ))
        .into_response(),
    }
}
