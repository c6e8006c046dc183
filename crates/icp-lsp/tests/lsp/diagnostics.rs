//! Diagnostics: the same codes and messages as `icp check`, UTF-16 ranges.

use std::fmt::Write as _;

use crate::common::{MAIN, SCHEMA, start};

fn render(h: &crate::common::Harness, uri: &tower_lsp_server::ls_types::Uri) -> String {
    let (version, diags) = h.backend().diagnostics(uri).unwrap();
    let mut out = format!("version {version}\n");
    for d in diags {
        let code = match d.code {
            Some(tower_lsp_server::ls_types::NumberOrString::String(s)) => s,
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "{:?} {code} at {}",
            d.severity.unwrap(),
            h.show_range(uri, d.range)
        );
        for line in d.message.lines() {
            let _ = writeln!(out, "    {line}");
        }
        for r in d.related_information.unwrap_or_default() {
            let _ = writeln!(
                out,
                "    related: {} {}",
                h.show_range(&r.location.uri, r.location.range),
                r.message
            );
        }
    }
    out
}

#[tokio::test]
async fn clean_program_has_no_diagnostics() {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", MAIN)]).await;
    insta::assert_snapshot!(render(&h, &crate::common::uri("main.icp")), @"version 1");
}

#[tokio::test]
async fn unicode_columns_are_utf16() {
    // Persian, Hebrew and emoji before the errors on the same lines: the ranges must
    // still cover exactly the misspelt names.
    let src = r#"import "schema.icp"
// سلام שלום 😀 a comment
segment big "بزرگ 🎉 גדול" { employes > 100 } // 😀😀
segment rich "😀" { "🎉" == name and revenu >= $1M }
"#;
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", src)]).await;
    insta::assert_snapshot!(render(&h, &crate::common::uri("main.icp")));
}

#[tokio::test]
async fn broken_items_do_not_hide_the_others() {
    let src = r#"import "schema.icp"
segment big { employees > }
segmnt typo { }
segment small { employees < 10 and stage == wom }
profile p {
  criterion c weight 0 { small }
  tier a >= 50
}
"#;
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", src)]).await;
    insta::assert_snapshot!(render(&h, &crate::common::uri("main.icp")));
}

#[tokio::test]
async fn an_edit_of_an_imported_buffer_rechecks_its_importers() {
    let mut h = start(&[("schema.icp", SCHEMA), ("main.icp", MAIN)]).await;
    let main = crate::common::uri("main.icp");
    assert_eq!(render(&h, &main), "version 1\n");
    // Rename `marketers` in the (unsaved) schema buffer: the main file now misses it.
    let schema = SCHEMA.replace("marketers:", "marketeers:");
    h.replace(&crate::common::uri("schema.icp"), 2, &schema)
        .await;
    insta::assert_snapshot!(render(&h, &main));
}

#[tokio::test]
async fn pulled_diagnostics_are_the_published_ones() {
    use tower_lsp_server::LanguageServer;
    use tower_lsp_server::ls_types::{
        DocumentDiagnosticParams, DocumentDiagnosticReport, DocumentDiagnosticReportResult,
        PartialResultParams, TextDocumentIdentifier, WorkDoneProgressParams,
    };
    let src = MAIN.replace("marketers >= 1", "marketeers >= 1");
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", &src)]).await;
    let main = crate::common::uri("main.icp");
    let pulled = h
        .backend()
        .diagnostic(DocumentDiagnosticParams {
            text_document: TextDocumentIdentifier { uri: main.clone() },
            identifier: None,
            previous_result_id: None,
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap();
    let DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(report)) = pulled
    else {
        panic!("a full report: {pulled:?}");
    };
    let items = report.full_document_diagnostic_report.items;
    let (_, published) = h.backend().diagnostics(&main).unwrap();
    assert!(!items.is_empty());
    assert_eq!(items, published);
    assert!(items[0].message.contains("marketeers"), "{:?}", items[0]);
}
