//! Recovery below the item.
//!
//! When an item does not parse as a whole, its header is read alone, its body is cut into
//! clauses, and each clause is parsed alone: a broken clause becomes a [`Broken`] record (an
//! error node in the lossless tree), and the rest of the item stays in the tree, in the
//! checked program and in the editor.
//!
//! Cutting the body: a clause starts at a clause keyword that is the first token on its line
//! (`criterion`, `tier`, ... in a profile; `timeframe`, `goal`, ... in a situation; a
//! `name:` or any word at brace depth 0 in a schema; `profile`, `expect`, ... in a test), or
//! at a word at depth 0 that is a likely misspelling of one (`tire`). A clause keyword at
//! the start of a line inside unclosed brackets closes them: the brackets were never closed
//! (the usual mistake while typing), except that a `criterion` inside a group's braces
//! stays in the group.

use std::sync::Arc;

use super::{
    Chunk, ChunkKind, Lower, Pr, Rule, closer, indent_of, span_of, syntax_error, tok_text,
};
use crate::ast::{
    Broken, BrokenKind, Criterion, Field, Group, Ident, Item, Profile, ProfileMember, Schema,
    Situation, SituationClause, StrLit, Test, TestClause,
};
use crate::cst::{Builder, Element, SyntaxKind};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::lexer::{
    FIELD_KEYWORDS, PROFILE_MEMBERS, SITUATION_CLAUSES, TEST_CLAUSES, Tok, TokenKind,
};
use crate::span::Span;
use pest::Parser as _;

/// Which clauses a block holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Schema,
    Situation,
    Profile,
    Group,
    Test,
}

impl Block {
    fn of_item(kw: &str) -> Option<Block> {
        Some(match kw {
            "schema" => Block::Schema,
            "situation" => Block::Situation,
            "profile" => Block::Profile,
            "test" => Block::Test,
            _ => return None,
        })
    }

    fn head_rule(self) -> Rule {
        match self {
            Block::Schema => Rule::schema_head,
            Block::Situation => Rule::situation_head,
            Block::Profile => Rule::profile_head,
            Block::Group => Rule::group_head,
            Block::Test => Rule::test_head,
        }
    }

    fn clause_rule(self) -> Rule {
        match self {
            Block::Schema => Rule::field_only,
            Block::Situation => Rule::situation_clause_only,
            Block::Profile => Rule::profile_member_only,
            Block::Group => Rule::criterion_only,
            Block::Test => Rule::test_clause_only,
        }
    }

    /// The words that start a clause (a schema's fields start with their name).
    fn starts(self) -> &'static [&'static str] {
        match self {
            Block::Schema => &[],
            Block::Situation => SITUATION_CLAUSES,
            Block::Profile => PROFILE_MEMBERS,
            Block::Group => &["criterion"],
            Block::Test => TEST_CLAUSES,
        }
    }

    /// The rule of the block's node in the lossless tree.
    fn item_rule(self) -> Rule {
        match self {
            Block::Schema => Rule::schema,
            Block::Situation => Rule::situation,
            Block::Profile => Rule::profile,
            Block::Group => Rule::group,
            Block::Test => Rule::test,
        }
    }

    /// The keyword an error message names the block by (for "a profile member").
    fn keyword(self) -> &'static str {
        match self {
            Block::Schema => "schema",
            Block::Situation => "situation",
            Block::Profile => "profile",
            Block::Group => "group",
            Block::Test => "test",
        }
    }
}

/// The keyword of a clause, as a `&'static str` for [`BrokenKind`].
fn clause_kind(block: Block, word: &str) -> &'static str {
    if block == Block::Schema {
        return "field";
    }
    block
        .starts()
        .iter()
        .copied()
        .find(|k| *k == word)
        .unwrap_or("clause")
}

/// Clauses that declare a name right after their keyword.
fn declares_name(kind: &str) -> bool {
    matches!(
        kind,
        "goal" | "capability" | "let" | "group" | "criterion" | "exclude" | "tier" | "field"
    )
}

