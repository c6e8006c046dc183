//! Completion in context. The context comes from the tokens around the cursor (so it works
//! in the item being typed, which does not parse); the names come from the syntax trees of
//! the fresh analysis and of the last one that parsed, plus the `let`s and groups written
//! in the broken item itself.

use icp_syntax::ast::{self, Item, ProfileMember, SituationClause, TypeKind};
use icp_syntax::{Token, TokenKind};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, Documentation, InsertTextFormat, MarkupContent, MarkupKind,
    Position,
};

use super::{keywords, type_text};
use crate::text::Text;
use crate::world::Analysis;

/// Where the cursor is, as far as completion cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// Inside a comment, a string or a number: nothing to offer.
    Nothing,
    /// Between items.
    TopLevel,
    /// In an item's header, after `for`.
    HeaderSchema,
    /// In a profile's header, after `in`.
    HeaderSituation,
    /// Elsewhere in a header (`for`, `in`).
    Header {
        /// The item keyword.
        item: String,
    },
    /// At the start of a clause of a block.
    ClauseStart(Block),
    /// After `:` in a schema field (or `set<`).
    Type,
    /// After a field's type in a schema.
    AfterType,
    /// After `target` or a comma in a target list.
    Segments,
    /// After `profile` in a test.
    Profiles,
    /// After `milestone DATE` in a situation.
    Goals,
    /// After a criterion's name (`weight`).
    Weight,
    /// After `expect`.
    Expect,
    /// After `expect tier`.
    ExpectTier,
    /// After `expect reason`.
    ExpectReason,
    /// After `NAME.` where NAME is `situation` (capabilities) or `score` (groups).
    Member(String),
    /// After `goal NAME`.
    Aggregate,
    /// Enum variants of a field (after `==`, `!=`, `in [`, or `field:` in a test account).
    Variants(String),
    /// At an entry of a test's `account { }`.
    AccountField,
    /// In an expression; `operand` is true where a value is expected, false after one.
    Expr {
        /// A value is expected (else an operator).
        operand: bool,
        /// In a tier condition (`score` is in scope).
        tier: bool,
    },
}

/// What a `{ }` block belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// `schema X { }`
    Schema,
    /// `enum { }` in a schema.
    Enum,
    /// `situation x { }`
    Situation,
    /// `segment x { }`
    Segment,
    /// `profile x { }`
    Profile,
    /// `group x { }`
    Group,
    /// `criterion x weight N { }`
    Criterion,
    /// `exclude x { }`
    Exclude,
    /// `test "x" { }`
    Test,
    /// `account { }` in a test.
    Account,
}

impl Block {
    fn of(word: &str) -> Option<Block> {
        Some(match word {
            "schema" => Block::Schema,
            "enum" => Block::Enum,
            "situation" => Block::Situation,
            "segment" => Block::Segment,
            "profile" => Block::Profile,
            "group" => Block::Group,
            "criterion" => Block::Criterion,
            "exclude" => Block::Exclude,
            "test" => Block::Test,
            "account" => Block::Account,
            _ => return None,
        })
    }
}

/// What the item around the cursor says about itself, read from its tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemInfo {
    /// `profile`, `segment`, ...
    pub keyword: String,
    /// Its name (a test's name unquoted).
    pub name: Option<String>,
    /// `for NAME`.
    pub schema: Option<String>,
    /// A profile's `in NAME`.
    pub situation: Option<String>,
    /// A test's `profile NAME`.
    pub profile: Option<String>,
    /// `let NAME` written in the item.
    pub lets: Vec<String>,
    /// `group NAME` written in the item.
    pub groups: Vec<String>,
    /// `goal NAME` written in the item.
    pub goals: Vec<String>,
}

/// The cursor's context and its item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// Where the cursor is.
    pub context: Context,
    /// The item it is in (default at the top level).
    pub item: ItemInfo,
}

struct Toks<'s> {
    src: &'s str,
    toks: Vec<Token>,
}

impl<'s> Toks<'s> {
    fn text(&self, i: usize) -> &'s str {
        self.toks.get(i).map_or("", |t| t.span.text(self.src))
    }
    fn kind(&self, i: usize) -> Option<TokenKind> {
        self.toks.get(i).map(|t| t.kind)
    }
    fn start(&self, i: usize) -> usize {
        self.toks.get(i).map_or(0, |t| t.span.start as usize)
    }
    fn at_line_start(&self, i: usize) -> bool {
        let s = self.start(i);
        let before = self.src.get(..s).unwrap_or("");
        before
            .rsplit('\n')
            .next()
            .is_none_or(|l| l.trim().is_empty())
    }
    fn at_column0(&self, i: usize) -> bool {
        let s = self.start(i);
        s == 0 || self.src.as_bytes().get(s - 1) == Some(&b'\n')
    }
    fn is(&self, i: usize, text: &str) -> bool {
        self.text(i) == text
    }
}

