//! `icp doc PROGRAM`: the ICP as a one-page document for the people who act on it (sales
//! and marketing never read the code): the situation, the target segments and criteria in
//! plain words with their weights and share of the score, the exclusions with their
//! reasons, the tiers with their actions; with `--data`, accounts per tier and each
//! criterion's match rate, scored by the same pipeline as `icp score`. Self-contained HTML
//! (inline SVG, no script, no network, print CSS for A4) or Markdown.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use icp_check::Checked;
use icp_eval::{CriterionOutcome, Plan, TierOutcome};
use icp_model::{
    ArithOp, Const, CriterionBody, Date, Decimal, Expr, ExprKind, FileId, Metric, Profile, Program,
    Schema, Situation, TierRule, Ty, num,
};
use icp_syntax::ast::{CmpOp, ContainsMode};

use crate::sweep::{self, Fail, InputArgs, esc};

/// Arguments of `icp doc`.
#[derive(Debug, Clone, clap::Args)]
pub struct DocArgs {
    /// The ICP program (its imports are followed).
    pub program: PathBuf,
    /// The profile to document (may be left out when the program has one).
    #[arg(long, short = 'p')]
    pub profile: Option<String>,
    /// Write the page here (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format (default: from the `-o` extension, `.html` or `.md`; else Markdown).
    #[arg(long, value_enum)]
    pub format: Option<DocFormat>,
    /// Accounts to chart: accounts per tier and each criterion's match rate.
    #[arg(long, value_name = "ACCOUNTS")]
    pub data: Option<String>,
    /// The date `today` means, `YYYY-MM-DD` (default: the clock, UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output formats of `icp doc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    /// A self-contained HTML page that prints on one or two A4 pages.
    Html,
    /// Markdown, for wikis and pull requests.
    Markdown,
}

/// A piece of a sentence: words, or source text shown as code.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Words(String),
    Code(String),
}

type Phrase = Vec<Piece>;

fn words(s: impl Into<String>) -> Phrase {
    vec![Piece::Words(s.into())]
}

/// The page, every string as written by the user (escaped when rendered).
struct Doc {
    title: String,
    profile: String,
    schema: String,
    as_of: Date,
    situation: Option<SituationDoc>,
    targets: Vec<(String, Phrase)>,
    practical_share: String,
    groups: Vec<GroupDoc>,
    excludes: Vec<(String, Option<String>, Phrase)>,
    tiers: Vec<(String, Phrase, Option<String>)>,
    data: Option<DataDoc>,
}

struct SituationDoc {
    title: String,
    timeframe: Option<(Date, Date)>,
    goals: Vec<(String, Phrase)>,
    milestones: Vec<(Date, Phrase)>,
    capabilities: Vec<(String, String)>,
}

struct GroupDoc {
    title: Option<String>,
    criteria: Vec<CritDoc>,
}

struct CritDoc {
    name: String,
    title: Option<String>,
    weight: Decimal,
    /// Percent of the maximum score (negative for a penalty).
    share: f64,
    /// Perfect (or the only) condition, and the practical one with its share of the weight.
    perfect: Phrase,
    practical: Option<(Phrase, String)>,
}

struct DataDoc {
    source: String,
    rows: u64,
    invalid: u64,
    /// Label, accounts.
    tiers: Vec<(String, u64)>,
    /// Name, met, unknown, of scored accounts.
    criteria: Vec<(String, u64, u64)>,
    scored: u64,
}

/// Run `icp doc`.
pub fn run(args: &DocArgs) -> ExitCode {
    sweep::report(doc(args))
}

