//! `icp explain PROGRAM ACCOUNTS (--id KEY | --row N)`: the full explanation of one account.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use icp_data::{ReadOptions, Row, RowSink, Source};
use icp_eval::{Explanation, Plan};
use icp_model::{ProfileId, Program};

use crate::load;
use crate::load::{color, parse_date};

/// Arguments of `icp explain`.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["id", "row"])))]
pub struct ExplainArgs {
    /// The program: an `.icp` file or a directory of them.
    pub program: PathBuf,
    /// The accounts file (CSV, JSON, JSON Lines; optionally gzipped); `-` reads standard
    /// input (its format sniffed: JSON when it starts with `[` or `{`, else CSV).
    pub accounts: PathBuf,
    /// The account whose key field has this value.
    #[arg(long, value_name = "KEY")]
    pub id: Option<String>,
    /// The account on this data row (1-based; the header is not a row).
    #[arg(long, value_name = "N")]
    pub row: Option<u64>,
    /// The profile (needed when the program has several).
    #[arg(short, long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    /// `today` (default: the clock, UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Input format when the file name does not tell (`csv`, `tsv`, `json`, `jsonl`).
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// CSV delimiter: a single character, or `tab` (default: sniffed from the header).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// The decimal point of the accounts' numbers: `.` (`1,200.50`, the default) or `,`
    /// (`1.200,50`; then `.` groups thousands). Default: `decimal` under `[data]` in the
    /// project's `icp.toml`, else `.`.
    #[arg(long, value_name = "CHAR")]
    pub decimal: Option<String>,
}

/// Output formats of `icp explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// An indented tree.
    Text,
    /// The explanation as JSON.
    Json,
}

/// Exit codes: the account is not in the file (1), usage or program errors (2).
const NOT_FOUND: u8 = 1;
const ERROR: u8 = 2;

/// The profile to explain: the named one, else the only one.
fn pick_profile(program: &Program, name: Option<&str>) -> Result<ProfileId, String> {
    let names: Vec<&str> = program.profiles.iter().map(|p| p.name.as_str()).collect();
    match name {
        Some(n) => program.profile_named(n).map(|(id, _)| id).ok_or_else(|| {
            let hint = icp_syntax::did_you_mean(n, names.iter().copied())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            format!("no profile `{n}`{hint} (profiles: {})", names.join(", "))
        }),
        None => match names.as_slice() {
            [_] => Ok(ProfileId(0)),
            [] => Err("the program has no profile".to_owned()),
            many => Err(format!(
                "the program has several profiles: choose one with --profile ({})",
                many.join(", ")
            )),
        },
    }
}

/// What was found for the chosen account.
enum Found {
    Explained {
        row: u64,
        id: Option<String>,
        explanation: Box<Explanation>,
    },
    Invalid {
        row: u64,
        id: Option<String>,
        error: String,
    },
}

struct Finder<'a> {
    plan: &'a Plan,
    key: Option<usize>,
    id: Option<&'a str>,
    row: Option<u64>,
    found: Mutex<Option<(u64, Found)>>,
    /// The last data row seen, to say how many there are when `--row` is past the end.
    rows: AtomicU64,
    /// The first key equal to `--id` but for case, for a did-you-mean: (row, key).
    near: Mutex<Option<(u64, String)>>,
}

impl RowSink for Finder<'_> {
    type Local = ();
    type Stats = ();
    fn local(&self) {}
    fn row(&self, (): &mut (), (): &mut (), row: &Row<'_>, _out: &mut Vec<u8>) {
        self.rows.fetch_max(row.number, Ordering::Relaxed);
        let id = self.key.and_then(|k| row.cell(k));
        let hit = match (self.row, self.id) {
            (Some(n), _) => row.number == n,
            (None, Some(want)) => id.is_some_and(|v| v == want.trim()),
            (None, None) => false,
        };
        if !hit {
            if let (Some(want), Some(v)) = (self.id, id)
                && v.to_lowercase() == want.trim().to_lowercase()
                && let Ok(mut near) = self.near.lock()
                && near.as_ref().is_none_or(|(n, _)| row.number < *n)
            {
                *near = Some((row.number, v.to_owned()));
            }
            return;
        }
        let id = id.map(str::to_owned);
        let found = match row.error {
            Some(e) => Found::Invalid {
                row: row.number,
                id,
                error: e.to_string(),
            },
            None => Found::Explained {
                row: row.number,
                id,
                explanation: Box::new(self.plan.explain(row.values)),
            },
        };
        if let Ok(mut slot) = self.found.lock() {
            // Keep the first matching row of the file.
            if slot.as_ref().is_none_or(|(n, _)| row.number < *n) {
                *slot = Some((row.number, found));
            }
        }
    }
}

/// Run `icp explain`.
pub fn run(args: &ExplainArgs) -> ExitCode {
    match run_inner(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(ERROR)
        }
    }
}

