//! The 12-criterion profile and the rows that `benches/eval.rs` and `examples/eval_rows.rs`
//! both evaluate.

use crate::common::*;
use icp_model::{SegmentId, SetVal, Ty, Value};

pub fn bench_profile() -> icp_model::Program {
    let mut p = profile();
    p.targets = vec![SegmentId(0)];
    p.lets = vec![let_def("ratio", arith(Div, field(A), field(B)))];
    p.groups = vec![group("fit"), group("intent")];
    p.criteria = vec![
        in_group(
            card(
                "size",
                20.0,
                in_range(field(A), num(50.0), num(200.0)),
                Some(in_range(field(A), num(10.0), num(1000.0))),
            ),
            0,
        ),
        in_group(crit("budget", 25.0, cmp(Ge, field(B), num(20.0))), 0),
        in_group(
            crit("efficient", 5.0, cmp(Ge, let_(0, Ty::Number), num(2.0))),
            0,
        ),
        in_group(
            crit(
                "intent",
                15.0,
                cmp(Ge, coalesce(field(B), num(0.0)), num(70.0)),
            ),
            1,
        ),
        crit(
            "stack",
            10.0,
            contains(field(TECH), Any, vec![text("HubSpot"), text("Salesforce")]),
        ),
        crit(
            "recent",
            10.0,
            cmp(Ge, field(DAY), arith(Sub, today(), days(90))),
        ),
        crit(
            "legacy",
            -10.0,
            contains(field(TECH), One, vec![text("Marketo")]),
        ),
        crit("named", 5.0, cmp(Eq, field(NAME), text("Acme"))),
        crit(
            "kind",
            10.0,
            in_list(field(KIND), vec![variant(0), variant(1)]),
        ),
        crit("flag", 5.0, and(field(P), not(field(Q)))),
        crit("small", 5.0, not(in_range(field(A), num(0.0), num(5.0)))),
        crit("known", 5.0, not(is_missing(field(NAME)))),
    ];
    p.excludes = vec![
        exclude("tiny", "Too small", cmp(Lt, field(A), num(2.0))),
        exclude(
            "competitor",
            "A competitor",
            contains(field(NAME), One, vec![text("rival")]),
        ),
    ];
    p.tiers = vec![
        threshold("ideal", 80.0),
        threshold("practical", 50.0),
        catch_all("not_fit"),
    ];
    program(
        p,
        vec![segment(
            "any_size",
            or(cmp(Ge, field(A), num(1.0)), is_missing(field(A))),
        )],
    )
}

pub fn rows() -> Vec<Vec<Value<'static>>> {
    let names = ["Acme", "Beta Corp", "rival inc", "Zürich AG"];
    let techs = [
        "HubSpot;Marketo",
        "Salesforce",
        "",
        "Pipedrive|Zoho|HubSpot",
    ];
    (0..1024u32)
        .map(|i| {
            let f = f64::from(i);
            let m = |k: u32, v: Value<'static>| if i % k == 0 { Value::Missing } else { v };
            vec![
                m(7, Value::Num(d(f % 1500.0))),
                m(5, Value::Num(d(f % 97.0))),
                m(11, Value::Text(names[(i % 4) as usize])),
                m(
                    13,
                    Value::Set(SetVal {
                        raw: techs[(i % 4) as usize],
                    }),
                ),
                m(3, Value::Bool(i % 2 == 0)),
                m(4, Value::Bool(i % 3 == 0)),
                m(6, Value::Enum(i % 3)),
                m(9, Value::Num(d(20_600.0 + f % 200.0))),
            ]
        })
        .collect()
}
