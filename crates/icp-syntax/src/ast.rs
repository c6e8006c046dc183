//! The typed syntax tree. Every node carries a byte [`Span`]; `==` compares spans too,
//! [`crate::same_shape`] ignores them.
//!
//! The tree is what the source says, nothing resolved: a bare name may be a field, a `let`,
//! a segment or an enum variant, and the checker decides which.

use std::sync::Arc;

use crate::date::Date;
use crate::span::{HasSpan, Span};
pub use icp_base::num::Decimal;
pub use icp_base::ops::{BinOp, CmpOp, ContainsMode, UnaryOp};

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A string literal, unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    /// The value, escapes resolved.
    pub value: String,
    /// Where it is written, quotes included.
    pub span: Span,
}

/// One parsed file: its items in source order.
#[derive(Clone, PartialEq, Default)]
pub struct File {
    /// Top-level items that parsed, each with the clauses that parsed: a broken clause is
    /// left out of its item (and listed in `broken`), the rest of the item stays.
    pub items: Vec<Item>,
    /// Every item or clause that did not parse, in source order, with the name it declares
    /// when that name could be read. The checker treats those names as *poisoned*: their
    /// uses report nothing, since the one error is at the broken declaration.
    pub broken: Vec<Broken>,
}

impl std::fmt::Debug for File {
    /// As derived, but `broken` is shown only when something is broken.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("File");
        s.field("items", &self.items);
        if !self.broken.is_empty() {
            s.field("broken", &self.broken);
        }
        s.finish()
    }
}

/// An item or clause that did not parse (its syntax error is reported on its own).
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    /// What it is: the keyword that starts it (`profile`, `criterion`, `import`, ...), or
    /// `field` for a schema field.
    pub kind: BrokenKind,
    /// The name it declares, when the name could be read (`criterion fit wei` declares `fit`).
    pub name: Option<Ident>,
    /// The name of the item (and group, as `profile.group`) it sits in, for a clause.
    pub parent: Option<String>,
    /// Other names it may declare: the variants of a broken `enum` field.
    pub declares: Vec<Ident>,
    /// The whole broken text.
    pub span: Span,
}

/// What kind of declaration a [`Broken`] piece was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BrokenKind {
    /// A whole item whose header could not be read (`import`, `schema`, `situation`,
    /// `segment`, `profile`, `test`, or unknown text).
    Item(&'static str),
    /// A clause of an item (`field`, `timeframe`, `goal`, `criterion`, `tier`, ...).
    Clause(&'static str),
}

impl BrokenKind {
    /// The keyword, or `field`.
    pub fn keyword(self) -> &'static str {
        match self {
            BrokenKind::Item(k) | BrokenKind::Clause(k) => k,
        }
    }
}

/// A top-level item.
#[derive(Debug, Clone, PartialEq)]
///
/// Each item is behind an [`Arc`]: the editor's item cache ([`crate::ItemCache`]) and the
/// trees parsed through it share the items an edit did not touch, instead of each holding
/// a copy.
pub enum Item {
    /// `import "path.icp"`
    Import(Arc<Import>),
    /// `schema Name { ... }`
    Schema(Arc<Schema>),
    /// `situation name "title" for Schema { ... }`
    Situation(Arc<Situation>),
    /// `segment name "title" for Schema { cond }`
    Segment(Arc<Segment>),
    /// `profile name "title" for Schema in situation { ... }`
    Profile(Arc<Profile>),
    /// `test "name" { ... }`
    Test(Arc<Test>),
}

impl Item {
    /// The declared name (`None` for imports; a test's name is its string).
    pub fn name(&self) -> Option<&str> {
        match self {
            Item::Import(_) => None,
            Item::Schema(s) => Some(&s.name.name),
            Item::Situation(s) => Some(&s.name.name),
            Item::Segment(s) => Some(&s.name.name),
            Item::Profile(p) => Some(&p.name.name),
            Item::Test(t) => Some(&t.name.value),
        }
    }

