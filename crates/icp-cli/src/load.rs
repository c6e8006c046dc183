//! Loading a program from the file system: a [`Loader`] over `std::fs`, and
//! [`load_program`], which checks a file or a directory of `.icp` files.

use std::path::{Path, PathBuf};

use icp_check::{Checked, LoadError, Loader, Options};
use icp_model::Date;

/// Reads source files from the file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        if path.is_dir() {
            return Err(LoadError::Other(format!(
                "`{}` is a directory",
                path.display()
            )));
        }
        match std::fs::read(path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
                offset: e.utf8_error().valid_up_to(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(LoadError::NotFound),
            Err(e) => Err(LoadError::Other(e.to_string())),
        }
    }
}

/// The entry files of `path`: the file itself, or every `.icp` file under the directory
/// (sorted; hidden directories and `target` skipped).
pub fn entry_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if p.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    walk(&p, out)?;
                }
            } else if p.extension().is_some_and(|e| e == "icp") {
                out.push(p);
            }
        }
        Ok(())
    }
    if path.is_dir() {
        let mut out = Vec::new();
        walk(path, &mut out).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        if out.is_empty() {
            return Err(format!("no `.icp` files under `{}`", path.display()));
        }
        Ok(out)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

/// Check the program of `path` (a file, or a directory of `.icp` files), with the project
/// root found from it. `Err` holds the rendered errors (each followed by a newline), ready
/// to print.
pub fn load_program(path: &Path, today: Option<Date>, color: bool) -> Result<Checked, String> {
    let files = entry_files(path).map_err(|e| format!("error: {e}\n"))?;
    let entries: Vec<PathBuf> = files
        .iter()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
        .collect();
    let start = if path.is_dir() {
        std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
    } else {
        entries
            .first()
            .and_then(|p| p.parent())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let root = icp_check::find_root(&start, Path::is_file);
    let checked = icp_check::check(&entries, &root, &FsLoader, &Options { today });
    if !checked.has_errors() {
        return Ok(checked);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut rendered = String::new();
    for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
        let (shown, text) = checked.file(d.file).map_or((String::new(), ""), |f| {
            let p = f.path.strip_prefix(&cwd).unwrap_or(&f.path);
            (p.display().to_string(), f.text.as_str())
        });
        rendered.push_str(&d.render(&shown, text, color));
        if !rendered.ends_with('\n') {
            rendered.push('\n');
        }
    }
    Err(rendered)
}
