//! The `empty_group` lint.
//!
//! ## What it does
//! Reports a profile `group` without criteria (`icp::empty_group`, a warning).
//!
//! ## Why is this bad?
//! An empty group scores nothing and its `score.GROUP` is always the same: it is either
//! unfinished or its criteria were written outside it by mistake.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  employees: int  revenue: money? }
//! profile p for Account {
//!   group nothing "Nothing yet" { }
//!   criterion big weight 10 { employees >= 100 }
//!   tier ideal >= 80
//!   tier not_fit
//! }
//! ```

use icp_syntax::ast as a;
use icp_syntax::{Code, Diagnostic};

/// `icp::empty_group`: a group without criteria.
pub(crate) fn diagnostic(name: &a::Ident) -> Diagnostic {
    Diagnostic::new(
        Code::EmptyGroup,
        name.span,
        format!("group `{}` has no criteria", name.name),
    )
    .with_label("empty")
    .with_help("add criteria to the group or remove it")
}
