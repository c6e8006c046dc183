//! One source of keywords: the lexer's lists (`icp_syntax::KEYWORD_LISTS`) against the
//! grammar (`grammar/icp.pest`), the parser's built-in types, and the editor grammars under
//! `editors/`. A keyword added in one place and not the others fails here, with a message
//! naming the word, the file it is missing from and where to add it.
//!
//! The `.pest` text is read by a small tokenizer (names, strings, char literals,
//! punctuation; comments skipped) and each rule `name = MOD{ body }` is kept as tokens: enough
//! to find the `kw_*` rules, the alternatives of a rule and the keywords a rule reaches.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the editor directories"
)]

use std::collections::{BTreeMap, BTreeSet};

use icp_syntax::ast::{Item, TypeKind};

const GRAMMAR: &str = include_str!("../../../grammar/icp.pest");
const GRAMMAR_PATH: &str = "grammar/icp.pest";
const LEXER_PATH: &str = "crates/icp-syntax/src/lexer.rs";

/// Built-in type names that are not grammar keywords by design: the grammar reads any name in
/// a type position as `type_name` and the parser lowers these to built-in types (`enum` and
/// `set` are grammar keywords, since a structure follows them).
const BUILTIN_TYPE_NAMES: &[&str] = &[
    "bool", "int", "number", "money", "percent", "text", "date", "duration",
];

/// Literal words that are not `kw_*` rules by design: the grammar reads them as the
/// `boolean` literal rule.
const LITERAL_WORDS: &[&str] = &["true", "false"];

// ---------------------------------------------------------------------------------------------
// Reading the grammar

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Name(String),
    Str(String),
    Char,
    Punct(char),
}

fn tokenize(src: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut it = src.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            c if c.is_whitespace() => {}
            '/' if src[i..].starts_with("//") => {
                for (_, c) in it.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' | '\'' => {
                let mut text = String::new();
                while let Some((_, d)) = it.next() {
                    match d {
                        '\\' => {
                            if let Some((_, e)) = it.next() {
                                text.push('\\');
                                text.push(e);
                            }
                        }
                        d if d == c => break,
                        d => text.push(d),
                    }
                }
                out.push(if c == '"' { Tok::Str(text) } else { Tok::Char });
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut name = String::from(c);
                while let Some(&(_, d)) = it.peek() {
                    if !(d.is_ascii_alphanumeric() || d == '_') {
                        break;
                    }
                    name.push(d);
                    it.next();
                }
                out.push(Tok::Name(name));
            }
            c => out.push(Tok::Punct(c)),
        }
    }
    out
}

/// The grammar's rules: name → body tokens (without the outer braces).
struct Grammar {
    rules: BTreeMap<String, Vec<Tok>>,
}

impl Grammar {
    fn read() -> Grammar {
        let toks = tokenize(GRAMMAR);
        let mut rules = BTreeMap::new();
        let mut i = 0;
        while i < toks.len() {
            let (Tok::Name(name), Some(Tok::Punct('='))) = (&toks[i], toks.get(i + 1)) else {
                panic!(
                    "{GRAMMAR_PATH}: expected a rule `name = {{ .. }}` at {:?}",
                    toks[i]
                );
            };
            let mut j = i + 2;
            let silent = Tok::Name("_".into());
            if matches!(toks.get(j), Some(Tok::Punct('@' | '$' | '!')))
                || toks.get(j) == Some(&silent)
            {
                j += 1;
            }
            assert_eq!(
                toks.get(j),
                Some(&Tok::Punct('{')),
                "{GRAMMAR_PATH}: rule `{name}`"
            );
            let start = j + 1;
            let mut depth = 1;
            while depth > 0 {
                j += 1;
                match toks.get(j) {
                    Some(Tok::Punct('{')) => depth += 1,
                    Some(Tok::Punct('}')) => depth -= 1,
                    Some(_) => {}
                    None => panic!("{GRAMMAR_PATH}: rule `{name}` is not closed"),
                }
            }
            let dup = rules.insert(name.clone(), toks[start..j].to_vec());
            assert!(dup.is_none(), "{GRAMMAR_PATH}: rule `{name}` twice");
            i = j + 1;
        }
        Grammar { rules }
    }

