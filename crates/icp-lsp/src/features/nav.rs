//! Go to definition, find references, rename, document and workspace symbols: all from the
//! checker's [`icp_check::SymbolIndex`] (and, for document symbols, the syntax tree).

use std::collections::{BTreeMap, HashSet};

use icp_check::{Def, DefKind};
use icp_syntax::ast::{Item, ProfileMember, SituationClause, TypeKind};
use icp_syntax::{FileId, HasSpan, Span};
use tower_lsp_server::ls_types::{
    DocumentSymbol, Location, OneOf, Position, PrepareRenameResponse, Range, SymbolKind, TextEdit,
    Uri, WorkspaceEdit, WorkspaceSymbol,
};

use crate::world::{Analysis, ENTRY};

/// The definition under `offset` of `file`: a reference to it, or its own name.
pub fn def_at(a: &Analysis, file: FileId, offset: usize) -> Option<usize> {
    let syms = &a.checked.symbols;
    let by_ref = syms
        .refs
        .iter()
        .filter(|r| r.file == file && r.span.contains(offset))
        .min_by_key(|r| r.span.len())
        .map(|r| r.def);
    by_ref.or_else(|| {
        syms.defs
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d.file == file && d.name_span.contains(offset) && !d.name_span.is_empty()
            })
            .min_by_key(|(_, d)| d.name_span.len())
            .map(|(i, _)| i)
    })
}

/// The definition under an LSP position of the analysed document.
pub fn def_at_pos(a: &Analysis, pos: Position) -> Option<(usize, &Def)> {
    let i = def_at(a, ENTRY, a.offset(pos))?;
    a.checked.symbols.defs.get(i).map(|d| (i, d))
}

fn location(a: &Analysis, file: FileId, span: Span) -> Option<Location> {
    Some(Location {
        uri: a.uri_of(file)?.clone(),
        range: a.range(file, span),
    })
}

/// Where the name under the cursor is defined.
pub fn definition(a: &Analysis, pos: Position) -> Option<Location> {
    let (_, def) = def_at_pos(a, pos)?;
    location(a, def.file, def.name_span)
}

/// Every place the definition under the cursor is referenced, in `a` and in the other
/// analyses given (other open documents that import the same file), without duplicates.
pub fn references_in(
    a: &Analysis,
    others: &[&Analysis],
    pos: Position,
    include_decl: bool,
) -> Option<Vec<Location>> {
    let (_, def) = def_at_pos(a, pos)?;
    let target = (a.uri_of(def.file)?.clone(), def.name_span.start, def.kind);
    let mut out: Vec<Location> = Vec::new();
    let mut seen = HashSet::new();
    for b in std::iter::once(a).chain(others.iter().copied()) {
        let Some(i) = b.checked.symbols.defs.iter().position(|d| {
            b.uri_of(d.file).is_some_and(|u| *u == target.0)
                && d.name_span.start == target.1
                && d.kind == target.2
        }) else {
            continue;
        };
        let Some(d) = b.checked.symbols.defs.get(i) else {
            continue;
        };
        let mut push = |file: FileId, span: Span| {
            if let Some(loc) = location(b, file, span)
                && seen.insert((
                    loc.uri.clone(),
                    loc.range.start.line,
                    loc.range.start.character,
                ))
            {
                out.push(loc);
            }
        };
        if include_decl {
            push(d.file, d.name_span);
        }
        for (file, span) in b.checked.references(i) {
            push(file, span);
        }
    }
    out.sort_by(|x, y| {
        x.uri.cmp(&y.uri).then_with(|| {
            (x.range.start.line, x.range.start.character)
                .cmp(&(y.range.start.line, y.range.start.character))
        })
    });
    Some(out)
}

/// [`references_in`] over this analysis only.
pub fn references(a: &Analysis, pos: Position, include_decl: bool) -> Option<Vec<Location>> {
    references_in(a, &[], pos, include_decl)
}

