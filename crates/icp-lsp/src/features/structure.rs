//! Document highlight (the name under the cursor and its uses in the document), document
//! links (each `import` path to its file) and selection ranges (the lossless tree's nodes
//! around the cursor, innermost first).

use icp_syntax::SyntaxNode;
use icp_syntax::ast::Item;
use tower_lsp_server::ls_types::{
    DocumentHighlight, DocumentHighlightKind, DocumentLink, Position, Range, SelectionRange,
};

use crate::text::Text;
use crate::world::{Analysis, ENTRY};

/// The declaration under the cursor (written) and its uses (read) in this document.
pub fn highlights(a: &Analysis, pos: Position) -> Option<Vec<DocumentHighlight>> {
    let (i, def) = super::nav::def_at_pos(a, pos)?;
    let mut out = Vec::new();
    if def.file == ENTRY {
        out.push(DocumentHighlight {
            range: a.range(ENTRY, def.name_span),
            kind: Some(DocumentHighlightKind::WRITE),
        });
    }
    for (file, span) in a.checked.references(i) {
        if file == ENTRY {
            out.push(DocumentHighlight {
                range: a.range(ENTRY, span),
                kind: Some(DocumentHighlightKind::READ),
            });
        }
    }
    out.sort_by_key(|h| (h.range.start.line, h.range.start.character));
    out.dedup_by_key(|h| h.range);
    Some(out)
}

/// A link on each `import` path whose file was loaded.
pub fn links(a: &Analysis) -> Vec<DocumentLink> {
    let Some(file) = a.file(ENTRY) else {
        return Vec::new();
    };
    let dir = a.path.parent().unwrap_or(&a.path);
    file.ast
        .items
        .iter()
        .filter_map(|item| {
            let Item::Import(i) = item else {
                return None;
            };
            let target = icp_check::normalize(&dir.join(&i.path.value));
            let id = a.checked.file_id(&target)?;
            // A file that could not be loaded has no text and no link.
            if a.file(id).is_none_or(|f| f.text.is_empty()) && id != ENTRY {
                return None;
            }
            Some(DocumentLink {
                range: a.range(ENTRY, i.path.span),
                target: a.uri_of(id).cloned(),
                tooltip: Some(format!("open {}", i.path.value)),
                data: None,
            })
        })
        .collect()
}

/// For each position, the ranges of the syntax nodes around it, innermost first (each
/// strictly larger than the one before), up to the whole file.
pub fn selection_ranges(text: &Text, positions: &[Position]) -> Vec<SelectionRange> {
    let (_, tree) = icp_syntax::parse_with_tree(&text.src);
    positions
        .iter()
        .map(|p| selection_at(text, &tree, text.offset(*p)))
        .collect()
}

fn selection_at(text: &Text, root: &SyntaxNode, offset: usize) -> SelectionRange {
    let offset = u32::try_from(offset).unwrap_or(u32::MAX);
    let contains = |start: u32, end: u32| start <= offset && offset <= end;
    // The nested node ranges holding the offset, outermost first.
    let mut spans: Vec<(u32, u32)> = Vec::new();
    let mut node = Some(root.clone());
    while let Some(n) = node {
        let r = n.text_range();
        spans.push((u32::from(r.start()), u32::from(r.end())));
        node = n.children().find(|c| {
            let r = c.text_range();
            contains(u32::from(r.start()), u32::from(r.end()))
        });
    }
    // The word under the cursor, innermost.
    let inner = word_at(text, offset as usize);
    if let Some(w) = inner {
        spans.push(w);
    }
    let mut out: Option<SelectionRange> = None;
    let mut last: Option<(u32, u32)> = None;
    for (start, end) in spans {
        if last == Some((start, end)) || start == end {
            continue;
        }
        last = Some((start, end));
        out = Some(SelectionRange {
            range: to_range(text, start, end),
            parent: out.map(Box::new),
        });
    }
    out.unwrap_or_else(|| SelectionRange {
        range: to_range(text, offset, offset),
        parent: None,
    })
}

fn to_range(text: &Text, start: u32, end: u32) -> Range {
    text.range(icp_syntax::Span { start, end })
}

/// The identifier around `offset`, if any.
fn word_at(text: &Text, offset: usize) -> Option<(u32, u32)> {
    let src = text.src.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut start = offset.min(src.len());
    while start > 0 && src.get(start - 1).is_some_and(|b| is_word(*b)) {
        start -= 1;
    }
    let mut end = offset.min(src.len());
    while src.get(end).is_some_and(|b| is_word(*b)) {
        end += 1;
    }
    (end > start).then(|| {
        (
            u32::try_from(start).unwrap_or(u32::MAX),
            u32::try_from(end).unwrap_or(u32::MAX),
        )
    })
}