    /// The item keyword.
    pub fn keyword(&self) -> &'static str {
        match self {
            Item::Import(_) => "import",
            Item::Schema(_) => "schema",
            Item::Situation(_) => "situation",
            Item::Segment(_) => "segment",
            Item::Profile(_) => "profile",
            Item::Test(_) => "test",
        }
    }
}

impl HasSpan for Item {
    fn span(&self) -> Span {
        match self {
            Item::Import(i) => i.span,
            Item::Schema(i) => i.span,
            Item::Situation(i) => i.span,
            Item::Segment(i) => i.span,
            Item::Profile(i) => i.span,
            Item::Test(i) => i.span,
        }
    }
}

/// `import "schema.icp"`
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The path, relative to the importing file.
    pub path: StrLit,
    /// The whole item.
    pub span: Span,
}

/// `schema Account { field: type ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// Schema name.
    pub name: Ident,
    /// Fields in order.
    pub fields: Vec<Field>,
    /// The whole item.
    pub span: Span,
}

/// `revenue: money? from "Annual Revenue" key`
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Field name.
    pub name: Ident,
    /// Declared type (with `?`).
    pub ty: TypeExpr,
    /// Column name in account files (`from "..."`); else the field name is used.
    pub from: Option<StrLit>,
    /// `key`: the account's identifier, echoed in every output row.
    pub key: Option<Span>,
    /// `as fraction`: a percent column holding fractions (`0.35` is 35 %).
    pub fraction: Option<Span>,
    /// The whole field.
    pub span: Span,
}

/// A written type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    /// The type.
    pub kind: TypeKind,
    /// Trailing `?`: the value may be missing.
    pub optional: bool,
    /// The whole type.
    pub span: Span,
}

/// The kinds of written type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `number`
    Number,
    /// `money`
    Money,
    /// `percent`
    Percent,
    /// `text`
    Text,
    /// `date`
    Date,
    /// `duration`
    Duration,
    /// `enum { a, b = "B", c = "C" | "See", other = _ }`, or ordered `enum { a < b < c }`
    Enum(EnumDecl),
    /// `set<T>`
    Set(Box<TypeExpr>),
    /// Any other name: an unknown type, reported by the checker with did-you-mean.
    Named(Ident),
}

/// The body of an `enum { .. }` type.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDecl {
    /// Variants in order.
    pub variants: Vec<Variant>,
    /// The `<` between variants (an ordered enum when there is any).
    pub less: Vec<Span>,
    /// The `,` between variants (a trailing `,` is not counted).
    pub commas: Vec<Span>,
}

impl EnumDecl {
    /// Whether the variants are declared in order (`a < b < c`).
    pub fn ordered(&self) -> bool {
        !self.less.is_empty()
    }
}

/// One enum variant and the strings it reads from.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Variant name.
    pub name: Ident,
    /// `= "Software" | "SaaS"`: the strings it matches besides its own name.
    pub strings: Vec<StrLit>,
    /// `= _`: the catch-all for every other value.
    pub catch_all: Option<Span>,
    /// The whole variant.
    pub span: Span,
}

/// `situation q1 "title" for Account { ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct Situation {
    /// Name.
    pub name: Ident,
    /// Optional title.
    pub title: Option<StrLit>,
    /// `for Schema`; else the only schema.
    pub schema: Option<Ident>,
    /// Clauses in order.
    pub clauses: Vec<SituationClause>,
    /// The whole item.
    pub span: Span,
}

/// A clause of a situation.
#[derive(Debug, Clone, PartialEq)]
pub enum SituationClause {
    /// `timeframe 2027-01-01 .. 2027-03-31`
    Timeframe(Timeframe),
    /// `goal new_arr sum(arr) >= $100k where stage == won`
    Goal(Goal),
    /// `milestone 2027-01-31 new_arr >= $34k`
    Milestone(Milestone),
    /// `capability full_ui = false`
    Capability(Capability),
}

