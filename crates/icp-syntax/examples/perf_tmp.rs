#![allow(
    missing_docs,
    clippy::disallowed_methods,
    clippy::pedantic,
    reason = "tmp"
)]
use std::fmt::Write as _;
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

fn main() {
    let src = program(10_000);
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    println!("{} lines, {} bytes", src.lines().count(), src.len());
    for _ in 0..n {
        let t = std::time::Instant::now();
        let p = icp_syntax::parse(&src);
        println!(
            "parse {:?} ({} items, {} diags)",
            t.elapsed(),
            p.file.items.len(),
            p.diagnostics.len()
        );
    }
}
