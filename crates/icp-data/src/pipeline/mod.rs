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
use crate::split::{self, Splitter};
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
#[inline]
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

/// Header column index by normalised name (first occurrence wins).
pub(crate) fn column_map(header: &[String]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        m.entry(normalize(h)).or_insert(i);
    }
    m
}
