//! Tests: accounts and expectations.

use crate::diagnostics as diag;
use crate::lints;
use std::collections::HashMap;

use icp_model as m;
use icp_syntax::ast::{self as a};
use icp_syntax::{FileId, Span};

use super::types::{as_const, const_num, loc};
use super::{BUILTIN_TIERS, Checker, Global, Owner, Scope, SitScope};

impl<'a> Checker<'a> {
    pub(super) fn check_test(&mut self, ti: usize) {
        let Some(info) = self.tests.get(ti) else {
            return;
        };
        let (file, ast) = (info.file, info.ast);
        let owner = Owner::Test(ti);
        let mut profile_ident: Option<&'a a::Ident> = None;
        let mut as_of: Option<(m::Date, Span)> = None;
        let mut account: Option<&'a a::Account> = None;
        let mut expects: Vec<&'a a::Expect> = Vec::new();
        let mut cases: Vec<&'a a::TestCase> = Vec::new();
        let mut cases_from: Vec<&'a a::CasesFrom> = Vec::new();
        let dup = |this: &mut Self, span: Span, first: Span, what: &str| {
            this.emit(
                Some(owner),
                file,
                diag::duplicate_clause_test(what, span, first),
            );
        };
        for c in &ast.clauses {
            match c {
                a::TestClause::Profile(id) => match profile_ident {
                    Some(first) => dup(self, id.span, first.span, "profile"),
                    None => profile_ident = Some(id),
                },
                a::TestClause::AsOf(d) => match as_of {
                    Some((_, first)) => dup(self, d.span, first, "as_of"),
                    None => as_of = Some((d.date, d.span)),
                },
                a::TestClause::Account(acc) => match account {
                    Some(first) => dup(self, acc.span, first.span, "account"),
                    None => account = Some(acc),
                },
                a::TestClause::Expect(e) => expects.push(e),
                a::TestClause::Case(c) => cases.push(c),
                a::TestClause::CasesFrom(c) => cases_from.push(c),
            }
        }
        let profile = match profile_ident {
            Some(id) => match self.names.get(id.name.as_str()) {
                Some(&(Global::Profile(p), def)) => {
                    self.reference(file, id.span, def);
                    Some(p)
                }
                _ => {
                    let cands = self.names_of(|g| matches!(g, Global::Profile(_)));
                    self.emit(Some(owner), file, diag::unknown_profile(id, &cands));
                    None
                }
            },
            None => {
                let profiles: Vec<usize> = self
                    .names
                    .values()
                    .filter_map(|(g, _)| match g {
                        Global::Profile(p) => Some(*p),
                        _ => None,
                    })
                    .collect();
                if let [only] = profiles.as_slice() {
                    Some(*only)
                } else {
                    let names = self.names_of(|g| matches!(g, Global::Profile(_)));
                    let help = match names.first() {
                        Some(first) => {
                            format!("add `profile {first}` (or another: {})", names.join(", "))
                        }
                        None => "declare a profile to test, then name it: `profile mid_market`"
                            .to_owned(),
                    };
                    self.emit(
                        Some(owner),
                        file,
                        diag::test_profile_required(ast.name.span, help),
                    );
                    None
                }
            }
        };
        let schema = profile
            .and_then(|p| self.profiles.get(p))
            .and_then(|p| p.schema);
        let mut values: Vec<(m::FieldId, m::Const)> = Vec::new();
        match account {
            None if cases.is_empty() && cases_from.is_empty() => {
                self.emit(Some(owner), file, diag::test_without_account(ast.name.span));
            }
            None => {}
            Some(acc) => {
                // Under `cases from` alone, the file's columns complete the account.
                let whole = cases_from.is_empty() || !cases.is_empty() || !expects.is_empty();
                if let Some(s) = schema {
                    values = self.test_account(owner, file, s, acc, whole);
                }
            }
        }
        let mut case_models = Vec::new();
        for c in &cases {
            let mut merged = values.clone();
            if let Some(s) = schema {
                // Without a base `account`, each case is a whole account.
                for (fid, v) in self.test_account(owner, file, s, &c.account, account.is_none()) {
                    match merged.iter_mut().find(|(f, _)| *f == fid) {
                        Some(slot) => slot.1 = v,
                        None => merged.push((fid, v)),
                    }
                }
            }
            if c.expects.is_empty() {
                self.emit(
                    Some(owner),
                    file,
                    lints::test_without_expect::diagnostic(c.name.span),
                );
            }
            let mut out = Vec::new();
            if let Some(p) = profile {
                for e in &c.expects {
                    if let Some(kind) = self.test_expect(owner, file, p, e) {
                        out.push(m::Expect {
                            kind,
                            loc: m::Loc { file, span: e.span },
                        });
                    }
                }
            }
            if let Some(p) = profile {
                case_models.push(m::Test {
                    name: format!("{} / {}", ast.name.value, c.name.value),
                    loc: loc(file, c.name.span),
                    profile: m::ProfileId(p as u32),
                    as_of: as_of.map(|d| d.0),
                    account: merged,
                    expects: out,
                });
            }
        }
        if as_of.is_none()
            && let Some(p) = profile
            && self.profile_reads_today(p)
        {
            let pname = self
                .profiles
                .get(p)
                .map(|x| x.ast.name.name.clone())
                .unwrap_or_default();
            self.emit(
                Some(owner),
                file,
                lints::test_without_as_of::diagnostic(ast.name.span, &pname),
            );
        }
        if expects.is_empty() && cases.is_empty() && cases_from.is_empty() {
            self.emit(
                Some(owner),
                file,
                lints::test_without_expect::diagnostic(ast.name.span),
            );
        }
        let mut out_expects = Vec::new();
        if let Some(p) = profile {
            for e in &expects {
                if let Some(kind) = self.test_expect(owner, file, p, e) {
                    out_expects.push(m::Expect {
                        kind,
                        loc: m::Loc { file, span: e.span },
                    });
                }
            }
        }
        let pending: Vec<crate::cases::Pending> = match profile {
            Some(p) => cases_from
                .iter()
                .map(|c| crate::cases::Pending {
                    file,
                    span: c.span,
                    path: c.path.value.clone(),
                    test: ast.name.value.clone(),
                    profile: m::ProfileId(p as u32),
                    as_of: as_of.map(|d| d.0),
                    base: values.clone(),
                    insert_at: 0,
                })
                .collect(),
            None => Vec::new(),
        };
        // With cases, the test's own account is a test only when it expects something.
        let model = profile
            .filter(|_| (cases.is_empty() && cases_from.is_empty()) || !expects.is_empty())
            .map(|p| m::Test {
                name: ast.name.value.clone(),
                loc: loc(file, ast.name.span),
                profile: m::ProfileId(p as u32),
                as_of: as_of.map(|d| d.0),
                account: values,
                expects: out_expects,
            });
        if let Some(x) = self.tests.get_mut(ti) {
            x.profile = profile;
            x.model = model;
            x.cases = case_models;
            x.cases_from = pending;
        }
    }

