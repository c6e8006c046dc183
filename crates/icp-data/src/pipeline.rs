//! The parallel, streaming, order-preserving pipeline.
//!
//! ```text
//!  reader thread            workers (N)                         caller's thread
//!  read + gunzip   block   parse records (csv-core / serde),   reorder by sequence
//!  cut at record  ───────▶ decode values into a reused Vec,  ─▶ number, hand each
//!  boundaries              call the sink per row into a          chunk to `on_chunk`
//!                          per-block output buffer               and recycle buffers
//! ```
//!
//! INVARIANT: memory is bounded: at most `2 × threads + 2` blocks (input and output
//! buffers, recycled) are alive at once, each about `block_size` plus one record.
//! Every record of the input reaches the sink exactly once, in input order.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::ops::Range;
use std::sync::{Mutex, mpsc};

use csv::ByteRecord;
use icp_model::Value;

use crate::binding::{Binding, FieldReader, normalize};
use crate::decode::{self, Why};
use crate::source::{Source, fill};
use crate::split::{self, Splitter};
use crate::{DataError, RowError};

/// What the pipeline calls for every row, on the worker threads.
pub trait RowSink: Sync {
    /// Per-worker state (evaluation scratch, string buffers), made once per thread.
    type Local: Send;
    /// Per-block statistics, merged by the caller in input order.
    type Stats: Default + Send;
    /// Makes a worker's state.
    fn local(&self) -> Self::Local;
    /// Handles one row: append its output to `out`.
    fn row(
        &self,
        local: &mut Self::Local,
        stats: &mut Self::Stats,
        row: &Row<'_>,
        out: &mut Vec<u8>,
    );
}

/// One input row as the sink sees it.
pub struct Row<'r> {
    /// 1-based data row (the header is not a row).
    pub number: u64,
    /// Line of the file where the row starts (1-based).
    pub line: u64,
    /// Decoded values: `values[i]` is schema field `i` (all missing when `error` is set).
    pub values: &'r [Value<'r>],
    /// Why the row is invalid, if it is.
    pub error: Option<&'r RowError>,
    cells: Cells<'r>,
    binding: &'r Binding,
}

enum Cells<'r> {
    Csv(&'r ByteRecord),
    Json(&'r str, &'r [Option<Range<usize>>]),
    /// Fields as ranges of the block's text, or of the record's arena (unescaped `""`).
    Fast(&'r str, &'r str, &'r [FieldRef]),
}

/// Where a field of a fast-parsed CSV record is: a range of the block's text, or with
/// [`FieldRef::ARENA`] set in `start`, of the record's arena (unescaped `""`).
#[derive(Debug, Clone, Copy)]
struct FieldRef {
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
fn field_text<'a>(text: &'a str, arena: &'a str, f: &FieldRef) -> Option<&'a str> {
    if f.start & FieldRef::ARENA == 0 {
        text.get(f.start..f.end)
    } else {
        arena.get(f.start & !FieldRef::ARENA..f.end)
    }
}

impl<'r> Row<'r> {
    /// The trimmed text of the cell schema field `field` reads (`None`: absent or not text).
    pub fn cell(&self, field: usize) -> Option<&'r str> {
        let col = self.binding.column_index(field)?;
        if let Cells::Fast(text, arena, fields) = self.cells {
            return field_text(text, arena, fields.get(col)?).map(decode::trim);
        }
        self.column(col)
            .and_then(|b| std::str::from_utf8(b).ok())
            .map(decode::trim)
    }

    /// Number of input columns of this row (CSV: its fields; JSON: the header's keys).
    pub fn column_count(&self) -> usize {
        match self.cells {
            Cells::Csv(rec) => rec.len(),
            Cells::Json(_, cells) => cells.len(),
            Cells::Fast(_, _, fields) => fields.len(),
        }
    }

    /// Input column `i`, raw (`None` past the end, or a JSON key this object lacks).
    pub fn column(&self, i: usize) -> Option<&'r [u8]> {
        match self.cells {
            Cells::Csv(rec) => rec.get(i),
            Cells::Json(arena, cells) => {
                let r = cells.get(i)?.clone()?;
                arena.get(r).map(str::as_bytes)
            }
            Cells::Fast(text, arena, fields) => {
                field_text(text, arena, fields.get(i)?).map(str::as_bytes)
            }
        }
    }
}

