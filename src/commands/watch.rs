//! `resou watch`: brand watch streams from the command line (issue 20, point 1) until a
//! brand view exists. Searches every watched term (`[watch] terms`, the triage watchlist,
//! `--term`) on Weibo real-time search within the `[watch]` budget, stores the posts once in
//! the history store, and prints each page and the budget (used this hour, next request).
//! Sentinel accounts (`[sentinel] enabled`) are followed by the same loop within the same
//! budget, their posts stored under `@name`.
//! `--once`: one round per term and account, then exit. With `--demo`, the loopback replay server answers
//! from the demo day's real posts, its clock at the day's end.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::mpsc;

use crate::config::Config;
use crate::domain::Platform;
use crate::domain::watch::WatchPost;
use crate::replay::{ClockMode, ReplayConfig, ReplayServer};
use crate::sources::http::HttpClient;
use crate::sources::watch::{WatchEvent, spawn_watch};
use crate::store::{HistoryStore, StoreSpec};

pub fn main(cli: &crate::cli::Cli, a: &crate::cli::WatchArgs) -> anyhow::Result<()> {
    let _log = crate::logging::init(cli.log_file.as_deref());
    let (cfg, _) = Config::load(cli.config.as_deref())?;
    let watchlist = crate::triage::default_path()
        .map(|p| crate::triage::Triage::load_or_empty(&p).0.watched_keywords)
        .unwrap_or_default();
    let mut section = cfg.watch.clone();
    section.terms.extend(
        a.terms
            .iter()
            .map(|t| crate::domain::watch::WatchTerm::named(t)),
    );
    let terms = section.terms_with(watchlist);
    let demo = cli.demo || cli.demo_day.is_some();
    // Sentinel accounts (`[sentinel]`, off by default): the KOLs with a uid; the demo's set
    // with --demo.
    let (analysis, _) = crate::config::analysis_config(&cfg, false);
    let sentinels = if demo {
        cfg.sentinel.pick(crate::replay::demo_sentinels())
    } else {
        cfg.sentinel.accounts_from(&analysis.kols, &[])
    };
    anyhow::ensure!(
        !terms.is_empty() || !sentinels.is_empty(),
        "nothing to watch: add [watch] terms to the config, watch a keyword with `w`, pass --term, or enable [sentinel]"
    );
    let spec = super::common::store_spec(cli, &cfg, demo)?;
    let mut store: Option<Box<dyn HistoryStore>> = match spec {
        Some(s) => Some(crate::store::open(&StoreSpec::parse(&s)).context("history store")?),
        None => None,
    };
    let mut newest = HashMap::new();
    if let Some(st) = &store {
        for t in &terms {
            if let Some(at) = st.newest_watch_post(&t.name)?.and_then(|p| p.created_at) {
                newest.insert(t.name.clone(), at);
            }
        }
    }
    if let Some(st) = &store {
        for s in &sentinels {
            if let Some(at) = st.newest_watch_post(&s.term())?.and_then(|p| p.created_at) {
                newest.insert(s.term(), at);
            }
        }
    }
    let rounds = a.once.then_some(terms.len() + sentinels.len());
    // The tags several sentinels started using are read from the stored posts.
    let tags = (!sentinels.is_empty() && store.is_some()).then(|| Tags {
        tok: crate::analysis::tokenize::Tokenizer::new(&analysis.dictionary, &analysis.stopwords),
        accounts: sentinels.clone(),
        shown: std::collections::HashSet::new(),
    });
    let mut tags = tags;
    let mut loop_cfg = section.loop_config(terms);
    cfg.sentinel.apply(&mut loop_cfg, sentinels);
    let rt = super::runtime()?;
    rt.block_on(async {
        let (_server, origin) = if demo {
            let s = demo_server().await?;
            let o = s.origin();
            (Some(s), Some(o))
        } else {
            (None, a.origin.clone().or(cli.origin.clone()))
        };
        let mut net = cfg.sources().net;
        if let Some(o) = origin {
            crate::config::validate_origin(&o).map_err(|e| anyhow::anyhow!(e))?;
            net.origin = Some(o);
        }
        let client =
            Arc::new(HttpClient::new(&net).map_err(|e| anyhow::anyhow!("HTTP client: {e}"))?);
        let (tx, mut rx) = mpsc::channel(64);
        let handle = spawn_watch(client, loop_cfg, newest, tx);
        // Terms whose round has run (answered or failed).
        let mut searched = std::collections::HashSet::new();
        loop {
            let ev = tokio::select! {
                ev = rx.recv() => ev,
                _ = tokio::signal::ctrl_c() => break,
            };
            let Some(ev) = ev else { break };
            match ev {
                WatchEvent::Posts {
                    term,
                    query,
                    page,
                    posts,
                    new,
                    excluded,
                } => {
                    println!(
                        "{term} (q={query}) page {page}: {} posts, {new} new, {excluded} excluded",
                        posts.len()
                    );
                    for p in posts.iter().take(a.show) {
                        println!("  {}", line(p));
                    }
                    if let Some(st) = &mut store {
                        st.record_watch_posts(&posts)?;
                    }
                    searched.insert(term);
                }
                WatchEvent::SentinelPosts {
                    account,
                    page,
                    posts,
                    new,
                } => {
                    println!(
                        "{} (uid {}) page {page}: {} posts, {new} new",
                        account.term(),
                        account.uid,
                        posts.len()
                    );
                    for p in posts.iter().take(a.show) {
                        println!("  {}", line(p));
                    }
                    if let Some(st) = &mut store {
                        st.record_watch_posts(&posts)?;
                        if let Some(t) = tags.as_mut().filter(|_| new > 0 && rounds.is_none()) {
                            t.print_new(st.as_ref())?;
                        }
                    }
                    searched.insert(account.term());
                }
                WatchEvent::Failed {
                    term,
                    query,
                    page,
                    error,
                    refused,
                } => {
                    let what = if refused {
                        " (refused: backing off)"
                    } else {
                        ""
                    };
                    eprintln!("{term} (q={query}) page {page}: {error}{what}");
                    searched.insert(term);
                }
                WatchEvent::Budget(b) => {
                    // A budget report comes before each round: the previous one is over.
                    if rounds.is_some_and(|r| searched.len() >= r) {
                        if let (Some(t), Some(st)) = (tags.as_mut(), &store) {
                            t.print_new(st.as_ref())?;
                        }
                        println!("{b}");
                        break;
                    }
                    eprintln!("{b}");
                }
            }
        }
        handle.shutdown().await;
        anyhow::Ok(())
    })
}

