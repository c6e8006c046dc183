//! Poisoned names: one mistake, one error.
//!
//! A name whose declaration is broken (a syntax error in its item or clause, an unknown
//! type, a failed import) is *poisoned*, not unknown: its uses report nothing, since the one
//! error is already at the broken declaration (rustc's `ty::Error` exists for the same
//! reason). The rules:
//!
//! - a broken item or clause poisons the name it declares (`criterion fit wei` poisons
//!   `fit`); when its name could not be read, every unknown name of its kind is silenced
//!   (a nameless broken group silences `unknown_group`);
//! - a broken schema silences every schema and field lookup (`unknown_schema`, `no_schema`,
//!   `unknown_field`, `unknown_variant`): the fields it would have declared are not known;
//! - a field of an unknown type is poisoned (its uses are neither typed nor reported);
//! - a file with a failed import (or a broken `import`) reports no unknown names at all: the
//!   import might have declared them;
//! - an item with a broken clause reports no "missing" diagnostics (no tiers, no timeframe,
//!   no account, ...) and no lints: the broken clause may hold what is missing, and the
//!   reasoning behind the lints needs the whole item.

use std::collections::HashSet;

use icp_syntax::ast::BrokenKind;
use icp_syntax::{Code, Diagnostic, FileId, HasSpan, Severity, Span};

use crate::SourceFile;

/// Diagnostics that say a name is not declared.
const UNKNOWN: &[Code] = &[
    Code::UnknownField,
    Code::UnknownSegment,
    Code::UnknownVariant,
    Code::UnknownProfile,
    Code::UnknownSchema,
    Code::UnknownSituation,
    Code::UnknownCapability,
    Code::UnknownGoal,
    Code::UnknownGroup,
    Code::UnknownTier,
    Code::UnknownName,
    Code::NoSchema,
];

/// Diagnostics that say something is missing from an item.
const MISSING: &[Code] = &[
    Code::NoTiers,
    Code::MissingCatchAllTier,
    Code::NoPositiveWeight,
    Code::MissingTimeframe,
    Code::EmptyGroup,
    Code::MissingKey,
    Code::TestProfileRequired,
    Code::TestWithoutAccount,
    Code::TestWithoutExpect,
    Code::TestMissingField,
    Code::UnusedLet,
];

/// The codes silenced everywhere when a declaration of `kind` is broken and nameless.
fn kind_codes(kind: BrokenKind) -> &'static [Code] {
    match kind {
        BrokenKind::Item("schema") => &[
            Code::UnknownSchema,
            Code::NoSchema,
            Code::UnknownField,
            Code::UnknownVariant,
        ],
        BrokenKind::Item("segment") => &[Code::UnknownSegment, Code::UnknownName],
        BrokenKind::Item("profile") => &[Code::UnknownProfile],
        BrokenKind::Item("situation") => &[
            Code::UnknownSituation,
            Code::UnknownCapability,
            Code::UnknownGoal,
        ],
        BrokenKind::Clause("field") => &[Code::UnknownField, Code::UnknownVariant],
        BrokenKind::Clause("group") => &[Code::UnknownGroup],
        BrokenKind::Clause("criterion" | "exclude" | "let") => &[Code::UnknownName],
        BrokenKind::Clause("tier") => &[Code::UnknownTier],
        BrokenKind::Clause("goal") => &[Code::UnknownGoal],
        BrokenKind::Clause("capability") => &[Code::UnknownCapability],
        _ => &[],
    }
}

/// What is poisoned in a project.
#[derive(Debug, Default)]
pub(super) struct Poison {
    /// Names declared by broken items and clauses, and fields of unknown types.
    names: HashSet<String>,
    /// Unknown-name codes silenced everywhere.
    codes: HashSet<Code>,
    /// Files with a failed or broken import.
    files: HashSet<FileId>,
    /// Items holding a broken clause.
    partial: Vec<(FileId, Span)>,
}

impl Poison {
    /// What the parse of `files` and the loader's diagnostics poison.
    pub(super) fn new(files: &[SourceFile], load_diags: &[Diagnostic]) -> Self {
        let mut p = Poison::default();
        for d in load_diags {
            if matches!(
                d.code,
                Code::ImportNotFound | Code::ImportUnreadable | Code::ImportOutsideRoot
            ) {
                p.files.insert(d.file);
            }
        }
        for f in files {
            for b in &f.ast.broken {
                if b.kind == BrokenKind::Item("import") {
                    p.files.insert(f.id);
                }
                if matches!(b.kind, BrokenKind::Item("schema")) {
                    p.codes.extend(kind_codes(b.kind));
                }
                p.names.extend(b.declares.iter().map(|n| n.name.clone()));
                match &b.name {
                    Some(n) => {
                        p.names.insert(n.name.clone());
                    }
                    None => p.codes.extend(kind_codes(b.kind)),
                }
                if matches!(b.kind, BrokenKind::Clause(_)) {
                    for item in &f.ast.items {
                        let s = item.span();
                        if s.start <= b.span.start && b.span.start <= s.end {
                            p.partial.push((f.id, s));
                        }
                    }
                }
            }
        }
        p
    }

    /// Poison a name (a field of an unknown type).
    pub(super) fn name(&mut self, name: &str) {
        self.names.insert(name.to_owned());
    }

    /// Feed what is poisoned, in a stable order, to a hasher (for incremental checking).
    pub(super) fn fingerprint(&self, h: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        let mut names: Vec<&String> = self.names.iter().collect();
        names.sort_unstable();
        names.hash(h);
        let mut codes: Vec<String> = self.codes.iter().map(ToString::to_string).collect();
        codes.sort_unstable();
        codes.hash(h);
        let mut files: Vec<u32> = self.files.iter().map(|f| f.0).collect();
        files.sort_unstable();
        files.hash(h);
    }

    /// Whether the item at `span` of `file` holds a broken clause.
    pub(super) fn is_partial(&self, file: FileId, span: Span) -> bool {
        self.partial.iter().any(|(f, s)| *f == file && *s == span)
    }

    /// Whether `d`, about to be reported in `file` whose text is `text`, follows from a
    /// mistake already reported.
    pub(super) fn silences(&self, file: FileId, d: &Diagnostic, text: &str) -> bool {
        let in_partial = || {
            self.partial
                .iter()
                .any(|(f, s)| *f == file && s.start <= d.span.start && d.span.start <= s.end)
        };
        if UNKNOWN.contains(&d.code) {
            return self.files.contains(&file)
                || self.codes.contains(&d.code)
                || self.names.contains(d.span.text(text));
        }
        (d.severity == Severity::Warning || MISSING.contains(&d.code)) && in_partial()
    }
}
