//! The batched evaluator of the lean mode ([`Plan::eval_block`]): score and tier of a block
//! of rows, 64 rows at a time, as [`Plan::eval`] with [`Scratch::outcome_only`] gives them.
//!
//! [`Plan::new`] compiles the plan's targets, exclusions and criteria once into a flat list of
//! [`Op`]s (a [`Batch`]), each writing one register: over a group of at most 64 rows, a
//! three-valued truth is two bit masks, the rows where it is true and the rows where it is
//! false (unknown is neither). A leaf loops over the group's rows with one test (no dispatch
//! per row); `and`, `or` and `not` are a few word operations per group: `and` is `(t1 & t2,
//! f1 | f2)`, `or` is `(t1 | t2, f1 & f2)`, `not` swaps the two. Then per row: the points of
//! each criterion that earns some (one step per set bit), the score and the tier by the
//! row's point sum (a small cache: most rows repeat a few dozen sums), and the tier from the
//! target and exclusion masks.
//!
//! What the batch does not cover falls back, exactly: a subtree that reads only the row (no
//! let, segment or set mask) and is not one of the batch's leaves is evaluated per row by
//! [`Code::truth`] (e.g. `(marketers ?? 0) >= 1`); a plan with a condition that reads a let,
//! a `when` tier, or points that are not [`Fixed`](crate::Fixed) integers is evaluated by
//! [`Plan::eval`] row by row.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use icp_base::{CmpOp, ContainsMode, num};
use icp_model::{Decimal, Value};

use crate::code::{Code, Env, Node, NodeId, SetSplit, SetState, Tri, V, cmp_ord};
use crate::text::eq_ci;
use crate::{CriterionOutcome, Outcome, Plan, Rule, Scratch, SegPlan, TierOutcome};

/// Rows per group: one bit of a `u64` each.
const GROUP: usize = 64;

/// Deeper conditions than this are left to [`Plan::eval`] (the batch compiler recurses).
const MAX_DEPTH: u32 = 256;

/// A register: the index of the [`Op`] that writes it.
type Reg = u32;

/// Each plan's batch gets its own number, so that a [`BlockScratch`] used with another plan
/// empties its cache of scores and tiers.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One step of a [`Batch`]: writes the truth masks of its register over a group of rows.
#[derive(Debug, Clone, Copy)]
enum Op {
    /// A constant truth.
    Const(Tri),
    /// `Node::CmpFieldNum` and `Node::InRangeFieldNum`: a prepared `NumTest` of a field.
    Num {
        field: u32,
        num: u32,
    },
    /// `Node::CmpFieldEnum`.
    Enum {
        op: CmpOp,
        field: u32,
        variant: u32,
    },
    /// `Node::InEnumField`.
    InEnum {
        field: u32,
        mask: u64,
    },
    /// `Node::IsMissingField`.
    IsMissing {
        field: u32,
    },
    /// A boolean field read as a condition.
    BoolField {
        field: u32,
    },
    /// `Node::EqFieldText`.
    EqText {
        negated: bool,
        field: u32,
        text: u32,
    },
    /// `Node::InTextField`.
    InText {
        field: u32,
        list: u32,
    },
    /// `Node::SetMask`, on the masks of [`Batch::dicts`]`[dict]`; `original` decides a row
    /// whose field holds no set.
    SetMask {
        dict: u32,
        needles: u64,
        mode: ContainsMode,
        unknown: bool,
        original: NodeId,
    },
    /// Any other condition that reads only the row: [`Code::truth`] per row.
    PerRow {
        node: NodeId,
    },
    And(Reg, Reg),
    Or(Reg, Reg),
    Not(Reg),
}

/// A criterion's registers and its integer points (see [`Fixed`](crate::Fixed)).
#[derive(Debug, Clone, Copy)]
struct BatchCrit {
    perfect: Reg,
    /// The practical branch of a scorecard that has one.
    practical: Option<Reg>,
    /// Points of a true boolean criterion or a perfect scorecard.
    full: i64,
    /// Points of a practical outcome.
    practical_points: i64,
}

/// A plan compiled for [`Plan::eval_block`] (made by [`Plan::new`] when the plan allows).
#[derive(Debug)]
pub(crate) struct Batch {
    ops: Vec<Op>,
    /// The split slots (in [`Code::set_dicts`]) the `SetMask` ops read.
    dicts: Vec<u32>,
    targets: Vec<Reg>,
    excludes: Vec<Reg>,
    crits: Vec<BatchCrit>,
    /// The tiers in order: a threshold, or `None` for a catch-all.
    tiers: Vec<Option<Decimal>>,
    pos_total: Decimal,
    /// The scale of the integer points.
    scale: u32,
    id: u64,
}

