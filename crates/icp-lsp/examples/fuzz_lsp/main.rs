//! A time-bounded fuzzer for the language server's message handling.
//!
//! `cargo run --release -p icp-lsp --example fuzz_lsp -- SECONDS [SEED]`
//!
//! Runs random sessions (see `harness.rs`: random JSON-RPC sequences, edits with random
//! ranges and surrogate pairs, requests at random positions, garbage frames) until
//! SECONDS have passed; the oracle is no panic, an answer to the last request of every
//! session, and bounded memory. Prints the sessions per second; writes the input of a
//! failing session to `target/fuzz_lsp/SEED.bin` (replay it by copying it to
//! `crates/icp-lsp/tests/fuzz_corpus/`, which the `fuzz` test replays) and exits with
//! status 1.

#![allow(
    clippy::disallowed_methods,
    reason = "a fuzzer reads the clock and writes what it found"
)]

mod harness;

use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let first_seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs())
    });
    harness::install_panic_counter();
    if std::env::var_os("ICP_FUZZ_DEBUG").is_some() {
        harness::DEBUG.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    else {
        eprintln!("cannot start a runtime");
        return ExitCode::FAILURE;
    };
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut sessions = 0u64;
    let mut bytes = 0u64;
    let mut peak = 0u64;
    let mut seed = first_seed;
    println!("fuzz_lsp: {seconds} s from seed {first_seed}");
    while Instant::now() < deadline {
        let messages = 20 + (seed % 200) as usize;
        let input = harness::input(seed, messages);
        bytes += input.len() as u64;
        if let Err(f) = rt.block_on(harness::run(&input, Duration::from_mins(1))) {
            let dir = std::path::Path::new("target/fuzz_lsp");
            let _ = std::fs::create_dir_all(dir);
            let path = dir.join(format!("{seed}.bin"));
            let _ = std::fs::write(&path, &f.input);
            eprintln!(
                "fuzz_lsp: seed {seed}: {}; input ({} bytes) in {}",
                f.what,
                f.input.len(),
                path.display()
            );
            return ExitCode::FAILURE;
        }
        peak = peak.max(harness::rss().unwrap_or(0));
        sessions += 1;
        seed = seed.wrapping_add(1);
        if sessions.is_multiple_of(100) {
            println!(
                "  {sessions} sessions, {:.1} s, peak RSS {} MiB",
                start.elapsed().as_secs_f64(),
                peak >> 20
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "fuzz_lsp: {sessions} sessions ({} MiB of input) in {secs:.0} s, {:.1} sessions/s, peak RSS {} MiB, seeds {first_seed}..{seed}: no finding",
        bytes >> 20,
        sessions as f64 / secs,
        peak >> 20
    );
    ExitCode::SUCCESS
}
