//! A driver for profiling one edit (`valgrind --tool=callgrind`): opens the benchmark's
//! generated program in a [`World`](icp_lsp::world::World), checks it, then applies `N`
//! one-digit edits in the middle of the file, each followed by the analysis and the
//! diagnostics the server would publish. Run it with `N` = 0 and `N` = 2: the difference
//! of the instruction counts, halved, is the cost of one edit.
//!
//! `cargo run --release -p icp-lsp --example edit_profile -- LINES N`
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    reason = "a profiling driver"
)]

use std::sync::Arc;

use icp_check::MemoryLoader;
use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent, Uri};

/// The benchmark, for its program generator.
#[allow(dead_code, reason = "only the generator and the edit point are used")]
#[path = "../benches/lsp.rs"]
mod bench;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let lines: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5000);
    let edits: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2);
    let src = bench::program(lines);
    let loader = MemoryLoader::new()
        .with("/bench/icp.toml", "")
        .with("/bench/main.icp", src.clone());
    let world =
        icp_lsp::world::World::new(Arc::new(loader), icp_syntax::Date::from_ymd(2027, 1, 15));
    let uri: Uri = "file:///bench/main.icp".parse().unwrap();
    world.open(uri.clone(), 0, src.clone());
    let a = world.analysis(&uri).unwrap();
    let mut n = icp_lsp::features::diagnostics(&a).len();
    let (line_no, _, col) = bench::edit_point(&src);
    let line_no = line_no as u32;
    for v in 1..=edits {
        let digit = if v % 2 == 0 { "6" } else { "7" };
        let change = TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position {
                    line: line_no,
                    character: col,
                },
                end: Position {
                    line: line_no,
                    character: col + 1,
                },
            }),
            range_length: None,
            text: digit.to_owned(),
        };
        world.change(&uri, v as i32, &[change]);
        let a = world.analysis(&uri).unwrap();
        n += icp_lsp::features::diagnostics(&a).len();
    }
    println!(
        "{} lines, {edits} edits, {n} diagnostics",
        src.lines().count()
    );
}
