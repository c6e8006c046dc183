//! A small, total, error-tolerant lexer: semantic tokens and completion context for the
//! editor, and the token stream the item splitter walks. It never fails: every byte of the
//! source is either whitespace or inside exactly one token.

use crate::span::Span;

/// Top-level item keywords; an item starts with one of them in column 0.
pub const ITEM_KEYWORDS: &[&str] = &[
    "import",
    "schema",
    "situation",
    "segment",
    "profile",
    "test",
];

/// Words that may follow a field's type in a schema (`from "Column"`, `key`, `as fraction`).
pub const FIELD_KEYWORDS: &[&str] = &["from", "key", "as", "fraction"];

/// Built-in type names (`enum { .. }` and `set<T>` included).
pub const TYPE_NAMES: &[&str] = &[
    "bool", "int", "number", "money", "percent", "text", "date", "duration", "enum", "set",
];

/// Clauses of a `situation` body, and the words used inside them.
pub const SITUATION_KEYWORDS: &[&str] = &[
    "timeframe",
    "goal",
    "milestone",
    "capability",
    "count",
    "sum",
    "where",
];

/// Members of a `profile` body, and the words used inside them.
pub const PROFILE_KEYWORDS: &[&str] = &[
    "target",
    "practical_share",
    "let",
    "group",
    "criterion",
    "exclude",
    "tier",
    "weight",
    "perfect",
    "practical",
    "when",
];

/// Clauses of a `test` body, and the forms of `expect`.
pub const TEST_KEYWORDS: &[&str] = &[
    "profile",
    "as_of",
    "account",
    "expect",
    "tier",
    "reason",
    "score",
    "coverage",
    "excluded_by",
    "in_segment",
    "criterion",
    "action",
    "case",
    "cases",
    "from",
];

/// Every word that starts a clause or member inside an item body.
pub const CLAUSE_KEYWORDS: &[&str] = &[
    "timeframe",
    "goal",
    "milestone",
    "capability",
    "target",
    "practical_share",
    "let",
    "group",
    "criterion",
    "exclude",
    "tier",
    "profile",
    "as_of",
    "account",
    "expect",
    "case",
    "cases",
];

/// Operator words of expressions (reserved inside expressions only).
pub const EXPR_KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "contains", "any", "all", "is", "missing", "present", "true", "false",
];

/// Header words of items (`segment x for Account`, `profile p for Account in q1`).
pub const HEADER_KEYWORDS: &[&str] = &["for", "in"];

/// The words that start a clause of a `situation` body (the grammar's `situation_clause`).
pub const SITUATION_CLAUSES: &[&str] = &["timeframe", "goal", "milestone", "capability"];

/// The words that start a member of a `profile` body (the grammar's `profile_member`).
pub const PROFILE_MEMBERS: &[&str] = &[
    "target",
    "practical_share",
    "let",
    "group",
    "criterion",
    "exclude",
    "tier",
];

/// The words that start a clause of a `test` body (the grammar's `test_clause`).
pub const TEST_CLAUSES: &[&str] = &["profile", "as_of", "account", "expect", "case", "cases"];

/// The words that may follow `expect` in a test (`expect tier ideal`, `expect score >= 80`).
pub const EXPECT_FORMS: &[&str] = &[
    "tier",
    "score",
    "coverage",
    "reason",
    "excluded_by",
    "in_segment",
    "criterion",
    "action",
];

/// Every keyword list by name; [`is_keyword`] is true of the words of these lists and no
/// other (`crates/icp-syntax/tests/keywords.rs` checks them against the grammar).
pub const KEYWORD_LISTS: &[(&str, &[&str])] = &[
    ("ITEM_KEYWORDS", ITEM_KEYWORDS),
    ("FIELD_KEYWORDS", FIELD_KEYWORDS),
    ("TYPE_NAMES", TYPE_NAMES),
    ("SITUATION_KEYWORDS", SITUATION_KEYWORDS),
    ("PROFILE_KEYWORDS", PROFILE_KEYWORDS),
    ("TEST_KEYWORDS", TEST_KEYWORDS),
    ("CLAUSE_KEYWORDS", CLAUSE_KEYWORDS),
    ("EXPR_KEYWORDS", EXPR_KEYWORDS),
    ("HEADER_KEYWORDS", HEADER_KEYWORDS),
    ("SITUATION_CLAUSES", SITUATION_CLAUSES),
    ("PROFILE_MEMBERS", PROFILE_MEMBERS),
    ("TEST_CLAUSES", TEST_CLAUSES),
    ("EXPECT_FORMS", EXPECT_FORMS),
];

