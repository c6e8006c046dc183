//! Document and range formatting through [`icp_fmt`]: one edit replacing what changes. A
//! document with syntax errors (or that the formatter refuses) gets no edit.

use icp_syntax::Span;
use tower_lsp_server::ls_types as lsp;

use crate::text::Text;

/// The edits that format the whole document (none when it is already formatted).
pub fn document(text: &Text, opts: &icp_fmt::Options) -> Option<Vec<lsp::TextEdit>> {
    let out = icp_fmt::format(&text.src, opts).ok()?;
    if *out == *text.src {
        return Some(Vec::new());
    }
    Some(vec![lsp::TextEdit {
        range: text.range(Span::new(0, text.src.len())),
        new_text: out,
    }])
}

/// The edits that format the top-level items the range touches.
pub fn range(
    text: &Text,
    range: lsp::Range,
    opts: &icp_fmt::Options,
) -> Option<Vec<lsp::TextEdit>> {
    let span = text.span(range);
    let (old, new_text) =
        icp_fmt::format_range(&text.src, span.start as usize..span.end as usize, opts).ok()??;
    if text.src.get(old.clone()) == Some(new_text.as_str()) {
        return Some(Vec::new());
    }
    Some(vec![lsp::TextEdit {
        range: text.range(Span::new(old.start, old.end)),
        new_text,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_document_and_a_range() {
        let text = Text::new("segment a {x>1}\nsegment b {y>2}\n");
        let edits = document(&text, &icp_fmt::Options::default()).unwrap();
        assert_eq!(edits.len(), 1);
        assert_eq!(
            edits[0].new_text,
            "segment a { x > 1 }\n\nsegment b { y > 2 }\n"
        );
        let on_b = lsp::Range::new(lsp::Position::new(1, 11), lsp::Position::new(1, 12));
        let edits = range(&text, on_b, &icp_fmt::Options::default()).unwrap();
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].new_text, "segment b { y > 2 }");
        assert_eq!(edits[0].range.start, lsp::Position::new(1, 0));
        assert_eq!(edits[0].range.end, lsp::Position::new(1, 15));
        // syntax errors: no edit
        assert!(document(&Text::new("segment a {x>}\n"), &icp_fmt::Options::default()).is_none());
    }
}
