//! Evaluation plans: score accounts against a checked ICP profile, purely.
//!
//! A [`Plan`] compiles one profile of a checked [`Program`] into a flat arena of nodes with
//! slot indices (constants folded, text constants lowercased, list needles prepared), so
//! that [`Plan::eval`] neither allocates nor looks up a name per row. A plan is `Send +
//! Sync`; each thread keeps its own [`Scratch`].
//!
//! Semantics are LANGUAGE.md's "Semantics (the contract)": SQL's three-valued logic, points
//! per criterion, `score = 100 × Σ points / Σ positive weights` clamped to `[0, 100]`,
//! coverage, group scores and tiers tried in order.
//!
//! ```
//! use std::path::PathBuf;
//! use icp_eval::{Plan, TierOutcome};
//! use icp_model::{Date, Decimal, Value};
//!
//! let src = r#"
//! schema Account {
//!   id: text key
//!   employees: int?
//! }
//! profile size {
//!   criterion big weight 10 { employees >= 100 }
//!   tier large >= 50
//!   tier small
//! }
//! "#;
//! let loader = icp_check::MemoryLoader::new().with("/p/icp.icp", src);
//! let checked = icp_check::check(&[PathBuf::from("/p/icp.icp")], &PathBuf::from("/p"), &loader, &Default::default());
//! let (profile, _) = checked.program.profile_named("size").unwrap();
//! let plan = Plan::new(&checked.program, profile, Date::from_ymd(2027, 1, 15).unwrap()).unwrap();
//!
//! let mut scratch = plan.scratch(); // one per thread, reused for every row
//! let outcome = plan.eval(&[Value::Text("a1"), Value::Num(Decimal::from(120))], &mut scratch);
//! assert_eq!((outcome.score, outcome.tier), (Decimal::ONE_HUNDRED, TierOutcome::Tier(0)));
//! assert_eq!(plan.tier_label(outcome.tier), "large");
//!
//! let mut reasons = String::new();
//! plan.write_reasons(&scratch, &mut reasons);
//! assert_eq!(reasons, "big +10");
//!
//! // A missing value makes the criterion unknown: no points, and coverage drops.
//! let outcome = plan.eval(&[Value::Text("a2"), Value::Missing], &mut scratch);
//! assert_eq!((outcome.score, outcome.coverage), (Decimal::ZERO, Decimal::ZERO));
//! assert_eq!(plan.explain(&[Value::Text("a2"), Value::Missing]).criteria[0].unknown_fields, ["employees"]);
//! ```
//!
//! **Architecture invariant**: evaluation is total: no IO, no clock (`today` comes from the
//! plan), no panics on any row, whatever its values.

mod block;
mod code;
mod coverage;
mod explain;
mod memo;
mod testing;
mod text;

use icp_base::num;
use icp_model::{CriterionBody, Date, Decimal, ProfileId, Program, Schema, TierRule, Value};

pub use block::BlockScratch;
pub use code::Tri;
use code::{Code, Compiler, Ctx, Env, FieldSlot, NodeId, SegSlot, SetSplit, V};
pub use coverage::{Coverage, CoverageItem};
pub use explain::{
    CriterionExplanation, ExclusionExplanation, Explanation, GroupExplanation, LetExplanation,
    NextTier, Raise, SegmentExplanation, Style, Styler, TargetExplanation,
};
pub use testing::{ConstRow, TestFailure, TestReport, run_test};

/// A compiled evaluation plan for one profile (`Send + Sync`: share it between threads).
#[derive(Debug)]
pub struct Plan {
    schema: Schema,
    today: Date,
    profile: String,
    profile_title: Option<String>,
    code: Code,
    lets: Vec<LetPlan>,
    segs: Vec<SegPlan>,
    /// Target segment slots.
    targets: Vec<SegSlot>,
    /// Per target, its part of the `out_of_segment:` reason for each truth value (indexed
    /// by [`tri_index`]), e.g. `, funded_startup unknown`: made once, not per row.
    /// Each with its [`csv_class`].
    target_texts: Vec<[(String, u8); 3]>,
    excludes: Vec<ExcludePlan>,
    crits: Vec<CritPlan>,
    groups: Vec<GroupPlan>,
    tiers: Vec<TierPlan>,
    /// Σ positive weights (saturating: a sum beyond a decimal's range stays at its end).
    pos_total: Decimal,
    /// Σ |weight| (saturating).
    abs_total: Decimal,
    /// Extra conditions compiled with the profile (see [`Plan::with_probes`]).
    probes: Vec<NodeId>,
    /// The criteria's points as integers of one scale, when they all fit (see [`Fixed`]).
    fixed: Option<Fixed>,
    /// The plan compiled for [`Plan::eval_block`], when its rules allow (see `block`).
    batch: Option<block::Batch>,
}

/// The points of every criterion as `i64` mantissas of one scale (the largest scale of
/// any weight or practical points), so that a row's sums are integer additions instead
/// of decimal ones; made when every mantissa fits an `i64` at that scale and there are at
/// most 64 criteria (then no sum can leave `i128`, nor a decimal's 96 bits).
#[derive(Debug)]
struct Fixed {
    scale: u32,
    /// Per criterion, indexed by [`CriterionOutcome`] (`o as usize`): the points the
    /// outcome earns, and the weight it decides (`|weight|`, none when unknown), at `scale`.
    points: Vec<([i64; 5], [i64; 5])>,
}

