//! `icp init --from ACCOUNTS [-o DIR]`: a schema inferred from an accounts file, a starter
//! program (a situation for the next quarter, one segment, a few criteria and tiers, a
//! test) and an `icp.toml`. Every inferred choice is explained in a comment. Before
//! anything is written, the program is checked and the file scored with it; a column whose
//! inferred type leaves a row invalid is read as text instead, so inference never makes a
//! row invalid.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use icp_check::{MemoryLoader, Options};
use icp_eval::Plan;
use icp_model::{Date, ProfileId};

use crate::sweep::{self, Fail, InputArgs};

/// Arguments of `icp init`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// The accounts file to infer the schema from (`.csv`, `.tsv`, `.json`, `.jsonl`, each
    /// optionally `.gz`).
    #[arg(long, value_name = "ACCOUNTS")]
    pub from: PathBuf,
    /// The directory to write `schema.icp`, `profile.icp` and `icp.toml` to.
    #[arg(long, short = 'o', value_name = "DIR", default_value = ".")]
    pub output: PathBuf,
    /// Replace files that exist.
    #[arg(long)]
    pub force: bool,
    /// The date the situation starts after (default: the clock, UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Most distinct values an enum gets.
const MAX_VARIANTS: usize = 12;

/// An inferred field type.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Bool,
    Int,
    Number,
    Money,
    Percent,
    Date,
    /// Variants: identifier and the values read as it.
    Enum(Vec<(String, Vec<String>)>),
    Set,
    Text,
}

/// One column's inference.
#[derive(Debug, Clone)]
struct Column {
    /// The header's name.
    header: String,
    /// The field's identifier.
    name: String,
    kind: Kind,
    optional: bool,
    /// Why, for the comment.
    why: String,
    /// Sorted numbers (numeric kinds), for thresholds.
    numbers: Vec<f64>,
    /// The most common value, for enum and bool criteria.
    common: Option<String>,
}

/// Run `icp init`.
pub fn run(args: &InitArgs) -> ExitCode {
    sweep::report(init(args))
}

