use super::*;
use crate::graph::tests::revisions;

/// `kind name verb@line` for every effect of `sql`.
fn said(sql: &str) -> Vec<String> {
    effects(sql)
        .into_iter()
        .map(|e| format!("{} {}@{}", e.object, e.verb, e.line))
        .collect()
}

#[test]
fn effects_of_ddl() {
    let cases: [(&str, &[&str]); 24] = [
        ("CREATE TABLE users (id int);", &["table users creates@1"]),
        (
            "create table if not exists Public.Users (id int)",
            &["table users creates@1"],
        ),
        (
            "CREATE TABLE \"Users\" (id int); CREATE TABLE \"users\" (id int);",
            &["table \"Users\" creates@1", "table users creates@1"],
        ),
        (
            "CREATE TABLE \"public\".\"orders\" (id int)",
            &["table orders creates@1"],
        ),
        (
            "CREATE TABLE audit.users (id int)",
            &["table audit.users creates@1"],
        ),
        (
            "CREATE TEMP TABLE main.t AS SELECT 1",
            &["table t creates@1"],
        ),
        (
            "ALTER TABLE users ADD COLUMN email text;",
            &["table users alters@1"],
        ),
        (
            "ALTER TABLE IF EXISTS ONLY users\n  RENAME TO people;",
            &[
                "table users renames (to people)@1",
                "table people creates (renamed from users)@2",
            ],
        ),
        (
            "ALTER TABLE users RENAME COLUMN a TO b",
            &["table users alters@1"],
        ),
        (
            "CREATE INDEX ON orders (user_id)",
            &["table orders indexes@1"],
        ),
        (
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email\n ON ONLY public.users USING btree (email)",
            &["index users_email creates@1", "table users indexes@2"],
        ),
        (
            "DROP TABLE IF EXISTS a, b CASCADE;",
            &["table a drops@1", "table b drops@1"],
        ),
        (
            "DROP INDEX CONCURRENTLY users_email",
            &["index users_email drops@1"],
        ),
        (
            "CREATE OR REPLACE VIEW active AS SELECT * FROM users",
            &["view active creates@1"],
        ),
        (
            "CREATE MATERIALIZED VIEW totals AS SELECT 1; DROP MATERIALIZED VIEW totals",
            &["view totals creates@1", "view totals drops@1"],
        ),
        (
            "CREATE FUNCTION f(a int) RETURNS int AS $$ DROP TABLE users; $$ LANGUAGE sql;\nDROP FUNCTION f(int), g;",
            &[
                "function f creates@1",
                "function f drops@2",
                "function g drops@2",
            ],
        ),
        (
            "ALTER FUNCTION f(int) RENAME TO g",
            &[
                "function f renames (to g)@1",
                "function g creates (renamed from f)@1",
            ],
        ),
        (
            "CREATE SEQUENCE s; ALTER SEQUENCE s RESTART; CREATE TYPE mood AS ENUM ('a'); CREATE DOMAIN email AS text",
            &[
                "sequence s creates@1",
                "sequence s alters@1",
                "type mood creates@1",
                "type email creates@1",
            ],
        ),
        (
            "CREATE TRIGGER t AFTER INSERT ON users\nBEGIN UPDATE x SET a = 1; DELETE FROM y; END;\nDROP TABLE z;",
            &[
                "trigger t creates@1",
                "table users adds a trigger to@1",
                "table z drops@3",
            ],
        ),
        (
            "CREATE OR REPLACE TRIGGER t BEFORE UPDATE ON \"Orders\" FOR EACH ROW EXECUTE FUNCTION f();",
            &[
                "trigger t creates@1",
                "table \"Orders\" adds a trigger to@1",
            ],
        ),
        (
            "-- ALTER TABLE users ADD x int;\n/* DROP TABLE users; */ SELECT 'DROP TABLE users;';\nINSERT INTO users VALUES (1);",
            &[],
        ),
        (
            "-- Parents: 0001\n-- Message: m\n\nALTER TABLE users ADD c int;",
            &["table users alters@4"],
        ),
        // SQLite's quoted names, and a body's statements inside its own.
        (
            "ALTER TABLE `a b`.[Users] ADD x int; DROP TABLE [t], `u`",
            &[
                "table \"a b\".\"Users\" alters@1",
                "table t drops@1",
                "table u drops@1",
            ],
        ),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC DROP TABLE x; END;\nDROP TABLE z",
            &["function f creates@1", "table z drops@3"],
        ),
    ];
    for (sql, expected) in cases {
        assert_eq!(said(sql), expected, "{sql}");
    }
}

