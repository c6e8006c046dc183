//! Exact decimal numbers: every `int`, `number`, `money` and `percent` value, and every
//! score, is a [`Decimal`] (`rust_decimal`: a 96-bit mantissa and a scale of 0 to 28, so at
//! least 28 significant digits), never binary floating point. `30% - 20% >= 10%` holds and
//! `$0.10 + $0.20 == $0.30` does, as with SQL's `DECIMAL`.
//!
//! Arithmetic is checked by the callers (`checked_add`, ...): overflow and division by zero
//! give a missing value, never a panic. A number's text is read exactly, digits straight
//! into a mantissa and a scale ([`from_parts`], [`parse`]); scores are rounded only for
//! display ([`write_fixed2`], [`write_short`]): two decimals, half away from zero.
//!
//! ```
//! use icp_base::num::{self, Decimal};
//! let (a, b) = (num::parse("0.1").unwrap(), num::parse("0.2").unwrap());
//! assert_eq!(a + b, num::parse("0.3").unwrap());
//! let mut out = Vec::new();
//! num::write_fixed2(&mut out, num::parse("12.345").unwrap());
//! assert_eq!(out, b"12.35");
//! assert_eq!(num::ratio_score(Decimal::from(140) / Decimal::TEN, num::parse("1.4").unwrap()), Some(Decimal::ONE_HUNDRED));
//! ```

pub use rust_decimal::Decimal;
use rust_decimal::RoundingStrategy;

/// The largest mantissa a [`Decimal`] holds: `2^96 - 1` (about `7.9e28`).
const MAX_MANTISSA: u128 = (1 << 96) - 1;

/// The most decimals a [`Decimal`] holds.
pub const MAX_SCALE: u32 = 28;

/// Powers of ten that fit a `u128` (`10^0` to `10^38`).
#[expect(
    clippy::indexing_slicing,
    reason = "a constant evaluated at compile time; `i` stays within the array"
)]
const POW10: [u128; 39] = {
    let mut t = [1u128; 39];
    let mut i = 1;
    while i < 39 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// `10^k` when it fits a `u128`.
#[inline]
pub fn pow10(k: u32) -> Option<u128> {
    POW10.get(k as usize).copied()
}

/// `±mantissa × 10^exp` exactly; `None` when that number has no [`Decimal`]: its digits
/// do not fit 96 bits once scaled, or it has more than 28 decimals that are not trailing
/// zeros (a number is never rounded silently).
#[inline]
pub fn from_parts(mut mantissa: u128, negative: bool, exp: i32) -> Option<Decimal> {
    let scale = if exp >= 0 {
        mantissa = mantissa.checked_mul(pow10(exp.unsigned_abs())?)?;
        0
    } else {
        let mut scale = exp.unsigned_abs();
        while scale > MAX_SCALE && mantissa.is_multiple_of(10) {
            mantissa /= 10;
            scale -= 1;
        }
        if scale > MAX_SCALE {
            if mantissa != 0 {
                return None;
            }
            scale = 0;
        }
        scale
    };
    if mantissa > MAX_MANTISSA {
        return None;
    }
    let m = i128::try_from(mantissa).ok()?;
    Decimal::try_from_i128_with_scale(if negative { -m } else { m }, scale).ok()
}

/// Reads decimal text exactly: an optional sign, digits with an optional fraction, an
/// optional exponent (`1.5e3`). `None` for anything else, or a number [`from_parts`]
/// refuses.
pub fn parse(text: &str) -> Option<Decimal> {
    parse_scaled(text, 0)
}

/// [`parse`] of `text`, times `10^pow` (a suffix's power: `$1.5B` is `parse_scaled("1.5",
/// 9)`, `33.3%` is `parse_scaled("33.3", -2)`), exactly.
pub fn parse_scaled(text: &str, pow: i32) -> Option<Decimal> {
    let b = text.as_bytes();
    let (negative, mut i) = match b.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let mut mantissa: u128 = 0;
    let mut exp: i64 = i64::from(pow);
    let mut digits = 0usize;
    let mut point = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                digits += 1;
                if mantissa > MAX_MANTISSA * 10 {
                    // Far beyond any Decimal: only trailing zeros could still fit, and
                    // a whole digit too many never does.
                    if c != b'0' || !point {
                        return None;
                    }
                } else {
                    mantissa = mantissa * 10 + u128::from(c - b'0');
                    if point {
                        exp -= 1;
                    }
                }
            }
            b'.' if !point => point = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        let rest = text.get(i + 1..)?;
        let e: i32 = rest.parse().ok()?;
        exp = exp.checked_add(i64::from(e))?;
        i = b.len();
    }
    if i != b.len() {
        return None;
    }
    from_parts(mantissa, negative, i32::try_from(exp).ok()?)
}

