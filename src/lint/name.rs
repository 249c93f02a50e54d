//! Table and column names as the database compares them.

use sqlparser::ast::{Ident, ObjectName};

use crate::sql::lexer::{Kind, Token};

use super::backend::Backend;

/// A table or column name as the database compares it: PostgreSQL folds
/// unquoted names to lower case and keeps quoted ones as written; SQLite
/// compares names without regard to ASCII case. A schema-qualified name is
/// its last part: two schemas' tables of one name are taken for one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Name(String);

impl Name {
    pub fn of_ident(ident: &Ident, backend: Backend) -> Name {
        Name::folded(&ident.value, ident.quote_style.is_some(), backend)
    }

    pub fn of_object(name: &ObjectName, backend: Backend) -> Option<Name> {
        let last = name.0.last()?.as_ident()?;
        Some(Name::of_ident(last, backend))
    }

    pub fn of_token(token: &Token<'_>, backend: Backend) -> Name {
        let quoted = token.kind == Kind::QuotedIdentifier;
        Name::folded(&token.unquoted(), quoted, backend)
    }

    fn folded(text: &str, quoted: bool, backend: Backend) -> Name {
        match (backend, quoted) {
            (Backend::Postgresql, true) => Name(text.to_owned()),
            _ => Name(text.to_ascii_lowercase()),
        }
    }
}