/// `timeframe START .. END` (both inclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct Timeframe {
    /// First day.
    pub start: DateLit,
    /// Last day.
    pub end: DateLit,
    /// The whole clause.
    pub span: Span,
}

/// A date literal with its span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DateLit {
    /// The date.
    pub date: Date,
    /// Where it is written.
    pub span: Span,
}

/// `goal NAME AGGREGATE OP VALUE [where COND]`
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    /// Goal name (milestones refer to it).
    pub name: Ident,
    /// Optional title.
    pub title: Option<StrLit>,
    /// What is measured.
    pub metric: Aggregate,
    /// Comparison against the target.
    pub op: CmpOp,
    /// Target value.
    pub target: Expr,
    /// `where COND`: which accounts count.
    pub filter: Option<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// What a goal measures over the accounts.
#[derive(Debug, Clone, PartialEq)]
pub enum Aggregate {
    /// `count`
    Count(Span),
    /// `sum(field)`
    Sum(Ident, Span),
}

impl HasSpan for Aggregate {
    fn span(&self) -> Span {
        match self {
            Aggregate::Count(s) | Aggregate::Sum(_, s) => *s,
        }
    }
}

/// `milestone DATE GOAL OP VALUE`
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    /// By when: a date literal, or arithmetic over `start`, `end`, dates and durations
    /// (`start + 30d`), which the checker folds to a date.
    pub date: Expr,
    /// Which goal's measure.
    pub goal: Ident,
    /// Comparison.
    pub op: CmpOp,
    /// Value to reach.
    pub target: Expr,
    /// The whole clause.
    pub span: Span,
}

/// `capability NAME = VALUE`: a fact about us, usable as `situation.NAME`.
#[derive(Debug, Clone, PartialEq)]
pub struct Capability {
    /// Name.
    pub name: Ident,
    /// Its value (a literal).
    pub value: Expr,
    /// The whole clause.
    pub span: Span,
}

/// `segment name "title" for Schema { COND }`
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Name (a boolean in expressions).
    pub name: Ident,
    /// Optional title.
    pub title: Option<StrLit>,
    /// `for Schema`; else the only schema.
    pub schema: Option<Ident>,
    /// Membership condition.
    pub cond: Expr,
    /// The whole item.
    pub span: Span,
}

/// `profile name "title" for Schema in situation { ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Name.
    pub name: Ident,
    /// Optional title.
    pub title: Option<StrLit>,
    /// `for Schema`; else the only schema.
    pub schema: Option<Ident>,
    /// `in situation`.
    pub situation: Option<Ident>,
    /// Members in order.
    pub members: Vec<ProfileMember>,
    /// The whole item.
    pub span: Span,
}

// A profile holds a vector of members: one kind must not make all of them big. (A big
// file has one criterion per 150 bytes or so; its rare `practical_share` is boxed.)
const _: () = assert!(std::mem::size_of::<ProfileMember>() <= 136);
const _: () = assert!(std::mem::size_of::<Criterion>() <= 200);

/// A member of a profile body.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileMember {
    /// `target seg1, seg2`
    Target(Target),
    /// `practical_share 50%`
    PracticalShare(PracticalShare),
    /// `let name = expr`
    Let(Let),
    /// `group name "title" { criteria }`
    Group(Group),
    /// A criterion outside any group. (Boxed: a criterion is about 250 bytes, the other
    /// members are less than half that, and a profile holds a vector of members.)
    Criterion(Box<Criterion>),
    /// `exclude name "reason" { cond }`
    Exclude(Exclude),
    /// `tier name ...`
    Tier(Tier),
}

/// `target a, b`: the account must be in one of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Segment names.
    pub segments: Vec<Ident>,
    /// The whole clause.
    pub span: Span,
}

/// `practical_share 50%`
#[derive(Debug, Clone, PartialEq)]
pub struct PracticalShare {
    /// The share (a percent literal, or a number).
    pub value: Expr,
    /// The whole clause.
    pub span: Span,
}

