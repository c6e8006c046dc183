//! Hover: fields, criteria (weight and share), segments, exclusions, enums, keywords.

use std::fmt::Write as _;

use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{HoverContents, HoverParams, WorkDoneProgressParams};

use crate::common::{MAIN, SCHEMA, at, start};

async fn hover(main: &str) -> String {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", main)]).await;
    let res = h
        .backend()
        .hover(HoverParams {
            text_document_position_params: h.position(),
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await
        .unwrap();
    let mut out = h.cursor_context();
    out.push_str("-----\n");
    match res {
        Some(hv) => {
            if let HoverContents::Markup(m) = hv.contents {
                out.push_str(&m.value);
            }
            if let Some(r) = hv.range {
                let _ = write!(out, "\n----- range {}", h.show_range(&h.doc().uri, r));
            }
        }
        None => out.push_str("(no hover)"),
    }
    out
}

#[tokio::test]
async fn field_type_column_and_optionality() {
    insta::assert_snapshot!(hover(&at(MAIN, "revenue >= $2M", 2)).await);
}

#[tokio::test]
async fn enum_field_lists_its_variants() {
    insta::assert_snapshot!(hover(&at(MAIN, "funding == public", 0)).await);
}

#[tokio::test]
async fn variant_shows_its_enum() {
    insta::assert_snapshot!(hover(&at(MAIN, "== public", 4)).await);
}

#[tokio::test]
async fn criterion_weight_and_share() {
    insta::assert_snapshot!(hover(&at(MAIN, "criterion budget", 11)).await);
}

#[tokio::test]
async fn negative_criterion_subtracts() {
    insta::assert_snapshot!(hover(&at(MAIN, "criterion legacy_tool", 12)).await);
}

#[tokio::test]
async fn segment_definition_at_a_reference() {
    insta::assert_snapshot!(hover(&at(MAIN, "target mary_marketer", 9)).await);
}

#[tokio::test]
async fn exclusion_definition() {
    insta::assert_snapshot!(hover(&at(MAIN, "exclude no_marketer", 9)).await);
}

#[tokio::test]
async fn keyword_help() {
    insta::assert_snapshot!(hover(&at(MAIN, "practical_share 50%", 3)).await);
}

#[tokio::test]
async fn nothing_in_a_comment() {
    let src = format!("{MAIN}// employees are people $0\n");
    insta::assert_snapshot!(hover(&src).await);
}

#[tokio::test]
async fn ordered_enum_field_lists_its_variants_in_order() {
    let main = "schema Company {\n  id: text key\n  round: enum { seed = \"Seed\" < series_a < later }?\n}\n";
    insta::assert_snapshot!(hover(&at(main, "round:", 0)).await);
}
