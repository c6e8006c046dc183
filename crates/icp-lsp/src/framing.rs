//! A guard in front of the JSON-RPC transport: `tower-lsp-server` stops serving at the first
//! message it cannot decode (bad JSON, bad UTF-8, a missing `Content-Length`), so every frame
//! is checked here first. A good frame passes unchanged; a bad one becomes a request to
//! [`INVALID_METHOD`] with `id: null`, which the server answers with the JSON-RPC error
//! (`-32700` parse error, `-32600` invalid request) and goes on.

use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The method bad frames are turned into.
pub const INVALID_METHOD: &str = "icp/invalidMessage";

/// The largest message accepted (bigger ones are skipped and answered with an error).
pub const MAX_MESSAGE: usize = 64 << 20;

/// Why a frame was refused: a JSON-RPC error code and message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Refusal {
    /// `-32700` or `-32600`.
    pub code: i64,
    /// What was wrong.
    pub message: String,
}

fn refusal_frame(code: i64, message: &str) -> Vec<u8> {
    let body = json!({
        "jsonrpc": "2.0",
        "id": null,
        "method": INVALID_METHOD,
        "params": { "code": code, "message": message },
    })
    .to_string();
    frame(body.as_bytes())
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Check one message body: `None` if it is a JSON-RPC request, notification or response.
pub fn check_body(body: &[u8]) -> Option<Refusal> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Some(Refusal {
            code: -32700,
            message: "the message is not valid UTF-8".into(),
        });
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Some(Refusal {
                code: -32700,
                message: format!("the message is not JSON: {e}"),
            });
        }
    };
    let Some(obj) = value.as_object() else {
        return Some(Refusal {
            code: -32600,
            message: "a message must be a JSON object".into(),
        });
    };
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Some(Refusal {
            code: -32600,
            message: "a message must say `\"jsonrpc\": \"2.0\"`".into(),
        });
    }
    let id_ok = obj
        .get("id")
        .is_none_or(|id| id.is_null() || id.is_string() || id.is_i64());
    let is_request = obj.get("method").is_some_and(Value::is_string);
    let is_response =
        obj.contains_key("id") && (obj.contains_key("result") || obj.contains_key("error"));
    let params_ok = obj
        .get("params")
        .is_none_or(|p| p.is_object() || p.is_array() || p.is_null());
    if !id_ok || !(is_request || is_response) || !params_ok {
        return Some(Refusal {
            code: -32600,
            message: "not a JSON-RPC request, notification or response".into(),
        });
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// The longest header block accepted (the `Content-Length` line and any others after it).
pub const MAX_HEADER: usize = 8 << 10;

/// A `Content-Length: N\r\n` line found by [`length_line_at`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// A whole line: where it ends (after its CRLF) and its value (`None`: too big).
    Whole { end: usize, value: Option<usize> },
    /// The bytes end before the line could be told apart from something else.
    Cut,
}

/// Whether a `Content-Length` line starts at `at` (case-insensitive name, blanks around the
/// colon, digits, CRLF). Such a line can never occur inside a JSON text: outside a string a
/// JSON value cannot start with `c`, and inside one a raw CR is not allowed. So wherever it
/// appears, a new message starts there.
fn length_line_at(hay: &[u8], at: usize) -> Option<Line> {
    const NAME: &[u8] = b"content-length";
    let rest = hay.get(at..)?;
    let n = NAME.len().min(rest.len());
    if !rest.get(..n)?.eq_ignore_ascii_case(NAME.get(..n)?) {
        return None;
    }
    if rest.len() < NAME.len() {
        return Some(Line::Cut);
    }
    let mut i = NAME.len();
    // Advance over at most `max` bytes satisfying `ok`: how many, or `None` when the bytes
    // run out first.
    let run = |i: &mut usize, max: usize, ok: fn(u8) -> bool| -> Option<usize> {
        let from = *i;
        while let Some(&b) = rest.get(*i) {
            if !ok(b) || *i - from >= max {
                return Some(*i - from);
            }
            *i += 1;
        }
        None
    };
    let blank = |b: u8| b == b' ' || b == b'\t';
    if run(&mut i, 16, blank).is_none() {
        return Some(Line::Cut);
    }
    match rest.get(i) {
        Some(b':') => i += 1,
        Some(_) => return None,
        None => return Some(Line::Cut),
    }
    if run(&mut i, 16, blank).is_none() {
        return Some(Line::Cut);
    }
    let digits_from = i;
    let Some(digits) = run(&mut i, 20, |b| b.is_ascii_digit()) else {
        return Some(Line::Cut);
    };
    if digits == 0 {
        return None;
    }
    let value = std::str::from_utf8(rest.get(digits_from..i)?)
        .ok()
        .and_then(|d| d.parse::<usize>().ok());
    if run(&mut i, 16, blank).is_none() {
        return Some(Line::Cut);
    }
    match (rest.get(i), rest.get(i + 1)) {
        (Some(b'\r'), Some(b'\n')) => Some(Line::Whole {
            end: at + i + 2,
            value,
        }),
        (Some(b'\r'), None) | (None, _) => Some(Line::Cut),
        _ => None,
    }
}

