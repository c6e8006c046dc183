//! The outside world: reading files from disk (through [`icp_host`]), the project root and
//! its `icp.toml`, and the monotonic clock. Everything else in the server reads files through a [`Loader`], so tests run on
//! memory.
#![allow(
    clippy::disallowed_methods,
    reason = "the language server is where IO and the clock live"
)]

use std::path::{Path, PathBuf};

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

/// What `icp.toml` says to the language server (`[lsp]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// A sample accounts file, relative to the root (`[lsp] sample = "accounts.csv"`).
    pub sample: Option<PathBuf>,
    /// The decimal point of the sample's numbers (`[data] decimal = ","`; `.` otherwise).
    pub decimal: icp_data::Decimal,
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
            decimal: table
                .get("data")
                .and_then(|d| d.get("decimal"))
                .and_then(toml::Value::as_str)
                .and_then(icp_data::Decimal::from_setting)
                .unwrap_or_default(),
            error: None,
        },
        Err(e) => Config {
            sample: None,
            decimal: icp_data::Decimal::Point,
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
        assert_eq!(config(&root, &loader).decimal, icp_data::Decimal::Point);
        let comma = MemoryLoader::new().with("/p/icp.toml", "[data]\ndecimal = \",\"\n");
        assert_eq!(
            config(Path::new("/p"), &comma).decimal,
            icp_data::Decimal::Comma
        );
        let bad = MemoryLoader::new().with("/p/icp.toml", "[lsp\n");
        assert!(config(Path::new("/p"), &bad).error.is_some());
    }
}
