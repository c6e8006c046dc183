-- Headless check of the Neovim runtime files: filetype detection, ftplugin and syntax groups.
--
--   nvim --headless -u NONE -i NONE -n --cmd 'set rtp^=editors/nvim' \
--     --cmd 'filetype plugin indent on' --cmd 'syntax on' -c 'luafile editors/nvim/tests/syntax.lua'
--
-- Env: ICP_NVIM_SAMPLE (default: sample.icp beside this script), ICP_NVIM_OUT (JSON results;
-- default: print them). Exits 0 when every check passes, 1 otherwise.
local here = debug.getinfo(1, 'S').source:sub(2):match('(.*/)') or './'
local sample = os.getenv('ICP_NVIM_SAMPLE') or (here .. 'sample.icp')
local out = os.getenv('ICP_NVIM_OUT')

-- { line containing, token, occurrence on that line, expected syntax group }
local expectations = {
  { 'import "schema.icp"', 'import', 1, 'icpInclude' },
  { 'import "schema.icp"', '"schema.icp"', 1, 'icpString' },
  { 'import "schema.icp"', '// relative', 1, 'icpComment' },
  { 'schema Account {', 'schema', 1, 'icpItem' },
  { 'schema Account {', 'Account', 1, 'icpDeclName' },
  { 'schema Account {', '{', 1, 'icpDelimiter' },
  { 'id:         text', 'id', 1, 'icpField' },
  { 'id:         text', 'text', 1, 'icpType' },
  { 'id:         text', 'from', 1, 'icpClause' },
  { 'id:         text', '"Record ID"', 1, 'icpString' },
  { 'id:         text', 'key', 1, 'icpClause' },
  { 'industry:   enum', 'enum', 1, 'icpType' },
  { 'industry:   enum', '_', 1, 'icpCatchAll' },
  { 'marketers:  int?', '?', 1, 'icpOperator' },
  { 'tech:       set<text>', 'set', 1, 'icpType' },
  { 'tech:       set<text>', 'text', 1, 'icpType' },
  { 'intent:     percent?', 'percent', 1, 'icpType' },
  { 'situation q1_2027', 'situation', 1, 'icpItem' },
  { 'situation q1_2027', 'q1_2027', 1, 'icpDeclName' },
  { 'situation q1_2027', 'for', 1, 'icpClause' },
  { 'timeframe 2027-01-01', 'timeframe', 1, 'icpClause' },
  { 'timeframe 2027-01-01', '2027-01-01', 1, 'icpDate' },
  { 'timeframe 2027-01-01', '..', 1, 'icpOperator' },
  { 'goal new_customers', 'goal', 1, 'icpClause' },
  { 'goal new_customers', 'new_customers', 1, 'icpName' },
  { 'goal new_customers', 'count', 1, 'icpFunction' },
  { 'goal new_customers', '>=', 1, 'icpOperator' },
  { 'goal new_customers', '25', 1, 'icpNumber' },
  { 'goal new_customers', 'where', 1, 'icpClause' },
  { 'goal new_arr', 'sum', 1, 'icpFunction' },
  { 'goal new_arr', '$100k', 1, 'icpMoney' },
  { 'capability full_ui', 'full_ui', 1, 'icpName' },
  { 'capability full_ui', 'false', 1, 'icpBoolean' },
  { 'employees in 10..1000 and', 'in', 1, 'icpOperatorWord' },
  { 'employees in 10..1000 and', '1000', 1, 'icpNumber' },
  { 'employees in 10..1000 and', 'and', 1, 'icpOperatorWord' },
  { '(marketers ?? 0)', '??', 1, 'icpOperator' },
  { 'practical_share 50%', 'practical_share', 1, 'icpClause' },
  { 'practical_share 50%', '50%', 1, 'icpPercent' },
  { 'let revenue_per_employee', 'revenue_per_employee', 1, 'icpName' },
  { 'criterion urgent_need', 'urgent_need', 1, 'icpName' },
  { 'criterion urgent_need', 'weight', 1, 'icpClause' },
  { 'criterion urgent_need', '70%', 1, 'icpPercent' },
  { 'perfect   when', 'perfect', 1, 'icpClause' },
  { 'perfect   when', 'when', 1, 'icpClause' },
  { 'revenue >= $2M', '$2M', 1, 'icpMoney' },
  { '$1.5B', '$1.5B', 1, 'icpMoney' },
  { 'tech contains any', 'contains', 1, 'icpOperatorWord' },
  { 'tech contains any', 'any', 1, 'icpOperatorWord' },
  { 'today - 90d', 'today', 1, 'icpBuiltin' },
  { 'today - 90d', '90d', 1, 'icpDuration' },
  { 'today + 12w', '12w', 1, 'icpDuration' },
  { 'not situation.full_ui', 'not', 1, 'icpOperatorWord' },
  { 'not situation.full_ui', 'situation', 1, 'icpPathHead' },
  { 'not situation.full_ui', 'full_ui', 1, 'icpPathMember' },
  { 'tier a1', 'a1', 1, 'icpName' },
  { 'tier a1', 'score', 1, 'icpPathHead' },
  { 'tier a1', 'able', 1, 'icpPathMember' },
  { 'tier not_fit', 'tier', 1, 'icpClause' },
  { 'test "a 120-person', 'test', 1, 'icpItem' },
  { 'as_of 2027-01-15', 'as_of', 1, 'icpClause' },
  { 'account { id:', 'account', 1, 'icpClause' },
  { 'churned: true', 'true', 1, 'icpBoolean' },
  { 'expect score >= 80', 'expect', 1, 'icpClause' },
  { 'expect score >= 80', 'score', 1, 'icpBuiltin' },
  { 'expect coverage', 'coverage', 1, 'icpBuiltin' },
  { 'TODO: edge cases', 'TODO', 1, 'icpTodo' },
  { 'say \\"hi\\"', '\\"', 1, 'icpEscape' },
  { 'say \\"hi\\"', '\\\\', 1, 'icpEscape' },
  { 'say \\"hi\\"', '\\q', 1, 'icpEscapeError' },
  { 'say \\"hi\\"', '\\n', 1, 'icpEscape' },
  { 'say \\"hi\\"', '\\t', 1, 'icpEscape' },
  { '$1200.50', '$1200.50', 1, 'icpMoney' },
  { 'say \\"hi\\"', '//', 1, 'icpString' },
  { 'situation_x {', 'situation_x', 1, 'icpDeclName' },
  { 'situation_x {', 'score_like', 1, 'icpIdentifier' },
  { 'situation_x {', 'employees_2027', 1, 'icpIdentifier' },
}