fn doc(args: &DocArgs) -> Result<ExitCode, Fail> {
    let today = sweep::today(args.as_of.as_deref())?;
    let format = match (args.format, &args.output) {
        (Some(f), _) => f,
        (None, Some(p)) => match p.extension().and_then(|e| e.to_str()) {
            Some("html" | "htm") => DocFormat::Html,
            _ => DocFormat::Markdown,
        },
        (None, None) => DocFormat::Markdown,
    };
    let checked = sweep::program(&args.program, today)?;
    let id = sweep::pick_profile(&checked.program, args.profile.as_deref())?;
    let profile = checked
        .program
        .profile(id)
        .ok_or_else(|| Fail::new("the profile is not in the program"))?;
    let data = match &args.data {
        Some(accounts) => Some(data(&checked.program, id, today, accounts, &args.input)?),
        None => None,
    };
    let page = build(&checked, profile, today, data);
    let text = match format {
        DocFormat::Html => html(&page),
        DocFormat::Markdown => markdown(&page),
    };
    sweep::emit(&text, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// Scores `accounts` as `icp score` does and counts tiers and criteria.
fn data(
    program: &Program,
    id: icp_model::ProfileId,
    today: Date,
    accounts: &str,
    input: &InputArgs,
) -> Result<DataDoc, Fail> {
    let plan = Plan::new(program, id, today).map_err(Fail::new)?;
    let swept = sweep::sweep(
        accounts,
        input,
        program,
        plan.schema(),
        || plan.scratch(),
        |scratch, row| {
            if row.error.is_some() {
                return None;
            }
            let o = plan.eval(row.values, scratch);
            let crits: Vec<CriterionOutcome> =
                plan.criteria_outcomes(scratch).map(|c| c.1).collect();
            Some((o.tier, crits))
        },
    )?;
    let valid: Vec<&(TierOutcome, Vec<CriterionOutcome>)> = swept.rows.iter().flatten().collect();
    let count = |t: TierOutcome| valid.iter().filter(|o| o.0 == t).count() as u64;
    let mut tiers: Vec<(String, u64)> = plan
        .tier_names()
        .enumerate()
        .map(|(i, n)| (n.to_owned(), count(TierOutcome::Tier(i as u32))))
        .collect();
    tiers.push(("excluded".to_owned(), count(TierOutcome::Excluded)));
    tiers.push((
        "out of segment".to_owned(),
        count(TierOutcome::OutOfSegment),
    ));
    let scored: Vec<&&(TierOutcome, Vec<CriterionOutcome>)> = valid
        .iter()
        .filter(|o| matches!(o.0, TierOutcome::Tier(_)))
        .collect();
    let criteria = plan
        .criteria_outcomes(&plan.scratch())
        .enumerate()
        .map(|(i, (name, _, _))| {
            let of = |o: &&&(TierOutcome, Vec<CriterionOutcome>)| {
                o.1.get(i).copied().unwrap_or(CriterionOutcome::Unknown)
            };
            let met = scored
                .iter()
                .filter(|o| {
                    matches!(
                        of(o),
                        CriterionOutcome::Perfect
                            | CriterionOutcome::Practical
                            | CriterionOutcome::True
                    )
                })
                .count() as u64;
            let unknown = scored
                .iter()
                .filter(|o| of(o) == CriterionOutcome::Unknown)
                .count() as u64;
            (name.to_owned(), met, unknown)
        })
        .collect();
    Ok(DataDoc {
        source: accounts.to_owned(),
        rows: swept.rows.len() as u64,
        invalid: swept.rows.iter().filter(|r| r.is_none()).count() as u64,
        tiers,
        criteria,
        scored: scored.len() as u64,
    })
}

fn build(checked: &Checked, profile: &Profile, today: Date, data: Option<DataDoc>) -> Doc {
    let program = &checked.program;
    let schema = program.schema(profile.schema);
    let words_of = |file: FileId| Words {
        program,
        schema,
        text: checked.file(file).map_or("", |f| &*f.text),
    };
    let situation = profile
        .situation
        .and_then(|s| program.situation(s))
        .map(|s| situation_doc(checked, s));
    let targets = profile
        .targets
        .iter()
        .filter_map(|&t| program.segment(t))
        .map(|s| {
            (
                s.title.clone().unwrap_or_else(|| human(&s.name)),
                words_of(s.loc.file).expr(&s.cond),
            )
        })
        .collect();
    let positive: Decimal = profile
        .criteria
        .iter()
        .map(|c| c.weight)
        .filter(|w| *w > Decimal::ZERO)
        .fold(Decimal::ZERO, Decimal::saturating_add);
    let mut groups: Vec<GroupDoc> = Vec::new();
    let mut last_group = None;
    for c in &profile.criteria {
        let w = words_of(c.loc.file);
        let (perfect, practical) = match &c.body {
            CriterionBody::Bool(e) => (w.expr(e), None),
            CriterionBody::Scorecard { perfect, practical } => (
                w.expr(perfect),
                practical
                    .as_ref()
                    .map(|p| (w.expr(p), percent(c.share(profile)))),
            ),
        };
        let share = if positive > Decimal::ZERO {
            num::to_f64(c.weight) / num::to_f64(positive) * 100.0
        } else {
            0.0
        };
        let crit = CritDoc {
            name: c.name.clone(),
            title: c.title.clone(),
            weight: c.weight,
            share,
            perfect,
            practical,
        };
        match groups.last_mut() {
            Some(g) if last_group == Some(c.group) => g.criteria.push(crit),
            _ => {
                groups.push(GroupDoc {
                    title: c
                        .group
                        .and_then(|g| profile.groups.get(g.index()))
                        .map(|g| g.title.clone().unwrap_or_else(|| human(&g.name))),
                    criteria: vec![crit],
                });
                last_group = Some(c.group);
            }
        }
    }
    let excludes = profile
        .excludes
        .iter()
        .map(|x| {
            (
                x.name.clone(),
                x.reason.clone(),
                words_of(x.loc.file).expr(&x.cond),
            )
        })
        .collect();
    let tiers = profile
        .tiers
        .iter()
        .map(|t| {
            let rule = match &t.rule {
                TierRule::Threshold(d) => words(format!("score of {} or more", num::plain(*d))),
                TierRule::When(e) => words_of(t.loc.file).expr(e),
                TierRule::CatchAll => words("every other account in the target"),
            };
            (t.name.clone(), rule, t.action.clone())
        })
        .collect();
    if groups.iter().any(|g| g.title.is_some()) {
        for g in &mut groups {
            if g.title.is_none() {
                g.title = Some("Other criteria".to_owned());
            }
        }
    }
    Doc {
        title: profile
            .title
            .clone()
            .unwrap_or_else(|| human(&profile.name)),
        profile: profile.name.clone(),
        schema: schema.map(|s| s.name.clone()).unwrap_or_default(),
        as_of: today,
        situation,
        targets,
        practical_share: percent(profile.practical_share),
        groups,
        excludes,
        tiers,
        data,
    }
}

fn situation_doc(checked: &Checked, s: &Situation) -> SituationDoc {
    let program = &checked.program;
    let schema = program.schema(s.schema);
    let w = Words {
        program,
        schema,
        text: checked.file(s.loc.file).map_or("", |f| &*f.text),
    };
    let money = |m: &Metric| match m {
        Metric::Sum(f) => schema
            .and_then(|s| s.field(*f))
            .is_some_and(|f| f.ty == Ty::Money),
        Metric::Count => false,
    };
    let metric = |m: &Metric| match m {
        Metric::Count => "accounts".to_owned(),
        Metric::Sum(f) => format!("total {}", w.field(*f)),
    };
    let goals = s
        .goals
        .iter()
        .map(|g| {
            let mut p = words(goal_words(
                &metric(&g.metric),
                g.op,
                &amount(g.target, money(&g.metric)),
            ));
            if let Some(f) = &g.filter {
                p.push(Piece::Words(" where ".to_owned()));
                p.extend(w.expr(f));
            }
            (g.title.clone().unwrap_or_else(|| human(&g.name)), p)
        })
        .collect();
    let milestones = s
        .milestones
        .iter()
        .map(|m| {
            let goal = s.goals.get(m.goal);
            let p = words(format!(
                "{}: {}",
                goal.map_or_else(String::new, |g| human(&g.name)),
                goal_words(
                    &goal.map_or_else(String::new, |g| metric(&g.metric)),
                    m.op,
                    &amount(m.target, goal.is_some_and(|g| money(&g.metric)))
                )
            ));
            (m.date, p)
        })
        .collect();
    let capabilities = s
        .capabilities
        .iter()
        .map(|(n, c)| {
            let shown = match c {
                // As written (`80%`, `$2M`): the folded value has lost its unit.
                Const::Num(_) => capability_source(w.text, s.loc.span, n),
                _ => None,
            };
            (human(n), shown.unwrap_or_else(|| const_words(program, c)))
        })
        .collect();
    SituationDoc {
        title: s.title.clone().unwrap_or_else(|| human(&s.name)),
        timeframe: s.timeframe,
        goals,
        milestones,
        capabilities,
    }
}

/// The text of `capability NAME = VALUE` in the situation's body (from its declaration to the
/// closing brace in column 0), up to a comment or the
/// line's end; `None` when it is not written on one line that way.
fn capability_source(text: &str, span: icp_model::Span, name: &str) -> Option<String> {
    let item = text.get(span.range().start..)?;
    let body = item.lines().take_while(|l| !l.starts_with('}'));
    body.into_iter().find_map(|line| {
        let rest = line.trim().strip_prefix("capability")?.trim_start();
        let rest = rest.strip_prefix(name)?.trim_start().strip_prefix('=')?;
        let value = rest.split("//").next()?.trim();
        (!value.is_empty()).then(|| value.to_owned())
    })
}

/// `at least 12 accounts`, `total deal arr at least $240,000`.
fn goal_words(metric: &str, op: CmpOp, target: &str) -> String {
    if metric == "accounts" {
        format!("{} {target} accounts", cmp_words(op))
    } else {
        format!("{metric} {} {target}", cmp_words(op))
    }
}

/// `snake_case` as words.
fn human(name: &str) -> String {
    name.replace('_', " ")
}

/// A fraction as a percentage (`0.5` is `50%`).
fn percent(x: Decimal) -> String {
    format!("{}%", num::plain(x * Decimal::ONE_HUNDRED))
}

/// A goal's target: money with `$` and thousands, counts as whole numbers.
fn amount(x: Decimal, money: bool) -> String {
    let plain = num::plain(x);
    let (int, frac) = plain.split_once('.').unwrap_or((plain.as_str(), ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    format!("{sign}{}{grouped}{frac}", if money { "$" } else { "" })
}

fn cmp_words(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "is",
        CmpOp::Ne => "is not",
        CmpOp::Lt => "below",
        CmpOp::Le => "at most",
        CmpOp::Gt => "above",
        CmpOp::Ge => "at least",
    }
}

fn const_words(program: &Program, c: &Const) -> String {
    match c {
        Const::Missing => "unknown".to_owned(),
        Const::Bool(true) => "yes".to_owned(),
        Const::Bool(false) => "no".to_owned(),
        Const::Num(x) => num::plain(*x),
        Const::Text(t) => t.clone(),
        Const::Date(d) => d.to_string(),
        Const::Duration(d) => format!("{d} days"),
        Const::Enum(e, v) => program
            .enum_ty(*e)
            .and_then(|t| t.variants.get(*v as usize))
            .map_or_else(String::new, |v| human(&v.name)),
        Const::List(items) => items
            .iter()
            .map(|i| const_words(program, i))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Renders conditions as sentences where they are simple, else as their source text.
struct Words<'a> {
    program: &'a Program,
    schema: Option<&'a Schema>,
    /// The text of the file the expressions are written in.
    text: &'a str,
}

impl Words<'_> {
    fn source(&self, e: &Expr) -> String {
        let r = e.span.range();
        self.text
            .get(r)
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }

    fn code(&self, e: &Expr) -> Phrase {
        vec![Piece::Code(self.source(e))]
    }

    fn field(&self, f: icp_model::FieldId) -> String {
        self.schema
            .and_then(|s| s.field(f))
            .map_or_else(|| "?".to_owned(), |f| human(&f.name))
    }

    /// A subject: a field, a `let`, `today`, `score`; `None` for anything else.
    fn subject(&self, e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Field(f) => Some(self.field(*f)),
            ExprKind::Today => Some("today".to_owned()),
            ExprKind::Score => Some("the score".to_owned()),
            ExprKind::Let(_) | ExprKind::GroupScore(_) => Some(self.source(e)),
            _ => None,
        }
    }

    /// A value: a constant (as written), an enum variant (as words), a date sum.
    fn value(&self, e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Const(Const::Enum(..)) => match &e.kind {
                ExprKind::Const(c) => Some(const_words(self.program, c)),
                _ => None,
            },
            // `situation.end`, folded to its date: the date, and what it is
            ExprKind::Const(Const::Date(d)) => {
                let src = self.source(e);
                Some(match src.strip_prefix("situation.") {
                    Some(which) => format!("{d} (the situation's {which})"),
                    None => src,
                })
            }
            ExprKind::Const(_) | ExprKind::Today => Some(self.source(e)),
            ExprKind::Arith(ArithOp::Add | ArithOp::Sub, a, b)
                if matches!(a.kind, ExprKind::Today) && matches!(b.kind, ExprKind::Const(_)) =>
            {
                Some(self.source(e))
            }
            ExprKind::Field(_) => self.subject(e),
            _ => None,
        }
    }

    fn list(&self, items: &[Expr], last: &str) -> Option<String> {
        let vals: Option<Vec<String>> = items.iter().map(|i| self.value(i)).collect();
        let vals = vals?;
        Some(match vals.split_last() {
            None => String::new(),
            Some((only, [])) => only.clone(),
            Some((tail, head)) => format!("{} {last} {tail}", head.join(", ")),
        })
    }

    fn expr(&self, e: &Expr) -> Phrase {
        self.try_words(e).unwrap_or_else(|| self.code(e))
    }

    /// A sentence for the simple shapes; `None` when the source reads better.
    fn try_words(&self, e: &Expr) -> Option<Phrase> {
        Some(match &e.kind {
            ExprKind::Field(_) if e.ty == Ty::Bool => words(self.subject(e)?),
            ExprKind::Segment(s) => {
                let seg = self.program.segment(*s)?;
                words(seg.title.clone().unwrap_or_else(|| human(&seg.name)))
            }
            ExprKind::Cmp(op, a, b) => {
                let subject = self.subject(a)?;
                let value = self.value(b)?;
                words(format!("{subject} {} {value}", cmp_words(*op)))
            }
            ExprKind::InRange { expr, lo, hi } => {
                let subject = self.subject(expr)?;
                let (lo, hi) = (self.value(lo)?, self.value(hi)?);
                if matches!(expr.ty, Ty::Date) {
                    words(format!("{subject}: from {lo} to {hi}"))
                } else {
                    words(format!("{subject} between {lo} and {hi}"))
                }
            }
            ExprKind::InList { expr, list } => {
                let subject = self.subject(expr)?;
                words(format!("{subject} is {}", self.one_of(list)?))
            }
            ExprKind::Contains {
                expr,
                mode,
                needles,
            } => {
                let subject = self.subject(expr)?;
                let is_set = matches!(expr.ty, Ty::Set(_));
                let verb = if is_set { "includes" } else { "contains" };
                match mode {
                    ContainsMode::Any if needles.len() > 1 => words(format!(
                        "{subject} {verb} any of {}",
                        self.list(needles, "or")?
                    )),
                    ContainsMode::All if needles.len() > 1 => words(format!(
                        "{subject} {verb} all of {}",
                        self.list(needles, "and")?
                    )),
                    ContainsMode::One | ContainsMode::Any | ContainsMode::All => {
                        let v = self.value(needles.first()?)?;
                        words(format!("{subject} {verb} {v}"))
                    }
                }
            }
            ExprKind::IsMissing(x) => words(format!("{} is unknown", self.subject(x)?)),
            ExprKind::Not(x) => match &x.kind {
                ExprKind::IsMissing(y) => words(format!("{} is known", self.subject(y)?)),
                ExprKind::InRange { expr, lo, hi } => words(format!(
                    "{} not between {} and {}",
                    self.subject(expr)?,
                    self.value(lo)?,
                    self.value(hi)?
                )),
                ExprKind::InList { expr, list } => words(format!(
                    "{} is not {}",
                    self.subject(expr)?,
                    self.one_of(list)?
                )),
                ExprKind::Field(_) if x.ty == Ty::Bool => {
                    words(format!("not {}", self.subject(x)?))
                }
                _ => return None,
            },
            ExprKind::And(a, b) => self.join(a, b, "and"),
            ExprKind::Or(a, b) => self.join(a, b, "or"),
            _ => return None,
        })
    }

    fn one_of(&self, list: &[Expr]) -> Option<String> {
        Some(if list.len() == 1 {
            self.value(list.first()?)?
        } else {
            format!("one of {}", self.list(list, "or")?)
        })
    }

    /// `a and b`: each side in words where it can be; a side of the other connective is
    /// shown as source (the reader should not have to know precedence).
    fn join(&self, a: &Expr, b: &Expr, word: &str) -> Phrase {
        let side = |x: &Expr| -> Phrase {
            let other = match word {
                "and" => matches!(x.kind, ExprKind::Or(..)),
                _ => matches!(x.kind, ExprKind::And(..)),
            };
            if other { self.code(x) } else { self.expr(x) }
        };
        let mut p = side(a);
        p.push(Piece::Words(format!(" {word} ")));
        p.extend(side(b));
        p
    }
}

fn md_phrase(p: &Phrase) -> String {
    let mut out = String::new();
    for piece in p {
        match piece {
            Piece::Words(w) => out.push_str(&md_text(w)),
            Piece::Code(c) => {
                let fence = if c.contains('`') { "`` " } else { "`" };
                let close = if c.contains('`') { " ``" } else { "`" };
                let _ = write!(out, "{fence}{}{close}", c.replace('|', "\\|"));
            }
        }
    }
    out
}

/// User text for Markdown: table pipes, emphasis and HTML characters escaped.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' | '*' | '_' | '`' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

fn html_phrase(p: &Phrase) -> String {
    let mut out = String::new();
    for piece in p {
        match piece {
            Piece::Words(w) => out.push_str(&esc(w)),
            Piece::Code(c) => {
                let _ = write!(out, "<code>{}</code>", esc(c));
            }
        }
    }
    out
}

fn share_text(share: f64) -> String {
    format!("{}%", sweep::num_text(share, 1))
}

fn rate(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64 * 100.0
    }
}