fn run_inner(args: &ExplainArgs) -> Result<ExitCode, String> {
    let today = args
        .as_of
        .as_deref()
        .map(|s| parse_date(s).map_err(|e| format!("--as-of {e}")))
        .transpose()?
        .unwrap_or_else(icp_host::today_utc);
    let checked = match load::load_program(&args.program, Some(today), color(false)) {
        Ok(c) => c,
        Err(load::ProgramError::Unreadable(msg)) => {
            eprint!("{msg}");
            return Ok(ExitCode::from(ERROR));
        }
        Err(load::ProgramError::Errors(rendered)) => {
            eprint!("{rendered}");
            return Err(format!(
                "`{}` has errors: fix them (see `icp check`)",
                args.program.display()
            ));
        }
    };
    let program = &checked.program;
    let profile = pick_profile(program, args.profile.as_deref())?;
    let plan = Plan::new(program, profile, today).map_err(|e| e.to_string())?;
    let schema = plan.schema();
    let key = schema.key.map(icp_model::FieldId::index);
    if args.id.is_some() && key.is_none() {
        return Err(format!(
            "schema `{}` has no `key` field: choose the account with --row",
            schema.name
        ));
    }

    let path = args.accounts.display().to_string();
    // A name that does not tell the format is read as CSV, as before.
    let input = crate::input::open(
        &args.accounts,
        args.input_format.as_deref(),
        args.delimiter.as_deref(),
        true,
    )?;
    let decimal = load::data_decimal(&args.program, args.decimal.as_deref())?;
    let options = ReadOptions {
        format: input.format,
        delimiter: input.delimiter,
        decimal,
        threads: 1,
        ..ReadOptions::default()
    };
    let source = Source::open(Box::new(std::io::BufReader::new(input.reader)), options)
        .map_err(|e| format!("`{path}`: {e}"))?;
    let (binding, _warnings) = source
        .bind(program, schema)
        .map_err(|e| format!("`{path}`: {e}"))?;
    let finder = Finder {
        plan: &plan,
        key,
        id: args.id.as_deref(),
        row: args.row,
        found: Mutex::new(None),
        rows: AtomicU64::new(0),
        near: Mutex::new(None),
    };
    source
        .run(&binding, &finder, |_| Ok(()))
        .map_err(|e| format!("`{path}`: {e}"))?;

    let found = finder.found.into_inner().ok().flatten().map(|(_, f)| f);
    let Some(found) = found else {
        let rows = finder.rows.into_inner();
        match (&args.id, args.row) {
            (_, Some(n)) => eprintln!(
                "error: `{path}` has no data row {n}: it has {rows} data row{}",
                if rows == 1 { "" } else { "s" }
            ),
            (Some(id), None) => {
                let near = finder.near.into_inner().ok().flatten();
                match near {
                    Some((row, key)) => eprintln!(
                        "error: no account in `{path}` has the key `{id}`: did you mean `{key}` (row {row})? Keys are compared exactly"
                    ),
                    None => eprintln!("error: no account in `{path}` has the key `{id}`"),
                }
            }
            (None, None) => {}
        }
        return Ok(ExitCode::from(NOT_FOUND));
    };
    // A reader that went away (`| head -1`) is no error: stop quietly, as `cat` does.
    load::print_stdout(&render(&found, args.format, color(true))?)
        .map_err(|e| format!("cannot write the explanation: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn render(found: &Found, format: ExplainFormat, color: bool) -> Result<String, String> {
    #[derive(serde::Serialize)]
    struct Json<'a> {
        row: u64,
        id: Option<&'a str>,
        #[serde(flatten)]
        explanation: &'a Explanation,
    }
    #[derive(serde::Serialize)]
    struct InvalidJson<'a> {
        row: u64,
        id: Option<&'a str>,
        tier: &'static str,
        error: &'a str,
    }
    let json = match (format, found) {
        (
            ExplainFormat::Json,
            Found::Explained {
                row,
                id,
                explanation,
            },
        ) => serde_json::to_string_pretty(&Json {
            row: *row,
            id: id.as_deref(),
            explanation,
        }),
        (ExplainFormat::Json, Found::Invalid { row, id, error }) => {
            serde_json::to_string_pretty(&InvalidJson {
                row: *row,
                id: id.as_deref(),
                tier: "invalid",
                error,
            })
        }
        (
            ExplainFormat::Text,
            Found::Explained {
                row,
                id,
                explanation,
            },
        ) => {
            let who = id
                .as_ref()
                .map_or_else(|| format!("row {row}"), |id| format!("{id} (row {row})"));
            let text = if color {
                explanation.to_text_styled(&ansi)
            } else {
                explanation.to_text()
            };
            return Ok(format!("account {who}\n{text}"));
        }
        (ExplainFormat::Text, Found::Invalid { row, id, error }) => {
            let who = id
                .as_ref()
                .map_or_else(|| format!("row {row}"), |id| format!("{id} (row {row})"));
            return Ok(format!("account {who}\ntier invalid: {error}\n"));
        }
    };
    json.map(|s| s + "\n").map_err(|e| e.to_string())
}

/// Colours a styled piece of an explanation with ANSI escape codes.
fn ansi(out: &mut String, style: icp_eval::Style, text: &str) {
    let code = match style {
        icp_eval::Style::Tier => "1",
        icp_eval::Style::Holds => "32",
        icp_eval::Style::Fails => "31",
        icp_eval::Style::Unknown => "33",
        icp_eval::Style::Partial => "36",
    };
    out.push_str("\x1b[");
    out.push_str(code);
    out.push('m');
    out.push_str(text);
    out.push_str("\x1b[0m");
}
