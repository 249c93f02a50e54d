//! The header of an up file: consecutive `-- Key: value` lines before any SQL.
