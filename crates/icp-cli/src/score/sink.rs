//! The rows `icp score` writes: the output columns (one profile or several, `--columns`),
//! the per-row writer for each format, and the per-block counts.

use std::fmt::Write as _;

use icp_data::{Row, RowSink, Rows};
use icp_eval::{BlockScratch, Outcome, Plan, Scratch, TierOutcome};
use icp_model::{Decimal, Value, num};

use super::{OutFormat, Usage, clip, csv_field, fixed2, fmt_u64, json_str};

/// What an output column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cell {
    /// Input column `i` (`--keep-columns`).
    Kept(usize),
    /// The schema's key field, or the row number.
    Key,
    /// The profile with the highest score among those the account is in and not excluded by.
    BestProfile,
    /// Profile `p`'s score.
    Score(usize),
    /// Profile `p`'s tier.
    Tier(usize),
    /// The action text of profile `p`'s tier.
    Action(usize),
    /// Profile `p`'s coverage.
    Coverage(usize),
    /// Profile `p`'s reasons.
    Reasons(usize),
    /// Profile `p`'s full explanation (json and jsonl with `--explain`).
    Explanation(usize),
    /// Why the row is invalid.
    Error,
}

impl Cell {
    /// The profile a per-profile column belongs to.
    fn profile(self) -> Option<usize> {
        match self {
            Cell::Score(p)
            | Cell::Tier(p)
            | Cell::Action(p)
            | Cell::Coverage(p)
            | Cell::Reasons(p)
            | Cell::Explanation(p) => Some(p),
            Cell::Kept(_) | Cell::Key | Cell::BestProfile | Cell::Error => None,
        }
    }

    /// The column's name without its profile prefix.
    fn field(self) -> &'static str {
        match self {
            Cell::Score(_) => "score",
            Cell::Tier(_) => "tier",
            Cell::Action(_) => "action",
            Cell::Coverage(_) => "coverage",
            Cell::Reasons(_) => "reasons",
            Cell::Explanation(_) => "explanation",
            Cell::BestProfile => "best_profile",
            Cell::Error => "error",
            Cell::Kept(_) | Cell::Key => "",
        }
    }
}

/// One output column: its name (as in the header and in `--columns`) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Column {
    pub(super) name: String,
    pub(super) cell: Cell,
}

/// Whether any tier of the plan has an action text.
pub(super) fn has_actions(plan: &Plan) -> bool {
    (0..plan.tier_names().count())
        .any(|i| u32::try_from(i).is_ok_and(|i| plan.tier_action(TierOutcome::Tier(i)).is_some()))
}

/// The columns a run writes when `--columns` is not given: the kept input columns (csv, tsv,
/// json, jsonl), the key, `best_profile` (several profiles), then per profile `score`,
/// `tier`, `action` (when the profile has actions), `coverage`, `reasons` (prefixed `P.` with
/// several profiles) and, with `--explain` in json and jsonl, `explanation`; last `error`
/// (not in the table, which shows the error after the row's cells).
///
/// `kept` receives the kept input columns' names, renamed where they clash with the others.
pub(super) fn default_columns(
    plans: &[Plan],
    key_name: &str,
    header: Option<&[String]>,
    format: OutFormat,
    explain: bool,
) -> Vec<Column> {
    let several = plans.len() > 1;
    let mut own = vec![Column {
        name: key_name.to_owned(),
        cell: Cell::Key,
    }];
    let push = |own: &mut Vec<Column>, cell: Cell, prefix: &str| {
        own.push(Column {
            name: format!("{prefix}{}", cell.field()),
            cell,
        });
    };
    if several {
        push(&mut own, Cell::BestProfile, "");
    }
    for (p, plan) in plans.iter().enumerate() {
        let prefix = if several {
            format!("{}.", plan.profile_name())
        } else {
            String::new()
        };
        push(&mut own, Cell::Score(p), &prefix);
        push(&mut own, Cell::Tier(p), &prefix);
        if has_actions(plan) {
            push(&mut own, Cell::Action(p), &prefix);
        }
        push(&mut own, Cell::Coverage(p), &prefix);
        push(&mut own, Cell::Reasons(p), &prefix);
        if explain && several {
            push(&mut own, Cell::Explanation(p), &prefix);
        }
    }
    if format != OutFormat::Table {
        push(&mut own, Cell::Error, "");
    }
    if explain && !several {
        push(&mut own, Cell::Explanation(0), "");
    }
    let Some(header) = header else {
        return own;
    };
    let names: Vec<&str> = own.iter().map(|c| c.name.as_str()).collect();
    let mut columns: Vec<Column> = super::kept_names(header, &names)
        .into_iter()
        .enumerate()
        .map(|(i, name)| Column {
            name,
            cell: Cell::Kept(i),
        })
        .collect();
    columns.extend(own);
    columns
}

