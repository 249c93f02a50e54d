//! The command-line layer: reads the options, runs one command, turns its
//! error into text for people.

mod args;
mod commands;
mod manual;
mod render;

use std::path::Path;

use clap::Parser;
use migrator::config::{FileConfig, Overrides, Settings};
use migrator::db::{ConnectOptions, DatabaseUrl};
use migrator::{Error, Migrator};

use args::{Cli, Command};
pub use render::Output;

/// Runs the command line; returns the exit status.
pub fn main() -> i32 {
    render::colors_before_parsing(std::env::args_os().skip(1));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout with status 0, usage
            // errors to stderr with status 2.
            let format = args::format_asked(std::env::args_os());
            Output::new(format, false).clap_error(&error);
            return error.exit_code();
        }
    };
    let output = Output::new(cli.format, cli.no_color);
    match run(cli, &output) {
        Ok(status) => status,
        Err(error) => {
            output.error(&error);
            render::exit_code(&error)
        }
    }
}

fn run(cli: Cli, output: &Output) -> Result<i32, Error> {
    // These describe the command line itself: a broken migrator.toml or
    // setting must not stand between a packager or a shell and them.
    match cli.command {
        Command::Completions { shell } => return commands::completions(shell, output),
        Command::Man { out } => return commands::man(out.as_deref(), output),
        _ => {}
    }
    let file = FileConfig::find(Path::new("."))?;
    let overrides = Overrides {
        dir: cli.dir,
        database_url: cli.database_url.filter(|url| !url.is_empty()),
        schema: cli.schema,
        lock_timeout: cli.lock_timeout,
        lock: cli.lock,
        placeholders_from_environment: migrator::source::placeholder::from_environment(
            std::env::vars_os(),
        ),
        placeholders_set: cli.set,
    };
    let database_url_given = overrides.database_url.is_some();
    let context = Context {
        settings: Settings::resolve(overrides, file)?,
        database_url_given,
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
        Ok(DatabaseUrl::parse(&self.settings.database_url)?)
    }

    /// The folder and the configured database, as one [`Migrator`]. A
    /// database server is connected to while the folder is read.
    pub fn migrator(&self) -> Result<Migrator, Error> {
        let url = self.url()?;
        Ok(
            Migrator::open(&self.settings.dir, url, self.connect_options())?
                .with_lock_timeout(self.settings.lock_timeout)
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
        }
    }
}
