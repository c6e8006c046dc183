//! Oracle tests: the code each fast piece of decoding replaced, kept here and checked
//! against the fast piece on random input.

use super::*;
use crate::rng;
use icp_model::{Loc, VariantDef};

fn variant(name: &str, strings: &[&str]) -> VariantDef {
    VariantDef {
        name: name.into(),
        strings: strings.iter().map(|s| (*s).to_string()).collect(),
        loc: Loc::default(),
    }
}

/// `parse_num` as it was before the slow path's text was built only on demand.
/// Parses `-$1,234.50 M`-like text: sign, `$`, digits with `,` thousands separators, a
/// fraction, an exponent, then an optional suffix. `fraction` is set only when the fraction
/// has a non-zero digit.
#[expect(
    clippy::many_single_char_names,
    reason = "a scanner's offsets and bytes"
)]
/// With `percent`, a number without a `%` is a percent too: the value is divided by 100.
/// Scale suffixes and `%` are applied as powers of ten on the decimal text, exactly
/// (`64.1 M` is 64,100,000, `33.3%` is 0.333), as for literals in programs.
fn old_parse_num(s: &str, percent: bool) -> Option<Num> {
    let b = s.as_bytes();
    // Fast path: plain digits.
    if !b.is_empty() && b.len() <= 15 && b.iter().all(u8::is_ascii_digit) {
        let v = b.iter().fold(0u64, |a, &c| a * 10 + u64::from(c - b'0'));
        return Some(Num {
            value: if percent {
                scaled_int(v, 2)
            } else {
                Decimal::from(v)
            },
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
    // The digits as an integer and the number of them after the point: a decimal
    // mantissa and scale.
    let mut mant = 0u64;
    let mut frac_digits = 0usize;
    // Integer part, with `,` only between digits.
    let int_start = i;
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
    // Thousands groups (Revision 2): a first group of 1-3 digits not starting with 0, then
    // groups of exactly three.
    let groups: Vec<&str> = s.get(int_start..i)?.split(',').collect();
    if let [first, rest @ ..] = groups.as_slice()
        && !rest.is_empty()
        && (!(1..=3).contains(&first.len())
            || first.starts_with('0')
            || rest.iter().any(|g| g.len() != 3))
    {
        return None;
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
            b'd' => Suffix::Days(1),
            b'w' => Suffix::Days(7),
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
        num::parse_scaled(text, pow)
    })?;
    Some(Num {
        value,
        dollar,
        fraction,
        exponent,
        suffix,
    })
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
        ordered: false,
    }
}

fn closed() -> EnumTy {
    EnumTy {
        variants: vec![variant("none", &[]), variant("seed", &["Seed round"])],
        catch_all: None,
        ordered: false,
    }
}

fn read(kind: &Kind, cell: &str) -> Result<Value<'static>, Why> {
    let cell: &'static str = Box::leak(cell.to_string().into_boxed_str());
    decode(kind, DecimalMark::Point, false, Some(trim(cell)))
}

