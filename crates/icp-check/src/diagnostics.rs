//! One constructor per diagnostic the checker emits.
//!
//! Every message, label, help and fix text of the checker is written here, once. A code
//! reported in several situations (a `type_mismatch` of a negation, of a comparison, ...)
//! has one constructor per situation, named `CODE_SITUATION`. The rules behind each code
//! are documented in `docs/diagnostics.md`; the lints' own constructors live next to the
//! lint, in [`crate::lints`].

use icp_syntax::ast as a;
use icp_syntax::{Code, Diagnostic, Span, did_you_mean};

use crate::LoadError;

// ----- imports ----------------------------------------------------------------------

/// `icp::import_outside_root`: an import that leaves the project root `root`.
pub(crate) fn import_outside_root(span: Span, import: &str, root: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ImportOutsideRoot,
        span,
        format!("import `{import}` is outside the project root"),
    )
    .with_label("resolves outside the project")
    .with_help(format!(
        "imports must stay inside the project root `{root}` (the directory with `icp.toml`); move the file into the project"
    ))
}

/// `icp::import_cycle`: an import closing a cycle through the files of `chain`.
pub(crate) fn import_cycle(span: Span, import: &str, chain: &[String]) -> Diagnostic {
    Diagnostic::new(
        Code::ImportCycle,
        span,
        format!("import `{import}` forms a cycle"),
    )
    .with_label("this import closes the cycle")
    .with_help(format!(
        "the files import each other: {}; move the shared declarations into a file both import",
        chain.join(" → ")
    ))
}

/// `icp::import_not_found`: an imported file (shown as `shown`) that does not exist.
pub(crate) fn import_not_found(span: Span, import: &str, shown: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ImportNotFound,
        span,
        format!("imported file `{import}` does not exist"),
    )
    .with_label(format!("no file at `{shown}`"))
    .with_help("imports are relative to the importing file; check the path")
}

/// `icp::import_unreadable`: an imported file that exists but cannot be read (`why`).
pub(crate) fn import_unreadable(
    span: Span,
    import: &str,
    shown: &str,
    why: &LoadError,
) -> Diagnostic {
    Diagnostic::new(
        Code::ImportUnreadable,
        span,
        format!("imported file `{import}` cannot be read"),
    )
    .with_label(format!("`{shown}`: {why}"))
    .with_help("imports must be readable UTF-8 text files")
}

/// `icp::import_not_found` or `icp::import_unreadable`: an entry file that cannot be read.
pub(crate) fn entry_unreadable(shown: &str, err: &LoadError) -> Diagnostic {
    let code = if *err == LoadError::NotFound {
        Code::ImportNotFound
    } else {
        Code::ImportUnreadable
    };
    Diagnostic::new(
        code,
        Span::new(0, 0),
        format!("cannot read `{shown}`: {err}"),
    )
    .with_label("this file")
    .with_help("check the path; ICP files must be UTF-8 text")
}

// ----- names ------------------------------------------------------------------------

/// An unknown name: did-you-mean among `candidates` (with a fix), else `fallback_help`.
pub(crate) fn unknown(
    code: Code,
    ident: &a::Ident,
    message: String,
    candidates: &[&str],
    fallback_help: &str,
) -> Diagnostic {
    let d = Diagnostic::new(code, ident.span, message).with_label("not found");
    match did_you_mean(&ident.name, candidates.iter().copied()) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")).with_fix(
            format!("replace with `{s}`"),
            ident.span,
            s,
        ),
        None => d.with_help(fallback_help.to_owned()),
    }
}

/// `icp::unknown_schema`: a `for SCHEMA` that names no schema.
pub(crate) fn unknown_schema(ident: &a::Ident, candidates: &[&str]) -> Diagnostic {
    unknown(
        Code::UnknownSchema,
        ident,
        format!("unknown schema `{}`", ident.name),
        candidates,
        "declare it with `schema NAME { ... }`",
    )
}

/// `icp::unknown_segment`: a segment reference that names no segment.
pub(crate) fn unknown_segment(ident: &a::Ident, candidates: &[&str]) -> Diagnostic {
    unknown(
        Code::UnknownSegment,
        ident,
        format!("unknown segment `{}`", ident.name),
        candidates,
        "declare it with `segment NAME { condition }`",
    )
}

/// `icp::unknown_situation`: a profile's `in SITUATION` that names no situation.
pub(crate) fn unknown_situation(ident: &a::Ident, candidates: &[&str]) -> Diagnostic {
    unknown(
        Code::UnknownSituation,
        ident,
        format!("unknown situation `{}`", ident.name),
        candidates,
        "declare it with `situation NAME { timeframe .. }`",
    )
}

/// `icp::unknown_profile`: a test's `profile NAME` that names no profile.
pub(crate) fn unknown_profile(ident: &a::Ident, candidates: &[&str]) -> Diagnostic {
    unknown(
        Code::UnknownProfile,
        ident,
        format!("unknown profile `{}`", ident.name),
        candidates,
        "declare it with `profile NAME { .. }`",
    )
}

/// `icp::unknown_field`: a field the schema `schema` does not have.
pub(crate) fn unknown_field(ident: &a::Ident, schema: &str, candidates: &[&str]) -> Diagnostic {
    unknown(
        Code::UnknownField,
        ident,
        format!("schema `{schema}` has no field `{}`", ident.name),
        candidates,
        &format!("declare it in `schema {schema}`"),
    )
}