/// Find the cursor's context at byte `offset` of `src`.
pub fn locate(src: &str, offset: usize) -> Located {
    let offset = offset.min(src.len());
    let all = icp_syntax::tokens(src);
    // The token under the cursor: inside a comment, string or number there is nothing to
    // offer; a word under the cursor is the prefix being typed and is left out.
    let mut before: Vec<Token> = Vec::new();
    for t in all {
        let (s, e) = (t.span.start as usize, t.span.end as usize);
        if e <= offset && !(e == offset && matches!(t.kind, TokenKind::Ident | TokenKind::Keyword))
        {
            if t.kind != TokenKind::Comment {
                before.push(t);
            }
            continue;
        }
        if s < offset {
            match t.kind {
                TokenKind::Comment | TokenKind::String | TokenKind::Number => {
                    return Located {
                        context: Context::Nothing,
                        item: ItemInfo::default(),
                    };
                }
                _ => {}
            }
        }
        if s >= offset || matches!(t.kind, TokenKind::Ident | TokenKind::Keyword) {
            break;
        }
    }
    // A line comment runs to the end of the line, also when the cursor is at its very end.
    if let Some(line) = src.get(..offset).and_then(|b| b.rsplit('\n').next())
        && line_has_comment(line)
    {
        return Located {
            context: Context::Nothing,
            item: ItemInfo::default(),
        };
    }
    let t = Toks { src, toks: before };
    let n = t.toks.len();
    let top = Located {
        context: Context::TopLevel,
        item: ItemInfo::default(),
    };
    // The cursor at column 0 starts a new item.
    let line_start = src
        .get(..offset)
        .map_or(0, |b| b.rfind('\n').map_or(0, |i| i + 1));
    if line_start == offset {
        return top;
    }
    // The item: the last item keyword in column 0.
    let Some(item_start) = (0..n).rev().find(|&i| {
        t.kind(i) == Some(TokenKind::Keyword)
            && icp_syntax::ITEM_KEYWORDS.contains(&t.text(i))
            && t.at_column0(i)
    }) else {
        return top;
    };
    let info = item_info(&t, item_start, n);
    // Walk the item's blocks.
    let mut stack: Vec<(Block, usize)> = Vec::new();
    let mut opened = false;
    let mut last_boundary = item_start;
    for i in item_start..n {
        match t.text(i) {
            "{" if t.kind(i) == Some(TokenKind::Punct) => {
                let owner = (last_boundary..i).rev().find_map(|j| {
                    (t.kind(j) == Some(TokenKind::Keyword))
                        .then(|| Block::of(t.text(j)))
                        .flatten()
                });
                let owner = match (owner, stack.last()) {
                    // A test's `profile NAME` clause is no block; `account {` is.
                    (Some(b), _) => b,
                    (None, Some((b, _))) => *b,
                    (None, None) => Block::of(&info.keyword).unwrap_or(Block::Segment),
                };
                stack.push((owner, i));
                opened = true;
                last_boundary = i + 1;
            }
            "}" if t.kind(i) == Some(TokenKind::Punct) => {
                stack.pop();
                last_boundary = i + 1;
            }
            _ => {}
        }
    }
    let Some(&(block, open)) = stack.last() else {
        if opened {
            return Located {
                context: Context::TopLevel,
                item: ItemInfo::default(),
            };
        }
        let context = header_context(&t, item_start, n, &info);
        return Located {
            context,
            item: info,
        };
    };
    let context = block_context(&t, block, open, n, offset);
    Located {
        context,
        item: info,
    }
}

fn line_has_comment(line: &str) -> bool {
    let mut in_str = false;
    let mut prev = ' ';
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if prev != '\\' => in_str = !in_str,
            '/' if !in_str && chars.peek() == Some(&'/') => return true,
            _ => {}
        }
        prev = if prev == '\\' && c == '\\' { ' ' } else { c };
    }
    false
}

fn item_info(t: &Toks<'_>, start: usize, n: usize) -> ItemInfo {
    let keyword = t.text(start).to_owned();
    let name = match t.kind(start + 1) {
        Some(TokenKind::Ident | TokenKind::Keyword) => Some(t.text(start + 1).to_owned()),
        Some(TokenKind::String) => Some(t.text(start + 1).trim_matches('"').to_owned()),
        _ => None,
    };
    let mut info = ItemInfo {
        keyword,
        name,
        ..ItemInfo::default()
    };
    let mut depth = 0usize;
    for i in start..n {
        let next = || (t.kind(i + 1) == Some(TokenKind::Ident)).then(|| t.text(i + 1).to_owned());
        match t.text(i) {
            "{" => depth += 1,
            "}" => depth = depth.saturating_sub(1),
            "for" if depth == 0 => info.schema = next(),
            "in" if depth == 0 && info.keyword == "profile" => info.situation = next(),
            "profile" if depth == 1 && info.keyword == "test" => {
                info.profile = t.toks.get(i + 1).map(|tok| tok.span.text(t.src).to_owned());
            }
            "let" => info.lets.extend(next()),
            "group" => info.groups.extend(next()),
            "goal" => info.goals.extend(next()),
            _ => {}
        }
    }
    info
}

