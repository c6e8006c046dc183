//! The CSV fast path: records split from the block's text without copying, eight bytes at
//! a time, and decoded field by field; a record that needs csv-core's full rules sends the
//! rest of the block to [`super::csv_slow`].

use std::ops::Range;

use icp_model::Value;

use super::csv_slow::csv_slow;
use super::{
    Block, Cells, Ctx, RowMeta, RowSink, Rows, Scratch, cell_error, decode_json_sets, emit,
    every_cell_error, ragged, recycle, text_cell_error,
};
use crate::RowError;
use crate::binding::{Binding, FieldReader};
use crate::decode::{self, Plain, Why};
use crate::split::{count_newlines, eq_any, window};
use wide::u8x16;

/// Where a field of a fast-parsed CSV record is: a range of the block's text, or with
/// [`FieldRef::ARENA`] set in `start`, of the record's arena (unescaped `""`).
#[derive(Debug, Clone, Copy)]
pub(super) struct FieldRef {
    start: usize,
    end: usize,
}

impl FieldRef {
    /// Marks an arena range (no text is that long).
    const ARENA: usize = 1 << (usize::BITS - 1);

    #[inline]
    fn block(r: Range<usize>) -> FieldRef {
        FieldRef {
            start: r.start,
            end: r.end,
        }
    }

    #[inline]
    fn arena(r: Range<usize>) -> FieldRef {
        FieldRef {
            start: r.start | FieldRef::ARENA,
            end: r.end,
        }
    }
}

#[inline]
pub(super) fn field_text<'a>(text: &'a str, arena: &'a str, f: &FieldRef) -> Option<&'a str> {
    if f.start & FieldRef::ARENA == 0 {
        text.get(f.start..f.end)
    } else {
        arena.get(f.start & !FieldRef::ARENA..f.end)
    }
}

/// Parses a CSV block: records are split by hand from the block's text (no copy); a
/// record that needs csv-core's full rules (invalid UTF-8, a lone CR, text after a closing
/// quote) sends the block up to the next runaway record (or its end) to the `csv` crate.
/// Both give the same records (the property tests compare them). A runaway record (the
/// quote rule, [`crate::split::Runaway`]) is an invalid row.
pub(super) fn csv_block<S: RowSink>(
    block: &Block,
    delim: u8,
    ctx: &mut Ctx<'_, S>,
    s: &mut Scratch,
) -> u64 {
    let input = block.input.as_slice();
    let text = std::str::from_utf8(input).ok();
    // Whether a record may hold a CR (most files have none: the splitter then skips it).
    let cr = block.cr;
    let mut runaways = block.runaways.iter().peekable();
    let mut n = 0u64;
    let mut pos = 0;
    let mut line = block.first_line;
    // Records split and not yet decoded: decoded and handed to the sink together.
    s.batch.clear();
    loop {
        // Blank lines (any run of CR and LF) are skipped, as csv-core does.
        let skip = input
            .get(pos..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&c| c == b'\n' || c == b'\r')
            .count();
        if skip > 0 {
            line += count_newlines(input.get(pos..pos + skip).unwrap_or_default());
            pos += skip;
        }
        if pos >= input.len() {
            flush(ctx, s, text.unwrap_or_default());
            return n;
        }
        let segment_end = runaways.peek().map_or(input.len(), |r| r.start);
        if pos >= segment_end
            && let Some(r) = runaways.next()
        {
            flush(ctx, s, text.unwrap_or_default());
            let number = block.first_row + n;
            n += 1;
            runaway_row(ctx, s, input, r, delim, number, line);
            line += count_newlines(input.get(pos..r.resume).unwrap_or_default());
            pos = r.resume;
            continue;
        }
        // The record's fields go straight after the batch's (no copy).
        let at = s.batch.used;
        let split = text.and_then(|text| {
            let (fields, arena) = (&mut s.batch.fields, &mut s.batch.arena);
            if cr {
                split_record::<true>(input, text, pos, delim, fields, at, arena)
            } else {
                split_record::<false>(input, text, pos, delim, fields, at, arena)
            }
            .filter(|&(end, _, _)| end <= segment_end)
        });
        let Some((end, newlines, count)) = split else {
            flush(ctx, s, text.unwrap_or_default());
            n += csv_slow(block, pos..segment_end, n, line, delim, ctx, s);
            line += count_newlines(input.get(pos..segment_end).unwrap_or_default());
            pos = segment_end;
            continue;
        };
        let number = block.first_row + n;
        n += 1;
        s.batch.push(number, line, count);
        if s.batch.rows.len() >= Batch::ROWS {
            flush(ctx, s, text.unwrap_or_default());
        }
        line += newlines;
        pos = end;
    }
}

