//! `icp score PROGRAM ACCOUNTS`: score every account of a CSV / JSON / JSON Lines file
//! against a profile, in parallel, streaming, in input order.
//!
//! Output columns: the schema's key field (or `row` when the schema has none), `score`
//! (0..100, two decimals), `tier`, `action` (when a tier has one), `coverage` (a fraction
//! 0..1, two decimals), `reasons` and `error` (rows that cannot be read: tier `invalid`, no
//! score or coverage). With several profiles (`--profile A --profile B`, `--all-profiles`)
//! the file is read and decoded once, and each profile has its own `A.score`, `A.tier`, ...
//! columns, after a `best_profile` column (see [`sink`]). `--columns` chooses and orders them.

mod sink;
mod syncer;

pub(crate) use sink::best_profile;

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use icp_data::{Chunk, ReadOptions, Source};
use icp_eval::Plan;
use icp_model::num;
use icp_model::{Decimal, ProfileId};

use sink::{ScoreSink, Stats};

use crate::load;

/// Arguments of `icp score`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScoreArgs {
    /// The ICP program (its imports are followed).
    pub program: PathBuf,
    /// The accounts: `.csv`, `.tsv`, `.json`, `.jsonl`/`.ndjson`, each optionally `.gz`;
    /// `-` reads standard input.
    pub accounts: String,
    /// The profile to score with (may be left out when the program has one). Give it
    /// several times to score every account against each profile in one run.
    #[arg(long, short = 'p', value_name = "NAME")]
    pub profile: Vec<String>,
    /// Score with every profile of the program, in the order they are declared.
    #[arg(long, conflicts_with = "profile")]
    pub all_profiles: bool,
    /// Write only these output columns, in this order (comma-separated, e.g.
    /// `id,score,tier`; with several profiles `mary.score,best_profile`).
    #[arg(long, value_name = "LIST")]
    pub columns: Option<String>,
    /// Write here (atomically) instead of standard output. The format follows the
    /// extension (`.csv`, `.tsv`, `.json`, `.jsonl`, `.txt`, each optionally `.gz`); another
    /// extension needs `--format`. A FIFO or a device is written in place; a symbolic
    /// link's target is replaced, not the link.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format (default: from the `-o` extension, else csv).
    #[arg(long, value_enum)]
    pub format: Option<OutFormat>,
    /// The date `today` means, `YYYY-MM-DD` (default: the clock, UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Add the full explanation of each row (json and jsonl output).
    #[arg(long)]
    pub explain: bool,
    /// Put the input's columns first in each output row (csv, tsv, json, jsonl). One whose
    /// name is already taken (`id`, `score`, `tier`, ...) is renamed `input_NAME`.
    #[arg(long)]
    pub keep_columns: bool,
    /// Exit with status 3 when any row is invalid.
    #[arg(long)]
    pub strict: bool,
    /// Input format when the file name does not tell: csv, tsv, json, jsonl.
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
    /// Worker threads (default: every core).
    #[arg(long, hide = true)]
    pub threads: Option<usize>,
    /// Block size in bytes (tests use tiny blocks).
    #[arg(long, hide = true)]
    pub block_size: Option<usize>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// Comma-separated values with a header line.
    Csv,
    /// Tab-separated values with a header line.
    Tsv,
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// An aligned text table, for reading.
    Table,
}

impl OutFormat {
    /// The format an output file name implies and whether it ends in `.gz` (`None`: the
    /// extension, if any, names no format).
    fn from_path(path: &Path) -> (Option<OutFormat>, bool) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let (base, gz) = match name.strip_suffix(".gz") {
            Some(b) => (b, true),
            None => (name.as_str(), false),
        };
        let format = match base.rsplit_once('.').map(|(_, e)| e) {
            Some("csv") => Some(OutFormat::Csv),
            Some("tsv" | "tab") => Some(OutFormat::Tsv),
            Some("json") => Some(OutFormat::Json),
            Some("jsonl" | "ndjson") => Some(OutFormat::Jsonl),
            Some("txt") => Some(OutFormat::Table),
            _ => None,
        };
        (format, gz)
    }

    /// The field delimiter of the delimited formats.
    fn delimiter(self) -> u8 {
        if self == OutFormat::Tsv { b'\t' } else { b',' }
    }
}

