//! The test harness: a memory project, a `Backend` driven directly, `$0` cursors.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use icp_lsp::project::MemoryDisk;
use icp_lsp::{Backend, Settings};
use icp_syntax::Date;
use tower_lsp_server::LanguageServer;
use tower_lsp_server::LspService;
use tower_lsp_server::ls_types::{
    DidOpenTextDocumentParams, InitializeParams, InitializedParams, Position, Range,
    TextDocumentIdentifier, TextDocumentItem, TextDocumentPositionParams, TextEdit, Uri,
    WorkspaceEdit,
};

/// The schema of the language brief.
pub const SCHEMA: &str = r#"schema Account {
  id:         text     from "Record ID" key
  name:       text     from "Company name"
  industry:   enum { saas = "Software", fintech = "Financial Services", agency, other = _ }
  employees:  int      from "Number of Employees"
  marketers:  int?                              // `?` = may be missing
  revenue:    money?   from "Annual Revenue"
  country:    text
  funding:    enum { none, seed, series_a, series_b, later, public }
  tech:       set<text> from "Technologies"
  intent:     percent? from "Intent"
  last_touch: date?    from "Last touch"
  stage:      enum { open, won, lost, churned }?
  arr:        money?
}
"#;

/// The rest of the language brief's example, importing the schema.
pub const MAIN: &str = r#"import "schema.icp"

situation q1_2027 "Mid-market push" for Account {
  timeframe 2027-01-01 .. 2027-03-31
  goal new_customers count >= 25 where stage == won
  goal new_arr sum(arr) >= $100k where stage == won
  milestone 2027-01-31 new_arr >= $34k
  capability full_ui = false
}

segment mary_marketer "Marketers at companies of 10-1000 employees" {
  employees in 10..1000 and marketers >= 1
}
segment owner_ollie "Owners of businesses under 10 employees, no full-time marketer" {
  employees < 10 and (marketers ?? 0) == 0
}

profile mid_market "Mid-market marketing teams" for Account in q1_2027 {
  target mary_marketer
  practical_share 50%

  let revenue_per_employee = revenue / employees

  group ready "Ready" {
    criterion urgent_need "Shows buying intent" weight 15 { intent >= 70% }
  }
  group able "Able" {
    criterion size "Company size" weight 20 {
      perfect   when employees in 50..200
      practical when employees in 10..1000
    }
    criterion budget "Can afford us" weight 25 { revenue >= $2M }
    criterion efficient "Revenue per head" weight 5 { revenue_per_employee >= $100k }
  }
  criterion stack "Uses a CRM we integrate with" weight 10 {
    tech contains any ["HubSpot", "Salesforce"]
  }
  criterion recent "Touched this quarter" weight 10 { last_touch >= today - 90d }
  criterion legacy_tool "Locked into a competitor" weight -10 { tech contains "Marketo" }

  exclude no_marketer "No full-time marketer" { marketers == 0 }
  exclude needs_ui "Needs a full UI we do not have" {
    not situation.full_ui and funding == public
  }

  tier ideal     >= 80
  tier practical >= 50
  tier not_fit
}

test "a 120-person SaaS with two marketers is ideal" {
  profile mid_market
  as_of 2027-01-15
  account { id: "a1", name: "Acme", industry: saas, employees: 120, marketers: 2,
            revenue: $5M, country: "US", funding: series_a, tech: ["HubSpot"],
            intent: 80%, last_touch: 2027-01-02 }
  expect tier ideal
  expect score >= 80
}
"#;

/// The project root of every test project.
pub const ROOT: &str = "/proj";

/// A started server on a memory project.
pub struct Harness {
    pub service: LspService<Backend>,
    /// Each file's text, by URI (the `$0` marker removed).
    pub texts: BTreeMap<Uri, String>,
    /// Where `$0` was, if anywhere.
    pub cursor: Option<(Uri, usize)>,
    /// The files on "disk".
    pub disk: MemoryDisk,
}

pub fn uri(path: &str) -> Uri {
    Uri::from_file_path(format!("{ROOT}/{path}")).unwrap()
}

/// The `initialize` parameters of a client like VS Code: snippets, no workspace folder.
pub fn snippet_client() -> InitializeParams {
    serde_json::from_value(serde_json::json!({
        "capabilities": { "textDocument": { "completion": { "completionItem": { "snippetSupport": true } } } }
    }))
    .unwrap()
}

/// Start a server on `files` (paths relative to the root, one of which may hold `$0`) and
/// open every `.icp` file.
pub async fn start(files: &[(&str, &str)]) -> Harness {
    start_with(files, |_| true, snippet_client()).await
}