/// Records of a block split but not decoded yet: their fields, one after the other.
#[derive(Default)]
pub(super) struct Batch {
    /// Per record: its row number, line and fields (a range of `fields`).
    rows: Vec<RowMeta>,
    /// The records' fields, one record after the other in `fields[..used]` (the rest: room
    /// for the next record, kept between batches).
    fields: Vec<FieldRef>,
    used: usize,
    /// The records' unescaped fields (`""` made `"`), one after the other (a field's range
    /// is where it is in here).
    arena: String,
    /// One per record, for set cells written as JSON arrays (see [`decode_json_sets`]).
    sets: Vec<String>,
    /// The decoded values, `stride` a record, and the invalid records' errors.
    values: Vec<Value<'static>>,
    errors: Vec<RowError>,
}

impl Batch {
    /// Records decoded and handed to the sink together (see [`RowSink::rows`]).
    const ROWS: usize = 256;

    fn clear(&mut self) {
        self.rows.clear();
        self.used = 0;
        self.arena.clear();
    }

    /// Adds the record whose `count` fields were split into `fields[used..]`.
    #[inline]
    fn push(&mut self, number: u64, line: u64, count: usize) {
        let start = self.used;
        self.used += count;
        self.rows.push(RowMeta {
            number,
            line,
            fields: start..self.used,
            error: None,
        });
    }
}

/// Decodes the batch's records and hands them to the sink; empties the batch.
fn flush<S: RowSink>(ctx: &mut Ctx<'_, S>, s: &mut Scratch, text: &str) {
    let b = &mut s.batch;
    let n = b.rows.len();
    if n == 0 {
        return;
    }
    let binding = ctx.binding;
    let stride = binding.len();
    // A schema without fields still has rows: one (unused) slot each keeps the chunks.
    let width = stride.max(1);
    let mut values = recycle(std::mem::take(&mut b.values));
    values.resize(n * width, Value::Missing);
    if b.sets.len() < n {
        b.sets.resize_with(n, String::new);
    }
    b.errors.clear();
    let (arena, fields): (&str, &[FieldRef]) =
        (&b.arena, b.fields.get(..b.used).unwrap_or_default());
    for ((meta, chunk), sets) in b
        .rows
        .iter_mut()
        .zip(values.chunks_mut(width))
        .zip(b.sets.iter_mut())
    {
        let record = fields.get(meta.fields.clone()).unwrap_or_default();
        let slots = chunk.get_mut(..stride).unwrap_or_default();
        let error = decode_fast(
            binding,
            text,
            arena,
            record,
            sets,
            slots,
            meta.number,
            meta.line,
        );
        if let Some(e) = error {
            // An invalid row's values are all missing.
            slots.fill(Value::Missing);
            meta.error = Some(b.errors.len());
            b.errors.push(e);
        }
    }
    let rows = Rows {
        values: &values,
        width,
        meta: &b.rows,
        errors: &b.errors,
        text,
        arena,
        fields,
        binding,
    };
    ctx.sink.rows(ctx.local, ctx.stats, &rows, ctx.out);
    b.values = recycle(values);
    b.clear();
}

