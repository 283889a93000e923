//! A byte trie of every literal and pattern trigger, walked from each position where a hit
//! may start (the text start, and every byte after a non-word byte). Every hit must start on
//! a word boundary, so most of the text is never walked at all, and building the trie is one
//! insertion per key: start-up pays a few milliseconds, not an automaton construction.

use crate::normalize::is_word_byte;

/// No node.
const NONE: u32 = u32::MAX;

/// What a key of the trie stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Literal number `n`: reported where it ends on a word boundary.
    Literal(u32),
    /// Trigger number `n`: reported wherever the text continues with it.
    Trigger(u32),
}

/// A trie under construction: children as sibling lists, so insertion needs no sorting.
#[derive(Debug, Clone)]
pub struct TrieBuilder {
    root: Box<[u32; 256]>,
    first_child: Vec<u32>,
    next_sibling: Vec<u32>,
    label: Vec<u8>,
    literal: Vec<u32>,
    trigger: Vec<u32>,
}

impl Default for TrieBuilder {
    fn default() -> Self {
        TrieBuilder {
            root: Box::new([NONE; 256]),
            first_child: vec![NONE],
            next_sibling: vec![NONE],
            label: vec![0],
            literal: vec![NONE],
            trigger: vec![NONE],
        }
    }
}

impl TrieBuilder {
    /// A builder holding `keys` (see [`Trie::new`]).
    pub fn from_keys(keys: Vec<(&[u8], Key)>) -> TrieBuilder {
        let mut builder = TrieBuilder::default();
        for (bytes, key) in keys {
            match key {
                Key::Literal(n) => builder.literal(bytes, || n),
                Key::Trigger(n) => builder.trigger(bytes, || n),
            };
        }
        builder
    }

    fn add_node(&mut self, byte: u8, next_sibling: u32) -> u32 {
        let node = self.label.len() as u32;
        self.first_child.push(NONE);
        self.next_sibling.push(next_sibling);
        self.label.push(byte);
        self.literal.push(NONE);
        self.trigger.push(NONE);
        node
    }

    /// The node spelling `bytes` (not empty), created if needed.
    fn node(&mut self, bytes: &[u8]) -> u32 {
        let first = bytes[0] as usize;
        let mut node = self.root[first];
        if node == NONE {
            node = self.add_node(bytes[0], NONE);
            self.root[first] = node;
        }
        for &b in &bytes[1..] {
            let mut child = self.first_child[node as usize];
            while child != NONE && self.label[child as usize] != b {
                child = self.next_sibling[child as usize];
            }
            if child == NONE {
                child = self.add_node(b, self.first_child[node as usize]);
                self.first_child[node as usize] = child;
            }
            node = child;
        }
        node
    }

    /// The literal number of `bytes`, or `fresh()` stored as its number when it has none.
    /// Empty keys are never stored: `None`.
    pub fn literal(&mut self, bytes: &[u8], fresh: impl FnOnce() -> u32) -> Option<u32> {
        let node = self.node_of(bytes)?;
        Some(*fill(&mut self.literal[node as usize], fresh))
    }

    /// The trigger number of `bytes`, or `fresh()` stored as its number when it has none.
    /// Empty keys are never stored: `None`.
    pub fn trigger(&mut self, bytes: &[u8], fresh: impl FnOnce() -> u32) -> Option<u32> {
        let node = self.node_of(bytes)?;
        Some(*fill(&mut self.trigger[node as usize], fresh))
    }

    fn node_of(&mut self, bytes: &[u8]) -> Option<u32> {
        (!bytes.is_empty()).then(|| self.node(bytes))
    }

    /// Lays the trie out for searching.
    pub fn build(self) -> Trie {
        Trie::join(self, TrieBuilder::default(), 0, 0)
    }

