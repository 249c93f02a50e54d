//! Each rule on its dangerous form (flagged) and its safe forms (not), on a
//! folder of two revisions: `0001_before` creates the tables, `0002_this`
//! is linted.

use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::diagnostic::Level;
use crate::source::revision::{Revision, SqlFile};

use Backend::{Postgresql, Sqlite};

/// The tables every case starts from, created by `0001_before`.
const BEFORE: &str = "
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    status varchar(20) NOT NULL,
    total numeric(10,2),
    note text,
    placed_at timestamp,
    customer_id bigint
);
CREATE TABLE customers (id bigint PRIMARY KEY, name text);
ALTER TABLE customers ADD COLUMN code varchar(8);
ALTER TABLE customers RENAME COLUMN name TO full_name;
";

fn revision(id: &str, parents: &[&str], sql: &str, transactional: bool) -> Revision {
    let file = |suffix: &str, sql: &str| SqlFile {
        path: PathBuf::from(format!("versions/{id}.{suffix}.sql")),
        sql: sql.to_owned(),
        checksum: String::new(),
    };
    Revision {
        id: id.to_owned(),
        number: crate::source::file_name::Number::parse(&id[..4]).unwrap(),
        parents: parents.iter().map(|p| p.to_string()).collect(),
        parents_line: 1,
        message: None,
        created: None,
        transactional,
        timeouts: Default::default(),
        repeatable: false,
        replaces: Vec::new(),
        has_down_file: true,
        placeholders: None,
        up: file("up", sql),
        down: file("down", ""),
    }
}

/// A default lock timeout, so that each rule's cases show that rule's
/// findings alone; `exclusive-lock-without-timeout` has its own cases.
const LOCK_TIMEOUT: Option<Duration> = Some(Duration::from_secs(5));

fn lint_with(backend: Backend, sql: &str, transactional: bool) -> Linted {
    let graph = RevisionGraph::new(vec![
        revision("0001_before", &[], BEFORE, true),
        revision("0002_this", &["0001_before"], sql, transactional),
    ])
    .unwrap();
    lint(&graph, &[1], backend, LOCK_TIMEOUT)
}

/// The rules `sql` breaks, in a transactional revision.
fn rules_of(backend: Backend, sql: &str) -> Vec<&'static str> {
    rules_in(backend, sql, true)
}

fn rules_in(backend: Backend, sql: &str, transactional: bool) -> Vec<&'static str> {
    let linted = lint_with(backend, sql, transactional);
    assert_eq!(linted.unparsed, [], "{sql}");
    linted
        .findings
        .iter()
        .map(|finding| finding.rule.expect("a lint finding names its rule"))
        .collect()
}

#[track_caller]
fn assert_cases(backend: Backend, cases: &[(&str, &[&str])]) {
    for (sql, expected) in cases {
        assert_eq!(rules_of(backend, sql), *expected, "{sql}");
    }
}

#[test]
fn index_not_concurrent() {
    assert_cases(
        Postgresql,
        &[
            (
                "CREATE INDEX orders_status ON orders (status)",
                &["index-not-concurrent"],
            ),
            (
                "create unique index on public.orders (id)",
                &["index-not-concurrent"],
            ),
            // A table nobody here created (older than the folder).
            ("CREATE INDEX ON legacy (a)", &["index-not-concurrent"]),
            // Options the parser does not know: the words are enough.
            (
                "CREATE INDEX i ON ONLY orders (a) WITH (fillfactor = 70) TABLESPACE fast",
                &["index-not-concurrent"],
            ),
            (
                "CREATE INDEX IF NOT EXISTS \"on\" ON \"public\".orders USING gin (note)",
                &["index-not-concurrent"],
            ),
            // A table this revision creates is empty: no danger.
            (
                "CREATE TABLE items (id int); CREATE INDEX ON items (id)",
                &[],
            ),
            (
                "CREATE TABLE IF NOT EXISTS \"Items\" (id int); CREATE INDEX ON \"Items\" (id)",
                &[],
            ),
            // Case folds, quotes do not.
            (
                "CREATE TABLE Items (id int); CREATE INDEX ON items (id)",
                &[],
            ),
            (
                "CREATE TABLE \"Items\" (id int); CREATE INDEX ON items (id)",
                &["index-not-concurrent"],
            ),
            (
                "CREATE TABLE items (id int); ALTER TABLE items RENAME TO goods; CREATE INDEX ON goods (id)",
                &[],
            ),
            // SQLite has no CONCURRENTLY: the rule is PostgreSQL's.
        ],
    );
    assert_eq!(
        rules_of(Sqlite, "CREATE INDEX orders_status ON orders (status)"),
        [] as [&str; 0]
    );
    assert_eq!(
        rules_in(
            Postgresql,
            "CREATE INDEX CONCURRENTLY orders_status ON orders (status)",
            false
        ),
        [] as [&str; 0]
    );
}

