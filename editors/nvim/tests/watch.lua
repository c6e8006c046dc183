-- The plugin's file watcher (lua/icp/watch.lua), without a server: the notifications it
-- would send for changes made by another process. Env: ICP_NVIM_OUT (JSON results).
local out = os.getenv('ICP_NVIM_OUT')
local results = { failures = {}, checked = 0 }
local function check(cond, msg)
  results.checked = results.checked + 1
  if not cond then
    table.insert(results.failures, msg)
  end
end

local watch = require('icp.watch')

-- Which clients need it.
check(not watch.client_watches(nil), 'no capabilities: Neovim does not watch')
check(not watch.client_watches({ workspace = {} }), '0.7: no didChangeWatchedFiles')
check(not watch.client_watches({ workspace = { didChangeWatchedFiles = { dynamicRegistration = false } } }),
  'Linux 0.10+: dynamicRegistration false')
check(watch.client_watches({ workspace = { didChangeWatchedFiles = { dynamicRegistration = true } } }),
  'dynamicRegistration true: Neovim watches')
check(watch.client_watches(vim.lsp.protocol.make_client_capabilities()) == false
  or vim.fn.has('nvim-0.9') == 1, 'Neovim 0.7/0.8 never watch')
for name, wanted in pairs({
  ['a.icp'] = true, ['icp.toml'] = true, ['accounts.csv'] = true, ['a.json'] = true,
  ['a.jsonl'] = true, ['a.csv.gz'] = true, ['notes.txt'] = false, ['a.icp.swp'] = false,
}) do
  check(watch.wanted(name) == wanted, 'wanted(' .. name .. ')')
end

local root = vim.loop.fs_realpath((vim.fn.tempname():gsub('/[^/]*$', ''))) .. '/icp-watch'
vim.fn.mkdir(root .. '/sub', 'p')
vim.fn.mkdir(root .. '/target', 'p')
vim.fn.mkdir(root .. '/.git', 'p')
vim.fn.writefile({ 'a' }, root .. '/a.icp')
vim.fn.writefile({ 'b' }, root .. '/sub/b.icp')

local got = {}
local w = watch.start(root, function(changes)
  for _, c in ipairs(changes) do
    local rel = vim.uri_to_fname(c.uri):sub(#root + 2)
    table.insert(got, rel .. ':' .. c.type)
  end
end)
check(w ~= nil, 'a watcher for an existing folder')
check(watch.start(root .. '/missing', function() end) == nil, 'no watcher for a missing folder')

local function sh(script)
  vim.fn.system({ 'sh', '-c', script, 'sh', root })
end
-- Wait until `entry` arrived (bounded: a guard, not a measurement).
local function arrived(entry)
  return vim.wait(10000, function()
    return vim.tbl_contains(got, entry)
  end, 10)
end

-- Skipped folders and unwanted names first, then a sentinel: when the sentinel arrives, the
-- others would have arrived before it.
sh('echo t > "$1/target/t.icp"; echo g > "$1/.git/g.icp"; echo n > "$1/notes.txt"; echo s > "$1/s1.icp"')
check(arrived('s1.icp:1'), 'created s1.icp: ' .. vim.inspect(got))
check(not vim.tbl_contains(got, 'target/t.icp:1'), 'target/ is skipped')
check(not vim.tbl_contains(got, '.git/g.icp:1'), '.git/ is skipped')
check(not vim.tbl_contains(got, 'notes.txt:1'), 'notes.txt is not reported')

-- In place (sed, cat >), by rename over it (git checkout), deleted, in a new folder.
sh('echo x >> "$1/sub/b.icp"')
check(arrived('sub/b.icp:2'), 'changed in place: ' .. vim.inspect(got))
sh('echo y > "$1/tmp.new" && mv "$1/tmp.new" "$1/a.icp"')
check(arrived('a.icp:2'), 'replaced by a rename: ' .. vim.inspect(got))
sh('rm "$1/a.icp"')
check(arrived('a.icp:3'), 'deleted: ' .. vim.inspect(got))
sh('mkdir "$1/new" && echo c > "$1/new/c.icp"')
check(arrived('new/c.icp:1'), 'created in a new folder: ' .. vim.inspect(got))
sh('echo d >> "$1/new/c.icp"')
check(arrived('new/c.icp:2'), 'the new folder is watched: ' .. vim.inspect(got))
sh('echo "[lsp]" > "$1/icp.toml"')
check(arrived('icp.toml:1'), 'icp.toml: ' .. vim.inspect(got))

w.stop()
local before = #got
sh('echo z >> "$1/sub/b.icp"; echo z > "$1/s2.icp"')
vim.wait(200, function() return false end, 10)
check(#got == before, 'nothing after stop(): ' .. vim.inspect(got))
vim.fn.delete(root, 'rf')

local text = vim.fn.json_encode(results)
if out then
  local f = assert(io.open(out, 'w'))
  f:write(text)
  f:close()
else
  print(text)
end
vim.cmd(#results.failures == 0 and 'qa!' or 'cquit 1')
