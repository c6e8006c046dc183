//! Deep nesting is reported as `nesting_too_deep`, never a stack overflow, on the 2 MiB stack
//! of a debug-build test thread.

#![allow(clippy::unwrap_used, reason = "test helpers may unwrap")]

use icp_syntax::{Code, parse};

fn on_small_stack(src: String) -> Vec<Code> {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || parse(&src).diagnostics.iter().map(|d| d.code).collect())
        .unwrap()
        .join()
        .unwrap()
}

fn segment(body: &str) -> String {
    format!("segment s {{ {body} }}\n")
}

#[test]
fn deep_parens_are_reported() {
    let n = 100_000;
    let src = segment(&format!("{}a{}", "(".repeat(n), ")".repeat(n)));
    assert_eq!(on_small_stack(src), vec![Code::NestingTooDeep]);
}

#[test]
fn deep_lists_are_reported() {
    let n = 100_000;
    let src = segment(&format!("a in {}1{}", "[".repeat(n), "]".repeat(n)));
    assert_eq!(on_small_stack(src), vec![Code::NestingTooDeep]);
}

#[test]
fn unclosed_deep_parens_are_reported() {
    let src = segment(&"(".repeat(100_000));
    assert_eq!(on_small_stack(src), vec![Code::NestingTooDeep]);
}

#[test]
fn long_prefix_chains_are_reported() {
    for op in ["not ", "- ", "-"] {
        let src = segment(&format!("{}a", op.repeat(100_000)));
        assert_eq!(on_small_stack(src), vec![Code::NestingTooDeep], "{op}");
    }
}

#[test]
fn deep_set_types_are_reported() {
    let n = 100_000;
    let src = format!(
        "schema A {{ x: {}text{} }}\n",
        "set<".repeat(n),
        ">".repeat(n)
    );
    assert_eq!(on_small_stack(src), vec![Code::NestingTooDeep]);
    let src = format!(
        "schema A {{ x: {}text{} }}\n",
        "set<".repeat(30),
        ">".repeat(30)
    );
    assert_eq!(on_small_stack(src), vec![]);
    // Many sets side by side are no nesting.
    let fields = (0..500)
        .map(|i| format!("f{i}: set<text>"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        on_small_stack(format!("schema A {{\n{fields}\n}}\n")),
        vec![]
    );
}

#[test]
fn prefix_runs_inside_nested_brackets_are_reported() {
    let level = format!("{}(", "- ".repeat(icp_syntax::MAX_DEPTH - 1));
    let n = icp_syntax::MAX_BRACKET_DEPTH - 1;
    let src = segment(&format!("{}a{}", level.repeat(n), ")".repeat(n)));
    assert_eq!(on_small_stack(src), vec![Code::NestingTooDeep]);
}

#[test]
fn long_operator_chains_are_reported() {
    for op in [" and ", " or ", " + ", " ?? ", " * "] {
        let src = segment(&vec!["a"; 10_000].join(op));
        assert_eq!(on_small_stack(src), vec![Code::NestingTooDeep], "{op}");
    }
}

#[test]
fn every_bracket_shape_at_the_limit_fits_a_small_stack() {
    // The segment's braces count as one level.
    let n = icp_syntax::MAX_BRACKET_DEPTH - 1;
    let shapes = [
        ("(", ")"),
        ("[", "]"),
        ("f(", ")"),
        ("x in [", "]"),
        ("not (", ")"),
        ("- (", ")"),
        ("a contains (", ")"),
        ("x in 1..(", ")"),
        ("(a + ", ") * 2"),
    ];
    for (open, close) in shapes {
        let src = segment(&format!("{}a{}", open.repeat(n), close.repeat(n)));
        let codes = on_small_stack(src);
        assert!(
            codes.iter().all(|c| *c != Code::NestingTooDeep),
            "{open}: {codes:?}"
        );
        let src = segment(&format!("{}a{}", open.repeat(n + 1), close.repeat(n + 1)));
        assert_eq!(on_small_stack(src), vec![Code::NestingTooDeep], "{open}");
    }
}

#[test]
fn nesting_up_to_the_limits_parses() {
    let n = icp_syntax::MAX_BRACKET_DEPTH - 1; // the segment's braces count too
    let src = segment(&format!("{}a{}", "(".repeat(n), ")".repeat(n)));
    assert_eq!(on_small_stack(src), vec![]);
    let n = icp_syntax::MAX_BRACKET_DEPTH - 2;
    let src = segment(&format!("{}a{}", "not (".repeat(n), ")".repeat(n)));
    assert_eq!(on_small_stack(src), vec![]);
    let src = segment(&vec!["a"; icp_syntax::MAX_DEPTH / 2].join(" or "));
    assert_eq!(on_small_stack(src), vec![]);
    let src = segment(&format!("{}a", "not ".repeat(icp_syntax::MAX_DEPTH - 1)));
    assert_eq!(on_small_stack(src), vec![]);
}
