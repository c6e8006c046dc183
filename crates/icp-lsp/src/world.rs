//! The server's state: open documents and their analyses. Everything here is synchronous
//! and does its IO through a [`Loader`], so features are plain functions over an
//! [`Analysis`] that tests call directly.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use icp_check::{Checked, Loader, Options, SourceFile};
use icp_syntax::{Date, FileId, LineIndex, Span};
use tower_lsp_server::ls_types::{Position, Range, Uri};

use crate::config::ClientConfig;
use crate::project::{self, Config};
use crate::text::Text;

/// One document of the world: open in the editor, or a file of a loaded project read
/// from disk.
#[derive(Debug, Clone)]
struct Doc {
    /// The editor's version (0 for a file that is not open).
    version: i32,
    /// Open in the editor (its text is the editor's), else read from disk.
    open: bool,
    text: Arc<Text>,
    path: PathBuf,
    analysis: Option<Arc<Analysis>>,
    last_good: Option<Arc<Analysis>>,
    parsed: Option<(u64, Arc<icp_syntax::Parsed>)>,
    /// The world's clock when the text last changed (or the document was opened): the
    /// text's revision. Freshness is keyed on it, never on the editor's version number,
    /// which a client may reuse.
    changed_at: u64,
    /// A check of this document is running ([`World::analysis`] runs one at a time).
    checking: bool,
}

/// The documents, with a clock that ticks at every edit, open, close and change on disk.
#[derive(Debug, Default)]
struct Docs {
    map: HashMap<Uri, Doc>,
    clock: u64,
    /// The clock when a document was last opened or closed, or a file of the project
    /// appeared, disappeared or changed in a way that may concern every analysis.
    opened_or_closed: u64,
}

impl std::ops::Deref for Docs {
    type Target = HashMap<Uri, Doc>;
    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl std::ops::DerefMut for Docs {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.map
    }
}

impl Docs {
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// Whether an analysis still holds: same text (revision) of its document, no document
    /// opened or closed since, and none of the other files it read edited since.
    fn is_fresh(&self, doc: &Doc, a: &Analysis) -> bool {
        a.revision == doc.changed_at
            && self.opened_or_closed <= a.clock
            && a.checked.files.iter().skip(1).all(|f| {
                self.map
                    .values()
                    .all(|d| d.path != f.path || d.changed_at <= a.clock)
            })
    }
}

/// A document as it is now.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Its URI.
    pub uri: Uri,
    /// Its version.
    pub version: i32,
    /// Its text's revision (see [`World::revision`]).
    pub revision: u64,
    /// Its text.
    pub text: Arc<Text>,
    /// Its path (a made-up one for non-file URIs).
    pub path: PathBuf,
}

/// The check of one open document with its imports, unsaved buffers overlaid.
#[derive(Debug)]
pub struct Analysis {
    /// The document.
    pub uri: Uri,
    /// The version checked (0 for a file that is not open).
    pub version: i32,
    /// The revision of the text checked (see [`World::revision`]).
    pub revision: u64,
    /// Whether the document was open in the editor (else it was read from disk).
    pub open: bool,
    /// Its text at that version.
    pub text: Arc<Text>,
    /// Its path.
    pub path: PathBuf,
    /// The project root.
    pub root: PathBuf,
    /// The project's `icp.toml`.
    pub config: Config,
    /// The check.
    pub checked: Checked,
    /// The URI of every file of the check, by [`FileId`].
    pub uris: Vec<Uri>,
    /// How long the check took.
    pub elapsed: std::time::Duration,
    /// The `today` of the check.
    pub today: Date,
    /// The world's clock when the check started.
    pub clock: u64,
    /// The sample figures, computed on first use ([`crate::features::sample`]).
    pub sample: std::sync::OnceLock<Vec<(Span, String)>>,
}

/// The entry file of every analysis.
pub const ENTRY: FileId = FileId(0);

