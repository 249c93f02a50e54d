//! Where shells and `man` expect migrator: `migrator completions SHELL`
//! gives a script bash really completes with, and `migrator man` pages that
//! a real formatter renders without a warning.
//!
//! The manual is rendered by `man -l` (man-db), else `groff`, else
//! `mandoc`; without any of them the test fails saying what to install,
//! rather than passing on a page no formatter read.

mod support;

use std::path::Path;
use std::process::Command;

use support::{Backend, Project};

const SHELLS: [&str; 5] = ["bash", "elvish", "fish", "powershell", "zsh"];

/// Sources `migrator completions bash` the way a user's ~/.bashrc would
/// (the binary found on PATH), then asks the function it registered for
/// `migrator` to complete `words`, the last one being typed, as bash's
/// programmable completion calls it. Returns what it offers.
fn bash_completes(p: &Project, words: &[&str]) -> Vec<String> {
    const SCRIPT: &str = r#"
source <(migrator completions bash)
spec=$(complete -p migrator) || { echo "nothing completes migrator" >&2; exit 3; }
function=${spec##* -F }
function=${function%% *}
COMP_WORDS=(migrator "$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
"$function" migrator "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_migrator")).parent().unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin_dir.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", SCRIPT, "bash"])
        .args(words)
        .current_dir(p.path())
        .env("PATH", path)
        .output()
        .expect("bash runs (the completion test needs bash)");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.is_empty(),
        "completing {words:?}: {:?}\n{stderr}",
        output.status
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn bash_sources_the_script_and_completes_commands_options_and_values() {
    let p = Project::new(Backend::Sqlite);
    let cases: &[(&[&str], &[&str])] = &[
        (&["upg"], &["upgrade"]),
        (&["hea"], &["heads"]),
        (&["comp"], &["completions"]),
        (&["upgrade", "--dr"], &["--dry-run"]),
        (&["history", "--gr"], &["--graph"]),
        (&["man", "--ou"], &["--out"]),
        (&["--format", "j"], &["json"]),
        (&["completions", "f"], &["fish"]),
    ];
    for (words, expected) in cases {
        assert_eq!(bash_completes(&p, words), *expected, "completing {words:?}");
    }
    let offered = bash_completes(&p, &["completions", ""]);
    for shell in SHELLS {
        assert!(
            offered.iter().any(|word| word == shell),
            "{shell}: {offered:?}"
        );
    }
}

#[test]
fn every_shell_gets_a_script_that_knows_every_command() {
    let p = Project::new(Backend::Sqlite);
    let commands = support::commands(&p);
    for shell in SHELLS {
        let run = p.run_without_url(&["completions", shell]);
        run.success();
        assert_eq!(run.stderr, "", "completions {shell}");
        for command in &commands {
            run.stdout_has(command);
        }
        let json = p.run_without_url(&["completions", shell, "--format", "json"]);
        json.success();
        let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(document["shell"], shell);
        assert_eq!(document["script"], run.stdout.as_str(), "the same script");
    }
    p.run_without_url(&["completions", "tcsh"])
        .failure(2)
        .stderr_has("possible values: bash, elvish, fish, powershell, zsh");
}

#[test]
fn completions_and_the_manual_need_no_settings() {
    let p = Project::new(Backend::Sqlite);
    p.file("migrator.toml", "colour = true\n");
    p.run_without_url(&["status"])
        .failure(1)
        .stderr_has("unknown field `colour`");
    p.run_env(&["completions", "bash"], &[("DATABASE_URL", "nosuch://")])
        .success()
        .stdout_has("complete -F _migrator");
    p.run_without_url(&["man"])
        .success()
        .stdout_has(".TH MIGRATOR 1");
}

/// A page as a reader sees it: rendered by the first formatter found, which
/// must not warn (`--warnings`, `-ww`, `-W warning`).
fn render(page: &Path) -> String {
    let have = |program: &str| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success())
    };
    let mut command = if have("man") {
        let mut man = Command::new("man");
        man.args(["--warnings", "-l"])
            .arg(page)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100");
        man
    } else if have("groff") {
        let mut groff = Command::new("groff");
        groff.args(["-man", "-Tutf8", "-ww"]).arg(page);
        groff
    } else if Command::new("mandoc").arg("-V").output().is_ok() {
        let mut mandoc = Command::new("mandoc");
        mandoc.args(["-Tutf8", "-W", "warning"]).arg(page);
        mandoc
    } else {
        panic!(
            "rendering the manual needs man-db, groff or mandoc: \
             `apt-get install man-db groff-base` (Debian, Ubuntu) or `apt-get install mandoc`"
        );
    };
    let output = command
        .env("GROFF_NO_SGR", "1")
        .output()
        .expect("the formatter runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.trim().is_empty(),
        "{command:?} on {}: {:?}\n{stderr}",
        page.display(),
        output.status
    );
    plain(&String::from_utf8_lossy(&output.stdout))
}

