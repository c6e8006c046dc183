//! Compiled expressions: a flat arena of nodes with slot indices, evaluated without
//! allocation or name lookup.

use std::collections::HashMap;

use icp_base::{CmpOp, ContainsMode};
use icp_model::{ArithOp, Const, Expr, ExprKind, LetId, Program, SegmentId, Ty, Value};

use crate::text::{cmp_ci, contains_ci, eq_ci, trim};

/// Where a text or set value lives: a field of the row or a text constant of the plan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Src {
    /// Field slot of the row.
    Field(u32),
    /// Index into [`Code::texts`].
    Const(u32),
}

/// A value during evaluation; booleans that are unknown are `Missing`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum V {
    Missing,
    Bool(bool),
    Num(f64),
    Enum(u32),
    Text(Src),
    Set(Src),
}

impl V {
    fn is_missing(self) -> bool {
        matches!(self, V::Missing)
    }
    fn as_num(self) -> Option<f64> {
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
    Num(f64),
    /// Text constant index (its lowercase form is used for text, the original for sets).
    Text(u32),
    /// An enum variant, with the strings it reads (for sets of enums).
    Enum(u32, Vec<String>),
    Bool(bool),
    Missing,
}

/// One node of the arena.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Const(V),
    Field(u32),
    Let(u32),
    Seg(u32),
    Score,
    GroupScore(u32),
    Not(u32),
    Neg(u32),
    And(u32, u32),
    Or(u32, u32),
    Cmp(CmpOp, u32, u32),
    /// `field OP number` (the commonest criterion shape).
    CmpFieldNum(CmpOp, u32, f64),
    /// `x OP number` for any other numeric `x` (e.g. `(marketers ?? 0) >= 1`).
    CmpNum(CmpOp, u32, f64),
    /// `let OP number`.
    CmpLetNum(CmpOp, u32, f64),
    /// `field OP enum-variant` (e.g. `funding == public`): field, variant index.
    CmpFieldEnum(CmpOp, u32, u32),
    /// `field in [variants]` with only enum variants below 64: field, bit mask of them.
    InEnumField(u32, u64),
    /// `field == "text"` (negated: `!=`): field, text constant.
    EqFieldText(bool, u32, u32),
    /// `field is missing`.
    IsMissingField(u32),
    Arith(ArithOp, u32, u32),
    Coalesce(u32, u32),
    InRange(u32, u32, u32),
    /// `field in lo..hi` with constant bounds.
    InRangeFieldNum(u32, f64, f64),
    /// `x in [..]` with arbitrary items: `args[start..start+len]`.
    InList(u32, u32, u32),
    /// `x in [..]` with constant items: `lists[idx]`.
    InConst(u32, u32),
    /// `x contains ..`: expr, mode, set (vs text), args range.
    Contains(u32, ContainsMode, bool, u32, u32),
    /// `x contains ..` with constant needles: expr, mode, set (vs text), `lists[idx]`.
    ContainsConst(u32, ContainsMode, bool, u32),
    IsMissing(u32),
    /// `set-field contains ..` with text needles, as a mask test on the row's
    /// [`SetSplit`]: split slot, the original `ContainsConst` node (for the general path),
    /// the needles' bits in the field's [`SetDict`], mode, and whether a needle is missing.
    SetMask(u32, u32, u64, ContainsMode, bool),
    /// `text-field in [texts]`: field, `text_lists[idx]`, whether an item is missing.
    InTextField(u32, u32, bool),
}

/// Run-time slots an expression may read besides the row.
pub(crate) struct Env<'s> {
    pub lets: &'s [V],
    pub segs: &'s [V],
    pub score: f64,
    pub groups: &'s [Option<f64>],
    /// Set fields of this row already split into items (see [`SetSplit`]).
    pub sets: &'s [SetSplit],
}

