//! SQL as text: statements, positions, literals. Pure; no database.

pub mod split;
pub mod text;
