//! Reading whole inputs: CSV edge cases, JSON, JSON Lines, gzip, the Inc. 5000 file, and
//! property tests that every row comes out once, in order, whatever the block size.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::format_collect,
    reason = "tests read fixtures, and fail loudly"
)]

use std::fmt::Write as _;
use std::io::Write as _;

use icp_data::{DataError, Format, ReadOptions, Row, RowSink, Source};
use icp_model::{EnumId, EnumTy, Field, Loc, Program, Schema, Ty, VariantDef};
use proptest::prelude::*;

use crate::fuzz_data;

/// Writes one line per row: number, line, then the error or the decoded values.
struct Dump;

impl RowSink for Dump {
    type Local = ();
    type Stats = u64;
    fn local(&self) {}
    fn row(&self, (): &mut (), stats: &mut u64, row: &Row<'_>, out: &mut Vec<u8>) {
        *stats += 1;
        let mut s = format!("{}@{}: ", row.number, row.line);
        match row.error {
            Some(e) => write!(s, "ERROR {e}").unwrap(),
            None => write!(s, "{:?}", row.values).unwrap(),
        }
        s.push('\n');
        out.extend_from_slice(s.as_bytes());
    }
}

/// Writes the raw columns of each row, `|`-joined.
struct Raw;

impl RowSink for Raw {
    type Local = ();
    type Stats = ();
    fn local(&self) {}
    fn row(&self, (): &mut (), (): &mut (), row: &Row<'_>, out: &mut Vec<u8>) {
        let cols: Vec<String> = (0..row.column_count())
            .map(|i| String::from_utf8_lossy(row.column(i).unwrap_or_default()).into_owned())
            .collect();
        out.extend_from_slice(format!("{}@{}={:?}\n", row.number, row.line, cols).as_bytes());
    }
}

fn field(name: &str, column: &str, ty: Ty, optional: bool) -> Field {
    Field {
        name: name.into(),
        column: column.into(),
        ty,
        optional,
        fraction: false,
        loc: Loc::default(),
    }
}

fn schema(fields: Vec<Field>) -> Schema {
    Schema {
        name: "Account".into(),
        loc: Loc::default(),
        fields,
        key: None,
    }
}

fn opts(format: Format, block_size: usize, threads: usize) -> ReadOptions {
    ReadOptions {
        format,
        block_size,
        threads,
        ..ReadOptions::default()
    }
}

fn run_with<S: RowSink>(
    data: &[u8],
    options: ReadOptions,
    program: &Program,
    schema: &Schema,
    sink: &S,
) -> Result<String, DataError> {
    let source = Source::open(Box::new(std::io::Cursor::new(data.to_vec())), options)?;
    let (binding, warnings) = source
        .bind(program, schema)
        .map_err(|e| DataError::Read(std::io::Error::other(e.to_string())))?;
    let mut out = String::new();
    for w in warnings {
        writeln!(out, "warning: {w}").unwrap();
    }
    let mut bytes = Vec::new();
    source.run(&binding, sink, |chunk| {
        bytes.extend_from_slice(chunk.bytes);
        Ok(())
    })?;
    out.push_str(&String::from_utf8(bytes).unwrap());
    Ok(out)
}

fn dump(data: &str, fields: Vec<Field>) -> String {
    let sch = schema(fields);
    let program = Program::default();
    let one = run_with(
        data.as_bytes(),
        opts(Format::Csv, 1 << 20, 1),
        &program,
        &sch,
        &Dump,
    )
    .unwrap_or_else(|e| format!("FATAL {e}"));
    // The same with tiny blocks and several threads.
    let many = run_with(
        data.as_bytes(),
        opts(Format::Csv, 3, 3),
        &program,
        &sch,
        &Dump,
    )
    .unwrap_or_else(|e| format!("FATAL {e}"));
    assert_eq!(one, many, "block size changes the result");
    one
}

fn text(name: &str) -> Field {
    field(name, name, Ty::Text, false)
}

