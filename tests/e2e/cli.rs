//! The binary's command line: help, version, import, and clear errors for bad input.

use std::process::Command;

fn resou(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_resou"))
        .args(args)
        .env("XDG_CONFIG_HOME", dir)
        .env("XDG_STATE_HOME", dir)
        .env_remove("RESOU_WEIBO_COOKIE")
        .output()
        .expect("run resou")
}

#[test]
fn help_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = resou(&["--help"], dir.path());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for flag in [
        "--demo",
        "--demo-speed",
        "--origin",
        "--config",
        "--interval",
        "--platform",
        "Examples:",
    ] {
        assert!(help.contains(flag), "help mentions {flag}");
    }
    let out = resou(&["--version"], dir.path());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("resou {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_config_names_file_and_line_before_touching_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[general]\ninterval_secs = 60\npoll = 3\n").unwrap();
    let out = resou(&["--config", cfg.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:3:", cfg.display())), "{err}");
    assert!(err.contains("unknown field `poll`"), "{err}");
    assert!(out.stdout.is_empty(), "no escape sequences written");
}

#[test]
fn bad_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = resou(&["--platform", "myspace"], dir.path());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown platform `myspace`"));
    let out = resou(&["--origin", "http://127.0.0.1:9/x"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must not have a path"));
}

#[test]
fn import_converts_archives_to_snapshot_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("lists.jsonl.gz");
    let archives = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/archives");
    let out = resou(
        &[
            "import",
            "--platform",
            "tieba",
            "--out",
            out_file.to_str().unwrap(),
            archives,
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = resou::import::read_jsonl(&out_file).expect("readable output");
    assert!(!lines.is_empty());
    assert!(
        lines
            .iter()
            .all(|l| l.platform == resou::domain::Platform::Tieba)
    );
    assert!(
        lines
            .windows(2)
            .all(|w| w[0].captured_at <= w[1].captured_at),
        "time order"
    );
    assert!(lines.iter().all(|l| {
        l.items
            .iter()
            .all(|i| !i.url.as_deref().unwrap_or("").contains("&amp;"))
    }));
}
