#![allow(missing_docs, clippy::disallowed_methods, reason = "tmp")]
fn main() {
    let base = include_str!("../tests/data/language_md.icp");
    let mut src = String::new();
    let mut i = 0;
    while i < 134 {
        src.push_str(
            &base
                .replace("mid_market", &format!("mm{i}"))
                .replace("q1_2027", &format!("q{i}")),
        );
        i += 1;
    }
    println!("{} lines, {} bytes", src.lines().count(), src.len());
    for _ in 0..std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(10) {
        let t = std::time::Instant::now();
        let p = icp_syntax::parse(&src);
        let dt = t.elapsed();
        let t2 = std::time::Instant::now();
        let toks = icp_syntax::tokens(&src);
        println!(
            "parse {:?} ({} items, {} diags), tokens {:?} ({})",
            dt,
            p.file.items.len(),
            p.diagnostics.len(),
            t2.elapsed(),
            toks.len()
        );
    }
}
