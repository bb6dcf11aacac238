//! Secrets: user cookies never reach the log (even at trace level), recordings, snapshot
//! output or exports; files holding secrets must be private; and TLS verification is on with
//! no way around it — a self-signed HTTPS server on loopback is refused.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::sync::Arc;

use resou::domain::snapshot_file::read_lines;
use resou::sources::SourceError;
use resou::sources::http::{HttpClient, NetConfig, Profile};

const WEIBO_SECRET: &str = "SUB=_2A25Lweibosecret0123456789";
const TIEBA_SECRET: &str = "BDUSS=tiebasecret0123456789abcdef";

fn lists() -> (
    Vec<resou::domain::snapshot_file::SnapshotLine>,
    Vec<resou::domain::snapshot_file::SnapshotLine>,
) {
    read_lines(
        include_str!("../fixtures/store/lists.jsonl").as_bytes(),
        "lists.jsonl",
    )
    .unwrap()
    .into_iter()
    .partition(|l| l.platform == resou::domain::Platform::Weibo)
}

fn resou(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_resou"));
    c.env("XDG_DATA_HOME", dir)
        .env("XDG_STATE_HOME", dir)
        .env("XDG_CONFIG_HOME", dir)
        .env("RESOU_WEIBO_COOKIE", WEIBO_SECRET)
        .env("RESOU_TIEBA_COOKIE", TIEBA_SECRET)
        .env("RESOU_LOG", "trace");
    c
}

fn assert_clean(what: &str, text: &str) {
    for secret in [WEIBO_SECRET, TIEBA_SECRET] {
        let value = secret.split('=').nth(1).unwrap();
        assert!(!text.contains(value), "{what} holds a cookie value");
    }
}

#[test]
fn cookies_never_reach_logs_recordings_snapshots_or_exports() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (weibo, tieba) = lists();
    let server = rt.block_on(support::replay(weibo, tieba));
    // The platform sets cookies too; they must not be written either.
    server.set_reply_cookie(Some("SUB=_2A25Lserversetcookie987654".into()));
    let rec = dir.path().join("rec.jsonl");
    let log = dir.path().join("trace.log");
    let out = resou(dir.path())
        .args([
            "record",
            "--count",
            "1",
            "--interval",
            "0.2",
            "--origin",
            &server.origin(),
            "--out",
        ])
        .arg(&rec)
        .arg("--log-file")
        .arg(&log)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recording = std::fs::read_to_string(&rec).unwrap();
    assert!(recording.lines().count() >= 2, "something was recorded");
    assert_clean("the recording", &recording);
    assert!(
        !recording.contains("serversetcookie"),
        "the recording holds a Set-Cookie value"
    );
    let trace = std::fs::read_to_string(&log).unwrap();
    assert!(
        trace.contains("TRACE") || trace.contains("DEBUG"),
        "logged at trace level"
    );
    assert_clean("the trace log", &trace);
    assert_clean("stderr", &String::from_utf8_lossy(&out.stderr));

    // The cookies were really sent: the server saw them.
    let seen = server
        .last_headers(resou::replay::Route::HotSearch)
        .and_then(|h| {
            h.get("cookie")
                .map(|v| v.to_str().unwrap_or("").to_string())
        })
        .unwrap_or_default();
    assert!(
        seen.contains("weibosecret"),
        "the Weibo cookie went to the platform: {seen:?}"
    );

    for format in ["json", "csv", "table"] {
        let out = resou(dir.path())
            .args(["snapshot", "--origin", &server.origin(), "--format", format])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_clean(
            &format!("snapshot {format}"),
            &String::from_utf8_lossy(&out.stdout),
        );
        assert_clean("snapshot stderr", &String::from_utf8_lossy(&out.stderr));
    }
    let out = resou(dir.path())
        .args(["export", "--format", "json", "--triage"])
        .arg(dir.path().join("none.json"))
        .output()
        .unwrap();
    assert_clean("export", &String::from_utf8_lossy(&out.stdout));
    assert_clean("export stderr", &String::from_utf8_lossy(&out.stderr));
}

#[test]
fn files_with_secrets_must_be_private() {
    let dir = tempfile::tempdir().unwrap();
    for (body, what) in [
        ("[weibo]\ncookie = \"SUB=abcdefgh\"\n", "cookie"),
        (
            "[history]\nstore = \"postgres://team:hunter2pass@db.internal/resou\"\n",
            "database password",
        ),
    ] {
        let cfg = dir.path().join("config.toml");
        std::fs::write(&cfg, body).unwrap();
        std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_resou"))
            .env("XDG_STATE_HOME", dir.path())
            .args(["keys", "--config"])
            .arg(&cfg)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains("chmod 600") && err.contains("config.toml"),
            "{what}: {err}"
        );
        assert!(
            !err.contains("hunter2pass") && !err.contains("abcdefgh"),
            "{err}"
        );
        // Fixed as the message says: accepted.
        std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_resou"))
            .env("XDG_STATE_HOME", dir.path())
            .args(["keys", "--config"])
            .arg(&cfg)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // There is no setting that turns certificate checks off: such a key is an error.
    let e = resou::config::Config::parse(
        "[network]\ndanger_accept_invalid_certs = true\n",
        "config.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("config.toml:2") && e.contains("unknown field"),
        "{e}"
    );
}

#[tokio::test]
async fn tls_verification_refuses_a_self_signed_server() {
    // A loopback HTTPS server with a self-signed certificate for localhost.
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        // The handshake must fail: the client does not trust this certificate.
        acceptor.accept(tcp).await.is_ok()
    });
    let client = HttpClient::new(&NetConfig {
        origin: Some(format!("https://localhost:{port}")),
        ..NetConfig::default()
    })
    .unwrap();
    let err = client
        .get("https://weibo.com/ajax/side/hotSearch", Profile::WeiboAjax)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SourceError::Connect(m) if m.contains("certificate") || m.contains("Certificate") || m.contains("UnknownIssuer")),
        "{err:?}"
    );
    assert!(!server.await.unwrap(), "no TLS session was established");
}
