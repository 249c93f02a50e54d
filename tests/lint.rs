//! `verify --lint`: dangerous DDL in the up files still to run, through the
//! real binary, as text, JSON and GitHub annotations; which revisions are
//! read (not applied, changed since a Git revision, or all); the rules of
//! the database URL's backend; `-- migrator:allow`; `lint = true`.

#[macro_use]
mod support;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::{Backend, Project, Run};

/// `orders`, created by the first revision: it may hold rows by the time
/// a later revision runs.
fn orders(p: &Project) -> &Project {
    p.revision(
        "0001_orders",
        &[],
        "CREATE TABLE orders (id integer PRIMARY KEY, status varchar(20), note text);",
        "DROP TABLE orders;",
    )
}

/// A statement only `p`'s backend refuses to run safely, and its rule:
/// an index built while writes wait (PostgreSQL), an ALTER TABLE form that
/// fails (SQLite).
fn dangerous(p: &Project) -> (&'static str, &'static str) {
    match p.backend {
        Backend::Postgres => (
            "CREATE INDEX orders_status ON orders (status);",
            "index-not-concurrent",
        ),
        Backend::Sqlite => (
            "ALTER TABLE orders ALTER COLUMN status TYPE text;",
            "sqlite-alter-unsupported",
        ),
        Backend::Mysql => unreachable!("verify --lint has no MySQL rules"),
    }
}

/// The rule PostgreSQL adds for a statement that takes an ACCESS
/// EXCLUSIVE lock in a revision with no Lock-Timeout (as these have).
fn exclusive_lock(p: &Project) -> Option<&'static str> {
    (p.backend == Backend::Postgres).then_some("exclusive-lock-without-timeout")
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}): {}", run.stdout))
}

/// The `rule` of each problem of a `verify --format json` document.
fn rules(document: &Value) -> Vec<String> {
    document["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| problem["rule"].as_str().unwrap_or("-").to_owned())
        .collect()
}

sqlite_and_postgres!(
    fn lint_finds_the_backends_danger_and_says_where_and_what_instead(p: Project) {
        let (sql, rule) = dangerous(&p);
        orders(&p).revision(
            "0002_status",
            &["0001_orders"],
            &format!("SELECT 1;\n\n{sql}"),
            "",
        );
        // Without --lint, verify does not read the SQL.
        p.run(&["verify"]).success();

        let run = p.run(&["verify", "--lint"]);
        run.failure(1)
            .stderr_has(&format!("error[{rule}]: "))
            .stderr_has("  --> versions/0002_status.up.sql:6:1\n")
            .stderr_has(&format!("-- migrator:allow {rule} REASON"))
            .stderr_has("hint: ")
            .stdout_has("verify failed: 1 problem");
        if p.backend == Backend::Postgres {
            run.stderr_has(
                "`orders` was created by 0001_orders, not by this revision: it may hold rows",
            )
            .stderr_has("hint: build it with CREATE INDEX CONCURRENTLY");
        } else {
            run.stderr_has("SQLite's ALTER TABLE has no ALTER COLUMN: the statement fails");
        }
    }
);

sqlite_and_postgres!(
    fn the_rules_are_those_of_the_database_urls_backend(p: Project) {
        let (sql, rule) = dangerous(&p);
        let other = match p.backend {
            Backend::Postgres => "ALTER TABLE orders ALTER COLUMN status TYPE text;",
            Backend::Sqlite => "CREATE INDEX orders_status ON orders (status);",
            Backend::Mysql => unreachable!("verify --lint has no MySQL rules"),
        };
        orders(&p)
            .revision("0002_mine", &["0001_orders"], sql, "")
            .revision("0003_other", &["0002_mine"], other, "");
        let run = p.run(&["verify", "--lint", "--format", "json"]);
        run.failure(1);
        let document = json(&run);
        // Each backend's form of the other is safe on it: varchar to text
        // needs no rewrite, SQLite has no CONCURRENTLY to miss.
        let expected: Vec<&str> = [Some(rule), exclusive_lock(&p)]
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(rules(&document), expected, "{}", run.stdout);
        let backend = match p.backend {
            Backend::Postgres => "postgresql",
            Backend::Sqlite => "sqlite",
            Backend::Mysql => unreachable!("verify --lint has no MySQL rules"),
        };
        assert_eq!(document["lint"]["backend"], backend);
    }
);

sqlite_and_postgres!(
    fn json_names_kind_rule_place_and_what_was_read(p: Project) {
        let (sql, rule) = dangerous(&p);
        orders(&p).revision(
            "0002_status",
            &["0001_orders"],
            &format!("{sql}\nALTER TABLE orders DROP COLUMN note;"),
            "",
        );
        let run = p.run(&["verify", "--lint", "--format", "json"]);
        run.failure(1);
        let document = json(&run);
        assert_eq!(document["ok"], false);
        let problems = document["problems"].as_array().unwrap();
        let expected: Vec<&str> = [Some(rule), exclusive_lock(&p), Some("drop-column")]
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(rules(&document), expected);
        let first = &problems[0];
        assert_eq!(first["kind"], "lint");
        assert_eq!(first["level"], "error");
        assert_eq!(first["revision"], "0002_status");
        assert_eq!(first["file"], "versions/0002_status.up.sql");
        assert_eq!(first["line"], 4);
        assert_eq!(first["column"], 1);
        assert!(first["hint"].is_string());
        let second = &problems[expected.len() - 1];
        assert_eq!(second["level"], "warning");
        assert_eq!(second["line"], 5);
        assert_eq!(
            second["message"],
            "drops column `note` of `orders`: code still running may read or write it"
        );
        let lint = &document["lint"];
        // The database is empty, or there is none yet: every revision.
        let selection = match p.backend {
            Backend::Postgres => "pending",
            Backend::Sqlite => "all",
            Backend::Mysql => unreachable!("verify --lint has no MySQL rules"),
        };
        assert_eq!(lint["selection"], selection);
        assert_eq!(
            lint["revisions"],
            serde_json::json!(["0001_orders", "0002_status"])
        );
        assert_eq!(lint["statements"], 3);
        assert_eq!(lint["unparsed"], serde_json::json!([]));
        assert_eq!(lint["since"], Value::Null);
    }
);

sqlite_and_postgres!(
    fn github_annotations_carry_the_rule_in_their_title(p: Project) {
        let (sql, rule) = dangerous(&p);
        orders(&p).revision("0002_status", &["0001_orders"], sql, "");
        let run = p.run(&["verify", "--lint", "--format", "github"]);
        run.failure(1);
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 1, "{}", run.stdout);
        let start = format!(
            "::error file=versions/0002_status.up.sql,line=4,col=1,title=migrator verify%3A lint {rule}::"
        );
        assert!(lines[0].starts_with(&start), "{}", lines[0]);
        assert!(lines[0].contains("%0Ahint: "), "{}", lines[0]);
    }
);