impl Analysis {
    /// The file with this id.
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.checked.file(id)
    }

    /// The URI of a file.
    pub fn uri_of(&self, id: FileId) -> Option<&Uri> {
        self.uris.get(id.0 as usize)
    }

    /// The id of the file with this URI.
    pub fn file_of(&self, uri: &Uri) -> Option<FileId> {
        self.uris
            .iter()
            .position(|u| u == uri)
            .map(|i| FileId(i as u32))
    }

    /// The LSP range of a span in a file (the entry's own text for the entry).
    pub fn range(&self, id: FileId, span: Span) -> Range {
        if id == ENTRY {
            return self.text.range(span);
        }
        match self.file(id) {
            Some(f) => range_in(&f.text, &f.lines, span),
            None => Range::default(),
        }
    }

    /// The byte offset of an LSP position in the entry file.
    pub fn offset(&self, pos: Position) -> usize {
        self.text.offset(pos)
    }
}

/// The LSP range of a span of `src`.
pub fn range_in(src: &str, lines: &LineIndex, span: Span) -> Range {
    let start = (span.start as usize).min(src.len());
    let end = (span.end as usize).min(src.len()).max(start);
    let (l0, c0) = lines.utf16_position(src, start);
    let (l1, c1) = lines.utf16_position(src, end);
    Range {
        start: Position {
            line: l0,
            character: c0,
        },
        end: Position {
            line: l1,
            character: c1,
        },
    }
}

/// The path of a document URI: its file path, or a made-up path for other schemes.
pub fn path_of(uri: &Uri) -> PathBuf {
    let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
    if is_file && let Some(p) = uri.to_file_path() {
        return icp_check::normalize(&p);
    }
    let name: String = uri
        .as_str()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from("/__icp_untitled__").join(name)
}

/// The URI of a path.
pub fn uri_of(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// The documents (open ones and the files of loaded projects) and their analyses.
///
/// At most one check of a document runs at a time: a caller that needs the analysis while
/// one runs waits for it and then checks the version current at that moment, so the
/// versions an edit burst went through in between are never checked.
pub struct World {
    loader: Arc<dyn Loader + Send + Sync>,
    today: Option<Date>,
    docs: Mutex<Docs>,
    /// Signalled when a check ends.
    checked: Condvar,
    /// How many checks have run (for tests and benchmarks).
    checks: AtomicU64,
    /// The roots of the projects loaded so far.
    roots: Mutex<Vec<PathBuf>>,
    /// The client's settings ([`crate::config`]).
    client: Mutex<ClientConfig>,
    /// Per file, the items of its last parse: a check reparses only the items an edit
    /// touched ([`icp_syntax::parse_cached`]).
    items: Mutex<HashMap<PathBuf, icp_syntax::ItemCache>>,
    /// Per entry file, the checks of its last analysis: a check replays those whose item
    /// and declarations did not change ([`icp_check::check_incremental`]).
    memos: Mutex<HashMap<PathBuf, icp_check::Memo>>,
}

/// The world's loader, parsing through the item caches of [`World`].
struct Caching<'w> {
    inner: &'w (dyn Loader + Send + Sync),
    items: &'w Mutex<HashMap<PathBuf, icp_syntax::ItemCache>>,
    /// Whether the check became moot (a newer text of its document): files are then no
    /// longer parsed, and the check is thrown away.
    stop: &'w dyn Fn() -> bool,
    stopped: std::sync::atomic::AtomicBool,
}

impl Loader for Caching<'_> {
    fn load(&self, path: &Path) -> Result<String, icp_check::LoadError> {
        self.inner.load(path)
    }

    fn load_within(&self, path: &Path, root: &Path) -> Result<String, icp_check::LoadError> {
        self.inner.load_within(path, root)
    }

    fn parse(&self, path: &Path, text: &str) -> icp_syntax::Parsed {
        if self.stopped.load(Ordering::Relaxed) || (self.stop)() {
            self.stopped.store(true, Ordering::Relaxed);
            return icp_syntax::Parsed::default();
        }
        parse_with(self.items, path, text)
    }
}

/// Parse `text`, the text of `path`, through its item cache (taken out while it parses, so
/// two checks reading the same file never wait for each other: the second gets a new one).
fn parse_with(
    items: &Mutex<HashMap<PathBuf, icp_syntax::ItemCache>>,
    path: &Path,
    text: &str,
) -> icp_syntax::Parsed {
    let mut cache = items
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(path)
        .unwrap_or_default();
    let parsed = icp_syntax::parse_cached(text, &mut cache);
    items
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(path.to_path_buf(), cache);
    parsed
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("today", &self.today)
            .finish_non_exhaustive()
    }
}

