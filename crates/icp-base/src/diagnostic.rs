//! Diagnostics shared by every stage: a stable [`Code`], a severity, a primary span with a
//! label, secondary labels, help and an optional machine-applicable [`Fix`].
//!
//! One [`Code`] enum lists every diagnostic the toolchain can emit, so the list in
//! `docs/diagnostics.md`, the UI tests and the editor all agree (as ruff's rule registry).

use std::fmt;

use crate::span::{LineIndex, Span};

/// Identifies a source file within one check (0 for a lone parse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
pub struct FileId(pub u32);

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails `icp check`.
    Error,
    /// Reported; fails only with `--deny warnings`.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $sev:ident; )*) => {
        /// Every diagnostic code. The string form `icp::NAME` is stable.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// All codes, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The bare name (`unknown_field`).
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The default severity.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }
        }
    };
}

codes! {
    // --- syntax (icp-syntax) ---
    /// The parser expected something else.
    Syntax = "syntax", Error;
    /// A string literal runs to the end of the line.
    UnterminatedString = "unterminated_string", Error;
    /// A `{`, `(` or `[` is never closed, or a closer has no opener.
    UnclosedDelimiter = "unclosed_delimiter", Error;
    /// A literal that looks right but has no value (`2027-02-30`, a number too large).
    InvalidLiteral = "invalid_literal", Error;
    /// Expressions nested deeper than the parser allows.
    NestingTooDeep = "nesting_too_deep", Error;
    /// Text at the top level that starts no item (`segmnt x { }`).
    UnknownItem = "unknown_item", Error;
    // --- files and imports (icp-check) ---
    /// An imported file does not exist.
    ImportNotFound = "import_not_found", Error;
    /// An import resolves outside the project root.
    ImportOutsideRoot = "import_outside_root", Error;
    /// Files import each other in a cycle.
    ImportCycle = "import_cycle", Error;
    /// An imported file cannot be read (not UTF-8, a directory, no permission).
    ImportUnreadable = "import_unreadable", Error;
    // --- names ---
    /// A name refers to no field of the schema.
    UnknownField = "unknown_field", Error;
    /// A target or expression names no segment.
    UnknownSegment = "unknown_segment", Error;
    /// A variant the enum lacks.
    UnknownVariant = "unknown_variant", Error;
    /// A type name that does not exist.
    UnknownType = "unknown_type", Error;
    /// A profile name that does not exist.
    UnknownProfile = "unknown_profile", Error;
    /// A schema name that does not exist.
    UnknownSchema = "unknown_schema", Error;
    /// A situation name that does not exist.
    UnknownSituation = "unknown_situation", Error;
    /// `situation.NAME` names no capability.
    UnknownCapability = "unknown_capability", Error;
    /// A milestone names no goal.
    UnknownGoal = "unknown_goal", Error;
    /// `score.NAME` names no group.
    UnknownGroup = "unknown_group", Error;
    /// `expect tier NAME` names no tier.
    UnknownTier = "unknown_tier", Error;
    /// A function other than `count` and `sum`.
    UnknownFunction = "unknown_function", Error;
    /// A bare name that is no field, `let`, segment or variant.
    UnknownName = "unknown_name", Error;
    /// A name defined twice.
    DuplicateName = "duplicate_name", Error;
    /// No `for` and several schemas in scope.
    AmbiguousSchema = "ambiguous_schema", Error;
    /// No schema in scope at all.
    NoSchema = "no_schema", Error;
    /// Segments or `let`s that refer to themselves.
    ReferenceCycle = "reference_cycle", Error;
    /// A profile and its situation or target are for different schemas.
    SchemaMismatch = "schema_mismatch", Error;
    // --- schema ---
    /// An enum with no variants.
    EmptyEnum = "empty_enum", Error;
    /// More than one `= _` in an enum.
    MultipleCatchAll = "multiple_catch_all", Error;
    /// Two variants read from the same string.
    DuplicateMapping = "duplicate_mapping", Error;
    /// An enum whose variants are separated by both `,` and `<`.
    MixedEnumOrder = "mixed_enum_order", Error;
    /// A catch-all `= _` in an ordered enum.
    OrderedCatchAll = "ordered_catch_all", Error;
    /// `set<T>` of a type a set cannot hold.
    InvalidSetType = "invalid_set_type", Error;
    /// A schema with no `key` field.
    MissingKey = "missing_key", Warning;
    /// More than one `key` field.
    MultipleKeys = "multiple_keys", Error;
    /// A `key` field that may be missing.
    OptionalKey = "optional_key", Error;
    /// Two fields read the same column.
    DuplicateColumn = "duplicate_column", Error;
    /// `as fraction` on a field that is not a `percent`.
    FractionNotPercent = "fraction_not_percent", Error;
    // --- types ---
    /// Operand types that do not fit the operator.
    TypeMismatch = "type_mismatch", Error;
    /// A condition that is not a boolean.
    NotBoolean = "not_boolean", Error;
    /// `count` or `sum(..)` outside a situation goal.
    AggregateOutsideGoal = "aggregate_outside_goal", Error;
    /// `score` or `score.GROUP` outside a tier or test.
    ScoreOutsideTier = "score_outside_tier", Error;
    /// A list whose elements have different types.
    MixedList = "mixed_list", Error;
    /// An expression where a literal is required (a goal target, a tier threshold, a test value).
    NotConstant = "not_constant", Error;
    // --- profiles ---
    /// A criterion of weight zero.
    ZeroWeight = "zero_weight", Error;
    /// A profile without any positive weight: its score is undefined.
    NoPositiveWeight = "no_positive_weight", Error;
    /// A profile without tiers.
    NoTiers = "no_tiers", Error;
    /// The last tier has a threshold, so some accounts get no tier.
    MissingCatchAllTier = "missing_catch_all_tier", Error;
    /// Tiers whose thresholds do not decrease.
    TierOrder = "tier_order", Error;
    /// A tier no account can reach.
    UnreachableTier = "unreachable_tier", Warning;
    /// `practical_share` outside 0%..100%.
    PracticalShareRange = "practical_share_range", Error;
    /// A criterion's own `practical_share` where it has no `practical` branch to apply to.
    PracticalShareUnused = "practical_share_unused", Error;
    /// A clause that may appear once appears twice.
    DuplicateClause = "duplicate_clause", Error;
    /// A group with no criteria.
    EmptyGroup = "empty_group", Warning;
    /// A `let` nobody uses.
    UnusedLet = "unused_let", Warning;
    // --- logic ---
    /// A condition that can never be true.
    NeverTrue = "never_true", Warning;
    /// A condition that is always true.
    AlwaysTrue = "always_true", Warning;
    /// A `practical` branch whose condition implies the `perfect` one.
    PracticalUnreachable = "practical_unreachable", Warning;
    /// A range whose low end is above its high end.
    InvalidRange = "invalid_range", Error;
    /// `is missing` on a field that is never missing.
    NeverMissing = "never_missing", Warning;
    /// A division by the literal zero.
    DivisionByZero = "division_by_zero", Warning;
    // --- situations ---
    /// The situation's timeframe ended before today: revisit the ICP.
    SituationEnded = "situation_ended", Warning;
    /// A timeframe that ends before it starts.
    EmptyTimeframe = "empty_timeframe", Error;
    /// A situation without a timeframe.
    MissingTimeframe = "missing_timeframe", Warning;
    /// A milestone dated outside its situation's timeframe.
    MilestoneOutsideTimeframe = "milestone_outside_timeframe", Warning;
    /// A capability whose value is not a literal.
    CapabilityNotConstant = "capability_not_constant", Error;
    // --- tests ---
    /// A test that names no profile while several exist.
    TestProfileRequired = "test_profile_required", Error;
    /// A test account lacks a field that may not be missing.
    TestMissingField = "test_missing_field", Error;
    /// A test without `account { }`.
    TestWithoutAccount = "test_without_account", Error;
    /// A test that expects nothing.
    TestWithoutExpect = "test_without_expect", Warning;
    /// A test without `as_of` of a profile that reads `today`.
    TestWithoutAsOf = "test_without_as_of", Warning;
    /// A `cases from` file that is missing, unreadable, or has a cell that cannot be read.
    TestCasesUnreadable = "test_cases_unreadable", Error;
    /// A `cases from` file's `expect_` column that names no expectation.
    UnknownExpectation = "unknown_expectation", Error;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "icp::{}", self.name())
    }
}