#[test]
fn index_not_concurrent_names_where_the_table_comes_from() {
    let notes = |sql: &str| lint_with(Postgresql, sql, true).findings[0].notes[0].clone();
    assert_eq!(
        notes("CREATE INDEX ON orders (status)"),
        "`orders` was created by 0001_before, not by this revision: it may hold rows"
    );
    assert_eq!(
        notes("CREATE INDEX ON legacy (a)"),
        "`legacy` is not created by this revision: it may hold rows"
    );
}

#[test]
fn cannot_run_in_transaction() {
    let flagged = [
        "CREATE INDEX CONCURRENTLY orders_status ON orders (status)",
        "create unique index concurrently on orders (id)",
        "DROP INDEX CONCURRENTLY orders_status",
        "REINDEX INDEX CONCURRENTLY orders_status",
        "REINDEX (VERBOSE, CONCURRENTLY) TABLE orders",
        "REINDEX DATABASE app",
        "ALTER TABLE measurements DETACH PARTITION m2020 CONCURRENTLY",
        "VACUUM orders",
        "CREATE DATABASE other",
        "ALTER SYSTEM SET work_mem = '64MB'",
    ];
    for sql in flagged {
        let found = rules_in(Postgresql, sql, true);
        assert!(
            found.contains(&"cannot-run-in-transaction"),
            "{sql}: {found:?}"
        );
        let found = rules_in(Postgresql, sql, false);
        assert!(
            !found.contains(&"cannot-run-in-transaction"),
            "{sql} (Transaction: off): {found:?}"
        );
    }
    for sql in [
        "REINDEX INDEX orders_status",
        "DROP INDEX orders_status",
        "ALTER TABLE measurements DETACH PARTITION m2020",
        "CREATE TABLE vacuum (id int)",
    ] {
        assert_eq!(rules_in(Postgresql, sql, true), [] as [&str; 0], "{sql}");
    }
}

#[test]
fn cannot_run_in_transaction_says_why() {
    let linted = lint_with(
        Postgresql,
        "\n  CREATE INDEX CONCURRENTLY i ON orders (status);",
        true,
    );
    let finding = &linted.findings[0];
    assert_eq!(
        finding.message,
        "CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and 0002_this runs in one: the revision fails"
    );
    assert_eq!(finding.level, Level::Error);
    assert_eq!(finding.location().unwrap(), "versions/0002_this.up.sql:2:3");
    assert_eq!(finding.revision.as_deref(), Some("0002_this"));
    assert_eq!(finding.kind, "lint");
}

#[test]
fn add_enum_value_in_transaction() {
    assert_eq!(
        rules_in(Postgresql, "ALTER TYPE mood ADD VALUE 'calm'", true),
        ["add-enum-value-in-transaction"]
    );
    assert_eq!(
        rules_in(
            Postgresql,
            "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'calm' AFTER 'sad'",
            false
        ),
        [] as [&str; 0]
    );
    assert_eq!(
        rules_in(Postgresql, "ALTER TYPE mood RENAME VALUE 'a' TO 'b'", true),
        [] as [&str; 0]
    );
}

#[test]
fn not_null_without_default() {
    assert_cases(
        Postgresql,
        &[
            (
                "ALTER TABLE orders ADD COLUMN region text NOT NULL",
                &["not-null-without-default"],
            ),
            (
                "ALTER TABLE orders ADD region text NOT NULL DEFAULT NULL",
                &["not-null-without-default"],
            ),
            (
                "ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu'",
                &[],
            ),
            ("ALTER TABLE orders ADD COLUMN region text", &[]),
            (
                "CREATE TABLE items (id int); ALTER TABLE items ADD COLUMN region text NOT NULL",
                &[],
            ),
        ],
    );
}

