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
    let sourced = Sourced {
        diag,
        source: miette::NamedSource::new(path, src.to_owned()),
    };
    if handler.render_report(&mut out, &sourced).is_err() {
        return format!("{}: {}: {}", path, diag.severity.as_str(), diag.message);
    }
    out
}

/// A diagnostic with its source, for miette's report handlers.
#[derive(Debug)]
struct Sourced<'a> {
    diag: &'a Diagnostic,
    source: miette::NamedSource<String>,
}

impl fmt::Display for Sourced<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Sourced<'_> {}

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
        let src_len = self.source.inner().len();
        let clamp = move |s: Span| -> Span {
            let start = (s.start as usize).min(src_len);
            let end = (s.end as usize).min(src_len).max(start);
            Span::new(start, end)
        };
        let primary = miette::LabeledSpan::new_primary_with_span(
            (!self.diag.label.is_empty()).then(|| self.diag.label.clone()),
            source_span(clamp(self.diag.span)),
        );
        let rest = self.diag.labels.iter().map(move |l| {
            miette::LabeledSpan::new_with_span(Some(l.message.clone()), source_span(clamp(l.span)))
        });
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}
