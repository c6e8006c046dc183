//! `icp test [PATHS...] [--filter TEXT] [--format human|json|junit] [--coverage]
//! [--min-coverage PCT]`: run every `test` block of the program.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use icp_check::{Checked, Options};
use icp_model::{Date, Decimal, Loc};

use crate::load::{FsLoader, color, display_path, parse_date};

/// Arguments of `icp test`.
#[derive(Debug, Clone, clap::Args)]
pub struct TestArgs {
    /// Files or directories (default: every `.icp` file of the current project); files are
    /// grouped by project (`icp.toml` root) and each project is tested on its own.
    pub paths: Vec<PathBuf>,
    /// Run only the tests whose name contains TEXT.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// Report the criteria (each scorecard branch), exclusions, target segments and tiers
    /// that no test saw both true and false.
    #[arg(long)]
    pub coverage: bool,
    /// Fail (exit 1) when the coverage is below PCT percent (implies `--coverage`).
    #[arg(long, value_name = "PCT")]
    pub min_coverage: Option<String>,
    /// `today` for tests without an `as_of` (default: the clock, UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

/// Output formats of `icp test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// `test NAME ... ok` / `FAILED` per test, the failures, and a summary (as cargo test).
    #[value(alias = "text")]
    Human,
    /// One JSON document with every report.
    Json,
    /// `JUnit` XML, for CI systems.
    Junit,
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
    let min_coverage = match args.min_coverage.as_deref().map(parse_percent).transpose() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(ERROR);
        }
    };
    let want_coverage = args.coverage || min_coverage.is_some();
    let mut filtered_out = 0usize;
    let mut coverage = icp_eval::Coverage::default();
    let mut ran: Vec<Ran<'_>> = Vec::new();
    for c in &checked_projects {
        let mut cov = icp_eval::Coverage::new(&c.program);
        for t in &c.program.tests {
            if args.filter.as_deref().is_some_and(|f| !t.name.contains(f)) {
                filtered_out += 1;
                continue;
            }
            let report = icp_eval::run_test(&c.program, t, today);
            if let Some(e) = &report.explanation {
                cov.record(e);
            }
            ran.push(Ran {
                report,
                loc: t.loc,
                checked: c,
            });
        }
        coverage.items.append(&mut cov.items);
    }
    let passed = ran.iter().filter(|r| r.report.passed).count();
    let failed = ran.len() - passed;
    let percent = coverage.percent();
    let below = min_coverage.is_some_and(|m| percent < m);
    let summary = Summary {
        passed,
        failed,
        filtered_out,
        broken,
        coverage: want_coverage.then_some(&coverage),
        min_coverage,
    };

    let text = match args.format {
        TestFormat::Json => match json(&ran, &summary) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(ERROR);
            }
        },
        TestFormat::Junit => junit(&ran, &summary),
        TestFormat::Human => human(&ran, &summary),
    };
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
    } else if failed > 0 || below {
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
            let (path, text) = checked
                .file(d.file)
                .map_or((String::new(), ""), |f| (display_path(&f.path), &*f.text));
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

/// One test run, with where it is written.
struct Ran<'a> {
    report: icp_eval::TestReport,
    loc: Loc,
    checked: &'a Checked,
}

/// The totals every format reports.
struct Summary<'a> {
    passed: usize,
    failed: usize,
    filtered_out: usize,
    broken: bool,
    coverage: Option<&'a icp_eval::Coverage>,
    min_coverage: Option<Decimal>,
}

/// `80`, `80%` or `87.5` as a percentage between 0 and 100.
fn parse_percent(s: &str) -> Result<Decimal, String> {
    let t = s.trim().trim_end_matches('%');
    match t.parse::<Decimal>() {
        Ok(d) if d >= Decimal::ZERO && d <= Decimal::ONE_HUNDRED => Ok(d),
        _ => Err(format!(
            "--min-coverage `{s}`: expected a percentage between 0 and 100, e.g. `90` or `90%`"
        )),
    }
}

/// File (as displayed), line and column of a declaration.
fn place(checked: &Checked, loc: Loc) -> (String, usize, usize) {
    checked.file(loc.file).map_or((String::new(), 0, 0), |f| {
        let (line, col) = f.lines.line_col(&f.text, loc.span.start as usize);
        (display_path(&f.path), line, col)
    })
}

/// `87.50%`.
fn pct(d: Decimal) -> String {
    format!("{}%", icp_model::num::fixed(d, 2))
}

