//! Programs from source text, through `icp_syntax::parse` and `icp_check::check`: LANGUAGE.md's
//! first program and its matrix tiers, and `test` blocks that pin the semantics end to end.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use crate::common;

use icp_eval::{Plan, run_test};
use icp_model::Date;

use common::check_src as check;

fn clock() -> Date {
    Date::from_ymd(2027, 2, 1).unwrap()
}

/// Run every test of `src`; return the failures as text.
fn failures(src: &str) -> Vec<String> {
    let program = check(src);
    assert!(!program.tests.is_empty());
    program
        .tests
        .iter()
        .map(|t| run_test(&program, t, clock()))
        .filter(|r| !r.passed)
        .map(|r| {
            format!(
                "{}: {:?}",
                r.name,
                r.failures
                    .iter()
                    .map(|f| (&f.expected, &f.actual))
                    .collect::<Vec<_>>()
            )
        })
        .collect()
}

/// LANGUAGE.md's first program (kept once, in icp-syntax's test data), its `import` dropped:
/// one file.
fn first() -> String {
    include_str!("../../icp-syntax/tests/data/language_md.icp")
        .lines()
        .filter(|l| !l.starts_with("import "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_first_program_of_language_md_passes_its_test() {
    let program = check(&first());
    assert_eq!(program.tests.len(), 1);
    let report = run_test(&program, &program.tests[0], clock());
    assert!(report.passed, "{report:#?}");
    let e = report.explanation.unwrap();
    assert_eq!(e.tier, "ideal");
    assert!(e.score > icp_model::Decimal::from(80));
    assert_eq!(e.score.to_string(), "94.12");
    assert_eq!(e.today, "2027-01-15");
}

#[test]
fn more_tests_of_the_first_program() {
    let tests = r#"
test "missing revenue is unknown, not false" {
  profile mid_market
  as_of 2027-01-15
  account { id: "a2", name: "Beta", industry: fintech, employees: 600, marketers: 1,
            country: "DE", funding: seed, tech: ["Marketo", "Salesforce"], intent: 75% }
  expect tier not_fit
  expect score >= 29.41
  expect score <= 29.42
  expect score.able == 20
  expect score.ready == 100
  expect coverage >= 57%
  expect coverage <= 58%
  expect reason size
  expect reason legacy_tool
}

test "a public company is excluded" {
  profile mid_market
  as_of 2027-01-15
  account { id: "a3", name: "Gamma", industry: saas, employees: 300, marketers: 4,
            country: "US", funding: public, tech: [] }
  expect tier excluded
  expect reason needs_ui
}

test "no marketer: out of segment before excluded" {
  profile mid_market
  as_of 2027-01-15
  account { id: "a4", name: "Delta", industry: agency, employees: 8, marketers: 0,
            country: "US", funding: public, tech: [] }
  expect tier out_of_segment
  expect reason no_marketer
}

test "unknown marketers: out of segment, not excluded" {
  profile mid_market
  as_of 2027-01-15
  account { id: "a5", name: "Eps", industry: saas, employees: 100, revenue: $3M,
            country: "US", funding: seed, tech: ["HubSpot"], intent: 90%, last_touch: 2027-01-10 }
  expect tier out_of_segment
  expect score >= 94
}
"#;
    assert_eq!(
        failures(&format!("{}\n{tests}", first())),
        Vec::<String>::new()
    );
}

#[test]
fn matrix_tiers_over_group_scores() {
    let src = r#"
schema Account {
  id: text key
  employees: int?
  revenue: money?
  intent: percent?
  visits: int?
}

profile grade {
  group able {
    criterion size weight 40 { employees >= 50 }
    criterion budget weight 60 { revenue >= $1M }
  }
  group ready {
    criterion intent weight 50 { intent >= 70% }
    criterion engaged weight 50 { visits >= 3 }
  }
  tier a1 "Route to an account executive today" when score.able >= 80 and score.ready >= 60
  tier a2 when score.able >= 80
  tier b  >= 50
  tier c
}

test "a1: able and ready" {
  profile grade
  account { id: "1", employees: 100, revenue: $2M, intent: 80%, visits: 5 }
  expect tier a1
  expect score == 100
}
test "a2: able, ready unknown" {
  profile grade
  account { id: "2", employees: 100, revenue: $2M }
  expect tier a2
  expect score.ready == 0
  expect coverage == 50%
}
test "b: half the points" {
  profile grade
  account { id: "3", employees: 10, revenue: $2M, intent: 10%, visits: 9 }
  expect tier b
  expect score == 55
  expect score.able == 60
}
test "c: the rest" {
  profile grade
  account { id: "4" }
  expect tier c
  expect score == 0
  expect coverage == 0%
}
"#;
    assert_eq!(failures(src), Vec::<String>::new());
    let program = check(src);
    let plan = Plan::new(&program, program.profile_named("grade").unwrap().0, clock()).unwrap();
    assert_eq!(
        plan.tier_names().collect::<Vec<_>>(),
        ["a1", "a2", "b", "c"]
    );
    assert_eq!(
        plan.tier_action(icp_eval::TierOutcome::Tier(0)),
        Some("Route to an account executive today")
    );
}

#[test]
fn semantics_end_to_end() {
    let src = r#"
schema T {
  id: text key
  n: number?
  m: number?
  name: text?
  tags: set<text>?
  kind: enum { x, y = "Why", z = _ }?
  seen: date?
}

profile p {
  let ratio = n / m
  criterion divided weight 10 { ratio is missing }
  criterion defaulted weight 10 { (n ?? 0) == 0 }
  criterion present weight 10 { name is present }
  criterion named weight 10 { name == "ACME" }
  criterion sub weight 10 { name contains "cm" }
  criterion tagged weight 10 { tags contains all ["a", "b"] }
  criterion kinds weight 10 { kind not in [x, z] }
  criterion range weight 10 { n not in 1..10 }
  criterion recent weight 10 { seen >= today - 2w }
  criterion either weight 10 { n > 5 or m >= 0 }
  criterion penalty weight -50 { tags contains "bad" }
  tier all >= 100
  tier some >= 1
  tier none
}

test "everything true" {
  profile p
  as_of 2027-01-15
  account { id: "1", n: 0, m: 0, name: " acme ", tags: ["b", "a"], kind: y, seen: 2027-01-01 }
  expect tier all
  expect coverage == 100%
}

test "everything unknown except what cannot be" {
  profile p
  as_of 2027-01-15
  account { id: "2" }
  expect tier some
  // divided (ratio missing), defaulted (n ?? 0) are true, present is false: 30 of 150 decided.
  expect score == 20
  expect coverage == 20%
}

test "unknown or true is true" {
  profile p
  as_of 2027-01-15
  account { id: "3", m: 9 }
  expect reason either
}

test "a penalty clamps at zero" {
  profile p
  as_of 2027-01-15
  account { id: "4", n: 5, m: 1, tags: ["bad"], seen: 2026-01-01 }
  expect score == 0
  expect tier none
}
"#;
    assert_eq!(failures(src), Vec::<String>::new());
}

#[test]
fn issue_11_lets_segments_and_text_from_source() {
    // A `let` that names a segment; Greek, German and Turkish text against literals; a set
    // item in another case (Revision 2).
    let src = r#"
schema Account {
  id:    text key
  c:     int
  city:  text?
  roles: set<text>
}
segment big { c > 1 }
profile p for Account {
  let is_big = big
  criterion a weight 10 { is_big }
  criterion samos weight 10 { city == "ΣΑΜΟΣ" }
  criterion ceo weight 10 { roles contains "ceo" }
  tier top >= 100
  tier rest
}
test "c = 2 is big, the city is Samos, the roles hold a CEO" {
  account { id: "a1", c: 2, city: "ΣΑΜΟΣ", roles: [" CEO ", "Founder"] }
  expect tier top
  expect score == 100
  expect coverage == 100%
  expect reason a
  expect reason samos
  expect reason ceo
}
test "lowercase Samos with a final sigma is the same city" {
  account { id: "a2", c: 2, city: "σαμος", roles: ["ceo"] }
  expect score == 100
  expect reason samos
}
test "an accent is not a case: `ά` is not `α`" {
  account { id: "a4", c: 2, city: "Σάμος", roles: ["CEO"] }
  expect score >= 66.66
  expect score <= 66.67
}
test "c = 1 is not big" {
  account { id: "a3", c: 1, city: "Σάμος", roles: [] }
  expect tier rest
  expect score == 0
  expect coverage == 100%
}
"#;
    assert_eq!(failures(src), Vec::<String>::new());
}

#[test]
fn percent_times_int_is_a_percent() {
    // Revision 2: `percent * int` is a `percent`, so it compares with a percent.
    let src = r#"
schema Account {
  id:     text key
  intent: percent?
  growth: percent?
}
profile p for Account {
  criterion doubled weight 10 { intent * 2 >= 100% }
  criterion tripled weight 10 { 3 * growth >= 90% }
  tier top >= 100
  tier rest
}
test "60% doubled is 120%, 31% tripled is 93%" {
  account { id: "a1", intent: 60%, growth: 31% }
  expect tier top
}
test "40% doubled is 80%" {
  account { id: "a2", intent: 40%, growth: 31% }
  expect score == 50
}
"#;
    assert_eq!(failures(src), Vec::<String>::new());
}
