//! Loopback replay server (STUB: implemented by the replay work).
