//! The workspace's modules stand in layers, and no import runs back up: each crate's top-level
//! modules are listed here from the bottom up, a module may use only those listed before it, and
//! no two files anywhere depend on each other, directly or round a loop.
//!
//! The check reads the sources: every `crate::`, `super::` and `self::` path outside comments
//! and test modules, resolved through the re-exports of the module it names (so `super::Finding`
//! from `calculation/check.rs` is a use of `calculation/finding.rs`). A new top-level module must
//! be placed in its crate's list, which says where it stands (crates/celldose/DESIGN.md draws
//! the same layers).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's top-level modules, bottom up.
const LIBRARY: &[&str] = &[
    "text",
    "digits",
    "refusal",
    "error",
    "file_text",
    "human",
    "lines",
    "named_file",
    "units",
    "certificate",
    "regimen",
    "audit",
    "users",
    "calculation",
    "double_check",
    "escalation",
    "entry",
    "report",
    "printout",
    "fhir",
    "batch",
    "invariants",
];

/// The command line's modules, bottom up.
const CLI: &[&str] = &[
    "deferred",
    "help",
    "user_args",
    "cli",
    "refusal",
    "exit",
    "request",
    "text",
    "json",
    "fhir",
    "audit",
    "users",
    "calculate",
    "verify",
    "batch",
    "validate",
    "escalation",
    "serve",
];

/// The page's modules, bottom up.
const WEB: &[&str] = &[
    "hosts",
    "recorder",
    "connections",
    "tls",
    "accounts",
    "site",
    "guard",
    "work",
    "pages",
    "escalation",
    "api",
    "verify",
    "signin",
];

type Module = Vec<String>;

/// One crate's sources: each module's cleaned text, and what each module re-exports by name.
struct Sources {
    modules: BTreeMap<Module, String>,
    exports: BTreeMap<Module, BTreeMap<String, Vec<String>>>,
}

fn module_of(src: &Path, file: &Path) -> Module {
    let relative = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text that compiles into the crate itself: comments and test modules left out.
fn clean(text: &str) -> String {
    let mut kept = String::new();
    let mut skipping_tests = false;
    let mut depth = 0i64;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let opens_tests = lines.peek().is_some_and(|next| {
            next.trim_start().starts_with("mod ") && next.trim_end().ends_with('{')
        });
        if !skipping_tests && trimmed.starts_with("#[cfg(test)]") && opens_tests {
            skipping_tests = true;
            depth = 0;
            continue;
        }
        let code = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        if skipping_tests {
            depth += code.matches('{').count() as i64 - code.matches('}').count() as i64;
            if depth <= 0 && code.contains('}') {
                skipping_tests = false;
            }
            continue;
        }
        kept.push_str(code);
        kept.push('\n');
    }
    kept
}

/// Every path a `use` tree or an expression names after `crate::`, `super::` or `self::`.
fn paths(text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &text[at..];
        let start = ["crate::", "super::", "self::"]
            .iter()
            .find(|prefix| rest.starts_with(**prefix));
        let boundary = at == 0 || {
            let before = bytes[at - 1];
            !(before.is_ascii_alphanumeric() || before == b'_' || before == b':' || before == b'$')
        };
        match start {
            Some(prefix) if boundary => {
                let head = prefix.trim_end_matches("::").to_owned();
                let (trees, used) = tree(&text[at + prefix.len()..]);
                for mut path in trees {
                    path.insert(0, head.clone());
                    found.push(path);
                }
                at += prefix.len() + used.max(1);
            }
            _ => at += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    found
}

/// A path or `use` tree read from the start of `text`: the paths it names, and how many bytes it
/// took.
fn tree(text: &str) -> (Vec<Vec<String>>, usize) {
    let mut segments = Vec::new();
    let mut at = 0;
    loop {
        let rest = &text[at..];
        if let Some(inner) = rest.strip_prefix('{') {
            // A group: trees separated by commas, up to the matching brace.
            let mut depth = 1;
            let mut end = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            let group = &inner[..end];
            let mut paths = Vec::new();
            let mut item_depth = 0;
            let mut item_start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => item_depth += 1,
                    '}' => item_depth -= 1,
                    ',' if item_depth == 0 => {
                        paths.extend(grouped(&segments, &group[item_start..i]));
                        item_start = i + 1;
                    }
                    _ => {}
                }
            }
            paths.extend(grouped(&segments, &group[item_start..]));
            return (paths, at + end + 2);
        }
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            return (vec![segments], at);
        }
        at += ident.len();
        segments.push(ident);
        if text[at..].starts_with("::") {
            at += 2;
        } else {
            return (vec![segments], at);
        }
    }
}

