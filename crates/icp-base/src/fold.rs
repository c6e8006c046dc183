//! Text as the language compares it: surrounding whitespace ignored, case ignored by Unicode
//! **simple case folding** (LANGUAGE.md, Revision 2, "Text comparisons").
//!
//! Simple folding maps each character to one character (CaseFolding.txt's `C` and `S`
//! mappings), so both sides of a comparison fold the same way whatever their context:
//! `"ΣΑΜΟΣ"`, `"σαμος"` and `"σαμοσ"` are equal (final sigma folds to `σ`). What it
//! deliberately does not do: `ß` is not `ss` (that is *full* folding; `ẞ` and `ß` are
//! equal), and there is no Turkish special case (`I` folds to `i`, `İ` and `ı` to
//! themselves). The evaluator and the checker's logic pass both compare through this module,
//! so a lint never disagrees with scoring about two texts.
//!
//! ```
//! use icp_base::fold::{eq_text, key};
//! assert!(eq_text(" ΣΑΜΟΣ ", "σαμος"));
//! assert!(eq_text("HubSpot", "hubspot\u{a0}"));
//! assert!(!eq_text("STRASSE", "Straße"));
//! assert_eq!(key("  Zürich "), "zürich");
//! ```

mod table;

/// Non-ASCII characters that fold to an ASCII character: U+017F LATIN SMALL LETTER LONG S
/// (to `s`) and U+212A KELVIN SIGN (to `k`). Text without them folds its ASCII bytes as
/// ASCII lowercase and its other characters to other non-ASCII characters, which is what
/// the ASCII fast paths rely on.
pub const FOLDS_TO_ASCII: [char; 2] = ['\u{17f}', '\u{212a}'];

/// The simple case folding of `c` (ASCII: its lowercase).
#[inline]
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let u = u32::from(c);
    match table::FOLD.binary_search_by_key(&u, |&(from, _)| from) {
        Ok(i) => table::FOLD
            .get(i)
            .and_then(|&(_, to)| char::from_u32(to))
            .unwrap_or(c),
        Err(_) => c,
    }
}

/// The characters of `s`, folded.
pub fn fold_chars(s: &str) -> impl Iterator<Item = char> + Clone + '_ {
    s.chars().map(fold_char)
}

/// `s` folded (not trimmed).
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    fold_chars(s).collect()
}

/// Whether `c` is trimmed from the ends of text before comparing: Unicode white space
/// (which includes the no-break space U+00A0).
#[inline]
pub fn is_trimmed(c: char) -> bool {
    c.is_whitespace()
}

/// `s` without surrounding white space.
#[inline]
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_trimmed)
}

/// The comparison key of a text: trimmed, then folded. Two texts are equal for the
/// language exactly when their keys are equal.
pub fn key(s: &str) -> String {
    fold(trim(s))
}

/// Whether `a` and `b` are equal for the language: after trimming, ignoring case.
pub fn eq_text(a: &str, b: &str) -> bool {
    fold_chars(trim(a)).eq(fold_chars(trim(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_folds_to_fixed_points() {
        let t = table::FOLD;
        assert!(t.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)));
        for &(from, to) in t {
            let to = char::from_u32(to).unwrap_or('\0');
            assert_ne!(to, '\0', "{from:#x}");
            assert_eq!(
                fold_char(to),
                to,
                "{from:#x} folds to a character that folds again"
            );
        }
    }

    #[test]
    fn only_two_non_ascii_characters_fold_to_ascii() {
        let found: Vec<char> = table::FOLD
            .iter()
            .filter(|&&(_, to)| to < 0x80)
            .filter_map(|&(from, _)| char::from_u32(from))
            .collect();
        assert_eq!(found, FOLDS_TO_ASCII);
    }

    #[test]
    fn simple_folding() {
        // Greek final sigma: the three sigmas fold alike.
        assert!(eq_text("ΣΑΜΟΣ", "σαμος"));
        assert!(eq_text("ΣΑΜΟΣ", "ΣΑΜΟΣ"));
        assert!(eq_text("σαμοσ", "Σαμος"));
        // German: ẞ and ß are one letter; ß is not "ss" (that is full folding).
        assert!(eq_text("STRAẞE", "straße"));
        assert!(!eq_text("STRASSE", "straße"));
        // Turkish: no special case. `I` is `i`; `İ` and `ı` are themselves.
        assert!(eq_text("ISTANBUL", "istanbul"));
        assert!(!eq_text("İSTANBUL", "istanbul"));
        assert!(eq_text("İSTANBUL", "İstanbul"));
        assert!(!eq_text("DIYARBAKIR", "Diyarbakır"));
        // Kelvin sign and long s fold to ASCII letters.
        assert!(eq_text("5 \u{212a}", "5 k"));
        assert!(eq_text("\u{17f}ap", "SAP"));
        // Cherokee folds to its capitals; either way the two cases are equal.
        assert!(eq_text("\u{13a0}", "\u{ab70}"));
        // Surrounding white space, no-break spaces included.
        assert!(eq_text(" CEO\u{a0}", "ceo"));
        assert_eq!(key(" ÄRZTE "), "ärzte");
        assert_eq!(fold("MiXeD"), "mixed");
    }
}
