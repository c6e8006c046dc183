//! Moving a parsed item to another place in its file: every span of it shifted by the same
//! distance. The item cache ([`crate::ItemCache`]) reuses an item parsed at one offset at
//! another, after an edit above it changed the length of the text.
//!
//! Each impl destructures its type completely, so a field added to the tree does not
//! compile until it says how it moves.

use std::sync::Arc;

use crate::ast::{
    Account, AccountField, Aggregate, Broken, Capability, CasesFrom, Criterion, CriterionBody,
    DateLit, EnumDecl, Exclude, Expect, ExpectKind, ExpectMetric, Expr, ExprKind, Field, Goal,
    Group, Ident, Import, Item, Let, Milestone, PracticalShare, Profile, ProfileMember, Schema,
    Segment, Situation, SituationClause, StrLit, Target, Test, TestCase, TestClause, Tier,
    TierRule, Timeframe, TypeExpr, TypeKind, Variant, Weight,
};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// Something whose spans can move by `by` bytes (a wrapping distance: `new - old`).
pub(crate) trait Shift {
    fn shift(&mut self, by: u32);
}

impl Shift for Span {
    fn shift(&mut self, by: u32) {
        self.start = self.start.wrapping_add(by);
        self.end = self.end.wrapping_add(by);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: u32) {
        if let Some(x) = self {
            x.shift(by);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: u32) {
        for x in self {
            x.shift(by);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, by: u32) {
        (**self).shift(by);
    }
}

/// `impl Shift` for a struct: the fields that hold spans, and the others ignored, by name.
macro_rules! shift_struct {
    ($ty:ident { $($f:ident),* } ignore { $($g:ident),* }) => {
        impl Shift for $ty {
            fn shift(&mut self, by: u32) {
                let $ty { $($f,)* $($g: _,)* } = self;
                $($f.shift(by);)*
            }
        }
    };
}

shift_struct!(Ident { span } ignore { name });
shift_struct!(StrLit { span } ignore { value });
shift_struct!(Broken { name, declares, span } ignore { kind, parent });
shift_struct!(Import { path, span } ignore {});
shift_struct!(Schema { name, fields, span } ignore {});
shift_struct!(Field { name, ty, from, key, fraction, span } ignore {});
shift_struct!(TypeExpr { kind, span } ignore { optional });
shift_struct!(EnumDecl { variants, less, commas } ignore {});
shift_struct!(Variant { name, strings, catch_all, span } ignore {});
shift_struct!(Situation { name, title, schema, clauses, span } ignore {});
shift_struct!(Timeframe { start, end, span } ignore {});
shift_struct!(DateLit { span } ignore { date });
shift_struct!(Goal { name, title, metric, target, filter, span } ignore { op });
shift_struct!(Milestone { date, goal, target, span } ignore { op });
shift_struct!(Capability { name, value, span } ignore {});
shift_struct!(Segment { name, title, schema, cond, span } ignore {});
shift_struct!(Profile { name, title, schema, situation, members, span } ignore {});
shift_struct!(Target { segments, span } ignore {});
shift_struct!(PracticalShare { value, span } ignore {});
shift_struct!(Let { name, value, span } ignore {});
shift_struct!(Group { name, title, criteria, span } ignore {});
shift_struct!(Criterion { name, title, weight, practical_share, body, span } ignore {});
shift_struct!(Weight { span } ignore { value });
shift_struct!(Exclude { name, reason, cond, span } ignore {});
shift_struct!(Tier { name, action, rule, span } ignore {});
shift_struct!(Test { name, clauses, span } ignore {});
shift_struct!(TestCase { name, account, expects, span } ignore {});
shift_struct!(CasesFrom { path, span } ignore {});
shift_struct!(Account { fields, span } ignore {});
shift_struct!(AccountField { name, value, span } ignore {});
shift_struct!(Expect { kind, span } ignore {});
shift_struct!(Expr { kind, span } ignore {});

/// A shared item is copied before it moves (the copy it was shared with keeps its place).
impl<T: Shift + Clone> Shift for Arc<T> {
    fn shift(&mut self, by: u32) {
        Arc::make_mut(self).shift(by);
    }
}

impl Shift for Item {
    fn shift(&mut self, by: u32) {
        match self {
            Item::Import(x) => x.shift(by),
            Item::Schema(x) => x.shift(by),
            Item::Situation(x) => x.shift(by),
            Item::Segment(x) => x.shift(by),
            Item::Profile(x) => x.shift(by),
            Item::Test(x) => x.shift(by),
        }
    }
}

impl Shift for TypeKind {
    fn shift(&mut self, by: u32) {
        match self {
            TypeKind::Bool
            | TypeKind::Int
            | TypeKind::Number
            | TypeKind::Money
            | TypeKind::Percent
            | TypeKind::Text
            | TypeKind::Date
            | TypeKind::Duration => {}
            TypeKind::Enum(e) => e.shift(by),
            TypeKind::Set(t) => t.shift(by),
            TypeKind::Named(n) => n.shift(by),
        }
    }
}

impl Shift for SituationClause {
    fn shift(&mut self, by: u32) {
        match self {
            SituationClause::Timeframe(x) => x.shift(by),
            SituationClause::Goal(x) => x.shift(by),
            SituationClause::Milestone(x) => x.shift(by),
            SituationClause::Capability(x) => x.shift(by),
        }
    }
}

impl Shift for Aggregate {
    fn shift(&mut self, by: u32) {
        match self {
            Aggregate::Count(s) => s.shift(by),
            Aggregate::Sum(n, s) => {
                n.shift(by);
                s.shift(by);
            }
        }
    }
}

impl Shift for ProfileMember {
    fn shift(&mut self, by: u32) {
        match self {
            ProfileMember::Target(x) => x.shift(by),
            ProfileMember::PracticalShare(x) => x.shift(by),
            ProfileMember::Let(x) => x.shift(by),
            ProfileMember::Group(x) => x.shift(by),
            ProfileMember::Criterion(x) => x.shift(by),
            ProfileMember::Exclude(x) => x.shift(by),
            ProfileMember::Tier(x) => x.shift(by),
        }
    }
}

impl Shift for CriterionBody {
    fn shift(&mut self, by: u32) {
        match self {
            CriterionBody::Bool(e) => e.shift(by),
            CriterionBody::Scorecard { perfect, practical } => {
                perfect.shift(by);
                practical.shift(by);
            }
        }
    }
}

impl Shift for TierRule {
    fn shift(&mut self, by: u32) {
        match self {
            TierRule::Threshold(e) | TierRule::When(e) => e.shift(by),
            TierRule::CatchAll => {}
        }
    }
}

impl Shift for TestClause {
    fn shift(&mut self, by: u32) {
        match self {
            TestClause::Profile(x) => x.shift(by),
            TestClause::AsOf(x) => x.shift(by),
            TestClause::Account(x) => x.shift(by),
            TestClause::Expect(x) => x.shift(by),
            TestClause::Case(x) => x.shift(by),
            TestClause::CasesFrom(x) => x.shift(by),
        }
    }
}

impl Shift for ExpectKind {
    fn shift(&mut self, by: u32) {
        match self {
            ExpectKind::Tier(x)
            | ExpectKind::Reason(x)
            | ExpectKind::ExcludedBy(x)
            | ExpectKind::InSegment(x) => x.shift(by),
            ExpectKind::Compare {
                metric,
                op: _,
                value,
            } => {
                metric.shift(by);
                value.shift(by);
            }
            ExpectKind::Criterion(a, b) => {
                a.shift(by);
                b.shift(by);
            }
            ExpectKind::Action(s) => s.shift(by),
        }
    }
}

impl Shift for ExpectMetric {
    fn shift(&mut self, by: u32) {
        match self {
            ExpectMetric::Score(s) | ExpectMetric::Coverage(s) => s.shift(by),
            ExpectMetric::GroupScore(n) => n.shift(by),
        }
    }
}

impl Shift for ExprKind {
    fn shift(&mut self, by: u32) {
        match self {
            ExprKind::Lit(_) => {}
            ExprKind::List(xs) => xs.shift(by),
            ExprKind::Name(n) => n.shift(by),
            ExprKind::Path(a, b) => {
                a.shift(by);
                b.shift(by);
            }
            ExprKind::Unary(_, e) => e.shift(by),
            ExprKind::Binary(_, a, b) => {
                a.shift(by);
                b.shift(by);
            }
            ExprKind::InRange {
                expr,
                lo,
                hi,
                negated: _,
            } => {
                expr.shift(by);
                lo.shift(by);
                hi.shift(by);
            }
            ExprKind::InList {
                expr,
                list,
                negated: _,
            } => {
                expr.shift(by);
                list.shift(by);
            }
            ExprKind::Contains {
                expr,
                mode: _,
                needle,
            } => {
                expr.shift(by);
                needle.shift(by);
            }
            ExprKind::IsMissing { expr, negated: _ } => expr.shift(by),
            ExprKind::Call { func, args } => {
                func.shift(by);
                args.shift(by);
            }
        }
    }
}

impl Shift for Diagnostic {
    fn shift(&mut self, by: u32) {
        self.span.shift(by);
        for l in &mut self.labels {
            l.span.shift(by);
        }
        if let Some(fix) = &mut self.fix {
            for e in &mut fix.edits {
                e.span.shift(by);
            }
        }
    }
}
