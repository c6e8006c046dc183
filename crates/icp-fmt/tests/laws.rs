//! The formatter's laws on every program of the repository and on programs with comments at
//! random token boundaries: `fmt(x)` parses to the same tree as `x` with the same comments
//! (checked inside `format`, which refuses otherwise), and `fmt(fmt(x)) == fmt(x)`.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests read their data files and fail loudly"
)]

use crate::common;

use icp_fmt::{Options, format};
use proptest::prelude::*;

fn check(name: &str, src: &str, width: usize) {
    let opts = Options { width };
    let once = match format(src, &opts) {
        Ok(out) => out,
        Err(e) => panic!("{name}: {e}"),
    };
    let twice = match format(&once, &opts) {
        Ok(out) => out,
        Err(e) => panic!("{name}, formatted again: {e}\n{once}"),
    };
    assert_eq!(once, twice, "{name}: not idempotent");
    let (_, a) = icp_syntax::parse_with_tree(src);
    let (_, b) = icp_syntax::parse_with_tree(&once);
    assert_eq!(icp_fmt::comments(&a), icp_fmt::comments(&b), "{name}");
    assert!(
        icp_syntax::same_shape(&icp_syntax::parse(src).file, &icp_syntax::parse(&once).file),
        "{name}"
    );
}

#[test]
fn every_program_of_the_repository() {
    let programs = common::valid_programs();
    assert!(
        programs.len() > 30,
        "found only {} programs",
        programs.len()
    );
    for (path, src) in &programs {
        for width in [100, 60, 30] {
            check(&format!("{} at width {width}", path.display()), src, width);
        }
    }
}

/// `src` with `// cN` comments inserted before the tokens at `picks` (indices into its
/// tokens), each on the line it lands on or alone on a line of its own.
fn with_comments(src: &str, picks: &[(usize, bool)]) -> String {
    let toks = icp_syntax::tokens(src);
    let mut at: Vec<(usize, bool, usize)> = picks
        .iter()
        .enumerate()
        .filter_map(|(i, (t, own))| {
            toks.get(t % toks.len().max(1))
                .map(|t| (t.span.start as usize, *own, i))
        })
        .collect();
    at.sort_unstable();
    at.dedup_by_key(|a| a.0);
    let mut out = String::new();
    let mut pos = 0;
    for (start, own, i) in at {
        out.push_str(&src[pos..start]);
        if own {
            out.push_str("\n  // c");
            out.push_str(&i.to_string());
            out.push_str("\n  ");
        } else {
            out.push_str(" // c");
            out.push_str(&i.to_string());
            out.push_str("\n  ");
        }
        pos = start;
    }
    out.push_str(&src[pos..]);
    out
}

/// The repository's programs, read once.
fn programs() -> &'static [(std::path::PathBuf, String)] {
    static PROGRAMS: std::sync::OnceLock<Vec<(std::path::PathBuf, String)>> =
        std::sync::OnceLock::new();
    PROGRAMS.get_or_init(common::valid_programs)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn comments_at_random_token_boundaries(
        file in 0usize..1000,
        picks in proptest::collection::vec((0usize..100_000, any::<bool>()), 1..6),
        width in prop_oneof![Just(100usize), Just(40usize)],
    ) {
        let programs = programs();
        let (path, src) = &programs[file % programs.len()];
        let commented = with_comments(src, &picks);
        let parsed = icp_syntax::parse(&commented);
        // a comment inside a string, or a line starting with an item keyword, is another program
        prop_assume!(parsed.diagnostics.iter().all(|d| d.severity != icp_syntax::Severity::Error));
        prop_assume!(icp_syntax::same_shape(&parsed.file, &icp_syntax::parse(src).file));
        check(&format!("{} with comments", path.display()), &commented, width);
    }

    #[test]
    fn generated_programs_with_comments_at_random_token_boundaries(
        seed in any::<u64>(),
        picks in proptest::collection::vec((0usize..100_000, any::<bool>()), 0..8),
        width in prop_oneof![Just(100usize), Just(60usize), Just(30usize)],
    ) {
        let src = icp_oracle::generate::case(seed, &icp_oracle::generate::Config::all(1)).program;
        let commented = with_comments(&src, &picks);
        let parsed = icp_syntax::parse(&commented);
        prop_assume!(parsed.diagnostics.iter().all(|d| d.severity != icp_syntax::Severity::Error));
        prop_assume!(icp_syntax::same_shape(&parsed.file, &icp_syntax::parse(&src).file));
        check(&format!("generated program {seed} with comments"), &commented, width);
    }
}