/// The columns `--columns LIST` names, in its order: each must be one of `available` (the
/// columns the run would write without it).
pub(super) fn choose_columns(list: &str, available: &[Column]) -> Result<Vec<Column>, Usage> {
    let valid = || {
        available
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut chosen: Vec<Column> = Vec::new();
    for name in list.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(Usage(format!(
                "error: `--columns {list}` has an empty name: separate the names with single commas\n  columns: {}",
                valid()
            )));
        }
        let Some(col) = available.iter().find(|c| c.name == name) else {
            let mut msg = format!("error: `--columns`: no output column `{name}`");
            // `score` with several profiles: each profile's; `mary.score` with one: `score`.
            let prefixed: Vec<String> = available
                .iter()
                .filter(|c| c.cell.profile().is_some() && c.name.ends_with(&format!(".{name}")))
                .map(|c| format!("`{}`", c.name))
                .collect();
            let unprefixed = name
                .split_once('.')
                .map(|(_, field)| field)
                .filter(|field| available.iter().any(|c| c.name == *field));
            let field = name.rsplit('.').next().unwrap_or(name);
            if field == "error" {
                msg.push_str(
                    ": the table shows an invalid row's error after its cells (csv, tsv, json and jsonl have an `error` column)",
                );
            } else if field == "explanation" {
                msg.push_str(": it needs `--explain` and json or jsonl output");
            } else if !prefixed.is_empty() {
                let _ = write!(msg, ": did you mean {}?", prefixed.join(" or "));
            } else if let Some(field) = unprefixed {
                let _ = write!(
                    msg,
                    ": did you mean `{field}`? (with one profile, columns have no prefix)"
                );
            } else if let Some(s) =
                icp_syntax::did_you_mean(name, available.iter().map(|c| c.name.as_str()))
            {
                let _ = write!(msg, ": did you mean `{s}`?");
            }
            let _ = write!(msg, "\n  columns: {}", valid());
            return Err(Usage(msg));
        };
        if chosen.iter().any(|c| c.cell == col.cell) {
            return Err(Usage(format!(
                "error: `--columns`: `{name}` is named twice"
            )));
        }
        chosen.push(col.clone());
    }
    Ok(chosen)
}

/// The profile with the highest score among those whose target the account is in and that
/// do not exclude it; the first of equal scores. `None` when there is no such profile.
pub(crate) fn best_profile(outcomes: &[Outcome]) -> Option<usize> {
    let mut best: Option<(usize, &Outcome)> = None;
    for (p, o) in outcomes.iter().enumerate() {
        if !matches!(o.tier, TierOutcome::Tier(_)) {
            continue;
        }
        if best.is_none_or(|(_, b)| o.score > b.score) {
            best = Some((p, o));
        }
    }
    best.map(|(p, _)| p)
}

/// One profile's counts.
#[derive(Debug, Default)]
pub(super) struct Counts {
    pub(super) tiers: Vec<u64>,
    pub(super) excluded: u64,
    pub(super) out_of_segment: u64,
    /// Valid rows whose best profile this is (several profiles).
    pub(super) best: u64,
}

impl Counts {
    pub(super) fn tier(&self, i: usize) -> u64 {
        self.tiers.get(i).copied().unwrap_or(0)
    }

    fn add(&mut self, t: TierOutcome) {
        match t {
            TierOutcome::Tier(i) => {
                let i = i as usize;
                if self.tiers.len() <= i {
                    self.tiers.resize(i + 1, 0);
                }
                if let Some(n) = self.tiers.get_mut(i) {
                    *n += 1;
                }
            }
            TierOutcome::Excluded => self.excluded += 1,
            TierOutcome::OutOfSegment => self.out_of_segment += 1,
        }
    }

    fn merge(&mut self, other: &Counts) {
        if self.tiers.len() < other.tiers.len() {
            self.tiers.resize(other.tiers.len(), 0);
        }
        for (a, b) in self.tiers.iter_mut().zip(&other.tiers) {
            *a += b;
        }
        self.excluded += other.excluded;
        self.out_of_segment += other.out_of_segment;
        self.best += other.best;
    }
}

/// Per-block counts, merged in input order.
#[derive(Debug, Default)]
pub(super) struct Stats {
    /// Per profile, in the order given.
    pub(super) profiles: Vec<Counts>,
    /// Valid rows with no best profile (several profiles).
    pub(super) no_best: u64,
    pub(super) invalid: u64,
    /// The first few errors.
    pub(super) errors: Vec<String>,
}

const MAX_ERRORS: usize = 5;

impl Stats {
    pub(super) fn profile(&self, p: usize) -> Option<&Counts> {
        self.profiles.get(p)
    }

    pub(super) fn merge(&mut self, other: Stats) {
        if self.profiles.len() < other.profiles.len() {
            self.profiles
                .resize_with(other.profiles.len(), Counts::default);
        }
        for (a, b) in self.profiles.iter_mut().zip(&other.profiles) {
            a.merge(b);
        }
        self.no_best += other.no_best;
        self.invalid += other.invalid;
        for e in other.errors {
            if self.errors.len() < MAX_ERRORS {
                self.errors.push(e);
            }
        }
    }
}

/// A short csv or tsv field padded to 32 bytes, with its length.
type PaddedField = ([u8; 32], usize);

