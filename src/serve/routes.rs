//! The routes: JSON under `/api/`, feeds under `/feed/`, 404 for anything else. Requests
//! reach them only after [`Server::admit`](super::Server) (method, sizes, rate, token).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use crate::domain::{Platform, Tier};

use super::Server;
use super::error::ApiError;
use super::feed::{self, Feed, Format};
use super::model;

type Answer = Result<Response, ApiError>;

pub(crate) fn router(server: Arc<Server>) -> Router {
    Router::new()
        .route("/api/lists", get(lists))
        .route("/api/lists/{platform}", get(list_of))
        .route("/api/flagged", get(flagged))
        .route("/feed/{file}", get(feed))
        .fallback(not_found)
        .with_state(server)
}

const ROUTES: &str = "/api/lists, /api/lists/{platform}, /api/flagged, \
                      /feed/flagged.{json,atom,rss}";

async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("no route {} (routes: {ROUTES})", uri.path()))
}

/// `value` as `application/json`.
pub(crate) fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        // Only a serialiser bug gets here; still say so in JSON.
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            )],
            format!(
                "{{\"error\":{{\"status\":500,\"message\":\"JSON: {}\"}}}}",
                e.to_string().replace(['"', '\\'], "'")
            ),
        )
            .into_response(),
    }
}

/// Rows or items per answer unless `limit` says otherwise, and the most it may say.
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;

/// The query parameters a route takes; any other is a 400 (a typo should not silently
/// return everything).
#[derive(Debug, Default)]
struct Filters {
    platform: Option<Platform>,
    /// At least this tier.
    tier: Option<Tier>,
    limit: usize,
}

fn filters(uri: &Uri, takes: &[&str]) -> Result<Filters, ApiError> {
    let mut f = Filters {
        limit: DEFAULT_LIMIT,
        ..Filters::default()
    };
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if k == super::auth::QUERY_PARAM {
            continue;
        }
        if !takes.contains(&k.as_ref()) {
            let takes = if takes.is_empty() {
                "none".to_string()
            } else {
                takes.join(", ")
            };
            return Err(ApiError::bad_request(format!(
                "unknown query parameter `{k}` (this route takes: {takes})"
            )));
        }
        match k.as_ref() {
            "platform" => f.platform = Some(platform(&v)?),
            "tier" => f.tier = Some(tier(&v)?),
            "limit" => {
                f.limit = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad_request(format!(
                            "limit `{v}`: give a number from 1 to {MAX_LIMIT}"
                        ))
                    })?
            }
            _ => {}
        }
    }
    Ok(f)
}

fn platform(s: &str) -> Result<Platform, ApiError> {
    Platform::parse(s).ok_or_else(|| {
        let ids: Vec<&str> = Platform::ALL.iter().map(|p| p.id()).collect();
        ApiError::bad_request(format!(
            "unknown platform `{s}` (one of {})",
            ids.join(", ")
        ))
    })
}

/// `orange` or `橙`.
fn tier(s: &str) -> Result<Tier, ApiError> {
    Tier::ALL
        .into_iter()
        .find(|t| t.id() == s || t.zh().starts_with(s) && !s.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "unknown tier `{s}` (blue, yellow, orange, red or 蓝, 黄, 橙, 红)"
            ))
        })
}

/// The latest stored board of each of `platforms` that has one.
async fn latest(server: &Server, platforms: Vec<Platform>) -> Result<Vec<crate::domain::Snapshot>, ApiError> {
    server
        .pool
        .query(move |store| {
            let far = crate::history::far_future();
            let mut out = Vec::new();
            for p in platforms {
                out.extend(store.snapshot_at(p, far)?);
            }
            Ok(out)
        })
        .await
}

async fn lists(State(server): State<Arc<Server>>, uri: Uri) -> Answer {
    let f = filters(&uri, &["platform", "limit"])?;
    let platforms = f.platform.map_or(Platform::ALL.to_vec(), |p| vec![p]);
    let lists: Vec<model::List> = latest(&server, platforms)
        .await?
        .iter()
        .map(|s| model::List::of(s, f.limit))
        .collect();
    Ok(json_response(StatusCode::OK, &serde_json::json!({ "lists": lists })))
}

async fn list_of(
    State(server): State<Arc<Server>>,
    Path(id): Path<String>,
    uri: Uri,
) -> Answer {
    let p = platform(&id).map_err(|e| ApiError::not_found(e.message))?;
    let f = filters(&uri, &["limit"])?;
    let snap = latest(&server, vec![p]).await?;
    let list = snap
        .first()
        .map(|s| model::List::of(s, f.limit))
        .ok_or_else(|| ApiError::not_found(format!("no stored list for {}", p.id())))?;
    Ok(json_response(StatusCode::OK, &list))
}

async fn flagged_topics(server: &Server, f: &Filters) -> Result<Vec<model::Flagged>, ApiError> {
    let records = server.pool.query(|store| store.load_triage()).await?;
    let mut out = model::flagged(&records);
    out.retain(|t| f.platform.is_none_or(|p| t.platform == p));
    out.truncate(f.limit);
    Ok(out)
}

async fn flagged(State(server): State<Arc<Server>>, uri: Uri) -> Answer {
    let f = filters(&uri, &["platform", "limit"])?;
    let topics = flagged_topics(&server, &f).await?;
    Ok(json_response(StatusCode::OK, &serde_json::json!({ "flagged": topics })))
}

/// The feeds: what is in them, and which filters each takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Flagged,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        match s {
            "flagged" => Some(Kind::Flagged),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Flagged => "flagged",
        }
    }

    fn takes(self) -> &'static [&'static str] {
        match self {
            Kind::Flagged => &["platform", "limit"],
        }
    }
}

async fn feed(State(server): State<Arc<Server>>, Path(file): Path<String>, uri: Uri) -> Answer {
    let unknown = || {
        ApiError::not_found(format!(
            "no feed `{file}` (feeds: flagged.json, flagged.atom, flagged.rss)"
        ))
    };
    let (name, ext) = file.rsplit_once('.').ok_or_else(unknown)?;
    let (kind, format) = Kind::parse(name)
        .zip(Format::parse(ext))
        .ok_or_else(unknown)?;
    let f = filters(&uri, kind.takes())?;
    let base = &server.options.public_url;
    let (title, description, items) = match kind {
        Kind::Flagged => {
            let topics = flagged_topics(&server, &f).await?;
            (
                "resou · 标记话题 flagged topics",
                "Topics flagged by the team in resou, with their notes",
                topics.iter().map(model::Flagged::item).collect::<Vec<_>>(),
            )
        }
    };
    let updated = items
        .iter()
        .map(|i| i.modified.unwrap_or(i.published))
        .max()
        .unwrap_or_else(|| (server.options.now)());
    let feed = Feed {
        title: title.to_string(),
        description: description.to_string(),
        home_page_url: format!("{base}/api/{}", kind.name()),
        feed_base: format!("{base}/feed/{}", kind.name()),
        updated,
        items,
    };
    let body = feed::render(&feed, format)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()))],
        Body::from(body),
    )
        .into_response())
}
