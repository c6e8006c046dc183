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
    let mut sources: Vec<(PathBuf, String)> = files
        .into_iter()
        .filter_map(|p| Some((p.clone(), std::fs::read_to_string(&p).ok()?)))
        .collect();
    sources.extend(doc_blocks());
    sources
        .into_iter()
        .filter_map(|(p, src)| {
            let parsed = icp_syntax::parse(&src);
            let clean = parsed
                .diagnostics
                .iter()
                .all(|d| d.severity != icp_syntax::Severity::Error);
            clean.then_some((p, src))
        })
        .collect()
}

/// The `icp` code blocks of `docs/*.md` and `README.md` (sketches marked `icp fragment` aside).
pub fn doc_blocks() -> Vec<(PathBuf, String)> {
    let root = repo();
    let mut pages = vec![root.join("README.md")];
    if let Ok(entries) = std::fs::read_dir(root.join("docs")) {
        pages.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "md")),
        );
    }
    pages.sort();
    let mut out = Vec::new();
    for page in pages {
        let Ok(text) = std::fs::read_to_string(&page) else {
            continue;
        };
        let mut block: Option<String> = None;
        for (n, line) in text.lines().enumerate() {
            match &mut block {
                None if line.trim() == "```icp" => block = Some(String::new()),
                Some(b) if line.trim() == "```" => {
                    out.push((page.join(format!("block-{n}")), std::mem::take(b)));
                    block = None;
                }
                Some(b) => {
                    b.push_str(line);
                    b.push('\n');
                }
                None => {}
            }
        }
    }
    out
}
