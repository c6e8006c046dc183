//! Every integration test of icp-cli, in one test binary: each file in `tests/` is a module
//! here (run one with `cargo test -p icp-cli --test all FILE::`). One binary links once,
//! where one per file linked the crate and its dependencies once per file (issue 16). The
//! tidy test (icp-host) fails when a file in `tests/` is not declared here.

mod check_cli;
mod doc_cli;
mod examples;
mod explain_cli;
mod fmt_cli;
mod hostile_cli;
mod lsp_stdio;
mod nvim_e2e;
mod oracle_diff;
mod score_cli;
mod test_cli;
mod workflows_cli;
