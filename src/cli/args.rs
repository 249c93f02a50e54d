//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Versions a database schema with hand-written plain SQL.
///
/// Revisions are `NNNN_slug.up.sql` / `.down.sql` pairs whose header names
/// their parents, so the history is a graph like Git's.
#[derive(Debug, Parser)]
#[command(
    name = "migrator",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// The folder of revision files [default: versions, or `dir` in migrator.toml]
    #[arg(long, global = true, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,

    // The URL forms come from the backends compiled in.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "DATABASE_URL",
        hide_env_values = true,
        help = database_url_help()
    )]
    pub database_url: Option<String>,

    /// Where the database has schemas: the one that holds the bookkeeping tables [default: the session's current schema, usually public]
    #[arg(long, global = true, value_name = "SCHEMA", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub schema: Option<String>,

    /// How long to wait for another run's lock, e.g. 30s, 500ms, 2m, 1h (at most a century) [default: for ever]
    #[arg(long, global = true, value_name = "DURATION", value_parser = migrator::config::parse_duration)]
    pub lock_timeout: Option<std::time::Duration>,

    /// The environment of migrator.toml to use, its [env.NAME] section [default: MIGRATOR_ENV]
    #[arg(long = "env", global = true, value_name = "NAME", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub environment: Option<String>,

    /// The settings file [default: migrator.toml in this folder or the nearest parent]
    #[arg(long, global = true, value_name = "PATH", value_hint = clap::ValueHint::FilePath)]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub fleet: FleetArgs,

    /// How runs on one database are kept apart: session (PostgreSQL's advisory lock, SQLite's lock file), table (a row in migrator_lock: through PgBouncer's transaction pooling, on CockroachDB) or none (your own business) [default: session, or `lock` in migrator.toml]
    #[arg(long, global = true, value_name = "STRATEGY", value_parser = parse_lock)]
    pub lock: Option<migrator::db::LockStrategy>,

    /// Before connecting, wait for a database that is still starting (connection refused, starting up), trying again with backoff for up to TIMEOUT [default: 60s]
    #[arg(long, global = true, value_name = "TIMEOUT", num_args = 0..=1, require_equals = true, default_missing_value = "60s", value_parser = migrator::config::parse_duration)]
    pub wait: Option<std::time::Duration>,

    /// Give the placeholder ${NAME} a value, over MIGRATOR_NAME in the environment and [placeholders] in migrator.toml (repeat for several)
    #[arg(long = "set", global = true, value_name = "NAME=VALUE", value_parser = migrator::source::placeholder::parse_assignment)]
    pub set: Vec<(String, String)>,

    /// No colors (also: the NO_COLOR environment variable)
    #[arg(long, global = true)]
    pub no_color: bool,

    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    #[command(subcommand)]
    pub command: Command,
}