/// [`start`], initialized with `init`, opening only the `.icp` files `open` accepts (the
/// others are on disk only).
pub async fn start_with(
    files: &[(&str, &str)],
    open: impl Fn(&str) -> bool,
    init: InitializeParams,
) -> Harness {
    let disk = MemoryDisk::default();
    let mut texts = BTreeMap::new();
    let mut to_open = Vec::new();
    let mut cursor = None;
    for (path, text) in files {
        let (text, at) = match text.find("$0") {
            Some(i) => (text.replacen("$0", "", 1), Some(i)),
            None => ((*text).to_owned(), None),
        };
        disk.write(format!("{ROOT}/{path}"), text.clone());
        if let Some(at) = at {
            cursor = Some((uri(path), at));
        }
        if std::path::Path::new(path)
            .extension()
            .is_some_and(|e| e == "icp")
        {
            if open(path) {
                to_open.push(uri(path));
            }
            texts.insert(uri(path), text);
        }
    }
    let settings = Settings {
        loader: Arc::new(disk.clone()),
        today: Date::from_ymd(2027, 1, 15),
        debounce: Duration::from_millis(1),
        // Tests ask right after an edit: wait for the check (a loaded machine is slow).
        request_wait: Duration::from_mins(1),
        list: disk.lister(),
    };
    let (service, _socket) =
        LspService::new(move |client| Backend::with_settings(client, settings));
    let h = Harness {
        service,
        texts,
        cursor,
        disk,
    };
    h.backend().initialize(init).await.unwrap();
    h.backend().initialized(InitializedParams {}).await;
    for u in &to_open {
        let text = &h.texts[u];
        h.backend()
            .did_open(DidOpenTextDocumentParams {
                text_document: TextDocumentItem {
                    uri: u.clone(),
                    language_id: "icp".into(),
                    version: 1,
                    text: text.clone(),
                },
            })
            .await;
    }
    h
}

impl Harness {
    pub fn backend(&self) -> &Backend {
        self.service.inner()
    }

    /// The cursor as an LSP position.
    pub fn position(&self) -> TextDocumentPositionParams {
        let (u, at) = self.cursor.clone().expect("a `$0` cursor");
        let text = &self.texts[&u];
        let t = icp_lsp::text::Text::new(text.clone());
        TextDocumentPositionParams {
            text_document: TextDocumentIdentifier { uri: u },
            position: t.position(at),
        }
    }

    pub fn doc(&self) -> TextDocumentIdentifier {
        TextDocumentIdentifier {
            uri: self.cursor.clone().map_or_else(|| uri("main.icp"), |c| c.0),
        }
    }

    /// The file name of a URI, relative to the root.
    pub fn name(u: &Uri) -> String {
        u.as_str().rsplit_once(ROOT).map_or_else(
            || u.as_str().to_owned(),
            |(_, p)| p.trim_start_matches('/').to_owned(),
        )
    }

    /// `file:line:col` and the text a range covers.
    pub fn show_range(&self, u: &Uri, r: Range) -> String {
        let text = self.texts.get(u).cloned().unwrap_or_default();
        let t = icp_lsp::text::Text::new(text);
        let span = t.span(r);
        format!(
            "{}:{}:{}-{}:{} `{}`",
            Self::name(u),
            r.start.line + 1,
            r.start.character + 1,
            r.end.line + 1,
            r.end.character + 1,
            span.text(&t.src)
        )
    }

    /// The source around the cursor (its line and the one above and below), `$0` marked.
    pub fn cursor_context(&self) -> String {
        let Some((u, at)) = self.cursor.clone() else {
            return String::new();
        };
        let text = &self.texts[&u];
        let mut marked = text.clone();
        marked.insert_str(at, "$0");
        let line = text[..at].matches('\n').count();
        let mut out = String::new();
        for (_, l) in marked
            .lines()
            .enumerate()
            .filter(|(i, _)| i + 1 >= line && *i <= line + 1)
        {
            out.push_str(l);
            out.push('\n');
        }
        out
    }

    /// Apply a workspace edit to the texts; returns the changed files, rendered.
    pub fn apply(&self, edit: &WorkspaceEdit) -> String {
        let mut out = String::new();
        let changes = edit.changes.clone().unwrap_or_default();
        let mut changes: Vec<(Uri, Vec<TextEdit>)> = changes.into_iter().collect();
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        for (u, edits) in changes {
            let mut text =
                icp_lsp::text::Text::new(self.texts.get(&u).cloned().unwrap_or_default());
            let mut edits = edits;
            edits.sort_by_key(|e| std::cmp::Reverse((e.range.start.line, e.range.start.character)));
            for e in edits {
                text.apply(
                    &[tower_lsp_server::ls_types::TextDocumentContentChangeEvent {
                        range: Some(e.range),
                        range_length: None,
                        text: e.new_text,
                    }],
                );
            }
            let _ = write!(out, "----- {}\n{}", Self::name(&u), text.src);
        }
        out
    }
}

/// A position at `line`, `character` (0-based).
pub fn pos(line: u32, character: u32) -> Position {
    Position { line, character }
}

/// `src` with `$0` inserted `delta` bytes after the first `needle`.
pub fn at(src: &str, needle: &str, delta: usize) -> String {
    let i = src
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the source"))
        + delta;
    let mut s = src.to_owned();
    s.insert_str(i, "$0");
    s
}

impl Harness {
    /// Replace a document's whole text (as a `didChange` without a range).
    pub async fn replace(&mut self, u: &Uri, version: i32, text: &str) {
        use tower_lsp_server::ls_types::{
            DidChangeTextDocumentParams, TextDocumentContentChangeEvent,
            VersionedTextDocumentIdentifier,
        };
        self.backend()
            .did_change(DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier {
                    uri: u.clone(),
                    version,
                },
                content_changes: vec![TextDocumentContentChangeEvent {
                    range: None,
                    range_length: None,
                    text: text.to_owned(),
                }],
            })
            .await;
        self.texts.insert(u.clone(), text.to_owned());
    }
}
