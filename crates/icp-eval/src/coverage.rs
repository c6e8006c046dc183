//! Test coverage: which criteria (each scorecard branch), exclusions, target segments and
//! tiers the tests saw both true and false.

use icp_model::{CriterionBody, Decimal, Program};

use crate::{CriterionOutcome, Explanation, Tri};

/// One thing a test can exercise, and whether some test saw it true and some false.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CoverageItem {
    /// The profile.
    pub profile: String,
    /// `criterion`, `branch`, `exclusion`, `segment` or `tier`.
    pub kind: &'static str,
    /// Its name (`size.perfect` for a scorecard's branch).
    pub name: String,
    /// Some test saw it true.
    pub seen_true: bool,
    /// Some test saw it false.
    pub seen_false: bool,
}

impl CoverageItem {
    /// Seen both ways.
    pub fn covered(&self) -> bool {
        self.seen_true && self.seen_false
    }
}

/// The coverage of a program's profiles by its tests.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Coverage {
    /// Every item, profile by profile, in source order.
    pub items: Vec<CoverageItem>,
}

impl Coverage {
    /// The items of every profile of `program`, none seen yet.
    pub fn new(program: &Program) -> Coverage {
        let mut items = Vec::new();
        for p in &program.profiles {
            let item = |kind, name: String| CoverageItem {
                profile: p.name.clone(),
                kind,
                name,
                seen_true: false,
                seen_false: false,
            };
            for t in &p.targets {
                if let Some(s) = program.segment(*t) {
                    items.push(item("segment", s.name.clone()));
                }
            }
            for x in &p.excludes {
                items.push(item("exclusion", x.name.clone()));
            }
            for c in &p.criteria {
                match &c.body {
                    CriterionBody::Bool(_) => items.push(item("criterion", c.name.clone())),
                    CriterionBody::Scorecard { practical, .. } => {
                        items.push(item("branch", format!("{}.perfect", c.name)));
                        if practical.is_some() {
                            items.push(item("branch", format!("{}.practical", c.name)));
                        }
                    }
                }
            }
            for t in &p.tiers {
                items.push(item("tier", t.name.clone()));
            }
        }
        Coverage { items }
    }

    /// Record what one test's account exercised.
    pub fn record(&mut self, expl: &Explanation) {
        for it in self.items.iter_mut().filter(|i| i.profile == expl.profile) {
            let seen = match it.kind {
                "segment" => expl
                    .segment
                    .targets
                    .iter()
                    .find(|t| t.name == it.name)
                    .map(|t| t.result),
                "exclusion" => expl
                    .exclusions
                    .iter()
                    .find(|x| x.name == it.name)
                    .map(|x| x.result),
                "criterion" => {
                    expl.criteria
                        .iter()
                        .find(|c| c.name == it.name)
                        .map(|c| match c.outcome {
                            CriterionOutcome::Unknown => Tri::Unknown,
                            CriterionOutcome::False => Tri::False,
                            _ => Tri::True,
                        })
                }
                "branch" => it.name.rsplit_once('.').and_then(|(name, branch)| {
                    expl.criteria.iter().find(|c| c.name == name).map(|c| {
                        match (branch, c.outcome) {
                            // The practical branch decides only when the perfect one is false.
                            (_, CriterionOutcome::Unknown)
                            | ("practical", CriterionOutcome::Perfect) => Tri::Unknown,
                            ("perfect", CriterionOutcome::Perfect)
                            | ("practical", CriterionOutcome::Practical) => Tri::True,
                            _ => Tri::False,
                        }
                    })
                }),
                _ => Some(if expl.tier == it.name {
                    Tri::True
                } else {
                    Tri::False
                }),
            };
            match seen {
                Some(Tri::True) => it.seen_true = true,
                Some(Tri::False) => it.seen_false = true,
                _ => {}
            }
        }
    }

    /// Outcomes seen (true and false count one each) and outcomes possible.
    pub fn counts(&self) -> (usize, usize) {
        let seen = self
            .items
            .iter()
            .map(|i| usize::from(i.seen_true) + usize::from(i.seen_false))
            .sum();
        (seen, self.items.len() * 2)
    }

    /// The percentage of outcomes seen (100 without items).
    pub fn percent(&self) -> Decimal {
        let (seen, all) = self.counts();
        if all == 0 {
            return Decimal::ONE_HUNDRED;
        }
        Decimal::from(seen) * Decimal::ONE_HUNDRED / Decimal::from(all)
    }
}
