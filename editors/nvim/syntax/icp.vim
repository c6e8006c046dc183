" Vim syntax file
" Language:   ICP (Ideal Customer Profiles as code)
" Filenames:  *.icp

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syntax case match

" Identifiers, fields (`name:`) and declared names.
syntax match icpIdentifier /\<\h\w*\>/
syntax match icpField /\<\h\w*\ze\s*:/
syntax match icpDeclName /\<\h\w*\>/ contained
syntax match icpName /\<\h\w*\>/ contained

" Item keywords. `situation.NAME` is a capability path, not an item.
syntax keyword icpInclude import
syntax keyword icpItem schema segment profile nextgroup=icpDeclName skipwhite
syntax keyword icpItem test
syntax match icpItem /\<situation\>\(\s*\.\)\@!/ nextgroup=icpDeclName skipwhite

" Clause keywords; those that declare a name highlight it.
syntax keyword icpClause group criterion exclude tier goal capability let nextgroup=icpName skipwhite
syntax keyword icpClause timeframe milestone target practical_share weight perfect practical when
syntax keyword icpClause as_of account expect key from as fraction for where reason
syntax keyword icpClause excluded_by in_segment action case cases

syntax keyword icpOperatorWord and or not in any all is missing present
" `contains` is an argument name of :syntax keyword, so it needs a match.
syntax match icpOperatorWord /\<contains\>/
syntax keyword icpType bool int number money percent text date duration enum set
syntax keyword icpBoolean true false
syntax keyword icpFunction count sum
syntax keyword icpBuiltin today coverage
syntax match icpBuiltin /\<score\>\(\s*\.\)\@!/
syntax match icpCatchAll /\<_\>/

" `score.GROUP`, `situation.CAPABILITY`.
syntax match icpPathHead /\<\(score\|situation\)\ze\.\h/ nextgroup=icpPathDot
syntax match icpPathDot /\./ contained nextgroup=icpPathMember
syntax match icpPathMember /\h\w*/ contained

" Operators and delimiters (defined before comments so `//` wins).
syntax match icpOperator "==\|!=\|<=\|>=\|[<>+*/=|-]\|??\|?\|\.\."
syntax match icpDelimiter /[{}()\[\],:]/

" Literals: for the same start, the item defined last wins, so most specific last.
syntax match icpNumber /\<\d\+\(\.\d\+\)\=\>/
syntax match icpDuration /\<\d\+[dw]\>/
syntax match icpPercent /\<\d\+\(\.\d\+\)\=%/
syntax match icpMoney /\$\d\+\(\.\d\+\)\=[kKmMbB]\=\w\@!/
syntax match icpDate /\<\d\{4}-\d\{2}-\d\{2}\>/

" Escapes: \" \\ \n \t; anything else after a backslash is an error.
syntax match icpEscape /\\["\\nt]/ contained
syntax match icpEscapeError /\\[^"\\nt]/ contained
syntax region icpString start=/"/ skip=/\\\\\|\\"/ end=/"\|$/ contains=icpEscape,icpEscapeError,@Spell

syntax keyword icpTodo TODO FIXME XXX NOTE contained
syntax match icpComment "//.*$" contains=icpTodo,@Spell

highlight default link icpInclude Include
highlight default link icpItem Keyword
highlight default link icpClause Statement
highlight default link icpOperatorWord Operator
highlight default link icpOperator Operator
highlight default link icpDelimiter Delimiter
highlight default link icpType Type
highlight default link icpBoolean Boolean
highlight default link icpFunction Function
highlight default link icpBuiltin Special
highlight default link icpCatchAll Constant
highlight default link icpPathHead Special
highlight default link icpPathDot Delimiter
highlight default link icpPathMember Identifier
highlight default link icpField Identifier
highlight default link icpDeclName Function
highlight default link icpName Function
highlight default link icpNumber Number
highlight default link icpDuration Number
highlight default link icpPercent Number
highlight default link icpMoney Number
highlight default link icpDate Constant
highlight default link icpString String
highlight default link icpEscape SpecialChar
highlight default link icpEscapeError Error
highlight default link icpComment Comment
highlight default link icpTodo Todo

let b:current_syntax = 'icp'

let &cpo = s:cpo_save
unlet s:cpo_save
