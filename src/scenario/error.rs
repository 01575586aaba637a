//! The one error a scenario can fail with: where, and why.

use std::ops::Range;

/// A scenario file, a built-in name or a `--set` assignment that cannot be
/// used, with the place to fix it.
///
/// One struct rather than an enum: every caller does the same thing with it —
/// print it and exit 2 (ARCHITECTURE.md, "Bad input") — and the reason always
/// names the field or value at fault, so a variant per rule would add nothing a
/// user sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
#[non_exhaustive]
pub struct ScenarioError {
    /// The scenario's source: a file path, `builtin:NAME`, or `--set`.
    pub file: String,
    /// 1-based line of the offending table, key or value, when it has one.
    pub line: Option<usize>,
    /// What is wrong, naming the field or value at fault.
    pub reason: String,
}

impl ScenarioError {
    /// An error at `line` of `file` (no line: the whole file, or a value
    /// that did not come from a file).
    pub fn new(file: impl Into<String>, line: Option<usize>, reason: impl Into<String>) -> Self {
        ScenarioError {
            file: file.into(),
            line,
            reason: reason.into(),
        }
    }

    /// An error located by a byte span of `text`, the file's contents.
    pub(super) fn at_span(file: &str, text: &str, span: Option<Range<usize>>, reason: impl Into<String>) -> Self {
        ScenarioError::new(file, span.map(|s| line_of(text, s.start)), reason)
    }

    fn render(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}: {}", self.file, self.reason),
            None => format!("{}: {}", self.file, self.reason),
        }
    }
}

/// The 1-based line holding byte `offset` of `text`. Counted on bytes so
/// that an offset inside a multi-byte character cannot panic.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_and_line() {
        let e = ScenarioError::new("tiny.toml", Some(4), "unknown field `bogus`");
        assert_eq!(e.to_string(), "tiny.toml:4: unknown field `bogus`");
        let e = ScenarioError::new("--set", None, "unknown field \"x\"");
        assert_eq!(e.to_string(), "--set: unknown field \"x\"");
    }

    #[test]
    fn lines_count_from_one() {
        let text = "a\nbé\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 1), 1);
        assert_eq!(line_of(text, 2), 2);
        // Inside the two bytes of 'é', and past the end: no panic.
        assert_eq!(line_of(text, 4), 2);
        assert_eq!(line_of(text, 99), 3);
    }
}
