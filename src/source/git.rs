//! The files of a folder that changed since a Git revision, for
//! `verify --lint --since REF`: what `git diff --name-only REF -- DIR`
//! lists (committed, staged or only in the working tree), and the files
//! Git does not track yet (a revision just written). Read by running the
//! `git` the user has, so that its configuration and credentials are the
//! ones that apply.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::error::Error;

/// The files under `dir` that differ from `base` or are untracked, as
/// canonical paths (files since deleted are left out). An error names the
/// cause: no `git`, `dir` not in a repository, `base` not a commit.
pub fn changed_since(dir: &Path, base: &str) -> Result<HashSet<PathBuf>, Error> {
    let dir = std::fs::canonicalize(dir).map_err(|e| Error::io(dir, e))?;
    let top = git(&dir, &["rev-parse", "--show-toplevel"])?;
    if !top.status.success() {
        return Err(Error::refused(
            format!(
                "--since compares with a Git revision, and {} is not in a Git repository",
                dir.display()
            ),
            "run it in a clone of the repository, or leave --since out to lint the revisions the database has not applied".to_owned(),
        ));
    }
    let top = PathBuf::from(text(&top.stdout).trim_end_matches(['\n', '\r']));
    // A name starting with `-` would be read as an option.
    let commit = if base.starts_with('-') {
        None
    } else {
        let found = git(
            &top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{base}^{{commit}}"),
            ],
        )?;
        found
            .status
            .success()
            .then(|| text(&found.stdout).trim().to_owned())
    };
    let Some(commit) = commit else {
        return Err(Error::refused(
            format!(
                "--since {base}: `{base}` is not a commit of the Git repository at {}",
                top.display()
            ),
            "name a branch, tag or commit the clone has; a shallow clone may lack it: fetch it first (`git fetch origin main`; with actions/checkout, `fetch-depth: 0`)".to_owned(),
        ));
    };
    let folder = dir.to_string_lossy();
    let listings = [
        // diff.relative would make the names relative to the working
        // directory rather than to the top.
        vec![
            "-c",
            "diff.relative=false",
            "diff",
            "--name-only",
            "-z",
            &commit,
            "--",
            &folder,
        ],
        vec![
            "ls-files",
            "-z",
            "--others",
            "--exclude-standard",
            "--",
            &folder,
        ],
    ];
    let mut changed = HashSet::new();
    for args in listings {
        let listed = git(&top, &args)?;
        if !listed.status.success() {
            return Err(Error::refused(
                format!(
                    "`git {}` failed: {}",
                    args.join(" "),
                    text(&listed.stderr).trim()
                ),
                None,
            ));
        }
        for name in text(&listed.stdout)
            .split('\0')
            .filter(|name| !name.is_empty())
        {
            if let Ok(path) = std::fs::canonicalize(top.join(name)) {
                changed.insert(path);
            }
        }
    }
    Ok(changed)
}

fn git(cwd: &Path, args: &[&str]) -> Result<Output, Error> {
    Command::new("git")
        .arg("-C")
        .arg(cwd)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::refused(
                    "--since runs `git`, which is not installed or not on PATH",
                    "install Git, or leave --since out".to_owned(),
                )
            } else {
                Error::io("git", e)
            }
        })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(status.status.success(), "git {args:?}: {status:?}");
    }

    fn names(found: &HashSet<PathBuf>) -> Vec<String> {
        let mut names: Vec<String> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn lists_changed_staged_and_untracked_files_of_the_folder() {
        let repo = tempfile::tempdir().unwrap();
        let top = repo.path();
        let versions = top.join("db/versions");
        std::fs::create_dir_all(&versions).unwrap();
        for name in ["a.sql", "b.sql", "c.sql"] {
            std::fs::write(versions.join(name), "x").unwrap();
        }
        std::fs::write(top.join("outside.sql"), "x").unwrap();
        run(top, &["init", "-q"]);
        run(top, &["add", "."]);
        run(top, &["commit", "-q", "-m", "base"]);
        run(top, &["tag", "base"]);

        std::fs::write(versions.join("a.sql"), "changed").unwrap();
        std::fs::write(versions.join("new.sql"), "untracked").unwrap();
        std::fs::write(versions.join("staged.sql"), "staged").unwrap();
        run(top, &["add", "db/versions/staged.sql"]);
        std::fs::remove_file(versions.join("c.sql")).unwrap();
        std::fs::write(top.join("outside.sql"), "changed").unwrap();

        let found = changed_since(&versions, "base").unwrap();
        assert_eq!(names(&found), ["a.sql", "new.sql", "staged.sql"]);
        // From a subfolder of the repository, through a relative path.
        let found = changed_since(&versions.join("../versions"), "HEAD").unwrap();
        assert_eq!(names(&found), ["a.sql", "new.sql", "staged.sql"]);
    }

    #[test]
    fn refuses_an_unknown_revision_and_a_folder_outside_git() {
        let repo = tempfile::tempdir().unwrap();
        run(repo.path(), &["init", "-q"]);
        for base in ["no-such-branch", "--output=x", "HEAD"] {
            let error = changed_since(repo.path(), base).unwrap_err().to_string();
            assert!(error.contains("is not a commit"), "{base}: {error}");
        }
        let outside = tempfile::tempdir().unwrap();
        let error = changed_since(outside.path(), "HEAD")
            .unwrap_err()
            .to_string();
        assert!(error.contains("is not in a Git repository"), "{error}");
    }
}