#[test]
fn volatile_default() {
    assert_cases(
        Postgresql,
        &[
            (
                "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()",
                &["volatile-default"],
            ),
            (
                "ALTER TABLE orders ADD COLUMN r float8 NOT NULL DEFAULT random() * 10",
                &["volatile-default"],
            ),
            (
                "ALTER TABLE orders ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp()",
                &["volatile-default"],
            ),
            (
                "ALTER TABLE orders ADD COLUMN n bigint DEFAULT nextval('orders_n_seq')",
                &["volatile-default"],
            ),
            (
                "ALTER TABLE orders ADD COLUMN n bigserial",
                &["volatile-default"],
            ),
            (
                "ALTER TABLE orders ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY",
                &["volatile-default"],
            ),
            (
                "ALTER TABLE orders ADD COLUMN double_total numeric GENERATED ALWAYS AS (total * 2) STORED",
                &["volatile-default"],
            ),
            // Stable or constant: stored once in the catalog (PostgreSQL 11+).
            (
                "ALTER TABLE orders ADD COLUMN seen_at timestamptz DEFAULT now()",
                &[],
            ),
            (
                "ALTER TABLE orders ADD COLUMN seen_at timestamptz NOT NULL DEFAULT current_timestamp",
                &[],
            ),
            (
                "ALTER TABLE orders ADD COLUMN flags int NOT NULL DEFAULT 0",
                &[],
            ),
            (
                "ALTER TABLE orders ALTER COLUMN note SET DEFAULT gen_random_uuid()::text",
                &[],
            ),
            (
                "CREATE TABLE items (id int); ALTER TABLE items ADD COLUMN token uuid DEFAULT gen_random_uuid()",
                &[],
            ),
        ],
    );
}

#[test]
fn type_change_rewrite() {
    assert_cases(
        Postgresql,
        &[
            (
                "ALTER TABLE orders ALTER COLUMN id TYPE text",
                &["type-change-rewrite"],
            ),
            (
                "ALTER TABLE orders ALTER COLUMN status TYPE varchar(10)",
                &["type-change-rewrite"],
            ),
            (
                "ALTER TABLE orders ALTER COLUMN total TYPE numeric(10,3)",
                &["type-change-rewrite"],
            ),
            (
                "ALTER TABLE orders ALTER COLUMN placed_at TYPE timestamptz",
                &["type-change-rewrite"],
            ),
            (
                "ALTER TABLE orders ALTER COLUMN status TYPE text USING status || ''",
                &["type-change-rewrite"],
            ),
            // The old type is not in the folder.
            (
                "ALTER TABLE legacy ALTER COLUMN a TYPE text",
                &["type-change-rewrite"],
            ),
            (
                "ALTER TABLE orders ALTER COLUMN missing TYPE text",
                &["type-change-rewrite"],
            ),
            // Binary coercible, nothing to check: no rewrite.
            (
                "ALTER TABLE orders ALTER COLUMN status TYPE varchar(50)",
                &[],
            ),
            (
                "ALTER TABLE orders ALTER COLUMN status SET DATA TYPE text",
                &[],
            ),
            ("ALTER TABLE orders ALTER COLUMN note TYPE varchar", &[]),
            (
                "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2)",
                &[],
            ),
            // The type an earlier revision gave, through a rename.
            (
                "ALTER TABLE customers ALTER COLUMN code TYPE varchar(16)",
                &[],
            ),
            (
                "ALTER TABLE customers ALTER COLUMN full_name TYPE varchar(16)",
                &["type-change-rewrite"],
            ),
            (
                "ALTER TABLE customers ALTER COLUMN full_name TYPE varchar",
                &[],
            ),
            // Earlier in the same revision.
            (
                "ALTER TABLE orders ALTER COLUMN status TYPE varchar(50); ALTER TABLE orders ALTER COLUMN status TYPE varchar(30)",
                &["type-change-rewrite"],
            ),
        ],
    );
}

