//! The report files of `cablesim run --report FILE` (README.md, "Report
//! files"): JSON for programs, Markdown for a wiki or a ticket, and one
//! self-contained HTML page for a trainer. The HTML and Markdown come from
//! minijinja templates in `templates/`, embedded in the binary so that a report
//! can be written anywhere, offline.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior, Value};

use super::RunReport;
use super::view::View;

/// The formats of `--report`, told apart by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// `.html`, `.htm`: one page with the map, the timeline and the tables.
    Html,
    /// `.md`, `.markdown`: the summary and the tables.
    Markdown,
    /// `.json`: the report itself, as `--format json` prints it.
    Json,
}

/// The file's extension names no report format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--report {}: unknown report format (use a file name ending in .html, .md or .json)", path.display())]
pub struct UnknownReportFormat {
    /// The file asked for.
    pub path: PathBuf,
}

/// A report could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// A template failed: a bug in the embedded templates, never in the
    /// report, since every value the templates read is computed for them.
    #[error("report template: {0:#}")]
    Template(#[from] minijinja::Error),
    /// The report could not be serialized.
    #[error("report as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl ReportFormat {
    /// The format a file name asks for, by its extension (any case).
    pub fn from_path(path: &Path) -> Result<ReportFormat, UnknownReportFormat> {
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("html" | "htm") => Ok(ReportFormat::Html),
            Some("md" | "markdown") => Ok(ReportFormat::Markdown),
            Some("json") => Ok(ReportFormat::Json),
            _ => Err(UnknownReportFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    /// The report in this format.
    pub fn render(self, report: &RunReport) -> Result<String, RenderError> {
        match self {
            ReportFormat::Html => render_html(report),
            ReportFormat::Markdown => render_markdown(report),
            ReportFormat::Json => render_json(report),
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReportFormat::Html => "html",
            ReportFormat::Markdown => "markdown",
            ReportFormat::Json => "json",
        })
    }
}

const HTML_TEMPLATE: &str = "report.html.j2";
const MARKDOWN_TEMPLATE: &str = "report.md.j2";
const LIVE_TEMPLATE: &str = "live.html.j2";

/// One self-contained HTML page: inline CSS and SVG, no script, and no
/// reference to anything outside the file, so it opens offline, from an
/// e-mail attachment or a USB stick. Every value is HTML-escaped (the
/// template's name ends in `.html.j2`, which turns minijinja's
/// autoescaping on).
pub fn render_html(report: &RunReport) -> Result<String, RenderError> {
    render_template(HTML_TEMPLATE, report)
}

/// A Markdown document: the summary, each actor's leaks by
/// classification, the adversaries, the alarms and the leaked cables.
pub fn render_markdown(report: &RunReport) -> Result<String, RenderError> {
    render_template(MARKDOWN_TEMPLATE, report)
}

/// The report as pretty JSON, ending in a newline: the shape README.md
/// describes under "Report files".
pub fn render_json(report: &RunReport) -> Result<String, RenderError> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}

fn render_template(name: &str, report: &RunReport) -> Result<String, RenderError> {
    let env = environment()?;
    let view = to_value(serde_json::to_value(View::new(report))?);
    Ok(env.get_template(name)?.render(view)?)
}

/// The live page of `--web`: the report's map and style, drawn for
/// `report` (the network and its adversaries, before anything is
/// measured), and the script that fills the page in from the server's
/// events. `context` adds the page's own values (its title, the event
/// stream's address) to the report's view.
pub fn render_live_page(report: &RunReport, context: &serde_json::Value) -> Result<String, RenderError> {
    let env = environment()?;
    let mut view = serde_json::to_value(View::new(report))?;
    if let (Some(view), Some(extra)) = (view.as_object_mut(), context.as_object()) {
        view.extend(extra.clone());
    }
    if let Some(view) = view.as_object_mut() {
        view.insert("script".into(), serde_json::Value::from(LIVE_SCRIPT));
    }
    Ok(env.get_template(LIVE_TEMPLATE)?.render(to_value(view))?)
}

/// The live page's script: plain JavaScript, no library, inlined into the
/// page so that it works offline.
const LIVE_SCRIPT: &str = include_str!("templates/live.js");

fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    // A misspelt variable is an error rather than an empty cell, so the
    // tests catch it.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Block tags on lines of their own leave no blank lines behind, which
    // Markdown tables need.
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    env.add_filter("md", markdown_cell);
    env.add_template("style.css.j2", include_str!("templates/style.css.j2"))?;
    env.add_template("map.svg.j2", include_str!("templates/map.svg.j2"))?;
    env.add_template(HTML_TEMPLATE, include_str!("templates/report.html.j2"))?;
    env.add_template(LIVE_TEMPLATE, include_str!("templates/live.html.j2"))?;
    env.add_template(MARKDOWN_TEMPLATE, include_str!("templates/report.md.j2"))?;
    Ok(env)
}

/// Text made safe for a Markdown table cell: a `|` would end the cell, a
/// line break the row, `<` could open raw HTML in a renderer, and `*` or
/// a backquote would start emphasis or code.
fn markdown_cell(value: Value) -> String {
    let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '<' | '*' | '`' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// minijinja is built without its serde support, so the view crosses over
/// as JSON: the same shape a serde bridge would give.
fn to_value(json: serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(b) => Value::from(b),
        serde_json::Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Value::from(u),
            (None, Some(i)) => Value::from(i),
            _ => Value::from(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::from(s),
        serde_json::Value::Array(items) => Value::from(items.into_iter().map(to_value).collect::<Vec<Value>>()),
        serde_json::Value::Object(fields) => Value::from(
            fields
                .into_iter()
                .map(|(k, v)| (k, to_value(v)))
                .collect::<BTreeMap<String, Value>>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_picks_the_format() {
        let format = |name: &str| ReportFormat::from_path(Path::new(name));
        assert_eq!(format("out/run.html"), Ok(ReportFormat::Html));
        assert_eq!(format("RUN.HTM"), Ok(ReportFormat::Html));
        assert_eq!(format("run.md"), Ok(ReportFormat::Markdown));
        assert_eq!(format("run.json"), Ok(ReportFormat::Json));
    }

    #[test]
    fn fail_an_unknown_or_missing_extension() {
        for name in ["run.pdf", "run", "run.html.gz", ".html"] {
            let err = ReportFormat::from_path(Path::new(name)).unwrap_err();
            assert!(err.to_string().contains(".html, .md or .json"), "{err}");
        }
    }

    #[test]
    fn markdown_cells_cannot_break_a_table() {
        assert_eq!(markdown_cell(Value::from("a|b\n<c>")), "a\\|b \\<c>");
    }
}
