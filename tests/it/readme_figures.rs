//! Every figure README.md shows for a built-in run is what a real run
//! prints, so the README cannot go stale silently: the `cablesim run
//! coreu-2018` report block, the figures the prose takes from it, and each
//! `$ cablesim run BUILTIN ...` transcript. (The demo's mitigation table is
//! checked in `tests/it/demo.rs`.) A failure names the README line that
//! differs, what it shows and what the run printed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use crate::support::runs::OncePerKey;

/// One line of a fenced block: its 1-based line number in README.md.
struct Line {
    number: usize,
    text: String,
}

/// The fenced blocks of README.md, each with its info string.
fn fenced_blocks() -> Vec<(String, Vec<Line>)> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut open: Option<(String, Vec<Line>)> = None;
    for (index, text) in readme.lines().enumerate() {
        match (open.take(), text.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_owned(), Vec::new())),
            (Some(block), Some(_)) => blocks.push(block),
            (Some((info, mut lines)), None) => {
                lines.push(Line {
                    number: index + 1,
                    text: text.to_owned(),
                });
                open = Some((info, lines));
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "README.md ends inside a fenced block");
    blocks
}

fn readme_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// Compares README lines with a run's lines, one by one; panics with every
/// line that differs and the whole output, ready to paste into README.md.
#[track_caller]
fn assert_same(command: &str, readme: &[Line], printed: &[String], normalise: fn(&str) -> String) {
    let mut problems = Vec::new();
    for (i, line) in readme.iter().enumerate() {
        match printed.get(i) {
            Some(run) if normalise(run) == normalise(&line.text) => {}
            Some(run) => problems.push(format!(
                "README.md:{} differs from `{command}`:\n  README shows:    {:?}\n  the run printed: {:?}",
                line.number, line.text, run
            )),
            None => problems.push(format!(
                "README.md:{} shows {:?}, but `{command}` printed only {} lines",
                line.number,
                line.text,
                printed.len()
            )),
        }
    }
    for extra in printed.iter().skip(readme.len()) {
        let after = readme.last().map_or(0, |l| l.number);
        problems.push(format!(
            "`{command}` printed {extra:?}, which README.md does not show (after line {after})"
        ));
    }
    assert!(
        problems.is_empty(),
        "{}\n\n`{command}` printed:\n{}",
        problems.join("\n"),
        printed.join("\n")
    );
}

fn unchanged(line: &str) -> String {
    line.to_owned()
}

/// Runs of the program made for README's figures, once per command line,
/// in one directory (`--report`, `--pcap` write there): the report block
/// and the `--report` transcript are one run, of a full-size COREU.
static RUNS: OncePerKey<Vec<String>, Output> = OncePerKey::new();

/// The output of `cablesim ARGS`, made once by the first test that asks.
fn cablesim(args: &[&str]) -> Arc<Output> {
    let key: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    RUNS.get(&key, || {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("readme-transcripts");
        std::fs::create_dir_all(&dir).unwrap();
        Command::new(env!("CARGO_BIN_EXE_cablesim"))
            .args(args)
            .current_dir(dir)
            .env_remove("RUST_LOG")
            .env_remove("CLICOLOR_FORCE")
            .output()
            .unwrap()
    })
}

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes).lines().map(str::to_owned).collect()
}

#[test]
fn the_run_coreu_2018_report_in_readme_is_what_the_run_prints() {
    let blocks = fenced_blocks();
    let shown: Vec<&Vec<Line>> = blocks
        .iter()
        .filter(|(info, lines)| {
            info == "text"
                && lines
                    .first()
                    .is_some_and(|l| l.text.starts_with("scenario coreu-2018 "))
        })
        .map(|(_, lines)| lines)
        .collect();
    assert_eq!(
        shown.len(),
        1,
        "README.md shows the `cablesim run coreu-2018` report once"
    );
    // As README's `--report` transcript runs it (stdout is the report's
    // either way), so that both are one run.
    let out = cablesim(&["run", "coreu-2018", "--report", "coreu.html"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = lines(&out.stdout);
    assert_same("cablesim run coreu-2018", shown[0], &printed, unchanged);

    // The prose after the mitigation table takes its figures from this run.
    let cables = printed
        .iter()
        .find_map(|l| l.strip_prefix("cables: "))
        .expect("a cables line");
    let words: Vec<&str> = cables.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let (total, sent) = (words[0], words[2]);
    assert_eq!((words[1], words[3]), ("total", "sent"), "{cables}");
    let sentence = format!("{sent} of its {total} generated cables");
    let prose = readme_text().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        prose.contains(&sentence),
        "README.md should say \"{sentence}\" as `cablesim run coreu-2018` prints: {cables}"
    );
}

/// A TCP capture's packet count depends on how the kernel segmented the
/// stream, which differs from run to run; every other figure is exact.
fn packets_vary(line: &str) -> String {
    match line.split_once(" packets in ") {
        Some((head, tail)) => match head.rsplit_once(' ') {
            Some((before, count)) if count.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{before} N packets in {tail}")
            }
            _ => line.to_owned(),
        },
        None => line.to_owned(),
    }
}

#[test]
fn every_readme_transcript_of_a_built_in_run_is_what_the_run_prints() {
    let builtins: Vec<&str> = cablesim::scenario::BUILTIN.iter().map(|b| b.name).collect();
    let mut checked = 0;
    for (_, block) in fenced_blocks() {
        // `$ cablesim run BUILTIN ...` and the lines up to the next `$`.
        let mut rest: &[Line] = &block;
        while let Some(start) = rest.iter().position(|l| l.text.starts_with("$ cablesim run ")) {
            let command = &rest[start];
            let end = rest[start + 1..]
                .iter()
                .position(|l| l.text.starts_with("$ "))
                .map_or(rest.len(), |i| start + 1 + i);
            let shown = &rest[start + 1..end];
            rest = &rest[end..];
            let words: Vec<&str> = command.text["$ cablesim ".len()..].split_whitespace().collect();
            if !builtins.contains(&words[1]) {
                continue;
            }
            let quiet = words.contains(&">/dev/null");
            let args: Vec<&str> = words.iter().copied().filter(|w| *w != ">/dev/null").collect();
            assert!(
                args.iter().all(|w| !w.contains(['>', '|', '<', '\'', '"'])),
                "README.md:{}: a transcript this test cannot run: {}",
                command.number,
                command.text
            );
            let out = cablesim(&args);
            let mut printed = if quiet { Vec::new() } else { lines(&out.stdout) };
            printed.extend(lines(&out.stderr));
            assert_same(&command.text[2..], shown, &printed, packets_vary);
            checked += 1;
        }
    }
    // Two bad inputs, the HTML report and the capture: a README that loses
    // a transcript has to say so here.
    assert_eq!(
        checked, 4,
        "transcripts of built-in runs checked in README.md: update this count when README.md gains or loses one"
    );
}
