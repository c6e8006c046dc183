//! In-process tests of the language server: each drives the `Backend` directly (no
//! transport) on a memory project and snapshots the answer with the cursor marked `$0`;
//! `ordering` speaks the real JSON-RPC framing over an in-process pipe.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

mod common;
mod transport;

mod abuse;
mod actions;
mod completion;
mod config;
mod diagnostics;
mod direct;
mod fuzz;
mod hover;
mod keywords;
mod navigation;
mod ordering;
mod outline;
mod project;
mod resilience;
mod robustness;
mod run;
mod sample;
mod structure;
