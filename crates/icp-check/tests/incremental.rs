//! The law of incremental checking: after any sequence of edits, a check that replays the
//! remembered checks of the previous ones ([`icp_check::check_incremental`]) gives exactly
//! what a fresh [`icp_check::check`] of the final text gives: the same diagnostics, the
//! same symbol index and the same program.
//!
//! Programs: the UI cases, the examples and the oracle's generated programs (each file of a multi-file case or example may
//! be the one edited). Edits: random insertions, deletions and replacements of characters
//! and of whole lines, digits changed, names renamed, items duplicated and removed.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests read their fixtures from disk and fail loudly"
)]

use crate::common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use icp_check::{Checked, Memo, MemoryLoader, Options, check_incremental, check_with_overlay};
use proptest::prelude::*;

/// A program: its files (path, text), the first one the entry.
type Project = Vec<(PathBuf, String)>;

/// Every UI case and every example, as projects.
fn corpus() -> Vec<Project> {
    let mut out = Vec::new();
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&ui)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "icp"))
        .collect();
    cases.sort();
    for case in cases {
        let text = std::fs::read_to_string(&case).unwrap();
        out.push(
            common::split(&text)
                .into_iter()
                .map(|(name, text)| (Path::new(common::ROOT).join(name), text))
                .collect(),
        );
    }
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "icp"))
            .collect();
        // The importer (the file with a profile) first.
        files.sort_by_key(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            (!text.contains("\nprofile "), p.clone())
        });
        let project: Project = files
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (Path::new(common::ROOT).join(p.file_name().unwrap()), text)
            })
            .collect();
        if !project.is_empty() {
            out.push(project);
        }
    }
    out
}

