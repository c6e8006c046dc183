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
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The `Content-Length` of a header block, if it has a valid one.
fn content_length(header: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(header).ok()?;
    text.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())
            .flatten()
    })
}

/// Copy frames from `input` to `output`, replacing the bad ones; returns at the end of the
/// input (or when the server stops reading).
pub async fn sanitize<I, O>(mut input: I, mut output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    // Bytes of an oversized body still to skip.
    let mut skip = 0usize;
    loop {
        let mut out: Vec<u8> = Vec::new();
        loop {
            if skip > 0 {
                let n = skip.min(buf.len());
                buf.drain(..n);
                skip -= n;
                if skip > 0 {
                    break;
                }
                out.extend(refusal_frame(-32600, "the message is too large"));
            }
            let Some(end) = find(&buf, b"\r\n\r\n") else {
                // Garbage without any header end: keep at most a little of it.
                if buf.len() > MAX_MESSAGE {
                    buf.clear();
                    out.extend(refusal_frame(-32700, "no message header"));
                }
                break;
            };
            let header = buf.get(..end).unwrap_or_default();
            match content_length(header) {
                Some(len) if len > MAX_MESSAGE => {
                    buf.drain(..end + 4);
                    skip = len;
                }
                Some(len) => {
                    let Some(body) = buf.get(end + 4..end + 4 + len) else {
                        break;
                    };
                    match check_body(body) {
                        None => out.extend(frame(body)),
                        Some(r) => out.extend(refusal_frame(r.code, &r.message)),
                    }
                    buf.drain(..end + 4 + len);
                }
                None => {
                    // No usable header: drop it and resynchronise on the next one.
                    buf.drain(..end + 4);
                    if let Some(next) = find(&buf, b"Content-Length") {
                        buf.drain(..next);
                    }
                    out.extend(refusal_frame(
                        -32700,
                        "a message header without a valid `Content-Length`",
                    ));
                }
            }
        }
        if !out.is_empty()
            && (output.write_all(&out).await.is_err() || output.flush().await.is_err())
        {
            return;
        }
        match input.read(&mut chunk).await {
            Ok(0) | Err(_) => {
                let _ = output.shutdown().await;
                return;
            }
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn headers() {
        assert_eq!(content_length(b"Content-Length: 12"), Some(12));
        assert_eq!(
            content_length(b"content-length:7\r\nContent-Type: x"),
            Some(7)
        );
        assert_eq!(content_length(b"Content-Type: x"), None);
        assert_eq!(content_length(b"Content-Length: -1"), None);
    }

    #[tokio::test]
    async fn frames_are_passed_or_replaced() {
        let mut input = Vec::new();
        input.extend(frame(br#"{"jsonrpc":"2.0","method":"a"}"#));
        input.extend(frame(b"{ bad"));
        input.extend_from_slice(b"Garbage: yes\r\n\r\n");
        input.extend(frame(br#"{"jsonrpc":"2.0","method":"b"}"#));
        let mut output = Vec::new();
        sanitize(&input[..], &mut output).await;
        let text = String::from_utf8(output).unwrap();
        let bodies: Vec<&str> = text
            .split("\r\n\r\n")
            .skip(1)
            .map(|b| b.split("Content-Length").next().unwrap())
            .collect();
        assert_eq!(bodies.len(), 4, "{text}");
        assert!(bodies[0].contains(r#""method":"a""#));
        assert!(bodies[1].contains(INVALID_METHOD) && bodies[1].contains("-32700"));
        assert!(bodies[2].contains(INVALID_METHOD));
        assert!(bodies[3].contains(r#""method":"b""#));
    }
}
