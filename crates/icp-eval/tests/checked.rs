//! Programs from source text, through `icp_syntax::parse` and `icp_check::check`: LANGUAGE.md's
//! first program and its matrix tiers, and `test` blocks that pin the semantics end to end.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use std::path::PathBuf;

use icp_check::{MemoryLoader, Options};
use icp_eval::{Plan, run_test};
use icp_model::{Date, Program};

fn check(src: &str) -> Program {
    let loader = MemoryLoader::new().with("/p/main.icp", src);
    let checked = icp_check::check(
        &[PathBuf::from("/p/main.icp")],
        &PathBuf::from("/p"),
        &loader,
        &Options::default(),
    );
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    checked.program
}

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

const FIRST: &str = r#"
schema Account {
  id:         text     from "Record ID" key
  name:       text     from "Company name"
  industry:   enum { saas = "Software", fintech = "Financial Services", agency, other = _ }
  employees:  int      from "Number of Employees"
  marketers:  int?
  revenue:    money?   from "Annual Revenue"
  country:    text
  funding:    enum { none, seed, series_a, series_b, later, public }
  tech:       set<text> from "Technologies"
  intent:     percent? from "Intent"
  last_touch: date?    from "Last touch"
  stage:      enum { open, won, lost, churned }?
  arr:        money?
}

situation q1_2027 "Mid-market push" for Account {
  timeframe 2027-01-01 .. 2027-03-31
  goal new_customers count >= 25 where stage == won
  goal new_arr sum(arr) >= $100k where stage == won
  milestone 2027-01-31 new_arr >= $34k
  capability full_ui = false          // a fact, usable in rules as situation.full_ui
}

segment mary_marketer "Marketers at companies of 10-1000 employees" {
  employees in 10..1000 and marketers >= 1
}
segment owner_ollie "Owners of businesses under 10 employees, no full-time marketer" {
  employees < 10 and (marketers ?? 0) == 0
}

profile mid_market "Mid-market marketing teams" for Account in q1_2027 {
  target mary_marketer                 // several targets: any of them
  practical_share 50%                  // points for a practical fit (default 50%)

  let revenue_per_employee = revenue / employees

  group ready "Ready" {
    criterion urgent_need "Shows buying intent" weight 15 { intent >= 70% }
  }
  group able "Able" {
    criterion size "Company size" weight 20 {
      perfect   when employees in 50..200
      practical when employees in 10..1000
    }
    criterion budget "Can afford us" weight 25 { revenue >= $2M }
    criterion efficient "Revenue per head" weight 5 { revenue_per_employee >= $100k }
  }
  criterion stack "Uses a CRM we integrate with" weight 10 {
    tech contains any ["HubSpot", "Salesforce"]
  }
  criterion recent "Touched this quarter" weight 10 { last_touch >= today - 90d }
  criterion legacy_tool "Locked into a competitor" weight -10 { tech contains "Marketo" }

  exclude no_marketer "No full-time marketer" { marketers == 0 }
  exclude needs_ui "Needs a full UI we do not have" {
    not situation.full_ui and funding == public
  }

  tier ideal     >= 80
  tier practical >= 50
  tier not_fit
}

test "a 120-person SaaS with two marketers is ideal" {
  profile mid_market
  as_of 2027-01-15
  account { id: "a1", name: "Acme", industry: saas, employees: 120, marketers: 2,
            revenue: $5M, country: "US", funding: series_a, tech: ["HubSpot"],
            intent: 80%, last_touch: 2027-01-02 }
  expect tier ideal
  expect score >= 80
}
"#;

#[test]
fn the_first_program_of_language_md_passes_its_test() {
    let program = check(FIRST);
    assert_eq!(program.tests.len(), 1);
    let report = run_test(&program, &program.tests[0], clock());
    assert!(report.passed, "{report:#?}");
    let e = report.explanation.unwrap();
    assert_eq!(e.tier, "ideal");
    assert!(e.score > 80.0);
    assert_eq!(e.score, 94.12);
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
    assert_eq!(failures(&format!("{FIRST}{tests}")), Vec::<String>::new());
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
