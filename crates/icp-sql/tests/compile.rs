//! Snapshots of the compiled SQL per dialect, and hostile identifiers and strings.

use std::path::Path;

use icp_check::{MemoryLoader, Options as CheckOptions, check};
use icp_model::{Date, ProfileId, Program};
use icp_sql::{Dialect, Mode, Options, compile};

fn program(src: &str) -> Program {
    let loader = MemoryLoader::new().with("/p/main.icp", src);
    let checked = check(
        &["/p/main.icp".into()],
        Path::new("/p"),
        &loader,
        &CheckOptions::default(),
    );
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    checked.program
}

fn options(dialect: Dialect) -> Options {
    Options {
        profile: ProfileId(0),
        dialect,
        table: "accounts".into(),
        mode: Mode::Typed,
        as_of: Date::from_ymd(2026, 1, 1),
        decimal_comma: false,
        view: None,
        header: vec!["test".into()],
    }
}

#[test]
fn engine_program_per_dialect() {
    let p = program(include_str!("engines/program.icp"));
    for d in Dialect::ALL {
        let sql = compile(&p, &options(d)).unwrap();
        insta::assert_snapshot!(format!("engines_{}", d.name()), sql);
    }
}

const HOSTILE: &str = include_str!("engines/hostile/program.icp");

/// Every quote and backslash of the program's texts stays inside its literal or identifier:
/// outside them, the compiled SQL holds none of the hostile words.
#[test]
fn hostile_identifiers_and_strings() {
    let p = program(HOSTILE);
    for d in Dialect::ALL {
        let sql = compile(&p, &options(d)).unwrap();
        let outside = strip_quoted(&sql, d);
        assert!(!outside.contains("DROP"), "{}: {outside}", d.name());
        assert!(!outside.contains(';'), "{}: {outside}", d.name());
        insta::assert_snapshot!(format!("hostile_{}", d.name()), sql);
    }
}