/// Writes the scored rows.
pub(super) struct ScoreSink<'p> {
    pub(super) plans: &'p [Plan],
    pub(super) format: OutFormat,
    /// Schema field echoed as the row's key.
    pub(super) key: Option<usize>,
    /// The columns to write, in order.
    pub(super) columns: Vec<Column>,
    /// Table layout: each column's width and whether it is right-aligned.
    widths: Vec<(usize, bool)>,
    /// Per profile, its tier labels as csv or tsv fields (see [`ScoreSink::tier_field`]).
    tier_fields: Vec<Vec<Option<PaddedField>>>,
    /// Per profile, whether only its score and tier are written (no coverage, reasons or
    /// explanation): then its rows are evaluated a batch at a time.
    lean: Vec<bool>,
    /// Csv or tsv with one lean profile and only key, score and tier columns: valid rows
    /// of a batch are written by [`ScoreSink::csv_lean`].
    csv_lean: bool,
    /// With `csv_lean`, the key comes first and once: the rest of a row's line is a
    /// function of its score and tier ([`TailMemo`]).
    key_first: bool,
}

impl<'p> ScoreSink<'p> {
    pub(super) fn new(
        plans: &'p [Plan],
        format: OutFormat,
        key: Option<usize>,
        columns: Vec<Column>,
    ) -> Self {
        let widths = columns
            .iter()
            .map(|c| table_width(plans, c))
            .collect::<Vec<_>>();
        let d = format.delimiter();
        let tier_fields = plans
            .iter()
            .map(|plan| {
                let n = plan.tier_names().count().max(1);
                [TierOutcome::Excluded, TierOutcome::OutOfSegment]
                    .into_iter()
                    .chain((0..n).filter_map(|i| u32::try_from(i).ok().map(TierOutcome::Tier)))
                    .map(|t| {
                        let mut field = Vec::new();
                        csv_field(&mut field, plan.tier_label(t).as_bytes(), d);
                        let mut padded = [0u8; 32];
                        let head = padded.get_mut(..field.len())?;
                        head.copy_from_slice(&field);
                        Some((padded, field.len()))
                    })
                    .collect()
            })
            .collect();
        let lean: Vec<bool> = (0..plans.len())
            .map(|p| {
                !columns.iter().any(|c| {
                    matches!(
                        c.cell,
                        Cell::Coverage(q) | Cell::Reasons(q) | Cell::Explanation(q) if q == p
                    )
                })
            })
            .collect();
        let csv_lean = matches!(format, OutFormat::Csv | OutFormat::Tsv)
            && plans.len() == 1
            && lean.iter().all(|&l| l)
            && columns
                .iter()
                .all(|c| matches!(c.cell, Cell::Key | Cell::Score(0) | Cell::Tier(0)));
        let key_first = columns.first().is_some_and(|c| c.cell == Cell::Key)
            && columns.iter().filter(|c| c.cell == Cell::Key).count() == 1;
        ScoreSink {
            plans,
            format,
            key,
            columns,
            widths,
            tier_fields,
            lean,
            csv_lean,
            key_first,
        }
    }

    /// Writes profile `p`'s label of `t` as a csv or tsv field: made once per label, not
    /// scanned for quotes per row.
    #[inline]
    fn tier_field(&self, out: &mut Vec<u8>, p: usize, plan: &Plan, t: TierOutcome) {
        let at = match t {
            TierOutcome::Excluded => 0,
            TierOutcome::OutOfSegment => 1,
            TierOutcome::Tier(i) => 2 + i as usize,
        };
        match self.tier_fields.get(p).and_then(|f| f.get(at)) {
            // All 32 bytes in one move, then cut to the field: no `memcpy` call.
            Some(Some((field, len))) => {
                let end = out.len() + len;
                out.extend_from_slice(field);
                out.truncate(end);
            }
            _ => csv_field(out, plan.tier_label(t).as_bytes(), self.format.delimiter()),
        }
    }

    fn several(&self) -> bool {
        self.plans.len() > 1
    }
}

/// The name a table's header shows: `cover` for `coverage` (it holds a percentage there).
fn table_name(name: &str) -> std::borrow::Cow<'_, str> {
    match name.strip_suffix("coverage") {
        Some(head) => format!("{head}cover").into(),
        None => name.into(),
    }
}

/// A table column's width (at least its header's) and whether it is right-aligned. Long
/// texts (reasons) are clipped to 40 characters unless they are the last column.
fn table_width(plans: &[Plan], c: &Column) -> (usize, bool) {
    let header = table_name(&c.name).chars().count();
    let (base, right) = match c.cell {
        // The key's header is clipped to its width rather than widening it.
        Cell::Key => return (20, false),
        Cell::Score(_) => (6, true),
        Cell::Coverage(_) => (5, true),
        Cell::Tier(_) => (16, false),
        Cell::Action(p) => {
            let plan = plans.get(p);
            let longest = plan.map_or(0, |plan| {
                (0..plan.tier_names().count())
                    .filter_map(|i| u32::try_from(i).ok())
                    .filter_map(|i| plan.tier_action(TierOutcome::Tier(i)))
                    .map(|a| a.chars().count())
                    .max()
                    .unwrap_or(0)
            });
            (longest, false)
        }
        Cell::BestProfile => (
            plans
                .iter()
                .map(|p| p.profile_name().chars().count())
                .max()
                .unwrap_or(0),
            false,
        ),
        Cell::Reasons(_) | Cell::Kept(_) | Cell::Error | Cell::Explanation(_) => (40, false),
    };
    (base.max(header), right)
}

