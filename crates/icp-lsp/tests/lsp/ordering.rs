//! Edits stay strictly ordered: 200 `didChange` back to back, then a completion request,
//! through the real JSON-RPC framing.

use std::sync::Arc;
use std::time::Duration;

use icp_check::MemoryLoader;
use serde_json::json;

use crate::common::{ROOT, SCHEMA, uri};
use crate::transport::connect;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_changes_then_completion() {
    let loader = MemoryLoader::new()
        .with(format!("{ROOT}/icp.toml"), "")
        .with(format!("{ROOT}/schema.icp"), SCHEMA);
    let settings = icp_lsp::Settings {
        loader: Arc::new(loader),
        today: icp_syntax::Date::from_ymd(2027, 1, 15),
        // Long enough that the burst below coalesces even when a loaded machine slows the
        // sender (the default, 50 ms, is what editors get).
        debounce: Duration::from_millis(250),
        request_wait: Duration::from_secs(30),
        list: icp_lsp::project::fs_lister(),
    };
    let mut c = connect(settings);
    let init = c.initialize(1).await;
    assert!(
        init["result"]["capabilities"]["completionProvider"].is_object(),
        "{init}"
    );

    let main = uri("main.icp");
    let text = "import \"schema.icp\"\nsegment s_ {\n  f_ > 1\n}\nprofile p {\n  target \n}\n";
    c.open(main.as_str(), 0, text).await;
    // Type 200 digits into the segment's name and into the field it reads, one change per
    // digit; each change's position depends on every change before it.
    let mut typed = String::new();
    for version in 1..=200u32 {
        let k = version - 1;
        let d = (version % 10).to_string();
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": main.as_str(), "version": version },
                "contentChanges": [
                    { "range": { "start": { "line": 1, "character": 10 + k }, "end": { "line": 1, "character": 10 + k } }, "text": d },
                    { "range": { "start": { "line": 2, "character": 4 + k }, "end": { "line": 2, "character": 4 + k } }, "text": d },
                ]
            }),
        )
        .await;
        typed.push_str(&d);
    }
    let completion = c
        .request(
            2,
            "textDocument/completion",
            json!({ "textDocument": { "uri": main.as_str() }, "position": { "line": 5, "character": 9 } }),
        )
        .await;
    let labels: Vec<&str> = completion["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        vec![format!("s_{typed}")],
        "completion saw another text"
    );

    // The publication of the final version, however long the check takes, then a quiet
    // period for any stray one after it (which the version check below would catch).
    let uri_str = main.as_str().to_owned();
    c.drain_until(
        |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri_str.as_str()
                && m["params"]["version"] == 200
        },
        Duration::from_millis(300),
    )
    .await;
    let published = c.published(main.as_str());
    assert!(!published.is_empty(), "no diagnostics were published");
    // Versions only go up, and the last one published is the final version.
    let versions: Vec<i64> = published
        .iter()
        .map(|p| p["params"]["version"].as_i64().unwrap())
        .collect();
    assert!(
        versions.windows(2).all(|w| w[0] <= w[1]),
        "versions went back: {versions:?}"
    );
    let last = published.last().unwrap();
    assert_eq!(last["params"]["version"], 200);
    let messages: Vec<&str> = last["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains(&format!("`f_{typed}`"))),
        "the last diagnostics are not those of the final text: {messages:?}"
    );
    // The debounce coalesced the burst: far fewer checks were published than changes made.
    assert!(
        published.len() < 100,
        "{} publications for 200 changes",
        published.len()
    );

    let shutdown = c.request(3, "shutdown", json!(null)).await;
    assert_eq!(shutdown["result"], json!(null));
    c.notify("exit", json!(null)).await;
}

#[tokio::test]
async fn malformed_messages_and_unknown_methods_do_not_kill_the_server() {
    let mut c = connect(icp_lsp::Settings::default());
    let init = c.initialize(1).await;
    assert!(init["result"]["capabilities"].is_object());
    // Not JSON at all.
    c.send_raw(b"{ this is not json").await;
    // JSON, but no JSON-RPC message.
    c.send_raw(b"[1, 2, 3]").await;
    // An unknown request gets `method not found`; an unknown notification is ignored.
    let unknown = c.request(2, "icp/doesNotExist", json!({})).await;
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    c.notify("$/icp/unknownNotification", json!({ "x": 1 }))
        .await;
    // Wrong parameters for a known method.
    let bad = c
        .request(3, "textDocument/hover", json!({ "nonsense": true }))
        .await;
    assert!(bad.get("error").is_some(), "{bad}");
    // A request about a document that is not open answers nothing.
    let hover = c
        .request(4, "textDocument/hover", json!({ "textDocument": { "uri": "file:///nowhere.icp" }, "position": { "line": 0, "character": 0 } }))
        .await;
    assert_eq!(hover["result"], json!(null));
    // Positions far outside the document clamp instead of failing.
    c.open("file:///tmp/x.icp", 1, "segment 😀 {").await;
    let far = c
        .request(5, "textDocument/completion", json!({ "textDocument": { "uri": "file:///tmp/x.icp" }, "position": { "line": 99, "character": 99 } }))
        .await;
    assert!(far.get("result").is_some(), "{far}");
    // Still alive.
    let shutdown = c.request(6, "shutdown", json!(null)).await;
    assert_eq!(shutdown["result"], json!(null));
    let codes: Vec<i64> = c
        .seen
        .iter()
        .filter(|m| m["id"].is_null() && m.get("error").is_some())
        .map(|m| m["error"]["code"].as_i64().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec![-32700, -32600],
        "an error per malformed message: {:?}",
        c.seen
    );
}
