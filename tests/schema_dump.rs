//! The schema dump: `schema_file` written after upgrade, downgrade and
//! stamp, `migrator dump`, and `verify --schema-file`, through the real
//! binary on both backends.

#[macro_use]
mod support;

use support::{Backend, Project};

const CONFIG: &str = "schema_file = \"db/schema.sql\"\n";

fn schema_file(p: &Project) -> String {
    std::fs::read_to_string(p.path().join("db/schema.sql")).expect("the schema file is written")
}

/// Two revisions: users, then an index and a column.
fn users(p: &Project) -> &Project {
    p.file("migrator.toml", CONFIG)
        .revision(
            "0001_users",
            &[],
            "CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);",
            "DROP TABLE users;",
        )
        .revision(
            "0002_email",
            &["0001_users"],
            "ALTER TABLE users ADD COLUMN email text;\nCREATE INDEX users_email ON users (email);",
            "DROP INDEX users_email;\nALTER TABLE users DROP COLUMN email;",
        )
}

/// The statements of a dump, without its comment lines.
fn statements(dump: &str) -> String {
    dump.lines()
        .filter(|line| !line.starts_with("-- "))
        .collect::<Vec<_>>()
        .join("\n")
}

sqlite_and_postgres!(
    fn the_schema_file_follows_upgrade_downgrade_and_stamp(p: Project) {
        users(&p);
        p.run(&["upgrade", "--dry-run"]).success();
        p.run(&["upgrade", "--sql"]).success();
        assert!(!p.path().join("db").exists(), "a preview writes nothing");

        p.run(&["upgrade"])
            .success()
            .stderr_has("wrote the schema to");
        let after_upgrade = schema_file(&p);
        assert!(after_upgrade.contains("users_email"), "{after_upgrade}");
        assert!(after_upgrade.contains("email text"), "{after_upgrade}");
        assert!(
            !after_upgrade.contains("migrator_"),
            "no bookkeeping: {after_upgrade}"
        );
        assert!(
            after_upgrade.ends_with("\n-- Applied: 0002_email and its ancestors\n"),
            "{after_upgrade}"
        );

        // Nothing changed: the file is left as it is, and nothing is said.
        p.run(&["upgrade"])
            .success()
            .stderr_lacks("wrote the schema");
        assert_eq!(schema_file(&p), after_upgrade);

        p.run(&["downgrade", "0001_users"]).success();
        let after_downgrade = schema_file(&p);
        assert!(
            !after_downgrade.contains("users_email"),
            "{after_downgrade}"
        );
        assert!(
            after_downgrade.ends_with("\n-- Applied: 0001_users and its ancestors\n"),
            "{after_downgrade}"
        );

        // stamp runs no SQL: the schema stays, the revisions named change.
        p.run(&["stamp", "head"]).success();
        let after_stamp = schema_file(&p);
        assert_eq!(statements(&after_stamp), statements(&after_downgrade));
        assert!(after_stamp.ends_with("\n-- Applied: 0002_email and its ancestors\n"));
        p.run(&["stamp", "base", "--no-schema-file"]).success();
        assert_eq!(schema_file(&p), after_stamp, "--no-schema-file leaves it");
        p.run(&["stamp", "base"]).success();
        assert!(schema_file(&p).ends_with("\n-- Applied: nothing\n"));

        // `dump` writes the schema file too, and says whether it changed.
        p.run(&["dump"]).success().stdout_has("is up to date");
        assert_eq!(
            std::fs::read_dir(p.path().join("db")).unwrap().count(),
            1,
            "no temporary file is left beside it"
        );
    }
);

sqlite_and_postgres!(
    fn dump_prints_the_schema_or_writes_it_where_asked(p: Project) {
        users(&p).run(&["upgrade", "--no-schema-file"]).success();
        assert!(!p.path().join("db").exists());
        let printed = p.run(&["dump", "--output", "-"]).success().stdout.clone();
        assert!(printed.starts_with("-- The database schema, written by migrator"));
        assert!(printed.contains("CREATE INDEX users_email ON"), "{printed}");
        // The same database dumps the same, byte for byte.
        assert_eq!(p.run(&["dump", "--output", "-"]).success().stdout, printed);

        p.run(&["dump", "--output", "out/other.sql"])
            .success()
            .stdout_has("wrote out/other.sql");
        assert_eq!(
            std::fs::read_to_string(p.path().join("out/other.sql")).unwrap(),
            printed
        );
        let json = p.run(&["--format", "json", "dump", "--output", "-"]);
        let document: serde_json::Value = serde_json::from_str(&json.success().stdout).unwrap();
        assert_eq!(document["sql"], printed.as_str());
    }
);

