//! Tidy: the invariants of ARCHITECTURE.md that can be checked by reading the sources
//! (rust-analyzer's `xtask/src/tidy.rs` is the model). Each check names the file and line
//! that breaks it.
//!
//! - the core crates (icp-base, icp-syntax, icp-check, icp-model, icp-eval, icp-data) use
//!   no `std::fs`, `std::env`, `SystemTime` or `Instant` outside their tests;
//! - no crate but icp-syntax mentions `pest`; no crate but icp-lsp mentions
//!   `tower_lsp_server` or `lsp_types`;
//! - every crate's `lib.rs` / `main.rs` starts with a doc comment;
//! - every `#[allow(...)]` says why (`reason = ...`);
//! - every crate under `crates/` has its section in ARCHITECTURE.md's code map;
//! - every crate has at most one integration-test binary, and every file in its `tests/` is
//!   a module of it (a forgotten file would silently not run).
//!
//! That every diagnostic `Code` is documented in docs/diagnostics.md is checked by
//! icp-check's ui test.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a tidy test reads the workspace's files, and fails by panicking"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The crates that do no IO, read no environment and no clock.
const CORE: &[&str] = &[
    "icp-base",
    "icp-syntax",
    "icp-check",
    "icp-model",
    "icp-eval",
    "icp-data",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The crates under `crates/`, sorted.
fn crates() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                if !(p.ends_with("target") || p.ends_with("node_modules")) {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A path relative to the workspace root, for messages.
fn shown(p: &Path) -> String {
    let root = root().canonicalize().unwrap();
    let p = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    p.strip_prefix(&root)
        .unwrap_or(&p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The code of a line: string literals emptied (`"..."` kept as `""`) and the `//`
/// comment cut off, so that docs, messages and fixtures may name what code may not use.
/// Line by line: a string running over lines is seen as code on its later lines.
fn code(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    in_string = false;
                    out.push('"');
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push('"');
            }
            // A character literal `'"'` does not open a string.
            '\'' if chars.peek() == Some(&'"') => {
                out.push_str("'\"");
                chars.next();
            }
            '/' if chars.peek() == Some(&'/') => break,
            c => out.push(c),
        }
    }
    out
}

/// Whether `word` occurs in `text` as a whole identifier.
fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// The non-test lines of a crate's `src/`: (file, 1-based line, text). A `#[cfg(test)]`
/// module is skipped: inline to the end of its file (test modules come last), or its
/// own file (`mod tests;`).
fn non_test_lines(krate: &str) -> Vec<(PathBuf, usize, String)> {
    let src = root().join("crates").join(krate).join("src");
    let files = rust_files(&src);
    let mut test_files: Vec<PathBuf> = Vec::new();
    let mut out = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i].trim();
            if line == "#[cfg(test)]" {
                let next = lines[i + 1..]
                    .iter()
                    .map(|l| l.trim())
                    .find(|l| !l.starts_with("#["))
                    .unwrap_or("");
                if let Some(rest) = next.strip_prefix("mod ").or(next.strip_prefix("pub mod ")) {
                    if let Some(name) = rest.strip_suffix(';') {
                        // `mod name;` in `a/b.rs` is `a/b/name.rs`; in `mod.rs`, `lib.rs` or
                        // `main.rs` it is next to it.
                        let stem = f.file_stem().unwrap().to_string_lossy();
                        let dir = f.parent().unwrap();
                        let base = if ["mod", "lib", "main"].contains(&stem.as_ref()) {
                            dir.to_path_buf()
                        } else {
                            dir.join(stem.as_ref())
                        };
                        test_files.push(base.join(format!("{name}.rs")));
                        test_files.push(base.join(name).join("mod.rs"));
                    } else {
                        break;
                    }
                }
            }
            out.push((f.clone(), i + 1, lines[i].to_owned()));
            i += 1;
        }
    }
    out.retain(|(f, _, _)| {
        !test_files
            .iter()
            .any(|t| f.starts_with(t.with_extension("")))
            && !test_files.contains(f)
    });
    out
}

fn report(what: &str, problems: &[String]) {
    if problems.is_empty() {
        return;
    }
    let mut msg = format!("{what}:\n");
    for p in problems {
        let _ = writeln!(msg, "  {p}");
    }
    panic!("{msg}");
}

