//! A unified diff of two texts, line by line, to show what changed in a
//! migration since it was applied.

/// How many unchanged lines surround each change.
const CONTEXT: usize = 3;

/// Past this many cells the edit table would cost too much memory: the diff
/// then shows the whole old text replaced by the whole new one.
const MAX_CELLS: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    Same(usize, usize),
    Removed(usize),
    Added(usize),
}

/// A unified diff (`---`, `+++`, `@@` hunks) from `old` to `new`; empty
/// when they are equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let edits = edits(&a, &b);
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    let changed: Vec<usize> = (0..edits.len())
        .filter(|&i| !matches!(edits[i], Edit::Same(..)))
        .collect();
    let mut i = 0;
    while i < changed.len() {
        let start = changed[i].saturating_sub(CONTEXT);
        let mut end = changed[i];
        while i < changed.len() && changed[i] <= end + 2 * CONTEXT + 1 {
            end = changed[i];
            i += 1;
        }
        let end = (end + CONTEXT + 1).min(edits.len());
        let hunk = &edits[start..end];
        let old_start = hunk.iter().find_map(|e| match e {
            Edit::Same(x, _) | Edit::Removed(x) => Some(*x),
            Edit::Added(_) => None,
        });
        let new_start = hunk.iter().find_map(|e| match e {
            Edit::Same(_, y) | Edit::Added(y) => Some(*y),
            Edit::Removed(_) => None,
        });
        let old_count = hunk.iter().filter(|e| !matches!(e, Edit::Added(_))).count();
        let new_count = hunk
            .iter()
            .filter(|e| !matches!(e, Edit::Removed(_)))
            .count();
        out.push_str(&format!(
            "@@ -{},{old_count} +{},{new_count} @@\n",
            old_start.map_or(0, |x| x + 1),
            new_start.map_or(0, |y| y + 1)
        ));
        for edit in hunk {
            match *edit {
                Edit::Same(x, _) => out.push_str(&format!(" {}\n", a[x])),
                Edit::Removed(x) => out.push_str(&format!("-{}\n", a[x])),
                Edit::Added(y) => out.push_str(&format!("+{}\n", b[y])),
            }
        }
    }
    if (!old.ends_with('\n') || !new.ends_with('\n')) && old.lines().eq(new.lines()) {
        out.push_str("(only the line end at the end of the file differs)\n");
    }
    out
}

/// The shortest edit script by the longest common subsequence, after
/// trimming the common start and end.
fn edits(a: &[&str], b: &[&str]) -> Vec<Edit> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut out: Vec<Edit> = (0..prefix).map(|i| Edit::Same(i, i)).collect();
    if (ma.len() + 1) * (mb.len() + 1) > MAX_CELLS {
        out.extend((0..ma.len()).map(|i| Edit::Removed(prefix + i)));
        out.extend((0..mb.len()).map(|j| Edit::Added(prefix + j)));
    } else {
        // lcs[i][j]: length of the LCS of ma[i..] and mb[j..].
        let width = mb.len() + 1;
        let mut lcs = vec![0u32; (ma.len() + 1) * width];
        for i in (0..ma.len()).rev() {
            for j in (0..mb.len()).rev() {
                lcs[i * width + j] = if ma[i] == mb[j] {
                    lcs[(i + 1) * width + j + 1] + 1
                } else {
                    lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < ma.len() || j < mb.len() {
            if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
                out.push(Edit::Same(prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if i < ma.len()
                && (j == mb.len() || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])
            {
                // Removals before additions, as diff(1) shows them.
                out.push(Edit::Removed(prefix + i));
                i += 1;
            } else {
                out.push(Edit::Added(prefix + j));
                j += 1;
            }
        }
    }
    let (ea, eb) = (a.len() - suffix, b.len() - suffix);
    out.extend((0..suffix).map(|k| Edit::Same(ea + k, eb + k)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs() {
        let cases = [
            ("a\nb\nc\n", "a\nb\nc\n", ""),
            (
                "a\nb\nc\n",
                "a\nB\nc\n",
                "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n",
            ),
            ("", "x\n", "--- old\n+++ new\n@@ -0,0 +1,1 @@\n+x\n"),
            (
                "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
                "1\n2\n3\n4\n5\n6\n7\n8\n",
                "--- old\n+++ new\n@@ -6,4 +6,3 @@\n 6\n 7\n 8\n-9\n",
            ),
        ];
        for (old, new, expected) in cases {
            assert_eq!(
                unified(old, new, "old", "new"),
                expected,
                "{old:?} -> {new:?}"
            );
        }
    }

    #[test]
    fn far_apart_changes_make_two_hunks() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("2\n", "two\n").replace("19\n", "nineteen\n");
        let diff = unified(&old, &new, "old", "new");
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
    }
}
