//! `cases from "FILE.csv"`: a test's cases, one per row of a CSV file next to the program.
//!
//! The file is read through the [`Loader`] (never outside the project root) and decoded by
//! `icp-data`, the readers `icp score` uses: the same `from` names, messy values and missing
//! markers. Columns a schema field reads set that field in every row (an empty cell is
//! missing, or the empty set); fields without a column keep the test's base `account`
//! values. The reserved columns `case` and `expect_*` give each row its name and its
//! expectations; an empty expectation cell checks nothing.

use std::io::Cursor;
use std::path::Path;

use icp_base::{CmpOp, Code, Diagnostic, FileId, Span, did_you_mean};
use icp_data::{Format, ReadOptions, Row, RowError, RowSink, Source};
use icp_model as m;

use crate::checker::BUILTIN_TIERS;
use crate::{Loader, SourceFile, normalize};

/// A `cases from` clause waiting for its file (recorded by the checker, expanded once the
/// program is assembled).
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// The program file the clause is written in.
    pub file: FileId,
    /// The whole clause.
    pub span: Span,
    /// The path as written.
    pub path: String,
    /// The test's name.
    pub test: String,
    /// The profile tested (an id of the assembled program).
    pub profile: m::ProfileId,
    /// The test's `as_of`.
    pub as_of: Option<m::Date>,
    /// The base `account`'s values (ids of the assembled program).
    pub base: Vec<(m::FieldId, m::Const)>,
    /// Where the rows' tests go in `Program::tests`.
    pub insert_at: usize,
}

/// The expectation columns, as written after `expect_`.
pub const EXPECT_COLUMNS: &[&str] = &[
    "expect_tier",
    "expect_score",
    "expect_score.GROUP",
    "expect_coverage",
    "expect_reason",
    "expect_excluded_by",
    "expect_in_segment",
    "expect_criterion.NAME",
    "expect_action",
];

/// What a column of a cases file holds.
#[derive(Debug, Clone)]
enum Column {
    /// `case`: the row's name.
    Name,
    /// An expectation column.
    Expect(ExpectCol),
    /// Anything else (a field's column, or unused).
    Other,
}

#[derive(Debug, Clone)]
enum ExpectCol {
    Tier,
    Compare(m::ExpectMetric),
    Reason,
    ExcludedBy,
    InSegment,
    Criterion(String),
    Action,
}

/// Expand every pending clause into tests of `program`; returns the diagnostics.
pub(crate) fn expand(
    pending: &[Pending],
    program: &mut m::Program,
    files: &[SourceFile],
    root: &Path,
    loader: &dyn Loader,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut made: Vec<(usize, Vec<m::Test>)> = Vec::new();
    for p in pending {
        let mut out = Reader {
            p,
            program,
            diags: Vec::new(),
            shown: String::new(),
        };
        let tests = out.read(files, root, loader);
        diags.extend(out.diags.into_iter().map(|d| d.in_file(p.file)));
        made.push((p.insert_at, tests));
    }
    // Later positions first, so that earlier ones stay valid.
    made.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    for (at, tests) in made {
        let at = at.min(program.tests.len());
        program.tests.splice(at..at, tests);
    }
    diags
}

struct Reader<'p> {
    p: &'p Pending,
    program: &'p m::Program,
    diags: Vec<Diagnostic>,
    /// The file as shown in messages (relative to the project root).
    shown: String,
}

