//! The parallel, streaming, order-preserving pipeline.
//!
//! ```text
//!  each of the N workers, in a loop:
//!  1. under the reader's lock: read (+ gunzip) the next block into the worker's own
//!     buffer and cut it at a record boundary (the rest is carried to the next block);
//!  2. parse its records (csv-core / serde), decode values, call the sink per row into
//!     an output buffer;
//!  3. under the writer's lock: if the block is next in input order, hand it to
//!     `on_chunk`, then the finished blocks it held up; else leave it for the worker
//!     that finishes the one before.
//! ```
//!
//! No thread only reads or only writes: a worker reads the block it parses (still in its
//! core's cache then) and writes what it made; there are never more busy threads than
//! workers, and the caller's thread waits (89 context switches on ../shared/perf's 1M rows,
//! where a reading thread and a writing one made 354).
//!
//! INVARIANT: memory is bounded: one input buffer per worker (about `block_size` plus one
//! record) and the carry (at most one record, or the first block), and at most
//! `2 × threads + 2` output buffers (recycled), one per block in flight.
//! Every record of the input reaches the sink exactly once, in input order.

mod csv_fast;
mod csv_slow;
mod json;

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::ops::Range;
use std::sync::{Mutex, mpsc};

use csv::ByteRecord;
use icp_model::Value;

use crate::binding::{Binding, FieldReader, normalize};
use crate::decode::{self, Why};
use crate::source::{Source, fill};
use crate::split::{self, JsonSkip, Runaway, Splitter, count_newlines};
use crate::{DataError, RowError};

use csv_fast::{FieldRef, csv_block, field_text};
use json::json_block;

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
    /// Handles consecutive rows, in order: the same as [`RowSink::row`] on each (what this
    /// default does). CSV rows come in batches of up to a few hundred, so that a sink can
    /// evaluate them together ([`Rows::values`]); other inputs come a row at a time.
    fn rows(
        &self,
        local: &mut Self::Local,
        stats: &mut Self::Stats,
        rows: &Rows<'_>,
        out: &mut Vec<u8>,
    ) {
        for i in 0..rows.len() {
            if let Some(row) = rows.get(i) {
                self.row(local, stats, &row, out);
            }
        }
    }
}

/// Consecutive input rows of a block, decoded (see [`RowSink::rows`]).
pub struct Rows<'r> {
    values: &'r [Value<'r>],
    /// Slots per row in `values` (the schema's fields, at least one).
    width: usize,
    meta: &'r [RowMeta],
    errors: &'r [RowError],
    text: &'r str,
    arena: &'r str,
    fields: &'r [FieldRef],
    binding: &'r Binding,
}

/// Where a row of [`Rows`] is.
#[derive(Debug, Clone)]
pub(crate) struct RowMeta {
    number: u64,
    line: u64,
    /// Its fields in [`Rows::fields`].
    fields: Range<usize>,
    /// Its error in [`Rows::errors`], if it is invalid.
    error: Option<usize>,
}

impl<'r> Rows<'r> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.meta.is_empty()
    }

    /// Every row's values, one after the other: row `i`'s are
    /// `values()[i * width()..][..fields]`, with `fields` the schema's fields (all missing
    /// when the row is invalid).
    pub fn values(&self) -> &'r [Value<'r>] {
        self.values
    }

    /// Slots per row in [`Rows::values`]: the schema's fields, or 1 when it has none.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Row `i`'s number (1-based data row).
    pub fn number(&self, i: usize) -> Option<u64> {
        self.meta.get(i).map(|m| m.number)
    }

    /// Whether row `i` is invalid (then [`Rows::get`] gives its error).
    pub fn is_invalid(&self, i: usize) -> bool {
        self.meta.get(i).is_none_or(|m| m.error.is_some())
    }

    /// Row `i`.
    pub fn get(&self, i: usize) -> Option<Row<'r>> {
        let meta = self.meta.get(i)?;
        let stride = self.binding.len();
        let values = self.values.get(i * self.width..)?.get(..stride)?;
        Some(Row {
            number: meta.number,
            line: meta.line,
            values,
            error: meta.error.and_then(|e| self.errors.get(e)),
            cells: Cells::Fast(
                self.text,
                self.arena,
                self.fields.get(meta.fields.clone()).unwrap_or_default(),
            ),
            binding: self.binding,
        })
    }
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Rows read (each yielded one output).
    pub rows: u64,
    /// Input bytes read after the header (after decompression).
    pub input_bytes: u64,
    /// Blank lines of a CSV file, skipped (no row).
    pub blank_lines: u64,
    /// What the reader noticed while reading that the rows cannot say, for the user (a
    /// JSON key repeated in an object, naming the key): one line each, in input order, at
    /// most one per key.
    pub warnings: Vec<String>,
}

