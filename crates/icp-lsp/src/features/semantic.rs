//! Semantic tokens (full): the lexer's tokens, names classified by the symbol index.

use std::collections::HashMap;

use icp_check::DefKind;
use icp_syntax::TokenKind;
use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensLegend,
};

use crate::world::{Analysis, ENTRY};

/// Token types, in legend order.
pub const TYPES: &[SemanticTokenType] = &[
    SemanticTokenType::KEYWORD,     // 0
    SemanticTokenType::TYPE,        // 1
    SemanticTokenType::PROPERTY,    // 2 field, goal, capability
    SemanticTokenType::ENUM_MEMBER, // 3 variant, tier
    SemanticTokenType::CLASS,       // 4 segment
    SemanticTokenType::NAMESPACE,   // 5 situation, profile, group
    SemanticTokenType::VARIABLE,    // 6 let
    SemanticTokenType::FUNCTION,    // 7 criterion, exclusion
    SemanticTokenType::STRING,      // 8
    SemanticTokenType::NUMBER,      // 9
    SemanticTokenType::COMMENT,     // 10
    SemanticTokenType::OPERATOR,    // 11
    SemanticTokenType::STRUCT,      // 12 schema
];

/// Token modifiers, in legend order.
pub const MODIFIERS: &[SemanticTokenModifier] = &[SemanticTokenModifier::DECLARATION];

/// The legend announced at initialisation.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: MODIFIERS.to_vec(),
    }
}

fn type_of(kind: DefKind) -> u32 {
    match kind {
        DefKind::Schema => 12,
        DefKind::Field | DefKind::Goal | DefKind::Capability => 2,
        DefKind::Variant | DefKind::Tier => 3,
        DefKind::Segment => 4,
        DefKind::Situation | DefKind::Profile | DefKind::Group => 5,
        DefKind::Let => 6,
        DefKind::Criterion | DefKind::Exclude => 7,
        DefKind::Test => 8,
    }
}

/// The semantic tokens of the analysed document.
pub fn tokens(a: &Analysis) -> SemanticTokens {
    let src = &a.text.src;
    let syms = &a.checked.symbols;
    let mut names: HashMap<u32, (u32, u32)> = HashMap::new();
    for d in syms.defs.iter().filter(|d| d.file == ENTRY) {
        names.insert(d.name_span.start, (type_of(d.kind), 1));
    }
    for r in syms.refs.iter().filter(|r| r.file == ENTRY) {
        if let Some(d) = syms.defs.get(r.def) {
            names.entry(r.span.start).or_insert((type_of(d.kind), 0));
        }
    }
    let mut data = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    for t in icp_syntax::tokens(src) {
        let text = t.span.text(src);
        let class = match t.kind {
            TokenKind::Comment => Some((10, 0)),
            TokenKind::String => names.get(&t.span.start).copied().or(Some((8, 0))),
            TokenKind::Number => Some((9, 0)),
            TokenKind::Operator => Some((11, 0)),
            TokenKind::Keyword if icp_syntax::TYPE_NAMES.contains(&text) => Some((1, 0)),
            TokenKind::Keyword => Some((0, 0)),
            TokenKind::Ident => names.get(&t.span.start).copied(),
            TokenKind::Punct => None,
        };
        let Some((ty, modifiers)) = class else {
            continue;
        };
        let pos = a.text.position(t.span.start as usize);
        let length: u32 = text.chars().map(|c| c.len_utf16() as u32).sum();
        if length == 0 {
            continue;
        }
        let delta_line = pos.line.saturating_sub(prev_line);
        let delta_start = if delta_line == 0 {
            pos.character.saturating_sub(prev_col)
        } else {
            pos.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: ty,
            token_modifiers_bitset: modifiers,
        });
        prev_line = pos.line;
        prev_col = pos.character;
    }
    SemanticTokens {
        result_id: None,
        data,
    }
}