/// A block of output, handed to the caller in input order.
pub struct Chunk<'a, St> {
    /// What the sink wrote for the block's rows.
    pub bytes: &'a [u8],
    /// The sink's statistics for the block.
    pub stats: St,
    /// Rows in the block.
    pub rows: u64,
    /// Input bytes (after decompression) the block covers.
    pub input_bytes: u64,
}

/// Totals of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Rows read (each yielded one output).
    pub rows: u64,
    /// Input bytes read after the header (after decompression).
    pub input_bytes: u64,
}

struct Block {
    seq: u64,
    first_row: u64,
    first_line: u64,
    records: u64,
    open_quote_line: Option<u64>,
    input: Vec<u8>,
    output: Vec<u8>,
}

struct Done<St> {
    seq: u64,
    input: Vec<u8>,
    output: Vec<u8>,
    stats: St,
    rows: u64,
}

type Buffers = (Vec<u8>, Vec<u8>);

impl Source {
    /// Reads every row, decodes it with `binding`, hands it to `sink` on worker threads and
    /// passes each block's output, in input order, to `on_chunk` on this thread. An error
    /// from `on_chunk` stops the run ([`DataError::Write`]).
    pub fn run<S, F>(
        self,
        binding: &Binding,
        sink: &S,
        on_chunk: F,
    ) -> Result<RunSummary, DataError>
    where
        S: RowSink,
        F: FnMut(Chunk<'_, S::Stats>) -> io::Result<()>,
    {
        let threads = self.options.threads.max(1);
        let in_flight = threads * 2 + 2;
        let (token_tx, token_rx) = mpsc::sync_channel::<Buffers>(in_flight);
        for _ in 0..in_flight {
            let _ = token_tx.send((Vec::new(), Vec::new()));
        }
        // INVARIANT: a block is sent only with a token, so this never blocks.
        let (block_tx, block_rx) = mpsc::sync_channel::<Block>(in_flight);
        let block_rx = Mutex::new(block_rx);
        let (done_tx, done_rx) = mpsc::channel::<Done<S::Stats>>();
        let reader_error: Mutex<Option<DataError>> = Mutex::new(None);
        let splitter = self.splitter;
        let written = std::thread::scope(|scope| {
            let reader_error = &reader_error;
            scope.spawn(move || {
                if let Err(e) = read_blocks(self, &token_rx, &block_tx)
                    && let Ok(mut slot) = reader_error.lock()
                {
                    *slot = Some(e);
                }
            });
            for _ in 0..threads {
                let done_tx = done_tx.clone();
                let block_rx = &block_rx;
                scope.spawn(move || work(splitter, binding, sink, block_rx, &done_tx));
            }
            drop(done_tx);
            let written = write_in_order(done_rx, &token_tx, on_chunk);
            // Unblocks the reader if the writer stopped early.
            drop(token_tx);
            written
        });
        if let Ok(mut slot) = reader_error.lock()
            && let Some(e) = slot.take()
        {
            return Err(e);
        }
        written
    }
}

fn write_in_order<St, F>(
    done_rx: mpsc::Receiver<Done<St>>,
    token_tx: &mpsc::SyncSender<Buffers>,
    mut on_chunk: F,
) -> Result<RunSummary, DataError>
where
    F: FnMut(Chunk<'_, St>) -> io::Result<()>,
{
    let mut pending = BTreeMap::new();
    let mut next = 0u64;
    let mut summary = RunSummary::default();
    for d in done_rx {
        pending.insert(d.seq, d);
        while let Some(d) = pending.remove(&next) {
            summary.rows += d.rows;
            summary.input_bytes += d.input.len() as u64;
            on_chunk(Chunk {
                bytes: &d.output,
                stats: d.stats,
                rows: d.rows,
                input_bytes: d.input.len() as u64,
            })
            .map_err(DataError::Write)?;
            let _ = token_tx.send((d.input, d.output));
            next += 1;
        }
    }
    Ok(summary)
}

fn read_blocks(
    mut src: Source,
    tokens: &mpsc::Receiver<Buffers>,
    blocks: &mpsc::SyncSender<Block>,
) -> Result<(), DataError> {
    let block_size = src.options.block_size.max(1);
    let max_record = src.options.max_record.max(block_size);
    let mut carry = std::mem::take(&mut src.carry);
    let mut eof = src.eof;
    let mut row = 1u64;
    let mut line = src.first_line;
    let mut seq = 0u64;
    let mut held: Option<Buffers> = None;
    loop {
        if eof && carry.is_empty() {
            return Ok(());
        }
        let (mut input, output) = match held.take() {
            Some(t) => t,
            None => match tokens.recv() {
                Ok(t) => t,
                Err(_) => return Ok(()),
            },
        };
        input.clear();
        input.append(&mut carry);
        let mut want = block_size.max(input.len() + 1);
        let scan = loop {
            if !eof {
                eof = fill(&mut src.reader, &mut input, want).map_err(DataError::Read)?;
            }
            let scan = scan(src.splitter, &input, eof);
            if scan.cut > 0 || eof || scan.done {
                break scan;
            }
            if input.len() >= max_record {
                return Err(DataError::RecordTooLong {
                    line,
                    limit: max_record,
                });
            }
            want = input.len() * 2;
        };
        if scan.done {
            // The closing `]` of a JSON array: whatever follows is ignored.
            eof = true;
        } else {
            carry.extend_from_slice(input.get(scan.cut..).unwrap_or_default());
        }
        input.truncate(scan.cut);
        let newlines = memchr::memchr_iter(b'\n', &input).count() as u64;
        let open_quote_line = scan.open_quote.map(|p| {
            line + memchr::memchr_iter(b'\n', input.get(..p).unwrap_or_default()).count() as u64
        });
        if scan.records == 0 {
            line += newlines;
            held = Some((input, output));
            continue;
        }
        let block = Block {
            seq,
            first_row: row,
            first_line: line,
            records: scan.records,
            open_quote_line,
            input,
            output,
        };
        if blocks.send(block).is_err() {
            return Ok(());
        }
        row += scan.records;
        line += newlines;
        seq += 1;
    }
}

fn scan(splitter: Splitter, input: &[u8], eof: bool) -> split::Scan {
    match splitter {
        Splitter::Csv(d) => split::scan_csv(input, d, eof, u64::MAX),
        Splitter::Lines => {
            let (r, cut) = split::jsonl_records(input, eof, usize::MAX);
            split::Scan {
                cut,
                records: r.len() as u64,
                open_quote: None,
                done: false,
            }
        }
        Splitter::JsonArray => {
            let (r, cut, done) = split::json_elements(input, eof, usize::MAX);
            split::Scan {
                cut,
                records: r.len() as u64,
                open_quote: None,
                done,
            }
        }
    }
}

/// Re-lifetimes an empty vector, keeping its allocation (in-place collect).
fn recycle<'b>(mut v: Vec<Value<'_>>) -> Vec<Value<'b>> {
    v.clear();
    v.into_iter().map(|_| Value::Missing).collect()
}

