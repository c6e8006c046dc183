//! A time-bounded fuzzer for the data readers: the value readers (money, percent, dates,
//! enums, sets, numbers, booleans, durations), the CSV reader and the JSON / JSON Lines
//! readers.
//!
//! `cargo run --release -p icp-data --example fuzz_data -- SECONDS [SEED]`
//!
//! Oracles: mutated cells written as CSV and as JSON Lines read to the same values or the
//! same errors, one row each; generated hostile CSV (stray and unclosed quotes, BOMs, CR,
//! CRLF, invalid UTF-8) gives exactly the rows of a simple reference reader written from
//! docs/cli.md's quote rule, whatever the block size and thread count; generated JSON gives
//! one row per object, numbered in order, and mutated JSON never panics. Everything runs
//! under `catch_unwind`. Prints the cases run and every failure with the generator state
//! that reproduces it; exits with status 1 on any failure. A short deterministic run is the
//! test `tests/fuzz_short.rs`.

#![allow(clippy::disallowed_methods, reason = "a fuzzer reads the clock")]

#[path = "../tests/fuzz_data/mod.rs"]
mod fuzz_data;

use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let seed: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_da7a);
    let started = Instant::now();
    // Quiet panics: they are caught and reported with their input.
    std::panic::set_hook(Box::new(|_| {}));
    let report = fuzz_data::fuzz(seed, Duration::from_secs_f64(seconds), u64::MAX);
    let secs = started.elapsed().as_secs_f64();
    let total: u64 = report.cases.iter().sum();
    println!(
        "{total} cases in {secs:.1}s ({:.0}/s): values {}, csv {}, json {}; seed {seed}; {} failures",
        total as f64 / secs.max(1e-9),
        report.cases[0],
        report.cases[1],
        report.cases[2],
        report.failures.len()
    );
    for f in &report.failures {
        eprintln!("FAILURE {f}\n");
    }
    if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
