//! Loading a program from the file system: a [`Loader`] over `std::fs`, and
//! [`load_program`], which checks a file or a directory of `.icp` files.

use std::path::{Path, PathBuf};

use icp_check::{Checked, Options};
use icp_model::Date;

/// Reads source files from the file system (regular files only, size-capped): the host's.
pub use icp_host::FsLoader;

/// Every `*.icp` file under `dir`, sorted; hidden directories, `target/` and
/// `node_modules/` are skipped. Iterative, so a deep tree cannot overflow the stack.
pub fn walk(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| format!("cannot read directory `{}`: {e}", display_path(&d)))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| format!("cannot read directory `{}`: {e}", display_path(&d)))?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "icp") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The entry files of `path`: the file itself, or every `.icp` file under the directory.
pub fn entry_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_dir() {
        let out = walk(path)?;
        if out.is_empty() {
            return Err(format!("no `.icp` files under `{}`", display_path(path)));
        }
        Ok(out)
    } else {
        Ok(vec![path.to_path_buf()])
    }
}

/// One project: its root (nearest ancestor with `icp.toml`) and the entry files in it.
#[derive(Debug, Clone)]
pub struct Project {
    /// The project root.
    pub root: PathBuf,
    /// Absolute, normalised entry files, sorted.
    pub entries: Vec<PathBuf>,
}

/// The `.icp` files named by `paths` (files, or directories searched recursively), grouped
/// by project so that `icp check examples/` checks each example on its own. With no paths:
/// the project of the current directory. `Err` says which path cannot be read.
pub fn projects(paths: &[PathBuf]) -> Result<Vec<Project>, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let mut files = Vec::new();
    if paths.is_empty() {
        let root = icp_check::find_root(&cwd, Path::is_file);
        files = walk(&root)?;
        if files.is_empty() {
            return Err(format!("no `.icp` files in `{}`", display_path(&root)));
        }
    }
    for p in paths {
        let abs = icp_check::normalize(&cwd.join(p));
        let meta = std::fs::metadata(&abs).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("cannot read `{}`: no such file or directory", p.display())
            } else {
                format!("cannot read `{}`: {e}", p.display())
            }
        })?;
        if meta.is_dir() {
            let found = walk(&abs)?;
            if found.is_empty() {
                return Err(format!("no `.icp` files in `{}`", p.display()));
            }
            files.extend(found);
        } else {
            files.push(abs);
        }
    }
    let mut projects: Vec<Project> = Vec::new();
    for file in files {
        let dir = file.parent().map_or_else(|| cwd.clone(), Path::to_path_buf);
        let root = icp_check::find_root(&dir, Path::is_file);
        match projects.iter_mut().find(|p| p.root == root) {
            Some(p) => {
                if !p.entries.contains(&file) {
                    p.entries.push(file);
                }
            }
            None => projects.push(Project {
                root,
                entries: vec![file],
            }),
        }
    }
    Ok(projects)
}

/// Parse a date option (`YYYY-MM-DD`). A date in that form whose month or day does not
/// exist says which part is out of range, not that the form is wrong.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let t = s.trim();
    if let Some(d) = Date::parse_iso(t) {
        return Ok(d);
    }
    let digits = |r: std::ops::Range<usize>| {
        t.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let shaped = t.len() == 10 && t.get(4..5) == Some("-") && t.get(7..8) == Some("-");
    if let (true, Some(y), Some(m), Some(d)) = (shaped, digits(0..4), digits(5..7), digits(8..10)) {
        let y = i32::try_from(y).unwrap_or(0);
        if !(1..=12).contains(&m) {
            return Err(format!(
                "`{s}` is not a date: month {m:02} is out of range (01 to 12)"
            ));
        }
        if y == 0 {
            return Err(format!(
                "`{s}` is not a date: year 0000 is out of range (0001 to 9999)"
            ));
        }
        let last = (28..=31)
            .rev()
            .find(|&n| Date::from_ymd(y, m, n).is_some())
            .unwrap_or(28);
        return Err(format!(
            "`{s}` is not a date: day {d:02} is out of range ({y:04}-{m:02} has {last} days)"
        ));
    }
    Err(format!("`{s}` is not a date: expected YYYY-MM-DD"))
}

