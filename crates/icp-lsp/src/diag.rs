//! Converting the toolchain's diagnostics into LSP diagnostics: the same code (`icp::name`),
//! message, severity and help as `icp check`, secondary labels as related information.

use icp_syntax::{Diagnostic, Severity};
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location,
    NumberOrString, Uri,
};

use crate::text::Text;

/// Convert one diagnostic of the file `uri` whose text is `text`.
pub fn to_lsp(d: &Diagnostic, uri: &Uri, text: &Text) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    if !d.label.is_empty() && d.label != d.message {
        message.push('\n');
        message.push_str(&d.label);
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .map(|l| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: text.range(l.span),
            },
            message: if l.message.is_empty() {
                d.message.clone()
            } else {
                l.message.clone()
            },
        })
        .collect();
    let tags = match d.code {
        icp_syntax::Code::UnusedLet
        | icp_syntax::Code::UnreachableTier
        | icp_syntax::Code::PracticalUnreachable => Some(vec![DiagnosticTag::UNNECESSARY]),
        _ => None,
    };
    lsp::Diagnostic {
        range: text.range(d.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: None,
        source: Some("icp".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags,
        data: d
            .fix
            .as_ref()
            .map(|f| serde_json::json!({ "fix": f.title })),
    }
}
