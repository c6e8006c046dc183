-- Neovim's own tree-sitter (0.7.2 and newer) with this grammar, run by test.sh:
--   ICP_NVIM_ARGS="PARSER.so<newline>FILE..." nvim --headless -u NONE -c "luafile test/nvim.lua"
-- (from the repository root).
--
-- Checks that Neovim loads the parser (its ABI), parses every file given without an ERROR or
-- MISSING node, compiles each query of editors/nvim/queries/icp (its predicates), and that no
-- node gets two different highlight captures: the queries do not depend on which of two
-- matching patterns an editor prefers (Neovim the last, Helix the first).
local args = vim.split(os.getenv('ICP_NVIM_ARGS') or '', '\n', { trimempty = true })
local so, files = args[1], { unpack(args, 2) }
local failures = {}
local function fail(msg) table.insert(failures, msg) end

local ok, err = pcall(vim.treesitter.require_language, 'icp', so)
if not ok then
  io.stderr:write('nvim: cannot load ' .. tostring(so) .. ': ' .. tostring(err) .. '\n')
  vim.cmd('cquit 1')
end

local queries = {}
for _, name in ipairs({ 'highlights', 'locals', 'folds', 'indents' }) do
  local path = 'editors/nvim/queries/icp/' .. name .. '.scm'
  local text = table.concat(vim.fn.readfile(path), '\n')
  local qok, q = pcall(vim.treesitter.parse_query, 'icp', text)
  if qok then queries[name] = q else fail(path .. ': ' .. tostring(q)) end
end

local function has_error(node)
  if node:type() == 'ERROR' or node:missing() then return node end
  for child in node:iter_children() do
    local bad = has_error(child)
    if bad then return bad end
  end
  return nil
end

local captured = 0
for _, file in ipairs(files) do
  local lines = vim.fn.readfile(file)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  local tree = vim.treesitter.get_parser(buf, 'icp'):parse()[1]
  local bad = has_error(tree:root())
  if bad then
    local row, col = bad:range()
    fail(string.format('%s:%d:%d: %s node', file, row + 1, col + 1, bad:missing() and 'MISSING' or 'ERROR'))
  end
  local q = queries.highlights
  if q then
    local seen = {}
    for id, node in q:iter_captures(tree:root(), buf, 0, -1) do
      local sr, sc, er, ec = node:range()
      local key = table.concat({ node:type(), sr, sc, er, ec }, ':')
      local name = q.captures[id]
      if seen[key] and seen[key] ~= name then
        fail(string.format('%s:%d:%d: `%s` is captured as @%s and as @%s', file, sr + 1, sc + 1,
          vim.treesitter.get_node_text(node, buf), seen[key], name))
      end
      seen[key] = name
      captured = captured + 1
    end
  end
  vim.api.nvim_buf_delete(buf, { force = true })
end

if #failures > 0 then
  io.stderr:write(table.concat(failures, '\n') .. '\n')
  vim.cmd('cquit 1')
end
io.stdout:write(string.format('nvim %s: %d files parsed, %d captures, no node captured twice\n',
  tostring(vim.version().major .. '.' .. vim.version().minor .. '.' .. vim.version().patch), #files, captured))
vim.cmd('qall!')
