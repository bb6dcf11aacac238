//! An in-process SMTP server on 127.0.0.1:0 that speaks just enough of RFC 5321 for lettre,
//! records every command line and every message, and can be told to fail at one step.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Where the fake server fails, if anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    None,
    /// `421` instead of the `220` greeting.
    Greet421,
    /// `535` to AUTH, echoing the AUTH line's argument back (servers' texts can).
    Auth535,
    /// `550` to the RCPT of this address, naming it.
    RejectRcpt(String),
    /// Close the connection after the first line of the message content.
    CloseInData,
}

#[derive(Default)]
struct Log {
    commands: Vec<String>,
    messages: Vec<Vec<u8>>,
}

pub struct FakeSmtp {
    pub port: u16,
    log: Arc<Mutex<Log>>,
}

impl FakeSmtp {
    /// Serve on 127.0.0.1:0 until the test's runtime ends.
    pub async fn start(fault: Fault) -> FakeSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Log::default()));
        let shared = log.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, fault.clone(), shared.clone()));
            }
        });
        FakeSmtp { port, log }
    }

    /// Every command line the client sent, in order (message content excluded).
    pub fn commands(&self) -> Vec<String> {
        self.log.lock().unwrap().commands.clone()
    }

    /// Every complete message (dot-unstuffed), as the client sent it after DATA.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        self.log.lock().unwrap().messages.clone()
    }
}

async fn session(stream: tokio::net::TcpStream, fault: Fault, log: Arc<Mutex<Log>>) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    if fault == Fault::Greet421 {
        let _ = write
            .write_all(b"421 4.3.2 fake.test too busy, try later\r\n")
            .await;
        return;
    }
    if write.write_all(b"220 fake.test ESMTP\r\n").await.is_err() {
        return;
    }
    let mut raw = Vec::new();
    loop {
        raw.clear();
        match read.read_until(b'\n', &mut raw).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = String::from_utf8_lossy(&raw).trim_end().to_string();
        log.lock().unwrap().commands.push(line.clone());
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply = match verb.as_str() {
            "EHLO" => "250-fake.test\r\n250 AUTH PLAIN LOGIN\r\n".to_string(),
            "HELO" | "MAIL" | "RSET" | "NOOP" => "250 2.0.0 OK\r\n".to_string(),
            "AUTH" if fault == Fault::Auth535 => {
                let arg = line.split_whitespace().nth(2).unwrap_or("");
                format!("535 5.7.8 Authentication credentials invalid ({arg})\r\n")
            }
            "AUTH" => "235 2.7.0 Authentication successful\r\n".to_string(),
            "RCPT" => match &fault {
                Fault::RejectRcpt(addr) if line.contains(addr.as_str()) => {
                    format!("550 5.1.1 <{addr}>: Recipient address rejected: User unknown\r\n")
                }
                _ => "250 2.1.5 OK\r\n".to_string(),
            },
            "DATA" => {
                if write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let Some(message) = read_data(&mut read, &fault).await else {
                    return;
                };
                log.lock().unwrap().messages.push(message);
                "250 2.0.0 Ok: queued\r\n".to_string()
            }
            "QUIT" => {
                let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
                return;
            }
            _ => "502 5.5.2 Command not recognized\r\n".to_string(),
        };
        if write.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The message up to the lone `.`; `None` when the connection ends first (or is cut).
async fn read_data(
    read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
    fault: &Fault,
) -> Option<Vec<u8>> {
    let mut message = Vec::new();
    let mut raw = Vec::new();
    loop {
        raw.clear();
        if read.read_until(b'\n', &mut raw).await.ok()? == 0 {
            return None;
        }
        if *fault == Fault::CloseInData {
            return None;
        }
        if raw == b".\r\n" || raw == b".\n" {
            return Some(message);
        }
        let line = raw.strip_prefix(b".").unwrap_or(&raw);
        message.extend_from_slice(line);
    }
}