/// What parsing one chunk made of it (recovery or not).
pub(super) struct Recovered {
    /// The item, whole or with its broken clauses left out.
    pub item: Option<Item>,
    /// What did not parse.
    pub broken: Vec<Broken>,
    /// The chunk's diagnostics.
    pub diags: Vec<Diagnostic>,
    /// The chunk in the lossless tree.
    pub elements: Vec<Element>,
}

/// The file's tokens with the helpers recovery needs.
struct Ctx<'s> {
    src: &'s str,
    toks: &'s [Tok],
    /// The chunk's tokens.
    item_toks: &'s [Tok],
    /// Offset of `item_toks[0]` in `toks`.
    first: usize,
}

impl<'s> Ctx<'s> {
    fn tok(&self, i: usize) -> Option<&'s Tok> {
        self.item_toks.get(i)
    }

    fn text(&self, i: usize) -> &'s str {
        self.tok(i).map_or("", |t| tok_text(self.src, t))
    }

    fn is_real(&self, i: usize) -> bool {
        self.tok(i).is_some_and(|t| t.kind != TokenKind::Comment)
    }

    /// The next real token at or after `i`, below `end`.
    fn next_real(&self, i: usize, end: usize) -> Option<usize> {
        (i..end).find(|&j| self.is_real(j))
    }

    fn is_word(&self, i: usize) -> bool {
        self.tok(i)
            .is_some_and(|t| matches!(t.kind, TokenKind::Ident | TokenKind::Keyword))
    }

    /// A name token after the keyword at `kw` (below `end`), as an identifier.
    fn name_after(&self, kw: usize, end: usize) -> Option<Ident> {
        let i = self.next_real(kw + 1, end)?;
        self.is_word(i).then(|| self.ident(i))
    }

    fn ident(&self, i: usize) -> Ident {
        Ident {
            name: self.text(i).to_owned(),
            span: self.tok(i).map(span_of).unwrap_or_default(),
        }
    }

    /// Bytes `start..end` of tokens `a..b` (`end` is where the next piece starts).
    fn start_of(&self, i: usize) -> usize {
        self.tok(i).map_or(self.src.len(), Tok::start)
    }

    /// The span from token `a` to the last real token before `b`.
    fn span(&self, a: usize, b: usize) -> Span {
        let start = self.start_of(a);
        let end = (a..b)
            .rev()
            .find(|&j| self.is_real(j))
            .and_then(|j| self.tok(j))
            .map_or(start, Tok::end);
        Span::new(start, end)
    }

    /// A pseudo-chunk over tokens `a..b` and bytes `start..end`, for [`syntax_error`].
    fn chunk(&self, a: usize, b: usize, end: usize) -> Chunk {
        Chunk {
            kind: ChunkKind::Item,
            start: self.start_of(a),
            end,
            first: self.first + a,
            last: self.first + b,
        }
    }

    fn lower(&self, base: usize) -> Lower<'s> {
        Lower {
            base,
            diags: Vec::new(),
            toks: self.item_toks,
            climbing: 0,
        }
    }
}

