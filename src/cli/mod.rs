//! The command-line layer: reads the options, runs one command, turns its
//! error into text for people.

mod args;
mod commands;
mod manual;
mod render;

use std::path::Path;

use clap::{CommandFactory, FromArgMatches};
use migrator::config::{FILE_NAME, Loaded, Overrides, Settings};
use migrator::db::{ConnectOptions, DatabaseUrl};
use migrator::migrator::fleet::{Fleet, FleetOptions, Selection};
use migrator::{Error, Migrator, Project};

use args::{Cli, Command, FleetArgs};
pub use render::Output;

/// Runs the command line; returns the exit status.
pub fn main() -> i32 {
    render::colors_before_parsing(std::env::args_os().skip(1));
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => {
            // clap prints help and version to stdout with status 0, usage
            // errors to stderr with status 2.
            let format = args::format_asked(std::env::args_os());
            Output::new(format, false).clap_error(&error);
            return error.exit_code();
        }
    };
    let output = Output::new(cli.format, cli.no_color);
    // `DATABASE_URL` is read with migrator.toml, under the environment in
    // use; only the option itself overrides everything.
    let url_option_given =
        matches.value_source("database_url") == Some(clap::parser::ValueSource::CommandLine);
    match run(cli, url_option_given, &output) {
        Ok(status) => status,
        Err(error) => {
            output.error(&error);
            render::exit_code(&error)
        }
    }
}

fn run(cli: Cli, url_option_given: bool, output: &Output) -> Result<i32, Error> {
    // These describe the command line itself: a broken migrator.toml or
    // setting must not stand between a packager or a shell and them.
    match cli.command {
        Command::Completions { shell } => return commands::completions(shell, output),
        Command::Man { out } => return commands::man(out.as_deref(), output),
        _ => {}
    }
    let loaded = Loaded::load(
        cli.config.as_deref(),
        Path::new("."),
        cli.environment.clone(),
    )?;
    let database_url_given = url_option_given
        || loaded
            .variables
            .get("DATABASE_URL")
            .is_some_and(|u| !u.is_empty());
    let overrides = Overrides {
        dir: cli.dir,
        database_url: cli
            .database_url
            .filter(|url| url_option_given && !url.is_empty()),
        schema: cli.schema,
        lock_timeout: cli.lock_timeout,
        jobs: cli.fleet.jobs,
        environment: loaded.environment,
        lock: cli.lock,
        placeholders_from_environment: migrator::source::placeholder::from_environment(
            std::env::vars_os(),
        ),
        placeholders_set: cli.set,
    };
    let context = Context {
        settings: Settings::resolve(overrides, loaded.file)?,
        database_url_given,
        fleet: cli.fleet,
        wait: cli.wait,
        output,
    };
    commands::run(cli.command, &context)
}

/// What every command gets: the settings and the output.
pub struct Context<'a> {
    pub settings: Settings,
    /// Whether `--database-url` (or `DATABASE_URL`) named the database,
    /// rather than migrator.toml or the default: `import` reads another
    /// tool's history only from a database named for it.
    pub database_url_given: bool,
    /// `--jobs`, `--only`, `--shard`, `--fail-fast`.
    pub fleet: FleetArgs,
    /// `--wait`: how long to wait for a server that is still starting.
    pub wait: Option<std::time::Duration>,
    pub output: &'a Output,
}

impl Context<'_> {
    /// The versions folder alone, read and checked: for commands that never
    /// read the database.
    pub fn folder(&self) -> Result<Migrator, Error> {
        Migrator::from_dir(&self.settings.dir)
    }

    pub fn url(&self) -> Result<DatabaseUrl, Error> {
        self.refuse_fleet()?;
        Ok(DatabaseUrl::parse(&self.settings.database_url)?)
    }

    /// Whether the settings name a fleet: the commands that run over one
    /// print the fleet form, even when `--only`/`--shard` leave one target.
    pub fn is_fleet(&self) -> bool {
        self.settings.fleet.is_some()
    }

    /// The fleet the settings name, its targets listed and selected, or
    /// `None` for one database.
    /// `allow_drift`: `--allow-drift` of upgrade and downgrade.
    pub fn fleet(&self, allow_drift: bool) -> Result<Option<Fleet>, Error> {
        let Some(source) = &self.settings.fleet else {
            return Ok(None);
        };
        let selection = Selection {
            only: self.fleet.only.clone(),
            shard: self.fleet.shard,
        };
        let options = FleetOptions {
            jobs: self.settings.jobs,
            fail_fast: self.fleet.fail_fast,
            lock_timeout: self.settings.lock_timeout,
            schema: self.settings.schema.clone(),
            folder: self.settings.folder.clone(),
            allow_drift,
        };
        // The folder first: a broken one fails every target alike.
        let project = Project::load(&self.settings.dir)?;
        let fleet = Fleet::resolve(
            project,
            source,
            Some(&self.settings.database_url),
            options,
            &selection,
        )?;
        let (lock, wait, placeholders) = (
            self.settings.lock,
            self.wait,
            self.settings.placeholders.clone(),
        );
        // What lazy_migrator gives one database, each target gets.
        Ok(Some(fleet.with_setup(move |migrator| {
            migrator
                .with_lock(lock)
                .with_wait(wait, Some(render::note_connect_wait))
                .with_placeholders(placeholders.clone())
        })))
    }

    /// A command that works on one database, asked of a fleet: bad usage
    /// that says how to name one.
    fn refuse_fleet(&self) -> Result<(), Error> {
        match &self.settings.fleet {
            None => Ok(()),
            Some(source) => Err(Error::Usage {
                message: format!(
                    "this command works on one database, and {} names a fleet (`{}`)",
                    self.settings
                        .environment
                        .as_ref()
                        .map_or_else(|| FILE_NAME.to_owned(), |e| format!("environment `{e}`")),
                    source.key()
                ),
                hint: Some(
                    "name the database with --database-url, or choose an environment of one database with --env"
                        .into(),
                ),
            }),
        }
    }

    /// The folder and the configured database, as one [`Migrator`]. A
    /// database server is connected to while the folder is read.
    pub fn migrator(&self) -> Result<Migrator, Error> {
        let url = self.url()?;
        Ok(
            Migrator::open(&self.settings.dir, url, self.connect_options())?
                .with_lock_timeout(self.settings.lock_timeout)
                .with_revision_timeouts(self.settings.revision_timeouts)
                .with_lock(self.settings.lock)
                .with_placeholders(self.settings.placeholders.clone()),
        )
    }

    /// As [`Context::migrator`], connecting only when a method first needs
    /// the database: for commands that can do without it.
    pub fn lazy_migrator(&self) -> Result<Migrator, Error> {
        let url = self.url()?;
        Ok(self
            .folder()?
            .with_url(url)
            .with_schema(self.settings.schema.clone())
            .with_lock_timeout(self.settings.lock_timeout)
            .with_revision_timeouts(self.settings.revision_timeouts)
            .with_lock(self.settings.lock)
            .with_wait(self.wait, Some(render::note_connect_wait))
            .with_placeholders(self.settings.placeholders.clone()))
    }

    fn connect_options(&self) -> ConnectOptions {
        ConnectOptions {
            schema: self.settings.schema.clone(),
            lock_timeout: self.settings.lock_timeout,
            lock_notice: Some(render::note_lock_wait),
            wait: self.wait,
            wait_notice: Some(render::note_connect_wait),
            ..ConnectOptions::default()
        }
    }
}
