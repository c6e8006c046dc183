//! The `test_without_as_of` lint.
//!
//! ## What it does
//! Reports a test without `as_of` whose profile reads `today` (in a criterion, an exclusion,
//! a `let`, a tier condition or a segment it uses) (`icp::test_without_as_of`, a warning).
//!
//! ## Why is this bad?
//! The test then runs on the calendar's date: it passes today and fails next month, with
//! nothing changed.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  last_touch: date? }
//! profile p for Account {
//!   criterion recent weight 10 { today - last_touch <= 30d }
//!   tier ideal >= 80
//!   tier not_fit
//! }
//! test "t" {
//!   profile p
//!   account { id: "a", last_touch: 2027-01-10 }
//!   expect tier ideal
//! }
//! ```

use icp_syntax::{Code, Diagnostic, Span};

/// `icp::test_without_as_of`.
pub(crate) fn diagnostic(span: Span, profile: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TestWithoutAsOf,
        span,
        format!("this test has no `as_of`, and profile `{profile}` reads `today`"),
    )
    .with_label("runs on the calendar's date")
    .with_help("fix the date the test runs on: `as_of 2027-01-15`")
}
