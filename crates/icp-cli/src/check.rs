//! `icp check [PATHS...]`: type-check ICP files and report every problem.
//!
//! Exit codes: 0 when there is no error (and, with `--deny warnings`, no warning), 1 when
//! there are, 2 on bad usage or a file or directory that cannot be read.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use icp_check::{Checked, LoadError, Loader, Options, normalize};
use icp_syntax::{Date, Severity};

/// Arguments of `icp check`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check (default: every `.icp` file of the current project:
    /// the nearest ancestor directory with an `icp.toml`, else the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format: `human` (graphical, on stderr), `plain` (one line per diagnostic, on
    /// stdout) or `json` (one array, on stdout).
    #[arg(long, alias = "error-format", value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// `--deny warnings`: warnings fail the check too.
    #[arg(long, value_enum, value_name = "warnings")]
    pub deny: Option<Deny>,
    /// Today's date, `YYYY-MM-DD`, for `situation_ended` (default: the clock).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette's graphical report on stderr.
    Human,
    /// `file:line:column: severity[code]: message` lines on stdout.
    Plain,
    /// A JSON array on stdout.
    Json,
}

/// What `--deny` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Warnings fail the check.
    Warnings,
}

/// Reads source files from disk.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsLoader;

impl Loader for FsLoader {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        match std::fs::read(path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8 {
                offset: e.utf8_error().valid_up_to(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(LoadError::NotFound),
            Err(e) => Err(LoadError::Other(e.to_string())),
        }
    }
}

/// A usage or IO problem: exit code 2.
struct Fatal(String);

/// Run `icp check`.
pub fn run(args: &CheckArgs) -> ExitCode {
    match run_inner(args) {
        Ok(code) => code,
        Err(Fatal(msg)) => {
            let _ = writeln!(std::io::stderr(), "error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn today(arg: Option<&str>) -> Result<Date, Fatal> {
    if let Some(s) = arg {
        return Date::parse_iso(s.trim()).ok_or_else(|| {
            Fatal(format!(
                "`--today {s}` is not a date: write it as YYYY-MM-DD"
            ))
        });
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Ok(Date(i32::try_from(secs / 86_400).unwrap_or(i32::MAX)))
}

/// Every `*.icp` file under `dir`, sorted, skipping `target/`, `node_modules/` and hidden
/// directories.
fn walk(dir: &Path) -> Result<Vec<PathBuf>, Fatal> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|e| Fatal(format!("cannot read directory `{}`: {e}", d.display())))?;
        for entry in entries {
            let entry = entry
                .map_err(|e| Fatal(format!("cannot read directory `{}`: {e}", d.display())))?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                if name.starts_with('.') || name == "target" || name == "node_modules" {
                    continue;
                }
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "icp") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn run_inner(args: &CheckArgs) -> Result<ExitCode, Fatal> {
    let today = today(args.today.as_deref())?;
    let cwd = std::env::current_dir()
        .map_err(|e| Fatal(format!("cannot read the current directory: {e}")))?;
    let is_file = |p: &Path| p.is_file();
    let (root, entries) = if args.paths.is_empty() {
        let root = icp_check::find_root(&cwd, is_file);
        let files = walk(&root)?;
        if files.is_empty() {
            return Err(Fatal(format!(
                "no `.icp` files in `{}`",
                shown(&cwd, &root)
            )));
        }
        (root, files)
    } else {
        let mut entries = Vec::new();
        let mut root = None;
        for p in &args.paths {
            let abs = normalize(&cwd.join(p));
            let meta = std::fs::metadata(&abs).map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    Fatal(format!(
                        "cannot read `{}`: no such file or directory",
                        p.display()
                    ))
                } else {
                    Fatal(format!("cannot read `{}`: {e}", p.display()))
                }
            })?;
            let start = if meta.is_dir() {
                abs.clone()
            } else {
                abs.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            root.get_or_insert_with(|| icp_check::find_root(&start, is_file));
            if meta.is_dir() {
                let files = walk(&abs)?;
                if files.is_empty() {
                    return Err(Fatal(format!("no `.icp` files in `{}`", p.display())));
                }
                entries.extend(files);
            } else {
                entries.push(abs);
            }
        }
        (root.unwrap_or_else(|| cwd.clone()), entries)
    };
    // Entries must be readable UTF-8: say exactly where they are not.
    for e in &entries {
        match FsLoader.load(e) {
            Ok(_) => {}
            Err(LoadError::NotUtf8 { offset }) => {
                return Err(Fatal(format!(
                    "`{}` is not valid UTF-8 (first invalid byte at offset {offset})",
                    shown(&cwd, e)
                )));
            }
            Err(LoadError::NotFound) => {
                return Err(Fatal(format!(
                    "cannot read `{}`: no such file",
                    shown(&cwd, e)
                )));
            }
            Err(LoadError::Other(why)) => {
                return Err(Fatal(format!("cannot read `{}`: {why}", shown(&cwd, e))));
            }
        }
    }
    let checked = icp_check::check(&entries, &root, &FsLoader, &Options { today: Some(today) });
    report(&checked, &cwd, args.format)?;
    let deny = args.deny == Some(Deny::Warnings);
    let failed = checked.has_errors() || (deny && !checked.diagnostics.is_empty());
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn shown(cwd: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(cwd).unwrap_or(p);
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() { ".".to_owned() } else { s }
}

#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    code: String,
    severity: Severity,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
    help: Option<&'a str>,
}

fn report(checked: &Checked, cwd: &Path, format: Format) -> Result<(), Fatal> {
    let io = |e: std::io::Error| Fatal(format!("cannot write the report: {e}"));
    match format {
        Format::Json => {
            let items: Vec<JsonDiagnostic<'_>> = checked
                .diagnostics
                .iter()
                .filter_map(|d| {
                    let f = checked.file(d.file)?;
                    let pos = d.position(&f.text, &f.lines);
                    Some(JsonDiagnostic {
                        code: d.code.to_string(),
                        severity: d.severity,
                        file: shown(cwd, &f.path),
                        line: pos.line,
                        column: pos.column,
                        end_line: pos.end_line,
                        end_column: pos.end_column,
                        message: &d.message,
                        help: d.help.as_deref(),
                    })
                })
                .collect();
            let json = serde_json::to_string_pretty(&items).map_err(|e| Fatal(e.to_string()))?;
            writeln!(std::io::stdout(), "{json}").map_err(io)?;
        }
        Format::Plain => {
            let mut out = std::io::stdout().lock();
            for d in &checked.diagnostics {
                let Some(f) = checked.file(d.file) else {
                    continue;
                };
                let pos = d.position(&f.text, &f.lines);
                writeln!(
                    out,
                    "{}:{}:{}: {}[{}]: {}",
                    shown(cwd, &f.path),
                    pos.line,
                    pos.column,
                    d.severity.as_str(),
                    d.code,
                    d.message
                )
                .map_err(io)?;
            }
            writeln!(out, "{}", summary(checked)).map_err(io)?;
        }
        Format::Human => {
            let stderr = std::io::stderr();
            let color =
                stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let mut err = stderr.lock();
            for d in &checked.diagnostics {
                let Some(f) = checked.file(d.file) else {
                    continue;
                };
                write!(err, "{}", d.render(&shown(cwd, &f.path), &f.text, color)).map_err(io)?;
                writeln!(err).map_err(io)?;
            }
            writeln!(err, "{}", summary(checked)).map_err(io)?;
        }
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `2 errors, 1 warning in 3 files`.
fn summary(checked: &Checked) -> String {
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = checked.diagnostics.len() - errors;
    format!(
        "{}, {} in {}",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(checked.files.len(), "file")
    )
}
