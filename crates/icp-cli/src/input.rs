//! The accounts input of `icp score` and `icp explain`: a file or `-` (standard input), its
//! format from `--input-format`, else the file name, else (standard input, a pipe) its
//! first bytes, and `--delimiter`.

use std::io::{self, Read};
use std::path::Path;

use icp_data::Format;

/// An opened accounts input.
pub struct Input {
    /// The bytes (gzip is undone by `icp-data`, or here when the format was sniffed).
    pub reader: Box<dyn Read + Send>,
    /// The format.
    pub format: Format,
    /// The CSV delimiter, when given or implied by the name (`.tsv`).
    pub delimiter: Option<u8>,
    /// The size of a regular file, for the progress bar.
    pub len: Option<u64>,
}

/// How many bytes are read ahead to sniff the format of standard input or a pipe.
const SNIFF_BYTES: usize = 64 << 10;

/// Parses `--delimiter`: one ASCII character, or `tab`.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes().first().copied().unwrap_or(b',')),
        _ => Err(format!(
            "`--delimiter {s}`: expected one ASCII character or `tab`"
        )),
    }
}

/// Opens `path` (`-`: standard input). The format is `input_format` when given, else the
/// name's (`.csv`, `.tsv`, `.json`, `.jsonl`, each optionally `.gz`); standard input and
/// pipes (`<(zcat ...)`) without a telling name are sniffed: after any gzip layer, a BOM
/// and white space, `[` or `{` is JSON (an array or JSON Lines), anything else CSV. A
/// regular file whose name does not tell is CSV when `unknown_is_csv`, else refused. A
/// directory is refused as one. `Err` is the message, without `error: `.
pub fn open(
    path: &Path,
    input_format: Option<&str>,
    delimiter: Option<&str>,
    unknown_is_csv: bool,
) -> Result<Input, String> {
    let shown = path.display();
    let delimiter = delimiter.map(parse_delimiter).transpose()?;
    let stdin = path == Path::new("-");
    let meta = if stdin {
        None
    } else {
        match std::fs::metadata(path) {
            Ok(m) => Some(m),
            Err(e) => return Err(format!("cannot open `{shown}`: {e}")),
        }
    };
    if meta.as_ref().is_some_and(std::fs::Metadata::is_dir) {
        return Err(format!(
            "`{shown}` is a directory: give an accounts file (.csv, .tsv, .json or .jsonl, optionally .gz), or `-` for standard input"
        ));
    }
    let regular = meta.as_ref().is_some_and(std::fs::Metadata::is_file);
    let named = match input_format {
        Some(f) => Some(
            Format::from_name(&f.to_ascii_lowercase())
                .ok_or_else(|| format!("`--input-format {f}`: expected csv, tsv, json or jsonl"))?,
        ),
        None if stdin => None,
        None => Format::from_path(&path.to_string_lossy()),
    };
    let (reader, len): (Box<dyn Read + Send>, Option<u64>) = if stdin {
        (Box::new(io::stdin()), None)
    } else {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot open `{shown}`: {e}"))?;
        (
            Box::new(file),
            meta.as_ref()
                .filter(|m| m.is_file())
                .map(std::fs::Metadata::len),
        )
    };
    let (reader, (format, implied)) = match named {
        Some(f) => (reader, f),
        None if stdin || !regular => {
            sniff(reader).map_err(|e| format!("`{shown}`: cannot read the input: {e}"))?
        }
        None if unknown_is_csv => (reader, (Format::Csv, None)),
        None => {
            return Err(format!(
                "cannot tell the format of `{shown}` from its name: use `--input-format csv|tsv|json|jsonl`"
            ));
        }
    };
    Ok(Input {
        reader,
        format,
        delimiter: delimiter.or(implied),
        len,
    })
}

/// A reader of the whole input, and the format (with its implied delimiter) it shows.
type Sniffed = (Box<dyn Read + Send>, (Format, Option<u8>));

/// Reads ahead to the first byte that is not white space (or a BOM), undoing gzip, and
/// gives back a reader of the whole input with the format it implies.
fn sniff(reader: Box<dyn Read + Send>) -> io::Result<Sniffed> {
    let mut reader = reader;
    let mut head = Vec::new();
    fill(&mut reader, &mut head, 2)?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let prefix = io::Cursor::new(std::mem::take(&mut head));
        reader = Box::new(flate2::read::MultiGzDecoder::new(prefix.chain(reader)));
    }
    let mut ended = false;
    let first = loop {
        let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
        if let Some(&c) = body.iter().find(|c| !c.is_ascii_whitespace()) {
            break Some(c);
        }
        if ended || head.len() >= SNIFF_BYTES {
            break None;
        }
        let want = head.len() + 4096;
        ended = !fill(&mut reader, &mut head, want)?;
    };
    let format = match first {
        Some(b'[' | b'{') => (Format::Json, None),
        _ => (Format::Csv, None),
    };
    let reader: Box<dyn Read + Send> = Box::new(io::Cursor::new(head).chain(reader));
    Ok((reader, format))
}

/// Reads until `buf` holds `want` bytes; `Ok(false)` when the input ended first.
fn fill(reader: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    while buf.len() < want {
        let need = (want - buf.len()) as u64;
        match Read::take(&mut *reader, need).read_to_end(buf) {
            Ok(0) => return Ok(false),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}
