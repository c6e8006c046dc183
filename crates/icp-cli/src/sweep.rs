//! What `icp status`, `icp diff` and `icp backtest` share: the program and profile loaded
//! as `icp score` loads them, and one pass over the accounts that keeps a small record per
//! row (in input order), on the same parallel reader, with the same progress bar.

use std::fmt::Write as _;
use std::io::{self, IsTerminal as _, Write as _};
use std::path::Path;
use std::process::ExitCode;

use icp_data::{Chunk, ReadOptions, Row, RowSink, Source};
use icp_model::{Date, ProfileId, Program, Schema, Value, num};

use crate::load;

/// A usage or input error: its message goes to stderr, the exit status is 2.
#[derive(Debug)]
pub struct Fail(pub String);

impl Fail {
    /// `error: MSG`.
    pub fn new(msg: impl std::fmt::Display) -> Fail {
        Fail(format!("error: {msg}"))
    }
}

/// Prints a failure and gives exit status 2.
pub fn report(result: Result<ExitCode, Fail>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(Fail(msg)) => {
            let mut err = io::stderr().lock();
            let _ = err.write_all(msg.as_bytes());
            if !msg.ends_with('\n') {
                let _ = err.write_all(b"\n");
            }
            ExitCode::from(2)
        }
    }
}

/// `--as-of`, else the clock.
pub fn today(as_of: Option<&str>) -> Result<Date, Fail> {
    match as_of {
        Some(s) => load::parse_date(s).map_err(|e| Fail(format!("error: --as-of {e}"))),
        None => Ok(icp_host::today_utc()),
    }
}

/// The checked program of `path`, or its rendered errors.
pub fn program(path: &Path, today: Date) -> Result<icp_check::Checked, Fail> {
    load::load_program(path, Some(today), load::color(false)).map_err(|e| match e {
        load::ProgramError::Unreadable(msg) => Fail(msg),
        load::ProgramError::Errors(rendered) => Fail(format!(
            "{rendered}error: `{}` has errors: fix them (see `icp check`) first",
            path.display()
        )),
    })
}

/// The profile named `name`, or the only one.
pub fn pick_profile(program: &Program, name: Option<&str>) -> Result<ProfileId, Fail> {
    let names: Vec<&str> = program.profiles.iter().map(|p| p.name.as_str()).collect();
    let list = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match name {
        Some(n) => program.profile_named(n).map(|(id, _)| id).ok_or_else(|| {
            let mut msg = format!("error: no profile `{n}` in the program");
            if let Some(s) = icp_syntax::did_you_mean(n, names.iter().copied()) {
                let _ = write!(msg, ": did you mean `{s}`?");
            }
            let _ = write!(msg, "\n  profiles: {list}");
            Fail(msg)
        }),
        None => match names.len() {
            0 => Err(Fail::new("the program has no profile")),
            1 => Ok(ProfileId(0)),
            _ => Err(Fail(format!(
                "error: the program has several profiles: choose one with `--profile NAME`\n  profiles: {list}"
            ))),
        },
    }
}

/// How to read the accounts.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct InputArgs {
    /// Input format when the file name does not tell: csv, tsv, json, jsonl.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// CSV delimiter: a single character, or `tab` (default: sniffed from the header).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
}

/// The records of one pass, in input order.
pub struct Swept<T> {
    /// One per input row.
    pub rows: Vec<T>,
    /// The input's header (column names).
    pub header: Vec<String>,
}

/// Reads `accounts` with `schema`'s binding and keeps `f(local, row, header)` per row, in
/// input order. `local` is made once per worker thread (an evaluation scratch). Binding
/// warnings and the reader's warnings go to stderr; a progress bar shows on a terminal.
pub fn sweep<T, L, M, F>(
    accounts: &str,
    input: &InputArgs,
    program: &Program,
    schema: &Schema,
    local: M,
    f: F,
) -> Result<Swept<T>, Fail>
where
    T: Send,
    L: Send,
    M: Fn() -> L + Sync,
    F: Fn(&mut L, &Row<'_>) -> T + Sync,
{
    let opened = crate::input::open(
        Path::new(accounts),
        input.input_format.as_deref(),
        input.delimiter.as_deref(),
        false,
    )
    .map_err(Fail::new)?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let options = ReadOptions {
        format: opened.format,
        delimiter: opened.delimiter,
        threads,
        ..ReadOptions::default()
    };
    let source = Source::open(opened.reader, options)
        .map_err(|e| Fail::new(format!("`{accounts}`: {e}")))?;
    let header = source.header().to_vec();
    let (binding, warnings) = source
        .bind(program, schema)
        .map_err(|e| Fail::new(format!("`{accounts}`: {e}")))?;
    let mut stderr = io::stderr().lock();
    for w in &warnings {
        let _ = writeln!(stderr, "warning: {w}");
    }
    let sink = Keep { local, f };
    let progress = progress_bar(opened.len);
    let mut rows = Vec::new();
    let result = source.run(&binding, &sink, |chunk: Chunk<'_, Vec<T>>| {
        rows.extend(chunk.stats);
        if let Some(p) = &progress {
            p.inc(chunk.input_bytes);
        }
        Ok(())
    });
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    let summary = result.map_err(|e| Fail::new(format!("`{accounts}`: {e}")))?;
    for w in &summary.warnings {
        let _ = writeln!(stderr, "warning: {w}");
    }
    Ok(Swept { rows, header })
}

