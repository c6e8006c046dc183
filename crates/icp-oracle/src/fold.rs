//! Text comparison keys: trimmed, then folded case by Unicode *simple* case folding.
//!
//! Simple folding maps every character to one character. For most letters it is the simple
//! lowercase mapping; the exceptions below are the letters whose folding differs from their
//! lowercase (`ς` folds to `σ` though it is already lowercase; `İ` has no simple folding, while
//! its lowercase is two characters). The table is complete for the generator's alphabet
//! (ASCII, `Σσς`, `ẞß`, `İı`, `Éé`, `Ωω`, `µμ`, `ſ`, `Ää`) and for the other Greek and Latin
//! letters listed; elsewhere it is the simple lowercase, an approximation the generator never
//! relies on.

/// The simple case folding of one character.
pub fn fold_char(c: char) -> char {
    match c {
        // Lowercase letters that fold to another letter (CaseFolding.txt, status C).
        'ς' => 'σ',
        'µ' => 'μ',
        'ſ' => 's',
        'ϐ' => 'β',
        'ϑ' => 'θ',
        'ϕ' => 'φ',
        'ϖ' => 'π',
        'ϰ' => 'κ',
        'ϱ' => 'ρ',
        'ϵ' => 'ε',
        'ẛ' => 'ṡ',
        '\u{1FBE}' => 'ι',
        // Capital I with dot above: only full and Turkic foldings exist, so simple folding
        // keeps it.
        'İ' => 'İ',
        _ => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        }
    }
}

/// The key two texts are compared by: surrounding white space (Unicode `White_Space`, so the
/// no-break space too) removed, every character folded.
pub fn key(s: &str) -> String {
    s.trim().chars().map(fold_char).collect()
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn folds_the_cases_the_contract_names() {
        assert_eq!(key("ΣΑΜΟΣ"), key("σαμος"));
        assert_eq!(key("ΣΑΜΟΣ"), key("Σαμος"));
        assert_ne!(key("Σάμος"), key("ΣΑΜΟΣ"));
        assert_eq!(key("ẞ"), key("ß"));
        assert_ne!(key("Straße"), key("STRASSE"));
        assert_ne!(key("İstanbul"), key("istanbul"));
        assert_ne!(key("DIYARBAKIR"), key("Diyarbakır"));
        assert_eq!(key(" HubSpot\u{a0}"), key("hubspot"));
        assert_eq!(key("µ"), key("μ"));
        assert_eq!(key("ſ"), key("S"));
    }
}
