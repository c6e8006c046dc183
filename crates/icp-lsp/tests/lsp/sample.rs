//! Data-aware code lenses from the sample accounts named in `icp.toml`.

use std::fmt::Write as _;

use tower_lsp_server::LanguageServer;
use tower_lsp_server::ls_types::{
    CodeLensParams, PartialResultParams, TextDocumentIdentifier, WorkDoneProgressParams,
};

use crate::common::{SCHEMA, start, uri};

const PROFILE: &str = r#"import "schema.icp"

segment mid "Mid-market" { employees in 10..1000 }

profile p "P" {
  target mid
  criterion size "Size" weight 20 {
    perfect   when employees in 50..200
    practical when employees in 10..1000
  }
  criterion rich "Rich" weight 10 { revenue >= $2M }
  criterion crm "CRM" weight 10 { tech contains "HubSpot" }
  exclude agencies "Agencies" { industry == agency }
  tier ideal >= 70
  tier good >= 40
  tier rest
}
"#;

pub const ACCOUNTS: &str = "\
Record ID,Company name,industry,Number of Employees,marketers,Annual Revenue,country,funding,Technologies,Intent,Last touch,stage,arr
1,Acme,Software,120,2,$5M,US,seed,HubSpot;Salesforce,80%,2027-01-02,open,
2,Beta,Software,30,1,,US,none,HubSpot,,,,
3,Gamma,agency,60,1,$3M,FR,seed,,,,,
4,Delta,Financial Services,5,0,$100k,DE,none,,,,,
5,Eps,Software,150,3,36.9 M,US,series_a,Marketo,50,,,
6,Zeta,Software,not a number,1,$1M,US,seed,,,,,
7,Eta,Software,800,4,N/A,US,later,HubSpot,,,,
";

/// A project whose icp.toml names the sample behind the lenses.
const WITH_SAMPLE: &[(&str, &str)] = &[
    ("icp.toml", "[lsp]\nsample = \"accounts.csv\"\n"),
    ("accounts.csv", ACCOUNTS),
    ("schema.icp", SCHEMA),
    ("main.icp", PROFILE),
];