#[test]
fn type_change_rewrite_says_what_the_type_was() {
    let linted = lint_with(
        Postgresql,
        "ALTER TABLE orders ALTER COLUMN status TYPE varchar(10)",
        true,
    );
    assert_eq!(
        linted.findings[0].notes[0],
        "`status` is `VARCHAR(20)` (as 0001_before left it)"
    );
}

#[test]
fn constraint_not_valid() {
    assert_cases(
        Postgresql,
        &[
            (
                "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)",
                &["constraint-not-valid"],
            ),
            (
                "ALTER TABLE orders ADD CHECK (total >= 0)",
                &["constraint-not-valid"],
            ),
            (
                "ALTER TABLE orders ADD COLUMN parent_id bigint REFERENCES orders (id)",
                &["constraint-not-valid"],
            ),
            (
                "ALTER TABLE orders ADD COLUMN weight int CHECK (weight > 0)",
                &["constraint-not-valid"],
            ),
            (
                "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID",
                &[],
            ),
            (
                "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total >= 0) NOT VALID",
                &[],
            ),
            ("ALTER TABLE orders VALIDATE CONSTRAINT total_positive", &[]),
            (
                "CREATE TABLE items (id int, o bigint); ALTER TABLE items ADD FOREIGN KEY (o) REFERENCES orders (id)",
                &[],
            ),
        ],
    );
}

#[test]
fn constraint_builds_index() {
    assert_cases(
        Postgresql,
        &[
            (
                "ALTER TABLE orders ADD CONSTRAINT orders_note_key UNIQUE (note)",
                &["constraint-builds-index"],
            ),
            (
                "ALTER TABLE customers ADD PRIMARY KEY (id)",
                &["constraint-builds-index"],
            ),
            (
                "ALTER TABLE orders ADD COLUMN ref text UNIQUE",
                &["constraint-builds-index"],
            ),
            (
                "ALTER TABLE orders ADD CONSTRAINT orders_note_key UNIQUE USING INDEX orders_note_idx",
                &[],
            ),
            (
                "CREATE TABLE items (id int); ALTER TABLE items ADD PRIMARY KEY (id)",
                &[],
            ),
        ],
    );
}

#[test]
fn set_not_null() {
    assert_cases(
        Postgresql,
        &[
            (
                "ALTER TABLE orders ALTER COLUMN note SET NOT NULL",
                &["set-not-null"],
            ),
            ("ALTER TABLE orders ALTER COLUMN note DROP NOT NULL", &[]),
            // A valid CHECK (note IS NOT NULL) first: PostgreSQL 12+ reads nothing.
            (
                "ALTER TABLE orders ADD CONSTRAINT note_nn CHECK (note IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT note_nn;\nALTER TABLE orders ALTER COLUMN note SET NOT NULL",
                &[],
            ),
            // Not validated, or about another column: still read.
            (
                "ALTER TABLE orders ADD CONSTRAINT note_nn CHECK (note IS NOT NULL) NOT VALID;\nALTER TABLE orders ALTER COLUMN note SET NOT NULL",
                &["set-not-null"],
            ),
            (
                "ALTER TABLE orders ADD CONSTRAINT total_nn CHECK (total IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT total_nn;\nALTER TABLE orders ALTER COLUMN note SET NOT NULL",
                &["set-not-null"],
            ),
            (
                "CREATE TABLE items (a int); ALTER TABLE items ALTER COLUMN a SET NOT NULL",
                &[],
            ),
        ],
    );
    let linted = lint_with(
        Postgresql,
        "ALTER TABLE orders ALTER COLUMN note SET NOT NULL",
        true,
    );
    assert_eq!(linted.findings[0].level, Level::Warning);
}