/// The kind of a [`Token`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A keyword of the language (`segment`, `weight`, `and`, `true`, `enum`, ...).
    Keyword,
    /// Any other name.
    Ident,
    /// A numeric literal: number, money, percent, duration or date.
    Number,
    /// A string literal, quotes included (possibly unterminated).
    String,
    /// A `//` comment, to the end of the line.
    Comment,
    /// An operator: `== != < <= > >= + - * / ?? .. = | ?`.
    Operator,
    /// Punctuation (`{ } ( ) [ ] , : .`) and any character the language does not use.
    Punct,
}

/// One token: its kind and byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is, in bytes.
    pub span: Span,
}

/// A token with the extra facts the splitter needs.
#[derive(Debug, Clone, Copy)]
/// Offsets are `u32` (12 bytes a token, not 24: a 10 MB file has about two million); the
/// methods [`Tok::start`] and [`Tok::end`] give them as `usize`.
pub(crate) struct Tok {
    pub kind: TokenKind,
    pub start: u32,
    pub end: u32,
    /// A string without its closing quote.
    pub unterminated: bool,
}

impl Tok {
    /// The byte offset where it starts.
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// The byte offset where it ends.
    pub fn end(&self) -> usize {
        self.end as usize
    }
}

/// Where a span from `start` to pest's `end` really ends: at the end of the last token (not
/// a comment) that ends by `end`. pest's spans may end after the whitespace and comments
/// that follow the last token (`equals = { "=" ~ !"=" }` takes them before its lookahead);
/// that trivia belongs to the parent.
pub(crate) fn span_end(toks: &[Tok], start: usize, end: usize) -> usize {
    let upto = toks.partition_point(|t| t.end() <= end);
    toks.get(..upto)
        .and_then(|ts| ts.iter().rev().find(|t| t.kind != TokenKind::Comment))
        .map_or(end, |t| t.end().max(start))
}

/// Whether `word` is one of the language's keywords (in any context).
pub fn is_keyword(word: &str) -> bool {
    KEYWORD_LISTS.iter().any(|(_, list)| list.contains(&word))
}

/// Split `src` into tokens. Total: never fails, and whitespace is the only thing skipped.
///
/// Words are keywords only where they can be: a word followed by `:` (a field or account
/// entry) or preceded by `.` (`score.able`) is an [`TokenKind::Ident`].
pub fn tokens(src: &str) -> Vec<Token> {
    lex(src)
        .into_iter()
        .map(|t| Token {
            kind: t.kind,
            span: Span::new(t.start(), t.end()),
        })
        .collect()
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The lexer proper.
pub(crate) fn lex(src: &str) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(src.len() / 4);
    lex_into(src, 0, src.len(), &mut out);
    // Reserved for a token every 4 bytes; about one in 5 to 6 is usual. The vector lives as
    // long as the parse of the whole file: give the rest back.
    out.shrink_to_fit();
    out
}