impl World {
    /// A world reading files through `loader`; `today` fixes the date (else the clock).
    pub fn new(loader: Arc<dyn Loader + Send + Sync>, today: Option<Date>) -> Self {
        Self {
            loader,
            today,
            docs: Mutex::new(Docs::default()),
            checked: Condvar::new(),
            checks: AtomicU64::new(0),
            roots: Mutex::new(Vec::new()),
            client: Mutex::new(ClientConfig::default()),
            items: Mutex::new(HashMap::new()),
            memos: Mutex::new(HashMap::new()),
        }
    }

    /// The client's settings.
    pub fn client_config(&self) -> ClientConfig {
        self.client
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replace the client's settings; `true` if a check reads what changed (the date or
    /// the sample), so every analysis is stale.
    pub fn set_client_config(&self, config: ClientConfig) -> bool {
        let mut current = self.client.lock().unwrap_or_else(PoisonError::into_inner);
        let stale = current.today != config.today || current.sample != config.sample;
        *current = config;
        drop(current);
        if stale {
            self.invalidate();
        }
        stale
    }

    /// How many checks have run since the world was made.
    pub fn checks_run(&self) -> u64 {
        self.checks.load(Ordering::Relaxed)
    }

    /// Whether a check of the document is running.
    pub fn is_checking(&self, uri: &Uri) -> bool {
        self.docs().get(uri).is_some_and(|d| d.checking)
    }

    /// The analysis of the document's current version if it is ready (never computes one).
    pub fn fresh(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        let docs = self.docs();
        let doc = docs.get(uri)?;
        doc.analysis
            .as_ref()
            .filter(|a| docs.is_fresh(doc, a))
            .cloned()
    }

    fn docs(&self) -> MutexGuard<'_, Docs> {
        self.docs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The loader.
    pub fn loader(&self) -> &(dyn Loader + Send + Sync) {
        &*self.loader
    }

    /// Today's date: the client's `today` setting, else the server's fixed date, else the
    /// clock.
    pub fn today(&self) -> Date {
        self.client_config()
            .today
            .or(self.today)
            .unwrap_or_else(icp_host::today_utc)
    }

    /// Open (or reopen) a document.
    pub fn open(&self, uri: Uri, version: i32, text: String) {
        let path = path_of(&uri);
        let mut docs = self.docs();
        let now = docs.tick();
        docs.opened_or_closed = now;
        let doc = Doc {
            version,
            open: true,
            text: Arc::new(Text::new(text)),
            path,
            analysis: None,
            last_good: None,
            parsed: None,
            changed_at: now,
            checking: false,
        };
        docs.insert(uri, doc);
    }

    /// Apply an edit; returns the new version, or `None` for a document that is not open.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: &[tower_lsp_server::ls_types::TextDocumentContentChangeEvent],
    ) -> Option<i32> {
        let mut docs = self.docs();
        if !docs.get(uri)?.open {
            return None;
        }
        let now = docs.tick();
        let doc = docs.get_mut(uri)?;
        let mut text = (*doc.text).clone();
        text.apply(changes);
        doc.text = Arc::new(text);
        doc.version = version;
        doc.changed_at = now;
        Some(version)
    }

    /// Close a document. With `disk` (its text on disk, for a file of a loaded project) it
    /// stays in the world as a file that is not open; without, it leaves it.
    pub fn close(&self, uri: &Uri, disk: Option<String>) {
        let mut docs = self.docs();
        if !docs.get(uri).is_some_and(|d| d.open) {
            return;
        }
        let now = docs.tick();
        docs.opened_or_closed = now;
        match disk {
            Some(text) => {
                if let Some(doc) = docs.get_mut(uri) {
                    doc.open = false;
                    doc.version = 0;
                    doc.text = Arc::new(Text::new(text));
                    doc.changed_at = now;
                    doc.parsed = None;
                }
            }
            None => {
                if let Some(doc) = docs.remove(uri) {
                    self.forget_items(&doc.path);
                }
            }
        }
    }

    /// Drop the item cache of a file that left the world.
    fn forget_items(&self, path: &Path) {
        self.items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(path);
        self.memos
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(path);
    }

