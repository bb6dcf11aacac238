//! The rules file: `[tiers]` and `[[rule]]` tables (see data/alerts/rules.example.toml).
//! Every error names the file, the line and the problem; a keywords file's errors name
//! that file and its line.

use std::path::Path;

use chrono::Weekday;
use serde::Deserialize;
use toml::Spanned;

use super::quiet::{QuietHours, parse_weekday};
use super::words::{FrequencyWords, Hit, RegexFallback};
use super::{Candidate, Kind, RulesError, Tier, TierConfig};
use crate::domain::{Platform, line_of};

/// Default `dedup_minutes`: a story stays on a list for an hour or two; one message per
/// rule and subject in that time, unless its tier rises.
const DEDUP_MINUTES: u32 = 60;
const DIGEST_EVERY_MINUTES: u32 = 60;

/// How a rule's alerts go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryMode {
    Immediate,
    /// Collected and sent together every this many minutes (counted from the first alert
    /// of a batch, so no empty digests).
    Digest {
        every_minutes: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum DeliveryToml {
    #[default]
    Immediate,
    Digest,
}

/// One `[[rule]]`, checked: what it selects and where and when its alerts go.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    /// Line of its `[[rule]]`.
    pub line: usize,
    keywords: Option<FrequencyWords>,
    /// Lowercased.
    kols: Vec<String>,
    platforms: Vec<Platform>,
    kinds: Vec<Kind>,
    min_platforms: usize,
    pub min_tier: Tier,
    pub channels: Vec<String>,
    pub mention: Vec<String>,
    /// Mentions go out from this tier up (§9: orange mentions people, red `@all`).
    pub mention_min_tier: Tier,
    pub quiet_hours: Option<QuietHours>,
    pub red_bypasses_quiet: bool,
    pub dedup_minutes: u32,
    pub delivery: DeliveryMode,
    /// `continue = true`: later rules are evaluated after this one matched.
    pub continue_: bool,
}

impl Rule {
    /// What the rule selects, one clause per subject (`resou rules check`).
    pub fn selects(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(w) = &self.keywords {
            out.push(format!("{} keyword group(s)", w.groups.len()));
        }
        let list = |v: Vec<String>| v.join(", ");
        if !self.kinds.is_empty() {
            let kinds = self.kinds.iter().map(|k| {
                serde_json::to_value(k)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            });
            out.push(format!("kinds {}", list(kinds.collect())));
        }
        if !self.platforms.is_empty() {
            let ids = self.platforms.iter().map(|p| p.id().to_string());
            out.push(format!("platforms {}", list(ids.collect())));
        }
        if !self.kols.is_empty() {
            out.push(format!("KOLs {}", list(self.kols.clone())));
        }
        if self.min_platforms > 1 {
            out.push(format!("on ≥ {} lists", self.min_platforms));
        }
        if self.min_tier > Tier::Blue {
            out.push(format!("tier ≥ {}", self.min_tier.zh()));
        }
        if out.is_empty() {
            out.push("everything".into());
        }
        out
    }
}

/// A candidate matched a rule; `group` names the keyword group that matched, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub group: Option<String>,
}

impl Rule {
    /// Every subject the rule names must hold (AND); a subject left out holds.
    pub fn matches(&self, c: &Candidate, tier: Tier) -> Option<Match> {
        let any_kol = || {
            c.kols
                .iter()
                .any(|k| self.kols.contains(&k.trim().to_lowercase()))
        };
        let selected = tier >= self.min_tier
            && (self.kinds.is_empty() || self.kinds.contains(&c.kind))
            && (self.platforms.is_empty()
                || c.platforms.iter().any(|p| self.platforms.contains(p)))
            && c.platforms.len() >= self.min_platforms
            && (self.kols.is_empty() || any_kol());
        if !selected {
            return None;
        }
        let Some(words) = &self.keywords else {
            return Some(Match { group: None });
        };
        let hit = std::iter::once(&c.title)
            .chain(&c.texts)
            .find_map(|t| words.hit(t))?;
        Some(Match {
            group: match hit {
                Hit::Group(g) => words.groups.get(g).map(|g| g.display.clone()),
                Hit::Any => None,
            },
        })
    }
}