impl Env<'_> {
    pub(crate) const EMPTY: Env<'static> = Env {
        lets: &[],
        segs: &[],
        score: 0.0,
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
    /// Not a set in this row, or an item has a non-ASCII end (it may need Unicode
    /// trimming): the general path decides, as `texts_found` does on its own.
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
    pub field: u32,
    /// Trimmed needles as written (set items compare exactly).
    pub needles: Vec<String>,
    /// Per needle, its length and [`prefix`].
    pub keys: Vec<(usize, u64)>,
    /// By byte length: the bits of the needles of that length.
    pub by_len: Vec<u64>,
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
    /// are exactly those `texts_found` splits off: the trimmed parts between separators,
    /// empty ones skipped, and a non-ASCII end sends the set to the general path.
    pub(crate) fn fill(&mut self, dict: &SetDict, row: &[Value<'_>]) {
        self.mask = 0;
        let set = match row.get(dict.field as usize) {
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
        self.state = SetState::Other;
        let bytes = set.raw.as_bytes();
        let mut mask = 0u64;
        let mut start = 0;
        while start <= bytes.len() {
            let rest = bytes.get(start..).unwrap_or_default();
            let len = next_separator(rest);
            let x = rest.get(..len).unwrap_or_default().trim_ascii();
            start += len + 1;
            match (x.first(), x.last()) {
                (Some(f), Some(l)) if *f >= 0x80 || *l >= 0x80 => return,
                (Some(_), Some(_)) => {}
                _ => continue,
            }
            // Only needles of the item's length, and their first eight bytes first: most
            // items match no needle.
            let mut candidates = dict.by_len.get(x.len()).copied().unwrap_or(0);
            if candidates == 0 {
                continue;
            }
            let key = (x.len(), prefix(x));
            while candidates != 0 {
                let k = candidates.trailing_zeros();
                candidates &= candidates - 1;
                if let (Some(n), Some(nkey)) =
                    (dict.needles.get(k as usize), dict.keys.get(k as usize))
                    && *nkey == key
                    && (x.len() <= 8 || n.as_bytes() == x)
                {
                    mask |= 1 << k;
                }
            }
        }
        self.mask = mask;
        self.state = SetState::Ready;
    }
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
    /// Text constants: (trimmed original, lowercase).
    pub texts: Vec<(String, String)>,
    pub args: Vec<u32>,
    pub lists: Vec<Vec<Item>>,
    /// Text items of `InTextField` lists: (trimmed lowercase, whether ASCII).
    pub text_lists: Vec<Vec<(String, bool)>>,
    /// Needles of each set field tested by `SetMask` nodes; index = split slot.
    pub set_dicts: Vec<SetDict>,
}

/// Compiles expressions of one profile into a [`Code`].
pub(crate) struct Compiler<'p> {
    pub program: &'p Program,
    pub code: Code,
    /// Segment id → slot, for segments compiled (or being compiled).
    pub seg_slots: HashMap<SegmentId, u32>,
    /// Segments in evaluation order: (id, node, fields read).
    pub segs: Vec<(SegmentId, u32)>,
    in_progress: Vec<SegmentId>,
    /// Fields read by each let (transitively), for explanations.
    pub let_fields: Vec<Vec<u32>>,
    /// Fields read by each segment slot (transitively).
    pub seg_fields: HashMap<u32, Vec<u32>>,
    today: f64,
}

impl<'p> Compiler<'p> {
    pub(crate) fn new(program: &'p Program, today: f64) -> Self {
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

    fn push(&mut self, n: Node) -> u32 {
        self.code.nodes.push(n);
        (self.code.nodes.len() - 1) as u32
    }

    fn text_const(&mut self, s: &str) -> u32 {
        let t = trim(s);
        if let Some(i) = self.code.texts.iter().position(|(o, _)| o == t) {
            return i as u32;
        }
        self.code.texts.push((t.to_owned(), t.to_lowercase()));
        (self.code.texts.len() - 1) as u32
    }

    fn const_value(&mut self, c: &Const) -> V {
        match c {
            Const::Missing => V::Missing,
            Const::Bool(b) => V::Bool(*b),
            Const::Num(n) => V::Num(*n),
            Const::Text(s) => V::Text(Src::Const(self.text_const(s))),
            Const::Date(d) => V::Num(f64::from(d.0)),
            Const::Duration(d) => V::Num(*d as f64),
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
                self.code.texts.push((raw.clone(), raw.to_lowercase()));
                V::Set(Src::Const((self.code.texts.len() - 1) as u32))
            }
        }
    }