fn header_context(t: &Toks<'_>, item_start: usize, n: usize, info: &ItemInfo) -> Context {
    let last = n.checked_sub(1).filter(|&l| l > item_start);
    match last.map(|l| t.text(l)) {
        Some("for") => Context::HeaderSchema,
        Some("in") if info.keyword == "profile" => Context::HeaderSituation,
        _ => Context::Header {
            item: info.keyword.clone(),
        },
    }
}

/// Words after which an expression goes on (so a new line does not start a clause).
const CONTINUES: &[&str] = &[
    "and", "or", "not", "in", "contains", "any", "all", "is", "when", "where", "==", "!=", "<",
    "<=", ">", ">=", "+", "-", "*", "/", "??", "..", "=", ",", "(", "[", "weight", "target",
    "profile", "tier", "reason", "expect", "for",
];

fn block_context(t: &Toks<'_>, block: Block, open: usize, n: usize, offset: usize) -> Context {
    let last = n.checked_sub(1).filter(|&l| l > open);
    // A new clause: right after the block's `{`, or on a new line after a finished clause.
    let new_line = last.is_none_or(|l| {
        let end = t.toks.get(l).map_or(0, |tok| tok.span.end as usize);
        t.src.get(end..offset).is_some_and(|gap| gap.contains('\n'))
            && !CONTINUES.contains(&t.text(l))
    });
    let clause_kw = clause_start(t, block, open, n);
    if new_line && !matches!(block, Block::Account | Block::Enum) {
        return Context::ClauseStart(block);
    }
    let Some(last) = last else {
        return Context::ClauseStart(block);
    };
    let prev = t.text(last);
    let first = clause_kw.map_or("", |i| t.text(i));
    match block {
        Block::Enum => Context::Nothing,
        Block::Schema => {
            if prev == ":" || (prev == "<" && last >= 1 && t.is(last - 1, "set")) {
                Context::Type
            } else if (open + 1..n)
                .rev()
                .take_while(|&i| !t.at_line_start(i) || i == last)
                .any(|i| t.is(i, ":"))
                || line_has(t, last, ":")
            {
                Context::AfterType
            } else {
                Context::Nothing
            }
        }
        Block::Account => {
            if prev == "{" || prev == "," {
                Context::AccountField
            } else if prev == ":" && last >= 1 {
                Context::Variants(t.text(last - 1).to_owned())
            } else {
                Context::Nothing
            }
        }
        Block::Test => match (first, prev) {
            ("profile", "profile") => Context::Profiles,
            ("expect", "expect") => Context::Expect,
            ("expect", "tier") => Context::ExpectTier,
            ("expect", "reason") => Context::ExpectReason,
            ("expect", ".") if last >= 1 && t.is(last - 1, "score") => {
                Context::Member("score".into())
            }
            _ => Context::Nothing,
        },
        Block::Situation => match (first, prev) {
            ("milestone", _) if last >= 1 && clause_kw == Some(last - 1) => Context::Goals,
            ("goal", _) if last >= 1 && clause_kw == Some(last - 1) => Context::Aggregate,
            ("goal", _) if (clause_kw.unwrap_or(n)..n).any(|i| t.is(i, "where")) => {
                expr_context(t, last, false)
            }
            _ => Context::Nothing,
        },
        Block::Segment | Block::Criterion | Block::Exclude => expr_context(t, last, false),
        Block::Profile | Block::Group => match first {
            "target" => {
                if prev == "target" || prev == "," {
                    Context::Segments
                } else {
                    Context::Nothing
                }
            }
            "let" if (clause_kw.unwrap_or(n)..n).any(|i| t.is(i, "=")) => {
                expr_context(t, last, false)
            }
            "tier" if (clause_kw.unwrap_or(n)..n).any(|i| t.is(i, "when")) => {
                expr_context(t, last, true)
            }
            "criterion"
                if !(clause_kw.unwrap_or(n)..n).any(|i| t.is(i, "weight"))
                    && prev != "criterion" =>
            {
                Context::Weight
            }
            _ => Context::Nothing,
        },
    }
}

fn line_has(t: &Toks<'_>, last: usize, text: &str) -> bool {
    let mut i = last;
    loop {
        if t.is(i, text) {
            return true;
        }
        if t.at_line_start(i) || i == 0 {
            return false;
        }
        i -= 1;
    }
}

