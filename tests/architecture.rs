//! The library's layers hold: no module of `src/` reaches itself through its
//! imports. A module that imports from a module that imports from it (a
//! parent naming its children while a child reaches back through `super::*`,
//! a child using a re-export of the crate root that the root makes from a
//! module above it) cannot be read, tested or moved on its own.
//!
//! The check reads the source as text: every `use` tree and every inline
//! path (`crate::…`, `super::…`, `self::…`, or a child module named
//! directly) of the library's modules, with comments, strings and
//! `#[cfg(test)]` items left out, and with `cli/` and `main.rs` (the binary)
//! left out too. A path is an edge to the deepest module it names: a
//! re-export counts as an edge to the module that makes it, so children
//! import their siblings (`super::database::Database`), not their parent's
//! re-exports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module by its path from the crate root: `[]` is the root,
/// `["db", "postgres"]` is `db::postgres`.
type Module = Vec<String>;

fn display(module: &Module) -> String {
    if module.is_empty() {
        "crate".into()
    } else {
        module.join("::")
    }
}

/// One module's source, read from its file.
struct Source {
    file: String,
    text: String,
}

/// Where one module names another, for the message.
#[derive(Clone)]
struct Reference {
    file: String,
    line: usize,
    path: String,
}

/// The module import graph: each module, the modules it names, and the
/// first place it names each.
struct Graph {
    edges: BTreeMap<Module, BTreeMap<Module, Reference>>,
}

#[test]
fn no_module_of_the_library_reaches_itself_through_its_imports() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let sources = library_sources(&root);
    assert!(
        sources.len() > 20 && sources.contains_key(&vec!["db".to_string()]),
        "the library's modules were not found under {}",
        root.display()
    );
    let graph = Graph::build(&sources);
    let cycles: Vec<String> = graph.cycles().iter().map(|c| graph.describe(c)).collect();
    assert!(
        cycles.is_empty(),
        "{}a child imports its siblings (`super::sibling::Item`), not its parent's re-exports",
        cycles.concat()
    );
}