/// `icp::unknown_variant`: `name` is no variant of the enum field `field` (`list`: its variants).
pub(crate) fn unknown_variant(
    ident: &a::Ident,
    field: &str,
    name: &str,
    list: &str,
    candidates: &[&str],
) -> Diagnostic {
    unknown(
        Code::UnknownVariant,
        ident,
        format!("`{field}` has no variant `{name}`"),
        candidates,
        &format!("`{field}` is one of {list}"),
    )
}

/// `icp::unknown_capability`: `situation.NAME` where the situation has no such capability.
pub(crate) fn unknown_capability(
    member: &a::Ident,
    situation: &str,
    candidates: &[&str],
) -> Diagnostic {
    unknown(
        Code::UnknownCapability,
        member,
        format!(
            "situation `{situation}` has no capability `{}`",
            member.name
        ),
        candidates,
        &format!(
            "declare it in the situation: `capability {} = true`",
            member.name
        ),
    )
}

/// `icp::unknown_capability`: `situation.NAME` where no situation is in scope (`why`).
pub(crate) fn unknown_capability_no_situation(
    member: &a::Ident,
    span: Span,
    why: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownCapability,
        span,
        format!("no situation here to read `{}` from", member.name),
    )
    .with_label("no situation")
    .with_help(if member.name == "start" || member.name == "end" {
        format!(
            "{why}; `situation.{}` is the timeframe's {} day, read in profiles declared `in SITUATION`",
            member.name,
            if member.name == "start" { "first" } else { "last" }
        )
    } else {
        format!("{why}; capabilities are read in profiles declared `in SITUATION`")
    })
}

/// `icp::unknown_group`: `score.NAME` in a tier, where the profile has no such group.
pub(crate) fn unknown_group_in_tier(member: &a::Ident, candidates: &[&str]) -> Diagnostic {
    unknown(
        Code::UnknownGroup,
        member,
        format!("no group `{}` in this profile", member.name),
        candidates,
        "`score.NAME` names a `group` of the profile",
    )
}

/// `icp::unknown_group`: a test expects the score of a group the profile lacks.
pub(crate) fn unknown_group(group: &a::Ident, profile: &str, candidates: &[&str]) -> Diagnostic {
    unknown(
        Code::UnknownGroup,
        group,
        format!("profile `{profile}` has no group `{}`", group.name),
        candidates,
        "`score.NAME` names a `group` of the profile",
    )
}

/// `icp::unknown_type`: a field type that is none of the language's types.
pub(crate) fn unknown_type(ident: &a::Ident, candidates: &[&str]) -> Diagnostic {
    let d = unknown(
        Code::UnknownType,
        ident,
        format!("unknown type `{}`", ident.name),
        candidates,
        "types are bool, int, number, money, percent, text, date, duration, enum { .. } and set<text>",
    );
    if d.fix.is_some() {
        return d;
    }
    // The names other languages and spreadsheets use for our types.
    match type_alias(&ident.name) {
        Some(t) => d.with_help(format!("did you mean `{t}`?")).with_fix(
            format!("replace with `{t}`"),
            ident.span,
            t,
        ),
        None => d,
    }
}

/// Our type for a type name of another language (`integer` is `int`).
fn type_alias(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "integer" | "i32" | "i64" | "long" | "bigint" | "smallint" => "int",
        "string" | "str" | "varchar" | "char" => "text",
        "boolean" => "bool",
        "float" | "double" | "decimal" | "numeric" | "real" | "f64" => "number",
        "currency" | "usd" | "dollars" => "money",
        "percentage" | "pct" => "percent",
        "datetime" | "timestamp" => "date",
        "interval" => "duration",
        _ => return None,
    })
}

/// `icp::unknown_goal`: a milestone measuring a goal the situation lacks.
pub(crate) fn unknown_goal(goal: &a::Ident, situation: &str, candidates: &[&str]) -> Diagnostic {
    unknown(
        Code::UnknownGoal,
        goal,
        format!("situation `{situation}` has no goal `{}`", goal.name),
        candidates,
        "a milestone measures one of the situation's goals: `milestone DATE GOAL >= VALUE`",
    )
}

/// `icp::unknown_tier`: a test expects a tier the profile lacks.
pub(crate) fn unknown_tier(ident: &a::Ident, profile: &str, candidates: &[&str]) -> Diagnostic {
    unknown(
        Code::UnknownTier,
        ident,
        format!("profile `{profile}` has no tier `{}`", ident.name),
        candidates,
        "expect one of the profile's tiers, or `excluded`, `out_of_segment`, `invalid`",
    )
}

/// `icp::unknown_function`: a call of anything but `count` and `sum`.
pub(crate) fn unknown_function(func: &a::Ident) -> Diagnostic {
    unknown(
        Code::UnknownFunction,
        func,
        format!("unknown function `{}`", func.name),
        &["count", "sum"],
        "ICP has no functions in conditions; `count` and `sum(field)` measure situation goals",
    )
}