#[test]
fn core_crates_do_no_io_read_no_environment_and_no_clock() {
    let mut problems = Vec::new();
    for krate in CORE.iter().filter(|k| crates().iter().any(|c| c == *k)) {
        for (file, n, line) in non_test_lines(krate) {
            let c = code(&line);
            let c = c.as_str();
            for bad in ["std::fs", "std::env", "SystemTime", "Instant"] {
                let found = if bad.contains("::") {
                    c.contains(bad)
                } else {
                    has_word(c, bad)
                };
                if found {
                    problems.push(format!(
                        "{}:{n}: `{bad}` in a core crate: {}",
                        shown(&file),
                        line.trim()
                    ));
                }
            }
        }
    }
    report(
        "IO, the environment or the clock in a core crate (read them in icp-host, icp-cli or icp-lsp and pass the result in)",
        &problems,
    );
}

/// Lines of every source file and manifest of `krate` (src, tests, benches, examples).
fn all_lines(krate: &str) -> Vec<(PathBuf, usize, String)> {
    let dir = root().join("crates").join(krate);
    let mut files = rust_files(&dir);
    files.push(dir.join("Cargo.toml"));
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            out.push((f.clone(), i + 1, line.to_owned()));
        }
    }
    out
}

/// Whether a line of `file` uses `name` (code only: comments and docs may talk about it).
fn uses(file: &Path, line: &str, names: &[&str]) -> bool {
    let c = if file.extension().is_some_and(|e| e == "toml") {
        line.split('#').next().unwrap_or("").to_owned()
    } else {
        code(line)
    };
    names.iter().any(|n| has_word(&c, n))
}

#[test]
fn pest_stays_in_icp_syntax_and_lsp_types_in_icp_lsp() {
    let mut problems = Vec::new();
    for krate in crates() {
        for (file, n, line) in all_lines(&krate) {
            if krate != "icp-syntax" && uses(&file, &line, &["pest", "pest_derive"]) {
                problems.push(format!(
                    "{}:{n}: pest outside icp-syntax: {}",
                    shown(&file),
                    line.trim()
                ));
            }
            if krate != "icp-lsp"
                && uses(
                    &file,
                    &line,
                    &[
                        "tower_lsp_server",
                        "tower-lsp-server",
                        "lsp_types",
                        "lsp-types",
                    ],
                )
            {
                problems.push(format!(
                    "{}:{n}: LSP types outside icp-lsp: {}",
                    shown(&file),
                    line.trim()
                ));
            }
        }
    }
    report("a dependency outside the crate that owns it", &problems);
}

#[test]
fn every_crate_has_a_doc_comment() {
    let mut problems = Vec::new();
    for krate in crates() {
        let src = root().join("crates").join(&krate).join("src");
        for name in ["lib.rs", "main.rs"] {
            let f = src.join(name);
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            if !first.starts_with("//!") {
                problems.push(format!(
                    "{}:1: the crate has no `//!` doc comment",
                    shown(&f)
                ));
            }
        }
    }
    report("a crate without a doc comment", &problems);
}

#[test]
fn every_allow_has_a_reason() {
    let mut problems = Vec::new();
    for krate in crates() {
        let dir = root().join("crates").join(&krate);
        for f in rust_files(&dir) {
            let text = std::fs::read_to_string(&f).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let c = code(line);
                let c = c.trim_start();
                if !(c.starts_with("#[allow(") || c.starts_with("#![allow(")) {
                    continue;
                }
                // The attribute runs to the line that closes it.
                let mut attr = String::new();
                for l in &lines[i..] {
                    // The reason is a string: keep it.
                    attr.push_str(l);
                    if code(l).trim_end().ends_with(")]") {
                        break;
                    }
                }
                if !attr.contains("reason") {
                    problems.push(format!("{}:{}: {}", shown(&f), i + 1, line.trim()));
                }
            }
        }
    }
    report("an `#[allow]` without `reason = \"...\"`", &problems);
}

#[test]
fn every_crate_is_in_the_code_map() {
    let arch = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let problems: Vec<String> = crates()
        .into_iter()
        .filter(|k| !arch.contains(&format!("### `crates/{k}`")))
        .map(|k| format!("crates/{k}: no `### `crates/{k}`` section in ARCHITECTURE.md's code map"))
        .collect();
    report("a crate missing from ARCHITECTURE.md", &problems);
}

