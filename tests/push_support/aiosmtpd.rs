//! A real SMTP server on loopback: Python's aiosmtpd, with AUTH on a plaintext session (its
//! default refuses AUTH without TLS) and a handler that stores each message and its envelope.
//! `.ci/run` installs it and sets `RESOU_REQUIRE_SMTP=1`; elsewhere a missing aiosmtpd skips.

use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

const SERVER: &str = r#"
import asyncio, json, os, sys, threading
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

port, out, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login == user.encode() and auth_data.password == password.encode())
    return AuthResult(success=ok, handled=False)

class Store:
    async def handle_DATA(self, server, session, envelope):
        n = len([f for f in os.listdir(out) if f.endswith(".eml")])
        base = os.path.join(out, str(n))
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 Message accepted for delivery"

# The test holds stdin open: when it goes away (even killed), so does the server.
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
loop = asyncio.new_event_loop()
factory = lambda: SMTP(Store(), hostname="aiosmtpd.test", authenticator=authenticator,
                       auth_require_tls=False, loop=loop)
loop.run_until_complete(loop.create_server(factory, "127.0.0.1", port))
print("ready", flush=True)
loop.run_forever()
"#;

/// A Python that can import aiosmtpd: `RESOU_SMTP_PYTHON`, else `python3` on the PATH, else
/// Debian's (`apt-get install python3-aiosmtpd` lands there, beside a pyenv one).
pub fn python_with_aiosmtpd() -> Option<String> {
    let candidates = std::env::var("RESOU_SMTP_PYTHON")
        .ok()
        .into_iter()
        .chain(["python3".to_string(), "/usr/bin/python3".to_string()]);
    for py in candidates {
        let ok = Command::new(&py)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(py);
        }
    }
    None
}

/// The running server; killed and reaped on drop.
pub struct Aiosmtpd {
    pub port: u16,
    child: Child,
    dir: tempfile::TempDir,
}

impl Aiosmtpd {
    /// Start on a free loopback port (another process can take it between the probe and the
    /// bind: then try a new one) and return once it accepts connections.
    pub fn start(python: &str, user: &str, password: &str) -> Aiosmtpd {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("server.py");
        std::fs::write(&script, SERVER).unwrap();
        let out = dir.path().join("mail");
        std::fs::create_dir(&out).unwrap();
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut child = Command::new(python)
                .arg(&script)
                .arg(port.to_string())
                .arg(&out)
                .args([user, password])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            if says_ready(&mut child) {
                return Aiosmtpd { port, child, dir };
            }
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            eprintln!(
                "aiosmtpd on port {port} did not come up: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        panic!("aiosmtpd did not start on any of 5 ports");
    }

    /// Stored messages: (raw message, envelope JSON), in arrival order.
    pub fn messages(&self) -> Vec<(Vec<u8>, serde_json::Value)> {
        let out = self.dir.path().join("mail");
        (0..)
            .map(|n| out.join(format!("{n}.eml")))
            .take_while(|p| p.exists())
            .map(|eml| {
                let envelope = std::fs::read(eml.with_extension("json")).unwrap();
                (
                    std::fs::read(&eml).unwrap(),
                    serde_json::from_slice(&envelope).unwrap(),
                )
            })
            .collect()
    }
}

impl Drop for Aiosmtpd {
    fn drop(&mut self) {
        // Closing stdin ends it too; kill is for a server that is stuck.
        if let Some(mut stdin) = self.child.stdin.take() {
            let _ = stdin.flush();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server prints `ready` once its socket is bound; it exits instead when the port was
/// taken (then the line never comes and stdout closes).
fn says_ready(child: &mut Child) -> bool {
    use std::io::BufRead;
    let Some(out) = child.stdout.take() else {
        return false;
    };
    let mut line = String::new();
    std::io::BufReader::new(out).read_line(&mut line).is_ok() && line.trim() == "ready"
}
