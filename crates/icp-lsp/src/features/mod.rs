//! The editor features, each a plain function over an [`Analysis`].

pub mod actions;
pub mod completion;
pub mod detail;
pub mod explain;
pub mod folding;
pub mod format;
pub mod hints;
pub mod hover;
pub mod keywords;
pub mod nav;
pub mod run;
pub mod sample;
pub mod semantic;
pub mod structure;

use icp_model::num;
use icp_syntax::ast::{self, Decimal, Item, ProfileMember, TypeExpr, TypeKind};
use tower_lsp_server::ls_types as lsp;

use crate::world::{Analysis, ENTRY};

/// The LSP diagnostics of the analysed document: its own file's, and one on each `import`
/// whose file (or a file it imports) has errors ([`import_errors`]).
pub fn diagnostics(a: &Analysis) -> Vec<lsp::Diagnostic> {
    let mut out: Vec<lsp::Diagnostic> = a
        .checked
        .diagnostics
        .iter()
        .filter(|d| d.file == ENTRY)
        .map(|d| crate::diag::to_lsp(d, &a.uri, &a.text))
        .collect();
    out.extend(import_errors(a));
    out
}

/// A code lens over `span` of the analysed document that runs `command` with the document's
/// URI and `name` (of the profile or test it is on).
pub fn command_lens(
    a: &Analysis,
    span: icp_syntax::Span,
    title: String,
    command: &str,
    name: &str,
) -> lsp::CodeLens {
    lsp::CodeLens {
        range: a.range(ENTRY, span),
        command: Some(lsp::Command {
            title,
            command: command.to_owned(),
            arguments: Some(vec![
                serde_json::Value::String(a.uri.as_str().to_owned()),
                serde_json::Value::String(name.to_owned()),
            ]),
        }),
        data: None,
    }
}

/// The diagnostic code of an import whose file has errors.
pub const IMPORT_HAS_ERRORS: &str = "icp::import_has_errors";

/// One error on each `import` of the document whose file, or a file imported from it, has
/// errors: how many, and the first one's message and place (also as related information),
/// so that a mistake in a file that is not open is seen from the file that imports it.
pub fn import_errors(a: &Analysis) -> Vec<lsp::Diagnostic> {
    let Some(file) = a.file(ENTRY) else {
        return Vec::new();
    };
    let dir = a.path.parent().unwrap_or(&a.path);
    let mut out = Vec::new();
    for item in &file.ast.items {
        let Item::Import(import) = item else { continue };
        let target = icp_check::normalize(&dir.join(&import.path.value));
        let Some(id) = a.checked.file_id(&target).filter(|id| *id != ENTRY) else {
            continue;
        };
        let reached = imported_from(a, id);
        let errors: Vec<&icp_syntax::Diagnostic> = a
            .checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error() && d.file != ENTRY && reached.contains(&d.file))
            .collect();
        let Some(first) = errors
            .iter()
            .find(|d| d.file == id)
            .or_else(|| errors.first())
        else {
            continue;
        };
        let Some(first_file) = a.file(first.file) else {
            continue;
        };
        let range = a.range(first.file, first.span);
        let shown = first_file
            .path
            .strip_prefix(dir)
            .unwrap_or(&first_file.path)
            .display()
            .to_string();
        let n = errors.len();
        let message = format!(
            "`{}` has {n} error{}; the first, at {shown}:{}:{}: {}",
            import.path.value,
            if n == 1 { "" } else { "s" },
            range.start.line + 1,
            range.start.character + 1,
            first.message
        );
        let related = a.uri_of(first.file).map(|uri| {
            vec![lsp::DiagnosticRelatedInformation {
                location: lsp::Location {
                    uri: uri.clone(),
                    range,
                },
                message: first.message.clone(),
            }]
        });
        out.push(lsp::Diagnostic {
            range: a.range(ENTRY, import.span),
            severity: Some(lsp::DiagnosticSeverity::ERROR),
            code: Some(lsp::NumberOrString::String(IMPORT_HAS_ERRORS.to_owned())),
            source: Some("icp".to_owned()),
            message,
            related_information: related,
            ..lsp::Diagnostic::default()
        });
    }
    out
}

/// The files read through the import of `start`: itself and what it imports, transitively.
fn imported_from(a: &Analysis, start: icp_syntax::FileId) -> Vec<icp_syntax::FileId> {
    let mut seen = vec![start];
    let mut next = 0;
    while let Some(&id) = seen.get(next) {
        next += 1;
        let Some(f) = a.file(id) else { continue };
        let dir = f.path.parent().unwrap_or(&f.path);
        for item in &f.ast.items {
            let Item::Import(i) = item else { continue };
            let target = icp_check::normalize(&dir.join(&i.path.value));
            if let Some(t) = a.checked.file_id(&target)
                && t != ENTRY
                && !seen.contains(&t)
            {
                seen.push(t);
            }
        }
    }
    seen
}

