//! Expression typing.

use crate::diagnostics as diag;
use crate::lints;
use icp_model as m;
use icp_syntax::Span;
use icp_syntax::ast::{self as a, BinOp, CmpOp, ContainsMode, UnaryOp};

use super::types::{arith_ty, as_const, comparable, konst, lit_const, not, unify};
use super::{Checker, MAX_EXPR_DEPTH, Scope};

impl<'a> Checker<'a> {
    /// A condition: a boolean expression.
    pub(super) fn condition(&mut self, sc: &Scope<'_>, e: &'a a::Expr) -> Option<m::Expr> {
        let x = self.expr(sc, e, None, 0)?;
        self.require_bool(
            sc,
            e.span,
            x,
            "a condition must be true or false",
            "compare it: `employees >= 10`, `revenue is present`",
        )
    }

    /// `x` when it is a boolean; else report `not_boolean` ("WHAT, this is `T`") and `None`.
    pub(super) fn require_bool(
        &mut self,
        sc: &Scope<'_>,
        span: Span,
        x: m::Expr,
        what: &str,
        help: &str,
    ) -> Option<m::Expr> {
        if x.ty == m::Ty::Bool {
            return Some(x);
        }
        let tn = self.ty_name(&x.ty);
        self.emit_in(sc, diag::not_boolean(span, what, &tn, help));
        None
    }

    pub(super) fn bool_operand(
        &mut self,
        sc: &Scope<'_>,
        e: &'a a::Expr,
        op: &str,
        depth: usize,
    ) -> Option<m::Expr> {
        let x = self.expr(sc, e, None, depth + 1)?;
        self.require_bool(
            sc,
            e.span,
            x,
            &format!("`{op}` needs true or false"),
            "compare it to get a boolean: `employees >= 10`",
        )
    }

    pub(super) fn mismatch(
        &mut self,
        sc: &Scope<'_>,
        span: Span,
        l: (&m::Ty, Span),
        r: (&m::Ty, Span),
        what: &str,
        help: &str,
    ) {
        let (ln, rn) = (self.ty_name(l.0), self.ty_name(r.0));
        self.emit_in(
            sc,
            diag::type_mismatch(span, what, (l.1, &ln), (r.1, &rn), help),
        );
    }

    pub(super) fn expr(
        &mut self,
        sc: &Scope<'_>,
        e: &'a a::Expr,
        want_enum: Option<u32>,
        depth: usize,
    ) -> Option<m::Expr> {
        if depth > MAX_EXPR_DEPTH {
            self.too_deep(sc, e.span);
            return None;
        }
        let span = e.span;
        // INVARIANT: each kind is typed in its own function, so that this recursive frame
        // stays small (the parser bounds the depth; small frames keep that within any stack).
        match &e.kind {
            a::ExprKind::Lit(l) => {
                let (c, ty) = lit_const(l);
                Some(konst(c, ty, span))
            }
            a::ExprKind::List(items) => self.expr_list(sc, items, want_enum, span, depth),
            a::ExprKind::Name(id) => self.name(sc, id, want_enum),
            a::ExprKind::Path(base, member) => self.path(sc, base, member),
            a::ExprKind::Unary(UnaryOp::Not, x) => self.expr_not(sc, x, span, depth),
            a::ExprKind::Unary(UnaryOp::Neg, x) => self.expr_neg(sc, x, span, depth),
            a::ExprKind::Binary(op @ (BinOp::And | BinOp::Or), l, r) => {
                self.expr_logic(sc, *op, l, r, span, depth)
            }
            a::ExprKind::Binary(BinOp::Cmp(op), l, r) => self.expr_cmp(sc, *op, l, r, span, depth),
            a::ExprKind::Binary(BinOp::Coalesce, l, r) => self.expr_coalesce(sc, l, r, span, depth),
            a::ExprKind::Binary(op, l, r) => self.expr_arith(sc, *op, l, r, span, depth),
            a::ExprKind::InRange {
                expr,
                lo,
                hi,
                negated,
            } => self.expr_range(sc, expr, lo, hi, *negated, span, depth),
            a::ExprKind::InList {
                expr,
                list,
                negated,
            } => self.expr_in_list(sc, expr, list, *negated, span, depth),
            a::ExprKind::Contains { expr, mode, needle } => {
                self.expr_contains(sc, expr, *mode, needle, span, depth)
            }
            a::ExprKind::IsMissing { expr, negated } => {
                self.expr_missing(sc, expr, *negated, span, depth)
            }
            a::ExprKind::Call { func, .. } => self.expr_call(sc, func, span),
        }
    }

