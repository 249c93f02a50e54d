//! The `embed!` macro of migrator, re-exported as `migrator::embed!`: use it
//! from there. This crate only lists the folder and writes the
//! `include_bytes!`; the files are parsed by `migrator` itself, so that an
//! embedded folder and a folder on disk give the same revisions and the
//! same problems.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
use quote::quote;
use syn::LitStr;

/// Embeds a versions folder into the binary at compile time, as a
/// `migrator::source::Embedded` that `migrator::Project::from_embedded`
/// reads at start-up.
///
/// The folder is a string literal, relative to the calling crate's
/// `Cargo.toml` (`CARGO_MANIFEST_DIR`). Every `*.sql` file under it,
/// subfolders included, is embedded with `include_bytes!`, sorted by path so
/// that builds are reproducible. Files are not parsed here: a badly named
/// file, a bad header or a missing half is reported when the folder is read,
/// as for a folder on disk, as an error naming the file and line.
///
/// A folder that does not exist or cannot be read is a compile error, and so
/// is, inside it, a symbolic link to a folder or a `*.sql` entry that is a
/// symbolic link or not a plain file (a folder on disk reports them as
/// problems). The folder itself may be a link.
///
/// Cargo rebuilds the crate when an embedded file changes or disappears, but
/// it does not notice a new file on its own. A build script beside the
/// crate's `Cargo.toml` makes it look at the folder:
///
/// ```no_run
/// // build.rs
/// # #[allow(clippy::needless_doctest_main)] // the build script is a whole file
/// fn main() {
///     println!("cargo:rerun-if-changed=versions");
/// }
/// ```
#[proc_macro]
pub fn embed(input: TokenStream) -> TokenStream {
    let expanded = syn::parse::<LitStr>(input)
        .map_err(|e| {
            let message = "expected the versions folder as a string literal: embed!(\"versions\")";
            syn::Error::new(e.span(), message)
        })
        .and_then(|folder| {
            let error = |message: String| syn::Error::new(folder.span(), message);
            let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").ok_or_else(|| {
                error("CARGO_MANIFEST_DIR is not set: embed! finds the folder through Cargo".into())
            })?;
            expand(&folder, Path::new(&manifest_dir)).map_err(error)
        });
    expanded.unwrap_or_else(|e| e.to_compile_error()).into()
}

