//! The lossless concrete syntax tree: every byte of the source, comments and whitespace
//! included, in a [rowan] tree.
//!
//! The tree is built in the same pass as the typed tree ([`crate::ast`]), from the same pest
//! parse: a node per (non-silent) grammar rule, a token per innermost rule, and the text
//! between them (whitespace, comments, punctuation that the grammar matches as a literal)
//! as [`SyntaxKind::WHITESPACE`], [`SyntaxKind::COMMENT`] and [`SyntaxKind::TOKEN`] tokens.
//! A clause or item that does not parse is an [`SyntaxKind::ERROR`] node holding the
//! lexer's tokens, inside an otherwise intact item: `tree.text() == source` for every input,
//! broken or not.
//!
//! Node kinds are the grammar's rule names (`SyntaxKind::from_rule_name("criterion")`), so
//! the tree cannot drift from `grammar/icp.pest`.
//!
//! ```
//! let (_, tree) = icp_syntax::parse_with_tree("profile p {\n  criterion c wei\n  tier top >= 50 // t\n}\n");
//! assert_eq!(tree.text().to_string(), "profile p {\n  criterion c wei\n  tier top >= 50 // t\n}\n");
//! let profile = tree.first_child().unwrap();
//! assert_eq!(profile.kind(), icp_syntax::SyntaxKind::from_rule_name("profile").unwrap());
//! let kinds: Vec<String> = profile.children().map(|c| format!("{:?}", c.kind())).collect();
//! assert_eq!(kinds, ["ERROR", "tier"]);
//! ```

use std::fmt;

use pest::iterators::Pair;
use rowan::{GreenNode, GreenNodeBuilder, GreenToken, NodeOrToken};

use crate::lexer::{Tok, TokenKind};
use crate::parser::Rule;

/// The kind of a node or token of the lossless tree: a grammar rule, or one of the extra
/// kinds below.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SyntaxKind(u16);

impl SyntaxKind {
    /// The whole file.
    pub const ROOT: SyntaxKind = SyntaxKind(u16::MAX - 10);
    /// A clause or item that does not parse (its tokens are the lexer's).
    pub const ERROR: SyntaxKind = SyntaxKind(u16::MAX - 9);
    /// A `//` comment.
    pub const COMMENT: SyntaxKind = SyntaxKind(u16::MAX - 8);
    /// Spaces, tabs, line ends (and a byte-order mark).
    pub const WHITESPACE: SyntaxKind = SyntaxKind(u16::MAX - 7);
    /// Punctuation the grammar matches as a literal (`.` in `a.b`, `[`, `|`), not a rule.
    pub const TOKEN: SyntaxKind = SyntaxKind(u16::MAX - 6);
    /// In an error node: a name.
    pub const IDENT: SyntaxKind = SyntaxKind(u16::MAX - 5);
    /// In an error node: a keyword.
    pub const KEYWORD: SyntaxKind = SyntaxKind(u16::MAX - 4);
    /// In an error node: a number, amount, percentage, duration or date.
    pub const NUMBER: SyntaxKind = SyntaxKind(u16::MAX - 3);
    /// In an error node: a string (possibly unterminated).
    pub const STRING: SyntaxKind = SyntaxKind(u16::MAX - 2);
    /// In an error node: an operator.
    pub const OPERATOR: SyntaxKind = SyntaxKind(u16::MAX - 1);
    /// In an error node: punctuation or a character the language does not use.
    pub const PUNCT: SyntaxKind = SyntaxKind(u16::MAX);