/// The index of the keyword that starts the clause the cursor is in.
fn clause_start(t: &Toks<'_>, block: Block, open: usize, n: usize) -> Option<usize> {
    let words: &[&str] = match block {
        Block::Profile | Block::Group => icp_syntax::PROFILE_MEMBERS,
        Block::Situation => icp_syntax::SITUATION_CLAUSES,
        Block::Test => icp_syntax::TEST_CLAUSES,
        Block::Criterion => &["perfect", "practical"],
        _ => &[],
    };
    let mut depth = 0usize;
    for i in (open + 1..n).rev() {
        match t.text(i) {
            "}" | ")" | "]" => depth += 1,
            "{" | "(" | "[" => depth = depth.saturating_sub(1),
            w if depth == 0 && words.contains(&w) && t.at_line_start(i) => return Some(i),
            _ => {}
        }
    }
    None
}

fn expr_context(t: &Toks<'_>, last: usize, tier: bool) -> Context {
    let prev = t.text(last);
    if prev == "." && last >= 1 {
        return Context::Member(t.text(last - 1).to_owned());
    }
    // `x == |`, and on an ordered enum `x >= |`, `x in |..`: the variants of `x` (for a
    // field that is no enum, the usual operands)
    let ordering = !tier && matches!(prev, "<" | "<=" | ">" | ">=" | "in");
    if (matches!(prev, "==" | "!=") || ordering)
        && last >= 1
        && t.kind(last - 1) == Some(TokenKind::Ident)
    {
        return Context::Variants(t.text(last - 1).to_owned());
    }
    // `x in lo..|`
    if !tier
        && prev == ".."
        && last >= 3
        && t.is(last - 2, "in")
        && t.kind(last - 3) == Some(TokenKind::Ident)
    {
        return Context::Variants(t.text(last - 3).to_owned());
    }
    if prev == "[" || prev == "," {
        // Inside `x in [a, b, |`: find the `[` and the field before `in`.
        let mut depth = 0usize;
        let mut i = last;
        loop {
            match t.text(i) {
                "]" | ")" => depth += 1,
                "(" => depth = depth.saturating_sub(1),
                "[" if depth == 0 => break,
                "[" => depth -= 1,
                _ => {}
            }
            if i == 0 {
                break;
            }
            i -= 1;
        }
        if t.is(i, "[") && i >= 2 && t.is(i - 1, "in") {
            let j = if t.is(i - 2, "not") {
                i.saturating_sub(3)
            } else {
                i - 2
            };
            if t.kind(j) == Some(TokenKind::Ident) {
                return Context::Variants(t.text(j).to_owned());
            }
        }
    }
    let operand = !matches!(
        t.kind(last),
        Some(TokenKind::Ident | TokenKind::Number | TokenKind::String)
    ) && !matches!(
        prev,
        ")" | "]" | "missing" | "present" | "true" | "false" | "today" | "score"
    ) || matches!(
        prev,
        "not" | "and" | "or" | "in" | "contains" | "any" | "all" | "when" | "where"
    );
    Context::Expr { operand, tier }
}

// ----------------------------------------------------------------------------------------

/// Names known to the program: from the syntax trees of the analyses.
struct Names<'a> {
    items: Vec<(&'a Item, &'a str)>,
}

impl<'a> Names<'a> {
    fn schemas(&self) -> impl Iterator<Item = &'a ast::Schema> + '_ {
        self.items.iter().filter_map(|(i, _)| match i {
            Item::Schema(s) => Some(&**s),
            _ => None,
        })
    }
    fn segments(&self) -> impl Iterator<Item = &'a ast::Segment> + '_ {
        self.items.iter().filter_map(|(i, _)| match i {
            Item::Segment(s) => Some(&**s),
            _ => None,
        })
    }
    fn situations(&self) -> impl Iterator<Item = &'a ast::Situation> + '_ {
        self.items.iter().filter_map(|(i, _)| match i {
            Item::Situation(s) => Some(&**s),
            _ => None,
        })
    }
    fn profiles(&self) -> impl Iterator<Item = &'a ast::Profile> + '_ {
        self.items.iter().filter_map(|(i, _)| match i {
            Item::Profile(p) => Some(&**p),
            _ => None,
        })
    }
    fn profile(&self, name: Option<&str>) -> Option<&'a ast::Profile> {
        let name = name?;
        self.profiles().find(|p| p.name.name == name)
    }
    /// The schema(s) of the item: its `for`, a profile's, a test's profile's, else all.
    fn fields(&self, info: &ItemInfo) -> Vec<&'a ast::Field> {
        let mut schema = info.schema.clone();
        let profile_name = if info.keyword == "test" {
            info.profile.as_deref()
        } else {
            None
        };
        if schema.is_none()
            && let Some(p) = self.profile(profile_name)
        {
            schema = p.schema.as_ref().map(|s| s.name.clone());
        }
        super::schema_for(&self.items, schema.as_deref())
            .into_iter()
            .flat_map(|s| s.fields.iter())
            .collect()
    }
    /// A profile by the item's own name (profile) or its `profile` clause (test).
    fn item_profile(&self, info: &ItemInfo) -> Option<&'a ast::Profile> {
        match info.keyword.as_str() {
            "profile" => self.profile(info.name.as_deref()),
            "test" => self.profile(info.profile.as_deref()).or_else(|| {
                let mut ps = self.profiles();
                let first = ps.next();
                if ps.next().is_none() { first } else { None }
            }),
            _ => None,
        }
    }
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

