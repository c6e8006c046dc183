//! Open documents: their text, version and line index, edits in UTF-16 positions, and the
//! conversions between byte spans and LSP ranges.

use std::sync::Arc;

use icp_syntax::{LineIndex, Span};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};

/// One version of a document's text with its line index.
#[derive(Debug, Clone)]
pub struct Text {
    /// The text: the one copy of this version, shared with the checker's overlay and the
    /// checked program's [`icp_check::SourceFile`].
    pub src: Arc<str>,
    /// Its line starts.
    pub index: LineIndex,
    /// Every [`STRIDE`] bytes (at a character boundary): the offset and its UTF-16 column,
    /// so that [`Text::position`] counts at most a stride, however long the line.
    marks: Vec<(u32, u32)>,
}

/// The distance between two marks of [`Text`].
const STRIDE: usize = 1024;

impl Text {
    /// Index `src`.
    pub fn new(src: impl Into<Arc<str>>) -> Self {
        let src = src.into();
        let index = LineIndex::new(&src);
        let marks = marks(&src);
        Self { src, index, marks }
    }

    /// The 0-based line of a byte offset (no column: cheap on a long line).
    pub fn line(&self, offset: usize) -> u32 {
        self.index.line_of(offset) as u32
    }

    /// The LSP position (0-based line, UTF-16 column) of a byte offset, in time bounded by
    /// [`STRIDE`] whatever the length of the line.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.src.len());
        let line = self.index.line_of(offset);
        let start = self.index.line_start(line);
        let i = self.marks.partition_point(|&(o, _)| o as usize <= offset);
        let (from, base) = match i.checked_sub(1).and_then(|i| self.marks.get(i)) {
            Some(&(o, units)) if o as usize >= start => (o as usize, units),
            _ => (start, 0),
        };
        let character = match self.src.get(from..offset) {
            Some(run) => base + run.chars().map(|c| c.len_utf16() as u32).sum::<u32>(),
            // Inside a character: as the line index counts it.
            None => self.index.utf16_position(&self.src, offset).1,
        };
        Position {
            line: line as u32,
            character,
        }
    }

    /// The byte offset of an LSP position; clamps to the line's end and to the file.
    pub fn offset(&self, pos: Position) -> usize {
        self.index
            .offset_of_utf16(&self.src, pos.line, pos.character)
    }

    /// The LSP range of a byte span (clamped to the text).
    pub fn range(&self, span: Span) -> Range {
        let start = (span.start as usize).min(self.src.len());
        let end = (span.end as usize).min(self.src.len()).max(start);
        Range {
            start: self.position(start),
            end: self.position(end),
        }
    }

    /// The byte span of an LSP range (start and end ordered).
    pub fn span(&self, range: Range) -> Span {
        let a = self.offset(range.start);
        let b = self.offset(range.end);
        Span::new(a.min(b), a.max(b))
    }

    /// Apply LSP content changes in order (a change without a range replaces everything).
    /// The new text is a new allocation: the old one stays with whoever still holds it.
    pub fn apply(&mut self, changes: &[TextDocumentContentChangeEvent]) {
        let mut changed = false;
        for change in changes {
            match change.range {
                None => self.src = Arc::from(change.text.as_str()),
                Some(range) => {
                    let span = self.span(range);
                    let (start, end) = (span.start as usize, span.end as usize);
                    let (Some(before), Some(after)) = (self.src.get(..start), self.src.get(end..))
                    else {
                        continue;
                    };
                    let mut next =
                        String::with_capacity(before.len() + change.text.len() + after.len());
                    next.push_str(before);
                    next.push_str(&change.text);
                    next.push_str(after);
                    self.src = Arc::from(next);
                }
            }
            changed = true;
            self.index = LineIndex::new(&self.src);
        }
        if changed {
            self.marks = marks(&self.src);
        }
    }
}

