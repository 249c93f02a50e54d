//! What a person sees: suggestions for a mistyped id, drift diffs, colour on
//! each stream, and file names that try to talk to the terminal.

#[macro_use]
mod support;

use std::ffi::OsStr;
use std::process::{Command, Stdio};

use support::{Backend, Project};

#[test]
fn an_unknown_parent_is_never_offered_its_own_revision() {
    let p = Project::new(Backend::Sqlite);
    p.revision("0001_users", &[], "", "")
        .revision("0002_emails", &["0002_users"], "", "");
    p.run(&["heads"])
        .failure(1)
        .stderr_has("0002_emails names a parent that does not exist: `0002_users`")
        .stderr_lacks("did you mean `0002_emails`")
        .stderr_has("did you mean `0001_users`?");

    p.revision("0002_orders", &["0001_users"], "", "");
    p.run(&["heads"])
        .failure(1)
        .stderr_has("did you mean `0002_orders`?");
}

/// Two one-line edits 2,100 lines apart once printed 4,206 lines: the whole
/// file removed and added again.
#[test]
fn a_drift_diff_of_a_large_file_shows_two_small_hunks() {
    let p = Project::new(Backend::Sqlite);
    let rows: String = (1..=2_500)
        .map(|i| format!("INSERT INTO t VALUES ({i});\n"))
        .collect();
    p.revision(
        "0001_big",
        &[],
        &format!("CREATE TABLE t (n integer);\n{rows}"),
        "DROP TABLE t;",
    );
    p.run(&["upgrade"]).success();
    let path = p.path().join("versions/0001_big.up.sql");
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text
        .replace("VALUES (200);", "VALUES (-200);")
        .replace("VALUES (2300);", "VALUES (-2300);");
    std::fs::write(&path, edited).unwrap();

    let verify = p.run(&["verify"]);
    verify
        .failure(1)
        .stderr_has("    --- applied\n    +++ versions/0001_big.up.sql\n")
        .stderr_has("    -INSERT INTO t VALUES (200);\n    +INSERT INTO t VALUES (-200);\n")
        .stderr_has("    -INSERT INTO t VALUES (2300);\n    +INSERT INTO t VALUES (-2300);\n");
    let diff: Vec<&str> = verify
        .stderr
        .lines()
        .filter(|line| line.starts_with("    "))
        .collect();
    let hunks: Vec<&&str> = diff
        .iter()
        .filter(|line| line.starts_with("    @@ "))
        .collect();
    assert_eq!(hunks.len(), 2, "{verify:?}");
    // Two headers, and per hunk its @@ line, 6 of context, 1 out and 1 in.
    assert_eq!(diff.len(), 2 + 2 * 9, "{}", diff.join("\n"));
}

/// Whether `text` holds an SGR sequence (`ESC [ … m`): colour or bold.
fn has_colour(text: &str) -> bool {
    text.match_indices("\u{1b}[").any(|(i, _)| {
        let rest = &text[i + 2..];
        rest.find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .is_some_and(|end| rest[end..].starts_with('m'))
    })
}

/// A project whose next `upgrade` says something in colour on each stream:
/// a warning on stderr (an applied down file changed) and two steps on
/// stdout. `downgrade 0001_a` sets it up again.
fn colourful() -> Project {
    let p = Project::new(Backend::Sqlite);
    p.revision(
        "0001_a",
        &[],
        "CREATE TABLE a (id integer);",
        "DROP TABLE a;",
    )
    .run(&["upgrade"])
    .success();
    p.file("versions/0001_a.down.sql", "DROP TABLE a; -- changed\n")
        .revision("0002_b", &["0001_a"], "", "")
        .revision("0003_c", &["0002_b"], "", "");
    p
}

/// The binary with the colour settings of a terminal user (`TERM` set, no
/// `NO_COLOR`, `CLICOLOR` or `CLICOLOR_FORCE`) and then `env`.
fn coloured(p: &Project, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = p.command();
    command
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("TERM", "xterm-256color")
        .args(["--database-url", p.url()])
        .args(args)
        .envs(env.iter().copied());
    command
}