impl Reader<'_> {
    fn error(&mut self, code: Code, message: String, help: Option<String>) {
        let mut d = Diagnostic::new(code, self.p.span, message)
            .with_label(format!("cases read from `{}`", self.shown));
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diags.push(d);
    }

    fn read(&mut self, files: &[SourceFile], root: &Path, loader: &dyn Loader) -> Vec<m::Test> {
        let here = files
            .get(self.p.file.0 as usize)
            .map(|f| f.path.clone())
            .unwrap_or_default();
        let dir = here.parent().map(Path::to_path_buf).unwrap_or_default();
        let target = normalize(&dir.join(&self.p.path));
        self.shown = crate::load::display_path(root, &target);
        if !crate::load::inside(&target, root) {
            self.error(
                Code::TestCasesUnreadable,
                format!("cases file `{}` is outside the project root", self.p.path),
                Some("keep the cases file inside the project, next to the program".into()),
            );
            return Vec::new();
        }
        let text = match loader.load_within(&target, root) {
            Ok(t) => t,
            Err(crate::LoadError::NotFound) => {
                self.error(
                    Code::TestCasesUnreadable,
                    format!("cases file `{}` does not exist", self.p.path),
                    Some(format!(
                        "the path is relative to the program file; no file at `{}`",
                        self.shown
                    )),
                );
                return Vec::new();
            }
            Err(e) => {
                self.error(
                    Code::TestCasesUnreadable,
                    format!("cases file `{}` cannot be read: {e}", self.p.path),
                    Some("a cases file is a UTF-8 CSV file with a header line".into()),
                );
                return Vec::new();
            }
        };
        let Some((profile, schema)) = self
            .program
            .profile(self.p.profile)
            .and_then(|pr| Some((pr, self.program.schema(pr.schema)?)))
        else {
            return Vec::new();
        };
        let options = ReadOptions {
            format: Format::Csv,
            ..ReadOptions::default()
        };
        let source = match Source::open(Box::new(Cursor::new(text.into_bytes())), options) {
            Ok(s) => s,
            Err(e) => {
                self.error(
                    Code::TestCasesUnreadable,
                    format!("cannot read cases file `{}`: {e}", self.shown),
                    Some("a cases file is a CSV file with a header line".into()),
                );
                return Vec::new();
            }
        };
        let header: Vec<String> = source.header().to_vec();
        let columns = self.columns(&header, profile);
        // A field the base account sets may lack a column, and so may a `set` (empty).
        let mut bind_schema = schema.clone();
        for (i, f) in bind_schema.fields.iter_mut().enumerate() {
            let given = self.p.base.iter().any(|(fid, _)| fid.index() == i);
            let has_column = header
                .iter()
                .any(|h| h.trim().eq_ignore_ascii_case(f.column.trim()));
            if !has_column && (given || matches!(f.ty, m::Ty::Set(_))) {
                f.optional = true;
            }
        }
        let binding = match source.bind(self.program, &bind_schema) {
            Ok((b, _warnings)) => b,
            Err(e) => {
                let names: Vec<String> = e
                    .missing
                    .iter()
                    .map(|c| match &c.suggestion {
                        Some(s) => format!("`{}` (did you mean `{s}`?)", c.column),
                        None => format!("`{}`", c.column),
                    })
                    .collect();
                let n = names.len();
                self.error(
                    Code::TestMissingField,
                    format!(
                        "cases file `{}` lacks {n} column{} for required fields: {}",
                        self.shown,
                        if n == 1 { "" } else { "s" },
                        names.join(", ")
                    ),
                    Some(
                        "add the columns, give the fields a value in the test's `account { }`, or make them optional in the schema"
                            .into(),
                    ),
                );
                return Vec::new();
            }
        };
        let bound: Vec<bool> = (0..schema.fields.len())
            .map(|i| binding.column_index(i).is_some())
            .collect();
        let sink = Collect {
            schema: &bind_schema,
            keep: columns
                .iter()
                .enumerate()
                .filter(|(_, c)| !matches!(c, Column::Other))
                .map(|(i, _)| i)
                .collect(),
        };
        let mut rows: Vec<RowOut> = Vec::new();
        let run = source.run(&binding, &sink, |chunk| {
            rows.extend(chunk.stats);
            Ok(())
        });
        if let Err(e) = run {
            self.error(
                Code::TestCasesUnreadable,
                format!("cannot read cases file `{}`: {e}", self.shown),
                Some("a cases file is a CSV file with a header line".into()),
            );
            return Vec::new();
        }
        if rows.is_empty() {
            self.error(
                Code::TestWithoutExpect,
                format!("cases file `{}` has no rows", self.shown),
                Some("add one row per case below the header line".into()),
            );
        }
        if !columns.iter().any(|c| matches!(c, Column::Expect(_))) {
            self.error(
                Code::TestWithoutExpect,
                format!("cases file `{}` has no expectation column", self.shown),
                Some(format!(
                    "add a column such as `expect_tier`; the expectation columns are {}",
                    EXPECT_COLUMNS.join(", ")
                )),
            );
        }
        let mut tests = Vec::new();
        for row in rows {
            if let Some(e) = &row.error {
                self.error(
                    Code::TestCasesUnreadable,
                    format!("cases file `{}`: cannot read {e}", self.shown),
                    Some(
                        "cells are read as `icp score` reads a data file (docs/cli.md, \"Reading data\"); write a value of the field's type, or `NA` for missing in an optional field"
                            .into(),
                    ),
                );
                continue;
            }
            let mut account = self.p.base.clone();
            for (i, v) in row.values.into_iter().enumerate() {
                if bound.get(i) != Some(&true) {
                    continue;
                }
                let fid = m::FieldId(i as u32);
                match account.iter_mut().find(|(f, _)| *f == fid) {
                    Some(slot) => slot.1 = v,
                    None => account.push((fid, v)),
                }
            }
            let mut name = format!("row {}", row.number);
            let mut expects = Vec::new();
            for (col, cell) in row.kept {
                let Some(kind) = columns.get(col) else {
                    continue;
                };
                let cell = cell.trim();
                if cell.is_empty() {
                    continue;
                }
                let column = header.get(col).map_or("", String::as_str);
                match kind {
                    Column::Name => cell.clone_into(&mut name),
                    Column::Expect(x) => {
                        for kind in self.expectation(x, cell, profile, row.number, column) {
                            expects.push(m::Expect {
                                kind,
                                loc: m::Loc {
                                    file: self.p.file,
                                    span: self.p.span,
                                },
                            });
                        }
                    }
                    Column::Other => {}
                }
            }
            tests.push(m::Test {
                name: format!("{} / {name}", self.p.test),
                loc: m::Loc {
                    file: self.p.file,
                    span: self.p.span,
                },
                profile: self.p.profile,
                as_of: self.p.as_of,
                account,
                expects,
            });
        }
        tests
    }

    /// What each column holds; unknown `expect_` columns are reported.
    fn columns(&mut self, header: &[String], profile: &m::Profile) -> Vec<Column> {
        let mut out = Vec::new();
        for h in header {
            let lower = h.trim().to_lowercase();
            let col = if lower == "case" {
                Column::Name
            } else if let Some(rest) = lower.strip_prefix("expect_") {
                match self.expect_column(rest, h, profile) {
                    Some(x) => Column::Expect(x),
                    None => Column::Other,
                }
            } else {
                Column::Other
            };
            out.push(col);
        }
        out
    }

    fn expect_column(&mut self, rest: &str, h: &str, profile: &m::Profile) -> Option<ExpectCol> {
        let (head, arg) = match rest.split_once('.') {
            Some((a, b)) => (a, Some(b.trim())),
            None => (rest, None),
        };
        let x = match (head, arg) {
            ("tier", None) => ExpectCol::Tier,
            ("score", None) => ExpectCol::Compare(m::ExpectMetric::Score),
            ("coverage", None) => ExpectCol::Compare(m::ExpectMetric::Coverage),
            ("reason", None) => ExpectCol::Reason,
            ("excluded_by", None) => ExpectCol::ExcludedBy,
            ("in_segment", None) => ExpectCol::InSegment,
            ("action", None) => ExpectCol::Action,
            ("score", Some(g)) => {
                let names: Vec<&str> = profile.groups.iter().map(|x| x.name.as_str()).collect();
                let Some(i) = profile.groups.iter().position(|x| x.name == g) else {
                    let help = Self::suggest(g, &names, "groups");
                    self.error(
                        Code::UnknownGroup,
                        format!(
                            "cases file `{}`, column `{h}`: profile `{}` has no group `{g}`",
                            self.shown, profile.name
                        ),
                        Some(help),
                    );
                    return None;
                };
                ExpectCol::Compare(m::ExpectMetric::GroupScore(m::GroupId(i as u32)))
            }
            ("criterion", Some(c)) => {
                let names: Vec<&str> = profile.criteria.iter().map(|x| x.name.as_str()).collect();
                if !names.contains(&c) {
                    let help = Self::suggest(c, &names, "criteria");
                    self.error(
                        Code::UnknownName,
                        format!(
                            "cases file `{}`, column `{h}`: profile `{}` has no criterion `{c}`",
                            self.shown, profile.name
                        ),
                        Some(help),
                    );
                    return None;
                }
                ExpectCol::Criterion(c.to_owned())
            }
            _ => {
                let wanted = format!("expect_{rest}");
                let plain: Vec<&str> = EXPECT_COLUMNS.to_vec();
                let help = match did_you_mean(&wanted, plain.iter().copied()) {
                    Some(s) => format!(
                        "did you mean `{s}`? The expectation columns are {}",
                        plain.join(", ")
                    ),
                    None => format!("the expectation columns are {}", plain.join(", ")),
                };
                self.error(
                    Code::UnknownExpectation,
                    format!(
                        "cases file `{}`: column `{h}` is no expectation",
                        self.shown
                    ),
                    Some(help),
                );
                return None;
            }
        };
        Some(x)
    }

    fn suggest(name: &str, names: &[&str], what: &str) -> String {
        match did_you_mean(name, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if names.is_empty() => format!("the profile has no {what}"),
            None => format!("the profile's {what}: {}", names.join(", ")),
        }
    }

    /// The expectations of one cell (names separated by `;` where several make sense).
    fn expectation(
        &mut self,
        col: &ExpectCol,
        cell: &str,
        profile: &m::Profile,
        row: u64,
        column: &str,
    ) -> Vec<m::ExpectKind> {
        let at = format!("cases file `{}`, row {row}, column `{column}`", self.shown);
        let mut out = Vec::new();
        let names = |this: &mut Self, allowed: &[&str], what: &str, code: Code| {
            let mut ok = Vec::new();
            for name in cell.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                if allowed.contains(&name) {
                    ok.push(name.to_owned());
                } else {
                    let help = Self::suggest(name, allowed, what);
                    this.error(
                        code,
                        format!("{at}: profile `{}` has no {what} `{name}`", profile.name),
                        Some(help),
                    );
                }
            }
            ok
        };
        match col {
            ExpectCol::Tier => {
                let mut allowed: Vec<&str> = profile.tiers.iter().map(|t| t.name.as_str()).collect();
                allowed.extend(BUILTIN_TIERS);
                let got = names(self, &allowed, "tier", Code::UnknownTier);
                out.extend(got.into_iter().take(1).map(m::ExpectKind::Tier));
            }
            ExpectCol::Reason => {
                let allowed: Vec<&str> = profile
                    .criteria
                    .iter()
                    .map(|c| c.name.as_str())
                    .chain(profile.excludes.iter().map(|x| x.name.as_str()))
                    .collect();
                let got = names(self, &allowed, "criterion or exclusion", Code::UnknownName);
                out.extend(got.into_iter().map(m::ExpectKind::Reason));
            }
            ExpectCol::ExcludedBy => {
                let allowed: Vec<&str> = profile.excludes.iter().map(|x| x.name.as_str()).collect();
                let got = names(self, &allowed, "exclusion", Code::UnknownName);
                out.extend(got.into_iter().map(m::ExpectKind::ExcludedBy));
            }
            ExpectCol::InSegment => {
                let allowed: Vec<&str> = profile
                    .targets
                    .iter()
                    .filter_map(|s| self.program.segment(*s))
                    .map(|s| s.name.as_str())
                    .collect();
                let got = names(self, &allowed, "target segment", Code::UnknownSegment);
                out.extend(got.into_iter().map(m::ExpectKind::InSegment));
            }
            ExpectCol::Criterion(c) => {
                let word = cell.to_lowercase();
                if ["true", "false", "unknown", "perfect", "practical"].contains(&word.as_str()) {
                    out.push(m::ExpectKind::Criterion(c.clone(), word));
                } else {
                    self.error(
                        Code::TestCasesUnreadable,
                        format!("{at}: expected `true`, `false`, `unknown`, `perfect` or `practical`, found `{cell}`"),
                        Some("write the criterion's outcome as after `expect criterion NAME`".into()),
                    );
                }
            }
            ExpectCol::Action => out.push(m::ExpectKind::Action(cell.to_owned())),
            ExpectCol::Compare(metric) => match parse_compare(cell) {
                Some((op, n)) => {
                    let value = if *metric == m::ExpectMetric::Coverage {
                        n.checked_div(m::Decimal::ONE_HUNDRED).unwrap_or(n)
                    } else {
                        n
                    };
                    out.push(m::ExpectKind::Compare {
                        metric: *metric,
                        op,
                        value,
                    });
                }
                None => self.error(
                    Code::TestCasesUnreadable,
                    format!("{at}: expected a comparison such as `>= 80` or a number, found `{cell}`"),
                    Some("write an operator (`==`, `!=`, `<`, `<=`, `>`, `>=`) and a number; a number alone means `==` (compared at two decimals); coverage is a percentage (`90` or `90%`)".into()),
                ),
            },
        }
        out
    }
}