struct Scratch {
    rec: ByteRecord,
    fields: Vec<FieldRef>,
    spare: Vec<Value<'static>>,
    arena: String,
    cells: Vec<Option<Range<usize>>>,
}

fn work<S: RowSink>(
    splitter: Splitter,
    binding: &Binding,
    sink: &S,
    blocks: &Mutex<mpsc::Receiver<Block>>,
    done: &mpsc::Sender<Done<S::Stats>>,
) {
    let mut local = sink.local();
    let mut scratch = Scratch {
        rec: ByteRecord::new(),
        fields: Vec::new(),
        spare: Vec::with_capacity(binding.len()),
        arena: String::new(),
        cells: Vec::new(),
    };
    loop {
        let block = match blocks.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(mut block) = block else { return };
        let mut stats = S::Stats::default();
        let mut out = std::mem::take(&mut block.output);
        out.clear();
        let mut ctx = Ctx {
            binding,
            sink,
            local: &mut local,
            stats: &mut stats,
            out: &mut out,
        };
        let rows = match splitter {
            Splitter::Csv(d) => csv_block(&block, d, &mut ctx, &mut scratch),
            Splitter::Lines | Splitter::JsonArray => {
                json_block(&block, splitter, &mut ctx, &mut scratch)
            }
        };
        let finished = Done {
            seq: block.seq,
            input: block.input,
            output: out,
            stats,
            rows,
        };
        if done.send(finished).is_err() {
            return;
        }
    }
}