#[test]
fn csv_edge_cases() {
    let two = || vec![text("a"), field("n", "N", Ty::Int, true)];
    let cases: &[(&str, &str)] = &[
        ("bom", "\u{feff}a,N\nx,1\n"),
        ("crlf", "a,N\r\nx,1\r\ny,2\r\n"),
        ("quoted newline", "a,N\n\"multi\nline\",1\nnext,2\n"),
        ("escaped quotes", "a,N\n\"say \"\"hi\"\"\",3\n"),
        ("semicolon sniffed", "a;N\nx;1\ny;\"1,200\"\n"),
        ("tab sniffed", "a\tN\nx\t1\n"),
        ("no final newline", "a,N\nx,1"),
        ("blank lines skipped", "a,N\n\nx,1\n\n\ny,2\n"),
        ("ragged rows", "a,N\nx,1,extra\ny\nz,3\n"),
        ("unterminated quote", "a,N\nx,1\n\"y,2\nz,3\n"),
        ("stray quote mid-field", "a,N\n5\" screen,1\nz,3\n"),
        ("header case and spaces", " A ,\u{a0}n\nx,4\n"),
        ("bad values", "a,N\nx,$0\ny,2.5\nz,abc\nw,NA\n"),
        ("missing required", "a,N\n,1\nNA,2\n"),
        ("empty", ""),
        ("header only", "a,N\n"),
    ];
    let mut snap = String::new();
    for (name, data) in cases {
        writeln!(snap, "--- {name}: {data:?}").unwrap();
        snap.push_str(&dump(data, two()));
    }
    insta::assert_snapshot!(snap);
}

#[test]
fn missing_columns_are_one_error() {
    let sch = schema(vec![
        field("employees", "Employees", Ty::Int, false),
        field("revenue", "Annual Revenue", Ty::Money, false),
        field("intent", "Intent", Ty::Percent, true),
        text("name"),
    ]);
    let src = Source::open(
        Box::new(&b"Name,Employes,Revenue\nAcme,3,$1M\n"[..]),
        ReadOptions::default(),
    )
    .unwrap();
    let err = src.bind(&Program::default(), &sch).unwrap_err();
    assert_eq!(err.missing.len(), 2);
    insta::assert_snapshot!(err.to_string(), @r"
    the file lacks 2 columns the schema needs:
      - `Employees` (field `employees`): did you mean `Employes`?
      - `Annual Revenue` (field `revenue`)
      the file has: `Name`, `Employes`, `Revenue`
    ");
    let sch = schema(vec![
        field("intent", "Intent", Ty::Percent, true),
        text("name"),
    ]);
    let (_, warnings) = src.bind(&Program::default(), &sch).unwrap();
    assert_eq!(
        warnings,
        ["column `Intent` (optional field `intent`) is not in the file: its values are missing"]
    );
}

#[test]
fn an_unterminated_quote_never_holds_the_whole_file() {
    let sch = schema(vec![text("a")]);
    let mut data = b"a\nfine\n\"never closed\n".to_vec();
    data.extend(std::iter::repeat_n(b'x', 10_000));
    let small = ReadOptions {
        max_record: 4096,
        ..opts(Format::Csv, 512, 2)
    };
    // Over the limit: an invalid row, and reading resumes at the next line (itself too
    // long here: another one).
    let out = run_with(&data, small, &Program::default(), &sch, &Dump).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(
        lines[1],
        "2@3: ERROR row 2 (line 3): the record is longer than 4096 bytes, the longest read (is a \
         quote never closed?): it is skipped and reading resumes on line 4"
    );
    assert!(
        lines[2].starts_with("3@4: ERROR row 3 (line 4): the record is longer"),
        "{out}"
    );
    // Under the limit, the row is reported invalid and nothing is lost silently.
    let out = run_with(
        &data,
        opts(Format::Csv, 512, 2),
        &Program::default(),
        &sch,
        &Dump,
    )
    .unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[1],
        "2@3: ERROR row 2 (line 3): unterminated quote: the quoted field opened on line 3 runs to the end of the file"
    );
}

fn json_fields() -> Vec<Field> {
    vec![
        text("id"),
        field("employees", "Employees", Ty::Int, true),
        field("tech", "tech", Ty::Set(Box::new(Ty::Text)), true),
        field("public", "public", Ty::Bool, true),
    ]
}