#[test]
fn numbers() {
    use Value::Num;
    // Every value exactly, as a decimal (hand-computed).
    let ok: &[(Kind, &str, &str)] = &[
        (Kind::Int, "40", "40"),
        (Kind::Int, "1,200", "1200"),
        (Kind::Int, " 1,200\u{a0}", "1200"),
        (Kind::Int, "-3", "-3"),
        (Kind::Int, "2.0", "2"),
        (Kind::Int, "12,345,678", "12345678"),
        (Kind::Number, "3.5", "3.5"),
        (Kind::Number, "1e3", "1000"),
        (Kind::Number, "1.5E-2", "0.015"),
        (Kind::Number, "-0.25", "-0.25"),
        (Kind::Number, "1,234.5", "1234.5"),
        (Kind::Number, "0.1", "0.1"),
        (Kind::Money, "850000", "850000"),
        (Kind::Money, "$1,200,000", "1200000"),
        (Kind::Money, "$1,234.50", "1234.5"),
        (Kind::Money, "36.9 M", "36900000"),
        (Kind::Money, "2.6 B", "2600000000"),
        (Kind::Money, "$1.5B", "1500000000"),
        (Kind::Money, "$100k", "100000"),
        (Kind::Money, "$1.82 million", "1820000"),
        (Kind::Money, "3 thousand", "3000"),
        (Kind::Money, "$2billion", "2000000000"),
        (Kind::Money, "-$5k", "-5000"),
        (Kind::Money, "$-5k", "-5000"),
        (Kind::Money, "$0", "0"),
        (Kind::Money, "$ 12", "12"),
        (Kind::Money, "$0.10", "0.1"),
        (Kind::Percent, "33.3%", "0.333"),
        (Kind::Money, "64.1 M", "64100000"),
        (Kind::Money, "$2.3M", "2300000"),
        (
            Kind::Money,
            "1.234567890123456789 B",
            "1234567890.123456789",
        ),
        (Kind::Percent, "33.3", "0.333"),
        (Kind::Percent, "33.30%", "0.333"),
        (Kind::Percent, "36680%", "366.8"),
        (Kind::Percent, "1,200%", "12"),
        (Kind::Percent, "73 %", "0.73"),
        (Kind::Percent, "85%", "0.85"),
        (Kind::Duration, "90", "90"),
        (Kind::Duration, "90d", "90"),
        (Kind::Duration, "12w", "84"),
        // More digits than a u64 holds: the slow path, still exact.
        (
            Kind::Number,
            "12345678901234567890.123456789",
            "12345678901234567890.123456789",
        ),
        (Kind::Number, "0.1000000000000000000000000000000000", "0.1"),
    ];
    for (kind, cell, want) in ok {
        let want = num::parse(want).unwrap();
        match read(kind, cell) {
            Ok(Num(got)) => assert_eq!(got, want, "{kind:?} {cell:?}"),
            other => panic!("{kind:?} {cell:?}: got {other:?}, want {want}"),
        }
    }
    // Numbers that have no decimal cannot be read: the row is invalid, never misread.
    for (kind, cell) in [
        (Kind::Number, "1e30"),
        (Kind::Money, "$1e30"),
        (Kind::Number, "1234567890123456789012345678901234567890"),
        (Kind::Int, "1234567890123456789012345678901234567890"),
        (Kind::Number, "0.00000000000000000000000000001"),
        (Kind::Money, "99999999999999999999 B"),
    ] {
        assert_eq!(read(&kind, cell), Err(Why::Unreadable), "{kind:?} {cell:?}");
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
        (Kind::Int, "1,20"),
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
fn scaled_values_are_exact() {
    for (kind, cell, want) in [
        (Kind::Money, "64.1 M", "64100000"),
        (Kind::Money, "36.9 M", "36900000"),
        (Kind::Money, "$1.82 million", "1820000"),
        (Kind::Money, "2.6 B", "2600000000"),
        (Kind::Money, "0.1k", "100"),
        (Kind::Percent, "33.3%", "0.333"),
        (Kind::Percent, "33.30%", "0.333"),
        (Kind::Percent, "33.3", "0.333"),
        (Kind::Percent, "70%", "0.7"),
        (Kind::Percent, "0.1%", "0.001"),
        (Kind::Percent, "12345678901234567.5%", "123456789012345.675"),
    ] {
        assert_eq!(
            read(&kind, cell),
            Ok(Value::Num(num::parse(want).unwrap())),
            "{cell}"
        );
    }
    // The same as the language's literals: `33.3%` is `33.3e-2`.
    assert_eq!(
        read(&Kind::Percent, "33.3%"),
        Ok(Value::Num(num::parse("33.3e-2").unwrap()))
    );
}

#[test]
fn fast_path_reads_the_digits_exactly() {
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
        let want = num::parse(&s).unwrap();
        assert_eq!(
            parse_num(s.as_bytes(), false, DecimalMark::Point)
                .unwrap()
                .value,
            want,
            "{s}"
        );
        let neg = format!("-{s}");
        assert_eq!(
            parse_num(neg.as_bytes(), false, DecimalMark::Point)
                .unwrap()
                .value,
            -want,
            "{neg}"
        );
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
            decode(&Kind::Money, DecimalMark::Point, true, Some(t)),
            Ok(Value::Missing),
            "{cell:?}"
        );
        assert_eq!(
            decode(&Kind::Text, DecimalMark::Point, true, Some(t)),
            Ok(Value::Missing),
            "{cell:?}"
        );
    }
    for cell in ["NaN", "none", "--", "nil"] {
        assert!(!is_missing_token(cell), "{cell:?}");
    }
    assert_eq!(
        decode(&Kind::Int, DecimalMark::Point, true, None),
        Ok(Value::Missing)
    );
    assert_eq!(
        decode(&Kind::Int, DecimalMark::Point, false, None),
        Err(Why::Required)
    );
    // An empty set cell is the empty set; `NA` is still missing.
    assert_eq!(
        decode(&Kind::Set, DecimalMark::Point, false, Some("")),
        Ok(Value::Set(SetVal { raw: "" }))
    );
    assert_eq!(
        decode(&Kind::Set, DecimalMark::Point, true, Some("NA")),
        Ok(Value::Missing)
    );
    assert_eq!(
        decode(
            &Kind::Set,
            DecimalMark::Point,
            false,
            Some("HubSpot;Salesforce")
        ),
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
    for cell in ["2", "maybe", "yy"] {
        assert_eq!(read(&Kind::Bool, cell), Err(Why::Unreadable), "{cell:?}");
    }
    let day = |s| Decimal::from(Date::parse_iso(s).unwrap().0);
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

/// The lookup before tables were bucketed by length: a scan of every entry.
fn linear_lookup(t: &EnumTable, cell: &str) -> Option<u32> {
    if cell.is_ascii() {
        if let Some(&(_, v)) = t.entries.iter().find(|(s, _)| s.eq_ignore_ascii_case(cell)) {
            return Some(v);
        }
        if t.entries.iter().all(|(s, _)| s.is_ascii()) {
            return t.catch_all;
        }
    }
    let lower = cell.to_lowercase();
    t.entries
        .iter()
        .find(|(s, _)| *s == lower)
        .map(|&(_, v)| v)
        .or(t.catch_all)
}

/// Random number-like text from pieces of every form `parse_num` reads, and some
/// it refuses.
fn numberish(next: &mut impl FnMut() -> u64) -> String {
    const PIECES: [&str; 34] = [
        "0",
        "1",
        "2",
        "5",
        "9",
        "00",
        "123",
        "4567",
        "99999999",
        "1234567890123",
        ",",
        ",",
        ".",
        ".",
        "-",
        "+",
        "$",
        " ",
        "\u{a0}",
        "e",
        "E",
        "e-",
        "E+",
        "k",
        "M",
        "b",
        "%",
        "d",
        "w",
        "million",
        "BN",
        "thousand",
        "mm",
        "x",
    ];
    let n = next() % 12;
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
    }
    s
}

#[test]
fn parse_num_agrees_with_the_buffering_version() {
    let mut next = rng(0x9e37_79b9_7f4a_7c15);
    let mut cells: Vec<String> = (0..300_000).map(|_| numberish(&mut next)).collect();
    // Long numbers: the slow path's text is capped at 40 bytes.
    for len in 30..45 {
        let digits: String = "1234567890".chars().cycle().take(len).collect();
        for form in [
            "{}", "-{}", "{}.5", "0.{}", "{}e3", "-{}e-2 M", "${}", "{}%",
        ] {
            cells.push(form.replace("{}", &digits));
        }
    }
    let mut read = 0;
    for s in &cells {
        for percent in [false, true] {
            let new = parse_num(s.as_bytes(), percent, DecimalMark::Point);
            let old = old_parse_num(s, percent);
            let key = |n: Option<Num>| {
                n.map(|n| {
                    (
                        n.value.serialize(),
                        n.dollar,
                        n.fraction,
                        n.exponent,
                        n.suffix,
                    )
                })
            };
            assert_eq!(key(new), key(old), "{s:?} percent={percent}");
            read += usize::from(new.is_some());
        }
    }
    assert!(read > 20_000, "{read}");
}

/// `read_money` past `plain_digits` as it was before [`money_shape`].
fn old_read_money(cell: &[u8]) -> Option<Decimal> {
    let n = parse_num(cell, false, DecimalMark::Point)?;
    match n.suffix {
        Suffix::None | Suffix::Scale(_) => Some(n.value),
        Suffix::Percent | Suffix::Days(_) => None,
    }
}

#[test]
fn money_shape_agrees_with_parse_num() {
    let mut next = rng(0x2545_f491_4f6c_dd1d);
    let mut cells: Vec<String> = (0..300_000).map(|_| numberish(&mut next)).collect();
    cells.extend(
        [
            "$1,339,033",
            "$1,207,871,270",
            "1194.5 M",
            "2.6 B",
            "850K",
            "473k",
            "$0,123",
            "$12,34",
            "$1,2345",
            "$,123",
            "1,",
            "$1.",
            "$ 5",
            "12.5  m",
            "99999999999999999999",
            "9999999999999999999.5",
            "18446744073709551615",
            "79228162514264337593543950336",
            "7922816251426433759354395033.5 B",
            "0.0000000000000000001",
        ]
        .map(String::from),
    );
    let mut read = 0;
    for s in &cells {
        let fast = money_shape(s.as_bytes());
        if let Some(v) = fast {
            read += 1;
            let old = old_read_money(s.as_bytes());
            assert_eq!(Some(v.serialize()), old.map(|o| o.serialize()), "{s:?}");
        }
        let new = read_money(s.as_bytes(), DecimalMark::Point);
        let old = match plain_digits(s.as_bytes()) {
            Some(v) => Some(Decimal::from(v)),
            None => old_read_money(s.as_bytes()),
        };
        assert_eq!(
            new.map(|n| n.serialize()),
            old.map(|o| o.serialize()),
            "{s:?}"
        );
    }
    assert!(read > 5_000, "{read}");
}

#[test]
fn parse_date_agrees_with_parse_iso() {
    let old = |s: &str| match s.as_bytes().get(10) {
        None => Date::parse_iso(s),
        Some(b'T' | b't' | b' ') => Date::parse_iso(s.get(..10)?),
        Some(_) => None,
    };
    let mut next = rng(0x2545_f491_4f6c_dd1d);
    let mut cells = vec![
        "2027-01-31".to_string(),
        "0000-01-01".into(),
        "0001-01-01".into(),
        "9999-12-31".into(),
        "2024-02-29".into(),
        "2023-02-29".into(),
        "2027-+1-05".into(),
        "+027-01-05".into(),
        "2027-01-+5".into(),
        "2027-1-05".into(),
        "2027-01-05T".into(),
        "2027-01-05x".into(),
        "2027-01-05 10:00".into(),
        "2027-00-10".into(),
        "2027-13-10".into(),
        "2027-12-00".into(),
        "2027-12-32".into(),
        "2027-04-31".into(),
        "２０２７-01-05".into(),
    ];
    for _ in 0..200_000 {
        let mut b = *b"2026-07-15T00";
        let len = 9 + (next() % 5) as usize;
        for _ in 0..next() % 3 {
            let at = (next() % 13) as usize;
            b[at] = b"0123456789-+T t/"[(next() % 16) as usize];
        }
        for _ in 0..next() % 2 {
            let at = (next() % 10) as usize;
            b[at] = b'0' + (next() % 10) as u8;
        }
        cells.push(String::from_utf8(b[..len].to_vec()).unwrap());
    }
    let mut read = 0;
    for s in &cells {
        assert_eq!(parse_date(s.as_bytes()), old(s), "{s:?}");
        read += usize::from(old(s).is_some());
    }
    assert!(read > 10_000, "{read}");
}

#[test]
fn days_from_civil_is_date_from_ymd() {
    for y in 0..=10_000u32 {
        for m in 0..=13 {
            for d in 0..=32 {
                assert_eq!(
                    days_from_civil(y, m, d),
                    Date::from_ymd(y as i32, m, d).map(|d| d.0),
                    "{y}-{m}-{d}"
                );
            }
        }
    }
}

#[test]
fn lower8_lowercases_ascii_capitals_only() {
    for c in 0..=255u8 {
        for at in 0..8 {
            let w = u64::from(c) << (8 * at) | 0x5a41_7a61_c3c0_5b40_u64 & !(0xff << (8 * at));
            let want: Vec<u8> = w.to_le_bytes().iter().map(u8::to_ascii_lowercase).collect();
            assert_eq!(lower8(w).to_le_bytes().to_vec(), want, "{w:#x}");
        }
    }
}

#[test]
fn enum_lookup_by_length_agrees_with_a_linear_scan() {
    let words = [
        "saas",
        "Software",
        "SaaS",
        "Financial Services",
        "Advertising & Marketing",
        "Health",
        "a",
        "ab",
        "abc",
        "abcd",
        "abcdefg",
        "abcdefgh",
        "abcdefghi",
        "abcdefghijklmnop",
        "abcdefghijklmnopq",
        "abcdefghijklmnopqr stuvwxyz",
        "Series A",
        "series_a",
        "Series C+",
        "München",
        "ÜNÏCODE",
        "straße",
        "\u{212a}elvin",
        "k",
        "K",
        "\u{212a}",
        "İstanbul",
        "@[`{",
        "",
        "Zz",
        "Σ",
        "ς",
    ];
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    // Random variants from the words, some mutated in case.
    let pick = |r: u64| -> String {
        let w = words[(r % words.len() as u64) as usize];
        match (r >> 20) % 4 {
            0 => w.to_uppercase(),
            1 => w.to_lowercase(),
            2 => w
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect(),
            _ => w.to_string(),
        }
    };
    for round in 0..300 {
        let n = (next() % 7) as usize + 1;
        let ty = EnumTy {
            variants: (0..n)
                .map(|i| {
                    let strings: Vec<String> = (0..next() % 4).map(|_| pick(next())).collect();
                    VariantDef {
                        name: format!("{}{i}", pick(next())),
                        strings,
                        loc: Loc::default(),
                    }
                })
                .collect(),
            catch_all: (round % 2 == 0).then_some(0),
            ordered: false,
        };
        let t = EnumTable::new(&ty);
        let mut cells: Vec<String> = (0..40).map(|_| pick(next())).collect();
        cells.extend(t.entries.iter().map(|(s, _)| s.to_uppercase()));
        cells.extend(ty.variants.iter().flat_map(|v| v.strings.clone()));
        cells.extend(ty.variants.iter().map(|v| v.name.clone()));
        for cell in &cells {
            assert_eq!(
                t.lookup(cell.as_bytes()),
                linear_lookup(&t, cell),
                "{cell:?} in {:?}",
                t.entries
            );
        }
    }
}

#[test]
fn enums() {
    let open = Kind::Enum(Box::new(EnumTable::new(&industry())));
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
    let shut = Kind::Enum(Box::new(EnumTable::new(&closed())));
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
        ordered: false,
    };
    let uni = Kind::Enum(Box::new(EnumTable::new(&uni)));
    assert_eq!(read(&uni, "MÜNCHEN"), Ok(Value::Enum(0)));
}

