//! Compiled expressions: a flat arena of nodes with slot indices, evaluated without
//! allocation or name lookup.

use std::collections::HashMap;

use icp_base::{CmpOp, ContainsMode};
use icp_model::{ArithOp, Const, Decimal, Expr, ExprKind, LetId, Program, SegmentId, Ty, Value};
use wide::u8x16;

use icp_base::fold::{fold, fold_chars};

use crate::text::{cmp_ci, contains_ci, eq_ci, trim};

/// An id in one of the plan's tables: a `u32` index that says which table it indexes.
macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) struct $name(pub u32);

        impl $name {
            /// The index as a `usize`, for `get`.
            #[inline]
            pub(crate) fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A node of [`Code::nodes`].
    NodeId
);
id!(
    /// A field of the row: the schema field's index (`FieldId`), its slot in the row.
    FieldSlot
);
id!(
    /// A text constant of [`Code::texts`].
    TextId
);
id!(
    /// A constant list of [`Code::lists`].
    ListId
);
id!(
    /// A text list of [`Code::text_lists`].
    TextListId
);
id!(
    /// A let's slot in [`Env::lets`] (its `LetId`).
    LetSlot
);
id!(
    /// A segment's slot in [`Env::segs`] (in evaluation order, not its `SegmentId`).
    SegSlot
);
id!(
    /// A scoring group's slot in [`Env::groups`] (its `GroupId`).
    GroupSlot
);
id!(
    /// A prepared test of a number of [`Code::nums`].
    NumId
);
id!(
    /// A set field split once per row: its slot in [`Env::sets`] and [`Code::set_dicts`].
    SplitSlot
);

/// The operands of a node that takes any number of them: `Code::args[start..start + len]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ArgRange {
    pub start: u32,
    pub len: u32,
}

/// Where a text or set value lives: a field of the row or a text constant of the plan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Src {
    /// Field slot of the row.
    Field(FieldSlot),
    /// A text constant.
    Const(TextId),
}

/// A value during evaluation; booleans that are unknown are `Missing`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum V {
    Missing,
    Bool(bool),
    Num(Decimal),
    Enum(u32),
    Text(Src),
    Set(Src),
}

impl V {
    fn is_missing(self) -> bool {
        matches!(self, V::Missing)
    }
    fn as_num(self) -> Option<Decimal> {
        match self {
            V::Num(x) => Some(x),
            _ => None,
        }
    }
}

/// Three-valued truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tri {
    /// False.
    #[default]
    False,
    /// True.
    True,
    /// Unknown (a missing operand).
    Unknown,
}

impl Tri {
    pub(crate) fn of(v: V) -> Tri {
        match v {
            V::Bool(true) => Tri::True,
            V::Bool(false) => Tri::False,
            _ => Tri::Unknown,
        }
    }
    /// As an evaluation value (unknown is missing).
    pub(crate) fn value(self) -> V {
        match self {
            Tri::True => V::Bool(true),
            Tri::False => V::Bool(false),
            Tri::Unknown => V::Missing,
        }
    }
    /// As text: `true`, `false` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tri::True => "true",
            Tri::False => "false",
            Tri::Unknown => "unknown",
        }
    }
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

/// A prepared needle or list item.
#[derive(Clone, Debug)]
pub(crate) enum Item {
    Num(Decimal),
    /// Text constant (compared by its folded form, see [`icp_base::fold`]).
    Text(TextId),
    /// An enum variant, with the strings it reads (for sets of enums).
    Enum(u32, Vec<String>),
    Bool(bool),
    Missing,
}

/// One node of the arena.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Const {
        value: V,
    },
    Field {
        field: FieldSlot,
    },
    Let {
        slot: LetSlot,
    },
    Seg {
        slot: SegSlot,
    },
    Score,
    GroupScore {
        group: GroupSlot,
    },
    Not {
        arg: NodeId,
    },
    Neg {
        arg: NodeId,
    },
    And {
        lhs: NodeId,
        rhs: NodeId,
    },
    Or {
        lhs: NodeId,
        rhs: NodeId,
    },
    Cmp {
        op: CmpOp,
        lhs: NodeId,
        rhs: NodeId,
    },
    /// `field OP number` (the commonest criterion shape).
    CmpFieldNum {
        field: FieldSlot,
        /// The comparison with its constant.
        num: NumId,
    },
    /// `x OP number` for any other numeric `x` (e.g. `(marketers ?? 0) >= 1`).
    CmpNum {
        lhs: NodeId,
        num: NumId,
    },
    /// `let OP number`.
    CmpLetNum {
        slot: LetSlot,
        num: NumId,
    },
    /// `field OP enum-variant` (e.g. `funding == public`).
    CmpFieldEnum {
        op: CmpOp,
        field: FieldSlot,
        /// The variant's index in its enum type.
        variant: u32,
    },
    /// `field in [variants]` with only enum variants below 64.
    InEnumField {
        field: FieldSlot,
        /// Bit `k`: variant `k` is in the list.
        mask: u64,
    },
    /// `field == "text"` (`negated`: `!=`).
    EqFieldText {
        negated: bool,
        field: FieldSlot,
        text: TextId,
    },
    /// `field is missing`.
    IsMissingField {
        field: FieldSlot,
    },
    Arith {
        op: ArithOp,
        lhs: NodeId,
        rhs: NodeId,
    },
    Coalesce {
        lhs: NodeId,
        rhs: NodeId,
    },
    InRange {
        x: NodeId,
        lo: NodeId,
        hi: NodeId,
    },
    /// `field in lo..hi` with constant bounds ([`Code::nums`]).
    InRangeFieldNum {
        field: FieldSlot,
        range: NumId,
    },
    /// `x in [..]` with arbitrary items.
    InList {
        x: NodeId,
        items: ArgRange,
    },
    /// `x in [..]` with constant items.
    InConst {
        x: NodeId,
        list: ListId,
    },
    /// `hay contains ..` (`set`: a set, else text) with arbitrary needles.
    Contains {
        hay: NodeId,
        mode: ContainsMode,
        set: bool,
        needles: ArgRange,
    },
    /// `hay contains ..` (`set`: a set, else text) with constant needles.
    ContainsConst {
        hay: NodeId,
        mode: ContainsMode,
        set: bool,
        list: ListId,
    },
    IsMissing {
        arg: NodeId,
    },
    /// `set-field contains ..` with text needles, as a mask test on the row's
    /// [`SetSplit`] in `split`; `original` is the `ContainsConst` node (the general path).
    SetMask {
        split: SplitSlot,
        original: NodeId,
        /// The needles' bits in the field's [`SetDict`].
        needles: u64,
        mode: ContainsMode,
        /// Whether a needle is missing.
        unknown: bool,
    },
    /// `text-field in [texts]` (no item is missing: such a list is unknown, see `expr`).
    InTextField {
        field: FieldSlot,
        list: TextListId,
    },
}

// The arena stays as compact as with tuple variants and bare `u32`s: three words a node.
const _: () = assert!(size_of::<Node>() <= 24);

/// Run-time slots an expression may read besides the row.
pub(crate) struct Env<'s> {
    pub lets: &'s [V],
    pub segs: &'s [V],
    pub score: Decimal,
    pub groups: &'s [Option<Decimal>],
    /// Set fields of this row already split into items (see [`SetSplit`]).
    pub sets: &'s [SetSplit],
}

impl Env<'_> {
    pub(crate) const EMPTY: Env<'static> = Env {
        lets: &[],
        segs: &[],
        score: Decimal::ZERO,
        groups: &[],
        sets: &[],
    };
}

/// What [`SetSplit::fill`] found in a set field of the current row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum SetState {
    /// The field is missing: every `contains` on it is unknown.
    Missing,
    /// [`SetSplit::mask`] holds the needles found.
    Ready,
    /// Not a set in this row: the general path decides.
    #[default]
    Other,
}

/// One set field of the current row matched once against every constant needle the
/// profile's `contains` rules look for in it (see [`SetDict`]), so that each rule is a
/// mask test instead of a split of the cell and a string comparison per needle.
#[derive(Clone, Debug, Default)]
pub(crate) struct SetSplit {
    pub state: SetState,
    /// Bit `k`: needle `k` of the field's [`SetDict`] is an item of the set.
    pub mask: u64,
}

/// The constant text needles of every `set contains` on one field (at most 64).
#[derive(Clone, Debug, Default)]
pub(crate) struct SetDict {
    pub field: FieldSlot,
    /// Trimmed, folded needles (set items compare ignoring case, see [`icp_base::fold`]).
    pub needles: Vec<String>,
    /// Per needle, its length and [`prefix`].
    pub keys: Vec<(usize, u64)>,
    /// By byte length: the bits of the needles of that length.
    pub by_len: Vec<u64>,
}

impl SetDict {
    /// The index of needle `t` (trimmed and folded), added if it is new; `None` when the
    /// dictionary already holds 64 needles.
    pub(crate) fn add(&mut self, t: String) -> Option<usize> {
        if let Some(k) = self.needles.iter().position(|d| *d == t) {
            return Some(k);
        }
        if self.needles.len() >= 64 {
            return None;
        }
        if self.by_len.len() <= t.len() {
            self.by_len.resize(t.len() + 1, 0);
        }
        if let Some(m) = self.by_len.get_mut(t.len()) {
            *m |= 1 << self.needles.len();
        }
        self.keys.push((t.len(), prefix(t.as_bytes())));
        self.needles.push(t);
        Some(self.needles.len() - 1)
    }
}

