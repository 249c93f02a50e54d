//! What the bookkeeping tables hold, as plain values: applied revisions,
//! the changes a run makes to them, who made them, and the event log. The
//! database layer stores them; the engine and the checks read them.

pub mod operator;
pub mod progress;

/// Which way a step goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    /// As stored: `up` or `down`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }

    /// The stored form read back.
    pub fn parse(text: &str) -> Option<Direction> {
        match text {
            "up" => Some(Direction::Up),
            "down" => Some(Direction::Down),
            _ => None,
        }
    }
}

/// An event of the `migrator_log` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    Upgrade,
    Downgrade,
    Stamp,
    Repair,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Upgrade => "upgrade",
            Event::Downgrade => "downgrade",
            Event::Stamp => "stamp",
            Event::Repair => "repair",
        }
    }

    pub fn parse(text: &str) -> Option<Event> {
        match text {
            "upgrade" => Some(Event::Upgrade),
            "downgrade" => Some(Event::Downgrade),
            "stamp" => Some(Event::Stamp),
            "repair" => Some(Event::Repair),
            _ => None,
        }
    }
}

/// What is recorded for a revision when it becomes applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRecord {
    pub id: String,
    pub parents: Vec<String>,
    pub up_checksum: String,
    pub down_checksum: String,
    /// The text that ran (or, for stamp, the text of the files at the time).
    pub up_sql: String,
    pub down_sql: String,
}

/// One change of the bookkeeping, always paired with one `migrator_log` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordChange {
    /// The revision becomes applied (upgrade, stamp).
    Insert {
        event: Event,
        record: RevisionRecord,
    },
    /// The revision is no longer applied (downgrade, stamp).
    Delete {
        event: Event,
        id: String,
        checksum: String,
    },
    /// New checksums after a reviewed edit (repair).
    Update {
        event: Event,
        record: RevisionRecord,
    },
    /// The `migrator_progress` rows of a revision in one direction are
    /// removed: its next run starts at its first statement (repair, once
    /// the database was put back by hand; stamp). The log row carries
    /// `checksum`, the file's.
    ClearProgress {
        event: Event,
        id: String,
        direction: Direction,
        checksum: String,
    },
    /// A repeatable revision that ran again (or was stamped again): its
    /// record takes the new checksums and text, and counts as applied now
    /// (time, who, duration, and last in the order of application).
    Reapply {
        event: Event,
        record: RevisionRecord,
    },
}

impl RecordChange {
    /// The note of its log row: the operator's, and for forgotten progress
    /// what was forgotten (a `repair` row says nothing else of it).
    pub fn log_note(&self, operator: &Operator) -> Option<String> {
        match self {
            RecordChange::ClearProgress { direction, .. } => {
                let forgot = format!("forgot the progress of its {} file", direction.as_str());
                Some(match &operator.note {
                    Some(note) => format!("{forgot}; {note}"),
                    None => forgot,
                })
            }
            _ => operator.note.clone(),
        }
    }

    pub fn revision(&self) -> &str {
        match self {
            RecordChange::Insert { record, .. }
            | RecordChange::Update { record, .. }
            | RecordChange::Reapply { record, .. } => &record.id,
            RecordChange::Delete { id, .. } | RecordChange::ClearProgress { id, .. } => id,
        }
    }
}

/// Who runs migrator, as recorded in the bookkeeping: the database user is
/// the backend's to find; this is the operating-system side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// `user@host`.
    pub os_user: String,
    /// A note for the log row, e.g. `--allow-drift`.
    pub note: Option<String>,
}

/// A revision recorded as applied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppliedRevision {
    pub id: String,
    pub parents: Vec<String>,
    pub up_checksum: String,
    pub down_checksum: String,
    pub up_sql: Option<String>,
    pub down_sql: Option<String>,
    /// UTC, `YYYY-MM-DD HH:MM:SS.mmm`.
    pub applied_at: String,
    pub db_user: String,
    pub os_user: String,
    pub execution_ms: i64,
}

#[cfg(test)]
impl AppliedRevision {
    /// A record of only an id and its parents, for tests of what depends on
    /// nothing else.
    pub(crate) fn of(id: &str, parents: &[&str]) -> AppliedRevision {
        AppliedRevision {
            id: id.into(),
            parents: parents.iter().map(|p| p.to_string()).collect(),
            up_checksum: String::new(),
            down_checksum: String::new(),
            up_sql: None,
            down_sql: None,
            applied_at: String::new(),
            db_user: String::new(),
            os_user: String::new(),
            execution_ms: 0,
        }
    }
}

/// One row of `migrator_log`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogEntry {
    pub seq: i64,
    pub event: String,
    pub revision: String,
    /// UTC, `YYYY-MM-DD HH:MM:SS.mmm`.
    pub at: String,
    pub db_user: String,
    pub os_user: String,
    pub duration_ms: Option<i64>,
    pub checksum: Option<String>,
    pub note: Option<String>,
}

/// Parents as stored: comma-separated, empty for a root.
pub fn split_parents(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}
