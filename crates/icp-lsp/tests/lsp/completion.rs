//! Completion in context, also in broken files and in the item being typed.

use std::fmt::Write as _;

use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    CompletionParams, CompletionResponse, PartialResultParams, WorkDoneProgressParams,
};

use crate::common::{SCHEMA, start};

/// Complete at the `$0` of `main` (with the brief's schema beside it) and render the
/// cursor's lines and the items.
async fn complete(main: &str) -> String {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", main)]).await;
    let res = h
        .backend()
        .completion(CompletionParams {
            text_document_position: h.position(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
            context: None,
        })
        .await
        .unwrap();
    let items = match res {
        Some(CompletionResponse::Array(items)) => items,
        Some(CompletionResponse::List(l)) => l.items,
        None => Vec::new(),
    };
    let mut out = h.cursor_context();
    out.push_str("-----\n");
    for it in items {
        let kind = it.kind.map(|k| format!("{k:?}")).unwrap_or_default();
        let _ = write!(out, "{kind:<14} {}", it.label);
        if let Some(d) = &it.detail {
            let _ = write!(out, "  ({d})");
        }
        out.push('\n');
    }
    out
}

const HEAD: &str = "import \"schema.icp\"\n";

#[tokio::test]
async fn top_level_offers_items_and_the_profile_skeleton() {
    insta::assert_snapshot!(complete(&format!("{HEAD}segment a {{ employees > 1 }}\n$0")).await);
}

#[tokio::test]
async fn types_after_colon_in_a_schema() {
    insta::assert_snapshot!(complete("schema S {\n  id: text key\n  size: $0\n}\n").await);
}

#[tokio::test]
async fn from_and_key_after_a_type() {
    insta::assert_snapshot!(complete("schema S {\n  id: text $0\n}\n").await);
}

#[tokio::test]
async fn profile_clauses_and_snippets() {
    insta::assert_snapshot!(
        complete(&format!("{HEAD}profile p {{\n  target big\n  $0\n}}\n")).await
    );
}

#[tokio::test]
async fn fields_with_types_in_a_criterion_being_typed() {
    // The profile does not parse (the criterion is unfinished): context from the tokens.
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}profile p {{\n  let rpe = revenue / employees\n  criterion c weight 10 {{ emp$0\n}}\n"
    ))
    .await);
}

#[tokio::test]
async fn operators_after_an_operand() {
    insta::assert_snapshot!(complete(&format!("{HEAD}segment s {{ employees $0 }}\n")).await);
}

#[tokio::test]
async fn variants_after_equals_on_an_enum_field() {
    insta::assert_snapshot!(complete(&format!("{HEAD}segment s {{ industry == $0 }}\n")).await);
}

#[tokio::test]
async fn variants_after_an_ordering_and_in_a_range() {
    insta::assert_snapshot!(complete(&format!("{HEAD}segment s {{ funding >= $0 }}\n")).await);
    insta::assert_snapshot!(
        complete(&format!("{HEAD}segment s {{ funding in seed..$0 }}\n")).await
    );
}

#[tokio::test]
async fn situation_members_include_the_timeframe_bounds() {
    insta::assert_snapshot!(
        complete(&format!(
            "{HEAD}situation q1 for Account {{\n  timeframe 2027-01-01 .. 2027-03-31\n  capability full_ui = false\n}}\nprofile p for Account in q1 {{\n  criterion c weight 1 {{ last_touch <= situation.$0 }}\n  tier all\n}}\n"
        ))
        .await
    );
}

#[tokio::test]
async fn variants_in_a_list_on_an_enum_field() {
    insta::assert_snapshot!(
        complete(&format!(
            "{HEAD}segment s {{ funding not in [seed, $0] }}\n"
        ))
        .await
    );
}

#[tokio::test]
async fn segments_after_target_in_a_broken_file() {
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}segment big \"Big\" {{ employees > 100 }}\nsegment small {{ employees < 10 }}\nsegment broken {{ employees > }}\nprofile p {{\n  target $0\n}}\n"
    ))
    .await);
}