/// A secondary label.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it says.
    pub message: String,
}

/// A replacement of one span by new text.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The file to edit.
    pub file: FileId,
    /// What to replace (empty to insert).
    pub span: Span,
    /// The new text.
    pub text: String,
}

/// A machine-applicable suggestion (a code action in the editor).
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// What the fix does, as a command ("replace with `employees`").
    pub title: String,
    /// The edits.
    pub edits: Vec<Edit>,
}

/// One diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One line, lowercase, user text in backticks.
    pub message: String,
    /// The file it is about.
    pub file: FileId,
    /// Primary span.
    pub span: Span,
    /// Text of the primary label.
    pub label: String,
    /// Secondary labels, in the same file.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// A machine-applicable fix.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
            file: FileId::default(),
            span,
            label: String::new(),
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// Set the primary label.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Add a secondary label.
    #[must_use]
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Set the help.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Set the file.
    #[must_use]
    pub fn in_file(mut self, file: FileId) -> Self {
        self.file = file;
        if let Some(fix) = &mut self.fix {
            for e in &mut fix.edits {
                e.file = file;
            }
        }
        self
    }

    /// Set the severity.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Attach a fix that replaces `span` (in this diagnostic's file) by `text`.
    #[must_use]
    pub fn with_fix(
        mut self,
        title: impl Into<String>,
        span: Span,
        text: impl Into<String>,
    ) -> Self {
        self.fix = Some(Fix {
            title: title.into(),
            edits: vec![Edit {
                file: self.file,
                span,
                text: text.into(),
            }],
        });
        self
    }

    /// Whether it is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// 1-based line/column of the start and end, for JSON output and editors.
    pub fn position(&self, src: &str, index: &LineIndex) -> Position {
        let (line, column) = index.line_col(src, self.span.start as usize);
        let (end_line, end_column) = index.line_col(src, self.span.end as usize);
        Position {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Start and end of a diagnostic, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    /// Start line.
    pub line: usize,
    /// Start column (characters).
    pub column: usize,
    /// End line.
    pub end_line: usize,
    /// End column (characters).
    pub end_column: usize,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_at_different_places_differ() {
        let at = |start, end| {
            Diagnostic::new(
                Code::UnknownField,
                Span::new(start, end),
                "unknown field `x`",
            )
            .with_fix("replace with `y`", Span::new(start, end), "y")
        };
        assert_eq!(at(3, 4), at(3, 4));
        assert_ne!(at(3, 4), at(10, 11));
        assert_ne!(at(3, 4), at(3, 5));
        let (a, b) = (at(3, 4), at(10, 11));
        assert_ne!(a.fix, b.fix, "edits at different places differ");
        let hash = |s: Span| {
            use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
            BuildHasherDefault::<DefaultHasher>::default().hash_one(s)
        };
        assert_ne!(hash(Span::new(3, 4)), hash(Span::new(10, 11)));
    }

    #[test]
    fn codes_are_unique() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len());
    }
}