#[test]
fn json_and_json_lines() {
    let sch = schema(json_fields());
    let program = Program::default();
    let array = r#"[
  {"id": "a1", "employees": 120, "tech": ["HubSpot", "Salesforce"], "public": true},
  {"id": "a2", "employees": "1,200", "tech": "Marketo", "public": null},
  {"id": "a3", "employees": 2.5},
  {"id": "a4", "employees": {"n": 3}},
  [1, 2],
  {"id": "a6", "tech": [], "extra": {"nested": true}}
]
"#;
    let lines =
        "{\"id\": \"a1\", \"Employees\": 120}\n\n{\"id\": \"a2\"}\nnot json\n{\"employees\": 5}";
    let mut snap = String::new();
    for (name, data, format) in [
        ("array", array, Format::Json),
        ("lines", lines, Format::JsonLines),
        ("lines named .json", lines, Format::Json),
        ("empty array", "[]", Format::Json),
        ("empty", "", Format::Json),
    ] {
        writeln!(snap, "--- {name}").unwrap();
        let one = run_with(
            data.as_bytes(),
            opts(format, 1 << 20, 1),
            &program,
            &sch,
            &Dump,
        )
        .unwrap_or_else(|e| format!("FATAL {e}\n"));
        let many = run_with(data.as_bytes(), opts(format, 2, 3), &program, &sch, &Dump)
            .unwrap_or_else(|e| format!("FATAL {e}\n"));
        assert_eq!(one, many, "{name}");
        snap.push_str(&one);
    }
    insta::assert_snapshot!(snap);
    let err = run_with(b"42", opts(Format::Json, 64, 1), &program, &sch, &Dump).unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected a JSON array of objects or JSON Lines, found `42`"
    );
}

#[test]
fn gzip_is_recognised() {
    let data = "id,Employees\na1,5\na2,NA\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data.as_bytes()).unwrap();
    let mut bytes = gz.finish().unwrap();
    // Multi-member gzip (as `cat a.gz b.gz`) reads on.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"a3,7\n").unwrap();
    bytes.extend(gz.finish().unwrap());
    let sch = schema(vec![
        text("id"),
        field("employees", "Employees", Ty::Int, true),
    ]);
    let out = run_with(
        &bytes,
        opts(Format::Csv, 4, 2),
        &Program::default(),
        &sch,
        &Dump,
    )
    .unwrap();
    assert_eq!(
        out,
        "1@2: [Text(\"a1\"), Num(5)]\n2@3: [Text(\"a2\"), Missing]\n3@4: [Text(\"a3\"), Num(7)]\n"
    );
    assert_eq!(
        Format::from_path("x/accounts.CSV.gz"),
        Some((Format::Csv, None))
    );
    assert_eq!(Format::from_path("a.tsv"), Some((Format::Csv, Some(b'\t'))));
    assert_eq!(
        Format::from_path("a.ndjson.gz"),
        Some((Format::JsonLines, None))
    );
    assert_eq!(Format::from_path("a.json"), Some((Format::Json, None)));
    assert_eq!(Format::from_path("a.xlsx"), None);
    assert_eq!(Format::from_name("jsonl"), Some((Format::JsonLines, None)));
}

fn inc5000() -> (Program, Schema) {
    let variant = |name: &str, s: &str| VariantDef {
        name: name.into(),
        strings: vec![s.into()],
        loc: Loc::default(),
    };
    let program = Program {
        enums: vec![EnumTy {
            variants: vec![
                variant("secure", "Secure"),
                variant("not_secure", "Not Secure"),
            ],
            catch_all: None,
            ordered: false,
        }],
        ..Program::default()
    };
    let sch = schema(vec![
        text("id"),
        field("revenue_m", "revenue_millions", Ty::Number, false),
        field("industry", "industry", Ty::Text, false),
        field("founded", "year_founded", Ty::Int, false),
        field("employees", "employees", Ty::Int, true),
        field("revenue", "Revenue", Ty::Money, false),
        field("growth", "3 Years Growth", Ty::Percent, false),
        field("traffic", "Traffic Overview", Ty::Int, true),
        field("search", "% Search Traffic", Ty::Percent, true),
        field("secure", "Is Homepage Secure?", Ty::Enum(EnumId(0)), true),
    ]);
    (program, sch)
}

#[test]
fn inc5000_every_row_out_invalid_ones_explained() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/inc5000/companies.csv"
    );
    let data = std::fs::read(path).unwrap();
    let (program, sch) = inc5000();
    let out = run_with(&data, opts(Format::Csv, 1 << 14, 2), &program, &sch, &Dump).unwrap();
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 5015);
    for (i, r) in rows.iter().enumerate() {
        assert!(r.starts_with(&format!("{}@{}: ", i + 1, i + 2)), "{r}");
    }
    let errors: Vec<&str> = rows
        .iter()
        .copied()
        .filter(|r| r.contains("ERROR"))
        .collect();
    insta::assert_snapshot!(errors.join("\n"));
    let first = rows.first().unwrap();
    assert_eq!(
        *first,
        "1@2: [Text(\"1\"), Num(36.9), Text(\"Advertising & Marketing\"), Num(2015), Num(40), \
         Num(36900000), Num(366.80), Missing, Num(0.3330), Enum(0)]"
    );
}

