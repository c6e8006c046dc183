//! Revision 2's additions, from source text through the checker to scoring, by hand: ordered
//! enums (comparisons and ranges by declared position, missing values unknown), situation
//! dates in rules and milestones, and a criterion's own `practical_share`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use crate::common;

use std::fmt::Write as _;

use icp_eval::{Plan, Tri};
use icp_model::{Date, Decimal, ProfileId, Value};

fn dec(s: &str) -> Decimal {
    icp_model::num::parse(s).unwrap()
}

use common::check_src as check;

fn day(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).unwrap()
}

const T: Tri = Tri::True;
const F: Tri = Tri::False;
const U: Tri = Tri::Unknown;

/// Each condition, as an exclusion, on `funding` = `none`, `seed`, `series_a`, `series_b`,
/// `later` and missing (in that order).
const ORDERED: &[(&str, [Tri; 6])] = &[
    ("funding >= series_a", [F, F, T, T, T, U]),
    ("funding > series_a", [F, F, F, T, T, U]),
    ("funding <= seed", [T, T, F, F, F, U]),
    ("funding < seed", [T, F, F, F, F, U]),
    ("funding < none", [F, F, F, F, F, U]),
    ("funding >= none", [T, T, T, T, T, U]),
    ("funding == series_a", [F, F, T, F, F, U]),
    ("funding != series_a", [T, T, F, T, T, U]),
    ("funding in seed..series_b", [F, T, T, T, F, U]),
    ("funding in series_a..series_a", [F, F, T, F, F, U]),
    ("funding not in seed..series_b", [T, F, F, F, T, U]),
    ("funding in none..later", [T, T, T, T, T, U]),
    ("(funding ?? later) >= series_b", [F, F, F, T, T, T]),
    (
        "funding >= series_a or funding is missing",
        [F, F, T, T, T, T],
    ),
    (
        "funding >= series_a and funding < later",
        [F, F, T, T, F, U],
    ),
];