/// `>= 80`, `80`, `< 12.5`, `90%`: an operator (default `==`) and a number (a `%` sign is
/// allowed: both the score and the coverage are written as percentages).
fn parse_compare(cell: &str) -> Option<(CmpOp, m::Decimal)> {
    let t = cell.trim();
    let ops = [
        ("==", CmpOp::Eq),
        ("!=", CmpOp::Ne),
        ("<=", CmpOp::Le),
        (">=", CmpOp::Ge),
        ("<", CmpOp::Lt),
        (">", CmpOp::Gt),
    ];
    let (op, rest) = ops
        .iter()
        .find_map(|(s, op)| t.strip_prefix(s).map(|r| (*op, r)))
        .unwrap_or((CmpOp::Eq, t));
    let num = rest.trim().trim_end_matches('%').trim();
    if num.is_empty()
        || !num
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return None;
    }
    num.parse::<m::Decimal>().ok().map(|d| (op, d))
}

/// One row as read: the decoded fields and the reserved columns' text.
struct RowOut {
    number: u64,
    error: Option<RowError>,
    values: Vec<m::Const>,
    kept: Vec<(usize, String)>,
}

/// The sink collecting rows (on the pipeline's worker thread).
struct Collect<'s> {
    schema: &'s m::Schema,
    /// The input columns to keep as text (`case`, `expect_*`).
    keep: Vec<usize>,
}

