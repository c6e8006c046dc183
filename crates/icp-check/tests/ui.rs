//! UI tests: every `tests/ui/*.icp` case, its source and its colourless diagnostics.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests read their fixtures from disk and fail loudly"
)]

use crate::common;

use std::collections::BTreeSet;

use icp_syntax::Code;

#[test]
fn ui() {
    let mut cascades: Vec<String> = Vec::new();
    insta::glob!("ui/*.icp", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let checked = common::check_case(&text);
        let name = path.file_name().unwrap().to_string_lossy();
        if name.starts_with("valid_") {
            assert!(
                checked.diagnostics.is_empty(),
                "{name} should check cleanly:\n{}",
                common::render(&checked)
            );
        } else {
            assert!(
                !checked.diagnostics.is_empty(),
                "{name} should report something"
            );
        }
        if name.starts_with("cascade_") {
            // One mistake gives one error, at its place, and nothing else: the marked line.
            let marker = common::split(&text)
                .iter()
                .enumerate()
                .find_map(|(f, (_, body))| {
                    body.lines()
                        .position(|l| l.contains("<- mistake"))
                        .map(|l| (f, l + 1))
                })
                .expect("a cascade case marks its mistake with `<- mistake`");
            let places: Vec<(usize, usize, bool)> = checked
                .diagnostics
                .iter()
                .map(|d| {
                    let file = &checked.files[d.file.0 as usize];
                    let (line, _) = file.lines.line_col(&file.text, d.span.start as usize);
                    (d.file.0 as usize, line, d.is_error())
                })
                .collect();
            if places != [(marker.0, marker.1, true)] {
                cascades.push(format!(
                    "{name}: want one error on line {}, got {places:?}:\n{}",
                    marker.1,
                    common::render(&checked)
                ));
            }
        }
        let snap = format!(
            "----- SOURCE CODE\n{text}\n----- DIAGNOSTICS\n{}",
            common::render(&checked)
        );
        insta::assert_snapshot!(snap);
    });
    assert!(cascades.is_empty(), "{}", cascades.join("\n"));
}

#[test]
fn every_code_has_a_case() {
    let mut seen = BTreeSet::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut cases = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "icp") {
            cases += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            for d in common::check_case(&text).diagnostics {
                seen.insert(d.code.name());
            }
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.name())
        .filter(|n| !seen.contains(n))
        .collect();
    assert!(missing.is_empty(), "codes without a UI case: {missing:?}");
    assert!(cases >= 45, "only {cases} UI cases");
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/diagnostics.md"),
    )
    .unwrap();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.name())
        .filter(|n| !doc.contains(&format!("icp::{n}")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes missing from docs/diagnostics.md: {missing:?}"
    );
}

#[test]
fn every_checker_diagnostic_has_a_label_help_and_the_default_severity() {
    let syntax = [
        Code::Syntax,
        Code::UnterminatedString,
        Code::UnclosedDelimiter,
        Code::InvalidLiteral,
        Code::NestingTooDeep,
        Code::UnknownItem,
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "icp") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for d in common::check_case(&text).diagnostics {
            if syntax.contains(&d.code) {
                continue;
            }
            let at = format!("{} in {}", d.code, path.display());
            assert!(!d.label.is_empty(), "no label: {at}");
            assert!(
                d.help.as_ref().is_some_and(|h| !h.is_empty()),
                "no help: {at}"
            );
            assert_eq!(d.severity, d.code.severity(), "severity: {at}");
            assert!(
                !d.message.ends_with('.'),
                "message ends with a period: {at}"
            );
            if d.message.starts_with(|c: char| c.is_alphabetic()) {
                assert!(
                    d.message.starts_with(|c: char| c.is_lowercase()),
                    "capitalised: {at}"
                );
            }
        }
    }
}
