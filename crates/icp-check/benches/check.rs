//! Parse + check time of a generated 10,000-line program (many segments, profiles and
//! criteria). Target: under 100 ms.
#![allow(missing_docs, reason = "a bench")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a bench")]

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use icp_check::{MemoryLoader, Options, check};

/// A program of about `lines` lines.
fn program(lines: usize) -> String {
    let mut s = String::from(
        "schema Account {\n  id: text key\n  employees: int\n  marketers: int?\n  revenue: money?\n  country: text\n  industry: enum { saas = \"Software\", fintech, agency, other = _ }\n  tech: set<text>\n  intent: percent?\n  last_touch: date?\n  stage: enum { open, won, lost, churned }?\n  arr: money?\n}\n",
    );
    s.push_str("situation q1 for Account {\n  timeframe 2027-01-01 .. 2027-03-31\n  goal n count >= 25 where stage == won\n  goal arr sum(arr) >= $100k where stage == won\n  milestone 2027-01-31 arr >= $34k\n  capability full_ui = false\n}\n");
    let segments = lines * 3 / 10 / 3;
    for i in 0..segments {
        let _ = write!(
            s,
            "segment seg{i} \"Segment {i}\" {{\n  employees in {}..{} and (marketers ?? 0) >= {} and country in [\"US\", \"FR\"]\n}}\n",
            i % 50,
            100 + i,
            i % 3
        );
    }
    let mut p = 0;
    while s.lines().count() < lines {
        let _ = writeln!(s, "profile p{p} \"Profile {p}\" for Account in q1 {{");
        let _ = writeln!(
            s,
            "  target seg{}, seg{}",
            p % segments.max(1),
            (p + 7) % segments.max(1)
        );
        let _ = writeln!(s, "  let per_head = revenue / employees");
        let _ = writeln!(s, "  group able \"Able\" {{");
        for c in 0..25 {
            let _ = writeln!(
                s,
                "    criterion c{c} weight {} {{ employees >= {} and revenue >= ${}k }}",
                c + 1,
                c * 10,
                c + 1
            );
        }
        let _ = writeln!(s, "  }}");
        for c in 25..50 {
            let _ = writeln!(
                s,
                "  criterion c{c} weight {} {{\n    perfect when intent >= {}% and industry in [saas, fintech]\n    practical when intent >= {}%\n  }}",
                c % 7 + 1,
                50 + c % 40,
                10 + c % 30
            );
        }
        let _ = writeln!(s, "  criterion eff weight 5 {{ per_head >= $100k }}");
        let _ = writeln!(
            s,
            "  criterion recent weight 5 {{ last_touch >= today - 90d }}"
        );
        let _ = writeln!(
            s,
            "  criterion stack weight 5 {{ tech contains any [\"HubSpot\", \"Salesforce\"] }}"
        );
        let _ = writeln!(
            s,
            "  exclude ui \"No UI\" {{ not situation.full_ui and stage == churned }}"
        );
        let _ = writeln!(s, "  tier a when score.able >= 80 and score >= 70");
        let _ = writeln!(s, "  tier b >= 50\n  tier c\n}}");
        p += 1;
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = program(10_000);
    let lines = text.lines().count();
    let loader = MemoryLoader::new().with("/p/main.icp", text);
    let entries: Vec<PathBuf> = vec!["/p/main.icp".into()];
    let options = Options { today: None };
    let checked = check(&entries, Path::new("/p"), &loader, &options);
    assert!(
        !checked.has_errors(),
        "the generated program must check: {:?}",
        checked.diagnostics.first()
    );
    eprintln!(
        "{lines} lines, {} segments, {} profiles, {} diagnostics",
        checked.program.segments.len(),
        checked.program.profiles.len(),
        checked.diagnostics.len()
    );
    let source = loader.files.values().next().cloned().unwrap_or_default();
    c.bench_function(&format!("parse only {lines} lines"), |b| {
        b.iter(|| icp_syntax::parse(black_box(&source)));
    });
    c.bench_function(&format!("parse+check {lines} lines"), |b| {
        b.iter(|| check(black_box(&entries), Path::new("/p"), &loader, &options));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