fn parse_lock(text: &str) -> Result<migrator::db::LockStrategy, String> {
    text.parse()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// GitHub Actions annotations (`verify` only; others print text)
    Github,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the versions folder and a commented migrator.toml
    Init,

    /// Create the next revision: an up and a down file
    #[command(alias = "revision")]
    New {
        /// What the revision does; also its file name's slug
        #[arg(short, long)]
        message: String,
        /// A parent revision (repeat for several) [default: the single head]
        #[arg(long = "parent", value_name = "ID")]
        parents: Vec<String>,
        /// Write `Transaction: off` (for CREATE INDEX CONCURRENTLY and the like)
        #[arg(long)]
        no_transaction: bool,
    },

    /// Apply revisions up to a target
    Upgrade {
        /// head, heads, a revision id or prefix, or +N
        #[arg(default_value = "head", allow_hyphen_values = true)]
        target: String,
        #[command(flatten)]
        run: RunArgs,
    },

    /// Undo revisions down to a target
    Downgrade {
        /// base, a revision id or prefix (undo what descends from it), or -N
        #[arg(allow_hyphen_values = true)]
        target: String,
        #[command(flatten)]
        run: RunArgs,
    },

    /// Show the database's applied heads
    Current,

    /// Show the graph's heads
    Heads,

    /// Show the graph's branch points and their children
    Branches,

    /// List revisions, newest first
    History {
        /// Every field of every revision, and its state in the database
        #[arg(short, long)]
        verbose: bool,
        /// Only revisions from A to B (either may be empty: `A:` or `:B`)
        #[arg(short = 'r', long = "rev-range", value_name = "A:B")]
        range: Option<String>,
        /// Draw the graph, like `git log --graph`: `*` pending, `o` applied in the database
        #[arg(long, conflicts_with = "verbose")]
        graph: bool,
    },

    /// Show one revision in full, with its SQL
    Show {
        /// Revision id or unique prefix
        revision: String,
        /// Print the SQL recorded when the revision was applied (what ran),
        /// with a diff when the files changed since
        #[arg(long)]
        applied: bool,
    },

    /// Compare the database with the folder: applied, pending, drifted, missing
    Status {
        /// Exit 1 when anything is pending, drifted or missing
        #[arg(long)]
        check: bool,
    },

    /// Write one revision in place of every revision up to UPTO
    ///
    /// A fresh database runs only the squash; one that applied the
    /// revisions it replaces records it at its next upgrade without running
    /// it; one part-way through them runs the rest first. The replaced
    /// files stay until `verify` says no database needs them.
    Squash {
        /// The newest revision to replace (id or unique prefix); every head
        /// must descend from it
        upto: String,
        /// The squash's message
        #[arg(short, long)]
        message: String,
    },

    /// Create a no-op revision that joins heads
    Merge {
        /// The message [default: merge heads]
        #[arg(short, long)]
        message: Option<String>,
        /// The heads to join [default: all heads]
        #[arg(value_name = "ID")]
        heads: Vec<String>,
        /// Only report what each branch did and which objects several touch;
        /// write nothing; exit 1 when branches overlap
        #[arg(long)]
        check: bool,
    },

    /// Replay a branch on top of a head: rewrite its Parents, renumber its files
    Rebase {
        /// The first revision of the branch to move (id or unique prefix); its descendants move with it
        revision: String,
        /// The head to put the branch on
        #[arg(long, value_name = "HEAD")]
        onto: String,
        /// Show the renames and new parents; change nothing
        #[arg(long)]
        dry_run: bool,
    },

    /// Check the folder, drift and (with --lint) dangerous DDL for CI; exit 1 on any error
    #[command(group(clap::ArgGroup::new("scratch_checks").multiple(true).args(["roundtrip", "schema_file"])))]
    Verify {
        /// Allow more than one head
        #[arg(long)]
        allow_heads: bool,
        /// Also apply each revision on a scratch database, run its down, and
        /// check the schema is back to what it was
        #[arg(long)]
        roundtrip: bool,
        /// The scratch database for --roundtrip and --schema-file; it must be
        /// empty [default: a temporary one beside the database, removed
        /// afterwards]
        #[arg(long, value_name = "URL", requires = "scratch_checks")]
        scratch_url: Option<String>,
        /// Also check the SQL of the revisions the database has not applied
        /// (all, without a database) for dangerous DDL, by the rules of the
        /// database URL's backend [also: lint = true in migrator.toml]
        #[arg(long)]
        lint: bool,
        /// Lint the revisions whose up file changed since this Git revision
        /// (or is untracked) instead; implies --lint
        #[arg(long, value_name = "REF")]
        since: Option<String>,
        /// Also apply the folder to a scratch database and check that the
        /// committed schema dump is its schema [PATH default: schema_file in
        /// migrator.toml]
        #[arg(long, value_name = "PATH", num_args = 0..=1, value_hint = clap::ValueHint::FilePath)]
        schema_file: Option<Option<PathBuf>>,
    },

    /// Record new checksums for applied revisions whose files were edited and reviewed
    // Which revisions is a usage error, settled before the database is
    // opened.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["revisions", "all"])))]
    Repair {
        /// Revisions to repair
        #[arg(value_name = "ID")]
        revisions: Vec<String>,
        /// Every applied revision whose files changed
        #[arg(long)]
        all: bool,
        /// Do not ask for confirmation
        #[arg(long, short)]
        yes: bool,
    },

    /// The event log: who applied, reverted, stamped or repaired what, when; newest first
    Log,

    /// Set the records to a target without running any SQL
    Stamp {
        /// head, heads, base, a revision id or prefix
        #[arg(allow_hyphen_values = true)]
        target: String,
        /// Leave the schema file (schema_file in migrator.toml) as it is
        #[arg(long)]
        no_schema_file: bool,
        /// Write the schema dump here after the stamp [default: schema_file
        /// in migrator.toml]
        #[arg(long, value_name = "PATH", conflicts_with = "no_schema_file", value_hint = clap::ValueHint::FilePath)]
        schema_file: Option<PathBuf>,
    },

    /// Print the database's schema as plain, sorted SQL, or write it to the schema file
    ///
    /// Without --output: to schema_file when migrator.toml sets it, else to
    /// stdout. `verify --schema-file` checks a committed one.
    Dump {
        /// Write it here (`-`: stdout), atomically
        #[arg(long, short, value_name = "PATH", value_hint = clap::ValueHint::FilePath)]
        output: Option<PathBuf>,
    },

    /// Write another tool's migrations as revisions; with --database-url, stamp what its history applied
    Import {
        /// The tool that wrote the migrations
        #[arg(long, value_name = "TOOL", value_parser = tool_parser())]
        from: migrator::import::Tool,
        /// The other tool's migrations folder
        #[arg(value_name = "PATH", value_hint = clap::ValueHint::DirPath)]
        path: std::path::PathBuf,
    },

    /// Print the completion script of a shell on stdout
    ///
    /// bash: `source <(migrator completions bash)` in ~/.bashrc; the other
    /// shells are in docs/install.md.
    Completions {
        /// The shell to complete migrator's commands and options in
        shell: clap_complete::Shell,
    },

    /// Print the manual page (roff) on stdout, or write the pages to a folder
    ///
    /// `migrator man | man -l -` reads it now. With --out, migrator.1 and a
    /// page per command (migrator-upgrade.1, …) for a man1 folder.
    Man {
        /// Write migrator.1 and migrator-COMMAND.1 here (created if missing)
        #[arg(long, value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
        out: Option<PathBuf>,
    },
}