/// A worker's buffers.
pub(super) struct Local {
    /// One per profile.
    scratch: Vec<Scratch>,
    outcomes: Vec<Outcome>,
    /// Per lean profile, the outcomes of the batch of rows being written, and the
    /// evaluator's buffers.
    batch: Vec<Vec<Outcome>>,
    block: Vec<BlockScratch>,
    reasons: String,
    error: String,
    /// Scores and coverages as written.
    shown: Fixed2Memo,
    /// The ends of lean csv lines by score and tier.
    tails: TailMemo,
}

/// A small direct-mapped cache of short texts by a key (`N` bytes of text kept at most):
/// a file's rows repeat a few dozen scores, coverages and score-and-tier pairs, whose text
/// takes a 128-bit division to round. A hit writes the text made for that key before, so
/// output is the same bytes as made afresh.
pub(super) struct TextCache<K, const N: usize> {
    keys: Vec<Option<K>>,
    /// The text and its length.
    texts: Vec<([u8; N], u8)>,
    /// Where a text is made before it is kept.
    scratch: Vec<u8>,
}

impl<K: Copy + PartialEq, const N: usize> TextCache<K, N> {
    const SIZE: usize = 256;

    fn new() -> Self {
        TextCache {
            keys: vec![None; Self::SIZE],
            texts: vec![([0; N], 0); Self::SIZE],
            scratch: Vec::with_capacity(2 * N),
        }
    }

    /// Writes the text `make` writes for `key` (whose hash is `hash`), from the cache when
    /// it holds it.
    #[inline]
    fn write(&mut self, out: &mut Vec<u8>, key: K, hash: u64, make: impl FnOnce(&mut Vec<u8>)) {
        // Fibonacci hashing: the top 8 bits index the 256 slots.
        let slot = (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize;
        if let (Some(Some(k)), Some((text, len))) = (self.keys.get(slot), self.texts.get(slot))
            && *k == key
        {
            // All `N` bytes in one move, then cut to the text: no `memcpy` call.
            let end = out.len() + usize::from(*len);
            out.extend_from_slice(text);
            out.truncate(end);
            return;
        }
        self.scratch.clear();
        make(&mut self.scratch);
        out.extend_from_slice(&self.scratch);
        let made = self.scratch.as_slice();
        if let (Ok(n), Some(k), Some((text, len))) = (
            u8::try_from(made.len()),
            self.keys.get_mut(slot),
            self.texts.get_mut(slot),
        ) && let Some(t) = text.get_mut(..made.len())
        {
            t.copy_from_slice(made);
            *len = n;
            *k = Some(key);
        }
    }
}

/// A decimal's bits, as a key of [`TextCache`], and their hash.
fn decimal_key(x: Decimal) -> (u128, u64) {
    let key = u128::from_le_bytes(x.serialize());
    (key, (key as u64) ^ ((key >> 64) as u64).rotate_left(29))
}

/// Scores and coverages as [`fixed2`] writes them.
pub(super) struct Fixed2Memo(TextCache<u128, 16>);

impl Fixed2Memo {
    fn new() -> Fixed2Memo {
        Fixed2Memo(TextCache::new())
    }

    /// Writes `x` as [`fixed2`] does.
    #[inline]
    fn write(&mut self, out: &mut Vec<u8>, x: Decimal) {
        let (key, hash) = decimal_key(x);
        self.0.write(out, key, hash, |text| fixed2(text, x));
    }
}

/// The ends of lean csv lines (after the key: score and tier in the chosen order, and the
/// line end) by the row's score and tier.
pub(super) struct TailMemo(TextCache<(u128, u32), 48>);

impl TailMemo {
    fn new() -> TailMemo {
        TailMemo(TextCache::new())
    }

    /// Writes the text `make` writes for `o`'s score and tier.
    #[inline]
    fn write(&mut self, out: &mut Vec<u8>, o: Outcome, make: impl FnOnce(&mut Vec<u8>)) {
        let tier = match o.tier {
            TierOutcome::Tier(i) => i,
            TierOutcome::Excluded => u32::MAX,
            TierOutcome::OutOfSegment => u32::MAX - 1,
        };
        let (score, hash) = decimal_key(o.score);
        self.0
            .write(out, (score, tier), hash ^ u64::from(tier) << 7, make);
    }
}

impl RowSink for ScoreSink<'_> {
    type Local = Local;
    type Stats = Stats;

    fn local(&self) -> Local {
        Local {
            scratch: (self.plans.iter().zip(&self.lean))
                .map(|(plan, &lean)| {
                    let mut s = plan.scratch();
                    // Only the score and the tier are written: the rest is skipped.
                    s.outcome_only(lean);
                    s
                })
                .collect(),
            outcomes: Vec::with_capacity(self.plans.len()),
            batch: vec![Vec::new(); self.plans.len()],
            block: self.plans.iter().map(|_| BlockScratch::default()).collect(),
            reasons: String::with_capacity(256),
            error: String::new(),
            shown: Fixed2Memo::new(),
            tails: TailMemo::new(),
        }
    }

