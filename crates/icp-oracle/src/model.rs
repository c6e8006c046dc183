//! The program as the oracle needs it: one schema, its segments, one profile, read straight
//! from the parser's typed tree. Literal values are read from their source text, so that
//! `0.1` is exactly one tenth whatever number type the tree stores.

use std::collections::HashMap;
use std::str::FromStr;

use icp_syntax::ast::{
    self, CriterionBody, Expr, ExprKind, Item, Lit, ProfileMember, TierRule, TypeKind,
};
use rust_decimal::Decimal;

/// A field's type, as far as reading a cell goes.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldType {
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `number`
    Number,
    /// `money`
    Money,
    /// `percent`
    Percent,
    /// `text`
    Text,
    /// `date`
    Date,
    /// `duration`
    Duration,
    /// `enum { .. }`
    Enum(Vec<VariantDef>),
    /// `enum { a < b < c }`: variants in declared order.
    OrderedEnum(Vec<VariantDef>),
    /// `set<text>`
    Set,
}

/// One enum variant: its name, the strings it reads, whether it is the catch-all.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantDef {
    /// The variant's name (also read from data).
    pub name: String,
    /// `= "A" | "B"`
    pub strings: Vec<String>,
    /// `= _`
    pub catch_all: bool,
}

/// A schema field.
#[derive(Debug, Clone)]
pub struct FieldDef {
    /// Field name.
    pub name: String,
    /// The column it reads (`from`, else the name).
    pub column: String,
    /// Its type.
    pub ty: FieldType,
    /// `?`
    pub optional: bool,
    /// `key`
    pub key: bool,
    /// `as fraction` (a percent field): a cell without `%` is a fraction (`0.35` is 35 %).
    pub fraction: bool,
}

/// A criterion's body.
#[derive(Debug, Clone)]
pub enum Body {
    /// `{ cond }`
    Bool(Expr),
    /// `{ perfect when a practical when b }`
    Scorecard(Expr, Option<Expr>),
}

/// A criterion of the profile.
#[derive(Debug, Clone)]
pub struct CriterionDef {
    /// Name.
    pub name: String,
    /// The group it sits in.
    pub group: Option<String>,
    /// Weight, exact.
    pub weight: Decimal,
    /// Body.
    pub body: Body,
    /// `practical_share 60%` on the criterion itself (a fraction), overriding the profile's.
    pub practical_share: Option<Decimal>,
}

/// A tier's rule.
#[derive(Debug, Clone)]
pub enum TierDef {
    /// `tier name >= N`
    Threshold(String, Decimal),
    /// `tier name when cond`
    When(String, Expr),
    /// `tier name`
    CatchAll(String),
}

impl TierDef {
    /// The tier's name.
    pub fn name(&self) -> &str {
        match self {
            TierDef::Threshold(n, _) | TierDef::When(n, _) | TierDef::CatchAll(n) => n,
        }
    }
}

/// The program: one schema and one profile (the first one, or the one asked for).
#[derive(Debug, Clone)]
pub struct Program {
    /// The source text (literals are read from it).
    pub src: String,
    /// The schema's fields in order.
    pub fields: Vec<FieldDef>,
    /// Segment conditions by name.
    pub segments: HashMap<String, Expr>,
    /// The profile's name.
    pub profile: String,
    /// `target` segments.
    pub targets: Vec<String>,
    /// `practical_share` (default 50 %), as a fraction.
    pub practical_share: Decimal,
    /// Lets by name.
    pub lets: HashMap<String, Expr>,
    /// Groups in order.
    pub groups: Vec<String>,
    /// Criteria in order (grouped or not).
    pub criteria: Vec<CriterionDef>,
    /// Exclusions in order.
    pub excludes: Vec<(String, Expr)>,
    /// Tiers in order.
    pub tiers: Vec<TierDef>,
    /// The situation's capabilities (`situation.NAME`).
    pub capabilities: HashMap<String, Expr>,
    /// The situation's timeframe (`situation.start`, `situation.end`), days since 1970-01-01.
    pub timeframe: Option<(i64, i64)>,
    /// Tier actions by tier name (`tier a1 "Call them" when ..`).
    pub actions: HashMap<String, String>,
    /// Every profile's name, in declaration order.
    pub profiles: Vec<String>,
}

/// Why a program is not one the oracle evaluates.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, LoadError> {
    Err(LoadError(msg.into()))
}

/// The source text of a span.
pub fn text_of(src: &str, span: icp_syntax::Span) -> &str {
    src.get(span.start as usize..span.end as usize)
        .unwrap_or("")
}