    fn rule(&self, name: &str) -> &[Tok] {
        self.rules.get(name).unwrap_or_else(|| {
            panic!("{GRAMMAR_PATH} has no rule `{name}` (renamed? update this test)")
        })
    }

    /// Every `kw_NAME = @{ "word" ~ !ident_char }`: rule name → word.
    fn keywords(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (name, body) in &self.rules {
            let Some(suffix) = name.strip_prefix("kw_") else {
                continue;
            };
            let [
                Tok::Str(word),
                Tok::Punct('~'),
                Tok::Punct('!'),
                Tok::Name(ic),
            ] = body.as_slice()
            else {
                panic!(
                    "{GRAMMAR_PATH}: `{name}` should read `{name} = @{{ \"{suffix}\" ~ !ident_char }}`, found {body:?}"
                );
            };
            assert_eq!(ic, "ident_char", "{GRAMMAR_PATH}: `{name}`");
            assert_eq!(
                word, suffix,
                "{GRAMMAR_PATH}: `{name}` matches \"{word}\": name it `kw_{word}`"
            );
            out.insert(name.clone(), word.clone());
        }
        out
    }

    /// The keyword of a `kw_*` rule name.
    fn word_of(&self, name: &str) -> Option<String> {
        name.strip_prefix("kw_")
            .filter(|_| self.rules.contains_key(name))
            .map(str::to_owned)
    }

    /// The keywords that can start `rule`, one set per alternative of its body.
    fn alternatives(&self, rule: &str) -> Vec<BTreeSet<String>> {
        split(self.rule(rule), '|')
            .into_iter()
            .map(|alt| {
                let mut seen = BTreeSet::new();
                self.firsts(alt, &mut seen)
            })
            .collect()
    }

    /// The keywords that can start the sequence `toks`.
    fn firsts(&self, toks: &[Tok], seen: &mut BTreeSet<String>) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for alt in split(toks, '|') {
            for elem in split(alt, '~') {
                // `!x` and `&x` are lookaheads: they match nothing.
                if matches!(elem.first(), Some(Tok::Punct('!' | '&'))) {
                    continue;
                }
                match elem.first() {
                    Some(Tok::Name(n)) => {
                        if let Some(w) = self.word_of(n) {
                            out.insert(w);
                        } else if self.rules.contains_key(n) && seen.insert(n.clone()) {
                            let body = self.rule(n).to_vec();
                            out.extend(self.firsts(&body, seen));
                        }
                    }
                    Some(Tok::Punct('(')) => {
                        let inner = &elem[1..close_paren(elem)];
                        out.extend(self.firsts(inner, seen));
                    }
                    _ => {}
                }
                // An element that may match nothing lets the next one start the sequence.
                if !matches!(elem.last(), Some(Tok::Punct('?' | '*'))) {
                    break;
                }
            }
        }
        out
    }

    /// Every keyword `rule` reaches through the rules it names, not entering `stop`.
    fn reach(&self, rule: &str, stop: &[&str]) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut todo = vec![rule];
        while let Some(r) = todo.pop() {
            if !seen.insert(r) {
                continue;
            }
            for t in self.rule(r) {
                let Tok::Name(n) = t else { continue };
                if let Some(w) = self.word_of(n) {
                    out.insert(w);
                } else if self.rules.contains_key(n.as_str()) && !stop.contains(&n.as_str()) {
                    todo.push(n);
                }
            }
        }
        out
    }

    /// The string literals of a rule (`boolean`, `reserved`).
    fn strings(&self, rule: &str) -> BTreeSet<String> {
        self.rule(rule)
            .iter()
            .filter_map(|t| match t {
                Tok::Str(s) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Split `toks` at `sep` outside parentheses and braces.
fn split(toks: &[Tok], sep: char) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Punct('(' | '{') => depth += 1,
            Tok::Punct(')' | '}') => depth -= 1,
            Tok::Punct(c) if *c == sep && depth == 0 => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&toks[start..]);
    out
}

/// The index of the `)` closing the `(` at `toks[0]`.
fn close_paren(toks: &[Tok]) -> usize {
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    panic!("{GRAMMAR_PATH}: unclosed `(` in {toks:?}")
}

fn set(words: &[&str]) -> BTreeSet<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

fn union(sets: &[BTreeSet<String>]) -> BTreeSet<String> {
    sets.iter().flatten().cloned().collect()
}

fn list(name: &str) -> &'static [&'static str] {
    icp_syntax::KEYWORD_LISTS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no `{name}` in icp_syntax::KEYWORD_LISTS"))
        .1
}

