//! Property tests: parsing never panics, diagnostics point inside the source, and every
//! node's span lies inside its item's span.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers may unwrap and panic"
)]
#![allow(clippy::disallowed_methods, reason = "tests read their data files")]

use icp_syntax::ast::{
    CriterionBody, ExpectKind, ExpectMetric, Expr, ExprKind, Item, ProfileMember, SituationClause,
    TestClause, TierRule, TypeExpr, TypeKind,
};
use icp_syntax::{HasSpan, Span, parse};
use proptest::prelude::*;

const PROGRAM: &str = include_str!("data/language_md.icp");

fn spans_of_type(t: &TypeExpr, out: &mut Vec<Span>) {
    out.push(t.span);
    match &t.kind {
        TypeKind::Enum(e) => {
            out.extend(e.less.iter().chain(&e.commas));
            for v in &e.variants {
                out.push(v.span);
                out.push(v.name.span);
                out.extend(v.strings.iter().map(|s| s.span));
                out.extend(v.catch_all);
            }
        }
        TypeKind::Set(inner) => spans_of_type(inner, out),
        TypeKind::Named(id) => out.push(id.span),
        _ => {}
    }
}

fn spans_of_expr(e: &Expr, out: &mut Vec<Span>) {
    out.push(e.span);
    match &e.kind {
        ExprKind::Lit(_) => {}
        ExprKind::List(xs) => xs.iter().for_each(|x| spans_of_expr(x, out)),
        ExprKind::Name(id) => out.push(id.span),
        ExprKind::Path(a, b) => out.extend([a.span, b.span]),
        ExprKind::Unary(_, x) | ExprKind::IsMissing { expr: x, .. } => spans_of_expr(x, out),
        ExprKind::Binary(_, a, b)
        | ExprKind::Contains {
            expr: a, needle: b, ..
        } => {
            spans_of_expr(a, out);
            spans_of_expr(b, out);
        }
        ExprKind::InRange { expr, lo, hi, .. } => {
            for x in [expr, lo, hi] {
                spans_of_expr(x, out);
            }
        }
        ExprKind::InList { expr, list, .. } => {
            spans_of_expr(expr, out);
            for x in list {
                spans_of_expr(x, out);
            }
        }
        ExprKind::Call { func, args } => {
            out.push(func.span);
            for x in args {
                spans_of_expr(x, out);
            }
        }
    }
}

/// Every span in an item.
fn spans_of_item(item: &Item) -> Vec<Span> {
    let mut out = Vec::new();
    match item {
        Item::Import(i) => out.push(i.path.span),
        Item::Schema(s) => {
            out.push(s.name.span);
            for f in &s.fields {
                out.extend([f.span, f.name.span]);
                out.extend(f.from.as_ref().map(|s| s.span));
                out.extend(f.key);
                spans_of_type(&f.ty, &mut out);
            }
        }
        Item::Situation(s) => {
            out.push(s.name.span);
            out.extend(s.title.as_ref().map(|t| t.span));
            out.extend(s.schema.as_ref().map(|t| t.span));
            for c in &s.clauses {
                match c {
                    SituationClause::Timeframe(t) => out.extend([t.span, t.start.span, t.end.span]),
                    SituationClause::Goal(g) => {
                        out.extend([g.span, g.name.span, g.metric.span()]);
                        spans_of_expr(&g.target, &mut out);
                        if let Some(f) = &g.filter {
                            spans_of_expr(f, &mut out);
                        }
                    }
                    SituationClause::Milestone(m) => {
                        out.extend([m.span, m.goal.span]);
                        spans_of_expr(&m.date, &mut out);
                        spans_of_expr(&m.target, &mut out);
                    }
                    SituationClause::Capability(c) => {
                        out.extend([c.span, c.name.span]);
                        spans_of_expr(&c.value, &mut out);
                    }
                }
            }
        }
        Item::Segment(s) => {
            out.push(s.name.span);
            spans_of_expr(&s.cond, &mut out);
        }
        Item::Profile(p) => {
            out.push(p.name.span);
            let criterion = |c: &icp_syntax::ast::Criterion, out: &mut Vec<Span>| {
                out.extend([c.span, c.name.span, c.weight.span]);
                match &c.body {
                    CriterionBody::Bool(e) => spans_of_expr(e, out),
                    CriterionBody::Scorecard { perfect, practical } => {
                        spans_of_expr(perfect, out);
                        if let Some(p) = practical {
                            spans_of_expr(p, out);
                        }
                    }
                }
            };
            for m in &p.members {
                match m {
                    ProfileMember::Target(t) => {
                        out.push(t.span);
                        out.extend(t.segments.iter().map(|s| s.span));
                    }
                    ProfileMember::PracticalShare(s) => spans_of_expr(&s.value, &mut out),
                    ProfileMember::Let(l) => {
                        out.extend([l.span, l.name.span]);
                        spans_of_expr(&l.value, &mut out);
                    }
                    ProfileMember::Group(g) => {
                        out.extend([g.span, g.name.span]);
                        g.criteria.iter().for_each(|c| criterion(c, &mut out));
                    }
                    ProfileMember::Criterion(c) => criterion(c, &mut out),
                    ProfileMember::Exclude(x) => {
                        out.extend([x.span, x.name.span]);
                        spans_of_expr(&x.cond, &mut out);
                    }
                    ProfileMember::Tier(t) => {
                        out.extend([t.span, t.name.span]);
                        if let TierRule::Threshold(e) | TierRule::When(e) = &t.rule {
                            spans_of_expr(e, &mut out);
                        }
                    }
                }
            }
        }
        Item::Test(t) => {
            out.push(t.name.span);
            for c in &t.clauses {
                match c {
                    TestClause::Profile(p) => out.push(p.span),
                    TestClause::AsOf(d) => out.push(d.span),
                    TestClause::Account(a) => {
                        out.push(a.span);
                        for f in &a.fields {
                            out.extend([f.span, f.name.span]);
                            spans_of_expr(&f.value, &mut out);
                        }
                    }
                    TestClause::Expect(e) => expect_spans(e, &mut out),
                    TestClause::Case(c) => {
                        out.extend([c.span, c.name.span]);
                        for f in &c.account.fields {
                            out.extend([f.span, f.name.span]);
                            spans_of_expr(&f.value, &mut out);
                        }
                        for e in &c.expects {
                            expect_spans(e, &mut out);
                        }
                    }
                    TestClause::CasesFrom(c) => out.extend([c.span, c.path.span]),
                }
            }
        }
    }
    out
}

