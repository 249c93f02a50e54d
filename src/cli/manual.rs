//! The manual, generated from the clap definition so that it describes
//! this very binary: `migrator.1` holds the whole command line on one page,
//! and each command also has a page of its own (`migrator-upgrade.1`, …),
//! as git's do.

use clap::{Arg, ArgAction, Command, CommandFactory};
use clap_mangen::Man;
use clap_mangen::roff::{Inline, Roff, bold, italic, roman};

use super::args::Cli;

/// One page: its file name in a `man1` folder, and its roff source.
pub struct Page {
    pub file_name: String,
    pub roff: String,
}

/// `migrator.1`: the global options, every command with its own options,
/// the exit status, the environment and the files migrator reads.
pub fn main_page() -> Page {
    let command = command_line();
    let man = man(&command);
    let mut page = PageText::default();
    page.section(|w| man.render_title(w));
    page.section(|w| man.render_name_section(w));
    page.section(|w| man.render_synopsis_section(w));
    page.section(|w| man.render_description_section(w));
    page.section(|w| man.render_options_section(w));
    page.roff(&commands_section(&command));
    page.roff(&trailer());
    page.section(|w| man.render_version_section(w));
    Page {
        file_name: man.get_filename(),
        roff: page.text,
    }
}

/// Every page: `migrator.1` first, then one per command, for a `man1`
/// folder where `man migrator-upgrade` finds them.
pub fn pages() -> Vec<Page> {
    let command = command_line();
    let mut pages = vec![main_page()];
    for sub in visible_subcommands(&command) {
        let man = man(sub);
        let mut page = PageText::default();
        page.section(|w| man.render(w));
        let mut see_also = Roff::new();
        see_also.control("SH", ["SEE ALSO"]);
        see_also.text([bold("migrator"), roman("(1)")]);
        page.roff(&see_also);
        pages.push(Page {
            file_name: man.get_filename(),
            roff: page.text,
        });
    }
    pages
}

/// The command line as clap sees it once built: subcommands know their
/// full names (`migrator upgrade`) and carry the global options.
fn command_line() -> Command {
    // `help` is clap's, not a command of migrator's: no page for it.
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

fn man(command: &Command) -> Man {
    let name = command
        .get_display_name()
        .unwrap_or_else(|| command.get_name());
    Man::new(command.clone())
        .title(name.to_uppercase())
        .source(format!("migrator {}", env!("CARGO_PKG_VERSION")))
        .manual("migrator manual")
}

fn visible_subcommands(command: &Command) -> impl Iterator<Item = &Command> {
    command.get_subcommands().filter(|sub| !sub.is_hide_set())
}

/// A page assembled from roff pieces. Each piece that roff renders starts
/// with the same preamble (how to print an apostrophe); the page keeps the
/// first only.
#[derive(Default)]
struct PageText {
    text: String,
}

impl PageText {
    fn section(&mut self, render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) {
        let mut bytes = Vec::new();
        render(&mut bytes).expect("writing to memory cannot fail");
        self.push(String::from_utf8(bytes).expect("roff of UTF-8 text is UTF-8"));
    }

    fn roff(&mut self, roff: &Roff) {
        self.push(roff.render());
    }

    fn push(&mut self, piece: String) {
        let preamble = Roff::new().render();
        match piece.strip_prefix(&preamble) {
            Some(rest) if !self.text.is_empty() => self.text.push_str(rest),
            _ => self.text.push_str(&piece),
        }
    }
}

/// Each command with its synopsis, description and own options. The
/// global options, `--help` and `--version`, which every command accepts,
/// are described once, under OPTIONS.
fn commands_section(command: &Command) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    for sub in visible_subcommands(command) {
        roff.control("SS", [sub.get_name()]);
        let usage = sub.clone().render_usage().to_string();
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        roff.text([bold(usage)]);
        if let Some(about) = sub.get_long_about().or_else(|| sub.get_about()) {
            for paragraph in about.to_string().split("\n\n") {
                roff.control("PP", []);
                roff.text([roman(paragraph.replace('\n', " "))]);
            }
        }
        let own = sub.get_arguments().filter(|arg| {
            !arg.is_hide_set()
                && !arg.is_global_set()
                && !matches!(arg.get_action(), ArgAction::Help | ArgAction::Version)
        });
        for arg in own {
            roff.control("TP", []);
            roff.text(arg_names(arg));
            roff.text([roman(arg_help(arg))]);
        }
    }
    roff
}

