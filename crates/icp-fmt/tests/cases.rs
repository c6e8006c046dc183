//! Input and expected output pairs: `cases/NAME.icp` formats to `cases/NAME.expected.icp`
//! (at width 100), and the expected output is a fixed point.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests read their data files and fail loudly"
)]

use std::path::Path;

use icp_fmt::{Options, format};

#[test]
fn every_case_formats_to_its_expected_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "icp")
                && !p.to_string_lossy().ends_with(".expected.icp")
        })
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 5);
    let mut failures = Vec::new();
    for input in inputs {
        let src = std::fs::read_to_string(&input).unwrap();
        let out = format(&src, &Options::default())
            .unwrap_or_else(|e| panic!("{}: {e}", input.display()));
        let expected_path = input.with_extension("expected.icp");
        if std::env::var_os("ICP_FMT_BLESS").is_some() {
            std::fs::write(&expected_path, &out).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if out != expected {
            failures.push(format!(
                "{}: got\n{out}\nexpected\n{expected}",
                input.display()
            ));
        }
        assert_eq!(format(&out, &Options::default()).unwrap(), out);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_file_with_syntax_errors_is_refused() {
    let err = format("profile p {\n  criterion c wei\n}\n", &Options::default());
    assert!(matches!(err, Err(icp_fmt::FmtError::Syntax(_))));
}

#[test]
fn a_narrow_width_breaks_before_and_and_lists() {
    let src = "segment s { employees > 100 and industry in [saas, fintech, agency] }\n";
    let out = format(src, &Options { width: 30 }).unwrap();
    assert_eq!(
        out,
        "segment s {\n  employees > 100\n  and industry in [\n    saas,\n    fintech,\n    agency,\n  ]\n}\n"
    );
}

#[test]
fn range_formatting_formats_the_items_it_touches() {
    let src = "segment a {x>1}\nsegment b {y>2}\n";
    let start = src.find('y').unwrap();
    let (range, text) = icp_fmt::format_range(src, start..start + 1, &Options::default())
        .unwrap()
        .unwrap();
    assert_eq!(&src[range], "segment b {y>2}");
    assert_eq!(text, "segment b { y > 2 }");
}