/// The first eight bytes of `b` (zero-padded) as one word, to compare at once.
#[inline]
fn prefix(b: &[u8]) -> u64 {
    if let Some(Ok(w)) = b.get(..8).map(<[u8; 8]>::try_from) {
        return u64::from_le_bytes(w);
    }
    let mut w = [0u8; 8];
    for (slot, c) in w.iter_mut().zip(b) {
        *slot = *c;
    }
    u64::from_le_bytes(w)
}

impl SetSplit {
    /// Match field `dict.field` of `row` against the dictionary (no allocation). The items
    /// are exactly those `set_items` splits off: the trimmed parts between separators,
    /// empty ones skipped. An ASCII item is compared by its ASCII lowercase (its folding)
    /// with the folded needles; any other item is trimmed and folded in full.
    pub(crate) fn fill(&mut self, dict: &SetDict, row: &[Value<'_>]) {
        self.fill_value(dict, row.get(dict.field.index()));
    }

    /// [`SetSplit::fill`] from the value of field `dict.field` (`None`: absent).
    #[inline]
    pub(crate) fn fill_value(&mut self, dict: &SetDict, value: Option<&Value<'_>>) {
        self.mask = 0;
        let set = match value {
            Some(Value::Set(set)) => set,
            Some(Value::Missing) | None => {
                self.state = SetState::Missing;
                return;
            }
            Some(_) => {
                self.state = SetState::Other;
                return;
            }
        };
        let bytes = set.raw.as_bytes();
        if let Some(mask) = ascii_matches(bytes, dict) {
            self.mask = mask;
            self.state = SetState::Ready;
            return;
        }
        let mut mask = 0u64;
        let mut start = 0;
        while start <= bytes.len() {
            let rest = bytes.get(start..).unwrap_or_default();
            let (len, non_ascii) = next_item(rest);
            let x = rest.get(..len).unwrap_or_default().trim_ascii();
            if non_ascii {
                // Separators are ASCII, so the item is a `str` of its own.
                let item = set.raw.get(start..start + len).map_or("", trim);
                mask |= fold_matches(item, dict);
                start += len + 1;
                continue;
            }
            start += len + 1;
            if x.is_empty() {
                continue;
            }
            // Only needles of the item's length, and their first eight bytes first: most
            // items match no needle.
            let mut candidates = dict.by_len.get(x.len()).copied().unwrap_or(0);
            if candidates == 0 {
                continue;
            }
            let key = (x.len(), lower_word(prefix(x)));
            while candidates != 0 {
                let k = candidates.trailing_zeros();
                candidates &= candidates - 1;
                if let (Some(n), Some(nkey)) =
                    (dict.needles.get(k as usize), dict.keys.get(k as usize))
                    && *nkey == key
                    && (x.len() <= 8 || eq_lower_rest(n.as_bytes(), x))
                {
                    mask |= 1 << k;
                }
            }
        }
        self.mask = mask;
        self.state = SetState::Ready;
    }
}

/// [`SetSplit::fill`]'s mask for an ASCII set, `None` when a byte is not ASCII: sixteen
/// bytes at a time, the separators found as a bit mask (`wide`'s SSE2 compares on x86-64)
/// and the high bits as another (any set: not ASCII), then each item between separators
/// trimmed and matched as in `fill`.
#[inline]
fn ascii_matches(bytes: &[u8], dict: &SetDict) -> Option<u64> {
    let [semi, bar, comma, unit] = [b';', b'|', b',', 0x1f].map(u8x16::splat);
    let n = bytes.len();
    let mut mask = 0u64;
    let mut start = 0;
    let mut base = 0;
    while base < n {
        // The sixteen bytes at `base`, of which the first `skip` were seen: the last window
        // overlaps the one before it; a text shorter than a window is padded with zeros
        // (neither a separator nor above ASCII).
        let (chunk, skip) = match bytes.get(base..base + 16).map(<[u8; 16]>::try_from) {
            Some(Ok(c)) => (c, 0),
            _ => {
                if let Some(b) = n.checked_sub(16) {
                    let c = bytes.get(b..).map(<[u8; 16]>::try_from);
                    let skip = base - b;
                    base = b;
                    (c.and_then(Result::ok).unwrap_or([0; 16]), skip)
                } else {
                    let mut c = [0u8; 16];
                    if let Some(head) = c.get_mut(..n) {
                        head.copy_from_slice(bytes);
                    }
                    (c, 0)
                }
            }
        };
        let v = u8x16::from(chunk);
        if v.to_bitmask() != 0 {
            return None;
        }
        // `skip` is below 16.
        let mut seps = ((v.simd_eq(semi) | v.simd_eq(bar)) | (v.simd_eq(comma) | v.simd_eq(unit)))
            .to_bitmask()
            & (u32::MAX << skip);
        while seps != 0 {
            let at = base + seps.trailing_zeros() as usize;
            seps &= seps - 1;
            mask |= item_matches(bytes, start, at, dict);
            start = at + 1;
        }
        base += 16;
    }
    mask |= item_matches(bytes, start, n, dict);
    Some(mask)
}

/// The bits of the needles of `dict` that the ASCII item `bytes[start..end]` (untrimmed)
/// equals once trimmed and lowercased: only needles of its length, their first eight bytes
/// first (read from `bytes` as one word where eight bytes follow the item's start).
#[expect(
    clippy::inline_always,
    reason = "the hot path: once per set item, as if written in the loop"
)]
#[inline(always)]
fn item_matches(bytes: &[u8], start: usize, end: usize, dict: &SetDict) -> u64 {
    let item = bytes.get(start..end).unwrap_or_default();
    // ASCII whitespace is at most `b' '`: most items have none to trim.
    let (x, at) = match (item.first(), item.last()) {
        (Some(f), Some(l)) if *f > b' ' && *l > b' ' => (item, start),
        _ => {
            let head = item.trim_ascii_start();
            (head.trim_ascii_end(), start + item.len() - head.len())
        }
    };
    let mut candidates = dict.by_len.get(x.len()).copied().unwrap_or(0);
    if candidates == 0 || x.is_empty() {
        return 0;
    }
    let first = match bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
        Some(Ok(w)) if x.len() < 8 => u64::from_le_bytes(w) & ((1u64 << (8 * x.len())) - 1),
        Some(Ok(w)) => u64::from_le_bytes(w),
        _ => prefix(x),
    };
    let key = (x.len(), lower_word(first));
    let mut mask = 0;
    while candidates != 0 {
        let k = candidates.trailing_zeros();
        candidates &= candidates - 1;
        if let (Some(n), Some(nkey)) = (dict.needles.get(k as usize), dict.keys.get(k as usize))
            && *nkey == key
            && (x.len() <= 8 || eq_lower_rest(n.as_bytes(), x))
        {
            mask |= 1 << k;
        }
    }
    mask
}

/// The bits of the needles of `dict` that the trimmed item `item` equals once folded.
#[inline(never)]
fn fold_matches(item: &str, dict: &SetDict) -> u64 {
    if item.is_empty() {
        return 0;
    }
    dict.needles
        .iter()
        .enumerate()
        .filter(|(_, n)| fold_chars(item).eq(n.chars()))
        .fold(0, |m, (k, _)| m | 1 << k)
}

/// Whether the ASCII bytes `x`, lowercased, are `lower` (a folded needle of the same
/// length) past their first eight bytes, which the caller compared as words.
#[inline]
fn eq_lower_rest(lower: &[u8], x: &[u8]) -> bool {
    let (a, b) = (
        lower.get(8..).unwrap_or_default(),
        x.get(8..).unwrap_or_default(),
    );
    a.len() == b.len() && a.iter().zip(b).all(|(p, q)| *p == q.to_ascii_lowercase())
}

/// The ASCII lowercase of the ASCII bytes of `w` (eight at once): `A`..=`Z` gain `0x20`.
/// Bytes from `0x80` up are never in `A`..=`Z` and are left alone.
#[inline]
fn lower_word(w: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // Per byte, on its low seven bits (no carry between bytes): the high bit of `ge_a` is
    // set from `A` up, that of `gt_z` above `Z`.
    let low7 = w & !HI;
    let ge_a = low7 + LO * u64::from(0x80 - b'A');
    let gt_z = low7 + LO * u64::from(0x80 - b'Z' - 1);
    let upper = ge_a & !gt_z & !w & HI;
    w | (upper >> 2)
}

/// What an expression may refer to where it is compiled.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx {
    /// Lets with an index below this are available.
    pub lets: usize,
    /// `score` and `score.GROUP` are available (tier conditions).
    pub scores: bool,
}

/// The node arena and its constants.
#[derive(Debug, Default)]
pub(crate) struct Code {
    pub nodes: Vec<Node>,
    /// Text constants: (trimmed original, folded: see [`icp_base::fold`]).
    pub texts: Vec<(String, String)>,
    pub args: Vec<NodeId>,
    pub lists: Vec<Vec<Item>>,
    /// Text items of `InTextField` lists: (trimmed and folded, whether ASCII).
    pub text_lists: Vec<Vec<(String, bool)>>,
    /// Needles of each set field tested by `SetMask` nodes; index = split slot.
    pub set_dicts: Vec<SetDict>,
    /// The tests of `CmpFieldNum`, `CmpLetNum`, `CmpNum` and `InRangeFieldNum` nodes.
    pub nums: Vec<NumTest>,
}

/// A test of a number against constants (`x OP k`, `x in lo..hi`) prepared for each scale
/// a decimal may have, so that it is two integer comparisons of the number's mantissa,
/// without decimal arithmetic (see [`NumTest::test`]).
#[derive(Clone, Debug)]
pub(crate) struct NumTest {
    /// At index `s` (a decimal's scale, `0..=28`): the bounds `(lo, hi)` such that a number
    /// of scale `s` and mantissa `m` passes exactly when `lo <= m <= hi` (unless `negated`).
    at_scale: [(i128, i128); 29],
    negated: bool,
    /// The test by [`icp_base::num::cmp`], for a scale beyond the table (no decimal has one).
    slow: Slow,
}

