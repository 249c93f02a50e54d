//! "Did you mean …?": the known name a mistyped one was probably meant to
//! be, for revision ids and header keys alike.

/// The candidate most like `name`, if one is near enough to be a likely
/// typo. Never `name` itself, nor any of `except` (the id of the revision
/// being reported, which cannot be the answer to its own mistake).
///
/// Likeness ignores ASCII case. A candidate is related to `name` when
/// they share a revision number (`0003_y` and `0003_x`: the number is the
/// part people copy right) or when one starts the other (`Parent` and
/// `Parents`, `Trans` and `Transaction`); related candidates come first,
/// then the others within an edit distance of a quarter of `name`'s length,
/// at least one (transpositions count as one edit, so `Parnets` is one
/// away). Ties go to the candidate that comes first.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    except: &[&str],
) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let limit = name.chars().count().max(4) / 4;
    candidates
        .into_iter()
        .filter(|&candidate| candidate != name && !except.contains(&candidate))
        .map(|candidate| {
            let other = candidate.to_ascii_lowercase();
            let distance = strsim::osa_distance(&lower, &other);
            (!related(&lower, &other), distance, candidate)
        })
        .filter(|&(unrelated, distance, _)| !unrelated || distance <= limit)
        .min_by_key(|&(unrelated, distance, _)| (unrelated, distance))
        .map(|(_, _, candidate)| candidate)
}

/// Whether two lowercased names share a revision number, or one starts the
/// other with at least three characters.
fn related(a: &str, b: &str) -> bool {
    let (shorter, longer) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    (shorter.len() >= 3 && longer.starts_with(shorter))
        || number(a).is_some_and(|n| number(b) == Some(n))
}

/// The revision number that starts an id: `0003` of `0003_add_email`.
fn number(id: &str) -> Option<&str> {
    let digits = id.split('_').next()?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggestions() {
        const IDS: &[&str] = &["0001_users", "0002_add_email", "0002_add_orders", "0003_x"];
        const KEYS: &[&str] = &["Parents", "Message", "Created", "Transaction"];
        /// (name, candidates, except, suggestion)
        type Case = (
            &'static str,
            &'static [&'static str],
            &'static [&'static str],
            Option<&'static str>,
        );
        let cases: &[Case] = &[
            // A revision number in common wins over spelling.
            ("0003_y", IDS, &[], Some("0003_x")),
            ("0003_something_else", IDS, &[], Some("0003_x")),
            // Among those sharing the number, the nearest.
            ("0002_add_ordres", IDS, &[], Some("0002_add_orders")),
            ("0002_add_emial", IDS, &[], Some("0002_add_email")),
            // Case slips are the likeliest typo of all.
            ("0001_Users", IDS, &[], Some("0001_users")),
            // Renumbered by a rebase: one digit away.
            ("0004_x", IDS, &[], Some("0003_x")),
            ("0009", IDS, &[], None),
            // Two slips in a short id are a different id, not a typo.
            ("0002_b", &["0001_a"], &[], None),
            (
                "0002_add_emial_x",
                &["0001_add_email"],
                &[],
                Some("0001_add_email"),
            ),
            ("9999_unrelated", IDS, &[], None),
            // Never the name itself, nor the revision being reported.
            ("0003_x", IDS, &[], None),
            ("0003_y", IDS, &["0003_x"], None),
            (
                "0002_add_x",
                IDS,
                &["0002_add_email"],
                Some("0002_add_orders"),
            ),
            ("0002_b", &["0001_a", "0002_b"], &["0002_b"], None),
            // Header keys: prefixes either way, typos, transpositions.
            ("parent", KEYS, &[], Some("Parents")),
            ("Trans", KEYS, &[], Some("Transaction")),
            ("messages", KEYS, &[], Some("Message")),
            ("mesage", KEYS, &[], Some("Message")),
            ("Parnets", KEYS, &[], Some("Parents")),
            ("crated", KEYS, &[], Some("Created")),
            ("Author", KEYS, &[], None),
            ("TODO", KEYS, &[], None),
            ("pa", KEYS, &[], None),
            ("", KEYS, &[], None),
            ("x", &[], &[], None),
        ];
        for &(name, candidates, except, expected) in cases {
            assert_eq!(
                closest(name, candidates.iter().copied(), except),
                expected,
                "{name:?} among {candidates:?} except {except:?}"
            );
        }
    }
}