/// Rendered text without the overstrikes of bold and underlined letters.
fn plain(rendered: &str) -> String {
    let mut text = String::with_capacity(rendered.len());
    for c in rendered.chars() {
        if c == '\u{8}' {
            text.pop();
        } else {
            text.push(c);
        }
    }
    text.replace(['\u{2010}', '\u{2212}'], "-")
}

/// `text` with every run of white space one space: a formatter justifies
/// lines and breaks them where the page is full.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_manual_page_describes_every_command_and_renders() {
    let p = Project::new(Backend::Sqlite);
    let run = p.run_without_url(&["man"]);
    run.success();
    for section in [
        ".TH MIGRATOR 1",
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH COMMANDS",
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
    ] {
        run.stdout_has(&format!("\n{section}"));
    }
    p.file("migrator.1", &run.stdout);
    let text = render(&p.path().join("migrator.1"));
    for heading in ["NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "EXIT STATUS"] {
        assert!(
            text.contains(&format!("\n{heading}\n")),
            "{heading}:\n{text}"
        );
    }
    let words = squeezed(&text);
    assert!(
        words.contains("migrator - Versions a database schema"),
        "{text}"
    );
    for command in support::commands(&p) {
        run.stdout_has(&format!(".SS {command}\n"));
        assert!(
            words.contains(&format!("migrator {command} [OPTIONS]")),
            "no synopsis of {command}:\n{text}"
        );
    }
    // A command's own options are on the page; the global ones once.
    for option in ["--dry-run", "--allow-heads", "--rev-range", "--out"] {
        assert!(words.contains(option), "{option}:\n{text}");
    }
    assert_eq!(
        words.matches("--lock-timeout <DURATION>").count(),
        1,
        "{text}"
    );
}

#[test]
fn man_out_writes_a_page_per_command_that_renders() {
    let p = Project::new(Backend::Sqlite);
    let run = p.run_without_url(&["man", "--out", "share/man/man1"]);
    run.success();
    let dir = p.path().join("share/man/man1");
    let mut expected: Vec<String> = support::commands(&p)
        .iter()
        .map(|command| format!("migrator-{command}.1"))
        .collect();
    expected.push("migrator.1".to_string());
    expected.sort();
    let mut written: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(written, expected);
    for file in &written {
        run.stdout_has(&format!("wrote share/man/man1/{file}\n"));
    }
    let main = std::fs::read_to_string(dir.join("migrator.1")).unwrap();
    assert_eq!(
        main,
        p.run_without_url(&["man"]).stdout,
        "migrator.1 is the page `migrator man` prints"
    );
    for command in support::commands(&p) {
        let text = squeezed(&render(&dir.join(format!("migrator-{command}.1"))));
        assert!(
            text.contains(&format!("NAME migrator-{command} - ")),
            "{text}"
        );
        assert!(text.contains("SEE ALSO migrator(1)"), "{text}");
    }
    let upgrade = render(&dir.join("migrator-upgrade.1"));
    assert!(upgrade.contains("--allow-drift"), "{upgrade}");

    // Written again over the old pages; a file where the folder should be
    // is an error that names it.
    p.run_without_url(&["man", "--out", "share/man/man1"])
        .success();
    p.file("taken", "");
    p.run_without_url(&["man", "--out", "taken"])
        .failure(1)
        .stderr_has("taken");
}