    #[inline(never)]
    pub(super) fn too_deep(&mut self, sc: &Scope<'_>, span: Span) {
        if self.deep_reported {
            self.mark(sc.owner);
            return;
        }
        self.deep_reported = true;
        self.emit_in(sc, diag::nesting_too_deep(span));
    }

    #[inline(never)]
    pub(super) fn expr_list(
        &mut self,
        sc: &Scope<'_>,
        items: &'a [a::Expr],
        want_enum: Option<u32>,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        for item in items {
            let _ = self.expr(sc, item, want_enum, depth + 1);
        }
        self.emit_in(sc, diag::type_mismatch_stray_list(span));
        None
    }

    #[inline(never)]
    pub(super) fn expr_not(
        &mut self,
        sc: &Scope<'_>,
        x: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let x = self.bool_operand(sc, x, "not", depth)?;
        if let m::ExprKind::Const(m::Const::Bool(b)) = x.kind {
            return Some(konst(m::Const::Bool(!b), m::Ty::Bool, span));
        }
        mk(m::ExprKind::Not(Box::new(x)), m::Ty::Bool)
    }

    #[inline(never)]
    pub(super) fn expr_neg(
        &mut self,
        sc: &Scope<'_>,
        x: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let x = self.expr(sc, x, None, depth + 1)?;
        if !(x.ty.is_numeric() || x.ty == m::Ty::Duration) {
            let tn = self.ty_name(&x.ty);
            self.emit_in(sc, diag::type_mismatch_negate(span, &tn));
            return None;
        }
        match x.kind {
            m::ExprKind::Const(m::Const::Num(n)) => Some(konst(m::Const::Num(-n), x.ty, span)),
            m::ExprKind::Const(m::Const::Duration(d)) => {
                Some(konst(m::Const::Duration(-d), x.ty, span))
            }
            _ => {
                let ty = x.ty.clone();
                mk(m::ExprKind::Neg(Box::new(x)), ty)
            }
        }
    }

    #[inline(never)]
    pub(super) fn expr_logic(
        &mut self,
        sc: &Scope<'_>,
        op: BinOp,
        l: &'a a::Expr,
        r: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let l = self.bool_operand(sc, l, op.as_str(), depth);
        let r = self.bool_operand(sc, r, op.as_str(), depth);
        let (l, r) = (Box::new(l?), Box::new(r?));
        let kind = if op == BinOp::And {
            m::ExprKind::And(l, r)
        } else {
            m::ExprKind::Or(l, r)
        };
        mk(kind, m::Ty::Bool)
    }

    /// Both operands of a binary operator; an enum on the left types bare variants on the
    /// right. Both sides are typed (and report) before either failure returns `None`.
    fn enum_operands(
        &mut self,
        sc: &Scope<'_>,
        l: &'a a::Expr,
        r: &'a a::Expr,
        depth: usize,
    ) -> Option<(m::Expr, m::Expr)> {
        let lx = self.expr(sc, l, None, depth + 1);
        let ctx = match lx.as_ref().map(|x| &x.ty) {
            Some(m::Ty::Enum(id)) => Some(id.0),
            _ => None,
        };
        let rx = self.expr(sc, r, ctx, depth + 1);
        Some((lx?, rx?))
    }

