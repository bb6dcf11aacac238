//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::domain::Platform;
use crate::replay::DemoDay;

#[derive(Debug, Parser)]
#[command(
    name = "resou",
    version,
    about = "热搜 — watch the Weibo hot-search and Tieba hot-topic lists in your terminal",
    after_help = "\
Examples:
  resou                              poll the hot lists live (needs internet)
  resou --demo                       offline demo: archived lists through a loopback server
  resou --demo --demo-speed 2        demo, one archived list every 2 seconds
  resou --demo-day 2025-10-15        demo of one real day: 11 lists on one clock (rank only)
  resou --platform weibo --interval 120
  resou --origin http://127.0.0.1:8080   send every platform request to a local server
  resou import --out lists.jsonl.gz ARCHIVE_DIR...
  resou analyze --snapshots lists.jsonl.gz --format table
  resou eval --snapshots lists.jsonl.gz         θ_on curve, the configured θ_on marked
  resou dynamics --snapshots lists.jsonl.gz     withdrawn / anchored / label-step candidates
  resou eval --snapshots tuning.jsonl --tune    choose the operating point on this file
  resou events --snapshots lists.jsonl.gz --at 12:05   one story's titles across platforms
  resou keys --preset vim --bind 'board.d=mute'   print the resolved keymap and where each key comes from
  resou export --flagged --format csv --out flagged.csv
  resou report --period shift --format html --out shift.html   since the last report time
  resou --demo report --period day --until '2026-08-15 23:00'   a day of the demo store
  resou snapshot --format table      one poll of each platform, printed (also json, csv)
  resou --demo watch --once --term 胖东来   brand watch: one search round per term, stored
  resou record --out day.jsonl --interval 60 --count 1440   raw responses, for replay
  resou replay day.jsonl --speed 2   a recording or snapshot file in the TUI, 2 s per poll
  resou rules check                  check the team alert rules and the channels they name
  resou push test ops-ding --tier red   send a test alert to one channel now
  resou serve --listen 127.0.0.1:8787   the stored lists and flagged topics as JSON and feeds

Exit codes: 0 ok; 1 snapshot/record: every platform failed; 2 bad arguments, config or files

Files:
  config   $XDG_CONFIG_HOME/resou/config.toml, keymap.toml, dictionary.txt, kols.toml
  state    $XDG_DATA_HOME/resou/detector.json (keyword baselines kept across restarts),
           triage.json (seen, flags, notes, mutes, watchlists)
  log      $XDG_STATE_HOME/resou/resou.log (level from RESOU_LOG, e.g. RESOU_LOG=debug)
  cookie   RESOU_WEIBO_COOKIE, or [weibo] cookie in a config file with mode 0600"
)]
pub struct Cli {
    /// Offline demo: start the loopback replay server with bundled archive data and poll it.
    #[arg(long)]
    pub demo: bool,

    /// Demo of this bundled day (implies --demo): 2026-08-15 (Weibo with heat + Tieba, the
    /// default) or 2025-10-15 (11 lists of one real day, rank only).
    #[arg(long, value_name = "DATE", value_parser = parse_demo_day)]
    pub demo_day: Option<DemoDay>,

    /// Demo: seconds per archived snapshot (default 5).
    #[arg(long, value_name = "SECS", default_value_t = 5.0, value_parser = parse_speed)]
    pub demo_speed: f64,

    /// Send every platform request to this origin (http://host:port), paths and queries kept.
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,

    /// Config file (default: $XDG_CONFIG_HOME/resou/config.toml).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Seconds between polls of each platform (default 60; demo: the demo speed).
    #[arg(long, value_name = "SECS")]
    pub interval: Option<u64>,

    /// Platforms to poll, comma-separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_platform)]
    pub platform: Option<Vec<Platform>>,

    /// Log file (default: $XDG_STATE_HOME/resou/resou.log).
    #[arg(long, value_name = "FILE", global = true)]
    pub log_file: Option<PathBuf>,

    /// Keymap preset over the defaults (vim, emacs); wins over `preset` in keymap.toml and
    /// `[general] keymap_preset`.
    #[arg(long, value_name = "NAME", global = true)]
    pub preset: Option<String>,

    /// Bind a key for this run, over every keymap file: `LAYER.KEYS=ACTION` (repeatable),
    /// e.g. --bind 'board.d=mute' --bind 'board.g g=select_first'; ACTION `noop` unbinds.
    #[arg(long, value_name = "LAYER.KEYS=ACTION", global = true)]
    pub bind: Vec<String>,