/// The range of the name under the cursor, if it can be renamed; else why not.
pub fn prepare_rename(a: &Analysis, pos: Position) -> Result<PrepareRenameResponse, String> {
    prepare(a, pos).ok_or_else(|| {
        "nothing to rename here: put the cursor on the name of a schema, field, variant, \
         situation, goal, capability, segment, profile, let, group, criterion, exclude or tier"
            .to_owned()
    })?
}

fn prepare(a: &Analysis, pos: Position) -> Option<Result<PrepareRenameResponse, String>> {
    let offset = a.offset(pos);
    let (_, def) = def_at_pos(a, pos)?;
    if def.kind == DefKind::Test {
        return Some(Err(TEST_NAME.to_owned()));
    }
    let syms = &a.checked.symbols;
    let span = syms
        .refs
        .iter()
        .filter(|r| r.file == ENTRY && r.span.contains(offset))
        .map(|r| r.span)
        .min_by_key(|s| s.len())
        .or_else(|| {
            (def.file == ENTRY && def.name_span.contains(offset)).then_some(def.name_span)
        })?;
    Some(Ok(PrepareRenameResponse::RangeWithPlaceholder {
        range: a.range(ENTRY, span),
        placeholder: def.name.to_string(),
    }))
}

const TEST_NAME: &str = "a test's name is a string: edit it in place";

/// The names a definition shares a namespace with: top-level items share one; a member
/// shares one with the members of the same container that are looked up with it.
fn family(kind: DefKind) -> u8 {
    match kind {
        DefKind::Schema | DefKind::Situation | DefKind::Segment | DefKind::Profile => 0,
        DefKind::Field => 1,
        DefKind::Variant => 2,
        DefKind::Goal | DefKind::Capability => 3,
        DefKind::Let | DefKind::Group | DefKind::Criterion | DefKind::Exclude => 4,
        DefKind::Tier => 5,
        DefKind::Test => 6,
    }
}

/// The declaration already named `new_name` that a rename of `def` would collide with.
fn collision<'a>(
    analyses: &[&'a Analysis],
    def: &Def,
    def_uri: &Uri,
    new_name: &str,
) -> Option<(&'a Analysis, &'a Def)> {
    let top = family(def.kind) == 0;
    analyses.iter().find_map(|b| {
        b.checked
            .symbols
            .defs
            .iter()
            .find(|d| {
                *d.name == *new_name
                    && family(d.kind) == family(def.kind)
                    && (top || d.container == def.container)
                    && !(b.uri_of(d.file) == Some(def_uri) && d.name_span == def.name_span)
            })
            .map(|d| (*b, d))
    })
}

/// The edit that keeps a renamed field reading its column: ` from "old"` after the type of
/// a field that has no `from`.
fn keep_column(a: &Analysis, def: &Def) -> Option<(Uri, TextEdit)> {
    if def.kind != DefKind::Field {
        return None;
    }
    let file = a.file(def.file)?;
    let field = file.ast.items.iter().find_map(|i| match i {
        Item::Schema(s) => s.fields.iter().find(|f| f.name.span == def.name_span),
        _ => None,
    })?;
    if field.from.is_some() {
        return None;
    }
    let end = Span {
        start: field.ty.span.end,
        end: field.ty.span.end,
    };
    Some((
        a.uri_of(def.file)?.clone(),
        TextEdit {
            range: a.range(def.file, end),
            new_text: format!(" from \"{}\"", def.name),
        },
    ))
}

/// Whether `name` can name a declaration.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !icp_syntax::is_keyword(name)
}

