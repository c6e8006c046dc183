//! The did-you-mean helper used for every unknown name (fields, segments, types, columns,
//! enum values, profiles).

/// Suggest one of `candidates` for the unknown `name`: a case-insensitive exact match first
/// (the first one found), else the closest candidate by edit distance (Levenshtein over
/// characters, case-insensitive) within `max(len / 3, 1)`, where `len` counts the characters
/// of `name`; on a tie the earliest candidate wins. A candidate equal to `name` is skipped.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let c_lower = c.to_lowercase();
        if c_lower == lower {
            return Some(c);
        }
        let d = strsim::levenshtein(&lower, &c_lower);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_prefers_case_then_distance() {
        let c = ["employees", "Revenue", "marketers"];
        assert_eq!(did_you_mean("employes", c), Some("employees"));
        assert_eq!(did_you_mean("revenue", c), Some("Revenue"));
        assert_eq!(did_you_mean("zzz", c), None);
        assert_eq!(did_you_mean("x", ["y"]), Some("y"));
    }

    #[test]
    fn ties_go_to_the_first_and_case_beats_distance() {
        assert_eq!(did_you_mean("cat", ["bat", "hat"]), Some("bat"));
        assert_eq!(did_you_mean("cat", ["bat", "CAT"]), Some("CAT"));
        assert_eq!(did_you_mean("cat", ["cat"]), None);
        // distance counts characters, not bytes
        assert_eq!(did_you_mean("ça", ["ca"]), Some("ca"));
        assert_eq!(did_you_mean("abcdef", ["abxyef"]), Some("abxyef"));
        assert_eq!(did_you_mean("abcdef", ["axyzef"]), None);
    }
}