/// A rules file, checked.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub tiers: TierConfig,
    /// In file order: the first match wins unless it says `continue`.
    pub rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    #[serde(default)]
    tiers: TierConfig,
    #[serde(default)]
    rule: Vec<Spanned<RuleToml>>,
}

type Strings = Spanned<Vec<Spanned<String>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleToml {
    name: Spanned<String>,
    keywords: Option<Strings>,
    keywords_file: Option<Spanned<String>>,
    /// Match a `/regex/` that does not compile as literal text, as TrendRadar does, instead
    /// of refusing the file.
    #[serde(default)]
    lenient_regex: bool,
    #[serde(default)]
    kols: Vec<String>,
    #[serde(default)]
    platforms: Vec<Platform>,
    #[serde(default)]
    kinds: Vec<Kind>,
    #[serde(default)]
    min_platforms: usize,
    #[serde(default)]
    min_tier: Tier,
    channels: Strings,
    #[serde(default)]
    mention: Vec<String>,
    #[serde(default = "orange")]
    mention_min_tier: Tier,
    quiet_hours: Option<Spanned<String>>,
    weekdays: Option<Strings>,
    #[serde(default = "yes")]
    red_bypasses_quiet: bool,
    #[serde(default = "dedup_default")]
    dedup_minutes: u32,
    #[serde(default)]
    delivery: DeliveryToml,
    digest_every_minutes: Option<Spanned<u32>>,
    #[serde(default, rename = "continue")]
    continue_: bool,
}

fn orange() -> Tier {
    Tier::Orange
}
fn yes() -> bool {
    true
}
fn dedup_default() -> u32 {
    DEDUP_MINUTES
}

/// Reads a keywords file (the real file system, or a map in tests).
pub type ReadFile<'a> = &'a dyn Fn(&Path) -> std::io::Result<String>;

/// Builds errors about one file.
struct At<'a> {
    path: &'a str,
    src: &'a str,
}

impl At<'_> {
    fn err(&self, byte: usize, problem: impl Into<String>) -> RulesError {
        RulesError {
            path: self.path.to_string(),
            line: line_of(self.src, byte),
            problem: problem.into(),
        }
    }
}

impl RuleSet {
    /// Read and check `path`; `channels` are the configured channel names a rule may use.
    pub fn load(path: &Path, channels: &[&str]) -> Result<RuleSet, RulesError> {
        let shown = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|e| RulesError {
            path: shown.clone(),
            line: 0,
            problem: e.to_string(),
        })?;
        RuleSet::parse(&src, &shown, channels, &|p| std::fs::read_to_string(p))
    }

    /// Check a rules file's text (`path` is where it was read from: errors show it, and
    /// keyword files are resolved against its directory); keyword files are read through
    /// `read`.
    pub fn parse(
        src: &str,
        path: &str,
        channels: &[&str],
        read: ReadFile<'_>,
    ) -> Result<RuleSet, RulesError> {
        let at = At { path, src };
        let file: FileToml = toml::from_str(src)
            .map_err(|e| at.err(e.span().map_or(0, |s| s.start), e.message().trim()))?;
        let mut rules: Vec<Rule> = Vec::with_capacity(file.rule.len());
        for r in file.rule {
            let start = r.span().start;
            let rule = rule(r.into_inner(), start, &at, channels, read)?;
            if rules.iter().any(|o| o.name == rule.name) {
                return Err(at.err(start, format!("duplicate rule name `{}`", rule.name)));
            }
            rules.push(rule);
        }
        Ok(RuleSet {
            tiers: file.tiers,
            rules,
        })
    }
}