/// Rename the definition under the cursor and every reference to it (across the files of
/// this analysis and the other analyses given).
pub fn rename_in(
    a: &Analysis,
    others: &[&Analysis],
    pos: Position,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    let Some((_, def)) = def_at_pos(a, pos) else {
        return Ok(None);
    };
    if def.kind == DefKind::Test {
        return Err(TEST_NAME.to_owned());
    }
    if !valid_name(new_name) {
        return Err(format!(
            "`{new_name}` is not a valid name (letters, digits and `_`, not a keyword)"
        ));
    }
    if *new_name == *def.name {
        return Ok(None);
    }
    let def_uri = a.uri_of(def.file).cloned().unwrap_or_else(|| a.uri.clone());
    let all: Vec<&Analysis> = std::iter::once(a).chain(others.iter().copied()).collect();
    if let Some((b, taken)) = collision(&all, def, &def_uri, new_name) {
        let at = b.range(taken.file, taken.name_span).start;
        let file = b.file(taken.file).map_or_else(String::new, |f| {
            f.path
                .strip_prefix(&b.root)
                .unwrap_or(&f.path)
                .display()
                .to_string()
        });
        return Err(format!(
            "cannot rename `{}` to `{new_name}`: `{new_name}` is already declared at {file}:{}:{}; \
             pick another name",
            def.name,
            at.line + 1,
            at.character + 1
        ));
    }
    let Some(locations) = references_in(a, others, pos, true) else {
        return Ok(None);
    };
    let mut changes: BTreeMap<Uri, Vec<TextEdit>> = BTreeMap::new();
    if let Some((uri, edit)) = keep_column(a, def) {
        changes.entry(uri).or_default().push(edit);
    }
    for loc in locations {
        changes.entry(loc.uri).or_default().push(TextEdit {
            range: loc.range,
            new_text: new_name.to_owned(),
        });
    }
    Ok(Some(WorkspaceEdit {
        changes: Some(changes.into_iter().collect()),
        ..WorkspaceEdit::default()
    }))
}

/// [`rename_in`] over this analysis only (files that import the analysed one are not
/// seen).
pub fn rename(
    a: &Analysis,
    pos: Position,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, String> {
    rename_in(a, &[], pos, new_name)
}

/// The LSP symbol kind of a definition.
pub fn symbol_kind(kind: DefKind) -> SymbolKind {
    match kind {
        DefKind::Schema => SymbolKind::STRUCT,
        DefKind::Field => SymbolKind::FIELD,
        DefKind::Variant | DefKind::Tier => SymbolKind::ENUM_MEMBER,
        DefKind::Situation | DefKind::Group => SymbolKind::NAMESPACE,
        DefKind::Goal => SymbolKind::PROPERTY,
        DefKind::Capability => SymbolKind::CONSTANT,
        DefKind::Segment => SymbolKind::CLASS,
        DefKind::Profile => SymbolKind::MODULE,
        DefKind::Let => SymbolKind::VARIABLE,
        DefKind::Criterion => SymbolKind::FUNCTION,
        DefKind::Exclude => SymbolKind::EVENT,
        DefKind::Test => SymbolKind::METHOD,
    }
}

#[expect(
    deprecated,
    reason = "`DocumentSymbol::deprecated` must still be written"
)]
fn symbol(
    a: &Analysis,
    name: &str,
    detail: Option<String>,
    kind: SymbolKind,
    full: Span,
    sel: Span,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: if name.is_empty() {
            "_".to_owned()
        } else {
            name.to_owned()
        },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: a.range(ENTRY, full),
        selection_range: a.range(ENTRY, sel),
        children: (!children.is_empty()).then_some(children),
    }
}

fn title(t: Option<&icp_syntax::ast::StrLit>) -> Option<String> {
    t.map(|t| t.value.clone())
}

