//! The server's listening socket, which origin-wide faults take over: closed (connections
//! refused) or swapped for a socket whose accept queue is full (connections hang until the
//! client's connect timeout). Both are real kernel behaviour on loopback, not imitations.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;

/// What the listening port does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListenMode {
    Accept,
    /// Nothing listens: the kernel answers a SYN with a reset (`ECONNREFUSED`).
    Refuse,
    /// A socket that never accepts holds the port, its queue filled: new SYNs are dropped.
    BlackHole,
}

/// Filler connections tried when filling a black hole's queue.
const MAX_FILLERS: usize = 4;
/// How long one filler connection may take before the queue counts as full.
const FILLER_WAIT: Duration = Duration::from_millis(100);

/// A port held in `BlackHole` mode: the never-accepting socket and the connections queued on it.
struct BlackHole {
    _socket: TcpListener,
    _fillers: Vec<TcpStream>,
}

impl BlackHole {
    async fn open(addr: SocketAddr) -> std::io::Result<BlackHole> {
        let socket = TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        // Linux keeps backlog + 1 connections: one filler fills it.
        let socket = socket.listen(0)?;
        let mut fillers = Vec::new();
        for _ in 0..MAX_FILLERS {
            match tokio::time::timeout(FILLER_WAIT, TcpStream::connect(addr)).await {
                Ok(Ok(s)) => fillers.push(s),
                // A filler that hangs (or is refused) means the queue is full.
                Ok(Err(_)) | Err(_) => break,
            }
        }
        Ok(BlackHole {
            _socket: socket,
            _fillers: fillers,
        })
    }
}

/// An `axum::serve` listener on a fixed address that obeys `ListenMode` changes, re-binding
/// the same port when accepting resumes.
pub(crate) struct FaultListener {
    addr: SocketAddr,
    open: Option<TcpListener>,
    hole: Option<BlackHole>,
    mode: watch::Receiver<ListenMode>,
}

impl FaultListener {
    pub(crate) fn new(
        listener: TcpListener,
        mode: watch::Receiver<ListenMode>,
    ) -> std::io::Result<FaultListener> {
        Ok(FaultListener {
            addr: listener.local_addr()?,
            open: Some(listener),
            hole: None,
            mode,
        })
    }

    /// Put the port in `mode`; errors (e.g. the port taken meanwhile) are retried by the caller.
    async fn enter(&mut self, mode: ListenMode) -> std::io::Result<()> {
        match mode {
            ListenMode::Accept => {
                self.hole = None;
                if self.open.is_none() {
                    self.open = Some(TcpListener::bind(self.addr).await?);
                }
            }
            ListenMode::Refuse => {
                self.open = None;
                self.hole = None;
            }
            ListenMode::BlackHole => {
                self.open = None;
                if self.hole.is_none() {
                    self.hole = Some(BlackHole::open(self.addr).await?);
                }
            }
        }
        Ok(())
    }

    /// Wait for the mode to change; forever once the server is gone.
    async fn mode_changed(mode: &mut watch::Receiver<ListenMode>) {
        if mode.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl axum::serve::Listener for FaultListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            let mode = *self.mode.borrow_and_update();
            if let Err(e) = self.enter(mode).await {
                tracing::warn!("replay listener: {mode:?}: {e}");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            let Some(open) = &self.open else {
                Self::mode_changed(&mut self.mode).await;
                continue;
            };
            tokio::select! {
                r = open.accept() => match r {
                    Ok(conn) => return conn,
                    // e.g. a connection reset before it was accepted, or out of descriptors.
                    Err(e) => {
                        tracing::debug!("replay listener accept: {e}");
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                },
                _ = Self::mode_changed(&mut self.mode) => {}
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}
