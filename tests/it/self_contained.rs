//! The repository explains itself: no text file in it points the reader at
//! something the repository does not hold. Comments and docs point to
//! ARCHITECTURE.md, README.md, SECURITY.md or a type; a pointer anywhere else
//! leaves the next maintainer with nothing to open.
//!
//! Every tracked text file is read line by line (`git ls-files`, or a walk of
//! the source directories where git is missing) and a line is reported,
//! as `file:line`, when it
//! - names a Markdown document (`NAME.md`) that is not in the repository;
//! - cites a section sign that is not a standard's section (`RFC 8446 §5.1`,
//!   `pcapng draft §4.7` and `FIPS 203 §7` are fine; a bare `(§6)` is not);
//! - mentions an issue by number: the project speaks only of itself (a full
//!   URL of another project's issue is fine);
//! - names a `../` path that leaves the repository or leads nowhere.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// This file: it holds bad examples on purpose, in the test that proves the
/// checker catches them.
const THIS_FILE: &str = file!();

/// Directories and top-level files read when git cannot list the tracked
/// files (a source tarball, a machine without git).
const WALKED_DIRS: [&str; 7] = ["src", "tests", "benches", "examples", "fuzz", ".ci", "certs"];

/// What lives under `fuzz/` besides the harness: generated inputs and build
/// output, not text anyone reads.
const NOT_SOURCE: [&str; 4] = ["fuzz/corpus/", "fuzz/artifacts/", "fuzz/target/", "fuzz/coverage/"];

/// Words that, a few words before or after a `§`, make it a section of a
/// published standard rather than of a document the repository lacks.
const STANDARDS: [&str; 6] = ["RFC", "draft", "FIPS", "SP", "pcapng", "ISO"];

/// How many words around a `§` may separate it from the standard it cites.
const STANDARD_REACH: usize = 4;

/// One line that points outside the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    file: String,
    line: usize,
    reason: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// Checks the text of `file` (a path relative to the repository root);
/// `exists` says whether a root-relative path is in the repository.
fn check_text(file: &str, text: &str, exists: &dyn Fn(&Path) -> bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = without_urls(raw);
        let mut reasons = Vec::new();
        reasons.extend(missing_documents(file, &line, exists));
        reasons.extend(bare_sections(&line));
        reasons.extend(issue_numbers(&line));
        reasons.extend(paths_outside(file, &line, exists));
        findings.extend(reasons.into_iter().map(|reason| Finding {
            file: file.to_string(),
            line: index + 1,
            reason,
        }));
    }
    findings
}

/// The line with every `http://` and `https://` URL blanked out: a full URL
/// names its own site, so what it contains is not a pointer into this
/// repository.
fn without_urls(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = ["http://", "https://"].iter().filter_map(|s| rest.find(s)).min() {
        out.push_str(&rest[..start]);
        let url = &rest[start..];
        let end = url
            .find(|c: char| c.is_whitespace() || "<>\"'`()[]".contains(c))
            .unwrap_or(url.len());
        out.push_str(&" ".repeat(url[..end].chars().count()));
        rest = &url[end..];
    }
    out.push_str(rest);
    out
}

