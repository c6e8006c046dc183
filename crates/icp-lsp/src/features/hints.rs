//! Inlay hints (each criterion's share of the maximum score) and code lenses (how the
//! sample accounts named in `icp.toml` fare: per criterion, segment, exclusion and tier).

use icp_check::Loader;
use icp_syntax::ast::Item;
use tower_lsp_server::ls_types::{
    CodeLens, Command, InlayHint, InlayHintKind, InlayHintLabel, InlayHintTooltip, Position, Range,
};

use super::{criteria, max_points, num_text, share_text};
use crate::world::{Analysis, ENTRY};

fn within(p: Position, r: Range) -> bool {
    let key = |p: Position| (p.line, p.character);
    key(r.start) <= key(p) && key(p) <= key(r.end)
}

/// A hint after each criterion's weight: its share of the maximum score.
pub fn inlay_hints(a: &Analysis, range: Range) -> Vec<InlayHint> {
    let Some(file) = a.file(ENTRY) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in &file.ast.items {
        let Item::Profile(p) = item else { continue };
        let max = max_points(p);
        for c in criteria(p) {
            let Some(share) = share_text(c.weight.value, max) else {
                continue;
            };
            let position = a.text.position(c.weight.span.end as usize);
            if !within(position, range) {
                continue;
            }
            out.push(InlayHint {
                position,
                label: InlayHintLabel::String(share),
                kind: Some(InlayHintKind::PARAMETER),
                text_edits: None,
                tooltip: Some(InlayHintTooltip::String(format!(
                    "{} of the {} points of `{}`",
                    num_text(c.weight.value),
                    num_text(max),
                    p.name.name
                ))),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            });
        }
    }
    out
}

/// The command of a sample lens (`workspace/executeCommand`): the server shows the
/// lens's figures as a message (its argument).
pub const SHOW_FIGURES: &str = "icp.showSampleFigures";

/// Code lenses with the sample data's figures (none without `[lsp] sample` in `icp.toml`).
pub fn code_lenses(a: &Analysis, loader: &dyn Loader) -> Vec<CodeLens> {
    super::sample::figures(a, loader)
        .into_iter()
        .map(|(span, title)| CodeLens {
            range: a.range(ENTRY, span),
            command: Some(Command {
                command: SHOW_FIGURES.to_owned(),
                arguments: Some(vec![serde_json::Value::String(title.clone())]),
                title,
            }),
            data: None,
        })
        .collect()
}