/// A numeric literal's exact value from its text: `42`, `3.5`, `$1.5M`, `70%` (a fraction).
pub fn number_literal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if let Some(p) = t.strip_suffix('%') {
        return Decimal::from_str(p).ok()?.checked_div(Decimal::ONE_HUNDRED);
    }
    if let Some(m) = t.strip_prefix('$') {
        let (digits, mult) = match m.chars().last() {
            Some('k' | 'K') => (m.get(..m.len() - 1)?, 1_000_i64),
            Some('m' | 'M') => (m.get(..m.len() - 1)?, 1_000_000),
            Some('b' | 'B') => (m.get(..m.len() - 1)?, 1_000_000_000),
            _ => (m, 1),
        };
        return Decimal::from_str(digits)
            .ok()?
            .checked_mul(Decimal::from(mult));
    }
    Decimal::from_str(t).ok()
}

/// A literal's value in the oracle's terms.
pub fn literal(src: &str, lit: &Lit, span: icp_syntax::Span) -> Option<crate::value::Value> {
    use crate::value::Value;
    let text = text_of(src, span);
    Some(match lit {
        Lit::Int(_) | Lit::Number(_) | Lit::Money(_) | Lit::Percent(_) => {
            Value::Num(number_literal(text)?)
        }
        Lit::Date(_) => Value::Date(crate::read::parse_date(text)?),
        Lit::Duration(_) => {
            let t = text.trim();
            let (n, unit) = t.split_at(t.len().checked_sub(1)?);
            let n: i64 = n.parse().ok()?;
            Value::Dur(if unit == "w" { n.checked_mul(7)? } else { n })
        }
        Lit::Text(s) => Value::Text(s.clone()),
        Lit::Bool(b) => Value::Bool(*b),
    })
}

fn field_type(t: &ast::TypeExpr) -> Result<FieldType, LoadError> {
    Ok(match &t.kind {
        TypeKind::Bool => FieldType::Bool,
        TypeKind::Int => FieldType::Int,
        TypeKind::Number => FieldType::Number,
        TypeKind::Money => FieldType::Money,
        TypeKind::Percent => FieldType::Percent,
        TypeKind::Text => FieldType::Text,
        TypeKind::Date => FieldType::Date,
        TypeKind::Duration => FieldType::Duration,
        TypeKind::Set(inner) if matches!(inner.kind, TypeKind::Text) => FieldType::Set,
        TypeKind::Enum(vs) => {
            let variants = vs
                .variants
                .iter()
                .map(|v| VariantDef {
                    name: v.name.name.clone(),
                    strings: v.strings.iter().map(|s| s.value.clone()).collect(),
                    catch_all: v.catch_all.is_some(),
                })
                .collect();
            if vs.ordered() {
                FieldType::OrderedEnum(variants)
            } else {
                FieldType::Enum(variants)
            }
        }
        other => return err(format!("unsupported type {other:?}")),
    })
}

/// A constant numeric expression (`80`, `80%` meaning 80, `-5`).
fn threshold(src: &str, e: &Expr) -> Option<Decimal> {
    match &e.kind {
        ExprKind::Lit(Lit::Percent(_)) => {
            number_literal(text_of(src, e.span))?.checked_mul(Decimal::ONE_HUNDRED)
        }
        ExprKind::Lit(_) => number_literal(text_of(src, e.span)),
        ExprKind::Unary(ast::UnaryOp::Neg, inner) => threshold(src, inner).map(|d| -d),
        _ => None,
    }
}

