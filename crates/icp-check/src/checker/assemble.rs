//! Program assembly: provisional ids become program ids; dependency order.

use icp_model as m;

use super::Checker;

/// Provisional ids → program ids.
struct Maps {
    schema: Vec<Option<u32>>,
    enums: Vec<Option<u32>>,
    segment: Vec<Option<u32>>,
    situation: Vec<Option<u32>>,
    profile: Vec<Option<u32>>,
}

impl Maps {
    /// Whether every schema, enum, segment and situation keeps its index (nothing was
    /// dropped before it), so that a profile's model needs no renumbering.
    fn is_identity(&self) -> bool {
        let same = |v: &[Option<u32>]| {
            v.iter()
                .enumerate()
                .all(|(i, x)| x.is_some_and(|x| x as usize == i))
        };
        same(&self.schema) && same(&self.enums) && same(&self.segment) && same(&self.situation)
    }

    pub(super) fn schema_id(&self, s: usize) -> u32 {
        self.schema.get(s).copied().flatten().unwrap_or(u32::MAX)
    }

    pub(super) fn ty(&self, t: &mut m::Ty) {
        match t {
            m::Ty::Enum(id) => {
                if let Some(n) = self.enums.get(id.index()).copied().flatten() {
                    *id = m::EnumId(n);
                }
            }
            m::Ty::Set(x) | m::Ty::List(x) => self.ty(x),
            _ => {}
        }
    }

    pub(super) fn konst(&self, c: &mut m::Const) {
        match c {
            m::Const::Enum(id, _) => {
                if let Some(n) = self.enums.get(id.index()).copied().flatten() {
                    *id = m::EnumId(n);
                }
            }
            m::Const::List(xs) => xs.iter_mut().for_each(|x| self.konst(x)),
            _ => {}
        }
    }

    pub(super) fn expr(&self, e: &mut m::Expr) {
        self.ty(&mut e.ty);
        match &mut e.kind {
            m::ExprKind::Const(c) => self.konst(c),
            m::ExprKind::Segment(id) => {
                if let Some(n) = self.segment.get(id.index()).copied().flatten() {
                    *id = m::SegmentId(n);
                }
            }
            m::ExprKind::Field(_)
            | m::ExprKind::Let(_)
            | m::ExprKind::Today
            | m::ExprKind::Score
            | m::ExprKind::GroupScore(_) => {}
            m::ExprKind::Not(x) | m::ExprKind::Neg(x) | m::ExprKind::IsMissing(x) => self.expr(x),
            m::ExprKind::And(l, r)
            | m::ExprKind::Or(l, r)
            | m::ExprKind::Cmp(_, l, r)
            | m::ExprKind::Arith(_, l, r)
            | m::ExprKind::Coalesce(l, r) => {
                self.expr(l);
                self.expr(r);
            }
            m::ExprKind::InRange { expr, lo, hi } => {
                self.expr(expr);
                self.expr(lo);
                self.expr(hi);
            }
            m::ExprKind::InList { expr, list } => {
                self.expr(expr);
                for x in list {
                    self.expr(x);
                }
            }
            m::ExprKind::Contains { expr, needles, .. } => {
                self.expr(expr);
                for x in needles {
                    self.expr(x);
                }
            }
        }
    }
}