    #[inline(never)]
    pub(super) fn expr_cmp(
        &mut self,
        sc: &Scope<'_>,
        op: CmpOp,
        l: &'a a::Expr,
        r: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let (lx, rx) = self.enum_operands(sc, l, r, depth)?;
        if !matches!(op, CmpOp::Eq | CmpOp::Ne)
            && let (m::Ty::Enum(x), m::Ty::Enum(y)) = (&lx.ty, &rx.ty)
            && x == y
        {
            // Revision 2: only an ordered enum orders its variants (by declared position).
            if !self.enum_ordered(sc, span, op.as_str(), *x) {
                return None;
            }
            return mk(
                m::ExprKind::Cmp(op, Box::new(lx), Box::new(rx)),
                m::Ty::Bool,
            );
        }
        if let Err(help) = comparable(op, &lx.ty, &rx.ty) {
            if lx.ty == rx.ty {
                let tn = self.ty_name(&lx.ty);
                self.emit_in(
                    sc,
                    diag::type_mismatch_no_order(span, op.as_str(), &tn, help),
                );
                return None;
            }
            self.mismatch(
                sc,
                span,
                (&lx.ty, l.span),
                (&rx.ty, r.span),
                "compare",
                &help,
            );
            return None;
        }
        mk(
            m::ExprKind::Cmp(op, Box::new(lx), Box::new(rx)),
            m::Ty::Bool,
        )
    }

    /// Whether enum `id` is ordered; else report the type error for `op` (`in` for a
    /// range), whose help declares the order from the enum's own variants.
    fn enum_ordered(&mut self, sc: &Scope<'_>, span: Span, op: &str, id: m::EnumId) -> bool {
        let Some(info) = self.enums.get(id.index()) else {
            return true;
        };
        if info.ty.ordered {
            return true;
        }
        let variants: Vec<(&str, &[String])> = info
            .ty
            .variants
            .iter()
            .map(|v| (v.name.as_str(), v.strings.as_slice()))
            .collect();
        let catch_all = info
            .ty
            .catch_all
            .and_then(|i| info.ty.variants.get(i as usize))
            .map(|v| v.name.as_str());
        let d = diag::type_mismatch_unordered_enum(
            span,
            op,
            (&info.field, info.optional),
            &variants,
            catch_all,
        );
        self.emit_in(sc, d);
        false
    }

    #[inline(never)]
    pub(super) fn expr_coalesce(
        &mut self,
        sc: &Scope<'_>,
        l: &'a a::Expr,
        r: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let (lx, rx) = self.enum_operands(sc, l, r, depth)?;
        let Some(ty) = unify(&lx.ty, &rx.ty) else {
            self.mismatch(
                sc,
                span,
                (&lx.ty, l.span),
                (&rx.ty, r.span),
                "combine with `??`",
                "the default must have the value's type: `marketers ?? 0`",
            );
            return None;
        };
        mk(m::ExprKind::Coalesce(Box::new(lx), Box::new(rx)), ty)
    }

    #[inline(never)]
    pub(super) fn expr_arith(
        &mut self,
        sc: &Scope<'_>,
        op: BinOp,
        l: &'a a::Expr,
        r: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let lx = self.expr(sc, l, None, depth + 1);
        let rx = self.expr(sc, r, None, depth + 1);
        let (lx, rx) = (lx?, rx?);
        let Some(ty) = arith_ty(op, &lx.ty, &rx.ty) else {
            self.mismatch(
                sc,
                span,
                (&lx.ty, l.span),
                (&rx.ty, r.span),
                &format!("apply `{}` to", op.as_str()),
                "arithmetic works on numbers, money (`money / int`, `money * percent`), percents, and dates with durations (`today - 90d`)",
            );
            return None;
        };
        if op == BinOp::Div && matches!(as_const(&rx), Some(m::Const::Num(z)) if z.is_zero()) {
            self.emit_in(sc, lints::division_by_zero::diagnostic(r.span));
        }
        let aop = match op {
            BinOp::Add => m::ArithOp::Add,
            BinOp::Sub => m::ArithOp::Sub,
            BinOp::Mul => m::ArithOp::Mul,
            _ => m::ArithOp::Div,
        };
        mk(m::ExprKind::Arith(aop, Box::new(lx), Box::new(rx)), ty)
    }

