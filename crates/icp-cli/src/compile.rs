//! `icp compile PROGRAM --dialect D`: one profile compiled to one SQL query (see
//! `docs/sql.md` and the `icp-sql` crate).

use std::path::PathBuf;
use std::process::ExitCode;

use icp_model::ProfileId;
use icp_sql::{Dialect, Mode, Options};

use crate::load;
use crate::sweep::{self, Fail};

/// Arguments of `icp compile`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompileArgs {
    /// The ICP program (its imports are followed).
    pub program: PathBuf,
    /// The profile to compile (may be left out when the program has one).
    #[arg(long, short = 'p', value_name = "NAME")]
    pub profile: Option<String>,
    /// The SQL dialect: duckdb, postgres, spark, bigquery or snowflake.
    #[arg(long, value_name = "DIALECT")]
    pub dialect: String,
    /// The table the accounts are read from.
    #[arg(long, value_name = "NAME", default_value = "accounts")]
    pub table: String,
    /// The table has typed columns (the default; see docs/sql.md for the types).
    #[arg(long, conflicts_with = "raw_text")]
    pub typed: bool,
    /// The table has text columns (the file's cells), read with `icp score`'s value readers
    /// compiled into the query.
    #[arg(long)]
    pub raw_text: bool,
    /// With `--raw-text`: the decimal point of the cells' numbers, `.` (`1,200.50`, the
    /// default) or `,` (`1.200,50`). Default: `decimal` under `[data]` in the project's
    /// `icp.toml`, else `.`.
    #[arg(long, value_name = "CHAR", requires = "raw_text")]
    pub decimal: Option<String>,
    /// The date `today` means, `YYYY-MM-DD` (default: the engine's `CURRENT_DATE`).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Write `CREATE OR REPLACE VIEW NAME AS ...` instead of a bare query.
    #[arg(long, value_name = "NAME")]
    pub view: Option<String>,
    /// Write here (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs `icp compile`.
pub fn run(args: &CompileArgs) -> ExitCode {
    sweep::report(run_inner(args))
}

fn run_inner(args: &CompileArgs) -> Result<ExitCode, Fail> {
    let dialect = Dialect::from_name(&args.dialect).ok_or_else(|| {
        let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
        Fail::new(format!(
            "--dialect {}: expected one of {}",
            args.dialect,
            names.join(", ")
        ))
    })?;
    let as_of = match &args.as_of {
        Some(s) => Some(load::parse_date(s).map_err(|e| Fail::new(format!("--as-of {e}")))?),
        None => None,
    };
    let checked =
        load::load_program(&args.program, as_of, load::color(false)).map_err(|e| match e {
            load::ProgramError::Unreadable(msg) => Fail(msg.trim_end().to_owned()),
            load::ProgramError::Errors(rendered) => Fail(format!(
                "{rendered}error: `{}` has errors: fix them (see `icp check`) before compiling",
                args.program.display()
            )),
        })?;
    let program = &checked.program;
    let names: Vec<&str> = program.profiles.iter().map(|p| p.name.as_str()).collect();
    let profile = match &args.profile {
        Some(n) => program.profile_named(n).map(|(id, _)| id).ok_or_else(|| {
            Fail::new(format!("no profile `{n}` (profiles: {})", names.join(", ")))
        })?,
        None => match names.as_slice() {
            [_] => ProfileId(0),
            [] => return Err(Fail::new("the program has no profile")),
            many => {
                return Err(Fail::new(format!(
                    "the program has several profiles: choose one with --profile ({})",
                    many.join(", ")
                )));
            }
        },
    };
    let hash = checked
        .files
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, f| {
            fnv(fnv(h, f.text.as_bytes()), &[0])
        });
    let decimal = load::data_decimal(&args.program, args.decimal.as_deref()).map_err(Fail::new)?;
    let options = Options {
        profile,
        dialect,
        table: args.table.clone(),
        mode: if args.raw_text {
            Mode::RawText
        } else {
            Mode::Typed
        },
        decimal_comma: args.raw_text && decimal == icp_data::DecimalMark::Comma,
        as_of,
        view: args.view.clone(),
        header: vec![
            format!(
                "icp {}, program hash {hash:016x} (FNV-1a 64 of its source files)",
                env!("CARGO_PKG_VERSION")
            ),
            as_of.map_or_else(
                || "today: CURRENT_DATE".to_owned(),
                |d| {
                    let (y, m, dd) = d.ymd();
                    format!("today: {y:04}-{m:02}-{dd:02}")
                },
            ),
        ],
    };
    let sql = icp_sql::compile(program, &options).map_err(Fail::new)?;
    sweep::emit(&sql, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// FNV-1a, 64 bits.
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
