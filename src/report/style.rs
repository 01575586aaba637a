//! Terminal text for trainers: colour only where it helps and only where it
//! can be seen, paragraphs wrapped for an 80-column terminal.

use std::io::IsTerminal;

/// The width every demo line fits in: a classroom projector's terminal is
/// often no wider than 80 columns.
pub const TERMINAL_WIDTH: usize = 80;

/// What a piece of text means, which decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Ordinary text.
    Plain,
    /// A heading.
    Heading,
    /// A leak: what the attacker holds.
    Bad,
    /// A measure that reduced the leak.
    Good,
    /// Secondary detail.
    Dim,
}

/// Whether to colour text, decided once for the whole output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    colors: bool,
}

impl Palette {
    /// Colours on or off, as given.
    pub fn new(colors: bool) -> Palette {
        Palette { colors }
    }

    /// Colours for standard output unless `no_color` (the `--no-color`
    /// flag) is set, the `NO_COLOR` variable is set and not empty
    /// (no-color.org), `TERM` is `dumb`, or standard output is not a
    /// terminal: escape codes in a file or a pipe are noise.
    pub fn for_stdout(no_color: bool) -> Palette {
        let env_says_no = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
            || std::env::var_os("TERM").is_some_and(|v| v == "dumb");
        Palette::new(!no_color && !env_says_no && std::io::stdout().is_terminal())
    }

    /// Whether colours are on.
    pub fn colors(self) -> bool {
        self.colors
    }

    /// `text` in the colour of `tone`. Callers pad text before painting it,
    /// since escape codes take no columns but count as characters.
    pub fn paint(self, text: &str, tone: Tone) -> String {
        let code = match tone {
            Tone::Plain => return text.to_owned(),
            Tone::Heading => "1",
            Tone::Bad => "31",
            Tone::Good => "32",
            Tone::Dim => "2",
        };
        if self.colors && !text.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// `text` broken into lines of at most `width` characters, each starting
/// with `indent`. Words longer than a line are kept whole rather than cut.
pub fn wrap(text: &str, width: usize, indent: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::from(indent);
    let mut empty = true;
    for word in text.split_whitespace() {
        let needed = usize::from(!empty) + word.chars().count();
        if !empty && line.chars().count() + needed > width {
            lines.push(std::mem::replace(&mut line, String::from(indent)));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    if !empty {
        lines.push(line);
    }
    lines
}

/// A heading, underlined, then its paragraphs, all wrapped to
/// [`TERMINAL_WIDTH`], each paragraph followed by a blank line.
pub fn render_section(title: &str, paragraphs: &[String], palette: Palette) -> String {
    let mut out = String::new();
    let title = wrap(title, TERMINAL_WIDTH, "");
    for line in &title {
        out.push_str(&palette.paint(line, Tone::Heading));
        out.push('\n');
    }
    let width = title.iter().map(|line| line.chars().count()).max().unwrap_or(0);
    out.push_str(&palette.paint(&"─".repeat(width), Tone::Dim));
    out.push('\n');
    for paragraph in paragraphs {
        for line in wrap(paragraph, TERMINAL_WIDTH, "") {
            out.push_str(&line);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_fills_lines_up_to_the_width() {
        assert_eq!(wrap("aaa bbb ccc ddd", 9, "  "), ["  aaa bbb", "  ccc ddd"]);
        assert_eq!(wrap("aaa bbb ccc", 8, ""), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("  ", 8, "  "), Vec::<String>::new());
    }

    #[test]
    fn wrap_keeps_a_long_word_whole() {
        assert_eq!(wrap("a averyverylongword b", 6, ""), ["a", "averyverylongword", "b"]);
    }

    #[test]
    fn no_escape_codes_without_colours() {
        let off = Palette::new(false);
        assert_eq!(off.paint("leak", Tone::Bad), "leak");
        assert!(!render_section("Title", &["text".into()], off).contains('\x1b'));
        assert_eq!(Palette::new(true).paint("leak", Tone::Bad), "\x1b[31mleak\x1b[0m");
    }
}