/// Records as the `csv` crate reads the whole text at once: the reference.
fn reference(data: &[u8]) -> Vec<(u64, Vec<String>)> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut rec = csv::ByteRecord::new();
    let mut out = Vec::new();
    while r.read_byte_record(&mut rec).unwrap() {
        let pos = rec.position().unwrap();
        let blank = data[pos.byte() as usize..]
            .iter()
            .take_while(|&&c| c == b'\n' || c == b'\r')
            .filter(|&&c| c == b'\n')
            .count() as u64;
        let line = pos.line() + blank;
        let cols = rec
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        out.push((line, cols));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Every record once, in order, whatever the block size: as the reference reads them
    /// (the `csv` crate's rules plus the quote rule, `tests/fuzz_data`).
    #[test]
    fn every_row_once_in_order(
        text in proptest::string::string_regex("[ab,\"\n\r ]{0,80}").unwrap(),
        block in 1usize..40,
        threads in 1usize..4,
    ) {
        let case = fuzz_data::csv_case(text.as_bytes(), block, threads);
        prop_assert!(case.is_ok(), "{:?}", case);
    }

    /// The reference of `tests/fuzz_data` reads as the `csv` crate does wherever the quote
    /// rule cuts nothing.
    #[test]
    fn the_reference_reads_as_the_csv_crate(
        text in proptest::string::string_regex("[ab,\"\n\r \u{feff}]{0,80}").unwrap(),
    ) {
        // A header first: the csv crate drops a BOM at the start, and its positions then
        // count the BOM's bytes, which this test's reading of them does not.
        let text = format!("h\n{text}");
        let data = text.as_bytes();
        let recs = fuzz_data::reference(data, b',');
        if recs.iter().all(|r| matches!(r, fuzz_data::Rec::Fields(..))) {
            let want: Vec<(u64, Vec<String>)> = recs
                .into_iter()
                .filter_map(|r| match r {
                    fuzz_data::Rec::Fields(line, f) => Some((
                        line,
                        f.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect(),
                    )),
                    fuzz_data::Rec::Runaway(_) => None,
                })
                .collect();
            prop_assert_eq!(reference(data), want);
        }
    }

    #[test]
    fn json_lines_every_row_once(
        rows in proptest::collection::vec("[a-z ]{0,6}", 0..30),
        block in 1usize..40,
        threads in 1usize..4,
    ) {
        let data: String = rows.iter().map(|r| format!("{{\"id\": \"{r}\"}}\n")).collect();
        let sch = schema(vec![field("id", "id", Ty::Text, true)]);
        let out = run_with(data.as_bytes(), opts(Format::JsonLines, block, threads), &Program::default(), &sch, &Raw).unwrap();
        let out: String = out.lines().filter(|l| !l.starts_with("warning:")).map(|l| format!("{l}\n")).collect();
        let expected: String = rows
            .iter()
            .enumerate()
            .map(|(i, r)| format!("{}@{}={:?}\n", i + 1, i + 1, [r]))
            .collect();
        prop_assert_eq!(out, expected);
    }
}

/// The blank lines of a CSV file (after `run`), for every block size.
fn blank_lines(data: &str) -> u64 {
    let sch = schema(vec![text("a"), field("n", "N", Ty::Int, true)]);
    let program = Program::default();
    let mut counts = Vec::new();
    for (block, threads) in [(1 << 20, 1), (1, 1), (2, 2), (3, 3), (7, 2)] {
        let source = Source::open(
            Box::new(std::io::Cursor::new(data.as_bytes().to_vec())),
            opts(Format::Csv, block, threads),
        )
        .unwrap();
        let (binding, _) = source.bind(&program, &sch).unwrap();
        let summary = source.run(&binding, &Dump, |_| Ok(())).unwrap();
        counts.push(summary.blank_lines);
    }
    assert!(
        counts.windows(2).all(|w| w[0] == w[1]),
        "{data:?}: {counts:?}"
    );
    counts[0]
}

