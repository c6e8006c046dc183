//! The public API: roots, paths, overlays, symbols and fixes.

#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests read their fixtures from disk and fail loudly"
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use icp_check::{MemoryLoader, Options, check, check_with_overlay, find_root, normalize};
use icp_syntax::{Code, FileId};

#[test]
fn find_root_walks_up_to_icp_toml() {
    let has = |p: &Path| p == Path::new("/a/b/icp.toml");
    assert_eq!(find_root(Path::new("/a/b/c/d"), has), PathBuf::from("/a/b"));
    assert_eq!(find_root(Path::new("/x/y"), has), PathBuf::from("/x/y"));
}

#[test]
fn normalize_is_lexical() {
    assert_eq!(
        normalize(Path::new("/p/a/../b/./c.icp")),
        PathBuf::from("/p/b/c.icp")
    );
    assert_eq!(
        normalize(Path::new("a/../../c.icp")),
        PathBuf::from("../c.icp")
    );
    assert_eq!(normalize(Path::new("./x.icp")), PathBuf::from("x.icp"));
}

#[test]
fn relative_roots_and_imports() {
    let loader = MemoryLoader::new()
        .with(
            "main.icp",
            "import \"sub/../schema.icp\"\nimport \"../up.icp\"\nsegment s { n > 1 }\n",
        )
        .with("schema.icp", "schema A { id: text key  n: int }\n");
    let checked = check(
        &["./main.icp".into()],
        Path::new("."),
        &loader,
        &Options::default(),
    );
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::ImportOutsideRoot]);
    assert_eq!(checked.files.len(), 2);
}

#[test]
fn the_overlay_wins_over_the_loader() {
    let loader = MemoryLoader::new().with(
        "/p/main.icp",
        "schema A { id: text key  n: int }\nsegment s { n > 1 }\n",
    );
    let mut overlay = HashMap::new();
    overlay.insert(
        PathBuf::from("/p/./main.icp"),
        "schema A { id: text key  n: int }\nsegment s { m > 1 }\n".to_owned(),
    );
    let checked = check_with_overlay(
        &["/p/main.icp".into()],
        Path::new("/p"),
        &loader,
        &overlay,
        &Options::default(),
    );
    let codes: Vec<Code> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::UnknownField]);
    // the did-you-mean is a fix the editor can apply
    let fix = checked.diagnostics[0].fix.as_ref().unwrap();
    assert_eq!(fix.edits[0].text, "n");
    assert_eq!(fix.edits[0].file, FileId(0));
}

#[test]
fn a_missing_entry_is_a_diagnostic() {
    let checked = check(
        &["/p/none.icp".into()],
        Path::new("/p"),
        &MemoryLoader::new(),
        &Options::default(),
    );
    assert_eq!(checked.files.len(), 1);
    assert_eq!(checked.diagnostics[0].code, Code::ImportNotFound);
    assert!(checked.has_errors());
}

#[test]
fn never_missing_fix_edits_the_schema_file() {
    let loader = MemoryLoader::new()
        .with(
            "/p/main.icp",
            "import \"schema.icp\"\nsegment s { n is missing }\n",
        )
        .with("/p/schema.icp", "schema A { id: text key  n: int }\n");
    let checked = check(
        &["/p/main.icp".into()],
        Path::new("/p"),
        &loader,
        &Options::default(),
    );
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::NeverMissing)
        .unwrap();
    assert_eq!(d.file, FileId(0));
    let edit = &d.fix.as_ref().unwrap().edits[0];
    assert_eq!(edit.file, FileId(1));
    let schema = &checked.files[1].text;
    assert_eq!(
        &schema[..edit.span.start as usize],
        "schema A { id: text key  n: int"
    );
}

#[test]
fn references_cross_files() {
    let loader = MemoryLoader::new()
        .with(
            "/p/main.icp",
            "import \"schema.icp\"\nsegment s { n > 1 }\nsegment t { s and n < 9 }\n",
        )
        .with("/p/schema.icp", "schema A { id: text key  n: int }\n");
    let checked = check(
        &["/p/main.icp".into()],
        Path::new("/p"),
        &loader,
        &Options::default(),
    );
    assert!(checked.diagnostics.is_empty());
    let schema_text = &checked.files[1].text;
    let n_def = checked
        .def_at(FileId(1), schema_text.find("n:").unwrap())
        .unwrap();
    let refs: Vec<(FileId, String)> = checked
        .references(n_def)
        .map(|(f, s)| (f, s.text(&checked.files[f.0 as usize].text).to_owned()))
        .collect();
    assert_eq!(
        refs,
        vec![(FileId(0), "n".to_owned()), (FileId(0), "n".to_owned())]
    );
    let main = &checked.files[0].text;
    let s_ref = checked
        .def_at(FileId(0), main.find("s and").unwrap())
        .unwrap();
    assert_eq!(&*checked.symbols.defs[s_ref].name, "s");
    assert!(matches!(
        &*checked.symbols.defs[s_ref].detail,
        icp_check::SymbolDetail::Segment { cond_text, .. } if cond_text.contains("n > 1")
    ));
}
