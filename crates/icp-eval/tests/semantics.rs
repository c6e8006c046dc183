//! Hand-computed cases for every rule of LANGUAGE.md "Semantics (the contract)".
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use crate::common;

use common::*;
use icp_eval::{CriterionOutcome, TierOutcome, Tri};
use icp_model::{Const, ExprKind, SegmentId, SetVal, TierRule, Ty, Value};

const M: Value<'static> = Value::Missing;
fn bv(b: Option<bool>) -> Value<'static> {
    b.map_or(M, Value::Bool)
}
fn tri(b: Option<bool>) -> Tri {
    match b {
        Some(true) => Tri::True,
        Some(false) => Tri::False,
        None => Tri::Unknown,
    }
}
fn set(raw: &str) -> Value<'_> {
    Value::Set(SetVal { raw })
}

const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);
const U: Option<bool> = None;

#[test]
fn three_valued_and_or_not() {
    // (p, q, p and q, p or q)
    let table = [
        (T, T, T, T),
        (T, F, F, T),
        (F, T, F, T),
        (F, F, F, F),
        (T, U, U, T),
        (U, T, U, T),
        (F, U, F, U),
        (U, F, F, U),
        (U, U, U, U),
    ];
    for (p, q, and_, or_) in table {
        let r = row(&[(P, bv(p)), (Q, bv(q))]);
        assert_eq!(
            truth(and(field(P), field(Q)), &r),
            tri(and_),
            "{p:?} and {q:?}"
        );
        assert_eq!(
            truth(or(field(P), field(Q)), &r),
            tri(or_),
            "{p:?} or {q:?}"
        );
    }
    for (p, not_) in [(T, F), (F, T), (U, U)] {
        let r = row(&[(P, bv(p))]);
        assert_eq!(truth(not(field(P)), &r), tri(not_), "not {p:?}");
    }
}

#[test]
fn comparisons_with_missing_operands_are_unknown() {
    let a = |x: Option<f64>| row(&[(A, x.map_or(M, |x| Value::Num(d(x))))]);
    let cases = [
        (cmp(Gt, field(A), num(1.0)), a(None), U),
        (cmp(Gt, field(A), num(1.0)), a(Some(2.0)), T),
        (cmp(Le, num(1.0), field(A)), a(Some(2.0)), T),
        (cmp(Le, num(3.0), field(A)), a(Some(2.0)), F),
        (cmp(Eq, field(A), field(B)), a(None), U),
        (
            cmp(Eq, field(A), field(B)),
            row(&[(A, Value::Num(d(1.0))), (B, Value::Num(d(1.0)))]),
            T,
        ),
        (cmp(Ne, field(A), num(1.0)), a(None), U),
        (cmp(Ne, field(A), num(1.0)), a(Some(1.0)), F),
        (not(cmp(Gt, field(A), num(1.0))), a(None), U),
        (cmp(Lt, neg(field(A)), num(0.0)), a(Some(2.0)), T),
        (cmp(Lt, neg(field(A)), num(0.0)), a(None), U),
    ];
    for (i, (e, r, want)) in cases.into_iter().enumerate() {
        assert_eq!(truth(e, &r), tri(want), "case {i}");
    }
}

#[test]
fn text_compares_case_insensitively_after_trimming() {
    let n = |s: &'static str| row(&[(NAME, Value::Text(s))]);
    assert_eq!(
        truth(cmp(Eq, field(NAME), text("ACME ")), &n(" acme")),
        Tri::True
    );
    assert_eq!(
        truth(cmp(Ne, field(NAME), text("Acme")), &n("ACME")),
        Tri::False
    );
    assert_eq!(
        truth(cmp(Eq, field(NAME), text("Acme")), &n("Acme Inc")),
        Tri::False
    );
    assert_eq!(
        truth(cmp(Eq, field(NAME), text("Acme")), &row(&[])),
        Tri::Unknown
    );
    assert_eq!(
        truth(cmp(Lt, field(NAME), text("banana")), &n("Apple")),
        Tri::True
    );
    assert_eq!(
        truth(cmp(Eq, field(NAME), text("zürich")), &n("ZÜRICH")),
        Tri::True
    );
}

#[test]
fn coalesce_and_is_missing() {
    let a = |x: Option<f64>| row(&[(A, x.map_or(M, |x| Value::Num(d(x))))]);
    let zero_default = || cmp(Eq, coalesce(field(A), num(0.0)), num(0.0));
    assert_eq!(truth(zero_default(), &a(None)), Tri::True);
    assert_eq!(truth(zero_default(), &a(Some(3.0))), Tri::False);
    assert_eq!(truth(zero_default(), &a(Some(0.0))), Tri::True);
    // Both sides missing: still missing.
    assert_eq!(
        truth(cmp(Eq, coalesce(field(A), field(B)), num(0.0)), &a(None)),
        Tri::Unknown
    );
    assert_eq!(truth(is_missing(field(A)), &a(None)), Tri::True);
    assert_eq!(truth(is_missing(field(A)), &a(Some(0.0))), Tri::False);
    // `is present` is `not (x is missing)`: never unknown.
    assert_eq!(truth(not(is_missing(field(A))), &a(None)), Tri::False);
    // An empty set and empty text are present.
    assert_eq!(
        truth(is_missing(field(TECH)), &row(&[(TECH, set(""))])),
        Tri::False
    );
    assert_eq!(
        truth(is_missing(field(NAME)), &row(&[(NAME, Value::Text(""))])),
        Tri::False
    );
    // A bool that is unknown is missing.
    assert_eq!(
        truth(is_missing(and(field(P), boolean(true))), &row(&[])),
        Tri::True
    );
}

