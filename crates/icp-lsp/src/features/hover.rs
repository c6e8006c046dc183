//! Hover: a field's type, column and optionality; a criterion's weight and its share of the
//! maximum score; a segment's or exclusion's definition; an enum's variants; help for
//! keywords.

use std::fmt::Write as _;

use icp_check::{Def, DefKind};
use icp_syntax::ast::{self, Item, ProfileMember, TypeKind};
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::{criteria, keywords, max_points, num_text, share_text, type_text};
use crate::text::word_at;
use crate::world::{Analysis, ENTRY};

/// The hover at `pos`.
pub fn hover(a: &Analysis, pos: Position) -> Option<Hover> {
    let offset = a.offset(pos);
    if let Some((_, def)) = super::nav::def_at_pos(a, pos) {
        let value = describe(a, def);
        let range = a
            .checked
            .symbols
            .refs
            .iter()
            .filter(|r| r.file == ENTRY && r.span.contains(offset))
            .map(|r| r.span)
            .min_by_key(|s| s.len())
            .or_else(|| (def.file == ENTRY).then_some(def.name_span))
            .map(|s| a.range(ENTRY, s));
        return Some(markdown(value, range));
    }
    // A keyword: its help, unless the cursor is in a comment or string.
    let toks = icp_syntax::tokens(&a.text.src);
    let tok = toks
        .iter()
        .find(|t| t.span.start as usize <= offset && offset < t.span.end as usize)?;
    if tok.kind != icp_syntax::TokenKind::Keyword && tok.span.text(&a.text.src) != "today" {
        return None;
    }
    let word = word_at(&a.text.src, offset)?;
    let help = keywords::help(word.text(&a.text.src))?;
    Some(markdown(help.to_owned(), Some(a.range(ENTRY, word))))
}

fn markdown(value: String, range: Option<tower_lsp_server::ls_types::Range>) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range,
    }
}

fn code(src: &str) -> String {
    format!("```icp\n{}\n```", src.trim_end())
}

/// The syntax tree items of every file of the analysis, with their text.
fn all_items(a: &Analysis) -> Vec<(&Item, &str)> {
    super::items(&[a])
}