/// `let name = expr`
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    /// Name.
    pub name: Ident,
    /// Value.
    pub value: Expr,
    /// The whole clause.
    pub span: Span,
}

/// `group name "title" { criterion ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Name (`score.NAME` in tiers).
    pub name: Ident,
    /// Optional title.
    pub title: Option<StrLit>,
    /// Criteria in order.
    pub criteria: Vec<Criterion>,
    /// The whole group.
    pub span: Span,
}

/// `criterion name "title" weight N { ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    /// Name.
    pub name: Ident,
    /// Optional title.
    pub title: Option<StrLit>,
    /// The weight (may be negative).
    pub weight: Weight,
    /// `practical_share 60%`: overrides the profile's share for this criterion.
    pub practical_share: Option<Box<PracticalShare>>,
    /// Boolean or scorecard body.
    pub body: CriterionBody,
    /// The whole criterion.
    pub span: Span,
}

/// `weight -10`
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weight {
    /// Value, sign included, exactly as written.
    pub value: Decimal,
    /// Where the number is written.
    pub span: Span,
}

/// A criterion's body.
#[derive(Debug, Clone, PartialEq)]
pub enum CriterionBody {
    /// `{ cond }`: the full weight when true.
    Bool(Expr),
    /// `{ perfect when c1  practical when c2 }`.
    Scorecard {
        /// Full weight when true.
        perfect: Expr,
        /// `weight × practical_share` when true (and `perfect` is not).
        practical: Option<Expr>,
    },
}

/// `exclude name "reason" { cond }`
#[derive(Debug, Clone, PartialEq)]
pub struct Exclude {
    /// Name.
    pub name: Ident,
    /// The stated reason.
    pub reason: Option<StrLit>,
    /// When true, the account is excluded.
    pub cond: Expr,
    /// The whole clause.
    pub span: Span,
}

/// `tier name ["action"] (>= N | when COND)?`
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// Name.
    pub name: Ident,
    /// Action text for sales.
    pub action: Option<StrLit>,
    /// How it is reached.
    pub rule: TierRule,
    /// The whole clause.
    pub span: Span,
}

/// How a tier is reached.
#[derive(Debug, Clone, PartialEq)]
pub enum TierRule {
    /// `>= 80`: the score meets the threshold.
    Threshold(Expr),
    /// `when COND` over `score` and `score.GROUP`.
    When(Expr),
    /// No rule: catches every remaining account.
    CatchAll,
}

/// `test "name" { ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// The test's name.
    pub name: StrLit,
    /// Clauses in order.
    pub clauses: Vec<TestClause>,
    /// The whole item.
    pub span: Span,
}

/// A clause of a test.
#[derive(Debug, Clone, PartialEq)]
pub enum TestClause {
    /// `profile name`
    Profile(Ident),
    /// `as_of 2027-01-15`
    AsOf(DateLit),
    /// `account { field: value, ... }`
    Account(Account),
    /// `expect ...`
    Expect(Expect),
    /// `case "name" { field: value, ...  expect ... }`
    Case(TestCase),
    /// `cases from "accounts.csv"`
    CasesFrom(CasesFrom),
}

/// `cases from "accounts.csv"`: one case per row of a CSV file (path relative to the
/// program file), its columns read by the schema's readers.
#[derive(Debug, Clone, PartialEq)]
pub struct CasesFrom {
    /// The file's path as written.
    pub path: StrLit,
    /// The whole clause.
    pub span: Span,
}

/// `case "name" { field: value, ...  expect ... }`: the test's account with some fields
/// changed, and its own expectations.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// The case's name.
    pub name: StrLit,
    /// The fields it changes (its span is the whole case).
    pub account: Account,
    /// Its expectations.
    pub expects: Vec<Expect>,
    /// The whole clause.
    pub span: Span,
}

/// `account { id: "a1", employees: 120 }`
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// Field values in order.
    pub fields: Vec<AccountField>,
    /// The whole clause.
    pub span: Span,
}