#[test]
fn in_range_is_inclusive_and_unknown_on_missing() {
    let a = |x: Option<f64>| row(&[(A, x.map_or(M, |x| Value::Num(d(x))))]);
    let r = || in_range(field(A), num(1.0), num(10.0));
    assert_eq!(truth(r(), &a(Some(1.0))), Tri::True);
    assert_eq!(truth(r(), &a(Some(10.0))), Tri::True);
    assert_eq!(truth(r(), &a(Some(10.5))), Tri::False);
    assert_eq!(truth(r(), &a(Some(0.0))), Tri::False);
    assert_eq!(truth(r(), &a(None)), Tri::Unknown);
    // A missing bound.
    assert_eq!(
        truth(in_range(field(A), field(B), num(10.0)), &a(Some(5.0))),
        Tri::Unknown
    );
    assert_eq!(
        truth(
            in_range(field(A), field(B), num(10.0)),
            &row(&[(A, Value::Num(d(5.0))), (B, Value::Num(d(1.0)))])
        ),
        Tri::True
    );
    // Revision 2: unknown on any missing operand, also when `x` is outside the known bound
    // (`lo <= x and x <= hi` would be false for x = 0 below lo = 1 whatever hi is).
    let open_hi = || in_range(field(A), num(1.0), field(B));
    assert_eq!(truth(open_hi(), &a(Some(0.0))), Tri::Unknown);
    assert_eq!(truth(open_hi(), &a(Some(20.0))), Tri::Unknown);
    assert_eq!(
        truth(
            open_hi(),
            &row(&[(A, Value::Num(d(0.0))), (B, Value::Num(d(10.0)))])
        ),
        Tri::False
    );
    let missing_bound = || {
        in_range(
            field(A),
            num(1.0),
            ex(ExprKind::Const(Const::Missing), Ty::Number),
        )
    };
    assert_eq!(truth(missing_bound(), &a(Some(0.0))), Tri::Unknown);
    assert_eq!(truth(missing_bound(), &a(Some(5.0))), Tri::Unknown);
    // `not in` is `not (in)`.
    assert_eq!(truth(not(r()), &a(Some(11.0))), Tri::True);
    assert_eq!(truth(not(r()), &a(None)), Tri::Unknown);
}

#[test]
fn in_list_with_missing() {
    let a = |x: Option<f64>| row(&[(A, x.map_or(M, |x| Value::Num(d(x))))]);
    let l = || in_list(field(A), vec![num(1.0), num(2.0)]);
    assert_eq!(truth(l(), &a(Some(2.0))), Tri::True);
    assert_eq!(truth(l(), &a(Some(3.0))), Tri::False);
    assert_eq!(truth(l(), &a(None)), Tri::Unknown);
    // Revision 2: a missing item is a missing operand, so the test is unknown, a match or
    // not (SQL's `2 IN (NULL, 2)` would be true: the contract says otherwise).
    let l2 = || in_list(field(A), vec![field(B), num(2.0)]);
    assert_eq!(truth(l2(), &a(Some(2.0))), Tri::Unknown);
    assert_eq!(truth(l2(), &a(Some(3.0))), Tri::Unknown);
    assert_eq!(
        truth(
            l2(),
            &row(&[(A, Value::Num(d(2.0))), (B, Value::Num(d(1.0)))])
        ),
        Tri::True
    );
    assert_eq!(truth(not(l2()), &a(Some(2.0))), Tri::Unknown);
    // A constant missing item (a division by zero) and a missing text item, the same.
    let missing = || ex(ExprKind::Const(Const::Missing), Ty::Number);
    let l3 = || in_list(field(A), vec![num(2.0), missing()]);
    assert_eq!(truth(l3(), &a(Some(2.0))), Tri::Unknown);
    assert_eq!(truth(l3(), &a(Some(3.0))), Tri::Unknown);
    let l4 = || {
        in_list(
            field(NAME),
            vec![text("Acme"), ex(ExprKind::Const(Const::Missing), Ty::Text)],
        )
    };
    assert_eq!(
        truth(l4(), &row(&[(NAME, Value::Text("Acme"))])),
        Tri::Unknown
    );
    // The same through a `let` (the general path, not the field leaf).
    let mut p = profile();
    p.lets = vec![let_def("n", field(NAME))];
    p.criteria = vec![crit(
        "named",
        10.0,
        in_list(
            let_(0, Ty::Text),
            vec![text("Acme"), ex(ExprKind::Const(Const::Missing), Ty::Text)],
        ),
    )];
    let prog = program(p, vec![]);
    let (_, e, _) = eval(&prog, &row(&[(NAME, Value::Text("Acme"))]));
    assert_eq!(e.criteria[0].outcome, CriterionOutcome::Unknown);
    // Text: case-insensitive after trimming; enums by variant.
    let names = || in_list(field(NAME), vec![text("Acme"), text("Beta")]);
    assert_eq!(
        truth(names(), &row(&[(NAME, Value::Text(" ACME "))])),
        Tri::True
    );
    assert_eq!(
        truth(names(), &row(&[(NAME, Value::Text("Gamma"))])),
        Tri::False
    );
    let kinds = || in_list(field(KIND), vec![variant(0), variant(1)]);
    assert_eq!(truth(kinds(), &row(&[(KIND, Value::Enum(1))])), Tri::True);
    assert_eq!(truth(kinds(), &row(&[(KIND, Value::Enum(2))])), Tri::False);
    assert_eq!(truth(kinds(), &row(&[])), Tri::Unknown);
    assert_eq!(
        truth(not(kinds()), &row(&[(KIND, Value::Enum(2))])),
        Tri::True
    );
}

