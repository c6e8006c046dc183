//! The [`Backend`]: the `LanguageServer` implementation. Handlers take a snapshot of the
//! [`World`] and call the feature functions; nothing here panics on a bad request, and a
//! panic inside a feature is caught and turned into an empty answer.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use icp_check::Loader;
use icp_syntax::Date;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    self as lsp, CodeActionParams, CodeActionProviderCapability, CodeActionResponse, CodeLens,
    CodeLensOptions, CodeLensParams, CompletionOptions, CompletionParams, CompletionResponse,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, DocumentSymbolParams, DocumentSymbolResponse, FoldingRange,
    FoldingRangeParams, FoldingRangeProviderCapability, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverParams, HoverProviderCapability, InitializeParams,
    InitializeResult, InitializedParams, InlayHint, InlayHintParams, Location, OneOf,
    PrepareRenameResponse, ReferenceParams, RenameOptions, RenameParams, SemanticTokensFullOptions,
    SemanticTokensOptions, SemanticTokensParams, SemanticTokensResult,
    SemanticTokensServerCapabilities, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri, WorkDoneProgressOptions, WorkspaceEdit,
    WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::world::{Analysis, World};
use crate::{features, project};

/// How the server is set up (tests fix the loader, the date and the debounce).
#[derive(Clone)]
pub struct Settings {
    /// Reads files (the file system by default).
    pub loader: Arc<dyn Loader + Send + Sync>,
    /// Today's date; `None` reads the clock.
    pub today: Option<Date>,
    /// How long to wait after an edit before checking (later edits restart the wait).
    pub debounce: Duration,
    /// How long a request waits for the check of the document's current version before it
    /// is answered with `ContentModified` (the check goes on off the message loop).
    pub request_wait: Duration,
    /// Lists the `.icp` files of a project root (the file system by default).
    pub list: project::Lister,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            loader: Arc::new(project::FsLoader),
            today: None,
            debounce: Duration::from_millis(50),
            request_wait: Duration::from_millis(500),
            list: project::fs_lister(),
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("today", &self.today)
            .field("debounce", &self.debounce)
            .field("request_wait", &self.request_wait)
            .finish_non_exhaustive()
    }
}

/// The language server.
#[derive(Debug, Clone)]
pub struct Backend {
    pub(crate) client: Client,
    pub(crate) world: Arc<World>,
    /// Held while publishing, so a stale check never publishes after a newer one.
    publish: Arc<tokio::sync::Mutex<()>>,
    debounce: Duration,
    /// When each document last changed (the first change after a quiet spell is checked at
    /// once; changes in a burst wait for the burst to end).
    last_change: Arc<std::sync::Mutex<std::collections::HashMap<Uri, std::time::Instant>>>,
    /// The latest check task of each document (see [`Backend::schedule`]).
    tickets: Arc<std::sync::Mutex<std::collections::HashMap<Uri, u64>>>,
    next_ticket: Arc<std::sync::atomic::AtomicU64>,
    /// The client asks to be told when code lenses change (sample figures).
    lens_refresh: Arc<std::sync::atomic::AtomicBool>,
    /// The client asks to be told when inlay hints change (the `inlayHints` setting).
    hint_refresh: Arc<std::sync::atomic::AtomicBool>,
    /// See [`Settings::request_wait`].
    request_wait: Duration,
    /// Signalled when a check ends.
    checked: Arc<tokio::sync::Notify>,
    /// Documents with a check started for a request and not yet done.
    requested: Arc<std::sync::Mutex<std::collections::HashSet<Uri>>>,
    /// `shutdown` was received.
    shut_down: Arc<std::sync::atomic::AtomicBool>,
    /// `initialize` was received.
    initialized: Arc<std::sync::atomic::AtomicBool>,
    /// The client accepts snippets in completion items.
    snippets: Arc<std::sync::atomic::AtomicBool>,
    /// The project model: see [`crate::workspace`].
    pub(crate) projects: Arc<crate::workspace::Projects>,
    /// What `initializationOptions` held that was ignored, shown once `initialized`.
    config_warnings: Arc<std::sync::Mutex<Vec<String>>>,
    /// Failed expectations of the tests last run through a lens, per document, with the
    /// revision of the text they ran on (published with the check's diagnostics until
    /// the text changes).
    test_results: Arc<std::sync::Mutex<std::collections::HashMap<Uri, TestResults>>>,
    /// Where the checks of open documents run ([`crate::check_thread`]).
    check_thread: Arc<crate::check_thread::CheckThread>,
    /// The big text-sync notifications the transport guard took out ([`crate::framing::Stash`]).
    stash: Arc<crate::framing::Stash>,
}

