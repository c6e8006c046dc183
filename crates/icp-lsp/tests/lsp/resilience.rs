//! Recovery below the item, as the editor sees it: with one clause of a profile broken
//! (`criterion x wei`, typed half-way), hover, go to definition, document symbols, inlay
//! hints and code lenses keep working on the profile's other clauses.

use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, HoverContents, HoverParams, InlayHintLabel, InlayHintParams,
    PartialResultParams, Range, TextDocumentIdentifier, WorkDoneProgressParams,
};

use crate::common::{MAIN, SCHEMA, at, pos, start, uri};

/// MAIN with a criterion being typed inside the profile.
fn broken() -> String {
    MAIN.replacen(
        "  criterion legacy_tool",
        "  criterion x wei\n  criterion legacy_tool",
        1,
    )
}

#[tokio::test]
async fn hover_on_the_other_clauses() {
    for (needle, delta) in [("revenue >= $2M", 1), ("criterion budget", 12)] {
        let h = start(&[
            ("schema.icp", SCHEMA),
            ("main.icp", &at(&broken(), needle, delta)),
        ])
        .await;
        let res = h
            .backend()
            .hover(HoverParams {
                text_document_position_params: h.position(),
                work_done_progress_params: WorkDoneProgressParams::default(),
            })
            .await
            .unwrap();
        let Some(hv) = res else {
            panic!("no hover at {needle} with a broken clause")
        };
        let HoverContents::Markup(m) = hv.contents else {
            panic!("{hv:?}")
        };
        assert!(!m.value.is_empty(), "{needle}");
    }
}

#[tokio::test]
async fn definition_from_the_other_clauses() {
    let h = start(&[
        ("schema.icp", SCHEMA),
        ("main.icp", &at(&broken(), "tech contains \"Marketo\"", 1)),
    ])
    .await;
    let res = h
        .backend()
        .goto_definition(GotoDefinitionParams {
            text_document_position_params: h.position(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap();
    let Some(GotoDefinitionResponse::Scalar(loc)) = res else {
        panic!("no definition: {res:?}")
    };
    insta::assert_snapshot!(format!(
        "{}{}",
        h.cursor_context(),
        h.show_range(&loc.uri, loc.range)
    ));
}

fn names(out: &mut Vec<String>, syms: &[DocumentSymbol], path: &str) {
    for s in syms {
        let p = format!("{path}/{}", s.name);
        out.push(p.clone());
        names(out, s.children.as_deref().unwrap_or_default(), &p);
    }
}

async fn symbols(main: &str) -> Vec<String> {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", main)]).await;
    let res = h
        .backend()
        .document_symbol(DocumentSymbolParams {
            text_document: TextDocumentIdentifier {
                uri: uri("main.icp"),
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap();
    let Some(DocumentSymbolResponse::Nested(syms)) = res else {
        panic!("{res:?}")
    };
    let mut out = Vec::new();
    names(&mut out, &syms, "");
    out
}

#[tokio::test]
async fn document_symbols_keep_the_other_clauses() {
    let whole = symbols(MAIN).await;
    let with_broken = symbols(&broken()).await;
    assert!(whole.iter().any(|s| s.contains("legacy_tool")), "{whole:?}");
    // Every symbol of the intact file is still there; the broken clause adds at most its own.
    let missing: Vec<&String> = whole.iter().filter(|s| !with_broken.contains(s)).collect();
    assert!(
        missing.is_empty(),
        "lost with one broken clause: {missing:?}"
    );
}

async fn hints(main: &str) -> Vec<String> {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", main)]).await;
    let res = h
        .backend()
        .inlay_hint(InlayHintParams {
            text_document: TextDocumentIdentifier {
                uri: uri("main.icp"),
            },
            range: Range {
                start: pos(0, 0),
                end: pos(10_000, 0),
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await
        .unwrap()
        .unwrap_or_default();
    let text = &h.texts[&uri("main.icp")];
    let lines: Vec<&str> = text.lines().collect();
    res.into_iter()
        .map(|hint| {
            let label = match hint.label {
                InlayHintLabel::String(s) => s,
                InlayHintLabel::LabelParts(p) => p.into_iter().map(|x| x.value).collect(),
            };
            let line = lines
                .get(hint.position.line as usize)
                .copied()
                .unwrap_or("")
                .trim();
            format!("{line} ▸ {label}")
        })
        .collect()
}

#[tokio::test]
async fn inlay_hints_keep_the_other_clauses() {
    let whole = hints(MAIN).await;
    assert!(!whole.is_empty());
    let with_broken = hints(&broken()).await;
    assert_eq!(whole, with_broken);
}

async fn lenses(main: &str) -> Vec<String> {
    crate::sample::lenses(&[
        ("icp.toml", "[lsp]\nsample = \"accounts.csv\"\n"),
        ("accounts.csv", crate::sample::ACCOUNTS),
        ("schema.icp", SCHEMA),
        ("main.icp", main),
    ])
    .await
    .lines()
    .map(str::to_owned)
    .collect()
}

#[tokio::test]
async fn code_lenses_keep_the_other_clauses() {
    let whole = lenses(MAIN).await;
    assert!(
        whole.iter().any(|l| l.contains("criterion legacy_tool")),
        "{whole:?}"
    );
    let with_broken = lenses(&broken()).await;
    let criteria: Vec<&String> = whole.iter().filter(|l| l.contains("criterion")).collect();
    for c in criteria {
        assert!(
            with_broken.contains(c),
            "no lens on `{c}` with a broken clause: {with_broken:?}"
        );
    }
}
