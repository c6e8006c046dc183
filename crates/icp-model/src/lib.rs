//! The checked program: what `icp-check` produces once every name is resolved and every
//! expression typed, and what `icp-eval`, `icp-data` and `icp-lsp` consume.
//!
//! **Architecture invariant**: a [`Program`] only exists for sources without errors in the
//! items it holds; every id in it is valid, every expression is well typed, so consumers
//! index it without checks of their own (through `get`, never by panicking indexing).
//!
//! Numbers of every numeric type (`int`, `number`, `money`, `percent`) are exact decimals
//! ([`Decimal`], at least 28 significant digits; never binary floating point), and so are
//! weights, shares, thresholds and targets: `30% - 20% >= 10%` holds. A percent is stored as
//! a fraction (`70%` is `0.7`, `33.3%` is `0.333` exactly); dates and durations are whole
//! days (a [`Decimal`] without decimals in row values, so date arithmetic is plain
//! arithmetic).

use icp_base::{CmpOp, ContainsMode};
pub use icp_base::{Date, Decimal, FileId, Span, num};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub struct $name(pub u32);
        impl $name {
            /// The index as `usize`.
            pub fn index(self) -> usize { self.0 as usize }
        }
    )*};
}

ids! {
    /// Index into [`Program::schemas`].
    SchemaId;
    /// Index into [`Schema::fields`].
    FieldId;
    /// Index into [`Program::enums`].
    EnumId;
    /// Index into [`Program::segments`].
    SegmentId;
    /// Index into [`Program::situations`].
    SituationId;
    /// Index into [`Program::profiles`].
    ProfileId;
    /// Index into [`Profile::lets`].
    LetId;
    /// Index into [`Profile::groups`].
    GroupId;
}

/// Where a declaration is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Loc {
    /// The file.
    pub file: FileId,
    /// The span of the declaration's name.
    pub span: Span,
}

/// The whole checked program.
#[derive(Debug, Clone, Default)]
pub struct Program {
    /// Schemas.
    pub schemas: Vec<Schema>,
    /// Enum types (each enum field has its own).
    pub enums: Vec<EnumTy>,
    /// Segments.
    pub segments: Vec<Segment>,
    /// Situations.
    pub situations: Vec<Situation>,
    /// Profiles, each behind an `Arc`: an editor's incremental check shares a profile that
    /// did not change between one check and the next (and with its memo) instead of
    /// copying it.
    pub profiles: Vec<std::sync::Arc<Profile>>,
    /// Tests.
    pub tests: Vec<Test>,
}

impl Program {
    /// A schema by id.
    pub fn schema(&self, id: SchemaId) -> Option<&Schema> {
        self.schemas.get(id.index())
    }
    /// An enum by id.
    pub fn enum_ty(&self, id: EnumId) -> Option<&EnumTy> {
        self.enums.get(id.index())
    }
    /// A segment by id.
    pub fn segment(&self, id: SegmentId) -> Option<&Segment> {
        self.segments.get(id.index())
    }
    /// A situation by id.
    pub fn situation(&self, id: SituationId) -> Option<&Situation> {
        self.situations.get(id.index())
    }
    /// A profile by id.
    pub fn profile(&self, id: ProfileId) -> Option<&Profile> {
        self.profiles.get(id.index()).map(|p| &**p)
    }
    /// A profile by name.
    pub fn profile_named(&self, name: &str) -> Option<(ProfileId, &Profile)> {
        self.profiles
            .iter()
            .enumerate()
            .find(|(_, p)| p.name == name)
            .map(|(i, p)| (ProfileId(i as u32), &**p))
    }
}

/// Value types.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `number`
    Number,
    /// `money`
    Money,
    /// `percent` (a fraction)
    Percent,
    /// `text`
    Text,
    /// `date`
    Date,
    /// `duration` (days)
    Duration,
    /// An enum type.
    Enum(EnumId),
    /// `set<T>`
    Set(Box<Ty>),
    /// A list literal `[..]` (only as the right side of `in` / `contains any|all`).
    List(Box<Ty>),
}

