//! STUB: implemented by the sources work.
