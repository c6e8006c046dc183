//! The architecture rule of ARCHITECTURE.md: the crates below the checker build without the
//! parser generator, the terminal renderer, the thread pool or the async runtime.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the test runs the `cargo` that runs it (`CARGO`)"
)]

use std::process::Command;

/// Crates that must not appear in the normal dependency tree of the light crates.
const HEAVY: &[&str] = &["pest", "pest_derive", "miette", "rayon", "tokio"];

/// The crates that must stay light.
const LIGHT: &[&str] = &["icp-base", "icp-model", "icp-eval", "icp-data"];

#[test]
fn light_crates_depend_on_nothing_heavy() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    for krate in LIGHT {
        let out = Command::new(&cargo)
            .args([
                "tree",
                "--offline",
                "-e",
                "normal",
                "--prefix",
                "none",
                "-p",
            ])
            .arg(krate)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo tree runs");
        assert!(
            out.status.success(),
            "cargo tree -p {krate} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tree = String::from_utf8_lossy(&out.stdout);
        for line in tree.lines() {
            let name = line.split_whitespace().next().unwrap_or("");
            assert!(!HEAVY.contains(&name), "{krate} depends on {name}:\n{tree}");
        }
    }
}
