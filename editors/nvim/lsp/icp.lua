-- Default configuration of the ICP language server for Neovim 0.11+ (`:help lsp-config`):
-- with editors/nvim on the runtimepath, `vim.lsp.enable('icp')` is all it takes.
return {
  cmd = { 'icp', 'lsp' },
  filetypes = { 'icp' },
  root_markers = { 'icp.toml', '.git' },
}