/// Builds a [`Batch`]'s ops from the plan's nodes, each node once.
struct Compiler<'p> {
    code: &'p Code,
    segs: &'p [SegPlan],
    ops: Vec<Op>,
    dicts: Vec<u32>,
    done: HashMap<NodeId, Reg>,
}

impl Compiler<'_> {
    fn push(&mut self, op: Op) -> Reg {
        self.ops.push(op);
        (self.ops.len() - 1) as Reg
    }

    /// The register of node `n`'s truth; `None` when the batch cannot compute it.
    fn node(&mut self, n: NodeId, depth: u32) -> Option<Reg> {
        if let Some(r) = self.done.get(&n) {
            return Some(*r);
        }
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.code.nodes.get(n.index())?;
        let op = match *node {
            Node::Const { value: V::Bool(b) } => Op::Const(Tri::from(b)),
            // `Tri::of` of any other value.
            Node::Const { .. } => Op::Const(Tri::Unknown),
            Node::Field { field } => Op::BoolField { field: field.0 },
            Node::CmpFieldNum { field, num } | Node::InRangeFieldNum { field, range: num } => {
                Op::Num {
                    field: field.0,
                    num: num.0,
                }
            }
            Node::CmpFieldEnum { op, field, variant } => Op::Enum {
                op,
                field: field.0,
                variant,
            },
            Node::InEnumField { field, mask } => Op::InEnum {
                field: field.0,
                mask,
            },
            Node::IsMissingField { field } => Op::IsMissing { field: field.0 },
            Node::EqFieldText {
                negated,
                field,
                text,
            } => Op::EqText {
                negated,
                field: field.0,
                text: text.0,
            },
            Node::InTextField { field, list } => Op::InText {
                field: field.0,
                list: list.0,
            },
            Node::SetMask {
                split,
                original,
                needles,
                mode,
                unknown,
            } => {
                let dict = self
                    .dicts
                    .iter()
                    .position(|d| *d == split.0)
                    .unwrap_or_else(|| {
                        self.dicts.push(split.0);
                        self.dicts.len() - 1
                    });
                Op::SetMask {
                    dict: dict as u32,
                    needles,
                    mode,
                    unknown,
                    original,
                }
            }
            // A segment's value is its condition's truth (segments are evaluated before
            // anything that names them).
            Node::Seg { slot } => {
                let seg = self.segs.get(slot.index())?.node;
                let r = self.node(seg, depth + 1)?;
                self.done.insert(n, r);
                return Some(r);
            }
            Node::And { lhs, rhs } => {
                let a = self.node(lhs, depth + 1)?;
                let b = self.node(rhs, depth + 1)?;
                Op::And(a, b)
            }
            Node::Or { lhs, rhs } => {
                let a = self.node(lhs, depth + 1)?;
                let b = self.node(rhs, depth + 1)?;
                Op::Or(a, b)
            }
            Node::Not { arg } => Op::Not(self.node(arg, depth + 1)?),
            _ if row_only(self.code, n, depth) => Op::PerRow { node: n },
            _ => return None,
        };
        let r = self.push(op);
        self.done.insert(n, r);
        Some(r)
    }
}

