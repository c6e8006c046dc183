//! `icp score PROGRAM ACCOUNTS`: score every account of a CSV / JSON / JSON Lines file
//! against a profile, in parallel, streaming, in input order.
//!
//! Output columns: the schema's key field (or `row` when the schema has none), `score`
//! (0..100, two decimals), `tier`, `coverage` (a fraction 0..1, two decimals), `reasons`
//! and `error` (rows that cannot be read: tier `invalid`, no score or coverage).

use std::fmt::Write as _;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use icp_data::{Chunk, Format, ReadOptions, Row, RowSink, Source};
use icp_eval::{Plan, Scratch, TierOutcome};
use icp_model::{Date, ProfileId, Value};

use crate::load;

/// Arguments of `icp score`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScoreArgs {
    /// The ICP program (its imports are followed).
    pub program: PathBuf,
    /// The accounts: `.csv`, `.tsv`, `.json`, `.jsonl`/`.ndjson`, each optionally `.gz`;
    /// `-` reads standard input.
    pub accounts: String,
    /// The profile to score with (may be left out when the program has one).
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
    /// Write here (atomically) instead of standard output.
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
    /// Put the input's columns first in each output row.
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
    /// A JSON array of objects.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// An aligned text table, for reading.
    Table,
}

impl OutFormat {
    fn from_path(path: &Path) -> Option<OutFormat> {
        let name = path.to_string_lossy().to_ascii_lowercase();
        let ext = name.rsplit_once('.').map(|(_, e)| e)?;
        Some(match ext {
            "csv" => OutFormat::Csv,
            "json" => OutFormat::Json,
            "jsonl" | "ndjson" => OutFormat::Jsonl,
            "txt" => OutFormat::Table,
            _ => return None,
        })
    }
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

fn parse_delimiter(s: &str) -> Result<u8, Usage> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes().first().copied().unwrap_or(b',')),
        _ => Err(Usage(format!(
            "error: `--delimiter {s}`: expected one ASCII character or `tab`"
        ))),
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

