//! Broken input never panics: every prefix of the brief's program, and the program with
//! pieces cut out, check without crashing and report something wherever it is broken.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests read their fixtures from disk and fail loudly"
)]

use crate::common;

fn program() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/ui/valid_language_first.icp"
    ))
    .unwrap()
}

#[test]
fn every_prefix_checks_without_panicking() {
    let text = program();
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            let _ = common::check_case(&text[..cut]);
        }
        cut += 7;
    }
}

#[test]
fn cutting_pieces_out_checks_without_panicking() {
    let text = program();
    for len in [1, 3, 11] {
        let mut at = 0;
        while at + len < text.len() {
            if text.is_char_boundary(at) && text.is_char_boundary(at + len) {
                let broken = format!("{}{}", &text[..at], &text[at + len..]);
                let _ = common::check_case(&broken);
            }
            at += 13;
        }
    }
}
