//! Hostile input: each test states one promise of "Reading data" (docs/cli.md) and checks it
//! exactly: every input row yields one output row or a reported error, never a silent loss
//! or merge, no panic, bounded memory. Corpus files are small (`tests/corpus/`); big inputs
//! are generated in memory or streamed.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests read fixtures, and fail loudly"
)]

use crate::fuzz_data;

use std::fmt::Write as _;
use std::io::{Read, Write as _};

use fuzz_data::{
    Show, Values, csv_case, field, json_schema, opts, reference_text, run_bytes, run_with, schema,
};
use icp_data::{DataError, Format, ReadOptions};
use icp_model::{Program, Ty};
use proptest::prelude::*;

fn text(name: &str) -> icp_model::Field {
    field(name, name, Ty::Text, false)
}

fn three() -> icp_model::Schema {
    schema(vec![
        text("id"),
        text("name"),
        field("n", "n", Ty::Int, true),
    ])
}

/// Runs `data` at several block sizes and thread counts; all must agree; returns the rows.
fn rows(data: &[u8], format: Format, sch: &icp_model::Schema) -> String {
    let program = Program::default();
    let one = run_bytes(data, opts(format, 1 << 20, 1), &program, sch, &Values).unwrap();
    for (block, threads) in [(1, 1), (3, 2), (7, 3), (64, 2), (1000, 2)] {
        let other = run_bytes(data, opts(format, block, threads), &program, sch, &Values).unwrap();
        assert_eq!(one, other, "block {block}, threads {threads}");
    }
    one
}

fn body_lines(out: &str) -> Vec<&str> {
    out.lines().filter(|l| !l.starts_with("warning:")).collect()
}

// --- Rows lost or merged -------------------------------------------------------------

#[test]
fn an_unclosed_quote_mid_file_is_one_invalid_row_and_reading_resumes() {
    for end in ["\n", "\r\n"] {
        let mut data = format!("id,name,n{end}");
        for i in 1..=1000 {
            if i == 10 {
                write!(data, "r10,\"Acme,10{end}").unwrap();
            } else {
                write!(data, "r{i},name {i},{i}{end}").unwrap();
            }
        }
        let out = rows(data.as_bytes(), Format::Csv, &three());
        let lines = body_lines(&out);
        assert_eq!(lines.len(), 1000, "{end:?}");
        assert_eq!(
            lines[9],
            "10@11: ERROR row 10 (line 11): unclosed quote: the quoted field opened on line 11 \
             runs into line 12, which reads as a record of its own; this row is skipped and \
             reading resumes there (close the quote, or double a quote inside a field: `\"\"`)"
        );
        assert_eq!(
            lines[10],
            "11@12: [Text(\"r11\"), Text(\"name 11\"), Num(11)]"
        );
        assert_eq!(lines.iter().filter(|l| l.contains("ERROR")).count(), 1);
    }
}

#[test]
fn an_unclosed_quote_on_the_slow_path_too() {
    // Invalid UTF-8 in the block sends it to the `csv` crate: the same rows.
    let data = b"id,name,n\nr1,\xff,1\nr2,\"Acme,2\nr3,c,3\nr4,d\r4\n";
    let out = rows(data, Format::Csv, &three());
    let lines = body_lines(&out);
    assert_eq!(lines.len(), 5, "{out}");
    assert!(
        lines[1].starts_with("2@3: ERROR row 2 (line 3): unclosed quote"),
        "{out}"
    );
    assert_eq!(lines[2], "3@4: [Text(\"r3\"), Text(\"c\"), Num(3)]");
}