impl Fixed {
    fn new(crits: &[CritPlan]) -> Option<Fixed> {
        if crits.len() > 64 {
            return None;
        }
        let scale = crits
            .iter()
            .flat_map(|c| {
                [
                    c.weight.scale(),
                    c.practical_points.scale(),
                    c.abs_weight.scale(),
                ]
            })
            .max()
            .unwrap_or(0);
        let at = |x: Decimal| -> Option<i64> {
            let p = i128::try_from(num::pow10(scale.checked_sub(x.scale())?)?).ok()?;
            i64::try_from(x.mantissa().checked_mul(p)?).ok()
        };
        let points = crits
            .iter()
            .map(|c| {
                let mut points = [0i64; 5];
                let mut decided = [0i64; 5];
                for o in CriterionOutcome::ALL {
                    let k = o as usize;
                    *points.get_mut(k)? = at(c.points(o))?;
                    if o != CriterionOutcome::Unknown {
                        *decided.get_mut(k)? = at(c.abs_weight)?;
                    }
                }
                Some((points, decided))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Fixed { scale, points })
    }
}

#[derive(Debug)]
struct LetPlan {
    name: String,
    node: NodeId,
    /// Variant names, for a let of an enum type.
    variants: Vec<String>,
}

#[derive(Debug)]
struct SegPlan {
    name: String,
    title: Option<String>,
    node: NodeId,
    fields: Vec<FieldSlot>,
}

#[derive(Debug)]
struct ExcludePlan {
    name: String,
    /// `, NAME`, for the list of unknowns.
    unknown_item: String,
    /// [`csv_class`] of `name` and of `unknown_item`.
    name_class: u8,
    unknown_class: u8,
    reason: Option<String>,
    /// [`csv_class`] of `reason`.
    reason_class: u8,
    node: NodeId,
    fields: Vec<FieldSlot>,
}

#[derive(Debug)]
struct CritPlan {
    name: String,
    title: Option<String>,
    weight: Decimal,
    /// `|weight|`, the weight a decided criterion adds to the coverage.
    abs_weight: Decimal,
    /// What a practical fit earns: `weight × practical_share` (the criterion's own share,
    /// else the profile's), exactly.
    practical_points: Decimal,
    /// The criterion's own `practical_share`, when it overrides the profile's (explain).
    own_share: Option<Decimal>,
    group: Option<u32>,
    scorecard: bool,
    perfect: NodeId,
    practical: Option<NodeId>,
    fields: Vec<FieldSlot>,
    /// The reason when the criterion earns its full weight, after the separator, e.g.
    /// `; budget +25`; the weight is a constant, so the text is made once, not per row.
    reason_full: String,
    /// The reason when the practical branch holds, e.g. `; size +10 (practical)`.
    reason_practical: String,
    /// `, NAME`, for the list of unknowns.
    unknown_item: String,
    /// [`csv_class`] of both reason texts together, of `name` and of `unknown_item`.
    reasons_class: u8,
    name_class: u8,
    unknown_class: u8,
    /// Bit `o as u8`: outcome `o` earns or costs points (`points(o) != 0`).
    earns: u8,
}

impl CritPlan {
    /// The points outcome `o` earns: the weight, the practical points or none.
    fn points(&self, o: CriterionOutcome) -> Decimal {
        match o {
            CriterionOutcome::Perfect | CriterionOutcome::True => self.weight,
            CriterionOutcome::Practical => self.practical_points,
            CriterionOutcome::False | CriterionOutcome::Unknown => Decimal::ZERO,
        }
    }
}

#[derive(Debug)]
struct GroupPlan {
    name: String,
    title: Option<String>,
    pos_weight: Decimal,
}

#[derive(Debug)]
struct TierPlan {
    name: String,
    action: Option<String>,
    rule: Rule,
}

#[derive(Debug, Clone, Copy)]
enum Rule {
    Threshold(Decimal),
    When(NodeId),
    CatchAll,
}

/// Why a plan could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// No such profile in the program.
    #[error("unknown profile `{0}`")]
    UnknownProfile(String),
    /// The profile's schema is not in the program.
    #[error("the schema of profile `{0}` is not in the program")]
    UnknownSchema(String),
}

/// How a criterion came out on one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CriterionOutcome {
    /// The perfect branch of a scorecard is true: full weight.
    Perfect,
    /// The practical branch of a scorecard is true: `weight × practical_share`.
    Practical,
    /// A boolean criterion is true: full weight.
    True,
    /// Not met: no points.
    #[default]
    False,
    /// The deciding condition is unknown: no points, not decided.
    Unknown,
}

impl CriterionOutcome {
    /// Every outcome, in the order of their discriminants.
    const ALL: [CriterionOutcome; 5] = [
        CriterionOutcome::Perfect,
        CriterionOutcome::Practical,
        CriterionOutcome::True,
        CriterionOutcome::False,
        CriterionOutcome::Unknown,
    ];

    /// As text.
    pub fn as_str(self) -> &'static str {
        match self {
            CriterionOutcome::Perfect => "perfect",
            CriterionOutcome::Practical => "practical",
            CriterionOutcome::True => "true",
            CriterionOutcome::False => "false",
            CriterionOutcome::Unknown => "unknown",
        }
    }
}