/// The revision a document's tests ran on, and each test's failures by name.
type TestResults = (
    u64,
    std::collections::BTreeMap<String, Vec<lsp::Diagnostic>>,
);

/// Run `f`, turning a panic into `None` (logged on stderr): a bug in one feature must never
/// kill the server.
pub fn guard<T>(what: &str, f: impl FnOnce() -> Option<T>) -> Option<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        eprintln!("icp lsp: internal error in {what}; answering nothing");
        None
    })
}

impl Backend {
    /// A server with the default settings (files from disk, today from the clock).
    pub fn new(client: Client) -> Self {
        Self::with_settings(client, Settings::default())
    }

    /// A server with the given settings.
    pub fn with_settings(client: Client, settings: Settings) -> Self {
        Self {
            client,
            world: Arc::new(World::new(settings.loader.clone(), settings.today)),
            publish: Arc::new(tokio::sync::Mutex::new(())),
            debounce: settings.debounce,
            last_change: Arc::default(),
            lens_refresh: Arc::default(),
            hint_refresh: Arc::default(),
            tickets: Arc::default(),
            next_ticket: Arc::default(),
            request_wait: settings.request_wait,
            checked: Arc::default(),
            requested: Arc::default(),
            shut_down: Arc::default(),
            initialized: Arc::default(),
            snippets: Arc::default(),
            projects: Arc::new(crate::workspace::Projects::new(settings.list)),
            config_warnings: Arc::default(),
            test_results: Arc::default(),
            check_thread: Arc::default(),
            stash: Arc::default(),
        }
    }

    /// The server, handling the notifications the transport guard puts in `stash`.
    #[must_use]
    pub fn with_stash(mut self, stash: Arc<crate::framing::Stash>) -> Self {
        self.stash = stash;
        self
    }

    /// A big `didOpen` or `didChange` the transport guard took out of the stream
    /// ([`crate::framing::Stash`]), handled in its place.
    pub async fn stashed(&self, params: crate::framing::StashKey) {
        match self.stash.take(params.key) {
            Some(crate::framing::Stashed::Open(p)) => self.did_open(p).await,
            Some(crate::framing::Stashed::Change(p)) => self.did_change(p).await,
            None => {}
        }
    }

