//! The full explanation of one row: every target, exclusion, group and criterion, and what
//! would raise the tier. Allocates; for `--explain`, `icp explain` and `icp test`.

use std::fmt::Write as _;

use icp_base::num;
use icp_model::{Decimal, Value};

use crate::code::{FieldSlot, V};
use crate::{CriterionOutcome, Plan, Rule, Scratch, TierOutcome, Tri, write_num};

/// The explanation of one row (stable field names: this is the JSON of `icp explain`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explanation {
    /// The profile.
    pub profile: String,
    /// Its title.
    pub title: Option<String>,
    /// `today` (ISO date).
    pub today: String,
    /// The tier: a tier's name, `excluded` or `out_of_segment`.
    pub tier: String,
    /// The tier's action text.
    pub action: Option<String>,
    /// The tier the score reaches, ignoring targets and exclusions.
    pub score_tier: String,
    /// The score, rounded to two decimals.
    #[serde(serialize_with = "json_num")]
    pub score: Decimal,
    /// The coverage (a fraction), rounded to four decimals.
    #[serde(serialize_with = "json_num")]
    pub coverage: Decimal,
    /// Σ points earned.
    #[serde(serialize_with = "json_num")]
    pub points: Decimal,
    /// Σ positive weights.
    #[serde(serialize_with = "json_num")]
    pub max_points: Decimal,
    /// Target segments.
    pub segment: SegmentExplanation,
    /// The profile's `let`s, in order.
    pub lets: Vec<LetExplanation>,
    /// Every exclusion.
    pub exclusions: Vec<ExclusionExplanation>,
    /// Every group.
    pub groups: Vec<GroupExplanation>,
    /// Every criterion, in source order.
    pub criteria: Vec<CriterionExplanation>,
    /// Criteria that would add points, most first.
    pub raise: Vec<Raise>,
    /// The next tier up, if any.
    pub next_tier: Option<NextTier>,
}

/// Segment membership.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SegmentExplanation {
    /// In at least one target (always, without targets).
    pub in_segment: bool,
    /// Each target.
    pub targets: Vec<TargetExplanation>,
}

/// One target segment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TargetExplanation {
    /// Segment name.
    pub name: String,
    /// Its title.
    pub title: Option<String>,
    /// Membership.
    pub result: Tri,
    /// Fields it reads that are missing.
    pub unknown_fields: Vec<String>,
}

/// The value of one `let`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LetExplanation {
    /// Name.
    pub name: String,
    /// Its value as text (`missing` when missing).
    pub value: String,
}

/// One exclusion.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExclusionExplanation {
    /// Name.
    pub name: String,
    /// Stated reason.
    pub reason: Option<String>,
    /// Whether it holds.
    pub result: Tri,
    /// Fields it reads that are missing.
    pub unknown_fields: Vec<String>,
}

/// One group.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupExplanation {
    /// Name (`score.NAME`).
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Group score, two decimals (missing without positive weights).
    #[serde(serialize_with = "json_opt")]
    pub score: Option<Decimal>,
    /// Points earned in the group.
    #[serde(serialize_with = "json_num")]
    pub points: Decimal,
    /// Σ positive weights in the group.
    #[serde(serialize_with = "json_num")]
    pub max: Decimal,
}

/// One criterion.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CriterionExplanation {
    /// Name.
    pub name: String,
    /// Title.
    pub title: Option<String>,
    /// Its group.
    pub group: Option<String>,
    /// Weight.
    #[serde(serialize_with = "json_num")]
    pub weight: Decimal,
    /// Points earned (negative for a true negative weight).
    #[serde(serialize_with = "json_num")]
    pub points: Decimal,
    /// `perfect`, `practical`, `true`, `false` or `unknown`.
    pub outcome: CriterionOutcome,
    /// The scorecard branch that matched (`perfect` or `practical`).
    pub branch: Option<String>,
    /// Fields it reads that are missing.
    pub unknown_fields: Vec<String>,
}