fn keyword(word: &str) -> CompletionItem {
    let mut it = item(word, CompletionItemKind::KEYWORD, None);
    if let Some(h) = keywords::help(word) {
        it.documentation = Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: h.to_owned(),
        }));
    }
    it
}

/// A snippet body as plain text, for a client without snippet support: each placeholder
/// becomes its default text (`${1:name}` -> `name`), tab stops (`$0`, `${2}`) vanish, escapes
/// (`\$`, `\}`, `\\`) lose their backslash and a tab becomes two spaces.
pub fn plain(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(&n) = chars.peek()
                    && matches!(n, '$' | '}' | '\\')
                {
                    out.push(n);
                    chars.next();
                } else {
                    out.push(c);
                }
            }
            '$' => match chars.peek() {
                Some(d) if d.is_ascii_digit() => {
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                }
                Some('{') => {
                    chars.next();
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                    if chars.peek() == Some(&':') {
                        chars.next();
                    }
                    for d in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                        out.push(d);
                    }
                }
                _ => out.push(c),
            },
            '\t' => out.push_str("  "),
            _ => out.push(c),
        }
    }
    out
}

/// Turn every snippet item into a plain text one (the client said `snippetSupport` is
/// false, or did not say).
pub fn without_snippets(items: &mut [CompletionItem]) {
    for it in items {
        if it.insert_text_format == Some(InsertTextFormat::SNIPPET) {
            it.insert_text = it.insert_text.as_deref().map(plain);
            it.insert_text_format = Some(InsertTextFormat::PLAIN_TEXT);
        }
    }
}

fn snippet(label: &str, detail: &str, body: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_owned(),
        kind: Some(CompletionItemKind::SNIPPET),
        detail: Some(detail.to_owned()),
        insert_text: Some(body.to_owned()),
        insert_text_format: Some(InsertTextFormat::SNIPPET),
        ..CompletionItem::default()
    }
}

const PROFILE_SNIPPET: &str = "profile ${1:name} \"${2:title}\" {\n\ttarget ${3:segment}\n\n\tcriterion ${4:criterion} \"${5:title}\" weight ${6:10} {\n\t\t${7:condition}\n\t}\n\n\texclude ${8:exclusion} \"${9:reason}\" {\n\t\t${10:condition}\n\t}\n\n\ttier ${11:ideal} >= ${12:80}\n\ttier ${13:practical} >= ${14:50}\n\ttier ${15:not_fit}\n}\n$0";
const CRITERION_SNIPPET: &str =
    "criterion ${1:name} \"${2:title}\" weight ${3:10} {\n\t${0:condition}\n}";
const SCORECARD_SNIPPET: &str = "criterion ${1:name} \"${2:title}\" weight ${3:10} {\n\tperfect   when ${4:condition}\n\tpractical when ${0:condition}\n}";
const EXCLUDE_SNIPPET: &str = "exclude ${1:name} \"${2:reason}\" {\n\t${0:condition}\n}";
const TIER_SNIPPET: &str = "tier ${1:name} >= ${0:50}";
const CATCH_ALL_SNIPPET: &str = "tier ${0:not_fit}";

/// Whether `new` differs from `old` only inside the item that holds `offset` of `new` (so
/// the names of every other item are still those of `old`'s check).
pub fn edit_within_item(old: &str, new: &str, offset: usize) -> bool {
    let prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let max_suffix = old.len().min(new.len()) - prefix;
    let suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    if prefix == old.len() && prefix == new.len() {
        return true;
    }
    let changed = prefix..new.len() - suffix;
    let (start, end) = item_bounds(new, offset.min(new.len()));
    start <= changed.start && changed.end <= end
}

