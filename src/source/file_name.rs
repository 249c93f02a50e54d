//! Revision file names: `NNNN_slug.up.sql` / `NNNN_slug.down.sql`.
//!
//! Pure functions: [`parse`] reads a name found in the versions folder,
//! [`format_id`] and [`slugify`] build the id of a new revision.

/// The longest slug [`slugify`] makes, so file names stay readable.
pub const MAX_SLUG_LEN: usize = 40;

/// Which file of a revision pair a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// `NNNN_slug.up.sql`: the header and the SQL that applies the revision.
    Up,
    /// `NNNN_slug.down.sql`: the SQL that undoes it.
    Down,
}

impl Direction {
    /// The file name suffix of this direction, e.g. `.up.sql`.
    pub fn suffix(self) -> &'static str {
        match self {
            Direction::Up => ".up.sql",
            Direction::Down => ".down.sql",
        }
    }

    /// The other file of the pair.
    pub fn other(self) -> Direction {
        match self {
            Direction::Up => Direction::Down,
            Direction::Down => Direction::Up,
        }
    }
}

/// A well-formed revision file name, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    /// The revision id: the stem, e.g. `0001_create_users`.
    pub id: String,
    /// The decimal prefix of the id.
    pub number: u64,
    pub direction: Direction,
}

/// Why a `.sql` file name is not a revision file name, with a hint that
/// shows the expected form (and the corrected name when one can be guessed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadName {
    pub message: String,
    pub hint: String,
}

/// True when the name ends in `.sql` (in any case): the only files of the
/// versions folder that migrator looks at.
pub fn is_sql(name: &str) -> bool {
    name.len() >= 4
        && name.is_char_boundary(name.len() - 4)
        && name[name.len() - 4..].eq_ignore_ascii_case(".sql")
}

/// Reads a revision file name (the name only, no folder). Call it for the
/// names [`is_sql`] accepts; anything else is not a revision file.
pub fn parse(name: &str) -> Result<FileName, BadName> {
    let parsed = [Direction::Up, Direction::Down]
        .into_iter()
        .find_map(|direction| {
            let id = name.strip_suffix(direction.suffix())?;
            let number = parse_id(id)?;
            Some(FileName {
                id: id.to_owned(),
                number,
                direction,
            })
        });
    parsed.ok_or_else(|| bad_name(name))
}

/// The number of a well-formed revision id (`NNNN_slug`, at least four
/// digits, slug `[a-z0-9_]+`), or `None` when `id` does not have that form.
pub fn parse_id(id: &str) -> Option<u64> {
    let (digits, slug) = id.split_once('_')?;
    let well_formed = digits.len() >= 4
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !slug.is_empty()
        && slug.bytes().all(is_slug_byte);
    if !well_formed {
        return None;
    }
    digits.parse().ok()
}

/// The id of revision `number` with `slug`: the number zero-padded to four
/// digits (wider numbers as they are), `_`, the slug.
pub fn format_id(number: u64, slug: &str) -> String {
    format!("{number:04}_{slug}")
}

/// Turns a revision message into a slug: lowercase ASCII letters and digits,
/// every run of other characters one `_`, no `_` at either end, at most
/// [`MAX_SLUG_LEN`] characters (cut at a `_` when there is one to cut at).
/// An empty result becomes `revision`.
pub fn slugify(message: &str) -> String {
    let slug = slug_chars(message);
    let slug = if slug.len() > MAX_SLUG_LEN {
        // `slug` is ASCII, so byte indices are character indices.
        let cut = match slug.as_bytes()[MAX_SLUG_LEN] {
            b'_' => MAX_SLUG_LEN,
            _ => slug[..MAX_SLUG_LEN].rfind('_').unwrap_or(MAX_SLUG_LEN),
        };
        slug[..cut].trim_end_matches('_').to_owned()
    } else {
        slug
    };
    if slug.is_empty() {
        "revision".to_owned()
    } else {
        slug
    }
}

fn is_slug_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
}

/// [`slugify`] without the length limit and the fallback.
fn slug_chars(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('_') {
            slug.push('_');
        }
    }
    slug.truncate(slug.trim_end_matches('_').len());
    slug
}

fn bad_name(name: &str) -> BadName {
    let expected = "a revision is a pair `NNNN_slug.up.sql` + `NNNN_slug.down.sql` \
                    (NNNN: 4 or more digits; slug: a-z, 0-9, _)";
    let hint = match suggest(name) {
        Some(better) => format!("rename it to `{better}`; {expected}"),
        None => expected.to_owned(),
    };
    BadName {
        message: format!("`{name}` is not a revision file name"),
        hint,
    }
}

