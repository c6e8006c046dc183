//! Reading a CSV file by the contract's reading rules (LANGUAGE.md, "Reading data" and
//! Revision 2 "Reading numbers" and "Columns").

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::fold;
use crate::model::{FieldDef, FieldType, Program};
use crate::value::Value;

/// One row as read: the values by field position, or the cells that could not be read.
pub type Row = Result<Vec<Value>, Vec<String>>;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, or `None` when no such day exists.
#[expect(
    clippy::many_single_char_names,
    reason = "y, m, d are the clearest names"
)]
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > month_days || y < 1 {
        return None;
    }
    // Count the days: whole years, then whole months of this year.
    let mut days = 0_i64;
    let (lo, hi) = if y >= 1970 { (1970, y) } else { (y, 1970) };
    for yy in lo..hi {
        let l = (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0;
        days += if l { 366 } else { 365 };
    }
    if y < 1970 {
        days = -days;
    }
    for mm in 1..m {
        days += match mm {
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 31,
        };
    }
    Some(days + d - 1)
}

/// Is this (trimmed) cell one of the missing markers?
pub fn is_missing_marker(t: &str) -> bool {
    t.is_empty()
        || ["na", "n/a", "null", "-"]
            .iter()
            .any(|m| t.eq_ignore_ascii_case(m))
}

/// A plain decimal: optional `-`, digits grouped by `,` in groups of exactly three, optional
/// `.` and digits (and, when `exponent`, an `e` exponent).
pub fn plain_decimal(s: &str, exponent: bool) -> Option<Decimal> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) if exponent => (body.get(..i)?, Some(body.get(i + 1..)?)),
        _ => (body, None),
    };
    let (int_part, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let groups: Vec<&str> = int_part.split(',').collect();
    let first = groups.first()?;
    if first.is_empty() || !first.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // A grouped number's first group has 1 to 3 digits and does not start with 0
    // (docs/language.md: `0,5` and `0,500` cannot be read).
    if groups.len() > 1 && (first.len() > 3 || first.starts_with('0')) {
        return None;
    }
    for g in groups.iter().skip(1) {
        if g.len() != 3 || !g.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    let mut digits: String = groups.concat();
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        digits.push('.');
        digits.push_str(f);
    }
    let mut v = Decimal::from_str(&digits).ok()?;
    if let Some(e) = exp {
        let e: i32 = e.parse().ok()?;
        if e.abs() > 20 {
            return None;
        }
        let ten = Decimal::TEN;
        for _ in 0..e.abs() {
            v = if e > 0 {
                v.checked_mul(ten)?
            } else {
                v.checked_div(ten)?
            };
        }
    }
    Some(if neg { -v } else { v })
}

fn read_money(t: &str) -> Option<Decimal> {
    let (neg, rest) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let rest = rest.strip_prefix('$').unwrap_or(rest);
    let lower = rest.to_ascii_lowercase();
    let suffixes: [(&str, i64); 8] = [
        ("thousand", 1_000),
        ("million", 1_000_000),
        ("billion", 1_000_000_000),
        ("bn", 1_000_000_000),
        ("mm", 1_000_000),
        ("k", 1_000),
        ("m", 1_000_000),
        ("b", 1_000_000_000),
    ];
    let (num, mult) = suffixes
        .iter()
        .find_map(|(suf, m)| lower.strip_suffix(suf).map(|n| (n.trim_end(), *m)))
        .unwrap_or((lower.as_str(), 1));
    if num.starts_with('-') {
        return None;
    }
    let v = plain_decimal(num, false)?.checked_mul(Decimal::from(mult))?;
    Some(if neg { -v } else { v })
}

/// Reads one trimmed, non-missing cell as a field's type; `None` when it cannot be read.
pub fn read_cell(ty: &FieldType, t: &str) -> Option<Value> {
    read_cell_as(ty, false, t)
}

