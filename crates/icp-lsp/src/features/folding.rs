//! Folding ranges from the tokens (so a broken file folds too): every `{ }` block spanning
//! lines (items, groups, criteria, accounts), runs of comment lines, runs of imports.

use icp_syntax::TokenKind;
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind};

use crate::text::Text;

/// The folding ranges of a document.
pub fn folding_ranges(text: &Text) -> Vec<FoldingRange> {
    let src = &text.src;
    let toks = icp_syntax::tokens(src);
    // Lines only: a UTF-16 column per token would be quadratic on a long line.
    let line = |offset: u32| text.line(offset as usize);
    let mut out = Vec::new();
    let mut open: Vec<u32> = Vec::new();
    // Comment runs: consecutive lines whose first token is a comment.
    let mut run: Option<(u32, u32)> = None;
    let mut imports: Option<(u32, u32)> = None;
    let mut last_line: Option<u32> = None;
    let flush =
        |r: &mut Option<(u32, u32)>, kind: FoldingRangeKind, out: &mut Vec<FoldingRange>| {
            if let Some((a, b)) = r.take()
                && b > a
            {
                out.push(FoldingRange {
                    start_line: a,
                    start_character: None,
                    end_line: b,
                    end_character: None,
                    kind: Some(kind),
                    collapsed_text: None,
                });
            }
        };
    for (i, t) in toks.iter().enumerate() {
        let l = line(t.span.start);
        let first_on_line = last_line != Some(l);
        last_line = Some(line(t.span.end));
        if first_on_line {
            if t.kind == TokenKind::Comment {
                run = match run {
                    Some((a, b)) if b + 1 == l => Some((a, l)),
                    other => {
                        let mut other = other;
                        flush(&mut other, FoldingRangeKind::Comment, &mut out);
                        Some((l, l))
                    }
                };
            } else {
                flush(&mut run, FoldingRangeKind::Comment, &mut out);
            }
            let is_import = t.kind == TokenKind::Keyword && t.span.text(src) == "import";
            if is_import {
                imports = match imports {
                    Some((a, b)) if b + 1 >= l => Some((a, l)),
                    other => {
                        let mut other = other;
                        flush(&mut other, FoldingRangeKind::Imports, &mut out);
                        Some((l, l))
                    }
                };
            } else if t.kind != TokenKind::String || imports.is_none_or(|(_, b)| b != l) {
                flush(&mut imports, FoldingRangeKind::Imports, &mut out);
            }
        }
        if t.kind == TokenKind::Punct {
            match t.span.text(src) {
                "{" => open.push(t.span.start),
                "}" => {
                    if let Some(start) = open.pop() {
                        let (a, b) = (line(start), line(t.span.start));
                        if b > a {
                            out.push(FoldingRange {
                                start_line: a,
                                start_character: None,
                                end_line: b,
                                end_character: None,
                                kind: Some(FoldingRangeKind::Region),
                                collapsed_text: None,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        let _ = i;
    }
    flush(&mut run, FoldingRangeKind::Comment, &mut out);
    flush(&mut imports, FoldingRangeKind::Imports, &mut out);
    out.sort_by_key(|r| (r.start_line, std::cmp::Reverse(r.end_line)));
    out
}
