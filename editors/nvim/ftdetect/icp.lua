-- Files ending in .icp are ICP programs (Ideal Customer Profiles as code).
-- Neovim 0.8+ has vim.filetype.add; 0.7 (Debian bookworm) needs the autocommand.
if vim.filetype and vim.filetype.add then
  vim.filetype.add({ extension = { icp = 'icp' } })
end
vim.cmd([[autocmd BufRead,BufNewFile *.icp setfiletype icp]])
