//! The checker's own list of built-in type names (its did-you-mean candidates and its help)
//! agrees with `icp_syntax::TYPE_NAMES`, which `icp-syntax`'s `tests/keywords.rs` checks
//! against the grammar and the parser.

#![allow(clippy::panic, reason = "tests fail by panicking")]

use std::path::Path;

use icp_check::{MemoryLoader, Options, check};
use icp_syntax::Code;

const CHECKER: &str = "crates/icp-check (the checker's TYPE_NAMES and its unknown-type help)";

/// The help of the one unknown-type error of `schema S { id: text key  x: TYPE }`.
fn unknown_type_help(ty: &str) -> String {
    let src = format!("schema S {{ id: text key  x: {ty} }}\n");
    let loader = MemoryLoader::new().with("main.icp", src.clone());
    let checked = check(
        &["main.icp".into()],
        Path::new("."),
        &loader,
        &Options::default(),
    );
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::UnknownType)
        .unwrap_or_else(|| panic!("{src}: no unknown_type in {:?}", checked.diagnostics));
    d.help.clone().unwrap_or_default()
}

#[test]
fn the_checker_suggests_every_builtin_type() {
    let mut problems = Vec::new();
    for name in icp_syntax::TYPE_NAMES {
        // Names are case-sensitive: `BOOL` is an unknown type whose best match is `bool`.
        let help = unknown_type_help(&name.to_uppercase());
        if !help.contains(&format!("`{name}`")) {
            problems.push(format!(
                "`{}` does not suggest `{name}` (icp_syntax::TYPE_NAMES), help: {help:?}: add `{name}` to {CHECKER}",
                name.to_uppercase()
            ));
        }
    }
    // A name like no type: the help lists the types.
    let help = unknown_type_help("zzzzzzzzzz");
    let words: Vec<&str> = help
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    for name in icp_syntax::TYPE_NAMES {
        if !words.contains(name) {
            problems.push(format!(
                "the unknown-type help {help:?} does not list `{name}` (icp_syntax::TYPE_NAMES): add it to {CHECKER}"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}
