//! The 12-criterion profile, the scoring benchmark's rules, and the rows that
//! `benches/eval.rs`, `examples/eval_rows.rs` and the tests of `eval_block` evaluate.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test data, also built into the bench and the example, each using a part"
)]

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

/// The scoring benchmark's rules (`bench.icp` of issue 16's comparison).
pub const BENCH_ICP: &str = r#"
schema Account {
  id:         text      from "Record ID" key
  name:       text      from "Company name"
  industry:   enum { saas = "Software", fintech = "Financial Services", agency, other }
  employees:  int?      from "Number of Employees"
  marketers:  int?
  revenue:    money?    from "Annual Revenue"
  country:    text
  funding:    enum { none, seed, series_a, series_b, later, public }
  tech:       set<text>? from "Technologies"
  intent:     percent?  from "Intent"
  last_touch: date?     from "Last touch"
}

segment mary "Marketers at companies of 10-1000 employees" {
  employees in 10..1000 and marketers >= 1
}

profile bench for Account {
  target mary
  criterion urgent_need weight 15 { intent >= 70% }
  criterion size weight 20 {
    perfect   when employees in 50..200
    practical when employees in 10..1000
  }
  criterion budget weight 25 { revenue >= $2M }
  criterion stack weight 10 { tech contains any ["HubSpot", "Salesforce"] }
  criterion saas weight 10 { industry == saas }
  criterion recent weight 10 { last_touch >= 2026-09-01 }
  criterion legacy weight -10 { tech contains "Marketo" }
  exclude no_marketer "No marketer" { marketers == 0 }
  exclude sanctioned "Public company in Russia" { funding == public and country == "Russia" }
  tier ideal >= 80
  tier practical >= 50
  tier not_fit
}
"#;

/// Rows shaped like the benchmark's file: a deterministic mix of its values, some missing.
pub fn bench_rows() -> Vec<Vec<icp_model::Value<'static>>> {
    use icp_model::{Date, Decimal, SetVal, Value};
    let techs = [
        "Salesforce;Intercom;Jira;Segment",
        "Zoom",
        "Shopify;Zoom;Jira;Google Analytics",
        "Slack;Mailchimp;Jira;Google Analytics",
        "HubSpot;Marketo",
        "",
    ];
    let countries = ["Singapore", "Poland", "United States", "Russia", "France"];
    let touch = Date::from_ymd(2026, 1, 1).unwrap().0;
    (0..4096u32)
        .map(|i| {
            let h = i.wrapping_mul(2_654_435_761);
            let num = |x: u32| Value::Num(Decimal::from(x));
            let or_missing = |v: Value<'static>, k: u32| {
                if (h >> k).is_multiple_of(8) {
                    Value::Missing
                } else {
                    v
                }
            };
            vec![
                Value::Text("A0000001"),
                Value::Text("Lumen Labs GmbH"),
                Value::Enum(h % 4),
                or_missing(num(h % 1500), 3),
                or_missing(num(h >> 5 & 7), 6),
                or_missing(
                    Value::Num(Decimal::new(i64::from(h % 9_000_000) * 100 + 37, 2)),
                    9,
                ),
                Value::Text(countries[(h >> 12) as usize % countries.len()]),
                Value::Enum((h >> 15 & 7) % 6),
                or_missing(
                    Value::Set(SetVal {
                        raw: techs[(h >> 18) as usize % techs.len()],
                    }),
                    21,
                ),
                or_missing(Value::Num(Decimal::new(i64::from(h >> 8 & 127), 2)), 24),
                or_missing(
                    Value::Num(Decimal::from(touch + (h >> 10 & 511) as i32)),
                    27,
                ),
            ]
        })
        .collect()
}
