//! Language server for the ICP language (`icp lsp`): diagnostics as you type (the same
//! codes and messages as `icp check`), completion in context, hover, go to definition,
//! references, rename, symbols, folding, semantic tokens, quick fixes, inlay hints with each
//! criterion's share of the score, and figures from a sample of accounts.
//!
//! The server speaks LSP over any byte streams; `icp lsp` serves it on stdin/stdout:
//!
//! ```no_run
//! # async fn demo() {
//! icp_lsp::serve(tokio::io::stdin(), tokio::io::stdout()).await;
//! # }
//! ```
//!
//! **Architecture invariant**: edits are applied strictly in the order they arrive (the
//! server handles one message at a time); checks run after a short debounce on a blocking
//! thread, at most one per document at a time (the versions an edit burst went through
//! while one ran are skipped), and only the check of a document's latest version is
//! published, tagged with that version. No check runs on the message loop: a request waits
//! for its document's check a bounded time ([`Settings::request_wait`]), then is answered
//! `ContentModified`. Bad frames never stop the server ([`framing`]). Features are plain functions over an [`world::Analysis`], so tests call them
//! without a transport. **API boundary**: LSP types stay in this crate.

pub mod check_thread;
pub mod config;
pub mod diag;
pub mod direct;
pub mod features;
pub mod framing;
pub mod project;
pub mod server;
pub mod text;
pub mod workspace;
pub mod world;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt as _};
use tower_lsp_server::{LspService, Server};

pub use server::{Backend, Settings};

/// How a session ended: the LSP specification asks for exit code 0 when `shutdown` came
/// before `exit`, and 1 otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown`, then `exit` or the end of the input.
    Clean,
    /// `exit` without `shutdown`, or the input ended without either.
    Abrupt,
}

impl Ending {
    /// The process exit code: 0 for [`Ending::Clean`], 1 for [`Ending::Abrupt`].
    pub fn code(self) -> u8 {
        match self {
            Self::Clean => 0,
            Self::Abrupt => 1,
        }
    }
}

/// Serve the language server over `input`/`output` until the client exits.
pub async fn serve<I, O>(input: I, output: O) -> Ending
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite,
{
    serve_with(input, output, Settings::default()).await
}

/// [`serve`] with the given settings.
pub async fn serve_with<I, O>(input: I, output: O, settings: Settings) -> Ending
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite,
{
    let stash = std::sync::Arc::new(framing::Stash::default());
    let kept = stash.clone();
    let (service, socket) =
        LspService::build(move |client| Backend::with_settings(client, settings).with_stash(kept))
            .custom_method(framing::INVALID_METHOD, Backend::invalid_message)
            .custom_method(framing::STASHED_METHOD, Backend::stashed)
            .finish();
    let backend = service.inner().clone();
    // Bad frames would stop the transport: check each one on its way in (and big text-sync
    // notifications go round it: [`framing::Stash`]).
    let (to_server, from_guard) = tokio::io::duplex(1 << 20);
    let guard = tokio::spawn(framing::sanitize_with(
        input,
        to_server,
        framing::Deframer::stashing(stash),
    ));
    // One channel of whole frames to the output: the transport's, and the big replies
    // written without it ([`direct`]).
    let (frames, mut to_write) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let service = direct::Direct::new(service, backend.clone(), frames.clone());
    let serve = async move {
        // INVARIANT: one message at a time, so a `didChange` is never overtaken by a later
        // request; the slow part (checking) runs on its own tasks.
        Server::new(from_guard, direct::FrameOut::new(frames), socket)
            .concurrency_level(1)
            .serve(service)
            .await;
    };
    let write = async move {
        tokio::pin!(output);
        while let Some(frame) = to_write.recv().await {
            if output.write_all(&frame).await.is_err() || output.flush().await.is_err() {
                return;
            }
        }
    };
    tokio::join!(serve, write);
    guard.abort();
    if backend.has_shut_down() {
        Ending::Clean
    } else {
        Ending::Abrupt
    }
}

/// Serve on stdin/stdout on a new runtime; returns when the client exits, saying how.
pub fn run_stdio() -> std::io::Result<Ending> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let ending = rt.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // The thread blocked reading stdin would keep a plain drop waiting forever.
    rt.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(ending)
}