fn shell_quote(word: &OsStr) -> String {
    format!("'{}'", word.to_str().unwrap().replace('\'', r"'\''"))
}

/// Runs `command` on a pseudo-terminal, through `script` of util-linux:
/// stdout and stderr are the terminal but for what `redirect` (`2>err.txt`,
/// `>out.txt`, run by the shell in the command's folder) sends elsewhere.
/// Returns what the terminal showed.
fn on_terminal(command: &Command, redirect: &str) -> String {
    let mut line = String::from("test -t 1 || exit 97; exec ");
    line.push_str(&shell_quote(command.get_program()));
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&shell_quote(arg));
    }
    line.push(' ');
    line.push_str(redirect);
    let mut script = Command::new("script");
    script
        .args(["-qec", &line, "/dev/null"])
        .current_dir(command.get_current_dir().unwrap())
        .env("SHELL", "/bin/sh")
        .stdin(Stdio::null());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => script.env(key, value),
            None => script.env_remove(key),
        };
    }
    let output = script.output().unwrap_or_else(|e| {
        panic!(
            "this test needs a pseudo-terminal, made by `script` from util-linux \
             (Debian: bsdutils), which did not start: {e}"
        )
    });
    let shown = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.stderr.is_empty() && output.status.code() != Some(97),
        "`script` could not give the command a terminal (status {:?}): {}{shown}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    shown
}

#[test]
fn colour_reaches_only_a_stream_that_is_a_terminal() {
    let p = colourful();
    let upgrade = coloured(&p, &["upgrade"], &[]);
    let read = |name: &str| std::fs::read_to_string(p.path().join(name)).unwrap();

    let terminal = on_terminal(&upgrade, "2>err.txt");
    assert!(has_colour(&terminal), "stdout on a terminal: {terminal:?}");
    assert!(terminal.contains("0003_c"), "{terminal:?}");
    let err = read("err.txt");
    assert!(err.contains("warning: "), "{err:?}");
    assert!(!err.contains('\u{1b}'), "stderr to a file: {err:?}");

    p.run(&["downgrade", "0001_a"]).success();
    let terminal = on_terminal(&upgrade, ">out.txt");
    assert!(has_colour(&terminal), "stderr on a terminal: {terminal:?}");
    assert!(terminal.contains("warning:"), "{terminal:?}");
    // Progress is for a terminal, and stderr is one.
    assert!(terminal.contains("[1/2] apply 0002_b"), "{terminal:?}");
    let out = read("out.txt");
    assert!(out.contains("0003_c"), "{out:?}");
    assert!(!out.contains('\u{1b}'), "stdout to a file: {out:?}");

    p.run(&["downgrade", "0001_a"]).success();
    let output = coloured(&p, &["upgrade"], &[]).output().unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        out.contains("0003_c") && err.contains("warning: "),
        "{output:?}"
    );
    assert!(
        !out.contains('\u{1b}') && !err.contains('\u{1b}'),
        "{output:?}"
    );
}

#[test]
fn clicolor_force_colours_both_streams_off_a_terminal() {
    let p = colourful();
    let output = coloured(&p, &["upgrade"], &[("CLICOLOR_FORCE", "1")])
        .output()
        .unwrap();
    assert!(
        has_colour(&String::from_utf8_lossy(&output.stdout)),
        "{output:?}"
    );
    assert!(
        has_colour(&String::from_utf8_lossy(&output.stderr)),
        "{output:?}"
    );

    // NO_COLOR wins (colored alone would let CLICOLOR_FORCE win).
    p.run(&["downgrade", "0001_a"]).success();
    let env = [("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")];
    let output = coloured(&p, &["upgrade"], &env).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(!output.stdout.contains(&0x1b), "{output:?}");
    assert!(!output.stderr.contains(&0x1b), "{output:?}");
}

