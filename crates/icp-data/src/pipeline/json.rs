//! JSON arrays and JSON Lines: each object parsed with serde, its values rendered into an
//! arena, one range per header column, then decoded like CSV cells.

use std::ops::Range;

use icp_model::Value;

use super::{Block, Cells, Ctx, RowSink, Scratch, cell_error, emit, recycle};
use crate::RowError;
use crate::binding::{Binding, normalize};
use crate::decode;
use crate::split::{self, Splitter};

pub(super) fn json_block<S: RowSink>(
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
