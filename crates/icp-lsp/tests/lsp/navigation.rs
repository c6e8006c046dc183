//! Go to definition, references and rename across files.

use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    GotoDefinitionParams, GotoDefinitionResponse, PartialResultParams, PrepareRenameResponse,
    ReferenceContext, ReferenceParams, RenameParams, WorkDoneProgressParams,
};

use crate::common::{MAIN, SCHEMA, at, start};

#[tokio::test]
async fn definition_of_a_field_is_in_the_schema_file() {
    let h = start(&[
        ("schema.icp", SCHEMA),
        ("main.icp", &at(MAIN, "revenue >= $2M", 1)),
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

#[tokio::test]
async fn definition_of_a_segment_and_a_situation() {
    for (name, needle, delta) in [
        ("segment", "target mary_marketer", 10),
        ("situation", "in q1_2027", 5),
        ("tier", "expect tier ideal", 14),
    ] {
        let h = start(&[
            ("schema.icp", SCHEMA),
            ("main.icp", &at(MAIN, needle, delta)),
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
            panic!("no definition for {needle}: {res:?}")
        };
        insta::assert_snapshot!(
            name,
            format!(
                "{}{}",
                h.cursor_context(),
                h.show_range(&loc.uri, loc.range)
            )
        );
    }
}

#[tokio::test]
async fn references_across_files() {
    // The cursor on the field's declaration in the schema file; the main file is open too.
    let h = start(&[
        ("schema.icp", &at(SCHEMA, "employees:", 2)),
        ("main.icp", MAIN),
    ])
    .await;
    let res = h
        .backend()
        .references(ReferenceParams {
            text_document_position: h.position(),
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
            context: ReferenceContext {
                include_declaration: true,
            },
        })
        .await
        .unwrap()
        .unwrap();
    let lines: Vec<String> = res.iter().map(|l| h.show_range(&l.uri, l.range)).collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[tokio::test]
async fn rename_a_field_across_files() {
    let h = start(&[
        ("schema.icp", SCHEMA),
        ("main.icp", &at(MAIN, "employees in 10..1000 and", 3)),
    ])
    .await;
    let prep = h.backend().prepare_rename(h.position()).await.unwrap();
    let Some(PrepareRenameResponse::RangeWithPlaceholder { range, placeholder }) = prep else {
        panic!("cannot rename: {prep:?}")
    };
    assert_eq!(placeholder, "employees");
    assert_eq!(
        h.show_range(&h.doc().uri, range),
        "main.icp:12:3-12:12 `employees`"
    );
    let edit = h
        .backend()
        .rename(RenameParams {
            text_document_position: h.position(),
            new_name: "headcount".into(),
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await
        .unwrap()
        .unwrap();
    insta::assert_snapshot!(h.apply(&edit));
}

#[tokio::test]
async fn rename_refuses_keywords_and_bad_names() {
    let h = start(&[
        ("schema.icp", SCHEMA),
        ("main.icp", &at(MAIN, "segment owner_ollie", 9)),
    ])
    .await;
    for bad in ["and", "9lives", "has space", ""] {
        let res = h
            .backend()
            .rename(RenameParams {
                text_document_position: h.position(),
                new_name: bad.into(),
                work_done_progress_params: WorkDoneProgressParams::default(),
            })
            .await;
        assert!(res.is_err(), "`{bad}` was accepted");
    }
    // No rename on a keyword or in a comment.
    let h = start(&[
        ("schema.icp", SCHEMA),
        ("main.icp", &at(MAIN, "segment owner_ollie", 2)),
    ])
    .await;
    let why = h.backend().prepare_rename(h.position()).await.unwrap_err();
    assert!(why.message.starts_with("nothing to rename here"), "{why:?}");
}
