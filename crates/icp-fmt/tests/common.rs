//! Shared by the tests: the repository's ICP programs.

#![allow(
    dead_code,
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests read their data files and fail loudly; each test file uses part of this module"
)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `*.icp` file under `dir`, sorted.
pub fn icp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p.ends_with("target") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "icp") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every program of the repository without syntax errors: the examples and the test programs
/// of every crate, with their text.
pub fn valid_programs() -> Vec<(PathBuf, String)> {
    let root = repo();
    let mut files = icp_files(&root.join("examples"));
    let Ok(crates) = std::fs::read_dir(root.join("crates")) else {
        return Vec::new();
    };
    for c in crates.flatten() {
        files.extend(icp_files(&c.path().join("tests")));
    }
    files
        .into_iter()
        .filter_map(|p| {
            let src = std::fs::read_to_string(&p).ok()?;
            let parsed = icp_syntax::parse(&src);
            let clean = parsed
                .diagnostics
                .iter()
                .all(|d| d.severity != icp_syntax::Severity::Error);
            clean.then_some((p, src))
        })
        .collect()
}
