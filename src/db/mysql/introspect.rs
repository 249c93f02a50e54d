//! The user's schema as a [`Snapshot`](crate::db::schema::Snapshot), read
//! from `information_schema` for one database: tables and sequences,
//! columns (type, nullability, default, extra, collation), indexes,
//! constraints (primary keys, unique, foreign keys with their actions,
//! checks), views, routines (by signature and a hash of the definition),
//! triggers and events. Migrator's bookkeeping tables are left out.
//!
//! Each query returns a finished snapshot line; those of routines, triggers
//! and events a second column, the text the line's hash stands for, so a
//! diff can show how two versions differ. Pure text here: the queries go
//! in one batch, one round trip.

use super::sql::quote_literal;

/// The introspection queries for `database`, whose tables named
/// `migrator_revisions`, `migrator_log` and `migrator_progress` are left out when
/// `bookkeeping_here` (the bookkeeping lives in that database).
pub fn queries(database: &str, bookkeeping_here: bool) -> Vec<String> {
    let db = quote_literal(database);
    let not_ours = |column: &str| {
        if bookkeeping_here {
            format!("{column} NOT IN ('migrator_revisions', 'migrator_log', 'migrator_progress')")
        } else {
            "TRUE".to_string()
        }
    };
    vec![
        // Index column lists and parameter lists are GROUP_CONCATs, cut at
        // 1 KB by default.
        "SET SESSION group_concat_max_len = 1048576".to_string(),
        format!(
            "SELECT CONCAT(IF(TABLE_TYPE = 'SEQUENCE', 'sequence ', 'table '), TABLE_NAME,
                    COALESCE(CONCAT(' engine ', ENGINE), ''), COALESCE(CONCAT(' collate ', TABLE_COLLATION), ''))
             FROM information_schema.TABLES
             WHERE TABLE_SCHEMA = {db} AND TABLE_TYPE <> 'VIEW' AND {}",
            not_ours("TABLE_NAME"),
        ),
        format!(
            "SELECT CONCAT('column ', c.TABLE_NAME, '.', c.COLUMN_NAME, ' ', c.COLUMN_TYPE,
                    IF(c.IS_NULLABLE = 'NO', ' not null', ''),
                    COALESCE(CONCAT(' default ', c.COLUMN_DEFAULT), ''),
                    IF(c.EXTRA <> '', CONCAT(' ', LOWER(c.EXTRA)), ''),
                    COALESCE(CONCAT(' collate ', c.COLLATION_NAME), ''))
             FROM information_schema.COLUMNS c
             JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
             WHERE c.TABLE_SCHEMA = {db} AND {}",
            not_ours("c.TABLE_NAME"),
        ),
        format!(
            "SELECT CONCAT('index ', TABLE_NAME, '.', INDEX_NAME, IF(NON_UNIQUE = 0, ' unique', ''), ' ', INDEX_TYPE, ' (',
                    GROUP_CONCAT(CONCAT(COALESCE(COLUMN_NAME, '(expression)'), COALESCE(CONCAT('(', SUB_PART, ')'), ''),
                                        IF(COLLATION = 'D', ' desc', ''))
                                 ORDER BY SEQ_IN_INDEX SEPARATOR ', '), ')')
             FROM information_schema.STATISTICS
             WHERE TABLE_SCHEMA = {db} AND {}
             GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE, INDEX_TYPE",
            not_ours("TABLE_NAME"),
        ),
        format!(
            "SELECT CONCAT('constraint ', TABLE_NAME, '.', CONSTRAINT_NAME, ' ', LOWER(CONSTRAINT_TYPE))
             FROM information_schema.TABLE_CONSTRAINTS
             WHERE CONSTRAINT_SCHEMA = {db} AND {}",
            not_ours("TABLE_NAME"),
        ),
        format!(
            "SELECT CONCAT('foreign-key ', k.TABLE_NAME, '.', k.CONSTRAINT_NAME, ' (',
                    GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', '), ') references ',
                    k.REFERENCED_TABLE_NAME, ' (',
                    GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', '),
                    ') on update ', LOWER(r.UPDATE_RULE), ' on delete ', LOWER(r.DELETE_RULE))
             FROM information_schema.KEY_COLUMN_USAGE k
             JOIN information_schema.REFERENTIAL_CONSTRAINTS r
               ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
             WHERE k.CONSTRAINT_SCHEMA = {db} AND k.REFERENCED_TABLE_NAME IS NOT NULL
             GROUP BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.REFERENCED_TABLE_NAME, r.UPDATE_RULE, r.DELETE_RULE",
        ),
        format!(
            "SELECT CONCAT('check ', t.TABLE_NAME, '.', c.CONSTRAINT_NAME, ': ', c.CHECK_CLAUSE)
             FROM information_schema.CHECK_CONSTRAINTS c
             JOIN information_schema.TABLE_CONSTRAINTS t
               ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND t.CONSTRAINT_TYPE = 'CHECK'
             WHERE c.CONSTRAINT_SCHEMA = {db}",
        ),
        format!(
            "SELECT CONCAT('view ', TABLE_NAME, ': ', REGEXP_REPLACE(TRIM(VIEW_DEFINITION), '[[:space:]]+', ' '))
             FROM information_schema.VIEWS WHERE TABLE_SCHEMA = {db}",
        ),
        format!(
            "SELECT CONCAT(LOWER(r.ROUTINE_TYPE), ' ', r.ROUTINE_NAME, '(',
                    COALESCE((SELECT GROUP_CONCAT(CONCAT_WS(' ', p.PARAMETER_MODE, p.PARAMETER_NAME, p.DTD_IDENTIFIER)
                                                  ORDER BY p.ORDINAL_POSITION SEPARATOR ', ')
                              FROM information_schema.PARAMETERS p
                              WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.SPECIFIC_NAME
                                AND p.ORDINAL_POSITION > 0), ''), ')',
                    COALESCE(CONCAT(' returns ', r.DTD_IDENTIFIER), ''),
                    ' definition md5 ', LEFT(MD5(COALESCE(r.ROUTINE_DEFINITION, '')), 12)),
                    r.ROUTINE_DEFINITION
             FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = {db}",
        ),
        format!(
            "SELECT CONCAT('trigger ', EVENT_OBJECT_TABLE, '.', TRIGGER_NAME, ' ', LOWER(ACTION_TIMING), ' ',
                    LOWER(EVENT_MANIPULATION), ' definition md5 ', LEFT(MD5(ACTION_STATEMENT), 12)),
                    ACTION_STATEMENT
             FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {db}",
        ),
        format!(
            "SELECT CONCAT('event ', EVENT_NAME, ' ', LOWER(STATUS), ' definition md5 ',
                    LEFT(MD5(EVENT_DEFINITION), 12)),
                    EVENT_DEFINITION
             FROM information_schema.EVENTS WHERE EVENT_SCHEMA = {db}",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_quoted_and_the_bookkeeping_left_out_where_it_lives() {
        let queries = queries("it's", true);
        assert!(queries.iter().all(|q| !q.contains("'it's'")));
        let excluding = queries
            .iter()
            .filter(|q| {
                q.contains("NOT IN ('migrator_revisions', 'migrator_log', 'migrator_progress')")
            })
            .count();
        // tables, columns, indexes, constraints
        assert_eq!(excluding, 4);
        assert!(
            self::queries("app", false)
                .iter()
                .all(|q| !q.contains("migrator_revisions"))
        );
    }
}
