//! Parser tests: AST snapshots of valid programs, rendered syntax errors, error tolerance.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers may unwrap and panic"
)]
#![allow(clippy::disallowed_methods, reason = "tests read their data files")]

use crate::render;

use icp_syntax::ast::{ExprKind, Item, Lit};
use icp_syntax::{Code, HasSpan, parse};

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn language_md_program() {
    let src = read(std::path::Path::new("tests/data/language_md.icp"));
    let parsed = parse(&src);
    assert_eq!(parsed.diagnostics, vec![], "{:#?}", parsed.diagnostics);
    let kinds: Vec<_> = parsed.file.items.iter().map(Item::keyword).collect();
    assert_eq!(
        kinds,
        [
            "import",
            "schema",
            "situation",
            "segment",
            "segment",
            "profile",
            "test"
        ]
    );
    insta::assert_debug_snapshot!(parsed.file);
}

#[test]
fn valid_programs() {
    insta::glob!("data/valid/*.icp", |path| {
        let src = read(path);
        let parsed = parse(&src);
        let rendered: Vec<String> = parsed
            .diagnostics
            .iter()
            .map(|d| render::render(d, "test.icp", &src, false))
            .collect();
        assert!(rendered.is_empty(), "{}", rendered.join("\n"));
        insta::assert_debug_snapshot!(parsed.file);
    });
}

#[test]
fn syntax_errors() {
    insta::glob!("data/errors/*.icp", |path| {
        let src = read(path);
        let parsed = parse(&src);
        assert!(!parsed.diagnostics.is_empty());
        let name = path.file_name().unwrap().to_string_lossy();
        let rendered: Vec<String> = parsed
            .diagnostics
            .iter()
            .map(|d| render::render(d, &name, &src, false))
            .collect();
        let out = format!(
            "----- SOURCE CODE\n{src}----- ERROR\n{}",
            rendered.join("\n")
        );
        insta::assert_snapshot!(out);
    });
}

#[test]
fn every_broken_item_is_reported() {
    let src = "\
segment a { x > }
segment ok { x > 1 }
profile p { criterion c { x } }
test \"t\" { expect }
";
    let parsed = parse(src);
    let codes: Vec<_> = parsed.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::Syntax, Code::Syntax, Code::Syntax]);
    // The profile and the test stay, without their broken clause.
    let names: Vec<_> = parsed.file.items.iter().map(Item::name).collect();
    assert_eq!(names, [Some("ok"), Some("p"), Some("t")]);
    let broken: Vec<_> = parsed
        .file
        .broken
        .iter()
        .map(|b| (b.kind.keyword(), b.name.as_ref().map(|n| n.name.as_str())))
        .collect();
    assert_eq!(
        broken,
        [
            ("segment", Some("a")),
            ("criterion", Some("c")),
            ("expect", None)
        ]
    );
    let lines: Vec<usize> = parsed
        .diagnostics
        .iter()
        .map(|d| src[..d.span.start as usize].matches('\n').count())
        .collect();
    assert_eq!(lines, [0, 2, 3]);
}

#[test]
fn invalid_literals_are_each_reported() {
    let parsed = parse(
        "segment s { a == 2027-02-30 and b == 99999999999999999999 and c < 3y and d == $1m }\n",
    );
    let messages: Vec<_> = parsed
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (Code::InvalidLiteral, "`2027-02-30` is not a date"),
            (
                Code::InvalidLiteral,
                "integer `99999999999999999999` is too large"
            ),
            (Code::InvalidLiteral, "unknown unit `y` in `3y`"),
        ]
    );
    assert!(parsed.file.items.is_empty());
}

fn lit(src: &str) -> Lit {
    let parsed = parse(&format!("segment s {{ {src} }}"));
    assert!(
        parsed.diagnostics.is_empty(),
        "{src}: {:?}",
        parsed.diagnostics
    );
    let Some(Item::Segment(seg)) = parsed.file.items.first() else {
        panic!("{src}")
    };
    let ExprKind::Lit(l) = &seg.cond.kind else {
        panic!("{src}: {:?}", seg.cond)
    };
    l.clone()
}