/// Recover what can be recovered of a broken item: its header and the clauses that parse.
/// `item_diags` are the item's own diagnostics (reported whatever happens); a broken
/// clause's diagnostic is added only when none of them already points into the clause.
pub(super) fn recover(
    src: &str,
    toks: &[Tok],
    chunk: &Chunk,
    item_diags: Vec<Diagnostic>,
    salvage: bool,
    mut b: Builder<'_>,
) -> Recovered {
    let item_toks = toks.get(chunk.first..chunk.last).unwrap_or(&[]);
    let cx = Ctx {
        src,
        toks,
        item_toks,
        first: chunk.first,
    };
    let n = item_toks.len();
    let kw = cx.text(0);
    let whole = Broken {
        kind: BrokenKind::Item(item_keyword(kw)),
        name: if kw == "test" || kw == "import" {
            None
        } else {
            cx.name_after(0, n)
        },
        parent: None,
        declares: Vec::new(),
        span: cx.span(0, n),
    };
    let mut out = Recovered {
        item: None,
        broken: Vec::new(),
        diags: item_diags,
        elements: Vec::new(),
    };
    let real_end = cx.span(0, n).end as usize;
    let Some(block) = Block::of_item(kw).filter(|_| salvage) else {
        out.broken.push(whole);
        b.error(real_end);
        b.gap(chunk.end);
        out.elements = b.into_elements();
        return out;
    };
    let Some(body) = parse_block(&cx, &mut b, block, 0, n, chunk.end, None) else {
        out.broken.push(whole);
        b.error(real_end);
        b.gap(chunk.end);
        out.elements = b.into_elements();
        return out;
    };
    b.gap(chunk.end);
    out.elements = b.into_elements();
    // One mistake, one error. pest's error for the whole item wins inside the clause it
    // points into; pointing into a clause that reads fine alone, after a broken one, it is a
    // consequence of the broken one and goes.
    let first_broken = body.broken.first().map(|(p, _)| p.span.start);
    let item_diags = std::mem::take(&mut out.diags);
    let mut inside: Vec<bool> = vec![false; body.broken.len()];
    for d in item_diags {
        let at = d.span.start;
        let hit = body
            .broken
            .iter()
            .position(|(p, _)| p.span.start <= at && at < p.end_byte);
        // pest ran past a broken clause's end ("found `}`" on the next line): the clause's
        // own error, at the clause, says it better.
        if hit.is_none() && d.is_error() && body.broken.iter().any(|(p, _)| p.end_byte == at) {
            continue;
        }
        match hit {
            Some(k) => {
                if let Some(x) = inside.get_mut(k) {
                    *x = true;
                }
                out.diags.push(d);
            }
            None if d.is_error()
                && first_broken.is_some_and(|b| b < at)
                && body.clauses.iter().any(|&(s, e)| s <= at && at < e) => {}
            None => out.diags.push(d),
        }
    }
    for ((piece, diags), reported) in body.broken.into_iter().zip(inside) {
        if !reported {
            out.diags.extend(diags);
        }
        out.broken.push(piece.broken);
    }
    out.diags.sort_by_key(|d| d.span.start);
    out.item = body.item;
    if out.item.is_none() {
        out.broken.push(whole);
    }
    out
}

fn item_keyword(kw: &str) -> &'static str {
    crate::lexer::ITEM_KEYWORDS
        .iter()
        .copied()
        .find(|k| *k == kw)
        .unwrap_or("item")
}

/// A broken clause, with where its text ends (the next clause's start).
struct Piece {
    broken: Broken,
    span: Span,
    end_byte: u32,
}

/// A block read clause by clause.
struct BlockResult {
    /// The item (for a schema, situation, profile or test).
    item: Option<Item>,
    /// The group (for a group).
    group: Option<Group>,
    /// The broken clauses, with their own diagnostics.
    broken: Vec<(Piece, Vec<Diagnostic>)>,
    /// Byte ranges of every clause.
    clauses: Vec<(u32, u32)>,
}

/// The header of a block, lowered.
#[derive(Default)]
struct Head {
    name: Option<Ident>,
    title: Option<StrLit>,
    schema: Option<Ident>,
    situation: Option<Ident>,
    test_name: Option<StrLit>,
}

