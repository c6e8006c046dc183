//! Case-insensitive text helpers that never allocate: Unicode simple case folding
//! ([`icp_base::fold`]) after trimming, with ASCII fast paths.

use std::cmp::Ordering;

use icp_base::fold::{FOLDS_TO_ASCII, fold_chars, is_trimmed};

/// Trim whitespace (also no-break spaces) from both ends.
pub(crate) fn trim(s: &str) -> &str {
    // Fast path: nothing to trim when both ends are visible ASCII (no whitespace there).
    let b = s.as_bytes();
    if b.first().is_none_or(u8::is_ascii_graphic) && b.last().is_none_or(u8::is_ascii_graphic) {
        return s;
    }
    s.trim_matches(is_trimmed)
}

/// `a == b`, case-insensitively, after trimming both.
pub(crate) fn eq_ci(a: &str, b: &str) -> bool {
    if a.len() == b.len() && a.as_bytes().eq_ignore_ascii_case(b.as_bytes()) {
        return true;
    }
    let (a, b) = (trim(a), trim(b));
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    fold_chars(a).eq(fold_chars(b))
}

/// Order `a` and `b` case-insensitively, after trimming both.
pub(crate) fn cmp_ci(a: &str, b: &str) -> Ordering {
    let (a, b) = (trim(a), trim(b));
    if a.is_ascii() && b.is_ascii() {
        return a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()));
    }
    fold_chars(a).cmp(fold_chars(b))
}

/// Whether `hay` contains `needle` as a substring, case-insensitively (`needle` may be
/// given folded already).
pub(crate) fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    // An ASCII needle matches bytewise, ignoring ASCII case, unless the text holds one of
    // the two characters that fold to ASCII (LONG S, KELVIN SIGN).
    if needle.is_ascii() && (hay.is_ascii() || !hay.contains(FOLDS_TO_ASCII)) {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        let first = n.first().map(u8::to_ascii_lowercase);
        return h
            .windows(n.len())
            .any(|w| w.first().map(u8::to_ascii_lowercase) == first && w.eq_ignore_ascii_case(n));
    }
    hay.char_indices().any(|(i, _)| {
        hay.get(i..).is_some_and(|rest| {
            let mut r = fold_chars(rest);
            fold_chars(needle).all(|c| r.next() == Some(c))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_ignores_case_and_outer_space() {
        assert!(eq_ci(" SaaS ", "saas"));
        assert!(eq_ci("Ärzte", "ärzte"));
        assert!(!eq_ci("saas", "saa"));
        assert!(!eq_ci("Ärzte", "ärztin"));
    }

    #[test]
    fn ordering_ignores_case() {
        assert_eq!(cmp_ci("apple", "Banana"), Ordering::Less);
        assert_eq!(cmp_ci("B", "a"), Ordering::Greater);
        assert_eq!(cmp_ci("É", "é"), Ordering::Equal);
    }

    #[test]
    fn substring_ignores_case() {
        assert!(contains_ci("Acme Marketing Inc", "MARKET"));
        assert!(!contains_ci("Acme", "acmes"));
        assert!(contains_ci("Straße GmbH", "STRASSE") || contains_ci("Straße GmbH", "straße"));
        assert!(contains_ci("Zürich Bank", "zürich"));
        assert!(contains_ci("anything", ""));
        // Non-ASCII text, ASCII needle.
        assert!(contains_ci("Zürich Rival AG", "rival"));
        assert!(!contains_ci("Zürich AG", "rival"));
        // The Kelvin sign and the long s fold to ASCII letters.
        assert!(contains_ci("5 \u{212a}elvin", "kelvin"));
        assert!(contains_ci("Ca\u{17f}e", "case"));
        // Greek final sigma: the needle folded or not, either sigma matches.
        assert!(contains_ci("ΝΗΣΟΣ ΣΑΜΟΣ", "σαμος"));
        assert!(contains_ci("νησος σαμος", "ΣΑΜΟΣ"));
        // Simple folding: `ß` is not `ss`; `İ` is not `i`.
        assert!(!contains_ci("Straße", "strasse"));
        assert!(!contains_ci("İzmir", "izmir"));
    }

    #[test]
    fn final_sigma_compares_equal() {
        assert!(eq_ci("ΣΑΜΟΣ", "σαμος"));
        assert!(eq_ci("ΣΑΜΟΣ", "ΣΑΜΟΣ"));
        assert_eq!(cmp_ci("ΣΑΜΟΣ", "σαμος"), Ordering::Equal);
    }
}
