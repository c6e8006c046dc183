//! The language server under abuse (issue 10): malformed frames, edit bursts on a big
//! document, a very long line, a sample that is no regular file, `exit` without `shutdown`,
//! `$/` requests. Each promise is checked through the real framing where it concerns it.

#![allow(
    clippy::disallowed_methods,
    reason = "the tests make files, FIFOs and read the clock"
)]

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use icp_check::{LoadError, Loader, MemoryLoader};
use serde_json::{Value, json};
use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, HoverParams, Position, Range, TextDocumentContentChangeEvent,
    TextDocumentIdentifier, TextDocumentPositionParams, VersionedTextDocumentIdentifier,
    WorkDoneProgressParams,
};

use crate::common::{ROOT, SCHEMA, uri};
use crate::transport::{Client, connect};

fn settings(loader: MemoryLoader) -> icp_lsp::Settings {
    icp_lsp::Settings {
        loader: Arc::new(loader),
        today: icp_syntax::Date::from_ymd(2027, 1, 15),
        ..icp_lsp::Settings::default()
    }
}

async fn started() -> Client {
    let loader = MemoryLoader::new()
        .with(format!("{ROOT}/icp.toml"), "")
        .with(format!("{ROOT}/schema.icp"), SCHEMA);
    let mut c = connect(settings(loader));
    let init = c
        .request(1, "initialize", json!({ "capabilities": {} }))
        .await;
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    c.notify("initialized", json!({})).await;
    c
}

fn body(id: i64, method: &str) -> Vec<u8> {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": {
        "textDocument": { "uri": uri("main.icp").as_str() },
        "position": { "line": 0, "character": 0 },
    } })
    .to_string()
    .into_bytes()
}

/// After `bad` bytes, the server still answers: the next request gets its response.
async fn answers_after(bad: &[u8]) {
    let mut c = started().await;
    c.write(bad).await;
    // The bad bytes alone first, as a slow pipe would deliver them.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answer = c
        .request(
            2,
            "textDocument/hover",
            json!({
                "textDocument": { "uri": uri("main.icp").as_str() },
                "position": { "line": 0, "character": 0 },
            }),
        )
        .await;
    assert!(answer.get("result").is_some(), "{answer}");
    // And the one after it.
    let answer = c.request(3, "shutdown", json!(null)).await;
    assert_eq!(answer["result"], json!(null), "{answer}");
    // The bad bytes were reported once.
    assert_eq!(refusals(&c.seen).len(), 1, "{:?}", c.seen);
}

#[tokio::test]
async fn a_negative_content_length() {
    let b = body(9, "textDocument/hover");
    let mut bad = format!("Content-Length: -{}\r\n\r\n", b.len()).into_bytes();
    bad.extend_from_slice(&b);
    answers_after(&bad).await;
}

#[tokio::test]
async fn a_content_length_too_big() {
    let b = body(9, "textDocument/hover");
    let mut bad = format!("Content-Length: {}\r\n\r\n", b.len() + 100).into_bytes();
    bad.extend_from_slice(&b);
    answers_after(&bad).await;
}

#[tokio::test]
async fn a_content_length_too_small() {
    let b = body(9, "textDocument/hover");
    let mut bad = format!("Content-Length: {}\r\n\r\n", b.len() - 7).into_bytes();
    bad.extend_from_slice(&b);
    answers_after(&bad).await;
}

#[tokio::test]
async fn two_stray_bytes_after_a_frame() {
    let b = body(9, "textDocument/hover");
    let mut bad = format!("Content-Length: {}\r\n\r\n", b.len()).into_bytes();
    bad.extend_from_slice(&b);
    bad.extend_from_slice(b"\x01x");
    answers_after(&bad).await;
}

#[tokio::test]
async fn a_header_without_a_body() {
    answers_after(b"Content-Length: 120\r\n\r\n").await;
}

#[tokio::test]
async fn a_content_length_that_is_not_a_number() {
    answers_after(b"Content-Length: lots\r\n\r\n{}").await;
}

#[tokio::test]
async fn a_dollar_request_gets_an_answer() {
    let mut c = started().await;
    let answer = c.request(2, "$/icp/noSuchRequest", json!({})).await;
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    // A `$/` notification is still ignored quietly, and the server goes on.
    c.notify("$/icp/whatever", json!({})).await;
    let answer = c.request(3, "shutdown", json!(null)).await;
    assert_eq!(answer["result"], json!(null), "{answer}");
}

