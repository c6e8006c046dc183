//! The base of the ICP toolchain: byte spans and line indexes, file ids, calendar dates,
//! diagnostic data with the exhaustive list of diagnostic [`Code`]s, the language's operators,
//! text comparison (Unicode simple case folding, [`fold`]), exact decimal numbers ([`num`]) and
//! the did-you-mean helper.
//!
//! Every other crate builds on these types; the checked program (`icp-model`), evaluation
//! (`icp-eval`) and data reading (`icp-data`) need nothing else from the front end.
//!
//! **Architecture invariant**: this crate depends on nothing heavy (serde, strsim and `rust_decimal` only;
//! no pest, miette, rayon or tokio), so that the crates below the checker build without the
//! parser, the terminal renderer or an async runtime. `crates/icp-base/tests/deps.rs` checks
//! it with `cargo tree`. Rendering diagnostics for a terminal is `icp-cli`'s job.
//!
//! ```
//! use icp_base::{Code, Diagnostic, Span};
//! let d = Diagnostic::new(Code::UnknownField, Span::new(4, 9), "unknown field `emply`");
//! assert_eq!(d.code.to_string(), "icp::unknown_field");
//! assert_eq!(icp_base::did_you_mean("emply", ["employees", "empty"]), Some("empty"));
//! ```

pub mod date;
pub mod diagnostic;
pub mod fold;
pub mod num;
pub mod ops;
pub mod span;
pub mod suggest;

pub use date::Date;
pub use diagnostic::{Code, Diagnostic, Edit, FileId, Fix, Label, Position, Severity};
pub use num::Decimal;
pub use ops::{BinOp, CmpOp, ContainsMode, UnaryOp};
pub use span::{HasSpan, LineIndex, Span};
pub use suggest::did_you_mean;