/// Every word of every lexer list.
fn lexer_words() -> BTreeSet<String> {
    icp_syntax::KEYWORD_LISTS
        .iter()
        .flat_map(|(_, l)| l.iter().map(|w| (*w).to_owned()))
        .collect()
}

/// Fails with every message at once.
fn report(problems: &[String]) {
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Grammar against lexer

#[test]
fn grammar_keywords_are_the_lexer_keywords() {
    let g = Grammar::read();
    let grammar: BTreeSet<String> = g.keywords().into_values().collect();
    let lexer = lexer_words();
    let exceptions = union(&[set(BUILTIN_TYPE_NAMES), set(LITERAL_WORDS)]);
    let mut problems = Vec::new();
    for w in &grammar {
        if !lexer.contains(w) {
            problems.push(format!(
                "`{w}` is a keyword of {GRAMMAR_PATH} (`kw_{w}`) but in no list of {LEXER_PATH}: add it to the list of the context it is used in"
            ));
        }
    }
    for (name, words) in icp_syntax::KEYWORD_LISTS {
        for w in *words {
            if !grammar.contains(*w) && !exceptions.contains(*w) {
                problems.push(format!(
                    "`{w}` of {LEXER_PATH}'s {name} is not a keyword of {GRAMMAR_PATH}: add `kw_{w} = @{{ \"{w}\" ~ !ident_char }}` there and use it, or remove it from {name} (a word that is not a grammar keyword by design belongs in this test's BUILTIN_TYPE_NAMES or LITERAL_WORDS, with the reason)"
                ));
            }
        }
    }
    for w in &exceptions {
        if grammar.contains(w) {
            problems.push(format!(
                "`{w}` is now a keyword of {GRAMMAR_PATH}: remove it from this test's exceptions"
            ));
        }
        if !lexer.contains(w) {
            problems.push(format!(
                "`{w}` (an exception of this test) is in no list of {LEXER_PATH}"
            ));
        }
    }
    report(&problems);
}

#[test]
fn the_exceptions_are_what_the_grammar_says() {
    let g = Grammar::read();
    // `true` and `false` are the `boolean` rule.
    assert_eq!(
        g.strings("boolean"),
        set(LITERAL_WORDS),
        "{GRAMMAR_PATH}'s `boolean`"
    );
    // A type is `enum`, `set` or any name (`type_name`).
    assert_eq!(
        g.reach("type_kind", &[]),
        set(&["enum", "set"]),
        "{GRAMMAR_PATH}'s `type_kind`"
    );
    // The words `reserved` keeps out of names are expression keywords.
    let expr = set(list("EXPR_KEYWORDS"));
    for w in g.strings("reserved") {
        assert!(
            expr.contains(&w),
            "`{w}` is in {GRAMMAR_PATH}'s `reserved` but not in {LEXER_PATH}'s EXPR_KEYWORDS"
        );
    }
}

/// Each list against the grammar rules it stands for.
#[test]
fn each_lexer_list_is_its_grammar_rules() {
    let g = Grammar::read();
    let firsts = |rule: &str| union(&g.alternatives(rule));
    let cases: Vec<(&str, BTreeSet<String>, String)> = vec![
        (
            "ITEM_KEYWORDS",
            firsts("item"),
            "the first keywords of `item`".into(),
        ),
        (
            "SITUATION_CLAUSES",
            firsts("situation_clause"),
            "the first keywords of `situation_clause`".into(),
        ),
        (
            "PROFILE_MEMBERS",
            firsts("profile_member"),
            "the first keywords of `profile_member`".into(),
        ),
        (
            "TEST_CLAUSES",
            firsts("test_clause"),
            "the first keywords of `test_clause`".into(),
        ),
        (
            "CLAUSE_KEYWORDS",
            union(&[
                firsts("situation_clause"),
                firsts("profile_member"),
                firsts("test_clause"),
            ]),
            "the first keywords of `situation_clause`, `profile_member` and `test_clause`".into(),
        ),
        (
            "SITUATION_KEYWORDS",
            g.reach("situation_clause", &["expr"]),
            "the keywords `situation_clause` reaches outside `expr`".into(),
        ),
        (
            "PROFILE_KEYWORDS",
            g.reach("profile_member", &["expr"]),
            "the keywords `profile_member` reaches outside `expr`".into(),
        ),
        (
            "TEST_KEYWORDS",
            g.reach("test_clause", &["expr"]),
            "the keywords `test_clause` reaches outside `expr`".into(),
        ),
        (
            "EXPECT_FORMS",
            g.reach("expect", &["expr"])
                .into_iter()
                .filter(|w| w != "expect")
                .collect(),
            "the keywords `expect` reaches after `expect`, outside `expr`".into(),
        ),
        (
            "FIELD_KEYWORDS",
            g.reach("field", &["type_expr"]),
            "the keywords `field` reaches outside `type_expr`".into(),
        ),
        (
            "TYPE_NAMES",
            union(&[g.reach("type_expr", &[]), set(BUILTIN_TYPE_NAMES)]),
            "the keywords of `type_expr` and this test's BUILTIN_TYPE_NAMES".into(),
        ),
        (
            "EXPR_KEYWORDS",
            union(&[g.reach("expr", &[]), set(LITERAL_WORDS)]),
            "the keywords `expr` reaches and the `boolean` words".into(),
        ),
        (
            "HEADER_KEYWORDS",
            union(&[g.reach("for_clause", &[]), g.reach("in_clause", &[])]),
            "the keywords of `for_clause` and `in_clause`".into(),
        ),
    ];
    let mut problems = Vec::new();
    for (name, want, what) in &cases {
        let have = set(list(name));
        for w in want.difference(&have) {
            problems.push(format!(
                "`{w}` is missing from {LEXER_PATH}'s {name}: {name} is {what} in {GRAMMAR_PATH}"
            ));
        }
        for w in have.difference(want) {
            problems.push(format!(
                "`{w}` of {LEXER_PATH}'s {name} is not among {what} in {GRAMMAR_PATH}: remove it or add it to the grammar"
            ));
        }
    }
    // Every list is checked above (a new list needs its case).
    for (name, _) in icp_syntax::KEYWORD_LISTS {
        if !cases.iter().any(|(n, _, _)| n == name) {
            problems.push(format!(
                "{LEXER_PATH}'s {name} is not checked against {GRAMMAR_PATH}: add its case to each_lexer_list_is_its_grammar_rules"
            ));
        }
    }
    report(&problems);
}

#[test]
fn every_alternative_starts_with_a_keyword() {
    // Completion and recovery know a clause by its first word: each alternative has one.
    let g = Grammar::read();
    for rule in ["item", "situation_clause", "profile_member", "test_clause"] {
        for (i, alt) in g.alternatives(rule).iter().enumerate() {
            assert_eq!(
                alt.len(),
                1,
                "{GRAMMAR_PATH}: alternative {i} of `{rule}` starts with {alt:?}, not one keyword"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Built-in types against the parser

fn lowered(ty: &str) -> TypeKind {
    let src = format!("schema S {{ x: {ty} }}\n");
    let parsed = icp_syntax::parse(&src);
    assert!(
        parsed.diagnostics.is_empty(),
        "{src}: {:?}",
        parsed.diagnostics
    );
    let Some(Item::Schema(s)) = parsed.file.items.first() else {
        panic!("{src}: no schema");
    };
    s.fields[0].ty.kind.clone()
}

#[test]
fn builtin_type_names_are_what_the_parser_lowers() {
    let mut problems = Vec::new();
    for name in icp_syntax::TYPE_NAMES {
        let ty = match *name {
            "enum" => "enum { a }",
            "set" => "set<text>",
            n => n,
        };
        if let TypeKind::Named(_) = lowered(ty) {
            problems.push(format!(
                "`{name}` is in {LEXER_PATH}'s TYPE_NAMES but the parser reads `x: {ty}` as a named (unknown) type: lower it in crates/icp-syntax/src/parser.rs or remove it from TYPE_NAMES"
            ));
        }
    }
    // Names that are not built-in types stay names (the checker reports them): the grammar
    // keywords, and the names of other languages' types.
    let others = [
        "integer", "string", "boolean", "float", "currency", "Account", "Bool",
    ];
    let grammar = Grammar::read().keywords().into_values();
    for name in grammar
        .filter(|w| !icp_syntax::TYPE_NAMES.contains(&w.as_str()))
        .chain(others.map(str::to_owned))
    {
        let src = format!("schema S {{ x: {name} }}\n");
        let parsed = icp_syntax::parse(&src);
        if let Some(Item::Schema(s)) = parsed.file.items.first()
            && let Some(f) = s.fields.first()
            && !matches!(f.ty.kind, TypeKind::Named(_))
        {
            problems.push(format!(
                "the parser lowers `x: {name}` to the built-in {:?}, but `{name}` is not in {LEXER_PATH}'s TYPE_NAMES: add it there",
                f.ty.kind
            ));
        }
    }
    report(&problems);
}

// ---------------------------------------------------------------------------------------------
// Editor grammars

const VSCODE_PATH: &str = "editors/vscode/syntaxes/icp.tmLanguage.json";
const VSCODE: &str = include_str!("../../../editors/vscode/syntaxes/icp.tmLanguage.json");
const NVIM_PATH: &str = "editors/nvim/syntax/icp.vim";
const NVIM: &str = include_str!("../../../editors/nvim/syntax/icp.vim");

/// Names the editors colour like keywords that are not keywords: `today` (the run's date).
const EDITOR_BUILTINS: &[&str] = &["today"];

/// The words of a `TextMate` grammar's regexes that are alternatives of a group:
/// `\\b(schema|situation)\\b` gives `schema` and `situation`.
fn textmate_words(json: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for part in json.split("\"match\": \"").skip(1) {
        // The regex is the JSON string up to its closing (unescaped) quote.
        let mut end = 0;
        let bytes = part.as_bytes();
        while end < bytes.len() && bytes[end] != b'"' {
            end += if bytes[end] == b'\\' { 2 } else { 1 };
        }
        let regex = &part[..end.min(part.len())];
        let mut word = String::new();
        let mut after_open = false;
        for c in regex.chars() {
            if c.is_ascii_alphanumeric() || c == '_' {
                word.push(c);
                continue;
            }
            if after_open && matches!(c, ')' | '|') && !word.is_empty() {
                out.insert(word.clone());
            }
            after_open = matches!(c, '(' | '|');
            word.clear();
        }
    }
    out
}

/// The words of a Vim syntax file's `syntax keyword` lines and `\<word\>` matches, by group.
fn vim_words(vim: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in vim.lines() {
        let mut parts = line.split_whitespace();
        let (Some("syntax"), Some(kind), Some(group)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let words = out.entry(group.to_owned()).or_default();
        match kind {
            "keyword" => words.extend(
                parts
                    .take_while(|w| !w.contains('='))
                    .filter(|w| *w != "contained")
                    .map(str::to_owned),
            ),
            "match" => {
                let rest = line.split_once(group).map_or("", |(_, r)| r);
                for piece in rest.split("\\<").skip(1) {
                    if let Some((w, _)) = piece.split_once("\\>")
                        && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !w.is_empty()
                    {
                        words.insert(w.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn vscode_grammar_has_every_keyword() {
    let words = textmate_words(VSCODE);
    let mut problems = Vec::new();
    for (name, list) in icp_syntax::KEYWORD_LISTS {
        for w in *list {
            if !words.contains(*w) {
                problems.push(format!(
                    "`{w}` (icp_syntax::{name}) is missing from {VSCODE_PATH}: add it to the right pattern of the `keywords` (or `types`, `literals`) repository entry"
                ));
            }
        }
    }
    report(&problems);
}

#[test]
fn nvim_syntax_has_every_keyword() {
    let groups = vim_words(NVIM);
    let keyword_groups = [
        "icpInclude",
        "icpItem",
        "icpClause",
        "icpOperatorWord",
        "icpType",
        "icpBoolean",
        "icpFunction",
        "icpBuiltin",
    ];
    let coloured: BTreeSet<String> = keyword_groups
        .iter()
        .filter_map(|g| groups.get(*g))
        .flatten()
        .cloned()
        .collect();
    let mut problems = Vec::new();
    for (name, list) in icp_syntax::KEYWORD_LISTS {
        for w in *list {
            if !coloured.contains(*w) {
                problems.push(format!(
                    "`{w}` (icp_syntax::{name}) is missing from {NVIM_PATH}: add it to a `syntax keyword` line of one of {keyword_groups:?}"
                ));
            }
        }
    }
    // And the other way: a word coloured as a keyword is one (or a documented built-in).
    for w in &coloured {
        if !icp_syntax::is_keyword(w) && !EDITOR_BUILTINS.contains(&w.as_str()) {
            problems.push(format!(
                "{NVIM_PATH} colours `{w}` as a keyword, but it is in no list of {LEXER_PATH}"
            ));
        }
    }
    report(&problems);
}

#[test]
fn vscode_grammar_colours_only_keywords() {
    // The `keywords` and `types` repository entries list keywords and built-ins only.
    let start = VSCODE.find("\"keywords\": {").unwrap();
    let end = VSCODE.find("\"literals\": {").unwrap();
    let mut problems = Vec::new();
    for w in textmate_words(&VSCODE[start..end]) {
        if !icp_syntax::is_keyword(&w) && !EDITOR_BUILTINS.contains(&w.as_str()) {
            problems.push(format!(
                "{VSCODE_PATH} colours `{w}` as a keyword or type, but it is in no list of {LEXER_PATH}"
            ));
        }
    }
    report(&problems);
}

#[test]
fn tree_sitter_queries_have_every_keyword() {
    // Helix and Neovim 0.9+ colour through the tree-sitter grammar's queries: the grammar's
    // own (editors/tree-sitter-icp/queries) and the editors' copies must name every keyword.
    let editors = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors");
    let mut problems = Vec::new();
    let mut todo = vec![
        editors.join("helix"),
        editors.join("nvim"),
        editors.join("tree-sitter-icp/queries"),
    ];
    let mut seen = 0;
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|x| x == "scm")
                && path.file_name().is_some_and(|n| n == "highlights.scm")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                seen += 1;
                for (name, list) in icp_syntax::KEYWORD_LISTS {
                    for w in *list {
                        if !text.contains(&format!("\"{w}\"")) {
                            problems.push(format!(
                                "`{w}` (icp_syntax::{name}) is missing from {}",
                                path.display()
                            ));
                        }
                    }
                }
            }
        }
    }
    assert_eq!(
        seen, 3,
        "expected highlights.scm in editors/tree-sitter-icp/queries, editors/nvim/queries/icp and editors/helix/runtime/queries/icp"
    );
    report(&problems);
}

// ---------------------------------------------------------------------------------------------
// The tree-sitter grammar

const TREE_SITTER_PATH: &str = "editors/tree-sitter-icp/grammar.js";
/// What `tree-sitter generate` made of grammar.js (`editors/tree-sitter-icp/test.sh` checks
/// that the committed file is up to date): its anonymous nodes are the keywords.
const TREE_SITTER_NODE_TYPES: &str =
    include_str!("../../../editors/tree-sitter-icp/src/node-types.json");

/// The words tree-sitter reads as keywords: the anonymous node types of node-types.json that
/// are words (`"type": "schema"` followed by `"named": false`).
fn tree_sitter_keywords() -> BTreeSet<String> {
    let lines: Vec<&str> = TREE_SITTER_NODE_TYPES.lines().map(str::trim).collect();
    let mut out = BTreeSet::new();
    for pair in lines.windows(2) {
        let (Some(ty), "\"named\": false") = (
            pair[0]
                .strip_prefix("\"type\": \"")
                .and_then(|r| r.strip_suffix("\","))
                .filter(|w| w.starts_with(|c: char| c.is_ascii_lowercase()))
                .filter(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '_')),
            pair[1],
        ) else {
            continue;
        };
        out.insert(ty.to_owned());
    }
    out
}

#[test]
fn tree_sitter_keywords_are_the_grammar_keywords() {
    let g = Grammar::read();
    let ts = tree_sitter_keywords();
    assert!(
        ts.contains("schema") && ts.contains("and"),
        "could not read the keywords of editors/tree-sitter-icp/src/node-types.json: {ts:?}"
    );
    // Words pest matches as literals rather than `kw_*` rules: `true`/`false` (`boolean`) and
    // the outcomes of `expect criterion NAME OUTCOME` (`expect_outcome`).
    let literal_words = union(&[g.strings("boolean"), g.strings("expect_outcome")]);
    let pest = union(&[g.keywords().into_values().collect(), literal_words.clone()]);
    let rows = doc_keyword_rows();
    let documented = union(&[
        rows.iter().flat_map(|(_, w)| w.iter().cloned()).collect(),
        literal_words,
    ]);
    let mut problems = Vec::new();
    for (source, words) in [(GRAMMAR_PATH, &pest), (LANGUAGE_MD_PATH, &documented)] {
        for w in words.difference(&ts) {
            // The reference's table also lists names with a built-in meaning (`today`).
            if source == LANGUAGE_MD_PATH && !pest.contains(w) {
                continue;
            }
            problems.push(format!(
                "`{w}` is a keyword of {source} but not of {TREE_SITTER_PATH}: add it to the rule that reads it there, then run editors/tree-sitter-icp/test.sh --update"
            ));
        }
        for w in ts.difference(words) {
            problems.push(format!(
                "`{w}` is a keyword of {TREE_SITTER_PATH} but not of {source}: remove it from grammar.js, or add it to {source}"
            ));
        }
    }
    report(&problems);
}

// ---------------------------------------------------------------------------------------------
// The reference

const LANGUAGE_MD_PATH: &str = "docs/language.md";
const LANGUAGE_MD: &str = include_str!("../../../docs/language.md");

/// The backticked words of each row of the table under `**Keywords.**`, by the row's first
/// cell.
fn doc_keyword_rows() -> Vec<(String, BTreeSet<String>)> {
    let start = LANGUAGE_MD
        .find("**Keywords.**")
        .unwrap_or_else(|| panic!("{LANGUAGE_MD_PATH} has no `**Keywords.**` table"));
    LANGUAGE_MD[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|row| {
            let mut cells = row.split('|').skip(1);
            let place = cells.next().unwrap_or("").trim().to_owned();
            let words = cells
                .next()
                .unwrap_or("")
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            (place, words)
        })
        .collect()
}

#[test]
fn the_reference_lists_every_keyword() {
    let rows = doc_keyword_rows();
    let row = |prefix: &str| {
        rows.iter()
            .find(|(p, _)| p.starts_with(prefix))
            .unwrap_or_else(|| panic!("{LANGUAGE_MD_PATH}'s keyword table has no row `{prefix}..`"))
            .1
            .clone()
    };
    let g = Grammar::read();
    let grammar: BTreeSet<String> = g.keywords().into_values().collect();
    let documented = union(&[
        row("start of an item"),
        row("in expressions"),
        row("clause keywords"),
    ]);
    let cases = [
        (
            "start of an item",
            row("start of an item"),
            set(icp_syntax::ITEM_KEYWORDS),
            format!("{LEXER_PATH}'s ITEM_KEYWORDS"),
        ),
        (
            "in expressions",
            row("in expressions"),
            g.strings("reserved"),
            format!("{GRAMMAR_PATH}'s `reserved`"),
        ),
        (
            "every row",
            documented,
            union(&[grammar, set(LITERAL_WORDS)]),
            format!("the keywords of {GRAMMAR_PATH}"),
        ),
    ];
    let mut problems = Vec::new();
    for (place, have, want, source) in &cases {
        for w in want.difference(have) {
            problems.push(format!(
                "`{w}` ({source}) is missing from {LANGUAGE_MD_PATH}'s keyword table ({place})"
            ));
        }
        for w in have.difference(want) {
            problems.push(format!(
                "{LANGUAGE_MD_PATH}'s keyword table ({place}) lists `{w}`, which is not in {source}"
            ));
        }
    }
    report(&problems);
}