#[test]
fn contains_on_sets_ignores_case_and_on_text_is_a_case_insensitive_substring() {
    let tech = |raw: &'static str| row(&[(TECH, set(raw))]);
    let one = |s: &str| contains(field(TECH), One, vec![text(s)]);
    assert_eq!(
        truth(one("HubSpot"), &tech("HubSpot; Salesforce")),
        Tri::True
    );
    // Revision 2: set items compare as text does, ignoring case and surrounding space.
    assert_eq!(
        truth(one("hubspot"), &tech("HubSpot; Salesforce")),
        Tri::True
    );
    assert_eq!(truth(one("HUBSPOT "), &tech("hubspot")), Tri::True);
    assert_eq!(truth(one("Hub"), &tech("HubSpot")), Tri::False);
    assert_eq!(
        truth(one("Salesforce"), &tech("HubSpot\u{1f}Salesforce")),
        Tri::True
    );
    assert_eq!(truth(one("HubSpot"), &tech("")), Tri::False);
    assert_eq!(truth(one("HubSpot"), &row(&[])), Tri::Unknown);

    let any = || contains(field(TECH), Any, vec![text("HubSpot"), text("Salesforce")]);
    let all = || contains(field(TECH), All, vec![text("HubSpot"), text("Salesforce")]);
    assert_eq!(truth(any(), &tech("Marketo|Salesforce")), Tri::True);
    assert_eq!(truth(any(), &tech("Marketo")), Tri::False);
    assert_eq!(truth(all(), &tech("Salesforce,HubSpot")), Tri::True);
    assert_eq!(truth(all(), &tech("SALESFORCE,hubspot ")), Tri::True);
    assert_eq!(truth(any(), &tech("marketo|salesforce")), Tri::True);
    assert_eq!(truth(all(), &tech("Salesforce")), Tri::False);
    assert_eq!(truth(all(), &row(&[])), Tri::Unknown);

    // A missing needle: any is true on another match, else unknown; all is false on a miss.
    let any_m = || contains(field(TECH), Any, vec![field(NAME), text("X")]);
    let all_m = || contains(field(TECH), All, vec![field(NAME), text("X")]);
    assert_eq!(truth(any_m(), &tech("X")), Tri::True);
    assert_eq!(truth(any_m(), &tech("Y")), Tri::Unknown);
    assert_eq!(truth(all_m(), &tech("Y")), Tri::False);
    assert_eq!(truth(all_m(), &tech("X")), Tri::Unknown);
    assert_eq!(
        truth(
            all_m(),
            &row(&[(TECH, set("X;Acme")), (NAME, Value::Text("Acme"))])
        ),
        Tri::True
    );

    let name = |s: &'static str| row(&[(NAME, Value::Text(s))]);
    let sub = || contains(field(NAME), One, vec![text("MARKET")]);
    assert_eq!(truth(sub(), &name("Acme Marketing")), Tri::True);
    assert_eq!(truth(sub(), &name("Acme")), Tri::False);
    assert_eq!(truth(sub(), &row(&[])), Tri::Unknown);
}

#[test]
fn division_by_zero_is_missing() {
    let r = row(&[(A, Value::Num(d(10.0))), (B, Value::Num(d(0.0)))]);
    let ratio = || arith(Div, field(A), field(B));
    assert_eq!(truth(is_missing(ratio()), &r), Tri::True);
    assert_eq!(truth(cmp(Gt, ratio(), num(1.0)), &r), Tri::Unknown);
    assert_eq!(
        truth(cmp(Eq, coalesce(ratio(), num(-1.0)), num(-1.0)), &r),
        Tri::True
    );
    // Folded constant division by zero.
    assert_eq!(
        truth(is_missing(arith(Div, num(1.0), num(0.0))), &r),
        Tri::True
    );
    let ok = row(&[(A, Value::Num(d(10.0))), (B, Value::Num(d(4.0)))]);
    assert_eq!(truth(cmp(Eq, ratio(), num(2.5)), &ok), Tri::True);
    assert_eq!(
        truth(
            cmp(
                Eq,
                arith(
                    Add,
                    arith(Mul, field(A), num(2.0)),
                    arith(Sub, field(B), num(1.0))
                ),
                num(23.0)
            ),
            &ok
        ),
        Tri::True
    );
    assert_eq!(
        truth(cmp(Eq, arith(Add, field(A), field(B)), num(10.0)), &r),
        Tri::True
    );
    assert_eq!(
        truth(
            cmp(Eq, arith(Add, field(A), field(B)), num(10.0)),
            &row(&[])
        ),
        Tri::Unknown
    );
}

#[test]
fn dates_and_enums() {
    let d = |y, m, dd| {
        Value::Num(icp_model::Decimal::from(
            icp_model::Date::from_ymd(y, m, dd).unwrap().0,
        ))
    };
    let recent = || cmp(Ge, field(DAY), arith(Sub, today(), days(90)));
    // today is 2027-01-15; 90 days before is 2026-10-17.
    assert_eq!(truth(recent(), &row(&[(DAY, d(2026, 10, 17))])), Tri::True);
    assert_eq!(truth(recent(), &row(&[(DAY, d(2026, 10, 16))])), Tri::False);
    assert_eq!(truth(recent(), &row(&[])), Tri::Unknown);
    assert_eq!(
        truth(
            cmp(Lt, field(DAY), date(2027, 1, 1)),
            &row(&[(DAY, d(2026, 12, 31))])
        ),
        Tri::True
    );
    assert_eq!(
        truth(
            cmp(Eq, field(KIND), variant(1)),
            &row(&[(KIND, Value::Enum(1))])
        ),
        Tri::True
    );
    assert_eq!(
        truth(
            cmp(Ne, field(KIND), variant(1)),
            &row(&[(KIND, Value::Enum(1))])
        ),
        Tri::False
    );
    assert_eq!(
        truth(
            cmp(Ge, field(KIND), variant(1)),
            &row(&[(KIND, Value::Enum(2))])
        ),
        Tri::True
    );
    assert_eq!(
        truth(cmp(Eq, field(KIND), variant(1)), &row(&[])),
        Tri::Unknown
    );
}

