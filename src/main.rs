//! Wiring only: hooks → CLI → the command's `main` → exit code.

use std::process::ExitCode;

use clap::Parser;

use resou::cli::{Cli, Command};
use resou::commands;

/// jemalloc, not the system malloc: see `resou::memory` and Cargo.toml.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
resou::jemalloc_config!();

fn main() -> ExitCode {
    resou::memory::tune_allocator();
    resou::crash::install_hook();
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Import {
            paths,
            out,
            platform,
            to_history: false,
        }) => commands::import::main(paths, out.as_deref(), platform.as_deref()),
        Some(Command::Import {
            paths,
            platform,
            to_history: true,
            ..
        }) => commands::import::to_history(&cli, paths, platform.as_deref()),
        Some(Command::Collect {
            platform,
            interval,
            origin,
            count,
        }) => commands::collect::main(&cli, platform.clone(), *interval, origin.clone(), *count),
        Some(Command::Analyze { snapshots, format }) => {
            commands::analyze::main(&cli, snapshots, *format)
        }
        Some(Command::Dynamics { snapshots, format }) => {
            commands::dynamics::main(snapshots, *format)
        }
        Some(Command::Eval(a)) => commands::eval::main(&cli, a),
        Some(Command::Events(a)) => commands::events::main(&cli, a),
        Some(Command::Keys) => commands::keys::main(&cli),
        Some(Command::Snapshot(a)) => commands::snapshot::main(&cli, a),
        Some(Command::Watch(a)) => commands::watch::main(&cli, a),
        Some(Command::Record(a)) => commands::record::main(&cli, a),
        Some(Command::Export {
            flagged,
            format,
            out,
            triage,
        }) => commands::export::main(&cli, *flagged, *format, out.as_deref(), triage.as_deref()),
        Some(Command::Rules(c)) => commands::push::rules(&cli, c),
        Some(Command::Sentiment(a)) => commands::sentiment::main(a),
        Some(Command::Push(c)) => commands::push::push(&cli, c),
        Some(Command::Serve(a)) => commands::serve::main(&cli, a),
        Some(Command::Report(a)) => commands::report::main(&cli, a),
        // `resou replay FILE` is the TUI over a replay server, like `--demo`.
        Some(Command::Replay(_)) | None => commands::tui::main(&cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("resou: {e:#}");
            ExitCode::from(commands::exit_code(&e))
        }
    }
}