fn expect_spans(e: &icp_syntax::ast::Expect, out: &mut Vec<Span>) {
    out.push(e.span);
    match &e.kind {
        ExpectKind::Tier(id)
        | ExpectKind::Reason(id)
        | ExpectKind::ExcludedBy(id)
        | ExpectKind::InSegment(id) => out.push(id.span),
        ExpectKind::Criterion(id, outcome) => {
            out.extend([id.span, outcome.span]);
        }
        ExpectKind::Action(s) => out.push(s.span),
        ExpectKind::Compare { metric, value, .. } => {
            out.push(match metric {
                ExpectMetric::Score(s) | ExpectMetric::Coverage(s) => *s,
                ExpectMetric::GroupScore(id) => id.span,
            });
            spans_of_expr(value, out);
        }
    }
}

/// The laws every parse obeys, whatever the input.
fn check_laws(src: &str) {
    let (parsed, tree) = icp_syntax::parse_with_tree(src);
    // Building the tree changes nothing else.
    let plain = parse(src);
    assert_eq!(plain.diagnostics, parsed.diagnostics);
    assert_eq!(plain.file, parsed.file);
    // Nor does lexing a few bytes at a time.
    for window in [1, 17] {
        let windowed =
            icp_syntax::parse_cached_windowed(src, &mut icp_syntax::ItemCache::new(), window);
        assert_eq!(plain.file, windowed.file, "window {window}");
        assert_eq!(plain.diagnostics, windowed.diagnostics, "window {window}");
    }
    for d in &parsed.diagnostics {
        assert!(
            d.span.start <= d.span.end && d.span.range().end <= src.len(),
            "{d:?}"
        );
        assert!(
            src.get(d.span.range()).is_some(),
            "not on a char boundary: {d:?}"
        );
        for l in &d.labels {
            assert!(src.get(l.span.range()).is_some(), "{l:?}");
        }
        assert!(!d.message.is_empty());
    }
    for item in &parsed.file.items {
        let outer = item.span();
        assert!(src.get(outer.range()).is_some());
        for s in spans_of_item(item) {
            assert!(
                outer.start <= s.start && s.start <= s.end && s.end <= outer.end,
                "{s:?} outside {outer:?} in {item:?}"
            );
        }
    }
    let _ = icp_syntax::tokens(src);
    // The lossless tree holds every byte; only broken input has error nodes.
    assert_eq!(tree.text().to_string(), src, "the tree is lossless");
    let errors = tree
        .descendants()
        .filter(|n| n.kind() == icp_syntax::SyntaxKind::ERROR)
        .count();
    if !parsed
        .diagnostics
        .iter()
        .any(icp_syntax::Diagnostic::is_error)
    {
        assert_eq!(errors, 0, "{tree:#?}");
    }
    assert!(errors <= parsed.file.broken.len(), "{tree:#?}");
    // An item parsed alone is the same item (spans aside): items are independent. An item
    // kept by recovery (a clause of it broken) is kept the same way when parsed alone.
    for item in &parsed.file.items {
        let outer = item.span();
        let recovered = parsed
            .diagnostics
            .iter()
            .any(|d| outer.start <= d.span.start && d.span.start <= outer.end);
        let alone = parse(item.span().text(src));
        if !recovered {
            assert!(alone.diagnostics.is_empty(), "{:?}", alone.diagnostics);
        }
        assert!(
            icp_syntax::same_shape(alone.file.items.as_slice(), std::slice::from_ref(item)),
            "{:?}
!=
{item:?}",
            alone.file.items
        );
    }
}

