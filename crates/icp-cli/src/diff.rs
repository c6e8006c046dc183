//! `icp diff OLD NEW ACCOUNTS`: what a change to the ICP does to the accounts: the tier
//! migration matrix, the accounts that moved with the criteria and exclusions that moved
//! them, the score shift histogram, the accounts that became invalid or valid. OLD and NEW
//! are program files or `REV:path` git revisions (imports read inside that revision);
//! `--git REV PROGRAM ACCOUNTS` compares the working tree's PROGRAM with REV's.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use icp_check::{LoadError, Loader, Options};
use icp_eval::{Plan, TierOutcome, Tri};
use icp_model::{Date, num};
use serde::Serialize;

use crate::sweep::{self, Fail, InputArgs};

/// Arguments of `icp diff`.
#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    /// `OLD NEW ACCOUNTS`, or with `--git REV`: `PROGRAM ACCOUNTS`. A program is a file (or
    /// a directory of `.icp` files), or `REV:path` for that path in a git revision.
    #[arg(required = true, num_args = 2..=3, value_name = "OLD NEW ACCOUNTS")]
    pub paths: Vec<String>,
    /// Compare the working tree's PROGRAM with the one in this git revision.
    #[arg(long, value_name = "REV")]
    pub git: Option<String>,
    /// The profile to compare (may be left out when the programs have one).
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
    /// The date `today` means, `YYYY-MM-DD` (default: the clock, UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: DiffFormat,
    /// Exit with status 1 when any account's tier, score or validity changed.
    #[arg(long)]
    pub fail_on_change: bool,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output formats of `icp diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// Text for reading.
    Table,
    /// Markdown, for a pull-request comment.
    Markdown,
    /// One JSON object.
    Json,
}

/// One account as one program scored it.
#[derive(Debug, Clone)]
struct Scored {
    key: String,
    /// `None`: the row is invalid (the error).
    result: Result<RowResult, String>,
}

#[derive(Debug, Clone)]
struct RowResult {
    score: f64,
    tier: String,
    /// Per criterion: name, points.
    points: Vec<(String, f64)>,
    /// The true exclusions.
    excluded_by: Vec<String>,
    in_segment: bool,
}

/// The comparison.
#[derive(Debug, Serialize)]
pub struct Diff {
    /// What OLD is.
    pub old: String,
    /// What NEW is.
    pub new: String,
    /// Profile.
    pub profile: String,
    /// Rows read.
    pub accounts: usize,
    /// Tier labels in matrix order.
    pub tiers: Vec<String>,
    /// `matrix[from][to]`: accounts from tier `tiers[from]` (OLD) to `tiers[to]` (NEW).
    pub matrix: Vec<Vec<u64>>,
    /// Accounts whose tier changed.
    pub moved: Vec<Moved>,
    /// Accounts valid in both whose score changed (tier or not).
    pub score_changed: usize,
    /// Score shift histogram: label and count.
    pub histogram: Vec<(String, u64)>,
    /// Accounts invalid under NEW only.
    pub became_invalid: Vec<Validity>,
    /// Accounts invalid under OLD only.
    pub became_valid: Vec<Validity>,
}

/// An account whose tier changed.
#[derive(Debug, Serialize)]
pub struct Moved {
    /// Key.
    pub key: String,
    /// Tier under OLD.
    pub from: String,
    /// Tier under NEW.
    pub to: String,
    /// Score under OLD.
    pub old_score: f64,
    /// Score under NEW.
    pub new_score: f64,
    /// `new_score - old_score`, from the unrounded scores.
    pub shift: f64,
    /// What made it move: criteria whose points changed, exclusions and segment changes.
    pub because: Vec<String>,
}

/// An account whose validity changed.
#[derive(Debug, Serialize)]
pub struct Validity {
    /// Key.
    pub key: String,
    /// Why it is invalid (under the program where it is).
    pub error: String,
}

/// Run `icp diff`.
pub fn run(args: &DiffArgs) -> ExitCode {
    sweep::report(diff(args))
}

fn diff(args: &DiffArgs) -> Result<ExitCode, Fail> {
    let (old_spec, new_spec, accounts) = match (&args.git, args.paths.as_slice()) {
        (Some(rev), [program, accounts]) => {
            // The working tree's path is relative to the current directory: so is REV's.
            let relative = if Path::new(program).is_absolute() || program.starts_with("./") {
                program.clone()
            } else {
                format!("./{program}")
            };
            (format!("{rev}:{relative}"), program.clone(), accounts)
        }
        (None, [old, new, accounts]) => (old.clone(), new.clone(), accounts),
        (Some(_), _) => {
            return Err(Fail::new(
                "with `--git REV` give `PROGRAM ACCOUNTS`: the working tree's PROGRAM is compared with REV's",
            ));
        }
        (None, _) => {
            return Err(Fail::new(
                "give `OLD NEW ACCOUNTS` (or `--git REV PROGRAM ACCOUNTS`)",
            ));
        }
    };
    if accounts == "-" {
        return Err(Fail::new(
            "`icp diff` reads the accounts twice: give a file, not `-`",
        ));
    }
    let today = sweep::today(args.as_of.as_deref())?;
    let old = score_all(&old_spec, accounts, args, today)?;
    let new = score_all(&new_spec, accounts, args, today)?;
    let d = compare(&old_spec, &new_spec, &old, &new);
    let changed = !d.moved.is_empty()
        || d.score_changed > 0
        || !d.became_invalid.is_empty()
        || !d.became_valid.is_empty();
    let text = match args.format {
        DiffFormat::Json => sweep::to_json(&d),
        DiffFormat::Table => table(&d),
        DiffFormat::Markdown => markdown(&d),
    };
    sweep::emit(&text, None)?;
    Ok(if args.fail_on_change && changed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A program and its profile's name, then every row scored.
struct Run {
    profile: String,
    tiers: Vec<String>,
    rows: Vec<Scored>,
}

fn score_all(spec: &str, accounts: &str, args: &DiffArgs, today: Date) -> Result<Run, Fail> {
    let checked = load_spec(spec, today)?;
    let program = &checked.program;
    let id = sweep::pick_profile(program, args.profile.as_deref())?;
    let plan = Plan::new(program, id, today).map_err(Fail::new)?;
    let swept = sweep::sweep(
        accounts,
        &args.input,
        program,
        plan.schema(),
        || plan.scratch(),
        |scratch, row| {
            let key = sweep::row_key(plan.schema(), row);
            let result = if let Some(e) = row.error {
                Err(e.to_string())
            } else {
                let o = plan.eval(row.values, scratch);
                {
                    Ok(RowResult {
                        score: num::to_f64(o.score),
                        tier: plan.tier_label(o.tier).to_owned(),
                        points: plan
                            .criteria_outcomes(scratch)
                            .map(|(n, _, p)| (n.to_owned(), num::to_f64(p)))
                            .collect(),
                        excluded_by: plan
                            .exclusion_outcomes(scratch)
                            .filter(|(_, t)| *t == Tri::True)
                            .map(|(n, _)| n.to_owned())
                            .collect(),
                        in_segment: o.tier != TierOutcome::OutOfSegment,
                    })
                }
            };
            Scored { key, result }
        },
    )?;
    Ok(Run {
        profile: plan.profile_name().to_owned(),
        tiers: plan.tier_names().map(str::to_owned).collect(),
        rows: swept.rows,
    })
}

/// Loads `spec`: `REV:path` from git when it is no file here, else a path.
fn load_spec(spec: &str, today: Date) -> Result<icp_check::Checked, Fail> {
    let Some((rev, path)) = spec.split_once(':').filter(|_| !Path::new(spec).exists()) else {
        return sweep::program(Path::new(spec), today);
    };
    let git = Git::open(rev)?;
    let rel = git.relative(path)?;
    let abs = git.top.join(&rel);
    let entries = if git.is_tree(&rel) {
        let files = git.ls_icp(&rel)?;
        if files.is_empty() {
            return Err(Fail::new(format!("no `.icp` files under `{spec}`")));
        }
        files.into_iter().map(|f| git.top.join(f)).collect()
    } else {
        vec![abs.clone()]
    };
    let start = if git.is_tree(&rel) {
        abs
    } else {
        abs.parent()
            .map_or_else(|| git.top.clone(), Path::to_path_buf)
    };
    let root = icp_check::find_root(&start, |p| git.is_file(p));
    let checked = icp_check::check(&entries, &root, &git, &Options { today: Some(today) });
    if !checked.has_errors() {
        return Ok(checked);
    }
    let mut rendered = String::new();
    for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
        let (shown, text) = checked.file(d.file).map_or((String::new(), ""), |f| {
            let rel = f.path.strip_prefix(&git.top).unwrap_or(&f.path);
            (format!("{rev}:{}", rel.display()), &*f.text)
        });
        rendered.push_str(&crate::render::render(d, &shown, text, false));
        if !rendered.ends_with('\n') {
            rendered.push('\n');
        }
    }
    Err(Fail(format!(
        "{rendered}error: `{spec}` has errors: fix them (see `icp check`) first"
    )))
}

/// A git revision read with `git show` and `git ls-tree`.
struct Git {
    rev: String,
    /// The work tree's top directory (absolute).
    top: PathBuf,
    /// The current directory (absolute).
    cwd: PathBuf,
}

impl Git {
    fn open(rev: &str) -> Result<Git, Fail> {
        let cwd = std::env::current_dir()
            .map_err(|e| Fail::new(format!("cannot read the current directory: {e}")))?;
        let out = Command::new("git")
            .args(["rev-parse", "--show-toplevel"])
            .output()
            .map_err(|e| Fail::new(format!("cannot run `git` to read `{rev}:`: {e}")))?;
        if !out.status.success() {
            return Err(Fail::new(format!(
                "`{rev}:...` names a git revision, but this is not a git repository: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let top = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let verify = Command::new("git")
            .args(["rev-parse", "--verify", "--quiet"])
            .arg(format!("{rev}^{{commit}}"))
            .output()
            .map_err(|e| Fail::new(format!("cannot run `git`: {e}")))?;
        if !verify.status.success() {
            return Err(Fail::new(format!("`{rev}` is no git revision here")));
        }
        Ok(Git {
            rev: rev.to_owned(),
            top: std::fs::canonicalize(&top).unwrap_or(top),
            cwd: std::fs::canonicalize(&cwd).unwrap_or(cwd),
        })
    }

    /// `path` relative to the top: `./x` and `../x` are relative to the current directory
    /// (as git reads them), anything else to the top.
    fn relative(&self, path: &str) -> Result<PathBuf, Fail> {
        let joined = if path.starts_with("./") || path.starts_with("../") {
            icp_check::normalize(&self.cwd.join(path))
        } else {
            icp_check::normalize(&self.top.join(path))
        };
        joined
            .strip_prefix(&self.top)
            .map(Path::to_path_buf)
            .map_err(|_| Fail::new(format!("`{path}` lies outside the git repository")))
    }

    fn object(&self, rel: &Path) -> String {
        format!("{}:{}", self.rev, rel.to_string_lossy().replace('\\', "/"))
    }

    fn kind(&self, rel: &Path) -> Option<String> {
        let out = Command::new("git")
            .current_dir(&self.top)
            .args(["cat-file", "-t", &self.object(rel)])
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    fn is_tree(&self, rel: &Path) -> bool {
        rel.as_os_str().is_empty() || self.kind(rel).as_deref() == Some("tree")
    }

    fn is_file(&self, abs: &Path) -> bool {
        abs.strip_prefix(&self.top)
            .is_ok_and(|rel| self.kind(rel).as_deref() == Some("blob"))
    }

    fn ls_icp(&self, rel: &Path) -> Result<Vec<PathBuf>, Fail> {
        let mut cmd = Command::new("git");
        cmd.current_dir(&self.top).args([
            "ls-tree",
            "-r",
            "--name-only",
            "--full-name",
            &self.rev,
            "--",
        ]);
        if !rel.as_os_str().is_empty() {
            cmd.arg(rel);
        }
        let out = cmd
            .output()
            .map_err(|e| Fail::new(format!("cannot run `git ls-tree`: {e}")))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let mut files: Vec<PathBuf> = text
            .lines()
            .filter(|l| {
                Path::new(l).extension().is_some_and(|e| e == "icp")
                    && !l
                        .split('/')
                        .any(|c| c.starts_with('.') || c == "target" || c == "node_modules")
            })
            .map(PathBuf::from)
            .collect();
        files.sort();
        Ok(files)
    }
}

impl Loader for Git {
    fn load(&self, path: &Path) -> Result<String, LoadError> {
        let rel = path
            .strip_prefix(&self.top)
            .map_err(|_| LoadError::OutsideRoot)?;
        let out = Command::new("git")
            .current_dir(&self.top)
            .args(["show", &self.object(rel)])
            .output()
            .map_err(|e| LoadError::Other(format!("cannot run `git show`: {e}")))?;
        if !out.status.success() {
            return Err(LoadError::NotFound);
        }
        String::from_utf8(out.stdout).map_err(|e| LoadError::NotUtf8 {
            offset: e.utf8_error().valid_up_to(),
        })
    }

    fn load_within(&self, path: &Path, root: &Path) -> Result<String, LoadError> {
        if !path.starts_with(root) {
            return Err(LoadError::OutsideRoot);
        }
        self.load(path)
    }
}

const BINS: [(f64, f64, &str); 7] = [
    (f64::NEG_INFINITY, -20.0, "≤ -20"),
    (-20.0, -10.0, "-20 to -10"),
    (-10.0, -0.005, "-10 to 0"),
    (-0.005, 0.005, "0"),
    (0.005, 10.0, "0 to 10"),
    (10.0, 20.0, "10 to 20"),
    (20.0, f64::INFINITY, "≥ 20"),
];

fn compare(old_spec: &str, new_spec: &str, old: &Run, new: &Run) -> Diff {
    let mut tiers: Vec<String> = old.tiers.clone();
    for t in &new.tiers {
        if !tiers.contains(t) {
            tiers.push(t.clone());
        }
    }
    for t in ["excluded", "out_of_segment", "invalid"] {
        tiers.push(t.to_owned());
    }
    let index = |t: &str| tiers.iter().position(|x| x == t).unwrap_or(0);
    let mut matrix = vec![vec![0u64; tiers.len()]; tiers.len()];
    let mut moved = Vec::new();
    let mut histogram: Vec<(String, u64)> =
        BINS.iter().map(|(_, _, l)| ((*l).to_owned(), 0)).collect();
    let (mut became_invalid, mut became_valid) = (Vec::new(), Vec::new());
    let mut score_changed = 0;
    for (o, n) in old.rows.iter().zip(&new.rows) {
        let from = o.result.as_ref().map_or("invalid", |r| r.tier.as_str());
        let to = n.result.as_ref().map_or("invalid", |r| r.tier.as_str());
        if let Some(cell) = matrix
            .get_mut(index(from))
            .and_then(|row| row.get_mut(index(to)))
        {
            *cell += 1;
        }
        match (&o.result, &n.result) {
            (Ok(a), Ok(b)) => {
                let shift = b.score - a.score;
                if shift.abs() >= 0.005 {
                    score_changed += 1;
                }
                if let Some(bin) = BINS
                    .iter()
                    .position(|(lo, hi, _)| shift > *lo && shift <= *hi)
                    .and_then(|i| histogram.get_mut(i))
                {
                    bin.1 += 1;
                }
                if a.tier != b.tier {
                    moved.push(Moved {
                        key: n.key.clone(),
                        from: a.tier.clone(),
                        to: b.tier.clone(),
                        old_score: round2(a.score),
                        new_score: round2(b.score),
                        shift: round2(b.score - a.score),
                        because: because(a, b),
                    });
                }
            }
            (Ok(_), Err(e)) => became_invalid.push(Validity {
                key: n.key.clone(),
                error: e.clone(),
            }),
            (Err(e), Ok(_)) => became_valid.push(Validity {
                key: o.key.clone(),
                error: e.clone(),
            }),
            (Err(_), Err(_)) => {}
        }
    }
    Diff {
        old: old_spec.to_owned(),
        new: new_spec.to_owned(),
        profile: new.profile.clone(),
        accounts: new.rows.len(),
        tiers,
        matrix,
        moved,
        score_changed,
        histogram,
        became_invalid,
        became_valid,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// What changed for one account: segment, exclusions, criteria whose points changed.
fn because(a: &RowResult, b: &RowResult) -> Vec<String> {
    let mut out = Vec::new();
    if a.in_segment != b.in_segment {
        out.push(if b.in_segment {
            "now in a target segment".to_owned()
        } else {
            "no longer in a target segment".to_owned()
        });
    }
    for x in &b.excluded_by {
        if !a.excluded_by.contains(x) {
            out.push(format!("excluded by `{x}`"));
        }
    }
    for x in &a.excluded_by {
        if !b.excluded_by.contains(x) {
            out.push(format!("no longer excluded by `{x}`"));
        }
    }
    let old: BTreeMap<&str, f64> = a.points.iter().map(|(n, p)| (n.as_str(), *p)).collect();
    for (name, p) in &b.points {
        match old.get(name.as_str()) {
            None if *p != 0.0 => out.push(format!("`{name}` new: {}", signed(*p))),
            Some(q) if (q - p).abs() > 1e-9 => {
                out.push(format!("`{name}` {} → {}", signed(*q), signed(*p)));
            }
            _ => {}
        }
    }
    let new_names: Vec<&str> = b.points.iter().map(|(n, _)| n.as_str()).collect();
    for (name, q) in &a.points {
        if !new_names.contains(&name.as_str()) && *q != 0.0 {
            out.push(format!("`{name}` removed: was {}", signed(*q)));
        }
    }
    if out.is_empty() {
        out.push(if (a.score - b.score).abs() >= 0.005 {
            "the same points over a different total weight".to_owned()
        } else {
            "the tier rules changed".to_owned()
        });
    }
    out
}

fn signed(x: f64) -> String {
    let s = sweep::num_text(x, 2);
    if x > 0.0 { format!("+{s}") } else { s }
}

fn shift(m: &Moved) -> String {
    signed(m.shift)
}

/// `1 account`, `2 accounts`.
fn accounts(n: usize) -> String {
    if n == 1 {
        "1 account".to_owned()
    } else {
        format!("{n} accounts")
    }
}

/// Non-empty rows and columns of the matrix (a tier nobody is in, before or after, is left
/// out).
fn used(d: &Diff) -> Vec<usize> {
    (0..d.tiers.len())
        .filter(|&i| {
            d.matrix.get(i).is_some_and(|r| r.iter().any(|&n| n > 0))
                || d.matrix.iter().any(|r| r.get(i).is_some_and(|&n| n > 0))
        })
        .collect()
}

fn cell(d: &Diff, i: usize, j: usize) -> u64 {
    d.matrix.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0)
}

fn label(d: &Diff, i: usize) -> &str {
    d.tiers.get(i).map_or("", String::as_str)
}

fn headline(d: &Diff) -> String {
    format!(
        "{} accounts, profile `{}`: {} changed tier, {} changed score, {} became invalid, {} became valid",
        d.accounts,
        d.profile,
        d.moved.len(),
        d.score_changed,
        d.became_invalid.len(),
        d.became_valid.len()
    )
}

fn table(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "icp diff {} → {}", d.old, d.new);
    let _ = writeln!(out, "{}\n", headline(d));
    let used = used(d);
    let w = used
        .iter()
        .map(|&i| label(d, i).chars().count())
        .chain([8])
        .max()
        .unwrap_or(8);
    let _ = write!(out, "{:<w$}", "old\\new");
    for &j in &used {
        let _ = write!(out, " {:>w$}", label(d, j));
    }
    out.push('\n');
    for &i in &used {
        let _ = write!(out, "{:<w$}", label(d, i));
        for &j in &used {
            let n = cell(d, i, j);
            let _ = write!(
                out,
                " {:>w$}",
                if n == 0 {
                    ".".to_owned()
                } else {
                    n.to_string()
                }
            );
        }
        out.push('\n');
    }
    out.push_str("\nscore shift (new - old), accounts valid in both:\n");
    let max = d.histogram.iter().map(|h| h.1).max().unwrap_or(0).max(1);
    for (l, n) in &d.histogram {
        let bar = "#".repeat(((n * 30).div_ceil(max)) as usize);
        let _ = writeln!(out, "{}", format!("  {l:>10} {n:>6} {bar}").trim_end());
    }
    if !d.moved.is_empty() {
        out.push_str("\nmoved:\n");
        for m in &d.moved {
            let _ = writeln!(
                out,
                "  {}: {} → {} ({} → {}, {}): {}",
                m.key,
                m.from,
                m.to,
                sweep::num_text(m.old_score, 2),
                sweep::num_text(m.new_score, 2),
                shift(m),
                m.because.join("; ")
            );
        }
    }
    for (title, list) in [
        ("became invalid", &d.became_invalid),
        ("became valid", &d.became_valid),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "\n{title}:");
            for v in list {
                let _ = writeln!(out, "  {}: {}", v.key, v.error);
            }
        }
    }
    out
}

/// Lists longer than this go in a collapsed `<details>` block.
const OPEN_ROWS: usize = 10;

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### ICP diff: `{}` → `{}`\n", d.old, d.new);
    let _ = writeln!(out, "{}\n", headline(d));
    let used = used(d);
    out.push_str("| old \\ new |");
    for &j in &used {
        let _ = write!(out, " {} |", label(d, j));
    }
    out.push_str("\n|---|");
    for _ in &used {
        out.push_str("--:|");
    }
    out.push('\n');
    for &i in &used {
        let _ = write!(out, "| **{}** |", label(d, i));
        for &j in &used {
            let n = cell(d, i, j);
            if n == 0 {
                out.push_str("  |");
            } else if i == j {
                let _ = write!(out, " {n} |");
            } else {
                let _ = write!(out, " **{n}** |");
            }
        }
        out.push('\n');
    }
    out.push_str("\nScore shift (new − old), accounts valid in both:\n\n```\n");
    let max = d.histogram.iter().map(|h| h.1).max().unwrap_or(0).max(1);
    for (l, n) in &d.histogram {
        let bar = "█".repeat(((n * 30).div_ceil(max)) as usize);
        let _ = writeln!(out, "{}", format!("{l:>10} {n:>6} {bar}").trim_end());
    }
    out.push_str("```\n");
    if !d.moved.is_empty() {
        let mut rows =
            String::from("| account | from | to | score | why |\n|---|---|---|--:|---|\n");
        for m in &d.moved {
            let _ = writeln!(
                rows,
                "| {} | {} | {} | {} → {} ({}) | {} |",
                md_escape(&m.key),
                m.from,
                m.to,
                sweep::num_text(m.old_score, 2),
                sweep::num_text(m.new_score, 2),
                shift(m),
                md_escape(&m.because.join("; "))
            );
        }
        section(
            &mut out,
            &format!("{} accounts moved", d.moved.len()),
            d.moved.len(),
            &rows,
        );
    }
    for (title, list) in [
        ("became invalid", &d.became_invalid),
        ("became valid", &d.became_valid),
    ] {
        if !list.is_empty() {
            let mut rows = String::from("| account | error |\n|---|---|\n");
            for v in list {
                let _ = writeln!(rows, "| {} | {} |", md_escape(&v.key), md_escape(&v.error));
            }
            section(
                &mut out,
                &format!("{} {title}", accounts(list.len())),
                list.len(),
                &rows,
            );
        }
    }
    out
}

fn section(out: &mut String, title: &str, n: usize, body: &str) {
    if n > OPEN_ROWS {
        let _ = write!(
            out,
            "\n<details><summary>{title}</summary>\n\n{body}\n</details>\n"
        );
    } else {
        let _ = write!(out, "\n**{title}**\n\n{body}");
    }
}
