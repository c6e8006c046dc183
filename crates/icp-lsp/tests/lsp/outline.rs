//! Document and workspace symbols, folding ranges, semantic tokens, inlay hints.

use std::fmt::Write as _;

use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, FoldingRangeParams,
    InlayHintLabel, InlayHintParams, OneOf, PartialResultParams, Range, SemanticTokensParams,
    SemanticTokensResult, TextDocumentIdentifier, WorkDoneProgressParams, WorkspaceSymbolParams,
    WorkspaceSymbolResponse,
};

use crate::common::{MAIN, SCHEMA, pos, start, uri};

fn outline(out: &mut String, syms: &[DocumentSymbol], depth: usize) {
    for s in syms {
        let _ = writeln!(
            out,
            "{}{:?} {} ({}) {}:{}-{}:{}",
            "  ".repeat(depth),
            s.kind,
            s.name,
            s.detail.clone().unwrap_or_default(),
            s.range.start.line + 1,
            s.range.start.character + 1,
            s.range.end.line + 1,
            s.range.end.character + 1
        );
        outline(out, s.children.as_deref().unwrap_or_default(), depth + 1);
    }
}

#[tokio::test]
async fn document_symbols_nest() {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", MAIN)]).await;
    let mut out = String::new();
    for file in ["schema.icp", "main.icp"] {
        let res = h
            .backend()
            .document_symbol(DocumentSymbolParams {
                text_document: TextDocumentIdentifier { uri: uri(file) },
                work_done_progress_params: WorkDoneProgressParams::default(),
                partial_result_params: PartialResultParams::default(),
            })
            .await
            .unwrap();
        let Some(DocumentSymbolResponse::Nested(syms)) = res else {
            panic!("{res:?}")
        };
        let _ = writeln!(out, "----- {file}");
        outline(&mut out, &syms, 0);
    }
    insta::assert_snapshot!(out);
}

#[tokio::test]
async fn workspace_symbols_match_a_query() {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", MAIN)]).await;
    let res = h
        .backend()
        .symbol(WorkspaceSymbolParams {
            query: "mar".into(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap();
    let Some(WorkspaceSymbolResponse::Nested(syms)) = res else {
        panic!("{res:?}")
    };
    let mut out = String::new();
    for s in syms {
        let OneOf::Left(loc) = s.location else {
            continue;
        };
        let _ = writeln!(
            out,
            "{:?} {} in {:?} at {}",
            s.kind,
            s.name,
            s.container_name,
            h.show_range(&loc.uri, loc.range)
        );
    }
    insta::assert_snapshot!(out);
}

#[tokio::test]
async fn folding_items_groups_and_comments() {
    let src = format!("// A header comment\n// over three\n// lines\n{MAIN}");
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", &src)]).await;
    let res = h
        .backend()
        .folding_range(FoldingRangeParams {
            text_document: TextDocumentIdentifier {
                uri: uri("main.icp"),
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap()
        .unwrap();
    let lines: Vec<&str> = src.lines().collect();
    let mut out = String::new();
    for r in res {
        let first = lines
            .get(r.start_line as usize)
            .copied()
            .unwrap_or("")
            .trim();
        let _ = writeln!(
            out,
            "{}-{} {:?} {first}",
            r.start_line + 1,
            r.end_line + 1,
            r.kind.unwrap()
        );
    }
    insta::assert_snapshot!(out);
}

#[tokio::test]
async fn semantic_tokens_classify_names() {
    let src = "import \"schema.icp\"\n// 😀 emoji first\nsegment big \"بزرگ\" { employees > 100 and industry == saas }\nprofile p {\n  target big\n  criterion c weight 10 { big }\n  tier t\n}\n";
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", src)]).await;
    let res = h
        .backend()
        .semantic_tokens_full(SemanticTokensParams {
            text_document: TextDocumentIdentifier {
                uri: uri("main.icp"),
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap();
    let Some(SemanticTokensResult::Tokens(tokens)) = res else {
        panic!("{res:?}")
    };
    let legend = icp_lsp::features::semantic::legend();
    let text = icp_lsp::text::Text::new(src);
    let (mut line, mut col) = (0u32, 0u32);
    let mut out = String::new();
    for t in tokens.data {
        if t.delta_line > 0 {
            line += t.delta_line;
            col = t.delta_start;
        } else {
            col += t.delta_start;
        }
        let r = Range {
            start: pos(line, col),
            end: pos(line, col + t.length),
        };
        let span = text.span(r);
        let ty = legend.token_types[t.token_type as usize].as_str();
        let decl = if t.token_modifiers_bitset & 1 == 1 {
            " (declaration)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{}:{} {ty}{decl} `{}`",
            line + 1,
            col + 1,
            span.text(src)
        );
    }
    insta::assert_snapshot!(out);
}

#[tokio::test]
async fn inlay_hints_show_each_criterion_share() {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", MAIN)]).await;
    let res = h
        .backend()
        .inlay_hint(InlayHintParams {
            text_document: TextDocumentIdentifier {
                uri: uri("main.icp"),
            },
            range: Range {
                start: pos(0, 0),
                end: pos(1000, 0),
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await
        .unwrap()
        .unwrap();
    // Render the source with the hints inlined.
    let text = icp_lsp::text::Text::new(MAIN);
    let mut marked = MAIN.to_owned();
    let mut hints: Vec<(usize, String)> = res
        .into_iter()
        .map(|h| {
            let InlayHintLabel::String(s) = h.label else {
                panic!()
            };
            (text.offset(h.position), s)
        })
        .collect();
    hints.sort_by_key(|h| std::cmp::Reverse(h.0));
    for (at, s) in hints {
        marked.insert_str(at, &format!(" /* {s} */"));
    }
    let lines: Vec<&str> = marked.lines().filter(|l| l.contains("/*")).collect();
    insta::assert_snapshot!(lines.join("\n"));
}
