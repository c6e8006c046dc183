//! `Plan::eval` throughput on a 12-criterion profile with a target, two exclusions, a let,
//! groups and three tiers, and on the scoring benchmark's profile (`../shared/perf`'s
//! `bench.icp`, issue 16) over rows shaped like its generated file, decoded beforehand:
//! `cargo bench -p icp-eval --bench eval`.
#![allow(
    clippy::wildcard_imports,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    missing_docs,
    reason = "a benchmark: terse on purpose"
)]

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/fixture.rs"]
mod fixture;

use std::hint::black_box;

use common::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fixture::{bench_profile, rows};

fn eval(c: &mut Criterion) {
    let prog = bench_profile();
    let plan = plan(&prog);
    let rows = rows();
    let mut g = c.benchmark_group("eval");
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.bench_function("12 criteria", |b| {
        let mut s = plan.scratch();
        b.iter(|| {
            let mut acc = icp_model::Decimal::ZERO;
            for r in &rows {
                acc = acc.saturating_add(plan.eval(black_box(r), &mut s).score);
            }
            acc
        });
    });
    g.bench_function("12 criteria + reasons", |b| {
        let mut s = plan.scratch();
        let mut out = String::with_capacity(256);
        b.iter(|| {
            for r in &rows {
                plan.eval(black_box(r), &mut s);
                out.clear();
                plan.write_reasons(&s, &mut out);
            }
            out.len()
        });
    });
    g.finish();
}

/// The scoring benchmark's rules (`bench.icp` of issue 16's comparison).
const BENCH_ICP: &str = r#"
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
fn bench_rows() -> Vec<Vec<icp_model::Value<'static>>> {
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

fn eval_bench_profile(c: &mut Criterion) {
    let prog = common::check_src(BENCH_ICP);
    let (id, _) = prog.profile_named("bench").unwrap();
    let plan =
        icp_eval::Plan::new(&prog, id, icp_model::Date::from_ymd(2026, 12, 1).unwrap()).unwrap();
    let rows = bench_rows();
    let mut g = c.benchmark_group("eval");
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.bench_function("bench.icp", |b| {
        let mut s = plan.scratch();
        b.iter(|| {
            let mut acc = icp_model::Decimal::ZERO;
            for r in &rows {
                let o = plan.eval(black_box(r), &mut s);
                acc = acc.saturating_add(o.score).saturating_add(o.coverage);
            }
            acc
        });
    });
    g.finish();
}

criterion_group!(benches, eval, eval_bench_profile);
criterion_main!(benches);