    fn row(&self, local: &mut Local, stats: &mut Stats, row: &Row<'_>, out: &mut Vec<u8>) {
        self.write_row(local, stats, row, None, out);
    }

    fn rows(&self, local: &mut Local, stats: &mut Stats, rows: &Rows<'_>, out: &mut Vec<u8>) {
        // Lean profiles: the whole batch at once (an invalid row's outcome is not read).
        for ((plan, &lean), (block, batch)) in self
            .plans
            .iter()
            .zip(&self.lean)
            .zip(local.block.iter_mut().zip(&mut local.batch))
        {
            batch.clear();
            if lean {
                plan.eval_block(rows.values(), rows.width(), block, batch);
            }
        }
        if stats.profiles.len() < self.plans.len() {
            stats
                .profiles
                .resize_with(self.plans.len(), Counts::default);
        }
        for i in 0..rows.len() {
            if self.csv_lean && !rows.is_invalid(i) && self.csv_lean(local, stats, rows, i, out) {
                continue;
            }
            if let Some(row) = rows.get(i) {
                self.write_row(local, stats, &row, Some(i), out);
            }
        }
    }
}

impl ScoreSink<'_> {
    /// Writes valid row `i` of a batch of the one lean profile, as [`ScoreSink::csv`] does,
    /// without making the row's view; `false` (nothing written) when its key is not text.
    #[inline]
    fn csv_lean(
        &self,
        local: &mut Local,
        stats: &mut Stats,
        rows: &Rows<'_>,
        i: usize,
        out: &mut Vec<u8>,
    ) -> bool {
        let mut number = [0u8; 20];
        let key: &[u8] = match self.key {
            Some(k) => match rows.values().get(i * rows.width() + k) {
                Some(Value::Text(t)) => t.as_bytes(),
                _ => return false,
            },
            None => fmt_u64(rows.number(i).unwrap_or(0), &mut number),
        };
        let (Some(o), Some(plan), Some(counts)) = (
            local.batch.first().and_then(|b| b.get(i)).copied(),
            self.plans.first(),
            stats.profiles.first_mut(),
        ) else {
            return false;
        };
        counts.add(o.tier);
        let d = self.format.delimiter();
        if self.key_first {
            // The key, then the rest of the line as cached for this score and tier.
            csv_field(out, key, d);
            let rest = self.columns.get(1..).unwrap_or_default();
            local.tails.write(out, o, |line| {
                for col in rest {
                    line.push(d);
                    match col.cell {
                        Cell::Score(_) => fixed2(line, o.score),
                        _ => self.tier_field(line, 0, plan, o.tier),
                    }
                }
                line.push(b'\n');
            });
            return true;
        }
        for (c, col) in self.columns.iter().enumerate() {
            if c > 0 {
                out.push(d);
            }
            match col.cell {
                Cell::Key => csv_field(out, key, d),
                Cell::Score(_) => local.shown.write(out, o.score),
                _ => self.tier_field(out, 0, plan, o.tier),
            }
        }
        out.push(b'\n');
        true
    }

    /// Writes one row; `batched`: its index in the batch whose lean profiles' outcomes
    /// [`RowSink::rows`] computed.
    #[inline]
    fn write_row(
        &self,
        local: &mut Local,
        stats: &mut Stats,
        row: &Row<'_>,
        batched: Option<usize>,
        out: &mut Vec<u8>,
    ) {
        let mut number = [0u8; 20];
        let key: &[u8] = match self.key {
            // The decoded key is the trimmed cell; an invalid row has no values, only cells.
            Some(k) => match row.values.get(k) {
                Some(Value::Text(t)) => t.as_bytes(),
                _ => row.cell(k).unwrap_or_default().as_bytes(),
            },
            None => fmt_u64(row.number, &mut number),
        };
        local.error.clear();
        local.outcomes.clear();
        if stats.profiles.len() < self.plans.len() {
            stats
                .profiles
                .resize_with(self.plans.len(), Counts::default);
        }
        let mut best = None;
        if let Some(e) = row.error {
            stats.invalid += 1;
            if stats.errors.len() < MAX_ERRORS {
                stats.errors.push(e.to_string());
            }
            let _ = write!(local.error, "{e}");
        } else {
            for (((plan, scratch), counts), batch) in self
                .plans
                .iter()
                .zip(&mut local.scratch)
                .zip(&mut stats.profiles)
                .zip(&local.batch)
            {
                let o = match batched.and_then(|i| batch.get(i)) {
                    Some(o) => *o,
                    None => plan.eval(row.values, scratch),
                };
                counts.add(o.tier);
                local.outcomes.push(o);
            }
            if self.several() {
                best = best_profile(&local.outcomes);
                match best.and_then(|b| stats.profiles.get_mut(b)) {
                    Some(c) => c.best += 1,
                    None => stats.no_best += 1,
                }
            }
        }
        let r = RowView {
            row,
            key,
            valid: row.error.is_none(),
            best,
        };
        match self.format {
            OutFormat::Csv | OutFormat::Tsv => self.csv(local, &r, out),
            OutFormat::Json | OutFormat::Jsonl => self.json(local, &r, out),
            OutFormat::Table => self.table(local, &r, out),
        }
    }
}