/// Profile with criteria `c1` (weight 10: a >= 1) and `c2` (weight 30: b >= 1).
fn two_criteria() -> icp_model::Profile {
    let mut p = profile();
    p.criteria = vec![
        crit("c1", 10.0, cmp(Ge, field(A), num(1.0))),
        crit("c2", 30.0, cmp(Ge, field(B), num(1.0))),
    ];
    p
}

#[test]
fn points_score_and_coverage() {
    let prog = program(two_criteria(), vec![]);
    let (o, e, reasons) = eval(
        &prog,
        &row(&[(A, Value::Num(d(1.0))), (B, Value::Num(d(0.0)))]),
    );
    assert_eq!(o.score, d(25.0));
    assert_eq!(o.coverage, d(1.0));
    assert_eq!(o.tier, TierOutcome::Tier(1));
    assert_eq!(reasons, "c1 +10");
    assert_eq!(e.criteria[0].outcome, CriterionOutcome::True);
    assert_eq!(e.criteria[1].outcome, CriterionOutcome::False);

    // c1 unknown: 0 points, not decided, reported as unknown.
    let (o, e, reasons) = eval(&prog, &row(&[(B, Value::Num(d(5.0)))]));
    assert_eq!(o.score, d(75.0));
    assert_eq!(o.coverage, d(0.75));
    assert_eq!(o.tier, TierOutcome::Tier(0));
    assert_eq!(reasons, "c2 +30; unknown: c1");
    assert_eq!(e.criteria[0].outcome, CriterionOutcome::Unknown);
    assert_eq!(e.criteria[0].unknown_fields, vec!["a".to_owned()]);
    assert_eq!(e.raise[0].criterion, "c1");
    assert_eq!(e.raise[0].points, d(25.0));
    assert_eq!(e.raise[0].why, "a is missing");

    // Nothing known.
    let (o, _, reasons) = eval(&prog, &row(&[]));
    assert_eq!((o.score, o.coverage), (d(0.0), d(0.0)));
    assert_eq!(reasons, "unknown: c1, c2");
}

#[test]
fn negative_weights_apply_when_true_and_the_score_is_clamped() {
    let mut p = two_criteria();
    p.criteria.push(crit("legacy", -50.0, field(P)));
    let prog = program(p, vec![]);
    // 10 - 50 = -40 of 40: clamped to 0.
    let (o, e, reasons) = eval(
        &prog,
        &row(&[
            (A, Value::Num(d(1.0))),
            (B, Value::Num(d(0.0))),
            (P, Value::Bool(true)),
        ]),
    );
    assert_eq!(o.score, d(0.0));
    assert_eq!(e.criteria[2].points, d(-50.0));
    assert_eq!(reasons, "c1 +10; legacy -50");
    // 40 - 50 = -10: still 0; with p false 40 of 40 = 100.
    let (o, ..) = eval(
        &prog,
        &row(&[
            (A, Value::Num(d(1.0))),
            (B, Value::Num(d(1.0))),
            (P, Value::Bool(true)),
        ]),
    );
    assert_eq!(o.score, d(0.0));
    let (o, ..) = eval(
        &prog,
        &row(&[
            (A, Value::Num(d(1.0))),
            (B, Value::Num(d(1.0))),
            (P, Value::Bool(false)),
        ]),
    );
    assert_eq!(o.score, d(100.0));
    // A negative weight counts in coverage: 40 of 90 decided when p is unknown.
    let (o, _, reasons) = eval(
        &prog,
        &row(&[(A, Value::Num(d(1.0))), (B, Value::Num(d(1.0)))]),
    );
    assert_eq!(o.score, d(100.0));
    assert_eq!(o.coverage, d(40.0) / d(90.0));
    assert_eq!(reasons, "c1 +10; c2 +30; unknown: legacy");
}

#[test]
fn scorecards_and_practical_share() {
    let size = || {
        card(
            "size",
            20.0,
            in_range(field(A), num(50.0), num(200.0)),
            Some(in_range(field(A), num(10.0), num(1000.0))),
        )
    };
    let mut p = profile();
    p.criteria = vec![size(), crit("other", 20.0, cmp(Ge, field(B), num(1.0)))];
    let prog = program(p.clone(), vec![]);
    let a = |x: f64| row(&[(A, Value::Num(d(x))), (B, Value::Num(d(1.0)))]);
    let (o, e, reasons) = eval(&prog, &a(100.0));
    assert_eq!(
        (o.score, e.criteria[0].outcome),
        (d(100.0), CriterionOutcome::Perfect)
    );
    assert_eq!(e.criteria[0].branch.as_deref(), Some("perfect"));
    let (o, e, reasons2) = eval(&prog, &a(500.0));
    assert_eq!(
        (o.score, e.criteria[0].outcome),
        (d(75.0), CriterionOutcome::Practical)
    );
    assert_eq!(reasons, "size +20; other +20");
    assert_eq!(reasons2, "size +10 (practical); other +20");
    let (o, e, _) = eval(&prog, &a(5.0));
    assert_eq!(
        (o.score, e.criteria[0].outcome),
        (d(50.0), CriterionOutcome::False)
    );

    p.practical_share = d(0.25);
    let (o, e, _) = eval(&program(p, vec![]), &a(500.0));
    assert_eq!((o.score, e.criteria[0].points), (d(62.5), d(5.0)));
}