/// Append to `out` the tokens of `src` that start in `from..stop`, `from` being the start
/// of a token or of a line (or 0), as [`lex`] finds them: no token spans a line break, and
/// the only context a token reads is the token just before it (`preceded_by_dot`, which
/// must touch it), so lexing from a line start gives the same tokens as lexing the file.
pub(crate) fn lex_into(src: &str, from: usize, stop: usize, out: &mut Vec<Tok>) {
    let bytes = src.as_bytes();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let stop = stop.min(bytes.len());
    // A byte-order mark is whitespace.
    let mut i = if from == 0 && src.starts_with('\u{FEFF}') {
        3
    } else {
        from
    };
    while i < stop {
        let b = at(i);
        let start = i;
        let mut unterminated = false;
        let kind = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if at(i + 1) == b'/' => {
                while i < bytes.len() && at(i) != b'\n' {
                    i += 1;
                }
                TokenKind::Comment
            }
            b'"' => {
                i += 1;
                loop {
                    match at(i) {
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\\' if i + 1 < bytes.len() && at(i + 1) != b'\n' => i += 2,
                        b'\n' => {
                            unterminated = true;
                            break;
                        }
                        _ if i >= bytes.len() => {
                            unterminated = true;
                            break;
                        }
                        _ => i += 1,
                    }
                }
                TokenKind::String
            }
            b'$' if at(i + 1).is_ascii_digit() => {
                i += 1;
                i = number_end(bytes, i);
                while is_ident_char(at(i)) {
                    i += 1;
                }
                TokenKind::Number
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                // dates: 2027-01-31
                if i - start == 4
                    && at(i) == b'-'
                    && at(i + 1).is_ascii_digit()
                    && at(i + 2).is_ascii_digit()
                    && at(i + 3) == b'-'
                    && at(i + 4).is_ascii_digit()
                    && at(i + 5).is_ascii_digit()
                {
                    i += 6;
                } else if at(i) == b'%' {
                    i += 1;
                }
                while is_ident_char(at(i)) {
                    i += 1;
                }
                TokenKind::Number
            }
            _ if is_ident_start(b) => {
                while is_ident_char(at(i)) {
                    i += 1;
                }
                let word = src.get(start..i).unwrap_or("");
                if is_keyword(word)
                    && !followed_by_colon(bytes, i)
                    && !preceded_by_dot(out, bytes, start)
                {
                    TokenKind::Keyword
                } else {
                    TokenKind::Ident
                }
            }
            b'=' | b'!' | b'<' | b'>' if at(i + 1) == b'=' => {
                i += 2;
                TokenKind::Operator
            }
            b'&' if at(i + 1) == b'&' => {
                i += 2;
                TokenKind::Operator
            }
            b'|' if at(i + 1) == b'|' => {
                i += 2;
                TokenKind::Operator
            }
            b'?' if at(i + 1) == b'?' => {
                i += 2;
                TokenKind::Operator
            }
            b'.' if at(i + 1) == b'.' => {
                i += 2;
                TokenKind::Operator
            }
            b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'=' | b'|' | b'?' => {
                i += 1;
                TokenKind::Operator
            }
            _ => {
                // One character, whole (never split a UTF-8 sequence).
                let len = src
                    .get(i..)
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8);
                i += len;
                TokenKind::Punct
            }
        };
        out.push(Tok {
            kind,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(i.min(bytes.len())).unwrap_or(u32::MAX),
            unterminated,
        });
    }
}

/// End of `digits ("." digits)?` starting at `i`.
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    while at(i).is_ascii_digit() {
        i += 1;
    }
    if at(i) == b'.' && at(i + 1).is_ascii_digit() {
        i += 1;
        while at(i).is_ascii_digit() {
            i += 1;
        }
    }
    i
}

fn followed_by_colon(bytes: &[u8], mut i: usize) -> bool {
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    bytes.get(i) == Some(&b':')
}

fn preceded_by_dot(out: &[Tok], bytes: &[u8], start: usize) -> bool {
    out.last().is_some_and(|t| {
        t.end() == start && t.kind == TokenKind::Punct && bytes.get(t.start()) == Some(&b'.')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        tokens(src)
            .into_iter()
            .map(|t| (t.kind, t.span.text(src)))
            .collect()
    }

    #[test]
    fn lexes_literals_and_words() {
        use TokenKind::*;
        assert_eq!(
            kinds(r"x >= $1.5B and d in 2027-01-01..today - 90d // hi"),
            vec![
                (Ident, "x"),
                (Operator, ">="),
                (Number, "$1.5B"),
                (Keyword, "and"),
                (Ident, "d"),
                (Keyword, "in"),
                (Number, "2027-01-01"),
                (Operator, ".."),
                (Ident, "today"),
                (Operator, "-"),
                (Number, "90d"),
                (Comment, "// hi"),
            ]
        );
        assert_eq!(
            kinds("count: int\nscore.able 70% \"a\\\"b\""),
            vec![
                (Ident, "count"),
                (Punct, ":"),
                (Keyword, "int"),
                (Keyword, "score"),
                (Punct, "."),
                (Ident, "able"),
                (Number, "70%"),
                (String, "\"a\\\"b\""),
            ]
        );
    }

    #[test]
    fn total_on_odd_input() {
        let src = "é\"abc\n@ 1.";
        let toks = lex(src);
        assert!(toks.iter().any(|t| t.unterminated));
        for t in &toks {
            assert!(src.get(t.start()..t.end()).is_some());
        }
    }
}
