//! Random well-typed programs and random messy CSV rows.
//!
//! One schema (a text key plus random fields of every readable type, optional or not), a
//! situation with capabilities, segments, and one profile with lets, groups, boolean and
//! scorecard criteria (decimal and negative weights), exclusions and tiers (thresholds and
//! `when` conditions over `score` and `score.GROUP`). Every member is printed on a line of its
//! own, so that deleting a line is a natural shrinking step.
//!
//! What is generated is steered by [`Feature`]s: a feature left out of the configuration is
//! never generated, which is how the contract's rules that the implementation does not follow
//! yet are kept out of the test that must pass (see [`PENDING`]).

use std::fmt::Write as _;

/// A small deterministic random number generator (SplitMix64): the same seed gives the same
/// programs on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi - lo + 1).max(1) as u64;
        lo + (self.next_u64() % span) as i64
    }

    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u32) -> bool {
        self.next_u64() % 100 < u64::from(pct)
    }

    /// One of the items (the first when `items` is empty is never asked).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.below(items.len());
        #[expect(
            clippy::indexing_slicing,
            reason = "callers pass non-empty slices; `below` stays in range"
        )]
        &items[i]
    }
}

/// What the generator may produce. Each names a rule of the contract (most from Revision 2)
/// that a generated case exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// Decimal weights and literals, arithmetic on decimals, scores landing exactly on a
    /// threshold or a rounding midpoint: Revision 2 "Exact numbers".
    ExactDecimals,
    /// Cells such as `12,5`, `1,20` and `1,000,00` in numeric columns, which must make the row
    /// invalid: Revision 2 "Reading numbers".
    StrictThousands,
    /// `y` / `n` (any case) in `bool` columns: Revision 2 "Reading numbers".
    BoolYesNoLetters,
    /// `2.0` in an `int` column is the int 2: Revision 2 "Reading numbers".
    IntWithZeroFraction,
    /// A JSON array in a set cell: Revision 2.
    JsonArraySets,
    /// Text and set comparisons that differ only in case and surrounding white space:
    /// Revision 2 "Text comparisons".
    TextCaseAndSpace,
    /// Letters whose simple case folding is not their lowercase (`ς`, `µ`, `ſ`, `İ`).
    UnicodeFolding,
    /// A missing bound of `in lo..hi` or a missing item of `in [..]`: Revision 2
    /// "Operators and missing values".
    InWithMissingOperand,
    /// Scorecard criteria whose `perfect` branch can be unknown while `practical` is true.
    ScorecardPerfectUnknown,
    /// Negative weights large enough to push a group score below 0 (group scores clamped).
    GroupClamp,
    /// `let x = segment`.
    LetNamesSegment,
    /// Division (and division by zero, which is missing).
    Division,
    /// `today` and date arithmetic, with a fixed `--as-of`.
    Dates,
    /// `percent * int`.
    PercentTimesInt,
    /// Money with word suffixes and spaces (`$1.82 million`, `36.9 M`, `2 thousand`).
    MoneyWords,
    /// `1e3` in `number` columns (docs/language.md: a number reads `1e3`).
    NumberExponent,
    /// Cells that cannot be read at all (`abc` in a money column), which make the row invalid.
    UnreadableCells,
    /// Optional fields whose column the file lacks (every value missing).
    AbsentOptionalColumns,
    /// Blank lines between rows (skipped).
    BlankLines,
    /// `as fraction` on percent fields: `0.35` is 35 %, `35%` still 35 % (Revision 2).
    AsFraction,
    /// Ordered enums (`enum { none < seed < series_a }`): `< <= > >=` and `in a..b` by
    /// declared position (Revision 2 "Ordered enums").
    OrderedEnums,
    /// `criterion c weight 20 practical_share 60% { .. }` (Revision 2 "Per-criterion
    /// practical share").
    CriterionShare,
    /// `situation.start` / `situation.end` in rules, goals, milestones dated `start + 30d`
    /// (Revision 2 "Situation dates").
    SituationDates,
    /// `duration` fields (`90`, `90d`, `12w`) and their arithmetic with dates.
    Durations,
    /// Action texts on every kind of tier, compared in the `action` column (Revision 2 "Tier
    /// actions in results").
    TierActions,
    /// More expression forms: `not in [..]` on text and enums, `contains any/all` on text,
    /// `??` on booleans, several targets, enum variants with several strings.
    MoreForms,
    /// Two profiles scored in one run (`--profile p --profile q`), `best_profile` compared
    /// (Revision 2 "Several profiles in one run"). Changes the run, so not in
    /// [`Config::passing`].
    MultiProfile,
    /// A decimal-comma file read with `--decimal ,` (`1.200,50`), sometimes `;`-delimited
    /// (Revision 2 "Reading numbers"). Changes the data, so not in [`Config::passing`].
    DecimalComma,
    /// The accounts as a JSON array of objects (strings, numbers, booleans, `null`, arrays).
    /// Changes the data, so not in [`Config::passing`].
    JsonInput,
    /// The accounts as JSON Lines. Changes the data, so not in [`Config::passing`].
    JsonLinesInput,
}

/// Every feature.
pub const ALL: &[Feature] = &[
    Feature::ExactDecimals,
    Feature::StrictThousands,
    Feature::BoolYesNoLetters,
    Feature::IntWithZeroFraction,
    Feature::JsonArraySets,
    Feature::TextCaseAndSpace,
    Feature::UnicodeFolding,
    Feature::InWithMissingOperand,
    Feature::ScorecardPerfectUnknown,
    Feature::GroupClamp,
    Feature::LetNamesSegment,
    Feature::Division,
    Feature::Dates,
    Feature::PercentTimesInt,
    Feature::MoneyWords,
    Feature::NumberExponent,
    Feature::UnreadableCells,
    Feature::AbsentOptionalColumns,
    Feature::BlankLines,
    Feature::AsFraction,
    Feature::OrderedEnums,
    Feature::CriterionShare,
    Feature::SituationDates,
    Feature::Durations,
    Feature::TierActions,
    Feature::MoreForms,
    Feature::MultiProfile,
    Feature::DecimalComma,
    Feature::JsonInput,
    Feature::JsonLinesInput,
];

/// Features that change the shape of a run rather than the program (several profiles, the
/// decimal mark, the input format): [`Config::passing`] leaves them out, so that a case it
/// makes is always one profile `p` over a CSV file with a decimal point;
/// [`Config::everything`] has them.
pub const RUN_SHAPE: &[Feature] = &[
    Feature::MultiProfile,
    Feature::DecimalComma,
    Feature::JsonInput,
    Feature::JsonLinesInput,
];

/// Contract rules the implementation on this branch does not follow yet (Revision 2 work in
/// progress, and the disagreements this oracle found, reported to the coordinator). The test
/// generates everything else; the long-running example can turn them back on (`--all`).
pub const PENDING: &[Feature] = &[];

/// The generator's switches.
#[derive(Debug, Clone)]
pub struct Config {
    /// Features that may be generated.
    pub features: Vec<Feature>,
    /// Data rows per program.
    pub rows: usize,
}

impl Config {
    /// Every feature except [`PENDING`] and [`RUN_SHAPE`]: one profile, a CSV file.
    pub fn passing(rows: usize) -> Config {
        Config {
            features: ALL
                .iter()
                .copied()
                .filter(|f| !PENDING.contains(f) && !RUN_SHAPE.contains(f))
                .collect(),
            rows,
        }
    }

    /// Every feature except [`PENDING`], the run's shape included (several profiles, JSON
    /// input, decimal commas).
    pub fn everything(rows: usize) -> Config {
        Config {
            features: ALL
                .iter()
                .copied()
                .filter(|f| !PENDING.contains(f))
                .collect(),
            rows,
        }
    }

