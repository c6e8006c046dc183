//! Writes cases for the differential test of `icp compile --typed` against real engines
//! (`crates/icp-sql/tests/engines/diff.py`): a program and a *typed* CSV of its values.
//!
//! ```sh
//! # N random programs with messy, missing and invalid rows (icp-oracle's generator)
//! cargo run -p icp-sql --example typed_cases -- random OUTDIR N [SEED] [ROWS]
//! # an example's accounts, typed
//! cargo run -p icp-sql --example typed_cases -- data OUTDIR/NAME DATA.csv PROFILE FILE.icp...
//! ```
//!
//! Each case is a directory with `typed.csv` and `case.json` (`program` (random cases write
//! `program.icp`), `profile`, `as_of`, the typed `columns`). The typed CSV holds every value
//! as read by the oracle (icp-oracle's public reader), written in one canonical form that both
//! `icp score` and the test's SQL loader read the same way: `NA` is missing, numbers are plain
//! decimals, a percent is written `35%` (the loader divides by 100), dates are ISO, sets are
//! JSON arrays, an enum is its variant's name. A required cell that is missing stays `NA` (an
//! invalid row in both), an enum cell that names no variant keeps its text (invalid in both);
//! a row with any other unreadable cell has no typed form and is left out (counted in
//! `case.json` as `dropped`).
#![allow(
    clippy::disallowed_methods,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line harness: it reads its arguments and writes files"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use icp_oracle::generate::{self, Config, Feature};
use icp_oracle::model::{FieldDef, FieldType, Program};
use icp_oracle::read::{self, is_missing_marker};
use icp_oracle::value::Value;
use rust_decimal::Decimal;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("random") => {
            let out = PathBuf::from(args.get(1).ok_or("random OUTDIR N [SEED] [ROWS]")?);
            let n: u64 = args.get(2).and_then(|s| s.parse().ok()).ok_or("N")?;
            let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
            let rows: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(30);
            let mut cfg = Config::passing(rows);
            // SQL's lower() is not Unicode case folding (docs/sql.md): a known difference.
            cfg.features.retain(|f| *f != Feature::UnicodeFolding);
            let mut written = 0;
            for i in 0..n {
                let case_seed = seed.wrapping_mul(1_000_003).wrapping_add(i);
                let case = generate::case(case_seed, &cfg);
                let dir = out.join(format!("random-{case_seed}"));
                std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
                std::fs::write(dir.join("program.icp"), &case.program)
                    .map_err(|e| e.to_string())?;
                let prog = match Program::load(&case.program, None) {
                    Ok(p) => p,
                    Err(e) => {
                        eprintln!("case {case_seed}: the oracle cannot load it: {}", e.0);
                        continue;
                    }
                };
                write_case(&dir, &prog, &case.csv, "program.icp", generate::AS_OF)?;
                written += 1;
            }
            println!("{written} random cases in {}", out.display());
            Ok(())
        }
        Some("data") => {
            let dir = PathBuf::from(args.get(1).ok_or("data OUTDIR DATA PROFILE FILE...")?);
            let data =
                std::fs::read_to_string(args.get(2).ok_or("DATA")?).map_err(|e| e.to_string())?;
            let profile = args.get(3).ok_or("PROFILE")?;
            // The program's files, concatenated without their imports (the oracle reads one
            // source); the test compiles and scores the real files.
            let mut src = String::new();
            for f in args.iter().skip(4) {
                let text = std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?;
                for line in text.lines() {
                    if !line.trim_start().starts_with("import ") {
                        src.push_str(line);
                    }
                    src.push('\n');
                }
            }
            let prog = Program::load(&src, Some(profile)).map_err(|e| e.0)?;
            std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
            let main = args.get(4).ok_or("FILE")?;
            let main = std::fs::canonicalize(main).map_err(|e| format!("{main}: {e}"))?;
            write_case(&dir, &prog, &data, &main.to_string_lossy(), "2026-01-01")
        }
        _ => Err(
            "usage: typed_cases random OUTDIR N [SEED] [ROWS] | data OUTDIR DATA PROFILE FILE..."
                .into(),
        ),
    }
}

