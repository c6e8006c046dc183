//! Every integration test of icp-syntax, in one test binary: each file in `tests/` is a module
//! here (run one with `cargo test -p icp-syntax --test all FILE::`). One binary links once,
//! where one per file linked the crate and its dependencies once per file (issue 16). The
//! tidy test (icp-host) fails when a file in `tests/` is not declared here.

#[path = "../../icp-cli/src/render.rs"]
mod render;

mod cst_tokens;
mod keywords;
mod nesting;
mod parse;
mod props;
mod tree_sitter;
