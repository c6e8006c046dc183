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

impl Binding {
    /// Binds `schema`'s fields (with enums from `program`) to `header`. Returns the binding
    /// and one warning per optional field whose column is absent (its values are missing).
    pub fn new(
        program: &Program,
        schema: &Schema,
        header: &[String],
    ) -> Result<(Binding, Vec<String>), MissingColumnsError> {
        let normalized: Vec<String> = header.iter().map(|h| normalize(h)).collect();
        let mut fields = Vec::with_capacity(schema.fields.len());
        let mut missing = Vec::new();
        let mut warnings = Vec::new();
        let mut by_key: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, f) in schema.fields.iter().enumerate() {
            let want = normalize(&f.column);
            let index = normalized.iter().position(|h| *h == want);
            by_key.entry(want).or_default().push(i);
            // A list type never comes from a column; read it as text so nothing panics.
            let kind = Kind::new(&f.ty, &program.enums).unwrap_or(Kind::Text);
            let expected = kind.expected(&f.ty, &program.enums);
            if index.is_none() {
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
                width: header.len(),
                by_key,
                columns: crate::pipeline::column_map(header),
            },
            warnings,
        ))
    }

    /// A binding where every column is absent (an input without any JSON object).
    pub(crate) fn absent(program: &Program, schema: &Schema) -> Binding {
        let fields = schema
            .fields
            .iter()
            .map(|f| {
                let kind = Kind::new(&f.ty, &program.enums).unwrap_or(Kind::Text);
                let expected = kind.expected(&f.ty, &program.enums);
                FieldReader {
                    name: f.name.clone(),
                    column: f.column.clone(),
                    index: None,
                    col: usize::MAX,
                    optional: f.optional,
                    kind,
                    expected,
                }
            })
            .collect();
        Binding {
            fields,
            width: 0,
            by_key: std::collections::HashMap::new(),
            columns: std::collections::HashMap::new(),
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