    /// Whether `initialize` was received (requests are answered from then on).
    pub fn is_initialized(&self) -> bool {
        self.initialized.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether `shutdown` was received (`exit` without it is an error: exit code 1).
    pub fn has_shut_down(&self) -> bool {
        self.shut_down.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Wait until a check ends (or a short while: a check run by someone else is not
    /// always signalled).
    async fn check_ended(&self) {
        let _ = tokio::time::timeout(Duration::from_millis(20), self.checked.notified()).await;
    }

    /// The analysis of the document's current version, for a request: checked off the
    /// message loop and waited for at most [`Settings::request_wait`], so that a long check
    /// never makes the server deaf; `Err(ContentModified)` if it is not ready by then,
    /// `Ok(None)` for a document that is not open.
    async fn current(&self, uri: &Uri) -> Result<Option<Arc<Analysis>>> {
        let deadline = tokio::time::Instant::now() + self.request_wait;
        loop {
            if let Some(a) = self.world.fresh(uri) {
                return Ok(Some(a));
            }
            if self.world.version(uri).is_none() {
                return Ok(None);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(tower_lsp_server::jsonrpc::Error::content_modified());
            }
            self.request_check(uri);
            let notified = self.checked.notified();
            if let Some(a) = self.world.fresh(uri) {
                return Ok(Some(a));
            }
            let _ = tokio::time::timeout_at(
                deadline.min(tokio::time::Instant::now() + Duration::from_millis(20)),
                notified,
            )
            .await;
        }
    }

    /// Start a check of the document's current version on a blocking thread, unless one
    /// is running or was started for a request already.
    fn request_check(&self, uri: &Uri) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.world.is_checking(uri) {
            return;
        }
        let fresh = self
            .requested
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(uri.clone());
        if !fresh {
            return;
        }
        let this = self.clone();
        let uri = uri.clone();
        rt.spawn(async move {
            let world = this.world.clone();
            let world_is_open = world.is_open(&uri);
            let u = uri.clone();
            let check = move || guard("check", || world.analysis(&u));
            if world_is_open {
                let _ = this.check_thread.run(check).await;
            } else {
                let _ = tokio::task::spawn_blocking(check).await;
            }
            this.requested
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&uri);
            this.checked.notify_waiters();
        });
    }

    /// Answer a frame the transport guard refused ([`crate::framing`]) with its error.
    #[expect(clippy::unused_async, reason = "tower-lsp-server handlers are async")]
    pub async fn invalid_message(
        &self,
        refusal: crate::framing::Refusal,
    ) -> Result<serde_json::Value> {
        Err(tower_lsp_server::jsonrpc::Error {
            code: refusal.code.into(),
            message: refusal.message.into(),
            data: None,
        })
    }

    /// The state: open documents and analyses.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The LSP diagnostics of a document's current version (what would be published).
    pub fn diagnostics(&self, uri: &Uri) -> Option<(i32, Vec<lsp::Diagnostic>)> {
        let world = self.world.clone();
        let uri = uri.clone();
        guard("diagnostics", move || {
            let a = world.analysis(&uri)?;
            Some((a.version, features::diagnostics(&a)))
        })
    }

    /// Check the document after the debounce and publish its diagnostics, unless its text
    /// changed meanwhile (the new text's own task then publishes). `revision` names the
    /// text ([`World::revision`]), never the version number, which a client may reuse.
    pub(crate) fn schedule(&self, uri: Uri, revision: u64, delay: Duration) {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        // Only the latest task of a document publishes: older ones give up.
        let ticket = {
            let mut tickets = self
                .tickets
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let next = self
                .next_ticket
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                + 1;
            tickets.insert(uri.clone(), next);
            next
        };
        let this = self.clone();
        rt.spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            // One check per document at a time: while one runs, wait for it here (without
            // holding a thread); by then a newer edit may have made this task moot.
            loop {
                if this.world.revision(&uri) != Some(revision) || !this.is_latest(&uri, ticket) {
                    return;
                }
                if !this.world.is_checking(&uri) {
                    break;
                }
                this.check_ended().await;
            }
            // Files that are not open are checked in the background, a few at a time.
            let open = this.world.is_open(&uri);
            let _permit = if open {
                None
            } else {
                this.projects.background.clone().acquire_owned().await.ok()
            };
            if this.world.revision(&uri) != Some(revision) || !this.is_latest(&uri, ticket) {
                return;
            }
            let world = this.world.clone();
            let u = uri.clone();
            let check = move || {
                guard("check", move || {
                    let a = world.analysis(&u)?;
                    let diags = features::diagnostics(&a);
                    Some((a, diags))
                })
            };
            // Open documents on the check thread; files that are not open on the blocking
            // pool, a few at a time.
            let computed = if open {
                this.check_thread.run(check).await.ok_or(())
            } else {
                tokio::task::spawn_blocking(check).await.map_err(|_| ())
            };
            this.checked.notify_waiters();
            let Ok(Some((analysis, diags))) = computed else {
                return;
            };
            let held = this.publish.lock().await;
            if analysis.revision != revision
                || this.world.revision(&uri) != Some(revision)
                || !this.is_latest(&uri, ticket)
            {
                return;
            }
            let version = analysis.open.then_some(analysis.version);
            let diags = this.with_test_results(&uri, revision, diags);
            this.client.publish_diagnostics(uri, diags, version).await;
            drop(held);
            if analysis.open && analysis.config.sample.is_some() {
                // Tally the sample now, off the message loop, so the editor's next code
                // lens request finds the figures ready.
                let world = this.world.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    guard("sample", || {
                        Some(features::sample::figures(&analysis, world.loader()).len())
                    })
                })
                .await;
                if this.lens_refresh.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = this.client.code_lens_refresh().await;
                }
            }
        });
    }

    /// Publish no diagnostics for a document that left the world (its pending checks
    /// give up).
    pub(crate) fn clear(&self, uri: Uri) {
        self.tickets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&uri);
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let this = self.clone();
        rt.spawn(async move {
            let _held = this.publish.lock().await;
            this.client.publish_diagnostics(uri, Vec::new(), None).await;
        });
    }

    fn is_latest(&self, uri: &Uri, ticket: u64) -> bool {
        let tickets = self
            .tickets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tickets.get(uri) == Some(&ticket)
    }

    /// Re-check the other open documents that read the changed one (an edit may change
    /// what they import).
    fn refresh_others(&self, changed: &Uri) {
        if let Some(path) = self.world.path(changed) {
            self.refresh_readers(changed, &path);
        }
    }

    /// Re-check the documents, open or not (but `changed`), that read `path`.
    pub(crate) fn refresh_readers(&self, changed: &Uri, path: &std::path::Path) {
        for uri in self.world.all_uris() {
            if &uri != changed
                && self.world.reads(&uri, path)
                && let Some(r) = self.world.revision(&uri)
            {
                self.schedule_refresh(uri, r);
            }
        }
    }

    /// Like [`Backend::schedule`] for a document whose text did not change: publish
    /// unless its own text moved on (then its own task publishes).
    pub(crate) fn schedule_refresh(&self, uri: Uri, revision: u64) {
        self.schedule(uri, revision, self.debounce * 2);
    }

    /// The analyses of every other document of the world, open or not, once the projects
    /// being loaded are loaded ([`Backend::current`]).
    async fn other_analyses(&self, uri: &Uri) -> Result<Vec<Arc<Analysis>>> {
        self.projects.loaded(self.request_wait).await;
        let mut out = Vec::new();
        for u in self.world.all_uris() {
            if &u != uri
                && let Some(a) = self.current(&u).await?
            {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// `diags` and the failures of the tests run on this revision of the document (those
    /// of an older text are dropped).
    fn with_test_results(
        &self,
        uri: &Uri,
        revision: u64,
        mut diags: Vec<lsp::Diagnostic>,
    ) -> Vec<lsp::Diagnostic> {
        let mut results = self
            .test_results
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match results.get(uri) {
            Some((r, by_test)) if *r == revision => {
                diags.extend(by_test.values().flatten().cloned());
            }
            Some(_) => {
                results.remove(uri);
            }
            None => {}
        }
        diags
    }

    /// `icp.runTest`: run a test (or every test of the document) and publish its failures.
    async fn run_test_command(
        &self,
        arguments: &[serde_json::Value],
    ) -> Result<Option<serde_json::Value>> {
        let uri = arguments
            .first()
            .and_then(serde_json::Value::as_str)
            .and_then(|s| s.parse::<Uri>().ok())
            .ok_or_else(|| {
                tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                    "`{}` takes the document's URI, then the test's name",
                    features::run::RUN_TEST
                ))
            })?;
        let name = arguments.get(1).and_then(serde_json::Value::as_str);
        let Some(a) = self.current(&uri).await? else {
            return Ok(None);
        };
        let Some(run) = guard("runTest", || Some(features::run::run_tests(&a, name))) else {
            return Ok(None);
        };
        {
            let mut results = self
                .test_results
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let entry = results.entry(uri.clone()).or_default();
            if entry.0 != a.revision {
                *entry = (a.revision, std::collections::BTreeMap::new());
            }
            for t in &run.ran {
                entry.1.remove(t);
            }
            for d in &run.diagnostics {
                let test = run
                    .ran
                    .iter()
                    .find(|t| d.message.starts_with(&format!("test `{t}` failed")))
                    .cloned()
                    .unwrap_or_default();
                entry.1.entry(test).or_default().push(d.clone());
            }
        }
        if self.world.revision(&uri) == Some(a.revision) {
            let held = self.publish.lock().await;
            let diags = self.with_test_results(&uri, a.revision, features::diagnostics(&a));
            let version = a.open.then_some(a.version);
            self.client.publish_diagnostics(uri, diags, version).await;
            drop(held);
        }
        self.client
            .show_message(lsp::MessageType::INFO, &run.summary)
            .await;
        Ok(Some(serde_json::json!({
            "ran": run.ran,
            "passed": run.passed,
            "failed": run.ran.len() - run.passed,
            "summary": run.summary,
        })))
    }

    /// `icp.explain`: explain the sample's first accounts under a profile; the text is the
    /// result and is shown as a message.
    async fn explain_command(
        &self,
        arguments: &[serde_json::Value],
    ) -> Result<Option<serde_json::Value>> {
        let bad = || {
            tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "`{}` takes the document's URI, then the profile's name",
                features::explain::EXPLAIN
            ))
        };
        let uri = arguments
            .first()
            .and_then(serde_json::Value::as_str)
            .and_then(|s| s.parse::<Uri>().ok())
            .ok_or_else(bad)?;
        let name = arguments
            .get(1)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(bad)?
            .to_owned();
        let Some(a) = self.current(&uri).await? else {
            return Ok(None);
        };
        let world = self.world.clone();
        let text = tokio::task::spawn_blocking(move || {
            guard("explain", || {
                Some(features::explain::explain(&a, world.loader(), &name))
            })
        })
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| Err("the explanation failed; see the server's log".to_owned()));
        let (kind, text) = match text {
            Ok(t) => (lsp::MessageType::INFO, t),
            Err(why) => (lsp::MessageType::WARNING, why),
        };
        self.client.show_message(kind, &text).await;
        Ok(Some(serde_json::json!({ "text": text })))
    }

    /// Show each settings warning to the user (on a task of its own: a client that does
    /// not read its messages must not hold the handler up).
    fn warn(&self, warnings: Vec<String>) {
        if warnings.is_empty() {
            return;
        }
        let client = self.client.clone();
        tokio::spawn(async move {
            for w in warnings {
                client.show_message(lsp::MessageType::WARNING, w).await;
            }
        });
    }

    /// Run a feature over the document's current analysis ([`Backend::current`]).
    async fn with_analysis<T>(
        &self,
        what: &str,
        uri: &Uri,
        f: impl FnOnce(&Analysis) -> Option<T>,
    ) -> Result<Option<T>> {
        let Some(a) = self.current(uri).await? else {
            return Ok(None);
        };
        Ok(guard(what, || f(&a)))
    }
}