/// What an item of the coverage was never seen as: `never true`, `never false`, `never
/// decided`.
fn missing(i: &icp_eval::CoverageItem) -> &'static str {
    match (i.seen_true, i.seen_false) {
        (true, false) => "never false",
        (false, true) => "never true",
        _ => "never true nor false",
    }
}

/// The coverage lines: a summary line with the percentage, then each item not seen both ways.
fn coverage_text(cov: &icp_eval::Coverage, min: Option<Decimal>) -> String {
    let mut text = String::new();
    let (seen, all) = cov.counts();
    let percent = cov.percent();
    let _ = write!(
        text,
        "coverage: {} ({seen} of {all} outcomes: criteria, branches, exclusions, segments and tiers each true and false)",
        pct(percent)
    );
    if let Some(m) = min.filter(|m| percent < *m) {
        let _ = write!(text, "; below --min-coverage {}", pct(m));
    }
    text.push('\n');
    for i in cov.items.iter().filter(|i| !i.covered()) {
        let _ = writeln!(
            text,
            "  {}: {} `{}` {}",
            i.profile,
            i.kind,
            i.name,
            missing(i)
        );
    }
    text
}

/// cargo test's layout: a line per test, the failures, the summary line last.
fn human(ran: &[Ran<'_>], sum: &Summary<'_>) -> String {
    let color = color(true);
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    };
    let mut text = String::new();
    let n = ran.len();
    let _ = writeln!(text, "running {n} test{}", if n == 1 { "" } else { "s" });
    for r in ran {
        let outcome = if r.report.passed {
            paint("32", "ok")
        } else {
            paint("31", "FAILED")
        };
        let _ = writeln!(text, "test {} ... {outcome}", r.report.name);
    }
    let failed: Vec<&Ran<'_>> = ran.iter().filter(|r| !r.report.passed).collect();
    if !failed.is_empty() {
        text.push_str("\nfailures:\n");
        for r in &failed {
            let _ = writeln!(
                text,
                "\n---- {} ({}) ----",
                r.report.name,
                location(r.checked, r.loc)
            );
            for f in &r.report.failures {
                let at = if f.loc == Loc::default() {
                    String::new()
                } else {
                    format!("{}: ", location(r.checked, f.loc))
                };
                let _ = writeln!(text, "{at}expected {}, got {}", f.expected, f.actual);
            }
        }
        text.push_str("\nfailures:\n");
        for r in &failed {
            let _ = writeln!(text, "    {}", r.report.name);
        }
    }
    if let Some(cov) = sum.coverage {
        text.push('\n');
        text.push_str(&coverage_text(cov, sum.min_coverage));
    }
    let ok = sum.failed == 0
        && !sum.broken
        && sum
            .min_coverage
            .zip(sum.coverage)
            .is_none_or(|(m, c)| c.percent() >= m);
    let mut line = format!(
        "test result: {}. {} passed, {} failed",
        if ok { "ok" } else { "FAILED" },
        sum.passed,
        sum.failed
    );
    if sum.filtered_out > 0 {
        let _ = write!(line, "; {} filtered out", sum.filtered_out);
    }
    if sum.broken {
        line.push_str(" (projects with errors were not tested: see above)");
    }
    let _ = writeln!(
        text,
        "\n{}",
        if ok {
            paint("32;1", &line)
        } else {
            paint("31;1", &line)
        }
    );
    text
}