/// Where the search for a `Content-Length` line stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// A whole line starts here.
    Whole(usize),
    /// A line may start here: more bytes will tell.
    Cut(usize),
    /// No line starts in the range searched.
    Nothing,
}

/// The first `Content-Length` line starting in `from..to` of `hay` (it may run past `to`).
fn find_length_line(hay: &[u8], from: usize, to: usize) -> Found {
    let to = to.min(hay.len());
    let Some(range) = hay.get(from..to) else {
        return Found::Nothing;
    };
    for i in memchr::memchr2_iter(b'c', b'C', range) {
        match length_line_at(hay, from + i) {
            Some(Line::Whole { .. }) => return Found::Whole(from + i),
            Some(Line::Cut) => return Found::Cut(from + i),
            None => {}
        }
    }
    Found::Nothing
}

/// Blank lines and header lines other than `Content-Length` (`Content-Type: ...`): bytes a
/// client may send between messages without anything being wrong. Judged line by line, so
/// that bytes read in any pieces are judged the same.
fn harmless(bytes: &[u8]) -> bool {
    bytes.split_inclusive(|&b| b == b'\n').all(|line| {
        if line.iter().all(u8::is_ascii_whitespace) {
            return true;
        }
        let Some(line) = line.strip_suffix(b"\n") else {
            return false;
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = memchr::memchr(b':', line) else {
            return false;
        };
        let name = line.get(..colon).unwrap_or_default();
        !name.is_empty()
            && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
            && !name.eq_ignore_ascii_case(b"content-length")
    })
}

/// The frame the server is given for a body that passed [`check_body`].
fn pass(body: &[u8]) -> Vec<u8> {
    // A request for an unknown `$/` method must be answered, but tower-lsp-server stays
    // silent (as it may for a `$/` notification): it becomes a refusal with the request's id.
    let value: Option<Value> = serde_json::from_slice(body).ok();
    if let Some(obj) = value.as_ref().and_then(Value::as_object)
        && let Some(id) = obj.get("id")
        && let Some(method) = obj.get("method").and_then(Value::as_str)
        && method.starts_with("$/")
    {
        let body = json!({
            "jsonrpc": "2.0",
            "id": id,
            "method": INVALID_METHOD,
            "params": { "code": -32601, "message": format!("unknown method `{method}`") },
        })
        .to_string();
        return frame(body.as_bytes());
    }
    frame(body)
}

/// Cuts a byte stream into messages, whatever the client sends: a message with a bad body
/// becomes a refusal (see the module documentation), and after bytes that are no message
/// (a wrong or negative `Content-Length`, stray bytes between messages, a header without
/// its body) reading resumes at the next `Content-Length` line.
///
/// A body that is a JSON text of its declared length is never searched; otherwise a
/// `Content-Length: N` line inside the bytes its header claimed (which no JSON text can
/// contain) starts the next message, so a wrong length costs at most the message it was
/// written on. Memory: at most one message ([`MAX_MESSAGE`]) and a header are held.
#[derive(Debug, Default)]
pub struct Deframer {
    buf: Vec<u8>,
    /// Bytes of an oversized message still to skip.
    skip: usize,
    /// How far past the current message's start the search for the next header has looked.
    scanned: usize,
    /// A refusal was sent since the last good message: stray bytes say nothing more.
    refused: bool,
    /// Where big text-sync notifications are put ([`Stash`]), if anywhere.
    stash: Option<std::sync::Arc<Stash>>,
}

/// The method a big `didOpen` or `didChange` becomes ([`Stash`]).
pub const STASHED_METHOD: &str = "icp/stashed";

/// Messages from this size on are stashed when they are text-sync notifications.
pub const STASH_FROM: usize = 1 << 20;

/// Big `textDocument/didOpen` and `didChange` notifications, taken out of the stream by the
/// guard: `tower-lsp-server`'s reader holds a whole message in a buffer that never shrinks
/// (16 MiB after a 10 MB `didOpen`, for the server's life) and parses it into a
/// `serde_json::Value` first. The guard parses such a message into its parameters once, keeps
/// them here under a number, and passes on `{"method": "icp/stashed", "params": {"key": N}}`
/// instead, which the server handles in its place in the stream
/// ([`crate::Backend::stashed`]): the order of messages is kept.
#[derive(Debug, Default)]
pub struct Stash {
    next: std::sync::atomic::AtomicU64,
    map: std::sync::Mutex<std::collections::HashMap<u64, Stashed>>,
}

/// A stashed notification's parameters.
#[derive(Debug)]
pub enum Stashed {
    /// `textDocument/didOpen`.
    Open(tower_lsp_server::ls_types::DidOpenTextDocumentParams),
    /// `textDocument/didChange`.
    Change(tower_lsp_server::ls_types::DidChangeTextDocumentParams),
}

/// The parameters of [`STASHED_METHOD`].
#[derive(Debug, Clone, Copy, serde::Deserialize, serde::Serialize)]
pub struct StashKey {
    /// The number the parameters are kept under.
    pub key: u64,
}

impl Stash {
    /// Take out the parameters kept under `key`. Those kept under smaller numbers go too:
    /// stashed notifications are handled in order, so theirs were dropped by the transport
    /// (sent before `initialize`) and would otherwise stay for the server's life.
    pub fn take(&self, key: u64) -> Option<Stashed> {
        let mut map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let taken = map.remove(&key);
        map.retain(|&k, _| k > key);
        taken
    }

    /// The frame standing for `body`, with its parameters kept, if it is a well-formed
    /// `didOpen` or `didChange` notification.
    fn put(&self, body: &[u8]) -> Option<Vec<u8>> {
        #[derive(serde::Deserialize)]
        struct Method {
            method: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Note<P> {
            jsonrpc: String,
            id: Option<serde::de::IgnoredAny>,
            params: P,
        }
        fn note<P: serde::de::DeserializeOwned>(body: &[u8]) -> Option<P> {
            let n: Note<P> = serde_json::from_slice(body).ok()?;
            (n.jsonrpc == "2.0" && n.id.is_none()).then_some(n.params)
        }
        let method: Method = serde_json::from_slice(body).ok()?;
        let stashed = match method.method.as_deref()? {
            "textDocument/didOpen" => Stashed::Open(note(body)?),
            "textDocument/didChange" => Stashed::Change(note(body)?),
            _ => return None,
        };
        let key = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, stashed);
        let body =
            json!({ "jsonrpc": "2.0", "method": STASHED_METHOD, "params": StashKey { key } })
                .to_string();
        Some(frame(body.as_bytes()))
    }
}

/// A [`Deframer`] buffer larger than this is given back once it is mostly empty.
const SHRINK_ABOVE: usize = 1 << 20;

/// One step of [`Deframer::push`]: how many bytes are done with, and whether to go on.
enum Step {
    /// Done with the bytes before this offset; look again.
    Go(usize),
    /// Done with the bytes before this offset; wait for more input.
    Wait(usize),
}

impl Deframer {
    /// A deframer at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// A deframer putting big text-sync notifications in `stash` ([`Stash`]).
    pub fn stashing(stash: std::sync::Arc<Stash>) -> Self {
        Self {
            stash: Some(stash),
            ..Self::default()
        }
    }

    /// The bytes held, waiting for the rest of a message.
    pub fn held(&self) -> usize {
        self.buf.len()
    }

    /// Read `bytes`; append to `out` the frames to pass on to the server.
    pub fn push(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        self.buf.extend_from_slice(bytes);
        let mut at = 0;
        loop {
            let step = self.step(at, out);
            let (Step::Go(next) | Step::Wait(next)) = step;
            let next = next.min(self.buf.len());
            if next != at {
                self.scanned = 0;
            }
            at = next;
            if matches!(step, Step::Wait(_)) {
                break;
            }
        }
        self.buf.drain(..at);
        // A big message (a 10 MB `didOpen`) must not keep its buffer for the session.
        if self.buf.capacity() > SHRINK_ABOVE && self.buf.len() < self.buf.capacity() / 4 {
            self.buf.shrink_to(self.buf.len().max(SHRINK_ABOVE / 4));
        }
    }

    fn refuse(&mut self, out: &mut Vec<u8>, code: i64, message: &str) {
        out.extend(refusal_frame(code, message));
        self.refused = true;
    }

    /// Bytes that are no message, dropped: said once per run of bad input.
    fn stray(&mut self, at: usize, to: usize, out: &mut Vec<u8>) {
        let bytes = self.buf.get(at..to).unwrap_or_default();
        if self.refused || harmless(bytes) {
            return;
        }
        let header = bytes
            .get(..14)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"content-length"));
        let message = if header {
            "a message header without a valid `Content-Length`"
        } else {
            "bytes outside a message were skipped"
        };
        self.refuse(out, -32700, message);
    }

    fn step(&mut self, at: usize, out: &mut Vec<u8>) -> Step {
        let data = self.buf.get(at..).unwrap_or_default();
        if self.skip > 0 {
            // The rest of an oversized message, unless another message starts inside it.
            let k = self.skip.min(data.len());
            return match find_length_line(data, 0, k) {
                Found::Whole(i) => {
                    self.skip = 0;
                    Step::Go(at + i)
                }
                Found::Cut(i) => {
                    self.skip -= i;
                    Step::Wait(at + i)
                }
                Found::Nothing => {
                    self.skip -= k;
                    if self.skip == 0 {
                        Step::Go(at + k)
                    } else {
                        Step::Wait(at + k)
                    }
                }
            };
        }
        let held_from = match find_length_line(data, 0, data.len()) {
            Found::Whole(0) => None,
            Found::Whole(i) => {
                self.stray(at, at + i, out);
                return Step::Go(at + i);
            }
            Found::Cut(i) => Some(i),
            Found::Nothing => Some(data.len()),
        };
        if let Some(i) = held_from {
            // No message yet: drop the stray bytes a whole line at a time (so that a
            // harmless header line is seen whole), holding at most a header's worth.
            let before = data.get(..i).unwrap_or_default();
            let upto = match memchr::memrchr(b'\n', before) {
                Some(nl) if i - nl <= MAX_HEADER => nl + 1,
                None if i < MAX_HEADER => 0,
                _ => i,
            };
            self.stray(at, at + upto, out);
            return Step::Wait(at + upto);
        }
        let Some(Line::Whole {
            end: line_end,
            value,
        }) = length_line_at(data, 0)
        else {
            return Step::Wait(at);
        };
        // The header block ends at the first empty line; another `Content-Length` line
        // before it means this header lost its body.
        let head = data
            .get(line_end - 2..data.len().min(MAX_HEADER))
            .unwrap_or_default();
        let block_end = find(head, b"\r\n\r\n").map(|i| line_end - 2 + i);
        let search_to = block_end.unwrap_or(data.len()).min(MAX_HEADER);
        if let Found::Whole(next) = find_length_line(data, line_end, search_to) {
            self.refuse(out, -32700, "a message header without its body");
            return Step::Go(at + next);
        }
        let Some(block_end) = block_end else {
            if data.len() >= MAX_HEADER {
                self.refuse(out, -32700, "a message header that does not end");
                return Step::Go(at + line_end);
            }
            return Step::Wait(at);
        };
        let body_start = block_end + 4;
        let len = match value {
            Some(len) if len <= MAX_MESSAGE => len,
            _ => {
                self.refuse(out, -32600, "the message is too large");
                self.skip = value.unwrap_or(usize::MAX);
                return Step::Go(at + body_start);
            }
        };
        let body_end = body_start + len;
        if let Some(body) = data.get(body_start..body_end) {
            if body.len() >= STASH_FROM
                && let Some(frame) = self.stash.as_ref().and_then(|s| s.put(body))
            {
                out.extend(frame);
                self.refused = false;
                return Step::Go(at + body_end);
            }
            let Some(refusal) = check_body(body) else {
                out.extend(pass(body));
                self.refused = false;
                return Step::Go(at + body_end);
            };
            // Not a JSON text: a message cut short by the next one (its length too big)?
            let from = body_start.max(self.scanned);
            return match find_length_line(data, from, body_end) {
                Found::Whole(i) => {
                    self.refuse(out, -32700, "a message shorter than its `Content-Length`");
                    Step::Go(at + i)
                }
                Found::Cut(i) => {
                    // Perhaps a header, cut: wait for the bytes that tell.
                    self.scanned = i;
                    Step::Wait(at)
                }
                Found::Nothing => {
                    self.refuse(out, refusal.code, &refusal.message);
                    Step::Go(at + body_end)
                }
            };
        }
        // The body is still coming, unless the next message already started inside it.
        let from = body_start.max(self.scanned);
        match find_length_line(data, from, data.len()) {
            Found::Whole(i) => {
                self.refuse(out, -32700, "a message shorter than its `Content-Length`");
                Step::Go(at + i)
            }
            Found::Cut(i) => {
                self.scanned = i;
                Step::Wait(at)
            }
            Found::Nothing => {
                self.scanned = data.len();
                Step::Wait(at)
            }
        }
    }
}