#[derive(Clone, Copy, Debug)]
enum Slow {
    Cmp(CmpOp, Decimal),
    Range(Decimal, Decimal),
}

/// `k` at scale `s` rounded down and up, as mantissas: exact from the constant's own scale
/// up (beyond `i128`, `i128::MAX` or `MIN` by its sign: any mantissa is below `2^96`, so
/// such a bound compares right), a division below it.
fn floor_ceil(k: Decimal, s: u32) -> (i128, i128) {
    let (m, scale) = (k.mantissa(), k.scale());
    if s >= scale {
        let exact = 10i128
            .checked_pow(s - scale)
            .and_then(|p| m.checked_mul(p))
            .unwrap_or(if m < 0 { i128::MIN } else { i128::MAX });
        (exact, exact)
    } else {
        // `scale` is at most 28, so the power fits; the quotient is below `2^96`.
        let p = 10i128.checked_pow(scale - s).unwrap_or(i128::MAX);
        let floor = m.div_euclid(p);
        (floor, floor + i128::from(m.rem_euclid(p) != 0))
    }
}

impl NumTest {
    /// `x OP k`: with `m` and `k`'s bounds at `x`'s scale, `x >= k` is `m >= ceil`,
    /// `x > k` is `m >= floor + 1`, `x <= k` is `m <= floor`, `x < k` is `m <= ceil - 1`,
    /// `x == k` is `ceil <= m <= floor` (never when `k` has more digits than `x` shows),
    /// `x != k` its negation.
    pub(crate) fn cmp(op: CmpOp, k: Decimal) -> NumTest {
        let mut at_scale = [(0i128, 0i128); 29];
        for (s, slot) in (0u32..).zip(at_scale.iter_mut()) {
            let (floor, ceil) = floor_ceil(k, s);
            *slot = match op {
                CmpOp::Ge => (ceil, i128::MAX),
                CmpOp::Gt => (floor.saturating_add(1), i128::MAX),
                CmpOp::Le => (i128::MIN, floor),
                CmpOp::Lt => (i128::MIN, ceil.saturating_sub(1)),
                CmpOp::Eq | CmpOp::Ne => (ceil, floor),
            };
        }
        NumTest {
            at_scale,
            negated: op == CmpOp::Ne,
            slow: Slow::Cmp(op, k),
        }
    }

    /// `lo <= x <= hi`: `ceil(lo) <= m <= floor(hi)`.
    pub(crate) fn range(lo: Decimal, hi: Decimal) -> NumTest {
        let mut at_scale = [(0i128, 0i128); 29];
        for (s, slot) in (0u32..).zip(at_scale.iter_mut()) {
            *slot = (floor_ceil(lo, s).1, floor_ceil(hi, s).0);
        }
        NumTest {
            at_scale,
            negated: false,
            slow: Slow::Range(lo, hi),
        }
    }

    /// The bounds of the mantissa of a number of scale `s` (see [`NumTest::at_scale`]).
    pub(crate) fn bounds(&self, s: usize) -> Option<(i128, i128)> {
        self.at_scale.get(s).copied()
    }

    /// Whether the test passes outside the bounds (`!=`).
    pub(crate) fn negated(&self) -> bool {
        self.negated
    }

    /// Whether `x` passes, exactly as the comparisons of [`icp_base::num::cmp`] say.
    #[expect(
        clippy::inline_always,
        reason = "the hot path: every numeric leaf, which must not cost a call"
    )]
    #[inline(always)]
    pub(crate) fn test(&self, x: Decimal) -> bool {
        match self.at_scale.get(x.scale() as usize) {
            Some((lo, hi)) => {
                let m = x.mantissa();
                (*lo <= m && m <= *hi) != self.negated
            }
            None => match self.slow {
                Slow::Cmp(op, k) => cmp_num(op, x, k),
                Slow::Range(lo, hi) => icp_base::num::le(lo, x) && icp_base::num::le(x, hi),
            },
        }
    }
}

/// Compiles expressions of one profile into a [`Code`].
pub(crate) struct Compiler<'p> {
    pub program: &'p Program,
    pub code: Code,
    /// Segment id → slot, for segments compiled (or being compiled).
    pub seg_slots: HashMap<SegmentId, SegSlot>,
    /// Segments in evaluation order: (id, node).
    pub segs: Vec<(SegmentId, NodeId)>,
    in_progress: Vec<SegmentId>,
    /// Fields read by each let (transitively), for explanations.
    pub let_fields: Vec<Vec<FieldSlot>>,
    /// Fields read by each segment slot (transitively).
    pub seg_fields: HashMap<SegSlot, Vec<FieldSlot>>,
    today: Decimal,
}

impl<'p> Compiler<'p> {
    pub(crate) fn new(program: &'p Program, today: Decimal) -> Self {
        Compiler {
            program,
            code: Code::default(),
            seg_slots: HashMap::new(),
            segs: Vec::new(),
            in_progress: Vec::new(),
            let_fields: Vec::new(),
            seg_fields: HashMap::new(),
            today,
        }
    }

    fn push(&mut self, n: Node) -> NodeId {
        self.code.nodes.push(n);
        NodeId((self.code.nodes.len() - 1) as u32)
    }

    fn num_test(&mut self, test: NumTest) -> NumId {
        self.code.nums.push(test);
        NumId((self.code.nums.len() - 1) as u32)
    }

    fn text_const(&mut self, s: &str) -> TextId {
        let t = trim(s);
        if let Some(i) = self.code.texts.iter().position(|(o, _)| o == t) {
            return TextId(i as u32);
        }
        self.code.texts.push((t.to_owned(), fold(t)));
        TextId((self.code.texts.len() - 1) as u32)
    }

    fn const_value(&mut self, c: &Const) -> V {
        match c {
            Const::Missing => V::Missing,
            Const::Bool(b) => V::Bool(*b),
            Const::Num(n) => V::Num(*n),
            Const::Text(s) => V::Text(Src::Const(self.text_const(s))),
            Const::Date(d) => V::Num(Decimal::from(d.0)),
            Const::Duration(d) => V::Num(Decimal::from(*d)),
            Const::Enum(_, i) => V::Enum(*i),
            Const::List(items) => {
                let mut raw = String::new();
                for (k, it) in items.iter().enumerate() {
                    if k > 0 {
                        raw.push('\u{1f}');
                    }
                    if let Const::Text(s) = it {
                        raw.push_str(s);
                    }
                }
                self.code.texts.push((raw.clone(), fold(&raw)));
                V::Set(Src::Const(TextId((self.code.texts.len() - 1) as u32)))
            }
        }
    }

    /// Compile a constant into a prepared item (lists are flattened by the caller).
    fn item(&mut self, c: &Const) -> Item {
        match c {
            Const::Missing | Const::List(_) => Item::Missing,
            Const::Bool(b) => Item::Bool(*b),
            Const::Num(n) => Item::Num(*n),
            Const::Date(d) => Item::Num(Decimal::from(d.0)),
            Const::Duration(d) => Item::Num(Decimal::from(*d)),
            Const::Text(s) => Item::Text(self.text_const(s)),
            Const::Enum(e, i) => {
                let strings = self
                    .program
                    .enum_ty(*e)
                    .and_then(|t| t.variants.get(*i as usize))
                    .map(|v| {
                        std::iter::once(fold(&v.name))
                            .chain(v.strings.iter().map(|s| fold(trim(s))))
                            .collect()
                    })
                    .unwrap_or_default();
                Item::Enum(*i, strings)
            }
        }
    }

    fn node_const(&self, n: NodeId) -> Option<V> {
        match self.code.nodes.get(n.index()) {
            Some(Node::Const { value }) => Some(*value),
            _ => None,
        }
    }

    /// The field a node reads, if it is a field node.
    fn node_field(&self, n: NodeId) -> Option<FieldSlot> {
        match self.code.nodes.get(n.index()) {
            Some(Node::Field { field }) => Some(*field),
            _ => None,
        }
    }

    /// Fold a node whose operands are all constants.
    fn fold(&mut self, n: Node, operands: &[NodeId]) -> NodeId {
        if operands.iter().all(|&o| self.node_const(o).is_some()) {
            let idx = self.push(n);
            let value = self.code.ev(idx, &[], &Env::EMPTY);
            self.code.nodes.pop();
            return self.push(Node::Const { value });
        }
        self.push(n)
    }

    /// Compile a list of items (needles or candidates): constants become prepared items.
    fn items(
        &mut self,
        exprs: &[Expr],
        ctx: Ctx,
        fields: &mut Vec<FieldSlot>,
    ) -> Result<ListId, ArgRange> {
        let mut consts: Vec<&Const> = Vec::new();
        let mut all_const = true;
        for e in exprs {
            match &e.kind {
                ExprKind::Const(Const::List(items)) => consts.extend(items.iter()),
                ExprKind::Const(c) => consts.push(c),
                _ => all_const = false,
            }
        }
        if all_const {
            let items = consts.into_iter().map(|c| self.item(c)).collect();
            self.code.lists.push(items);
            return Ok(ListId((self.code.lists.len() - 1) as u32));
        }
        let nodes: Vec<NodeId> = exprs.iter().map(|e| self.expr(e, ctx, fields)).collect();
        let start = self.code.args.len() as u32;
        self.code.args.extend(nodes);
        Err(ArgRange {
            start,
            len: exprs.len() as u32,
        })
    }