    /// Appends every node to `packed` (see [`Trie`]) in depth-first order, numbers shifted
    /// by the offsets; returns the root's children as offsets into `packed`.
    fn pack_into(
        &self,
        packed: &mut Vec<u32>,
        literal_offset: u32,
        trigger_offset: u32,
    ) -> [u32; 256] {
        /// Where a node's offset must be written once the node is placed.
        enum Patch {
            Root(u8),
            Slot(usize),
            /// An only child: it follows its parent, the offset is implicit.
            Follows,
        }
        let some = |c: u32| (c != NONE).then_some(c);
        let children = |n: usize| {
            std::iter::successors(some(self.first_child[n]), |&c| {
                some(self.next_sibling[c as usize])
            })
        };
        packed.reserve(self.label.len() * 2);
        let mut roots = [NONE; 256];
        let mut stack: Vec<(u32, Patch)> = (0..=255u8)
            .rev()
            .filter(|&b| self.root[b as usize] != NONE)
            .map(|b| (self.root[b as usize], Patch::Root(b)))
            .collect();
        let mut siblings: Vec<(u8, u32)> = Vec::new();
        while let Some((n, patch)) = stack.pop() {
            let at = packed.len() as u32;
            match patch {
                Patch::Root(b) => roots[b as usize] = at,
                Patch::Slot(slot) => packed[slot] = at,
                Patch::Follows => {}
            }
            let n = n as usize;
            siblings.clear();
            siblings.extend(children(n).map(|c| (self.label[c as usize], c)));
            siblings.sort_unstable();
            let mut head = siblings.len() as u32
                | u32::from(self.trigger[n] != NONE) << HAS_TRIGGER
                | u32::from(self.literal[n] != NONE) << HAS_LITERAL;
            if let [(label, _)] = siblings[..] {
                head |= u32::from(label) << ONLY_LABEL;
            }
            packed.push(head);
            if self.trigger[n] != NONE {
                packed.push(self.trigger[n] + trigger_offset);
            }
            if self.literal[n] != NONE {
                packed.push(self.literal[n] + literal_offset);
            }
            if let [(_, child)] = siblings[..] {
                stack.push((child, Patch::Follows));
                continue;
            }
            for four in siblings.chunks(4) {
                let mut word = [0u8; 4];
                for (w, (label, _)) in word.iter_mut().zip(four) {
                    *w = *label;
                }
                packed.push(u32::from_le_bytes(word));
            }
            let slots = packed.len();
            packed.resize(slots + siblings.len(), NONE);
            // The first child is placed next, right after its parent.
            stack.extend(
                siblings
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(i, &(_, c))| (c, Patch::Slot(slots + i))),
            );
        }
        roots
    }
}

fn fill(slot: &mut u32, fresh: impl FnOnce() -> u32) -> &mut u32 {
    if *slot == NONE {
        *slot = fresh();
    }
    slot
}

/// The trie, laid out for the walk: each node is one run of words in `packed` (a head with
/// the child count and whether a trigger and a literal end here, the trigger and literal
/// numbers when present, the child labels four to a word, then the children's offsets), so
/// a step of the walk touches one or two cache lines.
#[derive(Debug, Clone)]
pub struct Trie {
    /// Offset of the node for each first byte.
    root: Box<[u32; 256]>,
    /// Offset of the node for each two-byte start (`first << 8 | second`): the root's
    /// children are the widest nodes, so their child is found by one lookup.
    root2: Vec<u32>,
    packed: Vec<u32>,
    nodes: usize,
}

/// Index of `byte` among the labels packed four to a word (unused slots are zero and may
/// match a zero byte: callers check the index against the child count). Compares four
/// labels at once: a zero byte of `word ^ byte * 0x01010101` marks a match.
fn find_label(words: &[u32], byte: u8) -> Option<usize> {
    let repeated = u32::from(byte) * 0x0101_0101;
    words.iter().enumerate().find_map(|(w, &word)| {
        let x = word ^ repeated;
        let zero = x.wrapping_sub(0x0101_0101) & !x & 0x8080_8080;
        (zero != 0).then(|| w * 4 + zero.trailing_zeros() as usize / 8)
    })
}

/// Bits of a packed node's head word.
const HAS_TRIGGER: u32 = 16;
const HAS_LITERAL: u32 = 17;
/// The label of a node's only child sits in the head's top byte; that child follows the
/// node's record, so it needs neither a label word nor an offset.
const ONLY_LABEL: u32 = 24;

/// A table of [`is_word_byte`], for the scanning loop.
const WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_word_byte(b as u8);
        b += 1;
    }
    table
};

impl Trie {
    /// Builds the trie of `keys`; a key listed twice as a literal (or twice as a trigger)
    /// keeps the first number. Empty keys are ignored.
    pub fn new(keys: Vec<(&[u8], Key)>) -> Trie {
        TrieBuilder::from_keys(keys).build()
    }

    /// One trie from two builders whose keys start with different bytes; `b`'s literal
    /// and trigger numbers are shifted by `literal_offset` and `trigger_offset`.
    pub fn join(a: TrieBuilder, b: TrieBuilder, literal_offset: u32, trigger_offset: u32) -> Trie {
        let mut packed = Vec::new();
        let mut root = Box::new(a.pack_into(&mut packed, 0, 0));
        let root_b = b.pack_into(&mut packed, literal_offset, trigger_offset);
        for (slot, &node) in root.iter_mut().zip(root_b.iter()) {
            if node != NONE {
                debug_assert_eq!(*slot, NONE, "both tries start a key with one byte");
                *slot = node;
            }
        }
        let mut root2 = vec![NONE; 1 << 16];
        for (first, &node) in root.iter().enumerate() {
            if node != NONE {
                for (label, child) in Self::children(&packed, node as usize) {
                    root2[first << 8 | label as usize] = child;
                }
            }
        }
        Trie {
            root,
            root2,
            packed,
            // Each builder has its own (unused) root node; count one.
            nodes: a.label.len() + b.label.len() - 1,
        }
    }

