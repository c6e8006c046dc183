//! Data-aware hints: how the sample accounts named in `icp.toml` (`[lsp] sample = "..."`)
//! fare under each profile of the document: per criterion how often it is true, false or
//! unknown, per target segment how many accounts it holds, per exclusion how many it
//! excludes, per tier how many accounts land in it. At most [`MAX_ROWS`] rows are read.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use icp_check::Loader;
use icp_data::{ReadOptions, Row, RowSink, Source};
use icp_eval::{CriterionOutcome, Plan, Tri};
use icp_model::{ProfileId, Value};
use icp_syntax::Span;
use icp_syntax::ast::{Item, ProfileMember};

use crate::world::{Analysis, ENTRY};

/// The most sample rows read.
pub const MAX_ROWS: usize = 10_000;

/// Tallies of one profile over the sample.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// Rows read (valid or not).
    pub rows: u64,
    /// Rows that could not be read.
    pub invalid: u64,
    /// Per tier label (tier names, `excluded`, `out_of_segment`).
    pub tiers: HashMap<String, u64>,
    /// Per criterion: perfect, practical, true, false, unknown.
    pub criteria: HashMap<String, [u64; 5]>,
    /// Per exclusion: true, unknown.
    pub exclusions: HashMap<String, [u64; 2]>,
    /// Per target segment: in, unknown.
    pub targets: HashMap<String, [u64; 2]>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.rows += other.rows;
        self.invalid += other.invalid;
        for (k, v) in other.tiers {
            *self.tiers.entry(k).or_default() += v;
        }
        for (k, v) in other.criteria {
            let e = self.criteria.entry(k).or_default();
            for (a, b) in e.iter_mut().zip(v) {
                *a += b;
            }
        }
        for (k, v) in other.exclusions {
            let e = self.exclusions.entry(k).or_default();
            for (a, b) in e.iter_mut().zip(v) {
                *a += b;
            }
        }
        for (k, v) in other.targets {
            let e = self.targets.entry(k).or_default();
            for (a, b) in e.iter_mut().zip(v) {
                *a += b;
            }
        }
    }
}

struct Sink<'p> {
    plans: &'p [(String, Plan)],
    tallies: Mutex<Vec<Tally>>,
}

impl RowSink for Sink<'_> {
    type Local = ();
    type Stats = ();

    fn local(&self) {}

    fn row(&self, (): &mut (), (): &mut (), row: &Row<'_>, _: &mut Vec<u8>) {
        let mut local: Vec<Tally> = vec![Tally::default(); self.plans.len()];
        for ((_, plan), t) in self.plans.iter().zip(local.iter_mut()) {
            t.rows += 1;
            if row.error.is_some() {
                t.invalid += 1;
                continue;
            }
            tally_row(plan, row.values, t);
        }
        let mut all = self
            .tallies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (a, b) in all.iter_mut().zip(local) {
            a.merge(b);
        }
    }
}

