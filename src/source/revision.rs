//! A revision: one `NNNN_slug.up.sql` / `NNNN_slug.down.sql` pair and its header.

use std::path::PathBuf;

use crate::source::file_name::Number;

/// One revision of the schema, as read from the versions folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The file stem, e.g. `0001_create_users`.
    pub id: String,
    /// The decimal number in front of the slug, used to break ties in order.
    pub number: Number,
    /// Parent ids from the `Parents` header, in the order written.
    pub parents: Vec<String>,
    /// The line of the up file that holds `Parents`, for errors about parents.
    pub parents_line: usize,
    pub message: Option<String>,
    pub created: Option<String>,
    /// False when the header says `Transaction: off`.
    pub transactional: bool,
    /// `Lock-Timeout` and `Statement-Timeout` from the header; they apply
    /// to both directions.
    pub timeouts: crate::timeout::HeaderTimeouts,
    /// True for `Repeatable: yes`: applied again whenever its up file's
    /// checksum differs from the one last applied.
    pub repeatable: bool,
    /// For a squash (`Replaces:`), the ids of the revisions it stands for,
    /// oldest first; empty otherwise.
    pub replaces: Vec<String>,
    /// False for a repeatable revision without a `.down.sql`; `down` is
    /// then an empty file that is not on disk.
    pub has_down_file: bool,
    /// What `-- Placeholders: on|off` says; `None` without the line, when
    /// `substitute_placeholders` in `migrator.toml` decides.
    pub placeholders: Option<bool>,
    pub up: SqlFile,
    pub down: SqlFile,
}

/// One SQL file of a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFile {
    pub path: PathBuf,
    /// The text after normalization (no BOM, LF line ends): what is run, and
    /// what the checksum covers.
    pub sql: String,
    /// BLAKE3 of the normalized bytes, 64 hex digits.
    pub checksum: String,
}

impl Revision {
    /// True for a merge revision: two or more parents.
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }

    /// True for a squash: a revision that `Replaces` others.
    pub fn is_squash(&self) -> bool {
        !self.replaces.is_empty()
    }

    /// The message, or an empty string.
    pub fn message_or_empty(&self) -> &str {
        self.message.as_deref().unwrap_or("")
    }
}
