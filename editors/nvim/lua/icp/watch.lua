-- A file watcher for the ICP language server, for the Neovims that do not watch files for it.
--
-- The server keeps every `.icp` file of the project in sync through
-- `workspace/didChangeWatchedFiles`, and registers its watcher when the client says it can
-- watch (`capabilities.workspace.didChangeWatchedFiles.dynamicRegistration`). Neovim 0.7 and
-- 0.8 cannot; 0.9 and newer can, but leave it off on Linux by default. There, this module
-- watches the project itself (libuv's fs_event on each folder under the project root, the
-- folders the server reads: hidden ones, `target/` and `node_modules/` skipped) and sends
-- the server the same `workspace/didChangeWatchedFiles` notifications, so a `git checkout`
-- or a `sed` on an imported file updates the importers' diagnostics at once.
local M = {}

local uv = vim.loop or vim.uv
-- 0.11 made client methods take `self` (`client:notify(...)`).
local colon_methods = vim.fn.has('nvim-0.11') == 1

-- At most this many folders are watched per project (one inotify watch each).
M.max_dirs = 1000
-- Events closer together than this are sent as one notification.
M.debounce_ms = 50

-- LSP FileChangeType.
local CREATED, CHANGED, DELETED = 1, 2, 3

local skipped_dirs = { target = true, node_modules = true }

--- Whether the server wants to hear about `name` (the globs it registers itself:
--- `**/*.icp`, `**/icp.toml` and the sample files).
function M.wanted(name)
  return name:match('%.icp$') ~= nil
    or name == 'icp.toml'
    or name:match('%.csv$') ~= nil
    or name:match('%.json$') ~= nil
    or name:match('%.jsonl$') ~= nil
    or name:match('%.gz$') ~= nil
end

--- Whether Neovim itself watches files for a server started with these client capabilities.
function M.client_watches(capabilities)
  local ws = type(capabilities) == 'table' and capabilities.workspace or nil
  local w = type(ws) == 'table' and ws.didChangeWatchedFiles or nil
  return type(w) == 'table' and w.dynamicRegistration == true
end

local function is_dir(path)
  local st = uv.fs_stat(path)
  return st ~= nil and st.type == 'directory'
end

local function is_file(path)
  local st = uv.fs_stat(path)
  return st ~= nil and st.type == 'file'
end

--- Starts watching `root`; `notify(changes)` receives a list of LSP `FileEvent`s. Returns a
--- watcher with `:stop()`, or nil when `root` is not a folder.
function M.start(root, notify)
  if type(root) ~= 'string' or not is_dir(root) then
    return nil
  end
  local w = { root = root, handles = {}, dirs = 0, known = {}, pending = {}, stopped = false }
  local timer = uv.new_timer()

  local add_dir

  local function flush()
    if w.stopped then
      return
    end
    local changes = {}
    local paths = vim.tbl_keys(w.pending)
    table.sort(paths)
    w.pending = {}
    for _, path in ipairs(paths) do
      local typ
      if is_file(path) then
        typ = w.known[path] and CHANGED or CREATED
        w.known[path] = true
      elseif w.known[path] then
        typ = DELETED
        w.known[path] = nil
      end
      if typ then
        table.insert(changes, { uri = vim.uri_from_fname(path), type = typ })
      end
    end
    if #changes > 0 then
      notify(changes)
    end
  end

  local function touched(path)
    w.pending[path] = true
    timer:stop()
    timer:start(M.debounce_ms, 0, vim.schedule_wrap(flush))
  end

  local function on_event(dir, name)
    if w.stopped then
      return
    end
    if name == nil then
      return
    end
    local path = dir .. '/' .. name
    if M.wanted(name) then
      touched(path)
    elseif not w.handles[path] and name:sub(1, 1) ~= '.' and not skipped_dirs[name]
        and is_dir(path) then
      -- A new folder (a branch switch can create one): watch it and report its files.
      add_dir(path, true)
    end
    if not is_dir(dir) and w.handles[dir] then
      -- The folder itself is gone.
      w.handles[dir]:stop()
      w.handles[dir]:close()
      w.handles[dir] = nil
    end
  end

  add_dir = function(dir, report)
    if w.stopped or w.handles[dir] or w.dirs >= M.max_dirs then
      return
    end
    local handle = uv.new_fs_event()
    if not handle then
      return
    end
    local ok = handle:start(dir, {}, function(err, name)
      if not err then
        on_event(dir, name)
      end
    end)
    if ok ~= 0 and ok ~= true then
      handle:close()
      return
    end
    w.handles[dir] = handle
    w.dirs = w.dirs + 1
    local scan = uv.fs_scandir(dir)
    if not scan then
      return
    end
    while true do
      local name, typ = uv.fs_scandir_next(scan)
      if not name then
        break
      end
      local path = dir .. '/' .. name
      if typ == 'directory' then
        if name:sub(1, 1) ~= '.' and not skipped_dirs[name] then
          add_dir(path, report)
        end
      elseif typ == 'file' and M.wanted(name) then
        if report then
          touched(path)
        else
          w.known[path] = true
        end
      end
    end
  end

  add_dir(root, false)

  function w.stop()
    if w.stopped then
      return
    end
    w.stopped = true
    timer:stop()
    timer:close()
    for _, handle in pairs(w.handles) do
      handle:stop()
      handle:close()
    end
    w.handles = {}
  end

  return w
end

-- One watcher per client.
local by_client = {}

--- Starts watching the client's project root, unless Neovim watches files for it (or
--- `mode` is false). `mode`: nil (automatic) or true (always).
function M.attach(client, mode)
  if mode == false or by_client[client.id] then
    return
  end
  local caps = client.capabilities or (client.config and client.config.capabilities)
  if mode ~= true and M.client_watches(caps) then
    return
  end
  local root = client.root_dir or (client.config and client.config.root_dir)
  local id = client.id
  by_client[id] = M.start(root, function(changes)
    local c = vim.lsp.get_client_by_id(id)
    if c then
      local params = { changes = changes }
      if colon_methods then
        c:notify('workspace/didChangeWatchedFiles', params)
      else
        c.notify('workspace/didChangeWatchedFiles', params)
      end
    elseif by_client[id] then
      by_client[id].stop()
      by_client[id] = nil
    end
  end)
end

--- Stops the watcher of a client (when it exits).
function M.detach(client_id)
  local w = by_client[client_id]
  by_client[client_id] = nil
  if w then
    w.stop()
  end
end

--- Whether a client has a watcher from this module (for tests and `:checkhealth`-like use).
function M.watching(client_id)
  return by_client[client_id] ~= nil
end

return M