/// The byte range of the item around `offset`: from the last line starting with an item
/// keyword at or before it, to the next one after it (or the end).
fn item_bounds(src: &str, offset: usize) -> (usize, usize) {
    let starts_item = |line: &str| {
        icp_syntax::ITEM_KEYWORDS.iter().any(|k| {
            line.strip_prefix(k).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with([' ', '\t', '"', '{', '\r', '\n'])
            })
        })
    };
    let mut start = 0;
    let mut end = src.len();
    let mut at = 0;
    for line in src.split_inclusive('\n') {
        if starts_item(line) {
            if at <= offset {
                start = at;
            } else {
                end = at;
                break;
            }
        }
        at += line.len();
    }
    (start, end)
}

/// Completion items at `pos` of `text`. Names come from `parsed` (the current text's syntax
/// tree), then from the analyses given (the latest check, with the imported files, and the
/// last one that parsed, for the item being typed).
pub fn complete(
    text: &Text,
    parsed: Option<&icp_syntax::Parsed>,
    analyses: &[Option<&Analysis>],
    pos: Position,
) -> Vec<CompletionItem> {
    let offset = text.offset(pos);
    let located = locate(&text.src, offset);
    if located.context == Context::Nothing {
        return Vec::new();
    }
    let analyses: Vec<&Analysis> = analyses.iter().flatten().copied().collect();
    let fresh = parsed.map(|p| (&p.file, &*text.src));
    let names = Names {
        items: super::items_with(fresh, &analyses),
    };
    let mut out = items_for(&located, &names);
    for (i, it) in out.iter_mut().enumerate() {
        it.sort_text = Some(format!("{i:04}"));
    }
    out
}

fn items_for(located: &Located, names: &Names<'_>) -> Vec<CompletionItem> {
    let info = &located.item;
    let mut out = Vec::new();
    match &located.context {
        Context::Nothing => {}
        Context::TopLevel => {
            out.extend(icp_syntax::ITEM_KEYWORDS.iter().map(|k| keyword(k)));
            out.push(snippet(
                "profile skeleton",
                "a profile with a target, a criterion, an exclusion and tiers",
                PROFILE_SNIPPET,
            ));
        }
        Context::HeaderSchema => {
            out.extend(names.schemas().map(|s| {
                item(
                    &s.name.name,
                    CompletionItemKind::STRUCT,
                    Some("schema".into()),
                )
            }));
        }
        Context::HeaderSituation => {
            out.extend(names.situations().map(|s| {
                item(
                    &s.name.name,
                    CompletionItemKind::MODULE,
                    s.title.as_ref().map(|t| t.value.clone()),
                )
            }));
        }
        Context::Header { item: kw } => {
            out.push(keyword("for"));
            if kw == "profile" {
                out.push(keyword("in"));
            }
        }
        Context::ClauseStart(block) => clause_items(*block, info, names, &mut out),
        Context::Type => {
            for t in icp_syntax::TYPE_NAMES {
                match *t {
                    "enum" => out.push(snippet(
                        "enum",
                        "enum { a, b = \"B\", other = _ }",
                        "enum { ${1:a}, ${0:b} }",
                    )),
                    "set" => out.push(snippet("set", "set<text>", "set<${0:text}>")),
                    _ => {
                        let mut it = keyword(t);
                        it.kind = Some(CompletionItemKind::TYPE_PARAMETER);
                        out.push(it);
                    }
                }
            }
        }
        Context::AfterType => out.extend(icp_syntax::FIELD_KEYWORDS.iter().map(|k| keyword(k))),
        Context::Segments => {
            out.extend(names.segments().map(|s| {
                item(
                    &s.name.name,
                    CompletionItemKind::CLASS,
                    s.title.as_ref().map(|t| t.value.clone()),
                )
            }));
        }
        Context::Profiles => {
            out.extend(names.profiles().map(|p| {
                item(
                    &p.name.name,
                    CompletionItemKind::MODULE,
                    p.title.as_ref().map(|t| t.value.clone()),
                )
            }));
        }
        Context::Goals => {
            let mut goals = info.goals.clone();
            let situation = names
                .situations()
                .find(|s| Some(&s.name.name) == info.name.as_ref());
            if let Some(s) = situation {
                for c in &s.clauses {
                    if let SituationClause::Goal(g) = c
                        && !goals.contains(&g.name.name)
                    {
                        goals.push(g.name.name.clone());
                    }
                }
            }
            out.extend(
                goals
                    .iter()
                    .map(|g| item(g, CompletionItemKind::PROPERTY, Some("goal".into()))),
            );
        }
        Context::Weight => out.push(keyword("weight")),
        Context::Aggregate => {
            out.push(keyword("count"));
            out.push(snippet("sum", "sum(field)", "sum(${0:field})"));
        }
        Context::Expect => out.extend(icp_syntax::EXPECT_FORMS.iter().map(|k| keyword(k))),
        Context::ExpectTier => {
            if let Some(p) = names.item_profile(info) {
                for m in &p.members {
                    if let ProfileMember::Tier(t) = m {
                        out.push(item(
                            &t.name.name,
                            CompletionItemKind::ENUM_MEMBER,
                            t.action.as_ref().map(|a| a.value.clone()),
                        ));
                    }
                }
            }
            for w in ["excluded", "out_of_segment", "invalid"] {
                out.push(item(
                    w,
                    CompletionItemKind::ENUM_MEMBER,
                    Some("outcome".into()),
                ));
            }
        }
        Context::ExpectReason => {
            if let Some(p) = names.item_profile(info) {
                for c in super::criteria(p) {
                    out.push(item(
                        &c.name.name,
                        CompletionItemKind::FUNCTION,
                        c.title.as_ref().map(|t| t.value.clone()),
                    ));
                }
                for m in &p.members {
                    if let ProfileMember::Exclude(e) = m {
                        out.push(item(
                            &e.name.name,
                            CompletionItemKind::FUNCTION,
                            e.reason.as_ref().map(|t| t.value.clone()),
                        ));
                    }
                }
            }
        }
        Context::Member(of) => member_items(of, info, names, &mut out),
        Context::Variants(field) => {
            let fields = names.fields(info);
            let found = fields.iter().find(|f| &f.name.name == field);
            match found.map(|f| &f.ty.kind) {
                Some(TypeKind::Enum(e)) => {
                    for v in &e.variants {
                        let detail = if v.catch_all.is_some() {
                            Some("= _ (every other value)".to_owned())
                        } else if v.strings.is_empty() {
                            None
                        } else {
                            let s: Vec<String> =
                                v.strings.iter().map(|s| format!("{:?}", s.value)).collect();
                            Some(format!("= {}", s.join(" | ")))
                        };
                        out.push(item(&v.name.name, CompletionItemKind::ENUM_MEMBER, detail));
                    }
                }
                Some(TypeKind::Bool) => {
                    out.push(keyword("true"));
                    out.push(keyword("false"));
                }
                _ if located.item.keyword != "test" => {
                    return items_for(
                        &Located {
                            context: Context::Expr {
                                operand: true,
                                tier: false,
                            },
                            item: info.clone(),
                        },
                        names,
                    );
                }
                _ => {}
            }
        }
        Context::AccountField => {
            for f in names.fields(info) {
                let mut it = item(
                    &f.name.name,
                    CompletionItemKind::FIELD,
                    Some(type_text(&f.ty)),
                );
                it.insert_text = Some(format!("{}: ", f.name.name));
                out.push(it);
            }
        }
        Context::Expr { operand, tier } => expr_items(*operand, *tier, info, names, &mut out),
    }
    out
}

