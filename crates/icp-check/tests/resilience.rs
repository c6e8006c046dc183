//! Recovery below the item, on every bundled example: deleting or truncating any one clause
//! (a schema field, criterion, group, tier, exclude, let, target, goal, milestone, ...)
//! leaves every other clause's symbols in the checked program, and the lossless tree of every
//! edited file is still its text.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests read the examples from disk and fail loudly"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use icp_check::{Checked, MemoryLoader, Options, check};
use icp_syntax::{Date, SyntaxKind, parse_with_tree};

/// Grammar rules that are clauses of an item.
const CLAUSES: &[&str] = &[
    "field",
    "timeframe",
    "goal",
    "milestone",
    "capability",
    "target",
    "practical_share",
    "let_binding",
    "group",
    "criterion",
    "exclude",
    "tier",
    "test_profile",
    "as_of",
    "account",
    "expect",
];

fn examples() -> Vec<(String, Vec<(PathBuf, String)>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        let mut files: Vec<(PathBuf, String)> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            // the CSV files too: a `cases from` file is read through the loader
            .filter(|p| p.extension().is_some_and(|e| e == "icp" || e == "csv"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (Path::new("/ex").join(p.file_name().unwrap()), text)
            })
            .collect();
        files.sort();
        out.push((d.file_name().unwrap().to_string_lossy().into_owned(), files));
    }
    out
}

fn run(files: &[(PathBuf, String)]) -> Checked {
    let mut loader = MemoryLoader::new();
    for (p, t) in files {
        loader = loader.with(p.clone(), t.clone());
    }
    let entries: Vec<PathBuf> = files
        .iter()
        .map(|(p, _)| p.clone())
        .filter(|p| p.extension().is_some_and(|e| e == "icp"))
        .collect();
    check(
        &entries,
        Path::new("/ex"),
        &loader,
        &Options {
            today: Date::parse_iso("2027-01-15"),
        },
    )
}

/// Every definition as (file, kind, container, name), but those inside `skip` of `file`.
fn defs(c: &Checked, skip: Option<&(&Path, std::ops::Range<u32>)>) -> BTreeSet<String> {
    c.symbols
        .defs
        .iter()
        .filter(|d| {
            let path = &c.files[d.file.0 as usize].path;
            !skip.is_some_and(|(f, r)| {
                *f == path.as_path() && r.start <= d.name_span.start && d.name_span.end <= r.end
            })
        })
        .map(|d| {
            format!(
                "{} {:?} {}.{}",
                c.files[d.file.0 as usize].path.display(),
                d.kind,
                d.container.clone().unwrap_or_default(),
                d.name
            )
        })
        .collect()
}

#[test]
fn deleting_or_truncating_a_clause_keeps_every_other_symbol() {
    let clause_kinds: Vec<SyntaxKind> = CLAUSES
        .iter()
        .map(|n| SyntaxKind::from_rule_name(n).unwrap_or_else(|| panic!("no rule `{n}`")))
        .collect();
    let criterion = SyntaxKind::from_rule_name("criterion").unwrap();
    let mut edits = 0;
    for (name, files) in examples() {
        let base = run(&files);
        assert!(
            !base
                .diagnostics
                .iter()
                .any(icp_syntax::Diagnostic::is_error),
            "{name} does not check cleanly"
        );
        for (fi, (path, text)) in files.iter().enumerate() {
            if path.extension().is_some_and(|e| e == "csv") {
                continue;
            }
            let tree = parse_with_tree(text).1;
            for node in tree
                .descendants()
                .filter(|n| clause_kinds.contains(&n.kind()))
                // a criterion's own `practical_share` is part of its header, not a clause:
                // breaking it breaks the criterion, as breaking its weight does
                .filter(|n| n.parent().is_none_or(|p| p.kind() != criterion))
            {
                let r = node.text_range();
                let (start, end) = (u32::from(r.start()), u32::from(r.end()));
                let clause = &text[start as usize..end as usize];
                let mut half = clause.len() / 2;
                while !clause.is_char_boundary(half) {
                    half -= 1;
                }
                for replacement in ["", &clause[..half]] {
                    let mut edited = files.clone();
                    let new_text = format!(
                        "{}{replacement}{}",
                        &text[..start as usize],
                        &text[end as usize..]
                    );
                    assert_eq!(parse_with_tree(&new_text).1.text().to_string(), new_text);
                    edited[fi].1 = new_text;
                    let after = run(&edited);
                    let want = defs(&base, Some(&(path.as_path(), start..end)));
                    let got = defs(&after, None);
                    let lost: Vec<&String> = want.difference(&got).collect();
                    assert!(
                        lost.is_empty(),
                        "{name}: {} `{}` -> `{replacement}` lost {lost:?}",
                        path.display(),
                        clause.lines().next().unwrap_or("")
                    );
                    edits += 1;
                }
            }
        }
    }
    assert!(edits > 100, "only {edits} edits: are the examples there?");
}
