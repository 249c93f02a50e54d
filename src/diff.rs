//! A unified diff of two texts, line by line, to show what changed in a
//! migration since it was applied.

use std::time::Duration;

use similar::TextDiff;

/// How many unchanged lines surround each change.
const CONTEXT: usize = 3;

/// Myers' algorithm is quick for the few edits a drift usually is, but two
/// large unrelated files would take it minutes; past this it settles for a
/// correct diff that may not be the shortest.
const TIME_LIMIT: Duration = Duration::from_secs(1);

/// A unified diff (`---`, `+++`, `@@` hunks with three lines of context)
/// from `old` to `new`; empty when they are equal. A last line without a
/// line end is marked `\ No newline at end of file`, as diff(1) and Git do.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::configure()
        .timeout(TIME_LIMIT)
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(CONTEXT)
        .header(old_name, new_name)
        .to_string()
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
            ("", "x\n", "--- old\n+++ new\n@@ -0,0 +1 @@\n+x\n"),
            ("x\n", "", "--- old\n+++ new\n@@ -1 +0,0 @@\n-x\n"),
            (
                "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
                "1\n2\n3\n4\n5\n6\n7\n8\n",
                "--- old\n+++ new\n@@ -6,4 +6,3 @@\n 6\n 7\n 8\n-9\n",
            ),
            (
                "a\nb",
                "a\nb\n",
                "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
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
    fn changes_within_seven_lines_share_a_hunk() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new = old
            .replace("\n5\n", "\nfive\n")
            .replace("\n12\n", "\ntwelve\n");
        let diff = unified(&old, &new, "old", "new");
        assert_eq!(diff.matches("@@ -").count(), 1, "{diff}");
        let new = old
            .replace("\n5\n", "\nfive\n")
            .replace("\n13\n", "\nthirteen\n");
        let diff = unified(&old, &new, "old", "new");
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
    }

    /// Two one-line edits 2,100 lines apart in a file of 2,500: two hunks of
    /// seven lines each, not the whole file removed and added again.
    #[test]
    fn far_apart_edits_in_a_large_file_make_two_small_hunks() {
        let old: String = (1..=2_500)
            .map(|i| format!("INSERT INTO t VALUES ({i});\n"))
            .collect();
        let new = old
            .replace("VALUES (200);", "VALUES (-200);")
            .replace("VALUES (2300);", "VALUES (-2300);");
        let diff = unified(&old, &new, "applied", "versions/0001_big.up.sql");
        let expected = "--- applied\n+++ versions/0001_big.up.sql\n\
             @@ -197,7 +197,7 @@\n \
             INSERT INTO t VALUES (197);\n \
             INSERT INTO t VALUES (198);\n \
             INSERT INTO t VALUES (199);\n\
             -INSERT INTO t VALUES (200);\n\
             +INSERT INTO t VALUES (-200);\n \
             INSERT INTO t VALUES (201);\n \
             INSERT INTO t VALUES (202);\n \
             INSERT INTO t VALUES (203);\n\
             @@ -2297,7 +2297,7 @@\n \
             INSERT INTO t VALUES (2297);\n \
             INSERT INTO t VALUES (2298);\n \
             INSERT INTO t VALUES (2299);\n\
             -INSERT INTO t VALUES (2300);\n\
             +INSERT INTO t VALUES (-2300);\n \
             INSERT INTO t VALUES (2301);\n \
             INSERT INTO t VALUES (2302);\n \
             INSERT INTO t VALUES (2303);\n";
        assert_eq!(diff, expected);
    }
}