fn score(args: &ScoreArgs) -> Result<ExitCode, Usage> {
    let started = Instant::now();
    let color = load::color(false);
    let today = match &args.as_of {
        Some(s) => Date::parse_iso(s.trim()).ok_or_else(|| {
            Usage(format!(
                "error: `--as-of {s}`: expected a date like `2027-01-31`"
            ))
        })?,
        None => icp_host::today_utc(),
    };
    // The program.
    let checked = load::load_program(&args.program, Some(today), color).map_err(|rendered| {
        Usage(format!(
            "{rendered}error: `{}` has errors: fix them (see `icp check`) before scoring",
            args.program.display()
        ))
    })?;
    let program = &checked.program;
    let profile = pick_profile(program, args.profile.as_deref())?;
    let plan = Plan::new(program, profile, today).map_err(|e| Usage(format!("error: {e}")))?;

    // The input.
    let (format, implied_delim) = match &args.input_format {
        Some(f) => Format::from_name(&f.to_ascii_lowercase()).ok_or_else(|| {
            Usage(format!(
                "error: `--input-format {f}`: expected csv, tsv, json or jsonl"
            ))
        })?,
        None if args.accounts == "-" => (Format::Csv, None),
        None => Format::from_path(&args.accounts).ok_or_else(|| {
            Usage(format!(
                "error: cannot tell the format of `{}` from its name: use `--input-format csv|tsv|json|jsonl`",
                args.accounts
            ))
        })?,
    };
    let delimiter = match &args.delimiter {
        Some(d) => Some(parse_delimiter(d)?),
        None => implied_delim,
    };
    let (input, input_len): (Box<dyn Read + Send>, Option<u64>) = if args.accounts == "-" {
        (Box::new(io::stdin()), None)
    } else {
        let file = std::fs::File::open(&args.accounts)
            .map_err(|e| Usage(format!("error: cannot open `{}`: {e}", args.accounts)))?;
        let len = file.metadata().ok().map(|m| m.len());
        (Box::new(file), len)
    };
    let threads = args
        .threads
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1)
        .max(1);
    let options = ReadOptions {
        format,
        delimiter,
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
    let out_format = args
        .format
        .or_else(|| args.output.as_deref().and_then(OutFormat::from_path))
        .unwrap_or(OutFormat::Csv);
    if args.explain && matches!(out_format, OutFormat::Csv | OutFormat::Table) {
        let _ = writeln!(
            stderr,
            "warning: `--explain` adds an `explanation` object to json and jsonl output only"
        );
    }
    let sink = ScoreSink {
        plan: &plan,
        format: out_format,
        key: plan.schema().key.map(icp_model::FieldId::index),
        key_name: plan
            .schema()
            .key
            .and_then(|k| plan.schema().field(k))
            .map_or_else(|| "row".to_string(), |f| f.name.clone()),
        explain: args.explain && matches!(out_format, OutFormat::Json | OutFormat::Jsonl),
        keep: if args.keep_columns {
            source.header().to_vec()
        } else {
            Vec::new()
        },
    };
    let mut output = Output::open(args.output.as_deref())?;
    let mut header = Vec::new();
    sink.header(&mut header);
    output
        .write_all(&header)
        .map_err(|e| Usage(format!("error: cannot write the output: {e}")))?;

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
    output
        .write_all(&footer)
        .and_then(|()| output.commit())
        .map_err(|e| Usage(format!("error: cannot write the output: {e}")))?;

    let elapsed = started.elapsed();
    let _ = stderr.write_all(summary_text(&plan, &stats, summary.rows, elapsed).as_bytes());
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

fn summary_text(plan: &Plan, stats: &Stats, rows: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { rows as f64 / secs } else { 0.0 };
    let mut s = format!(
        "scored {} rows with profile `{}` as of {} in {:.2}s ({} rows/s)\n",
        thousands(rows),
        plan.profile_name(),
        plan.today(),
        secs,
        thousands(rate as u64)
    );
    let mut parts = Vec::new();
    for (i, name) in plan.tier_names().enumerate() {
        parts.push(format!("{name} {}", thousands(stats.tier(i))));
    }
    let extra = [
        ("excluded", stats.excluded),
        ("out_of_segment", stats.out_of_segment),
        ("invalid", stats.invalid),
    ];
    for (name, n) in extra {
        if n > 0 {
            parts.push(format!("{name} {}", thousands(n)));
        }
    }
    let _ = writeln!(s, "  {}", parts.join(", "));
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

/// Where the rows go: standard output, or a temporary file renamed over the target when
/// everything went well (a failed run leaves the user's files as they were).
enum Output {
    Stdout(io::BufWriter<io::Stdout>),
    File {
        temp: io::BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
        /// Bytes written since the last flush to disk (see [`Output::write_all`]).
        unsynced: usize,
    },
}

/// The temporary file is flushed to disk every this many bytes while rows are still being
/// scored, so that the flush before the rename (which makes the new file durable before
/// it replaces the old one) has little left to do.
const SYNC_EVERY: usize = 16 << 20;

impl Output {
    fn open(path: Option<&Path>) -> Result<Output, Usage> {
        let Some(path) = path else {
            // Chunks are large: a small buffer lets them go straight to the OS.
            return Ok(Output::Stdout(io::BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            )));
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        // The temporary file gets the mode a plain create would (0666 less the umask), or
        // the mode of the file it replaces, not tempfile's private 0600.
        let mut builder = tempfile::Builder::new();
        builder.prefix(".icp-score-");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(path).map_or(0o666, |m| m.permissions().mode() & 0o7777);
            builder.permissions(std::fs::Permissions::from_mode(mode));
        }
        let temp = builder
            .tempfile_in(dir)
            .map_err(|e| Usage(format!("error: cannot write `{}`: {e}", path.display())))?;
        Ok(Output::File {
            temp: io::BufWriter::with_capacity(1 << 16, temp),
            path: path.to_path_buf(),
            unsynced: 0,
        })
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(bytes),
            Output::File { temp, unsynced, .. } => {
                temp.write_all(bytes)?;
                *unsynced += bytes.len();
                if *unsynced >= SYNC_EVERY {
                    // On the writing thread, while the workers score the next blocks.
                    temp.flush()?;
                    temp.get_ref().as_file().sync_data()?;
                    *unsynced = 0;
                }
                Ok(())
            }
        }
    }

    fn commit(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush(),
            Output::File { temp, path, .. } => {
                let temp = temp.into_inner().map_err(io::IntoInnerError::into_error)?;
                temp.as_file().sync_all()?;
                temp.persist(&path).map_err(|e| e.error)?;
                Ok(())
            }
        }
    }

    fn abandon(self) {
        // Dropping the temporary file deletes it; stdout keeps what was written.
        if let Output::Stdout(mut w) = self {
            let _ = w.flush();
        }
    }
}

/// Per-block counts, merged in input order.
#[derive(Debug, Default)]
struct Stats {
    tiers: Vec<u64>,
    excluded: u64,
    out_of_segment: u64,
    invalid: u64,
    /// The first few errors.
    errors: Vec<String>,
}

const MAX_ERRORS: usize = 5;

impl Stats {
    fn tier(&self, i: usize) -> u64 {
        self.tiers.get(i).copied().unwrap_or(0)
    }