    /// The items of constant list `idx` as (trimmed and folded, ASCII) pairs; `None` unless
    /// every item is text.
    fn text_list(&self, list: ListId) -> Option<Vec<(String, bool)>> {
        let mut out = Vec::new();
        for it in self.code.lists.get(list.index())? {
            match it {
                Item::Text(i) => {
                    let (_, folded) = self.code.const_text(*i);
                    let folded = trim(folded);
                    out.push((folded.to_owned(), folded.is_ascii()));
                }
                _ => return None,
            }
        }
        Some(out)
    }

    /// Compile a segment (and the ones it refers to) and return its slot.
    pub(crate) fn segment(&mut self, id: SegmentId) -> Option<SegSlot> {
        if let Some(&slot) = self.seg_slots.get(&id) {
            return Some(slot);
        }
        if self.in_progress.contains(&id) {
            return None;
        }
        let program = self.program;
        let seg = program.segment(id)?;
        self.in_progress.push(id);
        let mut fields = Vec::new();
        let node = self.expr(
            &seg.cond,
            Ctx {
                lets: 0,
                scores: false,
            },
            &mut fields,
        );
        self.in_progress.retain(|s| *s != id);
        let slot = SegSlot(self.segs.len() as u32);
        self.segs.push((id, node));
        self.seg_slots.insert(id, slot);
        fields.sort_unstable();
        fields.dedup();
        self.seg_fields.insert(slot, fields);
        Some(slot)
    }

    /// Compile an expression; `fields` collects every field it reads (transitively).
    pub(crate) fn expr(&mut self, e: &Expr, ctx: Ctx, fields: &mut Vec<FieldSlot>) -> NodeId {
        const MISSING: Node = Node::Const { value: V::Missing };
        match &e.kind {
            ExprKind::Const(c) => {
                let value = self.const_value(c);
                self.push(Node::Const { value })
            }
            ExprKind::Field(f) => {
                let field = FieldSlot(f.0);
                fields.push(field);
                self.push(Node::Field { field })
            }
            ExprKind::Let(LetId(i)) => {
                if (*i as usize) < ctx.lets {
                    if let Some(fs) = self.let_fields.get(*i as usize) {
                        fields.extend(fs.iter().copied());
                    }
                    self.push(Node::Let { slot: LetSlot(*i) })
                } else {
                    self.push(MISSING)
                }
            }
            ExprKind::Segment(id) => match self.segment(*id) {
                Some(slot) => {
                    if let Some(fs) = self.seg_fields.get(&slot) {
                        fields.extend(fs.iter().copied());
                    }
                    self.push(Node::Seg { slot })
                }
                None => self.push(MISSING),
            },
            ExprKind::Today => self.push(Node::Const {
                value: V::Num(self.today),
            }),
            ExprKind::Score if ctx.scores => self.push(Node::Score),
            ExprKind::GroupScore(g) if ctx.scores => self.push(Node::GroupScore {
                group: GroupSlot(g.0),
            }),
            ExprKind::Score | ExprKind::GroupScore(_) => self.push(MISSING),
            ExprKind::Not(a) => {
                let arg = self.expr(a, ctx, fields);
                self.fold(Node::Not { arg }, &[arg])
            }
            ExprKind::Neg(a) => {
                let arg = self.expr(a, ctx, fields);
                self.fold(Node::Neg { arg }, &[arg])
            }
            ExprKind::And(a, b) => {
                let a = self.expr(a, ctx, fields);
                let b = self.expr(b, ctx, fields);
                if self.node_const(a) == Some(V::Bool(false))
                    || self.node_const(b) == Some(V::Bool(false))
                {
                    return self.push(Node::Const {
                        value: V::Bool(false),
                    });
                }
                if self.node_const(a) == Some(V::Bool(true)) {
                    return b;
                }
                self.fold(Node::And { lhs: a, rhs: b }, &[a, b])
            }
            ExprKind::Or(a, b) => {
                let a = self.expr(a, ctx, fields);
                let b = self.expr(b, ctx, fields);
                if self.node_const(a) == Some(V::Bool(true))
                    || self.node_const(b) == Some(V::Bool(true))
                {
                    return self.push(Node::Const {
                        value: V::Bool(true),
                    });
                }
                if self.node_const(a) == Some(V::Bool(false)) {
                    return b;
                }
                self.fold(Node::Or { lhs: a, rhs: b }, &[a, b])
            }
            ExprKind::Cmp(op, a, b) => {
                let na = self.expr(a, ctx, fields);
                let nb = self.expr(b, ctx, fields);
                let let_of = |c: &Self, n: NodeId| match c.code.nodes.get(n.index()) {
                    Some(Node::Let { slot }) => Some(*slot),
                    _ => None,
                };
                let op = *op;
                if is_num_ty(&a.ty) || is_num_ty(&b.ty) {
                    if let (Some(field), Some(V::Num(num))) =
                        (self.node_field(na), self.node_const(nb))
                    {
                        let num = self.num_test(NumTest::cmp(op, num));
                        return self.push(Node::CmpFieldNum { field, num });
                    }
                    if let (Some(V::Num(num)), Some(field)) =
                        (self.node_const(na), self.node_field(nb))
                    {
                        let num = self.num_test(NumTest::cmp(flip(op), num));
                        return self.push(Node::CmpFieldNum { field, num });
                    }
                    if let (Some(slot), Some(V::Num(num))) = (let_of(self, na), self.node_const(nb))
                    {
                        let num = self.num_test(NumTest::cmp(op, num));
                        return self.push(Node::CmpLetNum { slot, num });
                    }
                    if self.node_const(na).is_none()
                        && let Some(V::Num(num)) = self.node_const(nb)
                    {
                        let num = self.num_test(NumTest::cmp(op, num));
                        return self.push(Node::CmpNum { lhs: na, num });
                    }
                }
                // `compare` of an enum with an enum constant: `Enum(a)` compares indices,
                // anything else (missing included) is unknown; the leaf does the same.
                if let (Some(field), Some(V::Enum(variant))) =
                    (self.node_field(na), self.node_const(nb))
                {
                    return self.push(Node::CmpFieldEnum { op, field, variant });
                }
                if let (Some(V::Enum(variant)), Some(field)) =
                    (self.node_const(na), self.node_field(nb))
                {
                    let op = flip(op);
                    return self.push(Node::CmpFieldEnum { op, field, variant });
                }
                if matches!(op, CmpOp::Eq | CmpOp::Ne)
                    && let (Some(field), Some(V::Text(Src::Const(text)))) =
                        (self.node_field(na), self.node_const(nb))
                {
                    let negated = op == CmpOp::Ne;
                    return self.push(Node::EqFieldText {
                        negated,
                        field,
                        text,
                    });
                }
                self.fold(
                    Node::Cmp {
                        op,
                        lhs: na,
                        rhs: nb,
                    },
                    &[na, nb],
                )
            }
            ExprKind::Arith(op, a, b) => {
                let a = self.expr(a, ctx, fields);
                let b = self.expr(b, ctx, fields);
                let op = *op;
                self.fold(Node::Arith { op, lhs: a, rhs: b }, &[a, b])
            }
            ExprKind::Coalesce(a, b) => {
                let a = self.expr(a, ctx, fields);
                let b = self.expr(b, ctx, fields);
                match self.node_const(a) {
                    Some(V::Missing) => b,
                    Some(_) => a,
                    None => self.push(Node::Coalesce { lhs: a, rhs: b }),
                }
            }
            ExprKind::InRange { expr, lo, hi } => {
                let x = self.expr(expr, ctx, fields);
                let l = self.expr(lo, ctx, fields);
                let h = self.expr(hi, ctx, fields);
                if let (Some(field), Some(V::Num(lo)), Some(V::Num(hi))) =
                    (self.node_field(x), self.node_const(l), self.node_const(h))
                {
                    let range = self.num_test(NumTest::range(lo, hi));
                    return self.push(Node::InRangeFieldNum { field, range });
                }
                self.fold(Node::InRange { x, lo: l, hi: h }, &[x, l, h])
            }
            ExprKind::InList { expr, list } => {
                let x = self.expr(expr, ctx, fields);
                match self.items(list, ctx, fields) {
                    // Revision 2: a missing item is a missing operand, so the test is
                    // unknown whatever `x` is.
                    Ok(list)
                        if self
                            .code
                            .lists
                            .get(list.index())
                            .is_some_and(|l| l.iter().any(|i| matches!(i, Item::Missing))) =>
                    {
                        self.push(MISSING)
                    }
                    Ok(list) => {
                        if let (Some(field), Some(mask)) = (
                            self.node_field(x),
                            self.code.lists.get(list.index()).and_then(|l| enum_mask(l)),
                        ) {
                            return self.push(Node::InEnumField { field, mask });
                        }
                        if let (Some(field), Ty::Text) = (self.node_field(x), &expr.ty)
                            && let Some(items) = self.text_list(list)
                        {
                            self.code.text_lists.push(items);
                            let list = TextListId((self.code.text_lists.len() - 1) as u32);
                            return self.push(Node::InTextField { field, list });
                        }
                        self.fold(Node::InConst { x, list }, &[x])
                    }
                    Err(items) => self.push(Node::InList { x, items }),
                }
            }
            ExprKind::Contains {
                expr,
                mode,
                needles,
            } => {
                let set = matches!(expr.ty, Ty::Set(_));
                let hay = self.expr(expr, ctx, fields);
                let mode = *mode;
                match self.items(needles, ctx, fields) {
                    Ok(list) => self.fold(
                        Node::ContainsConst {
                            hay,
                            mode,
                            set,
                            list,
                        },
                        &[hay],
                    ),
                    Err(needles) => self.push(Node::Contains {
                        hay,
                        mode,
                        set,
                        needles,
                    }),
                }
            }
            ExprKind::IsMissing(a) => {
                let arg = self.expr(a, ctx, fields);
                if let Some(field) = self.node_field(arg) {
                    return self.push(Node::IsMissingField { field });
                }
                self.fold(Node::IsMissing { arg }, &[arg])
            }
        }
    }
}

