//! The files libpq reads besides the URL, read the way libpq reads them:
//! the connection service file (`pg_service.conf`, `~/.pg_service.conf`),
//! the password file (`~/.pgpass`), and the permission checks of the
//! password file and of a client certificate's private key. The parsing and
//! matching are pure; [`Environment`] is the one way in to the process's
//! variables and files, so that tests give their own.

use std::io;
use std::path::{Path, PathBuf};

/// The variables and files libpq consults.
pub trait Environment {
    /// An environment variable; an empty one is no setting, as in libpq.
    fn var(&self, name: &str) -> Option<String>;
    /// The current user's home folder.
    fn home(&self) -> Option<PathBuf>;
    fn read(&self, path: &Path) -> io::Result<String>;
    /// The file's permission bits and whether root owns it; `None` where
    /// there are no such bits (not Unix) or the file cannot be read.
    fn mode(&self, path: &Path) -> Option<(u32, bool)>;
    fn exists(&self, path: &Path) -> bool;
}

/// The process's environment and file system.
pub struct Process;

impl Environment for Process {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|value| !value.is_empty())
    }

    fn home(&self) -> Option<PathBuf> {
        std::env::var_os("HOME")
            .filter(|home| !home.is_empty())
            .map(PathBuf::from)
    }

    fn read(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn mode(&self, path: &Path) -> Option<(u32, bool)> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::metadata(path).ok()?;
            Some((meta.mode() & 0o7777, meta.uid() == 0))
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            None
        }
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
}

/// The keys a service file may set: libpq's connection parameters that
/// migrator reads.
pub const SERVICE_KEYS: [&str; 22] = [
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "options",
    "application_name",
    "connect_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
    "tcp_user_timeout",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
];

/// One setting of a service: the key, the value, and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSetting {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// The settings of service `name` in the text of a service file: `None`
/// when the file has no `[name]` section. An unknown key or a line that is
/// neither a section, a `key=value`, a comment nor blank is an error
/// naming the line.
pub fn service_settings(text: &str, name: &str) -> Result<Option<Vec<ServiceSetting>>, String> {
    let mut in_section = false;
    let mut found = None;
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[') {
            if in_section {
                // libpq reads the first section of the name only.
                break;
            }
            let section = section
                .strip_suffix(']')
                .ok_or_else(|| format!("line {number}: a section is written [name]"))?;
            in_section = section == name;
            if in_section {
                found = Some(Vec::new());
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("line {number}: expected key=value"));
        };
        if !in_section {
            continue;
        }
        let key = key.trim();
        if !SERVICE_KEYS.contains(&key) {
            return Err(format!(
                "line {number}: `{key}` is not a connection parameter migrator reads"
            ));
        }
        if let Some(settings) = found.as_mut() {
            settings.push(ServiceSetting {
                key: key.to_owned(),
                value: value.trim().to_owned(),
                line: number,
            });
        }
    }
    Ok(found)
}

/// Where libpq looks for service `name`: `PGSERVICEFILE` (else
/// `~/.pg_service.conf`), then `PGSYSCONFDIR/pg_service.conf` (else the
/// system's folder of PostgreSQL's client configuration). The first file
/// that has the service gives all its settings; with the file, for
/// messages.
pub fn find_service(
    env: &dyn Environment,
    name: &str,
) -> Result<(PathBuf, Vec<ServiceSetting>), String> {
    let user_file = env
        .var("PGSERVICEFILE")
        .map(PathBuf::from)
        .or_else(|| env.home().map(|home| home.join(".pg_service.conf")));
    let system_dir = env
        .var("PGSYSCONFDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SYSCONFDIR));
    let system_file = system_dir.join("pg_service.conf");
    let mut looked = Vec::new();
    for file in user_file.into_iter().chain([system_file]) {
        looked.push(file.display().to_string());
        let text = match env.read(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(format!(
                    "cannot read the service file {}: {e}",
                    file.display()
                ));
            }
        };
        match service_settings(&text, name) {
            Ok(Some(settings)) => return Ok((file, settings)),
            Ok(None) => continue,
            Err(e) => return Err(format!("service file {}: {e}", file.display())),
        }
    }
    Err(format!(
        "service `{name}` is not defined (looked in {})",
        looked.join(" and ")
    ))
}

