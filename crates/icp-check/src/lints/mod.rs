//! The lints: warnings about programs that check but are probably not what was meant.
//!
//! One file per lint; each file's doc comment says what the lint reports, why that is bad,
//! and gives an example that triggers it (the tests below check each example against its
//! code). The file holds the lint's diagnostic constructors; the checker decides where
//! they apply (the interval reasoning behind `never_true`, `always_true`,
//! `practical_unreachable` and the reachable scores of `unreachable_tier` is in
//! `crate::logic`).

pub(crate) mod always_true;
pub(crate) mod division_by_zero;
pub(crate) mod empty_group;
pub(crate) mod milestone_outside_timeframe;
pub(crate) mod missing_key;
pub(crate) mod missing_timeframe;
pub(crate) mod never_missing;
pub(crate) mod never_true;
pub(crate) mod practical_unreachable;
pub(crate) mod situation_ended;
pub(crate) mod test_without_as_of;
pub(crate) mod test_without_expect;
pub(crate) mod unreachable_tier;
pub(crate) mod unused_let;

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::{MemoryLoader, Options, check};

    /// Every lint file with the code its example must report.
    const LINTS: [(&str, &str); 14] = [
        (include_str!("always_true.rs"), "always_true"),
        (include_str!("division_by_zero.rs"), "division_by_zero"),
        (include_str!("empty_group.rs"), "empty_group"),
        (
            include_str!("milestone_outside_timeframe.rs"),
            "milestone_outside_timeframe",
        ),
        (include_str!("missing_key.rs"), "missing_key"),
        (include_str!("missing_timeframe.rs"), "missing_timeframe"),
        (include_str!("never_missing.rs"), "never_missing"),
        (include_str!("never_true.rs"), "never_true"),
        (
            include_str!("practical_unreachable.rs"),
            "practical_unreachable",
        ),
        (include_str!("situation_ended.rs"), "situation_ended"),
        (include_str!("test_without_as_of.rs"), "test_without_as_of"),
        (
            include_str!("test_without_expect.rs"),
            "test_without_expect",
        ),
        (include_str!("unreachable_tier.rs"), "unreachable_tier"),
        (include_str!("unused_let.rs"), "unused_let"),
    ];

    /// The `icp` code block of a module doc comment.
    fn example(source: &str) -> String {
        let mut out = String::new();
        let mut inside = false;
        for line in source.lines() {
            let Some(doc) = line.strip_prefix("//!") else {
                continue;
            };
            let doc = doc.strip_prefix(' ').unwrap_or(doc);
            if doc.starts_with("```") {
                if inside {
                    break;
                }
                inside = doc == "```icp";
                continue;
            }
            if inside {
                out.push_str(doc);
                out.push('\n');
            }
        }
        out
    }

    #[test]
    fn every_example_triggers_its_lint() {
        let today = icp_syntax::Date::from_ymd(2027, 6, 1);
        for (source, code) in LINTS {
            let text = example(source);
            assert!(!text.is_empty(), "{code}: no example");
            let loader = MemoryLoader::new().with("/p/main.icp", &text);
            let checked = check(
                &["/p/main.icp".into()],
                Path::new("/p"),
                &loader,
                &Options { today },
            );
            let codes: Vec<String> = checked
                .diagnostics
                .iter()
                .map(|d| d.code.to_string())
                .collect();
            assert!(
                codes.iter().any(|c| c == &format!("icp::{code}")),
                "the example of {code} reports {codes:?}:\n{text}"
            );
            assert!(
                checked.diagnostics.iter().all(|d| !d.is_error()),
                "the example of {code} has errors {codes:?}"
            );
        }
    }
}
