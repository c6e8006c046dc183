//! Decoding one cell of text into a typed [`Value`], exactly as LANGUAGE.md "Reading data"
//! says. Nothing here allocates on the success path.

use icp_base::num;
use icp_model::{Date, Decimal, EnumTy, SetVal, Ty, Value};

/// How a field's cells are read.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Bool,
    Int,
    Number,
    Money,
    Percent,
    /// A percent field declared `as fraction`: `0.35` (and `35%`) is 35 %.
    Fraction,
    Text,
    Date,
    Duration,
    Enum(Box<EnumTable>),
    Set,
}

/// Which character is the decimal point in a file's numbers; the other one groups
/// thousands (`1,200.50`, or `1.200,50` with [`DecimalMark::Comma`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalMark {
    /// `1,200.50` (the default).
    #[default]
    Point,
    /// `1.200,50`.
    Comma,
}

impl DecimalMark {
    /// Reads a setting: `.` or `,` (surrounding spaces ignored).
    pub fn from_setting(s: &str) -> Option<DecimalMark> {
        match s.trim() {
            "." => Some(DecimalMark::Point),
            "," => Some(DecimalMark::Comma),
            _ => None,
        }
    }
}

/// Lookup table of one enum field: every string a variant reads from, lowercased.
#[derive(Debug, Clone)]
pub(crate) struct EnumTable {
    /// (lowercased string, variant index); variant names first, then mapped strings.
    entries: Vec<(String, u32)>,
    /// The ASCII entries by byte length: `by_len[n]` holds those of length `n`, in table
    /// order, the first of equal strings only. An ASCII cell can equal (ignoring ASCII
    /// case) only an ASCII entry of its own length.
    by_len: Vec<Vec<Keyed>>,
    /// The variant names and strings as written (ASCII, up to 16 bytes) by byte length:
    /// `exact[n]` holds the [`raw_key`] of each of length `n` with the variant its
    /// lowercase reads as (that of its entry in `by_len`). A cell written the same way is
    /// found without lowercasing it.
    exact: Vec<Vec<((u64, u64), u32)>>,
    /// The longer ASCII names and strings as written, with the variant their lowercase
    /// reads as.
    exact_long: Vec<(String, u32)>,
    catch_all: Option<u32>,
    /// Variant names and strings as written, for did-you-mean.
    originals: Vec<String>,
}

/// An ASCII entry with its [`key`], compared before the text.
#[derive(Debug, Clone)]
struct Keyed {
    key: (u64, u64),
    text: String,
    variant: u32,
}

/// `w` with its ASCII capitals lowercased, eight bytes at a time; other bytes (including
/// non-ASCII ones) are kept.
#[inline]
fn lower8(w: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let low7 = w & !HI;
    // High bit set where the low 7 bits are >= `A`, and where they are > `Z` (no carry
    // crosses bytes: 0x7f + 0x3f < 0x100).
    let at_least_a = low7 + LO * u64::from(0x80 - b'A');
    let above_z = low7 + LO * u64::from(0x80 - b'Z' - 1);
    let capital = at_least_a & !above_z & !w & HI;
    w | (capital >> 2)
}

/// The bytes at fixed places of `b` (all of them up to 16 bytes), ASCII-lowercased: two
/// strings of the same length up to 16 bytes have equal keys exactly when they are equal
/// ignoring ASCII case.
#[inline]
fn key(b: &[u8]) -> (u64, u64) {
    let (a, z) = raw_key(b);
    (lower8(a), lower8(z))
}

/// The bytes at fixed places of `b` (all of them up to 16 bytes), as they are: two strings
/// of the same length up to 16 bytes have equal raw keys exactly when they are equal.
#[inline]
fn raw_key(b: &[u8]) -> (u64, u64) {
    let word = |at: usize| -> u64 {
        b.get(at..at + 8)
            .and_then(|s| <[u8; 8]>::try_from(s).ok())
            .map_or(0, u64::from_le_bytes)
    };
    let half = |at: usize| -> u64 {
        b.get(at..at + 4)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
            .map_or(0, |h| u64::from(u32::from_le_bytes(h)))
    };
    let byte = |at: usize| -> u64 { b.get(at).map_or(0, |&c| u64::from(c)) };
    let n = b.len();
    match n {
        0 => (0, 0),
        1..=3 => (byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16, 0),
        4..=7 => (half(0) | half(n - 4) << 32, 0),
        _ => (word(0), word(n - 8)),
    }
}

