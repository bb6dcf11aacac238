//! Fault scripts: a sequence of steps, each playing one fault (or none) on a target for a
//! number of requests, for a time, or until the test moves on — so a run can go
//! good → fault → good by itself.
//!
//! Text form, one step per line (`#` starts a comment):
//!
//! ```text
//! # target     fault            how long
//! hot-search   good             x1          # one normal answer
//! hot-search   status 432       x2          # two requests answered 432
//! weibo        drip 1s          for 10s     # every Weibo poll endpoint, for 10 s
//! *            refused          until cleared
//! tieba        captcha                      # no length: until cleared
//! ```
//!
//! Targets: a route name (see [`route_names`]: `hot-search` A1, `summary` A4, `mobile` A3,
//! `tieba-topic-list` B1, the drill-down and visitor routes), a platform (`weibo`, `tieba`: its
//! poll endpoints, the fallback chain), or `*` (every route).
//!
//! Faults: `good`, `status N`, `empty`, `login-redirect`, `login-wall`, `html`, `truncated`,
//! `envelope N`, `captcha`, `wrong-shape`, `delay DUR`, `huge SIZE`, `flood SIZE`,
//! `drip DUR`, `invalid-utf8`, `redirect-loop`, `refused`, `connect-timeout`.
//! DUR is `250ms`, `2s` or `1m`; SIZE is bytes, optionally with `KiB` or `MiB`.
//!
//! How long: `xN` (the next N requests on the target), `for DUR` (wall time from the moment
//! the step starts), `until cleared` (the default: until `ReplayServer::next_step` or
//! `clear_faults`). `refused` and `connect-timeout` act on the listening socket, where no
//! request is ever seen, so they cannot be counted in requests.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::fault::Fault;
use super::reply::Route;
use crate::domain::Platform;

/// Which requests a step acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Route(Route),
    /// The platform's poll endpoints (Weibo A1, A4, A3; Tieba B1; …).
    Platform(Platform),
    /// Every route.
    All,
}

impl Target {
    pub fn matches(self, route: Route) -> bool {
        match self {
            Target::Route(r) => r == route,
            Target::Platform(p) => poll_routes(p).contains(&route),
            Target::All => true,
        }
    }
}

/// The routes a platform's pollers use, in fallback order.
pub fn poll_routes(p: Platform) -> &'static [Route] {
    match p {
        Platform::Weibo => &[Route::HotSearch, Route::Summary, Route::Mobile],
        Platform::Tieba => &[Route::TiebaTopicList],
        Platform::Baidu => &[Route::BaiduBoard, Route::BaiduApi],
        Platform::Douyin => &[
            Route::DouyinWeb,
            Route::DouyinLogin,
            Route::DouyinApp,
            Route::DouyinBillboard,
        ],
        Platform::Zhihu => &[Route::ZhihuWeb, Route::ZhihuApp, Route::ZhihuBillboard],
        Platform::Toutiao => &[Route::ToutiaoHotBoard],
        Platform::Bilibili => &[
            Route::BiliHotword,
            Route::BiliTrending,
            Route::BiliSquare,
            Route::BiliNav,
        ],
        Platform::Kuaishou => &[Route::KuaishouHome],
        Platform::ThePaper => &[Route::Newsnow(Platform::ThePaper)],
        Platform::Cls => &[Route::Newsnow(Platform::Cls)],
        Platform::Ifeng => &[Route::Newsnow(Platform::Ifeng)],
        Platform::WallStreetCn => &[Route::Newsnow(Platform::WallStreetCn)],
    }
}

/// How long a step plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// The next N requests on the target.
    Requests(usize),
    /// This much wall time from the step's start.
    For(Duration),
    /// Until `ReplayServer::next_step` (or `clear_faults`).
    UntilCleared,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub target: Target,
    /// `None`: the target answers normally (over any fault set with `set_fault`).
    pub fault: Option<Fault>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FaultScript {
    pub steps: Vec<Step>,
}

/// A script line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fault script line {line}: {why}")]
pub struct ScriptError {
    pub line: usize,
    pub why: String,
}

