//! The project model: every `.icp` file under the root is known, open or not; rename,
//! references and symbols span them; changes on disk are picked up; diagnostics are
//! published for every file and never for the wrong text.

use std::sync::Arc;
use std::time::Duration;

use icp_lsp::project::MemoryDisk;
use serde_json::{Value, json};
use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    CompletionParams, CompletionResponse, DidChangeWatchedFilesParams, FileChangeType, FileEvent,
    HoverContents, HoverParams, InitializeParams, PartialResultParams, RenameParams,
    WorkDoneProgressParams, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};

use crate::common::{Harness, MAIN, ROOT, SCHEMA, at, snippet_client, start_with, uri};
use crate::transport::{Client, connect};

/// The brief's project with `icp.toml`; the schema holds the cursor and is the only file
/// open.
async fn schema_open(needle: &str, delta: usize) -> Harness {
    start_with(
        &[
            ("icp.toml", ""),
            ("schema.icp", &at(SCHEMA, needle, delta)),
            ("main.icp", MAIN),
        ],
        |p| p == "schema.icp",
        snippet_client(),
    )
    .await
}

async fn rename(h: &Harness, new_name: &str) -> tower_lsp_server::jsonrpc::Result<String> {
    h.backend()
        .rename(RenameParams {
            text_document_position: h.position(),
            new_name: new_name.into(),
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await
        .map(|edit| h.apply(&edit.expect("an edit")))
}

#[tokio::test]
async fn rename_reaches_files_that_are_not_open_and_keeps_the_column() {
    // `marketers` has no `from`: the renamed field must still read the column `marketers`.
    let h = schema_open("marketers:", 2).await;
    let edited = rename(&h, "marketing_team").await.unwrap();
    assert!(
        edited.contains("marketing_team:  int? from \"marketers\""),
        "{edited}"
    );
    assert!(
        !edited.contains("marketers >= 1") && edited.contains("marketing_team >= 1"),
        "main.icp, not open, was not renamed:\n{edited}"
    );
    insta::assert_snapshot!(edited);
}

#[tokio::test]
async fn renaming_a_field_with_a_column_adds_no_from() {
    let h = schema_open("employees:", 2).await;
    let edited = rename(&h, "headcount").await.unwrap();
    assert!(
        edited.contains("headcount:  int      from \"Number of Employees\"\n"),
        "{edited}"
    );
    assert_eq!(edited.matches("from \"employees\"").count(), 0, "{edited}");
    assert!(edited.contains("headcount in 10..1000"), "{edited}");
}

#[tokio::test]
async fn rename_onto_an_existing_name_is_refused() {
    let h = schema_open("marketers:", 2).await;
    let why = rename(&h, "employees").await.unwrap_err();
    // A segment onto a profile's name, across files.
    let h2 = start_with(
        &[
            ("icp.toml", ""),
            ("schema.icp", SCHEMA),
            ("main.icp", &at(MAIN, "segment owner_ollie", 9)),
        ],
        |p| p == "main.icp",
        snippet_client(),
    )
    .await;
    let why2 = rename(&h2, "mid_market").await.unwrap_err();
    let why3 = rename(&h2, "Account").await.unwrap_err();
    insta::assert_snapshot!(format!(
        "{}\n{}\n{}",
        why.message, why2.message, why3.message
    ));
}

#[tokio::test]
async fn prepare_rename_says_what_cannot_be_renamed() {
    let h = start_with(
        &[
            ("schema.icp", SCHEMA),
            ("main.icp", &at(MAIN, "test \"a 120", 8)),
        ],
        |_| true,
        snippet_client(),
    )
    .await;
    let why = h.backend().prepare_rename(h.position()).await.unwrap_err();
    assert_eq!(why.message, "a test's name is a string: edit it in place");
}

#[tokio::test]
async fn workspace_symbols_include_files_that_are_not_open() {
    let h = schema_open("marketers:", 2).await;
    let res = h
        .backend()
        .symbol(WorkspaceSymbolParams {
            query: "marketer".into(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap();
    let Some(WorkspaceSymbolResponse::Nested(symbols)) = res else {
        panic!("{res:?}")
    };
    let mut found: Vec<String> = symbols
        .iter()
        .map(|s| {
            let tower_lsp_server::ls_types::OneOf::Left(loc) = &s.location else {
                panic!("{s:?}")
            };
            format!("{} {}", s.name, h.show_range(&loc.uri, loc.range))
        })
        .collect();
    found.sort();
    insta::assert_snapshot!(found.join("\n"));
}

#[tokio::test]
async fn hover_follows_a_change_on_disk() {
    let h = start_with(
        &[
            ("icp.toml", ""),
            ("schema.icp", SCHEMA),
            ("main.icp", &at(MAIN, "marketers >= 1", 2)),
        ],
        |p| p == "main.icp",
        snippet_client(),
    )
    .await;
    let hover = || async {
        let res = h
            .backend()
            .hover(HoverParams {
                text_document_position_params: h.position(),
                work_done_progress_params: WorkDoneProgressParams::default(),
            })
            .await
            .unwrap()
            .unwrap();
        let HoverContents::Markup(m) = res.contents else {
            panic!("{res:?}")
        };
        m.value
    };
    let before = hover().await;
    assert!(before.contains("int?"), "{before}");
    h.disk.write(
        format!("{ROOT}/schema.icp"),
        SCHEMA.replace(
            "  marketers:  int?",
            "  marketers:  number from \"Marketers\"",
        ),
    );
    h.backend()
        .did_change_watched_files(DidChangeWatchedFilesParams {
            changes: vec![FileEvent {
                uri: uri("schema.icp"),
                typ: FileChangeType::CHANGED,
            }],
        })
        .await;
    let after = hover().await;
    assert!(
        after.contains("number") && after.contains("Marketers"),
        "{after}"
    );
}

async fn top_level_completion(init: InitializeParams) -> Vec<(String, Option<String>)> {
    let h = start_with(&[("main.icp", "segment a { true }\n$0")], |_| true, init).await;
    let res = h
        .backend()
        .completion(CompletionParams {
            text_document_position: h.position(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
            context: None,
        })
        .await
        .unwrap();
    let Some(CompletionResponse::Array(items)) = res else {
        panic!("{res:?}")
    };
    items
        .into_iter()
        .map(|i| (i.label, i.insert_text))
        .collect()
}

#[tokio::test]
async fn completion_without_snippet_support_inserts_plain_text() {
    let plain = top_level_completion(InitializeParams::default()).await;
    let (_, profile) = plain
        .iter()
        .find(|(l, t)| l.starts_with("profile") && t.is_some())
        .expect("a profile template");
    let profile = profile.clone().unwrap();
    assert!(
        !profile.contains('$') && !profile.contains('\t'),
        "{profile}"
    );
    assert!(profile.starts_with("profile name \"title\" {\n  target segment\n"));
    let snippets = top_level_completion(snippet_client()).await;
    let (_, profile) = snippets
        .iter()
        .find(|(l, t)| l.starts_with("profile") && t.is_some())
        .unwrap();
    assert!(profile.as_deref().unwrap().contains("${1:name}"));
}

// ---- through the transport: what is published ----

fn project_client(disk: &MemoryDisk) -> Client {
    connect(icp_lsp::Settings {
        loader: Arc::new(disk.clone()),
        today: icp_syntax::Date::from_ymd(2027, 1, 15),
        debounce: Duration::from_millis(1),
        request_wait: Duration::from_secs(30),
        list: disk.lister(),
    })
}

async fn open(c: &mut Client, path: &str, version: i32, text: &str) {
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri(path).as_str(), "languageId": "icp", "version": version, "text": text } }),
    )
    .await;
}

/// Wait for a message satisfying `done` that arrived after the first `from` messages.
async fn seen_after(c: &mut Client, from: usize, done: impl Fn(&Value) -> bool) {
    if c.seen.iter().skip(from).any(&done) {
        return;
    }
    c.drain_until(&done, Duration::from_millis(1)).await;
}

fn publishes(path: &str, pred: impl Fn(&[Value]) -> bool) -> impl Fn(&Value) -> bool {
    let u = uri(path).as_str().to_owned();
    move |m: &Value| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == u.as_str()
            && pred(
                m["params"]["diagnostics"]
                    .as_array()
                    .map_or(&[], Vec::as_slice),
            )
    }
}

fn mentions(needle: &'static str) -> impl Fn(&[Value]) -> bool {
    move |ds: &[Value]| {
        ds.iter()
            .any(|d| d["message"].as_str().is_some_and(|m| m.contains(needle)))
    }
}

fn messages(m: &Value) -> Vec<String> {
    m["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{} {} {}",
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                d["range"]["start"]["character"].as_u64().unwrap() + 1,
                d["code"].as_str().unwrap_or(""),
                d["message"].as_str().unwrap().lines().next().unwrap()
            )
        })
        .collect()
}