/// `name: value` inside `account { }`.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountField {
    /// Field name.
    pub name: Ident,
    /// Value (a literal, a list or a bare variant name).
    pub value: Expr,
    /// The whole entry.
    pub span: Span,
}

/// `expect ...`
#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    /// What is expected.
    pub kind: ExpectKind,
    /// The whole clause.
    pub span: Span,
}

/// The forms of `expect`.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpectKind {
    /// `expect tier ideal` (also `excluded`, `out_of_segment`, `invalid`).
    Tier(Ident),
    /// `expect score >= 80`, `expect score.able >= 50`, `expect coverage >= 90%`.
    Compare {
        /// What is compared.
        metric: ExpectMetric,
        /// Comparison.
        op: CmpOp,
        /// Against.
        value: Expr,
    },
    /// `expect reason no_marketer`: the criterion or exclusion is among the reasons.
    Reason(Ident),
    /// `expect excluded_by public_company`: the exclusion holds.
    ExcludedBy(Ident),
    /// `expect in_segment smb`: the account is in the target segment.
    InSegment(Ident),
    /// `expect criterion budget unknown`: the criterion's outcome (`true`, `false`,
    /// `unknown`, `perfect` or `practical`).
    Criterion(Ident, Ident),
    /// `expect action "Call within a day"`: the tier's action.
    Action(StrLit),
}

/// What an `expect` compares.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpectMetric {
    /// `score`
    Score(Span),
    /// `score.GROUP`
    GroupScore(Ident),
    /// `coverage`
    Coverage(Span),
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is written.
    pub span: Span,
}

impl HasSpan for Expr {
    fn span(&self) -> Span {
        self.span
    }
}

// A big file has about one expression node per 15 bytes of text, most of them boxed: keep
// the node small (an editor holds the trees of every open file).
const _: () = assert!(std::mem::size_of::<Expr>() <= 48);

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Lit(Lit),
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// A bare name: field, `let`, segment, enum variant or `today`.
    Name(Ident),
    /// `situation.full_ui`, `score.able`. (Boxed, as `Call`'s name: rare, and two names
    /// inline would make every expression node 16 bytes bigger.)
    Path(Box<Ident>, Box<Ident>),
    /// `not x`, `-x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a OP b`.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `x in lo..hi` (inclusive); `x not in lo..hi` when negated.
    InRange {
        /// Tested value.
        expr: Box<Expr>,
        /// Lower bound.
        lo: Box<Expr>,
        /// Upper bound.
        hi: Box<Expr>,
        /// `not in`.
        negated: bool,
    },
    /// `x in [a, b]`; `x not in [..]` when negated.
    InList {
        /// Tested value.
        expr: Box<Expr>,
        /// Candidates.
        list: Vec<Expr>,
        /// `not in`.
        negated: bool,
    },
    /// `x contains y`, `x contains any [..]`, `x contains all [..]`.
    Contains {
        /// The set or text searched.
        expr: Box<Expr>,
        /// One, any or all.
        mode: ContainsMode,
        /// What is looked for (a value, or a list for any/all).
        needle: Box<Expr>,
    },
    /// `x is missing`; `x is present` when negated.
    IsMissing {
        /// Tested value.
        expr: Box<Expr>,
        /// `is present`.
        negated: bool,
    },
    /// `f(args)`: only `count` and `sum(field)` exist, and only in goals.
    Call {
        /// Function name.
        func: Box<Ident>,
        /// Arguments.
        args: Vec<Expr>,
    },
}

/// Literal values.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `42`
    Int(i64),
    /// `3.5`, exactly.
    Number(Decimal),
    /// `$100k`, `$2M`, `$1.5B` (in currency units), exactly.
    Money(Decimal),
    /// `70%`, stored as the fraction `0.7`, exactly (`33.3%` is `0.333`).
    Percent(Decimal),
    /// `2027-01-31`
    Date(Date),
    /// `90d`, `12w`, in days.
    Duration(i64),
    /// `"text"`
    Text(String),
    /// `true`, `false`
    Bool(bool),
}
