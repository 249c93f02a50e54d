//! Revision file names: `NNNN_slug.up.sql` / `NNNN_slug.down.sql`.
