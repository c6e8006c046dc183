-- Default configuration of the ICP language server for Neovim 0.11+ (`:help lsp-config`):
-- with editors/nvim on the runtimepath, `vim.lsp.enable('icp')` is all it takes.
return {
  cmd = { 'icp', 'lsp' },
  filetypes = { 'icp' },
  root_markers = { 'icp.toml', '.git' },
  -- Where Neovim does not watch files for the server (Linux by default), the plugin does.
  on_init = function(client)
    require('icp.watch').attach(client)
  end,
  on_exit = function(_, _, client_id)
    require('icp.watch').detach(client_id)
  end,
}
