//! Shared by `tests/hostile.rs`, `tests/fuzz_short.rs` and `examples/fuzz_data.rs`: a simple
//! reference CSV reader (csv-core's rules plus the quote rule of docs/cli.md, written
//! byte by byte from the documentation, not from the reader's code), a sink that prints
//! what each row holds, and the fuzzers with their oracles.
#![allow(
    dead_code,
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::format_collect,
    clippy::format_push_string,
    clippy::range_plus_one,
    clippy::implicit_clone,
    reason = "test code: shared by several test crates, each using a part; fails loudly"
)]

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use icp_data::{DataError, Format, ReadOptions, Row, RowSink, RunSummary, Source};
use icp_model::{EnumId, EnumTy, Field, Loc, Program, Schema, Ty, VariantDef};

/// What the reference reads from one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rec {
    /// A record: its line and fields.
    Fields(u64, Vec<Vec<u8>>),
    /// A record cut short by the quote rule (or a quote open at the end): its line.
    Runaway(u64),
}

/// Whether `line` alone is a clean record of `width` fields, without a stray quote
/// (docs/cli.md, "CSV quote rule").
pub fn ref_line_is_record(line: &[u8], delim: u8, width: usize) -> bool {
    let line = if line.last() == Some(&b'\r') {
        &line[..line.len() - 1]
    } else {
        line
    };
    if line.is_empty() || line.contains(&b'\r') {
        return false;
    }
    let mut fields = 0;
    let mut i = 0;
    loop {
        fields += 1;
        if line[i] == b'"' {
            i += 1;
            loop {
                if i >= line.len() {
                    return false;
                }
                if line[i] == b'"' {
                    if line.get(i + 1) == Some(&b'"') {
                        i += 2;
                    } else {
                        i += 1;
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            if i == line.len() {
                break;
            }
            if line[i] != delim {
                return false;
            }
            i += 1;
        } else {
            while i < line.len() && line[i] != delim {
                if line[i] == b'"' {
                    return false;
                }
                i += 1;
            }
            if i == line.len() {
                break;
            }
            i += 1;
        }
        if i == line.len() {
            fields += 1;
            break;
        }
    }
    fields == width
}

/// Reads every record of `data` (the header first, without the quote rule), csv-core's way:
/// blank lines skipped, CR, LF or CRLF end a record, a quote opens a quoted field only at the
/// start of a field, `""` inside is a quote, text after a closing quote joins the field.
/// A BOM at the very start is dropped.
pub fn reference(data: &[u8], delim: u8) -> Vec<Rec> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut out = Vec::new();
    let mut pos = 0;
    let mut line = 1u64;
    let mut width = 0;
    loop {
        while pos < data.len() && (data[pos] == b'\n' || data[pos] == b'\r') {
            if data[pos] == b'\n' {
                line += 1;
            }
            pos += 1;
        }
        if pos >= data.len() {
            return out;
        }
        let rule = !out.is_empty() && width >= 2;
        let rec_line = line;
        let mut fields = Vec::new();
        let mut field = Vec::new();
        let mut runaway = false;
        'record: loop {
            // At the start of a field.
            if data.get(pos) == Some(&b'"') {
                pos += 1;
                loop {
                    let Some(&c) = data.get(pos) else {
                        runaway = true;
                        pos = data.len();
                        break 'record;
                    };
                    if c == b'"' {
                        if data.get(pos + 1) == Some(&b'"') {
                            field.push(b'"');
                            pos += 2;
                            continue;
                        }
                        pos += 1;
                        break;
                    }
                    if c == b'\n' {
                        line += 1;
                        if rule {
                            let end = data[pos + 1..]
                                .iter()
                                .position(|&b| b == b'\n')
                                .map_or(data.len(), |e| pos + 1 + e);
                            if ref_line_is_record(&data[pos + 1..end], delim, width) {
                                runaway = true;
                                pos += 1;
                                break 'record;
                            }
                        }
                    }
                    field.push(c);
                    pos += 1;
                }
            }
            // Unquoted text (or text after a closing quote).
            loop {
                match data.get(pos) {
                    None => {
                        fields.push(std::mem::take(&mut field));
                        break 'record;
                    }
                    Some(&c) if c == delim => {
                        fields.push(std::mem::take(&mut field));
                        pos += 1;
                        continue 'record;
                    }
                    Some(b'\n' | b'\r') => {
                        fields.push(std::mem::take(&mut field));
                        if data[pos] == b'\r' && data.get(pos + 1) == Some(&b'\n') {
                            pos += 1;
                        }
                        if data[pos] == b'\n' {
                            line += 1;
                        }
                        pos += 1;
                        break 'record;
                    }
                    Some(&c) => {
                        field.push(c);
                        pos += 1;
                    }
                }
            }
        }
        if out.is_empty() {
            width = fields.len();
        }
        out.push(if runaway {
            Rec::Runaway(rec_line)
        } else {
            Rec::Fields(rec_line, fields)
        });
    }
}

/// The reference's rows (the header left out) as [`Show`] prints them.
pub fn reference_text(data: &[u8], delim: u8) -> Option<String> {
    let recs = reference(data, delim);
    if recs.is_empty() {
        return None;
    }
    let mut s = String::new();
    for (i, r) in recs.iter().skip(1).enumerate() {
        match r {
            Rec::Runaway(line) => writeln!(s, "{}@{line}=RUNAWAY", i + 1).unwrap(),
            Rec::Fields(line, f) => {
                let cols: Vec<String> = f
                    .iter()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect();
                writeln!(s, "{}@{line}={cols:?}", i + 1).unwrap();
            }
        }
    }
    Some(s)
}

/// Prints each row: number, line, and `RUNAWAY` for a record cut by the quote rule, else
/// its raw columns.
pub struct Show;

impl RowSink for Show {
    type Local = ();
    type Stats = u64;
    fn local(&self) {}
    fn row(&self, (): &mut (), stats: &mut u64, row: &Row<'_>, out: &mut Vec<u8>) {
        *stats += 1;
        let runaway = row.error.is_some_and(|e| {
            e.why.starts_with("unclosed quote") || e.why.starts_with("unterminated quote")
        });
        let s = if runaway {
            format!("{}@{}=RUNAWAY\n", row.number, row.line)
        } else {
            let cols: Vec<String> = (0..row.column_count())
                .map(|i| String::from_utf8_lossy(row.column(i).unwrap_or_default()).into_owned())
                .collect();
            format!("{}@{}={cols:?}\n", row.number, row.line)
        };
        out.extend_from_slice(s.as_bytes());
    }
}

/// Prints each row's values, or its error.
pub struct Values;

impl RowSink for Values {
    type Local = ();
    type Stats = u64;
    fn local(&self) {}
    fn row(&self, (): &mut (), stats: &mut u64, row: &Row<'_>, out: &mut Vec<u8>) {
        *stats += 1;
        let s = match row.error {
            Some(e) => format!("{}@{}: ERROR {e}\n", row.number, row.line),
            None => format!("{}@{}: {:?}\n", row.number, row.line, row.values),
        };
        out.extend_from_slice(s.as_bytes());
    }
}

/// Options with this block size and thread count.
pub fn opts(format: Format, block_size: usize, threads: usize) -> ReadOptions {
    ReadOptions {
        format,
        block_size,
        threads,
        ..ReadOptions::default()
    }
}

/// A field of the test schemas.
pub fn field(name: &str, column: &str, ty: Ty, optional: bool) -> Field {
    Field {
        name: name.into(),
        column: column.into(),
        ty,
        optional,
        fraction: false,
        loc: Loc::default(),
    }
}

/// A schema of these fields.
pub fn schema(fields: Vec<Field>) -> Schema {
    Schema {
        name: "Account".into(),
        loc: Loc::default(),
        fields,
        key: None,
    }
}

/// Opens, binds and runs `data`: the bind warnings (`warning: ...` lines), then the rows
/// as `sink` prints them, then the run's warnings; with the summary.
pub fn run_with<S: RowSink>(
    data: Box<dyn std::io::Read + Send>,
    options: ReadOptions,
    program: &Program,
    schema: &Schema,
    sink: &S,
) -> Result<(String, RunSummary), DataError> {
    let source = Source::open(data, options)?;
    let (binding, warnings) = source
        .bind(program, schema)
        .map_err(|e| DataError::Read(std::io::Error::other(e.to_string())))?;
    let mut out = String::new();
    for w in warnings {
        writeln!(out, "warning: {w}").unwrap();
    }
    let mut bytes = Vec::new();
    let summary = source.run(&binding, sink, |chunk| {
        bytes.extend_from_slice(chunk.bytes);
        Ok(())
    })?;
    out.push_str(&String::from_utf8(bytes).unwrap());
    for w in &summary.warnings {
        writeln!(out, "warning: {w}").unwrap();
    }
    Ok((out, summary))
}

/// [`run_with`] over bytes in memory.
pub fn run_bytes<S: RowSink>(
    data: &[u8],
    options: ReadOptions,
    program: &Program,
    schema: &Schema,
    sink: &S,
) -> Result<String, DataError> {
    run_with(
        Box::new(std::io::Cursor::new(data.to_vec())),
        options,
        program,
        schema,
        sink,
    )
    .map(|(s, _)| s)
}

/// A xorshift generator.
pub struct Rng(pub u64);

impl Rng {
    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// CSV pieces a hostile file is made of.
const CSV_PIECES: &[&str] = &[
    "a",
    "bc",
    "Acme",
    "12",
    ",",
    ",",
    ",",
    ";",
    "\"",
    "\"\"",
    "\n",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\u{feff}",
    "\u{feff}\"",
    "\"x\"",
    "\"q,\n\"",
    "é",
    "\0",
    "\u{1f}",
    "5\" screen",
];

/// A random CSV text: a header of 1 to 4 columns, then records made of pieces, some well
/// formed, some not.
pub fn random_csv(rng: &mut Rng) -> Vec<u8> {
    let width = 1 + rng.below(4);
    let mut s = String::new();
    for i in 0..width {
        if i > 0 {
            s.push(',');
        }
        write!(s, "h{i}").unwrap();
    }
    s.push_str(if rng.below(2) == 0 { "\n" } else { "\r\n" });
    for _ in 0..rng.below(12) {
        if rng.below(3) == 0 {
            // A well-formed record, maybe with a quoted multi-line field.
            for i in 0..width {
                if i > 0 {
                    s.push(',');
                }
                match rng.below(4) {
                    0 => s.push_str("\"multi\nline, \"\"quoted\"\"\""),
                    1 => s.push_str("\"a,b\""),
                    _ => write!(s, "v{}", rng.below(100)).unwrap(),
                }
            }
            s.push_str(if rng.below(2) == 0 { "\n" } else { "\r\n" });
        } else {
            for _ in 0..rng.below(10) {
                let piece: &str = rng.pick::<&str>(CSV_PIECES);
                s.push_str(piece);
            }
        }
    }
    let mut bytes = s.into_bytes();
    // A few raw byte mutations: invalid UTF-8 sends blocks to the slow path.
    for _ in 0..rng.below(3) {
        let at = rng.below(bytes.len() + 1);
        let b = *rng.pick(&[b'"', b'\n', b'\r', b',', 0xff, 0xef, 0]);
        bytes.insert(at, b);
    }
    bytes
}

/// One CSV case: the reader against the reference, at a random block size and thread
/// count. `Err` describes a disagreement.
pub fn csv_case(data: &[u8], block: usize, threads: usize) -> Result<(), String> {
    let want = reference_text(data, b',');
    let got = run_bytes(
        data,
        ReadOptions {
            delimiter: Some(b','),
            ..opts(Format::Csv, block, threads)
        },
        &Program::default(),
        &schema(vec![]),
        &Show,
    );
    let got = got.map(|g| {
        g.lines()
            .filter(|l| !l.starts_with("warning: "))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    });
    match (want, got) {
        (None, Err(DataError::Empty)) => Ok(()),
        (Some(w), Ok(g)) if w == g => Ok(()),
        (w, g) => Err(format!(
            "block {block}, threads {threads}\nwant: {w:?}\ngot:  {g:?}"
        )),
    }
}

/// Generated JSON: `n` objects (a key the schema reads sometimes absent, `null`, an array,
/// a nested object, repeated), as an array (maybe two arrays one after the other) or as
/// lines; with the number of records.
pub fn random_json(rng: &mut Rng) -> (Vec<u8>, Format, u64) {
    let n = rng.below(15) as u64;
    let values = [
        "1",
        "\"1,200\"",
        "null",
        "[1,2]",
        "{\"x\":1}",
        "\"\\u0000\"",
        "\"\u{feff}7\"",
        "2.5",
        "\"a\"",
        "[\"HubSpot\",\"Salesforce\"]",
        "true",
    ];
    let mut objects = Vec::new();
    for i in 0..n {
        let mut o = format!("{{\"id\": \"r{i}\"");
        for key in ["Employees", "tech", "public"] {
            if rng.below(4) > 0 {
                write!(o, ", \"{key}\": {}", rng.pick(&values)).unwrap();
            }
        }
        if rng.below(10) == 0 {
            o.push_str(", \"Employees\": 3");
        }
        o.push('}');
        objects.push(o);
    }
    match rng.below(3) {
        0 => {
            let s: String = objects.iter().map(|o| format!("{o}\n\n")).collect();
            (s.into_bytes(), Format::JsonLines, n)
        }
        1 if n > 1 => {
            let cut = 1 + rng.below(objects.len() - 1);
            let s = format!(
                "[{}]\n [\n{}]",
                objects[..cut].join(",\n"),
                objects[cut..].join(",")
            );
            (s.into_bytes(), Format::Json, n)
        }
        _ => {
            let s = format!("[ {} ]\n", objects.join(" ,\n"));
            (s.into_bytes(), Format::Json, n)
        }
    }
}

/// The schema of [`random_json`].
pub fn json_schema() -> Schema {
    schema(vec![
        field("id", "id", Ty::Text, false),
        field("employees", "Employees", Ty::Int, true),
        field("tech", "tech", Ty::Set(Box::new(Ty::Text)), true),
        field("public", "public", Ty::Bool, true),
    ])
}

/// One JSON case: exactly one row per object, numbered in order, whatever the block size;
/// random byte mutations on top must neither panic nor lose the numbering.
pub fn json_case(rng: &mut Rng) -> Result<(), String> {
    let (data, format, n) = random_json(rng);
    let sch = json_schema();
    let program = Program::default();
    let block = 1 + rng.below(64);
    let threads = 1 + rng.below(3);
    let got = run_bytes(&data, opts(format, block, threads), &program, &sch, &Values)
        .map_err(|e| format!("{e}: {:?}", String::from_utf8_lossy(&data)))?;
    let rows = got.lines().filter(|l| !l.starts_with("warning:")).count() as u64;
    if rows != n {
        return Err(format!(
            "{n} objects, {rows} rows:\n{}\n{got}",
            String::from_utf8_lossy(&data)
        ));
    }
    let whole = run_bytes(&data, opts(format, 1 << 20, 1), &program, &sch, &Values)
        .map_err(|e| e.to_string())?;
    // Which keys the first objects lack depends on how many objects the first block holds.
    let rows_only = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.contains("is in none of the first objects"))
            .map(str::to_string)
            .collect()
    };
    if rows_only(&whole) != rows_only(&got) {
        return Err(format!(
            "block size changes the rows:\n{}\n{whole}\n{got}",
            String::from_utf8_lossy(&data)
        ));
    }
    // Mutated: no panic, rows numbered 1, 2, ... in order.
    let mut bytes = data;
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        let b = *rng.pick(&[b'"', b'\n', b'[', b']', b'{', b'}', b',', b'\\', 0xff, b' ']);
        bytes.insert(at, b);
    }
    if let Ok(out) = run_bytes(
        &bytes,
        opts(format, block, threads),
        &program,
        &sch,
        &Values,
    ) {
        for (i, l) in out
            .lines()
            .filter(|l| !l.starts_with("warning:"))
            .enumerate()
        {
            if !l.starts_with(&format!("{}@", i + 1)) {
                return Err(format!("row {} misnumbered: {l}\n{out}", i + 1));
            }
        }
    }
    Ok(())
}

