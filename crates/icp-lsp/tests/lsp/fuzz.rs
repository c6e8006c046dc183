//! A short deterministic run of the language server fuzzer (`examples/fuzz_lsp`), and a
//! replay of every input it ever found wrong (`tests/fuzz_corpus/*.bin`).

#![allow(
    clippy::disallowed_methods,
    reason = "the test reads its corpus and the clock"
)]

use std::time::{Duration, Instant};

#[path = "../../examples/fuzz_lsp/harness.rs"]
#[allow(dead_code, reason = "the example uses more of the harness")]
mod harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_fuzz_run() {
    harness::install_panic_counter();
    let start = Instant::now();
    let mut sessions = 0;
    for seed in 1..=40u64 {
        let input = harness::input(seed, 20 + (seed % 60) as usize);
        if let Err(f) = harness::run(&input, Duration::from_mins(2)).await {
            panic!(
                "seed {seed}: {}; input: {:?}",
                f.what,
                String::from_utf8_lossy(&f.input)
            );
        }
        sessions += 1;
        // A few seconds on a fast machine; never more than a minute on a slow one.
        if start.elapsed() > Duration::from_mins(1) {
            break;
        }
    }
    assert!(sessions >= 5, "only {sessions} sessions");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_corpus_replays_clean() {
    harness::install_panic_counter();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_corpus");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let input = std::fs::read(&path).unwrap();
        if let Err(f) = harness::run(&input, Duration::from_mins(2)).await {
            panic!("{}: {}", path.display(), f.what);
        }
    }
}
