//! A short, deterministic run of the data fuzzers (`examples/fuzz_data.rs`), so that CI
//! runs them: the same seed every time, a fixed number of cases.
#![allow(clippy::panic, reason = "tests fail loudly")]

use crate::fuzz_data;

use std::time::Duration;

#[test]
fn data_fuzzers_short_run() {
    let report = fuzz_data::fuzz(0x5eed_da7a, Duration::from_mins(10), 1500);
    assert!(
        report.failures.is_empty(),
        "{} failures:\n{}",
        report.failures.len(),
        report.failures.join("\n\n")
    );
    assert_eq!(report.cases.iter().sum::<u64>(), 1500);
}
