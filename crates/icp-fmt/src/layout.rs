//! The layout of each construct, from the lossless tree.

use std::collections::HashMap;
use std::sync::OnceLock;

use icp_syntax::{SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken};
use rowan::NodeOrToken;

use crate::doc::{Doc, print};

/// A width no line reaches: print flat.
const FLAT: usize = 1 << 30;

/// The grammar rules the formatter knows by name.
const NAMES: &[&str] = &[
    "import",
    "schema",
    "field",
    "from_clause",
    "key_flag",
    "type_expr",
    "optional_mark",
    "set_type",
    "enum_type",
    "variant",
    "situation",
    "timeframe",
    "goal",
    "count_metric",
    "sum_metric",
    "where_clause",
    "milestone",
    "capability",
    "segment",
    "title",
    "for_clause",
    "in_clause",
    "profile",
    "target",
    "practical_share",
    "let_binding",
    "group",
    "criterion",
    "weight",
    "scorecard",
    "perfect_branch",
    "practical_branch",
    "exclude",
    "tier",
    "threshold",
    "tier_when",
    "test",
    "test_profile",
    "as_of",
    "account",
    "account_field",
    "expect",
    "expect_tier",
    "expect_reason",
    "expect_excluded_by",
    "expect_in_segment",
    "expect_criterion",
    "expect_action",
    "expect_compare",
    "group_score",
    "score_metric",
    "coverage_metric",
    "expr",
    "not_op",
    "neg_op",
    "in_test",
    "negated",
    "range",
    "contains_test",
    "contains_any",
    "contains_all",
    "is_test",
    "missing",
    "present",
    "bound",
    "paren",
    "list",
    "reference",
    "call_args",
    "path_tail",
    "comma",
    "lbrace",
    "rbrace",
    "kw_and",
    "kw_or",
    "ident",
    "colon",
    "kw_tier",
    "kw_enum",
    "import",
    "kw_account",
    "lparen",
    "rparen",
    "rbracket",
];

/// Node kinds whose children are written separated by one space.
const SPACED: &[&str] = &[
    "import",
    "from_clause",
    "key_flag",
    "variant",
    "timeframe",
    "goal",
    "count_metric",
    "where_clause",
    "milestone",
    "capability",
    "title",
    "for_clause",
    "in_clause",
    "target",
    "practical_share",
    "let_binding",
    "weight",
    "perfect_branch",
    "practical_branch",
    "tier",
    "threshold",
    "tier_when",
    "test_profile",
    "as_of",
    "expect",
    "expect_tier",
    "expect_reason",
    "expect_excluded_by",
    "expect_in_segment",
    "expect_criterion",
    "expect_action",
    "expect_compare",
    "score_metric",
    "coverage_metric",
    "not_op",
    "in_test",
    "negated",
    "contains_test",
    "contains_any",
    "contains_all",
    "is_test",
    "missing",
    "present",
    "bound",
    "account_field",
];

/// Node kinds whose children are written with nothing between them.
const TIGHT: &[&str] = &[
    "type_expr",
    "set_type",
    "sum_metric",
    "group_score",
    "range",
    "reference",
    "path_tail",
];

/// Kinds that hold a body of clauses (and comments) between braces.
const BODIES: &[&str] = &[
    "schema",
    "situation",
    "segment",
    "profile",
    "group",
    "criterion",
    "exclude",
    "test",
    "account",
    "enum_type",
];

fn kinds() -> &'static HashMap<&'static str, SyntaxKind> {
    static KINDS: OnceLock<HashMap<&'static str, SyntaxKind>> = OnceLock::new();
    KINDS.get_or_init(|| {
        NAMES
            .iter()
            .chain(SPACED)
            .chain(TIGHT)
            .filter_map(|n| SyntaxKind::from_rule_name(n).map(|k| (*n, k)))
            .collect()
    })
}

fn is(kind: SyntaxKind, name: &str) -> bool {
    kinds().get(name) == Some(&kind)
}

fn is_any(kind: SyntaxKind, names: &[&str]) -> bool {
    names.iter().any(|n| is(kind, n))
}

/// A child of a node, with what separated it from the one before.
struct Piece {
    el: SyntaxElement,
    /// A line ends between the previous piece and this one.
    newline: bool,
    /// An empty line separates them.
    blank: bool,
}

impl Piece {
    fn comment(&self) -> Option<String> {
        match &self.el {
            NodeOrToken::Token(t) if t.kind() == SyntaxKind::COMMENT => {
                Some(t.text().trim_end().to_owned())
            }
            _ => None,
        }
    }
}