fn init(args: &InitArgs) -> Result<ExitCode, Fail> {
    let today = sweep::today(args.as_of.as_deref())?;
    let accounts = args.from.to_string_lossy().into_owned();
    if accounts == "-" {
        return Err(Fail::new(
            "`icp init` reads the file twice: give a file, not `-`",
        ));
    }
    let cells = read_cells(&accounts, &args.input)?;
    let mut columns = infer(&cells.header, &cells.rows);
    let key = key_column(&cells.header, &cells.rows);
    let dir = &args.output;
    let sample = sample_path(dir, &args.from);
    // Check and score in memory; demote a column to text while it makes rows invalid.
    let mut attempt = 0;
    let (schema_text, profile_text, invalid) = loop {
        attempt += 1;
        let schema_text = schema_source(&columns, key);
        let profile_text = profile_source(&columns, key, today);
        let (bad, invalid) = verify(
            dir,
            &schema_text,
            &profile_text,
            &accounts,
            &args.input,
            today,
        )?;
        let mut changed = false;
        for col in &mut columns {
            if bad.contains(&col.header) && col.kind != Kind::Text {
                col.why = format!(
                    "text: read as {} first, but some cells could not be read so",
                    kind_name(&col.kind)
                );
                col.kind = Kind::Text;
                changed = true;
            }
        }
        if !changed || attempt > columns.len() {
            break (schema_text, profile_text, invalid);
        }
    };
    let toml = format!(
        "# An ICP project (made by `icp init`). The language server scores this sample.\n[lsp]\nsample = \"{}\"\n",
        sample.replace('\\', "/").replace('"', "\\\"")
    );
    std::fs::create_dir_all(dir)
        .map_err(|e| Fail::new(format!("cannot create `{}`: {e}", dir.display())))?;
    let files = [
        ("schema.icp", schema_text),
        ("profile.icp", profile_text),
        ("icp.toml", toml),
    ];
    if !args.force {
        for (name, _) in &files {
            let p = dir.join(name);
            if p.exists() {
                return Err(Fail::new(format!(
                    "`{}` exists: give `--force` to replace it, or `-o DIR` for another directory",
                    p.display()
                )));
            }
        }
    }
    for (name, text) in &files {
        sweep::emit(text, Some(&dir.join(name)))?;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "wrote {}, {} and {}: {} fields from {} rows",
        dir.join("schema.icp").display(),
        dir.join("profile.icp").display(),
        dir.join("icp.toml").display(),
        columns.len(),
        cells.rows.len()
    );
    if invalid > 0 {
        let _ = writeln!(
            out,
            "note: {invalid} rows are invalid whatever the types (a record of the wrong width or an unclosed quote): see `icp score`"
        );
    }
    let _ = writeln!(
        out,
        "next: icp check {}; icp score {} {}",
        dir.display(),
        dir.join("profile.icp").display(),
        args.from.display()
    );
    let _ = std::io::Write::write_all(&mut std::io::stderr(), out.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// The `sample` path of icp.toml: the accounts file relative to DIR when both are relative
/// or both absolute, else absolute.
fn sample_path(dir: &Path, from: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (d, f) = (
        icp_check::normalize(&abs(dir)),
        icp_check::normalize(&abs(from)),
    );
    if let Ok(rel) = f.strip_prefix(&d) {
        return rel.to_string_lossy().into_owned();
    }
    let mut up = PathBuf::new();
    let mut base = d.as_path();
    loop {
        if let Ok(rel) = f.strip_prefix(base) {
            return up.join(rel).to_string_lossy().into_owned();
        }
        match base.parent() {
            Some(p) => {
                base = p;
                up.push("..");
            }
            None => return f.to_string_lossy().into_owned(),
        }
    }
}

struct Cells {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Every cell's trimmed text, through the real reader: a throwaway schema that reads the
/// first column as optional text binds the file, and every column is read raw.
fn read_cells(accounts: &str, input: &InputArgs) -> Result<Cells, Fail> {
    let first = header_first(accounts, input)?;
    let src = format!(
        "schema Probe {{\n  c: text? from \"{}\"\n}}\n",
        escape(&first)
    );
    let loader = MemoryLoader::new().with("/init/probe.icp", src);
    let checked = icp_check::check(
        &[PathBuf::from("/init/probe.icp")],
        Path::new("/init"),
        &loader,
        &Options::default(),
    );
    let schema = checked
        .program
        .schemas
        .first()
        .ok_or_else(|| Fail::new(format!("cannot read the header of `{accounts}`")))?;
    let swept = sweep::sweep(
        accounts,
        input,
        &checked.program,
        schema,
        || (),
        |(), row| {
            (0..row.column_count())
                .map(|i| {
                    icp_data::trim(&String::from_utf8_lossy(row.column(i).unwrap_or_default()))
                        .to_owned()
                })
                .collect::<Vec<String>>()
        },
    )?;
    Ok(Cells {
        header: swept.header,
        rows: swept.rows,
    })
}

fn header_first(accounts: &str, input: &InputArgs) -> Result<String, Fail> {
    let opened = crate::input::open(
        Path::new(accounts),
        input.input_format.as_deref(),
        input.delimiter.as_deref(),
        false,
    )
    .map_err(Fail::new)?;
    let source = icp_data::Source::open(
        opened.reader,
        icp_data::ReadOptions {
            format: opened.format,
            delimiter: opened.delimiter,
            ..icp_data::ReadOptions::default()
        },
    )
    .map_err(|e| Fail::new(format!("`{accounts}`: {e}")))?;
    source
        .header()
        .first()
        .cloned()
        .ok_or_else(|| Fail::new(format!("`{accounts}` has no header: nothing to infer")))
}

/// Text as the inside of an ICP string literal.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

/// Words the grammar reserves besides the keywords.
const RESERVED: [&str; 8] = ["and", "or", "not", "in", "contains", "is", "true", "false"];

/// An identifier for a column or a value: lowercase ASCII letters, digits and `_`.
fn ident(s: &str, fallback: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let mut out = out.trim_matches('_').to_owned();
    if out.is_empty() {
        fallback.clone_into(&mut out);
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, &format!("{fallback}_"));
    }
    if RESERVED.contains(&out.as_str())
        || icp_syntax::is_keyword(&out)
        || out == "today"
        || out == "score"
        || out == "coverage"
        || out == "situation"
    {
        out.push('_');
        out.push_str(fallback);
    }
    out
}

/// Names made unique by a numeric suffix.
fn unique(names: &mut [String]) {
    let mut seen = HashSet::new();
    for n in names.iter_mut() {
        let base = n.clone();
        let mut i = 2;
        while !seen.insert(n.clone()) {
            *n = format!("{base}_{i}");
            i += 1;
        }
    }
}

fn is_bool_word(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no"
    )
}

fn plain_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() || t.contains(char::is_whitespace) {
        return None;
    }
    let (sign, body) = t.strip_prefix('-').map_or((1.0, t), |b| (-1.0, b));
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let groups: Vec<&str> = int.split(',').collect();
    let ok = match groups.split_first() {
        Some((first, rest)) => {
            !first.is_empty()
                && first.len() <= if rest.is_empty() { usize::MAX } else { 3 }
                && first.bytes().all(|c| c.is_ascii_digit())
                && rest
                    .iter()
                    .all(|g| g.len() == 3 && g.bytes().all(|c| c.is_ascii_digit()))
        }
        None => false,
    };
    if !ok {
        return None;
    }
    format!(
        "{}.{}",
        int.replace(',', ""),
        if frac.is_empty() { "0" } else { frac }
    )
    .parse::<f64>()
    .ok()
    .map(|x| sign * x)
}

