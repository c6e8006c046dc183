//! The CSV slow path: records that need csv-core's full rules (invalid UTF-8, a lone CR,
//! text after a closing quote), read with the `csv` crate.

use std::io::Read;
use std::ops::Range;

use csv::ByteRecord;
use icp_model::Value;

use super::{
    Block, Cells, Ctx, RowSink, Scratch, cell_error, decode_json_sets, emit, every_cell_error,
    ragged, recycle, text_cell_error,
};
use crate::RowError;
use crate::binding::{Binding, FieldReader};
use crate::decode::{self, Why};

/// Parses `block.input[range]` (which starts at a record and ends at one, or at the
/// block's end) with the `csv` crate; `done` records of the block came before, and the
/// first one read is on line `first_line`. Returns the number of records read.
pub(super) fn csv_slow<S: RowSink>(
    block: &Block,
    range: Range<usize>,
    done: u64,
    first_line: u64,
    delim: u8,
    ctx: &mut Ctx<'_, S>,
    s: &mut Scratch,
) -> u64 {
    let input = block.input.get(range).unwrap_or_default();
    // csv-core drops a byte-order mark at the start of what it reads: a blank line put
    // first (which it skips) keeps such a BOM, in the middle of the file, part of the data,
    // as the fast path and the scanner read it.
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .buffer_capacity(64 * 1024)
        .from_reader(Read::chain(&b"\n"[..], input));
    let mut n = 0u64;
    let rec = &mut s.rec;
    while let Ok(true) = rdr.read_byte_record(rec) {
        let number = block.first_row + done + n;
        n += 1;
        // csv reports where the read began (after the previous record); blank lines
        // skipped before this record's first byte still count. Less the line of the
        // blank line put first.
        let (at_line, at_byte) = rec.position().map_or((1, 0), |p| (p.line(), p.byte()));
        let blank = if at_byte == 0 {
            1 + blank_lines(input, 0)
        } else {
            blank_lines(input, at_byte - 1)
        };
        let line = (first_line + at_line + blank).saturating_sub(2);
        let rec: &ByteRecord = rec;
        let mut values = recycle(std::mem::take(&mut s.spare));
        let error = decode_csv(ctx.binding, rec, &mut s.sets, &mut values, number, line);
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

fn decode_csv<'a>(
    binding: &Binding,
    rec: &'a ByteRecord,
    sets: &'a mut String,
    values: &mut Vec<Value<'a>>,
    row: u64,
    line: u64,
) -> Option<RowError> {
    if rec.len() != binding.width {
        return Some(ragged(binding, rec.len(), row, line));
    }
    // One UTF-8 check for the whole record; fields are then slices of it.
    let whole = std::str::from_utf8(rec.as_slice()).ok();
    // A cell's text, or why it is not text.
    let cell_of = |f: &FieldReader| -> Result<Option<&'a str>, RowError> {
        match f.index.and_then(|c| rec.get(c)) {
            None => Ok(None),
            Some(bytes) => std::str::from_utf8(bytes).map(Some).map_err(|_| RowError {
                row,
                line,
                column: Some(f.column.clone()),
                value: Some(String::from_utf8_lossy(bytes).into_owned()),
                why: "not valid UTF-8 (save the file as UTF-8)".into(),
                more: Vec::new(),
            }),
        }
    };
    let error_of = |f: &FieldReader| match cell_of(f) {
        Ok(cell) => text_cell_error(binding, f, cell, row, line),
        Err(e) => Some(e),
    };
    for (i, f) in binding.fields.iter().enumerate() {
        if let Some(text) = whole {
            let cell = f.index.and_then(|c| rec.range(c)).and_then(|r| text.get(r));
            match decode::decode(&f.kind, binding.decimal, f.optional, cell.map(decode::trim)) {
                Ok(v) => values.push(v),
                Err(Why::JsonSet) => {
                    let cell_of = |f: &FieldReader| {
                        f.index.and_then(|c| rec.range(c)).and_then(|r| text.get(r))
                    };
                    return decode_json_sets(binding, cell_of, sets, values, row, line);
                }
                Err(why) => {
                    let first = cell_error(f, why, cell, row, line);
                    return Some(every_cell_error(binding, i, first, error_of));
                }
            }
            continue;
        }
        let cell = match cell_of(f) {
            Ok(cell) => cell,
            Err(first) => return Some(every_cell_error(binding, i, first, error_of)),
        };
        match decode::decode(&f.kind, binding.decimal, f.optional, cell.map(decode::trim)) {
            Ok(v) => values.push(v),
            // Not UTF-8 as a whole: a set cell starting with `[` is an ordinary set.
            Err(Why::JsonSet) => values.push(Value::Set(icp_model::SetVal {
                raw: cell.map(decode::trim).unwrap_or_default(),
            })),
            Err(why) => {
                let first = cell_error(f, why, cell, row, line);
                return Some(every_cell_error(binding, i, first, error_of));
            }
        }
    }
    None
}