/// The program and schema of the value fuzzer: one column per kind of reader.
pub fn values_schema() -> (Program, Schema) {
    let variant = |name: &str, s: &[&str]| VariantDef {
        name: name.into(),
        strings: s.iter().map(|x| (*x).to_string()).collect(),
        loc: Loc::default(),
    };
    let program = Program {
        enums: vec![EnumTy {
            variants: vec![
                variant("seed", &["Seed", "pre-seed"]),
                variant("series_a", &["Series A"]),
                variant("later", &[]),
                variant("other", &[]),
            ],
            catch_all: None,
            ordered: false,
        }],
        ..Program::default()
    };
    let sch = schema(vec![
        field("money", "money", Ty::Money, true),
        field("percent", "percent", Ty::Percent, true),
        field("date", "date", Ty::Date, true),
        field("stage", "stage", Ty::Enum(EnumId(0)), true),
        field("tech", "tech", Ty::Set(Box::new(Ty::Text)), true),
        field("n", "n", Ty::Int, true),
        field("x", "x", Ty::Number, true),
        field("ok", "ok", Ty::Bool, true),
        field("days", "days", Ty::Duration, true),
    ]);
    (program, sch)
}

const CELL_SEEDS: &[&str] = &[
    "$1.2M",
    "36.9 M",
    "850000",
    "1,200",
    "-$5k",
    "$-5k",
    "33.3%",
    "33.3",
    "0.5",
    "2027-01-31",
    "2027-01-31T10:00:00Z",
    "01/31/2027",
    "2027-02-30",
    "Seed",
    "series a",
    "LATER",
    "pre-seed",
    "HubSpot;Salesforce",
    "[\"HubSpot\",\"Salesforce\"]",
    "[1,2]",
    "[]",
    "a|b,c",
    "NA",
    "N/A",
    "-",
    "null",
    "",
    "1e3",
    "1e400",
    "12w",
    "90d",
    "90",
    "yes",
    "no",
    "TRUE",
    "0",
    "1",
    "\u{a0}7\u{a0}",
    "7 bn",
    "3 thousand",
    "\u{feff}1",
    "1\u{0}",
    "٣",
    "１２",
    "99999999999999999999",
    "0.1e-5",
    ".5",
    "5.",
    "+5",
    "--5",
    "$ 5",
    "5 %",
    "%",
    "$",
];

