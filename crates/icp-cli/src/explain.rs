//! `icp explain PROGRAM ACCOUNTS (--id KEY | --row N)`: the full explanation of one account,
//! for one profile or several side by side (`--profile A --profile B`, `--all-profiles`).

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
    /// The profile (needed when the program has several). Give it several times to see the
    /// account under each profile side by side.
    #[arg(short, long, value_name = "NAME")]
    pub profile: Vec<String>,
    /// Explain the account under every profile of the program.
    #[arg(long, conflicts_with = "profile")]
    pub all_profiles: bool,
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

/// The profiles to explain: every one, the named ones in the order given, else the only
/// one. They must read the same schema (the file is read with one).
fn pick_profiles(program: &Program, names: &[String], all: bool) -> Result<Vec<ProfileId>, String> {
    let ids: Vec<ProfileId> = if all {
        if program.profiles.is_empty() {
            return Err("the program has no profile".to_owned());
        }
        (0..program.profiles.len())
            .filter_map(|i| u32::try_from(i).ok().map(ProfileId))
            .collect()
    } else if names.is_empty() {
        vec![pick_profile(program, None)?]
    } else {
        let mut ids = Vec::with_capacity(names.len());
        for n in names {
            let id = pick_profile(program, Some(n))?;
            if ids.contains(&id) {
                return Err(format!(
                    "profile `{n}` is given twice: give each --profile once"
                ));
            }
            ids.push(id);
        }
        ids
    };
    let schema_of = |id: ProfileId| {
        let profile = program.profile(id)?;
        Some((
            profile.name.as_str(),
            program.schema(profile.schema)?.name.as_str(),
        ))
    };
    let mut first: Option<(&str, &str)> = None;
    for (name, schema) in ids.iter().filter_map(|&id| schema_of(id)) {
        match first {
            None => first = Some((name, schema)),
            Some((first_name, first_schema)) if first_schema != schema => {
                return Err(format!(
                    "profiles `{first_name}` and `{name}` read different schemas (`{first_schema}` and `{schema}`): explain them in separate runs"
                ));
            }
            Some(_) => {}
        }
    }
    Ok(ids)
}

/// What was found for the chosen account.
enum Found {
    Explained {
        row: u64,
        id: Option<String>,
        /// One per profile, in the order given.
        explanations: Vec<Explanation>,
        /// The best profile (several profiles; see `icp score`'s `best_profile`).
        best: Option<usize>,
    },
    Invalid {
        row: u64,
        id: Option<String>,
        error: String,
    },
}

struct Finder<'a> {
    plans: &'a [Plan],
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
        let found = if let Some(e) = row.error {
            Found::Invalid {
                row: row.number,
                id,
                error: e.to_string(),
            }
        } else {
            let outcomes: Vec<icp_eval::Outcome> = self
                .plans
                .iter()
                .map(|p| p.eval(row.values, &mut p.scratch()))
                .collect();
            Found::Explained {
                row: row.number,
                id,
                explanations: self.plans.iter().map(|p| p.explain(row.values)).collect(),
                best: crate::score::best_profile(&outcomes),
            }
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
    let plans = pick_profiles(program, &args.profile, args.all_profiles)?
        .into_iter()
        .map(|id| Plan::new(program, id, today))
        .collect::<Result<Vec<Plan>, _>>()
        .map_err(|e| e.to_string())?;
    let Some(plan) = plans.first() else {
        return Err("the program has no profile".to_owned());
    };
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
        plans: &plans,
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
    struct SeveralJson<'a> {
        row: u64,
        id: Option<&'a str>,
        best_profile: Option<&'a str>,
        profiles: &'a [Explanation],
    }
    #[derive(serde::Serialize)]
    struct InvalidJson<'a> {
        row: u64,
        id: Option<&'a str>,
        tier: &'static str,
        error: &'a str,
    }
    let who = |row: u64, id: &Option<String>| {
        id.as_ref()
            .map_or_else(|| format!("row {row}"), |id| format!("{id} (row {row})"))
    };
    let json = match (format, found) {
        (
            ExplainFormat::Json,
            Found::Explained {
                row,
                id,
                explanations,
                best,
            },
        ) => match explanations.as_slice() {
            [explanation] => serde_json::to_string_pretty(&Json {
                row: *row,
                id: id.as_deref(),
                explanation,
            }),
            several => serde_json::to_string_pretty(&SeveralJson {
                row: *row,
                id: id.as_deref(),
                best_profile: best
                    .and_then(|b| several.get(b))
                    .map(|e| e.profile.as_str()),
                profiles: several,
            }),
        },
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
                explanations,
                best,
            },
        ) => {
            let texts: Vec<String> = explanations
                .iter()
                .map(|e| {
                    if color {
                        e.to_text_styled(&ansi)
                    } else {
                        e.to_text()
                    }
                })
                .collect();
            let who = who(*row, id);
            return Ok(match texts.as_slice() {
                [text] => format!("account {who}\n{text}"),
                several => {
                    let best = best
                        .and_then(|b| explanations.get(b))
                        .map_or("none (in no profile's target, or excluded by each)", |e| {
                            e.profile.as_str()
                        });
                    format!(
                        "account {who}\nbest profile: {best}\n\n{}",
                        side_by_side(several)
                    )
                }
            });
        }
        (ExplainFormat::Text, Found::Invalid { row, id, error }) => {
            return Ok(format!(
                "account {}\ntier invalid: {error}\n",
                who(*row, id)
            ));
        }
    };
    json.map(|s| s + "\n").map_err(|e| e.to_string())
}

/// Texts laid out in columns, each as wide as its longest line, separated by ` │ `.
fn side_by_side(texts: &[String]) -> String {
    let columns: Vec<Vec<&str>> = texts.iter().map(|t| t.lines().collect()).collect();
    let widths: Vec<usize> = columns
        .iter()
        .map(|lines| lines.iter().map(|l| visible_width(l)).max().unwrap_or(0))
        .collect();
    let height = columns.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = String::new();
    for i in 0..height {
        let mut line = String::new();
        // Columns after the last one with text on this line are left out, separator too.
        let used = columns
            .iter()
            .rposition(|lines| lines.get(i).is_some_and(|l| !l.is_empty()))
            .map_or(0, |c| c + 1);
        for (c, (lines, &w)) in columns.iter().zip(&widths).enumerate().take(used) {
            if c > 0 {
                line.push_str(" │ ");
            }
            let text = lines.get(i).copied().unwrap_or("");
            line.push_str(text);
            if c + 1 < columns.len() {
                line.extend(std::iter::repeat_n(
                    ' ',
                    w.saturating_sub(visible_width(text)),
                ));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The width of a line on a terminal: its characters, ANSI colour codes left out.
fn visible_width(line: &str) -> usize {
    let mut n = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // `ESC [ ... m`
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            n += 1;
        }
    }
    n
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