/// The output format and whether to gzip it: `--format`, else the `-o` extension (see
/// [`OutFormat::from_path`]), else csv on standard output or on a FIFO or device (whose
/// names tell nothing); a file whose extension names no format is refused.
fn output_format(
    format: Option<OutFormat>,
    output: Option<&Path>,
    special: bool,
) -> Result<(OutFormat, bool), Usage> {
    let Some(path) = output else {
        return Ok((format.unwrap_or(OutFormat::Csv), false));
    };
    let (implied, gz) = OutFormat::from_path(path);
    match format.or(implied) {
        Some(f) => Ok((f, gz)),
        None if special => Ok((OutFormat::Csv, gz)),
        None => Err(Usage(format!(
            "error: cannot tell the output format of `{}` from its name: name it .csv, .tsv, .json, .jsonl or .txt (each optionally .gz), or give `--format`",
            path.display()
        ))),
    }
}

/// Output column names that cannot be used twice: the kept input columns (`keep`) come
/// first, then `own` (the key, `score`, `tier`, ...). A kept name equal to an earlier name
/// (ASCII case aside) is prefixed with `input_`, as often as needed.
fn kept_names(keep: &[String], own: &[&str]) -> Vec<String> {
    let lower = |s: &str| s.to_ascii_lowercase();
    let mut taken: std::collections::HashSet<String> = own.iter().map(|n| lower(n)).collect();
    let mut out = Vec::with_capacity(keep.len());
    for name in keep {
        let mut n = name.clone();
        while taken.contains(&lower(&n)) {
            n.insert_str(0, "input_");
        }
        taken.insert(lower(&n));
        out.push(n);
    }
    out
}

/// A usage error: message for stderr, exit status 2.
struct Usage(String);

/// Run `icp score`.
pub fn run(args: &ScoreArgs) -> ExitCode {
    match score(args) {
        Ok(code) => code,
        Err(Usage(msg)) => {
            let mut err = io::stderr().lock();
            let _ = err.write_all(msg.as_bytes());
            if !msg.ends_with('\n') {
                let _ = err.write_all(b"\n");
            }
            ExitCode::from(2)
        }
    }
}

fn pick_profile(program: &icp_model::Program, name: Option<&str>) -> Result<ProfileId, Usage> {
    let names: Vec<&str> = program.profiles.iter().map(|p| p.name.as_str()).collect();
    let list = || {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(n) => program.profile_named(n).map(|(id, _)| id).ok_or_else(|| {
            let mut msg = format!("error: no profile `{n}` in the program");
            if let Some(s) = icp_syntax::did_you_mean(n, names.iter().copied()) {
                let _ = write!(msg, ": did you mean `{s}`?");
            }
            let _ = write!(msg, "\n  profiles: {}", list());
            Usage(msg)
        }),
        None => match names.len() {
            0 => Err(Usage(
                "error: the program has no profile to score with".into(),
            )),
            1 => Ok(ProfileId(0)),
            _ => Err(Usage(format!(
                "error: the program has several profiles: choose one with `--profile NAME`\n  profiles: {}",
                list()
            ))),
        },
    }
}

/// The profiles to score with: every one (`--all-profiles`), the named ones in the order
/// given, else the only one. Several profiles must read the same schema: the file is read
/// and decoded once, with one schema.
fn pick_profiles(
    program: &icp_model::Program,
    names: &[String],
    all: bool,
) -> Result<Vec<ProfileId>, Usage> {
    let ids = if all {
        if program.profiles.is_empty() {
            return Err(Usage(
                "error: the program has no profile to score with".into(),
            ));
        }
        (0..program.profiles.len())
            .filter_map(|i| u32::try_from(i).ok().map(ProfileId))
            .collect()
    } else if names.is_empty() {
        vec![pick_profile(program, None)?]
    } else {
        let mut ids: Vec<ProfileId> = Vec::with_capacity(names.len());
        for n in names {
            let id = pick_profile(program, Some(n))?;
            if ids.contains(&id) {
                return Err(Usage(format!(
                    "error: profile `{n}` is given twice: give each `--profile` once"
                )));
            }
            ids.push(id);
        }
        ids
    };
    let schema_of = |id: ProfileId| {
        let profile = program.profile(id)?;
        let schema = program.schema(profile.schema)?;
        Some((profile.name.as_str(), schema.name.as_str()))
    };
    let mut first: Option<(&str, &str)> = None;
    for &id in &ids {
        let Some((name, schema)) = schema_of(id) else {
            continue;
        };
        match first {
            None => first = Some((name, schema)),
            Some((first_name, first_schema)) if first_schema != schema => {
                return Err(Usage(format!(
                    "error: profiles `{first_name}` and `{name}` read different schemas (`{first_schema}` and `{schema}`): one run reads the file once, with one schema\n  help: score them in separate runs, or give only the profiles `for {first_schema}` (`--profile NAME` for each)"
                )));
            }
            Some(_) => {}
        }
    }
    Ok(ids)
}

