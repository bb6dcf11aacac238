//! The routes: JSON under `/api/`, feeds under `/feed/`, 404 for anything else. Requests
//! reach them only after [`Server::admit`](super::Server) (method, sizes, rate, token).

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use crate::domain::{Platform, Tier};
use crate::report::PeriodSpec;

use super::Server;
use super::error::ApiError;
use super::feed::{self, Feed, Format};
use super::model;

type Answer = Result<Response, ApiError>;

pub(crate) fn router(server: Arc<Server>) -> Router {
    Router::new()
        .route("/api/lists", get(lists))
        .route("/api/lists/{platform}", get(list_of))
        .route("/api/rising", get(rising))
        .route("/api/events", get(events))
        .route("/api/flagged", get(flagged))
        .route("/api/alerts", get(alerts))
        .route("/api/reports/{period}", get(report))
        .route("/feed/{file}", get(feed))
        .fallback(not_found)
        .with_state(server)
}

const ROUTES: &str = "/api/lists, /api/lists/{platform}, /api/rising, /api/events, \
                      /api/flagged, /api/alerts, /api/reports/{day|shift|6h}, \
                      /feed/{rising,events,flagged,alerts}.{json,atom,rss}";

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

/// A path segment, or a 400 saying why it could not be read (bad percent-encoding).
fn path_param(p: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    p.map(|Path(s)| s)
        .map_err(|e| ApiError::bad_request(e.body_text()))
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
    /// The report period rising keywords and events come from; default `day`.
    period: Option<PeriodSpec>,
    /// A report's format: `json` (default), `md`, `html`.
    format: Option<String>,
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
            "period" => {
                f.period = Some(PeriodSpec::parse(&v).map_err(ApiError::bad_request)?);
            }
            "format" => f.format = Some(v.into_owned()),
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
async fn latest(
    server: &Server,
    platforms: Vec<Platform>,
) -> Result<Vec<crate::domain::Snapshot>, ApiError> {
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
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({ "lists": lists }),
    ))
}

async fn list_of(
    State(server): State<Arc<Server>>,
    id: Result<Path<String>, PathRejection>,
    uri: Uri,
) -> Answer {
    let id = path_param(id)?;
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
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({ "flagged": topics }),
    ))
}

/// Alerts the team's sender queued, newest first: the delivery queue's recent rows.
async fn team_alerts(server: &Server, f: &Filters) -> Result<Vec<model::Alert>, ApiError> {
    // Rows are per channel; read enough that `limit` alerts survive the grouping.
    let rows = u32::try_from(f.limit * 8).unwrap_or(u32::MAX);
    let rows = server
        .pool
        .query(move |store| store.recent_pushes(rows))
        .await?;
    let mut out = model::alerts(&rows);
    out.retain(|a| f.platform.is_none_or(|p| a.platform == Some(p)));
    out.retain(|a| f.tier.is_none_or(|t| a.tier >= t));
    out.truncate(f.limit);
    Ok(out)
}

async fn alerts(State(server): State<Arc<Server>>, uri: Uri) -> Answer {
    let f = filters(&uri, &["platform", "tier", "limit"])?;
    let alerts = team_alerts(&server, &f).await?;
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({ "alerts": alerts }),
    ))
}

/// Rising keywords of the period, by peak score, at the tier asked for or above.
async fn rising_keywords(server: &Server, f: &Filters) -> Result<Vec<model::Rising>, ApiError> {
    let report = server.report(f.period.unwrap_or(PeriodSpec::Day)).await?;
    let opts = &server.options.report;
    Ok(report
        .rising
        .iter()
        .map(|k| model::Rising::of(k, opts.top_n, &opts.tiers))
        .filter(|k| f.tier.is_none_or(|t| k.tier >= t))
        .take(f.limit)
        .collect())
}

async fn rising(State(server): State<Arc<Server>>, uri: Uri) -> Answer {
    let f = filters(&uri, &["period", "tier", "limit"])?;
    let rising = rising_keywords(&server, &f).await?;
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({ "rising": rising }),
    ))
}

