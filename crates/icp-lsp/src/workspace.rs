//! The project model: every `.icp` file under a project root is a document of the
//! [`World`](crate::world::World), open in the editor or not, checked and published.
//!
//! A project's root is the nearest folder holding an `icp.toml`, else the workspace folder
//! (`workspaceFolders`, or the older `rootUri`) that holds the file; a file in neither is
//! checked alone with its imports, as before. A root is loaded once, off the message loop
//! (at `initialized` for the workspace folders, at `didOpen` for a file's own root), and kept
//! in sync through `workspace/didChangeWatchedFiles` (the server registers its watcher when
//! the client allows dynamic registration) and `didSave`. Files are read through the
//! loader's `load_within`, so nothing outside the root is read.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesRegistrationOptions, FileChangeType, FileEvent, FileSystemWatcher,
    GlobPattern, InitializeParams, Registration, Uri,
};

use crate::project::{self, Lister};
use crate::server::{Backend, guard};
use crate::world::{DiskChange, path_of};

/// What the server watches on disk: sources, `icp.toml` and sample accounts.
pub const WATCHED: [&str; 6] = [
    "**/*.icp",
    "**/icp.toml",
    "**/*.csv",
    "**/*.json",
    "**/*.jsonl",
    "**/*.gz",
];

/// How many files that are not open are checked at the same time.
const BACKGROUND_CHECKS: usize = 2;

/// The server's projects: workspace folders, loads under way, the background checks.
pub struct Projects {
    list: Lister,
    folders: Mutex<Vec<PathBuf>>,
    /// Permits for checking files that are not open ([`BACKGROUND_CHECKS`]).
    pub(crate) background: Arc<tokio::sync::Semaphore>,
    /// Project loads under way.
    pending: Arc<AtomicUsize>,
    /// The client lets the server register its file watcher.
    dynamic_watch: AtomicBool,
}

impl std::fmt::Debug for Projects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Projects")
            .field("folders", &self.folders)
            .finish_non_exhaustive()
    }
}

