//! The "explain" code lens: on each profile of the document, when a sample of accounts is
//! configured (`[lsp] sample` or the client's `sample` setting), a lens whose command
//! ([`EXPLAIN`], arguments: the document's URI and the profile's name) explains how the
//! sample's first [`ACCOUNTS`] accounts score under the profile, as `icp explain` does. The
//! server returns the text as the command's result and shows it with `window/showMessage`,
//! which every client displays (Neovim 0.7 included).

use std::fmt::Write as _;
use std::sync::Mutex;

use icp_check::Loader;
use icp_data::{Row, RowSink};
use icp_eval::Plan;
use icp_model::ProfileId;
use tower_lsp_server::ls_types::CodeLens;

use crate::world::{Analysis, ENTRY};

/// The command of an "explain" lens.
pub const EXPLAIN: &str = "icp.explain";

/// How many of the sample's first accounts a lens explains.
pub const ACCOUNTS: usize = 3;

/// An "explain" lens on each profile of the document that checked (none without a sample
/// that can be read).
pub fn lenses(a: &Analysis, loader: &dyn Loader) -> Vec<CodeLens> {
    if !super::sample::readable(a, loader) {
        return Vec::new();
    }
    a.checked
        .program
        .profiles
        .iter()
        .filter(|p| p.loc.file == ENTRY)
        .map(|p| {
            let title = format!("▶ explain the first {ACCOUNTS} sample accounts");
            super::command_lens(a, p.loc.span, title, EXPLAIN, &p.name)
        })
        .collect()
}

/// Collects each row's explanation (or why it is invalid), by row number.
struct Sink<'p> {
    plan: &'p Plan,
    rows: Mutex<Vec<(u64, String)>>,
}

impl RowSink for Sink<'_> {
    type Local = ();
    type Stats = ();

    fn local(&self) {}

    fn row(&self, (): &mut (), (): &mut (), row: &Row<'_>, _: &mut Vec<u8>) {
        if row.number > ACCOUNTS as u64 {
            return;
        }
        let mut text = format!("account {} (line {})\n", row.number, row.line);
        match row.error {
            Some(e) => {
                let _ = writeln!(text, "invalid: {e}");
            }
            None => text.push_str(&self.plan.explain(row.values).to_text()),
        }
        self.rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((row.number, text));
    }
}

/// The explanation of the sample's first [`ACCOUNTS`] accounts under the profile `name` of
/// the document; `Err` says why there is none.
pub fn explain(a: &Analysis, loader: &dyn Loader, name: &str) -> Result<String, String> {
    let Some(path) = &a.config.sample else {
        return Err("no sample of accounts is configured (`[lsp] sample` in icp.toml)".into());
    };
    let shown = super::sample::shown(a, path);
    let program = &a.checked.program;
    let Some((i, profile)) = program
        .profiles
        .iter()
        .enumerate()
        .find(|(_, p)| p.name == name)
    else {
        return Err(format!(
            "no profile `{name}` checked without errors; fix the errors and try again"
        ));
    };
    let plan = Plan::new(program, ProfileId(i as u32), a.today)
        .map_err(|e| format!("profile `{name}`: {e}"))?;
    let schema = program
        .schemas
        .get(profile.schema.0 as usize)
        .ok_or_else(|| format!("profile `{name}` has no schema"))?;
    let text = loader
        .load(path)
        .map_err(|e| format!("sample `{shown}`: {e}"))?;
    let sink = Sink {
        plan: &plan,
        rows: Mutex::new(Vec::new()),
    };
    // The header and the first accounts (a record is read whole even if the cut falls
    // inside a quoted line break: rows past the first few are ignored).
    super::sample::read_head(a, path, &shown, &text, ACCOUNTS + 1, schema, &sink)?;
    let mut rows = sink
        .rows
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    rows.sort_by_key(|(n, _)| *n);
    if rows.is_empty() {
        return Err(format!("sample `{shown}` holds no accounts"));
    }
    let mut out = format!("`{name}` on the first accounts of `{shown}`\n");
    for (_, text) in rows {
        out.push('\n');
        out.push_str(&text);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}