impl Ty {
    /// Whether it is `int`, `number`, `money` or `percent`.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Number | Ty::Money | Ty::Percent)
    }
}

/// A schema: the shape of one account row.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Name.
    pub name: String,
    /// Declaration.
    pub loc: Loc,
    /// Fields in declaration order; [`FieldId`] indexes this.
    pub fields: Vec<Field>,
    /// The `key` field, echoed in every output row.
    pub key: Option<FieldId>,
}

impl Schema {
    /// A field by id.
    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.get(id.index())
    }
}

/// A field of a schema.
#[derive(Debug, Clone)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// Column to read (`from "..."`, else the field name).
    pub column: String,
    /// Type.
    pub ty: Ty,
    /// `T?`: may be missing.
    pub optional: bool,
    /// `as fraction` on a `percent` field: its cells hold fractions (`0.35` is 35 %).
    pub fraction: bool,
    /// Declaration.
    pub loc: Loc,
}

/// An enum type.
#[derive(Debug, Clone)]
pub struct EnumTy {
    /// Variants in order; a value `Enum(i)` is `variants[i]`.
    pub variants: Vec<VariantDef>,
    /// The `= _` variant, if any (never in an ordered enum).
    pub catch_all: Option<u32>,
    /// Declared with `<` (`none < seed < later`): `< <= > >=` and `in a..b` compare
    /// variants by their index, which is their declared position.
    pub ordered: bool,
}

/// An enum variant.
#[derive(Debug, Clone)]
pub struct VariantDef {
    /// Name.
    pub name: String,
    /// Strings it reads from besides its name (matched case-insensitively).
    pub strings: Vec<String>,
    /// Declaration.
    pub loc: Loc,
}

/// A constant value.
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    /// Missing (e.g. division by a constant zero).
    Missing,
    /// A boolean.
    Bool(bool),
    /// Any number (int, number, money, percent as a fraction), exactly.
    Num(Decimal),
    /// Text.
    Text(String),
    /// A date.
    Date(Date),
    /// Days.
    Duration(i64),
    /// Variant index of an enum.
    Enum(EnumId, u32),
    /// A list (of a list literal, or a set).
    List(Vec<Const>),
}

/// A typed expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type (a missing value is possible for every type).
    pub ty: Ty,
    /// Where it is written (in the file of the item that holds it).
    pub span: Span,
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (by zero: missing)
    Div,
}

/// The kinds of typed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A constant (literals, capabilities and folded sub-expressions).
    Const(Const),
    /// A field of the row.
    Field(FieldId),
    /// A `let` of the enclosing profile.
    Let(LetId),
    /// Membership in a segment (of the same schema).
    Segment(SegmentId),
    /// `today`.
    Today,
    /// `score` (tier conditions only).
    Score,
    /// `score.GROUP` (tier conditions only).
    GroupScore(GroupId),
    /// `not`
    Not(Box<Expr>),
    /// unary `-`
    Neg(Box<Expr>),
    /// `and` (three-valued)
    And(Box<Expr>, Box<Expr>),
    /// `or` (three-valued)
    Or(Box<Expr>, Box<Expr>),
    /// Comparison. Text compares case-insensitively, after trimming.
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// Arithmetic.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `a ?? b`
    Coalesce(Box<Expr>, Box<Expr>),
    /// `x in lo..hi` (inclusive). `not in` is `Not(InRange)`.
    InRange {
        /// Tested value.
        expr: Box<Expr>,
        /// Low end.
        lo: Box<Expr>,
        /// High end.
        hi: Box<Expr>,
    },
    /// `x in [..]`.
    InList {
        /// Tested value.
        expr: Box<Expr>,
        /// Candidates.
        list: Vec<Expr>,
    },
    /// `x contains y` / `contains any [..]` / `contains all [..]`: on a set, exact
    /// (case-sensitive) membership; on text, case-insensitive substring.
    Contains {
        /// The set or text.
        expr: Box<Expr>,
        /// One, any or all (`One` has a single needle).
        mode: ContainsMode,
        /// What is looked for.
        needles: Vec<Expr>,
    },
    /// `x is missing`. `is present` is `Not(IsMissing)`.
    IsMissing(Box<Expr>),
}

