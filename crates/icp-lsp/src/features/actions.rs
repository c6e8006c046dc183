//! Code actions: every machine-applicable fix the checker attached to a diagnostic
//! (did-you-mean, add a catch-all tier, make a field optional, ...), as a quick fix.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};

use crate::world::{Analysis, ENTRY};

fn overlaps(a: Range, b: Range) -> bool {
    let key = |p: tower_lsp_server::ls_types::Position| (p.line, p.character);
    key(a.start) <= key(b.end) && key(b.start) <= key(a.end)
}

/// The quick fixes of the diagnostics that touch `range`.
pub fn code_actions(a: &Analysis, range: Range) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    for d in a.checked.diagnostics.iter().filter(|d| d.file == ENTRY) {
        let Some(fix) = &d.fix else { continue };
        let lsp_diag = crate::diag::to_lsp(d, &a.uri, &a.text);
        if !overlaps(lsp_diag.range, range) {
            continue;
        }
        let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for e in &fix.edits {
            let Some(uri) = a.uri_of(e.file) else {
                continue;
            };
            changes.entry(uri.clone()).or_default().push(TextEdit {
                range: a.range(e.file, e.span),
                new_text: e.text.clone(),
            });
        }
        if changes.is_empty() {
            continue;
        }
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: fix.title.clone(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![lsp_diag]),
            edit: Some(WorkspaceEdit {
                changes: Some(changes),
                ..WorkspaceEdit::default()
            }),
            command: None,
            is_preferred: Some(fix.edits.len() == 1),
            disabled: None,
            data: None,
        }));
    }
    out
}