#[test]
fn ordered_enums_compare_by_declared_position() {
    // The declared order differs from the alphabetical one and from the mapped strings'.
    let mut src = String::from(
        "schema A {\n  id: text key\n  funding: enum { none = \"None\" < seed = \"Seed\" < series_a = \"Series A\" < series_b < later = \"Growth\" }?\n}\nprofile p for A {\n  criterion c weight 1 { id == \"x\" }\n",
    );
    for (i, (cond, _)) in ORDERED.iter().enumerate() {
        let _ = writeln!(src, "  exclude x{i} {{ {cond} }}");
    }
    src.push_str("  tier all\n}\n");
    let program = check(&src);
    let plan = Plan::new(&program, ProfileId(0), day(2027, 1, 15)).unwrap();
    let values = [
        Value::Enum(0),
        Value::Enum(1),
        Value::Enum(2),
        Value::Enum(3),
        Value::Enum(4),
        Value::Missing,
    ];
    let mut wrong = Vec::new();
    for (vi, v) in values.iter().enumerate() {
        let e = plan.explain(&[Value::Text("a"), *v]);
        for (ci, (cond, want)) in ORDERED.iter().enumerate() {
            let got = e.exclusions[ci].result;
            if got != want[vi] {
                wrong.push(format!(
                    "`{cond}` on {v:?}: want {:?}, got {got:?}",
                    want[vi]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn ordered_enum_tests_run_end_to_end() {
    let program = check(
        r#"
schema A {
  id: text key
  funding: enum { none < seed < series_a < series_b < later }?
}
profile p for A {
  criterion funded weight 10 { funding >= series_a }
  criterion stage weight 10 {
    perfect   when funding in series_a..series_b
    practical when funding in seed..later
  }
  tier top >= 100
  tier mid >= 50
  tier low
}
test "series_b is top" { profile p  account { id: "a", funding: series_b }  expect tier top }
test "later is mid" { profile p  account { id: "b", funding: later }  expect score == 75 }
test "seed" { profile p  account { id: "c", funding: seed }  expect score == 25 }
test "none is low" { profile p  account { id: "d", funding: none }  expect score == 0 }
test "missing" { profile p  account { id: "e" }  expect coverage == 0%  expect tier low }
"#,
    );
    for t in &program.tests {
        let r = icp_eval::run_test(&program, t, day(2027, 1, 15));
        assert!(r.passed, "{r:#?}");
    }
}

#[test]
fn situation_dates_in_rules_and_milestones() {
    let program = check(
        r"
schema A {
  id: text key
  renewal: date?
  arr: money?
}
situation q1 for A {
  timeframe 2027-01-01 .. 2027-03-31
  goal new_arr sum(arr) >= $100k
  milestone start + 30d new_arr >= $34k
  milestone end - 2w new_arr >= $80k
  milestone 2027-01-01 + 1w + 1d new_arr >= $10k
}
profile p for A in q1 {
  criterion renews weight 10 { renewal in situation.start..situation.end }
  criterion after weight 10 { renewal > situation.end }
  tier all
}
",
    );
    let ms: Vec<Date> = program.situations[0]
        .milestones
        .iter()
        .map(|m| m.date)
        .collect();
    assert_eq!(ms, [day(2027, 1, 31), day(2027, 3, 17), day(2027, 1, 9)]);
    let plan = Plan::new(&program, ProfileId(0), day(2027, 1, 15)).unwrap();
    let d = |y, m, dd| Value::Num(Decimal::from(day(y, m, dd).0));
    let cases = [
        (d(2026, 12, 31), [F, F]),
        (d(2027, 1, 1), [T, F]),
        (d(2027, 3, 31), [T, F]),
        (d(2027, 4, 1), [F, T]),
        (Value::Missing, [U, U]),
    ];
    for (v, want) in cases {
        let e = plan.explain(&[Value::Text("a"), v, Value::Missing]);
        let got: Vec<Tri> = e
            .criteria
            .iter()
            .map(|c| match c.outcome {
                icp_eval::CriterionOutcome::True => T,
                icp_eval::CriterionOutcome::Unknown => U,
                _ => F,
            })
            .collect();
        assert_eq!(got, want, "renewal {v:?}");
    }
}

#[test]
fn a_criterions_own_practical_share_overrides_the_profiles() {
    let program = check(
        r"
schema A {
  id: text key
  employees: int
}
profile p for A {
  practical_share 40%
  criterion size weight 20 practical_share 75% {
    perfect when employees >= 100
    practical when employees >= 10
  }
  criterion other weight 20 {
    perfect when employees >= 100
    practical when employees >= 10
  }
  criterion none weight 10 practical_share 0% {
    perfect when employees >= 100
    practical when employees >= 10
  }
  tier all
}
",
    );
    assert_eq!(
        program.profiles[0].criteria[0].practical_share,
        Some(dec("0.75"))
    );
    assert_eq!(program.profiles[0].criteria[1].practical_share, None);
    let plan = Plan::new(&program, ProfileId(0), day(2027, 1, 15)).unwrap();
    let mut s = plan.scratch();
    // practical everywhere: 20 × 75% + 20 × 40% + 10 × 0% = 23 of 50
    let out = plan.eval(&[Value::Text("a"), Value::Num(Decimal::from(50))], &mut s);
    assert_eq!(out.score, Decimal::from(46), "{}", out.score);
    let mut reasons = String::new();
    plan.write_reasons(&s, &mut reasons);
    // (a share of 0% earns nothing, so `none` is not among the reasons)
    assert_eq!(reasons, "size +15 (practical); other +8 (practical)");
    let e = plan.explain(&[Value::Text("a"), Value::Num(Decimal::from(50))]);
    let points: Vec<Decimal> = e.criteria.iter().map(|c| c.points).collect();
    assert_eq!(points, [15, 8, 0].map(Decimal::from));
    assert!(
        e.raise
            .iter()
            .any(|r| r.why.contains("its own share, 75% of the weight")),
        "{:#?}",
        e.raise
    );
    // perfect: the full weight whatever the share
    let out = plan.eval(&[Value::Text("a"), Value::Num(Decimal::from(100))], &mut s);
    assert_eq!(out.score, Decimal::ONE_HUNDRED);
}

/// `explain`'s "would add" text rounds the exact share once: 3 of 17 points is 17.647…, shown
/// as 17.6 (rounding the two-decimal 17.65 again gave 17.7).
#[test]
fn would_add_rounds_the_exact_value_once() {
    let program = check(
        r"
schema A {
  id: text key
  employees: int
}
profile p for A {
  criterion small weight 3 { employees >= 100 }
  criterion rest weight 14 { employees >= 1 }
  tier top >= 90
  tier other
}
",
    );
    let plan = Plan::new(&program, ProfileId(0), day(2027, 1, 15)).unwrap();
    let e = plan.explain(&[Value::Text("a"), Value::Num(Decimal::from(5))]);
    assert_eq!(e.raise[0].points, dec("17.65"));
    let text = e.to_text();
    assert!(
        text.contains("small would add 17.6 points: not met"),
        "{text}"
    );
    assert!(!text.contains("17.7"), "{text}");
}