/// One JSON document: totals, each test with its file, line, outcome, actual values and
/// failures, and the coverage when asked for.
fn json(ran: &[Ran<'_>], sum: &Summary<'_>) -> Result<String, serde_json::Error> {
    use serde_json::{Value, json};
    let tests: Vec<Value> = ran
        .iter()
        .map(|r| {
            let (file, line, column) = place(r.checked, r.loc);
            let rep = &r.report;
            let actual = match (&rep.invalid, &rep.explanation) {
                (Some(why), _) => json!({ "tier": "invalid", "invalid": why }),
                (None, Some(e)) => {
                    let groups: serde_json::Map<String, Value> = e
                        .groups
                        .iter()
                        .map(|g| {
                            (
                                g.name.clone(),
                                g.score.map_or(Value::Null, |s| json!(num_json(s))),
                            )
                        })
                        .collect();
                    let criteria: serde_json::Map<String, Value> = e
                        .criteria
                        .iter()
                        .map(|c| (c.name.clone(), json!(c.outcome)))
                        .collect();
                    let excluded_by: Vec<&str> = e
                        .exclusions
                        .iter()
                        .filter(|x| x.result == icp_eval::Tri::True)
                        .map(|x| x.name.as_str())
                        .collect();
                    let segments: Vec<&str> = e
                        .segment
                        .targets
                        .iter()
                        .filter(|t| t.result == icp_eval::Tri::True)
                        .map(|t| t.name.as_str())
                        .collect();
                    json!({
                        "tier": e.tier,
                        "score": num_json(e.score),
                        "coverage": num_json(e.coverage),
                        "groups": groups,
                        "criteria": criteria,
                        "excluded_by": excluded_by,
                        "in_segments": segments,
                        "action": e.action,
                    })
                }
                (None, None) => Value::Null,
            };
            let failures: Vec<Value> = rep
                .failures
                .iter()
                .map(|f| {
                    let (file, line, column) = place(r.checked, f.loc);
                    json!({
                        "expected": f.expected,
                        "actual": f.actual,
                        "file": file,
                        "line": line,
                        "column": column,
                    })
                })
                .collect();
            json!({
                "name": rep.name,
                "file": file,
                "line": line,
                "column": column,
                "profile": rep.profile,
                "today": rep.today,
                "outcome": if rep.passed { "passed" } else { "failed" },
                "passed": rep.passed,
                "actual": actual,
                "failures": failures,
                "invalid": rep.invalid,
                "explanation": rep.explanation,
            })
        })
        .collect();
    let mut out = json!({
        "passed": sum.passed,
        "failed": sum.failed,
        "filtered_out": sum.filtered_out,
        "tests": tests,
    });
    if let (Some(cov), Some(obj)) = (sum.coverage, out.as_object_mut()) {
        let (seen, all) = cov.counts();
        let not_covered: Vec<&icp_eval::CoverageItem> =
            cov.items.iter().filter(|i| !i.covered()).collect();
        obj.insert(
            "coverage".into(),
            json!({
                "percent": num_json(icp_model::num::round2(cov.percent())),
                "seen": seen,
                "outcomes": all,
                "min": sum.min_coverage.map(num_json),
                "not_covered": not_covered,
            }),
        );
    }
    let mut s = serde_json::to_string_pretty(&out)?;
    s.push('\n');
    Ok(s)
}

/// A decimal as a JSON number.
fn num_json(d: Decimal) -> serde_json::Value {
    let s = icp_model::num::round_dp(d, 4).normalize().to_string();
    serde_json::from_str(&s).unwrap_or(serde_json::Value::Null)
}

/// Text for an XML attribute or element.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if c.is_control() && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `JUnit` XML: one `testsuite` per file, one `testcase` per test, a `failure` per failed test.
fn junit(ran: &[Ran<'_>], sum: &Summary<'_>) -> String {
    let mut files: Vec<String> = Vec::new();
    for r in ran {
        let (file, ..) = place(r.checked, r.loc);
        if !files.contains(&file) {
            files.push(file);
        }
    }
    let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        text,
        "<testsuites name=\"icp test\" tests=\"{}\" failures=\"{}\">",
        sum.passed + sum.failed,
        sum.failed
    );
    for file in &files {
        let in_file: Vec<&Ran<'_>> = ran
            .iter()
            .filter(|r| place(r.checked, r.loc).0 == *file)
            .collect();
        let fails = in_file.iter().filter(|r| !r.report.passed).count();
        let _ = writeln!(
            text,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\">",
            xml(file),
            in_file.len()
        );
        for r in in_file {
            let (_, line, _) = place(r.checked, r.loc);
            let _ = write!(
                text,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{line}\"",
                xml(&r.report.name),
                xml(&r.report.profile),
                xml(file)
            );
            if r.report.passed {
                text.push_str("/>\n");
                continue;
            }
            text.push_str(">\n");
            let lines: Vec<String> = r
                .report
                .failures
                .iter()
                .map(|f| {
                    format!(
                        "{}: expected {}, got {}",
                        location(r.checked, f.loc),
                        f.expected,
                        f.actual
                    )
                })
                .collect();
            let message = r
                .report
                .failures
                .first()
                .map(|f| format!("expected {}, got {}", f.expected, f.actual))
                .unwrap_or_default();
            let _ = writeln!(
                text,
                "      <failure message=\"{}\" type=\"expectation\">{}</failure>",
                xml(&message),
                xml(&lines.join("\n"))
            );
            text.push_str("    </testcase>\n");
        }
        text.push_str("  </testsuite>\n");
    }
    text.push_str("</testsuites>\n");
    text
}
