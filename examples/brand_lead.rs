//! The brand watch's lead figure (issue 20): on the demo day's real topic posts, how often and
//! how long before a topic reached the Weibo hot list did its term show a mention spike?
//!
//! `cargo run --release --example brand_lead [-- --each]`
//!
//! Posts: `data/demo/posts.json.gz` (the archived posts of the 81 topics of 2026-08-15, real
//! `created_at`); titles: `data/demo/topics.json.gz`; list entry: the first of the day's 67
//! Weibo lists (`data/demo/weibo.jsonl.gz`, hourly and ~30-minute snapshots) whose ranked rows
//! hold the topic's title. Each topic's dated posts go through the live spike detector
//! (`analysis::eval::lead`); `--each` prints every topic.

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, FixedOffset};
use resou::analysis::eval::lead::{self, MethodSummary, Outcome, TopicInput};
use resou::analysis::mentions::SpikeConfig;
use resou::domain::normalize::normalize_text;
use serde::Deserialize;

#[derive(Deserialize)]
struct TopicPosts {
    topic_id: String,
    posts: Vec<Post>,
}

#[derive(Deserialize)]
struct Post {
    created_at_text: Option<String>,
}

#[derive(Deserialize)]
struct TopicMeta {
    topic_id: String,
    title: String,
}

fn gunzip_json<T: serde::de::DeserializeOwned>(path: &str) -> anyhow::Result<T> {
    let bytes = std::fs::read(path)?;
    let mut s = String::new();
    flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut s)?;
    Ok(serde_json::from_str(&s)?)
}

/// m.weibo.cn's absolute time (`Sat Aug 15 16:34:26 +0800 2026`); relative ones are `None`.
fn absolute(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_str(s, "%a %b %d %H:%M:%S %z %Y").ok()
}

fn row(name: &str, m: &MethodSummary, measured: usize) -> String {
    let q = |p| m.quantile(p).map(lead::hours).unwrap_or_else(|| "–".into());
    format!(
        "| {name} | {} of {measured} | {} | {} | {} | {} [{} – {}] |",
        m.before,
        m.sure,
        m.after,
        m.never,
        q(0.5),
        q(0.25),
        q(0.75)
    )
}

fn main() -> anyhow::Result<()> {
    let each = std::env::args().any(|a| a == "--each");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/demo");
    let posts: Vec<TopicPosts> = gunzip_json(&format!("{dir}/posts.json.gz"))?;
    let meta: Vec<TopicMeta> = gunzip_json(&format!("{dir}/topics.json.gz"))?;
    let titles: HashMap<&str, &str> = meta
        .iter()
        .map(|m| (m.topic_id.as_str(), m.title.as_str()))
        .collect();
    let lists = resou::replay::demo_data()?.weibo;
    let archive_start = lists
        .iter()
        .map(|l| l.captured_at)
        .min()
        .ok_or_else(|| anyhow::anyhow!("no Weibo lists"))?;
    // First list holding each ranked title (in the matching form), and the list before it.
    let mut times: Vec<DateTime<FixedOffset>> = lists.iter().map(|l| l.captured_at).collect();
    times.sort();
    times.dedup();
    let mut first_listed: HashMap<String, DateTime<FixedOffset>> = HashMap::new();
    for l in &lists {
        for it in l.items.iter().filter(|i| !i.pinned) {
            let e = first_listed
                .entry(normalize_text(it.title.trim_matches('#')))
                .or_insert(l.captured_at);
            *e = (*e).min(l.captured_at);
        }
    }
    let before = |t: DateTime<FixedOffset>| times.iter().rev().find(|&&x| x < t).copied();
    let topics: Vec<TopicInput> = posts
        .iter()
        .map(|t| {
            let title = titles.get(t.topic_id.as_str()).copied().unwrap_or("");
            let mut dated = Vec::new();
            let mut undated = 0;
            for p in &t.posts {
                match p.created_at_text.as_deref().and_then(absolute) {
                    Some(at) => dated.push(at),
                    None => undated += 1,
                }
            }
            let listed_at = first_listed
                .get(&normalize_text(title.trim_matches('#')))
                .copied();
            TopicInput {
                term: title.to_string(),
                posts: dated,
                undated,
                listed_at,
                unlisted_at: listed_at.and_then(before),
            }
        })
        .collect();
    let cfg = SpikeConfig::default();
    let s = lead::summarise(&topics, archive_start, &cfg);
    println!(
        "brand lead figure — {} topics of 2026-08-15, {} Weibo lists from {}; {} dated posts, {} with only a relative time or none",
        s.topics,
        lists.len(),
        archive_start.format("%H:%M"),
        s.dated_posts,
        s.undated_posts
    );
    println!(
        "detector: min_count {} per hour, θ_on {}, warm-up {} h, term watched in silence {} h before its first post\n",
        cfg.min_count,
        cfg.theta_on,
        cfg.warmup_hours,
        lead::WATCHED_BEFORE_HOURS
    );
    println!("measured: {} topics; not measured:", s.measured);
    for (why, n) in &s.unmeasured {
        println!("  {n:>3}  {}", why.describe());
    }
    println!(
        "\n| method | fired before the first list showing it | of which before the list before | at/after | never | lead median [q1 – q3] (h:mm) |"
    );
    println!("|---|---|---|---|---|---|");
    println!("{}", row("spike detector (live)", &s.detector, s.measured));
    println!(
        "{}",
        row(
            &format!("naive: {} posts in a clock hour", cfg.min_count),
            &s.naive,
            s.measured
        )
    );
    if each {
        println!();
        for t in &topics {
            let o = lead::evaluate(t, archive_start, &cfg);
            let line = match o {
                Outcome::Measured {
                    listed_at,
                    detector,
                    naive,
                } => {
                    let f = |f: Option<lead::Fired>| {
                        f.map(|f| {
                            format!(
                                "{} ({})",
                                f.at.format("%m-%d %H:%M"),
                                lead::hours(f.lead_minutes)
                            )
                        })
                        .unwrap_or_else(|| "never".into())
                    };
                    format!(
                        "listed {}  spike {}  naive {}",
                        listed_at.format("%H:%M"),
                        f(detector),
                        f(naive)
                    )
                }
                Outcome::Unmeasured(u) => u.describe().to_string(),
            };
            println!("{:<32} {:>3} posts  {line}", t.term, t.posts.len());
        }
    }
    Ok(())
}
