//! ARCHITECTURE.md cannot rot silently: every file and directory it names
//! under `src/`, `tests/` and `examples/` exists; its headings and rules 1
//! to 9 are there, in order; and every section or rule that a comment or a
//! document of the repository points at in it — `ARCHITECTURE.md, rule 3`,
//! `ARCHITECTURE.md, "The layers"`, `see "Durability" in ARCHITECTURE.md` —
//! is one it has.

use std::path::{Path, PathBuf};

/// The sections comments point at, in the order the document has them.
const HEADINGS: [&str; 11] = [
    "## The world",
    "## Security options",
    "### The envelope",
    "## Adversaries",
    "## The rules a run must produce",
    "### Keys an actor holds",
    "## The layers",
    "## The path of one cable",
    "## Determinism",
    "## Bad input",
    "## Durability",
];

/// The last section; kept apart so the list above reads as the document.
const LAST_HEADING: &str = "## Where to add";

/// The repository paths `text` names: words starting `src/`, `tests/` or
/// `examples/` (not inside a longer path such as `fuzz/src/`), with
/// trailing sentence punctuation dropped. Each comes once, in order.
fn named_paths(text: &str) -> Vec<String> {
    let path_char = |c: char| c.is_ascii_alphanumeric() || "_./*-".contains(c);
    let mut found: Vec<String> = Vec::new();
    for (at, _) in text.char_indices() {
        let rest = &text[at..];
        if !["src/", "tests/", "examples/"]
            .iter()
            .any(|root| rest.starts_with(root))
        {
            continue;
        }
        if text[..at].chars().next_back().is_some_and(path_char) {
            continue;
        }
        let end = rest.find(|c: char| !path_char(c)).unwrap_or(rest.len());
        let path = rest[..end].trim_end_matches(['.', ',']).to_owned();
        if !found.contains(&path) {
            found.push(path);
        }
    }
    found
}

/// Why `path` does not name something in the repository at `root`, if it
/// does not. A last segment with a placeholder in capitals
/// (`src/adversary/KIND.rs`) needs only its directory; one with `*`
/// (`tests/it/threat_*.rs`) needs a match.
fn missing(root: &Path, path: &str) -> Option<String> {
    let (dir, last) = path.trim_end_matches('/').rsplit_once('/')?;
    let placeholder = last.split(|c: char| !c.is_ascii_uppercase()).any(|run| run.len() >= 3);
    if placeholder {
        return (!root.join(dir).is_dir()).then(|| format!("{path}: no directory {dir}"));
    }
    if let Some((prefix, suffix)) = last.split_once('*') {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            return Some(format!("{path}: no directory {dir}"));
        };
        let matches = entries.flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(prefix) && name.ends_with(suffix)
        });
        return (!matches).then(|| format!("{path}: nothing matches"));
    }
    (!root.join(path).exists()).then(|| format!("{path}: no such file or directory"))
}

fn document() -> (PathBuf, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md at the top level");
    (root, text)
}

#[test]
fn every_path_the_document_names_exists() {
    let (root, text) = document();
    let paths = named_paths(&text);
    assert!(
        paths.len() > 50,
        "only {} paths found: is the scanner broken?",
        paths.len()
    );
    let problems: Vec<String> = paths.iter().filter_map(|p| missing(&root, p)).collect();
    assert!(problems.is_empty(), "ARCHITECTURE.md names:\n{}", problems.join("\n"));
}

#[test]
fn the_sections_and_rules_comments_point_at_are_there_in_order() {
    let (_, text) = document();
    let lines: Vec<&str> = text.lines().collect();
    let mut after = 0;
    for heading in HEADINGS.iter().chain([&LAST_HEADING]) {
        let at = lines
            .iter()
            .position(|line| line == heading)
            .unwrap_or_else(|| panic!("no heading {heading:?}"));
        assert!(at >= after, "{heading:?} is out of order");
        after = at;
    }
    let mut previous = 0;
    for n in 1..=10 {
        let start = format!("**Rule {n} — ");
        let at = lines
            .iter()
            .position(|line| line.starts_with(&start))
            .unwrap_or_else(|| panic!("no paragraph starting {start:?}"));
        assert!(at > previous, "rule {n} is out of order");
        previous = at;
    }
    assert!(!text.contains("**Rule 11"), "the rules are numbered 1 to 10");
}

#[test]
fn the_document_points_nowhere_outside_the_repository() {
    let (_, text) = document();
    for (n, line) in text.lines().enumerate() {
        for word in ["DESIGN", "§", "http://", "https://", "../"] {
            assert!(!line.contains(word), "line {}: {word:?} in {line:?}", n + 1);
        }
    }
}