struct Ctx<'a, S: RowSink> {
    binding: &'a Binding,
    sink: &'a S,
    local: &'a mut S::Local,
    stats: &'a mut S::Stats,
    out: &'a mut Vec<u8>,
}

/// Parses a CSV block: records are split by hand from the block's text (no copy), and
/// from the first record that needs csv-core's full rules (invalid UTF-8, a lone CR, text
/// after a closing quote, a quote never closed) the rest of the block goes to the `csv`
/// crate. Both give the same records (the property tests compare them).
fn csv_block<S: RowSink>(block: &Block, delim: u8, ctx: &mut Ctx<'_, S>, s: &mut Scratch) -> u64 {
    let input = block.input.as_slice();
    let Ok(text) = std::str::from_utf8(input) else {
        return csv_slow(block, 0, 0, block.first_line, delim, ctx, s);
    };
    let mut n = 0u64;
    let mut pos = 0;
    let mut line = block.first_line;
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
            return n;
        }
        let Some((end, newlines, count)) =
            split_record(input, text, pos, delim, &mut s.fields, &mut s.arena)
        else {
            return n + csv_slow(block, pos, n, line, delim, ctx, s);
        };
        if n + 1 == block.records && block.open_quote_line.is_some() {
            return n + csv_slow(block, pos, n, line, delim, ctx, s);
        }
        let number = block.first_row + n;
        n += 1;
        let arena: &str = &s.arena;
        let fields: &[FieldRef] = s.fields.get(..count).unwrap_or_default();
        let mut values = recycle(std::mem::take(&mut s.spare));
        let error = decode_fast(ctx.binding, text, arena, fields, &mut values, number, line);
        s.spare = emit(
            ctx,
            number,
            line,
            values,
            error.as_ref(),
            Cells::Fast(text, arena, fields),
        );
        line += newlines;
        pos = end;
    }
}

/// Hands one decoded row to the sink (an invalid row's values all missing) and returns
/// the value buffer, emptied, for the next row.
#[inline]
fn emit<S: RowSink>(
    ctx: &mut Ctx<'_, S>,
    number: u64,
    line: u64,
    mut values: Vec<Value<'_>>,
    error: Option<&RowError>,
    cells: Cells<'_>,
) -> Vec<Value<'static>> {
    if error.is_some() {
        pad(&mut values, ctx.binding.len());
    }
    let row = Row {
        number,
        line,
        values: &values,
        error,
        cells,
        binding: ctx.binding,
    };
    ctx.sink.row(ctx.local, ctx.stats, &row, ctx.out);
    recycle(values)
}

fn count_newlines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

/// Splits the record starting at `start` (not a line end) into the first fields of
/// `fields` (kept between records and grown when a record has more fields, so mostly
/// overwritten); returns where the next record starts, the newlines in between and the
/// number of fields, or `None` when the record needs csv-core's full rules.
fn split_record(
    b: &[u8],
    text: &str,
    start: usize,
    delim: u8,
    fields: &mut Vec<FieldRef>,
    arena: &mut String,
) -> Option<(usize, u64, usize)> {
    loop {
        if let Some(done) = split_into(b, text, start, delim, fields, arena) {
            return done;
        }
        // More fields than the vector holds: grow it and split again.
        let len = fields.len().max(8) * 2;
        fields.resize(len, FieldRef { start: 0, end: 0 });
    }
}

