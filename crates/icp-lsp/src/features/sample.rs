//! Data-aware hints: how the sample accounts named in `icp.toml` fare.

use icp_check::Loader;
use icp_syntax::Span;

use crate::world::Analysis;

/// `(span, text)` per criterion, segment, exclusion and tier of the analysed document.
pub fn figures(a: &Analysis, loader: &dyn Loader) -> Vec<(Span, String)> {
    let _ = (a, loader);
    Vec::new()
}
