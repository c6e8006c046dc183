//! Syntax of the ICP language: the pest grammar (`grammar/icp.pest`), the typed syntax tree
//! with byte spans on every node, and friendly parse diagnostics.
//!
//! Parsing never stops at the first error: the file is split into top-level items (an item
//! starts at an item keyword in column 0) and each is parsed on its own, so one broken item
//! never hides the others. Broken items are left out of the tree and each yields one
//! diagnostic; invalid literals (`2027-02-30`, an integer too large, `90m`) are each reported.
//! Nesting deeper than [`MAX_BRACKET_DEPTH`] brackets or [`MAX_DEPTH`] tree levels is reported
//! as `nesting_too_deep`, never a stack overflow.
//!
//! ```
//! let parsed = icp_syntax::parse("segment big { employees > 100 }\n");
//! assert!(parsed.diagnostics.is_empty());
//! assert_eq!(parsed.file.items.len(), 1);
//!
//! let broken = icp_syntax::parse("segmnt big { employees > 100 }\nsegment small { employees < 10 }\n");
//! assert_eq!(broken.diagnostics[0].code, icp_syntax::Code::UnknownItem);
//! assert_eq!(broken.file.items.len(), 1);
//! ```
//!
//! [`tokens`] is a total lexer for editors (semantic tokens, completion context), and the
//! keyword lists ([`ITEM_KEYWORDS`], [`CLAUSE_KEYWORDS`], [`TYPE_NAMES`], ...) say which
//! words the language knows.
//!
//! **API boundary**: no pest type leaves this crate.

pub mod ast;
pub mod cst;
pub mod date;
pub mod diagnostic;
mod lexer;
mod parser;
mod shape;
mod shift;
pub mod span;

pub use cst::{IcpLanguage, SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken};
pub use date::Date;
pub use diagnostic::{Code, Diagnostic, FileId, Severity, did_you_mean};
pub use lexer::{
    CLAUSE_KEYWORDS, EXPECT_FORMS, EXPR_KEYWORDS, FIELD_KEYWORDS, HEADER_KEYWORDS, ITEM_KEYWORDS,
    KEYWORD_LISTS, PROFILE_KEYWORDS, PROFILE_MEMBERS, SITUATION_CLAUSES, SITUATION_KEYWORDS,
    TEST_CLAUSES, TEST_KEYWORDS, TYPE_NAMES, Token, TokenKind, is_keyword, tokens,
};
#[doc(hidden)]
pub use parser::parse_cached_windowed;
pub use parser::{ItemCache, MAX_BRACKET_DEPTH, MAX_DEPTH, parse, parse_cached, parse_with_tree};
pub use shape::{debug_without_spans, same_shape};
pub use span::{HasSpan, LineIndex, Span};

/// The result of parsing one file: the typed tree of what parsed and a diagnostic per
/// mistake ([`parse_with_tree`] gives the lossless tree of everything too).
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The typed syntax tree of the items and clauses that parsed.
    pub file: ast::File,
    /// Every syntax error, in source order.
    pub diagnostics: Vec<Diagnostic>,
}
