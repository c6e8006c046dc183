//! Every example of the docs runs: each ```` ```icp ```` block of `docs/*.md` and
//! `README.md` is parsed and checked.
//!
//! The conventions (documented in `docs/language.md`, "Examples in these docs"):
//! - ```` ```icp ````: a whole program; it checks with no error (warnings are allowed).
//! - ```` ```icp fragment ````: a piece of a program (a few clauses, an item that uses a
//!   schema it does not show); it must parse: items as they are, indented clauses inside a
//!   `profile`.
//! - In `docs/diagnostics.md`, a block under a `### icp::CODE` heading is an example of that
//!   diagnostic: checking it reports `icp::CODE`; marked `fragment`, it is a sketch of the
//!   offending lines (`..` for the rest, broken on purpose) and is not checked.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    reason = "a test reading the docs from disk, failing loudly"
)]

use std::path::{Path, PathBuf};

use icp_check::{MemoryLoader, Options};

/// One ```` ```icp ```` block.
struct Block {
    file: String,
    /// 1-based line of the opening fence.
    line: usize,
    fragment: bool,
    /// The `icp::CODE` heading it is under, in diagnostics.md.
    code: Option<String>,
    text: String,
}

fn blocks(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).unwrap();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut out = Vec::new();
    let mut code = None;
    let mut open: Option<(usize, usize, bool, Vec<String>)> = None; // line, indent, fragment
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some((at, ind, fragment, body)) = &mut open {
            if trimmed.starts_with("```") {
                out.push(Block {
                    file: file.clone(),
                    line: *at,
                    fragment: *fragment,
                    code: code.clone(),
                    text: body.join("\n"),
                });
                open = None;
            } else {
                body.push(line.get(*ind..).unwrap_or(trimmed).to_owned());
            }
            continue;
        }
        if let Some(h) = line.strip_prefix("### `icp::") {
            code = h.strip_suffix('`').map(str::to_owned);
        } else if line.starts_with('#') {
            code = None;
        }
        if let Some(info) = trimmed.strip_prefix("```icp") {
            let words: Vec<&str> = info.split_whitespace().collect();
            assert!(
                words.iter().all(|w| *w == "fragment"),
                "{file}:{}: unknown words after ```icp: {words:?}",
                i + 1
            );
            open = Some((i + 1, indent, words.contains(&"fragment"), Vec::new()));
        }
    }
    assert!(open.is_none(), "{file}: an unclosed ```icp block");
    out
}

fn doc_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files.push(root.join("README.md"));
    files
}

fn check(text: &str) -> icp_check::Checked {
    let loader = MemoryLoader::new().with("/p/main.icp", text);
    icp_check::check(
        &[PathBuf::from("/p/main.icp")],
        &PathBuf::from("/p"),
        &loader,
        &Options::default(),
    )
}

fn describe(d: &[icp_base::Diagnostic]) -> String {
    d.iter()
        .map(|d| {
            let severity = if d.is_error() { "error" } else { "warning" };
            format!("  {severity} {}: {}", d.code, d.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_icp_block_of_the_docs_runs() {
    let mut failures = Vec::new();
    let mut seen = 0;
    for path in doc_files() {
        for b in blocks(&path) {
            seen += 1;
            let at = format!("{}:{}", b.file, b.line);
            if b.fragment && b.code.is_some() {
                continue;
            }
            if b.fragment {
                // Clauses of a profile (indented, or starting with a member keyword) are
                // parsed inside one; anything else as items.
                let first = b.text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
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
                let src = if member {
                    format!("profile p {{\n{}\n}}\n", b.text)
                } else {
                    b.text.clone()
                };
                let parsed = icp_syntax::parse(&src);
                if !parsed.diagnostics.is_empty() {
                    failures.push(format!(
                        "{at}: the fragment does not parse:\n{}\n{}",
                        describe(&parsed.diagnostics),
                        b.text
                    ));
                }
                continue;
            }
            let checked = check(&b.text);
            if let Some(code) = &b.code {
                if !checked.diagnostics.iter().any(|d| d.code.name() == code) {
                    failures.push(format!(
                        "{at}: the example of icp::{code} does not report it:\n{}\n{}",
                        describe(&checked.diagnostics),
                        b.text
                    ));
                }
                continue;
            }
            let errors: Vec<_> = checked
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .cloned()
                .collect();
            if !errors.is_empty() {
                failures.push(format!(
                    "{at}: the program does not check (mark a piece of a program \
                     ```icp fragment):\n{}\n{}",
                    describe(&errors),
                    b.text
                ));
            }
        }
    }
    assert!(seen >= 70, "only {seen} icp blocks found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// docs/language.md, "schema": "An unknown type name is `icp::unknown_type` with a
/// did-you-mean, also for the names other languages use: `int` for `integer`, `text` for
/// `string`, `bool` for `boolean`, `number` for `float`, `money` for `currency`."
#[test]
fn the_type_names_of_other_languages_get_a_did_you_mean() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/language.md"),
    )
    .unwrap();
    let pairs = [
        ("integer", "int"),
        ("string", "text"),
        ("boolean", "bool"),
        ("float", "number"),
        ("currency", "money"),
    ];
    for (theirs, ours) in pairs {
        assert!(
            doc.contains(&format!("`{ours}` for `{theirs}`")),
            "docs/language.md no longer promises `{ours}` for `{theirs}`"
        );
        let src = format!("schema Account {{\n  id: text key\n  x: {theirs}\n}}\n");
        let checked = check(&src);
        let d = checked
            .diagnostics
            .iter()
            .find(|d| d.code == icp_base::Code::UnknownType)
            .unwrap_or_else(|| panic!("no unknown_type for `{theirs}`"));
        assert_eq!(
            d.help.as_deref(),
            Some(format!("did you mean `{ours}`?").as_str()),
            "{theirs}"
        );
    }
}
