//! `icp check [PATHS...]`: type-check ICP files and report every problem.
//!
//! Exit codes: 0 when there is no error (and, with `--deny warnings`, no warning), 1 when
//! there are, 2 on bad usage or a file or directory that cannot be read.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use icp_check::{Checked, LoadError, Loader, Options};
use icp_syntax::Severity;

use crate::load;

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

pub use crate::load::FsLoader;

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

fn run_inner(args: &CheckArgs) -> Result<ExitCode, Fatal> {
    let today = match args.today.as_deref() {
        Some(s) => load::parse_date(s).map_err(|e| Fatal(format!("--today {e}")))?,
        None => icp_host::today_utc(),
    };
    // Each project (an `icp.toml` root) is checked on its own, so `icp check examples/`
    // checks every example without their names colliding.
    let projects = load::projects(&args.paths).map_err(Fatal)?;
    let mut results = Vec::with_capacity(projects.len());
    for project in &projects {
        // Entries must be readable UTF-8: say exactly where they are not.
        for e in &project.entries {
            // Through the root: a link that leads out of the project is refused unread.
            match FsLoader.load_within(e, &project.root) {
                Ok(_) => {}
                Err(LoadError::NotUtf8 { offset }) => {
                    return Err(Fatal(format!(
                        "`{}` is not valid UTF-8 (first invalid byte at offset {offset})",
                        load::display_path(e)
                    )));
                }
                Err(LoadError::NotFound) => {
                    return Err(Fatal(format!(
                        "cannot read `{}`: no such file",
                        load::display_path(e)
                    )));
                }
                Err(why) => {
                    return Err(Fatal(format!(
                        "cannot read `{}`: {why}",
                        load::display_path(e)
                    )));
                }
            }
        }
        results.push(icp_check::check(
            &project.entries,
            &project.root,
            &FsLoader,
            &Options { today: Some(today) },
        ));
    }
    if !report(&results, args.format)? {
        // The reader of stdout went away (`| head -1`): stop quietly, as `cat` does.
        return Ok(ExitCode::SUCCESS);
    }
    let deny = args.deny == Some(Deny::Warnings);
    let failed = results
        .iter()
        .any(|c| c.has_errors() || (deny && !c.diagnostics.is_empty()));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
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

/// Prints the diagnostics; `Ok(false)` when the reader of stdout went away.
fn report(all: &[Checked], format: Format) -> Result<bool, Fatal> {
    let io = |e: std::io::Error| Fatal(format!("cannot write the report: {e}"));
    match format {
        Format::Json => {
            let items: Vec<JsonDiagnostic<'_>> = all
                .iter()
                .flat_map(|checked| checked.diagnostics.iter().map(move |d| (checked, d)))
                .filter_map(|(checked, d)| {
                    let f = checked.file(d.file)?;
                    let pos = d.position(&f.text, &f.lines);
                    Some(JsonDiagnostic {
                        code: d.code.to_string(),
                        severity: d.severity,
                        file: load::display_path(&f.path),
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
            return load::print_stdout(&format!("{json}\n")).map_err(io);
        }
        Format::Plain => {
            use std::fmt::Write as _;
            let mut out = String::new();
            for (checked, d) in all
                .iter()
                .flat_map(|c| c.diagnostics.iter().map(move |d| (c, d)))
            {
                let Some(f) = checked.file(d.file) else {
                    continue;
                };
                let pos = d.position(&f.text, &f.lines);
                let _ = writeln!(
                    out,
                    "{}:{}:{}: {}[{}]: {}",
                    load::display_path(&f.path),
                    pos.line,
                    pos.column,
                    d.severity.as_str(),
                    d.code,
                    d.message
                );
            }
            let _ = writeln!(out, "{}", summary(all));
            // A reader that went away (`| head -1`) is no error.
            return load::print_stdout(&out).map_err(io);
        }
        Format::Human => {
            let stderr = std::io::stderr();
            let color = load::color(false);
            let mut err = stderr.lock();
            for (checked, d) in all
                .iter()
                .flat_map(|c| c.diagnostics.iter().map(move |d| (c, d)))
            {
                let Some(f) = checked.file(d.file) else {
                    continue;
                };
                write!(
                    err,
                    "{}",
                    crate::render::render(d, &load::display_path(&f.path), &f.text, color)
                )
                .map_err(io)?;
                writeln!(err).map_err(io)?;
            }
            writeln!(err, "{}", summary(all)).map_err(io)?;
        }
    }
    Ok(true)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `2 errors, 1 warning in 3 files`.
fn summary(all: &[Checked]) -> String {
    let diagnostics = || all.iter().flat_map(|c| c.diagnostics.iter());
    let errors = diagnostics().filter(|d| d.is_error()).count();
    let warnings = diagnostics().count() - errors;
    let files: usize = all.iter().map(|c| c.files.len()).sum();
    format!(
        "{}, {} in {}",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(files, "file")
    )
}
