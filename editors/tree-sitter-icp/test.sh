#!/usr/bin/env bash
# Tests of the tree-sitter grammar (run by .ci/run; run it after changing grammar.js or
# queries/):
#
#   1. tree-sitter-cli (pinned: TS_VERSION) is installed with cargo into
#      ~/.cache/icp-tools/tree-sitter-VERSION (ICP_TOOLS) when it is not there yet: about 5
#      minutes of CPU, once per machine, kept like the SQL tests' venvs in ~/.cache. `TREE_SITTER=/path/to/tree-sitter` uses another binary of that version.
#   2. the committed parser (src/) is what `tree-sitter generate` makes of grammar.js;
#   3. the query copies for Neovim and Helix are in sync (scripts/sync-queries.js --check);
#   4. `tree-sitter test`: the corpus (test/corpus/*.txt) and the highlight tests
#      (test/highlight/*.icp);
#   5. every query file of every editor compiles against the grammar (`tree-sitter query`);
#   6. Neovim (when installed) loads the parser built with `cc` alone, parses the examples and
#      compiles its query copies; no node gets two highlight captures (test/nvim.lua);
#   7. `cargo test -p icp-syntax --test all tree_sitter::`: every example, every valid test program
#      of the repository and every ```icp block of the docs parses with no ERROR or MISSING
#      node; and the keywords of grammar.js are those of grammar/icp.pest.
#
# `./test.sh --update` regenerates src/ and the query copies instead of checking them.
set -euo pipefail

TS_VERSION=0.27.1
# ABI 14, not the CLI's default 15: Neovim 0.9 and 0.10 and Helix up to 25.01 load ABI 13-14
# parsers only (tree-sitter 0.20-0.24 inside them).
TS_ABI=14

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
update=0
[ "${1:-}" = "--update" ] && update=1

# 1. The CLI.
tools="${ICP_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/icp-tools/tree-sitter-$TS_VERSION}"
ts="${TREE_SITTER:-$tools/bin/tree-sitter}"
if ! [ -x "$ts" ] || [ "$("$ts" --version | awk '{print $2}')" != "$TS_VERSION" ]; then
  if [ -n "${TREE_SITTER:-}" ]; then
    echo "tree-sitter-icp: $TREE_SITTER is not tree-sitter $TS_VERSION" >&2
    exit 1
  fi
  echo "tree-sitter-icp: installing tree-sitter-cli $TS_VERSION into $tools (once; minutes)"
  cargo install tree-sitter-cli --version "$TS_VERSION" --locked --root "$tools"
fi
"$ts" --version
# The CLI compiles the parser into this directory (not ~/.cache), so a run leaves home alone.
export TREE_SITTER_LIBDIR="${TREE_SITTER_LIBDIR:-$tools/lib}"
mkdir -p "$TREE_SITTER_LIBDIR"

cd "$here"

# 2. The generated parser.
if [ "$update" = 1 ]; then
  "$ts" generate --abi "$TS_ABI"
else
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  "$ts" generate --abi "$TS_ABI" --output "$tmp/src"
  if ! diff -r -q src "$tmp/src"; then
    echo "tree-sitter-icp: src/ is not what grammar.js generates: run editors/tree-sitter-icp/test.sh --update and commit src/" >&2
    exit 1
  fi
fi

# 3. The query copies.
if [ "$update" = 1 ]; then
  node scripts/sync-queries.js
else
  node scripts/sync-queries.js --check
fi

# 4. Corpus and highlight tests.
"$ts" test

# 5. Every query file compiles (node names, fields, predicates).
sample="$root/examples/lincoln-murphy/profile.icp"
for q in queries/*.scm "$root"/editors/nvim/queries/icp/*.scm "$root"/editors/helix/runtime/queries/icp/*.scm; do
  "$ts" query --quiet --grammar-path "$here" "$q" "$sample" >/dev/null || {
    echo "tree-sitter-icp: $q does not compile against the grammar" >&2
    exit 1
  }
done

# 6. Neovim's own tree-sitter (0.7.2 is enough): loads the parser compiled with cc alone, parses
#    the examples, compiles Neovim's query copies, and no node gets two highlight captures.
if command -v nvim >/dev/null 2>&1; then
  nvim_tmp="$(mktemp -d)"
  cc -shared -fPIC -O2 -I src src/parser.c -o "$nvim_tmp/icp.so"
  (
    cd "$root"
    ICP_NVIM_ARGS="$(printf '%s\n' "$nvim_tmp/icp.so" examples/*/*.icp editors/tree-sitter-icp/test/highlight/*.icp)" \
      timeout 90 nvim --headless -u NONE -i NONE -c 'luafile editors/tree-sitter-icp/test/nvim.lua'
  )
  rm -rf "$nvim_tmp"
else
  echo "tree-sitter-icp: nvim not found: skipping the Neovim check"
fi

# 7. The repository's programs, and the keywords.
cd "$root"
ICP_TREE_SITTER="$ts" ICP_TREE_SITTER_GRAMMAR="$here" \
  cargo test --release --quiet -p icp-syntax --test all -- tree_sitter:: keywords::
echo "tree-sitter-icp: all tests passed"
