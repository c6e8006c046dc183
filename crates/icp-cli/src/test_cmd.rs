//! `icp test [PATHS...] [--format json]`: run every `test` block of the program.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use icp_check::{Checked, Options};
use icp_model::{Date, Loc};

use crate::load::FsLoader;

/// Arguments of `icp test`.
#[derive(Debug, Clone, clap::Args)]
pub struct TestArgs {
    /// Files or directories (default: every `.icp` file under the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// `today` for tests without an `as_of` (default: the clock, UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

/// Output formats of `icp test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// `ok` / `FAILED` per test and a summary.
    Text,
    /// One JSON document with every report.
    Json,
}

/// Exit code of a failed expectation (1) and of a program or usage error (2).
const FAILED: u8 = 1;
const ERROR: u8 = 2;

/// Run `icp test`.
pub fn run(args: &TestArgs) -> ExitCode {
    let today = match args.as_of.as_deref().map(parse_date).transpose() {
        Ok(d) => d.unwrap_or_else(clock_today),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(ERROR);
        }
    };
    let files = match expand(&args.paths) {
        Ok(f) if f.is_empty() => {
            eprintln!("error: no `.icp` files found");
            return ExitCode::from(ERROR);
        }
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(ERROR);
        }
    };
    // Each project (an `icp.toml` root) is checked on its own.
    let mut projects: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    for f in files {
        let abs = std::path::absolute(&f).unwrap_or(f);
        let dir = abs
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let root = icp_check::find_root(&dir, Path::is_file);
        match projects.iter_mut().find(|(r, _)| *r == root) {
            Some((_, entries)) => entries.push(abs),
            None => projects.push((root, vec![abs])),
        }
    }
    let mut broken = false;
    let mut checked_projects = Vec::new();
    for (root, entries) in &projects {
        match load_checked(root, entries, Some(today)) {
            Some(c) => checked_projects.push(c),
            None => broken = true,
        }
    }
    if checked_projects.is_empty() {
        return ExitCode::from(ERROR);
    }
    let reports: Vec<(icp_eval::TestReport, Loc, &Checked)> = checked_projects
        .iter()
        .flat_map(|c| {
            c.program
                .tests
                .iter()
                .map(move |t| (icp_eval::run_test(&c.program, t, today), t.loc, c))
        })
        .collect();
    let passed = reports.iter().filter(|(r, ..)| r.passed).count();
    let failed = reports.len() - passed;

    match args.format {
        TestFormat::Json => {
            #[derive(serde::Serialize)]
            struct Out<'a> {
                passed: usize,
                failed: usize,
                tests: Vec<&'a icp_eval::TestReport>,
            }
            let out = Out {
                passed,
                failed,
                tests: reports.iter().map(|(r, ..)| r).collect(),
            };
            match serde_json::to_string_pretty(&out) {
                Ok(s) => println!("{s}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(ERROR);
                }
            }
        }
        TestFormat::Text => {
            let color = color(true);
            let paint = |code: &str, s: &str| {
                if color {
                    format!("\x1b[{code}m{s}\x1b[0m")
                } else {
                    s.to_owned()
                }
            };
            if reports.is_empty() {
                println!("no tests found");
            }
            for (r, loc, checked) in &reports {
                if r.passed {
                    println!("{} {}", paint("32", "ok    "), r.name);
                    continue;
                }
                println!(
                    "{} {}  ({})",
                    paint("31;1", "FAILED"),
                    r.name,
                    location(checked, *loc)
                );
                for f in &r.failures {
                    let at = location(checked, f.loc);
                    let at = if at.is_empty() || f.loc == Loc::default() {
                        String::new()
                    } else {
                        format!("  at {at}")
                    };
                    println!("       expected {}{at}", f.expected);
                    println!("       found    {}", f.actual);
                }
            }
            let mut summary = format!("{passed} passed, {failed} failed");
            if broken {
                summary.push_str(" (projects with errors were not tested: see above)");
            }
            println!(
                "\n{}",
                if failed > 0 || broken {
                    paint("31;1", &summary)
                } else {
                    paint("32;1", &summary)
                }
            );
        }
    }
    if broken {
        ExitCode::from(ERROR)
    } else if failed > 0 {
        ExitCode::from(FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// Today by the clock (UTC).
pub(crate) fn clock_today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date((secs / 86_400) as i32)
}

/// Parse a `--as-of` date (`YYYY-MM-DD`).
pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse_iso(s.trim()).ok_or_else(|| format!("`{s}` is not a date: expected YYYY-MM-DD"))
}

/// Whether to colour stdout (`true`) or stderr: a terminal, and no `NO_COLOR`.
pub(crate) fn color(stdout: bool) -> bool {
    let tty = if stdout {
        std::io::stdout().is_terminal()
    } else {
        std::io::stderr().is_terminal()
    };
    tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Each file as given and every `.icp` file under each directory (sorted; hidden
/// directories and `target` skipped); no paths: the current directory.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
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
    let mut out = Vec::new();
    let cwd = [PathBuf::from(".")];
    for p in if paths.is_empty() { &cwd[..] } else { paths } {
        if p.is_dir() {
            walk(p, &mut out).map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Check the program of one project; on errors print them to stderr and return `None`.
fn load_checked(root: &Path, entries: &[PathBuf], today: Option<Date>) -> Option<Checked> {
    let checked = icp_check::check(entries, root, &FsLoader, &Options { today });
    if checked.has_errors() {
        let color = color(false);
        let errors: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        for d in &errors {
            let (path, text) = checked.file(d.file).map_or((String::new(), ""), |f| {
                (display_path(&f.path), f.text.as_str())
            });
            eprintln!("{}", d.render(&path, text, color));
        }
        let n = errors.len();
        eprintln!(
            "error: `{}` has {n} error{}",
            display_path(root),
            if n == 1 { "" } else { "s" }
        );
        return None;
    }
    Some(checked)
}

/// A path relative to the current directory when it is under it.
pub(crate) fn display_path(p: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| p.to_path_buf())
        .display()
        .to_string()
}

/// `path:line:col` of a declaration.
pub(crate) fn location(checked: &Checked, loc: Loc) -> String {
    checked.file(loc.file).map_or_else(String::new, |f| {
        let (line, col) = f.lines.line_col(&f.text, loc.span.start as usize);
        format!("{}:{line}:{col}", display_path(&f.path))
    })
}
