//! The language server fuzzer's harness, shared by the `fuzz_lsp` example (long runs) and
//! the `fuzz` test (a short deterministic run in CI).
//!
//! A session starts a server on an in-process pipe (the real framing, [`icp_lsp::serve_with`])
//! over a memory project, sends a random sequence of messages (initialize, didOpen of a
//! bundled program, didChange with random ranges and texts: surrogate pairs, positions past
//! the end, whole replacements; hover, completion, definition and every other request at
//! random positions; garbage frames, wrong `Content-Length`s, stray bytes, `$/` requests),
//! then one last request. The oracle: no panic anywhere (a hook counts them, the server's
//! own guard included), the last request is answered, and the process' memory stays
//! under a bound.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

use icp_check::MemoryLoader;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Print what the server says (for looking into a finding).
pub static DEBUG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Panics seen since the hook was installed, anywhere in the process.
pub static PANICS: AtomicU64 = AtomicU64::new(0);

/// Count every panic (then do what the previous hook did).
pub fn install_panic_counter() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

/// Bundled programs the documents start from.
const PROGRAMS: &[&str] = &[
    include_str!("../../../icp-syntax/tests/data/language_md.icp"),
    include_str!("../../../../examples/fintech-b2b/fintech.icp"),
    include_str!("../../../../examples/helpdesk-saas/profile.icp"),
    include_str!("../../../../examples/marketing-agency/agency.icp"),
    "segment s { x > 1 }\n",
    "",
];

const SCHEMA: &str = include_str!("../../../../examples/helpdesk-saas/schema.icp");

/// Texts inserted by edits: surrogate pairs, line ends, brackets, keywords, broken bits.
const SNIPPETS: &[&str] = &[
    "",
    "x",
    "😀",
    "🎉a",
    "\u{10348}",
    "ש",
    "\n",
    "\r\n",
    "\r",
    "{",
    "}",
    "\"",
    "//",
    "segment z { employees > 1 }\n",
    "criterion c \"C\" weight 5 { ",
    "profile p for Account {\n",
    "import \"schema.icp\"\n",
    "tier a >= 50\n",
    " and ",
    "$1M",
    "50%",
    "in 1..",
    "\u{0}",
    "\u{feff}",
    "é",
];

/// xorshift64*: small, fast and good enough to pick messages.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0 | 1;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// The session's documents, as the fuzzer believes they are (lines only matter).
struct Doc {
    uri: String,
    version: i64,
    lines: u32,
}

/// A random position: usually inside the document, sometimes past its end or absurd.
fn position(rng: &mut Rng, doc: &Doc) -> Value {
    let line = match rng.below(10) {
        0 => u64::from(u32::MAX),
        1 => u64::from(doc.lines) + rng.below(5) as u64,
        _ => rng.below(doc.lines as usize + 1) as u64,
    };
    let character = match rng.below(10) {
        0 => u64::from(u32::MAX),
        1 => 1000 + rng.below(100_000) as u64,
        _ => rng.below(90) as u64,
    };
    json!({ "line": line, "character": character })
}

const REQUESTS: &[&str] = &[
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/prepareRename",
    "textDocument/rename",
    "textDocument/documentSymbol",
    "textDocument/foldingRange",
    "textDocument/semanticTokens/full",
    "textDocument/codeAction",
    "textDocument/inlayHint",
    "textDocument/codeLens",
    "workspace/symbol",
];

