//! `Plan::eval_block` gives, row by row, the same score (the same decimal, scale included) and
//! the same tier as `Plan::eval` in lean mode (`Scratch::outcome_only(true)`), for every plan:
//! the batched ones and those scored row by row, on random rows with missing values, values
//! of another type than the field's, set cells and numbers at the rules' boundaries; with
//! strides equal to, larger and smaller than the field count, and blocks of 0 to 1000 rows.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test helpers")]

use crate::common;
use crate::fixture::{BENCH_ICP, bench_rows};

use common::*;
use icp_eval::{BlockScratch, Outcome, Plan};
use icp_model::{Decimal, Program, SegmentId, SetVal, TierRule, Ty, Value};
use proptest::prelude::*;

/// What a field holds, for the typed part of a random row.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Num,
    Day,
    Fraction,
    Text,
    Set,
    Bool,
    Enum(u32),
}

const TEXTS: &[&str] = &[
    "Acme",
    " acme ",
    "ACME",
    "Beta",
    "Zürich",
    "ZÜRICH",
    "",
    "k",
    "\u{212a}",
    "Russia",
    "russia ",
    "rival inc",
    "\u{a0}beta",
    "\u{17f}\u{212a}",
    "SK",
    " sk",
    "sks",
    "s",
];

const SETS: &[&str] = &[
    "",
    "HubSpot",
    "hubspot ;Marketo",
    "Salesforce;Marketo",
    "HubSpot|x",
    "Marketo",
    " SALESFORCE ,Zoom",
    "Zürich;HubSpot",
    "\u{a0}Marketo\u{a0}",
    ";;",
    "Salesforce;Intercom;Jira;Segment",
];

/// Numbers at and around the rules' constants, at several scales, and extremes.
fn boundary() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        prop::sample::select(vec![
            0i64, 1, -1, 2, 9, 10, 11, 20, 49, 50, 51, 70, 99, 100, 199, 200, 201, 999, 1000, 1001,
            1_999_999, 2_000_000, 2_000_001,
        ])
        .prop_map(Decimal::from),
        (
            prop::sample::select(vec![0i64, 1, 5, 7, 10, 500, 700, 20_500, 69_999]),
            0u32..6
        )
            .prop_map(|(m, s)| Decimal::new(m, s)),
        Just(Decimal::MAX),
        Just(Decimal::MIN),
        Just(-Decimal::ZERO),
        (-5.0..1200.0f64).prop_map(|x| d((x * 100.0).round() / 100.0)),
    ]
}

fn typed(kind: Kind) -> BoxedStrategy<Value<'static>> {
    match kind {
        Kind::Num => boundary().prop_map(Value::Num).boxed(),
        Kind::Day => {
            let sep1 = Date::from_ymd(2026, 9, 1).unwrap().0;
            let day0 = day0().0;
            prop_oneof![
                (-3i32..3).prop_map(move |k| Value::Num(Decimal::from(sep1 + k))),
                (-400i32..5).prop_map(move |k| Value::Num(Decimal::from(day0 + k))),
                Just(Value::Num(Decimal::new(i64::from(sep1) * 10 + 5, 1))),
            ]
            .boxed()
        }
        Kind::Fraction => (0i64..=100, 0u32..4)
            .prop_map(|(m, s)| Value::Num(Decimal::new(m * 10i64.pow(s), s + 2)))
            .boxed(),
        Kind::Text => prop::sample::select(TEXTS).prop_map(Value::Text).boxed(),
        Kind::Set => prop::sample::select(SETS)
            .prop_map(|raw| Value::Set(SetVal { raw }))
            .boxed(),
        Kind::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Kind::Enum(n) => prop_oneof![4 => 0..n, 1 => Just(70u32), 1 => Just(u32::MAX)]
            .prop_map(Value::Enum)
            .boxed(),
    }
}