/// The outline of the analysed document.
pub fn document_symbols(a: &Analysis) -> Vec<DocumentSymbol> {
    let Some(file) = a.file(ENTRY) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in &file.ast.items {
        match item {
            Item::Import(i) => {
                out.push(symbol(
                    a,
                    &i.path.value,
                    Some("import".into()),
                    SymbolKind::FILE,
                    i.span,
                    i.path.span,
                    Vec::new(),
                ));
            }
            Item::Schema(s) => {
                let fields = s
                    .fields
                    .iter()
                    .map(|f| {
                        let variants = match &f.ty.kind {
                            TypeKind::Enum(e) => e
                                .variants
                                .iter()
                                .map(|v| {
                                    symbol(
                                        a,
                                        &v.name.name,
                                        None,
                                        SymbolKind::ENUM_MEMBER,
                                        v.span,
                                        v.name.span,
                                        Vec::new(),
                                    )
                                })
                                .collect(),
                            _ => Vec::new(),
                        };
                        symbol(
                            a,
                            &f.name.name,
                            Some(super::type_text(&f.ty)),
                            SymbolKind::FIELD,
                            f.span,
                            f.name.span,
                            variants,
                        )
                    })
                    .collect();
                out.push(symbol(
                    a,
                    &s.name.name,
                    Some("schema".into()),
                    SymbolKind::STRUCT,
                    s.span,
                    s.name.span,
                    fields,
                ));
            }
            Item::Situation(s) => {
                let children = s
                    .clauses
                    .iter()
                    .filter_map(|c| match c {
                        SituationClause::Goal(g) => Some(symbol(
                            a,
                            &g.name.name,
                            title(g.title.as_ref()).or(Some("goal".into())),
                            SymbolKind::PROPERTY,
                            g.span,
                            g.name.span,
                            Vec::new(),
                        )),
                        SituationClause::Capability(c) => Some(symbol(
                            a,
                            &c.name.name,
                            Some("capability".into()),
                            SymbolKind::CONSTANT,
                            c.span,
                            c.name.span,
                            Vec::new(),
                        )),
                        _ => None,
                    })
                    .collect();
                out.push(symbol(
                    a,
                    &s.name.name,
                    title(s.title.as_ref()),
                    SymbolKind::NAMESPACE,
                    s.span,
                    s.name.span,
                    children,
                ));
            }
            Item::Segment(s) => {
                out.push(symbol(
                    a,
                    &s.name.name,
                    title(s.title.as_ref()),
                    SymbolKind::CLASS,
                    s.span,
                    s.name.span,
                    Vec::new(),
                ));
            }
            Item::Profile(p) => {
                let mut children = Vec::new();
                for m in &p.members {
                    match m {
                        ProfileMember::Let(l) => children.push(symbol(
                            a,
                            &l.name.name,
                            Some("let".into()),
                            SymbolKind::VARIABLE,
                            l.span,
                            l.name.span,
                            Vec::new(),
                        )),
                        ProfileMember::Group(g) => {
                            let cs = g.criteria.iter().map(|c| criterion_symbol(a, c)).collect();
                            children.push(symbol(
                                a,
                                &g.name.name,
                                title(g.title.as_ref()),
                                SymbolKind::NAMESPACE,
                                g.span,
                                g.name.span,
                                cs,
                            ));
                        }
                        ProfileMember::Criterion(c) => children.push(criterion_symbol(a, c)),
                        ProfileMember::Exclude(e) => children.push(symbol(
                            a,
                            &e.name.name,
                            title(e.reason.as_ref()),
                            SymbolKind::EVENT,
                            e.span,
                            e.name.span,
                            Vec::new(),
                        )),
                        ProfileMember::Tier(t) => children.push(symbol(
                            a,
                            &t.name.name,
                            title(t.action.as_ref()).or(Some("tier".into())),
                            SymbolKind::ENUM_MEMBER,
                            t.span,
                            t.name.span,
                            Vec::new(),
                        )),
                        ProfileMember::Target(_) | ProfileMember::PracticalShare(_) => {}
                    }
                }
                out.push(symbol(
                    a,
                    &p.name.name,
                    title(p.title.as_ref()),
                    SymbolKind::MODULE,
                    p.span,
                    p.name.span,
                    children,
                ));
            }
            Item::Test(t) => {
                out.push(symbol(
                    a,
                    &t.name.value,
                    Some("test".into()),
                    SymbolKind::METHOD,
                    t.span,
                    t.name.span,
                    Vec::new(),
                ));
            }
        }
        let _ = item.span();
    }
    cap_symbols(&mut out);
    out
}