/// An amount with a `$` or a suffix (`$15k`, `36.9 M`, `$1.82 million`); a bare number is
/// no evidence of money.
fn money(s: &str) -> Option<f64> {
    let t = s.trim();
    let (sign, t) = t.strip_prefix('-').map_or((1.0, t), |b| (-1.0, b));
    let (dollar, t) = t.strip_prefix('$').map_or((false, t), |b| (true, b));
    let lower = t.to_ascii_lowercase();
    let (num, mult) = [
        ("thousand", 1e3),
        ("million", 1e6),
        ("billion", 1e9),
        ("k", 1e3),
        ("m", 1e6),
        ("b", 1e9),
    ]
    .iter()
    .find_map(|(suffix, m)| {
        lower
            .strip_suffix(suffix)
            .map(|n| (n.trim_end().to_owned(), *m))
    })
    .unwrap_or((lower.clone(), 1.0));
    if !dollar && mult == 1.0 {
        return None;
    }
    plain_number(&num).map(|x| sign * x * mult)
}

fn percent(s: &str) -> Option<f64> {
    plain_number(s.trim().strip_suffix('%')?).map(|x| x / 100.0)
}

fn is_date(s: &str) -> bool {
    s.get(..10).and_then(Date::parse_iso).is_some()
        && (s.len() == 10 || matches!(s.as_bytes().get(10), Some(b'T' | b' ')))
}

fn kind_name(k: &Kind) -> &'static str {
    match k {
        Kind::Bool => "bool",
        Kind::Int => "int",
        Kind::Number => "number",
        Kind::Money => "money",
        Kind::Percent => "percent",
        Kind::Date => "date",
        Kind::Enum(_) => "enum",
        Kind::Set => "set<text>",
        Kind::Text => "text",
    }
}

fn infer(header: &[String], rows: &[Vec<String>]) -> Vec<Column> {
    let mut names: Vec<String> = header.iter().map(|h| ident(h, "field")).collect();
    unique(&mut names);
    header
        .iter()
        .zip(names)
        .enumerate()
        .map(|(i, (h, name))| {
            let cells: Vec<&str> = rows
                .iter()
                .map(|r| r.get(i).map_or("", String::as_str))
                .collect();
            let present: Vec<&str> = cells
                .iter()
                .copied()
                .filter(|c| !icp_data::is_missing_token(c))
                .collect();
            let missing = cells.len() - present.len();
            let optional = missing > 0 || present.is_empty();
            let mut col = Column {
                header: h.clone(),
                name,
                kind: Kind::Text,
                optional,
                why: String::new(),
                numbers: Vec::new(),
                common: None,
            };
            classify(&mut col, &present);
            if optional {
                let _ = write!(
                    col.why,
                    "; `?`: {missing} of {} cells are missing",
                    cells.len()
                );
            }
            col
        })
        .collect()
}

