//! `icp fmt`: the one canonical layout of ICP source, written from the lossless syntax tree
//! ([`icp_syntax::parse_with_tree`]).
//!
//! The layout is the style of the language's examples: two-space indentation, one clause a
//! line, one blank line between items (at most one between clauses, where the author left
//! one), aligned schema columns, aligned tier rows and trailing comments, long expressions
//! broken before `and` / `or`, lists broken one item a line when they do not fit the width.
//!
//! Every comment stays where it was: at the end of its line or on a line of its own. A node
//! the formatter does not know (new syntax), or a clause with a comment inside it, is written
//! verbatim. A file with syntax errors is not formatted. Every result is checked: the new
//! text must parse to the same typed tree with the same comments, else the formatter refuses
//! ([`FmtError::Unsound`]).
//!
//! ```
//! let out = icp_fmt::format("segment  big {employees>100}", &icp_fmt::Options::default()).unwrap();
//! assert_eq!(out, "segment big { employees > 100 }\n");
//! ```

mod doc;
mod layout;

use std::fmt;
use std::ops::Range;

use icp_syntax::{Diagnostic, Severity, SyntaxKind, SyntaxNode};

/// How to format: the line width (`[fmt] width` in `icp.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The column a line should not pass (long expressions and lists break before it).
    pub width: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { width: 100 }
    }
}

/// Why a source was not formatted.
#[derive(Debug, Clone)]
pub enum FmtError {
    /// The source has syntax errors (every one of them): it is left as it is.
    Syntax(Vec<Diagnostic>),
    /// The formatted text would not mean the same (a bug in the formatter): refused.
    Unsound(String),
}

impl fmt::Display for FmtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FmtError::Syntax(d) => write!(f, "{} syntax error(s); not formatted", d.len()),
            FmtError::Unsound(why) => write!(
                f,
                "internal error: formatting would change the program ({why}); not formatted"
            ),
        }
    }
}

impl std::error::Error for FmtError {}

/// The canonical layout of `src`.
pub fn format(src: &str, opts: &Options) -> Result<String, FmtError> {
    let (parsed, tree) = icp_syntax::parse_with_tree(src);
    let errors: Vec<Diagnostic> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(FmtError::Syntax(errors));
    }
    if tree.descendants().any(|n| n.kind() == SyntaxKind::ERROR) {
        return Err(FmtError::Syntax(parsed.diagnostics));
    }
    let out = layout::Fmt::new(opts.width).root(&tree);
    let (again, new_tree) = icp_syntax::parse_with_tree(&out);
    if again
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error)
    {
        return Err(FmtError::Unsound("the result does not parse".to_owned()));
    }
    if !icp_syntax::same_shape(&parsed.file, &again.file) {
        return Err(FmtError::Unsound(
            "the result parses to a different tree".to_owned(),
        ));
    }
    if comments(&tree) != comments(&new_tree) {
        return Err(FmtError::Unsound("the result's comments differ".to_owned()));
    }
    Ok(out)
}

/// The text of every comment of a tree, in order (trailing spaces dropped).
pub fn comments(tree: &SyntaxNode) -> Vec<String> {
    tree.descendants_with_tokens()
        .filter_map(rowan::NodeOrToken::into_token)
        .filter(|t| t.kind() == SyntaxKind::COMMENT)
        .map(|t| t.text().trim_end().to_owned())
        .collect()
}

/// Format the top-level items that overlap `range` (byte offsets of `src`): the byte range
/// of `src` to replace and its new text, or `None` when no item overlaps the range.
pub fn format_range(
    src: &str,
    range: Range<usize>,
    opts: &Options,
) -> Result<Option<(Range<usize>, String)>, FmtError> {
    let out = format(src, opts)?;
    let (_, old) = icp_syntax::parse_with_tree(src);
    let (_, new) = icp_syntax::parse_with_tree(&out);
    let old_items: Vec<SyntaxNode> = old.children().collect();
    let new_items: Vec<SyntaxNode> = new.children().collect();
    if old_items.len() != new_items.len() {
        return Err(FmtError::Unsound("the items differ".to_owned()));
    }
    let touched: Vec<usize> = old_items
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            let r = n.text_range();
            let (s, e) = (usize::from(r.start()), usize::from(r.end()));
            s <= range.end && range.start <= e
        })
        .map(|(i, _)| i)
        .collect();
    let (Some(&first), Some(&last)) = (touched.first(), touched.last()) else {
        return Ok(None);
    };
    let span = |items: &[SyntaxNode]| -> Option<Range<usize>> {
        let s = items.get(first)?.text_range().start();
        let e = items.get(last)?.text_range().end();
        Some(usize::from(s)..usize::from(e))
    };
    let (Some(old_span), Some(new_span)) = (span(&old_items), span(&new_items)) else {
        return Ok(None);
    };
    let text = out.get(new_span).unwrap_or_default().to_owned();
    Ok(Some((old_span, text)))
}