fn markdown(d: &Doc) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}\n\nIdeal Customer Profile `{}` for {} accounts, as of {}.\n",
        md_text(&d.title),
        d.profile,
        md_text(&d.schema),
        d.as_of
    );
    if let Some(s) = &d.situation {
        let _ = writeln!(out, "## The situation: {}\n", md_text(&s.title));
        if let Some((a, b)) = s.timeframe {
            let _ = writeln!(out, "From {a} to {b}.\n");
        }
        if !s.goals.is_empty() {
            out.push_str("Goals:\n\n");
            for (t, p) in &s.goals {
                let _ = writeln!(out, "- **{}**: {}", md_text(t), md_phrase(p));
            }
            out.push('\n');
        }
        if !s.milestones.is_empty() {
            out.push_str("Milestones:\n\n");
            for (date, p) in &s.milestones {
                let _ = writeln!(out, "- by {date}, {}", md_phrase(p));
            }
            out.push('\n');
        }
        if !s.capabilities.is_empty() {
            out.push_str("What we can deliver:\n\n");
            for (n, v) in &s.capabilities {
                let _ = writeln!(out, "- {}: {}", md_text(n), md_text(v));
            }
            out.push('\n');
        }
    }
    out.push_str("## Who we target\n\n");
    if d.targets.is_empty() {
        out.push_str("Every account.\n\n");
    } else {
        for (t, p) in &d.targets {
            let _ = writeln!(out, "- **{}**: {}", md_text(t), md_phrase(p));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "## What makes a good fit\n\nEach criterion met earns its weight; a practical fit earns part of it (by default {}). The share is the part of the highest possible score.\n",
        d.practical_share
    );
    for g in &d.groups {
        if let Some(t) = &g.title {
            let _ = writeln!(out, "### {}\n", md_text(t));
        }
        out.push_str("| criterion | when | weight | share |\n|---|---|--:|--:|\n");
        for c in &g.criteria {
            let mut when = md_phrase(&c.perfect);
            if let Some((p, s)) = &c.practical {
                let _ = write!(when, "; practical ({s}): {}", md_phrase(p));
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                md_text(c.title.as_deref().unwrap_or(&human(&c.name))),
                when,
                num::plain(c.weight),
                share_text(c.share)
            );
        }
        out.push('\n');
    }
    if !d.excludes.is_empty() {
        out.push_str("## Who we turn away\n\n");
        for (n, reason, p) in &d.excludes {
            let _ = writeln!(
                out,
                "- **{}**: {}",
                md_text(reason.as_deref().unwrap_or(&human(n))),
                md_phrase(p)
            );
        }
        out.push('\n');
    }
    out.push_str("## Tiers and what to do\n\n| tier | reached with | action |\n|---|---|---|\n");
    for (n, rule, action) in &d.tiers {
        let _ = writeln!(
            out,
            "| **{}** | {} | {} |",
            md_text(n),
            md_phrase(rule),
            md_text(action.as_deref().unwrap_or("-"))
        );
    }
    if let Some(data) = &d.data {
        let _ = writeln!(
            out,
            "\n## In the data\n\n{} rows of `{}`, {} invalid.\n\n| tier | accounts | share |\n|---|--:|--:|",
            data.rows,
            data.source.replace('`', "'"),
            data.invalid
        );
        let valid = data.rows - data.invalid;
        for (t, n) in &data.tiers {
            let _ = writeln!(
                out,
                "| {} | {n} | {} |",
                md_text(t),
                share_text(rate(*n, valid))
            );
        }
        let _ = writeln!(
            out,
            "\nCriteria met among the {} scored accounts (in the target, not excluded):\n\n| criterion | met | unknown |\n|---|--:|--:|",
            data.scored
        );
        for (n, met, unknown) in &data.criteria {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                md_text(&human(n)),
                share_text(rate(*met, data.scored)),
                share_text(rate(*unknown, data.scored))
            );
        }
    }
    out
}