/// One random message (or bytes that are none), as bytes on the wire.
fn message(rng: &mut Rng, docs: &mut Vec<Doc>, next_id: &mut i64) -> Vec<u8> {
    let id = *next_id;
    *next_id += 1;
    let doc_index = rng.below(docs.len().max(1));
    match rng.below(100) {
        // Open a document (a bundled program, maybe cut).
        0..=7 => {
            let mut text = (*rng.pick(PROGRAMS).unwrap_or(&"")).to_owned();
            if rng.chance(30) {
                let mut cut = rng.below(text.len() + 1);
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
            }
            if rng.chance(3) {
                // A long line.
                text.push_str(&"a { b } 😀 ".repeat(20_000));
            }
            let name = ["main", "other", "third"]
                .get(rng.below(3))
                .copied()
                .unwrap_or("main");
            let uri = format!("file:///fuzz/{name}.icp");
            let lines = text.matches('\n').count() as u32 + 1;
            docs.retain(|d| d.uri != uri);
            docs.push(Doc {
                uri: uri.clone(),
                version: 1,
                lines,
            });
            frame(
                json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
                    "textDocument": { "uri": uri, "languageId": "icp", "version": 1, "text": text }
                } })
                .to_string()
                .as_bytes(),
            )
        }
        // Edit.
        8..=49 if !docs.is_empty() => {
            let Some(doc) = docs.get_mut(doc_index) else {
                return Vec::new();
            };
            doc.version += if rng.chance(5) { -1 } else { 1 };
            let mut changes = Vec::new();
            for _ in 0..=rng.below(3) {
                let mut text = String::new();
                for _ in 0..rng.below(4) {
                    text.push_str(rng.pick(SNIPPETS).unwrap_or(&""));
                }
                doc.lines += text.matches('\n').count() as u32;
                if rng.chance(4) {
                    let whole = rng.pick(PROGRAMS).unwrap_or(&"");
                    doc.lines = whole.matches('\n').count() as u32 + 1;
                    changes.push(json!({ "text": whole }));
                } else {
                    let a = position(rng, doc);
                    let b = if rng.chance(70) {
                        a.clone()
                    } else {
                        position(rng, doc)
                    };
                    changes.push(json!({ "range": { "start": a, "end": b }, "text": text }));
                }
            }
            let body = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": { "uri": doc.uri, "version": doc.version },
                "contentChanges": changes,
            } })
            .to_string();
            // Now and then a lone surrogate, which JSON allows to write but no string holds.
            let body = if rng.chance(3) {
                body.replacen("\"text\":\"", "\"text\":\"\\ud83d", 1)
            } else {
                body
            };
            frame(body.as_bytes())
        }
        // A request.
        50..=84 => {
            let method = *rng.pick(REQUESTS).unwrap_or(&"textDocument/hover");
            let uri = docs
                .get(doc_index)
                .map_or_else(|| "file:///fuzz/none.icp".to_owned(), |d| d.uri.clone());
            let pos = docs.get(doc_index).map_or_else(
                || json!({ "line": 0, "character": 0 }),
                |d| position(rng, d),
            );
            let end = docs.get(doc_index).map_or_else(
                || json!({ "line": 0, "character": 0 }),
                |d| position(rng, d),
            );
            let new_name = ["renamed", "", "a b", "😀"]
                .get(rng.below(4))
                .copied()
                .unwrap_or("x");
            let params = json!({
                "textDocument": { "uri": uri },
                "position": pos,
                "range": { "start": pos, "end": end },
                "context": { "includeDeclaration": true, "diagnostics": [] },
                "newName": new_name,
                "query": "",
            });
            frame(
                json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
                    .to_string()
                    .as_bytes(),
            )
        }
        // Save or close.
        85..=87 if !docs.is_empty() => {
            let uri = docs
                .get(doc_index)
                .map(|d| d.uri.clone())
                .unwrap_or_default();
            let method = if rng.chance(50) {
                docs.retain(|d| d.uri != uri);
                "textDocument/didClose"
            } else {
                "textDocument/didSave"
            };
            frame(
                json!({ "jsonrpc": "2.0", "method": method, "params": { "textDocument": { "uri": uri } } })
                    .to_string()
                    .as_bytes(),
            )
        }
        // Protocol oddities.
        88..=91 => {
            let body = match rng.below(6) {
                0 => json!({ "jsonrpc": "2.0", "id": id, "method": "$/icp/nothing" }),
                1 => {
                    json!({ "jsonrpc": "2.0", "method": "$/cancelRequest", "params": { "id": id - 1 } })
                }
                2 => {
                    json!({ "jsonrpc": "2.0", "id": id, "method": "initialize", "params": { "capabilities": {} } })
                }
                3 => json!({ "jsonrpc": "2.0", "id": id, "result": null }),
                4 => {
                    json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": { "textDocument": 3 } })
                }
                _ => json!({ "jsonrpc": "2.0", "id": id, "method": "icp/unknown", "params": [] }),
            };
            frame(body.to_string().as_bytes())
        }
        // Bytes that are no message.
        _ => {
            let body = br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
            match rng.below(8) {
                0 => {
                    let mut b = format!("Content-Length: -{}\r\n\r\n", body.len()).into_bytes();
                    b.extend_from_slice(body);
                    b
                }
                1 => {
                    let mut b = format!(
                        "Content-Length: {}\r\n\r\n",
                        body.len() + rng.below(200) + 1
                    )
                    .into_bytes();
                    b.extend_from_slice(body);
                    b
                }
                2 => {
                    let mut b = format!(
                        "Content-Length: {}\r\n\r\n",
                        body.len().saturating_sub(rng.below(body.len()) + 1)
                    )
                    .into_bytes();
                    b.extend_from_slice(body);
                    b
                }
                3 => b"\r\nx"
                    .get(..1 + rng.below(3))
                    .unwrap_or_default()
                    .to_vec(),
                4 => format!("Content-Length: {}\r\n\r\n", rng.below(500)).into_bytes(),
                5 => (0..rng.below(64)).map(|_| rng.below(256) as u8).collect(),
                6 => frame(b"{ not json"),
                _ => b"Content-Length: 99999999999999999999999\r\n\r\n".to_vec(),
            }
        }
    }
}