#[tokio::test]
async fn situations_after_in_in_a_profile_header() {
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}situation q1 \"First quarter\" {{\n  timeframe 2027-01-01 .. 2027-03-31\n}}\nprofile p for Account in $0\n"
    ))
    .await);
}

#[tokio::test]
async fn schemas_after_for() {
    insta::assert_snapshot!(complete(&format!("{HEAD}segment s for $0\n")).await);
}

#[tokio::test]
async fn criterion_clauses() {
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}profile p {{\n  criterion size weight 20 {{\n    perfect when employees > 100\n    $0\n  }}\n  tier a\n}}\n"
    ))
    .await);
}

#[tokio::test]
async fn weight_after_a_criterion_name() {
    insta::assert_snapshot!(
        complete(&format!(
            "{HEAD}profile p {{\n  criterion size \"Size\" $0\n}}\n"
        ))
        .await
    );
}

#[tokio::test]
async fn group_scores_in_a_tier_condition() {
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}profile p {{\n  group able {{\n    criterion c weight 10 {{ employees > 1 }}\n  }}\n  tier a when score.$0\n}}\n"
    ))
    .await);
}

#[tokio::test]
async fn capabilities_after_situation_dot() {
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}situation q1 {{\n  capability full_ui = false\n  capability sso = true\n}}\nprofile p in q1 {{\n  exclude e {{ not situation.$0 }}\n}}\n"
    ))
    .await);
}

#[tokio::test]
async fn clauses_of_a_test() {
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}profile p {{\n  criterion c weight 10 {{ employees > 1 }}\n  tier a\n}}\ntest \"t\" {{\n  $0\n}}\n"
    ))
    .await);
}

#[tokio::test]
async fn profiles_after_profile_in_a_test() {
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}profile p \"The P\" {{\n  criterion c weight 10 {{ employees > 1 }}\n  tier a\n}}\nprofile q {{\n  tier b\n}}\ntest \"t\" {{\n  profile $0\n}}\n"
    ))
    .await);
}

#[tokio::test]
async fn tiers_after_expect_tier() {
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}profile p {{\n  criterion c weight 10 {{ employees > 1 }}\n  tier ideal \"Call today\" >= 80\n  tier rest\n}}\ntest \"t\" {{\n  profile p\n  expect tier $0\n}}\n"
    ))
    .await);
}

#[tokio::test]
async fn account_fields_and_values_in_a_test() {
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}profile p {{\n  criterion c weight 10 {{ employees > 1 }}\n  tier a\n}}\ntest \"t\" {{\n  profile p\n  account {{ id: \"a\", $0 }}\n}}\n"
    ))
    .await);
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}profile p {{\n  criterion c weight 10 {{ employees > 1 }}\n  tier a\n}}\ntest \"t\" {{\n  profile p\n  account {{ id: \"a\", industry: $0 }}\n}}\n"
    ))
    .await);
}

#[tokio::test]
async fn situation_clauses_and_goals() {
    insta::assert_snapshot!(complete(&format!(
        "{HEAD}situation q1 {{\n  goal wins count >= 3 where stage == won\n  milestone 2027-01-31 $0\n}}\n"
    ))
    .await);
}

#[tokio::test]
async fn nothing_in_comments_and_strings() {
    insta::assert_snapshot!(complete(&format!("{HEAD}segment s \"a $0 title\" {{ employees > 1 }}\n")).await, @r#"
    import "schema.icp"
    segment s "a $0 title" { employees > 1 }
    -----
    "#);
    insta::assert_snapshot!(complete(&format!("{HEAD}// a comment $0\nsegment s {{ employees > 1 }}\n")).await, @r#"
    import "schema.icp"
    // a comment $0
    segment s { employees > 1 }
    -----
    "#);
}