/// The bit mask of a list of enum variants, when every item is a variant below 64 (no
/// missing item, so `x in list` is never unknown for a present `x`).
fn enum_mask(items: &[Item]) -> Option<u64> {
    items.iter().try_fold(0u64, |m, it| match it {
        Item::Enum(i, _) if *i < 64 => Some(m | 1 << i),
        _ => None,
    })
}

fn is_num_ty(t: &Ty) -> bool {
    t.is_numeric() || matches!(t, Ty::Date | Ty::Duration)
}

/// `k OP x` as `x OP' k`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        o => o,
    }
}

/// `x OP y` as `ev` computes it, exactly: missing when an operand is, on division by zero
/// and when the result does not fit a decimal (overflow), never a panic. A quotient keeps
/// 28 significant digits.
#[inline]
fn arith(op: ArithOp, x: Option<Decimal>, y: Option<Decimal>) -> Option<Decimal> {
    let (x, y) = (x?, y?);
    match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        ArithOp::Div => x.checked_div(y),
    }
}

#[inline]
fn cmp_num(op: CmpOp, a: Decimal, b: Decimal) -> bool {
    cmp_ord(op, icp_base::num::cmp(a, b))
}

pub(crate) fn cmp_ord(op: CmpOp, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match op {
        CmpOp::Eq => o == Equal,
        CmpOp::Ne => o != Equal,
        CmpOp::Lt => o == Less,
        CmpOp::Le => o != Greater,
        CmpOp::Gt => o == Greater,
        CmpOp::Ge => o != Less,
    }
}