/// The invalid row of a record cut short by the quote rule, starting on `line`.
#[cold]
#[inline(never)]
fn runaway_row<S: RowSink>(
    ctx: &mut Ctx<'_, S>,
    s: &mut Scratch,
    input: &[u8],
    r: &crate::split::Runaway,
    delim: u8,
    number: u64,
    line: u64,
) {
    let quote_line = line + count_newlines(input.get(r.start..r.quote).unwrap_or_default());
    let why = if r.to_end {
        format!(
            "unterminated quote: the quoted field opened on line {quote_line} runs to the end of the file"
        )
    } else {
        let resume = line + count_newlines(input.get(r.start..r.resume).unwrap_or_default());
        format!(
            "unclosed quote: the quoted field opened on line {quote_line} runs into line \
             {resume}, which reads as a record of its own; this row is skipped and reading \
             resumes there (close the quote, or double a quote inside a field: `\"\"`)"
        )
    };
    let error = RowError {
        row: number,
        line,
        column: None,
        value: None,
        why,
        more: Vec::new(),
    };
    // The record's cells as csv-core reads its text alone (the quoted field runs to its
    // end), so that the row still shows its key and columns.
    let text = input.get(r.start..r.resume).unwrap_or_default();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(std::io::Read::chain(&b"\n"[..], text));
    if !matches!(rdr.read_byte_record(&mut s.rec), Ok(true)) {
        s.rec.clear();
    }
    let values = recycle(std::mem::take(&mut s.spare));
    s.spare = emit(ctx, number, line, values, Some(&error), Cells::Csv(&s.rec));
}

/// Splits the record starting at `start` (not a line end) into `fields[at..]` (kept between
/// records and grown when a record has more fields, so mostly overwritten), its unescaped
/// fields appended to `arena` (their ranges are where they land there); returns where the
/// next record starts, the newlines in between and the number of fields, or `None` when
/// the record needs csv-core's full rules.
fn split_record<const CR: bool>(
    b: &[u8],
    text: &str,
    start: usize,
    delim: u8,
    fields: &mut Vec<FieldRef>,
    at: usize,
    arena: &mut String,
) -> Option<(usize, u64, usize)> {
    loop {
        let slots = fields.get_mut(at..).unwrap_or_default();
        let done = if delim.is_ascii() {
            split_into::<CR, true>(b, text, start, delim, slots, arena)
        } else {
            split_into::<CR, false>(b, text, start, delim, slots, arena)
        };
        if let Some(done) = done {
            return done;
        }
        // More fields than the vector holds: grow it and split again (an unescaped field
        // left in the arena by the attempt is not referred to).
        let len = fields.len().max(at + 8) * 2;
        fields.resize(len, FieldRef { start: 0, end: 0 });
    }
}

/// [`split_record`] into `slots`; `None` when they are too few.
///
/// Unquoted fields end at the first `delim`, `\n` or `\r`, found 32 bytes at a time:
/// the separators of a window are flagged exactly ([`SeparatorFlags`]) and handed out in
/// order, so each byte of the record is looked at once however short its fields are.
#[expect(
    clippy::option_option,
    reason = "too few slots (outer) is not the same as needing csv-core's rules (inner)"
)]
#[expect(
    clippy::many_single_char_names,
    reason = "a scanner's offsets and bytes"
)]
fn split_into<const CR: bool, const ASCII: bool>(
    b: &[u8],
    text: &str,
    start: usize,
    delim: u8,
    slots: &mut [FieldRef],
    arena: &mut String,
) -> Option<Option<(usize, u64, usize)>> {
    let len = b.len();
    let seps = SeparatorFlags::<CR, ASCII>::new(delim);
    let mut n = 0;
    let mut newlines = 0;
    // The field being read starts at `p`; `flags` are the separators at or after `p` of
    // the word at `base`.
    let mut p = start;
    let mut base = start;
    let mut flags = seps.at(b, base);
    loop {
        if b.get(p) == Some(&b'"') {
            let Some((close, escaped, inner)) = closing_quote(b, p + 1) else {
                return Some(None);
            };
            newlines += inner;
            let field = if escaped {
                let Some(f) = unescape(text, p + 1..close, arena) else {
                    return Some(None);
                };
                f
            } else {
                // Both ends are next to a `"`: char boundaries of `text`.
                FieldRef::block(p + 1..close)
            };
            *slots.get_mut(n)? = field;
            n += 1;
            let after = close + 1;
            match b.get(after) {
                None => return Some(Some((len, newlines, n))),
                Some(&c) if c == delim => p = after + 1,
                Some(b'\n') => return Some(Some((after + 1, newlines + 1, n))),
                Some(b'\r') if b.get(after + 1) == Some(&b'\n') => {
                    return Some(Some((after + 2, newlines + 1, n)));
                }
                Some(_) => return Some(None),
            }
            base = p;
            flags = seps.at(b, base);
            continue;
        }
        while flags == 0 {
            base += SeparatorFlags::<CR, ASCII>::STEP;
            if base >= len {
                *slots.get_mut(n)? = FieldRef::block(p..len);
                return Some(Some((len, newlines, n + 1)));
            }
            flags = seps.at(b, base);
        }
        let e = base + flags.trailing_zeros() as usize;
        flags &= flags - 1;
        *slots.get_mut(n)? = FieldRef::block(p..e);
        n += 1;
        match b.get(e) {
            Some(&c) if c == delim => p = e + 1,
            Some(b'\n') => return Some(Some((e + 1, newlines + 1, n))),
            Some(b'\r') if b.get(e + 1) == Some(&b'\n') => {
                return Some(Some((e + 2, newlines + 1, n)));
            }
            _ => return Some(None),
        }
    }
}

