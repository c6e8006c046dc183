-- End-to-end: headless Neovim + this plugin + `icp lsp`. Opens a file, waits for the server's
-- diagnostics, asks for completion (and hover) at a position, and writes what arrived as JSON.
-- Works on Neovim 0.7 (Debian bookworm) and newer.
--
--   ICP_BIN=target/debug/icp ICP_E2E_FILE=/tmp/p/broken.icp ICP_E2E_OUT=/tmp/out.json \
--   ICP_E2E_LINE=7 ICP_E2E_COL=5 \
--   nvim --headless -u NONE -i NONE -n --cmd 'set rtp^=editors/nvim' \
--     --cmd 'filetype plugin indent on' -c 'luafile editors/nvim/tests/lsp_e2e.lua'
--
-- ICP_E2E_LINE / ICP_E2E_COL: the completion position (0-based line, 0-based UTF-16 column,
-- as LSP counts); ICP_E2E_HOVER_LINE / ICP_E2E_HOVER_COL: the hover position (default: the
-- same). ICP_E2E_TIMEOUT_MS bounds each wait (default 20000).
local out_path = assert(os.getenv('ICP_E2E_OUT'), 'ICP_E2E_OUT is not set')
local result = { errors = {} }

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

local function run()
  local bin = assert(os.getenv('ICP_BIN'), 'ICP_BIN is not set')
  local file = assert(os.getenv('ICP_E2E_FILE'), 'ICP_E2E_FILE is not set')
  local line = tonumber(os.getenv('ICP_E2E_LINE') or '0')
  local col = tonumber(os.getenv('ICP_E2E_COL') or '0')
  local timeout = tonumber(os.getenv('ICP_E2E_TIMEOUT_MS') or '20000')
  result.nvim_version = tostring(vim.version().major) .. '.' .. tostring(vim.version().minor)
    .. '.' .. tostring(vim.version().patch)

  require('icp').setup({
    cmd = { bin, 'lsp' },
    on_exit = function(code, signal)
      result.server_exit = { code = code, signal = signal }
    end,
  })
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype

  local function buf_clients()
    if vim.lsp.get_clients then
      return vim.lsp.get_clients({ bufnr = bufnr })
    end
    return vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
  end

  result.attached = vim.wait(timeout, function()
    if result.server_exit then
      return true
    end
    local cs = buf_clients()
    return #cs > 0 and cs[1].initialized ~= false and cs[1].server_capabilities ~= nil
  end, 20)
  local client = buf_clients()[1]
  if not client then
    table.insert(result.errors, 'no LSP client attached to the buffer')
    return
  end
  result.client_name = client.name
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
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then
      code = d.user_data.lsp.code
    end
    table.insert(result.diagnostics, {
      line = d.lnum,
      col = d.col,
      code = code,
      severity = d.severity,
      source = d.source,
      message = d.message,
    })
  end

  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = col },
  }
  local responses, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', params, timeout)
  result.completion = {}
  if not responses then
    table.insert(result.errors, 'completion: ' .. tostring(err))
  else
    for _, response in pairs(responses) do
      if response.err then
        table.insert(result.errors, 'completion: ' .. vim.inspect(response.err))
      end
      local items = response.result or {}
      if items.items then
        items = items.items
      end
      for _, item in ipairs(items) do
        table.insert(result.completion, { label = item.label, kind = item.kind, detail = item.detail })
      end
    end
  end

  local hover_params = {
    textDocument = params.textDocument,
    position = {
      line = tonumber(os.getenv('ICP_E2E_HOVER_LINE') or line),
      character = tonumber(os.getenv('ICP_E2E_HOVER_COL') or col),
    },
  }
  local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', hover_params, timeout)
  result.hover = ''
  for _, response in pairs(hover or {}) do
    local contents = response.result and response.result.contents
    if type(contents) == 'table' then
      result.hover = contents.value or vim.fn.json_encode(contents)
    elseif type(contents) == 'string' then
      result.hover = contents
    end
  end
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  table.insert(result.errors, tostring(err))
end
result.messages = vim.api.nvim_exec('messages', true)
finish()