fn grouped(prefix: &[String], item: &str) -> Vec<Vec<String>> {
    let item = item.trim();
    let item = item.split(" as ").next().unwrap_or(item).trim();
    if item.is_empty() {
        return Vec::new();
    }
    if item == "self" {
        return vec![prefix.to_vec()];
    }
    let (paths, _) = tree(item);
    paths
        .into_iter()
        .map(|tail| prefix.iter().cloned().chain(tail).collect())
        .collect()
}

impl Sources {
    fn read(src: &Path) -> Self {
        let mut files = Vec::new();
        rust_files(src, &mut files);
        let mut modules = BTreeMap::new();
        let mut exports: BTreeMap<Module, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for file in files {
            let module = module_of(src, &file);
            let text = clean(&std::fs::read_to_string(&file).unwrap());
            // Re-exports (`pub use`, `pub(crate) use`) say where a name lives; they are not
            // uses of their own.
            let mut kept = String::new();
            for statement in text.split_inclusive(';') {
                let trimmed = statement.trim_start();
                let reexport = trimmed
                    .strip_prefix("pub use ")
                    .or_else(|| trimmed.strip_prefix("pub(crate) use "));
                match reexport {
                    Some(tree_text) => {
                        let (paths, _) = tree(tree_text.trim_end_matches(';'));
                        for path in paths {
                            if let Some(name) = path.last() {
                                exports
                                    .entry(module.clone())
                                    .or_default()
                                    .insert(name.clone(), path[..path.len() - 1].to_vec());
                            }
                        }
                    }
                    None => kept.push_str(statement),
                }
            }
            modules.insert(module, kept);
        }
        Self { modules, exports }
    }

    /// The module that defines what `path` names, seen from `from`.
    fn resolve(&self, from: &Module, path: &[String], hops: usize) -> Option<Module> {
        let mut at: Module = match path.first().map(String::as_str) {
            Some("crate") => Vec::new(),
            Some("super") => from[..from.len().saturating_sub(1)].to_vec(),
            Some("self") => from.clone(),
            _ => return None,
        };
        let mut rest = &path[1..];
        while rest.first().is_some_and(|s| s == "super") {
            at.pop();
            rest = &rest[1..];
        }
        for segment in rest {
            let mut child = at.clone();
            child.push(segment.clone());
            if self.modules.contains_key(&child) {
                at = child;
                continue;
            }
            let source = self.exports.get(&at).and_then(|e| e.get(segment));
            if let Some(source) = source.filter(|_| hops < 8) {
                let mut target = source.clone();
                target.push(segment.clone());
                let relative = matches!(
                    target.first().map(String::as_str),
                    Some("crate" | "super" | "self")
                );
                if !relative {
                    // `pub use child::Name` names a child module of `at`; a path into
                    // another crate ends here.
                    let mut child = at.clone();
                    child.push(target[0].clone());
                    if !self.modules.contains_key(&child) {
                        return Some(at);
                    }
                    target.insert(0, "self".to_owned());
                }
                return self.resolve(&at, &target, hops + 1).or(Some(at));
            }
            break;
        }
        Some(at)
    }

    /// Which modules each module uses.
    fn uses(&self) -> BTreeMap<Module, BTreeSet<Module>> {
        let mut uses: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (module, text) in &self.modules {
            for path in paths(text) {
                let Some(target) = self.resolve(module, &path, 0) else {
                    continue;
                };
                // A module naming its own children (or itself) is not a use.
                if target.starts_with(module) {
                    continue;
                }
                uses.entry(module.clone()).or_default().insert(target);
            }
        }
        uses
    }
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "the crate root".to_owned()
    } else {
        module.join("/")
    }
}

