//! The `unreachable_tier` lint.
//!
//! ## What it does
//! Reports a tier no account can reach (`icp::unreachable_tier`, a warning): a tier after the
//! catch-all tier, a threshold above 100, or a threshold above the highest score the
//! profile's criteria can reach together (criteria that can never be true earn nothing).
//!
//! ## Why is this bad?
//! Tiers are tried in order and the first that holds wins, and scores go from 0 to 100: an
//! unreachable tier is dead configuration that suggests a tier the pipeline will never see.
//!
//! ## Example
//! ```icp
//! schema Account { id: text key  employees: int  revenue: money? }
//! profile p for Account {
//!   criterion big weight 10 { employees >= 100 }
//!   tier over >= 120
//!   tier not_fit
//! }
//! ```

use icp_syntax::ast as a;
use icp_syntax::{Code, Diagnostic, Span};

/// `icp::unreachable_tier`: a tier after the catch-all tier `catch_all` (at `catch_all_span`).
pub(crate) fn after_catch_all(
    name: &a::Ident,
    catch_all: &str,
    catch_all_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::UnreachableTier,
        name.span,
        format!("tier `{}` can never be reached", name.name),
    )
    .with_label("unreachable")
    .with_secondary(
        catch_all_span,
        format!("`{catch_all}` already takes every remaining account"),
    )
    .with_help(
        "only the last tier may be the catch-all (no threshold): reorder or remove the tiers",
    )
}

/// `icp::unreachable_tier`: a threshold (written `threshold`) above 100.
pub(crate) fn above_100(tier: &str, span: Span, threshold: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnreachableTier,
        span,
        format!("tier `{tier}` needs a score of {threshold}, above 100"),
    )
    .with_label("scores go from 0 to 100")
    .with_help("lower the threshold to at most 100")
}

/// `icp::unreachable_tier`: a threshold above the highest reachable score `max`.
pub(crate) fn above_max(tier: &str, span: Span, threshold: &str, max: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnreachableTier,
        span,
        format!(
            "tier `{tier}` needs a score of {threshold}, but the highest reachable score is {max}"
        ),
    )
    .with_label("no account can score this much")
    .with_help("some criteria can never be true; fix them or lower the threshold")
}
