//! What differs between the SQL dialects: quoting, types, and the few functions that are
//! spelled differently.

use std::fmt::Write as _;

use icp_model::Date;

/// A target SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// DuckDB.
    DuckDb,
    /// PostgreSQL.
    Postgres,
    /// Spark SQL.
    Spark,
    /// Google BigQuery (GoogleSQL).
    BigQuery,
    /// Snowflake.
    Snowflake,
}

impl Dialect {
    /// Every dialect, in the order `--dialect` lists them.
    pub const ALL: [Dialect; 5] = [
        Dialect::DuckDb,
        Dialect::Postgres,
        Dialect::Spark,
        Dialect::BigQuery,
        Dialect::Snowflake,
    ];

    /// The name `--dialect` takes.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Spark => "spark",
            Dialect::BigQuery => "bigquery",
            Dialect::Snowflake => "snowflake",
        }
    }

    /// A dialect by its `--dialect` name.
    pub fn from_name(s: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == s)
    }

    /// `name` as a quoted identifier: any text, including quotes, backslashes and
    /// semicolons, stays one identifier.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres | Dialect::Snowflake => {
                format!("\"{}\"", name.replace('"', "\"\""))
            }
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            Dialect::BigQuery => {
                let mut out = String::from("`");
                for c in name.chars() {
                    match c {
                        '`' => out.push_str("\\`"),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        _ => out.push(c),
                    }
                }
                out.push('`');
                out
            }
        }
    }

    /// `text` as a string literal. DuckDB and PostgreSQL (standard-conforming strings) only
    /// double the quote; Spark, BigQuery and Snowflake read backslash escapes, so a
    /// backslash, a quote and line breaks are escaped with one.
    pub fn string(self, text: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("'{}'", text.replace('\'', "''")),
            Dialect::Spark | Dialect::BigQuery | Dialect::Snowflake => {
                let mut out = String::from("'");
                for c in text.chars() {
                    match c {
                        '\'' => out.push_str("\\'"),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        '\0' => out.push_str("\\u0000"),
                        _ => out.push(c),
                    }
                }
                out.push('\'');
                out
            }
        }
    }

    /// The exact decimal type every number is computed in.
    pub fn decimal(self) -> &'static str {
        match self {
            Dialect::DuckDb | Dialect::Spark => "DECIMAL(38, 10)",
            Dialect::Postgres => "NUMERIC",
            Dialect::BigQuery => "BIGNUMERIC",
            Dialect::Snowflake => "NUMBER(38, 10)",
        }
    }

    /// The type of a whole number of scaled points (no decimals).
    pub fn integer(self) -> &'static str {
        match self {
            Dialect::DuckDb | Dialect::Spark => "DECIMAL(38, 0)",
            Dialect::Postgres => "NUMERIC",
            Dialect::BigQuery => "BIGNUMERIC",
            Dialect::Snowflake => "NUMBER(38, 0)",
        }
    }

    /// The text type.
    pub fn text(self) -> &'static str {
        match self {
            Dialect::DuckDb | Dialect::Snowflake => "VARCHAR",
            Dialect::Postgres => "TEXT",
            Dialect::Spark | Dialect::BigQuery => "STRING",
        }
    }

    /// The boolean type.
    pub fn boolean(self) -> &'static str {
        match self {
            Dialect::BigQuery => "BOOL",
            _ => "BOOLEAN",
        }
    }

    /// The whole-day type of durations.
    pub fn days(self) -> &'static str {
        match self {
            Dialect::BigQuery => "INT64",
            _ => "BIGINT",
        }
    }

    /// A date literal.
    pub fn date(self, d: Date) -> String {
        let (y, m, day) = d.ymd();
        format!("DATE '{y:04}-{m:02}-{day:02}'")
    }

    /// `a` + `n` days.
    pub fn date_add(self, a: &str, n: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("(({a}) + CAST({n} AS INTEGER))"),
            Dialect::Spark => format!("date_add({a}, CAST({n} AS INT))"),
            Dialect::BigQuery => format!("DATE_ADD({a}, INTERVAL CAST({n} AS INT64) DAY)"),
            Dialect::Snowflake => format!("DATEADD(day, {n}, {a})"),
        }
    }

    /// The days from `b` to `a`.
    pub fn date_diff(self, a: &str, b: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST(date_diff('day', {b}, {a}) AS BIGINT)"),
            Dialect::Postgres => format!("CAST(({a}) - ({b}) AS BIGINT)"),
            Dialect::Spark => format!("CAST(datediff({a}, {b}) AS BIGINT)"),
            Dialect::BigQuery => format!("DATE_DIFF({a}, {b}, DAY)"),
            Dialect::Snowflake => format!("DATEDIFF(day, {b}, {a})"),
        }
    }

    /// Floor division of two non-negative whole numbers, exactly.
    pub fn int_div(self, a: &str, b: &str) -> String {
        match self {
            Dialect::DuckDb => format!("(CAST({a} AS HUGEINT) // CAST({b} AS HUGEINT))"),
            Dialect::Postgres => format!("div({a}, {b})"),
            Dialect::Spark => format!("CAST(FLOOR(({a}) / ({b})) AS DECIMAL(38, 0))"),
            Dialect::BigQuery => format!("DIV({a}, {b})"),
            Dialect::Snowflake => format!("FLOOR(({a}) / ({b}))"),
        }
    }

    /// Whether `needle` occurs in `hay` (both already lower-cased), as a boolean.
    pub fn substring(self, hay: &str, needle: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres | Dialect::BigQuery => {
                format!("(STRPOS({hay}, {needle}) > 0)")
            }
            Dialect::Spark => format!("(INSTR({hay}, {needle}) > 0)"),
            Dialect::Snowflake => format!("(POSITION({needle}, {hay}) > 0)"),
        }
    }

    /// Whether the set `set` (an array of text, not NULL) holds an item equal to `needle`
    /// (not NULL) after trimming and lower-casing both.
    pub fn set_has(self, set: &str, needle: &str) -> String {
        match self {
            Dialect::DuckDb => {
                format!("list_contains([lower(trim(x)) FOR x IN {set}], lower(trim({needle})))")
            }
            Dialect::Postgres => format!(
                "EXISTS (SELECT 1 FROM unnest({set}) AS i(x) WHERE lower(trim(i.x)) = lower(trim({needle})))"
            ),
            Dialect::Spark => {
                format!("exists({set}, x -> lower(trim(x)) = lower(trim({needle})))")
            }
            Dialect::BigQuery => format!(
                "EXISTS (SELECT 1 FROM UNNEST({set}) AS x WHERE LOWER(TRIM(x)) = LOWER(TRIM({needle})))"
            ),
            Dialect::Snowflake => format!(
                "ARRAY_CONTAINS(LOWER(TRIM({needle}))::VARIANT, TRANSFORM({set}, x -> LOWER(TRIM(x::VARCHAR))::VARIANT))"
            ),
        }
    }

    /// `pattern` (a regular expression in the syntax RE2, Java, PostgreSQL's ARE and
    /// Snowflake share: `^ $ | ( ) [ ] * + ? {m,n}`, literal punctuation in brackets) as a
    /// string literal for this dialect's regex functions. Characters outside printable ASCII
    /// are written as escapes: the regex engine's (`\x{A0}` in RE2 and Java, `\u00A0` in
    /// PostgreSQL), or the string literal's in Snowflake (`\u00A0`).
    pub fn regex(self, pattern: &str) -> String {
        let printable = |c: char| (' '..='~').contains(&c);
        if self == Dialect::Snowflake {
            let mut out = String::from("'");
            for c in pattern.chars() {
                match c {
                    '\'' => out.push_str("\\'"),
                    '\\' => out.push_str("\\\\"),
                    c if printable(c) => out.push(c),
                    c => {
                        let _ = write!(out, "\\u{:04X}", u32::from(c));
                    }
                }
            }
            out.push('\'');
            return out;
        }
        let mut re = String::new();
        for c in pattern.chars() {
            if printable(c) {
                re.push(c);
            } else if self == Dialect::Postgres {
                if u32::from(c) > 0xffff {
                    let _ = write!(re, "\\U{:08X}", u32::from(c));
                } else {
                    let _ = write!(re, "\\u{:04X}", u32::from(c));
                }
            } else {
                let _ = write!(re, "\\x{{{:X}}}", u32::from(c));
            }
        }
        self.string(&re)
    }

    /// Whether the text `s` matches the anchored regex literal `re` (see [`Dialect::regex`]).
    pub fn full_match(self, s: &str, re: &str) -> String {
        match self {
            Dialect::DuckDb => format!("regexp_full_match({s}, {re})"),
            Dialect::Postgres => format!("({s} ~ {re})"),
            Dialect::Spark => format!("({s} RLIKE {re})"),
            Dialect::BigQuery => format!("REGEXP_CONTAINS({s}, {re})"),
            Dialect::Snowflake => format!("REGEXP_LIKE({s}, {re})"),
        }
    }

    /// The first match of `re` (a pattern without groups) in `s`, or `''`.
    pub fn extract(self, s: &str, re: &str) -> String {
        match self {
            Dialect::DuckDb => format!("regexp_extract({s}, {re})"),
            Dialect::Postgres => format!("COALESCE(substring({s} FROM {re}), '')"),
            Dialect::Spark => format!("regexp_extract({s}, {re}, 0)"),
            Dialect::BigQuery => format!("COALESCE(REGEXP_EXTRACT({s}, {re}), '')"),
            Dialect::Snowflake => format!("COALESCE(REGEXP_SUBSTR({s}, {re}), '')"),
        }
    }

    /// `s` with every match of `re` replaced by the SQL text `with` (a literal; see
    /// [`Dialect::group1`]).
    pub fn replace_all(self, s: &str, re: &str, with: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => {
                format!("regexp_replace({s}, {re}, {with}, 'g')")
            }
            Dialect::Spark => format!("regexp_replace({s}, {re}, {with})"),
            Dialect::BigQuery | Dialect::Snowflake => {
                format!("REGEXP_REPLACE({s}, {re}, {with})")
            }
        }
    }

    /// A replacement text that is the first group of the match.
    pub fn group1(self) -> String {
        match self {
            Dialect::Spark => self.string("$1"),
            _ => self.string("\\1"),
        }
    }

    /// Every match of `re` (a pattern without groups) in `s`, as an array of text.
    pub fn extract_all(self, s: &str, re: &str) -> String {
        match self {
            Dialect::DuckDb => format!("regexp_extract_all({s}, {re})"),
            Dialect::Postgres => {
                format!("ARRAY(SELECT m[1] FROM regexp_matches({s}, {re}, 'g') AS m)")
            }
            Dialect::Spark => format!("regexp_extract_all({s}, {re}, 0)"),
            Dialect::BigQuery => format!("REGEXP_EXTRACT_ALL({s}, {re})"),
            Dialect::Snowflake => format!("REGEXP_SUBSTR_ALL({s}, {re})"),
        }
    }

    /// `s` without the leading (`leading`) or trailing characters `0`.
    pub fn trim_zeros(self, s: &str, leading: bool) -> String {
        match (self, leading) {
            (Dialect::Spark, true) => format!("TRIM(LEADING '0' FROM {s})"),
            (Dialect::Spark, false) => format!("TRIM(TRAILING '0' FROM {s})"),
            (_, true) => format!("ltrim({s}, '0')"),
            (_, false) => format!("rtrim({s}, '0')"),
        }
    }

    /// The date of whole-number year, month and day (a valid date).
    pub fn make_date(self, y: &str, m: &str, d: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres | Dialect::Spark => {
                format!("make_date({y}, {m}, {d})")
            }
            Dialect::BigQuery => format!("DATE({y}, {m}, {d})"),
            Dialect::Snowflake => format!("DATE_FROM_PARTS({y}, {m}, {d})"),
        }
    }

    /// What goes between `name AS` and `(` of a CTE that must be computed once: PostgreSQL
    /// inlines a CTE used once, copying its expressions into every use.
    pub fn materialized(self) -> &'static str {
        match self {
            Dialect::Postgres => "MATERIALIZED ",
            _ => "",
        }
    }

    /// An exact decimal constant (`text` is a plain decimal such as `-12.5`) of the number
    /// type. BigQuery reads `0.1` as a FLOAT64 literal, and a float cast to BIGNUMERIC is not
    /// exactly one tenth, so its constants are cast from text.
    pub fn number(self, text: &str) -> String {
        match self {
            Dialect::BigQuery => format!("CAST('{text}' AS BIGNUMERIC)"),
            _ => self.cast(text, self.decimal()),
        }
    }

    /// An exact whole number below 10^38 (`text` is its digits, maybe with a `-`; a plain
    /// decimal keeps its scale), beyond the 10^28 of [`Dialect::decimal`]: the scaled points
    /// of a threshold in `100 * points >= threshold * W`.
    pub fn exact(self, text: &str) -> String {
        let scale = text.split_once('.').map_or(0, |(_, f)| f.len());
        match self {
            Dialect::DuckDb | Dialect::Spark => format!("CAST({text} AS DECIMAL(38, {scale}))"),
            Dialect::Snowflake => format!("CAST({text} AS NUMBER(38, {scale}))"),
            Dialect::Postgres | Dialect::BigQuery => self.number(text),
        }
    }

    /// `whole` hundredths (an exact whole number) as an exact decimal. `* 0.01` would be a
    /// FLOAT64 product in BigQuery; a BIGNUMERIC divided by 100 stays exact.
    pub fn hundredths(self, whole: &str) -> String {
        match self {
            Dialect::BigQuery => format!("{whole} / 100"),
            _ => format!("{whole} * 0.01"),
        }
    }

    /// The sum (`op` `+`) or difference (`-`) of two numbers, in the number type. Spark's sum
    /// of two `DECIMAL(38, 10)` is a `DECIMAL(38, 9)`, rounding the tenth decimal: operands
    /// below 10^27 are added as `DECIMAL(37, 10)` (exact), larger ones with `TRY_CAST` to the
    /// number type (a result of 10^28 or more is missing). The other dialects: `(a op b)`.
    pub fn add(self, op: char, a: &str, b: &str) -> String {
        if self == Dialect::Spark {
            let t = self.decimal();
            return format!(
                "(CASE WHEN ABS({a}) < 1000000000000000000000000000 AND ABS({b}) < 1000000000000000000000000000 THEN CAST({a} AS DECIMAL(37, 10)) {op} CAST({b} AS DECIMAL(37, 10)) ELSE TRY_CAST(try_{}({a}, {b}) AS {t}) END)",
                if op == '+' { "add" } else { "subtract" }
            );
        }
        format!("({a} {op} {b})")
    }

    /// The product of two numbers, in the number type. Spark's decimal rules keep only 6
    /// decimals of a product of two `DECIMAL(38, 10)` and, with `spark.sql.ansi.enabled`,
    /// raise on a result beyond the type: operands below 10^13 and 10^14 are multiplied as
    /// `DECIMAL(23, 10)` and `DECIMAL(24, 10)` (the exact product, cut to 10 decimals), larger
    /// ones with `try_multiply` and `TRY_CAST` (6 decimals; a result of 10^28 or more is
    /// missing, as an overflow is natively). The other dialects: `CAST(a * b AS ..)`.
    pub fn mul(self, a: &str, b: &str) -> String {
        let t = self.decimal();
        if self == Dialect::Spark {
            return format!(
                "(CASE WHEN ABS({a}) < 10000000000000 AND ABS({b}) < 100000000000000 THEN CAST(CAST({a} AS DECIMAL(23, 10)) * CAST({b} AS DECIMAL(24, 10)) AS {t}) ELSE TRY_CAST(try_multiply(CAST({a} AS {t}), CAST({b} AS {t})) AS {t}) END)"
            );
        }
        self.cast(&format!("({a}) * ({b})"), t)
    }

    /// The quotient of two numbers (`b` is not zero), in the number type. Spark keeps 6
    /// decimals of `DECIMAL(38, 10) / DECIMAL(38, 10)` and raises beyond the type: a dividend
    /// below 10^14 is divided as `DECIMAL(24, 10)` (14 decimals, cut to 10), a larger one with
    /// `try_divide` and `TRY_CAST` (6 decimals; 10^28 or more is missing).
    pub fn div(self, a: &str, b: &str) -> String {
        let t = self.decimal();
        if self == Dialect::Spark {
            return format!(
                "(CASE WHEN ABS({a}) < 100000000000000 THEN CAST(CAST({a} AS DECIMAL(24, 10)) / CAST({b} AS {t}) AS {t}) ELSE TRY_CAST(try_divide(CAST({a} AS {t}), CAST({b} AS {t})) AS {t}) END)"
            );
        }
        self.cast(&format!("{} / ({b})", self.cast(a, t)), t)
    }

    /// `x` cast to `ty`.
    pub fn cast(self, x: &str, ty: &str) -> String {
        format!("CAST({x} AS {ty})")
    }
}