/// `icp::unknown_name`, `icp::unknown_field` or `icp::unknown_segment` for a bare name,
/// after the nearest candidate (`best`, whose kind gives `code`).
pub(crate) fn unknown_bare_name(
    code: Code,
    name: &str,
    span: Span,
    schema: &str,
    best: Option<String>,
) -> Diagnostic {
    let d = Diagnostic::new(
        code,
        span,
        match code {
            Code::UnknownField => format!("schema `{schema}` has no field `{name}`"),
            Code::UnknownSegment => format!("unknown segment `{name}`"),
            _ => format!("unknown name `{name}`"),
        },
    )
    .with_label("not found");
    match best {
        Some(b) => d
            .with_help(format!("did you mean `{b}`?"))
            .with_fix(format!("replace with `{b}`"), span, b),
        None => d.with_help(format!(
            "`{name}` is no field of `{schema}`, `let`, segment or variant; declare the field in `schema {schema}`"
        )),
    }
}

/// `icp::unknown_name`: a bare enum variant used as a value.
pub(crate) fn unknown_name_bare_variant(name: &str, field: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownName,
        span,
        format!("`{name}` is a variant of `{field}`, not a value on its own"),
    )
    .with_label("a variant without its field")
    .with_help(format!("compare the field with it: `{field} == {name}`"))
}

/// `icp::unknown_name`: a dotted name other than `situation.X` and `score.G`.
pub(crate) fn unknown_name_path(base: &str, member: &a::Ident, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownName,
        span,
        format!("unknown name `{base}.{}`", member.name),
    )
    .with_label("not found")
    .with_help("only `situation.CAPABILITY` and `score.GROUP` are written with a dot")
}

/// `icp::unknown_name`: a test names a criterion or exclusion the profile lacks.
pub(crate) fn unknown_criterion(
    ident: &a::Ident,
    profile: &str,
    candidates: &[&str],
) -> Diagnostic {
    unknown(
        Code::UnknownName,
        ident,
        format!(
            "profile `{profile}` has no criterion or exclusion `{}`",
            ident.name
        ),
        candidates,
        "a reason is the name of a criterion or an `exclude` rule",
    )
}

/// `icp::unknown_name` or `icp::unknown_segment`: an expectation naming no `what` (`exclusion`,
/// `criterion`, `target segment`) of the profile.
pub(crate) fn unknown_in_profile(
    code: Code,
    ident: &a::Ident,
    profile: &str,
    what: &str,
    candidates: &[&str],
) -> Diagnostic {
    let help = if candidates.is_empty() {
        format!("profile `{profile}` has no {what}")
    } else {
        format!("expect one of: {}", candidates.join(", "))
    };
    unknown(
        code,
        ident,
        format!("profile `{profile}` has no {what} `{}`", ident.name),
        candidates,
        &help,
    )
}

/// `icp::duplicate_name`: `what` `name` defined twice; `first` is the first definition
/// (`first_here`: its span when it is in the same file) found at `first_at`.
pub(crate) fn duplicate_name(
    what: &str,
    name: &a::Ident,
    first_here: Option<Span>,
    first_at: &str,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::DuplicateName,
        name.span,
        format!("{what} `{}` is defined twice", name.name),
    )
    .with_label("defined again here");
    if let Some(fspan) = first_here {
        d = d.with_secondary(fspan, "first defined here");
    }
    d.with_help(format!(
        "the first definition is at {first_at}; rename one of them"
    ))
}

/// `icp::duplicate_name`: a tier named like a built-in tier.
pub(crate) fn duplicate_name_builtin_tier(name: &a::Ident) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateName,
        name.span,
        format!("`{}` is a built-in tier", name.name),
    )
    .with_label("reserved name")
    .with_help("`excluded`, `out_of_segment` and `invalid` are given by scoring: pick another name")
}

/// `icp::duplicate_name`: a tier defined twice in one profile.
pub(crate) fn duplicate_name_tier(name: &a::Ident, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateName,
        name.span,
        format!("tier `{}` is defined twice", name.name),
    )
    .with_label("defined again here")
    .with_secondary(first, "first defined here")
    .with_help("rename one of the tiers")
}

/// `icp::duplicate_name`: a test account gives a field twice.
pub(crate) fn duplicate_name_account_field(name: &a::Ident, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateName,
        name.span,
        format!("field `{}` is given twice", name.name),
    )
    .with_label("given again here")
    .with_secondary(first, "first given here")
    .with_help("give each field once")
}

// ----- schemas ------------------------------------------------------------------------

/// `icp::no_schema`: no schema at all to check an item against.
pub(crate) fn no_schema(at: Span) -> Diagnostic {
    Diagnostic::new(Code::NoSchema, at, "no schema to check this against")
        .with_label("needs a schema")
        .with_help("declare `schema Account { ... }`, or import the file that declares it")
}

/// `icp::ambiguous_schema`: several schemas and no `for SCHEMA`.
pub(crate) fn ambiguous_schema(at: Span, names: &[&str]) -> Diagnostic {
    let first = names.first().copied().unwrap_or("Account");
    Diagnostic::new(
        Code::AmbiguousSchema,
        at,
        format!(
            "several schemas are in scope ({}): say which one",
            names.join(", ")
        ),
    )
    .with_label("no `for SCHEMA`")
    .with_help(format!(
        "add `for {first}` (or another schema) after the name"
    ))
}

