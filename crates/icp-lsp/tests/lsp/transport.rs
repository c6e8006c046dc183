//! A minimal LSP client over an in-process pipe, speaking the real `Content-Length` framing
//! to `icp_lsp::serve_with`.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::mpsc;

pub struct Client {
    write: WriteHalf<DuplexStream>,
    /// The server task: how the session ended.
    pub server: tokio::task::JoinHandle<icp_lsp::Ending>,
    incoming: mpsc::UnboundedReceiver<Value>,
    /// Every message received so far, in order.
    pub seen: Vec<Value>,
}

/// Start a server with `settings` and a client talking to it.
pub fn connect(settings: icp_lsp::Settings) -> Client {
    let (client_side, server_side) = tokio::io::duplex(1 << 22);
    let (server_read, server_write) = tokio::io::split(server_side);
    let server = tokio::spawn(icp_lsp::serve_with(server_read, server_write, settings));
    let (read, write) = tokio::io::split(client_side);
    let (tx, incoming) = mpsc::unbounded_channel();
    tokio::spawn(read_loop(read, tx));
    Client {
        write,
        server,
        incoming,
        seen: Vec::new(),
    }
}

async fn read_loop(mut read: ReadHalf<DuplexStream>, tx: mpsc::UnboundedSender<Value>) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 65536];
    loop {
        // Parse every complete frame in the buffer.
        while let Some(end) = find(&buf, b"\r\n\r\n") {
            let header = String::from_utf8_lossy(&buf[..end]).to_string();
            let len: usize = header
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .and_then(|n| n.trim().parse().ok())
                .expect("a Content-Length header");
            if buf.len() < end + 4 + len {
                break;
            }
            let body = buf[end + 4..end + 4 + len].to_vec();
            buf.drain(..end + 4 + len);
            let value: Value = serde_json::from_slice(&body).expect("valid JSON from the server");
            if tx.send(value).is_err() {
                return;
            }
        }
        match read.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl Client {
    /// Send raw bytes as one framed message body.
    pub async fn send_raw(&mut self, body: &[u8]) {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.write.write_all(header.as_bytes()).await.unwrap();
        self.write.write_all(body).await.unwrap();
        self.write.flush().await.unwrap();
    }

    /// Send bytes as they are, without framing.
    pub async fn write(&mut self, bytes: &[u8]) {
        self.write.write_all(bytes).await.unwrap();
        self.write.flush().await.unwrap();
    }

    /// `initialize` (as request `id`, no client capabilities), then `initialized`; returns
    /// the reply to `initialize`.
    pub async fn initialize(&mut self, id: i64) -> Value {
        let init = self
            .request(id, "initialize", json!({ "capabilities": {} }))
            .await;
        self.notify("initialized", json!({})).await;
        init
    }

    /// `textDocument/didOpen` of an icp document.
    pub async fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "icp", "version": version, "text": text } }),
        )
        .await;
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        let msg = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        self.send_raw(msg.to_string().as_bytes()).await;
    }

    /// Send a request and wait for its response (notifications on the way are kept).
    pub async fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        let msg = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        self.send_raw(msg.to_string().as_bytes()).await;
        self.response(id).await
    }

    /// Wait for the response with this id.
    pub async fn response(&mut self, id: i64) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(30), self.incoming.recv())
                .await
                .expect("a response within 30 s")
                .expect("the server is still there");
            self.seen.push(msg.clone());
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
        }
    }

    /// Read messages until none arrives for `quiet`.
    pub async fn drain(&mut self, quiet: Duration) {
        while let Ok(Some(msg)) = tokio::time::timeout(quiet, self.incoming.recv()).await {
            self.seen.push(msg);
        }
    }

    /// Read messages until one satisfies `done` (30 s at most), then until none arrives for
    /// `quiet`: unlike a fixed quiet period alone, a slow machine cannot end the wait early.
    pub async fn drain_until(&mut self, done: impl Fn(&Value) -> bool, quiet: Duration) {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(30), self.incoming.recv())
                .await
                .expect("the awaited message within 30 s")
                .expect("the server is still there");
            let found = done(&msg);
            self.seen.push(msg);
            if found {
                break;
            }
        }
        self.drain(quiet).await;
    }

    /// Every `publishDiagnostics` seen for `uri`, in order.
    pub fn published(&self, uri: &str) -> Vec<&Value> {
        self.seen
            .iter()
            .filter(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
            })
            .collect()
    }
}
