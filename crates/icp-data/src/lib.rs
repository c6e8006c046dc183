//! Reading account files (CSV, JSON, JSON Lines, gzip) into typed row values.
//!
//! An input is opened with [`Source::open`] (which reads the header), bound to a schema with
//! [`Source::bind`] (every missing column reported at once, before any row is read), then
//! streamed with [`Source::run`]: worker threads take turns reading the next block of the
//! input (cut at a record boundary), decode each of its rows into [`icp_model::Value`]s
//! borrowed from the record and call a [`RowSink`], and the caller receives each block's
//! output in input order. Every input row reaches the sink exactly once; a row that cannot be read carries
//! a [`RowError`] instead of values.
//!
//! Value decoding follows LANGUAGE.md, "Reading data": `Empty`, `NA`, `N/A`, `null` and `-`
//! are missing (an empty `set` cell is the empty set); numbers take `,` thousands
//! separators in strict groups of three (`12,5` is unreadable, never 125), or `.` ones with
//! a decimal comma ([`ReadOptions::decimal`]); booleans read `true/false`, `yes/no`, `y/n`,
//! `1/0`; money takes `$`, `K`/`M`/`B` and `thousand`/`million`/`billion`; percent
//! takes `33.3%` or `33.3` (both 0.333; a field `as fraction` reads `0.333`); dates are
//! `YYYY-MM-DD` or an ISO date-time (the date part; `MM/DD/YYYY` is refused as ambiguous);
//! durations are days (`90`, `90d`, `12w`); enums match a variant's name or strings
//! case-insensitively.
//!
//! ```
//! use icp_data::{Format, ReadOptions, Row, RowSink, Source};
//! use icp_model::{Field, Loc, Program, Schema, Ty};
//!
//! let schema = Schema {
//!     name: "Account".into(),
//!     loc: Loc::default(),
//!     key: None,
//!     fields: vec![Field {
//!         name: "revenue".into(),
//!         column: "Revenue".into(),
//!         ty: Ty::Money,
//!         optional: true,
//!         fraction: false,
//!         loc: Loc::default(),
//!     }],
//! };
//! struct Echo;
//! impl RowSink for Echo {
//!     type Local = ();
//!     type Stats = ();
//!     fn local(&self) {}
//!     fn row(&self, _: &mut (), _: &mut (), row: &Row<'_>, out: &mut Vec<u8>) {
//!         out.extend_from_slice(format!("{:?}\n", row.values).as_bytes());
//!     }
//! }
//! let csv = "Name,Revenue\nAcme,36.9 M\nBeta,NA\n";
//! let source = Source::open(Box::new(csv.as_bytes()), ReadOptions::default()).unwrap();
//! let (binding, _warnings) = source.bind(&Program::default(), &schema).unwrap();
//! let mut out = Vec::new();
//! source
//!     .run(&binding, &Echo, |chunk| {
//!         out.extend_from_slice(chunk.bytes);
//!         Ok(())
//!     })
//!     .unwrap();
//! assert_eq!(String::from_utf8(out).unwrap(), "[Num(36900000)]\n[Missing]\n");
//! ```

mod binding;
mod decode;
mod pipeline;
mod source;
mod split;

use std::fmt;

pub use binding::{Binding, MissingColumn, MissingColumnsError};
pub use decode::{DecimalMark, is_missing_token, trim};
pub use pipeline::{Chunk, Row, RowSink, Rows, RunSummary};

pub use source::{Format, ReadOptions, Source};

/// Why a whole input cannot be read (as opposed to one row: [`RowError`]).
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Reading (or decompressing) failed.
    #[error("cannot read the input: {0}")]
    Read(std::io::Error),
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Write(std::io::Error),
    /// A CSV input without even a header line.
    #[error("the file is empty: a CSV file needs a header line")]
    Empty,
    /// A `.json` input that is neither an array nor objects.
    #[error("expected a JSON array of objects or JSON Lines, found `{found}`")]
    NotJson {
        /// The start of what was found.
        found: String,
    },
    /// A delimiter that cannot be used.
    #[error("`{0}` cannot be a delimiter")]
    BadDelimiter(char),
    /// A header line longer than the limit: usually a quote that is never closed. (A record
    /// after the header that is too long is an invalid row, and reading goes on.)
    #[error(
        "the record starting near line {line} is longer than {}: is a quote never closed?",
        human_size(*limit)
    )]
    RecordTooLong {
        /// Line where the block with the record starts.
        line: u64,
        /// The limit in bytes.
        limit: usize,
    },
}

pub(crate) fn human_size(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// Why one row cannot be read: it is reported with tier `invalid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based data row.
    pub row: u64,
    /// Line where the row starts.
    pub line: u64,
    /// The column, when one cell is at fault.
    pub column: Option<String>,
    /// The cell's text (trimmed).
    pub value: Option<String>,
    /// What was expected.
    pub why: String,
    /// The row's other unreadable cells, after the first (`column`), in schema order.
    pub more: Vec<CellError>,
}

/// One more unreadable cell of an invalid row (see [`RowError::more`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The column.
    pub column: String,
    /// The cell's text (trimmed); `None` when the column or key is absent.
    pub value: Option<String>,
    /// What was expected.
    pub why: String,
}

/// Writes `, found` and the cell's text, for a message.
fn found(f: &mut fmt::Formatter<'_>, value: Option<&str>) -> fmt::Result {
    match value {
        None => Ok(()),
        Some("") => write!(f, ", found an empty cell"),
        Some(v) if v.chars().count() > 60 => {
            let t: String = v.chars().take(60).collect();
            write!(f, ", found `{}…`", escape_invisible(&t))
        }
        Some(v) => write!(f, ", found `{}`", escape_invisible(v)),
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {} (line {})", self.row, self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ": {}", self.why)?;
        found(f, self.value.as_deref())?;
        for cell in &self.more {
            write!(f, "; column `{}`: {}", cell.column, cell.why)?;
            found(f, cell.value.as_deref())?;
        }
        Ok(())
    }
}

/// Whether `c` is invisible or moves text around when printed: control characters (NUL,
/// U+001F, ...), the byte-order mark and other zero-width or direction marks.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
        )
}

/// `s` with its invisible characters written as escapes (`\0`, `\n`, `\t`, `\u{feff}`), so
/// that a message quoting a cell shows what is in it.
pub fn escape_invisible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(invisible) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if invisible(c) => {
                let _ = fmt::Write::write_fmt(&mut out, format_args!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A xorshift generator for the differential tests (new code against the code it replaced).
#[cfg(test)]
pub(crate) fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}