/// The children of `n` other than whitespace.
fn pieces(n: &SyntaxNode) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut lines = 0usize;
    for el in n.children_with_tokens() {
        if el.kind() == SyntaxKind::WHITESPACE {
            if let NodeOrToken::Token(t) = &el {
                lines += t.text().matches('\n').count();
            }
            continue;
        }
        out.push(Piece {
            el,
            newline: lines > 0,
            blank: lines > 1,
        });
        lines = 0;
    }
    out
}

/// A line of a block: its text (indentation included) and its trailing comment.
struct Line {
    text: String,
    comment: Option<String>,
}

/// Lines of text (the first indented too), with trailing comments aligned in each run of
/// lines without a blank one.
fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let run_end = lines
            .iter()
            .skip(i)
            .position(|l| l.text.is_empty() && l.comment.is_none())
            .map_or(lines.len(), |p| i + p);
        let run = lines.get(i..run_end).unwrap_or_default();
        let col = run
            .iter()
            .filter(|l| l.comment.is_some() && !l.text.trim().is_empty())
            .map(|l| width(&l.text))
            .max()
            .unwrap_or(0);
        for l in run {
            out.push_str(&l.text);
            if let Some(c) = &l.comment {
                if l.text.trim().is_empty() {
                    out.push_str(c);
                } else {
                    let pad = col.saturating_sub(width(&l.text)) + 1;
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(c);
                }
            }
            out.push('\n');
        }
        if run_end < lines.len() {
            out.push('\n');
        }
        i = run_end + 1;
    }
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}

/// Whether `n` holds a comment that its layout does not place: one outside the body of
/// every construct with a body (inside an expression, in a header).
fn stray_comment(n: &SyntaxNode) -> bool {
    n.descendants_with_tokens()
        .filter_map(NodeOrToken::into_token)
        .any(|t| {
            if t.kind() == SyntaxKind::COMMENT {
                !placed(&t)
            } else {
                swallowed_comment(&t)
            }
        })
}

/// Whether a token took in the trivia after it, a comment included (`other = // x` makes
/// the `=` token `= // x`): its node is written as it is.
fn swallowed_comment(t: &SyntaxToken) -> bool {
    let text = t.text();
    text.contains("//") && !text.starts_with('"')
}

/// Whether a comment is one that a body layout places (between clauses, after `{`, before
/// `}`).
fn placed(t: &SyntaxToken) -> bool {
    let Some(parent) = t.parent() else {
        return true;
    };
    let kind = parent.kind();
    // `expr` places the comments between its operands itself.
    if kind == SyntaxKind::ROOT || is(kind, "scorecard") || is(kind, "expr") {
        return true;
    }
    if !is_any(kind, BODIES) {
        return false;
    }
    // after the body's `{`
    let mut prev = t.prev_sibling_or_token();
    while let Some(p) = prev {
        if is(p.kind(), "lbrace") {
            return true;
        }
        prev = p.prev_sibling_or_token();
    }
    false
}

/// Whether every child of `n` but trivia is of one of the kinds named (`"["` stands for that
/// literal token): else the node has syntax this layout does not know.
fn only(n: &SyntaxNode, names: &[&str]) -> bool {
    n.children_with_tokens().all(|c| {
        let k = c.kind();
        k.is_trivia()
            || is_any(k, names)
            || (k == SyntaxKind::TOKEN
                && names
                    .iter()
                    .any(|name| c.as_token().is_some_and(|t| t.text() == *name)))
    })
}

/// Whether a comment sits in the body of `n` (between its braces).
fn body_comment(n: &SyntaxNode) -> bool {
    n.children_with_tokens()
        .any(|c| c.kind() == SyntaxKind::COMMENT)
}

/// Whether a comment sits in the header of `n` (before its `{`), where no layout places it.
fn head_comment(n: &SyntaxNode) -> bool {
    for c in n.children_with_tokens() {
        if is(c.kind(), "lbrace") {
            return false;
        }
        match &c {
            NodeOrToken::Token(t) if t.kind() == SyntaxKind::COMMENT => return true,
            NodeOrToken::Node(x) if stray_comment(x) => return true,
            _ => {}
        }
    }
    false
}

/// The formatter.
pub(crate) struct Fmt {
    width: usize,
}

impl Fmt {
    pub(crate) fn new(width: usize) -> Fmt {
        Fmt {
            width: width.max(20),
        }
    }

