//! The yardstick: bench/profile.icp (profile `growth`) written by hand in Rust, as fast as
//! we reasonably know how, so that `icp score` has a bar to be measured against.
//!
//! ```text
//! yardstick ACCOUNTS.csv OUT.csv --as-of 2027-02-15 [--threads N]
//! ```
//!
//! Pipeline: a reader thread cuts the input into ~1 MiB blocks at record boundaries
//! (quote-aware, memchr); N workers split each block's records by hand (memchr) into reused field spans,
//! decode the cells in place (no per-row allocation: values are numbers, bit sets and
//! borrowed bytes), score, and format the output rows into a reused per-block buffer; the
//! main thread writes blocks in input order. Buffers travel back to be reused, and the
//! number of blocks in flight is bounded, so memory stays flat however large the input.
//!
//! Reading rules are LANGUAGE.md "Reading data"; text folding is ASCII-only (the
//! generator's compared columns are ASCII).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread;

const BLOCK: usize = 1 << 20;

// ---------------------------------------------------------------------------------------
// Reading cells

fn trim(mut s: &[u8]) -> &[u8] {
    loop {
        match s {
            [b' ' | b'\t' | b'\r' | b'\n', rest @ ..] => s = rest,
            [0xC2, 0xA0, rest @ ..] => s = rest,
            [rest @ .., b' ' | b'\t' | b'\r' | b'\n'] => s = rest,
            [rest @ .., 0xC2, 0xA0] => s = rest,
            _ => return s,
        }
    }
}

fn is_missing_token(t: &[u8]) -> bool {
    t.is_empty()
        || t.eq_ignore_ascii_case(b"na")
        || t.eq_ignore_ascii_case(b"n/a")
        || t.eq_ignore_ascii_case(b"null")
        || t == b"-"
}

/// Digits with optional `,` thousands groups (`1,200`), then optional `.digits`.
/// Returns (mantissa of all digits, number of fraction digits, bytes consumed).
fn number_prefix(s: &[u8], allow_fraction: bool) -> Option<(u64, u32, usize)> {
    let mut i = 0;
    let mut mant: u64 = 0;
    let mut lead = 0;
    while let Some(&c) = s.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        mant = mant.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
        i += 1;
        lead += 1;
    }
    if lead == 0 {
        return None;
    }
    if s.get(i) == Some(&b',') {
        if lead > 3 {
            return None;
        }
        while s.get(i) == Some(&b',') {
            let g = s.get(i + 1..i + 4)?;
            if !g.iter().all(u8::is_ascii_digit) {
                return None;
            }
            for &c in g {
                mant = mant.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            }
            i += 4;
        }
        if s.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
    }
    let mut frac = 0u32;
    if allow_fraction && s.get(i) == Some(&b'.') {
        let start = i + 1;
        let mut j = start;
        while let Some(&c) = s.get(j) {
            if !c.is_ascii_digit() {
                break;
            }
            mant = mant.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            j += 1;
        }
        if j == start {
            return None;
        }
        frac = (j - start) as u32;
        i = j;
    }
    Some((mant, frac, i))
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `mant × 10^exp`, correctly rounded (exact integer to f64, or one exact division).
fn scaled(mant: u64, exp: i32) -> Option<f64> {
    if exp >= 0 {
        let m = u128::from(mant).checked_mul(10u128.checked_pow(exp as u32)?)?;
        Some(m as f64)
    } else {
        Some(mant as f64 / *POW10.get((-exp) as usize)?)
    }
}

fn read_int(t: &[u8]) -> Option<f64> {
    let (m, _, n) = number_prefix(t, false)?;
    (n == t.len()).then_some(m as f64)
}

fn read_money(t: &[u8]) -> Option<f64> {
    let s = t.strip_prefix(b"$").unwrap_or(t);
    let (m, frac, n) = number_prefix(s, true)?;
    let rest = trim(s.get(n..)?);
    let e = if rest.is_empty() {
        0
    } else if rest.eq_ignore_ascii_case(b"k") || rest.eq_ignore_ascii_case(b"thousand") {
        3
    } else if rest.eq_ignore_ascii_case(b"m") || rest.eq_ignore_ascii_case(b"million") {
        6
    } else if rest.eq_ignore_ascii_case(b"b") || rest.eq_ignore_ascii_case(b"billion") {
        9
    } else {
        return None;
    };
    // `36.9 M` = 369 × 10^5
    scaled(m, e - frac as i32)
}

