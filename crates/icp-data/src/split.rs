//! Cutting a byte stream into blocks at record boundaries, so that blocks can be parsed in
//! parallel and every record lands in exactly one block.
//!
//! INVARIANT: outside the quote rule's runaway records, [`scan_csv`] finds record ends
//! exactly where `csv-core` (default options: quoting with `""` escapes, CR, LF or CRLF
//! terminators, blank lines skipped) ends records, and counts the same records; a quote
//! opens a quoted field only at the start of a field, elsewhere it is an ordinary byte. The
//! property tests check this against the `csv` crate, and the rule against a simple
//! reference (`tests/hostile.rs`).

use std::ops::Range;

use memchr::memchr;
use wide::u8x16;

/// How records are delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Splitter {
    /// CSV with this delimiter.
    Csv(u8),
    /// JSON Lines: one object per non-blank line.
    Lines,
    /// The elements of a JSON array (its `[` already consumed).
    JsonArray,
}

/// A record cut short by the quote rule (docs/cli.md, "CSV quote rule"): a quoted field
/// that is never closed, or whose next line reads as a record of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Runaway {
    /// Where the record starts.
    pub start: usize,
    /// The quote that opens the field.
    pub quote: usize,
    /// Where reading resumes: the start of the line that reads as a record, or the end of
    /// the input.
    pub resume: usize,
    /// The quote runs to the end of the input.
    pub to_end: bool,
}

/// Result of scanning a buffer that starts at a record boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Bytes up to the end of the last complete record (all of them at end of input).
    pub cut: usize,
    /// Records that end before `cut` (a runaway record counts as one).
    pub records: u64,
    /// The records before `cut` cut short by the quote rule, in order.
    pub runaways: Vec<Runaway>,
    /// The input is over (end of a JSON array).
    pub done: bool,
    /// Blank lines (nothing between two line ends) before `cut`, outside quoted fields.
    pub blank: u64,
    /// LFs before `cut` (line ends, and those inside quoted fields).
    pub newlines: u64,
    /// Whether a CR may come before `cut` (`false`: none does).
    pub cr: bool,
}

impl Scan {
    /// A scan of records found otherwise (JSON): the LFs and CRs of `buf` before `cut`
    /// counted here.
    pub(crate) fn of(buf: &[u8], cut: usize, records: u64, done: bool) -> Scan {
        let (newlines, cr) = line_ends(buf.get(..cut).unwrap_or_default());
        Scan {
            cut,
            records,
            runaways: Vec::new(),
            done,
            blank: 0,
            newlines,
            cr,
        }
    }
}

/// The LFs of `b`.
pub(crate) fn count_newlines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

/// [`Scan::newlines`] and [`Scan::cr`] of `b`, counted.
fn line_ends(b: &[u8]) -> (u64, bool) {
    (count_newlines(b), memchr(b'\r', b).is_some())
}

/// Whether `line` (without its line end) reads alone as a clean CSV record of exactly
/// `width` fields: a quote at the start of a field must close on the line and be followed
/// by the delimiter or the line's end, and no other quote may appear. A blank line is no
/// record.
pub(crate) fn line_is_record(line: &[u8], delim: u8, width: usize) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() || memchr(b'\r', line).is_some() {
        return false;
    }
    let mut fields = 0usize;
    let mut pos = 0;
    loop {
        if fields >= width {
            return false;
        }
        fields += 1;
        if line.get(pos) == Some(&b'"') {
            let mut k = pos + 1;
            let after = loop {
                let Some(q) = line.get(k..).and_then(|r| memchr(b'"', r)) else {
                    return false;
                };
                if line.get(k + q + 1) == Some(&b'"') {
                    k += q + 2;
                } else {
                    break k + q + 1;
                }
            };
            match line.get(after) {
                None => break,
                Some(&c) if c == delim => pos = after + 1,
                Some(_) => return false,
            }
        } else {
            let end = line
                .get(pos..)
                .and_then(|r| memchr(delim, r))
                .map_or(line.len(), |d| pos + d);
            // A stray quote: not a clean record (a closing quote of a field that spans
            // lines is one, so that field's last line never reads as a record).
            if line.get(pos..end).is_some_and(|f| f.contains(&b'"')) {
                return false;
            }
            if end == line.len() {
                break;
            }
            pos = end + 1;
        }
        if pos >= line.len() {
            // A delimiter ends the line: one more, empty, field.
            fields += 1;
            break;
        }
    }
    fields == width
}