    /// The whole file.
    pub(crate) fn root(&self, root: &SyntaxNode) -> String {
        let mut lines: Vec<Line> = Vec::new();
        // the previous piece: none, an item, or an own-line comment
        let mut prev_comment_attached = false;
        let mut prev_import = false;
        for p in pieces(root) {
            if let Some(c) = p.comment() {
                if !p.newline
                    && let Some(last) = lines.last_mut()
                    && last.comment.is_none()
                {
                    last.comment = Some(c);
                    continue;
                }
                let after_item = !lines.is_empty() && !prev_comment_attached;
                if !lines.is_empty() && (p.blank || after_item) {
                    lines.push(blank());
                }
                lines.push(Line {
                    text: String::new(),
                    comment: Some(c),
                });
                prev_comment_attached = true;
                continue;
            }
            match &p.el {
                NodeOrToken::Node(n) => {
                    let import = is(n.kind(), "import");
                    // consecutive imports stay together (unless the author parted them)
                    let together = import && prev_import && !prev_comment_attached;
                    if !lines.is_empty() && (p.blank || (!prev_comment_attached && !together)) {
                        lines.push(blank());
                    }
                    push_text(&mut lines, 0, &self.node(n, 0));
                    prev_comment_attached = false;
                    prev_import = import;
                }
                NodeOrToken::Token(t) => {
                    prev_import = false;
                    // stray text at the top level cannot occur in a file that parses
                    push_text(&mut lines, 0, t.text());
                    prev_comment_attached = false;
                }
            }
        }
        let out = render(&lines);
        let out: Vec<&str> = out.lines().map(str::trim_end).collect();
        let mut text = out.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        text
    }

    /// A node at column `indent`: its text, the first line without indentation.
    fn node(&self, n: &SyntaxNode, indent: usize) -> String {
        let k = n.kind();
        let verbatim = if is_any(k, BODIES) {
            head_comment(n)
        } else {
            !is(k, "scorecard") && stray_comment(n)
        };
        if verbatim {
            return n.text().to_string();
        }
        if is(k, "account")
            && !only(
                n,
                &["kw_account", "lbrace", "account_field", "comma", "rbrace"],
            )
        {
            return n.text().to_string();
        }
        if is_any(k, &["schema"]) {
            self.schema(n, indent)
        } else if is_any(k, &["situation", "profile", "group", "test"]) {
            self.block_item(n, indent)
        } else if is_any(k, &["segment", "criterion", "exclude"]) {
            self.braced_expr(n, indent)
        } else if is(k, "account") {
            self.account(n, indent)
        } else if is(k, "scorecard") {
            self.scorecard(n, indent)
        } else if is(k, "expr") {
            print(&self.expr(n, 0), self.width, indent, indent)
        } else {
            print(
                &self.doc(&NodeOrToken::Node(n.clone())),
                self.width,
                indent,
                indent,
            )
        }
    }

    /// The header of a construct with a body: its children before `{`, one space apart.
    fn header(&self, n: &SyntaxNode) -> String {
        let parts: Vec<Doc> = pieces(n)
            .into_iter()
            .take_while(|p| !is(p.el.kind(), "lbrace"))
            .map(|p| self.doc(&p.el))
            .collect();
        print(&join_spaced(parts, &[]), FLAT, 0, 0)
    }

    /// The pieces between a node's `{` and its `}`.
    fn body(n: &SyntaxNode) -> Vec<Piece> {
        pieces(n)
            .into_iter()
            .skip_while(|p| !is(p.el.kind(), "lbrace"))
            .skip(1)
            .take_while(|p| !is(p.el.kind(), "rbrace"))
            .collect()
    }

    /// Lines of a body at `indent`: each clause by `clause`, comments where they were,
    /// `sep` after every clause but the last. The first result is a comment that followed
    /// the `{` on its line.
    fn lines(
        body: &[Piece],
        indent: usize,
        sep: &str,
        clause: &mut dyn FnMut(&SyntaxNode) -> String,
    ) -> (Option<String>, Vec<Line>) {
        let mut head = None;
        let mut lines: Vec<Line> = Vec::new();
        let nodes = body
            .iter()
            .filter(|p| matches!(p.el, NodeOrToken::Node(_)))
            .count();
        let mut seen = 0;
        for p in body {
            if let Some(c) = p.comment() {
                if !p.newline {
                    match lines.last_mut() {
                        None if head.is_none() => {
                            head = Some(c);
                            continue;
                        }
                        Some(last) if last.comment.is_none() && !last.text.trim().is_empty() => {
                            last.comment = Some(c);
                            continue;
                        }
                        _ => {}
                    }
                }
                if p.blank && !lines.is_empty() {
                    lines.push(blank());
                }
                lines.push(Line {
                    text: spaces(indent),
                    comment: Some(c),
                });
                continue;
            }
            let NodeOrToken::Node(n) = &p.el else {
                continue; // separators, written again below
            };
            seen += 1;
            if p.blank && !lines.is_empty() {
                lines.push(blank());
            }
            let mut text = clause(n);
            if seen < nodes {
                text.push_str(sep);
            }
            push_text(&mut lines, indent, &text);
        }
        (head, lines)
    }