    /// The children of the node at `at`: (label, offset) pairs.
    fn children(packed: &[u32], at: usize) -> Vec<(u8, u32)> {
        let head = packed[at];
        let after =
            at + 1 + (head >> HAS_TRIGGER & 1) as usize + (head >> HAS_LITERAL & 1) as usize;
        let count = (head & 0xffff) as usize;
        if count == 1 {
            return vec![((head >> ONLY_LABEL) as u8, after as u32)];
        }
        let words = count.div_ceil(4);
        (0..count)
            .map(|i| {
                let label = (packed[after + i / 4] >> (8 * (i % 4))) as u8;
                (label, packed[after + words + i])
            })
            .collect()
    }

    /// Number of nodes, the root included.
    pub fn node_count(&self) -> usize {
        self.nodes
    }

    /// Calls `found(key, start, end)` for every literal of the trie that occurs in `text`
    /// on word boundaries, and every trigger that occurs starting on one, overlapping
    /// occurrences included, in order of start.
    pub fn for_each_match(&self, text: &[u8], mut found: impl FnMut(Key, usize, usize)) {
        let mut after_word = false;
        for (start, &first) in text.iter().enumerate() {
            let was_after_word = after_word;
            after_word = WORD[first as usize];
            if was_after_word {
                continue;
            }
            let mut node = self.root[first as usize];
            let mut end = start + 1;
            while node != NONE {
                let mut at = node as usize;
                let head = self.packed[at];
                at += 1;
                if head >> HAS_TRIGGER & 1 != 0 {
                    found(Key::Trigger(self.packed[at]), start, end);
                    at += 1;
                }
                if head >> HAS_LITERAL & 1 != 0 {
                    if end == text.len() || !WORD[text[end] as usize] {
                        found(Key::Literal(self.packed[at]), start, end);
                    }
                    at += 1;
                }
                let count = (head & 0xffff) as usize;
                if end == text.len() || count == 0 {
                    break;
                }
                let byte = text[end];
                node = if end == start + 1 {
                    self.root2[(first as usize) << 8 | byte as usize]
                } else if count == 1 {
                    if (head >> ONLY_LABEL) as u8 == byte {
                        at as u32
                    } else {
                        break;
                    }
                } else {
                    let words = count.div_ceil(4);
                    match find_label(&self.packed[at..at + words], byte) {
                        Some(i) if i < count => self.packed[at + words + i],
                        _ => NONE,
                    }
                };
                end += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(keys: &[(&str, Key)], text: &str) -> Vec<(Key, String)> {
        let trie = Trie::new(keys.iter().map(|(s, k)| (s.as_bytes(), *k)).collect());
        let mut out = Vec::new();
        trie.for_each_match(text.as_bytes(), |k, s, e| {
            out.push((k, text[s..e].to_string()))
        });
        out
    }

    #[test]
    fn literals_need_word_boundaries_and_overlap() {
        let keys = [
            ("hit", Key::Literal(0)),
            ("hit man", Key::Literal(1)),
            ("man", Key::Literal(2)),
        ];
        let found = matches(&keys, "a hit man; hitman, chit manly");
        assert_eq!(
            found,
            vec![
                (Key::Literal(0), "hit".into()),
                (Key::Literal(1), "hit man".into()),
                (Key::Literal(2), "man".into()),
            ]
        );
    }

    #[test]
    fn triggers_are_prefixes_and_keys_may_start_with_punctuation() {
        let keys = [
            ("miscarr", Key::Trigger(0)),
            ("#metoo", Key::Literal(0)),
            ("d&c", Key::Literal(1)),
        ];
        let found = matches(&keys, "miscarriages (#metoo) a d&c, xmiscarry");
        assert_eq!(
            found,
            vec![
                (Key::Trigger(0), "miscarr".into()),
                (Key::Literal(0), "#metoo".into()),
                (Key::Literal(1), "d&c".into()),
            ]
        );
    }

    #[test]
    fn same_bytes_as_literal_and_trigger_report_both() {
        let keys = [("ivf", Key::Trigger(3)), ("ivf", Key::Literal(7))];
        assert_eq!(
            matches(&keys, "ivf"),
            vec![
                (Key::Trigger(3), "ivf".into()),
                (Key::Literal(7), "ivf".into())
            ]
        );
        assert!(matches(&keys, "").is_empty());
    }

    #[test]
    fn labels_are_found_four_at_a_time() {
        let words = [
            u32::from_le_bytes(*b"abcd"),
            u32::from_le_bytes([b'x', 0x80, 0, 0]),
        ];
        assert_eq!(find_label(&words, b'a'), Some(0));
        assert_eq!(find_label(&words, b'd'), Some(3));
        assert_eq!(find_label(&words, b'x'), Some(4));
        assert_eq!(find_label(&words, 0x80), Some(5));
        assert_eq!(find_label(&words, b'q'), None);
        // Padding zeros match a zero byte; the child count rules them out.
        assert_eq!(find_label(&words, 0), Some(6));
        for b in 0..=255u8 {
            let expected = [b'a', b'b', b'c', b'd', b'x', 0x80, 0, 0]
                .iter()
                .position(|&l| l == b);
            assert_eq!(find_label(&words, b), expected, "byte {b}");
        }
    }

    #[test]
    fn nodes_share_prefixes() {
        let trie = Trie::new(vec![
            (b"abc".as_slice(), Key::Literal(0)),
            (b"abd".as_slice(), Key::Literal(1)),
            (b"".as_slice(), Key::Literal(2)),
        ]);
        assert_eq!(trie.node_count(), 5);
    }

    proptest::proptest! {
        /// The walk finds exactly what a brute-force search over every key and position
        /// finds: literals on word boundaries, triggers starting on one.
        #[test]
        fn agrees_with_brute_force(
            literals in proptest::collection::vec("[ab -]{1,4}", 0..8),
            triggers in proptest::collection::vec("[ab -]{1,3}", 0..4),
            text in "[ab -]{0,24}",
        ) {
            let keys: Vec<(&[u8], Key)> = literals
                .iter()
                .enumerate()
                .map(|(i, l)| (l.as_bytes(), Key::Literal(i as u32)))
                .chain(triggers.iter().enumerate().map(|(i, t)| (t.as_bytes(), Key::Trigger(i as u32))))
                .collect();
            let trie = Trie::new(keys.clone());
            let mut walked = Vec::new();
            trie.for_each_match(text.as_bytes(), |k, s, e| walked.push((k, s, e)));
            let h = text.as_bytes();
            let mut brute = Vec::new();
            for start in 0..h.len() {
                if start > 0 && is_word_byte(h[start - 1]) {
                    continue;
                }
                for (bytes, key) in &keys {
                    let end = start + bytes.len();
                    if !h[start..].starts_with(bytes) {
                        continue;
                    }
                    let first = keys.iter().position(|(b, k)| b == bytes && std::mem::discriminant(k) == std::mem::discriminant(key));
                    if first.map(|f| keys[f].1) != Some(*key) {
                        continue; // a duplicate key keeps the first number
                    }
                    let fits = match key {
                        Key::Literal(_) => end == h.len() || !is_word_byte(h[end]),
                        Key::Trigger(_) => true,
                    };
                    if fits {
                        brute.push((*key, start, end));
                    }
                }
            }
            // The same keys split by the parity of their first byte, then joined; the
            // second half's numbers are shifted and shifted back.
            let half = |h: u8| {
                TrieBuilder::from_keys(
                    keys.iter()
                        .filter(|(b, _)| b[0] & 1 == h)
                        .map(|&(b, k)| (b, match k {
                            Key::Literal(n) if h == 1 => Key::Literal(n + 100),
                            Key::Trigger(n) if h == 1 => Key::Trigger(n + 100),
                            k => k,
                        }))
                        .collect(),
                )
            };
            let joined = Trie::join(half(0), half(1), 1000, 1000);
            let mut walked_joined = Vec::new();
            joined.for_each_match(text.as_bytes(), |k, s, e| {
                let k = match k {
                    Key::Literal(n) if n >= 1000 => Key::Literal(n - 1100),
                    Key::Trigger(n) if n >= 1000 => Key::Trigger(n - 1100),
                    k => k,
                };
                walked_joined.push((k, s, e))
            });
            let order = |v: &mut Vec<(Key, usize, usize)>| v.sort_by_key(|(k, s, e)| (*s, *e, format!("{k:?}")));
            order(&mut walked);
            order(&mut walked_joined);
            order(&mut brute);
            proptest::prop_assert_eq!(&walked, &brute);
            proptest::prop_assert_eq!(walked_joined, brute);
        }
    }
}
