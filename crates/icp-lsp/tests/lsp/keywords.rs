//! The server's keywords come from `icp_syntax`'s lists (which `icp-syntax`'s
//! `tests/keywords.rs` checks against the grammar): every keyword has hover help, and
//! completion offers each context's keywords, no more and no fewer.

use std::collections::BTreeSet;

use icp_lsp::features::completion::{Context, complete, locate};
use icp_lsp::features::keywords::{HELP, help};
use icp_lsp::text::Text;
use tower_lsp_server::ls_types::{CompletionItem, CompletionItemKind};

const HELP_PATH: &str = "crates/icp-lsp/src/features/keywords.rs";
const COMPLETION_PATH: &str = "crates/icp-lsp/src/features/completion.rs";

/// Names that have help but are not keywords: `today`, the date of the run.
const BUILTINS: &[&str] = &["today"];

#[test]
fn every_keyword_has_hover_help() {
    let mut problems = Vec::new();
    for (name, list) in icp_syntax::KEYWORD_LISTS {
        for w in *list {
            if help(w).is_none() {
                problems.push(format!(
                    "`{w}` (icp_syntax::{name}) has no hover help: add it to HELP in {HELP_PATH}"
                ));
            }
        }
    }
    let mut seen = BTreeSet::new();
    for (w, _) in HELP {
        if !icp_syntax::is_keyword(w) && !BUILTINS.contains(w) {
            problems.push(format!(
                "{HELP_PATH} has help for `{w}`, which is in no list of crates/icp-syntax/src/lexer.rs (the lexer never marks it a keyword, so hover never shows it)"
            ));
        }
        if !seen.insert(*w) {
            problems.push(format!("{HELP_PATH} has help for `{w}` twice"));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// The completion items at `$0` of `src`, with no project (no names: keywords only).
fn items_at(src: &str) -> (Context, Vec<CompletionItem>) {
    let offset = src.find("$0").unwrap();
    let src = src.replace("$0", "");
    let text = Text::new(src.clone());
    let pos = text.position(offset);
    let context = locate(&src, offset).context;
    (context, complete(&text, None, &[], pos))
}

/// The first word of every keyword-like item (`perfect when` gives `perfect`).
fn keyword_words(items: &[CompletionItem]) -> BTreeSet<String> {
    items
        .iter()
        .filter(|it| {
            matches!(
                it.kind,
                Some(CompletionItemKind::KEYWORD | CompletionItemKind::TYPE_PARAMETER)
            )
        })
        .filter_map(|it| it.label.split(' ').next().map(str::to_owned))
        .collect()
}

fn labels(items: &[CompletionItem]) -> BTreeSet<String> {
    items.iter().map(|it| it.label.clone()).collect()
}

fn set(words: &[&str]) -> BTreeSet<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// `(where, source with $0, expected context, the list completion must offer, its name,
/// whether to compare every label (else the keyword items only))`.
type Case = (
    &'static str,
    &'static str,
    fn(&Context) -> bool,
    &'static [&'static str],
    &'static str,
    bool,
);

#[test]
fn completion_offers_each_contexts_keywords() {
    let cases: &[Case] = &[
        (
            "at the top level",
            "segment a { x > 1 }\n$0",
            |c| *c == Context::TopLevel,
            icp_syntax::ITEM_KEYWORDS,
            "ITEM_KEYWORDS",
            false,
        ),
        (
            "in a situation body",
            "situation q {\n  $0\n}\n",
            |c| matches!(c, Context::ClauseStart(_)),
            icp_syntax::SITUATION_CLAUSES,
            "SITUATION_CLAUSES",
            false,
        ),
        (
            "in a profile body",
            "profile p {\n  target a\n  $0\n}\n",
            |c| matches!(c, Context::ClauseStart(_)),
            icp_syntax::PROFILE_MEMBERS,
            "PROFILE_MEMBERS",
            false,
        ),
        (
            "in a test body",
            "test \"t\" {\n  $0\n}\n",
            |c| matches!(c, Context::ClauseStart(_)),
            icp_syntax::TEST_CLAUSES,
            "TEST_CLAUSES",
            false,
        ),
        (
            "at a field's type",
            "schema S {\n  x: $0\n}\n",
            |c| *c == Context::Type,
            icp_syntax::TYPE_NAMES,
            "TYPE_NAMES",
            true,
        ),
        (
            "after a field's type",
            "schema S {\n  x: text $0\n}\n",
            |c| *c == Context::AfterType,
            icp_syntax::FIELD_KEYWORDS,
            "FIELD_KEYWORDS",
            true,
        ),
        (
            "in a profile's header",
            "profile p $0",
            |c| matches!(c, Context::Header { .. }),
            icp_syntax::HEADER_KEYWORDS,
            "HEADER_KEYWORDS",
            true,
        ),
        (
            "after `expect`",
            "test \"t\" {\n  expect $0\n}\n",
            |c| *c == Context::Expect,
            icp_syntax::EXPECT_FORMS,
            "EXPECT_FORMS",
            true,
        ),
    ];
    let mut problems = Vec::new();
    for (place, src, context_ok, want, name, all) in cases {
        let (context, items) = items_at(src);
        assert!(context_ok(&context), "{place}: {src:?} is {context:?}");
        let have = if *all {
            labels(&items)
        } else {
            keyword_words(&items)
        };
        let want = set(want);
        for w in want.difference(&have) {
            problems.push(format!(
                "completion {place} does not offer `{w}` (icp_syntax::{name}): see {COMPLETION_PATH}"
            ));
        }
        for w in have.difference(&want) {
            problems.push(format!(
                "completion {place} offers `{w}`, which is not in icp_syntax::{name}: see {COMPLETION_PATH}"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn completion_in_expressions_offers_every_expression_keyword() {
    let operand = items_at("segment s { x > 1 and $0 }\n");
    let operator = items_at("segment s { x $0 }\n");
    assert!(
        matches!(operand.0, Context::Expr { operand: true, .. }),
        "{:?}",
        operand.0
    );
    assert!(
        matches!(operator.0, Context::Expr { operand: false, .. }),
        "{:?}",
        operator.0
    );
    // `not in`, `contains any`, `is missing`: every word of the label counts.
    let offered: BTreeSet<String> = operand
        .1
        .iter()
        .chain(&operator.1)
        .filter(|it| it.kind == Some(CompletionItemKind::KEYWORD))
        .flat_map(|it| it.label.split(' ').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let mut problems = Vec::new();
    for w in icp_syntax::EXPR_KEYWORDS {
        if !offered.contains(*w) {
            problems.push(format!(
                "completion in an expression never offers `{w}` (icp_syntax::EXPR_KEYWORDS): see expr_items in {COMPLETION_PATH}"
            ));
        }
    }
    for w in &offered {
        if !icp_syntax::is_keyword(w) && !BUILTINS.contains(&w.as_str()) {
            problems.push(format!(
                "completion in an expression offers the keyword `{w}`, which is in no list of crates/icp-syntax/src/lexer.rs"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}