/// Writes `text` to standard output and flushes it. `Ok(false)`: the reader went away
/// (`icp ... | head -1`), which is no error: the command then stops quietly with exit 0,
/// as `cat` and ripgrep do.
pub fn print_stdout(text: &str) -> std::io::Result<bool> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether to colour stdout (`true`) or stderr: a terminal, and colour not turned off
/// ([`icp_host::no_color`]).
pub fn color(stdout: bool) -> bool {
    use std::io::IsTerminal as _;
    let tty = if stdout {
        std::io::stdout().is_terminal()
    } else {
        std::io::stderr().is_terminal()
    };
    tty && !icp_host::no_color()
}

/// A path relative to the current directory when it is under it (`.` for the directory
/// itself), with `/` separators.
pub fn display_path(p: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let rel = p.strip_prefix(&cwd).unwrap_or(p);
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() { ".".to_owned() } else { s }
}

/// Why [`load_program`] gave no program.
#[derive(Debug)]
pub enum ProgramError {
    /// The program path cannot be read at all (missing, not a file or directory): the
    /// message, with its `error: ` and newline, says it all.
    Unreadable(String),
    /// The program has errors: their rendering, each followed by a newline.
    Errors(String),
}

/// Check the program of `path` (a file, or a directory of `.icp` files), with the project
/// root found from it. `Err` holds the rendered errors (each followed by a newline), ready
/// to print.
pub fn load_program(
    path: &Path,
    today: Option<Date>,
    color: bool,
) -> Result<Checked, ProgramError> {
    if let Err(e) = std::fs::metadata(path) {
        let why = if e.kind() == std::io::ErrorKind::NotFound {
            "no such file or directory".to_owned()
        } else {
            e.to_string()
        };
        return Err(ProgramError::Unreadable(format!(
            "error: cannot read `{}`: {why}\n",
            path.display()
        )));
    }
    let (entries, root) =
        entries_and_root(path).map_err(|e| ProgramError::Unreadable(format!("error: {e}\n")))?;
    let checked = icp_check::check(&entries, &root, &FsLoader, &Options { today });
    if !checked.has_errors() {
        return Ok(checked);
    }
    let mut rendered = String::new();
    for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
        let (shown, text) = checked
            .file(d.file)
            .map_or((String::new(), ""), |f| (display_path(&f.path), &*f.text));
        rendered.push_str(&crate::render::render(d, &shown, text, color));
        if !rendered.ends_with('\n') {
            rendered.push('\n');
        }
    }
    Err(ProgramError::Errors(rendered))
}

/// The entry files of PATH (a file, or the `.icp` files of a directory), made absolute, and
/// the project root they belong to (the nearest folder with `icp.toml` above them). `Err` is
/// the message, without `error: `.
pub fn entries_and_root(path: &Path) -> Result<(Vec<PathBuf>, PathBuf), String> {
    let entries: Vec<PathBuf> = entry_files(path)?
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
    Ok((entries, root))
}

/// The decimal point of the accounts' numbers: `--decimal` (`flag`) when given, else
/// `decimal` under `[data]` in the `icp.toml` of the program's project, else `.`. `Err` is
/// the message, without `error: `.
pub fn data_decimal(program: &Path, flag: Option<&str>) -> Result<icp_data::DecimalMark, String> {
    if let Some(f) = flag {
        return icp_data::DecimalMark::from_setting(f)
            .ok_or_else(|| format!("`--decimal {f}`: expected `.` or `,`"));
    }
    let abs = std::path::absolute(program).unwrap_or_else(|_| program.to_path_buf());
    let start = if abs.is_dir() {
        abs
    } else {
        abs.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let root = icp_check::find_root(&start, Path::is_file);
    let path = root.join("icp.toml");
    if !path.is_file() {
        return Ok(icp_data::DecimalMark::Point);
    }
    let shown = display_path(&path);
    let text = icp_host::load_file(&path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("`{shown}` is not valid TOML: {}", e.message()))?;
    let Some(value) = table.get("data").and_then(|d| d.get("decimal")) else {
        return Ok(icp_data::DecimalMark::Point);
    };
    value
        .as_str()
        .and_then(icp_data::DecimalMark::from_setting)
        .ok_or_else(|| {
            format!("`{shown}`: `decimal` under `[data]` must be \".\" or \",\", found `{value}`")
        })
}