fn rule(
    r: RuleToml,
    start: usize,
    at: &At<'_>,
    known: &[&str],
    read: ReadFile<'_>,
) -> Result<Rule, RulesError> {
    let name = r.name.get_ref().trim().to_string();
    if name.is_empty() {
        return Err(at.err(r.name.span().start, "rule name is empty"));
    }
    let keywords = keywords(&r, at, read)?;
    if r.channels.get_ref().is_empty() {
        return Err(at.err(r.channels.span().start, "channels is empty"));
    }
    let mut channels = Vec::new();
    for c in r.channels.get_ref() {
        if !known.contains(&c.get_ref().as_str()) {
            let list = if known.is_empty() {
                "none are configured".to_string()
            } else {
                format!("configured: {}", known.join(", "))
            };
            return Err(at.err(
                c.span().start,
                format!("unknown channel `{}` ({list})", c.get_ref()),
            ));
        }
        channels.push(c.get_ref().clone());
    }
    let days = match &r.weekdays {
        Some(days) => {
            let mut out: Vec<Weekday> = Vec::new();
            for d in days.get_ref() {
                out.push(parse_weekday(d.get_ref()).ok_or_else(|| {
                    at.err(
                        d.span().start,
                        format!("unknown weekday `{}` (mon … sun)", d.get_ref()),
                    )
                })?);
            }
            out
        }
        None => Vec::new(),
    };
    let quiet_hours = match &r.quiet_hours {
        Some(q) => {
            Some(QuietHours::parse(q.get_ref(), &days).map_err(|p| at.err(q.span().start, p))?)
        }
        None => {
            if let Some(w) = &r.weekdays {
                return Err(at.err(w.span().start, "weekdays needs quiet_hours"));
            }
            None
        }
    };
    let delivery = match (r.delivery, &r.digest_every_minutes) {
        (DeliveryToml::Immediate, None) => DeliveryMode::Immediate,
        (DeliveryToml::Immediate, Some(m)) => {
            return Err(at.err(
                m.span().start,
                "digest_every_minutes needs delivery = \"digest\"",
            ));
        }
        (DeliveryToml::Digest, m) => {
            let every_minutes = m.as_ref().map_or(DIGEST_EVERY_MINUTES, |m| *m.get_ref());
            if every_minutes == 0 {
                let byte = m.as_ref().map_or(start, |m| m.span().start);
                return Err(at.err(byte, "digest_every_minutes must be at least 1"));
            }
            DeliveryMode::Digest { every_minutes }
        }
    };
    Ok(Rule {
        name,
        line: line_of(at.src, start),
        keywords,
        kols: r.kols.iter().map(|k| k.trim().to_lowercase()).collect(),
        platforms: r.platforms,
        kinds: r.kinds,
        min_platforms: r.min_platforms,
        min_tier: r.min_tier,
        channels,
        mention: r.mention,
        mention_min_tier: r.mention_min_tier,
        quiet_hours,
        red_bypasses_quiet: r.red_bypasses_quiet,
        dedup_minutes: r.dedup_minutes,
        delivery,
        continue_: r.continue_,
    })
}

fn regex_problem(f: &RegexFallback) -> String {
    format!(
        "regex `{}` does not compile ({}); TrendRadar would match it as literal text: drop the \
         slashes for a literal, or set lenient_regex = true in the rule",
        f.word,
        f.problem.lines().next().unwrap_or_default()
    )
}