async fn initialize(c: &mut Client, capabilities: Value) {
    c.request(1, "initialize", json!({ "capabilities": capabilities }))
        .await;
    c.notify("initialized", json!({})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_in_an_import_that_is_not_open_are_published_in_it() {
    let schema = SCHEMA.replace("  arr:", "  cs_team: integer?\n  arr:");
    let disk = MemoryDisk::new([
        (format!("{ROOT}/icp.toml"), String::new()),
        (format!("{ROOT}/schema.icp"), schema),
    ]);
    let mut c = project_client(&disk);
    initialize(&mut c, json!({})).await;
    open(&mut c, "main.icp", 1, MAIN).await;
    seen_after(&mut c, 0, publishes("schema.icp", |ds| !ds.is_empty())).await;
    let schema_uri = uri("schema.icp");
    let published = c.published(schema_uri.as_str());
    let last = published.last().unwrap();
    assert_eq!(last["params"]["version"], Value::Null, "{last}");
    insta::assert_snapshot!(messages(last).join("\n"));

    // The importer points at the import: how many errors, the first one and where.
    seen_after(
        &mut c,
        0,
        publishes("main.icp", mentions("has 1 error; the first")),
    )
    .await;
    let main = c.published(uri("main.icp").as_str());
    let last = main.last().unwrap();
    let import = last["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "icp::import_has_errors")
        .unwrap();
    assert_eq!(import["severity"], 1, "{import}");
    assert_eq!(
        import["range"]["start"]["line"], 0,
        "the `import` line: {import}"
    );
    let related = &import["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], schema_uri.as_str(), "{import}");
    insta::assert_snapshot!("import_line_of_the_importer", messages(last).join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_disk_republishes_the_importer() {
    let disk = MemoryDisk::new([
        (format!("{ROOT}/icp.toml"), String::new()),
        (format!("{ROOT}/schema.icp"), SCHEMA.to_owned()),
    ]);
    let mut c = project_client(&disk);
    initialize(&mut c, json!({})).await;
    open(&mut c, "main.icp", 1, MAIN).await;
    seen_after(&mut c, 0, publishes("main.icp", <[Value]>::is_empty)).await;

    // `sed` removes a field from the schema, which is not open.
    let from = c.seen.len();
    disk.write(
        format!("{ROOT}/schema.icp"),
        SCHEMA.replace("  marketers:  int?", "  // gone"),
    );
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri("schema.icp").as_str(), "type": 2 }] }),
    )
    .await;
    seen_after(&mut c, from, publishes("main.icp", mentions("marketers"))).await;

    // Deleted: the schema's diagnostics are cleared, the importer says the import is gone.
    disk.write(
        format!("{ROOT}/schema.icp"),
        SCHEMA.replace("  arr:", "  cs_team: integer?\n  arr:"),
    );
    let from = c.seen.len();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri("schema.icp").as_str(), "type": 2 }] }),
    )
    .await;
    seen_after(&mut c, from, publishes("schema.icp", mentions("integer"))).await;
    let from = c.seen.len();
    disk.remove(std::path::Path::new(&format!("{ROOT}/schema.icp")));
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri("schema.icp").as_str(), "type": 3 }] }),
    )
    .await;
    seen_after(&mut c, from, publishes("schema.icp", <[Value]>::is_empty)).await;
    seen_after(&mut c, from, publishes("main.icp", mentions("schema.icp"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reused_version_numbers_never_publish_the_wrong_text() {
    let disk = MemoryDisk::new([(format!("{ROOT}/schema.icp"), SCHEMA.to_owned())]);
    let mut c = project_client(&disk);
    initialize(&mut c, json!({})).await;
    let main = uri("main.icp");
    let text = |field: &str| format!("import \"schema.icp\"\nsegment a {{ {field} > 1 }}\n");
    open(&mut c, "main.icp", 1, &text("employees")).await;
    seen_after(&mut c, 0, publishes("main.icp", <[Value]>::is_empty)).await;
    // The same version, another text; then v2, then v1 again with a third text.
    for (version, field) in [(1, "employeez"), (2, "employees"), (1, "marketerz")] {
        let from = c.seen.len();
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": main.as_str(), "version": version },
                "contentChanges": [{ "text": text(field) }]
            }),
        )
        .await;
        let want: Box<dyn Fn(&Value) -> bool> = if field == "employees" {
            Box::new(publishes("main.icp", <[Value]>::is_empty))
        } else {
            mentioning(main.as_str().to_owned(), field.to_owned())
        };
        seen_after(&mut c, from, want).await;
    }
    c.drain(Duration::from_millis(300)).await;
    let published = c.published(main.as_str());
    let last = published.last().unwrap();
    assert_eq!(last["params"]["version"], 1);
    let shown = messages(last);
    assert!(
        shown.len() == 1 && shown[0].contains("marketerz"),
        "{shown:?}"
    );
}