/// `icp::schema_mismatch`: a profile on `profile_schema` uses a situation on `situation_schema`.
pub(crate) fn schema_mismatch_situation(
    profile: &str,
    situation: &a::Ident,
    profile_schema: &str,
    situation_schema: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::SchemaMismatch,
        situation.span,
        format!(
            "profile `{profile}` is for `{profile_schema}`, situation `{}` for `{situation_schema}`",
            situation.name
        ),
    )
    .with_label(format!("a situation for `{situation_schema}`"))
    .with_help("a profile and its situation must describe the same schema")
}

/// `icp::schema_mismatch`: an item on `schema` uses a segment on `segment_schema`.
pub(crate) fn schema_mismatch_segment(
    segment: &a::Ident,
    segment_schema: &str,
    schema: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::SchemaMismatch,
        segment.span,
        format!(
            "segment `{}` is for `{segment_schema}`, not `{schema}`",
            segment.name
        ),
    )
    .with_label(format!("a segment of `{segment_schema}`"))
    .with_help("a segment only applies to accounts of its own schema")
}

/// `icp::invalid_set_type`: `set<T>` of anything but text (`text`: how `T` is written).
pub(crate) fn invalid_set_type(span: Span, text: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidSetType,
        span,
        format!("a set cannot hold `{text}`"),
    )
    .with_label("not a set element type")
    .with_help("sets hold text items (`set<text>`), read from `;`, `|` or `,` separated cells")
}

/// `icp::empty_enum`: `enum { }`.
pub(crate) fn empty_enum(span: Span, field: &str) -> Diagnostic {
    Diagnostic::new(
        Code::EmptyEnum,
        span,
        format!("enum `{field}` has no variants"),
    )
    .with_label("empty")
    .with_help("list its values: `enum { open, won, lost }`")
}

/// `icp::multiple_catch_all`: a second `= _` in one enum.
pub(crate) fn multiple_catch_all(span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::MultipleCatchAll,
        span,
        "an enum may have only one `= _` catch-all",
    )
    .with_label("second catch-all")
    .with_secondary(first, "first catch-all")
    .with_help("keep one `= _` variant: it takes every value no other variant reads")
}

/// `icp::duplicate_mapping`: two variants read the same string `s`.
pub(crate) fn duplicate_mapping(
    span: Span,
    variant: &str,
    other: &str,
    other_span: Span,
    s: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateMapping,
        span,
        format!("variants `{other}` and `{variant}` both read `{s}`"),
    )
    .with_label(format!("`{variant}` reads it here"))
    .with_secondary(other_span, format!("`{other}` reads it here"))
    .with_help("a value must map to one variant: remove one of the mappings")
}

/// `icp::duplicate_column`: two fields read the same column.
pub(crate) fn duplicate_column(
    span: Span,
    field: &str,
    other: &str,
    other_span: Span,
    column: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateColumn,
        span,
        format!("fields `{other}` and `{field}` both read column `{column}`"),
    )
    .with_label("read again here")
    .with_secondary(other_span, format!("`{other}` reads it"))
    .with_help("columns match case-insensitively; give one field another `from \"...\"`")
}

/// `icp::multiple_keys`: a second `key` field.
pub(crate) fn multiple_keys(span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(Code::MultipleKeys, span, "a schema has one `key` field")
        .with_label("second key")
        .with_secondary(first, "first key")
        .with_help("keep `key` on the field that identifies the account")
}

/// `icp::fraction_not_percent`: `as fraction` on a field of type `ty` (as written), not a
/// `percent`.
pub(crate) fn fraction_not_percent(field: &str, span: Span, ty: &str) -> Diagnostic {
    Diagnostic::new(
        Code::FractionNotPercent,
        span,
        format!("`as fraction` applies to a `percent` field; `{field}` is `{ty}`"),
    )
    .with_label("only a percent reads fractions")
    .with_help(
        "`as fraction` reads a `percent` column holding fractions (`0.35` is 35 %): declare the field `percent` (`percent?`), or remove `as fraction`",
    )
}

/// `icp::optional_key`: a `key` field with `?`; `fixed` is its type without the `?`.
pub(crate) fn optional_key(field: &str, ty_span: Span, fixed: &str) -> Diagnostic {
    Diagnostic::new(
        Code::OptionalKey,
        ty_span,
        format!("key field `{field}` may be missing"),
    )
    .with_label("`?` makes the key optional")
    .with_help("every account needs its key: remove the `?`")
    .with_fix("remove the `?`", ty_span, fixed)
}

// ----- situations ---------------------------------------------------------------------

/// `icp::capability_not_constant`: a capability whose value is not a literal.
pub(crate) fn capability_not_constant(name: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::CapabilityNotConstant,
        span,
        format!("capability `{name}` must be a literal"),
    )
    .with_label("not a literal")
    .with_help("a capability states a fact: `true`, `false`, a number, `$50k`, `\"text\"`, a date")
}

/// `icp::duplicate_clause`: a second `timeframe`.
pub(crate) fn duplicate_clause_timeframe(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateClause,
        span,
        "a situation has one `timeframe`",
    )
    .with_label("second timeframe")
    .with_help("keep one `timeframe START .. END`")
}