/// [`split_record`] into `slots`; `None` when they are too few.
///
/// Unquoted fields end at the first `delim`, `\n` or `\r`, found eight bytes at a time:
/// the separators of a word are flagged exactly ([`SeparatorFlags`]) and handed out in
/// order, so each byte of the record is looked at once however short its fields are.
#[expect(
    clippy::option_option,
    reason = "too few slots (outer) is not the same as needing csv-core's rules (inner)"
)]
#[expect(
    clippy::many_single_char_names,
    reason = "a scanner's offsets and bytes"
)]
fn split_into(
    b: &[u8],
    text: &str,
    start: usize,
    delim: u8,
    slots: &mut [FieldRef],
    arena: &mut String,
) -> Option<Option<(usize, u64, usize)>> {
    arena.clear();
    let len = b.len();
    let seps = SeparatorFlags::new(delim);
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
            base += 8;
            if base >= len {
                *slots.get_mut(n)? = FieldRef::block(p..len);
                return Some(Some((len, newlines, n + 1)));
            }
            flags = seps.at(b, base);
        }
        let e = base + (flags.trailing_zeros() / 8) as usize;
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

/// Flags the `delim`, `\n` and `\r` bytes of a word exactly (the high bit of each such
/// byte), so all the flags of a word can be used, not only the lowest.
#[derive(Clone, Copy)]
struct SeparatorFlags {
    /// `delim` in every byte, without its high bit.
    low: u64,
    /// The high bit of `delim` in every byte.
    high: u64,
}

impl SeparatorFlags {
    #[inline]
    fn new(delim: u8) -> SeparatorFlags {
        let splat = LO * u64::from(delim);
        SeparatorFlags {
            low: splat & LOW7,
            high: splat & !LOW7,
        }
    }

    /// The separators of the word at `at` (none past the end of `b`).
    #[inline]
    fn at(self, b: &[u8], at: usize) -> u64 {
        match word_at(b, at) {
            Some(w) => self.of(w),
            None => self.tail(b, at),
        }
    }

    /// A byte equals `c` when its low 7 bits equal those of `c` and its high bit that of
    /// `c`: `(low7 ^ c) + 0x7f` has the high bit set exactly when the low bits differ (no
    /// carry leaves a byte), and `\n`, `\r` have no high bit.
    #[inline]
    fn of(self, w: u64) -> u64 {
        let low7 = w & LOW7;
        let differ = |c: u64| (low7 ^ c) + LOW7;
        let not_delim = differ(self.low) | (w ^ self.high);
        let not_newline = (differ(LO * u64::from(b'\n')) & differ(LO * u64::from(b'\r'))) | w;
        !(not_delim & not_newline) & !LOW7
    }

    #[cold]
    #[inline(never)]
    fn tail(self, b: &[u8], at: usize) -> u64 {
        let (w, real) = tail_word(b, at);
        self.of(w) & real
    }
}

fn decode_fast<'a>(
    binding: &Binding,
    text: &'a str,
    arena: &'a str,
    fields: &[FieldRef],
    values: &mut Vec<Value<'a>>,
    row: u64,
    line: u64,
) -> Option<RowError> {
    if fields.len() != binding.width {
        return Some(ragged(binding, fields.len(), row, line));
    }
    for f in &binding.fields {
        let cell = fields.get(f.col).and_then(|r| field_text(text, arena, r));
        let pushed = decode::decode_with(&f.kind, f.optional, cell.map(decode::trim), |v| {
            values.push(v);
        });
        if let Err(why) = pushed {
            return Some(cell_error(f, why, cell, row, line));
        }
    }
    None
}

fn ragged(binding: &Binding, found: usize, row: u64, line: u64) -> RowError {
    RowError {
        row,
        line,
        column: None,
        value: None,
        why: format!(
            "expected {} fields, found {found} (a shifted row: check its quoting and delimiters)",
            binding.width
        ),
    }
}

/// Parses `block.input[start..]` (which starts at a record) with the `csv` crate; `done`
/// records of the block came before, and the first one read is on line `first_line`.
fn csv_slow<S: RowSink>(
    block: &Block,
    start: usize,
    done: u64,
    first_line: u64,
    delim: u8,
    ctx: &mut Ctx<'_, S>,
    s: &mut Scratch,
) -> u64 {
    let input = block.input.get(start..).unwrap_or_default();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .buffer_capacity(64 * 1024)
        .from_reader(input);
    let mut n = 0u64;
    let rec = &mut s.rec;
    while let Ok(true) = rdr.read_byte_record(rec) {
        let number = block.first_row + done + n;
        n += 1;
        // csv reports where the read began (after the previous record); blank lines
        // skipped before this record's first byte still count.
        let (at_line, at_byte) = rec.position().map_or((1, 0), |p| (p.line(), p.byte()));
        let line = first_line + at_line - 1 + blank_lines(input, at_byte);
        let rec: &ByteRecord = rec;
        let mut values = recycle(std::mem::take(&mut s.spare));
        let mut error = decode_csv(ctx.binding, rec, &mut values, number, line);
        if done + n == block.records
            && let Some(open) = block.open_quote_line
        {
            error = Some(RowError {
                row: number,
                line,
                column: None,
                value: None,
                why: format!(
                    "unterminated quote: the quoted field opened on line {open} runs to the end of the file"
                ),
            });
        }
        s.spare = emit(ctx, number, line, values, error.as_ref(), Cells::Csv(rec));
    }
    n
}