impl EnumTable {
    fn new(ty: &EnumTy) -> EnumTable {
        let mut entries = Vec::new();
        let mut originals = Vec::new();
        // Each entry's text before lowercasing.
        let mut written = Vec::new();
        for (i, v) in ty.variants.iter().enumerate() {
            entries.push((v.name.to_lowercase(), i as u32));
            originals.push(v.name.clone());
            written.push(v.name.as_str());
            for s in &v.strings {
                entries.push((trim(s).to_lowercase(), i as u32));
                originals.push(s.clone());
                written.push(trim(s));
            }
        }
        let mut by_len: Vec<Vec<Keyed>> = Vec::new();
        for (s, v) in &entries {
            if !s.is_ascii() {
                continue;
            }
            if by_len.len() <= s.len() {
                by_len.resize(s.len() + 1, Vec::new());
            }
            if let Some(bucket) = by_len.get_mut(s.len())
                && !bucket.iter().any(|k| k.text == *s)
            {
                bucket.push(Keyed {
                    key: key(s.as_bytes()),
                    text: s.clone(),
                    variant: *v,
                });
            }
        }
        let mut exact: Vec<Vec<((u64, u64), u32)>> = Vec::new();
        let mut exact_long: Vec<(String, u32)> = Vec::new();
        for w in written {
            if !w.is_ascii() {
                continue;
            }
            let lower = w.to_ascii_lowercase();
            let Some(entry) = by_len
                .get(w.len())
                .and_then(|bucket| bucket.iter().find(|k| k.text == lower))
            else {
                continue;
            };
            if w.len() > 16 {
                if !exact_long.iter().any(|(e, _)| e == w) {
                    exact_long.push((w.to_string(), entry.variant));
                }
                continue;
            }
            if exact.len() <= w.len() {
                exact.resize(w.len() + 1, Vec::new());
            }
            let k = raw_key(w.as_bytes());
            if let Some(list) = exact.get_mut(w.len())
                && !list.iter().any(|(e, _)| *e == k)
            {
                list.push((k, entry.variant));
            }
        }
        EnumTable {
            entries,
            by_len,
            exact,
            exact_long,
            catch_all: ty.catch_all,
            originals,
        }
    }

    /// The variant `cell` reads as: the first entry equal to it ignoring case, else the
    /// catch-all. Inlined into the row loop: a cell of at most 16 bytes that equals an
    /// ASCII entry of its length (ignoring case) takes no call.
    #[expect(
        clippy::inline_always,
        reason = "the common case is a few operations; the call cost as much"
    )]
    #[inline(always)]
    fn lookup(&self, b: &[u8]) -> Option<u32> {
        if b.len() <= 16
            && let Some(bucket) = self.by_len.get(b.len())
            && !bucket.is_empty()
        {
            let (a, z) = raw_key(b);
            // Written as a name or string is: equal raw keys mean equal strings.
            if let Some(&(_, v)) = self
                .exact
                .get(b.len())
                .and_then(|list| list.iter().find(|(k, _)| *k == (a, z)))
            {
                return Some(v);
            }
            let k = (lower8(a), lower8(z));
            // Equal keys of a lowercase ASCII entry mean equal strings up to 16 bytes;
            // the entries of a bucket differ, so at most one matches.
            if let Some(e) = bucket.iter().find(|e| e.key == k) {
                return Some(e.variant);
            }
        } else if let Some(&(_, v)) = self.exact_long.iter().find(|(e, _)| e.as_bytes() == b) {
            return Some(v);
        }
        self.lookup_rest(b)
    }

    /// [`EnumTable::lookup`] in full: also longer cells, non-ASCII ones and the catch-all.
    #[inline(never)]
    fn lookup_rest(&self, b: &[u8]) -> Option<u32> {
        if let Some(bucket) = self.by_len.get(b.len())
            && !bucket.is_empty()
        {
            let k = key(b);
            // Equal keys of a lowercase ASCII entry mean equal strings up to 16 bytes
            // (which makes the cell ASCII); longer ones are compared in full.
            if let Some(e) = bucket.iter().find(|e| {
                e.key == k && (b.len() <= 16 || e.text.as_bytes().eq_ignore_ascii_case(b))
            }) {
                return Some(e.variant);
            }
        }
        if b.is_ascii() {
            // No ASCII entry of this length matches, and a non-ASCII entry cannot equal
            // an ASCII cell, even lowercased.
            return self.catch_all;
        }
        // Cells are text: always UTF-8.
        self.lookup_lowercase(std::str::from_utf8(b).ok()?)
    }

    /// The general rule, for any cell: its lowercase equals an entry.
    fn lookup_lowercase(&self, cell: &str) -> Option<u32> {
        let lower = cell.to_lowercase();
        self.entries
            .iter()
            .find(|(s, _)| *s == lower)
            .map(|&(_, v)| v)
            .or(self.catch_all)
    }
}

impl Kind {
    /// Whether the kind reads numbers (and so the decimal point matters).
    pub(crate) fn is_number(&self) -> bool {
        matches!(
            self,
            Kind::Int
                | Kind::Number
                | Kind::Money
                | Kind::Percent
                | Kind::Fraction
                | Kind::Duration
        )
    }

    /// For an enum, the variant name or string closest to `cell`.
    pub(crate) fn suggest(&self, cell: &str) -> Option<&str> {
        match self {
            Kind::Enum(t) => icp_base::did_you_mean(cell, t.originals.iter().map(String::as_str)),
            _ => None,
        }
    }