/// The text of a quoted field with escaped quotes, `""` made `"`, appended to `arena`.
#[cold]
fn unescape(text: &str, content: Range<usize>, arena: &mut String) -> Option<FieldRef> {
    let content = text.get(content)?;
    let a = arena.len();
    let mut parts = content.split("\"\"");
    if let Some(first) = parts.next() {
        arena.push_str(first);
    }
    for part in parts {
        arena.push('"');
        arena.push_str(part);
    }
    Some(FieldRef::arena(a..arena.len()))
}

/// The closing quote of a quoted field whose text starts at `open`: its offset, whether the
/// text holds escaped quotes (`""`), and the newlines in the text; `None` when the quote
/// is never closed. Eight bytes at a time, newlines counted from the same words.
#[expect(
    clippy::many_single_char_names,
    reason = "a scanner's offsets and words"
)]
#[inline]
fn closing_quote(b: &[u8], open: usize) -> Option<(usize, bool, u64)> {
    let quotes = LO * u64::from(b'"');
    let newlines = LO * u64::from(b'\n');
    let mut at = open;
    let mut escaped = false;
    let mut count = 0u64;
    loop {
        let (w, real) = match word_at(b, at) {
            Some(w) => (w, !0),
            None if at < b.len() => tail_word(b, at),
            None => return None,
        };
        // The lowest flagged quote is exact; newline flags are exact.
        let x = w ^ quotes;
        let quote = x.wrapping_sub(LO) & !x & !LOW7 & real;
        let y = w ^ newlines;
        let newline = !(((y & LOW7) + LOW7) | y | LOW7) & real;
        if quote == 0 {
            if newline != 0 {
                count += u64::from(newline.count_ones());
            }
            at += 8;
            continue;
        }
        let bit = quote.trailing_zeros();
        let before = newline & ((1u64 << bit) - 1);
        if before != 0 {
            count += u64::from(before.count_ones());
        }
        let i = at + (bit / 8) as usize;
        if b.get(i + 1) == Some(&b'"') {
            escaped = true;
            at = i + 2;
        } else {
            return Some((i, escaped, count));
        }
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The eight bytes of `b` at `at` as a little-endian word, if there are eight.
#[inline]
fn word_at(b: &[u8], at: usize) -> Option<u64> {
    match b.get(at..at + 8).map(<[u8; 8]>::try_from) {
        Some(Ok(chunk)) => Some(u64::from_le_bytes(chunk)),
        _ => None,
    }
}

/// The last bytes of `b` from `at` (fewer than eight) as a word, zero-padded, with a mask
/// of the high bits of the real bytes.
#[cold]
fn tail_word(b: &[u8], at: usize) -> (u64, u64) {
    let tail = b.get(at..).unwrap_or_default();
    let mut chunk = [0u8; 8];
    for (slot, &c) in chunk.iter_mut().zip(tail) {
        *slot = c;
    }
    let real = tail.len().min(7);
    (
        u64::from_le_bytes(chunk),
        !LOW7 & ((1u64 << (8 * real)) - 1),
    )
}

/// Flags the `delim`, `\n` and (with `CR`) `\r` bytes of a window of
/// [`SeparatorFlags::STEP`] bytes, one bit per byte (bit `i`: byte `at + i`), so all the
/// flags of a window can be used, not only the lowest: sixteen bytes per compare with
/// `wide`'s SIMD (SSE2 on x86-64, safe code). Without `CR` a `\r` is not flagged: for text
/// that holds none (one compare less). `ASCII` says that `delim` is an ASCII byte (the
/// compares do not need it; the word-at-a-time splitter before them did).
#[derive(Clone, Copy)]
struct SeparatorFlags<const CR: bool, const ASCII: bool> {
    /// The delimiter. Its vector is made where the compares are (a loop invariant the
    /// compiler keeps in a register): a struct of vectors made per record went through the
    /// stack, an eighth of `perf`'s samples of the splitter.
    delim: u8,
}

impl<const CR: bool, const ASCII: bool> SeparatorFlags<CR, ASCII> {
    /// Bytes a window covers.
    const STEP: usize = 32;

    /// The flags of `delim`, which must be ASCII with `ASCII`.
    #[inline]
    fn new(delim: u8) -> SeparatorFlags<CR, ASCII> {
        debug_assert!(!ASCII || delim.is_ascii(), "an ASCII delimiter");
        SeparatorFlags { delim }
    }

    /// The separators of the window at `at` (none past the end of `b`).
    #[inline]
    fn at(self, b: &[u8], at: usize) -> u64 {
        match b.get(at..at + 32).map(<[u8; 32]>::try_from) {
            Some(Ok(w)) => self.of(&w),
            _ => self.tail(b, at),
        }
    }

    #[inline]
    fn of(self, w: &[u8; 32]) -> u64 {
        let [delim, lf, cr] = [
            u8x16::splat(self.delim),
            u8x16::splat(b'\n'),
            u8x16::splat(b'\r'),
        ];
        if CR {
            eq_any(w, [delim, lf, cr])
        } else {
            eq_any(w, [delim, lf])
        }
    }

    #[cold]
    #[inline(never)]
    fn tail(self, b: &[u8], at: usize) -> u64 {
        // The padding may equal the delimiter (a NUL delimiter): only real bytes count.
        let real = b.len().saturating_sub(at).min(32);
        self.of(&window::<32>(b, at)) & ((1u64 << real) - 1)
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the row loop's state, passed in registers"
)]
fn decode_fast<'a>(
    binding: &Binding,
    text: &'a str,
    arena: &'a str,
    fields: &[FieldRef],
    sets: &'a mut String,
    values: &mut [Value<'a>],
    row: u64,
    line: u64,
) -> Option<RowError> {
    if fields.len() != binding.width {
        return Some(ragged(binding, fields.len(), row, line));
    }
    // One slot per field (`values` has one per schema field), written in place.
    let bytes = text.as_bytes();
    for (i, (f, slot)) in binding.fields.iter().zip(values.iter_mut()).enumerate() {
        // A cell of the block whose ends are visible ASCII (most of them) is decoded from
        // its bytes; any other (empty, to trim, unescaped, absent) as text.
        let plain = match fields.get(f.col).and_then(|r| {
            if r.start == r.end {
                // An empty cell (most missing values): as `decode` reads it, without the
                // call and the copy of its result.
                return Some(Err(decode::empty_cell(&f.kind, f.optional, slot)));
            }
            Some(Ok((r, plain_cell(bytes, r)?)))
        }) {
            Some(Err(plain)) => plain,
            Some(Ok((r, cell))) => decode::decode_plain(
                &f.kind,
                binding.decimal,
                f.optional,
                cell,
                || text.get(r.start..r.end),
                slot,
            ),
            None => Plain::Text,
        };
        let why = match plain {
            Plain::Done => continue,
            Plain::Failed(why) => why,
            Plain::Text => match decode_cell(binding, f, text, arena, fields) {
                Ok(v) => {
                    *slot = v;
                    continue;
                }
                Err(why) => why,
            },
        };
        return decode_failed(
            binding, text, arena, fields, sets, values, i, why, row, line,
        );
    }
    None
}

/// A cell of [`decode_fast`] that is not [`plain_cell`]: decoded as text, trimmed.
#[inline(never)]
fn decode_cell<'a>(
    binding: &Binding,
    f: &FieldReader,
    text: &'a str,
    arena: &'a str,
    fields: &[FieldRef],
) -> Result<Value<'a>, Why> {
    let cell = fields.get(f.col).and_then(|r| field_text(text, arena, r));
    decode::decode(&f.kind, binding.decimal, f.optional, cell.map(decode::trim))
}