#[test]
fn a_stray_quote_closed_by_a_later_quote_does_not_merge_rows_silently() {
    // A clean row between the stray quote and the one that closes it: cut there.
    let data = "id,name,n\na,\"b,1\nc,d,2\ne,f\",3\ng,h,4\n";
    let out = rows(data.as_bytes(), Format::Csv, &three());
    let lines = body_lines(&out);
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with("1@2: ERROR row 1 (line 2): unclosed quote: the quoted field opened on line 2 runs into line 3"), "{out}");
    assert_eq!(lines[1], "2@3: [Text(\"c\"), Text(\"d\"), Num(2)]");
    // The closing quote is an ordinary character of the next row.
    assert_eq!(lines[2], "3@4: [Text(\"e\"), Text(\"f\\\"\"), Num(3)]");
    assert_eq!(lines[3], "4@5: [Text(\"g\"), Text(\"h\"), Num(4)]");
    // Closed on the very next line, the two lines are one record, as a quoted field that
    // spans lines is: with too few fields, an invalid row that says so.
    let data = "id,name,n\na,\"b,1\nc,d,2\"\ne,f,3\n";
    let out = rows(data.as_bytes(), Format::Csv, &three());
    assert_eq!(
        body_lines(&out),
        [
            "1@2: ERROR row 1 (line 2): expected 3 fields, found 2 (a shifted row: check its quoting and delimiters)",
            "2@4: [Text(\"e\"), Text(\"f\"), Num(3)]",
        ]
    );
}

/// Prints each row's first column, and whether it is invalid.
struct FirstColumn;

impl icp_data::RowSink for FirstColumn {
    type Local = ();
    type Stats = ();
    fn local(&self) {}
    fn row(&self, (): &mut (), (): &mut (), row: &icp_data::Row<'_>, out: &mut Vec<u8>) {
        let first = String::from_utf8_lossy(row.column(0).unwrap_or_default()).into_owned();
        let s = format!("{} {first} {}\n", row.number, row.error.is_some());
        out.extend_from_slice(s.as_bytes());
    }
}

#[test]
fn a_runaway_row_keeps_its_key_for_the_output() {
    let data = "id,name,n\nr1,a,1\nr2,\"Acme,2\nr3,c,3\n";
    for block in [1, 5, 1 << 20] {
        let out = run_bytes(
            data.as_bytes(),
            opts(Format::Csv, block, 2),
            &Program::default(),
            &three(),
            &FirstColumn,
        )
        .unwrap();
        assert_eq!(out, "1 r1 false\n2 r2 true\n3 r3 false\n");
    }
}

#[test]
fn a_legitimate_multi_line_field_stays_whole() {
    let data = "id,name,n\nr1,\"Dear team,\nwe met,\nbye \"\"now\"\"\",1\nr2,x,2\n";
    let out = rows(data.as_bytes(), Format::Csv, &three());
    assert_eq!(
        body_lines(&out),
        [
            "1@2: [Text(\"r1\"), Text(\"Dear team,\\nwe met,\\nbye \\\"now\\\"\"), Num(1)]",
            "2@5: [Text(\"r2\"), Text(\"x\"), Num(2)]",
        ]
    );
}

#[test]
fn a_quote_open_at_the_end_is_one_invalid_row() {
    let data = "id,name,n\nr1,a,1\nr2,\"never closed\nmore text\n";
    let out = rows(data.as_bytes(), Format::Csv, &three());
    let lines = body_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[1],
        "2@3: ERROR row 2 (line 3): unterminated quote: the quoted field opened on line 3 runs \
         to the end of the file"
    );
}

#[test]
fn a_bom_before_a_quote_gives_the_same_rows_whatever_the_block_and_line_ends() {
    // The same five records, each line end LF, CRLF or CR (CR sends the block to the slow
    // path), the fourth starting with a byte-order mark and a quote.
    for ends in 0..27 {
        let end = |k: usize| ["\n", "\r\n", "\r"][(ends / 3usize.pow(k as u32)) % 3];
        let data = format!(
            "id,name,n\nr1,a,1{}r2,b,2{}r3,c,3\n\u{feff}\"r4\",d,4{}r5,e,5\n",
            end(0),
            end(1),
            end(2)
        );
        let out = rows(data.as_bytes(), Format::Csv, &three());
        let lines = body_lines(&out);
        assert_eq!(lines.len(), 5, "{data:?}\n{out}");
        // The BOM is a character of the field: the quote is then an ordinary one.
        assert!(lines[3].contains("Text(\"\\u{feff}\\\"r4\\\"\")"), "{out}");
        assert_eq!(
            reference_text(data.as_bytes(), b',').map(|t| t.lines().count()),
            Some(5)
        );
    }
}