struct Block {
    seq: u64,
    first_row: u64,
    first_line: u64,
    /// CSV records cut short by the quote rule (offsets in `input`).
    runaways: Vec<Runaway>,
    /// Whether `input` may hold a CR (`false`: it holds none).
    cr: bool,
    /// A block that is one unreadable record, not in `input`.
    special: Option<Special>,
    input: Vec<u8>,
    output: Vec<u8>,
}

/// A record the reader could not hand out as text: one invalid row.
enum Special {
    /// Longer than the limit: skipped, reading resumes on line `resume`.
    Overlong { limit: usize, resume: u64 },
    /// Text after the closing `]` of a JSON array that is not another array.
    AfterArray { found: String },
}

impl Special {
    fn why(&self) -> String {
        match self {
            Special::Overlong { limit, resume } => format!(
                "the record is longer than {}, the longest read (is a quote never closed?): \
                 it is skipped and reading resumes on line {resume}",
                crate::human_size(*limit)
            ),
            Special::AfterArray { found } => format!(
                "expected the end of the file or another JSON array after the array's `]`, \
                 found `{}`: the rest of the file is not read",
                crate::escape_invisible(found)
            ),
        }
    }
}

struct Done<St> {
    seq: u64,
    /// The block's input bytes.
    input_bytes: u64,
    output: Vec<u8>,
    stats: St,
    rows: u64,
    /// (normalised key, message) of the block's warnings.
    warnings: Vec<(String, String)>,
}

impl Source {
    /// Reads every row, decodes it with `binding`, hands it to `sink` on worker threads and
    /// passes each block's output, in input order, to `on_chunk` on a worker thread (one
    /// call at a time). An error from `on_chunk` stops the run ([`DataError::Write`]).
    pub fn run<S, F>(
        self,
        binding: &Binding,
        sink: &S,
        on_chunk: F,
    ) -> Result<RunSummary, DataError>
    where
        S: RowSink,
        F: FnMut(Chunk<'_, S::Stats>) -> io::Result<()> + Send,
    {
        let threads = self.options.threads.max(1);
        let in_flight = threads * 2 + 2;
        // Output buffers, each returned once its block is written.
        let (token_tx, token_rx) = mpsc::sync_channel::<Vec<u8>>(in_flight);
        for _ in 0..in_flight {
            let _ = token_tx.send(Vec::new());
        }
        let reader = Mutex::new(Reader::new(self, token_rx));
        let in_order = Mutex::new(InOrder {
            pending: BTreeMap::new(),
            next: 0,
            summary: RunSummary::default(),
            warned: std::collections::HashSet::new(),
            on_chunk,
            tokens: Some(token_tx),
            failed: None,
        });
        let reader_error: Mutex<Option<DataError>> = Mutex::new(None);
        // The workers start together, woken from the barrier: a waking thread is put on an
        // idle core, where a new one stays on its parent's (`perf sched` on ../shared/perf:
        // one core idle for 8 of the first 10 ms, 0.3 ms with the barrier).
        let start = std::sync::Barrier::new(threads + 1);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                let (reader, reader_error, in_order, start) =
                    (&reader, &reader_error, &in_order, &start);
                scope.spawn(move || {
                    start.wait();
                    work(binding, sink, reader, reader_error, in_order);
                });
            }
            start.wait();
        });
        if let Ok(mut slot) = reader_error.lock()
            && let Some(e) = slot.take()
        {
            return Err(e);
        }
        let blank_lines = reader.into_inner().map_or(0, |r| r.blank_lines);
        let in_order = in_order
            .into_inner()
            .map_err(|_| DataError::Write(io::Error::other("a worker thread panicked")))?;
        if let Some(e) = in_order.failed {
            return Err(DataError::Write(e));
        }
        let mut summary = in_order.summary;
        summary.blank_lines = blank_lines;
        Ok(summary)
    }
}