    const EXTRA: [(SyntaxKind, &'static str); 11] = [
        (SyntaxKind::ROOT, "ROOT"),
        (SyntaxKind::ERROR, "ERROR"),
        (SyntaxKind::COMMENT, "COMMENT"),
        (SyntaxKind::WHITESPACE, "WHITESPACE"),
        (SyntaxKind::TOKEN, "TOKEN"),
        (SyntaxKind::IDENT, "IDENT"),
        (SyntaxKind::KEYWORD, "KEYWORD"),
        (SyntaxKind::NUMBER, "NUMBER"),
        (SyntaxKind::STRING, "STRING"),
        (SyntaxKind::OPERATOR, "OPERATOR"),
        (SyntaxKind::PUNCT, "PUNCT"),
    ];

    pub(crate) fn of_rule(rule: Rule) -> SyntaxKind {
        if rule == Rule::WHITESPACE {
            return SyntaxKind::WHITESPACE;
        }
        SyntaxKind(rule as u16)
    }

    fn rule(self) -> Option<Rule> {
        if self == SyntaxKind::WHITESPACE {
            return Some(Rule::WHITESPACE);
        }
        Rule::all_rules()
            .iter()
            .find(|r| **r as u16 == self.0 && **r != Rule::WHITESPACE)
            .copied()
    }

    /// The kind of the grammar rule named `name` (`"criterion"`, `"ident"`, `"expr"`), as
    /// written in `grammar/icp.pest`.
    pub fn from_rule_name(name: &str) -> Option<SyntaxKind> {
        Rule::all_rules()
            .iter()
            .find(|r| format!("{r:?}") == name)
            .map(|r| SyntaxKind::of_rule(*r))
    }

    /// Whether this is the kind of the rule named `name`.
    pub fn is(self, name: &str) -> bool {
        self.rule().is_some_and(|r| format!("{r:?}") == name)
    }

    /// Whitespace or a comment.
    pub fn is_trivia(self) -> bool {
        self == SyntaxKind::WHITESPACE || self == SyntaxKind::COMMENT
    }
}

impl fmt::Debug for SyntaxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((_, name)) = SyntaxKind::EXTRA.iter().find(|(k, _)| k == self) {
            return f.write_str(name);
        }
        match self.rule() {
            Some(r) => write!(f, "{r:?}"),
            None => write!(f, "KIND_{}", self.0),
        }
    }
}

/// The ICP language, for rowan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IcpLanguage {}

impl rowan::Language for IcpLanguage {
    type Kind = SyntaxKind;

    fn kind_from_raw(raw: rowan::SyntaxKind) -> SyntaxKind {
        SyntaxKind(raw.0)
    }

    fn kind_to_raw(kind: SyntaxKind) -> rowan::SyntaxKind {
        rowan::SyntaxKind(kind.0)
    }
}

/// A node of the lossless tree.
pub type SyntaxNode = rowan::SyntaxNode<IcpLanguage>;
/// A token of the lossless tree.
pub type SyntaxToken = rowan::SyntaxToken<IcpLanguage>;
/// A node or a token.
pub type SyntaxElement = rowan::SyntaxElement<IcpLanguage>;

fn raw(kind: SyntaxKind) -> rowan::SyntaxKind {
    rowan::SyntaxKind(kind.0)
}

/// One piece of the root: an item node or trivia between items.
pub(crate) type Element = NodeOrToken<GreenNode, GreenToken>;

/// Builds the green tree of one chunk of the source, filling every gap between the pieces
/// it is given with trivia, so that nothing is lost.
pub(crate) struct Builder<'s> {
    src: &'s str,
    /// The file's tokens (comments included), to end nodes at their last real token.
    toks: &'s [Tok],
    /// Bytes up to here are in the tree.
    pos: usize,
    /// Open nodes (the builder's stack, for `finish_node`).
    depth: usize,
    green: GreenNodeBuilder<'static>,
    /// Finished top-level elements.
    out: Vec<Element>,
    /// `false`: build nothing (every method returns at once).
    on: bool,
}

impl<'s> Builder<'s> {
    /// A builder for the source from byte `pos` on.
    pub(crate) fn new(src: &'s str, toks: &'s [Tok], pos: usize, on: bool) -> Self {
        Builder {
            on,
            src,
            toks,
            pos,
            depth: 0,
            green: GreenNodeBuilder::new(),
            out: Vec::new(),
        }
    }

    /// Open a node at the current position.
    pub(crate) fn start(&mut self, kind: SyntaxKind) {
        if !self.on {
            return;
        }
        self.green.start_node(raw(kind));
        self.depth += 1;
    }

    /// Close the innermost open node.
    pub(crate) fn finish(&mut self) {
        if !self.on {
            return;
        }
        if self.depth == 0 {
            return;
        }
        self.green.finish_node();
        self.depth -= 1;
        if self.depth == 0 {
            let done = std::mem::replace(&mut self.green, GreenNodeBuilder::new()).finish();
            self.out.push(NodeOrToken::Node(done));
        }
    }

    fn token(&mut self, kind: SyntaxKind, text: &str) {
        if text.is_empty() {
            return;
        }
        if self.depth == 0 {
            self.out
                .push(NodeOrToken::Token(GreenToken::new(raw(kind), text)));
        } else {
            self.green.token(raw(kind), text);
        }
    }