/// A loop among `uses`, if there is one.
fn a_loop(uses: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    fn visit(
        at: &Module,
        uses: &BTreeMap<Module, BTreeSet<Module>>,
        done: &mut BTreeSet<Module>,
        trail: &mut Vec<Module>,
    ) -> Option<Vec<Module>> {
        if let Some(start) = trail.iter().position(|m| m == at) {
            let mut found = trail[start..].to_vec();
            found.push(at.clone());
            return Some(found);
        }
        if done.contains(at) {
            return None;
        }
        trail.push(at.clone());
        for next in uses.get(at).into_iter().flatten() {
            if let Some(found) = visit(next, uses, done, trail) {
                return Some(found);
            }
        }
        trail.pop();
        done.insert(at.clone());
        None
    }
    let mut done = BTreeSet::new();
    for module in uses.keys() {
        if let Some(found) = visit(module, uses, &mut done, &mut Vec::new()) {
            return Some(found);
        }
    }
    None
}

/// Every use in the crate at `src` goes down `order` (or stays within one top-level module), and
/// no files depend on each other round a loop.
fn check(crate_name: &str, src: &str, order: &[&str]) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(src);
    let sources = Sources::read(&src);
    let uses = sources.uses();
    assert!(
        !uses.is_empty(),
        "{crate_name}: no uses found in {}",
        src.display()
    );
    for module in sources.modules.keys() {
        if let Some(top) = module.first() {
            assert!(
                order.contains(&top.as_str()),
                "{crate_name}: module {top} is not placed in the layer order of tests/repository/layers.rs"
            );
        }
    }
    let rank = |module: &Module| {
        module
            .first()
            .and_then(|top| order.iter().position(|o| o == top))
            .unwrap_or(usize::MAX)
    };
    for (from, targets) in &uses {
        for to in targets {
            if from.is_empty() || from.first() == to.first() {
                continue;
            }
            assert!(
                rank(to) < rank(from),
                "{crate_name}: {} uses {}, which stands above it",
                name(from),
                name(to)
            );
        }
    }
    if let Some(found) = a_loop(&uses) {
        let shown: Vec<String> = found.iter().map(name).collect();
        panic!("{crate_name}: an import loop: {}", shown.join(" -> "));
    }
}

#[test]
fn the_library_stands_in_layers_without_loops() {
    check("celldose", "src", LIBRARY);
}

#[test]
fn the_command_line_stands_in_layers_without_loops() {
    check("celldose-cli", "../celldose-cli/src", CLI);
}

#[test]
fn the_page_stands_in_layers_without_loops() {
    check("celldose-web", "../celldose-web/src", WEB);
}

#[test]
fn the_check_finds_a_use_through_a_reexport_and_a_loop() {
    let text =
        "use super::{Calculation, finding::Severity};\nfn f() { crate::units::Percent::new(); }";
    let found = paths(text);
    assert_eq!(
        found,
        vec![
            vec!["super", "Calculation"],
            vec!["super", "finding", "Severity"],
            vec!["crate", "units", "Percent", "new"],
        ]
    );
    let one = |s: &str| vec![s.to_owned()];
    let mut uses = BTreeMap::new();
    uses.insert(one("a"), BTreeSet::from([one("b")]));
    uses.insert(one("b"), BTreeSet::from([one("c")]));
    uses.insert(one("c"), BTreeSet::from([one("a")]));
    assert_eq!(a_loop(&uses).map(|l| l.len()), Some(4));
    uses.insert(one("c"), BTreeSet::new());
    assert_eq!(a_loop(&uses), None);
    assert_eq!(
        clean(
            "let a = 1; // crate::x\n#[cfg(test)]\nmod tests {\n    use crate::y;\n}\nfn b() {}\n"
        ),
        "let a = 1; \nfn b() {}\n"
    );
}