/// A cell of the block (not of the arena) that needs no trimming: its first and last bytes
/// are visible ASCII. Such a cell is at char boundaries of the text (an ASCII byte is a
/// char, and the byte after one starts a char), so it is exactly [`field_text`]'s, trimmed.
///
/// An arena range is none: its `start`, with [`FieldRef::ARENA`] set, is past its `end`.
#[inline]
fn plain_cell<'t>(bytes: &'t [u8], r: &FieldRef) -> Option<&'t [u8]> {
    let cell = bytes.get(r.start..r.end)?;
    match (cell.first(), cell.last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => Some(cell),
        _ => None,
    }
}

/// The row of [`decode_fast`] whose field `at` gave `why`: a set cell written as a JSON
/// array (the row is decoded again), or the row's error, naming every unreadable cell.
#[cold]
#[inline(never)]
#[expect(clippy::too_many_arguments, reason = "decode_fast's state, handed on")]
fn decode_failed<'a>(
    binding: &Binding,
    text: &'a str,
    arena: &'a str,
    fields: &[FieldRef],
    sets: &'a mut String,
    values: &mut [Value<'a>],
    at: usize,
    why: Why,
    row: u64,
    line: u64,
) -> Option<RowError> {
    let cell_of = |f: &FieldReader| fields.get(f.col).and_then(|r| field_text(text, arena, r));
    if why == Why::JsonSet {
        let mut decoded = Vec::with_capacity(values.len());
        let error = decode_json_sets(binding, cell_of, sets, &mut decoded, row, line);
        for (slot, v) in values.iter_mut().zip(decoded) {
            *slot = v;
        }
        return error;
    }
    let f = binding.fields.get(at)?;
    let first = cell_error(f, why, cell_of(f), row, line);
    Some(every_cell_error(binding, at, first, |f| {
        text_cell_error(binding, f, cell_of(f), row, line)
    }))
}

