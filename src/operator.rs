//! Who runs migrator, for the `applied by` columns.

use crate::db::Operator;

/// `user@host` of the operating-system user running this process.
pub fn os_user() -> String {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".to_string());
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    format!("{user}@{host}")
}

/// The operator of this process, with an optional note for the log.
pub fn current(note: Option<String>) -> Operator {
    Operator {
        os_user: os_user(),
        note,
    }
}
