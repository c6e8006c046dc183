-- Language server set-up for ICP files (`icp lsp`, stdio).
--
--   require('icp').setup()                          -- defaults: `icp lsp` from PATH
--   require('icp').setup({ cmd = { '/path/to/icp', 'lsp' }, on_attach = my_on_attach })
--
-- Works on Neovim 0.7 (Debian bookworm: vim.lsp.start_client), 0.8-0.10 (vim.lsp.start) and
-- 0.11+ (vim.lsp.config / vim.lsp.enable). No other plugin is needed.
local M = {}

local defaults = {
  -- The command that starts the server.
  cmd = { 'icp', 'lsp' },
  filetypes = { 'icp' },
  -- The project root is the nearest ancestor with one of these (`icp.toml` first).
  root_markers = { 'icp.toml', '.git' },
  -- Called with (client, bufnr) when the server attaches to a buffer.
  on_attach = nil,
  -- LSP client capabilities (e.g. from nvim-cmp); nil = Neovim's defaults.
  capabilities = nil,
  -- Called with (code, signal, client_id) when the server exits.
  on_exit = nil,
  -- Server settings (`sample`, `today`, `codeLens`, `inlayHints`; see docs/editors.md), sent
  -- as `initializationOptions` and, on Neovim 0.8+, in `workspace/didChangeConfiguration`.
  settings = {},
  -- Watch the project's files for the server when Neovim does not (nil: automatic, i.e.
  -- when the client cannot register the server's watcher: 0.7-0.8, and Linux by default).
  watch_files = nil,
  -- Set buffer-local omnifunc (<C-x><C-o>) and tagfunc (<C-]>) to the LSP ones.
  set_omnifunc = true,
}

M.config = vim.deepcopy(defaults)

local uv = vim.loop or vim.uv
local group_name = 'icp_lsp'
-- Neovim 0.7 only: one client per project root.
local clients_by_root = {}

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function dirname(path)
  return vim.fn.fnamemodify(path, ':h')
end

--- The project root for a buffer: nearest ancestor directory holding a root marker, else the
--- file's own directory (else the current directory for an unnamed buffer).
function M.root_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr or 0)
  if name == '' then
    return vim.fn.getcwd()
  end
  local start = dirname(vim.fn.fnamemodify(name, ':p'))
  for _, marker in ipairs(M.config.root_markers) do
    local dir = start
    while dir and dir ~= '' do
      if exists(dir .. '/' .. marker) then
        return dir
      end
      local parent = dirname(dir)
      if parent == dir then
        break
      end
      dir = parent
    end
  end
  return start
end

local function on_attach(client, bufnr)
  if M.config.set_omnifunc then
    vim.bo[bufnr].omnifunc = 'v:lua.vim.lsp.omnifunc'
    if vim.lsp.tagfunc then
      vim.bo[bufnr].tagfunc = 'v:lua.vim.lsp.tagfunc'
    end
  end
  if M.config.on_attach then
    M.config.on_attach(client, bufnr)
  end
end

local function on_init(client)
  require('icp.watch').attach(client, M.config.watch_files)
end

local function on_exit(code, signal, client_id)
  require('icp.watch').detach(client_id)
  if M.config.on_exit then
    M.config.on_exit(code, signal, client_id)
  end
end

--- What the server reads as `initializationOptions`: the settings.
local function init_options()
  if next(M.config.settings or {}) == nil then
    return nil
  end
  return M.config.settings
end

local function client_config(bufnr)
  return {
    name = 'icp',
    cmd = M.config.cmd,
    root_dir = M.root_dir(bufnr),
    capabilities = M.config.capabilities,
    settings = M.config.settings,
    init_options = init_options(),
    on_init = on_init,
    on_attach = on_attach,
    on_exit = on_exit,
  }
end

--- Starts (or reuses) the server for one buffer. Returns the client id, or nil.
function M.start(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.fn.executable(M.config.cmd[1]) ~= 1 then
    vim.notify(
      ('icp: `%s` is not executable; install icp or pass cmd to require("icp").setup()'):format(
        M.config.cmd[1]
      ),
      vim.log.levels.WARN
    )
    return nil
  end
  local config = client_config(bufnr)
  if vim.lsp.start then
    -- 0.8+: reuses a running client with the same name and root_dir.
    local id
    vim.api.nvim_buf_call(bufnr, function()
      id = vim.lsp.start(config)
    end)
    return id
  end
  -- 0.7: start one client per root by hand and attach the buffer to it.
  local id = clients_by_root[config.root_dir]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client(config)
    clients_by_root[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Configures the server and starts it for every ICP buffer, now and later.
function M.setup(opts)
  opts = opts or {}
  M.config = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts)
  -- Lists replace the defaults whole (a deep merge would mix them index by index).
  for _, key in ipairs({ 'cmd', 'filetypes', 'root_markers' }) do
    if opts[key] ~= nil then
      M.config[key] = opts[key]
    end
  end
  local group = vim.api.nvim_create_augroup(group_name, { clear = true })

  if vim.lsp.config ~= nil and vim.lsp.enable ~= nil then
    -- 0.11+: the native configuration API.
    vim.lsp.config('icp', {
      cmd = M.config.cmd,
      filetypes = M.config.filetypes,
      root_markers = M.config.root_markers,
      capabilities = M.config.capabilities,
      settings = M.config.settings,
      init_options = init_options(),
      on_init = on_init,
      on_attach = on_attach,
      on_exit = on_exit,
    })
    vim.lsp.enable('icp')
  else
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = M.config.filetypes,
      callback = function(args)
        M.start(args.buf)
      end,
    })
    -- Buffers already open when setup() runs.
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf)
          and vim.tbl_contains(M.config.filetypes, vim.bo[buf].filetype) then
        M.start(buf)
      end
    end
  end

  vim.api.nvim_create_user_command('IcpRestart', function()
    M.restart()
  end, { desc = 'Restart the ICP language server' })
end

--- Stops every ICP client and starts them again for the open ICP buffers.
function M.restart()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  for _, client in ipairs(get()) do
    if client.name == 'icp' then
      vim.lsp.stop_client(client.id)
    end
  end
  clients_by_root = {}
  vim.defer_fn(function()
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf)
          and vim.tbl_contains(M.config.filetypes, vim.bo[buf].filetype) then
        M.start(buf)
      end
    end
  end, 500)
end

return M