/// The marks of [`Text`]: every [`STRIDE`] bytes, the offset and its UTF-16 column.
fn marks(src: &str) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(src.len() / STRIDE);
    let mut units = 0u32;
    let mut next = STRIDE;
    for (i, c) in src.char_indices() {
        if i >= next {
            out.push((i as u32, units));
            next = i + STRIDE;
        }
        units = if c == '\n' {
            0
        } else {
            units + c.len_utf16() as u32
        };
    }
    out
}

/// The byte offset of the start of the word (identifier characters) that ends at `offset`.
pub fn word_start(src: &str, offset: usize) -> usize {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or("");
    before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_ident_char(c))
        .last()
        .map_or(offset, |(i, _)| i)
}

/// The span of the identifier under or just before `offset`, if any.
pub fn word_at(src: &str, offset: usize) -> Option<Span> {
    let offset = offset.min(src.len());
    let start = word_start(src, offset);
    let after = src.get(offset..).unwrap_or("");
    let len: usize = after
        .chars()
        .take_while(|&c| is_ident_char(c))
        .map(char::len_utf8)
        .sum();
    let end = offset + len;
    (end > start).then(|| Span::new(start, end))
}

/// Characters of identifiers (`a-z`, `A-Z`, `0-9`, `_`).
pub fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|((a, b), (c, d))| Range {
                start: Position {
                    line: a,
                    character: b,
                },
                end: Position {
                    line: c,
                    character: d,
                },
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn edits_count_utf16_units() {
        // "😀" is two UTF-16 units, "ש" one, "س" one.
        let mut t = Text::new("// 😀 שלום سلام\nsegment x { a }\n");
        // Replace "שלום" (UTF-16 columns 6..10) by "hi".
        t.apply(&[change(Some(((0, 6), (0, 10))), "hi")]);
        assert_eq!(&*t.src, "// 😀 hi سلام\nsegment x { a }\n");
        // Insert after the emoji + space on line 0 and rename `x` on line 1.
        t.apply(&[
            change(Some(((1, 8), (1, 9))), "big"),
            change(Some(((0, 5), (0, 5))), "!"),
        ]);
        assert_eq!(&*t.src, "// 😀! hi سلام\nsegment big { a }\n");
        // A position inside the surrogate pair never splits the character.
        let off = t.offset(Position {
            line: 0,
            character: 4,
        });
        assert!(t.src.is_char_boundary(off));
        // Whole-document replacement.
        t.apply(&[change(None, "x")]);
        assert_eq!(&*t.src, "x");
    }

    #[test]
    fn ranges_round_trip() {
        let t = Text::new("a\n\"🎉\" b\n");
        let b = t.src.find('b').unwrap();
        let r = t.range(Span::new(b, b + 1));
        assert_eq!(
            r.start,
            Position {
                line: 1,
                character: 5
            }
        );
        assert_eq!(t.span(r).range(), b..b + 1);
        // Out of range spans clamp.
        let r = t.range(Span::new(100, 200));
        assert_eq!(r.start, t.position(t.src.len()));
    }

    #[test]
    fn positions_on_long_lines_agree_with_the_line_index() {
        let mut src = String::new();
        for i in 0..3000 {
            src.push_str(["a", "😀", "ש", " ", "\n"][i % 5 * (i % 7).min(1)]);
            src.push_str(["bc", "🎉", "x"][i % 3]);
        }
        let t = Text::new(src.clone());
        for i in (0..=src.len() + 3).step_by(7) {
            let (line, character) = t.index.utf16_position(&src, i);
            assert_eq!(t.position(i), Position { line, character }, "at {i}");
        }
    }

    #[test]
    fn words() {
        let s = "employees >= 10 and tech";
        assert_eq!(word_at(s, 3).map(|w| w.text(s)), Some("employees"));
        assert_eq!(word_at(s, 9).map(|w| w.text(s)), Some("employees"));
        assert_eq!(word_at(s, s.len()).map(|w| w.text(s)), Some("tech"));
        assert_eq!(word_at(s, 10), None);
        assert_eq!(word_start(s, 23), 20);
    }
}
