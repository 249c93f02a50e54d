//! What the [`Migrator`](super::Migrator)'s methods take: options and
//! choices as plain values, which the command line and applications build.

use crate::graph::range::Range;

/// The message and slug of a merge revision when none is given.
pub const DEFAULT_MERGE_MESSAGE: &str = "merge heads";

/// A revision for [`Migrator::new_revision`](super::Migrator::new_revision)
/// to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRevision {
    /// The `Message` header; the id's slug is made from it.
    pub message: String,
    /// Parent ids or unique prefixes; empty for the single head (or none
    /// in an empty folder).
    pub parents: Vec<String>,
    /// False writes `Transaction: off`, for statements such as `CREATE
    /// INDEX CONCURRENTLY`.
    pub transactional: bool,
}

/// What `history` lists and shows.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// Only the revisions of this range (`-r A:B`).
    pub range: Option<Range>,
    /// Read each revision's state in the database: applied (when, by whom,
    /// whether its files changed since) or pending.
    pub with_state: bool,
    /// Draw the graph's lanes. The drawing is worth having without a
    /// database: one that cannot be read only costs the applied markers
    /// (the report says why in `state_error`).
    pub graph: bool,
}

/// Which applied revisions to record anew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repairs {
    /// Every applied revision whose up or down file changed.
    All,
    /// These, by full id or unique prefix; each must have changed, or be
    /// interrupted (its progress is then forgotten).
    Revisions(Vec<String>),
}

/// A repair decided and not yet recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairPlan {
    pub database: String,
    /// Every applied revision whose up or down file changed since, in the
    /// order of the graph.
    pub changed: Vec<String>,
    /// The ones to record anew; empty when there is nothing to repair.
    pub chosen: Vec<String>,
    /// Interrupted revisions named, whose progress is to be forgotten (so
    /// that their next run starts at their first statement): never by
    /// `--all`, since the database must be put back by hand first.
    pub forget: Vec<Forget>,
}

/// The progress of an interrupted revision, to be forgotten by `repair`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Forget {
    pub revision: String,
    pub direction: crate::record::Direction,
    /// How many statements its progress says are done.
    pub done: usize,
}

/// What `verify` checks besides the folder.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Allow more than one head.
    pub allow_heads: bool,
    /// Apply each revision on a scratch database, run its down, check the
    /// schema is back, apply it again.
    pub roundtrip: bool,
    /// The scratch database for the roundtrip; it must be empty, and keeps
    /// what the roundtrip applied. `None`: a new database made beside the
    /// one migrated (a temporary file, a temporary database on the same
    /// server), removed afterwards.
    pub scratch_url: Option<String>,
    /// Lint the up files of the revisions the database has not applied
    /// (all of them when it does not exist yet) with the rules of the
    /// database's backend, as its URL's scheme names it: see
    /// [`crate::lint`].
    pub lint: bool,
    /// Lint the revisions whose up file differs from this Git revision (or
    /// is not tracked yet) instead; implies `lint`.
    pub since: Option<String>,
    /// The committed schema dump to check: it must be the dump of a scratch
    /// database (`scratch_url`, or a temporary one) that the whole folder
    /// was applied to.
    pub schema_file: Option<std::path::PathBuf>,
}

/// What [`Migrator::import`](super::Migrator::import) reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOptions {
    pub tool: crate::import::Tool,
    /// The other tool's migrations folder.
    pub source: std::path::PathBuf,
    /// Read the tool's history table in the migrator's database, and stamp
    /// the revisions of the migrations it records as applied.
    pub stamp: bool,
}