    /// Whether profile `p` reads `today`: in a `let`, a criterion, an exclusion, a tier
    /// condition, or a segment it uses (targets and segments named in its expressions).
    fn profile_reads_today(&self, p: usize) -> bool {
        let Some(model) = self.profiles.get(p).and_then(|x| x.model.as_ref()) else {
            return false;
        };
        let mut todo: Vec<&m::Expr> = Vec::new();
        todo.extend(model.lets.iter().map(|l| &l.expr));
        for c in &model.criteria {
            match &c.body {
                m::CriterionBody::Bool(e) => todo.push(e),
                m::CriterionBody::Scorecard { perfect, practical } => {
                    todo.push(perfect);
                    todo.extend(practical.iter());
                }
            }
        }
        todo.extend(model.excludes.iter().map(|x| &x.cond));
        for t in &model.tiers {
            if let m::TierRule::When(e) = &t.rule {
                todo.push(e);
            }
        }
        let mut seen_segments: Vec<u32> = Vec::new();
        let segments = &self.segments;
        let segment = |id: m::SegmentId, seen: &mut Vec<u32>| {
            if seen.contains(&id.0) {
                return None;
            }
            seen.push(id.0);
            segments.get(id.index()).and_then(|s| s.cond.as_ref())
        };
        for t in &model.targets {
            if let Some(e) = segment(*t, &mut seen_segments) {
                todo.push(e);
            }
        }
        while let Some(e) = todo.pop() {
            match &e.kind {
                m::ExprKind::Today => return true,
                m::ExprKind::Segment(id) => {
                    if let Some(c) = segment(*id, &mut seen_segments) {
                        todo.push(c);
                    }
                }
                m::ExprKind::Const(_)
                | m::ExprKind::Field(_)
                | m::ExprKind::Let(_)
                | m::ExprKind::Score
                | m::ExprKind::GroupScore(_) => {}
                m::ExprKind::Not(x) | m::ExprKind::Neg(x) | m::ExprKind::IsMissing(x) => {
                    todo.push(x);
                }
                m::ExprKind::And(l, r)
                | m::ExprKind::Or(l, r)
                | m::ExprKind::Cmp(_, l, r)
                | m::ExprKind::Arith(_, l, r)
                | m::ExprKind::Coalesce(l, r) => todo.extend([&**l, &**r]),
                m::ExprKind::InRange { expr, lo, hi } => todo.extend([&**expr, &**lo, &**hi]),
                m::ExprKind::InList { expr, list } => {
                    todo.push(expr);
                    todo.extend(list.iter());
                }
                m::ExprKind::Contains { expr, needles, .. } => {
                    todo.push(expr);
                    todo.extend(needles.iter());
                }
            }
        }
        false
    }

