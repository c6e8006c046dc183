//! `--raw-text`: the `read` stage for a table of text columns, with `icp score`'s value
//! readers (docs/language.md "Reading data") compiled to SQL.
//!
//! The stage is five CTEs, each naming what the next one reads:
//! - `read_cells`: every field's cell trimmed (`t_F`; whitespace and U+00A0, a `NULL` cell
//!   is an empty one);
//! - `read_tokens`: for number fields, whether the cell has the reader's form (`ok_F`), its
//!   sign (`neg_F`), every digit of its mantissa (`digits_F`) and where the decimal point
//!   falls once the exponent and the suffix are applied (`point_F`); for dates, the year,
//!   month and day;
//! - `read_shape`: the significant digits (`sig_F`) and the point's place among them
//!   (`at_F`);
//! - `read_values`: the typed value `f_F`, `NULL` when missing or unreadable;
//! - `read`: the values and the row's `error` (every unreadable or missing required cell).
//!
//! A number is built as exact decimal text from its digits and cast once, so no cell can make
//! the query fail, and the value is exact (up to the dialect's decimal: see docs/sql.md).

use std::fmt::Write as _;

use icp_model::{Field, Ty};

use crate::Compiler;

/// Unicode's White_Space characters (what `char::is_whitespace` trims natively), as the
/// inside of a regex bracket expression.
const WS: &str =
    "\u{9}-\u{d} \u{85}\u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";

/// The largest number of digits before or after the point a number cell may have (the
/// native reader's 28 decimals; SQL's `DECIMAL(38, 10)` holds 28 digits before the point).
const MAX_DIGITS: u32 = 28;

/// How a field's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reader {
    Bool,
    Int,
    Number,
    Money,
    Percent,
    Fraction,
    Text,
    Date,
    Duration,
    Enum,
    Set,
}

impl Reader {
    fn of(f: &Field) -> Reader {
        match &f.ty {
            Ty::Bool => Reader::Bool,
            Ty::Int => Reader::Int,
            Ty::Number => Reader::Number,
            Ty::Money => Reader::Money,
            Ty::Percent if f.fraction => Reader::Fraction,
            Ty::Percent => Reader::Percent,
            Ty::Text | Ty::List(_) => Reader::Text,
            Ty::Date => Reader::Date,
            Ty::Duration => Reader::Duration,
            Ty::Enum(_) => Reader::Enum,
            Ty::Set(_) => Reader::Set,
        }
    }

    fn is_number(self) -> bool {
        matches!(
            self,
            Reader::Int
                | Reader::Number
                | Reader::Money
                | Reader::Percent
                | Reader::Fraction
                | Reader::Duration
        )
    }
}

