//! Revision file names: `NNNN_slug.up.sql` / `NNNN_slug.down.sql`.
//!
//! Pure functions: [`parse`] reads a name found in the versions folder,
//! [`next_number`], [`format_id`] and [`slugify`] build the id of a new
//! revision.

use std::cmp::Ordering;
use std::fmt;

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
    pub number: Number,
    pub direction: Direction,
}

/// The decimal number in front of a revision id, as written (`0042`), of
/// any length: timestamps of 20 digits and more do not fit a `u64`, so
/// numbers are compared as digit strings: without their leading zeros,
/// the longer is the larger, and equal lengths compare digit by digit.
/// `0042` and `00042` are equal. The default is zero.
#[derive(Debug, Clone, Default)]
pub struct Number(String);

impl Number {
    /// `digits` as a number; `None` unless it is one or more ASCII digits.
    pub fn parse(digits: &str) -> Option<Number> {
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Number(digits.to_owned()))
    }

    /// The digits as written, leading zeros included.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The next number, as wide as this one (or one digit wider after
    /// all nines).
    pub fn successor(&self) -> Number {
        let mut digits = self.0.clone().into_bytes();
        for digit in digits.iter_mut().rev() {
            if *digit == b'9' {
                *digit = b'0';
            } else {
                *digit += 1;
                return Number(String::from_utf8(digits).expect("ASCII digits"));
            }
        }
        digits.insert(0, b'1');
        Number(String::from_utf8(digits).expect("ASCII digits"))
    }

    fn significant(&self) -> &str {
        self.0.trim_start_matches('0')
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        let (a, b) = (self.significant(), other.significant());
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Number {}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
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
pub fn parse_id(id: &str) -> Option<Number> {
    let (digits, slug) = id.split_once('_')?;
    let well_formed = digits.len() >= 4 && !slug.is_empty() && slug.bytes().all(is_slug_byte);
    if !well_formed {
        return None;
    }
    Number::parse(digits)
}

/// The number of the next revision after `existing`: one more than the
/// highest, as wide as the widest (so `0009` is followed by `0010`, and
/// 20-digit timestamps by a 20-digit number), at least four digits.
pub fn next_number<'a>(existing: impl IntoIterator<Item = &'a Number>) -> Number {
    let mut highest = Number::default();
    let mut width = 4;
    for number in existing {
        width = width.max(number.0.len());
        if *number > highest {
            highest = number.clone();
        }
    }
    let next = highest.successor();
    Number(format!("{:0>width$}", next.0))
}