/// The capabilities the server announces.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                will_save: None,
                will_save_wait_until: None,
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), ":".into(), "[".into(), " ".into()]),
            resolve_provider: Some(false),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                work_done_progress_options: WorkDoneProgressOptions::default(),
                legend: features::semantic::legend(),
                range: Some(false),
                full: Some(SemanticTokensFullOptions::Bool(true)),
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        document_highlight_provider: Some(OneOf::Left(true)),
        document_link_provider: Some(lsp::DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        selection_range_provider: Some(lsp::SelectionRangeProviderCapability::Simple(true)),
        execute_command_provider: Some(lsp::ExecuteCommandOptions {
            commands: vec![
                features::hints::SHOW_FIGURES.to_owned(),
                features::run::RUN_TEST.to_owned(),
                features::explain::EXPLAIN.to_owned(),
            ],
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        ..ServerCapabilities::default()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        self.initialized
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let refresh = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false);
        self.lens_refresh
            .store(refresh, std::sync::atomic::Ordering::Relaxed);
        let hints = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|c| c.refresh_support)
            .unwrap_or(false);
        self.hint_refresh
            .store(hints, std::sync::atomic::Ordering::Relaxed);
        self.projects.initialize(&params);
        if let Some(options) = &params.initialization_options {
            let (config, warnings) = crate::config::parse(options);
            self.world.set_client_config(config);
            *self
                .config_warnings
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = warnings;
        }
        let snippets = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false);
        self.snippets
            .store(snippets, std::sync::atomic::Ordering::Relaxed);
        Ok(InitializeResult {
            capabilities: capabilities(),
            server_info: Some(ServerInfo {
                name: "icp".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.projects.initialized(self);
        let warnings = std::mem::take(
            &mut *self
                .config_warnings
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        self.warn(warnings);
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        let (config, warnings) = crate::config::parse(&params.settings);
        let lenses_or_hints = {
            let old = self.world.client_config();
            old.code_lens != config.code_lens || old.inlay_hints != config.inlay_hints
        };
        if self.world.set_client_config(config) {
            // The date or the sample changed: every figure, lint and lens is recomputed.
            for u in self.world.all_uris() {
                if let Some(r) = self.world.revision(&u) {
                    self.schedule_refresh(u, r);
                }
            }
        } else if lenses_or_hints {
            if self.lens_refresh.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = self.client.code_lens_refresh().await;
            }
            if self.hint_refresh.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = self.client.inlay_hint_refresh().await;
            }
        }
        self.warn(warnings);
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.world.open(doc.uri.clone(), doc.version, doc.text);
        if let Some(r) = self.world.revision(&doc.uri) {
            self.schedule(doc.uri.clone(), r, Duration::ZERO);
        }
        self.refresh_others(&doc.uri);
        self.projects.load_for(self, &doc.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        if self
            .world
            .change(&uri, version, &params.content_changes)
            .is_some()
        {
            let now = project::now();
            let previous = self
                .last_change
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(uri.clone(), now);
            let quiet = previous.is_none_or(|p| now.duration_since(p) >= self.debounce);
            let delay = if quiet { Duration::ZERO } else { self.debounce };
            if let Some(r) = self.world.revision(&uri) {
                self.schedule(uri.clone(), r, delay);
            }
            self.refresh_others(&uri);
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        if self.world.is_open(&uri) {
            // The buffer is what was saved: its readers may now read it from disk.
            self.refresh_others(&uri);
        } else {
            // Not open here: what is on disk is news.
            self.projects.disk_changed(self, &uri, false);
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let path = self.world.path(&uri);
        // A file of a loaded project stays, as it is on disk.
        let disk = path.as_deref().and_then(|p| self.projects.read(self, p));
        let stays = disk.is_some();
        self.world.close(&uri, disk);
        // Its readers now read the file on disk.
        if let Some(path) = path {
            self.refresh_readers(&uri, &path);
        }
        self.last_change
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&uri);
        if stays && let Some(r) = self.world.revision(&uri) {
            self.schedule(uri, r, Duration::ZERO);
            return;
        }
        self.tickets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&uri);
        let _held = self.publish.lock().await;
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        self.projects.watched(self, params.changes);
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position;
        let uri = pos.text_document.uri;
        let Some(snap) = self.world.snapshot(&uri) else {
            return Ok(None);
        };
        // Names come from the latest check (whatever its version: no need to wait for the
        // check of this one) and the last good one; when the text changed outside the item
        // being edited since that check, from a fresh parse of the current text first.
        let latest = match self.world.latest(&uri) {
            Some(a) => Some(a),
            None => self.current(&uri).await.ok().flatten(),
        };
        let last_good = self.world.last_good(&uri);
        let offset = snap.text.offset(pos.position);
        let confined = latest.as_ref().is_some_and(|a| {
            features::completion::edit_within_item(&a.text.src, &snap.text.src, offset)
        });
        let world = self.world.clone();
        let parsed = if confined {
            None
        } else {
            guard("parse", || world.parsed(&uri))
        };
        let snippets = self.snippets.load(std::sync::atomic::Ordering::Relaxed);
        let items = guard("completion", || {
            let mut items = features::completion::complete(
                &snap.text,
                parsed.as_deref(),
                &[latest.as_deref(), last_good.as_deref()],
                pos.position,
            );
            if !snippets {
                features::completion::without_snippets(&mut items);
            }
            Some(items)
        });
        Ok(items.map(CompletionResponse::Array))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.with_analysis("hover", &p.text_document.uri, |a| {
            features::hover::hover(a, p.position)
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.with_analysis("definition", &p.text_document.uri, |a| {
            features::nav::definition(a, p.position).map(GotoDefinitionResponse::Scalar)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        let Some(a) = self.current(&p.text_document.uri).await? else {
            return Ok(None);
        };
        let others = self.other_analyses(&p.text_document.uri).await?;
        let others: Vec<&Analysis> = others.iter().map(|o| &**o).collect();
        Ok(guard("references", || {
            features::nav::references_in(&a, &others, p.position, include)
        }))
    }

    async fn prepare_rename(
        &self,
        p: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        match self
            .with_analysis("prepareRename", &p.text_document.uri, |a| {
                Some(features::nav::prepare_rename(a, p.position))
            })
            .await?
        {
            Some(Ok(r)) => Ok(Some(r)),
            Some(Err(why)) => Err(tower_lsp_server::jsonrpc::Error::invalid_params(why)),
            None => Ok(None),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let Some(a) = self.current(&p.text_document.uri).await? else {
            return Ok(None);
        };
        let others = self.other_analyses(&p.text_document.uri).await?;
        let others: Vec<&Analysis> = others.iter().map(|o| &**o).collect();
        match guard("rename", || {
            Some(features::nav::rename_in(
                &a,
                &others,
                p.position,
                &params.new_name,
            ))
        }) {
            Some(Ok(edit)) => Ok(edit),
            Some(Err(why)) => Err(tower_lsp_server::jsonrpc::Error::invalid_params(why)),
            None => Ok(None),
        }
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.with_analysis("documentSymbol", &params.text_document.uri, |a| {
            Some(DocumentSymbolResponse::Nested(
                features::nav::document_symbols(a),
            ))
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        self.projects.loaded(self.request_wait).await;
        for uri in self.world.all_uris() {
            // A document whose check is not ready yet is left out.
            let found = self
                .with_analysis("workspaceSymbol", &uri, |a| {
                    Some(features::nav::workspace_symbols(a, &params.query))
                })
                .await;
            for s in found.ok().flatten().unwrap_or_default() {
                let OneOf::Left(loc) = &s.location else {
                    continue;
                };
                let key = (
                    s.name.clone(),
                    loc.uri.clone(),
                    loc.range.start.line,
                    loc.range.start.character,
                );
                if seen.insert(key) {
                    out.push(s);
                }
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Some(WorkspaceSymbolResponse::Nested(out)))
    }

    async fn formatting(
        &self,
        params: lsp::DocumentFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        let Some(snap) = self.world.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let opts = self.world.fmt_options(&snap.path);
        Ok(guard("formatting", || {
            features::format::document(&snap.text, &opts)
        }))
    }

    async fn range_formatting(
        &self,
        params: lsp::DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<lsp::TextEdit>>> {
        let Some(snap) = self.world.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let opts = self.world.fmt_options(&snap.path);
        Ok(guard("rangeFormatting", || {
            features::format::range(&snap.text, params.range, &opts)
        }))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some(snap) = self.world.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        Ok(guard("foldingRange", || {
            Some(features::folding::folding_ranges(&snap.text))
        }))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.with_analysis("semanticTokens", &params.text_document.uri, |a| {
            Some(SemanticTokensResult::Tokens(features::semantic::tokens(a)))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.with_analysis("codeAction", &params.text_document.uri, |a| {
            Some(features::actions::code_actions(a, params.range))
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        if !self.world.client_config().inlay_hints {
            return Ok(Some(Vec::new()));
        }
        self.with_analysis("inlayHint", &params.text_document.uri, |a| {
            Some(features::hints::inlay_hints(a, params.range))
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        let p = params.text_document_position_params;
        self.with_analysis("documentHighlight", &p.text_document.uri, |a| {
            features::structure::highlights(a, p.position)
        })
        .await
    }

    async fn document_link(
        &self,
        params: lsp::DocumentLinkParams,
    ) -> Result<Option<Vec<lsp::DocumentLink>>> {
        self.with_analysis("documentLink", &params.text_document.uri, |a| {
            Some(features::structure::links(a))
        })
        .await
    }

    async fn selection_range(
        &self,
        params: lsp::SelectionRangeParams,
    ) -> Result<Option<Vec<lsp::SelectionRange>>> {
        let Some(snap) = self.world.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        Ok(guard("selectionRange", || {
            Some(features::structure::selection_ranges(
                &snap.text,
                &params.positions,
            ))
        }))
    }

    async fn execute_command(
        &self,
        params: lsp::ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        if params.command == features::run::RUN_TEST {
            return self.run_test_command(&params.arguments).await;
        }
        if params.command == features::explain::EXPLAIN {
            return self.explain_command(&params.arguments).await;
        }
        if params.command != features::hints::SHOW_FIGURES {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "unknown command `{}`; the server runs `{}`, `{}` and `{}`",
                params.command,
                features::hints::SHOW_FIGURES,
                features::run::RUN_TEST,
                features::explain::EXPLAIN
            )));
        }
        if let Some(serde_json::Value::String(figures)) = params.arguments.first() {
            self.client
                .show_message(lsp::MessageType::INFO, figures)
                .await;
        }
        Ok(None)
    }

    /// Pull diagnostics: the same list as the one published for the document's current
    /// text (test failures included). Not announced in the capabilities: a client that
    /// pulls and also takes pushes (VS Code) would show every diagnostic twice.
    async fn diagnostic(
        &self,
        params: lsp::DocumentDiagnosticParams,
    ) -> Result<lsp::DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let items = match self.current(&uri).await? {
            Some(a) => {
                let diags =
                    guard("diagnostic", || Some(features::diagnostics(&a))).unwrap_or_default();
                self.with_test_results(&uri, a.revision, diags)
            }
            None => Vec::new(),
        };
        Ok(lsp::DocumentDiagnosticReportResult::Report(
            lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        if !self.world.client_config().code_lens {
            return Ok(Some(Vec::new()));
        }
        self.with_analysis("codeLens", &params.text_document.uri, |a| {
            let mut lenses = features::run::lenses(a);
            lenses.extend(features::explain::lenses(a, self.world.loader()));
            lenses.extend(features::hints::code_lenses(a, self.world.loader()));
            Some(lenses)
        })
        .await
    }
}