/// A criterion that would add points.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Raise {
    /// The criterion.
    pub criterion: String,
    /// Score points it would add (two decimals).
    #[serde(serialize_with = "json_num")]
    pub points: Decimal,
    /// The same, exact: the text rounds this once, to one decimal (rounding `points` again
    /// would show 17.647… as 17.7).
    #[serde(skip)]
    pub exact: Decimal,
    /// Why it does not earn them now.
    pub why: String,
}

/// The next tier up and the gap to it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NextTier {
    /// Its name.
    pub name: String,
    /// Score points missing (two decimals), for a threshold tier.
    #[serde(serialize_with = "json_opt")]
    pub gap: Option<Decimal>,
    /// How it is reached (`score >= 80`, `when condition`).
    pub rule: String,
}

/// Rounded to `decimals`, half away from zero.
fn round(x: Decimal, decimals: u32) -> Decimal {
    num::round_dp(x, decimals)
}

/// A decimal (already rounded for display) as a JSON number, as before exact decimals.
fn json_num<S: serde::Serializer>(x: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(num::to_f64(*x))
}

/// [`json_num`] of a value that may be absent (`null`).
#[expect(
    clippy::ref_option,
    reason = "serde's `serialize_with` passes the field by reference"
)]
fn json_opt<S: serde::Serializer>(x: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => s.serialize_some(&num::to_f64(*x)),
        None => s.serialize_none(),
    }
}