/// A well-formed name close to `name`: lowercase, `_` for other characters,
/// the number padded to four digits. `None` when no direction (`.up` /
/// `.down`) or no leading number is there to keep.
fn suggest(name: &str) -> Option<String> {
    if !is_sql(name) {
        return None;
    }
    let stem = &name[..name.len() - 4];
    let lower = stem.to_ascii_lowercase();
    let (base, direction) = if lower.ends_with(".up") {
        (&stem[..stem.len() - 3], Direction::Up)
    } else if lower.ends_with(".down") {
        (&stem[..stem.len() - 5], Direction::Down)
    } else {
        return None;
    };
    let digits_end = base
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(base.len());
    let number: u64 = base[..digits_end].parse().ok()?;
    let slug = slug_chars(&base[digits_end..]);
    if slug.is_empty() {
        return None;
    }
    let better = format!("{}{}", format_id(number, &slug), direction.suffix());
    (better != name && parse(&better).is_ok()).then_some(better)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_names() {
        let cases = [
            (
                "0001_create_users.up.sql",
                "0001_create_users",
                1,
                Direction::Up,
            ),
            (
                "0001_create_users.down.sql",
                "0001_create_users",
                1,
                Direction::Down,
            ),
            ("0042_a.up.sql", "0042_a", 42, Direction::Up),
            ("12345_x_2.down.sql", "12345_x_2", 12345, Direction::Down),
            ("0000_base.up.sql", "0000_base", 0, Direction::Up),
            (
                "0003_2024_cleanup.up.sql",
                "0003_2024_cleanup",
                3,
                Direction::Up,
            ),
        ];
        for (name, id, number, direction) in cases {
            let expected = FileName {
                id: id.to_owned(),
                number,
                direction,
            };
            assert_eq!(parse(name), Ok(expected), "name {name}");
        }
    }

    #[test]
    fn bad_names_get_a_hint_with_the_expected_form() {
        // (name, fragment the hint must contain; "" = no suggested name)
        let cases = [
            (
                "0001_Create_Users.up.sql",
                "rename it to `0001_create_users.up.sql`",
            ),
            (
                "0001_CREATE_USERS.UP.SQL",
                "rename it to `0001_create_users.up.sql`",
            ),
            (
                "1_create_users.up.sql",
                "rename it to `0001_create_users.up.sql`",
            ),
            (
                "0001-create-users.down.sql",
                "rename it to `0001_create_users.down.sql`",
            ),
            (
                "0001 add email.up.sql",
                "rename it to `0001_add_email.up.sql`",
            ),
            ("0001create.up.sql", "rename it to `0001_create.up.sql`"),
            ("0001_create_users.sql", ""),
            ("create_users.up.sql", ""),
            ("0001_.up.sql", ""),
            ("0001.up.sql", ""),
            ("seed.sql", ""),
            ("0001_café.up.sql", "rename it to `0001_caf.up.sql`"),
            ("99999999999999999999999_x.up.sql", ""),
        ];
        for (name, fragment) in cases {
            let bad = parse(name).expect_err(name);
            assert_eq!(bad.message, format!("`{name}` is not a revision file name"));
            assert!(
                bad.hint.contains("`NNNN_slug.up.sql`"),
                "{name}: {}",
                bad.hint
            );
            if fragment.is_empty() {
                assert!(!bad.hint.contains("rename"), "{name}: {}", bad.hint);
            } else {
                assert!(bad.hint.contains(fragment), "{name}: {}", bad.hint);
            }
        }
    }

    #[test]
    fn only_sql_files_count() {
        let cases = [
            ("0001_a.up.sql", true),
            ("notes.SQL", true),
            ("README.md", false),
            ("0001_a.up.sql~", false),
            ("sql", false),
            ("é.sql", true),
            ("aé", false),
        ];
        for (name, expected) in cases {
            assert_eq!(is_sql(name), expected, "name {name}");
        }
    }

    #[test]
    fn ids() {
        let cases = [
            ("0001_create_users", Some(1)),
            ("10000_x", Some(10000)),
            ("001_x", None),
            ("0001", None),
            ("0001_", None),
            ("0001_X", None),
            ("0001_a-b", None),
            ("abcd_x", None),
            ("", None),
        ];
        for (id, expected) in cases {
            assert_eq!(parse_id(id), expected, "id {id:?}");
        }
    }

    #[test]
    fn format_id_pads_to_four_digits() {
        let cases = [
            (1, "create_users", "0001_create_users"),
            (42, "x", "0042_x"),
            (9999, "x", "9999_x"),
            (10000, "x", "10000_x"),
            (0, "base", "0000_base"),
        ];
        for (number, slug, expected) in cases {
            assert_eq!(format_id(number, slug), expected);
            assert_eq!(parse_id(expected), Some(number));
        }
    }

    #[test]
    fn slugify_cases() {
        let cases = [
            ("Create users", "create_users"),
            ("Add email to users!", "add_email_to_users"),
            ("  --Add   e-mail--  ", "add_e_mail"),
            ("snake_case__stays", "snake_case_stays"),
            ("Café crème", "caf_cr_me"),
            ("", "revision"),
            ("!!!", "revision"),
            ("日本語", "revision"),
            ("v2 API", "v2_api"),
            // Cut at the last `_` within the first 40 characters.
            (
                "add a very long column name to the customers table",
                "add_a_very_long_column_name_to_the",
            ),
            // The 41st character is `_`: the cut falls on a boundary.
            (
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbb",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            ),
            // No `_` to cut at: a hard cut at 40.
            (
                "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
                "abcdefghijklmnopqrstuvwxyzabcdefghijklmn",
            ),
        ];
        for (message, expected) in cases {
            let slug = slugify(message);
            assert_eq!(slug, expected, "message {message:?}");
            assert!(slug.len() <= MAX_SLUG_LEN);
            assert!(parse_id(&format_id(1, &slug)).is_some(), "{slug}");
        }
    }
}