#[test]
fn scorecard_unknowns() {
    // perfect: a > 5; practical: b > 5.
    let mut p = profile();
    p.criteria = vec![card(
        "c",
        10.0,
        cmp(Gt, field(A), num(5.0)),
        Some(cmp(Gt, field(B), num(5.0))),
    )];
    let prog = program(p, vec![]);
    let n = |x: Option<f64>| x.map_or(M, |x| Value::Num(d(x)));
    // (a, b, outcome, points)
    let table = [
        (Some(9.0), None, CriterionOutcome::Perfect, 10.0),
        (None, Some(1.0), CriterionOutcome::Unknown, 0.0),
        (None, None, CriterionOutcome::Unknown, 0.0),
        (Some(1.0), None, CriterionOutcome::Unknown, 0.0),
        (None, Some(9.0), CriterionOutcome::Practical, 5.0),
        (Some(1.0), Some(9.0), CriterionOutcome::Practical, 5.0),
        (Some(1.0), Some(1.0), CriterionOutcome::False, 0.0),
    ];
    for (a, b, outcome, points) in table {
        let (o, e, _) = eval(&prog, &row(&[(A, n(a)), (B, n(b))]));
        assert_eq!(
            (e.criteria[0].outcome, e.criteria[0].points),
            (outcome, d(points)),
            "a {a:?} b {b:?}"
        );
        let decided = if outcome == CriterionOutcome::Unknown {
            0.0
        } else {
            1.0
        };
        assert_eq!(o.coverage, d(decided));
    }
    // Without a practical branch.
    let mut p = profile();
    p.criteria = vec![card("c", 10.0, cmp(Gt, field(A), num(5.0)), None)];
    let prog = program(p, vec![]);
    assert_eq!(
        eval(&prog, &row(&[])).1.criteria[0].outcome,
        CriterionOutcome::Unknown
    );
    assert_eq!(
        eval(&prog, &row(&[(A, Value::Num(d(1.0)))])).1.criteria[0].outcome,
        CriterionOutcome::False
    );
}

#[test]
fn threshold_tiers_compare_the_unrounded_score() {
    // One of three equal criteria: 33.333...
    let mut p = profile();
    p.criteria = vec![
        crit("c1", 1.0, field(P)),
        crit("c2", 1.0, field(Q)),
        crit("c3", 1.0, cmp(Ge, field(A), num(1.0))),
    ];
    // Exactly: the score is 100 / 3 with 28 significant digits, 33.333333333333333333333333333.
    let exact = |t: &str| icp_model::TierRule::Threshold(icp_model::num::parse(t).unwrap());
    p.tiers = vec![
        common::tier("top", exact("33.333333333333333333333333334")),
        common::tier("mid", exact("33.333333333333333333333333333")),
        catch_all("rest"),
    ];
    let prog = program(p.clone(), vec![]);
    let r = row(&[(P, Value::Bool(true))]);
    assert_eq!(label(&prog, &r), "mid");
    assert_eq!(eval(&prog, &r).1.score, d(33.33));
    // 33.33 rounded would reach a threshold of 33.33, the unrounded score does too;
    // 33.334 is above the unrounded score.
    p.tiers = vec![threshold("top", 33.334), catch_all("rest")];
    assert_eq!(label(&program(p, vec![]), &r), "rest");
}

#[test]
fn when_tiers_with_group_scores() {
    let mut p = profile();
    p.groups = vec![group("fit"), group("intent"), group("penalties")];
    p.criteria = vec![
        in_group(crit("size", 40.0, field(P)), 0),
        in_group(crit("budget", 10.0, cmp(Ge, field(A), num(1.0))), 0),
        in_group(crit("intent", 50.0, field(Q)), 1),
        in_group(crit("legacy", -10.0, cmp(Ge, field(B), num(1.0))), 2),
    ];
    p.tiers = vec![
        tier(
            "a1",
            TierRule::When(and(
                cmp(Ge, group_score(0), num(80.0)),
                cmp(Ge, group_score(1), num(60.0)),
            )),
        ),
        tier("a2", TierRule::When(cmp(Ge, group_score(0), num(80.0)))),
        // score.penalties is missing (no positive weight): never true.
        tier("pen", TierRule::When(cmp(Le, group_score(2), num(100.0)))),
        threshold("b", 40.0),
        tier("c", TierRule::When(cmp(Ge, score(), num(0.0)))),
        catch_all("d"),
    ];
    let prog = program(p, vec![]);
    let r = |p: bool, a: f64, q: bool| {
        row(&[
            (P, Value::Bool(p)),
            (A, Value::Num(d(a))),
            (Q, Value::Bool(q)),
        ])
    };
    // fit 100, intent 100.
    let (o, e, _) = eval(&prog, &r(true, 1.0, true));
    assert_eq!(e.tier, "a1");
    assert_eq!(o.tier, TierOutcome::Tier(0));
    assert_eq!(e.groups[0].score, Some(d(100.0)));
    assert_eq!(e.groups[2].score, None);
    // fit 80 (40 of 50), intent 0: a2.
    assert_eq!(label(&prog, &r(true, 0.0, false)), "a2");
    // fit 20 (10 of 50), intent 100: score 60: b.
    assert_eq!(label(&prog, &r(false, 1.0, true)), "b");
    // Score 10: c (a when over `score`).
    assert_eq!(label(&prog, &r(false, 1.0, false)), "c");
    // fit 80 but intent unknown: a1's condition is unknown, not true: a2.
    assert_eq!(
        label(
            &prog,
            &row(&[(P, Value::Bool(true)), (A, Value::Num(d(0.0)))])
        ),
        "a2"
    );
    // Group scores are clamped as the score is: the negative group only.
    let (_, e, _) = eval(&prog, &row(&[(B, Value::Num(d(5.0)))]));
    assert_eq!(e.groups[2].points, d(-10.0));
}

