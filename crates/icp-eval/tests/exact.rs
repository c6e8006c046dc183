//! Exact decimals (LANGUAGE.md, Revision 2, "Exact numbers"): hand-computed tables of
//! arithmetic, comparisons, scores at tier thresholds and the rounding for display.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use crate::common;

use icp_eval::{Plan, TierOutcome};
use icp_model::{Date, Decimal, Program, Value, num};

use common::check_src as check;

fn d(s: &str) -> Decimal {
    num::parse(s).unwrap()
}

fn plan(program: &Program) -> Plan {
    let (id, _) = program.profile_named("p").unwrap();
    Plan::new(program, id, Date::from_ymd(2027, 1, 15).unwrap()).unwrap()
}

/// One criterion `c` of weight 10 with condition `cond` over `x` and `y` (both `ty`), and
/// the score it gives with `x` and `y` set: 100 when the condition holds, else 0.
fn holds(ty: &str, cond: &str, x: &str, y: &str) -> bool {
    let src = format!(
        "schema A {{\n  x: {ty}?\n  y: {ty}?\n}}\nprofile p for A {{\n  criterion c weight 10 {{ {cond} }}\n  tier top >= 100\n  tier rest\n}}\n"
    );
    let program = check(&src);
    let plan = plan(&program);
    let mut s = plan.scratch();
    let o = plan.eval(&[Value::Num(d(x)), Value::Num(d(y))], &mut s);
    assert!(
        o.score == Decimal::ZERO || o.score == Decimal::ONE_HUNDRED,
        "{cond}: {}",
        o.score
    );
    o.score == Decimal::ONE_HUNDRED
}

#[test]
fn arithmetic_and_comparisons_are_exact() {
    // (type, condition, x, y, holds): x and y as the data reads them (percents as fractions).
    let table: &[(&str, &str, &str, &str, bool)] = &[
        ("percent", "30% - 20% >= 10%", "0", "0", true),
        ("percent", "30% - 20% == 10%", "0", "0", true),
        ("money", "$0.10 + $0.20 == $0.30", "0", "0", true),
        ("number", "0.1 + 0.2 == 0.3", "0", "0", true),
        ("number", "0.1 * 3 == 0.3", "0", "0", true),
        ("number", "1 / 3 * 3 == 1", "0", "0", false),
        ("percent", "x - 5% >= 80%", "0.85", "0", true),
        ("percent", "x - y >= 10%", "0.30", "0.20", true),
        ("percent", "x - y > 10%", "0.30", "0.20", false),
        ("money", "x + y == $0.30", "0.10", "0.20", true),
        ("money", "x * 3 == $0.30", "0.10", "0", true),
        ("number", "x / y == 0.1", "1", "10", true),
        ("number", "x / y > 0", "1", "0", false), // division by zero: missing, unknown
        ("number", "x == 64100000", "64100000", "0", true),
        ("number", "x >= 0.1 + 0.2 and x <= 0.3", "0.3", "0", true),
        ("percent", "x == 33.3%", "0.333", "0", true),
        ("number", "x in 0.1..0.3", "0.3", "0", true),
        ("number", "x in [0.3, 0.4]", "0.30", "0", true),
    ];
    for (ty, cond, x, y, want) in table {
        assert_eq!(holds(ty, cond, x, y), *want, "{cond} with x={x}, y={y}");
    }
}

#[test]
fn overflow_is_missing_not_a_panic() {
    let max = "79228162514264337593543950335";
    // x * x overflows: a missing value, so the comparison is unknown (no points).
    assert!(!holds("number", "x * y > 0", max, max));
    assert!(!holds("number", "x + y > 0", max, max));
    assert!(holds("number", "(x * y) is missing", max, max));
    assert!(holds("number", "x - y == 0", max, max));
}

