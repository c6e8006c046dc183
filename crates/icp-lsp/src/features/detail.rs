//! The hover text of a definition from the facts the checker states about it
//! ([`SymbolDetail`]): the language server owns the Markdown, the checker only the facts.

use std::fmt::Write as _;

use icp_check::{Def, SymbolDetail, TierDetail};

use icp_model::{Decimal, num};

use super::num_text;

/// The Markdown the checker's facts about `def` give; empty when there are none.
pub fn render(def: &Def) -> String {
    let name = &def.name;
    let mut out = String::new();
    match &*def.detail {
        SymbolDetail::None => {}
        SymbolDetail::Test => {
            let _ = write!(out, "**test** \"{name}\"");
        }
        SymbolDetail::Schema { fields } => {
            let _ = write!(
                out,
                "**schema** `{name}`\n\n{fields} field{}",
                if *fields == 1 { "" } else { "s" }
            );
        }
        SymbolDetail::Field {
            ty_text,
            column,
            optional,
            key,
            variants,
        } => {
            let _ = write!(
                out,
                "**field** `{name}`: `{ty_text}`\n\ncolumn \"{column}\""
            );
            out.push_str(if *optional {
                " · may be missing"
            } else {
                " · required"
            });
            if *key {
                out.push_str(" · key");
            }
            if let Some(vs) = variants {
                let _ = write!(out, "\n\nvariants: {}", ticked(vs));
            }
        }
        SymbolDetail::Variant { field, reads } => {
            let _ = write!(out, "**variant** `{name}` of `{field}`");
            if !reads.is_empty() {
                let quoted: Vec<String> = reads.iter().map(|s| format!("\"{s}\"")).collect();
                let _ = write!(out, "\n\nreads {}", quoted.join(", "));
            }
        }
        SymbolDetail::Situation { title, timeframe } => {
            heading(&mut out, "situation", name, title.as_deref());
            if let Some((s, e)) = timeframe {
                let _ = write!(out, "\n\ntimeframe {s} .. {e}");
            }
        }
        SymbolDetail::Capability { value_text } => {
            let _ = write!(out, "**capability** `situation.{name}` = `{value_text}`");
        }
        SymbolDetail::Goal { text } => {
            let _ = write!(out, "**goal** `{name}`\n\n```icp\n{text}\n```");
        }
        SymbolDetail::Segment { title, cond_text } => {
            heading(&mut out, "segment", name, title.as_deref());
            let _ = write!(out, "\n\n```icp\n{cond_text}\n```");
        }
        SymbolDetail::Profile {
            title,
            criteria,
            excludes,
            tiers,
            positive_weight,
        } => {
            heading(&mut out, "profile", name, title.as_deref());
            let _ = write!(
                out,
                "\n\n{criteria} criteria · {excludes} exclusions · {tiers} tiers · Σ positive weights {}",
                num_text(*positive_weight)
            );
        }
        SymbolDetail::Let { ty, value_text } => {
            let _ = write!(out, "**let** `{name}`: `{ty}`\n\n```icp\n{value_text}\n```");
        }
        SymbolDetail::Group { title, criteria } => {
            heading(&mut out, "group", name, title.as_deref());
            let _ = write!(out, "\n\n{criteria} criteria · `score.{name}` in tiers");
        }
        SymbolDetail::Criterion {
            title,
            weight,
            positive_weight,
            practical_share,
        } => {
            heading(&mut out, "criterion", name, title.as_deref());
            criterion(&mut out, *weight, *positive_weight, *practical_share);
        }
        SymbolDetail::Exclude { reason, cond_text } => {
            heading(&mut out, "exclude", name, reason.as_deref());
            let _ = write!(out, "\n\n```icp\n{cond_text}\n```");
        }
        SymbolDetail::Tier { action, rule } => {
            heading(&mut out, "tier", name, action.as_deref());
            match rule {
                Some(TierDetail::CatchAll) => {
                    out.push_str("\n\ncatch-all: every remaining account");
                }
                Some(TierDetail::Threshold(v)) => {
                    let _ = write!(out, "\n\nscore ≥ {}", num_text(*v));
                }
                Some(TierDetail::When(cond)) => {
                    let _ = write!(out, "\n\nwhen `{cond}`");
                }
                None => {}
            }
        }
    }
    out
}

/// `**kind** `name` "title"`.
fn heading(out: &mut String, kind: &str, name: &str, title: Option<&str>) {
    let _ = write!(out, "**{kind}** `{name}`");
    if let Some(t) = title {
        let _ = write!(out, " \"{t}\"");
    }
}

/// A criterion's weight, its share of the maximum score and its practical share.
fn criterion(out: &mut String, w: Decimal, positive: Decimal, practical_share: Option<Decimal>) {
    let zero = Decimal::ZERO;
    let share = |w: Decimal| {
        Decimal::ONE_HUNDRED
            .checked_mul(w)
            .and_then(|x| x.checked_div(positive))
            .map_or_else(String::new, |x| num::fixed(x, 1))
    };
    if positive > zero && w > zero {
        let _ = write!(
            out,
            "\n\nweight {} · {}% of the maximum score (Σ positive weights {})",
            num_text(w),
            share(w),
            num_text(positive)
        );
    } else {
        let _ = write!(out, "\n\nweight {}", num_text(w));
        if positive > zero && w < zero {
            let _ = write!(out, " · takes {} points off the score when true", share(-w));
        }
    }
    if let Some(share) = practical_share {
        let pct = share.checked_mul(Decimal::ONE_HUNDRED).unwrap_or_default();
        let _ = write!(out, " · practical fit earns {}%", num::fixed(pct, 0));
    }
}

/// `` `a`, `b` ``.
fn ticked(names: &[String]) -> String {
    names
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
