//! The "▶ run test" lens and its command `icp.runTest`: failures become diagnostics on
//! their `expect` lines, and go away when the test passes.

use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    CodeLensParams, ExecuteCommandParams, PartialResultParams, TextDocumentIdentifier,
    WorkDoneProgressParams,
};

use crate::common::{MAIN, SCHEMA, start, uri};

async fn run(h: &crate::common::Harness, name: &str) -> serde_json::Value {
    h.backend()
        .execute_command(ExecuteCommandParams {
            command: "icp.runTest".into(),
            arguments: vec![
                serde_json::Value::String(uri("main.icp").as_str().to_owned()),
                serde_json::Value::String(name.to_owned()),
            ],
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_lens_per_test_runs_it() {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", MAIN)]).await;
    let lenses = h
        .backend()
        .code_lens(CodeLensParams {
            text_document: TextDocumentIdentifier {
                uri: uri("main.icp"),
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap()
        .unwrap();
    let run_lenses: Vec<_> = lenses
        .iter()
        .filter_map(|l| l.command.as_ref())
        .filter(|c| c.command == "icp.runTest")
        .collect();
    assert_eq!(run_lenses.len(), 1);
    let out = run(&h, "a 120-person SaaS with two marketers is ideal").await;
    assert_eq!(out["passed"], 1, "{out}");
    assert_eq!(out["failed"], 0, "{out}");
}

#[tokio::test]
async fn a_failing_expectation_is_a_diagnostic_on_its_line() {
    let failing = MAIN.replace("expect score >= 80", "expect score >= 99");
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", &failing)]).await;
    let out = run(&h, "a 120-person SaaS with two marketers is ideal").await;
    assert_eq!(out["failed"], 1, "{out}");
    let run = {
        let a = h.backend().world().analysis(&uri("main.icp")).unwrap();
        icp_lsp::features::run::run_tests(&a, None)
    };
    assert_eq!(run.diagnostics.len(), 1, "{:?}", run.diagnostics);
    let d = &run.diagnostics[0];
    let line = failing.lines().nth(d.range.start.line as usize).unwrap();
    assert!(line.contains("expect score >= 99"), "{line}");
    assert!(d.message.contains("expected score >= 99"), "{}", d.message);
    assert_eq!(run.summary, "0 passed, 1 failed");
}

#[tokio::test]
async fn an_unknown_test_says_so() {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", MAIN)]).await;
    let out = run(&h, "nope").await;
    assert_eq!(out["summary"], "no test `nope` in this file");
}
