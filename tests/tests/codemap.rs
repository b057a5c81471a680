//! ARCHITECTURE.md's codemap is checked, not trusted: every workspace package has a row, and
//! depends (normal and build dependencies) only on what its row's last column allows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The text between backticks, in order.
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The codemap's rows: package name → the crates it may depend on.
fn allowed_by_the_codemap(architecture: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut rows = BTreeMap::new();
    for line in architecture.lines().filter(|line| line.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        assert_eq!(cells.len(), 4, "a codemap row has four columns: {line}");
        let Some(package) = quoted(cells[1]).first().copied() else {
            continue; // a folder that is no package
        };
        let allowed = quoted(cells[3]).into_iter().map(String::from).collect();
        assert!(
            rows.insert(package.to_string(), allowed).is_none(),
            "{package} has two rows"
        );
    }
    rows
}

/// The workspace's member folders, from the root manifest's `members = [..]`.
fn members(manifest: &str) -> Vec<String> {
    let start = manifest.find("members = [").expect("a members list") + "members = [".len();
    let end = start + manifest[start..].find(']').expect("the list ends");
    quoted(&manifest[start..end].replace('"', "`"))
        .into_iter()
        .map(String::from)
        .collect()
}

/// A package's name and its normal, build and target-specific (not dev) dependencies.
fn package(manifest: &str) -> (String, BTreeSet<String>) {
    let (mut name, mut dependencies) = (None, BTreeSet::new());
    let mut section = "";
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line;
            // `[dependencies.name]`: one dependency as a table of its own.
            let header = line.trim_matches(['[', ']']);
            if let Some((kind, name)) = header.rsplit_once('.')
                && (kind == "dependencies" || kind == "build-dependencies")
            {
                dependencies.insert(name.to_string());
            }
            continue;
        }
        let key: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        let rest = line[key.len()..].trim_start();
        if key.is_empty() || !(rest.starts_with('=') || rest.starts_with('.')) {
            continue;
        }
        if section == "[package]" && key == "name" {
            name = Some(quoted(&rest.replace('"', "`"))[0].to_string());
        } else if section.ends_with("dependencies]") && !section.contains("dev-dependencies") {
            dependencies.insert(key);
        }
    }
    (name.expect("a package name"), dependencies)
}

#[test]
fn every_package_depends_only_on_what_its_codemap_row_allows() {
    let root = root();
    let architecture = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let rows = allowed_by_the_codemap(&architecture);
    let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for member in members(&workspace) {
        let manifest = std::fs::read_to_string(root.join(&member).join("Cargo.toml")).unwrap();
        let (name, dependencies) = package(&manifest);
        seen.insert(name.clone());
        let Some(allowed) = rows.get(&name) else {
            problems.push(format!("{name} ({member}) has no row in the codemap"));
            continue;
        };
        for dependency in dependencies.difference(allowed) {
            problems.push(format!(
                "{name} depends on {dependency}, which its codemap row does not allow"
            ));
        }
    }
    for name in rows.keys().filter(|name| !seen.contains(*name)) {
        problems.push(format!("the codemap has a row for {name}, no such package"));
    }
    assert!(
        problems.is_empty(),
        "ARCHITECTURE.md is out of date:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_manifest_reader_sees_every_kind_of_dependency() {
    let manifest = r#"
[package]
name = "demo"
version.workspace = true

[dependencies]
clap = { version = "4", features = ["derive"] }
guestloop = { path = "../core" }
thiserror.workspace = true

[build-dependencies]
cxx-qt-build = "0.10"

[target.'cfg(unix)'.dependencies]
libc = "0.2"

[dependencies.serde]
version = "1"

[dev-dependencies]
insta = "1"
"#;
    let (name, dependencies) = package(manifest);
    assert_eq!(name, "demo");
    let expected = [
        "clap",
        "cxx-qt-build",
        "guestloop",
        "libc",
        "serde",
        "thiserror",
    ];
    assert_eq!(dependencies, expected.map(String::from).into());
}
