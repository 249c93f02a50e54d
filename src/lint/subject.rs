//! What a rule looks at (a statement, and where it stands in the folder)
//! and what it reports (a danger, before it is placed and allowed).

use sqlparser::ast::{Ident, ObjectName};

use super::backend::Backend;
use super::name::Name;
use super::read::{Folder, Origin, Read};

/// A danger one statement holds, before it is placed and allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    pub rule: &'static str,
    pub message: String,
    pub notes: Vec<String>,
}

impl Found {
    pub fn new(rule: &'static str, message: impl Into<String>) -> Found {
        Found {
            rule,
            message: message.into(),
            notes: Vec::new(),
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Found {
        self.notes.push(note.into());
        self
    }
}

/// The statement a rule looks at, and where it stands in the folder.
pub(super) struct Subject<'f, 'g> {
    pub folder: &'f Folder<'g>,
    pub revision: usize,
    /// Its position among the revision's statements.
    pub index: usize,
    pub read: &'f Read<'g>,
}

impl Subject<'_, '_> {
    pub fn backend(&self) -> Backend {
        self.folder.backend
    }

    /// Whether the revision runs with a lock timeout: its header's
    /// `Lock-Timeout`, or the default (`revision_lock_timeout`) when the
    /// header sets none (`-- Lock-Timeout: off` sets none).
    pub fn has_lock_timeout(&self) -> bool {
        use crate::timeout::Setting;
        match self.folder.graph.at(self.revision).timeouts.lock {
            Some(Setting::After(_)) => true,
            Some(Setting::Off) => false,
            None => self.folder.default_lock_timeout,
        }
    }

    pub fn transactional(&self) -> bool {
        self.folder.graph.at(self.revision).transactional
    }

    pub fn name(&self, name: &ObjectName) -> Option<Name> {
        Name::of_object(name, self.backend())
    }

    pub fn ident(&self, ident: &Ident) -> Name {
        Name::of_ident(ident, self.backend())
    }

    /// Whether an earlier statement of this revision created `table`: it
    /// is then empty and no running code knows it.
    pub fn is_new(&self, table: &Name) -> bool {
        self.folder.origin(self.revision, self.index, table, true) == Origin::ThisRevision
    }

    /// Whether a table, as the parser read its name, is new (a name it
    /// could not make out is not).
    pub fn is_new_object(&self, table: &ObjectName) -> bool {
        self.name(table).is_some_and(|name| self.is_new(&name))
    }

    /// Whether a later statement of this revision makes a table of this
    /// name again (SQLite's way to change a table: create the new one,
    /// copy, drop the old, rename the new).
    pub fn is_replaced(&self, table: &ObjectName) -> bool {
        self.name(table)
            .is_some_and(|name| self.folder.replaced_later(self.revision, self.index, &name))
    }

    /// Where `table` comes from, for a finding about a table this
    /// revision did not create.
    pub fn origin_note(&self, shown: &dyn std::fmt::Display, table: Option<&Name>) -> String {
        let origin = table.map_or(Origin::Unknown, |table| {
            self.folder.origin(self.revision, self.index, table, false)
        });
        match origin {
            Origin::Revision(id) => {
                format!("`{shown}` was created by {id}, not by this revision: it may hold rows")
            }
            _ => format!("`{shown}` is not created by this revision: it may hold rows"),
        }
    }
}