const CSS: &str = "\
:root{--ink:#1d2433;--muted:#5b6475;--line:#d9dee7;--accent:#1f5fa8;--soft:#f3f6fa}
*{box-sizing:border-box}
body{font:10.5pt/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);margin:0 auto;padding:16px 24px;max-width:190mm}
h1{font-size:20pt;margin:0 0 2px;color:var(--accent)}
h2{font-size:12.5pt;margin:18px 0 6px;padding-bottom:3px;border-bottom:2px solid var(--accent);text-transform:uppercase;letter-spacing:.04em}
h3{font-size:10.5pt;margin:10px 0 4px;color:var(--muted)}
.sub{color:var(--muted);margin:0 0 10px}
code{font:9pt ui-monospace,Menlo,Consolas,monospace;background:var(--soft);padding:0 3px;border-radius:3px}
table{width:100%;border-collapse:collapse;margin:2px 0 8px}
th,td{text-align:left;vertical-align:top;padding:3px 6px;border-bottom:1px solid var(--line)}
th{font-size:8.5pt;text-transform:uppercase;color:var(--muted);font-weight:600}
td.n,th.n{text-align:right;white-space:nowrap}
td.name{font-weight:600;width:30%}
table.crit{table-layout:fixed}.crit th:nth-child(1){width:30%}.crit th:nth-child(3){width:9%}.crit th:nth-child(4){width:14%}
.bar{display:inline-block;height:7px;background:var(--accent);border-radius:2px;vertical-align:middle;margin-left:4px}
.bar.neg{background:#c62828}
.cols{display:flex;gap:24px}.cols>div{flex:1}
ul{margin:2px 0 6px;padding-left:18px}li{margin:1px 0}
.tier{font-weight:700;color:var(--accent)}
.why{color:var(--muted)}
svg text{font-family:system-ui,sans-serif;fill:#1d2433}
footer{margin-top:14px;color:var(--muted);font-size:8.5pt}
@page{size:A4;margin:12mm}
@media print{body{padding:0;max-width:none;font-size:8pt;line-height:1.25}h1{font-size:15pt}h2{font-size:9.5pt;margin:8px 0 3px;break-after:avoid}h3{font-size:8pt;margin:4px 0 1px;break-after:avoid}th,td{padding:1px 4px}th{font-size:6.5pt}code{font-size:7pt}.sub{margin:0 0 3px}ul{margin:1px 0 3px}li{margin:0}table{margin:0 0 4px}.crit th:nth-child(1),td.name{width:26%}table.crit~table.crit tr:first-child{display:none}tr,li,svg{break-inside:avoid}}
";

fn html(d: &Doc) -> String {
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>\n{CSS}</style></head><body>\n",
        esc(&d.title)
    );
    let _ = writeln!(
        out,
        "<h1>{}</h1>\n<p class=\"sub\">Ideal Customer Profile <code>{}</code> for {} accounts, as of {}.</p>",
        esc(&d.title),
        esc(&d.profile),
        esc(&d.schema),
        d.as_of
    );
    if let Some(s) = &d.situation {
        let _ = writeln!(out, "<h2>The situation: {}</h2>", esc(&s.title));
        if let Some((a, b)) = s.timeframe {
            let _ = writeln!(out, "<p>From <b>{a}</b> to <b>{b}</b>.</p>");
        }
        out.push_str("<div class=\"cols\">");
        if !s.goals.is_empty() || !s.milestones.is_empty() {
            out.push_str("<div>");
            if !s.goals.is_empty() {
                out.push_str("<h3>Goals</h3><ul>");
                for (t, p) in &s.goals {
                    let _ = write!(out, "<li><b>{}</b>: {}</li>", esc(t), html_phrase(p));
                }
                out.push_str("</ul>");
            }
            if !s.milestones.is_empty() {
                out.push_str("<h3>Milestones</h3><ul>");
                for (date, p) in &s.milestones {
                    let _ = write!(out, "<li>by <b>{date}</b>, {}</li>", html_phrase(p));
                }
                out.push_str("</ul>");
            }
            out.push_str("</div>");
        }
        if !s.capabilities.is_empty() {
            out.push_str("<div><h3>What we can deliver</h3><ul>");
            for (n, v) in &s.capabilities {
                let _ = write!(out, "<li>{}: <b>{}</b></li>", esc(n), esc(v));
            }
            out.push_str("</ul></div>");
        }
        out.push_str("</div>\n");
    }
    out.push_str("<h2>Who we target</h2>\n");
    if d.targets.is_empty() {
        out.push_str("<p>Every account.</p>\n");
    } else {
        out.push_str("<ul>");
        for (t, p) in &d.targets {
            let _ = write!(out, "<li><b>{}</b>: {}</li>", esc(t), html_phrase(p));
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(
        out,
        "<h2>What makes a good fit</h2>\n<p class=\"sub\">Each criterion met earns its weight; a practical fit earns part of it (by default {}). The share is the part of the highest possible score.</p>",
        esc(&d.practical_share)
    );
    let max_share = d
        .groups
        .iter()
        .flat_map(|g| &g.criteria)
        .map(|c| c.share.abs())
        .fold(1.0_f64, f64::max);
    for g in &d.groups {
        if let Some(t) = &g.title {
            let _ = writeln!(out, "<h3>{}</h3>", esc(t));
        }
        out.push_str("<table class=\"crit\"><tr><th>criterion</th><th>when</th><th class=\"n\">weight</th><th class=\"n\">share</th></tr>\n");
        for c in &g.criteria {
            let mut when = html_phrase(&c.perfect);
            if let Some((p, s)) = &c.practical {
                let _ = write!(
                    when,
                    "<br><span class=\"why\">practical ({}):</span> {}",
                    esc(s),
                    html_phrase(p)
                );
            }
            let _ = writeln!(
                out,
                "<tr><td class=\"name\">{}</td><td>{when}</td><td class=\"n\">{}</td><td class=\"n\">{}<span class=\"bar{}\" style=\"width:{:.0}px\"></span></td></tr>",
                esc(c.title.as_deref().unwrap_or(&human(&c.name))),
                esc(&num::plain(c.weight)),
                share_text(c.share),
                if c.share < 0.0 { " neg" } else { "" },
                c.share.abs() / max_share * 40.0
            );
        }
        out.push_str("</table>\n");
    }
    if !d.excludes.is_empty() {
        out.push_str("<h2>Who we turn away</h2>\n<table>");
        for (n, reason, p) in &d.excludes {
            let _ = writeln!(
                out,
                "<tr><td class=\"name\">{}</td><td>{}</td></tr>",
                esc(reason.as_deref().unwrap_or(&human(n))),
                html_phrase(p)
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("<h2>Tiers and what to do</h2>\n<table><tr><th>tier</th><th>reached with</th><th>action</th></tr>\n");
    for (n, rule, action) in &d.tiers {
        let _ = writeln!(
            out,
            "<tr><td class=\"tier\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(n),
            html_phrase(rule),
            esc(action.as_deref().unwrap_or("-"))
        );
    }
    out.push_str("</table>\n");
    if let Some(data) = &d.data {
        let valid = data.rows - data.invalid;
        let _ = writeln!(
            out,
            "<h2>In the data</h2>\n<p class=\"sub\">{} rows of <code>{}</code>, {} invalid; criteria met among the {} scored accounts (in the target, not excluded).</p>\n<h3>Accounts per tier</h3>",
            data.rows,
            esc(&data.source),
            data.invalid,
            data.scored
        );
        let tier_count = data.tiers.len().saturating_sub(2);
        let bars: Vec<sweep::Bar> = data
            .tiers
            .iter()
            .enumerate()
            .map(|(i, (t, n))| sweep::Bar {
                label: t.clone(),
                value: *n as f64,
                text: format!("{n} ({})", share_text(rate(*n, valid))),
                color: if i < tier_count { "#1f5fa8" } else { "#9aa3b2" },
            })
            .collect();
        let max = bars.iter().map(|b| b.value).fold(1.0_f64, f64::max);
        out.push_str(&sweep::bar_chart("accounts per tier", &bars, max, None));
        out.push_str("<h3>Criteria met</h3>");
        let bars: Vec<sweep::Bar> = data
            .criteria
            .iter()
            .map(|(n, met, _)| sweep::Bar {
                label: human(n),
                value: rate(*met, data.scored),
                text: share_text(rate(*met, data.scored)),
                color: "#2e7d32",
            })
            .collect();
        out.push_str(&sweep::bar_chart("criteria met", &bars, 100.0, None));
    }
    let _ = writeln!(
        out,
        "<footer>Generated by <code>icp doc</code> from profile <code>{}</code>.</footer>\n</body></html>",
        esc(&d.profile)
    );
    out
}
