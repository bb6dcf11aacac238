//! The HTML report in a real browser: headless Chromium screenshots it at desktop and phone
//! widths (kept under target/test-artefacts/report/ to look at) and dumps the DOM it built,
//! whose structure is checked. Without Chromium the test says `SKIPPED: no chromium`, unless
//! RESOU_REQUIRE_CHROMIUM=1 (set by .ci/run), which makes that a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use resou::report::{self, Options, PeriodSpec, Report, SECTIONS, Schedule, render_html};

use crate::support::{self, FLAGGED, time};

const CHROMIUM: &str = "/usr/bin/chromium";

fn artefacts() -> PathBuf {
    // CARGO_TARGET_TMPDIR is <target>/tmp.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artefacts/report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Chromium with nothing of its own reaching out (no sync, updates, background fetches) and
/// every request sent to a closed local port: a page that needed the network would show it.
fn chromium(profile: &Path, args: &[String]) -> std::process::Output {
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--proxy-server=http://127.0.0.1:9",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .unwrap()
}

/// The text between `<section id="{id}"` and its `</section>`.
fn section<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = dom[start..].find("</section>").unwrap() + start;
    &dom[start..end]
}

#[test]
fn the_html_report_renders_in_headless_chromium_at_desktop_and_phone_widths() {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var("RESOU_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "RESOU_REQUIRE_CHROMIUM=1 but {CHROMIUM} is missing"
        );
        println!("SKIPPED: no chromium");
        return;
    }
    let store = support::open_store();
    // The Weibo evening (flags, dynamics, rising keywords) and the eleven-list morning
    // (cross-platform events).
    for (name, span, until) in [
        ("evening", "11h", "2026-08-15T23:00:00+08:00"),
        ("morning", "3h", support::ELEVEN_TO),
    ] {
        let period = PeriodSpec::parse(span)
            .unwrap()
            .ending_at(time(until), &Schedule::default());
        let r = report::build(&store, &period, &Options::default()).unwrap();
        if name == "evening" {
            assert!(r.flagged.iter().any(|f| f.title == FLAGGED) && !r.dynamics.is_empty());
        } else {
            assert!(r.events.len() >= 2, "{:#?}", r.events);
        }
        check(name, &r);
    }
}

fn check(name: &str, r: &Report) {
    let html = render_html(r);
    // Self-contained: nothing to fetch, nothing to run.
    for outside in [
        "<script", "<link", "<img", "src=", "url(", "@import", "http://", "https://",
    ] {
        assert!(!html.contains(outside), "{name}: the page holds {outside}");
    }
    let dir = artefacts();
    let page = dir.join(format!("report-{name}.html"));
    std::fs::write(&page, &html).unwrap();
    let url = format!("file://{}", page.display());

    for (width, size) in [("desktop", "1280,900"), ("phone", "390,844")] {
        let profile = tempfile::tempdir().unwrap();
        let png = dir.join(format!("report-{name}-{width}.png"));
        let _ = std::fs::remove_file(&png);
        let out = chromium(
            profile.path(),
            &[
                format!("--window-size={size}"),
                format!("--screenshot={}", png.display()),
                url.clone(),
            ],
        );
        let bytes = std::fs::read(&png).unwrap_or_else(|e| {
            panic!(
                "{name} {width}: no screenshot ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name} {width}: a PNG");
        // Width and height from the IHDR chunk.
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        let want: Vec<u32> = size.split(',').map(|n| n.parse().unwrap()).collect();
        assert_eq!((w, h), (want[0], want[1]), "{name} {width}");
        // A blank page compresses to a few KB; text and tables do not.
        assert!(
            bytes.len() > 20_000,
            "{name} {width}: {} bytes, nearly blank",
            bytes.len()
        );
    }

    for size in ["1280,900", "390,844"] {
        let profile = tempfile::tempdir().unwrap();
        let out = chromium(
            profile.path(),
            &[
                format!("--window-size={size}"),
                "--dump-dom".into(),
                url.clone(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dom = String::from_utf8(out.stdout).unwrap();
        for (id, zh, en) in SECTIONS {
            let s = section(&dom, id);
            assert!(
                s.contains(&format!("<h2>{zh} <span class=\"en\">{en}</span>")),
                "{name}: {id}"
            );
        }
        let rows = |id: &str| section(&dom, id).matches("<tr>").count();
        // A header row and one per item, or no table when there are none.
        let table = |n: usize| if n == 0 { 0 } else { n + 1 };
        assert_eq!(rows("overview"), table(r.overview.len()), "{name}");
        assert_eq!(rows("top"), table(r.top.len()), "{name}");
        assert_eq!(rows("new"), table(r.new_entries.len()), "{name}");
        assert_eq!(rows("rising"), table(r.rising.len()), "{name}");
        assert_eq!(rows("flagged"), table(r.flagged.len()), "{name}");
        assert_eq!(rows("dynamics"), table(r.dynamics.len()), "{name}");
        let events = section(&dom, "events");
        assert_eq!(events.matches("<li><b>").count(), r.events.len(), "{name}");
        let steps: usize = r.events.iter().map(|e| e.spread.len()).sum();
        assert_eq!(
            events.matches("<span class=\"step\">").count(),
            steps,
            "{name}"
        );
        assert_eq!(
            section(&dom, "watch").matches("<li>").count(),
            r.watch.len(),
            "{name}"
        );
        for f in &r.flagged {
            assert!(section(&dom, "flagged").contains(&f.title));
        }
        // The browser built no element that loads anything.
        for tag in ["<script", "<link", "<img", "<iframe"] {
            assert!(!dom.contains(tag), "{name}: {tag}");
        }
    }
}