    /// `header {` lines `}`, the first line without indentation.
    fn wrap(indent: usize, header: &str, head: Option<String>, lines: &[Line]) -> String {
        let mut all = vec![Line {
            text: format!("{header} {{"),
            comment: head,
        }];
        all.extend(lines.iter().map(|l| Line {
            text: l.text.clone(),
            comment: l.comment.clone(),
        }));
        all.push(Line {
            text: format!("{}}}", spaces(indent)),
            comment: None,
        });
        let text = render(&all);
        text.strip_suffix('\n').unwrap_or(&text).to_owned()
    }

    /// A situation, profile, group or test: a header and a block of clauses.
    fn block_item(&self, n: &SyntaxNode, indent: usize) -> String {
        let header = self.header(n);
        let body = Self::body(n);
        let inner = indent + 2;
        let tiers = TierColumns::of(self, &body);
        let (head, lines) = Self::lines(&body, inner, "", &mut |c| {
            if is_tier(c) {
                tiers.tier(self, c, inner)
            } else {
                self.node(c, inner)
            }
        });
        if lines.is_empty() && head.is_none() {
            return format!("{header} {{}}");
        }
        Self::wrap(indent, &header, head, &lines)
    }

    /// A segment, criterion or exclude: a header and a condition (or a scorecard) in braces,
    /// on one line when it fits.
    fn braced_expr(&self, n: &SyntaxNode, indent: usize) -> String {
        let header = self.header(n);
        let body = Self::body(n);
        let inner = indent + 2;
        let has_comment = body.iter().any(|p| p.comment().is_some());
        let only = body.iter().find_map(|p| match &p.el {
            NodeOrToken::Node(c) => Some(c.clone()),
            NodeOrToken::Token(_) => None,
        });
        if !has_comment
            && let Some(c) = &only
            && is(c.kind(), "expr")
        {
            let flat = print(&self.expr(c, 0), FLAT, 0, 0);
            let line = format!("{header} {{ {flat} }}");
            if !flat.contains('\n') && indent + width(&line) <= self.width {
                return line;
            }
        }
        let (head, lines) = Self::lines(&body, inner, "", &mut |c| self.node(c, inner));
        Self::wrap(indent, &header, head, &lines)
    }

    /// `perfect when ...` and `practical when ...`, aligned.
    fn scorecard(&self, n: &SyntaxNode, indent: usize) -> String {
        let body = pieces(n);
        let two = body.iter().any(|p| is(p.el.kind(), "practical_branch"));
        let (_, lines) = Self::lines(&body, indent, "", &mut |c| {
            if stray_comment(c) || !is_any(c.kind(), &["perfect_branch", "practical_branch"]) {
                return self.node(c, indent);
            }
            let mut parts: Vec<Doc> = pieces(c).iter().map(|p| self.doc(&p.el)).collect();
            if two
                && is(c.kind(), "perfect_branch")
                && let Some(Doc::Text(first)) = parts.first_mut()
            {
                first.push_str("  ");
            }
            print(&join_spaced(parts, &[]), self.width, indent, indent)
        });
        let text = render(&lines);
        text.trim_start().trim_end_matches('\n').to_owned()
    }

