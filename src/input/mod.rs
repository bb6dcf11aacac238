//! The input vocabulary, a leaf: keys, layers and actions. `config` loads keymaps into these
//! types and `app` routes them; neither owns them.

pub mod action;
pub mod key;
pub mod layer;

pub use action::Action;
pub use key::{Key, KeyCode, KeySeq, parse_seq, seq_string};
pub use layer::Layer;