fn classify(col: &mut Column, present: &[&str]) {
    let n = present.len();
    let all = |f: &dyn Fn(&str) -> bool| n > 0 && present.iter().all(|c| f(c));
    let numbers = |f: &dyn Fn(&str) -> Option<f64>| {
        let mut v: Vec<f64> = present.iter().filter_map(|c| f(c)).collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let mut counts: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for c in present {
        let e = counts
            .entry(c.trim().to_lowercase())
            .or_insert((0, (*c).to_owned()));
        e.0 += 1;
    }
    col.common = counts
        .values()
        .max_by_key(|(k, _)| *k)
        .map(|(_, v)| v.clone());
    if n == 0 {
        col.why = String::from("text: every cell is empty");
    } else if all(&|c| is_bool_word(c) || c == "1" || c == "0")
        && present.iter().any(|c| is_bool_word(c))
    {
        col.kind = Kind::Bool;
        col.why = String::from("bool: every value is true/false, yes/no or 1/0");
    } else if all(&|c| plain_number(c).is_some_and(|x| x.fract() == 0.0)) {
        col.kind = Kind::Int;
        col.numbers = numbers(&plain_number);
        col.why = String::from("int: every value is a whole number");
    } else if all(&|c| plain_number(c).is_some()) {
        col.kind = Kind::Number;
        col.numbers = numbers(&plain_number);
        col.why = String::from("number: every value is a number");
    } else if all(&|c| money(c).is_some() || plain_number(c).is_some()) {
        col.kind = Kind::Money;
        col.numbers = numbers(&|c| money(c).or_else(|| plain_number(c)));
        col.why = String::from("money: every value is an amount like `$15k` or `36.9 M`");
    } else if all(&|c| percent(c).is_some() || plain_number(c).is_some())
        && present.iter().any(|c| c.ends_with('%'))
    {
        col.kind = Kind::Percent;
        col.numbers = numbers(&|c| percent(c).or_else(|| plain_number(c).map(|x| x / 100.0)));
        col.why = String::from("percent: values end in `%` (a bare number is read as percent too)");
    } else if all(&is_date) {
        col.kind = Kind::Date;
        col.why = String::from("date: every value is an ISO date");
    } else if looks_like_set(present) {
        col.kind = Kind::Set;
        col.why = String::from("set<text>: lists separated by `;` or `|` whose items recur");
    } else if present.len() * 4
        <= 5 * present
            .iter()
            .filter(|c| {
                money(c)
                    .or_else(|| percent(c))
                    .or_else(|| plain_number(c))
                    .is_some()
            })
            .count()
    {
        col.why = String::from(
            "text: mostly numbers, but some values are not (read them as text, or clean the column and make it a number type)",
        );
    } else if counts.len() <= MAX_VARIANTS && counts.len() * 2 <= n && n >= 4 {
        let mut names: Vec<String> = counts.values().map(|(_, v)| ident(v, "v")).collect();
        unique(&mut names);
        let variants = names
            .into_iter()
            .zip(counts.values())
            .map(|(name, (_, v))| (name, vec![v.clone()]))
            .collect();
        col.why = format!(
            "enum: {} distinct values in {n} cells, each mapped to an identifier",
            counts.len()
        );
        col.kind = Kind::Enum(variants);
    } else {
        col.why = format!("text: {} distinct values", counts.len());
    }
}

/// A list column: some cells hold `;` or `|`, none a `,` (outside a JSON array), and its
/// items recur (at least twice as many items as distinct ones), as tags do and prose does
/// not.
fn looks_like_set(present: &[&str]) -> bool {
    if !present.iter().any(|c| c.contains(';') || c.contains('|'))
        || present
            .iter()
            .any(|c| c.contains(',') && !c.starts_with('['))
    {
        return false;
    }
    let mut items = 0;
    let mut distinct = HashSet::new();
    for c in present {
        for item in c.split([';', '|']).map(str::trim).filter(|i| !i.is_empty()) {
            items += 1;
            distinct.insert(item.to_lowercase());
        }
    }
    distinct.len() * 2 <= items
}

/// The index of the key column: an id-like name with unique, present values; else an
/// id-like name with every value present (duplicates and all: the file repeats rows);
/// else none.
fn key_column(header: &[String], rows: &[Vec<String>]) -> Option<usize> {
    let unique_at = |i: usize| {
        let mut seen = HashSet::new();
        !rows.is_empty()
            && rows.iter().all(|r| {
                r.get(i).is_some_and(|c| {
                    !icp_data::is_missing_token(c) && seen.insert(c.to_lowercase())
                })
            })
    };
    let id_like = header
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            let l = h.trim().to_lowercase();
            l == "id" || l.ends_with(" id") || l.ends_with("_id") || l == "key" || l == "domain"
        })
        .map(|(i, _)| i)
        .collect::<Vec<usize>>();
    let present_at = |i: usize| {
        !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.get(i).is_some_and(|c| !icp_data::is_missing_token(c)))
    };
    id_like
        .iter()
        .copied()
        .find(|&i| unique_at(i))
        .or_else(|| id_like.iter().copied().find(|&i| present_at(i)))
}

