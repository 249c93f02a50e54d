//! `migrator man [--out DIR]`: the manual page on stdout, or every page
//! written to a folder.

use std::path::Path;

use migrator::Error;

use crate::cli::Output;
use crate::cli::manual;
use crate::cli::render::{ManPage, ManPagesWritten};

pub fn run(out: Option<&Path>, output: &Output) -> Result<i32, Error> {
    let Some(dir) = out else {
        let page = manual::main_page();
        output.show(&ManPage {
            name: page.file_name,
            roff: page.roff,
        });
        return Ok(0);
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut files = Vec::new();
    for page in manual::pages() {
        let path = dir.join(&page.file_name);
        std::fs::write(&path, &page.roff).map_err(|e| Error::io(&path, e))?;
        files.push(path);
    }
    output.show(&ManPagesWritten { files });
    Ok(0)
}
