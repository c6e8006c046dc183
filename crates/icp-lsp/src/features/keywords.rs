//! One line of help per keyword, for hover and completion.

/// `(keyword, help)`, in no particular order.
pub const HELP: &[(&str, &str)] = &[
    (
        "import",
        "`import \"file.icp\"`: read another file of the project (relative to this one, never outside the project root).",
    ),
    (
        "schema",
        "`schema Name { field: type ... }`: the shape of one account row and the columns it reads.",
    ),
    (
        "situation",
        "`situation name \"title\" for Schema { ... }`: the timeframe, goals, milestones and capabilities an ICP holds for. In an expression, `situation.NAME` reads a capability.",
    ),
    (
        "segment",
        "`segment name \"title\" { condition }`: a named set of accounts; its name is a boolean in expressions.",
    ),
    (
        "profile",
        "`profile name \"title\" for Schema in situation { ... }`: targets, weighted criteria, exclusions and tiers. In a test, `profile NAME` names the profile tested.",
    ),
    (
        "test",
        "`test \"name\" { profile .. as_of .. account { .. } expect .. }`: an account and what the profile must say about it.",
    ),
    (
        "from",
        "`from \"Column\"`: the column this field reads (else the field's own name, case-insensitively).",
    ),
    (
        "key",
        "`key`: the account's identifier, echoed in every output row.",
    ),
    (
        "as",
        "`as fraction`: this `percent` field's column holds fractions (`0.35` is 35 %; `35%` still reads as 35 %).",
    ),
    (
        "fraction",
        "`as fraction`: this `percent` field's column holds fractions (`0.35` is 35 %; `35%` still reads as 35 %).",
    ),
    ("bool", "`bool`: `true` or `false`."),
    ("int", "`int`: a whole number (`1,200` reads as 1200)."),
    ("number", "`number`: any number."),
    (
        "money",
        "`money`: an amount (`$1,200,000`, `36.9 M`, `2.6 B`).",
    ),
    (
        "percent",
        "`percent`: a share, stored as a fraction (`73%` or `73` is 0.73).",
    ),
    (
        "text",
        "`text`: text, compared case-insensitively after trimming.",
    ),
    ("date", "`date`: a calendar day (`2027-01-31`)."),
    ("duration", "`duration`: whole days (`90d`, `12w`)."),
    (
        "enum",
        "`enum { a, b = \"B\" | \"Bee\", other = _ }`: one of the variants; `_` catches every other value.",
    ),
    (
        "set",
        "`set<T>`: several values in one cell, split on `;`, `|` or `,`.",
    ),
    (
        "timeframe",
        "`timeframe START .. END`: the days (inclusive) the situation holds for.",
    ),
    (
        "goal",
        "`goal NAME count|sum(field) >= TARGET where CONDITION`: what the situation should achieve.",
    ),
    (
        "milestone",
        "`milestone DATE GOAL >= VALUE`: an early check that proves or disproves the hypothesis; DATE may count from the timeframe (`start + 30d`, `end - 2w`).",
    ),
    (
        "capability",
        "`capability NAME = LITERAL`: a fact about us, usable in rules as `situation.NAME`.",
    ),
    (
        "count",
        "`count`: the number of accounts (situation goals only).",
    ),
    (
        "sum",
        "`sum(field)`: the total of a numeric field (situation goals only).",
    ),
    ("where", "`where CONDITION`: which accounts a goal counts."),
    (
        "target",
        "`target seg1, seg2`: accounts in none of these segments are `out_of_segment`.",
    ),
    (
        "practical_share",
        "`practical_share 50%`: the share of a criterion's weight a practical fit earns (default 50%); after a criterion's weight (`weight 20 practical_share 60%`) it sets that criterion's own share.",
    ),
    (
        "let",
        "`let name = expression`: a named value, usable in the profile's rules.",
    ),
    (
        "group",
        "`group name \"title\" { criterion ... }`: criteria scored together as `score.NAME`.",
    ),
    (
        "criterion",
        "`criterion name \"title\" weight N { condition }`: earns `N` points when true (or `perfect when` / `practical when`).",
    ),
    (
        "weight",
        "`weight N`: the points a criterion earns; negative weights subtract when true.",
    ),
    (
        "perfect",
        "`perfect when CONDITION`: a perfect fit earns the full weight.",
    ),
    (
        "practical",
        "`practical when CONDITION`: a practical fit earns `weight × practical_share`.",
    ),
    (
        "when",
        "`when CONDITION`: the condition of a scorecard branch or of a tier.",
    ),
    (
        "exclude",
        "`exclude name \"reason\" { condition }`: accounts for which the condition is true are `excluded`, with the reason.",
    ),
    (
        "tier",
        "`tier name [\"action\"] >= N` or `when CONDITION`; the last tier has no threshold and catches the rest. In a test, `expect tier NAME`.",
    ),
    ("as_of", "`as_of DATE`: the `today` of the test."),
    (
        "case",
        "`case \"name\" { field: value, ... expect ... }`: one row of a table-driven test: the test's account with these fields changed, and its own expectations (run as `TEST / name`).",
    ),
    (
        "cases",
        "`cases from \"FILE.csv\"`: one case per row of a CSV file next to the program, read as `icp score` reads data (the same `from` columns and messy values); columns `case` and `expect_tier`, `expect_score`, `expect_criterion.NAME`, ... give each row its name and expectations (an empty cell checks nothing). Fields without a column keep the test's `account` values.",
    ),
    (
        "excluded_by",
        "`expect excluded_by NAME`: the account is excluded, and this exclusion holds.",
    ),
    (
        "in_segment",
        "`expect in_segment NAME`: the account is in this segment.",
    ),
    (
        "action",
        "`expect action \"...\"`: the matched tier's action text.",
    ),
    (
        "account",
        "`account { field: value, ... }`: the test's account; fields left out are missing (`field: missing` says so explicitly).",
    ),
    (
        "expect",
        "`expect tier NAME`, `expect score >= N`, `expect score.GROUP >= N`, `expect coverage >= 90%`, `expect reason NAME`.",
    ),
    (
        "reason",
        "`expect reason NAME`: the criterion or exclusion is among the account's reasons.",
    ),
    (
        "score",
        "`score`: the account's score, 0 to 100; `score.GROUP` a group's score (tiers and tests only).",
    ),
    (
        "coverage",
        "`coverage`: the share of the weight decided on known data.",
    ),
    (
        "for",
        "`for Schema`: the schema the item is about (else the only schema).",
    ),
    (
        "in",
        "`x in lo..hi` (inclusive) or `x in [a, b]`; in a profile header, `in situation`.",
    ),
    (
        "and",
        "`a and b`: both (three-valued: `unknown and false` is false).",
    ),
    (
        "or",
        "`a or b`: either (three-valued: `unknown or true` is true).",
    ),
    ("not", "`not x`; `x not in ..`."),
    (
        "contains",
        "`x contains y`, `contains any [..]`, `contains all [..]`: set membership (case-sensitive) or a substring of text (case-insensitive).",
    ),
    ("any", "`contains any [..]`: at least one of the values."),
    ("all", "`contains all [..]`: every one of the values."),
    ("is", "`x is missing`, `x is present`."),
    (
        "missing",
        "`x is missing`: the value is absent (never unknown).",
    ),
    ("present", "`x is present`: the value is there."),
    ("true", "`true`"),
    ("false", "`false`"),
    (
        "today",
        "`today`: the date of the run (`--as-of`, a test's `as_of`, else the clock).",
    ),
];

/// The help of a keyword.
pub fn help(word: &str) -> Option<&'static str> {
    HELP.iter().find(|(k, _)| *k == word).map(|(_, h)| *h)
}