    /// A test's `account { ... }`: fields filled onto lines aligned after `account { `, or
    /// one a line when comments sit between them.
    fn account(&self, n: &SyntaxNode, indent: usize) -> String {
        let body = Self::body(n);
        let fields: Vec<&SyntaxNode> = body
            .iter()
            .filter_map(|p| match &p.el {
                NodeOrToken::Node(c) => Some(c),
                NodeOrToken::Token(_) => None,
            })
            .collect();
        let inner = indent + 2;
        if body.iter().any(|p| p.comment().is_some()) {
            let (head, lines) = Self::lines(&body, inner, ",", &mut |c| self.node(c, inner));
            return Self::wrap(indent, "account", head, &lines);
        }
        if fields.is_empty() {
            return "account {}".to_owned();
        }
        let start = "account { ";
        let cont = indent + width(start);
        let mut out = start.to_owned();
        let mut col = cont;
        let mut line_empty = true;
        let count = fields.len();
        for (i, f) in fields.iter().enumerate() {
            let mut item = print(&self.doc(&NodeOrToken::Node((*f).clone())), FLAT, 0, 0);
            item.push_str(if i + 1 == count { " }" } else { "," });
            let w = width(&item);
            if !line_empty && col + 1 + w > self.width {
                out.push('\n');
                out.push_str(&spaces(cont));
                col = cont;
                line_empty = true;
            }
            if !line_empty {
                out.push(' ');
                col += 1;
            }
            out.push_str(&item);
            col += w;
            line_empty = false;
        }
        out
    }

    /// A schema: fields in aligned columns (name, type, the rest).
    fn schema(&self, n: &SyntaxNode, indent: usize) -> String {
        let header = self.header(n);
        let body = Self::body(n);
        let inner = indent + 2;
        let fields: Vec<SyntaxNode> = body
            .iter()
            .filter_map(|p| match &p.el {
                NodeOrToken::Node(c) if is(c.kind(), "field") && !stray_comment(c) => {
                    Some(c.clone())
                }
                _ => None,
            })
            .collect();
        let name_col = fields
            .iter()
            .filter_map(|f| field_parts(f).map(|p| width(&p.name) + 2))
            .max()
            .unwrap_or(0);
        let type_col = fields
            .iter()
            .filter_map(|f| {
                let p = field_parts(f)?;
                let t = self.type_flat(&p.ty);
                (!t.contains('\n') && width(&t) <= 12).then(|| width(&t) + 1)
            })
            .max()
            .unwrap_or(0);
        let (head, lines) = Self::lines(&body, inner, "", &mut |c| {
            if is(c.kind(), "field") && !stray_comment(c) {
                self.field(c, inner, name_col, type_col)
            } else {
                self.node(c, inner)
            }
        });
        if lines.is_empty() && head.is_none() {
            return format!("{header} {{}}");
        }
        Self::wrap(indent, &header, head, &lines)
    }

    fn type_flat(&self, ty: &SyntaxNode) -> String {
        print(&self.doc(&NodeOrToken::Node(ty.clone())), FLAT, 0, 0)
    }

    /// One schema field at column `indent`, its type at `indent + name_col`, the rest after
    /// `type_col` more columns.
    fn field(&self, f: &SyntaxNode, indent: usize, name_col: usize, type_col: usize) -> String {
        let Some(p) = field_parts(f) else {
            return f.text().to_string();
        };
        let name = format!("{}:", p.name);
        let rest = p
            .rest
            .iter()
            .map(|r| print(&self.doc(&NodeOrToken::Node(r.clone())), FLAT, 0, 0))
            .collect::<Vec<_>>()
            .join(" ");
        let lead = format!("{name}{}", spaces(name_col.saturating_sub(width(&name))));
        let ty_col = indent + width(&lead);
        let flat = self.type_flat(&p.ty);
        let commented =
            p.ty.children()
                .any(|e| is(e.kind(), "enum_type") && body_comment(&e));
        let fits = ty_col + width(&flat) + 1 + width(&rest) <= self.width;
        let ty = if !commented && (fits || flat.contains('\n')) {
            flat
        } else {
            self.type_broken(&p.ty, ty_col).unwrap_or(flat)
        };
        if rest.is_empty() {
            return format!("{lead}{ty}");
        }
        let last_line = ty.rsplit('\n').next().unwrap_or("");
        let last_w = if ty.contains('\n') {
            width(last_line).saturating_sub(ty_col)
        } else {
            width(last_line)
        };
        let pad = type_col.saturating_sub(last_w).max(1);
        format!("{lead}{ty}{}{rest}", spaces(pad))
    }