/// Decrements the count of loads under way when a load ends (or panics).
struct Pending(Arc<AtomicUsize>);

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Projects {
    /// No project yet; `list` lists a root's `.icp` files.
    pub fn new(list: Lister) -> Self {
        Self {
            list,
            folders: Mutex::new(Vec::new()),
            background: Arc::new(tokio::sync::Semaphore::new(BACKGROUND_CHECKS)),
            pending: Arc::default(),
            dynamic_watch: AtomicBool::new(false),
        }
    }

    /// Read the workspace folders and the client's watcher capability.
    pub fn initialize(&self, params: &InitializeParams) {
        let mut folders: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| f.uri.to_file_path().map(|p| icp_check::normalize(&p)))
            .collect();
        #[expect(deprecated, reason = "older clients send only `rootUri`")]
        let root_uri = params.root_uri.as_ref();
        if folders.is_empty()
            && let Some(p) = root_uri.and_then(Uri::to_file_path)
        {
            folders.push(icp_check::normalize(&p));
        }
        *self.folders.lock().unwrap_or_else(PoisonError::into_inner) = folders;
        let dynamic = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.dynamic_watch.store(dynamic, Ordering::Relaxed);
    }

    /// Register the file watcher (when the client allows it) and load the workspace
    /// folders' projects.
    pub fn initialized(&self, b: &Backend) {
        if self.dynamic_watch.load(Ordering::Relaxed)
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            let client = b.client.clone();
            rt.spawn(async move {
                let _ = client.register_capability(vec![registration()]).await;
            });
        }
        let folders = self
            .folders
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for folder in folders {
            // A folder inside a project loads that project.
            let root =
                project::toml_root(&folder.join("icp.toml"), b.world.loader()).unwrap_or(folder);
            self.load(b, root);
        }
    }

    /// The project root of a file: the nearest folder with an `icp.toml`, else the
    /// workspace folder that holds it.
    pub fn root_of(&self, b: &Backend, path: &Path) -> Option<PathBuf> {
        project::toml_root(path, b.world.loader()).or_else(|| {
            self.folders
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .filter(|f| path.starts_with(f))
                .max_by_key(|f| f.components().count())
                .cloned()
        })
    }

    /// Load the project of a document just opened, if it is not loaded yet.
    pub fn load_for(&self, b: &Backend, uri: &Uri) {
        let path = path_of(uri);
        if let Some(root) = self.root_of(b, &path) {
            self.load(b, root);
        }
    }

    /// Load every `.icp` file under `root` (once per root), off the message loop, then
    /// check and publish each.
    pub fn load(&self, b: &Backend, root: PathBuf) {
        if !b.world.claim_root(&root) {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        self.pending.fetch_add(1, Ordering::SeqCst);
        let pending = Pending(self.pending.clone());
        let list = self.list.clone();
        let this = b.clone();
        rt.spawn(async move {
            let _pending = pending;
            let world = this.world.clone();
            let added = tokio::task::spawn_blocking(move || {
                guard("project", || {
                    let mut added = Vec::new();
                    for path in list(&root) {
                        let path = icp_check::normalize(&path);
                        let Ok(text) = world.loader().load_within(&path, &root) else {
                            continue;
                        };
                        if let Some((uri, DiskChange::Added | DiskChange::Changed)) =
                            world.set_disk(&path, text)
                        {
                            added.push(uri);
                        }
                    }
                    Some(added)
                })
            })
            .await;
            for uri in added.ok().flatten().unwrap_or_default() {
                if let Some(r) = this.world.revision(&uri) {
                    this.schedule(uri, r, Duration::ZERO);
                }
            }
        });
    }

    /// Wait (at most `wait`) until no project load is under way.
    pub async fn loaded(&self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        while self.pending.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The text on disk of a file of a loaded project (`None` outside every loaded
    /// project, or when it cannot be read).
    pub fn read(&self, b: &Backend, path: &Path) -> Option<String> {
        let root = b.world.root_holding(path)?;
        b.world.loader().load_within(path, &root).ok()
    }

    /// A file changed on disk (or was deleted): re-read it, check and publish it and the
    /// documents that read it.
    pub fn disk_changed(&self, b: &Backend, uri: &Uri, deleted: bool) {
        let path = path_of(uri);
        if b.world.root_holding(&path).is_none() {
            // Not a file of a loaded project, but maybe an import of an open document.
            b.world.invalidate();
            b.refresh_readers(uri, &path);
            return;
        }
        let text = if deleted { None } else { self.read(b, &path) };
        if let Some(text) = text {
            match b.world.set_disk(&path, text) {
                Some((u, DiskChange::Changed | DiskChange::Added)) => {
                    if let Some(r) = b.world.revision(&u) {
                        b.schedule(u.clone(), r, Duration::ZERO);
                    }
                    b.refresh_readers(&u, &path);
                }
                Some((u, DiskChange::Open)) => {
                    // The buffer wins, but its readers that are not open read the disk.
                    b.refresh_readers(&u, &path);
                }
                _ => {}
            }
        } else if let Some(u) = b.world.uri_at(&path)
            && b.world.remove_disk(&u)
        {
            b.refresh_readers(&u, &path);
            b.clear(u);
        }
    }

    /// `workspace/didChangeWatchedFiles`: sources are re-read one by one; a change to
    /// anything else (`icp.toml`, a sample) re-checks every document, so hover, lenses
    /// and the sample's figures are recomputed.
    pub fn watched(&self, b: &Backend, changes: Vec<FileEvent>) {
        let mut other = false;
        for ev in changes {
            let path = path_of(&ev.uri);
            if path.extension().is_some_and(|e| e == "icp") {
                self.disk_changed(b, &ev.uri, ev.typ == FileChangeType::DELETED);
            } else {
                other = true;
            }
        }
        if other {
            b.world.invalidate();
            for u in b.world.all_uris() {
                if let Some(r) = b.world.revision(&u) {
                    b.schedule_refresh(u, r);
                }
            }
        }
    }
}

/// The registration of the server's file watcher.
pub fn registration() -> Registration {
    let watchers = WATCHED
        .iter()
        .map(|g| FileSystemWatcher {
            glob_pattern: GlobPattern::String((*g).to_owned()),
            kind: None,
        })
        .collect();
    Registration {
        id: "icp-watched-files".to_owned(),
        method: "workspace/didChangeWatchedFiles".to_owned(),
        register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
            watchers,
        })
        .ok(),
    }
}
