//! Properties of every evaluation: score in [0, 100], coverage in [0, 1], the tier the one
//! the thresholds give, and `eval` agreeing with `explain`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use crate::common;

use common::*;
use icp_eval::TierOutcome;
use icp_model::{SetVal, Value};
use icp_syntax::ast::ContainsMode::{All, Any, One};
use proptest::prelude::*;

fn value(slot: u32) -> BoxedStrategy<Value<'static>> {
    let missing = Just(Value::Missing);
    match slot {
        A | B => prop_oneof![
            missing,
            (-5.0..200.0f64).prop_map(|x| Value::Num(d(x))),
            Just(Value::Num(d(0.0)))
        ]
        .boxed(),
        NAME => prop_oneof![
            missing,
            prop::sample::select(vec!["Acme", " acme ", "Beta", "", "Zürich"])
                .prop_map(Value::Text)
        ]
        .boxed(),
        TECH => prop_oneof![
            missing,
            prop::sample::select(vec!["", "HubSpot", "Salesforce;Marketo", "HubSpot|x"])
                .prop_map(|raw| Value::Set(SetVal { raw }))
        ]
        .boxed(),
        P | Q => prop_oneof![missing, any::<bool>().prop_map(Value::Bool)].boxed(),
        KIND => prop_oneof![missing, (0u32..3).prop_map(Value::Enum)].boxed(),
        _ => prop_oneof![
            missing,
            (20_000.0..21_000.0f64).prop_map(|x| Value::Num(d(x.floor())))
        ]
        .boxed(),
    }
}

fn rows() -> impl Strategy<Value = Vec<Value<'static>>> {
    (0..N_FIELDS as u32).map(value).collect::<Vec<_>>()
}

/// A profile with weights drawn at random (some negative), thresholds sorted descending.
fn profile_with(weights: &[f64], thresholds: &[f64], share: f64) -> icp_model::Profile {
    let conds = seven_conditions();
    let mut p = profile();
    p.practical_share = d(share);
    p.groups = vec![group("g0"), group("g1")];
    for (i, (w, c)) in weights.iter().zip(conds.iter().cycle()).enumerate() {
        let name = format!("c{i}");
        let mut cr = if i % 3 == 0 {
            card(&name, *w, c.clone(), Some(not(c.clone())))
        } else {
            crit(&name, *w, c.clone())
        };
        if i % 2 == 0 {
            cr = in_group(cr, (i % 4 / 2) as u32);
        }
        p.criteria.push(cr);
    }
    let mut ts: Vec<f64> = thresholds.to_vec();
    ts.sort_by(|a, b| b.total_cmp(a));
    p.tiers = ts
        .iter()
        .enumerate()
        .map(|(i, t)| threshold(&format!("t{i}"), *t))
        .collect();
    p.tiers.push(catch_all("rest"));
    p
}

fn weight() -> impl Strategy<Value = f64> {
    prop_oneof![1.0..50.0f64, -30.0..-1.0f64, Just(10.0)]
}