#[tokio::test]
async fn exit_without_shutdown_is_an_abrupt_ending() {
    let mut c = started().await;
    c.notify("exit", json!(null)).await;
    let ending = tokio::time::timeout(Duration::from_secs(30), &mut c.server)
        .await
        .expect("the server stops at `exit`")
        .unwrap();
    assert_eq!(ending, icp_lsp::Ending::Abrupt);
    assert_eq!(ending.code(), 1);

    let mut c = started().await;
    let answer = c.request(2, "shutdown", json!(null)).await;
    assert_eq!(answer["result"], json!(null), "{answer}");
    c.notify("exit", json!(null)).await;
    let ending = tokio::time::timeout(Duration::from_secs(30), &mut c.server)
        .await
        .expect("the server stops at `exit`")
        .unwrap();
    assert_eq!(ending, icp_lsp::Ending::Clean);
    assert_eq!(ending.code(), 0);
}

/// A loader whose reads of the schema take `delay`: every check of a document importing
/// it takes at least that long.
struct Slow {
    files: MemoryLoader,
    delay: Duration,
    reads: AtomicU64,
}

impl Loader for Slow {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        if path.ends_with("schema.icp") {
            self.reads.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(self.delay);
        }
        self.files.load(path)
    }
}

/// About 1 MB of program: the schema import, segments, and a profile over them.
fn big_document() -> String {
    let mut s = String::from("import \"schema.icp\"\n");
    let mut i = 0;
    while s.len() < 1_000_000 {
        let _ = write!(
            s,
            "// segment {i}: a comment long enough to make the document big quickly\nsegment s{i} \"S {i}\" {{ employees > {i} }}\n"
        );
        i += 1;
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_burst_runs_few_checks_and_requests_stay_answered() {
    let delay = Duration::from_millis(1500);
    let loader = Arc::new(Slow {
        files: MemoryLoader::new()
            .with(format!("{ROOT}/icp.toml"), "")
            .with(format!("{ROOT}/schema.icp"), SCHEMA),
        delay,
        reads: AtomicU64::new(0),
    });
    let settings = icp_lsp::Settings {
        loader: loader.clone(),
        today: icp_syntax::Date::from_ymd(2027, 1, 15),
        debounce: Duration::from_millis(1),
        request_wait: Duration::from_millis(200),
        list: icp_lsp::project::fs_lister(),
    };
    let (service, _socket) = tower_lsp_server::LspService::new(move |client| {
        icp_lsp::Backend::with_settings(client, settings)
    });
    let server = service.inner();
    server
        .initialize(tower_lsp_server::ls_types::InitializeParams::default())
        .await
        .unwrap();
    let main = uri("main.icp");
    let text = big_document();
    server
        .did_open(tower_lsp_server::ls_types::DidOpenTextDocumentParams {
            text_document: tower_lsp_server::ls_types::TextDocumentItem {
                uri: main.clone(),
                language_id: "icp".into(),
                version: 0,
                text,
            },
        })
        .await;
    // 50 edits, each after the debounce, all while the first check runs: each used to
    // start a check of its own.
    for version in 1..=50 {
        server
            .did_change(DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier {
                    uri: main.clone(),
                    version,
                },
                content_changes: vec![TextDocumentContentChangeEvent {
                    range: Some(Range {
                        start: Position {
                            line: 1,
                            character: 3,
                        },
                        end: Position {
                            line: 1,
                            character: 3,
                        },
                    }),
                    range_length: None,
                    text: "x".into(),
                }],
            })
            .await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A request during the check is answered promptly: with the answer or with
    // `ContentModified`, never after the check.
    let asked = Instant::now();
    let hover = server
        .hover(HoverParams {
            text_document_position_params: TextDocumentPositionParams {
                text_document: TextDocumentIdentifier { uri: main.clone() },
                position: Position {
                    line: 2,
                    character: 2,
                },
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await;
    let waited = asked.elapsed();
    assert!(
        waited < delay,
        "the hover waited {waited:?} for a check of {delay:?}"
    );
    if let Err(e) = &hover {
        assert_eq!(
            e.code,
            tower_lsp_server::jsonrpc::ErrorCode::ContentModified,
            "{e:?}"
        );
    }
    // The final version gets checked, and the burst cost at most a few checks.
    let deadline = Instant::now() + Duration::from_mins(2);
    while server.world().fresh(&main).is_none() {
        assert!(
            Instant::now() < deadline,
            "the final version was never checked"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(delay * 2).await;
    // Two checks on a quiet machine (the open, then the burst's last text); a loaded one
    // stretches the burst over a few more check lengths. One check per edit would be 51.
    let checks = server.world().checks_run();
    assert!(checks <= 8, "{checks} checks for a burst of 50 edits");
    assert!(
        loader.reads.load(Ordering::Relaxed) <= 8 * 2,
        "{} reads of the schema",
        loader.reads.load(Ordering::Relaxed)
    );
    // Now that the check is done, the hover answers.
    let hover = server
        .hover(HoverParams {
            text_document_position_params: TextDocumentPositionParams {
                text_document: TextDocumentIdentifier { uri: main.clone() },
                position: Position {
                    line: 2,
                    character: 2,
                },
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await;
    assert!(hover.is_ok_and(|h| h.is_some()), "no hover once checked");
}

#[test]
fn folding_a_600_kb_line_is_linear() {
    // Every token on one line: folding used to compute a UTF-16 column per token from the
    // line's start.
    let line = "a { b } // x ".repeat(600_000 / 13);
    let mut src = String::from("segment s {\n");
    src.push_str(&line);
    src.push_str("\n}\n");
    let text = icp_lsp::text::Text::new(src);
    let start = Instant::now();
    let ranges = icp_lsp::features::folding::folding_ranges(&text);
    assert!(!ranges.is_empty());
    // Quadratic, this took minutes in a debug build; linear, well under a second.
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "folding took {:?}",
        start.elapsed()
    );
    // Positions on the long line cost a bounded amount each, far from its start too.
    let start = Instant::now();
    let end = text.src.len() - 3;
    for k in 0..20_000 {
        let _ = text.position(end - k);
    }
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "positions took {:?}",
        start.elapsed()
    );
}

/// The code lens titles of a document in a real project folder with `toml` as its
/// `icp.toml`, computed on another thread: a read that blocks fails the test instead of
/// hanging it.
fn lens_titles(dir: &Path, toml: &str) -> Vec<String> {
    std::fs::write(dir.join("icp.toml"), toml).unwrap();
    std::fs::write(dir.join("schema.icp"), SCHEMA).unwrap();
    let main = dir.join("main.icp");
    let text = "import \"schema.icp\"\nprofile p \"P\" {\n  criterion c \"C\" weight 1 { employees > 1 }\n  tier a >= 1\n  tier b\n}\n";
    std::fs::write(&main, text).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let main_uri = tower_lsp_server::ls_types::Uri::from_file_path(&main).unwrap();
    std::thread::spawn(move || {
        let world = icp_lsp::world::World::new(
            Arc::new(icp_lsp::project::FsLoader),
            icp_syntax::Date::from_ymd(2027, 1, 15),
        );
        world.open(main_uri.clone(), 1, text.to_owned());
        let a = world.analysis(&main_uri).unwrap();
        let lenses = icp_lsp::features::hints::code_lenses(&a, world.loader());
        let titles: Vec<String> = lenses
            .into_iter()
            .filter_map(|l| l.command.map(|c| c.title))
            .collect();
        let _ = tx.send(titles);
    });
    rx.recv_timeout(Duration::from_mins(1))
        .expect("the sample was read without blocking")
}

#[test]
fn a_sample_that_is_a_device_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let titles = lens_titles(dir.path(), "[lsp]\nsample = \"/dev/zero\"\n");
    assert!(
        titles
            .iter()
            .any(|t| t.contains("/dev/zero") && t.contains("not a regular file")),
        "{titles:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_sample_that_is_a_fifo_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("accounts.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let titles = lens_titles(dir.path(), "[lsp]\nsample = \"accounts.csv\"\n");
    assert!(
        titles
            .iter()
            .any(|t| t.contains("accounts.csv") && t.contains("a FIFO")),
        "{titles:?}"
    );
}

#[test]
fn a_huge_sample_is_not_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    // Sparse: no disk space used.
    let big = std::fs::File::create(dir.path().join("accounts.csv")).unwrap();
    big.set_len(10 << 30).unwrap();
    let titles = lens_titles(dir.path(), "[lsp]\nsample = \"accounts.csv\"\n");
    assert!(
        titles
            .iter()
            .any(|t| t.contains("accounts.csv") && t.contains("larger than")),
        "{titles:?}"
    );
}

/// The errors the server sent for messages it could not read.
fn refusals(seen: &[Value]) -> Vec<i64> {
    seen.iter()
        .filter(|m| m["id"].is_null() && m.get("error").is_some())
        .filter_map(|m| m["error"]["code"].as_i64())
        .collect()
}