fn schema_source(columns: &[Column], key: Option<usize>) -> String {
    let mut out = String::from(
        "// Inferred by `icp init` from the accounts file: one field per column. Check each\n// comment's choice and adjust the types where you know better.\n\nschema Account {\n",
    );
    for (i, c) in columns.iter().enumerate() {
        let ty = match &c.kind {
            Kind::Enum(vs) => {
                let items: Vec<String> = vs
                    .iter()
                    .map(|(name, values)| {
                        let mapped: Vec<String> = values
                            .iter()
                            .filter(|v| v.as_str() != name)
                            .map(|v| format!("\"{}\"", escape(v)))
                            .collect();
                        if mapped.is_empty() {
                            name.clone()
                        } else {
                            format!("{name} = {}", mapped.join(" | "))
                        }
                    })
                    .collect();
                format!("enum {{ {} }}", items.join(", "))
            }
            k => kind_name(k).to_owned(),
        };
        let is_key = key == Some(i);
        let (ty, why) = if is_key {
            (
                "text".to_owned(),
                "key: an id-like column with a value in every row".to_owned(),
            )
        } else {
            (ty, c.why.clone())
        };
        let _ = writeln!(out, "  // {why}");
        let _ = write!(out, "  {}: {ty}", c.name);
        if c.optional && !is_key {
            out.push('?');
        }
        if c.name != c.header {
            let _ = write!(out, " from \"{}\"", escape(&c.header));
        }
        if is_key {
            out.push_str(" key");
        }
        out.push('\n');
    }
    out.push_str("}\n");
    out
}

fn quarter_after(today: Date) -> (Date, Date) {
    let (y, m, _) = today.ymd();
    let q = (m - 1) / 3; // 0..=3
    let (sy, sm) = if q == 3 { (y + 1, 1) } else { (y, q * 3 + 4) };
    let start = Date::from_ymd(sy, sm, 1).unwrap_or(today);
    let (ey, em) = (sy, sm + 2);
    let end = (28..=31)
        .rev()
        .find_map(|d| Date::from_ymd(ey, em, d))
        .unwrap_or(start);
    (start, end)
}

/// A literal of a numeric kind.
fn literal(kind: &Kind, x: f64) -> String {
    let round = |x: f64| {
        if x.abs() >= 100.0 {
            x.round()
        } else {
            (x * 100.0).round() / 100.0
        }
    };
    match kind {
        Kind::Money => format!("${}", sweep::num_text(round(x), 2)),
        Kind::Percent => format!("{}%", sweep::num_text(round(x * 100.0), 2)),
        Kind::Int => sweep::num_text(x.round(), 0),
        _ => sweep::num_text(round(x), 2),
    }
}

fn median(v: &[f64]) -> Option<f64> {
    v.get(v.len() / 2).copied()
}

fn quantile(v: &[f64], q: f64) -> Option<f64> {
    v.get(((v.len() as f64 - 1.0) * q) as usize).copied()
}

