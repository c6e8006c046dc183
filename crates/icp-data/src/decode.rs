//! Decoding one cell of text into a typed [`Value`], exactly as LANGUAGE.md "Reading data"
//! says. Nothing here allocates on the success path.

use icp_model::{Date, EnumTy, SetVal, Ty, Value};

/// How a field's cells are read.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Bool,
    Int,
    Number,
    Money,
    Percent,
    Text,
    Date,
    Duration,
    Enum(EnumTable),
    Set,
}

/// Lookup table of one enum field: every string a variant reads from, lowercased.
#[derive(Debug, Clone)]
pub(crate) struct EnumTable {
    /// (lowercased string, variant index); variant names first, then mapped strings.
    entries: Vec<(String, u32)>,
    catch_all: Option<u32>,
    /// Whether every entry is ASCII (computed once, not per cell).
    all_ascii: bool,
    /// Variant names and strings as written, for did-you-mean.
    originals: Vec<String>,
}

impl EnumTable {
    fn new(ty: &EnumTy) -> EnumTable {
        let mut entries = Vec::new();
        let mut originals = Vec::new();
        for (i, v) in ty.variants.iter().enumerate() {
            entries.push((v.name.to_lowercase(), i as u32));
            originals.push(v.name.clone());
            for s in &v.strings {
                entries.push((trim(s).to_lowercase(), i as u32));
                originals.push(s.clone());
            }
        }
        let all_ascii = entries.iter().all(|(s, _)| s.is_ascii());
        EnumTable {
            entries,
            catch_all: ty.catch_all,
            all_ascii,
            originals,
        }
    }

    fn lookup(&self, cell: &str) -> Option<u32> {
        if cell.is_ascii() {
            let hit = self
                .entries
                .iter()
                .find(|(s, _)| s.eq_ignore_ascii_case(cell))
                .map(|&(_, v)| v);
            if hit.is_some() {
                return hit;
            }
            // Non-ASCII table entries can still equal an ASCII cell only if they lowercase
            // to ASCII, which `eq_ignore_ascii_case` already covers for ASCII entries.
            if self.all_ascii {
                return self.catch_all;
            }
        }
        let lower = cell.to_lowercase();
        self.entries
            .iter()
            .find(|(s, _)| *s == lower)
            .map(|&(_, v)| v)
            .or(self.catch_all)
    }
}

impl Kind {
    /// For an enum, the variant name or string closest to `cell`.
    pub(crate) fn suggest(&self, cell: &str) -> Option<&str> {
        match self {
            Kind::Enum(t) => icp_syntax::did_you_mean(cell, t.originals.iter().map(String::as_str)),
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
            Ty::Enum(id) => Kind::Enum(EnumTable::new(enums.get(id.index())?)),
            Ty::Set(_) => Kind::Set,
            Ty::List(_) => return None,
        })
    }

    /// What the cell should have looked like, for error messages.
    pub(crate) fn expected(&self, ty: &Ty, enums: &[EnumTy]) -> String {
        match self {
            Kind::Bool => "expected `true`, `false`, `yes`, `no`, `1` or `0`".into(),
            Kind::Int => "expected a whole number like `1,200`".into(),
            Kind::Number => "expected a number like `3.5`".into(),
            Kind::Money => "expected money like `$1.2M`, `36.9 M` or `850000`".into(),
            Kind::Percent => "expected a percent like `33.3%` or `33.3`".into(),
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
    match s.len() {
        0 => true,
        1 => s == "-",
        2 => s.eq_ignore_ascii_case("na"),
        3 => s.eq_ignore_ascii_case("n/a"),
        4 => s.eq_ignore_ascii_case("null"),
        _ => false,
    }
}

/// Decodes one trimmed cell. `None` means the column is absent (or the JSON value null).
#[inline]
pub(crate) fn decode<'a>(
    kind: &Kind,
    optional: bool,
    cell: Option<&'a str>,
) -> Result<Value<'a>, Why> {
    let Some(cell) = cell else {
        return if optional {
            Ok(Value::Missing)
        } else {
            Err(Why::Required)
        };
    };
    if let Kind::Set = kind
        && cell.is_empty()
    {
        return Ok(Value::Set(SetVal { raw: "" }));
    }
    if is_missing_token(cell) {
        return if optional {
            Ok(Value::Missing)
        } else {
            Err(Why::Required)
        };
    }
    decode_present(kind, cell).ok_or(Why::Unreadable)
}