struct Keep<M, F> {
    local: M,
    f: F,
}

impl<T, L, M, F> RowSink for Keep<M, F>
where
    T: Send,
    L: Send,
    M: Fn() -> L + Sync,
    F: Fn(&mut L, &Row<'_>) -> T + Sync,
{
    type Local = L;
    type Stats = Vec<T>;

    fn local(&self) -> L {
        (self.local)()
    }

    fn row(&self, local: &mut L, stats: &mut Vec<T>, row: &Row<'_>, _out: &mut Vec<u8>) {
        stats.push((self.f)(local, row));
    }
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
        "{spinner} reading [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    Some(bar)
}

/// The key of a row: the schema's key field's cell, else the row number.
pub fn row_key(schema: &Schema, row: &Row<'_>) -> String {
    match schema.key {
        Some(k) => match row.values.get(k.index()) {
            Some(Value::Text(t)) => (*t).to_owned(),
            _ => row.cell(k.index()).unwrap_or_default().to_owned(),
        },
        None => row.number.to_string(),
    }
}

/// A number a value holds (numbers, money, percent as a fraction, dates as days).
pub fn number(v: Option<&Value<'_>>) -> Option<f64> {
    match v {
        Some(Value::Num(x)) => Some(num::to_f64(*x)),
        _ => None,
    }
}

/// Whether to colour standard output.
pub fn color() -> bool {
    load::color(true)
}

/// Wraps `text` in an ANSI style when `on`.
pub fn paint(on: bool, code: &str, text: &str) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Writes `text` to stdout, or to `file` (atomically replaced) when given.
pub fn emit(text: &str, file: Option<&Path>) -> Result<(), Fail> {
    match file {
        None => load::print_stdout(text)
            .map(|_| ())
            .map_err(|e| Fail::new(format!("cannot write the output: {e}"))),
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            // The mode a plain create would give (0666 less the umask), or the mode of the
            // file it replaces, not tempfile's private 0600 (as `icp score -o` does).
            let mut builder = tempfile::Builder::new();
            builder.prefix(".icp-out-");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let mode =
                    std::fs::metadata(path).map_or(0o666, |m| m.permissions().mode() & 0o7777);
                builder.permissions(std::fs::Permissions::from_mode(mode));
            }
            let mut tmp = builder
                .tempfile_in(dir)
                .map_err(|e| Fail::new(format!("cannot write `{}`: {e}", path.display())))?;
            tmp.write_all(text.as_bytes())
                .and_then(|()| tmp.flush())
                .map_err(|e| Fail::new(format!("cannot write `{}`: {e}", path.display())))?;
            tmp.persist(path).map_err(|e| {
                Fail::new(format!("cannot write `{}`: {}", path.display(), e.error))
            })?;
            Ok(())
        }
    }
}

/// A number with at most `places` decimals, trailing zeros dropped (`12`, `12.5`).
pub fn num_text(x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// JSON of a value that serialises infallibly in practice.
pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".to_owned());
    s.push('\n');
    s
}

/// `s` escaped for HTML text and attribute values.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// One bar of [`bar_chart`].
pub struct Bar {
    /// Left of the bar (escaped here).
    pub label: String,
    /// Length, on the chart's scale.
    pub value: f64,
    /// Right of the bar (escaped here).
    pub text: String,
    /// Fill colour (`#rrggbb`).
    pub color: &'static str,
}

/// A horizontal bar chart as inline SVG (no script, no network), `max` the full width, an
/// optional dashed marker line at a value with its label below (`icp backtest`'s base rate).
pub fn bar_chart(aria: &str, bars: &[Bar], max: f64, marker: Option<(f64, &str)>) -> String {
    let max = if max > 0.0 { max } else { 1.0 };
    let (left, width, bar_h) = (140.0, 360.0, 22.0);
    let height = bar_h * bars.len() as f64 + if marker.is_some() { 30.0 } else { 12.0 };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">\n",
        left + width + 70.0,
        esc(aria)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 10.0 + bar_h * i as f64;
        let w = width * b.value.max(0.0) / max;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text><rect x=\"{left}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{}</text>",
            left - 6.0,
            y + 15.0,
            esc(&b.label),
            bar_h - 6.0,
            b.color,
            left + w + 4.0,
            y + 15.0,
            esc(&b.text)
        );
    }
    if let Some((at, label)) = marker {
        let x1 = left + width * at / max;
        let _ = writeln!(
            svg,
            "<line x1=\"{x1:.1}\" y1=\"4\" x2=\"{x1:.1}\" y2=\"{}\" stroke=\"#555\" stroke-dasharray=\"4 3\"/><text x=\"{x1:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            height - 16.0,
            height - 4.0,
            esc(label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}