    /// A type with an enum broken one variant a line, the variants at `col + 2`, `}` at
    /// `col` (`None`: not an enum).
    fn type_broken(&self, ty: &SyntaxNode, col: usize) -> Option<String> {
        let en = ty.children().find(|c| is(c.kind(), "enum_type"))?;
        if !only(&en, &["kw_enum", "lbrace", "variant", "comma", "rbrace"]) {
            return None;
        }
        let body = Self::body(&en);
        let names: Vec<usize> = body
            .iter()
            .filter_map(|p| match &p.el {
                NodeOrToken::Node(v) if is(v.kind(), "variant") => {
                    let has_eq = v.children_with_tokens().count() > 1;
                    has_eq.then(|| {
                        v.children_with_tokens()
                            .find(|c| is(c.kind(), "ident"))
                            .map_or(0, |c| width(&c.to_string()))
                    })
                }
                _ => None,
            })
            .collect();
        let name_w = names.into_iter().max().unwrap_or(0);
        let inner = col + 2;
        let (head, lines) = Self::lines(&body, inner, ",", &mut |v| {
            if stray_comment(v) || !is(v.kind(), "variant") {
                return self.node(v, inner);
            }
            let ps = pieces(v);
            let mut out = String::new();
            for (i, p) in ps.iter().enumerate() {
                let t = print(&self.doc(&p.el), FLAT, 0, 0);
                if i == 0 {
                    out.push_str(&t);
                    if ps.len() > 1 {
                        out.push_str(&spaces(name_w.saturating_sub(width(&t))));
                    }
                } else {
                    out.push(' ');
                    out.push_str(&t);
                }
            }
            out
        });
        let mut text = Self::wrap(col, "enum", head, &lines);
        if ty
            .children_with_tokens()
            .any(|c| is(c.kind(), "optional_mark"))
        {
            text.push('?');
        }
        Some(text)
    }

    /// The document of an expression; lines after a break before `and` / `or` are indented
    /// by `cont`.
    fn expr(&self, n: &SyntaxNode, cont: usize) -> Doc {
        // Comments between the operands are placed below; one deeper down keeps its
        // operand as written (`doc`), and a token that took in a comment keeps it all.
        if n.descendants_with_tokens()
            .filter_map(NodeOrToken::into_token)
            .any(|t| t.kind() != SyntaxKind::COMMENT && swallowed_comment(&t))
        {
            return Doc::text(n.text().to_string());
        }
        let mut head = Vec::new();
        let mut tail = Vec::new();
        let mut seen_bool = false;
        let mut glue = false; // no space before the next part
        let all = pieces(n);
        for (i, p) in all.iter().enumerate() {
            let k = p.el.kind();
            if k == SyntaxKind::COMMENT {
                // A comment just before `and` / `or` goes with the lines they start.
                let next_bool = all
                    .iter()
                    .skip(i + 1)
                    .find(|q| q.el.kind() != SyntaxKind::COMMENT)
                    .is_some_and(|q| is(q.el.kind(), "kw_and") || is(q.el.kind(), "kw_or"));
                if next_bool {
                    seen_bool = true;
                }
                let target = if seen_bool { &mut tail } else { &mut head };
                // no trailing space before a line break (`and ` then a comment line)
                if let Some(Doc::Text(t)) = target.last_mut()
                    && p.newline
                    && t.ends_with(' ')
                {
                    let trimmed = t.trim_end().to_owned();
                    *t = trimmed;
                }
                let after_hard = target.last().is_some_and(is_hard);
                // Before the first `and` / `or`, an operand continued on the next line is
                // indented (the lines they start already are, by `cont`).
                let hard = || {
                    if seen_bool {
                        Doc::HardLine
                    } else {
                        Doc::Nest(2, vec![Doc::HardLine])
                    }
                };
                if p.newline && !after_hard && (!target.is_empty() || seen_bool) {
                    target.push(hard());
                } else if !glue && !target.is_empty() {
                    target.push(Doc::text(" "));
                }
                target.push(Doc::text(p.el.to_string()));
                target.push(hard());
                glue = true;
                continue;
            }
            if is(k, "kw_and") || is(k, "kw_or") {
                seen_bool = true;
                if !tail.last().is_some_and(is_hard) {
                    tail.push(Doc::Line);
                }
                tail.push(Doc::text(format!("{} ", p.el)));
                glue = true;
                continue;
            }
            let target = if seen_bool { &mut tail } else { &mut head };
            if !glue && !target.is_empty() {
                target.push(Doc::text(" "));
            }
            target.push(self.doc(&p.el));
            glue = is(k, "neg_op");
        }
        head.push(Doc::Nest(cont, tail));
        Doc::Group(head)
    }