#[test]
fn decimal_weights_reach_their_thresholds() {
    // Issue 11: 0.3 + 1.1 in binary floating point scored 99.99999999999999, tier `rest`.
    let program = check(
        "schema A {\n  x: int?\n}\nprofile p for A {\n  group fit {\n    criterion a weight 0.3 { x >= 1 }\n    criterion b weight 1.1 { x >= 2 }\n  }\n  tier top >= 100\n  tier rest\n}\n",
    );
    let plan = plan(&program);
    let mut s = plan.scratch();
    let o = plan.eval(&[Value::Num(d("5"))], &mut s);
    assert_eq!(o.score, Decimal::ONE_HUNDRED);
    assert_eq!(plan.tier_label(o.tier), "top");
    assert_eq!(o.coverage, Decimal::ONE);
    let e = plan.explain(&[Value::Num(d("5"))]);
    assert_eq!(e.groups[0].score, Some(Decimal::ONE_HUNDRED));
    let mut reasons = String::new();
    plan.write_reasons(&s, &mut reasons);
    assert_eq!(reasons, "a +0.3; b +1.1");
    // Only `a`: 100 × 0.3 / 1.4 = 21.428571428571428571428571429 (28 significant digits).
    let o = plan.eval(&[Value::Num(d("1"))], &mut s);
    assert_eq!(o.score.to_string(), "21.428571428571428571428571429");
    assert_eq!(plan.tier_label(o.tier), "rest");
}

#[test]
fn net_growth_earns_its_points() {
    let program = check(
        "schema A {\n  growth: percent?\n  churn: percent?\n}\nprofile p for A {\n  criterion net_growth weight 10 { growth - churn >= 10% }\n  criterion other weight 10 { churn > 50% }\n  tier half >= 50\n  tier rest\n}\n",
    );
    let plan = plan(&program);
    let mut s = plan.scratch();
    let o = plan.eval(&[Value::Num(d("0.30")), Value::Num(d("0.20"))], &mut s);
    assert_eq!((o.score, plan.tier_label(o.tier)), (d("50"), "half"));
}

#[test]
fn scores_tiers_and_display_rounding() {
    // Weights 1, 2 and 5 (Σ 8): every subset's score, hand-computed, and the tier the
    // unrounded value reaches. 12.5 shows as 12.50; 37.5 as 37.50; 62.5 as 62.50.
    let program = check(
        "schema A {\n  a: bool?\n  b: bool?\n  c: bool?\n}\nprofile p for A {\n  criterion a weight 1 { a }\n  criterion b weight 2 { b }\n  criterion c weight 5 { c }\n  tier high >= 62.5\n  tier mid >= 37.5\n  tier low\n}\n",
    );
    let plan = plan(&program);
    let mut s = plan.scratch();
    let table: &[([bool; 3], &str, &str, &str)] = &[
        ([false, false, false], "0", "0.00", "low"),
        ([true, false, false], "12.5", "12.50", "low"),
        ([false, true, false], "25", "25.00", "low"),
        ([true, true, false], "37.5", "37.50", "mid"),
        ([false, false, true], "62.5", "62.50", "high"),
        ([true, false, true], "75", "75.00", "high"),
        ([false, true, true], "87.5", "87.50", "high"),
        ([true, true, true], "100", "100.00", "high"),
    ];
    for (row, score, shown, tier) in table {
        let row: Vec<Value> = row.iter().map(|b| Value::Bool(*b)).collect();
        let o = plan.eval(&row, &mut s);
        assert_eq!(o.score, d(score), "{row:?}");
        let mut out = Vec::new();
        num::write_fixed2(&mut out, o.score);
        assert_eq!(String::from_utf8(out).unwrap(), *shown);
        assert_eq!(plan.tier_label(o.tier), *tier, "{row:?}");
    }
}

