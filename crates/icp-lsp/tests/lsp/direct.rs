//! The big replies written without `tower-lsp-server` (`icp_lsp::direct`): through the real
//! framing, document symbols and semantic tokens are exactly what the `Backend` answers,
//! and the requests before `initialize` and after `shutdown` get the transport's errors.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use icp_check::MemoryLoader;
use serde_json::{Value, json};
use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    DocumentSymbolParams, PartialResultParams, SemanticTokensParams, TextDocumentIdentifier,
    WorkDoneProgressParams,
};

use crate::common::{MAIN, ROOT, SCHEMA, start, uri};
use crate::transport::connect;

/// The server's settings for these tests: files from `loader`, checks right after a change.
fn settings(loader: MemoryLoader) -> icp_lsp::Settings {
    icp_lsp::Settings {
        loader: Arc::new(loader),
        today: icp_syntax::Date::from_ymd(2027, 1, 15),
        debounce: Duration::from_millis(1),
        request_wait: Duration::from_mins(1),
        list: icp_lsp::project::fs_lister(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symbols_and_tokens_through_the_transport_are_the_backends() {
    let loader = MemoryLoader::new()
        .with(format!("{ROOT}/icp.toml"), "")
        .with(format!("{ROOT}/schema.icp"), SCHEMA)
        .with(format!("{ROOT}/main.icp"), MAIN);
    let settings = settings(loader);
    let main = uri("main.icp");
    let doc = json!({ "textDocument": { "uri": main.as_str() } });
    let mut c = connect(settings);

    let early = c
        .request(1, "textDocument/documentSymbol", doc.clone())
        .await;
    assert_eq!(early["error"]["code"], json!(-32002), "{early}");

    c.initialize(2).await;
    c.open(main.as_str(), 1, MAIN).await;
    let symbols = c
        .request(3, "textDocument/documentSymbol", doc.clone())
        .await;
    let tokens = c
        .request(4, "textDocument/semanticTokens/full", doc.clone())
        .await;
    let unknown = c
        .request(
            5,
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri("nowhere.icp").as_str() } }),
        )
        .await;

    // The same files, asked of the backend itself.
    let h = start(&[("icp.toml", ""), ("schema.icp", SCHEMA), ("main.icp", MAIN)]).await;
    let id = TextDocumentIdentifier { uri: main.clone() };
    let want_symbols = h
        .backend()
        .document_symbol(DocumentSymbolParams {
            text_document: id.clone(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap();
    let want_tokens = h
        .backend()
        .semantic_tokens_full(SemanticTokensParams {
            text_document: id,
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap();
    assert!(want_symbols.is_some() && want_tokens.is_some());
    assert_eq!(symbols["jsonrpc"], json!("2.0"));
    assert_eq!(
        symbols["result"],
        serde_json::to_value(want_symbols).unwrap()
    );
    assert_eq!(tokens["result"], serde_json::to_value(want_tokens).unwrap());
    assert_eq!(unknown["result"], Value::Null, "{unknown}");
    assert!(unknown.get("error").is_none(), "{unknown}");

    c.request(6, "shutdown", Value::Null).await;
    let late = c.request(7, "textDocument/documentSymbol", doc).await;
    assert_eq!(late["error"]["code"], json!(-32600), "{late}");
}

/// A program of at least `bytes` bytes: the schema and numbered segments with long titles
/// (fewer than the 10,000 document symbols answered at most).
fn big_program(bytes: usize) -> String {
    let mut out = String::from(SCHEMA);
    let title = "a long title ".repeat(20);
    let mut i = 0;
    while out.len() < bytes {
        let _ = writeln!(
            out,
            "segment s{i} \"Segment {i}, {title}\" {{\n  employees > {i} and industry != agency\n}}"
        );
        i += 1;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_text_sync_messages_go_round_the_transport_in_order() {
    let loader = MemoryLoader::new().with(format!("{ROOT}/icp.toml"), "");
    let settings = settings(loader);
    let big = big_program(icp_lsp::framing::STASH_FROM + 1000);
    let main = uri("big.icp");
    let mut c = connect(settings);
    c.initialize(1).await;
    c.open(main.as_str(), 1, &big).await;
    // A whole-text change that breaks the last segment, then a small one that fixes it,
    // right behind: applied in this order, the file ends clean at version 3.
    let broken = format!("{big}segment oops {{ employees > }}\n");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main.as_str(), "version": 2 }, "contentChanges": [{ "text": broken }] }),
    )
    .await;
    let lines = broken.lines().count() as u32;
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main.as_str(), "version": 3 }, "contentChanges": [{
            "range": { "start": { "line": lines - 1, "character": 27 }, "end": { "line": lines - 1, "character": 27 } },
            "text": "1" }] }),
    )
    .await;
    let symbols = c
        .request(
            2,
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": main.as_str() } }),
        )
        .await;
    let names: Vec<&str> = symbols["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&"Account"));
    assert_eq!(names.last(), Some(&"oops"));
    c.drain_until(
        |m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == json!(3),
        Duration::from_millis(100),
    )
    .await;
    let last = c
        .seen
        .iter()
        .rev()
        .find(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == main.as_str()
        })
        .unwrap();
    assert_eq!(last["params"]["version"], json!(3), "{last}");
    assert_eq!(last["params"]["diagnostics"], json!([]), "{last}");
}