/// Every parsed item of every file of the analyses given, the first analysis first (so a
/// fresh analysis wins over the last good one), each with its source text.
pub fn items<'a>(analyses: &[&'a Analysis]) -> Vec<(&'a Item, &'a str)> {
    items_with(None, analyses)
}

/// [`items`], after the items of a fresh parse of the document (`(tree, text)`).
pub fn items_with<'a>(
    fresh: Option<(&'a ast::File, &'a str)>,
    analyses: &[&'a Analysis],
) -> Vec<(&'a Item, &'a str)> {
    let mut out = Vec::new();
    let mut seen: std::collections::HashSet<(&str, Option<&str>)> =
        std::collections::HashSet::new();
    if let Some((file, text)) = fresh {
        for item in &file.items {
            if seen.insert((item.keyword(), item.name())) {
                out.push((item, text));
            }
        }
    }
    for a in analyses {
        // With a fresh parse of the document, its own names come from that parse only: an
        // older check's copy of the document would bring back names since renamed.
        let own = fresh.is_some().then_some(crate::world::ENTRY.0 as usize);
        for (i, f) in a.checked.files.iter().enumerate() {
            if Some(i) == own {
                continue;
            }
            for item in &f.ast.items {
                if seen.insert((item.keyword(), item.name())) {
                    out.push((item, &*f.text));
                }
            }
        }
    }
    out
}

/// The type as written, without comments (`money?`, `enum { a, b }`, `set<text>`).
pub fn type_text(ty: &TypeExpr) -> String {
    let base = match &ty.kind {
        TypeKind::Bool => "bool".to_owned(),
        TypeKind::Int => "int".to_owned(),
        TypeKind::Number => "number".to_owned(),
        TypeKind::Money => "money".to_owned(),
        TypeKind::Percent => "percent".to_owned(),
        TypeKind::Text => "text".to_owned(),
        TypeKind::Date => "date".to_owned(),
        TypeKind::Duration => "duration".to_owned(),
        TypeKind::Enum(e) => {
            let names: Vec<&str> = e.variants.iter().map(|v| v.name.name.as_str()).collect();
            let sep = if e.ordered() { " < " } else { ", " };
            format!("enum {{ {} }}", names.join(sep))
        }
        TypeKind::Set(inner) => format!("set<{}>", type_text(inner)),
        TypeKind::Named(id) => id.name.clone(),
    };
    if ty.optional {
        format!("{base}?")
    } else {
        base
    }
}

/// The schema an item is for: its `for NAME`, else the only schema.
pub fn schema_for<'a>(items: &[(&'a Item, &'a str)], name: Option<&str>) -> Vec<&'a ast::Schema> {
    let schemas: Vec<&ast::Schema> = items
        .iter()
        .filter_map(|(i, _)| match i {
            Item::Schema(s) => Some(&**s),
            _ => None,
        })
        .collect();
    if let Some(n) = name
        && let Some(s) = schemas.iter().find(|s| s.name.name == n)
    {
        return vec![s];
    }
    schemas
}

/// A profile's criteria, grouped or not, in source order.
pub fn criteria(p: &ast::Profile) -> Vec<&ast::Criterion> {
    let mut out = Vec::new();
    for m in &p.members {
        match m {
            ProfileMember::Criterion(c) => out.push(&**c),
            ProfileMember::Group(g) => out.extend(g.criteria.iter()),
            _ => {}
        }
    }
    out
}

/// The maximum score of a profile: the sum of its positive weights.
pub fn max_points(p: &ast::Profile) -> Decimal {
    criteria(p)
        .iter()
        .map(|c| c.weight.value)
        .filter(|w| *w > Decimal::ZERO)
        .fold(Decimal::ZERO, Decimal::saturating_add)
}

/// A weight's share of the maximum score, as a whole percent (`"22%"`, `"-10%"`).
pub fn share_text(weight: Decimal, max: Decimal) -> Option<String> {
    if max <= Decimal::ZERO {
        return None;
    }
    let pct = Decimal::ONE_HUNDRED.checked_mul(weight)?.checked_div(max)?;
    let rounded = num::round_dp(pct, 0);
    let near = (pct - rounded).abs() < Decimal::new(5, 2);
    if near || pct.abs() >= Decimal::TEN {
        Some(format!("{rounded}%"))
    } else {
        Some(format!("{}%", num::fixed(pct, 1)))
    }
}

/// A number as the user writes it (`15`, `2.5`), exactly.
pub fn num_text(v: Decimal) -> String {
    num::plain(v)
}
