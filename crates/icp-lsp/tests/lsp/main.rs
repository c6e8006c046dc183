//! In-process tests of the language server: each drives the `Backend` directly (no
//! transport) on a memory project and snapshots the answer with the cursor marked `$0`;
//! `ordering` speaks the real JSON-RPC framing over an in-process pipe.

mod common;
mod transport;

mod completion;
mod diagnostics;
mod hover;
mod navigation;
mod outline;
mod actions;
mod ordering;