/// Cross-platform events of the period, newest first.
async fn cross_events(server: &Server, f: &Filters) -> Result<Vec<model::Event>, ApiError> {
    let report = server.report(f.period.unwrap_or(PeriodSpec::Day)).await?;
    let mut out: Vec<model::Event> = report
        .events
        .iter()
        .map(|e| model::Event::of(e, &server.options.report.tiers))
        .filter(|e| f.platform.is_none_or(|p| e.touches(p)))
        .filter(|e| f.tier.is_none_or(|t| e.tier >= t))
        .collect();
    out.sort_by(|a, b| {
        (b.event.first_seen.cmp(&a.event.first_seen))
            .then_with(|| a.event.label.cmp(&b.event.label))
    });
    out.truncate(f.limit);
    Ok(out)
}

async fn events(State(server): State<Arc<Server>>, uri: Uri) -> Answer {
    let f = filters(&uri, &["period", "platform", "tier", "limit"])?;
    let events = cross_events(&server, &f).await?;
    Ok(json_response(
        StatusCode::OK,
        &serde_json::json!({ "events": events }),
    ))
}

/// The whole report of a period as JSON, or rendered (`?format=md|html`).
async fn report(
    State(server): State<Arc<Server>>,
    period: Result<Path<String>, PathRejection>,
    uri: Uri,
) -> Answer {
    let period = path_param(period)?;
    let spec = PeriodSpec::parse(&period).map_err(ApiError::not_found)?;
    let f = filters(&uri, &["format"])?;
    let report = server.report(spec).await?;
    let (body, content_type) = match f.format.as_deref().unwrap_or("json") {
        "json" => return Ok(json_response(StatusCode::OK, &*report)),
        "md" => (
            crate::report::render_markdown(&report),
            "text/markdown; charset=utf-8",
        ),
        "html" => (
            crate::report::render_html(&report),
            "text/html; charset=utf-8",
        ),
        other => {
            return Err(ApiError::bad_request(format!(
                "format `{other}`: json, md or html"
            )));
        }
    };
    let mut r = (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response();
    // The report escapes what it shows; this stops anything it missed from running.
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    Ok(r)
}

/// The feeds: what is in them, and which filters each takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rising,
    Events,
    Flagged,
    Alerts,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Rising, Kind::Events, Kind::Flagged, Kind::Alerts];

    fn name(self) -> &'static str {
        match self {
            Kind::Rising => "rising",
            Kind::Events => "events",
            Kind::Flagged => "flagged",
            Kind::Alerts => "alerts",
        }
    }

    fn takes(self) -> &'static [&'static str] {
        match self {
            Kind::Rising => &["period", "tier", "limit"],
            Kind::Events => &["period", "platform", "tier", "limit"],
            Kind::Flagged => &["platform", "limit"],
            Kind::Alerts => &["platform", "tier", "limit"],
        }
    }
}

async fn feed(
    State(server): State<Arc<Server>>,
    file: Result<Path<String>, PathRejection>,
    uri: Uri,
) -> Answer {
    let file = path_param(file)?;
    let unknown = || {
        ApiError::not_found(format!(
            "no feed `{file}` (feeds: {{rising,events,flagged,alerts}}.{{json,atom,rss}})"
        ))
    };
    let (name, ext) = file.rsplit_once('.').ok_or_else(unknown)?;
    let kind = Kind::ALL.into_iter().find(|k| k.name() == name);
    let (kind, format) = kind.zip(Format::parse(ext)).ok_or_else(unknown)?;
    let f = filters(&uri, kind.takes())?;
    let base = &server.options.public_url;
    let (title, description, items) = match kind {
        Kind::Rising => (
            "resou · 上升关键词 rising keywords",
            "Keywords the detector found rising on the hot lists, with their tier",
            rising_keywords(&server, &f)
                .await?
                .iter()
                .map(model::Rising::item)
                .collect::<Vec<_>>(),
        ),
        Kind::Events => (
            "resou · 跨平台事件 cross-platform events",
            "Stories on two or more hot lists, in the order they spread",
            cross_events(&server, &f)
                .await?
                .iter()
                .map(model::Event::item)
                .collect(),
        ),
        Kind::Flagged => (
            "resou · 标记话题 flagged topics",
            "Topics flagged by the team in resou, with their notes",
            flagged_topics(&server, &f)
                .await?
                .iter()
                .map(model::Flagged::item)
                .collect(),
        ),
        Kind::Alerts => (
            "resou · 团队提醒 team alerts",
            "Alerts the team's rules raised, with the channels they went to",
            team_alerts(&server, &f)
                .await?
                .iter()
                .map(model::Alert::item)
                .collect(),
        ),
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
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        )],
        Body::from(body),
    )
        .into_response())
}