/// Whether node `n` reads nothing but the row, so that [`Code::truth`] with an empty
/// [`Env`] gives what it gives in [`Plan::eval`]: no let, segment, score or set mask (a
/// mask reads the row's split sets) in it.
fn row_only(code: &Code, n: NodeId, depth: u32) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let Some(node) = code.nodes.get(n.index()) else {
        // `truth` of a node that does not exist is unknown, whatever the env.
        return true;
    };
    let sub = |m: NodeId| row_only(code, m, depth + 1);
    let args = |start: u32, len: u32| {
        (start..start.saturating_add(len))
            .all(|k| code.args.get(k as usize).is_none_or(|m| sub(*m)))
    };
    match *node {
        Node::Let { .. }
        | Node::Seg { .. }
        | Node::Score
        | Node::GroupScore { .. }
        | Node::CmpLetNum { .. }
        | Node::SetMask { .. } => false,
        Node::Const { .. }
        | Node::Field { .. }
        | Node::CmpFieldNum { .. }
        | Node::CmpFieldEnum { .. }
        | Node::InEnumField { .. }
        | Node::EqFieldText { .. }
        | Node::IsMissingField { .. }
        | Node::InRangeFieldNum { .. }
        | Node::InTextField { .. } => true,
        Node::Not { arg } | Node::Neg { arg } | Node::IsMissing { arg } => sub(arg),
        Node::And { lhs, rhs }
        | Node::Or { lhs, rhs }
        | Node::Cmp { lhs, rhs, .. }
        | Node::Arith { lhs, rhs, .. }
        | Node::Coalesce { lhs, rhs } => sub(lhs) && sub(rhs),
        Node::CmpNum { lhs, .. } => sub(lhs),
        Node::InRange { x, lo, hi } => sub(x) && sub(lo) && sub(hi),
        Node::InList { x, items } => sub(x) && args(items.start, items.len),
        Node::InConst { x, .. } => sub(x),
        Node::Contains { hay, needles, .. } => sub(hay) && args(needles.start, needles.len),
        Node::ContainsConst { hay, .. } => sub(hay),
    }
}

