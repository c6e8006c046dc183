-- Buffer settings for ICP files.
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = 1

vim.bo.commentstring = '// %s'
vim.bo.comments = '://'
vim.bo.formatoptions = 'croqlj'
vim.bo.expandtab = true
vim.bo.shiftwidth = 2
vim.bo.softtabstop = 2
vim.bo.tabstop = 2
-- Indent after `{`, dedent on `}`; ICP lines do not end in `;`, so no C indenting.
vim.bo.autoindent = true
vim.bo.smartindent = true
vim.bo.cinwords = ''
vim.bo.cindent = false
-- `gf` on `import "schema"` also finds `schema.icp`.
vim.bo.suffixesadd = '.icp'

vim.b.undo_ftplugin = 'setlocal commentstring< comments< formatoptions< expandtab< shiftwidth< '
  .. 'softtabstop< tabstop< autoindent< smartindent< cinwords< cindent< suffixesadd<'
