//! The symbol index: definitions, references and their hover details.

use std::sync::Arc;

use icp_syntax::{FileId, Span};

use super::Checker;
use crate::{Def, DefKind, Ref, SymbolDetail};

/// The detail of a definition the checker said nothing about yet, shared by all of them.
static NO_DETAIL: std::sync::LazyLock<Arc<SymbolDetail>> = std::sync::LazyLock::new(Arc::default);

impl Checker<'_> {
    pub(super) fn def(
        &mut self,
        kind: DefKind,
        name: &str,
        file: FileId,
        name_span: Span,
        full_span: Span,
    ) -> usize {
        self.defs.push(Def {
            kind,
            name: name.into(),
            file,
            name_span,
            full_span,
            container: None,
            detail: NO_DETAIL.clone(),
        });
        self.defs.len() - 1
    }

    pub(super) fn def_in(
        &mut self,
        kind: DefKind,
        name: &str,
        file: FileId,
        name_span: Span,
        full_span: Span,
        container: &str,
    ) -> usize {
        let d = self.def(kind, name, file, name_span, full_span);
        if let Some(x) = self.defs.get_mut(d) {
            x.container = Some(container.into());
        }
        d
    }

    pub(super) fn set_detail(&mut self, def: usize, detail: SymbolDetail) {
        if let Some(d) = self.defs.get_mut(def) {
            d.detail = Arc::new(detail);
        }
    }

    pub(super) fn reference(&mut self, file: FileId, span: Span, def: usize) {
        self.refs.push(Ref { file, span, def });
    }
}
