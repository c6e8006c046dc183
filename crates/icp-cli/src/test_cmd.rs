//! `icp test [PATHS...] [--format json]`: run every `test` block of the program.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use icp_check::{Checked, Options};
use icp_model::{Date, Loc};

use crate::load::{FsLoader, color, display_path, parse_date};

/// Arguments of `icp test`.
#[derive(Debug, Clone, clap::Args)]
pub struct TestArgs {
    /// Files or directories (default: every `.icp` file of the current project); files are
    /// grouped by project (`icp.toml` root) and each project is tested on its own.
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
    let today = match args
        .as_of
        .as_deref()
        .map(|s| parse_date(s).map_err(|e| format!("--as-of {e}")))
        .transpose()
    {
        Ok(d) => d.unwrap_or_else(icp_host::today_utc),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(ERROR);
        }
    };
    let projects = match crate::load::projects(&args.paths) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(ERROR);
        }
    };
    let mut broken = false;
    let mut checked_projects = Vec::new();
    for project in &projects {
        match load_checked(&project.root, &project.entries, Some(today)) {
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

    let mut text = String::new();
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
                Ok(s) => {
                    text.push_str(&s);
                    text.push('\n');
                }
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
                text.push_str("no tests found\n");
            }
            for (r, loc, checked) in &reports {
                if r.passed {
                    let _ = writeln!(text, "{} {}", paint("32", "ok    "), r.name);
                    continue;
                }
                let _ = writeln!(
                    text,
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
                    let _ = writeln!(text, "       expected {}{at}", f.expected);
                    let _ = writeln!(text, "       found    {}", f.actual);
                }
            }
            let mut summary = format!("{passed} passed, {failed} failed");
            if broken {
                summary.push_str(" (projects with errors were not tested: see above)");
            }
            let _ = writeln!(
                text,
                "\n{}",
                if failed > 0 || broken {
                    paint("31;1", &summary)
                } else {
                    paint("32;1", &summary)
                }
            );
        }
    }
    match crate::load::print_stdout(&text) {
        Ok(true) => {}
        // The reader went away (`icp test | head -1`): stop quietly, as `cat` does.
        Ok(false) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the report: {e}");
            return ExitCode::from(ERROR);
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
            eprintln!("{}", crate::render::render(d, &path, text, color));
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

/// `path:line:col` of a declaration.
pub(crate) fn location(checked: &Checked, loc: Loc) -> String {
    checked.file(loc.file).map_or_else(String::new, |f| {
        let (line, col) = f.lines.line_col(&f.text, loc.span.start as usize);
        format!("{}:{line}:{col}", display_path(&f.path))
    })
}