/// Per-thread reusable buffers for [`Plan::eval`]; also holds the details of the last row,
/// read by [`Plan::write_reasons`].
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    lets: Vec<V>,
    segs: Vec<V>,
    targets: Vec<Tri>,
    excludes: Vec<Tri>,
    /// Each criterion's outcome (its points follow from it: [`CritPlan::points`]).
    crits: Vec<CriterionOutcome>,
    /// Bit `i`: criterion `i` earned or cost points (`p != 0`); only with at most 64
    /// criteria (see [`Plan::masks`]), so that the reasons visit just those criteria.
    earned: u64,
    /// Bit `i`: criterion `i` is unknown (same condition).
    unknown: u64,
    group_points: Vec<Decimal>,
    group_scores: Vec<Option<Decimal>>,
    in_segment: bool,
    excluded: bool,
    score: Decimal,
    coverage: Decimal,
    score_tier: u32,
    tier: Option<TierOutcome>,
    /// The row's set fields split once (see [`SetSplit`]).
    sets: Vec<SetSplit>,
    /// Scores by the row's point sum, and coverages by its decided weight (see [`Memo`]).
    score_memo: Memo,
    coverage_memo: Memo,
    /// Set by [`Scratch::outcome_only`].
    lean: bool,
}

impl Scratch {
    /// Promise that only [`Outcome::score`] and [`Outcome::tier`] of [`Plan::eval`] are
    /// read: then the work they do not need is skipped (the coverage, which is zero in the
    /// outcome; the exclusions of a row out of the segment; the score's tier of a row out
    /// of the segment or excluded), and the details of the row ([`Plan::write_reasons`],
    /// [`Plan::criteria_outcomes`], [`Plan::exclusion_outcomes`], [`Plan::probe`]) are not
    /// to be read. Score and tier are the same as without it.
    pub fn outcome_only(&mut self, on: bool) {
        self.lean = on;
    }
}

/// The score of a row by its point sum, or its coverage by its decided weight (with a
/// plan's [`Fixed`] sums a function of that alone: see [`memo`]). The function also depends
/// on a plan's total and sums' scale: the memo is emptied when they change (a scratch used
/// with another plan). Keys: no sum of at most 64 terms of 63 bits reaches `i128::MIN`.
#[derive(Debug, Clone, Default)]
struct Memo {
    cache: memo::DirectMemo<i128, Decimal, 64>,
    /// The mantissa and scale of the total, and the scale of the sums, the values are for.
    of: (i128, u32, u32),
}

impl Memo {
    #[inline]
    fn get(
        &mut self,
        total: Decimal,
        scale: u32,
        key: i128,
        f: impl FnOnce() -> Decimal,
    ) -> Decimal {
        let of = (total.mantissa(), total.scale(), scale);
        if self.of != of {
            self.cache.clear();
            self.of = of;
        }
        self.cache.get(key, f)
    }
}

/// The result of evaluating one row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// Unrounded score, `0..=100`, exactly (28 significant digits): round it only to show
    /// it ([`num::write_fixed2`]).
    pub score: Decimal,
    /// Share of the absolute weight decided, `0..=1`, exactly.
    pub coverage: Decimal,
    /// Tier.
    pub tier: TierOutcome,
}

/// The tier of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TierOutcome {
    /// Index into the profile's tiers.
    Tier(u32),
    /// A true exclusion.
    Excluded,
    /// In none of the profile's targets.
    OutOfSegment,
}

/// The name of the implicit tier of a profile that declares none.
const NO_TIER: &str = "none";

impl Plan {
    /// Compile the plan of `profile`, with `today` for every `today` in it.
    pub fn new(program: &Program, profile: ProfileId, today: Date) -> Result<Plan, PlanError> {
        Plan::with_probes(program, profile, today, &[])
    }

