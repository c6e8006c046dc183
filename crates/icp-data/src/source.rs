//! Opening an input: format, gzip, BOM, delimiter sniffing and the header.

use std::io::{self, BufRead, Read};

use icp_model::{Program, Schema};

use crate::DataError;
use crate::binding::{Binding, MissingColumnsError, normalize};
use crate::decode::DecimalMark;
use crate::split::{self, Splitter};

/// The format of an account file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma (or `;`, tab) separated values with a header line.
    Csv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    JsonLines,
}

impl Format {
    /// The format a file name implies (`.csv .tsv .txt .json .jsonl .ndjson`, each optionally
    /// `.gz`), with the default delimiter it implies (tab for `.tsv`).
    pub fn from_path(path: &str) -> Option<(Format, Option<u8>)> {
        let lower = path.to_ascii_lowercase();
        let base = lower.strip_suffix(".gz").unwrap_or(&lower);
        let ext = base.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "csv" | "txt" => (Format::Csv, None),
            "tsv" | "tab" => (Format::Csv, Some(b'\t')),
            "json" => (Format::Json, None),
            "jsonl" | "ndjson" => (Format::JsonLines, None),
            _ => return None,
        })
    }

    /// Parses a `--input-format` name: `csv`, `tsv`, `json`, `jsonl` (or `ndjson`).
    pub fn from_name(name: &str) -> Option<(Format, Option<u8>)> {
        Format::from_path(&format!("x.{name}"))
    }
}

/// How to read the input.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The format (from [`Format::from_path`] or `--input-format`).
    pub format: Format,
    /// The CSV delimiter; sniffed from the header line when `None`.
    pub delimiter: Option<u8>,
    /// Target block size in bytes (blocks are cut at record boundaries).
    pub block_size: usize,
    /// Worker threads (at least one).
    pub threads: usize,
    /// Longest record accepted, in bytes; longer ones stop the run (bounded memory).
    pub max_record: usize,
    /// The decimal point of numbers in text cells (`--decimal`, `[data] decimal`).
    pub decimal: DecimalMark,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: Format::Csv,
            delimiter: None,
            block_size: 1 << 20,
            threads: 1,
            max_record: 64 << 20,
            decimal: DecimalMark::Point,
        }
    }
}

/// An opened input whose header has been read: bind it to a schema, then [`Source::run`].
pub struct Source {
    pub(crate) reader: Box<dyn Read + Send>,
    /// Bytes read but not yet handed out, starting at a record boundary.
    pub(crate) carry: Vec<u8>,
    pub(crate) eof: bool,
    pub(crate) splitter: Splitter,
    pub(crate) header: Vec<String>,
    /// Line number of the first byte of `carry` (1-based).
    pub(crate) first_line: u64,
    /// Blank lines skipped before the header (CSV).
    pub(crate) blank_lines: u64,
    /// `carry` follows a CR (the header's line end may be a CRLF cut after its CR).
    pub(crate) after_cr: bool,
    pub(crate) options: ReadOptions,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Gzip members one after another (as `cat a.gz b.gz` makes), then optionally zero bytes
/// (as tapes and some tools pad a file): what `gzip -d` accepts. Other bytes after a member
/// are an error, as before.
struct GzMembers<R: BufRead> {
    /// The input between members.
    between: Option<R>,
    member: Option<flate2::bufread::GzDecoder<R>>,
}

impl<R: BufRead> GzMembers<R> {
    fn new(inner: R) -> GzMembers<R> {
        GzMembers {
            between: None,
            member: Some(flate2::bufread::GzDecoder::new(inner)),
        }
    }
}

impl<R: BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(member) = &mut self.member {
                let n = member.read(buf)?;
                if n > 0 {
                    return Ok(n);
                }
                // The member is over: what follows it decides.
                self.between = self
                    .member
                    .take()
                    .map(flate2::bufread::GzDecoder::into_inner);
            }
            let Some(inner) = &mut self.between else {
                return Ok(0);
            };
            let next = inner.fill_buf()?;
            match next.first() {
                None => {
                    self.between = None;
                    return Ok(0);
                }
                Some(0) => {
                    // Zero padding: the rest must be zeros.
                    loop {
                        let rest = inner.fill_buf()?;
                        if rest.is_empty() {
                            break;
                        }
                        if rest.iter().any(|&c| c != 0) {
                            return Err(io::Error::new(
                                io::ErrorKind::InvalidData,
                                "bytes after the zero padding that ends the gzip data",
                            ));
                        }
                        let n = rest.len();
                        inner.consume(n);
                    }
                    self.between = None;
                    return Ok(0);
                }
                Some(_) => {
                    self.member = self.between.take().map(flate2::bufread::GzDecoder::new);
                }
            }
        }
    }
}