/// `-m, --message <MESSAGE>`, or `<TARGET>` for a positional argument.
fn arg_names(arg: &Arg) -> Vec<Inline> {
    let mut names = Vec::new();
    if let Some(short) = arg.get_short() {
        names.push(bold(format!("-{short}")));
    }
    if let Some(long) = arg.get_long() {
        if !names.is_empty() {
            names.push(roman(", "));
        }
        names.push(bold(format!("--{long}")));
    }
    if arg.get_action().takes_values() {
        let value = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map_or_else(
                || arg.get_id().to_string().to_uppercase(),
                ToString::to_string,
            );
        if !names.is_empty() {
            names.push(roman(" "));
        }
        names.push(italic(format!("<{value}>")));
    }
    names
}

/// The argument's help on one line, with its default and its values.
fn arg_help(arg: &Arg) -> String {
    let mut help = arg
        .get_long_help()
        .or_else(|| arg.get_help())
        .map(|help| help.to_string().replace('\n', " "))
        .unwrap_or_default();
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|value| value.to_string_lossy().into_owned())
        .collect();
    // A flag's default (`false`) says nothing.
    let flag = matches!(
        arg.get_action(),
        ArgAction::SetTrue | ArgAction::SetFalse | ArgAction::Count
    );
    if !defaults.is_empty() && !flag {
        help.push_str(&format!(" [default: {}]", defaults.join(", ")));
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|value| !value.is_hide_set())
        .map(|value| value.get_name().to_string())
        .collect();
    if !values.is_empty() && !flag {
        help.push_str(&format!(" [possible values: {}]", values.join(", ")));
    }
    help
}

/// What `migrator help` cannot say: exit status, environment, files.
fn trailer() -> Roff {
    let mut roff = Roff::new();
    let item = |roff: &mut Roff, term: Vec<Inline>, text: &str| {
        roff.control("TP", []);
        roff.text(term);
        roff.text([roman(text)]);
    };
    roff.control("SH", ["EXIT STATUS"]);
    item(&mut roff, vec![bold("0")], "Success.");
    item(
        &mut roff,
        vec![bold("1")],
        "A command failed (a bad folder, an SQL error, drift, a lock timeout), or \
         verify, status --check or merge --check found a problem.",
    );
    item(
        &mut roff,
        vec![bold("2")],
        "Bad usage, decided before any database is touched.",
    );
    roff.control("SH", ["ENVIRONMENT"]);
    item(
        &mut roff,
        vec![bold("DATABASE_URL")],
        "The database when --database-url is not given.",
    );
    item(
        &mut roff,
        vec![bold("NO_COLOR")],
        "No colors, as --no-color.",
    );
    item(
        &mut roff,
        vec![
            bold("PGHOST"),
            roman(", "),
            bold("PGPORT"),
            roman(", "),
            bold("PGUSER"),
            roman(", "),
            bold("PGPASSWORD"),
            roman(", "),
            bold("PGDATABASE"),
            roman(", "),
            bold("PGSSLMODE"),
        ],
        "PostgreSQL: what a postgres:// URL leaves out, as libpq reads them.",
    );
    roff.control("SH", ["FILES"]);
    item(
        &mut roff,
        vec![bold("migrator.toml")],
        "Defaults for dir, database_url, schema, lock_timeout and lock, found in the \
         working directory or its nearest parent; migrator init writes a commented one.",
    );
    item(
        &mut roff,
        vec![bold("versions/")],
        "The revision files: NNNN_slug.up.sql and NNNN_slug.down.sql pairs.",
    );
    roff.control("SH", ["SEE ALSO"]);
    roff.text([
        roman("The per-command pages "),
        bold("migrator-upgrade"),
        roman("(1) and the others, written by "),
        bold("migrator man --out"),
        roman(" DIR; the documentation in the docs/ folder of migrator's repository."),
    ]);
    roff
}
