//! Offline sentiment (issue 20 point 4): the scoring rules, emoticons read from real Weibo and
//! Tieba markup, the user lexicon, the `resou sentiment` command through the built binary, and
//! the held-out evaluation on the project's own gold set (`tests/fixtures/sentiment/`).
//!
//! Figures: `cargo test --test sentiment -- --nocapture held_out` prints the held-out table;
//! `band_chosen_on_training_half` prints the τ sweep on the training half.

use std::io::Write;
use std::process::{Command, Stdio};

use resou::domain::post::{emoticons_in_html, tieba_emoticon_name};
use resou::sentiment::eval::{self, Split};
use resou::sentiment::{Label, NEUTRAL_BAND, Scorer, Text, UserLexicon};

const GOLD: &str = include_str!("../fixtures/sentiment/labels.jsonl");
const TIMELINE: &str = include_str!("../fixtures/drill_weibo/timeline_cards_excerpt.json");
const LZL: &str = include_str!("../fixtures/drill_tieba/lzl_subreplies_fragment.html");

fn score(s: &str) -> resou::sentiment::Scored {
    Scorer::new().score(&Text::line(s))
}

// ---------- rules ----------

#[test]
fn negation_flips_and_softens() {
    let good = score("好");
    let not_good = score("不好");
    let not_very_good = score("不太好");
    assert_eq!(good.label, Label::Pos);
    assert_eq!(not_good.label, Label::Neg);
    // 不太好 is mildly negative: negative, but weaker than 不好.
    assert!(not_very_good.score < 0.0, "{not_very_good:?}");
    assert!(
        not_very_good.score > not_good.score,
        "{not_very_good:?} vs {not_good:?}"
    );
    assert_eq!(not_very_good.why, vec!["不太好 -0.50"]);
    // 不喜欢: a negated positive word is negative; 没有问题 a negated negative one is positive.
    assert!(score("我不喜欢").score < 0.0);
    assert!(score("没有问题").score > 0.0);
    // Scope: a negator more than three tokens before the word does not reach it.
    assert!(score("不是说这件事情喜欢").score > 0.0);
}

#[test]
fn degree_adverbs_scale() {
    let plain = score("喜欢");
    let very = score("特别喜欢");
    let bit = score("有点喜欢");
    assert!(
        very.score > plain.score && plain.score > bit.score,
        "{very:?} {plain:?} {bit:?}"
    );
    assert_eq!(very.why, vec!["特别喜欢 +3.00"]);
    assert_eq!(bit.why, vec!["有点喜欢 +0.90"]);
    // 好 before a sentiment word is a degree adverb, not a second positive word.
    assert_eq!(score("好难看").why, vec!["好难看 -1.50"]);
}

#[test]
fn contrast_weights_the_clause_after_but() {
    // Same two words, opposite order: the clause after 但是 decides.
    let a = score("包装好看，但是味道难吃");
    let b = score("味道难吃，但是包装好看");
    assert_eq!(a.label, Label::Neg, "{a:?}");
    assert_eq!(b.label, Label::Pos, "{b:?}");
    // Without the marker, the same words cancel out more.
    let none = score("包装好看，味道难吃");
    assert!(none.score.abs() < a.score.abs(), "{none:?} {a:?}");
    // The scope ends with the sentence.
    let c = score("味道难吃，但是好看。又难吃");
    assert!(c.why.iter().any(|w| w == "难吃 -1.50"), "{c:?}");
}

#[test]
fn emoticons_from_real_weibo_html() {
    // The m.weibo.cn timeline card: `<span class="url-icon"><img alt=[偷笑] …>` three times.
    let v: serde_json::Value = serde_json::from_str(TIMELINE).unwrap();
    let html = v["data"]["cards"][0]["mblog"]["text"].as_str().unwrap();
    assert_eq!(emoticons_in_html(html), vec!["偷笑", "偷笑", "偷笑"]);
    // Through the project's parser: the alt text is kept as emoji runs, and scored.
    let rich = resou::sources::weibo::drill::rich_text_from_html(html);
    let t = Text::from_rich(&rich);
    let s = Scorer::new().score(&t);
    assert_eq!(s.label, Label::Pos);
    assert_eq!(
        s.why.iter().filter(|w| *w == "[偷笑] +1.00").count(),
        3,
        "{s:?}"
    );
    // Without the emoticons the text alone is weaker.
    let plain = Scorer::new().score(&Text::line("搬完这块砖，就可以吃好吃的了"));
    assert!(plain.score < s.score);
}

