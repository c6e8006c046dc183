-- Checks that require('icp').setup() takes the right road on each Neovim generation, by
-- stubbing the APIs of the newer ones on whatever Neovim runs this:
--   0.11+  vim.lsp.config + vim.lsp.enable      0.8-0.10  vim.lsp.start      0.7  start_client
-- Env: ICP_NVIM_OUT (JSON results). Exits 0 when every check passes, 1 otherwise.
local out = os.getenv('ICP_NVIM_OUT')
local results = { failures = {}, checked = 0 }
local function check(cond, msg)
  results.checked = results.checked + 1
  if not cond then
    table.insert(results.failures, msg)
  end
end

local real = {
  config = vim.lsp.config,
  enable = vim.lsp.enable,
  start = vim.lsp.start,
  start_client = vim.lsp.start_client,
  buf_attach_client = vim.lsp.buf_attach_client,
}
local function restore()
  for k, v in pairs(real) do
    vim.lsp[k] = v
  end
  package.loaded['icp'] = nil
end

local dir = vim.fn.tempname()
vim.fn.mkdir(dir .. '/proj/sub', 'p')
vim.fn.writefile({}, dir .. '/proj/icp.toml')
vim.fn.writefile({ 'schema A { x: int }' }, dir .. '/proj/sub/a.icp')
local root = vim.loop.fs_realpath(dir .. '/proj')
-- An executable stand-in for `icp` (never run: every starting API is stubbed).
local bin = dir .. '/icp'
vim.fn.writefile({ '#!/bin/sh', 'exit 0' }, bin)
vim.fn.setfperm(bin, 'rwxr-xr-x')

-- 0.11+: the native configuration API, nothing started by hand.
do
  local configured, enabled
  vim.lsp.config = setmetatable({}, {
    __call = function(_, name, cfg)
      configured = { name = name, cfg = cfg }
    end,
  })
  vim.lsp.enable = function(name)
    enabled = name
  end
  vim.lsp.start = function()
    error('vim.lsp.start must not be used when vim.lsp.config exists')
  end
  require('icp').setup({ cmd = { bin, 'lsp' } })
  check(configured and configured.name == 'icp', '0.11: vim.lsp.config("icp", ...) not called')
  check(configured and configured.cfg.cmd[1] == bin, '0.11: cmd not passed')
  check(configured and vim.deep_equal(configured.cfg.filetypes, { 'icp' }), '0.11: filetypes')
  check(configured and configured.cfg.root_markers[1] == 'icp.toml', '0.11: root_markers')
  check(enabled == 'icp', '0.11: vim.lsp.enable("icp") not called')
  check(configured and configured.cfg.init_options == nil, '0.11: no settings, no init_options')
  check(configured and type(configured.cfg.on_init) == 'function', '0.11: on_init (the file watcher)')
  check(configured and type(configured.cfg.on_exit) == 'function', '0.11: on_exit')
  require('icp').setup({ cmd = { bin }, root_markers = { '.git' }, settings = { icp = { today = '2027-01-15' } } })
  check(configured.cfg.init_options and configured.cfg.init_options.icp.today == '2027-01-15',
    '0.11: settings are the init_options: ' .. vim.inspect(configured.cfg.init_options))
  check(configured.cfg.settings.icp.today == '2027-01-15', '0.11: settings')
  check(#configured.cfg.cmd == 1, 'cmd replaces the default whole: ' .. vim.inspect(configured.cfg.cmd))
  check(vim.deep_equal(configured.cfg.root_markers, { '.git' }), 'root_markers replace the default')
  restore()
end

-- 0.8-0.10: vim.lsp.start from the FileType autocommand, with the icp.toml root.
do
  vim.lsp.config, vim.lsp.enable = nil, nil
  local started = {}
  vim.lsp.start = function(cfg)
    table.insert(started, { cfg = cfg, buf = vim.api.nvim_get_current_buf() })
    return 7
  end
  require('icp').setup({ cmd = { bin, 'lsp' }, settings = { icp = { codeLens = false } } })
  vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/proj/sub/a.icp'))
  check(#started == 1, '0.8: vim.lsp.start called ' .. #started .. ' times, want 1')
  if started[1] then
    local cfg = started[1].cfg
    check(cfg.init_options and cfg.init_options.icp.codeLens == false, '0.8: init_options')
    check(type(cfg.on_init) == 'function', '0.8: on_init (the file watcher)')
  end
  if started[1] then
    local cfg = started[1].cfg
    check(cfg.name == 'icp', '0.8: name')
    check(cfg.cmd[1] == bin and cfg.cmd[2] == 'lsp', '0.8: cmd')
    check(vim.loop.fs_realpath(cfg.root_dir) == root, '0.8: root_dir ' .. tostring(cfg.root_dir))
    check(started[1].buf == vim.api.nvim_get_current_buf(), '0.8: started for the icp buffer')
  end
  vim.cmd('bwipeout!')
  restore()
end

-- 0.7: one client per root, every buffer attached to it.
do
  vim.lsp.config, vim.lsp.enable, vim.lsp.start = nil, nil, nil
  local clients, attached = 0, {}
  vim.lsp.start_client = function(cfg)
    clients = clients + 1
    check(cfg.init_options == nil, '0.7: no settings, no init_options')
    check(type(cfg.on_init) == 'function' and type(cfg.on_exit) == 'function', '0.7: on_init, on_exit')
    check(vim.loop.fs_realpath(cfg.root_dir) == root, '0.7: root_dir ' .. tostring(cfg.root_dir))
    return 40 + clients
  end
  vim.lsp.buf_attach_client = function(buf, id)
    table.insert(attached, id)
  end
  local get = vim.lsp.get_client_by_id
  vim.lsp.get_client_by_id = function(id)
    return { id = id }
  end
  require('icp').setup({ cmd = { bin, 'lsp' } })
  vim.fn.writefile({ 'segment s { true }' }, dir .. '/proj/b.icp')
  vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/proj/sub/a.icp'))
  vim.cmd('edit ' .. vim.fn.fnameescape(dir .. '/proj/b.icp'))
  check(clients == 1, '0.7: ' .. clients .. ' clients started, want 1 for one root')
  check(#attached == 2 and attached[1] == 41 and attached[2] == 41, '0.7: attach ' .. vim.inspect(attached))
  vim.lsp.get_client_by_id = get
  restore()
end

-- lsp/icp.lua, what `vim.lsp.enable('icp')` reads on 0.11+ without setup().
do
  local file = vim.api.nvim_get_runtime_file('lsp/icp.lua', false)[1]
  check(file ~= nil, 'lsp/icp.lua is on the runtime path')
  if file then
    local def = dofile(file)
    check(def.cmd[1] == 'icp' and def.cmd[2] == 'lsp', 'lsp/icp.lua: cmd')
    check(type(def.on_init) == 'function' and type(def.on_exit) == 'function',
      'lsp/icp.lua: the file watcher is attached')
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
