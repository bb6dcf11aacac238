//! KOL watchlist parsing, discovery and Aho–Corasick matching with original-offset spans.

use std::sync::OnceLock;

use resou::analysis::kol::{
    AccountRecord, AccountRole, Kol, KolMatcher, discover_kols, parse_kol_file,
};
use resou::analysis::{AnalysisConfig, Analyzer, highlight_spans};

fn kol(name: &str, aliases: &[&str]) -> Kol {
    Kol {
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        ..Kol::new(name)
    }
}

fn analyzer() -> &'static std::sync::Mutex<Analyzer> {
    static A: OnceLock<std::sync::Mutex<Analyzer>> = OnceLock::new();
    A.get_or_init(|| {
        let cfg = AnalysisConfig {
            kols: vec![
                kol("人民日报", &["人民网"]),
                kol("新华社", &[]),
                kol("Ame", &[]),
                kol("石平", &[]),
                Kol {
                    allow_short: true,
                    ..kol("汪峰", &[])
                },
                kol("央视", &[]),
                kol("央视新闻", &["CCTV新闻"]),
            ],
            ..AnalysisConfig::default()
        };
        std::sync::Mutex::new(Analyzer::new(&cfg))
    })
}

/// (name, matched original text) for each mention in `title`.
fn mentions(title: &str) -> Vec<(String, String)> {
    let mut a = analyzer().lock().unwrap();
    a.title_info(title, None)
        .kols
        .iter()
        .map(|m| (m.name.clone(), title[m.span.clone()].to_string()))
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

#[test]
fn names_and_aliases_with_original_spans() {
    assert_eq!(
        mentions("人民日报评人民网报道"),
        vec![pair("人民日报", "人民日报"), pair("人民日报", "人民网")]
    );
}

#[test]
fn leftmost_longest_prefers_the_longer_name() {
    // 央视 and 央视新闻 overlap: the longer one wins, once.
    assert_eq!(
        mentions("央视新闻报道台风"),
        vec![pair("央视新闻", "央视新闻")]
    );
}

#[test]
fn latin_case_insensitive_and_full_width_spans_map_back() {
    assert_eq!(mentions("AME 遗憾"), vec![pair("Ame", "AME")]);
    // Full-width input: the span covers the full-width original bytes.
    assert_eq!(mentions("ＡＭＥ遗憾离场"), vec![pair("Ame", "ＡＭＥ")]);
    assert_eq!(
        mentions("ｃｃｔｖ新闻直播"),
        vec![pair("央视新闻", "ｃｃｔｖ新闻")]
    );
}

#[test]
fn short_names_need_token_boundaries_unless_opted_in() {
    // 石平 is a two-character name: matched as a whole token …
    assert_eq!(mentions("汉奸石平参拜靖国神社"), vec![pair("石平", "石平")]);
    // … but not inside another word (岩石平台 = rock platform).
    assert!(mentions("岩石平台坍塌").is_empty());
    // 汪峰 opted in: matched even inside a longer run.
    assert_eq!(mentions("小汪峰们"), vec![pair("汪峰", "汪峰")]);
}

#[test]
fn kol_names_join_the_dictionary() {
    let mut a = analyzer().lock().unwrap();
    let info = a.title_info("人民日报评论员文章", None);
    assert!(
        info.terms.contains(&"人民日报".to_string()),
        "{:?}",
        info.terms
    );
}

#[test]
fn matcher_without_kols_finds_nothing() {
    let m = KolMatcher::new(Vec::new());
    let n = resou::domain::normalize::Normalized::new("人民日报");
    assert!(m.find(&n, |_| true).is_empty());
}

#[test]
fn highlight_spans_in_original_offsets() {
    let title = "ＣＨＩＮＡ旺旺 配料表";
    let spans = highlight_spans(title, &["china", "旺旺", "旺旺 配料"]);
    let got: Vec<&str> = spans.iter().map(|r| &title[r.clone()]).collect();
    assert_eq!(got, vec!["ＣＨＩＮＡ旺旺 配料"]);
    assert!(highlight_spans(title, &["不存在"]).is_empty());
}

#[test]
fn watchlist_parses_and_errors_name_file_and_line() {
    let text = r#"
[[kol]]
name = "新华社"
aliases = ["新华通讯社"]
weibo_uid = "1699432410"
note = "host"

[[kol]]
name = "汪峰"
allow_short = true
"#;
    let k = parse_kol_file(text, "kols.toml").unwrap();
    assert_eq!(k.len(), 2);
    assert_eq!(k[0].aliases, vec!["新华通讯社"]);
    assert_eq!(k[0].weibo_uid.as_deref(), Some("1699432410"));
    assert!(k[1].allow_short);

    let bad_field = "[[kol]]\nname = \"a\"\n\n[[kol]]\nname = \"b\"\nuid = 3\n";
    let e = parse_kol_file(bad_field, "k.toml").unwrap_err();
    assert_eq!((e.path.as_str(), e.line), ("k.toml", 6), "{e}");
    assert!(e.to_string().starts_with("k.toml:6:"), "{e}");

    let dup = "[[kol]]\nname = \"新华社\"\n\n[[kol]]\nname = \"新华社\"\n";
    let e = parse_kol_file(dup, "k.toml").unwrap_err();
    assert_eq!(e.line, 4, "{e}");
    assert!(e.msg.contains("duplicate"), "{e}");

    let empty = "[[kol]]\nname = \"  \"\n";
    assert_eq!(parse_kol_file(empty, "k.toml").unwrap_err().line, 1);
    let syntax = "[[kol]]\nname = \"x\nnote = 1\n";
    assert_eq!(parse_kol_file(syntax, "k.toml").unwrap_err().line, 2);
}

#[test]
fn shipped_example_watchlist_parses() {
    let text = include_str!("../../data/analysis/kols.example.toml");
    let k = parse_kol_file(text, "kols.example.toml").unwrap();
    assert!(k.iter().any(|k| k.name == "新华社"));
}

#[test]
fn discovery_from_topic_accounts() {
    let rec = |name: &str, uid: &str, vt: Option<i64>, role| AccountRecord {
        name: name.to_string(),
        uid: Some(uid.to_string()),
        verified_type: vt,
        role,
    };
    // Values from nateafish topic meta.json files (host + media_info.users).
    let records = vec![
        rec("新华社", "1699432410", None, AccountRole::Host),
        rec("台州晚报", "1941424392", Some(3), AccountRole::Media),
        rec("台州晚报", "1941424392", Some(3), AccountRole::Media),
        rec("路人甲", "1", Some(-1), AccountRole::Author),
        rec(
            "头条新闻\u{3000}",
            "1618051664",
            Some(3),
            AccountRole::Media,
        ),
        rec("人民日报", "2803301701", Some(3), AccountRole::Media),
    ];
    let known = vec![Kol {
        weibo_uid: Some("2803301701".into()),
        ..Kol::new("人民日报")
    }];
    let found = discover_kols(&records, &known);
    let names: Vec<&str> = found.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, vec!["新华社", "台州晚报", "头条新闻"]);
    assert_eq!(found[1].weibo_uid.as_deref(), Some("1941424392"));
    assert!(found[1].note.as_deref().unwrap_or("").contains("media"));
}
