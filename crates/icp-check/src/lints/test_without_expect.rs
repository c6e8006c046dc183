//! The `test_without_expect` lint.
//!
//! ## What it does
//! Reports a test without any `expect` clause (`icp::test_without_expect`, a warning).
//!
//! ## Why is this bad?
//! A test that expects nothing always passes: it checks nothing about the profile.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  employees: int  revenue: money? }
//! profile p for Account {
//!   criterion big weight 10 { employees >= 100 }
//!   tier ideal >= 80
//!   tier not_fit
//! }
//! test "t" {
//!   profile p
//!   account { id: "a", employees: 3 }
//! }
//! ```

use icp_syntax::{Code, Diagnostic, Span};

/// `icp::test_without_expect`.
pub(crate) fn diagnostic(span: Span) -> Diagnostic {
    Diagnostic::new(Code::TestWithoutExpect, span, "this test expects nothing")
        .with_label("no `expect`")
        .with_help("say what should happen: `expect tier ideal`, `expect score >= 80`")
}