/// Read the block at tokens `a..b` (the keyword at `a`), ending at byte `end`. `None` when
/// its header cannot be read.
fn parse_block(
    cx: &Ctx<'_>,
    b_: &mut Builder<'_>,
    block: Block,
    a: usize,
    b: usize,
    end: usize,
    parent: Option<&str>,
) -> Option<BlockResult> {
    // The header: up to the first `{`.
    let open = (a..b).find(|&i| cx.is_real(i) && cx.text(i) == "{")?;
    let open_tok = cx.tok(open)?;
    let head_text = cx.src.get(cx.start_of(a)..open_tok.end())?;
    let head_pairs = super::grammar::IcpParser::parse(block.head_rule(), head_text).ok()?;
    let mut lower = cx.lower(cx.start_of(a));
    let mut head = Head::default();
    for p in head_pairs.clone() {
        match p.as_rule() {
            Rule::ident => head.name = Some(lower.ident(&p)),
            Rule::title => head.title = lower.title(&p),
            Rule::string => head.test_name = Some(lower.string(&p)),
            Rule::for_clause => head.schema = lower.inner_ident(p),
            Rule::in_clause => head.situation = lower.inner_ident(p),
            _ => {}
        }
    }
    if lower.diags.iter().any(Diagnostic::is_error) {
        return None;
    }
    b_.start(SyntaxKind::of_rule(block.item_rule()));
    for p in head_pairs {
        b_.pair(p, cx.start_of(a));
    }
    // The body: after the `{`, up to the block's closing `}` (the last real token when it
    // is one).
    let last_real = (open + 1..b).rev().find(|&i| cx.is_real(i));
    let (body_end_tok, body_end_byte) = match last_real {
        Some(i) if closes_block(cx, a, open, i) => (i, cx.start_of(i)),
        _ => (b, end),
    };
    let owner = match (parent, &head.name) {
        (Some(p), Some(n)) => Some(format!("{p}.{}", n.name)),
        (None, Some(n)) => Some(n.name.clone()),
        _ => None,
    };
    let clauses = split_clauses(cx, block, open + 1, body_end_tok);
    let mut result = BlockResult {
        item: None,
        group: None,
        broken: Vec::new(),
        clauses: Vec::new(),
    };
    let mut fields: Vec<Field> = Vec::new();
    let mut sit_clauses: Vec<SituationClause> = Vec::new();
    let mut members: Vec<ProfileMember> = Vec::new();
    let mut criteria: Vec<Criterion> = Vec::new();
    let mut test_clauses: Vec<TestClause> = Vec::new();
    for (k, &(ca, cb)) in clauses.iter().enumerate() {
        let cend = clauses
            .get(k + 1)
            .map_or(body_end_byte, |&(na, _)| cx.start_of(na));
        let cstart = cx.start_of(ca);
        result.clauses.push((cstart as u32, cend as u32));
        let text = cx.src.get(cstart..cend).unwrap_or("");
        let word = cx.text(ca);
        // A group inside a profile is a block of its own.
        if block == Block::Profile && word == "group" {
            if let Ok(Clause::Member(m)) = clause(cx, b_, block, ca, cb, cend, text) {
                members.push(m);
                continue;
            }
            if let Some(g) = parse_block(cx, b_, Block::Group, ca, cb, cend, owner.as_deref()) {
                members.extend(g.group.map(ProfileMember::Group));
                result.broken.extend(g.broken);
                result.clauses.extend(g.clauses);
                continue;
            }
        }
        match clause(cx, b_, block, ca, cb, cend, text) {
            Ok(c) => match c {
                Clause::Field(f) => fields.push(f),
                Clause::Situation(s) => sit_clauses.push(s),
                Clause::Member(m) => members.push(m),
                Clause::Criterion(c) => criteria.push(c),
                Clause::Test(t) => test_clauses.push(t),
            },
            Err(diags) => {
                b_.error(cend);
                let kind = clause_kind(block, word);
                let name = if block == Block::Schema {
                    cx.is_word(ca).then(|| cx.ident(ca))
                } else if declares_name(kind) {
                    cx.name_after(ca, cb)
                } else {
                    None
                };
                let span = cx.span(ca, cb);
                // A broken enum field may declare variants: the words inside its braces.
                let declares = if block == Block::Schema {
                    (ca..cb)
                        .skip_while(|&i| cx.text(i) != "{")
                        .filter(|&i| cx.is_word(i))
                        .map(|i| cx.ident(i))
                        .collect()
                } else {
                    Vec::new()
                };
                result.broken.push((
                    Piece {
                        broken: Broken {
                            kind: BrokenKind::Clause(kind),
                            name,
                            parent: owner.clone(),
                            declares,
                            span,
                        },
                        span,
                        end_byte: cend as u32,
                    },
                    diags,
                ));
            }
        }
    }
    // The closing brace, if any, and the end of the block's node.
    if body_end_tok < b {
        b_.gap(body_end_byte);
        if let Some(t) = cx.tok(body_end_tok) {
            b_.closing(t.start(), t.end());
        }
    }
    b_.finish();
    let span = cx.span(a, b);
    let name = head.name;
    result.item = match block {
        Block::Schema => Some(Item::Schema(Arc::new(Schema {
            name: name?,
            fields,
            span,
        }))),
        Block::Situation => Some(Item::Situation(Arc::new(Situation {
            name: name?,
            title: head.title,
            schema: head.schema,
            clauses: sit_clauses,
            span,
        }))),
        Block::Profile => Some(Item::Profile(Arc::new(Profile {
            name: name?,
            title: head.title,
            schema: head.schema,
            situation: head.situation,
            members,
            span,
        }))),
        Block::Group => {
            result.group = Some(Group {
                name: name?,
                title: head.title,
                criteria,
                span,
            });
            None
        }
        Block::Test => Some(Item::Test(Arc::new(Test {
            name: head.test_name?,
            clauses: test_clauses,
            span,
        }))),
    };
    Some(result)
}

