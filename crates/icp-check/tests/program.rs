//! The checked program of the language brief's first example, and error recovery.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests read their fixtures from disk and fail loudly"
)]

use crate::common;

use icp_syntax::Code;

fn first_program() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/ui/valid_language_first.icp"
    ))
    .unwrap()
}

#[test]
fn language_first_program_checks_cleanly_and_its_program_is_stable() {
    let checked = common::check_case(&first_program());
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        common::render(&checked)
    );
    let p = &checked.program;
    assert_eq!(p.schemas.len(), 1);
    assert_eq!(p.segments.len(), 2);
    assert_eq!(p.situations.len(), 1);
    assert_eq!(p.profiles.len(), 1);
    assert_eq!(p.tests.len(), 1);
    let profile = &p.profiles[0];
    assert_eq!(profile.criteria.len(), 7);
    assert_eq!(profile.practical_share, icp_model::Decimal::new(5, 1));
    assert_eq!(profile.tiers.len(), 3);
    insta::assert_debug_snapshot!(p);
}

#[test]
fn situation_ended_after_the_timeframe() {
    let text = format!("// today: 2027-06-01\n{}", first_program());
    let checked = common::check_case(&text);
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::SituationEnded]);
    assert!(!checked.has_errors());
}

#[test]
fn three_broken_items_and_one_valid_one() {
    let text = r#"schema Account {
  id: text key
  employees: int
  country: text
}
segment a { employeez > 10 }
segment b { country == 3 }
segment c { employees in [1, "x"] }
segment d { employees > 10 and country == 5 }
segment ok { employees > 10 }
"#;
    let checked = common::check_case(text);
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.name()).collect();
    assert_eq!(
        codes,
        vec![
            "unknown_field",
            "type_mismatch",
            "mixed_list",
            "type_mismatch"
        ]
    );
    // every broken segment is left out of the program; the valid one is in it
    let names: Vec<&str> = checked
        .program
        .segments
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, vec!["ok"]);
}

#[test]
fn a_file_imported_twice_is_loaded_once() {
    let text = r#"import "schema.icp"
import "./schema.icp"
import "other.icp"
segment big { employees > 100 }
// file: other.icp
import "schema.icp"
segment small { employees < 10 }
// file: schema.icp
schema Account { id: text key  employees: int }
"#;
    let checked = common::check_case(text);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        common::render(&checked)
    );
    assert_eq!(checked.files.len(), 3);
    assert_eq!(checked.program.segments.len(), 2);
}

#[test]
fn symbols_find_definitions_and_references() {
    let text = first_program();
    let checked = common::check_case(&text);
    let at = text.find("employees in 10..1000").unwrap();
    let def = checked
        .def_at(icp_syntax::FileId(0), at + 2)
        .expect("a reference to `employees`");
    let d = &checked.symbols.defs[def];
    assert_eq!(&*d.name, "employees");
    assert_eq!(d.kind, icp_check::DefKind::Field);
    assert!(
        matches!(&*d.detail, icp_check::SymbolDetail::Field { ty_text, .. } if ty_text.contains("int")),
        "{:?}",
        d.detail
    );
    assert!(checked.references(def).count() >= 4);
    let size = checked
        .symbols
        .defs
        .iter()
        .find(|d| &*d.name == "size")
        .unwrap();
    let icp_check::SymbolDetail::Criterion {
        weight,
        positive_weight,
        ..
    } = *size.detail
    else {
        panic!("{:?}", size.detail)
    };
    assert_eq!(
        icp_model::num::fixed(
            icp_model::Decimal::ONE_HUNDRED * weight / positive_weight,
            1
        ),
        "23.5"
    );
}

#[test]
fn three_unparsable_items_do_not_hide_the_fourth() {
    let text = r#"schema Account {
  id: text key
  employees: int
  country: text
}
segment a { employees > }
segmnt c { employees > 1 }
segment b "unterminated { employees > 1 }
segment d { country == 3 }
"#;
    let checked = common::check_case(text);
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.name()).collect();
    assert_eq!(codes.len(), 4, "{codes:?}");
    assert_eq!(codes.last(), Some(&"type_mismatch"));
    assert_eq!(
        checked
            .diagnostics
            .iter()
            .filter(|d| d.code.name() != "type_mismatch")
            .count(),
        3
    );
    assert_eq!(checked.program.schemas.len(), 1);
}

#[test]
fn a_profile_using_a_broken_segment_is_left_out() {
    let text = r"schema Account { id: text key  employees: int }
segment broken { employes > 1 }
segment fine { employees > 1 }
profile p {
  criterion c weight 10 { fine }
  tier a when broken and score > 50
  tier b
}
profile q {
  criterion c weight 10 { fine }
  tier b
}
";
    let checked = common::check_case(text);
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.name()).collect();
    assert_eq!(codes, vec!["unknown_field"]);
    let names: Vec<&str> = checked
        .program
        .profiles
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, vec!["q"]);
    assert_eq!(checked.program.segments.len(), 1);
    // ids in the program point at the program's own items
    let icp_model::CriterionBody::Bool(e) = &checked.program.profiles[0].criteria[0].body else {
        panic!("a boolean criterion");
    };
    assert_eq!(
        e.kind,
        icp_model::ExprKind::Segment(icp_model::SegmentId(0))
    );
}
