//! The command-line layer: reads the options, runs one command, turns its
//! error into text for people.

mod args;
mod commands;
mod github;
mod output;

use std::io::IsTerminal;
use std::path::Path;

use clap::Parser;
use migrator::config::{FileConfig, Overrides, Settings};
use migrator::db::{self, ConnectOptions, Database, DatabaseUrl};
use migrator::{Error, Project};

use args::Cli;
pub use output::Output;

/// Runs the command line; returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout with status 0, usage
            // errors to stderr with status 2.
            let _ = error.print();
            return error.exit_code();
        }
    };
    let color = !cli.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal();
    let output = Output::new(cli.format, color);
    match run(cli, &output) {
        Ok(status) => status,
        Err(error) => {
            output.error(&error);
            output::exit_code(&error)
        }
    }
}

fn run(cli: Cli, output: &Output) -> Result<i32, Error> {
    let file = FileConfig::read(Path::new("."))?;
    let overrides = Overrides {
        dir: cli.dir,
        database_url: cli.database_url.filter(|url| !url.is_empty()),
        schema: cli.schema,
        lock_timeout: cli.lock_timeout,
    };
    let context = Context {
        settings: Settings::resolve(overrides, file)?,
        output,
    };
    commands::run(cli.command, &context)
}

/// What every command gets: the settings and the output.
pub struct Context<'a> {
    pub settings: Settings,
    pub output: &'a Output,
}

/// How a command uses the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads only: a SQLite file that does not exist is an empty database,
    /// and is not created.
    Read,
    /// May create the file and the bookkeeping tables.
    Write,
}

impl Context<'_> {
    pub fn project(&self) -> Result<Project, Error> {
        Project::load(&self.settings.dir)
    }

    pub fn url(&self) -> Result<DatabaseUrl, Error> {
        Ok(DatabaseUrl::parse(&self.settings.database_url)?)
    }

    /// Opens the configured database; `None` when reading a SQLite file that
    /// does not exist yet (nothing is applied there).
    pub fn database(&self, access: Access) -> Result<Option<Box<dyn Database>>, Error> {
        let url = self.url()?;
        if access == Access::Read
            && let DatabaseUrl::Sqlite { path: Some(path) } = &url
            && !path.exists()
        {
            return Ok(None);
        }
        let options = ConnectOptions {
            schema: self.settings.schema.clone(),
            lock_timeout: self.settings.lock_timeout,
            lock_notice: Some(commands::note_lock_wait),
        };
        Ok(Some(db::connect(&url, &options)?))
    }

    /// The project and the database together. A PostgreSQL connection
    /// (TCP, start-up, authentication) is opened while the folder is read,
    /// so a deploy's `upgrade` with nothing to do waits for the slower of
    /// the two, not for both. A broken folder is reported first.
    pub fn project_and_database(
        &self,
        access: Access,
    ) -> Result<(Project, Option<Box<dyn Database>>), Error> {
        if !matches!(self.url()?, DatabaseUrl::Postgres { .. }) {
            let project = self.project()?;
            return Ok((project, self.database(access)?));
        }
        let (project, database) = std::thread::scope(|scope| {
            let connecting = scope.spawn(|| self.database(access));
            let project = self.project();
            let database = connecting
                .join()
                .expect("the connecting thread does not panic");
            (project, database)
        });
        Ok((project?, database?))
    }
}