    /// Every feature.
    pub fn all(rows: usize) -> Config {
        Config {
            features: ALL.to_vec(),
            rows,
        }
    }

    fn on(&self, f: Feature) -> bool {
        self.features.contains(&f)
    }
}

/// The `today` every generated case is scored with (`--as-of`).
pub const AS_OF: &str = "2027-01-15";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Int,
    Number,
    Money,
    Percent,
    Text,
    Enum,
    Set,
    Bool,
    Date,
    Duration,
}

#[derive(Debug, Clone)]
struct Variant {
    name: String,
    strings: Vec<String>,
    catch_all: bool,
}

#[derive(Debug, Clone)]
struct GField {
    name: String,
    /// `from "..."`, when the column differs from the name.
    from: Option<String>,
    /// The header as the CSV file writes it (case and spaces varied).
    header: String,
    ty: Ty,
    optional: bool,
    variants: Vec<Variant>,
    /// Words the text or set field holds.
    vocab: Vec<String>,
    /// Whether the file lacks the column.
    absent: bool,
    /// `as fraction` (a percent field).
    fraction: bool,
    /// An ordered enum (`a < b < c`), variants in declared order.
    ordered: bool,
}

/// The format of a case's accounts file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV (`,` or `;` delimited) with a header.
    Csv,
    /// A JSON array of objects.
    Json,
    /// JSON Lines.
    Jsonl,
}

impl Format {
    /// The file extension `icp score` infers the format from.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
        }
    }
}

/// One generated case: the program's source and the accounts file.
#[derive(Debug, Clone)]
pub struct Case {
    /// The program (one schema; profile `p`, and `q` with [`Feature::MultiProfile`]).
    pub program: String,
    /// The accounts file's text: CSV with a header unless `format` says otherwise.
    pub csv: String,
    /// The accounts file's format.
    pub format: Format,
    /// Whether the file's numbers have a decimal comma (`--decimal ,`).
    pub decimal_comma: bool,
    /// The profiles to score, in order (`--profile` each when there are several).
    pub profiles: Vec<String>,
    /// Whether displayed values must be rounded exactly (half away from zero) even at a
    /// midpoint: false while [`Feature::ExactDecimals`] is pending, when a value whose exact
    /// third decimal is a final 5 may show rounded either way (binary floating point stores
    /// `0.575` as `0.57499…`).
    pub exact: bool,
}

const WORDS: &[&str] = &[
    "HubSpot",
    "Salesforce",
    "Marketo",
    "Pipedrive",
    "Zendesk",
    "Intercom",
    "Slack",
    "Notion",
];
const UNICODE_WORDS: &[&str] = &[
    "ΣΑΜΟΣ",
    "Σάμος",
    "Straße",
    "STRAẞE",
    "İstanbul",
    "Diyarbakır",
    "µ-Labs",
    "Café Été",
    "ſtudio",
    "ÄRZTE",
];
/// Ordered enum variants (the field's index is appended) and a string each reads.
const ORDERED_WORDS: &[(&str, &str)] = &[
    ("none", "None"),
    ("seed", "Seed"),
    ("series_a", "Series A"),
    ("series_b", "Series B"),
    ("later", "Later stage"),
    ("public", "IPO"),
];
const ENUM_WORDS: &[&str] = &["saas", "fintech", "agency", "retail", "health", "media"];
const ENUM_STRINGS: &[&str] = &[
    "Software",
    "Financial Services",
    "Ad Agency",
    "Shops",
    "Care",
    "Press & TV",
];

struct Gen<'c> {
    rng: Rng,
    cfg: &'c Config,
    fields: Vec<GField>,
    segments: Vec<String>,
    /// Lets by name with their kind (`None`: boolean; `Some(ty)`: numeric).
    lets: Vec<(String, Option<Ty>)>,
    caps: Vec<(String, Ty)>,
    /// Whether the key reads the column `Record ID`.
    key_from: bool,
    /// The profiles made, in order.
    profiles: Vec<String>,
    /// Whether numbers are written with a decimal comma.
    decimal_comma: bool,
}

fn is_numeric(t: Ty) -> bool {
    matches!(t, Ty::Int | Ty::Number | Ty::Money | Ty::Percent)
}