#[test]
fn language_md_spans_are_nested() {
    check_laws(PROGRAM);
    let parsed = parse(PROGRAM);
    // Every node is inside its item, and every item's text starts with its keyword.
    for item in &parsed.file.items {
        let text = item.span().text(PROGRAM);
        assert!(
            text.starts_with(item.keyword()),
            "{:?}: {text:?}",
            item.span()
        );
        assert!(!spans_of_item(item).is_empty());
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Insert(usize, char),
    Swap(usize, usize),
}

fn mutate(src: &str, muts: &[Mutation]) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for m in muts {
        let n = chars.len().max(1);
        match *m {
            Mutation::Delete(i) if !chars.is_empty() => {
                chars.remove(i % n);
            }
            Mutation::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Mutation::Swap(i, j) if !chars.is_empty() => chars.swap(i % n, j % n),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop::sample::select(vec![
        '{', '}', '(', ')', '[', ']', '"', '\\', '/', '\n', ' ', '.', ',', ':', '=', '<', '>', '-',
        '$', '%', '?', '0', '9', 'a', 'é', '😀',
    ]);
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), interesting).prop_map(|(i, c)| Mutation::Insert(i, c)),
        (any::<usize>(), any::<char>()).prop_map(|(i, c)| Mutation::Insert(i, c)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Mutation::Swap(i, j)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(src in ".{0,300}") {
        check_laws(&src);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check_laws(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn item_like_strings_never_panic(
        kw in prop::sample::select(vec!["segment s {", "profile p {", "schema A {", "test \"t\" {",
                                         "situation q {", "import "]),
        body in "[a-z0-9 {}()\\[\\]\"\\\\.,:=<>!?$%+*/\\-\n]{0,80}",
    ) {
        check_laws(&format!("{kw}{body}"));
    }

    #[test]
    fn mutations_of_the_language_md_program_never_panic(
        muts in prop::collection::vec(mutation(), 1..8)
    ) {
        check_laws(&mutate(PROGRAM, &muts));
    }
}

/// Every version parsed through one cache is what `parse` gives, spans and diagnostics
/// included, and an edit reparses only the items it touched.
fn cached_agrees(versions: &[String]) {
    let mut cache = icp_syntax::ItemCache::new();
    // The same, lexing a few bytes at a time (a window ends at a line start; one that ends
    // inside an item is extended).
    let mut windowed: Vec<(usize, icp_syntax::ItemCache)> = [1, 40, 300]
        .into_iter()
        .map(|w| (w, icp_syntax::ItemCache::new()))
        .collect();
    for v in versions {
        let cached = icp_syntax::parse_cached(v, &mut cache);
        let plain = parse(v);
        assert_eq!(cached.file, plain.file, "the tree of {v:?}");
        assert_eq!(
            cached.diagnostics, plain.diagnostics,
            "the diagnostics of {v:?}"
        );
        for (w, cache) in &mut windowed {
            let cached = icp_syntax::parse_cached_windowed(v, cache, *w);
            assert_eq!(cached.file, plain.file, "the tree of {v:?}, window {w}");
            assert_eq!(
                cached.diagnostics, plain.diagnostics,
                "the diagnostics of {v:?}, window {w}"
            );
        }
    }
}

#[test]
fn an_edit_reparses_the_items_it_touched() {
    let mut cache = icp_syntax::ItemCache::new();
    let first = parse(PROGRAM).file.items.len();
    icp_syntax::parse_cached(PROGRAM, &mut cache);
    assert_eq!(cache.last_parsed(), first);
    // Unchanged: nothing parsed again.
    icp_syntax::parse_cached(PROGRAM, &mut cache);
    assert_eq!(cache.last_parsed(), 0);
    // A word longer in the first schema: that item only, the others moved.
    let at = PROGRAM.find("schema").unwrap();
    let edited = format!(
        "{}{}",
        &PROGRAM[..at],
        PROGRAM[at..].replacen('{', "{\n  // more", 1)
    );
    let cached = icp_syntax::parse_cached(&edited, &mut cache);
    assert_eq!(cache.last_parsed(), 1);
    assert_eq!(cached.file, parse(&edited).file);
}

/// The pointer of an item's node (items are shared behind an `Arc`).
fn node_ptr(item: &icp_syntax::ast::Item) -> *const () {
    use icp_syntax::ast::Item;
    match item {
        Item::Import(x) => std::sync::Arc::as_ptr(x).cast(),
        Item::Schema(x) => std::sync::Arc::as_ptr(x).cast(),
        Item::Situation(x) => std::sync::Arc::as_ptr(x).cast(),
        Item::Segment(x) => std::sync::Arc::as_ptr(x).cast(),
        Item::Profile(x) => std::sync::Arc::as_ptr(x).cast(),
        Item::Test(x) => std::sync::Arc::as_ptr(x).cast(),
    }
}

#[test]
fn reused_items_are_shared_not_copied_and_the_cache_does_not_grow() {
    let mut cache = icp_syntax::ItemCache::new();
    let before = icp_syntax::parse_cached(PROGRAM, &mut cache);
    let items = cache.len();
    // An edit in the last item: every item above it is the same node, not a copy.
    let at = PROGRAM.rfind('}').unwrap();
    let mut prev = before;
    for k in 0..30 {
        let edited = format!("{}{}{}", &PROGRAM[..at], " ".repeat(k % 3), &PROGRAM[at..]);
        let now = icp_syntax::parse_cached(&edited, &mut cache);
        assert_eq!(now.file, parse(&edited).file);
        let n = now.file.items.len();
        for (a, b) in prev.file.items.iter().zip(&now.file.items).take(n - 1) {
            assert_eq!(
                node_ptr(a),
                node_ptr(b),
                "edit {k}: an untouched item was copied"
            );
        }
        assert_eq!(cache.len(), items, "edit {k}: the cache grew");
        prev = now;
    }
}

#[test]
fn every_example_edited_anywhere_agrees_with_parse() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let Ok(inner) = std::fs::read_dir(e.path()) else {
            continue;
        };
        files.extend(
            inner
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "icp")),
        );
    }
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap();
        // Insert a space, then a newline, then a brace at each tenth line start, in turn.
        let mut versions = vec![src.clone()];
        let starts: Vec<usize> = std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .step_by(10)
            .collect();
        for (k, at) in starts.into_iter().enumerate() {
            let insert = [" ", "\n", "}", "x"][k % 4];
            let last = versions.last().unwrap();
            let at = at.min(last.len());
            if last.is_char_boundary(at) {
                versions.push(format!("{}{insert}{}", &last[..at], &last[at..]));
            }
        }
        cached_agrees(&versions);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn cached_parses_of_successive_mutations_agree_with_parse(
        steps in prop::collection::vec(prop::collection::vec(mutation(), 1..4), 1..6)
    ) {
        let mut versions = vec![PROGRAM.to_owned()];
        for muts in &steps {
            let next = mutate(versions.last().unwrap(), muts);
            versions.push(next);
        }
        cached_agrees(&versions);
    }
}

#[test]
fn windows_of_every_size_agree_with_parse() {
    // What the cut between two windows must not change: an `import` in column 0 inside
    // braces with its path on the next line (an item only then), a header whose brace ends
    // its line, comments and blank lines where a window ends, a byte-order mark.
    let sources = [
        "segment s {\nimport\n\"x.icp\"\n}\nsegment t { a > 1 }\n",
        "segment s {\n  a > 1\nprofile p {\n}\n// c\n\n// d\nsegment t\n{ b }\n",
        "\u{FEFF}segment s { a }\n\n\n// x\nprofile p\nsegment u { c }\nmystery\n",
        "profile p {\n  criterion c weight 1 { a }\n  group g {\n}\nschema S {\n  a: int\n}\n",
    ];
    for src in sources {
        let plain = parse(src);
        for window in 1..=src.len() + 1 {
            let windowed =
                icp_syntax::parse_cached_windowed(src, &mut icp_syntax::ItemCache::new(), window);
            assert_eq!(windowed.file, plain.file, "{src:?}, window {window}");
            assert_eq!(
                windowed.diagnostics, plain.diagnostics,
                "{src:?}, window {window}"
            );
        }
    }
}