/// Revision 2, "Reading numbers": `,` groups thousands only in groups of exactly three
/// digits after a first group of 1-3 (not starting with 0); anything else is unreadable,
/// never misread. With a decimal comma, `.` groups and `,` is the point.
#[test]
fn thousands_groups_are_strict() {
    use DecimalMark::{Comma, Point};
    let ok: &[(Kind, DecimalMark, &str, &str)] = &[
        (Kind::Int, Point, "1,200", "1200"),
        (Kind::Int, Point, "999", "999"),
        (Kind::Int, Point, "-1,000", "-1000"),
        (Kind::Int, Point, "12,345,678", "12345678"),
        (Kind::Int, Point, "2.0", "2"),
        (Kind::Int, Point, "1,200.00", "1200"),
        (Kind::Number, Point, "12,345,678.5", "12345678.5"),
        (Kind::Number, Point, "123,456.25", "123456.25"),
        (Kind::Number, Point, "1234.5", "1234.5"),
        (Kind::Money, Point, "$1,200", "1200"),
        (Kind::Money, Point, "$1,200.50 M", "1200500000"),
        (Kind::Money, Point, "-$1,000k", "-1000000"),
        (Kind::Percent, Point, "1,200%", "12"),
        (Kind::Percent, Point, "1,200", "12"),
        (Kind::Duration, Point, "1,000d", "1000"),
        (Kind::Int, Comma, "1.200", "1200"),
        (Kind::Int, Comma, "2,0", "2"),
        (Kind::Int, Comma, "12.345.678", "12345678"),
        (Kind::Number, Comma, "1.200,50", "1200.5"),
        (Kind::Number, Comma, "3,5", "3.5"),
        (Kind::Number, Comma, "1234,5", "1234.5"),
        (Kind::Money, Comma, "$1.200,50 M", "1200500000"),
        (Kind::Money, Comma, "36,9 M", "36900000"),
        (Kind::Percent, Comma, "33,3%", "0.333"),
        (Kind::Percent, Comma, "33,3", "0.333"),
        (Kind::Percent, Comma, "1.200%", "12"),
        (Kind::Fraction, Point, "0.35", "0.35"),
        (Kind::Fraction, Point, "35%", "0.35"),
        (Kind::Fraction, Point, "1", "1"),
        (Kind::Fraction, Comma, "0,35", "0.35"),
    ];
    for (kind, decimal, cell, want) in ok {
        let got = decode(kind, *decimal, false, Some(cell));
        match got {
            Ok(Value::Num(got)) => assert_eq!(
                Some(got),
                num::parse(want),
                "{kind:?} {decimal:?} {cell:?}: got {got}, want {want}"
            ),
            other => panic!("{kind:?} {decimal:?} {cell:?}: got {other:?}, want {want}"),
        }
    }
    let bad: &[(Kind, DecimalMark, &str)] = &[
        (Kind::Number, Point, "12,5"),
        (Kind::Int, Point, "1,20"),
        (Kind::Int, Point, "1,000,00"),
        (Kind::Int, Point, "1234,567"),
        (Kind::Int, Point, "1,2345"),
        (Kind::Int, Point, "0,123"),
        (Kind::Int, Point, "1,000,0000"),
        (Kind::Number, Point, "1,20.5"),
        (Kind::Number, Point, "12,5.0"),
        (Kind::Number, Point, "1.200,50"),
        (Kind::Money, Point, "$12,5"),
        (Kind::Money, Point, "$1,20 M"),
        (Kind::Money, Point, "1,000,00k"),
        (Kind::Percent, Point, "12,5%"),
        (Kind::Percent, Point, "1,20"),
        (Kind::Duration, Point, "1,0d"),
        (Kind::Fraction, Point, "0,35"),
        (Kind::Fraction, Point, "$0.35"),
        (Kind::Int, Comma, "1.20"),
        (Kind::Int, Comma, "1.000.00"),
        (Kind::Number, Comma, "1.5"),
        (Kind::Number, Comma, "1,200.50"),
        (Kind::Money, Comma, "$1.20 M"),
        (Kind::Percent, Comma, "33.3%"),
    ];
    for (kind, decimal, cell) in bad {
        assert_eq!(
            decode(kind, *decimal, false, Some(cell)),
            Err(Why::Unreadable),
            "{kind:?} {decimal:?} {cell:?}"
        );
    }
}