/// `x` rounded to two decimals, half away from zero (`12.345` is `12.35`), as shown.
#[inline]
pub fn round2(x: Decimal) -> Decimal {
    round_dp(x, 2)
}

/// `x` rounded to `dp` decimals, half away from zero; never a negative zero.
#[inline]
pub fn round_dp(x: Decimal, dp: u32) -> Decimal {
    let r = x.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() { Decimal::ZERO } else { r }
}

/// `x` with exactly `dp` decimals, rounded half away from zero (`fixed(12.345, 2)` is
/// `12.35`, `fixed(7, 1)` is `7.0`).
pub fn fixed(x: Decimal, dp: u32) -> String {
    format!("{:.*}", dp as usize, round_dp(x, dp))
}

/// `x` as the nearest `f64`, for JSON output only (`serde_json` writes `f64`s): a number
/// rounded for display has at most 17 significant digits, so it shows as written.
pub fn to_f64(x: Decimal) -> f64 {
    x.to_string().parse().unwrap_or(0.0)
}

/// `100 × points / max`, clamped to `[0, 100]`: the score of the points earned out of the
/// positive weights `max`, computed exactly (the product first, then one division, which
/// keeps 28 significant digits). `None` when `max` is not positive (or on overflow).
#[inline]
pub fn ratio_score(points: Decimal, max: Decimal) -> Option<Decimal> {
    if max.is_sign_negative() || max.is_zero() {
        return None;
    }
    let hundred = Decimal::ONE_HUNDRED;
    if ge(points, max) {
        return Some(hundred);
    }
    if points.is_sign_negative() || points.is_zero() {
        return Some(Decimal::ZERO);
    }
    // Here `0 < points < max`: the quotient is below one, so when `100 × points` does not
    // fit, dividing first does.
    hundred
        .checked_mul(points)
        .and_then(|x| x.checked_div(max))
        .or_else(|| points.checked_div(max)?.checked_mul(hundred))
        .map(|s| {
            if s.is_sign_negative() {
                Decimal::ZERO
            } else if ge(s, hundred) {
                hundred
            } else {
                s
            }
        })
}

/// `part / whole` clamped to `[0, 1]` (a coverage: the weight decided out of the total),
/// exactly; 1 when `whole` is not positive.
#[inline]
pub fn fraction(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_sign_negative() || whole.is_zero() || ge(part, whole) {
        return Decimal::ONE;
    }
    if part.is_sign_negative() || part.is_zero() {
        return Decimal::ZERO;
    }
    part.checked_div(whole)
        .map_or(Decimal::ONE, |f| f.clamp(Decimal::ZERO, Decimal::ONE))
}

/// Writes `x` with exactly two decimals, rounded half away from zero (`12.345` as
/// `12.35`, `100` as `100.00`); no allocation.
///
/// Integer arithmetic on the mantissa (the hot path of every score written): hundredths are
/// `|m| / 10^(scale - 2)`, plus one when the remainder is at least half the divisor; the
/// same digits as rounding with `round_dp` and printing (checked against it in the tests).
pub fn write_fixed2(out: &mut Vec<u8>, x: Decimal) {
    let scale = x.scale();
    let m = x.mantissa();
    let abs = m.unsigned_abs();
    let cents = if scale <= 2 {
        // Exact: at most 96 bits times 100 fits a u128.
        abs * pow10(2 - scale).unwrap_or(1)
    } else {
        let div = pow10(scale - 2).unwrap_or(1);
        let (q, r) = if abs <= u128::from(u64::MAX) && div <= u128::from(u64::MAX) {
            // The common score (a mantissa and divisor of 64 bits): a 64-bit division.
            let (num, den) = (abs as u64, div as u64);
            (u128::from(num / den), u128::from(num % den))
        } else {
            (abs / div, abs % div)
        };
        // Half away from zero: round up when `r >= div / 2`, i.e. `2r >= div` (no
        // overflow: a scale is at most 28, so `r < div <= 10^26`).
        q + u128::from(2 * r >= div)
    };
    // Never a negative zero: `-0.001` shows as `0.00`.
    if m < 0 && cents != 0 {
        out.push(b'-');
    }
    write_u128(out, cents / 100);
    let frac = (cents % 100) as u8;
    out.extend_from_slice(&[b'.', b'0' + frac / 10, b'0' + frac % 10]);
}