impl Program {
    /// Reads a program from one source file: its only schema and the named profile (else the
    /// first one). The program must already be accepted by `icp check`; the oracle does not
    /// re-check types.
    pub fn load(src: &str, profile: Option<&str>) -> Result<Program, LoadError> {
        let parsed = icp_syntax::parse(src);
        if let Some(d) = parsed.diagnostics.first() {
            return err(format!("syntax error: {}", d.message));
        }
        let mut schema = None;
        let mut segments = HashMap::new();
        let mut profiles = Vec::new();
        let mut situations = HashMap::new();
        for item in parsed.file.items {
            match item {
                Item::Schema(s) => {
                    if schema.is_some() {
                        return err("several schemas");
                    }
                    schema = Some(s);
                }
                Item::Segment(s) => {
                    let s = std::sync::Arc::unwrap_or_clone(s);
                    segments.insert(s.name.name.clone(), s.cond);
                }
                Item::Profile(p) => profiles.push(std::sync::Arc::unwrap_or_clone(p)),
                Item::Situation(s) => {
                    situations.insert(s.name.name.clone(), s);
                }
                Item::Import(_) => return err("imports are not supported"),
                Item::Test(_) => {}
            }
        }
        let Some(schema) = schema else {
            return err("no schema");
        };
        let fields = schema
            .fields
            .iter()
            .map(|f| {
                Ok(FieldDef {
                    name: f.name.name.clone(),
                    column: f
                        .from
                        .as_ref()
                        .map_or_else(|| f.name.name.clone(), |s| s.value.clone()),
                    ty: field_type(&f.ty)?,
                    optional: f.ty.optional,
                    key: f.key.is_some(),
                    fraction: f.fraction.is_some(),
                })
            })
            .collect::<Result<Vec<_>, LoadError>>()?;
        let p = match profile {
            Some(name) => profiles.iter().find(|p| p.name.name == name).cloned(),
            None => profiles.first().cloned(),
        };
        let profile_names: Vec<String> = profiles.iter().map(|p| p.name.name.clone()).collect();
        let Some(p) = p else {
            return err("no such profile");
        };
        let mut capabilities = HashMap::new();
        let mut timeframe = None;
        if let Some(sit) = p.situation.as_ref().and_then(|s| situations.get(&s.name)) {
            for c in &sit.clauses {
                match c {
                    ast::SituationClause::Capability(c) => {
                        capabilities.insert(c.name.name.clone(), c.value.clone());
                    }
                    ast::SituationClause::Timeframe(t) => {
                        let day = |d: &ast::DateLit| crate::read::parse_date(text_of(src, d.span));
                        if let (Some(a), Some(b)) = (day(&t.start), day(&t.end)) {
                            timeframe = Some((a, b));
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut prog = Program {
            src: src.to_string(),
            fields,
            segments,
            profile: p.name.name.clone(),
            targets: Vec::new(),
            practical_share: Decimal::new(5, 1),
            lets: HashMap::new(),
            groups: Vec::new(),
            criteria: Vec::new(),
            excludes: Vec::new(),
            tiers: Vec::new(),
            capabilities,
            timeframe,
            actions: HashMap::new(),
            profiles: profile_names,
        };
        for m in p.members {
            match m {
                ProfileMember::Target(t) => {
                    prog.targets.extend(t.segments.into_iter().map(|s| s.name));
                }
                ProfileMember::PracticalShare(s) => {
                    let Some(v) = number_literal(text_of(src, s.value.span)) else {
                        return err("practical_share is not a literal");
                    };
                    prog.practical_share = v;
                }
                ProfileMember::Let(l) => {
                    prog.lets.insert(l.name.name, l.value);
                }
                ProfileMember::Group(g) => {
                    prog.groups.push(g.name.name.clone());
                    for c in g.criteria {
                        prog.criteria
                            .push(criterion(src, c, Some(g.name.name.clone()))?);
                    }
                }
                ProfileMember::Criterion(c) => prog.criteria.push(criterion(src, *c, None)?),
                ProfileMember::Exclude(x) => prog.excludes.push((x.name.name, x.cond)),
                ProfileMember::Tier(t) => prog.tiers.push({
                    if let Some(a) = &t.action {
                        prog.actions.insert(t.name.name.clone(), a.value.clone());
                    }
                    match t.rule {
                        TierRule::Threshold(e) => {
                            let Some(v) = threshold(src, &e) else {
                                return err("a tier threshold that is not a literal");
                            };
                            TierDef::Threshold(t.name.name, v)
                        }
                        TierRule::When(e) => TierDef::When(t.name.name, e),
                        TierRule::CatchAll => TierDef::CatchAll(t.name.name),
                    }
                }),
            }
        }
        Ok(prog)
    }

    /// The key field's name.
    pub fn key_field(&self) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key)
    }
}

fn criterion(
    src: &str,
    c: ast::Criterion,
    group: Option<String>,
) -> Result<CriterionDef, LoadError> {
    let text = text_of(src, c.weight.span);
    let Ok(mut weight) = Decimal::from_str(text.trim()) else {
        return err(format!("weight `{text}` is not a number"));
    };
    // Should the span leave out the sign, the text before it says.
    let before = src
        .get(..c.weight.span.start as usize)
        .unwrap_or("")
        .trim_end();
    if weight > Decimal::ZERO && before.ends_with('-') {
        weight = -weight;
    }
    let practical_share = match &c.practical_share {
        Some(s) => match number_literal(text_of(src, s.value.span)) {
            Some(v) => Some(v),
            None => return err("a criterion's practical_share is not a literal"),
        },
        None => None,
    };
    Ok(CriterionDef {
        practical_share,
        name: c.name.name,
        group,
        weight,
        body: match c.body {
            CriterionBody::Bool(e) => Body::Bool(e),
            CriterionBody::Scorecard { perfect, practical } => Body::Scorecard(perfect, practical),
        },
    })
}