#[test]
fn drops_and_renames() {
    for backend in [Postgresql, Sqlite] {
        assert_cases(
            backend,
            &[
                ("DROP TABLE orders", &["drop-table"]),
                ("DROP TABLE IF EXISTS orders, customers", &["drop-table"]),
                ("ALTER TABLE orders DROP COLUMN note", &["drop-column"]),
                (
                    "ALTER TABLE orders RENAME COLUMN note TO remark",
                    &["rename-column"],
                ),
                (
                    "ALTER TABLE orders RENAME note TO remark",
                    &["rename-column"],
                ),
                ("ALTER TABLE orders RENAME TO purchases", &["rename-table"]),
                ("CREATE TABLE tmp (a int); DROP TABLE tmp", &[]),
                (
                    "CREATE TABLE tmp (a int, b int); ALTER TABLE tmp DROP COLUMN b",
                    &[],
                ),
                (
                    "CREATE TABLE tmp (a int); ALTER TABLE tmp RENAME TO kept",
                    &[],
                ),
                (
                    "CREATE TABLE tmp (a int); ALTER TABLE tmp RENAME a TO b",
                    &[],
                ),
                ("DROP VIEW order_totals", &[]),
                // Replaced in the same revision, SQLite's way to change a table.
                (
                    "CREATE TABLE orders_new (id bigint PRIMARY KEY, status text);\nINSERT INTO orders_new SELECT id, status FROM orders;\nDROP TABLE orders;\nALTER TABLE orders_new RENAME TO orders",
                    &[],
                ),
                ("DROP TABLE orders; CREATE TABLE orders (id int)", &[]),
                ("CREATE TABLE orders (id int); DROP TABLE orders", &[]),
            ],
        );
    }
    let linted = lint_with(Postgresql, "DROP TABLE orders", true);
    assert_eq!(linted.findings[0].level, Level::Warning);
    assert_eq!(
        linted.findings[0].message,
        "drops table `orders`: code still running may use it"
    );
}

/// The SQLite cases run on SQLite too: the dangerous form must fail there
/// and the safe one succeed, so the rules say what SQLite does.
#[track_caller]
fn assert_sqlite_cases(cases: &[(&str, &[&str])]) {
    for (sql, expected) in cases {
        assert_eq!(rules_of(Sqlite, sql), *expected, "{sql}");
        // A build without SQLite checks the rules alone.
        #[cfg(feature = "sqlite")]
        {
            let db = rusqlite::Connection::open_in_memory().unwrap();
            db.execute_batch(BEFORE).unwrap();
            db.execute("INSERT INTO orders (id, status) VALUES (1, 'new')", [])
                .unwrap();
            let ran = db.execute_batch(sql);
            assert_eq!(
                ran.is_err(),
                !expected.is_empty(),
                "SQLite on {sql}: {ran:?}"
            );
        }
    }
}

#[test]
fn sqlite_alter_unsupported() {
    assert_sqlite_cases(&[
        (
            "ALTER TABLE orders ALTER COLUMN note TYPE varchar(10)",
            &["sqlite-alter-unsupported"],
        ),
        (
            "ALTER TABLE orders ALTER COLUMN note SET NOT NULL",
            &["sqlite-alter-unsupported"],
        ),
        (
            "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total >= 0)",
            &["sqlite-alter-unsupported"],
        ),
        (
            "ALTER TABLE orders DROP CONSTRAINT total_positive",
            &["sqlite-alter-unsupported"],
        ),
        (
            "ALTER TABLE orders ADD COLUMN a int, ADD COLUMN b int",
            &["sqlite-alter-unsupported"],
        ),
        // Even on a table of this revision: SQLite refuses the form.
        (
            "CREATE TABLE items (a int); ALTER TABLE items ALTER COLUMN a TYPE text",
            &["sqlite-alter-unsupported"],
        ),
        (
            "ALTER TABLE orders ADD COLUMN a int; ALTER TABLE orders ADD COLUMN b int",
            &[],
        ),
    ]);
    let linted = lint_with(
        Sqlite,
        "ALTER TABLE orders ALTER COLUMN note TYPE varchar(10)",
        true,
    );
    assert_eq!(
        linted.findings[0].message,
        "SQLite's ALTER TABLE has no ALTER COLUMN: the statement fails"
    );
}