/// `--from`'s values, listed in `--help` and in the error for a bad one.
fn tool_parser() -> impl clap::builder::TypedValueParser<Value = migrator::import::Tool> {
    use clap::builder::TypedValueParser;
    use migrator::import::Tool;
    clap::builder::PossibleValuesParser::new(Tool::ALL.map(Tool::name))
        .map(|name| name.parse::<Tool>().expect("a listed tool name parses"))
}

/// The `--format` of a command line clap refused, so that a refusal in
/// JSON is JSON too; text when none (or one clap would refuse) is given.
pub fn format_asked(args: impl IntoIterator<Item = std::ffi::OsString>) -> Format {
    let mut format = Format::Text;
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        let value = match arg.to_str() {
            Some("--") => break,
            Some("--format") => args.next(),
            Some(other) => other.strip_prefix("--format=").map(Into::into),
            None => None,
        };
        if let Some(value) = value.as_ref().and_then(|v| v.to_str()) {
            format = Format::from_str(value, false).unwrap_or(Format::Text);
        }
    }
    format
}

/// How a command runs over a fleet (an environment that names many
/// targets); without one they change nothing.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Fleet options")]
pub struct FleetArgs {
    /// Run N targets of the fleet at once [default: jobs in migrator.toml, else 4]
    #[arg(long, global = true, value_name = "N")]
    pub jobs: Option<usize>,
    /// Only the targets whose name (URL without password, or schema) matches this glob; repeat for several
    #[arg(long, global = true, value_name = "PATTERN")]
    pub only: Vec<String>,
    /// Only the K-th of N stable parts of the fleet (K from 1), for spreading it over machines
    #[arg(long, global = true, value_name = "K/N", value_parser = clap::builder::ValueParser::new(parse_shard))]
    pub shard: Option<migrator::migrator::fleet::Shard>,
    /// Start no new target after the first one fails
    #[arg(long, global = true)]
    pub fail_fast: bool,
}

fn parse_shard(text: &str) -> Result<migrator::migrator::fleet::Shard, String> {
    text.parse()
}

/// Options shared by upgrade and downgrade.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Print the SQL that would run, with its bookkeeping; change nothing
    #[arg(long, conflicts_with = "dry_run")]
    pub sql: bool,
    /// List the steps that would run; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Go on although applied revisions changed or went missing (logged)
    #[arg(long)]
    pub allow_drift: bool,
    /// Leave the schema file (schema_file in migrator.toml) as it is
    #[arg(long)]
    pub no_schema_file: bool,
    /// Write the schema dump here after the run [default: schema_file in
    /// migrator.toml]
    #[arg(long, value_name = "PATH", conflicts_with_all = ["no_schema_file", "sql", "dry_run"], value_hint = clap::ValueHint::FilePath)]
    pub schema_file: Option<PathBuf>,
}

/// The help of `--database-url`: the URL forms of the backends compiled in.
fn database_url_help() -> String {
    let forms: Vec<&str> = migrator::db::backends()
        .flat_map(|backend| backend.forms().iter().copied())
        .collect();
    format!(
        "{} [default: DATABASE_URL, else migrator.toml, else {}]",
        forms.join(", "),
        migrator::db::DEFAULT_URL
    )
}
