//! Which column type changes PostgreSQL makes without rewriting the table.
//!
//! `ALTER COLUMN … TYPE` rewrites the table and rebuilds its indexes
//! unless the old type is binary coercible to the new one and nothing has
//! to be checked: from the server's rules, a longer or unbounded `varchar`,
//! `text` from `varchar` (or the other way round, unbounded), a larger
//! `numeric` precision with the same scale, or an unconstrained `numeric`.
//! The same type, however spelled, is no change. Anything else is taken to
//! rewrite.

use sqlparser::ast::{CharacterLength, DataType, ExactNumberInfo};

/// A type as far as the rewrite question needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    Text,
    /// `varchar(n)`; `None` for unbounded `varchar`.
    Varchar(Option<u64>),
    /// `numeric(precision, scale)`; `None` for unconstrained `numeric`.
    Numeric(Option<(u64, i64)>),
    /// Any other type, spelled one way per type.
    Other(String),
}

/// Whether changing a column from `old` to `new` rewrites the table.
pub(super) fn rewrites(old: &DataType, new: &DataType) -> bool {
    use Shape::*;
    match (shape(old), shape(new)) {
        (Varchar(_) | Text, Text | Varchar(None)) => false,
        (Varchar(Some(n)), Varchar(Some(m))) => m < n,
        (Numeric(Some((p, s))), Numeric(Some((q, t)))) => !(t == s && q >= p),
        (Numeric(_), Numeric(None)) => false,
        (a, b) => a != b,
    }
}

fn shape(data_type: &DataType) -> Shape {
    match data_type {
        DataType::Text => Shape::Text,
        DataType::Varchar(length)
        | DataType::CharacterVarying(length)
        | DataType::CharVarying(length) => Shape::Varchar(match length {
            Some(CharacterLength::IntegerLength { length, .. }) => Some(*length),
            _ => None,
        }),
        DataType::Numeric(info) | DataType::Decimal(info) | DataType::Dec(info) => {
            Shape::Numeric(match info {
                ExactNumberInfo::None => None,
                ExactNumberInfo::Precision(p) => Some((*p, 0)),
                ExactNumberInfo::PrecisionAndScale(p, s) => Some((*p, *s)),
            })
        }
        other => Shape::Other(canonical(&other.to_string().to_ascii_lowercase())),
    }
}

/// One spelling per type for PostgreSQL's aliases.
fn canonical(spelled: &str) -> String {
    let name = match spelled {
        "int" | "int4" | "integer" => "integer",
        "int8" | "bigint" => "bigint",
        "int2" | "smallint" => "smallint",
        "float8" | "double precision" | "float" => "double precision",
        "float4" | "real" => "real",
        "bool" | "boolean" => "boolean",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "timetz" | "time with time zone" => "timetz",
        "time" | "time without time zone" => "time",
        other => other,
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    use super::*;

    fn data_type(text: &str) -> DataType {
        Parser::new(&PostgreSqlDialect {})
            .try_with_sql(text)
            .and_then(|mut parser| parser.parse_data_type())
            .unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn type_changes_that_rewrite() {
        let cases = [
            ("varchar(20)", "varchar(40)", false),
            ("varchar(20)", "varchar(20)", false),
            ("character varying(20)", "varchar(30)", false),
            ("varchar(20)", "varchar", false),
            ("varchar(20)", "text", false),
            ("text", "varchar", false),
            ("varchar", "text", false),
            ("numeric(10,2)", "numeric(12,2)", false),
            ("numeric(10,2)", "numeric", false),
            ("decimal(10)", "numeric(11,0)", false),
            ("int", "integer", false),
            ("int8", "bigint", false),
            ("timestamp", "timestamp without time zone", false),
            // Shorter, checked, or another representation: rewritten.
            ("varchar(40)", "varchar(20)", true),
            ("text", "varchar(20)", true),
            ("varchar", "varchar(20)", true),
            ("numeric(10,2)", "numeric(12,3)", true),
            ("numeric(10,2)", "numeric(8,2)", true),
            ("numeric", "numeric(10,2)", true),
            ("integer", "bigint", true),
            ("integer", "text", true),
            ("timestamp", "timestamptz", true),
            ("char(10)", "varchar(10)", true),
        ];
        for (old, new, expected) in cases {
            assert_eq!(
                rewrites(&data_type(old), &data_type(new)),
                expected,
                "{old} -> {new}"
            );
        }
    }
}