    /// The reader for a type; `None` for types no column can hold (lists).
    pub(crate) fn new(ty: &Ty, enums: &[EnumTy]) -> Option<Kind> {
        Some(match ty {
            Ty::Bool => Kind::Bool,
            Ty::Int => Kind::Int,
            Ty::Number => Kind::Number,
            Ty::Money => Kind::Money,
            Ty::Percent => Kind::Percent,
            Ty::Text => Kind::Text,
            Ty::Date => Kind::Date,
            Ty::Duration => Kind::Duration,
            Ty::Enum(id) => Kind::Enum(Box::new(EnumTable::new(enums.get(id.index())?))),
            Ty::Set(_) => Kind::Set,
            Ty::List(_) => return None,
        })
    }

    /// What the cell should have looked like, for error messages.
    pub(crate) fn expected(&self, ty: &Ty, enums: &[EnumTy]) -> String {
        match self {
            Kind::Bool => "expected `true`, `false`, `yes`, `no`, `y`, `n`, `1` or `0`".into(),
            Kind::Int => "expected a whole number like `1,200`".into(),
            Kind::Number => "expected a number like `3.5`".into(),
            Kind::Money => "expected money like `$1.2M`, `36.9 M` or `850000`".into(),
            Kind::Percent => "expected a percent like `33.3%` or `33.3`".into(),
            Kind::Fraction => "expected a fraction like `0.333` or a percent like `33.3%`".into(),
            Kind::Text | Kind::Set => "expected text".into(),
            Kind::Date => "expected a date like `2027-01-31`".into(),
            Kind::Duration => "expected a duration in days like `90`, `90d` or `12w`".into(),
            Kind::Enum(_) => {
                let mut names = Vec::new();
                if let Ty::Enum(id) = ty
                    && let Some(e) = enums.get(id.index())
                {
                    if e.variants.len() > 8 {
                        let first: Vec<String> = e
                            .variants
                            .iter()
                            .take(5)
                            .map(|v| format!("`{}`", v.name))
                            .collect();
                        return format!(
                            "expected one of the {} values of the enum ({}, …)",
                            e.variants.len(),
                            first.join(", ")
                        );
                    }
                    for v in &e.variants {
                        if v.strings.is_empty() {
                            names.push(format!("`{}`", v.name));
                        } else {
                            let strs: Vec<String> =
                                v.strings.iter().map(|s| format!("`{s}`")).collect();
                            names.push(format!("`{}` ({})", v.name, strs.join(", ")));
                        }
                    }
                }
                format!("expected one of {}", names.join(", "))
            }
        }
    }
}

/// Why a cell could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    /// The cell is missing but the field is not `?`.
    Required,
    /// The cell is not of the field's type.
    Unreadable,
    /// A set cell that starts with `[`: the caller reads it as a JSON array
    /// ([`json_set`]), or as an ordinary set when it is not one.
    JsonSet,
}

/// Trims whitespace, including U+00A0 (no-break space).
#[inline]
pub fn trim(s: &str) -> &str {
    // Fast path: nothing to trim when both ends are visible ASCII.
    let b = s.as_bytes();
    if b.first().is_none_or(u8::is_ascii_graphic) && b.last().is_none_or(u8::is_ascii_graphic) {
        return s;
    }
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}')
}

/// Whether a trimmed cell means "missing": empty, `NA`, `N/A`, `null` or `-`
/// (case-insensitive).
#[inline]
pub fn is_missing_token(s: &str) -> bool {
    is_missing(s.as_bytes())
}

/// [`is_missing_token`] on bytes.
#[inline]
fn is_missing(s: &[u8]) -> bool {
    match s.len() {
        0 => true,
        1 => s == b"-",
        2 => s.eq_ignore_ascii_case(b"na"),
        3 => s.eq_ignore_ascii_case(b"n/a"),
        4 => s.eq_ignore_ascii_case(b"null"),
        _ => false,
    }
}

/// A missing value: fine for an optional field, else an error.
#[inline]
fn absent<'a>(optional: bool) -> Result<Value<'a>, Why> {
    if optional {
        Ok(Value::Missing)
    } else {
        Err(Why::Required)
    }
}

/// Decodes one trimmed cell. `None` means the column is absent (or the JSON value null).
#[inline]
pub(crate) fn decode<'a>(
    kind: &Kind,
    decimal: DecimalMark,
    optional: bool,
    cell: Option<&'a str>,
) -> Result<Value<'a>, Why> {
    decode_with(kind, decimal, optional, cell, |v| v)
}

