//! Loading the entry files and everything they import, through the caller's [`Loader`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use icp_syntax::ast::Item;
use icp_syntax::{Diagnostic, FileId, LineIndex, Span};

use crate::diagnostics as diag;
use crate::{LoadError, Loader, SourceFile, normalize};

/// Every loaded file and the loading diagnostics (parse diagnostics included).
pub(crate) struct Loaded {
    pub files: Vec<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    Unvisited,
    OnStack,
    Done,
}

struct State<'a> {
    root: PathBuf,
    loader: &'a dyn Loader,
    overlay: HashMap<PathBuf, Arc<str>>,
    files: Vec<SourceFile>,
    imports: Vec<Vec<(String, Span)>>,
    visit: Vec<Visit>,
    by_path: HashMap<PathBuf, FileId>,
    diagnostics: Vec<Diagnostic>,
}

impl State<'_> {
    /// A file's text: the overlay's (shared, not copied), else the loader's.
    fn read(&self, path: &Path) -> Result<Arc<str>, LoadError> {
        match self.overlay.get(path) {
            Some(text) => Ok(text.clone()),
            // The loader resolves links: a file that really lies outside the root is refused.
            None => self.loader.load_within(path, &self.root).map(Arc::from),
        }
    }

    fn add(&mut self, path: PathBuf, text: Arc<str>) -> FileId {
        let id = FileId(self.files.len() as u32);
        let parsed = self.loader.parse(&path, &text);
        self.diagnostics
            .extend(parsed.diagnostics.into_iter().map(|d| d.in_file(id)));
        let imports = parsed
            .file
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Import(i) => Some((i.path.value.clone(), i.path.span)),
                _ => None,
            })
            .collect();
        self.imports.push(imports);
        self.visit.push(Visit::Unvisited);
        self.by_path.insert(path.clone(), id);
        self.files.push(SourceFile {
            id,
            path,
            lines: LineIndex::new(&text),
            text,
            ast: parsed.file,
        });
        id
    }

    fn display(&self, path: &Path) -> String {
        display_path(&self.root, path)
    }

    fn path_of(&self, id: FileId) -> PathBuf {
        self.files
            .get(id.0 as usize)
            .map(|f| f.path.clone())
            .unwrap_or_default()
    }

    /// Depth-first walk of the imports from one file, without recursion.
    fn walk(&mut self, start: FileId) {
        if self.visit.get(start.0 as usize) != Some(&Visit::Unvisited) {
            return;
        }
        let mut stack: Vec<(FileId, usize)> = vec![(start, 0)];
        if let Some(v) = self.visit.get_mut(start.0 as usize) {
            *v = Visit::OnStack;
        }
        while let Some(&mut (file, ref mut next)) = stack.last_mut() {
            let Some((import, span)) = self
                .imports
                .get(file.0 as usize)
                .and_then(|i| i.get(*next))
                .cloned()
            else {
                if let Some(v) = self.visit.get_mut(file.0 as usize) {
                    *v = Visit::Done;
                }
                stack.pop();
                continue;
            };
            *next += 1;
            let here = self.path_of(file);
            let dir = here.parent().map(Path::to_path_buf).unwrap_or_default();
            let target = normalize(&dir.join(&import));
            if !inside(&target, &self.root) {
                let root = self.root.display().to_string();
                self.diagnostics
                    .push(diag::import_outside_root(span, &import, &root).in_file(file));
                continue;
            }
            if let Some(&id) = self.by_path.get(&target) {
                match self.visit.get(id.0 as usize).copied() {
                    Some(Visit::OnStack) => {
                        let pos = stack.iter().position(|(f, _)| *f == id).unwrap_or(0);
                        let mut chain: Vec<String> = stack
                            .get(pos..)
                            .unwrap_or_default()
                            .iter()
                            .map(|(f, _)| self.display(&self.path_of(*f)))
                            .collect();
                        chain.push(self.display(&target));
                        self.diagnostics
                            .push(diag::import_cycle(span, &import, &chain).in_file(file));
                    }
                    Some(Visit::Unvisited) => {
                        if let Some(v) = self.visit.get_mut(id.0 as usize) {
                            *v = Visit::OnStack;
                        }
                        stack.push((id, 0));
                    }
                    _ => {}
                }
                continue;
            }
            match self.read(&target) {
                Ok(text) => {
                    let id = self.add(target, text);
                    if let Some(v) = self.visit.get_mut(id.0 as usize) {
                        *v = Visit::OnStack;
                    }
                    stack.push((id, 0));
                }
                Err(err) => {
                    let shown = self.display(&target);
                    let d = match err {
                        LoadError::NotFound => diag::import_not_found(span, &import, &shown),
                        // A symbolic link out of the root: the same mistake as `../x.icp`.
                        LoadError::OutsideRoot => {
                            let root = self.root.display().to_string();
                            diag::import_outside_root(span, &import, &root)
                        }
                        other => diag::import_unreadable(span, &import, &shown, &other),
                    };
                    self.diagnostics.push(d.in_file(file));
                }
            }
        }
    }
}

/// Whether a normalised path lies inside a normalised root.
pub(crate) fn inside(path: &Path, root: &Path) -> bool {
    if path.is_absolute() != root.is_absolute() {
        // One is relative to a directory we do not know (no IO here): do not guess.
        return !matches!(
            path.components().next(),
            Some(std::path::Component::ParentDir)
        );
    }
    if root == Path::new(".") || root.as_os_str().is_empty() {
        return path.is_relative()
            && !matches!(
                path.components().next(),
                Some(std::path::Component::ParentDir)
            );
    }
    path.starts_with(root)
}

/// A path as shown to users: relative to the root when inside it.
pub(crate) fn display_path(root: &Path, path: &Path) -> String {
    let shown = path.strip_prefix(root).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

/// Load the entries (deduplicated), then their imports depth-first.
pub(crate) fn load<V: Clone + Into<Arc<str>>, S: std::hash::BuildHasher>(
    entries: &[PathBuf],
    root: &Path,
    loader: &dyn Loader,
    overlay: &HashMap<PathBuf, V, S>,
) -> Loaded {
    let mut state = State {
        root: normalize(root),
        loader,
        overlay: overlay
            .iter()
            .map(|(p, t)| (normalize(p), t.clone().into()))
            .collect(),
        files: Vec::new(),
        imports: Vec::new(),
        visit: Vec::new(),
        by_path: HashMap::new(),
        diagnostics: Vec::new(),
    };
    let mut entry_ids = Vec::new();
    for entry in entries {
        let path = normalize(entry);
        if state.by_path.contains_key(&path) {
            continue;
        }
        match state.read(&path) {
            Ok(text) => entry_ids.push(state.add(path, text)),
            Err(err) => {
                let shown = state.display(&path);
                let id = state.add(path, Arc::from(""));
                state
                    .diagnostics
                    .push(diag::entry_unreadable(&shown, &err).in_file(id));
            }
        }
    }
    for id in entry_ids {
        state.walk(id);
    }
    Loaded {
        files: state.files,
        diagnostics: state.diagnostics,
    }
}