/// Depth-first search over a dependency graph (`deps[i]` lists the nodes node `i` uses),
/// iterative so that a long chain cannot overflow the stack. Returns every node in
/// dependency order (each after the nodes it uses) and every cycle found, as its members
/// in order along the cycle.
pub(super) fn dependency_order(deps: &[Vec<usize>]) -> (Vec<usize>, Vec<Vec<usize>>) {
    // 0 unvisited, 1 on the stack, 2 done
    let mut state = vec![0u8; deps.len()];
    let mut order = Vec::with_capacity(deps.len());
    let mut cycles = Vec::new();
    for start in 0..deps.len() {
        if state.get(start) != Some(&0) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        if let Some(s) = state.get_mut(start) {
            *s = 1;
        }
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(&dep) = deps.get(node).and_then(|d| d.get(*next)) else {
                if let Some(s) = state.get_mut(node) {
                    *s = 2;
                }
                order.push(node);
                stack.pop();
                continue;
            };
            *next += 1;
            match state.get(dep) {
                Some(0) => {
                    if let Some(s) = state.get_mut(dep) {
                        *s = 1;
                    }
                    stack.push((dep, 0));
                }
                Some(1) => {
                    let pos = stack.iter().position(|(x, _)| *x == dep).unwrap_or(0);
                    let members = stack.get(pos..).unwrap_or_default();
                    cycles.push(members.iter().map(|(x, _)| *x).collect());
                }
                _ => {}
            }
        }
    }
    (order, cycles)
}

/// `a → b → a`: the names along a cycle, back to the first.
pub(super) fn cycle_chain(names: impl Iterator<Item = String>) -> String {
    let mut chain: Vec<String> = names.collect();
    if let Some(first) = chain.first().cloned() {
        chain.push(first);
    }
    chain.join(" → ")
}

