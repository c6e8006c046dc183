; GENERATED from editors/tree-sitter-icp/queries/folds.scm by
; editors/tree-sitter-icp/scripts/sync-queries.js: edit that file, then run the script.

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
