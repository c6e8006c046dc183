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
//! target and exclusion masks. A numeric field is read once per group into `i64` mantissas
//! ([`NumCol`]), so that each of its tests is one unsigned comparison per row; a set field's
//! needles are found once per distinct text ([`SetCache`]); a leaf writes one byte per row,
//! packed into the masks eight rows at a time.
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

use crate::code::{Code, Env, Node, NodeId, NumTest, SetDict, SetSplit, SetState, Tri, V, cmp_ord};
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
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    /// A constant truth.
    Const(Tri),
    /// `Node::CmpFieldNum` and `Node::InRangeFieldNum`: the prepared `NumTest` `num` of a
    /// field, on its column [`Batch::num_fields`]`[col]`, with the test's bounds as `i64`s
    /// in [`Batch::bounds`]`[bounds]`.
    Num {
        field: u32,
        col: u32,
        num: u32,
        bounds: u32,
    },
    /// `Node::CmpFieldEnum`.
    Enum {
        op: CmpOp,
        field: u32,
        variant: u32,
    },
    /// `Node::CmpFieldEnum` with a variant below 64: `Enum(e)` passes when bit `e` of
    /// `mask` is set (`above` for any `e` from 64 up); any other value is unknown.
    EnumMask {
        field: u32,
        mask: u64,
        above: bool,
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
    /// `Node::EqFieldText`; `ascii`: the folded text is ASCII and trimmed (see [`eq_ascii`]).
    EqText {
        negated: bool,
        field: u32,
        text: u32,
        ascii: bool,
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
    /// The numeric fields the `Num` ops test, each read once per group into a [`NumCol`].
    num_fields: Vec<u32>,
    /// Per `Num` op's test: its bounds as `i64`s (see [`Bounds`]).
    bounds: Vec<Bounds>,
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
    num_fields: Vec<u32>,
    bounds: Vec<Bounds>,
    /// Per bounds, the first `NumTest` with them.
    bound_nums: Vec<u32>,
    dicts: Vec<u32>,
    done: HashMap<NodeId, Reg>,
}

/// The index of `x` in `v`, added if it is new.
fn intern<T: PartialEq>(v: &mut Vec<T>, x: T) -> u32 {
    if let Some(i) = v.iter().position(|y| *y == x) {
        return i as u32;
    }
    v.push(x);
    (v.len() - 1) as u32
}

impl Compiler<'_> {
    /// The register of `op`: an op equal to one compiled already (the same test of the same
    /// field, or the same logic of the same registers) is computed once.
    fn push(&mut self, op: Op) -> Reg {
        intern(&mut self.ops, op)
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
                let test = self.code.nums.get(num.index())?;
                let bounds = intern(&mut self.bounds, Bounds::of(test));
                // Equal bounds are the same test: the op of the first one serves both.
                if self.bound_nums.len() <= bounds as usize {
                    self.bound_nums.push(num.0);
                }
                Op::Num {
                    field: field.0,
                    col: intern(&mut self.num_fields, field.0),
                    num: self
                        .bound_nums
                        .get(bounds as usize)
                        .copied()
                        .unwrap_or(num.0),
                    bounds,
                }
            }
            // As a mask of the variants below 64 that pass, and the answer for every variant
            // from 64 up (all above a variant below 64): one bit test per row.
            Node::CmpFieldEnum { op, field, variant } if variant < 64 => Op::EnumMask {
                field: field.0,
                mask: (0..64u32)
                    .filter(|e| cmp_ord(op, e.cmp(&variant)))
                    .fold(0, |m, e| m | 1 << e),
                above: cmp_ord(op, std::cmp::Ordering::Greater),
            },
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
            } => {
                let lower = self.code.texts.get(text.index()).map_or("", |(_, l)| l);
                Op::EqText {
                    negated,
                    field: field.0,
                    text: text.0,
                    ascii: lower.is_ascii() && crate::text::trim(lower) == lower,
                }
            }
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
                let dict = intern(&mut self.dicts, split.0);
                Op::SetMask {
                    dict,
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
            num_fields: Vec::new(),
            bounds: Vec::new(),
            bound_nums: Vec::new(),
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
            num_fields: c.num_fields,
            bounds: c.bounds,
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
        s.cols.resize(self.num_fields.len(), NumCol::default());
        s.set_masks.resize(self.dicts.len() * GROUP, 0);
        s.set_states.resize(self.dicts.len(), (0, 0));
        if s.memo.plan != self.id {
            s.set_cache.clear();
            s.set_cache.resize(self.dicts.len(), SetCache::default());
            s.memo.cache.clear();
            s.memo.plan = self.id;
        }
    }

    /// Score and tier of each row of the group `b`, pushed to `out`.
    fn group(&self, code: &Code, b: &Rows<'_, '_>, s: &mut BlockScratch, out: &mut Vec<Outcome>) {
        let valid = low_bits(b.n);

        // Each numeric field read once, each set field split once per row (as `eval` does).
        for (field, col) in self.num_fields.iter().zip(s.cols.iter_mut()) {
            col.read(b, *field);
        }
        for (d, split) in self.dicts.iter().enumerate() {
            if let Some(dict) = code.set_dicts.get(*split as usize) {
                s.fill_sets(d, dict, b);
            }
        }

        for (i, op) in self.ops.iter().enumerate() {
            let reg = |r: Reg| s.regs.get(r as usize).copied().unwrap_or((0, 0));
            let m = match *op {
                Op::Const(Tri::True) => (valid, 0),
                Op::Const(Tri::False) => (0, valid),
                Op::Const(Tri::Unknown) => (0, 0),
                Op::Num {
                    field,
                    col,
                    num,
                    bounds,
                } => match (s.cols.get(col as usize), self.bounds.get(bounds as usize)) {
                    (Some(c), Some(bounds)) => c.test(bounds).or_rows(b, c.big, |row| {
                        match (row.get(field as usize), code.nums.get(num as usize)) {
                            (Some(Value::Num(value)), Some(test)) => Tri::from(test.test(*value)),
                            _ => Tri::Unknown,
                        }
                    }),
                    _ => (0, 0),
                },
                Op::Enum { op, field, variant } => leaf(b, field, |v| match v {
                    Some(Value::Enum(e)) => Tri::from(cmp_ord(op, e.cmp(&variant))),
                    _ => Tri::Unknown,
                }),
                Op::EnumMask { field, mask, above } => leaf(b, field, |v| match v {
                    Some(Value::Enum(e)) if *e < 64 => Tri::from(mask >> e & 1 == 1),
                    Some(Value::Enum(_)) => Tri::from(above),
                    _ => Tri::Unknown,
                }),
                Op::InEnum { field, mask } => leaf(b, field, |v| match v {
                    Some(Value::Enum(e)) => Tri::from(*e < 64 && mask >> e & 1 == 1),
                    Some(Value::Missing) | None => Tri::Unknown,
                    Some(_) => Tri::False,
                }),
                Op::IsMissing { field } => leaf(b, field, |v| {
                    Tri::from(matches!(v, Some(Value::Missing) | None))
                }),
                Op::BoolField { field } => leaf(b, field, |v| match v {
                    Some(Value::Bool(x)) => Tri::from(*x),
                    _ => Tri::Unknown,
                }),
                Op::EqText {
                    negated,
                    field,
                    text,
                    ascii,
                } => {
                    let lower = code
                        .texts
                        .get(text as usize)
                        .map_or("", |(_, l)| l.as_str());
                    if ascii {
                        leaf(b, field, |v| match v {
                            Some(Value::Text(x)) => Tri::from(eq_ascii(x, lower) != negated),
                            _ => Tri::Unknown,
                        })
                    } else {
                        leaf(b, field, |v| match v {
                            Some(Value::Text(x)) => Tri::from(eq_ci(x, lower) != negated),
                            _ => Tri::Unknown,
                        })
                    }
                }
                Op::InText { field, list } => leaf(b, field, |v| match v {
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
                        b,
                        valid & !ready & !missing,
                        |row| code.truth(original, row, &Env::EMPTY),
                    )
                }
                Op::PerRow { node } => {
                    (0, 0).or_rows(b, valid, |row| code.truth(node, row, &Env::EMPTY))
                }
                Op::And(lhs, rhs) => {
                    let ((t1, f1), (t2, f2)) = (reg(lhs), reg(rhs));
                    (t1 & t2, f1 | f2)
                }
                Op::Or(lhs, rhs) => {
                    let ((t1, f1), (t2, f2)) = (reg(lhs), reg(rhs));
                    (t1 | t2, f1 & f2)
                }
                Op::Not(x) => {
                    let (yes, no) = reg(x);
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
        let memo = &mut s.memo.cache;
        out.extend(sums.iter().take(b.n).enumerate().map(|(k, sum)| {
            let (score, score_tier) = memo.get(*sum, || {
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
            Outcome {
                score,
                coverage: Decimal::ZERO,
                tier,
            }
        }));
    }
}

/// The low `n` bits: the rows of a group of `n`.
#[inline]
fn low_bits(n: usize) -> u64 {
    if n >= GROUP {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// A group of rows of a block: `n` rows from row `first`, `stride` values each (the last
/// row of the block may be cut short by its end).
struct Rows<'a, 'v> {
    values: &'a [Value<'v>],
    stride: usize,
    first: usize,
    n: usize,
}

impl<'a, 'v> Rows<'a, 'v> {
    /// Where the values of `field` in the group's rows are: row `k`'s at `start + k *
    /// stride`, for the first `count` rows; the others lack it (a field past the stride
    /// is absent from every row, rows cut short by the block's end are the last).
    #[inline]
    fn column(&self, field: u32) -> (usize, usize) {
        let f = field as usize;
        let start = self.first * self.stride + f;
        if f >= self.stride || start >= self.values.len() {
            return (0, 0);
        }
        let count = (self.values.len() - start - 1) / self.stride + 1;
        (start, count.min(self.n))
    }

    /// Row `k` of the group, as `eval` takes it.
    fn row(&self, k: usize) -> &'a [Value<'v>] {
        let start = (self.first + k) * self.stride;
        self.values
            .get(start..self.values.len().min(start + self.stride))
            .unwrap_or_default()
    }
}

/// The truth masks of one leaf test over the group's rows: `test` gets each row's value of
/// `field` (`None` where the row lacks it) and is inlined into the loop, a function of
/// its own per test (so that its loop gets the registers).
#[inline(never)]
fn leaf<'a, 'v>(
    b: &Rows<'a, 'v>,
    field: u32,
    test: impl Fn(Option<&'a Value<'v>>) -> Tri,
) -> (u64, u64) {
    // Each row's truth as a byte, packed into masks eight rows at a time.
    let mut codes = [Tri::Unknown as u8; GROUP];
    let (mut at, present) = b.column(field);
    for code in codes.iter_mut().take(present) {
        *code = test(b.values.get(at)) as u8;
        at += b.stride;
    }
    if present < b.n {
        let absent = test(None) as u8;
        for code in codes.iter_mut().take(b.n).skip(present) {
            *code = absent;
        }
    }
    let valid = low_bits(b.n);
    let (t, f) = pack_truths(&codes);
    (t & valid, f & valid)
}

/// One bit per byte of `bytes` (`0` or `1`), from the lowest byte up: the low bit of each
/// byte of a word gathered into its top byte by one multiplication (no two partial
/// products meet there).
#[inline]
fn pack_bits(bytes: &[u8; GROUP]) -> u64 {
    bytes.chunks_exact(8).enumerate().fold(0, |m, (i, chunk)| {
        let w = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
        m | gather(w & LSB) << (8 * i)
    })
}

/// The true and the false rows of truths given as bytes (`Tri as u8`: false 0, true 1,
/// unknown 2), eight rows at a time (see [`pack_bits`]).
#[inline]
fn pack_truths(codes: &[u8; GROUP]) -> (u64, u64) {
    codes
        .chunks_exact(8)
        .enumerate()
        .fold((0, 0), |(t, f), (i, chunk)| {
            let w = <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes);
            (
                t | gather(w & LSB) << (8 * i),
                f | gather(!(w | w >> 1) & LSB) << (8 * i),
            )
        })
}

/// The low bit of each byte.
const LSB: u64 = 0x0101_0101_0101_0101;

/// The low bits of the eight bytes of `x` (its only set bits) as the eight bits of a byte.
#[inline]
fn gather(x: u64) -> u64 {
    x.wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// `eq_ci(x, lower)` for a folded, trimmed, ASCII `lower`, most texts decided by their
/// length alone. A text equal to `lower` once trimmed and folded has at least its bytes
/// (each character folds to one character, which must be one of `lower`'s bytes, and
/// trimming only removes), and exactly as many only when it is ASCII with nothing to trim:
/// then equality is an ASCII comparison. A longer text matches only if it has something to
/// trim or a character beyond ASCII (`ſ` and the Kelvin sign fold to ASCII letters).
#[inline]
fn eq_ascii(x: &str, lower: &str) -> bool {
    let b = x.as_bytes();
    // A first byte that is ASCII and visible stays first once trimmed, and folds to its
    // lowercase: most texts differ from `lower` there.
    if let (Some(&c), Some(&n)) = (b.first(), lower.as_bytes().first())
        && c.is_ascii_graphic()
        && c.to_ascii_lowercase() != n
    {
        return false;
    }
    match b.len().cmp(&lower.len()) {
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => b.eq_ignore_ascii_case(lower.as_bytes()),
        std::cmp::Ordering::Greater => {
            let plain = b.first().is_some_and(u8::is_ascii_graphic)
                && b.last().is_some_and(u8::is_ascii_graphic)
                && b.is_ascii();
            !plain && eq_ci(x, lower)
        }
    }
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
    // Per row, whether a needle is found (`one`, `any`) or all are (`all`).
    let mut hits = [0u8; GROUP];
    if mode == ContainsMode::All {
        for (h, mask) in hits.iter_mut().zip(masks) {
            *h = u8::from(mask & needles == needles);
        }
    } else {
        for (h, mask) in hits.iter_mut().zip(masks) {
            *h = u8::from(mask & needles != 0);
        }
    }
    let hit = pack_bits(&hits);
    // A missing needle leaves unknown what a miss (`one`, `any`) or a full hit (`all`)
    // would otherwise decide.
    let (t, f) = match (mode, unknown) {
        (_, false) => (hit, !hit),
        (ContainsMode::All, true) => (0, !hit),
        (ContainsMode::One | ContainsMode::Any, true) => (hit, 0),
    };
    (t & ready, f & ready)
}

/// Truth masks completed row by row for some rows.
trait OrRows {
    /// These masks with the rows of `which` set by `truth` of each row.
    fn or_rows<'a, 'v>(
        self,
        b: &Rows<'a, 'v>,
        which: u64,
        truth: impl Fn(&'a [Value<'v>]) -> Tri,
    ) -> (u64, u64);
}

impl OrRows for (u64, u64) {
    fn or_rows<'a, 'v>(
        self,
        b: &Rows<'a, 'v>,
        which: u64,
        truth: impl Fn(&'a [Value<'v>]) -> Tri,
    ) -> (u64, u64) {
        let (mut yes, mut no) = self;
        let mut rest = which;
        while rest != 0 {
            let k = rest.trailing_zeros();
            rest &= rest - 1;
            match truth(b.row(k as usize)) {
                Tri::True => yes |= 1 << k,
                Tri::False => no |= 1 << k,
                Tri::Unknown => {}
            }
        }
        (yes, no)
    }
}

/// A `NumTest`'s bounds (see `NumTest::test`): per scale, `(lo, hi)` for the mantissa, and
/// for the mantissas that fit an `i64`, the same as `(lo, hi - lo)` (`None`: no `i64`
/// passes), so that `lo <= m <= hi` is one comparison, `m - lo <= hi - lo` as unsigned
/// numbers. Equal bounds are the same test.
#[derive(Debug, Clone, PartialEq)]
struct Bounds {
    wide: Vec<(i128, i128)>,
    narrow: Vec<Option<(i64, u64)>>,
    negated: bool,
}

impl Bounds {
    fn of(test: &NumTest) -> Bounds {
        let wide: Vec<(i128, i128)> = (0..=MAX_SCALE).map_while(|s| test.bounds(s)).collect();
        let narrow = wide
            .iter()
            .map(|&(lo, hi)| {
                // An `i64` mantissa `m` has `lo <= m <= hi` exactly when it is within the
                // bounds cut to `i64`'s range, and never when they are empty or leave it.
                let lo = i64::try_from(lo.max(i128::from(i64::MIN))).ok()?;
                let hi = i64::try_from(hi.min(i128::from(i64::MAX))).ok()?;
                (lo <= hi).then(|| (lo, hi.wrapping_sub(lo) as u64))
            })
            .collect();
        Bounds {
            wide,
            narrow,
            negated: test.negated(),
        }
    }
}

/// The largest scale of a decimal.
const MAX_SCALE: usize = 28;

/// The mantissa and scale of `x` when the mantissa fits an `i64`.
#[inline]
fn mantissa64(x: &Decimal) -> Option<(i64, u8)> {
    let m = i64::try_from(x.mantissa()).ok()?;
    Some((m, x.scale() as u8))
}

/// The values of one numeric field over a group, read once for every test of the field.
#[derive(Debug, Clone)]
struct NumCol {
    /// Rows whose value is a number with a mantissa that fits an `i64` (`m`, scale `s`).
    ok: u64,
    /// Rows whose value is a number beyond that (tested by `NumTest::test`).
    big: u64,
    /// The scale of every `ok` row, when they share one.
    scale: Option<u8>,
    m: [i64; GROUP],
    s: [u8; GROUP],
}

impl Default for NumCol {
    fn default() -> NumCol {
        NumCol {
            ok: 0,
            big: 0,
            scale: None,
            m: [0; GROUP],
            s: [0; GROUP],
        }
    }
}

impl NumCol {
    /// Read `field` of the group's rows (its own function: the loop gets the registers).
    #[inline(never)]
    fn read(&mut self, b: &Rows<'_, '_>, field: u32) {
        let (mut ok, mut big) = (0u64, 0u64);
        // Bit `s`: a row has scale `s`.
        let mut scales = 0u32;
        let (mut at, present) = b.column(field);
        for k in 0..present.min(GROUP) {
            let v = b.values.get(at);
            at += b.stride;
            let Some(Value::Num(x)) = v else {
                continue;
            };
            match mantissa64(x) {
                Some((mantissa, scale)) if usize::from(scale) <= MAX_SCALE => {
                    if let (Some(m), Some(s)) = (self.m.get_mut(k), self.s.get_mut(k)) {
                        *m = mantissa;
                        *s = scale;
                    }
                    ok |= 1 << k;
                    scales |= 1 << scale;
                }
                _ => big |= 1 << k,
            }
        }
        self.ok = ok;
        self.big = big;
        self.scale = scales
            .is_power_of_two()
            .then(|| scales.trailing_zeros() as u8);
    }

    /// The truth masks of `bounds` on the `ok` rows (the others are neither).
    #[inline(never)]
    fn test(&self, bounds: &Bounds) -> (u64, u64) {
        let mut bytes = [0u8; GROUP];
        if let Some(s) = self.scale {
            // One scale: the same bounds for every row.
            if let Some(Some((lo, span))) = bounds.narrow.get(usize::from(s)).copied() {
                for (byte, m) in bytes.iter_mut().zip(&self.m) {
                    *byte = u8::from(m.wrapping_sub(lo) as u64 <= span);
                }
            }
        } else {
            for (byte, (m, s)) in bytes.iter_mut().zip(self.m.iter().zip(&self.s)) {
                if let Some(Some((lo, span))) = bounds.narrow.get(usize::from(*s)).copied() {
                    *byte = u8::from(m.wrapping_sub(lo) as u64 <= span);
                }
            }
        }
        let mut pass = pack_bits(&bytes);
        if bounds.negated {
            pass = !pass;
        }
        (pass & self.ok, !pass & self.ok)
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

impl BlockScratch {
    /// Split set field `d` (of [`Batch::dicts`], with dictionary `dict`) of the group's rows
    /// into [`BlockScratch::set_masks`] and [`BlockScratch::set_states`], as `eval` does
    /// (a function of its own: the loop gets the registers).
    #[inline(never)]
    fn fill_sets(&mut self, d: usize, dict: &SetDict, b: &Rows<'_, '_>) {
        let (Some(masks), Some(state)) = (
            self.set_masks.get_mut(d * GROUP..(d + 1) * GROUP),
            self.set_states.get_mut(d),
        ) else {
            return;
        };
        let valid = low_bits(b.n);
        // The cache only while it pays (most texts seen again), else each text is split.
        let mut cache = self.set_cache.get_mut(d);
        if cache.as_deref_mut().is_some_and(|c| !c.on(b.n)) {
            cache = None;
        }
        let (mut ready, mut missing) = (0u64, 0u64);
        let mut sp = SetSplit::default();
        let (mut at, present) = b.column(dict.field.0);
        for (k, mask) in masks.iter_mut().enumerate().take(present) {
            let v = b.values.get(at);
            at += b.stride;
            if let (Some(Value::Set(set)), Some(cache)) = (v, cache.as_deref_mut()) {
                // A set's items found once per distinct text (most rows repeat a few).
                *mask = cache.mask(set.raw, || {
                    sp.fill_value(dict, v);
                    sp.mask
                });
                ready |= 1 << k;
                continue;
            }
            sp.fill_value(dict, v);
            *mask = sp.mask;
            ready |= u64::from(sp.state == SetState::Ready) << k;
            missing |= u64::from(sp.state == SetState::Missing) << k;
        }
        // An absent field is missing.
        *state = (ready, missing | (valid & !low_bits(present)));
    }
}

/// A row's score and the tier it reaches, by its point sum (both functions of it alone,
/// for one plan; see [`crate::memo`]). Keys: every sum is at least `-i64::MAX` (see
/// [`Batch::new`]), so none is `i64::MIN`, the empty slot.
#[derive(Debug, Clone, Default)]
struct Memo {
    cache: crate::memo::DirectMemo<i64, (Decimal, u32), 256>,
    /// The [`Batch::id`] the values are for (0: none).
    plan: u64,
}

/// The needles of one set field found in recent set texts: a direct-mapped cache by the
/// text's hash, each entry holding the text itself (up to [`SetCache::INLINE`] bytes, in
/// the slot), so that a hit is exactly the mask `SetSplit::fill` gives that text (it
/// depends on nothing else, for one plan).
///
/// Technology lists repeat, but not among a few hundred: 9,295 distinct lists in 200,000
/// rows of ../shared/perf, of which the 4,096 most common cover 96% of the rows. So the
/// cache has 4,096 slots (256 KiB per set field and thread). A miss costs more than
/// splitting the text (a hash, a comparison, a copy): where texts seldom repeat, the cache
/// turns itself off for a while, and tries again later.
#[derive(Debug, Clone, Default)]
struct SetCache {
    /// [`SetCache::SIZE`] slots once used (empty until then).
    slots: Vec<CachedSet>,
    /// Look-ups and hits since the last verdict.
    tries: u32,
    hits: u32,
    /// Rows to go without the cache.
    off: u32,
}

/// A slot of [`SetCache`]: the hash of a text, its mask, its length (above
/// [`SetCache::INLINE`]: empty slot) and its bytes.
#[derive(Debug, Clone, Copy)]
struct CachedSet {
    hash: u64,
    mask: u64,
    len: u32,
    text: [u8; SetCache::INLINE],
}

impl CachedSet {
    const EMPTY: CachedSet = CachedSet {
        hash: 0,
        mask: 0,
        len: u32::MAX,
        text: [0; SetCache::INLINE],
    };
}

impl SetCache {
    const SIZE: usize = 4096;
    /// The longest text a slot holds (a slot is 64 bytes); longer ones are split each time.
    const INLINE: usize = 44;
    /// Look-ups between verdicts, and rows without the cache after a poor one.
    const TRIAL: u32 = 1024;
    const PAUSE: u32 = 16 * 1024;

    /// Whether to use the cache for the next `rows` rows.
    #[inline]
    fn on(&mut self, rows: usize) -> bool {
        if self.off == 0 {
            return true;
        }
        self.off = self
            .off
            .saturating_sub(u32::try_from(rows).unwrap_or(u32::MAX));
        false
    }

    /// Counts a look-up; after [`SetCache::TRIAL`] of them, pauses the cache when fewer
    /// than half were hits.
    #[inline]
    fn count(&mut self, hit: bool) {
        self.tries += 1;
        self.hits += u32::from(hit);
        if self.tries >= SetCache::TRIAL {
            if self.hits * 2 < self.tries {
                self.off = SetCache::PAUSE;
            }
            self.tries = 0;
            self.hits = 0;
        }
    }

    #[inline]
    fn mask(&mut self, raw: &str, fill: impl FnOnce() -> u64) -> u64 {
        let bytes = raw.as_bytes();
        if bytes.len() > SetCache::INLINE {
            return fill();
        }
        if self.slots.len() != SetCache::SIZE {
            self.slots.resize(SetCache::SIZE, CachedSet::EMPTY);
        }
        let h = text_hash(bytes);
        // The top 12 bits pick a pair of slots (two ways: the text seen last in the pair,
        // then the one before it).
        let i = (h >> 52) as usize & !1;
        let Some([recent, older]) = self.slots.get_mut(i..i + 2) else {
            return fill();
        };
        let hit = [&*recent, &*older]
            .into_iter()
            .find(|s| s.hash == h && s.text.get(..s.len as usize) == Some(bytes))
            .map(|s| s.mask);
        if let Some(mask) = hit {
            self.count(true);
            return mask;
        }
        let mask = fill();
        *older = *recent;
        if let Some(text) = recent.text.get_mut(..bytes.len()) {
            text.copy_from_slice(bytes);
            recent.hash = h;
            recent.mask = mask;
            recent.len = bytes.len() as u32;
        }
        self.count(false);
        mask
    }
}

/// A hash of `b` for [`SetCache`]'s slot: its first, middle and last eight bytes (fewer,
/// zero-padded, for a short text) and its length, each word multiplied on its own (no chain
/// of multiplications through the text, which the slot's load waited for). Texts that share
/// those bytes and their length share a pair of slots; the comparison keeps hits exact.
#[inline]
fn text_hash(b: &[u8]) -> u64 {
    let n = b.len();
    let word = |at: usize| {
        b.get(at..at + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
            .map_or(0, u64::from_le_bytes)
    };
    let (first, middle, last) = if n >= 8 {
        (word(0), word(n / 2 - 4), word(n - 8))
    } else {
        let mut w = [0u8; 8];
        for (slot, c) in w.iter_mut().zip(b) {
            *slot = *c;
        }
        (u64::from_le_bytes(w), 0, 0)
    };
    let h = (first ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ middle.wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
        ^ last.wrapping_mul(0x1656_67b1_9e37_79f9);
    h ^ h >> 29
}

/// Per-thread buffers of [`Plan::eval_block`].
#[derive(Debug, Default, Clone)]
pub struct BlockScratch {
    /// Per op, its truth masks over the current group.
    regs: Vec<(u64, u64)>,
    /// Per numeric field of [`Batch::num_fields`], its values over the current group.
    cols: Vec<NumCol>,
    /// Per set field of [`Batch::dicts`], the needles each row of the group holds.
    set_masks: Vec<u64>,
    /// Per set field: the rows where it is a set, and those where it is missing.
    set_states: Vec<(u64, u64)>,
    /// Per set field, the needles found in the texts seen last.
    set_cache: Vec<SetCache>,
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
        let mut first = 0;
        while first < n_rows {
            let n = GROUP.min(n_rows - first);
            let rows = Rows {
                values,
                stride,
                first,
                n,
            };
            batch.group(&self.code, &rows, s, out);
            first += n;
        }
    }

    /// Whether [`Plan::eval_block`] scores this plan's rows in groups (else row by row).
    #[doc(hidden)]
    pub fn batched(&self) -> bool {
        self.batch.is_some()
    }
}