/// One edit, at a position given as a fraction of the text.
#[derive(Debug, Clone)]
enum Edit {
    Insert(f64, &'static str),
    Delete(f64, usize),
    /// Change the next digit.
    Digit(f64, u8),
    /// Duplicate the line.
    DupLine(f64),
    /// Delete the line.
    DelLine(f64),
    /// Rename the next word to another.
    Rename(f64, &'static str),
}

const SNIPPETS: [&str; 14] = [
    " ",
    "\n",
    "x",
    "}",
    "{",
    "\"",
    "1",
    " and ",
    "criterion extra \"Extra\" weight 3 { employees > 10 }\n",
    "let k = 2\n",
    "tier top >= 90\n",
    "segment added { employees > 1 }\n",
    "profile",
    "// comment\n",
];

const NAMES: [&str; 6] = ["employees", "revenue", "fit", "big", "x", "q1"];

fn edit() -> impl Strategy<Value = Edit> {
    let at = 0.0..1.0f64;
    prop_oneof![
        (at.clone(), prop::sample::select(&SNIPPETS[..])).prop_map(|(a, s)| Edit::Insert(a, s)),
        (at.clone(), 1usize..12).prop_map(|(a, n)| Edit::Delete(a, n)),
        (at.clone(), 0u8..10).prop_map(|(a, d)| Edit::Digit(a, d)),
        at.clone().prop_map(Edit::DupLine),
        at.clone().prop_map(Edit::DelLine),
        (at, prop::sample::select(&NAMES[..])).prop_map(|(a, n)| Edit::Rename(a, n)),
    ]
}

/// The byte offset at fraction `at` of `text`, moved back to a character boundary.
fn offset(text: &str, at: f64) -> usize {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a position in a test"
    )]
    let mut i = ((text.len() as f64) * at) as usize;
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn line_at(text: &str, i: usize) -> (usize, usize) {
    let start = text[..i].rfind('\n').map_or(0, |p| p + 1);
    let end = text[i..].find('\n').map_or(text.len(), |p| i + p + 1);
    (start, end)
}

fn apply(text: &mut String, e: &Edit) {
    match e {
        Edit::Insert(at, s) => {
            let i = offset(text, *at);
            text.insert_str(i, s);
        }
        Edit::Delete(at, n) => {
            let i = offset(text, *at);
            let mut j = (i + n).min(text.len());
            while !text.is_char_boundary(j) {
                j += 1;
            }
            text.replace_range(i..j, "");
        }
        Edit::Digit(at, d) => {
            let i = offset(text, *at);
            if let Some(p) = text[i..].find(|c: char| c.is_ascii_digit()) {
                text.replace_range(i + p..=i + p, &d.to_string());
            }
        }
        Edit::DupLine(at) => {
            let (s, e) = line_at(text, offset(text, *at));
            let line = text[s..e].to_owned();
            text.insert_str(e, &line);
        }
        Edit::DelLine(at) => {
            let (s, e) = line_at(text, offset(text, *at));
            text.replace_range(s..e, "");
        }
        Edit::Rename(at, name) => {
            let i = offset(text, *at);
            let Some(p) = text[i..].find(|c: char| c.is_ascii_alphabetic()) else {
                return;
            };
            let start = i + p;
            let len = text[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(text.len() - start);
            text.replace_range(start..start + len, name);
        }
    }
}

/// Everything a check says, as text (the symbol index and the program have no `PartialEq`).
fn facts(c: &Checked) -> (String, String, String) {
    (
        format!("{:#?}", c.diagnostics),
        format!("{:#?}", c.symbols),
        format!("{:#?}", c.program),
    )
}

/// Check `project` after each edit (applied to file `which`), incrementally, and compare
/// each check with a fresh one.
fn run(project: &Project, which: usize, edits: &[Edit]) -> Result<(), TestCaseError> {
    let options = Options {
        today: icp_syntax::Date::from_ymd(2027, 6, 1),
    };
    let root = Path::new(common::ROOT);
    let mut loader = MemoryLoader::new();
    for (p, t) in project {
        loader.files.insert(p.clone(), t.clone());
    }
    let entry = vec![project[0].0.clone()];
    let target = project[which % project.len()].0.clone();
    let mut text = loader.files[&target].clone();
    let mut memo = Memo::default();
    let never = || false;
    for step in 0..=edits.len() {
        if step > 0 {
            apply(&mut text, &edits[step - 1]);
        }
        let overlay: HashMap<PathBuf, String> = [(target.clone(), text.clone())].into();
        let inc = check_incremental(&entry, root, &loader, &overlay, &options, &mut memo, &never)
            .expect("never cancelled");
        let fresh = check_with_overlay(&entry, root, &loader, &overlay, &options);
        let (a, b) = (facts(&inc), facts(&fresh));
        prop_assert_eq!(
            &a.0,
            &b.0,
            "diagnostics after {:?}\n{}",
            &edits[..step],
            text
        );
        prop_assert_eq!(&a.1, &b.1, "symbols after {:?}\n{}", &edits[..step], text);
        prop_assert_eq!(&a.2, &b.2, "program after {:?}\n{}", &edits[..step], text);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn incremental_equals_fresh(
        pick in any::<prop::sample::Index>(),
        which in 0usize..4,
        edits in prop::collection::vec(edit(), 1..10),
    ) {
        let corpus = corpus();
        let project = pick.get(&corpus);
        run(project, which, &edits)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The oracle's generated programs (every feature), edited at random.
    #[test]
    fn incremental_equals_fresh_on_generated_programs(
        seed in any::<u64>(),
        edits in prop::collection::vec(edit(), 1..8),
    ) {
        let case = icp_oracle::generate::case(seed, &icp_oracle::generate::Config::everything(1));
        let project = vec![(Path::new(common::ROOT).join("main.icp"), case.program)];
        run(&project, 0, &edits)?;
    }
}

/// Every program of the corpus, with a few fixed edits each: an edit inside a profile, one
/// above it (every item moves), a new criterion (the definitions after it renumber).
#[test]
fn fixed_edits_on_every_program() {
    let edits = [
        Edit::Digit(0.7, 3),
        Edit::Insert(0.1, "\n"),
        Edit::Insert(
            0.5,
            "criterion extra \"Extra\" weight 3 { employees > 10 }\n",
        ),
        Edit::DelLine(0.3),
        Edit::Insert(0.1, "// comment\n"),
    ];
    for project in corpus() {
        for which in 0..project.len() {
            run(&project, which, &edits).unwrap();
        }
    }
}

/// The memo is used: an edit inside one profile of a program with several replays the
/// others.
#[test]
fn an_edit_replays_the_other_profiles() {
    let mut text = String::from("schema A { id: text key  n: int }\n");
    for i in 0..5 {
        let _ = writeln!(
            text,
            "profile p{i} {{\n  criterion c weight 1 {{ n > {i} }}\n  tier all\n}}"
        );
    }
    let loader = MemoryLoader::new().with("/p/main.icp", text.clone());
    let entry = vec![PathBuf::from("/p/main.icp")];
    let mut memo = Memo::default();
    // One check: whether it gave a result, and (replayed, checked) profiles.
    let mut check = |overlay: &HashMap<PathBuf, String>, cancel: bool| {
        let checked = check_incremental(
            &entry,
            Path::new("/p"),
            &loader,
            overlay,
            &Options::default(),
            &mut memo,
            &|| cancel,
        );
        (checked.is_some(), memo.last_run())
    };
    assert_eq!(check(&HashMap::new(), false), (true, (0, 5)));
    let edited = text.replace("n > 2", "n > 22");
    let overlay: HashMap<PathBuf, String> = [(entry[0].clone(), edited)].into();
    assert_eq!(check(&overlay, false), (true, (4, 1)));
    // A cancelled check gives nothing and keeps the memo.
    assert!(!check(&overlay, true).0);
    assert_eq!(check(&overlay, false), (true, (5, 0)));
}
