//! Field types of a keyword row that cost no heap allocation per row: the name shared with
//! the detector's interner, the history inline, the platforms as a bitset. Each reads, prints
//! (`Debug`) and serialises exactly like the `String` / `Vec` it replaces.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::domain::Platform;

/// A keyword's name, shared with the interner (a row clones a pointer, not the text).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Keyword(Arc<str>);

impl Keyword {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Keyword {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl From<Arc<str>> for Keyword {
    fn from(s: Arc<str>) -> Keyword {
        Keyword(s)
    }
}

impl From<&str> for Keyword {
    fn from(s: &str) -> Keyword {
        Keyword(s.into())
    }
}

impl From<String> for Keyword {
    fn from(s: String) -> Keyword {
        Keyword(s.into())
    }
}

impl From<Keyword> for String {
    fn from(k: Keyword) -> String {
        k.0.to_string()
    }
}

impl PartialEq<str> for Keyword {
    fn eq(&self, o: &str) -> bool {
        *self.0 == *o
    }
}

impl PartialEq<&str> for Keyword {
    fn eq(&self, o: &&str) -> bool {
        *self.0 == **o
    }
}

impl PartialEq<String> for Keyword {
    fn eq(&self, o: &String) -> bool {
        *self.0 == **o
    }
}

impl Serialize for Keyword {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Points kept inline: the detector's default `history_len`; longer histories go to the heap.
const INLINE: usize = 48;

/// A sparkline history, oldest first; reads as a `[f32]`.
#[derive(Clone)]
pub enum History {
    Inline(u8, [f32; INLINE]),
    Heap(Vec<f32>),
}

impl From<&std::collections::VecDeque<f32>> for History {
    /// A copy of a ring buffer (two contiguous copies, not point by point).
    fn from(h: &std::collections::VecDeque<f32>) -> History {
        let (a, b) = h.as_slices();
        let n = a.len() + b.len();
        if n > INLINE {
            return History::Heap(h.iter().copied().collect());
        }
        let mut buf = [0.0; INLINE];
        buf[..a.len()].copy_from_slice(a);
        buf[a.len()..n].copy_from_slice(b);
        // ok: n ≤ INLINE < 256
        History::Inline(n as u8, buf)
    }
}

impl Default for History {
    fn default() -> History {
        History::Inline(0, [0.0; INLINE])
    }
}

impl Deref for History {
    type Target = [f32];

    fn deref(&self) -> &[f32] {
        match self {
            History::Inline(n, buf) => &buf[..usize::from(*n)],
            History::Heap(v) => v,
        }
    }
}

impl From<Vec<f32>> for History {
    fn from(v: Vec<f32>) -> History {
        History::Heap(v)
    }
}

impl PartialEq for History {
    fn eq(&self, o: &History) -> bool {
        **self == **o
    }
}

impl PartialEq<Vec<f32>> for History {
    fn eq(&self, o: &Vec<f32>) -> bool {
        **self == **o
    }
}

impl fmt::Debug for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl Serialize for History {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

/// A set of platforms, in `Platform::ALL` order; reads as a `[Platform]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Platforms {
    bits: u16,
    /// The members in `Platform::ALL` order (the first `len` entries).
    list: [Platform; Platform::COUNT],
    len: u8,
}

impl Default for Platforms {
    fn default() -> Platforms {
        Platforms {
            bits: 0,
            list: [Platform::Weibo; Platform::COUNT],
            len: 0,
        }
    }
}

impl Platforms {
    pub fn insert(&mut self, p: Platform) {
        if self.contains(p) {
            return;
        }
        self.bits |= 1 << p.index();
        let mut n = 0;
        for q in Platform::ALL {
            if self.contains(q) {
                self.list[n] = q;
                n += 1;
            }
        }
        self.len = n as u8;
    }

    pub fn contains(self, p: Platform) -> bool {
        self.bits & (1 << p.index()) != 0
    }

    pub fn as_slice(&self) -> &[Platform] {
        &self.list[..self.len as usize]
    }
}

impl Deref for Platforms {
    type Target = [Platform];

    fn deref(&self) -> &[Platform] {
        self.as_slice()
    }
}

impl FromIterator<Platform> for Platforms {
    fn from_iter<I: IntoIterator<Item = Platform>>(it: I) -> Platforms {
        let mut s = Platforms::default();
        it.into_iter().for_each(|p| s.insert(p));
        s
    }
}

impl From<Vec<Platform>> for Platforms {
    fn from(v: Vec<Platform>) -> Platforms {
        v.into_iter().collect()
    }
}

impl PartialEq<Vec<Platform>> for Platforms {
    fn eq(&self, o: &Vec<Platform>) -> bool {
        *self.as_slice() == **o
    }
}

impl fmt::Debug for Platforms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl Serialize for Platforms {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_prints_like_the_vectors_it_replaces() {
        let mut ring: std::collections::VecDeque<f32> = (0..48).map(|i| i as f32).collect();
        ring.pop_front();
        ring.push_back(0.5);
        let h = History::from(&ring);
        assert_eq!(h.len(), 48);
        assert!(h.iter().eq(ring.iter()));
        let h = History::from(&[0.5f32, 1.0].into_iter().collect());
        assert_eq!(&*h, &[0.5, 1.0]);
        assert_eq!(format!("{h:?}"), format!("{:?}", vec![0.5f32, 1.0]));
        let long = History::from(&(0..60).map(|i| i as f32).collect());
        assert_eq!(long.len(), 60);
        let p: Platforms = vec![Platform::Tieba, Platform::Weibo].into();
        assert_eq!(p, vec![Platform::Weibo, Platform::Tieba]);
        assert_eq!(
            format!("{p:?}"),
            format!("{:?}", vec![Platform::Weibo, Platform::Tieba])
        );
        let k = Keyword::from("旺旺");
        assert_eq!(format!("{k:?}"), format!("{:?}", "旺旺".to_string()));
        assert_eq!(k, "旺旺");
    }
}