/// Decodes one trimmed cell and hands the value to `put` (the row loops push it: called
/// from each kind's branch, the push needs no merged value).
///
/// Inlined into the row loops: text, sets and missing cells take no call, the other kinds
/// one call to a small reader of their own.
#[expect(
    clippy::inline_always,
    reason = "called once per cell; the call and its returned Result cost more than the work"
)]
#[inline(always)]
pub(crate) fn decode_with<'a, R>(
    kind: &Kind,
    decimal: DecimalMark,
    optional: bool,
    cell: Option<&'a str>,
    put: impl FnOnce(Value<'a>) -> R,
) -> Result<R, Why> {
    let Some(cell) = cell else {
        return absent(optional).map(put);
    };
    if is_missing_token(cell) {
        if cell.is_empty()
            && let Kind::Set = kind
        {
            return Ok(put(Value::Set(SetVal { raw: "" })));
        }
        return absent(optional).map(put);
    }
    match kind {
        Kind::Text => Ok(put(Value::Text(cell))),
        Kind::Set if cell.as_bytes().first() == Some(&b'[') => Err(Why::JsonSet),
        Kind::Set => Ok(put(Value::Set(SetVal { raw: cell }))),
        Kind::Enum(table) => variant(table.lookup(cell.as_bytes()), put),
        Kind::Int => match plain_digits(cell.as_bytes()) {
            Some(v) => Ok(put(Value::Num(scaled_int(v, 0)))),
            None => num(read_int(cell.as_bytes(), decimal), put),
        },
        Kind::Money => num(read_money(cell.as_bytes(), decimal), put),
        Kind::Percent => num(read_percent(cell.as_bytes(), decimal), put),
        Kind::Fraction => num(read_fraction(cell.as_bytes(), decimal), put),
        Kind::Date => num(read_date(cell.as_bytes()), put),
        Kind::Number => num(read_number(cell.as_bytes(), decimal), put),
        Kind::Duration => num(read_duration(cell.as_bytes(), decimal), put),
        Kind::Bool => boolean(parse_bool(cell.as_bytes()), put),
    }
}

/// What [`decode_plain`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plain {
    /// The value is written.
    Done,
    /// The cell is to be decoded with [`decode`] (as text).
    Text,
    /// The cell cannot be read.
    Failed(Why),
}

/// An empty cell of `kind` into `slot`, as [`decode`] reads one (an empty set, or missing
/// where the field is optional); [`Plain::Text`] for a required field (its error is made
/// the general way).
#[inline]
pub(crate) fn empty_cell(kind: &Kind, optional: bool, slot: &mut Value<'_>) -> Plain {
    match kind {
        Kind::Set => *slot = Value::Set(SetVal { raw: "" }),
        _ if optional => *slot = Value::Missing,
        _ => return Plain::Text,
    }
    Plain::Done
}

/// `n` into `slot` (or why not): the tag, then the decimal in place. `*slot =
/// Value::Num(n)` of a decimal a call returned (in memory) builds the value on the stack
/// and copies it with a load that straddles the decimal's store there: a store-forwarding
/// stall on x86-64, where a third of `perf`'s samples of the decoding loop fell. The
/// readers of the common kinds are inlined into [`money_into`] and its kin instead, so the
/// decimal comes from registers.
#[expect(
    clippy::inline_always,
    reason = "a few stores, in the functions that read the decimal"
)]
#[inline(always)]
fn put_decimal(n: Option<Decimal>, slot: &mut Value<'_>) -> Plain {
    match n {
        Some(n) => {
            *slot = Value::Num(Decimal::ZERO);
            if let Value::Num(d) = slot {
                *d = n;
            }
            Plain::Done
        }
        None => Plain::Failed(Why::Unreadable),
    }
}

/// A money cell into `slot` ([`put_decimal`]).
#[inline(never)]
fn money_into(cell: &[u8], decimal: DecimalMark, slot: &mut Value<'_>) -> Plain {
    put_decimal(read_money_body(cell, decimal), slot)
}

/// A percent cell into `slot` ([`put_decimal`]).
#[inline(never)]
fn percent_into(cell: &[u8], decimal: DecimalMark, slot: &mut Value<'_>) -> Plain {
    put_decimal(read_percent_body(cell, decimal), slot)
}

/// A date cell into `slot` ([`put_decimal`]).
#[inline(never)]
fn date_into(cell: &[u8], slot: &mut Value<'_>) -> Plain {
    put_decimal(read_date_body(cell), slot)
}

/// [`decode`] of a cell that needs no trimming, its value written to `slot`: the cell's
/// first and last bytes are visible ASCII (so it is not empty). `text` gives the cell as
/// text, for the kinds that keep it; `None` from it (never for a cell at char boundaries)
/// gives [`Plain::Text`].
///
/// The missing-token test is done only when the first byte can start a token (`-`, `n`,
/// `N`), numbers are read from the bytes, and each kind writes its value itself (no value
/// is merged from the kinds' branches).
#[expect(
    clippy::inline_always,
    reason = "called once per cell from the row loop; a call and its returned value cost \
              more than the work"
)]
#[inline(always)]
pub(crate) fn decode_plain<'a>(
    kind: &Kind,
    decimal: DecimalMark,
    optional: bool,
    cell: &[u8],
    text: impl FnOnce() -> Option<&'a str>,
    slot: &mut Value<'a>,
) -> Plain {
    if cell.len() <= 4 && matches!(cell.first(), Some(b'-' | b'n' | b'N')) && is_missing(cell) {
        if optional {
            *slot = Value::Missing;
            return Plain::Done;
        }
        return Plain::Failed(Why::Required);
    }
    match kind {
        Kind::Text => match text() {
            Some(t) => {
                *slot = Value::Text(t);
                Plain::Done
            }
            None => Plain::Text,
        },
        Kind::Set if cell.first() == Some(&b'[') => Plain::Failed(Why::JsonSet),
        Kind::Set => match text() {
            Some(raw) => {
                *slot = Value::Set(SetVal { raw });
                Plain::Done
            }
            None => Plain::Text,
        },
        Kind::Enum(table) => match table.lookup(cell) {
            Some(v) => {
                *slot = Value::Enum(v);
                Plain::Done
            }
            None => Plain::Failed(Why::Unreadable),
        },
        Kind::Int => match plain_digits(cell) {
            Some(v) => {
                *slot = Value::Num(scaled_int(v, 0));
                Plain::Done
            }
            None => put_decimal(read_int(cell, decimal), slot),
        },
        Kind::Money => money_into(cell, decimal, slot),
        Kind::Percent => percent_into(cell, decimal, slot),
        Kind::Fraction => put_decimal(read_fraction(cell, decimal), slot),
        Kind::Date => date_into(cell, slot),
        Kind::Number => put_decimal(read_number(cell, decimal), slot),
        Kind::Duration => put_decimal(read_duration(cell, decimal), slot),
        Kind::Bool => match parse_bool(cell) {
            Some(b) => {
                *slot = Value::Bool(b);
                Plain::Done
            }
            None => Plain::Failed(Why::Unreadable),
        },
    }
}

