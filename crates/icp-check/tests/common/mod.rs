//! Shared helpers for the checker's tests: an in-memory project from one text.

#![allow(dead_code, reason = "each test file uses a part")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly"
)]

#[path = "../../../icp-cli/src/render.rs"]
mod render;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use icp_check::{Checked, LoadError, Loader, MemoryLoader, Options, check};
use icp_syntax::Date;

/// The virtual project root of test cases.
pub const ROOT: &str = "/project";

/// Split a case into files: `// file: NAME` lines start a new file; text before the first
/// marker is `main.icp`. The first file is the entry.
pub fn split(text: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut name = "main.icp".to_owned();
    let mut buf = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.trim_end().strip_prefix("// file: ") {
            if !buf.trim().is_empty() || !files.is_empty() {
                files.push((name.clone(), std::mem::take(&mut buf)));
            }
            buf.clear();
            rest.trim().clone_into(&mut name);
            continue;
        }
        buf.push_str(line);
    }
    files.push((name, buf));
    files
}

/// `// today: YYYY-MM-DD` in a case sets the date (default 2027-01-15).
pub fn today_of(text: &str) -> Date {
    text.lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("// today: ")
                .and_then(|d| Date::parse_iso(d.trim()))
        })
        .unwrap_or_else(|| Date::parse_iso("2027-01-15").unwrap())
}

/// A memory loader where files marked `!unreadable` are not UTF-8.
struct TestLoader {
    files: MemoryLoader,
    unreadable: Vec<PathBuf>,
}

impl Loader for TestLoader {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        if self.unreadable.iter().any(|p| p == path) {
            return Err(LoadError::NotUtf8 { offset: 3 });
        }
        self.files.load(path)
    }
}

/// Check a case.
pub fn check_case(text: &str) -> Checked {
    let files = split(text);
    let mut loader = TestLoader {
        files: MemoryLoader::new(),
        unreadable: Vec::new(),
    };
    for (name, body) in &files {
        match name.strip_suffix(" !unreadable") {
            Some(name) => loader.unreadable.push(Path::new(ROOT).join(name)),
            None => loader.files = loader.files.with(Path::new(ROOT).join(name), body.clone()),
        }
    }
    let entry: PathBuf = Path::new(ROOT).join(&files[0].0);
    check(
        &[entry],
        Path::new(ROOT),
        &loader,
        &Options {
            today: Some(today_of(text)),
        },
    )
}

/// Render every diagnostic without colour, with the fix titles.
pub fn render(checked: &Checked) -> String {
    let mut out = String::new();
    for d in &checked.diagnostics {
        let Some(file) = checked.file(d.file) else {
            continue;
        };
        let path = file
            .path
            .strip_prefix(ROOT)
            .unwrap_or(&file.path)
            .to_string_lossy()
            .into_owned();
        out.push_str(&render::render(d, &path, &file.text, false));
        if let Some(fix) = &d.fix {
            for e in &fix.edits {
                let _ = writeln!(
                    out,
                    "  fix: {} (file {}, {}..{} → {:?})",
                    fix.title, e.file.0, e.span.start, e.span.end, e.text
                );
            }
        }
        out.push('\n');
    }
    out
}