/// The scratch database a `verify` summary names as made and removed.
fn scratch_of(summary: &str) -> String {
    summary
        .split("is the schema of the folder applied to ")
        .nth(1)
        .and_then(|rest| rest.split(" (made for it, then removed)").next())
        .unwrap_or_else(|| panic!("no scratch database named in {summary:?}"))
        .to_string()
}

fn assert_removed(p: &Project, scratch: &str) {
    match p.backend {
        Backend::Mysql => unreachable!("the schema dump has no MySQL statements yet"),
        Backend::Sqlite => {
            let path = scratch.strip_prefix("sqlite:").unwrap();
            for suffix in ["", "-journal", ".lock"] {
                let file = format!("{path}{suffix}");
                assert!(!std::path::Path::new(&file).exists(), "{file} is left");
            }
        }
        Backend::Postgres => {
            let name = scratch.rsplit('/').next().unwrap();
            assert!(name.starts_with("migrator_scratch_"), "{scratch}");
            let left = p.query(&format!(
                "SELECT count(*) FROM pg_database WHERE datname = '{name}'"
            ));
            assert_eq!(left, [["0"]], "{name} is left");
        }
    }
}

sqlite_and_postgres!(
    fn verify_passes_an_untouched_dump_and_catches_an_edited_one(p: Project) {
        users(&p).run(&["upgrade"]).success();
        let committed = schema_file(&p);
        let run = p.run(&["verify", "--schema-file"]);
        let summary = run.success().stdout.clone();
        assert!(
            summary.contains("db/schema.sql is the schema of the folder"),
            "{summary}"
        );
        assert_removed(&p, &scratch_of(&summary));
        // A checkout with CRLF line ends is the same dump.
        p.file("db/schema.sql", &committed.replace('\n', "\r\n"));
        p.run(&["verify", "--schema-file"]).success();

        let edited = committed.replace("name text NOT NULL", "name text");
        assert_ne!(edited, committed, "the edit applies: {committed}");
        p.file("db/schema.sql", &edited);
        p.run(&["verify", "--schema-file"])
            .failure(1)
            .stderr_has("error: db/schema.sql is not the schema the versions folder gives")
            .stderr_has("--> db/schema.sql:")
            .stderr_has("--- db/schema.sql (committed)")
            .stderr_has("+++ db/schema.sql (from the versions folder)")
            .stderr_has("NOT NULL")
            .stderr_has("hint: `-` lines are the committed file's");
        let json = p.run(&["verify", "--schema-file", "--format", "json"]);
        let document: serde_json::Value = serde_json::from_str(&json.failure(1).stdout).unwrap();
        let finding = &document["problems"][0];
        assert_eq!(finding["kind"], "schema-file");
        assert_eq!(finding["file"], "db/schema.sql");
        let diff = finding["diff"].as_str().unwrap();
        assert!(
            diff.lines()
                .any(|line| line.starts_with('+') && line.contains("name text NOT NULL")),
            "{finding}"
        );
        p.run(&["verify", "--schema-file", "--format", "github"])
            .failure(1)
            .stdout_has("::error file=db/schema.sql,line=")
            .stdout_has("title=migrator verify%3A schema-file::");

        // A revision added without writing the dump again.
        p.revision(
            "0003_age",
            &["0002_email"],
            "ALTER TABLE users ADD COLUMN age integer;",
            "ALTER TABLE users DROP COLUMN age;",
        );
        p.file("db/schema.sql", &committed);
        p.run(&["verify", "--schema-file"])
            .failure(1)
            .stderr_has("+-- Applied: 0003_age and its ancestors");
        p.run(&["upgrade"]).success();
        p.run(&["verify", "--schema-file"]).success();

        std::fs::remove_file(p.path().join("db/schema.sql")).unwrap();
        p.run(&["verify", "--schema-file"])
            .failure(1)
            .stderr_has("error: the schema file db/schema.sql does not exist")
            .stderr_has("migrator dump");
    }
);

sqlite_and_postgres!(
    fn verify_schema_file_runs_on_the_scratch_url_given(p: Project) {
        users(&p).run(&["upgrade"]).success();
        let scratch = Project::new(p.backend);
        let scratch_url = match p.backend {
            Backend::Mysql => unreachable!("the schema dump has no MySQL statements yet"),
            // The scratch project's database file, by its absolute path.
            Backend::Sqlite => format!("sqlite:{}", scratch.path().join("test.db").display()),
            Backend::Postgres => scratch.url().to_string(),
        };
        p.run(&[
            "verify",
            "--schema-file",
            "db/schema.sql",
            "--scratch-url",
            &scratch_url,
        ])
        .success()
        .stdout_has(&format!(
            "db/schema.sql is the schema of the folder applied to {scratch_url}"
        ));
        assert_eq!(scratch.applied(), ["0001_users", "0002_email"]);
        // Now it is not empty: refused, naming it.
        p.run(&["verify", "--schema-file", "--scratch-url", &scratch_url])
            .failure(1)
            .stderr_has("is not empty")
            .stderr_has("verify --schema-file needs an empty database");
    }
);