/// `sql` without comments, string literals and quoted identifiers, read the way `d` reads
/// them (doubled quotes; backslash escapes where the dialect has them).
fn strip_quoted(sql: &str, d: Dialect) -> String {
    let backslash = matches!(d, Dialect::Spark | Dialect::BigQuery | Dialect::Snowflake);
    let ident_q = match d {
        Dialect::Spark | Dialect::BigQuery => '`',
        _ => '"',
    };
    let mut out = String::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '-' && chars.peek() == Some(&'-') {
            for n in chars.by_ref() {
                if n == '\n' {
                    break;
                }
            }
            out.push('\n');
        } else if c == '\'' || c == ident_q {
            let esc = backslash && (c == '\'' || d == Dialect::BigQuery);
            loop {
                match chars.next() {
                    None => return format!("{out}<unclosed>"),
                    Some('\\') if esc => {
                        chars.next();
                    }
                    Some(x) if x == c => {
                        if chars.peek() == Some(&c) {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    Some(_) => {}
                }
            }
            out.push('Q');
        } else {
            out.push(c);
        }
    }
    out
}

/// `--raw-text` on the program of every reader (`engines/messy.icp`), per dialect: the five
/// `read` CTEs, each number field's form and pieces, the error texts.
#[test]
fn raw_text_per_dialect() {
    let p = program(include_str!("engines/messy.icp"));
    for d in Dialect::ALL {
        let mut o = options(d);
        o.mode = Mode::RawText;
        let sql = compile(&p, &o).unwrap();
        insta::assert_snapshot!(format!("raw_{}", d.name()), sql);
    }
}

/// `--decimal ,`: the decimal comma and `.` groups in each number form and in the examples of
/// the error texts.
#[test]
fn raw_text_decimal_comma() {
    let p = program(
        "schema S {\n  id: text key\n  m: money from \"Amount\"\n  n: int?\n}\nprofile p for S {\n  criterion c weight 1 { m > 1 and n > 1 }\n  tier a\n}\n",
    );
    let mut o = options(Dialect::DuckDb);
    o.mode = Mode::RawText;
    o.decimal_comma = true;
    let sql = compile(&p, &o).unwrap();
    assert!(
        sql.contains("(,[0-9]*)?|,[0-9]+|[1-9][0-9]{0,2}([.][0-9]{3})+"),
        "{sql}"
    );
    assert!(
        sql.contains("expected money like `$1,2M`, `36,9 M` or `850000`"),
        "{sql}"
    );
    assert!(
        sql.contains("expected a whole number like `1.200`"),
        "{sql}"
    );
    assert!(sql.contains("text columns with a decimal comma"), "{sql}");
    o.decimal_comma = false;
    let sql = compile(&p, &o).unwrap();
    assert!(
        sql.contains("([.][0-9]*)?|[.][0-9]+|[1-9][0-9]{0,2}(,[0-9]{3})+"),
        "{sql}"
    );
}

/// Hostile column names, labels and enum strings with `--raw-text`: nothing leaves its literal
/// or identifier in any dialect.
#[test]
fn raw_text_hostile() {
    let src = format!(
        "{HOSTILE}\nschema T {{\n  id: text from \"'); DROP TABLE t; --\" key\n  e: enum {{ a = \"x'; DROP TABLE u; --\\\\\", b }} from \"`e\\\\\"\n}}\nprofile q for T {{\n  criterion c weight 1 {{ e == a }}\n  tier t\n}}\n"
    );
    let p = program(&src);
    for d in Dialect::ALL {
        for profile in [0, 1] {
            let mut o = options(d);
            o.mode = Mode::RawText;
            o.profile = ProfileId(profile);
            let sql = compile(&p, &o).unwrap();
            let outside = strip_quoted(&sql, d);
            assert!(!outside.contains("DROP"), "{}: {outside}", d.name());
            assert!(!outside.contains(';'), "{}: {outside}", d.name());
        }
    }
}

/// `BigQuery` reads `0.2` as a `FLOAT64`: outside string literals, its SQL has no decimal point
/// between digits (constants are `CAST('0.2' AS BIGNUMERIC)`, hundredths divide by 100).
#[test]
fn bigquery_has_no_float_literals() {
    let mut cases = Vec::new();
    for src in [
        include_str!("engines/program.icp"),
        include_str!("engines/messy.icp"),
        include_str!("engines/large.icp"),
    ] {
        let p = program(src);
        for mode in [Mode::Typed, Mode::RawText] {
            for profile in 0..p.profiles.len() {
                let mut o = options(Dialect::BigQuery);
                o.mode = mode;
                o.profile = ProfileId(u32::try_from(profile).unwrap());
                cases.push(compile(&p, &o).unwrap());
            }
        }
    }
    for sql in &cases {
        let outside: Vec<char> = strip_quoted(sql, Dialect::BigQuery).chars().collect();
        let floats: Vec<String> = outside
            .windows(3)
            .filter(|w| w[0].is_ascii_digit() && w[1] == '.' && w[2].is_ascii_digit())
            .map(|w| w.iter().collect())
            .collect();
        assert!(floats.is_empty(), "{floats:?}");
    }
    let p = program(include_str!("engines/program.icp"));
    // The other dialects read `0.01` as an exact decimal and keep it.
    let duck = compile(&p, &options(Dialect::DuckDb)).unwrap();
    assert!(duck.contains("* 0.01"));
}

/// Spark with `spark.sql.ansi.enabled=true`: every sum, product and quotient of numbers is
/// guarded (`try_*`, `TRY_CAST`) and exact to 10 decimals below its bounds; a threshold times
/// the scaled weights beyond 10^28 keeps its own scale (engines/large.icp, run by spark.sh).
#[test]
fn spark_arithmetic_cannot_overflow() {
    let p = program(include_str!("engines/large.icp"));
    let sql = compile(&p, &options(Dialect::Spark)).unwrap();
    for guard in [
        "try_add(",
        "try_subtract(",
        "try_multiply(",
        "try_divide(",
        "DECIMAL(37, 10)",
    ] {
        assert!(sql.contains(guard), "{guard}: {sql}");
    }
    let mut o = options(Dialect::Spark);
    o.profile = ProfileId(1);
    let sql = compile(&p, &o).unwrap();
    // 100 x 10^3 x points >= 66666 x 1123446789000000000000000001 (the weights scaled by
    // 10^22): whole numbers beyond 10^28, exact.
    assert!(
        sql.contains(
            "WHEN 100000 * pc >= CAST(74895703635474000000000000066666 AS DECIMAL(38, 0))"
        ),
        "{sql}"
    );
}

/// Weights whose scaled sum would overflow the query's whole numbers are refused, not
/// compiled to SQL that fails in the engine.
#[test]
fn too_many_weight_digits_are_refused() {
    let p = program(
        "schema S {\n  id: text key\n  n: int\n}\nprofile p for S {\n  criterion a weight 9999999 { n > 1 }\n  criterion b weight 0.0000000000000000000000000001 { n > 2 }\n  tier t\n}\n",
    );
    let err = compile(&p, &options(Dialect::DuckDb)).unwrap_err();
    assert_eq!(err, icp_sql::Error::TooPrecise);
}
