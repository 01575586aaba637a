//! The layers of ARCHITECTURE.md ("The layers") hold in the code: every
//! module of the library names only the modules below it, and the sans-IO
//! core (`model`, `crypto`, `wire` and the analyst) names no runtime, no
//! socket, no file and no clock.
//!
//! The check reads the sources as text: a reference is any `crate::NAME`
//! outside a comment, so `use crate::net::Hub;` and an inline
//! `crate::net::Hub::new(..)` both count, and a doc link does not.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module with the modules it may name, lowest layer first.
/// `multiprocess` and `bench` stand side by side on top of `scenario`;
/// `cli` sits on everything.
const LAYERS: [(&str, &[&str]); 11] = [
    ("model", &[]),
    ("crypto", &["model"]),
    ("wire", &["model", "crypto"]),
    ("net", &["model", "crypto", "wire"]),
    ("adversary", &["model", "crypto", "wire", "net"]),
    ("report", &["model", "crypto", "wire", "net", "adversary"]),
    ("scenario", &["model", "crypto", "wire", "net", "adversary", "report"]),
    (
        "multiprocess",
        &["model", "crypto", "wire", "net", "adversary", "report", "scenario"],
    ),
    (
        "bench",
        &["model", "crypto", "wire", "net", "adversary", "report", "scenario"],
    ),
    (
        "web",
        &[
            "model",
            "crypto",
            "wire",
            "net",
            "adversary",
            "report",
            "scenario",
            "multiprocess",
        ],
    ),
    (
        "cli",
        &[
            "model",
            "crypto",
            "wire",
            "net",
            "adversary",
            "report",
            "scenario",
            "multiprocess",
            "bench",
            "web",
        ],
    ),
];

/// Where the sans-IO core lives, and what it must never name.
const SANS_IO: [&str; 8] = [
    "src/model",
    "src/crypto",
    "src/wire",
    "src/adversary/analyst.rs",
    "src/adversary/analyst",
    "src/adversary/tls_records.rs",
    "src/adversary/tls_sessions.rs",
    "src/adversary/tls_sessions",
];
const IO_NAMES: [&str; 6] = ["tokio", "std::net", "std::fs", "SystemTime", "Instant::now", "rusqlite"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file of a module: `src/NAME.rs` and everything under `src/NAME/`.
fn module_files(module: &str) -> Vec<PathBuf> {
    let src = root().join("src");
    let mut files = Vec::new();
    let single = src.join(format!("{module}.rs"));
    if single.is_file() {
        files.push(single);
    }
    collect(&src.join(module), &mut files);
    files
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_file() {
        if path.extension().is_some_and(|e| e == "rs") {
            files.push(path.to_path_buf());
        }
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else { return };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.expect("directory entry").path()).collect();
    entries.sort();
    for entry in entries {
        collect(&entry, files);
    }
}

/// The code of a line, without its `//` comment (doc comments included).
fn code_of(line: &str) -> &str {
    match line.find("//") {
        Some(at) => &line[..at],
        None => line,
    }
}

/// The top-level modules a piece of source names as `crate::NAME`.
fn named_modules(source: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in source.lines() {
        let code = code_of(line);
        for (at, _) in code.match_indices("crate::") {
            let rest = &code[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

/// Lines of a piece of source that name an I/O facility, as `(line, name)`.
fn io_mentions(source: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (number, line) in source.lines().enumerate() {
        let code = code_of(line);
        for name in IO_NAMES {
            if code.contains(name) {
                found.push((number + 1, name));
            }
        }
    }
    found
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

#[test]
fn every_module_names_only_the_layers_below_it() {
    let mut violations = Vec::new();
    for (module, allowed) in LAYERS {
        let files = module_files(module);
        assert!(!files.is_empty(), "module {module} has no source files: update LAYERS");
        for file in files {
            let source = std::fs::read_to_string(&file).expect("read a source file");
            for name in named_modules(&source) {
                if name != module && !allowed.contains(&name.as_str()) {
                    violations.push(format!("{}: {module} names crate::{name}", relative(&file)));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports that go up or sideways:\n{}",
        violations.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).expect("read src/lib.rs");
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|line| line.strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';'))
        .collect();
    let layered: BTreeSet<&str> = LAYERS.iter().map(|(module, _)| *module).collect();
    assert_eq!(
        declared, layered,
        "src/lib.rs and LAYERS (and ARCHITECTURE.md) disagree"
    );
}

#[test]
fn the_sans_io_core_names_no_runtime_socket_file_or_clock() {
    let mut violations = Vec::new();
    for part in SANS_IO {
        let path = root().join(part);
        let mut files = Vec::new();
        collect(&path, &mut files);
        assert!(!files.is_empty(), "{part} is gone: update SANS_IO");
        for file in files {
            let source = std::fs::read_to_string(&file).expect("read a source file");
            for (line, name) in io_mentions(&source) {
                violations.push(format!("{}:{line}: {name}", relative(&file)));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "I/O in the sans-IO core:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_scanners_see_code_and_skip_comments() {
    let source = "use crate::net::Hub;\n\
                  /// See [`crate::scenario::Runner`].\n\
                  let x = crate::wire::encode_frame(f); // crate::report\n\
                  let t = tokio::spawn(f); // std::fs in a comment\n";
    let names: Vec<String> = named_modules(source).into_iter().collect();
    assert_eq!(names, ["net", "wire"]);
    assert_eq!(io_mentions(source), vec![(4, "tokio")]);
}