/// What the writers need of a row besides the worker's buffers.
struct RowView<'a, 'r> {
    row: &'a Row<'r>,
    key: &'a [u8],
    valid: bool,
    best: Option<usize>,
}

impl ScoreSink<'_> {
    /// The outcome of profile `p` on the current row (`None`: the row is invalid).
    fn outcome(local: &Local, r: &RowView<'_, '_>, p: usize) -> Option<Outcome> {
        if r.valid {
            local.outcomes.get(p).copied()
        } else {
            None
        }
    }

    fn csv(&self, local: &mut Local, r: &RowView<'_, '_>, out: &mut Vec<u8>) {
        let d = self.format.delimiter();
        for (i, col) in self.columns.iter().enumerate() {
            if i > 0 {
                out.push(d);
            }
            match col.cell {
                Cell::Kept(c) => csv_field(out, r.row.column(c).unwrap_or_default(), d),
                Cell::Key => csv_field(out, r.key, d),
                Cell::BestProfile => {
                    if let Some(plan) = r.best.and_then(|b| self.plans.get(b)) {
                        csv_field(out, plan.profile_name().as_bytes(), d);
                    }
                }
                Cell::Score(p) => {
                    if let Some(o) = Self::outcome(local, r, p) {
                        local.shown.write(out, o.score);
                    }
                }
                Cell::Coverage(p) => {
                    if let Some(o) = Self::outcome(local, r, p) {
                        local.shown.write(out, o.coverage);
                    }
                }
                Cell::Tier(p) => match (Self::outcome(local, r, p), self.plans.get(p)) {
                    (Some(o), Some(plan)) => self.tier_field(out, p, plan, o.tier),
                    _ => out.extend_from_slice(b"invalid"),
                },
                Cell::Action(p) => {
                    if let (Some(o), Some(plan)) = (Self::outcome(local, r, p), self.plans.get(p))
                        && let Some(a) = plan.tier_action(o.tier)
                    {
                        csv_field(out, a.as_bytes(), d);
                    }
                }
                Cell::Reasons(p) => {
                    if let (true, Some(plan), Some(s)) =
                        (r.valid, self.plans.get(p), local.scratch.get(p))
                    {
                        if d == b',' {
                            // The same bytes as `csv_field` of `write_reasons`' text, in place.
                            plan.write_reasons_csv(s, out);
                        } else {
                            // Tsv: its reasons are quoted for tabs, not commas.
                            local.reasons.clear();
                            plan.write_reasons(s, &mut local.reasons);
                            csv_field(out, local.reasons.as_bytes(), d);
                        }
                    }
                }
                Cell::Error => {
                    if !local.error.is_empty() {
                        csv_field(out, local.error.as_bytes(), d);
                    }
                }
                // Not a csv column (refused when the columns are chosen).
                Cell::Explanation(_) => {}
            }
        }
        out.push(b'\n');
    }

    fn json(&self, local: &mut Local, r: &RowView<'_, '_>, out: &mut Vec<u8>) {
        if self.format == OutFormat::Json {
            out.extend_from_slice(b",\n");
        }
        out.push(b'{');
        let mut first = true;
        let mut profiles_written = false;
        for col in &self.columns {
            if col.cell.profile().is_some() && self.several() {
                // Several profiles: every per-profile column goes in one `profiles` object,
                // at the place of the first, one object per profile.
                if !profiles_written {
                    profiles_written = true;
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    self.json_profiles(local, r, out);
                }
                continue;
            }
            if matches!(col.cell, Cell::Explanation(_)) && !r.valid {
                // An invalid row has no explanation.
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            let name = if col.cell.profile().is_some() {
                col.cell.field()
            } else {
                col.name.as_str()
            };
            json_str(out, name.as_bytes());
            out.push(b':');
            self.json_value(local, r, col.cell, out);
        }
        out.push(b'}');
        if self.format == OutFormat::Jsonl {
            out.push(b'\n');
        }
    }

    /// `"profiles":{"P":{...},...}`: for each profile with a chosen column, in the order the
    /// profiles were given, its chosen columns in their order, without the `P.` prefix.
    fn json_profiles(&self, local: &mut Local, r: &RowView<'_, '_>, out: &mut Vec<u8>) {
        out.extend_from_slice(b"\"profiles\":{");
        let mut first_profile = true;
        for (p, plan) in self.plans.iter().enumerate() {
            let mut first = true;
            for col in &self.columns {
                if col.cell.profile() != Some(p) {
                    continue;
                }
                if matches!(col.cell, Cell::Explanation(_)) && !r.valid {
                    continue;
                }
                if first {
                    if !first_profile {
                        out.push(b',');
                    }
                    first_profile = false;
                    json_str(out, plan.profile_name().as_bytes());
                    out.extend_from_slice(b":{");
                } else {
                    out.push(b',');
                }
                first = false;
                json_str(out, col.cell.field().as_bytes());
                out.push(b':');
                self.json_value(local, r, col.cell, out);
            }
            if !first {
                out.push(b'}');
            }
        }
        out.push(b'}');
    }

    fn json_value(&self, local: &mut Local, r: &RowView<'_, '_>, cell: Cell, out: &mut Vec<u8>) {
        let outcome = |p: usize| Self::outcome(local, r, p).zip(self.plans.get(p));
        match cell {
            Cell::Kept(c) => json_str(out, r.row.column(c).unwrap_or_default()),
            Cell::Key => match (self.key, r.row.cell(self.key.unwrap_or(usize::MAX))) {
                (None, _) => out.extend_from_slice(r.key),
                (Some(_), Some(k)) => json_str(out, k.as_bytes()),
                (Some(_), None) => out.extend_from_slice(b"null"),
            },
            Cell::BestProfile => match r.best.and_then(|b| self.plans.get(b)) {
                Some(plan) => json_str(out, plan.profile_name().as_bytes()),
                None => out.extend_from_slice(b"null"),
            },
            Cell::Score(p) => match outcome(p) {
                Some((o, _)) => local.shown.write(out, o.score),
                None => out.extend_from_slice(b"null"),
            },
            Cell::Coverage(p) => match outcome(p) {
                Some((o, _)) => local.shown.write(out, o.coverage),
                None => out.extend_from_slice(b"null"),
            },
            Cell::Tier(p) => match outcome(p) {
                Some((o, plan)) => json_str(out, plan.tier_label(o.tier).as_bytes()),
                None => json_str(out, b"invalid"),
            },
            Cell::Action(p) => match outcome(p).and_then(|(o, plan)| plan.tier_action(o.tier)) {
                Some(a) => json_str(out, a.as_bytes()),
                None => out.extend_from_slice(b"null"),
            },
            Cell::Reasons(p) => {
                local.reasons.clear();
                if let (true, Some(plan), Some(s)) =
                    (r.valid, self.plans.get(p), local.scratch.get(p))
                {
                    plan.write_reasons(s, &mut local.reasons);
                }
                json_str(out, local.reasons.as_bytes());
            }
            Cell::Error => {
                if r.valid {
                    out.extend_from_slice(b"null");
                } else {
                    json_str(out, local.error.as_bytes());
                }
            }
            Cell::Explanation(p) => {
                let explained = self
                    .plans
                    .get(p)
                    .map(|plan| plan.explain(r.row.values))
                    .map(|e| serde_json::to_writer(&mut *out, &e));
                if !matches!(explained, Some(Ok(()))) {
                    out.extend_from_slice(b"null");
                }
            }
        }
    }

    fn table(&self, local: &mut Local, r: &RowView<'_, '_>, out: &mut Vec<u8>) {
        let mut line = String::with_capacity(128);
        let last = self.columns.len().saturating_sub(1);
        for (i, (col, &(w, right))) in self.columns.iter().zip(&self.widths).enumerate() {
            let mut text = String::new();
            let outcome = |p: usize| Self::outcome(local, r, p).zip(self.plans.get(p));
            match col.cell {
                Cell::Key => text.push_str(&clip(&String::from_utf8_lossy(r.key), w)),
                Cell::BestProfile => {
                    if let Some(plan) = r.best.and_then(|b| self.plans.get(b)) {
                        text.push_str(plan.profile_name());
                    }
                }
                Cell::Score(p) => {
                    if let Some((o, _)) = outcome(p) {
                        let _ = write!(text, "{:>w$}", num::fixed(o.score, 2));
                    }
                }
                Cell::Coverage(p) => {
                    if let Some((o, _)) = outcome(p) {
                        let _ = write!(
                            text,
                            "{:>n$}%",
                            num::fixed(o.coverage * Decimal::ONE_HUNDRED, 0),
                            n = w - 1
                        );
                    }
                }
                Cell::Tier(p) => match outcome(p) {
                    Some((o, plan)) => text.push_str(&clip(plan.tier_label(o.tier), w)),
                    None => text.push_str("invalid"),
                },
                Cell::Action(p) => {
                    if let Some(a) = outcome(p).and_then(|(o, plan)| plan.tier_action(o.tier)) {
                        text.push_str(a);
                    }
                }
                Cell::Reasons(p) => {
                    if let (true, Some(plan), Some(s)) =
                        (r.valid, self.plans.get(p), local.scratch.get(p))
                    {
                        plan.write_reasons(s, &mut text);
                    }
                }
                // Not table columns (refused when the columns are chosen).
                Cell::Kept(_) | Cell::Error | Cell::Explanation(_) => {}
            }
            if i == last {
                line.push_str(&text);
            } else {
                let text = clip(&text, w);
                if right {
                    let _ = write!(line, "{text:>w$} ");
                } else {
                    let _ = write!(line, "{text:<w$} ");
                }
            }
        }
        if !r.valid {
            // The error follows the row's (empty) cells.
            if !line.is_empty() && !line.ends_with(' ') {
                line.push(' ');
            }
            line.push_str(&local.error);
        }
        let trimmed = line.trim_end();
        out.extend_from_slice(trimmed.as_bytes());
        out.push(b'\n');
    }

    pub(super) fn header(&self, out: &mut Vec<u8>) {
        match self.format {
            OutFormat::Csv | OutFormat::Tsv => {
                let d = self.format.delimiter();
                for (i, col) in self.columns.iter().enumerate() {
                    if i > 0 {
                        out.push(d);
                    }
                    csv_field(out, col.name.as_bytes(), d);
                }
                out.push(b'\n');
            }
            OutFormat::Json => out.push(b'['),
            OutFormat::Jsonl => {}
            OutFormat::Table => {
                let mut line = String::new();
                let last = self.columns.len().saturating_sub(1);
                for (i, (col, &(w, right))) in self.columns.iter().zip(&self.widths).enumerate() {
                    let name = table_name(&col.name);
                    if i == last {
                        line.push_str(&name);
                    } else if right {
                        let _ = write!(line, "{:>w$} ", clip(&name, w));
                    } else {
                        let _ = write!(line, "{:<w$} ", clip(&name, w));
                    }
                }
                out.extend_from_slice(line.trim_end().as_bytes());
                out.push(b'\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(score: f64, tier: TierOutcome) -> Outcome {
        Outcome {
            score: num::parse(&score.to_string()).unwrap(),
            coverage: Decimal::ONE,
            tier,
        }
    }

    #[test]
    fn the_memo_writes_what_fixed2_writes() {
        // More distinct values than slots, each written twice: collisions and hits alike
        // give `fixed2`'s bytes.
        let mut memo = Fixed2Memo::new();
        let values: Vec<Decimal> = (0..400u32)
            .map(|i| {
                let x = Decimal::from(i) * Decimal::ONE_HUNDRED / Decimal::from(397u32);
                if i % 3 == 0 { -x } else { x }
            })
            .chain([
                Decimal::MAX,
                Decimal::MIN,
                num::parse("12.345").unwrap(),
                num::parse("12.3450").unwrap(),
                num::parse("0.005").unwrap(),
                num::parse("-0.001").unwrap(),
            ])
            .collect();
        for _ in 0..2 {
            for &x in &values {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                memo.write(&mut a, x);
                fixed2(&mut b, x);
                assert_eq!(a, b, "{x}");
            }
        }
    }

    #[test]
    fn the_tail_memo_writes_what_is_made_afresh() {
        // More (score, tier) pairs than slots, each written twice; texts past the 48 bytes
        // kept are written but not cached.
        let mut memo = TailMemo::new();
        let tiers = [
            TierOutcome::Tier(0),
            TierOutcome::Tier(1),
            TierOutcome::Tier(7),
            TierOutcome::Excluded,
            TierOutcome::OutOfSegment,
        ];
        let make = |o: Outcome, line: &mut Vec<u8>| {
            line.push(b',');
            fixed2(line, o.score);
            line.push(b',');
            let label = format!("{:?}", o.tier);
            line.extend_from_slice(
                label
                    .repeat(usize::from(o.score > Decimal::from(50)))
                    .as_bytes(),
            );
            line.extend_from_slice(label.as_bytes());
            line.push(b'\n');
        };
        for _ in 0..2 {
            for i in 0..400u32 {
                let x = Decimal::from(i) * Decimal::ONE_HUNDRED / Decimal::from(397u32);
                for t in tiers {
                    let o = Outcome {
                        score: x,
                        coverage: Decimal::ZERO,
                        tier: t,
                    };
                    let (mut a, mut b) = (b"key".to_vec(), b"key".to_vec());
                    memo.write(&mut a, o, |line| make(o, line));
                    make(o, &mut b);
                    assert_eq!(a, b, "{x} {t:?}");
                }
            }
        }
    }

    #[test]
    fn best_profile_skips_excluded_and_out_of_segment_and_keeps_the_first_of_a_tie() {
        let t = TierOutcome::Tier(0);
        // The highest score wins.
        assert_eq!(best_profile(&[o(40.0, t), o(60.0, t)]), Some(1));
        // A tie goes to the first given.
        assert_eq!(best_profile(&[o(50.0, t), o(50.0, t)]), Some(0));
        assert_eq!(best_profile(&[o(10.0, t), o(50.0, t), o(50.0, t)]), Some(1));
        // A higher score that is excluded or out of segment does not count.
        assert_eq!(
            best_profile(&[o(90.0, TierOutcome::Excluded), o(0.0, t)]),
            Some(1)
        );
        assert_eq!(
            best_profile(&[o(90.0, TierOutcome::OutOfSegment), o(5.0, t)]),
            Some(1)
        );
        // None eligible: no best profile.
        assert_eq!(
            best_profile(&[
                o(90.0, TierOutcome::OutOfSegment),
                o(5.0, TierOutcome::Excluded)
            ]),
            None
        );
        assert_eq!(best_profile(&[]), None);
    }
}