    /// Record the text on disk of a file of a loaded project (found by path, whatever
    /// the spelling of its URI). A document open in the editor keeps the editor's text.
    /// Returns the document's URI and what changed.
    pub fn set_disk(&self, path: &Path, text: String) -> Option<(Uri, DiskChange)> {
        let mut docs = self.docs();
        let known = docs
            .iter()
            .find(|(_, d)| d.path == path)
            .map(|(u, d)| (u.clone(), d.open, *d.text.src == *text));
        match known {
            Some((uri, true, _)) => return Some((uri, DiskChange::Open)),
            Some((uri, false, true)) => return Some((uri, DiskChange::Unchanged)),
            _ => {}
        }
        let now = docs.tick();
        if let Some((uri, _, _)) = known {
            if let Some(doc) = docs.get_mut(&uri) {
                doc.text = Arc::new(Text::new(text));
                doc.changed_at = now;
                doc.parsed = None;
            }
            return Some((uri, DiskChange::Changed));
        }
        let uri = uri_of(path)?;
        // A new file may be what an import was missing: every analysis may change.
        docs.opened_or_closed = now;
        docs.insert(
            uri.clone(),
            Doc {
                version: 0,
                open: false,
                text: Arc::new(Text::new(text)),
                path: path.to_path_buf(),
                analysis: None,
                last_good: None,
                parsed: None,
                changed_at: now,
                checking: false,
            },
        );
        Some((uri, DiskChange::Added))
    }

    /// The URI of the document at `path`, if the world holds one.
    pub fn uri_at(&self, path: &Path) -> Option<Uri> {
        self.docs()
            .iter()
            .find(|(_, d)| d.path == path)
            .map(|(u, _)| u.clone())
    }

    /// Forget a file that was deleted from disk; `false` if it is open in the editor or
    /// was not known.
    pub fn remove_disk(&self, uri: &Uri) -> bool {
        let mut docs = self.docs();
        if docs.get(uri).is_none_or(|d| d.open) {
            return false;
        }
        if let Some(doc) = docs.remove(uri) {
            self.forget_items(&doc.path);
        }
        let now = docs.tick();
        docs.opened_or_closed = now;
        true
    }

    /// Make every analysis stale (a project's `icp.toml` or sample changed on disk).
    pub fn invalidate(&self) {
        let mut docs = self.docs();
        let now = docs.tick();
        docs.opened_or_closed = now;
    }

    /// Record that the project at `root` is loaded; `false` if it (or a project holding
    /// it) already was.
    pub fn claim_root(&self, root: &Path) -> bool {
        let mut roots = self.roots.lock().unwrap_or_else(PoisonError::into_inner);
        if roots.iter().any(|r| root.starts_with(r)) {
            return false;
        }
        roots.push(root.to_path_buf());
        true
    }