/// Every `.rs` file of the library as a module, except the binary's
/// (`main.rs`, `cli/`) and modules declared under `#[cfg(test)]`.
fn library_sources(root: &Path) -> BTreeMap<Module, Source> {
    let mut files = Vec::new();
    collect_files(root, &mut files);
    let mut sources = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(root).unwrap();
        let mut parts: Vec<String> = relative
            .iter()
            .map(|part| part.to_string_lossy().into_owned())
            .collect();
        if parts == ["main.rs"] || parts[0] == "cli" {
            continue;
        }
        let last = parts.pop().unwrap();
        let stem = last.strip_suffix(".rs").unwrap().to_string();
        if !(stem == "mod" || (parts.is_empty() && stem == "lib")) {
            parts.push(stem);
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let file = format!("src/{}", relative.display());
        sources.insert(parts, Source { file, text });
    }
    without_test_modules(sources)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Where each attribute that compiles its item for tests only starts and
/// ends: `#[cfg(test)]`, and `#[cfg(all(test, …))]`.
fn test_attributes(code: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for (start, _) in code.match_indices("#[cfg(") {
        let mut depth = 0;
        let Some(end) = code[start + 1..].char_indices().find_map(|(i, c)| {
            match c {
                '[' | '(' => depth += 1,
                ']' | ')' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(start + 1 + i + 1)
        }) else {
            continue;
        };
        let condition: String = code[start..end].split_whitespace().collect();
        if condition == "#[cfg(test)]" || condition.starts_with("#[cfg(all(test,") {
            found.push((start, end));
        }
    }
    found
}

/// Drops the file modules a `#[cfg(test)] mod NAME;` declares, and theirs.
fn without_test_modules(mut sources: BTreeMap<Module, Source>) -> BTreeMap<Module, Source> {
    let mut test_modules = Vec::new();
    for (module, source) in &sources {
        let code = blank_comments_and_literals(&source.text);
        for (_, end) in test_attributes(&code) {
            let item = &code[end..];
            let words: Vec<&str> = item
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .take(3)
                .collect();
            let name = match words.as_slice() {
                ["mod", name, ..] | ["pub", "mod", name] => *name,
                _ => continue,
            };
            let mut child = module.clone();
            child.push(name.to_string());
            test_modules.push(child);
        }
    }
    sources.retain(|module, _| !test_modules.iter().any(|t| module.starts_with(t)));
    sources
}

impl Graph {
    fn build(sources: &BTreeMap<Module, Source>) -> Graph {
        let modules: BTreeSet<&Module> = sources.keys().collect();
        let mut edges = BTreeMap::new();
        for (module, source) in sources {
            let code = without_test_items(&blank_comments_and_literals(&source.text));
            let children: BTreeSet<&str> = modules
                .iter()
                .filter(|m| m.len() == module.len() + 1 && m.starts_with(module))
                .map(|m| m.last().unwrap().as_str())
                .collect();
            let mut named: BTreeMap<Module, Reference> = BTreeMap::new();
            for (offset, path) in paths(&code) {
                let Some(target) = resolve(module, &path, &children, &modules) else {
                    continue;
                };
                if &target != module {
                    named.entry(target).or_insert_with(|| Reference {
                        file: source.file.clone(),
                        line: code[..offset].matches('\n').count() + 1,
                        path: path.join("::"),
                    });
                }
            }
            edges.insert(module.clone(), named);
        }
        Graph { edges }
    }

    /// One cycle of each group of modules that reach each other: the
    /// shortest way from the group's first module back to itself, each
    /// module naming the next.
    fn cycles(&self) -> Vec<(Vec<&Module>, Vec<&Module>)> {
        self.groups()
            .into_iter()
            .filter(|group| group.len() > 1)
            .map(|group| {
                let first = group[0];
                let mut came_from: BTreeMap<&Module, &Module> = BTreeMap::new();
                let mut queue = std::collections::VecDeque::from([first]);
                'search: while let Some(module) = queue.pop_front() {
                    for next in self.edges[module].keys() {
                        if !group.contains(&next) {
                            continue;
                        }
                        if next == first {
                            came_from.insert(first, module);
                            break 'search;
                        }
                        if !came_from.contains_key(next) {
                            came_from.insert(next, module);
                            queue.push_back(next);
                        }
                    }
                }
                let mut cycle = vec![came_from[first]];
                while cycle.last() != Some(&first) {
                    cycle.push(came_from[cycle.last().unwrap()]);
                }
                cycle.reverse();
                (group, cycle)
            })
            .collect()
    }

    /// The strongly connected components (Tarjan): modules that all reach
    /// each other.
    fn groups(&self) -> Vec<Vec<&Module>> {
        struct Walk<'a> {
            graph: &'a Graph,
            index: BTreeMap<&'a Module, usize>,
            low: BTreeMap<&'a Module, usize>,
            stack: Vec<&'a Module>,
            groups: Vec<Vec<&'a Module>>,
        }
        impl<'a> Walk<'a> {
            fn visit(&mut self, module: &'a Module) {
                let number = self.index.len();
                self.index.insert(module, number);
                self.low.insert(module, number);
                self.stack.push(module);
                for next in self.graph.edges[module].keys() {
                    if !self.index.contains_key(next) {
                        self.visit(next);
                        let low = self.low[module].min(self.low[next]);
                        self.low.insert(module, low);
                    } else if self.stack.contains(&next) {
                        let low = self.low[module].min(self.index[next]);
                        self.low.insert(module, low);
                    }
                }
                if self.low[module] == self.index[module] {
                    let at = self.stack.iter().position(|m| *m == module).unwrap();
                    let mut group = self.stack.split_off(at);
                    group.sort();
                    self.groups.push(group);
                }
            }
        }
        let mut walk = Walk {
            graph: self,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            groups: Vec::new(),
        };
        for module in self.edges.keys() {
            if !walk.index.contains_key(module) {
                walk.visit(module);
            }
        }
        walk.groups
    }

    /// A cycle with the place of each reference, and the rest of its
    /// group when the group is larger.
    fn describe(&self, (group, cycle): &(Vec<&Module>, Vec<&Module>)) -> String {
        let mut names: Vec<String> = cycle.iter().map(|m| display(m)).collect();
        names.push(display(cycle[0]));
        let mut text = format!("module cycle: {}\n", names.join(" -> "));
        if group.len() > cycle.len() {
            let all: Vec<String> = group.iter().map(|m| display(m)).collect();
            text.push_str(&format!(
                "  (these modules all reach each other: {})\n",
                all.join(", ")
            ));
        }
        for (i, module) in cycle.iter().enumerate() {
            let next = cycle[(i + 1) % cycle.len()];
            let reference = &self.edges[*module][next];
            text.push_str(&format!(
                "  {}:{}: {} names {} (`{}`)\n",
                reference.file,
                reference.line,
                display(module),
                display(next),
                reference.path
            ));
        }
        text
    }
}