impl Plan {
    fn field_names(&self, fields: &[FieldSlot], row: &[Value<'_>]) -> Vec<String> {
        fields
            .iter()
            .filter(|f| matches!(row.get(f.index()), Some(Value::Missing) | None))
            .filter_map(|f| self.schema.fields.get(f.index()).map(|x| x.name.clone()))
            .collect()
    }

    /// The full explanation of one row (allocates).
    pub fn explain(&self, row: &[Value<'_>]) -> Explanation {
        let mut s = self.scratch();
        let out = self.eval(row, &mut s);
        self.explanation(row, &s, out.tier)
    }

    fn explanation(&self, row: &[Value<'_>], s: &Scratch, tier: TierOutcome) -> Explanation {
        let targets = self
            .targets
            .iter()
            .zip(&s.targets)
            .map(|(t, r)| {
                let seg = self.segs.get(t.index());
                TargetExplanation {
                    name: seg.map(|g| g.name.clone()).unwrap_or_default(),
                    title: seg.and_then(|g| g.title.clone()),
                    result: *r,
                    unknown_fields: seg
                        .map(|g| self.field_names(&g.fields, row))
                        .unwrap_or_default(),
                }
            })
            .collect();
        let lets = self
            .lets
            .iter()
            .zip(&s.lets)
            .map(|(l, v)| LetExplanation {
                name: l.name.clone(),
                value: match *v {
                    V::Missing => "missing".to_owned(),
                    V::Bool(b) => b.to_string(),
                    V::Num(x) => num(x),
                    V::Enum(i) => l
                        .variants
                        .get(i as usize)
                        .cloned()
                        .unwrap_or_else(|| i.to_string()),
                    V::Text(src) | V::Set(src) => format!("{:?}", self.code.text(src, row)),
                },
            })
            .collect();
        let exclusions = self
            .excludes
            .iter()
            .zip(&s.excludes)
            .map(|(x, r)| ExclusionExplanation {
                name: x.name.clone(),
                reason: x.reason.clone(),
                result: *r,
                unknown_fields: self.field_names(&x.fields, row),
            })
            .collect();
        let groups = self
            .groups
            .iter()
            .zip(&s.group_points)
            .zip(&s.group_scores)
            .map(|((g, p), gs)| GroupExplanation {
                name: g.name.clone(),
                title: g.title.clone(),
                score: gs.map(|x| round(x, 2)),
                points: round(*p, 4),
                max: g.pos_weight,
            })
            .collect();
        let criteria: Vec<CriterionExplanation> = self
            .crits
            .iter()
            .zip(&s.crits)
            .map(|(c, o)| (c, o, c.points(*o)))
            .map(|(c, o, p)| CriterionExplanation {
                name: c.name.clone(),
                title: c.title.clone(),
                group: c
                    .group
                    .and_then(|g| self.groups.get(g as usize))
                    .map(|g| g.name.clone()),
                weight: c.weight,
                points: round(p, 4),
                outcome: *o,
                branch: match o {
                    CriterionOutcome::Perfect => Some("perfect".into()),
                    CriterionOutcome::Practical => Some("practical".into()),
                    _ => None,
                },
                unknown_fields: self.field_names(&c.fields, row),
            })
            .collect();

        let mut raise: Vec<Raise> = Vec::new();
        if self.pos_total > Decimal::ZERO {
            for ((c, e), o) in self.crits.iter().zip(&criteria).zip(&s.crits) {
                let p = &c.points(*o);
                if c.weight <= Decimal::ZERO {
                    continue;
                }
                let add = c
                    .weight
                    .checked_sub(*p)
                    .and_then(|x| x.checked_mul(Decimal::ONE_HUNDRED))
                    .and_then(|x| x.checked_div(self.pos_total))
                    .unwrap_or(Decimal::ZERO);
                if add <= Decimal::ZERO {
                    continue;
                }
                let why = match e.outcome {
                    CriterionOutcome::Unknown => match e.unknown_fields.as_slice() {
                        [] => "its condition is unknown".to_owned(),
                        [one] => format!("{one} is missing"),
                        many => format!("{} are missing", many.join(", ")),
                    },
                    CriterionOutcome::Practical => match c.own_share {
                        Some(share) => {
                            let mut s = "a practical fit (its own share, ".to_owned();
                            crate::write_num(&mut s, share * Decimal::ONE_HUNDRED);
                            s.push_str("% of the weight); a perfect fit earns the full weight");
                            s
                        }
                        None => "a practical fit; a perfect fit earns the full weight".to_owned(),
                    },
                    _ if c.scorecard => "neither a perfect nor a practical fit".to_owned(),
                    _ => "not met".to_owned(),
                };
                raise.push(Raise {
                    criterion: c.name.clone(),
                    points: round(add, 2),
                    exact: add,
                    why,
                });
            }
            raise.sort_by_key(|r| std::cmp::Reverse(r.points));
        }

        let next_tier = s
            .score_tier
            .checked_sub(1)
            .and_then(|k| self.tiers.get(k as usize))
            .map(|t| match t.rule {
                Rule::Threshold(x) => NextTier {
                    name: t.name.clone(),
                    gap: Some(round(
                        x.checked_sub(s.score)
                            .unwrap_or(Decimal::ZERO)
                            .max(Decimal::ZERO),
                        2,
                    )),
                    rule: {
                        let mut r = "score >= ".to_owned();
                        write_num(&mut r, x);
                        r
                    },
                },
                Rule::When(_) => NextTier {
                    name: t.name.clone(),
                    gap: None,
                    rule: "when condition".into(),
                },
                Rule::CatchAll => NextTier {
                    name: t.name.clone(),
                    gap: None,
                    rule: "catch-all".into(),
                },
            });

        let points = self
            .crits
            .iter()
            .zip(&s.crits)
            .fold(Decimal::ZERO, |a, (c, o)| a.saturating_add(c.points(*o)));
        Explanation {
            profile: self.profile.clone(),
            title: self.profile_title.clone(),
            today: self.today.to_string(),
            tier: self.tier_label(tier).to_owned(),
            action: self.tier_action(tier).map(str::to_owned),
            score_tier: self.tier_label(TierOutcome::Tier(s.score_tier)).to_owned(),
            score: round(s.score, 2),
            coverage: round(s.coverage, 4),
            points: round(points, 4),
            max_points: self.pos_total,
            segment: SegmentExplanation {
                in_segment: s.in_segment,
                targets,
            },
            lets,
            exclusions,
            groups,
            criteria,
            raise,
            next_tier,
        }
    }
}

/// What a styled piece of [`Explanation::to_text_styled`] is, so that the caller can style
/// it (the CLI colours it on a terminal); the explanation itself writes no escape codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// The tier's name.
    Tier,
    /// A result that holds: `true`, `perfect`.
    Holds,
    /// A partial result: `practical`.
    Partial,
    /// A result that fails: `false`.
    Fails,
    /// A result that is unknown (a value is missing).
    Unknown,
}

/// Writes one styled piece of text: `(out, style, text)`.
pub type Styler<'a> = &'a dyn Fn(&mut String, Style, &str);

/// The styling of the text rendering.
struct Paint<'a> {
    style: Styler<'a>,
}

impl Paint<'_> {
    fn wrap(&self, out: &mut String, style: Style, text: &str) {
        (self.style)(out, style, text);
    }
    fn tri(&self, out: &mut String, t: Tri) {
        let style = match t {
            Tri::True => Style::Holds,
            Tri::False => Style::Fails,
            Tri::Unknown => Style::Unknown,
        };
        self.wrap(out, style, t.as_str());
    }
    fn outcome(&self, out: &mut String, o: CriterionOutcome) {
        let style = match o {
            CriterionOutcome::Perfect | CriterionOutcome::True => Style::Holds,
            CriterionOutcome::Practical => Style::Partial,
            CriterionOutcome::False => Style::Fails,
            CriterionOutcome::Unknown => Style::Unknown,
        };
        self.wrap(out, style, o.as_str());
    }
}

