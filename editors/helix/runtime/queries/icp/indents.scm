; Indentation (Helix conventions): inside every block, bracket and parenthesis.
; Written by hand: editors/tree-sitter-icp/queries/indents.scm has nvim-treesitter's names.

[
  (schema)
  (enum_type)
  (situation)
  (segment)
  (profile)
  (group)
  (criterion)
  (exclude)
  (test)
  (account)
  (test_case)
  (list)
  (arguments)
  (parenthesized_expression)
] @indent

[
  "}"
  "]"
  ")"
] @outdent
