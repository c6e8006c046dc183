//! Binding schema fields to the columns of a file.

use std::fmt;

use icp_model::{Program, Schema};

use crate::decode::{self, Kind};

/// One schema field and where its cells come from.
#[derive(Debug, Clone)]
pub(crate) struct FieldReader {
    /// Field name.
    pub(crate) name: String,
    /// Column name the schema asks for.
    pub(crate) column: String,
    /// Index of the column in the header (`None`: absent, every value missing).
    pub(crate) index: Option<usize>,
    /// `index`, or `usize::MAX` when absent (no column has that index).
    pub(crate) col: usize,
    pub(crate) optional: bool,
    pub(crate) kind: Kind,
    /// `expected ...` for error messages.
    pub(crate) expected: String,
}

/// How the columns of one file map onto the fields of a schema: built once, before any row
/// is read, from the header (CSV) or the keys of the first object (JSON).
#[derive(Debug, Clone)]
pub struct Binding {
    pub(crate) fields: Vec<FieldReader>,
    /// Number of columns in the header.
    pub(crate) width: usize,
    /// Lowercased, trimmed column name → field indexes reading it (JSON rows).
    pub(crate) by_key: std::collections::HashMap<String, Vec<usize>>,
    /// Lowercased, trimmed column name → header index (first occurrence).
    pub(crate) columns: std::collections::HashMap<String, usize>,
    /// The decimal point of the file's numbers (CSV cells and JSON strings).
    pub(crate) decimal: decode::DecimalMark,
}

/// A column the schema needs and the file lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingColumn {
    /// The field.
    pub field: String,
    /// The column it reads (`from "..."`, else the field name).
    pub column: String,
    /// A header column with a similar name.
    pub suggestion: Option<String>,
}

/// Columns required by the schema that the file lacks; reported once, before any scoring.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct MissingColumnsError {
    /// Every missing column of a required field, in schema order.
    pub missing: Vec<MissingColumn>,
    /// The file's columns.
    pub header: Vec<String>,
}

impl fmt::Display for MissingColumnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.missing.len();
        write!(
            f,
            "the file lacks {} column{} the schema needs:",
            n,
            if n == 1 { "" } else { "s" }
        )?;
        for m in &self.missing {
            write!(f, "\n  - `{}`", m.column)?;
            if m.column != m.field {
                write!(f, " (field `{}`)", m.field)?;
            }
            if let Some(s) = &m.suggestion {
                write!(f, ": did you mean `{s}`?")?;
            }
        }
        let cols: Vec<String> = self.header.iter().map(|h| format!("`{h}`")).collect();
        write!(f, "\n  the file has: {}", cols.join(", "))
    }
}

/// Normalises a column name for matching: trimmed (incl. U+00A0), lowercased.
pub(crate) fn normalize(name: &str) -> String {
    decode::trim(name).to_lowercase()
}

/// One warning per column name the header holds more than once (after trimming and
/// lowercasing, as fields are matched): only the first of them is read.
fn duplicate_columns(header: &[String], normalized: &[String]) -> Vec<String> {
    let mut seen: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    let mut order = Vec::new();
    for (i, name) in normalized.iter().enumerate() {
        if name.is_empty() {
            // Unnamed columns: no field reads them.
            continue;
        }
        let at = seen.entry(name).or_default();
        if at.len() == 1 {
            order.push(name.as_str());
        }
        at.push(i);
    }
    let mut warnings = Vec::new();
    for name in order {
        let Some(at) = seen.get(name) else { continue };
        let Some(&first) = at.first() else { continue };
        let shown = header.get(first).map_or(name, String::as_str);
        let list: Vec<String> = at.iter().map(|j| (j + 1).to_string()).collect();
        warnings.push(format!(
            "column `{}` appears {} times in the header (columns {}): only the first \
             (column {}) is read",
            crate::escape_invisible(decode::trim(shown)),
            at.len(),
            list.join(", "),
            first + 1
        ));
    }
    warnings
}

impl Binding {
    /// Binds `schema`'s fields (with enums from `program`) to a CSV `header`. Returns the
    /// binding and its warnings: one per optional field whose column is absent (its values
    /// are missing), one per column name the header holds twice (the first is read).
    pub fn new(
        program: &Program,
        schema: &Schema,
        header: &[String],
    ) -> Result<(Binding, Vec<String>), MissingColumnsError> {
        Binding::with_keys(program, schema, header, false)
    }