    #[inline(never)]
    #[expect(clippy::too_many_arguments, reason = "the parts of a range test")]
    pub(super) fn expr_range(
        &mut self,
        sc: &Scope<'_>,
        expr: &'a a::Expr,
        lo: &'a a::Expr,
        hi: &'a a::Expr,
        negated: bool,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let x = self.expr(sc, expr, None, depth + 1);
        // an enum types bare variants in the bounds (`funding in seed..series_b`)
        let ctx = match x.as_ref().map(|x| &x.ty) {
            Some(m::Ty::Enum(id)) => Some(id.0),
            _ => None,
        };
        let lx = self.expr(sc, lo, ctx, depth + 1);
        let hx = self.expr(sc, hi, ctx, depth + 1);
        let (x, lx, hx) = (x?, lx?, hx?);
        // an enum's bounds must be its variants (`==` says so), and it must be ordered
        let op = if ctx.is_some() { CmpOp::Eq } else { CmpOp::Le };
        for (b, bs) in [(&lx, lo.span), (&hx, hi.span)] {
            if let Err(help) = comparable(op, &x.ty, &b.ty) {
                self.mismatch(
                    sc,
                    span,
                    (&x.ty, expr.span),
                    (&b.ty, bs),
                    "range over",
                    &help,
                );
                return None;
            }
        }
        if let m::Ty::Enum(id) = &x.ty
            && !self.enum_ordered(sc, span, "in", *id)
        {
            return None;
        }
        let bound = |c: Option<&m::Const>| match c {
            Some(m::Const::Num(n)) => Some(*n),
            Some(m::Const::Date(d)) => Some(m::Decimal::from(d.0)),
            Some(m::Const::Duration(d)) => Some(m::Decimal::from(*d)),
            Some(m::Const::Enum(_, i)) => Some(m::Decimal::from(*i)),
            _ => None,
        };
        if let (Some(a), Some(b)) = (bound(as_const(&lx)), bound(as_const(&hx)))
            && a > b
        {
            self.emit_in(
                sc,
                diag::invalid_range(lo.span.to(hi.span), self.src(sc.file, lo.span.to(hi.span))),
            );
            return None;
        }
        let inner = m::Expr {
            kind: m::ExprKind::InRange {
                expr: Box::new(x),
                lo: Box::new(lx),
                hi: Box::new(hx),
            },
            ty: m::Ty::Bool,
            span,
        };
        Some(if negated { not(inner) } else { inner })
    }

    #[inline(never)]
    pub(super) fn expr_in_list(
        &mut self,
        sc: &Scope<'_>,
        expr: &'a a::Expr,
        list: &'a [a::Expr],
        negated: bool,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let x = self.expr(sc, expr, None, depth + 1)?;
        let ctx = match &x.ty {
            m::Ty::Enum(id) => Some(id.0),
            _ => None,
        };
        let items = self.list_items(sc, list, ctx, depth)?;
        for (item, ast) in items.iter().zip(list) {
            if let Err(help) = comparable(CmpOp::Eq, &x.ty, &item.ty) {
                self.mismatch(
                    sc,
                    ast.span,
                    (&x.ty, expr.span),
                    (&item.ty, ast.span),
                    "compare",
                    &help,
                );
                return None;
            }
        }
        let inner = m::Expr {
            kind: m::ExprKind::InList {
                expr: Box::new(x),
                list: items,
            },
            ty: m::Ty::Bool,
            span,
        };
        Some(if negated { not(inner) } else { inner })
    }