/// A segment: a named boolean over one schema.
#[derive(Debug, Clone)]
pub struct Segment {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Declaration.
    pub loc: Loc,
    /// Schema.
    pub schema: SchemaId,
    /// Condition (may refer to other segments, never in a cycle).
    pub cond: Expr,
}

/// A situation (Lincoln Murphy): timeframe, goals, milestones, capabilities.
#[derive(Debug, Clone)]
pub struct Situation {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Declaration.
    pub loc: Loc,
    /// Schema the goals count over.
    pub schema: SchemaId,
    /// First and last day, inclusive.
    pub timeframe: Option<(Date, Date)>,
    /// Goals.
    pub goals: Vec<Goal>,
    /// Milestones.
    pub milestones: Vec<Milestone>,
    /// Capabilities (facts), usable as `situation.NAME`.
    pub capabilities: Vec<(String, Const)>,
}

/// What a goal measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    /// Number of accounts.
    Count,
    /// Sum of a numeric field.
    Sum(FieldId),
}

/// `goal NAME METRIC OP TARGET where FILTER`.
#[derive(Debug, Clone)]
pub struct Goal {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Declaration.
    pub loc: Loc,
    /// Measure.
    pub metric: Metric,
    /// Comparison.
    pub op: CmpOp,
    /// Target.
    pub target: Decimal,
    /// Which accounts count.
    pub filter: Option<Expr>,
}

/// `milestone DATE GOAL OP TARGET`.
#[derive(Debug, Clone)]
pub struct Milestone {
    /// By when.
    pub date: Date,
    /// Index into [`Situation::goals`].
    pub goal: usize,
    /// Comparison.
    pub op: CmpOp,
    /// Target.
    pub target: Decimal,
    /// Declaration.
    pub loc: Loc,
}

/// A profile: targets, weighted criteria, exclusions and tiers.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Declaration.
    pub loc: Loc,
    /// Schema scored.
    pub schema: SchemaId,
    /// Situation it holds for.
    pub situation: Option<SituationId>,
    /// Target segments (any of them); empty means every account.
    pub targets: Vec<SegmentId>,
    /// Share of the weight a practical fit earns (a fraction, default 0.5).
    pub practical_share: Decimal,
    /// `let`s, in dependency order (a `let` only refers to earlier ones).
    pub lets: Vec<Let>,
    /// Groups.
    pub groups: Vec<Group>,
    /// Criteria in source order, grouped or not.
    pub criteria: Vec<Criterion>,
    /// Exclusions.
    pub excludes: Vec<Exclude>,
    /// Tiers in order; the last one is the catch-all.
    pub tiers: Vec<Tier>,
}

/// `let NAME = EXPR`.
#[derive(Debug, Clone)]
pub struct Let {
    /// Name.
    pub name: String,
    /// Declaration.
    pub loc: Loc,
    /// Value.
    pub expr: Expr,
}

/// A group of criteria (`score.NAME`).
#[derive(Debug, Clone)]
pub struct Group {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Declaration.
    pub loc: Loc,
}

/// A weighted criterion.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Declaration.
    pub loc: Loc,
    /// Weight (never zero; negative ones apply when true).
    pub weight: Decimal,
    /// Its own `practical_share` (a fraction), overriding the profile's; only on a
    /// scorecard with a `practical` branch.
    pub practical_share: Option<Decimal>,
    /// Its group.
    pub group: Option<GroupId>,
    /// Boolean or scorecard.
    pub body: CriterionBody,
}

impl Criterion {
    /// The share of the weight a practical fit earns: its own, else the profile's.
    pub fn share(&self, profile: &Profile) -> Decimal {
        self.practical_share.unwrap_or(profile.practical_share)
    }
}

/// A criterion body.
#[derive(Debug, Clone)]
pub enum CriterionBody {
    /// Full weight when true.
    Bool(Expr),
    /// Perfect: full weight; practical: `weight × practical_share`.
    Scorecard {
        /// Perfect fit.
        perfect: Expr,
        /// Practical fit.
        practical: Option<Expr>,
    },
}