/// Whether the `}` at token `close` closes the block whose header starts at token `kw` and
/// whose body opens at token `open`. Brackets are matched as a reader would when some are
/// left open: a closer that starts its line closes the open bracket indented as its line
/// (those opened after it were never closed); any other closer closes the innermost.
fn closes_block(cx: &Ctx<'_>, kw: usize, open: usize, close: usize) -> bool {
    if cx.text(close) != "}" {
        return false;
    }
    let line_indent = |i: usize| indent_of(cx.src, cx.start_of(i));
    // The line indentation of each open bracket.
    let mut stack: Vec<usize> = Vec::new();
    let closer = |stack: &mut Vec<usize>, i: usize| {
        let (indent, first) = line_indent(i);
        match stack.iter().rposition(|o| *o == indent) {
            Some(k) if first => stack.truncate(k),
            _ => {
                stack.pop();
            }
        }
    };
    for i in open + 1..close {
        if cx.tok(i).is_none_or(|t| t.kind != TokenKind::Punct) {
            continue;
        }
        match cx.text(i) {
            "{" | "(" | "[" => stack.push(line_indent(i).0),
            "}" | ")" | "]" => closer(&mut stack, i),
            _ => {}
        }
    }
    if stack.is_empty() {
        return true;
    }
    let (indent, first) = line_indent(close);
    first && !stack.contains(&indent) && indent <= line_indent(kw).0
}

/// One clause, lowered.
enum Clause {
    Field(Field),
    Situation(SituationClause),
    Member(ProfileMember),
    Criterion(Criterion),
    Test(TestClause),
}