/// A value of any type: what a field holds when the row does not fit the schema.
fn any_value() -> BoxedStrategy<Value<'static>> {
    prop_oneof![
        typed(Kind::Num),
        typed(Kind::Text),
        typed(Kind::Set),
        typed(Kind::Bool),
        typed(Kind::Enum(8)),
    ]
    .boxed()
}

fn row_of(kinds: &[Kind]) -> impl Strategy<Value = Vec<Value<'static>>> + use<> {
    kinds
        .iter()
        .map(|k| prop_oneof![8 => typed(*k), 2 => Just(Value::Missing), 1 => any_value()])
        .collect::<Vec<_>>()
}

use icp_model::Date;

/// The test schema `T`'s fields.
const T_KINDS: [Kind; N_FIELDS] = [
    Kind::Num,
    Kind::Num,
    Kind::Text,
    Kind::Set,
    Kind::Bool,
    Kind::Bool,
    Kind::Enum(3),
    Kind::Day,
];

/// `bench.icp`'s fields.
const BENCH_KINDS: [Kind; 11] = [
    Kind::Text,
    Kind::Text,
    Kind::Enum(4),
    Kind::Num,
    Kind::Num,
    Kind::Num,
    Kind::Text,
    Kind::Enum(6),
    Kind::Set,
    Kind::Fraction,
    Kind::Day,
];

fn bench_program() -> Program {
    check_src(BENCH_ICP)
}

fn bench_plan(prog: &Program) -> Plan {
    let (id, _) = prog.profile_named("bench").unwrap();
    Plan::new(prog, id, Date::from_ymd(2026, 12, 1).unwrap()).unwrap()
}

/// A profile over `T` with every node kind the batch handles, and some it leaves to `Code`
/// row by row: two targets (one of them naming the other segment), scorecards (one with its
/// own share, one without a practical branch), negative and fractional weights, exclusions
/// and a group.
fn rich_profile() -> icp_model::Profile {
    let mut p = profile();
    p.targets = vec![SegmentId(0), SegmentId(1)];
    p.practical_share = d(0.4);
    p.groups = vec![group("fit")];
    let mut size = card(
        "size",
        20.0,
        in_range(field(A), num(50.0), num(200.0)),
        Some(in_range(field(A), num(10.0), num(1000.0))),
    );
    size.practical_share = Some(d(0.35));
    p.criteria = vec![
        in_group(size, 0),
        in_group(crit("budget", 25.0, cmp(Ge, field(B), num(20.5))), 0),
        card(
            "kind_card",
            7.5,
            in_list(field(KIND), vec![variant(0), variant(2)]),
            None,
        ),
        card(
            "tri",
            6.0,
            cmp(Eq, field(KIND), variant(1)),
            Some(or(field(P), cmp(Ne, field(NAME), text("Acme")))),
        ),
        crit("kind_ge", 5.0, cmp(Ge, field(KIND), variant(1))),
        crit("named", 5.0, cmp(Eq, field(NAME), text(" ACME "))),
        // `ſ` and the Kelvin sign fold to `s` and `k`.
        crit("sk", 2.5, cmp(Ne, field(NAME), text("sk"))),
        crit("zurich", 1.0, cmp(Eq, field(NAME), text("zürich"))),
        crit(
            "listed",
            5.0,
            in_list(field(NAME), vec![text("beta"), text("zürich"), text("K")]),
        ),
        crit(
            "stack",
            10.0,
            contains(field(TECH), Any, vec![text("HubSpot"), text("Salesforce")]),
        ),
        crit(
            "stack_all",
            3.25,
            contains(field(TECH), All, vec![text("HubSpot"), text("Marketo")]),
        ),
        crit(
            "legacy",
            -10.0,
            contains(field(TECH), One, vec![text("Marketo")]),
        ),
        // A missing needle: a miss (`any`) or a full hit (`all`) is unknown.
        crit(
            "stack_any_missing",
            2.0,
            contains(field(TECH), Any, vec![text("Marketo"), missing_text()]),
        ),
        crit(
            "stack_all_missing",
            -2.0,
            contains(field(TECH), All, vec![text("HubSpot"), missing_text()]),
        ),
        crit("flag", 5.0, field(P)),
        crit(
            "ratio",
            5.0,
            cmp(Gt, arith(Div, field(A), field(B)), num(1.0)),
        ),
        crit(
            "intent",
            3.0,
            cmp(Ge, coalesce(field(B), num(0.0)), num(70.0)),
        ),
        crit(
            "recent",
            10.0,
            cmp(Ge, field(DAY), arith(Sub, today(), days(90))),
        ),
        crit("flagged", 4.0, seg(1)),
        crit("unknown_a", -2.0, is_missing(field(A))),
        crit(
            "mixed",
            1.5,
            not(or(
                and(field(Q), not(field(P))),
                cmp(Lt, field(B), num(5.0)),
            )),
        ),
        crit("never", 1.0, boolean(false)),
        crit("texty", 2.0, contains(field(NAME), Any, vec![text("cme")])),
    ];
    p.excludes = vec![
        exclude("tiny", "Too small", cmp(Lt, field(A), num(2.0))),
        exclude(
            "rival",
            "A competitor",
            contains(field(NAME), One, vec![text("rival")]),
        ),
        exclude(
            "odd",
            "Odd",
            and(cmp(Eq, field(KIND), variant(2)), field(Q)),
        ),
    ];
    p.tiers = vec![
        threshold("ideal", 80.0),
        threshold("good", 50.5),
        threshold("some", 20.0),
        catch_all("rest"),
    ];
    p
}

