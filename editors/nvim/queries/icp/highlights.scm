; GENERATED from editors/tree-sitter-icp/queries/highlights.scm by
; editors/tree-sitter-icp/scripts/sync-queries.js: edit that file, then run the script.

; Highlights for ICP (nvim-treesitter capture names).
;
; Each node is captured by one pattern only, so the result does not depend on which of two
; matching patterns an editor prefers (Neovim: the last, Helix and the tree-sitter CLI: the
; first). `scripts/sync-queries.js` copies this file to editors/nvim/queries/icp/ and, with
; Helix's capture names, to editors/helix/runtime/queries/icp/.

; Comments and literals

(comment) @comment

(string) @string

(escape_sequence) @string.escape

((number) @number.float
  (#match? @number.float "\\."))

((number) @number
  (#not-match? @number "\\."))

[
  (money)
  (percent)
  (duration)
  (date)
  (weight_value)
] @number

(boolean
  [
    "true"
    "false"
  ] @boolean)

(expect_outcome
  [
    "true"
    "false"
    "unknown"
    "perfect"
    "practical"
  ] @constant.builtin)

(catch_all) @constant.builtin

; Keywords

"import" @keyword.import

[
  "schema"
  "situation"
  "segment"
  "profile"
  "test"
  "from"
  "key"
  "as"
  "fraction"
  "for"
  "timeframe"
  "goal"
  "where"
  "milestone"
  "capability"
  "target"
  "practical_share"
  "let"
  "group"
  "criterion"
  "weight"
  "exclude"
  "tier"
  "as_of"
  "account"
  "expect"
  "reason"
  "excluded_by"
  "in_segment"
  "action"
  "case"
  "cases"
] @keyword

(perfect_branch
  "perfect" @keyword)

(practical_branch
  "practical" @keyword)

[
  "when"
] @keyword.conditional

(in_clause
  "in" @keyword)

[
  "and"
  "or"
  "contains"
  "any"
  "all"
  "is"
  "missing"
  "present"
] @keyword.operator

(unary_expression
  "not" @keyword.operator)

(in_expression
  [
    "not"
    "in"
  ] @keyword.operator)

[
  "enum"
  "set"
] @keyword.type

[
  "count"
  "sum"
] @function.builtin

(expect_compare
  metric: [
    "score"
    "coverage"
  ] @variable.builtin)

(group_score
  "score" @variable.builtin)

; Types

((type_identifier) @type.builtin
  (#any-of? @type.builtin "bool" "int" "number" "money" "percent" "text" "date" "duration"))

((type_identifier) @type
  (#not-any-of? @type "bool" "int" "number" "money" "percent" "text" "date" "duration"))

; Declarations

(schema
  name: (identifier) @type.definition)

(situation
  name: (identifier) @type.definition)

(segment
  name: (identifier) @type.definition)

(profile
  name: (identifier) @type.definition)

(for_clause
  schema: (identifier) @type)

(in_clause
  situation: (identifier) @type)

(target
  segment: (identifier) @type)

(test_profile
  profile: (identifier) @type)

(expect_in_segment
  segment: (identifier) @type)

(field
  name: (identifier) @variable.member)

(account_field
  name: (identifier) @variable.member)

(sum_metric
  field: (identifier) @variable.member)

(variant
  name: (identifier) @constant)

[
  (goal
    name: (identifier) @function)
  (milestone
    goal: (identifier) @function)
  (capability
    name: (identifier) @function)
  (group
    name: (identifier) @function)
  (criterion
    name: (identifier) @function)
  (exclude
    name: (identifier) @function)
  (expect_reason
    name: (identifier) @function)
  (expect_excluded_by
    exclusion: (identifier) @function)
  (expect_criterion
    criterion: (identifier) @function)
  (group_score
    group: (identifier) @function)
]

(tier
  name: (identifier) @label)

(expect_tier
  tier: (identifier) @label)

(let_binding
  name: (identifier) @variable)

; Expressions

((reference) @variable.builtin
  (#eq? @variable.builtin "today"))

((reference) @variable
  (#not-eq? @variable "today"))

((member_expression
  object: (identifier) @variable.builtin)
  (#any-of? @variable.builtin "situation" "score"))

((member_expression
  object: (identifier) @variable)
  (#not-any-of? @variable "situation" "score"))

(member_expression
  property: (identifier) @variable.member)

(call_expression
  function: (identifier) @function.call)

; Operators and punctuation

(threshold
  ">=" @operator)

[
  (cmp_op)
  "+"
  "-"
  "*"
  "/"
  "??"
  ".."
  "="
  "|"
  (optional_mark)
  (enum_lt)
] @operator

(set_type
  [
    "<"
    ">"
  ] @punctuation.bracket)

[
  "{"
  "}"
  "("
  ")"
  "["
  "]"
] @punctuation.bracket

[
  ","
  ":"
  "."
] @punctuation.delimiter