proptest! {
    #[test]
    fn score_coverage_and_tier_are_consistent(
        weights in prop::collection::vec(weight(), 1..12),
        thresholds in prop::collection::vec(0.0..100.0f64, 0..4),
        share in 0.0..1.0f64,
        r in rows(),
    ) {
        let prog = program(profile_with(&weights, &thresholds, share), vec![]);
        let plan = plan(&prog);
        let mut s = plan.scratch();
        let o = plan.eval(&r, &mut s);
        prop_assert!((d(0.0)..=d(100.0)).contains(&o.score), "score {}", o.score);
        prop_assert!((d(0.0)..=d(1.0)).contains(&o.coverage), "coverage {}", o.coverage);
        let mut sorted = thresholds.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let want = sorted.iter().position(|t| o.score >= d(*t)).unwrap_or(sorted.len());
        prop_assert_eq!(o.tier, TierOutcome::Tier(want as u32));

        // `explain` agrees with `eval`; group scores are scores too.
        let e = plan.explain(&r);
        prop_assert_eq!(&e.tier, plan.tier_label(o.tier));
        prop_assert!((e.score - o.score).abs() <= d(0.005));
        for g in &e.groups {
            if let Some(gs) = g.score {
                prop_assert!((d(0.0)..=d(100.0)).contains(&gs));
            }
        }
        let points: icp_model::Decimal = e.criteria.iter().map(|c| c.points).sum();
        let max: icp_model::Decimal = weights.iter().filter(|w| **w > 0.0).map(|w| d(*w)).sum();
        if max > d(0.0) {
            let want = (d(100.0) * points / max).clamp(d(0.0), d(100.0));
            prop_assert!((o.score - want).abs() < d(0.01));
        }
        // Evaluation reuses the scratch without leaking state between rows.
        let again = plan.eval(&r, &mut s);
        prop_assert_eq!(again, o);
    }

    #[test]
    fn scratch_reuse_is_stateless(r1 in rows(), r2 in rows()) {
        let prog = program(profile_with(&[10.0, -5.0, 20.0, 7.0, 3.0, 12.0, 9.0], &[70.0, 30.0], 0.5), vec![]);
        let plan = plan(&prog);
        let mut s = plan.scratch();
        let _ = plan.eval(&r1, &mut s);
        let after = plan.eval(&r2, &mut s);
        let fresh = plan.eval(&r2, &mut plan.scratch());
        prop_assert_eq!(after, fresh);
        let (mut a, mut b) = (String::new(), String::new());
        plan.write_reasons(&s, &mut a);
        let mut s2 = plan.scratch();
        plan.eval(&r2, &mut s2);
        plan.write_reasons(&s2, &mut b);
        prop_assert_eq!(a, b);
    }
}

/// Set cells built from items that trip every path of the set test: exact and other-case
/// needles, padding, no-break spaces and non-ASCII ends, empty items, every separator.
fn set_cell() -> impl Strategy<Value = String> {
    let items = prop::sample::select(vec![
        "HubSpot",
        "hubspot",
        " Salesforce ",
        "Segment",
        "Zürich",
        "\u{a0}X\u{a0}",
        "X",
        "",
        "Hub",
    ]);
    let seps = prop::sample::select(vec![";", "|", ",", "\u{1f}", " ; "]);
    prop::collection::vec((items, seps), 0..6).prop_map(|parts| {
        parts.into_iter().fold(String::new(), |mut acc, (i, s)| {
            acc.push_str(i);
            acc.push_str(s);
            acc
        })
    })
}

proptest! {
    /// `set contains` (compiled to a mask test on the row's split set) gives exactly what
    /// the model's items give, compared ignoring case and surrounding space (Revision 2),
    /// for every mode and needle list.
    #[test]
    fn set_contains_agrees_with_the_model(
        raw in set_cell(),
        needles in prop::collection::vec(
            prop::sample::select(vec!["HubSpot", "Salesforce", "Segment", "Zürich", "X", "Hub"]),
            1..4,
        ),
        mode in prop::sample::select(vec![One, Any, All]),
    ) {
        let r = row(&[(TECH, Value::Set(SetVal { raw: &raw }))]);
        let cond = contains(field(TECH), mode, needles.iter().map(|n| text(n)).collect());
        let set = SetVal { raw: &raw };
        let norm = |s: &str| s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}').to_lowercase();
        let has = |n: &str| set.items().any(|i| norm(i) == norm(n));
        let want = match mode {
            All => needles.iter().all(|n| has(n)),
            _ => needles.iter().any(|n| has(n)),
        };
        prop_assert_eq!(truth(cond, &r), if want { icp_eval::Tri::True } else { icp_eval::Tri::False });
    }

    /// `text in [..]` is a case-insensitive comparison after trimming, item by item.
    #[test]
    fn text_in_list_agrees_with_lowercase_comparison(
        name in prop::sample::select(vec!["US", " us ", "Uk", "u\u{a0}", "\u{a0}Canada", "CANADA", "Zürich", "ZÜRICH", "", "K", "\u{212a}"]),
        list in prop::collection::vec(
            prop::sample::select(vec!["us", "UK", "Canada", "zürich", "k", " x "]),
            1..4,
        ),
    ) {
        let r = row(&[(NAME, Value::Text(name))]);
        let cond = in_list(field(NAME), list.iter().map(|n| text(n)).collect());
        let norm = |s: &str| s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}').to_lowercase();
        let want = list.iter().any(|n| norm(n) == norm(name));
        prop_assert_eq!(truth(cond, &r), if want { icp_eval::Tri::True } else { icp_eval::Tri::False });
    }
}
