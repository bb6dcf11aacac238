//! View (STUB: implemented by the ui work).