    /// Compile a constant into a prepared item (lists are flattened by the caller).
    fn item(&mut self, c: &Const) -> Item {
        match c {
            Const::Missing | Const::List(_) => Item::Missing,
            Const::Bool(b) => Item::Bool(*b),
            Const::Num(n) => Item::Num(*n),
            Const::Date(d) => Item::Num(f64::from(d.0)),
            Const::Duration(d) => Item::Num(*d as f64),
            Const::Text(s) => Item::Text(self.text_const(s)),
            Const::Enum(e, i) => {
                let strings = self
                    .program
                    .enum_ty(*e)
                    .and_then(|t| t.variants.get(*i as usize))
                    .map(|v| {
                        std::iter::once(v.name.to_lowercase())
                            .chain(v.strings.iter().map(|s| trim(s).to_lowercase()))
                            .collect()
                    })
                    .unwrap_or_default();
                Item::Enum(*i, strings)
            }
        }
    }

    fn node_const(&self, n: u32) -> Option<V> {
        match self.code.nodes.get(n as usize) {
            Some(Node::Const(v)) => Some(*v),
            _ => None,
        }
    }

    /// Fold a node whose operands are all constants.
    fn fold(&mut self, n: Node, operands: &[u32]) -> u32 {
        if operands.iter().all(|&o| self.node_const(o).is_some()) {
            self.code.nodes.push(n);
            let idx = (self.code.nodes.len() - 1) as u32;
            let v = self.code.ev(idx, &[], &Env::EMPTY);
            self.code.nodes.pop();
            return self.push(Node::Const(v));
        }
        self.push(n)
    }

