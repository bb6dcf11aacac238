//! The app fed by the real analysis: real archived lists go through `Analyzer::process`
//! (the worker's code path) and its updates arrive as messages.

use crate::support;

use resou::analysis::{AnalysisConfig, AnalysisEvent, Analyzer};
use resou::app::App;
use resou::app::msg::{AppMsg, Effect};
use resou::app::state::Focus;
use resou::config::keymap::{Key, Keymap};
use resou::domain::Snapshot;
use resou::domain::snapshot_file::read_lines;
use resou::sources::{Endpoint, SourceEvent};

fn weibo_day() -> Vec<Snapshot> {
    let src = include_str!("../fixtures/analysis/weibo_nateafish_2026-08-15.jsonl");
    read_lines(src.as_bytes(), "nateafish.jsonl")
        .expect("fixture")
        .iter()
        .map(|l| l.to_snapshot())
        .collect()
}

fn poll(snap: Snapshot) -> AppMsg {
    support::poll_ok(snap, Endpoint::WeiboHotSearch)
}

fn press(app: &mut App, keys: &str) {
    for k in keys.split_whitespace() {
        app.handle(AppMsg::Key(Key::parse(k).expect("key")));
    }
}

/// An app at 120×40 with nothing loaded yet.
fn fresh_app() -> App {
    support::app_sized(20, (120, 40))
}

/// Feed `n` hourly lists: each poll's Analyze effect goes through the analyzer, whose
/// update comes back as a message — the same loop the app runs with the worker thread.
fn run(n: usize) -> App {
    let mut app = fresh_app();
    let mut analyzer = Analyzer::new(&AnalysisConfig::default());
    app.handle(AppMsg::Analysis(AnalysisEvent::DictionaryReady));
    for snap in weibo_day().into_iter().take(n) {
        let (effects, _) = app.handle(poll(snap));
        for e in effects {
            if let Effect::Analyze(s) = e {
                let u = analyzer.process(&s);
                app.handle(AppMsg::Analysis(AnalysisEvent::Update(Box::new(u))));
            }
        }
    }
    app
}

#[test]
fn rising_keywords_reach_the_panel_and_highlight_titles() {
    // 00:00 is the baseline, 01:00 the first poll past the warm-up.
    let app = run(2);
    let a = &app.state.analysis;
    assert!(a.ready && a.at.is_some());
    let rising: Vec<&str> = a
        .all_keywords
        .iter()
        .filter(|k| k.rising)
        .map(|k| k.keyword.as_str())
        .collect();
    assert!(!rising.is_empty(), "the detector flags something at 01:00");
    // Rising entries come first, by score, then cooling, then steady.
    let e = &a.entries;
    assert!(e[0].rising());
    assert!(e.windows(2).all(|w| w[0].trend <= w[1].trend));
    let first_other = e.iter().position(|k| !k.rising()).unwrap_or(e.len());
    assert!(
        e[..first_other]
            .windows(2)
            .all(|w| w[0].score >= w[1].score)
    );
    // Every rising term is on the panel, as a label or beside one.
    for k in &rising {
        assert!(
            e[..first_other].iter().any(|e| e.terms().any(|t| t == *k)),
            "{k}"
        );
    }
    // Every highlight is made of rising keywords (adjacent ones merge into one span).
    let made_of_rising = |text: &str| {
        // can[i]: text[..i] splits into rising keywords
        let mut can = vec![false; text.len() + 1];
        can[0] = true;
        for i in 0..text.len() {
            if can[i] {
                for k in &rising {
                    if text[i..].starts_with(k) {
                        can[i + k.len()] = true;
                    }
                }
            }
        }
        can[text.len()]
    };
    let mut highlighted = 0;
    for row in &app.state.board.rows {
        for r in &row.highlights {
            let text = row.topic.title.as_str()[r.clone()].to_lowercase();
            assert!(made_of_rising(&text), "{text} in {}", row.topic.title);
            highlighted += 1;
        }
    }
    assert!(highlighted > 0);
    // 旺旺 sat in several titles from the small hours on (trend-detection.md §7).
    assert!(rising.contains(&"旺旺"), "rising: {rising:?}");
}

