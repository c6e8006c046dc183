//! The outside world: reading files from disk (through [`icp_host`]), the project root and
//! its `icp.toml`, and the monotonic clock. Everything else in the server reads files through a [`Loader`], so tests run on
//! memory.
#![allow(
    clippy::disallowed_methods,
    reason = "the language server is where IO and the clock live"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use icp_check::Loader;

/// Reads files from the file system (regular files only, size-capped): the host's.
pub use icp_host::FsLoader;

/// A monotonic clock reading, for the debounce and benchmarks.
pub fn now() -> std::time::Instant {
    std::time::Instant::now()
}

/// The project root of a file: the nearest ancestor with an `icp.toml`, else the file's
/// directory.
pub fn root_of(path: &Path, loader: &dyn Loader) -> PathBuf {
    let dir = path.parent().unwrap_or(path);
    icp_check::find_root(dir, |p| loader.load(p).is_ok())
}

/// The nearest ancestor of the file's directory holding an `icp.toml`, if any.
pub fn toml_root(path: &Path, loader: &dyn Loader) -> Option<PathBuf> {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if loader.load(&d.join("icp.toml")).is_ok() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

/// The most `.icp` files the project scan loads under one root.
pub const MAX_PROJECT_FILES: usize = 2000;

/// Lists the `.icp` files under a project root (the project scan).
pub type Lister = Arc<dyn Fn(&Path) -> Vec<PathBuf> + Send + Sync>;

/// The file system's lister ([`icp_host::icp_files`]).
pub fn fs_lister() -> Lister {
    Arc::new(|dir: &Path| icp_host::icp_files(dir, MAX_PROJECT_FILES))
}

/// A file system in memory that can change (tests, benchmarks): a [`Loader`] and a
/// [`Lister`] over the same files.
#[derive(Debug, Clone, Default)]
pub struct MemoryDisk {
    files: Arc<Mutex<BTreeMap<PathBuf, String>>>,
}

impl MemoryDisk {
    /// A disk holding `files` (path, text).
    pub fn new<P: Into<PathBuf>, T: Into<String>>(files: impl IntoIterator<Item = (P, T)>) -> Self {
        let disk = Self::default();
        for (p, t) in files {
            disk.write(p, t);
        }
        disk
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<PathBuf, String>> {
        self.files.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Write a file.
    pub fn write(&self, path: impl Into<PathBuf>, text: impl Into<String>) {
        self.lock()
            .insert(icp_check::normalize(&path.into()), text.into());
    }

    /// Delete a file.
    pub fn remove(&self, path: &Path) {
        self.lock().remove(&icp_check::normalize(path));
    }

    /// The lister of this disk: its `.icp` files under a directory.
    pub fn lister(&self) -> Lister {
        let disk = self.clone();
        Arc::new(move |dir: &Path| {
            disk.lock()
                .keys()
                .filter(|p| p.starts_with(dir) && p.extension().is_some_and(|e| e == "icp"))
                .take(MAX_PROJECT_FILES)
                .cloned()
                .collect()
        })
    }
}

impl Loader for MemoryDisk {
    fn load(&self, path: &Path) -> Result<String, icp_check::LoadError> {
        self.lock()
            .get(&icp_check::normalize(path))
            .cloned()
            .ok_or(icp_check::LoadError::NotFound)
    }
}

/// What `icp.toml` says to the language server (`[lsp]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// A sample accounts file, relative to the root (`[lsp] sample = "accounts.csv"`).
    pub sample: Option<PathBuf>,
    /// The formatter's line width (`[fmt] width = 100`), when set to a whole number.
    pub fmt_width: Option<usize>,
    /// The decimal point of the sample's numbers (`[data] decimal = ","`; `.` otherwise).
    pub decimal: icp_data::DecimalMark,
    /// Why `icp.toml` could not be read, if it could not.
    pub error: Option<String>,
}

/// Read `icp.toml` at `root` (an absent file is the default configuration).
pub fn config(root: &Path, loader: &dyn Loader) -> Config {
    let Ok(text) = loader.load(&root.join("icp.toml")) else {
        return Config::default();
    };
    match text.parse::<toml::Table>() {
        Ok(table) => Config {
            sample: table
                .get("lsp")
                .and_then(|l| l.get("sample"))
                .and_then(toml::Value::as_str)
                .map(|s| icp_check::normalize(&root.join(s))),
            fmt_width: table
                .get("fmt")
                .and_then(|f| f.get("width"))
                .and_then(toml::Value::as_integer)
                .and_then(|w| usize::try_from(w).ok())
                .filter(|w| (20..=1000).contains(w)),
            decimal: table
                .get("data")
                .and_then(|d| d.get("decimal"))
                .and_then(toml::Value::as_str)
                .and_then(icp_data::DecimalMark::from_setting)
                .unwrap_or_default(),
            error: None,
        },
        Err(e) => Config {
            sample: None,
            fmt_width: None,
            decimal: icp_data::DecimalMark::Point,
            error: Some(e.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icp_check::MemoryLoader;

    #[test]
    fn root_and_config() {
        let loader = MemoryLoader::new()
            .with("/p/icp.toml", "[lsp]\nsample = \"data/accounts.csv\"\n")
            .with("/p/sub/a.icp", "");
        let root = root_of(Path::new("/p/sub/a.icp"), &loader);
        assert_eq!(root, PathBuf::from("/p"));
        assert_eq!(
            config(&root, &loader).sample,
            Some(PathBuf::from("/p/data/accounts.csv"))
        );
        assert_eq!(root_of(Path::new("/q/b.icp"), &loader), PathBuf::from("/q"));
        assert_eq!(config(&root, &loader).decimal, icp_data::DecimalMark::Point);
        let comma = MemoryLoader::new().with("/p/icp.toml", "[data]\ndecimal = \",\"\n");
        assert_eq!(
            config(Path::new("/p"), &comma).decimal,
            icp_data::DecimalMark::Comma
        );
        let bad = MemoryLoader::new().with("/p/icp.toml", "[lsp\n");
        assert!(config(Path::new("/p"), &bad).error.is_some());
    }
}