sqlite_and_postgres!(
    fn warnings_alone_pass(p: Project) {
        orders(&p).revision(
            "0002_drop",
            &["0001_orders"],
            "ALTER TABLE orders RENAME COLUMN note TO remark;\nDROP TABLE orders;",
            "",
        );
        p.run(&["verify", "--lint"])
            .success()
            .stderr_has("warning[rename-column]: renames column `note` of `orders` to `remark`: code still running uses the old name\n  --> versions/0002_drop.up.sql:4:1\n")
            .stderr_has("warning[drop-table]: drops table `orders`: code still running may use it\n  --> versions/0002_drop.up.sql:5:1\n")
            .stdout_has("ok: 2 revisions, 1 head");
    }
);

sqlite_and_postgres!(
    fn revisions_the_database_applied_are_not_linted(p: Project) {
        orders(&p)
            .revision(
                "0002_old_danger",
                &["0001_orders"],
                "ALTER TABLE orders DROP COLUMN note;",
                "ALTER TABLE orders ADD COLUMN note text;",
            )
            .run(&["upgrade"])
            .success();
        let (sql, rule) = dangerous(&p);
        p.revision("0003_new", &["0002_old_danger"], sql, "");

        let run = p.run(&["verify", "--lint", "--format", "json"]);
        run.failure(1);
        let document = json(&run);
        assert_eq!(rules(&document), [rule], "the applied drop is not linted");
        assert_eq!(document["lint"]["selection"], "pending");
        assert_eq!(
            document["lint"]["revisions"],
            serde_json::json!(["0003_new"])
        );
        p.run(&["verify", "--lint"])
            .failure(1)
            .stderr_lacks("drop-column")
            .stderr_has("versions/0003_new.up.sql:4:1");
        let summary = document["summary"].as_array().unwrap();
        let backend = match p.backend {
            Backend::Postgres => "PostgreSQL",
            Backend::Sqlite => "SQLite",
            Backend::Mysql => unreachable!("verify --lint has no MySQL rules"),
        };
        assert!(
            summary[2].as_str().unwrap().starts_with(&format!(
                "lint ({backend} rules) of 1 revision not applied to "
            )),
            "{summary:?}"
        );

        // Once applied (SQLite would refuse the statement: stamp it), there
        // is nothing left to lint.
        p.run(&["stamp", "head"]).success();
        p.run(&["verify", "--lint"])
            .success()
            .stdout_has("lint (")
            .stdout_has(" rules) of 0 revisions not applied to ");
    }
);