/// `keywords` (each entry one line of a TrendRadar block, so `+`, `!`, `/re/` and `=>` work)
/// or `keywords_file` (a whole TrendRadar file).
fn keywords(
    r: &RuleToml,
    at: &At<'_>,
    read: ReadFile<'_>,
) -> Result<Option<FrequencyWords>, RulesError> {
    match (&r.keywords, &r.keywords_file) {
        (Some(_), Some(f)) => Err(at.err(
            f.span().start,
            "keywords and keywords_file both given; use one",
        )),
        (None, None) => Ok(None),
        (Some(list), None) => {
            if list.get_ref().is_empty() {
                // TrendRadar reads no groups as "every title"; here that is surely a slip.
                return Err(at.err(
                    list.span().start,
                    "keywords is empty (leave it out to match every title)",
                ));
            }
            let mut text = String::new();
            for w in list.get_ref() {
                if w.get_ref().contains(['\n', '\r']) {
                    return Err(at.err(w.span().start, "a keyword holds a line break"));
                }
                text.push_str(w.get_ref());
                text.push('\n');
            }
            let (words, fallbacks) = FrequencyWords::parse(&text);
            match fallbacks.first() {
                // The n-th line is the n-th list entry: point at it in the rules file.
                Some(f) if !r.lenient_regex => {
                    let entry = list.get_ref().get(f.line.saturating_sub(1));
                    let byte = entry.map_or(list.span().start, |e| e.span().start);
                    Err(at.err(byte, regex_problem(f)))
                }
                _ => Ok(Some(words)),
            }
        }
        (None, Some(f)) => {
            // Relative to the rules file, like an include.
            let dir = Path::new(at.path).parent().unwrap_or(Path::new(""));
            let file = dir.join(f.get_ref());
            let shown = file.display().to_string();
            let text = read(&file)
                .map_err(|e| at.err(f.span().start, format!("keywords_file `{shown}`: {e}")))?;
            let (words, fallbacks) = FrequencyWords::parse(&text);
            match fallbacks.first() {
                Some(fb) if !r.lenient_regex => Err(RulesError {
                    path: shown,
                    line: fb.line,
                    problem: regex_problem(fb),
                }),
                _ => Ok(Some(words)),
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const CHANNELS: [&str; 3] = ["ops", "pr", "mail"];

    fn no_files(p: &Path) -> std::io::Result<String> {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no file {} in this test", p.display()),
        ))
    }

    pub(crate) fn rules(src: &str) -> RuleSet {
        RuleSet::parse(src, "rules.toml", &CHANNELS, &no_files).unwrap_or_else(|e| panic!("{e}"))
    }

    fn error(src: &str) -> String {
        let files = |p: &Path| match p.to_str() {
            Some("conf/words.txt") => Ok("高考\n\n[坏]\n/a(b/\n".to_string()),
            _ => no_files(p),
        };
        match RuleSet::parse(src, "conf/rules.toml", &CHANNELS, &files) {
            Ok(_) => panic!("accepted:\n{src}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn example_files_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/alerts");
        let channels = [
            "pr-feishu",
            "ops-wecom",
            "ops-ntfy",
            "research-email",
            "edu-dingtalk",
        ];
        let set = RuleSet::load(&dir.join("rules.example.toml"), &channels)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            set.tiers,
            TierConfig::default(),
            "the example shows the defaults"
        );
        let names: Vec<_> = set.rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "brand",
                "ops-big-stories",
                "withdrawn-digest",
                "edu-desk",
                "brand-watch"
            ]
        );
        assert!(set.rules[0].continue_);
        assert_eq!(
            set.rules[2].delivery,
            DeliveryMode::Digest { every_minutes: 120 }
        );
        let words = std::fs::read_to_string(dir.join("frequency_words.example.txt"))
            .unwrap_or_else(|e| panic!("{e}"));
        let (words, fallbacks) = FrequencyWords::parse(&words);
        assert!(fallbacks.is_empty());
        let names: Vec<_> = words.groups.iter().map(|g| g.display.as_str()).collect();
        assert_eq!(names, ["教育", "食品安全", "本公司"]);
        assert!(words.matches("MouXie Tech 发布会"));
        assert!(!words.matches("某某科技抽奖"), "global filter");
    }

    #[test]
    fn toml_errors_name_the_line() {
        let e = error("[[rule]]\nname = \"a\"\nchannels = [\"ops\"]\nmin_tier = \"red\n");
        assert!(e.starts_with("conf/rules.toml:4:"), "{e}");
        let e = error("[[rule]]\nname = \"a\"\nchannels = [\"ops\"]\nchanels = 1\n");
        assert!(
            e.starts_with("conf/rules.toml:4: unknown field `chanels`"),
            "{e}"
        );
        let e = error("[[rule]]\nname = \"a\"\nchannels = [\"ops\"]\nkinds = [\"rising\"]\n");
        assert!(
            e.starts_with("conf/rules.toml:4: unknown variant `rising`"),
            "{e}"
        );
        let e = error("[tiers]\nsignals_needed = 2\n[tiers.red]\nlabel = \"大\"\n");
        assert!(e.starts_with("conf/rules.toml:4:"), "{e}");
    }

    #[test]
    fn unknown_channel() {
        let e = error("[[rule]]\nname = \"a\"\nchannels = [\"ops\",\n  \"ops-wecom\"]\n");
        assert_eq!(
            e,
            "conf/rules.toml:4: unknown channel `ops-wecom` (configured: ops, pr, mail)"
        );
        let e = error("[[rule]]\nname = \"a\"\nchannels = []\n");
        assert_eq!(e, "conf/rules.toml:3: channels is empty");
    }

    #[test]
    fn bad_quiet_hours_and_weekdays() {
        let base = "[[rule]]\nname = \"a\"\nchannels = [\"ops\"]\n";
        let e = error(&format!("{base}quiet_hours = \"23:00-7:00\"\n"));
        assert!(
            e.starts_with("conf/rules.toml:4: quiet_hours `23:00-7:00` is not"),
            "{e}"
        );
        let e = error(&format!(
            "{base}quiet_hours = \"23:00-07:00\"\nweekdays = [\"mon\", \"fry\"]\n"
        ));
        assert_eq!(e, "conf/rules.toml:5: unknown weekday `fry` (mon … sun)");
        let e = error(&format!("{base}weekdays = [\"mon\"]\n"));
        assert_eq!(e, "conf/rules.toml:4: weekdays needs quiet_hours");
    }

    #[test]
    fn bad_regex_in_a_keywords_file_names_that_file() {
        let e =
            error("[[rule]]\nname = \"a\"\nchannels = [\"ops\"]\nkeywords_file = \"words.txt\"\n");
        assert!(
            e.starts_with("conf/words.txt:4: regex `/a(b/` does not compile"),
            "{e}"
        );
        let e =
            error("[[rule]]\nname = \"a\"\nchannels = [\"ops\"]\nkeywords_file = \"nope.txt\"\n");
        assert!(
            e.starts_with("conf/rules.toml:4: keywords_file `conf/nope.txt`: no file"),
            "{e}"
        );
        // lenient_regex: TrendRadar's literal fallback.
        let files = |_: &Path| Ok("/a(b/\n".to_string());
        let src = "[[rule]]\nname = \"a\"\nchannels = [\"ops\"]\nkeywords_file = \"w.txt\"\nlenient_regex = true\n";
        assert!(RuleSet::parse(src, "rules.toml", &CHANNELS, &files).is_ok());
    }

    #[test]
    fn bad_regex_inline_names_its_entry() {
        let e = error(
            "[[rule]]\nname = \"a\"\nchannels = [\"ops\"]\nkeywords = [\n  \"高考\",\n  \"/(/\",\n]\n",
        );
        assert!(e.starts_with("conf/rules.toml:6: regex `/(/`"), "{e}");
        let e = error("[[rule]]\nname = \"a\"\nchannels = [\"ops\"]\nkeywords = [\"a\\nb\"]\n");
        assert_eq!(e, "conf/rules.toml:4: a keyword holds a line break");
    }

    #[test]
    fn rule_level_problems() {
        let rule = |extra: &str| format!("[[rule]]\nname = \"a\"\nchannels = [\"ops\"]\n{extra}");
        let e = error(&format!("{}\n{}", rule(""), rule("")));
        assert_eq!(e, "conf/rules.toml:5: duplicate rule name `a`");
        let e = error(&rule("keywords = [\"x\"]\nkeywords_file = \"w.txt\"\n"));
        assert_eq!(
            e,
            "conf/rules.toml:5: keywords and keywords_file both given; use one"
        );
        let e = error(&rule("digest_every_minutes = 5\n"));
        assert_eq!(
            e,
            "conf/rules.toml:4: digest_every_minutes needs delivery = \"digest\""
        );
        let e = error(&rule("delivery = \"digest\"\ndigest_every_minutes = 0\n"));
        assert_eq!(
            e,
            "conf/rules.toml:5: digest_every_minutes must be at least 1"
        );
        let e = error(&rule("keywords = []\n"));
        assert!(e.starts_with("conf/rules.toml:4: keywords is empty"), "{e}");
        let e = error("[[rule]]\nname = \"  \"\nchannels = [\"ops\"]\n");
        assert_eq!(e, "conf/rules.toml:2: rule name is empty");
        let e = error("[[rule]]\nchannels = [\"ops\"]\n");
        assert!(
            e.starts_with("conf/rules.toml:1: missing field `name`"),
            "{e}"
        );
    }

    #[test]
    fn unreadable_rules_file_has_no_line() {
        let e = RuleSet::load(Path::new("/nonexistent/rules.toml"), &CHANNELS)
            .err()
            .map(|e| (e.line, e.to_string()));
        assert!(
            matches!(&e, Some((0, s)) if s.starts_with("/nonexistent/rules.toml: ")),
            "{e:?}"
        );
    }
}