#[test]
fn sqlite_add_column_unsupported() {
    assert_sqlite_cases(&[
        (
            "ALTER TABLE orders ADD COLUMN code text UNIQUE",
            &["sqlite-add-column-unsupported"],
        ),
        (
            "ALTER TABLE orders ADD COLUMN code int PRIMARY KEY",
            &["sqlite-add-column-unsupported"],
        ),
        (
            "ALTER TABLE orders ADD COLUMN region text NOT NULL",
            &["sqlite-add-column-unsupported"],
        ),
        (
            "ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT NULL",
            &["sqlite-add-column-unsupported"],
        ),
        (
            "ALTER TABLE orders ADD COLUMN seen_at text DEFAULT CURRENT_TIMESTAMP",
            &["sqlite-add-column-unsupported"],
        ),
        (
            "ALTER TABLE orders ADD COLUMN r int DEFAULT (random())",
            &["sqlite-add-column-unsupported"],
        ),
        (
            "ALTER TABLE orders ADD COLUMN d int GENERATED ALWAYS AS (id * 2) STORED",
            &["sqlite-add-column-unsupported"],
        ),
        (
            "ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu'",
            &[],
        ),
        ("ALTER TABLE orders ADD COLUMN delta int DEFAULT -1", &[]),
        ("ALTER TABLE orders ADD COLUMN seen_at text", &[]),
        (
            "ALTER TABLE orders ADD COLUMN d int GENERATED ALWAYS AS (id * 2) VIRTUAL",
            &[],
        ),
        (
            "ALTER TABLE orders ADD COLUMN weight int CHECK (weight > 0)",
            &[],
        ),
    ]);
}

#[test]
fn allow_silences_one_rule_for_one_statement() {
    let cases: &[(&str, &[&str])] = &[
        (
            "-- migrator:allow drop-column nothing reads it since 1.4\nALTER TABLE orders DROP COLUMN note;",
            &[],
        ),
        (
            "ALTER TABLE orders DROP COLUMN note; -- migrator:allow drop-column unused since 1.4",
            &[],
        ),
        (
            "ALTER TABLE orders -- migrator:allow drop-column unused since 1.4\n  DROP COLUMN note;",
            &[],
        ),
        (
            "-- migrator:allow drop-table the code moved to purchases in 2.0\n-- migrator:allow drop-column unused\nALTER TABLE orders DROP COLUMN note;",
            &[],
        ),
        // Another rule, or another statement, is still flagged.
        (
            "-- migrator:allow drop-table unused\nALTER TABLE orders DROP COLUMN note;",
            &["drop-column"],
        ),
        (
            "-- migrator:allow drop-column unused\nALTER TABLE orders DROP COLUMN note;\nALTER TABLE orders DROP COLUMN total;",
            &["drop-column"],
        ),
        // Not right before: silences nothing, and says so.
        (
            "-- migrator:allow drop-column unused\n\nALTER TABLE orders DROP COLUMN note;",
            &["invalid-allow", "drop-column"],
        ),
        // Without a reason, or naming no rule: the same.
        (
            "-- migrator:allow drop-column\nALTER TABLE orders DROP COLUMN note;",
            &["invalid-allow", "drop-column"],
        ),
        (
            "-- migrator:allow drop-colum unused\nALTER TABLE orders DROP COLUMN note;",
            &["invalid-allow", "drop-column"],
        ),
    ];
    assert_cases(Postgresql, cases);
}

#[test]
fn a_bad_allow_names_its_file_and_line() {
    let linted = lint_with(
        Postgresql,
        "SELECT 1;\n\n-- migrator:allow drop-column\nALTER TABLE orders DROP COLUMN note;",
        true,
    );
    let finding = &linted.findings[0];
    assert_eq!(finding.rule, Some("invalid-allow"));
    assert_eq!(finding.level, Level::Error);
    assert_eq!(finding.location().unwrap(), "versions/0002_this.up.sql:3:1");
    assert_eq!(
        finding.message,
        "`-- migrator:allow drop-column` gives no reason"
    );
}

#[test]
fn findings_name_their_rule_hint_and_how_to_allow() {
    let linted = lint_with(
        Postgresql,
        "-- Parents: 0001_before\n\nALTER TABLE orders DROP COLUMN note;",
        true,
    );
    let finding = &linted.findings[0];
    assert_eq!(finding.location().unwrap(), "versions/0002_this.up.sql:3:1");
    assert_eq!(
        finding.hint.as_deref(),
        Some(rule("drop-column").unwrap().hint)
    );
    assert_eq!(
        finding.notes.last().unwrap(),
        "if it is safe here, say why on the line before: -- migrator:allow drop-column REASON"
    );
}