#[test]
fn emoticons_from_real_tieba_html() {
    // The verbatim /p/comment fragment: smileys have no alt; the image number names them.
    assert_eq!(
        tieba_emoticon_name(
            "https://gsp0.baidu.com/x/tb/editor/images/client/image_emoticon25.png"
        ),
        Some("滑稽")
    );
    assert_eq!(
        tieba_emoticon_name("…/client/image_emoticon.png"),
        Some("呵呵")
    );
    assert_eq!(tieba_emoticon_name("…/client/image_emoticon999.png"), None);
    let names = emoticons_in_html(LZL);
    assert_eq!(&names[..2], ["滑稽", "滑稽"]);
    assert_eq!(names.iter().filter(|n| *n == "笑眼").count(), 4);
    // The parser keeps the display (`[表情]`) and records the names for sentiment.
    let tz = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let now = chrono::TimeZone::with_ymd_and_hms(&tz, 2024, 8, 7, 0, 0, 0).unwrap();
    let page =
        resou::sources::tieba::drill::parse_sub_replies_html(LZL, "1", "2", "3", 1, now).unwrap();
    let first = &page.items[0];
    assert_eq!(first.text.to_plain(), "[表情][表情]");
    assert_eq!(first.emoticons, vec!["滑稽", "滑稽"]);
    let s = Scorer::new().score(&Text::from_entry(first));
    assert!(s.why.iter().all(|w| w.starts_with("[滑稽]")), "{s:?}");
    // "请你去跟国际泳联投诉" + [笑眼]: both the word and the smiley count.
    let reply = page
        .items
        .iter()
        .find(|e| e.text.to_plain().contains("投诉"))
        .unwrap();
    let s = Scorer::new().score(&Text::from_entry(reply));
    assert!(s.why.iter().any(|w| w.starts_with("投诉")), "{s:?}");
    assert!(s.why.iter().any(|w| w.starts_with("[笑眼]")), "{s:?}");
}

#[test]
fn repost_chain_scores_only_the_author() {
    let s = score("转发微博//@某网友:垃圾产品，避雷！退钱");
    assert_eq!(s.label, Label::Neu, "{s:?}");
    assert!(s.why.is_empty());
    let s = score("良心企业//@某网友:垃圾产品，避雷");
    assert_eq!(s.label, Label::Pos, "{s:?}");
    // Reply prefixes are not the author's words either (a name can hold any word).
    assert!(score("回复@开心果:我明天去").why.is_empty());
}

#[test]
fn hashtags_do_not_colour_the_post() {
    // #某某塌房# would make every post of the topic negative.
    let s = score("#旺旺集团面临重大经营危机#今天去超市买了一箱");
    assert!(s.why.is_empty(), "{s:?}");
    assert_eq!(s.label, Label::Neu);
    assert_eq!(score("#好消息#太失望了").label, Label::Neg);
}

// ---------- user lexicon ----------

#[test]
fn user_lexicon_overrides_the_embedded_lists() {
    let base = Scorer::new();
    // Brand slang the embedded lists do not know, and a word they weigh differently.
    let user = UserLexicon::parse(
        "# brand team\n旺仔味 1.5\n支持 0\n[允悲] -1\n",
        "sentiment.txt",
    )
    .unwrap();
    let custom = Scorer::new().with_user(&user);
    assert!(base.score(&Text::line("旺仔味")).why.is_empty());
    assert_eq!(custom.score(&Text::line("旺仔味")).label, Label::Pos);
    assert_eq!(base.score(&Text::line("支持")).label, Label::Pos);
    assert_eq!(custom.score(&Text::line("支持")).label, Label::Neu);
    assert_eq!(base.score(&Text::line("[允悲]")).label, Label::Neu);
    assert_eq!(custom.score(&Text::line("[允悲]")).label, Label::Neg);
}

#[test]
fn user_lexicon_file_errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sentiment.txt");
    std::fs::write(&path, "旺仔 1\n# ok\n翻车 much\n").unwrap();
    let e = resou::config::sentiment::user_lexicon(Some(&path)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{}:3: weight `much` is not a number", path.display())
    );
    std::fs::write(&path, "旺仔 1\n\n塌房 -2 extra\n").unwrap();
    let e = resou::config::sentiment::user_lexicon(Some(&path)).unwrap_err();
    assert!(
        e.to_string().starts_with(&format!("{}:3:", path.display())),
        "{e}"
    );
    let missing = dir.path().join("nope.txt");
    assert!(resou::config::sentiment::user_lexicon(Some(&missing)).is_err());
}

// ---------- the command ----------

fn run_cli(
    input: &[u8],
    args: &[&str],
    env: &[(&str, &std::path::Path)],
) -> (String, String, bool) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_resou"));
    cmd.arg("sentiment").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8(out.stdout).expect("output is UTF-8"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

#[test]
fn cli_scores_stdin_lines_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let input = "这个产品真的太好用了[赞]\n\n不好\n垃圾，退钱！\r\n";
    let (out, err, ok) = run_cli(input.as_bytes(), &[], &[("XDG_CONFIG_HOME", dir.path())]);
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        4,
        "one object per input line, empty ones too: {out}"
    );
    assert_eq!(lines[0]["label"], "pos");
    assert!(
        lines[0]["why"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "[赞] +1.00")
    );
    assert_eq!(
        lines[1],
        serde_json::json!({"label":"neu","score":0.0,"why":[]})
    );
    assert_eq!(lines[2]["label"], "neg");
    assert_eq!(lines[3]["label"], "neg");
    let s = lines[3]["score"].as_f64().unwrap();
    assert!(s > -1.0 && s < 0.0);
}

