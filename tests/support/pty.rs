//! The built binary in a pseudo-terminal, as a user runs it: output is recorded raw and fed
//! to a terminal emulator at frame boundaries; waits have deadlines, never sleeps.

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub struct Session {
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    pub writer: Box<dyn Write + Send>,
    rx: mpsc::Receiver<Vec<u8>>,
    parser: vt100::Parser,
    pub raw: Vec<u8>,
    /// Bytes received after the last complete frame (not yet shown to the emulator).
    pending: Vec<u8>,
    pub dir: tempfile::TempDir,
}

/// End of a synchronized update: the app wraps every frame in one, so the screen is only
/// inspected at frame boundaries, never half drawn.
pub const FRAME_END: &[u8] = b"\x1b[?2026l";

impl Session {
    pub fn start(args: &[&str], cols: u16, rows: u16) -> Session {
        Session::start_env(args, &[], cols, rows)
    }

    pub fn start_env(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Session {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_resou"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        // Keep the user's config and logs out of the test.
        for var in [
            "XDG_CONFIG_HOME",
            "XDG_STATE_HOME",
            "XDG_DATA_HOME",
            "XDG_CACHE_HOME",
        ] {
            cmd.env(var, dir.path());
        }
        cmd.env_remove("RESOU_WEIBO_COOKIE");
        // Links go out as OSC 52 only: no native clipboard tool is started by a test.
        cmd.env("RESOU_CLIPBOARD", "osc52");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn resou");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _master = pair.master; // keep the pty open while reading
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Session {
            child,
            writer,
            rx,
            parser: vt100::Parser::new(rows, cols, 0),
            raw: Vec::new(),
            pending: Vec::new(),
            dir,
        }
    }

    pub fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Feed output until `cond(screen)` holds or the deadline passes.
    pub fn wait_for(&mut self, what: &str, timeout: Duration, cond: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + timeout;
        while !cond(&self.screen()) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(bytes) => self.feed_frames(&bytes),
                Err(_) => panic!("timed out waiting for {what}; screen:\n{}", self.screen()),
            }
        }
    }

    /// Record output; show the emulator everything up to the last complete frame.
    pub fn feed_frames(&mut self, bytes: &[u8]) {
        self.raw.extend_from_slice(bytes);
        self.pending.extend_from_slice(bytes);
        let end = self
            .pending
            .windows(FRAME_END.len())
            .rposition(|w| w == FRAME_END);
        if let Some(i) = end {
            let complete: Vec<u8> = self.pending.drain(..i + FRAME_END.len()).collect();
            self.parser.process(&complete);
        }
    }

    pub fn press(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write key");
        self.writer.flush().expect("flush");
    }

    /// Drain output until the process exits; returns its exit status.
    pub fn wait_exit(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                while let Ok(bytes) = self.rx.recv_timeout(Duration::from_millis(200)) {
                    self.feed_frames(&bytes);
                }
                // After exit everything counts, including the restore sequences.
                let rest = std::mem::take(&mut self.pending);
                self.parser.process(&rest);
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "resou did not exit; screen:\n{}",
                self.screen()
            );
            if let Ok(bytes) = self.rx.recv_timeout(Duration::from_millis(50)) {
                self.feed_frames(&bytes);
            }
        }
    }

    pub fn assert_restored(&self) {
        let tail = String::from_utf8_lossy(&self.raw);
        let leave = tail
            .rfind("\x1b[?1049l")
            .expect("left the alternate screen");
        let enter = tail
            .rfind("\x1b[?1049h")
            .expect("entered the alternate screen");
        assert!(leave > enter, "alternate screen left after the last entry");
        assert!(
            tail[leave..].contains("\x1b[?25h")
                || tail[..leave].rfind("\x1b[?25h") > tail.rfind("\x1b[?25l"),
            "cursor shown again"
        );
        assert!(
            !self.parser.screen().alternate_screen(),
            "back on the main screen"
        );
    }
}