#[test]
fn the_last_tier_catches_the_rest() {
    let mut p = two_criteria();
    p.tiers = vec![threshold("a", 90.0), threshold("b", 50.0), catch_all("c")];
    let prog = program(p.clone(), vec![]);
    assert_eq!(label(&prog, &row(&[])), "c");
    assert_eq!(label(&prog, &row(&[(B, Value::Num(d(1.0)))])), "b");
    assert_eq!(
        label(
            &prog,
            &row(&[(A, Value::Num(d(1.0))), (B, Value::Num(d(1.0)))])
        ),
        "a"
    );
    // Even a last tier with a threshold (the checker forbids it) catches the rest.
    p.tiers = vec![threshold("a", 90.0), threshold("b", 50.0)];
    assert_eq!(label(&program(p, vec![]), &row(&[])), "b");
}

#[test]
fn out_of_segment_with_an_unknown_target() {
    let mut p = two_criteria();
    p.targets = vec![SegmentId(0), SegmentId(1)];
    let segs = vec![
        segment("big", cmp(Ge, field(A), num(10.0))),
        // A segment referring to another segment.
        segment("big_and_b", and(seg(0), cmp(Ge, field(B), num(1.0)))),
    ];
    let prog = program(p, segs);
    // a unknown: both targets unknown: out of segment, yet scored.
    let (o, e, reasons) = eval(&prog, &row(&[(B, Value::Num(d(1.0)))]));
    assert_eq!(o.tier, TierOutcome::OutOfSegment);
    assert_eq!(e.tier, "out_of_segment");
    assert_eq!(e.score_tier, "high");
    assert_eq!(o.score, d(75.0));
    assert_eq!(e.segment.targets[0].result, Tri::Unknown);
    assert_eq!(e.segment.targets[0].unknown_fields, vec!["a".to_owned()]);
    assert!(!e.segment.in_segment);
    assert_eq!(
        reasons,
        "out_of_segment: big unknown, big_and_b unknown; c2 +30; unknown: c1"
    );
    // One false, one unknown: still out.
    let (o, ..) = eval(&prog, &row(&[(A, Value::Num(d(1.0)))]));
    assert_eq!(o.tier, TierOutcome::OutOfSegment);
    // One true, one unknown: in.
    let (o, e, _) = eval(&prog, &row(&[(A, Value::Num(d(10.0)))]));
    assert_eq!(o.tier, TierOutcome::Tier(1));
    assert_eq!(e.segment.targets[1].result, Tri::Unknown);
    let (_, e, _) = eval(
        &prog,
        &row(&[(A, Value::Num(d(10.0))), (B, Value::Num(d(1.0)))]),
    );
    assert_eq!(e.segment.targets[1].result, Tri::True);
}

#[test]
fn excluded_with_an_unknown_second_exclusion() {
    let mut p = two_criteria();
    p.excludes = vec![
        exclude("no_marketer", "No full-time marketer", field(P)),
        exclude("needs_ui", "Needs a UI", field(Q)),
    ];
    let prog = program(p, vec![]);
    let r = row(&[
        (P, Value::Bool(true)),
        (A, Value::Num(d(1.0))),
        (B, Value::Num(d(1.0))),
    ]);
    let (o, e, reasons) = eval(&prog, &r);
    assert_eq!(o.tier, TierOutcome::Excluded);
    assert_eq!(o.score, d(100.0));
    assert_eq!(e.score_tier, "high");
    assert_eq!(e.exclusions[0].result, Tri::True);
    assert_eq!(e.exclusions[1].result, Tri::Unknown);
    assert_eq!(e.exclusions[1].unknown_fields, vec!["q".to_owned()]);
    assert_eq!(
        reasons,
        "excluded: no_marketer (No full-time marketer); c1 +10; c2 +30; unknown: needs_ui"
    );
    // Only unknown: not excluded, but reported.
    let r = row(&[
        (P, Value::Bool(false)),
        (A, Value::Num(d(1.0))),
        (B, Value::Num(d(1.0))),
    ]);
    let (o, _, reasons) = eval(&prog, &r);
    assert_eq!(o.tier, TierOutcome::Tier(0));
    assert_eq!(reasons, "c1 +10; c2 +30; unknown: needs_ui");
    // Both true: both reported.
    let r = row(&[(P, Value::Bool(true)), (Q, Value::Bool(true))]);
    let (_, _, reasons) = eval(&prog, &r);
    assert_eq!(
        reasons,
        "excluded: no_marketer (No full-time marketer); excluded: needs_ui (Needs a UI); unknown: c1, c2"
    );
}