    /// History store: a file (SQLite) or a postgres:// URL (team mode). Default: the
    /// `[history] store` setting, else RESOU_STORE, else $XDG_DATA_HOME/resou/history.sqlite3.
    #[arg(long, value_name = "PATH|URL", global = true)]
    pub store: Option<String>,

    /// Keep no history this run (memory only).
    #[arg(long, conflicts_with = "store")]
    pub no_history: bool,

    /// Team mode viewer: show the lists a collector writes to the --store (no platform polling).
    #[arg(long)]
    pub viewer: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert archived hot lists (the layouts under shared/fixtures/archives) into snapshot JSONL.
    Import {
        /// Archive files or directories (searched recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output file (`.gz` compresses); standard output when absent.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Only these platforms.
        #[arg(long, value_delimiter = ',', value_parser = parse_platform)]
        platform: Option<Vec<Platform>>,
        /// Store the lists in the history store (--store, else the default) instead of
        /// writing JSONL; prints one line per committed list.
        #[arg(long, conflicts_with = "out")]
        to_history: bool,
    },
    /// Replay snapshot files through the analysis and print rising keywords and KOLs per poll.
    Analyze {
        /// Snapshot JSONL file(s) (`.gz` accepted), replayed in time order.
        #[arg(long, required = true, num_args = 1..)]
        snapshots: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Jsonl)]
        format: Format,
    },
    /// Evaluate the rising-keyword detector on snapshot files (early recall, lead time, false flags).
    Eval(EvalArgs),
    /// List dynamics of snapshot files: rows that left the top from a high place while hot
    /// (possible 撤热搜), rows held at one rank while the rows around them moved, Weibo label
    /// steps (新 → 热 → 沸 → 爆) — candidates in time order, then the counts per list.
    Dynamics {
        /// Snapshot JSONL file(s) (`.gz` accepted), read in time order.
        #[arg(long, required = true, num_args = 1..)]
        snapshots: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = DynamicsFormat::Table)]
        format: DynamicsFormat,
    },
    /// Replay snapshot files and print the events as of one poll: the titles telling one story
    /// across platforms (platform, rank, title) and when each platform first showed it.
    Events(EventsArgs),
    /// Headless collector: poll and write every list to the history store (--store), no UI;
    /// logs to the log file; SIGTERM/SIGINT stop it after the queued writes are committed.
    Collect {
        /// Platforms to poll, comma-separated (default: the config's).
        #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_platform)]
        platform: Option<Vec<Platform>>,
        /// Seconds between polls of each platform (default 60; at least 5).
        #[arg(long, value_name = "SECS")]
        interval: Option<u64>,
        /// Send every platform request to this origin (http://host:port).
        #[arg(long, value_name = "URL")]
        origin: Option<String>,
        /// Stop after this many successful polls per platform.
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
    /// Print the resolved keymap per mode with the layer each binding comes from
    /// (default, preset, user file, --bind); exit code 2 when a layer has an error.
    Keys,
    /// Poll each platform once through its fallback chain and print the lists; a failing
    /// platform is named on stderr (exit code 1 when every platform fails).
    Snapshot(SnapshotArgs),
    /// Brand watch: search each watched term ([watch] terms, the watchlist, --term) on Weibo
    /// real-time search within the [watch] budget, store the posts once, print each page and
    /// the budget (used this hour, next request). With [sentinel] enabled, also follow the
    /// sentinel accounts' timelines in the same budget and print the tags several started
    /// using. With --demo, the demo day's real posts.
    Watch(WatchArgs),
    /// Poll like the app and append every raw response (status, headers without cookies, body)
    /// to a JSON Lines file; stops after --count polls per platform or on Ctrl-C / SIGTERM.
    Record(RecordArgs),
    /// Replay a recording (from `resou record`) or a snapshot file (`.gz` accepted) in the TUI
    /// through the loopback server, as --demo does.
    Replay(ReplayArgs),
    /// Team alert rules: `resou rules check [FILE]`.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Team alert channels: `resou push test CHANNEL`, `resou push list`.
    #[command(subcommand)]
    Push(PushCommand),
    /// Serve what the history store holds as a read-only feed for other tools: JSON under
    /// /api/ (lists, flagged topics) and JSON Feed / Atom / RSS under /feed/; loopback
    /// by default, a bearer token from a 0600 file required beyond it.
    Serve(ServeArgs),
    /// Score text lines from standard input offline: one JSON object a line,
    /// `{"label":"pos|neu|neg","score":…,"why":[…]}` (`[偷笑]` tokens count as emoticons);
    /// the user lexicon ($XDG_CONFIG_HOME/resou/sentiment.txt) applies.
    Sentiment(SentimentArgs),
    /// Export triaged topics (keywords, KOLs, notes, URLs, first seen, peaks) from triage.json.
    Export {
        /// Only flagged topics (default: every topic the triage file knows).
        #[arg(long)]
        flagged: bool,
        #[arg(long, value_enum, default_value_t = crate::export::Format::Markdown)]
        format: crate::export::Format,
        /// Output file; standard output when absent.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Triage file (default: $XDG_DATA_HOME/resou/triage.json).
        #[arg(long, value_name = "FILE")]
        triage: Option<PathBuf>,
    },
    /// A report on one period from the history store: overview per platform, top topics,
    /// new entries, rising keywords with lead, cross-platform events in the order they
    /// spread, flagged topics with notes and who flagged them, list-dynamics candidates,
    /// what to watch next.
    Report(ReportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// `day` (the 24 h before --until), `shift` (since the previous report time of --at) or
    /// a span such as 90m, 6h, 2d. Default: `[report] period` (shift).
    #[arg(long, value_name = "PERIOD", value_parser = parse_period)]
    pub period: Option<crate::report::PeriodSpec>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// Output file; standard output when absent.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// End of the period: RFC 3339 or `YYYY-MM-DD HH:MM` (China time). Default: now.
    #[arg(long, value_name = "TIME", value_parser = parse_until)]
    pub until: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Report times a shift starts from, `HH:MM` China time, comma-separated. Default:
    /// `[report] at` (09:00, 18:00).
    #[arg(long, value_name = "HH:MM,...", value_delimiter = ',')]
    pub at: Option<Vec<String>>,
}

/// `resou report --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Markdown (tables).
    Md,
    /// One self-contained HTML file (inline CSS, no script, readable on a phone).
    Html,
    /// The report's data as one JSON document.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on (default: `[serve] listen`, else 127.0.0.1:8787; port 0
    /// picks a free one). Beyond loopback a token is required.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// File holding the bearer token clients must send (`Authorization: Bearer …`); mode 0600
    /// (default: `[serve] token_file`).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct SentimentArgs {
    /// Instead of scoring stdin: evaluate on a labelled JSON Lines file
    /// (`tests/fixtures/sentiment/labels.jsonl`) and print the held-out figures.
    #[arg(long, value_name = "FILE")]
    pub eval: Option<PathBuf>,
    /// User lexicon file (`word weight` a line; default: sentiment.txt in the config directory).
    #[arg(long, value_name = "FILE")]
    pub lexicon: Option<PathBuf>,
    /// Ignore the user lexicon.
    #[arg(long, conflicts_with = "lexicon")]
    pub no_user_lexicon: bool,
}

