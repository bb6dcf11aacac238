//! App loop: owns AppState, turns messages into state changes and effects, draws when dirty.
pub mod state;
