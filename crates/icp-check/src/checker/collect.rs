//! Name collection: every top-level item and its global name.

use std::collections::HashMap;

use icp_syntax::ast::{self as a};

use super::{
    Checker, Global, Owner, ProfileInfo, SchemaInfo, SegmentInfo, SituationInfo, TestInfo,
};
use crate::DefKind;
use crate::SymbolDetail;

impl<'a> Checker<'a> {
    /// Register every top-level item and its name.
    pub(super) fn collect(&mut self) {
        let files = self.files;
        let mut test_names: HashMap<&'a str, usize> = HashMap::new();
        for f in files {
            for item in &f.ast.items {
                let (global, name, kind) = match item {
                    a::Item::Import(_) => continue,
                    a::Item::Schema(s) => {
                        let def =
                            self.def(DefKind::Schema, &s.name.name, f.id, s.name.span, s.span);
                        self.schemas.push(SchemaInfo {
                            file: f.id,
                            ast: s,
                            err: false,
                            def,
                            fields: Vec::new(),
                            field_ix: HashMap::new(),
                            field_defs: Vec::new(),
                            key: None,
                            untyped: Vec::new(),
                        });
                        (Global::Schema(self.schemas.len() - 1), &s.name, "schema")
                    }
                    a::Item::Situation(s) => {
                        let def =
                            self.def(DefKind::Situation, &s.name.name, f.id, s.name.span, s.span);
                        self.situations.push(SituationInfo {
                            file: f.id,
                            ast: s,
                            err: false,
                            def,
                            schema: None,
                            caps: Vec::new(),
                            timeframe: None,
                            goals: Vec::new(),
                            model: None,
                        });
                        (
                            Global::Situation(self.situations.len() - 1),
                            &s.name,
                            "situation",
                        )
                    }
                    a::Item::Segment(s) => {
                        let def =
                            self.def(DefKind::Segment, &s.name.name, f.id, s.name.span, s.span);
                        self.segments.push(SegmentInfo {
                            file: f.id,
                            ast: s,
                            err: false,
                            def,
                            schema: None,
                            cond: None,
                            deps: Vec::new(),
                        });
                        (Global::Segment(self.segments.len() - 1), &s.name, "segment")
                    }
                    a::Item::Profile(p) => {
                        let def =
                            self.def(DefKind::Profile, &p.name.name, f.id, p.name.span, p.span);
                        self.profiles.push(ProfileInfo {
                            file: f.id,
                            ast: p,
                            err: false,
                            def,
                            schema: None,
                            situation: None,
                            deps: Vec::new(),
                            model: None,
                            tiers: std::sync::Arc::default(),
                            groups: std::sync::Arc::default(),
                            reasons: std::sync::Arc::default(),
                        });
                        (Global::Profile(self.profiles.len() - 1), &p.name, "profile")
                    }
                    a::Item::Test(t) => {
                        let def = self.def(DefKind::Test, &t.name.value, f.id, t.name.span, t.span);
                        self.set_detail(def, SymbolDetail::Test);
                        let ix = self.tests.len();
                        self.tests.push(TestInfo {
                            file: f.id,
                            ast: t,
                            err: false,
                            profile: None,
                            model: None,
                            cases: Vec::new(),
                            cases_from: Vec::new(),
                        });
                        if let Some(&first) = test_names.get(t.name.value.as_str()) {
                            let ident = a::Ident {
                                name: t.name.value.clone(),
                                span: t.name.span,
                            };
                            self.duplicate(Some(Owner::Test(ix)), f.id, "test", &ident, first);
                        } else {
                            test_names.insert(&t.name.value, def);
                        }
                        continue;
                    }
                };
                let def = self.defs.len() - 1;
                if let Some(&(_, first)) = self.names.get(name.name.as_str()) {
                    let owner = match global {
                        Global::Schema(i) => Owner::Schema(i),
                        Global::Situation(i) => Owner::Situation(i),
                        Global::Segment(i) => Owner::Segment(i),
                        Global::Profile(i) => Owner::Profile(i),
                    };
                    self.duplicate(Some(owner), f.id, kind, name, first);
                } else {
                    self.names.insert(&name.name, (global, def));
                }
            }
        }
    }
}