/// Copy frames from `input` to `output`, replacing the bad ones and resynchronising after
/// bytes that are no message ([`Deframer`]); returns at the end of the input (or when the
/// server stops reading).
pub async fn sanitize<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    sanitize_with(input, output, Deframer::new()).await;
}

/// [`sanitize`] through the given deframer (one that stashes: [`Deframer::stashing`]).
pub async fn sanitize_with<I, O>(mut input: I, mut output: O, mut deframer: Deframer)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut chunk).await {
            Ok(0) | Err(_) => {
                let _ = output.shutdown().await;
                return;
            }
            Ok(n) => n,
        };
        let mut out = Vec::new();
        deframer.push(chunk.get(..n).unwrap_or_default(), &mut out);
        if !out.is_empty()
            && (output.write_all(&out).await.is_err() || output.flush().await.is_err())
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_text_sync_notifications_are_stashed_in_place() {
        let text = "x".repeat(STASH_FROM);
        let open = json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": { "uri": "file:///a.icp", "languageId": "icp", "version": 1, "text": text } } });
        // A big request (it has an id) and a small notification pass as they are.
        let request = json!({ "jsonrpc": "2.0", "id": 4, "method": "textDocument/didOpen", "params": {
            "textDocument": { "uri": "file:///b.icp", "languageId": "icp", "version": 1, "text": text } } });
        let small = json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": { "uri": "file:///c.icp", "languageId": "icp", "version": 1, "text": "x" } } });
        let stash = std::sync::Arc::new(Stash::default());
        let mut d = Deframer::stashing(stash.clone());
        let mut out = Vec::new();
        for m in [&open, &request, &small] {
            d.push(&frame(m.to_string().as_bytes()), &mut out);
        }
        let mut expected = frame(br#"{"jsonrpc":"2.0","method":"icp/stashed","params":{"key":0}}"#);
        expected.extend(frame(request.to_string().as_bytes()));
        expected.extend(frame(small.to_string().as_bytes()));
        assert!(
            out == expected,
            "{}",
            String::from_utf8_lossy(&out)
                .chars()
                .take(200)
                .collect::<String>()
        );
        match stash.take(0) {
            Some(Stashed::Open(p)) => {
                assert_eq!(p.text_document.text, text);
                assert_eq!(p.text_document.uri.as_str(), "file:///a.icp");
            }
            other => panic!("stashed: {other:?}"),
        }
        assert!(stash.take(0).is_none(), "taken once");
        // Taking a later one forgets the earlier ones (the transport dropped them).
        let mut d = Deframer::stashing(stash.clone());
        let mut out = Vec::new();
        for _ in 0..3 {
            d.push(&frame(open.to_string().as_bytes()), &mut out);
        }
        assert!(matches!(stash.take(3), Some(Stashed::Open(_))));
        assert!(stash.take(1).is_none() && stash.take(2).is_none());
    }

    #[test]
    fn bodies() {
        assert_eq!(check_body(br#"{"jsonrpc":"2.0","method":"x"}"#), None);
        assert_eq!(
            check_body(br#"{"jsonrpc":"2.0","id":1,"result":null}"#),
            None
        );
        assert_eq!(check_body(b"{ nope").map(|r| r.code), Some(-32700));
        assert_eq!(check_body(b"\xff\xfe").map(|r| r.code), Some(-32700));
        assert_eq!(check_body(b"[1]").map(|r| r.code), Some(-32600));
        assert_eq!(
            check_body(br#"{"jsonrpc":"1.0","method":"x"}"#).map(|r| r.code),
            Some(-32600)
        );
        assert_eq!(
            check_body(br#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#).map(|r| r.code),
            Some(-32600)
        );
        assert_eq!(
            check_body(br#"{"jsonrpc":"2.0","method":"x","params":3}"#).map(|r| r.code),
            Some(-32600)
        );
    }

    #[test]
    fn length_lines() {
        let whole = |s: &[u8]| match length_line_at(s, 0) {
            Some(Line::Whole { value, .. }) => value,
            _ => None,
        };
        assert_eq!(whole(b"Content-Length: 12\r\n"), Some(12));
        assert_eq!(whole(b"content-length:7\r\nContent-Type: x"), Some(7));
        assert_eq!(length_line_at(b"Content-Type: x\r\n", 0), None);
        assert_eq!(length_line_at(b"Content-Length: -1\r\n", 0), None);
        assert_eq!(length_line_at(b"Content-Length: 12", 0), Some(Line::Cut));
        assert_eq!(length_line_at(b"Conte", 0), Some(Line::Cut));
        // Inside a JSON string the CR is escaped: no line there.
        assert_eq!(
            find_length_line(br#"{"a":"Content-Length: 5\r\n"}"#, 0, 100),
            Found::Nothing
        );
        assert_eq!(
            whole(b"Content-Length: 99999999999999999999\r\n"),
            None,
            "too big to count"
        );
    }

    /// The bodies the server is given, and the refusal codes, for `input` fed whole and
    /// byte by byte (the same either way).
    fn deframe(input: &[u8]) -> Vec<String> {
        let cut = |chunks: &mut dyn Iterator<Item = &[u8]>| {
            let mut d = Deframer::new();
            let mut out = Vec::new();
            for c in chunks {
                d.push(c, &mut out);
            }
            let text = String::from_utf8(out).unwrap();
            text.split("Content-Length: ")
                .filter(|s| !s.is_empty())
                .map(|f| {
                    let body = f.split_once("\r\n\r\n").unwrap().1;
                    let v: Value = serde_json::from_str(body).unwrap();
                    if v["method"] == INVALID_METHOD {
                        format!("refused {}", v["params"]["code"])
                    } else {
                        v["method"].as_str().unwrap_or("?").to_owned()
                    }
                })
                .collect::<Vec<_>>()
        };
        let whole = cut(&mut std::iter::once(input));
        let bytewise = cut(&mut input.chunks(1));
        assert_eq!(whole, bytewise, "fed whole and byte by byte");
        whole
    }

    fn msg(method: &str) -> Vec<u8> {
        frame(format!(r#"{{"jsonrpc":"2.0","method":"{method}"}}"#).as_bytes())
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn frames_are_passed_or_replaced() {
        let input = cat(&[
            &msg("a"),
            &frame(b"{ bad"),
            &msg("b"),
            b"Garbage\r\n\r\n",
            &msg("c"),
        ]);
        assert_eq!(
            deframe(&input),
            ["a", "refused -32700", "b", "refused -32700", "c"]
        );
    }

    #[test]
    fn a_negative_length_costs_one_message() {
        let body = br#"{"jsonrpc":"2.0","method":"lost"}"#;
        let mut input = format!("Content-Length: -{}\r\n\r\n", body.len()).into_bytes();
        input.extend_from_slice(body);
        let input = cat(&[&msg("a"), &input, &msg("b"), &msg("c")]);
        assert_eq!(deframe(&input), ["a", "refused -32700", "b", "c"]);
    }

    #[test]
    fn a_length_too_big_costs_one_message() {
        let body = br#"{"jsonrpc":"2.0","method":"lost"}"#;
        let mut input = format!("Content-Length: {}\r\n\r\n", body.len() + 40).into_bytes();
        input.extend_from_slice(body);
        let input = cat(&[&msg("a"), &input, &msg("b"), &msg("c")]);
        assert_eq!(deframe(&input), ["a", "refused -32700", "b", "c"]);
        // Far too big: the next message starts inside the claimed body.
        let mut input = b"Content-Length: 1000000\r\n\r\n".to_vec();
        input.extend_from_slice(body);
        assert_eq!(deframe(&cat(&[&input, &msg("b")])), ["refused -32700", "b"]);
    }

    #[test]
    fn a_length_too_small_costs_one_message() {
        let body = br#"{"jsonrpc":"2.0","method":"lost"}"#;
        let mut input = format!("Content-Length: {}\r\n\r\n", body.len() - 5).into_bytes();
        input.extend_from_slice(body);
        let input = cat(&[&msg("a"), &input, &msg("b"), &msg("c")]);
        assert_eq!(deframe(&input), ["a", "refused -32700", "b", "c"]);
    }

    #[test]
    fn stray_bytes_between_messages() {
        let input = cat(&[&msg("a"), b"xy", &msg("b"), &msg("c")]);
        assert_eq!(deframe(&input), ["a", "refused -32700", "b", "c"]);
        // Blank lines and other headers before `Content-Length` are harmless.
        let input = cat(&[
            &msg("a"),
            b"\r\n",
            b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n",
            &msg("b"),
        ]);
        assert_eq!(deframe(&input), ["a", "b"]);
        // Headers after it too.
        let body = br#"{"jsonrpc":"2.0","method":"t"}"#;
        let mut typed =
            format!("Content-Length: {}\r\nContent-Type: x\r\n\r\n", body.len()).into_bytes();
        typed.extend_from_slice(body);
        assert_eq!(deframe(&typed), ["t"]);
    }

    #[test]
    fn a_header_without_a_body() {
        let input = cat(&[
            &msg("a"),
            b"Content-Length: 50\r\n\r\n",
            &msg("b"),
            &msg("c"),
        ]);
        assert_eq!(deframe(&input), ["a", "refused -32700", "b", "c"]);
        // A header line cut short by the next header.
        let input = cat(&[b"Content-Length: 50\r\n", &msg("b")]);
        assert_eq!(deframe(&input), ["refused -32700", "b"]);
    }

    #[test]
    fn an_oversized_message_is_skipped_and_the_next_one_read() {
        let mut input = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1).into_bytes();
        input.extend(std::iter::repeat_n(b' ', 1000));
        // The client gave up on it: the next message starts inside the skipped bytes.
        let input = cat(&[&input, &msg("b")]);
        assert_eq!(deframe(&input), ["refused -32600", "b"]);
    }

    #[test]
    fn dollar_requests_are_answered() {
        let input = frame(br#"{"jsonrpc":"2.0","id":7,"method":"$/nope"}"#);
        let mut d = Deframer::new();
        let mut out = Vec::new();
        d.push(&input, &mut out);
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(INVALID_METHOD) && text.contains("-32601"),
            "{text}"
        );
        assert!(text.contains(r#""id":7"#), "{text}");
        // A `$/` notification passes as it is.
        assert_eq!(deframe(&msg("$/setTrace")), ["$/setTrace"]);
    }

    #[test]
    fn garbage_is_not_held() {
        let mut d = Deframer::new();
        let mut out = Vec::new();
        for _ in 0..100 {
            d.push(&[b'x'; 10_000], &mut out);
        }
        assert!(d.held() <= MAX_HEADER, "{}", d.held());
        let refusals = String::from_utf8(out)
            .unwrap()
            .matches(INVALID_METHOD)
            .count();
        assert_eq!(refusals, 1, "one refusal per run of garbage");
    }

    #[tokio::test]
    async fn sanitize_copies_frames() {
        let input = cat(&[&msg("a"), b"zz", &msg("b")]);
        let mut output = Vec::new();
        sanitize(&input[..], &mut output).await;
        let text = String::from_utf8(output).unwrap();
        assert_eq!(text.matches("Content-Length").count(), 3, "{text}");
    }
}