/// An exclusion rule.
#[derive(Debug, Clone)]
pub struct Exclude {
    /// Name.
    pub name: String,
    /// Stated reason.
    pub reason: Option<String>,
    /// Declaration.
    pub loc: Loc,
    /// Excludes when true.
    pub cond: Expr,
}

/// A tier.
#[derive(Debug, Clone)]
pub struct Tier {
    /// Name.
    pub name: String,
    /// Action text for sales.
    pub action: Option<String>,
    /// Declaration.
    pub loc: Loc,
    /// How it is reached.
    pub rule: TierRule,
}

/// How a tier is reached.
#[derive(Debug, Clone)]
pub enum TierRule {
    /// Score (0..=100, unrounded) at least this.
    Threshold(Decimal),
    /// A condition over `score` and `score.GROUP`.
    When(Expr),
    /// Every remaining account.
    CatchAll,
}

/// A test of a profile on one account.
#[derive(Debug, Clone)]
pub struct Test {
    /// Name.
    pub name: String,
    /// Declaration.
    pub loc: Loc,
    /// Profile tested.
    pub profile: ProfileId,
    /// `today` for the test.
    pub as_of: Option<Date>,
    /// The account's values; fields not listed are missing.
    pub account: Vec<(FieldId, Const)>,
    /// Expectations.
    pub expects: Vec<Expect>,
}

/// One expectation.
#[derive(Debug, Clone)]
pub struct Expect {
    /// What is expected.
    pub kind: ExpectKind,
    /// Where.
    pub loc: Loc,
}

/// The forms of expectation.
#[derive(Debug, Clone)]
pub enum ExpectKind {
    /// The tier's name (also `excluded`, `out_of_segment`, `invalid`).
    Tier(String),
    /// A comparison of the score, a group score or the coverage (a fraction).
    Compare {
        /// Measured value.
        metric: ExpectMetric,
        /// Comparison.
        op: CmpOp,
        /// Against (score 0..=100, coverage as a fraction).
        value: Decimal,
    },
    /// A criterion or exclusion among the reasons.
    Reason(String),
    /// `excluded_by NAME`: the exclusion holds.
    ExcludedBy(String),
    /// `in_segment NAME`: the account is in the target segment.
    InSegment(String),
    /// `criterion NAME OUTCOME`: `true` (earns points), `false`, `unknown`, `perfect` (full
    /// weight) or `practical`.
    Criterion(String, String),
    /// `action "..."`: the tier's action text.
    Action(String),
}

/// What an expectation measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ExpectMetric {
    /// `score`
    Score,
    /// `score.GROUP`
    GroupScore(GroupId),
    /// `coverage`
    Coverage,
}

/// A value of one row, borrowed from the input; what `icp-data` decodes and `icp-eval`
/// reads. Dates and durations are whole days; every number is an exact [`Decimal`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// Missing (empty, `NA`, `null`, ...).
    Missing,
    /// A boolean.
    Bool(bool),
    /// A number, money, percent (fraction), date or duration (days), exactly.
    Num(Decimal),
    /// Text, trimmed.
    Text(&'a str),
    /// An enum variant index.
    Enum(u32),
    /// A set.
    Set(SetVal<'a>),
}

/// A set value: items separated by `;`, `|`, `,` or U+001F (the JSON reader joins array
/// items with U+001F); items are trimmed and empty ones skipped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SetVal<'a> {
    /// The raw text.
    pub raw: &'a str,
}

impl<'a> SetVal<'a> {
    /// Separator characters between items.
    pub const SEPARATORS: [char; 4] = [';', '|', ',', '\u{1f}'];

    /// The items.
    pub fn items(self) -> impl Iterator<Item = &'a str> {
        self.raw
            .split(Self::SEPARATORS)
            .map(|s| s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}'))
            .filter(|s| !s.is_empty())
    }

    /// Whether an item equals `needle` exactly (sets are case-sensitive).
    pub fn contains(self, needle: &str) -> bool {
        self.items().any(|i| i == needle)
    }
}