#[test]
fn literal_values() {
    assert_eq!(lit("42"), Lit::Int(42));
    assert_eq!(lit("3.5"), Lit::Number(dec("3.5")));
    assert_eq!(lit("$100k"), Lit::Money(dec("100000.0")));
    assert_eq!(lit("$2M"), Lit::Money(dec("2000000.0")));
    assert_eq!(lit("$1.5B"), Lit::Money(dec("1500000000.0")));
    assert_eq!(lit("$250"), Lit::Money(dec("250.0")));
    assert_eq!(lit("70%"), Lit::Percent(dec("0.7")));
    assert_eq!(lit("33.3%"), Lit::Percent(dec("0.333")));
    assert_eq!(lit("90d"), Lit::Duration(90));
    assert_eq!(lit("12w"), Lit::Duration(84));
    assert_eq!(lit("2027-01-31").to_string_lossy(), "2027-01-31");
    assert_eq!(lit(r#""a\"b\\c\nd\te""#), Lit::Text("a\"b\\c\nd\te".into()));
    assert_eq!(lit("true"), Lit::Bool(true));
    assert_eq!(lit("9223372036854775807"), Lit::Int(i64::MAX));
}

trait Lossy {
    fn to_string_lossy(&self) -> String;
}
impl Lossy for Lit {
    fn to_string_lossy(&self) -> String {
        match self {
            Lit::Date(d) => d.to_string(),
            other => format!("{other:?}"),
        }
    }
}

#[test]
fn item_spans_cover_the_item() {
    let src = "segment a { x }  // c\n\nsegment b { y }\n";
    let parsed = parse(src);
    let spans: Vec<&str> = parsed
        .file
        .items
        .iter()
        .map(|i| i.span().text(src))
        .collect();
    assert_eq!(spans, ["segment a { x }", "segment b { y }"]);
}

#[test]
fn tokens_are_total() {
    let src = "segment s { x >= $1M } // c\n\"open";
    let toks = icp_syntax::tokens(src);
    let texts: Vec<&str> = toks.iter().map(|t| t.span.text(src)).collect();
    assert_eq!(
        texts,
        ["segment", "s", "{", "x", ">=", "$1M", "}", "// c", "\"open"]
    );
    assert_eq!(toks[0].kind, icp_syntax::TokenKind::Keyword);
}

/// An expression as an S-expression, to check precedence and associativity.
fn sexpr(e: &icp_syntax::ast::Expr) -> String {
    use icp_syntax::ast::{ContainsMode, UnaryOp};
    let list = |xs: &[icp_syntax::ast::Expr]| xs.iter().map(sexpr).collect::<Vec<_>>().join(" ");
    match &e.kind {
        ExprKind::Lit(l) => l.to_string_lossy(),
        ExprKind::List(xs) => format!("[{}]", list(xs)),
        ExprKind::Name(n) => n.name.clone(),
        ExprKind::Path(a, b) => format!("{}.{}", a.name, b.name),
        ExprKind::Unary(UnaryOp::Not, x) => format!("(not {})", sexpr(x)),
        ExprKind::Unary(UnaryOp::Neg, x) => format!("(neg {})", sexpr(x)),
        ExprKind::Binary(op, a, b) => format!("({} {} {})", op.as_str(), sexpr(a), sexpr(b)),
        ExprKind::InRange {
            expr,
            lo,
            hi,
            negated,
        } => {
            format!(
                "({}in {} {} {})",
                if *negated { "not-" } else { "" },
                sexpr(expr),
                sexpr(lo),
                sexpr(hi)
            )
        }
        ExprKind::InList {
            expr,
            list: xs,
            negated,
        } => {
            format!(
                "({}in {} [{}])",
                if *negated { "not-" } else { "" },
                sexpr(expr),
                list(xs)
            )
        }
        ExprKind::Contains { expr, mode, needle } => {
            let m = match mode {
                ContainsMode::One => "contains",
                ContainsMode::Any => "contains-any",
                ContainsMode::All => "contains-all",
            };
            format!("({m} {} {})", sexpr(expr), sexpr(needle))
        }
        ExprKind::IsMissing { expr, negated } => {
            format!(
                "({} {})",
                if *negated { "present" } else { "missing" },
                sexpr(expr)
            )
        }
        ExprKind::Call { func, args } => format!("({} {})", func.name, list(args)),
    }
}

fn cond(src: &str) -> String {
    let parsed = parse(&format!("segment s {{ {src} }}"));
    assert!(
        parsed.diagnostics.is_empty(),
        "{src}: {:?}",
        parsed.diagnostics
    );
    let Some(Item::Segment(seg)) = parsed.file.items.first() else {
        panic!("{src}")
    };
    sexpr(&seg.cond)
}

#[test]
fn precedence_and_associativity() {
    let cases = [
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("not a and b", "(and (not a) b)"),
        ("not a == b", "(not (== a b))"),
        ("a == b ?? c", "(== a (?? b c))"),
        ("a ?? b + c", "(?? a (+ b c))"),
        ("a + b * c", "(+ a (* b c))"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b / c", "(/ (/ a b) c)"),
        ("-a * b", "(* (neg a) b)"),
        ("- - a", "(neg (neg a))"),
        ("not not a", "(not (not a))"),
        ("(a + b) * c", "(* (+ a b) c)"),
        ("x in 1..10", "(in x Int(1) Int(10))"),
        (
            "x not in today - 90d..today",
            "(not-in x (- today Duration(90)) today)",
        ),
        ("x in [1, 2,]", "(in x [Int(1) Int(2)])"),
        ("x not in []", "(not-in x [])"),
        (
            "t contains \"a\" or t contains any [\"b\"]",
            "(or (contains t Text(\"a\")) (contains-any t [Text(\"b\")]))",
        ),
        (
            "t contains all [1] and any contains all",
            "(and (contains-all t [Int(1)]) (contains any all))",
        ),
        (
            "x is missing or y is present",
            "(or (missing x) (present y))",
        ),
        ("not x is missing", "(not (missing x))"),
        (
            "situation.full_ui and score.able >= 80",
            "(and situation.full_ui (>= score.able Int(80)))",
        ),
        ("f() == g(1, h)", "(== (f ) (g Int(1) h))"),
        ("a ?? b ?? c", "(?? (?? a b) c)"),
        ("-$5 < x", "(< (neg Money(5)) x)"),
    ];
    for (src, want) in cases {
        assert_eq!(cond(src), want, "{src}");
    }
}

#[test]
fn byte_order_mark_and_crlf() {
    let src = "\u{FEFF}segment a { x > 1 }\r\n// c\r\nsegment b {\r\n  y\r\n}\r\n";
    let parsed = parse(src);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.file.items.len(), 2);
}

#[test]
fn import_in_column_0_ends_an_unclosed_item() {
    let parsed = parse("schema A {\n  x: int\nimport \"b.icp\"\nsegment s { x > 1 }\n");
    let codes: Vec<_> = parsed.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::UnclosedDelimiter]);
    let kinds: Vec<_> = parsed.file.items.iter().map(Item::keyword).collect();
    // The schema stays, with the fields that parse (recovery below the item).
    assert_eq!(kinds, ["schema", "import", "segment"]);
}