/// Reads until `buf` holds at least `want` bytes or the input ends; returns whether it ended.
pub(crate) fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    while buf.len() < want {
        let need = (want - buf.len()) as u64;
        let n = Read::take(&mut *reader, need).read_to_end(buf)?;
        if n == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

impl Source {
    /// Opens `reader` (gzip is recognised by its magic bytes), strips a UTF-8 BOM and reads
    /// the header: the first CSV record, or the union of the keys of the JSON objects in the
    /// first block (in first-seen order).
    pub fn open(reader: Box<dyn Read + Send>, options: ReadOptions) -> Result<Source, DataError> {
        let mut reader = reader;
        let mut buf = Vec::new();
        let mut eof = fill(&mut reader, &mut buf, 2).map_err(DataError::Read)?;
        if buf.starts_with(&GZIP_MAGIC) {
            let prefix = io::Cursor::new(std::mem::take(&mut buf));
            reader = Box::new(GzMembers::new(io::BufReader::new(prefix.chain(reader))));
            eof = false;
        }
        // At least the three bytes of a BOM, whatever the block size.
        let want = options.block_size.clamp(3, 1 << 20);
        if !eof {
            eof = fill(&mut reader, &mut buf, want).map_err(DataError::Read)?;
        }
        if buf.starts_with(BOM) {
            buf.drain(..BOM.len());
        }
        let mut source = Source {
            reader,
            carry: Vec::new(),
            eof,
            splitter: Splitter::Lines,
            header: Vec::new(),
            first_line: 1,
            blank_lines: 0,
            after_cr: false,
            options,
        };
        match source.options.format {
            Format::Csv => source.open_csv(buf)?,
            Format::Json | Format::JsonLines => source.open_json(buf)?,
        }
        Ok(source)
    }

    /// Reads more until `buf` holds a complete first record (or the input ends).
    fn grow(&mut self, buf: &mut Vec<u8>) -> Result<(), DataError> {
        if buf.len() > self.options.max_record {
            return Err(DataError::RecordTooLong {
                line: self.first_line,
                limit: self.options.max_record,
            });
        }
        let want = buf.len().max(1 << 16) * 2;
        self.eof = fill(&mut self.reader, buf, want).map_err(DataError::Read)?;
        Ok(())
    }

    fn open_csv(&mut self, mut buf: Vec<u8>) -> Result<(), DataError> {
        let delim = match self.options.delimiter {
            Some(d) => d,
            None => loop {
                if memchr::memchr(b'\n', &buf).is_some() || self.eof {
                    break split::sniff_delimiter(&buf);
                }
                self.grow(&mut buf)?;
            },
        };
        if delim == b'"' || delim == b'\n' || delim == b'\r' {
            return Err(DataError::BadDelimiter(delim as char));
        }
        self.splitter = Splitter::Csv(delim);
        let scan = loop {
            let scan = split::scan_csv(&buf, delim, self.eof, 1, 0);
            if scan.records >= 1 || self.eof {
                break scan;
            }
            self.grow(&mut buf)?;
        };
        if scan.records == 0 {
            return Err(DataError::Empty);
        }
        let head = buf.get(..scan.cut).unwrap_or_default();
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delim)
            // A blank line first (skipped) keeps csv-core from dropping a second BOM.
            .from_reader(Read::chain(&b"\n"[..], head));
        let mut rec = csv::ByteRecord::new();
        if !rdr.read_byte_record(&mut rec).unwrap_or(false) {
            return Err(DataError::Empty);
        }
        self.header = rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        self.first_line += memchr::memchr_iter(b'\n', head).count() as u64;
        self.blank_lines = scan.blank;
        self.after_cr = head.last() == Some(&b'\r');
        buf.drain(..scan.cut);
        self.carry = buf;
        Ok(())
    }

    fn open_json(&mut self, mut buf: Vec<u8>) -> Result<(), DataError> {
        // Skip whitespace; a `[` starts an array, a `{` JSON Lines (whatever the name said).
        let first = loop {
            match buf.iter().position(|c| !c.is_ascii_whitespace()) {
                Some(i) => break Some(i),
                None if self.eof => break None,
                None => self.grow(&mut buf)?,
            }
        };
        let Some(first) = first else {
            // No rows at all: an empty header and nothing to score.
            self.splitter = Splitter::Lines;
            return Ok(());
        };
        let skipped = buf.get(..first).unwrap_or_default();
        self.first_line += memchr::memchr_iter(b'\n', skipped).count() as u64;
        match buf.get(first) {
            Some(b'[') => {
                self.splitter = Splitter::JsonArray;
                buf.drain(..=first);
            }
            Some(b'{') => {
                self.splitter = Splitter::Lines;
                buf.drain(..first);
            }
            _ => {
                let found: String = String::from_utf8_lossy(buf.get(first..).unwrap_or_default())
                    .chars()
                    .take(20)
                    .collect();
                return Err(DataError::NotJson { found });
            }
        }
        // The header: keys of the objects complete in the first block.
        let ranges = loop {
            let (ranges, _cut, done) = if self.splitter == Splitter::JsonArray {
                split::json_elements(&buf, self.eof, 10_000)
            } else {
                let (r, c) = split::jsonl_records(&buf, self.eof, 10_000);
                (r, c, false)
            };
            if !ranges.is_empty() || self.eof || done {
                break ranges;
            }
            self.grow(&mut buf)?;
        };
        let mut seen = std::collections::HashSet::new();
        for r in ranges {
            let Some(bytes) = buf.get(r) else { continue };
            if let Ok(serde_json::Value::Object(map)) =
                serde_json::from_slice::<serde_json::Value>(bytes)
            {
                for k in map.keys() {
                    if seen.insert(normalize(k)) {
                        self.header.push(k.clone());
                    }
                }
            }
        }
        self.carry = buf;
        Ok(())
    }

    /// The file's columns: the CSV header, or the JSON keys.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The CSV delimiter in use (`None` for JSON).
    pub fn delimiter(&self) -> Option<u8> {
        match self.splitter {
            Splitter::Csv(d) => Some(d),
            _ => None,
        }
    }

    /// Binds the schema's fields to this file's columns (see [`Binding::new`]).
    pub fn bind(
        &self,
        program: &Program,
        schema: &Schema,
    ) -> Result<(Binding, Vec<String>), MissingColumnsError> {
        let bound = if self.delimiter().is_none() {
            Binding::json(program, schema, &self.header)
        } else {
            Binding::new(program, schema, &self.header)
        };
        bound.map(|(mut binding, warnings)| {
            binding.set_decimal(self.options.decimal);
            (binding, warnings)
        })
    }
}