/// The module a path names from `module`: the deepest module reached by
/// its leading segments, or `None` for a path outside the crate (`std::…`,
/// another crate, a local name).
fn resolve(
    module: &Module,
    path: &[String],
    children: &BTreeSet<&str>,
    modules: &BTreeSet<&Module>,
) -> Option<Module> {
    let mut segments = path.iter().map(String::as_str).peekable();
    let mut current = match *segments.peek()? {
        "crate" => {
            segments.next();
            Vec::new()
        }
        "self" | "super" => {
            let mut current = module.clone();
            while let Some(&segment) = segments.peek() {
                match segment {
                    "self" => {}
                    "super" => {
                        current.pop()?;
                    }
                    _ => break,
                }
                segments.next();
            }
            current
        }
        name if children.contains(name) => module.clone(),
        _ => return None,
    };
    for segment in segments {
        let mut deeper = current.clone();
        deeper.push(segment.to_string());
        if !modules.contains(&deeper) {
            break;
        }
        current = deeper;
    }
    modules.contains(&current).then_some(current)
}

/// Every path of the code with its offset: each leaf of a `use` tree
/// (`use a::{b, c::{d, self}}` gives `a::b`, `a::c::d`, `a::c`) and every
/// other `x::y…` path.
fn paths(code: &str) -> Vec<(usize, Vec<String>)> {
    let tokens = tokenize(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (offset, token) = &tokens[i];
        if *token == "use" {
            let end = (i..tokens.len())
                .find(|&j| tokens[j].1 == ";")
                .unwrap_or(tokens.len());
            let mut leaves = Vec::new();
            use_tree(&tokens[i + 1..end], &[], &mut leaves);
            out.extend(leaves.into_iter().map(|leaf| (*offset, leaf)));
            i = end + 1;
            continue;
        }
        if is_identifier(token) && tokens.get(i + 1).is_some_and(|t| t.1 == "::") {
            let mut path = vec![token.to_string()];
            let mut j = i + 1;
            while j + 1 < tokens.len() && tokens[j].1 == "::" && is_identifier(tokens[j + 1].1) {
                path.push(tokens[j + 1].1.to_string());
                j += 2;
            }
            out.push((*offset, path));
            i = j;
            continue;
        }
        i += 1;
    }
    out
}

/// The leaves of a `use` tree: `prefix` joined with each path it imports.
fn use_tree(tokens: &[(usize, &str)], prefix: &[String], out: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    let mut i = 0;
    // A leading `::` (`use ::std::…`) names an external crate.
    if tokens.first().is_some_and(|t| t.1 == "::") {
        return;
    }
    while i < tokens.len() {
        match tokens[i].1 {
            "{" => {
                let close = matching(tokens, i);
                for group in split_top_level(&tokens[i + 1..close]) {
                    use_tree(group, &path, out);
                }
                return;
            }
            "*" => break,
            "as" => break,
            "::" => {}
            "self" if i > 0 || !prefix.is_empty() => {}
            name => path.push(name.to_string()),
        }
        i += 1;
    }
    if !path.is_empty() {
        out.push(path);
    }
}

fn matching(tokens: &[(usize, &str)], open: usize) -> usize {
    let mut depth = 0;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.1 {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

fn split_top_level<'t, 'a>(tokens: &'t [(usize, &'a str)]) -> Vec<&'t [(usize, &'a str)]> {
    let mut groups = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token.1 {
            "{" => depth += 1,
            "}" => depth -= 1,
            "," if depth == 0 => {
                groups.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    groups.push(&tokens[start..]);
    groups.retain(|g| !g.is_empty());
    groups
}

fn is_identifier(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Identifiers, `::`, and single punctuation characters, with offsets.
fn tokenize(code: &str) -> Vec<(usize, &str)> {
    let bytes = code.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
        } else if b.is_ascii_alphabetic() || b == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            // `$crate` in a macro is the crate's root, a path like any other;
            // another `$name` is a macro's variable, no path.
            let token = match start.checked_sub(1).map(|before| bytes[before]) {
                Some(b'$') if &code[start..i] == "crate" => "crate",
                Some(b'$') => &code[start - 1..i],
                _ => &code[start..i],
            };
            tokens.push((start, token));
        } else if code[i..].starts_with("::") {
            tokens.push((i, "::"));
            i += 2;
        } else {
            let len = code[i..].chars().next().unwrap().len_utf8();
            tokens.push((i, &code[i..i + len]));
            i += len;
        }
    }
    tokens
}