#[test]
fn enter_on_a_keyword_filters_the_board_and_back_peels_layers() {
    let mut app = run(6);
    let all = app.state.board.rows.len();
    press(&mut app, "l");
    assert_eq!(app.state.input.focus, Focus::Keywords);
    let kw = app.state.analysis.entries[0].label.clone();
    press(&mut app, "enter");
    assert_eq!(app.state.board.filter.as_deref(), Some(kw.as_str()));
    assert!(!app.state.board.rows.is_empty() && app.state.board.rows.len() < all);
    assert!(
        app.state
            .board
            .rows
            .iter()
            .all(|r| r.topic.title.as_str().to_lowercase().contains(&*kw))
    );
    press(&mut app, "j");
    assert_eq!(app.state.panel.selected, 1, "j moves in the focused panel");
    press(&mut app, "esc");
    assert_eq!(app.state.board.filter, None);
    assert_eq!(app.state.board.rows.len(), all);
    assert_eq!(app.state.input.focus, Focus::Keywords);
    press(&mut app, "esc");
    assert_eq!(app.state.input.focus, Focus::Board);
    assert!(!app.state.quit);
    press(&mut app, "esc");
    assert!(app.state.quit);
}

#[test]
fn keyword_cursor_follows_its_keyword_only_while_the_panel_has_focus() {
    let day = weibo_day();
    let mut analyzer = Analyzer::new(&AnalysisConfig::default());
    let updates: Vec<_> = day.iter().take(8).map(|s| analyzer.process(s)).collect();
    let feed = |app: &mut App, i: usize| {
        app.handle(AppMsg::Analysis(AnalysisEvent::Update(Box::new(
            updates[i].clone(),
        ))));
    };
    // Find two consecutive updates where the keyword at row 2 moves to another row.
    let mut app = fresh_app();
    let (i, kw) = (3..8)
        .find_map(|i| {
            feed(&mut app, i - 1);
            let kw = app.state.analysis.entries.get(2)?.label.clone();
            feed(&mut app, i);
            let now = app
                .state
                .analysis
                .entries
                .iter()
                .position(|k| k.label == kw)?;
            (now != 2).then_some((i, kw))
        })
        .expect("a reorder in the real day");

    let mut focused = App::new(Keymap::default_map());
    focused.handle(AppMsg::Resize {
        page_rows: 20,
        keyword_rows: 10,
        size: (120, 40),
    });
    feed(&mut focused, i - 1);
    press(&mut focused, "l j j");
    assert_eq!(
        focused.state.analysis.entries[focused.state.panel.selected].label,
        kw
    );
    feed(&mut focused, i);
    assert_eq!(
        focused.state.analysis.entries[focused.state.panel.selected].label, kw,
        "followed"
    );

    press(&mut focused, "h");
    feed(&mut focused, i - 1);
    assert_eq!(
        focused.state.panel.selected, 0,
        "unfocused: rests on the top row"
    );
}