    /// [`Binding::new`] for JSON, where `keys` are those of the first block's objects: a
    /// key the schema reads that they lack is still read from every later object (a
    /// warning says it was not seen; an object without a required key is an invalid row).
    pub(crate) fn json(
        program: &Program,
        schema: &Schema,
        keys: &[String],
    ) -> Result<(Binding, Vec<String>), MissingColumnsError> {
        Binding::with_keys(program, schema, keys, true)
    }

    fn with_keys(
        program: &Program,
        schema: &Schema,
        header: &[String],
        json: bool,
    ) -> Result<(Binding, Vec<String>), MissingColumnsError> {
        let normalized: Vec<String> = header.iter().map(|h| normalize(h)).collect();
        let mut warnings = duplicate_columns(header, &normalized);
        let mut width = header.len();
        let mut columns = crate::pipeline::column_map(header);
        let mut fields = Vec::with_capacity(schema.fields.len());
        let mut missing = Vec::new();
        let mut by_key: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, f) in schema.fields.iter().enumerate() {
            let want = normalize(&f.column);
            let mut index = normalized.iter().position(|h| *h == want);
            by_key.entry(want.clone()).or_default().push(i);
            // A list type never comes from a column; read it as text so nothing panics.
            let kind = match Kind::new(&f.ty, &program.enums) {
                Some(Kind::Percent) if f.fraction => Kind::Fraction,
                Some(kind) => kind,
                None => Kind::Text,
            };
            let expected = kind.expected(&f.ty, &program.enums);
            if index.is_none() && json {
                // Read from any object that has it: a column of its own past the keys seen.
                let col = *columns.entry(want).or_insert_with(|| {
                    width += 1;
                    width - 1
                });
                index = Some(col);
                if !header.is_empty() {
                    let mut w = format!(
                        "key `{}` (field `{}`) is in none of the first objects of the file: \
                         {} where an object lacks it",
                        f.column,
                        f.name,
                        if f.optional {
                            "its values are missing"
                        } else {
                            "the row is invalid"
                        }
                    );
                    let suggestion = icp_base::did_you_mean(
                        decode::trim(&f.column),
                        header.iter().map(|h| decode::trim(h)),
                    );
                    if let Some(s) = suggestion {
                        w.push_str("; did you mean `");
                        w.push_str(s);
                        w.push_str("`?");
                    }
                    warnings.push(w);
                }
            } else if index.is_none() {
                let suggestion = icp_base::did_you_mean(
                    decode::trim(&f.column),
                    header.iter().map(|h| decode::trim(h)),
                )
                .map(str::to_string);
                if f.optional {
                    let mut w = format!(
                        "column `{}` (optional field `{}`) is not in the file: its values are missing",
                        f.column, f.name
                    );
                    if let Some(s) = &suggestion {
                        w.push_str("; did you mean `");
                        w.push_str(s);
                        w.push_str("`?");
                    }
                    warnings.push(w);
                } else {
                    missing.push(MissingColumn {
                        field: f.name.clone(),
                        column: f.column.clone(),
                        suggestion,
                    });
                }
            }
            fields.push(FieldReader {
                name: f.name.clone(),
                column: f.column.clone(),
                index,
                col: index.unwrap_or(usize::MAX),
                optional: f.optional,
                kind,
                expected,
            });
        }
        if !missing.is_empty() {
            return Err(MissingColumnsError {
                missing,
                header: header.to_vec(),
            });
        }
        Ok((
            Binding {
                fields,
                width,
                by_key,
                columns,
                decimal: decode::DecimalMark::Point,
            },
            warnings,
        ))
    }

    /// Reads numbers with `decimal` as the decimal point; the examples of the error messages
    /// of number fields are written that way (`1.200` for `1,200`).
    pub(crate) fn set_decimal(&mut self, decimal: decode::DecimalMark) {
        self.decimal = decimal;
        if decimal == decode::DecimalMark::Point {
            return;
        }
        for f in &mut self.fields {
            if f.kind.is_number() {
                let mut quoted = false;
                f.expected = f
                    .expected
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
        }
    }

    /// Number of schema fields (the length of a decoded row).
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the schema has no fields.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Number of columns in the file's header.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The header column index field `i` reads, if present.
    pub fn column_index(&self, field: usize) -> Option<usize> {
        self.fields.get(field).and_then(|f| f.index)
    }
}