    fn merge(&mut self, other: Stats) {
        if self.tiers.len() < other.tiers.len() {
            self.tiers.resize(other.tiers.len(), 0);
        }
        for (a, b) in self.tiers.iter_mut().zip(&other.tiers) {
            *a += b;
        }
        self.excluded += other.excluded;
        self.out_of_segment += other.out_of_segment;
        self.invalid += other.invalid;
        for e in other.errors {
            if self.errors.len() < MAX_ERRORS {
                self.errors.push(e);
            }
        }
    }
}

struct ScoreSink<'p> {
    plan: &'p Plan,
    format: OutFormat,
    /// Schema field echoed as the row's key.
    key: Option<usize>,
    key_name: String,
    explain: bool,
    /// Input columns to echo first (`--keep-columns`).
    keep: Vec<String>,
}

/// A worker's buffers.
struct Local {
    scratch: Scratch,
    reasons: String,
    error: String,
}

impl RowSink for ScoreSink<'_> {
    type Local = Local;
    type Stats = Stats;

    fn local(&self) -> Local {
        Local {
            scratch: self.plan.scratch(),
            reasons: String::with_capacity(256),
            error: String::new(),
        }
    }

    fn row(&self, local: &mut Local, stats: &mut Stats, row: &Row<'_>, out: &mut Vec<u8>) {
        let mut number = [0u8; 20];
        let key: &[u8] = match self.key {
            // The decoded key is the trimmed cell; an invalid row has no values, only cells.
            Some(k) => match row.values.get(k) {
                Some(Value::Text(t)) => t.as_bytes(),
                _ => row.cell(k).unwrap_or_default().as_bytes(),
            },
            None => fmt_u64(row.number, &mut number),
        };
        local.reasons.clear();
        local.error.clear();
        let outcome = if let Some(e) = row.error {
            stats.invalid += 1;
            if stats.errors.len() < MAX_ERRORS {
                stats.errors.push(e.to_string());
            }
            let _ = write!(local.error, "{e}");
            None
        } else {
            let o = self.plan.eval(row.values, &mut local.scratch);
            match o.tier {
                TierOutcome::Tier(i) => {
                    let i = i as usize;
                    if stats.tiers.len() <= i {
                        stats.tiers.resize(i + 1, 0);
                    }
                    if let Some(n) = stats.tiers.get_mut(i) {
                        *n += 1;
                    }
                }
                TierOutcome::Excluded => stats.excluded += 1,
                TierOutcome::OutOfSegment => stats.out_of_segment += 1,
            }
            if self.format != OutFormat::Csv {
                self.plan.write_reasons(&local.scratch, &mut local.reasons);
            }
            Some(o)
        };
        let tier = outcome.map_or("invalid", |o| self.plan.tier_label(o.tier));
        match self.format {
            OutFormat::Csv => {
                for i in 0..self.keep.len() {
                    csv_field(out, row.column(i).unwrap_or_default());
                    out.push(b',');
                }
                csv_field(out, key);
                out.push(b',');
                if let Some(o) = outcome {
                    fixed2(out, o.score);
                    out.push(b',');
                    csv_field(out, tier.as_bytes());
                    out.push(b',');
                    fixed2(out, o.coverage);
                } else {
                    out.extend_from_slice(b",invalid,");
                }
                out.push(b',');
                if outcome.is_some() {
                    // The same bytes as `csv_field` of `write_reasons`' text, written in place.
                    self.plan.write_reasons_csv(&local.scratch, out);
                }
                out.push(b',');
                if !local.error.is_empty() {
                    csv_field(out, local.error.as_bytes());
                }
                out.push(b'\n');
            }
            OutFormat::Json | OutFormat::Jsonl => {
                if self.format == OutFormat::Json {
                    out.extend_from_slice(b",\n");
                }
                out.push(b'{');
                for (i, name) in self.keep.iter().enumerate() {
                    json_str(out, name.as_bytes());
                    out.push(b':');
                    json_str(out, row.column(i).unwrap_or_default());
                    out.push(b',');
                }
                json_str(out, self.key_name.as_bytes());
                out.push(b':');
                match (self.key, row.cell(self.key.unwrap_or(usize::MAX))) {
                    (None, _) => out.extend_from_slice(key),
                    (Some(_), Some(k)) => json_str(out, k.as_bytes()),
                    (Some(_), None) => out.extend_from_slice(b"null"),
                }
                out.extend_from_slice(b",\"score\":");
                match outcome {
                    Some(o) => fixed2(out, o.score),
                    None => out.extend_from_slice(b"null"),
                }
                out.extend_from_slice(b",\"tier\":");
                json_str(out, tier.as_bytes());
                out.extend_from_slice(b",\"coverage\":");
                match outcome {
                    Some(o) => fixed2(out, o.coverage),
                    None => out.extend_from_slice(b"null"),
                }
                out.extend_from_slice(b",\"reasons\":");
                json_str(out, local.reasons.as_bytes());
                out.extend_from_slice(b",\"error\":");
                if row.error.is_some() {
                    json_str(out, local.error.as_bytes());
                } else {
                    out.extend_from_slice(b"null");
                }
                if self.explain && outcome.is_some() {
                    out.extend_from_slice(b",\"explanation\":");
                    let explanation = self.plan.explain(row.values);
                    if serde_json::to_writer(&mut *out, &explanation).is_err() {
                        out.extend_from_slice(b"null");
                    }
                }
                out.push(b'}');
                if self.format == OutFormat::Jsonl {
                    out.push(b'\n');
                }
            }
            OutFormat::Table => {
                let mut line = String::with_capacity(128);
                let key = String::from_utf8_lossy(key);
                let _ = write!(line, "{:<20} ", clip(&key, 20));
                match outcome {
                    Some(o) => {
                        let _ = write!(
                            line,
                            "{:>6.2} {:<16} {:>4.0}% ",
                            o.score,
                            clip(tier, 16),
                            o.coverage * 100.0
                        );
                    }
                    None => {
                        let _ = write!(line, "{:>6} {:<16} {:>5} ", "", "invalid", "");
                    }
                }
                line.push_str(if row.error.is_some() {
                    &local.error
                } else {
                    &local.reasons
                });
                let trimmed = line.trim_end();
                out.extend_from_slice(trimmed.as_bytes());
                out.push(b'\n');
            }
        }
    }
}

