; Scopes, definitions and references (nvim-treesitter and Helix conventions): a `let` is
; visible in its profile; schema fields and segments in the whole program.

(source_file) @local.scope

(profile) @local.scope

(let_binding
  name: (identifier) @local.definition.var)

(field
  name: (identifier) @local.definition.field)

(segment
  name: (identifier) @local.definition.function)

(reference) @local.reference
