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

#[test]
fn raw_text_is_refused_with_a_reason() {
    let p = program(HOSTILE);
    let mut o = options(Dialect::DuckDb);
    o.mode = Mode::RawText;
    assert!(
        compile(&p, &o)
            .unwrap_err()
            .to_string()
            .contains("--raw-text")
    );
}

/// `BigQuery` reads `0.2` as a `FLOAT64`: outside string literals, its SQL has no decimal point
/// between digits (constants are `CAST('0.2' AS BIGNUMERIC)`, hundredths divide by 100).
#[test]
fn bigquery_has_no_float_literals() {
    let p = program(include_str!("engines/program.icp"));
    let sql = compile(&p, &options(Dialect::BigQuery)).unwrap();
    let outside: Vec<char> = strip_quoted(&sql, Dialect::BigQuery).chars().collect();
    let floats: Vec<String> = outside
        .windows(3)
        .filter(|w| w[0].is_ascii_digit() && w[1] == '.' && w[2].is_ascii_digit())
        .map(|w| w.iter().collect())
        .collect();
    assert!(floats.is_empty(), "{floats:?}");
    // The other dialects read `0.01` as an exact decimal and keep it.
    let duck = compile(&p, &options(Dialect::DuckDb)).unwrap();
    assert!(duck.contains("* 0.01"));
}