    /// [`Plan::new`], with extra boolean conditions over the profile's schema compiled into
    /// the plan (a situation's goal filters, a backtest's outcome): after [`Plan::eval`] of
    /// a row, [`Plan::probe`] reads each one's truth for that row. A probe sees fields,
    /// segments and `today`, not the profile's lets or scores.
    pub fn with_probes(
        program: &Program,
        profile: ProfileId,
        today: Date,
        probes: &[&icp_model::Expr],
    ) -> Result<Plan, PlanError> {
        let p = program
            .profile(profile)
            .ok_or_else(|| PlanError::UnknownProfile(format!("#{}", profile.0)))?;
        let schema = program
            .schema(p.schema)
            .ok_or_else(|| PlanError::UnknownSchema(p.name.clone()))?
            .clone();
        let mut c = Compiler::new(program, Decimal::from(today.0));

        let mut lets = Vec::with_capacity(p.lets.len());
        for (i, l) in p.lets.iter().enumerate() {
            let mut fields = Vec::new();
            let node = c.expr(
                &l.expr,
                Ctx {
                    lets: i,
                    scores: false,
                },
                &mut fields,
            );
            dedup(&mut fields);
            c.let_fields.push(fields);
            let variants = match &l.expr.ty {
                icp_model::Ty::Enum(e) => program
                    .enum_ty(*e)
                    .map(|t| t.variants.iter().map(|v| v.name.clone()).collect())
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            lets.push(LetPlan {
                name: l.name.clone(),
                node,
                variants,
            });
        }
        let ctx = Ctx {
            lets: lets.len(),
            scores: false,
        };
        let targets: Vec<SegSlot> = p.targets.iter().filter_map(|t| c.segment(*t)).collect();
        let excludes = p
            .excludes
            .iter()
            .map(|x| {
                let mut fields = Vec::new();
                let node = c.expr(&x.cond, ctx, &mut fields);
                dedup(&mut fields);
                ExcludePlan {
                    name: x.name.clone(),
                    unknown_item: format!(", {}", x.name),
                    name_class: csv_class(&x.name),
                    unknown_class: csv_class(&format!(", {}", x.name)),
                    reason_class: x.reason.as_deref().map_or(PLAIN, csv_class),
                    reason: x.reason.clone(),
                    node,
                    fields,
                }
            })
            .collect();
        let crits: Vec<CritPlan> = p
            .criteria
            .iter()
            .map(|cr| {
                let mut fields = Vec::new();
                let (scorecard, perfect, practical) = match &cr.body {
                    CriterionBody::Bool(e) => (false, c.expr(e, ctx, &mut fields), None),
                    CriterionBody::Scorecard { perfect, practical } => {
                        let pf = c.expr(perfect, ctx, &mut fields);
                        let pr = practical.as_ref().map(|e| c.expr(e, ctx, &mut fields));
                        (true, pf, pr)
                    }
                };
                dedup(&mut fields);
                // Exactly what `write_reasons` used to format per row: the points of an
                // outcome are `weight` or `weight × practical_share`, both constants.
                let mut reason_full = format!("{SEP}{} ", cr.name);
                write_points(&mut reason_full, cr.weight);
                let practical_points = cr.weight.checked_mul(cr.share(p)).unwrap_or(Decimal::ZERO);
                let mut reason_practical = format!("{SEP}{} ", cr.name);
                write_points(&mut reason_practical, practical_points);
                reason_practical.push_str(" (practical)");
                CritPlan {
                    name: cr.name.clone(),
                    title: cr.title.clone(),
                    weight: cr.weight,
                    abs_weight: cr.weight.abs(),
                    practical_points,
                    own_share: cr.practical_share,
                    group: cr.group.map(|g| g.0),
                    scorecard,
                    perfect,
                    practical,
                    fields,
                    reasons_class: csv_class(&reason_full) | csv_class(&reason_practical),
                    name_class: csv_class(&cr.name),
                    unknown_class: csv_class(&format!(", {}", cr.name)),
                    reason_full,
                    reason_practical,
                    unknown_item: format!(", {}", cr.name),
                    earns: 0,
                }
            })
            .collect();
        let mut crits = crits;
        for c in &mut crits {
            c.earns = CriterionOutcome::ALL
                .iter()
                .filter(|o| !c.points(**o).is_zero())
                .fold(0, |m, o| m | 1 << (*o as u8));
        }
        let groups = p
            .groups
            .iter()
            .enumerate()
            .map(|(gi, g)| GroupPlan {
                name: g.name.clone(),
                title: g.title.clone(),
                pos_weight: crits
                    .iter()
                    .filter(|cr| cr.group == Some(gi as u32) && cr.weight > Decimal::ZERO)
                    .fold(Decimal::ZERO, |a, cr| a.saturating_add(cr.weight)),
            })
            .collect();
        let tier_ctx = Ctx {
            lets: lets.len(),
            scores: true,
        };
        let mut tiers: Vec<TierPlan> = p
            .tiers
            .iter()
            .map(|t| TierPlan {
                name: t.name.clone(),
                action: t.action.clone(),
                rule: match &t.rule {
                    TierRule::Threshold(x) => Rule::Threshold(*x),
                    TierRule::When(e) => Rule::When(c.expr(e, tier_ctx, &mut Vec::new())),
                    TierRule::CatchAll => Rule::CatchAll,
                },
            })
            .collect();
        if tiers.is_empty() {
            tiers.push(TierPlan {
                name: NO_TIER.into(),
                action: None,
                rule: Rule::CatchAll,
            });
        }
        let probe_ctx = Ctx {
            lets: 0,
            scores: false,
        };
        let probes = probes
            .iter()
            .map(|e| c.expr(e, probe_ctx, &mut Vec::new()))
            .collect();
        c.code.prepare_sets();
        let segs: Vec<SegPlan> = c
            .segs
            .iter()
            .enumerate()
            .map(|(slot, (id, node))| {
                let seg = program.segment(*id);
                SegPlan {
                    name: seg.map(|s| s.name.clone()).unwrap_or_default(),
                    title: seg.and_then(|s| s.title.clone()),
                    node: *node,
                    fields: c
                        .seg_fields
                        .get(&SegSlot(slot as u32))
                        .cloned()
                        .unwrap_or_default(),
                }
            })
            .collect();
        let target_texts = targets
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let name = segs.get(t.index()).map_or("", |g| g.name.as_str());
                let lead = if k == 0 { " " } else { ", " };
                [Tri::True, Tri::False, Tri::Unknown].map(|r| {
                    let text = format!("{lead}{name} {}", r.as_str());
                    let class = csv_class(&text);
                    (text, class)
                })
            })
            .collect();
        let pos_total = crits
            .iter()
            .filter(|c| c.weight > Decimal::ZERO)
            .fold(Decimal::ZERO, |a, c| a.saturating_add(c.weight));
        let abs_total = crits
            .iter()
            .fold(Decimal::ZERO, |a, c| a.saturating_add(c.abs_weight));
        let fixed = Fixed::new(&crits);
        let mut plan = Plan {
            schema,
            today,
            profile: p.name.clone(),
            profile_title: p.title.clone(),
            code: c.code,
            lets,
            segs,
            targets,
            target_texts,
            excludes,
            crits,
            groups,
            tiers,
            pos_total,
            abs_total,
            probes,
            fixed,
            batch: None,
        };
        plan.batch = block::Batch::new(&plan);
        Ok(plan)
    }

    /// The truth of probe `i` (see [`Plan::with_probes`]) for the row last given to
    /// [`Plan::eval`] with this scratch; unknown for a probe that does not exist.
    pub fn probe(&self, i: usize, row: &[Value<'_>], s: &Scratch) -> Tri {
        let Some(&node) = self.probes.get(i) else {
            return Tri::Unknown;
        };
        let env = Env {
            lets: &s.lets,
            segs: &s.segs,
            score: s.score,
            groups: &s.group_scores,
            sets: &s.sets,
        };
        self.code.truth(node, row, &env)
    }

    /// Per criterion, in declaration order, its name and how it came out on the row last
    /// given to [`Plan::eval`] with this scratch.
    pub fn criteria_outcomes<'s>(
        &'s self,
        s: &'s Scratch,
    ) -> impl Iterator<Item = (&'s str, CriterionOutcome, Decimal)> + 's {
        self.crits
            .iter()
            .zip(&s.crits)
            .map(|(c, o)| (c.name.as_str(), *o, c.points(*o)))
    }

    /// Per exclusion, in declaration order, its name and its truth on the row last given
    /// to [`Plan::eval`] with this scratch.
    pub fn exclusion_outcomes<'s>(
        &'s self,
        s: &'s Scratch,
    ) -> impl Iterator<Item = (&'s str, Tri)> + 's {
        self.excludes
            .iter()
            .zip(&s.excludes)
            .map(|(x, t)| (x.name.as_str(), *t))
    }

    /// The row layout: value slot `i` is schema field `i`.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// `today`, as given to [`Plan::new`].
    pub fn today(&self) -> Date {
        self.today
    }

    /// The profile's name.
    pub fn profile_name(&self) -> &str {
        &self.profile
    }

    /// Tier names in order.
    pub fn tier_names(&self) -> impl Iterator<Item = &str> {
        self.tiers.iter().map(|t| t.name.as_str())
    }

    /// The action text of a tier, if it has one.
    pub fn tier_action(&self, t: TierOutcome) -> Option<&str> {
        match t {
            TierOutcome::Tier(i) => self.tiers.get(i as usize).and_then(|t| t.action.as_deref()),
            _ => None,
        }
    }

    /// Label of a tier outcome: the tier's name, `excluded` or `out_of_segment`.
    pub fn tier_label(&self, t: TierOutcome) -> &str {
        match t {
            TierOutcome::Tier(i) => self
                .tiers
                .get(i as usize)
                .map_or(NO_TIER, |t| t.name.as_str()),
            TierOutcome::Excluded => "excluded",
            TierOutcome::OutOfSegment => "out_of_segment",
        }
    }

    /// Fresh per-thread buffers sized for this plan.
    pub fn scratch(&self) -> Scratch {
        let mut s = Scratch::default();
        self.size(&mut s);
        s
    }

    fn size(&self, s: &mut Scratch) {
        s.lets.resize(self.lets.len(), V::Missing);
        s.segs.resize(self.segs.len(), V::Missing);
        s.targets.resize(self.targets.len(), Tri::Unknown);
        s.excludes.resize(self.excludes.len(), Tri::Unknown);
        s.crits.resize(self.crits.len(), CriterionOutcome::Unknown);
        s.group_points.resize(self.groups.len(), Decimal::ZERO);
        s.group_scores.resize(self.groups.len(), None);
        s.sets
            .resize(self.code.set_dicts.len(), SetSplit::default());
    }

    /// Evaluate one row. Hot path: no allocation (once the scratch is sized), no name
    /// lookup. `row[i]` is the value of schema field `i`; absent slots read as missing.
    pub fn eval(&self, row: &[Value<'_>], s: &mut Scratch) -> Outcome {
        if s.lets.len() != self.lets.len()
            || s.segs.len() != self.segs.len()
            || s.crits.len() != self.crits.len()
            || s.group_points.len() != self.groups.len()
            || s.targets.len() != self.targets.len()
            || s.excludes.len() != self.excludes.len()
            || s.sets.len() != self.code.set_dicts.len()
        {
            self.size(s);
        }
        let code = &self.code;
        for (dict, split) in code.set_dicts.iter().zip(s.sets.iter_mut()) {
            split.fill(dict, row);
        }
        // Segments first: they read only fields and other segments (in slot order, each
        // after the ones it names), while a `let` may name a segment.
        for (i, g) in self.segs.iter().enumerate() {
            let env = Env {
                lets: &[],
                segs: &s.segs,
                score: Decimal::ZERO,
                groups: &[],
                sets: &s.sets,
            };
            let v = code.truth(g.node, row, &env).value();
            if let Some(slot) = s.segs.get_mut(i) {
                *slot = v;
            }
        }
        for (i, l) in self.lets.iter().enumerate() {
            let env = Env {
                lets: &s.lets,
                segs: &s.segs,
                score: Decimal::ZERO,
                groups: &[],
                sets: &s.sets,
            };
            let v = code.ev(l.node, row, &env);
            if let Some(slot) = s.lets.get_mut(i) {
                *slot = v;
            }
        }
        let env = Env {
            lets: &s.lets,
            segs: &s.segs,
            score: Decimal::ZERO,
            groups: &[],
            sets: &s.sets,
        };

        let mut in_segment = self.targets.is_empty();
        for (t, out) in self.targets.iter().zip(s.targets.iter_mut()) {
            *out = Tri::of(s.segs.get(t.index()).copied().unwrap_or(V::Missing));
            in_segment |= *out == Tri::True;
        }
        let lean = s.lean;
        let mut excluded = false;
        // Out of the segment, the tier does not depend on the exclusions.
        if !lean || in_segment {
            for (x, out) in self.excludes.iter().zip(s.excludes.iter_mut()) {
                *out = code.truth(x.node, row, &env);
                excluded |= *out == Tri::True;
            }
        }

        let grouped = !self.groups.is_empty();
        if grouped {
            s.group_points.iter_mut().for_each(|p| *p = Decimal::ZERO);
        }
        let (mut points, mut decided) = (Decimal::ZERO, Decimal::ZERO);
        // Integer sums when the plan has them (see `Fixed`): the same values exactly.
        let (mut points_m, mut decided_m) = (0i128, 0i128);
        let fixed = self.fixed.as_ref();
        let (mut earned, mut unknown) = (0u64, 0u64);
        for (i, (c, out)) in self.crits.iter().zip(s.crits.iter_mut()).enumerate() {
            let o = Self::outcome(c, code, row, &env);
            *out = o;
            // Branch-free: the bits are only read when there are at most 64 criteria.
            let bit = 1u64.wrapping_shl(i as u32);
            earned |= if c.earns >> (o as u8) & 1 == 1 {
                bit
            } else {
                0
            };
            unknown |= if o == CriterionOutcome::Unknown {
                bit
            } else {
                0
            };
            if let Some((p, d)) = fixed.and_then(|f| f.points.get(i)) {
                points_m += i128::from(p.get(o as usize).copied().unwrap_or(0));
                decided_m += i128::from(d.get(o as usize).copied().unwrap_or(0));
            } else {
                // Saturating: no sum of weights exceeds `abs_total`, which saturates itself.
                points = points.saturating_add(c.points(o));
                if o != CriterionOutcome::Unknown {
                    decided = decided.saturating_add(c.abs_weight);
                }
            }
            if grouped && let Some(gp) = c.group.and_then(|g| s.group_points.get_mut(g as usize)) {
                *gp = gp.saturating_add(c.points(o));
            }
        }
        let (score, coverage) = if let Some(f) = fixed {
            // At most 64 terms of 63 bits: always within a decimal's 96 bits. The score is
            // a function of the point sum alone, the coverage of the decided weight.
            let (pos_total, abs_total) = (self.pos_total, self.abs_total);
            let score = s.score_memo.get(pos_total, f.scale, points_m, || {
                let points = Decimal::try_from_i128_with_scale(points_m, f.scale).unwrap_or(points);
                num::ratio_score(points, pos_total).unwrap_or(Decimal::ZERO)
            });
            let coverage = if lean {
                Decimal::ZERO
            } else {
                s.coverage_memo.get(abs_total, f.scale, decided_m, || {
                    let decided =
                        Decimal::try_from_i128_with_scale(decided_m, f.scale).unwrap_or(decided);
                    num::fraction(decided, abs_total)
                })
            };
            (score, coverage)
        } else {
            (
                num::ratio_score(points, self.pos_total).unwrap_or(Decimal::ZERO),
                if lean {
                    Decimal::ZERO
                } else {
                    num::fraction(decided, self.abs_total)
                },
            )
        };
        s.earned = earned;
        s.unknown = unknown;
        for ((g, gp), gs) in self
            .groups
            .iter()
            .zip(&s.group_points)
            .zip(s.group_scores.iter_mut())
        {
            *gs = num::ratio_score(*gp, g.pos_weight);
        }

        let env = Env {
            lets: &s.lets,
            segs: &s.segs,
            score,
            groups: &s.group_scores,
            sets: &s.sets,
        };
        let last = self.tiers.len().saturating_sub(1) as u32;
        let score_tier = if lean && (!in_segment || excluded) {
            // Not the row's tier: not needed.
            last
        } else {
            self.tiers
                .iter()
                .position(|t| match t.rule {
                    Rule::Threshold(x) => num::ge(score, x),
                    Rule::When(n) => code.truth(n, row, &env) == Tri::True,
                    Rule::CatchAll => true,
                })
                .map_or(last, |i| i as u32)
        };
        let tier = if !in_segment {
            TierOutcome::OutOfSegment
        } else if excluded {
            TierOutcome::Excluded
        } else {
            TierOutcome::Tier(score_tier)
        };
        s.in_segment = in_segment;
        s.excluded = excluded;
        s.score = score;
        s.coverage = coverage;
        s.score_tier = score_tier;
        s.tier = Some(tier);
        Outcome {
            score,
            coverage,
            tier,
        }
    }

    /// How criterion `c` comes out on `row`.
    #[inline]
    fn outcome(c: &CritPlan, code: &Code, row: &[Value<'_>], env: &Env<'_>) -> CriterionOutcome {
        let perfect = code.truth(c.perfect, row, env);
        if !c.scorecard {
            return match perfect {
                Tri::True => CriterionOutcome::True,
                Tri::False => CriterionOutcome::False,
                Tri::Unknown => CriterionOutcome::Unknown,
            };
        }
        if perfect == Tri::True {
            return CriterionOutcome::Perfect;
        }
        let practical = c.practical.map_or(Tri::False, |n| code.truth(n, row, env));
        match (perfect, practical) {
            (_, Tri::True) => CriterionOutcome::Practical,
            (Tri::False, Tri::False) => CriterionOutcome::False,
            _ => CriterionOutcome::Unknown,
        }
    }

    /// Short reasons of the last [`Plan::eval`] with this scratch, appended to `out`: the
    /// segment miss or the true exclusions first, then criteria that earned or cost points,
    /// then unknowns, e.g. `excluded: no_marketer (No full-time marketer); budget +25; size
    /// +10 (practical); legacy_tool -10; unknown: recent`.
    pub fn write_reasons(&self, s: &Scratch, out: &mut String) {
        self.reasons_into(s, &mut |text: &str, _class: u8| out.push_str(text));
    }

    /// The reasons of [`Plan::write_reasons`] appended to `out` as one CSV field: the same
    /// bytes `csv_field(reasons)` would write, without the intermediate string, and with the
    /// scan for bytes that need quoting replaced by the classes of the pieces (see
    /// [`csv_class`]), computed once in [`Plan::new`] for the prebuilt ones.
    pub fn write_reasons_csv(&self, s: &Scratch, out: &mut Vec<u8>) {
        let start = out.len();
        // The opening quote goes first, on the guess that the field needs it (a list of
        // unknowns does); it is taken out again when the text turns out plain.
        out.push(b'"');
        let mut class = PLAIN;
        self.reasons_into(s, &mut |text: &str, c: u8| {
            out.extend_from_slice(text.as_bytes());
            class |= c;
        });
        // The text is the concatenation of the pieces, so it holds a byte that needs
        // quoting, or a `"`, exactly when one of the pieces does.
        if class & HAS_DQUOTE != 0 {
            let text = out.split_off(start + 1);
            for &c in &text {
                out.push(c);
                if c == b'"' {
                    out.push(b'"');
                }
            }
            out.push(b'"');
        } else if class & NEEDS_QUOTES != 0 {
            out.push(b'"');
        } else {
            out.remove(start);
        }
    }

    /// Whether [`Scratch::earned`] and [`Scratch::unknown`] cover every criterion.
    fn masks(&self) -> bool {
        self.crits.len() <= 64
    }

    /// The pieces of the reasons, in order, each with its [`csv_class`].
    fn reasons_into(&self, s: &Scratch, put: &mut impl FnMut(&str, u8)) {
        let mut first = true;
        if s.tier.is_none() {
            return;
        }
        // Items are pushed with their `; ` separator, dropped before the first one; the
        // literals below are plain.
        if !s.in_segment {
            put(lead(&mut first, "; out_of_segment:"), PLAIN);
            for (texts, r) in self.target_texts.iter().zip(&s.targets) {
                if let Some((text, class)) = texts.get(tri_index(*r)) {
                    put(text, *class);
                }
            }
        }
        for (x, r) in self.excludes.iter().zip(&s.excludes) {
            if *r == Tri::True {
                put(lead(&mut first, "; excluded: "), PLAIN);
                put(&x.name, x.name_class);
                if let Some(reason) = &x.reason {
                    put(" (", PLAIN);
                    put(reason, x.reason_class);
                    put(")", PLAIN);
                }
            }
        }
        // `p` is `weight` or, for a practical outcome, `weight × practical_share` (see
        // `eval`): the texts made by `Plan::new` from those same values.
        let mut earned = |c: &CritPlan, o: CriterionOutcome| {
            let text = if o == CriterionOutcome::Practical {
                &c.reason_practical
            } else {
                &c.reason_full
            };
            put(lead(&mut first, text), c.reasons_class);
        };
        if self.masks() {
            // Only the criteria that earned points: one step per set bit.
            let mut m = s.earned;
            while m != 0 {
                let i = m.trailing_zeros() as usize;
                m &= m - 1;
                if let (Some(c), Some(o)) = (self.crits.get(i), s.crits.get(i)) {
                    earned(c, *o);
                }
            }
        } else {
            for (c, o) in self.crits.iter().zip(&s.crits) {
                if !c.points(*o).is_zero() {
                    earned(c, *o);
                }
            }
        }
        let unknown_crits = self
            .crits
            .iter()
            .zip(&s.crits)
            .enumerate()
            .skip(if self.masks() && s.unknown == 0 {
                self.crits.len()
            } else {
                0
            })
            .filter(|(_, (_, o))| **o == CriterionOutcome::Unknown)
            .map(|(_, (c, _))| (&c.name, c.name_class, &c.unknown_item, c.unknown_class));
        let unknown_excl = self
            .excludes
            .iter()
            .zip(&s.excludes)
            .filter(|(_, r)| **r == Tri::Unknown)
            .map(|(x, _)| (&x.name, x.name_class, &x.unknown_item, x.unknown_class));
        for (k, (name, name_class, listed, listed_class)) in
            unknown_crits.chain(unknown_excl).enumerate()
        {
            if k == 0 {
                put(lead(&mut first, "; unknown: "), PLAIN);
                put(name, name_class);
            } else {
                put(listed, listed_class);
            }
        }
    }
}

/// `text` without its leading `; ` when it is the first item (then no longer first).
fn lead<'t>(first: &mut bool, text: &'t str) -> &'t str {
    if std::mem::replace(first, false) {
        text.strip_prefix(SEP).unwrap_or(text)
    } else {
        text
    }
}