#[test]
fn booleans_read_every_form_in_any_case() {
    for (cell, want) in [
        ("true", true),
        ("TRUE", true),
        ("Yes", true),
        ("y", true),
        ("Y", true),
        ("1", true),
        ("false", false),
        ("No", false),
        ("n", false),
        ("N", false),
        ("0", false),
        (" yes ", true),
    ] {
        assert_eq!(read(&Kind::Bool, cell), Ok(Value::Bool(want)), "{cell:?}");
    }
    for cell in ["t", "f", "ye", "2", "on", "off", "yes please"] {
        assert_eq!(read(&Kind::Bool, cell), Err(Why::Unreadable), "{cell:?}");
    }
}

#[test]
fn decimal_settings() {
    assert_eq!(DecimalMark::from_setting(","), Some(DecimalMark::Comma));
    assert_eq!(DecimalMark::from_setting(" . "), Some(DecimalMark::Point));
    assert_eq!(DecimalMark::from_setting(";"), None);
    assert_eq!(DecimalMark::default(), DecimalMark::Point);
}

/// `read_money` as it was before `money_shape` read plain digits too.
fn old_read_money_first_digits(cell: &[u8], decimal: DecimalMark) -> Option<Decimal> {
    if let Some(v) = plain_digits(cell) {
        return Some(scaled_int(v, 0));
    }
    if decimal == DecimalMark::Point
        && let Some(v) = money_shape(cell)
    {
        return Some(v);
    }
    let n = parse_num(cell, false, decimal)?;
    match n.suffix {
        Suffix::None | Suffix::Scale(_) => Some(n.value),
        Suffix::Percent | Suffix::Days(_) => None,
    }
}

