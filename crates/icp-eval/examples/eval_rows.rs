//! A fixed amount of evaluation work for CPU profiling on a busy machine:
//! `perf stat -e task-clock target/release/examples/eval_rows 2000` evaluates
//! 2000 × 1024 rows of the bench's 12-criterion profile; rows/s = rows / task-clock.
//! A second argument picks the work: `12` (that profile, `Plan::eval`), `bench` (the
//! scoring benchmark's rules on 4096 rows shaped like its file, `Plan::eval` in lean mode)
//! or `bench-block` (the same rows by `Plan::eval_block`, one block of all the rows), e.g.
//! `valgrind --tool=callgrind target/release/examples/eval_rows 5 bench-block`.
#![allow(
    clippy::wildcard_imports,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    clippy::unwrap_used,
    missing_docs,
    reason = "a profiling harness: terse on purpose, its iteration count from the command line"
)]

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/fixture.rs"]
mod fixture;

use std::hint::black_box;

use common::*;
use fixture::{BENCH_ICP, bench_profile, bench_rows, rows};
use icp_model::{Decimal, Value};

fn main() {
    let iterations: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let work = std::env::args().nth(2).unwrap_or_else(|| "12".into());
    let mut acc = Decimal::ZERO;
    let mut n = 0u64;
    if work == "12" {
        let prog = bench_profile();
        let plan = plan(&prog);
        let rows = rows();
        let mut s = plan.scratch();
        for _ in 0..iterations {
            for r in &rows {
                acc = acc.saturating_add(plan.eval(black_box(r), &mut s).score);
            }
            n += rows.len() as u64;
        }
    } else {
        let prog = check_src(BENCH_ICP);
        let (id, _) = prog.profile_named("bench").unwrap();
        let plan = icp_eval::Plan::new(&prog, id, icp_model::Date::from_ymd(2026, 12, 1).unwrap())
            .unwrap();
        let rows = bench_rows();
        let stride = rows[0].len();
        let values: Vec<Value<'static>> = rows.concat();
        let mut s = plan.scratch();
        s.outcome_only(true);
        let mut bs = icp_eval::BlockScratch::default();
        let mut out = Vec::new();
        // A checksum that costs a few instructions a row (a decimal sum costs hundreds).
        let mut check = 0u64;
        let mut fold = |o: &icp_eval::Outcome| {
            check =
                check.wrapping_mul(31) ^ (o.score.mantissa() as u64) ^ u64::from(o.score.scale());
            check ^= match o.tier {
                icp_eval::TierOutcome::Tier(t) => u64::from(t),
                icp_eval::TierOutcome::Excluded => 100,
                icp_eval::TierOutcome::OutOfSegment => 101,
            };
        };
        for _ in 0..iterations {
            if work == "bench-block" {
                plan.eval_block(black_box(&values), stride, &mut bs, &mut out);
                out.iter().for_each(&mut fold);
            } else {
                for r in &rows {
                    fold(&plan.eval(black_box(r), &mut s));
                }
            }
            n += rows.len() as u64;
        }
        acc = Decimal::from(check);
    }
    println!("{n} rows, checksum {acc}");
}
