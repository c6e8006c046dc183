//! A fixed amount of `Plan::eval` work for CPU profiling on a busy machine:
//! `perf stat -e task-clock target/release/examples/eval_rows 2000` evaluates
//! 2000 × 1024 rows of the bench's 12-criterion profile; rows/s = rows / task-clock.
#![allow(
    clippy::wildcard_imports,
    clippy::indexing_slicing,
    clippy::disallowed_methods,
    missing_docs,
    reason = "a profiling harness: terse on purpose, its iteration count from the command line"
)]

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/fixture.rs"]
mod fixture;

use std::hint::black_box;

use common::*;
use fixture::{bench_profile, rows};

fn main() {
    let iterations: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let prog = bench_profile();
    let plan = plan(&prog);
    let rows = rows();
    let mut s = plan.scratch();
    let mut acc = icp_model::Decimal::ZERO;
    for _ in 0..iterations {
        for r in &rows {
            acc = acc.saturating_add(plan.eval(black_box(r), &mut s).score);
        }
    }
    println!(
        "{} rows, checksum {acc}",
        u64::from(iterations) * rows.len() as u64
    );
}
