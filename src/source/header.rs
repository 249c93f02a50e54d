//! The header of an up file: consecutive `-- Key: value` lines before any SQL.

/// The header text that the parser reads back exactly.
pub fn render(
    parents: &[&str],
    message: Option<&str>,
    created: &str,
    transactional: bool,
) -> String {
    let _ = (parents, message, created, transactional);
    todo!("being written on the source branch")
}