/// Cells of every kind's forms, and some that no kind reads.
fn cellish(next: &mut impl FnMut() -> u64) -> String {
    const WORDS: [&str; 40] = [
        "NA",
        "na",
        "N/A",
        "n/a",
        "null",
        "NULL",
        "-",
        "--",
        "n",
        "N",
        "no",
        "No",
        "nan",
        "None",
        "none",
        "nul",
        "-5",
        "-$5k",
        "true",
        "yes",
        "Y",
        "1",
        "0",
        "false",
        "2027-01-31",
        "2026-02-29",
        "2024-02-29T10:00:00Z",
        "2027-1-31",
        "Software",
        "software",
        "Financial Services",
        "seed",
        "Seed round",
        "saas",
        "[\"a\"]",
        "[1",
        "a;b",
        "12w",
        "90d",
        "x y",
    ];
    if next().is_multiple_of(2) {
        return numberish(next);
    }
    let mut s = String::from(WORDS[(next() % WORDS.len() as u64) as usize]);
    if next().is_multiple_of(8) {
        s.push_str(WORDS[(next() % WORDS.len() as u64) as usize]);
    }
    s
}

#[test]
fn decode_plain_agrees_with_decode() {
    let enums = [industry(), closed()];
    let kinds = [
        Kind::Bool,
        Kind::Int,
        Kind::Number,
        Kind::Money,
        Kind::Percent,
        Kind::Fraction,
        Kind::Text,
        Kind::Date,
        Kind::Duration,
        Kind::Set,
        Kind::Enum(Box::new(EnumTable::new(&enums[0]))),
        Kind::Enum(Box::new(EnumTable::new(&enums[1]))),
    ];
    let mut next = rng(0x0123_4567_89ab_cdef);
    let mut plain = 0;
    for _ in 0..16_000 {
        let cell = cellish(&mut next);
        let b = cell.as_bytes();
        if !(b.first().is_some_and(u8::is_ascii_graphic)
            && b.last().is_some_and(u8::is_ascii_graphic))
        {
            continue;
        }
        plain += 1;
        for decimal in [DecimalMark::Point, DecimalMark::Comma] {
            assert_eq!(
                read_money(b, decimal).map(|d| d.serialize()),
                old_read_money_first_digits(b, decimal).map(|d| d.serialize()),
                "{cell:?}"
            );
            for kind in &kinds {
                for optional in [false, true] {
                    let want = decode(kind, decimal, optional, Some(trim(&cell)));
                    // A value no branch writes, to see that each writes its own.
                    let mut slot = Value::Bool(true);
                    let got =
                        match decode_plain(kind, decimal, optional, b, || Some(&cell), &mut slot) {
                            Plain::Done => Ok(slot),
                            Plain::Failed(why) => Err(why),
                            Plain::Text => panic!("{cell:?}: text is given"),
                        };
                    assert_eq!(
                        format!("{got:?}"),
                        format!("{want:?}"),
                        "{cell:?} as {kind:?}, {decimal:?}, optional {optional}"
                    );
                }
            }
        }
    }
    assert!(plain > 5_000, "{plain}");
}