#[test]
fn statements_the_parser_cannot_read_are_counted_not_flagged() {
    // Made-up syntax the server would refuse too, and a form the parser
    // does not know.
    let sql = "SELECT 1;\nALTER TABLE orders FROBNICATE;\nALTER TABLE orders ALTER COLUMN note SET STATISTICS 100;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nDROP TABLE ,;";
    let linted = lint_with(Postgresql, sql, true);
    assert_eq!(linted.findings, []);
    assert_eq!(linted.statements, 5);
    let lines: Vec<usize> = linted.unparsed.iter().map(|u| u.line).collect();
    assert_eq!(lines, [2, 3, 5], "{:?}", linted.unparsed);
    assert_eq!(linted.unparsed[0].revision, "0002_this");
}

#[test]
fn deep_nesting_is_refused_by_the_parser_not_the_stack() {
    let depth = 5000;
    let sql = format!(
        "ALTER TABLE orders ADD COLUMN x int DEFAULT {}1{}",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let linted = lint_with(Postgresql, &sql, true);
    assert_eq!(linted.unparsed.len(), 1);
}

#[test]
fn only_the_revisions_asked_for_are_linted() {
    let graph = RevisionGraph::new(vec![
        revision("0001_before", &[], "DROP TABLE a;", true),
        revision("0002_this", &["0001_before"], "DROP TABLE b;", true),
    ])
    .unwrap();
    let revisions = |indices: &[usize]| -> Vec<String> {
        lint(&graph, indices, Postgresql, LOCK_TIMEOUT)
            .findings
            .iter()
            .map(|f| f.revision.clone().unwrap())
            .collect()
    };
    assert_eq!(revisions(&[1]), ["0002_this"]);
    assert_eq!(revisions(&[0, 1]), ["0001_before", "0002_this"]);
    assert_eq!(revisions(&[]), [] as [String; 0]);
}

/// The findings of `sql` in `0002_this`, whose header says `lock` of
/// `Lock-Timeout`, with `default` as `revision_lock_timeout`.
fn lint_locking(
    sql: &str,
    lock: Option<crate::timeout::Setting>,
    default: Option<Duration>,
) -> Vec<Diagnostic> {
    let mut this = revision("0002_this", &["0001_before"], sql, true);
    this.timeouts.lock = lock;
    let graph = RevisionGraph::new(vec![revision("0001_before", &[], BEFORE, true), this]).unwrap();
    let linted = lint(&graph, &[1], Postgresql, default);
    assert_eq!(linted.unparsed, [], "{sql}");
    linted
        .findings
        .into_iter()
        .filter(|finding| finding.rule == Some("exclusive-lock-without-timeout"))
        .collect()
}

#[test]
fn exclusive_lock_without_timeout() {
    // (statement, what takes the lock, on what; None: not flagged)
    let cases: &[(&str, Option<&str>)] = &[
        (
            "ALTER TABLE orders ADD COLUMN email text",
            Some("ALTER TABLE takes an ACCESS EXCLUSIVE lock on `orders`"),
        ),
        (
            "ALTER TABLE orders RENAME COLUMN note TO remark",
            Some("ALTER TABLE takes an ACCESS EXCLUSIVE lock on `orders`"),
        ),
        (
            "ALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0) NOT VALID",
            Some("ALTER TABLE takes an ACCESS EXCLUSIVE lock on `orders`"),
        ),
        (
            "DROP TABLE customers",
            Some("DROP TABLE takes an ACCESS EXCLUSIVE lock on `customers`"),
        ),
        (
            "DROP INDEX orders_status",
            Some("DROP INDEX takes an ACCESS EXCLUSIVE lock on the table of `orders_status`"),
        ),
        (
            "DROP INDEX IF EXISTS public.orders_status",
            Some(
                "DROP INDEX takes an ACCESS EXCLUSIVE lock on the table of `public.orders_status`",
            ),
        ),
        (
            "TRUNCATE orders",
            Some("TRUNCATE takes an ACCESS EXCLUSIVE lock on `orders`"),
        ),
        (
            "TRUNCATE TABLE ONLY orders, customers",
            Some("TRUNCATE takes an ACCESS EXCLUSIVE lock on `orders`"),
        ),
        (
            "LOCK TABLE orders",
            Some("LOCK TABLE takes an ACCESS EXCLUSIVE lock on `orders`"),
        ),
        (
            "LOCK orders IN ACCESS EXCLUSIVE MODE",
            Some("LOCK TABLE takes an ACCESS EXCLUSIVE lock on `orders`"),
        ),
        (
            "REINDEX TABLE orders",
            Some("REINDEX takes an ACCESS EXCLUSIVE lock on the indexes it rebuilds"),
        ),
        (
            "VACUUM FULL orders",
            Some("VACUUM FULL takes an ACCESS EXCLUSIVE lock on the table"),
        ),
        (
            "CLUSTER orders USING orders_pkey",
            Some("CLUSTER takes an ACCESS EXCLUSIVE lock on the table"),
        ),
        (
            "REFRESH MATERIALIZED VIEW totals",
            Some("REFRESH MATERIALIZED VIEW takes an ACCESS EXCLUSIVE lock on `totals`"),
        ),
        // Weaker locks: not flagged.
        (
            "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID",
            None,
        ),
        ("ALTER TABLE orders VALIDATE CONSTRAINT fk", None),
        ("ALTER TABLE orders DISABLE TRIGGER ALL", None),
        ("ALTER TABLE orders SET (fillfactor = 70)", None),
        ("LOCK TABLE orders IN SHARE MODE", None),
        ("LOCK TABLE orders NOWAIT", None),
        ("DROP INDEX CONCURRENTLY orders_status", None),
        ("REINDEX TABLE CONCURRENTLY orders", None),
        ("REFRESH MATERIALIZED VIEW CONCURRENTLY totals", None),
        (
            "CREATE INDEX CONCURRENTLY orders_placed ON orders (placed_at)",
            None,
        ),
        ("VACUUM orders", None),
        ("UPDATE orders SET note = ''", None),
        // A table this revision created: nobody else waits for it.
        (
            "CREATE TABLE items (id int); ALTER TABLE items ADD COLUMN name text",
            None,
        ),
        ("CREATE TABLE items (id int); DROP TABLE items", None),
    ];
    for (sql, expected) in cases {
        let found = lint_locking(sql, None, None);
        match expected {
            Some(what) => {
                assert_eq!(found.len(), 1, "{sql}: {found:?}");
                let expected = format!("{what} while 0002_this sets no Lock-Timeout");
                assert_eq!(found[0].message, expected, "{sql}");
                assert_eq!(found[0].level, Level::Warning);
            }
            None => assert_eq!(found, [], "{sql}"),
        }
        // The safe form: a Lock-Timeout, in the header or by default.
        let five = Duration::from_secs(5);
        let header = Some(crate::timeout::Setting::After(five));
        assert_eq!(lint_locking(sql, header, None), [], "{sql}");
        assert_eq!(lint_locking(sql, None, Some(five)), [], "{sql}");
    }
    // `off` in the header takes the default away.
    let off = lint_locking(
        "ALTER TABLE orders ADD COLUMN email text",
        Some(crate::timeout::Setting::Off),
        Some(Duration::from_secs(5)),
    );
    assert_eq!(off.len(), 1);
}

#[test]
fn exclusive_locks_are_one_finding_per_revision() {
    let sql = "ALTER TABLE orders ADD COLUMN email text;\n\
               -- migrator:allow exclusive-lock-without-timeout the table is empty in every environment\n\
               TRUNCATE customers;\n\
               DROP TABLE customers;\n\
               LOCK TABLE orders;";
    let found = lint_locking(sql, None, None);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].line, Some(1));
    let notes = &found[0].notes;
    assert_eq!(
        notes[1..notes.len() - 1],
        [
            "so does line 4: DROP TABLE takes an ACCESS EXCLUSIVE lock on `customers`",
            "so does line 5: LOCK TABLE takes an ACCESS EXCLUSIVE lock on `orders`",
        ]
    );
    assert!(notes.last().unwrap().starts_with("if it is safe here"));
}