/// Writes the items of `cell`, a JSON array of strings, numbers and booleans
/// (`["HubSpot","Salesforce"]`; `null` items are skipped), to `out` separated by U+001F (a
/// set's separator that no text holds); `false` (with `out` as it was) when `cell` is not
/// such an array.
#[cold]
pub(crate) fn json_set(cell: &str, out: &mut String) -> bool {
    let start = out.len();
    let Ok(items) = serde_json::from_str::<Vec<serde_json::Value>>(cell) else {
        return false;
    };
    let mut first = true;
    for item in &items {
        let text = match item {
            serde_json::Value::Null => continue,
            serde_json::Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
            serde_json::Value::Number(n) => std::borrow::Cow::Owned(n.to_string()),
            serde_json::Value::Bool(b) => {
                std::borrow::Cow::Borrowed(if *b { "true" } else { "false" })
            }
            _ => {
                out.truncate(start);
                return false;
            }
        };
        if !first {
            out.push('\u{1f}');
        }
        first = false;
        out.push_str(&text);
    }
    true
}

#[inline]
fn num<'a, R>(n: Option<Decimal>, put: impl FnOnce(Value<'a>) -> R) -> Result<R, Why> {
    match n {
        Some(n) => Ok(put(Value::Num(n))),
        None => Err(Why::Unreadable),
    }
}

#[inline]
fn variant<'a, R>(v: Option<u32>, put: impl FnOnce(Value<'a>) -> R) -> Result<R, Why> {
    match v {
        Some(v) => Ok(put(Value::Enum(v))),
        None => Err(Why::Unreadable),
    }
}

#[inline]
fn boolean<'a, R>(b: Option<bool>, put: impl FnOnce(Value<'a>) -> R) -> Result<R, Why> {
    match b {
        Some(b) => Ok(put(Value::Bool(b))),
        None => Err(Why::Unreadable),
    }
}

/// Plain ASCII digits, up to 15 of them, as an integer.
#[inline]
fn plain_digits(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 15 {
        return None;
    }
    let mut v = 0u64;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d >= 10 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some(v)
}

#[inline(never)]
fn read_int(cell: &[u8], decimal: DecimalMark) -> Option<Decimal> {
    if let Some(v) = plain_digits(cell) {
        return Some(scaled_int(v, 0));
    }
    let n = parse_num(cell, false, decimal)?;
    if n.dollar || n.suffix != Suffix::None || n.exponent || n.fraction {
        return None;
    }
    Some(n.value)
}

#[inline(never)]
fn read_number(cell: &[u8], decimal: DecimalMark) -> Option<Decimal> {
    if let Some(v) = plain_digits(cell) {
        return Some(scaled_int(v, 0));
    }
    let n = parse_num(cell, false, decimal)?;
    if n.dollar || n.suffix != Suffix::None {
        return None;
    }
    Some(n.value)
}

#[inline(never)]
fn read_money(cell: &[u8], decimal: DecimalMark) -> Option<Decimal> {
    read_money_body(cell, decimal)
}

/// [`read_money`]'s body, inlined where the decimal goes straight into a slot ([`decode_plain`]).
#[expect(clippy::inline_always, reason = "see `put_decimal`")]
#[inline(always)]
fn read_money_body(cell: &[u8], decimal: DecimalMark) -> Option<Decimal> {
    // With the point as the decimal mark, `money_shape` reads plain digits too (to the
    // same decimal as `scaled_int`): one pass over any common shape.
    if decimal == DecimalMark::Point {
        if let Some(v) = money_shape(cell) {
            return Some(v);
        }
    } else if let Some(v) = plain_digits(cell) {
        return Some(scaled_int(v, 0));
    }
    read_money_text(cell, decimal)
}

/// [`read_money`] past its fast paths (kept out of it: its registers are those of the fast
/// paths alone).
#[cold]
#[inline(never)]
fn read_money_text(cell: &[u8], decimal: DecimalMark) -> Option<Decimal> {
    let n = parse_num(cell, false, decimal)?;
    match n.suffix {
        Suffix::None | Suffix::Scale(_) => Some(n.value),
        Suffix::Percent | Suffix::Days(_) => None,
    }
}