#[derive(Debug, clap::Args)]
pub struct EventsArgs {
    /// Snapshot JSONL file(s) (`.gz` accepted), replayed in time order.
    #[arg(long, required = true, num_args = 1..)]
    pub snapshots: Vec<PathBuf>,
    /// Replay up to this poll: `HH:MM` (on the day of the last poll), `YYYY-MM-DD HH:MM`
    /// (China time) or RFC 3339. Default: the last poll.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    #[arg(long, value_enum, default_value_t = EventsFormat::Table)]
    pub format: EventsFormat,
    /// Only events on at least this many platforms.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_platforms: usize,
}

/// `resou events --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EventsFormat {
    /// One JSON document: `{"at":…,"events":[…]}`.
    Json,
    /// Readable at 80 columns (CJK counted two cells wide).
    Table,
}

#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// Platforms to poll, comma-separated (default: the config's).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_platform)]
    pub platform: Option<Vec<Platform>>,
    #[arg(long, value_enum, default_value_t = SnapshotFormat::Table)]
    pub format: SnapshotFormat,
    /// Send every platform request to this origin (http://host:port).
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// One round per term, then exit (default: run until Ctrl-C).
    #[arg(long)]
    pub once: bool,
    /// Watch this term too (repeatable).
    #[arg(long = "term", value_name = "TERM")]
    pub terms: Vec<String>,
    /// Posts printed per page.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub show: usize,
    /// Send every request to this origin (http://host:port).
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// File the responses are appended to (JSON Lines).
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,
    /// Platforms to poll, comma-separated (default: the config's).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_platform)]
    pub platform: Option<Vec<Platform>>,
    /// Seconds between polls of each platform (default: the config's; at least 5, or 0.2
    /// with --origin).
    #[arg(long, value_name = "SECS")]
    pub interval: Option<f64>,
    /// Polls per platform, then stop (default: until Ctrl-C or SIGTERM).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// Send every platform request to this origin (http://host:port).
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,
}

/// `resou rules …`
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Check the team alert rules (and the channels they name): every problem with its file
    /// and line; a summary of what each rule sends where.
    Check {
        /// The rules file (default: `[push] rules`, else rules.toml in the config directory).
        file: Option<PathBuf>,
    },
}