impl Batch {
    /// The batch of `plan`, or `None` when [`Plan::eval`] must score it row by row.
    pub(crate) fn new(plan: &Plan) -> Option<Batch> {
        let fixed = plan.fixed.as_ref()?;
        let tiers = plan
            .tiers
            .iter()
            .map(|t| match t.rule {
                Rule::Threshold(x) => Some(Some(x)),
                Rule::CatchAll => Some(None),
                Rule::When(_) => None,
            })
            .collect::<Option<Vec<_>>>()?;
        let mut c = Compiler {
            code: &plan.code,
            segs: &plan.segs,
            ops: Vec::new(),
            dicts: Vec::new(),
            done: HashMap::new(),
        };
        let targets = plan
            .targets
            .iter()
            .map(|t| c.node(plan.segs.get(t.index())?.node, 0))
            .collect::<Option<Vec<_>>>()?;
        let excludes = plan
            .excludes
            .iter()
            .map(|x| c.node(x.node, 0))
            .collect::<Option<Vec<_>>>()?;
        // A row's sum stays within `i64` when the largest points of every criterion do.
        let mut bound = 0i128;
        let mut crits = Vec::with_capacity(plan.crits.len());
        for (cr, (points, _)) in plan.crits.iter().zip(&fixed.points) {
            let at = |o: CriterionOutcome| points.get(o as usize).copied();
            let full = at(if cr.scorecard {
                CriterionOutcome::Perfect
            } else {
                CriterionOutcome::True
            })?;
            let practical_points = if cr.scorecard {
                at(CriterionOutcome::Practical)?
            } else {
                0
            };
            bound += i128::from(full.unsigned_abs().max(practical_points.unsigned_abs()));
            let perfect = c.node(cr.perfect, 0)?;
            let practical = match (cr.scorecard, cr.practical) {
                (true, Some(p)) => Some(c.node(p, 0)?),
                _ => None,
            };
            crits.push(BatchCrit {
                perfect,
                practical,
                full,
                practical_points,
            });
        }
        if bound > i128::from(i64::MAX) || crits.len() != plan.crits.len() {
            return None;
        }
        Some(Batch {
            ops: c.ops,
            dicts: c.dicts,
            targets,
            excludes,
            crits,
            tiers,
            pos_total: plan.pos_total,
            scale: fixed.scale,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// Size the scratch for this batch, and empty its cache if it was used with another.
    fn prepare(&self, s: &mut BlockScratch) {
        s.regs.resize(self.ops.len(), (0, 0));
        s.set_masks.resize(self.dicts.len() * GROUP, 0);
        s.set_states.resize(self.dicts.len(), (0, 0));
        if s.memo.plan != self.id || s.memo.keys.len() != Memo::SIZE {
            s.memo.keys.clear();
            s.memo.keys.resize(Memo::SIZE, Memo::EMPTY);
            s.memo.values.clear();
            s.memo.values.resize(Memo::SIZE, (Decimal::ZERO, 0));
            s.memo.plan = self.id;
        }
    }

    /// Score and tier of each of `rows` (at most [`GROUP`]), pushed to `out`.
    fn group(
        &self,
        code: &Code,
        rows: &[&[Value<'_>]],
        s: &mut BlockScratch,
        out: &mut Vec<Outcome>,
    ) {
        let n = rows.len().min(GROUP);
        let valid = if n >= GROUP {
            u64::MAX
        } else {
            (1u64 << n) - 1
        };

        // Each set field split once per row, as `eval` does.
        for (d, split) in self.dicts.iter().enumerate() {
            let (Some(dict), Some(masks), Some(state)) = (
                code.set_dicts.get(*split as usize),
                s.set_masks.get_mut(d * GROUP..(d + 1) * GROUP),
                s.set_states.get_mut(d),
            ) else {
                continue;
            };
            let (mut ready, mut missing) = (0u64, 0u64);
            let mut sp = SetSplit::default();
            for (k, (row, mask)) in rows.iter().zip(masks.iter_mut()).enumerate() {
                sp.fill(dict, row);
                *mask = sp.mask;
                ready |= u64::from(sp.state == SetState::Ready) << k;
                missing |= u64::from(sp.state == SetState::Missing) << k;
            }
            *state = (ready, missing);
        }

        for i in 0..self.ops.len() {
            let Some(op) = self.ops.get(i) else { break };
            let reg = |r: Reg| s.regs.get(r as usize).copied().unwrap_or((0, 0));
            let m = match *op {
                Op::Const(Tri::True) => (valid, 0),
                Op::Const(Tri::False) => (0, valid),
                Op::Const(Tri::Unknown) => (0, 0),
                Op::Num { field, num } => match code.nums.get(num as usize) {
                    Some(test) => leaf(rows, field, |v| match v {
                        Some(Value::Num(x)) => Tri::from(test.test(*x)),
                        _ => Tri::Unknown,
                    }),
                    None => (0, 0),
                },
                Op::Enum { op, field, variant } => leaf(rows, field, |v| match v {
                    Some(Value::Enum(e)) => Tri::from(cmp_ord(op, e.cmp(&variant))),
                    _ => Tri::Unknown,
                }),
                Op::InEnum { field, mask } => leaf(rows, field, |v| match v {
                    Some(Value::Enum(e)) => Tri::from(*e < 64 && mask >> e & 1 == 1),
                    Some(Value::Missing) | None => Tri::Unknown,
                    Some(_) => Tri::False,
                }),
                Op::IsMissing { field } => leaf(rows, field, |v| {
                    Tri::from(matches!(v, Some(Value::Missing) | None))
                }),
                Op::BoolField { field } => leaf(rows, field, |v| match v {
                    Some(Value::Bool(b)) => Tri::from(*b),
                    _ => Tri::Unknown,
                }),
                Op::EqText {
                    negated,
                    field,
                    text,
                } => {
                    let lower = code
                        .texts
                        .get(text as usize)
                        .map_or("", |(_, l)| l.as_str());
                    leaf(rows, field, |v| match v {
                        Some(Value::Text(x)) => Tri::from(eq_ci(x, lower) != negated),
                        _ => Tri::Unknown,
                    })
                }
                Op::InText { field, list } => leaf(rows, field, |v| match v {
                    Some(Value::Text(x)) => code.in_text(x, crate::code::TextListId(list)),
                    Some(Value::Missing) | None => Tri::Unknown,
                    Some(_) => Tri::False,
                }),
                Op::SetMask {
                    dict,
                    needles,
                    mode,
                    unknown,
                    original,
                } => {
                    let d = dict as usize;
                    let (ready, missing) = s.set_states.get(d).copied().unwrap_or((0, 0));
                    let masks = s
                        .set_masks
                        .get(d * GROUP..(d + 1) * GROUP)
                        .unwrap_or_default();
                    set_mask(masks, ready & valid, needles, mode, unknown).or_rows(
                        rows,
                        valid & !ready & !missing,
                        |row| code.truth(original, row, &Env::EMPTY),
                    )
                }
                Op::PerRow { node } => {
                    (0, 0).or_rows(rows, valid, |row| code.truth(node, row, &Env::EMPTY))
                }
                Op::And(a, b) => {
                    let ((t1, f1), (t2, f2)) = (reg(a), reg(b));
                    (t1 & t2, f1 | f2)
                }
                Op::Or(a, b) => {
                    let ((t1, f1), (t2, f2)) = (reg(a), reg(b));
                    (t1 | t2, f1 & f2)
                }
                Op::Not(a) => {
                    let (yes, no) = reg(a);
                    (no, yes)
                }
            };
            if let Some(slot) = s.regs.get_mut(i) {
                *slot = m;
            }
        }

        let reg = |r: Reg| s.regs.get(r as usize).copied().unwrap_or((0, 0));
        let in_segment = if self.targets.is_empty() {
            valid
        } else {
            self.targets.iter().fold(0, |m, t| m | reg(*t).0)
        };
        let excluded = self.excludes.iter().fold(0, |m, x| m | reg(*x).0);
        // Each criterion's points added to the rows that earn them: one step per set bit.
        let mut sums = [0i64; GROUP];
        for c in &self.crits {
            let perfect = reg(c.perfect).0;
            add_points(&mut sums, perfect, c.full);
            if let Some(p) = c.practical {
                add_points(&mut sums, reg(p).0 & !perfect, c.practical_points);
            }
        }
        let last = self.tiers.len().saturating_sub(1) as u32;
        for (k, sum) in sums.iter().take(n).enumerate() {
            let (score, score_tier) = s.memo.get(*sum, || {
                // As `eval` computes it from the same integer sum.
                let points = Decimal::try_from_i128_with_scale(i128::from(*sum), self.scale)
                    .unwrap_or(Decimal::ZERO);
                let score = num::ratio_score(points, self.pos_total).unwrap_or(Decimal::ZERO);
                let tier = self
                    .tiers
                    .iter()
                    .position(|t| t.is_none_or(|x| num::ge(score, x)))
                    .map_or(last, |i| i as u32);
                (score, tier)
            });
            let tier = if in_segment >> k & 1 == 0 {
                TierOutcome::OutOfSegment
            } else if excluded >> k & 1 == 1 {
                TierOutcome::Excluded
            } else {
                TierOutcome::Tier(score_tier)
            };
            out.push(Outcome {
                score,
                coverage: Decimal::ZERO,
                tier,
            });
        }
    }
}

/// The truth masks of one leaf test over the group's rows: `test` gets each row's value of
/// `field` (`None` past the row's end) and is inlined into the loop.
#[expect(
    clippy::inline_always,
    reason = "the hot path: each leaf's loop monomorphic, its test inlined"
)]
#[inline(always)]
fn leaf<'v>(
    rows: &[&'v [Value<'v>]],
    field: u32,
    test: impl Fn(Option<&'v Value<'v>>) -> Tri,
) -> (u64, u64) {
    let (mut t, mut f) = (0u64, 0u64);
    for (k, row) in rows.iter().enumerate() {
        let r = test(row.get(field as usize));
        t |= u64::from(r == Tri::True) << k;
        f |= u64::from(r == Tri::False) << k;
    }
    (t, f)
}

/// A set mask test over the rows of `ready` (the others are neither true nor false): as
/// `Code::bool_leaf`'s `SetMask` on each row's mask.
fn set_mask(
    masks: &[u64],
    ready: u64,
    needles: u64,
    mode: ContainsMode,
    unknown: bool,
) -> (u64, u64) {
    let (mut t, mut f) = (0u64, 0u64);
    for (k, mask) in masks.iter().enumerate() {
        let found = mask & needles;
        let r = match mode {
            ContainsMode::One | ContainsMode::Any if found != 0 => Tri::True,
            ContainsMode::All if found != needles => Tri::False,
            _ if unknown => Tri::Unknown,
            ContainsMode::One | ContainsMode::Any => Tri::False,
            ContainsMode::All => Tri::True,
        };
        t |= u64::from(r == Tri::True) << k;
        f |= u64::from(r == Tri::False) << k;
    }
    (t & ready, f & ready)
}

/// Truth masks completed row by row for some rows.
trait OrRows {
    /// These masks with the rows of `which` set by `truth` of each.
    fn or_rows<'v>(
        self,
        rows: &[&'v [Value<'v>]],
        which: u64,
        truth: impl Fn(&'v [Value<'v>]) -> Tri,
    ) -> (u64, u64);
}