local results = { failures = {}, checked = 0 }

local function fail(msg)
  table.insert(results.failures, msg)
end

local ok, err = pcall(vim.cmd, 'edit ' .. vim.fn.fnameescape(sample))
if not ok then
  fail('cannot open ' .. sample .. ': ' .. tostring(err))
end

results.filetype = vim.bo.filetype
results.commentstring = vim.bo.commentstring
results.shiftwidth = vim.bo.shiftwidth
if vim.bo.filetype ~= 'icp' then
  fail('filetype is ' .. vim.inspect(vim.bo.filetype) .. ', expected icp')
end
if vim.bo.commentstring ~= '// %s' then
  fail('commentstring is ' .. vim.inspect(vim.bo.commentstring))
end

local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)

local function group_at(lnum, col)
  -- synID columns are 1-based; `trans` = 1 follows links to the item that matched.
  return vim.fn.synIDattr(vim.fn.synID(lnum, col, 1), 'name')
end

for _, e in ipairs(expectations) do
  local needle, token, nth, want = e[1], e[2], e[3], e[4]
  local lnum
  for i, l in ipairs(lines) do
    if l:find(needle, 1, true) then
      lnum = i
      break
    end
  end
  if not lnum then
    fail(('no line contains %q'):format(needle))
  else
    local line = lines[lnum]
    local start = 0
    for _ = 1, nth do
      start = line:find(token, start + 1, true)
      if not start then
        break
      end
    end
    if not start then
      fail(('line %d has no %q'):format(lnum, token))
    else
      results.checked = results.checked + 1
      local last = start + #token - 1
      for _, col in ipairs({ start, last }) do
        local got = group_at(lnum, col)
        if got ~= want then
          fail(('line %d col %d (%q in %q): got %s, want %s'):format(lnum, col, token, needle, got, want))
        end
      end
    end
  end
end

local text = vim.fn.json_encode(results)
if out then
  local f = assert(io.open(out, 'w'))
  f:write(text)
  f:close()
else
  print(text)
end
vim.cmd(#results.failures == 0 and 'qa!' or 'cquit 1')