fn profile_source(columns: &[Column], key: Option<usize>, today: Date) -> String {
    let (start, end) = quarter_after(today);
    let mut out = format!(
        "// A starter program made by `icp init`: replace the thresholds with what you know.\n\nimport \"schema.icp\"\n\n// An ICP holds for a situation: the next quarter.\nsituation next_quarter \"Next quarter\" for Account {{\n  timeframe {start} .. {end}\n  goal accounts count >= 1\n}}\n"
    );
    let usable = |c: &&Column| !c.optional || !matches!(c.kind, Kind::Text | Kind::Set);
    let numeric: Vec<&Column> = columns
        .iter()
        .enumerate()
        .filter(|(i, c)| Some(*i) != key && usable(c))
        .map(|(_, c)| c)
        .filter(|c| {
            matches!(
                c.kind,
                Kind::Int | Kind::Number | Kind::Money | Kind::Percent
            ) && c.numbers.first() != c.numbers.last()
        })
        .collect();
    // The segment: the first numeric column at or above its lowest quarter.
    let segment = numeric.first().and_then(|c| {
        quantile(&c.numbers, 0.25).map(|q| {
            format!(
                "\n// The market to target: `{}` in the top three quarters of the file.\nsegment market \"{} at least {}\" for Account {{ {} >= {} }}\n",
                escape(&c.header),
                escape(&c.header),
                literal(&c.kind, q),
                c.name,
                literal(&c.kind, q)
            )
        })
    });
    if let Some(s) = &segment {
        out.push_str(s);
    }
    let mut criteria = Vec::new();
    for c in numeric.iter().skip(usize::from(segment.is_some())).take(2) {
        if let Some(m) = median(&c.numbers) {
            criteria.push(format!(
                "  // `{}` at or above the file's median.\n  criterion {}_high \"{} at least {}\" weight 10 {{ {} >= {} }}\n",
                escape(&c.header),
                c.name,
                escape(&c.header),
                literal(&c.kind, m),
                c.name,
                literal(&c.kind, m)
            ));
        }
    }
    for (i, c) in columns.iter().enumerate() {
        if criteria.len() >= 4 || Some(i) == key {
            continue;
        }
        match &c.kind {
            Kind::Bool => criteria.push(format!(
                "  // `{}` is true.\n  criterion {} \"{}\" weight 5 {{ {} }}\n",
                escape(&c.header),
                c.name,
                escape(&c.header),
                c.name
            )),
            Kind::Enum(vs) if vs.len() >= 2 => {
                let common = c.common.as_deref().unwrap_or_default();
                if let Some((variant, _)) = vs
                    .iter()
                    .find(|(_, values)| values.iter().any(|v| v == common))
                {
                    criteria.push(format!(
                        "  // `{}` is its most common value in the file.\n  criterion {}_{} \"{} is {}\" weight 5 {{ {} == {} }}\n",
                        escape(&c.header),
                        c.name,
                        variant,
                        escape(&c.header),
                        escape(common),
                        c.name,
                        variant
                    ));
                }
            }
            _ => {}
        }
    }
    if criteria.is_empty() {
        criteria.extend(fallback_criterion(columns, key));
    }
    let _ = write!(
        out,
        "\nprofile starter \"Starter profile\" for Account in next_quarter {{\n{}",
        if segment.is_some() {
            "  target market\n\n"
        } else {
            ""
        }
    );
    if criteria.is_empty() {
        out.push_str(
            "  // No column suggested a criterion: write one, e.g. `criterion big weight 10 { employees >= 100 }`.\n",
        );
    }
    for c in &criteria {
        out.push_str(c);
    }
    out.push_str(
        "\n  tier a \"Reach out this week\" >= 70\n  tier b \"Nurture\" >= 40\n  tier c\n}\n",
    );
    // A test: an account with no value known scores 0 and lands in the last tier when the
    // profile has no segment (else it is out of segment).
    let mut account = Vec::new();
    for (i, c) in columns.iter().enumerate() {
        if c.optional && Some(i) != key {
            continue;
        }
        let v = match &c.kind {
            _ if Some(i) == key => "\"test-1\"".to_owned(),
            Kind::Bool => "false".to_owned(),
            Kind::Int | Kind::Number | Kind::Money | Kind::Percent => c
                .numbers
                .first()
                .map_or_else(|| "0".to_owned(), |x| literal(&c.kind, *x)),
            Kind::Date => today.to_string(),
            Kind::Enum(vs) => vs.first().map_or_else(String::new, |v| v.0.clone()),
            Kind::Set => "[]".to_owned(),
            Kind::Text => format!("\"{}\"", escape(c.common.as_deref().unwrap_or("x"))),
        };
        account.push(format!("{}: {v}", c.name));
    }
    let _ = write!(
        out,
        "\n// The smallest account of the file (every optional field missing) is not a good fit.\ntest \"the smallest account is no fit\" {{\n  profile starter\n  as_of {today}\n  account {{ {} }}\n  expect score <= 40\n}}\n",
        account.join(", ")
    );
    out
}