/// A mutated cell: a seed with characters inserted, deleted or repeated.
pub fn random_cell(rng: &mut Rng) -> String {
    let mut chars: Vec<char> = rng.pick(CELL_SEEDS).chars().collect();
    let extra = [
        '0', '9', '.', ',', '-', '+', '$', '%', 'e', 'E', 'k', 'M', 'B', 'd', 'w', ' ', '\u{a0}',
        '[', ']', '"', ';', '|', 'T', ':', '/', '\u{feff}', '\u{1f}', 'é', '\u{0}',
    ];
    for _ in 0..rng.below(4) {
        match rng.below(3) {
            0 => {
                let at = rng.below(chars.len() + 1);
                chars.insert(at, *rng.pick(&extra));
            }
            1 if !chars.is_empty() => {
                let at = rng.below(chars.len());
                chars.remove(at);
            }
            _ => {
                let at = rng.below(chars.len() + 1);
                let other: Vec<char> = rng.pick(CELL_SEEDS).chars().collect();
                chars.splice(at..at, other);
            }
        }
    }
    chars.into_iter().filter(|c| *c != '\0').collect()
}

/// One value case: `rows` rows of mutated cells, written as CSV (quoted) and as JSON Lines
/// (strings); both readers must give the same values or the same errors, one row each.
pub fn values_case(rng: &mut Rng, program: &Program, sch: &Schema) -> Result<(), String> {
    let rows = 1 + rng.below(8);
    let names: Vec<&str> = sch.fields.iter().map(|f| f.column.as_str()).collect();
    let mut csv = names.join(",");
    csv.push('\n');
    let mut jsonl = String::new();
    for _ in 0..rows {
        let cells: Vec<String> = names.iter().map(|_| random_cell(rng)).collect();
        let quoted: Vec<String> = cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        csv.push_str(&quoted.join(","));
        csv.push('\n');
        let members: Vec<String> = names
            .iter()
            .zip(&cells)
            .map(|(n, c)| format!("{}: {}", serde_json::json!(n), serde_json::json!(c)))
            .collect();
        jsonl.push_str(&format!("{{{}}}\n", members.join(", ")));
    }
    let block = 1 + rng.below(200);
    let a = run_bytes(
        csv.as_bytes(),
        opts(Format::Csv, block, 2),
        program,
        sch,
        &Values,
    )
    .map_err(|e| format!("csv: {e}"))?;
    let b = run_bytes(
        jsonl.as_bytes(),
        opts(Format::JsonLines, block, 2),
        program,
        sch,
        &Values,
    )
    .map_err(|e| format!("jsonl: {e}"))?;
    // Lines differ (the CSV header is line 1): compare what follows `@line`.
    let strip = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| match l.split_once(": ") {
                Some((_, rest)) => rest.replace(" (line 2)", "").to_string(),
                None => l.to_string(),
            })
            .map(|l| {
                // Row error prefixes carry the line: `row 1 (line 2)` vs `(line 1)`.
                let mut l = l;
                for n in 1..=rows + 2 {
                    l = l.replace(&format!(" (line {n})"), "");
                }
                l
            })
            .collect()
    };
    if a.lines().count() != rows || strip(&a) != strip(&b) {
        return Err(format!("csv:\n{csv}\n{a}\njsonl:\n{jsonl}\n{b}"));
    }
    Ok(())
}

