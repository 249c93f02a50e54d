//! How things are said: text or JSON, colors on a terminal only, and the
//! one place where errors become text for people.

use std::io::Write;

use colored::{ColoredString, Colorize};
use migrator::Error;
use migrator::db::DbError;
use migrator::target::TargetError;

use super::args::Format;

/// Writes a command's results to stdout and its messages to stderr.
pub struct Output {
    pub format: Format,
}

impl Output {
    pub fn new(format: Format, color: bool) -> Output {
        colored::control::set_override(color);
        Output { format }
    }

    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    /// One line of results.
    pub fn line(&self, text: impl AsRef<str>) {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`migrator history | head`) is not an error.
        let _ = writeln!(stdout, "{}", text.as_ref());
    }

    /// A JSON document of results.
    pub fn json(&self, value: &impl serde::Serialize) {
        let text = serde_json::to_string_pretty(value).expect("results serialize to JSON");
        self.line(text);
    }

    /// A message about the run (progress, notes), on stderr so results stay
    /// clean for pipes.
    pub fn note(&self, text: impl AsRef<str>) {
        eprintln!("{}", text.as_ref());
    }

    pub fn warn(&self, text: impl AsRef<str>) {
        eprintln!("{} {}", "warning:".yellow().bold(), text.as_ref());
    }

    /// Renders an error: one short line, then details, then a hint.
    pub fn error(&self, error: &Error) {
        let mut lines = vec![format!("{} {error}", "error:".red().bold())];
        let mut hint = None;
        match error {
            Error::Folder { problems, .. } => {
                for problem in problems {
                    lines.push(format!("  {problem}"));
                    if let Some(h) = &problem.hint {
                        // Continuation lines (an example header) line up under the hint.
                        let h = h.replace('\n', "\n          ");
                        lines.push(format!("    {} {h}", "hint:".cyan()));
                    }
                }
            }
            Error::Sql {
                path,
                position,
                failure,
                ..
            } => {
                match position {
                    Some((line, column)) => {
                        lines.push(format!("  --> {}:{line}:{column}", path.display()))
                    }
                    None => lines.push(format!("  --> {}", path.display())),
                }
                if let Some(code) = &failure.code {
                    lines.push(format!("  code: {code}"));
                }
                if let Some(detail) = &failure.detail {
                    lines.push(format!("  detail: {detail}"));
                }
                if let Some(done) = failure.statements_done {
                    lines.push(format!(
                        "  this revision runs outside a transaction: {done} statement(s) before the failing one ran and stay done; nothing was recorded"
                    ));
                }
                hint = failure.hint.clone().or_else(|| {
                    Some("fix the file and run the command again; revisions before this one stay applied".into())
                });
            }
            Error::Drift {
                drifted, missing, ..
            } => {
                for drift in drifted {
                    lines.push(format!(
                        "  {} {}: recorded {}, file now {}",
                        drift.revision,
                        drift.path.display(),
                        short(&drift.recorded),
                        short(&drift.current)
                    ));
                    if let Some(recorded) = &drift.recorded_sql
                        && let Ok(bytes) = std::fs::read(&drift.path)
                    {
                        let now = String::from_utf8_lossy(&migrator::checksum::normalize(&bytes))
                            .into_owned();
                        for line in migrator::diff::unified(
                            recorded,
                            &now,
                            "applied",
                            &drift.path.display().to_string(),
                        )
                        .lines()
                        {
                            lines.push(format!("    {}", colorize_diff(line)));
                        }
                    }
                }
                for id in missing {
                    lines.push(format!(
                        "  {id}: applied, but its files are not in the folder"
                    ));
                }
                hint = Some(
                    "restore the applied files as they were; if the change was reviewed and the database already matches it, \
                     record the new checksums with `migrator repair`; to deploy anyway, pass --allow-drift"
                        .into(),
                );
            }
            Error::Target(target) => {
                if let TargetError::MultipleHeads { heads } = target {
                    lines.extend(head_list(heads).iter().map(|h| format!("  {h}")));
                }
                hint = target_hint(target)
            }
            Error::Database(DbError::Connect { hint: h, .. }) => hint = h.clone(),
            Error::Database(DbError::LockTimeout { .. }) => {
                hint = Some(
                    "another migrator run holds the lock; wait for it, or raise --lock-timeout"
                        .into(),
                )
            }
            Error::Refused {
                details, hint: h, ..
            } => {
                lines.extend(details.iter().map(|d| format!("  {d}")));
                hint = h.clone()
            }
            Error::Url(url) if url.url.starts_with("postgres") => {
                hint = Some("see https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS".into())
            }
            Error::Url(_) => {
                hint =
                    Some("examples: sqlite:migrator.db, postgres://user@localhost:5432/app".into())
            }
            _ => {}
        }
        if let Some(hint) = hint {
            lines.push(format!("{} {hint}", "hint:".cyan().bold()));
        }
        let mut stderr = std::io::stderr().lock();
        for line in lines {
            let _ = writeln!(stderr, "{line}");
        }
    }
}

fn target_hint(error: &TargetError) -> Option<String> {
    match error {
        TargetError::MultipleHeads { .. } => Some(
            "join them with `migrator merge` (and commit the merge revision), \
             or apply every head with `migrator upgrade heads`"
                .into(),
        ),
        TargetError::Unknown {
            suggestion: Some(s),
            ..
        } => Some(format!("did you mean `{s}`?")),
        TargetError::Unknown { .. } => Some("`migrator history` lists the revisions".into()),
        TargetError::Ambiguous { .. } => Some("type more of the id".into()),
        TargetError::NoRevisions => Some("create one with `migrator new -m \"...\"`".into()),
        TargetError::WrongDirection { text, command } => {
            Some(match (*command, text.chars().next()) {
                ("upgrade", Some('-')) => {
                    format!("to undo revisions, run `migrator downgrade {text}`")
                }
                ("downgrade", Some('+')) => {
                    format!("to apply revisions, run `migrator upgrade {text}`")
                }
                _ => "a count must be 1 or more: `+N` for upgrade, `-N` for downgrade".into(),
            })
        }
        _ => None,
    }
}

/// One line per head, `ID  MESSAGE`, ids padded so messages line up.
pub fn head_list(heads: &[(String, String)]) -> Vec<String> {
    let width = heads.iter().map(|(id, _)| id.len()).max().unwrap_or(0);
    heads
        .iter()
        .map(|(id, message)| format!("{id:width$}  {message}").trim_end().to_string())
        .collect()
}

fn colorize_diff(line: &str) -> ColoredString {
    if line.starts_with('+') {
        line.green()
    } else if line.starts_with('-') {
        line.red()
    } else if line.starts_with("@@") {
        line.cyan()
    } else {
        line.normal()
    }
}

/// The first 12 hex digits of a checksum: enough to tell them apart.
/// A duration as people read it: fractions below 10 ms, where migrations
/// of a small table usually fall, seconds above one.
pub fn duration(elapsed: std::time::Duration) -> String {
    let ms = elapsed.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// A recorded execution time: whole milliseconds, where 0 means "under one".
pub fn recorded_ms(ms: i64) -> String {
    if ms < 1 {
        "<1 ms".to_string()
    } else {
        format!("{ms} ms")
    }
}

pub fn short(checksum: &str) -> &str {
    &checksum[..checksum.len().min(12)]
}

/// The exit status for an error: 2 for bad usage, 1 for everything else.
pub fn exit_code(error: &Error) -> i32 {
    match error {
        Error::Target(TargetError::Invalid { .. } | TargetError::WrongDirection { .. })
        | Error::Url(_) => 2,
        _ => 1,
    }
}