/// Writes `n` in decimal digits, without general formatting; a `u64` when it fits.
#[inline]
fn write_u128(out: &mut Vec<u8>, n: u128) {
    let mut buf = [0u8; 40];
    let mut i = buf.len();
    if let Ok(mut w) = u64::try_from(n) {
        loop {
            i -= 1;
            if let Some(slot) = buf.get_mut(i) {
                *slot = b'0' + (w % 10) as u8;
            }
            w /= 10;
            if w == 0 || i == 0 {
                break;
            }
        }
    } else {
        let mut w = n;
        loop {
            i -= 1;
            if let Some(slot) = buf.get_mut(i) {
                *slot = b'0' + (w % 10) as u8;
            }
            w /= 10;
            if w == 0 || i == 0 {
                break;
            }
        }
    }
    out.extend_from_slice(buf.get(i..).unwrap_or_default());
}

/// Signed powers of ten that fit an `i128` with a 96-bit factor (`10^0` to `10^31`).
#[expect(
    clippy::indexing_slicing,
    reason = "a constant evaluated at compile time; `i` stays within the array"
)]
const POW10_I: [i128; 32] = {
    let mut t = [1i128; 32];
    let mut i = 1;
    while i < 32 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// `a` against `b` exactly, as `a.cmp(&b)`, on the mantissas: directly when the two
/// share a scale (most cells and constants do), else the one with fewer decimals scaled
/// up to the other's (a 96-bit mantissa times at most `10^28` can overflow `i128`: then
/// the library's comparison decides).
#[inline]
pub fn cmp(a: Decimal, b: Decimal) -> std::cmp::Ordering {
    let (sa, sb) = (a.scale(), b.scale());
    let (ma, mb) = (a.mantissa(), b.mantissa());
    if sa == sb {
        return ma.cmp(&mb);
    }
    let scaled = if sa < sb {
        POW10_I
            .get((sb - sa) as usize)
            .and_then(|p| ma.checked_mul(*p))
            .map(|x| x.cmp(&mb))
    } else {
        POW10_I
            .get((sa - sb) as usize)
            .and_then(|p| mb.checked_mul(*p))
            .map(|y| ma.cmp(&y))
    };
    scaled.unwrap_or_else(|| a.cmp(&b))
}

/// `a >= b` exactly, by [`cmp`].
#[inline]
pub fn ge(a: Decimal, b: Decimal) -> bool {
    cmp(a, b) != std::cmp::Ordering::Less
}

/// `a <= b` exactly, by [`cmp`].
#[inline]
pub fn le(a: Decimal, b: Decimal) -> bool {
    cmp(a, b) != std::cmp::Ordering::Greater
}

/// Writes `x` rounded to at most two decimals (half away from zero), trailing zeros
/// dropped: `25`, `7.5`, `0.33`.
pub fn write_short(out: &mut String, x: Decimal) {
    use std::fmt::Write as _;
    let _ = write!(out, "{}", round2(x).normalize());
}

/// `x` as written: every digit, trailing zeros of the fraction dropped (`0.3`, `1500000`,
/// `0.333`), never an exponent.
pub fn plain(x: Decimal) -> String {
    x.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        parse(s).unwrap()
    }

    #[test]
    fn reads_exactly() {
        assert_eq!(d("0.1") + d("0.2"), d("0.3"));
        assert_eq!(d("1.5e9"), Decimal::from(1_500_000_000));
        assert_eq!(d("33.3e-2").to_string(), "0.333");
        assert_eq!(d("1e3"), Decimal::from(1000));
        assert_eq!(d("-2.50"), Decimal::new(-25, 1));
        assert_eq!(plain(d("0.30")), "0.3");
        // Trailing zeros past 28 decimals are not decimals.
        assert_eq!(d("1.000000000000000000000000000000000000"), Decimal::ONE);
        assert_eq!(d("0e-40"), Decimal::ZERO);
    }

    #[test]
    fn refuses_what_does_not_fit() {
        assert_eq!(parse("1e30"), None);
        assert_eq!(parse("1234567890123456789012345678901234567890"), None);
        assert_eq!(parse("0.00000000000000000000000000001"), None);
        assert_eq!(parse("1e999999999999"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("."), None);
        assert_eq!(parse("1.2.3"), None);
        assert_eq!(parse("12x"), None);
        // The largest mantissa fits, one more does not.
        assert!(parse("79228162514264337593543950335").is_some());
        assert_eq!(parse("79228162514264337593543950336"), None);
    }

    #[test]
    fn rounds_half_away_from_zero_for_display() {
        let fixed = |s: &str| {
            let mut out = Vec::new();
            write_fixed2(&mut out, d(s));
            String::from_utf8(out).unwrap()
        };
        assert_eq!(fixed("12.345"), "12.35");
        assert_eq!(fixed("12.344999"), "12.34");
        assert_eq!(fixed("-12.345"), "-12.35");
        assert_eq!(fixed("100"), "100.00");
        assert_eq!(fixed("0"), "0.00");
        assert_eq!(fixed("0.005"), "0.01");
        assert_eq!(fixed("66.666666666666666666666666667"), "66.67");
        assert_eq!(
            fixed("79228162514264337593543950335"),
            "79228162514264337593543950335.00"
        );
        let short = |s: &str| {
            let mut out = String::new();
            write_short(&mut out, d(s));
            out
        };
        assert_eq!(short("25"), "25");
        assert_eq!(short("7.50"), "7.5");
        assert_eq!(short("0.333"), "0.33");
        assert_eq!(short("0.125"), "0.13");
    }

    #[test]
    fn scores_exactly() {
        // 100 × 1.4 / 1.4 is 100, not 99.99999999999999.
        let w = d("0.3") + d("1.1");
        assert_eq!(ratio_score(w, w), Some(Decimal::ONE_HUNDRED));
        assert_eq!(
            ratio_score(d("1.1"), d("13.6")).map(round2),
            Some(d("8.09"))
        );
        assert_eq!(
            ratio_score(d("1"), d("3")).unwrap().to_string(),
            "33.333333333333333333333333333"
        );
        assert_eq!(ratio_score(d("5"), Decimal::ZERO), None);
        assert_eq!(ratio_score(d("-5"), d("10")), Some(Decimal::ZERO));
        assert_eq!(ratio_score(d("50"), d("10")), Some(Decimal::ONE_HUNDRED));
    }

    /// Decimals of every scale, small and large mantissas of both signs, from a fixed
    /// linear congruential sequence (no dependency, the same cases every run).
    fn samples() -> Vec<Decimal> {
        let mut out = vec![
            Decimal::ZERO,
            Decimal::ONE,
            Decimal::NEGATIVE_ONE,
            Decimal::MAX,
            Decimal::MIN,
        ];
        let mut x: u128 = 0x2545_F491_4F6C_DD1D;
        for i in 0..4000u32 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            // Mantissas of 1 to 96 bits, so that rescaling fits sometimes and not others.
            let bits = 1 + (x >> 100) as u32 % 96;
            let m = (x >> 3) & ((1u128 << bits) - 1);
            let m = i128::try_from(m).unwrap();
            let m = if i % 2 == 0 { m } else { -m };
            let scale = (x >> 90) as u32 % 29;
            out.push(Decimal::from_i128_with_scale(m, scale));
            // Equal values at different scales: `1.50` against `1.5`.
            if let Some(up) = m.checked_mul(100)
                && up.unsigned_abs() <= MAX_MANTISSA
                && scale + 2 <= MAX_SCALE
            {
                out.push(Decimal::from_i128_with_scale(up, scale + 2));
            }
        }
        out
    }

    #[test]
    fn fast_comparison_agrees_with_the_library() {
        let xs = samples();
        for (i, a) in xs.iter().enumerate() {
            // Each against its neighbours and a spread of the others.
            for b in xs.iter().skip(i.saturating_sub(3)).step_by(7).take(300) {
                assert_eq!(cmp(*a, *b), a.cmp(b), "{a} vs {b}");
                assert_eq!(ge(*a, *b), a >= b, "{a} >= {b}");
                assert_eq!(le(*a, *b), a <= b, "{a} <= {b}");
            }
        }
    }

    #[test]
    fn integer_display_rounding_agrees_with_the_library() {
        for x in samples() {
            let mut out = Vec::new();
            write_fixed2(&mut out, x);
            // The reference: the library's rounding, then its formatting.
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("{:.2}", round2(x)),
                "{x}"
            );
        }
    }
}