/// Hands the finished blocks to the caller (`on_chunk`) in input order, on the worker
/// thread that finished the block that was next: no thread waits only to write, and a
/// block is written from the core that made it.
struct InOrder<St, F> {
    /// Finished blocks waiting for an earlier one, by sequence number.
    pending: BTreeMap<u64, Done<St>>,
    next: u64,
    summary: RunSummary,
    warned: std::collections::HashSet<String>,
    on_chunk: F,
    /// Where written blocks' output buffers go back to the reader (dropped when writing
    /// fails: a worker waiting for a buffer then stops).
    tokens: Option<mpsc::SyncSender<Vec<u8>>>,
    /// The caller's error: nothing is written after it.
    failed: Option<io::Error>,
}

impl<St, F> InOrder<St, F>
where
    F: FnMut(Chunk<'_, St>) -> io::Result<()>,
{
    /// Takes a finished block and writes it, and the blocks it held up, when it is next;
    /// `false` once writing failed (the worker stops).
    fn finish(&mut self, d: Done<St>) -> bool {
        if self.failed.is_some() {
            return false;
        }
        self.pending.insert(d.seq, d);
        while let Some(d) = self.pending.remove(&self.next) {
            for (key, message) in d.warnings {
                if self.warned.len() < 64 && self.warned.insert(key) {
                    self.summary.warnings.push(message);
                }
            }
            self.summary.rows += d.rows;
            self.summary.input_bytes += d.input_bytes;
            let written = (self.on_chunk)(Chunk {
                bytes: &d.output,
                stats: d.stats,
                rows: d.rows,
                input_bytes: d.input_bytes,
            });
            if let Err(e) = written {
                self.failed = Some(e);
                self.pending.clear();
                self.tokens = None;
                return false;
            }
            if let Some(tokens) = &self.tokens {
                // Never blocks: the channel holds every buffer there is.
                let _ = tokens.send(d.output);
            }
            self.next += 1;
        }
        true
    }
}

/// The reading side of the pipeline: reads the input and cuts it into blocks at record
/// boundaries. No thread of its own: the workers take it in turn, under a lock, each
/// reading the block it then parses (the block is still in its core's cache, and there are
/// never more busy threads than workers).
struct Reader {
    src: Source,
    /// Output buffers (each returned by the writer once its block is written): a block is
    /// read only with one, which bounds the blocks in flight.
    tokens: mpsc::Receiver<Vec<u8>>,
    /// The input so far ends with a CR (an LF next ends its line).
    after_cr: bool,
    block_size: usize,
    max_record: usize,
    /// The header's fields (CSV), for the quote rule.
    width: usize,
    /// Bytes read after the last block's cut.
    carry: Vec<u8>,
    eof: bool,
    /// The next block's first row, line and sequence number.
    row: u64,
    line: u64,
    seq: u64,
    /// An output buffer taken for a read that gave no record (used for the next).
    held: Option<Vec<u8>>,
    /// Just after the closing `]` of a JSON array.
    after_array: bool,
    /// Blank lines skipped so far.
    blank_lines: u64,
    /// No block follows: the input is over (or what follows is not read), reading failed,
    /// or the writer stopped.
    over: bool,
}

impl Reader {
    fn new(mut src: Source, tokens: mpsc::Receiver<Vec<u8>>) -> Reader {
        let block_size = src.options.block_size.max(1);
        Reader {
            after_cr: src.after_cr,
            block_size,
            max_record: src.options.max_record.max(block_size),
            width: match src.splitter {
                Splitter::Csv(_) => src.header.len(),
                _ => 0,
            },
            carry: std::mem::take(&mut src.carry),
            eof: src.eof,
            row: 1,
            line: src.first_line,
            seq: 0,
            held: None,
            after_array: false,
            blank_lines: src.blank_lines,
            over: false,
            tokens,
            src,
        }
    }

    /// The next block, read into `input` (a worker's own buffer), `None` once there is none
    /// (and ever after, as after an error).
    fn next(&mut self, input: &mut Vec<u8>) -> Result<Option<Block>, DataError> {
        if self.over {
            return Ok(None);
        }
        let next = self.read(input);
        if !matches!(next, Ok(Some(_))) {
            self.over = true;
        }
        next
    }

    /// [`Reader::next`]: reads into `input` (the worker's buffer, handed back in the block,
    /// or left with the worker when there is none).
    fn read(&mut self, input: &mut Vec<u8>) -> Result<Option<Block>, DataError> {
        loop {
            if self.after_array {
                // Whitespace, then the end of the file or another array (`[...][...]`).
                loop {
                    let ws = self
                        .carry
                        .iter()
                        .take_while(|c| c.is_ascii_whitespace())
                        .count();
                    self.line += count_newlines(self.carry.get(..ws).unwrap_or_default());
                    self.carry.drain(..ws);
                    if !self.carry.is_empty() || self.eof {
                        break;
                    }
                    self.eof = fill(&mut self.src.reader, &mut self.carry, self.block_size)
                        .map_err(DataError::Read)?;
                }
                match self.carry.first() {
                    None => return Ok(None),
                    Some(b'[') => {
                        self.carry.drain(..1);
                        self.after_array = false;
                        continue;
                    }
                    Some(_) => {
                        if !self.eof {
                            // Enough to show what it is.
                            let want = self.carry.len().max(64);
                            fill(&mut self.src.reader, &mut self.carry, want)
                                .map_err(DataError::Read)?;
                        }
                        let found: String = String::from_utf8_lossy(&self.carry)
                            .chars()
                            .take_while(|&c| c != '\n' && c != '\r')
                            .take(20)
                            .collect();
                        let Some(output) = self.output() else {
                            return Ok(None);
                        };
                        // The rest of the file is not read.
                        self.over = true;
                        let special = Special::AfterArray { found };
                        return Ok(Some(self.special(special, input, output)));
                    }
                }
            }
            if self.eof && self.carry.is_empty() {
                return Ok(None);
            }
            let Some(output) = self.output() else {
                return Ok(None);
            };
            // The block starts with the carry: most often the start of a record, copied; a
            // carry the buffer cannot hold (the first block, read with the header) becomes
            // the block itself.
            input.clear();
            if input.capacity() < self.carry.len() {
                std::mem::swap(input, &mut self.carry);
            } else {
                input.extend_from_slice(&self.carry);
                self.carry.clear();
            }
            let mut want = self.block_size.max(input.len() + 1);
            let scanned = loop {
                if !self.eof {
                    self.eof = fill(&mut self.src.reader, input, want).map_err(DataError::Read)?;
                }
                let scan = scan(
                    self.src.splitter,
                    input,
                    self.eof,
                    self.width,
                    self.after_cr,
                );
                if scan.cut > 0 || self.eof || scan.done {
                    break Some(scan);
                }
                if input.len() >= self.max_record {
                    break None;
                }
                want = (input.len() * 2).min(self.max_record);
            };
            let Some(scan) = scanned else {
                // One record longer than the limit: an invalid row, and reading goes on.
                let (newlines, array_done) = skip_overlong(
                    &mut self.src,
                    input,
                    &mut self.carry,
                    &mut self.eof,
                    self.block_size,
                )?;
                self.after_array = array_done;
                self.after_cr = false;
                let special = Special::Overlong {
                    limit: self.max_record,
                    resume: self.line + newlines,
                };
                let block = self.special(special, input, output);
                self.row += 1;
                self.line += newlines;
                self.seq += 1;
                return Ok(Some(block));
            };
            self.carry
                .extend_from_slice(input.get(scan.cut..).unwrap_or_default());
            if scan.done {
                // The closing `]` of a JSON array: what follows is read above.
                self.after_array = true;
            }
            input.truncate(scan.cut);
            self.blank_lines += scan.blank;
            if let Some(&last) = input.last() {
                self.after_cr = last == b'\r';
            }
            if scan.records == 0 {
                self.line += scan.newlines;
                self.held = Some(output);
                continue;
            }
            let block = Block {
                seq: self.seq,
                first_row: self.row,
                first_line: self.line,
                runaways: scan.runaways,
                cr: scan.cr,
                special: None,
                input: std::mem::take(input),
                output,
            };
            self.row += scan.records;
            self.line += scan.newlines;
            self.seq += 1;
            return Ok(Some(block));
        }
    }

    /// An output buffer for the next block: the one kept back, or the next the writer
    /// returns (`None`: the writer stopped).
    fn output(&mut self) -> Option<Vec<u8>> {
        self.held.take().or_else(|| self.tokens.recv().ok())
    }

    /// The block of one unreadable record, at the next row.
    fn special(&self, special: Special, input: &mut Vec<u8>, output: Vec<u8>) -> Block {
        input.clear();
        Block {
            seq: self.seq,
            first_row: self.row,
            first_line: self.line,
            runaways: Vec::new(),
            cr: false,
            special: Some(special),
            input: std::mem::take(input),
            output,
        }
    }
}

/// Skips a record longer than the limit whose first `input.len()` bytes are read: CSV and
/// JSON Lines resume at the next line, a JSON array at its next element. Reads on in
/// pieces of `block_size` (bounded memory); what follows the record is left in `carry`.
/// Returns the newlines skipped and whether a JSON array's `]` ended the record.
fn skip_overlong(
    src: &mut Source,
    input: &mut Vec<u8>,
    carry: &mut Vec<u8>,
    eof: &mut bool,
    block_size: usize,
) -> Result<(u64, bool), DataError> {
    let mut newlines = 0;
    let mut json = JsonSkip::default();
    loop {
        let end = match src.splitter {
            Splitter::JsonArray => json.feed(input),
            _ => memchr::memchr(b'\n', input).map(|p| (p, false)),
        };
        if let Some((p, done)) = end {
            newlines += count_newlines(input.get(..=p).unwrap_or_default());
            carry.extend_from_slice(input.get(p + 1..).unwrap_or_default());
            return Ok((newlines, done));
        }
        newlines += count_newlines(input);
        if *eof {
            return Ok((newlines, false));
        }
        input.clear();
        *eof = fill(&mut src.reader, input, block_size).map_err(DataError::Read)?;
    }
}

fn scan(splitter: Splitter, input: &[u8], eof: bool, width: usize, after_cr: bool) -> split::Scan {
    match splitter {
        Splitter::Csv(d) => split::scan_csv_after(input, d, eof, u64::MAX, width, after_cr),
        Splitter::Lines => {
            let (r, cut) = split::jsonl_records(input, eof, usize::MAX);
            split::Scan::of(input, cut, r.len() as u64, false)
        }
        Splitter::JsonArray => {
            let (r, cut, done) = split::json_elements(input, eof, usize::MAX);
            split::Scan::of(input, cut, r.len() as u64, done)
        }
    }
}

/// Re-lifetimes an empty vector, keeping its allocation (in-place collect).
#[inline]
fn recycle<'b>(mut v: Vec<Value<'_>>) -> Vec<Value<'b>> {
    v.clear();
    v.into_iter().map(|_| Value::Missing).collect()
}