fn tally_row(plan: &Plan, values: &[Value<'_>], t: &mut Tally) {
    let ex = plan.explain(values);
    *t.tiers.entry(ex.tier).or_default() += 1;
    for c in ex.criteria {
        let i = match c.outcome {
            CriterionOutcome::Perfect => 0,
            CriterionOutcome::Practical => 1,
            CriterionOutcome::True => 2,
            CriterionOutcome::False => 3,
            CriterionOutcome::Unknown => 4,
        };
        if let Some(slot) = t.criteria.entry(c.name).or_default().get_mut(i) {
            *slot += 1;
        }
    }
    for e in ex.exclusions {
        bump(t.exclusions.entry(e.name).or_default(), e.result);
    }
    for s in ex.segment.targets {
        bump(t.targets.entry(s.name).or_default(), s.result);
    }
}

fn bump(slot: &mut [u64; 2], result: Tri) {
    let [yes, unknown] = slot;
    match result {
        Tri::True => *yes += 1,
        Tri::Unknown => *unknown += 1,
        Tri::False => {}
    }
}

/// The sample's path as the user wrote it: relative to the project root when under it.
pub(crate) fn shown(a: &Analysis, path: &std::path::Path) -> String {
    path.strip_prefix(&a.root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Reads the header and the first `rows` records of the sample `text` (from `path`) as
/// `schema`'s accounts, with the document's data settings, into `sink`; errors name the
/// sample as `shown`.
pub(crate) fn read_head<S: RowSink>(
    a: &Analysis,
    path: &std::path::Path,
    shown: &str,
    text: &str,
    rows: usize,
    schema: &icp_model::Schema,
    sink: &S,
) -> Result<(), String> {
    let format = icp_data::Format::from_path(&path.display().to_string())
        .map_or(icp_data::Format::Csv, |f| f.0);
    let options = ReadOptions {
        format,
        decimal: a.config.decimal,
        ..ReadOptions::default()
    };
    let body = head(text, rows).as_bytes().to_vec();
    let source = Source::open(Box::new(std::io::Cursor::new(body)), options)
        .map_err(|e| format!("sample `{shown}`: {e}"))?;
    let (binding, _) = source
        .bind(&a.checked.program, schema)
        .map_err(|e| format!("sample `{shown}`: {e}"))?;
    source
        .run(&binding, sink, |_| Ok(()))
        .map_err(|e| format!("sample `{shown}`: {e}"))?;
    Ok(())
}

/// The first `MAX_ROWS` records of a CSV or JSON Lines text (cut at line ends).
pub(crate) fn head(text: &str, rows: usize) -> &str {
    match text.match_indices('\n').nth(rows) {
        Some((i, _)) => text.get(..=i).unwrap_or(text),
        None => text,
    }
}

fn pct(n: u64, of: u64) -> String {
    if of == 0 {
        return "0%".to_owned();
    }
    let p = 100.0 * n as f64 / of as f64;
    if p > 0.0 && p < 1.0 {
        format!("{p:.1}%")
    } else {
        format!("{}%", p.round())
    }
}

/// Tally every profile of the document over the sample, by profile name; `Err` says why the
/// sample cannot be used.
pub fn tally(a: &Analysis, loader: &dyn Loader) -> Result<Vec<(String, Tally)>, String> {
    let Some(path) = &a.config.sample else {
        return Ok(Vec::new());
    };
    let shown = shown(a, path);
    let text = loader
        .load(path)
        .map_err(|e| format!("sample `{shown}`: {e}"))?;
    let program = &a.checked.program;
    let today = a.today;
    // Profiles of this document, grouped by schema (each schema binds the file once).
    let mut by_schema: HashMap<u32, Vec<(String, Plan)>> = HashMap::new();
    for (i, p) in program.profiles.iter().enumerate() {
        if p.loc.file != ENTRY {
            continue;
        }
        if let Ok(plan) = Plan::new(program, ProfileId(i as u32), today) {
            by_schema
                .entry(p.schema.0)
                .or_default()
                .push((p.name.clone(), plan));
        }
    }
    let mut out = Vec::new();
    for (schema_id, plans) in by_schema {
        let Some(schema) = program.schemas.get(schema_id as usize) else {
            continue;
        };
        let sink = Sink {
            plans: &plans,
            tallies: Mutex::new(vec![Tally::default(); plans.len()]),
        };
        read_head(a, path, &shown, &text, MAX_ROWS, schema, &sink)?;
        let tallies = sink
            .tallies
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        out.extend(plans.into_iter().map(|(n, _)| n).zip(tallies));
    }
    out.sort_by(|x, y| x.0.cmp(&y.0));
    Ok(out)
}

/// `(span, text)` per profile, target, criterion, exclusion and tier of the analysed
/// document (empty without a sample).
pub fn figures(a: &Analysis, loader: &dyn Loader) -> Vec<(Span, String)> {
    if a.config.sample.is_none() {
        return Vec::new();
    }
    a.sample.get_or_init(|| compute(a, loader)).clone()
}

/// Whether the configured sample can be read (a sample that cannot says so in one lens at
/// the top of the document, spanning nothing: see [`compute`]).
pub fn readable(a: &Analysis, loader: &dyn Loader) -> bool {
    a.config.sample.is_some()
        && !matches!(figures(a, loader).as_slice(), [(span, _)] if span.start == 0 && span.end == 0)
}

fn compute(a: &Analysis, loader: &dyn Loader) -> Vec<(Span, String)> {
    let tallies = match tally(a, loader) {
        Ok(t) => t,
        Err(why) => return vec![(Span::new(0, 0), why)],
    };
    let Some(file) = a.file(ENTRY) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in &file.ast.items {
        let Item::Profile(p) = item else { continue };
        let Some((_, t)) = tallies.iter().find(|(n, _)| *n == p.name.name) else {
            continue;
        };
        let valid = t.rows - t.invalid;
        let mut head = format!("sample: {} accounts", t.rows);
        if t.invalid > 0 {
            let _ = write!(head, " · {} invalid", t.invalid);
        }
        for (label, name) in [
            ("out of segment", "out_of_segment"),
            ("excluded", "excluded"),
        ] {
            if let Some(n) = t.tiers.get(name) {
                let _ = write!(head, " · {n} {label}");
            }
        }
        out.push((p.span, head));
        for m in &p.members {
            match m {
                ProfileMember::Target(target) => {
                    for s in &target.segments {
                        if let Some([yes, unknown]) = t.targets.get(&s.name) {
                            let mut text =
                                format!("`{}` holds {yes} ({})", s.name, pct(*yes, valid));
                            if *unknown > 0 {
                                let _ = write!(text, " · unknown {unknown}");
                            }
                            out.push((target.span, text));
                        }
                    }
                }
                ProfileMember::Exclude(e) => {
                    if let Some([yes, unknown]) = t.exclusions.get(&e.name.name) {
                        let mut text = format!("excludes {yes} ({})", pct(*yes, valid));
                        if *unknown > 0 {
                            let _ = write!(text, " · unknown {}", pct(*unknown, valid));
                        }
                        out.push((e.span, text));
                    }
                }
                ProfileMember::Tier(tier) => {
                    let n = t.tiers.get(&tier.name.name).copied().unwrap_or(0);
                    out.push((tier.span, format!("{n} accounts ({})", pct(n, valid))));
                }
                _ => {}
            }
        }
        for c in super::criteria(p) {
            let Some([perfect, practical, yes, no, unknown]) = t.criteria.get(&c.name.name) else {
                continue;
            };
            let mut text = String::new();
            if *perfect + *practical > 0
                || matches!(c.body, icp_syntax::ast::CriterionBody::Scorecard { .. })
            {
                let _ = write!(
                    text,
                    "perfect {} · practical {}",
                    pct(*perfect, valid),
                    pct(*practical, valid)
                );
            } else {
                let _ = write!(text, "true {}", pct(*yes, valid));
            }
            let _ = write!(text, " · false {}", pct(*no, valid));
            if *unknown > 0 {
                let _ = write!(text, " · unknown {}", pct(*unknown, valid));
            }
            out.push((c.span, text));
        }
    }
    out.sort_by_key(|(s, _)| s.start);
    out
}