/// `icp::empty_timeframe`: a timeframe that ends before it starts.
pub(crate) fn empty_timeframe(
    span: Span,
    start: impl std::fmt::Display,
    end: impl std::fmt::Display,
) -> Diagnostic {
    Diagnostic::new(
        Code::EmptyTimeframe,
        span,
        format!("timeframe ends ({end}) before it starts ({start})"),
    )
    .with_label("empty timeframe")
    .with_help("write the first day, then the last: `timeframe 2027-01-01 .. 2027-03-31`")
}

/// `icp::not_constant`: a goal's target that is not a literal.
pub(crate) fn not_constant_goal_target(span: Span) -> Diagnostic {
    Diagnostic::new(Code::NotConstant, span, "a goal's target must be a literal")
        .with_label("not a literal")
        .with_help("write the number to reach: `25`, `$100k`")
}

/// `icp::type_mismatch`: a goal's target of another type than its metric.
pub(crate) fn type_mismatch_goal_target(span: Span, metric: &str, target: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        span,
        format!("the goal measures `{metric}`, the target is `{target}`"),
    )
    .with_label(format!("this is `{target}`"))
    .with_help(format!("write a `{metric}` target"))
}

/// `icp::type_mismatch`: `sum(field)` of a field that is not numeric.
pub(crate) fn type_mismatch_sum(field: &a::Ident, ty: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        field.span,
        format!("cannot sum `{}`: it is {ty}", field.name),
    )
    .with_label(format!("this is `{ty}`"))
    .with_help("`sum(..)` takes a numeric field (int, number, money, percent)")
}

// ----- segments and lets ----------------------------------------------------------------

/// `icp::reference_cycle`: segments that use each other in a circle (`chain`).
pub(crate) fn reference_cycle_segment(name: &str, span: Span, chain: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ReferenceCycle,
        span,
        format!("segment `{name}` refers to itself"),
    )
    .with_label("part of a cycle")
    .with_help(format!(
        "segments may use other segments, but not in a circle: {chain}"
    ))
}

/// `icp::reference_cycle`: `let`s that use each other in a circle (`chain`).
pub(crate) fn reference_cycle_let(name: &a::Ident, chain: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ReferenceCycle,
        name.span,
        format!("`let {}` refers to itself", name.name),
    )
    .with_label("part of a cycle")
    .with_help(format!(
        "a `let` may use other `let`s, but not in a circle: {chain}"
    ))
}

// ----- profiles -------------------------------------------------------------------------

/// `icp::duplicate_clause`: a second `practical_share`.
pub(crate) fn duplicate_clause_practical_share(span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateClause,
        span,
        "`practical_share` is set twice",
    )
    .with_label("second one")
    .with_secondary(first, "first one")
    .with_help("keep one `practical_share`")
}

/// `icp::type_mismatch`: a `practical_share` that is not a percent.
pub(crate) fn type_mismatch_practical_share(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        span,
        "`practical_share` takes a percent",
    )
    .with_label("not a percent")
    .with_help("write the share of the weight a practical fit earns: `practical_share 50%`")
}

/// `icp::practical_share_range`: a `practical_share` (written `text`) outside 0%..100%.
pub(crate) fn practical_share_range(span: Span, text: &str) -> Diagnostic {
    Diagnostic::new(
        Code::PracticalShareRange,
        span,
        format!("`practical_share` must be between 0% and 100%, not {text}"),
    )
    .with_label("out of range")
    .with_help("a practical fit earns part of the weight: 0% to 100% (default 50%)")
}

/// `icp::no_positive_weight`: criteria, but none of positive weight.
pub(crate) fn no_positive_weight(name: &a::Ident) -> Diagnostic {
    Diagnostic::new(
        Code::NoPositiveWeight,
        name.span,
        format!("profile `{}` has no positive weight", name.name),
    )
    .with_label("its score is undefined")
    .with_help("the score is points over the sum of positive weights: give at least one criterion a positive weight")
}

/// `icp::no_positive_weight`: no criteria at all.
pub(crate) fn no_positive_weight_no_criteria(name: &a::Ident) -> Diagnostic {
    Diagnostic::new(
        Code::NoPositiveWeight,
        name.span,
        format!("profile `{}` has no criteria", name.name),
    )
    .with_label("nothing to score")
    .with_help("add a weighted criterion: `criterion size weight 20 { employees in 50..200 }`")
}

/// `icp::no_tiers`: a profile without tiers.
pub(crate) fn no_tiers(name: &a::Ident) -> Diagnostic {
    Diagnostic::new(
        Code::NoTiers,
        name.span,
        format!("profile `{}` has no tiers", name.name),
    )
    .with_label("no tiers")
    .with_help(
        "end the profile with tiers: `tier ideal >= 80`, `tier practical >= 50`, `tier not_fit`",
    )
}

/// `icp::not_constant`: a tier threshold that is not a number.
pub(crate) fn not_constant_threshold(span: Span) -> Diagnostic {
    Diagnostic::new(Code::NotConstant, span, "a tier threshold must be a number")
        .with_label("not a number")
        .with_help("write the lowest score of the tier, 0 to 100: `tier ideal >= 80`")
}

