; Folds (nvim-treesitter): every block.

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
] @fold