/// What a fuzzing run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Cases of each fuzzer: values, CSV, JSON.
    pub cases: [u64; 3],
    /// Failures (panics and oracle disagreements), each with its input.
    pub failures: Vec<String>,
}

/// Runs the three fuzzers in turn from `seed`, until `budget` has passed or `max_cases`
/// cases have run (whichever first), stopping at 20 failures.
pub fn fuzz(seed: u64, budget: Duration, max_cases: u64) -> Report {
    let start = Instant::now();
    let mut rng = Rng(seed.max(1));
    let mut report = Report::default();
    let (program, sch) = values_schema();
    let mut case = 0u64;
    while case < max_cases && start.elapsed() < budget && report.failures.len() < 20 {
        let which = (case % 3) as usize;
        case += 1;
        let state = rng.0;
        let result = catch_unwind(AssertUnwindSafe(|| match which {
            0 => values_case(&mut rng, &program, &sch),
            1 => {
                let data = random_csv(&mut rng);
                let block = 1 + rng.below(48);
                let threads = 1 + rng.below(3);
                csv_case(&data, block, threads)
                    .map_err(|e| format!("{e}\ninput: {:?}", String::from_utf8_lossy(&data)))
            }
            _ => json_case(&mut rng),
        }));
        report.cases[which] += 1;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => report
                .failures
                .push(format!("fuzzer {which}, rng state {state}: {e}")),
            Err(_) => report
                .failures
                .push(format!("fuzzer {which}, rng state {state}: panicked")),
        }
    }
    report
}