fn read_percent(t: &[u8]) -> Option<f64> {
    let (m, frac, n) = number_prefix(t, true)?;
    let rest = trim(t.get(n..)?);
    if !(rest.is_empty() || rest == b"%") {
        return None;
    }
    // the number as f64 (correctly rounded), then / 100
    Some(scaled(m, -(frac as i32))? / 100.0)
}

/// Days since 1970-01-01 of a valid `YYYY-MM-DD`.
fn read_date(t: &[u8]) -> Option<i64> {
    if t.len() != 10 || t.get(4) != Some(&b'-') || t.get(7) != Some(&b'-') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let d = t.get(r)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(d.iter().fold(0i64, |a, &c| a * 10 + i64::from(c - b'0')))
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mdays = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d < 1 || d > *mdays.get((m - 1) as usize)? {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Industry {
    Saas,
    Fintech,
    Agency,
    Health,
    Other,
}

fn read_industry(t: &[u8]) -> Industry {
    let is = |s: &[u8]| t.eq_ignore_ascii_case(s);
    if is(b"software") || is(b"saas") {
        Industry::Saas
    } else if is(b"financial services") || is(b"fintech") {
        Industry::Fintech
    } else if is(b"advertising & marketing") || is(b"agency") {
        Industry::Agency
    } else if is(b"health") {
        Industry::Health
    } else {
        Industry::Other
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Funding {
    None,
    Seed,
    SeriesA,
    SeriesB,
    Later,
    Public,
}

fn read_funding(t: &[u8]) -> Option<Funding> {
    let is = |s: &[u8]| t.eq_ignore_ascii_case(s);
    Some(if is(b"none") {
        Funding::None
    } else if is(b"seed") {
        Funding::Seed
    } else if is(b"series a") || is(b"series_a") {
        Funding::SeriesA
    } else if is(b"series b") || is(b"series_b") {
        Funding::SeriesB
    } else if is(b"series c+") || is(b"private equity") || is(b"later") {
        Funding::Later
    } else if is(b"public") || is(b"ipo") {
        Funding::Public
    } else {
        return None;
    })
}

const HUBSPOT: u8 = 1;
const SALESFORCE: u8 = 2;
const SEGMENT: u8 = 4;
const GOOGLE_ANALYTICS: u8 = 8;
const MARKETO: u8 = 16;

/// The set items the profile asks about, as bits (membership is exact, case-sensitive).
fn read_tech(t: &[u8]) -> u8 {
    let mut bits = 0;
    for item in t.split(|&c| matches!(c, b';' | b'|' | b',' | 0x1f)) {
        bits |= match trim(item) {
            b"HubSpot" => HUBSPOT,
            b"Salesforce" => SALESFORCE,
            b"Segment" => SEGMENT,
            b"Google Analytics" => GOOGLE_ANALYTICS,
            b"Marketo" => MARKETO,
            _ => 0,
        };
    }
    bits
}

// ---------------------------------------------------------------------------------------
// One row

struct Row<'a> {
    id: &'a [u8],
    industry: Industry,
    employees: Option<f64>,
    marketers: Option<f64>,
    revenue: Option<f64>,
    country: &'a [u8],
    funding: Option<Funding>,
    tech: Option<u8>,
    intent: Option<f64>,
    last_touch: Option<i64>,
}

#[derive(Clone, Copy)]
enum Col {
    Id,
    Name,
    Industry,
    Employees,
    Marketers,
    Revenue,
    Country,
    Funding,
    Tech,
    Intent,
    LastTouch,
}

const COLUMNS: [(Col, &str); 11] = [
    (Col::Id, "Record ID"),
    (Col::Name, "Company name"),
    (Col::Industry, "Industry"),
    (Col::Employees, "Number of Employees"),
    (Col::Marketers, "Marketers"),
    (Col::Revenue, "Annual Revenue"),
    (Col::Country, "Country"),
    (Col::Funding, "Funding"),
    (Col::Tech, "Technologies"),
    (Col::Intent, "Intent"),
    (Col::LastTouch, "Last touch"),
];

/// Why a row is invalid: (column, raw value, what it should be).
struct Bad<'a> {
    column: &'static str,
    raw: &'a [u8],
    kind: &'static str,
    missing: bool,
}

fn decode<'a>(rec: &Rec<'a>, idx: &[usize; 11]) -> Result<Row<'a>, Bad<'a>> {
    let mut row = Row {
        id: b"",
        industry: Industry::Other,
        employees: None,
        marketers: None,
        revenue: None,
        country: b"",
        funding: None,
        tech: None,
        intent: None,
        last_touch: None,
    };
    for (&(col, column), &i) in COLUMNS.iter().zip(idx) {
        let raw = rec.get(i).ok_or(Bad { column, raw: b"", kind: "a value", missing: true })?;
        let t = trim(raw);
        let bad = |kind| Bad { column, raw, kind, missing: false };
        let miss = |kind| Bad { column, raw, kind, missing: true };
        if matches!(col, Col::Tech) && t.is_empty() {
            row.tech = Some(0);
            continue;
        }
        if is_missing_token(t) {
            match col {
                Col::Id | Col::Name | Col::Country => return Err(miss("text")),
                Col::Industry => return Err(miss("enum")),
                _ => continue, // optional: stays None
            }
        }
        match col {
            Col::Id => row.id = t,
            Col::Name => {}
            Col::Industry => row.industry = read_industry(t),
            Col::Employees => row.employees = Some(read_int(t).ok_or_else(|| bad("int"))?),
            Col::Marketers => row.marketers = Some(read_int(t).ok_or_else(|| bad("int"))?),
            Col::Revenue => row.revenue = Some(read_money(t).ok_or_else(|| bad("money"))?),
            Col::Country => row.country = t,
            Col::Funding => row.funding = Some(read_funding(t).ok_or_else(|| bad("enum"))?),
            Col::Tech => row.tech = Some(read_tech(t)),
            Col::Intent => row.intent = Some(read_percent(t).ok_or_else(|| bad("percent"))?),
            Col::LastTouch => row.last_touch = Some(read_date(t).ok_or_else(|| bad("date"))?),
        }
    }
    Ok(row)
}

// ---------------------------------------------------------------------------------------
// Scoring: Option<bool> is three-valued logic (None = unknown)

fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

fn ge(a: Option<f64>, b: f64) -> Option<bool> {
    a.map(|a| a >= b)
}

fn within(a: Option<f64>, lo: f64, hi: f64) -> Option<bool> {
    a.map(|a| lo <= a && a <= hi)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fit {
    Unknown,
    No,
    Practical,
    Perfect,
}

fn scorecard(perfect: Option<bool>, practical: Option<bool>) -> Fit {
    match (perfect, practical) {
        (None, _) => Fit::Unknown,
        (Some(true), _) => Fit::Perfect,
        (Some(false), None) => Fit::Unknown,
        (Some(false), Some(true)) => Fit::Practical,
        (Some(false), Some(false)) => Fit::No,
    }
}

impl From<Option<bool>> for Fit {
    fn from(b: Option<bool>) -> Fit {
        match b {
            None => Fit::Unknown,
            Some(true) => Fit::Perfect,
            Some(false) => Fit::No,
        }
    }
}

/// (name, weight) in declaration order.
const CRITERIA: [(&str, f64); 12] = [
    ("urgent_need", 15.0),
    ("recent", 10.0),
    ("size", 20.0),
    ("budget", 25.0),
    ("efficient", 5.0),
    ("funded", 8.0),
    ("stack", 10.0),
    ("modern", 6.0),
    ("team", 7.0),
    ("industry_fit", 12.0),
    ("home_market", 4.0),
    ("legacy_tool", -10.0),
];
/// The reason text of each criterion: (perfect or true, practical).
const REASONS: [(&str, &str); 12] = [
    ("urgent_need +15", "urgent_need +7.5 (practical)"),
    ("recent +10", ""),
    ("size +20", "size +10 (practical)"),
    ("budget +25", "budget +12.5 (practical)"),
    ("efficient +5", ""),
    ("funded +8", ""),
    ("stack +10", ""),
    ("modern +6", ""),
    ("team +7", ""),
    ("industry_fit +12", ""),
    ("home_market +4", ""),
    ("legacy_tool -10", ""),
];
const POSITIVE: f64 = 122.0;
const TOTAL: f64 = 132.0;
const PRACTICAL_SHARE: f64 = 0.5;
const FULL_UI: bool = false;

struct Scored {
    score: f64,
    coverage: f64,
    tier: &'static str,
    fits: [Fit; 12],
    excl: [Option<bool>; 2],
}

fn score(r: &Row<'_>, today: i64) -> Scored {
    let emp = r.employees;
    let mk = r.marketers;
    let rpe = match (r.revenue, emp) {
        (Some(rev), Some(e)) if e != 0.0 => Some(rev / e),
        _ => None,
    };
    let has = |bit: u8| r.tech.map(|t| t & bit != 0);
    let funding_in = |fs: &[Funding]| r.funding.map(|f| fs.contains(&f));
    let fits = [
        scorecard(ge(r.intent, 70.0 / 100.0), ge(r.intent, 40.0 / 100.0)),
        Fit::from(r.last_touch.map(|d| d >= today - 90)),
        scorecard(within(emp, 50.0, 500.0), within(emp, 10.0, 2000.0)),
        scorecard(ge(r.revenue, 10e6), ge(r.revenue, 2e6)),
        Fit::from(ge(rpe, 100e3)),
        Fit::from(funding_in(&[Funding::SeriesA, Funding::SeriesB, Funding::Later])),
        Fit::from(or(has(HUBSPOT), has(SALESFORCE))),
        Fit::from(and(has(SEGMENT), has(GOOGLE_ANALYTICS))),
        Fit::from(or(
            ge(mk, 3.0),
            and(Some(mk.unwrap_or(0.0) >= 1.0), emp.map(|e| e < 50.0)),
        )),
        Fit::from(Some(matches!(r.industry, Industry::Saas | Industry::Fintech | Industry::Agency))),
        Fit::from(Some(
            r.country.eq_ignore_ascii_case(b"us")
                || r.country.eq_ignore_ascii_case(b"canada")
                || r.country.eq_ignore_ascii_case(b"uk"),
        )),
        Fit::from(has(MARKETO)),
    ];
    let mut points = 0.0;
    let mut decided = 0.0;
    for (&(_, w), &f) in CRITERIA.iter().zip(&fits) {
        match f {
            Fit::Unknown => continue,
            Fit::Perfect => points += w,
            Fit::Practical => points += w * PRACTICAL_SHARE,
            Fit::No => {}
        }
        decided += w.abs();
    }
    let score = (100.0 * points / POSITIVE).clamp(0.0, 100.0);
    let excl = [
        mk.map(|m| m == 0.0),
        and(Some(!FULL_UI), r.funding.map(|f| f == Funding::Public)),
    ];
    let mary = and(within(emp, 10.0, 1000.0), ge(mk, 1.0));
    let funded = and(funding_in(&[Funding::Seed, Funding::SeriesA]), ge(emp, 5.0));
    let tier = if or(mary, funded) != Some(true) {
        "out_of_segment"
    } else if excl.contains(&Some(true)) {
        "excluded"
    } else if score >= 75.0 {
        "ideal"
    } else if score >= 45.0 {
        "practical"
    } else {
        "not_fit"
    };
    Scored { score, coverage: decided / TOTAL, tier, fits, excl }
}

const EXCLUSIONS: [(&str, &str); 2] =
    [("no_marketer", "No full-time marketer"), ("needs_ui", "Needs a full UI we do not have")];

fn write_reasons(s: &Scored, out: &mut String) {
    out.clear();
    let mut first = true;
    let mut sep = |out: &mut String| {
        if !first {
            out.push_str("; ");
        }
        first = false;
    };
    let mut n_true = 0;
    for (&(name, why), &v) in EXCLUSIONS.iter().zip(&s.excl) {
        if v == Some(true) {
            if n_true == 0 {
                sep(out);
                out.push_str("excluded: ");
            } else {
                out.push_str(", ");
            }
            out.push_str(name);
            out.push_str(" (");
            out.push_str(why);
            out.push(')');
            n_true += 1;
        }
    }
    for (&(perfect, practical), &f) in REASONS.iter().zip(&s.fits) {
        let text = match f {
            Fit::Perfect => perfect,
            Fit::Practical => practical,
            _ => continue,
        };
        sep(out);
        out.push_str(text);
    }
    let mut n_unknown = 0;
    let unknown = CRITERIA
        .iter()
        .zip(&s.fits)
        .filter(|&(_, &f)| f == Fit::Unknown)
        .map(|(&(n, _), _)| n)
        .chain(EXCLUSIONS.iter().zip(&s.excl).filter(|&(_, v)| v.is_none()).map(|(&(n, _), _)| n));
    for name in unknown {
        if n_unknown == 0 {
            sep(out);
            out.push_str("unknown: ");
        } else {
            out.push_str(", ");
        }
        out.push_str(name);
        n_unknown += 1;
    }
}

// ---------------------------------------------------------------------------------------
// Output

fn csv_field(out: &mut Vec<u8>, s: &[u8]) {
    if memchr::memchr3(b',', b'"', b'\n', s).is_none() && memchr::memchr(b'\r', s).is_none() {
        out.extend_from_slice(s);
        return;
    }
    out.push(b'"');
    let mut rest = s;
    while let Some(i) = memchr::memchr(b'"', rest) {
        out.extend_from_slice(rest.get(..=i).unwrap_or_default());
        out.push(b'"');
        rest = rest.get(i + 1..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// `x` (0 ..= 100) with 2 decimals. Rounding x × 100 to an integer equals correct
/// decimal rounding here: this profile's scores and coverages are never within float
/// error of a tie (see profile.icp).
fn fixed2(out: &mut Vec<u8>, x: f64) {
    let cents = (x * 100.0).round() as u64;
    let whole = cents / 100;
    let frac = cents % 100;
    if whole >= 100 {
        out.push(b'0' + (whole / 100) as u8);
    }
    if whole >= 10 {
        out.push(b'0' + (whole / 10 % 10) as u8);
    }
    out.push(b'0' + (whole % 10) as u8);
    out.push(b'.');
    out.push(b'0' + (frac / 10) as u8);
    out.push(b'0' + (frac % 10) as u8);
}

/// Byte ranges of one record's fields: in the block, or in the arena for quoted fields
/// with `""` escapes.
#[derive(Default)]
struct Fields {
    spans: Vec<(u32, u32, bool)>,
    arena: Vec<u8>,
}

/// One record's fields, borrowed.
struct Rec<'a> {
    block: &'a [u8],
    f: &'a Fields,
}

impl<'a> Rec<'a> {
    fn get(&self, i: usize) -> Option<&'a [u8]> {
        let &(a, b, in_arena) = self.f.spans.get(i)?;
        let src = if in_arena { &self.f.arena[..] } else { self.block };
        src.get(a as usize..b as usize)
    }
}

/// Splits the record at `pos` (RFC 4180: `,` separators, `"` quoting with `""` escapes,
/// LF or CRLF line ends; blank lines skipped). Returns the position after it, or `None`
/// at the end of the block.
fn next_record(block: &[u8], mut pos: usize, f: &mut Fields) -> Option<usize> {
    // skip blank lines
    loop {
        match block.get(pos..)? {
            [] => return None,
            [b'\n', ..] => pos += 1,
            [b'\r', b'\n', ..] => pos += 2,
            _ => break,
        }
    }
    f.spans.clear();
    f.arena.clear();
    loop {
        let rest = block.get(pos..).unwrap_or_default();
        if rest.first() == Some(&b'"') {
            // quoted field: find the closing quote, noting `""` escapes
            let mut i = pos + 1;
            let mut escaped = false;
            let close = loop {
                match memchr::memchr(b'"', block.get(i..).unwrap_or_default()) {
                    None => break block.len(),
                    Some(q) if block.get(i + q + 1) == Some(&b'"') => {
                        escaped = true;
                        i += q + 2;
                    }
                    Some(q) => break i + q,
                }
            };
            let raw = block.get(pos + 1..close).unwrap_or_default();
            if escaped {
                let a = f.arena.len();
                let mut r = raw;
                while let Some(q) = memchr::memchr(b'"', r) {
                    f.arena.extend_from_slice(r.get(..=q).unwrap_or_default());
                    r = r.get(q + 2..).unwrap_or_default();
                }
                f.arena.extend_from_slice(r);
                f.spans.push((a as u32, f.arena.len() as u32, true));
            } else {
                f.spans.push(((pos + 1) as u32, close as u32, false));
            }
            // after the closing quote: up to the next separator (stray bytes are dropped)
            let after = (close + 1).min(block.len());
            match memchr::memchr2(b',', b'\n', block.get(after..).unwrap_or_default()) {
                Some(d) if block.get(after + d) == Some(&b',') => pos = after + d + 1,
                Some(d) => return Some(after + d + 1),
                None => return Some(block.len()),
            }
        } else {
            match memchr::memchr2(b',', b'\n', rest) {
                Some(d) if rest.get(d) == Some(&b',') => {
                    f.spans.push((pos as u32, (pos + d) as u32, false));
                    pos += d + 1;
                }
                Some(d) => {
                    let end = if d > 0 && rest.get(d - 1) == Some(&b'\r') { d - 1 } else { d };
                    f.spans.push((pos as u32, (pos + end) as u32, false));
                    return Some(pos + d + 1);
                }
                None => {
                    let end = if rest.last() == Some(&b'\r') { rest.len() - 1 } else { rest.len() };
                    f.spans.push((pos as u32, (pos + end) as u32, false));
                    return Some(block.len());
                }
            }
        }
    }
}

struct Worker {
    fields: Fields,
    reasons: String,
}

fn score_block(
    w: &mut Worker,
    block: &[u8],
    first_row: u64,
    idx: &[usize; 11],
    today: i64,
    out: &mut Vec<u8>,
) {
    out.clear();
    let mut row_no = first_row;
    let mut pos = 0;
    while let Some(next) = next_record(block, pos, &mut w.fields) {
        pos = next;
        row_no += 1;
        let rec = Rec { block, f: &w.fields };
        match decode(&rec, idx) {
            Ok(row) => {
                let s = score(&row, today);
                csv_field(out, row.id);
                out.push(b',');
                fixed2(out, s.score);
                out.push(b',');
                out.extend_from_slice(s.tier.as_bytes());
                out.push(b',');
                fixed2(out, s.coverage);
                out.push(b',');
                write_reasons(&s, &mut w.reasons);
                csv_field(out, w.reasons.as_bytes());
                out.extend_from_slice(b",\n");
            }
            Err(bad) => {
                let id = rec.get(idx[0]).map_or(&b""[..], trim);
                csv_field(out, id);
                out.extend_from_slice(b",,invalid,,,");
                w.reasons.clear();
                let raw = String::from_utf8_lossy(bad.raw);
                let _ = if bad.missing {
                    write!(
                        w.reasons,
                        "row {row_no}: column `{}`: missing value `{raw}` in a required {} field",
                        bad.column, bad.kind
                    )
                } else {
                    write!(
                        w.reasons,
                        "row {row_no}: column `{}`: cannot read `{raw}` as {}",
                        bad.column, bad.kind
                    )
                };
                csv_field(out, w.reasons.as_bytes());
                out.push(b'\n');
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Plumbing

struct Job {
    seq: u64,
    first_row: u64,
    data: Vec<u8>,
}

/// Position after the last newline outside quotes, and the number of such newlines.
fn cut(buf: &[u8]) -> (Option<usize>, u64) {
    let mut in_quote = false;
    let mut last = None;
    let mut n = 0;
    for i in memchr::memchr2_iter(b'"', b'\n', buf) {
        if buf.get(i) == Some(&b'"') {
            in_quote = !in_quote;
        } else if !in_quote {
            last = Some(i + 1);
            n += 1;
        }
    }
    (last, n)
}

fn fill(f: &mut File, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    while buf.len() < want {
        let old = buf.len();
        buf.resize(want, 0);
        let got = f.read(buf.get_mut(old..).unwrap_or_default())?;
        buf.truncate(old + got);
        if got == 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

fn run(input: &str, output: &str, today: i64, threads: usize) -> Result<u64, String> {
    let mut f = File::open(input).map_err(|e| format!("{input}: {e}"))?;
    // header
    let mut buf = Vec::with_capacity(BLOCK * 2);
    let mut more = fill(&mut f, &mut buf, BLOCK).map_err(|e| e.to_string())?;
    let hdr_end = memchr::memchr(b'\n', &buf).map_or(buf.len(), |i| i + 1);
    let start = if buf.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let header = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(buf.get(start..hdr_end).unwrap_or_default())
        .byte_records()
        .next()
        .and_then(Result::ok)
        .ok_or("no header")?;
    let mut idx = [0usize; 11];
    for (slot, &(_, name)) in idx.iter_mut().zip(&COLUMNS) {
        *slot = header
            .iter()
            .position(|h| {
                std::str::from_utf8(trim(h)).is_ok_and(|h| h.eq_ignore_ascii_case(name))
            })
            .ok_or_else(|| format!("missing column `{name}`"))?;
    }
    buf.drain(..hdr_end);

    let (job_tx, job_rx) = sync_channel::<Job>(threads * 2);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = sync_channel::<(u64, Vec<u8>, Vec<u8>)>(threads * 2);
    let (free_in_tx, free_in_rx) = sync_channel::<Vec<u8>>(threads * 4 + 4);
    let (free_out_tx, free_out_rx) = sync_channel::<Vec<u8>>(threads * 4 + 4);
    let free_out_rx = Arc::new(Mutex::new(free_out_rx));

    let mut handles = Vec::new();
    for _ in 0..threads {
        let rx: Arc<Mutex<Receiver<Job>>> = Arc::clone(&job_rx);
        let tx: SyncSender<(u64, Vec<u8>, Vec<u8>)> = done_tx.clone();
        let free_out = Arc::clone(&free_out_rx);
        handles.push(thread::spawn(move || {
            let mut w = Worker {
                fields: Fields::default(),
                reasons: String::with_capacity(256),
            };
            loop {
                let job = match rx.lock().map(|r| r.recv()) {
                    Ok(Ok(j)) => j,
                    _ => break,
                };
                let mut out = free_out
                    .lock()
                    .ok()
                    .and_then(|r| r.try_recv().ok())
                    .unwrap_or_else(|| Vec::with_capacity(job.data.len() * 2));
                score_block(&mut w, &job.data, job.first_row, &idx, today, &mut out);
                if tx.send((job.seq, job.data, out)).is_err() {
                    break;
                }
            }
        }));
    }
    drop(done_tx);

    // reader
    let reader = thread::spawn(move || -> Result<(), String> {
        let mut seq = 0u64;
        let mut rows = 0u64;
        loop {
            if more && buf.len() < BLOCK {
                more = fill(&mut f, &mut buf, BLOCK).map_err(|e| e.to_string())?;
            }
            if buf.is_empty() {
                return Ok(());
            }
            let (end, n) = cut(&buf);
            let (end, n) = match end {
                Some(e) => (e, n),
                None if more => {
                    // one record longer than the buffer: read more
                    let want = buf.len() * 2;
                    more = fill(&mut f, &mut buf, want).map_err(|e| e.to_string())?;
                    continue;
                }
                None => (buf.len(), 1),
            };
            let mut next = free_in_rx.try_recv().unwrap_or_else(|_| Vec::with_capacity(BLOCK * 2));
            next.clear();
            next.extend_from_slice(buf.get(end..).unwrap_or_default());
            buf.truncate(end);
            let data = std::mem::replace(&mut buf, next);
            job_tx.send(Job { seq, first_row: rows, data }).map_err(|e| e.to_string())?;
            seq += 1;
            rows += n;
        }
    });

    // writer: blocks in order
    let mut out = File::create(output).map_err(|e| format!("{output}: {e}"))?;
    out.write_all(b"id,score,tier,coverage,reasons,error\n").map_err(|e| e.to_string())?;
    let mut pending: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    let mut next = 0u64;
    let mut bytes = 0u64;
    for (seq, data, block_out) in done_rx {
        let _ = free_in_tx.try_send(data);
        pending.insert(seq, block_out);
        while let Some(b) = pending.remove(&next) {
            out.write_all(&b).map_err(|e| e.to_string())?;
            bytes += b.len() as u64;
            next += 1;
            let _ = free_out_tx.try_send(b);
        }
    }
    reader.join().map_err(|_| "reader panicked")??;
    for h in handles {
        h.join().map_err(|_| "worker panicked")?;
    }
    Ok(bytes)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let mut pos = Vec::new();
    let mut as_of = None;
    let mut threads = thread::available_parallelism().map_or(2, usize::from);
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--as-of" => as_of = it.next().and_then(|d| read_date(d.as_bytes())),
            "--threads" => threads = it.next().and_then(|t| t.parse().ok()).unwrap_or(threads),
            _ => pos.push(a.clone()),
        }
    }
    let (Some(input), Some(output), Some(today)) = (pos.first(), pos.get(1), as_of) else {
        eprintln!("usage: yardstick ACCOUNTS.csv OUT.csv --as-of YYYY-MM-DD [--threads N]");
        return ExitCode::from(2);
    };
    match run(input, output, today, threads.max(1)) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yardstick: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_money_exactly() {
        assert_eq!(read_money(b"$1,200,000"), Some(1_200_000.0));
        assert_eq!(read_money(b"36.9 M"), Some(36_900_000.0));
        assert_eq!(read_money(b"2.3 M"), Some(2_300_000.0));
        assert_eq!(read_money(b"2.6 B"), Some(2_600_000_000.0));
        assert_eq!(read_money(b"850000"), Some(850_000.0));
        assert_eq!(read_money(b"$1.82 million"), Some(1_820_000.0));
        assert_eq!(read_money(b"$850K"), Some(850_000.0));
        assert_eq!(read_money(b"abc"), None);
        assert_eq!(read_money(b"1,2"), None);
    }

    #[test]
    fn reads_ints_percents_dates() {
        assert_eq!(read_int(b"1,200"), Some(1200.0));
        assert_eq!(read_int(b"2.5"), None);
        assert_eq!(read_int(b"$0"), None);
        assert_eq!(read_percent(b"73%"), Some(0.73));
        assert_eq!(read_percent(b"73"), Some(0.73));
        assert_eq!(read_percent(b"high"), None);
        assert_eq!(read_date(b"1970-01-02"), Some(1));
        assert_eq!(read_date(b"2027-02-29"), None);
        assert_eq!(read_date(b"yesterday"), None);
    }

    #[test]
    fn formats_two_decimals() {
        for x in [0.0, 0.004, 0.005_1, 9.995_1, 45.08, 52.459_016, 99.999, 100.0, 1.0] {
            let mut v = Vec::new();
            fixed2(&mut v, x);
            assert_eq!(String::from_utf8(v).unwrap(), format!("{x:.2}"));
        }
    }

    #[test]
    fn quotes_csv_fields() {
        let mut v = Vec::new();
        csv_field(&mut v, b"plain");
        csv_field(&mut v, b"a, b");
        csv_field(&mut v, b"say \"hi\"");
        assert_eq!(v, b"plain\"a, b\"\"say \"\"hi\"\"\"");
    }

    #[test]
    fn splits_records() {
        let block = b"a,\"b, c\",\"say \"\"hi\"\"\"\r\n\nx,,\"multi\nline\"\nlast";
        let mut f = Fields::default();
        let mut got = Vec::new();
        let mut pos = 0;
        while let Some(next) = next_record(block, pos, &mut f) {
            let rec = Rec { block, f: &f };
            let fields: Vec<String> = (0..f.spans.len())
                .map(|i| String::from_utf8(rec.get(i).unwrap().to_vec()).unwrap())
                .collect();
            got.push(fields);
            pos = next;
        }
        assert_eq!(got, vec![
            vec!["a", "b, c", "say \"hi\""],
            vec!["x", "", "multi\nline"],
            vec!["last"],
        ]);
    }

    #[test]
    fn cuts_outside_quotes() {
        assert_eq!(cut(b"a,\"x\ny\"\nb\n"), (Some(10), 2));
        assert_eq!(cut(b"a,\"x\ny"), (None, 0));
    }
}