/// Revision 2, "Columns": a blank line is skipped and counted (CRLF, a lone CR, before the
/// header, at the end, not inside a quoted field).
#[test]
fn blank_lines_are_counted() {
    for (data, want) in [
        ("a,N\nx,1\ny,2\n", 0),
        ("a,N\nx,1\n\ny,2\n", 1),
        ("a,N\r\nx,1\r\n\r\ny,2\r\n", 1),
        ("a,N\r\nx,1\r\ny,2\r\n", 0),
        ("a,N\nx,1\n\n\n\ny,2", 3),
        ("\n\na,N\nx,1\n", 2),
        ("a,N\nx,1\n\n", 1),
        ("a,N\nx,\"1\n\n2\"\n", 0),
        ("a,N\r\n\r\nx,1\r\n", 1),
        ("a,N\r\rx,1\r", 1),
    ] {
        assert_eq!(blank_lines(data), want, "{data:?}");
    }
}

/// Revision 2, "Columns": an invalid row's error names every unreadable cell.
#[test]
fn every_unreadable_cell_is_named() {
    let fields = || {
        vec![
            text("a"),
            field("n", "N", Ty::Int, true),
            field("r", "Revenue", Ty::Money, true),
            field("ok", "OK", Ty::Bool, false),
        ]
    };
    let out = dump(
        "a,N,Revenue,OK\nx,12,5,$1,20,y\nx,\"12,5\",\"$1,20\",\nz,3,$5,no\n",
        fields(),
    );
    assert_eq!(
        out,
        "1@2: ERROR row 1 (line 2): expected 4 fields, found 6 (a shifted row: check its quoting and delimiters)\n\
         2@3: ERROR row 2 (line 3), column `N`: expected a whole number like `1,200`, found `12,5`; \
         column `Revenue`: expected money like `$1.2M`, `36.9 M` or `850000`, found `$1,20`; \
         column `OK`: a value is required (field `ok` is not optional), found an empty cell\n\
         3@4: [Text(\"z\"), Num(3), Num(5), Bool(false)]\n"
    );
    // JSON Lines: the same, and a `null` in a required field says so.
    let sch = schema(fields());
    let json = "{\"a\":\"x\",\"N\":\"1,20\",\"Revenue\":\"lots\",\"OK\":null}\n";
    let out = run_with(
        json.as_bytes(),
        opts(Format::JsonLines, 1 << 20, 1),
        &Program::default(),
        &sch,
        &Dump,
    )
    .unwrap();
    assert_eq!(
        out,
        "1@1: ERROR row 1 (line 1), column `N`: expected a whole number like `1,200`, found `1,20`; \
         column `Revenue`: expected money like `$1.2M`, `36.9 M` or `850000`, found `lots`; \
         column `OK`: a value is required (field `ok` is not optional), and the value is `null`\n"
    );
}

/// Revision 2, "Reading numbers": a decimal-comma file; JSON numbers keep their point.
#[test]
fn decimal_comma_files() {
    let sch = schema(vec![
        text("a"),
        field("n", "N", Ty::Number, true),
        field("r", "Revenue", Ty::Money, true),
        field("p", "P", Ty::Percent, true),
    ]);
    let comma = |format| ReadOptions {
        decimal: icp_data::DecimalMark::Comma,
        ..opts(format, 1 << 20, 1)
    };
    let csv = "a;N;Revenue;P\nx;1.200,5;$1.200,50 M;33,3%\ny;1,200.5;1.20;12\n";
    let out = run_with(
        csv.as_bytes(),
        comma(Format::Csv),
        &Program::default(),
        &sch,
        &Dump,
    )
    .unwrap();
    assert_eq!(
        out,
        "1@2: [Text(\"x\"), Num(1200.5), Num(1200500000), Num(0.333)]\n\
         2@3: ERROR row 2 (line 3), column `N`: expected a number like `3,5`, found `1,200.5`; \
         column `Revenue`: expected money like `$1,2M`, `36,9 M` or `850000`, found `1.20`\n"
    );
    let json = "[{\"a\":\"x\",\"N\":1200.5,\"Revenue\":\"1.200,5\",\"P\":12.5}]";
    let out = run_with(
        json.as_bytes(),
        comma(Format::Json),
        &Program::default(),
        &sch,
        &Dump,
    )
    .unwrap();
    assert_eq!(
        out,
        "1@1: [Text(\"x\"), Num(1200.5), Num(1200.5), Num(0.125)]\n"
    );
}