/// Every route name a script may use, with its route.
pub fn route_names() -> &'static [(&'static str, Route)] {
    &[
        ("hot-search", Route::HotSearch),
        ("summary", Route::Summary),
        ("mobile", Route::Mobile),
        ("tieba-topic-list", Route::TiebaTopicList),
        ("genvisitor", Route::GenVisitor),
        ("incarnate", Route::Incarnate),
        ("visitor-page", Route::VisitorPage),
        ("topic-detail", Route::TopicDetail),
        ("weibo-posts", Route::WeiboPosts),
        ("weibo-search", Route::WeiboSearch),
        ("weibo-timeline", Route::WeiboTimeline),
        ("weibo-detail", Route::WeiboDetail),
        ("weibo-long-text", Route::WeiboLongText),
        ("weibo-comments", Route::WeiboComments),
        ("tieba-hot-message", Route::TiebaHotMessage),
        ("tieba-hot-message-main", Route::TiebaHotMessageMain),
        ("tieba-hot-message-thread", Route::TiebaHotMessageThread),
        ("tieba-thread-page", Route::TiebaThreadPage),
        ("tieba-sub-replies", Route::TiebaSubReplies),
        ("tieba-app-page", Route::TiebaAppPage),
        ("baidu-board", Route::BaiduBoard),
        ("baidu-api", Route::BaiduApi),
        ("douyin-web", Route::DouyinWeb),
        ("douyin-login", Route::DouyinLogin),
        ("douyin-app", Route::DouyinApp),
        ("douyin-billboard", Route::DouyinBillboard),
        ("zhihu-web", Route::ZhihuWeb),
        ("zhihu-app", Route::ZhihuApp),
        ("zhihu-billboard", Route::ZhihuBillboard),
        ("toutiao-hot-board", Route::ToutiaoHotBoard),
        ("bili-hotword", Route::BiliHotword),
        ("bili-trending", Route::BiliTrending),
        ("bili-square", Route::BiliSquare),
        ("bili-nav", Route::BiliNav),
        ("kuaishou-home", Route::KuaishouHome),
        ("newsnow-thepaper", Route::Newsnow(Platform::ThePaper)),
        ("newsnow-cls", Route::Newsnow(Platform::Cls)),
        ("newsnow-ifeng", Route::Newsnow(Platform::Ifeng)),
        (
            "newsnow-wallstreetcn",
            Route::Newsnow(Platform::WallStreetCn),
        ),
    ]
}

impl FaultScript {
    pub fn parse(text: &str) -> Result<FaultScript, ScriptError> {
        let mut steps = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |why: String| ScriptError { line: i + 1, why };
            steps.push(parse_step(line).map_err(err)?);
        }
        Ok(FaultScript { steps })
    }
}

impl FromStr for FaultScript {
    type Err = ScriptError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FaultScript::parse(s)
    }
}

fn parse_step(line: &str) -> Result<Step, String> {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let target = parse_target(words.remove(0))?;
    let span = match words.as_slice() {
        [.., "until", "cleared"] => {
            words.truncate(words.len() - 2);
            Span::UntilCleared
        }
        [.., "for", d] => {
            let d = parse_duration(d)?;
            words.truncate(words.len() - 2);
            Span::For(d)
        }
        [.., n] if n.starts_with('x') && n.len() > 1 => {
            let n = n[1..]
                .parse::<usize>()
                .map_err(|_| format!("bad count {n:?} (want xN)"))?;
            words.pop();
            Span::Requests(n)
        }
        _ => Span::UntilCleared,
    };
    let fault = parse_fault(&words)?;
    if fault.as_ref().is_some_and(Fault::is_origin_wide) && matches!(span, Span::Requests(_)) {
        return Err(
            "refused and connect-timeout see no requests: use `for DUR` or `until cleared`".into(),
        );
    }
    Ok(Step {
        target,
        fault,
        span,
    })
}

fn parse_target(word: &str) -> Result<Target, String> {
    match word {
        "*" => Ok(Target::All),
        w if Platform::ALL.iter().any(|p| p.id() == w) => Platform::ALL
            .into_iter()
            .find(|p| p.id() == w)
            .map(Target::Platform)
            .ok_or_else(|| format!("unknown target {w:?}")),
        w => route_names()
            .iter()
            .find(|(n, _)| *n == w)
            .map(|(_, r)| Target::Route(*r))
            .ok_or_else(|| format!("unknown target {w:?}")),
    }
}

fn parse_fault(words: &[&str]) -> Result<Option<Fault>, String> {
    let arg = || words.get(1).copied().ok_or("missing argument".to_string());
    let int = |w: &str| w.parse::<i64>().map_err(|_| format!("bad number {w:?}"));
    let fault = match words.first().copied() {
        None => return Err("missing fault".into()),
        Some("good") => None,
        Some("status") => {
            let code = int(arg()?)?;
            Some(Fault::Status(
                u16::try_from(code)
                    .ok()
                    .filter(|c| (100..=999).contains(c))
                    .ok_or(format!("bad HTTP status {code}"))?,
            ))
        }
        Some("empty") => Some(Fault::EmptyList),
        Some("login-redirect") => Some(Fault::LoginRedirect),
        Some("login-wall") => Some(Fault::LoginWall),
        Some("html") => Some(Fault::HtmlInsteadOfJson),
        Some("truncated") => Some(Fault::Truncated),
        Some("envelope") => Some(Fault::Envelope(int(arg()?)?)),
        Some("captcha") => Some(Fault::Captcha),
        Some("wrong-shape") => Some(Fault::WrongShape),
        Some("delay") => Some(Fault::Delay(parse_duration(arg()?)?)),
        Some("huge") => Some(Fault::Huge(parse_size(arg()?)?)),
        Some("flood") => Some(Fault::Flood(parse_size(arg()?)?)),
        Some("drip") => Some(Fault::Drip(parse_duration(arg()?)?)),
        Some("invalid-utf8") => Some(Fault::InvalidUtf8),
        Some("redirect-loop") => Some(Fault::RedirectLoop),
        Some("refused") => Some(Fault::Refused),
        Some("connect-timeout") => Some(Fault::ConnectTimeout),
        Some(w) => return Err(format!("unknown fault {w:?}")),
    };
    let takes_arg = matches!(
        words.first().copied(),
        Some("status" | "envelope" | "delay" | "huge" | "flood" | "drip")
    );
    if words.len() > 1 + usize::from(takes_arg) {
        return Err(format!(
            "unexpected {:?}",
            words[1 + usize::from(takes_arg)]
        ));
    }
    Ok(fault)
}