/// The `N` bytes of `b` from `at`, padded with zero bytes past its end.
#[inline]
pub(crate) fn window<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    match b.get(at..at + N).map(<[u8; N]>::try_from) {
        Some(Ok(w)) => w,
        _ => padded(b, at),
    }
}

#[cold]
#[inline(never)]
fn padded<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut w = [0u8; N];
    for (slot, &c) in w.iter_mut().zip(b.get(at..).unwrap_or_default()) {
        *slot = c;
    }
    w
}

/// Bit `k`: byte `k` of `w` is one of `bytes` (each splat across a vector; `N` a multiple of
/// 16, at most 64), from SIMD compares of sixteen bytes at a time (`wide`: SSE2 on x86-64,
/// safe code).
#[inline]
pub(crate) fn eq_any<const N: usize, const K: usize>(w: &[u8; N], bytes: [u8x16; K]) -> u64 {
    let mut m = 0u64;
    for (k, chunk) in w.chunks_exact(16).enumerate() {
        let v = u8x16::from(<[u8; 16]>::try_from(chunk).unwrap_or([0; 16]));
        let hit = bytes
            .iter()
            .fold(u8x16::splat(0), |hit, &c| hit | v.simd_eq(c));
        m |= u64::from(hit.to_bitmask()) << (16 * k);
    }
    m
}

/// The quotes, LFs and CRs of the 64 bytes `w` (fewer: none past its end) as three masks
/// (bit `k`: byte `k`), from one SIMD load per sixteen bytes.
#[inline]
fn quotes_and_ends(w: &[u8]) -> [u64; 3] {
    let [quote, lf, cr] = [u8x16::splat(b'"'), u8x16::splat(b'\n'), u8x16::splat(b'\r')];
    let (mut quotes, mut lfs, mut crs) = (0u64, 0u64, 0u64);
    for (k, chunk) in w.chunks_exact(16).take(4).enumerate() {
        let v = u8x16::from(<[u8; 16]>::try_from(chunk).unwrap_or([0; 16]));
        let shift = 16 * k;
        quotes |= u64::from(v.simd_eq(quote).to_bitmask()) << shift;
        lfs |= u64::from(v.simd_eq(lf).to_bitmask()) << shift;
        crs |= u64::from(v.simd_eq(cr).to_bitmask()) << shift;
    }
    [quotes, lfs, crs]
}

/// The scanner's searches (the next quote, line end, ... at or after an offset, as
/// `memchr2` and `memchr3` find them) from bit masks of 64 bytes at a time, made once per
/// window with `wide`'s SIMD compares (safe code) while the scan moves through it: most
/// records hold a few quotes and one line end each, where a `memchr` call costs more than
/// it finds.
struct Finder<'a> {
    buf: &'a [u8],
    /// The window's start (a multiple of 64; `usize::MAX`: none yet) and its masks (bit
    /// `k`: byte `base + k`) of quotes, of LFs and of CRs.
    base: usize,
    quotes: u64,
    lfs: u64,
    crs: u64,
    /// The windows loaded so far: where the next one starts if they are all those before
    /// it (`None` once one was skipped), their LFs and whether one held a CR.
    next_base: Option<usize>,
    loaded_lfs: u64,
    loaded_cr: bool,
}