impl Compiler<'_> {
    fn col(&self, prefix: &str, f: &Field) -> String {
        self.id(&format!("{prefix}_{}", f.name))
    }

    fn re(&self, pattern: &str) -> String {
        self.d.regex(pattern)
    }

    /// Whether the trimmed cell `t` is a missing marker: empty (not for sets, where it is the
    /// empty set), `-`, `NA`, `N/A`, `null`, in any case.
    fn missing(t: &str, set: bool) -> String {
        if set {
            format!("lower({t}) IN ('-', 'na', 'n/a', 'null')")
        } else {
            format!("lower({t}) IN ('', '-', 'na', 'n/a', 'null')")
        }
    }

    /// The anchored regex of a number reader's cells, in the file's decimal mark.
    fn number_form(&self, r: Reader) -> String {
        let (point, group) = if self.comma {
            (",", "[.]")
        } else {
            ("[.]", ",")
        };
        let frac = if r == Reader::Int {
            format!("({point}0*)?")
        } else {
            format!("({point}[0-9]*)?")
        };
        let lead = if r == Reader::Int {
            format!("{point}0+")
        } else {
            format!("{point}[0-9]+")
        };
        let mantissa = format!("([0-9]+{frac}|{lead}|[1-9][0-9]{{0,2}}({group}[0-9]{{3}})+{frac})");
        let prefix = if r == Reader::Money {
            "(-|[+]|[$] *|-[$] *|[+]-|[+][+]|[+][$] *|[$] *-|[$] *[+])?"
        } else {
            "(-|[+]|[+]-|[+][+])?"
        };
        let exponent = if r == Reader::Int {
            ""
        } else {
            "([Ee][-+]?[0-9]+)?"
        };
        let suffix = match r {
            Reader::Money => {
                "([ \u{a0}]*([Kk]|[Mm]|[Bb]|[Tt][Hh][Oo][Uu][Ss][Aa][Nn][Dd]|[Mm][Ii][Ll][Ll][Ii][Oo][Nn]|[Mm][Mm]|[Bb][Ii][Ll][Ll][Ii][Oo][Nn]|[Bb][Nn]))?"
                    .to_owned()
            }
            Reader::Percent | Reader::Fraction => "([ \u{a0}]*%)?".to_owned(),
            Reader::Duration => "([ \u{a0}]*[DdWw])?".to_owned(),
            _ => String::new(),
        };
        format!("^{prefix}{mantissa}{exponent}{suffix}$")
    }

    /// The power of ten of a number cell's suffix (`suffix` is the lowercased letters and `%`
    /// at its end).
    fn suffix_power(r: Reader, suffix: &str) -> String {
        match r {
            Reader::Money => format!(
                "CASE {suffix} WHEN 'k' THEN 3 WHEN 'thousand' THEN 3 WHEN 'm' THEN 6 WHEN 'million' THEN 6 WHEN 'mm' THEN 6 WHEN 'b' THEN 9 WHEN 'billion' THEN 9 WHEN 'bn' THEN 9 ELSE 0 END"
            ),
            Reader::Percent => "-2".to_owned(),
            Reader::Fraction => format!("CASE WHEN {suffix} = '%' THEN -2 ELSE 0 END"),
            _ => "0".to_owned(),
        }
    }

    /// The text a native error quotes: `, found `CELL`` (the first 60 characters), or `, found
    /// an empty cell`.
    fn found(&self, t: &str) -> String {
        let d = self.d;
        format!(
            "CASE WHEN {t} = '' THEN {} WHEN LENGTH({t}) > 60 THEN {} || SUBSTR({t}, 1, 60) || {} ELSE {} || {t} || {} END",
            d.string(", found an empty cell"),
            d.string(", found `"),
            d.string("…`"),
            d.string(", found `"),
            d.string("`"),
        )
    }

    /// What a cell of the field should look like, as `icp score`'s error says it.
    fn expected(&self, f: &Field, r: Reader) -> String {
        let text = match r {
            Reader::Bool => "expected `true`, `false`, `yes`, `no`, `y`, `n`, `1` or `0`".into(),
            Reader::Int => "expected a whole number like `1,200`".into(),
            Reader::Number => "expected a number like `3.5`".into(),
            Reader::Money => "expected money like `$1.2M`, `36.9 M` or `850000`".into(),
            Reader::Percent => "expected a percent like `33.3%` or `33.3`".into(),
            Reader::Fraction => "expected a fraction like `0.333` or a percent like `33.3%`".into(),
            Reader::Text | Reader::Set => "expected text".into(),
            Reader::Date => "expected a date like `2027-01-31`".into(),
            Reader::Duration => "expected a duration in days like `90`, `90d` or `12w`".into(),
            Reader::Enum => {
                let Ty::Enum(e) = &f.ty else {
                    return String::new();
                };
                let Some(t) = self.program.enum_ty(*e) else {
                    return String::new();
                };
                if t.variants.len() > 8 {
                    let first: Vec<String> = t
                        .variants
                        .iter()
                        .take(5)
                        .map(|v| format!("`{}`", v.name))
                        .collect();
                    format!(
                        "expected one of the {} values of the enum ({}, …)",
                        t.variants.len(),
                        first.join(", ")
                    )
                } else {
                    let names: Vec<String> = t
                        .variants
                        .iter()
                        .map(|v| {
                            if v.strings.is_empty() {
                                format!("`{}`", v.name)
                            } else {
                                let strs: Vec<String> =
                                    v.strings.iter().map(|s| format!("`{s}`")).collect();
                                format!("`{}` ({})", v.name, strs.join(", "))
                            }
                        })
                        .collect();
                    format!("expected one of {}", names.join(", "))
                }
            }
        };
        if self.comma && r.is_number() {
            // The examples written with a decimal comma, as natively.
            let mut quoted = false;
            return text
                .chars()
                .map(|c| match c {
                    '`' => {
                        quoted = !quoted;
                        c
                    }
                    '.' if quoted => ',',
                    ',' if quoted => '.',
                    c => c,
                })
                .collect();
        }
        text
    }

    /// The trimmed text of a column.
    fn trimmed(&self, col: &str) -> String {
        let d = self.d;
        let text = format!("COALESCE({}, '')", d.cast(col, d.text()));
        d.replace_all(
            &text,
            &self.re(&format!("^[{WS}]+|[{WS}]+$")),
            &d.string(""),
        )
    }

    /// The `read` stage of `--raw-text`: `WITH read_cells AS (...), ..., read AS (...),`.
    #[allow(clippy::too_many_lines, reason = "one CTE after the other")]
    pub(crate) fn raw_read(&self, table: &str, keyless: bool) -> String {
        let d = self.d;
        let fields: Vec<(&Field, Reader)> = self
            .schema
            .fields
            .iter()
            .map(|f| (f, Reader::of(f)))
            .collect();
        let m = self.d.materialized();
        let mut q = format!(
            "WITH read_cells AS {m}(\n  -- t_F: each cell trimmed of whitespace and U+00A0 (NULL is an empty cell)\n  SELECT\n"
        );
        let mut cols: Vec<String> = fields
            .iter()
            .map(|(f, _)| {
                format!(
                    "    {} AS {}",
                    self.trimmed(&self.id(&f.column)),
                    self.col("t", f)
                )
            })
            .collect();
        if keyless {
            cols.push(format!("    ROW_NUMBER() OVER () AS {}", self.id("row")));
        }
        q.push_str(&cols.join(",\n"));
        let _ = write!(q, "\n  FROM {}\n),\n", self.id(table));
        // tokens
        let _ = write!(
            q,
            "read_tokens AS {m}(\n  -- ok_F: the cell has the reader's form; neg_F, digits_F: its sign and digits;\n  -- point_F: the decimal point's place in digits_F after the exponent and suffix\n  SELECT\n    read_cells.*"
        );
        let group = if self.comma { "[0-9.]" } else { "[0-9,]" };
        for (f, r) in &fields {
            let t = self.col("t", f);
            if r.is_number() {
                let ok = format!(
                    "(NOT ({}) AND {})",
                    Self::missing(&t, false),
                    d.full_match(&t, &self.re(&self.number_form(*r)))
                );
                let neg = d.substring(&d.extract(&t, &self.re("^[-+$ ]*")), "'-'");
                let digits_of = |s: String| d.replace_all(&s, &self.re("[^0-9]"), &d.string(""));
                let digits = digits_of(d.extract(&t, &self.re("^[-+$ ]*[0-9.,]*")));
                let int_len = format!(
                    "LENGTH({})",
                    digits_of(d.extract(&t, &self.re(&format!("^[-+$ ]*{group}*"))))
                );
                let suffix = format!("lower({})", d.extract(&t, &self.re("[A-Za-z%]*$")));
                let exp = d.extract(&t, &self.re("[Ee][-+]?[0-9]+"));
                let exp_digits = digits_of(exp.clone());
                let exp = format!(
                    "CASE WHEN {exp} = '' THEN 0 WHEN LENGTH({}) > 9 THEN NULL ELSE {} END",
                    d.trim_zeros(&exp_digits, true),
                    d.cast(&format!("SUBSTR({exp}, 2)"), "INTEGER")
                );
                let _ = write!(
                    q,
                    ",\n    {ok} AS {},\n    {neg} AS {},\n    {digits} AS {},\n    {int_len} + ({}) + ({exp}) AS {}",
                    self.col("ok", f),
                    self.col("neg", f),
                    self.col("digits", f),
                    Self::suffix_power(*r, &suffix),
                    self.col("point", f),
                );
                if *r == Reader::Duration {
                    let _ = write!(q, ",\n    {suffix} = 'w' AS {}", self.col("weeks", f));
                }
            } else if *r == Reader::Date {
                let ok = format!(
                    "(NOT ({}) AND {} AND (LENGTH({t}) = 10 OR SUBSTR({t}, 11, 1) IN ('T', 't', ' ')))",
                    Self::missing(&t, false),
                    d.full_match(
                        &format!("SUBSTR({t}, 1, 10)"),
                        &self.re("^[0-9]{4}-([0-9]{2}|[+][0-9])-([0-9]{2}|[+][0-9])$")
                    )
                );
                for (name, from, len) in [("year", 1, 4), ("month", 6, 2), ("day", 9, 2)] {
                    let _ = write!(
                        q,
                        ",\n    CASE WHEN {ok} THEN {} END AS {}",
                        d.cast(&format!("SUBSTR({t}, {from}, {len})"), "INTEGER"),
                        self.col(name, f)
                    );
                }
            }
        }
        q.push_str("\n  FROM read_cells\n),\n");
        // shape
        let _ = write!(
            q,
            "read_shape AS {m}(\n  -- sig_F: the significant digits; at_F: the point's place among them\n  SELECT\n    read_tokens.*"
        );
        for (f, r) in &fields {
            if r.is_number() {
                let digits = self.col("digits", f);
                let _ = write!(
                    q,
                    ",\n    {} AS {},\n    {} - (LENGTH({digits}) - LENGTH({})) AS {}",
                    d.trim_zeros(&d.trim_zeros(&digits, true), false),
                    self.col("sig", f),
                    self.col("point", f),
                    d.trim_zeros(&digits, true),
                    self.col("at", f),
                );
            }
        }
        q.push_str("\n  FROM read_tokens\n),\n");
        // values
        let _ = write!(
            q,
            "read_values AS {m}(\n  -- f_F: the typed value, NULL when missing or unreadable\n  SELECT\n"
        );
        let mut cols: Vec<String> = Vec::new();
        for (f, r) in &fields {
            let t = self.col("t", f);
            cols.push(format!("    {t}"));
            let value = self.raw_value(f, *r, &t);
            cols.push(format!("    {value} AS {}", self.col("f", f)));
        }
        if keyless {
            cols.push(format!("    {}", self.id("row")));
        }
        q.push_str(&cols.join(",\n"));
        q.push_str("\n  FROM read_shape\n),\n");
        // read
        let _ = write!(
            q,
            "read AS {m}(\n  -- icp_error: every missing required or unreadable cell, as `icp score` names them\n  SELECT\n"
        );
        let mut cols: Vec<String> = fields
            .iter()
            .map(|(f, _)| format!("    {}", self.col("f", f)))
            .collect();
        if keyless {
            cols.push(format!("    {}", self.id("row")));
        }
        let mut parts = Vec::new();
        for (f, r) in &fields {
            let t = self.col("t", f);
            let set = *r == Reader::Set;
            let required = if f.optional {
                "''".to_owned()
            } else {
                format!(
                    "{} || {}",
                    d.string(&format!(
                        "; column `{}`: a value is required (field `{}` is not optional)",
                        f.column, f.name
                    )),
                    self.found(&t)
                )
            };
            let never_unreadable = matches!(r, Reader::Text | Reader::Set)
                || (*r == Reader::Enum && self.catch_all(f));
            let unreadable = !never_unreadable;
            if f.optional && !unreadable {
                continue;
            }
            let mut part = format!("CASE WHEN {} THEN {required}", Self::missing(&t, set));
            if unreadable {
                let _ = write!(
                    part,
                    " WHEN {} IS NULL THEN {} || {}",
                    self.col("f", f),
                    d.string(&format!(
                        "; column `{}`: {}",
                        f.column,
                        self.expected(f, *r)
                    )),
                    self.found(&t)
                );
            }
            part.push_str(" ELSE '' END");
            parts.push(part);
        }
        let error = if parts.is_empty() {
            d.cast("NULL", d.text())
        } else {
            format!("NULLIF(SUBSTR({}, 3), '')", parts.join("\n      || "))
        };
        cols.push(format!("    {error} AS icp_error"));
        q.push_str(&cols.join(",\n"));
        q.push_str("\n  FROM read_values\n),\n");
        q
    }

    fn catch_all(&self, f: &Field) -> bool {
        match &f.ty {
            Ty::Enum(e) => self
                .program
                .enum_ty(*e)
                .is_some_and(|t| t.catch_all.is_some()),
            _ => false,
        }
    }

    /// The typed value of a field in `read_values`: `NULL` when missing or unreadable.
    fn raw_value(&self, f: &Field, r: Reader, t: &str) -> String {
        let d = self.d;
        let missing = Self::missing(t, false);
        match r {
            Reader::Text => format!("CASE WHEN {missing} THEN NULL ELSE {t} END"),
            Reader::Bool => format!(
                "CASE WHEN lower({t}) IN ('true', 'yes', 'y', '1') THEN TRUE WHEN lower({t}) IN ('false', 'no', 'n', '0') THEN FALSE END"
            ),
            Reader::Enum => {
                let Ty::Enum(e) = &f.ty else {
                    return "NULL".into();
                };
                let Some(ty) = self.program.enum_ty(*e) else {
                    return "NULL".into();
                };
                let mut out = format!("CASE WHEN {missing} THEN NULL");
                for v in &ty.variants {
                    let mut names = vec![d.string(&v.name.to_lowercase())];
                    for s in &v.strings {
                        let s = d.string(&native_trim(s).to_lowercase());
                        if !names.contains(&s) {
                            names.push(s);
                        }
                    }
                    let _ = write!(
                        out,
                        " WHEN lower({t}) IN ({}) THEN {}",
                        names.join(", "),
                        d.string(&v.name)
                    );
                }
                if let Some(v) = ty.catch_all.and_then(|i| ty.variants.get(i as usize)) {
                    let _ = write!(out, " ELSE {}", d.string(&v.name));
                }
                out.push_str(" END");
                out
            }
            Reader::Set => {
                // The inside of a JSON array of strings (without escapes), whole numbers,
                // booleans and nulls; the brackets are checked apart (`[` and `]` in a regex
                // bracket expression are read differently by Java and POSIX).
                let item = "(\"[^\"\\\\\u{1}-\u{1f}]*\"|0|-?[1-9][0-9]{0,17}|true|false|null)";
                let json_ws = "[ \t\n\r]*";
                let inside = self.re(&format!(
                    "^{json_ws}({item}({json_ws},{json_ws}{item})*)?{json_ws}$"
                ));
                let json = format!(
                    "SUBSTR({t}, 1, 1) = '[' AND SUBSTR({t}, LENGTH({t}), 1) = ']' AND {}",
                    d.full_match(
                        &format!("SUBSTR({t}, 2, GREATEST(LENGTH({t}) - 2, 0))"),
                        &inside
                    )
                );
                let no_nulls = d.replace_all(t, &self.re("(\"[^\"]*\")|null"), &d.group1());
                let inner = format!("SUBSTR({no_nulls}, 2, GREATEST(LENGTH({no_nulls}) - 2, 0))");
                let items_of = |s: &str| {
                    d.extract_all(
                        s,
                        &self.re(&format!(
                            "[^;|,\u{1f}{WS}][^;|,\u{1f}]*[^;|,\u{1f}{WS}]|[^;|,\u{1f}{WS}]"
                        )),
                    )
                };
                format!(
                    "CASE WHEN {} THEN NULL WHEN {} THEN {} ELSE {} END",
                    Self::missing(t, true),
                    json,
                    items_of(&format!("REPLACE({inner}, '\"', '')")),
                    items_of(t)
                )
            }
            Reader::Date => {
                let (y, m, day) = (
                    self.col("year", f),
                    self.col("month", f),
                    self.col("day", f),
                );
                format!(
                    "CASE WHEN {y} >= 1 AND {m} BETWEEN 1 AND 12 AND {day} >= 1 AND {day} <= CASE WHEN {m} = 2 THEN CASE WHEN MOD({y}, 4) = 0 AND (MOD({y}, 100) <> 0 OR MOD({y}, 400) = 0) THEN 29 ELSE 28 END WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END THEN {} END",
                    d.make_date(&y, &m, &day)
                )
            }
            _ => {
                let (ok, neg, sig, at, point, digits) = (
                    self.col("ok", f),
                    self.col("neg", f),
                    self.col("sig", f),
                    self.col("at", f),
                    self.col("point", f),
                    self.col("digits", f),
                );
                let text = format!(
                    "CASE WHEN {neg} THEN '-' ELSE '' END || CASE WHEN {sig} = '' THEN '0' WHEN {at} <= 0 THEN '0.' || REPEAT('0', -{at}) || {sig} WHEN {at} >= LENGTH({sig}) THEN {sig} || REPEAT('0', {at} - LENGTH({sig})) ELSE SUBSTR({sig}, 1, {at}) || '.' || SUBSTR({sig}, {at} + 1) END"
                );
                let mut value = d.cast(&text, d.decimal());
                if r == Reader::Duration {
                    value = format!(
                        "{value} * CASE WHEN {} THEN 7 ELSE 1 END",
                        self.col("weeks", f)
                    );
                }
                format!(
                    "CASE WHEN {ok} AND {at} IS NOT NULL AND (({sig} = '' AND {point} - LENGTH({digits}) <= 38) OR ({at} <= {MAX_DIGITS} AND LENGTH({sig}) - {at} <= {MAX_DIGITS} AND LENGTH({sig}) <= {MAX_DIGITS})) THEN {value} END"
                )
            }
        }
    }
}

/// Trims whitespace and U+00A0, as the native readers do.
fn native_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}')
}
