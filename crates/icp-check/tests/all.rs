//! Every integration test of icp-check, in one test binary: each file in `tests/` is a module
//! here (run one with `cargo test -p icp-check --test all FILE::`). One binary links once,
//! where one per file linked the crate and its dependencies once per file (issue 16). The
//! tidy test (icp-host) fails when a file in `tests/` is not declared here.

mod common;

mod api;
mod deep;
mod incremental;
mod invariant;
mod keywords;
mod program;
mod resilience;
mod robust;
mod ui;