#[test]
fn cli_survives_hostile_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut input: Vec<u8> = Vec::new();
    input.extend_from_slice(b"\x1b[31m\xe5\x9e\x83\xe5\x9c\xbe\x1b[0m\n"); // ESC + 垃圾
    input.extend_from_slice("\u{202e}好评\u{202c}\u{200b}\n".as_bytes()); // bidi override
    input.extend_from_slice(b"\xff\xfe\xc3(\xe5\x9e\n"); // invalid UTF-8
    input.extend_from_slice(b"\x00\x07\x08\n");
    input.extend_from_slice("[[[[[[[[[]]]]]] ####@@@@//@//@ 回复 http://".as_bytes());
    input.push(b'\n');
    input.extend(std::iter::repeat_n(b'a', 200_000)); // a very long line, no newline at the end
    let (out, err, ok) = run_cli(&input, &[], &[("XDG_CONFIG_HOME", dir.path())]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 6, "{out}");
    assert!(
        !out.chars().any(|c| c.is_control() && c != '\n'),
        "no control char reaches the output"
    );
    assert!(!out.contains('\u{202e}') && !out.contains('\u{200b}'));
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["label"], "neg");
    let second: serde_json::Value = serde_json::from_str(out.lines().nth(1).unwrap()).unwrap();
    assert_eq!(second["label"], "pos");
}

#[test]
fn cli_reads_the_user_lexicon_and_names_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("resou");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("sentiment.txt"), "旺仔味 2\n").unwrap();
    let env = [("XDG_CONFIG_HOME", dir.path())];
    let (out, _, ok) = run_cli("旺仔味\n".as_bytes(), &[], &env);
    assert!(ok);
    assert!(out.contains("\"pos\""), "{out}");
    let (out, _, ok) = run_cli("旺仔味\n".as_bytes(), &["--no-user-lexicon"], &env);
    assert!(ok);
    assert!(out.contains("\"neu\""), "{out}");
    std::fs::write(conf.join("sentiment.txt"), "旺仔味 2\n坏 x\n").unwrap();
    let (_, err, ok) = run_cli(b"x\n", &[], &env);
    assert!(!ok);
    assert!(err.contains("sentiment.txt:2:"), "{err}");
}

// ---------- the gold set ----------

fn gold() -> Vec<eval::Gold> {
    eval::parse_gold(GOLD).expect("gold set parses")
}

#[test]
fn gold_set_is_as_documented() {
    let g = gold();
    assert!(g.len() >= 600);
    let ids: std::collections::HashSet<_> = g.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids.len(), g.len(), "ids are unique");
    let test = g.iter().filter(|x| x.split == Split::Test).count();
    let train = g.len() - test;
    assert!(
        train.abs_diff(test) <= g.len() / 20,
        "about half held out: {train}/{test}"
    );
}

#[test]
fn band_chosen_on_training_half() {
    let g = gold();
    let bands: Vec<f32> = (1..=12).map(|i| i as f32 * 0.05).collect();
    let sweep = eval::sweep_band(&g, Split::Train, &Scorer::new(), &bands);
    println!("τ sweep on the training half (macro-F1, accuracy):");
    for (b, f1, acc) in &sweep {
        println!(
            "  τ = {b:.2}: macro-F1 {f1:.3}, accuracy {:.1} %",
            acc * 100.0
        );
    }
    let best = sweep.iter().map(|s| s.1).fold(f64::MIN, f64::max);
    let chosen = sweep
        .iter()
        .find(|s| (s.0 - NEUTRAL_BAND).abs() < 1e-6)
        .expect("NEUTRAL_BAND is one of the swept values");
    assert!(
        chosen.1 >= best - 1e-9,
        "NEUTRAL_BAND {NEUTRAL_BAND} is not the training-half optimum ({best:.3})"
    );
}

#[test]
fn held_out_beats_the_majority_baseline() {
    let g = gold();
    let e = eval::evaluate(&g, &Scorer::new());
    println!("{e}");
    assert_eq!(e.n_test + e.n_train, g.len());
    assert!(
        e.lexicon.accuracy() > e.majority.accuracy(),
        "lexicon accuracy {:.3} vs majority {:.3}",
        e.lexicon.accuracy(),
        e.majority.accuracy()
    );
    assert!(e.lexicon.macro_f1() > e.majority.macro_f1());
}

/// Tuning aid, training half only: what the lexicon gets wrong there.
/// `cargo test --test sentiment -- --ignored train_errors --nocapture`
#[test]
#[ignore]
fn train_errors() {
    let s = Scorer::new();
    for g in gold().iter().filter(|g| g.split == Split::Train) {
        let r = s.score(&g.text);
        if r.label != g.label {
            let t: String = g.text.plain.chars().take(90).collect();
            println!(
                "{} gold {} got {} {:+.2} {:?} | {}",
                g.id,
                g.label.as_str(),
                r.label.as_str(),
                r.score,
                r.why,
                t.replace('\n', " ")
            );
        }
    }
}
