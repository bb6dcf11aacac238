//! Bounded resources (issue #7): its own binary, as the harness installs a counting global
//! allocator and measures the process's RSS and file descriptors.

#[path = "../soak_support/mod.rs"]
mod soak_support;

mod soak;
