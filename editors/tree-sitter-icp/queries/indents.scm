; Indentation (nvim-treesitter): two spaces inside every block, bracket and parenthesis
; (editors/nvim/ftplugin/icp.lua sets `shiftwidth` to 2).

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
] @indent.begin

[
  "}"
  "]"
  ")"
] @indent.branch @indent.end

(comment) @indent.auto