    pub(super) fn test_account(
        &mut self,
        owner: Owner,
        file: FileId,
        schema: usize,
        acc: &'a a::Account,
        whole: bool,
    ) -> Vec<(m::FieldId, m::Const)> {
        let sc = Scope {
            owner,
            file,
            schema: Some(schema),
            lets: None,
            situation: SitScope::None("test accounts hold values"),
            tier: false,
            groups: None,
        };
        let mut out: Vec<(m::FieldId, m::Const)> = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for f in &acc.fields {
            if let Some(first) = seen.get(f.name.name.as_str()) {
                self.emit(
                    Some(owner),
                    file,
                    diag::duplicate_name_account_field(&f.name, *first),
                );
                continue;
            }
            seen.insert(&f.name.name, f.name.span);
            let Some((fid, fty)) = self.field(&sc, &f.name) else {
                continue;
            };
            let Some(v) = self.account_value(&sc, &f.value, &fty) else {
                continue;
            };
            out.push((fid, v));
        }
        let missing: Vec<String> = self
            .schemas
            .get(schema)
            .map(|s| {
                s.fields
                    .iter()
                    // An omitted `set` field is the empty set, as an empty cell reads.
                    .filter(|fd| {
                        whole
                            && !fd.optional
                            && !matches!(fd.ty, m::Ty::Set(_))
                            && !seen.contains_key(fd.name.as_str())
                    })
                    .map(|fd| format!("`{}`", fd.name))
                    .collect()
            })
            .unwrap_or_default();
        if !missing.is_empty() {
            self.emit(
                Some(owner),
                file,
                diag::test_missing_field(acc.span, &missing),
            );
        }
        out
    }