impl ScoreSink<'_> {
    fn header(&self, out: &mut Vec<u8>) {
        match self.format {
            OutFormat::Csv => {
                for name in &self.keep {
                    csv_field(out, name.as_bytes());
                    out.push(b',');
                }
                csv_field(out, self.key_name.as_bytes());
                out.extend_from_slice(b",score,tier,coverage,reasons,error\n");
            }
            OutFormat::Json => out.push(b'['),
            OutFormat::Jsonl => {}
            OutFormat::Table => {
                let line = format!(
                    "{:<20} {:>6} {:<16} {:>5} reasons\n",
                    clip(&self.key_name, 20),
                    "score",
                    "tier",
                    "cover"
                );
                out.extend_from_slice(line.as_bytes());
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

/// Writes `x` (finite, non-negative in practice) with exactly two decimals.
fn fixed2(out: &mut Vec<u8>, x: f64) {
    if !x.is_finite() || x.abs() >= 1e15 {
        let _ = write!(out, "{x:.2}");
        return;
    }
    // `round` is a libm call; half-up by hand on the magnitude is the same and inlines.
    let cents = (x.abs() * 100.0 + 0.5) as u64;
    let digit = |n: u64| b'0' + (n % 10) as u8;
    out.reserve(24);
    if x < 0.0 {
        out.push(b'-');
    }
    let whole = cents / 100;
    if whole < 1000 {
        // Scores and coverages: at most three whole digits, pushed in order.
        if whole >= 100 {
            out.push(digit(whole / 100));
        }
        if whole >= 10 {
            out.push(digit(whole / 10));
        }
        out.push(digit(whole));
    } else {
        let mut buf = [0u8; 20];
        out.extend_from_slice(fmt_u64(whole, &mut buf));
    }
    out.push(b'.');
    out.push(digit(cents / 10));
    out.push(digit(cents));
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

/// A CSV field, quoted when it holds a comma, quote or line end.
fn csv_field(out: &mut Vec<u8>, field: &[u8]) {
    // Short fields (keys, tiers, reasons) are checked in one branch-free pass, which the
    // compiler vectorises; long ones with memchr. Both look for the same four bytes.
    let needs = if field.len() <= 256 {
        field.iter().fold(false, |acc, &c| {
            acc | matches!(c, b',' | b'"' | b'\n' | b'\r')
        })
    } else {
        memchr::memchr3(b',', b'"', b'\n', field).is_some()
            || memchr::memchr(b'\r', field).is_some()
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
    fn fixed_two_decimals() {
        let mut out = Vec::new();
        for x in [0.0, 1.0, 99.994, 100.0, 0.333, 12.345_678, 0.005] {
            fixed2(&mut out, x);
            out.push(b' ');
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0.00 1.00 99.99 100.00 0.33 12.35 0.01 "
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
        let mut out = Vec::new();
        csv_field(&mut out, b"a \"b\", c");
        assert_eq!(out, b"\"a \"\"b\"\", c\"");
    }
}
