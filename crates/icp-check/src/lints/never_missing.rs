//! The `never_missing` lint.
//!
//! ## What it does
//! Reports `is missing` or `is present` on a required field (one without `?`)
//! (`icp::never_missing`, a warning). The fix makes the field optional.
//!
//! ## Why is this bad?
//! A row without a required field is invalid and never scored, so `is missing` on it is never
//! true and `is present` always true: either the test is dead or the field should be
//! declared optional.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  employees: int  revenue: money? }
//! segment unknown_size { employees is missing }
//! ```

use icp_syntax::diagnostic::{Edit, Fix};
use icp_syntax::{Code, Diagnostic, FileId, Span};

/// `icp::never_missing`: `is missing` / `is present` (`negated`) at `span` in `file` on the
/// required field `name`, whose type is written `ty_text` at `ty_span` in `schema_file`; the
/// fix adds the `?` there.
pub(crate) fn diagnostic(
    file: FileId,
    span: Span,
    name: &str,
    negated: bool,
    schema_file: FileId,
    ty_span: Span,
    ty_text: &str,
) -> Diagnostic {
    let (what, always) = if negated {
        ("is present", "always true")
    } else {
        ("is missing", "never true")
    };
    let mut d = Diagnostic::new(
        Code::NeverMissing,
        span,
        format!("`{name}` is never missing, so `{what}` is {always}"),
    )
    .with_label(format!("`{name}` is required"))
    .with_help(format!(
        "make the field optional (`{ty_text}?`) if it may be empty, or drop the test"
    ))
    .in_file(file);
    let end = ty_span.end as usize;
    d.fix = Some(Fix {
        title: format!("make `{name}` optional"),
        edits: vec![Edit {
            file: schema_file,
            span: Span::new(end, end),
            text: "?".to_owned(),
        }],
    });
    d
}
