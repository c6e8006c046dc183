//! JSON arrays and JSON Lines: each object parsed with serde, its values rendered into an
//! arena, one range per header column, then decoded like CSV cells.

use std::ops::Range;

use icp_model::Value;

use super::{
    Block, Cells, Ctx, RowSink, Scratch, cell_error, decode_json_sets, emit, every_cell_error,
    recycle,
};
use crate::RowError;
use crate::binding::{Binding, FieldReader, normalize};
use crate::decode;
use crate::decode::Kind;
use crate::split::{self, Splitter};

/// A JSON object's members in input order, duplicates kept (a map keeps one of them).
struct Pairs(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pairs, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Pairs, A::Error> {
                let mut v = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    v.push(entry);
                }
                Ok(Pairs(v))
            }
        }
        d.deserialize_map(Members)
    }
}

/// The cell of a key present with `null`: no text (a missing value), but not an absent key.
const NULL: Range<usize> = usize::MAX..usize::MAX;

/// Why a JSON record cannot be read.
struct JsonError {
    column: Option<String>,
    why: String,
}

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
        let mut bad = Vec::new();
        let parsed = json_cells(
            input.get(r).unwrap_or_default(),
            ctx.binding,
            &mut s.arena,
            &mut s.cells,
            &mut bad,
        );
        if let Ok(Some(key)) = &parsed {
            duplicate_key(&mut s.warnings, key, number, line);
        }
        let arena: &str = &s.arena;
        let cells: &[Option<Range<usize>>] = &s.cells;
        let mut values = recycle(std::mem::take(&mut s.spare));
        let error = match parsed {
            Err(JsonError { column, why }) => Some(RowError {
                row: number,
                line,
                column,
                value: None,
                why,
                more: Vec::new(),
            }),
            Ok(_) if !bad.is_empty() => Some(bad_cells_error(
                ctx.binding,
                arena,
                cells,
                &bad,
                number,
                line,
            )),
            Ok(_) => decode_json(
                ctx.binding,
                arena,
                cells,
                &mut s.sets,
                &mut values,
                number,
                line,
            ),
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
    sets: &'a mut String,
    values: &mut Vec<Value<'a>>,
    row: u64,
    line: u64,
) -> Option<RowError> {
    let slot_of = |f: &FieldReader| f.index.and_then(|c| cells.get(c)).and_then(Clone::clone);
    let cell_of = |f: &FieldReader| slot_of(f).and_then(|r| arena.get(r));
    // A field's error: a `null` in a required field says so (not "the key is absent").
    let error_of = |f: &FieldReader, why: decode::Why| {
        let cell = cell_of(f);
        if why == decode::Why::Required && slot_of(f) == Some(NULL) {
            return null_required(f, row, line);
        }
        cell_error(f, why, cell, row, line)
    };
    for (i, f) in binding.fields.iter().enumerate() {
        let cell = cell_of(f);
        match decode::decode(&f.kind, binding.decimal, f.optional, cell.map(decode::trim)) {
            Ok(v) => values.push(v),
            Err(decode::Why::JsonSet) => {
                return decode_json_sets(binding, cell_of, sets, values, row, line);
            }
            Err(why) => {
                let first = error_of(f, why);
                return Some(every_cell_error(
                    binding,
                    i,
                    first,
                    |f| match decode::decode(
                        &f.kind,
                        binding.decimal,
                        f.optional,
                        cell_of(f).map(decode::trim),
                    ) {
                        Ok(_) | Err(decode::Why::JsonSet) => None,
                        Err(why) => Some(error_of(f, why)),
                    },
                ));
            }
        }
    }
    None
}

/// A value of a JSON object that no field can read (an array in a field that is not a set, a
/// nested object, nested values in a list): its column, the key as written, and why.
type BadCell = (usize, String, String);

/// The error of a required field whose JSON value is `null` (said so, not "the key is
/// absent").
fn null_required(f: &FieldReader, row: u64, line: u64) -> RowError {
    RowError {
        row,
        line,
        column: Some(f.column.clone()),
        value: None,
        why: format!(
            "a value is required (field `{}` is not optional), and the value is `null`",
            f.name
        ),
        more: Vec::new(),
    }
}