/// The `path`s of a manifest's `[[test]]` targets.
fn declared_tests(manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_test = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_test = line == "[[test]]";
        } else if in_test && let Some(v) = line.strip_prefix("path") {
            let v = v.trim_start().trim_start_matches('=').trim();
            out.push(v.trim_matches('"').to_owned());
        }
    }
    out
}

/// One test binary per crate (issue 16, "the first run": each binary links the crate and
/// its dependencies again). A crate with several test files declares `autotests = false`
/// and one `[[test]]` whose root declares every other file of `tests/` as a module.
#[test]
fn every_crate_has_one_test_binary_holding_every_test_file() {
    let mut problems = Vec::new();
    for krate in crates() {
        let dir = root().join("crates").join(&krate);
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let Ok(entries) = std::fs::read_dir(dir.join("tests")) else {
            continue;
        };
        let mut files: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                if e.path().join("main.rs").is_file() {
                    Some(format!("{name}/main.rs"))
                } else {
                    (e.path().extension().is_some_and(|x| x == "rs")).then_some(name)
                }
            })
            .collect();
        files.sort();
        let auto = !manifest
            .lines()
            .any(|l| l.replace(' ', "") == "autotests=false");
        let roots: Vec<String> = if auto {
            files.clone()
        } else {
            declared_tests(&manifest)
                .iter()
                .filter_map(|p| p.strip_prefix("tests/").map(str::to_owned))
                .collect()
        };
        if roots.len() > 1 {
            problems.push(format!(
                "crates/{krate}: {} test binaries ({}): declare `autotests = false` and one \
                 `[[test]] name = \"all\" path = \"tests/all.rs\"` with a `mod` per file",
                roots.len(),
                roots.join(", ")
            ));
        }
        let Some(root_file) = roots.first() else {
            continue;
        };
        let root_text = std::fs::read_to_string(dir.join("tests").join(root_file)).unwrap();
        // A snapshot's name starts with its test's module path: `all__FILE__` once the file is a
        // module of `all`. One under the old name (`FILE__`, from a branch written before) is
        // never read, and its test writes a `.snap.new` and fails.
        if !auto && let Ok(snaps) = std::fs::read_dir(dir.join("tests/snapshots")) {
            let prefix = format!("{}__", root_file.trim_end_matches(".rs"));
            let mut stale: Vec<String> = snaps
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with(&prefix))
                .collect();
            stale.sort();
            for n in stale {
                problems.push(format!(
                    "crates/{krate}/tests/snapshots/{n}: not named after a module of \
                     tests/{root_file}: `git mv` it to {prefix}{n}"
                ));
            }
        }
        for f in files.iter().filter(|f| *f != root_file) {
            let module = f.trim_end_matches(".rs");
            if f.contains('/') {
                problems.push(format!(
                    "crates/{krate}/tests/{f}: a test binary the manifest does not declare, so \
                     it never runs: make it a module of tests/{root_file}"
                ));
            } else if !root_text
                .lines()
                .any(|l| code(l).trim() == format!("mod {module};"))
            {
                problems.push(format!(
                    "crates/{krate}/tests/{f}: not a module of tests/{root_file}, so it never \
                     runs: add `mod {module};` there (and `use crate::common;` for `mod common;`)"
                ));
            }
        }
    }
    report("a test file outside its crate's test binary", &problems);
}

#[test]
fn the_checks_see_what_they_look_for() {
    assert!(has_word("use std::time::Instant;", "Instant"));
    assert!(!has_word("InstantReplay", "Instant"));
    assert!(has_word("pest::Parser", "pest"));
    assert!(!has_word("pester", "pest"));
    assert_eq!(code("let x = 1; // std::fs"), "let x = 1; ");
    assert_eq!(
        code(r#"f("std::fs // x", '"', y) // z"#),
        r#"f("", '"', y) "#
    );
    assert_eq!(code(r#"a("\"q\"") + x"#), r#"a("") + x"#);
    // The test modules of icp-data are skipped: `decode/tests.rs` reads no file, but
    // the split of lines must still find the crate's code.
    let lines = non_test_lines("icp-data");
    assert!(lines.iter().any(|(f, _, _)| f.ends_with("pipeline/mod.rs")));
    assert!(!lines.iter().any(|(f, _, _)| f.ends_with("decode/tests.rs")));
    assert_eq!(
        declared_tests("[[test]]\nname = \"all\"\npath = \"tests/all.rs\"\n[lints]\npath = \"x\""),
        ["tests/all.rs"]
    );
}
