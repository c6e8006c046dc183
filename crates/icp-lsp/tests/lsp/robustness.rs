//! Never panic: every feature at every position of a messy document (Persian, Hebrew and
//! emoji in comments, strings and names; broken items), and on every prefix of it, as while
//! typing. The feature functions are called directly, outside the server's panic guard.

use std::sync::Arc;

use icp_check::MemoryLoader;
use icp_lsp::features::{actions, completion, folding, hints, hover, nav, semantic};
use icp_lsp::text::Text;
use icp_lsp::world::World;
use tower_lsp_server::ls_types::{Position, Range, Uri};

use crate::common::{MAIN, ROOT, SCHEMA};

fn messy() -> String {
    let mut s = MAIN
        .replace("Mid-market push", "فشار بازار میانی 🚀")
        .replace("Company size", "גודל החברה 👩‍💻");
    s.insert_str(0, "// سلام دنیا — שלום עולם — 😀🎉\n");
    s.push_str("segment 😀 { employees > }\nprofile broken { target mary_marketer\n  criterion x weight { tech contains \"🎉\n");
    s
}

fn world(src: &str) -> (World, Uri) {
    let loader = MemoryLoader::new()
        .with(format!("{ROOT}/schema.icp"), SCHEMA)
        .with(format!("{ROOT}/icp.toml"), "[lsp]\nsample = \"none.csv\"\n");
    let w = World::new(Arc::new(loader), icp_syntax::Date::from_ymd(2027, 1, 15));
    let uri = crate::common::uri("main.icp");
    w.open(uri.clone(), 1, src.to_owned());
    (w, uri)
}

fn everything_at(w: &World, uri: &Uri, pos: Position) {
    let a = w.analysis(uri).unwrap();
    let parsed = w.parsed(uri);
    let text = w.snapshot(uri).unwrap().text;
    let _ = completion::complete(&text, parsed.as_deref(), &[Some(&a)], pos);
    let _ = completion::complete(&text, None, &[], pos);
    let _ = hover::hover(&a, pos);
    let _ = nav::definition(&a, pos);
    let _ = nav::references(&a, pos, true);
    let _ = nav::prepare_rename(&a, pos);
    let _ = nav::rename(&a, pos, "renamed");
    let range = Range {
        start: pos,
        end: Position {
            line: pos.line + 1,
            character: 0,
        },
    };
    let _ = actions::code_actions(&a, range);
    let _ = hints::inlay_hints(&a, range);
}

#[test]
fn every_feature_at_every_position() {
    let src = messy();
    let (w, uri) = world(&src);
    let text = Text::new(src.clone());
    let a = w.analysis(&uri).unwrap();
    let _ = folding::folding_ranges(&text);
    let _ = semantic::tokens(&a);
    let _ = nav::document_symbols(&a);
    let _ = nav::workspace_symbols(&a, "a");
    let _ = hints::code_lenses(&a, w.loader());
    let mut positions = 0;
    for (line, l) in src.split('\n').enumerate() {
        let units: u32 = l.chars().map(|c| c.len_utf16() as u32).sum();
        // Every UTF-16 column, also inside surrogate pairs and past the end of the line.
        for character in 0..=units + 2 {
            everything_at(
                &w,
                &uri,
                Position {
                    line: line as u32,
                    character,
                },
            );
            positions += 1;
        }
    }
    // Positions past the end of the document.
    everything_at(
        &w,
        &uri,
        Position {
            line: 10_000,
            character: 10_000,
        },
    );
    assert!(positions > 2000, "{positions}");
}

#[test]
fn every_prefix_while_typing() {
    let src = messy();
    let mut cut = 0;
    while cut < src.len() {
        cut = (cut + 41).min(src.len());
        while !src.is_char_boundary(cut) {
            cut += 1;
        }
        let prefix = &src[..cut];
        let (w, uri) = world(prefix);
        let text = Text::new(prefix);
        let end = text.position(prefix.len());
        everything_at(&w, &uri, end);
        let a = w.analysis(&uri).unwrap();
        let _ = semantic::tokens(&a);
        let _ = folding::folding_ranges(&text);
        let _ = nav::document_symbols(&a);
    }
}