impl Gen<'_> {
    fn on(&self, f: Feature) -> bool {
        self.cfg.on(f)
    }

    fn fields_of(&self, pred: impl Fn(&GField) -> bool) -> Vec<GField> {
        self.fields.iter().filter(|f| pred(f)).cloned().collect()
    }

    // ---------------------------------------------------------------- literals

    /// A decimal with up to two places, exact, between `lo` and `hi` (whole part).
    fn decimal(&mut self, lo: i64, hi: i64) -> String {
        let whole = self.rng.range(lo, hi);
        if self.on(Feature::ExactDecimals) && self.rng.chance(40) {
            let frac = self.rng.range(1, 99);
            format!("{whole}.{frac:02}")
                .trim_end_matches('0')
                .to_string()
        } else if self.rng.chance(30) {
            format!("{whole}.5")
        } else {
            format!("{whole}.0")
        }
    }

    fn lit(&mut self, ty: Ty) -> String {
        match ty {
            Ty::Int => self.rng.range(0, 300).to_string(),
            Ty::Number => self.decimal(0, 60),
            Ty::Money => match self.rng.below(4) {
                0 => format!("${}k", self.rng.range(1, 900)),
                1 => format!("${}M", self.rng.range(1, 9)),
                2 if self.on(Feature::ExactDecimals) => {
                    format!("${}.{}M", self.rng.range(0, 4), self.rng.range(1, 9))
                }
                _ => format!("${}", self.rng.range(0, 900_000)),
            },
            Ty::Percent => {
                if self.on(Feature::ExactDecimals) && self.rng.chance(30) {
                    format!("{}.{}%", self.rng.range(0, 99), self.rng.range(1, 9))
                } else {
                    format!("{}%", self.rng.range(0, 100))
                }
            }
            Ty::Date => format!(
                "2026-{:02}-{:02}",
                self.rng.range(1, 12),
                self.rng.range(1, 28)
            ),
            Ty::Bool => (*self.rng.pick(&["true", "false"])).to_string(),
            Ty::Duration => {
                if self.rng.chance(30) {
                    format!("{}w", self.rng.range(1, 20))
                } else {
                    format!("{}d", self.rng.range(0, 200))
                }
            }
            Ty::Text | Ty::Enum | Ty::Set => "\"x\"".to_string(),
        }
    }

    /// A text literal for a text or set field: one of its words, maybe in another case or
    /// with surrounding spaces.
    fn word_lit(&mut self, f: &GField) -> String {
        let w = self.rng.pick(&f.vocab).clone();
        let w = if self.rng.chance(15) {
            "Other".to_string()
        } else {
            w
        };
        let w = self.vary_case(&w);
        let w = if self.on(Feature::TextCaseAndSpace) && self.rng.chance(10) {
            format!(" {w} ")
        } else {
            w
        };
        format!("\"{}\"", w.replace('\\', "\\\\").replace('"', "\\\""))
    }

    fn vary_case(&mut self, w: &str) -> String {
        if !self.on(Feature::TextCaseAndSpace) {
            return w.to_string();
        }
        match self.rng.below(5) {
            0 => w.to_uppercase(),
            1 => w.to_lowercase(),
            _ => w.to_string(),
        }
    }

    // ------------------------------------------------------------- expressions

    /// A numeric expression of type `ty` (for comparisons and lets).
    fn num_expr(&mut self, ty: Ty, depth: u32) -> String {
        let fields = self.fields_of(|f| f.ty == ty);
        let lets: Vec<String> = self
            .lets
            .iter()
            .filter(|(_, t)| *t == Some(ty))
            .map(|(n, _)| n.clone())
            .collect();
        let leaf = depth == 0 || self.rng.chance(45);
        if leaf {
            if !lets.is_empty() && self.rng.chance(30) {
                return self.rng.pick(&lets).clone();
            }
            if !fields.is_empty() && self.rng.chance(85) {
                return self.rng.pick(&fields).name.clone();
            }
            return self.lit(ty);
        }
        let exact = self.on(Feature::ExactDecimals);
        match (ty, self.rng.below(6)) {
            (_, 0) => format!("({} ?? {})", self.num_expr(ty, 0), self.lit(ty)),
            (Ty::Int, 1) => format!(
                "{} * {}",
                self.num_expr(Ty::Int, depth - 1),
                self.rng.range(1, 5)
            ),
            (Ty::Int, 2) => format!("-{}", self.num_expr(Ty::Int, 0)),
            (Ty::Int | Ty::Money, _) => {
                let op = *self.rng.pick(&["+", "-"]);
                format!(
                    "{} {op} {}",
                    self.num_expr(ty, depth - 1),
                    self.num_expr(ty, 0)
                )
            }
            (Ty::Number, 1) if self.on(Feature::Division) => {
                format!(
                    "{} / {}",
                    self.num_expr(Ty::Int, 0),
                    self.num_expr(Ty::Int, 0)
                )
            }
            (Ty::Number, _) if exact => {
                let op = *self.rng.pick(&["+", "-", "*"]);
                format!(
                    "({} {op} {})",
                    self.num_expr(Ty::Number, depth - 1),
                    self.num_expr(Ty::Int, 0)
                )
            }
            (Ty::Percent, 1) if self.on(Feature::PercentTimesInt) && exact => {
                format!(
                    "{} * {}",
                    self.num_expr(Ty::Percent, 0),
                    self.rng.range(1, 4)
                )
            }
            (Ty::Percent, _) if exact => {
                let op = *self.rng.pick(&["+", "-"]);
                format!(
                    "({} {op} {})",
                    self.num_expr(Ty::Percent, depth - 1),
                    self.num_expr(Ty::Percent, 0)
                )
            }
            _ => self.num_expr(ty, 0),
        }
    }

    fn cmp_op(&mut self) -> &'static str {
        const OPS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];
        OPS.get(self.rng.below(OPS.len())).copied().unwrap_or("==")
    }

    /// A boolean condition over the schema (and lets, when `in_profile`).
    fn cond(&mut self, depth: u32, in_profile: bool) -> String {
        if depth > 0 && self.rng.chance(35) {
            return match self.rng.below(3) {
                0 => format!(
                    "{} and {}",
                    self.cond(depth - 1, in_profile),
                    self.cond(depth - 1, in_profile)
                ),
                1 => format!(
                    "({} or {})",
                    self.cond(depth - 1, in_profile),
                    self.cond(depth - 1, in_profile)
                ),
                _ => format!("not ({})", self.cond(depth - 1, in_profile)),
            };
        }
        for _ in 0..20 {
            if let Some(c) = self.atom(in_profile) {
                return c;
            }
        }
        "true".to_string()
    }

    fn atom(&mut self, in_profile: bool) -> Option<String> {
        let f = self.rng.pick(&self.fields).clone();
        Some(match self.rng.below(12) {
            // A reference to a segment or a boolean let.
            0 => {
                let bool_lets: Vec<String> = self
                    .lets
                    .iter()
                    .filter(|(_, t)| t.is_none())
                    .map(|(n, _)| n.clone())
                    .collect();
                if in_profile && !bool_lets.is_empty() && self.rng.chance(50) {
                    self.rng.pick(&bool_lets).clone()
                } else if !self.segments.is_empty() {
                    self.rng.pick(&self.segments).clone()
                } else {
                    return None;
                }
            }
            1 if in_profile && !self.caps.is_empty() => {
                let (name, ty) = self.rng.pick(&self.caps).clone();
                match ty {
                    Ty::Bool => format!("situation.{name}"),
                    Ty::Money => format!("{} >= situation.{name}", self.num_expr(Ty::Money, 1)),
                    _ => format!("{} < situation.{name}", self.num_expr(Ty::Percent, 0)),
                }
            }
            2 => {
                let neg = if self.rng.chance(50) {
                    "present"
                } else {
                    "missing"
                };
                let bool_lets: Vec<String> = self.lets.iter().map(|(n, _)| n.clone()).collect();
                if self.on(Feature::MoreForms)
                    && in_profile
                    && !bool_lets.is_empty()
                    && self.rng.chance(25)
                {
                    // `is missing` on a let (a segment's truth, a quotient, ..).
                    format!("{} is {neg}", self.rng.pick(&bool_lets))
                } else {
                    format!("{} is {neg}", f.name)
                }
            }
            3 if is_numeric(f.ty) && self.on(Feature::Division) && self.rng.chance(40) => {
                // Division by zero is missing; `is missing` sees it.
                let other = self.num_expr(Ty::Int, 0);
                // A percent or a fraction of money compared after a division is exact only
                // in decimals (138% / 6 is 23%, but 0.22999… in binary floating point).
                let exact = self.on(Feature::ExactDecimals);
                if f.ty == Ty::Percent && exact {
                    format!(
                        "{} / {other} {} {}",
                        f.name,
                        self.cmp_op(),
                        self.lit(Ty::Percent)
                    )
                } else if f.ty == Ty::Money && exact {
                    format!(
                        "{} / {other} {} {}",
                        f.name,
                        self.cmp_op(),
                        self.lit(Ty::Money)
                    )
                } else {
                    format!("({} / {other}) is missing", f.name)
                }
            }
            _ => match f.ty {
                Ty::Int | Ty::Number | Ty::Money | Ty::Percent => self.num_cond(&f),
                Ty::Text => self.text_cond(&f),
                Ty::Set => self.set_cond(&f),
                Ty::Enum => self.enum_cond(&f),
                Ty::Bool => match self.rng.below(4) {
                    0 => f.name.clone(),
                    1 => format!("{} == {}", f.name, self.lit(Ty::Bool)),
                    2 if self.on(Feature::MoreForms) => {
                        format!("({} ?? {})", f.name, self.lit(Ty::Bool))
                    }
                    _ => format!("not {}", f.name),
                },
                Ty::Date => self.date_cond(&f, in_profile),
                Ty::Duration => self.duration_cond(&f),
            },
        })
    }

    fn num_cond(&mut self, f: &GField) -> String {
        let ty = f.ty;
        let lhs = if self.rng.chance(60) {
            f.name.clone()
        } else {
            self.num_expr(ty, 2)
        };
        match self.rng.below(6) {
            0 => {
                let (a, b) = (self.lit(ty), self.lit(ty));
                let (lo, hi) = order_lits(ty, a, b);
                let (lo, hi) = if self.on(Feature::InWithMissingOperand) && self.rng.chance(25) {
                    // A bound that may be missing.
                    let others = self.fields_of(|g| g.ty == ty && g.optional);
                    if others.is_empty() {
                        (lo, hi)
                    } else if self.rng.chance(50) {
                        (self.rng.pick(&others).name.clone(), hi)
                    } else {
                        (lo, self.rng.pick(&others).name.clone())
                    }
                } else {
                    (lo, hi)
                };
                let not = if self.rng.chance(20) { "not " } else { "" };
                format!("{lhs} {not}in {lo}..{hi}")
            }
            1 if ty == Ty::Int => {
                let mut items: Vec<String> =
                    (0..self.rng.range(1, 4)).map(|_| self.lit(ty)).collect();
                if self.on(Feature::InWithMissingOperand) && self.rng.chance(25) {
                    let others = self.fields_of(|g| g.ty == Ty::Int && g.optional);
                    if !others.is_empty() {
                        items.push(self.rng.pick(&others).name.clone());
                    }
                }
                format!("{lhs} in [{}]", items.join(", "))
            }
            2 => {
                // Two fields compared.
                let rhs = self.num_expr(ty, 1);
                format!("{lhs} {} {rhs}", self.cmp_op())
            }
            _ => {
                let rhs = match ty {
                    // Money compares with a bare number.
                    Ty::Money if self.rng.chance(20) => self.rng.range(0, 2_000_000).to_string(),
                    Ty::Number if self.rng.chance(30) => self.lit(Ty::Int),
                    Ty::Int | Ty::Number if self.on(Feature::MoreForms) && self.rng.chance(15) => {
                        format!("-{}", self.lit(ty))
                    }
                    _ => self.lit(ty),
                };
                format!("{lhs} {} {rhs}", self.cmp_op())
            }
        }
    }

    fn text_cond(&mut self, f: &GField) -> String {
        if self.on(Feature::MoreForms) && self.rng.chance(20) {
            let items: Vec<String> = (0..self.rng.range(1, 3))
                .map(|_| self.word_lit(f))
                .collect();
            return match self.rng.below(3) {
                0 => format!("{} not in [{}]", f.name, items.join(", ")),
                1 => format!("{} contains any [{}]", f.name, items.join(", ")),
                _ => format!("{} contains all [{}]", f.name, items.join(", ")),
            };
        }
        match self.rng.below(5) {
            0 => format!("{} != {}", f.name, self.word_lit(f)),
            1 => {
                let items: Vec<String> = (0..self.rng.range(1, 3))
                    .map(|_| self.word_lit(f))
                    .collect();
                let mut items = items;
                if self.on(Feature::InWithMissingOperand) && self.rng.chance(20) {
                    let others = self.fields_of(|g| g.ty == Ty::Text && g.optional);
                    if !others.is_empty() {
                        items.push(self.rng.pick(&others).name.clone());
                    }
                }
                format!("{} in [{}]", f.name, items.join(", "))
            }
            2 => {
                // A substring of a word.
                let w = self.rng.pick(&f.vocab).clone();
                let chars: Vec<char> = w.chars().collect();
                let a = self.rng.below(chars.len().saturating_sub(1));
                let b = (a + 1 + self.rng.below(3)).min(chars.len());
                let sub: String = chars.get(a..b).unwrap_or(&[]).iter().collect();
                let sub = self.vary_case(&sub);
                if sub.trim().is_empty() {
                    format!("{} contains {}", f.name, self.word_lit(f))
                } else {
                    format!("{} contains \"{}\"", f.name, sub.replace('"', "\\\""))
                }
            }
            3 => format!(
                "({} ?? {}) == {}",
                f.name,
                self.word_lit(f),
                self.word_lit(f)
            ),
            _ => format!("{} == {}", f.name, self.word_lit(f)),
        }
    }

    fn set_cond(&mut self, f: &GField) -> String {
        match self.rng.below(3) {
            0 => format!("{} contains {}", f.name, self.word_lit(f)),
            m => {
                let items: Vec<String> = (0..self.rng.range(1, 3))
                    .map(|_| self.word_lit(f))
                    .collect();
                let mode = if m == 1 { "any" } else { "all" };
                format!("{} contains {mode} [{}]", f.name, items.join(", "))
            }
        }
    }

    fn enum_cond(&mut self, f: &GField) -> String {
        let names: Vec<String> = f.variants.iter().map(|v| v.name.clone()).collect();
        if f.ordered && self.rng.chance(70) {
            // By declared position (Revision 2 "Ordered enums").
            let i = self.rng.below(names.len());
            let j = self.rng.below(names.len());
            let (lo, hi) = (i.min(j), i.max(j));
            let name = |k: usize| names.get(k).cloned().unwrap_or_default();
            return match self.rng.below(3) {
                0 => {
                    let not = if self.rng.chance(20) { "not " } else { "" };
                    format!("{} {not}in {}..{}", f.name, name(lo), name(hi))
                }
                _ => format!("{} {} {}", f.name, self.cmp_op(), name(i)),
            };
        }
        if self.on(Feature::MoreForms) && self.rng.chance(20) {
            let a = self.rng.pick(&names).clone();
            let b = self.rng.pick(&names).clone();
            return format!("{} not in [{a}, {b}]", f.name);
        }
        match self.rng.below(3) {
            0 => format!("{} != {}", f.name, self.rng.pick(&names)),
            1 => {
                let a = self.rng.pick(&names).clone();
                let b = self.rng.pick(&names).clone();
                format!("{} in [{a}, {b}]", f.name)
            }
            _ => format!("{} == {}", f.name, self.rng.pick(&names)),
        }
    }

    fn duration_cond(&mut self, f: &GField) -> String {
        let dates = self.fields_of(|g| g.ty == Ty::Date);
        match self.rng.below(5) {
            0 => {
                let (a, b) = (self.rng.range(0, 60), self.rng.range(60, 200));
                format!("{} in {a}d..{b}d", f.name)
            }
            1 if !dates.is_empty() && self.on(Feature::Dates) => {
                let d = self.rng.pick(&dates).name.clone();
                format!("{d} + {} {} today", f.name, self.cmp_op())
            }
            2 => format!(
                "{} + {} {} {}",
                f.name,
                self.lit(Ty::Duration),
                self.cmp_op(),
                self.lit(Ty::Duration)
            ),
            3 => format!(
                "({} ?? {}) {} {}",
                f.name,
                self.lit(Ty::Duration),
                self.cmp_op(),
                self.lit(Ty::Duration)
            ),
            _ => format!("{} {} {}", f.name, self.cmp_op(), self.lit(Ty::Duration)),
        }
    }

    fn date_cond(&mut self, f: &GField, in_profile: bool) -> String {
        if !self.on(Feature::Dates) {
            return format!("{} is present", f.name);
        }
        if in_profile && self.on(Feature::SituationDates) && self.rng.chance(30) {
            return match self.rng.below(3) {
                0 => format!("{} <= situation.end", f.name),
                1 => format!("{} in situation.start..situation.end", f.name),
                _ => format!(
                    "{} {} situation.start - {}d",
                    f.name,
                    self.cmp_op(),
                    self.rng.range(0, 400)
                ),
            };
        }
        match self.rng.below(4) {
            0 if self.on(Feature::MoreForms) && self.rng.chance(40) => {
                // A date minus a date is a duration.
                let dates = self.fields_of(|g| g.ty == Ty::Date);
                let other = self.rng.pick(&dates).name.clone();
                format!(
                    "{} - {other} {} {}",
                    f.name,
                    self.cmp_op(),
                    self.lit(Ty::Duration)
                )
            }
            0 => format!("{} >= today - {}d", f.name, self.rng.range(1, 400)),
            1 => format!(
                "{} + {}w {} today",
                f.name,
                self.rng.range(1, 30),
                self.cmp_op()
            ),
            2 => {
                let (a, b) = (self.lit(Ty::Date), self.lit(Ty::Date));
                let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                format!("{} in {lo}..{hi}", f.name)
            }
            _ => format!("{} {} {}", f.name, self.cmp_op(), self.lit(Ty::Date)),
        }
    }

    // ------------------------------------------------------------------ items

    fn schema(&mut self) {
        self.key_from = self.rng.chance(50);
        let n = self.rng.range(3, 9);
        let mut fields = Vec::new();
        let mut types = vec![
            Ty::Int,
            Ty::Number,
            Ty::Money,
            Ty::Percent,
            Ty::Text,
            Ty::Enum,
            Ty::Set,
            Ty::Bool,
            Ty::Date,
        ];
        if self.on(Feature::Durations) {
            types.push(Ty::Duration);
        }
        for i in 0..n {
            let ty = *self.rng.pick(&types);
            let prefix = match ty {
                Ty::Int => "cnt",
                Ty::Number => "num",
                Ty::Money => "amt",
                Ty::Percent => "pct",
                Ty::Text => "txt",
                Ty::Enum => "kind",
                Ty::Set => "tags",
                Ty::Bool => "flag",
                Ty::Date => "day",
                Ty::Duration => "dur",
            };
            let name = format!("{prefix}{i}");
            let from = if self.rng.chance(30) {
                Some(format!("Col {i} {prefix}"))
            } else {
                None
            };
            let column = from.clone().unwrap_or_else(|| name.clone());
            let header = match self.rng.below(5) {
                0 => column.to_uppercase(),
                1 => format!(" {column} "),
                _ => column.clone(),
            };
            let mut vocab: Vec<String> = Vec::new();
            for _ in 0..self.rng.range(2, 4) {
                let w = if self.on(Feature::UnicodeFolding) && self.rng.chance(30) {
                    self.rng.pick(UNICODE_WORDS)
                } else {
                    self.rng.pick(WORDS)
                };
                if !vocab.iter().any(|v| v == w) {
                    vocab.push((*w).to_string());
                }
            }
            let mut variants = Vec::new();
            let ordered = ty == Ty::Enum && self.on(Feature::OrderedEnums) && self.rng.chance(45);
            if ordered {
                // Names of their own (`seed3`), so that a variant names one enum only, in an
                // order that is not the list's.
                let mut words: Vec<(&str, &str)> = ORDERED_WORDS.to_vec();
                let k = self.rng.range(2, 5) as usize;
                let mut chosen = Vec::new();
                for _ in 0..k {
                    let j = self.rng.below(words.len());
                    if j < words.len() {
                        chosen.push(words.remove(j));
                    }
                }
                for (w, label) in chosen {
                    let strings = if self.rng.chance(40) {
                        vec![label.to_string()]
                    } else {
                        Vec::new()
                    };
                    variants.push(Variant {
                        name: format!("{w}{i}"),
                        strings,
                        catch_all: false,
                    });
                }
                // No catch-all: it would have no place in the order (`icp::ordered_catch_all`).
            } else if ty == Ty::Enum {
                let k = self.rng.range(2, 5) as usize;
                for (j, w) in ENUM_WORDS.iter().take(k).enumerate() {
                    let strings = if self.on(Feature::MoreForms) && self.rng.chance(15) {
                        vec![
                            (*ENUM_STRINGS.get(j).unwrap_or(&"X")).to_string(),
                            format!("{w} co"),
                        ]
                    } else if self.rng.chance(50) {
                        vec![(*ENUM_STRINGS.get(j).unwrap_or(&"X")).to_string()]
                    } else {
                        Vec::new()
                    };
                    variants.push(Variant {
                        name: (*w).to_string(),
                        strings,
                        catch_all: false,
                    });
                }
                if self.rng.chance(40) {
                    variants.push(Variant {
                        name: "other".into(),
                        strings: Vec::new(),
                        catch_all: true,
                    });
                }
            }
            let optional = self.rng.chance(55);
            let absent = optional && self.on(Feature::AbsentOptionalColumns) && self.rng.chance(5);
            let fraction = ty == Ty::Percent && self.on(Feature::AsFraction) && self.rng.chance(40);
            fields.push(GField {
                name,
                from,
                header,
                ty,
                optional,
                variants,
                vocab,
                absent,
                fraction,
                ordered,
            });
        }
        self.fields = fields;
    }

    fn schema_text(&self) -> String {
        let mut s = String::from("schema Account {\n");
        let key_from = if self.key_from {
            " from \"Record ID\""
        } else {
            ""
        };
        let _ = writeln!(s, "  id: text{key_from} key");
        for f in &self.fields {
            let ty = match f.ty {
                Ty::Int => "int".to_string(),
                Ty::Number => "number".into(),
                Ty::Money => "money".into(),
                Ty::Percent => "percent".into(),
                Ty::Text => "text".into(),
                Ty::Set => "set<text>".into(),
                Ty::Bool => "bool".into(),
                Ty::Date => "date".into(),
                Ty::Duration => "duration".into(),
                Ty::Enum => {
                    let vs: Vec<String> = f
                        .variants
                        .iter()
                        .map(|v| {
                            if v.catch_all {
                                format!("{} = _", v.name)
                            } else if v.strings.is_empty() {
                                v.name.clone()
                            } else {
                                let ss: Vec<String> =
                                    v.strings.iter().map(|s| format!("\"{s}\"")).collect();
                                format!("{} = {}", v.name, ss.join(" | "))
                            }
                        })
                        .collect();
                    let sep = if f.ordered { " < " } else { ", " };
                    format!("enum {{ {} }}", vs.join(sep))
                }
            };
            let q = if f.optional { "?" } else { "" };
            let from = f
                .from
                .as_ref()
                .map(|c| format!(" from \"{c}\""))
                .unwrap_or_default();
            let fraction = if f.fraction { " as fraction" } else { "" };
            let _ = writeln!(s, "  {}: {ty}{q}{from}{fraction}", f.name);
        }
        s.push_str("}\n");
        s
    }

    fn weight(&mut self) -> String {
        let exact = self.on(Feature::ExactDecimals);
        if self.rng.chance(20) {
            let w = if exact {
                *self
                    .rng
                    .pick(&["-10", "-5", "-2.5", "-0.3", "-12.5", "-1.1"])
            } else {
                *self.rng.pick(&["-10", "-5", "-20", "-3"])
            };
            return w.to_string();
        }
        if exact {
            (*self.rng.pick(&[
                "10", "5", "20", "15", "2.5", "0.3", "1.1", "12.5", "3", "7", "1", "33.3", "0.25",
            ]))
            .to_string()
        } else {
            (*self
                .rng
                .pick(&["10", "5", "20", "15", "25", "30", "3", "7", "1", "40", "8"]))
            .to_string()
        }
    }

    /// A title (with a leading space), or nothing.
    fn title(&mut self, what: &str) -> String {
        if self.on(Feature::MoreForms) && self.rng.chance(30) {
            format!(
                " \"{what} \\\"{}\\\" // not a comment\"",
                self.rng.range(0, 99)
            )
        } else {
            String::new()
        }
    }

    /// ` for Account`, or nothing (the only schema in scope) with [`Feature::MoreForms`].
    fn for_clause(&mut self) -> String {
        if self.on(Feature::MoreForms) && self.rng.chance(40) {
            String::new()
        } else {
            " for Account".to_string()
        }
    }

    /// A tier's action text (with a leading space), or nothing.
    fn action(&mut self) -> String {
        let chance = if self.on(Feature::TierActions) { 35 } else { 0 };
        if self.rng.chance(chance) {
            let a = *self.rng.pick(&[
                "Call them",
                "Route to an AE, today",
                "Nurture \\\"slowly\\\"",
                "Ignore",
                "Send the Ωmega deck",
            ]);
            format!(" \"{a}\"")
        } else {
            String::new()
        }
    }

    fn criterion(&mut self, name: &str, force_positive: bool) -> String {
        let mut w = self.weight();
        if force_positive {
            w = w.trim_start_matches('-').to_string();
        }
        if self.rng.chance(35) {
            let perfect = self.cond(1, true);
            let practical = if self.rng.chance(80) {
                if self.on(Feature::ScorecardPerfectUnknown) && self.rng.chance(30) {
                    // A practical branch that holds where the perfect one may be unknown.
                    format!(" practical when {}", self.cond(0, true))
                } else {
                    format!(" practical when {}", self.cond(1, true))
                }
            } else {
                String::new()
            };
            let share =
                if !practical.is_empty() && self.on(Feature::CriterionShare) && self.rng.chance(40)
                {
                    let s = if self.on(Feature::ExactDecimals) {
                        *self
                            .rng
                            .pick(&["0%", "30%", "60%", "75%", "100%", "33.3%", "12.5%"])
                    } else {
                        *self.rng.pick(&["0%", "25%", "75%", "100%"])
                    };
                    format!(" practical_share {s}")
                } else {
                    String::new()
                };
            format!("criterion {name} weight {w}{share} {{ perfect when {perfect}{practical} }}")
        } else {
            let title = self.title("Criterion");
            format!(
                "criterion {name}{title} weight {w} {{ {} }}",
                self.cond(2, true)
            )
        }
    }

    fn program(&mut self) -> String {
        self.schema();
        let mut out = self.schema_text();
        out.push('\n');
        // The situation and its capabilities.
        self.caps = vec![
            ("full_ui".into(), Ty::Bool),
            ("min_deal".into(), Ty::Money),
            ("churn_cap".into(), Ty::Percent),
        ];
        let _ = write!(
            out,
            "situation q1 for Account {{\n  timeframe 2027-01-01 .. 2027-03-31\n  capability full_ui = {}\n  capability min_deal = {}\n  capability churn_cap = {}\n",
            self.lit(Ty::Bool),
            self.lit(Ty::Money),
            self.lit(Ty::Percent)
        );
        if self.on(Feature::SituationDates) {
            // Goals, and milestones dated by expressions over `start` and `end`.
            let _ = writeln!(out, "  goal wins count >= 25");
            let money = self.fields_of(|f| f.ty == Ty::Money);
            if !money.is_empty() && self.rng.chance(60) {
                let m = self.rng.pick(&money).name.clone();
                let w = self.cond(1, false);
                let _ = writeln!(out, "  goal pipeline sum({m}) >= $100k where {w}");
                let _ = writeln!(out, "  milestone 2027-02-01 pipeline >= $34k");
            }
            let at = match self.rng.below(4) {
                0 => format!("start + {}d", self.rng.range(1, 80)),
                1 => format!("end - {}w", self.rng.range(1, 8)),
                2 => format!(
                    "start + {}w + {}d",
                    self.rng.range(1, 4),
                    self.rng.range(0, 6)
                ),
                _ => "2027-01-31".to_string(),
            };
            let _ = writeln!(out, "  milestone {at} wins >= {}", self.rng.range(1, 20));
        }
        out.push_str("}\n\n");
        // Segments: each may use the earlier ones.
        let nseg = self.rng.range(0, 3);
        for i in 0..nseg {
            let cond = self.cond(2, false);
            let name = format!("seg{i}");
            let title = self.title("Segment");
            let for_ = self.for_clause();
            let _ = writeln!(out, "segment {name}{title}{for_} {{ {cond} }}");
            if self.on(Feature::MoreForms) && self.rng.chance(20) {
                let _ = writeln!(out, "// a comment, with {{ braces }} and \"quotes\"");
            }
            self.segments.push(name);
        }
        out.push('\n');
        self.profiles.push("p".into());
        out.push_str(&self.profile("p", ['c', 'g', 'v', 'x']));
        if self.on(Feature::MultiProfile) && self.rng.chance(50) {
            out.push('\n');
            self.lets.clear();
            self.profiles.push("q".into());
            out.push_str(&self.profile("q", ['d', 'h', 'w', 'y']));
            if self.rng.chance(40) {
                // `--profile q --profile p`: ties go to the first given, not the first declared.
                self.profiles.reverse();
            }
        }
        out
    }

    /// A profile; `names` are the prefixes of its criteria, groups, lets and exclusions.
    fn profile(&mut self, pname: &str, names: [char; 4]) -> String {
        let [cn, gn, vn, xn] = names;
        let mut out = String::new();
        let mut body = Vec::new();
        if !self.segments.is_empty() && self.rng.chance(40) {
            let t = self.rng.pick(&self.segments).clone();
            if self.on(Feature::MoreForms) && self.segments.len() > 1 && self.rng.chance(40) {
                let u = self.rng.pick(&self.segments).clone();
                if u == t {
                    body.push(format!("  target {t}"));
                } else if self.rng.chance(50) {
                    body.push(format!("  target {t}, {u}"));
                } else {
                    body.push(format!("  target {t}"));
                    body.push(format!("  target {u}"));
                }
            } else {
                body.push(format!("  target {t}"));
            }
        }
        if self.rng.chance(40) {
            let share = if self.on(Feature::ExactDecimals) {
                *self.rng.pick(&["40%", "60%", "33.3%", "25%", "0%", "100%"])
            } else {
                *self.rng.pick(&["25%", "50%", "75%", "0%", "100%"])
            };
            body.push(format!("  practical_share {share}"));
        }
        // Lets: numeric ones and boolean ones (a let may name a segment).
        for i in 0..self.rng.range(0, 3) {
            let name = format!("{vn}{i}");
            if self.on(Feature::LetNamesSegment) && !self.segments.is_empty() && self.rng.chance(30)
            {
                let s = self.rng.pick(&self.segments).clone();
                body.push(format!("  let {name} = {s}"));
                self.lets.push((name, None));
            } else if self.rng.chance(40) {
                let c = self.cond(1, true);
                body.push(format!("  let {name} = {c}"));
                self.lets.push((name, None));
            } else {
                let tys: Vec<Ty> = self
                    .fields
                    .iter()
                    .filter(|f| is_numeric(f.ty))
                    .map(|f| f.ty)
                    .collect();
                let ty = if tys.is_empty() {
                    Ty::Int
                } else {
                    *self.rng.pick(&tys)
                };
                let e = self.num_expr(ty, 2);
                body.push(format!("  let {name} = {e}"));
                self.lets.push((name, Some(ty)));
            }
        }
        // Criteria, some in groups.
        let mut crit = 0;
        let mut groups = Vec::new();
        let mut any_positive = false;
        for g in 0..self.rng.range(0, 3) {
            let gname = format!("{gn}{g}");
            let title = self.title("Group");
            body.push(format!("  group {gname}{title} {{"));
            let n = self.rng.range(1, 3);
            let clamp = self.on(Feature::GroupClamp) && self.rng.chance(30);
            for k in 0..n {
                let name = format!("{cn}{crit}");
                crit += 1;
                let mut c = self.criterion(&name, k == 0);
                if clamp && k == n - 1 && n > 1 {
                    // A heavy penalty: the group's points can go below zero.
                    c = c
                        .replacen(" weight ", " weight -", 1)
                        .replace(" weight --", " weight -");
                    c = c.replacen(" weight -", " weight -4", 1);
                }
                any_positive |= !c.contains(" weight -");
                body.push(format!("    {c}"));
            }
            body.push("  }".to_string());
            groups.push(gname);
        }
        for _ in 0..self.rng.range(1, 4) {
            let name = format!("{cn}{crit}");
            crit += 1;
            let c = self.criterion(&name, !any_positive);
            any_positive |= !c.contains(" weight -");
            body.push(format!("  {c}"));
        }
        for i in 0..self.rng.range(0, 2) {
            let c = self.cond(1, true);
            body.push(format!("  exclude {xn}{i} {{ {c} }}"));
        }
        // Tiers: `when` tiers first, then strictly decreasing thresholds, then the catch-all.
        let mut t = 0;
        for _ in 0..self.rng.range(0, 2) {
            let mut parts = Vec::new();
            if !groups.is_empty() && self.rng.chance(70) {
                let g = self.rng.pick(&groups).clone();
                parts.push(format!("score.{g} >= {}", self.rng.range(0, 100)));
            }
            if parts.is_empty() || self.rng.chance(40) {
                parts.push(format!(
                    "score {} {}",
                    self.cmp_op(),
                    self.rng.range(0, 100)
                ));
            }
            let join = if self.rng.chance(70) { " and " } else { " or " };
            let action = self.action();
            body.push(format!("  tier t{t}{action} when {}", parts.join(join)));
            t += 1;
        }
        let mut thresholds: Vec<String> = Vec::new();
        let mut last = 101_i64;
        for _ in 0..self.rng.range(0, 3) {
            if last <= 1 {
                break;
            }
            let v = self.rng.range(1, last - 1);
            last = v;
            let text = if self.on(Feature::ExactDecimals) && self.rng.chance(30) {
                format!("{}.{}", v - 1, self.rng.range(1, 99))
                    .trim_end_matches('0')
                    .to_string()
            } else if self.on(Feature::ExactDecimals) && self.rng.chance(15) {
                format!("{v}%")
            } else {
                v.to_string()
            };
            thresholds.push(text);
        }
        for th in thresholds {
            let action = self.action();
            body.push(format!("  tier t{t}{action} >= {th}"));
            t += 1;
        }
        let action = self.action();
        body.push(format!("  tier t{t}{action}"));
        let title = self.title("Profile");
        let for_ = self.for_clause();
        let _ = writeln!(out, "profile {pname}{title}{for_} in q1 {{");
        for line in body {
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str("}\n");
        out
    }

    // ------------------------------------------------------------------- data

    fn missing_marker(&mut self) -> String {
        let m = *self
            .rng
            .pick(&["", "NA", "N/A", "null", "-", " na ", "NULL", "n/a", " "]);
        m.to_string()
    }

    fn number_text(&mut self, whole: i64, frac: Option<i64>) -> String {
        let digits = whole.abs().to_string();
        let grouped = if whole.abs() >= 1000 && self.rng.chance(50) {
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        } else {
            digits
        };
        let sign = if whole < 0 { "-" } else { "" };
        match frac {
            Some(f) => format!("{sign}{grouped}.{f}"),
            None => format!("{sign}{grouped}"),
        }
    }

    fn cell(&mut self, f: &GField) -> String {
        let missing_pct = if f.optional { 12 } else { 2 };
        if self.rng.chance(missing_pct) {
            return self.missing_marker();
        }
        if self.on(Feature::UnreadableCells)
            && f.ty != Ty::Text
            && f.ty != Ty::Set
            && self.rng.chance(2)
        {
            return (*self.rng.pick(&["abc", "about 50", "twelve", "??", "1.2.3"])).to_string();
        }
        if self.on(Feature::StrictThousands) && is_numeric(f.ty) && self.rng.chance(3) {
            return (*self
                .rng
                .pick(&["12,5", "1,20", "1,000,00", "1234,567", "0,500", "0,5"]))
            .to_string();
        }
        let exact = self.on(Feature::ExactDecimals);
        let pad = |rng: &mut Rng, s: String| if rng.chance(10) { format!(" {s} ") } else { s };
        let s = match f.ty {
            Ty::Duration => {
                let n = self.rng.range(0, 300);
                match self.rng.below(5) {
                    0 => n.to_string(),
                    1 | 2 => format!("{n}d"),
                    3 => format!("{}w", n / 7),
                    _ if self.on(Feature::UnreadableCells) => "3 months".to_string(),
                    _ => format!(" {n} "),
                }
            }
            Ty::Int => {
                let v = self.rng.range(-5, 2000);
                if self.on(Feature::IntWithZeroFraction) && self.rng.chance(5) {
                    format!("{v}.0")
                } else if self.rng.chance(3) {
                    (*self.rng.pick(&["2.5", "$0", "1e3", "1.2M"])).to_string()
                } else {
                    self.number_text(v, None)
                }
            }
            Ty::Number => {
                let v = self.rng.range(-10, 3000);
                if self.on(Feature::NumberExponent) && self.rng.chance(5) {
                    format!("{}e{}", self.rng.range(1, 9), self.rng.range(0, 3))
                } else if self.rng.chance(50) {
                    let frac = if exact {
                        self.rng.range(0, 999)
                    } else {
                        *self.rng.pick(&[0, 5, 25, 75])
                    };
                    self.number_text(v, Some(frac))
                } else {
                    self.number_text(v, None)
                }
            }
            Ty::Money => match self.rng.below(8) {
                0 => {
                    let v = self.rng.range(0, 3_000_000);
                    format!("${}", self.number_text(v, None))
                }
                1 => format!("${}k", self.rng.range(1, 900)),
                2 => {
                    let (v, f) = (self.rng.range(0, 40), self.rng.range(1, 9));
                    format!("{} M", self.number_text(v, Some(f)))
                }
                3 if self.on(Feature::MoneyWords) => {
                    let word = *self
                        .rng
                        .pick(&["million", "thousand", "billion", "Million", "K", "m", "B"]);
                    let sp = if self.rng.chance(50) { " " } else { "" };
                    let dollar = if self.rng.chance(50) { "$" } else { "" };
                    format!(
                        "{dollar}{}.{}{sp}{word}",
                        self.rng.range(0, 9),
                        self.rng.range(1, 99)
                    )
                }
                4 => format!("-${}k", self.rng.range(1, 50)),
                5 if self.on(Feature::UnreadableCells) => {
                    (*self.rng.pick(&["12%", "5 dollars"])).to_string()
                }
                _ => {
                    let v = self.rng.range(0, 3_000_000);
                    self.number_text(v, None)
                }
            },
            Ty::Percent if f.fraction && self.rng.chance(70) => {
                // a fraction: 0.35 is 35 %; 1 is 100 %; 1.2 is 120 %
                let v = self.rng.range(0, 2);
                let frac = self.rng.range(0, 999);
                match self.rng.range(0, 3) {
                    0 => format!("{v}"),
                    1 => format!("{v}.{}", frac % 10),
                    2 => format!("{v}.{:02}", frac % 100),
                    _ => format!("{v}.{frac:03}"),
                }
            }
            Ty::Percent => {
                let v = self.rng.range(0, 150);
                let frac = if exact && self.rng.chance(30) {
                    Some(self.rng.range(1, 9))
                } else {
                    None
                };
                let n = self.number_text(v, frac);
                if self.rng.chance(60) {
                    format!("{n}%")
                } else {
                    n
                }
            }
            Ty::Text => {
                let w = self.rng.pick(&f.vocab).clone();
                let w = self.vary_case(&w);
                if self.on(Feature::TextCaseAndSpace) && self.rng.chance(10) {
                    format!("\u{a0}{w}\t")
                } else {
                    w
                }
            }
            Ty::Enum => {
                if self.rng.chance(8) {
                    "Unheard of".to_string()
                } else {
                    let v = self.rng.pick(&f.variants).clone();
                    let s = if v.catch_all {
                        "whatever".to_string()
                    } else if !v.strings.is_empty() && self.rng.chance(50) {
                        self.rng.pick(&v.strings).clone()
                    } else {
                        v.name.clone()
                    };
                    self.vary_case(&s)
                }
            }
            Ty::Set => {
                let n = self.rng.range(0, 3);
                let items: Vec<String> = (0..n)
                    .map(|_| {
                        let w = self.rng.pick(&f.vocab).clone();
                        self.vary_case(&w)
                    })
                    .collect();
                if self.on(Feature::JsonArraySets) && self.rng.chance(20) {
                    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
                    format!("[{}]", quoted.join(", "))
                } else {
                    let sep = *self.rng.pick(&[";", "|", ",", " ; "]);
                    items.join(sep)
                }
            }
            Ty::Bool => {
                let mut forms = vec![
                    "true", "false", "TRUE", "False", "yes", "no", "Yes", "NO", "1", "0",
                ];
                if self.on(Feature::BoolYesNoLetters) {
                    forms.extend(["y", "n", "Y", "N"]);
                }
                if self.rng.chance(3) {
                    "on".to_string()
                } else {
                    (*self.rng.pick(&forms)).to_string()
                }
            }
            Ty::Date => {
                let d = format!(
                    "20{:02}-{:02}-{:02}",
                    self.rng.range(25, 27),
                    self.rng.range(1, 12),
                    self.rng.range(1, 28)
                );
                match self.rng.below(10) {
                    0 => format!("{d}T10:00:00Z"),
                    1 => format!("{d} 09:30"),
                    2 => (*self.rng.pick(&["01/31/2027", "2027-02-30", "2026-13-01"])).to_string(),
                    _ => d,
                }
            }
        };
        pad(&mut self.rng, s)
    }

    /// The header and the rows, cells as text (decimal commas already written).
    fn table(&mut self) -> (Vec<String>, Vec<Vec<String>>) {
        let key_header = if self.key_from { "Record ID" } else { "id" };
        let mut header = vec![key_header.to_string()];
        let fields = self.fields.clone();
        for f in fields.iter().filter(|f| !f.absent) {
            header.push(f.header.clone());
        }
        if self.rng.chance(30) {
            header.push("Notes".into());
        }
        let mut rows = Vec::new();
        for r in 0..self.cfg.rows {
            let mut rec = vec![format!("r{r}")];
            for f in fields.iter().filter(|f| !f.absent) {
                let c = self.cell(f);
                rec.push(if self.decimal_comma && is_numeric(f.ty) {
                    crate::read::swap_marks(&c)
                } else {
                    c
                });
            }
            if header.len() > rec.len() {
                rec.push("a note, with a comma".into());
            }
            rows.push(rec);
        }
        (header, rows)
    }

    fn csv(&mut self) -> String {
        let (header, rows) = self.table();
        let delimiter = if self.decimal_comma && self.rng.chance(50) {
            b';'
        } else {
            b','
        };
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(Vec::new());
        let _ = w.write_record(&header);
        let mut lines = Vec::new();
        for rec in rows {
            let mut one = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .has_headers(false)
                .from_writer(Vec::new());
            let _ = one.write_record(&rec);
            let bytes = one.into_inner().unwrap_or_default();
            lines.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        let head = String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned();
        let mut out = head;
        for l in lines {
            if self.on(Feature::BlankLines) && self.rng.chance(3) {
                out.push('\n');
            }
            out.push_str(&l);
        }
        out
    }

    /// One cell as a JSON value: missing markers sometimes `null`, plain numbers of numeric
    /// fields sometimes JSON numbers, booleans sometimes JSON booleans, set cells sometimes
    /// JSON arrays; otherwise the cell's text as a string.
    fn json_cell(&mut self, f: Option<&GField>, cell: &str) -> serde_json::Value {
        use serde_json::Value as J;
        let t = cell.trim();
        let Some(f) = f else {
            return J::String(cell.to_string());
        };
        if crate::read::is_missing_marker(t) && !(f.ty == Ty::Set && t.is_empty()) {
            return if self.rng.chance(50) {
                J::Null
            } else {
                J::String(cell.to_string())
            };
        }
        // A JSON number is one whatever the decimal mark; these hold no comma.
        if is_numeric(f.ty)
            && self.rng.chance(50)
            && is_json_number(t)
            && let Ok(n) = serde_json::from_str::<serde_json::Number>(t)
        {
            return J::Number(n);
        }
        if f.ty == Ty::Bool && self.rng.chance(50) {
            match t.to_ascii_lowercase().as_str() {
                "true" => return J::Bool(true),
                "false" => return J::Bool(false),
                _ => {}
            }
        }
        if f.ty == Ty::Set && !t.starts_with('[') && self.rng.chance(40) {
            let items: Vec<J> = t
                .split([';', '|', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| J::String(s.to_string()))
                .collect();
            return J::Array(items);
        }
        if self.on(Feature::UnreadableCells) && f.ty != Ty::Set && self.rng.chance(1) {
            // An array in a field that is not a set cannot be read.
            return J::Array(vec![J::String(cell.to_string())]);
        }
        J::String(cell.to_string())
    }

    fn json(&mut self, lines: bool) -> String {
        let (header, rows) = self.table();
        let present: Vec<GField> = self.fields.iter().filter(|f| !f.absent).cloned().collect();
        let mut objects = Vec::new();
        for rec in rows {
            let mut map = serde_json::Map::new();
            for (i, (h, cell)) in header.iter().zip(&rec).enumerate() {
                // Column 0 is the key (text), the last may be `Notes` (no field).
                let f = i.checked_sub(1).and_then(|k| present.get(k));
                let v = if i == 0 {
                    serde_json::Value::String(cell.clone())
                } else {
                    self.json_cell(f, cell)
                };
                map.insert(h.clone(), v);
            }
            objects.push(serde_json::Value::Object(map));
        }
        if lines {
            let mut out = String::new();
            for o in objects {
                if self.on(Feature::BlankLines) && self.rng.chance(3) {
                    out.push('\n');
                }
                out.push_str(&o.to_string());
                out.push('\n');
            }
            out
        } else {
            let mut out = String::from("[\n");
            let n = objects.len();
            for (i, o) in objects.into_iter().enumerate() {
                out.push_str(&o.to_string());
                out.push_str(if i + 1 < n { ",\n" } else { "\n" });
            }
            out.push_str("]\n");
            out
        }
    }
}

/// Whether a text is a JSON number the way the generator writes them: `-?digits(.digits)?`.
fn is_json_number(t: &str) -> bool {
    let body = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    digits(int)
        && (int == "0" || !int.starts_with('0'))
        && frac.is_none_or(|f| digits(f) && f.len() <= 6)
}

/// Generates one case from a seed.
pub fn case(seed: u64, cfg: &Config) -> Case {
    let mut g = Gen {
        rng: Rng::new(seed),
        cfg,
        fields: Vec::new(),
        segments: Vec::new(),
        lets: Vec::new(),
        caps: Vec::new(),
        key_from: false,
        profiles: Vec::new(),
        decimal_comma: false,
    };
    let program = g.program();
    let mut formats = vec![Format::Csv];
    if cfg.on(Feature::JsonInput) {
        formats.push(Format::Json);
    }
    if cfg.on(Feature::JsonLinesInput) {
        formats.push(Format::Jsonl);
    }
    let format = *g.rng.pick(&formats);
    g.decimal_comma = cfg.on(Feature::DecimalComma) && g.rng.chance(30);
    let csv = match format {
        Format::Csv => g.csv(),
        Format::Json => g.json(false),
        Format::Jsonl => g.json(true),
    };
    Case {
        program,
        csv,
        format,
        decimal_comma: g.decimal_comma,
        profiles: g.profiles,
        exact: cfg.on(Feature::ExactDecimals),
    }
}

/// Orders two literals of one numeric or date type (by value), for `in lo..hi`.
fn order_lits(ty: Ty, a: String, b: String) -> (String, String) {
    let value = |s: &str| crate::model::number_literal(s);
    let swap = match ty {
        Ty::Date => a > b,
        _ => match (value(&a), value(&b)) {
            (Some(x), Some(y)) => x > y,
            _ => false,
        },
    };
    if swap { (b, a) } else { (a, b) }
}