#[test]
fn the_scanner_finds_paths_and_the_check_catches_what_is_missing() {
    let sample = "See `src/lib.rs`, then src/model/ and tests/it/threat_*.rs. \
                  Add `src/adversary/KIND.rs`; fuzz/src/harness.rs is another root's. \
                  examples/nowhere.rs, src/lib.rs again, tests/it/threat_none_*.rs";
    let paths = named_paths(sample);
    assert_eq!(
        paths,
        [
            "src/lib.rs",
            "src/model/",
            "tests/it/threat_*.rs",
            "src/adversary/KIND.rs",
            "examples/nowhere.rs",
            "tests/it/threat_none_*.rs",
        ]
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let problems: Vec<String> = paths.iter().filter_map(|p| missing(root, p)).collect();
    assert_eq!(
        problems,
        [
            "examples/nowhere.rs: no such file or directory",
            "tests/it/threat_none_*.rs: nothing matches",
        ]
    );
    assert_eq!(
        missing(root, "src/nowhere/KIND.rs").as_deref(),
        Some("src/nowhere/KIND.rs: no directory src/nowhere")
    );
}

/// What a text points at in ARCHITECTURE.md.
#[derive(Debug, PartialEq, Eq)]
enum Pointer {
    /// `ARCHITECTURE.md, "NAME"` or `"NAME" in ARCHITECTURE.md`.
    Section(String),
    /// `ARCHITECTURE.md, rule N`.
    Rule(String),
}

/// The pointers into ARCHITECTURE.md in `text`, read across the line
/// breaks of a wrapped comment.
fn pointers(text: &str) -> Vec<Pointer> {
    let flat: Vec<&str> = text
        .lines()
        .map(|line| {
            let line = line.trim_start();
            ["//!", "///", "//", "--", "#"]
                .iter()
                .find_map(|marker| line.strip_prefix(marker))
                .unwrap_or(line)
                .trim()
        })
        .collect();
    let flat = flat.join(" ");
    let mut found = Vec::new();
    for (at, _) in flat.match_indices("ARCHITECTURE.md, ") {
        let rest = &flat[at + "ARCHITECTURE.md, ".len()..];
        if let Some(quoted) = rest.strip_prefix('"') {
            let name = quoted.split('"').next().unwrap_or_default();
            found.push(Pointer::Section(name.to_owned()));
        } else if let Some(number) = rest.strip_prefix("rule ") {
            let digits: String = number.chars().take_while(char::is_ascii_alphanumeric).collect();
            found.push(Pointer::Rule(digits));
        }
    }
    for (at, _) in flat.match_indices("\" in ARCHITECTURE.md") {
        let before = &flat[..at];
        let name = before.rsplit('"').next().unwrap_or_default();
        found.push(Pointer::Section(name.to_owned()));
    }
    found
}

/// Whether ARCHITECTURE.md, as `text`, has what `pointer` points at.
fn resolves(text: &str, pointer: &Pointer) -> bool {
    match pointer {
        Pointer::Section(name) => text
            .lines()
            .any(|line| line.strip_prefix("## ").or_else(|| line.strip_prefix("### ")) == Some(name)),
        Pointer::Rule(n) => text.lines().any(|line| line.starts_with(&format!("**Rule {n} — "))),
    }
}

/// The text files of the repository that may point at ARCHITECTURE.md.
fn text_files(root: &Path) -> Vec<PathBuf> {
    let mut out = vec![
        root.join("README.md"),
        root.join("SECURITY.md"),
        root.join("Cargo.toml"),
    ];
    let mut dirs: Vec<PathBuf> = [
        "src",
        "tests",
        "benches",
        "examples",
        "fuzz/src",
        "fuzz/fuzz_targets",
        ".ci",
    ]
    .iter()
    .map(|d| root.join(d))
    .collect();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ["rs", "md", "toml", "lua", "j2"].contains(&e))
                || dir.ends_with(".ci")
            {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn every_pointer_into_the_document_finds_its_section_or_rule() {
    let (root, text) = document();
    let mut problems = Vec::new();
    let mut seen = 0;
    // This file's samples are wrong on purpose.
    for file in text_files(&root).into_iter().filter(|f| !f.ends_with(file!())) {
        let Ok(content) = std::fs::read_to_string(&file) else {
            continue;
        };
        for pointer in pointers(&content) {
            seen += 1;
            if !resolves(&text, &pointer) {
                let name = file.strip_prefix(&root).unwrap_or(&file).display().to_string();
                problems.push(format!("{name}: {pointer:?}"));
            }
        }
    }
    assert!(seen > 20, "only {seen} pointers found: is the scanner broken?");
    assert!(
        problems.is_empty(),
        "pointers ARCHITECTURE.md cannot answer:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_pointer_scanner_reads_wrapped_comments_and_catches_a_wrong_name() {
    let sample = "//! Leaks are measured (ARCHITECTURE.md,\n\
                  //! \"The rules a run must produce\"; ARCHITECTURE.md, rule 3;\n\
                  /// see \"Durability\" in ARCHITECTURE.md; ARCHITECTURE.md, rule 11;\n\
                  # ARCHITECTURE.md, \"Persistence\" and ARCHITECTURE.md alone.";
    let found = pointers(sample);
    assert_eq!(
        found,
        [
            Pointer::Section("The rules a run must produce".into()),
            Pointer::Rule("3".into()),
            Pointer::Rule("11".into()),
            Pointer::Section("Persistence".into()),
            Pointer::Section("Durability".into()),
        ]
    );
    let (_, text) = document();
    let unanswered: Vec<&Pointer> = found.iter().filter(|p| !resolves(&text, p)).collect();
    assert_eq!(
        unanswered,
        [&Pointer::Rule("11".into()), &Pointer::Section("Persistence".into())]
    );
}
