//! The generator produces what its features promise: over a few hundred seeds, every Revision 2
//! form appears in some case (a feature that silently stopped generating would leave its rule
//! untested while the differential test still passed).
#![allow(clippy::unwrap_used, reason = "test")]

use icp_oracle::generate::{self, Config, Format};

#[test]
fn every_feature_shows_up_in_some_case() {
    let cfg = Config::everything(8);
    let cases: Vec<generate::Case> = (0..400).map(|s| generate::case(s, &cfg)).collect();
    let any = |f: &dyn Fn(&generate::Case) -> bool| cases.iter().any(f);
    let has = |needle: &str| cases.iter().any(|c| c.program.contains(needle));
    assert!(any(&|c| c.format == Format::Json), "JSON input");
    assert!(any(&|c| c.format == Format::Jsonl), "JSON Lines input");
    assert!(
        any(&|c| c.format == Format::Csv && c.decimal_comma),
        "decimal comma CSV"
    );
    assert!(
        any(&|c| c.format != Format::Csv && c.decimal_comma),
        "decimal comma JSON"
    );
    assert!(any(&|c| c.profiles.len() == 2), "several profiles");
    assert!(any(&|c| c.csv.contains(":null")), "JSON null");
    assert!(
        any(&|c| c.csv.contains(":true") || c.csv.contains(":false")),
        "JSON booleans"
    );
    for needle in [
        " < seed",
        "practical_share 0%",
        "situation.end",
        "situation.start",
        "milestone start +",
        "milestone end -",
        "sum(",
        ": duration",
        "\"Call them\"",
        "not in [",
        "contains all [",
        "target seg",
        "?? true",
        "?? false",
        "\" | \"",
        "// a comment",
        "\"Criterion \\\"",
        "segment seg0 {",
        "profile p in q1",
        "0,500",
    ] {
        assert!(
            has(needle) || any(&|c| c.csv.contains(needle)),
            "never generated: {needle}"
        );
    }
    // An ordered comparison on an ordered enum field.
    assert!(
        cases.iter().any(|c| c.program.contains(" >= none")
            || c.program.contains(" < series_a")
            || c.program.contains(" > seed")),
        "ordered comparisons"
    );
    // `Config::passing` keeps the run's shape: one profile, CSV, decimal point.
    for s in 0..200 {
        let c = generate::case(s, &Config::passing(4));
        assert_eq!(c.format, Format::Csv);
        assert!(!c.decimal_comma);
        assert_eq!(c.profiles, ["p"]);
    }
}