    /// A test account value: a literal of the field's type.
    #[expect(
        clippy::many_single_char_names,
        reason = "e, c, d, x: expression, constant, diagnostic, typed"
    )]
    pub(super) fn account_value(
        &mut self,
        sc: &Scope<'_>,
        e: &'a a::Expr,
        ty: &m::Ty,
    ) -> Option<m::Const> {
        match (ty, &e.kind) {
            // `revenue: missing`: the field is missing, as an empty cell or `NA` reads (a
            // required field's missing value makes the account invalid, as in data files).
            // An enum with a variant `missing` keeps it.
            (_, a::ExprKind::Name(id))
                if id.name == "missing"
                    && !matches!(ty, m::Ty::Enum(en) if self.enums.get(en.index())
                        .is_some_and(|x| x.ty.variants.iter().any(|v| v.name == "missing"))) =>
            {
                Some(m::Const::Missing)
            }
            (m::Ty::Set(inner), a::ExprKind::List(items)) => {
                let mut out = Vec::new();
                for item in items {
                    out.push(self.account_value(sc, item, inner)?);
                }
                Some(m::Const::List(out))
            }
            _ => {
                let enum_ctx = match ty {
                    m::Ty::Enum(id) => Some(id.0),
                    _ => None,
                };
                let x = self.expr(sc, e, enum_ctx, 0)?;
                let Some(c) = as_const(&x).cloned() else {
                    self.emit_in(sc, diag::not_constant_account_value(e.span));
                    return None;
                };
                let fits = &x.ty == ty
                    || matches!((ty, &x.ty), (m::Ty::Number | m::Ty::Money, m::Ty::Int));
                if !fits {
                    let (want, got) = (self.ty_name(ty), self.ty_name(&x.ty));
                    let mut d = diag::type_mismatch_account_value(e.span, &want, &got);
                    d = match (ty, &c) {
                        (m::Ty::Enum(id), m::Const::Text(t)) => {
                            let name = self.enums.get(id.index()).and_then(|en| {
                                en.ty.variants.iter().find(|v| {
                                    v.name.eq_ignore_ascii_case(t.trim())
                                        || v.strings
                                            .iter()
                                            .any(|s| s.trim().eq_ignore_ascii_case(t.trim()))
                                })
                            });
                            match name {
                                Some(v) => d
                                    .with_help(format!("write the variant by name: `{}`", v.name))
                                    .with_fix(
                                        format!("replace with `{}`", v.name),
                                        e.span,
                                        v.name.clone(),
                                    ),
                                None => d.with_help("write one of the enum's variants by name"),
                            }
                        }
                        (m::Ty::Set(_), _) => {
                            d.with_help("a set value is a list: `[\"HubSpot\", \"Salesforce\"]`")
                        }
                        _ => d.with_help(format!("write a `{want}` literal")),
                    };
                    self.emit_in(sc, d);
                    return None;
                }
                Some(c)
            }
        }
    }

    pub(super) fn test_expect(
        &mut self,
        owner: Owner,
        file: FileId,
        p: usize,
        e: &'a a::Expect,
    ) -> Option<m::ExpectKind> {
        let pinfo = self.profiles.get(p)?;
        match &e.kind {
            a::ExpectKind::Tier(id) => {
                let tiers: Vec<(String, usize)> = pinfo.tiers.to_vec();
                if let Some((_, d)) = tiers.iter().find(|(n, _)| *n == id.name) {
                    self.reference(file, id.span, *d);
                } else if !BUILTIN_TIERS.contains(&id.name.as_str()) {
                    let mut cands: Vec<&str> = tiers.iter().map(|(n, _)| n.as_str()).collect();
                    cands.extend(BUILTIN_TIERS);
                    let pname = pinfo.ast.name.name.clone();
                    self.emit(Some(owner), file, diag::unknown_tier(id, &pname, &cands));
                    return None;
                }
                Some(m::ExpectKind::Tier(id.name.clone()))
            }
            a::ExpectKind::Reason(id) => {
                if let Some(&d) = pinfo.reasons.get(&id.name) {
                    self.reference(file, id.span, d);
                    Some(m::ExpectKind::Reason(id.name.clone()))
                } else {
                    let mut cands: Vec<&str> = pinfo.reasons.keys().map(String::as_str).collect();
                    cands.sort_unstable();
                    let pname = pinfo.ast.name.name.clone();
                    let cands: Vec<String> = cands.into_iter().map(str::to_owned).collect();
                    let cands: Vec<&str> = cands.iter().map(String::as_str).collect();
                    self.emit(
                        Some(owner),
                        file,
                        diag::unknown_criterion(id, &pname, &cands),
                    );
                    None
                }
            }
            a::ExpectKind::ExcludedBy(id) | a::ExpectKind::Criterion(id, _) => {
                let model = pinfo.model.as_ref()?;
                let excluded = matches!(e.kind, a::ExpectKind::ExcludedBy(_));
                let names: Vec<String> = if excluded {
                    model.excludes.iter().map(|x| x.name.clone()).collect()
                } else {
                    model.criteria.iter().map(|c| c.name.clone()).collect()
                };
                let def = pinfo.reasons.get(&id.name).copied();
                let pname = pinfo.ast.name.name.clone();
                match def.filter(|_| names.contains(&id.name)) {
                    Some(d) => self.reference(file, id.span, d),
                    None => {
                        let cands: Vec<&str> = names.iter().map(String::as_str).collect();
                        let what = if excluded { "exclusion" } else { "criterion" };
                        self.emit(
                            Some(owner),
                            file,
                            diag::unknown_in_profile(
                                icp_syntax::Code::UnknownName,
                                id,
                                &pname,
                                what,
                                &cands,
                            ),
                        );
                        return None;
                    }
                }
                Some(match &e.kind {
                    a::ExpectKind::Criterion(_, outcome) => {
                        m::ExpectKind::Criterion(id.name.clone(), outcome.name.clone())
                    }
                    _ => m::ExpectKind::ExcludedBy(id.name.clone()),
                })
            }
            a::ExpectKind::InSegment(id) => {
                let targets: Vec<m::SegmentId> = pinfo
                    .model
                    .as_ref()
                    .map(|m| m.targets.clone())
                    .unwrap_or_default();
                let pname = pinfo.ast.name.name.clone();
                let mut cands: Vec<String> = Vec::new();
                let mut found = None;
                for (name, (g, d)) in &self.names {
                    if let Global::Segment(sg) = g
                        && targets.contains(&m::SegmentId(*sg as u32))
                    {
                        cands.push((*name).to_owned());
                        if *name == id.name.as_str() {
                            found = Some(*d);
                        }
                    }
                }
                cands.sort_unstable();
                if let Some(d) = found {
                    self.reference(file, id.span, d);
                    Some(m::ExpectKind::InSegment(id.name.clone()))
                } else {
                    let cands: Vec<&str> = cands.iter().map(String::as_str).collect();
                    self.emit(
                        Some(owner),
                        file,
                        diag::unknown_in_profile(
                            icp_syntax::Code::UnknownSegment,
                            id,
                            &pname,
                            "target segment",
                            &cands,
                        ),
                    );
                    None
                }
            }
            a::ExpectKind::Action(text) => Some(m::ExpectKind::Action(text.value.clone())),
            a::ExpectKind::Compare { metric, op, value } => {
                let sc = Scope {
                    owner,
                    file,
                    schema: None,
                    lets: None,
                    situation: SitScope::None("expectations compare numbers"),
                    tier: false,
                    groups: None,
                };
                let metric = match metric {
                    a::ExpectMetric::Score(_) => m::ExpectMetric::Score,
                    a::ExpectMetric::Coverage(_) => m::ExpectMetric::Coverage,
                    a::ExpectMetric::GroupScore(g) => {
                        if let Some(&(gid, d)) = pinfo.groups.get(&g.name) {
                            self.reference(file, g.span, d);
                            m::ExpectMetric::GroupScore(m::GroupId(gid))
                        } else {
                            let mut cands: Vec<String> = pinfo.groups.keys().cloned().collect();
                            cands.sort_unstable();
                            let cands: Vec<&str> = cands.iter().map(String::as_str).collect();
                            let pname = pinfo.ast.name.name.clone();
                            self.emit(Some(owner), file, diag::unknown_group(g, &pname, &cands));
                            return None;
                        }
                    }
                };
                let x = self.expr(&sc, value, None, 0)?;
                let hundred = m::Decimal::ONE_HUNDRED;
                let v = match (&x.ty, const_num(&x), metric) {
                    (m::Ty::Percent, Some(v), m::ExpectMetric::Coverage) => Some(v),
                    (m::Ty::Int | m::Ty::Number, Some(v), m::ExpectMetric::Coverage) => {
                        v.checked_div(hundred)
                    }
                    (m::Ty::Percent, Some(v), _) => v.checked_mul(hundred),
                    (m::Ty::Int | m::Ty::Number, Some(v), _) => Some(v),
                    _ => None,
                };
                let Some(v) = v else {
                    self.emit(
                        Some(owner),
                        file,
                        diag::not_constant_expectation(value.span),
                    );
                    return None;
                };
                Some(m::ExpectKind::Compare {
                    metric,
                    op: *op,
                    value: v,
                })
            }
        }
    }
}