#[test]
fn corpus_files_read_as_the_reference_says() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        for (block, threads) in [(1 << 20, 1), (1, 1), (5, 3), (17, 2)] {
            if let Err(e) = csv_case(&data, block, threads) {
                panic!("{}: {e}", path.display());
            }
        }
        n += 1;
    }
    assert!(n >= 5, "{n} corpus files");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// The reader and the reference agree on every record (quotes, BOMs, CR, CRLF, invalid
    /// UTF-8), whatever the block size and the thread count.
    #[test]
    fn csv_rows_are_the_reference_rows_whatever_the_block(
        text in proptest::collection::vec(
            prop_oneof![
                Just("a".to_string()), Just("b".to_string()), Just(",".to_string()),
                Just(",".to_string()), Just("\"".to_string()), Just("\"\"".to_string()),
                Just("\n".to_string()), Just("\r\n".to_string()), Just("\r".to_string()),
                Just(" ".to_string()), Just("\u{feff}".to_string()), Just("\u{feff}\"".to_string()),
            ],
            0..40,
        ),
        latin1 in any::<bool>(),
        block in 1usize..40,
        threads in 1usize..4,
    ) {
        let mut data = text.concat().into_bytes();
        if latin1 {
            data.push(0xe9);
        }
        prop_assert!(csv_case(&data, block, threads).is_ok(), "{:?}", csv_case(&data, block, threads));
    }
}

// --- Longer than the limit -------------------------------------------------------------

#[test]
fn a_record_longer_than_the_limit_is_an_invalid_row_and_reading_goes_on() {
    let small = |format| ReadOptions {
        max_record: 4096,
        ..opts(format, 512, 2)
    };
    let long = "x".repeat(10_000);
    let sch = schema(vec![text("a")]);
    let program = Program::default();
    // CSV: a line of 10,000 bytes; a quote never closed in a one-column file.
    for middle in [long.clone(), format!("\"never closed\n{long}\n{long}")] {
        let data = format!("a\nfine\n{middle}\nafter\nlast\n");
        let out = run_bytes(data.as_bytes(), small(Format::Csv), &program, &sch, &Values).unwrap();
        let lines = body_lines(&out);
        assert!(
            lines[1].starts_with("2@3: ERROR row 2 (line 3): the record is longer than 4096 bytes"),
            "{out}"
        );
        assert!(lines.last().unwrap().ends_with("[Text(\"last\")]"), "{out}");
        assert!(
            lines.iter().any(|l| l.ends_with("[Text(\"after\")]")),
            "{out}"
        );
    }
    // JSON Lines and JSON arrays.
    let obj = format!("{{\"a\": \"{long}\"}}");
    let data = format!("{{\"a\": \"x\"}}\n{obj}\n{{\"a\": \"y\"}}\n");
    let out = run_bytes(
        data.as_bytes(),
        small(Format::JsonLines),
        &program,
        &sch,
        &Values,
    )
    .unwrap();
    assert_eq!(body_lines(&out).len(), 3, "{out}");
    assert!(body_lines(&out)[2].ends_with("[Text(\"y\")]"), "{out}");
    let data = format!("[{{\"a\": \"x\"}}, {obj},\n{{\"a\": \"y, ]\"}}]");
    let out = run_bytes(
        data.as_bytes(),
        small(Format::Json),
        &program,
        &sch,
        &Values,
    )
    .unwrap();
    let lines = body_lines(&out);
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[1].contains("the record is longer than 4096 bytes"),
        "{out}"
    );
    assert_eq!(lines[2], "3@2: [Text(\"y, ]\")]");
}

/// Streams a CSV file: a header, `before` rows, one line of `long` bytes, `after` rows.
struct Stream {
    parts: Vec<(Vec<u8>, u64)>,
    at: usize,
    offset: usize,
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while let Some((chunk, times)) = self.parts.get_mut(self.at) {
            if *times == 0 {
                self.at += 1;
                continue;
            }
            let rest = &chunk[self.offset..];
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.offset += n;
            if self.offset == chunk.len() {
                self.offset = 0;
                *times -= 1;
            }
            return Ok(n);
        }
        Ok(0)
    }
}

