//! The tree-sitter grammar (`editors/tree-sitter-icp`) against the real parser: every program
//! of the repository that `icp_syntax` parses without a diagnostic (the examples, the test
//! programs of every crate, the ```` ```icp ```` blocks of the docs) must parse with the
//! tree-sitter grammar too, with no `ERROR` or `MISSING` node.
//!
//! It needs the tree-sitter CLI, which `editors/tree-sitter-icp/test.sh` installs and passes
//! in `ICP_TREE_SITTER` (with the grammar's directory in `ICP_TREE_SITTER_GRAMMAR`); without
//! it, this test says so and passes (`cargo test` alone does not build the CLI: minutes).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the test reads the repository and runs the tree-sitter CLI"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.icp` file under `dir`, skipping hidden directories, `target/` and `node_modules/`.
fn icp_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                icp_files(&path, out);
            }
        } else if path.extension().is_some_and(|x| x == "icp") {
            out.push(path);
        }
    }
}

/// The ```` ```icp ```` blocks of a Markdown file: (line, text), fragments of a profile body
/// wrapped in a profile as `crates/icp-eval/tests/docs_examples.rs` does.
fn doc_blocks(md: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize, Vec<&str>)> = None;
    for (i, line) in md.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        if let Some((at, ind, body)) = &mut open {
            if trimmed.starts_with("```") {
                let mut text = body.join("\n");
                text.push('\n');
                out.push((*at, text));
                open = None;
            } else {
                body.push(line.get(*ind..).unwrap_or(line.trim_start()));
            }
        } else if let Some(info) = trimmed.strip_prefix("```icp")
            && (info.trim().is_empty() || info.trim() == "fragment")
        {
            open = Some((i + 1, indent, Vec::new()));
        }
    }
    out.into_iter()
        .map(|(at, text)| {
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            let member = first.starts_with(' ')
                || [
                    "tier ",
                    "criterion ",
                    "let ",
                    "target ",
                    "group ",
                    "exclude ",
                ]
                .iter()
                .any(|k| first.starts_with(k));
            if member {
                (at, format!("profile p {{\n{text}\n}}\n"))
            } else {
                (at, text)
            }
        })
        .collect()
}

/// Whether the real parser reads `src` without a syntax error.
fn parses(src: &str) -> bool {
    !icp_syntax::parse(src)
        .diagnostics
        .iter()
        .any(icp_syntax::Diagnostic::is_error)
}

#[test]
fn every_valid_program_parses_with_the_tree_sitter_grammar() {
    let (Some(cli), Some(grammar)) = (
        std::env::var_os("ICP_TREE_SITTER"),
        std::env::var_os("ICP_TREE_SITTER_GRAMMAR"),
    ) else {
        eprintln!(
            "skipped: ICP_TREE_SITTER is not set (run editors/tree-sitter-icp/test.sh, which installs the tree-sitter CLI)"
        );
        return;
    };
    let root = root();
    let mut files = Vec::new();
    icp_files(&root, &mut files);
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for f in &files {
        if parses(&std::fs::read_to_string(f).unwrap()) {
            valid.push(f.clone());
        } else {
            invalid.push(f.strip_prefix(&root).unwrap_or(f).display().to_string());
        }
    }
    // The docs' blocks, each written to a file of its own.
    let docs_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tree-sitter-docs");
    let _ = std::fs::remove_dir_all(&docs_dir);
    std::fs::create_dir_all(&docs_dir).unwrap();
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.push(root.join("README.md"));
    docs.sort();
    let mut blocks = 0;
    for md in &docs {
        let stem = md.file_stem().unwrap().to_string_lossy().into_owned();
        for (line, text) in doc_blocks(&std::fs::read_to_string(md).unwrap()) {
            if !parses(&text) {
                continue; // an example of a syntax error (docs/diagnostics.md)
            }
            let path = docs_dir.join(format!("{stem}.md-{line}.icp"));
            std::fs::write(&path, text).unwrap();
            valid.push(path);
            blocks += 1;
        }
    }
    assert!(
        valid.len() > 150 && blocks > 20,
        "too few programs found: {} files, {blocks} docs blocks (did the layout change?)",
        valid.len()
    );
    let out = Command::new(&cli)
        .arg("parse")
        .arg("--quiet")
        .arg("--grammar-path")
        .arg(&grammar)
        .args(&valid)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let failed: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("(ERROR") || l.contains("(MISSING"))
        .collect();
    assert!(
        out.status.success() && failed.is_empty(),
        "the tree-sitter grammar does not parse {} of {} valid programs (docs blocks are under {}):\n{}\n{stderr}",
        failed.len(),
        valid.len(),
        docs_dir.display(),
        failed.join("\n")
    );
    eprintln!(
        "{} programs parse with tree-sitter ({} files, {blocks} docs blocks); {} files with syntax errors skipped: {}",
        valid.len(),
        valid.len() - blocks,
        invalid.len(),
        invalid.join(" ")
    );
}