/// The most symbols a document's outline holds: a bigger file (generated, thousands of
/// profiles) shows its items without their members, at most this many, so that the reply
/// stays a few megabytes, not tens.
pub const MAX_SYMBOLS: usize = 10_000;

fn cap_symbols(out: &mut Vec<DocumentSymbol>) {
    fn count(s: &DocumentSymbol) -> usize {
        1 + s.children.as_ref().map_or(0, |c| c.iter().map(count).sum())
    }
    if out.iter().map(count).sum::<usize>() <= MAX_SYMBOLS {
        return;
    }
    for s in out.iter_mut() {
        s.children = None;
    }
    out.truncate(MAX_SYMBOLS);
}

fn criterion_symbol(a: &Analysis, c: &icp_syntax::ast::Criterion) -> DocumentSymbol {
    let detail = format!("weight {}", super::num_text(c.weight.value));
    symbol(
        a,
        &c.name.name,
        Some(detail),
        SymbolKind::FUNCTION,
        c.span,
        c.name.span,
        Vec::new(),
    )
}

/// Definitions whose name contains `query` (case-insensitively), in every file of the
/// analysis.
pub fn workspace_symbols(a: &Analysis, query: &str) -> Vec<WorkspaceSymbol> {
    let q = query.to_lowercase();
    a.checked
        .symbols
        .defs
        .iter()
        .filter(|d| q.is_empty() || d.name.to_lowercase().contains(&q))
        .filter_map(|d| {
            Some(WorkspaceSymbol {
                name: d.name.to_string(),
                kind: symbol_kind(d.kind),
                tags: None,
                container_name: d.container.as_deref().map(str::to_owned),
                location: OneOf::Left(location(a, d.file, d.name_span)?),
                data: None,
            })
        })
        .collect()
}

/// The range of a definition's name.
pub fn def_range(a: &Analysis, d: &Def) -> Range {
    a.range(d.file, d.name_span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[expect(deprecated, reason = "the field exists in the LSP type")]
    fn leaf(name: &str, children: Vec<DocumentSymbol>) -> DocumentSymbol {
        DocumentSymbol {
            name: name.to_owned(),
            detail: None,
            kind: SymbolKind::MODULE,
            tags: None,
            deprecated: None,
            range: Range::default(),
            selection_range: Range::default(),
            children: (!children.is_empty()).then_some(children),
        }
    }

    #[test]
    fn a_huge_outline_keeps_its_items_without_members() {
        let item = |i: usize| leaf(&format!("p{i}"), vec![leaf("c", Vec::new()); 3]);
        // Under the cap: untouched.
        let mut small: Vec<DocumentSymbol> = (0..MAX_SYMBOLS / 4).map(item).collect();
        cap_symbols(&mut small);
        assert!(
            small
                .iter()
                .all(|s| s.children.as_ref().map(Vec::len) == Some(3))
        );
        // Over it: items only.
        let mut big: Vec<DocumentSymbol> = (0..MAX_SYMBOLS / 2).map(item).collect();
        cap_symbols(&mut big);
        assert_eq!(big.len(), MAX_SYMBOLS / 2);
        assert!(big.iter().all(|s| s.children.is_none()));
        // More items than the cap: the first ones.
        let mut huge: Vec<DocumentSymbol> = (0..MAX_SYMBOLS + 7).map(item).collect();
        cap_symbols(&mut huge);
        assert_eq!(huge.len(), MAX_SYMBOLS);
        assert_eq!(huge.last().map(|s| s.name.as_str()), Some("p9999"));
    }
}
