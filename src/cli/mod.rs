//! The command-line layer: reads the options, runs one command, turns its
//! error into text for people.

mod args;
mod commands;
mod render;

use std::path::Path;

use clap::Parser;
use migrator::config::{FileConfig, Overrides, Settings};
use migrator::db::{ConnectOptions, DatabaseUrl};
use migrator::{Error, Migrator, Project};

use args::Cli;
pub use render::Output;

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

impl Context<'_> {
    /// The versions folder, read and checked.
    pub fn project(&self) -> Result<Project, Error> {
        Project::load(&self.settings.dir)
    }

    pub fn url(&self) -> Result<DatabaseUrl, Error> {
        Ok(DatabaseUrl::parse(&self.settings.database_url)?)
    }

    /// The database's state against `project`, or `None` when nothing was
    /// ever recorded there (a database never migrated, or a file that does
    /// not exist yet, which reading does not create).
    // Transitional: the commands that still read the database themselves.
    pub fn read_state(
        &self,
        project: &Project,
    ) -> Result<Option<migrator::engine::DatabaseState>, Error> {
        let mut db = self.open_database()?;
        let state = migrator::engine::read_state(project, db.as_mut())?;
        Ok(state.initialized.then_some(state))
    }

    /// Opens the configured database.
    pub fn open_database(&self) -> Result<Box<dyn migrator::db::Database>, Error> {
        let options = ConnectOptions {
            schema: self.settings.schema.clone(),
        };
        Ok(self.url()?.open(&options)?)
    }

    /// The folder and the configured database, as one [`Migrator`]. A
    /// database server is connected to while the folder is read.
    pub fn migrator(&self) -> Result<Migrator, Error> {
        let url = self.url()?;
        let options = ConnectOptions {
            schema: self.settings.schema.clone(),
        };
        Ok(Migrator::open(&self.settings.dir, url, options)?
            .with_lock_timeout(self.settings.lock_timeout))
    }
}
