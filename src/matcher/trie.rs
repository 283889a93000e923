//! A byte trie of every literal and pattern trigger, walked from each position where a hit
//! may start (the text start, and every byte after a non-word byte). Every hit must start on
//! a word boundary, so most of the text is never walked at all, and building the trie is a
//! sort and one pass: start-up pays a few milliseconds, not an automaton construction.

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

/// The trie, flattened: node `n`'s children are `labels[first_child[n]..first_child[n + 1]]`
/// (sorted) leading to the nodes in the same slots of `children`.
#[derive(Debug, Clone)]
pub struct Trie {
    root: Box<[u32; 256]>,
    first_child: Vec<u32>,
    labels: Vec<u8>,
    children: Vec<u32>,
    literal: Vec<u32>,
    trigger: Vec<u32>,
}

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
    /// Builds the trie of `keys`. Empty keys are ignored; a key listed twice as a literal
    /// (or twice as a trigger) keeps the first number.
    pub fn new(keys: Vec<(&[u8], Key)>) -> Trie {
        let mut keys: Vec<(&[u8], usize, Key)> = keys
            .into_iter()
            .enumerate()
            .filter(|(_, (bytes, _))| !bytes.is_empty())
            .map(|(i, (bytes, key))| (bytes, i, key))
            .collect();
        keys.sort_unstable_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
        // Nodes in creation order; node 0 is the root. Sorted insertion means a node's
        // children are created in increasing label order.
        let mut parent: Vec<u32> = vec![NONE];
        let mut label: Vec<u8> = vec![0];
        let mut literal: Vec<u32> = vec![NONE];
        let mut trigger: Vec<u32> = vec![NONE];
        let mut path: Vec<u32> = vec![0];
        let mut previous: &[u8] = &[];
        for (bytes, _, key) in &keys {
            let common = previous
                .iter()
                .zip(bytes.iter())
                .take_while(|(a, b)| a == b)
                .count();
            path.truncate(common + 1);
            for &b in &bytes[common..] {
                let node = parent.len() as u32;
                parent.push(*path.last().expect("the root stays on the path"));
                label.push(b);
                literal.push(NONE);
                trigger.push(NONE);
                path.push(node);
            }
            let end = *path.last().expect("keys are not empty") as usize;
            let slot = match key {
                Key::Literal(n) => (&mut literal[end], *n),
                Key::Trigger(n) => (&mut trigger[end], *n),
            };
            if *slot.0 == NONE {
                *slot.0 = slot.1;
            }
            previous = bytes;
        }
        // Counting sort of the nodes by parent gives each node's children contiguously,
        // still in label order.
        let count = parent.len();
        let mut first_child = vec![0u32; count + 1];
        for &p in &parent[1..] {
            first_child[p as usize + 1] += 1;
        }
        for i in 0..count {
            first_child[i + 1] += first_child[i];
        }
        let mut fill = first_child.clone();
        let mut labels = vec![0u8; count - 1];
        let mut children = vec![0u32; count - 1];
        let mut root = Box::new([NONE; 256]);
        for node in 1..count {
            let p = parent[node] as usize;
            let slot = fill[p] as usize;
            fill[p] += 1;
            labels[slot] = label[node];
            children[slot] = node as u32;
            if p == 0 {
                root[label[node] as usize] = node as u32;
            }
        }
        Trie {
            root,
            first_child,
            labels,
            children,
            literal,
            trigger,
        }
    }

    /// Number of nodes, the root included.
    pub fn node_count(&self) -> usize {
        self.literal.len()
    }

    fn child(&self, node: u32, byte: u8) -> u32 {
        let from = self.first_child[node as usize] as usize;
        let to = self.first_child[node as usize + 1] as usize;
        let labels = &self.labels[from..to];
        let at = if labels.len() <= 8 {
            labels.iter().position(|&l| l == byte)
        } else {
            labels.binary_search(&byte).ok()
        };
        at.map_or(NONE, |i| self.children[from + i])
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
                let n = node as usize;
                if self.trigger[n] != NONE {
                    found(Key::Trigger(self.trigger[n]), start, end);
                }
                if self.literal[n] != NONE && (end == text.len() || !WORD[text[end] as usize]) {
                    found(Key::Literal(self.literal[n]), start, end);
                }
                if end == text.len() {
                    break;
                }
                node = self.child(node, text[end]);
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
            let order = |v: &mut Vec<(Key, usize, usize)>| v.sort_by_key(|(k, s, e)| (*s, *e, format!("{k:?}")));
            order(&mut walked);
            order(&mut brute);
            proptest::prop_assert_eq!(walked, brute);
        }
    }
}
