//! Database URLs as text, whatever the backend: the scheme that picks the
//! backend, and how to print a URL without its password. Redaction knows no
//! backend, so that a URL no compiled-in backend reads (or one that is
//! malformed) is still printed without its secret.

/// Why a URL was refused; the text is already redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{url}`: {reason}")]
pub struct UrlError {
    pub url: String,
    pub reason: String,
    /// Where to read about the URLs this backend takes, or examples of
    /// those migrator reads.
    pub hint: Option<String>,
}

/// The scheme a URL starts with (`sqlite` in `sqlite:app.db` and in
/// `sqlite::memory:`, `postgres` in `postgres://…`), lower-cased; `None`
/// for text that does not start with one, such as libpq's key/value form.
pub fn scheme(text: &str) -> Option<String> {
    let (scheme, _) = text.split_once(':')?;
    valid_scheme(scheme).then(|| scheme.to_ascii_lowercase())
}

/// RFC 3986: a letter, then letters, digits, `+`, `-` or `.`.
fn valid_scheme(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Replaces every password a connection string can carry with `***`: the
/// URL's `user:PASSWORD@`, a `password=` query parameter, and a
/// `password=` of libpq's key/value form (`host=… password=…`).
pub fn redact(text: &str) -> String {
    match scheme_end(text) {
        Some(rest) => redact_url(text, rest, Userinfo::AsTheDriverReads),
        // Not a URL: a key/value string, or a URL without its `//`
        // (`postgres:user:pw@host`); hide both kinds of password.
        None => redact_url(&redact_key_values(text), 0, Userinfo::AsTheDriverReads),
    }
}

/// For a URL the driver refused: where its user information ends is then
/// anyone's guess, so everything up to its last `@` is hidden.
pub fn redact_unreadable(text: &str) -> String {
    match scheme_end(text) {
        Some(rest) => redact_url(text, rest, Userinfo::UpToTheLastAt),
        None => redact(text),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Userinfo {
    AsTheDriverReads,
    UpToTheLastAt,
}

/// Where what follows `scheme://` starts, if `text` starts with a scheme.
fn scheme_end(text: &str) -> Option<usize> {
    let colon = text.find("://")?;
    valid_scheme(&text[..colon]).then_some(colon + 3)
}

fn redact_url(url: &str, rest_start: usize, userinfo: Userinfo) -> String {
    let (head, rest) = url.split_at(rest_start);
    // tokio-postgres ends the user information at the first `@`, wherever
    // it is: a password may hold an unencoded `/`, `?` or `#`. Another `@`
    // before the query means the password held an `@` too (the driver then
    // reads a piece of it as the host or the database, which
    // `connect::read` refuses), so the user information is taken to end at
    // the last one.
    let userinfo_end = rest.find('@').map(|first| match userinfo {
        Userinfo::AsTheDriverReads => {
            let query = rest[first..].find('?').map_or(rest.len(), |i| first + i);
            rest[..query].rfind('@').unwrap_or(first)
        }
        Userinfo::UpToTheLastAt => rest.rfind('@').unwrap_or(first),
    });
    let mut out = head.to_string();
    let after_userinfo = match userinfo_end {
        Some(end) => {
            match rest[..end].split_once(':') {
                Some((user, _password)) => {
                    out.push_str(user);
                    out.push_str(":***");
                }
                None => out.push_str(&rest[..end]),
            }
            &rest[end..]
        }
        None => rest,
    };
    match after_userinfo.split_once('?') {
        Some((location, query)) => {
            out.push_str(location);
            out.push('?');
            out.push_str(&redact_query(query));
        }
        None => out.push_str(after_userinfo),
    }
    out
}

/// Hides the value of every `password=` parameter. Split as the driver
/// does: a key runs to the next `=` and a value to the next `&`.
fn redact_query(query: &str) -> String {
    let mut out = String::new();
    let mut rest = query;
    while let Some(eq) = rest.find('=') {
        let key = &rest[..eq];
        out.push_str(key);
        out.push('=');
        rest = &rest[eq + 1..];
        // `a&password` is one key for the driver, and a password for
        // whoever wrote it.
        if is_password_key(&percent_decode(key.rsplit('&').next().unwrap_or(key))) {
            out.push_str("***");
            rest = &rest[password_value_end(rest)..];
        } else {
            let end = rest.find('&').map_or(rest.len(), |i| i + 1);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// Where a `password=` value ends: at the first `&` that starts a
/// `key=` of its own, so that a password with an unencoded `&` (which the
/// driver cuts short and then fails on) stays hidden whole. The `&` is
/// kept.
fn password_value_end(value: &str) -> usize {
    value
        .match_indices('&')
        .map(|(i, _)| i)
        .find(|&i| {
            let next = &value[i + 1..];
            next.find('=')
                .is_some_and(|eq| !next[..eq].contains('&') && eq > 0)
        })
        .unwrap_or(value.len())
}

/// `password`, and whatever else names one (`sslpassword`, `PGPASSWORD`).
fn is_password_key(key: &str) -> bool {
    key.trim().to_ascii_lowercase().ends_with("password")
}

/// Hides the values of libpq's key/value form: `password=S3cret`,
/// `password = 'a b\' c'`. Any word ending in `password` counts, and the
/// `=` may be missing: a malformed string must not leak either.
fn redact_key_values(text: &str) -> String {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !is_word(bytes[i]) || (i > 0 && is_word(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let word_end = (i..bytes.len())
            .find(|&j| !is_word(bytes[j]))
            .unwrap_or(bytes.len());
        if !is_password_key(&text[i..word_end]) {
            i = word_end;
            continue;
        }
        let skip_space = |mut j: usize| {
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            j
        };
        let mut value_start = skip_space(word_end);
        if bytes.get(value_start) == Some(&b'=') {
            value_start = skip_space(value_start + 1);
        }
        let value_end = key_value_end(bytes, value_start);
        out.push_str(&text[copied..value_start]);
        if value_end > value_start {
            out.push_str("***");
        }
        copied = value_end;
        i = value_end.max(word_end);
    }
    out.push_str(&text[copied..]);
    out
}

/// The end of a libpq key/value value starting at `start`: a quoted one
/// at its closing quote, a bare one at white space; `\` escapes the next
/// character in both.
fn key_value_end(bytes: &[u8], start: usize) -> usize {
    let quoted = bytes.get(start) == Some(&b'\'');
    let mut j = if quoted { start + 1 } else { start };
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'\'' if quoted => return j + 1,
            b if !quoted && b.is_ascii_whitespace() => return j,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// A server URL (already redacted) with its database name replaced, to
/// show where a scratch database is: `scheme://authority/DATABASE?query`.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    format!("{base}/{database}{query}")
}

/// `%XX` escapes decoded, as libpq reads a URL's parts; a `%` that starts
/// no escape stays as it is.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = text
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        let cases = [
            ("sqlite:app.db", Some("sqlite")),
            ("sqlite::memory:", Some("sqlite")),
            ("SQLite://app.db", Some("sqlite")),
            ("postgres://u@h/db", Some("postgres")),
            ("postgresql://u:p@h/db", Some("postgresql")),
            ("mysql://root@db/app", Some("mysql")),
            ("host=db password=x:y", None),
            ("app.db", None),
            (":memory:", None),
            ("1sqlite:x", None),
        ];
        for (text, expected) in cases {
            assert_eq!(scheme(text).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn redacts_passwords() {
        let cases = [
            (
                "postgres://u:secret@h:5432/db",
                "postgres://u:***@h:5432/db",
            ),
            ("postgres://u@h/db", "postgres://u@h/db"),
            ("postgres://h/db", "postgres://h/db"),
            ("postgres://u:@h/db", "postgres://u:***@h/db"),
            // The driver reads the password up to the first `@`: `/`, `?`
            // and `#` are part of it.
            (
                "postgres://u:Pa/Ss?Wd@127.0.0.1:5432/db",
                "postgres://u:***@127.0.0.1:5432/db",
            ),
            (
                "postgres://u:Pa?Ss@h/db?sslmode=require",
                "postgres://u:***@h/db?sslmode=require",
            ),
            ("postgres://u:a/b@h", "postgres://u:***@h"),
            ("postgres://u:Pa#Ss@h/db", "postgres://u:***@h/db"),
            ("postgres://u:Pa%2FSs@h/db", "postgres://u:***@h/db"),
            (
                "postgres://u:p%40ss@h/db?application_name=x",
                "postgres://u:***@h/db?application_name=x",
            ),
            // An unencoded `@` in the password: the last `@` before the
            // query ends it.
            ("postgres://u:a@b@h/db", "postgres://u:***@h/db"),
            ("postgres://u:x@y/z@h/db", "postgres://u:***@h/db"),
            // An `@` in the query is not the user information's.
            (
                "postgres://u:p@h/db?application_name=me@home",
                "postgres://u:***@h/db?application_name=me@home",
            ),
            (
                "postgres://h/db?password=secret&sslmode=require",
                "postgres://h/db?password=***&sslmode=require",
            ),
            (
                "postgres://u:Pa?password=x@h/db?password=secret",
                "postgres://u:***@h/db?password=***",
            ),
            (
                "postgres://h/db?sslmode=require&password=a&b&application_name=x",
                "postgres://h/db?sslmode=require&password=***&application_name=x",
            ),
            (
                "postgres://h/db?password=a&b",
                "postgres://h/db?password=***",
            ),
            (
                "postgres://h/db?pass%77ord=secret&sslpassword=key",
                "postgres://h/db?pass%77ord=***&sslpassword=***",
            ),
            ("mysql://root:hunter2@db/app", "mysql://root:***@db/app"),
            // libpq's key/value form, and a URL without its `//`.
            (
                "host=h password=S3cret dbname=d",
                "host=h password=*** dbname=d",
            ),
            (
                "host=h password = 'a b\\' c' dbname=d",
                "host=h password = *** dbname=d",
            ),
            ("host=h PASSWORD=S3cret", "host=h PASSWORD=***"),
            ("dbname=d password='open", "dbname=d password=***"),
            ("user=u password S3cret", "user=u password ***"),
            ("PGPASSWORD=S3cret", "PGPASSWORD=***"),
            ("postgres:u:S3cret@h/db", "postgres:***@h/db"),
        ];
        for (url, expected) in cases {
            assert_eq!(redact(url), expected, "{url}");
        }
    }

    #[test]
    fn an_unreadable_url_hides_everything_up_to_its_last_at() {
        let cases = [
            ("postgres://u:a@b?c@h/db", "postgres://u:***@h/db"),
            ("postgresql://u:a/b@c?d@h/db", "postgresql://u:***@h/db"),
            (
                "postgres://u:pw@h:notaport/db",
                "postgres://u:***@h:notaport/db",
            ),
            ("postgres://h:x/db", "postgres://h:x/db"),
            ("host=h password=S3cret", "host=h password=***"),
        ];
        for (url, expected) in cases {
            assert_eq!(redact_unreadable(url), expected, "{url}");
        }
    }
}