#[test]
fn lets_are_evaluated_in_order() {
    let mut p = profile();
    p.lets = vec![
        let_def("ratio", arith(Div, field(A), field(B))),
        let_def(
            "double",
            arith(Mul, let_(0, icp_model::Ty::Number), num(2.0)),
        ),
    ];
    p.criteria = vec![crit(
        "efficient",
        10.0,
        cmp(Ge, let_(1, icp_model::Ty::Number), num(4.0)),
    )];
    let prog = program(p, vec![]);
    let (o, e, _) = eval(
        &prog,
        &row(&[(A, Value::Num(d(10.0))), (B, Value::Num(d(5.0)))]),
    );
    assert_eq!(o.score, d(100.0));
    assert_eq!(e.lets[0].value, "2");
    assert_eq!(e.lets[1].value, "4");
    // Division by zero: missing all the way; the criterion's fields are those of its lets.
    let (o, e, _) = eval(
        &prog,
        &row(&[(A, Value::Num(d(10.0))), (B, Value::Num(d(0.0)))]),
    );
    assert_eq!((o.score, o.coverage), (d(0.0), d(0.0)));
    assert_eq!(e.lets[0].value, "missing");
    assert_eq!(e.criteria[0].outcome, CriterionOutcome::Unknown);
    let (_, e, _) = eval(&prog, &row(&[(A, Value::Num(d(10.0)))]));
    assert_eq!(e.criteria[0].unknown_fields, vec!["b".to_owned()]);
}

#[test]
fn no_criteria_and_no_positive_weight() {
    let prog = program(profile(), vec![]);
    let (o, ..) = eval(&prog, &row(&[]));
    assert_eq!(
        (o.score, o.coverage, o.tier),
        (d(0.0), d(1.0), TierOutcome::Tier(1))
    );
    let mut p = profile();
    p.criteria = vec![crit("bad", -10.0, field(P))];
    let (o, ..) = eval(&program(p, vec![]), &row(&[(P, Value::Bool(true))]));
    assert_eq!((o.score, o.coverage), (d(0.0), d(1.0)));
}

#[test]
fn short_rows_and_foreign_values_never_panic() {
    let mut p = two_criteria();
    p.criteria
        .push(crit("t", 5.0, cmp(Eq, field(NAME), text("x"))));
    p.criteria
        .push(crit("s", 5.0, contains(field(TECH), Any, vec![text("x")])));
    let prog = program(p, vec![]);
    let plan = plan(&prog);
    let mut s = plan.scratch();
    let o = plan.eval(&[], &mut s);
    assert_eq!(o.coverage, d(0.0));
    // Values of the wrong kind read as unknown.
    let wrong = vec![
        Value::Text("x"),
        Value::Bool(true),
        Value::Num(d(1.0)),
        Value::Num(d(2.0)),
    ];
    let o = plan.eval(&wrong, &mut s);
    assert_eq!(o.score, d(0.0));
    // A scratch of another plan is resized.
    let other = program(profile(), vec![]);
    let mut s2 = super_scratch(&other);
    let o = plan.eval(&row(&[(A, Value::Num(d(1.0)))]), &mut s2);
    assert_eq!(o.score, d(20.0));
}

fn super_scratch(p: &icp_model::Program) -> icp_eval::Scratch {
    plan(p).scratch()
}

#[test]
fn a_let_may_name_a_segment() {
    // `segment big { a > 1 }`, `let is_big = big`, `criterion c weight 10 { is_big }`: the
    // let reads the segment's value for the row, not a missing value.
    let mut p = profile();
    p.lets = vec![let_def("is_big", seg(0))];
    p.criteria = vec![crit("c", 10.0, let_(0, Ty::Bool))];
    let prog = program(p, vec![segment("big", cmp(Gt, field(A), num(1.0)))]);
    // (a, score, coverage, outcome, the let's value)
    let table = [
        (Some(2.0), 100.0, 1.0, CriterionOutcome::True, "true"),
        (Some(1.0), 0.0, 1.0, CriterionOutcome::False, "false"),
        (None, 0.0, 0.0, CriterionOutcome::Unknown, "missing"),
    ];
    for (a, score, coverage, outcome, value) in table {
        let r = row(&[(A, a.map_or(M, |x| Value::Num(d(x))))]);
        let (o, e, _) = eval(&prog, &r);
        assert_eq!((o.score, o.coverage), (d(score), d(coverage)), "a = {a:?}");
        assert_eq!(e.criteria[0].outcome, outcome, "a = {a:?}");
        assert_eq!(e.lets[0].value, value, "a = {a:?}");
    }
    // A let over a segment over another segment, and a target naming the same segment.
    let mut p = profile();
    p.targets = vec![SegmentId(1)];
    p.lets = vec![let_def("both", and(seg(1), field(P)))];
    p.criteria = vec![crit("c", 10.0, let_(0, Ty::Bool))];
    let prog = program(
        p,
        vec![
            segment("big", cmp(Gt, field(A), num(1.0))),
            segment("bigger", and(seg(0), cmp(Gt, field(A), num(5.0)))),
        ],
    );
    let r = row(&[(A, Value::Num(d(6.0))), (P, Value::Bool(true))]);
    assert_eq!(label(&prog, &r), "high");
    assert_eq!(eval(&prog, &r).0.score, d(100.0));
    let r = row(&[(A, Value::Num(d(3.0))), (P, Value::Bool(true))]);
    assert_eq!(label(&prog, &r), "out_of_segment");
    assert_eq!(eval(&prog, &r).0.score, d(0.0));
}

