//! Name and path resolution: the schema of an item, fields, segments, bare names and paths.

use crate::diagnostics as diag;
use icp_model as m;
use icp_syntax::ast::{self as a};
use icp_syntax::{Code, FileId, Span, did_you_mean};

use super::types::konst;
use super::{Checker, Global, Owner, Scope, SitScope};

impl<'a> Checker<'a> {
    pub(super) fn names_of(&self, pick: impl Fn(Global) -> bool) -> Vec<&'a str> {
        let mut v: Vec<&'a str> = self
            .names
            .iter()
            .filter(|(_, (g, _))| pick(*g))
            .map(|(n, _)| *n)
            .collect();
        v.sort_unstable();
        v
    }

    /// The schema named by `for`, else the only one.
    pub(super) fn resolve_schema(
        &mut self,
        owner: Owner,
        file: FileId,
        ident: Option<&a::Ident>,
        at: Span,
    ) -> Option<usize> {
        if let Some(ident) = ident {
            if let Some(&(Global::Schema(i), def)) = self.names.get(ident.name.as_str()) {
                self.reference(file, ident.span, def);
                return Some(i);
            }
            let cands = self.names_of(|g| matches!(g, Global::Schema(_)));
            self.emit(Some(owner), file, diag::unknown_schema(ident, &cands));
            return None;
        }
        let schemas = std::mem::take(&mut self.schema_names);
        let found = match schemas.as_slice() {
            [(only, _)] => Some(*only),
            [] => {
                self.emit(Some(owner), file, diag::no_schema(at));
                None
            }
            many => {
                let names: Vec<&str> = many.iter().map(|(_, n)| *n).collect();
                self.emit(Some(owner), file, diag::ambiguous_schema(at, &names));
                None
            }
        };
        self.schema_names = schemas;
        found
    }

    pub(super) fn schema_name(&self, s: usize) -> String {
        self.schemas
            .get(s)
            .map(|x| x.ast.name.name.clone())
            .unwrap_or_default()
    }

    /// A segment named in `target` or an expression; checks its schema.
    pub(super) fn segment_ref(
        &mut self,
        owner: Owner,
        file: FileId,
        schema: Option<usize>,
        id: &a::Ident,
    ) -> Option<usize> {
        match self.names.get(id.name.as_str()) {
            Some(&(Global::Segment(g), def)) => {
                self.reference(file, id.span, def);
                self.seg_refs.push(g);
                let gs = self.segments.get(g).and_then(|s| s.schema);
                if let (Some(ps), Some(gs)) = (schema, gs)
                    && ps != gs
                {
                    let (pn, gn) = (self.schema_name(ps), self.schema_name(gs));
                    self.emit(
                        Some(owner),
                        file,
                        diag::schema_mismatch_segment(id, &gn, &pn),
                    );
                    return None;
                }
                Some(g)
            }
            _ => {
                let cands = self.names_of(|g| matches!(g, Global::Segment(_)));
                self.emit(Some(owner), file, diag::unknown_segment(id, &cands));
                None
            }
        }
    }

    /// A field of the scope's schema, by name, reporting unknown ones.
    pub(super) fn field(&mut self, sc: &Scope<'_>, id: &a::Ident) -> Option<(m::FieldId, m::Ty)> {
        let schema = sc.schema?;
        let s = self.schemas.get(schema)?;
        if let Some(&f) = s.field_ix.get(id.name.as_str()) {
            let ty = s.fields.get(f as usize)?.ty.clone();
            let def = s.field_defs.get(f as usize).copied();
            let untyped = s.untyped.contains(&f);
            if let Some(def) = def {
                self.reference(sc.file, id.span, def);
            }
            // A field whose type did not check is poisoned: its uses report nothing.
            return (!untyped).then_some((m::FieldId(f), ty));
        }
        let mut cands: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
        cands.sort_unstable();
        let cands: Vec<String> = cands.into_iter().map(str::to_owned).collect();
        let cands: Vec<&str> = cands.iter().map(String::as_str).collect();
        let sname = s.ast.name.name.clone();
        self.emit_in(sc, diag::unknown_field(id, &sname, &cands));
        None
    }

    /// A bare name: `let`, field, segment, variant (in an enum context), `today`.
    pub(super) fn name(
        &mut self,
        sc: &Scope<'_>,
        id: &a::Ident,
        want_enum: Option<u32>,
    ) -> Option<m::Expr> {
        let span = id.span;
        let name = id.name.as_str();
        if let Some(lets) = sc.lets
            && let Some(entry) = lets.get(name)
        {
            entry.used.set(true);
            self.reference(sc.file, span, entry.def);
            let ty = entry.ty.clone()?;
            return Some(m::Expr {
                kind: m::ExprKind::Let(m::LetId(entry.id)),
                ty,
                span,
            });
        }
        if sc.tier && name == "score" {
            return Some(m::Expr {
                kind: m::ExprKind::Score,
                ty: m::Ty::Number,
                span,
            });
        }
        if let Some(s) = sc.schema.and_then(|s| self.schemas.get(s))
            && let Some(&f) = s.field_ix.get(name)
        {
            let ty = s.fields.get(f as usize)?.ty.clone();
            let untyped = s.untyped.contains(&f);
            if let Some(&def) = s.field_defs.get(f as usize) {
                self.reference(sc.file, span, def);
            }
            // A field whose type did not check is poisoned: its uses report nothing.
            if untyped {
                return None;
            }
            return Some(m::Expr {
                kind: m::ExprKind::Field(m::FieldId(f)),
                ty,
                span,
            });
        }
        if let Some(&(Global::Segment(_), _)) = self.names.get(name) {
            let g = self.segment_ref(sc.owner, sc.file, sc.schema, id)?;
            return Some(m::Expr {
                kind: m::ExprKind::Segment(m::SegmentId(g as u32)),
                ty: m::Ty::Bool,
                span,
            });
        }
        if let Some(e) = want_enum
            && let Some(info) = self.enums.get(e as usize)
        {
            if let Some(i) = info.ty.variants.iter().position(|v| v.name == name) {
                if let Some(&def) = info.defs.get(i) {
                    self.reference(sc.file, span, def);
                }
                return Some(konst(
                    m::Const::Enum(m::EnumId(e), i as u32),
                    m::Ty::Enum(m::EnumId(e)),
                    span,
                ));
            }
            let cands: Vec<String> = info.ty.variants.iter().map(|v| v.name.clone()).collect();
            let cands: Vec<&str> = cands.iter().map(String::as_str).collect();
            let field = info.field.clone();
            let list = cands
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.emit_in(sc, diag::unknown_variant(id, &field, name, &list, &cands));
            return None;
        }
        if name == "today" {
            return Some(m::Expr {
                kind: m::ExprKind::Today,
                ty: m::Ty::Date,
                span,
            });
        }
        if name == "score" {
            self.emit_in(sc, diag::score_outside_tier(span));
            return None;
        }
        if name == "count" || name == "sum" {
            self.emit_in(
                sc,
                diag::aggregate_outside_goal(span, name, "goal NAME count >= 25"),
            );
            return None;
        }
        // Unknown: quiet when the schema did not resolve (already reported).
        let Some(schema) = sc.schema.and_then(|s| self.schemas.get(s)) else {
            self.mark(sc.owner);
            return None;
        };
        // A variant used without an enum to compare with?
        let variant_of: Option<String> = self
            .enums
            .iter()
            .filter(|e| e.owner == sc.schema.unwrap_or(usize::MAX))
            .find(|e| e.ty.variants.iter().any(|v| v.name == name))
            .map(|e| e.field.clone());
        if let Some(field) = variant_of {
            self.emit_in(sc, diag::unknown_name_bare_variant(name, &field, span));
            return None;
        }
        let mut cands: Vec<(String, Code)> = Vec::new();
        cands.extend(
            schema
                .fields
                .iter()
                .map(|f| (f.name.clone(), Code::UnknownField)),
        );
        if let Some(lets) = sc.lets {
            cands.extend(lets.keys().map(|k| (k.clone(), Code::UnknownName)));
        }
        cands.extend(
            self.names
                .iter()
                .filter(|(_, (g, _))| matches!(g, Global::Segment(_)))
                .map(|(n, _)| ((*n).to_owned(), Code::UnknownSegment)),
        );
        cands.push(("today".to_owned(), Code::UnknownName));
        cands.sort();
        let sname = schema.ast.name.name.clone();
        let best = did_you_mean(name, cands.iter().map(|(c, _)| c.as_str())).map(str::to_owned);
        let code = best
            .as_ref()
            .and_then(|b| cands.iter().find(|(c, _)| c == b))
            .map_or(Code::UnknownName, |(_, code)| *code);
        self.emit_in(sc, diag::unknown_bare_name(code, name, span, &sname, best));
        None
    }

    /// `situation.NAME` or `score.GROUP`.
    pub(super) fn path(
        &mut self,
        sc: &Scope<'_>,
        base: &a::Ident,
        member: &a::Ident,
    ) -> Option<m::Expr> {
        let span = base.span.to(member.span);
        match base.name.as_str() {
            "situation" => match sc.situation {
                SitScope::Unresolved => {
                    self.mark(sc.owner);
                    None
                }
                SitScope::None(why) => {
                    self.emit_in(sc, diag::unknown_capability_no_situation(member, span, why));
                    None
                }
                SitScope::Some(x) => {
                    let info = self.situations.get(x)?;
                    // Revision 2: the timeframe's bounds (no capability has these names)
                    if member.name == "start" || member.name == "end" {
                        let Some((start, end)) = info.timeframe else {
                            let sname = info.ast.name.name.clone();
                            self.emit_in(sc, diag::no_timeframe_for(member, span, &sname));
                            return None;
                        };
                        let d = if member.name == "start" { start } else { end };
                        return Some(konst(m::Const::Date(d), m::Ty::Date, span));
                    }
                    if let Some((_, c, ty, def)) = info.caps.iter().find(|c| c.0 == member.name) {
                        let (c, ty, def) = (c.clone(), ty.clone(), *def);
                        self.reference(sc.file, member.span, def);
                        return Some(konst(c, ty, span));
                    }
                    let mut cands: Vec<String> = info.caps.iter().map(|c| c.0.clone()).collect();
                    if info.timeframe.is_some() {
                        cands.extend(["start".to_owned(), "end".to_owned()]);
                    }
                    let cands: Vec<&str> = cands.iter().map(String::as_str).collect();
                    let sname = info.ast.name.name.clone();
                    self.emit_in(sc, diag::unknown_capability(member, &sname, &cands));
                    None
                }
            },
            "score" => {
                if !sc.tier {
                    self.emit_in(sc, diag::score_outside_tier_group(span, &member.name));
                    return None;
                }
                let groups = sc.groups?;
                if let Some(&(g, def)) = groups.get(&member.name) {
                    self.reference(sc.file, member.span, def);
                    return Some(m::Expr {
                        kind: m::ExprKind::GroupScore(m::GroupId(g)),
                        ty: m::Ty::Number,
                        span,
                    });
                }
                let mut cands: Vec<&str> = groups.keys().map(String::as_str).collect();
                cands.sort_unstable();
                self.emit_in(sc, diag::unknown_group_in_tier(member, &cands));
                None
            }
            other => {
                self.emit_in(sc, diag::unknown_name_path(other, member, span));
                None
            }
        }
    }
}