impl OrRows for (u64, u64) {
    fn or_rows<'v>(
        self,
        rows: &[&'v [Value<'v>]],
        which: u64,
        truth: impl Fn(&'v [Value<'v>]) -> Tri,
    ) -> (u64, u64) {
        let (mut t, mut f) = self;
        let mut m = which;
        while m != 0 {
            let k = m.trailing_zeros();
            m &= m - 1;
            if let Some(row) = rows.get(k as usize) {
                match truth(row) {
                    Tri::True => t |= 1 << k,
                    Tri::False => f |= 1 << k,
                    Tri::Unknown => {}
                }
            }
        }
        (t, f)
    }
}

/// `points` added to the sum of each row of `rows`.
#[inline]
fn add_points(sums: &mut [i64; GROUP], rows: u64, points: i64) {
    if points == 0 {
        return;
    }
    let mut m = rows;
    while m != 0 {
        let k = m.trailing_zeros() as usize;
        m &= m - 1;
        if let Some(s) = sums.get_mut(k) {
            *s += points;
        }
    }
}

/// A direct-mapped cache of a row's score and the tier it reaches, by its point sum (both
/// functions of it alone, for one plan): each value is the one computed afresh.
#[derive(Debug, Clone, Default)]
struct Memo {
    keys: Vec<i64>,
    values: Vec<(Decimal, u32)>,
    /// The [`Batch::id`] the values are for (0: none).
    plan: u64,
}

