//! Tokens of the lossless tree hold their own text only: a rule that ends in a lookahead
//! (`equals = { "=" ~ !"=" }`, `catch_all = { "_" ~ !ident_char }`) does not take in the
//! spaces and comments after it; they are trivia of the parent.

#![allow(clippy::unwrap_used, reason = "a test fails loudly")]

use icp_syntax::{SyntaxKind, parse_with_tree};

fn tokens_of(src: &str, rule: &str) -> Vec<String> {
    let (_, tree) = parse_with_tree(src);
    assert_eq!(tree.text().to_string(), src, "lossless");
    let kind = SyntaxKind::from_rule_name(rule).unwrap();
    tree.descendants_with_tokens()
        .filter_map(rowan::NodeOrToken::into_token)
        .filter(|t| t.kind() == kind)
        .map(|t| t.text().to_owned())
        .collect()
}

#[test]
fn equals_and_catch_all_end_at_their_character() {
    let src = "schema A {\n  k: enum {\n    a =   // the mapping\n      \"x\",\n    other = _   // the rest\n  }\n}\n\nprofile p {\n  let x = // why\n    1\n  tier t\n}\n";
    assert_eq!(tokens_of(src, "equals"), ["=", "=", "="]);
    assert_eq!(tokens_of(src, "catch_all"), ["_"]);
    let (_, tree) = parse_with_tree(src);
    let comments: Vec<String> = tree
        .descendants_with_tokens()
        .filter_map(rowan::NodeOrToken::into_token)
        .filter(|t| t.kind() == SyntaxKind::COMMENT)
        .map(|t| t.text().to_owned())
        .collect();
    assert_eq!(comments, ["// the mapping", "// the rest", "// why"]);
}