/// Revision 2, "Columns": `from "Name"` reads `Name` only, never the field's own name.
#[test]
fn from_never_falls_back_to_the_field_name() {
    let sch = schema(vec![
        text("a"),
        field("revenue", "Annual Revenue", Ty::Money, true),
        field("employees", "Employee Count", Ty::Int, false),
        field("stage", "Stagee", Ty::Text, false),
    ]);
    let csv = "a,revenue,employees,Stage\nx,5,10,seed\n";
    let err = run_with(
        csv.as_bytes(),
        opts(Format::Csv, 1 << 20, 1),
        &Program::default(),
        &sch,
        &Dump,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot read the input: the file lacks 2 columns the schema needs:\n  \
         - `Employee Count` (field `employees`)\n  \
         - `Stagee` (field `stage`): did you mean `Stage`?\n  \
         the file has: `a`, `revenue`, `employees`, `Stage`"
    );
    let sch = schema(vec![
        text("a"),
        field("revenue", " annual REVENUE ", Ty::Money, true),
    ]);
    let csv = "a,revenue\nx,5\n";
    assert_eq!(
        run_with(
            csv.as_bytes(),
            opts(Format::Csv, 1 << 20, 1),
            &Program::default(),
            &sch,
            &Dump
        )
        .unwrap(),
        "warning: column ` annual REVENUE ` (optional field `revenue`) is not in the file: its values are missing\n\
         1@2: [Text(\"x\"), Missing]\n"
    );
}

/// A file of `rows` rows of one column, for the pipeline's stopping tests.
fn numbered(rows: usize) -> Vec<u8> {
    let mut data = b"a\n".to_vec();
    for i in 0..rows {
        writeln!(data, "row{i}").unwrap();
    }
    data
}

/// When the caller's writing fails, the run stops with that error: the workers waiting for
/// an output buffer or holding a finished block let go (no hang), whatever the threads.
#[test]
fn a_failed_write_stops_the_run() {
    let sch = schema(vec![text("a")]);
    let program = Program::default();
    for threads in [1, 2, 4] {
        let source = Source::open(
            Box::new(std::io::Cursor::new(numbered(5_000))),
            opts(Format::Csv, 64, threads),
        )
        .unwrap();
        let (binding, _) = source.bind(&program, &sch).unwrap();
        let mut chunks = 0;
        let result = source.run(&binding, &Raw, |_| {
            chunks += 1;
            if chunks == 3 {
                return Err(std::io::Error::other("disk full"));
            }
            Ok(())
        });
        assert!(
            matches!(&result, Err(DataError::Write(e)) if e.to_string() == "disk full"),
            "{threads} threads: {result:?}"
        );
        assert_eq!(
            chunks, 3,
            "{threads} threads: no chunk after the failed one"
        );
    }
}

/// A reader that fails after `ok` bytes.
struct FailAfter {
    data: std::io::Cursor<Vec<u8>>,
    ok: u64,
}

impl std::io::Read for FailAfter {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.ok.saturating_sub(self.data.position());
        if left == 0 {
            return Err(std::io::Error::other("the disk went away"));
        }
        let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        self.data.read(&mut buf[..n])
    }
}

/// A read error in the middle of the input ends the run with that error, after every block
/// read before it was handed over in order, whatever the threads.
#[test]
fn a_read_error_mid_file_ends_the_run_with_it() {
    let sch = schema(vec![text("a")]);
    let program = Program::default();
    let data = numbered(5_000);
    for threads in [1, 2, 4] {
        let reader = FailAfter {
            data: std::io::Cursor::new(data.clone()),
            ok: 20_000,
        };
        let source = Source::open(Box::new(reader), opts(Format::Csv, 256, threads)).unwrap();
        let (binding, _) = source.bind(&program, &sch).unwrap();
        let mut out = Vec::new();
        let result = source.run(&binding, &Raw, |chunk| {
            out.extend_from_slice(chunk.bytes);
            Ok(())
        });
        assert!(
            matches!(&result, Err(DataError::Read(e)) if e.to_string() == "the disk went away"),
            "{threads} threads: {result:?}"
        );
        // The rows handed over are the file's first rows, in order, none twice.
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = text.lines().collect();
        assert!(rows.len() > 1_000, "{threads} threads: {} rows", rows.len());
        for (i, line) in rows.iter().enumerate() {
            assert_eq!(
                *line,
                format!("{}@{}={:?}", i + 1, i + 2, [format!("row{i}")])
            );
        }
    }
}