/// [`read_cell`], for a percent field declared `as fraction` when `fraction`: a cell without
/// `%` is the fraction itself (`0.35` is 35 %), one with `%` is still a percentage.
pub fn read_cell_as(ty: &FieldType, fraction: bool, t: &str) -> Option<Value> {
    Some(match ty {
        FieldType::Bool => match t.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Value::Bool(true),
            "false" | "no" | "n" | "0" => Value::Bool(false),
            _ => return None,
        },
        FieldType::Int => {
            let v = plain_decimal(t, false)?;
            if v.fract() != Decimal::ZERO {
                return None;
            }
            Value::Num(v)
        }
        FieldType::Number => Value::Num(plain_decimal(t, true)?),
        FieldType::Money => Value::Num(read_money(t)?),
        FieldType::Percent => match t.strip_suffix('%') {
            None if fraction => Value::Num(plain_decimal(t, false)?),
            n => {
                Value::Num(plain_decimal(n.unwrap_or(t), false)?.checked_div(Decimal::ONE_HUNDRED)?)
            }
        },
        FieldType::Text => Value::Text(t.to_string()),
        FieldType::Date => {
            let day = t.get(..10)?;
            let rest = t.get(10..)?;
            if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
                return None;
            }
            Value::Date(parse_date(day)?)
        }
        FieldType::Duration => {
            let (n, mult) = if let Some(n) = t.strip_suffix('d') {
                (n, 1)
            } else if let Some(n) = t.strip_suffix('w') {
                (n, 7)
            } else {
                (t, 1)
            };
            if n.is_empty() || !n.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            Value::Dur(n.parse::<i64>().ok()?.checked_mul(mult)?)
        }
        FieldType::Enum(variants) | FieldType::OrderedEnum(variants) => {
            let k = fold::key(t);
            let found = variants
                .iter()
                .find(|v| fold::key(&v.name) == k || v.strings.iter().any(|s| fold::key(s) == k));
            match found.or_else(|| variants.iter().find(|v| v.catch_all)) {
                Some(v) => Value::Enum(v.name.clone()),
                None => return None,
            }
        }
        FieldType::Set => {
            if t.starts_with('[')
                && let Ok(serde_json::Value::Array(items)) = serde_json::from_str(t)
            {
                let strings: Option<Vec<String>> = items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect();
                if let Some(s) = strings {
                    return Some(Value::Set(s));
                }
            }
            Value::Set(
                t.split([';', '|', ','])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            )
        }
    })
}

/// Reads one cell for a field: missing markers, the empty set, or [`read_cell`].
pub fn read_field(f: &FieldDef, raw: Option<&str>) -> Result<Value, String> {
    read_field_opts(f, raw, false)
}

fn is_number_type(ty: &FieldType) -> bool {
    matches!(
        ty,
        FieldType::Int | FieldType::Number | FieldType::Money | FieldType::Percent
    )
}

/// A number written with a decimal comma (`1.200,50`) in the usual notation (`1,200.50`): the
/// two marks trade places, so every rule of the usual notation (strict groups of three
/// included) applies unchanged (docs/language.md, "Decimal-comma files").
pub fn swap_marks(t: &str) -> String {
    t.chars()
        .map(|c| match c {
            ',' => '.',
            '.' => ',',
            c => c,
        })
        .collect()
}

/// [`read_field`] for a file whose numbers have a decimal comma when `decimal_comma`.
pub fn read_field_opts(
    f: &FieldDef,
    raw: Option<&str>,
    decimal_comma: bool,
) -> Result<Value, String> {
    let Some(raw) = raw else {
        // A column the file lacks: every value is missing.
        return if f.optional {
            Ok(Value::Missing)
        } else {
            Err(format!("{}: no column", f.name))
        };
    };
    let t = raw.trim();
    if f.ty == FieldType::Set && t.is_empty() {
        return Ok(Value::Set(Vec::new()));
    }
    if is_missing_marker(t) {
        return if f.optional {
            Ok(Value::Missing)
        } else {
            Err(format!("{}: missing", f.name))
        };
    }
    let swapped;
    let cell = if decimal_comma && is_number_type(&f.ty) {
        swapped = swap_marks(t);
        swapped.as_str()
    } else {
        t
    };
    read_cell_as(&f.ty, f.fraction, cell).ok_or_else(|| format!("{}: cannot read `{t}`", f.name))
}

/// The column of a field in a header: matched case-insensitively after trimming (the
/// no-break space too).
pub fn find_column(header: &[String], column: &str) -> Option<usize> {
    let want = column.trim().to_lowercase();
    header.iter().position(|h| h.trim().to_lowercase() == want)
}

/// Reads one JSON value for a field (docs/language.md "Reading data": a JSON `null` is
/// missing, a string is read like a CSV cell, a number is a number whatever the decimal
/// mark, an array is a set's items; an array in a field that is not a set cannot be read).
pub fn read_json_value(
    f: &FieldDef,
    v: Option<&serde_json::Value>,
    decimal_comma: bool,
) -> Result<Value, String> {
    use serde_json::Value as J;
    match v {
        None => read_field_opts(f, None, decimal_comma),
        Some(J::Null) => {
            if f.optional {
                Ok(Value::Missing)
            } else {
                Err(format!("{}: null", f.name))
            }
        }
        Some(J::String(s)) => read_field_opts(f, Some(s), decimal_comma),
        Some(J::Number(n)) => {
            // The number's own text (shortest round trip: exact for the generator's values).
            let text = n.to_string();
            read_field_opts(f, Some(&text), false)
        }
        Some(J::Bool(b)) if f.ty == FieldType::Bool => Ok(Value::Bool(*b)),
        Some(J::Array(items)) if f.ty == FieldType::Set => {
            let strings: Option<Vec<String>> = items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect();
            strings
                .map(Value::Set)
                .ok_or_else(|| format!("{}: an array of non-strings", f.name))
        }
        Some(other) => Err(format!("{}: cannot read {other}", f.name)),
    }
}