/// The expansion for `folder` (the macro's literal) relative to
/// `manifest_dir`, or the message of the compile error.
fn expand(folder: &LitStr, manifest_dir: &Path) -> Result<proc_macro2::TokenStream, String> {
    let dir = folder.value();
    let files = list(&manifest_dir.join(&dir))?;
    let mut entries = Vec::with_capacity(files.len());
    for (relative, path) in files {
        let path = path
            .to_str()
            .ok_or_else(|| format!("`{}`: the path is not UTF-8", path.display()))?;
        entries.push(quote! { (#relative, ::core::include_bytes!(#path) as &'static [u8]) });
    }
    Ok(quote! {
        ::migrator::source::Embedded::new(#dir, &[#(#entries),*])
    })
}

/// The `*.sql` files under `dir`: each one's `/`-separated path relative to
/// `dir` and its full path, sorted by the relative path.
fn list(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(format!("`{}` is not a folder", dir.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(format!(
                "the versions folder `{}` does not exist",
                dir.display()
            ));
        }
        Err(e) => return Err(format!("cannot read `{}`: {e}", dir.display())),
    }
    let mut files = Vec::new();
    list_into(dir, "", &mut files)?;
    files.sort();
    Ok(files)
}

fn list_into(dir: &Path, prefix: &str, files: &mut Vec<(String, PathBuf)>) -> Result<(), String> {
    let cannot_read = |path: &Path, e: io::Error| format!("cannot read `{}`: {e}", path.display());
    for entry in fs::read_dir(dir).map_err(|e| cannot_read(dir, e))? {
        let entry = entry.map_err(|e| cannot_read(dir, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| cannot_read(&path, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let relative = format!("{prefix}{name}");
        // A folder on disk reports these as problems of the folder; here
        // they have no bytes to pass on, so they stop the build.
        if kind.is_symlink() {
            if fs::metadata(&path).is_ok_and(|meta| meta.is_dir()) {
                return Err(format!(
                    "`{}` is a symbolic link to a folder; migrator does not follow links",
                    path.display()
                ));
            }
            if is_sql(&name) {
                return Err(format!(
                    "`{}` is a symbolic link; migrator does not follow links",
                    path.display()
                ));
            }
            continue;
        }
        if kind.is_dir() {
            list_into(&path, &format!("{relative}/"), files)?;
            continue;
        }
        if !is_sql(&name) {
            continue;
        }
        if !kind.is_file() {
            return Err(format!("`{}` is not a regular file", path.display()));
        }
        files.push((relative, path));
    }
    Ok(())
}

/// The rule of `migrator::source::file_name::is_sql`: the only files of the
/// versions folder that migrator looks at.
fn is_sql(name: &str) -> bool {
    name.len() >= 4
        && name.is_char_boundary(name.len() - 4)
        && name[name.len() - 4..].eq_ignore_ascii_case(".sql")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for rel in files {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, rel).unwrap();
        }
        dir
    }

    fn relative(files: &[(String, PathBuf)]) -> Vec<&str> {
        files.iter().map(|(rel, _)| rel.as_str()).collect()
    }

    #[test]
    fn lists_every_sql_file_sorted_with_subfolders() {
        let dir = folder(&[
            "0002_b.up.sql",
            "0001_a.up.sql",
            "0001_a.down.sql",
            "sub/0002_b.down.sql",
            "sub/deeper/0003_Bad.UP.SQL",
            "README.md",
            "0001_a.up.sql~",
        ]);
        let files = list(dir.path()).unwrap();
        assert_eq!(
            relative(&files),
            [
                "0001_a.down.sql",
                "0001_a.up.sql",
                "0002_b.up.sql",
                "sub/0002_b.down.sql",
                "sub/deeper/0003_Bad.UP.SQL"
            ]
        );
        assert_eq!(files[3].1, dir.path().join("sub/0002_b.down.sql"));
    }

    #[test]
    fn a_missing_folder_or_a_file_is_an_error_naming_it() {
        let dir = folder(&["plain"]);
        let missing = dir.path().join("versions");
        assert_eq!(
            list(&missing).unwrap_err(),
            format!("the versions folder `{}` does not exist", missing.display())
        );
        let plain = dir.path().join("plain");
        assert_eq!(
            list(&plain).unwrap_err(),
            format!("`{}` is not a folder", plain.display())
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_to_sql_files_and_to_folders_are_errors() {
        use std::os::unix::fs::symlink;

        let outside = folder(&["0009_outside.up.sql", "notes.txt"]);
        let dir = folder(&["0001_a.up.sql"]);
        symlink(
            outside.path().join("notes.txt"),
            dir.path().join("notes.txt"),
        )
        .unwrap();
        assert_eq!(relative(&list(dir.path()).unwrap()), ["0001_a.up.sql"]);

        let link = dir.path().join("0009_outside.up.sql");
        symlink(outside.path().join("0009_outside.up.sql"), &link).unwrap();
        assert_eq!(
            list(dir.path()).unwrap_err(),
            format!(
                "`{}` is a symbolic link; migrator does not follow links",
                link.display()
            )
        );
        fs::remove_file(&link).unwrap();

        let linked = dir.path().join("linked");
        symlink(outside.path(), &linked).unwrap();
        assert_eq!(
            list(dir.path()).unwrap_err(),
            format!(
                "`{}` is a symbolic link to a folder; migrator does not follow links",
                linked.display()
            )
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_an_error_and_the_folder_may_be_a_link() {
        let dir = folder(&["versions/0001_a.up.sql"]);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("versions"), &link).unwrap();
        assert_eq!(relative(&list(&link).unwrap()), ["0001_a.up.sql"]);

        let pipe = dir.path().join("versions/0002_b.up.sql");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        if !made.is_ok_and(|status| status.success()) {
            return;
        }
        assert_eq!(
            list(&link).unwrap_err(),
            format!(
                "`{}` is not a regular file",
                link.join("0002_b.up.sql").display()
            )
        );
    }

    #[test]
    fn expands_to_an_embedded_folder_of_include_bytes() {
        let dir = folder(&["versions/0001_a.up.sql", "versions/0001_a.down.sql"]);
        let literal = LitStr::new("versions", proc_macro2::Span::call_site());
        let expanded = expand(&literal, dir.path()).unwrap().to_string();
        let path = |rel: &str| dir.path().join(rel).to_str().unwrap().to_owned();
        let (up, down) = (
            path("versions/0001_a.up.sql"),
            path("versions/0001_a.down.sql"),
        );
        let expected = quote! {
            ::migrator::source::Embedded::new("versions", &[
                ("0001_a.down.sql", ::core::include_bytes!(#down) as &'static [u8]),
                ("0001_a.up.sql", ::core::include_bytes!(#up) as &'static [u8])
            ])
        };
        assert_eq!(expanded, expected.to_string());
    }
}
