//! Who runs migrator, for the `applied by` columns.

use crate::record::Operator;

/// `user@host` of the operating-system user running this process.
pub fn os_user() -> String {
    let user = os_user_name().unwrap_or_else(|| "unknown".to_string());
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    format!("{user}@{host}")
}

/// The name of the operating-system user running this process (what libpq
/// takes for the database user when none is given).
pub fn os_user_name() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .or_else(user_from_passwd)
}

/// Containers and CI runners often leave `USER` unset: the name of the
/// process's user from `/etc/passwd` then.
#[cfg(unix)]
fn user_from_passwd() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    user_named_in_passwd(&passwd, uid)
}

#[cfg(not(unix))]
fn user_from_passwd() -> Option<String> {
    None
}

fn user_named_in_passwd(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == uid && !name.is_empty()).then(|| name.to_string())
    })
}

/// The operator of this process, with an optional note for the log.
pub fn current(note: Option<String>) -> Operator {
    Operator {
        os_user: os_user(),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::user_named_in_passwd;

    #[test]
    fn finds_the_user_of_a_uid() {
        let passwd =
            "root:x:0:0:root:/root:/bin/bash\n# comment\nann:x:1000:1000::/home/ann:/bin/sh\n";
        let cases = [(0, Some("root")), (1000, Some("ann")), (5, None)];
        for (uid, expected) in cases {
            assert_eq!(
                user_named_in_passwd(passwd, uid).as_deref(),
                expected,
                "uid {uid}"
            );
        }
    }
}