/// `icp::tier_order`: a threshold not below the one before (`previous`, at `previous_span`).
pub(crate) fn tier_order(
    tier: &str,
    span: Span,
    threshold: &str,
    previous: &str,
    previous_span: Span,
) -> Diagnostic {
    Diagnostic::new(
        Code::TierOrder,
        span,
        format!("tier `{tier}` (>= {threshold}) comes after a tier with threshold {previous}"),
    )
    .with_label("not lower than the tier before")
    .with_secondary(previous_span, "earlier threshold")
    .with_help("tiers are tried in order: list thresholds from highest to lowest")
}

/// `icp::missing_catch_all_tier`: the last tier has a threshold; the fix inserts
/// `tier not_fit` at `insert`, indented by `indent`.
pub(crate) fn missing_catch_all_tier(
    profile: &str,
    span: Span,
    insert: Span,
    indent: &str,
) -> Diagnostic {
    Diagnostic::new(
        Code::MissingCatchAllTier,
        span,
        format!("the last tier of `{profile}` has a threshold, so some accounts get no tier"),
    )
    .with_label("accounts below this get no tier")
    .with_help("end with a tier without a threshold that catches the rest: `tier not_fit`")
    .with_fix(
        "add `tier not_fit`",
        insert,
        format!("\n{indent}tier not_fit"),
    )
}

// ----- tests ------------------------------------------------------------------------------

/// `icp::duplicate_clause`: a test with two `what` clauses.
pub(crate) fn duplicate_clause_test(what: &str, span: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateClause,
        span,
        format!("a test has one `{what}`"),
    )
    .with_label(format!("second `{what}`"))
    .with_secondary(first, "first one")
    .with_help(format!(
        "keep one `{what}` clause; write another test for another case"
    ))
}

/// `icp::test_profile_required`: a test without `profile NAME` where it is needed.
pub(crate) fn test_profile_required(span: Span, help: String) -> Diagnostic {
    Diagnostic::new(
        Code::TestProfileRequired,
        span,
        "this test does not say which profile it tests",
    )
    .with_label("no `profile NAME`")
    .with_help(help)
}

/// `icp::test_without_account`.
pub(crate) fn test_without_account(span: Span) -> Diagnostic {
    Diagnostic::new(Code::TestWithoutAccount, span, "this test has no account")
        .with_label("no `account { .. }`")
        .with_help("describe the account to score: `account { id: \"a1\", employees: 120 }`")
}

/// `icp::test_missing_field`: required fields the test account leaves out.
pub(crate) fn test_missing_field(span: Span, missing: &[String]) -> Diagnostic {
    let n = missing.len();
    Diagnostic::new(
        Code::TestMissingField,
        span,
        format!(
            "the account lacks {n} required field{}: {}",
            if n == 1 { "" } else { "s" },
            missing.join(", ")
        ),
    )
    .with_label("incomplete account")
    .with_help("give every field without `?` a value, or make the field optional in the schema")
}

/// `icp::not_constant`: a test account value that is not a literal.
pub(crate) fn not_constant_account_value(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::NotConstant,
        span,
        "a test account value must be a literal",
    )
    .with_label("not a literal")
    .with_help("write the value itself: `120`, `$5M`, `\"US\"`, `saas`, `[\"HubSpot\"]`")
}

/// `icp::not_constant`: an expectation compared with something else than a number.
pub(crate) fn not_constant_expectation(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::NotConstant,
        span,
        "an expectation compares with a number",
    )
    .with_label("not a number")
    .with_help("write a score from 0 to 100 (`expect score >= 80`) or a coverage percent (`expect coverage >= 90%`)")
}

/// `icp::type_mismatch`: a test account value of the wrong type (no help yet).
pub(crate) fn type_mismatch_account_value(span: Span, want: &str, got: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        span,
        format!("expected `{want}`, found `{got}`"),
    )
    .with_label(format!("this is `{got}`"))
}

// ----- expressions --------------------------------------------------------------------

/// `icp::not_boolean`: `what` where a condition is needed, of type `ty`.
pub(crate) fn not_boolean(span: Span, what: &str, ty: &str, help: &str) -> Diagnostic {
    Diagnostic::new(Code::NotBoolean, span, format!("{what}, this is `{ty}`"))
        .with_label(format!("this is `{ty}`"))
        .with_help(help)
}

/// `icp::type_mismatch`: two operands (`l`, `r`: span and type name) that do not fit `what`
/// (`compare`, `range over`, `combine with ??`, or a verb for `cannot VERB`).
pub(crate) fn type_mismatch(
    span: Span,
    what: &str,
    l: (Span, &str),
    r: (Span, &str),
    help: &str,
) -> Diagnostic {
    let (ln, rn) = (l.1, r.1);
    let message = match what {
        "compare" => format!("cannot compare `{ln}` with `{rn}`"),
        "range over" => format!("a range of `{rn}` does not fit `{ln}`"),
        "combine with `??`" => {
            format!("`??` needs a default of the value's type, not `{ln}` and `{rn}`")
        }
        _ => format!("cannot {what} `{ln}` and `{rn}`"),
    };
    Diagnostic::new(Code::TypeMismatch, span, message)
        .with_label("types do not fit")
        .with_secondary(l.0, format!("`{ln}`"))
        .with_secondary(r.0, format!("`{rn}`"))
        .with_help(help.to_owned())
}