impl<'a> Finder<'a> {
    fn new(buf: &'a [u8]) -> Finder<'a> {
        Finder {
            buf,
            base: usize::MAX,
            quotes: 0,
            lfs: 0,
            crs: 0,
            next_base: Some(0),
            loaded_lfs: 0,
            loaded_cr: false,
        }
    }

    /// The LFs of `buf` before `cut` and whether a CR may be there, from the windows
    /// loaded when they cover it (most scans), else counted.
    fn ends_before(&self, cut: usize) -> (u64, bool) {
        match self.next_base {
            Some(end) if end >= cut => {
                let after = self
                    .buf
                    .get(cut..end.min(self.buf.len()))
                    .unwrap_or_default();
                (self.loaded_lfs - count_newlines(after), self.loaded_cr)
            }
            _ => line_ends(self.buf.get(..cut).unwrap_or_default()),
        }
    }

    /// The next quote, LF or CR from `from` on.
    #[inline]
    fn any(&mut self, from: usize) -> Option<usize> {
        self.next(from, |f| f.quotes | f.lfs | f.crs)
    }

    /// The next quote or LF from `from` on.
    #[inline]
    fn quote_or_lf(&mut self, from: usize) -> Option<usize> {
        self.next(from, |f| f.quotes | f.lfs)
    }

    /// The next quote from `from` on.
    #[inline]
    fn quote(&mut self, from: usize) -> Option<usize> {
        self.next(from, |f| f.quotes)
    }

    #[inline]
    fn next(&mut self, from: usize, mask: impl Fn(&Finder<'_>) -> u64) -> Option<usize> {
        let mut base = from & !63;
        if base >= self.buf.len() {
            return None;
        }
        if self.base != base {
            self.load(base);
        }
        // `from - base` is below 64.
        let mut m = mask(self) & (u64::MAX << (from - base));
        while m == 0 {
            base += 64;
            if base >= self.buf.len() {
                return None;
            }
            self.load(base);
            m = mask(self);
        }
        Some(base + m.trailing_zeros() as usize)
    }

    #[inline]
    fn load(&mut self, base: usize) {
        // Past the end, zero bytes: none of the three.
        // Compared where the bytes are (a copy of the window went through the stack).
        let [quotes, lfs, crs] = match self.buf.get(base..base + 64) {
            Some(w) => quotes_and_ends(w),
            None => quotes_and_ends(&window::<64>(self.buf, base)),
        };
        self.base = base;
        self.quotes = quotes;
        self.lfs = lfs;
        self.crs = crs;
        self.next_base = self.next_base.filter(|&b| b == base).map(|b| b + 64);
        self.loaded_lfs += u64::from(lfs.count_ones());
        self.loaded_cr |= crs != 0;
    }
}

/// Scans CSV. With `eof`, `buf` is the rest of the input: the cut is its end. Stops after
/// `limit` records. `width` is the header's number of fields: with two or more, the quote
/// rule cuts a quoted field short when one of its following lines reads as a record of
/// that width ([`line_is_record`]); 0 turns the rule off (the header itself).
pub(crate) fn scan_csv(buf: &[u8], delim: u8, eof: bool, limit: u64, width: usize) -> Scan {
    scan_csv_after(buf, delim, eof, limit, width, false)
}

/// [`scan_csv`] of a buffer that follows a CR (`after_cr`: an LF first ends that CR's line,
/// it is no blank line).
pub(crate) fn scan_csv_after(
    buf: &[u8],
    delim: u8,
    eof: bool,
    limit: u64,
    width: usize,
    after_cr: bool,
) -> Scan {
    let len = buf.len();
    let mut blank = 0;
    let mut i = 0;
    let mut rec_start = 0;
    let mut cut = 0;
    let mut records = 0;
    let mut runaways = Vec::new();
    let rule = width >= 2;
    let mut find = Finder::new(buf);
    macro_rules! incomplete {
        () => {{
            let (newlines, cr) = find.ends_before(cut);
            return Scan {
                cut,
                records,
                runaways,
                done: false,
                blank,
                newlines,
                cr,
            };
        }};
    }
    'records: while let Some(p) = find.any(i) {
        if buf.get(p) == Some(&b'"') {
            let field_start = p == rec_start || (p > 0 && buf.get(p - 1) == Some(&delim));
            i = p + 1;
            if !field_start {
                continue;
            }
            // Inside a quoted field: find its closing quote (`""` is an escaped quote).
            let mut j = p + 1;
            loop {
                let next = if rule {
                    find.quote_or_lf(j)
                } else {
                    find.quote(j)
                }
                .map(|at| at - j);
                match next {
                    None => {
                        if eof {
                            runaways.push(Runaway {
                                start: rec_start,
                                quote: p,
                                resume: len,
                                to_end: true,
                            });
                            let (newlines, cr) = find.ends_before(len);
                            return Scan {
                                cut: len,
                                records: records + 1,
                                runaways,
                                done: false,
                                blank,
                                newlines,
                                cr,
                            };
                        }
                        incomplete!();
                    }
                    Some(o) if buf.get(j + o) == Some(&b'\n') => {
                        let ls = j + o + 1;
                        let le = match buf.get(ls..).and_then(|rest| memchr(b'\n', rest)) {
                            Some(e) => ls + e,
                            None if eof => len,
                            None => incomplete!(),
                        };
                        let line = buf.get(ls..le).unwrap_or_default();
                        if line_is_record(line, delim, width) {
                            runaways.push(Runaway {
                                start: rec_start,
                                quote: p,
                                resume: ls,
                                to_end: false,
                            });
                            records += 1;
                            rec_start = ls;
                            cut = ls;
                            i = ls;
                            if records >= limit {
                                incomplete!();
                            }
                            continue 'records;
                        }
                        j = ls;
                    }
                    Some(o) => {
                        let q = j + o;
                        match buf.get(q + 1) {
                            Some(b'"') => j = q + 2,
                            None if !eof => incomplete!(),
                            _ => {
                                i = q + 1;
                                break;
                            }
                        }
                    }
                }
            }
        } else {
            if p > rec_start {
                records += 1;
            } else {
                // A line end right after another: a blank line, unless it is the LF of a CRLF.
                let prev_cr = match p.checked_sub(1) {
                    Some(q) => buf.get(q) == Some(&b'\r'),
                    None => after_cr,
                };
                if !(buf.get(p) == Some(&b'\n') && prev_cr) {
                    blank += 1;
                }
            }
            rec_start = p + 1;
            cut = p + 1;
            i = p + 1;
            if records >= limit {
                incomplete!();
            }
        }
    }
    if eof {
        if rec_start < len {
            records += 1;
        }
        cut = len;
    }
    incomplete!()
}

/// Picks the delimiter of a CSV file from its first line: the most frequent of `,`, `;` and
/// tab outside quotes (`,` on a tie or when none occurs).
pub(crate) fn sniff_delimiter(buf: &[u8]) -> u8 {
    let line = match memchr(b'\n', buf) {
        Some(n) => buf.get(..n).unwrap_or(buf),
        None => buf,
    };
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &c in line {
        match c {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let [comma, semi, tab] = counts;
    if semi > comma && semi >= tab {
        b';'
    } else if tab > comma && tab > semi {
        b'\t'
    } else {
        b','
    }
}

/// The records of JSON Lines text: every non-blank line, as byte ranges (without the line
/// end). Returns them with the cut (after the last complete line, or the end with `eof`).
pub(crate) fn jsonl_records(buf: &[u8], eof: bool, limit: usize) -> (Vec<Range<usize>>, usize) {
    let mut out = Vec::new();
    let mut start = 0;
    let mut cut = 0;
    for nl in memchr::memchr_iter(b'\n', buf) {
        push_nonblank(buf, start..nl, &mut out);
        start = nl + 1;
        cut = nl + 1;
        if out.len() >= limit {
            return (out, cut);
        }
    }
    if eof {
        push_nonblank(buf, start..buf.len(), &mut out);
        cut = buf.len();
    }
    (out, cut)
}

fn push_nonblank(buf: &[u8], r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let Some(s) = buf.get(r.clone()) else { return };
    let lead = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let trail = s
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    if lead < s.len() {
        out.push(r.start + lead..r.end - trail);
    }
}

/// The elements of a JSON array, from just after its `[` (or after a `,` between
/// elements): byte ranges of each element, the cut after the last complete element, and
/// whether the closing `]` was seen (the cut is then just after it).
pub(crate) fn json_elements(
    buf: &[u8],
    eof: bool,
    limit: usize,
) -> (Vec<Range<usize>>, usize, bool) {
    let mut out = Vec::new();
    let mut depth = 0u32;
    let mut in_str = false;
    let mut esc = false;
    let mut seg = 0;
    let mut cut = 0;
    for (p, &c) in buf.iter().enumerate() {
        if in_str {
            if esc {
                esc = false;
            } else if c == b'\\' {
                esc = true;
            } else if c == b'"' {
                in_str = false;
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth > 0 => depth -= 1,
            b']' => {
                push_nonblank(buf, seg..p, &mut out);
                return (out, p + 1, true);
            }
            b',' if depth == 0 => {
                push_nonblank(buf, seg..p, &mut out);
                seg = p + 1;
                cut = p + 1;
                if out.len() >= limit {
                    return (out, cut, false);
                }
            }
            _ => {}
        }
    }
    if eof {
        push_nonblank(buf, seg..buf.len(), &mut out);
        cut = buf.len();
    }
    (out, cut, false)
}

/// Finds the end of a JSON array element read in pieces (an element too long to hold):
/// string, escape and nesting state carried from one piece to the next.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct JsonSkip {
    depth: u32,
    in_str: bool,
    esc: bool,
}

impl JsonSkip {
    /// Reads the next piece: the offset of the `,` or `]` that ends the element (and which
    /// of the two), if it is in `b`.
    pub(crate) fn feed(&mut self, b: &[u8]) -> Option<(usize, bool)> {
        for (p, &c) in b.iter().enumerate() {
            if self.in_str {
                if self.esc {
                    self.esc = false;
                } else if c == b'\\' {
                    self.esc = true;
                } else if c == b'"' {
                    self.in_str = false;
                }
                continue;
            }
            match c {
                b'"' => self.in_str = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' if self.depth > 0 => self.depth -= 1,
                b']' => return Some((p, true)),
                b',' if self.depth == 0 => return Some((p, false)),
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The finder's searches are `memchr`'s, from every offset of random buffers (windows,
    /// their ends and the buffer's end included).
    #[test]
    fn the_finder_finds_what_memchr_finds() {
        let mut next = crate::rng(0x9e37_79b9_7f4a_7c15);
        let alphabet = [b'a', b'"', b'\n', b'\r', b',', 0, 0x80, 0xff];
        for _ in 0..2_000 {
            let len = (next() % 200) as usize;
            let buf: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let mut find = Finder::new(&buf);
            // Forwards, as the scanner moves, and from scattered offsets.
            let mut offsets: Vec<usize> = (0..=len).collect();
            offsets.extend((0..20).map(|_| (next() % (len as u64 + 1)) as usize));
            for from in offsets {
                let rest = &buf[from..];
                let at = |o: Option<usize>| o.map(|o| from + o);
                assert_eq!(
                    find.any(from),
                    at(memchr::memchr3(b'"', b'\n', b'\r', rest))
                );
                assert_eq!(
                    find.quote_or_lf(from),
                    at(memchr::memchr2(b'"', b'\n', rest))
                );
                assert_eq!(find.quote(from), at(memchr::memchr(b'"', rest)));
            }
        }
    }

    /// A scan's LFs before its cut are those of the buffer, and it never says "no CR"
    /// where one is: random CSV pieces (quoted fields across lines and windows, CRLF, lone
    /// CRs, lines that read as records after an open quote), every limit, width and end.
    #[test]
    fn a_scan_counts_the_line_ends_before_its_cut() {
        let mut next = crate::rng(0x2545_f491_4f6c_dd1d);
        let pieces: [&[u8]; 10] = [
            b"abc,def",
            b",",
            b"\n",
            b"\r\n",
            b"\r",
            b"\"q,\nx\"",
            b"\"open",
            b"x,y\n",
            b"0123456789012345678901234567890123456789",
            b"\"\"",
        ];
        let mut checked = 0;
        for _ in 0..3_000 {
            let mut buf = Vec::new();
            while buf.len() < (next() % 400) as usize {
                buf.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
            for (eof, width, limit) in [
                (true, 0, u64::MAX),
                (false, 2, u64::MAX),
                (true, 2, 3),
                (false, 0, 1),
            ] {
                let scan = scan_csv(&buf, b',', eof, limit, width);
                let before = &buf[..scan.cut];
                assert_eq!(
                    scan.newlines,
                    count_newlines(before),
                    "{buf:?} {eof} {width} {limit}"
                );
                assert!(scan.cr || !before.contains(&b'\r'), "{buf:?}");
                checked += u64::from(scan.newlines > 0);
            }
        }
        assert!(checked > 5_000);
    }

    fn csv_count(data: &[u8]) -> u64 {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        let mut rec = csv::ByteRecord::new();
        let mut n = 0;
        while r.read_byte_record(&mut rec).unwrap() {
            n += 1;
        }
        n
    }

    #[test]
    fn csv_cuts() {
        let cases: &[(&str, usize, u64)] = &[
            ("a,b\nc,d\n", 8, 2),
            ("a,b\nc,d", 4, 1),
            ("a,\"b\nx\"\nc,d", 8, 1),
            ("a,\"b\nx", 0, 0),
            ("\n\n\na\r\n\r\nb\r", 10, 2),
            ("x\"y\nz\n", 6, 2),
            ("\"a\"\"\n\"\nb\n", 9, 2),
            ("a,\"b\"", 0, 0),
        ];
        for (data, cut, records) in cases {
            let s = scan_csv(data.as_bytes(), b',', false, u64::MAX, 0);
            assert_eq!((s.cut, s.records), (*cut, *records), "{data:?}");
            let all = scan_csv(data.as_bytes(), b',', true, u64::MAX, 0);
            assert_eq!(all.records, csv_count(data.as_bytes()), "{data:?}");
            assert_eq!(all.cut, data.len());
        }
        let open = scan_csv(b"a,b\nc,\"d\ne,f\n", b',', true, u64::MAX, 0);
        assert_eq!(
            open.runaways.first().map(|r| (r.quote, r.to_end)),
            Some((6, true))
        );
        assert_eq!(open.records, 2);
        // With the quote rule, `e,f` reads as a record: the runaway ends before it.
        let rule = scan_csv(b"a,b\nc,\"d\ne,f\n", b',', true, u64::MAX, 2);
        assert_eq!(
            rule.runaways,
            [Runaway {
                start: 4,
                quote: 6,
                resume: 9,
                to_end: false
            }]
        );
        assert_eq!(rule.records, 3);
        assert_eq!(scan_csv(b"h1,h2\nx,y\n", b',', false, 1, 0).cut, 6);
    }

    #[test]
    fn lines_as_records() {
        for (line, width, want) in [
            (&b"a,b"[..], 2, true),
            (b"a,b\r", 2, true),
            (b"a,", 2, true),
            (b",", 2, true),
            (b"a", 2, false),
            (b"a,b,c", 2, false),
            (b"\"a,b\",c", 2, true),
            (b"\"a\"\"b\",c", 2, true),
            (b"\"a,c", 2, false),
            (b"\"a\"x,c", 2, false),
            (b"d,e,f\"", 3, false),
            (b"line\",1", 2, false),
            (b"5\" screen,1", 2, false),
            (b"bye\",2", 3, false),
            (b"", 2, false),
            (b"a\rb,c", 2, false),
        ] {
            assert_eq!(line_is_record(line, b',', width), want, "{line:?}");
        }
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(sniff_delimiter(b"\"x;y\",b\n"), b',');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }

    #[test]
    fn json_splitting() {
        let (el, cut, done) = json_elements(b" {\"a\":\"],\"} , {\"b\":[1,2]}\n]  ", false, 99);
        assert_eq!(el.len(), 2);
        assert!(done);
        assert_eq!(cut, 27);
        let (el, cut, done) = json_elements(b"{\"a\":1},{\"b\"", false, 99);
        assert_eq!(
            (el.first(), el.len(), cut, done),
            (Some(&(0..7)), 1, 8, false)
        );
        let mut skip = JsonSkip::default();
        assert_eq!(skip.feed(b"{\"a\": \"],\\\""), None);
        assert_eq!(skip.feed(b"\", \"b\": [1,2]} , {}"), Some((15, false)));
        assert_eq!(JsonSkip::default().feed(b"[[]] ]"), Some((5, true)));
        let (el, cut) = jsonl_records(b"{}\n  \n{\"a\":1}\n{", false, 99);
        assert_eq!((el, cut), (vec![0..2, 6..13], 14));
    }
}