/// Branches from `"head: id=SQL | id=SQL; head: …"`.
fn overlaps_of(branches: &[(&str, &[(&str, &str)])]) -> Vec<String> {
    let mut all = Vec::new();
    for (_, revs) in branches {
        for (id, sql) in revs.iter() {
            let mut revision = revisions(id).remove(0);
            revision.up.sql = sql.to_string();
            all.push(revision);
        }
    }
    let branches: Vec<Branch> = branches
        .iter()
        .map(|(head, revs)| Branch {
            head: head.to_string(),
            revisions: revs
                .iter()
                .map(|(id, _)| all.iter().find(|r| r.id == *id).unwrap())
                .collect(),
        })
        .collect();
    overlaps(&branches)
        .into_iter()
        .map(|o| {
            let touches: Vec<String> = o
                .touches
                .iter()
                .map(|(head, t)| format!("{head}:{}:{}", t.revision, t.verb))
                .collect();
            format!("{}: {}", o.object, touches.join(", "))
        })
        .collect()
}

#[test]
fn overlaps_between_branches() {
    let email: Rev = ("0002_email", "ALTER TABLE users ADD email text;");
    let orders: Rev = (
        "0002_orders",
        "CREATE TABLE orders (id int); CREATE INDEX ON public.orders (id);",
    );
    let rename: Rev = ("0003_rename", "ALTER TABLE Users RENAME TO people;");
    let quoted: Rev = ("0002_quoted", "ALTER TABLE \"Users\" ADD x int;");
    /// A revision's id and SQL; a branch's head and revisions.
    type Rev<'a> = (&'a str, &'a str);
    type Case<'a> = (Vec<(&'a str, Vec<Rev<'a>>)>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        // Disjoint branches.
        (vec![("a", vec![email]), ("b", vec![orders])], vec![]),
        // Both sides touch users, one through a schema-qualified name.
        (
            vec![("a", vec![email]), ("b", vec![orders, rename])],
            vec!["table users: a:0002_email:alters, b:0003_rename:renames (to people)"],
        ),
        // A quoted name is another object.
        (vec![("a", vec![email]), ("b", vec![quoted])], vec![]),
        (
            vec![
                (
                    "a",
                    vec![("0002_x", "DROP TABLE IF EXISTS public.users, a")],
                ),
                ("b", vec![email]),
            ],
            vec!["table users: a:0002_x:drops, b:0002_email:alters"],
        ),
        // A revision two branches share does not overlap with itself.
        (vec![("a", vec![email, orders]), ("b", vec![email])], vec![]),
        // Three branches; only two touch orders.
        (
            vec![
                ("a", vec![orders]),
                ("b", vec![email]),
                ("c", vec![("0002_idx", "CREATE INDEX o_id ON orders (id)")]),
            ],
            vec!["table orders: a:0002_orders:creates, a:0002_orders:indexes, c:0002_idx:indexes"],
        ),
    ];
    for (branches, expected) in cases {
        let borrowed: Vec<(&str, &[(&str, &str)])> =
            branches.iter().map(|(h, r)| (*h, r.as_slice())).collect();
        assert_eq!(overlaps_of(&borrowed), expected, "{branches:?}");
    }
}
