//! Time from process spawn to the first complete frame on the terminal, measured in a
//! pseudo-terminal: the end of the first synchronized update (`ESC [ ? 2026 l`) marks it.
//! Run with `cargo bench --bench startup` (builds the release binary first).

use std::io::Read;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const FRAME_END: &[u8] = b"\x1b[?2026l";

fn time_to_first_frame(bin: &str, args: &[&str], dir: &std::path::Path) -> Duration {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 35,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("pty");
    let mut cmd = CommandBuilder::new(bin);
    cmd.args(args);
    cmd.env("TERM", "xterm-256color");
    for v in ["XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"] {
        cmd.env(v, dir);
    }
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).expect("spawn");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("reader");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let elapsed = loop {
        let n = reader.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break start.elapsed();
        }
        seen.extend_from_slice(&buf[..n]);
        if seen.windows(FRAME_END.len()).any(|w| w == FRAME_END) {
            break start.elapsed();
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    elapsed
}

fn startup(c: &mut Criterion) {
    let status = std::process::Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "resou"])
        .status()
        .expect("cargo build");
    assert!(status.success());
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/resou");
    let bin = bin.to_str().expect("utf-8 path").to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut g = c.benchmark_group("startup");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("first_frame_demo_120x35", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| time_to_first_frame(&bin, &["--demo"], dir.path()))
                .sum()
        })
    });
    g.finish();
}

criterion_group!(benches, startup);
criterion_main!(benches);