/// The money of the common shapes in one pass: `$1,200,000`, `1200.50`, `36.9 M`, `850K`
/// (an optional `$`, digits in groups of three or none, an optional fraction, spaces and
/// a `K`, `M` or `B`), with the point as the decimal mark. `None` for any other shape, which
/// [`parse_num`] reads: where this accepts a cell, it gives the value `parse_num` gives.
#[inline]
fn money_shape(b: &[u8]) -> Option<Decimal> {
    let start = usize::from(b.first() == Some(&b'$'));
    let mut i = start;
    let mut mant = 0u64;
    let mut digits = 0usize;
    // Digits since the last `,` and whether one was seen (see `parse_num`).
    let mut run = 0u32;
    let mut grouped = false;
    while let Some(&c) = b.get(i) {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            mant = mant.wrapping_mul(10).wrapping_add(u64::from(d));
            digits += 1;
            run += 1;
        } else if c == b',' {
            let first_ok = !grouped && (1..=3).contains(&run) && b.get(start) != Some(&b'0');
            if !(first_ok || (grouped && run == 3)) || !b.get(i + 1).is_some_and(u8::is_ascii_digit)
            {
                return None;
            }
            grouped = true;
            run = 0;
        } else {
            break;
        }
        i += 1;
    }
    if grouped && run != 3 {
        return None;
    }
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&c) = b.get(i) {
            let d = c.wrapping_sub(b'0');
            if d >= 10 {
                break;
            }
            mant = mant.wrapping_mul(10).wrapping_add(u64::from(d));
            digits += 1;
            frac_digits += 1;
            i += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let pow = match b.get(i..)? {
        [] => 0,
        [b'k' | b'K'] => 3,
        [b'm' | b'M'] => 6,
        [b'b' | b'B'] => 9,
        _ => return None,
    };
    scaled(mant, false, digits, frac_digits, false, pow)
}

#[inline(never)]
fn read_percent(cell: &[u8], decimal: DecimalMark) -> Option<Decimal> {
    read_percent_body(cell, decimal)
}

/// [`read_percent`]'s body, inlined where the decimal goes straight into a slot ([`decode_plain`]).
#[expect(clippy::inline_always, reason = "see `put_decimal`")]
#[inline(always)]
fn read_percent_body(cell: &[u8], decimal: DecimalMark) -> Option<Decimal> {
    // The value comes back as a fraction, exactly (`33.3` is 0.333). Fast path: `73` or
    // `73%`, the digits with a scale of two.
    let digits = match cell {
        [d @ .., b'%'] => d,
        b => b,
    };
    if let Some(v) = plain_digits(digits) {
        return Some(scaled_int(v, 2));
    }
    read_percent_text(cell, decimal)
}

/// [`read_percent`] past its fast path.
#[inline(never)]
fn read_percent_text(cell: &[u8], decimal: DecimalMark) -> Option<Decimal> {
    let n = parse_num(cell, true, decimal)?;
    if n.dollar || !matches!(n.suffix, Suffix::None | Suffix::Percent) {
        return None;
    }
    Some(n.value)
}

/// A percent field declared `as fraction`: `0.35` is 0.35 (35 %), and `35%` still 0.35.
#[inline(never)]
fn read_fraction(cell: &[u8], decimal: DecimalMark) -> Option<Decimal> {
    let n = parse_num(cell, false, decimal)?;
    if n.dollar || !matches!(n.suffix, Suffix::None | Suffix::Percent) {
        return None;
    }
    Some(n.value)
}

#[inline(never)]
fn read_duration(cell: &[u8], decimal: DecimalMark) -> Option<Decimal> {
    if let Some(v) = plain_digits(cell) {
        return Some(scaled_int(v, 0));
    }
    let n = parse_num(cell, false, decimal)?;
    if n.dollar {
        return None;
    }
    match n.suffix {
        Suffix::None => Some(n.value),
        Suffix::Days(d) => n.value.checked_mul(Decimal::from(d)),
        Suffix::Scale(_) | Suffix::Percent => None,
    }
}

#[inline(never)]
fn read_date(cell: &[u8]) -> Option<Decimal> {
    read_date_body(cell)
}

/// [`read_date`]'s body, inlined where the decimal goes straight into a slot ([`decode_plain`]).
#[expect(clippy::inline_always, reason = "see `put_decimal`")]
#[inline(always)]
fn read_date_body(cell: &[u8]) -> Option<Decimal> {
    let days = parse_date(cell)?.0;
    // `Decimal::from(days)`, from its parts.
    Some(Decimal::from_parts(days.unsigned_abs(), 0, 0, days < 0, 0))
}

fn parse_bool(s: &[u8]) -> Option<bool> {
    const TRUE: [&[u8]; 4] = [b"true", b"yes", b"y", b"1"];
    const FALSE: [&[u8]; 4] = [b"false", b"no", b"n", b"0"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Some(true)
    } else if FALSE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Some(false)
    } else {
        None
    }
}