#[test]
fn weibo_polls_ask_for_topic_hosts_and_their_accounts_become_kol_badges() {
    let mut app = fresh_app();
    let snap = weibo_day()
        .into_iter()
        .find(|s| {
            s.ranked
                .iter()
                .any(|t| t.title.as_str() == "命好的人本质是主体性强")
        })
        .expect("the topic is on a real list that day");
    let (effects, _) = app.handle(poll(snap.clone()));
    let asked: Vec<&str> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchTopic(h) => Some(h.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        asked.len(),
        snap.ranked.len(),
        "every ranked Weibo topic, in rank order"
    );
    assert_eq!(asked[0], snap.ranked[0].hashtag());
    assert!(asked.contains(&"#命好的人本质是主体性强#"));

    // The reconstructed topic-detail payload (real host and media of that topic).
    let body = include_str!("../fixtures/topics/detail_host.json");
    let detail =
        resou::sources::topic::parse_detail(body, "#命好的人本质是主体性强#").expect("parses");
    let (_, dirty) = app.handle(AppMsg::Source(SourceEvent::TopicDetail(
        "#命好的人本质是主体性强#".into(),
        Ok(Box::new(detail)),
    )));
    assert!(dirty);
    let row = app
        .state
        .board
        .rows
        .iter()
        .find(|r| r.topic.title.as_str() == "命好的人本质是主体性强")
        .unwrap();
    assert_eq!(
        row.kols.first().map(String::as_str),
        Some("人间观察大赏"),
        "the host first"
    );
    assert!(
        row.kols.iter().any(|k| k == "泰山晚报"),
        "then media accounts: {:?}",
        row.kols
    );
    assert!(
        app.state
            .board
            .rows
            .iter()
            .filter(|r| !r.kols.is_empty())
            .count()
            == 1
    );

    // A failed lookup changes nothing on screen.
    let (_, dirty) = app.handle(AppMsg::Source(SourceEvent::TopicDetail(
        "#x#".into(),
        Err(resou::sources::SourceError::Status(500)),
    )));
    assert!(!dirty);
}

#[test]
fn a_hidden_keyword_panel_does_not_take_the_keyboard() {
    let mut app = run(3);
    app.handle(AppMsg::Resize {
        page_rows: 20,
        keyword_rows: 0,
        size: (120, 40),
    });
    press(&mut app, "l");
    assert_eq!(app.state.input.focus, Focus::Board);
    assert!(
        app.state
            .status
            .flash
            .as_deref()
            .unwrap_or("")
            .contains("too small for the keyword panel")
    );
    press(&mut app, "j");
    assert_eq!(
        app.state.selected_index(),
        Some(1),
        "keys still move the board"
    );
}