    /// The loaded project root that holds `path`, if any.
    pub fn root_holding(&self, path: &Path) -> Option<PathBuf> {
        self.roots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|r| path.starts_with(r))
            .cloned()
    }

    /// Whether the document is open in the editor.
    pub fn is_open(&self, uri: &Uri) -> bool {
        self.docs().get(uri).is_some_and(|d| d.open)
    }

    /// Every document's URI: open ones and the files of loaded projects.
    pub fn all_uris(&self) -> Vec<Uri> {
        let mut out: Vec<Uri> = self.docs().keys().cloned().collect();
        out.sort();
        out
    }

    /// The revision of a document's text: the world's clock when it last changed. Two
    /// texts of a document never share a revision, whatever their version numbers.
    pub fn revision(&self, uri: &Uri) -> Option<u64> {
        self.docs().get(uri).map(|d| d.changed_at)
    }

    /// Whether the latest analysis of `uri` read the file `path` (to know whom an edit of
    /// `path` concerns).
    pub fn reads(&self, uri: &Uri, path: &Path) -> bool {
        self.docs()
            .get(uri)
            .and_then(|d| d.analysis.as_ref())
            .is_some_and(|a| a.checked.files.iter().any(|f| f.path == path))
    }

    /// The path of an open document.
    pub fn path(&self, uri: &Uri) -> Option<PathBuf> {
        self.docs().get(uri).map(|d| d.path.clone())
    }

    /// The open documents' URIs.
    pub fn uris(&self) -> Vec<Uri> {
        self.docs()
            .iter()
            .filter(|(_, d)| d.open)
            .map(|(u, _)| u.clone())
            .collect()
    }

    /// A document's current version.
    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.docs().get(uri).map(|d| d.version)
    }

    /// A document as it is now.
    pub fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        self.docs().get(uri).map(|d| Snapshot {
            uri: uri.clone(),
            version: d.version,
            revision: d.changed_at,
            text: d.text.clone(),
            path: d.path.clone(),
        })
    }

    /// The analysis of the document's current version (computed now if needed; if a check
    /// of the document is running, waits for it first).
    pub fn analysis(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        loop {
            if let Ok(a) = self.analysis_once(uri) {
                return a;
            }
            // Superseded by an edit while it parsed: check the newer text.
        }
    }

    /// One try of [`World::analysis`]: [`Superseded`] when a newer text of the document made the
    /// check moot before it ended (it stops at the next file it would parse).
    fn analysis_once(&self, uri: &Uri) -> Result<Option<Arc<Analysis>>, Superseded> {
        let (snap, overlay, clock) = {
            let mut docs = self.docs();
            loop {
                let Some(doc) = docs.get(uri) else {
                    return Ok(None);
                };
                if let Some(a) = &doc.analysis
                    && docs.is_fresh(doc, a)
                {
                    return Ok(Some(a.clone()));
                }
                if !doc.checking {
                    break;
                }
                docs = self
                    .checked
                    .wait(docs)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            let Some(doc) = docs.get(uri) else {
                return Ok(None);
            };
            // The editor's buffers and this document's own text; the other files of the
            // project are read from disk by the checker.
            let overlay: HashMap<PathBuf, Arc<str>> = docs
                .iter()
                .filter(|(u, d)| d.open || *u == uri)
                .map(|(_, d)| (d.path.clone(), d.text.src.clone()))
                .collect();
            let snap = Snapshot {
                uri: uri.clone(),
                version: doc.version,
                revision: doc.changed_at,
                text: doc.text.clone(),
                path: doc.path.clone(),
            };
            let clock = docs.clock;
            if let Some(doc) = docs.get_mut(uri) {
                doc.checking = true;
            }
            (snap, overlay, clock)
        };
        let _running = Running { world: self, uri };
        self.checks.fetch_add(1, Ordering::Relaxed);
        let open = self.is_open(uri);
        let analysis = Arc::new(
            self.analyze(&snap, &overlay, clock, open)
                .ok_or(Superseded)?,
        );
        let mut docs = self.docs();
        let mut replaced = Vec::new();
        if let Some(doc) = docs.get_mut(uri)
            && doc.changed_at == analysis.revision
        {
            replaced.extend(doc.analysis.replace(analysis.clone()));
            if is_good(&analysis) {
                replaced.extend(doc.last_good.replace(analysis.clone()));
            }
        }
        drop(docs);
        drop_later(replaced);
        Ok(Some(analysis))
    }

    /// Whether the document's text moved on from `revision` (or it left the world).
    fn superseded(&self, uri: &Uri, revision: u64) -> bool {
        self.docs()
            .get(uri)
            .is_none_or(|d| d.changed_at != revision)
    }

    /// The latest analysis of the document, whatever its version (never computes one).
    pub fn latest(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        self.docs().get(uri).and_then(|d| d.analysis.clone())
    }

    /// The syntax tree of the document's current text (parsed once per revision).
    pub fn parsed(&self, uri: &Uri) -> Option<Arc<icp_syntax::Parsed>> {
        let (version, text, path) = {
            let docs = self.docs();
            let doc = docs.get(uri)?;
            if let Some((v, p)) = &doc.parsed
                && *v == doc.changed_at
            {
                return Some(p.clone());
            }
            if let Some(a) = &doc.analysis
                && a.revision == doc.changed_at
                && let Some(f) = a.file(ENTRY)
            {
                let parsed = icp_syntax::Parsed {
                    file: f.ast.clone(),
                    diagnostics: Vec::new(),
                };
                return Some(Arc::new(parsed));
            }
            (doc.changed_at, doc.text.clone(), doc.path.clone())
        };
        let parsed = Arc::new(parse_with(&self.items, &path, &text.src));
        if let Some(doc) = self.docs().get_mut(uri)
            && doc.changed_at == version
        {
            doc.parsed = Some((version, parsed.clone()));
        }
        Some(parsed)
    }

    /// The formatter's options for a document: `[fmt] width` of its project's `icp.toml`.
    pub fn fmt_options(&self, path: &std::path::Path) -> icp_fmt::Options {
        let root = project::root_of(path, self.loader());
        let width = project::config(&root, self.loader()).fmt_width;
        icp_fmt::Options {
            width: width.unwrap_or(icp_fmt::Options::default().width),
        }
    }

    /// The last analysis of the document whose own text parsed cleanly, if any.
    pub fn last_good(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        self.docs().get(uri).and_then(|d| d.last_good.clone())
    }

    fn analyze(
        &self,
        snap: &Snapshot,
        overlay: &HashMap<PathBuf, Arc<str>>,
        clock: u64,
        open: bool,
    ) -> Option<Analysis> {
        let start = project::now();
        let root = project::root_of(&snap.path, self.loader());
        let mut config = project::config(&root, self.loader());
        if let Some(sample) = self.client_config().sample {
            config.sample = (!sample.trim().is_empty())
                .then(|| icp_check::normalize(&root.join(sample.trim())));
        }
        let today = self.today();
        let options = Options { today: Some(today) };
        let stop = || self.superseded(&snap.uri, snap.revision);
        let loader = Caching {
            inner: self.loader(),
            items: &self.items,
            stop: &stop,
            stopped: std::sync::atomic::AtomicBool::new(false),
        };
        // The memo is taken out while the check runs (a second check of the same entry at
        // the same time starts from none).
        let mut memo = self
            .memos
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&snap.path)
            .unwrap_or_default();
        let checked = icp_check::check_incremental(
            std::slice::from_ref(&snap.path),
            &root,
            &loader,
            overlay,
            &options,
            &mut memo,
            &stop,
        );
        self.memos
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(snap.path.clone(), memo);
        let checked = checked?;
        let uris = checked
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if i == 0 {
                    snap.uri.clone()
                } else {
                    self.docs()
                        .iter()
                        .find(|(_, d)| d.path == f.path)
                        .map(|(u, _)| u.clone())
                        .or_else(|| uri_of(&f.path))
                        .unwrap_or_else(|| snap.uri.clone())
                }
            })
            .collect();
        if loader.stopped.load(Ordering::Relaxed) {
            return None;
        }
        Some(Analysis {
            uri: snap.uri.clone(),
            version: snap.version,
            revision: snap.revision,
            open,
            text: snap.text.clone(),
            path: snap.path.clone(),
            root,
            config,
            checked,
            uris,
            elapsed: start.elapsed(),
            today,
            clock,
            sample: std::sync::OnceLock::new(),
        })
    }
}