/// `icp::nesting_too_deep`.
pub(crate) fn nesting_too_deep(span: Span) -> Diagnostic {
    Diagnostic::new(Code::NestingTooDeep, span, "expression nested too deeply")
        .with_label("too deep")
        .with_help("split it with `let`s or segments")
}

/// `icp::type_mismatch`: a list outside `in` and `contains any/all`.
pub(crate) fn type_mismatch_stray_list(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        span,
        "a list only goes after `in`, `contains any` or `contains all`",
    )
    .with_label("list here")
    .with_help("test membership: `industry in [saas, fintech]`")
}

/// `icp::type_mismatch`: `-x` of a type without negation.
pub(crate) fn type_mismatch_negate(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::new(Code::TypeMismatch, span, format!("cannot negate `{ty}`"))
        .with_label(format!("this is `{ty}`"))
        .with_help("`-` applies to numbers, money, percents and durations")
}

/// `icp::type_mismatch`: an ordering operator `op` on values without order.
pub(crate) fn type_mismatch_no_order(span: Span, op: &str, ty: &str, help: String) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        span,
        format!("`{op}` does not order `{ty}` values"),
    )
    .with_label("no order")
    .with_help(help)
}

/// `icp::invalid_range`: a range (written `text`) whose low end is above its high end.
pub(crate) fn invalid_range(span: Span, text: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidRange,
        span,
        format!("range `{text}` is empty: its low end is above its high end"),
    )
    .with_label("empty range")
    .with_help("write the low end first: `10..1000`")
}

/// `icp::type_mismatch`: `contains` on something that is neither a set nor text.
pub(crate) fn type_mismatch_contains_on(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        span,
        format!("`contains` needs a set or text, this is `{ty}`"),
    )
    .with_label(format!("this is `{ty}`"))
    .with_help("`contains` looks into a `set<text>` (exact item) or a text (substring)")
}

/// `icp::type_mismatch`: `contains [..]` (one value expected).
pub(crate) fn type_mismatch_contains_list(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        span,
        "`contains` takes one value, not a list",
    )
    .with_label("a list")
    .with_help("write `contains any [..]` or `contains all [..]`")
}

/// `icp::type_mismatch`: `contains any x` / `contains all x` without a list.
pub(crate) fn type_mismatch_contains_not_list(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        span,
        "`contains any` and `contains all` take a list",
    )
    .with_label("not a list")
    .with_help("write the values in brackets: `contains any [\"HubSpot\", \"Salesforce\"]`")
}

/// `icp::type_mismatch`: a `contains` needle that is not text.
pub(crate) fn type_mismatch_contains_needle(span: Span, ty: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        span,
        format!("`contains` looks for text, this is `{ty}`"),
    )
    .with_label(format!("this is `{ty}`"))
    .with_help("write the item as text: `\"HubSpot\"`")
}

/// `icp::aggregate_outside_goal`: `count`/`sum` outside a situation goal (`example`: the
/// goal shown in the help).
pub(crate) fn aggregate_outside_goal(span: Span, func: &str, example: &str) -> Diagnostic {
    Diagnostic::new(
        Code::AggregateOutsideGoal,
        span,
        format!("`{func}` only measures situation goals"),
    )
    .with_label("an aggregate here")
    .with_help(format!(
        "conditions look at one account; aggregates go in `{example}`"
    ))
}

/// `icp::mixed_list`: a list item of another type than the first (`first`, of type `first_ty`).
pub(crate) fn mixed_list(span: Span, ty: &str, first: Span, first_ty: &str) -> Diagnostic {
    Diagnostic::new(
        Code::MixedList,
        span,
        format!("a list mixes `{first_ty}` and `{ty}`"),
    )
    .with_label(format!("this is `{ty}`"))
    .with_secondary(first, format!("the list starts with `{first_ty}`"))
    .with_help("every item of a list has the same type")
}

/// `icp::score_outside_tier`: `score` outside a tier condition.
pub(crate) fn score_outside_tier(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::ScoreOutsideTier,
        span,
        "`score` is only known in tier conditions",
    )
    .with_label("no score here")
    .with_help("the score is computed from the criteria; use it in `tier NAME when score >= ..`")
}

/// `icp::score_outside_tier`: `score.GROUP` outside a tier condition.
pub(crate) fn score_outside_tier_group(span: Span, group: &str) -> Diagnostic {
    Diagnostic::new(
        Code::ScoreOutsideTier,
        span,
        format!("`score.{group}` is only known in tier conditions"),
    )
    .with_label("no score here")
    .with_help("group scores are computed from the criteria; use them in `tier NAME when score.GROUP >= ..`")
}

/// `icp::zero_weight`: a criterion of weight zero.
pub(crate) fn zero_weight(name: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::ZeroWeight,
        span,
        format!("criterion `{name}` has weight zero"),
    )
    .with_label("weighs nothing")
    .with_help("a criterion of weight 0 never changes the score: give it a weight or remove it")
}

// ----- ordered enums, situation dates, per-criterion shares (Revision 2) -----------------