fn score(args: &ScoreArgs) -> Result<ExitCode, Usage> {
    let started = Instant::now();
    let color = load::color(false);
    let today = match &args.as_of {
        Some(s) => load::parse_date(s).map_err(|e| Usage(format!("error: --as-of {e}")))?,
        None => icp_host::today_utc(),
    };
    // The program.
    let checked = load::load_program(&args.program, Some(today), color).map_err(|e| match e {
        load::ProgramError::Unreadable(msg) => Usage(msg),
        load::ProgramError::Errors(rendered) => Usage(format!(
            "{rendered}error: `{}` has errors: fix them (see `icp check`) before scoring",
            args.program.display()
        )),
    })?;
    let program = &checked.program;
    let profiles = pick_profiles(program, &args.profile, args.all_profiles)?;
    let plans = profiles
        .into_iter()
        .map(|id| Plan::new(program, id, today))
        .collect::<Result<Vec<Plan>, _>>()
        .map_err(|e| Usage(format!("error: {e}")))?;
    let Some(plan) = plans.first() else {
        return Err(Usage(
            "error: the program has no profile to score with".into(),
        ));
    };

    // The output's target and format come first: a bad `-o` is refused before any reading.
    let target = match args.output.as_deref() {
        Some(p) => Some(Target::resolve(p)?),
        None => None,
    };
    let (out_format, gzip) = output_format(
        args.format,
        args.output.as_deref(),
        matches!(target, Some(Target::Special(_))),
    )?;
    if args.keep_columns && out_format == OutFormat::Table {
        return Err(Usage(
            "error: `--keep-columns` does not apply to `--format table` (a table for reading): use csv, tsv, json or jsonl".into(),
        ));
    }

    // The input.
    let input = crate::input::open(
        Path::new(&args.accounts),
        args.input_format.as_deref(),
        args.delimiter.as_deref(),
        false,
    )
    .map_err(|e| Usage(format!("error: {e}")))?;
    let (input, input_len, format, delimiter) =
        (input.reader, input.len, input.format, input.delimiter);
    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
        .max(1);
    let decimal = load::data_decimal(&args.program, args.decimal.as_deref())
        .map_err(|e| Usage(format!("error: {e}")))?;
    let options = ReadOptions {
        format,
        delimiter,
        decimal,
        block_size: args.block_size.unwrap_or(1 << 20).max(1),
        threads,
        ..ReadOptions::default()
    };
    let source = Source::open(input, options)
        .map_err(|e| Usage(format!("error: `{}`: {e}", args.accounts)))?;
    let (binding, warnings) = source
        .bind(program, plan.schema())
        .map_err(|e| Usage(format!("error: `{}`: {e}", args.accounts)))?;
    let mut stderr = io::stderr().lock();
    for w in &warnings {
        let _ = writeln!(stderr, "warning: {w}");
    }

    // The output.
    if args.explain && !matches!(out_format, OutFormat::Json | OutFormat::Jsonl) {
        let _ = writeln!(
            stderr,
            "warning: `--explain` adds an `explanation` object to json and jsonl output only"
        );
    }
    let key_name = plan
        .schema()
        .key
        .and_then(|k| plan.schema().field(k))
        .map_or_else(|| "row".to_string(), |f| f.name.clone());
    let explain = args.explain && matches!(out_format, OutFormat::Json | OutFormat::Jsonl);
    let header = args.keep_columns.then(|| source.header());
    let mut columns = sink::default_columns(&plans, &key_name, header, out_format, explain);
    if let Some(list) = &args.columns {
        columns = sink::choose_columns(list, &columns)?;
    }
    let sink = ScoreSink::new(
        &plans,
        out_format,
        plan.schema().key.map(icp_model::FieldId::index),
        columns,
    );
    let mut output = Output::open(target, gzip)?;
    let mut header = Vec::new();
    sink.header(&mut header);
    if let Err(e) = output.write_all(&header) {
        output.abandon();
        if e.kind() == io::ErrorKind::BrokenPipe {
            // The reader of our output went away before the first row: stop quietly.
            return Ok(ExitCode::SUCCESS);
        }
        return Err(Usage(format!("error: cannot write the output: {e}")));
    }

    let progress = progress_bar(input_len);
    let mut stats = Stats::default();
    let mut first_chunk = true;
    let result = source.run(&binding, &sink, |chunk: Chunk<'_, Stats>| {
        let mut bytes = chunk.bytes;
        if first_chunk && out_format == OutFormat::Json && !bytes.is_empty() {
            // Rows are written `,\n{..}`: the first one has no comma.
            bytes = bytes.get(1..).unwrap_or_default();
        }
        if !bytes.is_empty() {
            first_chunk = false;
        }
        output.write_all(bytes)?;
        stats.merge(chunk.stats);
        if let Some(p) = &progress {
            p.inc(chunk.input_bytes);
        }
        Ok(())
    });
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    let summary = match result {
        Ok(s) => s,
        // The reader of our output went away (`icp score ... | head`): stop quietly.
        Err(icp_data::DataError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            output.abandon();
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => {
            output.abandon();
            return Err(Usage(format!("error: `{}`: {e}", args.accounts)));
        }
    };
    // What the reader noticed on the way (a JSON key repeated in an object).
    for w in &summary.warnings {
        let _ = writeln!(stderr, "warning: {w}");
    }
    let mut footer = Vec::new();
    if out_format == OutFormat::Json {
        footer.extend_from_slice(if summary.rows == 0 { b"]\n" } else { b"\n]\n" });
    }
    match output.write_all(&footer).and_then(|()| output.commit()) {
        Ok(()) => {}
        // Small output is written at the end: the reader may be gone by then (`| head -1`).
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(Usage(format!("error: cannot write the output: {e}"))),
    }

    let elapsed = started.elapsed();
    let _ = stderr.write_all(summary_text(&plans, &stats, &summary, elapsed).as_bytes());
    Ok(if args.strict && stats.invalid > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

fn progress_bar(len: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !io::stderr().is_terminal() {
        return None;
    }
    let bar = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} scoring [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}

fn summary_text(
    plans: &[Plan],
    stats: &Stats,
    summary: &icp_data::RunSummary,
    elapsed: Duration,
) -> String {
    let rows = summary.rows;
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { rows as f64 / secs } else { 0.0 };
    let names: Vec<String> = plans
        .iter()
        .map(|p| format!("`{}`", p.profile_name()))
        .collect();
    let mut s = format!(
        "scored {} rows with profile{} {} as of {} in {:.2}s ({} rows/s)\n",
        thousands(rows),
        if plans.len() == 1 { "" } else { "s" },
        names.join(", "),
        plans
            .first()
            .map(|p| p.today().to_string())
            .unwrap_or_default(),
        secs,
        thousands(rate as u64)
    );
    let empty = sink::Counts::default();
    for (p, plan) in plans.iter().enumerate() {
        let counts = stats.profile(p).unwrap_or(&empty);
        let mut parts = Vec::new();
        for (i, name) in plan.tier_names().enumerate() {
            parts.push(format!("{name} {}", thousands(counts.tier(i))));
        }
        let extra = [
            ("excluded", counts.excluded),
            ("out_of_segment", counts.out_of_segment),
            ("invalid", stats.invalid),
        ];
        for (name, n) in extra {
            if n > 0 {
                parts.push(format!("{name} {}", thousands(n)));
            }
        }
        if plans.len() == 1 {
            let _ = writeln!(s, "  {}", parts.join(", "));
        } else {
            let _ = writeln!(s, "  {}: {}", plan.profile_name(), parts.join(", "));
        }
    }
    if plans.len() > 1 {
        let mut parts: Vec<String> = plans
            .iter()
            .enumerate()
            .map(|(p, plan)| {
                let n = stats.profile(p).map_or(0, |c| c.best);
                format!("{} {}", plan.profile_name(), thousands(n))
            })
            .collect();
        parts.push(format!("none {}", thousands(stats.no_best)));
        let _ = writeln!(s, "  best_profile: {}", parts.join(", "));
    }
    if summary.blank_lines > 0 {
        let _ = writeln!(
            s,
            "  {} blank line{} skipped",
            thousands(summary.blank_lines),
            if summary.blank_lines == 1 { "" } else { "s" }
        );
    }
    if stats.invalid > 0 {
        let shown = if stats.invalid as usize > stats.errors.len() {
            format!(", the first {}", stats.errors.len())
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "  {} invalid row{} (tier `invalid`, see the `error` column){shown}:",
            thousands(stats.invalid),
            if stats.invalid == 1 { "" } else { "s" },
        );
        for e in &stats.errors {
            let _ = writeln!(s, "    {e}");
        }
    }
    s
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What `-o` names, its symbolic links followed.
enum Target {
    /// A regular file, or none yet: a temporary file beside it is renamed over it.
    File {
        /// The path to replace (a link's final target, not the link).
        path: PathBuf,
        /// The mode of the file it replaces.
        mode: Option<u32>,
        /// The path as given, for messages.
        shown: PathBuf,
    },
    /// A FIFO, a device or a socket: written in place, never replaced.
    Special(PathBuf),
}

/// The most symbolic links followed from `-o` (Linux's own limit).
const MAX_LINKS: usize = 40;

impl Target {
    /// Follows `path`'s symbolic links (a dangling one to where it points) and tells what is
    /// there; a directory is refused.
    fn resolve(path: &Path) -> Result<Target, Usage> {
        let fail = |e: &io::Error| Usage(format!("error: cannot write `{}`: {e}", path.display()));
        let mut at = path.to_path_buf();
        for _ in 0..MAX_LINKS {
            let meta = match std::fs::symlink_metadata(&at) {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Ok(Target::File {
                        path: at,
                        mode: None,
                        shown: path.to_path_buf(),
                    });
                }
                Err(e) => return Err(fail(&e)),
            };
            let kind = meta.file_type();
            if kind.is_symlink() {
                let link = std::fs::read_link(&at).map_err(|e| fail(&e))?;
                at = match at.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
                continue;
            }
            if kind.is_dir() {
                return Err(Usage(format!(
                    "error: cannot write `{}`: it is a directory",
                    path.display()
                )));
            }
            if !kind.is_file() {
                return Ok(Target::Special(at));
            }
            #[cfg(unix)]
            let mode = {
                use std::os::unix::fs::PermissionsExt as _;
                Some(meta.permissions().mode() & 0o7777)
            };
            #[cfg(not(unix))]
            let mode = None;
            return Ok(Target::File {
                path: at,
                mode,
                shown: path.to_path_buf(),
            });
        }
        Err(Usage(format!(
            "error: cannot write `{}`: more than {MAX_LINKS} symbolic links in a row",
            path.display()
        )))
    }
}

/// The temporary output file, while there is one: a signal that ends the run removes it
/// (see [`watch_signals`]). Held locked while the file is created and renamed, so the
/// removal never races them.
static PENDING: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);

/// On SIGINT, SIGTERM or SIGHUP: remove the temporary output file, then die of the signal
/// as if it had not been caught (the shell sees the usual 130, 143 or 129).
///
/// `signal-hook`, not a hand-written handler: the workspace forbids `unsafe`, and its
/// iterator turns the signal into a message for an ordinary thread, where removing a file
/// and taking a lock are allowed (they are not inside a signal handler). It handles the
/// three signals by name and re-raises them with their default action, which `ctrlc`
/// (one callback for all, no signal number) cannot. SIGKILL cannot be caught: see
/// docs/cli.md for what it leaves.
fn watch_signals() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("icp-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                // Kept locked until the process is gone: no rename can start after this.
                let mut pending = PENDING
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some(temp) = pending.take() {
                    let _ = std::fs::remove_file(temp);
                }
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

/// Where the bytes go, under the optional gzip layer.
enum Dest {
    Stdout(io::Stdout),
    /// A temporary file beside the target, renamed over it by [`Dest::commit`].
    Temp {
        file: tempfile::NamedTempFile,
        target: PathBuf,
        /// Bytes written since the last flush to disk was asked for.
        unsynced: usize,
        /// Flushes to disk on a thread of its own (`None`: on the writing thread).
        syncer: Option<syncer::Syncer>,
    },
    /// A FIFO or a device, written in place.
    Through(std::fs::File),
}

impl Write for Dest {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Dest::Stdout(w) => w.write(buf),
            Dest::Through(f) => f.write(buf),
            Dest::Temp {
                file,
                unsynced,
                syncer,
                ..
            } => {
                let n = file.write(buf)?;
                *unsynced += n;
                if *unsynced >= SYNC_EVERY {
                    match syncer {
                        Some(s) => s.request(),
                        None => file.as_file().sync_data()?,
                    }
                    *unsynced = 0;
                }
                Ok(n)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Dest::Stdout(w) => w.flush(),
            Dest::Through(f) => f.flush(),
            Dest::Temp { file, .. } => file.flush(),
        }
    }
}

impl Dest {
    fn commit(self) -> io::Result<()> {
        match self {
            Dest::Stdout(mut w) => w.flush(),
            Dest::Through(mut f) => f.flush(),
            Dest::Temp {
                file,
                target,
                syncer,
                ..
            } => {
                if let Some(s) = syncer {
                    s.finish()?;
                }
                file.as_file().sync_all()?;
                let mut pending = PENDING
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                file.persist(&target).map_err(|e| e.error)?;
                *pending = None;
                drop(pending);
                // The rename itself reaches the disk only with its directory: sync it, so
                // the new file survives a power cut. Best effort: some file systems refuse
                // to sync a directory, and the file is in place either way.
                let dir = match target.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                if let Ok(d) = std::fs::File::open(dir) {
                    let _ = d.sync_all();
                }
                Ok(())
            }
        }
    }
}

/// Where the rows go: standard output, a FIFO or device written in place, or a temporary
/// file renamed over the target when everything went well (a failed run leaves the user's
/// files as they were); gzipped when `-o` ends in `.gz`.
enum Output {
    Plain(io::BufWriter<Dest>),
    Gzip(flate2::write::GzEncoder<io::BufWriter<Dest>>),
}

/// The temporary file is flushed to disk every this many bytes while rows are still being
/// scored (by [`syncer::Syncer`], off the writing thread), so that the flush before the
/// rename (which makes the new file durable before it replaces the old one) has little
/// left to do: ../shared/perf's 28 MB output, 16 MiB at a time on the writing thread, left
/// 12 MB (4.7 ms) to the last one; now 1.4 ms.
const SYNC_EVERY: usize = 4 << 20;

impl Output {
    fn open(target: Option<Target>, gzip: bool) -> Result<Output, Usage> {
        let dest = match target {
            None => Dest::Stdout(io::stdout()),
            Some(Target::Special(path)) => {
                // No truncation: a FIFO or a device has nothing to truncate, and opening
                // blocks until a FIFO has a reader, as the shell's `>` does.
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(|e| Usage(format!("error: cannot write `{}`: {e}", path.display())))?;
                Dest::Through(file)
            }
            Some(Target::File { path, mode, shown }) => {
                let dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                if let Err(e) = watch_signals() {
                    let _ = writeln!(
                        io::stderr(),
                        "warning: cannot watch for signals ({e}): an interrupted run may leave a `.icp-score-*` file in `{}`",
                        dir.display()
                    );
                }
                // The temporary file gets the mode a plain create would (0666 less the
                // umask), or the mode of the file it replaces, not tempfile's private 0600.
                let mut builder = tempfile::Builder::new();
                builder.prefix(".icp-score-");
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    builder.permissions(std::fs::Permissions::from_mode(mode.unwrap_or(0o666)));
                }
                #[cfg(not(unix))]
                let _ = mode;
                let mut pending = PENDING
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let file = builder.tempfile_in(&dir).map_err(|e| {
                    Usage(format!("error: cannot write `{}`: {e}", shown.display()))
                })?;
                *pending = Some(file.path().to_path_buf());
                let syncer = syncer::Syncer::new(file.as_file());
                Dest::Temp {
                    file,
                    target: path,
                    unsynced: 0,
                    syncer,
                }
            }
        };
        // Chunks are large: a small buffer lets them go straight to the OS.
        let w = io::BufWriter::with_capacity(1 << 16, dest);
        Ok(if gzip {
            Output::Gzip(flate2::write::GzEncoder::new(
                w,
                flate2::Compression::fast(),
            ))
        } else {
            Output::Plain(w)
        })
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Output::Plain(w) => w.write_all(bytes),
            Output::Gzip(w) => w.write_all(bytes),
        }
    }

    fn commit(self) -> io::Result<()> {
        let buffered = match self {
            Output::Plain(w) => w,
            Output::Gzip(w) => w.finish()?,
        };
        buffered
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?
            .commit()
    }

    fn abandon(self) {
        let buffered = match self {
            Output::Plain(w) => w,
            // What is written so far stays readable on stdout or a FIFO.
            Output::Gzip(w) => match w.finish() {
                Ok(w) => w,
                Err(_) => return,
            },
        };
        let Ok(dest) = buffered.into_inner() else {
            return;
        };
        match dest {
            // Stdout and a FIFO or device keep what was written.
            Dest::Stdout(mut w) => {
                let _ = w.flush();
            }
            Dest::Through(mut f) => {
                let _ = f.flush();
            }
            // Dropping the temporary file deletes it.
            Dest::Temp { file, .. } => {
                let mut pending = PENDING
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                *pending = None;
                drop(file);
            }
        }
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Writes `x` with exactly two decimals, rounded half away from zero (`12.345` as `12.35`).
fn fixed2(out: &mut Vec<u8>, x: Decimal) {
    num::write_fixed2(out, x);
}

fn fmt_u64(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    buf.get(i..).unwrap_or_default()
}

/// A CSV (or TSV) field, quoted when it holds the delimiter `d`, a quote or a line end.
#[expect(
    clippy::needless_bitwise_bool,
    reason = "branch-free on purpose: the short-field loop vectorises"
)]
fn csv_field(out: &mut Vec<u8>, field: &[u8], d: u8) {
    // Fields of up to 16 bytes (keys) as two words; other short fields (tiers, reasons)
    // in one branch-free pass, which the compiler vectorises; long ones with memchr. All
    // look for the same four bytes.
    let n = field.len();
    let needs = if (8..=16).contains(&n) {
        // Its first and last eight bytes (overlapping), read from the field and written
        // from registers: a padded copy on the stack was read back before its bytes were
        // stored (a store-forwarding stall, half of this function's time).
        let word = |b: Option<&[u8]>| {
            b.and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map_or(0, u64::from_le_bytes)
        };
        let (lo, hi) = (word(field.get(..8)), word(field.get(n - 8..)));
        if special_bytes(lo, d) | special_bytes(hi, d) == 0 {
            let start = out.len();
            out.extend_from_slice(&lo.to_le_bytes());
            out.truncate(start + n - 8);
            out.extend_from_slice(&hi.to_le_bytes());
            return;
        }
        true
    } else if n < 8 {
        match short_plain(field, d) {
            // The padded copy in one 8-byte move, then cut to the field: no `memcpy` call.
            Some(padded) => {
                let end = out.len() + field.len();
                out.extend_from_slice(&padded);
                out.truncate(end);
                return;
            }
            None => true,
        }
    } else if field.len() <= 256 {
        field.iter().fold(false, |acc, &c| {
            acc | (c == d) | matches!(c, b'"' | b'\n' | b'\r')
        })
    } else {
        memchr::memchr3(d, b'"', b'\n', field).is_some() || memchr::memchr(b'\r', field).is_some()
    };
    if !needs {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    let mut rest = field;
    while let Some(i) = memchr::memchr(b'"', rest) {
        out.extend_from_slice(rest.get(..=i).unwrap_or_default());
        out.push(b'"');
        rest = rest.get(i + 1..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// `field` (under 8 bytes) padded with `a` to 8 bytes, unless it holds `d`, a quote or a
/// line end (then it is quoted): the padded bytes as one word, tested for the four bytes at
/// once.
#[inline]
fn short_plain(field: &[u8], d: u8) -> Option<[u8; 8]> {
    let mut buf = [b'a'; 8];
    if let Some(head) = buf.get_mut(..field.len()) {
        head.copy_from_slice(field);
    }
    (special_bytes(u64::from_le_bytes(buf), d) == 0).then_some(buf)
}

/// Not zero when a byte of the word `w` is `d`, a quote or a line end (the bytes that make
/// a CSV field quoted).
#[inline]
fn special_bytes(w: u64, d: u8) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // Some byte of `w` is zero exactly when this is not zero.
    let zero = |w: u64| w.wrapping_sub(LO) & !w & HI;
    zero(w ^ (LO * u64::from(d)))
        | zero(w ^ (LO * u64::from(b'"')))
        | zero(w ^ (LO * u64::from(b'\n')))
        | zero(w ^ (LO * u64::from(b'\r')))
}

/// A JSON string (invalid UTF-8 replaced).
fn json_str(out: &mut Vec<u8>, s: &[u8]) {
    let text = String::from_utf8_lossy(s);
    let simple = text.bytes().all(|c| c >= 0x20 && c != b'"' && c != b'\\');
    if simple {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, text.as_ref()).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_columns_never_repeat_a_name() {
        let keep: Vec<String> = ["id", "Name", "SCORE", "input_id", "name", "tier"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let own = ["id", "score", "tier", "coverage", "reasons", "error"];
        assert_eq!(
            kept_names(&keep, &own),
            [
                "input_id",
                "Name",
                "input_SCORE",
                "input_input_id",
                "input_name",
                "input_tier"
            ]
        );
    }

    #[test]
    fn output_extensions() {
        let f = |p: &str| OutFormat::from_path(Path::new(p));
        assert_eq!(f("a/b.tsv"), (Some(OutFormat::Tsv), false));
        assert_eq!(f("b.CSV.GZ"), (Some(OutFormat::Csv), true));
        assert_eq!(f("b.jsonl.gz"), (Some(OutFormat::Jsonl), true));
        assert_eq!(f("b.json.gz"), (Some(OutFormat::Json), true));
        assert_eq!(f("b.xlsx"), (None, false));
        assert_eq!(f("b.gz"), (None, true));
        assert_eq!(f("dir.csv/b"), (None, false));
        assert!(output_format(None, Some(Path::new("b.xlsx")), false).is_err());
        assert!(output_format(Some(OutFormat::Csv), Some(Path::new("b.xlsx")), false).is_ok());
        assert!(output_format(None, Some(Path::new("/dev/null")), true).is_ok());
    }

    #[test]
    fn short_fields_are_quoted_exactly_when_they_hold_a_special_byte() {
        // Every field of up to 16 bytes over an alphabet of the four special bytes, a
        // letter, a space, a multi-byte character's bytes and a byte one off a special
        // one, placed at each position: the word test agrees with the plain rule.
        let alphabet = [
            b',', b'\t', b'"', b'\n', b'\r', b'a', b' ', 0xc3, 0xa9, b'-', b'+', 0,
        ];
        for d in [b',', b'\t'] {
            for len in 0..=20usize {
                for at in 0..len.max(1) {
                    for &c in &alphabet {
                        let mut field = vec![b'x'; len];
                        if let Some(slot) = field.get_mut(at) {
                            *slot = c;
                        }
                        let plain = field
                            .iter()
                            .any(|&b| b == d || matches!(b, b'"' | b'\n' | b'\r'));
                        // `short_plain` takes the fields under 8 bytes (longer ones are
                        // read as words by `csv_field`, checked below for every length).
                        if len < 8 {
                            let padded = short_plain(&field, d);
                            assert_eq!(padded.is_none(), plain, "{field:?} {d}");
                            // The padded copy starts with the field.
                            if let Some(padded) = padded {
                                assert_eq!(&padded[..len], &field[..], "{field:?} {d}");
                            }
                        }
                        // The whole field as written, after what the line holds already.
                        let mut want = b"key,".to_vec();
                        if plain {
                            want.push(b'"');
                            for &b in &field {
                                if b == b'"' {
                                    want.push(b);
                                }
                                want.push(b);
                            }
                            want.push(b'"');
                        } else {
                            want.extend_from_slice(&field);
                        }
                        let mut out = b"key,".to_vec();
                        csv_field(&mut out, &field, d);
                        assert_eq!(out, want, "{field:?} {d}");
                    }
                }
            }
        }
    }

    #[test]
    fn fixed_two_decimals() {
        let mut out = Vec::new();
        for x in [
            "0",
            "1",
            "99.994",
            "100",
            "0.333",
            "12.345678",
            "0.005",
            "12.345",
            "99.995",
        ] {
            fixed2(&mut out, num::parse(x).unwrap());
            out.push(b' ');
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0.00 1.00 99.99 100.00 0.33 12.35 0.01 12.35 100.00 "
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
        let mut out = Vec::new();
        csv_field(&mut out, b"a \"b\", c", b',');
        assert_eq!(out, b"\"a \"\"b\"\", c\"");
        let mut out = Vec::new();
        csv_field(&mut out, b"a, b", b'\t');
        csv_field(&mut out, b"\tc", b'\t');
        assert_eq!(out, b"a, b\"\tc\"");
    }
}