impl RowSink for Collect<'_> {
    type Local = ();
    type Stats = Vec<RowOut>;
    fn local(&self) {}
    fn row(&self, (): &mut (), stats: &mut Vec<RowOut>, row: &Row<'_>, _out: &mut Vec<u8>) {
        let values = row
            .values
            .iter()
            .zip(&self.schema.fields)
            .map(|(v, f)| owned(*v, &f.ty))
            .collect();
        let kept = self
            .keep
            .iter()
            .map(|&i| {
                let text = row
                    .column(i)
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default();
                (i, text)
            })
            .collect();
        stats.push(RowOut {
            number: row.number,
            error: row.error.cloned(),
            values,
            kept,
        });
    }
}

/// A decoded value as a constant of a test account.
fn owned(v: m::Value<'_>, ty: &m::Ty) -> m::Const {
    match v {
        m::Value::Missing => m::Const::Missing,
        m::Value::Bool(b) => m::Const::Bool(b),
        m::Value::Num(n) => m::Const::Num(n),
        m::Value::Text(t) => m::Const::Text(t.to_owned()),
        m::Value::Enum(i) => match ty {
            m::Ty::Enum(id) => m::Const::Enum(*id, i),
            _ => m::Const::Missing,
        },
        // A set's raw text, as the test row keeps it.
        m::Value::Set(s) => m::Const::Text(s.raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons() {
        let d = |s: &str| s.parse::<m::Decimal>().unwrap();
        assert_eq!(parse_compare(">= 80"), Some((CmpOp::Ge, d("80"))));
        assert_eq!(parse_compare("80"), Some((CmpOp::Eq, d("80"))));
        assert_eq!(parse_compare("<12.5"), Some((CmpOp::Lt, d("12.5"))));
        assert_eq!(parse_compare("90%"), Some((CmpOp::Eq, d("90"))));
        assert_eq!(parse_compare(">= high"), None);
        assert_eq!(parse_compare(""), None);
    }
}