fn decode_present<'a>(kind: &Kind, cell: &'a str) -> Option<Value<'a>> {
    Some(match kind {
        Kind::Text => Value::Text(cell),
        Kind::Set => Value::Set(SetVal { raw: cell }),
        Kind::Bool => Value::Bool(parse_bool(cell)?),
        Kind::Int => {
            let n = parse_num(cell, false)?;
            if n.dollar || n.suffix != Suffix::None || n.exponent || n.fraction {
                return None;
            }
            Value::Num(n.value)
        }
        Kind::Number => {
            let n = parse_num(cell, false)?;
            if n.dollar || n.suffix != Suffix::None {
                return None;
            }
            Value::Num(n.value)
        }
        Kind::Money => {
            let n = parse_num(cell, false)?;
            match n.suffix {
                Suffix::None | Suffix::Scale(_) => Value::Num(n.value),
                Suffix::Percent | Suffix::Days(_) => return None,
            }
        }
        Kind::Percent => {
            // The value comes back divided by 100, correctly rounded (`33.3` is 0.333).
            let n = parse_num(cell, true)?;
            if n.dollar || !matches!(n.suffix, Suffix::None | Suffix::Percent) {
                return None;
            }
            Value::Num(n.value)
        }
        Kind::Duration => {
            let n = parse_num(cell, false)?;
            if n.dollar {
                return None;
            }
            match n.suffix {
                Suffix::None => Value::Num(n.value),
                Suffix::Days(d) => Value::Num(n.value * d),
                Suffix::Scale(_) | Suffix::Percent => return None,
            }
        }
        Kind::Date => Value::Num(f64::from(parse_date(cell)?.0)),
        Kind::Enum(table) => Value::Enum(table.lookup(cell)?),
    })
}

fn parse_bool(s: &str) -> Option<bool> {
    const TRUE: [&str; 3] = ["true", "yes", "1"];
    const FALSE: [&str; 3] = ["false", "no", "0"];
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
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    match s.as_bytes().get(10) {
        None => Date::parse_iso(s),
        Some(b'T' | b't' | b' ') => Date::parse_iso(s.get(..10)?),
        Some(_) => None,
    }
}

/// `±mant × 10^(pow − frac_digits)` correctly rounded, when both factors are exact in an
/// f64 (Clinger's fast path): one IEEE multiplication or division rounds once.
fn scaled(
    mant: u64,
    neg: bool,
    digits: usize,
    frac_digits: usize,
    exponent: bool,
    pow: i32,
) -> Option<f64> {
    if exponent || digits > 15 {
        return None;
    }
    let e = i64::from(pow) - frac_digits as i64;
    let p = *POW10.get(usize::try_from(e.unsigned_abs()).ok()?)?;
    let v = if e >= 0 {
        mant as f64 * p
    } else {
        mant as f64 / p
    };
    Some(if neg { -v } else { v })
}

/// Powers of ten exact in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Suffix {
    None,
    Percent,
    /// `K`, `M`, `B`, `thousand`, `million`, `billion`: a power of ten, already applied.
    Scale(i32),
    /// `d` (1) or `w` (7).
    Days(f64),
}

#[derive(Debug, Clone, Copy)]
struct Num {
    value: f64,
    dollar: bool,
    fraction: bool,
    exponent: bool,
    suffix: Suffix,
}

