//! The client's settings: `initializationOptions` and `workspace/didChangeConfiguration`
//! (`sample`, `today`, `codeLens`, `inlayHints`).

use icp_syntax::Date;
use serde_json::json;
use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    CodeLensParams, DidChangeConfigurationParams, InitializeParams, InlayHintParams,
    PartialResultParams, Range, TextDocumentIdentifier, WorkDoneProgressParams,
};

use crate::common::{Harness, SCHEMA, pos, start_with, uri};
use crate::sample::ACCOUNTS;

const PROFILE: &str = r#"import "schema.icp"

profile p "P" {
  criterion rich "Rich" weight 10 { revenue >= $2M }
  tier good >= 40
  tier rest
}
"#;

/// Two accounts only: figures from this file say "sample: 2 accounts".
const OTHER: &str = "\
Record ID,Company name,industry,Number of Employees,marketers,Annual Revenue,country,funding,Technologies,Intent,Last touch,stage,arr
1,Acme,Software,120,2,$5M,US,seed,HubSpot,80%,2027-01-02,open,
2,Beta,Software,30,1,,US,none,HubSpot,,,,
";

async fn harness(options: Option<serde_json::Value>) -> Harness {
    let init = InitializeParams {
        initialization_options: options,
        ..InitializeParams::default()
    };
    start_with(
        &[
            ("icp.toml", "[lsp]\nsample = \"accounts.csv\"\n"),
            ("accounts.csv", ACCOUNTS),
            ("other.csv", OTHER),
            ("schema.icp", SCHEMA),
            ("main.icp", PROFILE),
        ],
        |_| true,
        init,
    )
    .await
}

/// The titles of `main.icp`'s code lenses.
async fn lens_titles(h: &Harness) -> Vec<String> {
    h.backend()
        .code_lens(CodeLensParams {
            text_document: TextDocumentIdentifier {
                uri: uri("main.icp"),
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap()
        .unwrap_or_default()
        .into_iter()
        .map(|l| l.command.unwrap().title)
        .collect()
}

async fn hint_count(h: &Harness) -> usize {
    h.backend()
        .inlay_hint(InlayHintParams {
            text_document: TextDocumentIdentifier {
                uri: uri("main.icp"),
            },
            range: Range {
                start: pos(0, 0),
                end: pos(100, 0),
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await
        .unwrap()
        .unwrap_or_default()
        .len()
}

async fn configure(h: &Harness, settings: serde_json::Value) {
    h.backend()
        .did_change_configuration(DidChangeConfigurationParams { settings })
        .await;
}

fn head(titles: &[String]) -> Option<&str> {
    titles
        .iter()
        .find(|t| t.starts_with("sample:"))
        .map(String::as_str)
}

#[tokio::test]
async fn without_settings_icp_toml_decides() {
    let h = harness(None).await;
    let titles = lens_titles(&h).await;
    assert_eq!(
        head(&titles),
        Some("sample: 7 accounts · 1 invalid"),
        "{titles:?}"
    );
    assert_eq!(hint_count(&h).await, 1);
}

#[tokio::test]
async fn initialization_options_choose_the_sample() {
    let h = harness(Some(json!({"icp": {"sample": "other.csv"}}))).await;
    let titles = lens_titles(&h).await;
    assert_eq!(head(&titles), Some("sample: 2 accounts"), "{titles:?}");
}

#[tokio::test]
async fn an_empty_sample_turns_the_figures_off() {
    let h = harness(Some(json!({"sample": ""}))).await;
    let titles = lens_titles(&h).await;
    assert_eq!(head(&titles), None, "{titles:?}");
}

#[tokio::test]
async fn did_change_configuration_switches_sample_lenses_and_hints() {
    let h = harness(None).await;
    assert!(head(&lens_titles(&h).await).is_some());

    configure(&h, json!({"icp": {"sample": "other.csv"}})).await;
    assert_eq!(head(&lens_titles(&h).await), Some("sample: 2 accounts"));

    configure(&h, json!({"codeLens": false, "inlayHints": false})).await;
    assert!(lens_titles(&h).await.is_empty());
    assert_eq!(hint_count(&h).await, 0);

    // A key left out goes back to its default: icp.toml's sample, lenses and hints on.
    configure(&h, json!({})).await;
    assert_eq!(
        head(&lens_titles(&h).await),
        Some("sample: 7 accounts · 1 invalid")
    );
    assert_eq!(hint_count(&h).await, 1);
}

#[tokio::test]
async fn today_overrides_the_date_of_every_check() {
    let h = harness(Some(json!({"today": "2030-06-01"}))).await;
    let a = h.backend().world().analysis(&uri("main.icp")).unwrap();
    assert_eq!(Some(a.today), Date::from_ymd(2030, 6, 1));

    configure(&h, json!({"today": "2031-02-03"})).await;
    let a = h.backend().world().analysis(&uri("main.icp")).unwrap();
    assert_eq!(Some(a.today), Date::from_ymd(2031, 2, 3));

    // Without the setting, the server's own date (the harness fixes 2027-01-15).
    configure(&h, serde_json::Value::Null).await;
    let a = h.backend().world().analysis(&uri("main.icp")).unwrap();
    assert_eq!(Some(a.today), Date::from_ymd(2027, 1, 15));
}

#[tokio::test]
async fn bad_settings_keep_the_defaults() {
    let h = harness(Some(
        json!({"today": "soon", "codeLens": "no", "codelens": false}),
    ))
    .await;
    assert!(head(&lens_titles(&h).await).is_some());
    let a = h.backend().world().analysis(&uri("main.icp")).unwrap();
    assert_eq!(Some(a.today), Date::from_ymd(2027, 1, 15));
}
