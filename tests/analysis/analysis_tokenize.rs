//! Tokenisation of hot-list titles (trend-detection.md §3).

use std::sync::OnceLock;

use resou::analysis::{DictWord, Tokenizer};

/// Building jieba is slow; share one tokeniser across tests.
fn tok() -> &'static Tokenizer {
    static T: OnceLock<Tokenizer> = OnceLock::new();
    T.get_or_init(|| Tokenizer::new(&[], &[]))
}

fn terms(s: &str) -> Vec<String> {
    tok().tokenize(s).terms
}

#[test]
fn space_separated_queries_split_into_parts() {
    assert_eq!(terms("旺旺 配料表"), vec!["旺旺", "配料表"]);
    assert_eq!(terms("Ame 遗憾"), vec!["ame", "遗憾"]);
    // A full-width space (U+3000) separates parts too.
    assert_eq!(terms("日本\u{3000}拜鬼"), vec!["日本", "拜鬼"]);
}

#[test]
fn mixed_latin_and_cjk_lowercased() {
    assert_eq!(terms("中国China成为潮流"), vec!["中国", "china", "潮流"]);
}

#[test]
fn full_width_becomes_half_width() {
    let t = terms("ＡＢＣ全角１２３测试");
    assert!(t.contains(&"abc".to_string()), "{t:?}");
    assert!(
        !t.iter().any(|w| w.contains('Ａ') || w.contains('１')),
        "{t:?}"
    );
}

#[test]
fn hashtags_whole_title_and_embedded() {
    // A `#…#` title is the topic itself: tokenised, not kept whole.
    assert_eq!(terms("#台风白海豚#"), vec!["台风", "白海豚"]);
    // Hashtags inside post text are terms of their own, plus their words.
    let t = terms("刚看到#台风白海豚#的消息");
    assert_eq!(t[0], "台风白海豚");
    assert!(t.contains(&"消息".to_string()), "{t:?}");
}

#[test]
fn stop_words_numbers_punctuation_single_chars_dropped() {
    let t = terms("网友集体呼吁旺旺减糖");
    assert!(
        !t.contains(&"网友".to_string()) && !t.contains(&"集体".to_string()),
        "{t:?}"
    );
    assert!(t.contains(&"旺旺".to_string()));
    let t = terms("王传君体脂率25.5%！");
    assert!(
        t.iter().all(|w| w.chars().any(char::is_alphabetic)),
        "{t:?}"
    );
    assert!(!t.iter().any(|w| w.contains("25")), "{t:?}");
    // 看 is a one-character token: dropped.
    assert!(!terms("李雪琴看汪苏泷演唱会").contains(&"看".to_string()));
}

#[test]
fn user_dictionary_keeps_names_whole() {
    // Default jieba splits these (胖|东来, 汪苏|泷, 小泉|进|次郎); the shipped dictionary must not.
    let plain = resou::analysis::tokenize::base_segmenter();
    for (text, name) in [
        ("胖东来房东逻辑", "胖东来"),
        ("李雪琴看汪苏泷演唱会", "汪苏泷"),
    ] {
        assert!(
            !plain.cut(text, true).iter().any(|t| t.word == name),
            "{name}"
        );
    }
    assert!(terms("胖东来房东逻辑").contains(&"胖东来".to_string()));
    assert!(terms("李雪琴看汪苏泷演唱会").contains(&"汪苏泷".to_string()));
    let t = terms("日本防相小泉进次郎参拜靖国神社");
    assert!(t.contains(&"小泉进次郎".to_string()), "{t:?}");
    // jieba keeps these whole without help.
    assert!(t.contains(&"靖国神社".to_string()), "{t:?}");
}

#[test]
fn extra_words_and_single_char_whitelist() {
    let plain = tok().tokenize("雪王蜜雪冰城贵了").terms;
    let custom = Tokenizer::new(
        &[
            DictWord {
                word: "雪王".into(),
                freq: None,
                tag: None,
            },
            DictWord {
                word: "贵".into(),
                freq: None,
                tag: None,
            },
        ],
        &["了".into()],
    );
    let t = custom.tokenize("雪王蜜雪冰城贵了").terms;
    assert!(t.contains(&"雪王".to_string()), "{t:?}");
    assert!(
        t.contains(&"贵".to_string()),
        "whitelisted single char kept: {t:?}"
    );
    assert!(!plain.contains(&"贵".to_string()), "{plain:?}");
}

#[test]
fn boundaries_cover_token_edges() {
    let t = tok().tokenize("旺旺 配料表");
    assert!(t.is_boundary(0) && t.is_boundary("旺旺".len()));
    assert!(t.is_boundary("旺旺 ".len()) && t.is_boundary(t.norm.text.len()));
}