/// Parses `-$1,234.50 M`-like text: sign, `$`, digits with `,` thousands separators, a
/// fraction, an exponent, then an optional suffix. `fraction` is set only when the fraction
/// has a non-zero digit.
#[expect(
    clippy::many_single_char_names,
    reason = "a scanner's offsets and bytes"
)]
/// With `percent`, a number without a `%` is a percent too: the value is divided by 100.
/// Scale suffixes and `%` are applied as powers of ten on the decimal text, so the result
/// is the f64 nearest the exact value (`64.1 M` is 64,100,000, `33.3%` is 0.333), as for
/// literals in programs.
fn parse_num(s: &str, percent: bool) -> Option<Num> {
    let b = s.as_bytes();
    // Fast path: plain digits, exact in an f64.
    if !b.is_empty() && b.len() <= 15 && b.iter().all(u8::is_ascii_digit) {
        let v = b.iter().fold(0u64, |a, &c| a * 10 + u64::from(c - b'0'));
        return Some(Num {
            value: if percent { v as f64 / 100.0 } else { v as f64 },
            dollar: false,
            fraction: false,
            exponent: false,
            suffix: Suffix::None,
        });
    }
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
    let mut buf = [0u8; 40];
    let mut n = 0;
    let mut push = |c: u8, n: &mut usize| -> Option<()> {
        *buf.get_mut(*n)? = c;
        *n += 1;
        Some(())
    };
    if neg {
        push(b'-', &mut n)?;
    }
    let mut digits = 0;
    let mut fraction = false;
    let mut exponent = false;
    // The digits as an integer and the number of them after the point (Clinger's fast
    // path: exact when both are exact in an f64).
    let mut mant = 0u64;
    let mut frac_digits = 0usize;
    // Integer part, with `,` only between digits.
    while let Some(&c) = b.get(i) {
        if c.is_ascii_digit() {
            push(c, &mut n)?;
            digits += 1;
            mant = mant.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
        } else if c == b',' && digits > 0 && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        } else {
            break;
        }
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        push(b'.', &mut n)?;
        i += 1;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            push(c, &mut n)?;
            digits += 1;
            frac_digits += 1;
            mant = mant.wrapping_mul(10).wrapping_add(u64::from(c - b'0'));
            fraction |= c != b'0';
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
        push(b'e', &mut n)?;
        i += 1;
        if let Some(&c @ (b'-' | b'+')) = b.get(i) {
            push(c, &mut n)?;
            i += 1;
        }
        let start = i;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            push(c, &mut n)?;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let rest = s.get(i..)?.trim_start_matches([' ', '\u{a0}']);
    let suffix = match rest.len() {
        0 => Suffix::None,
        1 => match rest.as_bytes().first()?.to_ascii_lowercase() {
            b'%' => Suffix::Percent,
            b'k' => Suffix::Scale(3),
            b'm' => Suffix::Scale(6),
            b'b' => Suffix::Scale(9),
            b'd' => Suffix::Days(1.0),
            b'w' => Suffix::Days(7.0),
            _ => return None,
        },
        _ if rest.eq_ignore_ascii_case("thousand") => Suffix::Scale(3),
        _ if rest.eq_ignore_ascii_case("million") || rest.eq_ignore_ascii_case("mm") => {
            Suffix::Scale(6)
        }
        _ if rest.eq_ignore_ascii_case("billion") || rest.eq_ignore_ascii_case("bn") => {
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
    let value = scaled(mant, neg, digits, frac_digits, exponent, pow).or_else(|| {
        // The slow path: the decimal text with the power of ten as its exponent.
        let text = std::str::from_utf8(buf.get(..n)?).ok()?;
        if pow == 0 {
            text.parse().ok()
        } else if exponent {
            let v: f64 = text.parse().ok()?;
            Some(v * 10f64.powi(pow))
        } else {
            format!("{text}e{pow}").parse().ok()
        }
    })?;
    if !value.is_finite() {
        return None;
    }
    Some(Num {
        value,
        dollar,
        fraction,
        exponent,
        suffix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use icp_model::{Loc, VariantDef};

    fn variant(name: &str, strings: &[&str]) -> VariantDef {
        VariantDef {
            name: name.into(),
            strings: strings.iter().map(|s| (*s).to_string()).collect(),
            loc: Loc::default(),
        }
    }

    fn industry() -> EnumTy {
        EnumTy {
            variants: vec![
                variant("saas", &["Software", "SaaS"]),
                variant("fintech", &["Financial Services"]),
                variant("agency", &[]),
                variant("other", &[]),
            ],
            catch_all: Some(3),
        }
    }

    fn closed() -> EnumTy {
        EnumTy {
            variants: vec![variant("none", &[]), variant("seed", &["Seed round"])],
            catch_all: None,
        }
    }

    fn read(kind: &Kind, cell: &str) -> Result<Value<'static>, Why> {
        let cell: &'static str = Box::leak(cell.to_string().into_boxed_str());
        decode(kind, false, Some(trim(cell)))
    }

    #[test]
    fn numbers() {
        use Value::Num;
        let ok: &[(Kind, &str, f64)] = &[
            (Kind::Int, "40", 40.0),
            (Kind::Int, "1,200", 1200.0),
            (Kind::Int, " 1,200\u{a0}", 1200.0),
            (Kind::Int, "-3", -3.0),
            (Kind::Int, "2.0", 2.0),
            (Kind::Int, "12,345,678", 12_345_678.0),
            (Kind::Number, "3.5", 3.5),
            (Kind::Number, "1e3", 1000.0),
            (Kind::Number, "-0.25", -0.25),
            (Kind::Number, "1,234.5", 1234.5),
            (Kind::Money, "850000", 850_000.0),
            (Kind::Money, "$1,200,000", 1_200_000.0),
            (Kind::Money, "36.9 M", 36_900_000.0),
            (Kind::Money, "2.6 B", 2_600_000_000.0),
            (Kind::Money, "$1.5B", 1_500_000_000.0),
            (Kind::Money, "$100k", 100_000.0),
            (Kind::Money, "$1.82 million", 1_820_000.0),
            (Kind::Money, "3 thousand", 3000.0),
            (Kind::Money, "$2billion", 2_000_000_000.0),
            (Kind::Money, "-$5k", -5000.0),
            (Kind::Money, "$-5k", -5000.0),
            (Kind::Money, "$0", 0.0),
            (Kind::Money, "$ 12", 12.0),
            (Kind::Percent, "33.3%", 0.333),
            (Kind::Money, "64.1 M", 64_100_000.0),
            (Kind::Money, "$2.3M", 2_300_000.0),
            (
                Kind::Money,
                "1.234567890123456789 B",
                1_234_567_890.123_456_8,
            ),
            (Kind::Percent, "33.3", 0.333),
            (Kind::Percent, "33.30%", 0.333),
            (Kind::Percent, "36680%", 366.8),
            (Kind::Percent, "1,200%", 12.0),
            (Kind::Percent, "73 %", 0.73),
            (Kind::Duration, "90", 90.0),
            (Kind::Duration, "90d", 90.0),
            (Kind::Duration, "12w", 84.0),
        ];
        for (kind, cell, want) in ok {
            match read(kind, cell) {
                Ok(Num(got)) => assert!(
                    (got - want).abs() < 1e-9 * want.abs().max(1.0),
                    "{kind:?} {cell:?}: got {got}, want {want}"
                ),
                other => panic!("{kind:?} {cell:?}: got {other:?}, want {want}"),
            }
        }
        let bad: &[(Kind, &str)] = &[
            (Kind::Int, "$0"),
            (Kind::Int, "2.5"),
            (Kind::Int, "$1.82 million"),
            (Kind::Int, "1e3"),
            (Kind::Int, "40%"),
            (Kind::Int, "abc"),
            (Kind::Int, "1,,200"),
            (Kind::Int, ",200"),
            (Kind::Int, "12 people"),
            (Kind::Number, "$3"),
            (Kind::Number, "3M"),
            (Kind::Money, "abc"),
            (Kind::Money, "12%"),
            (Kind::Money, "$"),
            (Kind::Money, "1.2.3"),
            (Kind::Money, "5 zillion"),
            (Kind::Percent, "$5"),
            (Kind::Percent, "5M"),
            (Kind::Percent, "high"),
            (Kind::Duration, "3 months"),
            (Kind::Number, "inf"),
            (Kind::Number, "NaN"),
            (Kind::Number, "1e999"),
            (Kind::Number, "0x10"),
        ];
        for (kind, cell) in bad {
            assert_eq!(read(kind, cell), Err(Why::Unreadable), "{kind:?} {cell:?}");
        }
    }

    #[test]
    fn scaled_values_are_the_nearest_f64() {
        for (kind, cell, want) in [
            (Kind::Money, "64.1 M", 64_100_000.0),
            (Kind::Money, "36.9 M", 36_900_000.0),
            (Kind::Money, "$1.82 million", 1_820_000.0),
            (Kind::Money, "2.6 B", 2_600_000_000.0),
            (Kind::Money, "0.1k", 100.0),
            (Kind::Percent, "33.3%", 0.333),
            (Kind::Percent, "33.30%", 0.333),
            (Kind::Percent, "33.3", 0.333),
            (Kind::Percent, "70%", 0.7),
            (Kind::Percent, "0.1%", 0.001),
            (
                Kind::Percent,
                "12345678901234567.5%",
                123_456_789_012_345.67,
            ),
        ] {
            assert_eq!(read(&kind, cell), Ok(Value::Num(want)), "{cell}");
        }
        // The same as the language's literals: `33.3e-2`, `64.1e6`.
        assert_eq!(
            read(&Kind::Percent, "33.3%"),
            Ok(Value::Num("33.3e-2".parse().unwrap()))
        );
    }

    #[test]
    fn fast_path_parses_like_the_standard_library() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = (x % 16) as usize + 1;
            let text: String = format!("{:016}", x % 10_000_000_000_000_000)
                .chars()
                .take(digits)
                .collect();
            let point = (x >> 40) as usize % (digits + 1);
            let (a, b) = text.split_at(point);
            let s = if b.is_empty() {
                a.to_string()
            } else {
                format!("{}.{b}", if a.is_empty() { "0" } else { a })
            };
            let want: f64 = s.parse().unwrap();
            assert_eq!(parse_num(&s, false).unwrap().value, want, "{s}");
            let neg = format!("-{s}");
            assert_eq!(parse_num(&neg, false).unwrap().value, -want, "{neg}");
        }
    }

    #[test]
    fn missing_tokens() {
        for cell in [
            "", "NA", "na", "N/A", "n/a", "null", "NULL", "-", " NA ", "\u{a0}",
        ] {
            assert_eq!(read(&Kind::Int, cell), Err(Why::Required), "{cell:?}");
            let t = trim(cell);
            assert_eq!(
                decode(&Kind::Money, true, Some(t)),
                Ok(Value::Missing),
                "{cell:?}"
            );
            assert_eq!(
                decode(&Kind::Text, true, Some(t)),
                Ok(Value::Missing),
                "{cell:?}"
            );
        }
        for cell in ["NaN", "none", "--", "nil"] {
            assert!(!is_missing_token(cell), "{cell:?}");
        }
        assert_eq!(decode(&Kind::Int, true, None), Ok(Value::Missing));
        assert_eq!(decode(&Kind::Int, false, None), Err(Why::Required));
        // An empty set cell is the empty set; `NA` is still missing.
        assert_eq!(
            decode(&Kind::Set, false, Some("")),
            Ok(Value::Set(SetVal { raw: "" }))
        );
        assert_eq!(decode(&Kind::Set, true, Some("NA")), Ok(Value::Missing));
        assert_eq!(
            decode(&Kind::Set, false, Some("HubSpot;Salesforce")),
            Ok(Value::Set(SetVal {
                raw: "HubSpot;Salesforce"
            }))
        );
    }

    #[test]
    fn bools_dates_text() {
        for (cell, want) in [
            ("true", true),
            ("TRUE", true),
            ("yes", true),
            ("Yes", true),
            ("1", true),
            ("false", false),
            ("No", false),
            ("0", false),
        ] {
            assert_eq!(read(&Kind::Bool, cell), Ok(Value::Bool(want)), "{cell:?}");
        }
        for cell in ["2", "maybe", "y"] {
            assert_eq!(read(&Kind::Bool, cell), Err(Why::Unreadable), "{cell:?}");
        }
        let day = |s| f64::from(Date::parse_iso(s).unwrap().0);
        for (cell, want) in [
            ("2027-01-31", "2027-01-31"),
            ("2027-01-02T10:00:00Z", "2027-01-02"),
            ("2027-01-02 10:00", "2027-01-02"),
            ("2024-02-29", "2024-02-29"),
        ] {
            assert_eq!(
                read(&Kind::Date, cell),
                Ok(Value::Num(day(want))),
                "{cell:?}"
            );
        }
        for cell in [
            "01/31/2027",
            "2027-02-30",
            "2027-1-5",
            "2027-01-31X",
            "yesterday",
        ] {
            assert_eq!(read(&Kind::Date, cell), Err(Why::Unreadable), "{cell:?}");
        }
        assert_eq!(read(&Kind::Text, "  Acme  "), Ok(Value::Text("Acme")));
        assert_eq!(
            read(&Kind::Text, "\u{a0}Acme\u{a0}"),
            Ok(Value::Text("Acme"))
        );
    }

    #[test]
    fn enums() {
        let open = Kind::Enum(EnumTable::new(&industry()));
        for (cell, want) in [
            ("Software", 0),
            ("software", 0),
            ("SAAS", 0),
            ("saas", 0),
            ("Financial Services", 1),
            ("financial services", 1),
            ("fintech", 1),
            ("Agency", 2),
            ("Advertising & Marketing", 3),
            ("Ünïcode", 3),
        ] {
            assert_eq!(read(&open, cell), Ok(Value::Enum(want)), "{cell:?}");
        }
        let shut = Kind::Enum(EnumTable::new(&closed()));
        assert_eq!(read(&shut, "SEED ROUND"), Ok(Value::Enum(1)));
        assert_eq!(read(&shut, "None"), Ok(Value::Enum(0)));
        assert_eq!(read(&shut, "series_a"), Err(Why::Unreadable));
        assert_eq!(
            shut.expected(&Ty::Enum(icp_model::EnumId(0)), &[closed()]),
            "expected one of `none`, `seed` (`Seed round`)"
        );
        // Non-ASCII strings match case-insensitively too.
        let uni = EnumTy {
            variants: vec![variant("munich", &["München"])],
            catch_all: None,
        };
        let uni = Kind::Enum(EnumTable::new(&uni));
        assert_eq!(read(&uni, "MÜNCHEN"), Ok(Value::Enum(0)));
    }
}