/// Parse and lower the clause at tokens `a..b`, text `text` ending at byte `end`; its
/// diagnostics when it is broken.
fn clause(
    cx: &Ctx<'_>,
    b_: &mut Builder<'_>,
    block: Block,
    a: usize,
    b: usize,
    end: usize,
    text: &str,
) -> Result<Clause, Vec<Diagnostic>> {
    let base = cx.start_of(a);
    if let Some(d) = unclosed(cx, a, b) {
        return Err(vec![d]);
    }
    let pairs = match super::grammar::IcpParser::parse(block.clause_rule(), text) {
        Ok(p) => p,
        Err(err) => {
            let chunk = cx.chunk(a, b, end);
            return Err(vec![syntax_error(
                cx.src,
                cx.toks,
                &chunk,
                &err,
                Some(block.keyword()),
            )]);
        }
    };
    let mut lower = cx.lower(base);
    let Some(p): Option<Pr<'_>> = pairs.clone().next() else {
        return Err(Vec::new());
    };
    let lowered = match block {
        Block::Schema => lower.field(p).map(Clause::Field),
        Block::Situation => lower.situation_clause(p).map(Clause::Situation),
        Block::Profile => lower.profile_member(p).map(Clause::Member),
        Block::Group => lower.criterion(p).map(Clause::Criterion),
        Block::Test => lower.test_clause(p).map(Clause::Test),
    };
    match lowered {
        Some(c) if !lower.diags.iter().any(Diagnostic::is_error) => {
            for p in pairs {
                b_.pair(p, base);
            }
            Ok(c)
        }
        _ => {
            let mut diags = lower.diags;
            if diags.is_empty() {
                diags.push(Diagnostic::new(
                    Code::Syntax,
                    Span::new(base, base),
                    "this clause could not be read",
                ));
            }
            Err(diags)
        }
    }
}

/// An unclosed bracket in the clause at tokens `a..b`, reported at the bracket.
fn unclosed(cx: &Ctx<'_>, a: usize, b: usize) -> Option<Diagnostic> {
    let mut stack: Vec<usize> = Vec::new();
    for i in a..b {
        if cx.tok(i).is_none_or(|t| t.kind != TokenKind::Punct) {
            continue;
        }
        match cx.text(i) {
            "{" | "(" | "[" => stack.push(i),
            "}" | ")" | "]" => {
                stack.pop();
            }
            _ => {}
        }
    }
    let open = *stack.last()?;
    let o = cx.text(open);
    Some(
        Diagnostic::new(
            Code::UnclosedDelimiter,
            cx.tok(open).map(span_of).unwrap_or_default(),
            format!("unclosed `{o}`"),
        )
        .with_label(format!("this `{o}` is never closed"))
        .with_help(format!("add the missing `{}`", closer(o))),
    )
}

/// Cut the tokens `a..b` of a block's body into clauses (token ranges, in order).
fn split_clauses(cx: &Ctx<'_>, block: Block, a: usize, b: usize) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut start: Option<usize> = None;
    // Open brackets of the current clause; `true` for the braces of a group's body.
    let mut stack: Vec<bool> = Vec::new();
    let mut clause_word = "";
    for i in a..b {
        let Some(t) = cx.tok(i) else { break };
        if t.kind == TokenKind::Comment {
            continue;
        }
        let text = cx.text(i);
        if cx.is_word(i) && indent_of(cx.src, t.start()).1 {
            let colon = cx.next_real(i + 1, b).is_some_and(|j| cx.text(j) == ":");
            let keyword = block.starts().contains(&text);
            let begins = match block {
                Block::Schema => colon || (stack.is_empty() && !FIELD_KEYWORDS.contains(&text)),
                Block::Test => keyword && !colon,
                Block::Group => keyword,
                Block::Situation | Block::Profile => {
                    keyword
                        || (stack.is_empty()
                            && start.is_some()
                            && did_you_mean(text, block.starts().iter().copied()).is_some())
                }
            };
            // A criterion inside a group's braces stays in the group: brackets left open
            // inside the group are closed.
            let group_at = (block == Block::Profile && text == "criterion")
                .then(|| stack.iter().rposition(|g| *g))
                .flatten();
            if let Some(g) = group_at {
                stack.truncate(g + 1);
            } else if begins {
                if let Some(s) = start {
                    out.push((s, i));
                }
                start = Some(i);
                stack.clear();
                clause_word = text;
            }
        }
        if start.is_none() {
            start = Some(i);
            clause_word = text;
        }
        if t.kind == TokenKind::Punct {
            match text {
                "{" | "(" | "[" => {
                    stack.push(text == "{" && stack.is_empty() && clause_word == "group");
                }
                "}" | ")" | "]" => {
                    stack.pop();
                }
                _ => {}
            }
        }
    }
    if let Some(s) = start {
        out.push((s, b));
    }
    out
}