/// Where Debian's and most packages' libpq reads `pg_service.conf` from
/// when `PGSYSCONFDIR` is not set.
pub const DEFAULT_SYSCONFDIR: &str = "/etc/postgresql-common";

/// What to match in the password file: the connection's first host (a
/// socket's `localhost`, as libpq), port, database and user.
#[derive(Debug, Clone, Copy)]
pub struct PassfileKey<'a> {
    pub host: &'a str,
    pub port: u16,
    pub dbname: &'a str,
    pub user: &'a str,
}

/// The password of the first line of a password file that matches `key`:
/// `hostname:port:database:username:password`, each of the first four a
/// value or `*`, with `\:` and `\\` for a colon and a backslash; `#` starts
/// a comment line. Lines with fewer fields are skipped, as libpq does.
pub fn passfile_password(text: &str, key: &PassfileKey<'_>) -> Option<String> {
    let port = key.port.to_string();
    let wanted = [key.host, port.as_str(), key.dbname, key.user];
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let fields = split_passfile_line(line.trim_end_matches('\r'));
            if fields.len() < 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, wanted)| field == "*" || field == wanted);
            matches.then(|| fields[4..].join(":"))
        })
}

/// The fields of a password file's line: split at unescaped colons, with
/// `\x` read as `x`.
fn split_passfile_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("one field").push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

/// The password file: `passfile`, else `PGPASSFILE`, else `~/.pgpass`.
pub fn passfile_path(env: &dyn Environment, passfile: Option<&str>) -> Option<PathBuf> {
    passfile
        .map(PathBuf::from)
        .or_else(|| env.var("PGPASSFILE").map(PathBuf::from))
        .or_else(|| env.home().map(|home| home.join(".pgpass")))
}

/// Why libpq would not read the password file with these permission bits:
/// it must not be readable or writable by the group or others.
pub fn passfile_permission_problem(mode: u32) -> Option<String> {
    (mode & 0o077 != 0).then(|| {
        format!(
            "has group or world access (mode {:04o}); libpq and migrator ignore it until it is u=rw (0600) or less: chmod 600 it",
            mode & 0o777
        )
    })
}

