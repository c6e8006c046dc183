//! Code actions: the checker's fixes, applied.

use std::fmt::Write as _;

use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    CodeActionContext, CodeActionOrCommand, CodeActionParams, PartialResultParams, Range,
    TextDocumentIdentifier, WorkDoneProgressParams,
};

use crate::common::{SCHEMA, pos, start, uri};

/// Every quick fix offered on the file, each applied on its own.
async fn fixes(main: &str) -> String {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", main)]).await;
    let res = h
        .backend()
        .code_action(CodeActionParams {
            text_document: TextDocumentIdentifier {
                uri: uri("main.icp"),
            },
            range: Range {
                start: pos(0, 0),
                end: pos(1000, 0),
            },
            context: CodeActionContext::default(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap()
        .unwrap_or_default();
    let mut out = String::new();
    for a in res {
        let CodeActionOrCommand::CodeAction(a) = a else {
            continue;
        };
        let code = a
            .diagnostics
            .as_ref()
            .and_then(|d| d.first())
            .and_then(|d| d.code.clone());
        let _ = writeln!(
            out,
            "===== {} ({:?}, for {:?})",
            a.title,
            a.kind.unwrap(),
            code
        );
        out.push_str(&h.apply(&a.edit.unwrap()));
    }
    out
}

#[tokio::test]
async fn did_you_mean_fix() {
    insta::assert_snapshot!(
        fixes("import \"schema.icp\"\nsegment s { employes > 10 and industry == sas }\n").await
    );
}

#[tokio::test]
async fn missing_catch_all_tier_fix() {
    insta::assert_snapshot!(fixes("import \"schema.icp\"\nprofile p {\n  criterion c weight 10 { employees > 10 }\n  tier a >= 50\n}\n").await);
}

#[tokio::test]
async fn make_a_field_optional_fix() {
    // `name` may not be missing, yet a rule asks whether it is.
    insta::assert_snapshot!(
        fixes("schema S {\n  id: text key\n  size: int\n}\nsegment s { size is missing }\n").await
    );
}
