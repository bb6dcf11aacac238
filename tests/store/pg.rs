//! Throwaway PostgreSQL servers for tests.
//!
//! Without `RESOU_TEST_PG`, a test process starts its own cluster: `initdb` into a temporary
//! directory, `pg_ctl start` on 127.0.0.1 at a free port with the socket in that directory.
//! `initdb` refuses to run as root, so as root every server command runs as the `postgres`
//! user (`runuser -u postgres --`) on a directory chowned to it.
//!
//! Cleanup: each cluster has a watchdog shell (as the server's user) blocked reading a pipe
//! from this process. Dropping the cluster, or this process ending in any way (the shared
//! cluster lives in a static, which is never dropped), closes the pipe; the watchdog then
//! stops the server and deletes the directory.
//!
//! With `RESOU_TEST_PG=postgres://…` that server is used instead (each test creates and drops
//! its own database there, so the role needs CREATEDB).
//!
//! When no server can be had, tests print `SKIPPED: <test>: <reason>` and return, unless
//! `RESOU_REQUIRE_PG=1` (set by `.ci/run`), which turns the skip into a failure.
#![allow(dead_code)] // each test crate uses a different subset

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The password of the test clusters' superuser. Tests check it never shows in messages.
pub const PASSWORD: &str = "resou-Secr3t-pw";
const USER: &str = "resou";

/// A running throwaway cluster.
pub struct PgCluster {
    dir: PathBuf,
    bin: PathBuf,
    /// `Some("postgres")` when running as root: server commands run as that user.
    run_as: Option<String>,
    port: u16,
    /// Closing this (on drop or exit) makes the watchdog stop the server and remove `dir`.
    watchdog_pipe: Option<ChildStdin>,
    watchdog: Option<Child>,
}

impl PgCluster {
    /// initdb + pg_ctl start. `Err` says why no server could be started.
    pub fn start() -> Result<PgCluster, String> {
        let bin = find_bin_dir()?;
        let run_as = if is_root() {
            user_ids("postgres").ok_or(
                "running as root and there is no `postgres` user for initdb \
                 (create one: useradd -r postgres), or set RESOU_TEST_PG",
            )?;
            Some("postgres".to_string())
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("resou-pg-")
            .tempdir()
            .map_err(|e| format!("tempdir: {e}"))?
            .keep();
        if let Some(user) = &run_as {
            let (uid, gid) = user_ids(user).ok_or("no uid for postgres")?;
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        }
        let mut cluster = PgCluster {
            dir,
            bin,
            run_as,
            port: 0,
            watchdog_pipe: None,
            watchdog: None,
        };
        cluster.spawn_watchdog()?;
        cluster.init()?;
        // A port can be taken between probing and binding; try a few.
        let mut last = String::new();
        for _ in 0..3 {
            cluster.port = free_port()?;
            match cluster.pg_ctl(&[
                "start",
                "-w",
                "-t",
                "60",
                "-l",
                "log",
                "-o",
                &cluster.options(),
            ]) {
                Ok(()) => return Ok(cluster),
                Err(e) => last = e,
            }
        }
        Err(format!(
            "pg_ctl start failed: {last}; log: {}",
            cluster.log_tail()
        ))
    }

    /// The superuser's URL for `db`, password included.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{db}", self.port)
    }

    /// `pg_ctl restart -m fast`: every client connection is terminated.
    pub fn restart(&self) -> Result<(), String> {
        self.pg_ctl(&[
            "restart",
            "-m",
            "fast",
            "-w",
            "-t",
            "60",
            "-l",
            "log",
            "-o",
            &self.options(),
        ])
    }

    fn options(&self) -> String {
        format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
            self.port,
            self.dir.display()
        )
    }

    fn init(&self) -> Result<(), String> {
        std::fs::write(self.dir.join("pw"), PASSWORD).map_err(|e| format!("pwfile: {e}"))?;
        if let Some(user) = &self.run_as {
            let (uid, gid) = user_ids(user).ok_or("no uid for postgres")?;
            let _ = std::os::unix::fs::chown(self.dir.join("pw"), Some(uid), Some(gid));
        }
        let data = self.dir.join("data");
        let args = [
            "-D",
            path_str(&data)?,
            "-U",
            USER,
            "--pwfile=pw",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ];
        self.run(&self.bin.join("initdb"), &args)
    }

    fn pg_ctl(&self, args: &[&str]) -> Result<(), String> {
        let data = self.dir.join("data");
        let mut all = vec!["-D", path_str(&data)?];
        all.extend_from_slice(args);
        self.run(&self.bin.join("pg_ctl"), &all)
    }

    /// Run a server program (as the server's user), in the cluster directory.
    fn run(&self, program: &Path, args: &[&str]) -> Result<(), String> {
        let out = self
            .command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", program.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} {}: {}{}",
                program.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    fn command(&self, program: &Path) -> Command {
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(program);
                c
            }
            None => Command::new(program),
        };
        cmd.current_dir(&self.dir);
        cmd
    }

    fn spawn_watchdog(&mut self) -> Result<(), String> {
        let script = r#"read _ignored; "$1/pg_ctl" -D "$2/data" stop -m fast -w >/dev/null 2>&1; rm -rf "$2""#;
        let mut child = self
            .command(Path::new("/bin/sh"))
            .args([
                "-c",
                script,
                "sh",
                path_str(&self.bin)?,
                path_str(&self.dir)?,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("watchdog: {e}"))?;
        self.watchdog_pipe = child.stdin.take();
        self.watchdog = Some(child);
        Ok(())
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().rev().take(10).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        // EOF on the pipe: the watchdog stops the server and removes the directory.
        if let Some(mut pipe) = self.watchdog_pipe.take() {
            let _ = pipe.flush();
        }
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.wait();
        }
    }
}

