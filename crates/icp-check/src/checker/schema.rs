//! Schemas: field types, enums, the key and the schema rules.

use std::collections::HashMap;

use icp_model as m;
use icp_syntax::ast::{self as a};
use icp_syntax::{FileId, Span};

use super::types::loc;
use super::{Checker, EnumInfo, Owner, SchemaInfo, TYPE_NAMES};
use crate::DefKind;
use crate::SymbolDetail;
use crate::diagnostics as diag;
use crate::lints;

pub(super) fn info_def(schemas: &[SchemaInfo<'_>], si: usize) -> usize {
    schemas.get(si).map_or(usize::MAX, |s| s.def)
}

impl<'a> Checker<'a> {
    pub(super) fn field_ty(
        &mut self,
        si: usize,
        file: FileId,
        field: &'a a::Field,
        t: &'a a::TypeExpr,
        in_set: bool,
    ) -> Option<m::Ty> {
        let owner = Some(Owner::Schema(si));
        Some(match &t.kind {
            a::TypeKind::Bool => m::Ty::Bool,
            a::TypeKind::Int => m::Ty::Int,
            a::TypeKind::Number => m::Ty::Number,
            a::TypeKind::Money => m::Ty::Money,
            a::TypeKind::Percent => m::Ty::Percent,
            a::TypeKind::Text => m::Ty::Text,
            a::TypeKind::Date => m::Ty::Date,
            a::TypeKind::Duration => m::Ty::Duration,
            a::TypeKind::Named(id) => {
                self.emit(owner, file, diag::unknown_type(id, &TYPE_NAMES));
                // An error type: the field's uses are neither typed nor reported.
                self.poison.name(&field.name.name);
                return None;
            }
            a::TypeKind::Set(inner) => {
                if in_set || inner.optional || !matches!(inner.kind, a::TypeKind::Text) {
                    self.emit(
                        owner,
                        file,
                        diag::invalid_set_type(inner.span, self.src(file, inner.span)),
                    );
                    return None;
                }
                m::Ty::Set(Box::new(m::Ty::Text))
            }
            a::TypeKind::Enum(decl) => {
                let variants = &decl.variants;
                let eid = self.enums.len() as u32;
                let mut ty = m::EnumTy {
                    variants: Vec::new(),
                    catch_all: None,
                    ordered: decl.ordered(),
                };
                let mut defs = Vec::new();
                let mut ok = true;
                if variants.is_empty() {
                    self.emit(owner, file, diag::empty_enum(t.span, &field.name.name));
                    ok = false;
                }
                if let (Some(&lt), Some(&comma)) = (decl.less.first(), decl.commas.first()) {
                    let names: Vec<&str> = variants.iter().map(|v| v.name.name.as_str()).collect();
                    // reported once; the enum stays usable (as ordered), so its uses report
                    // nothing more
                    self.emit(owner, file, diag::mixed_enum_order(comma, lt, &names));
                }
                let mut seen: HashMap<String, usize> = HashMap::new();
                let mut strings: HashMap<String, (String, Span)> = HashMap::new();
                let mut catch: Option<Span> = None;
                for v in variants {
                    let def = self.def_in(
                        DefKind::Variant,
                        &v.name.name,
                        file,
                        v.name.span,
                        v.span,
                        &field.name.name,
                    );
                    if let Some(&first) = seen.get(&v.name.name) {
                        self.duplicate(owner, file, "variant", &v.name, first);
                        ok = false;
                    } else {
                        seen.insert(v.name.name.clone(), def);
                    }
                    if let Some(c) = v.catch_all {
                        if decl.ordered() {
                            // the variant stays (without its catch-all): one error
                            self.emit(owner, file, diag::ordered_catch_all(c, &v.name.name));
                        } else if let Some(first) = catch {
                            self.emit(owner, file, diag::multiple_catch_all(c, first));
                            ok = false;
                        } else {
                            catch = Some(c);
                            ty.catch_all = Some(ty.variants.len() as u32);
                        }
                    }
                    let mut reads: Vec<(String, Span)> =
                        vec![(v.name.name.trim().to_lowercase(), v.name.span)];
                    reads.extend(
                        v.strings
                            .iter()
                            .map(|s| (s.value.trim().to_lowercase(), s.span)),
                    );
                    let mut mine: Vec<String> = Vec::new();
                    for (s, span) in reads {
                        if mine.contains(&s) {
                            continue;
                        }
                        mine.push(s.clone());
                        if let Some((other, ospan)) = strings.get(&s) {
                            let d = diag::duplicate_mapping(span, &v.name.name, other, *ospan, &s);
                            self.emit(owner, file, d);
                            ok = false;
                        } else {
                            strings.insert(s, (v.name.name.clone(), span));
                        }
                    }
                    defs.push(def);
                    ty.variants.push(m::VariantDef {
                        name: v.name.name.clone(),
                        strings: v.strings.iter().map(|s| s.value.clone()).collect(),
                        loc: loc(file, v.name.span),
                    });
                }
                for (d, v) in defs.iter().zip(&ty.variants) {
                    self.set_detail(
                        *d,
                        SymbolDetail::Variant {
                            field: field.name.name.clone(),
                            reads: v.strings.clone(),
                        },
                    );
                }
                self.enums.push(EnumInfo {
                    ty,
                    owner: si,
                    field: field.name.name.clone(),
                    optional: field.ty.optional,
                    defs,
                });
                if !ok {
                    return None;
                }
                m::Ty::Enum(m::EnumId(eid))
            }
        })
    }

    pub(super) fn check_schema(&mut self, si: usize) {
        let Some(info) = self.schemas.get(si) else {
            return;
        };
        let (file, ast) = (info.file, info.ast);
        let owner = Some(Owner::Schema(si));
        let mut field_ix: HashMap<&'a str, u32> = HashMap::new();
        let mut field_defs = Vec::new();
        let mut untyped: Vec<u32> = Vec::new();
        let mut fields = Vec::new();
        let mut key: Option<(m::FieldId, Span)> = None;
        let mut columns: HashMap<String, (String, Span)> = HashMap::new();
        for f in &ast.fields {
            let def = self.def_in(
                DefKind::Field,
                &f.name.name,
                file,
                f.name.span,
                f.span,
                &ast.name.name,
            );
            if let Some(&first) = field_ix.get(f.name.name.as_str()) {
                let first_def = field_defs.get(first as usize).copied().unwrap_or(def);
                self.duplicate(owner, file, "field", &f.name, first_def);
            }
            let ty = self.field_ty(si, file, f, &f.ty, false);
            let column = f
                .from
                .as_ref()
                .map_or_else(|| f.name.name.clone(), |s| s.value.clone());
            let col_key = column.trim().to_lowercase();
            let col_span = f.from.as_ref().map_or(f.name.span, |s| s.span);
            if let Some((other, ospan)) = columns.get(&col_key) {
                let d = diag::duplicate_column(col_span, &f.name.name, other, *ospan, &column);
                self.emit(owner, file, d);
            } else {
                columns.insert(col_key, (f.name.name.clone(), col_span));
            }
            let id = m::FieldId(fields.len() as u32);
            if let Some(fspan) = f.fraction
                && ty.is_some()
                && !matches!(ty, Some(m::Ty::Percent))
            {
                let written = self.src(file, f.ty.span).to_owned();
                self.emit(
                    owner,
                    file,
                    diag::fraction_not_percent(&f.name.name, fspan, &written),
                );
            }
            if let Some(kspan) = f.key {
                if let Some((_, first)) = key {
                    self.emit(owner, file, diag::multiple_keys(kspan, first));
                } else {
                    key = Some((id, kspan));
                }
                if f.ty.optional {
                    self.emit(
                        owner,
                        file,
                        diag::optional_key(
                            &f.name.name,
                            f.ty.span,
                            self.src(file, f.ty.span).trim_end_matches('?').trim_end(),
                        ),
                    );
                }
            }
            self.set_detail(
                def,
                SymbolDetail::Field {
                    ty_text: self.src(file, f.ty.span).to_owned(),
                    column: column.clone(),
                    optional: f.ty.optional,
                    key: f.key.is_some(),
                    variants: match &f.ty.kind {
                        a::TypeKind::Enum(e) => {
                            Some(e.variants.iter().map(|v| v.name.name.clone()).collect())
                        }
                        _ => None,
                    },
                },
            );
            field_ix.entry(&f.name.name).or_insert(id.0);
            field_defs.push(def);
            if ty.is_none() {
                untyped.push(id.0);
            }
            let fraction = f.fraction.is_some() && matches!(ty, Some(m::Ty::Percent));
            fields.push(m::Field {
                name: f.name.name.clone(),
                column,
                ty: ty.unwrap_or(m::Ty::Bool),
                optional: f.ty.optional,
                fraction,
                loc: loc(file, f.name.span),
            });
        }
        if key.is_none() {
            self.emit(owner, file, lints::missing_key::diagnostic(&ast.name));
        }
        let n = fields.len();
        self.set_detail(
            info_def(&self.schemas, si),
            SymbolDetail::Schema { fields: n },
        );
        if let Some(info) = self.schemas.get_mut(si) {
            info.fields = fields;
            info.field_ix = field_ix;
            info.field_defs = field_defs;
            info.key = key.map(|(k, _)| k);
            info.untyped = untyped;
        }
    }
}