#[test]
fn a_third_rounds_for_display_only() {
    // Σ 3: one point is 33.333333333333333333333333333, shown 33.33; two are 66.67 (half
    // away from zero on the exact value); a tier at 66.67 is not reached by 66.666…
    let program = check(
        "schema A {\n  a: bool?\n  b: bool?\n  c: bool?\n}\nprofile p for A {\n  criterion a weight 1 { a }\n  criterion b weight 1 { b }\n  criterion c weight 1 { c }\n  tier two >= 66.67\n  tier rest\n}\n",
    );
    let plan = plan(&program);
    let mut s = plan.scratch();
    let o = plan.eval(
        &[Value::Bool(true), Value::Bool(true), Value::Bool(false)],
        &mut s,
    );
    let mut out = Vec::new();
    num::write_fixed2(&mut out, o.score);
    assert_eq!(String::from_utf8(out).unwrap(), "66.67");
    assert_eq!(o.tier, TierOutcome::Tier(1));
    let o = plan.eval(
        &[Value::Bool(true), Value::Bool(false), Value::Missing],
        &mut s,
    );
    // Coverage: 2 of 3 decided.
    assert_eq!(num::round_dp(o.coverage, 4), d("0.6667"));
}

#[test]
fn group_scores_are_clamped() {
    // A negative weight in a group can push its points below zero: the group score is 0.
    let program = check(
        "schema A {\n  a: bool?\n  b: bool?\n}\nprofile p for A {\n  group g {\n    criterion a weight 10 { a }\n    criterion b weight -20 { b }\n  }\n  tier low when score.g == 0\n  tier rest\n}\n",
    );
    let plan = plan(&program);
    let e = plan.explain(&[Value::Bool(true), Value::Bool(true)]);
    assert_eq!(e.groups[0].score, Some(Decimal::ZERO));
    assert_eq!(e.score, Decimal::ZERO);
    assert_eq!(e.tier, "low");
}

#[test]
fn literals_are_read_exactly() {
    let table: &[(&str, &str, bool)] = &[
        ("money", "x == $1.5B", true),
        ("money", "x == $1500000000", true),
        ("percent", "x == 33.3%", true),
        ("number", "x == 0.1", true),
    ];
    let values = [
        ("money", "1500000000"),
        ("percent", "0.333"),
        ("number", "0.1"),
    ];
    for (ty, cond, want) in table {
        let x = values.iter().find(|(t, _)| t == ty).unwrap().1;
        assert_eq!(holds(ty, cond, x, "0"), *want, "{cond}");
    }
}

#[test]
fn a_scratch_gives_each_plan_its_own_scores() {
    // The scratch remembers scores by point sum; a second plan with other weights (same
    // shape) must not reuse the first plan's: 1 of 3 is 33.33…, 1 of 4 is 25, and 2 of 3
    // gives 66.67 coverage-wise too.
    let three = check(
        "schema A {\n  a: bool?\n  b: bool?\n}\nprofile p for A {\n  criterion a weight 1 { a }\n  criterion b weight 2 { b }\n  tier rest\n}\n",
    );
    let four = check(
        "schema A {\n  a: bool?\n  b: bool?\n}\nprofile p for A {\n  criterion a weight 1 { a }\n  criterion b weight 3 { b }\n  tier rest\n}\n",
    );
    let (p3, p4) = (plan(&three), plan(&four));
    let row = [Value::Bool(true), Value::Missing];
    let mut s = p3.scratch();
    for _ in 0..2 {
        let o = p3.eval(&row, &mut s);
        assert_eq!(o.score, d("33.333333333333333333333333333"));
        assert_eq!(o.coverage, d("0.3333333333333333333333333333"));
        let o = p4.eval(&row, &mut s);
        assert_eq!(o.score, d("25"));
        assert_eq!(o.coverage, d("0.25"));
    }
    // Every row the same as with a fresh scratch, whatever came before.
    for a in [true, false] {
        for b in [Value::Bool(true), Value::Bool(false), Value::Missing] {
            let row = [Value::Bool(a), b];
            assert_eq!(p3.eval(&row, &mut s), p3.eval(&row, &mut p3.scratch()));
        }
    }
}