/// The code with comments, string and character literals replaced by
/// spaces (newlines kept, so offsets still give the line).
fn blank_comments_and_literals(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for byte in &mut out[from..to] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        let end = if rest.starts_with("//") {
            i + rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            let mut depth = 0;
            let mut j = i;
            loop {
                if text[j..].starts_with("/*") {
                    depth += 1;
                    j += 2;
                } else if text[j..].starts_with("*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break j;
                    }
                } else if j >= bytes.len() {
                    break j;
                } else {
                    j += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(text, i) {
            let open = text[i..].find('"').unwrap() + i + 1;
            let close = format!("\"{}", "#".repeat(hashes));
            text[open..]
                .find(&close)
                .map_or(bytes.len(), |k| open + k + close.len())
        } else if bytes[i] == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            (j + 1).min(bytes.len())
        } else if bytes[i] == b'\'' {
            match char_literal_end(text, i) {
                Some(end) => end,
                None => {
                    i += 1;
                    continue;
                }
            }
        } else {
            i += 1;
            continue;
        };
        blank(&mut out, i, end);
        i = end;
    }
    String::from_utf8(out).unwrap()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `r"…"`, `r#"…"#`, `br"…"`: the number of `#`.
fn raw_string_start(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if i > 0 && is_word_byte(bytes[i - 1]) {
        return None;
    }
    let rest = text[i..].strip_prefix('b').unwrap_or(&text[i..]);
    let rest = rest.strip_prefix('r')?;
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    rest[hashes..].starts_with('"').then_some(hashes)
}

/// The end of a character literal starting at `i` (`'a'`, `'\n'`,
/// `'\u{1F600}'`), or `None` for a lifetime or label (`'a`).
fn char_literal_end(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i + 1..];
    if let Some(escaped) = rest.strip_prefix('\\') {
        let close = escaped.find('\'')?;
        return Some(i + 2 + close + 1);
    }
    let c = rest.chars().next()?;
    rest[c.len_utf8()..]
        .starts_with('\'')
        .then(|| i + 1 + c.len_utf8() + 1)
}

