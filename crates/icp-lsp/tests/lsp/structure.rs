//! Document highlight, document links on imports, selection ranges.

use std::fmt::Write as _;

use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    DocumentHighlightKind, DocumentHighlightParams, DocumentLinkParams, PartialResultParams,
    SelectionRangeParams, WorkDoneProgressParams,
};

use crate::common::{Harness, MAIN, SCHEMA, at, start, uri};

#[tokio::test]
async fn highlight_marks_the_declaration_and_its_uses_in_the_document() {
    let h = start(&[
        ("schema.icp", SCHEMA),
        ("main.icp", &at(MAIN, "segment mary_marketer", 10)),
    ])
    .await;
    let res = h
        .backend()
        .document_highlight(DocumentHighlightParams {
            text_document_position_params: h.position(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap()
        .unwrap();
    let u = uri("main.icp");
    let mut out = String::new();
    for hl in res {
        let kind = if hl.kind == Some(DocumentHighlightKind::WRITE) {
            "write"
        } else {
            "read"
        };
        let _ = writeln!(out, "{kind} {}", h.show_range(&u, hl.range));
    }
    insta::assert_snapshot!(out, @r"
    write main.icp:11:9-11:22 `mary_marketer`
    read main.icp:19:10-19:23 `mary_marketer`
    ");
}

#[tokio::test]
async fn an_import_path_links_to_its_file() {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", MAIN)]).await;
    let links = h
        .backend()
        .document_link(DocumentLinkParams {
            text_document: h.doc(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0].target, Some(uri("schema.icp")));
    insta::assert_snapshot!(h.show_range(&uri("main.icp"), links[0].range), @r#"main.icp:1:8-1:20 `"schema.icp"`"#);
}

fn chain(h: &Harness, mut r: Option<&tower_lsp_server::ls_types::SelectionRange>) -> String {
    let u = uri("main.icp");
    let mut out = String::new();
    let mut previous: Option<usize> = None;
    while let Some(s) = r {
        let shown = h.show_range(&u, s.range);
        let first_line = shown.lines().next().unwrap_or("").to_owned();
        let len = shown.len();
        assert!(previous.is_none_or(|p| p < len), "not growing: {shown}");
        previous = Some(len);
        let _ = writeln!(out, "{first_line}");
        r = s.parent.as_deref();
    }
    out
}

#[tokio::test]
async fn selection_grows_from_the_word_to_the_file() {
    let h = start(&[
        ("schema.icp", SCHEMA),
        ("main.icp", &at(MAIN, "revenue >= $2M", 2)),
    ])
    .await;
    let p = h.position();
    let res = h
        .backend()
        .selection_range(SelectionRangeParams {
            text_document: p.text_document.clone(),
            positions: vec![p.position],
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(res.len(), 1);
    insta::assert_snapshot!(chain(&h, res.first()));
}

#[tokio::test]
async fn formatting_gives_what_icp_fmt_gives() {
    use tower_lsp_server::LanguageServer;
    use tower_lsp_server::ls_types::{
        DocumentFormattingParams, FormattingOptions, TextDocumentIdentifier, WorkDoneProgressParams,
    };
    let messy = "import \"schema.icp\"\nsegment   big   \"Big\"{employees>100}\n";
    let h =
        crate::common::start(&[("schema.icp", crate::common::SCHEMA), ("main.icp", messy)]).await;
    let edits = h
        .backend()
        .formatting(DocumentFormattingParams {
            text_document: TextDocumentIdentifier {
                uri: crate::common::uri("main.icp"),
            },
            options: FormattingOptions::default(),
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await
        .unwrap()
        .unwrap();
    assert!(!edits.is_empty());
    // Apply the edits (from the last to the first) to the text.
    let text = icp_lsp::text::Text::new(messy.to_owned());
    let mut out = messy.to_owned();
    let mut sorted = edits.clone();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.range.start.line, e.range.start.character)));
    for e in sorted {
        let (a, b) = (text.offset(e.range.start), text.offset(e.range.end));
        out.replace_range(a..b, &e.new_text);
    }
    let expected = icp_fmt::format(messy, &icp_fmt::Options::default()).unwrap();
    assert_eq!(out, expected);
    assert!(out.contains("segment big \"Big\" {"), "{out}");
}
