//! Which targets of a fleet a run takes: the lines of a targets file,
//! `--only PATTERN` and `--shard K/N`. Pure.

use std::str::FromStr;

/// `--shard K/N`: the K-th of N stable parts of a fleet, K counting from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not a shard: expected K/N with 1 <= K <= N, e.g. 1/4");
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether the target named `name` falls in this shard: by a hash of
    /// the name (BLAKE3, the same on every machine and in every release),
    /// so a target keeps its shard while the fleet grows or shrinks around
    /// it, and the N shards together take every target exactly once.
    pub fn holds(&self, name: &str) -> bool {
        let hash = blake3::hash(name.as_bytes());
        let head: [u8; 8] = hash.as_bytes()[..8].try_into().expect("8 bytes");
        u64::from_le_bytes(head) % self.count == self.index - 1
    }
}

/// Whether `name` matches a glob `pattern`: `*` any run of characters
/// (`/` and `:` included, so `*prod*` finds a URL), `?` any one character,
/// `[abc]` / `[a-z]` / `[!a]` a class; the rest literally.
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    matches_from(&pattern, &name)
}

fn matches_from(pattern: &[char], name: &[char]) -> bool {
    // Iterative with one backtrack point per `*`: linear enough for names.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() {
            match pattern[p] {
                '*' => {
                    star = Some((p, n));
                    p += 1;
                    continue;
                }
                '?' => {
                    p += 1;
                    n += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, len)) = class(&pattern[p..], name[n]) {
                        if matched {
                            p += len;
                            n += 1;
                            continue;
                        }
                    } else if name[n] == '[' {
                        p += 1;
                        n += 1;
                        continue;
                    }
                }
                c if c == name[n] => {
                    p += 1;
                    n += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((star_p, star_n)) => {
                p = star_p + 1;
                n = star_n + 1;
                star = Some((star_p, star_n + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// Whether `c` is in the class that starts `pattern` (at its `[`), and the
/// class's length; `None` when the `[` opens no class (no closing `]`).
fn class(pattern: &[char], c: char) -> Option<(bool, usize)> {
    let mut i = 1;
    let negated = matches!(pattern.get(i), Some('!') | Some('^'));
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < pattern.len() {
        let here = pattern[i];
        if here == ']' && !first {
            return Some((matched != negated, i + 1));
        }
        first = false;
        if pattern.get(i + 1) == Some(&'-') && pattern.get(i + 2).is_some_and(|&e| e != ']') {
            matched |= here <= c && c <= pattern[i + 2];
            i += 3;
        } else {
            matched |= here == c;
            i += 1;
        }
    }
    None
}

/// The URLs of a targets file: one a line, surrounding blanks trimmed;
/// blank lines and `#` comments (whole lines, or after ` #`) left out.
pub fn targets_file_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let line = match line.find(" #") {
                Some(comment) => &line[..comment],
                None => line,
            };
            let line = line.trim();
            (!line.is_empty() && !line.starts_with('#')).then(|| (index + 1, line.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse() {
        assert_eq!("1/4".parse(), Ok(Shard { index: 1, count: 4 }));
        assert_eq!(" 4/4 ".parse(), Ok(Shard { index: 4, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "4", "a/b", "1/4/2", "-1/4", ""] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.contains("is not a shard"), "{bad}: {err}");
        }
    }

    #[test]
    fn shards_cover_every_target_exactly_once_and_stay_put() {
        let names: Vec<String> = (0..1000).map(|i| format!("tenant_{i:04}")).collect();
        for count in [1, 2, 4, 7] {
            let shards: Vec<Shard> = (1..=count).map(|index| Shard { index, count }).collect();
            let mut sizes = vec![0; count as usize];
            for name in &names {
                let holders: Vec<&Shard> = shards.iter().filter(|s| s.holds(name)).collect();
                assert_eq!(holders.len(), 1, "{name} in {holders:?}");
                sizes[holders[0].index as usize - 1] += 1;
            }
            // Spread evenly enough: no shard with under half its share.
            let share = names.len() / count as usize;
            assert!(sizes.iter().all(|&n| n * 2 > share), "{count}: {sizes:?}");
        }
        // The same name, the same shard: a fixed expectation keeps the
        // hash from changing between releases unnoticed.
        let four: Vec<u64> = ["a", "b", "tenant_0001", "postgres://h/db"]
            .iter()
            .map(|name| {
                (1..=4)
                    .find(|&index| Shard { index, count: 4 }.holds(name))
                    .unwrap()
            })
            .collect();
        assert_eq!(four, SHARDS_OF_FOUR);
    }

    const SHARDS_OF_FOUR: [u64; 4] = [4, 1, 2, 1];

    #[test]
    fn globs() {
        let cases = [
            ("*", "anything", true),
            ("*", "", true),
            ("tenant_*", "tenant_0001", true),
            ("tenant_*", "other_0001", false),
            ("*prod*", "postgres://app:***@prod-1:5432/shop", true),
            ("tenant_00?1", "tenant_0011", true),
            ("tenant_00?1", "tenant_011", false),
            ("tenant_[0-4]*", "tenant_3x", true),
            ("tenant_[0-4]*", "tenant_5x", false),
            ("tenant_[!0-4]*", "tenant_5x", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("[oops", "[oops", true),
            ("sqlite:*/t1*.db", "sqlite:/tmp/x/t17.db", true),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(glob_matches(pattern, name), expected, "{pattern} ~ {name}");
        }
    }

    #[test]
    fn targets_files_skip_comments_and_blanks() {
        let text = "# tenants\npostgres://h/a\n\n  sqlite:b.db   # the old one\n#postgres://h/c\n";
        assert_eq!(
            targets_file_lines(text),
            [
                (2, "postgres://h/a".to_owned()),
                (4, "sqlite:b.db".to_owned())
            ]
        );
    }
}