/// Newlines in the run of line ends at `at` (blank lines before a record).
fn blank_lines(input: &[u8], at: u64) -> u64 {
    let at = usize::try_from(at).unwrap_or(usize::MAX);
    input
        .get(at..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&c| c == b'\n' || c == b'\r')
        .filter(|&&c| c == b'\n')
        .count() as u64
}

fn pad(values: &mut Vec<Value<'_>>, len: usize) {
    values.clear();
    values.resize(len, Value::Missing);
}

fn decode_csv<'a>(
    binding: &Binding,
    rec: &'a ByteRecord,
    values: &mut Vec<Value<'a>>,
    row: u64,
    line: u64,
) -> Option<RowError> {
    if rec.len() != binding.width {
        return Some(ragged(binding, rec.len(), row, line));
    }
    // One UTF-8 check for the whole record; fields are then slices of it.
    let whole = std::str::from_utf8(rec.as_slice()).ok();
    for f in &binding.fields {
        if let Some(text) = whole {
            let cell = f.index.and_then(|c| rec.range(c)).and_then(|r| text.get(r));
            match decode::decode(&f.kind, f.optional, cell.map(decode::trim)) {
                Ok(v) => values.push(v),
                Err(why) => return Some(cell_error(f, why, cell, row, line)),
            }
            continue;
        }
        let cell = match f.index.and_then(|c| rec.get(c)) {
            None => None,
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(s) => Some(s),
                Err(_) => {
                    return Some(RowError {
                        row,
                        line,
                        column: Some(f.column.clone()),
                        value: Some(String::from_utf8_lossy(bytes).into_owned()),
                        why: "not valid UTF-8 (save the file as UTF-8)".into(),
                    });
                }
            },
        };
        match decode::decode(&f.kind, f.optional, cell.map(decode::trim)) {
            Ok(v) => values.push(v),
            Err(why) => return Some(cell_error(f, why, cell, row, line)),
        }
    }
    None
}

#[cold]
#[inline(never)]
fn cell_error(f: &FieldReader, why: Why, cell: Option<&str>, row: u64, line: u64) -> RowError {
    let value = cell.map(|c| decode::trim(c).to_string());
    let why = match why {
        Why::Required if cell.is_none() => "a value is required, and the key is absent".into(),
        Why::Required => format!("a value is required (field `{}` is not optional)", f.name),
        Why::Unreadable => match cell.and_then(|c| f.kind.suggest(decode::trim(c))) {
            Some(s) => format!("{}; did you mean `{s}`?", f.expected),
            None => f.expected.clone(),
        },
    };
    RowError {
        row,
        line,
        column: Some(f.column.clone()),
        value,
        why,
    }
}