#[test]
fn a_record_over_64_mib_in_the_middle_is_an_invalid_row() {
    // Streamed, never held whole: 65 MiB of one line between two rows.
    let stream = Stream {
        parts: vec![
            (b"id,n\na,1\n".to_vec(), 1),
            (vec![b'x'; 1 << 20], 65),
            (b",2\nb,3\n".to_vec(), 1),
        ],
        at: 0,
        offset: 0,
    };
    let sch = schema(vec![text("id"), field("n", "n", Ty::Int, true)]);
    let (out, summary) = run_with(
        Box::new(stream),
        opts(Format::Csv, 1 << 20, 2),
        &Program::default(),
        &sch,
        &Values,
    )
    .unwrap();
    assert_eq!(summary.rows, 3);
    assert_eq!(
        body_lines(&out),
        [
            "1@2: [Text(\"a\"), Num(1)]",
            "2@3: ERROR row 2 (line 3): the record is longer than 64 MiB, the longest read (is a \
             quote never closed?): it is skipped and reading resumes on line 4",
            "3@4: [Text(\"b\"), Num(3)]",
        ]
    );
}

// --- JSON ------------------------------------------------------------------------------

#[test]
fn two_json_arrays_in_one_file_are_both_read() {
    let sch = schema(vec![text("id")]);
    let data = "[{\"id\": \"a\"}, {\"id\": \"b\"}]\n\n[{\"id\": \"c\"}][]  [\n{\"id\": \"d\"}]\n";
    let out = rows(data.as_bytes(), Format::Json, &sch);
    assert_eq!(
        body_lines(&out),
        [
            "1@1: [Text(\"a\")]",
            "2@1: [Text(\"b\")]",
            "3@3: [Text(\"c\")]",
            "4@4: [Text(\"d\")]"
        ]
    );
    // Anything else after the `]` is one invalid row that says so.
    let out = rows(b"[{\"id\": \"a\"}]\n{\"id\": \"b\"}\n", Format::Json, &sch);
    assert_eq!(
        body_lines(&out),
        [
            "1@1: [Text(\"a\")]",
            "2@2: ERROR row 2 (line 2): expected the end of the file or another JSON array after \
             the array's `]`, found `{\"id\": \"b\"}`: the rest of the file is not read",
        ]
    );
}

#[test]
fn json_keys_first_seen_after_the_first_block_are_read() {
    let sch = schema(vec![
        text("id"),
        field("revenue", "Revenue", Ty::Money, true),
    ]);
    for format in [Format::Json, Format::JsonLines] {
        let mut objects = Vec::new();
        // About 2 MiB of objects without the key, then objects with it.
        for i in 0..40_000 {
            objects.push(format!(
                "{{\"id\": \"r{i}\", \"pad\": \"{}\"}}",
                "p".repeat(40)
            ));
        }
        objects.push("{\"id\": \"late\", \"Revenue\": \"$1M\"}".to_string());
        let data = if format == Format::Json {
            format!("[{}]", objects.join(",\n"))
        } else {
            objects.join("\n")
        };
        assert!(data.len() > 2 << 20);
        let out = run_bytes(
            data.as_bytes(),
            opts(format, 1 << 20, 2),
            &Program::default(),
            &sch,
            &Values,
        )
        .unwrap();
        assert!(
            out.starts_with("warning: key `Revenue` (field `revenue`) is in none of the first objects of the file"),
            "{}",
            &out[..200]
        );
        assert!(
            out.ends_with("40001@40001: [Text(\"late\"), Num(1000000)]\n"),
            "{format:?}"
        );
    }
}

#[test]
fn duplicate_names_are_warnings_naming_the_column() {
    let sch = schema(vec![text("id"), field("n", "n", Ty::Int, true)]);
    let out = rows(b"id,n, N ,x,x\na,1,2,3,4\n", Format::Csv, &sch);
    assert_eq!(
        out,
        "warning: column `n` appears 2 times in the header (columns 2, 3): only the first (column 2) is read\n\
         warning: column `x` appears 2 times in the header (columns 4, 5): only the first (column 4) is read\n\
         1@2: [Text(\"a\"), Num(1)]\n"
    );
    let out = rows(
        b"{\"id\": \"a\", \"n\": 1, \"n\": 2}\n{\"id\": \"b\", \"n\": 3}\n{\"id\": \"c\", \"n\": 4, \"N\": 5}\n",
        Format::JsonLines,
        &sch,
    );
    assert_eq!(
        out,
        "1@1: [Text(\"a\"), Num(2)]\n2@2: [Text(\"b\"), Num(3)]\n3@3: [Text(\"c\"), Num(5)]\n\
         warning: key `n` appears more than once in the object of row 1 (line 1): its last value is read (and so in any other row that repeats it)\n"
    );
}

