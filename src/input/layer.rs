//! Layers: what has the keyboard. Each layer has a keymap table of the same name; `Global`
//! is the table under every layer (help, back, quit, pause), not a layer of its own.

use strum::{EnumIter, EnumString, IntoEnumIterator, IntoStaticStr};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, EnumString, IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
pub enum Layer {
    /// Keys that work under every layer.
    Global,
    /// The hot-list board.
    Board,
    /// A visual selection on the board (bulk triage): its table first, then the board's.
    Visual,
    /// The keyword panel, when it has the keyboard.
    Keywords,
    /// Drill-down views (posts, comments, threads, floors, replies).
    Thread,
    /// The topic history pane (`H`) over the board: its table first, then the board's.
    Detail,
    /// The events view (`E`): stories across platforms, then one story's titles.
    Events,
    /// A link shown in a popup for manual copying.
    Link,
    /// The sources popup: every list's health, fallback steps and next poll.
    Sources,
    /// The deliveries popup (`D`): team alert deliveries, newest first.
    Deliveries,
    /// The brand view (`B`): watched terms, their volume, tone and posts.
    Brand,
    /// The help popup: typing filters it.
    Help,
    /// Text prompts (search, notes): printable keys are text, so only named keys bind here.
    Input,
}

impl Layer {
    pub fn all() -> impl Iterator<Item = Layer> {
        Layer::iter()
    }

    /// The name of the layer's keymap table.
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn from_name(s: &str) -> Option<Layer> {
        s.parse().ok()
    }

    /// The tables a key is looked up in, most specific first; `Global` comes after them all.
    /// Visual selection and the detail pane sit on the board and keep its keys.
    pub fn chain(self) -> &'static [Layer] {
        match self {
            Layer::Global => &[],
            Layer::Board => &[Layer::Board],
            Layer::Visual => &[Layer::Visual, Layer::Board],
            Layer::Keywords => &[Layer::Keywords],
            Layer::Thread => &[Layer::Thread],
            Layer::Detail => &[Layer::Detail, Layer::Board],
            Layer::Events => &[Layer::Events],
            Layer::Link => &[Layer::Link],
            Layer::Sources => &[Layer::Sources],
            Layer::Deliveries => &[Layer::Deliveries],
            Layer::Brand => &[Layer::Brand],
            Layer::Help => &[Layer::Help],
            Layer::Input => &[Layer::Input],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_chains_start_with_their_own_table() {
        for l in Layer::all() {
            assert_eq!(Layer::from_name(l.name()), Some(l));
            if l != Layer::Global {
                assert_eq!(l.chain().first(), Some(&l));
                assert!(!l.chain().contains(&Layer::Global));
            }
        }
        assert_eq!(Layer::Thread.name(), "thread");
    }
}