fn clause_items(block: Block, info: &ItemInfo, names: &Names<'_>, out: &mut Vec<CompletionItem>) {
    match block {
        Block::Schema | Block::Enum | Block::Account => {}
        Block::Situation => out.extend(icp_syntax::SITUATION_CLAUSES.iter().map(|k| keyword(k))),
        Block::Segment | Block::Exclude => expr_items(true, false, info, names, out),
        Block::Profile => {
            out.extend(icp_syntax::PROFILE_MEMBERS.iter().map(|k| keyword(k)));
            out.push(snippet("criterion …", "a new criterion", CRITERION_SNIPPET));
            out.push(snippet(
                "criterion … perfect/practical",
                "a new scorecard criterion",
                SCORECARD_SNIPPET,
            ));
            out.push(snippet("exclude …", "a new exclusion", EXCLUDE_SNIPPET));
            out.push(snippet("tier … >=", "a new tier", TIER_SNIPPET));
            out.push(snippet(
                "tier (catch-all)",
                "the last tier, for every other account",
                CATCH_ALL_SNIPPET,
            ));
        }
        Block::Group => {
            out.push(keyword("criterion"));
            out.push(snippet("criterion …", "a new criterion", CRITERION_SNIPPET));
            out.push(snippet(
                "criterion … perfect/practical",
                "a new scorecard criterion",
                SCORECARD_SNIPPET,
            ));
        }
        Block::Criterion => {
            let mut p = snippet(
                "perfect when",
                "a perfect fit earns the full weight",
                "perfect when $0",
            );
            p.kind = Some(CompletionItemKind::KEYWORD);
            let mut q = snippet(
                "practical when",
                "a practical fit earns weight × practical_share",
                "practical when $0",
            );
            q.kind = Some(CompletionItemKind::KEYWORD);
            out.push(p);
            out.push(q);
            expr_items(true, false, info, names, out);
        }
        Block::Test => {
            out.extend(icp_syntax::TEST_CLAUSES.iter().map(|k| keyword(k)));
        }
    }
}

