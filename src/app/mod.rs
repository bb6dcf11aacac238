//! App loop: owns AppState, turns messages into state changes and effects, draws when dirty.

pub mod action;
pub mod msg;
pub mod state;
pub mod update;