fn num(x: Decimal) -> String {
    let mut s = String::new();
    write_num(&mut s, x);
    s
}

fn signed(x: Decimal) -> String {
    let mut s = String::new();
    if x > Decimal::ZERO {
        s.push('+');
    }
    write_num(&mut s, x);
    s
}

/// Tree branch prefixes.
fn branch(last: bool) -> &'static str {
    if last { "└─ " } else { "├─ " }
}
fn stem(last: bool) -> &'static str {
    if last { "   " } else { "│  " }
}

impl Explanation {
    /// A tidy indented tree for humans, plain text.
    pub fn to_text(&self) -> String {
        self.to_text_styled(&|out, _, text| out.push_str(text))
    }

    /// The same tree as [`Explanation::to_text`], with `style` writing the pieces that have a
    /// [`Style`] (the tier, each result) and plain text around them.
    pub fn to_text_styled(&self, style: Styler<'_>) -> String {
        let p = Paint { style };
        let mut o = String::new();
        let _ = write!(o, "profile {}", self.profile);
        if let Some(t) = &self.title {
            let _ = write!(o, " \"{t}\"");
        }
        let _ = writeln!(o, ", as of {}", self.today);
        o.push_str("tier ");
        p.wrap(&mut o, Style::Tier, &self.tier);
        let _ = write!(
            o,
            "  score {}, coverage {}%",
            num::fixed(self.score, 2),
            num(self.coverage * Decimal::ONE_HUNDRED)
        );
        if self.tier != self.score_tier {
            let _ = write!(o, " (the score alone reaches {})", self.score_tier);
        }
        o.push('\n');
        if let Some(a) = &self.action {
            let _ = writeln!(o, "action: {a}");
        }

        // Segment.
        let _ = writeln!(
            o,
            "{}segment: {}",
            branch(false),
            match (self.segment.targets.is_empty(), self.segment.in_segment) {
                (true, _) => "every account (no targets)",
                (false, true) => "in",
                (false, false) => "out",
            }
        );
        for (i, t) in self.segment.targets.iter().enumerate() {
            let last = i + 1 == self.segment.targets.len();
            let _ = write!(o, "{}{}{}: ", stem(false), branch(last), t.name);
            p.tri(&mut o, t.result);
            missing_note(&mut o, &t.unknown_fields);
            o.push('\n');
        }

        if !self.lets.is_empty() {
            let _ = writeln!(o, "{}lets", branch(false));
            for (i, l) in self.lets.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "{}{}{} = {}",
                    stem(false),
                    branch(i + 1 == self.lets.len()),
                    l.name,
                    l.value
                );
            }
        }

        // Exclusions.
        let n_true = self
            .exclusions
            .iter()
            .filter(|x| x.result == Tri::True)
            .count();
        let _ = writeln!(
            o,
            "{}exclusions: {}",
            branch(false),
            if self.exclusions.is_empty() {
                "none".to_owned()
            } else if n_true == 0 {
                "none holds".to_owned()
            } else {
                format!("{n_true} of {} hold", self.exclusions.len())
            }
        );
        for (i, x) in self.exclusions.iter().enumerate() {
            let last = i + 1 == self.exclusions.len();
            let _ = write!(o, "{}{}{}: ", stem(false), branch(last), x.name);
            p.tri(&mut o, x.result);
            if let Some(r) = &x.reason {
                let _ = write!(o, " ({r})");
            }
            missing_note(&mut o, &x.unknown_fields);
            o.push('\n');
        }

        // Criteria, by group then ungrouped.
        let has_raise = !self.raise.is_empty() || self.next_tier.is_some();
        let last_main = !has_raise;
        let _ = writeln!(
            o,
            "{}score {} = 100 × {} / {} points",
            branch(last_main),
            num::fixed(self.score, 2),
            num(self.points),
            num(self.max_points)
        );
        let s0 = stem(last_main);
        let mut blocks: Vec<(Option<&GroupExplanation>, Vec<&CriterionExplanation>)> = self
            .groups
            .iter()
            .map(|g| {
                (
                    Some(g),
                    self.criteria
                        .iter()
                        .filter(|c| c.group.as_deref() == Some(&g.name))
                        .collect(),
                )
            })
            .collect();
        let loose: Vec<&CriterionExplanation> =
            self.criteria.iter().filter(|c| c.group.is_none()).collect();
        let n_items = blocks.len() + loose.len();
        let mut k = 0;
        for (g, crits) in blocks.drain(..) {
            k += 1;
            let last = k == n_items;
            if let Some(g) = g {
                let _ = write!(o, "{s0}{}group {}: ", branch(last), g.name);
                match g.score {
                    Some(sc) => o.push_str(&num::fixed(sc, 2)),
                    None => o.push_str("missing"),
                }
                let _ = writeln!(o, " ({} of {})", num(g.points), num(g.max));
            }
            for (i, c) in crits.iter().enumerate() {
                let _ = write!(o, "{s0}{}{}", stem(last), branch(i + 1 == crits.len()));
                criterion_line(&mut o, &p, c);
            }
        }
        for c in loose {
            k += 1;
            let _ = write!(o, "{s0}{}", branch(k == n_items));
            criterion_line(&mut o, &p, c);
        }

        // What would raise the tier.
        if has_raise {
            let blocked = match (self.tier.as_str(), self.segment.in_segment) {
                (_, false) => " (no score lifts an account out of segment)",
                ("excluded", _) => " (no score lifts an excluded account)",
                _ => "",
            };
            let _ = writeln!(o, "{}to raise the tier{blocked}", branch(true));
            let n = self.raise.len() + usize::from(self.next_tier.is_some());
            for (i, r) in self.raise.iter().enumerate() {
                let _ = writeln!(
                    o,
                    "{}{}{} would add {} points: {}",
                    stem(true),
                    branch(i + 1 == n),
                    r.criterion,
                    num::fixed(r.exact, 1),
                    r.why
                );
            }
            if let Some(t) = &self.next_tier {
                let _ = write!(
                    o,
                    "{}{}next tier up: {} ({})",
                    stem(true),
                    branch(true),
                    t.name,
                    t.rule
                );
                if let Some(g) = t.gap {
                    let _ = write!(o, ", {} points away", num::fixed(g, 2));
                }
                o.push('\n');
            }
        }
        o
    }
}

fn missing_note(o: &mut String, fields: &[String]) {
    if !fields.is_empty() {
        let _ = write!(o, " [missing: {}]", fields.join(", "));
    }
}

fn criterion_line(o: &mut String, p: &Paint, c: &CriterionExplanation) {
    let _ = write!(o, "{}: ", c.name);
    p.outcome(o, c.outcome);
    let _ = write!(o, ", {} of {}", signed(c.points), num(c.weight));
    if let Some(t) = &c.title {
        let _ = write!(o, " ({t})");
    }
    missing_note(o, &c.unknown_fields);
    o.push('\n');
}
