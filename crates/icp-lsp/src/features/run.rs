//! Code lenses that run something: "▶ run test" on each `test` block of the document. Its
//! command ([`RUN_TEST`], arguments: the document's URI and the test's name) runs the test
//! as `icp test` does (`icp_eval::run_test`, the check's `today`) and turns each failed
//! expectation into a diagnostic on its `expect` line.

use icp_syntax::Span;
use tower_lsp_server::ls_types::{self as lsp, CodeLens, NumberOrString};

use crate::world::{Analysis, ENTRY};

/// The command of a "run test" lens.
pub const RUN_TEST: &str = "icp.runTest";

/// The diagnostic code of a failed expectation.
pub const TEST_FAILED: &str = "icp::test_failed";

/// A "▶ run test" lens on each test of the analysed document.
pub fn lenses(a: &Analysis) -> Vec<CodeLens> {
    a.checked
        .program
        .tests
        .iter()
        .filter(|t| t.loc.file == ENTRY)
        .map(|t| super::command_lens(a, t.loc.span, "▶ run test".to_owned(), RUN_TEST, &t.name))
        .collect()
}

/// What running tests gave.
#[derive(Debug, Default)]
pub struct TestRun {
    /// The names of the tests run.
    pub ran: Vec<String>,
    /// How many passed.
    pub passed: usize,
    /// One per failed expectation, on its `expect` (else on the test's name).
    pub diagnostics: Vec<lsp::Diagnostic>,
    /// A line for the user: `test `x`: passed`, or what failed, or why nothing ran.
    pub summary: String,
}

/// Run the document's test `name` (every test of the document when `None`).
pub fn run_tests(a: &Analysis, name: Option<&str>) -> TestRun {
    let mut run = TestRun::default();
    if a.checked
        .diagnostics
        .iter()
        .any(|d| d.severity == icp_syntax::Severity::Error)
    {
        "the project has errors; fix them and run the test again".clone_into(&mut run.summary);
        return run;
    }
    let program = &a.checked.program;
    for t in program
        .tests
        .iter()
        .filter(|t| t.loc.file == ENTRY && name.is_none_or(|n| n == t.name))
    {
        let report = icp_eval::run_test(program, t, a.today);
        run.ran.push(t.name.clone());
        if report.passed {
            run.passed += 1;
            continue;
        }
        if let Some(why) = &report.invalid {
            run.diagnostics
                .push(failure(a, t.loc.span, &t.name, "a valid account", why));
        }
        for f in &report.failures {
            let span = if f.loc.file == ENTRY && f.loc.span != Span::new(0, 0) {
                f.loc.span
            } else {
                t.loc.span
            };
            run.diagnostics
                .push(failure(a, span, &t.name, &f.expected, &f.actual));
        }
    }
    let failed = run.ran.len() - run.passed;
    run.summary = match (name, run.ran.len()) {
        (Some(n), 0) => format!("no test `{n}` in this file"),
        (None, 0) => "no tests in this file".to_owned(),
        (Some(n), _) if failed == 0 => format!("test `{n}`: passed"),
        (Some(n), _) => format!(
            "test `{n}`: FAILED ({} expectation(s); see the diagnostics)",
            run.diagnostics.len()
        ),
        (None, _) => format!("{} passed, {failed} failed", run.passed),
    };
    run
}

fn failure(a: &Analysis, span: Span, test: &str, expected: &str, found: &str) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: a.range(ENTRY, span),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(TEST_FAILED.to_owned())),
        code_description: None,
        source: Some("icp test".to_owned()),
        message: format!("test `{test}` failed: expected {expected}\nfound {found}"),
        related_information: None,
        tags: None,
        data: None,
    }
}