/// The markdown describing a definition.
pub fn describe(a: &Analysis, def: &Def) -> String {
    let items = all_items(a);
    let src = a.file(def.file).map_or("", |f| &*f.text);
    let container = def.container.as_deref();
    let found = match def.kind {
        DefKind::Field => field(&items, container, &def.name),
        DefKind::Variant => variant(&items, def),
        DefKind::Criterion => criterion(&items, container, &def.name),
        DefKind::Segment
        | DefKind::Exclude
        | DefKind::Let
        | DefKind::Tier
        | DefKind::Capability
        | DefKind::Goal => Some(code(def.full_span.text(src))),
        DefKind::Profile => profile(&items, &def.name),
        _ => None,
    };
    let mut out = found.unwrap_or_else(|| {
        let detail = super::detail::render(def);
        if detail.trim().is_empty() {
            code(first_line(def.full_span.text(src)))
        } else {
            detail
        }
    });
    if let Some(c) = container {
        let _ = write!(out, "\n\n*in `{c}`*");
    }
    out
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn schemas<'a>(items: &[(&'a Item, &'a str)], name: Option<&str>) -> Vec<&'a ast::Schema> {
    super::schema_for(items, name)
}

fn field(items: &[(&Item, &str)], schema: Option<&str>, name: &str) -> Option<String> {
    let f = schemas(items, schema)
        .into_iter()
        .flat_map(|s| s.fields.iter())
        .find(|f| f.name.name == name)?;
    let mut out = code(&format!("{}: {}", f.name.name, type_text(&f.ty)));
    let column = f
        .from
        .as_ref()
        .map_or_else(|| f.name.name.clone(), |c| c.value.clone());
    let _ = write!(out, "\n\nreads column `{column}`");
    if f.key.is_some() {
        out.push_str(" · the account's key");
    }
    out.push_str(if f.ty.optional {
        " · may be missing"
    } else {
        " · never missing (a missing value makes the row invalid)"
    });
    if let TypeKind::Enum(e) = &f.ty.kind {
        out.push_str(if e.ordered() {
            "\n\nvariants, in order (`<`, `>=`, `in a..b` compare by position):"
        } else {
            "\n\nvariants:"
        });
        for v in &e.variants {
            let _ = write!(out, "\n- `{}`{}", v.name.name, variant_reads(v));
        }
    }
    Some(out)
}

fn variant_reads(v: &ast::Variant) -> String {
    if v.catch_all.is_some() {
        " (every other value)".to_owned()
    } else if v.strings.is_empty() {
        String::new()
    } else {
        let s: Vec<String> = v
            .strings
            .iter()
            .map(|s| format!("\"{}\"", s.value))
            .collect();
        format!(" = {}", s.join(" | "))
    }
}

fn variant(items: &[(&Item, &str)], def: &Def) -> Option<String> {
    // The enum field holding a variant of this name at this place.
    for (item, _) in items {
        let Item::Schema(s) = item else { continue };
        for f in &s.fields {
            if let TypeKind::Enum(e) = &f.ty.kind
                && e.variants
                    .iter()
                    .any(|v| *v.name.name == *def.name && v.name.span.start == def.name_span.start)
            {
                let mut out = code(&format!("{}: {}", f.name.name, type_text(&f.ty)));
                let _ = write!(
                    out,
                    "\n\nvariant `{}` of `{}.{}`:",
                    def.name, s.name.name, f.name.name
                );
                for v in &e.variants {
                    let mark = if *v.name.name == *def.name {
                        " ←"
                    } else {
                        ""
                    };
                    let _ = write!(out, "\n- `{}`{}{mark}", v.name.name, variant_reads(v));
                }
                return Some(out);
            }
        }
    }
    None
}

fn criterion(items: &[(&Item, &str)], profile: Option<&str>, name: &str) -> Option<String> {
    let (p, src) = items.iter().find_map(|(i, src)| match i {
        Item::Profile(p)
            if profile.is_none_or(|n| n == p.name.name)
                && criteria(p).iter().any(|c| c.name.name == name) =>
        {
            Some((p, *src))
        }
        _ => None,
    })?;
    let c = criteria(p).into_iter().find(|c| c.name.name == name)?;
    let max = max_points(p);
    let mut out = code(c.span.text(src));
    let _ = write!(out, "\n\nweight **{}**", num_text(c.weight.value));
    if let Some(share) = share_text(c.weight.value, max) {
        if c.weight.value >= ast::Decimal::ZERO {
            let _ = write!(
                out,
                " · {share} of the maximum score ({} points)",
                num_text(max)
            );
        } else {
            let _ = write!(
                out,
                " · subtracts {} of the maximum score ({} points) when true",
                share.trim_start_matches('-'),
                num_text(max)
            );
        }
    }
    if let ast::CriterionBody::Scorecard {
        practical: Some(_), ..
    } = &c.body
    {
        let share = p
            .members
            .iter()
            .find_map(|m| match m {
                ProfileMember::PracticalShare(s) => match &s.value.kind {
                    ast::ExprKind::Lit(ast::Lit::Percent(f) | ast::Lit::Number(f)) => Some(*f),
                    ast::ExprKind::Lit(ast::Lit::Int(i)) => Some(ast::Decimal::from(*i)),
                    _ => None,
                },
                _ => None,
            })
            .unwrap_or(ast::Decimal::new(5, 1));
        let _ = write!(
            out,
            " · a practical fit earns {}",
            num_text(c.weight.value.checked_mul(share).unwrap_or_default())
        );
    }
    Some(out)
}

fn profile(items: &[(&Item, &str)], name: &str) -> Option<String> {
    let p = items.iter().find_map(|(i, _)| match i {
        Item::Profile(p) if p.name.name == name => Some(p),
        _ => None,
    })?;
    let mut header = format!("profile {}", p.name.name);
    if let Some(t) = &p.title {
        let _ = write!(header, " \"{}\"", t.value);
    }
    if let Some(s) = &p.schema {
        let _ = write!(header, " for {}", s.name);
    }
    if let Some(s) = &p.situation {
        let _ = write!(header, " in {}", s.name);
    }
    let cs = criteria(p);
    let tiers: Vec<&str> = p
        .members
        .iter()
        .filter_map(|m| match m {
            ProfileMember::Tier(t) => Some(t.name.name.as_str()),
            _ => None,
        })
        .collect();
    Some(format!(
        "{}\n\n{} criteria, maximum {} points · tiers: {}",
        code(&header),
        cs.len(),
        num_text(max_points(p)),
        tiers
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}
