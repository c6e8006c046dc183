//! Terminal rendering of diagnostics with miette's graphical report handler.
//!
//! This is the only place that knows miette: the diagnostic data (`icp-base`) carries no
//! rendering. The snapshot tests of `icp-syntax` and `icp-check` (and `icp-check`'s fuzzer)
//! compile this same file through `#[path]`, so that their snapshots show exactly what
//! `icp check` prints; it therefore names only `icp_syntax` re-exports and `miette`.

use std::fmt;

use icp_syntax::{Diagnostic, Severity, Span};

/// Render `diag` (found in the file shown as `path`, whose text is `src`) with miette's
/// graphical handler, 100 columns wide; `color` false gives plain Unicode art (stable for
/// snapshots).
pub fn render(diag: &Diagnostic, path: &str, src: &str, color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    let whole = clamp(diag.span, src.len());
    let secondary: Vec<Span> = diag
        .labels
        .iter()
        .map(|l| clamp(l.span, src.len()))
        .collect();
    let primary = uncovered(src, whole, &secondary);
    let sourced = Sourced {
        diag,
        primary,
        source: miette::NamedSource::new(path, src.to_owned()),
    };
    if handler.render_report(&mut out, &sourced).is_err() {
        return format!("{}: {}: {}", path, diag.severity.as_str(), diag.message);
    }
    if primary.start != whole.start {
        header_at(
            &mut out,
            path,
            src,
            primary.range().start,
            whole.range().start,
        );
    }
    out
}

/// The span clamped to a source of `len` bytes.
fn clamp(s: Span, len: usize) -> Span {
    let start = (s.start as usize).min(len);
    let end = (s.end as usize).min(len).max(start);
    Span::new(start, end)
}

/// Make the snippet header (`╭─[path:line:column]`), which miette takes from the primary
/// label, name the diagnostic's start again when [`uncovered`] moved the label (`drawn`) along
/// the same line. miette counts lines from 1 (`\r\n`, `\n` or `\r` end one) and columns in
/// bytes from 1.
fn header_at(out: &mut String, path: &str, src: &str, drawn: usize, start: usize) {
    let before = src.get(..start).unwrap_or("");
    let line = 1 + before.matches('\n').count() + before.matches('\r').count()
        - before.matches("\r\n").count();
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let column = |offset: usize| offset.saturating_sub(line_start) + 1;
    let old = format!("{path}:{line}:{}", column(drawn));
    let Some(from) = out.find("╭─[") else {
        return;
    };
    let found = out.get(from..).and_then(|rest| {
        rest.match_indices(&old).map(|(i, _)| from + i).find(|&i| {
            !out.get(i + old.len()..)
                .is_some_and(|after| after.starts_with(|c: char| c.is_ascii_digit()))
        })
    });
    if let Some(i) = found {
        out.replace_range(
            i..i + old.len(),
            &format!("{path}:{line}:{}", column(start)),
        );
    }
}

/// A diagnostic with its source, for miette's report handlers.
#[derive(Debug)]
struct Sourced<'a> {
    diag: &'a Diagnostic,
    /// Where the primary label is drawn (see [`uncovered`]).
    primary: Span,
    source: miette::NamedSource<String>,
}

impl fmt::Display for Sourced<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Sourced<'_> {}

/// Where to underline a primary span that shares its line with secondary labels inside it.
///
/// miette lays the labels of one line out left to right without overlap: a label that starts
/// inside an earlier one is pushed past its end. A type mismatch marks the whole `country == 3`
/// and, inside it, `country` and `3`, so those two labels landed past the end of the line.
/// The primary label is therefore drawn on a stretch of its span that no secondary label
/// covers, whitespace trimmed: the first one between two secondary labels (the `==` of
/// `country == 3`), else the one before or after them. A span over several lines (drawn in the
/// gutter), or one with no uncovered text, is kept whole.
fn uncovered(src: &str, primary: Span, secondary: &[Span]) -> Span {
    let Some(text) = src.get(primary.range()) else {
        return primary;
    };
    if text.contains('\n') {
        return primary;
    }
    let mut inside: Vec<Span> = secondary
        .iter()
        .filter(|s| s.start < primary.end && primary.start < s.end)
        .map(|s| {
            Span::new(
                s.range().start.max(primary.range().start),
                s.range().end.min(primary.range().end),
            )
        })
        .collect();
    if inside.is_empty() {
        return primary;
    }
    inside.sort_by_key(|s| (s.start, s.end));
    let mut from = primary.range().start;
    let mut gaps: Vec<(usize, usize)> = inside
        .iter()
        .map(|s| {
            let gap = (from, s.range().start.max(from));
            from = from.max(s.range().end);
            gap
        })
        .collect();
    gaps.push((from, primary.range().end.max(from)));
    let text_of = |&(start, end): &(usize, usize)| -> Option<Span> {
        let gap = src.get(start..end)?;
        let trimmed = gap.trim_start();
        let lead = gap.len() - trimmed.len();
        let trimmed = trimmed.trim_end();
        (!trimmed.is_empty()).then(|| Span::new(start + lead, start + lead + trimmed.len()))
    };
    // Between two labels first (the operator), else before or after them.
    let last = gaps.len() - 1;
    let interior = gaps.get(1..last).unwrap_or(&[]);
    interior
        .iter()
        .chain(gaps.first())
        .chain(gaps.get(last))
        .find_map(text_of)
        .unwrap_or(primary)
}

/// miette's span of a byte span.
fn source_span(s: Span) -> miette::SourceSpan {
    (s.start as usize, s.len()).into()
}

impl miette::Diagnostic for Sourced<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diag.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let len = self.source.inner().len();
        let primary = miette::LabeledSpan::new_primary_with_span(
            (!self.diag.label.is_empty()).then(|| self.diag.label.clone()),
            source_span(self.primary),
        );
        let rest = self.diag.labels.iter().map(move |l| {
            miette::LabeledSpan::new_with_span(
                Some(l.message.clone()),
                source_span(clamp(l.span, len)),
            )
        });
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}
