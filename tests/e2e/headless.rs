//! Helpers for the headless command tests: fixture lists, running the built binary, goldens.
#![allow(dead_code)] // each test crate uses a different subset

use std::path::{Path, PathBuf};
use std::process::Output;

use resou::domain::snapshot_file::{SnapshotLine, read_lines};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/headless")
        .join(name)
}

/// The fixture lists of one platform (two lists each, see NOTES.md).
pub fn lists(name: &str) -> Vec<SnapshotLine> {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    read_lines(text.as_bytes(), &path.display().to_string()).expect("fixture lists")
}

/// Run the built binary with `args` (off the async runtime, so the in-process server keeps
/// answering), with the user's config, state and cookies kept out.
pub async fn resou(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let envs: Vec<(String, String)> = envs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let home = tempfile::tempdir().expect("tempdir");
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_resou"));
        cmd.args(&args);
        for var in [
            "XDG_CONFIG_HOME",
            "XDG_STATE_HOME",
            "XDG_DATA_HOME",
            "XDG_CACHE_HOME",
        ] {
            cmd.env(var, home.path());
        }
        cmd.env_remove("RESOU_WEIBO_COOKIE");
        cmd.env_remove("RESOU_TIEBA_COOKIE");
        for (k, v) in &envs {
            cmd.env(k, v);
        }
        cmd.output().expect("run resou")
    })
    .await
    .expect("join")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 stdout")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Compare `actual` with `tests/golden/<name>`; `UPDATE_GOLDEN=1` rewrites the file instead.
/// A mismatch fails with the differing lines.
pub fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if expected == actual {
        return;
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (
        expected.split_inclusive('\n').collect(),
        actual.split_inclusive('\n').collect(),
    );
    let mut diff = String::new();
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            if let Some(x) = x {
                diff.push_str(&format!("{:>4} - {x:?}\n", i + 1));
            }
            if let Some(y) = y {
                diff.push_str(&format!("{:>4} + {y:?}\n", i + 1));
            }
        }
    }
    panic!("{} differs from the output:\n{diff}", path.display());
}