#[test]
fn text_is_folded_the_same_way_on_both_sides() {
    // Revision 2: Unicode simple case folding after trimming, on every path: a field against
    // a constant (`==`, `!=`, `in`), a let against a constant, a substring, a set item.
    // (field value, constant, equal)
    let table = [
        // Greek: the final sigma of a lowercased literal is the same letter as `Σ`.
        ("ΣΑΜΟΣ", "ΣΑΜΟΣ", true),
        ("ΣΑΜΟΣ", "σαμος", true),
        ("σαμος", "ΣΑΜΟΣ", true),
        (" Σάμος ", "ΣΆΜΟΣ", true),
        // German: `ẞ` and `ß` are one letter; `ß` is not `SS` (that is full folding).
        ("STRAẞE", "straße", true),
        ("STRASSE", "Straße", false),
        // Turkish: no special case; `İ` and `ı` fold to themselves.
        ("ISTANBUL", "istanbul", true),
        ("İstanbul", "istanbul", false),
        ("İSTANBUL", "İstanbul", true),
        ("Diyarbakır", "DIYARBAKIR", false),
        // ASCII, and the two non-ASCII letters that fold to ASCII.
        ("  ceo ", "CEO", true),
        ("\u{212a}ELVIN", "kelvin", true),
        ("Ca\u{17f}e", "CASE", true),
        ("Zürich", "ZÜRICH", true),
        ("Zurich", "Zürich", false),
    ];
    for (value, constant, equal) in table {
        let r = row(&[(NAME, Value::Text(value))]);
        let want = Tri::from(equal);
        let not_want = Tri::from(!equal);
        let ctx = format!("{value:?} vs {constant:?}");
        assert_eq!(
            truth(cmp(Eq, field(NAME), text(constant)), &r),
            want,
            "== {ctx}"
        );
        assert_eq!(
            truth(cmp(Ne, field(NAME), text(constant)), &r),
            not_want,
            "!= {ctx}"
        );
        assert_eq!(
            truth(in_list(field(NAME), vec![text("x"), text(constant)]), &r),
            want,
            "in {ctx}"
        );
        assert_eq!(
            truth(contains(field(NAME), One, vec![text(constant)]), &r),
            want,
            "contains {ctx}"
        );
        // Through a let: the general comparison and list paths.
        let mut p = profile();
        p.lets = vec![let_def("n", field(NAME))];
        p.criteria = vec![
            crit("eq", 10.0, cmp(Eq, let_(0, Ty::Text), text(constant))),
            crit(
                "in",
                10.0,
                in_list(let_(0, Ty::Text), vec![text(constant), text("x")]),
            ),
        ];
        let prog = program(p, vec![]);
        let (_, e, _) = eval(&prog, &r);
        let outcome = if equal {
            CriterionOutcome::True
        } else {
            CriterionOutcome::False
        };
        assert_eq!(e.criteria[0].outcome, outcome, "let == {ctx}");
        assert_eq!(e.criteria[1].outcome, outcome, "let in {ctx}");
        // As a set item, alone and among others, on the mask path and the general one.
        for raw in [value.to_owned(), format!("Other; {value} |x")] {
            let r = row(&[(TECH, set(&raw)), (NAME, Value::Text(constant))]);
            let ctx = format!("{raw:?} contains {constant:?}");
            assert_eq!(
                truth(contains(field(TECH), One, vec![text(constant)]), &r),
                want,
                "{ctx}"
            );
            assert_eq!(
                truth(
                    contains(field(TECH), Any, vec![text("y"), text(constant)]),
                    &r
                ),
                want,
                "any {ctx}"
            );
            assert_eq!(
                truth(contains(field(TECH), All, vec![text(constant)]), &r),
                want,
                "all {ctx}"
            );
            // The needle read from a field.
            assert_eq!(
                truth(contains(field(TECH), One, vec![field(NAME)]), &r),
                want,
                "field needle {ctx}"
            );
            // The set through a let: not a field, so no mask.
            let mut p = profile();
            p.lets = vec![let_def("t", field(TECH))];
            p.criteria = vec![crit(
                "c",
                10.0,
                contains(
                    let_(0, Ty::Set(Box::new(Ty::Text))),
                    Any,
                    vec![text(constant), text("zzz")],
                ),
            )];
            let prog = program(p, vec![]);
            let (_, e, _) = eval(&prog, &r);
            assert_eq!(e.criteria[0].outcome, outcome, "let {ctx}");
        }
    }
}

#[test]
fn set_items_ignore_case_and_surrounding_space() {
    let tech = |raw: &'static str| row(&[(TECH, set(raw))]);
    let roles = || contains(field(TECH), Any, vec![text("ceo"), text("Founder")]);
    // (cell, contains any ["ceo", "Founder"])
    let table = [
        (" CEO ", T),
        ("CTO; ceo", T),
        ("cto|FOUNDER", T),
        ("\u{a0}Ceo\u{a0}", T),
        ("co-founder", F),
        ("CEOs", F),
        ("", F),
    ];
    for (raw, want) in table {
        assert_eq!(truth(roles(), &tech(raw)), tri(want), "{raw:?}");
    }
    // Sets compared with `==` ignore case too.
    let mut p = profile();
    p.lets = vec![let_def("t", field(TECH))];
    let set_ty = || Ty::Set(Box::new(Ty::Text));
    p.criteria = vec![crit(
        "same",
        10.0,
        cmp(
            Eq,
            let_(0, set_ty()),
            ex(
                ExprKind::Const(Const::List(vec![
                    Const::Text("HubSpot".into()),
                    Const::Text("CEO".into()),
                ])),
                set_ty(),
            ),
        ),
    )];
    let prog = program(p, vec![]);
    let (o, _, _) = eval(&prog, &tech("ceo; hubspot"));
    assert_eq!(o.score, d(100.0));
    let (o, _, _) = eval(&prog, &tech("ceo"));
    assert_eq!(o.score, d(0.0));
}