fn member_items(of: &str, info: &ItemInfo, names: &Names<'_>, out: &mut Vec<CompletionItem>) {
    match of {
        "situation" => {
            let profile = names.item_profile(info);
            let wanted = info
                .situation
                .clone()
                .or_else(|| profile.and_then(|p| p.situation.as_ref().map(|s| s.name.clone())));
            for s in names.situations() {
                if wanted.as_ref().is_some_and(|w| w != &s.name.name) {
                    continue;
                }
                for c in &s.clauses {
                    match c {
                        SituationClause::Capability(cap) => out.push(item(
                            &cap.name.name,
                            CompletionItemKind::PROPERTY,
                            Some(format!("capability of `{}`", s.name.name)),
                        )),
                        SituationClause::Timeframe(tf) => {
                            for (name, d) in [("start", tf.start.date), ("end", tf.end.date)] {
                                out.push(item(
                                    name,
                                    CompletionItemKind::PROPERTY,
                                    Some(format!("{d}, timeframe of `{}`", s.name.name)),
                                ));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        "score" => {
            let mut groups: Vec<String> = info.groups.clone();
            if let Some(p) = names.item_profile(info) {
                for m in &p.members {
                    if let ProfileMember::Group(g) = m
                        && !groups.contains(&g.name.name)
                    {
                        groups.push(g.name.name.clone());
                    }
                }
            }
            out.extend(
                groups
                    .iter()
                    .map(|g| item(g, CompletionItemKind::MODULE, Some("group score".into()))),
            );
        }
        _ => {}
    }
}

fn expr_items(
    operand: bool,
    tier: bool,
    info: &ItemInfo,
    names: &Names<'_>,
    out: &mut Vec<CompletionItem>,
) {
    if !operand {
        for w in [
            "and",
            "or",
            "in",
            "not in",
            "contains",
            "contains any",
            "contains all",
            "is missing",
            "is present",
        ] {
            let mut it = keyword(w);
            if let Some(first) = w.split(' ').next()
                && it.documentation.is_none()
                && let Some(h) = keywords::help(first)
            {
                it.documentation = Some(Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: h.to_owned(),
                }));
            }
            out.push(it);
        }
        return;
    }
    if tier {
        out.push(keyword("score"));
    }
    for f in names.fields(info) {
        out.push(item(
            &f.name.name,
            CompletionItemKind::FIELD,
            Some(type_text(&f.ty)),
        ));
    }
    let mut lets: Vec<String> = info.lets.clone();
    if let Some(p) = names.item_profile(info) {
        for m in &p.members {
            if let ProfileMember::Let(l) = m
                && !lets.contains(&l.name.name)
            {
                lets.push(l.name.name.clone());
            }
        }
    }
    for l in &lets {
        out.push(item(l, CompletionItemKind::VARIABLE, Some("let".into())));
    }
    for s in names.segments() {
        if info.keyword == "segment" && info.name.as_ref() == Some(&s.name.name) {
            continue;
        }
        out.push(item(
            &s.name.name,
            CompletionItemKind::CLASS,
            Some(
                s.title
                    .as_ref()
                    .map_or_else(|| "segment".to_owned(), |t| format!("segment: {}", t.value)),
            ),
        ));
    }
    for w in ["not", "today", "situation", "true", "false"] {
        out.push(keyword(w));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_as_plain_text() {
        assert_eq!(
            plain(CRITERION_SNIPPET),
            "criterion name \"title\" weight 10 {\n  condition\n}"
        );
        assert_eq!(plain("perfect when $0"), "perfect when ");
        assert_eq!(plain("a \\$1 ${2} $ b"), "a $1  $ b");
        for body in [
            PROFILE_SNIPPET,
            CRITERION_SNIPPET,
            SCORECARD_SNIPPET,
            EXCLUDE_SNIPPET,
            TIER_SNIPPET,
            CATCH_ALL_SNIPPET,
        ] {
            let p = plain(body);
            assert!(!p.contains('$') && !p.contains('\t'), "{p}");
        }
    }

    #[test]
    fn edits_within_the_item() {
        let old = "segment a { x > 1 }\nprofile p {\n  target a\n}\ntest \"t\" { }\n";
        // Typing inside the profile, cursor in the profile.
        let new = old.replace("target a", "target ab");
        let cursor = new.find("ab").unwrap() + 2;
        assert!(edit_within_item(old, &new, cursor));
        // The same edit, cursor in another item.
        assert!(!edit_within_item(old, &new, 3));
        // Renaming the segment while completing in the profile: parse again.
        let new = old.replace("segment a", "segment b");
        assert!(!edit_within_item(old, &new, new.find("target").unwrap()));
        // No change at all.
        assert!(edit_within_item(old, old, 0));
        // A new item typed at the end.
        let new = format!("{old}seg");
        assert!(edit_within_item(old, &new, new.len()));
    }
}
