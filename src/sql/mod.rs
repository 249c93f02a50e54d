//! SQL as text: tokens, statements, positions, literals. Pure; no database.

pub mod check;
pub mod lexer;
pub mod split;
pub mod text;