fn rich_segments() -> Vec<icp_model::Segment> {
    vec![
        segment(
            "big",
            or(cmp(Ge, field(A), num(10.0)), is_missing(field(NAME))),
        ),
        segment("flagged", and(field(P), not(seg(0)))),
    ]
}

/// A missing text constant.
fn missing_text() -> icp_model::Expr {
    ex(
        icp_model::ExprKind::Const(icp_model::Const::Missing),
        Ty::Text,
    )
}

/// The programs over `T` the equivalence is checked on, each with whether the batch takes
/// it (the others are scored row by row).
fn t_programs() -> Vec<(&'static str, Program, bool)> {
    let rich = program(rich_profile(), rich_segments());

    // Other thresholds, no catch-all, no targets: a scratch shared with `rich` must not
    // keep its tiers.
    let mut p = rich_profile();
    p.targets = vec![];
    p.tiers = vec![threshold("top", 90.0), threshold("mid", 30.0)];
    let thresholds = program(p, rich_segments());

    let mut p = rich_profile();
    p.tiers.insert(
        1,
        tier("when", TierRule::When(cmp(Ge, group_score(0), num(40.0)))),
    );
    let when = program(p, rich_segments());

    let mut p = rich_profile();
    p.lets = vec![let_def("ratio", arith(Div, field(A), field(B)))];
    p.criteria.push(crit(
        "efficient",
        5.0,
        cmp(Ge, let_(0, Ty::Number), num(2.0)),
    ));
    let lets = program(p, rich_segments());

    // A let no condition reads does not stop the batch.
    let mut p = rich_profile();
    p.lets = vec![let_def("ratio", arith(Div, field(A), field(B)))];
    let unread_let = program(p, rich_segments());

    // Points of several scales whose sum does not fit an `i64`.
    let mut p = profile();
    p.criteria = vec![
        crit("huge", 5e15, cmp(Ge, field(A), num(1.0))),
        crit("huge2", 5e15, cmp(Ge, field(B), num(1.0))),
        crit("tiny", 0.001, field(P)),
    ];
    let wide = program(p, vec![]);

    // Points of several scales that fit.
    let mut p = profile();
    p.criteria = vec![
        crit("big", 1e12, cmp(Ge, field(A), num(1.0))),
        crit("tiny", 0.0001, field(P)),
        crit("neg", -3.5, field(Q)),
    ];
    let scales = program(p, vec![]);

    // No criteria: every score is zero.
    let mut p = profile();
    p.excludes = vec![exclude("x", "x", field(P))];
    p.targets = vec![SegmentId(0)];
    let empty = program(p, vec![segment("s", not(field(Q)))]);

    // Only negative weights: no positive total.
    let mut p = profile();
    p.criteria = vec![crit("bad", -5.0, field(P))];
    let negative = program(p, vec![]);

    vec![
        ("rich", rich, true),
        ("thresholds", thresholds, true),
        ("when", when, false),
        ("lets", lets, false),
        ("unread_let", unread_let, true),
        ("wide", wide, false),
        ("scales", scales, true),
        ("empty", empty, true),
        ("negative", negative, true),
    ]
}

