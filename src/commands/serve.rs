//! `resou serve`: the history store as a read-only feed ([`crate::serve`]) until Ctrl-C or
//! SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;

use super::common::store_spec;
use crate::cli::{Cli, ServeArgs};
use crate::config::Config;
use crate::serve::{self, Options, Server, Token};
use crate::store::{HistoryStore, SqliteStore, StoreSpec};

pub fn main(cli: &Cli, args: &ServeArgs) -> anyhow::Result<()> {
    let (_log_guard, log_path) = crate::logging::init(cli.log_file.as_deref());
    let (cfg, _) = Config::load(cli.config.as_deref())?;
    let listen = args
        .listen
        .as_deref()
        .or(cfg.serve.listen.as_deref())
        .unwrap_or(serve::DEFAULT_LISTEN);
    let addr: SocketAddr = listen.parse().with_context(|| {
        format!("listen address `{listen}`: expected address:port, e.g. 127.0.0.1:8787")
    })?;
    let token = args
        .token_file
        .as_deref()
        .or(cfg.serve.token_file.as_deref())
        .map(Token::from_file)
        .transpose()?;
    serve::check_exposure(addr, token.is_some())?;
    let spec = store_spec(cli, &cfg, cli.demo)?.context(
        "serve reads the history store, and history is off (--no-history / [history] enabled = false)",
    )?;
    let spec = StoreSpec::parse(&spec);
    let shown = spec.describe();

    let rt = super::runtime()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        let bound = listener.local_addr()?;
        let public_url = cfg
            .serve
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"));
        let options = Options {
            token,
            schedule: cfg.report.at.clone(),
            ..Options::new(&public_url)
        };
        let server = Server::new(read_only(spec), options);
        let log = log_path.map_or_else(|| "none".into(), |p| p.display().to_string());
        // Tests and scripts read the address from this line (port 0 picks one).
        eprintln!("resou serve: listening on http://{bound} (history: {shown}; log: {log})");
        tracing::info!(%bound, history = %shown, "serve starting");
        serve::run(listener, server, super::record::stop_signal()).await?;
        tracing::info!("serve stopped");
        anyhow::Ok(())
    })
}

/// Opens `spec` for reading only where the engine can: SQLite read-only (no migration, no
/// WAL switch; a file at an older schema is an error naming the fix). PostgreSQL has no
/// read-only open here; serve only ever calls reads on it.
fn read_only(spec: StoreSpec) -> serve::Opener {
    Arc::new(move || match &spec {
        StoreSpec::Sqlite(path) => {
            Ok(Box::new(SqliteStore::open_read_only(path)?) as Box<dyn HistoryStore>)
        }
        StoreSpec::Postgres(_) => crate::store::open(&spec),
    })
}
