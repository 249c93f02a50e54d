//! Which values of `migrator.toml` are in effect: the environment's
//! section (`[env.NAME]`) over `DATABASE_URL` over the top level. Pure:
//! tables in, a table out.

/// The key of the environments' table.
pub const ENV_KEY: &str = "env";

/// The keys in effect: the top level without its `[env.*]` sections, the
/// `DATABASE_URL` variable over its `database_url`, and `section` (the
/// environment in use) over both. A table (such as `[placeholders]`) is
/// merged key by key, so an environment can change one entry of it.
///
/// `DATABASE_URL` sits under the section: an environment that names its
/// database is the one the user asked for, whatever the shell happens to
/// export; `--database-url` still wins over all of them.
pub fn effective(
    top: &toml::Table,
    database_url_variable: Option<&str>,
    section: Option<&toml::Table>,
) -> toml::Table {
    let mut merged: toml::Table = top
        .iter()
        .filter(|(key, _)| key.as_str() != ENV_KEY)
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    if let Some(url) = database_url_variable.filter(|url| !url.is_empty()) {
        merged.insert("database_url".into(), toml::Value::String(url.into()));
    }
    if let Some(section) = section {
        overlay(&mut merged, section);
    }
    merged
}

fn overlay(base: &mut toml::Table, over: &toml::Table) {
    for (key, value) in over {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(over_inner)) => {
                overlay(inner, over_inner);
            }
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn the_section_wins_over_the_variable_and_the_variable_over_the_top() {
        let top = table(
            "dir = \"v\"\ndatabase_url = \"sqlite:top.db\"\nlock_timeout = \"5s\"\n\
             [placeholders]\nowner = \"app\"\nregion = \"eu\"\n\
             [env.prod]\ndatabase_url = \"postgres://h/prod\"\n[env.prod.placeholders]\nregion = \"us\"\n\
             [env.dev]\nlock_timeout = \"1s\"\n",
        );
        let env = |name: &str| top["env"][name].as_table().unwrap().clone();
        // (variable, section, database_url, lock_timeout, region)
        type Case<'a> = (
            Option<&'a str>,
            Option<toml::Table>,
            &'a str,
            &'a str,
            &'a str,
        );
        let cases: [Case; 6] = [
            (None, None, "sqlite:top.db", "5s", "eu"),
            (Some("sqlite:var.db"), None, "sqlite:var.db", "5s", "eu"),
            (Some(""), None, "sqlite:top.db", "5s", "eu"),
            (None, Some(env("prod")), "postgres://h/prod", "5s", "us"),
            (
                Some("sqlite:var.db"),
                Some(env("prod")),
                "postgres://h/prod",
                "5s",
                "us",
            ),
            (
                Some("sqlite:var.db"),
                Some(env("dev")),
                "sqlite:var.db",
                "1s",
                "eu",
            ),
        ];
        for (variable, section, url, timeout, region) in cases {
            let merged = effective(&top, variable, section.as_ref());
            assert!(!merged.contains_key("env"));
            assert_eq!(merged["dir"].as_str(), Some("v"));
            assert_eq!(
                merged["database_url"].as_str(),
                Some(url),
                "{variable:?} {section:?}"
            );
            assert_eq!(merged["lock_timeout"].as_str(), Some(timeout));
            assert_eq!(merged["placeholders"]["region"].as_str(), Some(region));
            assert_eq!(merged["placeholders"]["owner"].as_str(), Some("app"));
        }
    }
}