/// A criterion for a file whose columns suggested none: the first column (not the key)
/// that can say something: a number at its median, a text at its most common value, or an
/// optional column being present.
fn fallback_criterion(columns: &[Column], key: Option<usize>) -> Option<String> {
    columns
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != key)
        .find_map(|(_, c)| {
            let (cond, what) = match &c.kind {
                Kind::Int | Kind::Number | Kind::Money | Kind::Percent => {
                    let m = literal(&c.kind, median(&c.numbers)?);
                    (format!("{} >= {m}", c.name), format!("at least {m}"))
                }
                Kind::Text if !c.optional => {
                    let common = c.common.as_deref()?;
                    (
                        format!("{} == \"{}\"", c.name, escape(common)),
                        format!("is {}", escape(common)),
                    )
                }
                _ if c.optional => (format!("{} is present", c.name), "is known".to_owned()),
                _ => return None,
            };
            Some(format!(
                "  // `{}`: the only column that suggested a criterion.\n  criterion {}_fit \"{} {what}\" weight 10 {{ {cond} }}\n",
                escape(&c.header),
                c.name,
                escape(&c.header)
            ))
        })
}

/// Checks the program in memory and scores the file with it: the columns of the rows
/// that are invalid, and the number of invalid rows with no column to blame.
fn verify(
    dir: &Path,
    schema: &str,
    profile: &str,
    accounts: &str,
    input: &InputArgs,
    today: Date,
) -> Result<(HashSet<String>, u64), Fail> {
    let root =
        icp_check::normalize(&std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()));
    let loader = MemoryLoader::new()
        .with(root.join("schema.icp"), schema)
        .with(root.join("profile.icp"), profile);
    let checked = icp_check::check(
        &[root.join("profile.icp")],
        &root,
        &loader,
        &Options { today: Some(today) },
    );
    if checked.has_errors() {
        let mut msg = String::new();
        for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
            let (shown, text) = checked.file(d.file).map_or((String::new(), ""), |f| {
                (f.path.display().to_string(), &*f.text)
            });
            msg.push_str(&crate::render::render(d, &shown, text, false));
        }
        return Err(Fail(format!(
            "{msg}error: the inferred program does not check (a bug in `icp init`: please report it with the file's header)"
        )));
    }
    let program = &checked.program;
    let plan = Plan::new(program, ProfileId(0), today).map_err(Fail::new)?;
    let swept = sweep::sweep(
        accounts,
        input,
        program,
        plan.schema(),
        || (),
        |(), row| row.error.map(|e| e.column.clone()),
    )?;
    let mut bad = HashSet::new();
    let mut unblamed = 0;
    for e in swept.rows.into_iter().flatten() {
        match e {
            Some(c) => {
                bad.insert(c);
            }
            None => unblamed += 1,
        }
    }
    Ok((bad, unblamed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_values() {
        assert_eq!(ident("Account ID", "field"), "account_id");
        assert_eq!(ident("2024 revenue", "field"), "field_2024_revenue");
        assert_eq!(ident("score", "field"), "score_field");
        assert_eq!(ident("in", "v"), "in_v");
        assert_eq!(plain_number("1,200"), Some(1200.0));
        assert_eq!(plain_number("12,5"), None);
        assert_eq!(money("$1.5M"), Some(1_500_000.0));
        assert_eq!(money("36.9 M"), Some(36_900_000.0));
        assert_eq!(money("1500"), None);
        assert_eq!(percent("12.5%"), Some(0.125));
        assert!(is_date("2027-01-31"));
        assert!(!is_date("01/31/2027"));
        let (s, e) = quarter_after(Date::from_ymd(2026, 11, 5).unwrap());
        assert_eq!(
            (s.to_string(), e.to_string()),
            ("2027-01-01".into(), "2027-03-31".into())
        );
    }
}