/// The path-like words of a line: runs of letters, digits and `_ . / -`.
fn path_words(line: &str) -> Vec<(usize, &str)> {
    let is_path = |c: char| c.is_ascii_alphanumeric() || "_./-".contains(c);
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices().chain([(line.len(), ' ')]) {
        match (start, is_path(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                words.push((s, &line[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    words
}

/// `NAME.md` documents the line names that are not in the repository. A
/// name standing alone between double quotes is a file a program writes
/// (`"report.md"`), not a document; a name is looked up from the root and
/// from the file's own directory.
fn missing_documents(file: &str, line: &str, exists: &dyn Fn(&Path) -> bool) -> Vec<String> {
    let mut reasons = Vec::new();
    for (at, word) in path_words(line) {
        let word = word.trim_end_matches('.');
        if !word.ends_with(".md") || word == ".md" {
            continue;
        }
        let quoted = line[..at].ends_with('"') && line[at + word.len()..].starts_with('"');
        if quoted {
            continue;
        }
        let found = if word.starts_with('/') {
            false
        } else {
            [Path::new(""), parent_of(file)]
                .iter()
                .filter_map(|dir| inside(&dir.join(word)))
                .any(|path| exists(&path))
        };
        if !found {
            reasons.push(format!("names {word}, which the repository does not hold"));
        }
    }
    reasons
}

/// `§` section numbers that no standard's name stands near. A `§` with no
/// number after it cites nothing: it is the sign itself being talked about.
fn bare_sections(line: &str) -> Vec<String> {
    let mut reasons = Vec::new();
    for (at, _) in line.match_indices('§') {
        let number: String = line[at + '§'.len_utf8()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || ".-–".contains(*c))
            .collect();
        let number = number.trim_end_matches('.');
        if number.is_empty() {
            continue;
        }
        let before: Vec<&str> = line[..at].split_whitespace().rev().take(STANDARD_REACH).collect();
        let after: Vec<&str> = line[at..].split_whitespace().skip(1).take(STANDARD_REACH).collect();
        let cites_standard = before.iter().chain(&after).any(|word| {
            let word = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            STANDARDS
                .iter()
                .any(|s| word == *s || (word.starts_with(s) && word[s.len()..].bytes().all(|b| b.is_ascii_digit())))
        });
        if !cites_standard {
            reasons.push(format!("cites §{number} of a document the repository does not hold"));
        }
    }
    reasons
}

/// "issue 8", "Issue #12", "issues 3": work items the repository knows
/// nothing of.
fn issue_numbers(line: &str) -> Vec<String> {
    let lower = line.to_ascii_lowercase();
    let mut reasons = Vec::new();
    for (at, _) in lower.match_indices("issue") {
        if lower[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        let rest = lower[at + "issue".len()..]
            .strip_prefix('s')
            .unwrap_or(&lower[at + "issue".len()..]);
        let rest = rest.trim_start_matches(' ').trim_start_matches('#');
        let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !number.is_empty() {
            reasons.push(format!("mentions issue {number}; say what it asked for instead"));
        }
    }
    reasons
}

/// `../` paths that leave the repository, or lead nowhere inside it.
fn paths_outside(file: &str, line: &str, exists: &dyn Fn(&Path) -> bool) -> Vec<String> {
    let mut reasons = Vec::new();
    for (_, word) in path_words(line) {
        if !word.starts_with("../") {
            continue;
        }
        let word = word.trim_end_matches('.');
        match inside(&parent_of(file).join(word)) {
            None => reasons.push(format!("names {word}, outside the repository")),
            Some(path) if !exists(&path) => {
                reasons.push(format!("names {word}, which leads nowhere in the repository"))
            }
            Some(_) => {}
        }
    }
    reasons
}

fn parent_of(file: &str) -> &Path {
    Path::new(file).parent().unwrap_or(Path::new(""))
}

/// `path` (relative to the root) with `.` and `..` resolved, or `None` when
/// it climbs above the root.
fn inside(path: &Path) -> Option<PathBuf> {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's files, relative to the root: what git tracks, or a walk
/// of the source directories and the top-level `*.md` and `*.toml`.
fn repository_files() -> Vec<String> {
    let tracked = Command::new("git")
        .arg("-C")
        .arg(root())
        .args(["ls-files", "-z"])
        .output();
    let mut files: Vec<String> = match tracked {
        Ok(out) if out.status.success() && !out.stdout.is_empty() => String::from_utf8(out.stdout)
            .expect("git prints UTF-8 paths")
            .split('\0')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect(),
        _ => walked_files(),
    };
    files.retain(|f| !NOT_SOURCE.iter().any(|dir| f.starts_with(dir)));
    files
}

fn walked_files() -> Vec<String> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root())
        .expect("the repository root is readable")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_file() && (name.ends_with(".md") || name.ends_with(".toml")) {
            files.push(name);
        }
    }
    let mut pending: Vec<PathBuf> = WALKED_DIRS.iter().map(PathBuf::from).collect();
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(root().join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let relative = entry_path(&dir.join(entry.file_name()));
            if entry.path().is_dir() {
                if !NOT_SOURCE.contains(&format!("{relative}/").as_str()) {
                    pending.push(PathBuf::from(relative));
                }
            } else {
                files.push(relative);
            }
        }
    }
    files
}

/// A walked path as git prints it: `/` between the parts.
fn entry_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[test]
fn no_file_points_outside_the_repository() {
    let files = repository_files();
    assert!(
        files.iter().any(|f| f == "README.md"),
        "the file list misses README.md: {files:?}"
    );
    let known: BTreeSet<PathBuf> = files.iter().map(PathBuf::from).collect();
    let exists = |path: &Path| known.contains(path) || root().join(path).exists();
    let mut findings = Vec::new();
    for file in files.iter().filter(|f| f.as_str() != THIS_FILE) {
        // Binary files (certificates are text; images and corpora are not)
        // hold no pointer a reader follows.
        let Ok(text) = std::fs::read_to_string(root().join(file)) else {
            continue;
        };
        findings.extend(check_text(file, &text, &exists));
    }
    let list: Vec<String> = findings.iter().map(Finding::to_string).collect();
    assert!(
        findings.is_empty(),
        "{} line(s) point outside the repository; point to ARCHITECTURE.md, README.md or SECURITY.md, \
         or say the thing itself:\n{}",
        findings.len(),
        list.join("\n")
    );
}

/// The checker on lines made up for it: one of each kind of bad pointer, and
/// the forms that are allowed next to them.
#[test]
fn the_checker_finds_exactly_the_bad_pointers() {
    let repository = [
        "README.md",
        "ARCHITECTURE.md",
        "SECURITY.md",
        "certs/README.md",
        "src/lib.rs",
    ];
    let exists = |path: &Path| repository.iter().any(|f| Path::new(f) == path);
    let sample = "\
//! The envelope (D3SIGN §4), see (§11b) and §10–11. too.
//! Laid out as in D3SIGN.md, and ../shared/notes.txt says why.
/// Targets of issue 8 and Issue #12; issues 3 are closed.
/// Rules: ARCHITECTURE.md, rule 3; certs/README.md; README.md.
/// Records (RFC 8446 §5.1), RFC 7748 §6.1, pcapng draft, §4.7; FIPS 203 §7.2.
/// §5.2 of RFC 7748 and SP 800-38D §7.
/// Upstream: https://github.com/rustls/rustls/issues/1234 and https://example.org/D3SIGN.md#§3
/// A tissue 5 cm wide is no issue; an issue is not numbered here; nor is \"§\".
let path = \"report.md\"; include_str!(\"../lib.rs\");
/// As /work/shared/D3SIGN.md and ../../../elsewhere say.
"
    // Spelt with a stand-in, so that no scan of this repository takes the
    // sample for a real pointer; the scanner sees the real name.
    .replace("D3SIGN", "DESIGN");
    let findings: Vec<String> = check_text("src/crypto/mod.rs", &sample, &exists)
        .iter()
        .map(Finding::to_string)
        .collect();
    assert_eq!(
        findings,
        [
            "src/crypto/mod.rs:1: cites §4 of a document the repository does not hold",
            "src/crypto/mod.rs:1: cites §11b of a document the repository does not hold",
            "src/crypto/mod.rs:1: cites §10–11 of a document the repository does not hold",
            "src/crypto/mod.rs:2: names \u{44}ESIGN.md, which the repository does not hold",
            "src/crypto/mod.rs:2: names ../shared/notes.txt, which leads nowhere in the repository",
            "src/crypto/mod.rs:3: mentions issue 8; say what it asked for instead",
            "src/crypto/mod.rs:3: mentions issue 12; say what it asked for instead",
            "src/crypto/mod.rs:3: mentions issue 3; say what it asked for instead",
            "src/crypto/mod.rs:10: names /work/shared/\u{44}ESIGN.md, which the repository does not hold",
            "src/crypto/mod.rs:10: names ../../../elsewhere, outside the repository",
        ]
    );
}

#[test]
fn documents_resolve_from_the_root_and_from_the_file() {
    let exists = |path: &Path| path == Path::new("certs/README.md") || path == Path::new("README.md");
    // From certs/, "README.md" is certs/README.md and "../README.md" the top one.
    assert_eq!(
        check_text("certs/gen.sh", "# see README.md and ../README.md\n", &exists),
        []
    );
    // A document in a sibling directory must be named by its path.
    let found = check_text("src/x.rs", "// see NOTES.md\n", &exists);
    assert_eq!(found.iter().map(|f| f.line).collect::<Vec<_>>(), [1]);
}

/// The walk that stands in for git reaches the same kinds of files and
/// leaves out fuzz inputs and build output.
#[test]
fn the_walk_without_git_reaches_the_sources() {
    let walked: BTreeSet<String> = walked_files().into_iter().collect();
    for expected in [
        "README.md",
        "Cargo.toml",
        "src/lib.rs",
        ".ci/run",
        "fuzz/src/harness.rs",
        THIS_FILE,
    ] {
        assert!(walked.contains(expected), "the walk misses {expected}");
    }
    let stray: Vec<&String> = walked
        .iter()
        .filter(|f| f.starts_with("target/") || NOT_SOURCE.iter().any(|dir| f.starts_with(dir)))
        .collect();
    assert!(stray.is_empty(), "the walk reads generated files: {stray:?}");
}
