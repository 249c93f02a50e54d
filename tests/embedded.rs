//! A versions folder compiled into the test binary by `migrator::embed!`
//! reads as the same folder on disk: the same revisions, checksums and
//! parents, and the same problems, named by file and line.

use std::path::{Path, PathBuf};

use migrator::source::Embedded;
use migrator::source::revision::Revision;
use migrator::{Error, Project};

static GOOD: Embedded = migrator::embed!("tests/fixtures/embedded");
static BROKEN: Embedded = migrator::embed!("tests/fixtures/embedded_broken");

/// The folder as `Project::load` reads it from the checkout.
fn load(dir: &str) -> Result<Project, Error> {
    Project::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
}

/// `path` as the embedded folder names it: relative to the crate.
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_path_buf()
}

fn with_relative_paths(revisions: &[Revision]) -> Vec<Revision> {
    let mut revisions = revisions.to_vec();
    for revision in &mut revisions {
        revision.up.path = relative(&revision.up.path);
        revision.down.path = relative(&revision.down.path);
    }
    revisions
}

#[test]
fn only_the_sql_files_are_embedded_sorted_by_path() {
    assert_eq!(GOOD.dir(), "tests/fixtures/embedded");
    let paths: Vec<&str> = GOOD.files().iter().map(|(path, _)| *path).collect();
    assert_eq!(
        paths,
        [
            "0001_create_users.down.sql",
            "0001_create_users.up.sql",
            "0002_add_email.down.sql",
            "0002_add_email.up.sql",
            "0003_merge.down.sql",
            "0003_merge.up.sql",
            "2026/0002_create_posts.down.sql",
            "2026/0002_create_posts.up.sql",
        ]
    );
}

#[test]
fn an_embedded_folder_is_the_folder_on_disk() {
    let embedded = Project::from_embedded(&GOOD).unwrap();
    let disk = load("tests/fixtures/embedded").unwrap();

    let revisions = embedded.graph.revisions();
    assert_eq!(revisions, with_relative_paths(disk.graph.revisions()));
    assert_eq!(embedded.dir, Path::new("tests/fixtures/embedded"));

    let shape: Vec<(&str, Vec<&str>)> = revisions
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.parents.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("0001_create_users", vec![]),
            ("0002_add_email", vec!["0001_create_users"]),
            ("0002_create_posts", vec!["0001_create_users"]),
            ("0003_merge", vec!["0002_add_email", "0002_create_posts"]),
        ]
    );
    // The file saved with a BOM and CRLF is read, and summed, normalized.
    let crlf = &revisions[1];
    assert!(crlf.up.sql.starts_with("-- Parents: 0001_create_users\n"));
    assert_eq!(
        crlf.up.checksum,
        migrator::source::checksum::of_file_bytes(GOOD.files()[3].1)
    );
    assert_eq!(
        crlf.up.path,
        Path::new("tests/fixtures/embedded/0002_add_email.up.sql")
    );
}

#[test]
fn a_broken_embedded_file_is_a_folder_error_naming_the_file_and_line() {
    let Err(Error::Folder { dir, problems }) = Project::from_embedded(&BROKEN) else {
        panic!("the broken folder reads");
    };
    assert_eq!(dir, Path::new("tests/fixtures/embedded_broken"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        problems[0].to_string(),
        "tests/fixtures/embedded_broken/0002_typo.up.sql:2: unknown header key `Mesage`"
    );
    assert!(
        problems[0]
            .hint
            .as_deref()
            .is_some_and(|hint| hint.starts_with("did you mean `Message`?")),
        "{problems:?}"
    );

    // The folder on disk says the same.
    let Err(Error::Folder {
        problems: on_disk, ..
    }) = load("tests/fixtures/embedded_broken")
    else {
        panic!("the broken folder reads from disk");
    };
    let on_disk: Vec<_> = on_disk
        .into_iter()
        .map(|mut p| {
            p.path = relative(&p.path);
            p
        })
        .collect();
    assert_eq!(problems, on_disk);
}