/// `icp::mixed_enum_order`: an enum separating its variants (`names`) with both `,` (first
/// at `comma`) and `<` (first at `lt`).
pub(crate) fn mixed_enum_order(comma: Span, lt: Span, names: &[&str]) -> Diagnostic {
    Diagnostic::new(
        Code::MixedEnumOrder,
        comma,
        "an enum separates its variants with `,` or with `<`, not both",
    )
    .with_label("`,` here")
    .with_secondary(lt, "`<` here")
    .with_help(format!(
        "`<` declares an order: `enum {{ {} }}`; for no order, separate them all with `,`",
        names.join(" < ")
    ))
}

/// `icp::ordered_catch_all`: a `= _` catch-all (at `span`, on `variant`) in an ordered enum.
pub(crate) fn ordered_catch_all(span: Span, variant: &str) -> Diagnostic {
    Diagnostic::new(
        Code::OrderedCatchAll,
        span,
        format!("an ordered enum cannot have a catch-all: `{variant} = _` has no place in the order"),
    )
    .with_label("catch-all")
    .with_help(format!(
        "list the strings `{variant}` reads (`{variant} = \"Series C\" | \"IPO\"`), or separate the variants with `,` if they have no order"
    ))
}

/// `icp::type_mismatch`: `op` (or a range, when `op` is `in`) on the unordered enum of
/// field `field` (`(name, optional)`: an optional field's `?` stays in the declaration shown),
/// whose variants are `variants` (`(name, strings)`).
pub(crate) fn type_mismatch_unordered_enum(
    span: Span,
    op: &str,
    (field, optional): (&str, bool),
    variants: &[(&str, &[String])],
    catch_all: Option<&str>,
) -> Diagnostic {
    let decl: Vec<String> = variants
        .iter()
        .filter(|(n, _)| Some(*n) != catch_all)
        .map(|(n, strings)| {
            if strings.is_empty() {
                (*n).to_owned()
            } else {
                let s: Vec<String> = strings.iter().map(|s| format!("{s:?}")).collect();
                format!("{n} = {}", s.join(" | "))
            }
        })
        .collect();
    let what = if op == "in" {
        "a range `in a..b`".to_owned()
    } else {
        format!("`{op}`")
    };
    let mut help = format!(
        "{what} compares by declared position, so the enum must declare an order: `{field}: enum {{ {} }}{}` (variants in increasing order, separated by `<`)",
        decl.join(" < "),
        if optional { "?" } else { "" }
    );
    if let Some(c) = catch_all {
        help.push_str("; an ordered enum has no catch-all, so `");
        help.push_str(c);
        help.push_str(" = _` must go");
    }
    Diagnostic::new(
        Code::TypeMismatch,
        span,
        format!("the variants of `{field}` have no order"),
    )
    .with_label(format!("{what} needs an ordered enum"))
    .with_help(help)
}

/// `icp::practical_share_unused`: a criterion's own `practical_share` (clause at `span`)
/// where the criterion has no `practical` branch (`boolean`: it is not even a scorecard).
pub(crate) fn practical_share_unused(span: Span, criterion: &str, boolean: bool) -> Diagnostic {
    let what = if boolean {
        "has no scorecard"
    } else {
        "has no `practical` branch"
    };
    Diagnostic::new(
        Code::PracticalShareUnused,
        span,
        format!("criterion `{criterion}` {what}: its `practical_share` applies to nothing"),
    )
    .with_label("applies to nothing")
    .with_help(
        "a share is what a `practical when ..` branch earns; add one (`{ perfect when .. practical when .. }`) or remove `practical_share`",
    )
}

/// `icp::unknown_capability`: `situation.start` / `situation.end` where the situation has
/// no timeframe.
pub(crate) fn no_timeframe_for(member: &a::Ident, span: Span, situation: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UnknownCapability,
        span,
        format!(
            "situation `{situation}` has no timeframe to read `{}` from",
            member.name
        ),
    )
    .with_label("no timeframe")
    .with_help("give the situation its dates: `timeframe 2027-01-01 .. 2027-03-31`")
}

/// `icp::duplicate_name`: a capability named `start` or `end`, which `situation.start` and
/// `situation.end` (the timeframe's bounds) already name.
pub(crate) fn duplicate_name_capability_date(name: &a::Ident) -> Diagnostic {
    Diagnostic::new(
        Code::DuplicateName,
        name.span,
        format!(
            "capability `{}` clashes with `situation.{}`, the timeframe's {} day",
            name.name,
            name.name,
            if name.name == "start" {
                "first"
            } else {
                "last"
            }
        ),
    )
    .with_label("taken by the timeframe")
    .with_help("rename the capability")
}

/// `icp::not_constant`: a milestone date that is not a constant date expression (`why`).
pub(crate) fn not_constant_milestone_date(span: Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::NotConstant,
        span,
        "a milestone's date must be a date, `start` or `end`, plus or minus durations",
    )
    .with_label(why.to_owned())
    .with_help("write `2027-01-31`, `start + 30d` or `end - 2w`")
}

/// `icp::type_mismatch`: a milestone date that is a duration, not a date.
pub(crate) fn type_mismatch_milestone_date(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::TypeMismatch,
        span,
        "a milestone's date is a duration, not a date",
    )
    .with_label("a duration")
    .with_help("count from the timeframe: `start + 30d`, `end - 2w`")
}