/// The code lenses of `main.icp`, a line each: the source line, then the lens title.
pub async fn lenses(files: &[(&str, &str)]) -> String {
    let h = start(files).await;
    let res = h
        .backend()
        .code_lens(CodeLensParams {
            text_document: TextDocumentIdentifier {
                uri: uri("main.icp"),
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        })
        .await
        .unwrap()
        .unwrap_or_default();
    let text = &h.texts[&uri("main.icp")];
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for l in res {
        let line = lines
            .get(l.range.start.line as usize)
            .copied()
            .unwrap_or("")
            .trim();
        let _ = writeln!(out, "{:<44} ▸ {}", line, l.command.unwrap().title);
    }
    out
}

#[tokio::test]
async fn sample_figures_per_criterion_segment_exclusion_and_tier() {
    let out = lenses(WITH_SAMPLE).await;
    insta::assert_snapshot!(out);
}

#[tokio::test]
async fn no_sample_no_lenses_and_a_missing_sample_says_so() {
    let none = lenses(&[("schema.icp", SCHEMA), ("main.icp", PROFILE)]).await;
    assert_eq!(none, "");
    let missing = lenses(&[
        ("icp.toml", "[lsp]\nsample = \"nowhere.csv\"\n"),
        ("schema.icp", SCHEMA),
        ("main.icp", PROFILE),
    ])
    .await;
    insta::assert_snapshot!(missing, @"import \"schema.icp\"                          ▸ sample `nowhere.csv`: no such file");
}

async fn lens_list(h: &crate::common::Harness) -> Vec<tower_lsp_server::ls_types::CodeLens> {
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
}

#[tokio::test]
async fn lenses_run_a_command_and_follow_the_sample_on_disk() {
    use tower_lsp_server::ls_types::{
        DidChangeWatchedFilesParams, ExecuteCommandParams, FileChangeType, FileEvent,
    };
    let h = start(WITH_SAMPLE).await;
    let before = lens_list(&h).await;
    assert!(!before.is_empty());
    let explain = icp_lsp::features::explain::EXPLAIN;
    for l in before
        .iter()
        .filter(|l| l.command.as_ref().unwrap().command != explain)
    {
        let c = l.command.clone().unwrap();
        assert_eq!(c.command, icp_lsp::features::hints::SHOW_FIGURES);
        assert_eq!(
            c.arguments,
            Some(vec![serde_json::Value::String(c.title.clone())])
        );
        let run = h
            .backend()
            .execute_command(ExecuteCommandParams {
                command: c.command.clone(),
                arguments: c.arguments.clone().unwrap(),
                work_done_progress_params: WorkDoneProgressParams::default(),
            })
            .await;
        assert_eq!(run.unwrap(), None);
    }
    let unknown = h
        .backend()
        .execute_command(ExecuteCommandParams {
            command: "icp.nothing".into(),
            arguments: Vec::new(),
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await;
    assert!(unknown.is_err());
    // The sample grows by one account on disk: the figures follow.
    let more = format!("{ACCOUNTS}8,Theta,Software,100,2,$9M,US,seed,HubSpot,,,,\n");
    h.disk
        .write(format!("{}/accounts.csv", crate::common::ROOT), more);
    h.backend()
        .did_change_watched_files(DidChangeWatchedFilesParams {
            changes: vec![FileEvent {
                uri: uri("accounts.csv"),
                typ: FileChangeType::CHANGED,
            }],
        })
        .await;
    let after = lens_list(&h).await;
    let titles = |ls: &[tower_lsp_server::ls_types::CodeLens]| -> Vec<String> {
        ls.iter()
            .map(|l| l.command.clone().unwrap().title)
            .collect()
    };
    assert_ne!(titles(&before), titles(&after));
    assert!(
        titles(&after).iter().any(|t| t.contains("8 ")),
        "{:?}",
        titles(&after)
    );
}

#[tokio::test]
async fn an_explain_lens_on_each_profile_explains_the_first_accounts() {
    use tower_lsp_server::ls_types::ExecuteCommandParams;
    let h = start(WITH_SAMPLE).await;
    let lenses = lens_list(&h).await;
    let explain: Vec<_> = lenses
        .iter()
        .filter_map(|l| l.command.clone())
        .filter(|c| c.command == icp_lsp::features::explain::EXPLAIN)
        .collect();
    assert_eq!(explain.len(), 1, "one profile, one lens: {lenses:?}");
    let c = &explain[0];
    assert_eq!(
        c.arguments,
        Some(vec![
            serde_json::Value::String(uri("main.icp").as_str().to_owned()),
            serde_json::Value::String("p".to_owned()),
        ])
    );
    let out = h
        .backend()
        .execute_command(ExecuteCommandParams {
            command: c.command.clone(),
            arguments: c.arguments.clone().unwrap(),
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await
        .unwrap()
        .unwrap();
    let text = out["text"].as_str().unwrap();
    // Acme, Beta and Gamma (an agency: excluded); never Delta, the fourth.
    assert!(text.contains("account 3 (line 4)"), "{text}");
    assert!(!text.contains("account 4"), "{text}");
    insta::assert_snapshot!(text);

    // An unknown profile says so, as the result's text.
    let out = h
        .backend()
        .execute_command(ExecuteCommandParams {
            command: c.command.clone(),
            arguments: vec![
                serde_json::Value::String(uri("main.icp").as_str().to_owned()),
                serde_json::Value::String("nope".to_owned()),
            ],
            work_done_progress_params: WorkDoneProgressParams::default(),
        })
        .await
        .unwrap()
        .unwrap();
    assert!(
        out["text"].as_str().unwrap().contains("no profile `nope`"),
        "{out}"
    );
}

#[tokio::test]
async fn no_sample_no_explain_lens() {
    let h = start(&[("schema.icp", SCHEMA), ("main.icp", PROFILE)]).await;
    assert!(lens_list(&h).await.is_empty());
}