/// The server tests share: `RESOU_TEST_PG`, or one cluster per test process.
enum Shared {
    External(url::Url),
    Own(PgCluster),
}

fn shared() -> Result<&'static Shared, String> {
    static SHARED: OnceLock<Result<Shared, String>> = OnceLock::new();
    SHARED
        .get_or_init(|| match std::env::var("RESOU_TEST_PG") {
            Ok(url) if !url.trim().is_empty() => url::Url::parse(url.trim())
                .map(Shared::External)
                .map_err(|e| format!("RESOU_TEST_PG is not a URL: {e}")),
            _ => PgCluster::start().map(Shared::Own),
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// A database of its own for one test on the shared server; dropped with the value.
pub struct TestDb {
    pub url: String,
    admin_url: String,
    name: String,
}

impl TestDb {
    pub fn create() -> Result<TestDb, String> {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "resou_test_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let (admin_url, url) = match shared()? {
            Shared::Own(c) => (c.url("postgres"), c.url(&name)),
            Shared::External(u) => {
                let mut db = u.clone();
                db.set_path(&name);
                (u.to_string(), db.to_string())
            }
        };
        admin(&admin_url, &format!("CREATE DATABASE {name}"))?;
        Ok(TestDb {
            url,
            admin_url,
            name,
        })
    }
}

impl TestDb {
    /// The host as written in the URL (what messages should name).
    pub fn host(&self) -> String {
        url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// Panic if `shown` contains the server's password (when it has one).
    pub fn assert_no_password(&self, shown: &str) {
        let pw = url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.password().map(str::to_string))
            .unwrap_or_default();
        let pw = percent_encoding::percent_decode_str(&pw).decode_utf8_lossy();
        assert!(
            pw.is_empty() || !shown.contains(&*pw),
            "password shown in: {shown}"
        );
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = admin(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// Run one statement as the administrator. Errors never include the URL.
pub fn admin(url: &str, sql: &str) -> Result<(), String> {
    let mut c = postgres::Client::connect(url, postgres::NoTls)
        .map_err(|e| format!("connect to the test server: {e}"))?;
    c.batch_execute(sql).map_err(|e| format!("{sql}: {e}"))
}

/// A fresh database for `test`, or `None` after printing why the test is skipped.
pub fn db_or_skip(test: &str) -> Option<TestDb> {
    skip_on_err(test, TestDb::create())
}

/// A cluster of the test's own (for restarts), or `None` after printing why it is skipped.
/// With `RESOU_TEST_PG` set a private cluster is still started: an external server cannot be
/// restarted by a test.
pub fn cluster_or_skip(test: &str) -> Option<PgCluster> {
    skip_on_err(test, PgCluster::start())
}

fn skip_on_err<T>(test: &str, r: Result<T, String>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(reason) => {
            if std::env::var("RESOU_REQUIRE_PG").is_ok_and(|v| v == "1") {
                panic!(
                    "{test}: PostgreSQL required (RESOU_REQUIRE_PG=1) but unavailable: {reason}"
                );
            }
            eprintln!("SKIPPED: {test}: {reason}");
            None
        }
    }
}

fn is_root() -> bool {
    // The owner of /proc/self is this process's effective uid.
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn user_ids(user: &str) -> Option<(u32, u32)> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, user]).output().ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    Some((id("-u")?, id("-g")?))
}

/// The directory holding `initdb` and `pg_ctl`: from PATH, else the newest
/// `/usr/lib/postgresql/*/bin` (Debian's packages do not put them on PATH).
fn find_bin_dir() -> Result<PathBuf, String> {
    let has_both = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if has_both(&d) {
                return Ok(d);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, d)| has_both(d))
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, d)| d)
        .ok_or_else(|| "no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin".to_string())
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("local addr: {e}"))
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str()
        .ok_or_else(|| format!("non-UTF-8 path {}", p.display()))
}