/// `YYYY-MM-DD`, or an ISO date-time (`2027-01-02T10:00:00Z`, `2027-01-02 10:00`) whose
/// date part is taken. `MM/DD/YYYY` is refused: it is ambiguous with `DD/MM/YYYY`.
fn parse_date(b: &[u8]) -> Option<Date> {
    match b.get(10) {
        None | Some(b'T' | b't' | b' ') => {}
        Some(_) => return None,
    }
    // Fast path: `YYYY-MM-DD` in ASCII digits, which `Date::parse_iso` reads the same way.
    if let Some(&[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1]) = b.get(..10) {
        let digit = |c: u8| c.wrapping_sub(b'0');
        let all = [y0, y1, y2, y3, m0, m1, d0, d1];
        if all.iter().all(|&c| digit(c) < 10) {
            let two = |a: u8, z: u8| u32::from(digit(a)) * 10 + u32::from(digit(z));
            return days_from_civil(two(y0, y1) * 100 + two(y2, y3), two(m0, m1), two(d0, d1))
                .map(Date);
        }
    }
    // A valid cell, or its first 10 bytes before an ASCII byte: UTF-8 either way.
    let date = std::str::from_utf8(b.get(..10).unwrap_or(b)).ok()?;
    Date::parse_iso(date)
}

/// `v / 10^scale` (`scale` at most 28), exactly: the digits straight into a decimal's
/// mantissa, no arithmetic.
#[inline]
fn scaled_int(v: u64, scale: u32) -> Decimal {
    Decimal::from_parts(
        v as u32,
        (v >> 32) as u32,
        0,
        false,
        scale.min(num::MAX_SCALE),
    )
}

/// `±mant × 10^(pow − frac_digits)` exactly, when the digits were all read into `mant`
/// (at most 19 of them, no exponent; else `None` and the slow path reads the text). With
/// at most 19 digits and a power of ten from `-2` to `9` the result always has a decimal.
#[inline]
fn scaled(
    mant: u64,
    neg: bool,
    digits: usize,
    frac_digits: usize,
    exponent: bool,
    pow: i32,
) -> Option<Decimal> {
    if exponent || digits > 19 {
        return None;
    }
    let e = i64::from(pow) - frac_digits as i64;
    // What `num::from_parts` makes, built straight from the parts for the common shapes: a
    // scale of 0 to 28, or a power of ten up to 9 whose product still fits 96 bits.
    let negative = neg && mant != 0;
    if (-i64::from(num::MAX_SCALE)..=0).contains(&e) {
        return Some(Decimal::from_parts(
            mant as u32,
            (mant >> 32) as u32,
            0,
            negative,
            e.unsigned_abs() as u32,
        ));
    }
    if let Some(&p) = POW10.get(e as usize)
        && e > 0
    {
        let m = u128::from(mant) * u128::from(p);
        if m >> 96 == 0 {
            return Some(Decimal::from_parts(
                m as u32,
                (m >> 32) as u32,
                (m >> 64) as u32,
                negative,
                0,
            ));
        }
    }
    num::from_parts(u128::from(mant), neg, i32::try_from(e).ok()?)
}

/// Powers of ten up to 10^9, the largest a suffix scales by.
const POW10: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// Days since 1970-01-01 of a year (1-9999), month and day, or `None` when no such day
/// exists: `Date::from_ymd` in unsigned arithmetic (Howard Hinnant's `days_from_civil`).
#[inline]
fn days_from_civil(y: u32, m: u32, d: u32) -> Option<i32> {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let month_days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=12).contains(&m) || d == 0 || d > month_days || !(1..=9999).contains(&y) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let (era, yoe) = (y / 400, y % 400);
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    // At most 9999 years: fits an i32 with room to spare.
    Some((era * 146_097 + doe) as i32 - 719_468)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Suffix {
    None,
    Percent,
    /// `K`, `M`, `B`, `thousand`, `million`, `billion`: a power of ten, already applied.
    Scale(i32),
    /// `d` (1) or `w` (7).
    Days(u8),
}

#[derive(Debug, Clone, Copy)]
struct Num {
    value: Decimal,
    dollar: bool,
    fraction: bool,
    exponent: bool,
    suffix: Suffix,
}