sqlite_and_postgres!(
    fn allow_silences_a_reviewed_statement_and_a_bad_allow_is_a_finding(p: Project) {
        let (sql, rule) = dangerous(&p);
        orders(&p).revision(
            "0002_status",
            &["0001_orders"],
            &format!("-- migrator:allow {rule} orders holds a dozen rows\n{sql}"),
            "",
        );
        p.run(&["verify", "--lint"]).success();

        p.revision(
            "0002_status",
            &["0001_orders"],
            &format!("-- migrator:allow {rule}\n{sql}\nDROP TABLE orders; -- migrator:allow drop-tabel gone"),
            "",
        );
        let run = p.run(&["verify", "--lint", "--format", "json"]);
        run.failure(1);
        let document = json(&run);
        let expected: Vec<&str> = [
            Some("invalid-allow"),
            Some(rule),
            Some("invalid-allow"),
            exclusive_lock(&p),
            Some("drop-table"),
        ]
        .into_iter()
        .flatten()
        .collect();
        assert_eq!(rules(&document), expected, "{}", run.stdout);
        p.run(&["verify", "--lint"])
            .failure(1)
            .stderr_has(&format!(
                "error[invalid-allow]: `-- migrator:allow {rule}` gives no reason\n  --> versions/0002_status.up.sql:4:1\n"
            ))
            .stderr_has("error[invalid-allow]: `-- migrator:allow drop-tabel`: no such rule\n  --> versions/0002_status.up.sql:6:20\n")
            .stderr_has("hint: did you mean `drop-table`?");
    }
);

sqlite_and_postgres!(
    fn lint_true_in_migrator_toml_lints_every_verify(p: Project) {
        let (sql, rule) = dangerous(&p);
        orders(&p).revision("0002_status", &["0001_orders"], sql, "");
        p.run(&["verify"]).success();
        p.file("migrator.toml", "lint = true\n");
        p.run(&["verify"])
            .failure(1)
            .stderr_has(&format!("error[{rule}]"));
        p.file("migrator.toml", "lint = false\n");
        p.run(&["verify"]).success();
    }
);

sqlite_and_postgres!(
    fn statements_the_parser_cannot_read_are_noted_not_flagged(p: Project) {
        orders(&p).revision(
            "0002_stats",
            &["0001_orders"],
            "ALTER TABLE orders ALTER COLUMN status SET STATISTICS 500;",
            "",
        );
        p.run(&["verify", "--lint"])
            .success()
            .stdout_has(" rules) of 2 revisions")
            .stdout_has(", 1 statement not parsed")
            .stderr_has("note: the lint could not parse 1 statement, and did not check it:\n  versions/0002_stats.up.sql:4:1: Expected: ")
            .stderr_has(", found: SET (line 4, column 40)\n");
        p.run(&["verify", "--lint", "--format", "github"])
            .success()
            .stdout_has("::notice file=versions/0002_stats.up.sql,line=4,col=1,title=migrator verify%3A lint::the lint could not parse this statement, and did not check it: Expected: ");
        let document = json(&p.run(&["verify", "--lint", "--format", "json"]));
        let unparsed = &document["lint"]["unparsed"][0];
        assert_eq!(unparsed["revision"], "0002_stats");
        assert_eq!(unparsed["line"], 4);
    }
);

/// On PostgreSQL the lint says before the server does that CONCURRENTLY
/// cannot run in a transaction; with `-- Transaction: off` both agree.
#[test]
fn concurrently_in_a_transactional_revision_is_caught_before_the_server_refuses_it() {
    let p = Project::new(Backend::Postgres);
    orders(&p).run(&["upgrade"]).success();
    let index = "CREATE INDEX CONCURRENTLY orders_status ON orders (status);";
    p.revision(
        "0002_index",
        &["0001_orders"],
        index,
        "DROP INDEX orders_status;",
    );
    p.run(&["verify", "--lint"])
        .failure(1)
        .stderr_has("error[cannot-run-in-transaction]: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and 0002_index runs in one: the revision fails\n  --> versions/0002_index.up.sql:4:1\n")
        .stderr_has("hint: run the revision without a transaction: `-- Transaction: off`");
    p.run(&["upgrade"])
        .failure(1)
        .stderr_has("cannot run inside a transaction block");

    p.file(
        "versions/0002_index.up.sql",
        &format!("-- Parents: 0001_orders\n-- Transaction: off\n\n{index}\n"),
    );
    p.run(&["verify", "--lint"]).success();
    p.run(&["upgrade"]).success();
}