    /// The document of any element below a clause.
    fn doc(&self, el: &SyntaxElement) -> Doc {
        let n = match el {
            NodeOrToken::Token(t) => return Doc::text(token_text(t)),
            NodeOrToken::Node(n) => n,
        };
        let k = n.kind();
        if stray_comment(n) {
            return Doc::text(n.text().to_string());
        }
        if is(k, "expr") {
            return self.expr(n, 2);
        }
        if is(k, "enum_type") {
            if body_comment(n) || !only(n, &["kw_enum", "lbrace", "variant", "comma", "rbrace"]) {
                return Doc::text(n.text().to_string());
            }
            let items: Vec<Vec<Doc>> = Self::body(n)
                .iter()
                .filter(|p| !is(p.el.kind(), "comma"))
                .map(|p| vec![self.doc(&p.el)])
                .collect();
            if items.is_empty() {
                return Doc::text("enum {}");
            }
            let mut parts = vec![Doc::text("enum { ")];
            parts.push(join_with(items, ", "));
            parts.push(Doc::text(" }"));
            return Doc::Concat(parts);
        }
        if is(k, "list") && only(n, &["[", "expr", "comma", "rbracket"]) {
            let items: Vec<Doc> = pieces(n)
                .iter()
                .filter(|p| is(p.el.kind(), "expr"))
                .map(|p| match &p.el {
                    NodeOrToken::Node(e) => self.expr(e, 0),
                    NodeOrToken::Token(t) => Doc::text(t.text()),
                })
                .collect();
            if items.is_empty() {
                return Doc::text("[]");
            }
            let mut inner = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                if i > 0 {
                    inner.push(Doc::text(","));
                    inner.push(Doc::Line);
                }
                inner.push(item);
            }
            let mut nest = vec![Doc::SoftLine];
            nest.extend(inner);
            return Doc::Group(vec![
                Doc::text("["),
                Doc::Nest(2, nest),
                Doc::IfBreak(","),
                Doc::SoftLine,
                Doc::text("]"),
            ]);
        }
        if is(k, "paren") && only(n, &["lparen", "expr", "rparen"]) {
            let inner: Vec<Doc> = pieces(n)
                .iter()
                .filter_map(|p| match &p.el {
                    NodeOrToken::Node(e) if is(e.kind(), "expr") => Some(self.expr(e, 0)),
                    _ => None,
                })
                .collect();
            let mut nest = vec![Doc::SoftLine];
            nest.extend(inner);
            return Doc::Group(vec![
                Doc::text("("),
                Doc::Nest(2, nest),
                Doc::SoftLine,
                Doc::text(")"),
            ]);
        }
        if is(k, "call_args") && only(n, &["lparen", "expr", "comma", "rparen"]) {
            let items: Vec<Vec<Doc>> = pieces(n)
                .iter()
                .filter(|p| is(p.el.kind(), "expr"))
                .map(|p| vec![self.doc(&p.el)])
                .collect();
            return Doc::Concat(vec![Doc::text("("), join_with(items, ", "), Doc::text(")")]);
        }
        let parts: Vec<Doc> = pieces(n).iter().map(|p| self.doc(&p.el)).collect();
        if is_any(k, SPACED) {
            let glue: Vec<bool> = pieces(n)
                .iter()
                .map(|p| is(p.el.kind(), "neg_op"))
                .collect();
            let kinds: Vec<SyntaxKind> = pieces(n).iter().map(|p| p.el.kind()).collect();
            return join_spaced_kinds(parts, &kinds, &glue);
        }
        if is_any(k, TIGHT) {
            return Doc::Concat(parts);
        }
        Doc::text(n.text().to_string())
    }
}

/// Column widths of the tier rows of a block.
struct TierColumns {
    name: usize,
    title: usize,
}

impl TierColumns {
    fn of(f: &Fmt, body: &[Piece]) -> TierColumns {
        let mut cols = TierColumns { name: 0, title: 0 };
        for p in body {
            let NodeOrToken::Node(t) = &p.el else {
                continue;
            };
            if !is_tier(t) {
                continue;
            }
            let (name, title, _) = tier_parts(f, t);
            cols.name = cols.name.max(width(&name));
            if let Some(title) = title {
                cols.title = cols.title.max(width(&title));
            }
        }
        cols
    }

    fn tier(&self, f: &Fmt, t: &SyntaxNode, indent: usize) -> String {
        let (name, title, rule) = tier_parts(f, t);
        let mut out = format!("tier {name}");
        let Some(rule) = rule else {
            if let Some(title) = title {
                out.push_str(&spaces(self.name.saturating_sub(width(&name)) + 1));
                out.push_str(&title);
            }
            return out;
        };
        out.push_str(&spaces(self.name.saturating_sub(width(&name)) + 1));
        if self.title > 0 {
            let title = title.unwrap_or_default();
            out.push_str(&title);
            out.push_str(&spaces(self.title.saturating_sub(width(&title)) + 1));
        }
        let col = indent + width(&out);
        out.push_str(&print(&f.doc(&rule), f.width, col, indent));
        out
    }
}

