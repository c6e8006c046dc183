-- End-to-end: headless Neovim + this plugin + `icp lsp`, one scenario per run
-- (ICP_E2E_SCENARIO), results written as JSON to ICP_E2E_OUT. Works on Neovim 0.7 (Debian
-- bookworm) and newer. Driven by crates/icp-cli/tests/nvim_e2e.rs, which prepares the files.
--
--   ICP_BIN=target/debug/icp ICP_E2E_FILE=/tmp/p/broken.icp ICP_E2E_OUT=/tmp/out.json \
--   ICP_E2E_LINE=7 ICP_E2E_COL=5 \
--   nvim --headless -u NONE -i NONE -n --cmd 'set rtp^=editors/nvim' \
--     --cmd 'filetype plugin indent on' -c 'luafile editors/nvim/tests/lsp_e2e.lua'
--
-- Scenarios:
--   basic (default): open ICP_E2E_FILE, wait for the diagnostics, ask for completion at
--     ICP_E2E_LINE / ICP_E2E_COL (0-based line, 0-based UTF-16 column, as LSP counts) and
--     for hover at ICP_E2E_HOVER_LINE / ICP_E2E_HOVER_COL (default: the same position).
--   rename: open ICP_E2E_FILE only, wait until references to the name at ICP_E2E_LINE /
--     ICP_E2E_COL reach the files that are not open, rename it to ICP_E2E_NEW_NAME with
--     vim.lsp.buf.rename (prepareRename, rename, the edit applied by Neovim's handler), then
--     `:wall`. The caller runs `icp check` on the files written.
--   disk: open ICP_E2E_FILE (which imports ICP_E2E_DEP and starts with an error), then
--     change ICP_E2E_DEP from outside Neovim twice, as `git checkout` and `sed` would: first
--     replaced by ICP_E2E_DEP_FIX (a new file renamed over it: the error goes), then
--     rewritten in place with ICP_E2E_DEP_BREAK (a new error). Each step waits for the
--     importer's diagnostics to follow.
-- ICP_E2E_TIMEOUT_MS bounds each wait (default 20000). ICP_E2E_WATCH=false turns the
-- plugin's file watcher off (to see the disk scenario fail without it).
local out_path = assert(os.getenv('ICP_E2E_OUT'), 'ICP_E2E_OUT is not set')
local result = { errors = {} }
local timeout = tonumber(os.getenv('ICP_E2E_TIMEOUT_MS') or '20000')

local function finish()
  local f = io.open(out_path, 'w')
  if f then
    f:write(vim.fn.json_encode(result))
    f:close()
  end
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  for _, client in ipairs(get()) do
    vim.lsp.stop_client(client.id, true)
  end
  vim.cmd('qa!')
end

local function env_pos(line_var, col_var, default)
  return {
    line = tonumber(os.getenv(line_var) or (default and default.line) or '0'),
    character = tonumber(os.getenv(col_var) or (default and default.character) or '0'),
  }
end

local function buf_clients(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
end

--- Sets up the plugin, opens `file` and waits for the server. Returns bufnr, client.
local function open(file)
  local bin = assert(os.getenv('ICP_BIN'), 'ICP_BIN is not set')
  result.nvim_version = tostring(vim.version().major) .. '.' .. tostring(vim.version().minor)
    .. '.' .. tostring(vim.version().patch)
  local watch_files = nil
  if os.getenv('ICP_E2E_WATCH') == 'false' then
    watch_files = false
  elseif os.getenv('ICP_E2E_WATCH') == 'true' then
    watch_files = true
  end
  require('icp').setup({
    cmd = { bin, 'lsp' },
    watch_files = watch_files,
    on_exit = function(code, signal)
      result.server_exit = { code = code, signal = signal }
    end,
  })
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype
  result.attached = vim.wait(timeout, function()
    if result.server_exit then
      return true
    end
    local cs = buf_clients(bufnr)
    return #cs > 0 and cs[1].initialized ~= false and cs[1].server_capabilities ~= nil
  end, 20)
  local client = buf_clients(bufnr)[1]
  if not client then
    error('no LSP client attached to the buffer')
  end
  result.client_name = client.name
  result.plugin_watches = require('icp.watch').watching(client.id)
  return bufnr, client
end

local function diagnostics_of(bufnr)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then
      code = d.user_data.lsp.code
    end
    table.insert(list, {
      line = d.lnum,
      col = d.col,
      code = code,
      severity = d.severity,
      source = d.source,
      message = d.message,
    })
  end
  return list
end

--- The result of a request (one server), or nil with the error recorded.
local function request(bufnr, method, params, what)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
  if not responses then
    table.insert(result.errors, what .. ': ' .. tostring(err))
    return nil
  end
  for _, response in pairs(responses) do
    if response.err then
      table.insert(result.errors, what .. ': ' .. vim.inspect(response.err))
    end
    return response.result
  end
  return nil
end

local function basename(path)
  return vim.fn.fnamemodify(path, ':t')
end

local function basic()
  local file = assert(os.getenv('ICP_E2E_FILE'), 'ICP_E2E_FILE is not set')
  local pos = env_pos('ICP_E2E_LINE', 'ICP_E2E_COL')
  local bufnr, client = open(file)
  local caps = client.server_capabilities or client.resolved_capabilities or {}
  result.capabilities = {
    completion = caps.completionProvider ~= nil or caps.completion == true,
    hover = caps.hoverProvider ~= nil and caps.hoverProvider ~= false or caps.hover == true,
  }

  result.got_diagnostics = vim.wait(timeout, function()
    return #vim.diagnostic.get(bufnr) > 0
  end, 20)
  -- Let a debounced second publication (if any) land, then read the final set.
  vim.wait(300, function()
    return false
  end, 20)
  result.diagnostics = diagnostics_of(bufnr)

  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = pos }
  local items = request(bufnr, 'textDocument/completion', params, 'completion') or {}
  if items.items then
    items = items.items
  end
  result.completion = {}
  for _, item in ipairs(items) do
    table.insert(result.completion, { label = item.label, kind = item.kind, detail = item.detail })
  end

  local hover_params = {
    textDocument = params.textDocument,
    position = env_pos('ICP_E2E_HOVER_LINE', 'ICP_E2E_HOVER_COL', {
      line = tostring(pos.line),
      character = tostring(pos.character),
    }),
  }
  local hover = request(bufnr, 'textDocument/hover', hover_params, 'hover')
  result.hover = ''
  local contents = hover and hover.contents
  if type(contents) == 'table' then
    result.hover = contents.value or vim.fn.json_encode(contents)
  elseif type(contents) == 'string' then
    result.hover = contents
  end
end

local function loaded_buffers()
  local names = {}
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.api.nvim_buf_get_name(b) ~= '' then
      table.insert(names, basename(vim.api.nvim_buf_get_name(b)))
    end
  end
  table.sort(names)
  return names
end

local function rename()
  local file = assert(os.getenv('ICP_E2E_FILE'), 'ICP_E2E_FILE is not set')
  local new_name = assert(os.getenv('ICP_E2E_NEW_NAME'), 'ICP_E2E_NEW_NAME is not set')
  local pos = env_pos('ICP_E2E_LINE', 'ICP_E2E_COL')
  local bufnr = open(file)
  local uri = vim.uri_from_bufnr(bufnr)

  -- The server loads the project in the background: wait until the references to the
  -- name reach files that are not open.
  local refs = {}
  local deadline = vim.loop.now() + timeout
  result.references_reach_other_files = false
  while not result.references_reach_other_files and vim.loop.now() < deadline do
    local locations = request(bufnr, 'textDocument/references', {
      textDocument = { uri = uri },
      position = pos,
      context = { includeDeclaration = true },
    }, 'references') or {}
    refs = {}
    for _, loc in ipairs(locations) do
      local name = basename(vim.uri_to_fname(loc.uri))
      refs[name] = (refs[name] or 0) + 1
      if loc.uri ~= uri then
        result.references_reach_other_files = true
      end
    end
    if not result.references_reach_other_files then
      vim.wait(100, function() return false end, 20)
    end
  end
  result.references = refs
  result.loaded_before_rename = loaded_buffers()

  -- What a user does: the cursor on the name, then vim.lsp.buf.rename (0.7 takes the new
  -- name as an argument; newer Neovims too).
  vim.api.nvim_win_set_cursor(0, { pos.line + 1, pos.character })
  local before = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  vim.lsp.buf.rename(new_name)
  result.renamed = vim.wait(timeout, function()
    return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') ~= before
  end, 20)
  result.modified_after_rename = {}
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.bo[b].modified then
      table.insert(result.modified_after_rename, basename(vim.api.nvim_buf_get_name(b)))
    end
  end
  table.sort(result.modified_after_rename)
  vim.cmd('silent wall')
  result.messages_after_rename = vim.api.nvim_exec('messages', true)
end

local function disk()
  local file = assert(os.getenv('ICP_E2E_FILE'), 'ICP_E2E_FILE is not set')
  local dep = assert(os.getenv('ICP_E2E_DEP'), 'ICP_E2E_DEP is not set')
  local fix = assert(os.getenv('ICP_E2E_DEP_FIX'), 'ICP_E2E_DEP_FIX is not set')
  local break_ = assert(os.getenv('ICP_E2E_DEP_BREAK'), 'ICP_E2E_DEP_BREAK is not set')
  local bufnr = open(file)

  result.steps = {}
  local function step(name, done)
    local ok = vim.wait(timeout, function()
      return done(vim.diagnostic.get(bufnr))
    end, 20)
    table.insert(result.steps, { step = name, ok = ok, diagnostics = diagnostics_of(bufnr) })
    return ok
  end

  -- 1. The file as opened: its error arrives.
  if not step('opened', function(ds) return #ds > 0 end) then
    return
  end
  -- 2. `git checkout` of the import: a new file renamed over the old one, by another
  -- process. The importer's error goes.
  vim.fn.system({ 'sh', '-c', 'cp "$1" "$2.tmp" && mv "$2.tmp" "$2"', 'sh', fix, dep })
  if not step('fixed on disk', function(ds) return #ds == 0 end) then
    return
  end
  -- 3. `sed`-like rewrite in place (same inode): a new error in the importer.
  vim.fn.system({ 'sh', '-c', 'cat "$1" > "$2"', 'sh', break_, dep })
  step('broken on disk', function(ds) return #ds > 0 end)
end

local function run()
  local scenario = os.getenv('ICP_E2E_SCENARIO') or 'basic'
  result.scenario = scenario
  if scenario == 'basic' then
    basic()
  elseif scenario == 'rename' then
    rename()
  elseif scenario == 'disk' then
    disk()
  else
    error('unknown ICP_E2E_SCENARIO ' .. scenario)
  end
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  table.insert(result.errors, tostring(err))
end
result.messages = vim.api.nvim_exec('messages', true)
finish()