/// Why libpq would refuse a client certificate's private key with these
/// permission bits: group or world access, except read by the group when
/// root owns it (a key shared with a service's group).
pub fn key_permission_problem(mode: u32, owned_by_root: bool) -> Option<String> {
    let forbidden = if owned_by_root { 0o137 } else { 0o077 };
    (mode & forbidden != 0).then(|| {
        format!(
            "has group or world access (mode {:04o}); it must be u=rw (0600) or less if owned by the current user, or u=rw,g=r (0640) or less if owned by root",
            mode & 0o777
        )
    })
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use std::collections::HashMap;

    /// An environment of given variables and files.
    #[derive(Default, Clone)]
    pub struct Given {
        pub vars: HashMap<String, String>,
        pub files: HashMap<PathBuf, (String, u32)>,
    }

    impl Given {
        pub fn var(mut self, name: &str, value: &str) -> Given {
            self.vars.insert(name.into(), value.into());
            self
        }
        pub fn file(mut self, path: &str, text: &str, mode: u32) -> Given {
            self.files.insert(path.into(), (text.into(), mode));
            self
        }
    }

    impl Environment for Given {
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).cloned().filter(|v| !v.is_empty())
        }
        fn home(&self) -> Option<PathBuf> {
            Some("/home/u".into())
        }
        fn read(&self, path: &Path) -> io::Result<String> {
            self.files
                .get(path)
                .map(|(text, _)| text.clone())
                .ok_or_else(|| io::ErrorKind::NotFound.into())
        }
        fn mode(&self, path: &Path) -> Option<(u32, bool)> {
            self.files.get(path).map(|(_, mode)| (*mode, false))
        }
        fn exists(&self, path: &Path) -> bool {
            self.files.contains_key(path)
        }
    }

    #[test]
    fn service_sections() {
        let text = "# comment\n[other]\nhost=elsewhere\n\n[app]\nhost = db.example.com\nport=6543\n  dbname=shop\nsslmode=verify-full\n[app]\nhost=second\n";
        let settings = service_settings(text, "app").unwrap().unwrap();
        let got: Vec<(&str, &str, usize)> = settings
            .iter()
            .map(|s| (s.key.as_str(), s.value.as_str(), s.line))
            .collect();
        assert_eq!(
            got,
            [
                ("host", "db.example.com", 6),
                ("port", "6543", 7),
                ("dbname", "shop", 8),
                ("sslmode", "verify-full", 9)
            ]
        );
        assert_eq!(service_settings(text, "missing").unwrap(), None);
        let cases = [
            (
                "[app]\nhots=x\n",
                "line 2: `hots` is not a connection parameter",
            ),
            ("[app]\nhost\n", "line 2: expected key=value"),
            ("[app\nhost=x\n", "line 1: a section is written [name]"),
        ];
        for (text, error) in cases {
            let got = service_settings(text, "app").unwrap_err();
            assert!(got.starts_with(error), "{text:?}: {got}");
        }
    }

    #[test]
    fn services_are_found_in_the_users_file_then_the_systems() {
        let env = Given::default()
            .file("/home/u/.pg_service.conf", "[mine]\nhost=a\n", 0o600)
            .file(
                "/etc/postgresql-common/pg_service.conf",
                "[mine]\nhost=b\n[shared]\nhost=c\n",
                0o644,
            );
        let (file, settings) = find_service(&env, "mine").unwrap();
        assert_eq!(
            (file.to_str().unwrap(), settings[0].value.as_str()),
            ("/home/u/.pg_service.conf", "a")
        );
        let (file, settings) = find_service(&env, "shared").unwrap();
        assert_eq!(
            (file.to_str().unwrap(), settings[0].value.as_str()),
            ("/etc/postgresql-common/pg_service.conf", "c")
        );
        let error = find_service(&env, "nope").unwrap_err();
        assert_eq!(
            error,
            "service `nope` is not defined (looked in /home/u/.pg_service.conf and /etc/postgresql-common/pg_service.conf)"
        );
        let env = Given::default()
            .var("PGSERVICEFILE", "/s/services")
            .var("PGSYSCONFDIR", "/sys")
            .file("/s/services", "[x]\nhost=s\n", 0o600)
            .file("/sys/pg_service.conf", "[y]\nhost=y\n", 0o600);
        assert_eq!(find_service(&env, "x").unwrap().1[0].value, "s");
        assert_eq!(find_service(&env, "y").unwrap().1[0].value, "y");
    }

    #[test]
    fn password_file_lines() {
        let text = "# comment\nother:5432:*:*:no\nlocalhost:5432:shop:app:first\n*:*:*:app:any\\:thing\\\\x\nh\\:x:*:*:*:pass:with:colons\nshort:line\n";
        let key = |host, port, dbname, user| PassfileKey {
            host,
            port,
            dbname,
            user,
        };
        let cases = [
            (key("localhost", 5432, "shop", "app"), Some("first")),
            (key("localhost", 5433, "shop", "app"), Some("any:thing\\x")),
            (key("h:x", 1, "d", "u"), Some("pass:with:colons")),
            (key("other", 5432, "d", "u"), Some("no")),
            (key("nowhere", 5432, "d", "u"), None),
        ];
        for (key, expected) in cases {
            assert_eq!(
                passfile_password(text, &key).as_deref(),
                expected,
                "{key:?}"
            );
        }
    }

    #[test]
    fn permissions_as_libpq_checks_them() {
        assert_eq!(passfile_permission_problem(0o600), None);
        assert_eq!(passfile_permission_problem(0o400), None);
        assert!(
            passfile_permission_problem(0o640)
                .unwrap()
                .contains("mode 0640")
        );
        assert!(passfile_permission_problem(0o604).is_some());
        assert_eq!(key_permission_problem(0o600, false), None);
        assert!(key_permission_problem(0o640, false).is_some());
        assert_eq!(key_permission_problem(0o640, true), None);
        assert!(key_permission_problem(0o660, true).is_some());
        assert!(key_permission_problem(0o644, true).is_some());
    }
}
