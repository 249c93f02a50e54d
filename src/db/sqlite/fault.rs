//! SQLite's result codes as people read them, and the failures that are
//! the database's rather than the revision's, with what to do about them.

use rusqlite::ErrorCode;
use rusqlite::ffi;

/// SQLite's name for the primary result code of an error, as its
/// documentation spells it (`SQLITE_CONSTRAINT` for a UNIQUE violation).
pub fn code_name(error: &ffi::Error) -> &'static str {
    const NAMES: [&str; 29] = [
        "SQLITE_OK",
        "SQLITE_ERROR",
        "SQLITE_INTERNAL",
        "SQLITE_PERM",
        "SQLITE_ABORT",
        "SQLITE_BUSY",
        "SQLITE_LOCKED",
        "SQLITE_NOMEM",
        "SQLITE_READONLY",
        "SQLITE_INTERRUPT",
        "SQLITE_IOERR",
        "SQLITE_CORRUPT",
        "SQLITE_NOTFOUND",
        "SQLITE_FULL",
        "SQLITE_CANTOPEN",
        "SQLITE_PROTOCOL",
        "SQLITE_EMPTY",
        "SQLITE_SCHEMA",
        "SQLITE_TOOBIG",
        "SQLITE_CONSTRAINT",
        "SQLITE_MISMATCH",
        "SQLITE_MISUSE",
        "SQLITE_NOLFS",
        "SQLITE_AUTH",
        "SQLITE_FORMAT",
        "SQLITE_RANGE",
        "SQLITE_NOTADB",
        "SQLITE_NOTICE",
        "SQLITE_WARNING",
    ];
    // The low byte of an extended code is its primary code.
    usize::try_from(error.extended_code & 0xff)
        .ok()
        .and_then(|primary| NAMES.get(primary))
        .copied()
        .unwrap_or("SQLITE_ERROR")
}

/// What to do when SQLite failed for a reason of the database's own, which
/// no edit of the revision's SQL would change; `None` when the SQL may be
/// at fault.
pub fn database_fault(error: &ffi::Error) -> Option<&'static str> {
    Some(match error.code {
        ErrorCode::ReadOnly => {
            "the database cannot be written: the file, its folder or its file system is \
             read-only, or it was opened read-only; make it writable, then run the command again"
        }
        ErrorCode::DiskFull => {
            "the disk that holds the database, its journal or the temporary folder is full: \
             free some space, then run the command again"
        }
        ErrorCode::SystemIoFailure => {
            "the operating system failed to read or write the database file: check the disk and \
             its file system, then run the command again"
        }
        ErrorCode::CannotOpen => {
            "SQLite cannot open the database file, the journal beside it or a temporary file: \
             check that their folders exist and are writable, then run the command again"
        }
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
            "another connection keeps the database locked (a long write, or a reader that does \
             not finish): stop it, then run the command again"
        }
        ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => {
            "the database file is damaged or is not a SQLite database: check --database-url, \
             and restore the file from a backup if it is damaged"
        }
        ErrorCode::OutOfMemory => "SQLite ran out of memory: free some, then run the command again",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(extended_code: i32) -> ffi::Error {
        ffi::Error::new(extended_code)
    }

    #[test]
    fn codes_are_named_as_sqlite_documents_them() {
        let cases = [
            (ffi::SQLITE_ERROR, "SQLITE_ERROR"),
            (ffi::SQLITE_CONSTRAINT_UNIQUE, "SQLITE_CONSTRAINT"),
            (ffi::SQLITE_READONLY_DBMOVED, "SQLITE_READONLY"),
            (ffi::SQLITE_IOERR_FSYNC, "SQLITE_IOERR"),
            (ffi::SQLITE_FULL, "SQLITE_FULL"),
            (ffi::SQLITE_BUSY_SNAPSHOT, "SQLITE_BUSY"),
            (ffi::SQLITE_NOTADB, "SQLITE_NOTADB"),
        ];
        for (code, name) in cases {
            assert_eq!(code_name(&error(code)), name, "{code}");
        }
    }

    #[test]
    fn the_database_is_blamed_for_its_own_state_and_the_file_for_its_sql() {
        let database = [
            ffi::SQLITE_READONLY,
            ffi::SQLITE_READONLY_DIRECTORY,
            ffi::SQLITE_FULL,
            ffi::SQLITE_IOERR_WRITE,
            ffi::SQLITE_CANTOPEN,
            ffi::SQLITE_BUSY,
            ffi::SQLITE_LOCKED,
            ffi::SQLITE_CORRUPT,
            ffi::SQLITE_NOTADB,
        ];
        for code in database {
            assert!(database_fault(&error(code)).is_some(), "{code}");
        }
        let file = [
            ffi::SQLITE_ERROR,
            ffi::SQLITE_CONSTRAINT_UNIQUE,
            ffi::SQLITE_MISMATCH,
            ffi::SQLITE_TOOBIG,
            ffi::SQLITE_RANGE,
        ];
        for code in file {
            assert_eq!(database_fault(&error(code)), None, "{code}");
        }
    }
}