struct Scratch {
    rec: ByteRecord,
    spare: Vec<Value<'static>>,
    arena: String,
    cells: Vec<Option<Range<usize>>>,
    /// The block's warnings (see [`Done::warnings`]).
    warnings: Vec<(String, String)>,
    /// Items of set cells written as JSON arrays, for the row being decoded.
    sets: String,
    /// CSV records split and waiting to be decoded.
    batch: csv_fast::Batch,
}

fn work<S: RowSink, F>(
    binding: &Binding,
    sink: &S,
    reader: &Mutex<Reader>,
    reader_error: &Mutex<Option<DataError>>,
    in_order: &Mutex<InOrder<S::Stats, F>>,
) where
    F: FnMut(Chunk<'_, S::Stats>) -> io::Result<()>,
{
    let mut local = sink.local();
    let mut scratch = Scratch {
        rec: ByteRecord::new(),
        spare: Vec::with_capacity(binding.len()),
        arena: String::new(),
        cells: Vec::new(),
        warnings: Vec::new(),
        sets: String::new(),
        batch: csv_fast::Batch::default(),
    };
    // The worker's input buffer: each block it takes is read into it, while the worker's
    // core holds it in its cache (the kernel's copy and the parse then find it there).
    let mut input = Vec::new();
    loop {
        let (next, splitter) = match reader.lock() {
            Ok(mut r) => (r.next(&mut input), r.src.splitter),
            Err(_) => return,
        };
        let mut block = match next {
            Ok(Some(block)) => block,
            Ok(None) => return,
            Err(e) => {
                if let Ok(mut slot) = reader_error.lock() {
                    *slot = Some(e);
                }
                return;
            }
        };
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
        let rows = match (&block.special, splitter) {
            (Some(special), _) => {
                let error = RowError {
                    row: block.first_row,
                    line: block.first_line,
                    column: None,
                    value: None,
                    why: special.why(),
                    more: Vec::new(),
                };
                let values = recycle(std::mem::take(&mut scratch.spare));
                scratch.spare = emit(
                    &mut ctx,
                    block.first_row,
                    block.first_line,
                    values,
                    Some(&error),
                    Cells::Json("", &[]),
                );
                1
            }
            (None, Splitter::Csv(d)) => csv_block(&block, d, &mut ctx, &mut scratch),
            (None, Splitter::Lines | Splitter::JsonArray) => {
                json_block(&block, splitter, &mut ctx, &mut scratch)
            }
        };
        let input_bytes = block.input.len() as u64;
        input = std::mem::take(&mut block.input);
        let finished = Done {
            seq: block.seq,
            input_bytes,
            output: out,
            stats,
            rows,
            warnings: std::mem::take(&mut scratch.warnings),
        };
        let more = in_order.lock().is_ok_and(|mut w| w.finish(finished));
        if !more {
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
        more: Vec::new(),
    }
}

fn pad(values: &mut Vec<Value<'_>>, len: usize) {
    values.clear();
    values.resize(len, Value::Missing);
}

#[cold]
#[inline(never)]
fn cell_error(f: &FieldReader, why: Why, cell: Option<&str>, row: u64, line: u64) -> RowError {
    let value = cell.map(|c| decode::trim(c).to_string());
    let why = match why {
        Why::Required if cell.is_none() => "a value is required, and the key is absent".into(),
        Why::JsonSet => "a set cell starting with `[` is read as a JSON array".into(),
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
        more: Vec::new(),
    }
}

/// `first`, the error of the first unreadable cell of a row (field `at`), with the errors of
/// the row's later unreadable cells added (`error_of` gives a field's error, if any), so
/// that the row's error names every cell that cannot be read.
#[cold]
#[inline(never)]
pub(crate) fn every_cell_error(
    binding: &Binding,
    at: usize,
    mut first: RowError,
    error_of: impl Fn(&FieldReader) -> Option<RowError>,
) -> RowError {
    for f in binding.fields.iter().skip(at + 1) {
        if let Some(e) = error_of(f) {
            first.more.push(crate::CellError {
                column: e.column.unwrap_or_else(|| f.column.clone()),
                value: e.value,
                why: e.why,
            });
        }
    }
    first
}

/// The error of a field's cell, if it cannot be read (a set cell starting with `[` can).
pub(crate) fn text_cell_error(
    binding: &Binding,
    f: &FieldReader,
    cell: Option<&str>,
    row: u64,
    line: u64,
) -> Option<RowError> {
    match decode::decode(&f.kind, binding.decimal, f.optional, cell.map(decode::trim)) {
        Ok(_) | Err(Why::JsonSet) => None,
        Err(why) => Some(cell_error(f, why, cell, row, line)),
    }
}

/// Decodes a row in which a set cell starts with `[`: a JSON array's items are written to
/// `sets` (see [`decode::json_set`]) and the set reads them; a cell that is not a JSON array
/// is an ordinary set. `cell_of` gives a field's cell, untrimmed.
#[cold]
#[inline(never)]
pub(crate) fn decode_json_sets<'a>(
    binding: &Binding,
    cell_of: impl Fn(&FieldReader) -> Option<&'a str>,
    sets: &'a mut String,
    values: &mut Vec<Value<'a>>,
    row: u64,
    line: u64,
) -> Option<RowError> {
    sets.clear();
    let mut at = Vec::with_capacity(binding.fields.len());
    for f in &binding.fields {
        let cell = cell_of(f).map(decode::trim);
        let range = match (&f.kind, cell) {
            (decode::Kind::Set, Some(c)) if c.starts_with('[') => {
                let start = sets.len();
                decode::json_set(c, sets).then_some(start..sets.len())
            }
            _ => None,
        };
        at.push(range);
    }
    let sets: &'a String = sets;
    values.clear();
    for (i, (f, range)) in binding.fields.iter().zip(at).enumerate() {
        let cell = cell_of(f);
        if let Some(r) = range {
            let raw = sets.get(r).unwrap_or_default();
            values.push(Value::Set(icp_model::SetVal { raw }));
            continue;
        }
        match decode::decode(&f.kind, binding.decimal, f.optional, cell.map(decode::trim)) {
            Ok(v) => values.push(v),
            Err(Why::JsonSet) => {
                let raw = cell.map(decode::trim).unwrap_or_default();
                values.push(Value::Set(icp_model::SetVal { raw }));
            }
            Err(why) => {
                let first = cell_error(f, why, cell, row, line);
                return Some(every_cell_error(binding, i, first, |f| {
                    text_cell_error(binding, f, cell_of(f), row, line)
                }));
            }
        }
    }
    None
}

/// Header column index by normalised name (first occurrence wins).
pub(crate) fn column_map(header: &[String]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        m.entry(normalize(h)).or_insert(i);
    }
    m
}