    /// Compile a list of items (needles or candidates): constants become prepared items.
    fn items(
        &mut self,
        exprs: &[Expr],
        ctx: Ctx,
        fields: &mut Vec<u32>,
    ) -> Result<u32, (u32, u32)> {
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
            return Ok((self.code.lists.len() - 1) as u32);
        }
        let nodes: Vec<u32> = exprs.iter().map(|e| self.expr(e, ctx, fields)).collect();
        let start = self.code.args.len() as u32;
        self.code.args.extend(nodes);
        Err((start, exprs.len() as u32))
    }

    /// The items of constant list `idx` as (trimmed lowercase, ASCII) pairs, and whether
    /// one is missing; `None` unless every item is text or missing.
    fn text_list(&self, idx: u32) -> Option<(Vec<(String, bool)>, bool)> {
        let mut out = Vec::new();
        let mut missing = false;
        for it in self.code.lists.get(idx as usize)? {
            match it {
                Item::Text(i) => {
                    let (_, lower) = self.code.const_text(*i);
                    let lower = trim(lower);
                    out.push((lower.to_owned(), lower.is_ascii()));
                }
                Item::Missing => missing = true,
                _ => return None,
            }
        }
        Some((out, missing))
    }

    /// Compile a segment (and the ones it refers to) and return its slot.
    pub(crate) fn segment(&mut self, id: SegmentId) -> Option<u32> {
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
        let slot = self.segs.len() as u32;
        self.segs.push((id, node));
        self.seg_slots.insert(id, slot);
        fields.sort_unstable();
        fields.dedup();
        self.seg_fields.insert(slot, fields);
        Some(slot)
    }

    /// Compile an expression; `fields` collects every field it reads (transitively).
    #[expect(
        clippy::many_single_char_names,
        reason = "operands are clearest as a, b, x, l, h"
    )]
    pub(crate) fn expr(&mut self, e: &Expr, ctx: Ctx, fields: &mut Vec<u32>) -> u32 {
        match &e.kind {
            ExprKind::Const(c) => {
                let v = self.const_value(c);
                self.push(Node::Const(v))
            }
            ExprKind::Field(f) => {
                fields.push(f.0);
                self.push(Node::Field(f.0))
            }
            ExprKind::Let(LetId(i)) => {
                if (*i as usize) < ctx.lets {
                    if let Some(fs) = self.let_fields.get(*i as usize) {
                        fields.extend(fs.iter().copied());
                    }
                    self.push(Node::Let(*i))
                } else {
                    self.push(Node::Const(V::Missing))
                }
            }
            ExprKind::Segment(id) => match self.segment(*id) {
                Some(slot) => {
                    if let Some(fs) = self.seg_fields.get(&slot) {
                        fields.extend(fs.iter().copied());
                    }
                    self.push(Node::Seg(slot))
                }
                None => self.push(Node::Const(V::Missing)),
            },
            ExprKind::Today => self.push(Node::Const(V::Num(self.today))),
            ExprKind::Score if ctx.scores => self.push(Node::Score),
            ExprKind::GroupScore(g) if ctx.scores => self.push(Node::GroupScore(g.0)),
            ExprKind::Score | ExprKind::GroupScore(_) => self.push(Node::Const(V::Missing)),
            ExprKind::Not(a) => {
                let a = self.expr(a, ctx, fields);
                self.fold(Node::Not(a), &[a])
            }
            ExprKind::Neg(a) => {
                let a = self.expr(a, ctx, fields);
                self.fold(Node::Neg(a), &[a])
            }
            ExprKind::And(a, b) => {
                let a = self.expr(a, ctx, fields);
                let b = self.expr(b, ctx, fields);
                if self.node_const(a) == Some(V::Bool(false))
                    || self.node_const(b) == Some(V::Bool(false))
                {
                    return self.push(Node::Const(V::Bool(false)));
                }
                if self.node_const(a) == Some(V::Bool(true)) {
                    return b;
                }
                self.fold(Node::And(a, b), &[a, b])
            }
            ExprKind::Or(a, b) => {
                let a = self.expr(a, ctx, fields);
                let b = self.expr(b, ctx, fields);
                if self.node_const(a) == Some(V::Bool(true))
                    || self.node_const(b) == Some(V::Bool(true))
                {
                    return self.push(Node::Const(V::Bool(true)));
                }
                if self.node_const(a) == Some(V::Bool(false)) {
                    return b;
                }
                self.fold(Node::Or(a, b), &[a, b])
            }
            ExprKind::Cmp(op, a, b) => {
                let na = self.expr(a, ctx, fields);
                let nb = self.expr(b, ctx, fields);
                let field_of = |c: &Self, n: u32| match c.code.nodes.get(n as usize) {
                    Some(Node::Field(f)) => Some(*f),
                    _ => None,
                };
                let let_of = |c: &Self, n: u32| match c.code.nodes.get(n as usize) {
                    Some(Node::Let(l)) => Some(*l),
                    _ => None,
                };
                if is_num_ty(&a.ty) || is_num_ty(&b.ty) {
                    if let (Some(f), Some(V::Num(k))) = (field_of(self, na), self.node_const(nb)) {
                        return self.push(Node::CmpFieldNum(*op, f, k));
                    }
                    if let (Some(V::Num(k)), Some(f)) = (self.node_const(na), field_of(self, nb)) {
                        return self.push(Node::CmpFieldNum(flip(*op), f, k));
                    }
                    if let (Some(l), Some(V::Num(k))) = (let_of(self, na), self.node_const(nb)) {
                        return self.push(Node::CmpLetNum(*op, l, k));
                    }
                    if self.node_const(na).is_none()
                        && let Some(V::Num(k)) = self.node_const(nb)
                    {
                        return self.push(Node::CmpNum(*op, na, k));
                    }
                }
                // `compare` of an enum with an enum constant: `Enum(a)` compares indices,
                // anything else (missing included) is unknown; the leaf does the same.
                if let (Some(f), Some(V::Enum(k))) = (field_of(self, na), self.node_const(nb)) {
                    return self.push(Node::CmpFieldEnum(*op, f, k));
                }
                if let (Some(V::Enum(k)), Some(f)) = (self.node_const(na), field_of(self, nb)) {
                    return self.push(Node::CmpFieldEnum(flip(*op), f, k));
                }
                if matches!(op, CmpOp::Eq | CmpOp::Ne)
                    && let (Some(f), Some(V::Text(Src::Const(t)))) =
                        (field_of(self, na), self.node_const(nb))
                {
                    return self.push(Node::EqFieldText(*op == CmpOp::Ne, f, t));
                }
                self.fold(Node::Cmp(*op, na, nb), &[na, nb])
            }
            ExprKind::Arith(op, a, b) => {
                let a = self.expr(a, ctx, fields);
                let b = self.expr(b, ctx, fields);
                self.fold(Node::Arith(*op, a, b), &[a, b])
            }
            ExprKind::Coalesce(a, b) => {
                let a = self.expr(a, ctx, fields);
                let b = self.expr(b, ctx, fields);
                match self.node_const(a) {
                    Some(V::Missing) => b,
                    Some(_) => a,
                    None => self.push(Node::Coalesce(a, b)),
                }
            }
            ExprKind::InRange { expr, lo, hi } => {
                let x = self.expr(expr, ctx, fields);
                let l = self.expr(lo, ctx, fields);
                let h = self.expr(hi, ctx, fields);
                if let (Some(Node::Field(f)), Some(V::Num(lv)), Some(V::Num(hv))) = (
                    self.code.nodes.get(x as usize),
                    self.node_const(l),
                    self.node_const(h),
                ) {
                    let f = *f;
                    return self.push(Node::InRangeFieldNum(f, lv, hv));
                }
                self.fold(Node::InRange(x, l, h), &[x, l, h])
            }
            ExprKind::InList { expr, list } => {
                let x = self.expr(expr, ctx, fields);
                match self.items(list, ctx, fields) {
                    Ok(idx) => {
                        if let (Some(Node::Field(f)), Some(mask)) = (
                            self.code.nodes.get(x as usize),
                            self.code.lists.get(idx as usize).and_then(|l| enum_mask(l)),
                        ) {
                            let f = *f;
                            return self.push(Node::InEnumField(f, mask));
                        }
                        if let (Some(Node::Field(f)), Ty::Text) =
                            (self.code.nodes.get(x as usize), &expr.ty)
                            && let Some((items, missing)) = self.text_list(idx)
                        {
                            let f = *f;
                            self.code.text_lists.push(items);
                            let t = (self.code.text_lists.len() - 1) as u32;
                            return self.push(Node::InTextField(f, t, missing));
                        }
                        self.fold(Node::InConst(x, idx), &[x])
                    }
                    Err((start, len)) => self.push(Node::InList(x, start, len)),
                }
            }
            ExprKind::Contains {
                expr,
                mode,
                needles,
            } => {
                let set = matches!(expr.ty, Ty::Set(_));
                let x = self.expr(expr, ctx, fields);
                match self.items(needles, ctx, fields) {
                    Ok(idx) => self.fold(Node::ContainsConst(x, *mode, set, idx), &[x]),
                    Err((start, len)) => self.push(Node::Contains(x, *mode, set, start, len)),
                }
            }
            ExprKind::IsMissing(a) => {
                let a = self.expr(a, ctx, fields);
                if let Some(Node::Field(f)) = self.code.nodes.get(a as usize) {
                    let f = *f;
                    return self.push(Node::IsMissingField(f));
                }
                self.fold(Node::IsMissing(a), &[a])
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

/// `x OP y` as `ev` computes it: missing when an operand is, on division by zero, and
/// when the result is not a number.
#[inline]
fn arith(op: ArithOp, x: Option<f64>, y: Option<f64>) -> Option<f64> {
    let (x, y) = (x?, y?);
    let r = match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div if y == 0.0 => return None,
        ArithOp::Div => x / y,
    };
    (!r.is_nan()).then_some(r)
}

fn cmp_num(op: CmpOp, a: f64, b: f64) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
    }
}