/// A check given up because a newer text of its document made it moot.
#[derive(Debug)]
struct Superseded;

/// What [`World::set_disk`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskChange {
    /// The file is open in the editor: its buffer wins, nothing changed.
    Open,
    /// The text on disk is the one known.
    Unchanged,
    /// A known file has a new text.
    Changed,
    /// A file new to the world.
    Added,
}

/// A running check: when it ends (or panics), the document is marked idle and waiters woken.
struct Running<'w> {
    world: &'w World,
    uri: &'w Uri,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Some(doc) = self.world.docs().get_mut(self.uri) {
            doc.checking = false;
        }
        self.world.checked.notify_all();
    }
}

/// Drop the analyses an edit replaced on a thread of their own: freeing a big file's trees
/// costs about a fifth of its check, which the diagnostics of the new text need not wait
/// for. (Dropped here if the thread cannot be started.)
fn drop_later(old: Vec<Arc<Analysis>>) {
    // Only the last holder frees anything.
    if old.iter().all(|a| Arc::strong_count(a) > 1) {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("icp-drop".into())
        .spawn(move || drop(old));
}

/// Whether the entry file has no syntax errors.
fn is_good(a: &Analysis) -> bool {
    !a.checked.diagnostics.iter().any(|d| {
        d.file == ENTRY
            && matches!(
                d.code,
                icp_syntax::Code::Syntax
                    | icp_syntax::Code::UnclosedDelimiter
                    | icp_syntax::Code::UnterminatedString
                    | icp_syntax::Code::UnknownItem
            )
    })
}