/// Parses `-$1,234.50 M`-like text: sign, `$`, digits with `,` thousands separators, a
/// fraction, an exponent, then an optional suffix. `fraction` is set only when the fraction
/// has a non-zero digit.
/// With `percent`, a number without a `%` is a percent too: the value is divided by 100.
/// Scale suffixes and `%` are applied as powers of ten on the digits, so the result is the
/// exact value (`64.1 M` is 64,100,000, `33.3%` is 0.333), as for literals in programs; a
/// number that has no decimal (beyond about `7.9e28`, or more than 28 decimals that are not
/// trailing zeros: `1e30`, a 40-digit cell) cannot be read.
///
/// Inlined into each reader, which checks what it needs of the result; the readers try
/// [`plain_digits`] first.
#[expect(
    clippy::inline_always,
    reason = "each reader keeps only what it checks of the result, in registers"
)]
#[inline(always)]
fn parse_num(b: &[u8], percent: bool, decimal: DecimalMark) -> Option<Num> {
    let mut i = 0;
    let mut neg = false;
    let mut dollar = false;
    // Sign and `$` in either order: `-$5k`, `$-5k`.
    for _ in 0..2 {
        match b.get(i) {
            Some(b'-') if !neg => {
                neg = true;
                i += 1;
            }
            Some(b'+') if !neg => i += 1,
            Some(b'$') if !dollar => {
                dollar = true;
                i += 1;
                while b.get(i) == Some(&b' ') {
                    i += 1;
                }
            }
            _ => break,
        }
    }
    let start = i;
    let mut digits = 0;
    let mut fraction = false;
    let mut exponent = false;
    // The digits as an integer and the number of them after the point: the decimal's
    // mantissa and scale (exact while at most 19 digits, see `scaled`).
    let mut mant = 0u64;
    let mut frac_digits = 0usize;
    // The thousands separator and the decimal point.
    let (group, point) = match decimal {
        DecimalMark::Point => (b',', b'.'),
        DecimalMark::Comma => (b'.', b','),
    };
    // Digits since the last thousands separator, and whether one was seen: groups are a
    // first group of 1-3 digits (not starting with 0), then groups of exactly three.
    let mut run = 0u32;
    let mut grouped = false;
    // Integer part.
    while let Some(&c) = b.get(i) {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            digits += 1;
            run += 1;
            mant = mant.wrapping_mul(10).wrapping_add(u64::from(d));
        } else if c == group && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            let first_ok = !grouped && (1..=3).contains(&run) && b.get(start) != Some(&b'0');
            if !(first_ok || (grouped && run == 3)) {
                return None;
            }
            grouped = true;
            run = 0;
        } else {
            break;
        }
        i += 1;
    }
    if grouped && run != 3 {
        return None;
    }
    if b.get(i) == Some(&point) {
        i += 1;
        while let Some(&c) = b.get(i) {
            let d = c.wrapping_sub(b'0');
            if d >= 10 {
                break;
            }
            digits += 1;
            frac_digits += 1;
            mant = mant.wrapping_mul(10).wrapping_add(u64::from(d));
            fraction |= d != 0;
            i += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E'))
        && b.get(i + 1)
            .is_some_and(|c| c.is_ascii_digit() || *c == b'-' || *c == b'+')
    {
        exponent = true;
        i += 1;
        if let Some(b'-' | b'+') = b.get(i) {
            i += 1;
        }
        let from = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == from {
            return None;
        }
    }
    let end = i;
    // Spaces and U+00A0 (`C2 A0` in UTF-8) before the suffix.
    loop {
        match b.get(i) {
            Some(b' ') => i += 1,
            Some(0xc2) if b.get(i + 1) == Some(&0xa0) => i += 2,
            _ => break,
        }
    }
    let rest = b.get(i..)?;
    let suffix = match rest {
        [] => Suffix::None,
        [c] => match c.to_ascii_lowercase() {
            b'%' => Suffix::Percent,
            b'k' => Suffix::Scale(3),
            b'm' => Suffix::Scale(6),
            b'b' => Suffix::Scale(9),
            b'd' => Suffix::Days(1),
            b'w' => Suffix::Days(7),
            _ => return None,
        },
        _ if rest.eq_ignore_ascii_case(b"thousand") => Suffix::Scale(3),
        _ if rest.eq_ignore_ascii_case(b"million") || rest.eq_ignore_ascii_case(b"mm") => {
            Suffix::Scale(6)
        }
        _ if rest.eq_ignore_ascii_case(b"billion") || rest.eq_ignore_ascii_case(b"bn") => {
            Suffix::Scale(9)
        }
        _ => return None,
    };
    let pow: i32 = match suffix {
        Suffix::Scale(e) => e,
        Suffix::Percent => -2,
        Suffix::None if percent => -2,
        Suffix::None | Suffix::Days(_) => 0,
    };
    let value = match scaled(mant, neg, digits, frac_digits, exponent, pow) {
        Some(v) => v,
        None => slow_value(b.get(start..end)?, neg, pow, decimal)?,
    };
    Some(Num {
        value,
        dollar,
        fraction,
        exponent,
        suffix,
    })
}

/// The slow path of [`parse_num`]: `number` (digits with `,` separators, a point, an
/// exponent) as decimal text without the separators, at most 64 bytes with the sign (else
/// `None`), read exactly with the power of ten `pow` ([`num::parse_scaled`]); `None` when
/// the number has no decimal.
#[cold]
fn slow_value(number: &[u8], neg: bool, pow: i32, decimal: DecimalMark) -> Option<Decimal> {
    let mut buf = [0u8; 64];
    let mut n = 0;
    let mut push = |c: u8| -> Option<()> {
        *buf.get_mut(n)? = c;
        n += 1;
        Some(())
    };
    if neg {
        push(b'-')?;
    }
    for &c in number {
        match (c, decimal) {
            (b',', DecimalMark::Point) | (b'.', DecimalMark::Comma) => {}
            (b',', DecimalMark::Comma) => push(b'.')?,
            (b'E', _) => push(b'e')?,
            _ => push(c)?,
        }
    }
    let text = std::str::from_utf8(buf.get(..n)?).ok()?;
    num::parse_scaled(text, pow)
}

#[cfg(test)]
mod tests;