#[cfg(test)]
mod tests {
    use super::{FieldRef, SeparatorFlags, closing_quote, count_newlines, split_record};
    use crate::rng;

    /// The splitter before [`SeparatorFlags`]: one search per field.
    /// Splits the record starting at `start` (not a line end) into `fields`; returns where the
    /// next one starts and the newlines in between, or `None` when the record needs csv-core's
    /// full rules.
    #[expect(
        clippy::many_single_char_names,
        reason = "a scanner's offsets and bytes"
    )]
    fn old_split_record(
        b: &[u8],
        text: &str,
        start: usize,
        delim: u8,
        fields: &mut Vec<FieldRef>,
        arena: &mut String,
    ) -> Option<(usize, u64)> {
        fields.clear();
        arena.clear();
        let len = b.len();
        let mut p = start;
        let mut newlines = 0;
        loop {
            if b.get(p) == Some(&b'"') {
                let open = p + 1;
                let mut q = open;
                let mut escaped = false;
                let close = loop {
                    let i = q + memchr::memchr(b'"', b.get(q..)?)?;
                    if b.get(i + 1) == Some(&b'"') {
                        escaped = true;
                        q = i + 2;
                    } else {
                        break i;
                    }
                };
                let content = text.get(open..close)?;
                newlines += count_newlines(content.as_bytes());
                if escaped {
                    let a = arena.len();
                    let mut parts = content.split("\"\"");
                    if let Some(first) = parts.next() {
                        arena.push_str(first);
                    }
                    for part in parts {
                        arena.push('"');
                        arena.push_str(part);
                    }
                    fields.push(FieldRef::arena(a..arena.len()));
                } else {
                    fields.push(FieldRef::block(open..close));
                }
                p = close + 1;
                match b.get(p) {
                    None => return Some((len, newlines)),
                    Some(&c) if c == delim => p += 1,
                    Some(b'\n') => return Some((p + 1, newlines + 1)),
                    Some(b'\r') if b.get(p + 1) == Some(&b'\n') => {
                        return Some((p + 2, newlines + 1));
                    }
                    Some(_) => return None,
                }
            } else {
                let Some(o) = field_end(b.get(p..)?, delim) else {
                    fields.push(FieldRef::block(p..len));
                    return Some((len, newlines));
                };
                let e = p + o;
                fields.push(FieldRef::block(p..e));
                match b.get(e) {
                    Some(&c) if c == delim => p = e + 1,
                    Some(b'\n') => return Some((e + 1, newlines + 1)),
                    Some(b'\r') if b.get(e + 1) == Some(&b'\n') => {
                        return Some((e + 2, newlines + 1));
                    }
                    _ => return None,
                }
            }
        }
    }

    /// Bytes of `w` that are zero, as the high bit of each byte. A byte above a zero byte may
    /// be flagged too (the borrow), never one below it, so the lowest flag is exact.
    #[inline]
    fn zero_bytes(w: u64) -> u64 {
        const LO: u64 = 0x0101_0101_0101_0101;
        const HI: u64 = 0x8080_8080_8080_8080;
        w.wrapping_sub(LO) & !w & HI
    }

    /// The first `delim`, `\n` or `\r` in `rest`, as `memchr3` finds it. Cells are mostly a
    /// few bytes long, where setting up a vector search costs more than the search: this
    /// looks at 8 bytes at a time in a `u64` (the lowest flagged byte of each mask is exact,
    /// see [`zero_bytes`], so the lowest of the three is the first match).
    #[inline]
    fn field_end(rest: &[u8], delim: u8) -> Option<usize> {
        const LO: u64 = 0x0101_0101_0101_0101;
        let splat = |c: u8| LO * u64::from(c);
        let (delims, newlines, returns) = (splat(delim), splat(b'\n'), splat(b'\r'));
        let mut i = 0;
        while let Some(Ok(chunk)) = rest.get(i..i + 8).map(<[u8; 8]>::try_from) {
            let word = u64::from_le_bytes(chunk);
            let found = zero_bytes(word ^ delims)
                | zero_bytes(word ^ newlines)
                | zero_bytes(word ^ returns);
            if found != 0 {
                return Some(i + (found.trailing_zeros() / 8) as usize);
            }
            i += 8;
        }
        let tail = rest.get(i..)?;
        tail.iter()
            .position(|&c| c == delim || c == b'\n' || c == b'\r')
            .map(|o| i + o)
    }

    /// Every offset from `start` on that `seps` flags, eight bytes at a time.
    fn flagged<const CR: bool, const ASCII: bool>(
        seps: SeparatorFlags<CR, ASCII>,
        bytes: &[u8],
        start: usize,
    ) -> Vec<usize> {
        let mut got = Vec::new();
        let mut base = start;
        while base < bytes.len() {
            let mut flags = seps.at(bytes, base);
            while flags != 0 {
                got.push(base + flags.trailing_zeros() as usize);
                flags &= flags - 1;
            }
            base += SeparatorFlags::<CR, ASCII>::STEP;
        }
        got
    }

    #[test]
    fn separators_and_closing_quotes_are_found_as_memchr_finds_them() {
        let mut next = rng(0x9e37_79b9_7f4a_7c15);
        let alphabet = [
            b'a', b',', b';', b'\t', b'\n', b'\r', b'"', b'"', 0, 0x80, 0xff, 0xac, 0x2d, 0x2b,
            0x0b, 0x0c,
        ];
        for round in 0..20_000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let delim = alphabet[round % alphabet.len()];
            let start = (next() % (len as u64 + 1)) as usize;
            let got = flagged(SeparatorFlags::<true, false>::new(delim), &bytes, start);
            let want: Vec<usize> = memchr::memchr3_iter(delim, b'\n', b'\r', &bytes[start..])
                .map(|o| start + o)
                .collect();
            assert_eq!(got, want, "{bytes:?} from {start}");
            if delim.is_ascii() {
                let got = flagged(SeparatorFlags::<true, true>::new(delim), &bytes, start);
                assert_eq!(got, want, "{bytes:?} from {start}, ASCII");
            }
            // Without CR: the delimiters and LFs only (a CR is an ordinary byte).
            let got = flagged(SeparatorFlags::<false, false>::new(delim), &bytes, start);
            let want: Vec<usize> = memchr::memchr2_iter(delim, b'\n', &bytes[start..])
                .map(|o| start + o)
                .collect();
            assert_eq!(got, want, "{bytes:?} from {start}, no CR");
            if delim.is_ascii() {
                let got = flagged(SeparatorFlags::<false, true>::new(delim), &bytes, start);
                assert_eq!(got, want, "{bytes:?} from {start}, no CR, ASCII");
            }
            // The closing quote as the memchr loop found it, with the newlines before it.
            let mut q = start;
            let mut escaped = false;
            let want = loop {
                let Some(i) = bytes.get(q..).and_then(|r| memchr::memchr(b'"', r)) else {
                    break None;
                };
                if bytes.get(q + i + 1) == Some(&b'"') {
                    escaped = true;
                    q += i + 2;
                } else {
                    let close = q + i;
                    break Some((close, escaped, count_newlines(&bytes[start..close])));
                }
            };
            assert_eq!(closing_quote(&bytes, start), want, "{bytes:?} from {start}");
            assert_eq!(
                field_end(&bytes[start..], delim),
                memchr::memchr3(delim, b'\n', b'\r', &bytes[start..]),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn split_record_agrees_with_one_search_per_field() {
        let mut next = rng(0x2545_f491_4f6c_dd1d);
        let pieces = [
            "a", "bc", "12,5", "Acme", ",", ",", ",", ";", "\t", "|", "\"", "\"\"", "\n", "\r",
            "\r\n", " ", "-", "é", "€", "\u{a0}", "x\"y", "\"q,\n\"", "\u{0}",
        ];
        // Delimiters users may pick, including bytes inside UTF-8 sequences.
        let delims = [
            b',', b';', b'\t', b'|', b'"', b' ', 0, 0xa9, 0xc3, 0x82, 0xe2,
        ];
        let (mut f1, mut f2) = (Vec::new(), Vec::new());
        let (mut a1, mut a2) = (String::new(), String::new());
        let mut split = 0;
        for round in 0..40_000 {
            let n = next() % 16;
            let text: String = (0..n)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let b = text.as_bytes();
            let delim = delims[round % delims.len()];
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', b).map(|i| i + 1));
            for start in starts {
                if b.get(start).is_none_or(|c| *c == b'\n' || *c == b'\r') {
                    continue;
                }
                // Fields after others' (a batch's), at any offset.
                let at = round % 3;
                a1.clear();
                let new = if b.contains(&b'\r') {
                    split_record::<true>(b, &text, start, delim, &mut f1, at, &mut a1)
                } else {
                    split_record::<false>(b, &text, start, delim, &mut f1, at, &mut a1)
                };
                let old = old_split_record(b, &text, start, delim, &mut f2, &mut a2);
                assert_eq!(
                    new.map(|(end, lines, _)| (end, lines)),
                    old,
                    "{text:?} at {start}, delim {delim}"
                );
                if let Some((_, _, n)) = new {
                    split += 1;
                    let key =
                        |f: &[FieldRef]| f.iter().map(|r| (r.start, r.end)).collect::<Vec<_>>();
                    assert_eq!(
                        key(&f1[at..at + n]),
                        key(&f2),
                        "{text:?} at {start}, delim {delim}"
                    );
                    assert_eq!(a1, a2, "{text:?}");
                }
            }
        }
        assert!(split > 20_000, "{split}");
        assert_eq!(count_newlines(b"a\nb\n\n"), 3);
    }
}
