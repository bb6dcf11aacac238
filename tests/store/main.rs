//! History store in one test binary: SQLite and PostgreSQL engines (one throwaway cluster per
//! process, shared by store_postgres and team_mode), crash safety, import and export.

mod pg;
mod store_contract;
#[path = "../support/mod.rs"]
mod support;

mod export;
mod import;
mod store;
mod store_crash;
mod store_postgres;
mod team_mode;
