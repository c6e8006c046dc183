//! A time-bounded mutation fuzzer for the lexer, the parser (its lossless tree included) and the
//! checker.
//!
//! `cargo run --release -p icp-check --example fuzz -- SECONDS [SEED]`
//!
//! Mutates one file of a project at a time (deleting, inserting, duplicating and swapping
//! characters and slices), over the first program of LANGUAGE.md and every bundled example
//! project, and feeds random bytes too; calls `tokens`, then `check` on the whole project
//! (which parses every file), then renders every diagnostic, all under `catch_unwind`.
//! Prints the cases per second; prints any input that panics to stderr and exits with
//! status 1.

#![allow(clippy::disallowed_methods, reason = "a fuzzer reads the clock")]

#[path = "../../icp-cli/src/render.rs"]
mod render;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use std::path::{Path, PathBuf};

use icp_check::{MemoryLoader, Options, check};

/// Seed projects: file names and texts.
const PROJECTS: &[&[(&str, &str)]] = &[
    &[(
        "main.icp",
        include_str!("../../icp-syntax/tests/data/language_md.icp"),
    )],
    &[(
        "fintech.icp",
        include_str!("../../../examples/fintech-b2b/fintech.icp"),
    )],
    &[
        (
            "profile.icp",
            include_str!("../../../examples/helpdesk-saas/profile.icp"),
        ),
        (
            "schema.icp",
            include_str!("../../../examples/helpdesk-saas/schema.icp"),
        ),
    ],
    &[
        (
            "profile.icp",
            include_str!("../../../examples/hubspot-personas/profile.icp"),
        ),
        (
            "schema.icp",
            include_str!("../../../examples/hubspot-personas/schema.icp"),
        ),
    ],
    &[
        (
            "profile.icp",
            include_str!("../../../examples/inc5000/profile.icp"),
        ),
        (
            "schema.icp",
            include_str!("../../../examples/inc5000/schema.icp"),
        ),
    ],
    &[
        (
            "profile.icp",
            include_str!("../../../examples/lincoln-murphy/profile.icp"),
        ),
        (
            "schema.icp",
            include_str!("../../../examples/lincoln-murphy/schema.icp"),
        ),
        (
            "segments.icp",
            include_str!("../../../examples/lincoln-murphy/segments.icp"),
        ),
        (
            "situation.icp",
            include_str!("../../../examples/lincoln-murphy/situation.icp"),
        ),
        (
            "tests.icp",
            include_str!("../../../examples/lincoln-murphy/tests.icp"),
        ),
    ],
    &[(
        "agency.icp",
        include_str!("../../../examples/marketing-agency/agency.icp"),
    )],
    &[(
        "beauty.icp",
        include_str!("../../../examples/sustainable-beauty-b2c/beauty.icp"),
    )],
];

/// Check a project whose file `victim` is replaced by `text`, and render every diagnostic.
fn check_project(project: &[(&str, &str)], victim: usize, text: &str) {
    let root = Path::new("/p");
    let mut loader = MemoryLoader::new();
    let mut entries: Vec<PathBuf> = Vec::new();
    for (i, (name, original)) in project.iter().enumerate() {
        let path = root.join(name);
        loader = loader.with(path.clone(), if i == victim { text } else { *original });
        entries.push(path);
    }
    let options = Options {
        today: icp_syntax::Date::from_ymd(2027, 1, 15),
    };
    let checked = check(&entries, root, &loader, &options);
    for d in &checked.diagnostics {
        if let Some(f) = checked.file(d.file) {
            assert!(
                f.text.get(d.span.range()).is_some(),
                "diagnostic span outside the source"
            );
            let _ = render::render(d, "x.icp", &f.text, false);
        }
    }
}

/// Characters the grammar cares about, inserted more often than random ones.
const INTERESTING: &[char] = &[
    '{', '}', '(', ')', '[', ']', '"', '\\', '/', '\n', ' ', '.', ',', ':', '=', '<', '>', '-',
    '$', '%', '?', '|', '_', '0', '9', 'd', 'w', 'k', 'M', 'é', '😀', '\r', '\t',
];

/// xorshift64*: small, fast and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(rng: &mut Rng, base: &[char]) -> String {
    let mut chars = base.to_vec();
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        let len = chars.len();
        match rng.below(7) {
            0 if len > 0 => {
                chars.remove(rng.below(len));
            }
            1 => {
                let c = INTERESTING
                    .get(rng.below(INTERESTING.len()))
                    .copied()
                    .unwrap_or(' ');
                chars.insert(rng.below(len + 1), c);
            }
            2 => {
                let c = char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('x');
                chars.insert(rng.below(len + 1), c);
            }
            3 if len > 0 => {
                let (i, j) = (rng.below(len), rng.below(len));
                chars.swap(i, j);
            }
            4 if len > 0 => {
                // Delete a slice.
                let i = rng.below(len);
                let j = (i + rng.below(40)).min(len);
                chars.drain(i..j);
            }
            5 if len > 0 => {
                // Duplicate a slice somewhere else.
                let i = rng.below(len);
                let j = (i + rng.below(60)).min(len);
                let slice: Vec<char> = chars.get(i..j).unwrap_or(&[]).to_vec();
                let at = rng.below(len + 1);
                chars.splice(at..at, slice);
            }
            _ => {
                // Repeat one bracket or operator many times (deep nesting).
                let c = ['(', '[', '-', '{']
                    .get(rng.below(4))
                    .copied()
                    .unwrap_or('(');
                let n = rng.below(2000);
                let at = rng.below(len + 1);
                chars.splice(at..at, std::iter::repeat_n(c, n));
            }
        }
    }
    chars.into_iter().collect()
}

fn random_bytes(rng: &mut Rng) -> String {
    let n = rng.below(400);
    let bytes: Vec<u8> = (0..n).map(|_| (rng.next() >> 32) as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    let mut rng = Rng(seed.max(1));
    let bases: Vec<Vec<Vec<char>>> = PROJECTS
        .iter()
        .map(|p| p.iter().map(|(_, t)| t.chars().collect()).collect())
        .collect();
    // Panics are caught and reported below; keep the default hook quiet.
    std::panic::set_hook(Box::new(|_| {}));

    let start = Instant::now();
    let deadline = Duration::from_secs(seconds);
    let mut cases: u64 = 0;
    let mut panics: u64 = 0;
    while start.elapsed() < deadline {
        for _ in 0..64 {
            let p = rng.below(PROJECTS.len());
            let project = PROJECTS.get(p).copied().unwrap_or(&[]);
            let victim = rng.below(project.len());
            let input = if rng.below(8) == 0 {
                random_bytes(&mut rng)
            } else {
                let base = bases.get(p).and_then(|b| b.get(victim));
                mutate(&mut rng, base.map_or(&[][..], Vec::as_slice))
            };
            let result = catch_unwind(AssertUnwindSafe(|| {
                let _ = icp_syntax::tokens(&input);
                // The lossless tree holds every byte, broken or not.
                let (_, tree) = icp_syntax::parse_with_tree(&input);
                assert_eq!(tree.text().to_string(), input, "the tree lost bytes");
                check_project(project, victim, &input);
            }));
            cases += 1;
            if result.is_err() {
                panics += 1;
                eprintln!("panic on input ({} bytes):\n{input:?}\n", input.len());
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{cases} cases in {secs:.1} s ({:.0} cases/s), seed {seed}, {panics} panics",
        cases as f64 / secs
    );
    if panics > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