// --- gzip ------------------------------------------------------------------------------

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

#[test]
fn zero_padding_after_a_gzip_stream_is_accepted() {
    let sch = schema(vec![text("id")]);
    let mut bytes = gzip(b"id\na\n");
    bytes.extend(gzip(b"b\n"));
    bytes.extend(std::iter::repeat_n(0u8, 10_000));
    let out = run_bytes(
        &bytes,
        opts(Format::Csv, 3, 2),
        &Program::default(),
        &sch,
        &Values,
    )
    .unwrap();
    assert_eq!(out, "1@2: [Text(\"a\")]\n2@3: [Text(\"b\")]\n");
    // Other bytes after the padding are still an error, not silence.
    bytes.extend(b"junk");
    let err = run_bytes(
        &bytes,
        opts(Format::Csv, 3, 2),
        &Program::default(),
        &sch,
        &Values,
    )
    .unwrap_err();
    assert!(err.to_string().contains("zero padding"), "{err}");
}

// --- Messages --------------------------------------------------------------------------

#[test]
fn invisible_characters_are_escaped_in_messages() {
    let sch = schema(vec![text("id"), field("n", "n", Ty::Int, true)]);
    let out = rows(
        "id,n\na,\u{feff}7\nb,7\u{0}\nc,\u{1f}\nd,\"1\t\u{200b}\"\n".as_bytes(),
        Format::Csv,
        &sch,
    );
    let found: Vec<&str> = out
        .lines()
        .map(|l| l.rsplit_once("found ").unwrap().1)
        .collect();
    assert_eq!(
        found,
        ["`\\u{feff}7`", "`7\\0`", "`\\u{1f}`", "`1\\t\\u{200b}`"]
    );
}

#[test]
fn a_json_array_in_a_number_field_and_null_in_a_required_one_say_so() {
    let sch = schema(vec![
        text("id"),
        field("employees", "Employees", Ty::Int, true),
        field("tech", "tech", Ty::Set(Box::new(Ty::Text)), false),
    ]);
    let data = "{\"id\": \"a\", \"Employees\": [1,2], \"tech\": []}\n\
                {\"id\": null, \"tech\": []}\n\
                {\"id\": \"c\", \"tech\": null}\n\
                {\"id\": \"d\"}\n";
    let out = rows(data.as_bytes(), Format::JsonLines, &sch);
    assert_eq!(
        body_lines(&out),
        [
            "1@1: ERROR row 1 (line 1), column `Employees`: expected a whole number like `1,200`, found a JSON array `[1,2]` (only a set field reads a list)",
            "2@2: ERROR row 2 (line 2), column `id`: a value is required (field `id` is not optional), and the value is `null`",
            "3@3: ERROR row 3 (line 3), column `tech`: a value is required (field `tech` is not optional), and the value is `null`",
            "4@4: ERROR row 4 (line 4), column `tech`: a value is required, and the key is absent",
        ]
    );
}

/// Found by the oracle (icp-oracle, JSON Lines input): an array in a field that is not a set
/// used to end the object's reading, so the row's error named that cell only.
#[test]
fn a_json_array_in_a_number_field_is_named_with_every_other_unreadable_cell() {
    let sch = schema(vec![
        text("id"),
        field("flag", "flag", Ty::Bool, false),
        field("employees", "Employees", Ty::Int, true),
        field("tech", "tech", Ty::Set(Box::new(Ty::Text)), true),
        field("n", "n", Ty::Int, false),
    ]);
    let data = "{\"id\": \"a\", \"flag\": null, \"Employees\": [1,2], \"tech\": [[1]], \"n\": \"x\"}\n\
                {\"id\": \"b\", \"flag\": true, \"Employees\": {\"a\": 1}, \"n\": 3}\n";
    let out = rows(data.as_bytes(), Format::JsonLines, &sch);
    assert_eq!(
        body_lines(&out),
        [
            "1@1: ERROR row 1 (line 1), column `flag`: a value is required (field `flag` is not optional), and the value is `null`; column `Employees`: expected a whole number like `1,200`, found a JSON array `[1,2]` (only a set field reads a list); column `tech`: nested values in a list cannot be read; column `n`: expected a whole number like `1,200`, found `x`",
            "2@2: ERROR row 2 (line 2), column `Employees`: a nested object cannot be read",
        ]
    );
}