#[test]
fn clause_keywords_in_column_0_stay_inside_their_item() {
    let parsed = parse("test \"t\" {\nprofile p\nexpect tier t\n}\nsegment s { x }\n");
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.file.items.len(), 2);
}

#[test]
fn lossless_tree_with_comments_around_a_broken_clause() {
    // Found by the fuzzer: a comment before a broken clause was written twice.
    let src = "profile p {\n  tier a >= 50\n\n  // why we exclude them\n  exclude x \"X\" {\n    crm == h and not situ(tion.h\n  }\n  // after\n  tier rest\n}\n";
    let (parsed, tree) = icp_syntax::parse_with_tree(src);
    assert_eq!(tree.text().to_string(), src);
    assert_eq!(parsed.file.broken.len(), 1);
    let errors: Vec<String> = tree
        .descendants()
        .filter(|n| n.kind() == icp_syntax::SyntaxKind::ERROR)
        .map(|n| n.text().to_string())
        .collect();
    assert_eq!(
        errors,
        ["exclude x \"X\" {\n    crm == h and not situ(tion.h\n  }"]
    );
}

#[test]
fn lossless_tree_with_a_comment_right_after_an_open_block() {
    // Found by the property tests: `profile p {//` then a broken clause.
    for src in [
        "profile p {//\na",
        "profile p {//\na\n",
        "schema A { // c\n  x\n}\n",
    ] {
        let (_, tree) = icp_syntax::parse_with_tree(src);
        assert_eq!(tree.text().to_string(), src, "{tree:#?}");
    }
}

/// The decimal written `s`, exactly.
fn dec(s: &str) -> icp_syntax::ast::Decimal {
    icp_base::num::parse(s).unwrap()
}