/// `resou push …`
#[derive(Debug, Subcommand)]
pub enum PushCommand {
    /// Send a test message to one configured channel now and print what it answered.
    Test {
        /// The channel's name (`[push.channels.NAME]`).
        channel: String,
        /// The tier to test (its colour, priority and mentions): blue, yellow, orange, red.
        #[arg(long, default_value = "blue", value_parser = parse_tier)]
        tier: crate::domain::Tier,
        /// Whom to @ (user ids, mobiles, `@all`), as a rule's `mention` would.
        #[arg(long, value_delimiter = ',')]
        mention: Vec<String>,
    },
    /// List the configured channels (kind and endpoint, secrets hidden).
    List,
}

fn parse_tier(s: &str) -> Result<crate::domain::Tier, String> {
    crate::domain::Tier::ALL
        .into_iter()
        .find(|t| t.id() == s)
        .ok_or_else(|| format!("unknown tier `{s}` (blue, yellow, orange, red)"))
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Snapshot files (`.gz` accepted) or archive directories (imported as `resou import` does).
    #[arg(long, required = true, num_args = 1..)]
    pub snapshots: Vec<PathBuf>,
    /// θ_on values to sweep.
    #[arg(long, value_delimiter = ',', default_values_t = crate::analysis::eval::SWEEP.to_vec())]
    pub thresholds: Vec<f64>,
    /// Operating point to mark (held-out evaluation); default: the configured
    /// `[analysis.detector] theta_on`, whose default was chosen on the hourly archive.
    #[arg(long, value_name = "θ_ON", conflicts_with = "tune")]
    pub theta: Option<f64>,
    /// Tuning: choose the operating point on these files (best early recall at ≤ 2 false
    /// flags/hour) instead of marking a given θ_on.
    #[arg(long)]
    pub tune: bool,
    /// On a file of several platforms' lists: early recall with the detector fed Weibo alone
    /// vs every list (at the operating θ_on, and at equal false flags/hour over the sweep), and
    /// which platform carries a story first.
    #[arg(long, conflicts_with = "tune")]
    pub cross_platform: bool,
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    pub format: EvalFormat,
}

/// `resou eval --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EvalFormat {
    /// Aligned columns.
    Table,
    /// One JSON document (the report's every field).
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// A recording from `resou record` or a snapshot JSONL file (`.gz` accepted).
    pub file: PathBuf,
    /// Seconds per recorded poll or snapshot (default 5).
    #[arg(long, value_name = "SECS", default_value_t = 5.0, value_parser = parse_speed)]
    pub speed: f64,
}

/// `resou snapshot --format`. Here rather than in `commands::snapshot`: the CLI types name no
/// command code, the commands depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SnapshotFormat {
    /// One JSON document: `{"lists":[…],"errors":[…]}`.
    Json,
    /// RFC 4180 CSV, one row per topic, CRLF line ends.
    Csv,
    /// Aligned columns (CJK counted two cells wide).
    Table,
}

/// `resou dynamics --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DynamicsFormat {
    /// One JSON document: `{"candidates":[…],"counts":[…]}`.
    Json,
    /// One line per candidate, then the counts per list.
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Table,
}

fn parse_platform(s: &str) -> Result<Platform, String> {
    Platform::parse(s).ok_or_else(|| {
        let ids: Vec<&str> = Platform::ALL.iter().map(|p| p.id()).collect();
        format!(
            "unknown platform `{s}` (expected one of {})",
            ids.join(", ")
        )
    })
}

fn parse_demo_day(s: &str) -> Result<DemoDay, String> {
    DemoDay::parse(s).ok_or_else(|| {
        let days: Vec<&str> = DemoDay::ALL.iter().map(|d| d.date()).collect();
        format!(
            "no bundled demo day `{s}` (the demo days: {})",
            days.join(", ")
        )
    })
}

fn parse_period(s: &str) -> Result<crate::report::PeriodSpec, String> {
    crate::report::PeriodSpec::parse(s)
}

/// RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` in China time.
fn parse_until(s: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
    use chrono::TimeZone;
    let t = s.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(at.with_timezone(&crate::domain::cst()));
    }
    ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(t, f).ok())
        .and_then(|n| crate::domain::cst().from_local_datetime(&n).single())
        .ok_or_else(|| {
            format!(
                "`{s}`: give RFC 3339 (2026-08-15T18:00:00+08:00) or YYYY-MM-DD HH:MM (China time)"
            )
        })
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.2..=3600.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}`: give seconds per snapshot between 0.2 and 3600"
        )),
    }
}