/// A [`csv_class`]: no byte that makes a CSV field quoted.
const PLAIN: u8 = 0;
/// A [`csv_class`] bit: a `,`, `"`, CR or LF, so the field is quoted.
const NEEDS_QUOTES: u8 = 1;
/// A [`csv_class`] bit: a `"`, doubled inside the quotes.
const HAS_DQUOTE: u8 = 2;

/// How `text` fares as (part of) a CSV field; a concatenation's class is the `|` of its
/// parts' classes, since each bit says whether some byte occurs.
fn csv_class(text: &str) -> u8 {
    text.bytes().fold(PLAIN, |class, c| match c {
        b'"' => class | NEEDS_QUOTES | HAS_DQUOTE,
        b',' | b'\n' | b'\r' => class | NEEDS_QUOTES,
        _ => class,
    })
}

/// The index of a truth value in [`Plan::target_texts`].
fn tri_index(r: Tri) -> usize {
    match r {
        Tri::True => 0,
        Tri::False => 1,
        Tri::Unknown => 2,
    }
}

/// The separator of reasons.
const SEP: &str = "; ";

fn dedup(v: &mut Vec<FieldSlot>) {
    v.sort_unstable();
    v.dedup();
}

/// Points with a sign, as few decimals as needed (at most two): `+25`, `+7.5`, `-10`.
fn write_points(out: &mut String, p: Decimal) {
    let sign = if p.is_sign_negative() && !p.is_zero() {
        '-'
    } else {
        '+'
    };
    out.push(sign);
    write_num(out, p.abs());
}

