//! The `missing_key` lint.
//!
//! ## What it does
//! Reports a schema without a `key` field (`icp::missing_key`, a warning).
//!
//! ## Why is this bad?
//! Without a key, scored rows cannot be joined back to the CRM records they came from, and
//! tests and explanations cannot name an account.
//!
//! ## Example
//! ```icp
//! schema Account { id: text  employees: int }
//! ```

use icp_syntax::ast as a;
use icp_syntax::{Code, Diagnostic};

/// `icp::missing_key`: a schema without a `key` field.
pub(crate) fn diagnostic(name: &a::Ident) -> Diagnostic {
    Diagnostic::new(
        Code::MissingKey,
        name.span,
        format!("schema `{}` has no `key` field", name.name),
    )
    .with_label("no key")
    .with_help("mark the field that identifies an account with `key` (`id: text from \"Record ID\" key`), so output rows can be joined back")
}