sqlite_and_postgres!(
    fn the_dump_does_not_depend_on_the_order_branches_were_applied_in(p: Project) {
        p.file("migrator.toml", CONFIG)
            .revision(
                "0001_root",
                &[],
                "CREATE TABLE root (id integer PRIMARY KEY);",
                "DROP TABLE root;",
            )
            .revision(
                "0002_a",
                &["0001_root"],
                "CREATE TABLE a (id integer);",
                "DROP TABLE a;",
            )
            .revision(
                "0002_b",
                &["0001_root"],
                "CREATE TABLE b (id integer);",
                "DROP TABLE b;",
            );
        // b before a, where the scratch database gets a before b.
        p.run(&["upgrade", "0002_b"]).success();
        p.run(&["upgrade", "heads"]).success();
        let dump = schema_file(&p);
        assert!(
            dump.ends_with("\n-- Applied: 0002_a, 0002_b and their ancestors\n"),
            "{dump}"
        );
        p.run(&["verify", "--allow-heads", "--schema-file"])
            .success();
    }
);

sqlite_and_postgres!(
    fn a_revision_that_fails_on_the_scratch_database_is_a_finding(p: Project) {
        users(&p).run(&["upgrade"]).success();
        p.revision(
            "0003_broken",
            &["0002_email"],
            "ALTER TABLE nowhere ADD COLUMN x integer;",
            "",
        );
        p.run(&["verify", "--schema-file"])
            .failure(1)
            .stderr_has("0003_broken failed on the scratch database")
            .stderr_has("versions/0003_broken.up.sql:");
        assert_eq!(
            p.applied(),
            ["0001_users", "0002_email"],
            "the database is untouched"
        );
    }
);

// A schema with one object of most kinds, and the dump of it loaded into
// an empty database dumps the same: the dump is SQL that recreates it.
sqlite_and_postgres!(
    fn the_dump_recreates_the_schema(p: Project) {
        let up = match p.backend {
        Backend::Mysql => unreachable!("the schema dump has no MySQL statements yet"),
            Backend::Sqlite => {
                "CREATE TABLE users (id integer PRIMARY KEY AUTOINCREMENT, email text NOT NULL UNIQUE, CHECK (email <> ''));
                 CREATE TABLE orders (id integer PRIMARY KEY, user_id integer REFERENCES users (id) ON DELETE CASCADE);
                 ALTER TABLE orders ADD COLUMN note text DEFAULT 'none';
                 CREATE INDEX orders_user ON orders (user_id) WHERE user_id IS NOT NULL;
                 CREATE VIEW a_report AS SELECT * FROM z_base;
                 CREATE VIEW z_base AS SELECT id, email FROM users;
                 CREATE TRIGGER users_log AFTER INSERT ON users BEGIN UPDATE orders SET note = 'x' WHERE 0; END;"
            }
            Backend::Postgres => {
                "CREATE SCHEMA billing;
                 CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
                 CREATE DOMAIN positive AS integer DEFAULT 1 NOT NULL CHECK (VALUE > 0);
                 CREATE TYPE pair AS (a integer, b mood);
                 CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$;
                 CREATE TABLE users (
                   id serial PRIMARY KEY,
                   email text COLLATE \"C\" NOT NULL UNIQUE,
                   m mood DEFAULT 'ok',
                   n positive,
                   updated_at timestamptz,
                   doubled integer GENERATED ALWAYS AS (n * 2) STORED,
                   CHECK (email <> '')
                 );
                 CREATE FUNCTION user_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM users $$;
                 CREATE FUNCTION all_users() RETURNS SETOF users LANGUAGE sql AS $$ SELECT * FROM users $$;
                 CREATE TABLE zones (id integer DEFAULT user_count());
                 CREATE TABLE billing.invoices (
                   id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                   user_id integer REFERENCES users (id) ON DELETE CASCADE,
                   amount numeric(10, 2)
                 );
                 CREATE INDEX invoices_user ON billing.invoices (user_id) WHERE amount > 0;
                 CREATE VIEW z_users AS SELECT id, email FROM users;
                 CREATE VIEW a_rich AS SELECT * FROM z_users WHERE id > 1;
                 CREATE MATERIALIZED VIEW counts AS SELECT count(*) AS n FROM users;
                 CREATE UNIQUE INDEX counts_n ON counts (n);
                 CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
                 CREATE TABLE events (id integer, at date NOT NULL) PARTITION BY RANGE (at);
                 CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
                 CREATE INDEX events_at ON events (at);
                 ALTER TABLE events ADD PRIMARY KEY (id, at);
                 CREATE SEQUENCE tickets START 100;
                 ALTER TABLE users ENABLE ROW LEVEL SECURITY;
                 CREATE POLICY own ON users AS RESTRICTIVE FOR UPDATE TO PUBLIC USING (id > 0) WITH CHECK (n IS NOT NULL);
                 COMMENT ON TABLE users IS 'People who log in';
                 COMMENT ON COLUMN users.email IS 'Lower case, it''s unique';"
            }
        };
        p.revision("0001_everything", &[], up, "");
        p.run(&["upgrade"]).success();
        let dump = p.run(&["dump"]).success().stdout.clone();

        let copy = Project::new(p.backend);
        copy.execute(&dump);
        let again = copy.run(&["dump"]).success().stdout.clone();
        assert_eq!(statements(&again), statements(&dump));
        assert!(again.ends_with("\n-- Applied: nothing\n"));
        for object in ["a_report", "users_log", "orders_user", "z_base"]
            .iter()
            .filter(|_| p.backend == Backend::Sqlite)
            .chain(
                [
                    "billing.invoices",
                    "public.mood",
                    "public.positive",
                    "public.pair",
                    "public.touch()",
                    "public.a_rich",
                    "counts_n ON public.counts",
                    "public.events_2026",
                    "OWNED BY public.users.id",
                    "public.tickets",
                    "users_touch",
                    "public.all_users()",
                    "CREATE POLICY own ON public.users AS RESTRICTIVE FOR UPDATE",
                    "COMMENT ON COLUMN public.users.email IS 'Lower case, it''s unique'",
                ]
                .iter()
                .filter(|_| p.backend == Backend::Postgres),
            )
        {
            assert!(
                dump.contains(object),
                "{object} is not in the dump:\n{dump}"
            );
        }
        // The view on a view comes after it, whatever their names.
        let (first, then) = match p.backend {
            Backend::Mysql => unreachable!("the schema dump has no MySQL statements yet"),
            Backend::Sqlite => ("CREATE VIEW z_base", "CREATE VIEW a_report"),
            Backend::Postgres => ("CREATE VIEW public.z_users", "CREATE VIEW public.a_rich"),
        };
        assert!(
            dump.find(first).unwrap() < dump.find(then).unwrap(),
            "{dump}"
        );
    }
);