#[test]
fn a_json_array_in_a_csv_set_cell_is_read_as_an_array() {
    let sch = schema(vec![
        text("id"),
        field("tech", "tech", Ty::Set(Box::new(Ty::Text)), true),
    ]);
    let data = "id,tech\n\
                a,\"[\"\"HubSpot\"\",\"\"Salesforce\"\"]\"\n\
                b,HubSpot;Salesforce\n\
                c,[]\n\
                d,[not json\n\
                e,\"[\"\"a, b\"\", 1, true, null]\"\n";
    let out = rows(data.as_bytes(), Format::Csv, &sch);
    assert_eq!(
        body_lines(&out),
        [
            "1@2: [Text(\"a\"), Set(SetVal { raw: \"HubSpot\\u{1f}Salesforce\" })]",
            "2@3: [Text(\"b\"), Set(SetVal { raw: \"HubSpot;Salesforce\" })]",
            "3@4: [Text(\"c\"), Set(SetVal { raw: \"\" })]",
            "4@5: [Text(\"d\"), Set(SetVal { raw: \"[not json\" })]",
            "5@6: [Text(\"e\"), Set(SetVal { raw: \"a, b\\u{1f}1\\u{1f}true\" })]",
        ]
    );
    let items: Vec<&str> = icp_model::SetVal {
        raw: "HubSpot\u{1f}Salesforce",
    }
    .items()
    .collect();
    assert_eq!(items, ["HubSpot", "Salesforce"]);
    // The slow path (invalid UTF-8 elsewhere in the block) reads it the same way.
    let out = rows(
        b"id,tech\nx\xff,a\nz,\"[\"\"HubSpot\"\"]\"\n",
        Format::Csv,
        &sch,
    );
    assert!(
        out.ends_with("2@3: [Text(\"z\"), Set(SetVal { raw: \"HubSpot\" })]\n"),
        "{out}"
    );
}

#[test]
fn json_fuzz_schema_reads_a_set_array() {
    let out = rows(
        b"{\"id\": \"a\", \"tech\": [\"x\", \"y\"]}",
        Format::JsonLines,
        &json_schema(),
    );
    assert_eq!(
        body_lines(&out),
        ["1@1: [Text(\"a\"), Missing, Set(SetVal { raw: \"x\\u{1f}y\" }), Missing]"]
    );
    let _ = Show;
    let _ = DataError::Empty;
}

// --- Found by the fuzzers and property tests ------------------------------------------

#[test]
fn byte_order_marks_found_by_the_property_tests() {
    // A BOM split by a tiny first read was kept; a second BOM at the start was dropped by
    // the header's reader (the file then looked empty); a BOM starting the slow path was
    // dropped there only.
    for data in [
        &b"\xEF\xBB\xBF\n"[..],
        b"\xEF\xBB\xBF\xEF\xBB\xBF\n",
        b"\xEF\xBB\xBF\xEF\xBB\xBF\nx\n",
        b"h,i\rx,1\r\xEF\xBB\xBF\"y\",2\n",
        b"h,i\n\xEF\xBB\xBF\"a\nb\",1\nc,2\n",
    ] {
        for block in 1..12 {
            for threads in 1..3 {
                if let Err(e) = csv_case(data, block, threads) {
                    panic!("{:?}: {e}", String::from_utf8_lossy(data));
                }
            }
        }
    }
    let sch = schema(vec![field("h", "\u{feff}", Ty::Text, true)]);
    let out = run_bytes(
        b"\xEF\xBB\xBF\xEF\xBB\xBF\nx\n",
        opts(Format::Csv, 1, 1),
        &Program::default(),
        &sch,
        &Values,
    )
    .unwrap();
    assert_eq!(out, "1@2: [Text(\"x\")]\n");
}