#[test]
fn no_color_and_the_flag_mean_no_colour_even_on_a_terminal() {
    let p = colourful();
    for (args, env) in [
        (&["upgrade"][..], &[("NO_COLOR", "1")][..]),
        (&["--no-color", "upgrade"], &[]),
        (&["upgrade", "--no-color"], &[]),
    ] {
        let terminal = on_terminal(&coloured(&p, args, env), "");
        assert!(!has_colour(&terminal), "{args:?} {env:?}: {terminal:?}");
        assert!(terminal.contains("warning: "), "{terminal:?}");
        assert!(terminal.contains("0003_c"), "{terminal:?}");
        // Clearing a progress line is not colour: it stays.
        assert!(terminal.contains("\r\u{1b}[2K\r"), "{terminal:?}");
        p.run(&["downgrade", "0001_a"]).success();
    }

    // clap's own messages too, which it writes before our options are read.
    let terminal = on_terminal(&coloured(&p, &["bogus"], &[]), "");
    assert!(has_colour(&terminal), "{terminal:?}");
    for (args, env) in [
        (&["--no-color", "bogus"][..], &[][..]),
        (&["bogus"], &[("NO_COLOR", "1")]),
    ] {
        let terminal = on_terminal(&coloured(&p, args, env), "");
        assert!(terminal.contains("unrecognized subcommand"), "{terminal:?}");
        assert!(!has_colour(&terminal), "{args:?} {env:?}: {terminal:?}");
    }
}

/// `text` less its colour sequences: what is left must not talk to the
/// terminal.
fn without_colour(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("\u{1b}[") {
        let parameters = &rest[start + 2..];
        let end = parameters
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .filter(|&end| parameters[end..].starts_with('m'));
        out.push_str(&rest[..start]);
        match end {
            Some(end) => rest = &parameters[end + 1..],
            None => {
                out.push_str("\u{1b}[");
                rest = parameters;
            }
        }
    }
    out.push_str(rest);
    out
}

#[track_caller]
fn assert_harmless(text: &str) {
    let left = without_colour(text);
    assert!(
        !left.contains(|c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
        "a control character reaches the terminal: {text:?}"
    );
}

#[test]
fn control_characters_in_file_names_and_sql_are_shown_escaped() {
    let p = Project::new(Backend::Sqlite);
    p.revision("0001_a", &[], "SELECT '\u{1b}[2J\u{1b}]0;pwned\u{7}';", "")
        .file("versions/\u{1b}[2Jclear.sql", "")
        .file("versions/0002_\u{1b}]0;pwned\u{7}.up.sql", "");
    let expected = [
        r"versions/\u{1b}[2Jclear.sql: `\u{1b}[2Jclear.sql` is not a revision file name",
        r"versions/0002_\u{1b}]0;pwned\u{7}.up.sql: `0002_\u{1b}]0;pwned\u{7}.up.sql` is not",
    ];

    // Coloured, on a terminal and off one: only colour is raw.
    let terminal = on_terminal(&coloured(&p, &["status"], &[]), "");
    let forced = coloured(&p, &["status"], &[("CLICOLOR_FORCE", "1")])
        .output()
        .unwrap();
    let forced = String::from_utf8_lossy(&forced.stderr);
    for shown in [&terminal[..], &forced] {
        assert!(has_colour(shown), "{shown:?}");
        assert_harmless(shown);
        for line in expected {
            assert!(shown.contains(line), "{line:?} in {shown:?}");
        }
    }
    // Without colour the escapes show too, where stripping them would hide
    // part of the name.
    let plain = p.run(&["status"]);
    plain.failure(1);
    assert_harmless(&plain.stderr);
    for line in expected {
        plain.stderr_has(line);
    }

    // A report's lines: the SQL that `show` prints.
    std::fs::remove_file(p.path().join("versions/\u{1b}[2Jclear.sql")).unwrap();
    std::fs::remove_file(p.path().join("versions/0002_\u{1b}]0;pwned\u{7}.up.sql")).unwrap();
    let show = p.run(&["show", "0001_a"]);
    show.success()
        .stdout_has(r"SELECT '\u{1b}[2J\u{1b}]0;pwned\u{7}';");
    assert_harmless(&show.stdout);
    let shown = on_terminal(&coloured(&p, &["show", "0001_a"], &[]), "");
    assert!(
        shown.contains(r"SELECT '\u{1b}[2J\u{1b}]0;pwned\u{7}';"),
        "{shown:?}"
    );
    assert_harmless(&shown);
}
