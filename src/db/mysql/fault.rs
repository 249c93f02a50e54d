//! The failures that are the server's or the connection's rather than the
//! revision's, by MySQL/MariaDB error number, with what to do about them.

/// What to do when a statement failed for a reason of the server's own,
/// which no edit of the revision's SQL would change; `None` when the SQL
/// may be at fault. `code` is the server's error number, `message` its
/// text (error 1030 says which operating-system error it wraps only there).
pub fn fault_of(code: u16, message: &str) -> Option<&'static str> {
    Some(match code {
        // Server shutdown, connection killed (KILL, MariaDB), network
        // read/write errors and timeouts on the server's side.
        1053 | 1927 | 1152 | 1153 | 1154 | 1155 | 1156 | 1157 | 1158 | 1159 | 1160 | 1161 => {
            CONNECTION_LOST
        }
        // Disk full (1021), table full (1114), errno 28 (ENOSPC) from
        // the storage engine or a write, a full temporary directory.
        1021 | 1114 => DISK_FULL,
        1030 | 3 | 1025
            if message.contains("28") && message.to_ascii_lowercase().contains("error") =>
        {
            DISK_FULL
        }
        // Out of memory, of sort memory, of resources, of connections.
        1037 | 1038 | 1041 | 1040 | 1135 => {
            "the server ran out of a resource (memory, connections, threads): see its error log, \
             then run the command again"
        }
        // The server's own files: cannot create, open, read, write, lock.
        1004..=1006 | 1010 | 1015..=1020 | 1023 | 1024 | 1026 | 1027 | 1030 => {
            "the server failed to read or write its own files: see its error log, then run the \
             command again"
        }
        // --read-only / super_read_only (1290 names the option; also the
        // --skip-grant-tables case, rare for a migration), a read-only
        // transaction, a table the engine opened read-only.
        1290 | 1792 | 1036 => {
            "the server only accepts reads (read_only is on: a replica, or a primary in \
             maintenance): point --database-url at the primary"
        }
        // Statement timeout (MariaDB max_statement_time, MySQL
        // max_execution_time) or KILL QUERY by another session.
        1969 | 3024 | 1317 => {
            "the statement was stopped: by max_statement_time (MariaDB) or max_execution_time \
             (MySQL) set for the account or the server, or by another session's KILL QUERY; \
             raise the limit or find who stopped it, then run the command again"
        }
        // Lock wait timeout, deadlock, a metadata lock refused at once.
        1205 | 1213 | 3572 => {
            "another session held what this revision needed (a lock wait timeout or a deadlock): \
             run the command again when that session is done"
        }
        // Galera: the node is not ready, or lost its cluster.
        1047 => {
            "the server is not ready to run statements (a Galera node outside its cluster?): \
             run the command again once it is synced"
        }
        _ => return None,
    })
}

/// The connection went away: no answer from the server.
pub const CONNECTION_LOST: &str = "the connection to the server was lost (the server shut down \
     or restarted, or an administrator ended the session): run `migrator status` once it is back \
     to see what was recorded, then run the command again";

const DISK_FULL: &str = "the server is out of disk space: free some (or grow the volume), then \
     run the command again";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_is_blamed_for_its_own_state_and_the_file_for_its_sql() {
        let server = [
            (1053, "Server shutdown in progress"),
            (1927, "Connection was killed"),
            (
                1205,
                "Lock wait timeout exceeded; try restarting transaction",
            ),
            (
                1213,
                "Deadlock found when trying to get lock; try restarting transaction",
            ),
            (
                1021,
                "Disk full (/tmp); waiting for someone to free some space...",
            ),
            (1114, "The table 't' is full"),
            (
                1030,
                "Got error 28 \"No space left on device\" from storage engine InnoDB",
            ),
            (
                1290,
                "The MariaDB server is running with the --read-only option so it cannot execute this statement",
            ),
            (
                1969,
                "Query execution was interrupted (max_statement_time exceeded)",
            ),
            (1037, "Out of memory"),
        ];
        for (code, message) in server {
            assert!(fault_of(code, message).is_some(), "{code}");
        }
        assert_eq!(
            fault_of(
                1030,
                "Got error 28 \"No space left on device\" from storage engine InnoDB"
            ),
            Some(DISK_FULL)
        );
        // Syntax, a missing table, a duplicate, a foreign key, a
        // SIGNAL, an existing table, missing privileges.
        let file = [1064, 1146, 1062, 1452, 1644, 1050, 1142, 1044];
        for code in file {
            assert_eq!(fault_of(code, "whatever"), None, "{code}");
        }
    }
}
