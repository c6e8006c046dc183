; GENERATED from editors/tree-sitter-icp/queries/highlights.scm by
; editors/tree-sitter-icp/scripts/sync-queries.js: edit that file, then run the script.

; Highlights for ICP (nvim-treesitter capture names).
;
; Each node is captured by one pattern only, so the result does not depend on which of two
; matching patterns an editor prefers (Neovim: the last, Helix and the tree-sitter CLI: the
; first). `scripts/sync-queries.js` copies this file to editors/nvim/queries/icp/ and, with
; Helix's capture names, to editors/helix/runtime/queries/icp/.

; Comments and literals

(comment) @comment.line

(string) @string

(escape_sequence) @constant.character.escape

((number) @constant.numeric.float
  (#match? @constant.numeric.float "\\."))

((number) @constant.numeric
  (#not-match? @constant.numeric "\\."))

[
  (money)
  (percent)
  (duration)
  (date)
  (weight_value)
] @constant.numeric

(boolean
  [
    "true"
    "false"
  ] @constant.builtin.boolean)

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

"import" @keyword.control.import

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
] @keyword.control.conditional

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
] @keyword.storage.type

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
  name: (identifier) @type)

(situation
  name: (identifier) @type)

(segment
  name: (identifier) @type)

(profile
  name: (identifier) @type)

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
  name: (identifier) @variable.other.member)

(account_field
  name: (identifier) @variable.other.member)

(sum_metric
  field: (identifier) @variable.other.member)

(variant
  name: (identifier) @type.enum.variant)

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
  property: (identifier) @variable.other.member)

(call_expression
  function: (identifier) @function)

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