/// A publication for `u` that mentions `field`.
fn mentioning(u: String, field: String) -> Box<dyn Fn(&Value) -> bool> {
    Box::new(move |m: &Value| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == u.as_str()
            && m["params"]["diagnostics"].as_array().is_some_and(|ds| {
                ds.iter().any(|d| {
                    d["message"]
                        .as_str()
                        .is_some_and(|t| t.contains(field.as_str()))
                })
            })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_watcher_is_registered_when_the_client_allows_it() {
    let disk = MemoryDisk::default();
    let mut c = project_client(&disk);
    initialize(
        &mut c,
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
    )
    .await;
    seen_after(&mut c, 0, |m| m["method"] == "client/registerCapability").await;
    let reg = c
        .seen
        .iter()
        .find(|m| m["method"] == "client/registerCapability")
        .unwrap()
        .clone();
    let r = &reg["params"]["registrations"][0];
    assert_eq!(r["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = r["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert!(
        globs.contains(&"**/*.icp") && globs.contains(&"**/icp.toml"),
        "{globs:?}"
    );
    // Without the capability, no registration.
    let mut c = project_client(&disk);
    initialize(&mut c, json!({})).await;
    let ping = c
        .request(2, "workspace/symbol", json!({ "query": "" }))
        .await;
    assert!(ping["result"].is_array(), "{ping}");
    c.drain(Duration::from_millis(100)).await;
    assert!(
        !c.seen
            .iter()
            .any(|m| m["method"] == "client/registerCapability"),
        "registered without the capability"
    );
}