#[test]
fn discovered_topic_accounts_join_the_matcher_and_the_kol_panel() {
    let mut app = fresh_app();
    let mut analyzer = Analyzer::new(&AnalysisConfig::default());
    app.handle(AppMsg::Analysis(AnalysisEvent::DictionaryReady));
    let day = weibo_day();
    let on_list = |title: &str| {
        day.iter()
            .filter(|s| s.ranked.iter().any(|t| t.title.as_str() == title))
            .cloned()
            .collect::<Vec<_>>()
    };
    let host_lists = on_list("命好的人本质是主体性强");
    assert!(!host_lists.is_empty());
    // Effects run the way the app loop runs them: snapshots and accounts to the analyzer.
    let apply = |app: &mut App, analyzer: &mut Analyzer, effects: Vec<Effect>| {
        for e in effects {
            match e {
                Effect::Analyze(s) => {
                    let u = analyzer.process(&s);
                    app.handle(AppMsg::Analysis(AnalysisEvent::Update(Box::new(u))));
                }
                Effect::TopicAccounts { topic, records } => {
                    analyzer.add_topic_accounts(&topic, &records);
                }
                _ => {}
            }
        }
    };
    let (fx, _) = app.handle(poll(host_lists[0].clone()));
    apply(&mut app, &mut analyzer, fx);
    assert!(
        !app.state
            .analysis
            .kols
            .iter()
            .any(|k| k.name == "人间观察大赏"),
        "not a KOL before its topic page is read"
    );

    let body = include_str!("../fixtures/topics/detail_host.json");
    let tag = "#命好的人本质是主体性强#";
    let detail = resou::sources::topic::parse_detail(body, tag).expect("parses");
    let (fx, _) = app.handle(AppMsg::Source(SourceEvent::TopicDetail(
        tag.into(),
        Ok(Box::new(detail)),
    )));
    let records: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::TopicAccounts { records, .. } => Some(records.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(records.iter().any(|r| r.name == "人间观察大赏"));
    apply(&mut app, &mut analyzer, fx);

    // A verified author met later (drill-down) whose name is in another real title.
    let author = resou::analysis::AccountRecord {
        name: "王传君".into(),
        uid: Some("1196235387".into()),
        verified_type: Some(0),
        role: resou::analysis::AccountRole::Author,
    };
    assert!(
        analyzer
            .title_info("王传君体脂率25.5%", None)
            .kols
            .is_empty()
    );
    let added = analyzer.add_topic_accounts("#王传君体脂率25.5%#", &[author]);
    assert_eq!(added.len(), 1);
    let info = analyzer.title_info("王传君体脂率25.5%", None);
    assert_eq!(info.kols.len(), 1, "matched in raw text after discovery");
    assert!(
        info.terms.iter().any(|t| t == "王传君"),
        "and kept whole by jieba: {:?}",
        info.terms
    );

    let later = day
        .iter()
        .find(|s| {
            let has = |t: &str| s.ranked.iter().any(|x| x.title.as_str() == t);
            has("命好的人本质是主体性强") && has("王传君体脂率25.5%")
        })
        .cloned()
        .expect("02:00–07:00 carry both");
    let (fx, _) = app.handle(poll(later.clone()));
    apply(&mut app, &mut analyzer, fx);
    let panel = &app.state.analysis.kols;
    let host = panel
        .iter()
        .find(|k| k.name == "人间观察大赏")
        .expect("the topic host is an active KOL");
    assert!(host.now >= 1, "counts the topic it hosts");
    assert!(panel.iter().any(|k| k.name == "王传君" && k.now >= 1));
}

fn act(app: &mut App, a: resou::input::Action) {
    resou::app::layer::apply(&mut app.state, a);
}

fn titles(app: &App) -> Vec<String> {
    app.state
        .board
        .rows
        .iter()
        .map(|r| r.topic.title.to_string())
        .collect()
}

#[test]
fn filters_and_sorts_on_real_lists() {
    use resou::app::filters::SortMode;
    use resou::input::Action;
    // Through 01:00, the first poll past the warm-up (with rising entries).
    let mut app = run(2);
    let all = app.state.board.rows.len();

    // Sort by heat: non-increasing heat; back to rank after a full cycle.
    act(&mut app, Action::CycleSort);
    assert_eq!(app.state.board.filters.sort, SortMode::Heat);
    let heats: Vec<u64> = app
        .state
        .board
        .rows
        .iter()
        .map(|r| r.topic.heat.unwrap_or(0))
        .collect();
    assert!(heats.windows(2).all(|w| w[0] >= w[1]), "{heats:?}");
    act(&mut app, Action::CycleSort);
    assert_eq!(app.state.board.filters.sort, SortMode::Rising);
    let scores: Vec<f64> = app
        .state
        .board
        .rows
        .iter()
        .map_while(|r| r.rising_score)
        .collect();
    assert!(!scores.is_empty() && scores.windows(2).all(|w| w[0] >= w[1]));
    for _ in 0..3 {
        act(&mut app, Action::CycleSort);
    }
    assert_eq!(app.state.board.filters.sort, SortMode::Rank);

    // Rising only: every row carries a rising keyword, and fewer rows remain.
    act(&mut app, Action::FilterRising);
    assert!(
        app.state
            .board
            .rows
            .iter()
            .all(|r| r.rising_score.is_some())
    );
    assert!(!app.state.board.rows.is_empty() && app.state.board.rows.len() < all);
    act(&mut app, Action::FilterRising);
    assert_eq!(app.state.board.rows.len(), all);

    // Label 新 only.
    act(&mut app, Action::CycleLabel);
    assert!(!app.state.board.rows.is_empty());
    assert!(
        app.state
            .board
            .rows
            .iter()
            .all(|r| r.topic.label == resou::domain::Label::New)
    );
    let described = app.state.board.filters.describe(None, None).join(" ");
    assert!(described.contains("label 新"), "{described}");
    act(&mut app, Action::ClearFilters);
    assert_eq!(app.state.board.rows.len(), all);
}

#[test]
fn search_prompt_filters_as_you_type_and_esc_restores() {
    let mut app = run(2);
    let all = app.state.board.rows.len();
    press(&mut app, "/"); // bound by the default keymap
    assert!(app.state.input.prompt.is_some());
    for c in "旺旺".chars() {
        app.handle(AppMsg::Key(Key::char(c)));
    }
    let shown = titles(&app);
    assert!(!shown.is_empty() && shown.len() < all);
    assert!(shown.iter().all(|t| t.contains("旺旺")), "{shown:?}");
    // The keyword panel follows the search too: entries with a matching term.
    let entries = &app.state.analysis.entries;
    assert!(
        entries.iter().any(|e| e.terms().any(|k| k == "旺旺")),
        "{entries:?}"
    );
    assert!(
        entries
            .iter()
            .all(|e| e.terms().any(|k| k.contains("旺旺"))),
        "{entries:?}"
    );
    assert!(app.state.analysis.all_entries.len() > entries.len());
    // q is text inside the prompt, not "back".
    app.handle(AppMsg::Key(Key::char('q')));
    assert!(app.state.board.rows.is_empty() && !app.state.quit);
    press(&mut app, "backspace");
    assert_eq!(titles(&app), shown);
    press(&mut app, "enter");
    assert!(app.state.input.prompt.is_none());
    assert_eq!(app.state.board.search.as_deref(), Some("旺旺"));

    // Inverse: `!旺旺` shows everything else.
    press(&mut app, "/ ctrl-u");
    for c in "!旺旺".chars() {
        app.handle(AppMsg::Key(Key::char(c)));
    }
    assert_eq!(app.state.board.rows.len(), all - shown.len());
    // esc cancels the prompt and restores the search it replaced.
    press(&mut app, "esc");
    assert_eq!(titles(&app), shown);
    // esc again clears the search.
    press(&mut app, "esc");
    assert_eq!(app.state.board.rows.len(), all);
    assert_eq!(
        app.state.analysis.entries.len(),
        app.state.analysis.all_entries.len()
    );
    assert!(!app.state.quit);
}

#[test]
fn a_watched_keyword_that_rises_raises_one_alert() {
    let mut app = fresh_app();
    // Watch every word that the real day's analysis flags, plus one that never rises.
    let mut probe = Analyzer::new(&AnalysisConfig::default());
    let onsets: Vec<String> = weibo_day()
        .iter()
        .take(12)
        .flat_map(|s| probe.process(s).onsets)
        .collect();
    let watched = onsets.first().cloned().expect("something rises by noon");
    app.state.triage.watch_keyword(&watched);
    app.state.triage.watch_keyword("不存在的词");

    let mut analyzer = Analyzer::new(&AnalysisConfig::default());
    app.handle(AppMsg::Analysis(AnalysisEvent::DictionaryReady));
    let mut alerts = Vec::new();
    for snap in weibo_day().into_iter().take(12) {
        let (effects, _) = app.handle(poll(snap));
        for e in effects {
            if let Effect::Analyze(s) = e {
                let u = analyzer.process(&s);
                let (fx, _) = app.handle(AppMsg::Analysis(AnalysisEvent::Update(Box::new(u))));
                let fired: Vec<_> = fx
                    .into_iter()
                    .filter_map(|e| match e {
                        Effect::Alert(a) => Some(a),
                        _ => None,
                    })
                    .collect();
                if !fired.is_empty() {
                    let flash = app.state.status.flash.clone().unwrap_or_default();
                    assert!(flash.contains(&watched), "the status bar says it: {flash}");
                }
                alerts.extend(fired);
            }
        }
    }
    assert!(!alerts.is_empty(), "{watched} rose and was watched");
    assert!(
        alerts.iter().all(|a| a.text.contains(&watched)),
        "{alerts:?}"
    );
    // Rate limited: one alert per keyword per minute of wall clock (the polls share a clock).
    // (list-dynamics alerts on titles holding the keyword are another subject)
    let about_watched = alerts
        .iter()
        .filter(|a| matches!(a.kind, resou::alerts::AlertKind::KeywordRising { .. }))
        .filter(|a| a.text.contains(&watched))
        .count();
    assert!(about_watched <= onsets.iter().filter(|o| **o == watched).count());
}