fn cmp_ord(op: CmpOp, o: std::cmp::Ordering) -> bool {
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
pub(crate) fn field(row: &[Value<'_>], f: u32) -> V {
    match row.get(f as usize) {
        Some(Value::Num(n)) => V::Num(*n),
        Some(Value::Bool(b)) => V::Bool(*b),
        Some(Value::Enum(e)) => V::Enum(*e),
        Some(Value::Text(_)) => V::Text(Src::Field(f)),
        Some(Value::Set(_)) => V::Set(Src::Field(f)),
        Some(Value::Missing) | None => V::Missing,
    }
}

#[inline]
fn num(row: &[Value<'_>], f: u32) -> Option<f64> {
    match row.get(f as usize) {
        Some(Value::Num(n)) => Some(*n),
        _ => None,
    }
}

impl Code {
    /// The text of a source (the raw text for sets).
    pub(crate) fn text<'s>(&'s self, src: Src, row: &'s [Value<'s>]) -> &'s str {
        match src {
            Src::Field(f) => match row.get(f as usize) {
                Some(Value::Text(t)) => t,
                Some(Value::Set(s)) => s.raw,
                _ => "",
            },
            Src::Const(i) => self.texts.get(i as usize).map_or("", |(o, _)| o.as_str()),
        }
    }

    /// The lowercase text of a source where it is a constant, else the text.
    fn text_lower<'s>(&'s self, src: Src, row: &'s [Value<'s>]) -> &'s str {
        match src {
            Src::Const(i) => self.texts.get(i as usize).map_or("", |(_, l)| l.as_str()),
            Src::Field(_) => self.text(src, row),
        }
    }

    fn const_text(&self, i: u32) -> (&str, &str) {
        self.texts
            .get(i as usize)
            .map_or(("", ""), |(o, l)| (o.as_str(), l.as_str()))
    }

    #[inline]
    fn arg(&self, i: u32) -> u32 {
        self.args.get(i as usize).copied().unwrap_or(u32::MAX)
    }

    /// Evaluate node `n` on `row`. Leaves are evaluated in line; inner nodes out of line.
    #[expect(
        clippy::inline_always,
        reason = "the hot path: leaves must not cost a call"
    )]
    #[inline(always)]
    pub(crate) fn ev(&self, n: u32, row: &[Value<'_>], env: &Env<'_>) -> V {
        let Some(node) = self.nodes.get(n as usize) else {
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
            Node::Const(v) => *v,
            Node::Field(f) => field(row, *f),
            Node::Let(i) => env.lets.get(*i as usize).copied().unwrap_or(V::Missing),
            Node::Seg(i) => env.segs.get(*i as usize).copied().unwrap_or(V::Missing),
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
            Node::Const(V::Bool(b)) => Tri::from(*b),
            Node::CmpFieldNum(op, f, k) => match num(row, *f) {
                Some(x) => Tri::from(cmp_num(*op, x, *k)),
                None => Tri::Unknown,
            },
            Node::CmpLetNum(op, l, k) => match env.lets.get(*l as usize) {
                Some(V::Num(x)) => Tri::from(cmp_num(*op, *x, *k)),
                _ => Tri::Unknown,
            },
            Node::InRangeFieldNum(f, lo, hi) => match num(row, *f) {
                Some(x) => Tri::from(*lo <= x && x <= *hi),
                None => Tri::Unknown,
            },
            Node::CmpFieldEnum(op, f, k) => match row.get(*f as usize) {
                Some(Value::Enum(e)) => Tri::from(cmp_ord(*op, e.cmp(k))),
                _ => Tri::Unknown,
            },
            // As `InConst` with enum items: a variant is in the list or not, a missing value
            // is unknown, and a value of another type equals no variant.
            Node::InEnumField(f, mask) => match row.get(*f as usize) {
                Some(Value::Enum(e)) => Tri::from(*e < 64 && mask >> e & 1 == 1),
                Some(Value::Missing) | None => Tri::Unknown,
                Some(_) => Tri::False,
            },
            Node::IsMissingField(f) => {
                Tri::from(matches!(row.get(*f as usize), Some(Value::Missing) | None))
            }
            Node::SetMask(slot, _, needles, mode, unknown) => match env.sets.get(*slot as usize) {
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
            Node::InTextField(f, t, missing) => match row.get(*f as usize) {
                Some(Value::Text(x)) => self.in_text(x, *t, *missing),
                Some(Value::Missing) | None => Tri::Unknown,
                Some(_) if *missing => Tri::Unknown,
                Some(_) => Tri::False,
            },
            Node::EqFieldText(negate, f, t) => match row.get(*f as usize) {
                Some(Value::Text(x)) => Tri::from(
                    eq_ci(
                        x,
                        self.texts.get(*t as usize).map_or("", |(_, l)| l.as_str()),
                    ) != *negate,
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
    pub(crate) fn truth(&self, n: u32, row: &[Value<'_>], env: &Env<'_>) -> Tri {
        let Some(node) = self.nodes.get(n as usize) else {
            return Tri::Unknown;
        };
        match self.bool_leaf(node, row, env) {
            Some(t) => t,
            None => self.truth_inner(n, node, row, env),
        }
    }

    /// [`Code::truth`] of the nodes that are not boolean leaves.
    #[inline(never)]
    fn truth_inner(&self, n: u32, node: &Node, row: &[Value<'_>], env: &Env<'_>) -> Tri {
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
            Node::And(a, b) => {
                let x = self.truth(*a, row, env);
                if x == Tri::False {
                    return Some(x);
                }
                match (x, self.truth(*b, row, env)) {
                    (_, Tri::False) => Tri::False,
                    (Tri::True, Tri::True) => Tri::True,
                    _ => Tri::Unknown,
                }
            }
            Node::Or(a, b) => {
                let x = self.truth(*a, row, env);
                if x == Tri::True {
                    return Some(x);
                }
                match (x, self.truth(*b, row, env)) {
                    (_, Tri::True) => Tri::True,
                    (Tri::False, Tri::False) => Tri::False,
                    _ => Tri::Unknown,
                }
            }
            Node::Not(a) => match self.truth(*a, row, env) {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                Tri::Unknown => Tri::Unknown,
            },
            // `compare` with a number: two numbers compare, any other pair is unknown.
            Node::CmpNum(op, a, k) => match self.num(*a, row, env) {
                Some(x) => Tri::from(cmp_num(*op, x, *k)),
                None => Tri::Unknown,
            },
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
    pub(crate) fn num(&self, n: u32, row: &[Value<'_>], env: &Env<'_>) -> Option<f64> {
        match self.nodes.get(n as usize)? {
            Node::Field(f) => num(row, *f),
            Node::Const(V::Num(k)) => Some(*k),
            Node::Let(i) => match env.lets.get(*i as usize) {
                Some(V::Num(x)) => Some(*x),
                _ => None,
            },
            node => self.num_inner(n, node, row, env),
        }
    }

    /// [`Code::num`] of the nodes that are not numeric leaves.
    #[inline(never)]
    fn num_inner(&self, n: u32, node: &Node, row: &[Value<'_>], env: &Env<'_>) -> Option<f64> {
        match node {
            // `ev` gives a number or missing, from whether both operands are numbers.
            Node::Arith(op, a, b) => arith(*op, self.num(*a, row, env), self.num(*b, row, env)),
            Node::Neg(a) => self.num(*a, row, env).map(|x| -x),
            // `a ?? b` is `b` exactly when `a` is missing: known without `ev` for a field.
            Node::Coalesce(lhs, rhs) => {
                if let Some(Node::Field(f)) = self.nodes.get(*lhs as usize) {
                    match row.get(*f as usize) {
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
            Node::GroupScore(g) => match env.groups.get(*g as usize) {
                Some(Some(s)) => V::Num(*s),
                _ => V::Missing,
            },
            Node::Not(_) | Node::And(..) | Node::Or(..) | Node::CmpNum(..) => {
                self.logic(node, row, env).map_or(V::Missing, Tri::value)
            }
            Node::Neg(a) => match self.ev(*a, row, env) {
                V::Num(x) => V::Num(-x),
                _ => V::Missing,
            },
            Node::Arith(op, a, b) => {
                match arith(*op, self.num(*a, row, env), self.num(*b, row, env)) {
                    Some(r) => V::Num(r),
                    None => V::Missing,
                }
            }
            Node::Coalesce(a, b) => match self.ev(*a, row, env) {
                V::Missing => self.ev(*b, row, env),
                v => v,
            },
            Node::IsMissing(a) => V::Bool(self.ev(*a, row, env).is_missing()),
            _ => self.ev_slow(node, row, env),
        }
    }

    /// The rarer, heavier nodes, out of line so that [`Code::ev`] stays small.
    #[inline(never)]
    fn ev_slow(&self, node: &Node, row: &[Value<'_>], env: &Env<'_>) -> V {
        match node {
            // The mask could not decide this row (see `SetState::Other`).
            Node::SetMask(_, original, ..) => self.ev(*original, row, env),
            Node::Cmp(op, a, b) => {
                let (x, y) = (self.ev(*a, row, env), self.ev(*b, row, env));
                self.compare(*op, x, y, row)
            }
            Node::InRange(x, lo, hi) => {
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
            Node::InConst(x, idx) => {
                let x = self.ev(*x, row, env);
                if x.is_missing() {
                    return V::Missing;
                }
                let items = self.lists.get(*idx as usize).map_or(&[][..], Vec::as_slice);
                let mut unknown = false;
                for it in items {
                    match self.item_eq(x, it, row) {
                        V::Bool(true) => return V::Bool(true),
                        V::Bool(false) => {}
                        _ => unknown = true,
                    }
                }
                if unknown { V::Missing } else { V::Bool(false) }
            }
            Node::InList(x, start, len) => {
                let x = self.ev(*x, row, env);
                if x.is_missing() {
                    return V::Missing;
                }
                let mut unknown = false;
                for k in *start..start.saturating_add(*len) {
                    let y = self.ev(self.arg(k), row, env);
                    match self.compare(CmpOp::Eq, x, y, row) {
                        V::Bool(true) => return V::Bool(true),
                        V::Bool(false) => {}
                        _ => unknown = true,
                    }
                }
                if unknown { V::Missing } else { V::Bool(false) }
            }
            Node::ContainsConst(x, mode, set, idx) => {
                let hay = self.ev(*x, row, env);
                if hay.is_missing() {
                    return V::Missing;
                }
                let items = self.lists.get(*idx as usize).map_or(&[][..], Vec::as_slice);
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
            Node::Contains(x, mode, set, start, len) => {
                let hay = self.ev(*x, row, env);
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
    fn in_text(&self, x: &str, list: u32, missing: bool) -> Tri {
        let items = self
            .text_lists
            .get(list as usize)
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
        if missing { Tri::Unknown } else { Tri::False }
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
            Item::Text(i) => self.const_text(*i).0 == x,
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
    /// of the set `raw`. The set is split on bytes, without building `&str` items: the
    /// separators are ASCII, and an item whose trimmed ends are ASCII is exactly what
    /// [`set_items`] yields. `None` (use the general path) for other needles, or when an
    /// item has a non-ASCII end (it may need Unicode trimming).
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
            match (x.first(), x.last()) {
                (Some(f), Some(l)) if *f >= 0x80 || *l >= 0x80 => return None,
                (Some(_), Some(_)) => {}
                // Empty items are skipped, as `set_items` does.
                _ => continue,
            }
            for (k, it) in items.iter().enumerate() {
                if let Item::Text(i) = it
                    && self.const_text(*i).0.as_bytes() == x
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
            let Some(&Node::ContainsConst(x, mode, true, idx)) = self.nodes.get(n) else {
                continue;
            };
            let Some(&Node::Field(f)) = self.nodes.get(x as usize) else {
                continue;
            };
            let Some(items) = self.lists.get(idx as usize) else {
                continue;
            };
            let texts: Option<Vec<String>> = items
                .iter()
                .filter(|i| !matches!(i, Item::Missing))
                .map(|i| match i {
                    Item::Text(t) => Some(self.const_text(*t).0.to_owned()),
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
                let k = match dict.needles.iter().position(|d| *d == t) {
                    Some(k) => k,
                    None if dict.needles.len() < 64 => {
                        if dict.by_len.len() <= t.len() {
                            dict.by_len.resize(t.len() + 1, 0);
                        }
                        if let Some(m) = dict.by_len.get_mut(t.len()) {
                            *m |= 1 << dict.needles.len();
                        }
                        dict.keys.push((t.len(), prefix(t.as_bytes())));
                        dict.needles.push(t);
                        dict.needles.len() - 1
                    }
                    None => {
                        fits = false;
                        break;
                    }
                };
                needles |= 1 << k;
            }
            if !fits {
                continue;
            }
            let original = self.nodes.len() as u32;
            self.nodes.push(Node::ContainsConst(x, mode, true, idx));
            if let Some(slot_node) = self.nodes.get_mut(n) {
                *slot_node = Node::SetMask(slot as u32, original, needles, mode, unknown);
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
                let (orig, lower) = self.const_text(*i);
                if set {
                    V::Bool(set_items(h).any(|x| x == orig))
                } else {
                    V::Bool(contains_ci(h, lower))
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
                    let n = trim(n);
                    V::Bool(set_items(h).any(|x| x == n))
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
                let same = set_items(a).all(|i| set_items(b).any(|j| i == j))
                    && set_items(b).all(|j| set_items(a).any(|i| i == j));
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
/// Eight bytes at a time in a `u64`: the lowest flagged byte of each of the four masks is
/// exact (see [`zero_bytes`]), so the lowest of them all is the first separator.
fn next_separator(b: &[u8]) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    let [semi, bar, comma, unit] = [b';', b'|', b',', 0x1f].map(|c| LO * u64::from(c));
    let mut i = 0;
    while let Some(Ok(chunk)) = b.get(i..i + 8).map(<[u8; 8]>::try_from) {
        let word = u64::from_le_bytes(chunk);
        let found = zero_bytes(word ^ semi)
            | zero_bytes(word ^ bar)
            | zero_bytes(word ^ comma)
            | zero_bytes(word ^ unit);
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let tail = b.get(i..).unwrap_or_default();
    i + tail
        .iter()
        .position(|c| matches!(c, b';' | b'|' | b',' | 0x1f))
        .unwrap_or(tail.len())
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
    use super::set_items;
    use icp_model::SetVal;

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
