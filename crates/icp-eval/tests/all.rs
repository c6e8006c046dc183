//! Every integration test of icp-eval, in one test binary: each file in `tests/` is a module
//! here (run one with `cargo test -p icp-eval --test all FILE::`). One binary links once,
//! where one per file linked the crate and its dependencies once per file (issue 16). The
//! tidy test (icp-host) fails when a file in `tests/` is not declared here.

mod common;
#[path = "common/fixture.rs"]
mod fixture;

mod block;
mod checked;
mod docs_examples;
mod exact;
mod language_md;
mod lint_soundness;
mod properties;
mod revision2_additions;
mod semantics;