/// The code without the items marked `#[cfg(test)]` (their attribute, and
/// the item up to its `;` or its closing brace).
fn without_test_items(code: &str) -> String {
    let mut out = code.to_string();
    let mut blanked_to = 0;
    for (start, attribute_end) in test_attributes(code) {
        // Inside an item blanked already.
        if start < blanked_to {
            continue;
        }
        let bytes = out.as_bytes();
        let mut end = start;
        let mut depth = 0;
        for (j, &b) in bytes.iter().enumerate().skip(attribute_end) {
            match b {
                b'[' | b'(' => depth += 1,
                b']' | b')' => depth -= 1,
                b';' if depth == 0 => {
                    end = j + 1;
                    break;
                }
                b'{' if depth == 0 => {
                    let mut braces = 0;
                    end = bytes.len();
                    for (k, &c) in bytes.iter().enumerate().skip(j) {
                        match c {
                            b'{' => braces += 1,
                            b'}' => {
                                braces -= 1;
                                if braces == 0 {
                                    end = k + 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    break;
                }
                _ => {}
            }
        }
        let blanked: String = out[start..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(start..end, &blanked);
        blanked_to = end;
    }
    out
}

// The checker on small trees written inline, so that it is known to catch
// what it is for.

fn tree(files: &[(&str, &str)]) -> BTreeMap<Module, Source> {
    let sources = files
        .iter()
        .map(|(module, text)| {
            let module: Module = if module.is_empty() {
                Vec::new()
            } else {
                module.split("::").map(String::from).collect()
            };
            let source = Source {
                file: format!("{}.rs", display(&module)),
                text: text.to_string(),
            };
            (module, source)
        })
        .collect();
    without_test_modules(sources)
}

fn cycle_of(files: &[(&str, &str)]) -> Option<String> {
    let graph = Graph::build(&tree(files));
    let cycles = graph.cycles();
    assert!(cycles.len() <= 1, "one cycle at most in these trees");
    cycles.first().map(|found| graph.describe(found))
}

#[test]
fn a_parent_naming_a_child_that_uses_super_star_is_a_cycle() {
    // The shape of db/ before the boundary was sealed.
    let found = cycle_of(&[
        ("", "pub mod db;"),
        (
            "db",
            "pub mod sqlite;\npub trait Database {}\npub fn connect() { sqlite::SqliteDatabase::open() }",
        ),
        ("db::sqlite", "use super::*;\npub struct SqliteDatabase;"),
    ])
    .expect("a cycle");
    assert!(
        found.starts_with("module cycle: db -> db::sqlite -> db\n")
            || found.starts_with("module cycle: db::sqlite -> db -> db::sqlite\n"),
        "{found}"
    );
    assert!(
        found.contains("db.rs:3: db names db::sqlite (`sqlite::SqliteDatabase::open`)"),
        "{found}"
    );
    assert!(
        found.contains("db::sqlite.rs:1: db::sqlite names db (`super`)"),
        "{found}"
    );
}

#[test]
fn a_grandchild_reaching_the_grandparent_through_crate_paths_is_a_cycle() {
    // db::postgres -> db::postgres::sql -> db (its Step) -> db::postgres.
    let found = cycle_of(&[
        (
            "db",
            "pub fn connect() { postgres::PostgresDatabase::connect() }\npub struct Step;",
        ),
        ("db::postgres", "mod sql;\nuse sql::{STEP_PREFIX, Tables};"),
        ("db::postgres::sql", "use crate::db::Step;"),
    ]);
    assert!(found.is_some_and(|c| c.contains("db::postgres::sql names db (`crate::db::Step`)")));
}

#[test]
fn a_re_export_of_the_root_used_below_it_is_a_cycle() {
    let found = cycle_of(&[
        ("", "pub mod error;\npub mod engine;\npub use engine::run;"),
        ("error", "pub struct Error;"),
        ("engine", "pub fn run() -> crate::Error { todo!() }"),
    ])
    .expect("a cycle");
    assert!(
        found.contains("engine names crate (`crate::Error`)"),
        "{found}"
    );
}

#[test]
fn siblings_imported_directly_make_no_cycle() {
    let files = [
        ("", "pub mod db;\npub mod engine;\npub use db::Database;"),
        (
            "db",
            "pub mod database;\npub mod sqlite;\npub use database::Database;\n\
             pub static BACKENDS: &[&dyn database::Backend] = &[&sqlite::BACKEND];",
        ),
        (
            "db::database",
            "pub trait Database {}\npub trait Backend {}",
        ),
        (
            "db::sqlite",
            "use super::database::{Backend, Database};\nuse crate::db::database as d;",
        ),
        (
            "engine",
            "use crate::db::{self, Database};\nfn f() { db::BACKENDS; }",
        ),
    ];
    assert_eq!(cycle_of(&files), None);
}

#[test]
fn comments_strings_and_test_code_are_not_imports() {
    let files = [
        ("db", "pub mod sqlite;\nfn f() { sqlite::open() }"),
        (
            "db::sqlite",
            "// use super::*;\n/* crate::db */\nconst S: &str = \"super::x\";\n\
             const R: &str = r#\"crate::db::\"#;\nconst C: char = '\"';\nfn g<'a>(_: &'a str) {}\n\
             #[cfg(test)]\nmod tests {\n    use super::super::*;\n}\n\
             #[cfg(test)]\nuse crate::db::helper;\n\
             #[cfg(test)]\nmod more;\n\
             #[cfg(all(test, feature = \"sqlite\"))]\nmod on_sqlite {\n    use crate::db::*;\n}",
        ),
        ("db::sqlite::more", "use crate::db::*;"),
    ];
    assert_eq!(cycle_of(&files), None);
    // The same reference outside a comment is one.
    let files = [
        ("db", "pub mod sqlite;\nfn f() { sqlite::open() }"),
        ("db::sqlite", "const C: char = '\"'; use super::*;"),
    ];
    assert!(cycle_of(&files).is_some());
}

#[test]
fn a_macro_variable_is_no_path_and_dollar_crate_is_the_root() {
    let files = [
        ("", "pub mod db;\npub use db::Database;"),
        (
            "db",
            "pub mod sqlite;\npub trait Database {}\n\
             macro_rules! entry { ($module:ident) => { $module::BACKEND }; }",
        ),
        ("db::sqlite", "pub static BACKEND: u8 = 0;"),
    ];
    assert_eq!(cycle_of(&files), None);
    let files = [
        ("", "pub mod db;\npub use db::Database;"),
        (
            "db",
            "pub trait Database {}\nmacro_rules! m { () => { $crate::Database }; }",
        ),
    ];
    assert!(cycle_of(&files).is_some_and(|c| c.contains("db names crate (`crate::Database`)")));
}

#[test]
fn use_trees_are_read_leaf_by_leaf() {
    let code =
        "use crate::db::{self, postgres::{sql::Tables, connect}, url::*};\nuse super::x as y;";
    let leaves: Vec<String> = paths(code).into_iter().map(|(_, p)| p.join("::")).collect();
    assert_eq!(
        leaves,
        [
            "crate::db",
            "crate::db::postgres::sql::Tables",
            "crate::db::postgres::connect",
            "crate::db::url",
            "super::x",
        ]
    );
}