/// The error of an object with [`BadCell`]s: every unreadable cell named, in schema order,
/// the bad values and every other cell that cannot be read (docs/cli.md, "Reading data").
#[cold]
#[inline(never)]
fn bad_cells_error(
    binding: &Binding,
    arena: &str,
    cells: &[Option<Range<usize>>],
    bad: &[BadCell],
    row: u64,
    line: u64,
) -> RowError {
    let slot_of = |f: &FieldReader| f.index.and_then(|c| cells.get(c)).and_then(Clone::clone);
    let error_of = |f: &FieldReader| -> Option<RowError> {
        if let Some((_, key, why)) = f
            .index
            .and_then(|col| bad.iter().find(|(c, _, _)| *c == col))
        {
            return Some(RowError {
                row,
                line,
                column: Some(key.clone()),
                value: None,
                why: why.clone(),
                more: Vec::new(),
            });
        }
        let slot = slot_of(f);
        let cell = slot.clone().and_then(|r| arena.get(r));
        match decode::decode(&f.kind, binding.decimal, f.optional, cell.map(decode::trim)) {
            Ok(_) | Err(decode::Why::JsonSet) => None,
            Err(decode::Why::Required) if slot == Some(NULL) => Some(null_required(f, row, line)),
            Err(why) => Some(cell_error(f, why, cell, row, line)),
        }
    };
    for (i, f) in binding.fields.iter().enumerate() {
        if let Some(first) = error_of(f) {
            return every_cell_error(binding, i, first, error_of);
        }
    }
    // Unreachable: a bad cell's column is read by a field. Say what was found anyway.
    let (_, key, why) = bad.first().cloned().unwrap_or_default();
    RowError {
        row,
        line,
        column: Some(key),
        value: None,
        why,
        more: Vec::new(),
    }
}

/// Renders the values of one JSON object into `arena`, one range per header column (a
/// `null` is [`NULL`]); returns a key the schema reads that the object holds twice (its last
/// value is read). Values no field can read go to `bad`, so that the row's error names them
/// with every other unreadable cell.
fn json_cells(
    bytes: &[u8],
    binding: &Binding,
    arena: &mut String,
    cells: &mut [Option<Range<usize>>],
    bad: &mut Vec<BadCell>,
) -> Result<Option<String>, JsonError> {
    let Ok(Pairs(members)) = serde_json::from_slice::<Pairs>(bytes) else {
        return Err(not_an_object(bytes));
    };
    let mut duplicate = None;
    for (k, v) in &members {
        let key = normalize(k);
        let Some(&col) = binding.columns.get(&key) else {
            continue;
        };
        let readers = binding.by_key.get(&key);
        let start = arena.len();
        let range = match v {
            serde_json::Value::Null => NULL,
            serde_json::Value::Array(items) => {
                let not_set = readers
                    .into_iter()
                    .flatten()
                    .filter_map(|&i| binding.fields.get(i))
                    .find(|f| !matches!(f.kind, Kind::Set));
                if let Some(f) = not_set {
                    bad.push((
                        col,
                        k.clone(),
                        format!(
                            "{}, found a JSON array `{}` (only a set field reads a list)",
                            f.expected,
                            short(v)
                        ),
                    ));
                    continue;
                }
                let mut nested = false;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        arena.push('\u{1f}');
                    }
                    nested |= !scalar(item, arena);
                }
                if nested {
                    arena.truncate(start);
                    bad.push((
                        col,
                        k.clone(),
                        "nested values in a list cannot be read".into(),
                    ));
                    continue;
                }
                start..arena.len()
            }
            serde_json::Value::Object(_) if readers.is_some() => {
                bad.push((col, k.clone(), "a nested object cannot be read".into()));
                continue;
            }
            serde_json::Value::Number(n) if binding.decimal == decode::DecimalMark::Comma => {
                // A JSON number has a decimal point: written with the file's decimal comma,
                // it reads as the same number.
                arena.push_str(&n.to_string().replace('.', ","));
                start..arena.len()
            }
            other => {
                if !scalar(other, arena) {
                    arena.push_str(&other.to_string());
                }
                start..arena.len()
            }
        };
        if let Some(slot) = cells.get_mut(col) {
            if slot.is_some() && readers.is_some() && duplicate.is_none() {
                duplicate = Some(k.clone());
            }
            *slot = Some(range);
        }
    }
    Ok(duplicate)
}

/// The error for a record that is not a JSON object: not JSON at all, or another value.
#[cold]
fn not_an_object(bytes: &[u8]) -> JsonError {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Err(e) => JsonError {
            column: None,
            why: format!("not valid JSON: {e}"),
        },
        Ok(value) => JsonError {
            column: None,
            why: format!("expected a JSON object, found `{}`", short(&value)),
        },
    }
}

/// Notes a key read twice in one object, once per key and block.
#[cold]
fn duplicate_key(warnings: &mut Vec<(String, String)>, key: &str, row: u64, line: u64) {
    let norm = normalize(key);
    if warnings.len() >= 16 || warnings.iter().any(|(k, _)| *k == norm) {
        return;
    }
    let message = format!(
        "key `{key}` appears more than once in the object of row {row} (line {line}): its last \
         value is read (and so in any other row that repeats it)"
    );
    warnings.push((norm, message));
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
