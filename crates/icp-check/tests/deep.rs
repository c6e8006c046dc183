//! The deepest expressions the parser accepts check without exhausting a 2 MiB stack (the
//! parser's own budget), and deeper ones are one diagnostic.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests read their fixtures from disk and fail loudly"
)]

use crate::common;

fn on_small_stack(src: String) -> Vec<&'static str> {
    std::thread::Builder::new()
        .stack_size(2 << 20) // the stack the parser is tested on
        .spawn(move || {
            let checked = common::check_case(&src);
            checked.diagnostics.iter().map(|d| d.code.name()).collect()
        })
        .unwrap()
        .join()
        .unwrap()
}

fn segment(cond: &str) -> String {
    format!("schema Account {{ id: text key  n: int  a: bool }}\nsegment s {{ {cond} }}\n")
}

#[test]
fn deepest_accepted_expressions_check() {
    let n = icp_syntax::MAX_BRACKET_DEPTH - 1;
    assert_eq!(
        on_small_stack(segment(&format!("{}a{}", "(".repeat(n), ")".repeat(n)))),
        Vec::<&str>::new()
    );
    let n = icp_syntax::MAX_BRACKET_DEPTH - 2;
    assert_eq!(
        on_small_stack(segment(&format!("{}a{}", "not (".repeat(n), ")".repeat(n)))),
        Vec::<&str>::new()
    );
    let chain = vec!["n > 1"; icp_syntax::MAX_DEPTH / 2].join(" or ");
    assert_eq!(on_small_stack(segment(&chain)), Vec::<&str>::new());
    let sum = vec!["n"; icp_syntax::MAX_DEPTH / 2].join(" + ");
    assert_eq!(
        on_small_stack(segment(&format!("{sum} > 3"))),
        Vec::<&str>::new()
    );
    let nots = format!("{}a", "not ".repeat(icp_syntax::MAX_DEPTH - 1));
    assert_eq!(on_small_stack(segment(&nots)), Vec::<&str>::new());
}

#[test]
fn deeper_ones_are_one_diagnostic() {
    let n = 100_000;
    let codes = on_small_stack(segment(&format!("{}a{}", "(".repeat(n), ")".repeat(n))));
    assert_eq!(codes, vec!["nesting_too_deep"]);
    let chain = vec!["n > 1"; 5000].join(" and ");
    let codes = on_small_stack(segment(&chain));
    assert_eq!(codes, vec!["nesting_too_deep"]);
}
