//! `migrator completions SHELL`: the shell's completion script.

use clap::CommandFactory;
use clap_complete::Shell;
use migrator::Error;

use crate::cli::Output;
use crate::cli::args::Cli;
use crate::cli::render::Completions;

pub fn run(shell: Shell, output: &Output) -> Result<i32, Error> {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut script);
    let script = String::from_utf8(script).expect("clap_complete writes UTF-8");
    output.show(&Completions {
        shell: shell.to_string(),
        script,
    });
    Ok(0)
}