fn json_block<S: RowSink>(
    block: &Block,
    splitter: Splitter,
    ctx: &mut Ctx<'_, S>,
    s: &mut Scratch,
) -> u64 {
    let input = block.input.as_slice();
    let ranges = match splitter {
        Splitter::JsonArray => split::json_elements(input, true, usize::MAX).0,
        _ => split::jsonl_records(input, true, usize::MAX).0,
    };
    let mut line = block.first_line;
    let mut pos = 0;
    let mut n = 0u64;
    for r in ranges {
        line +=
            memchr::memchr_iter(b'\n', input.get(pos..r.start).unwrap_or_default()).count() as u64;
        pos = r.start;
        let number = block.first_row + n;
        n += 1;
        s.arena.clear();
        s.cells.clear();
        s.cells.resize(ctx.binding.width, None);
        let parsed = json_cells(
            input.get(r).unwrap_or_default(),
            ctx.binding,
            &mut s.arena,
            &mut s.cells,
        );
        let arena: &str = &s.arena;
        let cells: &[Option<Range<usize>>] = &s.cells;
        let mut values = recycle(std::mem::take(&mut s.spare));
        let error = match parsed {
            Err((column, why)) => Some(RowError {
                row: number,
                line,
                column,
                value: None,
                why,
            }),
            Ok(()) => decode_json(ctx.binding, arena, cells, &mut values, number, line),
        };
        s.spare = emit(
            ctx,
            number,
            line,
            values,
            error.as_ref(),
            Cells::Json(arena, cells),
        );
    }
    n
}

fn decode_json<'a>(
    binding: &Binding,
    arena: &'a str,
    cells: &[Option<Range<usize>>],
    values: &mut Vec<Value<'a>>,
    row: u64,
    line: u64,
) -> Option<RowError> {
    for f in &binding.fields {
        let cell = f
            .index
            .and_then(|c| cells.get(c))
            .and_then(Clone::clone)
            .and_then(|r| arena.get(r));
        match decode::decode(&f.kind, f.optional, cell.map(decode::trim)) {
            Ok(v) => values.push(v),
            Err(why) => return Some(cell_error(f, why, cell, row, line)),
        }
    }
    None
}

/// Renders the values of one JSON object into `arena`, one range per header column.
fn json_cells(
    bytes: &[u8],
    binding: &Binding,
    arena: &mut String,
    cells: &mut [Option<Range<usize>>],
) -> Result<(), (Option<String>, String)> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| (None, format!("not valid JSON: {e}")))?;
    let serde_json::Value::Object(map) = value else {
        return Err((
            None,
            format!("expected a JSON object, found `{}`", short(&value)),
        ));
    };
    for (k, v) in &map {
        let key = normalize(k);
        let Some(&col) = binding.columns.get(&key) else {
            continue;
        };
        let used = binding.by_key.contains_key(&key);
        let start = arena.len();
        match v {
            serde_json::Value::Null => continue,
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        arena.push('\u{1f}');
                    }
                    if !scalar(item, arena) {
                        return Err((
                            Some(k.clone()),
                            "nested values in a list cannot be read".into(),
                        ));
                    }
                }
            }
            serde_json::Value::Object(_) if used => {
                return Err((Some(k.clone()), "a nested object cannot be read".into()));
            }
            other => {
                if !scalar(other, arena) {
                    arena.push_str(&other.to_string());
                }
            }
        }
        if let Some(slot) = cells.get_mut(col) {
            *slot = Some(start..arena.len());
        }
    }
    Ok(())
}

fn scalar(v: &serde_json::Value, arena: &mut String) -> bool {
    match v {
        serde_json::Value::String(s) => arena.push_str(s),
        serde_json::Value::Number(n) => arena.push_str(&n.to_string()),
        serde_json::Value::Bool(b) => arena.push_str(if *b { "true" } else { "false" }),
        serde_json::Value::Null => {}
        _ => return false,
    }
    true
}

fn short(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        let t: String = s.chars().take(40).collect();
        format!("{t}…")
    } else {
        s
    }
}

/// Header column index by normalised name (first occurrence wins).
pub(crate) fn column_map(header: &[String]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        m.entry(normalize(h)).or_insert(i);
    }
    m
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
            let seps = SeparatorFlags::new(delim);
            let mut got = Vec::new();
            let mut base = start;
            while base < bytes.len() {
                let mut flags = seps.at(&bytes, base);
                while flags != 0 {
                    got.push(base + (flags.trailing_zeros() / 8) as usize);
                    flags &= flags - 1;
                }
                base += 8;
            }
            let want: Vec<usize> = memchr::memchr3_iter(delim, b'\n', b'\r', &bytes[start..])
                .map(|o| start + o)
                .collect();
            assert_eq!(got, want, "{bytes:?} from {start}");
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
                let new = split_record(b, &text, start, delim, &mut f1, &mut a1);
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
                        key(&f1[..n]),
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