/// Sentinel tags shown so far, and what finds them.
struct Tags {
    tok: crate::analysis::tokenize::Tokenizer,
    accounts: Vec<crate::domain::watch::Sentinel>,
    /// Tag and flag time of each flag printed.
    shown: std::collections::HashSet<(String, i64)>,
}

impl Tags {
    /// Print the flags not printed yet: every stored post of the sentinels, as of the newest
    /// (the data's clock: the demo's posts are of its day), against the latest stored lists.
    fn print_new(&mut self, store: &dyn HistoryStore) -> anyhow::Result<()> {
        use crate::analysis::sentinel::{SentinelConfig, detect};
        let (from, to) = (
            crate::domain::from_unix(0).unwrap_or_else(crate::domain::now_cst),
            crate::domain::now_cst() + chrono::Duration::days(1),
        );
        let mut posts = Vec::new();
        for s in &self.accounts {
            posts.extend(store.watch_posts_between(&s.term(), from, to)?);
        }
        let Some(now) = posts.iter().filter_map(|p| p.created_at).max() else {
            return Ok(());
        };
        let mut lists = Vec::new();
        for p in Platform::ALL {
            if let Some(l) = store
                .snapshots_between(p, now - chrono::Duration::hours(2), now)?
                .pop()
            {
                lists.push(l);
            }
        }
        for f in detect(&posts, &self.tok, &SentinelConfig::default(), now, &lists) {
            if !self.shown.insert((f.tag.clone(), f.flagged_at.timestamp())) {
                continue;
            }
            let tag = if f.hashtag {
                format!("#{}#", f.tag)
            } else {
                f.tag.clone()
            };
            let listed = if f.on_lists.is_empty() {
                "not on a list yet".to_string()
            } else {
                let ids: Vec<&str> = f.on_lists.iter().map(|p| p.id()).collect();
                format!("on {}", ids.join(", "))
            };
            println!(
                "sentinel tag {tag}: {} accounts ({}), first used {}, flagged {}; {listed}",
                f.accounts.len(),
                f.accounts.join(", "),
                f.first_used.format("%m-%d %H:%M"),
                f.flagged_at.format("%m-%d %H:%M"),
            );
        }
        Ok(())
    }
}

/// The demo day's Weibo lists on a manual clock at the day's last list: searches find every
/// real post of the day that has a real time.
async fn demo_server() -> anyhow::Result<ReplayServer> {
    let lists: Vec<_> = crate::replay::demo_data()?
        .weibo
        .into_iter()
        .filter(|l| l.platform == Platform::Weibo)
        .collect();
    let last = lists.len().saturating_sub(1);
    let s = ReplayServer::start(ReplayConfig {
        lists,
        step: Duration::from_secs(3600),
        clock: ClockMode::Manual,
    })
    .await
    .context("starting the replay server")?;
    s.set_index(last);
    Ok(s)
}

fn line(p: &WatchPost) -> String {
    let when = p
        .created_at
        .map(|t| t.format("%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "--".into());
    let v = if p.is_verified() { " V" } else { "" };
    let followers = p.followers.map(|f| format!(" {f}粉")).unwrap_or_default();
    let text: String = p.text.chars().filter(|c| *c != '\n').take(60).collect();
    format!("{when} {}{v}{followers}: {text}", p.author)
}