/// The row-by-row outcomes `eval_block` must give: `eval` in lean mode on each row slice.
fn expected(plan: &Plan, values: &[Value<'_>], stride: usize) -> Vec<Outcome> {
    let mut s = plan.scratch();
    s.outcome_only(true);
    if stride == 0 {
        return Vec::new();
    }
    values
        .chunks(stride)
        .map(|row| plan.eval(row, &mut s))
        .collect()
}

/// A block of `len` rows drawn from `pool`, laid out with `stride` slots a row: the first
/// `min(stride, fields)` values of each row, then junk (which must be ignored).
fn layout(pool: &[Vec<Value<'static>>], len: usize, stride: usize) -> Vec<Value<'static>> {
    let mut values = Vec::with_capacity(len * stride);
    for r in 0..len {
        let row = &pool[(r * 7 + r / pool.len()) % pool.len()];
        for k in 0..stride {
            values.push(row.get(k).copied().unwrap_or(Value::Num(Decimal::from(70))));
        }
    }
    values
}

/// Checks `eval_block` against `eval` on blocks of every length and stride; `s` is shared
/// between plans on purpose.
fn check_plan(
    name: &str,
    plan: &Plan,
    pool: &[Vec<Value<'static>>],
    fields: usize,
    s: &mut BlockScratch,
) -> Result<(), TestCaseError> {
    let mut out = vec![Outcome {
        score: Decimal::ONE,
        coverage: Decimal::ONE,
        tier: icp_eval::TierOutcome::Excluded,
    }];
    for len in [0usize, 1, 63, 64, 65, 1000] {
        for stride in [fields, fields + 3, fields - 2, 1] {
            let mut values = layout(pool, len, stride);
            for cut in [0, 1] {
                if cut == 1 {
                    // A last row cut short.
                    if values.pop().is_none() {
                        continue;
                    }
                }
                plan.eval_block(&values, stride, s, &mut out);
                let want = expected(plan, &values, stride);
                prop_assert_eq!(
                    out.len(),
                    want.len(),
                    "{} len {} stride {}",
                    name,
                    len,
                    stride
                );
                for (r, (got, want)) in out.iter().zip(&want).enumerate() {
                    let bytes = |o: &Outcome| (o.score.mantissa(), o.score.scale());
                    prop_assert_eq!(
                        (bytes(got), got.tier),
                        (bytes(want), want.tier),
                        "{}: row {} of {} (stride {}): {:?}",
                        name,
                        r,
                        len,
                        stride,
                        values.chunks(stride).nth(r)
                    );
                    prop_assert_eq!(got.coverage, Decimal::ZERO);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn eval_block_is_eval_row_by_row_on_t(
        pool in prop::collection::vec(row_of(&T_KINDS), 1..80),
    ) {
        let mut s = BlockScratch::default();
        for (name, prog, _) in t_programs() {
            check_plan(name, &plan(&prog), &pool, N_FIELDS, &mut s)?;
        }
    }

    #[test]
    fn eval_block_is_eval_row_by_row_on_the_benchmark(
        pool in prop::collection::vec(row_of(&BENCH_KINDS), 1..80),
    ) {
        let prog = bench_program();
        let plan = bench_plan(&prog);
        let mut s = BlockScratch::default();
        check_plan("bench.icp", &plan, &pool, BENCH_KINDS.len(), &mut s)?;
    }

    /// Random weights (some negative), thresholds and shares on the properties' profile
    /// shape (arithmetic, sets, enums, groups).
    #[test]
    fn eval_block_is_eval_row_by_row_on_random_weights(
        weights in prop::collection::vec(
            prop_oneof![1.0..50.0f64, -30.0..-1.0f64, Just(10.0)],
            1..12,
        ),
        mut thresholds in prop::collection::vec(0.0..100.0f64, 0..4),
        share in 0.0..1.0f64,
        pool in prop::collection::vec(row_of(&T_KINDS), 1..40),
    ) {
        let conds = seven_conditions();
        let mut p = profile();
        p.practical_share = d((share * 1000.0).round() / 1000.0);
        for (i, (w, c)) in weights.iter().zip(conds.iter().cycle()).enumerate() {
            let w = (w * 100.0).round() / 100.0;
            p.criteria.push(if i % 3 == 0 {
                card(&format!("c{i}"), w, c.clone(), Some(not(c.clone())))
            } else {
                crit(&format!("c{i}"), w, c.clone())
            });
        }
        thresholds.sort_by(|a, b| b.total_cmp(a));
        p.tiers = thresholds
            .iter()
            .enumerate()
            .map(|(i, t)| threshold(&format!("t{i}"), (t * 100.0).round() / 100.0))
            .collect();
        p.tiers.push(catch_all("rest"));
        let prog = program(p, vec![]);
        let plan = plan(&prog);
        prop_assert!(plan.batched());
        check_plan("random", &plan, &pool, N_FIELDS, &mut BlockScratch::default())?;
    }
}

/// The batch, not the row-by-row fallback, scores the benchmark's rules and the plans it
/// is meant for; the others fall back.
#[test]
fn the_batch_takes_the_plans_it_handles() {
    let prog = bench_program();
    assert!(bench_plan(&prog).batched());
    for (name, prog, batched) in t_programs() {
        assert_eq!(plan(&prog).batched(), batched, "{name}");
    }
}

/// A hand-checked block: the benchmark's rules on three rows, the second in the segment.
#[test]
fn eval_block_scores_a_known_block() {
    let prog = bench_program();
    let plan = bench_plan(&prog);
    let num = |x: i64| Value::Num(Decimal::from(x));
    let row = |employees: i64, marketers: i64, funding: u32, country: &'static str| {
        vec![
            Value::Text("a"),
            Value::Text("n"),
            Value::Enum(0),
            num(employees),
            num(marketers),
            num(3_000_000),
            Value::Text(country),
            Value::Enum(funding),
            Value::Set(SetVal { raw: "HubSpot" }),
            Value::Num(Decimal::new(75, 2)),
            Value::Missing,
        ]
    };
    let values: Vec<Value<'_>> = [
        row(5, 1, 0, "France"),
        row(100, 2, 0, "France"),
        row(100, 2, 5, " russia"),
        row(100, 0, 0, "France"),
    ]
    .concat();
    let mut out = Vec::new();
    plan.eval_block(&values, 11, &mut BlockScratch::default(), &mut out);
    let tiers: Vec<&str> = out.iter().map(|o| plan.tier_label(o.tier)).collect();
    // Too few employees, then in the segment, then a public company in Russia, then no
    // marketer (out of the segment before its exclusion applies).
    assert_eq!(
        tiers,
        ["out_of_segment", "ideal", "excluded", "out_of_segment"]
    );
    // Of 90 positive points: intent 15, budget 25, stack 10 and saas 10 on every row, size
    // 20 (perfect) from 50 employees; no row is recent.
    let scores: Vec<Decimal> = out.iter().map(|o| o.score).collect();
    let ratio = |p: i64| Decimal::from(100 * p) / Decimal::from(90);
    assert_eq!(scores, [ratio(60), ratio(80), ratio(80), ratio(80)]);
}

/// The benchmark's rules on rows shaped like its generated file, in one block.
#[test]
fn eval_block_is_eval_on_the_benchmark_rows() {
    let prog = bench_program();
    let plan = bench_plan(&prog);
    let rows = bench_rows();
    let values: Vec<Value<'_>> = rows.concat();
    let mut out = Vec::new();
    plan.eval_block(
        &values,
        rows[0].len(),
        &mut BlockScratch::default(),
        &mut out,
    );
    assert_eq!(out, expected(&plan, &values, rows[0].len()));
    let tiers = |t: &str| out.iter().filter(|o| plan.tier_label(o.tier) == t).count();
    // Every outcome occurs.
    for t in [
        "ideal",
        "practical",
        "not_fit",
        "excluded",
        "out_of_segment",
    ] {
        assert!(tiers(t) > 0, "{t}");
    }
}

/// The set texts of `n` rows: technology lists as in the benchmark's file, `distinct` of
/// them, drawn so that some repeat often (the cache's hits), most seldom (its misses and
/// evictions, two texts to a slot pair), with the needles in other cases and with spaces,
/// every separator, texts longer than a cache slot holds, and non-ASCII items.
fn tech_lists(n: usize, distinct: u32) -> Vec<String> {
    const ITEMS: &[&str] = &[
        "HubSpot",
        "Salesforce",
        "Marketo",
        "hubspot",
        " SALESFORCE ",
        "Marketo\u{a0}",
        "Zoom",
        "Slack",
        "Jira",
        "Google Analytics",
        "Segment",
        "Zürich Cloud",
        "HubSpotX",
        "Sales force",
    ];
    const SEPS: &[&str] = &[";", ";", ";", "|", ",", "\u{1f}", " ; "];
    let list = |k: u32| {
        let mut h = k.wrapping_mul(2_654_435_761) | 1;
        let mut next = |m: u32| {
            h ^= h << 13;
            h ^= h >> 17;
            h ^= h << 5;
            h % m
        };
        let len = 1 + next(9);
        let mut s = String::new();
        for i in 0..len {
            if i > 0 {
                s.push_str(SEPS[next(SEPS.len() as u32) as usize]);
            }
            s.push_str(ITEMS[next(ITEMS.len() as u32) as usize]);
        }
        s
    };
    (0..n as u32)
        .map(|r| {
            let x = r.wrapping_mul(0x9e37_79b9);
            // Half the rows from 64 common lists, the others from all of them.
            if x >> 31 == 0 {
                list(x % 64)
            } else {
                list(x % distinct)
            }
        })
        .collect()
}

/// The set cache (4,096 slots in pairs, texts up to 44 bytes held in the slot, paused
/// while it misses) gives what splitting each text gives: the benchmark's rules on 40,000
/// rows whose technology lists are 12,000 distinct texts, in blocks of 256 rows through
/// one scratch (the cache lives across blocks), and then on rows whose texts never repeat
/// (the cache pauses) followed by repeating ones (it resumes).
#[test]
fn the_set_cache_gives_what_splitting_gives() {
    let prog = bench_program();
    let plan = bench_plan(&prog);
    let base = bench_rows();
    let stride = base[0].len();
    let tech = 8;
    let mut texts = tech_lists(40_000, 12_000);
    // Never repeating, then repeating again.
    texts.extend((0..20_000).map(|i| format!("Zoom;Tool {i};HubSpot")));
    texts.extend(tech_lists(10_000, 300));
    assert!(texts.iter().any(|t| t.len() > 44) && texts.iter().any(|t| t.len() <= 44));
    let mut s = BlockScratch::default();
    let mut out = Vec::new();
    for (b, chunk) in texts.chunks(256).enumerate() {
        let mut values = Vec::with_capacity(chunk.len() * stride);
        for (r, text) in chunk.iter().enumerate() {
            let mut row = base[(b * 256 + r) % base.len()].clone();
            row[tech] = Value::Set(SetVal { raw: text });
            values.extend(row);
        }
        plan.eval_block(&values, stride, &mut s, &mut out);
        assert_eq!(out, expected(&plan, &values, stride), "block {b}");
    }
}
