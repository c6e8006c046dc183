//! Comparing syntax trees by shape: equal but for their spans.
//!
//! Spans take part in `==` (two identifiers at different places differ), so code that means
//! "the same tree wherever it is written" says so with [`same_shape`].

use std::fmt::Debug;

pub use icp_base::span::debug_without_spans;

/// Whether `a` and `b` are equal once every span is ignored: the same nodes with the same
/// names, literals and operators, wherever each is written.
///
/// Compares the nodes' derived `Debug` text with spans masked (see [`debug_without_spans`]
/// for why that is exact); meant for tests and rare checks, not hot paths.
///
/// ```
/// let a = icp_syntax::parse("segment big { employees > 100 }\n");
/// let b = icp_syntax::parse("\n\nsegment   big {\n  employees > 100\n}\n");
/// assert_ne!(a.file, b.file);
/// assert!(icp_syntax::same_shape(&a.file, &b.file));
/// let c = icp_syntax::parse("segment big { employees > 101 }\n");
/// assert!(!icp_syntax::same_shape(&a.file, &c.file));
/// ```
pub fn same_shape<T: Debug + ?Sized>(a: &T, b: &T) -> bool {
    debug_without_spans(&a) == debug_without_spans(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Ident;
    use crate::span::Span;

    fn ident(name: &str, start: usize) -> Ident {
        Ident {
            name: name.to_owned(),
            span: Span::new(start, start + name.len()),
        }
    }

    #[test]
    fn shape_ignores_spans_and_equality_does_not() {
        assert_ne!(ident("x", 0), ident("x", 5));
        assert!(same_shape(&ident("x", 0), &ident("x", 5)));
        assert!(!same_shape(&ident("x", 0), &ident("y", 0)));
        // a name that looks like a span is still a name
        assert!(!same_shape(&ident("0..1", 0), &ident("_", 0)));
        // spans show again after a shape comparison
        assert_eq!(format!("{:?}", Span::new(1, 2)), "1..2");
    }

    #[test]
    fn whole_trees_compare_by_shape() {
        let a = crate::parse("profile p { criterion c weight 5 { x > 1 } }\n");
        let b = crate::parse("profile p {\n  criterion c weight 5 {\n    x > 1\n  }\n}\n");
        let c = crate::parse("profile p { criterion c weight 6 { x > 1 } }\n");
        assert!(a.diagnostics.is_empty() && b.diagnostics.is_empty());
        assert_ne!(a.file, b.file);
        assert!(same_shape(&a.file, &b.file));
        assert!(!same_shape(&a.file, &c.file));
    }
}