/// Reads a JSON array of objects (`lines`: JSON Lines, one object a line, blank lines
/// skipped) into rows.
pub fn read_json(
    prog: &Program,
    text: &str,
    lines: bool,
    decimal_comma: bool,
) -> Result<Vec<Row>, String> {
    let objects: Vec<serde_json::Value> = if lines {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?
    } else {
        match serde_json::from_str(text).map_err(|e| e.to_string())? {
            serde_json::Value::Array(items) => items,
            _ => return Err("not a JSON array".into()),
        }
    };
    let mut rows = Vec::new();
    for o in objects {
        let serde_json::Value::Object(map) = o else {
            rows.push(Err(vec!["not an object".to_string()]));
            continue;
        };
        let keys: Vec<String> = map.keys().cloned().collect();
        rows.push(row_of(prog.fields.iter().map(|f| {
            let v = find_column(&keys, &f.column)
                .and_then(|i| keys.get(i))
                .and_then(|k| map.get(k));
            read_json_value(f, v, decimal_comma)
        })));
    }
    Ok(rows)
}

/// A row from its fields' readings: every value, or, when any field cannot be read, every
/// error.
fn row_of(fields: impl Iterator<Item = Result<Value, String>>) -> Row {
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for field in fields {
        match field {
            Ok(v) => values.push(v),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// Reads a CSV text (comma-separated, header first, blank lines skipped) into rows.
pub fn read_csv(prog: &Program, text: &str) -> Result<Vec<Row>, String> {
    read_csv_opts(prog, text, false)
}

/// [`read_csv`] for any delimiter among `,` `;` and tab (the one the header line holds most
/// of), numbers with a decimal comma when `decimal_comma`.
pub fn read_csv_opts(prog: &Program, text: &str, decimal_comma: bool) -> Result<Vec<Row>, String> {
    let first = text.lines().next().unwrap_or("");
    let count = |d: u8| first.bytes().filter(|b| *b == d).count();
    let mut delimiter = b',';
    for d in [b';', b'\t'] {
        if count(d) > count(delimiter) {
            delimiter = d;
        }
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(ToString::to_string)
        .collect();
    let columns: Vec<Option<usize>> = prog
        .fields
        .iter()
        .map(|f| find_column(&header, &f.column))
        .collect();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        if rec.len() != header.len() {
            rows.push(Err(vec![format!(
                "{} fields, expected {}",
                rec.len(),
                header.len()
            )]));
            continue;
        }
        rows.push(row_of(prog.fields.iter().zip(&columns).map(|(f, col)| {
            read_field_opts(f, col.and_then(|c| rec.get(c)), decimal_comma)
        })));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_count_days_from_1970() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("1970-03-01"), Some(59));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_date("2027-02-29"), None);
        assert_eq!(
            parse_date("2028-02-29").map(|d| d - parse_date("2028-02-28").unwrap()),
            Some(1)
        );
    }

    #[test]
    fn thousands_are_strict() {
        assert_eq!(plain_decimal("1,200", false), Some(Decimal::from(1200)));
        assert_eq!(
            plain_decimal("12,345,678.5", false),
            Decimal::from_str("12345678.5").ok()
        );
        assert_eq!(plain_decimal("12,5", false), None);
        assert_eq!(plain_decimal("1,20", false), None);
        assert_eq!(plain_decimal("1,000,00", false), None);
        assert_eq!(plain_decimal("1234,567", false), None);
    }

    #[test]
    fn percent_as_fraction() {
        let d = |s: &str| Some(Value::Num(Decimal::from_str(s).unwrap()));
        // LANGUAGE.md: `as fraction` reads `0.35` as 35 %, and `35%` still as 35 %
        assert_eq!(read_cell_as(&FieldType::Percent, true, "0.35"), d("0.35"));
        assert_eq!(read_cell_as(&FieldType::Percent, true, "35%"), d("0.35"));
        assert_eq!(read_cell_as(&FieldType::Percent, true, "1.2"), d("1.2"));
        // without it, `35` is 35 %
        assert_eq!(read_cell_as(&FieldType::Percent, false, "35"), d("0.35"));
        assert_eq!(
            read_cell_as(&FieldType::Percent, false, "0.35"),
            d("0.0035")
        );
    }

    #[test]
    fn money_forms() {
        let m = |s| read_cell(&FieldType::Money, s);
        let d = |s: &str| Some(Value::Num(Decimal::from_str(s).unwrap()));
        assert_eq!(m("$1,200,000"), d("1200000"));
        assert_eq!(m("36.9 M"), d("36900000"));
        assert_eq!(m("$1.82 million"), d("1820000"));
        assert_eq!(m("-$5k"), d("-5000"));
        assert_eq!(m("12%"), None);
        assert_eq!(m("abc"), None);
    }
}
