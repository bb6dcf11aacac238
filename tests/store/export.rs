//! Export formats against golden files (tests/fixtures/export/, see NOTES.md), format
//! validity checked independently of the goldens, and the headless `resou export` command.
//! `RESOU_BLESS=1 cargo test --test store export::` rewrites the goldens after a deliberate change.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, FixedOffset};
use resou::domain::Platform;
use resou::export::{ExportRow, Format, export};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/export")
        .join(name)
}

fn golden(name: &str, actual: &str) {
    let path = fixture(name);
    if std::env::var_os("RESOU_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(actual, expected, "output differs from {}", path.display());
}

fn time(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Two real rows of the Weibo list of 2026-08-15 14:00 and one reconstructed title carrying
/// every character the formats must escape (NOTES.md).
fn rows() -> Vec<ExportRow> {
    vec![
        ExportRow {
            title: "旺旺 配料表".into(),
            platform: Platform::Weibo,
            url: Some("https://s.weibo.com/weibo?q=%E6%97%BA%E6%97%BA%20%E9%85%8D%E6%96%99%E8%A1%A8&t=31&band_rank=1&Refer=top".into()),
            keywords: vec!["配料表".into(), "旺旺".into()],
            kols: vec!["人民日报".into()],
            note: Some("品牌方已回应，跟进舆情".into()),
            first_seen: Some(time("2026-08-15T14:00:00+08:00")),
            peak_rank: Some(1),
            peak_heat: Some(1_762_946),
            flagged: true,
            story: Vec::new(),
        },
        ExportRow {
            title: "牛来票房暴涨1000倍".into(),
            platform: Platform::Weibo,
            url: Some("https://s.weibo.com/weibo?q=%E7%89%9B%E6%9D%A5%E7%A5%A8%E6%88%BF%E6%9A%B4%E6%B6%A81000%E5%80%8D&t=31&band_rank=2&Refer=top".into()),
            keywords: vec![],
            kols: vec![],
            note: None,
            first_seen: Some(time("2026-08-15T14:00:00+08:00")),
            peak_rank: Some(2),
            peak_heat: Some(1_407_592),
            flagged: false,
            story: Vec::new(),
        },
        ExportRow {
            title: "王嘉尔回应\"吃瓜\", 网友|笑疯".into(),
            platform: Platform::Tieba,
            url: None,
            keywords: vec!["王嘉尔".into(), "-吃瓜".into()],
            kols: vec![],
            note: Some("=HYPERLINK(\"http://x\")\n第二行\u{1b}[31m红\u{7}\\".into()),
            first_seen: None,
            peak_rank: None,
            peak_heat: None,
            flagged: true,
            story: Vec::new(),
        },
    ]
}

#[test]
fn markdown_golden_and_shape() {
    let out = export(&rows(), Format::Markdown);
    golden("rows.md", &out);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2 + 3, "header, rule, one line per row");
    for l in &lines {
        // Unescaped pipes delimit exactly 10 cells.
        let unescaped = l
            .replace("\\\\", "")
            .replace("\\|", "")
            .matches('|')
            .count();
        assert_eq!(unescaped, 12, "{l}");
        assert!(!l.chars().any(|c| c.is_control()), "{l:?}");
    }
    assert!(out.contains("网友\\|笑疯"));
}

/// A minimal RFC 4180 reader, to check the CSV parses back to the cells.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = s.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR must start CRLF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("bare LF line end"),
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "last record ends with CRLF"
    );
    records
}

#[test]
fn csv_golden_quoting_and_formula_guard() {
    let out = export(&rows(), Format::Csv);
    golden("rows.csv", &out);
    let recs = parse_csv(&out);
    assert_eq!(recs.len(), 4);
    assert!(recs.iter().all(|r| r.len() == 11));
    assert_eq!(recs[0][0], "title");
    assert_eq!(
        recs[3][0], "王嘉尔回应\"吃瓜\", 网友|笑疯",
        "round trips through quoting"
    );
    assert!(
        recs[3][5].starts_with("'=HYPERLINK"),
        "formula guarded: {}",
        recs[3][5]
    );
    assert_eq!(
        recs[3][3], "王嘉尔; -吃瓜",
        "only a cell's start is guarded"
    );
    assert!(!recs[3][5].chars().any(|c| c.is_control()));
    assert_eq!(recs[1][8], "1762946");
}

#[test]
fn json_golden_keys_in_order_and_rfc3339() {
    let out = export(&rows(), Format::Json);
    golden("rows.json", &out);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}"));
    let arr = v.as_array().unwrap_or_else(|| panic!("an array"));
    assert_eq!(arr.len(), 3);
    let first_seen = arr[0]["first_seen"].as_str().unwrap_or_default();
    assert_eq!(time(first_seen), time("2026-08-15T14:00:00+08:00"));
    assert!(arr[2]["first_seen"].is_null());
    assert_eq!(arr[2]["platform"], "tieba");
    let note = arr[2]["note"].as_str().unwrap_or_default();
    assert!(!note.chars().any(|c| c.is_control()), "{note:?}");
    // Stable key order: the order of the first object's keys in the text.
    let keys = [
        "title",
        "platform",
        "url",
        "keywords",
        "kols",
        "note",
        "first_seen",
        "peak_rank",
        "peak_heat",
        "flagged",
        "story",
    ];
    let first_obj = out.split('}').next().unwrap_or_default();
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| {
            first_obj
                .find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("{k}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[test]
fn empty_export_is_header_only() {
    assert_eq!(export(&[], Format::Json), "[]\n");
    assert_eq!(export(&[], Format::Csv).lines().count(), 1);
    assert_eq!(export(&[], Format::Markdown).lines().count(), 2);
}

fn resou(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_resou"))
        .args(args)
        // The command must not depend on the user's data dir.
        .env("XDG_DATA_HOME", "/nonexistent-resou-test")
        .output()
        .unwrap_or_else(|e| panic!("running resou: {e}"))
}

#[test]
fn headless_export_flagged_markdown_to_stdout() {
    let triage = fixture("triage.json");
    let out = resou(&[
        "export",
        "--flagged",
        "--format",
        "md",
        "--triage",
        triage.to_str().unwrap_or_default(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{e}"));
    golden("flagged.md", &text);
    assert!(!text.contains("牛来票房暴涨1000倍"), "an unflagged topic");
}

#[test]
fn headless_export_all_json_to_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dest = dir.path().join("all.json");
    let triage = fixture("triage.json");
    let out = resou(&[
        "export",
        "--format",
        "json",
        "--triage",
        triage.to_str().unwrap_or_default(),
        "--out",
        dest.to_str().unwrap_or_default(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&dest).unwrap_or_else(|e| panic!("{e}"));
    golden("all.json", &text);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.as_array().map(|a| a.len()), Some(3));
}

#[test]
fn headless_export_corrupt_triage_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bad = dir.path().join("triage.json");
    std::fs::write(&bad, "{\n  \"topics\": 7\n}\n").unwrap_or_else(|e| panic!("{e}"));
    let out = resou(&["export", "--triage", bad.to_str().unwrap_or_default()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(bad.to_str().unwrap_or_default()) && err.contains("line 2"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // The file is left as it was.
    assert_eq!(
        std::fs::read_to_string(&bad).ok().as_deref(),
        Some("{\n  \"topics\": 7\n}\n")
    );
}
