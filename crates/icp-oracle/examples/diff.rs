//! The long-running differential fuzzer: random programs and messy rows, `icp score` against
//! the oracle, for a number of seconds.
//!
//! ```sh
//! cargo run --release -p icp-oracle --example diff -- SECS [SEED] [--all|--passing] [--with FEATURE] [--rows N] [--max-reports N]
//! ```
//!
//! Every feature but `PENDING` is generated, the run's shape included (several profiles, JSON
//! input, decimal commas); `--passing` leaves out `generate::RUN_SHAPE` (one profile, CSV).
//! `--with FEATURE` (repeatable) adds one of them. `--all` also generates the features in `icp_oracle::generate::PENDING` (contract rules the
//! implementation does not follow yet). The `icp` binary is `$ICP_BIN` when set, else it is
//! built first with `cargo build --release -p icp-cli` (Cargo passes `$CARGO` to `cargo run`).
//! Every disagreement is shrunk and printed (program, rows, both results), at most
//! `--max-reports` of each kind; the closing line counts the cases.
#![allow(
    clippy::disallowed_methods,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line harness: it reads its arguments and the clock, builds and runs `icp`"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use icp_oracle::diff::{self, Scratch, Verdict};
use icp_oracle::generate::{self, Config};

fn icp_binary() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("ICP_BIN") {
        return std::fs::canonicalize(&p).map_err(|e| format!("ICP_BIN: {e}"));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "icp-cli",
            "--bin",
            "icp",
            "--message-format=json",
        ])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo build failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
            && v.get("reason").and_then(|r| r.as_str()) == Some("compiler-artifact")
            && v.pointer("/target/name").and_then(|n| n.as_str()) == Some("icp")
            && let Some(exe) = v.get("executable").and_then(|e| e.as_str())
        {
            return Ok(PathBuf::from(exe));
        }
    }
    Err("cargo built no `icp` executable".into())
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut all = false;
    let mut passing = false;
    let mut with: Vec<String> = Vec::new();
    let mut rows = 30;
    let mut max_reports = 2;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--all" => all = true,
            "--passing" => passing = true,
            "--with" => with.push(it.next().ok_or("--with FEATURE")?.clone()),
            "--rows" => rows = it.next().and_then(|v| v.parse().ok()).ok_or("--rows N")?,
            "--max-reports" => {
                max_reports = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--max-reports N")?;
            }
            _ => positional.push(a.clone()),
        }
    }
    let secs: u64 = positional
        .first()
        .and_then(|s| s.parse().ok())
        .ok_or("usage: diff SECS [SEED] [--all]")?;
    let seed: u64 = positional.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut cfg = if all {
        Config::all(rows)
    } else if passing {
        Config::passing(rows)
    } else {
        Config::everything(rows)
    };
    for name in &with {
        let f = generate::ALL
            .iter()
            .find(|f| format!("{f:?}") == *name)
            .ok_or_else(|| format!("no feature `{name}`: one of {:?}", generate::ALL))?;
        cfg.features.push(*f);
    }
    let bin = icp_binary()?;
    let scratch = Scratch::new().map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(secs);
    let (mut cases, mut agree, mut rejected, mut skipped, mut rows_compared) =
        (0_u64, 0_u64, 0_u64, 0_u64, 0_u64);
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    let mut i = 0_u64;
    while Instant::now() < deadline {
        let case_seed = seed.wrapping_mul(1_000_003).wrapping_add(i);
        i += 1;
        let case = generate::case(case_seed, &cfg);
        cases += 1;
        match diff::check(&bin, &scratch, &case) {
            Verdict::Agree => {
                agree += 1;
                rows_compared += rows as u64;
            }
            Verdict::Rejected(why) => {
                rejected += 1;
                if rejected <= 3 {
                    eprintln!(
                        "case {case_seed}: icp refused the program:\n{why}\n{}",
                        case.program
                    );
                }
            }
            Verdict::Skipped(why) => {
                skipped += 1;
                if skipped <= 3 {
                    eprintln!("case {case_seed}: the oracle skipped it: {why}");
                }
            }
            Verdict::Disagree(ds) => {
                rows_compared += rows as u64;
                let Some(first) = ds.first() else { continue };
                let kind = diff::kind(first);
                let n = kinds.entry(kind.clone()).or_default();
                *n += 1;
                if *n <= max_reports {
                    let small = diff::shrink(&bin, &scratch, &case, first);
                    println!(
                        "===== case {case_seed}: disagreement on {kind}\n{}",
                        diff::report(&bin, &scratch, &small)
                    );
                }
            }
        }
    }
    let disagree: u64 = kinds.values().sum();
    println!(
        "seed {seed}: {cases} cases ({rows_compared} rows compared) in {secs}s: {agree} agree, {disagree} disagree {kinds:?}, {rejected} refused by icp, {skipped} skipped by the oracle"
    );
    Ok(())
}