impl Checker<'_> {
    pub(super) fn assemble(&mut self) -> m::Program {
        let schema_ok: Vec<bool> = self.schemas.iter().map(|s| !s.err).collect();
        let ok_schema = |s: Option<usize>| s.is_some_and(|s| schema_ok.get(s) == Some(&true));
        let sit_ok: Vec<bool> = self
            .situations
            .iter()
            .map(|s| !s.err && s.model.is_some() && ok_schema(s.schema))
            .collect();
        // segments: invalid ones poison their dependents
        let n = self.segments.len();
        let mut seg_ok: Vec<bool> = self
            .segments
            .iter()
            .map(|s| !s.err && s.cond.is_some() && ok_schema(s.schema))
            .collect();
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, s) in self.segments.iter().enumerate() {
            for &d in &s.deps {
                if let Some(v) = dependents.get_mut(d) {
                    v.push(i);
                }
            }
        }
        let mut queue: Vec<usize> = (0..n).filter(|i| seg_ok.get(*i) == Some(&false)).collect();
        while let Some(i) = queue.pop() {
            for &d in dependents.get(i).map_or(&[][..], Vec::as_slice) {
                if seg_ok.get(d) == Some(&true) {
                    if let Some(x) = seg_ok.get_mut(d) {
                        *x = false;
                    }
                    queue.push(d);
                }
            }
        }
        let prof_ok: Vec<bool> = self
            .profiles
            .iter()
            .map(|p| {
                !p.err
                    && p.model.is_some()
                    && ok_schema(p.schema)
                    && p.situation.is_none_or(|s| sit_ok.get(s) == Some(&true))
                    && p.deps.iter().all(|d| seg_ok.get(*d) == Some(&true))
            })
            .collect();
        let test_ok: Vec<bool> = self
            .tests
            .iter()
            .map(|t| {
                !t.err
                    && (t.model.is_some() || !t.cases.is_empty() || !t.cases_from.is_empty())
                    && t.profile.is_some_and(|p| prof_ok.get(p) == Some(&true))
            })
            .collect();
        let remap = |ok: &[bool]| -> Vec<Option<u32>> {
            let mut next = 0u32;
            ok.iter()
                .map(|&b| {
                    b.then(|| {
                        next += 1;
                        next - 1
                    })
                })
                .collect()
        };
        let enum_ok: Vec<bool> = self
            .enums
            .iter()
            .map(|e| schema_ok.get(e.owner) == Some(&true))
            .collect();
        let maps = Maps {
            schema: remap(&schema_ok),
            enums: remap(&enum_ok),
            segment: remap(&seg_ok),
            situation: remap(&sit_ok),
            profile: remap(&prof_ok),
        };
        let mut program = m::Program::default();
        for (i, s) in self.schemas.iter().enumerate() {
            if schema_ok.get(i) != Some(&true) {
                continue;
            }
            let mut fields = s.fields.clone();
            for f in &mut fields {
                maps.ty(&mut f.ty);
            }
            program.schemas.push(m::Schema {
                name: s.ast.name.name.clone(),
                loc: m::Loc {
                    file: s.file,
                    span: s.ast.name.span,
                },
                fields,
                key: s.key,
            });
        }
        for (i, e) in self.enums.iter().enumerate() {
            if enum_ok.get(i) == Some(&true) {
                program.enums.push(e.ty.clone());
            }
        }
        for (i, s) in self.segments.iter_mut().enumerate() {
            if seg_ok.get(i) != Some(&true) {
                continue;
            }
            let (Some(mut cond), Some(schema)) = (s.cond.take(), s.schema) else {
                continue;
            };
            maps.expr(&mut cond);
            program.segments.push(m::Segment {
                name: s.ast.name.name.clone(),
                title: s.ast.title.as_ref().map(|t| t.value.clone()),
                loc: m::Loc {
                    file: s.file,
                    span: s.ast.name.span,
                },
                schema: m::SchemaId(maps.schema_id(schema)),
                cond,
            });
        }
        for (i, s) in self.situations.iter_mut().enumerate() {
            if sit_ok.get(i) != Some(&true) {
                continue;
            }
            let Some(mut x) = s.model.take() else {
                continue;
            };
            x.schema = m::SchemaId(maps.schema_id(x.schema.index()));
            for g in &mut x.goals {
                if let Some(f) = &mut g.filter {
                    maps.expr(f);
                }
            }
            for (_, c) in &mut x.capabilities {
                maps.konst(c);
            }
            program.situations.push(x);
        }
        let identity = maps.is_identity();
        for (i, p) in self.profiles.iter_mut().enumerate() {
            if prof_ok.get(i) != Some(&true) {
                continue;
            }
            let Some(mut shared) = p.model.take() else {
                continue;
            };
            if identity {
                // Nothing to renumber: the program shares the model (with the memo).
                program.profiles.push(shared);
                continue;
            }
            let x = std::sync::Arc::make_mut(&mut shared);
            x.schema = m::SchemaId(maps.schema_id(x.schema.index()));
            x.situation = x
                .situation
                .and_then(|s| maps.situation.get(s.index()).copied().flatten())
                .map(m::SituationId);
            x.targets = x
                .targets
                .iter()
                .filter_map(|t| maps.segment.get(t.index()).copied().flatten())
                .map(m::SegmentId)
                .collect();
            for l in &mut x.lets {
                maps.expr(&mut l.expr);
            }
            for c in &mut x.criteria {
                match &mut c.body {
                    m::CriterionBody::Bool(e) => maps.expr(e),
                    m::CriterionBody::Scorecard { perfect, practical } => {
                        maps.expr(perfect);
                        if let Some(q) = practical {
                            maps.expr(q);
                        }
                    }
                }
            }
            for e in &mut x.excludes {
                maps.expr(&mut e.cond);
            }
            for t in &mut x.tiers {
                if let m::TierRule::When(e) = &mut t.rule {
                    maps.expr(e);
                }
            }
            program.profiles.push(shared);
        }
        for (i, t) in self.tests.iter_mut().enumerate() {
            if test_ok.get(i) != Some(&true) {
                continue;
            }
            let cases = std::mem::take(&mut t.cases);
            for mut x in t.model.take().into_iter().chain(cases) {
                let Some(pid) = maps.profile.get(x.profile.index()).copied().flatten() else {
                    continue;
                };
                x.profile = m::ProfileId(pid);
                for (_, c) in &mut x.account {
                    maps.konst(c);
                }
                program.tests.push(x);
            }
            for mut p in std::mem::take(&mut t.cases_from) {
                let Some(pid) = maps.profile.get(p.profile.index()).copied().flatten() else {
                    continue;
                };
                p.profile = m::ProfileId(pid);
                for (_, c) in &mut p.base {
                    maps.konst(c);
                }
                p.insert_at = program.tests.len();
                self.pending_cases.push(p);
            }
        }
        program
    }
}
