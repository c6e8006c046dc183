//! `Plan::eval` throughput on a 12-criterion profile with a target, two exclusions, a let,
//! groups and three tiers: `cargo bench -p icp-eval --bench eval`.
#![allow(
    clippy::wildcard_imports,
    clippy::indexing_slicing,
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

criterion_group!(benches, eval);
criterion_main!(benches);