/// A number with at most two decimals (half away from zero), trailing zeros dropped.
pub(crate) fn write_num(out: &mut String, x: Decimal) {
    num::write_short(out, x);
}

#[cfg(test)]
mod tests {
    #[test]
    fn plans_are_shared_between_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<super::Plan>();
        send_sync::<super::Scratch>();
    }

    /// A probe sees fields and segments; it is unknown on a missing value and for an index
    /// that names no probe; the criteria and exclusions of the row are listed in order.
    #[test]
    fn probes_read_the_row_after_eval() {
        use icp_model::{Date, Value};
        use std::path::PathBuf;
        let src = "schema A {\n  id: text key\n  n: int?\n  won: bool?\n}\nsegment big { n >= 10 }\nsegment closed { won }\nprofile p {\n  criterion c weight 1 { big }\n  exclude x { n > 100 }\n  tier all\n}\n";
        let loader = icp_check::MemoryLoader::new().with("/p/a.icp", src);
        let checked = icp_check::check(
            &[PathBuf::from("/p/a.icp")],
            &PathBuf::from("/p"),
            &loader,
            &icp_check::Options::default(),
        );
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        let program = &checked.program;
        let (id, _) = program.profile_named("p").unwrap();
        let closed = &program
            .segments
            .iter()
            .find(|s| s.name == "closed")
            .unwrap()
            .cond;
        let big = &program
            .segments
            .iter()
            .find(|s| s.name == "big")
            .unwrap()
            .cond;
        let plan = super::Plan::with_probes(
            program,
            id,
            Date::from_ymd(2027, 1, 1).unwrap(),
            &[closed, big],
        )
        .unwrap();
        let mut s = plan.scratch();
        let row = [
            Value::Text("a"),
            Value::Num(icp_model::Decimal::from(200)),
            Value::Bool(true),
        ];
        plan.eval(&row, &mut s);
        assert_eq!(plan.probe(0, &row, &s), super::Tri::True);
        assert_eq!(plan.probe(1, &row, &s), super::Tri::True);
        assert_eq!(plan.probe(2, &row, &s), super::Tri::Unknown);
        let crits: Vec<_> = plan.criteria_outcomes(&s).map(|c| (c.0, c.1)).collect();
        assert_eq!(crits, [("c", super::CriterionOutcome::True)]);
        let excl: Vec<_> = plan.exclusion_outcomes(&s).collect();
        assert_eq!(excl, [("x", super::Tri::True)]);
        let row = [
            Value::Text("b"),
            Value::Num(icp_model::Decimal::from(3)),
            Value::Missing,
        ];
        plan.eval(&row, &mut s);
        assert_eq!(plan.probe(0, &row, &s), super::Tri::Unknown);
        assert_eq!(plan.probe(1, &row, &s), super::Tri::False);
    }
}
