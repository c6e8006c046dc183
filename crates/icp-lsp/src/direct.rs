//! Replies written straight to the output, for the requests whose answer is big.
//!
//! `tower-lsp-server` turns every result into a `serde_json::Value` before writing it: a map
//! per JSON object, so the 2.2 MiB document symbols of a 10 MB file take about 70 MB for as
//! long as the reply is written, more than the whole analysis gains from an edit. [`Direct`]
//! sits in front of the service and answers `textDocument/documentSymbol` and
//! `textDocument/semanticTokens/full` itself: it calls the same [`Backend`] method the
//! service would, writes the result as JSON bytes into the output ([`FrameOut`]), and tells
//! the service's transport there is nothing to write. Everything else, and these requests
//! before `initialize` or after `shutdown` (the service answers them with its errors), goes
//! to the service unchanged.
//!
//! The output is one channel of whole frames: the transport's writes are cut into frames
//! ([`FrameOut`]), and a direct reply is one frame, so the two never interleave.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::LanguageServer;
use tower_lsp_server::jsonrpc::{Id, Request, Response};
use tower_lsp_server::ls_types::{DocumentSymbolParams, SemanticTokensParams};

use crate::Backend;

/// The transport's output: its bytes are cut into whole frames, each sent on the channel.
#[derive(Debug)]
pub struct FrameOut {
    frames: UnboundedSender<Vec<u8>>,
    pending: Vec<u8>,
}

impl FrameOut {
    /// An output sending whole frames on `frames`.
    pub fn new(frames: UnboundedSender<Vec<u8>>) -> Self {
        Self {
            frames,
            pending: Vec::new(),
        }
    }

    /// The length of the first whole frame of `pending`, if it holds one.
    fn whole_frame(&self) -> Option<usize> {
        let header_end = memchr::memmem::find(&self.pending, b"\r\n\r\n")?;
        let header = std::str::from_utf8(self.pending.get(..header_end)?).ok()?;
        let len: usize = header.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })?;
        let end = header_end + 4 + len;
        (self.pending.len() >= end).then_some(end)
    }
}

impl tokio::io::AsyncWrite for FrameOut {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.pending.extend_from_slice(buf);
        while let Some(end) = self.whole_frame() {
            let rest = self.pending.split_off(end);
            let frame = std::mem::replace(&mut self.pending, rest);
            if self.frames.send(frame).is_err() {
                return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
            }
        }
        if self.pending.is_empty() {
            // A big reply's buffer is not kept.
            self.pending = Vec::new();
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The service, with the big replies written directly (see the module documentation).
#[derive(Debug)]
pub struct Direct<S> {
    inner: S,
    backend: Backend,
    frames: UnboundedSender<Vec<u8>>,
}

impl<S> Direct<S> {
    /// `inner` answering everything but the requests [`Backend`] answers straight into
    /// `frames`.
    pub fn new(inner: S, backend: Backend, frames: UnboundedSender<Vec<u8>>) -> Self {
        Self {
            inner,
            backend,
            frames,
        }
    }
}

type Answer<E> = Pin<Box<dyn Future<Output = Result<Option<Response>, E>> + Send>>;

impl<S> tower_service::Service<Request> for Direct<S>
where
    S: tower_service::Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Answer<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match self.direct(req) {
            Ok(answer) => answer,
            Err(req) => Box::pin(self.inner.call(req)),
        }
    }
}

impl<S> Direct<S> {
    /// The direct answer to `req`, or `req` back for the service.
    fn direct<E: Send + 'static>(&self, req: Request) -> Result<Answer<E>, Request> {
        if !self.backend.is_initialized() || self.backend.has_shut_down() {
            return Err(req);
        }
        let (Some(id), Some(params)) = (req.id(), req.params()) else {
            return Err(req);
        };
        let (id, backend, frames) = (id.clone(), self.backend.clone(), self.frames.clone());
        match req.method() {
            "textDocument/documentSymbol" => {
                let Ok(params) = DocumentSymbolParams::deserialize(params) else {
                    return Err(req);
                };
                Ok(Box::pin(async move {
                    let result = backend.document_symbol(params).await;
                    send(&frames, &id, &result);
                    Ok(None)
                }))
            }
            "textDocument/semanticTokens/full" => {
                let Ok(params) = SemanticTokensParams::deserialize(params) else {
                    return Err(req);
                };
                Ok(Box::pin(async move {
                    let result = backend.semantic_tokens_full(params).await;
                    send(&frames, &id, &result);
                    Ok(None)
                }))
            }
            _ => Err(req),
        }
    }
}

use serde::Deserialize as _;

/// A JSON-RPC response with a result.
#[derive(Serialize)]
struct Success<'a, T> {
    jsonrpc: &'static str,
    result: &'a T,
    id: &'a Id,
}

/// A JSON-RPC response with an error.
#[derive(Serialize)]
struct Failure<'a> {
    jsonrpc: &'static str,
    error: &'a tower_lsp_server::jsonrpc::Error,
    id: &'a Id,
}

/// Write the response to request `id` as one frame.
fn send<T: Serialize>(
    frames: &UnboundedSender<Vec<u8>>,
    id: &Id,
    result: &tower_lsp_server::jsonrpc::Result<T>,
) {
    let body = match result {
        Ok(result) => serde_json::to_vec(&Success {
            jsonrpc: "2.0",
            result,
            id,
        }),
        Err(error) => serde_json::to_vec(&Failure {
            jsonrpc: "2.0",
            error,
            id,
        }),
    };
    let body = body.unwrap_or_else(|e| {
        let error = tower_lsp_server::jsonrpc::Error {
            code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
            message: e.to_string().into(),
            data: None,
        };
        serde_json::to_vec(&Failure {
            jsonrpc: "2.0",
            error: &error,
            id,
        })
        .unwrap_or_default()
    });
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(&body);
    let _ = frames.send(frame);
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt as _;

    use super::FrameOut;

    #[tokio::test]
    async fn writes_cut_anywhere_come_out_as_whole_frames() {
        let frames: Vec<u8> = [r#"{"a":1}"#, "", r#"{"b":"Content-Length: 3"}"#]
            .iter()
            .flat_map(|b| {
                let mut f = format!("Content-Length: {}\r\n\r\n", b.len()).into_bytes();
                f.extend_from_slice(b.as_bytes());
                f
            })
            .collect();
        for cut in [1, 5, 17, 19, 20, 26, 40] {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let mut out = FrameOut::new(tx);
            let (a, b) = frames.split_at(cut.min(frames.len()));
            out.write_all(a).await.unwrap();
            out.write_all(b).await.unwrap();
            drop(out);
            let mut got = Vec::new();
            while let Some(f) = rx.recv().await {
                got.push(String::from_utf8(f).unwrap());
            }
            assert_eq!(
                got,
                [
                    "Content-Length: 7\r\n\r\n{\"a\":1}",
                    "Content-Length: 0\r\n\r\n",
                    "Content-Length: 25\r\n\r\n{\"b\":\"Content-Length: 3\"}",
                ],
                "cut at {cut}"
            );
        }
    }
}
