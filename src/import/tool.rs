//! The tools `import` reads.

use std::fmt;
use std::str::FromStr;

/// A migration tool whose folder `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    GolangMigrate,
    Goose,
    Dbmate,
    Sqlx,
    Flyway,
}

impl Tool {
    /// Every tool, in the order `--help` lists them.
    pub const ALL: [Tool; 5] = [
        Tool::GolangMigrate,
        Tool::Goose,
        Tool::Dbmate,
        Tool::Sqlx,
        Tool::Flyway,
    ];

    /// The name `--from` takes: `golang-migrate`, `goose`, `dbmate`,
    /// `sqlx`, `flyway`.
    pub fn name(self) -> &'static str {
        match self {
            Tool::GolangMigrate => "golang-migrate",
            Tool::Goose => "goose",
            Tool::Dbmate => "dbmate",
            Tool::Sqlx => "sqlx",
            Tool::Flyway => "flyway",
        }
    }

    /// What a migration without a down part lacks, in the tool's words.
    pub(super) fn down_name(self) -> &'static str {
        match self {
            Tool::GolangMigrate | Tool::Sqlx => "down file",
            Tool::Goose => "`-- +goose Down` section",
            Tool::Dbmate => "`-- migrate:down` section",
            Tool::Flyway => "undo migration (U file)",
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Tool {
    type Err = String;

    fn from_str(text: &str) -> Result<Tool, String> {
        Tool::ALL
            .into_iter()
            .find(|tool| tool.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Tool::ALL.iter().map(|t| t.name()).collect();
                format!(
                    "unknown tool `{text}`: expected one of {}",
                    names.join(", ")
                )
            })
    }
}