impl Memo {
    const SIZE: usize = 256;
    /// No sum reaches it: every sum is at least `-i64::MAX` (see [`Batch::new`]).
    const EMPTY: i64 = i64::MIN;

    #[inline]
    fn get(&mut self, key: i64, f: impl FnOnce() -> (Decimal, u32)) -> (Decimal, u32) {
        // Fibonacci hashing: the top 8 bits index the 256 slots.
        let slot = ((key as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize;
        if let (Some(k), Some(v)) = (self.keys.get(slot), self.values.get(slot))
            && *k == key
        {
            return *v;
        }
        let v = f();
        if let (Some(k), Some(slot)) = (self.keys.get_mut(slot), self.values.get_mut(slot)) {
            *k = key;
            *slot = v;
        }
        v
    }
}

/// Per-thread buffers of [`Plan::eval_block`].
#[derive(Debug, Default, Clone)]
pub struct BlockScratch {
    /// Per op, its truth masks over the current group.
    regs: Vec<(u64, u64)>,
    /// Per set field of [`Batch::dicts`], the needles each row of the group holds.
    set_masks: Vec<u64>,
    /// Per set field: the rows where it is a set, and those where it is missing.
    set_states: Vec<(u64, u64)>,
    memo: Memo,
    /// For a plan scored row by row.
    row: Scratch,
}

impl Plan {
    /// Score and tier of each row of a block, as [`Plan::eval`] with
    /// [`Scratch::outcome_only`]`(true)` gives them: row `r` is `values[r * stride..(r + 1) *
    /// stride]` (a row as `eval` takes it; `stride` may be larger or smaller than the
    /// schema's field count: absent slots read as missing; a last row cut short by the end
    /// of `values` too; a stride of zero gives no rows). `out` is cleared, then gets one
    /// [`Outcome`] per row (coverage zero). Same bytes of score and the same tier as `eval`
    /// on every row, for every plan: rows are scored 64 at a time, condition by condition
    /// (see the `block` module), except for a plan whose conditions read lets, with `when`
    /// tiers, or whose points do not fit integers of one scale, which `eval` scores row by
    /// row ([`Plan::batched`] says which).
    pub fn eval_block(
        &self,
        values: &[Value<'_>],
        stride: usize,
        s: &mut BlockScratch,
        out: &mut Vec<Outcome>,
    ) {
        out.clear();
        if stride == 0 {
            return;
        }
        let n_rows = values.len().div_ceil(stride);
        out.reserve(n_rows);
        let row_at = |r: usize| {
            let start = r * stride;
            values
                .get(start..values.len().min(start + stride))
                .unwrap_or_default()
        };
        let Some(batch) = &self.batch else {
            s.row.outcome_only(true);
            for r in 0..n_rows {
                out.push(self.eval(row_at(r), &mut s.row));
            }
            return;
        };
        batch.prepare(s);
        let mut rows: [&[Value<'_>]; GROUP] = [&[]; GROUP];
        let mut first = 0;
        while first < n_rows {
            let n = GROUP.min(n_rows - first);
            for (k, slot) in rows.iter_mut().take(n).enumerate() {
                *slot = row_at(first + k);
            }
            batch.group(&self.code, rows.get(..n).unwrap_or_default(), s, out);
            first += n;
        }
    }

    /// Whether [`Plan::eval_block`] scores this plan's rows in groups (else row by row).
    #[doc(hidden)]
    pub fn batched(&self) -> bool {
        self.batch.is_some()
    }
}