/// `250ms`, `2s`, `1m`.
fn parse_duration(w: &str) -> Result<Duration, String> {
    let bad = || format!("bad duration {w:?} (want 250ms, 2s or 1m)");
    let (num, unit) = w.split_at(w.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: u64 = num.parse().map_err(|_| bad())?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n.saturating_mul(60))),
        _ => Err(bad()),
    }
}

/// `123`, `64KiB`, `50MiB`.
fn parse_size(w: &str) -> Result<usize, String> {
    let bad = || format!("bad size {w:?} (want bytes, KiB or MiB)");
    let split = w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len());
    let n: usize = w[..split].parse().map_err(|_| bad())?;
    let unit = match &w[split..] {
        "" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        _ => return Err(bad()),
    };
    n.checked_mul(unit).ok_or_else(bad)
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::All => f.write_str("*"),
            Target::Platform(p) => f.write_str(p.id()),
            Target::Route(r) => {
                let name = route_names()
                    .iter()
                    .find(|(_, x)| x == r)
                    .map_or("?", |(n, _)| *n);
                f.write_str(name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let s = FaultScript::parse(
            "# target fault span\n\
             hot-search   good         x1   # one normal answer\n\
             hot-search   status 432   x2\n\
             weibo        drip 1s      for 10s\n\
             *            refused      until cleared\n\
             \n\
             tieba        captcha\n\
             summary      flood 50MiB  x1\n",
        )
        .unwrap();
        let step = |target, fault, span| Step {
            target,
            fault,
            span,
        };
        assert_eq!(
            s.steps,
            vec![
                step(Target::Route(Route::HotSearch), None, Span::Requests(1)),
                step(
                    Target::Route(Route::HotSearch),
                    Some(Fault::Status(432)),
                    Span::Requests(2)
                ),
                step(
                    Target::Platform(Platform::Weibo),
                    Some(Fault::Drip(Duration::from_secs(1))),
                    Span::For(Duration::from_secs(10))
                ),
                step(Target::All, Some(Fault::Refused), Span::UntilCleared),
                step(
                    Target::Platform(Platform::Tieba),
                    Some(Fault::Captcha),
                    Span::UntilCleared
                ),
                step(
                    Target::Route(Route::Summary),
                    Some(Fault::Flood(50 << 20)),
                    Span::Requests(1)
                ),
            ]
        );
    }

    #[test]
    fn every_route_name_round_trips() {
        for (name, route) in route_names() {
            let t = parse_target(name).unwrap();
            assert_eq!(t, Target::Route(*route));
            assert_eq!(t.to_string(), *name);
        }
    }

    #[test]
    fn mistakes_name_their_line() {
        for (text, why) in [
            ("hot-search status", "missing argument"),
            ("nowhere good", "unknown target"),
            ("mobile melt", "unknown fault"),
            ("mobile status 42", "bad HTTP status"),
            ("mobile delay 3 parsecs", "bad duration"),
            ("mobile good x", "unexpected"),
            ("mobile good xz", "bad count"),
            ("mobile huge 3GB", "bad size"),
            ("* refused x3", "see no requests"),
            ("mobile captcha please", "unexpected"),
        ] {
            let e = FaultScript::parse(&format!("# header\n{text}")).unwrap_err();
            assert_eq!(e.line, 2, "{text}");
            assert!(e.why.contains(why), "{text}: {}", e.why);
        }
    }

    #[test]
    fn platform_targets_cover_the_poll_endpoints_only() {
        let weibo = Target::Platform(Platform::Weibo);
        assert!(weibo.matches(Route::HotSearch) && weibo.matches(Route::Mobile));
        assert!(!weibo.matches(Route::GenVisitor) && !weibo.matches(Route::TiebaTopicList));
        assert!(Target::All.matches(Route::GenVisitor));
    }
}
