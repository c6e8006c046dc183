//! `Plan::eval` throughput on a 12-criterion profile with a target, two exclusions, a let,
//! groups and three tiers, and on the scoring benchmark's profile (`../shared/perf`'s
//! `bench.icp`, issue 16) over rows shaped like its generated file, decoded beforehand, also
//! in lean mode row by row and by `Plan::eval_block`: `cargo bench -p icp-eval --bench eval`.
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
use fixture::{BENCH_ICP, bench_profile, bench_rows, rows};

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
    // What `icp score --columns id,score,tier` asks for: score and tier only, row by row
    // (`outcome_only`) and a block at a time (`eval_block`), on the same rows.
    g.bench_function("bench.icp lean", |b| {
        let mut s = plan.scratch();
        s.outcome_only(true);
        b.iter(|| {
            let mut acc = icp_model::Decimal::ZERO;
            for r in &rows {
                acc = acc.saturating_add(plan.eval(black_box(r), &mut s).score);
            }
            acc
        });
    });
    let stride = rows[0].len();
    let values: Vec<icp_model::Value<'static>> = rows.concat();
    g.bench_function("bench.icp eval_block", |b| {
        let mut s = icp_eval::BlockScratch::default();
        let mut out = Vec::new();
        b.iter(|| {
            let mut acc = icp_model::Decimal::ZERO;
            // Blocks of 1024 rows, as a caller decoding a file in blocks would pass them.
            for block in values.chunks(1024 * stride) {
                plan.eval_block(black_box(block), stride, &mut s, &mut out);
                for o in &out {
                    acc = acc.saturating_add(o.score);
                }
            }
            acc
        });
    });
    g.finish();
}

criterion_group!(benches, eval, eval_bench_profile);
criterion_main!(benches);