/// Read a row value as an evaluation value.
#[inline]
pub(crate) fn field(row: &[Value<'_>], f: FieldSlot) -> V {
    match row.get(f.index()) {
        Some(Value::Num(n)) => V::Num(*n),
        Some(Value::Bool(b)) => V::Bool(*b),
        Some(Value::Enum(e)) => V::Enum(*e),
        Some(Value::Text(_)) => V::Text(Src::Field(f)),
        Some(Value::Set(_)) => V::Set(Src::Field(f)),
        Some(Value::Missing) | None => V::Missing,
    }
}

#[inline]
fn num(row: &[Value<'_>], f: FieldSlot) -> Option<Decimal> {
    match row.get(f.index()) {
        Some(Value::Num(n)) => Some(*n),
        _ => None,
    }
}

impl Code {
    /// The text of a source (the raw text for sets).
    pub(crate) fn text<'s>(&'s self, src: Src, row: &'s [Value<'s>]) -> &'s str {
        match src {
            Src::Field(f) => match row.get(f.index()) {
                Some(Value::Text(t)) => t,
                Some(Value::Set(s)) => s.raw,
                _ => "",
            },
            Src::Const(i) => self.texts.get(i.index()).map_or("", |(o, _)| o.as_str()),
        }
    }

    /// The lowercase text of a source where it is a constant, else the text.
    fn text_lower<'s>(&'s self, src: Src, row: &'s [Value<'s>]) -> &'s str {
        match src {
            Src::Const(i) => self.texts.get(i.index()).map_or("", |(_, l)| l.as_str()),
            Src::Field(_) => self.text(src, row),
        }
    }

    fn const_text(&self, i: TextId) -> (&str, &str) {
        self.texts
            .get(i.index())
            .map_or(("", ""), |(o, l)| (o.as_str(), l.as_str()))
    }

    #[inline]
    fn arg(&self, i: u32) -> NodeId {
        self.args
            .get(i as usize)
            .copied()
            .unwrap_or(NodeId(u32::MAX))
    }

    /// Evaluate node `n` on `row`. Leaves are evaluated in line; inner nodes out of line.
    #[expect(
        clippy::inline_always,
        reason = "the hot path: leaves must not cost a call"
    )]
    #[inline(always)]
    pub(crate) fn ev(&self, n: NodeId, row: &[Value<'_>], env: &Env<'_>) -> V {
        let Some(node) = self.nodes.get(n.index()) else {
            return V::Missing;
        };
        match self.leaf(node, row, env) {
            Some(v) => v,
            None => self.ev_inner(node, row, env),
        }
    }

    /// The value of a leaf node (no operand to evaluate), `None` for other nodes.
    #[expect(
        clippy::inline_always,
        reason = "the hot path: leaves must not cost a call"
    )]
    #[inline(always)]
    fn leaf(&self, node: &Node, row: &[Value<'_>], env: &Env<'_>) -> Option<V> {
        Some(match node {
            Node::Const { value } => *value,
            Node::Field { field: f } => field(row, *f),
            Node::Let { slot } => env.lets.get(slot.index()).copied().unwrap_or(V::Missing),
            Node::Seg { slot } => env.segs.get(slot.index()).copied().unwrap_or(V::Missing),
            _ => return self.bool_leaf(node, row, env).map(Tri::value),
        })
    }

    /// The truth of a boolean leaf node, `None` for other nodes. Booleans are computed as a
    /// one-byte [`Tri`], never as a [`V`] in memory: writing a `V` byte-wise and reading it
    /// back whole stalls store forwarding, which cost more than the comparisons themselves.
    #[expect(
        clippy::inline_always,
        reason = "the hot path: leaves must not cost a call"
    )]
    #[inline(always)]
    fn bool_leaf(&self, node: &Node, row: &[Value<'_>], env: &Env<'_>) -> Option<Tri> {
        Some(match node {
            Node::Const { value: V::Bool(b) } => Tri::from(*b),
            Node::CmpFieldNum { field, num: k } | Node::InRangeFieldNum { field, range: k } => {
                match (num(row, *field), self.nums.get(k.index())) {
                    (Some(x), Some(k)) => Tri::from(k.test(x)),
                    _ => Tri::Unknown,
                }
            }
            Node::CmpLetNum { slot, num: k } => {
                match (env.lets.get(slot.index()), self.nums.get(k.index())) {
                    (Some(V::Num(x)), Some(k)) => Tri::from(k.test(*x)),
                    _ => Tri::Unknown,
                }
            }
            Node::CmpFieldEnum { op, field, variant } => match row.get(field.index()) {
                Some(Value::Enum(e)) => Tri::from(cmp_ord(*op, e.cmp(variant))),
                _ => Tri::Unknown,
            },
            // As `InConst` with enum items: a variant is in the list or not, a missing value
            // is unknown, and a value of another type equals no variant.
            Node::InEnumField { field, mask } => match row.get(field.index()) {
                Some(Value::Enum(e)) => Tri::from(*e < 64 && mask >> e & 1 == 1),
                Some(Value::Missing) | None => Tri::Unknown,
                Some(_) => Tri::False,
            },
            Node::IsMissingField { field } => Tri::from(matches!(
                row.get(field.index()),
                Some(Value::Missing) | None
            )),
            Node::SetMask {
                split,
                needles,
                mode,
                unknown,
                ..
            } => match env.sets.get(split.index()) {
                Some(SetSplit {
                    state: SetState::Ready,
                    mask,
                }) => {
                    let found = mask & needles;
                    match mode {
                        ContainsMode::One | ContainsMode::Any if found != 0 => Tri::True,
                        ContainsMode::All if found != *needles => Tri::False,
                        _ if *unknown => Tri::Unknown,
                        ContainsMode::One | ContainsMode::Any => Tri::False,
                        ContainsMode::All => Tri::True,
                    }
                }
                Some(SetSplit {
                    state: SetState::Missing,
                    ..
                }) => Tri::Unknown,
                _ => return None,
            },
            Node::InTextField { field, list } => match row.get(field.index()) {
                Some(Value::Text(x)) => self.in_text(x, *list),
                Some(Value::Missing) | None => Tri::Unknown,
                Some(_) => Tri::False,
            },
            Node::EqFieldText {
                negated,
                field,
                text,
            } => match row.get(field.index()) {
                Some(Value::Text(x)) => Tri::from(
                    eq_ci(
                        x,
                        self.texts.get(text.index()).map_or("", |(_, l)| l.as_str()),
                    ) != *negated,
                ),
                _ => Tri::Unknown,
            },
            _ => return None,
        })
    }

    /// The truth of node `n` on `row`: `Tri::of(self.ev(n, ..))`, computed without
    /// materialising values for boolean leaves, `and`, `or` and `not`.
    #[expect(
        clippy::inline_always,
        reason = "the hot path: leaves must not cost a call"
    )]
    #[inline(always)]
    pub(crate) fn truth(&self, n: NodeId, row: &[Value<'_>], env: &Env<'_>) -> Tri {
        let Some(node) = self.nodes.get(n.index()) else {
            return Tri::Unknown;
        };
        match self.bool_leaf(node, row, env) {
            Some(t) => t,
            None => self.truth_inner(n, node, row, env),
        }
    }

    /// [`Code::truth`] of the nodes that are not boolean leaves.
    #[inline(never)]
    fn truth_inner(&self, n: NodeId, node: &Node, row: &[Value<'_>], env: &Env<'_>) -> Tri {
        match self.logic(node, row, env) {
            Some(t) => t,
            None => Tri::of(self.ev(n, row, env)),
        }
    }

    /// `and`, `or`, `not` and `x OP number` as a truth value (the only values `ev` gives
    /// them are true, false and missing); `None` for other nodes.
    #[expect(
        clippy::inline_always,
        reason = "inlined into `truth_inner`, the hot caller, as if written there"
    )]
    #[inline(always)]
    fn logic(&self, node: &Node, row: &[Value<'_>], env: &Env<'_>) -> Option<Tri> {
        Some(match node {
            Node::And { lhs, rhs } => {
                let x = self.truth(*lhs, row, env);
                if x == Tri::False {
                    return Some(x);
                }
                match (x, self.truth(*rhs, row, env)) {
                    (_, Tri::False) => Tri::False,
                    (Tri::True, Tri::True) => Tri::True,
                    _ => Tri::Unknown,
                }
            }
            Node::Or { lhs, rhs } => {
                let x = self.truth(*lhs, row, env);
                if x == Tri::True {
                    return Some(x);
                }
                match (x, self.truth(*rhs, row, env)) {
                    (_, Tri::True) => Tri::True,
                    (Tri::False, Tri::False) => Tri::False,
                    _ => Tri::Unknown,
                }
            }
            Node::Not { arg } => match self.truth(*arg, row, env) {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                Tri::Unknown => Tri::Unknown,
            },
            // `compare` with a number: two numbers compare, any other pair is unknown.
            Node::CmpNum { lhs, num: k } => {
                match (self.num(*lhs, row, env), self.nums.get(k.index())) {
                    (Some(x), Some(k)) => Tri::from(k.test(x)),
                    _ => Tri::Unknown,
                }
            }
            _ => return None,
        })
    }

    /// The number node `n` gives on `row`: `Some(x)` exactly when `self.ev(n, ..)` is
    /// `V::Num(x)`, computed without materialising values for the numeric nodes.
    #[expect(
        clippy::inline_always,
        reason = "the hot path: leaves must not cost a call"
    )]
    #[inline(always)]
    pub(crate) fn num(&self, n: NodeId, row: &[Value<'_>], env: &Env<'_>) -> Option<Decimal> {
        match self.nodes.get(n.index())? {
            Node::Field { field } => num(row, *field),
            Node::Const { value: V::Num(k) } => Some(*k),
            Node::Let { slot } => match env.lets.get(slot.index()) {
                Some(V::Num(x)) => Some(*x),
                _ => None,
            },
            node => self.num_inner(n, node, row, env),
        }
    }

    /// [`Code::num`] of the nodes that are not numeric leaves.
    #[inline(never)]
    fn num_inner(
        &self,
        n: NodeId,
        node: &Node,
        row: &[Value<'_>],
        env: &Env<'_>,
    ) -> Option<Decimal> {
        match node {
            // `ev` gives a number or missing, from whether both operands are numbers.
            Node::Arith { op, lhs, rhs } => {
                arith(*op, self.num(*lhs, row, env), self.num(*rhs, row, env))
            }
            Node::Neg { arg } => self.num(*arg, row, env).map(|x| -x),
            // `a ?? b` is `b` exactly when `a` is missing: known without `ev` for a field.
            Node::Coalesce { lhs, rhs } => {
                if let Some(Node::Field { field }) = self.nodes.get(lhs.index()) {
                    match row.get(field.index()) {
                        Some(Value::Num(x)) => Some(*x),
                        Some(Value::Missing) | None => self.num(*rhs, row, env),
                        Some(_) => None,
                    }
                } else {
                    self.ev(n, row, env).as_num()
                }
            }
            _ => self.ev(n, row, env).as_num(),
        }
    }

    /// Inner nodes.
    #[inline(never)]
    fn ev_inner(&self, node: &Node, row: &[Value<'_>], env: &Env<'_>) -> V {
        match node {
            Node::Score => V::Num(env.score),
            Node::GroupScore { group } => match env.groups.get(group.index()) {
                Some(Some(s)) => V::Num(*s),
                _ => V::Missing,
            },
            Node::Not { .. } | Node::And { .. } | Node::Or { .. } | Node::CmpNum { .. } => {
                self.logic(node, row, env).map_or(V::Missing, Tri::value)
            }
            Node::Neg { arg } => match self.ev(*arg, row, env) {
                V::Num(x) => V::Num(-x),
                _ => V::Missing,
            },
            Node::Arith { op, lhs, rhs } => {
                match arith(*op, self.num(*lhs, row, env), self.num(*rhs, row, env)) {
                    Some(r) => V::Num(r),
                    None => V::Missing,
                }
            }
            Node::Coalesce { lhs, rhs } => match self.ev(*lhs, row, env) {
                V::Missing => self.ev(*rhs, row, env),
                v => v,
            },
            Node::IsMissing { arg } => V::Bool(self.ev(*arg, row, env).is_missing()),
            _ => self.ev_slow(node, row, env),
        }
    }

    /// The rarer, heavier nodes, out of line so that [`Code::ev`] stays small.
    #[inline(never)]
    fn ev_slow(&self, node: &Node, row: &[Value<'_>], env: &Env<'_>) -> V {
        match node {
            // The mask could not decide this row (see `SetState::Other`).
            Node::SetMask { original, .. } => self.ev(*original, row, env),
            Node::Cmp { op, lhs, rhs } => {
                let (x, y) = (self.ev(*lhs, row, env), self.ev(*rhs, row, env));
                self.compare(*op, x, y, row)
            }
            Node::InRange { x, lo, hi } => {
                let (x, lo, hi) = (
                    self.ev(*x, row, env),
                    self.ev(*lo, row, env),
                    self.ev(*hi, row, env),
                );
                match (
                    self.compare(CmpOp::Ge, x, lo, row),
                    self.compare(CmpOp::Le, x, hi, row),
                ) {
                    (V::Bool(a), V::Bool(b)) => V::Bool(a && b),
                    _ => V::Missing,
                }
            }
            // Revision 2: unknown on any missing operand, the value or an item (a list with
            // a missing constant item never gets here: it compiles to missing).
            Node::InConst { x, list } => {
                let x = self.ev(*x, row, env);
                if x.is_missing() {
                    return V::Missing;
                }
                let items = self.lists.get(list.index()).map_or(&[][..], Vec::as_slice);
                let mut found = false;
                for it in items {
                    match self.item_eq(x, it, row) {
                        V::Bool(true) => found = true,
                        V::Bool(false) => {}
                        _ => return V::Missing,
                    }
                }
                V::Bool(found)
            }
            Node::InList {
                x,
                items: ArgRange { start, len },
            } => {
                let x = self.ev(*x, row, env);
                if x.is_missing() {
                    return V::Missing;
                }
                let mut found = false;
                for k in *start..start.saturating_add(*len) {
                    let y = self.ev(self.arg(k), row, env);
                    match self.compare(CmpOp::Eq, x, y, row) {
                        V::Bool(true) => found = true,
                        V::Bool(false) => {}
                        _ => return V::Missing,
                    }
                }
                V::Bool(found)
            }
            Node::ContainsConst {
                hay,
                mode,
                set,
                list,
            } => {
                let hay = self.ev(*hay, row, env);
                if hay.is_missing() {
                    return V::Missing;
                }
                let items = self.lists.get(list.index()).map_or(&[][..], Vec::as_slice);
                if let (true, V::Set(src)) = (*set, hay)
                    && let Some(v) = self.set_contains(self.text(src, row), *mode, items)
                {
                    return v;
                }
                Self::contains_all_any(*mode, items.len(), |k| match items.get(k) {
                    Some(it) => self.has_item(hay, *set, it, row),
                    None => V::Missing,
                })
            }
            Node::Contains {
                hay,
                mode,
                set,
                needles: ArgRange { start, len },
            } => {
                let hay = self.ev(*hay, row, env);
                if hay.is_missing() {
                    return V::Missing;
                }
                Self::contains_all_any(*mode, *len as usize, |k| {
                    let y = self.ev(self.arg(start.saturating_add(k as u32)), row, env);
                    self.has_value(hay, *set, y, row)
                })
            }
            _ => V::Missing,
        }
    }

    /// `x in [texts]` for a present text `x`: as `item_eq` on each item (case-insensitive
    /// after trimming), with `x` trimmed and checked for ASCII once instead of per item.
    pub(crate) fn in_text(&self, x: &str, list: TextListId) -> Tri {
        let items = self
            .text_lists
            .get(list.index())
            .map_or(&[][..], Vec::as_slice);
        let xt = trim(x);
        let x_ascii = xt.is_ascii();
        for (lower, ascii) in items {
            let hit = if x_ascii && *ascii {
                xt.len() == lower.len() && xt.eq_ignore_ascii_case(lower)
            } else {
                eq_ci(x, lower)
            };
            if hit {
                return Tri::True;
            }
        }
        Tri::False
    }

    /// Combine per-needle results: one/any is true if any is true; all is false if any is false.
    fn contains_all_any(mode: ContainsMode, len: usize, mut one: impl FnMut(usize) -> V) -> V {
        let mut unknown = false;
        for k in 0..len {
            match (mode, one(k)) {
                (ContainsMode::One | ContainsMode::Any, V::Bool(true)) => return V::Bool(true),
                (ContainsMode::All, V::Bool(false)) => return V::Bool(false),
                (_, V::Bool(_)) => {}
                _ => unknown = true,
            }
        }
        match (unknown, mode) {
            (true, _) => V::Missing,
            (false, ContainsMode::All) => V::Bool(true),
            (false, _) => V::Bool(false),
        }
    }

    /// `set contains ..` with prepared needles in one pass over the set's items; `None`
    /// when there are too many needles for the bit mask of `contains all`.
    fn set_contains(&self, raw: &str, mode: ContainsMode, items: &[Item]) -> Option<V> {
        let unknown = items.iter().any(|i| matches!(i, Item::Missing));
        if let Some(found) = self.texts_found(raw, items) {
            // The same answers as the loops below, from the bit mask of needles found.
            let known = items
                .iter()
                .enumerate()
                .filter(|(_, i)| !matches!(i, Item::Missing))
                .fold(0u64, |m, (k, _)| m | 1 << k);
            let all_found = found & known == known;
            return Some(match mode {
                ContainsMode::One | ContainsMode::Any if found != 0 => V::Bool(true),
                ContainsMode::All if !all_found => V::Bool(false),
                _ if unknown => V::Missing,
                ContainsMode::One | ContainsMode::Any => V::Bool(false),
                ContainsMode::All => V::Bool(true),
            });
        }
        let matches = |x: &str, it: &Item| match it {
            Item::Text(i) => eq_ci(x, self.const_text(*i).1),
            Item::Enum(_, strings) => strings.iter().any(|s| eq_ci(x, s)),
            _ => false,
        };
        match mode {
            ContainsMode::One | ContainsMode::Any => {
                // One pass over the set's items, comparing each with every needle.
                for x in set_items(raw) {
                    if items.iter().any(|it| matches(x, it)) {
                        return Some(V::Bool(true));
                    }
                }
                Some(if unknown { V::Missing } else { V::Bool(false) })
            }
            ContainsMode::All => {
                if items.len() > 64 {
                    return None;
                }
                let mut found = 0u64;
                for x in set_items(raw) {
                    for (k, it) in items.iter().enumerate() {
                        if matches(x, it) {
                            found |= 1 << k;
                        }
                    }
                }
                let known = items
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| !matches!(i, Item::Missing));
                if known.clone().any(|(k, _)| found & (1 << k) == 0) {
                    return Some(V::Bool(false));
                }
                Some(if unknown { V::Missing } else { V::Bool(true) })
            }
        }
    }

    /// For text needles only (at most 64): the bit mask of the needles that equal an item
    /// of the set `raw`, ignoring case. The set is split on bytes, without building `&str`
    /// items: the separators are ASCII, and an ASCII item is exactly what [`set_items`]
    /// yields and folds to its ASCII lowercase. `None` (use the general path) for other
    /// needles, or when an item is not ASCII (it may need Unicode trimming and folding).
    fn texts_found(&self, raw: &str, items: &[Item]) -> Option<u64> {
        if items.len() > 64
            || !items
                .iter()
                .all(|i| matches!(i, Item::Text(_) | Item::Missing))
        {
            return None;
        }
        let mut found = 0u64;
        let bytes = raw.as_bytes();
        let mut start = 0;
        while start <= bytes.len() {
            let rest = bytes.get(start..).unwrap_or_default();
            let len = next_separator(rest);
            let part = rest.get(..len).unwrap_or_default();
            start += len + 1;
            let x = part.trim_ascii();
            if !x.is_ascii() {
                return None;
            }
            // Empty items are skipped, as `set_items` does.
            if x.is_empty() {
                continue;
            }
            // The needles are folded: an ASCII item equals one exactly when its ASCII
            // lowercase is the needle's bytes.
            for (k, it) in items.iter().enumerate() {
                if let Item::Text(i) = it
                    && self.const_text(*i).1.as_bytes().eq_ignore_ascii_case(x)
                {
                    found |= 1 << k;
                }
            }
        }
        Some(found)
    }

    /// Turn every `ContainsConst` on a set field with only text (or missing) needles into a
    /// `SetMask` test, collecting each field's needles into a [`SetDict`] (one split slot
    /// per field). The original node is kept, out of the tree, as the general path for rows
    /// where the mask cannot decide.
    pub(crate) fn prepare_sets(&mut self) {
        for n in 0..self.nodes.len() {
            let Some(&Node::ContainsConst {
                hay,
                mode,
                set: true,
                list,
            }) = self.nodes.get(n)
            else {
                continue;
            };
            let Some(&Node::Field { field: f }) = self.nodes.get(hay.index()) else {
                continue;
            };
            let Some(items) = self.lists.get(list.index()) else {
                continue;
            };
            let texts: Option<Vec<String>> = items
                .iter()
                .filter(|i| !matches!(i, Item::Missing))
                .map(|i| match i {
                    Item::Text(t) => Some(self.const_text(*t).1.to_owned()),
                    _ => None,
                })
                .collect();
            let Some(texts) = texts else { continue };
            let unknown = items.iter().any(|i| matches!(i, Item::Missing));
            let slot = self
                .set_dicts
                .iter()
                .position(|d| d.field == f)
                .unwrap_or_else(|| {
                    self.set_dicts.push(SetDict {
                        field: f,
                        needles: Vec::new(),
                        keys: Vec::new(),
                        by_len: Vec::new(),
                    });
                    self.set_dicts.len() - 1
                });
            let Some(dict) = self.set_dicts.get_mut(slot) else {
                continue;
            };
            let mut needles = 0u64;
            let mut fits = true;
            for t in texts {
                let Some(k) = dict.add(t) else {
                    fits = false;
                    break;
                };
                needles |= 1 << k;
            }
            if !fits {
                continue;
            }
            let original = NodeId(self.nodes.len() as u32);
            self.nodes.push(Node::ContainsConst {
                hay,
                mode,
                set: true,
                list,
            });
            if let Some(slot_node) = self.nodes.get_mut(n) {
                *slot_node = Node::SetMask {
                    split: SplitSlot(slot as u32),
                    original,
                    needles,
                    mode,
                    unknown,
                };
            }
        }
    }

    /// Whether `hay` (a set or text) holds a prepared needle.
    fn has_item(&self, hay: V, set: bool, it: &Item, row: &[Value<'_>]) -> V {
        let (V::Text(h) | V::Set(h)) = hay else {
            return V::Missing;
        };
        let h = self.text(h, row);
        match it {
            Item::Missing => V::Missing,
            Item::Text(i) => {
                let folded = self.const_text(*i).1;
                if set {
                    V::Bool(set_items(h).any(|x| eq_ci(x, folded)))
                } else {
                    V::Bool(contains_ci(h, folded))
                }
            }
            Item::Enum(_, strings) => {
                V::Bool(set_items(h).any(|x| strings.iter().any(|s| eq_ci(x, s))))
            }
            Item::Num(_) | Item::Bool(_) => V::Bool(false),
        }
    }

    /// Whether `hay` (a set or text) holds the value `y`.
    fn has_value(&self, hay: V, set: bool, y: V, row: &[Value<'_>]) -> V {
        let (V::Text(h) | V::Set(h)) = hay else {
            return V::Missing;
        };
        let h = self.text(h, row);
        match y {
            V::Missing => V::Missing,
            V::Text(s) => {
                let n = self.text(s, row);
                if set {
                    V::Bool(set_items(h).any(|x| eq_ci(x, n)))
                } else {
                    V::Bool(contains_ci(h, trim(n)))
                }
            }
            _ => V::Bool(false),
        }
    }

    /// `x == item` for a prepared list item.
    fn item_eq(&self, x: V, it: &Item, row: &[Value<'_>]) -> V {
        match (x, it) {
            (V::Missing, _) | (_, Item::Missing) => V::Missing,
            (V::Num(a), Item::Num(b)) => V::Bool(a == *b),
            (V::Enum(a), Item::Enum(b, _)) => V::Bool(a == *b),
            (V::Bool(a), Item::Bool(b)) => V::Bool(a == *b),
            (V::Text(s), Item::Text(i)) => V::Bool(eq_ci(self.text(s, row), self.const_text(*i).1)),
            _ => V::Bool(false),
        }
    }

    /// A comparison of two values (three-valued).
    fn compare(&self, op: CmpOp, x: V, y: V, row: &[Value<'_>]) -> V {
        // Any other pair, a missing operand included, is unknown.
        match (x, y) {
            (V::Num(a), V::Num(b)) => V::Bool(cmp_num(op, a, b)),
            (V::Enum(a), V::Enum(b)) => V::Bool(cmp_ord(op, a.cmp(&b))),
            (V::Bool(a), V::Bool(b)) => V::Bool(cmp_ord(op, a.cmp(&b))),
            (V::Text(a), V::Text(b)) => {
                let (a, b) = (self.text_lower(a, row), self.text_lower(b, row));
                match op {
                    CmpOp::Eq => V::Bool(eq_ci(a, b)),
                    CmpOp::Ne => V::Bool(!eq_ci(a, b)),
                    _ => V::Bool(cmp_ord(op, cmp_ci(a, b))),
                }
            }
            (V::Set(a), V::Set(b)) => {
                let (a, b) = (self.text(a, row), self.text(b, row));
                let same = set_items(a).all(|i| set_items(b).any(|j| eq_ci(i, j)))
                    && set_items(b).all(|j| set_items(a).any(|i| eq_ci(i, j)));
                match op {
                    CmpOp::Eq => V::Bool(same),
                    CmpOp::Ne => V::Bool(!same),
                    _ => V::Missing,
                }
            }
            _ => V::Missing,
        }
    }
}

/// Bytes of `w` that are zero, as the high bit of each byte. A byte above a zero byte may
/// be flagged too (the borrow), never one below it, so the lowest flag is exact.
fn zero_bytes(w: u64) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    w.wrapping_sub(LO) & !w & HI
}

/// The index of the first set separator (`;`, `|`, `,`, U+001F) in `b`, or its length.
fn next_separator(b: &[u8]) -> usize {
    next_item(b).0
}

/// The index of the first set separator (`;`, `|`, `,`, U+001F) in `b`, or its length, and
/// whether a byte before it is not ASCII. Eight bytes at a time in a `u64`: the lowest
/// flagged byte of each of the four masks is exact (see [`zero_bytes`]), so the lowest of
/// them all is the first separator; the words read on the way also give the high bits.
// The hot path: once per set item, as when it was written in `fill`.
#[inline(always)]
fn next_item(b: &[u8]) -> (usize, bool) {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let [semi, bar, comma, unit] = [b';', b'|', b',', 0x1f].map(|c| LO * u64::from(c));
    let mut i = 0;
    let mut high = 0u64;
    while let Some(Ok(chunk)) = b.get(i..i + 8).map(<[u8; 8]>::try_from) {
        let word = u64::from_le_bytes(chunk);
        let found = zero_bytes(word ^ semi)
            | zero_bytes(word ^ bar)
            | zero_bytes(word ^ comma)
            | zero_bytes(word ^ unit);
        if found != 0 {
            let at = found.trailing_zeros() / 8;
            // The bytes below the separator: `at` is below 8, so the shift is too.
            let below = (1u64 << (at * 8)) - 1;
            high |= word & below;
            return (i + at as usize, high & HI != 0);
        }
        high |= word;
        i += 8;
    }
    let tail = b.get(i..).unwrap_or_default();
    let mut at = tail.len();
    let mut high_byte = 0u8;
    for (k, &c) in tail.iter().enumerate() {
        if matches!(c, b';' | b'|' | b',' | 0x1f) {
            at = k;
            break;
        }
        high_byte |= c;
    }
    (i + at, high & HI != 0 || high_byte >= 0x80)
}

/// Items of a set's raw text, as [`icp_model::SetVal::items`] gives them, faster: the
/// separators are ASCII, so the text is split on bytes.
fn set_items(raw: &str) -> impl Iterator<Item = &str> {
    let bytes = raw.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        while start <= bytes.len() {
            let rest = bytes.get(start..).unwrap_or_default();
            let len = rest
                .iter()
                .position(|b| matches!(b, b';' | b'|' | b',' | 0x1f))
                .unwrap_or(rest.len());
            let item = raw.get(start..start + len).unwrap_or_default();
            start += len + 1;
            let item = item.trim_ascii();
            let item = match (item.as_bytes().first(), item.as_bytes().last()) {
                (Some(f), Some(l)) if *f >= 0x80 || *l >= 0x80 => trim(item),
                _ => item,
            };
            if !item.is_empty() {
                return Some(item);
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::{SetDict, SetSplit, SetState, lower_word, prefix, set_items};
    use crate::text::{eq_ci, trim};
    use icp_base::fold::fold;
    use icp_model::{SetVal, Value};

    /// `NumTest::test` is the comparison by `num::cmp` with the constant, and the range
    /// by `num::le`, for values and constants of every scale, signs, ties, remainders and
    /// mantissas near a decimal's limits.
    #[test]
    fn prepared_number_tests_are_exact() {
        use super::{NumTest, cmp_num};
        use icp_base::CmpOp;
        use icp_model::Decimal;
        let mut values = Vec::new();
        for m in [
            0i64,
            1,
            -1,
            5,
            7,
            10,
            69,
            70,
            71,
            699,
            700,
            701,
            1000,
            2_000_000,
            1_999_999,
            i64::MAX,
            i64::MIN + 1,
        ] {
            for scale in [0u32, 1, 2, 3, 6, 10, 19, 28] {
                values.push(Decimal::new(m, scale));
            }
        }
        values.push(Decimal::MAX);
        values.push(Decimal::MIN);
        values.push(Decimal::from_i128_with_scale(
            79_228_162_514_264_337_593_543_950_335,
            28,
        ));
        values.push(Decimal::from_i128_with_scale(
            -79_228_162_514_264_337_593_543_950_335,
            5,
        ));
        values.push(-Decimal::ZERO);
        let ops = [
            CmpOp::Eq,
            CmpOp::Ne,
            CmpOp::Lt,
            CmpOp::Le,
            CmpOp::Gt,
            CmpOp::Ge,
        ];
        for k in &values {
            for op in ops {
                let prepared = NumTest::cmp(op, *k);
                for x in &values {
                    assert_eq!(prepared.test(*x), cmp_num(op, *x, *k), "{x} {op:?} {k}");
                }
            }
        }
        for lo in values.iter().step_by(3) {
            for hi in values.iter().step_by(5) {
                let prepared = NumTest::range(*lo, *hi);
                for x in &values {
                    let want = icp_base::num::le(*lo, *x) && icp_base::num::le(*x, *hi);
                    assert_eq!(prepared.test(*x), want, "{x} in {lo}..{hi}");
                }
            }
        }
    }

    #[test]
    fn lower_word_lowercases_ascii_letters_only() {
        for b in 0u8..=255 {
            for at in 0..8 {
                let mut w = [b'.'; 8];
                w[at] = b;
                let mut want = w;
                want[at] = b.to_ascii_lowercase();
                assert_eq!(
                    lower_word(u64::from_le_bytes(w)),
                    u64::from_le_bytes(want),
                    "{b:#x} at {at}"
                );
            }
        }
        assert_eq!(lower_word(prefix(b"HubSpot")), prefix(b"hubspot"));
    }

    #[test]
    fn set_masks_agree_with_folded_comparison() {
        let needles = [
            "HubSpot",
            "salesforce",
            "CEO",
            "Google Analytics",
            "σαμος",
            "Zürich",
            "straße",
            "\u{212a}elvin",
            "sap",
            "ISTANBUL",
            "İzmir",
            "a",
        ];
        let mut dict = SetDict::default();
        for n in needles {
            dict.add(fold(trim(n))).unwrap();
        }
        for raw in [
            "",
            "hubspot",
            " HUBSPOT ;Salesforce",
            "SalesForce|google analytics, ceo",
            "GOOGLE ANALYTICS",
            "ΣΑΜΟΣ; ZÜRICH",
            "\u{a0}Σάμος\u{a0}|STRAẞE",
            "STRASSE, kelvin, \u{17f}AP",
            "istanbul;İZMIR;izmir",
            " ;; A ;",
            "Google  Analytics",
            "hubspot;salesforc;SALESFORCE ;x",
            "abcdefg;HubSpot ; a;sap\u{1f}ceo",
            ";;;;;;;;HUBSPOT",
            "Google Analytics;Google Analytics|HubSpot",
            "\tsalesforce\t,google analytics\n,HUBSPOT,",
            "seven77;8eight88;HubSpot",
        ] {
            let mut split = SetSplit::default();
            split.fill(&dict, &[Value::Set(SetVal { raw })]);
            assert_eq!(split.state, SetState::Ready);
            for (k, n) in needles.iter().enumerate() {
                let want = set_items(raw).any(|x| eq_ci(x, n));
                assert_eq!(split.mask >> k & 1 == 1, want, "{raw:?} contains {n:?}");
            }
        }
    }

    /// Random set texts (separators, whitespace, case, needles cut short or run on, texts
    /// around sixteen bytes, some not ASCII) against the model: the items `set_items` splits
    /// off, compared ignoring case.
    #[test]
    fn set_masks_agree_with_the_model_on_random_texts() {
        let needles = [
            "HubSpot",
            "salesforce",
            "sap",
            "Google Analytics",
            "a",
            "Zürich",
        ];
        let mut dict = SetDict::default();
        for n in needles {
            dict.add(fold(trim(n))).unwrap();
        }
        let pieces = [
            "hubspot",
            "HUBSPOT",
            "HubSpo",
            "HubSpotX",
            "SALESFORCE",
            "salesforc",
            "Sap",
            "sap ",
            "google analytics",
            "Google  Analytics",
            "A",
            "a",
            "zürich",
            "ZÜRICH",
            ";",
            ";",
            "|",
            ",",
            "\u{1f}",
            " ",
            "\t",
            "\n",
            "x",
            "0123456789abcdef",
        ];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let n = next() % 12;
            let raw: String = (0..n)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let mut split = SetSplit::default();
            split.fill(&dict, &[Value::Set(SetVal { raw: &raw })]);
            assert_eq!(split.state, SetState::Ready);
            for (k, n) in needles.iter().enumerate() {
                let want = set_items(&raw).any(|x| eq_ci(x, n));
                assert_eq!(split.mask >> k & 1 == 1, want, "{raw:?} contains {n:?}");
            }
        }
    }

    #[test]
    fn next_separator_is_the_first_separator() {
        for len in 0..30 {
            for at in 0..=len {
                for sep in [b';', b'|', b',', 0x1f, b'a', 0x80, 0x1e, b'-'] {
                    let mut b: Vec<u8> = (0..len).map(|k| b"xA z\x7f\xc3+-"[k % 8]).collect();
                    if let Some(slot) = b.get_mut(at) {
                        *slot = sep;
                    }
                    let want = b
                        .iter()
                        .position(|c| matches!(c, b';' | b'|' | b',' | 0x1f))
                        .unwrap_or(b.len());
                    assert_eq!(super::next_separator(&b), want, "{b:?}");
                    let non_ascii = b.iter().take(want).any(|c| *c >= 0x80);
                    assert_eq!(super::next_item(&b), (want, non_ascii), "{b:?}");
                }
            }
        }
    }

    #[test]
    fn set_items_match_the_model() {
        for raw in [
            "",
            "aa;a",
            "ba, ab ,a",
            "xa|ax",
            "a",
            " a ; b|c,d\u{1f}e",
            ";;a;;",
            "\u{a0}x\u{a0}| y ,",
            "Zürich; Straße ",
            ",",
            " ",
        ] {
            let fast: Vec<&str> = set_items(raw).collect();
            let model: Vec<&str> = SetVal { raw }.items().collect();
            assert_eq!(fast, model, "{raw:?}");
            for needle in [
                "a", "b", "e", "x", "y", "Zürich", "Straße", "Stra", "ab", "a ; b",
            ] {
                assert_eq!(
                    set_items(raw).any(|x| x == needle),
                    SetVal { raw }.contains(needle),
                    "{raw:?} {needle:?}"
                );
            }
        }
    }
}