fn type_name(f: &FieldDef) -> &'static str {
    match f.ty {
        FieldType::Bool => "bool",
        FieldType::Int => "int",
        FieldType::Number => "number",
        FieldType::Money => "money",
        FieldType::Percent => "percent",
        FieldType::Text => "text",
        FieldType::Date => "date",
        FieldType::Duration => "duration",
        FieldType::Enum(_) | FieldType::OrderedEnum(_) => "enum",
        FieldType::Set => "set",
    }
}

fn write_case(
    dir: &Path,
    prog: &Program,
    text: &str,
    program: &str,
    as_of: &str,
) -> Result<(), String> {
    let mut rdr = csv::ReaderBuilder::new()
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
        .map(|f| read::find_column(&header, &f.column))
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(prog.fields.iter().map(|f| f.column.as_str()))
        .map_err(|e| e.to_string())?;
    let (mut kept, mut dropped) = (0_usize, 0_usize);
    for rec in rdr.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        if rec.len() != header.len() {
            dropped += 1;
            continue;
        }
        let cells: Option<Vec<String>> = prog
            .fields
            .iter()
            .zip(&columns)
            .map(|(f, c)| typed_cell(f, c.and_then(|c| rec.get(c))))
            .collect();
        if let Some(cells) = cells {
            w.write_record(&cells).map_err(|e| e.to_string())?;
            kept += 1;
        } else {
            dropped += 1;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    std::fs::write(dir.join("typed.csv"), bytes).map_err(|e| e.to_string())?;
    let cols: Vec<serde_json::Value> = prog
        .fields
        .iter()
        .map(|f| serde_json::json!({"column": f.column, "type": type_name(f), "optional": f.optional}))
        .collect();
    let meta = serde_json::json!({
        "program": program,
        "profile": prog.profile,
        "as_of": as_of,
        "key": prog.key_field().map(|f| f.name.clone()),
        "columns": cols,
        "rows": kept,
        "dropped": dropped,
    });
    std::fs::write(dir.join("case.json"), meta.to_string()).map_err(|e| e.to_string())
}

/// One cell in the canonical typed form, or `None` when the row has no typed form.
fn typed_cell(f: &FieldDef, raw: Option<&str>) -> Option<String> {
    let Some(raw) = raw else {
        return Some("NA".into());
    };
    let t = raw.trim();
    if is_missing_marker(t) && !(f.ty == FieldType::Set && t.is_empty()) {
        return Some("NA".into());
    }
    match read::read_field(f, Some(raw)) {
        Ok(Value::Num(x)) if f.ty == FieldType::Percent => Some(percent(x)),
        Ok(v) => Some(canonical(&v)),
        Err(_) if matches!(f.ty, FieldType::Enum(_)) => Some(t.to_owned()),
        Err(_) => None,
    }
}

fn canonical(v: &Value) -> String {
    match v {
        Value::Missing => "NA".into(),
        Value::Bool(b) => b.to_string(),
        Value::Num(x) => x.normalize().to_string(),
        Value::Date(d) => iso(*d),
        Value::Dur(n) => format!("{n}d"),
        Value::Text(s) | Value::Enum(s) => s.clone(),
        Value::Set(items) => serde_json::Value::from(items.clone()).to_string(),
        Value::List(_) => String::new(),
    }
}

/// A percent's fraction written as a percentage: `0.35` is `35%`.
fn percent(x: Decimal) -> String {
    let mut s = (x * Decimal::ONE_HUNDRED).normalize().to_string();
    s.push('%');
    s
}

/// Days since 1970-01-01 as `YYYY-MM-DD` (Howard Hinnant's civil-from-days).
#[allow(
    clippy::many_single_char_names,
    reason = "the algorithm's published names"
)]
fn iso(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let mut s = String::new();
    let _ = write!(s, "{y:04}-{m:02}-{d:02}");
    s
}