/// Runs git in `dir`, as a user with a name.
fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {output:?}");
}

#[test]
fn since_lints_what_changed_since_a_git_revision() {
    let p = Project::new(Backend::Sqlite);
    orders(&p).revision(
        "0002_old",
        &["0001_orders"],
        "ALTER TABLE orders DROP COLUMN note;",
        "",
    );
    git(p.path(), &["init", "-q"]);
    git(p.path(), &["add", "versions"]);
    git(p.path(), &["commit", "-q", "-m", "base"]);
    git(p.path(), &["branch", "base"]);
    // A committed change, an edit not committed, and a revision not added.
    p.revision(
        "0003_committed",
        &["0002_old"],
        "ALTER TABLE orders RENAME TO purchases;",
        "",
    );
    git(p.path(), &["add", "versions"]);
    git(p.path(), &["commit", "-q", "-m", "more"]);
    p.revision(
        "0001_orders",
        &[],
        "CREATE TABLE orders (id integer PRIMARY KEY, status varchar(20), note text);\nDROP TABLE audit;",
        "DROP TABLE orders;",
    );
    p.revision(
        "0004_untracked",
        &["0003_committed"],
        "ALTER TABLE purchases ALTER COLUMN status TYPE text;",
        "",
    );

    let run = p.run(&["verify", "--lint", "--since", "base", "--format", "json"]);
    run.failure(1);
    let document = json(&run);
    assert_eq!(
        rules(&document),
        ["drop-table", "rename-table", "sqlite-alter-unsupported"],
        "0002_old did not change: its drop is not linted"
    );
    assert_eq!(document["lint"]["selection"], "since");
    assert_eq!(document["lint"]["since"], "base");
    assert_eq!(
        document["lint"]["revisions"],
        serde_json::json!(["0001_orders", "0003_committed", "0004_untracked"])
    );
    // --since alone implies --lint; from a subfolder, --dir names it.
    std::fs::create_dir(p.path().join("sub")).unwrap();
    let run = p.command_in(
        &p.path().join("sub"),
        &[
            "--dir",
            "../versions",
            "verify",
            "--since",
            "HEAD",
            "--format",
            "json",
        ],
    );
    run.failure(1);
    let document = json(&run);
    assert_eq!(
        document["lint"]["revisions"],
        serde_json::json!(["0001_orders", "0004_untracked"])
    );
    assert_eq!(
        document["summary"][1],
        "lint (SQLite rules) of 2 revisions changed since HEAD"
    );

    p.run(&["verify", "--lint", "--since", "no-such-branch"])
        .failure(1)
        .stderr_has("error: --since no-such-branch: `no-such-branch` is not a commit of the Git repository at ")
        .stderr_has("fetch-depth: 0");
}

#[test]
fn since_outside_a_git_repository_says_so() {
    let p = Project::new(Backend::Sqlite);
    orders(&p);
    let run = p.run(&["verify", "--since", "main", "--format", "json"]);
    run.failure(1)
        .stderr_has("is not in a Git repository")
        .stderr_has("hint: run it in a clone of the repository");
    let document = json(&run);
    assert_eq!(document["error"]["kind"], "refused");
}

#[test]
fn docs_lint_md_lists_every_rule_with_its_level() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lint.md");
    let doc = std::fs::read_to_string(path).expect("docs/lint.md");
    for rule in migrator::lint::RULES {
        let level = match rule.level {
            migrator::diagnostic::Level::Error => "error",
            migrator::diagnostic::Level::Warning => "warning",
        };
        let row = doc
            .lines()
            .find(|line| line.starts_with("| [`") && line.contains(&format!("`{}`", rule.id)))
            .unwrap_or_else(|| panic!("docs/lint.md's table has no row for {}", rule.id));
        assert!(row.contains(&format!("| {level} |")), "{}: {row}", rule.id);
    }
}

/// `-- migrator:allow` is no header line: it may follow the header at once.
#[test]
fn an_allow_right_under_the_header_belongs_to_the_statement() {
    let p = Project::new(Backend::Sqlite);
    p.file(
        "versions/0001_drop.up.sql",
        "-- Parents:\n-- migrator:allow drop-table gone from the code since 1.0\nDROP TABLE legacy;\n",
    )
    .file("versions/0001_drop.down.sql", "");
    p.run(&["verify", "--lint"])
        .success()
        .stderr_lacks("drop-table");
}
