//! Byte spans and the line index that turns them into lines and columns.

use std::cell::Cell;
use std::fmt;

/// A half-open byte range `start..end` into one source file.
///
/// Equality and hashing are by offsets, so `Diagnostic`s, `Edit`s and identifiers at
/// different places differ. To compare two syntax trees while ignoring where they are written
/// (their *shape*), format them with [`debug_without_spans`].
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(start: usize, end: usize) -> Self {
        Self {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The span as a `usize` range.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    /// True for an empty span.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Whether the byte offset lies inside the span (end inclusive, as a cursor may sit there).
    pub fn contains(self, offset: usize) -> bool {
        (self.start as usize) <= offset && offset <= self.end as usize
    }

    /// The text the span covers, or `""` when it is out of range.
    pub fn text(self, src: &str) -> &str {
        src.get(self.range()).unwrap_or("")
    }
}

thread_local! {
    /// Set while [`debug_without_spans`] formats a value on this thread.
    static HIDE_SPANS: Cell<bool> = const { Cell::new(false) };
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if HIDE_SPANS.with(Cell::get) {
            f.write_str("_")
        } else {
            write!(f, "{}..{}", self.start, self.end)
        }
    }
}

/// The `Debug` text of `value` with every [`Span`] in it written as `_`: the value's *shape*,
/// what it says whatever its position in the source.
///
/// Two values whose `Debug` is derived (as every syntax-tree node's is) have the same text here
/// exactly when they are equal but for their spans: derived `Debug` shows every field,
/// strings are quoted and escaped, and only spans are masked. (Floats compare by their
/// `Debug` text, so `NaN` equals `NaN` and `0.0` differs from `-0.0`.)
///
/// ```
/// use icp_base::span::{Span, debug_without_spans};
/// let (a, b) = ((Span::new(0, 3), "x"), (Span::new(7, 10), "x"));
/// assert_ne!(a, b);
/// assert_eq!(debug_without_spans(&a), debug_without_spans(&b));
/// assert_eq!(format!("{:?}", a.0), "0..3");
/// ```
pub fn debug_without_spans(value: &impl fmt::Debug) -> String {
    /// Restores the previous setting, even if a `Debug` impl panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0;
            HIDE_SPANS.with(|h| h.set(previous));
        }
    }
    let _restore = Restore(HIDE_SPANS.with(|h| h.replace(true)));
    format!("{value:?}")
}

/// Anything with a span: every syntax node.
pub trait HasSpan {
    /// The node's span.
    fn span(&self) -> Span;
}

/// Line starts of one file, to convert byte offsets into 1-based lines and columns
/// (columns count characters) or into LSP's 0-based UTF-16 positions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// Index the line starts of `src`.
    pub fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| (i + 1) as u32),
        );
        Self {
            starts,
            len: src.len() as u32,
        }
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = (offset as u32).min(self.len);
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where a 0-based line starts (the end of file past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts
            .get(line)
            .map_or(self.len as usize, |&s| s as usize)
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, src: &str, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let end = offset.min(src.len()).max(start);
        let col = src.get(start..end).map_or(0, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// 0-based line and UTF-16 column of a byte offset, as LSP counts them.
    pub fn utf16_position(&self, src: &str, offset: usize) -> (u32, u32) {
        let line = self.line_of(offset);
        let start = self.line_start(line);
        let end = offset.min(src.len()).max(start);
        let col: usize = src
            .get(start..end)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        (line as u32, col as u32)
    }

    /// Byte offset of a 0-based line and UTF-16 column; clamps to the line's end and never
    /// lands inside a character.
    pub fn offset_of_utf16(&self, src: &str, line: u32, col: u32) -> usize {
        let line = line as usize;
        if line >= self.starts.len() {
            return src.len();
        }
        let start = self.line_start(line);
        let end = self.line_start(line + 1).min(src.len());
        let text = src.get(start..end).unwrap_or("");
        let mut units = 0usize;
        for (i, c) in text.char_indices() {
            if units >= col as usize || c == '\n' || c == '\r' {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + text.trim_end_matches(['\n', '\r']).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let src = "ab\nçé x\n";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 0), (1, 1));
        assert_eq!(idx.line_col(src, 3), (2, 1));
        let x = src.find('x').unwrap();
        assert_eq!(idx.line_col(src, x), (2, 4));
    }

    #[test]
    fn utf16_round_trip_with_emoji() {
        let src = "// 😀 سلام\nlet x\n";
        let idx = LineIndex::new(src);
        let s = src.find("سلام").unwrap();
        let (l, c) = idx.utf16_position(src, s);
        assert_eq!((l, c), (0, 6));
        assert_eq!(idx.offset_of_utf16(src, l, c), s);
        // past the end of a line clamps to the line end
        assert_eq!(
            idx.offset_of_utf16(src, 1, 99),
            src.find("x\n").unwrap() + 1
        );
        assert_eq!(idx.offset_of_utf16(src, 9, 0), src.len());
    }
}
