//! Every whole program of the docs (each ```` ```icp ```` block of `docs/*.md` and
//! `README.md` not marked `fragment`) is in the canonical layout: `icp fmt` leaves it as it
//! is (blocks with syntax errors, shown on purpose in `docs/diagnostics.md`, aside). `.ci/run`
//! runs this with the workspace's tests; `icp fmt --check examples/` covers the examples.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests read their data files and fail loudly"
)]

use crate::common;

use icp_fmt::{Options, format};

#[test]
fn every_docs_program_is_formatted() {
    let blocks = common::doc_blocks();
    assert!(blocks.len() > 10, "found only {} blocks", blocks.len());
    let mut bad = Vec::new();
    for (place, src) in &blocks {
        // diagnostics.md shows syntax errors on purpose: those cannot be formatted.
        let parsed = icp_syntax::parse(src);
        if parsed
            .diagnostics
            .iter()
            .any(|d| d.severity == icp_syntax::Severity::Error)
        {
            continue;
        }
        let out = match format(src, &Options { width: 100 }) {
            Ok(out) => out,
            Err(e) => panic!("{}: {e}", place.display()),
        };
        if out != *src {
            bad.push(format!(
                "{} (N = line of the closing fence, 0-based) would change to:\n{out}",
                place.display()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} docs programs are not formatted (run `icp fmt` on them):\n{}",
        bad.len(),
        bad.join("\n")
    );
}