/// The id of revision `number` with `slug`: the number zero-padded to four
/// digits (wider numbers as they are), `_`, the slug.
pub fn format_id(number: &Number, slug: &str) -> String {
    format!("{:0>4}_{slug}", number.0)
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
    let number = Number::parse(&base[..digits_end])?;
    let slug = slug_chars(&base[digits_end..]);
    if slug.is_empty() {
        return None;
    }
    let better = format!("{}{}", format_id(&number, &slug), direction.suffix());
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
                "0001",
                Direction::Up,
            ),
            (
                "0001_create_users.down.sql",
                "0001_create_users",
                "0001",
                Direction::Down,
            ),
            ("0042_a.up.sql", "0042_a", "0042", Direction::Up),
            ("12345_x_2.down.sql", "12345_x_2", "12345", Direction::Down),
            ("0000_base.up.sql", "0000_base", "0000", Direction::Up),
            (
                "0003_2024_cleanup.up.sql",
                "0003_2024_cleanup",
                "0003",
                Direction::Up,
            ),
            // Beyond u64: a 20-digit timestamp, and longer.
            (
                "20240101120000123456_x.up.sql",
                "20240101120000123456_x",
                "20240101120000123456",
                Direction::Up,
            ),
            (
                "99999999999999999999999_x.down.sql",
                "99999999999999999999999_x",
                "99999999999999999999999",
                Direction::Down,
            ),
        ];
        for (name, id, digits, direction) in cases {
            let parsed = parse(name).unwrap_or_else(|bad| panic!("{name}: {bad:?}"));
            assert_eq!(parsed.id, id, "name {name}");
            assert_eq!(parsed.number.as_str(), digits, "name {name}");
            assert_eq!(parsed.direction, direction, "name {name}");
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
            (
                "99999999999999999999999_X.up.sql",
                "rename it to `99999999999999999999999_x.up.sql`",
            ),
            ("00001-x.up.sql", "rename it to `00001_x.up.sql`"),
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
            ("0001_create_users", Some("0001")),
            ("10000_x", Some("10000")),
            ("18446744073709551616_x", Some("18446744073709551616")),
            ("001_x", None),
            ("0001", None),
            ("0001_", None),
            ("0001_X", None),
            ("0001_a-b", None),
            ("abcd_x", None),
            ("", None),
        ];
        for (id, expected) in cases {
            let got = parse_id(id);
            assert_eq!(got.as_ref().map(Number::as_str), expected, "id {id:?}");
        }
    }

    #[test]
    fn format_id_pads_to_four_digits() {
        let cases = [
            ("1", "create_users", "0001_create_users"),
            ("42", "x", "0042_x"),
            ("9999", "x", "9999_x"),
            ("10000", "x", "10000_x"),
            ("0", "base", "0000_base"),
            ("00007", "x", "00007_x"),
            (
                "123456789012345678901234",
                "x",
                "123456789012345678901234_x",
            ),
        ];
        for (digits, slug, expected) in cases {
            let number = Number::parse(digits).unwrap();
            assert_eq!(format_id(&number, slug), expected);
            assert_eq!(parse_id(expected), Some(number));
        }
    }

    #[test]
    fn numbers_compare_as_numbers_of_any_length() {
        use Ordering::{Equal, Greater, Less};
        let cases = [
            ("0001", "0002", Less),
            ("0010", "0009", Greater),
            ("0042", "00042", Equal),
            ("0000", "0", Equal),
            ("9999", "10000", Less),
            ("18446744073709551615", "18446744073709551616", Less),
            ("20240101120000123456", "0001", Greater),
            ("20240101120000123456", "20240101120000123457", Less),
            ("00020240101120000123456", "20240101120000123456", Equal),
            (
                "100000000000000000000000",
                "99999999999999999999999",
                Greater,
            ),
        ];
        for (a, b, expected) in cases {
            let (na, nb) = (Number::parse(a).unwrap(), Number::parse(b).unwrap());
            assert_eq!(na.cmp(&nb), expected, "{a} vs {b}");
            assert_eq!(nb.cmp(&na), expected.reverse(), "{b} vs {a}");
            assert_eq!(na == nb, expected == Equal, "{a} == {b}");
        }
        for bad in ["", "12a", "-1", " 1", "١٢"] {
            assert_eq!(Number::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn successors_keep_the_width() {
        let cases = [
            ("0001", "0002"),
            ("0009", "0010"),
            ("0999", "1000"),
            ("9999", "10000"),
            ("18446744073709551615", "18446744073709551616"),
            ("20240101120000123456", "20240101120000123457"),
            ("99999999999999999999", "100000000000000000000"),
            ("0", "1"),
        ];
        for (number, expected) in cases {
            let next = Number::parse(number).unwrap().successor();
            assert_eq!(next.as_str(), expected, "after {number}");
        }
    }

    #[test]
    fn the_next_number_follows_the_highest_as_wide_as_the_widest() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "0001"),
            (&["0001"], "0002"),
            (&["0001", "0003", "0002"], "0004"),
            (&["0009"], "0010"),
            (&["9999"], "10000"),
            (&["000001", "0002"], "000003"),
            (&["0001", "20240101120000123456"], "20240101120000123457"),
            (&["18446744073709551615"], "18446744073709551616"),
            (&["99999999999999999999", "0001"], "100000000000000000000"),
            (&["0042", "00042"], "00043"),
        ];
        for (existing, expected) in cases {
            let numbers: Vec<Number> = existing.iter().map(|n| Number::parse(n).unwrap()).collect();
            assert_eq!(next_number(&numbers).as_str(), *expected, "{existing:?}");
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
            let one = Number::parse("1").unwrap();
            assert!(parse_id(&format_id(&one, &slug)).is_some(), "{slug}");
        }
    }
}