/// A tier this layout knows all of.
fn is_tier(t: &SyntaxNode) -> bool {
    is(t.kind(), "tier")
        && !stray_comment(t)
        && only(t, &["kw_tier", "ident", "title", "threshold", "tier_when"])
}

/// A tier's name, title and rule (`>= N` or `when ...`).
fn tier_parts(f: &Fmt, t: &SyntaxNode) -> (String, Option<String>, Option<SyntaxElement>) {
    let mut name = String::new();
    let mut title = None;
    let mut rule = None;
    for p in pieces(t) {
        let k = p.el.kind();
        if is(k, "ident") {
            name = p.el.to_string();
        } else if is(k, "title") {
            title = Some(print(&f.doc(&p.el), FLAT, 0, 0));
        } else if !is(k, "kw_tier") {
            rule = Some(p.el.clone());
        }
    }
    (name, title, rule)
}

/// The parts of a schema field: name, type, and the clauses after the type.
struct FieldParts {
    name: String,
    ty: SyntaxNode,
    rest: Vec<SyntaxNode>,
}

fn field_parts(f: &SyntaxNode) -> Option<FieldParts> {
    let ps = pieces(f);
    let mut name = None;
    let mut ty = None;
    let mut rest = Vec::new();
    for p in &ps {
        match &p.el {
            NodeOrToken::Token(t) if is(t.kind(), "ident") && name.is_none() => {
                name = Some(t.text().to_owned());
            }
            NodeOrToken::Token(t) if is(t.kind(), "colon") => {}
            NodeOrToken::Node(n) if is(n.kind(), "type_expr") && ty.is_none() => {
                ty = Some(n.clone());
            }
            NodeOrToken::Node(n) if ty.is_some() => rest.push(n.clone()),
            // something this layout does not know: the field stays as written
            _ => return None,
        }
    }
    Some(FieldParts {
        name: name?,
        ty: ty?,
        rest,
    })
}

/// A token's text without the spaces that a rule like `"=" ~ !"="` takes in after it (but
/// all of it when that includes a comment, which must stay).
fn token_text(t: &SyntaxToken) -> &str {
    let text = t.text();
    let trimmed = text.trim_end();
    let tail = text.get(trimmed.len()..).unwrap_or("");
    if t.kind() != SyntaxKind::COMMENT && swallowed_comment(t) {
        return text;
    }
    if tail.is_empty() { text } else { trimmed }
}

fn blank() -> Line {
    Line {
        text: String::new(),
        comment: None,
    }
}

/// Push `text` (first line at `indent`, the others as they are) as lines.
fn push_text(lines: &mut Vec<Line>, indent: usize, text: &str) {
    for (i, l) in text.split('\n').enumerate() {
        // trailing spaces go (the output has none), so that a line of spaces in verbatim
        // text is the empty line it will be
        let l = l.trim_end();
        lines.push(Line {
            text: if i == 0 {
                format!("{}{l}", spaces(indent))
            } else {
                l.to_owned()
            },
            comment: None,
        });
    }
}

/// A line break after a comment (possibly nested).
fn is_hard(d: &Doc) -> bool {
    match d {
        Doc::HardLine => true,
        Doc::Nest(_, v) => matches!(v.as_slice(), [Doc::HardLine]),
        _ => false,
    }
}

fn join_spaced(parts: Vec<Doc>, glue: &[bool]) -> Doc {
    join_spaced_kinds(parts, &[], glue)
}

/// Parts one space apart, but none before a comma and none after a part marked `glue`.
fn join_spaced_kinds(parts: Vec<Doc>, kinds: &[SyntaxKind], glue: &[bool]) -> Doc {
    let mut out = Vec::new();
    for (i, p) in parts.into_iter().enumerate() {
        let comma = kinds
            .get(i)
            .is_some_and(|k| is(*k, "comma") || is(*k, "colon"));
        let glued = i > 0 && glue.get(i - 1).copied().unwrap_or(false);
        if i > 0 && !comma && !glued {
            out.push(Doc::text(" "));
        }
        out.push(p);
    }
    Doc::Concat(out)
}

fn join_with(items: Vec<Vec<Doc>>, sep: &str) -> Doc {
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(Doc::text(sep));
        }
        out.extend(item);
    }
    Doc::Concat(out)
}