    #[inline(never)]
    pub(super) fn expr_contains(
        &mut self,
        sc: &Scope<'_>,
        expr: &'a a::Expr,
        mode: ContainsMode,
        needle: &'a a::Expr,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let mk = |kind: m::ExprKind, ty: m::Ty| Some(m::Expr { kind, ty, span });
        let x = self.expr(sc, expr, None, depth + 1)?;
        if !matches!(&x.ty, m::Ty::Text | m::Ty::Set(_)) {
            let tn = self.ty_name(&x.ty);
            self.emit_in(sc, diag::type_mismatch_contains_on(expr.span, &tn));
            return None;
        }
        let needles = match (mode, &needle.kind) {
            (ContainsMode::One, a::ExprKind::List(_)) => {
                self.emit_in(sc, diag::type_mismatch_contains_list(needle.span));
                return None;
            }
            (ContainsMode::One, _) => vec![self.expr(sc, needle, None, depth + 1)?],
            (_, a::ExprKind::List(items)) => self.list_items(sc, items, None, depth)?,
            _ => {
                self.emit_in(sc, diag::type_mismatch_contains_not_list(needle.span));
                return None;
            }
        };
        for n in &needles {
            if n.ty != m::Ty::Text {
                let tn = self.ty_name(&n.ty);
                self.emit_in(sc, diag::type_mismatch_contains_needle(n.span, &tn));
                return None;
            }
        }
        mk(
            m::ExprKind::Contains {
                expr: Box::new(x),
                mode,
                needles,
            },
            m::Ty::Bool,
        )
    }

    #[inline(never)]
    pub(super) fn expr_missing(
        &mut self,
        sc: &Scope<'_>,
        expr: &'a a::Expr,
        negated: bool,
        span: Span,
        depth: usize,
    ) -> Option<m::Expr> {
        let x = self.expr(sc, expr, None, depth + 1)?;
        if let m::ExprKind::Field(fid) = &x.kind {
            self.never_missing(sc, *fid, expr.span, negated);
        }
        let inner = m::Expr {
            kind: m::ExprKind::IsMissing(Box::new(x)),
            ty: m::Ty::Bool,
            span,
        };
        Some(if negated { not(inner) } else { inner })
    }

    #[inline(never)]
    pub(super) fn expr_call(
        &mut self,
        sc: &Scope<'_>,
        func: &a::Ident,
        span: Span,
    ) -> Option<m::Expr> {
        if func.name == "count" || func.name == "sum" {
            self.emit_in(
                sc,
                diag::aggregate_outside_goal(span, &func.name, "goal NAME sum(arr) >= $100k"),
            );
        } else {
            self.emit_in(sc, diag::unknown_function(func));
        }
        None
    }

    pub(super) fn list_items(
        &mut self,
        sc: &Scope<'_>,
        list: &'a [a::Expr],
        ctx: Option<u32>,
        depth: usize,
    ) -> Option<Vec<m::Expr>> {
        let mut out: Vec<m::Expr> = Vec::new();
        let mut ok = true;
        for item in list {
            match self.expr(sc, item, ctx, depth + 1) {
                Some(x) => {
                    if let Some(first) = out.first()
                        && unify(&first.ty, &x.ty).is_none()
                    {
                        let (fnm, xn) = (self.ty_name(&first.ty), self.ty_name(&x.ty));
                        let fspan = first.span;
                        self.emit_in(sc, diag::mixed_list(item.span, &xn, fspan, &fnm));
                        ok = false;
                        continue;
                    }
                    out.push(x);
                }
                None => ok = false,
            }
        }
        out.shrink_to_fit();
        ok.then_some(out)
    }

    pub(super) fn never_missing(
        &mut self,
        sc: &Scope<'_>,
        fid: m::FieldId,
        span: Span,
        negated: bool,
    ) {
        let Some(schema) = sc.schema.and_then(|s| self.schemas.get(s)) else {
            return;
        };
        let Some(ast_field) = schema.ast.fields.get(fid.index()) else {
            return;
        };
        if ast_field.ty.optional {
            return;
        }
        let sfile = schema.file;
        let name = ast_field.name.name.clone();
        let d = lints::never_missing::diagnostic(
            sc.file,
            span,
            &name,
            negated,
            sfile,
            ast_field.ty.span,
            self.src(sfile, ast_field.ty.span),
        );
        self.diags.push(d);
    }
}
