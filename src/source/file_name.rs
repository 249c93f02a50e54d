//! Revision file names: `NNNN_slug.up.sql` / `NNNN_slug.down.sql`.

/// `NNNN_slug`, the number zero-padded to 4 digits.
pub fn format_id(number: u64, slug: &str) -> String {
    let _ = (number, slug);
    todo!("being written on the source branch")
}

/// A file-name slug from a message.
pub fn slugify(message: &str) -> String {
    let _ = message;
    todo!("being written on the source branch")
}