/// What a session found wrong.
#[derive(Debug)]
pub struct Finding {
    /// What went wrong.
    pub what: String,
    /// Every byte sent to the server, in order.
    pub input: Vec<u8>,
}

/// The resident memory of this process, in bytes (Linux; `None` elsewhere).
pub fn rss() -> Option<u64> {
    #[allow(
        clippy::disallowed_methods,
        reason = "the fuzzer watches its own memory"
    )]
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The most resident memory a session may leave the process with.
pub const MAX_RSS: u64 = 2 << 30;

/// The random input of session `seed`: `messages` messages, then the last request.
pub fn input(seed: u64, messages: usize) -> Vec<u8> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut docs = Vec::new();
    let mut next_id = 2;
    let mut out = Vec::new();
    if !rng.chance(5) {
        out.extend(frame(
            json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} } })
                .to_string()
                .as_bytes(),
        ));
        out.extend(frame(
            br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ));
    }
    for _ in 0..messages {
        out.extend(message(&mut rng, &mut docs, &mut next_id));
    }
    out
}

/// The id of the last request of every session.
pub const LAST: i64 = 1_000_000_000;

/// Feed `input` to a new server in chunks of random sizes, then ask the last request;
/// `Err` if the server panicked, did not answer it within `patience`, or the memory went
/// over [`MAX_RSS`].
pub async fn run(input: &[u8], patience: Duration) -> Result<(), Finding> {
    let finding = |what: String| Finding {
        what,
        input: input.to_vec(),
    };
    let panics = PANICS.load(Ordering::SeqCst);
    let loader = MemoryLoader::new()
        .with("/fuzz/icp.toml", "")
        .with("/fuzz/schema.icp", SCHEMA);
    let settings = icp_lsp::Settings {
        loader: Arc::new(loader),
        today: icp_syntax::Date::from_ymd(2027, 1, 15),
        debounce: Duration::from_millis(1),
        request_wait: Duration::from_millis(50),
        list: icp_lsp::project::fs_lister(),
    };
    let (client, server) = tokio::io::duplex(1 << 20);
    let (server_read, server_write) = tokio::io::split(server);
    let session = tokio::spawn(icp_lsp::serve_with(server_read, server_write, settings));
    let (mut read, mut write) = tokio::io::split(client);
    // Read everything the server says, looking for the answer to the last request.
    let reader = tokio::spawn(async move {
        let mut buf: Vec<u8> = Vec::new();
        let mut chunk = vec![0u8; 1 << 16];
        loop {
            match read.read(&mut chunk).await {
                Ok(0) | Err(_) => return false,
                Ok(n) => {
                    if DEBUG.load(Ordering::Relaxed) {
                        eprintln!(
                            "<< {}",
                            String::from_utf8_lossy(chunk.get(..n).unwrap_or_default())
                        );
                    }
                    buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
                }
            }
            // Keep only what may hold the answer's start (the server's own frames are
            // well formed: cut at the last header).
            let needle = format!("\"id\":{LAST}");
            if memchr::memmem::find(&buf, needle.as_bytes()).is_some() {
                return true;
            }
            if buf.len() > 1 << 16 {
                let keep = buf.len() - 256;
                buf.drain(..keep);
            }
        }
    });
    // Everything under one deadline: a server that stops reading blocks the writes too.
    let talk = async {
        let mut rng = Rng(input.len() as u64 | 1);
        let mut at = 0;
        while at < input.len() {
            let n = (1 + rng.below(8192)).min(input.len() - at);
            if write
                .write_all(input.get(at..at + n).unwrap_or_default())
                .await
                .is_err()
            {
                break;
            }
            at += n;
            if rng.chance(10) {
                tokio::task::yield_now().await;
            }
        }
        let last = frame(
            json!({ "jsonrpc": "2.0", "id": LAST, "method": "workspace/symbol", "params": { "query": "" } })
                .to_string()
                .as_bytes(),
        );
        let _ = write.write_all(&last).await;
        let _ = write.flush().await;
        reader.await
    };
    let result = match tokio::time::timeout(patience, talk).await {
        Ok(Ok(true)) => Ok(()),
        Ok(_) => Err(finding(
            "the server closed without answering the last request".into(),
        )),
        Err(_) => Err(finding(format!(
            "no answer to the last request within {patience:?}"
        ))),
    };
    let _ = write.shutdown().await;
    drop(write);
    session.abort();
    result?;
    let now = PANICS.load(Ordering::SeqCst);
    if now != panics {
        return Err(finding(format!(
            "{} panic(s) during the session",
            now - panics
        )));
    }
    if let Some(rss) = rss()
        && rss > MAX_RSS
    {
        return Err(finding(format!("resident memory {} MiB", rss >> 20)));
    }
    Ok(())
}
