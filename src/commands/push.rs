//! `resou rules check` and `resou push test|list`: the team alert set-up, checked and tried
//! before the collector relies on it.

use std::time::SystemTime;

use anyhow::Context;

use crate::cli::{Cli, PushCommand, RulesCommand};
use crate::config::Config;
use crate::config::push::PushConfig;
use crate::push::{Message, Outcome};
use crate::rules::{DeliveryMode, RuleSet};

pub fn rules(cli: &Cli, cmd: &RulesCommand) -> anyhow::Result<()> {
    let RulesCommand::Check { file } = cmd;
    let (cfg, cfg_path) = Config::load(cli.config.as_deref())?;
    let push = PushConfig {
        section: &cfg.push,
        file: cfg_path.as_deref(),
    };
    let path = match file {
        Some(f) => f.clone(),
        None => push.rules_path().context(
            "no rules file: set [push] rules in config.toml, create rules.toml in the config \
             directory, or name one (resou rules check FILE); data/alerts/rules.example.toml \
             is a complete example",
        )?,
    };
    let names: Vec<&str> = cfg.push.channels.keys().map(String::as_str).collect();
    let set = RuleSet::load(&path, &names).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{}: {} rule(s), ok", path.display(), set.rules.len());
    for r in &set.rules {
        let delivery = match r.delivery {
            DeliveryMode::Immediate => "immediately".to_string(),
            DeliveryMode::Digest { every_minutes } => format!("digest every {every_minutes} min"),
        };
        let quiet = if r.quiet_hours.is_some() {
            " · quiet hours"
        } else {
            ""
        };
        println!(
            "  line {:>3}  {}: {} → {} ({delivery}, dedup {} min{quiet}{})",
            r.line,
            r.name,
            r.selects().join(" · "),
            r.channels.join(", "),
            r.dedup_minutes,
            if r.continue_ { ", continue" } else { "" },
        );
    }
    // The channels the rules use must open (secrets present, files private).
    let mut problems = Vec::new();
    let mut used: Vec<&String> = set.rules.iter().flat_map(|r| &r.channels).collect();
    used.sort();
    used.dedup();
    for name in used {
        match push.open_channel(name) {
            Ok(ch) => println!(
                "  channel {name}: {} {}",
                ch.kind().name(),
                ch.endpoint_redacted()
            ),
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    anyhow::ensure!(problems.is_empty(), "{}", problems.join("\n"));
    Ok(())
}

pub fn push(cli: &Cli, cmd: &PushCommand) -> anyhow::Result<()> {
    let (cfg, cfg_path) = Config::load(cli.config.as_deref())?;
    let push = PushConfig {
        section: &cfg.push,
        file: cfg_path.as_deref(),
    };
    match cmd {
        PushCommand::List => {
            if cfg.push.channels.is_empty() {
                println!("no channels: add [push.channels.NAME] tables to the config file");
            }
            for name in cfg.push.channels.keys() {
                match push.open_channel(name) {
                    Ok(ch) => println!("{name}: {} {}", ch.kind().name(), ch.endpoint_redacted()),
                    Err(e) => println!("{name}: {e:#}"),
                }
            }
            Ok(())
        }
        PushCommand::Test {
            channel,
            tier,
            mention,
        } => {
            let ch = push.open_channel(channel)?;
            let now = crate::domain::now_cst();
            let mut msg = Message::new(
                *tier,
                "resou 测试消息 test message",
                format!(
                    "这是一条来自 resou 的测试消息（{}）。\n\n**渠道** {channel} · {}\n\n发送时间 {}",
                    tier.zh(),
                    ch.kind().name(),
                    now.format("%Y-%m-%d %H:%M:%S")
                ),
            );
            msg.mentions = mention.clone();
            msg.rule = "push-test".into();
            let client = crate::push::http_client()?;
            let rt = super::runtime()?;
            let outcomes = rt.block_on(crate::push::send(&client, &ch, &msg, &SystemTime::now));
            let total = outcomes.len();
            let mut failed = None;
            for (i, o) in outcomes.iter().enumerate() {
                let part = i + 1;
                match o {
                    Outcome::Delivered => println!("{channel}: request {part}/{total} delivered"),
                    Outcome::Retry { after, reason } => {
                        println!(
                            "{channel}: request {part}/{total} failed (transient; a queued alert would retry in {} s): {reason}",
                            after.as_secs()
                        );
                        failed.get_or_insert(reason.clone());
                    }
                    Outcome::Wait { after } => {
                        println!(
                            "{channel}: request {part}/{total} not sent: the channel's rate limit says wait {} s",
                            after.as_secs()
                        );
                        failed.get_or_insert_with(|| "rate limited".into());
                    }
                    Outcome::Permanent { reason } => {
                        println!(
                            "{channel}: request {part}/{total} refused (check the channel's settings): {reason}"
                        );
                        failed.get_or_insert(reason.clone());
                    }
                }
            }
            match failed {
                Some(reason) => Err(crate::commands::AllFailed(format!(
                    "test message to {channel} not delivered: {reason}"
                ))
                .into()),
                None => Ok(()),
            }
        }
    }
}