/// This repository's own sample, `versions/`, commits its dump
/// (`schema.sql`, on SQLite, as its CI job checks it): kept true here.
#[test]
fn the_samples_committed_dump_is_true() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let p = Project::new(Backend::Sqlite);
    let versions = root.join("versions");
    let schema = root.join("schema.sql");
    p.run(&[
        "verify",
        "--dir",
        versions.to_str().unwrap(),
        "--schema-file",
        schema.to_str().unwrap(),
    ])
    .success()
    .stdout_has("schema.sql is the schema of the folder");
}

sqlite_and_postgres!(
    fn a_failed_roundtrip_on_the_scratch_url_leaves_the_schema_file_unchecked(p: Project) {
        // A down that forgets the table its up creates.
        users(&p).revision(
            "0003_audit",
            &["0002_email"],
            "CREATE TABLE audit (id integer);",
            "",
        );
        p.run(&["upgrade"]).success();
        let scratch = Project::new(p.backend);
        let scratch_url = match p.backend {
            Backend::Mysql => unreachable!("the schema dump has no MySQL statements yet"),
            Backend::Sqlite => format!("sqlite:{}", scratch.path().join("test.db").display()),
            Backend::Postgres => scratch.url().to_string(),
        };
        let args = [
            "verify",
            "--roundtrip",
            "--schema-file",
            "--scratch-url",
            &scratch_url,
        ];
        p.run(&args)
            .failure(1)
            .stderr_has("the down file of 0003_audit does not undo its up file")
            .stderr_has("warning: db/schema.sql was not checked");
    }
);

sqlite_and_postgres!(
    fn the_run_writes_the_schema_where_its_option_says(p: Project) {
        p.revision(
            "0001_users",
            &[],
            "CREATE TABLE users (id integer PRIMARY KEY);",
            "DROP TABLE users;",
        );
        p.run(&["upgrade", "--schema-file", "other.sql", "--no-schema-file"])
            .failure(2);
        p.run(&["upgrade", "--schema-file", "other.sql"])
            .success()
            .stderr_has("wrote the schema to other.sql");
        assert!(
            std::fs::read_to_string(p.path().join("other.sql"))
                .unwrap()
                .ends_with("\n-- Applied: 0001_users and its ancestors\n")
        );
        // A file that cannot be written is a warning: the database changed.
        p.run(&["stamp", "base", "--schema-file", "versions"])
            .success()
            .stderr_has("warning: the schema file versions was not written");
        assert!(p.applied().is_empty());
        // Without the option or schema_file, nothing is written.
        p.run(&["stamp", "head"]).success().stderr_lacks("schema");
    }
);
