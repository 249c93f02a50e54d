//! What a person sees: suggestions for a mistyped id, drift diffs, colour on
//! each stream, and file names that try to talk to the terminal.

#[macro_use]
mod support;

use support::{Backend, Project};

#[test]
fn an_unknown_parent_is_never_offered_its_own_revision() {
    let p = Project::new(Backend::Sqlite);
    p.revision("0001_users", &[], "", "")
        .revision("0002_emails", &["0002_users"], "", "");
    p.run(&["heads"])
        .failure(1)
        .stderr_has("0002_emails names a parent that does not exist: `0002_users`")
        .stderr_lacks("did you mean `0002_emails`")
        .stderr_has("did you mean `0001_users`?");

    p.revision("0002_orders", &["0001_users"], "", "");
    p.run(&["heads"])
        .failure(1)
        .stderr_has("did you mean `0002_orders`?");
}

/// Two one-line edits 2,100 lines apart once printed 4,206 lines: the whole
/// file removed and added again.
#[test]
fn a_drift_diff_of_a_large_file_shows_two_small_hunks() {
    let p = Project::new(Backend::Sqlite);
    let rows: String = (1..=2_500)
        .map(|i| format!("INSERT INTO t VALUES ({i});\n"))
        .collect();
    p.revision(
        "0001_big",
        &[],
        &format!("CREATE TABLE t (n integer);\n{rows}"),
        "DROP TABLE t;",
    );
    p.run(&["upgrade"]).success();
    let path = p.path().join("versions/0001_big.up.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text
        .replace("VALUES (200);", "VALUES (-200);")
        .replace("VALUES (2300);", "VALUES (-2300);");
    std::fs::write(&path, edited).unwrap();

    let verify = p.run(&["verify"]);
    verify
        .failure(1)
        .stderr_has("    --- applied\n    +++ versions/0001_big.up.sql\n")
        .stderr_has("    -INSERT INTO t VALUES (200);\n    +INSERT INTO t VALUES (-200);\n")
        .stderr_has("    -INSERT INTO t VALUES (2300);\n    +INSERT INTO t VALUES (-2300);\n");
    let diff: Vec<&str> = verify
        .stderr
        .lines()
        .filter(|line| line.starts_with("    "))
        .collect();
    let hunks: Vec<&&str> = diff
        .iter()
        .filter(|line| line.starts_with("    @@ "))
        .collect();
    assert_eq!(hunks.len(), 2, "{verify:?}");
    // Two headers, and per hunk its @@ line, 6 of context, 1 out and 1 in.
    assert_eq!(diff.len(), 2 + 2 * 9, "{}", diff.join("\n"));
}