    /// Emit the source up to byte `to` as trivia (and literal punctuation).
    pub(crate) fn gap(&mut self, to: usize) {
        if !self.on {
            return;
        }
        let src = self.src;
        let Some(text) = src.get(self.pos..to) else {
            return;
        };
        self.pos = to;
        let mut rest = text;
        while !rest.is_empty() {
            let (kind, len) = if rest.starts_with("//") {
                (SyntaxKind::COMMENT, rest.find('\n').unwrap_or(rest.len()))
            } else {
                let ws = rest
                    .char_indices()
                    .find(|(_, c)| !is_space(*c))
                    .map_or(rest.len(), |(i, _)| i);
                if ws > 0 {
                    (SyntaxKind::WHITESPACE, ws)
                } else {
                    // Up to the next space or comment (the first character is neither).
                    let other = rest
                        .char_indices()
                        .skip(1)
                        .find(|(i, c)| {
                            is_space(*c) || rest.get(*i..).is_some_and(|r| r.starts_with("//"))
                        })
                        .map_or(rest.len(), |(i, _)| i);
                    (SyntaxKind::TOKEN, other)
                }
            };
            // Every length above ends at a character boundary.
            let Some((piece, tail)) = rest.split_at_checked(len) else {
                self.token(SyntaxKind::TOKEN, rest);
                break;
            };
            self.token(kind, piece);
            rest = tail;
        }
    }

    /// Emit the closing brace of a block at bytes `start..end`.
    pub(crate) fn closing(&mut self, start: usize, end: usize) {
        if !self.on {
            return;
        }
        self.gap(start);
        let src = self.src;
        self.token(
            SyntaxKind::of_rule(Rule::rbrace),
            src.get(start..end).unwrap_or(""),
        );
        self.pos = end;
    }

    /// Emit a pest pair (offsets relative to `base`) and everything inside it.
    pub(crate) fn pair(&mut self, p: Pair<'_, Rule>, base: usize) {
        if !self.on {
            return;
        }
        let span = p.as_span();
        let (start, end) = (base + span.start(), base + span.end());
        if start < self.pos {
            return;
        }
        self.gap(start);
        let kind = SyntaxKind::of_rule(p.as_rule());
        let mut inner = p.into_inner().peekable();
        // pest's span may take the trivia after the last token: that belongs to the parent.
        let end = crate::lexer::span_end(self.toks, start, end);
        if inner.peek().is_none() {
            // A token the lexer cuts differently keeps its whole span.
            let end = if end > start { end } else { base + span.end() };
            let src = self.src;
            self.token(kind, src.get(start..end).unwrap_or(""));
            self.pos = end.max(self.pos);
            return;
        }
        self.start(kind);
        for c in inner {
            self.pair(c, base);
        }
        self.gap(end);
        self.finish();
    }

    /// Emit the lexer's tokens up to byte `to` inside an error node.
    pub(crate) fn error(&mut self, to: usize) {
        if !self.on {
            return;
        }
        let toks = self.toks;
        let from = toks.partition_point(|t| t.start() < self.pos);
        let upto = toks.partition_point(|t| t.start() < to);
        let mine = toks.get(from..upto).unwrap_or(&[]);
        // Trivia before the first token and after the last stays outside the node.
        let Some(first) = mine.iter().find(|t| t.kind != TokenKind::Comment) else {
            self.gap(to);
            return;
        };
        let last_end = mine
            .iter()
            .rev()
            .find(|t| t.kind != TokenKind::Comment)
            .map_or(to, |t| t.end().min(to));
        self.gap(first.start());
        self.start(SyntaxKind::ERROR);
        for t in mine {
            if t.start() >= last_end {
                break;
            }
            // Trivia before the node (comments included) is already in the tree.
            if t.start() < self.pos {
                continue;
            }
            self.gap(t.start());
            let end = t.end().min(to);
            let kind = match t.kind {
                TokenKind::Keyword => SyntaxKind::KEYWORD,
                TokenKind::Ident => SyntaxKind::IDENT,
                TokenKind::Number => SyntaxKind::NUMBER,
                TokenKind::String => SyntaxKind::STRING,
                TokenKind::Comment => SyntaxKind::COMMENT,
                TokenKind::Operator => SyntaxKind::OPERATOR,
                TokenKind::Punct => SyntaxKind::PUNCT,
            };
            let src = self.src;
            self.token(kind, src.get(t.start()..end).unwrap_or(""));
            self.pos = end;
        }
        self.gap(last_end);
        self.finish();
        self.gap(to);
    }

    /// Close every open node and return the elements built.
    pub(crate) fn into_elements(mut self) -> Vec<Element> {
        while self.depth > 0 {
            self.finish();
        }
        self.out
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{FEFF}')
}

/// The root node over the elements of every chunk.
pub(crate) fn root(elements: Vec<Element>) -> GreenNode {
    GreenNode::new(raw(SyntaxKind::ROOT), elements)
}
